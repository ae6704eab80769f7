//! What several renderers derive from a verdict the same way: rule ids, severities, which
//! findings block the gate, repository paths and where a finding is anchored, and the rules
//! seen in a verdict (the verdict carries findings, not the rule catalog).

use std::collections::BTreeMap;

use super::context::RenderContext;
use super::text::one_line;
use crate::evidence::Severity;
use crate::policy::Level;
use crate::verdict::{Finding, LedgerEntry, Status, Verdict};

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

/// What makes a verdict that blocks nothing a warning, as every surface's headline says it:
/// "2 warnings", "1 waiver needs attention" (expired, or matching nothing), or both.
pub(crate) fn attention(v: &Verdict) -> String {
    let ledger = stale_waivers(v);
    let mut parts = Vec::new();
    if v.counts.warn > 0 || ledger == 0 {
        parts.push(super::text::plural(v.counts.warn, "warning", "warnings"));
    }
    if ledger > 0 {
        parts.push(super::text::plural(ledger, "waiver needs attention", "waivers need attention"));
    }
    parts.join(" · ")
}

/// The waivers that warn: expired, or matching nothing.
pub(crate) fn stale_waivers(v: &Verdict) -> usize {
    v.waivers.expired.len() + v.waivers.unused.len()
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
    /// `infra/s3.tf`). `None` for nothing usable: empty, a `..` segment, a drive
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

    /// Where a finding sits on a surface that requires a path: its file and line when known,
    /// else the anchor (line 1).
    pub(crate) fn place(&self, f: &Finding) -> Place {
        match f.policy.file.as_deref().and_then(|p| self.repo_path(p)) {
            Some(path) => Place { path, line: f.policy.line.filter(|l| *l >= 1), anchored: false },
            None => self.anchor_place(),
        }
    }

    /// The anchor (line 1): where what names no usable file is shown.
    fn anchor_place(&self) -> Place {
        Place {
            path: self.repo_path(&self.anchor).unwrap_or_else(|| super::context::DEFAULT_ANCHOR.to_owned()),
            line: None,
            anchored: true,
        }
    }

    /// Where a waiver is shown: its origin (`verdict.yaml:12`) as a repository path and line,
    /// else the anchor.
    pub(crate) fn origin_place(&self, origin: &str) -> Place {
        let (file, line) = split_origin(origin);
        match self.repo_path(file) {
            Some(path) => Place { path, line, anchored: false },
            None => self.anchor_place(),
        }
    }
}

/// Why a waiver of the ledger is reported on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaiverState {
    /// Past its `expires` day: it accepts nothing any more (a warning).
    Expired,
    /// Active but matched nothing: stale (a warning).
    Unused,
    /// Active, expiring within 14 days (a note).
    ExpiringSoon,
}

impl WaiverState {
    /// Expired and unused waivers are warnings of the verdict.
    pub(crate) fn is_warning(self) -> bool {
        match self {
            WaiverState::Expired | WaiverState::Unused => true,
            WaiverState::ExpiringSoon => false,
        }
    }

    /// The id reports use for it as a rule.
    pub(crate) fn rule_id(self) -> &'static str {
        match self {
            WaiverState::Expired => "verdict.waivers.expired",
            WaiverState::Unused => "verdict.waivers.unused",
            WaiverState::ExpiringSoon => "verdict.waivers.expiring",
        }
    }

    /// A short title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            WaiverState::Expired => "Waiver expired",
            WaiverState::Unused => "Waiver matches nothing",
            WaiverState::ExpiringSoon => "Waiver expires soon",
        }
    }

    /// One line saying what is wrong and what to do.
    pub(crate) fn message(self, e: &LedgerEntry) -> String {
        let what = one_line(&e.matches);
        let owner = one_line(&e.owner);
        match self {
            WaiverState::Expired if e.findings == 0 => format!(
                "The waiver for {what} expired on {} and matches no finding any more: remove it. Owner: {owner}",
                e.expires
            ),
            WaiverState::Expired => format!(
                "The waiver for {what} expired on {}: it no longer accepts the {} it matches. Renew it (with a reason) or fix the finding. Owner: {owner}",
                e.expires,
                super::text::plural(e.findings, "finding", "findings")
            ),
            WaiverState::Unused => {
                format!("The waiver for {what} matched no finding in this run: remove it. Owner: {owner}")
            }
            WaiverState::ExpiringSoon => {
                let left = if e.days_left == 1 {
                    "1 day left".to_owned()
                } else {
                    format!("{} days left", e.days_left.max(0))
                };
                format!("The waiver for {what} expires on {} ({left}). Owner: {owner}", e.expires)
            }
        }
    }
}

