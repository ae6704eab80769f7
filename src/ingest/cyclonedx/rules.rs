//! The XSD rules the XML reader checks, as tables. There is no usable pure-Rust XSD
//! validator (the `xmlschema` crate is 0.0.x, libxml2 does not belong in a static scratch
//! image), so the rules that matter for evidence — and every rule the specification's own
//! `invalid-*` XML documents exercise — are written down here, each with the first version
//! it applies to. The values come from `bom-1.2.xsd` … `bom-1.7.xsd`; no value was ever
//! removed from an enumeration, so "since" is all a value needs.
//!
//! What the tables do not cover (element order, every other enumeration and pattern, unknown
//! elements outside `bom`, `metadata`, `component` and `license`) is listed in
//! `docs/formats/cyclonedx.md`.

use super::SpecVersion;

/// A closed list of words, each with the minor version that introduced it.
pub(super) struct Enumeration {
    /// What the words name, for messages ("component type").
    pub(super) what: &'static str,
    values: &'static [(&'static str, u8)],
}

impl Enumeration {
    /// A message when `value` is not allowed in version `v`.
    pub(super) fn check(&self, value: &str, v: SpecVersion) -> Option<String> {
        match self.values.iter().find(|(w, _)| *w == value) {
            Some((_, since)) if *since <= v.0 => None,
            Some((_, since)) => Some(format!(
                "{} {value:?} is not allowed in CycloneDX {} (it was added in 1.{since})",
                self.what,
                v.label()
            )),
            None => {
                let allowed: Vec<&str> =
                    self.values.iter().filter(|(_, since)| *since <= v.0).map(|(w, _)| *w).collect();
                let list = if allowed.len() <= 16 {
                    format!("one of {}", allowed.join(", "))
                } else {
                    format!("one of the {} values of the specification", allowed.len())
                };
                Some(format!("{} {value:?} is not {list}", self.what))
            }
        }
    }
}

/// `classification` (`component/@type`).
pub(super) const COMPONENT_TYPE: Enumeration = Enumeration {
    what: "component type",
    values: &[
        ("application", 2),
        ("framework", 2),
        ("library", 2),
        ("container", 2),
        ("operating-system", 2),
        ("device", 2),
        ("firmware", 2),
        ("file", 2),
        ("platform", 5),
        ("device-driver", 5),
        ("machine-learning-model", 5),
        ("data", 5),
        ("cryptographic-asset", 6),
    ],
};

/// `hashAlg` (`hash/@alg`).
pub(super) const HASH_ALG: Enumeration = Enumeration {
    what: "hash algorithm",
    values: &[
        ("MD5", 2),
        ("SHA-1", 2),
        ("SHA-256", 2),
        ("SHA-384", 2),
        ("SHA-512", 2),
        ("SHA3-256", 2),
        ("SHA3-384", 2),
        ("SHA3-512", 2),
        ("BLAKE2b-256", 2),
        ("BLAKE2b-384", 2),
        ("BLAKE2b-512", 2),
        ("BLAKE3", 2),
        ("Streebog-256", 7),
        ("Streebog-512", 7),
    ],
};

/// `scope` (`component/scope`).
pub(super) const SCOPE: Enumeration =
    Enumeration { what: "scope", values: &[("required", 2), ("optional", 2), ("excluded", 2)] };

const PATCH_TYPE: Enumeration = Enumeration {
    what: "patch type",
    values: &[("unofficial", 2), ("monkey", 2), ("backport", 2), ("cherry-pick", 2)],
};

const ISSUE_TYPE: Enumeration =
    Enumeration { what: "issue type", values: &[("defect", 2), ("enhancement", 2), ("security", 2)] };

const DATA_FLOW: Enumeration = Enumeration {
    what: "data flow",
    values: &[("inbound", 2), ("outbound", 2), ("bi-directional", 2), ("unknown", 2)],
};

const ENCODING: Enumeration = Enumeration { what: "encoding", values: &[("base64", 2)] };

const ACKNOWLEDGEMENT: Enumeration =
    Enumeration { what: "license acknowledgement", values: &[("declared", 6), ("concluded", 6)] };

