//! Unit tests of the CycloneDX readers. Fixtures in `fixtures/cyclonedx/` come from the
//! CycloneDX specification's test resources and Trivy's goldens (see its PROVENANCE.md).

use super::*;
use crate::evidence::Component;
use crate::ingest::{Code, Limits};

fn cx(limits: &Limits) -> Cx<'_> {
    Cx::new("bom", limits)
}

fn json(text: &str) -> Result<Parsed, IngestError> {
    let limits = Limits::default();
    parse_json(text.as_bytes(), &cx(&limits))
}

fn xml(text: &str) -> Result<Parsed, IngestError> {
    let limits = Limits::default();
    parse_xml(text.as_bytes(), &cx(&limits))
}

/// The same document in JSON and XML: both parse without warnings.
fn both(json_text: &str, xml_text: &str) -> (Parsed, Parsed) {
    let j = json(json_text).expect("json");
    let x = xml(xml_text).expect("xml");
    assert_eq!(j.facts.warnings, []);
    assert_eq!(x.facts.warnings, []);
    (j, x)
}

fn named<'p>(p: &'p Parsed, name: &str) -> &'p Component {
    p.records.components.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no component {name}"))
}

fn codes_of(p: &Parsed) -> Vec<&str> {
    p.facts.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn lic(id: Option<&str>, name: Option<&str>, expression: Option<&str>, ack: Option<&str>) -> License {
    let s = |v: Option<&str>| v.map(str::to_owned);
    License { id: s(id), name: s(name), expression: s(expression), acknowledgement: s(ack) }
}

/// Nested components are records too, each naming its enclosing component's bom-ref; the
/// same document in JSON and XML yields the same records.
#[test]
fn nested_components_and_parent() {
    let (j, x) = both(
        include_str!("../../../fixtures/cyclonedx/valid-assembly-1.5.json"),
        include_str!("../../../fixtures/cyclonedx/valid-assembly-1.5.xml"),
    );
    let names: Vec<&str> = j.records.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["acme-library-a", "acme-library-b"], "parent first, then its children");
    assert_eq!(j.records, x.records);
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
          {"type": "application", "bom-ref": "app", "name": "app", "components": [
            {"type": "library", "bom-ref": "lib", "name": "lib", "components": [
              {"type": "file", "name": "lib.so"}]}]}]}"#,
    )
    .expect("parses");
    assert_eq!(named(&p, "app").parent, None);
    assert_eq!(named(&p, "lib").parent.as_deref(), Some("app"));
    assert_eq!(named(&p, "lib.so").parent.as_deref(), Some("lib"));
}

/// Every license entry keeps exactly one of id, name and expression, with its
/// acknowledgement (1.6+); JSON `expression` and XML `expression-detailed` agree.
#[test]
fn licenses_with_acknowledgement() {
    let (j, x) = both(
        include_str!("../../../fixtures/cyclonedx/valid-license-declared-concluded-mix-1.7.json"),
        include_str!("../../../fixtures/cyclonedx/valid-license-declared-concluded-mix-1.7.xml"),
    );
    assert_eq!(j.records.components, x.records.components);
    assert_eq!(
        named(&j, "situation-A").licenses,
        [
            lic(Some("MIT"), None, None, Some("declared")),
            lic(Some("PostgreSQL"), None, None, Some("declared")),
            lic(None, Some("Apache Software License"), None, Some("declared")),
            lic(None, None, Some("(MIT OR PostgreSQL OR Apache-2.0)"), Some("concluded")),
        ]
    );
    assert_eq!(
        named(&x, "situation-D").licenses,
        [
            lic(None, None, Some("GPL-3.0-or-later OR GPL-2.0"), Some("declared")),
            lic(Some("GPL-3.0-only"), None, None, Some("concluded")),
        ]
    );
}

/// Hashes keep the algorithm and digest as written; a digest whose length its algorithm
/// cannot produce is warned about, with its path and line.
#[test]
fn hashes_and_their_lengths() {
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
  {"type": "library", "name": "a", "hashes": [
    {"alg": "SHA-256", "content": "f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b"},
    {"alg": "MD5", "content": "f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b"}]}]}"#,
    )
    .expect("parses");
    let c = named(&p, "a");
    assert_eq!(c.hashes.len(), 2);
    assert_eq!(c.hashes[0].alg, "SHA-256");
    let w = &p.facts.warnings;
    assert_eq!(codes_of(&p), [codes::HASH_LENGTH], "{w:?}");
    assert_eq!(w[0].path.as_deref(), Some("components[0].hashes[1].content"));
    assert_eq!(w[0].line, Some(4));
    let x = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>a</name><hashes><hash alg="SHA-1"> e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a
