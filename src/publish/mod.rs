//! Publishing a verdict where people look: the GitHub PR comment, check run, commit status, job
//! summary and step outputs; the GitLab MR note; report files on disk.
//!
//! Owns: every call to a CI API (the only module that makes them), retries and time budgets
//! (`retry.rs`), the sticky comment per gate key (`sticky.rs`), degrading on fork PRs, and the
//! report of what was done. Takes the destination (resolved from environment values by
//! [`resolve`]), [`Settings`] and a [`Publication`] whose bodies are closures that render within a
//! size budget. Returns a [`PublishReport`]; it never prints and never chooses an exit code (the
//! CLI maps [`PublishReport::exit`] for `--require-publish`). A token never appears in its errors,
//! logs or report.
//!
//! The CLI is synchronous: [`publish`] builds a current-thread Tokio runtime for the duration of
//! the call.

pub mod context;
pub mod files;
mod github;
mod gitlab;
mod http;
pub mod retry;
mod sticky;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::exit::Exit;
use crate::verdict::{Counts, Outcome, Verdict};

pub use context::{GitHubContext, GitHubFiles, GitLabContext, Repository, Secret};
pub use retry::{Clock, ManualClock, RetryPolicy, SystemClock};

/// The GitHub comment limit, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// The check-run `output.summary` limit, in characters.
pub const CHECK_RUN_SUMMARY_LIMIT: usize = 65_535;
/// Annotations per check-run request (the Checks API's maximum).
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// The job summary limit, in bytes (GitHub's 1 MiB per step).
pub const JOB_SUMMARY_LIMIT: usize = 1024 * 1024;
/// The GitLab note limit, in characters.
pub const GITLAB_NOTE_LIMIT: usize = 1_000_000;

/// `--publish`: where to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PublishTarget {
    /// GitHub Actions when `GITHUB_ACTIONS=true`, GitLab CI when `GITLAB_CI=true`, else nowhere.
    #[default]
    Auto,
    /// GitHub, whatever the environment says.
    GitHub,
    /// GitLab, whatever the environment says.
    GitLab,
    /// Nowhere.
    None,
}

impl PublishTarget {
    /// The flag's words.
    pub const NAMES: [&'static str; 4] = ["auto", "github", "gitlab", "none"];

    /// The flag's word.
    pub fn as_str(self) -> &'static str {
        match self {
            PublishTarget::Auto => "auto",
            PublishTarget::GitHub => "github",
            PublishTarget::GitLab => "gitlab",
            PublishTarget::None => "none",
        }
    }
}

impl std::str::FromStr for PublishTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<PublishTarget, String> {
        match s {
            "auto" => Ok(PublishTarget::Auto),
            "github" => Ok(PublishTarget::GitHub),
            "gitlab" => Ok(PublishTarget::GitLab),
            "none" => Ok(PublishTarget::None),
            other => Err(format!("unknown publish target `{other}`, expected auto, github, gitlab or none")),
        }
    }
}

/// `--comment-mode`: when the sticky comment is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommentMode {
    /// Create or update it on every run, even with the same body.
    Always,
    /// Create it, or update it when the body changed (the default: no edit noise).
    #[default]
    Changes,
    /// Create it only when the gate fails or errs; update an existing one on every outcome, so
    /// that it says when the problem is fixed.
    Failures,
    /// Never touch it.
    Off,
}

impl CommentMode {
    /// The flag's words.
    pub const NAMES: [&'static str; 4] = ["always", "changes", "failures", "off"];

    /// The flag's word.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentMode::Always => "always",
            CommentMode::Changes => "changes",
            CommentMode::Failures => "failures",
            CommentMode::Off => "off",
        }
    }
}

