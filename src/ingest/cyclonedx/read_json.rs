//! CycloneDX JSON. The outer structure is scanned ([`scan`]): the top-level object member by
//! member, and the four large arrays (`components`, `services`, `dependencies`,
//! `vulnerabilities`) one element at a time. Each element's text is parsed into a [`Tree`]
//! (reused from element to element), validated against its schema definition and turned into
//! records; its text is kept while it is checked, so that problems can name their line. The
//! other members (`metadata`, `compositions`, …) are held until the end and validated against
//! the root schema.
//!
//! JSON objects are unordered, and cyclonedx-python-lib (cyclonedx-py, Checkov) writes
//! `bomFormat` and `specVersion` last. An element that arrives before `specVersion` becomes
//! records at once; its text is held, within a budget, to be checked once the version is known.

use std::collections::HashSet;
use std::hash::BuildHasher as _;
use std::io::BufRead;

use serde_json::{Map, Value};

use super::scan::{Pos, ScanError, Scanner};
use super::schema::{self, Section, Seg, render_path};
use super::tree::{Handle, Tree};
use super::{
    Fields, Out, REGENERATE, Site, SpecVersion, codes, hash_length_problem, locate, missing_component_field,
    owned_text, subject, text, tool, trimmed,
};
use crate::evidence::{Hash, License};
use crate::ingest::json;
use crate::ingest::{Code, Cx, Facts, IngestError, Location, Parsed, from_io};

/// Parses a CycloneDX JSON document.
pub(super) fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let mut doc = Doc::new(cx);
    let mut s = Scanner::new(reader);
    doc.read(&mut s)?;
    doc.finish()
}

/// One element of a streamed array.
struct Element<'t> {
    section: Section,
    index: usize,
    at: Pos,
    raw: &'t [u8],
}

/// An element read before `specVersion`, held until the version is known.
struct Pending {
    section: Section,
    index: usize,
    at: Pos,
    raw: Vec<u8>,
}

/// A top-level member other than the streamed arrays.
struct Member {
    key: String,
    at: Pos,
    value: Value,
    raw: Vec<u8>,
}

/// What is known about the document while it is read.
struct Doc<'a, 'c> {
    cx: &'a Cx<'c>,
    bom_format: bool,
    version: Option<SpecVersion>,
    rest: Vec<Member>,
    /// Streamed arrays written as `null` (the root schema rejects them).
    nulls: Vec<Section>,
    /// Streamed arrays that the version's schema does not define (the root rejects them).
    undeclared: Vec<Section>,
    pending: Vec<Pending>,
    /// The bytes `pending` holds, and may hold.
    pending_bytes: usize,
    pending_budget: usize,
    /// Elements read before `specVersion` beyond the budget, which go unchecked.
    unchecked: u64,
    /// Hashes of the elements' text per array, for `uniqueItems`.
    seen: [foldhash::HashSet<u64>; 4],
    /// What hashes an element's text for `seen`.
    text_hash: foldhash::fast::RandomState,
    /// The buffers of the element being read ([`Tree::recycle`]).
    tree: Tree<'static>,
    out: Out,
    /// The `vulnerabilities` listed, by the most severe rating of each (`critical`, …,
    /// `unrated`): verdict does not judge them from an SBOM, and says so.
    vulnerabilities: std::collections::BTreeMap<u8, u64>,
}

/// At most this many bytes of elements that come before `specVersion` are held to be checked
/// once it is known; elements beyond are read but not checked, and a warning says how many.
const PENDING_BUDGET: usize = 64 * 1024 * 1024;

/// Parses one element's text into `tree`; returns its root's node.
fn parse_element<'t>(tree: &mut Tree<'t>, el: &Element<'t>) -> Result<u32, IngestError> {
    tree.parse(el.raw).map_err(|e| {
        piece_error(
            e,
            el.raw,
            el.at,
            &render_path(&[Seg::Key(el.section.key().into()), Seg::Index(el.index)]),
        )
    })
}

/// A location from a position and a JSON path.
fn loc(at: Pos, path: &str) -> Location {
    Location { line: Some(at.line), offset: Some(at.offset), ..Location::none() }.with_path(path)
}