</hash></hashes></component></components></bom>"#)
    .expect("parses");
    assert_eq!(
        named(&x, "a").hashes,
        [Hash { alg: "SHA-1".into(), content: "e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a".into() }]
    );
    assert_eq!(x.facts.warnings, []);
}

/// Dependencies: JSON `dependsOn`, XML nested `<dependency ref>` elements, the same graph.
#[test]
fn dependencies_in_both_syntaxes() {
    let (j, x) = both(
        include_str!("../../../fixtures/cyclonedx/valid-dependency-1.5.json"),
        include_str!("../../../fixtures/cyclonedx/valid-dependency-1.5.xml"),
    );
    let graph = |p: &Parsed| -> Vec<(String, Vec<String>)> {
        p.records.dependencies.iter().map(|d| (d.dependency_ref.clone(), d.depends_on.clone())).collect()
    };
    assert_eq!(
        graph(&j),
        [("library-a".to_owned(), vec![]), ("library-b".to_owned(), vec!["library-c".to_owned()])]
    );
    assert_eq!(graph(&j), graph(&x));
}

/// A dependency naming a bom-ref the document does not define is warned about.
#[test]
fn dangling_dependency() {
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
          {"type": "library", "bom-ref": "a", "name": "a"}],
          "dependencies": [{"ref": "a", "dependsOn": ["b"]}]}"#,
    )
    .expect("parses");
    assert_eq!(codes_of(&p), [codes::DANGLING_REF]);
    assert_eq!(p.facts.warnings[0].path.as_deref(), Some("dependencies[0]"));
}

/// The first tool: 1.4's array of tools, 1.5's object of tool components and services.
#[test]
fn tools_in_both_shapes() {
    let p = json(include_str!("../../../fixtures/cyclonedx/valid-metadata-tool-1.4.json")).expect("1.4");
    assert_eq!(p.facts.tool, Some(Tool { name: "awesome tool".into(), version: Some("9.1.2".into()) }));
    let p = json(include_str!("../../../fixtures/cyclonedx/valid-metadata-tool-1.5.json")).expect("1.5");
    assert_eq!(p.facts.tool, Some(Tool { name: "awesome tool".into(), version: Some("9.1.2".into()) }));
    let x = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><tools><services><service>
<name>Signer</name><version>2</version></service></services></tools></metadata></bom>"#)
    .expect("xml");
    assert_eq!(x.facts.tool, Some(Tool { name: "signer".into(), version: Some("2".into()) }));
}

/// `metadata.component` is the subject (`name@version`), not a record; a Trivy 1.7 SBOM
/// reads with its tool, version and dependency graph.
#[test]
fn trivy_1_7_subject_and_tool() {
    let p = json(include_str!("../../../fixtures/cyclonedx/trivy-npm-1.7.cdx.json")).expect("parses");
    assert_eq!(p.facts.spec_version.as_deref(), Some("1.7"));
    assert_eq!(p.facts.subject.as_deref(), Some("testdata/fixtures/repo/npm"));
    assert_eq!(p.facts.tool, Some(Tool { name: "trivy".into(), version: Some("dev".into()) }));
    // Its one vulnerability (rated medium by 10 sources and low by 1) is said, not judged.
    let said: Vec<_> = p.facts.warnings.iter().map(|w| (w.code.as_str(), w.message.as_str())).collect();
    assert_eq!(
        said,
        [(
            "cyclonedx/vulnerabilities",
            "the SBOM lists 1 vulnerability (1 medium), which verdict does not judge from an SBOM"
        )]
    );
    assert_eq!(p.records.components.len(), 13);
    assert!(p.records.components.iter().all(|c| c.name != "testdata/fixtures/repo/npm"));
    let jquery = named(&p, "jquery");
    assert_eq!(jquery.purl.as_deref(), Some("pkg:npm/jquery@3.3.9"));
    assert_eq!(jquery.licenses, [lic(Some("MIT"), None, None, None)]);
    assert_eq!(
        jquery.fingerprint,
        fingerprint::component(Some("pkg:npm/jquery@3.3.9"), None, None, "x", None)
    );
    assert_eq!(p.records.dependencies.len(), 14);
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
          "metadata": {"component": {"type": "application", "name": "shop", "version": "2.1"}}}"#,
    )
    .expect("parses");
    assert_eq!(p.facts.subject.as_deref(), Some("shop@2.1"));
    assert!(p.records.components.is_empty());
}

