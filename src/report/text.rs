//! Text from artifacts and policies, made safe for each surface: Markdown (inline text, code
//! spans, fenced blocks, links), XML, JSON strings, and GitHub workflow commands.
//!
//! Owns: what may reach a report. Control characters (ANSI escapes among them) and the invisible
//! bidirectional controls never do; in Markdown, nothing from an artifact can open markup, an
//! image, a link, a heading, a table cell or an HTML comment (so never verdict's marker);
//! `@mentions` become code spans and issue references are broken with an invisible word joiner,
//! so that nobody is notified and nothing is cross-linked. Pure functions on strings.

use std::fmt::Write as _;

use crate::diag::is_bidi_control;

/// Inserted after `#`, `!`, … so that GitHub and GitLab do not read a reference.
const JOINER: char = '\u{2060}';

/// What replaces a character that must not reach a report.
const REPLACEMENT: char = '\u{fffd}';

/// One line: whitespace runs (newlines included) become one space, control and bidirectional
/// characters become U+FFFD, the ends are trimmed.
pub(crate) fn one_line(text: &str) -> String {
    // Most text is already one clean line of ASCII: copied as it is.
    if printable_ascii(text, false) && !text.starts_with(' ') && !text.ends_with(' ') && !text.contains("  ")
    {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(if c.is_control() || is_bidi_control(c) { REPLACEMENT } else { c });
    }
    out
}

/// Several lines: `\r\n` and `\r` become `\n`, tabs become spaces, other control and
/// bidirectional characters become U+FFFD.
pub(crate) fn multi_line(text: &str) -> String {
    if printable_ascii(text, true) {
        return text.to_owned();
    }
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' => '\n',
            '\r' | '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => REPLACEMENT,
            c => c,
        })
        .collect()
}

/// Whether `text` is only printable ASCII (and newlines, when `newlines` is set): nothing the
/// helpers above would change but whitespace runs. A fast path: most report text is.
fn printable_ascii(text: &str, newlines: bool) -> bool {
    // Looked at 32 bytes at a time without stopping early inside them, which the compiler
    // turns into vector instructions: report texts run to kilobytes, and every one is checked.
    let printable = |b: &u8| ((0x20..0x7f).contains(b) || (newlines && *b == b'\n')) as u8;
    let mut chunks = text.as_bytes().chunks_exact(32);
    chunks.all(|chunk| chunk.iter().map(printable).fold(1, |all, ok| all & ok) == 1)
        && chunks.remainder().iter().all(|b| printable(b) == 1)
}

/// Whether `text` holds `word` as a word of its own (`HIGH vulnerability …`, `[HIGH]`), not
/// inside another (`HIGHLIGHT`): a finding's message that says its severity needs no badge.
pub(crate) fn has_word(text: &str, word: &str) -> bool {
    let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        boundary(text.get(..i).and_then(|t| t.chars().next_back()))
            && boundary(text.get(i + word.len()..).and_then(|t| t.chars().next()))
    })
}

/// At most `max` characters; a cut ends with `…`.
pub(crate) fn clip<S: AsRef<str> + Into<String>>(owned: S, max: usize) -> String {
    let text = owned.as_ref();
    // No more bytes than `max` is no more characters: most texts are handed back as they are,
    // without counting or copying them.
    if text.len() <= max {
        return owned.into();
    }
    match text.char_indices().nth(max) {
        None => owned.into(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}…", text.get(..end).unwrap_or(""))
        }
    }
}

/// At most `max` bytes, cut at a character boundary; a cut ends with `…`.
pub(crate) fn clip_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or(""))
}

