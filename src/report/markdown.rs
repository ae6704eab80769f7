//! Markdown reports: the pull/merge-request comment (GitHub comment, GitLab note), the GitHub
//! job summary and the check-run summary.
//!
//! Layout, outcome first: verdict's hidden marker (comments only); the headline (`## ❌ verdict:
//! FAIL — 4 to fix`) and the totals; what stopped the judgement, if anything; a table of the
//! steps with their counts; **What to fix**: each blocking finding grouped by step and rule —
//! why once per rule, then what, where, how to fix, a link, and the waiver that would accept it
//! (collapsed); then collapsed sections for warnings, accepted (waived or excepted) findings,
//! passing and skipped steps, and the waiver ledger; a footer with the full report, the run,
//! the version, the gate and the commit.
//!
//! Budgets are never exceeded. The renderer tries plans in order until one fits: everything;
//! passing steps collapsed; the top N findings per severity of each rule with "… and K more" counts (N from
//! 100 down to 1); headline, counts and a pointer to the full report; a minimal headline and
//! pointer; and, only for budgets too small for that, a hard cut.
//!
//! Pure: a verdict and a context in, text out. All text from artifacts and policies goes
//! through the `text` module.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::common::{
    SEVERITY_BUCKETS, Standing, attention, bucket_name, rule_id, severity_bucket, severity_word, standing,
    warnings_block,
};
use super::context::{DEFAULT_GATE, RenderContext, marker};
use super::text::{
    clip, code, fenced, has_word, link, md, md_code, num, plural, safe_url, uri_path, url_label,
};
use crate::evidence::CheckStatus;
use crate::verdict::{Finding, LedgerEntry, Outcome, Status, Step, Verdict};

pub mod stopped;

/// The PR/MR comment: marker first, within `budget_chars` characters (GitHub comment: 65,536;
/// GitLab note: 1,000,000, see [`super::budget`]).
pub fn comment(v: &Verdict, cx: &RenderContext, budget_chars: usize) -> String {
    render(v, cx, Surface::Comment, Measure::Chars, budget_chars, None)
}

/// The GitHub job summary (`$GITHUB_STEP_SUMMARY`), within `budget_bytes` bytes (1 MiB).
pub fn job_summary(v: &Verdict, cx: &RenderContext, budget_bytes: usize) -> String {
    render(v, cx, Surface::JobSummary, Measure::Bytes, budget_bytes, None)
}

/// Where the Markdown lands: decides the marker and how a shortened report says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// A PR/MR comment: starts with the marker.
    Comment,
    /// A GitHub job summary.
    JobSummary,
    /// A GitHub check run's summary.
    CheckRun,
}

impl Surface {
    fn noun(self) -> &'static str {
        match self {
            Surface::Comment => "comment",
            Surface::JobSummary => "job summary",
            Surface::CheckRun => "check run summary",
        }
    }
}

/// How a budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// Unicode scalar values (GitHub and GitLab count characters).
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

impl Measure {
    pub(crate) fn of(self, s: &str) -> usize {
        match self {
            Measure::Chars => s.chars().count(),
            Measure::Bytes => s.len(),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Measure::Chars => "character",
            Measure::Bytes => "byte",
        }
    }
}

/// How much of the verdict a rendering shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    /// Passing and skipped steps leave the table for one line of names.
    collapse_passing: bool,
    /// At most this many findings per severity of each rule (half for warnings and accepted
    /// findings), and ledger entries per list;
    /// `None` for all.
    top: Option<usize>,
    /// Findings and the ledger are shown at all (else: headline, counts and the pointer).
    details: bool,
    /// Findings in one or two lines: what, where and how to fix, shortened; no why, link or
    /// waiver snippet.
    compact: bool,
    /// Most rows in the steps table; 0 for one line of step counts instead.
    rows: usize,
}

impl Plan {
    /// This plan showing at most `max` findings per severity, when there is a maximum.
    fn within(self, max: Option<usize>) -> Plan {
        match max {
            Some(m) => Plan { top: Some(self.top.map_or(m, |t| t.min(m))), ..self },
            None => self,
        }
    }
}

const fn plan(collapse_passing: bool, top: Option<usize>, details: bool, compact: bool, rows: usize) -> Plan {
    Plan { collapse_passing, top, details, compact, rows }
}

/// The plans, from the whole report to headline, counts and pointer.
const PLANS: [Plan; 14] = [
    plan(false, None, true, false, usize::MAX),
    plan(true, None, true, false, usize::MAX),
    plan(true, Some(100), true, false, 1_000),
    plan(true, Some(50), true, false, 500),
    plan(true, Some(20), true, false, 200),
    plan(true, Some(10), true, false, 100),
    plan(true, Some(5), true, false, 50),
    plan(true, Some(3), true, false, 30),
    plan(true, Some(1), true, false, 20),
    plan(true, Some(5), true, true, 20),
    plan(true, Some(3), true, true, 20),
    plan(true, Some(1), true, true, 20),
    plan(true, Some(0), false, false, 20),
    plan(true, Some(0), false, false, 0),
];

