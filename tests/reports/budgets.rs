//! Budgets are never exceeded: each surface with 50,000 findings, and the Markdown ones with
//! every budget from tiny to huge. The headline, the counts and the pointer always survive.

use verdict::report::{annotations, budget, codequality, junit, markdown, sarif};
use verdict::verdict::Verdict;

use crate::support;

const N: usize = 50_000;

fn large() -> &'static Verdict {
    static V: std::sync::OnceLock<Verdict> = std::sync::OnceLock::new();
    V.get_or_init(|| support::large(N))
}

/// What every shortened Markdown report keeps.
fn keeps_essentials(text: &str, what: &str) {
    let v = large();
    let fix = v.counts.fail;
    assert!(text.contains(&format!("FAIL — {} to fix", fmt(fix))), "{what}: headline");
    assert!(
        text.contains(&format!("**{} to fix** · {} warnings", fmt(fix), fmt(v.counts.warn))),
        "{what}: totals"
    );
    assert!(text.contains("| ❌ | **vulnerabilities** |"), "{what}: counts per step");
    assert!(text.contains("📄 **Full report:** [verdict.json]"), "{what}: pointer");
    assert!(text.contains("**Shortened to fit"), "{what}: says it is shortened");
}

fn fmt(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// GitHub comment: 65,536 characters.
#[test]
fn github_comment() {
    let v = large();
    let text = markdown::comment(v, &support::context(v), budget::GITHUB_COMMENT_CHARS);
    let n = text.chars().count();
    eprintln!("github comment at {N} findings: {n} chars");
    assert!(n <= budget::GITHUB_COMMENT_CHARS);
    assert!(text.starts_with("<!-- verdict:comment gate=default -->"));
    keeps_essentials(&text, "comment");
    assert!(text.contains("### What to fix"), "a budget this size still shows the top findings");
}

/// A rule with thousands of findings does not hide a rule with one: the one failed test is in
/// the comment beside the first of the 50,000 others, however short the budget has to make it.
#[test]
fn every_failing_rule_is_listed() {
    use verdict::policy::Level;
    use verdict::verdict::Status;
    let mut findings = large().findings.clone();
    let mut p =
        support::policy_finding("verdict.tests", "deny_failed", Level::Fail, "Test chargesCardOnce failed");
    p.severity = Some(verdict::evidence::Severity::High);
    findings.push(support::finding("tests", Status::Open, p));
    findings.sort_by_key(|f| (f.level, f.status as u8, f.policy.severity));
    let v = support::verdict_of(findings);
    for budget in [budget::GITHUB_COMMENT_CHARS, budget::GITLAB_NOTE_CHARS] {
        let text = markdown::comment(&v, &support::context(&v), budget);
        assert!(text.contains("Test chargesCardOnce failed"), "the failed test is listed at {budget}");
    }
}

/// GitLab note: 1,000,000 characters.
#[test]
fn gitlab_note() {
    let v = large();
    let text = markdown::comment(v, &support::context(v), budget::GITLAB_NOTE_CHARS);
    let n = text.chars().count();
    eprintln!("gitlab note at {N} findings: {n} chars");
    assert!(n <= budget::GITLAB_NOTE_CHARS);
    keeps_essentials(&text, "note");
}

/// GitHub job summary: 1 MiB, in bytes (the text is not all ASCII).
#[test]
fn job_summary() {
    let v = large();
    let text = markdown::job_summary(v, &support::context(v), budget::GITHUB_JOB_SUMMARY_BYTES);
    eprintln!("job summary at {N} findings: {} bytes", text.len());
    assert!(text.len() <= budget::GITHUB_JOB_SUMMARY_BYTES);
    assert!(text.chars().count() < text.len(), "multi-byte characters are there, so bytes are what counts");
    keeps_essentials(&text, "job summary");
}

/// Check run: summary within 65,535 characters and saying how many findings are annotated;
/// annotations in batches of 50, at most the cap, every field within the API's limits.
#[test]
fn check_run() {
    let v = large();
    let cx = support::context(v);
    let summary = annotations::check_run_summary(v, &cx);
    eprintln!("check run summary at {N} findings: {} chars", summary.chars().count());
    assert!(summary.chars().count() <= budget::GITHUB_CHECK_RUN_SUMMARY_CHARS);
    keeps_essentials(&summary, "check run summary");
    assert!(summary.contains("**Annotations:** the 1,000 most severe of"), "{summary}");

    let batches = annotations::check_run_batches(v, &cx);
    let total: usize = batches.iter().map(Vec::len).sum();
    eprintln!("check run annotations at {N} findings: {total} in {} requests", batches.len());
    assert_eq!(total, budget::CHECK_RUN_MAX_ANNOTATIONS);
    for b in &batches {
        assert!(!b.is_empty() && b.len() <= budget::GITHUB_CHECK_RUN_ANNOTATIONS_PER_REQUEST);
        for a in b {
            assert!(a.title.chars().count() <= budget::GITHUB_ANNOTATION_TITLE_CHARS);
            assert!(a.message.len() <= budget::GITHUB_ANNOTATION_MESSAGE_BYTES);
            assert!(a.raw_details.len() <= budget::GITHUB_ANNOTATION_RAW_DETAILS_BYTES);
            assert!(a.start_line >= 1 && a.end_line == a.start_line);
        }
    }
    assert!(batches[0].iter().all(|a| a.title.starts_with("CRITICAL")), "the most severe come first");
}

/// Workflow commands: 10 errors, 10 warnings, 1 notice, whatever the number of findings.
#[test]
fn workflow_commands() {
    let v = large();
    let out = annotations::workflow_commands(v, &support::context(v));
    let count = |k: &str| out.lines().filter(|l| l.starts_with(&format!("::{k} "))).count();
    eprintln!("workflow commands at {N} findings: {} lines, {} bytes", out.lines().count(), out.len());
    assert_eq!(count("error"), budget::GITHUB_STEP_ERRORS);
    assert_eq!(count("warning"), budget::GITHUB_STEP_WARNINGS);
    assert_eq!(count("notice"), 1);
    assert!(count("notice") <= budget::GITHUB_STEP_NOTICES);
    assert_eq!(out.lines().count(), 21);
    for step in ["vulnerabilities", "misconfigurations", "main"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("::error") && l.contains(&format!("title=verdict · {step}%3A")))
        );
    }
}

