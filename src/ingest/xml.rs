//! A safe, streaming XML event reader shared by the XML parsers (JUnit, CycloneDX XML).
//!
//! Owns: the quick-xml configuration, the refusal of DTDs and entities (never expanded, never
//! fetched), the depth limit, entity and character reference resolution, the element path
//! used in error messages, and the mapping of quick-xml errors to [`IngestError`]s.
//! Takes a `BufRead`; yields simplified events. Must not: open files or know any format.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::XmlVersion;
use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError};
use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};

use super::error::{Code, IngestError, Location, from_io};

/// One simplified XML event.
pub(crate) enum Ev<'a> {
    /// An element opens (self-closing elements open and then close).
    Start(Start<'a>),
    /// The innermost open element closes.
    End,
    /// A piece of character data (text, CDATA, or one resolved reference). Text of one element
    /// may arrive in several pieces.
    Text(&'a str),
    /// The document ended, every element closed.
    Eof,
}

/// An opening tag.
pub(crate) struct Start<'a> {
    tag: BytesStart<'a>,
    offset: u64,
}

impl<'a> Start<'a> {
    /// The local name (prefix stripped).
    pub(crate) fn name(&self) -> &str {
        local(self.tag.name().0)
    }

    /// The name as written, prefix included (`bom`, `ds:Signature`), for parsers that must
    /// tell namespaces apart.
    pub(crate) fn qualified_name(&self) -> &str {
        self.tag.name().0
    }

    /// Calls `f(local_name, value)` for each attribute, values unescaped and normalized.
    pub(crate) fn for_each_attr(&self, mut f: impl FnMut(&str, Cow<'_, str>)) -> Result<(), IngestError> {
        self.for_each_qualified_attr(|name, value| f(local(name), value))
    }

    /// Calls `f(qualified_name, value)` for each attribute (`xmlns:ds`, `bom-ref`), values
    /// unescaped and normalized.
    pub(crate) fn for_each_qualified_attr(
        &self,
        mut f: impl FnMut(&str, Cow<'_, str>),
    ) -> Result<(), IngestError> {
        let mut plain = Plain::default();
        if plain.read(self.tag.attributes_raw()) {
            for (key, value) in plain.pairs() {
                f(key, Cow::Borrowed(value));
            }
            return Ok(());
        }
        for a in self.tag.attributes().with_checks(false) {
            let a = a.map_err(|e| {
                malformed_help(
                    IngestError::new(Code::MalformedXml, format!("malformed attribute: {e}"))
                        .at(Location::offset(self.offset))
                        .caused_by(e),
                )
            })?;
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| malformed_help(map_qx(e, self.offset)))?;
            f(a.key.0, value);
        }
        Ok(())
    }

    /// Byte offset of the tag.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }
}

/// The attributes of a tag when all are written plainly: `key="value"` or `key='value'`,
/// separated by spaces, no whitespace around `=`, and no reference (`&`), `<`, tab or line
/// break anywhere in the tag, so that normalizing the values changes nothing. Nearly every tag
/// of a JUnit report is written so, and splitting it here costs a fraction of quick-xml's
/// general attribute reader, which was a quarter of reading JUnit (callgrind). Anything else,
/// malformed tags included, is left to that reader: this one only says "not plain".
#[derive(Default)]
struct Plain<'a> {
    pairs: [(&'a str, &'a str); Plain::MAX],
    len: usize,
}

impl<'a> Plain<'a> {
    /// More attributes than this go to quick-xml's reader.
    const MAX: usize = 16;

    /// Splits `raw` (a start tag's content after its name); false when it is not plain.
    fn read(&mut self, raw: &'a str) -> bool {
        let bytes = raw.as_bytes();
        // One pass over the whole tag (SIMD) for what a plain tag never holds, so that the
        // values need no look of their own.
        if memchr::memchr3(b'&', b'<', b'\r', bytes).is_some()
            || memchr::memchr2(b'\t', b'\n', bytes).is_some()
        {
            return false;
        }
        let mut at = 0;
        loop {
            // Attributes are separated from the name and from each other by whitespace.
            let gap = at;
            while bytes.get(at) == Some(&b' ') {
                at += 1;
            }
            if at == bytes.len() {
                return true;
            }
            if at == gap || self.len == Self::MAX {
                return false;
            }
            let key_start = at;
            loop {
                match bytes.get(at) {
                    Some(b'=') => break,
                    Some(b' ' | b'"' | b'\'' | b'>' | b'/') | None => return false,
                    Some(_) => at += 1,
                }
            }
            let quote = match bytes.get(at + 1) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return false,
            };
            let value_start = at + 2;
            let Some(len) = bytes.get(value_start..).and_then(|rest| memchr::memchr(quote, rest)) else {
                return false;
            };
            let (Some(key), Some(value)) = (raw.get(key_start..at), raw.get(value_start..value_start + len))
            else {
                return false;
            };
            if key.is_empty() {
                return false;
            }
            if let Some(slot) = self.pairs.get_mut(self.len) {
                *slot = (key, value);
            }
            self.len += 1;
            at = value_start + len + 1;
        }
    }

    fn pairs(&self) -> &[(&'a str, &'a str)] {
        self.pairs.get(..self.len).unwrap_or_default()
    }
}

