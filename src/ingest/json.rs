//! Streaming JSON reading shared by the JSON parsers (Trivy, Checkov, CycloneDX, SPDX, custom).
//!
//! Depth: every value verdict reads is bounded by serde_json's recursion limit (128 levels,
//! `ingest/too-deep`). Values verdict does not read (unknown fields) are skipped by serde_json
//! without recursion, in constant stack and one byte of memory per level, so their depth
//! cannot hurt and is not an error.
//!
//! Duplicate keys: a key given twice in an object verdict reads is an error
//! (`ingest/duplicate-key`). Readers disagree on which of the two values counts (serde_json
//! keeps the last, others the first), so a report with two `Severity` keys could say one thing
//! to verdict and another to the tool that shows it. serde's derived structs refuse a repeated
//! field they read; the hand-written visitors use [`Keys`]; documents kept whole (custom inputs,
//! CycloneDX elements) are read with [`Unique`].
//!
//! Owns: driving serde_json over a reader with the JSON path tracked for errors, rejecting
//! trailing content, streaming large arrays element by element ([`ForEach`]), refusing
//! duplicate keys, and mapping serde_json's errors to [`IngestError`]s with line, column and
//! path.
//! Must not: open files or know any format.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::{Code, IngestError, Location, from_io};

/// Separates a custom error's message from what was expected (see [`bad_value`]).
const EXPECTED_SEP: char = '\u{1f}';

/// A custom deserialization error that keeps "what was expected" apart from the message, so
/// that the rendered error can show both.
pub(crate) fn bad_value<E: de::Error>(message: impl fmt::Display, expected: impl fmt::Display) -> E {
    E::custom(format_args!("{message}{EXPECTED_SEP}{expected}"))
}

/// JSON files up to this size are read into memory whole and parsed from there: serde_json
/// parses a slice about twice as fast as a reader, which it reads byte by byte. Larger files
/// are parsed as they stream in, so that memory does not grow with the size of a large scan.
/// The buffer is an anonymous mapping, outside the allocator: it is returned to the system
/// the moment the file is parsed, while memory the allocator has held stays counted in the
/// process's size until it is reused.
const WHOLE_MAX: u64 = 64 * 1024 * 1024;

/// How much of a whole-file buffer is made ready at a time before it is read into. Each
/// 4 KiB page of fresh memory otherwise costs a page fault, which on a virtual machine is a
/// few microseconds: a tenth of reading a 40 MB scan. The buffer is made ready a slice at a
/// time, not all at once as it is mapped, because the kernel holds the process's map lock
/// while it does so, and a second thread mapping its own file would wait for all of it.
const POPULATE: usize = 2 * 1024 * 1024;

/// Reads one whole JSON document with the seed `seed()` makes, then requires that only
/// whitespace follows. `size` is the file's size when known (see [`WHOLE_MAX`]). `regenerate`
/// is a hint on how to produce a good file, used in the `help` of errors.
///
/// A document read whole from memory is first parsed without tracking JSON paths: the tracking
/// copies every object key it passes (serde_path_to_error keeps the last key as a `String`),
/// which cost about a tenth of the JSON parsers' time. Only when that parse fails is the same
/// text parsed again, from a fresh seed, with paths tracked, so that the error names where it
/// is exactly as a streamed document's does. A streamed document is parsed once, tracked.
pub(crate) fn read_seed<R, S, V>(
    mut reader: R,
    size: Option<u64>,
    seed: impl Fn() -> S,
    regenerate: &str,
) -> Result<V, IngestError>
where
    R: Read,
    S: for<'de> DeserializeSeed<'de, Value = V>,
{
    let Some(mut whole) = size.filter(|n| (1..=WHOLE_MAX).contains(n)).and_then(|n| {
        // One byte more than the file had when it was opened, to see whether it grew since.
        memmap2::MmapMut::map_anon(usize::try_from(n).ok()? + 1).ok()
    }) else {
        return read_with(serde_json::Deserializer::from_reader(reader), seed(), regenerate);
    };
    let mut filled = 0;
    let mut populated = 0;
    while filled < whole.len() {
        if filled == populated {
            // The pages the next reads fill, made ready in one call rather than a page fault
            // each (see [`POPULATE`]). A kernel older than 5.14 refuses the advice, and its
            // pages are faulted in as they are written, as they would be anyway.
            populated = whole.len().min(filled + POPULATE);
            let _ = whole.advise_range(memmap2::Advice::PopulateWrite, filled, populated - filled);
        }
        let Some(rest) = whole.get_mut(filled..populated) else { break };
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(from_io(e, Location::none())),
        }
    }
    if filled == whole.len() {
        // The file grew while it was read (a report still being written): parse what was
        // read and the rest as it streams in.
        let text = std::io::Cursor::new(&whole[..]).chain(reader);
        return read_with(serde_json::Deserializer::from_reader(text), seed(), regenerate);
    }
    let text = whole.get(..filled).unwrap_or_default();
    // The text checked as UTF-8 once, whole: serde_json then lends each string it reads
    // without checking it again (from bytes it checks every one, 1.27 million calls at scale
    // 10, more than the one pass costs). Text that is not UTF-8 is parsed from its bytes, so
    // that serde_json says where, as before.
    let untracked = match std::str::from_utf8(text) {
        Ok(text) => whole_parse(serde_json::Deserializer::from_str(text), seed()),
        Err(_) => whole_parse(serde_json::Deserializer::from_slice(text), seed()),
    };
    match untracked {
        Ok(value) => Ok(value),
        Err(_) => read_with(serde_json::Deserializer::from_slice(text), seed(), regenerate),
    }
}