/// SARIF: at most 25,000 results and 10 MB, valid, the omission counted.
#[test]
fn sarif_limits() {
    let v = large();
    let text = sarif::render(v, &support::context(v));
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    eprintln!("sarif at {N} findings: {} results, {} bytes", results.len(), text.len());
    assert!(results.len() <= budget::SARIF_MAX_RESULTS);
    assert!(text.len() <= budget::SARIF_MAX_BYTES);
    let omitted = log["runs"][0]["properties"]["verdict"]["omittedResults"].as_u64().unwrap() as usize;
    assert_eq!(results.len() + omitted, N);
    assert!(results.iter().take(100).all(|r| r["level"] == "error"), "blocking findings first");
    crate::sarif::assert_valid(&log);
}

/// JUnit: every rule a testcase, listings cut with a count, read back.
#[test]
fn junit_size() {
    let v = large();
    let xml = junit::render(v);
    eprintln!("junit at {N} findings: {} bytes", xml.len());
    assert!(xml.len() < 2_000_000, "listings are capped per testcase");
    assert!(xml.contains("… and "));
    let t = crate::junit::read_back(&xml).tests;
    assert_eq!(t.totals.total, 24, "3 steps × 8 rules");
    assert_eq!(t.totals.failed, 12, "the deny rules");
}

/// Code Quality: every open finding is an issue; valid.
#[test]
fn codequality_size() {
    let v = large();
    let text = codequality::render(v, &support::context(v));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    eprintln!(
        "code quality at {N} findings: {} issues, {} bytes",
        report.as_array().unwrap().len(),
        text.len()
    );
    assert_eq!(report.as_array().unwrap().len(), v.counts.fail + v.counts.warn);
    crate::codequality::assert_valid(&report);
}

/// Any budget, tiny to huge, for each Markdown surface: never exceeded; from a few thousand
/// characters on, the headline, the totals and the pointer are there.
#[test]
fn every_budget() {
    let v = support::large(2_000);
    let cx = support::context(&v);
    for budget in [0, 1, 40, 100, 300, 700, 1_000, 2_000, 3_000, 5_000, 10_000, 30_000, 65_536, 200_000] {
        let comment = markdown::comment(&v, &cx, budget);
        assert!(comment.chars().count() <= budget, "comment over {budget}");
        let summary = markdown::job_summary(&v, &cx, budget);
        assert!(summary.len() <= budget, "job summary over {budget}");
        if budget >= 3_000 {
            for text in [&comment, &summary] {
                assert!(text.contains("verdict: FAIL —"), "{budget}: {text}");
                assert!(text.contains("📄 **Full report:**"), "{budget}: {text}");
            }
        }
        if budget >= 40 {
            assert!(
                comment.starts_with("<!-- verdict:comment gate=default -->"),
                "{budget}: the marker comes first"
            );
        }
    }
}
