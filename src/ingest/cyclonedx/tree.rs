//! One element of a CycloneDX JSON document read into a flat tree: its nodes in one `Vec`,
//! its strings lent by the element's text (copied only where an escape was decoded).
//! The schema validates it in place through jsonschema's representation traits
//! (`jsonschema::json`), and the reader takes the fields it keeps from it.
//!
//! Why not `serde_json::Value`: a component read into one allocates every key and string and
//! a B-tree node per object, orders the keys with `memcmp`, and frees it all again; at 10,000
//! components that was about half of reading the SBOM. The tree is cleared and refilled for
//! each element, so after the first few it allocates only for strings with escapes.
//!
//! Parsing is serde_json's (the same syntax errors, positions and depth limit); an object
//! that repeats a key is an error, as [`crate::ingest::json::unique_from_slice`] makes it.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object, cmp};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A string of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str<'t> {
    /// Lent by the text, where it had no escape.
    Lent(&'t str),
    /// The decoded string at this index of [`Tree::owned`].
    Owned(u32),
    /// A string the reader adds (the names of the document an element is checked in).
    Static(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
enum Kind<'t> {
    Null,
    Bool(bool),
    Number(Number),
    String(Str<'t>),
    /// Elements `start..start + len` of [`Tree::elements`].
    Array {
        start: u32,
        len: u32,
    },
    /// Members `start..start + len` of [`Tree::members`].
    Object {
        start: u32,
        len: u32,
    },
}

/// An object's member: its key, a digest of the key for lookups ([`tag`]), its value's node.
#[derive(Debug, Clone, Copy)]
struct Member<'t> {
    tag: u32,
    key: Str<'t>,
    value: u32,
}

/// A key's length and first and last bytes: a lookup compares these before it compares the
/// keys (a component has a dozen members, and the schema looks up thirty properties in it).
fn tag(key: &[u8]) -> u32 {
    let len = u32::try_from(key.len()).unwrap_or(u32::MAX).min(0xFFFF);
    (len << 16)
        | (u32::from(key.first().copied().unwrap_or(0)) << 8)
        | u32::from(key.last().copied().unwrap_or(0))
}

/// The nodes of one element, whose text lives for `'t`. Its buffers are reused from element
/// to element ([`Tree::recycle`]).
#[derive(Debug, Default)]
pub(super) struct Tree<'t> {
    nodes: Vec<Kind<'t>>,
    members: Vec<Member<'t>>,
    elements: Vec<u32>,
    owned: Vec<String>,
    // Children of the containers being read, moved to `members` and `elements` as each closes
    // so that every container's children are contiguous.
    open_members: Vec<Member<'t>>,
    open_elements: Vec<u32>,
}

/// `v`'s buffer, emptied, for elements of another lifetime. The types differ only in a
/// lifetime, so the standard library collects in place: the allocation is kept.
fn emptied<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

/// Objects with more keys than this are checked for repeats through a hash set, so that no
/// element can be written to make the check quadratic.
const LINEAR_KEYS: usize = 24;

impl<'t> Tree<'t> {
    /// The tree emptied, its buffers kept, for a text of another lifetime.
    pub(super) fn recycle<'u>(self) -> Tree<'u> {
        let Tree { nodes, members, mut elements, mut owned, open_members, mut open_elements } = self;
        elements.clear();
        owned.clear();
        open_elements.clear();
        Tree {
            nodes: emptied(nodes),
            members: emptied(members),
            elements,
            owned,
            open_members: emptied(open_members),
            open_elements,
        }
    }

    /// Reads `text` (one JSON value) into the tree, replacing what it held; returns the root's
    /// node.
    pub(super) fn parse(&mut self, text: &'t [u8]) -> Result<u32, serde_json::Error> {
        self.nodes.clear();
        self.members.clear();
        self.elements.clear();
        self.owned.clear();
        self.open_members.clear();
        self.open_elements.clear();
        let mut de = serde_json::Deserializer::from_slice(text);
        let root = Build { tree: self }.deserialize(&mut de)?;
        de.end()?;
        Ok(root)
    }

