//! Diagnostics: how an error reads. One shape for every error a user can cause — code, message,
//! file and place, the offending line with a caret, what was expected, how to fix it, and the
//! `caused by:` chain — rendered for a terminal.
//!
//! Owns: rendering, and locating a byte offset or line/column in a text ([`snippet_at`]).
//! Takes values and readers; never opens files (the CLI hands it an opened file), never prints.
//! Text that came from an artifact is sanitized: control characters (ANSI escapes among them)
//! never reach the terminal.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Stops the run.
    Error,
    /// Reported; the run goes on.
    Warning,
}

/// The offending line around a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// A window of the line's text around the column (already sanitized).
    pub text: String,
    /// Index, in characters, of the column inside `text`.
    pub caret: usize,
    /// How many characters to underline from `caret` (at least 1).
    pub width: usize,
}

impl Snippet {
    /// serde_json reports a bad value at its end; move the caret back to the start of the
    /// token (a string in quotes, a number or a literal) and underline all of it.
    pub fn widen_to_json_token(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let end = self.caret.min(chars.len());
        let Some(&last) = end.checked_sub(1).and_then(|i| chars.get(i)) else { return };
        let start = if last == '"' {
            // Find the opening quote, skipping escaped ones.
            let mut i = end.saturating_sub(2);
            loop {
                if chars.get(i) == Some(&'"') && (i == 0 || chars.get(i - 1) != Some(&'\\')) {
                    break Some(i);
                }
                if i == 0 {
                    break None;
                }
                i -= 1;
            }
        } else if last.is_ascii_alphanumeric() || last == '.' || last == '-' || last == '+' {
            let mut i = end - 1;
            while i > 0
                && chars.get(i - 1).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            {
                i -= 1;
            }
            Some(i)
        } else {
            None
        };
        if let Some(start) = start {
            self.width = end - start;
            self.column = self.column.saturating_sub(self.caret.saturating_sub(start) as u64).max(1);
            self.caret = start;
        }
    }
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// Stable code (`ingest/malformed-json`), documented in `docs/diagnostics.md`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The file it is about.
    pub file: Option<String>,
    /// Line in the file.
    pub line: Option<u64>,
    /// Column in the file.
    pub column: Option<u64>,
    /// Path inside the document (JSON path or XML element path).
    pub doc_path: Option<String>,
    /// The offending line.
    pub snippet: Option<Snippet>,
    /// What was expected there.
    pub expected: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The chain of underlying errors, outermost first.
    pub causes: Vec<String>,
}

