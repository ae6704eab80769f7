//! CycloneDX: the specification's own test documents for 1.2–1.7
//! (`corpus/sbom/cyclonedx-spec/test-resources`) and real CycloneDX SBOMs written by Trivy
//! (`corpus/sbom/trivy`). Component counts come from oracles that know nothing of verdict:
//! a walk over `serde_json::Value` for JSON, a quick-xml element count for XML; for 1.3–1.5
//! the `cyclonedx-bom` crate cross-checks names and versions.
//!
//! The `.textproto` files are CycloneDX's protobuf text format, which verdict does not read;
//! they are skipped.

use std::path::{Path, PathBuf};

use serde_json::Value;
use verdict::evidence::{Evidence, Kind};

const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Invalid documents that verdict reads without an error or a warning, with the reason.
/// The test fails if one of them starts being detected, so that this list stays true.
const UNDETECTED: &[(&str, &str)] = &[];

/// Invalid documents that verdict refuses (exit code 2) rather than reading with warnings:
/// not a BOM (`bomFormat`, the XML namespace), or a component verdict cannot identify (no
/// `name`, no `type`). Every other invalid document is read and carries warnings.
const REFUSED: [&str; 4] = [
    "invalid-bomformat-",
    "invalid-empty-component-",
    "invalid-missing-component-type-",
    "invalid-namespace-",
];

fn name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or_default()
}

fn spec_files(corpus: &Path, prefix: &str) -> Vec<(String, PathBuf)> {
    let base = corpus.join("sbom/cyclonedx-spec/test-resources");
    let mut out = Vec::new();
    for v in VERSIONS {
        for path in super::files(&base.join(v), &[".json", ".xml"]) {
            if name(&path).starts_with(prefix) {
                out.push((v.to_owned(), path));
            }
        }
    }
    out
}

/// The oracle for JSON: `components` and their nested `components`, recursively
/// (`metadata.component` and tools are not inventory).
fn json_count(doc: &Value) -> usize {
    fn walk(list: Option<&Value>) -> usize {
        list.and_then(Value::as_array).map_or(0, |l| l.iter().map(|c| 1 + walk(c.get("components"))).sum())
    }
    walk(doc.get("components"))
}

/// The oracle for XML: `<component>` elements (unprefixed, as in every corpus document)
/// directly inside a `<components>` that is the root's child or a counted component's child.
fn xml_count(text: &str) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    // (name, counted component)
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut count = 0;
    loop {
        let (name, empty) = match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => (e.name().0.to_owned(), false),
            Event::Empty(e) => (e.name().0.to_owned(), true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => return count,
            _ => continue,
        };
        let n = stack.len();
        let counted = name == "component"
            && n >= 2
            && stack[n - 1].0 == "components"
            && (n == 2 && stack[0].0 == "bom" || stack[n - 2].1);
        if counted {
            count += 1;
        }
        if !empty {
            stack.push((name, counted));
        }
    }
}

fn oracle(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("readable");
    if name(path).ends_with(".xml") {
        xml_count(&text)
    } else {
        json_count(&serde_json::from_str(&text).expect("JSON"))
    }
}

fn read_ok(path: &Path) -> Evidence {
    let ev = super::read(path).unwrap_or_else(|e| panic!("{}: {}", path.display(), super::first_error(&e)));
    assert_eq!(ev.sources.len(), 1, "{}: recognized by content", path.display());
    assert_eq!(ev.sources[0].kind, Kind::Cyclonedx, "{}: recognized as CycloneDX", path.display());
    ev
}

/// The source's warnings but the one that counts the vulnerabilities a JSON document lists,
/// after checking that one: present exactly when `vulnerabilities[]` is not empty, with its
/// count. (XML documents' vulnerabilities are not counted.)
fn besides_listing<'w>(
    path: &Path,
    warnings: &'w [verdict::evidence::Warning],
) -> Vec<&'w verdict::evidence::Warning> {
    let listed = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|d| d.get("vulnerabilities").and_then(Value::as_array).map(Vec::len))
        .unwrap_or(0);
    let (listing, rest): (Vec<_>, Vec<_>) =
        warnings.iter().partition(|w| w.code == "cyclonedx/vulnerabilities");
    match (listed, listing.as_slice()) {
        (0, []) => {}
        (1, [w]) => {
            assert!(w.message.contains("lists 1 vulnerability ("), "{}: {}", path.display(), w.message)
        }
        (n, [w]) => {
            assert!(
                w.message.contains(&format!("lists {n} vulnerabilities (")),
                "{}: {}",
                path.display(),
                w.message
            )
        }
        (n, got) => panic!("{}: {n} vulnerabilities listed, warnings {got:?}", path.display()),
    }
    rest
}

