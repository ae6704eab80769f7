//! Who must have signed: a key, or a certificate identity and OIDC issuer (exact or a
//! regular expression, as cosign's `--certificate-identity[-regexp]` and
//! `--certificate-oidc-issuer[-regexp]`).

use std::collections::BTreeMap;

use regex::Regex;
use sigstore_verify::crypto::CertificateInfo;

use super::trust::{Key, fingerprint};
use crate::evidence;

/// The signer a check requires.
#[derive(Debug, Clone)]
pub enum Signer {
    /// Signed with this key pair (`cosign sign --key`).
    Key(Key),
    /// Signed keylessly: a Fulcio certificate for this identity, from this issuer.
    Keyless {
        /// The certificate's SAN (a workflow URI, an email).
        identity: Matcher,
        /// The certificate's OIDC issuer.
        issuer: Matcher,
    },
}

/// An exact value or a pattern.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Equal to this.
    Exact(String),
    /// Matched by this regular expression, unanchored like Go's `MatchString` in cosign: write
    /// `^…$` to match the whole value.
    Regex(Regex),
}

impl Matcher {
    /// A pattern, checked.
    pub fn regex(pattern: &str) -> Result<Self, String> {
        Regex::new(pattern).map(Matcher::Regex).map_err(|e| format!("is not a valid regular expression: {e}"))
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(s) => s == value,
            Matcher::Regex(r) => r.is_match(value),
        }
    }

    /// (exact, pattern), for evidence.
    pub fn split(&self) -> (Option<String>, Option<String>) {
        match self {
            Matcher::Exact(s) => (Some(s.clone()), None),
            Matcher::Regex(r) => (None, Some(r.as_str().to_owned())),
        }
    }

    /// For messages, after "the identity" or "the issuer": `` `https://…` `` or `` matching
    /// `^https://…` ``.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(s) => format!("`{s}`"),
            Matcher::Regex(r) => format!("matching `{}`", r.as_str()),
        }
    }

    /// A pattern that is not anchored at the start matches its text anywhere in the value:
    /// `acme/shop` also matches `https://github.com/evil/acme/shop-fork/…`. Returns the
    /// warning to give. (A pattern anchored at the start only is the usual, safe form: the
    /// ref after `@` varies.) Read from the pattern's syntax tree, so that a top-level
    /// alternation (`^https://github\.com/acme/app/|release\.yml`, whose second branch is
    /// not anchored) is caught and flags (`(?i)^…`) are not mistaken for a missing `^`; and an
    /// anchored identity pattern must pin an organization (`^https://github\.com/acme/`),
    /// not only a host (`^https://github\.com/`) or nothing (`^.*`).
    pub fn unanchored_warning(&self, what: &str) -> Option<String> {
        let Matcher::Regex(r) = self else { return None };
        let pattern = r.as_str();
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        if !hir.properties().look_set_prefix().contains(regex_syntax::hir::Look::Start) {
            let why = if pattern.trim_start_matches("(?i)").starts_with('^') {
                "is not anchored in every alternative (`^a|b` is `^a` or `b` anywhere)"
            } else {
                "does not start with `^`"
            };
            return Some(format!(
                "the {what} pattern `{pattern}` {why}, so it matches its text anywhere in the {what} \
                 (also in another organization's or repository's); anchor it: `^https://…` (group \
                 alternatives: `^(a|b)`)"
            ));
        }
        let pinned = literal_prefix(&hir);
        let pins_little = match pinned.split_once("://") {
            // An identity URL: the host and at least the organization, closed by `/`.
            Some((_, rest)) if what == "identity" => rest.matches('/').count() < 2,
            _ => pinned.is_empty(),
        };
        pins_little.then(|| {
            format!(
                "the {what} pattern `{pattern}` is anchored, but the text every match starts with \
                 (`{pinned}`) does not name an organization, so it matches signers of any other; start it \
                 with the whole organization and repository: `^https://github\\.com/ORG/REPO/`"
            )
        })
    }
}

/// The literal text (lower-cased) every match of `hir` starts with, after the start anchor:
/// literals, letters in either case (`(?i)`), groups, and what the branches of an alternation
/// share, up to the first other part.
fn literal_prefix(hir: &regex_syntax::hir::Hir) -> String {
    walk_prefix(hir).0
}