    /// Node `idx`.
    pub(super) fn view(&self, idx: u32) -> Handle<'_> {
        Handle { tree: self, idx }
    }

    /// Wraps the element at `element` in the smallest document the root schema accepts around
    /// it: `{"bomFormat": "CycloneDX", "specVersion": label, "version": 1, key: [element]}`.
    /// Returns the document's node.
    pub(super) fn wrap(&mut self, element: u32, key: &'static str, label: &'static str) -> u32 {
        let elements = self.elements.len() as u32;
        self.elements.push(element);
        let format = self.push(Kind::String(Str::Static("CycloneDX")));
        let version = self.push(Kind::String(Str::Static(label)));
        let one = self.push(Kind::Number(Number::from(1)));
        let array = self.push(Kind::Array { start: elements, len: 1 });
        let start = self.members.len() as u32;
        self.members.extend(
            [("bomFormat", format), ("specVersion", version), ("version", one), (key, array)]
                .map(|(key, value)| Member { tag: tag(key.as_bytes()), key: Str::Static(key), value }),
        );
        self.push(Kind::Object { start, len: 4 })
    }

    fn push(&mut self, kind: Kind<'t>) -> u32 {
        self.nodes.push(kind);
        self.nodes.len() as u32 - 1
    }

    /// A string's text, wherever it is kept.
    fn text(&self, s: Str<'t>) -> &str {
        match s {
            Str::Lent(s) => s,
            Str::Owned(i) => self.owned.get(i as usize).map_or("", String::as_str),
            Str::Static(s) => s,
        }
    }

    fn own(&mut self, s: String) -> Str<'t> {
        self.owned.push(s);
        Str::Owned(self.owned.len() as u32 - 1)
    }
}

/// One node of a tree: what the validator and the reader are handed.
#[derive(Clone, Copy)]
pub(super) struct Handle<'a> {
    tree: &'a Tree<'a>,
    idx: u32,
}

impl fmt::Debug for Handle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

impl<'a> Handle<'a> {
    /// The same tree's node `idx`.
    pub(super) fn at(self, idx: u32) -> Handle<'a> {
        Handle { idx, ..self }
    }

    fn kind(self) -> &'a Kind<'a> {
        self.tree.nodes.get(self.idx as usize).unwrap_or(&Kind::Null)
    }

    fn str_of(self, s: Str<'a>) -> &'a str {
        self.tree.text(s)
    }

    /// The string, if this is one.
    pub(super) fn str(self) -> Option<&'a str> {
        match self.kind() {
            Kind::String(s) => Some(self.str_of(*s)),
            _ => None,
        }
    }

    /// The member `key`, if this is an object that has it.
    pub(super) fn get(self, key: &str) -> Option<Handle<'a>> {
        self.object().and_then(|o| o.find(tag(key.as_bytes()), key))
    }

    /// The string at `key`, if this is an object whose `key` is a string.
    pub(super) fn get_str(self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Handle::str)
    }

    /// The elements, if this is an array.
    pub(super) fn array(self) -> Option<Items<'a>> {
        match self.kind() {
            Kind::Array { start, len } => Some(Items { at: self, start: *start, len: *len }),
            _ => None,
        }
    }

    fn object(self) -> Option<Members<'a>> {
        match self.kind() {
            Kind::Object { start, len } => Some(Members { at: self, start: *start, len: *len }),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub(super) fn is_object(self) -> bool {
        matches!(self.kind(), Kind::Object { .. })
    }

    /// `a string`, `a number`, … for messages.
    pub(super) fn kind_name(self) -> &'static str {
        match self.kind() {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array { .. } => "an array",
            Kind::Object { .. } => "an object",
        }
    }

    /// The node as a `serde_json::Value`: for messages, and what the validator's cold paths
    /// ask for.
    pub(super) fn to_value(self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(self.str_of(*s).to_owned()),
            Kind::Array { .. } => {
                Value::Array(self.array().into_iter().flatten().map(Handle::to_value).collect())
            }
            Kind::Object { .. } => Value::Object(
                self.object()
                    .into_iter()
                    .flat_map(|o| o.iter())
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// The members of an object node.
#[derive(Clone, Copy)]
pub(super) struct Members<'a> {
    at: Handle<'a>,
    start: u32,
    len: u32,
}

impl<'a> Members<'a> {
    fn slice(self) -> &'a [Member<'a>] {
        let start = self.start as usize;
        self.at.tree.members.get(start..start + self.len as usize).unwrap_or_default()
    }

    /// The member `key`, whose [`tag`] is `tag`.
    fn find(self, tag: u32, key: &str) -> Option<Handle<'a>> {
        self.slice()
            .iter()
            .find(|m| m.tag == tag && self.at.str_of(m.key) == key)
            .map(|m| self.at.at(m.value))
    }

    fn iter(self) -> MembersIter<'a> {
        MembersIter { at: self.at, inner: self.slice().iter() }
    }
}

