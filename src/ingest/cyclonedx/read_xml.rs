//! CycloneDX XML, read event by event (never a DOM): a stack of open elements, each knowing
//! what it contributes — a component's fields, a license, a dependency — and which rules of
//! [`rules`] apply to it. Elements of other namespaces (XML signatures, extensions) are
//! skipped whole, as the XSD's `xs:any namespace="##other"` allows.

use std::cell::Cell;
use std::io::BufRead;
use std::rc::Rc;

use super::{
    Counted, Fields, Out, Position, REGENERATE, Site, SpecVersion, codes, hash_length_problem,
    missing_component_field, rules, schema, subject, text, tool,
};
use crate::evidence::{Component, Hash, License, Tool};
use crate::ingest::xml::{Capture, Ev, Start, XmlReader};
use crate::ingest::{Code, Cx, Facts, IngestError, Location, Parsed, caps};
use rules::TextCheck;

/// The namespace of CycloneDX BOMs, followed by the version.
const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Parses a CycloneDX XML document.
pub(super) fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let (counted, pos) = Counted::new(reader);
    let mut r = XmlReader::new(counted, cx.limits.max_depth);
    let mut doc = Doc::new(cx, pos);
    // One tag buffer for the whole document: its strings keep their capacity.
    let mut tag = Tag::default();
    loop {
        match r.next()? {
            Ev::Start(s) => {
                tag.read(&s)?;
                doc.start(&mut r, &tag)?;
            }
            Ev::Text(t) => doc.text(t),
            Ev::End => doc.end()?,
            Ev::Eof => break,
        }
    }
    doc.finish()
}

/// An opening tag, copied out of the reader's buffer (which the next event reuses).
#[derive(Debug, Default)]
struct Tag {
    qname: String,
    /// Attributes: the first `len` entries; the rest are spare buffers.
    attrs: Vec<(String, String)>,
    len: usize,
    offset: u64,
}

impl Tag {
    fn read(&mut self, s: &Start<'_>) -> Result<(), IngestError> {
        self.qname.clear();
        self.qname.push_str(s.qualified_name());
        self.offset = s.offset();
        self.len = 0;
        let (attrs, len) = (&mut self.attrs, &mut self.len);
        s.for_each_qualified_attr(|k, v| {
            match attrs.get_mut(*len) {
                Some((key, value)) => {
                    key.clear();
                    key.push_str(k);
                    value.clear();
                    value.push_str(&v);
                }
                None => attrs.push((k.to_owned(), v.into_owned())),
            }
            *len += 1;
        })
    }

    fn attributes(&self) -> &[(String, String)] {
        self.attrs.get(..self.len).unwrap_or_default()
    }

    fn local(&self) -> &str {
        self.qname.rsplit_once(':').map_or(self.qname.as_str(), |(_, l)| l)
    }

    fn prefix(&self) -> Option<&str> {
        self.qname.split_once(':').map(|(p, _)| p)
    }