impl Diagnostic {
    /// A new error diagnostic.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            code: code.into(),
            message: message.into(),
            file: None,
            line: None,
            column: None,
            doc_path: None,
            snippet: None,
            expected: None,
            help: None,
            causes: Vec::new(),
        }
    }

    /// A new warning diagnostic: the run goes on.
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { level: Level::Warning, ..Diagnostic::error(code, message) }
    }

    /// Sets how to fix it (for building a diagnostic in one expression).
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// Adds one `caused by:` line.
    pub fn cause(mut self, text: impl Into<String>) -> Self {
        self.causes.push(text.into());
        self
    }

    /// The anchor of `docs/diagnostics.md` that explains the code.
    pub fn docs_anchor(&self) -> String {
        format!("docs/diagnostics.md#{}", self.code.replace('/', "-"))
    }

    /// Where the problem is, sanitized: `file:line:column (at path)`, the path inside the
    /// document shortened in its middle, or `at path` when there is no file.
    pub fn place(&self) -> Option<String> {
        match (&self.file, &self.doc_path) {
            (Some(file), at) => {
                let mut place = clean(file);
                if let Some(line) = self.line {
                    let _ = write!(place, ":{line}");
                    if let Some(c) = self.column {
                        let _ = write!(place, ":{c}");
                    }
                }
                if let Some(p) = at {
                    let _ = write!(place, " (at {})", shorten(&clean(p), 100));
                }
                Some(place)
            }
            (None, Some(p)) => Some(format!("at {}", clean(p))),
            (None, None) => None,
        }
    }

    /// Renders for a terminal; `color` adds ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let (red, yellow, blue, bold, reset) = if color {
            ("\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "", "", "")
        };
        let mut s = String::new();
        let (word, col) = match self.level {
            Level::Error => ("error", red),
            Level::Warning => ("warning", yellow),
        };
        if self.code.is_empty() {
            let _ = writeln!(s, "{col}{word}{reset}{bold}: {}{reset}", clean(&self.message));
        } else {
            let _ = writeln!(s, "{col}{word}[{}]{reset}{bold}: {}{reset}", self.code, clean(&self.message));
        }
        let gutter = self.snippet.as_ref().map(|sn| sn.line.to_string().len()).unwrap_or(1).max(2);
        let pad = " ".repeat(gutter);
        if let Some(place) = self.place() {
            let _ = writeln!(s, "{pad}{blue}-->{reset} {place}");
        }
        if let Some(sn) = &self.snippet {
            let _ = writeln!(s, "{pad} {blue}|{reset}");
            let _ = writeln!(s, "{blue}{:>gutter$} |{reset} {}", sn.line, sn.text);
            let label =
                self.expected.as_deref().map(|e| format!(" expected {}", clean(e))).unwrap_or_default();
            let _ = writeln!(
                s,
                "{pad} {blue}|{reset} {}{col}{}{label}{reset}",
                " ".repeat(sn.caret),
                "^".repeat(sn.width.max(1))
            );
        } else if let Some(e) = &self.expected {
            let _ = writeln!(s, "{pad} {blue}={reset} expected: {}", clean(e));
        }
        if let Some(h) = &self.help {
            let _ = writeln!(s, "{pad} {blue}={reset} help: {}", clean(h));
        }
        if self.code.contains('/') {
            let _ = writeln!(s, "{pad} {blue}={reset} docs: {}", self.docs_anchor());
        }
        for c in &self.causes {
            let _ = writeln!(s, "{pad} {blue}={reset} caused by: {}", clean(c));
        }
        s
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a typo; else the
/// one that `word` starts with, or that starts with `word` (`warn` for `warning`, `critical`
/// for `crit`), when the shorter has at least three letters and no other candidate matches so.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let by_distance = candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    by_distance.or_else(|| {
        let mut prefixed = candidates.iter().filter(|c| {
            let (short, long) = if c.len() < word.len() { (**c, word) } else { (word, **c) };
            short.len() >= 3 && long.starts_with(short)
        });
        match (prefixed.next(), prefixed.next()) {
            (Some(c), None) => Some(*c),
            _ => None,
        }
    })
}

/// " (did you mean `x`?)" for the candidate [`closest`] finds, to put after a message; empty
/// when none is close.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// Keeps the start and the end of a long text, which is where a document path says the most.
fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    let half = max / 2;
    let head: String = chars.iter().take(half).collect();
    let tail: String = chars.iter().skip(chars.len() - half).collect();
    format!("{head}…{tail}")
}

/// The chain of `source()`s of an error, as strings.
pub fn causes(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = e.source();
    while let Some(c) = cur {
        let text = c.to_string();
        // Wrapped errors often repeat their source in their own message.
        if !out.last().is_some_and(|prev: &String| prev.contains(&text)) {
            out.push(text);
        }
        cur = c.source();
    }
    out
}

/// Replaces control characters (ANSI escapes, NUL, bell, …) and the invisible bidirectional
/// controls (which reorder what a reader sees: `U+202E` shows `txet` as `text`) with `�`, and
/// line breaks with `⏎`, so artifact text can neither restyle, rewrite nor disguise the terminal.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => '⏎',
            '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Whether `c` is an invisible bidirectional control (the "Trojan Source" characters): text
