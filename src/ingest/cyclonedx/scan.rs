//! A byte scanner for the outer structure of a JSON document: the top-level object's keys,
//! and the text of each member value or array element, with the line and byte offset where
//! it starts. Each piece is then parsed by serde_json from memory.
//!
//! Why not serde_json's streaming reader: it reads byte by byte through `io::Read` and keeps
//! no positions, and CycloneDX warnings must name lines. Scanning a buffered reader's chunks
//! finds boundaries several times faster than `from_reader` parses, and the pieces parse
//! faster from a slice than from a reader — one pass of boundary finding, one of parsing.
//!
//! The scanner only finds boundaries (strings, brackets); the pieces are validated by
//! serde_json, which reports anything the scanner let through.

use std::io::{self, BufRead};

/// Where something starts in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pos {
    /// Byte offset.
    pub(super) offset: u64,
    /// 1-based line.
    pub(super) line: u64,
}

/// Why the outer structure could not be read.
#[derive(Debug)]
pub(super) enum ScanError {
    Io(io::Error),
    /// The input ended inside the document.
    Eof(Pos),
    /// Something other than what the structure needs, described.
    Unexpected {
        at: Pos,
        found: String,
        expected: &'static str,
    },
}

impl From<io::Error> for ScanError {
    fn from(e: io::Error) -> Self {
        ScanError::Io(e)
    }
}

pub(super) struct Scanner<R> {
    r: R,
    offset: u64,
    newlines: u64,
}

impl<R: BufRead> Scanner<R> {
    pub(super) fn new(r: R) -> Self {
        Scanner { r, offset: 0, newlines: 0 }
    }

    /// The current position.
    pub(super) fn pos(&self) -> Pos {
        Pos { offset: self.offset, line: self.newlines + 1 }
    }

    fn consume(&mut self, n: usize) {
        self.offset += n as u64;
        self.r.consume(n);
    }

    /// Skips whitespace (and a UTF-8 byte order mark at the very start) and returns the next
    /// byte without consuming it; `None` at the end of the input.
    pub(super) fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            let at_start = self.offset == 0;
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            if at_start && buf.starts_with(b"\xEF\xBB\xBF") {
                self.consume(3);
                continue;
            }
            let skip = buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            let n = skip.unwrap_or(buf.len());
            self.newlines += super::count_newlines(buf.get(..n).unwrap_or_default());
            let next = skip.and_then(|i| buf.get(i).copied());
            self.consume(n);
            if let Some(b) = next {
                return Ok(Some(b));
            }
        }
    }

    /// Consumes `expected` (after whitespace), or says what was found instead.
    pub(super) fn expect(&mut self, expected: u8, what: &'static str) -> Result<(), ScanError> {
        match self.peek()? {
            Some(b) if b == expected => {
                self.consume(1);
                Ok(())
            }
            Some(b) => Err(self.unexpected(b, what)),
            None => Err(ScanError::Eof(self.pos())),
        }
    }

    /// The error for byte `b` where `expected` should be.
    pub(super) fn unexpected(&self, b: u8, expected: &'static str) -> ScanError {
        let found = if b.is_ascii_graphic() { format!("`{}`", b as char) } else { format!("byte 0x{b:02x}") };
        ScanError::Unexpected { at: self.pos(), found, expected }
    }

    /// Consumes one byte that [`Scanner::peek`] returned.
    pub(super) fn bump(&mut self) {
        self.consume(1);
    }

    /// Copies the next JSON value's text into `out` (cleared first) and returns where it
    /// starts. Strings, objects and arrays end at their closing character; other values
    /// (numbers, `true`, `null`) at the next delimiter, which is left unread.
    pub(super) fn value(&mut self, out: &mut Vec<u8>) -> Result<Pos, ScanError> {
        out.clear();
        let first = self.peek()?.ok_or_else(|| ScanError::Eof(self.pos()))?;
        let start = self.pos();
        let mut depth = 0u64;
        let mut in_string = false;
        let mut escaped = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        loop {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return if scalar && !out.is_empty() { Ok(start) } else { Err(ScanError::Eof(self.pos())) };
            }
            let mut end = None;
            let mut i = 0;
            while let Some(&b) = buf.get(i) {
                if scalar {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        end = Some(i);
                        break;
                    }
                    i += 1;
                    continue;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    // Most of a document is the text of its strings: jump to the next quote or
                    // backslash rather than looking at every byte.
                    let Some(j) = buf.get(i..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) else {
                        break;
                    };
                    i += j;
                    if buf.get(i) == Some(&b'\\') {
                        escaped = true;
                    } else {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            let n = end.unwrap_or(buf.len());
            let piece = buf.get(..n).unwrap_or_default();
            out.extend_from_slice(piece);
            self.newlines += super::count_newlines(piece);
            self.consume(n);
            if end.is_some() {
                return Ok(start);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, Pos)> {
        values_in(text.as_bytes())
    }

    fn values_in(reader: impl BufRead) -> Vec<(String, Pos)> {
        let mut s = Scanner::new(reader);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while s.peek().expect("reads").is_some() {
            let pos = s.value(&mut buf).expect("a value");
            assert!(!buf.is_empty(), "no value at {pos:?} after {out:?}");
            out.push((String::from_utf8(buf.clone()).expect("utf-8"), pos));
            if s.peek().expect("reads") == Some(b',') {
                s.bump();
            }
        }
        out
    }

    /// Values end where JSON says, whatever brackets and quotes their strings hold.
    #[test]
    fn boundaries_and_positions() {
        let v = values("{\"a\": \"}]\\\"\"}, [1, [2]],\n 17 ,\n\"x\\\\\", null");
        let texts: Vec<&str> = v.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["{\"a\": \"}]\\\"\"}", "[1, [2]]", "17", "\"x\\\\\"", "null"]);
        assert_eq!(v[2].1, Pos { offset: 26, line: 2 });
        assert_eq!(v[3].1.line, 3);
    }

    /// The same values whatever the reader's buffer size: a string, an escape or a value may
    /// be cut between two reads anywhere.
    #[test]
    fn boundaries_across_reads() {
        let text = "{\"a\": \"}]\\\"x\\\\\"}, [\"\\\\\", [2]],\n 17 ,\n\"x\\\\\", null, {\"long\": \"éé \\u00e9 ]]]\"}";
        let whole = values(text);
        assert_eq!(whole.len(), 6, "{whole:?}");
        for capacity in 1..=9 {
            let chunked = values_in(io::BufReader::with_capacity(capacity, text.as_bytes()));
            assert_eq!(chunked, whole, "buffer of {capacity} bytes");
        }
    }

    /// A value cut off by the end of the input is an error, not a short value.
    #[test]
    fn truncation() {
        let mut s = Scanner::new(&b"{\"a\": [1, 2"[..]);
        let mut buf = Vec::new();
        assert!(matches!(s.value(&mut buf), Err(ScanError::Eof(_))));
    }
}