/// Longest texts shown, in characters.
const MAX_MSG: usize = 600;
const MAX_WHY: usize = 500;
const MAX_FIX: usize = 800;
const MAX_SHORT: usize = 300;
const MAX_NAME: usize = 100;
const MAX_SUMMARY: usize = 200;
const MAX_PATH: usize = 200;
const MAX_SNIPPET_LINE: usize = 300;
/// Report links shown in the pointer.
const MAX_REPORT_LINKS: usize = 5;
/// Problems shown.
const MAX_PROBLEMS: usize = 10;
/// Checks skipped in the scanners listed, at most.
const MAX_SUPPRESSED: usize = 20;

/// A buffer that counts its size and notices when it passes the budget.
struct Out {
    s: String,
    measure: Measure,
    budget: usize,
    used: usize,
}

impl Out {
    fn new(measure: Measure, budget: usize) -> Self {
        Out { s: String::new(), measure, budget, used: 0 }
    }

    fn push(&mut self, t: &str) {
        if self.over() {
            return;
        }
        self.used += self.measure.of(t);
        self.s.push_str(t);
    }

    fn over(&self) -> bool {
        self.used > self.budget
    }

    fn finish(self) -> Option<String> {
        if self.over() { None } else { Some(self.s) }
    }
}

/// The verdict's findings by standing.
struct Facts<'a> {
    blocking: Vec<&'a Finding>,
    warnings: Vec<&'a Finding>,
    accepted: Vec<&'a Finding>,
    /// The rule group ([`group_key`]) of each finding of the three lists, as an index, so that
    /// [`select`] can count per rule cheaply on every plan it is tried with.
    blocking_group: Vec<usize>,
    warnings_group: Vec<usize>,
    accepted_group: Vec<usize>,
    groups: usize,
}

impl<'a> Facts<'a> {
    fn new(v: &'a Verdict) -> Self {
        let mut f = Facts {
            blocking: Vec::new(),
            warnings: Vec::new(),
            accepted: Vec::new(),
            blocking_group: Vec::new(),
            warnings_group: Vec::new(),
            accepted_group: Vec::new(),
            groups: 0,
        };
        let mut ids: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for x in &v.findings {
            let next = ids.len();
            let id = *ids.entry(group_key(x)).or_insert(next);
            match standing(v, x) {
                Standing::Blocking => (f.blocking.push(x), f.blocking_group.push(id)),
                Standing::Warning => (f.warnings.push(x), f.warnings_group.push(id)),
                Standing::Accepted => (f.accepted.push(x), f.accepted_group.push(id)),
            };
        }
        f.groups = ids.len();
        f
    }

    /// The blocking findings a plan shows: up to `top` of each severity per rule, so that every
    /// failing rule is listed before any one of them fills the space.
    fn fix(&self, top: Option<usize>) -> Selection<'a> {
        select(&self.blocking, &self.blocking_group, self.groups, top)
    }

    /// Warnings and accepted findings get half the room of the blocking ones (at least one per
    /// rule and severity): the comment is first of all what to fix.
    fn warn(&self, top: Option<usize>) -> Selection<'a> {
        select(&self.warnings, &self.warnings_group, self.groups, top.map(|t| t.div_ceil(2)))
    }

    fn accepted(&self, top: Option<usize>) -> Selection<'a> {
        select(&self.accepted, &self.accepted_group, self.groups, top.map(|t| t.div_ceil(2)))
    }
}

/// Findings kept by a plan, and how many of each severity were left out.
struct Selection<'a> {
    shown: Vec<&'a Finding>,
    omitted: [usize; SEVERITY_BUCKETS],
}

impl Selection<'_> {
    fn omitted_total(&self) -> usize {
        self.omitted.iter().sum()
    }
}

/// The first `top` findings of each severity in each rule group (`group[i]` is `items[i]`'s, of
/// `groups`), in verdict order.
fn select<'a>(items: &[&'a Finding], group: &[usize], groups: usize, top: Option<usize>) -> Selection<'a> {
    let mut seen = vec![[0usize; SEVERITY_BUCKETS]; groups];
    let mut omitted = [0usize; SEVERITY_BUCKETS];
    let mut shown = Vec::new();
    for (f, g) in items.iter().zip(group) {
        let b = severity_bucket(f.policy.severity);
        let (Some(n), Some(o)) = (seen.get_mut(*g).and_then(|s| s.get_mut(b)), omitted.get_mut(b)) else {
            continue;
        };
        if top.is_none_or(|t| *n < t) {
            *n += 1;
            shown.push(*f);
        } else {
            *o += 1;
        }
    }
    Selection { shown, omitted }
}

/// Renders a Markdown surface within `budget` (measured by `measure`). `note` is a line added
/// before the pointer (the check run says how many findings it annotated).
pub(crate) fn render(
    v: &Verdict,
    cx: &RenderContext,
    surface: Surface,
    measure: Measure,
    budget: usize,
    note: Option<&str>,
) -> String {
    let facts = Facts::new(v);
    let r = Renderer { v, cx, surface, measure, budget, facts, note };
    for plan in PLANS {
        if let Some(text) = r.attempt(plan.within(cx.max_shown)) {
            return text;
        }
    }
    if let Some(text) = r.minimal() {
        return text;
    }
    // A budget smaller than the minimal report: cut it, never exceed.
    r.hard_cut()
}

struct Renderer<'a> {
    v: &'a Verdict,
    cx: &'a RenderContext,
    surface: Surface,
    measure: Measure,
    budget: usize,
    facts: Facts<'a>,
    note: Option<&'a str>,
}