pub(super) struct MembersIter<'a> {
    at: Handle<'a>,
    inner: std::slice::Iter<'a, Member<'a>>,
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Handle<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|m| (self.at.str_of(m.key), self.at.at(m.value)))
    }
}

/// The elements of an array node.
#[derive(Clone, Copy)]
pub(super) struct Items<'a> {
    at: Handle<'a>,
    start: u32,
    len: u32,
}

impl<'a> IntoIterator for Items<'a> {
    type Item = Handle<'a>;
    type IntoIter = ItemsIter<'a>;

    fn into_iter(self) -> ItemsIter<'a> {
        let start = self.start as usize;
        let slice = self.at.tree.elements.get(start..start + self.len as usize).unwrap_or_default();
        ItemsIter { at: self.at, inner: slice.iter() }
    }
}

pub(super) struct ItemsIter<'a> {
    at: Handle<'a>,
    inner: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for ItemsIter<'a> {
    type Item = Handle<'a>;

    fn next(&mut self) -> Option<Handle<'a>> {
        self.inner.next().map(|i| self.at.at(*i))
    }
}

/// Reads one value into the tree and returns its node.
struct Build<'b, 'de> {
    tree: &'b mut Tree<'de>,
}

impl<'de> Build<'_, 'de> {
    fn reborrow(&mut self) -> Build<'_, 'de> {
        Build { tree: self.tree }
    }

    fn bytes(&self, s: Str<'de>) -> &[u8] {
        self.tree.text(s).as_bytes()
    }
}

