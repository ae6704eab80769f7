//! GitHub annotations: the demo's workflow commands and check-run annotations, the 10 + 10 per
//! step that GitHub shows, spread over verdict's steps, and the notice that counts the rest.

use insta::assert_snapshot;
use verdict::policy::Level;
use verdict::report::annotations::{self, AnnotationLevel};
use verdict::report::budget;
use verdict::verdict::Status;

use crate::support;

/// The demo's workflow commands.
#[test]
fn demo_workflow_commands() {
    let v = support::demo_with(support::DEMO_WAIVERS);
    let out = annotations::workflow_commands(&v, &support::context(&v));
    assert_snapshot!("demo_workflow_commands", out);
}

/// Past 10 of a kind, every verdict step gets one annotation before any gets a second, and one
/// notice counts what was left out, per step, with a pointer to the full report.
#[test]
fn spread_and_notice() {
    let mut findings = Vec::new();
    for (step, n) in [("alpha", 30), ("beta", 2), ("gamma", 1)] {
        for i in 0..n {
            let p = support::policy_finding(step, "deny", Level::Fail, &format!("{step} {i}"));
            findings.push(support::finding(step, Status::Open, p));
        }
    }
    let v = support::verdict_of(findings);
    let out = annotations::workflow_commands(&v, &support::context(&v));
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), budget::GITHUB_STEP_ERRORS);
    for step in ["alpha", "beta", "gamma"] {
        assert!(errors.iter().any(|l| l.contains(&format!("::{step} 0"))), "{step} annotated:\n{out}");
    }
    assert!(errors.iter().any(|l| l.contains("::beta 1")));
    let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice ")).collect();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("23 more errors and 0 more warnings are not annotated here"),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("alpha 23 errors"), "{}", notices[0]);
    assert!(notices[0].contains("https://github.com/acme/shop/actions/runs/123456789/artifacts/987"));
}

/// The demo's check-run annotations: failures, then warnings, then waivers; files where known,
/// else the anchor; every field within the API's limits.
#[test]
fn demo_check_run() {
    let v = support::demo_with(support::DEMO_WAIVERS);
    let cx = support::context(&v);
    let batches = annotations::check_run_batches(&v, &cx);
    assert_eq!(batches.len(), 1);
    let levels: Vec<AnnotationLevel> = batches[0].iter().map(|a| a.annotation_level).collect();
    use AnnotationLevel::{Failure, Notice, Warning};
    assert_eq!(levels, [Failure, Failure, Warning, Warning, Warning, Warning, Warning, Notice]);
    assert_snapshot!("demo_check_run_annotations", serde_json::to_string_pretty(&batches).unwrap());
    assert_eq!(annotations::check_run_title(&v), "FAIL — 2 to fix · 3 warnings");
    let summary = annotations::check_run_summary(&v, &cx);
    assert!(!summary.contains("<!-- verdict:comment"), "the summary is not a comment");
    assert!(summary.starts_with("## ❌ verdict: FAIL — 2 to fix"));
}

/// With nothing to fix, the check run's title says what the gate warns of as the comment's
/// headline does: the waivers that expired or match nothing.
#[test]
fn the_title_names_stale_waivers_when_nothing_is_to_fix() {
    let mut v = support::verdict_of(vec![]);
    v.outcome = verdict::verdict::Outcome::Warn;
    let entry = verdict::verdict::LedgerEntry {
        matches: "id CVE-2020-0001".into(),
        reason: "old".into(),
        owner: "team".into(),
        expires: "2026-01-01".parse().unwrap(),
        days_left: -324,
        findings: 0,
        origin: "verdict.yaml:2".into(),
    };
    v.waivers.expired.push(entry.clone());
    v.waivers.unused.push(entry);
    assert_eq!(annotations::check_run_title(&v), "WARN — 0 to fix · 2 waivers need attention");
    v.fail_on = "warn";
    v.outcome = verdict::verdict::Outcome::Fail;
    assert_eq!(annotations::check_run_title(&v), "FAIL — 0 to fix · 2 waivers need attention");
}
