//! GitHub: the sticky PR comment, the check run, the commit status, the job summary and the step
//! outputs, through octocrab (raw requests: `retry.rs` needs every status and header).
//!
//! Owns: the REST paths and bodies (as in GitHub's OpenAPI description), what 403 means on a fork
//! PR (degrade, not fail), check-run annotation batches, and the note added to the job summary
//! when publishing failed or degraded.
//! Takes a [`GitHubContext`], [`Settings`] and a [`Publication`]; returns a [`PublishReport`].

use std::path::PathBuf;

use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::context::{GitHubContext, GitHubFiles};
use super::http::{ApiRequest, ApiResponse, GitHubHttp, Transport as _, expect};
use super::retry::Retrier;
use super::sticky::{self, Author, Note, NoteApi, Sticky};
use super::{
    ANNOTATIONS_PER_REQUEST, Action, Annotation, CHECK_RUN_SUMMARY_LIMIT, CheckRun, GITHUB_COMMENT_LIMIT,
    JOB_SUMMARY_LIMIT, Publication, PublishError, PublishReport, Settings, files,
};
use crate::verdict::Outcome;

/// Pages of 100 comments read at most (10,000 comments).
const MAX_PAGES: u32 = 100;
/// Room left in the job summary for the note about publishing.
const NOTE_ROOM: usize = 4 * 1024;

const COMMENT_HINT: &str = "the token needs `pull-requests: write` (workflow `permissions:`)";
const CHECKS_HINT: &str = "the token needs `checks: write` (workflow `permissions:`)";
const STATUS_HINT: &str = "the token needs `statuses: write` (workflow `permissions:`)";
/// Said after why the token is read-only.
const INSTEAD: &str = "the verdict is in the job summary and the annotations instead";