fn local(qname: &str) -> &str {
    // Names are a few bytes long, and every tag and attribute has one: a plain loop, not the
    // set-up of a memrchr search (a twelfth of reading JUnit).
    match qname.bytes().rposition(|b| b == b':') {
        Some(i) => qname.get(i + 1..).unwrap_or(qname),
        None => qname,
    }
}

/// One open element, for paths in error messages.
#[derive(Default)]
struct Frame {
    name: String,
    /// Position among same-named siblings, 1-based.
    index: u32,
    /// Names of children seen so far, with counts (few distinct names per element).
    children: Vec<(String, u32)>,
}

/// The streaming reader.
pub(crate) struct XmlReader<R: BufRead> {
    reader: quick_xml::Reader<R>,
    buf: Vec<u8>,
    frames: Vec<Frame>,
    depth: usize,
    max_depth: usize,
    root_closed: bool,
    /// The event to return after a self-closed element's `Start`.
    pending_end: bool,
    declared_encoding: Option<String>,
    roots: Vec<(String, u32)>,
    // The last event, copied out of `buf` (reused buffers, no allocation after warm-up) so
    // that `next` can loop past skipped events without holding a borrow of `buf`.
    text: String,
    start_content: String,
    start_name_len: usize,
    start_offset: u64,
    /// Inside [`XmlReader::skip_element`]: text is checked (quick-xml has read it as UTF-8)
    /// but not copied out, since nobody reads it.
    skipping: bool,
}

/// What `step` read.
enum Step {
    Skip,
    Start,
    End,
    Text,
    Eof,
}

impl<R: BufRead> XmlReader<R> {
    /// Wraps a reader. `max_depth` bounds element nesting.
    pub(crate) fn new(reader: R, max_depth: usize) -> Self {
        let mut reader = quick_xml::Reader::from_reader(reader);
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
        XmlReader {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            frames: Vec::new(),
            depth: 0,
            max_depth,
            root_closed: false,
            pending_end: false,
            declared_encoding: None,
            roots: Vec::new(),
            text: String::new(),
            start_content: String::new(),
            start_name_len: 0,
            start_offset: 0,
            skipping: false,
        }
    }

    /// Byte offset just after the last event.
    pub(crate) fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// The element path of the innermost open element: `/testsuites/testsuite[2]/testcase[7]`.
    pub(crate) fn path(&self) -> String {
        path_of(&self.frames, self.depth)
    }

    /// A location at the current position with the element path.
    pub(crate) fn here(&self) -> Location {
        Location::offset(self.offset()).with_path(self.path())
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Result<Ev<'_>, IngestError> {
        let step = if self.pending_end {
            self.pending_end = false;
            self.close();
            Step::End
        } else {
            loop {
                match self.step().map_err(malformed_help)? {
                    Step::Skip => continue,
                    s => break s,
                }
            }
        };
        Ok(match step {
            Step::Start => Ev::Start(Start {
                tag: BytesStart::from_content(self.start_content.as_str(), self.start_name_len),
                offset: self.start_offset,
            }),
            Step::End => Ev::End,
            Step::Text => Ev::Text(self.text.as_str()),
            Step::Eof | Step::Skip => Ev::Eof,
        })
    }