/// Whether `c`, after `before` (the characters before it, the nearest last) and before `next`,
/// starts what GitHub or GitLab would read as a mention or a reference: `@user` (not after a
/// letter or digit, as in `pkg@1.0` or an email address), `#123` (also `repo#123`), `GH-123`
/// (any case, at the start of a word), `!123` (merge request), `&123` (epic), `$123`
/// (snippet), `~label` and `%milestone` (both at the start of a word). Only those get a word
/// joiner, so that text people copy (`#checkov:skip=…`, `name@1.2.3`, a Debian version
/// `3.0.15-1~deb12u1`) stays as it was. "A letter or digit" is an ASCII one, as in the
/// platforms' patterns (Ruby's `\w`): `é@user` and `中@user` are mentions there.
fn starts_reference(before: [Option<char>; 3], c: char, next: Option<&char>) -> bool {
    let Some(&n) = next else { return false };
    let word = |p: Option<char>| p.is_some_and(|p| p.is_ascii_alphanumeric() || p == '_');
    match c {
        '@' => !word(before[0]) && (n.is_alphanumeric() || n == '_'),
        '#' | '!' | '&' | '$' => n.is_ascii_digit(),
        '-' => {
            n.is_ascii_digit()
                && before[0].is_some_and(|h| h.eq_ignore_ascii_case(&'h'))
                && before[1].is_some_and(|g| g.eq_ignore_ascii_case(&'g'))
                && !word(before[2])
        }
        // A label or milestone reference starts a word: `1.2-1~deb12u1` and `50%v` are text.
        '~' | '%' => !word(before[0]) && (n.is_alphanumeric() || n == '"'),
        _ => false,
    }
}

/// What a mention's name is made of in a code span: a login, a team (`org/team`), an npm scope
/// and package (`@babel/traverse`, `@types/node.js`), and what an `@` joins to it
/// (`@babel/traverse@7.22.5`): right after a code span, an `@` would start a mention of its
/// own. Nothing that could end a code span.
fn is_mention_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@')
}

/// Inline Markdown text: one line of at most `max` characters, with every Markdown and HTML
/// special escaped (so no emphasis, code, link, image, table cell, math or HTML, and no
/// heading, list or quote where the text starts a block, as after `- `) and mentions and
/// references broken.
pub(crate) fn md(text: &str, max: usize) -> String {
    escape_md(&clip(one_line(text), max))
}

/// [`md`]'s escaping of one line, as it is.
fn escape_md(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut chars = line.chars().peekable();
    let mut first = true;
    // Only digits so far: `1.` or `1)` followed by a space would start an ordered list.
    let mut digits = true;
    let mut before = [None; 3];
    while let Some(c) = chars.next() {
        let spaced = chars.peek().is_none_or(|n| *n == ' ');
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '#' if first => out.push_str("\\#"),
            '-' | '+' if first && spaced => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if digits && !first && spaced => {
                out.push('\\');
                out.push(c);
            }
            '@' if starts_reference(before, c, chars.peek()) => {
                // A mention (`@octocat`, `@org/team`) becomes a code span, which neither
                // platform reads as one: unlike a joiner, it leaves the text people copy as it
                // was, so an npm scope (`@babel/traverse`) pastes into a command whole.
                let name: String = chars.clone().take_while(|n| is_mention_char(*n)).collect();
                let name = name.trim_end_matches(['.', '/']);
                if name.is_empty() {
                    out.push(c);
                    out.push(JOINER);
                } else {
                    out.push_str("`@");
                    out.push_str(name);
                    out.push('`');
                    let last = name.chars().last();
                    for _ in name.chars() {
                        chars.next();
                    }
                    digits = false;
                    first = false;
                    before = [last, Some('@'), before[0]];
                    continue;
                }
            }
            c => out.push(c),
        }
        if c != '@' && starts_reference(before, c, chars.peek()) {
            out.push(JOINER);
        }
        digits &= c.is_ascii_digit();
        first = false;
        before = [Some(c), before[0], before[1]];
    }
    out
}

/// Breaks the sequences that open or close an HTML comment, for text shown verbatim (code spans
/// and blocks are not read as HTML, but a publisher looking for its marker reads the raw body).
fn defuse_comments(text: &str) -> String {
    text.replace("<!--", "<!\u{2060}--").replace("-->", "--\u{2060}>")
}

/// Longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for d in text.chars() {
        cur = if d == c { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// An inline code span of one line of at most `max` characters, with a fence longer than any
/// backtick run inside. Empty text gives an empty string. Not for table cells (a `|` would
/// need escaping there).
pub(crate) fn code(text: &str, max: usize) -> String {
    let body = defuse_comments(&clip(one_line(text), max));
    if body.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Inline Markdown text as [`md`] makes it, but with each part between a pair of backticks
/// shown as a code span: for verdict's own messages and fixes, which quote commands and keys
/// that way (`` `iconv -f LATIN1 -t UTF-8` ``), so that the reader sees the command rather
/// than escaped backticks around it. Text with an odd number of backticks is [`md`]'s. A code
/// span opens nothing either (its text is shown as it is, HTML comments defused).
pub(crate) fn md_code(text: &str, max: usize) -> String {
    let line = clip(one_line(text), max);
    if !line.contains('`') || line.matches('`').count() % 2 == 1 {
        return escape_md(&line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for (i, part) in line.split('`').enumerate() {
        out.push_str(&if i % 2 == 0 { escape_md(part) } else { code(part, usize::MAX) });
    }
    out
}

/// A fenced code block of `lang`, every line prefixed with `indent` (to sit inside a list
/// item), its fence longer than any backtick run inside.
pub(crate) fn fenced(text: &str, lang: &str, indent: &str) -> String {
    let body = defuse_comments(&multi_line(text));
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let mut out = format!("{indent}{fence}{lang}\n");
    for line in body.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
    let _ = writeln!(out, "{indent}{fence}");
    out
}

/// Longest URL rendered as a link.
const MAX_URL: usize = 2048;

/// The host and the rest of an `http`/`https` URL (`("avd.aquasec.com", "/nvd/cve-…")`), or
/// `None` for any other scheme, a URL without a host, or one with a user part
/// (`https://trusted.example@evil.example/`), which only serves to make a link look like
/// another.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        url.get(8..)?
    } else if lower.starts_with("http://") {
        url.get(7..)?
    } else {
        return None;
    };
    // A backslash is a slash to browsers and not to every parser: where the host ends is then
    // a matter of opinion, so such a URL is never linked.
    if url.contains('\\') {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(end);
    (!host.is_empty() && !host.contains('@')).then_some((host, path))
}

/// An `http`/`https` URL made safe as a Markdown link destination (spaces, quotes, angle
/// brackets, parentheses, pipes, backslashes, backticks and non-ASCII percent-encoded), or
/// `None` for any other scheme, a URL with a user part (see [`split_url`]), an unusable or a
/// too long URL.
pub(crate) fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    if split_url(url).is_none()
        || url.len() > MAX_URL
        || url.chars().any(|c| c.is_control() || is_bidi_control(c))
    {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '"' | '\'' | '<' | '>' | '(' | ')' | '|' | '\\' | '`' | '[' | ']' | '{' | '}' | '^' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
    }
    Some(out)
}

/// What a link to `url` is shown as, in at most about `max` characters: the URL without its
/// scheme, its path cut rather than its host, so that the host a reader sees is the one the
/// link opens (`avd.aquasec.com.x.x.x…` cannot hide `.evil.example` past the cut).
pub(crate) fn url_label(url: &str, max: usize) -> String {
    let Some((host, path)) = split_url(url.trim()) else { return clip(url, max) };
    let host = host.to_ascii_lowercase();
    if path.is_empty() {
        return host;
    }
    format!("{host}{}", clip(path, max.saturating_sub(host.chars().count()).max(24)))
}

/// A Markdown link with an already-escaped label, or the label alone when the URL is unsafe.
pub(crate) fn link(label_md: &str, url: &str) -> String {
    match safe_url(url) {
        Some(u) => format!("[{label_md}]({u})"),
        None => label_md.to_owned(),
    }
}

/// A repository path as a URI reference: each segment percent-encoded except unreserved
/// characters, `/` kept.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// XML character data or an attribute value: `&`, `<`, `>`, `"`, `'` escaped; characters XML
/// 1.0 forbids (most controls) and bidirectional controls become U+FFFD. Newlines are kept
/// (callers pass one line to attributes).
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            '\u{fffe}' | '\u{ffff}' => out.push(REPLACEMENT),
            c if c.is_control() || is_bidi_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// The data of a GitHub workflow command (the message after `::`): `%`, `\r` and `\n` escaped
/// as the runner expects, other control characters replaced, and the legacy `##[` command
/// prefix (which the runner finds anywhere in a line) broken.
pub(crate) fn workflow_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.replace("##[", "#\u{2060}#[").chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || is_bidi_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// A property value of a GitHub workflow command (`file=…,title=…`): as [`workflow_data`], and
/// `:` and `,` escaped too.
pub(crate) fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// [`scrub_json`] for one string of a report document built from typed values: the same text
/// the walk over a JSON tree makes of it.
pub(crate) fn scrub(s: String) -> String {
    if needs_scrub(&s) { multi_line(&s) } else { s }
}

/// Whether a string of a JSON report holds a control character other than a newline, or a
/// bidirectional control.
fn needs_scrub(s: &str) -> bool {
    !printable_ascii(s, true) && s.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c))
}