/// Every `valid-*` document of 1.2–1.7, JSON and XML, is recognized by content, parses with
/// no warning, declares its folder's version, and yields the oracle's component count.
#[test]
fn spec_valid_documents_parse_cleanly() {
    let Some(corpus) = super::corpus() else { return };
    let files = spec_files(&corpus, "valid-");
    for (v, path) in &files {
        let ev = read_ok(path);
        let source = &ev.sources[0];
        assert!(
            besides_listing(path, &source.warnings).is_empty(),
            "{}: {:?}",
            path.display(),
            source.warnings
        );
        assert_eq!(source.spec_version.as_deref(), Some(v.as_str()), "{}", path.display());
        assert_eq!(ev.components.len(), oracle(path), "{}: components", path.display());
    }
    eprintln!("cyclonedx valid documents: {} parsed cleanly", files.len());
    assert!(files.len() >= 330, "only {} valid documents found", files.len());
}

/// Every `invalid-*` (and `informal-invalid-*`) document of 1.2–1.7 is refused or read with
/// at least one warning; the refused ones are exactly the unreadable kinds in [`REFUSED`].
#[test]
fn spec_invalid_documents_are_refused_or_warned() {
    let Some(corpus) = super::corpus() else { return };
    let mut files = spec_files(&corpus, "invalid-");
    files.extend(spec_files(&corpus, "informal-invalid-"));
    let mut undetected = Vec::new();
    let (mut refused, mut warned) = (0, 0);
    for (_, path) in &files {
        let n = name(path);
        let expect_refusal = REFUSED.iter().any(|p| n.starts_with(p));
        // Named as CycloneDX, so that a document discovery would skip (a wrong bomFormat)
        // still meets the parser's judgement.
        match super::read_as("cyclonedx", path) {
            Err(e) => {
                assert!(
                    expect_refusal,
                    "{n} is readable and must not be refused: {}",
                    super::first_error(&e)
                );
                refused += 1;
            }
            Ok(ev) => {
                assert!(!expect_refusal, "{n} must be refused");
                if ev.sources[0].warnings.is_empty() {
                    undetected.push(n.to_owned());
                } else {
                    warned += 1;
                }
            }
        }
    }
    let expected: Vec<String> = UNDETECTED.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(undetected, expected, "invalid documents read without a warning");
    eprintln!(
        "cyclonedx invalid documents: {refused} refused, {warned} warned, {} undetected",
        undetected.len()
    );
    assert!(files.len() >= 290, "only {} invalid documents found", files.len());
}

/// The specification's suite skips two 1.2 documents (`skip_invalid-*`): `name` and `type`
/// have defaults in 1.2's prose but are `required` in its schema. verdict follows the schema,
/// and cannot identify a component without them: both are refused.
#[test]
fn spec_skipped_documents_are_refused() {
    let Some(corpus) = super::corpus() else { return };
    let files = spec_files(&corpus, "skip_invalid-");
    assert_eq!(files.len(), 2);
    for (_, path) in files {
        let e = super::read(&path).expect_err("refused");
        assert!(super::first_error(&e).contains("ingest/missing-field"), "{}", super::first_error(&e));
    }
}

/// Warnings expected on Trivy's CycloneDX files: its deliberately broken fixture, and a
/// third-party BOM whose dependency names a component the document does not have.
const TRIVY_WARNINGS: &[(&str, &str)] = &[
    ("sbom-cyclonedx--sad-invalid-serial.json", "cyclonedx/schema-violation"),
    ("sbom-cyclonedx--happy-third-party-scan-file-component.json", "cyclonedx/dangling-ref"),
];

/// Every CycloneDX file under `corpus/sbom/trivy` (goldens, fixtures, the generated scan;
/// picked by `bomFormat`, so SPDX, OpenVEX and in-toto files are left out) is recognized by
/// content and parses with the oracle's component count, the tool and version it declares,
/// and only the warnings listed above.
#[test]
fn trivy_cyclonedx_files_parse() {
    let Some(corpus) = super::corpus() else { return };
    let mut checked = 0;
    for dir in ["output", "fixtures", "generated"] {
        for path in super::files(&corpus.join("sbom/trivy").join(dir), &[""]) {
            let text = std::fs::read_to_string(&path).expect("readable");
            let Ok(doc) = serde_json::from_str::<Value>(&text) else { continue };
            if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
                continue;
            }
            let ev = read_ok(&path);
            let source = &ev.sources[0];
            let n = name(&path);
            assert_eq!(ev.components.len(), json_count(&doc), "{n}: components");
            assert_eq!(source.spec_version.as_deref(), doc.get("specVersion").and_then(Value::as_str), "{n}");
            let codes: Vec<&str> =
                besides_listing(&path, &source.warnings).iter().map(|w| w.code.as_str()).collect();
            let expected: Vec<&str> =
                TRIVY_WARNINGS.iter().filter(|(f, _)| *f == n).map(|(_, c)| *c).collect();
            assert_eq!(codes, expected, "{n}: warnings {:?}", source.warnings);
            let deps = doc.get("dependencies").and_then(Value::as_array).map_or(0, Vec::len);
            assert_eq!(ev.dependencies.len(), deps, "{n}: dependencies");
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} Trivy CycloneDX files checked");
}