/// The error for a piece of the document that serde_json could not parse, placed in the file.
fn piece_error(e: serde_json::Error, piece: &[u8], at: Pos, path: &str) -> IngestError {
    let (line, column) = (e.line() as u64, e.column() as u64);
    let mut err = json::convert(e, path, REGENERATE);
    if line > 0 {
        // serde_json counts from the piece's start; the file's position is the piece's plus that.
        let line_start = piece
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth((line - 1).saturating_sub(1) as usize)
            .map_or(0, |(i, _)| if line > 1 { i + 1 } else { 0 });
        let offset = at.offset + line_start as u64 + column.saturating_sub(1);
        err.location = Location { line: Some(at.line + line - 1), offset: Some(offset), ..Location::none() }
            .with_path(path);
    }
    err
}

fn scan_error(e: ScanError, path: &str) -> IngestError {
    match e {
        ScanError::Io(io) => from_io(io, Location::none().with_path(path)),
        ScanError::Eof(at) => IngestError::new(Code::Truncated, "the file ends in the middle of the JSON document")
            .at(loc(at, path))
            .expected("the rest of the document")
            .help(format!(
                "the file was cut off: the tool that wrote it was probably interrupted, or the artifact upload was incomplete; regenerate the artifact: {REGENERATE}"
            )),
        ScanError::Unexpected { at, found, expected } => {
            IngestError::new(Code::MalformedJson, format!("the file is not valid JSON: found {found}"))
                .at(loc(at, path))
                .expected(expected)
                .help(format!("regenerate the artifact: {REGENERATE}"))
        }
    }
}

impl<'a, 'c> Doc<'a, 'c> {
    fn new(cx: &'a Cx<'c>) -> Self {
        Doc {
            cx,
            bom_format: false,
            version: None,
            rest: Vec::new(),
            nulls: Vec::new(),
            undeclared: Vec::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            pending_budget: PENDING_BUDGET,
            unchecked: 0,
            seen: Default::default(),
            text_hash: Default::default(),
            tree: Tree::default(),
            out: Out::default(),
            vulnerabilities: std::collections::BTreeMap::new(),
        }
    }

    /// Reads the top-level object.
    fn read<R: BufRead>(&mut self, s: &mut Scanner<R>) -> Result<(), IngestError> {
        let mut buf = Vec::new();
        match s.peek().map_err(|e| scan_error(e, ""))? {
            Some(b'{') => s.bump(),
            Some(b'[') => {
                return Err(IngestError::new(
                    Code::BadValue,
                    "the document is a JSON array, not a CycloneDX BOM",
                )
                .at(loc(s.pos(), ""))
                .expected("an object with bomFormat and specVersion")
                .help(format!("regenerate the SBOM: {REGENERATE}")));
            }
            Some(b) => return Err(scan_error(s.unexpected(b, "a JSON object"), "")),
            None => {
                return Err(IngestError::new(Code::Truncated, "the file holds no JSON document")
                    .expected("a CycloneDX BOM object")
                    .help(format!("regenerate the SBOM: {REGENERATE}")));
            }
        }
        let mut first = true;
        let mut keys = HashSet::new();
        loop {
            match s.peek().map_err(|e| scan_error(e, ""))? {
                Some(b'}') if first => {
                    s.bump();
                    break;
                }
                Some(b'"') => {}
                Some(b) => return Err(scan_error(s.unexpected(b, "a key in double quotes"), "")),
                None => return Err(scan_error(ScanError::Eof(s.pos()), "")),
            }
            first = false;
            let at = s.value(&mut buf).map_err(|e| scan_error(e, ""))?;
            let key: String = serde_json::from_slice(&buf).map_err(|e| piece_error(e, &buf, at, ""))?;
            if !keys.insert(key.clone()) {
                return Err(json::duplicate_key_error(&key, loc(at, ""), REGENERATE));
            }
            s.expect(b':', "`:` after the key").map_err(|e| scan_error(e, &key))?;
            match Section::from_key(&key) {
                Some(section) => self.stream(s, section, key, &mut buf)?,
                None => {
                    let at = s.value(&mut buf).map_err(|e| scan_error(e, &key))?;
                    self.member(key, at, std::mem::take(&mut buf))?;
                }
            }
            match s.peek().map_err(|e| scan_error(e, ""))? {
                Some(b',') => s.bump(),
                Some(b'}') => {
                    s.bump();
                    break;
                }
                Some(b) => return Err(scan_error(s.unexpected(b, "`,` or `}`"), "")),
                None => return Err(scan_error(ScanError::Eof(s.pos()), "")),
            }
        }
        match s.peek().map_err(|e| scan_error(e, ""))? {
            None => Ok(()),
            Some(b) => Err(IngestError::new(
                Code::MalformedJson,
                "the file is not valid JSON: content follows the end of the document",
            )
            .at(loc(s.pos(), ""))
            .expected(format!("nothing after the closing `}}` (found `{}`)", b.escape_ascii()))
            .help(format!("keep one document per file; regenerate the artifact: {REGENERATE}"))),
        }
    }

