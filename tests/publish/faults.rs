//! Faults: every one users meet, injected into the fake GitHub (the same retry code serves
//! GitLab; `gitlab.rs` checks its rate limits). Waits run on a manual clock that records them, so
//! these tests are instant except where a real timeout is the point.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use verdict::exit::Exit;
use verdict::publish::{self, Action, CheckRun, PublishError, RetryPolicy, Settings, SystemClock};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::github::{Config, GitHub};
use crate::support::server::{Fault, Reply};
use crate::support::{self, Body};

fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({"message": message, "documentation_url": "https://docs.github.com/rest"}))
}

const SECONDARY: &str =
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

/// 500 and 502 are retried with jittered backoff within the ceiling, then the run succeeds.
#[test]
fn server_errors_are_retried() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script(
        "issues/list-comments",
        [Fault::Reply(error(500, "boom")), Fault::Reply(error(502, "bad gateway"))],
    );
    let clock = support::manual_clock();
    let report = support::pr_run(&fake, &support::settings(clock.clone()));
    let m = support::marker("default");
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] <= Duration::from_secs(1) && sleeps[1] <= Duration::from_secs(2), "{sleeps:?}");
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// A 403 secondary rate limit with Retry-After waits exactly that long, then repeats even the POST
/// (the server refused it, so it cannot have landed): one comment.
#[test]
fn secondary_rate_limit_with_retry_after() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/create-comment", [Fault::Reply(error(403, SECONDARY).header("retry-after", "7"))]);
    let clock = support::manual_clock();
    let report = support::pr_run(&fake, &support::settings(clock.clone()));
    let m = support::marker("default");
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(7)]);
    let ops = server.ops();
    assert_eq!(ops.iter().filter(|o| *o == "issues/create-comment").count(), 2);
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// Without Retry-After, a secondary rate limit waits a minute, as GitHub asks.
#[test]
fn secondary_rate_limit_without_retry_after() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/list-comments", [Fault::Reply(error(403, SECONDARY))]);
    let clock = support::manual_clock();
    let report = support::pr_run(&fake, &support::settings(clock.clone()));
    assert!(!report.failed(), "{:?}", report.lines());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(60)]);
}

/// 429 with Retry-After, and an exhausted primary limit (403, remaining 0, reset epoch): each
/// waits what the server says.
#[test]
fn rate_limits_429_and_reset() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let reset = (support::EPOCH_SECS + 30).to_string();
    server.script(
        "issues/list-comments",
        [Fault::Reply(error(429, "Too Many Requests").header("retry-after", "3"))],
    );
    server.script(
        "issues/create-comment",
        [Fault::Reply(
            error(403, "API rate limit exceeded for installation ID 1.")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", reset),
        )],
    );
    let clock = support::manual_clock();
    let report = support::pr_run(&fake, &support::settings(clock.clone()));
    let m = support::marker("default");
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    let sleeps = clock.sleeps();
    assert_eq!(sleeps[0], Duration::from_secs(3));
    // 30 s after the clock's start, plus one: what was slept already has moved the clock on.
    assert!(sleeps[1] > Duration::from_secs(27) && sleeps[1] <= Duration::from_secs(28), "{sleeps:?}");
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// A wait past the budget is not slept: the publish fails at once, says why, leaves the exit code
/// alone unless --require-publish, and notes the failure in the job summary.
#[test]
fn a_wait_past_the_budget_fails_fast() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script(
        "issues/list-comments",
        [Fault::Reply(error(429, "slow down").header("retry-after", "3600"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let clock = support::manual_clock();
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let summary = |_| "## verdict: FAIL".to_string();
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.job_summary = Some(&summary);
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(clock.clone()),
        &p,
    );
    assert!(clock.sleeps().is_empty());
    let Some(Action::Failed(e)) = report.action("comment") else { panic!("{:?}", report.lines()) };
    assert!(
        matches!(e, PublishError::GaveUp { stop, .. } if matches!(**stop, PublishError::OutOfTime { .. }))
    );
    let line = report.lines().into_iter().find(|l| l.contains("comment failed")).unwrap();
    assert!(
        line.contains("HTTP 429") && line.contains("waiting 3600 s") && line.contains("of 120 s left"),
        "{line}"
    );
    assert_eq!((report.exit(false), report.exit(true)), (None, Some(Exit::Internal)));
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.starts_with("## verdict: FAIL\n") && summary.contains("could not publish"), "{summary}");
    assert!(std::fs::read_to_string(dir.path().join("output.txt")).unwrap().contains("\nfailed\n"));
}

/// 5xx until the tries run out: a clear error with the status and the number of tries.
#[test]
fn server_errors_until_the_tries_run_out() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/list-comments", (0..6).map(|_| Fault::Reply(error(503, "unavailable"))));
    let dir = tempfile::tempdir().unwrap();
    let clock = support::manual_clock();
    let m = support::marker("default");
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(clock.clone()),
        &publication(&m, Outcome::Fail, &|_| String::new()),
    );
    let line = report.lines().into_iter().find(|l| l.contains("comment failed")).unwrap();
    assert_eq!(
        line,
        "publish: comment failed: `list comments` failed: HTTP 503: unavailable (after 6 tries)"
    );
    assert_eq!(clock.sleeps().len(), 5);
}