impl std::str::FromStr for CommentMode {
    type Err = String;
    fn from_str(s: &str) -> Result<CommentMode, String> {
        match s {
            "always" => Ok(CommentMode::Always),
            "changes" => Ok(CommentMode::Changes),
            "failures" => Ok(CommentMode::Failures),
            "off" => Ok(CommentMode::Off),
            other => {
                Err(format!("unknown comment mode `{other}`, expected always, changes, failures or off"))
            }
        }
    }
}

/// Where this run publishes, once the environment has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// GitHub Actions.
    GitHub(Box<GitHubContext>),
    /// GitHub Actions whose context could not be read: only the job summary and the step
    /// outputs, which say why the rest was not published.
    GitHubFiles(Box<GitHubFiles>),
    /// GitLab CI.
    GitLab(Box<GitLabContext>),
    /// Nowhere, and why (said in the report: "running locally publishes nothing and says so").
    Nowhere(String),
    /// GitHub Actions with `--publish none`: nothing is published, but the step outputs (the
    /// action's interface, `GITHUB_OUTPUT`) are written, so that a later step still reads the
    /// outcome.
    StepOutputs(PathBuf),
}

/// Resolves `--publish` against the environment (`var`), the GitHub event payload (its text, or
/// why it could not be read: the CLI reads `GITHUB_EVENT_PATH`, see
/// [`context::read_event_file`]) and the `--pr` hand-off.
///
/// On GitHub, a context that cannot be read still leaves the job summary and the step outputs
/// ([`Destination::GitHubFiles`]), when the runner names them: the verdict and the reason are
/// written there instead of only to the log.
pub fn resolve(
    target: PublishTarget,
    var: &dyn Fn(&str) -> Option<String>,
    event: Result<Option<&str>, PublishError>,
    pr: Option<u64>,
) -> Result<Destination, PublishError> {
    let is_true = |k: &str| var(k).is_some_and(|v| v.trim() == "true");
    let github = || {
        event
            .and_then(|event| GitHubContext::from_env(var, event, pr))
            .map(|c| Destination::GitHub(Box::new(c)))
            .or_else(|e| {
                // Said as "cannot publish to GitHub: {why}", so a context error's own prefix goes.
                let why = match &e {
                    PublishError::Context { problem, .. } => problem.clone(),
                    other => chain(other),
                };
                match GitHubFiles::from_env(var, why) {
                    Some(files) => Ok(Destination::GitHubFiles(Box::new(files))),
                    None => Err(e),
                }
            })
    };
    let gitlab = || GitLabContext::from_env(var).map(|c| Destination::GitLab(Box::new(c)));
    match target {
        PublishTarget::GitHub => github(),
        PublishTarget::GitLab => gitlab(),
        PublishTarget::None => match var("GITHUB_OUTPUT").map(|p| p.trim().to_owned()) {
            Some(path) if is_true("GITHUB_ACTIONS") && !path.is_empty() => Ok(Destination::StepOutputs(path.into())),
            _ => Ok(Destination::Nowhere("--publish none: nothing published".into())),
        },
        PublishTarget::Auto if is_true("GITHUB_ACTIONS") => github(),
        PublishTarget::Auto if is_true("GITLAB_CI") => gitlab(),
        PublishTarget::Auto => Ok(Destination::Nowhere(
            "not running in GitHub Actions or GitLab CI: nothing published (--publish github|gitlab to force)"
                .into(),
        )),
    }
}

/// How publish/ talks to APIs: time limits, the clock, the jitter seed.
#[derive(Clone)]
pub struct Settings {
    /// Timeouts, tries and the total budget.
    pub retry: RetryPolicy,
    /// The clock (a [`ManualClock`] in tests).
    pub clock: Arc<dyn Clock>,
    /// Seeds the backoff jitter (tests); random when `None`.
    pub jitter_seed: Option<u64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { retry: RetryPolicy::default(), clock: Arc::new(SystemClock::default()), jitter_seed: None }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("retry", &self.retry)
            .field("jitter_seed", &self.jitter_seed)
            .finish()
    }
}

