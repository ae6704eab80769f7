//! The official CycloneDX JSON schemas 1.2–1.7, embedded from `schemas/cyclonedx/` (see its
//! README for their source), compiled once per specification version and process.
//!
//! A document is validated in pieces so that memory follows one element, not the file: each
//! element of the four large top-level arrays (`components`, `services`, `dependencies`,
//! `vulnerabilities`) on its own, and the rest of the document with those arrays left out.
//! The arrays' own constraint, `uniqueItems`, is checked by the reader on the elements' text
//! ([`Schema::unique`]).
//!
//! For 1.2 and 1.3 the published `bom-1.x.schema.json` is used, not the `-strict` variants:
//! it is the document the `$id` names, and it lets generators add properties, as 1.2 and 1.3
//! allowed. From 1.4 the published schema forbids unknown properties itself.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Registry, ValidationError, Validator};
use serde_json::Value;

use super::SpecVersion;
use super::tree::{Tree, TreeJson};

const BOM: [(&str, &str); 6] = [
    ("1.2", include_str!("../../../schemas/cyclonedx/bom-1.2.schema.json")),
    ("1.3", include_str!("../../../schemas/cyclonedx/bom-1.3.schema.json")),
    ("1.4", include_str!("../../../schemas/cyclonedx/bom-1.4.schema.json")),
    ("1.5", include_str!("../../../schemas/cyclonedx/bom-1.5.schema.json")),
    ("1.6", include_str!("../../../schemas/cyclonedx/bom-1.6.schema.json")),
    ("1.7", include_str!("../../../schemas/cyclonedx/bom-1.7.schema.json")),
];

/// The schemas the BOM schemas reference by relative `$ref`, resolved against their `$id`s
/// (`http://cyclonedx.org/schema/…`).
const SHARED: [&str; 3] = [
    include_str!("../../../schemas/cyclonedx/spdx.schema.json"),
    include_str!("../../../schemas/cyclonedx/jsf-0.82.schema.json"),
    include_str!("../../../schemas/cyclonedx/cryptography-defs.schema.json"),
];

/// The SPDX license ids CycloneDX accepts (`spdx.schema.json`), for the XML rules.
pub(super) fn spdx_ids() -> &'static std::collections::HashSet<String> {
    static IDS: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let [spdx, ..] = SHARED;
        let v: Value = serde_json::from_str(spdx).expect("the embedded spdx.schema.json is JSON");
        v.get("enum")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    })
}

/// The top-level arrays validated element by element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Components,
    Services,
    Dependencies,
    Vulnerabilities,
}

impl Section {
    pub(super) const ALL: [Section; 4] =
        [Section::Components, Section::Services, Section::Dependencies, Section::Vulnerabilities];

    pub(super) fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Section::Components => "components",
            Section::Services => "services",
            Section::Dependencies => "dependencies",
            Section::Vulnerabilities => "vulnerabilities",
        }
    }

    pub(super) fn slot(self) -> usize {
        match self {
            Section::Components => 0,
            Section::Services => 1,
            Section::Dependencies => 2,
            Section::Vulnerabilities => 3,
        }
    }
}

/// The compiled schema of one specification version.
///
/// One validator, the root's, serves both uses: an array element is validated inside a
/// minimal document that holds only it (`{"bomFormat", "specVersion", "version",
/// "components": [element]}`, [`Tree::wrap`]), and its problems' paths are taken relative to
/// the element. Compiling the definitions of the four arrays separately would compile most of
/// the schema five times over (time and memory) for no different answer. Documents are read
/// into a [`Tree`], which the validator reads in place.
pub(super) struct Schema {
    root: Validator<TreeJson>,
    label: &'static str,
    declared: [bool; 4],
    unique: [bool; 4],
}