impl Renderer<'_> {
    fn attempt(&self, plan: Plan) -> Option<String> {
        let mut out = Out::new(self.measure, self.budget);
        self.head(&mut out);
        self.problems(&mut out);
        self.notices(&mut out);
        self.steps_table(&mut out, plan);
        if out.over() {
            return None;
        }
        let mut omitted = Omitted::default();
        if plan.details {
            let fix = self.facts.fix(plan.top);
            let warn = self.facts.warn(plan.top);
            let acc = self.facts.accepted(plan.top);
            self.what_to_fix(&mut out, &fix, plan.compact);
            self.warnings(&mut out, &warn);
            self.accepted(&mut out, &acc);
            self.suppressed(&mut out, plan.top);
            omitted.ledger = self.ledger(&mut out, plan.top);
            omitted.fix = fix.omitted;
            omitted.warn = warn.omitted_total();
            omitted.accepted = acc.omitted_total();
        } else {
            omitted.fix = self.facts.fix(Some(0)).omitted;
            omitted.warn = self.facts.warnings.len();
            omitted.accepted = self.facts.accepted.len();
            omitted.ledger = ledger_len(self.v);
            omitted.details = true;
        }
        if out.over() {
            return None;
        }
        self.tail(&mut out, &omitted, MAX_REPORT_LINKS);
        out.finish()
    }

    /// The marker, the headline and the totals.
    fn head(&self, out: &mut Out) {
        if self.surface == Surface::Comment {
            out.push(&marker(&self.cx.gate));
            out.push("\n");
        }
        out.push(&self.headline());
        out.push("\n\n");
        out.push(&self.totals());
        out.push("\n\n");
    }

    fn headline(&self) -> String {
        let v = self.v;
        let gate = gate_suffix(self.cx);
        let blocking = self.facts.blocking.len();
        match v.outcome {
            Outcome::Error => error_headline(self.cx, v.problems.len()),
            Outcome::Fail => {
                let what = if blocking > 0 { format!("{} to fix", num(blocking)) } else { attention(v) };
                let why = if warnings_block(v) { " (warnings fail this gate)" } else { "" };
                format!("## ❌ verdict{gate}: FAIL — {what}{why}")
            }
            Outcome::Warn => format!("## ⚠️ verdict{gate}: WARN — nothing blocks, {}", attention(v)),
            Outcome::Pass | Outcome::Skipped => format!("## ✅ verdict{gate}: PASS — nothing to fix"),
        }
    }

    fn totals(&self) -> String {
        let v = self.v;
        let (blocking, warnings) = (self.facts.blocking.len(), self.facts.warnings.len());
        let mut parts = Vec::new();
        if blocking > 0 || warnings > 0 || v.outcome != Outcome::Pass {
            parts.push(format!("**{} to fix**", num(blocking)));
            parts.push(plural(warnings, "warning", "warnings"));
        }
        // As the headline counts them: an expired or unused waiver warns, and fails a gate
        // whose warnings fail it.
        let stale = super::common::stale_waivers(v);
        if stale > 0 {
            parts.push(plural(stale, "waiver needs attention", "waivers need attention"));
        }
        match (v.counts.waived, v.counts.excepted) {
            (0, 0) => {}
            (w, 0) => parts.push(format!("{} waived", num(w))),
            (0, e) => parts.push(format!("{} excepted", num(e))),
            (w, e) => parts.push(format!("{} waived, {} excepted", num(w), num(e))),
        }
        // A skipped step judged nothing (no artifact of its kind): not counted as judged, and
        // named here, outside the folded table, so that a green gate with no test results
        // does not read as "the tests passed".
        let skipped: Vec<String> =
            v.steps.iter().filter(|s| s.outcome == Outcome::Skipped).map(|s| md(&s.name, MAX_NAME)).collect();
        let judged = plural(v.steps.len() - skipped.len(), "step", "steps");
        parts.push(if skipped.is_empty() {
            format!("{judged} judged")
        } else {
            format!("{judged} judged, {} skipped (nothing to judge: {})", skipped.len(), skipped.join(", "))
        });
        parts.push(format!("{} read", plural(v.evidence.sources.len(), "artifact", "artifacts")));
        parts.join(" · ")
    }

    fn problems(&self, out: &mut Out) {
        if self.v.problems.is_empty() {
            return;
        }
        out.push("### What stopped the judgement\n\n");
        for p in self.v.problems.iter().take(MAX_PROBLEMS) {
            out.push(&format!(
                "- {} {}\n  - **Fix:** {}\n",
                code(&p.code, MAX_NAME),
                md_code(&p.message, MAX_MSG),
                md_code(&p.help, MAX_FIX)
            ));
        }
        if self.v.problems.len() > MAX_PROBLEMS {
            out.push(&format!("- … and {} more\n", num(self.v.problems.len() - MAX_PROBLEMS)));
        }
        out.push("\n");
    }

    /// Settings and policies that change what the gate judges (a check turned off, a package
    /// no option selects): a reviewer tells a gate that judged and passed from one told to
    /// judge less.
    fn notices(&self, out: &mut Out) {
        if self.v.notices.is_empty() {
            return;
        }
        out.push("### ⚠️ Told to judge differently\n\n");
        for n in self.v.notices.iter().take(MAX_PROBLEMS) {
            let at = match (&n.file, n.line) {
                (Some(f), Some(l)) => format!(" ({})", code(&format!("{f}:{l}"), MAX_NAME)),
                (Some(f), None) => format!(" ({})", code(f, MAX_NAME)),
                _ => String::new(),
            };
            out.push(&format!("- {} {}{at}\n", code(&n.code, MAX_NAME), md_code(&n.message, MAX_MSG)));
        }
        if self.v.notices.len() > MAX_PROBLEMS {
            out.push(&format!("- … and {} more\n", num(self.v.notices.len() - MAX_PROBLEMS)));
        }
        out.push("\n");
    }

    /// The steps with their counts: all of them (in a collapsed section when all passed), or
    /// those that did not pass and one line naming the others.
    fn steps_table(&self, out: &mut Out, plan: Plan) {
        if plan.rows == 0 {
            out.push(&format!("{}.\n\n", step_counts(&self.v.steps)));
            return;
        }
        let (passing, failing): (Vec<&Step>, Vec<&Step>) =
            self.v.steps.iter().partition(|s| passed(s.outcome));
        if !plan.collapse_passing {
            if failing.is_empty() && !passing.is_empty() {
                // A passing run is short: the table waits behind its summary.
                out.push(&format!("<details><summary>{}</summary>\n\n", passed_label(&passing)));
                self.table(out, &passing, plan.rows);
                out.push("</details>\n\n");
            } else {
                self.table(out, &self.v.steps.iter().collect::<Vec<_>>(), plan.rows);
            }
            return;
        }
        if !failing.is_empty() {
            self.table(out, &failing, plan.rows);
        }
        if !passing.is_empty() {
            out.push(&passed_line(&passing));
            out.push("\n\n");
        }
    }

    fn table(&self, out: &mut Out, rows: &[&Step], limit: usize) {
        out.push("| | Step | Checked | To fix | Warnings | Accepted |\n|:-:|:--|:--|--:|--:|--:|\n");
        for s in rows.iter().take(limit) {
            let c = &s.counts;
            let blocking = if warnings_block(self.v) { c.fail + c.warn } else { c.fail };
            let warns = if warnings_block(self.v) { 0 } else { c.warn };
            out.push(&format!(
                "| {} | **{}** | {} | {} | {} | {} |\n",
                outcome_emoji(s.outcome),
                md(&s.name, MAX_NAME),
                md(&s.summary, MAX_SUMMARY),
                count_cell(blocking),
                count_cell(warns),
                count_cell(c.waived + c.excepted)
            ));
            if out.over() {
                return;
            }
        }
        if rows.len() > limit {
            out.push(&format!("| | … and {} more | | | | |\n", plural(rows.len() - limit, "step", "steps")));
        }
        out.push("\n");
    }

    fn what_to_fix(&self, out: &mut Out, sel: &Selection<'_>, compact: bool) {
        if self.facts.blocking.is_empty() {
            return;
        }
        out.push("### What to fix\n\n");
        // Totals per rule, to say "showing 3 of 120".
        let mut totals: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for f in &self.facts.blocking {
            *totals.entry(group_key(f)).or_default() += 1;
        }
        for group in groups(&sel.shown) {
            let Some(first) = group.first() else { continue };
            let total = totals.get(&group_key(first)).copied().unwrap_or(group.len());
            self.group_head(out, first, group.len(), total, compact);
            for f in &group {
                out.push(&if compact { self.compact_item(f) } else { self.finding_item(f) });
                if out.over() {
                    return;
                }
            }
        }
        let more = sel.omitted_total();
        if more > 0 {
            out.push(&format!("_… and {} more to fix: {}._\n\n", num(more), by_severity(&sel.omitted)));
        }
    }

    fn group_head(&self, out: &mut Out, f: &Finding, shown: usize, total: usize, compact: bool) {
        let title = f.policy.title.as_deref().map_or_else(|| md(&rule_id(f), MAX_NAME), |t| md(t, MAX_NAME));
        let count = if shown < total {
            format!(" ({} of {} shown)", num(shown), num(total))
        } else if total > 1 {
            format!(" ({})", num(total))
        } else {
            String::new()
        };
        out.push(&format!("#### {} · {title}{count}\n\n", md(&f.step, MAX_NAME)));
        if compact {
            return;
        }
        let mut why = String::new();
        if let Some(d) = f.policy.description.as_deref() {
            let _ = write!(why, "**Why it matters:** {} ", md(d, MAX_WHY));
        }
        let _ = write!(
            why,
            "<sub>rule {} · {}</sub>",
            code(&rule_id(f), MAX_NAME),
            code(&f.policy.policy, MAX_PATH)
        );
        out.push(&why);
        out.push("\n\n");
    }

    /// One blocking finding: what, where, how to fix, a link, and the waiver.
    fn finding_item(&self, f: &Finding) -> String {
        let mut s = format!("- {}{}\n", badge(f), md(&f.policy.msg, MAX_MSG));
        if f.level == crate::policy::Level::Warn {
            let _ = writeln!(s, "  - **Blocks because:** warnings fail this gate (`fail_on: warn`)");
        }
        if let Some(place) = self.where_(f) {
            let _ = writeln!(s, "  - **Where:** {place}");
        }
        if let Some(fix) = f.policy.remediation.as_deref() {
            let _ = writeln!(s, "  - **Fix:** {}", md(fix, MAX_FIX));
        }
        if let Some(url) = f.policy.url.as_deref().filter(|u| safe_url(u).is_some()) {
            let _ = writeln!(s, "  - **More:** {}", link(&md(&url_label(url, 80), usize::MAX), url));
        }
        s.push('\n');
        s.push_str(&self.waiver_block(f));
        s.push('\n');
        s
    }

    /// The waiver that would accept `f`, collapsed: what to add under `waivers:` in the
    /// configuration file this run read (`verdict.yaml` when it read none).
    fn waiver_block(&self, f: &Finding) -> String {
        let snippet: String = f.waiver_snippet.lines().map(|l| clip(l, MAX_SNIPPET_LINE) + "\n").collect();
        format!(
            "  <details><summary>Accept it instead: the waiver to add under <code>waivers:</code> in <code>{}</code></summary>\n\n{}\n  </details>\n",
            super::text::xml(&clip(super::text::one_line(&self.cx.anchor), MAX_PATH)),
            fenced(&snippet, "yaml", "  ")
        )
    }

    /// One blocking finding in two lines: what, where and how to fix, shortened.
    fn compact_item(&self, f: &Finding) -> String {
        let mut s = format!("- {}{}\n", badge(f), md(&f.policy.msg, MAX_SHORT));
        let mut more = Vec::new();
        if let Some(place) = self.where_(f) {
            more.push(format!("**Where:** {place}"));
        }
        if let Some(fix) = f.policy.remediation.as_deref() {
            more.push(format!("**Fix:** {}", md(fix, MAX_SHORT)));
        }
        if !more.is_empty() {
            let _ = writeln!(s, "  {}", more.join(" · "));
        }
        s
    }

    /// File and line (a link at the commit when the context has one) and the package.
    fn where_(&self, f: &Finding) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(raw) = f.policy.file.as_deref() {
            let path = self.cx.repo_path(raw);
            let shown = match (path.as_deref(), f.policy.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.to_owned(),
                (None, _) => raw.to_owned(),
            };
            let label = code(&shown, MAX_PATH);
            let linked = match (path, self.cx.blob_url.as_deref()) {
                (Some(p), Some(base)) => {
                    let anchor = f.policy.line.map(|l| format!("#L{l}")).unwrap_or_default();
                    link(&label, &format!("{}/{}{anchor}", base.trim_end_matches('/'), uri_path(&p)))
                }
                _ => label,
            };
            parts.push(linked);
        }
        if let Some(purl) = f.policy.purl.as_deref() {
            parts.push(code(purl, MAX_PATH));
        }
        parts.retain(|p| !p.is_empty());
        if parts.is_empty() { None } else { Some(parts.join(" · ")) }
    }

    /// A collapsed section: one item per finding shown, then how many more.
    fn collapsed(
        &self,
        out: &mut Out,
        summary: &str,
        sel: &Selection<'_>,
        item: impl Fn(&Finding) -> String,
    ) {
        out.push(&format!("<details><summary>{summary}</summary>\n\n"));
        for f in &sel.shown {
            out.push(&item(f));
            if out.over() {
                return;
            }
        }
        if sel.omitted_total() > 0 {
            out.push(&format!(
                "- _… and {} more: {}_\n",
                num(sel.omitted_total()),
                by_severity(&sel.omitted)
            ));
        }
        out.push("\n</details>\n\n");
    }

    fn warnings(&self, out: &mut Out, sel: &Selection<'_>) {
        let n = self.facts.warnings.len();
        if n == 0 {
            return;
        }
        let summary = format!("⚠️ {} — not blocking", plural(n, "warning", "warnings"));
        self.collapsed(out, &summary, sel, |f| {
            let mut s = format!("- {}{} · {}", badge(f), md(&f.step, MAX_NAME), md(&f.policy.msg, MAX_MSG));
            if let Some(from) = f.policy.enforced_from {
                let _ = write!(s, " **(fails from {from})**");
            }
            s.push('\n');
            if let Some(place) = self.where_(f) {
                let _ = writeln!(s, "  - **Where:** {place}");
            }
            if let Some(fix) = f.policy.remediation.as_deref() {
                let _ = writeln!(s, "  - **Fix:** {}", md(fix, MAX_FIX));
            }
            // A remedy may well say "or accept the risk with a waiver": here is the waiver.
            if !f.waiver_snippet.is_empty() {
                s.push('\n');
                s.push_str(&self.waiver_block(f));
                s.push('\n');
            }
            s
        });
    }

    fn accepted(&self, out: &mut Out, sel: &Selection<'_>) {
        let n = self.facts.accepted.len();
        if n == 0 {
            return;
        }
        let summary = format!("🔕 {} accepted — waived or excepted", num(n));
        self.collapsed(out, &summary, sel, |f| {
            let how = match (f.status, &f.waiver) {
                (Status::Waived, Some(w)) => format!(
                    "**waived** by {} until {} ({}): {}",
                    md(&w.owner, MAX_NAME),
                    w.expires,
                    code(&w.origin, MAX_PATH),
                    md(&w.reason, MAX_SHORT)
                ),
                (Status::Waived, None) => "**waived**".to_owned(),
                (Status::Excepted, _) => {
                    format!(
                        "**excepted** by {}",
                        code(&format!("{}.exception", f.policy.namespace), MAX_NAME)
                    )
                }
                (Status::Open, _) => "**open**".to_owned(),
            };
            format!("- {}{} · {} — {how}\n", badge(f), md(&f.step, MAX_NAME), md(&f.policy.msg, MAX_SHORT))
        });
    }

    /// The checks the scanners did not judge because the code or their configuration says they
    /// do not apply (`#checkov:skip=…:reason`, Trivy's exceptions): they bypass verdict's
    /// waivers, which need an owner and an expiry, so the reviewer sees each, with its reason.
    fn suppressed(&self, out: &mut Out, top: Option<usize>) {
        let listed = &self.v.evidence.suppressed;
        if listed.is_empty() {
            return;
        }
        let total = self.v.evidence.suppressed_total.max(listed.len());
        let summary =
            format!("🔇 {} in the scanners — not judged", plural(total, "check skipped", "checks skipped"));
        out.push(&format!("<details><summary>{summary}</summary>\n\n"));
        let shown = top.unwrap_or(MAX_SUPPRESSED).min(MAX_SUPPRESSED);
        for m in listed.iter().take(shown) {
            let mut line = format!("- {}", code(&m.check_id, MAX_NAME));
            if let Some(r) = m.resource.as_deref() {
                line.push_str(&format!(" on {}", md(r, MAX_NAME)));
            }
            if let Some(f) = m.file.as_deref().and_then(|f| self.cx.repo_path(f)) {
                let at = m.line.map(|l| format!("{f}:{l}")).unwrap_or(f);
                line.push_str(&format!(" ({})", code(&at, MAX_PATH)));
            }
            // Checkov is told in the code; Trivy in its ignore file or a VEX document, whose
            // name the reason ends with.
            let how = if m.tool == "checkov" { "skipped in code" } else { "ignored by the scanner" };
            line.push_str(&match (m.status, m.reason.as_deref()) {
                (CheckStatus::Skipped, Some(reason)) => format!(" — {how}: {}", md(reason, MAX_SHORT)),
                (CheckStatus::Skipped, None) => format!(" — {how}, with no reason"),
                _ => format!(" — an exception of {}'s configuration", md(&m.tool, MAX_NAME)),
            });
            line.push('\n');
            out.push(&line);
            if out.over() {
                return;
            }
        }
        if total > shown.min(listed.len()) {
            out.push(&format!(
                "- _… and {} more: the JSON verdict lists them_\n",
                num(total - shown.min(listed.len()))
            ));
        }
        out.push("\n</details>\n\n");
    }

    /// The waiver ledger; returns how many entries were left out.
    fn ledger(&self, out: &mut Out, top: Option<usize>) -> usize {
        let l = &self.v.waivers;
        let total = ledger_len(self.v);
        if total == 0 {
            return 0;
        }
        let mut label = Vec::new();
        for (n, what) in [
            (l.expired.len(), "expired"),
            (l.expiring_soon.len(), "expiring soon"),
            (l.unused.len(), "unused"),
            (l.applied.len(), "applied"),
        ] {
            if n > 0 {
                label.push(format!("{} {what}", num(n)));
            }
        }
        // Expired and unused waivers are warnings: the section opens when they are there.
        let open = if l.expired.is_empty() && l.unused.is_empty() { "" } else { " open" };
        out.push(&format!("<details{open}><summary>📒 Waivers: {}</summary>\n\n", label.join(" · ")));
        let take = top.unwrap_or(usize::MAX);
        let mut left = 0;
        let lists: [(&[LedgerEntry], EntryHead); 4] = [
            (&l.expired, |e| match e.findings {
                0 => format!("⚠️ **Expired** on {}, and matches no finding any more: remove it", e.expires),
                n => format!(
                    "⚠️ **Expired** on {}, no longer accepts the {} it matches: renew it or fix the finding",
                    e.expires,
                    plural(n, "finding", "findings")
                ),
            }),
            (&l.expiring_soon, |e| {
                format!(
                    "⏳ **Expires in {}** ({})",
                    plural(e.days_left.max(0) as usize, "day", "days"),
                    e.expires
                )
            }),
            (&l.unused, |_| "🧹 **Matches nothing**: remove it".to_owned()),
            (&l.applied, |e| {
                format!("✔️ **Applied** to {} until {}", plural(e.findings, "finding", "findings"), e.expires)
            }),
        ];
        for (entries, head) in lists {
            for e in entries.iter().take(take) {
                out.push(&format!(
                    "- {} — {} ({}, {})\n",
                    head(e),
                    md(&e.matches, MAX_SHORT),
                    md(&e.owner, MAX_NAME),
                    code(&e.origin, MAX_PATH)
                ));
                if out.over() {
                    return total;
                }
            }
            left += entries.len().saturating_sub(take);
        }
        if left > 0 {
            out.push(&format!("- _… and {} more_\n", num(left)));
        }
        out.push("\n</details>\n\n");
        left
    }

    /// What was left out, the pointer to the full report, and the footer.
    fn tail(&self, out: &mut Out, omitted: &Omitted, max_links: usize) {
        out.push("---\n\n");
        if let Some(note) = self.note {
            out.push(note);
            out.push("\n\n");
        }
        if let Some(left) = self.omitted_note(omitted) {
            out.push(&left);
            out.push("\n\n");
        }
        out.push(&self.pointer(max_links));
        out.push("\n\n");
        out.push(&self.footer());
        out.push("\n");
    }

    fn omitted_note(&self, o: &Omitted) -> Option<String> {
        let fix: usize = o.fix.iter().sum();
        let mut parts = Vec::new();
        if fix > 0 {
            parts.push(format!("{} to fix ({})", num(fix), by_severity(&o.fix)));
        }
        if o.warn > 0 {
            parts.push(plural(o.warn, "warning", "warnings"));
        }
        if o.accepted > 0 {
            parts.push(format!("{} accepted", num(o.accepted)));
        }
        if o.ledger > 0 {
            parts.push(plural(o.ledger, "waiver", "waivers"));
        }
        if parts.is_empty() {
            return None;
        }
        let limit =
            format!("the {}-{} limit of this {}", num(self.budget), self.measure.unit(), self.surface.noun());
        let what = if o.details { "Details are left out" } else { "Not shown here" };
        Some(format!(
            "**Shortened to fit {limit}.** {what}: {}. The full report has all of them.",
            parts.join(", ")
        ))
    }

    /// Where the whole verdict is: the report files, the run, or the command that prints it.
    fn pointer(&self, max_links: usize) -> String {
        let mut links: Vec<String> = self
            .cx
            .reports
            .iter()
            .filter(|r| safe_url(&r.url).is_some())
            .take(max_links)
            .map(|r| link(&md(&r.label, 60), &r.url))
            .collect();
        if let Some(run) = self.cx.run_url.as_deref().filter(|u| safe_url(u).is_some()) {
            links.push(link("CI run", run));
        }
        if links.is_empty() {
            "📄 **Full report:** `verdict run --format json` prints every finding.".to_owned()
        } else {
            format!("📄 **Full report:** {}", links.join(" · "))
        }
    }

    fn footer(&self) -> String {
        footer(self.cx, Some(&self.v.date.to_string()))
    }

    /// The headline, the totals and the pointer, nothing else.
    fn minimal(&self) -> Option<String> {
        let mut out = Out::new(self.measure, self.budget);
        self.head(&mut out);
        let omitted = Omitted {
            fix: self.facts.fix(Some(0)).omitted,
            warn: self.facts.warnings.len(),
            accepted: self.facts.accepted.len(),
            ledger: ledger_len(self.v),
            details: true,
        };
        self.tail(&mut out, &omitted, 1);
        out.finish()
    }

    /// The minimal report cut to the budget: the marker and headline come first, so they are
    /// what survives.
    fn hard_cut(&self) -> String {
        let mut out = Out::new(self.measure, usize::MAX);
        self.head(&mut out);
        self.tail(&mut out, &Omitted::default(), 1);
        cut(&out.s, self.measure, self.budget)
    }
}