/// Renders a body within a budget (characters; bytes for the job summary). Called again with a
/// smaller budget when a server says the body is too long.
pub type Render<'a> = &'a dyn Fn(usize) -> String;

/// A check-run annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The file, relative to the repository root.
    pub path: String,
    /// First line (1-based).
    pub start_line: u64,
    /// Last line.
    pub end_line: u64,
    /// notice, warning or failure.
    pub level: AnnotationLevel,
    /// What is wrong.
    pub message: String,
    /// A short title.
    pub title: Option<String>,
}

/// An annotation's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationLevel {
    /// Informational.
    Notice,
    /// A warning.
    Warning,
    /// A failure.
    Failure,
}

impl AnnotationLevel {
    /// The Checks API's word.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationLevel::Notice => "notice",
            AnnotationLevel::Warning => "warning",
            AnnotationLevel::Failure => "failure",
        }
    }
}

/// A check run to create on the head commit (GitHub only).
pub struct CheckRun<'a> {
    /// Its name in the checks list (`verdict`, or `verdict (api)` for a gate key).
    pub name: String,
    /// `output.title`.
    pub title: String,
    /// `output.summary`, within [`CHECK_RUN_SUMMARY_LIMIT`].
    pub summary: Render<'a>,
    /// All annotations; sent 50 per request.
    pub annotations: Vec<Annotation>,
}

/// What to publish.
pub struct Publication<'a> {
    /// The gate key (`--gate-key`): separate comments, check runs and statuses per key.
    pub gate_key: &'a str,
    /// The hidden marker that opens the comment and identifies it
    /// (`<!-- verdict:comment gate=KEY -->`). Found by exact match on the body's first line.
    pub marker: &'a str,
    /// The verdict's outcome.
    pub outcome: Outcome,
    /// Whether the gate fails (exit 1 or worse): fail, error, or warn under `--fail-on warn`.
    pub fails_gate: bool,
    /// The verdict's counts.
    pub counts: Counts,
    /// Waivers that need attention: expired, or matching nothing (they warn, and fail a gate
    /// whose warnings fail it, without being findings).
    pub stale_waivers: usize,
    /// When to write the comment.
    pub comment_mode: CommentMode,
    /// The login the token writes comments as (`--comment-author`); any bot account when `None`.
    /// A marked comment by anyone else is never taken for ours.
    pub comment_author: Option<&'a str>,
    /// The comment or note body.
    pub comment: Render<'a>,
    /// The job summary (GitHub), within [`JOB_SUMMARY_LIMIT`] bytes.
    pub job_summary: Option<Render<'a>>,
    /// A check run (GitHub), if wanted.
    pub check_run: Option<CheckRun<'a>>,
    /// Whether to set a commit status (GitHub).
    pub commit_status: bool,
    /// Report files already written, for the step outputs (`report-NAME=PATH`).
    pub reports: Vec<(String, PathBuf)>,
}

impl<'a> Publication<'a> {
    /// A publication of `verdict` with the comment body `comment` and nothing else optional.
    pub fn of(verdict: &Verdict, gate_key: &'a str, marker: &'a str, comment: Render<'a>) -> Publication<'a> {
        let fails_gate = match verdict.outcome {
            Outcome::Fail | Outcome::Error => true,
            Outcome::Warn => verdict.fail_on == "warn",
            Outcome::Pass | Outcome::Skipped => false,
        };
        let mut p = Publication::new(gate_key, marker, verdict.outcome, fails_gate, verdict.counts, comment);
        p.stale_waivers = verdict.waivers.expired.len() + verdict.waivers.unused.len();
        p
    }

    /// A publication of `outcome` with the comment body `comment` and nothing else optional (a
    /// run that stopped before its verdict has no [`Verdict`] to take them from).
    pub fn new(
        gate_key: &'a str,
        marker: &'a str,
        outcome: Outcome,
        fails_gate: bool,
        counts: Counts,
        comment: Render<'a>,
    ) -> Publication<'a> {
        Publication {
            gate_key,
            marker,
            outcome,
            fails_gate,
            counts,
            stale_waivers: 0,
            comment_mode: CommentMode::default(),
            comment_author: None,
            comment,
            job_summary: None,
            check_run: None,
            commit_status: false,
            reports: Vec::new(),
        }
    }
}

