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

use std::io::Write;

use serde_json::{Value, json};

use super::common::{Standing, WaiverState, hash128, rule_id, standing, waivers_to_report};
use super::context::RenderContext;
use super::text::{clip, multi_line, one_line, scrub_json};
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
    // Each issue is scrubbed and serialized as it is made, rather than as one tree of values
    // for the whole report.
    out.write_all(b"[")?;
    let mut first = true;
    let mut push = |mut issue: Value| -> std::io::Result<()> {
        scrub_json(&mut issue);
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        serde_json::to_writer(&mut *out, &issue).map_err(std::io::Error::from)
    };
    for want in [Standing::Blocking, Standing::Warning] {
        for f in v.findings.iter().filter(|f| standing(v, f) == want) {
            push(finding_issue(f, want, cx))?;
        }
    }
    for (e, state) in waivers_to_report(v).into_iter().filter(|(_, s)| s.is_warning()) {
        push(waiver_issue(e, state, cx))?;
    }
    out.write_all(b"]\n")
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
        "vulnerabilities" | "misconfigurations" => "Security",
        _ => "Bug Risk",
    }
}

fn finding_issue(f: &Finding, standing: Standing, cx: &RenderContext) -> Value {
    let blocking = match standing {
        Standing::Blocking => true,
        Standing::Warning | Standing::Accepted => false,
    };
    let place = cx.place(f);
    // GitLab reads only the required fields; the body stays short (how to fix) because a
    // report can hold tens of thousands of issues.
    let body = f
        .policy
        .remediation
        .as_deref()
        .map_or_else(String::new, |fix| format!("How to fix: {}", multi_line(fix.trim())));
    json!({
        "type": "issue",
        "check_name": rule_id(f),
        "description": clip(&one_line(&f.policy.msg), MAX_DESCRIPTION),
        "content": { "body": clip(&body, MAX_BODY) },
        "categories": [category(&f.step)],
        "fingerprint": hash128(&["verdict/codequality/v1", &rule_id(f), &f.policy.fingerprint]),
        "severity": severity(f.policy.severity, blocking),
        "location": { "path": place.path, "lines": { "begin": place.line.unwrap_or(1) } },
    })
}

fn waiver_issue(e: &LedgerEntry, state: WaiverState, cx: &RenderContext) -> Value {
    let place = cx.origin_place(&e.origin);
    json!({
        "type": "issue",
        "check_name": state.rule_id(),
        "description": clip(&state.message(e), MAX_DESCRIPTION),
        "content": { "body": clip(&format!("Reason: {}", one_line(&e.reason)), MAX_BODY) },
        "categories": ["Bug Risk"],
        "fingerprint": hash128(&["verdict/codequality/v1", state.rule_id(), &e.matches]),
        "severity": "minor",
        "location": { "path": place.path, "lines": { "begin": place.line.unwrap_or(1) } },
    })
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