/// The longest start of `text` within `budget`.
fn cut(text: &str, measure: Measure, budget: usize) -> String {
    let mut s = String::new();
    let mut used = 0;
    for c in text.chars() {
        let n = match measure {
            Measure::Chars => 1,
            Measure::Bytes => c.len_utf8(),
        };
        if used + n > budget {
            break;
        }
        used += n;
        s.push(c);
    }
    s
}

/// What follows "verdict" in a headline: ` · GATE`, or nothing for the default gate.
fn gate_suffix(cx: &RenderContext) -> String {
    let gate = cx.gate_key();
    if gate == DEFAULT_GATE { String::new() } else { format!(" · {}", md(&gate, 64)) }
}

/// The headline of a run that could not judge, whether it stopped (`stopped`) or judged
/// nothing because of its problems.
fn error_headline(cx: &RenderContext, problems: usize) -> String {
    format!("## 🛑 verdict{}: {}", gate_suffix(cx), super::annotations::error_title(problems))
}

/// The last line: verdict's version, the gate, the day judged (when there was a verdict), the
/// commit and the repository.
fn footer(cx: &RenderContext, judged_on: Option<&str>) -> String {
    let mut parts = vec![format!("verdict {}", md(&cx.version, 40))];
    parts.push(format!("gate {}", code(&cx.gate_key(), 64)));
    if let Some(day) = judged_on {
        parts.push(format!("judged on {day}"));
    }
    if let Some(sha) = cx.commit.as_deref() {
        let short: String = sha.chars().filter(char::is_ascii_hexdigit).take(12).collect();
        if !short.is_empty() {
            parts.push(format!("commit {}", code(&short, 12)));
        }
    }
    if let Some(repo) = cx.repository.as_deref() {
        parts.push(md(repo, MAX_NAME));
    }
    format!("<sub>{}</sub>", parts.join(" · "))
}

