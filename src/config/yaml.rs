//! YAML text → a tree of nodes that remember where they were written.
//!
//! Owns: which YAML verdict accepts. A configuration is plain data: mappings with string
//! keys, lists and scalars, in one document. What would make the file act differently from
//! how it reads is refused with a diagnostic: a key written twice (YAML keeps one silently),
//! anchors and aliases (the source of "billion laughs" documents, and they hide what a
//! waiver really says), tags, a second document after `---`, keys that are not scalars, and
//! nesting deeper than [`MAX_DEPTH`].
//! Takes a [`Source`]; returns the root node and pushes diagnostics. Scalars stay text: the
//! validator decides what type a value must be, with YAML 1.2's core schema for plain
//! scalars (so `yes`, `on` and `2026-12-31` are strings, never booleans or timestamps).
//! Must not: open files, know any key of `verdict.yaml`.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle};

use crate::diag::Diagnostic;

use super::codes::Code;
use super::source::{Pos, Source, Span};

/// The deepest nesting of lists and mappings accepted. `verdict.yaml` needs four levels
/// (`waivers[0].path`), inline `data.values` a few more; the limit keeps a hostile file from
/// building a tree too deep to drop.
pub(crate) const MAX_DEPTH: usize = 32;

/// A value with its place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// Where it was written (for a mapping or list, from its first to its last character).
    pub span: Span,
    /// What it is.
    pub value: Value,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A scalar's text; `plain` when unquoted (only plain scalars are typed: `true`, `12`,
    /// `null`).
    Scalar {
        /// The text, after YAML's unescaping.
        text: String,
        /// Written without quotes and not as a block scalar.
        plain: bool,
    },
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in the order written.
    Map(Vec<Entry>),
    /// What an alias stood for: already reported, so every reader passes over it silently
    /// instead of adding "has no value" to "aliases are not supported".
    Refused,
}

/// One key of a mapping and its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// Its value.
    pub value: Node,
}

/// What a plain scalar means under YAML 1.2's core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Typed<'a> {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number that is not an integer (or does not fit in 64 bits).
    Float(f64),
    /// Anything else, and every quoted scalar.
    Str(&'a str),
}

impl Node {
    /// The scalar's meaning, or `None` for a list or mapping.
    pub fn typed(&self) -> Option<Typed<'_>> {
        let Value::Scalar { text, plain } = &self.value else { return None };
        if !plain {
            return Some(Typed::Str(text));
        }
        Some(match text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Typed::Null,
            "true" | "True" | "TRUE" => Typed::Bool(true),
            "false" | "False" | "FALSE" => Typed::Bool(false),
            t => number(t).unwrap_or(Typed::Str(t)),
        })
    }

    /// Whether it is `null` or empty (`key:` with nothing after it).
    pub fn is_null(&self) -> bool {
        self.typed() == Some(Typed::Null)
    }

    /// What it is, for messages: `a list`, `a mapping`, `the number 12`, `no value`.
    pub fn describe(&self) -> String {
        match (&self.value, self.typed()) {
            (Value::Seq(_), _) => "a list".into(),
            (Value::Map(_), _) => "a mapping".into(),
            (Value::Refused, _) => "an alias".into(),
            (_, Some(Typed::Null)) => "no value".into(),
            (_, Some(Typed::Bool(b))) => format!("the boolean `{b}`"),
            (_, Some(Typed::Int(_) | Typed::Float(_))) => format!("the number `{}`", self.text()),
            (_, _) => format!("the string `{}`", short(self.text())),
        }
    }

    /// A scalar's text as written (empty for a list or mapping).
    pub fn text(&self) -> &str {
        match &self.value {
            Value::Scalar { text, .. } => text,
            Value::Seq(_) | Value::Map(_) | Value::Refused => "",
        }
    }
}

/// At most 60 characters of a value, for messages.
pub(crate) fn short(text: &str) -> Cow<'_, str> {
    if text.chars().count() <= 60 {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{}…", text.chars().take(59).collect::<String>()))
    }
}

