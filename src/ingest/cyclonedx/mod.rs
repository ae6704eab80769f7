//! CycloneDX SBOM (JSON and XML, specification 1.2–1.7) → components and dependencies.
//!
//! Owns: CycloneDX's field names and element names, the mapping of components, licenses,
//! hashes and the dependency graph to evidence, and the conformance stance: what makes a
//! document unreadable (an [`IngestError`]) and what makes it readable but non-conforming
//! (a [`Warning`] in [`Facts::warnings`](crate::ingest::Facts::warnings)). `docs/formats/cyclonedx.md` is the reference.
//! Takes a reader and a [`Cx`]; returns [`Parsed`] or an [`IngestError`] with a location.
//! Must not: open files, decide pass or fail, print, or use the network.
//!
//! Both readers stream: JSON member by member and array element by element
//! (`read_json`), XML event by event (`read_xml`); memory follows the number of
//! components, never the size of the file.
//!
//! Conformance: JSON documents are checked against the official JSON schema of their
//! `specVersion` (`schema`, embedded from `schemas/cyclonedx/`), one top-level array element
//! at a time. XML has no usable pure-Rust XSD validator, so the XSD rules that matter — and
//! every rule the specification's own `invalid-*` documents exercise — are table-driven checks
//! (`rules`).
//!
//! The `cyclonedx-bom` crate is not used here: it reads a whole document into an in-memory
//! model (memory follows the file), knows only specification 1.3–1.5, and its `validate()`
//! covers less than the official schemas do. It serves as an independent cross-check in the
//! conformance tests instead (`tests/conformance/cyclonedx.rs`).

mod locate;
mod read_json;
mod read_xml;
mod rules;
mod scan;
mod schema;
mod tree;

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use super::json::cap;
use super::{Code, Cx, IngestError, Parsed, caps};
use crate::evidence::{Component, Dependency, Hash, License, Records, Tool, Warning, fingerprint};

/// How to produce a good CycloneDX document, for the `help` of errors.
const REGENERATE: &str = "`cyclonedx-npm`, `cyclonedx-py`, `cyclonedx-gomod`, `trivy fs --format cyclonedx`, \
     `syft -o cyclonedx-json` or the CycloneDX plugin of your build tool";

/// Parses a CycloneDX JSON document (`bomFormat: "CycloneDX"`, `specVersion` 1.2–1.7).
pub fn parse_json<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    read_json::parse(reader, cx)
}

/// Parses a CycloneDX XML document (root `<bom>` in `http://cyclonedx.org/schema/bom/1.2`
/// to `…/1.7`).
pub fn parse_xml<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    read_xml::parse(reader, cx)
}

/// The stable codes of the warnings this module writes (each documented in
/// `docs/formats/cyclonedx.md`).
pub mod codes {
    /// The document breaks the JSON schema or an XSD rule of its specification version.
    pub const SCHEMA_VIOLATION: &str = "cyclonedx/schema-violation";
    /// Two elements share a `bom-ref` (the XSD's `xs:unique`; the specification's text for JSON).
    pub const DUPLICATE_BOM_REF: &str = "cyclonedx/duplicate-bom-ref";
    /// A dependency names a `bom-ref` that no component or service of the document has.
    pub const DANGLING_REF: &str = "cyclonedx/dangling-ref";
    /// A hash's hex digest has a length its algorithm cannot produce.
    pub const HASH_LENGTH: &str = "cyclonedx/hash-length";
    /// The document declares a newer 1.x version than verdict knows; it was read without
    /// conformance checks.
    pub const UNKNOWN_SPEC_VERSION: &str = "cyclonedx/unknown-spec-version";
    /// More problems than are listed: the rest are counted in this warning's message.
    pub const WARNINGS_TRUNCATED: &str = "cyclonedx/warnings-truncated";
    /// Elements came before `specVersion` in such bulk that some were read without being
    /// checked against the schema.
    pub const PARTLY_CHECKED: &str = "cyclonedx/partly-checked";

    /// The document lists vulnerabilities (`vulnerabilities[]`), which verdict does not judge
    /// from an SBOM: its message counts them by severity.
    pub const VULNERABILITIES: &str = "cyclonedx/vulnerabilities";

