//! The waiver ledger: accepted findings, each with a reason, an owner and an expiry date.
//!
//! Owns: what a waiver matches (fingerprint, id, purl, path glob — every criterion given must
//! hold), when it applies (through its `expires` day, inclusive), and the ledger's report of
//! expired, soon-expiring and unused waivers.
//! Takes waivers (built and validated by `config`) and today's date as a value. Pure: no I/O,
//! no clock.

use globset::GlobMatcher;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::evidence::Kind;

/// Waivers expiring within this many days are listed, so that nobody is surprised by a gate
/// that starts failing overnight.
pub const EXPIRING_SOON_DAYS: i32 = 14;

/// Where a waiver was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The file (`verdict.yaml` or a waivers file).
    pub file: String,
    /// 1-based line of the entry.
    pub line: u64,
}

/// What a waiver matches. At least one criterion is set; all set ones must match.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// A finding's fingerprint, exactly.
    pub fingerprint: Option<String>,
    /// A finding's id (CVE, check id, test name, license), exactly.
    pub id: Option<String>,
    /// A finding's package URL, exactly, or without its version/qualifiers
    /// (`pkg:npm/lodash` matches `pkg:npm/lodash@4.17.20`).
    pub purl: Option<String>,
    /// A glob over the finding's file (`services/legacy/**`).
    pub path: Option<PathGlob>,
}

/// A compiled path glob that remembers what was written.
#[derive(Debug, Clone)]
pub struct PathGlob {
    /// The pattern as written.
    pub pattern: String,
    matcher: GlobMatcher,
}

impl PathGlob {
    /// Compiles a glob (`*` stays within one path segment, `**` crosses them). A leading `./`
    /// or `/` is ignored, as it is on the paths matched.
    pub fn new(pattern: &str) -> Result<Self, globset::Error> {
        let bare = pattern.trim_start_matches("./").trim_start_matches('/');
        let glob = globset::GlobBuilder::new(bare).literal_separator(true).build()?;
        Ok(PathGlob { pattern: pattern.to_owned(), matcher: glob.compile_matcher() })
    }

    /// Whether `path` matches (a leading `./` or `/` on either side is ignored).
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path.trim_start_matches("./").trim_start_matches('/'))
    }
}

/// One accepted finding (or set of findings).
#[derive(Debug, Clone)]
pub struct Waiver {
    /// What it matches.
    pub matcher: Matcher,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who answers for it (a person or a team).
    pub owner: String,
    /// The last day it applies.
    pub expires: Date,
    /// Where it was written.
    pub origin: Origin,
}

/// Advisory id prefixes: a waiver naming one can only match a vulnerability scan's finding.
const ADVISORY_PREFIXES: [&str; 12] =
    ["CVE-", "GHSA-", "GO-", "PYSEC-", "RUSTSEC-", "OSV-", "DSA-", "DLA-", "USN-", "ALAS", "RHSA-", "SNYK-"];

/// IaC check id prefixes (Checkov, Trivy): a waiver naming one can only match a check's finding.
const CHECK_PREFIXES: [&str; 8] = ["CKV_", "CKV2_", "AVD-", "AWS-", "AZU-", "GCP-", "KSV", "DS0"];

impl Waiver {
    /// The kinds of evidence whose findings it can match, when its criteria tell (an advisory
    /// id, a check id, a package URL with nothing else); `None` when any finding could match
    /// it (a fingerprint, a path, a test name, a policy's own id). A waiver none of whose kinds
    /// was read this run matches nothing because its scan is missing, not because it is stale.
    pub fn kinds(&self) -> Option<&'static [Kind]> {
        let m = &self.matcher;
        if m.fingerprint.is_some() {
            return None;
        }
        match (&m.id, &m.purl) {
            (Some(id), _) if ADVISORY_PREFIXES.iter().any(|p| id.starts_with(p)) => Some(&[Kind::Trivy]),
            (Some(id), _) if CHECK_PREFIXES.iter().any(|p| id.starts_with(p)) => {
                Some(&[Kind::Trivy, Kind::Checkov])
            }
            (None, Some(_)) => Some(&[Kind::Trivy, Kind::Cyclonedx, Kind::Spdx]),
            _ => None,
        }
    }
}