/// A whole document, nothing tracked: `Err` only says that it does not parse.
fn whole_parse<'de, R, S, V>(mut de: serde_json::Deserializer<R>, seed: S) -> Result<V, serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    S: DeserializeSeed<'de, Value = V>,
{
    seed.deserialize(&mut de).and_then(|value| de.end().map(|()| value))
}

fn read_with<'de, R, S, V>(
    mut de: serde_json::Deserializer<R>,
    seed: S,
    regenerate: &str,
) -> Result<V, IngestError>
where
    R: serde_json::de::Read<'de>,
    S: DeserializeSeed<'de, Value = V>,
{
    let mut track = serde_path_to_error::Track::new();
    let value = seed
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|e| convert(e, &track.path().to_string(), regenerate))?;
    de.end().map_err(|e| convert(e, "", regenerate))?;
    Ok(value)
}

/// Reads one whole JSON document into `T`.
pub(crate) fn read<R: Read, T: DeserializeOwned>(
    reader: R,
    size: Option<u64>,
    regenerate: &str,
) -> Result<T, IngestError> {
    read_seed(reader, size, PhantomData::<T>::default, regenerate)
}

/// Maps a serde_json error at a JSON path to an ingest error.
pub(crate) fn convert(e: serde_json::Error, path: &str, regenerate: &str) -> IngestError {
    use serde_json::error::Category;
    // serde_path_to_error writes `?` for a key it had not read yet; the position says more.
    let path = path.strip_suffix(".?").or_else(|| path.strip_suffix('?')).unwrap_or(path);
    let loc = Location::line_col(e.line() as u64, e.column() as u64).with_path(path);
    let regenerate_help = || format!("regenerate the artifact: {regenerate}");
    match e.classify() {
        Category::Io => from_io(std::io::Error::from(e), loc),
        Category::Eof => IngestError::new(Code::Truncated, "the file ends in the middle of the JSON document")
            .at(loc)
            .expected("the rest of the document")
            .help(format!(
                "the file was cut off: the tool that wrote it was probably interrupted, or the artifact upload was incomplete; {}",
                regenerate_help()
            )),
        Category::Syntax => {
            let msg = strip_position(&e.to_string());
            if msg.contains("recursion limit exceeded") {
                IngestError::new(Code::TooDeep, "the JSON nests arrays and objects too deeply")
                    .at(loc)
                    .expected("at most 128 levels of nesting")
                    .help("no real report nests this deep; check where this file came from")
            } else if msg.contains("invalid unicode code point") || msg.contains("surrogate") {
                IngestError::new(Code::InvalidUtf8, format!("the file holds text that is not valid UTF-8 ({msg})"))
                    .at(loc)
                    .expected("UTF-8 text")
                    .help("verdict reads UTF-8 JSON, as the JSON standard requires; re-encode the file or regenerate it")
            } else {
                IngestError::new(Code::MalformedJson, format!("the file is not valid JSON: {msg}"))
                    .at(loc)
                    .help(regenerate_help())
            }
        }
        Category::Data => {
            let full = strip_position(&e.to_string());
            let (msg, expected) = match full.split_once(EXPECTED_SEP) {
                Some((m, x)) => (m.to_owned(), Some(x.to_owned())),
                None => (full, None),
            };
            if let Some(key) = msg.strip_prefix("duplicate field ").or_else(|| msg.strip_prefix("duplicate key ")) {
                let key = key.trim_matches('`');
                return duplicate_key_error(key, loc, regenerate);
            }
            let code = if msg.starts_with("missing field") { Code::MissingField } else { Code::BadValue };
            let mut err = IngestError::new(code, msg).at(loc).help(regenerate_help());
            if let Some(x) = expected {
                err = err.expected(x);
            }
            err
        }
    }
}