/// containing them reads differently from what it is. The marks (LRM, RLM, ALM) are left to
/// right-to-left text, which needs them, as rustc's `text_direction_codepoint` lints leave them:
/// they only set the direction of the neutral characters beside them, never reverse a run.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Where to find the snippet.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A byte offset from the start.
    Offset(u64),
    /// A 1-based line and 1-based byte column (serde_json's convention).
    LineColumn(u64, u64),
}

/// How much of a long line is shown on each side of the column.
const WINDOW: usize = 60;

/// Streams `text` up to the target and returns the line, column and a window of the line
/// around it. Memory stays bounded on huge single-line files (minified JSON, pytest XML).
pub fn snippet_at<R: Read>(text: R, target: Target) -> io::Result<Option<Snippet>> {
    let mut r = BufReader::with_capacity(64 * 1024, text);
    let mut line: u64 = 1;
    let mut col_bytes: u64 = 0; // bytes since line start
    let mut col_chars: u64 = 0; // chars since line start
    let mut offset: u64 = 0;
    let mut before: Vec<u8> = Vec::new();
    let hit = |offset: u64, line: u64, col_bytes: u64| match target {
        Target::Offset(o) => offset >= o,
        Target::LineColumn(l, c) => line > l || (line == l && col_bytes + 1 >= c),
    };
    // Walk to the target.
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let mut used = 0;
        let mut found = false;
        for &b in buf {
            if hit(offset, line, col_bytes) {
                found = true;
                break;
            }
            used += 1;
            offset += 1;
            if b == b'\n' {
                line += 1;
                col_bytes = 0;
                col_chars = 0;
                before.clear();
            } else {
                col_bytes += 1;
                if b & 0xC0 != 0x80 {
                    col_chars += 1;
                }
                before.push(b);
                if before.len() > 4 * WINDOW {
                    before.drain(..before.len() - 2 * WINDOW);
                }
            }
        }
        r.consume(used);
        if found {
            break;
        }
    }
    // The rest of the line.
    let mut after = Vec::new();
    'outer: loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let mut used = 0;
        for &b in buf {
            if b == b'\n' || after.len() >= 2 * WINDOW {
                break 'outer;
            }
            after.push(b);
            used += 1;
        }
        r.consume(used);
    }
    let before_text = String::from_utf8_lossy(trim_partial_front(&before)).into_owned();
    let before_chars: Vec<char> = before_text.chars().collect();
    let keep_from = before_chars.len().saturating_sub(WINDOW);
    let mut text = String::new();
    if keep_from > 0 || before.len() < col_bytes as usize {
        text.push('…');
    }
    let shown_before: String = before_chars.get(keep_from..).unwrap_or_default().iter().collect();
    let caret = text.chars().count() + shown_before.chars().count();
    text.push_str(&shown_before);
    let after_text = String::from_utf8_lossy(&after).into_owned();
    let after_chars: Vec<char> = after_text.chars().collect();
    let shown_after: String = after_chars.iter().take(WINDOW).collect();
    text.push_str(shown_after.trim_end_matches('\r'));
    if after_chars.len() > WINDOW {
        text.push('…');
    }
    Ok(Some(Snippet { line, column: col_chars + 1, text: clean(&text), caret, width: 1 }))
}