/// A document that breaks its schema is read, and each violation names its path and line.
#[test]
fn schema_violations_are_warnings_with_paths() {
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
  "serialNumber": "urn:uuid:not-a-uuid",
  "components": [
    {"type": "library", "name": "a", "scope": "sometimes"},
    {"type": "library", "name": "b",
     "licenses": [{"license": {"id": "Apache-2"}}]}]}"#,
    )
    .expect("parses");
    assert_eq!(p.records.components.len(), 2);
    let found: Vec<(Option<&str>, Option<u64>)> =
        p.facts.warnings.iter().map(|w| (w.path.as_deref(), w.line)).collect();
    assert_eq!(
        found,
        [
            (Some("components[0].scope"), Some(4)),
            (Some("components[1].licenses[0].license.id"), Some(6)),
            (Some("serialNumber"), Some(2)),
        ]
    );
    assert!(p.facts.warnings.iter().all(|w| w.code == codes::SCHEMA_VIOLATION));
    assert_eq!(p.facts.warnings[1].message, "\"Apache-2\" is not an SPDX license id");
    let x = xml(
        r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79">
  <components>
    <component type="widget"><name>a</name></component>
  </components>
</bom>"#,
    )
    .expect("parses");
    assert_eq!(codes_of(&x), [codes::SCHEMA_VIOLATION]);
    assert_eq!(x.facts.warnings[0].path.as_deref(), Some("/bom/components/component"));
    assert_eq!(x.facts.warnings[0].line, Some(3));
}

/// Duplicate bom-refs are warned about; the records are kept.
#[test]
fn duplicate_bom_refs() {
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
          {"type": "library", "bom-ref": "x", "name": "a"},
          {"type": "library", "bom-ref": "x", "name": "b"}]}"#,
    )
    .expect("parses");
    assert_eq!(codes_of(&p), [codes::DUPLICATE_BOM_REF]);
    assert_eq!(p.records.components.len(), 2);
}