const EXTERNAL_REFERENCE_TYPE: Enumeration = Enumeration {
    what: "external reference type",
    values: &[
        ("vcs", 2),
        ("issue-tracker", 2),
        ("website", 2),
        ("advisories", 2),
        ("bom", 2),
        ("mailing-list", 2),
        ("social", 2),
        ("chat", 2),
        ("documentation", 2),
        ("support", 2),
        ("distribution", 2),
        ("license", 2),
        ("build-meta", 2),
        ("build-system", 2),
        ("other", 2),
        ("release-notes", 4),
        ("distribution-intake", 5),
        ("security-contact", 5),
        ("model-card", 5),
        ("log", 5),
        ("configuration", 5),
        ("evidence", 5),
        ("formulation", 5),
        ("attestation", 5),
        ("threat-model", 5),
        ("adversary-model", 5),
        ("risk-assessment", 5),
        ("vulnerability-assertion", 5),
        ("exploitability-statement", 5),
        ("pentest-report", 5),
        ("static-analysis-report", 5),
        ("dynamic-analysis-report", 5),
        ("runtime-analysis-report", 5),
        ("component-analysis-report", 5),
        ("maturity-report", 5),
        ("certification-report", 5),
        ("quality-metrics", 5),
        ("codified-infrastructure", 5),
        ("poam", 5),
        ("source-distribution", 6),
        ("electronic-signature", 6),
        ("digital-signature", 6),
        ("rfc-9116", 6),
        ("patent", 7),
        ("patent-family", 7),
        ("patent-assertion", 7),
        ("citation", 7),
    ],
};

/// A rule on an attribute of an element (optionally only under a given parent element).
pub(super) struct AttributeRule {
    pub(super) element: &'static str,
    pub(super) parent: Option<&'static str>,
    pub(super) attribute: &'static str,
    pub(super) required: bool,
    /// The allowed values; `None`: any non-empty value.
    pub(super) allowed: Option<&'static Enumeration>,
}

/// Attribute rules. A missing required attribute of a component that becomes a record (its
/// `type`) is an error, not a warning: the reader applies that separately.
pub(super) const ATTRIBUTES: &[AttributeRule] = &[
    AttributeRule {
        element: "component",
        parent: None,
        attribute: "type",
        required: true,
        allowed: Some(&COMPONENT_TYPE),
    },
    AttributeRule {
        element: "hash",
        parent: None,
        attribute: "alg",
        required: true,
        allowed: Some(&HASH_ALG),
    },
    AttributeRule {
        element: "patch",
        parent: None,
        attribute: "type",
        required: true,
        allowed: Some(&PATCH_TYPE),
    },
    AttributeRule {
        element: "issue",
        parent: None,
        attribute: "type",
        required: true,
        allowed: Some(&ISSUE_TYPE),
    },
    AttributeRule {
        element: "classification",
        parent: None,
        attribute: "flow",
        required: false,
        allowed: Some(&DATA_FLOW),
    },
    AttributeRule {
        element: "text",
        parent: None,
        attribute: "encoding",
        required: false,
        allowed: Some(&ENCODING),
    },
    AttributeRule {
        element: "license",
        parent: None,
        attribute: "acknowledgement",
        required: false,
        allowed: Some(&ACKNOWLEDGEMENT),
    },
    AttributeRule {
        element: "expression",
        parent: Some("licenses"),
        attribute: "acknowledgement",
        required: false,
        allowed: Some(&ACKNOWLEDGEMENT),
    },
    AttributeRule {
        element: "reference",
        parent: Some("externalReferences"),
        attribute: "type",
        required: true,
        allowed: Some(&EXTERNAL_REFERENCE_TYPE),
    },
    AttributeRule { element: "property", parent: None, attribute: "name", required: true, allowed: None },
    AttributeRule { element: "dependency", parent: None, attribute: "ref", required: true, allowed: None },
    AttributeRule { element: "swid", parent: None, attribute: "tagId", required: true, allowed: None },
    AttributeRule { element: "swid", parent: None, attribute: "name", required: true, allowed: None },
];