/// 422 "too long": the renderer is asked again within the maximum GitHub named, and the shorter
/// body is accepted.
#[test]
fn too_long_shrinks_and_retries() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config { max_comment_chars: 10_000, ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let budgets = std::sync::Mutex::new(Vec::new());
    let render = |budget: usize| {
        budgets.lock().unwrap().push(budget);
        format!("{m}\n{}", "x".repeat(budget.min(50_000) - m.len() - 1))
    };
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &render),
    );
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(*budgets.lock().unwrap(), vec![65_536, 9_800]);
    assert_eq!(fake.comments_with(&m)[0].body.chars().count(), 9_800);
}

/// 422 "too long" with no maximum halves the budget; still too long after two shrinks is an error.
#[test]
fn too_long_without_a_maximum() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let too_long = || {
        Fault::Reply(Reply::json(
            422,
            json!({"message": "Validation Failed", "errors": [{"code": "custom", "field": "body", "message": "body is too long"}],
                "documentation_url": "https://docs.github.com/rest"}),
        ))
    };
    server.script("issues/create-comment", [too_long(), too_long(), too_long()]);
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert_eq!(body.budgets(), vec![65_536, 32_768, 16_384]);
    assert!(matches!(report.action("comment"), Some(Action::Failed(PublishError::TooLong { .. }))));
    assert!(fake.comments().is_empty());
}

/// A fork PR's read-only token: 403 degrades the comment, check run and status to the job summary
/// with a clear note. Not a failure, so not even --require-publish changes the exit code.
#[test]
fn fork_pr_degrades() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config { read_only: true, ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let summary = |_| "## verdict: FAIL".to_string();
    let check = |_| "s".to_string();
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.job_summary = Some(&summary);
    p.check_run =
        Some(CheckRun { name: "verdict".into(), title: "FAIL".into(), summary: &check, annotations: vec![] });
    p.commit_status = true;
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), true),
        &support::settings(support::manual_clock()),
        &p,
    );
    assert!(!report.failed() && report.degraded(), "{:?}", report.lines());
    for surface in ["comment", "check run", "commit status"] {
        assert!(
            matches!(report.action(surface), Some(Action::Degraded { reason }) if reason.contains("fork")),
            "{surface}: {:?}",
            report.lines()
        );
    }
    assert_eq!(report.exit(true), None);
    // One refused write, then nothing more is attempted.
    assert_eq!(server.ops(), vec!["issues/list-comments", "issues/create-comment"]);
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("fork, whose token is read-only"), "{summary}");
}

/// The same 403 on the repository's own PR is a misconfiguration: it fails, naming the permission.
#[test]
fn forbidden_on_own_pr_fails_with_a_hint() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config { read_only: true, ..Config::default() });
    let report = support::pr_run(&fake, &support::settings(support::manual_clock()));
    let line = report.lines().into_iter().find(|l| l.contains("comment failed")).unwrap();
    assert!(line.contains("HTTP 403") && line.contains("pull-requests: write"), "{line}");
}

fn real_time(timeout_ms: u64, budget_ms: u64) -> Settings {
    Settings {
        retry: RetryPolicy {
            request_timeout: Duration::from_millis(timeout_ms),
            total_budget: Duration::from_millis(budget_ms),
            base_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        clock: Arc::new(SystemClock::default()),
        jitter_seed: Some(3),
    }
}

/// A hung server: each request times out, and the whole publish ends within its budget.
#[test]
fn hung_server_times_out_within_the_budget() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/list-comments", (0..10).map(|_| Fault::Hang));
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let started = Instant::now();
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &real_time(300, 1_000),
        &publication(&m, Outcome::Fail, &|_| String::new()),
    );
    let took = started.elapsed();
    // The budget is 1 s; the rest is slack for a loaded machine.
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let line = report.lines().into_iter().find(|l| l.contains("comment failed")).unwrap();
    assert!(line.contains("`list comments` timed out after"), "{line}");
    assert!(report.failed());
}

/// A slow server within the timeout is fine.
#[test]
fn slow_server_within_the_timeout() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/list-comments", [Fault::Delay(Duration::from_millis(300))]);
    server.script("issues/create-comment", [Fault::Delay(Duration::from_millis(300))]);
    let report = support::pr_run(&fake, &real_time(2_000, 10_000));
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
}