/// How a ledger list introduces an entry.
type EntryHead = fn(&LedgerEntry) -> String;

/// What a plan left out.
#[derive(Debug, Default)]
struct Omitted {
    fix: [usize; SEVERITY_BUCKETS],
    warn: usize,
    accepted: usize,
    ledger: usize,
    /// Every finding was left out (headline, counts and pointer only).
    details: bool,
}

/// Most step names in the line of passing steps.
const MAX_PASSED_NAMES: usize = 50;

/// `✅ 3 steps passed · ⏭️ 1 skipped`
fn passed_label(steps: &[&Step]) -> String {
    let skipped = steps.iter().filter(|s| s.outcome == Outcome::Skipped).count();
    let passed = steps.len() - skipped;
    let mut label = Vec::new();
    if passed > 0 {
        label.push(format!("✅ {} passed", plural(passed, "step", "steps")));
    }
    if skipped > 0 {
        label.push(format!("⏭️ {skipped} skipped"));
    }
    label.join(" · ")
}

/// `✅ Passed: **sbom**, **cost** · ⏭️ Skipped: **cost**`
fn passed_line(steps: &[&Step]) -> String {
    let names = |o: Outcome| -> Vec<String> {
        steps.iter().filter(|s| s.outcome == o).map(|s| format!("**{}**", md(&s.name, MAX_NAME))).collect()
    };
    let mut parts = Vec::new();
    for (emoji, word, mut list) in
        [("✅", "Passed", names(Outcome::Pass)), ("⏭️", "Skipped", names(Outcome::Skipped))]
    {
        if list.is_empty() {
            continue;
        }
        let more = list.len().saturating_sub(MAX_PASSED_NAMES);
        list.truncate(MAX_PASSED_NAMES);
        if more > 0 {
            list.push(format!("and {} more", num(more)));
        }
        parts.push(format!("{emoji} {word}: {}", list.join(", ")));
    }
    parts.join(" · ")
}