/// A check of an element's text.
#[derive(Clone, Copy)]
pub(super) enum TextCheck {
    /// One of an enumeration's words.
    OneOf(&'static Enumeration),
    /// `hashValue`: 32, 40, 64, 96 or 128 hex digits.
    HashValue,
    /// `xs:dateTime`.
    DateTime,
    /// An SPDX license id of `spdx.schema.json`.
    SpdxId,
}

/// Text rules: (element, parent or any, check).
pub(super) const TEXTS: &[(&str, Option<&str>, TextCheck)] = &[
    ("scope", Some("component"), TextCheck::OneOf(&SCOPE)),
    ("hash", None, TextCheck::HashValue),
    ("id", Some("license"), TextCheck::SpdxId),
    // Every `timestamp`, and the vulnerability dates, are `xs:dateTime` in every version.
    ("timestamp", None, TextCheck::DateTime),
    ("created", None, TextCheck::DateTime),
    ("published", None, TextCheck::DateTime),
    ("updated", None, TextCheck::DateTime),
];

/// The child elements `bom`, `metadata`, `component` and `license` may have, with the
/// version that introduced each (the XSD also allows elements of other namespaces).
pub(super) const CHILDREN: &[(&str, &[(&str, u8)])] = &[
    (
        "bom",
        &[
            ("metadata", 2),
            ("components", 2),
            ("services", 2),
            ("externalReferences", 2),
            ("dependencies", 2),
            ("compositions", 3),
            ("properties", 3),
            ("vulnerabilities", 4),
            ("annotations", 5),
            ("formulation", 5),
            ("declarations", 6),
            ("definitions", 6),
            ("citations", 7),
        ],
    ),
    (
        "metadata",
        &[
            ("timestamp", 2),
            ("tools", 2),
            ("authors", 2),
            ("component", 2),
            ("manufacture", 2),
            ("supplier", 2),
            ("licenses", 3),
            ("properties", 3),
            ("lifecycles", 5),
            ("manufacturer", 6),
            ("distributionConstraints", 7),
        ],
    ),
    (
        "component",
        &[
            ("supplier", 2),
            ("author", 2),
            ("publisher", 2),
            ("group", 2),
            ("name", 2),
            ("version", 2),
            ("description", 2),
            ("scope", 2),
            ("hashes", 2),
            ("licenses", 2),
            ("copyright", 2),
            ("cpe", 2),
            ("purl", 2),
            ("swid", 2),
            ("modified", 2),
            ("pedigree", 2),
            ("externalReferences", 2),
            ("components", 2),
            ("properties", 3),
            ("evidence", 3),
            ("releaseNotes", 4),
            ("modelCard", 5),
            ("data", 5),
            ("manufacturer", 6),
            ("authors", 6),
            ("omniborId", 6),
            ("swhid", 6),
            ("cryptoProperties", 6),
            ("tags", 6),
            ("versionRange", 7),
            ("patentAssertions", 7),
        ],
    ),
    ("license", &[("id", 2), ("name", 2), ("text", 2), ("url", 2), ("licensing", 5), ("properties", 5)]),
];

/// A message when `child` may not appear in `parent` in version `v`; `None` when it may, or
/// when `parent` has no table.
pub(super) fn check_child(parent: &str, child: &str, v: SpecVersion) -> Option<String> {
    let (_, allowed) = CHILDREN.iter().find(|(p, _)| *p == parent)?;
    match allowed.iter().find(|(c, _)| *c == child) {
        Some((_, since)) if *since <= v.0 => None,
        Some((_, since)) => Some(format!(
            "<{child}> is not allowed in <{parent}> in CycloneDX {} (it was added in 1.{since})",
            v.label()
        )),
        None => Some(format!("<{child}> is not an element of <{parent}> in CycloneDX {}", v.label())),
    }
}

/// `hashValue` (an `xs:token`, so surrounding whitespace does not count).
pub(super) fn is_hash_value(text: &str) -> bool {
    let t = text.trim();
    [32, 40, 64, 96, 128].contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `urnUuid`: `urn:uuid:` and a lower-case RFC 4122 UUID (the XSD also accepts `{uuid}`).
pub(super) fn is_serial_number(text: &str) -> bool {
    let uuid = |u: &str| {
        let groups: Vec<&str> = u.split('-').collect();
        groups.len() == 5
            && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
                g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
    };
    match text.strip_prefix("urn:uuid:") {
        Some(u) => uuid(u),
        None => text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).is_some_and(uuid),
    }
}

/// `xs:dateTime`: `[-]YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]`, with real month, day, hour,
/// minute and second ranges (24:00:00 allowed, as XSD 1.0 does).
pub(super) fn is_date_time(text: &str) -> bool {
    fn num(s: &str, len: usize) -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    }
    let t = text.trim();
    let t = t.strip_prefix('-').unwrap_or(t);
    let Some((date, time)) = t.split_once('T') else { return false };
    let mut d = date.splitn(3, '-');
    let (Some(y), Some(m), Some(day)) = (d.next(), d.next(), d.next()) else { return false };
    let year_ok = y.len() >= 4 && y.bytes().all(|b| b.is_ascii_digit());
    let (Some(month), Some(day)) = (num(m, 2), num(day, 2)) else { return false };
    if !year_ok || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    // Split off the zone.
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => (time.get(..i).unwrap_or(""), time.get(i..).unwrap_or("")),
        None => (time, ""),
    };
    let zone_ok = match zone {
        "" | "Z" => true,
        z => {
            let z = z.get(1..).unwrap_or("");
            match z.split_once(':') {
                Some((h, m)) => {
                    matches!((num(h, 2), num(m, 2)), (Some(h), Some(m)) if (h < 14 && m < 60) || (h == 14 && m == 0))
                }
                None => false,
            }
        }
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut parts = hms.splitn(3, ':');
    let (Some(h), Some(mi), Some(s)) = (parts.next(), parts.next(), parts.next()) else { return false };
    let clock_ok = match (num(h, 2), num(mi, 2), num(s, 2)) {
        (Some(24), Some(0), Some(0)) => fraction.is_none_or(|f| f.bytes().all(|b| b == b'0')),
        (Some(h), Some(m), Some(s)) => h < 24 && m < 60 && s < 60,
        _ => false,
    };
    zone_ok && clock_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enumeration words carry the version that introduced them.
    #[test]
    fn enumerations_by_version() {
        assert!(COMPONENT_TYPE.check("library", SpecVersion(2)).is_none());
        let m = COMPONENT_TYPE.check("platform", SpecVersion(4)).expect("too new");
        assert!(m.contains("added in 1.5"), "{m}");
        let m = COMPONENT_TYPE.check("foo", SpecVersion(7)).expect("unknown");
        assert!(m.contains("\"foo\"") && m.contains("library"), "{m}");
    }

    /// `xs:dateTime` needs a time and real ranges; zones are optional.
    #[test]
    fn date_times() {
        for ok in [
            "2020-04-07T07:01:00Z",
            "2020-04-07T07:01:00",
            "2020-04-07T07:01:00.123+02:00",
            "2020-04-07T24:00:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in
            ["2020-04-07", "2020-13-07T07:01:00Z", "2020-04-07T07:61:00Z", "2020-04-07 07:01:00", "yesterday"]
        {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    /// Serial numbers are lower-case URN UUIDs.
    #[test]
    fn serial_numbers() {
        assert!(is_serial_number("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_serial_number("urn:uuid:3e671687-395b-41f5-a30f"));
        assert!(!is_serial_number("urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79"));
    }

    /// Unknown children of the tabled elements are named, as are too-new ones.
    #[test]
    fn children() {
        assert!(check_child("metadata", "timestamp", SpecVersion(7)).is_none());
        assert!(check_child("metadata", "distribution", SpecVersion(7)).is_some());
        assert!(check_child("metadata", "lifecycles", SpecVersion(4)).is_some());
        assert!(check_child("service", "anything", SpecVersion(7)).is_none());
    }
}
