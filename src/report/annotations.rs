//! GitHub annotations: workflow commands (`::error file=…,line=…,title=…::message`) printed in
//! the job's log, and check-run annotations, title and summary for the Checks API.
//!
//! Workflow commands: GitHub shows 10 errors, 10 warnings and 10 notices per workflow step and
//! drops the rest, first come first served. verdict runs as one workflow step, so it prints at
//! most 10 `::error` (blocking findings) and 10 `::warning` (warnings, then expired or unused
//! waivers), chosen so that every verdict step with findings gets one before any gets a second,
//! the most severe first; one `::notice` counts, per verdict step, what was not annotated and
//! points to the full report. Properties and messages are escaped as the runner expects.
//!
//! Check runs: one annotation per open finding and per waiver needing attention (findings
//! without a file anchored to the context's anchor), the most severe first, at most
//! [`budget::CHECK_RUN_MAX_ANNOTATIONS`], in batches of 50 (one request each), each field within
//! the API's limits. The summary is the Markdown report within 65,535 characters.
//!
//! Pure: a verdict and a context in, text and values out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::budget;
use super::common::{Standing, WaiverState, rule_id, severity_word, standing, waivers_to_report};
use super::context::RenderContext;
use super::markdown::{self, Measure, Surface};
use super::text::{
    clip, clip_bytes, multi_line, num, one_line, plural, safe_url, workflow_data, workflow_property,
};
use crate::verdict::{Finding, LedgerEntry, Outcome, Verdict};

/// Longest workflow-command message, in characters (the log line stays readable).
const MAX_COMMAND_MESSAGE: usize = 2_000;
/// Longest title, in characters.
const MAX_TITLE: usize = 200;
/// Longest check-run message, in characters (well within the API's 64 KB).
const MAX_CHECK_MESSAGE: usize = 4_000;
/// Verdict steps named in the notice (more are counted).
const MAX_NOTICE_STEPS: usize = 20;

/// GitHub workflow commands for the verdict: at most 10 errors, 10 warnings and one notice.
pub fn workflow_commands(v: &Verdict, cx: &RenderContext) -> String {
    let mut errors: Vec<Candidate<'_>> = Vec::new();
    let mut warnings: Vec<Candidate<'_>> = Vec::new();
    for f in &v.findings {
        match standing(v, f) {
            Standing::Blocking => errors.push(Candidate::Finding(f)),
            Standing::Warning => warnings.push(Candidate::Finding(f)),
            Standing::Accepted => {}
        }
    }
    warnings.extend(
        waivers_to_report(v)
            .into_iter()
            .filter(|(_, kind)| kind.is_warning())
            .map(|(e, k)| Candidate::Waiver(e, k)),
    );

    let (errors_shown, errors_left) = spread(&errors, budget::GITHUB_STEP_ERRORS);
    let (warnings_shown, warnings_left) = spread(&warnings, budget::GITHUB_STEP_WARNINGS);
    let mut out = String::new();
    for c in &errors_shown {
        out.push_str(&command("error", c, cx));
    }
    for c in &warnings_shown {
        out.push_str(&command("warning", c, cx));
    }
    if !errors_left.is_empty() || !warnings_left.is_empty() {
        out.push_str(&leftover_notice(&errors_left, &warnings_left, cx));
    }
    out
}

/// Something to annotate: a finding, or a waiver that needs attention.
#[derive(Debug, Clone, Copy)]
enum Candidate<'a> {
    Finding(&'a Finding),
    Waiver(&'a LedgerEntry, WaiverState),
}

impl Candidate<'_> {
    /// The verdict step it is counted under.
    fn step(&self) -> &str {
        match self {
            Candidate::Finding(f) => &f.step,
            Candidate::Waiver(..) => "waivers",
        }
    }
}

/// Picks at most `n`: each verdict step's first before any step's second (candidates come
/// most severe first), in their original order. Returns the picked and the rest.
fn spread<'a>(items: &[Candidate<'a>], n: usize) -> (Vec<Candidate<'a>>, Vec<Candidate<'a>>) {
    let mut rank_in_step: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<(usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = rank_in_step.entry(c.step()).or_default();
            *r += 1;
            (*r, i)
        })
        .collect();
    order.sort_unstable();
    let mut chosen: Vec<usize> = order.iter().take(n).map(|(_, i)| *i).collect();
    chosen.sort_unstable();
    let mut shown = Vec::new();
    let mut left = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if chosen.binary_search(&i).is_ok() { shown.push(*c) } else { left.push(*c) }
    }
    (shown, left)
}

/// One workflow command line.
fn command(kind: &str, c: &Candidate<'_>, cx: &RenderContext) -> String {
    let (file, line, title, message) = match c {
        Candidate::Finding(f) => {
            let file = f.policy.file.as_deref().and_then(|p| cx.repo_path(p));
            let line = file.as_ref().and(f.policy.line).filter(|l| *l >= 1);
            (file, line, finding_title(f), finding_message(f, true))
        }
        Candidate::Waiver(e, state) => {
            let place = cx.origin_place(&e.origin);
            let (file, line) = if place.anchored { (None, None) } else { (Some(place.path), place.line) };
            (file, line, format!("verdict · {}", state.title()), state.message(e))
        }
    };
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", workflow_property(&file)));
        if let Some(l) = line {
            props.push(format!("line={l}"));
        }
    }
    props.push(format!("title={}", workflow_property(&clip(one_line(&title), MAX_TITLE))));
    format!("::{kind} {}::{}\n", props.join(","), workflow_data(&clip(message, MAX_COMMAND_MESSAGE)))
}

