//! The PR/MR comment and the job summary: snapshots of the demo's (the product: review them by
//! eye), their shape as a Markdown reader sees it, and the order in which they degrade.

use insta::assert_snapshot;
use verdict::report::{RenderContext, budget, markdown, marker};

use crate::{OUR_TAGS, shape, support};

/// The demo's comment: marker, outcome, counts per step, what to fix with why, where, how and
/// the waiver, the warnings collapsed, the pointer and the footer.
#[test]
fn demo_comment() {
    let v = support::demo();
    let text = markdown::comment(&v, &support::context(&v), budget::GITHUB_COMMENT_CHARS);
    assert!(text.starts_with(&(marker("default") + "\n## ❌ verdict: FAIL — 4 to fix\n")));
    assert_snapshot!("demo_comment", text);
}

/// With waivers: two findings accepted and listed with who and until when; the ledger opens
/// because one waiver expired and one matches nothing.
#[test]
fn demo_comment_with_waivers() {
    let v = support::demo_with(support::DEMO_WAIVERS);
    let text = markdown::comment(&v, &support::context(&v), budget::GITHUB_COMMENT_CHARS);
    assert!(text.contains(
        "<details open><summary>📒 Waivers: 1 expired · 1 expiring soon · 1 unused · 2 applied</summary>"
    ));
    assert_snapshot!("demo_comment_with_waivers", text);
}

/// The job summary is the comment without the marker.
#[test]
fn demo_job_summary() {
    let v = support::demo();
    let cx = support::context(&v);
    let summary = markdown::job_summary(&v, &cx, budget::GITHUB_JOB_SUMMARY_BYTES);
    let comment = markdown::comment(&v, &cx, budget::GITHUB_COMMENT_CHARS);
    assert_eq!(comment, format!("{}\n{summary}", marker("default")));
    assert_snapshot!("demo_job_summary", summary);
}

/// A passing run is short: headline, one line, the steps collapsed, the footer.
#[test]
fn passing_comment_is_short() {
    let v = support::passing();
    let text = markdown::comment(&v, &support::context(&v), budget::GITHUB_COMMENT_CHARS);
    assert!(text.contains("## ✅ verdict: PASS — nothing to fix"));
    assert!(
        text.contains("<details><summary>✅ 4 steps passed · ⏭️ 1 skipped</summary>\n\n| | Step |"),
        "the table waits in a collapsed section:\n{text}"
    );
    assert!(text.lines().count() < 30, "{text}");
    assert_snapshot!("passing_comment", text);
}

/// When a required input is missing the comment says verdict could not judge, and why, first.
#[test]
fn error_comment() {
    let v = support::demo_error();
    let text = markdown::comment(&v, &support::context(&v), budget::GITHUB_COMMENT_CHARS);
    assert!(text.contains("## 🛑 verdict: ERROR — could not judge (2 problems)"));
    let problems = text.find("### What stopped the judgement").unwrap();
    assert!(problems < text.find("| Step |").unwrap());
    assert_snapshot!("error_comment", text);
}

/// Another gate key gets its own marker and says its name in the headline.
#[test]
fn gate_key() {
    let v = support::demo();
    let mut cx = support::context(&v);
    cx.gate = "services/api".into();
    let text = markdown::comment(&v, &cx, budget::GITHUB_COMMENT_CHARS);
    assert!(
        text.starts_with("<!-- verdict:comment gate=services/api -->\n## ❌ verdict · services/api: FAIL")
    );
}

/// Without links the pointer names the command that prints the whole verdict.
#[test]
fn pointer_without_links() {
    let v = support::demo();
    let text = markdown::comment(&v, &RenderContext::new("0.1.0"), budget::GITHUB_COMMENT_CHARS);
    assert!(text.contains("📄 **Full report:** `verdict run --format json` prints every finding."));
}

/// As a CommonMark reader sees them, the demo's reports hold one headline, one steps table of
/// six columns, only verdict's own HTML, balanced `<details>`, the marker once, no image.
#[test]
fn demo_shape() {
    for v in [
        support::demo(),
        support::demo_with(support::DEMO_WAIVERS),
        support::demo_error(),
        support::passing(),
    ] {
        let text = markdown::comment(&v, &support::context(&v), budget::GITHUB_COMMENT_CHARS);
        let s = shape(&text);
        assert_eq!(s.headings.iter().filter(|h| **h == 2).count(), 1, "{text}");
        assert!(s.headings.iter().all(|h| (2..=4).contains(h)));
        assert!(s.tables <= 1);
        assert!(s.row_cells.iter().all(|n| *n == 6), "{:?}", s.row_cells);
        assert!(s.html_tags.iter().all(|t| OUR_TAGS.contains(&t.as_str())), "{:?}", s.html_tags);
        let count = |t: &str| s.html_tags.iter().filter(|x| *x == t).count();
        assert_eq!(count("details"), count("/details"));
        assert_eq!(count("summary"), count("/summary"));
        assert_eq!(s.comments, [marker("default")]);
        assert_eq!(s.images, 0);
    }
}

/// Degradation, in order: passing steps collapse first, then the top N per severity with
/// counts, then the details give way to the pointer; every step stays within the budget and
/// keeps the headline, the totals and the pointer.
#[test]
fn degrades_in_order() {
    let v = support::demo_with(support::DEMO_WAIVERS);
    let cx = support::context(&v);
    let full = markdown::comment(&v, &cx, usize::MAX);
    assert!(full.contains("| ✅ | **sbom** |"), "the full report lists passing steps in the table");
    let n = full.chars().count();

    let collapsed = markdown::comment(&v, &cx, n - 1);
    assert!(!collapsed.contains("| ✅ | **sbom** |"));
    assert!(collapsed.contains("✅ Passed: **sbom**"), "{collapsed}");
    assert!(!collapsed.contains("Shortened"), "collapsing passing steps drops nothing");

    let mut last = n;
    for budget in (300..n).rev().step_by(97) {
        let text = markdown::comment(&v, &cx, budget);
        let size = text.chars().count();
        assert!(size <= budget, "{size} > {budget}");
        assert!(size <= last + 200, "a smaller budget never gives a much longer report");
        last = size;
        if budget >= 1_500 {
            assert!(text.contains("## ❌ verdict: FAIL — 2 to fix"), "{budget}: {text}");
            assert!(text.contains("**2 to fix** · 3 warnings"), "{budget}: {text}");
            assert!(text.contains("📄 **Full report:** [verdict.json]"), "{budget}: {text}");
        }
    }
    let pointer_only = markdown::comment(&v, &cx, 1_500);
    assert!(pointer_only.contains("Details are left out"), "{pointer_only}");
}