/// The prefix of [`literal_prefix`], and whether `hir` is that literal and nothing more (so a
/// concatenation goes on after it).
fn walk_prefix(hir: &regex_syntax::hir::Hir) -> (String, bool) {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (String::new(), true),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(text) => (text.to_lowercase(), true),
            Err(_) => (String::new(), false),
        },
        HirKind::Class(Class::Unicode(class)) => {
            // One letter in either case, as `(?i)` writes it.
            let chars: Vec<char> = class.iter().flat_map(|r| (r.start()..=r.end()).take(4)).take(4).collect();
            let lower: Vec<String> = chars.iter().map(|c| c.to_lowercase().to_string()).collect();
            match lower.first() {
                Some(first) if chars.len() <= 3 && lower.iter().all(|l| l == first) => (first.clone(), true),
                _ => (String::new(), false),
            }
        }
        HirKind::Capture(c) => walk_prefix(&c.sub),
        HirKind::Concat(parts) => {
            let mut out = String::new();
            for part in parts {
                let (text, whole) = walk_prefix(part);
                out.push_str(&text);
                if !whole {
                    return (out, false);
                }
            }
            (out, true)
        }
        HirKind::Alternation(branches) => {
            let each: Vec<(String, bool)> = branches.iter().map(walk_prefix).collect();
            let Some((first, _)) = each.first() else { return (String::new(), false) };
            let mut common = first.clone();
            for (text, _) in &each {
                let shared = common.chars().zip(text.chars()).take_while(|(a, b)| a == b).count();
                common = common.chars().take(shared).collect();
            }
            let whole = each.iter().all(|(text, whole)| *whole && *text == common);
            (common, whole)
        }
        _ => (String::new(), false),
    }
}

/// The signer evidence of a certificate: identity, issuer, key and CI claims.
pub(crate) fn from_certificate(info: &CertificateInfo) -> evidence::Signer {
    let c = &info.ci_claims;
    let mut claims = BTreeMap::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            claims.insert(k.to_owned(), v.clone());
        }
    };
    put("build_signer_uri", &c.build_signer_uri);
    put("build_signer_digest", &c.build_signer_digest);
    put("runner_environment", &c.runner_environment);
    put("source_repository_uri", &c.source_repository_uri);
    put("source_repository_digest", &c.source_repository_digest);
    put("source_repository_ref", &c.source_repository_ref);
    put("source_repository_identifier", &c.source_repository_identifier);
    put("source_repository_owner_uri", &c.source_repository_owner_uri);
    put("source_repository_owner_identifier", &c.source_repository_owner_identifier);
    put("build_config_uri", &c.build_config_uri);
    put("build_config_digest", &c.build_config_digest);
    put("build_trigger", &c.build_trigger);
    put("run_invocation_uri", &c.run_invocation_uri);
    put("source_repository_visibility_at_signing", &c.source_repository_visibility_at_signing);
    put("deployment_environment", &c.deployment_environment);
    evidence::Signer {
        identity: info.identity.as_ref().map(|s| s.as_str().to_owned()),
        issuer: info.issuer.clone(),
        key: Some(fingerprint(info.public_key.as_bytes())),
        claims,
    }
}

/// The signer evidence of a key.
pub(crate) fn from_key(key: &Key) -> evidence::Signer {
    evidence::Signer { key: Some(key.fingerprint.clone()), ..evidence::Signer::default() }
}