/// `verdict · vulnerabilities: No fixable vulnerability of a blocking severity`
fn finding_title(f: &Finding) -> String {
    let rule = f.policy.title.clone().unwrap_or_else(|| rule_id(f));
    format!("verdict · {}: {}", one_line(&f.step), one_line(&rule))
}

/// The severity (unless the title or the message says it), the message and how to fix it.
fn finding_message(f: &Finding, severity: bool) -> String {
    let mut s = String::new();
    if let Some(w) = severity_word(f.policy.severity).filter(|w| severity && !f.policy.msg.contains(w)) {
        let _ = write!(s, "[{w}] ");
    }
    s.push_str(&multi_line(f.policy.msg.trim()));
    if let Some(fix) = f.policy.remediation.as_deref() {
        let _ = write!(s, "\nFix: {}", multi_line(fix.trim()));
    }
    s
}

/// The notice that counts what was not annotated, per verdict step.
fn leftover_notice(errors: &[Candidate<'_>], warnings: &[Candidate<'_>], cx: &RenderContext) -> String {
    let mut per_step: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in errors {
        per_step.entry(c.step()).or_default().0 += 1;
    }
    for c in warnings {
        per_step.entry(c.step()).or_default().1 += 1;
    }
    let mut parts: Vec<String> = per_step
        .iter()
        .take(MAX_NOTICE_STEPS)
        .map(|(step, (e, w))| {
            let mut what = Vec::new();
            if *e > 0 {
                what.push(plural(*e, "error", "errors"));
            }
            if *w > 0 {
                what.push(plural(*w, "warning", "warnings"));
            }
            format!("{} {}", one_line(step), what.join(" and "))
        })
        .collect();
    if per_step.len() > MAX_NOTICE_STEPS {
        parts.push(format!("and {} more", plural(per_step.len() - MAX_NOTICE_STEPS, "step", "steps")));
    }
    let message = format!(
        "{} and {} are not annotated here (GitHub shows {} of each per step): {}. {}",
        plural(errors.len(), "more error", "more errors"),
        plural(warnings.len(), "more warning", "more warnings"),
        budget::GITHUB_STEP_ERRORS,
        parts.join("; "),
        full_report(cx)
    );
    format!("::notice title={}::{}\n", workflow_property("verdict · not annotated"), workflow_data(&message))
}

/// Where every finding is, in a sentence.
fn full_report(cx: &RenderContext) -> String {
    let link = cx
        .reports
        .iter()
        .map(|r| r.url.as_str())
        .chain(cx.run_url.as_deref())
        .find(|u| safe_url(u).is_some());
    match link {
        Some(url) => format!("All of them are in the full report: {}", one_line(url)),
        None => "All of them: `verdict run --format json`".to_owned(),
    }
}

/// A check-run annotation, as `POST /repos/{owner}/{repo}/check-runs` takes it in
/// `output.annotations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRunAnnotation {
    /// The file, relative to the repository root.
    pub path: String,
    /// First line (1-based).
    pub start_line: u64,
    /// Last line.
    pub end_line: u64,
    /// `failure`, `warning` or `notice`.
    pub annotation_level: AnnotationLevel,
    /// At most 255 characters.
    pub title: String,
    /// At most 64 KB.
    pub message: String,
    /// At most 64 KB: the rule, the fingerprint, the package, the link, the waiver snippet.
    pub raw_details: String,
}

/// How an annotation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    /// A note.
    Notice,
    /// Does not block.
    Warning,
    /// Blocks the gate.
    Failure,
}

/// The check-run annotations in batches of at most 50, one request each: blocking findings,
/// warnings, then waivers that need attention, at most
/// [`budget::CHECK_RUN_MAX_ANNOTATIONS`] in all.
pub fn check_run_batches(v: &Verdict, cx: &RenderContext) -> Vec<Vec<CheckRunAnnotation>> {
    let all = check_run_annotations(v, cx);
    all.chunks(budget::GITHUB_CHECK_RUN_ANNOTATIONS_PER_REQUEST).map(<[CheckRunAnnotation]>::to_vec).collect()
}

