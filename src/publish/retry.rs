//! One retry policy for every API call publish/ makes, GitHub's and GitLab's alike.
//!
//! Owns: which answers are worth another try (5xx, 429, GitHub's 403 secondary rate limit,
//! an exhausted primary rate limit, timeouts and connection errors), how long to wait
//! (`Retry-After` in seconds or as an HTTP date, `x-ratelimit-reset` / `ratelimit-reset` with
//! remaining 0, else exponential backoff with full jitter), the per-request timeout and the total
//! time budget of a whole publish. It never sleeps past the budget: when the wait would end
//! beyond it, it fails at once and says so.
//! Takes a [`Clock`] (real, or [`ManualClock`] in tests, which records sleeps and returns at once)
//! and an optional jitter seed. Must not: log bodies or headers, or retry a non-idempotent request
//! whose fate is unknown (the caller re-reads the state instead; see `sticky.rs`).

use std::future::Future;
use std::hash::{BuildHasher as _, Hasher as _};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use http::{HeaderMap, StatusCode};

use super::PublishError;
use super::http::{ApiRequest, ApiResponse, Transport, TransportError};

/// Timeouts and budgets. The defaults are documented in `docs/publishing.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// One request, from connecting to the last byte of the answer. Default 10 s.
    pub request_timeout: Duration,
    /// Everything one publish does, waits included. Default 120 s: room for one 60 s secondary
    /// rate-limit wait (GitHub's own advice) and a few ordinary retries.
    pub total_budget: Duration,
    /// Tries of one request, the first included. Default 6.
    pub max_attempts: u32,
    /// The first backoff's ceiling; it doubles each retry. Default 1 s.
    pub base_delay: Duration,
    /// The largest computed backoff (server-requested waits are honoured up to the budget).
    /// Default 16 s.
    pub max_delay: Duration,
    /// The wait after a secondary rate limit that names no time: GitHub asks for at least a
    /// minute. Default 60 s.
    pub secondary_rate_limit_wait: Duration,
}

impl RetryPolicy {
    /// The default policy with a total budget of `total` (`--publish-timeout`); one request
    /// never gets more than the whole budget.
    pub fn within(total: Duration) -> RetryPolicy {
        let default = RetryPolicy::default();
        RetryPolicy { total_budget: total, request_timeout: default.request_timeout.min(total), ..default }
    }
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            request_timeout: Duration::from_secs(10),
            total_budget: Duration::from_secs(120),
            max_attempts: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(16),
            secondary_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

/// A sleep that a [`Clock`] hands out.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Time, injectable: the real one, or a test's.
pub trait Clock: Send + Sync {
    /// Monotonic time since some fixed start.
    fn elapsed(&self) -> Duration;
    /// Wall-clock time, for HTTP dates and rate-limit reset epochs.
    fn now_utc(&self) -> SystemTime;
    /// Waits `d` (a test clock may record it and return at once).
    fn sleep(&self, d: Duration) -> Sleep;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock { start: Instant::now() }
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    fn now_utc(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, d: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A clock for tests: sleeps return at once and are recorded; time is the real time elapsed plus
/// everything slept, and the wall clock starts at a fixed instant.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    epoch: SystemTime,
    slept: Mutex<Vec<Duration>>,
}

impl ManualClock {
    /// A clock whose wall time starts at `epoch`.
    pub fn new(epoch: SystemTime) -> ManualClock {
        ManualClock { start: Instant::now(), epoch, slept: Mutex::new(Vec::new()) }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.slept.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn total_slept(&self) -> Duration {
        self.sleeps().iter().sum()
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed() + self.total_slept()
    }
    fn now_utc(&self) -> SystemTime {
        self.epoch + self.elapsed()
    }
    fn sleep(&self, d: Duration) -> Sleep {
        if let Ok(mut s) = self.slept.lock() {
            s.push(d);
        }
        Box::pin(std::future::ready(()))
    }
}

/// Full jitter: a uniform wait in `[0, ceiling]`. splitmix64, seeded by the test or at random.
#[derive(Debug)]
struct Jitter(Mutex<u64>);

impl Jitter {
    fn new(seed: Option<u64>) -> Jitter {
        // RandomState is seeded from the OS: random enough to spread retries of concurrent jobs.
        let seed = seed.unwrap_or_else(|| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::UNIX_EPOCH.elapsed().map(|d| d.as_nanos()).unwrap_or_default());
            h.finish()
        });
        Jitter(Mutex::new(seed))
    }