/// What happened to one surface.
#[derive(Debug)]
pub enum Action {
    /// Created (id, and link when known).
    Created {
        /// The API's id.
        id: u64,
        /// The web link.
        url: Option<String>,
    },
    /// Updated in place.
    Updated {
        /// The API's id.
        id: u64,
        /// The web link.
        url: Option<String>,
    },
    /// Already said exactly this: left alone.
    Unchanged {
        /// The API's id.
        id: u64,
        /// The web link.
        url: Option<String>,
    },
    /// A file was written.
    Written {
        /// The file.
        path: PathBuf,
    },
    /// Not attempted, by choice or because there is nowhere to put it.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Could not be published for an expected reason (a fork PR's read-only token); what was
    /// done instead is in the reason.
    Degraded {
        /// Why, and what was done instead.
        reason: String,
    },
    /// Failed.
    Failed(PublishError),
}

/// One surface and what happened to it.
#[derive(Debug)]
pub struct Surface {
    /// `comment`, `note`, `check run`, `commit status`, `job summary`, `step outputs`.
    pub name: &'static str,
    /// What happened.
    pub action: Action,
}

/// Everything a publish did, for the CLI to print (stderr) and map to an exit code.
#[derive(Debug, Default)]
pub struct PublishReport {
    /// `github`, `gitlab` or `none`.
    pub destination: &'static str,
    /// Each surface in the order it was handled.
    pub surfaces: Vec<Surface>,
    /// Duplicate sticky comments removed (left by a concurrent run or a retried POST).
    pub removed_duplicates: usize,
    /// Anything else worth saying (`nothing published: …`).
    pub notes: Vec<String>,
}

impl PublishReport {
    fn to(destination: &'static str) -> PublishReport {
        PublishReport { destination, ..PublishReport::default() }
    }

    pub(crate) fn push(&mut self, name: &'static str, action: Action) {
        self.surfaces.push(Surface { name, action });
    }