impl Schema {
    /// Validates the document without its large arrays (an array written as `null` stays in
    /// it, so that the root rejects it).
    pub(super) fn check_root(&self, document: &Value) -> Vec<Violation> {
        let text = document.to_string();
        let mut tree = Tree::default();
        let Ok(root) = tree.parse(text.as_bytes()) else { return Vec::new() };
        let root = tree.view(root);
        if self.root.is_valid(root) {
            return Vec::new();
        }
        self.root.iter_errors(root).map(|e| describe(&e)).collect()
    }

    /// Validates the element at node `element` of `tree`. An array the version does not define (`vulnerabilities` before 1.4) is left to
    /// [`Schema::declares`].
    pub(super) fn check_element(&self, tree: &mut Tree<'_>, s: Section, element: u32) -> Vec<Violation> {
        if !self.declares(s) {
            return Vec::new();
        }
        let doc = tree.wrap(element, s.key(), self.label);
        let root = tree.view(doc);
        // `is_valid` stops early and builds no errors: the fast path for the usual, valid
        // element; errors are only collected for an invalid one.
        if self.root.is_valid(root) {
            return Vec::new();
        }
        self.root
            .iter_errors(root)
            .map(|e| {
                let mut v = describe(&e);
                // `/components/0/…` → `…`
                v.path.drain(..v.path.len().min(2));
                v
            })
            .collect()
    }

    /// Whether the version defines the array at all.
    pub(super) fn declares(&self, s: Section) -> bool {
        self.declared.get(s.slot()).copied().unwrap_or(false)
    }

    /// Whether the array must hold distinct elements (`uniqueItems`).
    pub(super) fn unique(&self, s: Section) -> bool {
        self.unique.get(s.slot()).copied().unwrap_or(false)
    }
}

/// The schema of a version verdict knows (1.2–1.7), compiled on first use.
pub(super) fn for_version(v: SpecVersion) -> Option<&'static Schema> {
    static CACHE: [OnceLock<Schema>; 6] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let label = v.label();
    let i = BOM.iter().position(|(l, _)| *l == label)?;
    let (label, text) = BOM.get(i)?;
    let cell = CACHE.get(i)?;
    Some(cell.get_or_init(|| {
        compile(text, label).unwrap_or_else(|e| panic!("the embedded CycloneDX {label} schema compiles: {e}"))
    }))
}

fn compile(text: &str, label: &'static str) -> Result<Schema, String> {
    let (root, declared, unique) = compile_for::<TreeJson>(text)?;
    Ok(Schema { root, label, declared, unique })
}

/// The schema `text` compiled for instances in the representation `F`, with which arrays it
/// declares and which must hold distinct elements.
type Compiled<F> = (Validator<F>, [bool; 4], [bool; 4]);

fn compile_for<F: jsonschema::json::Json>(text: &str) -> Result<Compiled<F>, String> {
    let mut bom: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut declared = [false; 4];
    let mut unique = [false; 4];
    for s in Section::ALL {
        let property = bom.pointer_mut(&format!("/properties/{}", s.key()));
        if let (Some(d), Some(u)) = (declared.get_mut(s.slot()), unique.get_mut(s.slot())) {
            *d = property.is_some();
            // The reader checks `uniqueItems` of these arrays itself, on the elements' text:
            // the validator only ever sees one element at a time.
            *u = property
                .and_then(Value::as_object_mut)
                .and_then(|p| p.remove("uniqueItems"))
                .and_then(|u| u.as_bool())
                .unwrap_or(false);
        }
    }
    let shared: Vec<Value> = SHARED
        .iter()
        .map(|t| serde_json::from_str(t))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let id = bom.get("$id").and_then(Value::as_str).ok_or("the schema has no $id")?.to_owned();
    let mut registry = Registry::new().add(&id, &bom).map_err(|e| e.to_string())?;
    for s in &shared {
        let sid = s.get("$id").and_then(Value::as_str).ok_or("a shared schema has no $id")?;
        registry = registry.add(sid, s).map_err(|e| e.to_string())?;
    }
    let registry = registry.prepare().map_err(|e| e.to_string())?;
    let root = jsonschema::options_for::<F>()
        .with_registry(&registry)
        .should_validate_formats(true)
        .offline()
        .build(&bom)
        .map_err(|e| e.to_string())?;
    Ok((root, declared, unique))
}