    /// Streams one of the large arrays; anything else written there is left to the root schema.
    fn stream<R: BufRead>(
        &mut self,
        s: &mut Scanner<R>,
        section: Section,
        key: String,
        buf: &mut Vec<u8>,
    ) -> Result<(), IngestError> {
        match s.peek().map_err(|e| scan_error(e, &key))? {
            Some(b'[') => s.bump(),
            Some(b'n') => {
                let at = s.value(buf).map_err(|e| scan_error(e, &key))?;
                if buf.as_slice() != b"null" {
                    json::unique_from_slice(buf).map_err(|e| piece_error(e, buf, at, &key))?;
                }
                self.nulls.push(section);
                return Ok(());
            }
            Some(_) => {
                let at = s.value(buf).map_err(|e| scan_error(e, &key))?;
                return self.member(key, at, std::mem::take(buf));
            }
            None => return Err(scan_error(ScanError::Eof(s.pos()), &key)),
        }
        if s.peek().map_err(|e| scan_error(e, &key))? == Some(b']') {
            s.bump();
            return Ok(());
        }
        let mut index = 0;
        loop {
            let path = || render_path(&[Seg::Key(key.clone()), Seg::Index(index)]);
            let at = s.value(buf).map_err(|e| scan_error(e, &path()))?;
            self.element(Element { section, index, at, raw: buf })?;
            index += 1;
            match s.peek().map_err(|e| scan_error(e, &key))? {
                Some(b',') => s.bump(),
                Some(b']') => {
                    s.bump();
                    return Ok(());
                }
                Some(b) => return Err(scan_error(s.unexpected(b, "`,` or `]`"), &key)),
                None => return Err(scan_error(ScanError::Eof(s.pos()), &key)),
            }
        }
    }

    fn member(&mut self, key: String, at: Pos, raw: Vec<u8>) -> Result<(), IngestError> {
        let value = json::unique_from_slice(&raw).map_err(|e| piece_error(e, &raw, at, &key))?;
        match key.as_str() {
            "bomFormat" => {
                if value.as_str() != Some("CycloneDX") {
                    return Err(IngestError::new(
                        Code::BadValue,
                        format!("`bomFormat` is {}, not \"CycloneDX\"", short(&value)),
                    )
                    .at(loc(at, &key))
                    .expected("\"CycloneDX\"")
                    .help(format!(
                        "this is not a CycloneDX BOM; if it is one, regenerate it: {REGENERATE}"
                    )));
                }
                self.bom_format = true;
            }
            "specVersion" => {
                let v = match value.as_str() {
                    Some(text) => SpecVersion::parse(text),
                    None => Err(IngestError::new(
                        Code::BadValue,
                        format!("`specVersion` is {}, not a string", short(&value)),
                    )
                    .expected("a string such as \"1.6\"")
                    .help(format!("regenerate the SBOM: {REGENERATE}"))),
                }
                .map_err(|e| e.at(loc(at, &key)))?;
                if !v.is_known() {
                    self.out.warnings.list.push(v.unknown_warning(Some("specVersion".into()), Some(at.line)));
                }
                self.version = Some(v);
                for p in std::mem::take(&mut self.pending) {
                    let el = Element { section: p.section, index: p.index, at: p.at, raw: &p.raw };
                    let mut tree = std::mem::take(&mut self.tree).recycle();
                    let root = parse_element(&mut tree, &el)?;
                    self.validate(v, &el, &mut tree, root);
                    self.tree = tree.recycle();
                }
            }
            _ => {}
        }
        self.rest.push(Member { key, at, value, raw });
        Ok(())
    }