    /// The errors, in order.
    pub fn errors(&self) -> impl Iterator<Item = &PublishError> {
        self.surfaces.iter().filter_map(|s| match &s.action {
            Action::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// Some surface failed.
    pub fn failed(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Some surface degraded (fork PR).
    pub fn degraded(&self) -> bool {
        self.surfaces.iter().any(|s| matches!(s.action, Action::Degraded { .. }))
    }

    /// The surface's action.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.surfaces.iter().find(|s| s.name == name).map(|s| &s.action)
    }

    /// The exit code publishing forces: [`Exit::Internal`] (3) when it failed and
    /// `--require-publish` was given, else none (the verdict's own exit code stands).
    pub fn exit(&self, require_publish: bool) -> Option<Exit> {
        (require_publish && self.failed()).then_some(Exit::Internal)
    }

    /// One line per surface and note, for stderr (`publish: comment updated: URL`).
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.notes.iter().map(|n| format!("publish: {n}")).collect();
        for s in &self.surfaces {
            let link = |id: &u64, url: &Option<String>| url.clone().unwrap_or_else(|| format!("#{id}"));
            lines.push(match &s.action {
                Action::Created { id, url } => format!("publish: {} created: {}", s.name, link(id, url)),
                Action::Updated { id, url } => format!("publish: {} updated: {}", s.name, link(id, url)),
                Action::Unchanged { id, url } => {
                    format!("publish: {} unchanged: {}", s.name, link(id, url))
                }
                Action::Written { path } => format!("publish: {} written to {}", s.name, path.display()),
                Action::Skipped { reason } => format!("publish: {} skipped: {reason}", s.name),
                Action::Degraded { reason } => format!("publish: {} degraded: {reason}", s.name),
                Action::Failed(e) => format!("publish: {} failed: {}{}", s.name, chain(e), tls_hint(e)),
            });
        }
        if self.removed_duplicates > 0 {
            lines.push(format!(
                "publish: removed {} duplicate comment(s) left by a concurrent or retried run",
                self.removed_duplicates
            ));
        }
        lines
    }
}

/// An error and its causes, `: `-joined.
/// What to do when the server's certificate was not trusted: the CA that signed it (a company's
/// own, a TLS-inspecting proxy's) must be given to verdict.
fn tls_hint(e: &dyn std::error::Error) -> &'static str {
    let text = chain(e);
    if text.contains("UnknownIssuer") || text.contains("invalid peer certificate") {
        "; the server's certificate is signed by a CA verdict does not trust: give it the CA bundle with SSL_CERT_FILE (in the container: mount it and set SSL_CERT_FILE to its path), or on GitLab with CI_SERVER_TLS_CA_FILE"
    } else {
        ""
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Publishes to `destination`. Synchronous: runs its own current-thread runtime.
pub fn publish(
    destination: &Destination,
    settings: &Settings,
    publication: &Publication<'_>,
) -> PublishReport {
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build();
    match destination {
        Destination::Nowhere(reason) => {
            let mut report = PublishReport::to("none");
            report.notes.push(reason.clone());
            report
        }
        Destination::GitHub(ctx) => match runtime() {
            Ok(rt) => rt.block_on(github::publish(ctx, settings, publication)),
            Err(e) => runtime_failed("github", e),
        },
        Destination::GitHubFiles(files) => github::publish_files(files, publication),
        Destination::StepOutputs(path) => github::step_outputs(path, publication),
        Destination::GitLab(ctx) => match runtime() {
            Ok(rt) => rt.block_on(gitlab::publish(ctx, settings, publication)),
            Err(e) => runtime_failed("gitlab", e),
        },
    }
}

fn runtime_failed(destination: &'static str, e: std::io::Error) -> PublishReport {
    let mut report = PublishReport::to(destination);
    report.push("runtime", Action::Failed(PublishError::Runtime(e)));
    report
}

/// Everything publishing can fail with. Texts name the operation and the HTTP status, and never
/// contain a token: server messages are scrubbed and cut short.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The environment does not say enough.
    #[error("cannot publish to {system}: {problem}")]
    Context {
        /// GitHub or GitLab.
        system: &'static str,
        /// What is missing or wrong.
        problem: String,
    },
    /// No token for a surface that needs one.
    #[error("cannot publish to {system}: {variable} is not set ({hint})")]
    NoToken {
        /// GitHub or GitLab.
        system: &'static str,
        /// The variable(s) read.
        variable: &'static str,
        /// How to provide it.
        hint: &'static str,
    },
    /// `GITHUB_EVENT_PATH`'s file is not JSON.
    #[error("cannot read the GitHub event payload: it is not valid JSON")]
    Event {
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A file could not be read or written.
    #[error("cannot {what} `{}`", path.display())]
    Io {
        /// What was being done (`append to the job summary`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the {api} client: {message}")]
    Client {
        /// GitHub or GitLab.
        api: &'static str,
        /// Why.
        message: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the publishing runtime")]
    Runtime(#[source] std::io::Error),
    /// A request took longer than the per-request timeout.
    #[error("`{op}` timed out after {}", secs(*after))]
    Timeout {
        /// The operation (`create comment`).
        op: String,
        /// The timeout.
        after: Duration,
    },
    /// The connection failed.
    #[error("`{op}` failed: {message}")]
    Connection {
        /// The operation.
        op: String,
        /// The client's description.
        message: String,
        /// Whether it failed before the request was sent.
        connect: bool,
    },
    /// The API answered with an error.
    #[error("`{op}` failed: HTTP {status}{}{}", if message.is_empty() { String::new() } else { format!(": {message}") }, if *attempts > 1 { format!(" (after {attempts} tries)") } else { String::new() })]
    Status {
        /// The operation.
        op: String,
        /// The HTTP status.
        status: u16,
        /// The API's message, scrubbed and cut short.
        message: String,
        /// Tries made.
        attempts: u32,
    },
    /// 403: the token may not do this.
    #[error("`{op}` was refused (HTTP 403): {message}; {hint}")]
    Forbidden {
        /// The operation.
        op: String,
        /// The API's message.
        message: String,
        /// The permission needed.
        hint: &'static str,
    },
    /// The body is too long, even after asking for shorter ones.
    #[error("`{op}`: the body is still too long at {budget} characters: {message}")]
    TooLong {
        /// The operation.
        op: String,
        /// The budget of the last body sent.
        budget: usize,
        /// The maximum the server named, if it did.
        max: Option<usize>,
        /// The API's message.
        message: String,
    },
    /// Waiting for the next try would pass the budget.
    #[error(
        "`{op}`: {why}; waiting {} more would pass the publish budget ({} of {} left)",
        secs(*wait), secs(*remaining), secs(*budget)
    )]
    OutOfTime {
        /// The operation.
        op: String,
        /// Why a wait was needed.
        why: String,
        /// The wait.
        wait: Duration,
        /// What was left of the budget.
        remaining: Duration,
        /// The budget.
        budget: Duration,
    },
    /// Retrying stopped: the last failure, and why no more tries were made.
    #[error("{last}; gave up: {stop}")]
    GaveUp {
        /// The last failure.
        last: Box<PublishError>,
        /// Why retrying stopped.
        stop: Box<PublishError>,
    },
    /// The answer was not what the API description promises.
    #[error("`{op}`: unexpected answer: {message}")]
    Decode {
        /// The operation.
        op: String,
        /// What was wrong.
        message: String,
    },
}

impl PublishError {
    /// An API error answer, with the API's own message.
    pub(crate) fn status(
        op: &str,
        response: &http::ApiResponse,
        secret: Option<&Secret>,
        attempts: u32,
    ) -> Self {
        PublishError::Status {
            op: op.to_string(),
            status: response.status.as_u16(),
            message: api_message(&response.body, secret),
            attempts,
        }
    }

    /// The request may have been acted on although no answer said so (a timeout, a dropped
    /// connection or a 5xx after a POST): read the state before trying again.
    pub(crate) fn may_have_landed(&self) -> bool {
        match self {
            PublishError::Timeout { .. } => true,
            PublishError::Connection { connect, .. } => !connect,
            PublishError::Status { status, .. } => *status >= 500,
            PublishError::GaveUp { last, .. } => last.may_have_landed(),
            _ => false,
        }
    }
}

/// The `message` of an API error body (GitHub: a string; GitLab: a string or an object), plus
/// GitHub's `errors[].message`, scrubbed of the token and cut to 300 characters.
pub(crate) fn api_message(body: &str, secret: Option<&Secret>) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => {
            let mut parts: Vec<String> = Vec::new();
            match json.get("message").or_else(|| json.get("error")) {
                Some(serde_json::Value::String(s)) => parts.push(s.clone()),
                Some(other) => parts.push(other.to_string()),
                None => {}
            }
            if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
                parts.extend(errors.iter().filter_map(|e| e.get("message")?.as_str().map(str::to_string)));
            }
            parts.join(": ")
        }
        Err(_) => body.trim().to_string(),
    };
    let text = secret.map_or(text.clone(), |s| s.redact(&text));
    http::truncate(&text, 300)
}

/// `12 s`, `1.5 s`, `250 ms`.
fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    /// A certificate the machine does not trust says how to give verdict the CA.
    #[test]
    fn an_untrusted_certificate_says_how_to_trust_it() {
        let mut report = PublishReport::to("gitlab");
        let untrusted = PublishError::Client {
            api: "GitLab",
            message: "client error (Connect): invalid peer certificate: UnknownIssuer".into(),
        };
        report.push("note", Action::Failed(untrusted));
        let line = report.lines().pop().unwrap_or_default();
        assert!(
            line.contains("UnknownIssuer; the server's certificate is signed by a CA verdict does not trust"),
            "{line}"
        );
        assert!(line.contains("SSL_CERT_FILE") && line.contains("CI_SERVER_TLS_CA_FILE"), "{line}");
    }

