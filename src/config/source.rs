//! One configuration text and how a place in it becomes a [`Diagnostic`].
//!
//! Owns: line starts, spans (1-based line and column, in characters), and the snippet under a
//! diagnostic. Takes the file's name and text; never opens files, never prints.

use crate::diag::{self, Diagnostic, Target};

use super::codes::Code;

/// A place in the text: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

/// A range of the text: where a value starts and where it ends (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    /// The first character.
    pub start: Pos,
    /// Just past the last character.
    pub end: Pos,
}

impl Span {
    /// From the parser's span (its lines are 1-based, its columns 0-based).
    pub fn from_yaml(s: &granit_parser::Span) -> Span {
        let pos = |m: &granit_parser::Marker| Pos { line: m.line() as u64, column: m.col() as u64 + 1 };
        Span { start: pos(&s.start), end: pos(&s.end) }
    }
}

/// A configuration text with its name, as diagnostics show it.
pub(crate) struct Source<'a> {
    /// The file, as the user named it (`verdict.yaml`, `ci/waivers.yaml`).
    pub file: String,
    /// Its text.
    pub text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    /// Indexes the lines of `text`.
    pub fn new(file: impl Into<String>, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { file: file.into(), text, line_starts }
    }

    /// The text of a 1-based line, without its line break.
    fn line_text(&self, line: u64) -> Option<&'a str> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(i)?;
        let end = self.line_starts.get(i + 1).copied().unwrap_or(self.text.len());
        let text = self.text.get(start..end)?;
        Some(text.trim_end_matches('\n').trim_end_matches('\r'))
    }

    /// A diagnostic of `code` about the file as a whole.
    pub fn file_diag(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::error(code.as_str(), message);
        d.level = code.level();
        d.file = Some(self.file.clone());
        d
    }

    /// A diagnostic of `code` at `span`, about the value at `doc_path` (`inputs.paths[1]`;
    /// empty for the document itself), with the offending line and a caret under the value.
    pub fn diag(&self, code: Code, span: Span, doc_path: &str, message: impl Into<String>) -> Diagnostic {
        let mut d = self.file_diag(code, message);
        d.line = Some(span.start.line);
        d.column = Some(span.start.column);
        d.doc_path = (!doc_path.is_empty()).then(|| doc_path.to_owned());
        d.snippet = self.snippet(span);
        d
    }

    fn snippet(&self, span: Span) -> Option<diag::Snippet> {
        let line = self.line_text(span.start.line)?;
        let chars = usize::try_from(span.start.column.saturating_sub(1)).ok()?;
        let byte_col = line.char_indices().nth(chars).map_or(line.len(), |(b, _)| b);
        let mut sn = diag::snippet_at(line.as_bytes(), Target::LineColumn(1, byte_col as u64 + 1)).ok()??;
        sn.line = span.start.line;
        let wanted = if span.end.line == span.start.line {
            usize::try_from(span.end.column.saturating_sub(span.start.column)).unwrap_or(1)
        } else {
            1
        };
        let room = sn.text.chars().count().saturating_sub(sn.caret);
        sn.width = wanted.min(room).max(1);
        Some(sn)
    }
}
