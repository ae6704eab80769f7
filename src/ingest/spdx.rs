//! SPDX 2.2 and 2.3 JSON → components and their dependency graph.
//!
//! Owns: SPDX's JSON field names and their mapping to evidence (documented field by field in
//! `docs/formats/spdx.md`): `packages[]` become components, `DEPENDS_ON`/`DEPENDENCY_OF`
//! relationships become dependencies, `creationInfo.creators` names the tool. `files[]` and
//! `snippets[]` are not components; only their `SPDXID`s are kept, so that relationships
//! naming them are not taken for dangling ones. `packages` is streamed one package at a time;
//! relationships keep only their dependency edges.
//!
//! What is an error and what is a warning: a document that is not SPDX 2.x JSON (SPDX 3
//! JSON-LD, an `spdxVersion` of another major version) or whose structure breaks the
//! specification where verdict needs it (a package without `SPDXID` or `name`, a checksum
//! without its value, a field of the wrong JSON type) is an error with its location. A
//! document that is readable but off-specification (an unparsable purl, a relationship type
//! SPDX does not define, a dependency on an element the document does not define, an
//! `spdxVersion` of 2.0/2.1) is read, with a warning on the source.
//!
//! Tag-value, YAML, RDF/XML and SPDX 3 JSON-LD are not read: discovery skips them, and
//! [`unsupported_variant`] names them when one is given with `--input spdx=…`.
//!
//! Takes a reader and a [`Cx`]; returns [`Parsed`] or an [`IngestError`] with a location.
//! Must not: open files, decide pass or fail, print, or use the network.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use super::json::{self, ForEach, bad_value, cap, list, non_empty};
use super::sniff::top_level_keys;
use super::{Code, Cx, IngestError, Parsed, caps};
use crate::evidence::{Component, Dependency, Hash, License, Tool, Warning, fingerprint};

const REGENERATE: &str =
    "`trivy fs --format spdx-json --output sbom.spdx.json .` or `syft dir:. -o spdx-json=sbom.spdx.json`";

/// What verdict reads, for `expected` in errors.
const SUPPORTED: &str = "SPDX 2.2 or 2.3 JSON (`\"spdxVersion\": \"SPDX-2.3\"`)";

/// How many warnings of one kind are listed one by one before the rest are only counted.
const LISTED_WARNINGS: usize = 20;

/// Every relationship type of SPDX 2.3 (a superset of 2.2's), from its JSON schema.
const RELATIONSHIP_TYPES: [&str; 45] = [
    "AMENDS",
    "ANCESTOR_OF",
    "BUILD_DEPENDENCY_OF",
    "BUILD_TOOL_OF",
    "CONTAINED_BY",
    "CONTAINS",
    "COPY_OF",
    "DATA_FILE_OF",
    "DEPENDENCY_MANIFEST_OF",
    "DEPENDENCY_OF",
    "DEPENDS_ON",
    "DESCENDANT_OF",
    "DESCRIBED_BY",
    "DESCRIBES",
    "DEV_DEPENDENCY_OF",
    "DEV_TOOL_OF",
    "DISTRIBUTION_ARTIFACT",
    "DOCUMENTATION_OF",
    "DYNAMIC_LINK",
    "EXAMPLE_OF",
    "EXPANDED_FROM_ARCHIVE",
    "FILE_ADDED",
    "FILE_DELETED",
    "FILE_MODIFIED",
    "GENERATED_FROM",
    "GENERATES",
    "HAS_PREREQUISITE",
    "METAFILE_OF",
    "OPTIONAL_COMPONENT_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "OTHER",
    "PACKAGE_OF",
    "PATCH_APPLIED",
    "PATCH_FOR",
    "PREREQUISITE_FOR",
    "PROVIDED_DEPENDENCY_OF",
    "REQUIREMENT_DESCRIPTION_FOR",
    "RUNTIME_DEPENDENCY_OF",
    "SPECIFICATION_FOR",
    "STATIC_LINK",
    "TEST_CASE_OF",
    "TEST_DEPENDENCY_OF",
    "TEST_OF",
    "TEST_TOOL_OF",
    "VARIANT_OF",
];

/// Parses an SPDX 2.2/2.3 JSON document.
pub fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let unsupported = Cell::new(false);
    match json::read_seed(reader, cx.size, || Whole { cx, unsupported: &unsupported }, REGENERATE) {
        Ok(st) => Ok(st.finish()),
        Err(mut e) => {
            if unsupported.get() {
                e.code = Code::UnsupportedVersion;
                e.help = Some(regenerate_help());
            }
            Err(e)
        }
    }
}

/// The whole document, read into a fresh [`State`] (a document is read a second time to
/// locate an error: see [`json::read_seed`]).
struct Whole<'a, 'c> {
    cx: &'a Cx<'c>,
    /// Set when the document was refused for its SPDX version or variant.
    unsupported: &'a Cell<bool>,
}

impl<'de, 'a, 'c> DeserializeSeed<'de> for Whole<'a, 'c> {
    type Value = State<'a, 'c>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<State<'a, 'c>, D::Error> {
        let mut st = State {
            cx: self.cx,
            out: Parsed::default(),
            unsupported: false,
            elements: HashSet::new(),
            edges: Vec::new(),
            unknown_types: BTreeMap::new(),
            bad_purls: 0,
            relationships: 0,
            extracted: HashMap::new(),
        };
        let read = Document { st: &mut st }.deserialize(d);
        self.unsupported.set(st.unsupported);
        read.map(|()| st)
    }
}