    fn step(&mut self) -> Result<Step, IngestError> {
        self.buf.clear();
        let start = self.reader.buffer_position();
        let ev = match self.reader.read_event_into(&mut self.buf) {
            Ok(ev) => ev,
            Err(e) => {
                let pos = self.reader.error_position();
                let mut err = map_qx(e, pos);
                err.location.path = Some(path_of(&self.frames, self.depth));
                if err.code == Code::InvalidUtf8
                    && let Some(enc) = &self.declared_encoding
                {
                    err.help = Some(format!(
                        "the file declares encoding=\"{enc}\", but verdict reads UTF-8; convert it with `iconv -f {enc} -t UTF-8`"
                    ));
                }
                return Err(err);
            }
        };
        match ev {
            Event::Start(_) | Event::Empty(_) if self.root_closed => Err(IngestError::new(
                Code::MalformedXml,
                "a second root element follows the end of the document",
            )
            .at(Location::offset(start))
            .expected("one root element")
            .help("the file looks like several XML documents concatenated; keep one document per file")),
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let empty = matches!(ev, Event::Empty(_));
                self.start_content.clear();
                self.start_content.push_str(tag);
                self.start_name_len = tag.name().0.len();
                self.start_offset = start;
                // The name is read from the copy just made, lent out of `self` while the
                // element is opened: no allocation per element.
                let content = std::mem::take(&mut self.start_content);
                let opened = self.open(local(content.get(..self.start_name_len).unwrap_or_default()), start);
                self.start_content = content;
                opened?;
                self.pending_end = empty;
                Ok(Step::Start)
            }
            Event::End(_) => {
                self.close();
                Ok(Step::End)
            }
            Event::Text(_) | Event::CData(_) if self.skipping && self.depth > 0 => Ok(Step::Text),
            Event::Text(t) => {
                let content = t.xml10_content();
                if self.depth == 0 {
                    // Whitespace between prolog items and after the root.
                    if content.trim().is_empty() {
                        return Ok(Step::Skip);
                    }
                    return Err(IngestError::new(Code::MalformedXml, "text outside the root element")
                        .at(Location::offset(start)));
                }
                self.text.clear();
                self.text.push_str(&content);
                Ok(Step::Text)
            }
            Event::CData(t) => {
                self.text.clear();
                self.text.push_str(&t.xml10_content());
                Ok(Step::Text)
            }
            Event::GeneralRef(r) => {
                self.text.clear();
                if r.is_char_ref() {
                    let bad = || {
                        IngestError::new(
                            Code::MalformedXml,
                            format!("invalid character reference `&{};`", r.xml10_content()),
                        )
                        .at(Location::offset(start))
                    };
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => self.text.push(c),
                        Ok(None) => return Err(bad()),
                        Err(e) => return Err(bad().caused_by(e)),
                    }
                    return Ok(Step::Text);
                }
                let name = r.xml10_content();
                let c = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => return Err(undefined_entity(other, start)),
                };
                self.text.push_str(c);
                Ok(Step::Text)
            }
            Event::DocType(t) => {
                let text = t.xml10_content();
                let upper = text.to_ascii_uppercase();
                if text.contains('[') || upper.contains("SYSTEM") || upper.contains("PUBLIC") {
                    return Err(IngestError::new(
                        Code::XmlDoctype,
                        "the XML declares a DOCTYPE with an internal subset or an external DTD",
                    )
                    .at(Location::offset(start))
                    .expected("no DOCTYPE (JUnit and CycloneDX need none)")
                    .help("verdict never expands entities or fetches DTDs; remove the DOCTYPE, or check where this file came from: entity declarations in a CI artifact are a known attack (XXE, billion laughs)"));
                }
                Ok(Step::Skip)
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = enc.trim().to_owned();
                    let lower = enc.to_ascii_lowercase();
                    if lower.starts_with("utf-16") || lower.starts_with("utf-32") || lower.starts_with("ucs")
                    {
                        // A file really written in UTF-16 or UTF-32 starts with a byte-order mark
                        // or zero bytes and is never read this far (discovery stops it): this
                        // declaration was read as 8-bit text, so it is wrong about the file (.NET's
                        // StringWriter declares the encoding of its string, utf-16, whatever the
                        // file is written in). Converting from UTF-16 would garble the file.
                        return Err(IngestError::new(
                            Code::UnsupportedEncoding,
                            format!("the XML declares encoding=\"{enc}\", but the file is not written in {enc}"),
                        )
                        .at(Location::offset(start))
                        .expected("encoding=\"UTF-8\", the encoding the file is written in")
                        .help(format!(
                            "the declaration is wrong, not the text: make the tool that writes the file declare UTF-8, \
                             or correct this file with `sed -i '1s/encoding=\"{enc}\"/encoding=\"UTF-8\"/' FILE`"
                        )));
                    }
                    if lower != "utf-8" && lower != "utf8" {
                        self.declared_encoding = Some(enc);
                    }
                }
                Ok(Step::Skip)
            }
            Event::Comment(_) | Event::PI(_) => Ok(Step::Skip),
            Event::Eof => {
                if self.depth > 0 {
                    let open = self.frames.get(self.depth - 1).map(|f| f.name.clone()).unwrap_or_default();
                    return Err(IngestError::new(Code::Truncated, format!("the file ends inside <{open}>"))
                        .at(self.here())
                        .expected(format!("</{open}> and the rest of the document"))
                        .help("the file was cut off: the tool that wrote it was probably interrupted, or the artifact upload was incomplete; re-run the step that produces it"));
                }
                if !self.root_closed {
                    return Err(IngestError::new(Code::Truncated, "the file holds no XML element")
                        .at(Location::offset(self.reader.buffer_position()))
                        .expected("a root element"));
                }
                Ok(Step::Eof)
            }
        }
    }

    fn open(&mut self, name: &str, offset: u64) -> Result<(), IngestError> {
        if self.depth >= self.max_depth {
            return Err(IngestError::new(
                Code::TooDeep,
                format!("elements are nested more than {} levels deep", self.max_depth),
            )
            .at(Location::offset(offset).with_path(path_of(&self.frames, self.depth)))
            .expected(format!("at most {} levels", self.max_depth))
            .help("no real JUnit or CycloneDX report nests this deep; check where this file came from"));
        }
        // Sibling index among same-named children of the parent.
        let index = {
            let siblings = match self.depth.checked_sub(1).and_then(|p| self.frames.get_mut(p)) {
                Some(parent) => &mut parent.children,
                None => &mut self.roots,
            };
            match siblings.iter_mut().find(|(n, _)| n == name) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    siblings.push((name.to_owned(), 1));
                    1
                }
            }
        };
        if self.frames.len() <= self.depth {
            self.frames.push(Frame::default());
        }
        if let Some(f) = self.frames.get_mut(self.depth) {
            f.name.clear();
            f.name.push_str(name);
            f.index = index;
            f.children.clear();
        }
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.root_closed = true;
        }
    }

    /// Skips the rest of the current element (after its `Start` was returned). Its text is
    /// not copied out (what `next` hands back for it is not its text).
    pub(crate) fn skip_element(&mut self) -> Result<(), IngestError> {
        let target = self.depth.saturating_sub(1);
        self.skipping = true;
        let skipped = loop {
            let end = match self.next() {
                Ok(Ev::End) => true,
                Ok(Ev::Eof) => break Ok(()),
                Ok(Ev::Start(_) | Ev::Text(_)) => false,
                Err(e) => break Err(e),
            };
            if end && self.depth == target {
                break Ok(());
            }
        };
        self.skipping = false;
        skipped
    }

    /// The current nesting depth (1 inside the root element).
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }
}