/// What a finding offers to be matched against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// Its fingerprint.
    pub fingerprint: &'a str,
    /// Its id.
    pub id: Option<&'a str>,
    /// Its package URL.
    pub purl: Option<&'a str>,
    /// Its file.
    pub file: Option<&'a str>,
}

/// Where a waiver stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Applies, with this many days left (0 on its last day).
    Active {
        /// Days until `expires`.
        days_left: i32,
    },
    /// Past its `expires` day: it no longer applies.
    Expired {
        /// Days since `expires`.
        days_ago: i32,
    },
}

impl Waiver {
    /// Whether the waiver names this finding (regardless of expiry).
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        let m = &self.matcher;
        m.fingerprint.as_deref().is_none_or(|f| f == s.fingerprint)
            && m.id.as_deref().is_none_or(|id| s.id == Some(id))
            && m.purl.as_deref().is_none_or(|p| s.purl.is_some_and(|sp| purl_matches(p, sp)))
            && m.path.as_ref().is_none_or(|g| s.file.is_some_and(|f| g.is_match(f)))
    }

    /// Its standing on `today`.
    pub fn standing(&self, today: Date) -> Standing {
        let days = (self.expires - today).get_days();
        // `Span::get_days` of a date difference is exact in days.
        if today > self.expires {
            Standing::Expired { days_ago: -days }
        } else {
            Standing::Active { days_left: days }
        }
    }

    /// A short description of what it matches, for messages: `id CVE-2024-1 in services/**`.
    pub fn describe(&self) -> String {
        let m = &self.matcher;
        let mut parts = Vec::new();
        if let Some(f) = &m.fingerprint {
            parts.push(format!("fingerprint {f}"));
        }
        if let Some(i) = &m.id {
            parts.push(format!("id {i}"));
        }
        if let Some(p) = &m.purl {
            parts.push(format!("purl {p}"));
        }
        if let Some(g) = &m.path {
            parts.push(format!("path {}", g.pattern));
        }
        parts.join(", ")
    }
}

/// A waiver purl matches a finding's when it names the same package (type, namespace and name),
/// the same version when it gives one (`pkg:npm/lodash` matches every version), and each of
/// the qualifiers it gives. Components are compared decoded, as the purl specification says:
/// `5.36.0-7+deb12u1`, `5.36.0-7%2Bdeb12u1` and `5.36.0-7%2bdeb12u1` are one version, and
/// `pkg:npm/%40babel/core` is `pkg:npm/@babel/core`. The type is compared without regard to
/// case.
fn purl_matches(waiver: &str, finding: &str) -> bool {
    if waiver == finding {
        return true;
    }
    let (Some(w), Some(f)) = (Purl::parse(waiver), Purl::parse(finding)) else { return false };
    w.package == f.package
        && w.version.as_ref().is_none_or(|v| f.version.as_ref() == Some(v))
        && w.qualifiers.iter().all(|q| f.qualifiers.contains(q))
        && w.subpath.as_ref().is_none_or(|s| f.subpath.as_ref() == Some(s))
}

/// A package URL split into decoded parts, for comparing.
struct Purl {
    /// `type/namespace/name`, the type lower-cased.
    package: String,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
    subpath: Option<String>,
}

impl Purl {
    fn parse(text: &str) -> Option<Purl> {
        let rest = text.strip_prefix("pkg:")?;
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, s)) => (r, Some(decode(s.trim_matches('/')))),
            None => (rest, None),
        };
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (
                r,
                q.split('&')
                    .filter(|kv| !kv.is_empty())
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                        (k.to_ascii_lowercase(), decode(v))
                    })
                    .collect(),
            ),
            None => (rest, Vec::new()),
        };
        // The version follows the last `@` of the name (a namespace's `@` is encoded as `%40`,
        // but a written-out `@scope` must not be taken for a version).
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() && !p.ends_with('/') => (p, Some(decode(v))),
            _ => (rest, None),
        };
        let mut parts = path.trim_matches('/').split('/');
        let kind = parts.next()?.to_ascii_lowercase();
        let mut package = kind;
        for part in parts {
            package.push('/');
            package.push_str(&decode(part));
        }
        Some(Purl { package, version, qualifiers, subpath })
    }
}