/// For a file named with `--input spdx=…` that discovery does not recognize as SPDX JSON: the
/// error naming the SPDX variant it is written in (SPDX 3 JSON-LD, tag-value, YAML, XML), when
/// its first bytes (`head`) show one. `None` when it does not look like SPDX at all.
pub fn unsupported_variant(head: &[u8]) -> Option<IngestError> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let starts_line = |tag: &str| text.lines().any(|l| l.starts_with(tag));
    let (variant, help) = if text.starts_with('{') {
        let keys = top_level_keys(text.as_bytes());
        let spdx3 = keys.iter().any(|(k, _)| k == "@context") && text.contains("spdx.org/rdf/3");
        if !spdx3 {
            return None;
        }
        ("an SPDX 3 document (JSON-LD)", regenerate_help())
    } else if text.starts_with('<') {
        if !(text.contains("<spdxVersion>SPDX-") || text.contains("spdx.org/rdf/terms")) {
            return None;
        }
        ("an SPDX document in XML or RDF/XML", convert_help())
    } else if starts_line("SPDXVersion:") {
        ("an SPDX tag-value document", convert_help())
    } else if starts_line("spdxVersion:") {
        ("an SPDX document in YAML", convert_help())
    } else {
        return None;
    };
    Some(
        IngestError::new(Code::UnsupportedVersion, format!("this is {variant}, which verdict does not read"))
            .expected(SUPPORTED)
            .help(help),
    )
}

/// [`unsupported_variant`] for a file found in a folder, which is named by nothing: a text
/// file is an SPDX document when its first lines say so (`SPDXVersion: SPDX-2.3` in tag-value,
/// `spdxVersion:` or `SPDXID:` in YAML; comments and YAML's `---` passed over), not when a line
/// somewhere in it does.
pub fn found_variant(head: &[u8]) -> Option<IngestError> {
    // Discovery asks this of every file it does not recognize (source code, binaries, other
    // JSON): a byte search first, so that only a file that names SPDX is read as text.
    let body = super::sniff::content(head)?;
    let says_spdx = match body.first() {
        Some(b'{' | b'<') => memchr::memmem::find(body, b"spdx").is_some(),
        _ => body
            .split(|&b| b == b'\n')
            .map(<[u8]>::trim_ascii)
            .filter(|l| !l.is_empty() && !l.starts_with(b"#") && *l != b"---")
            .take(2)
            .any(|l| {
                [&b"SPDXVersion:"[..], b"spdxVersion:", b"SPDXID:"].iter().any(|tag| l.starts_with(tag))
            }),
    };
    says_spdx.then(|| unsupported_variant(head)).flatten()
}

/// For another SPDX version: ask the tool for 2.3 JSON.
fn regenerate_help() -> String {
    format!("verdict reads SPDX 2.2 and 2.3 JSON; have the SBOM tool write SPDX 2.3 JSON: {REGENERATE}")
}

/// For another serialization of SPDX 2: convert it, or ask the tool for JSON.
fn convert_help() -> String {
    format!(
        "convert it to SPDX JSON with spdx/tools-java \
         (`java -jar tools-java-<version>-jar-with-dependencies.jar Convert sbom.spdx sbom.spdx.json`), \
         or have the SBOM tool write SPDX 2.3 JSON: {REGENERATE}"
    )
}

/// What the parser accumulates while it streams the document.
struct State<'a, 'c> {
    cx: &'a Cx<'c>,
    out: Parsed,
    /// Set just before refusing a document of another SPDX version or variant, so that the
    /// error gets [`Code::UnsupportedVersion`] rather than the generic bad-value code.
    unsupported: bool,
    /// The `SPDXID` of every element the document defines (itself, packages, files, snippets).
    elements: HashSet<String>,
    /// Dependency edges (depending element, dependency, index of the relationship), in order.
    edges: Vec<(String, String, usize)>,
    /// Relationship types SPDX does not define: how often, and where first.
    unknown_types: BTreeMap<String, (u64, usize)>,
    /// Invalid purls seen (warned one by one up to [`LISTED_WARNINGS`]).
    bad_purls: u64,
    /// Relationships read so far.
    relationships: usize,
    /// What the document's own licenses (`hasExtractedLicensingInfos`) are called, by
    /// `LicenseRef-` id: the name, else the text when it is one short line.
    extracted: HashMap<String, String>,
}

/// The document object, visited key by key so that `packages` and `relationships` stream.
struct Document<'s, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Deserialize)]
struct CreationInfo {
    #[serde(default, deserialize_with = "list")]
    creators: Vec<String>,
}

#[derive(Deserialize)]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    id: String,
    name: String,
    #[serde(rename = "versionInfo", default, deserialize_with = "non_empty")]
    version: Option<String>,
    #[serde(rename = "externalRefs", default, deserialize_with = "list")]
    external_refs: Vec<ExternalRef>,
    #[serde(rename = "licenseConcluded", default, deserialize_with = "non_empty")]
    license_concluded: Option<String>,
    #[serde(rename = "licenseDeclared", default, deserialize_with = "non_empty")]
    license_declared: Option<String>,
    #[serde(default, deserialize_with = "list")]
    checksums: Vec<Checksum>,
    #[serde(default, deserialize_with = "non_empty")]
    supplier: Option<String>,
    #[serde(rename = "primaryPackagePurpose", default, deserialize_with = "non_empty")]
    purpose: Option<String>,
}

#[derive(Deserialize)]
struct ExternalRef {
    #[serde(rename = "referenceCategory")]
    category: String,
    #[serde(rename = "referenceType")]
    ref_type: String,
    #[serde(rename = "referenceLocator")]
    locator: String,
}

#[derive(Deserialize)]
struct Checksum {
    algorithm: String,
    #[serde(rename = "checksumValue")]
    value: String,
}

/// A file or snippet: only its id matters here.
#[derive(Deserialize)]
struct Element {
    #[serde(rename = "SPDXID", default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: String,
    #[serde(rename = "relationshipType")]
    rel_type: String,
    #[serde(rename = "relatedSpdxElement")]
    related: String,
}