/// serde_json appends " at line L column C"; the location is shown separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

/// The keys of one JSON object read so far, for visitors that read an object key by key.
#[derive(Debug, Default)]
pub(crate) struct Keys(HashSet<String>);

impl Keys {
    /// Notes `key`; an error if the object already had it.
    pub(crate) fn first<E: de::Error>(&mut self, key: &str) -> Result<(), E> {
        if self.0.insert(key.to_owned()) { Ok(()) } else { Err(duplicate_key(key)) }
    }

    /// Whether the object had `key` so far.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.contains(key)
    }
}

fn duplicate_key<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate key `{key}`"))
}

/// The error for an object that gives `key` twice.
pub(crate) fn duplicate_key_error(key: &str, loc: Location, regenerate: &str) -> IngestError {
    IngestError::new(Code::DuplicateKey, format!("the object has the key `{key}` twice"))
        .at(loc)
        .expected("each key once")
        .help(format!(
            "readers disagree on which of two values counts, so verdict reads neither: no tool writes this; check where the file came from, or regenerate it: {regenerate}"
        ))
}

/// A JSON value read whole, like `serde_json::Value`, except that an object repeating a key is
/// an error rather than keeping the last value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unique(pub Value);

impl<'de> de::Deserialize<'de> for Unique {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity, and serde_json refuses numbers out of f64's range.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(duplicate_key(&key));
            }
            let Unique(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses a piece of JSON text (a whole element), refusing duplicate keys.
pub(crate) fn unique_from_slice(text: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let Unique(value) = de::Deserialize::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A seed that streams a JSON array (or `null`, read as empty) element by element, calling
/// `f` with each deserialized element, so that only one element is in memory at a time.
pub(crate) struct ForEach<'f, T, F> {
    f: &'f mut F,
    marker: PhantomData<fn() -> T>,
}

impl<'f, T, F> ForEach<'f, T, F> {
    /// Streams elements of type `T` into `f`.
    pub(crate) fn new(f: &'f mut F) -> Self {
        ForEach { f, marker: PhantomData }
    }
}

impl<'de, 'f, T, F> DeserializeSeed<'de> for ForEach<'f, T, F>
where
    T: de::Deserialize<'de>,
    F: FnMut(T),
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(mut self, d: D) -> Result<(), D::Error> {
        EachSeed(&mut self).deserialize(d)
    }
}

/// One element for [`ForEach`]'s function.
impl<'de, 'f, T, F> DeserializeSeed<'de> for &mut ForEach<'f, T, F>
where
    T: de::Deserialize<'de>,
    F: FnMut(T),
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        (self.f)(T::deserialize(d)?);
        Ok(())
    }
}

/// A seed that streams a JSON array (or `null`, read as empty) through another seed, element
/// by element: for elements that are turned into records as they are read, with somewhere to
/// put them.
pub(crate) struct EachSeed<'s, S>(pub &'s mut S);

impl<'de, S> DeserializeSeed<'de> for EachSeed<'_, S>
where
    for<'a> &'a mut S: DeserializeSeed<'de, Value = ()>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S> Visitor<'de> for EachSeed<'_, S>
where
    for<'a> &'a mut S: DeserializeSeed<'de, Value = ()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(&mut *self.0)?.is_some() {}
        Ok(())
    }
}

/// A string lent by the document when it can be (read whole from memory, and without escapes),
/// copied otherwise: a record the parser reads and then drops costs no copy of its strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The text as an owned string, `None` when it is blank (scanners write `""` for "no value").
    pub(crate) fn non_empty(this: Option<Self>) -> Option<String> {
        this.filter(|t| !t.0.trim().is_empty()).map(|t| t.0.into_owned())
    }
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Lend;
        impl<'de> Visitor<'de> for Lend {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        d.deserialize_str(Lend).map(Text)
    }
}

/// Deserializes a string that may also be written as `null` (absent) — and turns an empty
/// string into `None`, since scanners write `""` for "no value".
pub(crate) fn non_empty<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = de::Deserialize::deserialize(d)?;
    Ok(s.filter(|s| !s.trim().is_empty()))
}