    /// Checks one element and turns it into records. Before `specVersion` (cyclonedx-python-lib
    /// writes it last) the element is turned into records at once, and its text is held to be
    /// checked when the version is known, up to [`PENDING_BUDGET`] bytes in all.
    fn element(&mut self, el: Element<'_>) -> Result<(), IngestError> {
        // The tree's buffers are lent out while the element is read, and come back for the next.
        let mut tree = std::mem::take(&mut self.tree).recycle();
        let read = self.element_in(&mut tree, &el);
        self.tree = tree.recycle();
        read
    }

    fn element_in<'t>(&mut self, tree: &mut Tree<'t>, el: &Element<'t>) -> Result<(), IngestError> {
        let root = parse_element(tree, el)?;
        match self.version {
            Some(v) => self.validate(v, el, tree, root),
            None => {
                if self.pending_bytes + el.raw.len() <= self.pending_budget {
                    self.pending_bytes += el.raw.len();
                    self.pending.push(Pending {
                        section: el.section,
                        index: el.index,
                        at: el.at,
                        raw: el.raw.to_vec(),
                    });
                } else {
                    self.unchecked += 1;
                }
            }
        }
        self.extract(el, tree.view(root))
    }

    /// Validates one element, node `root` of `tree`, against the schema of version `v`.
    fn validate(&mut self, v: SpecVersion, el: &Element<'_>, tree: &mut Tree<'_>, root: u32) {
        let head = || [Seg::Key(el.section.key().into()), Seg::Index(el.index)];
        let Some(schema) = v.is_known().then(|| schema::for_version(v)).flatten() else { return };
        if schema.unique(el.section) {
            // The text's hash stands for it (a collision only warns of a repeat): foldhash, since
            // a component's text is hundreds of bytes and SipHash took longer over it than the
            // check is worth, seeded per document so that no SBOM can be written to collide.
            let hash = self.text_hash.hash_one(el.raw);
            let fresh = self.seen.get_mut(el.section.slot()).is_some_and(|s| s.insert(hash));
            if !fresh {
                self.out.warnings.push(
                    codes::SCHEMA_VIOLATION,
                    format!(
                        "this element repeats an earlier one: `{}` must hold distinct elements",
                        el.section.key()
                    ),
                    Some(render_path(&head())),
                    Some(el.at.line),
                );
            }
        }
        if !schema.declares(el.section) && !self.undeclared.contains(&el.section) {
            self.undeclared.push(el.section);
        }
        for violation in schema.check_element(tree, el.section, root) {
            let line = el.at.line + locate::line_in(el.raw, &violation.path);
            let mut path = head().to_vec();
            path.extend(violation.path);
            self.out.warnings.push(
                codes::SCHEMA_VIOLATION,
                violation.message,
                Some(render_path(&path)),
                Some(line),
            );
        }
    }

    /// Turns one element into records.
    fn extract(&mut self, el: &Element<'_>, value: Handle<'_>) -> Result<(), IngestError> {
        let head = [Seg::Key(el.section.key().into()), Seg::Index(el.index)];
        let mut path = head.to_vec();
        match el.section {
            Section::Components => self.component(value, el, &mut path, None),
            Section::Services => {
                self.service(value, el, &mut path);
                Ok(())
            }
            Section::Dependencies => {
                self.dependency(value, el);
                Ok(())
            }
            Section::Vulnerabilities => {
                // The most severe of its ratings (`ratings[].severity`), or none.
                let rank = value
                    .get("ratings")
                    .and_then(Handle::array)
                    .and_then(|r| {
                        r.into_iter().filter_map(|r| r.get_str("severity").map(severity_rank)).min()
                    })
                    .unwrap_or(UNRATED);
                *self.vulnerabilities.entry(rank).or_default() += 1;
                Ok(())
            }
        }
    }

    /// Where `path` (which starts with the element's own two segments) sits.
    fn site(el: &Element<'_>, path: &[Seg]) -> Site {
        let inner = path.get(2..).unwrap_or_default();
        Site { path: render_path(path), line: Some(el.at.line + locate::line_in(el.raw, inner)) }
    }

    /// The error `e` at `path` inside an element.
    fn error_at(el: &Element<'_>, path: &[Seg], e: IngestError) -> IngestError {
        let inner = path.get(2..).unwrap_or_default();
        let at = Pos {
            offset: el.at.offset + locate::offset(el.raw, inner) as u64,
            line: el.at.line + locate::line_in(el.raw, inner),
        };
        e.at(loc(at, &render_path(path)))
    }

    /// A field every component must have, as a string.
    fn required(
        obj: Handle<'_>,
        field: &str,
        v: Option<SpecVersion>,
        el: &Element<'_>,
        path: &mut Vec<Seg>,
    ) -> Result<String, IngestError> {
        match obj.get(field) {
            Some(value) => match value.str() {
                Some(s) => Ok(s.to_owned()),
                None => {
                    path.push(Seg::Key(field.into()));
                    let e = IngestError::new(
                        Code::BadValue,
                        format!("a component's `{field}` is {}, not a string", value.kind_name()),
                    )
                    .expected("a string")
                    .help(format!("regenerate the SBOM: {REGENERATE}"));
                    Err(Self::error_at(el, path, e))
                }
            },
            None => Err(Self::error_at(el, path, missing_component_field(field, v))),
        }
    }

    fn component(
        &mut self,
        obj: Handle<'_>,
        el: &Element<'_>,
        path: &mut Vec<Seg>,
        parent: Option<&str>,
    ) -> Result<(), IngestError> {
        if !obj.is_object() {
            let e = IngestError::new(
                Code::BadValue,
                format!("a component is {}, not an object", obj.kind_name()),
            )
            .expected("a JSON object")
            .help(format!("regenerate the SBOM: {REGENERATE}"));
            return Err(Self::error_at(el, path, e));
        }
        let name = Self::required(obj, "name", self.version, el, path)?;
        let component_type = owned_text(Some(Self::required(obj, "type", self.version, el, path)?));
        let field = |key: &str| text(obj.get_str(key));
        let mut fields = Fields {
            bom_ref: field("bom-ref"),
            component_type,
            name,
            group: field("group"),
            version: field("version"),
            purl: field("purl"),
            cpe: field("cpe"),
            licenses: licenses(obj.get("licenses")),
            hashes: Vec::new(),
            scope: field("scope"),
            supplier: obj.get("supplier").filter(|s| s.is_object()).and_then(|s| text(s.get_str("name"))),
        };
        for (i, h) in obj.get("hashes").and_then(Handle::array).into_iter().flatten().enumerate() {
            let (Some(alg), Some(content)) = (h.get_str("alg"), h.get_str("content")) else {
                continue;
            };
            if let Some(problem) = hash_length_problem(alg, content) {
                let mut at = path.clone();
                at.extend([Seg::Key("hashes".into()), Seg::Index(i), Seg::Key("content".into())]);
                let site = Self::site(el, &at);
                self.out.warnings.push(codes::HASH_LENGTH, problem, Some(site.path), site.line);
            }
            fields.hashes.push(Hash { alg: trimmed(alg.to_owned()), content: trimmed(content.to_owned()) });
        }
        let own_ref = fields.bom_ref.clone();
        if let Some(r) = &own_ref {
            let site = || Self::site(el, path);
            self.out.define_ref(r, site);
        }
        self.out.records.components.push(fields.into_component(self.cx, parent.map(str::to_owned)));
        if let Some(children) = obj.get("components").and_then(Handle::array) {
            for (i, child) in children.into_iter().enumerate() {
                path.extend([Seg::Key("components".into()), Seg::Index(i)]);
                self.component(child, el, path, own_ref.as_deref())?;
                path.truncate(path.len().saturating_sub(2));
            }
        }
        Ok(())
    }

    /// Services are not records; their `bom-ref`s are what dependencies may point at.
    fn service(&mut self, value: Handle<'_>, el: &Element<'_>, path: &mut Vec<Seg>) {
        if let Some(r) = text(value.get_str("bom-ref")) {
            let site = || Self::site(el, path);
            self.out.define_ref(&r, site);
        }
        for (i, child) in value.get("services").and_then(Handle::array).into_iter().flatten().enumerate() {
            path.extend([Seg::Key("services".into()), Seg::Index(i)]);
            self.service(child, el, path);
            path.truncate(path.len().saturating_sub(2));
        }
    }

    /// A dependency without a `ref` is reported by the schema and yields no record.
    fn dependency(&mut self, value: Handle<'_>, el: &Element<'_>) {
        let Some(r) = text(value.get_str("ref")) else { return };
        let depends_on = value
            .get("dependsOn")
            .and_then(Handle::array)
            .into_iter()
            .flatten()
            .filter_map(|d| text(d.str()))
            .collect();
        let site = Self::site(el, &[Seg::Key(el.section.key().into()), Seg::Index(el.index)]);
        self.out.push_dependency(self.cx, r, depends_on, site);
    }

    fn finish(mut self) -> Result<Parsed, IngestError> {
        if !self.bom_format {
            return Err(IngestError::new(Code::MissingField, "the document has no `bomFormat`")
                .expected("\"bomFormat\": \"CycloneDX\"")
                .help(format!("this is not a CycloneDX BOM; if it is one, regenerate it: {REGENERATE}")));
        }
        let Some(v) = self.version else {
            return Err(IngestError::new(Code::MissingField, "the document has no `specVersion`")
                .expected("\"specVersion\", such as \"1.6\"")
                .help(format!("regenerate the SBOM: {REGENERATE}")));
        };
        let mut document = Map::new();
        let mut lines = Vec::new();
        for m in std::mem::take(&mut self.rest) {
            lines.push((m.key.clone(), m.at.line, m.raw));
            document.insert(m.key, m.value);
        }
        if let Some(schema) = v.is_known().then(|| schema::for_version(v)).flatten() {
            let mut root = document.clone();
            for s in &self.nulls {
                root.insert(s.key().into(), Value::Null);
            }
            for s in &self.undeclared {
                root.insert(s.key().into(), Value::Array(Vec::new()));
            }
            for violation in schema.check_root(&Value::Object(root)) {
                let member = match violation.path.first() {
                    Some(Seg::Key(k)) => lines.iter().find(|(key, _, _)| key == k),
                    _ => None,
                };
                let line = member.map(|(_, line, raw)| {
                    line + locate::line_in(raw, violation.path.get(1..).unwrap_or_default())
                });
                let path = Some(render_path(&violation.path)).filter(|p| !p.is_empty());
                self.out.warnings.push(codes::SCHEMA_VIOLATION, violation.message, path, line);
            }
        }
        if self.unchecked > 0 {
            self.out.warnings.push(
                codes::PARTLY_CHECKED,
                format!(
                    "{} elements came before `specVersion`, beyond the {} MiB verdict holds to check them once the version is known: they were read but not checked against the schema",
                    self.unchecked,
                    self.pending_budget.div_ceil(1024 * 1024)
                ),
                Some("specVersion".into()),
                None,
            );
        }
        let metadata = document.get("metadata");
        let described = metadata.and_then(|m| m.get("component"));
        let subject = subject(
            described.and_then(|c| c.get("name")).and_then(Value::as_str),
            described.and_then(|c| c.get("version")).and_then(Value::as_str),
        );
        if let Some(c) = described {
            let line = lines.iter().find(|(k, _, _)| k == "metadata").map(|(_, l, _)| *l);
            define_tree(
                &mut self.out,
                c,
                &mut vec![Seg::Key("metadata".into()), Seg::Key("component".into())],
                line,
            );
        }
        let tool = metadata.and_then(|m| m.get("tools")).and_then(first_tool);
        let listed = std::mem::take(&mut self.vulnerabilities);
        let (records, mut warnings) = self.out.finish();
        if let Some(warning) = unjudged(&listed) {
            warnings.push(warning);
        }
        Ok(Parsed {
            facts: Facts { tool, spec_version: Some(v.label()), subject, warnings, ..Facts::default() },
            records,
        })
    }
}