/// YAML 1.2 core schema numbers: `12`, `-3`, `0x1f`, `0o17`, `1.5`, `2e3`, `.inf`, `.nan`.
fn number(t: &str) -> Option<Typed<'static>> {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = t.strip_prefix("0x") {
        return digits(hex, 16)
            .then(|| i64::from_str_radix(hex, 16).map_or(Typed::Float(f64::NAN), Typed::Int));
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return digits(oct, 8)
            .then(|| i64::from_str_radix(oct, 8).map_or(Typed::Float(f64::NAN), Typed::Int));
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits(unsigned, 10) {
        return Some(
            t.parse::<i64>().map_or_else(|_| Typed::Float(t.parse().unwrap_or(f64::NAN)), Typed::Int),
        );
    }
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(Typed::Float(if t.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }));
        }
        ".nan" | ".NaN" | ".NAN" if unsigned == t => return Some(Typed::Float(f64::NAN)),
        _ => {}
    }
    // [0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)? with at least one digit before the exponent.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (unsigned.get(..i)?, Some(unsigned.get(i + 1..)?)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let ok_mantissa = (int.is_empty() || digits(int, 10))
        && (frac.is_empty() || digits(frac, 10))
        && !(int.is_empty() && frac.is_empty());
    let ok_exponent = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    if ok_mantissa && ok_exponent && (mantissa.contains('.') || exponent.is_some()) {
        return t.parse::<f64>().ok().map(Typed::Float);
    }
    None
}

/// The parse stopped: the text is not YAML, or nests too deep. The reason was pushed.
#[derive(Debug)]
pub(crate) struct Fatal;

enum Slot {
    /// The next node is a key.
    Key,
    /// The next node is the value of this key.
    Value(String, Span),
    /// The next node is the value of a refused key (duplicate or complex): dropped.
    Drop,
}

enum Frame {
    Seq { start: Pos, items: Vec<Node> },
    Map { start: Pos, entries: Vec<Entry>, slot: Slot },
}

/// Parses one document. `Ok(None)`: no document at all (an empty file, or only comments).
/// Refused YAML that still yields a tree (a duplicate key, an alias, a tag, a second
/// document) is reported and the tree is returned, so validation can report more; a syntax
/// error or too deep a nesting is `Err(Fatal)`.
pub(crate) fn parse(src: &Source<'_>, diags: &mut Vec<Diagnostic>) -> Result<Option<Node>, Fatal> {
    let mut parser = Parser::new_from_str(src.text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let unsupported =
        |span: Span, message: &str, help: &str| src.diag(Code::UnsupportedYaml, span, "", message).help(help);
    while let Some(next) = parser.next_event() {
        let (event, yspan) = match next {
            Ok(e) => e,
            Err(e) => {
                let m = e.marker();
                let pos = Pos { line: m.line() as u64, column: m.col() as u64 + 1 };
                let help = if e.info().contains("tab") {
                    "YAML indents with spaces: replace the tab"
                } else {
                    "check the indentation and quoting here: quote a value that contains `: ` or ` #`, or that starts with `*`, `&`, `!`, `%`, `@` or a backquote"
                };
                let at = Span { start: pos, end: pos };
                diags.push(
                    src.diag(Code::InvalidYaml, at, "", format!("invalid YAML: {}", e.info())).help(help),
                );
                return Err(Fatal);
            }
        };
        let span = Span::from_yaml(&yspan);
        let (anchor, tag) = match &event {
            Event::Scalar(_, _, a, t) | Event::SequenceStart(_, a, t) | Event::MappingStart(_, a, t) => {
                (*a, t.is_some())
            }
            _ => (0, false),
        };
        if anchor > 0 {
            diags.push(unsupported(
                span,
                "YAML anchors (`&name`) are not supported",
                "write the value out in full where it is used: a gate's configuration should read exactly as it acts",
            ));
        }
        if tag {
            diags.push(unsupported(
                span,
                "YAML tags (`!tag`, `!!str`) are not supported",
                "remove the tag; to make a value a string, quote it: `\"123\"`",
            ));
        }
        let node = match event {
            Event::StreamStart => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                if documents > 0 {
                    diags.push(unsupported(
                        span,
                        "a second YAML document (after `---`) is not supported",
                        "keep one document per file: remove the `---` line and merge the settings",
                    ));
                    break;
                }
                continue;
            }
            Event::DocumentEnd => {
                documents += 1;
                continue;
            }
            Event::Alias(_) => {
                diags.push(unsupported(
                    span,
                    "YAML aliases (`*name`) are not supported",
                    "write the value out in full where it is used: a gate's configuration should read exactly as it acts",
                ));
                Node { span, value: Value::Refused }
            }
            Event::Scalar(text, style, _, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                Node { span, value: Value::Scalar { text: text.into_owned(), plain } }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    diags.push(
                        unsupported(span, &format!("nesting deeper than {MAX_DEPTH} levels"), "")
                            .help("verdict.yaml needs a few levels; flatten this value"),
                    );
                    return Err(Fatal);
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq { start: span.start, items: Vec::new() }
                } else {
                    Frame::Map { start: span.start, entries: Vec::new(), slot: Slot::Key }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { start, items }) => {
                    Node { span: Span { start, end: span.end }, value: Value::Seq(items) }
                }
                Some(Frame::Map { start, entries, .. }) => {
                    Node { span: Span { start, end: span.end }, value: Value::Map(entries) }
                }
                None => continue,
            },
            // Comments and the like: presentation, not data.
            _ => continue,
        };
        attach(src, &mut stack, &mut root, node, diags);
    }
    Ok(root)
}