fn path_of(frames: &[Frame], depth: usize) -> String {
    // Deep paths keep their first and last steps: enough to find the place, short enough to read.
    const KEEP: usize = 3;
    let mut s = String::new();
    let shown = frames.iter().take(depth).enumerate();
    for (i, f) in shown {
        if depth > 2 * KEEP + 1 && i >= KEEP && i < depth - KEEP {
            if i == KEEP {
                s.push_str(&format!("/…{} more…", depth - 2 * KEEP));
            }
            continue;
        }
        s.push('/');
        s.push_str(&f.name);
        if f.index > 1 {
            s.push_str(&format!("[{}]", f.index));
        }
    }
    if s.is_empty() { "/".to_owned() } else { s }
}

/// Text collected up to a byte cap; the first cut is marked with `…` and later pieces are
/// dropped, so memory follows the cap, not the artifact.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    text: String,
    cut: bool,
}

impl Capture {
    /// Appends a piece, keeping the total at most `cap` bytes.
    pub(crate) fn push(&mut self, piece: &str, cap: usize) {
        if self.cut {
            return;
        }
        let room = cap.saturating_sub(self.text.len());
        if piece.len() <= room {
            self.text.push_str(piece);
            return;
        }
        let mut end = room.saturating_sub('…'.len_utf8());
        while end > 0 && !piece.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(piece.get(..end).unwrap_or(""));
        self.text.push('…');
        self.cut = true;
    }

    /// The collected text.
    pub(crate) fn into_string(self) -> String {
        self.text
    }
}

fn undefined_entity(name: &str, offset: u64) -> IngestError {
    IngestError::new(Code::XmlEntity, format!("undefined entity `&{name};`"))
        .at(Location::offset(offset))
        .expected("only XML's predefined entities (&amp; &lt; &gt; &quot; &apos;) and character references")
        .help("verdict never expands custom entities or fetches DTDs; write the character itself or a character reference such as `&#233;`")
}