impl<'de> Visitor<'de> for Document<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an SPDX 2.2 or 2.3 JSON document (an object with spdxVersion and packages)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        let mut version_seen = false;
        let mut keys = json::Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            keys.first(&key)?;
            match key.as_str() {
                "spdxVersion" => {
                    let v = map.next_value_seed(Version { st: &mut *st })?;
                    st.out.facts.spec_version = Some(v);
                    version_seen = true;
                }
                // SPDX 3 is JSON-LD: its documents open with a context and a graph.
                "@context" | "@graph" => map.next_value_seed(JsonLd { st: &mut *st })?,
                "SPDXID" => {
                    let id: Option<String> = map.next_value()?;
                    st.elements.extend(id);
                }
                "name" => {
                    let name: Option<String> = map.next_value()?;
                    st.out.facts.subject =
                        name.filter(|n| !n.trim().is_empty()).map(|n| cap(n, caps::MESSAGE));
                }
                "creationInfo" => {
                    let info: Option<CreationInfo> = map.next_value()?;
                    let creators = info.map(|i| i.creators).unwrap_or_default();
                    st.out.facts.tool = creators.iter().find_map(|c| tool(c));
                }
                "packages" => {
                    let mut each = |p: SpdxPackage| st.package(p);
                    map.next_value_seed(ForEach::new(&mut each))?;
                }
                "files" | "snippets" => {
                    let elements = &mut st.elements;
                    let mut each = |e: Element| elements.extend(e.id);
                    map.next_value_seed(ForEach::new(&mut each))?;
                }
                "relationships" => {
                    let mut each = |r: Relationship| st.relationship(r);
                    map.next_value_seed(ForEach::new(&mut each))?;
                }
                "hasExtractedLicensingInfos" => {
                    let extracted = &mut st.extracted;
                    let mut each = |e: ExtractedLicense| {
                        if let Some(name) = e.called() {
                            extracted.insert(e.id, name);
                        }
                    };
                    map.next_value_seed(ForEach::new(&mut each))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !version_seen {
            return Err(de::Error::missing_field("spdxVersion"));
        }
        st.name_references();
        Ok(())
    }
}

/// One of the document's own licenses (`hasExtractedLicensingInfos[]`).
#[derive(Deserialize)]
struct ExtractedLicense {
    #[serde(rename = "licenseId")]
    id: String,
    #[serde(default, deserialize_with = "non_empty")]
    name: Option<String>,
    #[serde(rename = "extractedText", default, deserialize_with = "non_empty")]
    text: Option<String>,
}

impl ExtractedLicense {
    /// What the license is called: its `name`, else its text when that is one short line (syft
    /// and Trivy put a license name that is not an SPDX id there, `GNU General Public License
    /// Version 2`); a whole license text names nothing.
    fn called(&self) -> Option<String> {
        let short = |t: &str| t.len() <= 200 && !t.trim().contains('\n');
        let name = self.name.as_deref().filter(|n| !n.trim().eq_ignore_ascii_case("NOASSERTION"));
        let called = name.or(self.text.as_deref().filter(|t| short(t)))?.trim();
        (!called.is_empty() && called != self.id).then(|| cap(called.to_owned(), caps::MESSAGE))
    }
}

/// `spdxVersion`, checked while it is read so that a refusal points at it.
struct Version<'s, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
}

impl<'de> DeserializeSeed<'de> for Version<'_, '_, '_> {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        let v = String::deserialize(d)?;
        self.st.check_version(&v)?;
        Ok(v)
    }
}

/// The `@context` or `@graph` of a JSON-LD document: refused where it stands.
struct JsonLd<'s, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
}

impl<'de> DeserializeSeed<'de> for JsonLd<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        self.st.unsupported = true;
        Err(bad_value("this is a JSON-LD document (SPDX 3), which verdict does not read", SUPPORTED))
    }
}

impl State<'_, '_> {
    /// A package's `LicenseRef-…` that the document names (`hasExtractedLicensingInfos`) gets
    /// that name beside it, read as a CycloneDX `license.name` is: `LicenseRef-GPL-2` called
    /// "GNU General Public License Version 2" is judged as GPL-2.0-only, where the reference
    /// alone would pass a deny list. The reference stays, for policies that match it.
    fn name_references(&mut self) {
        if self.extracted.is_empty() {
            return;
        }
        for c in &mut self.out.records.components {
            let named: Vec<License> = c
                .licenses
                .iter()
                .filter_map(|l| {
                    let called = self.extracted.get(l.name.as_deref()?)?;
                    Some(License {
                        id: None,
                        name: Some(called.clone()),
                        expression: None,
                        acknowledgement: l.acknowledgement.clone(),
                    })
                })
                .collect();
            c.licenses.extend(named);
        }
    }

    fn warn(&mut self, code: &str, message: String, path: String) {
        self.out.facts.warnings.push(Warning {
            code: code.to_owned(),
            message: cap(message, caps::MESSAGE),
            path: Some(path),
            line: None,
        });
    }

    /// SPDX-2.2 and SPDX-2.3 are read; another 2.x is read with a warning (2.0 and 2.1 had
    /// no JSON format, so such a file is off-specification but shaped like 2.2); anything
    /// else is refused.
    fn check_version<E: de::Error>(&mut self, v: &str) -> Result<(), E> {
        match v {
            "SPDX-2.2" | "SPDX-2.3" => Ok(()),
            other if other.strip_prefix("SPDX-2.").is_some_and(|m| m.parse::<u32>().is_ok()) => {
                self.warn(
                    "spdx/unexpected-version",
                    format!("spdxVersion {other:?} is not a version SPDX defines a JSON format for; read as SPDX 2.3"),
                    "spdxVersion".into(),
                );
                Ok(())
            }
            other => {
                self.unsupported = true;
                Err(bad_value(format!("unsupported spdxVersion {other:?}"), SUPPORTED))
            }
        }
    }

