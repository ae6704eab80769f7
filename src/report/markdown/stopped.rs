//! The Markdown of a run that stopped before its verdict (exit 2: an artifact that could not be
//! read, a policy that does not compile, a report file that could not be written).
//!
//! It takes the place of the last verdict in the sticky comment, so that a pull request never
//! keeps showing an earlier commit's PASS while this commit's gate fails: the headline of a
//! verdict's ERROR, then each problem as the terminal shows it — where it is, the offending line,
//! what was expected, how to fix it — and the footer with the commit.
//!
//! Budgets are never exceeded: the problems with their lines, then without them, then the first
//! three, then the headline alone, then a hard cut.

use super::{MAX_FIX, MAX_MSG, MAX_NAME, MAX_PATH, MAX_PROBLEMS, MAX_SNIPPET_LINE, Measure, Out, Surface};
use crate::diag::Diagnostic;
use crate::report::context::{RenderContext, marker};
use crate::report::text::{clip, code, fenced, link, md, md_code, num, safe_url};

/// Longest `caused by` line shown.
const MAX_CAUSE: usize = 300;

/// The PR/MR comment of a run that stopped: marker first, within `budget_chars` characters.
/// `problems` are the run's diagnostics; `summary` the line that sums them up, if any.
pub fn comment(
    problems: &[Diagnostic],
    summary: Option<&str>,
    cx: &RenderContext,
    budget_chars: usize,
) -> String {
    Stopped { problems, summary, cx, surface: Surface::Comment, measure: Measure::Chars }.render(budget_chars)
}

/// The GitHub job summary of a run that stopped, within `budget_bytes` bytes.
pub fn job_summary(
    problems: &[Diagnostic],
    summary: Option<&str>,
    cx: &RenderContext,
    budget_bytes: usize,
) -> String {
    Stopped { problems, summary, cx, surface: Surface::JobSummary, measure: Measure::Bytes }
        .render(budget_bytes)
}

/// The check run's summary of a run that stopped, within `budget_chars` characters.
pub fn check_run_summary(
    problems: &[Diagnostic],
    summary: Option<&str>,
    cx: &RenderContext,
    budget_chars: usize,
) -> String {
    Stopped { problems, summary, cx, surface: Surface::CheckRun, measure: Measure::Chars }
        .render(budget_chars)
}

struct Stopped<'a> {
    problems: &'a [Diagnostic],
    summary: Option<&'a str>,
    cx: &'a RenderContext,
    surface: Surface,
    measure: Measure,
}

impl Stopped<'_> {
    fn render(&self, budget: usize) -> String {
        let shown = self.problems.len().min(MAX_PROBLEMS);
        let plans = [(shown, true), (shown, false), (shown.min(3), false), (0, false)];
        for (count, lines) in plans {
            if let Some(s) = self.attempt(budget, count, lines) {
                return s;
            }
        }
        self.hard_cut(budget)
    }

    /// The first `count` problems, with the offending lines when `lines`.
    fn attempt(&self, budget: usize, count: usize, lines: bool) -> Option<String> {
        let mut out = Out::new(self.measure, budget);
        self.head(&mut out);
        if count > 0 {
            out.push("### What stopped the judgement\n\n");
            for d in self.problems.iter().take(count) {
                out.push(&item(d, lines));
            }
            if self.problems.len() > count {
                out.push(&format!("- … and {} more, in the job's log\n", num(self.problems.len() - count)));
            }
            out.push("\n");
        }
        self.tail(&mut out);
        out.finish()
    }

    /// The marker, the headline and what it means.
    fn head(&self, out: &mut Out) {
        if self.surface == Surface::Comment {
            out.push(&marker(&self.cx.gate));
            out.push("\n");
        }
        out.push(&super::error_headline(self.cx, self.problems.len()));
        out.push("\n\n");
        let why = self.summary.map(|s| format!("{}. ", md(s, MAX_MSG))).unwrap_or_default();
        out.push(&format!(
            "{why}**This commit has no verdict**, and the gate fails until what is below is fixed; \
             an earlier verdict shown here no longer holds.\n\n"
        ));
    }

    fn tail(&self, out: &mut Out) {
        out.push("---\n\n");
        if let Some(run) = self.cx.run_url.as_deref().filter(|u| safe_url(u).is_some()) {
            out.push(&format!("📄 **Full log:** {}\n\n", link("CI run", run)));
        }
        out.push(&super::footer(self.cx, None));
        out.push("\n");
    }

    fn hard_cut(&self, budget: usize) -> String {
        let mut out = Out::new(self.measure, usize::MAX);
        self.head(&mut out);
        super::cut(&out.s, self.measure, budget)
    }
}