    fn next(&self) -> u64 {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&self, ceiling: Duration) -> Duration {
        let max = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(if max == 0 { 0 } else { self.next() % (max + 1) })
    }
}

/// What an answer means for the retry loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// Hand the answer to the caller (success, or an error retrying cannot fix).
    Final,
    /// Try again. `wait` is the server's request, if it made one; `rejected` says the server
    /// certainly did not act on the request (rate limits), so even a POST may be repeated.
    Retry { wait: Option<Duration>, rejected: bool, why: String },
}

/// Classifies an answer. `now` is the wall clock, for HTTP dates and reset epochs.
pub(crate) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now: SystemTime,
    policy: &RetryPolicy,
) -> Class {
    let retry_after = retry_after(headers, now);
    let reset = rate_limit_reset(headers, now);
    match status.as_u16() {
        429 => Class::Retry { wait: retry_after.or(reset), rejected: true, why: "rate limited (429)".into() },
        403 if retry_after.is_some() || body.to_ascii_lowercase().contains("secondary rate limit") => {
            Class::Retry {
                wait: Some(retry_after.or(reset).unwrap_or(policy.secondary_rate_limit_wait)),
                rejected: true,
                why: "secondary rate limit (403)".into(),
            }
        }
        403 if reset.is_some() => {
            Class::Retry { wait: reset, rejected: true, why: "rate limit exhausted (403)".into() }
        }
        500..=599 => {
            Class::Retry { wait: retry_after, rejected: false, why: format!("server error ({status})") }
        }
        _ => Class::Final,
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    Some(until(at.as_second(), now))
}

/// `x-ratelimit-reset` (GitHub) or `ratelimit-reset` (GitLab), in epoch seconds, when the
/// matching `…-remaining` header is 0.
fn rate_limit_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    ["x-ratelimit", "ratelimit"].iter().find_map(|prefix| {
        let header = |name: &str| headers.get(format!("{prefix}-{name}"))?.to_str().ok().map(str::trim);
        if header("remaining")? != "0" {
            return None;
        }
        let reset = header("reset")?.parse::<i64>().ok()?;
        // The reset second itself may still be limited: wait one more.
        Some(until(reset, now) + Duration::from_secs(1))
    })
}

fn until(epoch_seconds: i64, now: SystemTime) -> Duration {
    let now_secs = now.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or_default();
    Duration::from_secs_f64((epoch_seconds as f64 - now_secs).max(0.0))
}

/// Sends requests under one policy and one budget: a publish makes one and shares it.
pub(crate) struct Retrier {
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    started: Duration,
}

impl Retrier {
    /// Starts the budget now.
    pub(crate) fn new(policy: RetryPolicy, clock: Arc<dyn Clock>, seed: Option<u64>) -> Retrier {
        let started = clock.elapsed();
        Retrier { policy, clock, jitter: Jitter::new(seed), started }
    }

    /// The wall clock (for timestamps sent to APIs).
    pub(crate) fn now_utc(&self) -> SystemTime {
        self.clock.now_utc()
    }

    /// What is left of the budget.
    pub(crate) fn remaining(&self) -> Duration {
        self.policy.total_budget.saturating_sub(self.clock.elapsed().saturating_sub(self.started))
    }