/// Checks a verified certificate's identity and issuer against the requirement; the error
/// names what was expected and what the certificate says.
pub(crate) fn check(
    identity: &Matcher,
    issuer: &Matcher,
    signer: &evidence::Signer,
) -> Result<(), (evidence::Reason, String)> {
    // A certificate that names no identity (or no issuer) verdict can read matches no
    // check, whatever its pattern: `.*` or `^$` must not accept it for an empty text.
    let Some(got_identity) = signer.identity.as_deref() else {
        return Err((
            evidence::Reason::IdentityMismatch,
            format!(
                "the signing certificate names no identity verdict reads (an email, URI or DNS name), so it cannot be the identity {}",
                identity.describe()
            ),
        ));
    };
    if !identity.matches(got_identity) {
        return Err((
            evidence::Reason::IdentityMismatch,
            format!(
                "signed by `{got_identity}`, but the check requires the identity {}",
                identity.describe()
            ),
        ));
    }
    let got_issuer = signer.issuer.as_deref().unwrap_or("");
    if signer.issuer.is_none() || !issuer.matches(got_issuer) {
        return Err((
            evidence::Reason::IssuerMismatch,
            format!(
                "signed by `{got_identity}` with a token from `{}`, but the check requires the issuer {}",
                if got_issuer.is_empty() { "(no issuer)" } else { got_issuer },
                issuer.describe()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns are unanchored like cosign's, and the unanchored ones are flagged.
    #[test]
    fn regex_semantics() {
        let m = Matcher::regex("acme/app").unwrap();
        assert!(m.matches("https://github.com/evil/acme/app-fake"));
        assert!(m.unanchored_warning("identity").is_some());
        let a = Matcher::regex("^https://github\\.com/acme/app/").unwrap();
        assert!(a.unanchored_warning("identity").is_none());
        // Anchored as written, but not in fact, or pinning no organization.
        for loose in [
            "^https://github\\.com/acme/app/|release\\.yml",
            "^.*",
            "^.+/acme/app/",
            "^https://github\\.com/",
            "^https://github\\.com/acme",
        ] {
            let m = Matcher::regex(loose).unwrap();
            assert!(m.unanchored_warning("identity").is_some(), "{loose}");
        }
        // Anchored and pinned, whatever the flags and groups.
        for tight in [
            "(?i)^https://github\\.com/acme/",
            "^(https://github\\.com/acme/app/|https://github\\.com/acme/lib/)",
            "^https://gitlab\\.com/acme/shop//\\.gitlab-ci\\.yml@refs/tags/v",
            "^alice@example\\.com$",
        ] {
            let m = Matcher::regex(tight).unwrap();
            assert_eq!(m.unanchored_warning("identity"), None, "{tight}");
        }
        // An issuer is a host: anchoring it is enough.
        let issuer = Matcher::regex("^https://token\\.actions\\.githubusercontent\\.com$").unwrap();
        assert_eq!(issuer.unanchored_warning("issuer"), None);
        assert!(!a.matches("https://github.com/evil/acme/app"));
        assert!(Matcher::regex("(").is_err());
    }

    /// Identity is judged before issuer, and each names both sides.
    #[test]
    fn mismatch_reasons() {
        let signer = evidence::Signer {
            identity: Some("https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main".into()),
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            ..evidence::Signer::default()
        };
        let want_issuer = Matcher::Exact("https://token.actions.githubusercontent.com".into());
        let (r, msg) = check(&Matcher::regex("release\\.yml").unwrap(), &want_issuer, &signer).unwrap_err();
        assert_eq!(r, evidence::Reason::IdentityMismatch);
        assert!(msg.contains("ci.yml") && msg.contains("release"), "{msg}");
        let (r, _) =
            check(&Matcher::regex("acme").unwrap(), &Matcher::Exact("https://gitlab.com".into()), &signer)
                .unwrap_err();
        assert_eq!(r, evidence::Reason::IssuerMismatch);
        assert!(check(&Matcher::regex("acme").unwrap(), &want_issuer, &signer).is_ok());
    }

    /// A certificate without an identity or issuer verdict reads matches no pattern, not even
    /// one that an empty text would satisfy.
    #[test]
    fn no_identity_matches_nothing() {
        let any = Matcher::regex(".*").unwrap();
        let nameless =
            evidence::Signer { issuer: Some("https://issuer".into()), ..evidence::Signer::default() };
        let (r, msg) = check(&any, &any, &nameless).unwrap_err();
        assert_eq!(r, evidence::Reason::IdentityMismatch);
        assert!(msg.contains("names no identity"), "{msg}");
        let issuerless =
            evidence::Signer { identity: Some("me@example.com".into()), ..evidence::Signer::default() };
        assert_eq!(check(&any, &any, &issuerless).unwrap_err().0, evidence::Reason::IssuerMismatch);
    }
}
