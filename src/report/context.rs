//! What a renderer needs besides the verdict: the gate key, links to the run and to the full
//! report files, the commit, the version, and where to anchor findings that name no file.
//! Values only: the CLI (or the publisher) fills it from its settings and the CI environment.

use crate::evidence::Ci;
use crate::verdict::Verdict;

/// The gate key used when none is configured.
pub const DEFAULT_GATE: &str = "default";

/// The path findings without a file are anchored to on surfaces that require one.
pub const DEFAULT_ANCHOR: &str = "verdict.yaml";

/// A link to a report file (the uploaded JSON verdict, the SARIF file, the job's artifacts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLink {
    /// What it is, as shown (`verdict.json`).
    pub label: String,
    /// Where it is (`https://…`). Only `http` and `https` links are rendered as links.
    pub url: String,
}

/// Everything a renderer needs besides the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderContext {
    /// The gate key: one sticky comment per key, so that the jobs of a monorepo keep theirs.
    pub gate: String,
    /// A link to the CI run or job.
    pub run_url: Option<String>,
    /// The commit judged.
    pub commit: Option<String>,
    /// `owner/name` (GitHub) or the project path (GitLab).
    pub repository: Option<String>,
    /// The base of links to files at the judged commit, without a trailing slash
    /// (`https://github.com/o/r/blob/<sha>`, `https://gitlab.com/g/p/-/blob/<sha>`); a file link
    /// is this, `/`, the path and `#L<line>`.
    pub blob_url: Option<String>,
    /// The full report files; the first one is what the pointer in a shortened report names.
    pub reports: Vec<ReportLink>,
    /// verdict's version.
    pub version: String,
    /// Where findings without a file are anchored on surfaces that require a path (SARIF for
    /// GitHub code scanning, GitLab Code Quality, check-run annotations): the gate's config file,
    /// where the waiver that would accept them goes. Relative to the repository root.
    pub anchor: String,
    /// The checkout's absolute path (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`): stripped from
    /// absolute file paths so that they become repository paths.
    pub workspace: Option<String>,
    /// At most this many findings of one severity in each section of the Markdown reports (and
    /// waiver-ledger entries per list), the rest counted; `None`: as many as the budget holds.
    pub max_shown: Option<usize>,
    /// The report files could not be written: the run exits 2 whatever the verdict, and the
    /// terminal report's last line says so.
    pub reports_unwritten: bool,
}

impl RenderContext {
    /// A context with the defaults: gate `default`, anchor `verdict.yaml`, no links.
    pub fn new(version: impl Into<String>) -> Self {
        RenderContext {
            gate: DEFAULT_GATE.to_owned(),
            run_url: None,
            commit: None,
            repository: None,
            blob_url: None,
            reports: Vec::new(),
            version: version.into(),
            anchor: DEFAULT_ANCHOR.to_owned(),
            workspace: None,
            max_shown: None,
            reports_unwritten: false,
        }
    }

    /// A context with the run URL, commit and repository the verdict's evidence recorded.
    pub fn for_verdict(v: &Verdict, version: impl Into<String>) -> Self {
        RenderContext::for_ci(&v.evidence.ci, version)
    }

    /// A context with the run URL, commit and repository of a CI context (a run that stopped
    /// before its verdict has no evidence to take them from).
    pub fn for_ci(ci: &Ci, version: impl Into<String>) -> Self {
        RenderContext {
            run_url: ci.run_url.clone(),
            commit: ci.commit.clone(),
            repository: ci.repository.clone(),
            ..RenderContext::new(version)
        }
    }

    /// The gate key as it appears in markers and reports (see [`gate_key`]).
    pub fn gate_key(&self) -> String {
        gate_key(&self.gate)
    }
}

/// Longest gate key kept, in characters.
const MAX_GATE_CHARS: usize = 64;

/// A gate key made safe: ASCII letters, digits, `.`, `_`, `/` and `-` are kept, anything else
/// becomes `-`, at most 64 characters; empty becomes `default`. So it can never close the
/// marker's HTML comment (`-->`, `--!>`), break a Markdown line or carry a mention.
///
/// A key that had to change (another character, or longer than 64) ends in `-` and 8 hex
/// digits of its SHA-256, so that two keys never share a comment, a check run or a status:
/// `café` and `cafè`, `決済` and `在庫`, `a b` and `a-b` would otherwise be one gate, and the
/// last to run would overwrite the other's verdict. A key already safe is kept as it is.
pub fn gate_key(raw: &str) -> String {
    let raw = raw.trim();
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-');
    if raw.is_empty() {
        return DEFAULT_GATE.to_owned();
    }
    if raw.len() <= MAX_GATE_CHARS && raw.chars().all(safe) {
        return raw.to_owned();
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(raw.as_bytes());
    let suffix = format!("-{}", hex::encode(digest.get(..4).unwrap_or_default()));
    let mut key: String =
        raw.chars().take(MAX_GATE_CHARS - suffix.len()).map(|c| if safe(c) { c } else { '-' }).collect();
    key.push_str(&suffix);
    key
}

/// The hidden HTML comment that identifies verdict's sticky comment for a gate key, the first
/// line of every comment: `<!-- verdict:comment gate=default -->`. A publisher finds its comment
/// by this whole string; text from artifacts can never produce it (`<` is always escaped).
pub fn marker(gate: &str) -> String {
    format!("<!-- verdict:comment gate={} -->", gate_key(gate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate key cannot close the comment, carry markup or be empty.
    #[test]
    fn gate_keys() {
        assert_eq!(marker("default"), "<!-- verdict:comment gate=default -->");
        assert_eq!(marker("services/api"), "<!-- verdict:comment gate=services/api -->");
        assert!(marker("x --> <b>").starts_with("<!-- verdict:comment gate=x------b--"));
        assert!(marker("a--!>b").starts_with("<!-- verdict:comment gate=a----b-"));
        assert_eq!(marker("  "), "<!-- verdict:comment gate=default -->");
        assert!(marker("@org/team\n# x").starts_with("<!-- verdict:comment gate=-org/team---x-"));
        assert_eq!(gate_key(&"k".repeat(200)).len(), 64);
        for raw in ["x --> <b>", "a--!>b", "@org/team\n# x", "é", &"k".repeat(200)] {
            let key = gate_key(raw);
            assert!(key.len() <= 64, "{key}");
            assert!(
                key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')),
                "{key}"
            );
            assert_eq!(gate_key(raw), key, "the same key every run");
        }
    }

    /// Distinct keys are distinct gates, however they are written; a safe key is kept.
    #[test]
    fn gate_keys_never_collide() {
        let long = "k".repeat(64);
        let pairs = [
            ("café", "cafè"),
            ("決済", "在庫"),
            ("a b", "a-b"),
            ("a b", "a_b"),
            (&format!("{long}x"), &format!("{long}y")),
            (&format!("{long}x"), long.as_str()),
        ];
        for (a, b) in pairs {
            assert_ne!(gate_key(a), gate_key(b), "{a} vs {b}");
        }
        assert_eq!(gate_key("services/api-v2.1_x"), "services/api-v2.1_x");
        assert_eq!(gate_key(&long), long);
        assert_eq!(gate_key(" default "), "default");
    }
}
