//! GitLab Code Quality: valid against a schema written from GitLab's documentation, with
//! stable, distinct 32-hex fingerprints, relative paths and the severity mapping.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use insta::assert_snapshot;
use serde_json::Value;
use verdict::report::codequality;

use crate::{corpus, support};

/// Asserts that a report validates against `tests/reports/codequality.schema.json`, and what
/// verdict adds to GitLab's rules: fingerprints of 32 lower-case hex characters, relative
/// paths without `..`, lines from 1.
pub fn assert_valid(report: &Value) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("codequality.schema.json")).unwrap();
        jsonschema::validator_for(&schema).expect("the Code Quality schema compiles")
    });
    let errors: Vec<String> =
        validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "Code Quality breaks the schema:\n{}", errors.join("\n"));
    for issue in report.as_array().unwrap() {
        let fp = issue["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 32 && fp.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{fp}"
        );
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."), "{path}");
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(issue["content"]["body"].is_string(), "CodeClimate's Content object");
    }
}

fn render(v: &verdict::verdict::Verdict) -> Value {
    serde_json::from_str(&codequality::render(v, &support::context(v))).unwrap()
}

/// The demo's report, pretty-printed.
#[test]
fn demo_snapshot() {
    let report = render(&support::demo_with(support::DEMO_WAIVERS));
    assert_valid(&report);
    assert_snapshot!("demo_codequality", serde_json::to_string_pretty(&report).unwrap());
}

/// Open findings only (accepted ones are not issues), plus waivers that need attention; the
/// severities follow the mapping; findings without a file sit on the anchor.
#[test]
fn demo_issues() {
    let report = render(&support::demo());
    assert_valid(&report);
    let issues = report.as_array().unwrap();
    assert_eq!(issues.len(), 7, "4 failures and 3 warnings");
    let by_check = |c: &str| issues.iter().find(|i| i["check_name"] == c).unwrap();
    assert_eq!(by_check("verdict.vulnerabilities.deny_fixable")["severity"], "blocker");
    assert_eq!(by_check("verdict.vulnerabilities.warn_unfixed")["severity"], "major");
    assert_eq!(by_check("verdict.cost.deny_over_budget")["severity"], "major");
    assert_eq!(
        by_check("verdict.misconfigurations.warn_unknown_severity")["location"]["path"],
        "infra/s3.tf"
    );
    assert_eq!(by_check("verdict.tests.deny_failed")["location"]["path"], "fixtures/demo/verdict.yaml");

    let waived = render(&support::demo_with(support::DEMO_WAIVERS));
    let checks: Vec<&str> =
        waived.as_array().unwrap().iter().map(|i| i["check_name"].as_str().unwrap()).collect();
    assert!(!checks.contains(&"verdict.vulnerabilities.deny_fixable"), "a waived finding is not an issue");
    assert!(checks.contains(&"verdict.waivers.expired") && checks.contains(&"verdict.waivers.unused"));
}

/// Fingerprints are the same in every run and distinct between issues.
#[test]
fn fingerprints() {
    let a = render(&support::demo());
    let b = render(&support::demo());
    let fps = |r: &Value| -> Vec<String> {
        r.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(fps(&a), fps(&b));
    let large = render(&support::large(5_000));
    let all = fps(&large);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), all.len());
    // Pinned: a change of the formula would make GitLab see every issue as new.
    assert_eq!(fps(&a)[0], "9637458c1488942ac9d030c4046b4034");
}

/// The schema accepts what GitLab accepts: Trivy's real Code Quality output passes it.
#[test]
fn schema_accepts_trivy() {
    let Some(dir) = corpus() else { return };
    let trivy: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("trivy/other-formats/alpine-310.gitlab-codequality.golden"))
            .unwrap(),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(include_str!("codequality.schema.json")).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&trivy));
    assert!(!v.is_valid(&serde_json::json!([{ "description": "x", "check_name": "y", "fingerprint": "z", "severity": "high", "location": { "path": "a", "lines": { "begin": 1 } } }])));
    assert!(!v.is_valid(&serde_json::json!([{ "description": "x", "check_name": "y", "fingerprint": "z", "severity": "minor", "location": { "path": "a" } }])));
}