/// `5 steps: 4 failing, 1 warning` (for a report too short for the table).
fn step_counts(steps: &[Step]) -> String {
    let mut by = [0usize; 5];
    for s in steps {
        let i = match s.outcome {
            Outcome::Error => 0,
            Outcome::Fail => 1,
            Outcome::Warn => 2,
            Outcome::Pass => 3,
            Outcome::Skipped => 4,
        };
        if let Some(n) = by.get_mut(i) {
            *n += 1;
        }
    }
    let words = ["with errors", "failing", "warning", "passed", "skipped"];
    let parts: Vec<String> =
        by.iter().zip(words).filter(|(n, _)| **n > 0).map(|(n, w)| format!("{} {w}", num(*n))).collect();
    format!("{}: {}", plural(steps.len(), "step", "steps"), parts.join(", "))
}

fn ledger_len(v: &Verdict) -> usize {
    let l = &v.waivers;
    l.expired.len() + l.expiring_soon.len() + l.unused.len() + l.applied.len()
}

/// `12,000 CRITICAL · 37,990 HIGH`
fn by_severity(counts: &[usize; SEVERITY_BUCKETS]) -> String {
    counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(b, n)| format!("{} {}", num(*n), bucket_name(b)))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn passed(o: Outcome) -> bool {
    match o {
        Outcome::Pass | Outcome::Skipped => true,
        Outcome::Warn | Outcome::Fail | Outcome::Error => false,
    }
}