/// One segment of a path inside a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// `components[3].hashes[0].content`.
pub(super) fn render_path(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// A violation: where (relative to the validated value) and what.
#[derive(Debug)]
pub(super) struct Violation {
    pub(super) path: Vec<Seg>,
    pub(super) message: String,
}

/// Describes a validation error. For `oneOf`/`anyOf` failures (a license that is neither an
/// SPDX id nor a name, …) the branch that came closest — fewest errors — is described instead,
/// since "not valid under any of the given schemas" helps nobody fix a file.
pub(super) fn describe(err: &ValidationError<'_>) -> Violation {
    let path: Vec<Seg> = err
        .instance_path()
        .segments()
        .map(|s| match s {
            LocationSegment::Property(p) => Seg::Key(p.into_owned()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect();
    let message = match err.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            match context.iter().filter(|branch| !branch.is_empty()).min_by_key(|branch| branch.len()) {
                Some(branch) => {
                    let deepest = branch.iter().max_by_key(|e| e.instance_path().segments().count());
                    if let Some(inner) = deepest {
                        return describe(inner);
                    }
                    err.to_string()
                }
                None => err.to_string(),
            }
        }
        ValidationErrorKind::Enum { options } => {
            let instance = short(err.instance());
            match options.as_array() {
                Some(list) if list.iter().any(|o| o.as_str() == Some("Apache-2.0")) => {
                    format!("{instance} is not an SPDX license id")
                }
                Some(list) if list.len() <= 16 => format!(
                    "{instance} is not one of {}",
                    list.iter().map(short).collect::<Vec<_>>().join(", ")
                ),
                Some(list) => format!("{instance} is not one of the {} allowed values", list.len()),
                None => err.to_string(),
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!(
                "unknown propert{} {}",
                if unexpected.len() == 1 { "y" } else { "ies" },
                unexpected.join(", ")
            )
        }
        ValidationErrorKind::Required { property } => {
            format!("`{}` is required", property.as_str().map_or_else(|| property.to_string(), str::to_owned))
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "the value fits more than one of the alternatives the schema offers (exactly one must fit)"
                .to_owned()
        }
        ValidationErrorKind::Not { schema } => match schema.get("required").and_then(Value::as_array) {
            Some(names) => format!(
                "{} is not allowed here",
                names
                    .iter()
                    .map(|n| format!("`{}`", n.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(" with ")
            ),
            None => "the value has a form the schema forbids here".to_owned(),
        },
        _ => {
            // jsonschema's own wording quotes the whole value; keep it readable.
            let full = err.to_string();
            if full.chars().count() <= 300 {
                full
            } else {
                full.chars().take(297).chain("...".chars()).collect()
            }
        }
    };
    Violation { path, message }
}

/// A JSON value for a message, shortened.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 { s } else { s.chars().take(77).chain("...".chars()).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonschema::json::SerdeJson;

    /// A deterministic source of choices (xorshift).
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// A value of any kind, for a mutation to put somewhere.
    fn any(dice: &mut Dice) -> Value {
        const WORDS: [&str; 12] = [
            "",
            "library",
            "GPL-3.0-only",
            "Apache-2.0",
            "sha-256",
            "SHA-256",
            "é\u{202e}x",
            "pkg:npm/a@1",
            "required",
            "0123456789abcdef0123456789abcdef",
            "declared",
            "not a url",
        ];
        match dice.below(9) {
            0 => Value::Null,
            1 => Value::Bool(dice.below(2) == 1),
            2 => Value::from(dice.below(5) as i64 - 2),
            3 => serde_json::json!(1.5),
            4 => serde_json::json!([WORDS[dice.below(WORDS.len())]]),
            5 => serde_json::json!({ "name": WORDS[dice.below(WORDS.len())] }),
            _ => Value::from(WORDS[dice.below(WORDS.len())]),
        }
    }

    /// One change somewhere in `v`: a key dropped or added, a value replaced, an array's
    /// element repeated.
    fn mutate(v: &mut Value, dice: &mut Dice) {
        let descend = dice.below(3) > 0;
        match v {
            Value::Object(o) if !o.is_empty() => {
                let keys: Vec<String> = o.keys().cloned().collect();
                let key = &keys[dice.below(keys.len())];
                match (descend, dice.below(4)) {
                    (true, _) => mutate(o.get_mut(key).expect("a key of it"), dice),
                    (false, 0) => drop(o.remove(key)),
                    (false, 1) => {
                        // A key the schema knows (so its rules apply) or one it does not.
                        const KEYS: [&str; 10] = [
                            "x-unknown",
                            "scope",
                            "type",
                            "purl",
                            "version",
                            "hashes",
                            "licenses",
                            "bom-ref",
                            "group",
                            "author",
                        ];
                        drop(o.insert(KEYS[dice.below(KEYS.len())].into(), any(dice)));
                    }
                    _ => drop(o.insert(key.clone(), any(dice))),
                }
            }
            Value::Array(a) if !a.is_empty() => {
                let i = dice.below(a.len());
                match (descend, dice.below(3)) {
                    (true, _) => mutate(&mut a[i], dice),
                    (false, 0) => a.push(a[i].clone()),
                    _ => a[i] = any(dice),
                }
            }
            other => *other = any(dice),
        }
    }

    /// The flat tree is judged as serde_json's `Value` is: every component of the fixtures,
    /// and thousands of mutations of them, get the same answer and the same problems (paths
    /// and messages) from the schema compiled for either representation.
    #[test]
    fn tree_is_judged_as_values_are() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/cyclonedx");
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        let (mut checked, mut invalid) = (0, 0);
        for file in [
            "trivy-npm-1.7.cdx.json",
            "valid-assembly-1.5.json",
            "valid-license-declared-concluded-mix-1.7.json",
        ] {
            let doc: Value =
                serde_json::from_slice(&std::fs::read(root.join(file)).expect("fixture")).expect("json");
            let label = doc["specVersion"].as_str().expect("a version");
            let (label, text) = BOM.iter().find(|(l, _)| *l == label).copied().expect("a known version");
            let (by_tree, _, _) = compile_for::<TreeJson>(text).expect("compiles");
            let (by_value, _, _) = compile_for::<SerdeJson>(text).expect("compiles");
            let components = doc["components"].as_array().expect("components").clone();
            for round in 0..400 {
                let mut c = components[round % components.len()].clone();
                for _ in 0..(round % 4) {
                    mutate(&mut c, &mut dice);
                }
                let held = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": label, "version": 1, "components": [c]});
                let text = c.to_string();
                let mut tree = Tree::default();
                let element = tree.parse(text.as_bytes()).expect("parses");
                let wrapped = tree.wrap(element, "components", label);
                let node = tree.view(wrapped);
                let problems = |errors: Vec<Violation>| -> Vec<(Vec<Seg>, String)> {
                    errors.into_iter().map(|v| (v.path, v.message)).collect()
                };
                let valid = by_value.is_valid(&held);
                assert_eq!(by_tree.is_valid(node), valid, "{file} round {round}: {c}");
                assert_eq!(
                    problems(by_tree.iter_errors(node).map(|e| describe(&e)).collect()),
                    problems(by_value.iter_errors(&held).map(|e| describe(&e)).collect()),
                    "{file} round {round}: {c}"
                );
                checked += 1;
                invalid += usize::from(!valid);
            }
        }
        // The mutations reach both answers, not one.
        assert!(invalid > 300 && checked - invalid > 300, "{invalid} invalid of {checked}");
    }
}