    /// The computed backoff before try number `attempt + 1` (full jitter).
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.policy.base_delay.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        self.jitter.below(ceiling.min(self.policy.max_delay))
    }

    /// Waits `wait` (the server's) or a computed backoff, unless that would end past the budget.
    pub(crate) async fn pause(
        &self,
        op: &str,
        attempt: u32,
        wait: Option<Duration>,
        why: &str,
    ) -> Result<(), PublishError> {
        let wait = wait.unwrap_or_else(|| self.backoff(attempt));
        let remaining = self.remaining();
        if wait >= remaining {
            return Err(PublishError::OutOfTime {
                op: op.to_string(),
                why: why.to_string(),
                wait,
                remaining,
                budget: self.policy.total_budget,
            });
        }
        tracing::debug!(op, attempt, wait_ms = wait.as_millis() as u64, why, "publish: retrying");
        self.clock.sleep(wait).await;
        Ok(())
    }

    /// Sends `req`, retrying what is worth retrying. Returns the first final answer (any status:
    /// the caller decides what a 403, 404 or 422 means), or an error when the tries, the budget
    /// or, for a non-idempotent request, certainty ran out.
    pub(crate) async fn send<T: Transport>(
        &self,
        transport: &T,
        req: &ApiRequest<'_>,
    ) -> Result<ApiResponse, PublishError> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let remaining = self.remaining();
            if remaining.is_zero() {
                return Err(PublishError::OutOfTime {
                    op: req.op.to_string(),
                    why: "no time left".into(),
                    wait: Duration::ZERO,
                    remaining,
                    budget: self.policy.total_budget,
                });
            }
            let timeout = self.policy.request_timeout.min(remaining);
            let (wait, why, error) = match transport.send(req, timeout).await {
                Ok(response) => {
                    match classify(
                        response.status,
                        &response.headers,
                        &response.body,
                        self.clock.now_utc(),
                        &self.policy,
                    ) {
                        Class::Final => return Ok(response),
                        Class::Retry { wait, rejected, why } => {
                            let error = PublishError::status(req.op, &response, transport.secret(), attempt);
                            if !req.idempotent && !rejected {
                                // A 5xx after a POST: it may have been acted on. The caller looks.
                                return Err(error);
                            }
                            (wait, why, error)
                        }
                    }
                }
                Err(TransportError::Timeout) => {
                    let error = PublishError::Timeout { op: req.op.to_string(), after: timeout };
                    if !req.idempotent {
                        return Err(error);
                    }
                    (None, "timed out".to_string(), error)
                }
                Err(TransportError::Failed { message, connect }) => {
                    let untrusted = untrusted_certificate(&message);
                    let error = PublishError::Connection { op: req.op.to_string(), message, connect };
                    // A certificate that is not trusted will not become trusted by asking again.
                    if untrusted {
                        return Err(error);
                    }
                    // A refused connection never reached the server: safe to repeat even a POST.
                    if !req.idempotent && !connect {
                        return Err(error);
                    }
                    (None, "connection failed".to_string(), error)
                }
            };
            tracing::debug!(op = req.op, attempt, why = why.as_str(), "publish: attempt failed");
            if attempt >= self.policy.max_attempts {
                return Err(error);
            }
            if let Err(out_of_time) = self.pause(req.op, attempt, wait, &why).await {
                // Name the failure that made us wait, then why we stopped.
                return Err(PublishError::GaveUp { last: Box::new(error), stop: Box::new(out_of_time) });
            }
        }
    }
}

