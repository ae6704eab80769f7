//! The evidence contract: the committed JSON Schema matches the types, every fixture's
//! evidence validates against it, and the documentation covers every field and every
//! diagnostic code.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use verdict::cli::args::InputSpec;
use verdict::ingest::{Code, Limits};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("schemas/evidence.v1.schema.json")).expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// The committed schema is the one the types produce; after changing the evidence model,
/// regenerate it with `cargo run -- schema evidence > schemas/evidence.v1.schema.json`.
#[test]
fn committed_schema_is_current() {
    assert!(
        committed_schema() == verdict::cli::evidence_schema(),
        "schemas/evidence.v1.schema.json is stale: run `cargo run -- schema evidence > schemas/evidence.v1.schema.json`"
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(files(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

/// The evidence of every fixture file, and of the whole demo with its custom input, validates
/// against the committed schema. Fixtures that are broken on purpose (under an `invalid`
/// folder) must fail to read instead.
#[test]
fn fixture_evidence_validates_against_schema() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("schema compiles");
    let mut validated = 0;
    let check = |ev: &verdict::evidence::Evidence, what: &str| {
        let value = serde_json::to_value(ev).expect("serializes");
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{what}: evidence breaks the schema:\n{}", errors.join("\n"));
    };
    for path in files(&root().join("fixtures")) {
        let invalid = path.components().any(|c| c.as_os_str() == "invalid");
        match verdict::cli::gather(std::slice::from_ref(&path), &[], &Limits::default()) {
            Ok(ev) => {
                assert!(!invalid, "{}: a fixture meant to be refused was read", path.display());
                check(&ev, &path.display().to_string());
                validated += 1;
            }
            // Not an artifact at all (a PROVENANCE.md, a verdict.yaml, a custom input), or an
            // SBOM in a form verdict refuses to read (SPDX tag-value, SPDX 3): nothing to validate.
            Err(e)
                if matches!(
                    e[0].error.code,
                    verdict::ingest::Code::Unrecognized | verdict::ingest::Code::UnsupportedVersion
                ) && !invalid => {}
            Err(e) => assert!(invalid, "{}: {}", path.display(), verdict::cli::render_file_error(&e[0])),
        }
    }
    let demo = root().join("fixtures/demo");
    let cost: InputSpec = format!("custom:cost={}", demo.join("cost.json").display()).parse().unwrap();
    let ev = verdict::cli::gather(&[demo], &[cost], &Limits::default())
        .unwrap_or_else(|e| panic!("demo: {}", verdict::cli::render_file_error(&e[0])));
    check(&ev, "fixtures/demo");
    assert!(validated >= 5, "only {validated} fixture files validated");
}

/// Every field of every record in the schema is explained in docs/evidence.md.
#[test]
fn every_field_is_documented() {
    let docs = std::fs::read_to_string(root().join("docs/evidence.md")).expect("docs/evidence.md");
    let schema = committed_schema();
    let mut missing = Vec::new();
    let mut check = |owner: &str, props: &serde_json::Map<String, serde_json::Value>| {
        for name in props.keys() {
            if !docs.contains(&format!("`{name}`")) && !docs.contains(&format!(".{name}`")) {
                missing.push(format!("{owner}.{name}"));
            }
        }
    };
    check("Evidence", schema["properties"].as_object().unwrap());
    for (def, body) in schema["$defs"].as_object().unwrap() {
        if let Some(props) = body.get("properties").and_then(|p| p.as_object()) {
            check(def, props);
        }
    }
    assert!(missing.is_empty(), "fields missing from docs/evidence.md: {missing:?}");
}

/// Every diagnostic code (reading artifacts and `verdict.yaml`) has its heading and anchor
/// in docs/diagnostics.md, where each rendered diagnostic points.
#[test]
fn every_code_is_documented() {
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    let others = [
        "output/unwritable",
        "internal",
        "policy/unreadable",
        "data/unreadable",
        "verdict/missing-input",
        "verdict/nothing-read",
        "init/exists",
    ];
    let config = verdict::config::Code::ALL.map(|c| c.as_str());
    let codes = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(verdict::policy::PolicyError::CODES)
        .chain(config)
        .chain(verdict::sign::CODES.iter().copied());
    for code in codes.chain(others) {
        assert!(docs.contains(&format!("### {code}\n")), "docs/diagnostics.md has no heading for {code}");
        let anchor = format!("<a id=\"{}\"></a>", code.replace('/', "-"));
        assert!(docs.contains(&anchor), "docs/diagnostics.md has no anchor {anchor}");
    }
}

/// Every warning code the parsers can attach to a source is listed in docs/diagnostics.md.
#[test]
fn every_warning_code_is_documented() {
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    let mut found = 0;
    for path in files(&root().join("src/ingest")) {
        let text = std::fs::read_to_string(&path).expect("source");
        for prefix in ["\"junit/", "\"trivy/", "\"checkov/", "\"cyclonedx/", "\"spdx/"] {
            for (i, _) in text.match_indices(prefix) {
                let rest = &text[i + 1..];
                let end = rest.find('"').unwrap_or(rest.len());
                let code = &rest[..end];
                if code.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '/') && code.contains('/')
                {
                    found += 1;
                    assert!(
                        docs.contains(&format!("`{code}`")),
                        "{code} ({}) is not in docs/diagnostics.md",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(found >= 7, "only {found} warning codes found in src/ingest");
}

/// README.md's demo output is what `verdict run fixtures/demo` prints (the CLI snapshot
/// `tests/cli/run-demo.toml`, which trycmd checks against the binary), line for line up to its
/// `…`: the first thing a new user compares their terminal with.
#[test]
fn readme_demo_output_is_the_binarys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let snapshot = std::fs::read_to_string(root().join("tests/cli/run-demo.toml")).unwrap();
    let printed = snapshot.split("stdout = \"\"\"\n").nth(1).and_then(|s| s.split("\"\"\"").next()).unwrap();
    let shown =
        readme.split("$ verdict run fixtures/demo\n").nth(1).and_then(|s| s.split("```").next()).unwrap();
    let shown: Vec<&str> = shown.lines().take_while(|l| l.trim() != "…").collect();
    assert!(shown.len() > 10, "the README shows the demo's output: {shown:?}");
    let printed: Vec<&str> = printed.lines().take(shown.len()).collect();
    assert_eq!(shown, printed, "README.md's demo output differs from tests/cli/run-demo.toml");
}