/// Maps a quick-xml error at a byte offset to an ingest error.
/// What to do about XML that is not well-formed, put on an error that has nothing more specific.
fn malformed_help(mut err: IngestError) -> IngestError {
    if err.code == Code::MalformedXml && err.help.is_none() {
        err.help = Some(
            "the file is not well-formed XML: it was cut and joined, edited by hand, or written by a tool \
             that did not escape a test's output (a raw `<` or `&`); regenerate it with the step that writes it"
                .to_owned(),
        );
    }
    err
}

fn map_qx(e: QxError, offset: u64) -> IngestError {
    let loc = Location::offset(offset);
    match e {
        QxError::Io(io) => {
            let io = std::sync::Arc::try_unwrap(io)
                .unwrap_or_else(|arc| std::io::Error::new(arc.kind(), arc.to_string()));
            from_io(io, loc)
        }
        QxError::Encoding(enc) => {
            IngestError::new(Code::InvalidUtf8, "the file holds bytes that are not valid UTF-8")
                .at(loc)
                .expected("UTF-8 text")
                .help("verdict reads UTF-8; re-encode the file, e.g. `iconv -f LATIN1 -t UTF-8`")
                .caused_by(enc)
        }
        QxError::Escape(EscapeError::UnrecognizedEntity(_, name)) => undefined_entity(&name, offset),
        QxError::Escape(other) => IngestError::new(Code::MalformedXml, format!("bad reference: {other}"))
            .at(loc)
            .expected("a character reference such as `&#233;` or `&#xE9;`, or one of `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`")
            .caused_by(other),
        QxError::Syntax(s) => {
            let inside = match s {
                SyntaxError::UnclosedTag => Some(("a tag", "`>` closing the tag")),
                SyntaxError::UnclosedComment => Some(("a comment", "`-->` closing the comment")),
                SyntaxError::UnclosedCData => Some(("a CDATA section", "`]]>` closing the CDATA section")),
                SyntaxError::UnclosedPI => Some(("a processing instruction", "`?>`")),
                SyntaxError::UnclosedXmlDecl => Some(("the XML declaration", "`?>`")),
                SyntaxError::UnclosedDoctype => Some(("the DOCTYPE", "`>`")),
                SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue => {
                    Some(("an attribute value", "the closing quote"))
                }
                _ => None,
            };
            match inside {
                Some((what, expected)) => IngestError::new(Code::Truncated, format!("the file ends in the middle of {what}"))
                    .at(loc)
                    .expected(expected)
                    .help("the file was cut off: the tool that wrote it was probably interrupted, or the artifact upload was incomplete; re-run the step that produces it"),
                None => IngestError::new(Code::MalformedXml, s.to_string()).at(loc),
            }
        }
        QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => IngestError::new(
            Code::MalformedXml,
            format!("closing tag </{found}> does not match the open <{expected}>"),
        )
        .at(loc)
        .expected(format!("</{expected}>")),
        QxError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            IngestError::new(Code::MalformedXml, format!("closing tag </{name}> has no opening tag")).at(loc)
        }
        QxError::IllFormed(other) => IngestError::new(Code::MalformedXml, other.to_string()).at(loc),
        QxError::InvalidAttr(a) => {
            IngestError::new(Code::MalformedXml, format!("malformed attribute: {a}")).at(loc).caused_by(a)
        }
        QxError::Namespace(n) => {
            IngestError::new(Code::MalformedXml, format!("namespace error: {n}")).at(loc).caused_by(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str) -> Result<Vec<String>, IngestError> {
        let mut r = XmlReader::new(xml.as_bytes(), 64);
        let mut out = Vec::new();
        loop {
            match r.next()? {
                Ev::Start(s) => out.push(format!("<{}>", s.name())),
                Ev::End => out.push("</>".into()),
                Ev::Text(t) => out.push(t.to_owned()),
                Ev::Eof => return Ok(out),
            }
        }
    }

    /// XML that is not well-formed says what to do about it, whatever quick-xml found.
    #[test]
    fn malformed_xml_says_what_to_do() {
        for xml in ["<a><b></a>", "<a>&#xZZ;</a>", "</a>", "<a>x</a>y"] {
            let e = events(xml).expect_err(xml);
            assert_eq!(e.code, Code::MalformedXml, "{xml}");
            assert!(e.help.as_deref().is_some_and(|h| h.contains("regenerate it")), "{xml}: {e:?}");
        }
    }

    /// Predefined entities and character references resolve; self-closing tags open and close.
    #[test]
    fn references_and_empty_elements() {
        let ev = events("<a x='1'>x &amp; &#233;<b/></a>").expect("parses");
        assert_eq!(ev, ["<a>", "x ", "&", " ", "é", "<b>", "</>", "</>"]);
    }

    /// A DOCTYPE with entity declarations is refused before anything is expanded.
    #[test]
    fn refuses_entity_declarations() {
        let e =
            events("<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x 'boom'>]><a>&x;</a>").expect_err("refused");
        assert_eq!(e.code, Code::XmlDoctype);
        let e = events("<a>&x;</a>").expect_err("refused");
        assert_eq!(e.code, Code::XmlEntity);
    }

    /// Depth is bounded.
    #[test]
    fn bounds_depth() {
        let xml = "<a>".repeat(100) + &"</a>".repeat(100);
        let e = events(&xml).expect_err("too deep");
        assert_eq!(e.code, Code::TooDeep);
    }

    /// A UTF-16 declaration read as 8-bit text is wrong about the file: the error says to
    /// correct the declaration, never to convert the text from UTF-16 (which would garble it).
    #[test]
    fn a_wrong_utf16_declaration_says_so() {
        let e = events("<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>").expect_err("refused");
        assert_eq!(e.code, Code::UnsupportedEncoding);
        assert_eq!(e.message, "the XML declares encoding=\"utf-16\", but the file is not written in utf-16");
        let help = e.help.clone().unwrap_or_default();
        assert!(help.starts_with("the declaration is wrong, not the text"), "{help}");
        assert!(!help.contains("iconv"), "{help}");
    }

    /// A file cut short names the open element.
    #[test]
    fn truncation() {
        let e = events("<a><b>text").expect_err("truncated");
        assert_eq!(e.code, Code::Truncated);
        assert!(e.message.contains("<b>"), "{}", e.message);
        assert_eq!(e.location.path.as_deref(), Some("/a/b"));
    }

    /// Every attribute as `for_each_qualified_attr` hands it over, and whether the plain
    /// splitter took the tag.
    fn attrs(xml: &str) -> (Vec<(String, String)>, bool) {
        let mut r = XmlReader::new(xml.as_bytes(), 64);
        loop {
            if let Ev::Start(s) = r.next().expect("parses") {
                let mut out = Vec::new();
                s.for_each_qualified_attr(|k, v| out.push((k.to_owned(), v.into_owned())))
                    .expect("attributes");
                let plain = Plain::default().read(s.tag.attributes_raw());
                return (out, plain);
            }
        }
    }

    /// The plain splitter takes the tags it should, self-closing ones too, and hands over what
    /// quick-xml's reader would; any other tag goes to quick-xml.
    #[test]
    fn plain_attributes() {
        let pairs =
            |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        for (xml, want, plain) in [
            ("<t a=\"1\" b='x y' c=\"\"/>", pairs(&[("a", "1"), ("b", "x y"), ("c", "")]), true),
            ("<t a=\"1\" ns:b=\">2\">", pairs(&[("a", "1"), ("ns:b", ">2")]), true),
            ("<t a=\"1\"\n   b=\"2\">", pairs(&[("a", "1"), ("b", "2")]), false),
            ("<t a=\"1\"b=\"2\">", pairs(&[("a", "1"), ("b", "2")]), false),
            ("<t a=\"it's\" b='say \"hi\"' />", pairs(&[("a", "it's"), ("b", "say \"hi\"")]), true),
            ("<t/>", pairs(&[]), true),
            ("<t a=\"x &amp; y\"/>", pairs(&[("a", "x & y")]), false),
            ("<t a=\"&#233;\"/>", pairs(&[("a", "é")]), false),
            ("<t a=\"x\ty\r\nz\"/>", pairs(&[("a", "x y z")]), false),
            ("<t a = \"1\"/>", pairs(&[("a", "1")]), false),
        ] {
            assert_eq!(attrs(xml), (want, plain), "{xml}");
        }
        let many: String = (0..20).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let (got, plain) = attrs(&format!("<t{many}/>"));
        assert_eq!((got.len(), plain), (20, false));
    }

    /// Captured text is capped at a char boundary.
    #[test]
    fn capped_text() {
        let mut c = Capture::default();
        c.push("ab", 7);
        c.push("ééééé", 7);
        c.push("more", 7);
        let s = c.into_string();
        assert_eq!(s, "abé…");
    }
}