/// Puts a finished node where it belongs: the root, a list item, a key or a value.
fn attach(
    src: &Source<'_>,
    stack: &mut [Frame],
    root: &mut Option<Node>,
    node: Node,
    diags: &mut Vec<Diagnostic>,
) {
    match stack.last_mut() {
        None => *root = Some(node),
        Some(Frame::Seq { items, .. }) => items.push(node),
        Some(Frame::Map { entries, slot, .. }) => {
            *slot = match std::mem::replace(slot, Slot::Key) {
                Slot::Key => match node.value {
                    Value::Scalar { text, .. } => {
                        if let Some(first) = entries.iter().find(|e| e.key == text) {
                            diags.push(
                                src.diag(
                                    Code::DuplicateKey,
                                    node.span,
                                    "",
                                    format!("`{}` is written twice in this mapping", short(&text)),
                                )
                                .help(format!(
                                    "it is first written at line {}; YAML would keep only one of the two, so merge them into one",
                                    first.key_span.start.line
                                )),
                            );
                            Slot::Drop
                        } else {
                            Slot::Value(text, node.span)
                        }
                    }
                    Value::Refused => Slot::Drop,
                    Value::Seq(_) | Value::Map(_) => {
                        diags.push(
                            src.diag(
                                Code::UnsupportedYaml,
                                node.span,
                                "",
                                "a key that is a list or a mapping",
                            )
                            .help("keys are plain words: `paths:`, `severities:`"),
                        );
                        Slot::Drop
                    }
                },
                Slot::Value(key, key_span) => {
                    entries.push(Entry { key, key_span, value: node });
                    Slot::Key
                }
                Slot::Drop => Slot::Key,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let src = Source::new("t.yaml", text);
        let mut d = Vec::new();
        let root = parse(&src, &mut d).expect("parses");
        (root, d)
    }

    fn map(node: &Node) -> &[Entry] {
        match &node.value {
            Value::Map(e) => e,
            other => panic!("not a map: {other:?}"),
        }
    }

    /// Keys and values keep their line and column (1-based, in characters).
    #[test]
    fn spans() {
        let (root, d) = parse_ok("a: 1\nbé:\n  - 'x y'\n  - z\n");
        assert!(d.is_empty(), "{d:?}");
        let root = root.expect("root");
        let e = map(&root);
        assert_eq!(e[0].key, "a");
        assert_eq!((e[0].key_span.start.line, e[0].key_span.start.column), (1, 1));
        assert_eq!((e[0].value.span.start.line, e[0].value.span.start.column), (1, 4));
        let Value::Seq(items) = &e[1].value.value else { panic!("seq") };
        assert_eq!(items[0].text(), "x y");
        assert_eq!((items[0].span.start.line, items[0].span.start.column), (3, 5));
        assert_eq!(items[0].span.end.column, 10, "a quoted scalar's span covers its quotes");
        assert_eq!((items[1].span.start.line, items[1].span.start.column), (4, 5));
        assert_eq!(items[1].span.end.column, 6);
    }

    /// Plain scalars are typed by YAML 1.2's core schema; quoted ones are strings.
    #[test]
    fn core_schema() {
        let (root, _) = parse_ok(
            "[~, '', true, 'true', yes, 12, -0x1f, 1.5, 2e3, .inf, 2026-12-31, 1.2.3, null, 0o17, on]",
        );
        let Value::Seq(items) = root.expect("root").value else { panic!("seq") };
        let t: Vec<Typed<'_>> = items.iter().map(|n| n.typed().expect("scalar")).collect();
        assert_eq!(t[0], Typed::Null);
        assert_eq!(t[1], Typed::Str(""));
        assert_eq!(t[2], Typed::Bool(true));
        assert_eq!(t[3], Typed::Str("true"));
        assert_eq!(t[4], Typed::Str("yes"), "YAML 1.1 booleans are strings");
        assert_eq!(t[5], Typed::Int(12));
        assert_eq!(t[6], Typed::Str("-0x1f"), "hex has no sign in the core schema");
        assert_eq!(t[7], Typed::Float(1.5));
        assert_eq!(t[8], Typed::Float(2000.0));
        assert_eq!(t[9], Typed::Float(f64::INFINITY));
        assert_eq!(t[10], Typed::Str("2026-12-31"), "dates stay text");
        assert_eq!(t[11], Typed::Str("1.2.3"));
        assert_eq!(t[12], Typed::Null);
        assert_eq!(t[13], Typed::Int(15));
        assert_eq!(t[14], Typed::Str("on"));
    }

    /// A key written twice is reported at the second, and the first is kept.
    #[test]
    fn duplicate_keys() {
        let (root, d) = parse_ok("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "config/duplicate-key");
        assert_eq!((d[0].line, d[0].column), (Some(3), Some(1)));
        assert_eq!(d[0].message, "`a` is written twice in this mapping");
        let root = root.expect("root");
        assert_eq!(map(&root).len(), 2);
        assert_eq!(map(&root)[0].value.text(), "1");
    }

    /// Anchors, aliases and tags are refused, each where it is written; the tree survives.
    #[test]
    fn anchors_aliases_tags() {
        let (root, d) = parse_ok("a: &x 1\nb: *x\nc: !!str 3\n");
        let codes: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(
            codes,
            [
                ("config/unsupported-yaml", Some(1)),
                ("config/unsupported-yaml", Some(2)),
                ("config/unsupported-yaml", Some(3))
            ]
        );
        assert!(d[1].message.contains("aliases"));
        assert_eq!(map(&root.expect("root")).len(), 3);
    }

    /// A "billion laughs" document is refused at its first anchor and never expanded.
    #[test]
    fn alias_bomb_is_not_expanded() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let (root, d) = parse_ok(&text);
        assert!(d.iter().all(|d| d.code == "config/unsupported-yaml"));
        assert_eq!(d.len(), 10 + 81, "one per anchor and one per alias");
        assert_eq!(map(&root.expect("root")).len(), 10);
    }

    /// A second document is refused; the first is still validated.
    #[test]
    fn second_document() {
        let (root, d) = parse_ok("a: 1\n---\nb: 2\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(2));
        assert!(root.is_some());
    }

    /// Empty text and comments are no document.
    #[test]
    fn empty() {
        assert_eq!(parse_ok("").0, None);
        assert_eq!(parse_ok("# only a comment\n\n").0, None);
    }

    /// Syntax errors stop the parse with a located diagnostic.
    #[test]
    fn syntax_error() {
        let src = Source::new("t.yaml", "a: 1\nb: c: d\n");
        let mut d = Vec::new();
        assert!(parse(&src, &mut d).is_err());
        assert_eq!(d[0].code, "config/invalid-yaml");
        assert_eq!((d[0].line, d[0].column), (Some(2), Some(5)));
        assert_eq!(d[0].message, "invalid YAML: mapping values are not allowed in this context");
    }

    /// Nesting is bounded, block or flow.
    #[test]
    fn depth() {
        let text = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        let src = Source::new("t.yaml", &text);
        let mut d = Vec::new();
        assert!(parse(&src, &mut d).is_err());
        assert_eq!(d[0].code, "config/unsupported-yaml");
    }

    /// Keys that are lists or mappings are refused.
    #[test]
    fn complex_key() {
        let (root, d) = parse_ok("? [a, b]\n: 1\nc: 2\n");
        assert_eq!(d[0].code, "config/unsupported-yaml");
        assert_eq!(map(&root.expect("root")).len(), 1);
    }
}
