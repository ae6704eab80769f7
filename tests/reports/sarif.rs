//! SARIF 2.1.0: valid against the schema (the corpus's copy of SchemaStore's), with what GitHub
//! code scanning needs: a location on every result, fingerprints, rules with levels and help,
//! suppressions for accepted findings.

use std::sync::OnceLock;

use insta::assert_snapshot;
use serde_json::Value;
use verdict::report::sarif;

use crate::{corpus, support};

/// Asserts that a SARIF log validates against `schemas/schemastore/sarif-2.1.0.json` (skipped,
/// with a note, when the corpus is absent outside CI).
pub fn assert_valid(log: &Value) {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let file = corpus()?.join("schemas/schemastore/sarif-2.1.0.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        Some(jsonschema::validator_for(&schema).expect("the SARIF schema compiles"))
    });
    let Some(validator) = validator else { return };
    let errors: Vec<String> =
        validator.iter_errors(log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF breaks the schema:\n{}", errors.join("\n"));
}

fn render(v: &verdict::verdict::Verdict) -> Value {
    serde_json::from_str(&sarif::render(v, &support::context(v))).unwrap()
}

/// The demo's SARIF, pretty-printed: review it by eye.
#[test]
fn demo_snapshot() {
    let log = render(&support::demo_with(support::DEMO_WAIVERS));
    assert_valid(&log);
    assert_snapshot!("demo_sarif", serde_json::to_string_pretty(&log).unwrap());
}

/// Every result has a location (GitHub rejects the whole file otherwise), a rule that exists,
/// and verdict's fingerprint; levels follow the findings; accepted findings are suppressed.
#[test]
fn results() {
    for v in [
        support::demo(),
        support::demo_with(support::DEMO_WAIVERS),
        support::demo_error(),
        support::passing(),
    ] {
        let log = render(&v);
        assert_valid(&log);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        for r in results {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.is_empty() && !uri.starts_with('/'), "{r}");
            assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            let fp = r["partialFingerprints"]["verdictFingerprint/v1"].as_str().unwrap();
            assert_eq!(r["partialFingerprints"]["primaryLocationLineHash"].as_str(), Some(fp));
            let status = r["properties"]["status"].as_str();
            assert_eq!(r.get("suppressions").is_some(), matches!(status, Some("waived" | "excepted")), "{r}");
        }
        let counts = &v.counts;
        let by_level =
            |l: &str| results.iter().filter(|r| r["level"] == l && r.get("suppressions").is_none()).count();
        if v.fail_on == "fail" {
            assert_eq!(by_level("error"), counts.fail);
        }
        assert_eq!(
            results.iter().filter(|r| r.get("suppressions").is_some()).count(),
            counts.waived + counts.excepted
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], v.problems.is_empty());
    }
}

/// The demo's rules: one per policy rule, levels from deny and warn, help from remediation, and
/// GitHub's security severity on the security steps.
#[test]
fn rules() {
    let log = render(&support::demo());
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "verdict.vulnerabilities.deny_fixable",
            "verdict.sbom.deny_license",
            "verdict.tests.deny_failed",
            "verdict.cost.deny_over_budget",
            "verdict.vulnerabilities.warn_unfixed",
            "verdict.tests.warn_flaky",
            "verdict.misconfigurations.warn_unknown_severity"
        ]
    );
    let fixable = &rules[0];
    assert_eq!(fixable["defaultConfiguration"]["level"], "error");
    assert_eq!(fixable["shortDescription"]["text"], "No fixable vulnerability of a blocking severity");
    assert_eq!(fixable["properties"]["security-severity"], "9.5");
    assert!(fixable["help"]["text"].as_str().unwrap().contains("5.3.18"));
    assert_eq!(rules[4]["defaultConfiguration"]["level"], "warning");
    assert!(
        rules[2]["properties"].get("security-severity").is_none(),
        "a failed test is not a security alert"
    );
}

/// Findings without a file sit on the anchor, line 1, and say so; a file keeps its line.
#[test]
fn anchors() {
    let log = render(&support::demo());
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"];
        if r["ruleId"] == "verdict.misconfigurations.warn_unknown_severity" {
            assert_eq!(loc["artifactLocation"]["uri"], "infra/s3.tf");
            assert!(r["properties"].get("anchored").is_none());
        } else {
            assert_eq!(loc["artifactLocation"]["uri"], "fixtures/demo/verdict.yaml");
            assert_eq!(loc["region"]["startLine"], 1);
            assert_eq!(r["properties"]["anchored"], true);
        }
    }
}

/// Real tools' SARIF validates too, so the validator is not vacuous; a broken log does not.
#[test]
fn validator_is_real() {
    let Some(dir) = corpus() else { return };
    let trivy: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("trivy/other-formats/alpine-310.sarif.golden")).unwrap(),
    )
    .unwrap();
    assert_valid(&trivy);
    let mut broken = render(&support::demo());
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("schemas/schemastore/sarif-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&broken));
}