/// Publishes everything the publication asks for.
pub(crate) async fn publish(ctx: &GitHubContext, settings: &Settings, p: &Publication<'_>) -> PublishReport {
    let mut report = PublishReport::to("github");
    // The job summary first: it is the fallback for everything else, so it must not wait on an API.
    job_summary(ctx.step_summary.as_ref(), p, &mut report);
    let wants_api = (ctx.pull_request.is_some() && p.comment_mode != super::CommentMode::Off)
        || p.check_run.is_some()
        || p.commit_status;
    let (api, mut no_api) = match wants_api.then(|| Api::connect(ctx, settings)) {
        Some(Ok(api)) => (Some(api), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let mut read_only = false;
    // Set when another job of this run published a worse verdict for this gate: it stays on
    // the comment, the check run and the status.
    let mut kept = None;

    // The sticky comment.
    let comment = match (ctx.pull_request, &api) {
        _ if p.comment_mode == super::CommentMode::Off => {
            Action::Skipped { reason: "--comment-mode off".into() }
        }
        (None, _) => Action::Skipped {
            reason: format!(
                "no pull request for this {} run: {}",
                if ctx.event_name.is_empty() { "GitHub" } else { ctx.event_name.as_str() },
                // Said only when it holds: a summary that could not be written holds nothing.
                if matches!(report.action("job summary"), Some(Action::Failed(_))) {
                    "the verdict is in the job's log and the report files only"
                } else {
                    "the verdict is in the job summary only"
                }
            ),
        },
        (Some(_), None) => unavailable(&mut no_api),
        (Some(pr), Some(api)) => {
            let comments = Comments { api, pr };
            let sticky = Sticky {
                marker: p.marker,
                mode: p.comment_mode,
                failing: p.fails_gate,
                render: p.comment,
                limit: GITHUB_COMMENT_LIMIT,
                authors: sticky::Authors::from_config(p.comment_author),
                // The run's link names its attempt: a re-run is another attempt, not a sibling.
                this_run: ctx
                    .run_url
                    .as_deref()
                    .filter(|u| u.contains("/attempts/"))
                    .map(|u| format!("[CI run]({u})")),
            };
            match sticky::publish(&comments, &sticky).await {
                Ok(done) => {
                    report.removed_duplicates += done.removed;
                    report.notes.extend(done.author_hint);
                    match done.sibling {
                        Some(sticky::Sibling::Kept(why)) => kept = Some(why),
                        Some(sticky::Sibling::Replaced(why)) => report.notes.push(format!("warning: {why}")),
                        None => {}
                    }
                    done.action
                }
                Err(e) => degrade_or_fail(ctx, e, &mut read_only),
            }
        }
    };
    report.push("comment", comment);

    // The check run and the commit status, when asked for.
    if let Some(spec) = &p.check_run {
        let action = match ready(ctx, api.as_ref(), &mut no_api, read_only) {
            Err(action) => action,
            Ok(_) if kept.is_some() => Action::Skipped { reason: kept.clone().unwrap_or_default() },
            Ok((api, sha)) => api
                .check_run(ctx, p, spec, sha)
                .await
                .unwrap_or_else(|e| degrade_or_fail(ctx, e, &mut read_only)),
        };
        report.push("check run", action);
    }
    if p.commit_status {
        let action = match ready(ctx, api.as_ref(), &mut no_api, read_only) {
            Err(action) => action,
            Ok(_) if kept.is_some() => Action::Skipped { reason: kept.clone().unwrap_or_default() },
            Ok((api, sha)) => api
                .commit_status(ctx, p, sha)
                .await
                .unwrap_or_else(|e| degrade_or_fail(ctx, e, &mut read_only)),
        };
        report.push("commit status", action);
    }

    outputs_and_note(ctx.step_summary.as_ref(), ctx.output.as_ref(), p, &mut report);
    report
}

/// Publishes what needs no context: the job summary and the step outputs, with why nothing else
/// was (the context could not be read) as a failed surface, in the log and the summary's note.
pub(crate) fn publish_files(files: &GitHubFiles, p: &Publication<'_>) -> PublishReport {
    let mut report = PublishReport::to("github");
    job_summary(files.step_summary.as_ref(), p, &mut report);
    let problem = PublishError::Context { system: "GitHub", problem: files.problem.clone() };
    report.push("comment, check run and status", Action::Failed(problem));
    outputs_and_note(files.step_summary.as_ref(), files.output.as_ref(), p, &mut report);
    report
}

/// `--publish none` in GitHub Actions: only the step outputs, the action's interface.
pub(crate) fn step_outputs(path: &std::path::Path, p: &Publication<'_>) -> PublishReport {
    let mut report = PublishReport::to("none");
    report.notes.push("--publish none: nothing published; the step outputs are written".into());
    outputs_and_note(None, Some(&path.to_path_buf()), p, &mut report);
    report
}

/// Appends the job summary, when the publication has one.
fn job_summary(path: Option<&PathBuf>, p: &Publication<'_>, report: &mut PublishReport) {
    if let Some(render) = p.job_summary {
        let action = match path {
            Some(path) => match files::append_summary(path, &summary_within(render)) {
                Ok(()) => Action::Written { path: path.clone() },
                Err(e) => Action::Failed(e),
            },
            None => Action::Skipped { reason: "GITHUB_STEP_SUMMARY is not set".into() },
        };
        report.push("job summary", action);
    }
}

/// Step outputs, then a note in the job summary if anything went wrong.
fn outputs_and_note(
    step_summary: Option<&PathBuf>,
    output: Option<&PathBuf>,
    p: &Publication<'_>,
    report: &mut PublishReport,
) {
    if let Some(path) = output {
        let action = match files::write_outputs(path, &outputs(p, report)) {
            Ok(()) => Action::Written { path: path.clone() },
            Err(e) => Action::Failed(e),
        };
        report.push("step outputs", action);
    }
    if let (Some(path), Some(note)) = (step_summary, summary_note(report))
        && let Err(e) = files::append_summary(path, &note)
    {
        report.push("job summary note", Action::Failed(e));
    }
}

/// Without a client, the first surface that needed one reports why; the others say so.
fn unavailable(no_api: &mut Option<PublishError>) -> Action {
    match no_api.take() {
        Some(e) => Action::Failed(e),
        None => Action::Skipped { reason: "no GitHub client (see the error above)".into() },
    }
}

/// The client and the head commit for a check run or status, or what to report instead.
fn ready<'c>(
    ctx: &'c GitHubContext,
    api: Option<&'c Api<'c>>,
    no_api: &mut Option<PublishError>,
    read_only: bool,
) -> Result<(&'c Api<'c>, &'c str), Action> {
    if read_only {
        let why = ctx.read_only_token().unwrap_or("the token is read-only");
        return Err(Action::Degraded { reason: format!("{why}: {INSTEAD}") });
    }
    let api = api.ok_or_else(|| unavailable(no_api))?;
    let sha = ctx.head_sha.as_deref().ok_or_else(|| Action::Skipped {
        reason: if ctx.event_name == "issue_comment" {
            "an issue_comment run names no commit of the pull request (its GITHUB_SHA is the default branch's): run verdict on pull_request for a check run or status".into()
        } else {
            "no head commit (GITHUB_SHA is not set)".into()
        },
    })?;
    Ok((api, sha))
}

/// A 403 where the token is read-only by design (a fork's or Dependabot's PR) degrades; anything
/// else fails.
fn degrade_or_fail(ctx: &GitHubContext, e: PublishError, read_only: &mut bool) -> Action {
    match ctx.read_only_token() {
        Some(why) if matches!(e, PublishError::Forbidden { .. }) => {
            *read_only = true;
            Action::Degraded { reason: format!("{why}: {INSTEAD}") }
        }
        _ => Action::Failed(e),
    }
}

/// The job summary within GitHub's 1 MiB (bytes), leaving room for the note about publishing.
fn summary_within(render: super::Render<'_>) -> String {
    let limit = JOB_SUMMARY_LIMIT - NOTE_ROOM;
    let mut budget = limit;
    for _ in 0..3 {
        let text = render(budget);
        if text.len() <= limit {
            return text;
        }
        // The budget is in characters; multi-byte text needs a smaller one.
        budget = budget.saturating_mul(limit) / text.len().max(1) * 9 / 10;
    }
    let text = render(budget);
    let end = (0..=limit.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    text.get(..end).unwrap_or_default().to_string()
}

/// What goes into the job summary after a failed or degraded publish.
fn summary_note(report: &PublishReport) -> Option<String> {
    let problems: Vec<String> = report
        .surfaces
        .iter()
        .filter_map(|s| match &s.action {
            Action::Failed(e) => Some(format!("- {}: {}", s.name, super::chain(e))),
            Action::Degraded { reason } => Some(format!("- {}: {reason}", s.name)),
            _ => None,
        })
        .collect();
    if problems.is_empty() {
        return None;
    }
    let head = if report.failed() {
        "> [!WARNING]\n> verdict could not publish everything. The verdict above and the exit code stand."
    } else {
        "> [!NOTE]\n> verdict published less than usual."
    };
    Some(format!("\n{head}\n\n{}\n", problems.join("\n")))
}

/// The step outputs: the outcome, counts, comment link, publish state and report paths.
fn outputs(p: &Publication<'_>, report: &PublishReport) -> Vec<(String, String)> {
    let c = p.counts;
    // A run that could not judge has no counts to give, as its commit status says: a later
    // step reading `failures == '0'` must not take it for a pass. The counts are empty.
    let judged = p.outcome != crate::verdict::Outcome::Error;
    let count = |n: usize| if judged { n.to_string() } else { String::new() };
    let mut out = vec![
        ("outcome".to_string(), p.outcome.word().to_ascii_lowercase()),
        ("failures".to_string(), count(c.fail)),
        ("warnings".to_string(), count(c.warn)),
        ("waived".to_string(), count(c.waived)),
        ("excepted".to_string(), count(c.excepted)),
        ("waivers-attention".to_string(), count(p.stale_waivers)),
        (
            "counts".to_string(),
            if judged { serde_json::to_string(&c).unwrap_or_default() } else { String::new() },
        ),
    ];
    if let Some(
        Action::Created { url: Some(url), .. }
        | Action::Updated { url: Some(url), .. }
        | Action::Unchanged { url: Some(url), .. },
    ) = report.action("comment")
    {
        out.push(("comment-url".to_string(), url.clone()));
    }
    let state = if report.destination == "none" {
        "none"
    } else if report.failed() {
        "failed"
    } else if report.degraded() {
        "degraded"
    } else {
        "ok"
    };
    out.push(("publish".to_string(), state.to_string()));
    for (name, path) in &p.reports {
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
            .collect();
        out.push((format!("report-{name}"), path.display().to_string()));
    }
    out
}

/// The client, the repository and the retry state.
struct Api<'a> {
    http: GitHubHttp,
    retrier: Retrier,
    ctx: &'a GitHubContext,
}

impl<'a> Api<'a> {
    fn connect(ctx: &'a GitHubContext, settings: &Settings) -> Result<Api<'a>, PublishError> {
        let token = ctx.token.as_ref().ok_or(PublishError::NoToken {
            system: "GitHub",
            variable: "GITHUB_TOKEN",
            hint: "give the step `env: GITHUB_TOKEN: ${{ github.token }}`",
        })?;
        let http = GitHubHttp::new(&ctx.api_url, Some(token))?;
        let retrier = Retrier::new(settings.retry.clone(), settings.clock.clone(), settings.jitter_seed);
        Ok(Api { http, retrier, ctx })
    }

    fn repo(&self) -> String {
        let r = &self.ctx.repository;
        format!("/repos/{}/{}", super::http::segment(&r.owner), super::http::segment(&r.name))
    }

    async fn call(
        &self,
        op: &'static str,
        method: Method,
        path: String,
        body: Option<&Value>,
    ) -> Result<ApiResponse, PublishError> {
        self.retrier.send(&self.http, &ApiRequest::new(op, method, path, body)).await
    }

    /// Creates a completed check run with the first 50 annotations, then adds the rest 50 at a
    /// time. A summary found too long is shortened and the run created again (at most twice).
    async fn check_run(
        &self,
        ctx: &GitHubContext,
        p: &Publication<'_>,
        spec: &CheckRun<'_>,
        sha: &str,
    ) -> Result<Action, PublishError> {
        let mut batches = spec.annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let first: Vec<Value> = batches.next().unwrap_or_default().iter().map(annotation).collect();
        let mut budget = CHECK_RUN_SUMMARY_LIMIT;
        let mut shrinks = 0;
        let completed_at = jiff::Timestamp::try_from(self.retrier.now_utc())
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        let (created, summary) = loop {
            // GitHub counts the summary's limit in bytes.
            let summary = sticky::cut_bytes(sticky::cut((spec.summary)(budget), budget), budget);
            let mut body = json!({
                "name": spec.name,
                "head_sha": sha,
                "status": "completed",
                "conclusion": conclusion(p),
                "completed_at": completed_at,
                "external_id": p.gate_key,
                "output": {"title": spec.title, "summary": summary, "annotations": first},
            });
            if let (Some(url), Some(obj)) = (&ctx.run_url, body.as_object_mut()) {
                obj.insert("details_url".into(), json!(url));
            }
            let path = format!("{}/check-runs", self.repo());
            // Repeating a create after an unknown fate is harmless: GitHub shows the latest run of
            // a name on a commit. So this POST is retried like an idempotent request.
            let mut req = ApiRequest::new("create check run", Method::POST, path, Some(&body));
            req.idempotent = true;
            let sent = summary.len();
            let response = self.retrier.send(&self.http, &req).await?;
            match expect("create check run", response, &[201], self.http.secret(), CHECKS_HINT, sent) {
                Ok(r) => break (r, summary),
                Err(PublishError::TooLong { max, .. }) if shrinks < 2 => {
                    shrinks += 1;
                    budget = sticky::shrink(budget, max);
                }
                Err(e) => return Err(e),
            }
        };
        let run: Created = decode("create check run", &created.body)?;
        for batch in batches {
            let body = json!({"output": {
                "title": spec.title,
                "summary": summary,
                "annotations": batch.iter().map(annotation).collect::<Vec<_>>(),
            }});
            let path = format!("{}/check-runs/{}", self.repo(), run.id);
            let response = self.call("add check run annotations", Method::PATCH, path, Some(&body)).await?;
            expect("add check run annotations", response, &[200], self.http.secret(), CHECKS_HINT, 0)?;
        }
        Ok(Action::Created { id: run.id, url: run.html_url })
    }

    /// Sets the commit status `verdict` (or `verdict/KEY`).
    async fn commit_status(
        &self,
        ctx: &GitHubContext,
        p: &Publication<'_>,
        sha: &str,
    ) -> Result<Action, PublishError> {
        let state = match p.outcome {
            Outcome::Error => "error",
            _ if p.fails_gate => "failure",
            _ => "success",
        };
        let c = p.counts;
        // A run that could not judge has no counts to give: "0 failing" would read as a pass.
        let summary = match p.outcome {
            Outcome::Error => "ERROR: verdict could not judge; the run's log says what to fix".to_owned(),
            _ => format!("{}: {} failing, {} warning, {} waived", p.outcome.word(), c.fail, c.warn, c.waived),
        };
        let description = super::http::truncate(&summary, 139);
        let mut body =
            json!({"state": state, "description": description, "context": status_context(p.gate_key)});
        if let (Some(url), Some(obj)) = (&ctx.run_url, body.as_object_mut()) {
            obj.insert("target_url".into(), json!(url));
        }
        let path = format!("{}/statuses/{}", self.repo(), super::http::segment(sha));
        // A status is a "latest wins" value per context: setting it twice is harmless.
        let mut req = ApiRequest::new("set commit status", Method::POST, path, Some(&body));
        req.idempotent = true;
        let response = self.retrier.send(&self.http, &req).await?;
        let response = expect("set commit status", response, &[201], self.http.secret(), STATUS_HINT, 0)?;
        let status: Created = decode("set commit status", &response.body)?;
        Ok(Action::Created { id: status.id, url: None })
    }
}

/// `verdict` for the default gate, `verdict/KEY` for the others.
fn status_context(gate_key: &str) -> String {
    if gate_key.is_empty() || gate_key == "default" {
        "verdict".into()
    } else {
        format!("verdict/{gate_key}")
    }
}

/// The check run's conclusion: success, neutral for a warning that does not fail the gate, else
/// failure.
fn conclusion(p: &Publication<'_>) -> &'static str {
    match p.outcome {
        _ if p.fails_gate => "failure",
        Outcome::Pass => "success",
        Outcome::Warn | Outcome::Skipped | Outcome::Fail | Outcome::Error => "neutral",
    }
}

fn annotation(a: &Annotation) -> Value {
    let start = a.start_line.max(1);
    let mut v = json!({
        "path": a.path,
        "start_line": start,
        "end_line": a.end_line.max(start),
        "annotation_level": a.level.as_str(),
        "message": super::http::truncate(&a.message, 60_000),
    });
    if let (Some(title), Some(obj)) = (&a.title, v.as_object_mut()) {
        obj.insert("title".into(), json!(super::http::truncate(title, 250)));
    }
    v
}

/// The fields read from a created object.
#[derive(Deserialize)]
struct Created {
    id: u64,
    #[serde(default)]
    html_url: Option<String>,
}

/// The fields read from an issue comment.
#[derive(Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    created_at: String,
    #[serde(default)]
    html_url: Option<String>,
    /// `null` for a deleted ("ghost") account.
    #[serde(default)]
    user: Option<User>,
}

/// A comment's author.
#[derive(Deserialize)]
struct User {
    login: String,
    #[serde(default, rename = "type")]
    kind: String,
}

impl From<Comment> for Note {
    fn from(c: Comment) -> Note {
        let author = c.user.map(|u| Author { bot: u.kind == "Bot", login: u.login });
        Note { id: c.id, body: c.body.unwrap_or_default(), created_at: c.created_at, url: c.html_url, author }
    }
}

fn decode<T: for<'de> Deserialize<'de>>(op: &'static str, body: &str) -> Result<T, PublishError> {
    serde_json::from_str(body).map_err(|e| PublishError::Decode {
        op: op.to_string(),
        message: super::http::truncate(&e.to_string(), 200),
    })
}

/// One PR's issue comments.
struct Comments<'a> {
    api: &'a Api<'a>,
    pr: u64,
}

impl NoteApi for Comments<'_> {
    async fn list(&self) -> Result<Vec<Note>, PublishError> {
        let mut notes = Vec::new();
        for page in 1..=MAX_PAGES {
            let path = format!("{}/issues/{}/comments?per_page=100&page={page}", self.api.repo(), self.pr);
            let response = self.api.call("list comments", Method::GET, path, None).await?;
            let response =
                expect("list comments", response, &[200], self.api.http.secret(), COMMENT_HINT, 0)?;
            let more =
                response.header("link").is_some_and(|l| l.split(',').any(|p| p.contains("rel=\"next\"")));
            let comments: Vec<Comment> = decode("list comments", &response.body)?;
            notes.extend(comments.into_iter().map(Note::from));
            if !more {
                break;
            }
        }
        Ok(notes)
    }

    async fn create(&self, body: &str) -> Result<Note, PublishError> {
        let path = format!("{}/issues/{}/comments", self.api.repo(), self.pr);
        let json = json!({ "body": body });
        let response = self.api.call("create comment", Method::POST, path, Some(&json)).await?;
        let sent = body.chars().count();
        let response =
            expect("create comment", response, &[201], self.api.http.secret(), COMMENT_HINT, sent)?;
        Ok(decode::<Comment>("create comment", &response.body)?.into())
    }

    async fn update(&self, id: u64, body: &str) -> Result<Note, PublishError> {
        let path = format!("{}/issues/comments/{id}", self.api.repo());
        let json = json!({ "body": body });
        let response = self.api.call("update comment", Method::PATCH, path, Some(&json)).await?;
        let sent = body.chars().count();
        let response =
            expect("update comment", response, &[200], self.api.http.secret(), COMMENT_HINT, sent)?;
        Ok(decode::<Comment>("update comment", &response.body)?.into())
    }

    async fn delete(&self, id: u64) -> Result<(), PublishError> {
        let path = format!("{}/issues/comments/{id}", self.api.repo());
        let response = self.api.call("delete duplicate comment", Method::DELETE, path, None).await?;
        // 404: a concurrent run deleted it first.
        expect("delete duplicate comment", response, &[204, 404], self.api.http.secret(), COMMENT_HINT, 0)?;
        Ok(())
    }

    fn retrier(&self) -> &Retrier {
        &self.api.retrier
    }
}
