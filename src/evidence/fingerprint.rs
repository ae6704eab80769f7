//! Fingerprints: stable ids for findings, used by waivers, diffs between runs and dedup.
//!
//! A fingerprint is the first 128 bits of SHA-256 over the record kind and its identifying
//! fields, in lower-case hex. It never includes line numbers, report order, timestamps or the
//! artifact's own path, so moving a report, reformatting a file or reordering a scan keeps it.
//! `None` and an empty string are the same identity.

use sha2::{Digest, Sha256};

fn digest(kind: &str, parts: &[Option<&str>]) -> String {
    // The bytes are laid out in one buffer and hashed at once when they fit (almost always): a
    // hundred thousand test cases made 13 small `update` calls each, about a fifth of hashing
    // them. Longer ones are hashed piece by piece, the same bytes.
    const ROOM: usize = 512;
    let len = kind.len() + parts.iter().map(|p| 9 + p.map_or(0, str::len)).sum::<usize>();
    let mut h = Sha256::new();
    if len <= ROOM {
        let mut buf = [0u8; ROOM];
        let mut at = 0;
        identity_bytes(kind, parts, |bytes| {
            if let Some(slot) = buf.get_mut(at..at + bytes.len()) {
                slot.copy_from_slice(bytes);
            }
            at += bytes.len();
        });
        h.update(buf.get(..at).unwrap_or_default());
    } else {
        identity_bytes(kind, parts, |bytes| h.update(bytes));
    }
    hex128(&h.finalize())
}

/// The bytes a fingerprint hashes, in order, handed to `sink`: the kind, then for each part
/// the unit separator (it cannot appear in the fields we hash in any meaningful way) and a
/// length prefix (which makes ("ab","c") and ("a","bc") differ regardless), then the part.
fn identity_bytes(kind: &str, parts: &[Option<&str>], mut sink: impl FnMut(&[u8])) {
    sink(kind.as_bytes());
    for p in parts {
        let s = p.unwrap_or("");
        sink(&[0x1f]);
        sink(&(s.len() as u64).to_le_bytes());
        sink(s.as_bytes());
    }
}

/// The first 16 bytes of a digest in lower-case hex. (`hex::encode` builds its text a `char`
/// at a time: at a hundred thousand test cases that was a tenth of reading JUnit.)
pub(crate) fn hex128(digest: &[u8]) -> String {
    let mut out = [0u8; 32];
    match digest.get(..16).map(|head| hex::encode_to_slice(head, &mut out)) {
        Some(Ok(())) => std::str::from_utf8(&out).map_or_else(|_| hex::encode(digest), str::to_owned),
        _ => hex::encode(digest),
    }
}

/// A test: suite, class name, test name and the test's own source file (when the runner
/// writes one; never the report's path).
pub fn test_case(suite: Option<&str>, classname: Option<&str>, name: &str, file: Option<&str>) -> String {
    digest("test", &[suite, classname, Some(name), file])
}

/// A vulnerability: advisory id, the package (purl when known, else name and version) and the
/// scanned target (the same advisory in two lockfiles is two findings).
pub fn vulnerability(
    id: &str,
    purl: Option<&str>,
    name: &str,
    version: Option<&str>,
    target: Option<&str>,
) -> String {
    match purl.filter(|p| !p.is_empty()) {
        Some(purl) => digest("vuln", &[Some(id), Some(purl), None, target]),
        None => digest("vuln", &[Some(id), Some(name), version, target]),
    }
}

/// A misconfiguration: check id, resource and file.
pub fn misconfiguration(check_id: &str, resource: Option<&str>, file: Option<&str>) -> String {
    digest("misconfig", &[Some(check_id), resource, file])
}

/// A secret: rule and file. The matched text is deliberately not part of it, so no
/// fingerprint is ever derived from a secret.
pub fn secret(rule_id: &str, target: &str) -> String {
    digest("secret", &[Some(rule_id), Some(target)])
}

/// A license finding: license, package or file, and target.
pub fn license_finding(
    name: &str,
    package: Option<&str>,
    file: Option<&str>,
    target: Option<&str>,
) -> String {
    digest("license", &[Some(name), package, file, target])
}

/// A component: purl when known, else type, group, name and version.
pub fn component(
    purl: Option<&str>,
    component_type: Option<&str>,
    group: Option<&str>,
    name: &str,
    version: Option<&str>,
) -> String {
    match purl.filter(|p| !p.is_empty()) {
        Some(purl) => digest("component", &[Some(purl)]),
        None => digest("component", &[None, component_type, group, Some(name), version]),
    }
}

/// A policy finding that names no record: its package, rule, and its `id` (or, without one,
/// its message).
pub fn policy_finding(package: &str, rule: &str, id_or_msg: &str) -> String {
    digest("policy", &[Some(package), Some(rule), Some(id_or_msg)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprints are 32 hex chars and separate fields unambiguously.
    #[test]
    fn shape_and_separation() {
        let a = test_case(Some("ab"), Some("c"), "t", None);
        let b = test_case(Some("a"), Some("bc"), "t", None);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(test_case(None, Some(""), "t", None), test_case(Some(""), None, "t", Some("")));
    }

    /// The same advisory in two lockfiles is two findings; with a purl the name is not needed.
    #[test]
    fn vulnerability_identity() {
        let a = vulnerability("CVE-1", Some("pkg:npm/x@1"), "x", Some("1"), Some("a/package-lock.json"));
        let b = vulnerability("CVE-1", Some("pkg:npm/x@1"), "x", Some("1"), Some("b/package-lock.json"));
        let c = vulnerability("CVE-1", Some("pkg:npm/x@1"), "renamed", None, Some("a/package-lock.json"));
        assert_ne!(a, b);
        assert_eq!(a, c);
        let d = vulnerability("CVE-1", None, "x", Some("1"), None);
        let e = vulnerability("CVE-1", Some(""), "x", Some("1"), None);
        assert_eq!(d, e);
    }

    /// Waivers name fingerprints, so their values never change between versions: these were
    /// computed outside verdict (Python's hashlib over the documented layout).
    #[test]
    fn values_are_stable() {
        let t = test_case(Some("com.acme.CartTest"), Some("com.acme.CartTest"), "adds an item", None);
        assert_eq!(t, "8445a4588df1d425d9a72856958b9a05");
        let purl = "pkg:maven/org.springframework/spring-beans@5.3.15";
        let v =
            vulnerability("CVE-2022-22965", Some(purl), "spring-beans", Some("5.3.15"), Some("app/pom.xml"));
        assert_eq!(v, "b027395c4f8beb2955e811cb61f55ee2");
        // Longer than the buffer the parts are laid out in: hashed part by part, the same way.
        let long = format!("parametrized {}", "x".repeat(600));
        let t = test_case(Some("suite"), Some("cls"), &long, Some("tests/test_cart.py"));
        assert_eq!(t, "596b1883412239aee9916bdacc974083");
    }

    /// Kinds never collide even with equal fields.
    #[test]
    fn kinds_are_separate() {
        assert_ne!(misconfiguration("X", None, None), secret("X", ""));
    }
}