    /// Every code, for documentation tests.
    pub const ALL: [&str; 8] = [
        VULNERABILITIES,
        SCHEMA_VIOLATION,
        DUPLICATE_BOM_REF,
        DANGLING_REF,
        HASH_LENGTH,
        UNKNOWN_SPEC_VERSION,
        WARNINGS_TRUNCATED,
        PARTLY_CHECKED,
    ];
}

/// A CycloneDX specification version `1.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SpecVersion(u8);

/// The oldest and newest minor versions verdict reads and checks.
const OLDEST: u8 = 2;
const NEWEST: u8 = 7;

impl SpecVersion {
    /// Reads `1.5` (JSON `specVersion`, the tail of the XML namespace).
    fn parse(text: &str) -> Result<SpecVersion, IngestError> {
        let t = text.trim();
        let (major, minor) = t.split_once('.').unwrap_or((t, ""));
        let major: Option<u32> = major.parse().ok();
        let minor: Option<u8> = minor.parse().ok();
        match (major, minor) {
            (Some(1), Some(m)) if m >= OLDEST => Ok(SpecVersion(m)),
            (Some(1), Some(m)) => Err(IngestError::new(
                Code::UnsupportedVersion,
                format!("CycloneDX 1.{m} is not supported"),
            )
            .expected(format!("specification 1.{OLDEST} to 1.{NEWEST}"))
            .help(format!(
                "CycloneDX 1.0 and 1.1 predate dependencies and most of today's fields; regenerate the SBOM with a current tool ({REGENERATE})"
            ))),
            (Some(major), Some(_)) => Err(IngestError::new(
                Code::UnsupportedVersion,
                format!("CycloneDX {t} is not supported"),
            )
            .expected(format!("specification 1.{OLDEST} to 1.{NEWEST}"))
            .help(format!(
                "CycloneDX {major}.x is a different document model; ask the generator for a 1.x document (e.g. 1.6)"
            ))),
            _ => Err(IngestError::new(
                Code::BadValue,
                format!("{:?} is not a CycloneDX specification version", cap(t.to_owned(), 64)),
            )
            .expected(format!("a version such as \"1.{NEWEST}\""))
            .help(format!("regenerate the SBOM: {REGENERATE}"))),
        }
    }

    /// True for the versions whose rules verdict has (1.2–1.7); newer 1.x are read leniently.
    fn is_known(self) -> bool {
        (OLDEST..=NEWEST).contains(&self.0)
    }

    /// `1.5`.
    fn label(self) -> String {
        format!("1.{}", self.0)
    }

    /// The warning for a newer 1.x version.
    fn unknown_warning(self, path: Option<String>, line: Option<u64>) -> Warning {
        Warning {
            code: codes::UNKNOWN_SPEC_VERSION.into(),
            message: format!(
                "CycloneDX {} is newer than the 1.{NEWEST} verdict knows: components and dependencies were read as in 1.{NEWEST}, without conformance checks",
                self.label()
            ),
            path,
            line,
        }
    }
}

/// At most this many warnings are listed per document; the rest are counted.
const MAX_WARNINGS: usize = 100;

/// The warnings of one document, bounded.
#[derive(Debug, Default)]
struct Warnings {
    list: Vec<Warning>,
    dropped: u64,
}

impl Warnings {
    fn push(&mut self, code: &'static str, message: String, path: Option<String>, line: Option<u64>) {
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        self.list.push(Warning { code: code.into(), message: cap(message, caps::MESSAGE), path, line });
    }

    fn finish(mut self) -> Vec<Warning> {
        if self.dropped > 0 {
            self.list.push(Warning {
                code: codes::WARNINGS_TRUNCATED.into(),
                message: format!(
                    "{} more problems are not listed (the first {MAX_WARNINGS} are)",
                    self.dropped
                ),
                path: None,
                line: None,
            });
        }
        self.list
    }
}

/// How far a reader's consumer has read: bytes, and the newlines among them.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    bytes: u64,
    newlines: u64,
}

