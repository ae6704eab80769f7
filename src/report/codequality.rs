//! GitLab Code Quality JSON (`artifacts:reports:codequality`): the merge request widget and the
//! diff show each open finding, and GitLab compares them with the target branch's by
//! fingerprint.
//!
//! One issue per open finding (blocking or warning) and per waiver that expired or matches
//! nothing; waived and excepted findings are accepted, so they are not issues (GitLab has no
//! "suppressed"). Each has the fields GitLab requires (`description`, `check_name`,
//! `fingerprint`, `severity`, `location.path`, `location.lines.begin`) and CodeClimate's `type`,
//! `categories` and `content`.
//!
//! - `fingerprint`: 32 lower-case hex characters (128 bits of SHA-256, the format of verdict's
//!   own fingerprints and of CodeClimate's MD5s) over the rule id and the finding's
//!   fingerprint: stable between runs, since the finding's fingerprint is (waivers rely on it),
//!   and distinct when two rules report the same record.
//! - `severity`: Trivy's mapping (CRITICAL → critical, HIGH → major, MEDIUM → minor, LOW and
//!   INFO → info), one step higher for a finding that blocks the gate (CRITICAL → blocker, …,
//!   LOW → minor); without a severity, blocking → major, warning → minor.
//! - `location.path`: GitLab requires one, relative to the repository. A finding without a file
//!   (a vulnerable package of an image, a failed test, a license) is placed on the context's
//!   anchor, the gate's `verdict.yaml`, line 1: that is where the waiver that would accept it
//!   goes, and it keeps the issue in the widget instead of pointing at a file that does not
//!   exist. A waiver issue is placed at the waiver's own line.
//!
//! Pure: a verdict and a context in, JSON out.

use std::io::{BufWriter, Write};

use serde::Serialize;

use super::common::{Place, Standing, WaiverState, hash128, rule_id, standing, waivers_to_report};
use super::context::RenderContext;
use super::text::{clip, multi_line, one_line, scrub};
use crate::evidence::Severity;
use crate::verdict::{Finding, LedgerEntry, Verdict};

/// Longest description, in characters (GitLab shows it on one line).
const MAX_DESCRIPTION: usize = 1_000;
/// Longest body, in characters.
const MAX_BODY: usize = 1_000;

/// Renders the verdict as a GitLab Code Quality report (a JSON array).
pub fn render(v: &Verdict, cx: &RenderContext) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = write(v, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`], written to `out` as it is made.
pub fn write(v: &Verdict, cx: &RenderContext, out: &mut dyn Write) -> std::io::Result<()> {
    // Each issue is serialized as it is made, rather than as one tree of values for the whole
    // report, through a concrete buffer (see `report::to_json_writer`).
    let mut out = BufWriter::with_capacity(super::WRITE_BUFFER, out);
    out.write_all(b"[")?;
    let mut first = true;
    let mut push = |issue: Issue| -> std::io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        serde_json::to_writer(&mut out, &issue).map_err(std::io::Error::from)
    };
    for want in [Standing::Blocking, Standing::Warning] {
        for f in v.findings.iter().filter(|f| standing(v, f) == want) {
            push(finding_issue(f, want, cx))?;
        }
    }
    for (e, state) in waivers_to_report(v).into_iter().filter(|(_, s)| s.is_warning()) {
        push(waiver_issue(e, state, cx))?;
    }
    out.write_all(b"]\n")?;
    out.flush()
}

/// One issue. Its fields are declared in the order of their names, the order in which the
/// report has always written them; every text is scrubbed ([`scrub`]) as it is set.
#[derive(Serialize)]
struct Issue {
    categories: [&'static str; 1],
    check_name: String,
    content: Body,
    description: String,
    fingerprint: String,
    location: Location,
    severity: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Body {
    body: String,
}

#[derive(Serialize)]
struct Location {
    lines: Lines,
    path: String,
}

#[derive(Serialize)]
struct Lines {
    begin: u64,
}

impl Issue {
    fn new(
        check_name: String,
        description: String,
        body: String,
        category: &'static str,
        fingerprint: String,
        severity: &'static str,
        place: Place,
    ) -> Issue {
        Issue {
            categories: [category],
            check_name: scrub(check_name),
            content: Body { body: scrub(clip(body, MAX_BODY)) },
            description: scrub(clip(description, MAX_DESCRIPTION)),
            fingerprint: scrub(fingerprint),
            location: Location { lines: Lines { begin: place.line.unwrap_or(1) }, path: scrub(place.path) },
            severity,
            kind: "issue",
        }
    }
}

/// The Code Quality severity of a finding.
pub(crate) fn severity(s: Option<Severity>, blocking: bool) -> &'static str {
    match (s, blocking) {
        (Some(Severity::Critical), true) => "blocker",
        (Some(Severity::Critical), false) | (Some(Severity::High), true) => "critical",
        (Some(Severity::High), false) | (Some(Severity::Medium), true) => "major",
        (Some(Severity::Medium), false) | (Some(Severity::Low | Severity::Info), true) => "minor",
        (Some(Severity::Low | Severity::Info), false) => "info",
        (Some(Severity::Unknown) | None, true) => "major",
        (Some(Severity::Unknown) | None, false) => "minor",
    }
}

/// CodeClimate's category for a step.
fn category(step: &str) -> &'static str {
    match step {
        "vulnerabilities" | "misconfigurations" | "secrets" => "Security",
        _ => "Bug Risk",
    }
}

fn finding_issue(f: &Finding, standing: Standing, cx: &RenderContext) -> Issue {
    let blocking = match standing {
        Standing::Blocking => true,
        Standing::Warning | Standing::Accepted => false,
    };
    // GitLab reads only the required fields; the body stays short (how to fix) because a
    // report can hold tens of thousands of issues.
    let body = f
        .policy
        .remediation
        .as_deref()
        .map_or_else(String::new, |fix| format!("How to fix: {}", multi_line(fix.trim())));
    let rule = rule_id(f);
    let fingerprint = hash128(&["verdict/codequality/v1", &rule, &f.policy.fingerprint]);
    Issue::new(
        rule,
        one_line(&f.policy.msg),
        body,
        category(&f.step),
        fingerprint,
        severity(f.policy.severity, blocking),
        cx.place(f),
    )
}

fn waiver_issue(e: &LedgerEntry, state: WaiverState, cx: &RenderContext) -> Issue {
    Issue::new(
        state.rule_id().to_owned(),
        state.message(e),
        format!("Reason: {}", one_line(&e.reason)),
        "Bug Risk",
        hash128(&["verdict/codequality/v1", state.rule_id(), &e.matches]),
        "minor",
        cx.origin_place(&e.origin),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trivy's mapping, one step up for what blocks the gate.
    #[test]
    fn severities() {
        let table = [
            (Some(Severity::Critical), "blocker", "critical"),
            (Some(Severity::High), "critical", "major"),
            (Some(Severity::Medium), "major", "minor"),
            (Some(Severity::Low), "minor", "info"),
            (Some(Severity::Info), "minor", "info"),
            (Some(Severity::Unknown), "major", "minor"),
            (None, "major", "minor"),
        ];
        for (s, blocking, warning) in table {
            assert_eq!(severity(s, true), blocking, "{s:?}");
            assert_eq!(severity(s, false), warning, "{s:?}");
        }
    }
}