impl<'de> DeserializeSeed<'de> for Build<'_, 'de> {
    type Value = u32;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_, 'de> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u32, E> {
        Ok(self.tree.push(Kind::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        Ok(self.tree.push(Kind::Number(Number::from(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        Ok(self.tree.push(Kind::Number(Number::from(v))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        // JSON has no NaN or infinity, and serde_json refuses numbers out of f64's range.
        Ok(self.tree.push(Number::from_f64(v).map_or(Kind::Null, Kind::Number)))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<u32, E> {
        Ok(self.tree.push(Kind::String(Str::Lent(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        let s = self.tree.own(v.to_owned());
        Ok(self.tree.push(Kind::String(s)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<u32, E> {
        let s = self.tree.own(v);
        Ok(self.tree.push(Kind::String(s)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        Ok(self.tree.push(Kind::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<u32, E> {
        Ok(self.tree.push(Kind::Null))
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<u32, A::Error> {
        let mark = self.tree.open_elements.len();
        while let Some(child) = seq.next_element_seed(self.reborrow())? {
            self.tree.open_elements.push(child);
        }
        let start = self.tree.elements.len() as u32;
        let len = (self.tree.open_elements.len() - mark) as u32;
        let tree = &mut *self.tree;
        tree.elements.extend(tree.open_elements.drain(mark..));
        Ok(tree.push(Kind::Array { start, len }))
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<u32, A::Error> {
        let mark = self.tree.open_members.len();
        let mut many: Option<HashSet<Vec<u8>>> = None;
        while let Some(key) = map.next_key_seed(Key(self.reborrow()))? {
            let open = self.tree.open_members.get(mark..).unwrap_or_default();
            let name = self.bytes(key);
            let key_tag = tag(name);
            let repeated = match &mut many {
                Some(seen) => !seen.insert(name.to_vec()),
                None if open.len() < LINEAR_KEYS => {
                    open.iter().any(|m| m.tag == key_tag && self.bytes(m.key) == name)
                }
                None => {
                    let mut seen: HashSet<Vec<u8>> =
                        open.iter().map(|m| self.bytes(m.key).to_vec()).collect();
                    let repeated = !seen.insert(name.to_vec());
                    many = Some(seen);
                    repeated
                }
            };
            if repeated {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    String::from_utf8_lossy(name)
                )));
            }
            let value = map.next_value_seed(self.reborrow())?;
            self.tree.open_members.push(Member { tag: key_tag, key, value });
        }
        let start = self.tree.members.len() as u32;
        let len = (self.tree.open_members.len() - mark) as u32;
        let tree = &mut *self.tree;
        tree.members.extend(tree.open_members.drain(mark..));
        Ok(tree.push(Kind::Object { start, len }))
    }
}

/// Reads an object's key.
struct Key<'b, 'de>(Build<'b, 'de>);

impl<'de> DeserializeSeed<'de> for Key<'_, 'de> {
    type Value = Str<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Str<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, 'de> {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
        Ok(Str::Lent(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
        Ok(self.0.tree.own(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
        Ok(self.0.tree.own(v))
    }
}

/// The tree as jsonschema's validators read it.
pub(super) struct TreeJson;

/// A tree holding one string, for the names `propertyNames` checks.
#[derive(Default)]
pub(super) struct OneString {
    tree: Tree<'static>,
}

/// A property name the schema looks up, with its [`tag`].
pub(super) struct Prepared {
    tag: u32,
    key: Box<str>,
}

impl Json for TreeJson {
    type Node<'a> = Handle<'a>;
    type PreparedKey = Prepared;
    type StringBuffer = OneString;

    // A lookup walks the members comparing their tags, which costs about what visiting them in
    // a members pass does: a pass replaces lookups only when it visits no more members.
    const KEYS_PER_LOOKUP: usize = 1;

    fn prepare_key(key: &str) -> Prepared {
        Prepared { tag: tag(key.as_bytes()), key: key.into() }
    }

    fn with_string_node<T>(buffer: &mut OneString, string: &str, f: impl FnOnce(Handle<'_>) -> T) -> T {
        let tree = &mut buffer.tree;
        tree.owned.truncate(1);
        match tree.owned.first_mut() {
            Some(s) => {
                s.clear();
                s.push_str(string);
            }
            None => tree.owned.push(string.to_owned()),
        }
        tree.nodes.clear();
        tree.nodes.push(Kind::String(Str::Owned(0)));
        f(tree.view(0))
    }
}

impl<'a> Node<'a, TreeJson> for Handle<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<Members<'a>> {
        self.object()
    }

    fn as_array(&self) -> Option<Items<'a>> {
        self.array()
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self.kind() {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.kind() {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.kind(), Kind::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.kind() {
            Kind::Null => JsonType::Null,
            Kind::Bool(_) => JsonType::Boolean,
            Kind::Number(_) => JsonType::Number,
            Kind::String(_) => JsonType::String,
            Kind::Array { .. } => JsonType::Array,
            Kind::Object { .. } => JsonType::Object,
        }
    }

    fn string_length(&self) -> Option<u64> {
        self.str().map(|s| s.chars().count() as u64)
    }

    /// `enum` and `const`: scalars compared in place, containers as values.
    fn equals_value(&self, expected: &Value) -> bool {
        match (self.kind(), expected) {
            (Kind::String(s), Value::String(e)) => self.str_of(*s) == e,
            (Kind::Null, Value::Null) => true,
            (Kind::Bool(b), Value::Bool(e)) => b == e,
            (Kind::Number(n), Value::Number(e)) => cmp::equal_numbers(&n, e),
            (Kind::Array { .. } | Kind::Object { .. }, Value::Array(_) | Value::Object(_)) => {
                cmp::equal(&self.to_value(), expected)
            }
            _ => false,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(Handle::to_value(*self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(std::ptr::from_ref(self.tree) as usize, self.idx))
    }
}

impl<'a> Object<'a, TreeJson> for Members<'a> {
    type Node = Handle<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.len as usize
    }

    fn get(&self, key: &Prepared) -> Option<Handle<'a>> {
        self.find(key.tag, &key.key)
    }

    fn members(&self) -> MembersIter<'a> {
        self.iter()
    }
}

impl<'a> Array<'a, TreeJson> for Items<'a> {
    type Node = Handle<'a>;
    type ElementsIter = ItemsIter<'a>;

    fn len(&self) -> usize {
        self.len as usize
    }

    fn elements(&self) -> ItemsIter<'a> {
        self.into_iter()
    }

    /// `uniqueItems`: strings compared in place; anything else as values.
    fn is_unique(&self) -> bool {
        let mut strings = HashSet::with_capacity(self.len as usize);
        let mut all_strings = true;
        for item in self.into_iter() {
            match item.str() {
                Some(s) => {
                    if !strings.insert(s) {
                        return false;
                    }
                }
                None => {
                    all_strings = false;
                    break;
                }
            }
        }
        if all_strings {
            return true;
        }
        let values: Vec<Value> = self.into_iter().map(Handle::to_value).collect();
        jsonschema::json::unique::is_unique(&values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Value {
        let mut tree = Tree::default();
        let root = tree.parse(text.as_bytes()).expect("parses");
        tree.view(root).to_value()
    }

    /// The tree holds what serde_json reads, escapes decoded, numbers as serde_json's.
    #[test]
    fn same_as_serde_json() {
        for text in [
            r#"{"a": [1, -2, 3.5, 1e300, true, false, null, "x\"y\u00e9", {}], "b": {"c": []}, "": ""}"#,
            r#"[]"#,
            r#""plain""#,
            r#"{"k\u0041": 18446744073709551615, "n": -9223372036854775808}"#,
        ] {
            let expected: Value = serde_json::from_str(text).expect("json");
            assert_eq!(parsed(text), expected, "{text}");
        }
    }

    /// A repeated key is an error, whether written alike or through an escape, in a small
    /// object or a large one.
    #[test]
    fn repeated_keys() {
        let texts = [r#"{"k": 1, "k": 2}"#.to_owned(), r#"{"k": 1, "\u006b": 2}"#.to_owned(), {
            let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("{{{}, \"k77\": 0}}", keys.join(", "))
        }];
        let mut tree = Tree::default();
        for text in &texts {
            let e = tree.parse(text.as_bytes()).expect_err("repeats");
            assert!(e.to_string().starts_with("duplicate key `k"), "{e}");
        }
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let distinct = format!("{{{}}}", keys.join(", "));
        assert!(Tree::default().parse(distinct.as_bytes()).is_ok());
    }

    /// Strings without escapes are lent by the text; the tree is reused, its buffers kept,
    /// without keeping anything of the last element.
    #[test]
    fn lent_and_reused() {
        let mut tree = Tree::default();
        let text = r#"{"name": "a", "esc": "\n"}"#;
        let root = tree.parse(text.as_bytes()).expect("parses");
        assert_eq!(tree.view(root).to_value(), serde_json::json!({"name": "a", "esc": "\n"}));
        assert_eq!(tree.owned.len(), 1);
        let (nodes, members) = (tree.nodes.capacity(), tree.members.capacity());
        let mut tree = tree.recycle();
        assert_eq!((tree.nodes.capacity(), tree.members.capacity()), (nodes, members), "buffers kept");
        let text = r#"{"other": ["b"]}"#.to_owned();
        let root = tree.parse(text.as_bytes()).expect("parses");
        let root = tree.view(root);
        assert_eq!(root.get("name").map(Handle::to_value), None);
        assert_eq!(root.get("other").and_then(|o| o.array()).map(|a| a.into_iter().count()), Some(1));
        assert!(tree.owned.is_empty());
    }

    /// Syntax errors are serde_json's, placed where it places them.
    #[test]
    fn errors_are_serde_jsons() {
        let mut tree = Tree::default();
        let e = tree.parse(b"{\"a\":\n [1,]}").expect_err("trailing comma");
        let expected = serde_json::from_slice::<Value>(b"{\"a\":\n [1,]}").expect_err("same");
        assert_eq!((e.line(), e.column()), (expected.line(), expected.column()));
        assert!(tree.parse(b"{} 1").is_err());
    }

    /// The wrapped element is validated as the document's only element.
    #[test]
    fn wrapped() {
        let mut tree = Tree::default();
        let text = r#"{"type": "library"}"#;
        let root = tree.parse(text.as_bytes()).expect("parses");
        let doc = tree.wrap(root, "components", "1.6");
        let h = tree.view(doc).to_value();
        assert_eq!(
            h,
            serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{"type": "library"}]})
        );
    }

    /// Scalars compare as the validator's `enum` and `const` need: in place, numbers
    /// mathematically, containers as values.
    #[test]
    fn equality() {
        let mut tree = Tree::default();
        let text = r#"["a", 1, 1.0, null, true, {"k": [1]}]"#;
        let root = tree.parse(text.as_bytes()).expect("parses");
        let root = tree.view(root);
        let items: Vec<Handle<'_>> = root.array().expect("array").into_iter().collect();
        let eq = |i: usize, v: Value| items[i].equals_value(&v);
        assert!(eq(0, "a".into()) && !eq(0, "b".into()) && !eq(0, 1.into()));
        assert!(eq(1, serde_json::json!(1.0)) && eq(2, 1.into()) && !eq(1, "1".into()));
        assert!(eq(3, Value::Null) && eq(4, true.into()) && !eq(4, Value::Null));
        assert!(eq(5, serde_json::json!({"k": [1.0]})) && !eq(5, serde_json::json!({"k": []})));
    }
}