    /// An unqualified attribute (CycloneDX's own attributes have no prefix).
    fn attr(&self, name: &str) -> Option<&str> {
        self.attributes().iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Where an element starts: its path, the line its start tag ends on, its byte offset.
#[derive(Debug, Clone)]
struct At {
    path: String,
    line: u64,
    offset: u64,
}

impl At {
    fn location(&self) -> Location {
        Location { line: Some(self.line), offset: Some(self.offset), ..Location::none() }
            .with_path(&self.path)
    }

    fn site(&self) -> Site {
        Site { path: self.path.clone(), line: Some(self.line) }
    }
}

/// What an entity (a component, a service, a legacy tool) is read for.
#[derive(Debug)]
enum Role {
    /// An inventory component: a record, in this slot of `Doc::records`.
    Record { index: usize, parent: Option<String> },
    /// `metadata/component`: the subject.
    Subject,
    /// A tool of `metadata/tools`.
    Tool,
    /// Anything else (pedigree ancestors, formulation, services): checked only.
    Checked,
}

#[derive(Debug)]
struct Entity {
    role: Role,
    fields: Fields,
    has_name: bool,
    has_version: bool,
    has_version_range: bool,
    is_external: bool,
}

#[derive(Debug, Default)]
struct Licenses {
    license: u32,
    expression: u32,
    collected: Vec<License>,
}

#[derive(Debug, Default)]
struct LicenseState {
    ids: u32,
    names: u32,
    id: Option<String>,
    name: Option<String>,
    acknowledgement: Option<String>,
}

#[derive(Debug, Default)]
struct DependencyState {
    dependency_ref: Option<String>,
    depends_on: Vec<String>,
    top: bool,
}

#[derive(Debug, Default)]
struct Citation {
    attributed_to: u32,
    process: u32,
    pointers: u32,
    expressions: u32,
}

/// What an open element contributes.
#[derive(Debug)]
enum Kind {
    Bom,
    Metadata,
    Tools,
    /// `components` (or `services` of tools): whether its children are records or tools.
    List {
        records: bool,
        tools: bool,
    },
    Entity(Box<Entity>),
    Supplier(Option<String>),
    Licenses(Box<Licenses>),
    License(Box<LicenseState>),
    Hashes(Vec<Hash>),
    Dependencies,
    Dependency(Box<DependencyState>),
    Citation(Box<Citation>),
    Other,
}

#[derive(Debug)]
struct Frame {
    local: String,
    kind: Kind,
    /// Namespace declarations this element made.
    declarations: usize,
    /// Its text, for the elements whose text is read or checked.
    text: Option<Capture>,
    /// Where it is, for the elements that can be warned about when they end.
    at: Option<At>,
    /// An attribute needed when the element ends (`hash/@alg`, `expression/@acknowledgement`).
    attribute: Option<String>,
}

/// Elements whose text is read into evidence or checked.
const TEXT_ELEMENTS: &[&str] = &[
    "name",
    "version",
    "group",
    "purl",
    "cpe",
    "scope",
    "id",
    "expression",
    "hash",
    "timestamp",
    "created",
    "published",
    "updated",
];

/// The attribute rules an element breaks.
fn attribute_problems(tag: &Tag, local: &str, parent: &str, v: SpecVersion, out: &mut Vec<String>) {
    for rule in rules::ATTRIBUTES.iter().filter(|rule| rule.element == local) {
        if rule.parent.is_some_and(|p| p != parent) {
            continue;
        }
        let problem = match tag.attr(rule.attribute) {
            None if rule.required => Some(format!("<{local}> has no `{}` attribute", rule.attribute)),
            None => None,
            Some(value) => match rule.allowed {
                Some(allowed) => allowed.check(value, v),
                None if value.trim().is_empty() => {
                    Some(format!("<{local}> has an empty `{}`", rule.attribute))
                }
                None => None,
            },
        };
        out.extend(problem);
    }
}

/// What is known about the document while it is read.
struct Doc<'a, 'c> {
    cx: &'a Cx<'c>,
    /// How far quick-xml has read, for line numbers.
    pos: Rc<Cell<Position>>,
    version: Option<SpecVersion>,
    /// The document's namespace (`http://cyclonedx.org/schema/bom/1.6`).
    ns: String,
    /// Namespace declarations in scope: (prefix, URI); `None` is the default namespace.
    declarations: Vec<(Option<String>, String)>,
    frames: Vec<Frame>,
    /// Inventory components in document order, each filled in when it ends.
    records: Vec<Option<Component>>,
    out: Out,
    subject: Option<String>,
    tool: Option<Tool>,
}

impl<'a, 'c> Doc<'a, 'c> {
    fn new(cx: &'a Cx<'c>, pos: Rc<Cell<Position>>) -> Self {
        Doc {
            cx,
            pos,
            version: None,
            ns: String::new(),
            declarations: Vec::new(),
            frames: Vec::new(),
            records: Vec::new(),
            out: Out::default(),
            subject: None,
            tool: None,
        }
    }

    /// The version, when its rules are known (1.2–1.7).
    fn checked(&self) -> Option<SpecVersion> {
        self.version.filter(|v| v.is_known())
    }

    fn resolve(&self, prefix: Option<&str>) -> Option<&str> {
        self.declarations.iter().rev().find(|(p, _)| p.as_deref() == prefix).map(|(_, uri)| uri.as_str())
    }

    fn here<R: BufRead>(&self, r: &XmlReader<R>, offset: u64) -> At {
        At { path: r.path(), line: self.pos.get().newlines + 1, offset }
    }

    fn violation(&mut self, at: &At, message: String) {
        self.out.warnings.push(codes::SCHEMA_VIOLATION, message, Some(at.path.clone()), Some(at.line));
    }

    fn start<R: BufRead>(&mut self, r: &mut XmlReader<R>, tag: &Tag) -> Result<(), IngestError> {
        let before = self.declarations.len();
        for (k, v) in tag.attributes() {
            if k == "xmlns" {
                self.declarations.push((None, v.clone()));
            } else if let Some(p) = k.strip_prefix("xmlns:") {
                self.declarations.push((Some(p.to_owned()), v.clone()));
            }
        }
        let declarations = self.declarations.len() - before;
        if self.frames.is_empty() {
            return self.root(r, tag, declarations);
        }
        if self.resolve(tag.prefix()) != Some(self.ns.as_str()) {
            // Another namespace's element: the XSD admits it and says nothing about its content.
            self.declarations.truncate(before);
            return r.skip_element();
        }
        let local = tag.local().to_owned();
        if local == "component"
            && self.is_record_parent()
            && tag.attr("type").is_none()
            && let Some(v) = self.version
        {
            return Err(missing_component_field("type", Some(v)).at(self.here(r, tag.offset).location()));
        }
        if let Some(v) = self.checked() {
            let mut problems = Vec::new();
            let parent = self.frames.last().map_or("", |f| f.local.as_str());
            problems.extend(rules::check_child(parent, &local, v));
            attribute_problems(tag, &local, parent, v, &mut problems);
            if !problems.is_empty() {
                let at = self.here(r, tag.offset);
                for p in problems {
                    self.violation(&at, p);
                }
            }
        }
        if let Some(bom_ref) = tag.attr("bom-ref") {
            if bom_ref.is_empty() {
                if self.checked().is_some_and(|v| v.0 >= 5) {
                    let at = self.here(r, tag.offset);
                    self.violation(&at, format!("<{local}> has an empty `bom-ref`"));
                }
            } else {
                let line = self.pos.get().newlines + 1;
                self.out.define_ref(bom_ref, || Site { path: r.path(), line: Some(line) });
            }
        }
        let kind = self.kind(tag, &local);
        let wants_text = TEXT_ELEMENTS.contains(&local.as_str());
        // Where the element is, for problems found when it ends: only for the elements that
        // can have such problems (a path costs an allocation).
        let checked_text = rules::TEXTS.iter().any(|(e, _, _)| *e == local);
        let needs_at = checked_text
            || matches!(
                kind,
                Kind::Entity(_)
                    | Kind::Licenses(_)
                    | Kind::License(_)
                    | Kind::Dependency(_)
                    | Kind::Citation(_)
            );
        let at = needs_at.then(|| self.here(r, tag.offset));
        let attribute = match local.as_str() {
            "hash" => tag.attr("alg").map(str::to_owned),
            "expression" => tag.attr("acknowledgement").map(str::to_owned),
            _ => None,
        };
        self.frames.push(Frame {
            local,
            kind,
            declarations,
            text: wants_text.then(Capture::default),
            at,
            attribute,
        });
        Ok(())
    }

    fn root<R: BufRead>(
        &mut self,
        r: &XmlReader<R>,
        tag: &Tag,
        declarations: usize,
    ) -> Result<(), IngestError> {
        let at = self.here(r, tag.offset);
        if tag.local() != "bom" {
            return Err(IngestError::new(
                Code::WrongKind,
                format!("the root element is <{}>, not a CycloneDX <bom>", tag.local()),
            )
            .at(at.location())
            .expected("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">")
            .help(format!("this is not a CycloneDX BOM; if it is one, regenerate it: {REGENERATE}")));
        }
        let ns = self.resolve(tag.prefix()).unwrap_or_default().to_owned();
        let bad_namespace = || {
            IngestError::new(
                Code::BadValue,
                format!("the XML namespace {ns:?} is not a CycloneDX BOM namespace"),
            )
            .at(at.location())
            .expected(format!("xmlns=\"{NAMESPACE}1.2\" to \"{NAMESPACE}1.7\""))
            .help(format!(
                "CycloneDX XML is recognized by its namespace, which also says its version; regenerate the SBOM: {REGENERATE}"
            ))
        };
        let Some(tail) = ns.strip_prefix(NAMESPACE) else { return Err(bad_namespace()) };
        let v = match SpecVersion::parse(tail) {
            Ok(v) => v,
            Err(e) if e.code == Code::UnsupportedVersion => return Err(e.at(at.location())),
            Err(_) => return Err(bad_namespace()),
        };
        if !v.is_known() {
            self.out.warnings.list.push(v.unknown_warning(Some(at.path.clone()), Some(at.line)));
        }
        self.version = Some(v);
        if v.is_known() {
            if let Some(serial) = tag.attr("serialNumber")
                && !rules::is_serial_number(serial)
            {
                self.violation(
                    &at,
                    format!("serialNumber {serial:?} is not a URN UUID (urn:uuid:…, lower-case)"),
                );
            }
            if let Some(version) = tag.attr("version")
                && version.trim().parse::<i64>().is_err()
            {
                self.violation(&at, format!("the BOM version {version:?} is not an integer"));
            }
        }
        self.ns = ns;
        self.frames.push(Frame {
            local: "bom".into(),
            kind: Kind::Bom,
            declarations,
            text: None,
            at: None,
            attribute: None,
        });
        Ok(())
    }

    /// True when a `component` opened now would be an inventory record.
    fn is_record_parent(&self) -> bool {
        matches!(self.frames.last().map(|f| &f.kind), Some(Kind::List { records: true, .. }))
    }

    /// Decides what an element contributes, updating its parent's counts.
    fn kind(&mut self, tag: &Tag, local: &str) -> Kind {
        let enclosing_record = if local == "component" && self.is_record_parent() {
            self.frames.iter().rev().find_map(|f| match &f.kind {
                Kind::Entity(e) if matches!(e.role, Role::Record { .. }) => Some(e.fields.bom_ref.clone()),
                _ => None,
            })
        } else {
            None
        };
        let Some(parent) = self.frames.last_mut() else { return Kind::Other };
        let entity = |role: Role| {
            Kind::Entity(Box::new(Entity {
                role,
                fields: Fields {
                    bom_ref: text(tag.attr("bom-ref")),
                    component_type: text(tag.attr("type")),
                    ..Fields::default()
                },
                has_name: false,
                has_version: false,
                has_version_range: false,
                is_external: tag.attr("isExternal").is_some_and(|x| x.trim() == "true" || x.trim() == "1"),
            }))
        };
        match (&mut parent.kind, local) {
            (Kind::Bom, "metadata") => Kind::Metadata,
            (Kind::Bom, "components") => Kind::List { records: true, tools: false },
            (Kind::Entity(e), "components") if matches!(e.role, Role::Record { .. }) => {
                Kind::List { records: true, tools: false }
            }
            (Kind::Metadata, "tools") => Kind::Tools,
            (Kind::Tools, "components" | "services") => Kind::List { records: false, tools: true },
            (Kind::Tools, "tool") => entity(Role::Tool),
            (Kind::List { tools: true, .. }, "component" | "service") => entity(Role::Tool),
            (Kind::List { records: true, .. }, "component") => {
                // The slot keeps document order, parents before their nested components,
                // though a component is complete only when it ends.
                let index = self.records.len();
                self.records.push(None);
                entity(Role::Record { index, parent: enclosing_record.flatten() })
            }
            (Kind::Metadata, "component") => entity(Role::Subject),
            (_, "component" | "service") => entity(Role::Checked),
            (Kind::Entity(e), "name") => {
                e.has_name = true;
                Kind::Other
            }
            (Kind::Entity(e), "version") => {
                e.has_version = true;
                Kind::Other
            }
            (Kind::Entity(e), "versionRange") => {
                e.has_version_range = true;
                Kind::Other
            }
            (Kind::Entity(_), "supplier") => Kind::Supplier(None),
            (Kind::Entity(_), "hashes") => Kind::Hashes(Vec::new()),
            (_, "licenses") => Kind::Licenses(Box::default()),
            (Kind::Licenses(l), "license") => {
                l.license += 1;
                Kind::License(Box::new(LicenseState {
                    acknowledgement: text(tag.attr("acknowledgement")),
                    ..LicenseState::default()
                }))
            }
            (Kind::Licenses(l), "expression") => {
                l.expression += 1;
                Kind::Other
            }
            (Kind::Licenses(l), "expression-detailed") => {
                l.expression += 1;
                if let Some(expression) = text(tag.attr("expression")) {
                    l.collected.push(License {
                        id: None,
                        name: None,
                        expression: Some(expression),
                        acknowledgement: text(tag.attr("acknowledgement")),
                    });
                }
                Kind::Other
            }
            (Kind::License(l), "id") => {
                l.ids += 1;
                Kind::Other
            }
            (Kind::License(l), "name") => {
                l.names += 1;
                Kind::Other
            }
            (Kind::Bom, "dependencies") => Kind::Dependencies,
            (Kind::Dependencies, "dependency") => Kind::Dependency(Box::new(DependencyState {
                dependency_ref: text(tag.attr("ref")),
                depends_on: Vec::new(),
                top: true,
            })),
            (Kind::Dependency(d), "dependency") => {
                let dependency_ref = text(tag.attr("ref"));
                if let Some(r) = &dependency_ref {
                    d.depends_on.push(r.clone());
                }
                Kind::Dependency(Box::new(DependencyState {
                    dependency_ref,
                    depends_on: Vec::new(),
                    top: false,
                }))
            }
            (_, "citation") => Kind::Citation(Box::default()),
            (Kind::Citation(c), child) => {
                match child {
                    "attributedTo" => c.attributed_to += 1,
                    "process" => c.process += 1,
                    "pointers" => c.pointers += 1,
                    "expressions" => c.expressions += 1,
                    _ => {}
                }
                Kind::Other
            }
            _ => Kind::Other,
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(capture) = self.frames.last_mut().and_then(|f| f.text.as_mut()) {
            capture.push(t, caps::MESSAGE);
        }
    }

    fn end(&mut self) -> Result<(), IngestError> {
        let Some(frame) = self.frames.pop() else { return Ok(()) };
        self.declarations.truncate(self.declarations.len().saturating_sub(frame.declarations));
        if let Some(capture) = frame.text {
            self.leaf(&frame.local, capture.into_string(), frame.attribute, frame.at.as_ref());
            return Ok(());
        }
        match frame.kind {
            Kind::Entity(e) => self.end_entity(&frame.local, *e, frame.at)?,
            Kind::Supplier(name) => {
                if let Some(Kind::Entity(e)) = self.frames.last_mut().map(|f| &mut f.kind) {
                    e.fields.supplier = name;
                }
            }
            Kind::Hashes(hashes) => {
                if let Some(Kind::Entity(e)) = self.frames.last_mut().map(|f| &mut f.kind) {
                    e.fields.hashes = hashes;
                }
            }
            Kind::Licenses(l) => self.end_licenses(*l, frame.at),
            Kind::License(l) => self.end_license(*l, frame.at),
            Kind::Dependency(d) => {
                if let (Some(r), Some(at)) = (d.dependency_ref, frame.at)
                    && (d.top || !d.depends_on.is_empty())
                {
                    self.out.push_dependency(self.cx, r, d.depends_on, at.site());
                }
            }
            Kind::Citation(c) => {
                if let (Some(at), Some(_)) = (frame.at, self.checked()) {
                    let mut problems = Vec::new();
                    if c.attributed_to > 1 {
                        problems
                            .push(format!("has {} <attributedTo> elements (at most one)", c.attributed_to));
                    }
                    if c.process > 1 {
                        problems.push(format!("has {} <process> elements (at most one)", c.process));
                    }
                    if c.pointers + c.expressions != 1 {
                        problems.push("needs exactly one of <pointers> and <expressions>".to_owned());
                    }
                    for p in problems {
                        self.violation(&at, format!("a <citation> {p}"));
                    }
                }
            }
            Kind::Bom
            | Kind::Metadata
            | Kind::Tools
            | Kind::List { .. }
            | Kind::Dependencies
            | Kind::Other => {}
        }
        Ok(())
    }

    /// A text element ended: check it and hand it to its parent.
    fn leaf(&mut self, local: &str, value: String, attribute: Option<String>, at: Option<&At>) {
        if let (Some(v), Some(at)) = (self.checked(), at) {
            let parent = self.frames.last().map_or("", |f| f.local.as_str());
            let applicable: Vec<TextCheck> = rules::TEXTS
                .iter()
                .filter(|(e, p, _)| *e == local && p.is_none_or(|p| p == parent))
                .map(|(_, _, check)| *check)
                .collect();
            for check in applicable {
                let t = value.trim();
                let message = match check {
                    TextCheck::OneOf(e) => e.check(t, v),
                    TextCheck::HashValue => (!rules::is_hash_value(t))
                        .then(|| format!("the hash value {:?} is not 32, 40, 64, 96 or 128 hex digits", t)),
                    TextCheck::DateTime => (!rules::is_date_time(t))
                        .then(|| format!("<{local}> {t:?} is not a date and time (xs:dateTime)")),
                    TextCheck::SpdxId => {
                        (!schema::spdx_ids().contains(t)).then(|| format!("{t:?} is not an SPDX license id"))
                    }
                };
                if let Some(m) = message {
                    self.violation(at, m);
                }
            }
        }
        let Some(frame) = self.frames.last_mut() else { return };
        match (&mut frame.kind, local) {
            (Kind::Entity(e), field) => {
                let value = text(Some(&value));
                match field {
                    "name" => e.fields.name = value.unwrap_or_default(),
                    "version" => e.fields.version = value,
                    "group" => e.fields.group = value,
                    "purl" => e.fields.purl = value,
                    "cpe" => e.fields.cpe = value,
                    "scope" => e.fields.scope = value,
                    _ => {}
                }
            }
            (Kind::Supplier(name), "name") => *name = text(Some(&value)),
            (Kind::License(l), "id") => l.id = text(Some(&value)),
            (Kind::License(l), "name") => l.name = text(Some(&value)),
            (Kind::Licenses(l), "expression") => {
                if let Some(expression) = text(Some(&value)) {
                    l.collected.push(License {
                        id: None,
                        name: None,
                        expression: Some(expression),
                        acknowledgement: attribute,
                    });
                }
            }
            (Kind::Hashes(hashes), "hash") => {
                let content = value.trim().to_owned();
                if let Some(alg) = attribute {
                    if self.version.is_some_and(|v| v.is_known())
                        && let (Some(problem), Some(at)) = (hash_length_problem(&alg, &content), at)
                    {
                        self.out.warnings.push(
                            codes::HASH_LENGTH,
                            problem,
                            Some(at.path.clone()),
                            Some(at.line),
                        );
                    }
                    hashes.push(Hash { alg, content });
                }
            }
            _ => {}
        }
    }

    fn end_entity(&mut self, local: &str, e: Entity, at: Option<At>) -> Result<(), IngestError> {
        let Some(at) = at else { return Ok(()) };
        let needs_name = matches!(local, "component" | "service");
        if needs_name && !e.has_name {
            if let (Role::Record { .. }, Some(v)) = (&e.role, self.version) {
                return Err(missing_component_field("name", Some(v)).at(at.location()));
            }
            if self.checked().is_some() {
                self.violation(&at, format!("<{local}> has no <name>"));
            }
        }
        if self.checked().is_some() && local == "component" {
            if e.has_version && e.has_version_range {
                self.violation(
                    &at,
                    "a component has both <version> and <versionRange>; it may have one".into(),
                );
            }
            if e.has_version_range && !e.is_external {
                self.violation(
                    &at,
                    "<versionRange> is only allowed on external components (isExternal=\"true\")".into(),
                );
            }
        }
        match e.role {
            Role::Record { index, parent } => {
                if let Some(slot) = self.records.get_mut(index) {
                    *slot = Some(e.fields.into_component(self.cx, parent));
                }
            }
            Role::Subject => {
                self.subject = subject(Some(&e.fields.name), e.fields.version.as_deref());
            }
            Role::Tool => {
                if self.tool.is_none() {
                    self.tool = tool(Some(&e.fields.name), e.fields.version.as_deref());
                }
            }
            Role::Checked => {}
        }
        Ok(())
    }

    fn end_licenses(&mut self, l: Licenses, at: Option<At>) {
        if let (Some(v), Some(at)) = (self.checked(), &at)
            && v.0 <= 6
        {
            if l.license > 0 && l.expression > 0 {
                self.violation(
                    at,
                    format!(
                        "<licenses> mixes <license> and <expression>, which CycloneDX {} does not allow",
                        v.label()
                    ),
                );
            } else if l.expression > 1 {
                self.violation(
                    at,
                    format!("<licenses> has {} <expression> elements (at most one)", l.expression),
                );
            }
        }
        if let Some(Kind::Entity(e)) = self.frames.last_mut().map(|f| &mut f.kind) {
            e.fields.licenses = l.collected;
        }
    }

    fn end_license(&mut self, l: LicenseState, at: Option<At>) {
        if let (Some(_), Some(at)) = (self.checked(), &at) {
            let problem = match (l.ids, l.names) {
                (0, 0) => Some("a <license> needs an <id> or a <name>".to_owned()),
                (1, 0) | (0, 1) => None,
                (i, 0) => Some(format!("a <license> has {i} <id> elements (exactly one of <id> and <name>)")),
                (0, n) => {
                    Some(format!("a <license> has {n} <name> elements (exactly one of <id> and <name>)"))
                }
                _ => Some("a <license> has both an <id> and a <name> (exactly one)".to_owned()),
            };
            if let Some(p) = problem {
                self.violation(at, p);
            }
        }
        let name = if l.id.is_some() { None } else { l.name };
        if (l.id.is_some() || name.is_some())
            && let Some(Kind::Licenses(list)) = self.frames.last_mut().map(|f| &mut f.kind)
        {
            list.collected.push(License {
                id: l.id,
                name,
                expression: None,
                acknowledgement: l.acknowledgement,
            });
        }
    }

    fn finish(mut self) -> Result<Parsed, IngestError> {
        let Some(v) = self.version else {
            return Err(
                IngestError::new(Code::Truncated, "the file holds no <bom> element").expected("a root <bom>")
            );
        };
        self.out.records.components = self.records.into_iter().flatten().collect();
        let (records, warnings) = self.out.finish();
        Ok(Parsed {
            facts: Facts {
                tool: self.tool,
                spec_version: Some(v.label()),
                subject: self.subject,
                warnings,
                ..Facts::default()
            },
            records,
        })
    }
}