/// Deserializes a list that may be `null` or absent as empty.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    let v: Option<Vec<T>> = de::Deserialize::deserialize(d)?;
    Ok(v.unwrap_or_default())
}

/// Truncates a string to at most `cap` bytes at a char boundary, marking the cut with `…`.
pub(crate) fn cap(mut s: String, cap: usize) -> String {
    if s.len() <= cap {
        return s;
    }
    let mut end = cap.saturating_sub('…'.len_utf8());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }

    /// Reads `text` as a file of known size is read (whole, from memory) and as one of
    /// unknown size (streamed); both must give the same value or the same error.
    fn both<T: DeserializeOwned>(text: &[u8]) -> Result<T, IngestError> {
        let whole = read::<_, T>(text, Some(text.len() as u64), "x");
        let streamed = read::<_, T>(text, None, "x");
        match (&whole, &streamed) {
            (Ok(_), Ok(_)) => {}
            (Err(a), Err(b)) => {
                assert_eq!((a.code, &a.message, &a.expected), (b.code, &b.message, &b.expected));
                // serde_json's slice reader may place an error one column before its
                // stream reader does (after a key was read, for one): same line and path.
                assert_eq!((a.location.line, &a.location.path), (b.location.line, &b.location.path));
                let (x, y) = (a.location.column.unwrap_or(0), b.location.column.unwrap_or(0));
                assert!(x.abs_diff(y) <= 1, "columns {x} and {y}");
            }
            _ => panic!("read whole: {}, streamed: {}", whole.is_ok(), streamed.is_ok()),
        }
        whole
    }

    /// A file that grows while it is read (a report still being written) is read to its end,
    /// and one that shrank is read as it is now.
    #[test]
    fn size_changed_while_reading() {
        let text = br#"{"items": [{"n": 1}, {"n": 2}]}"#;
        let grown: Doc = read(&text[..], Some(5), "x").expect("grew");
        assert_eq!(grown.items.len(), 2);
        let shrunk: Doc = read(&text[..], Some(1000), "x").expect("shrank");
        assert_eq!(shrunk.items.len(), 2);
        let e = read::<_, Doc>(&text[..20], Some(5), "x").expect_err("cut off after growing");
        assert_eq!(e.code, Code::Truncated);
    }

    /// Errors carry line, column and the JSON path of the bad value.
    #[test]
    fn error_location_and_path() {
        let text = "{\n  \"items\": [\n    {\"n\": 1},\n    {\"n\": \"two\"}\n  ]\n}";
        let e = both::<Doc>(text.as_bytes()).expect_err("bad type");
        assert_eq!(e.code, Code::BadValue);
        assert_eq!(e.location.line, Some(4));
        assert_eq!(e.location.path.as_deref(), Some("items[1].n"));
    }

    /// A cut-off file is reported as truncated, trailing garbage as malformed.
    #[test]
    fn truncated_and_trailing() {
        let e = both::<Doc>("{\"items\": [".as_bytes()).expect_err("truncated");
        assert_eq!(e.code, Code::Truncated);
        let e = both::<Doc>("{\"items\": []} x".as_bytes()).expect_err("trailing");
        assert_eq!(e.code, Code::MalformedJson);
    }

    /// Deep nesting is refused with its own code.
    #[test]
    fn too_deep() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = both::<serde_json::Value>(text.as_bytes()).expect_err("deep");
        assert_eq!(e.code, Code::TooDeep);
    }

    /// Deep nesting inside a skipped field is skipped without recursion (no stack overflow),
    /// while the same nesting where a value is read is refused.
    #[test]
    fn deep_values_skipped_or_refused() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let skipped = format!("{{\"items\": [], \"other\": {deep}}}");
        both::<Doc>(skipped.as_bytes()).expect("skipped in constant stack");
        let e = both::<serde_json::Value>(deep.as_bytes()).expect_err("read");
        assert_eq!(e.code, Code::TooDeep);
    }

    /// Invalid UTF-8 inside a string is its own error, read whole (where the text is checked
    /// at once and then parsed from its bytes) or streamed; inside a string that is skipped, it
    /// is skipped both ways, as serde_json skips it; valid text reads the same from a `&str`.
    #[test]
    fn invalid_utf8() {
        let bytes: &[u8] = b"{\"items\": [], \"x\": \"\xff\xfe\"}";
        let e = both::<serde_json::Value>(bytes).expect_err("utf8");
        assert_eq!(e.code, Code::InvalidUtf8);
        assert_eq!(e.location.path.as_deref(), Some("x"));
        let skipped: &[u8] = b"{\"items\": [{\"n\": 1}], \"x\": \"\xff\xfe\"}";
        assert_eq!(both::<Doc>(skipped).expect("skipped").items.len(), 1);
        let text = "{\"items\": [{\"n\": 1, \"s\": \"é\\u00e9\\ud83d\\ude00\"}], \"x\": \"\u{1F600}\"}";
        let v = both::<serde_json::Value>(text.as_bytes()).expect("valid");
        assert_eq!(v, serde_json::from_str::<Value>(text).expect("json"));
        assert_eq!(v["items"][0]["s"], "éé😀");
    }

    /// A repeated key is an error wherever it is, with its path: in a derived struct, in an
    /// object read whole, in a visitor using `Keys`; numbers and nesting read as serde_json's.
    #[test]
    fn duplicate_keys() {
        let e = both::<Doc>(r#"{"items": [{"n": 1, "n": 2}]}"#.as_bytes()).expect_err("derived");
        assert_eq!((e.code, e.message.as_str()), (Code::DuplicateKey, "the object has the key `n` twice"));
        assert_eq!(e.location.path.as_deref(), Some("items[0]"));
        let e = both::<Unique>(r#"{"a": {"b": [1, {"c": 1, "c": 1}]}}"#.as_bytes()).expect_err("whole");
        assert_eq!((e.code, e.location.path.as_deref()), (Code::DuplicateKey, Some("a.b[1]")));
        let text = r#"{"a": [1, -2, 1.5e300, "s", true, null, {}], "b": {"c": 18446744073709551615}}"#;
        let Unique(v) = both::<Unique>(text.as_bytes()).expect("no duplicate");
        assert_eq!(v, serde_json::from_str::<Value>(text).expect("json"));
        assert!(unique_from_slice(br#"{"k": 1, "k": 1}"#).is_err());
        assert!(unique_from_slice(br#"{"k": 1} 2"#).is_err());
        let mut keys = Keys::default();
        assert!(keys.first::<serde_json::Error>("a").is_ok());
        assert!(keys.first::<serde_json::Error>("b").is_ok());
        assert!(keys.first::<serde_json::Error>("a").is_err());
    }

    /// `bad_value` keeps the expectation apart from the message.
    #[test]
    fn custom_expected() {
        #[derive(Debug)]
        struct Sev;
        impl<'de> Deserialize<'de> for Sev {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Err(bad_value(format!("unexpected severity {s:?}"), "one of HIGH, LOW"))
            }
        }
        let e = both::<Vec<Sev>>("[\"SEVERE\"]".as_bytes()).expect_err("bad");
        assert_eq!(e.message, "unexpected severity \"SEVERE\"");
        assert_eq!(e.expected.as_deref(), Some("one of HIGH, LOW"));
        assert_eq!(e.location.path.as_deref(), Some("[0]"));
    }

    /// A text is lent by a document read from memory, copied where an escape had to be
    /// decoded or the document streams, and reads the same either way.
    #[test]
    fn text_lent_or_copied() {
        let text = br#"["plain", "esc\"aped \u00e9", null]"#;
        let lent: Vec<Option<Text<'_>>> = serde_json::from_slice(text).expect("slice");
        let mut reader = serde_json::Deserializer::from_reader(&text[..]);
        let copied: Vec<Option<Text<'_>>> = de::Deserialize::deserialize(&mut reader).expect("reader");
        assert_eq!(lent, copied);
        let words: Vec<_> = lent.iter().map(|t| t.as_ref().map(|t| t.0.as_ref())).collect();
        assert_eq!(words, [Some("plain"), Some("esc\"aped é"), None]);
        assert!(matches!(lent.first(), Some(Some(Text(Cow::Borrowed(_))))));
        assert!(matches!(copied.first(), Some(Some(Text(Cow::Owned(_))))));
        assert_eq!(Text::non_empty(Some(Text(Cow::Borrowed("  ")))), None);
        assert_eq!(Text::non_empty(Some(Text(Cow::Borrowed("x")))).as_deref(), Some("x"));
    }

    /// Capping keeps char boundaries.
    #[test]
    fn capping() {
        assert_eq!(cap("héllo".into(), 100), "héllo");
        assert_eq!(cap("ééé".into(), 5), "é…");
        assert_eq!(cap("abcdef".into(), 5), "ab…");
    }
}