/// An in-toto attestation that carries a CycloneDX predicate is not itself a BOM: discovery
/// leaves it alone in a folder rather than failing on it, and refuses it when it is named.
#[test]
fn trivy_attestation_is_not_a_bom() {
    let Some(corpus) = super::corpus() else { return };
    let path = corpus.join("sbom/trivy/fixtures/integration-centos-7-cyclonedx.intoto.jsonl");
    let ev = super::found(&path).unwrap_or_else(|e| panic!("{}", super::first_error(&e)));
    assert!(ev.sources.is_empty(), "read as {:?}", ev.sources.first().map(|s| s.kind));
    super::assert_unrecognized(&path);
}

/// Names and versions of components, in document order (nested ones after their parent), by
/// the `cyclonedx-bom` crate.
fn cross_check_names(v: &str, path: &Path) -> Option<Vec<(String, Option<String>)>> {
    use cyclonedx_bom::models::bom::Bom;
    use cyclonedx_bom::models::component::Components;
    fn walk(list: &Option<Components>, out: &mut Vec<(String, Option<String>)>) {
        for c in list.iter().flat_map(|l| &l.0) {
            out.push((c.name.to_string(), c.version.as_ref().map(ToString::to_string)));
            walk(&c.components, out);
        }
    }
    let file = std::fs::File::open(path).ok()?;
    let xml = name(path).ends_with(".xml");
    let bom = match (v, xml) {
        ("1.3", false) => Bom::parse_from_json_v1_3(file).ok()?,
        ("1.4", false) => Bom::parse_from_json_v1_4(file).ok()?,
        ("1.5", false) => Bom::parse_from_json_v1_5(file).ok()?,
        ("1.3", true) => Bom::parse_from_xml_v1_3(file).ok()?,
        ("1.4", true) => Bom::parse_from_xml_v1_4(file).ok()?,
        ("1.5", true) => Bom::parse_from_xml_v1_5(file).ok()?,
        _ => return None,
    };
    let mut out = Vec::new();
    walk(&bom.components, &mut out);
    Some(out)
}

/// Where `cyclonedx-bom` (1.3–1.5) reads a valid document, verdict finds the same
/// components, with the same names and versions, in the same order.
#[test]
fn cross_check_with_cyclonedx_bom() {
    let Some(corpus) = super::corpus() else { return };
    let mut compared = 0;
    for (v, path) in spec_files(&corpus, "valid-") {
        let Some(expected) = cross_check_names(&v, &path) else { continue };
        let ev = read_ok(&path);
        let got: Vec<(String, Option<String>)> =
            ev.components.iter().map(|c| (c.name.clone(), c.version.clone())).collect();
        assert_eq!(got, expected, "{}", path.display());
        compared += 1;
    }
    eprintln!("cyclonedx: {compared} documents cross-checked with cyclonedx-bom");
    assert!(compared >= 100, "only {compared} documents cross-checked");
}

/// Checkov writes CycloneDX through cyclonedx-python-lib, which puts `bomFormat` and
/// `specVersion` last, after all components: the parser reads the components at once and
/// checks them when the version comes. (Discovery does not recognize this JSON file yet:
/// see `checkov_cyclonedx_json_is_discovered`.) Its XML rendering is discovered and parses.
#[test]
fn checkov_cyclonedx_files_parse() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("checkov/kubernetes-goat");
    let path = dir.join("checkov.cdx.json");
    let text = std::fs::read_to_string(&path).expect("readable");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let limits = verdict::ingest::Limits::default();
    let cx = verdict::ingest::Cx::new("checkov.cdx.json", &limits);
    let parsed = verdict::ingest::cyclonedx::parse_json(text.as_bytes(), &cx)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    assert_eq!(parsed.records.components.len(), json_count(&doc));
    assert_eq!(parsed.facts.spec_version.as_deref(), doc.get("specVersion").and_then(Value::as_str));
    assert!(besides_listing(&path, &parsed.facts.warnings).is_empty(), "{:?}", parsed.facts.warnings);
    let xml = dir.join("checkov.cdx.xml");
    let ev = read_ok(&xml);
    assert_eq!(ev.components.len(), oracle(&xml));
    assert_eq!(ev.sources[0].warnings, []);
}

/// Discovery sniffs the first 64 KiB for `bomFormat`, and scans a whole object only when its
/// first keys hint at a known kind (`sniff.rs`, `LATE_KEY_HINTS`); cyclonedx-python-lib writes
/// `components` first and `bomFormat` last, which no hint covers. Kept visible until
/// discovery finds it.
#[test]
fn checkov_cyclonedx_json_is_discovered() {
    let Some(corpus) = super::corpus() else { return };
    read_ok(&corpus.join("checkov/kubernetes-goat/checkov.cdx.json"));
}