    /// auto reads the environment; locally it publishes nothing and says so.
    #[test]
    fn resolve_auto() {
        let local = resolve(PublishTarget::Auto, &env(&[]), Ok(None), None).unwrap();
        assert!(matches!(&local, Destination::Nowhere(why) if why.contains("nothing published")));
        let gh = env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_REPOSITORY", "a/b")]);
        assert!(matches!(resolve(PublishTarget::Auto, &gh, Ok(None), None).unwrap(), Destination::GitHub(_)));
        let gl = env(&[("GITLAB_CI", "true"), ("CI_API_V4_URL", "http://x/api/v4"), ("CI_PROJECT_ID", "1")]);
        assert!(matches!(resolve(PublishTarget::Auto, &gl, Ok(None), None).unwrap(), Destination::GitLab(_)));
        assert!(matches!(
            resolve(PublishTarget::None, &gh, Ok(None), None).unwrap(),
            Destination::Nowhere(_)
        ));
        // In Actions, `none` still writes the step outputs: they are the action's interface.
        let gh_outputs = env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", "/runner/out.txt")]);
        assert!(matches!(
            resolve(PublishTarget::None, &gh_outputs, Ok(None), None).unwrap(),
            Destination::StepOutputs(p) if p == std::path::Path::new("/runner/out.txt")
        ));
        // Forcing a target that the environment cannot support is an error that says why.
        let err = resolve(PublishTarget::GitLab, &gh, Ok(None), None).unwrap_err();
        assert!(err.to_string().contains("CI_API_V4_URL is not set"), "{err}");
    }