/// A reader that counts what its consumer has consumed, so that the XML reader can say on
/// which line an element starts (quick-xml does not tell). The count is shared through
/// `Rc<Cell>`: the reader itself moves into quick-xml.
struct Counted<R> {
    inner: R,
    pos: Rc<Cell<Position>>,
}

impl<R: BufRead> Counted<R> {
    fn new(inner: R) -> (Self, Rc<Cell<Position>>) {
        let pos = Rc::new(Cell::new(Position::default()));
        (Counted { inner, pos: Rc::clone(&pos) }, pos)
    }
}

/// Adds what was consumed to the position.
fn advance(pos: &Cell<Position>, consumed: &[u8]) {
    let p = pos.get();
    pos.set(Position {
        bytes: p.bytes + consumed.len() as u64,
        newlines: p.newlines + count_newlines(consumed),
    });
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.inner.fill_buf()?;
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
            advance(&self.pos, src);
        }
        self.inner.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The buffer is non-empty whenever `amt > 0`, so this `fill_buf` does no I/O.
        if amt > 0
            && let Ok(buf) = self.inner.fill_buf()
        {
            advance(&self.pos, buf.get(..amt).unwrap_or(buf));
        }
        self.inner.consume(amt);
    }
}

/// The fields of a component as either syntax writes them, before they become evidence.
#[derive(Debug, Default)]
struct Fields {
    bom_ref: Option<String>,
    component_type: Option<String>,
    name: String,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    licenses: Vec<License>,
    hashes: Vec<Hash>,
    scope: Option<String>,
    supplier: Option<String>,
}

/// An optional text field: empty and blank mean absent; long text is capped.
fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(|s| cap(s.to_owned(), caps::MESSAGE))
}

/// [`text`] of a string already owned: handed on as it is unless it needs trimming.
fn owned_text(s: Option<String>) -> Option<String> {
    match s {
        Some(s) if s.trim().len() == s.len() => {
            Some(s).filter(|s| !s.is_empty()).map(|s| cap(s, caps::MESSAGE))
        }
        other => text(other.as_deref()),
    }
}

/// `s` without surrounding whitespace, copied only when there is some.
fn trimmed(s: String) -> String {
    if s.trim().len() == s.len() { s } else { s.trim().to_owned() }
}

impl Fields {
    fn into_component(self, cx: &Cx<'_>, parent: Option<String>) -> Component {
        let name = cap(self.name, caps::MESSAGE);
        Component {
            fingerprint: fingerprint::component(
                self.purl.as_deref(),
                self.component_type.as_deref(),
                self.group.as_deref(),
                &name,
                self.version.as_deref(),
            ),
            source: cx.source.clone(),
            bom_ref: self.bom_ref,
            component_type: self.component_type,
            name,
            group: self.group,
            version: self.version,
            purl: self.purl,
            cpe: self.cpe,
            licenses: self.licenses,
            hashes: self.hashes,
            scope: self.scope,
            supplier: self.supplier,
            parent,
        }
    }
}

/// The hex lengths each algorithm produces (`None`: any length the schema allows).
fn digest_lengths(alg: &str) -> Option<&'static [usize]> {
    Some(match alg {
        "MD5" => &[32],
        "SHA-1" => &[40],
        "SHA-256" | "SHA3-256" | "BLAKE2b-256" | "Streebog-256" => &[64],
        "SHA-384" | "SHA3-384" | "BLAKE2b-384" => &[96],
        "SHA-512" | "SHA3-512" | "BLAKE2b-512" | "Streebog-512" => &[128],
        _ => return None,
    })
}

/// A problem with a digest that the schemas cannot express: a hex digest of a length its
/// algorithm cannot produce (an MD5 of 64 hex digits). Digests that are not hex, or of no
/// length any algorithm produces, are the schema's to report.
fn hash_length_problem(alg: &str, content: &str) -> Option<String> {
    let lengths = digest_lengths(alg)?;
    let content = content.trim();
    // The lengths first: a digest of its algorithm's length (nearly every one) is not scanned.
    let schema_length = [32, 40, 64, 96, 128].contains(&content.len());
    if !schema_length || lengths.contains(&content.len()) || !content.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!(
        "a {alg} digest has {} hex digits, but {alg} produces {}",
        content.len(),
        lengths.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
    ))
}

