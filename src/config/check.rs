//! Typed reads of located YAML nodes, each reporting what is wrong and going on.
//!
//! Owns: the wording of the diagnostics every setting shares — unknown keys with the nearest
//! valid key, wrong types, missing and empty values, unknown words, repeated entries — and
//! how a relative path resolves against the configuration's folder.
//! Takes nodes from [`super::yaml`]; returns `Option<T>` (`None` once the problem is
//! reported) and pushes into [`Cx`]. Must not: open files, stop at the first problem.

use std::path::{Component, Path, PathBuf};

// The command line's edit-distance helper, so "did you mean" reads the same everywhere.
use crate::diag::Diagnostic;
pub(crate) use crate::diag::closest;

use super::codes::Code;
use super::model::Listed;
use super::source::{Source, Span};
use super::yaml::{Entry, Node, Typed, Value, short};

/// The validation context: the text being read, where relative paths start, and every
/// diagnostic so far.
pub(crate) struct Cx<'a> {
    /// The file being validated.
    pub src: Source<'a>,
    /// The folder relative paths resolve against (the configuration file's).
    pub base: PathBuf,
    /// Everything reported, in document order.
    pub diags: Vec<Diagnostic>,
    /// Reads an environment variable, for `${VAR}` in signature subjects (the process's
    /// environment in production, a map in tests).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Every path read (resolved) with where it is written, for errors about the path itself
    /// (it does not exist) to point at the line that names it.
    pub listed: Vec<Listed>,
}

/// `a.b`, or `b` at the top.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// `a.b[3]`.
pub(crate) fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// The keys a mapping read with [`Cx::table`] holds.
pub(crate) struct Table<'n> {
    entries: &'n [Entry],
}

impl<'n> Table<'n> {
    /// The value of `key`, if written.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// Where `key` is written.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|e| e.key == key).map(|e| e.key_span)
    }

    /// Whether no key is written.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Where a key that is unknown at one place is known: `(section, its keys)`, with
