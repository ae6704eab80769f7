//! SPDX: every SPDX 2.2/2.3 JSON document in `corpus/sbom` (the spdx-spec examples, the
//! spdx-examples documents, Trivy's goldens, fixtures and a generated SBOM) is recognized by
//! content and parses, with the packages and dependency edges a plain JSON walk finds; the
//! deliberately broken ones are warned about or refused; the SPDX variants verdict does not
//! read (tag-value, YAML, XML, SPDX 3 JSON-LD) are skipped by discovery and refused clearly
//! when named.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;
use verdict::evidence::Kind;
use verdict::ingest::Code;

/// Off-specification documents and the warning codes they must raise (every other document
/// must raise none). Trivy's test fixtures write the relationship type `DESCRIBE`, which SPDX
/// does not define, and `sad-invalid-purl` a purl with no name.
const EXPECTED_WARNINGS: [(&str, &[&str]); 4] = [
    ("sbom-spdx--happy-empty-bom.json", &["spdx/unknown-relationship-type"]),
    ("sbom-spdx--happy-os-only-bom.json", &["spdx/unknown-relationship-type"]),
    ("sbom-spdx--happy-unrelated-bom.json", &["spdx/unknown-relationship-type"]),
    ("sbom-spdx--sad-invalid-purl.json", &["spdx/invalid-purl", "spdx/unknown-relationship-type"]),
];

/// The oracle: distinct dependency edges (`DEPENDS_ON`, and `DEPENDENCY_OF` reversed) whose
/// ends are both elements (not `NONE`/`NOASSERTION`).
fn dependency_edges(doc: &Value) -> usize {
    let mut edges = HashSet::new();
    for r in doc["relationships"].as_array().into_iter().flatten() {
        let (a, b) = (r["spdxElementId"].as_str().unwrap(), r["relatedSpdxElement"].as_str().unwrap());
        let edge = match r["relationshipType"].as_str().unwrap() {
            "DEPENDS_ON" => (a, b),
            "DEPENDENCY_OF" => (b, a),
            _ => continue,
        };
        if ![edge.0, edge.1].iter().any(|e| *e == "NONE" || *e == "NOASSERTION") {
            edges.insert(edge);
        }
    }
    edges.len()
}

/// Every SPDX 2.x JSON document in the corpus parses: as many components as `packages`, as
/// many dependency edges as the relationships hold, the document's version and name, and
/// exactly the expected warnings.
#[test]
fn spdx_documents_match_their_counts() {
    let Some(corpus) = super::corpus() else { return };
    let expected: BTreeMap<&str, &[&str]> = EXPECTED_WARNINGS.into_iter().collect();
    let mut checked = 0;
    let mut warned = Vec::new();
    for path in super::files(&corpus.join("sbom"), &[".json", ".golden"]) {
        let Ok(doc) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).expect("readable"))
        else {
            continue;
        };
        let Some(version) = doc["spdxVersion"].as_str().filter(|v| v.starts_with("SPDX-2.")) else {
            continue;
        };
        let name = path.file_name().unwrap().to_str().unwrap();
        let ev = super::read(&path).unwrap_or_else(|e| panic!("{name}: {}", super::first_error(&e)));
        assert_eq!(ev.sources.len(), 1, "{name}: recognized by discovery");
        let source = &ev.sources[0];
        assert_eq!(source.kind, Kind::Spdx, "{name}");
        assert_eq!(source.spec_version.as_deref(), Some(version), "{name}: version");
        assert_eq!(source.subject.as_deref(), doc["name"].as_str(), "{name}: subject");

        let packages = doc["packages"].as_array().map_or(0, Vec::len);
        assert_eq!(ev.components.len(), packages, "{name}: components");
        let edges: usize = ev.dependencies.iter().map(|d| d.depends_on.len()).sum();
        assert_eq!(edges, dependency_edges(&doc), "{name}: dependency edges");
        let purls = doc["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| {
                p["externalRefs"].as_array().into_iter().flatten().any(|r| r["referenceType"] == "purl")
            })
            .count();
        let with_purl = ev.components.iter().filter(|c| c.purl.is_some()).count();
        let want_codes = expected.get(name).copied().unwrap_or_default();
        let bad_purls = usize::from(want_codes.contains(&"spdx/invalid-purl"));
        assert_eq!(with_purl + bad_purls, purls, "{name}: components with a purl");

        let codes: Vec<&str> = source.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, want_codes, "{name}: warnings {:?}", source.warnings);
        if !codes.is_empty() {
            warned.push(name.to_owned());
        }
        checked += 1;
    }
    assert!(checked >= 38, "only {checked} SPDX JSON documents checked");
    assert_eq!(warned.len(), EXPECTED_WARNINGS.len(), "documents with warnings: {warned:?}");
}