/// Drops UTF-8 continuation bytes at the front of a cut buffer.
fn trim_partial_front(b: &[u8]) -> &[u8] {
    let skip = b.iter().take(3).take_while(|&&x| x & 0xC0 == 0x80).count();
    b.get(skip..).unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An offset becomes line, column and the line's text with a caret under the column.
    #[test]
    fn offset_snippet() {
        let text = "first\nsecond <bad>\nthird";
        let sn = snippet_at(text.as_bytes(), Target::Offset(13)).expect("io").expect("found");
        assert_eq!((sn.line, sn.column), (2, 8));
        assert_eq!(sn.text, "second <bad>");
        assert_eq!(sn.caret, 7);
    }

    /// serde_json's line/column finds the same place; multi-byte chars count once.
    #[test]
    fn line_column_snippet() {
        let text = "{\n  \"é\": \"SEVERE\"\n}";
        let sn = snippet_at(text.as_bytes(), Target::LineColumn(2, 10)).expect("io").expect("found");
        assert_eq!(sn.line, 2);
        assert_eq!(sn.column, 9);
        assert_eq!(sn.text.chars().nth(sn.caret), Some('S'));
    }

    /// A huge single line shows a bounded window around the column.
    #[test]
    fn long_line_window() {
        let text = format!("{}X{}", "a".repeat(100_000), "b".repeat(100_000));
        let sn = snippet_at(text.as_bytes(), Target::Offset(100_000)).expect("io").expect("found");
        assert_eq!(sn.column, 100_001);
        assert!(sn.text.chars().count() < 2 * WINDOW + 4, "{}", sn.text.len());
        assert_eq!(sn.text.chars().nth(sn.caret), Some('X'));
        assert!(sn.text.starts_with('…') && sn.text.ends_with('…'));
    }

    /// Near misses are suggested; far ones are not.
    #[test]
    fn suggestions() {
        assert_eq!(closest("severites", &["severities", "unfixed"]), Some("severities"));
        assert_eq!(closest("trivvy", &["junit", "trivy"]), Some("trivy"));
        assert_eq!(closest("banana", &["junit", "trivy"]), None);
        assert_eq!(closest("warning", &["fail", "warn"]), Some("warn"));
        assert_eq!(closest("failure", &["fail", "warn"]), Some("fail"));
        assert_eq!(closest("crit", &["critical", "high"]), Some("critical"));
        assert_eq!(closest("cr", &["critical"]), None, "too short to be sure");
        assert_eq!(closest("spdx", &["spdx-json", "spdx-tv"]), None, "two candidates start with it");
    }

    /// Long document paths keep their ends.
    #[test]
    fn shortens_paths() {
        let long = "[0]".repeat(100);
        let short = shorten(&long, 20);
        assert_eq!(short.chars().count(), 21);
        assert!(short.starts_with("[0][0]") && short.ends_with("[0]"));
        assert_eq!(shorten("Results[0]", 20), "Results[0]");
    }

    /// Control characters from artifacts never reach the terminal.
    #[test]
    fn sanitizes() {
        assert_eq!(clean("a\x1b[31mb\nc"), "a\u{fffd}[31mb⏎c");
        let d = Diagnostic::error("ingest/bad-value", "bad \x1b[2J value");
        assert!(!d.render(false).contains('\x1b'));
    }

    /// The rendered error names code, place, expectation, help and docs.
    #[test]
    fn render_shape() {
        let mut d = Diagnostic::error("ingest/bad-value", "unexpected severity \"SEVERE\"");
        d.file = Some("reports/trivy.json".into());
        d.line = Some(4);
        d.column = Some(17);
        d.doc_path = Some("Results[0].Vulnerabilities[0].Severity".into());
        d.snippet = Some(Snippet {
            line: 4,
            column: 17,
            text: "  \"Severity\": \"SEVERE\"".into(),
            caret: 22,
            width: 1,
        });
        if let Some(sn) = d.snippet.as_mut() {
            sn.widen_to_json_token();
        }
        d.expected = Some("one of CRITICAL, HIGH".into());
        d.help = Some("regenerate it".into());
        let out = d.render(false);
        assert_eq!(
            out,
            "error[ingest/bad-value]: unexpected severity \"SEVERE\"\n  --> reports/trivy.json:4:17 (at Results[0].Vulnerabilities[0].Severity)\n   |\n 4 |   \"Severity\": \"SEVERE\"\n   |               ^^^^^^^^ expected one of CRITICAL, HIGH\n   = help: regenerate it\n   = docs: docs/diagnostics.md#ingest-bad-value\n"
        );
    }
}