/// Percent-decoding of one purl component (`%2B` → `+`); a malformed escape is kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiver(m: Matcher, expires: &str) -> Waiver {
        Waiver {
            matcher: m,
            reason: "r".into(),
            owner: "o".into(),
            expires: expires.parse().expect("date"),
            origin: Origin { file: "verdict.yaml".into(), line: 1 },
        }
    }

    fn by_id(id: &str) -> Matcher {
        Matcher { fingerprint: None, id: Some(id.into()), purl: None, path: None }
    }

    /// Every criterion given must match; absent ones do not constrain.
    #[test]
    fn criteria_combine() {
        let mut m = by_id("CVE-1");
        m.path = Some(PathGlob::new("services/legacy/**").expect("glob"));
        let w = waiver(m, "2030-01-01");
        let s = |id, file| Subject { fingerprint: "f", id: Some(id), purl: None, file };
        assert!(w.matches(&s("CVE-1", Some("services/legacy/a/package-lock.json"))));
        assert!(w.matches(&s("CVE-1", Some("./services/legacy/package-lock.json"))));
        assert!(!w.matches(&s("CVE-1", Some("services/shop/package-lock.json"))));
        assert!(!w.matches(&s("CVE-2", Some("services/legacy/package-lock.json"))));
        assert!(!w.matches(&s("CVE-1", None)), "a path criterion needs a file");
    }

    /// `*` stays inside one segment; `**` crosses segments.
    #[test]
    fn globs() {
        let g = PathGlob::new("infra/*.tf").expect("glob");
        assert!(g.is_match("infra/s3.tf"));
        assert!(!g.is_match("infra/modules/s3.tf"));
        assert!(PathGlob::new("infra/**/*.tf").expect("glob").is_match("infra/modules/s3.tf"));
        assert!(PathGlob::new("./infra/*.tf").expect("glob").is_match("infra/s3.tf"));
        assert!(
            PathGlob::new("infra/*.tf").expect("glob").is_match("/infra/s3.tf"),
            "Checkov writes /infra/s3.tf"
        );
    }

    /// A purl without a version names the package at every version.
    #[test]
    fn purls() {
        assert!(purl_matches("pkg:npm/lodash", "pkg:npm/lodash@4.17.20"));
        assert!(purl_matches("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.20?arch=x"));
        assert!(!purl_matches("pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.20"));
        assert!(!purl_matches("pkg:npm/lodash", "pkg:npm/lodash-es@4.17.20"));
        // Compared decoded, as the specification says, with the waiver's qualifiers a subset.
        let deb = "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&distro=debian-12.7";
        for waiver in [
            "pkg:deb/debian/perl-base@5.36.0-7+deb12u1",
            "pkg:deb/debian/perl-base@5.36.0-7%2bdeb12u1",
            "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64",
            "pkg:DEB/debian/perl-base",
        ] {
            assert!(purl_matches(waiver, deb), "{waiver}");
        }
        assert!(!purl_matches("pkg:deb/debian/perl-base@5.36.0-7+deb12u1?arch=arm64", deb));
        assert!(!purl_matches("pkg:deb/debian/perl-base@5.36.0-7", deb));
        assert!(purl_matches("pkg:npm/@babel/core@7.24.0", "pkg:npm/%40babel/core@7.24.0"));
        assert!(purl_matches("pkg:npm/%40babel/core", "pkg:npm/%40babel/core@7.24.0"));
        assert!(!purl_matches("pkg:npm/@babel/core", "pkg:npm/%40babel/core-js@3.0.0"));
    }

    /// A waiver applies through its expiry day and is expired the day after.
    #[test]
    fn expiry_is_inclusive() {
        let w = waiver(by_id("x"), "2026-12-31");
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(w.standing(d("2026-12-17")), Standing::Active { days_left: 14 });
        assert_eq!(w.standing(d("2026-12-31")), Standing::Active { days_left: 0 });
        assert_eq!(w.standing(d("2027-01-02")), Standing::Expired { days_ago: 2 });
    }
}