    fn package(&mut self, p: SpdxPackage) {
        // Every package becomes one component, so this is its index in `packages`.
        let index = self.out.records.components.len();
        let mut purl = None;
        let mut cpe22 = None;
        let mut cpe23 = None;
        for (j, r) in p.external_refs.into_iter().enumerate() {
            let category = r.category.replace('_', "-");
            match (category.as_str(), r.ref_type.as_str()) {
                ("PACKAGE-MANAGER", "purl") if purl.is_none() => {
                    if valid_purl(&r.locator) {
                        purl = Some(r.locator);
                    } else {
                        self.bad_purls += 1;
                        if self.bad_purls <= LISTED_WARNINGS as u64 {
                            self.warn(
                                "spdx/invalid-purl",
                                format!(
                                    "package {:?} has a purl that is not a package URL: {:?}; it is left out",
                                    p.name, r.locator
                                ),
                                format!("packages[{index}].externalRefs[{j}].referenceLocator"),
                            );
                        }
                    }
                }
                ("SECURITY", "cpe23Type") if cpe23.is_none() => cpe23 = Some(r.locator),
                ("SECURITY", "cpe22Type") if cpe22.is_none() => cpe22 = Some(r.locator),
                _ => {}
            }
        }
        let licenses = [("concluded", p.license_concluded), ("declared", p.license_declared)]
            .into_iter()
            .filter_map(|(ack, text)| license(text.as_deref()?, ack))
            .collect();
        let hashes = p.checksums.into_iter().map(|c| Hash { alg: c.algorithm, content: c.value }).collect();
        let component_type = p.purpose.map(|t| t.to_ascii_lowercase().replace('_', "-"));
        self.elements.insert(p.id.clone());
        self.out.records.components.push(Component {
            fingerprint: fingerprint::component(
                purl.as_deref(),
                component_type.as_deref(),
                None,
                &p.name,
                p.version.as_deref(),
            ),
            source: self.cx.source.clone(),
            bom_ref: Some(p.id),
            component_type,
            name: p.name,
            group: None,
            version: p.version,
            purl,
            cpe: cpe23.or(cpe22),
            licenses,
            hashes,
            scope: None,
            supplier: p.supplier.as_deref().and_then(agent_name),
            parent: None,
        });
    }

    fn relationship(&mut self, r: Relationship) {
        let index = self.relationships;
        self.relationships += 1;
        let edge = match r.rel_type.as_str() {
            "DEPENDS_ON" => Some((r.element, r.related)),
            "DEPENDENCY_OF" => Some((r.related, r.element)),
            known if RELATIONSHIP_TYPES.contains(&known) => None,
            unknown => {
                let entry = self.unknown_types.entry(unknown.to_owned()).or_insert((0, index));
                entry.0 += 1;
                None
            }
        };
        // `NONE`/`NOASSERTION` as an end say "no dependency" or "unknown", not an element.
        if let Some((from, to)) = edge.filter(|(f, t)| is_element(f) && is_element(t)) {
            self.edges.push((from, to, index));
        }
    }

    fn finish(mut self) -> Parsed {
        let mut dependencies: Vec<Dependency> = Vec::new();
        let mut node: HashMap<String, usize> = HashMap::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut undefined: BTreeMap<String, usize> = BTreeMap::new();
        for (from, to, index) in std::mem::take(&mut self.edges) {
            for end in [&from, &to] {
                // `DocumentRef-…:SPDXRef-…` names an element of another document.
                if !self.elements.contains(end.as_str()) && !end.starts_with("DocumentRef-") {
                    undefined.entry(end.clone()).or_insert(index);
                }
            }
            if !seen.insert((from.clone(), to.clone())) {
                continue;
            }
            let i = *node.entry(from.clone()).or_insert_with(|| {
                dependencies.push(Dependency {
                    source: self.cx.source.clone(),
                    dependency_ref: from,
                    depends_on: Vec::new(),
                });
                dependencies.len() - 1
            });
            if let Some(d) = dependencies.get_mut(i) {
                d.depends_on.push(to);
            }
        }
        self.out.records.dependencies = dependencies;
        if self.bad_purls > LISTED_WARNINGS as u64 {
            self.warn(
                "spdx/invalid-purl",
                format!(
                    "{} more packages have a purl that is not a package URL",
                    self.bad_purls - LISTED_WARNINGS as u64
                ),
                "packages".into(),
            );
        }
        for (rel_type, (count, index)) in std::mem::take(&mut self.unknown_types) {
            self.warn(
                "spdx/unknown-relationship-type",
                format!(
                    "{count} relationship(s) of type {rel_type:?}, which SPDX does not define, are ignored"
                ),
                format!("relationships[{index}].relationshipType"),
            );
        }
        if let Some(first) = undefined.values().min().copied() {
            let mut names: Vec<&str> = undefined.keys().map(String::as_str).take(LISTED_WARNINGS).collect();
            if undefined.len() > LISTED_WARNINGS {
                names.push("…");
            }
            self.warn(
                "spdx/undefined-element",
                format!(
                    "dependency relationships name {} element(s) the document does not define: {}",
                    undefined.len(),
                    names.join(", ")
                ),
                format!("relationships[{first}]"),
            );
        }
        self.out
    }
}

fn is_element(id: &str) -> bool {
    !(id.eq_ignore_ascii_case("NONE") || id.eq_ignore_ascii_case("NOASSERTION") || id.trim().is_empty())
}

/// A `licenseConcluded`/`licenseDeclared` value as an evidence license. `NOASSERTION` and
/// `NONE` say nothing about the license and are skipped. A single SPDX license id becomes `id`
/// (not checked against the SPDX license list); a single `LicenseRef-…` (or
/// `DocumentRef-…:LicenseRef-…`) becomes `name`, kept as written so that policies can match
/// it, since `id` holds only SPDX list ids; anything else (`MIT OR Apache-2.0`,
/// `GPL-2.0+`, `Apache-2.0 WITH LLVM-exception`) is an `expression`.
fn license(text: &str, acknowledgement: &str) -> Option<License> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("NOASSERTION") || t.eq_ignore_ascii_case("NONE") {
        return None;
    }
    let single = t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'));
    let reference =
        t.starts_with("LicenseRef-") || (t.starts_with("DocumentRef-") && t.contains(":LicenseRef-"));
    let t = cap(t.to_owned(), caps::MESSAGE);
    let (id, name, expression) = match (single, reference) {
        (true, true) => (None, Some(t), None),
        (true, false) => (Some(t), None, None),
        (false, _) => (None, None, Some(t)),
    };
    Some(License { id, name, expression, acknowledgement: Some(acknowledgement.to_owned()) })
}