/// One problem as a list item: the code and message, then where, the offending line, what was
/// expected, how to fix it and what caused it.
fn item(d: &Diagnostic, lines: bool) -> String {
    let mut s = match code(&d.code, MAX_NAME) {
        c if c.is_empty() => format!("- {}\n", md_code(&d.message, MAX_MSG)),
        c => format!("- {c} {}\n", md_code(&d.message, MAX_MSG)),
    };
    if let Some(place) = d.place() {
        s.push_str(&format!("  - **Where:** {}\n", code(&place, MAX_PATH)));
    }
    let snippet = d.snippet.as_ref().filter(|_| lines);
    if let Some(sn) = snippet {
        let gutter = sn.line.to_string();
        let pad = " ".repeat(gutter.len());
        let text = clip(sn.text.as_str(), MAX_SNIPPET_LINE);
        let caret = format!("{}{}", " ".repeat(sn.caret), "^".repeat(sn.width.max(1)));
        s.push_str(&fenced(&format!("{gutter} | {text}\n{pad} | {caret}"), "text", "  "));
    }
    if let Some(e) = &d.expected {
        s.push_str(&format!("  - **Expected:** {}\n", md_code(e, MAX_MSG)));
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("  - **Fix:** {}\n", md_code(h, MAX_FIX)));
    }
    if d.code.contains('/') {
        // A link the reader of the pull request can open: the page of this version's
        // documentation, when the anchor is one of verdict's own (a code of letters, digits,
        // dashes and a slash).
        let anchor = d.docs_anchor();
        if anchor.bytes().all(|b| b.is_ascii_alphanumeric() || b"-/#._".contains(&b)) {
            s.push_str(&format!(
                "  - **Explained:** [{anchor}]({}/blob/v{}/{anchor}) in verdict's documentation\n",
                env!("CARGO_PKG_REPOSITORY"),
                env!("CARGO_PKG_VERSION")
            ));
        } else {
            s.push_str(&format!(
                "  - **Explained:** {} in verdict's documentation\n",
                code(&anchor, MAX_NAME)
            ));
        }
    }
    for c in d.causes.iter().take(3) {
        s.push_str(&format!("  - **Caused by:** {}\n", md(c, MAX_CAUSE)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Snippet;

    fn cut_report() -> Diagnostic {
        let mut d = Diagnostic::error("ingest/truncated", "the report ends before it is complete");
        d.file = Some("reports/trivy.json".into());
        d.line = Some(1);
        d.column = Some(31);
        d.doc_path = Some("/Results/0".into());
        d.snippet = Some(Snippet {
            line: 1,
            column: 31,
            text: r#"{"SchemaVersion": 2, "Results":"#.into(),
            caret: 30,
            width: 1,
        });
        d.expected = Some("the rest of the JSON document".into());
        d.help = Some("the scan was interrupted or the upload cut: run Trivy again".into());
        d
    }

    fn cx() -> RenderContext {
        let mut cx = RenderContext::new("9.9.9");
        cx.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
        cx.run_url = Some("https://github.com/acme/shop/actions/runs/7".into());
        cx
    }

    /// The comment says this commit has no verdict, and gives each problem as the terminal does:
    /// code, message, where, the offending line with its caret, expected, fix, the commit.
    #[test]
    fn says_what_stopped_the_run_and_where() {
        let body = comment(&[cut_report()], Some("1 artifact could not be read"), &cx(), 65_536);
        assert!(body.starts_with("<!-- verdict:comment gate=default -->\n"), "{body}");
        assert!(body.contains("## 🛑 verdict: ERROR — could not judge (1 problem)"), "{body}");
        assert!(body.contains("1 artifact could not be read. **This commit has no verdict**"), "{body}");
        assert!(body.contains("- `ingest/truncated` the report ends before it is complete"), "{body}");
        assert!(body.contains("**Where:** `reports/trivy.json:1:31 (at /Results/0)`"), "{body}");
        assert!(
            body.contains(
                "  1 | {\"SchemaVersion\": 2, \"Results\":\n    |                               ^\n"
            ),
            "{body}"
        );
        assert!(body.contains("**Expected:** the rest of the JSON document"), "{body}");
        // A link the reader can open, to this version's page, not a path in verdict's sources.
        let explained = format!(
            "**Explained:** [docs/diagnostics.md#ingest-truncated](https://github.com/verdict-ci/verdict/blob/v{}/docs/diagnostics.md#ingest-truncated)",
            env!("CARGO_PKG_VERSION")
        );
        assert!(body.contains(&explained), "{body}");
        assert!(
            body.contains("**Fix:** the scan was interrupted or the upload cut: run Trivy again"),
            "{body}"
        );
        assert!(body.contains("[CI run](https://github.com/acme/shop/actions/runs/7)"), "{body}");
        assert!(body.contains("commit `0123456789ab`"), "{body}");
        let summary = job_summary(&[cut_report()], None, &cx(), 1 << 20);
        assert!(!summary.contains("<!--"), "no marker outside the comment: {summary}");
    }

    /// Text from an artifact cannot mention people, forge the marker or inject HTML.
    #[test]
    fn artifact_text_is_defused() {
        let mut d = cut_report();
        d.message = "@acme/owners <img src=x> <!-- verdict:comment gate=default -->".into();
        if let Some(sn) = d.snippet.as_mut() {
            sn.text = "``` <!-- verdict:comment gate=default --> @acme/owners".into();
        }
        let body = comment(&[d], None, &cx(), 65_536);
        assert_eq!(body.matches("<!-- verdict:comment").count(), 1, "only the real marker: {body}");
        assert!(!body.contains("@acme/owners <img"), "{body}");
        assert!(!body.contains("<img"), "{body}");
    }

    /// Every budget is kept, down to the hard cut; the headline survives as long as it fits.
    #[test]
    fn budgets_are_never_exceeded() {
        let many: Vec<Diagnostic> = (0..25).map(|_| cut_report()).collect();
        let full = comment(&many, Some("25 artifacts could not be read"), &cx(), usize::MAX);
        assert!(full.contains("- … and 15 more, in the job's log"), "{full}");
        let mut shrank = false;
        for budget in (0..full.chars().count() + 10).step_by(37) {
            let body = comment(&many, Some("25 artifacts could not be read"), &cx(), budget);
            assert!(body.chars().count() <= budget, "{budget}: {body}");
            if budget > 400 {
                assert!(body.contains("ERROR — could not judge (25 problems)"), "{budget}: {body}");
            }
            shrank |= body.len() < full.len() && body.contains("ingest/truncated");
        }
        assert!(shrank, "a smaller budget keeps some problems rather than none");
        let bytes = job_summary(&many, None, &cx(), 900);
        assert!(bytes.len() <= 900, "{}", bytes.len());
    }
}
