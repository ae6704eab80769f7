//! The built-in pack and the example policies under verdict's own test runner: every test
//! passes, and the pack's tests evaluate every line of its rules.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

use verdict::policy::test::{TestOutcome, run_tests};
use verdict::policy::{DataFile, PolicyFile, pack};

fn report_failures(report: &verdict::policy::TestReport) -> String {
    report
        .results
        .iter()
        .filter(|r| !matches!(r.outcome, TestOutcome::Pass | TestOutcome::Skip))
        .map(|r| format!("{}.{} ({}): {:?}\n", r.package, r.name, r.location, r.outcome))
        .collect()
}

/// Every test of the built-in pack passes, and together they cover every line of its rules
/// ("every built-in rule has tests").
#[test]
fn builtin_pack_tests_pass_with_full_coverage() {
    let report = run_tests(&pack::files(true), &[], &[], None, true, Duration::from_secs(30)).unwrap();
    let (pass, ..) = report.counts();
    assert!(report.passed(), "{}", report_failures(&report));
    assert!(pass >= 100, "only {pass} tests");
    for file in report.coverage.as_ref().unwrap() {
        assert!(
            file.not_covered.is_empty(),
            "{}: lines {:?} are not covered by any test",
            file.path,
            file.not_covered
        );
    }
}

/// The example policy sets (Rego v1 and v0) pass their own tests under verdict.
#[test]
fn example_policies_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    let mut files = Vec::new();
    let mut data = Vec::new();
    for set in ["release-gate", "legacy-v0", "compliance", "team"] {
        for e in std::fs::read_dir(root.join(set)).unwrap().flatten() {
            let p = e.path();
            let text = std::fs::read_to_string(&p).unwrap();
            if p.extension().is_some_and(|x| x == "rego") {
                files.push(PolicyFile { path: p.display().to_string(), text, builtin: false });
            } else if p.extension().is_some_and(|x| x == "json") {
                data.push(DataFile { path: p.display().to_string(), text });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let report = run_tests(&files, &data, &[], None, false, Duration::from_secs(30)).unwrap();
    assert!(report.passed(), "{}", report_failures(&report));
    assert!(report.counts().0 >= 30);
    assert!(!report.v0_files.is_empty(), "legacy-v0 is read as Rego v0");
}
