//! Fingerprints: stable ids for findings, used by waivers, diffs between runs and dedup.
//!
//! A fingerprint is the first 128 bits of SHA-256 over the record kind and its identifying
//! fields, in lower-case hex. It never includes line numbers, report order, timestamps or the
//! artifact's own path, so moving a report, reformatting a file or reordering a scan keeps it.
//! `None` and an empty string are the same identity.

use sha2::{Digest, Sha256};

fn digest(kind: &str, parts: &[Option<&str>]) -> String {
    hex128(&bits(kind, parts))
}

/// The first 128 bits of SHA-256 over the identity bytes: the fingerprint before it is hex.
fn bits(kind: &str, parts: &[Option<&str>]) -> [u8; 16] {
    let full = with_identity(kind, parts, |bytes| Sha256::digest(bytes));
    let mut head = [0u8; 16];
    if let Some(first) = full.get(..16) {
        head.copy_from_slice(first);
    }
    head
}

/// `hash` of the identity bytes of a record (see [`identity_bytes`]), handed over at once: a
/// hundred thousand test cases made 13 small `update` calls each, about a fifth of hashing
/// them. They are laid out in a buffer on the stack when they fit (almost always), else in one
/// on the heap.
fn with_identity<T>(kind: &str, parts: &[Option<&str>], hash: impl FnOnce(&[u8]) -> T) -> T {
    const ROOM: usize = 512;
    let len = kind.len() + parts.iter().map(|p| 9 + p.map_or(0, str::len)).sum::<usize>();
    if len > ROOM {
        let mut whole = Vec::with_capacity(len);
        identity_bytes(kind, parts, |bytes| whole.extend_from_slice(bytes));
        return hash(&whole);
    }
    let mut buf = [0u8; ROOM];
    let mut at = 0;
    identity_bytes(kind, parts, |bytes| {
        if let Some(slot) = buf.get_mut(at..at + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
        at += bytes.len();
    });
    hash(buf.get(..at).unwrap_or_default())
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
    hex128(&test_case_digest(suite, classname, name, file))
}

/// The 128 bits whose hex is [`test_case`]'s fingerprint.
pub(crate) fn test_case_digest(
    suite: Option<&str>,
    classname: Option<&str>,
    name: &str,
    file: Option<&str>,
) -> [u8; 16] {
    bits("test", &[suite, classname, Some(name), file])
}

/// A key for the same identity as [`test_case`]'s fingerprint, for telling the attempts of one
/// test apart from other tests within a report: XXH3's 128 bits over the same bytes. A JUnit
/// report names a hundred thousand tests of which a few are kept; SHA-256 (about 10% of reading
/// JUnit) is then spent only on the fingerprints of the kept ones. Two identities sharing a key
/// by chance is as unlikely as their sharing a fingerprint (both 128 bits).
pub(crate) fn test_case_key(
    suite: Option<&str>,
    classname: Option<&str>,
    name: &str,
    file: Option<&str>,
) -> u128 {
    with_identity("test", &[suite, classname, Some(name), file], xxhash_rust::xxh3::xxh3_128)
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

/// A misconfiguration that names no resource (Trivy's Dockerfile and Kubernetes checks often
/// do not): check id and file, and what tells two of them in one file apart, its message, and
/// its line (`place`, only when the message is the same too: a line moves with every edit
/// above it, so it is the last resort).
pub fn unnamed_misconfiguration(
    check_id: &str,
    file: Option<&str>,
    message: Option<&str>,
    place: Option<u64>,
) -> String {
    let place = place.map(|l| l.to_string());
    digest("misconfig-unnamed", &[Some(check_id), file, message, place.as_deref()])
}

/// A secret: rule and file. The matched text is deliberately not part of it, so no
/// fingerprint is ever derived from a secret.
pub fn secret(rule_id: &str, target: &str) -> String {
    digest("secret", &[Some(rule_id), Some(target)])
}

/// A secret that a report finds beside another of the same rule in the same file: rule, file
/// and line (the last resort, as for [`unnamed_misconfiguration`]: a line moves with every
/// edit above it, but without it one waiver would accept every secret of the rule in the
/// file, those added later too).
pub fn secret_at(rule_id: &str, target: &str, line: Option<u64>) -> String {
    let line = line.map(|l| l.to_string());
    digest("secret", &[Some(rule_id), Some(target), Some(line.as_deref().unwrap_or("-"))])
}

/// Gives each of `secrets` (one report's) that shares its fingerprint with another its own,
/// from its line: see [`secret_at`]. A secret alone in its file keeps [`secret`]'s.
pub fn tell_secrets_apart(secrets: &mut [crate::evidence::Secret]) {
    let mut seen: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    for s in secrets.iter() {
        *seen.entry(s.fingerprint.as_str()).or_default() += 1;
    }
    let shared: foldhash::HashSet<String> =
        seen.into_iter().filter(|&(_, n)| n > 1).map(|(fp, _)| fp.to_owned()).collect();
    for s in secrets.iter_mut().filter(|s| shared.contains(&s.fingerprint)) {
        s.fingerprint = secret_at(&s.rule_id, &s.target, s.start_line);
    }
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

/// One of several findings of a rule that name no record and would share
/// [`policy_finding`]'s fingerprint: told apart by their file, package and message too.
pub fn policy_finding_of_many(
    package: &str,
    rule: &str,
    id: Option<&str>,
    file: Option<&str>,
    purl: Option<&str>,
    msg: &str,
) -> String {
    digest("policy-many", &[Some(package), Some(rule), id, file, purl, Some(msg)])
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
        // Longer than the buffer on the stack: laid out on the heap, the same bytes.
        let long = format!("parametrized {}", "x".repeat(600));
        let t = test_case(Some("suite"), Some("cls"), &long, Some("tests/test_cart.py"));
        assert_eq!(t, "596b1883412239aee9916bdacc974083");
    }

    /// The key that merges a test's attempts tells tests apart exactly as the fingerprint does:
    /// the same for the same identity (however `None` and "" are written), different where a
    /// field differs or the fields split differently, long identities included.
    #[test]
    fn test_keys_follow_the_fingerprints_identity() {
        let long = format!("parametrized {}", "x".repeat(600));
        let identities = [
            (Some("ab"), Some("c"), "t", None),
            (Some("a"), Some("bc"), "t", None),
            (Some("a"), Some("bc"), "t", Some("f.py")),
            (None, None, "t", None),
            (Some("suite"), Some("cls"), long.as_str(), None),
            (Some("suite"), Some("cls"), &long[1..], None),
        ];
        let keys: std::collections::HashSet<u128> =
            identities.iter().map(|&(s, c, n, f)| test_case_key(s, c, n, f)).collect();
        assert_eq!(keys.len(), identities.len());
        assert_eq!(test_case_key(None, Some(""), "t", None), test_case_key(Some(""), None, "t", Some("")));
        assert_eq!(
            test_case_key(Some("suite"), Some("cls"), &long, None),
            test_case_key(Some("suite"), Some("cls"), &format!("parametrized {}", "x".repeat(600)), None)
        );
    }

    /// Kinds never collide even with equal fields.
    #[test]
    fn kinds_are_separate() {
        assert_ne!(misconfiguration("X", None, None), secret("X", ""));
    }
}