/// Every string in a JSON document (keys included) made safe as [`multi_line`] does: no
/// control or bidirectional characters but newlines.
pub(crate) fn scrub_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if needs_scrub(s) {
                *s = multi_line(s);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub_json),
        serde_json::Value::Object(map) => {
            let dirty: Vec<String> = map
                .keys()
                .filter(|k| k.chars().any(|c| c.is_control() || is_bidi_control(c)))
                .cloned()
                .collect();
            for k in dirty {
                if let Some(v) = map.remove(&k) {
                    map.insert(one_line(&k), v);
                }
            }
            map.values_mut().for_each(scrub_json);
        }
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {}
    }
}

/// A count with thousands separators: `49,990`.
pub(crate) fn num(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 warning`, `3 warnings`, with thousands separators.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", num(n)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A character that is not printable ASCII is seen wherever it is, inside a block of 32
    /// bytes or in the rest after the last one; a newline only counts when allowed.
    #[test]
    fn printable_ascii_anywhere() {
        for len in 0..100 {
            let clean = "a".repeat(len);
            assert!(printable_ascii(&clean, false), "{len}");
            for at in 0..len {
                for bad in ["\u{7}", "é", "\u{202e}", "\u{7f}"] {
                    let text = format!("{}{bad}{}", &clean[..at], &clean[at + 1..]);
                    assert!(!printable_ascii(&text, true), "{len} {at} {bad:?}");
                }
                let line = format!("{}\n{}", &clean[..at], &clean[at + 1..]);
                assert!(printable_ascii(&line, true) && !printable_ascii(&line, false), "{len} {at}");
            }
        }
    }

    /// Whitespace collapses, controls and bidi characters are replaced, ends trimmed.
    #[test]
    fn lines() {
        assert_eq!(one_line("  a\n\n b\tc \x1b[31mred\u{202e}x  "), "a b c \u{fffd}[31mred\u{fffd}x");
        assert_eq!(multi_line("a\r\nb\rc\x07"), "a\nb c\u{fffd}");
        // Plain ASCII takes a shortcut; its whitespace runs and ends are still one_line's.
        assert_eq!(
            (one_line(" a"), one_line("a "), one_line("a  b")),
            ("a".into(), "a".into(), "a b".into())
        );
        assert_eq!((one_line("a b"), one_line("")), ("a b".to_owned(), String::new()));
        assert_eq!(multi_line("a\nb  c "), "a\nb  c ");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("ééé", 2), "é…");
        // More bytes than the limit is not more characters.
        assert_eq!((clip("éé", 2), clip("ééé", 3), clip("éé", 3)), ("éé".into(), "ééé".into(), "éé".into()));
        assert_eq!(num(0), "0");
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(plural(1, "x", "xs"), "1 x");
        assert_eq!(plural(50000, "x", "xs"), "50,000 xs");
    }

    /// Byte cuts land on a character boundary.
    #[test]
    fn byte_clips() {
        assert_eq!(clip_bytes("ééé", 5), "é…");
        assert_eq!(clip_bytes("abc", 3), "abc");
    }

    /// Markdown and HTML specials never open markup; mentions and references are broken.
    #[test]
    fn markdown_text() {
        assert_eq!(md("a *b* _c_ `d` [e](f) ![g](h)", 100), r"a \*b\* \_c\_ \`d\` \[e\](f) !\[g\](h)");
        assert_eq!(md("</details><!-- x -->&amp;", 100), "&lt;/details&gt;&lt;!-- x --&gt;&amp;amp;");
        assert_eq!(md("a | b", 100), r"a \| b");
        assert_eq!(md("# title", 100), r"\# title");
        assert_eq!(md("- item", 100), r"\- item");
        assert_eq!(md("12. item", 100), r"12\. item");
        assert_eq!(md("1.2.3 -x", 100), "1.2.3 -x");
        assert_eq!(md("-x", 100), "-x");
        assert_eq!(md("see #12", 100), "see #\u{2060}12");
        assert_eq!(md("cc @org/team and a@b.c", 100), "cc `@org/team` and a@b.c");
        assert_eq!(
            md("(@octocat) pkg@1.2.3 #checkov:skip=X !45 &7 %v1", 100),
            "(`@octocat`) pkg@1.2.3 #checkov:skip=X !\u{2060}45 &amp;\u{2060}7 %\u{2060}v1"
        );
        // The platforms' word characters are ASCII: after any other letter, `@` mentions.
        assert_eq!(md("café@octocat 中@octocat", 100), "café`@octocat` 中`@octocat`");
        // A mention's span holds the name whole, and only the name: an npm scope copies as it
        // is, a sentence's full stop stays outside, and a name of other letters keeps a joiner.
        assert_eq!(
            md("Upgrade @babel/traverse@7.22.5, ask @ops. @é @_ok @", 100),
            "Upgrade `@babel/traverse@7.22.5`, ask `@ops`. @\u{2060}é `@_ok` @"
        );
        // An `@` right after a mention's span would mention again: it stays inside the span.
        assert_eq!(md("@a@victim and @scope/pkg@latest", 100), "`@a@victim` and `@scope/pkg@latest`");
        // `GH-123` links to an issue as `#123` does; inside a word, or without digits, it does not.
        assert_eq!(
            md("fixes GH-42, gh-7 and (Gh-1)", 100),
            "fixes GH-\u{2060}42, gh-\u{2060}7 and (Gh-\u{2060}1)"
        );
        assert_eq!(md("SIGH-1 GH-x GH-", 100), "SIGH-1 GH-x GH-");
        assert_eq!(md("$x$ ~y~", 100), "\\$x\\$ \\~\u{2060}y\\~");
        // Inside a word, `~` and `%` reference nothing: a Debian version stays as it was.
        assert_eq!(md("openssl 3.0.15-1~deb12u1 at 50%v", 100), "openssl 3.0.15-1\\~deb12u1 at 50%v");
        assert_eq!(md("line\nbreak", 100), "line break");
        assert_eq!(md("x".repeat(10).as_str(), 5), "xxxx…");
    }

    /// Code spans take a fence longer than any backtick run, and never carry an HTML comment.
    #[test]
    fn code_spans() {
        assert_eq!(code("a.b", 100), "`a.b`");
        assert_eq!(code("a`b", 100), "``a`b``");
        assert_eq!(code("`x`", 100), "`` `x` ``");
        assert_eq!(code("", 100), "");
        assert_eq!(
            code("<!-- verdict:comment gate=x -->", 100),
            "`<!\u{2060}-- verdict:comment gate=x --\u{2060}>`"
        );
        let block = fenced("a\n```\nb", "yaml", "  ");
        assert_eq!(block, "  ````yaml\n  a\n  ```\n  b\n  ````\n");
    }

    /// verdict's quoted commands become code spans; the text around them is still escaped,
    /// and a lone backtick (from an artifact, say) leaves the whole text to `md`.
    #[test]
    fn quoted_code_in_text() {
        assert_eq!(
            md_code("re-encode it, e.g. `iconv -f LATIN1 -t UTF-8` *now* @ops", 100),
            "re-encode it, e.g. `iconv -f LATIN1 -t UTF-8` \\*now\\* `@ops`"
        );
        assert_eq!(md_code("key `a<!--b` and `|`", 100), "key `a<!\u{2060}--b` and `|`");
        assert_eq!(md_code("the key `a`b` twice", 100), "the key \\`a\\`b\\` twice");
        assert_eq!(md_code("plain *text*", 100), md("plain *text*", 100));
        // Cut inside a span: an odd count, so all escaped.
        assert_eq!(md_code("run `cmd one`", 8), "run \\`cm…");
    }

    /// A word of its own, not a part of another.
    #[test]
    fn words() {
        assert!(
            has_word("HIGH vulnerability", "HIGH")
                && has_word("[HIGH] x", "HIGH")
                && has_word("x HIGH", "HIGH")
        );
        assert!(
            !has_word("expected class HIGHLIGHT", "HIGH")
                && !has_word("LOW_FLOW", "LOW")
                && !has_word("", "LOW")
        );
    }

    /// Only http and https links, encoded so that they cannot end the link early.
    #[test]
    fn urls() {
        assert_eq!(
            safe_url("https://x.org/a b(c)|\"é"),
            Some("https://x.org/a%20b%28c%29%7C%22%C3%A9".into())
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("HTTP://x"), Some("HTTP://x".into()));
        assert_eq!(safe_url("https://"), None);
        assert_eq!(safe_url("https:///etc"), None);
        assert_eq!(link("l", "data:x"), "l");
        assert_eq!(uri_path("a b/ü#.tf"), "a%20b/%C3%BC%23.tf");
        // A user part only makes a link look like another host: no link.
        assert_eq!(safe_url("https://avd.aquasec.com%2Fnvd%2Fcve@evil.example/x"), None);
        assert_eq!(safe_url("https://avd.aquasec.com@evil.example"), None);
        assert_eq!(safe_url("https://evil.example\\@avd.aquasec.com/nvd/cve-2022-22965"), None);
        assert!(safe_url("https://github.com/advisories?q=a@b").is_some());
    }

    /// A link's label keeps its whole host: only the path is cut.
    #[test]
    fn url_labels() {
        assert_eq!(
            url_label("https://avd.aquasec.com/nvd/cve-2022-22965", 80),
            "avd.aquasec.com/nvd/cve-2022-22965"
        );
        assert_eq!(url_label("HTTPS://Example.ORG", 80), "example.org");
        let spoof = format!("https://avd.aquasec.com.nvd.{}.evil.example/patch", "a".repeat(90));
        let label = url_label(&spoof, 80);
        assert!(
            label.starts_with("avd.aquasec.com.nvd.") && label.ends_with(".evil.example/patch"),
            "{label}"
        );
        let long = format!("https://nvd.nist.gov/vuln/detail/{}", "x".repeat(200));
        let label = url_label(&long, 80);
        assert!(
            label.starts_with("nvd.nist.gov/vuln/detail/x")
                && label.ends_with('…')
                && label.chars().count() <= 80,
            "{label}"
        );
    }

    /// XML escapes markup and drops what XML 1.0 forbids.
    #[test]
    fn xml_text() {
        assert_eq!(
            xml("<a href=\"x\">&'\x1b\u{ffff}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{fffd}\u{fffd}"
        );
    }

    /// Workflow commands escape what the runner would interpret.
    #[test]
    fn workflow_commands() {
        assert_eq!(workflow_data("50%\r\n::error::x ##[error]"), "50%25%0D%0A::error::x #\u{2060}#[error]");
        assert_eq!(workflow_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    /// JSON strings lose control characters but newlines, keys included.
    #[test]
    fn json_strings() {
        let mut v = serde_json::json!({ "a\x1b": ["x\ny\u{202e}", 1] });
        scrub_json(&mut v);
        assert_eq!(v, serde_json::json!({ "a\u{fffd}": ["x\ny\u{fffd}", 1] }));
    }
}