/// Whether a transport error is the server's certificate failing verification (rustls's
/// wording: "invalid peer certificate: UnknownIssuer", expired, wrong name), which no retry cures.
fn untrusted_certificate(message: &str) -> bool {
    message.contains("invalid peer certificate") || message.contains("UnknownIssuer")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const NOW: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    /// A certificate the client does not trust is final; a refused connection is not.
    #[test]
    fn untrusted_certificates_are_not_retried() {
        assert!(untrusted_certificate("client error (Connect): invalid peer certificate: UnknownIssuer"));
        assert!(!untrusted_certificate("client error (Connect): tcp connect error: Connection refused"));
    }

    fn now() -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(NOW)
    }

    fn class(status: u16, h: &[(&'static str, &str)], body: &str) -> Class {
        classify(StatusCode::from_u16(status).unwrap(), &headers(h), body, now(), &RetryPolicy::default())
    }

    fn wait_of(c: Class) -> Option<Duration> {
        match c {
            Class::Retry { wait, .. } => wait,
            Class::Final => panic!("expected a retry"),
        }
    }

    /// 5xx and 429 are retried; 4xx other than rate limits are final.
    #[test]
    fn what_is_retried() {
        assert!(matches!(class(500, &[], ""), Class::Retry { rejected: false, .. }));
        assert!(matches!(class(502, &[], ""), Class::Retry { wait: None, .. }));
        assert!(matches!(class(429, &[], ""), Class::Retry { rejected: true, .. }));
        for status in [200, 201, 204, 400, 401, 404, 410, 422] {
            assert_eq!(class(status, &[], ""), Class::Final, "{status}");
        }
        // A permission 403 is final; a secondary rate limit is not.
        assert_eq!(class(403, &[], r#"{"message":"Resource not accessible by integration"}"#), Class::Final);
        let body = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes."}"#;
        assert_eq!(wait_of(class(403, &[], body)), Some(Duration::from_secs(60)));
    }

    /// Retry-After in seconds and as an HTTP date; a reset epoch when nothing is left.
    #[test]
    fn server_waits() {
        assert_eq!(wait_of(class(429, &[("retry-after", "7")], "")), Some(Duration::from_secs(7)));
        assert_eq!(wait_of(class(403, &[("retry-after", "3")], "")), Some(Duration::from_secs(3)));
        let date = "Thu, 01 Jan 2026 00:00:30 GMT";
        assert_eq!(wait_of(class(503, &[("retry-after", date)], "")), Some(Duration::from_secs(30)));
        let reset = (NOW + 20).to_string();
        let limited = [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset.as_str())];
        assert_eq!(wait_of(class(403, &limited, "API rate limit exceeded")), Some(Duration::from_secs(21)));
        let gitlab = [("ratelimit-remaining", "0"), ("ratelimit-reset", reset.as_str())];
        assert_eq!(wait_of(class(429, &gitlab, "")), Some(Duration::from_secs(21)));
        // Remaining above zero: the reset is not a reason to wait.
        let plenty = [("x-ratelimit-remaining", "10"), ("x-ratelimit-reset", reset.as_str())];
        assert_eq!(class(403, &plenty, "forbidden"), Class::Final);
        // A date in the past means now.
        let past = [("retry-after", "Wed, 31 Dec 2025 00:00:00 GMT")];
        assert_eq!(wait_of(class(503, &past, "")), Some(Duration::ZERO));
    }

    /// Full jitter stays under the ceiling, which doubles up to max_delay; a seed repeats.
    #[test]
    fn jitter() {
        let clock = Arc::new(ManualClock::new(now()));
        let r = Retrier::new(RetryPolicy::default(), clock.clone(), Some(7));
        let waits: Vec<Duration> = (1..=8).map(|a| r.backoff(a)).collect();
        for (a, w) in (1..=8u32).zip(&waits) {
            let ceiling = Duration::from_secs(1 << (a - 1)).min(Duration::from_secs(16));
            assert!(*w <= ceiling, "attempt {a}: {w:?}");
        }
        let again = Retrier::new(RetryPolicy::default(), clock, Some(7));
        assert_eq!(waits, (1..=8).map(|a| again.backoff(a)).collect::<Vec<_>>());
    }

    /// The manual clock advances by what was slept, and pause refuses a wait past the budget.
    #[test]
    fn budget() {
        let clock = Arc::new(ManualClock::new(now()));
        let policy = RetryPolicy { total_budget: Duration::from_secs(10), ..RetryPolicy::default() };
        let r = Retrier::new(policy, clock.clone(), Some(1));
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(r.pause("op", 1, Some(Duration::from_secs(4)), "test")).unwrap();
        assert!(r.remaining() <= Duration::from_secs(6));
        let err = rt.block_on(r.pause("list comments", 1, Some(Duration::from_secs(30)), "429")).unwrap_err();
        assert!(err.to_string().contains("30 s"), "{err}");
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(4)]);
    }
}
