//! What several renderers derive from a verdict the same way: rule ids, severities, which
//! findings block the gate, repository paths and where a finding is anchored, and the rules
//! seen in a verdict (the verdict carries findings, not the rule catalog).

use super::context::RenderContext;
use super::text::one_line;
use crate::evidence::Severity;
use crate::policy::Level;
use crate::verdict::{Finding, Status, Verdict};

/// `namespace.rule`: the id of the rule that produced a finding.
pub(crate) fn rule_id(f: &Finding) -> String {
    format!("{}.{}", f.policy.namespace, f.policy.rule)
}

/// The severity as the reports show it (`CRITICAL` … `UNKNOWN`), `None` when absent.
pub(crate) fn severity_word(s: Option<Severity>) -> Option<&'static str> {
    s.map(Severity::as_str)
}

/// Severity buckets in the order reports show them, the last one for findings without one.
pub(crate) const SEVERITY_BUCKETS: usize = 7;

/// The bucket of a severity: 0 for CRITICAL … 5 for UNKNOWN, 6 for none.
pub(crate) fn severity_bucket(s: Option<Severity>) -> usize {
    match s {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        Some(Severity::Info) => 4,
        Some(Severity::Unknown) => 5,
        None => 6,
    }
}

/// The name of a bucket, as in "… and 3 more HIGH".
pub(crate) fn bucket_name(bucket: usize) -> &'static str {
    match bucket {
        0 => "CRITICAL",
        1 => "HIGH",
        2 => "MEDIUM",
        3 => "LOW",
        4 => "INFO",
        5 => "UNKNOWN",
        _ => "without severity",
    }
}

/// Whether warnings fail this verdict's gate (`fail_on: warn`).
pub(crate) fn warnings_block(v: &Verdict) -> bool {
    v.fail_on == "warn"
}

/// How a finding stands in the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Standing {
    /// Open and blocking: a failure, or a warning under `fail_on: warn`.
    Blocking,
    /// Open, reported, not blocking.
    Warning,
    /// Waived or excepted.
    Accepted,
}

/// A finding's standing in this verdict.
pub(crate) fn standing(v: &Verdict, f: &Finding) -> Standing {
    match (f.status, f.level) {
        (Status::Open, Level::Fail) => Standing::Blocking,
        (Status::Open, Level::Warn) if warnings_block(v) => Standing::Blocking,
        (Status::Open, Level::Warn) => Standing::Warning,
        (Status::Waived | Status::Excepted, Level::Fail | Level::Warn) => Standing::Accepted,
    }
}

impl RenderContext {
    /// A finding's file as a path relative to the repository root: backslashes become `/`, the
    /// workspace prefix and leading `./` and `/` are removed (Checkov writes `/infra/s3.tf` for
    /// a file of the scanned folder). `None` for nothing usable: empty, a `..` segment, a drive
    /// letter.
    pub(crate) fn repo_path(&self, raw: &str) -> Option<String> {
        let path = one_line(raw).replace('\\', "/");
        let mut rest = path.as_str();
        if let Some(ws) = self.workspace.as_deref() {
            let ws = ws.replace('\\', "/");
            let ws = ws.trim_end_matches('/');
            if let Some(inside) = rest.strip_prefix(ws).filter(|r| !ws.is_empty() && r.starts_with('/')) {
                rest = inside;
            }
        }
        if rest.get(1..2) == Some(":") {
            return None;
        }
        let mut parts = Vec::new();
        for seg in rest.split('/') {
            match seg {
                "" | "." => {}
                ".." => return None,
                s => parts.push(s),
            }
        }
        if parts.is_empty() { None } else { Some(parts.join("/")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths become repository paths, or nothing.
    #[test]
    fn repo_paths() {
        let mut cx = RenderContext::new("0");
        assert_eq!(cx.repo_path("/infra/s3.tf").as_deref(), Some("infra/s3.tf"));
        assert_eq!(cx.repo_path("./a//b/./c.tf").as_deref(), Some("a/b/c.tf"));
        assert_eq!(cx.repo_path("a\\b.cs").as_deref(), Some("a/b.cs"));
        assert_eq!(cx.repo_path("../etc/passwd"), None);
        assert_eq!(cx.repo_path("C:/x"), None);
        assert_eq!(cx.repo_path(""), None);
        cx.workspace = Some("/home/runner/work/r/r/".into());
        assert_eq!(cx.repo_path("/home/runner/work/r/r/src/a.rs").as_deref(), Some("src/a.rs"));
        assert_eq!(
            cx.repo_path("/home/runner/work/r/rx/a.rs").as_deref(),
            Some("home/runner/work/r/rx/a.rs")
        );
    }
}