/// The name in an SPDX agent (`Organization: Acme (ops@acme.example)`, `Person: Jane Doe ()`):
/// the prefix and the contact in parentheses are dropped; `NOASSERTION` is no name.
fn agent_name(agent: &str) -> Option<String> {
    let a = agent.trim();
    let a = ["Organization:", "Person:", "Tool:"].iter().find_map(|p| a.strip_prefix(p)).unwrap_or(a).trim();
    let a = match (a.ends_with(')'), a.rfind(" (")) {
        (true, Some(i)) => a.get(..i).unwrap_or(a).trim(),
        _ => a,
    };
    (!a.is_empty() && !a.eq_ignore_ascii_case("NOASSERTION")).then(|| cap(a.to_owned(), caps::MESSAGE))
}

/// A `Tool: name-version` creator as the artifact's tool: the version starts at the first
/// `-` or space followed by a digit (or `v` and a digit); `Tool: trivy-0.58.1` → `trivy`,
/// `0.58.1`. A tool without such a part has no version.
fn tool(creator: &str) -> Option<Tool> {
    let rest = creator.trim().strip_prefix("Tool:")?.trim();
    let versioned = |s: &str| {
        let s = s.strip_prefix('v').unwrap_or(s);
        s.starts_with(|c: char| c.is_ascii_digit())
    };
    let split = rest
        .char_indices()
        .filter(|&(_, c)| c == '-' || c == ' ')
        .find(|&(i, _)| rest.get(i + 1..).is_some_and(versioned))
        .map(|(i, _)| i);
    let (name, version) = match split {
        Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i + 1..)),
        None => (rest, None),
    };
    let name = name.trim();
    (!name.is_empty()).then(|| Tool {
        name: name.to_ascii_lowercase(),
        version: version.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned),
    })
}