/// What verdict cannot read as a BOM is refused with a code, a location and help.
#[test]
fn refused_documents() {
    let e = json(r#"{"bomFormat": "SPDX", "specVersion": "1.5"}"#).expect_err("not CycloneDX");
    assert_eq!(e.code, Code::BadValue);
    assert_eq!(e.location.path.as_deref(), Some("bomFormat"));
    assert_eq!(e.location.offset, Some(14));
    assert!(e.help.is_some());
    let e = json(r#"{"bomFormat": "CycloneDX", "specVersion": "1.1"}"#).expect_err("too old");
    assert_eq!(e.code, Code::UnsupportedVersion);
    let e = json(r#"{"bomFormat": "CycloneDX"}"#).expect_err("no version");
    assert_eq!(e.code, Code::MissingField);
    let e = json(
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\", \"components\": [\n  {\"type\": \"library\"}]}",
    )
    .expect_err("no name");
    assert_eq!(
        (e.code, e.location.path.as_deref(), e.location.line),
        (Code::MissingField, Some("components[0]"), Some(2))
    );
    assert!(e.message.contains("`name`"), "{}", e.message);
    let e = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component><name>a</name></component></components></bom>"#)
        .expect_err("no type");
    assert_eq!((e.code, e.location.path.as_deref()), (Code::MissingField, Some("/bom/components/component")));
    let e = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/12"/>"#).expect_err("namespace");
    assert_eq!(e.code, Code::BadValue);
    let e = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.1"/>"#).expect_err("1.1");
    assert_eq!(e.code, Code::UnsupportedVersion);
}

/// Broken JSON is located in the file: a cut-off document, and content after the end.
#[test]
fn malformed_json_is_located() {
    let e = json("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n \"components\": [{\"type\": ")
        .expect_err("cut");
    assert_eq!(e.code, Code::Truncated);
    let e = json(
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n \"components\": [{\"type\" \"x\"}]}",
    )
    .expect_err("syntax");
    assert_eq!(e.code, Code::MalformedJson);
    assert_eq!(e.location.line, Some(2));
    assert_eq!(e.location.offset, Some(73), "at the value that should follow a `:`");
    let e = json(r#"{"bomFormat": "CycloneDX", "specVersion": "1.6"} {}"#).expect_err("trailing");
    assert_eq!(e.code, Code::MalformedJson);
}

/// A DOCTYPE is refused before anything is expanded (XXE, billion laughs).
#[test]
fn doctype_refused() {
    let e = xml(r#"<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&x;</name></component></components></bom>"#)
        .expect_err("refused");
    assert_eq!(e.code, Code::XmlDoctype);
}

/// Elements of other namespaces (signatures, extensions) are skipped, even when their names
/// are CycloneDX names; a prefixed CycloneDX namespace reads like the default one.
#[test]
fn xml_namespaces() {
    let p = xml(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5" xmlns:ext="urn:example"><components>
<component type="library"><name>a</name><ext:name>not the name</ext:name>
<licenses><license><id>MIT</id><ext:id>x</ext:id></license></licenses></component>
</components></bom>"#)
    .expect("parses");
    assert_eq!(named(&p, "a").licenses, [lic(Some("MIT"), None, None, None)]);
    assert_eq!(p.facts.warnings, []);
    let p = xml(
        r#"<c:bom xmlns:c="http://cyclonedx.org/schema/bom/1.3"><c:components><c:component type="library">
<c:name>b</c:name><c:version>1</c:version></c:component></c:components></c:bom>"#,
    )
    .expect("parses");
    assert_eq!(named(&p, "b").version.as_deref(), Some("1"));
}

/// Elements written before `specVersion` are held until it comes, then checked as usual.
#[test]
fn components_before_spec_version() {
    let p = json(
        r#"{"components": [{"type": "widget", "name": "a"}], "bomFormat": "CycloneDX", "specVersion": "1.5"}"#,
    )
    .expect("parses");
    assert_eq!(p.records.components.len(), 1);
    assert_eq!(codes_of(&p), [codes::SCHEMA_VIOLATION]);
}

/// A newer 1.x version is read as the newest known, without conformance checks, and says so.
#[test]
fn newer_minor_version() {
    let p = json(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.9", "components": [{"type": "gizmo", "name": "a"}]}"#,
    )
    .expect("parses");
    assert_eq!(codes_of(&p), [codes::UNKNOWN_SPEC_VERSION]);
    assert_eq!(p.facts.spec_version.as_deref(), Some("1.9"));
    assert_eq!(p.records.components.len(), 1);
    let e = json(r#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#).expect_err("2.0");
    assert_eq!(e.code, Code::UnsupportedVersion);
}

/// Warnings are bounded: past the limit they are counted, not listed.
#[test]
fn warnings_are_bounded() {
    let components: Vec<String> =
        (0..150).map(|i| format!(r#"{{"type": "library", "name": "c{i}", "scope": "bad"}}"#)).collect();
    let doc = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{}]}}"#,
        components.join(",")
    );
    let p = json(&doc).expect("parses");
    assert_eq!(p.records.components.len(), 150);
    assert_eq!(p.facts.warnings.len(), MAX_WARNINGS + 1);
    let last = p.facts.warnings.last().expect("summary");
    assert_eq!(last.code, codes::WARNINGS_TRUNCATED);
    assert!(last.message.starts_with("50 more"), "{}", last.message);
}

/// Text copied into evidence is capped.
#[test]
fn text_is_capped() {
    let long = "x".repeat(10_000);
    let p = json(&format!(r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{{"type": "library", "name": "{long}"}}]}}"#))
        .expect("parses");
    assert!(p.records.components[0].name.len() <= caps::MESSAGE);
}

/// Every embedded schema compiles (the readers rely on it: compiling is an invariant).
#[test]
fn embedded_schemas_compile() {
    for minor in OLDEST..=NEWEST {
        assert!(schema::for_version(SpecVersion(minor)).is_some(), "1.{minor}");
    }
    assert!(schema::spdx_ids().contains("Apache-2.0"));
}

/// Warning codes are unique and stable.
#[test]
fn codes_are_unique() {
    let mut all = codes::ALL.to_vec();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), codes::ALL.len());
    assert!(codes::ALL.iter().all(|c| c.split_once('/').is_some_and(|(module, _)| module == "cyclonedx")));
}

/// A hex digest of a length its algorithm cannot produce is a problem the schema cannot see;
/// a digest of the right length, one of no algorithm's length, or one that is not hex (both
/// the schema's to report), or an algorithm of no fixed length, is not.
#[test]
fn digest_lengths_are_checked_against_the_algorithm() {
    let md5_of_sha256_length = "ab".repeat(32);
    assert_eq!(
        hash_length_problem("MD5", &md5_of_sha256_length).as_deref(),
        Some("a MD5 digest has 64 hex digits, but MD5 produces 32")
    );
    assert_eq!(
        hash_length_problem("SHA-256", &format!(" {} ", "0".repeat(40))).as_deref(),
        Some("a SHA-256 digest has 40 hex digits, but SHA-256 produces 64")
    );
    assert_eq!(hash_length_problem("SHA-256", &md5_of_sha256_length), None);
    assert_eq!(hash_length_problem("MD5", &"zz".repeat(32)), None);
    assert_eq!(hash_length_problem("MD5", &"a".repeat(33)), None);
    assert_eq!(hash_length_problem("BLAKE3", &"a".repeat(40)), None);
}