/// The rank of a CycloneDX severity word, most severe first; [`UNRATED`] for `none`,
/// `unknown` and words the specification does not define.
fn severity_rank(word: &str) -> u8 {
    SEVERITIES.iter().position(|s| word.eq_ignore_ascii_case(s)).map_or(UNRATED, |i| i as u8)
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
const UNRATED: u8 = SEVERITIES.len() as u8;

/// The warning that the document lists vulnerabilities, which verdict judges from a scanner's
/// report and not from an SBOM (Trivy's `--format cyclonedx` with the vulnerability scanner,
/// grype's `-o cyclonedx-json`, a VDR): without it, an SBOM that carries a CRITICAL would be
/// read as if it carried none. The built-in pack turns it into a finding when no scanner's
/// report was read beside it.
fn unjudged(listed: &std::collections::BTreeMap<u8, u64>) -> Option<crate::evidence::Warning> {
    let total: u64 = listed.values().sum();
    if total == 0 {
        return None;
    }
    let by: Vec<String> = listed
        .iter()
        .map(|(&rank, n)| format!("{n} {}", SEVERITIES.get(usize::from(rank)).copied().unwrap_or("unrated")))
        .collect();
    let what = if total == 1 { "1 vulnerability".to_owned() } else { format!("{total} vulnerabilities") };
    Some(crate::evidence::Warning {
        code: super::codes::VULNERABILITIES.into(),
        message: format!(
            "the SBOM lists {what} ({}), which verdict does not judge from an SBOM",
            by.join(", ")
        ),
        path: Some("vulnerabilities".into()),
        line: None,
    })
}

/// Defines the `bom-ref`s of the described component and its nested components (dependencies
/// usually start at the described component).
fn define_tree(out: &mut Out, c: &Value, path: &mut Vec<Seg>, line: Option<u64>) {
    if let Some(r) = text(c.get("bom-ref").and_then(Value::as_str)) {
        out.define_ref(&r, || Site { path: render_path(path), line });
    }
    for (i, child) in c.get("components").and_then(Value::as_array).into_iter().flatten().enumerate() {
        path.extend([Seg::Key("components".into()), Seg::Index(i)]);
        define_tree(out, child, path, line);
        path.truncate(path.len().saturating_sub(2));
    }
}

/// The first tool: 1.2–1.4 (and deprecated in 1.5+) an array of `{vendor, name, version}`;
/// 1.5+ an object of `components` and `services`.
fn first_tool(tools: &Value) -> Option<crate::evidence::Tool> {
    let first = match tools {
        Value::Array(list) => list.first(),
        Value::Object(o) => o
            .get("components")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .or_else(|| o.get("services").and_then(Value::as_array).and_then(|l| l.first())),
        _ => None,
    }?;
    tool(first.get("name").and_then(Value::as_str), first.get("version").and_then(Value::as_str))
}

/// Licenses of a component: `[{license: {id|name, acknowledgement}}, {expression, acknowledgement}]`.
/// A license with both an id and a name keeps the id (the schema reports it); one with
/// neither says nothing and is dropped.
fn licenses(value: Option<Handle<'_>>) -> Vec<License> {
    let mut out = Vec::new();
    for entry in value.and_then(Handle::array).into_iter().flatten() {
        if !entry.is_object() {
            continue;
        }
        if let Some(l) = entry.get("license") {
            if !l.is_object() {
                continue;
            }
            let id = text(l.get_str("id"));
            let name = if id.is_some() { None } else { text(l.get_str("name")) };
            if id.is_some() || name.is_some() {
                out.push(License {
                    id,
                    name,
                    expression: None,
                    acknowledgement: text(l.get_str("acknowledgement")),
                });
            }
        } else if let Some(expression) = text(entry.get_str("expression")) {
            out.push(License {
                id: None,
                name: None,
                expression: Some(expression),
                acknowledgement: text(entry.get_str("acknowledgement")),
            });
        }
    }
    out
}

/// A JSON value for a message, shortened.
fn short(v: &Value) -> String {
    json::cap(v.to_string(), 80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Limits;

    /// Elements before `specVersion` are checked once it comes, within a budget; the rest are
    /// read, and counted as unchecked.
    #[test]
    fn pending_budget() {
        let limits = Limits::default();
        let cx = Cx::new("bom", &limits);
        let text = r#"{"components": [{"type": "widget", "name": "a"}, {"type": "gadget", "name": "b"}],
            "bomFormat": "CycloneDX", "specVersion": "1.6"}"#;
        let mut doc = Doc::new(&cx);
        doc.pending_budget = 50;
        doc.read(&mut Scanner::new(text.as_bytes())).expect("reads");
        let p = doc.finish().expect("finishes");
        assert_eq!(p.records.components.len(), 2);
        let found: Vec<(&str, Option<&str>)> =
            p.facts.warnings.iter().map(|w| (w.code.as_str(), w.path.as_deref())).collect();
        assert_eq!(
            found,
            [
                (codes::SCHEMA_VIOLATION, Some("components[0].type")),
                (codes::PARTLY_CHECKED, Some("specVersion"))
            ]
        );
    }
}