/// Every annotation wanted, before the cap; the count the summary reports.
fn annotation_candidates(v: &Verdict) -> Vec<(Candidate<'_>, AnnotationLevel)> {
    let mut out: Vec<(Candidate<'_>, AnnotationLevel)> = Vec::new();
    for want in [Standing::Blocking, Standing::Warning] {
        for f in v.findings.iter().filter(|f| standing(v, f) == want) {
            let level = match want {
                Standing::Blocking => AnnotationLevel::Failure,
                Standing::Warning | Standing::Accepted => AnnotationLevel::Warning,
            };
            out.push((Candidate::Finding(f), level));
        }
    }
    for (e, state) in waivers_to_report(v) {
        let level = if state.is_warning() { AnnotationLevel::Warning } else { AnnotationLevel::Notice };
        out.push((Candidate::Waiver(e, state), level));
    }
    out
}

fn check_run_annotations(v: &Verdict, cx: &RenderContext) -> Vec<CheckRunAnnotation> {
    annotation_candidates(v)
        .into_iter()
        .take(budget::CHECK_RUN_MAX_ANNOTATIONS)
        .map(|(c, level)| annotation(c, level, cx))
        .collect()
}

fn annotation(c: Candidate<'_>, level: AnnotationLevel, cx: &RenderContext) -> CheckRunAnnotation {
    let (path, line, title, message, details) = match c {
        Candidate::Finding(f) => {
            let place = cx.place(f);
            let mut title = String::new();
            if let Some(w) = severity_word(f.policy.severity) {
                let _ = write!(title, "{w} · ");
            }
            title.push_str(&finding_title(f));
            let mut message = finding_message(f, false);
            if place.anchored {
                message.push_str("\n(This finding names no file; it is shown on the gate's configuration.)");
            }
            (place.path, place.line, title, message, raw_details(f))
        }
        Candidate::Waiver(e, state) => {
            let place = cx.origin_place(&e.origin);
            let details = format!("matches: {}\nreason: {}\norigin: {}", e.matches, e.reason, e.origin);
            (
                place.path,
                place.line,
                format!("verdict · {}", state.title()),
                state.message(e),
                multi_line(&details),
            )
        }
    };
    let line = line.unwrap_or(1);
    CheckRunAnnotation {
        path,
        start_line: line,
        end_line: line,
        annotation_level: level,
        title: clip(one_line(&title), budget::GITHUB_ANNOTATION_TITLE_CHARS),
        message: clip_bytes(&clip(message, MAX_CHECK_MESSAGE), budget::GITHUB_ANNOTATION_MESSAGE_BYTES),
        raw_details: clip_bytes(&details, budget::GITHUB_ANNOTATION_RAW_DETAILS_BYTES),
    }
}

/// What a reviewer needs to act on the finding without the full report.
fn raw_details(f: &Finding) -> String {
    let mut s =
        format!("rule: {} ({})\nfingerprint: {}\n", rule_id(f), f.policy.policy, f.policy.fingerprint);
    if let Some(id) = f.policy.id.as_deref() {
        let _ = writeln!(s, "id: {id}");
    }
    if let Some(purl) = f.policy.purl.as_deref() {
        let _ = writeln!(s, "package: {purl}");
    }
    if let Some(url) = f.policy.url.as_deref() {
        let _ = writeln!(s, "more: {url}");
    }
    if let Some(why) = f.policy.description.as_deref() {
        let _ = writeln!(s, "why: {why}");
    }
    let _ =
        write!(s, "\nTo accept it instead, add under `waivers:` in verdict.yaml:\n{}\n", f.waiver_snippet);
    multi_line(&s)
}

/// What a run that could not judge says in a title: a verdict with problems, or a run that
/// stopped before its verdict (`markdown::stopped`).
pub fn error_title(problems: usize) -> String {
    format!("ERROR — could not judge ({})", plural(problems, "problem", "problems"))
}

/// The check run's title: the outcome and the counts.
pub fn check_run_title(v: &Verdict) -> String {
    let blocking = v.findings.iter().filter(|f| standing(v, f) == Standing::Blocking).count();
    let warnings = v.findings.iter().filter(|f| standing(v, f) == Standing::Warning).count();
    // With nothing to fix, what the gate warns of (or fails on, with `fail_on: warn`) is said
    // as the comment's headline says it, waivers that need attention included.
    let counts = if blocking == 0 && super::common::stale_waivers(v) > 0 {
        format!("0 to fix · {}", super::common::attention(v))
    } else {
        format!("{} to fix · {}", num(blocking), plural(warnings, "warning", "warnings"))
    };
    match v.outcome {
        Outcome::Error => error_title(v.problems.len()),
        Outcome::Fail => format!("FAIL — {counts}"),
        Outcome::Warn => format!("WARN — {counts}"),
        Outcome::Pass | Outcome::Skipped => "PASS — nothing to fix".to_owned(),
    }
}

/// The check run's summary: the Markdown report within 65,535 characters, saying how many
/// findings were annotated when not all of them were.
pub fn check_run_summary(v: &Verdict, cx: &RenderContext) -> String {
    let wanted = annotation_candidates(v).len();
    let note = (wanted > budget::CHECK_RUN_MAX_ANNOTATIONS).then(|| {
        format!(
            "**Annotations:** the {} most severe of {} are on the files; the full report has the rest.",
            num(budget::CHECK_RUN_MAX_ANNOTATIONS),
            num(wanted)
        )
    });
    markdown::render(
        v,
        cx,
        Surface::CheckRun,
        Measure::Chars,
        budget::GITHUB_CHECK_RUN_SUMMARY_CHARS,
        note.as_deref(),
    )
}