/// The waivers reported on their own: expired, unused, then expiring soon.
pub(crate) fn waivers_to_report(v: &Verdict) -> Vec<(&LedgerEntry, WaiverState)> {
    let l = &v.waivers;
    l.expired
        .iter()
        .map(|e| (e, WaiverState::Expired))
        .chain(l.unused.iter().map(|e| (e, WaiverState::Unused)))
        .chain(l.expiring_soon.iter().map(|e| (e, WaiverState::ExpiringSoon)))
        .collect()
}

/// Where a finding is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// A repository path.
    pub path: String,
    /// The line, when known.
    pub line: Option<u64>,
    /// The finding names no file: `path` is the context's anchor.
    pub anchored: bool,
}

/// A waiver ledger entry's `origin` (`verdict.yaml:12`) as a path and a line.
pub(crate) fn split_origin(origin: &str) -> (&str, Option<u64>) {
    match origin.rsplit_once(':') {
        Some((file, line)) => match line.parse::<u64>() {
            Ok(n) if n >= 1 => (file, Some(n)),
            _ => (origin, None),
        },
        None => (origin, None),
    }
}

/// A stable 128-bit id in lower-case hex (32 characters) over `parts`: SHA-256, truncated as
/// the evidence's fingerprints are, each part length-prefixed so that no two lists collide.
pub(crate) fn hash128(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    crate::evidence::fingerprint::hex128(&h.finalize())
}

/// A rule as the verdict's findings show it.
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo<'a> {
    /// `namespace.rule`.
    pub id: String,
    /// The step its findings belong to.
    pub step: &'a str,
    /// The package.
    pub namespace: &'a str,
    /// The rule's name.
    pub rule: &'a str,
    /// The short title.
    pub title: Option<&'a str>,
    /// Why it matters.
    pub description: Option<&'a str>,
    /// The remediation, when every finding of the rule gives the same one.
    pub remediation: Option<&'a str>,
    /// The link, when every finding of the rule gives the same one.
    pub url: Option<&'a str>,
    /// A failing rule (`deny`/`violation`): some finding fails, or is a `deny` reported as a
    /// warning until its `effective_on` day.
    pub fails: bool,
    /// Its findings, in verdict order.
    pub findings: Vec<&'a Finding>,
}

/// The rules that produced the verdict's findings, in the order of their first finding (so the
/// most severe first). Rules without findings are not in the verdict, so not here.
pub(crate) fn rules(v: &Verdict) -> Vec<RuleInfo<'_>> {
    let mut index: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    let mut out: Vec<RuleInfo<'_>> = Vec::new();
    for f in &v.findings {
        let key = (f.step.as_str(), f.policy.namespace.as_str(), f.policy.rule.as_str());
        let i = *index.entry(key).or_insert_with(|| {
            out.push(RuleInfo {
                id: rule_id(f),
                step: &f.step,
                namespace: &f.policy.namespace,
                rule: &f.policy.rule,
                title: f.policy.title.as_deref(),
                description: f.policy.description.as_deref(),
                remediation: f.policy.remediation.as_deref(),
                url: f.policy.url.as_deref(),
                fails: false,
                findings: Vec::new(),
            });
            out.len() - 1
        });
        if let Some(r) = out.get_mut(i) {
            if r.remediation != f.policy.remediation.as_deref() {
                r.remediation = None;
            }
            if r.url != f.policy.url.as_deref() {
                r.url = None;
            }
            r.fails |= f.level == Level::Fail || f.policy.enforced_from.is_some();
            r.findings.push(f);
        }
    }
    out
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

    /// A waiver's origin splits into file and line.
    #[test]
    fn origins() {
        assert_eq!(split_origin("verdict.yaml:12"), ("verdict.yaml", Some(12)));
        assert_eq!(split_origin("verdict.yaml"), ("verdict.yaml", None));
        assert_eq!(split_origin("c:x"), ("c:x", None));
    }
}
