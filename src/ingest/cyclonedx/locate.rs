//! Finds where a value sits in the text of one JSON element, so that a warning or error about
//! `components[3].hashes[0].content` can name its line. serde_json's `Value` keeps no
//! positions; the element's text is kept while it is checked, and scanned here only when
//! something is wrong with it.

use super::schema::Seg;

/// The byte offset of the value at `path` in `text` (a well-formed JSON value), or of the
/// deepest enclosing value found.
pub(super) fn offset(text: &[u8], path: &[Seg]) -> usize {
    let b = text;
    let mut pos = skip_ws(b, 0);
    for seg in path {
        match find(b, pos, seg) {
            Some(p) => pos = p,
            None => break,
        }
    }
    pos
}

/// The line (0-based, relative to the start of `text`) of the value at `path`.
pub(super) fn line_in(text: &[u8], path: &[Seg]) -> u64 {
    let end = offset(text, path);
    super::count_newlines(text.get(..end).unwrap_or_default())
}

fn find(b: &[u8], pos: usize, seg: &Seg) -> Option<usize> {
    match (b.get(pos)?, seg) {
        (b'{', Seg::Key(key)) => {
            let mut p = pos + 1;
            loop {
                p = skip_ws(b, p);
                if *b.get(p)? != b'"' {
                    return None;
                }
                let key_end = string_end(b, p)?;
                let raw_key = std::str::from_utf8(b.get(p..key_end)?).ok()?;
                let matches = if raw_key.contains('\\') {
                    serde_json::from_str::<String>(raw_key).ok().is_some_and(|k| k == *key)
                } else {
                    raw_key.get(1..raw_key.len().saturating_sub(1)) == Some(key.as_str())
                };
                p = skip_ws(b, key_end);
                if *b.get(p)? != b':' {
                    return None;
                }
                p = skip_ws(b, p + 1);
                if matches {
                    return Some(p);
                }
                p = skip_ws(b, value_end(b, p)?);
                if *b.get(p)? != b',' {
                    return None;
                }
                p += 1;
            }
        }
        (b'[', Seg::Index(index)) => {
            let mut p = skip_ws(b, pos + 1);
            for _ in 0..*index {
                p = skip_ws(b, value_end(b, p)?);
                if *b.get(p)? != b',' {
                    return None;
                }
                p = skip_ws(b, p + 1);
            }
            (*b.get(p)? != b']').then_some(p)
        }
        _ => None,
    }
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).is_some_and(|c| c.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// The offset just after the string starting at `pos` (its opening quote).
fn string_end(b: &[u8], pos: usize) -> Option<usize> {
    let mut p = pos + 1;
    loop {
        match b.get(p)? {
            b'\\' => p += 2,
            b'"' => return Some(p + 1),
            _ => p += 1,
        }
    }
}

/// The offset just after the value starting at `pos`.
fn value_end(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => string_end(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut p = pos;
            loop {
                match b.get(p)? {
                    b'"' => {
                        p = string_end(b, p)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(p + 1);
                        }
                    }
                    _ => {}
                }
                p += 1;
            }
        }
        _ => {
            let mut p = pos;
            while b.get(p).is_some_and(|c| !matches!(c, b',' | b']' | b'}') && !c.is_ascii_whitespace()) {
                p += 1;
            }
            Some(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys (escaped ones too) and indices lead to the value's line.
    #[test]
    fn finds_nested_values() {
        let text = b"{\n \"a\": [1,\n {\"x\\u0079\": \"}]\",\n  \"b\": {\"c\": 2}}\n ]\n}";
        let path = [Seg::Key("a".into()), Seg::Index(1), Seg::Key("b".into()), Seg::Key("c".into())];
        assert_eq!(line_in(text, &path), 3);
        let path = [Seg::Key("a".into()), Seg::Index(1), Seg::Key("xy".into())];
        assert_eq!(line_in(text, &path), 2);
        // A path that leaves the document stops at the deepest value found.
        let path = [Seg::Key("a".into()), Seg::Index(7)];
        assert_eq!(line_in(text, &path), 1);
    }
}