/// `name@version`, or the name alone.
fn subject(name: Option<&str>, version: Option<&str>) -> Option<String> {
    let name = text(name)?;
    Some(match text(version) {
        Some(v) => cap(format!("{name}@{v}"), caps::MESSAGE),
        None => name,
    })
}

/// A tool as the document names it; the name is lower-cased (`evidence::Tool`).
fn tool(name: Option<&str>, version: Option<&str>) -> Option<Tool> {
    let name = text(name)?.to_lowercase();
    Some(Tool { name, version: text(version) })
}

/// Where a record or problem sits, for warnings about references checked at the end.
#[derive(Debug, Clone)]
struct Site {
    path: String,
    line: Option<u64>,
}

/// What the readers collect besides records: defined `bom-ref`s (for duplicates and dangling
/// references) and where each dependency was written.
#[derive(Debug, Default)]
struct Refs {
    /// foldhash, seeded per process: every component and dependency looks a reference up.
    defined: foldhash::HashSet<String>,
    dependency_sites: Vec<Site>,
}

impl Refs {
    /// Records a `bom-ref`; false when it was already defined.
    fn define(&mut self, bom_ref: &str) -> bool {
        self.defined.insert(bom_ref.to_owned())
    }

    /// Warns about every dependency `ref` and `dependsOn` entry that names no defined
    /// `bom-ref` (when the document defines any: a document without `bom-ref`s can only be
    /// checked against its schema).
    fn check_dangling(&self, dependencies: &[Dependency], warnings: &mut Warnings) {
        for (dep, site) in dependencies.iter().zip(&self.dependency_sites) {
            let refs = std::iter::once(&dep.dependency_ref).chain(&dep.depends_on);
            for r in refs.filter(|r| !self.defined.contains(r.as_str())) {
                warnings.push(
                    codes::DANGLING_REF,
                    format!(
                        "dependency reference {:?} names no component or service of this document",
                        cap(r.clone(), 256)
                    ),
                    Some(site.path.clone()),
                    site.line,
                );
            }
        }
    }
}

/// The error for a component without a required field, with the generator hint.
fn missing_component_field(field: &str, version: Option<SpecVersion>) -> IngestError {
    let by =
        version.map_or_else(|| "every CycloneDX version".to_owned(), |v| format!("CycloneDX {}", v.label()));
    IngestError::new(Code::MissingField, format!("a component has no `{field}`"))
        .expected(format!("a `{field}` on every component (required by {by})"))
        .help(format!(
            "verdict cannot identify a component without its {field}; fix the generator or regenerate the SBOM: {REGENERATE}"
        ))
}

/// The records and facts of one document, as both readers fill them.
#[derive(Debug, Default)]
struct Out {
    records: Records,
    refs: Refs,
    warnings: Warnings,
}

impl Out {
    fn push_dependency(&mut self, cx: &Cx<'_>, r: String, depends_on: Vec<String>, site: Site) {
        self.records.dependencies.push(Dependency {
            source: cx.source.clone(),
            dependency_ref: cap(r, caps::MESSAGE),
            depends_on: depends_on.into_iter().map(|d| cap(d, caps::MESSAGE)).collect(),
        });
        self.refs.dependency_sites.push(site);
    }

    /// Records an element's `bom-ref`, warning about a duplicate at `site()` (only worked out
    /// then: most documents have none, and a path costs an allocation).
    fn define_ref(&mut self, bom_ref: &str, site: impl FnOnce() -> Site) {
        if !self.refs.define(bom_ref) {
            let site = site();
            self.warnings.push(
                codes::DUPLICATE_BOM_REF,
                format!("bom-ref {:?} is used by more than one element", cap(bom_ref.to_owned(), 256)),
                Some(site.path),
                site.line,
            );
        }
    }

    fn finish(mut self) -> (Records, Vec<Warning>) {
        if !self.refs.defined.is_empty() {
            self.refs.check_dangling(&self.records.dependencies, &mut self.warnings);
        }
        (self.records, self.warnings.finish())
    }
}

#[cfg(test)]
mod tests;