/// A dropped connection: a read is simply retried; a POST's fate is unknown, so the comments are
/// read again before posting again — one comment either way.
#[test]
fn dropped_connections() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/list-comments", [Fault::Drop]);
    server.script("issues/create-comment", [Fault::Drop]);
    let report = support::pr_run(&fake, &support::settings(support::manual_clock()));
    let m = support::marker("default");
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(
        server.ops(),
        vec![
            "issues/list-comments",
            "issues/list-comments",
            "issues/create-comment",
            "issues/list-comments",
            "issues/create-comment",
            "issues/list-comments",
        ]
    );
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// A POST that timed out but landed: the re-read finds it, so no second POST and no duplicate.
#[test]
fn a_post_that_timed_out_but_landed() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script("issues/create-comment", [Fault::LandThenHang]);
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let mut settings = support::settings(support::manual_clock());
    settings.retry.request_timeout = Duration::from_millis(300);
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &settings,
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert!(matches!(report.action("comment"), Some(Action::Unchanged { .. })), "{:?}", report.lines());
    assert_eq!(server.ops().iter().filter(|o| *o == "issues/create-comment").count(), 1);
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// Two runs race: both read "no comment", both post; each then re-reads, keeps the oldest and
/// deletes the other. The end state is exactly one comment.
#[test]
fn concurrent_runs_end_with_one_comment() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    // Hold both first listings until both have been read, so both see no comment.
    server.script("issues/list-comments", [Fault::Barrier(2), Fault::Barrier(2)]);
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("default");
    let reports = support::race(&dest, &m);
    assert!(reports.iter().all(|r| !r.failed()), "{reports:?}");
    assert_eq!(server.ops().iter().filter(|o| *o == "issues/create-comment").count(), 2, "both posted");
    let ours = fake.comments_with(&m);
    assert_eq!(ours.len(), 1, "{reports:?}");
    assert!(reports.iter().map(|r| r.removed_duplicates).sum::<usize>() >= 1);
}

/// Duplicates left by an older failure are cleaned up: the oldest is kept and updated.
#[test]
fn stale_duplicates_are_removed() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config::default());
    let m = support::marker("default");
    let oldest = fake.seed_comment(&format!("{m}\nfirst"));
    fake.seed_comment(&format!("{m}\nsecond"));
    let dir = tempfile::tempdir().unwrap();
    let body = Body::new(&m, "third");
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert_eq!(report.removed_duplicates, 1);
    let ours = fake.comments_with(&m);
    assert_eq!((ours.len(), ours[0].id, ours[0].body.as_str()), (1, oldest, format!("{m}\nthird").as_str()));
}

/// A check-run summary GitHub finds too long ("Only N characters are allowed") is rendered again
/// within that maximum.
#[test]
fn check_run_summary_too_long() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    server.script(
        "checks/create",
        [Fault::Reply(error(
            422,
            "Invalid request.\n\nOnly 1000 characters are allowed; 65535 were supplied.",
        ))],
    );
    let dir = tempfile::tempdir().unwrap();
    let m = support::marker("default");
    let budgets = std::sync::Mutex::new(Vec::new());
    let summary = |budget: usize| {
        budgets.lock().unwrap().push(budget);
        "s".repeat(budget)
    };
    let render = |_| format!("{m}\nx");
    let mut p = publication(&m, Outcome::Fail, &render);
    p.check_run = Some(CheckRun {
        name: "verdict".into(),
        title: "FAIL".into(),
        summary: &summary,
        annotations: vec![],
    });
    let report = publish::publish(
        &support::github_pr(&fake, dir.path(), false),
        &support::settings(support::manual_clock()),
        &p,
    );
    assert!(matches!(report.action("check run"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(*budgets.lock().unwrap(), vec![65_535, 980]);
    assert_eq!(fake.state.lock().unwrap().check_runs.values().next().unwrap().summary.len(), 980);
}

/// Dependabot's pull_request runs get a read-only token too: a 403 degrades, it does not fail.
#[test]
fn dependabot_pr_degrades() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config { read_only: true, ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let c = &fake.config;
    let event = json!({"number": c.pr, "pull_request": {
        "head": {"sha": "0123456789abcdef0123456789abcdef01234567", "repo": {"full_name": "acme/shop"}},
        "base": {"repo": {"full_name": "acme/shop"}}}})
    .to_string();
    let vars = support::env(vec![
        ("GITHUB_REPOSITORY", "acme/shop".into()),
        ("GITHUB_API_URL", fake.base()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        ("GITHUB_ACTOR", "dependabot[bot]".into()),
        ("GITHUB_TOKEN", c.token.clone()),
        ("GITHUB_STEP_SUMMARY", dir.path().join("summary.md").display().to_string()),
    ]);
    let dest = publish::resolve(publish::PublishTarget::GitHub, &vars, Ok(Some(&event)), None).unwrap();
    let m = support::marker("default");
    let render = |_| format!("{m}\nx");
    let report = publish::publish(
        &dest,
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &render),
    );
    assert!(
        matches!(report.action("comment"), Some(Action::Degraded { reason }) if reason.contains("Dependabot")),
        "{:?}",
        report.lines()
    );
    assert!(!report.failed());
}