    /// The flag words round-trip.
    #[test]
    fn flag_words() {
        for name in PublishTarget::NAMES {
            assert_eq!(name.parse::<PublishTarget>().unwrap().as_str(), name);
        }
        for name in CommentMode::NAMES {
            assert_eq!(name.parse::<CommentMode>().unwrap().as_str(), name);
        }
        assert!("sometimes".parse::<CommentMode>().unwrap_err().contains("always, changes"));
    }

    /// A failed publish forces exit 3 only under --require-publish.
    #[test]
    fn require_publish() {
        let mut report = PublishReport::to("github");
        report.push("comment", Action::Skipped { reason: "push".into() });
        assert_eq!((report.failed(), report.exit(true)), (false, None));
        report.push(
            "comment",
            Action::Failed(PublishError::Timeout {
                op: "list comments".into(),
                after: Duration::from_secs(10),
            }),
        );
        assert_eq!((report.exit(false), report.exit(true)), (None, Some(Exit::Internal)));
        assert!(
            report
                .lines()
                .iter()
                .any(|l| l == "publish: comment failed: `list comments` timed out after 10 s")
        );
    }

    /// API messages are read from GitHub's and GitLab's error shapes, and scrubbed.
    #[test]
    fn api_messages() {
        let gh = r#"{"message":"Validation Failed","errors":[{"code":"custom","message":"body is too long (maximum is 65536 characters)"}]}"#;
        assert_eq!(
            api_message(gh, None),
            "Validation Failed: body is too long (maximum is 65536 characters)"
        );
        let gl = r#"{"message":{"note":["is too long (maximum is 1000000 characters)"]}}"#;
        assert!(api_message(gl, None).contains("is too long"));
        let secret = Secret::new("tok_12345");
        assert_eq!(api_message(r#"{"message":"bad token tok_12345"}"#, Some(&secret)), "bad token ***");
    }
}
