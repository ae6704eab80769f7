//! JUnit XML: verdict's own JUnit reader reads it back with the right counts, and the demo's
//! file reads as a CI test view would show it.

use insta::assert_snapshot;
use verdict::evidence::{Evidence, TestStatus};
use verdict::ingest::Limits;
use verdict::report::junit;

use crate::support;

/// Writes `xml` to a file and reads it with `verdict::cli::gather`, as `verdict run` would.
pub fn read_back(xml: &str) -> Evidence {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verdict-junit.xml");
    std::fs::write(&path, xml).unwrap();
    let ev = verdict::cli::gather(&[path], &[], &Limits::default())
        .unwrap_or_else(|e| panic!("{}", e.iter().map(verdict::cli::render_file_error).collect::<String>()));
    assert_eq!(ev.sources.len(), 1, "read as one artifact");
    assert_eq!(ev.sources[0].kind, verdict::evidence::Kind::Junit);
    assert!(
        ev.tests.discrepancies.is_empty(),
        "declared counts match the testcases: {:?}",
        ev.tests.discrepancies
    );
    ev
}

/// The demo's JUnit: one suite per step, a failed testcase per rule with failures, warnings
/// and accepted findings in passing testcases' output.
#[test]
fn demo_snapshot() {
    let v = support::demo_with(support::DEMO_WAIVERS);
    assert_snapshot!("demo_junit", junit::render(&v));
}

/// Read back: one test per rule (and per step without findings), failed exactly for the rules
/// with blocking findings, errored for problems, skipped for steps with nothing to judge.
#[test]
fn read_back_counts() {
    let v = support::demo();
    let t = read_back(&junit::render(&v)).tests;
    assert_eq!((t.totals.total, t.totals.failed, t.totals.errored, t.totals.skipped), (9, 4, 0, 1));
    let failed: Vec<&str> =
        t.cases.iter().filter(|c| c.status == TestStatus::Failed).map(|c| c.name.as_str()).collect();
    assert_eq!(
        failed,
        [
            "Every test passes (verdict.tests.deny_failed)",
            "No fixable vulnerability of a blocking severity (verdict.vulnerabilities.deny_fixable)",
            "No component under a denied license (verdict.sbom.deny_license)",
            "The cost estimate stays within budget (verdict.cost.deny_over_budget)"
        ]
    );

    // Waived: two rules pass, and the ledger is a testcase.
    let t = read_back(&junit::render(&support::demo_with(support::DEMO_WAIVERS))).tests;
    assert_eq!((t.totals.total, t.totals.failed, t.totals.errored, t.totals.skipped), (10, 2, 0, 1));

    // Could not judge: each problem is an errored testcase.
    let t = read_back(&junit::render(&support::demo_error())).tests;
    assert_eq!(t.totals.errored, 2);

    // A passing run: a skipped step is a skipped testcase.
    let t = read_back(&junit::render(&support::passing())).tests;
    assert_eq!((t.totals.total, t.totals.failed, t.totals.errored, t.totals.skipped), (5, 0, 0, 1));
}

/// Under `fail_on: warn`, warnings fail the gate, so their testcases fail too.
#[test]
fn warnings_fail_under_fail_on_warn() {
    let text = std::fs::read_to_string(support::root().join("fixtures/demo/verdict.yaml")).unwrap();
    let v = support::demo_config(&(text + "fail_on: warn\n"));
    let t = read_back(&junit::render(&v)).tests;
    assert_eq!(t.totals.failed, 7);
}