/// The SPDX serializations verdict does not read are refused as an unsupported version,
/// saying what is read, wherever they are: found in a folder (skipped, the sbom step would say
/// no SBOM was found), named by their path, or named with `--input spdx=…`.
#[test]
fn spdx_other_serializations_are_refused() {
    let Some(corpus) = super::corpus() else { return };
    let files = [
        "sbom/spdx/spdx-spec/v3.0/package_sbom.jsonld.json",
        "sbom/spdx/spdx-spec/v2.3/SPDXTagExample-v2.3.spdx",
        "sbom/spdx/spdx-spec/v2.2/SPDXTagExample-v2.2.spdx",
        "sbom/spdx/spdx-spec/v2.3/SPDXYAMLExample-2.3.spdx.yaml",
        "sbom/spdx/spdx-spec/v2.3/SPDXXMLExample-v2.3.spdx.xml",
        "sbom/trivy/fixtures/integration-centos-7-spdx.txt",
        "checkov/kubernetes-goat/checkov.spdx.txt",
    ];
    for file in files {
        let path = corpus.join(file);
        let found = super::found(&path).map(|ev| ev.sources.len());
        let named = super::read(&path).map(|ev| ev.sources.len());
        let as_spdx = super::read_as("spdx", &path).map(|ev| ev.sources.len());
        for (how, result) in [("found", found), ("named", named), ("--input spdx", as_spdx)] {
            let errors = result.expect_err(file);
            let e = &errors[0].error;
            assert_eq!(e.code, Code::UnsupportedVersion, "{file} {how}: {}", super::first_error(&errors));
            assert!(
                e.expected.as_deref().is_some_and(|x| x.contains("SPDX 2.2 or 2.3 JSON")),
                "{file} {how}"
            );
        }
    }
}

/// Trivy's `invalid_spdx.json` is not SPDX at all: discovery skips it, named by its path it is
/// not recognized, and naming it as SPDX is a wrong-kind error.
#[test]
fn spdx_invalid_document_is_not_spdx() {
    let Some(corpus) = super::corpus() else { return };
    let path = corpus.join("sbom/trivy/fixtures/fanal-analyzer-sbom--invalid_spdx.json");
    let ev = super::found(&path).unwrap_or_else(|e| panic!("{}", super::first_error(&e)));
    assert!(ev.sources.is_empty());
    assert_eq!(ev.skipped.len(), 1);
    super::assert_unrecognized(&path);
    let errors = super::read_as("spdx", &path).expect_err("not SPDX");
    assert_eq!(errors[0].error.code, Code::WrongKind);
}

/// The JSON schemas beside the examples are not mistaken for documents.
#[test]
fn spdx_schemas_are_not_documents() {
    let Some(corpus) = super::corpus() else { return };
    for file in
        ["sbom/spdx/spdx-spec/v2.2/spdx-schema-v2.2.json", "sbom/spdx/spdx-spec/v2.3/spdx-schema-v2.3.json"]
    {
        let path = corpus.join(file);
        let ev = super::found(&path).unwrap_or_else(|e| panic!("{}", super::first_error(&e)));
        assert!(ev.sources.is_empty(), "{file}");
        super::assert_unrecognized(&path);
    }
}