/// `[]` marking list entries (`waivers[]`).
pub(crate) type Sections = [(&'static str, &'static [&'static str])];

impl<'a> Cx<'a> {
    /// A context for one file.
    pub fn new(src: Source<'a>, base: PathBuf, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Cx { src, base, diags: Vec::new(), env, listed: Vec::new() }
    }

    /// Reports `code` at `span`.
    pub fn report(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = self.src.diag(code, span, path, message);
        self.diags.push(d);
        // Just pushed, so there is a last one.
        self.diags.last_mut().expect("a diagnostic was just pushed")
    }

    /// Reads a mapping whose keys must be among `keys`; every other key is reported with the
    /// nearest valid one. `null` (a key with nothing under it) reads as an empty mapping, so
    /// a section whose settings are all commented out is valid.
    pub fn table<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        keys: &[&str],
        sections: &Sections,
    ) -> Option<Table<'n>> {
        let entries: &'n [Entry] = match &node.value {
            Value::Map(entries) => entries,
            _ if node.is_null() => &[],
            _ => {
                self.wrong_type(node, path, "a mapping", "");
                return None;
            }
        };
        for e in entries.iter().filter(|e| !keys.contains(&e.key.as_str())) {
            self.unknown_key(e, path, keys, sections);
        }
        Some(Table { entries })
    }

    fn unknown_key(&mut self, e: &Entry, path: &str, keys: &[&str], sections: &Sections) {
        let here = if path.is_empty() { "at the top level".to_owned() } else { format!("in `{path}`") };
        let key = short(&e.key).into_owned();
        let listed = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        // A key of another section (`severities` at the top) says where it belongs; a near
        // miss (`severites`) says what it probably is.
        let section_of = |p: &str| p.split('[').next().unwrap_or(p).to_owned();
        let elsewhere: Vec<String> = sections
            .iter()
            .filter(|(s, ks)| ks.contains(&e.key.as_str()) && section_of(s) != section_of(path))
            .map(|(s, _)| match s.strip_suffix("[]") {
                _ if s.is_empty() => "the top level".to_owned(),
                Some(list) => format!("each entry of `{list}`"),
                None => format!("`{s}`"),
            })
            .collect();
        let help = if let Some(near) = closest(&e.key, keys) {
            format!("did you mean `{near}`?")
        } else if !elsewhere.is_empty() {
            let places = match elsewhere.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => elsewhere.join(""),
            };
            format!("`{key}` belongs under {places}")
        } else {
            format!("remove it; the keys here are {listed} (see docs/config.md)")
        };
        let d = self.report(
            Code::UnknownKey,
            e.key_span,
            &child(path, &e.key),
            format!("unknown key `{key}` {here}"),
        );
        d.expected = Some(format!("one of {listed}"));
        d.help = Some(help);
    }

    /// Reports a value of the wrong type; `help` may be empty.
    pub fn wrong_type(&mut self, node: &Node, path: &str, expected: &str, help: &str) {
        if node.value == Value::Refused {
            return;
        }
        let name = if path.is_empty() { "the file".to_owned() } else { format!("`{path}`") };
        let found = node.describe();
        let (message, help) = if node.is_null() {
            (
                format!("{name} has no value"),
                if help.is_empty() {
                    "write a value, or remove the key to keep the default".to_owned()
                } else {
                    help.to_owned()
                },
            )
        } else {
            (format!("{name} must be {expected}, not {found}"), help.to_owned())
        };
        let d = self.report(Code::WrongType, node.span, path, message);
        d.expected = Some(expected.to_owned());
        if !help.is_empty() {
            d.help = Some(help);
        }
    }

    /// A list; `null` reads as absent. A single scalar is refused (with a hint to bracket
    /// it) rather than read as a list of one: the type says what the user meant.
    pub fn list<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ if node.is_null() => None,
            Value::Scalar { text, .. } => {
                let help = format!("write a list, even of one entry: `[{}]`", short(text));
                self.wrong_type(node, path, "a list", &help);
                None
            }
            Value::Map(_) | Value::Refused => {
                self.wrong_type(node, path, "a list", "start each entry with `- `");
                None
            }
        }
    }

    /// A list that must not be empty when written (its default is not empty, so `[]` would
    /// read as either "the default" or "nothing"); `help` says what to write instead.
    pub fn nonempty_list<'n>(&mut self, node: &'n Node, path: &str, help: &str) -> Option<&'n [Node]> {
        let items = self.list(node, path)?;
        if items.is_empty() {
            self.report(Code::EmptyList, node.span, path, format!("`{path}` is an empty list")).help =
                Some(help.to_owned());
            return None;
        }
        Some(items)
    }

    /// A non-empty string. Numbers are taken as written (`id: 12345`); booleans, `null`,
    /// lists and mappings are refused.
    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match node.typed() {
            Some(Typed::Str(s)) if s.trim().is_empty() => {
                self.report(Code::InvalidValue, node.span, path, format!("`{path}` is empty")).expected =
                    Some("a non-empty string".into());
                None
            }
            Some(Typed::Str(s)) => Some(s.to_owned()),
            Some(Typed::Int(_) | Typed::Float(_)) => Some(node.text().to_owned()),
            Some(Typed::Bool(b)) => {
                self.wrong_type(node, path, "a string", &format!("quote it if you mean the word: `\"{b}\"`"));
                None
            }
            Some(Typed::Null) | None => {
                self.wrong_type(node, path, "a string", "");
                None
            }
        }
    }

    /// A string without whitespace (ids, fingerprints, package URLs, words).
    pub fn token(&mut self, node: &Node, path: &str, what: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if s.chars().any(char::is_whitespace) {
            self.report(
                Code::InvalidValue,
                node.span,
                path,
                format!("{what} `{}` contains whitespace", short(&s)),
            )
            .expected = Some(format!("a {what} without spaces"));
            return None;
        }
        Some(s)
    }

    /// `true` or `false`, unquoted.
    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        if let Some(Typed::Bool(b)) = node.typed() {
            return Some(b);
        }
        let help = match node.typed() {
            Some(Typed::Str(s)) if ["true", "false"].contains(&s.to_ascii_lowercase().as_str()) => {
                format!("remove the quotes: `{}`", s.to_ascii_lowercase())
            }
            Some(Typed::Str("yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y")) => {
                "YAML 1.2 reads this as a string: write `true`".to_owned()
            }
            Some(Typed::Str("no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N")) => {
                "YAML 1.2 reads this as a string: write `false`".to_owned()
            }
            _ => String::new(),
        };
        self.wrong_type(node, path, "true or false", &help);
        None
    }

    /// A finite number.
    pub fn number(&mut self, node: &Node, path: &str) -> Option<f64> {
        match node.typed() {
            Some(Typed::Int(i)) => Some(i as f64),
            Some(Typed::Float(f)) if f.is_finite() => Some(f),
            Some(Typed::Float(_)) => {
                self.report(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("`{path}` must be a finite number"),
                )
                .expected = Some("a number such as 50 or 12.5".into());
                None
            }
            Some(Typed::Str(s)) if s.trim().parse::<f64>().is_ok() => {
                self.wrong_type(node, path, "a number", &format!("remove the quotes: `{}`", s.trim()));
                None
            }
            _ => {
                self.wrong_type(node, path, "a number", "");
                None
            }
        }
    }

    /// One of a fixed set of words, written exactly (`warn`, not `Warn`).
    pub fn word<T: Copy>(&mut self, node: &Node, path: &str, what: &str, choices: &[(&str, T)]) -> Option<T> {
        let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
        let s = match node.typed() {
            Some(Typed::Str(s)) => s.to_owned(),
            _ => {
                self.wrong_type(node, path, &format!("one of {}", words.join(", ")), "");
                return None;
            }
        };
        if let Some((_, v)) = choices.iter().find(|(w, _)| *w == s) {
            return Some(*v);
        }
        let d = self.report(Code::InvalidValue, node.span, path, format!("unknown {what} `{}`", short(&s)));
        d.expected = Some(format!("one of {}", words.join(", ")));
        if let Some(near) = closest(&s.to_ascii_lowercase(), &words) {
            d.help = Some(format!("did you mean `{near}`?"));
        }
        None
    }

    /// A path, resolved against the configuration file's folder (absolute paths stay).
    pub fn path(&mut self, node: &Node, path: &str) -> Option<PathBuf> {
        let s = self.string(node, path)?;
        if s.contains('\0') {
            self.report(Code::InvalidValue, node.span, path, "a path cannot contain a NUL character");
            return None;
        }
        let resolved = resolve(&self.base, Path::new(&s));
        let at = self.src.diag(Code::Unreadable, node.span, path, String::new());
        self.listed.push(Listed { path: resolved.clone(), at: Box::new(at) });
        Some(resolved)
    }

    /// Warns about the entries of a list that repeat an earlier one (`same` decides); each
    /// entry is its value, its node and its index in the list.
    pub fn repeated<T>(&mut self, path: &str, items: &[(T, &Node, usize)], same: impl Fn(&T, &T) -> bool) {
        for (k, (v, n, i)) in items.iter().enumerate() {
            if let Some((_, _, j)) = items.iter().take(k).find(|(w, _, _)| same(v, w)) {
                let message = format!("`{}` is listed twice", short(n.text()));
                self.report(Code::RepeatedEntry, n.span, &item(path, *i), message).help =
                    Some(format!("remove this entry; it repeats `{}`", item(path, *j)));
            }
        }
    }
}

/// `base/rel` without `.` components; absolute `rel` stays as is. Lexical only: nothing is
/// looked up on disk, so a path that does not exist yet is still a path.
pub(crate) fn resolve(base: &Path, rel: &Path) -> PathBuf {
    let joined = if rel.is_absolute() { rel.to_path_buf() } else { base.join(rel) };
    let mut out = PathBuf::new();
    for c in joined.components() {
        if c != Component::CurDir {
            out.push(c);
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative paths join the base lexically; `.` parts go, `..` stays, absolute paths win.
    #[test]
    fn resolves() {
        assert_eq!(resolve(Path::new("ci"), Path::new("./reports/")), PathBuf::from("ci/reports"));
        assert_eq!(resolve(Path::new(""), Path::new("reports")), PathBuf::from("reports"));
        assert_eq!(resolve(Path::new(""), Path::new(".")), PathBuf::from("."));
        assert_eq!(resolve(Path::new("a/b"), Path::new("../c")), PathBuf::from("a/b/../c"));
        assert_eq!(resolve(Path::new("a"), Path::new("/abs/x")), PathBuf::from("/abs/x"));
    }
}