/// Whether `s` has the shape of a package URL: `pkg:TYPE/…NAME…`, with a type of letters,
/// digits, `.`, `+` or `-` (starting with a letter) and a non-empty name. Only the shape is
/// checked, not any type's own rules.
fn valid_purl(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("pkg:") else { return false };
    let rest = rest.trim_start_matches('/');
    let Some((ty, path)) = rest.split_once('/') else { return false };
    let ty_ok = ty.starts_with(|c: char| c.is_ascii_alphabetic())
        && ty.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let name = name.split('@').next().unwrap_or_default();
    ty_ok && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, IngestError> {
        crate::ingest::parse_text(
            crate::evidence::Kind::Spdx,
            crate::evidence::Format::Json,
            "sbom.spdx.json",
            text,
        )
    }

    fn doc(version: &str, packages: &str, relationships: &str) -> String {
        format!(
            r#"{{"spdxVersion": "{version}", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
               "creationInfo": {{"created": "2024-01-01T00:00:00Z",
                 "creators": ["Organization: Acme", "Tool: trivy-0.58.1"]}},
               "packages": [{packages}], "relationships": [{relationships}]}}"#
        )
    }

    /// The dependency graph as (element, its dependencies).
    fn graph(p: &Parsed) -> Vec<(&str, Vec<&str>)> {
        let deps = p.records.dependencies.iter();
        deps.map(|d| (d.dependency_ref.as_str(), d.depends_on.iter().map(String::as_str).collect())).collect()
    }

    fn rel(from: &str, ty: &str, to: &str) -> String {
        format!(r#"{{"spdxElementId": "{from}", "relationshipType": "{ty}", "relatedSpdxElement": "{to}"}}"#)
    }

    const LODASH: &str = r#"{"SPDXID": "SPDXRef-lodash", "name": "lodash", "versionInfo": "4.17.21",
        "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "LIBRARY",
        "supplier": "Organization: OpenJS Foundation (info@openjsf.org)",
        "licenseConcluded": "MIT", "licenseDeclared": "NOASSERTION",
        "checksums": [{"algorithm": "SHA1", "checksumValue": "85ed0817af83a24ad8da68c2b5094de69833983c"}],
        "externalRefs": [
          {"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": "cpe:/a:lodash:lodash:4.17.21"},
          {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*"},
          {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/lodash@4.17.21"}]}"#;

    /// A package keeps its purl, CPE (2.3 preferred), licenses, hashes, supplier and type.
    #[test]
    fn package_fields() {
        let p = parse_str(&doc("SPDX-2.3", LODASH, "")).expect("parses");
        let c = p.records.components.first().expect("one");
        assert_eq!(c.bom_ref.as_deref(), Some("SPDXRef-lodash"));
        assert_eq!((c.name.as_str(), c.version.as_deref()), ("lodash", Some("4.17.21")));
        assert_eq!(c.purl.as_deref(), Some("pkg:npm/lodash@4.17.21"));
        assert_eq!(c.cpe.as_deref(), Some("cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*"));
        assert_eq!(c.component_type.as_deref(), Some("library"));
        assert_eq!(c.supplier.as_deref(), Some("OpenJS Foundation"));
        assert_eq!(
            c.hashes,
            [Hash { alg: "SHA1".into(), content: "85ed0817af83a24ad8da68c2b5094de69833983c".into() }]
        );
        assert_eq!(
            c.licenses,
            [License {
                id: Some("MIT".into()),
                name: None,
                expression: None,
                acknowledgement: Some("concluded".into())
            }]
        );
        assert_eq!(
            c.fingerprint,
            fingerprint::component(Some("pkg:npm/lodash@4.17.21"), None, None, "x", None)
        );
        assert_eq!(p.facts.spec_version.as_deref(), Some("SPDX-2.3"));
        assert_eq!(p.facts.subject.as_deref(), Some("app"));
        assert_eq!(p.facts.tool, Some(Tool { name: "trivy".into(), version: Some("0.58.1".into()) }));
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// Ids, LicenseRefs and expressions land in their own fields; NOASSERTION and NONE are
    /// skipped.
    #[test]
    fn license_mapping() {
        let lic = |t: &str| license(t, "declared");
        assert_eq!(lic("NOASSERTION"), None);
        assert_eq!(lic("NONE"), None);
        assert_eq!(lic(" "), None);
        assert_eq!(lic("Apache-2.0").and_then(|l| l.id).as_deref(), Some("Apache-2.0"));
        assert_eq!(
            lic("LicenseRef-Beerware-4.2").and_then(|l| l.name).as_deref(),
            Some("LicenseRef-Beerware-4.2")
        );
        assert_eq!(
            lic("DocumentRef-x:LicenseRef-1").and_then(|l| l.name).as_deref(),
            Some("DocumentRef-x:LicenseRef-1")
        );
        for e in [
            "MIT OR Apache-2.0",
            "GPL-2.0+",
            "(LGPL-2.0-only AND LicenseRef-3)",
            "Apache-2.0 WITH LLVM-exception",
        ] {
            let l = lic(e).expect(e);
            assert_eq!((l.id, l.name, l.expression.as_deref()), (None, None, Some(e)));
        }
        let both = r#"{"SPDXID": "SPDXRef-a", "name": "a", "licenseConcluded": "NONE",
                       "licenseDeclared": "(MIT AND BSD-3-Clause)"}"#;
        let p = parse_str(&doc("SPDX-2.2", both, "")).expect("parses");
        let c = p.records.components.first().expect("one");
        let [l] = c.licenses.as_slice() else { panic!("one license: {:?}", c.licenses) };
        assert_eq!(l.expression.as_deref(), Some("(MIT AND BSD-3-Clause)"));
        assert_eq!(l.acknowledgement.as_deref(), Some("declared"));
    }

    /// DEPENDS_ON and reversed DEPENDENCY_OF group by element, once per edge; other
    /// relationships and NOASSERTION ends are no dependency.
    #[test]
    fn relationships_to_dependencies() {
        let packages =
            ["app", "a", "b"].map(|n| format!(r#"{{"SPDXID": "SPDXRef-{n}", "name": "{n}"}}"#)).join(",");
        let rels = [
            rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-app"),
            rel("SPDXRef-app", "DEPENDS_ON", "SPDXRef-a"),
            rel("SPDXRef-b", "DEPENDENCY_OF", "SPDXRef-app"),
            rel("SPDXRef-app", "DEPENDS_ON", "SPDXRef-a"),
            rel("SPDXRef-a", "DEPENDS_ON", "SPDXRef-b"),
            rel("SPDXRef-b", "DEPENDS_ON", "NOASSERTION"),
            rel("SPDXRef-app", "CONTAINS", "SPDXRef-b"),
            rel("SPDXRef-a", "DEPENDS_ON", "DocumentRef-other:SPDXRef-c"),
        ]
        .join(",");
        let p = parse_str(&doc("SPDX-2.3", &packages, &rels)).expect("parses");
        assert_eq!(
            graph(&p),
            [
                ("SPDXRef-app", vec!["SPDXRef-a", "SPDXRef-b"]),
                ("SPDXRef-a", vec!["SPDXRef-b", "DocumentRef-other:SPDXRef-c"])
            ]
        );
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// SPDX 2.2 and 2.3 are read; 2.1 with a warning; 3.0, in any shape, is refused as an
    /// unsupported version that says what is read.
    #[test]
    fn versions() {
        for v in ["SPDX-2.2", "SPDX-2.3"] {
            let p = parse_str(&doc(v, LODASH, "")).expect(v);
            assert_eq!(p.facts.spec_version.as_deref(), Some(v));
            assert!(p.facts.warnings.is_empty());
        }
        let p = parse_str(&doc("SPDX-2.1", LODASH, "")).expect("2.1");
        assert_eq!(p.facts.warnings.first().map(|w| w.code.as_str()), Some("spdx/unexpected-version"));

        let e = parse_str(&doc("SPDX-3.0", LODASH, "")).expect_err("3.0");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert_eq!(e.location.path.as_deref(), Some("spdxVersion"));
        assert!(e.expected.as_deref().is_some_and(|x| x.contains("SPDX 2.2 or 2.3 JSON")));

        let jsonld = r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#;
        let e = parse_str(jsonld).expect_err("JSON-LD");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert_eq!(e.location.path.as_deref(), Some("@context"));
        assert!(e.message.contains("SPDX 3"), "{}", e.message);
        assert!(e.help.as_deref().is_some_and(|h| h.contains("spdx-json")));

        let e = parse_str(r#"{"SPDXID": "SPDXRef-DOCUMENT", "packages": []}"#).expect_err("no version");
        assert_eq!(e.code, Code::MissingField);
    }

    /// The other SPDX serializations are named when given as `--input spdx=…`; other files
    /// are left to the generic wrong-kind error.
    #[test]
    fn unsupported_variants() {
        let cases = [
            (r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": ["#, "SPDX 3"),
            ("## Document Information\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "tag-value"),
            ("---\nSPDXID: \"SPDXRef-DOCUMENT\"\nspdxVersion: \"SPDX-2.3\"\n", "YAML"),
            ("<?xml version='1.0'?>\n<Document>\n  <spdxVersion>SPDX-2.3</spdxVersion>", "XML"),
        ];
        for (head, word) in cases {
            let e = unsupported_variant(head.as_bytes()).expect(word);
            assert_eq!(e.code, Code::UnsupportedVersion);
            assert!(e.message.contains(word), "{}", e.message);
        }
        for other in
            [r#"{"@context": "https://schema.org"}"#, r#"{"invalid": "data"}"#, "<testsuites>", "hello"]
        {
            assert!(unsupported_variant(other.as_bytes()).is_none(), "{other}");
        }
    }

    /// Off-specification content is read with warnings: a purl that is not a package URL is
    /// left out, unknown relationship types and undefined elements are named.
    #[test]
    fn off_spec_warnings() {
        let packages = r#"{"SPDXID": "SPDXRef-musl", "name": "musl", "versionInfo": "1.2.3-r0",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": "pkg:invalid"}]}"#;
        let rels = [
            rel("SPDXRef-DOCUMENT", "DESCRIBE", "SPDXRef-musl"),
            rel("SPDXRef-musl", "DEPENDS_ON", "SPDXRef-ghost"),
        ]
        .join(",");
        let p = parse_str(&doc("SPDX-2.2", packages, &rels)).expect("readable");
        let c = p.records.components.first().expect("kept");
        assert_eq!(c.purl, None);
        assert_eq!(c.fingerprint, fingerprint::component(None, None, None, "musl", Some("1.2.3-r0")));
        let got: Vec<(&str, Option<&str>)> =
            p.facts.warnings.iter().map(|w| (w.code.as_str(), w.path.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("spdx/invalid-purl", Some("packages[0].externalRefs[0].referenceLocator")),
                ("spdx/unknown-relationship-type", Some("relationships[0].relationshipType")),
                ("spdx/undefined-element", Some("relationships[1]")),
            ]
        );
        assert!(p.facts.warnings.iter().any(|w| w.message.contains("SPDXRef-ghost")));
    }

    /// A `LicenseRef-` the document names in `hasExtractedLicensingInfos` (even after the
    /// packages) gets that name beside it, so a deny list sees "GNU General Public License
    /// Version 2"; a whole license text, or no entry, adds nothing.
    #[test]
    fn license_references_get_their_names() {
        let text = r#"{"spdxVersion": "SPDX-2.3", "name": "x", "packages": [
            {"SPDXID": "SPDXRef-a", "name": "jnr-posix", "licenseDeclared": "LicenseRef-GNU-General-Public-License-version-2"},
            {"SPDXID": "SPDXRef-b", "name": "b", "licenseConcluded": "LicenseRef-Full", "licenseDeclared": "LicenseRef-Unlisted"}],
          "hasExtractedLicensingInfos": [
            {"licenseId": "LicenseRef-GNU-General-Public-License-version-2", "extractedText": "GNU General Public License Version 2"},
            {"licenseId": "LicenseRef-Full", "extractedText": "Permission is hereby granted...\nTHE SOFTWARE IS PROVIDED"}]}"#;
        let p = parse_str(text).expect("parses");
        let names = |i: usize| -> Vec<Option<&str>> {
            p.records.components[i].licenses.iter().map(|l| l.name.as_deref()).collect()
        };
        assert_eq!(
            names(0),
            [
                Some("LicenseRef-GNU-General-Public-License-version-2"),
                Some("GNU General Public License Version 2")
            ]
        );
        assert_eq!(p.records.components[0].licenses[1].acknowledgement.as_deref(), Some("declared"));
        assert_eq!(names(1), [Some("LicenseRef-Full"), Some("LicenseRef-Unlisted")]);
    }

    /// A package without a name cannot be a component: an error at the package.
    #[test]
    fn package_without_name() {
        let e = parse_str(&doc("SPDX-2.3", r#"{"SPDXID": "SPDXRef-x"}"#, "")).expect_err("no name");
        assert_eq!(e.code, Code::MissingField);
        assert_eq!(e.location.path.as_deref(), Some("packages[0]"));
        assert!(e.message.contains("name"), "{}", e.message);
    }

    /// Files are not components, but a dependency on one is not an undefined element.
    #[test]
    fn files_are_not_components() {
        let text = r#"{"spdxVersion": "SPDX-2.3", "name": "x", "files": [{"SPDXID": "SPDXRef-f", "fileName": "./a.c"}],
            "packages": [{"SPDXID": "SPDXRef-p", "name": "p"}],
            "relationships": [{"spdxElementId": "SPDXRef-p", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-f"}]}"#;
        let p = parse_str(text).expect("parses");
        assert_eq!(p.records.components.len(), 1);
        assert_eq!(p.records.dependencies.len(), 1);
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// The SPDX 2.3 specification's example: expressions with LicenseRefs, ids, CPE 2.3,
    /// purl, every checksum, the supplier without contact, the purpose as type.
    #[test]
    fn spec_example_2_3() {
        let p =
            parse_str(include_str!("../../fixtures/spdx/SPDXJSONExample-v2.3.spdx.json")).expect("parses");
        assert_eq!(p.facts.tool, Some(Tool { name: "licensefind".into(), version: Some("1.0".into()) }));
        assert_eq!(p.facts.subject.as_deref(), Some("SPDX-Tools-v2.0"));
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
        let by_name = |n: &str| p.records.components.iter().find(|c| c.name == n).expect(n);
        assert_eq!(p.records.components.len(), 4);
        let glibc = by_name("glibc");
        let exprs: Vec<_> =
            glibc.licenses.iter().map(|l| (l.expression.as_deref(), l.acknowledgement.as_deref())).collect();
        assert_eq!(
            exprs,
            [
                (Some("(LGPL-2.0-only OR LicenseRef-3)"), Some("concluded")),
                (Some("(LGPL-2.0-only AND LicenseRef-3)"), Some("declared"))
            ]
        );
        assert_eq!(glibc.hashes.len(), 4);
        assert_eq!(
            glibc.cpe.as_deref(),
            Some("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*")
        );
        assert_eq!(
            (glibc.supplier.as_deref(), glibc.component_type.as_deref()),
            (Some("Jane Doe"), Some("source"))
        );
        assert_eq!(by_name("Jena").purl.as_deref(), Some("pkg:maven/org.apache.jena/apache-jena@3.12.0"));
        assert!(by_name("Apache Commons Lang").licenses.is_empty(), "NOASSERTION is skipped");
        assert_eq!(by_name("Saxon").licenses.first().and_then(|l| l.id.as_deref()), Some("MPL-1.0"));
        assert!(p.records.dependencies.is_empty(), "no DEPENDS_ON in the example");
    }

    /// A real-world SPDX 2.2 document: DEPENDENCY_OF is read backwards, TEST_DEPENDENCY_OF is
    /// not a dependency, a lone LicenseRef is a name.
    #[test]
    fn real_world_2_2() {
        let p = parse_str(include_str!("../../fixtures/spdx/appbomination.spdx.json")).expect("parses");
        assert_eq!(p.facts.spec_version.as_deref(), Some("SPDX-2.2"));
        assert_eq!(
            graph(&p),
            [("SPDXRef-22", vec!["SPDXRef-23"]), ("SPDXRef-1", vec!["SPDXRef-21", "SPDXRef-20"])]
        );
        let faust = p.records.components.iter().find(|c| c.name.starts_with("Faust")).expect("Faust");
        assert_eq!(faust.licenses.first().and_then(|l| l.name.as_deref()), Some("LicenseRef-1"));
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// Trivy's SPDX output: its tool, packages (a second `B` with the same name is its own
    /// component) and its one DEPENDS_ON.
    #[test]
    fn trivy_output() {
        let p = parse_str(include_str!("../../fixtures/spdx/trivy-julia-spdx.json")).expect("parses");
        assert_eq!(p.facts.tool.as_ref().map(|t| t.name.as_str()), Some("trivy-dev"));
        assert_eq!(p.records.components.len(), 5);
        let [d] = p.records.dependencies.as_slice() else { panic!("one node") };
        assert_eq!(d.dependency_ref, "SPDXRef-Package-87b4e00fb433805d");
        assert_eq!(d.depends_on, ["SPDXRef-Package-32e95bcb6c889958"]);
    }

    /// Trivy's deliberately broken `sad-invalid-purl` is readable: the bad purl and the
    /// misspelt `DESCRIBE` relationship are warnings.
    #[test]
    fn trivy_sad_invalid_purl() {
        let p = parse_str(include_str!("../../fixtures/spdx/sbom-spdx--sad-invalid-purl.json"))
            .expect("readable");
        assert_eq!(p.records.components.len(), 3);
        assert!(p.records.components.iter().all(|c| c.purl.is_none()));
        let codes: Vec<_> = p.facts.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["spdx/invalid-purl", "spdx/unknown-relationship-type"]);
    }

    /// The SPDX 3.0 JSON-LD example is refused by the parser and named from its first bytes;
    /// so is Checkov's tag-value SPDX.
    #[test]
    fn real_unsupported_documents() {
        let jsonld = include_str!("../../fixtures/spdx/package_sbom.jsonld.json");
        let e = parse_str(jsonld).expect_err("SPDX 3");
        assert_eq!(e.code, Code::UnsupportedVersion);
        let e = unsupported_variant(jsonld.as_bytes()).expect("named");
        assert!(e.message.contains("SPDX 3"));
        let tv = include_str!("../../fixtures/spdx/checkov-tag-value.spdx");
        let e = unsupported_variant(tv.as_bytes()).expect("named");
        assert!(e.message.contains("tag-value"));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("tools-java")));
    }

    /// Creators and suppliers: prefixes, contacts and versions are split off.
    #[test]
    fn agents_and_tools() {
        assert_eq!(agent_name("Person: Jane Doe (jane.doe@example.com)").as_deref(), Some("Jane Doe"));
        assert_eq!(agent_name("Organization: ExampleCodeInspect ()").as_deref(), Some("ExampleCodeInspect"));
        assert_eq!(agent_name("NOASSERTION"), None);
        let t = |c: &str| tool(c).map(|t| (t.name, t.version));
        assert_eq!(t("Tool: LicenseFind-1.0"), Some(("licensefind".into(), Some("1.0".into()))));
        assert_eq!(t("Tool: syft-v1.4.1"), Some(("syft".into(), Some("v1.4.1".into()))));
        assert_eq!(
            t("Tool: spdx-sbom-generator-0.0.15"),
            Some(("spdx-sbom-generator".into(), Some("0.0.15".into())))
        );
        assert_eq!(t("Tool: trivy-dev"), Some(("trivy-dev".into(), None)));
        assert_eq!(t("Organization: Acme"), None);
    }

    /// Package URLs are checked for their shape only.
    #[test]
    fn purl_shape() {
        for ok in [
            "pkg:npm/lodash@4.17.21",
            "pkg:maven/org.apache.jena/apache-jena@3.12.0",
            "pkg:golang/golang.org/x/text@v0.3.7?type=module",
            "pkg:npm/%40angular/core@1",
        ] {
            assert!(valid_purl(ok), "{ok}");
        }
        for bad in ["pkg:invalid", "npm/lodash", "pkg:/lodash", "pkg:npm/", "pkg:1npm/x", "pkg:npm/@1.0"] {
            assert!(!valid_purl(bad), "{bad}");
        }
    }

    /// Found in a folder, a text file is an SPDX document when its first lines say so, and
    /// not when SPDX is only mentioned further down (a README about SBOMs).
    #[test]
    fn found_variants_are_told_by_their_first_lines() {
        let refused = |text: &str| found_variant(text.as_bytes()).map(|e| e.message.clone());
        assert!(
            refused("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n").is_some_and(|m| m.contains("tag-value"))
        );
        assert!(refused("## Document Information\nSPDXVersion: SPDX-2.3\n").is_some());
        assert!(
            refused("---\nSPDXID: \"SPDXRef-DOCUMENT\"\nspdxVersion: \"SPDX-2.3\"\n")
                .is_some_and(|m| m.contains("YAML"))
        );
        let readme = "# SBOMs\n\nWe write SBOMs.\nThey look like this:\n\nSPDXVersion: SPDX-2.3\n";
        assert_eq!(refused(readme), None);
        assert_eq!(refused("fn main() {}\n"), None);
    }
}