fn outcome_emoji(o: Outcome) -> &'static str {
    match o {
        Outcome::Error => "🛑",
        Outcome::Fail => "❌",
        Outcome::Warn => "⚠️",
        Outcome::Pass => "✅",
        Outcome::Skipped => "⏭️",
    }
}

fn count_cell(n: usize) -> String {
    if n == 0 { "–".to_owned() } else { num(n) }
}

/// The severity in bold, unless the message already says it.
fn badge(f: &Finding) -> String {
    match severity_word(f.policy.severity) {
        Some(w) if !has_word(&f.policy.msg, w) => format!("**{w}** "),
        Some(_) | None => String::new(),
    }
}

fn group_key(f: &Finding) -> (&str, &str, &str) {
    (f.step.as_str(), f.policy.namespace.as_str(), f.policy.rule.as_str())
}

/// Findings grouped by step and rule, groups in the order of their first finding.
fn groups<'a>(findings: &[&'a Finding]) -> Vec<Vec<&'a Finding>> {
    let mut index: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    let mut out: Vec<Vec<&'a Finding>> = Vec::new();
    for f in findings {
        let i = *index.entry(group_key(f)).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        if let Some(g) = out.get_mut(i) {
            g.push(*f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters or bytes; the buffer notices when it passes the budget and stops growing.
    #[test]
    fn measures() {
        assert_eq!(Measure::Chars.of("é✅"), 2);
        assert_eq!(Measure::Bytes.of("é✅"), 5);
        let mut out = Out::new(Measure::Chars, 3);
        out.push("ab");
        assert!(!out.over());
        out.push("cd");
        assert!(out.over());
        out.push("ef");
        assert_eq!(out.s, "abcd");
        assert_eq!(out.finish(), None);
    }

    /// Counts read as a sentence.
    #[test]
    fn counts() {
        assert_eq!(by_severity(&[2, 0, 1_200, 0, 0, 0, 1]), "2 CRITICAL · 1,200 MEDIUM · 1 without severity");
        let step = |o: Outcome| Step {
            name: "s".into(),
            namespaces: Vec::new(),
            outcome: o,
            summary: String::new(),
            counts: Default::default(),
        };
        let steps = [step(Outcome::Fail), step(Outcome::Fail), step(Outcome::Pass), step(Outcome::Skipped)];
        assert_eq!(step_counts(&steps), "4 steps: 2 failing, 1 passed, 1 skipped");
        let refs: Vec<&Step> = steps.iter().skip(2).collect();
        assert_eq!(passed_label(&refs), "✅ 1 step passed · ⏭️ 1 skipped");
        assert_eq!(passed_line(&refs), "✅ Passed: **s** · ⏭️ Skipped: **s**");
    }

    /// Every plan after the first shows less, so trying them in order degrades.
    #[test]
    fn plans_shrink() {
        for pair in PLANS.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(a.collapse_passing <= b.collapse_passing);
            assert!(b.top.unwrap_or(usize::MAX) <= a.top.unwrap_or(usize::MAX) || (b.compact && !a.compact));
            assert!(b.rows <= a.rows);
            assert!(a.details >= b.details);
        }
    }
}
