//! The terminal report: what a person reads first is the outcome and the few things to fix.
//!
//! Layout: the outcome line; one line per step with its counts; the failures to fix, grouped
//! by rule (why once, then for each finding what, where, how to fix, and the waiver entry that
//! would accept it); warnings, one line each; the waiver ledger; the exit line. Long lists are
//! cut with a count and a pointer to `--format json`. Pure: a verdict in, text out. Text from
//! artifacts and policies is sanitized (no control characters reach the terminal).

use std::fmt::Write as _;

use super::text::{has_word, one_line};
use crate::diag::clean;
use crate::policy::Level;
use crate::verdict::{Finding, Outcome, Status, Verdict};

/// Rendering choices.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours (only on a terminal, and never with `NO_COLOR`).
    pub color: bool,
    /// Most failures shown per rule before cutting.
    pub max_fail_per_rule: usize,
    /// Most warnings shown in all.
    pub max_warn: usize,
    /// Columns a message or a remediation is wrapped at (the indented lines are up to ten
    /// columns wider): [`TEXT_WIDTH`], or less on a narrower terminal ([`text_width`]).
    pub width: usize,
    /// The exit line, when the run ends otherwise than the verdict says (its report files
    /// could not be written: exit 2 after a verdict of 0 or 1).
    pub exit_line: Option<&'static str>,
}

impl Default for Style {
    fn default() -> Self {
        Style { color: false, max_fail_per_rule: 5, max_warn: 10, width: TEXT_WIDTH, exit_line: None }
    }
}

/// The widest a message is wrapped at: wider lines are harder to read, even on a wide terminal.
pub const TEXT_WIDTH: usize = 100;

/// The width to wrap text at for a terminal of `columns` (its size, or `COLUMNS`): what fits
/// beside the indent and the severity, between 40 and [`TEXT_WIDTH`].
pub fn text_width(columns: Option<usize>) -> usize {
    columns.map_or(TEXT_WIDTH, |c| c.saturating_sub(16).clamp(40, TEXT_WIDTH))
}

/// Longest text shown for a name (a waiver's owner), a field (a path, a purl, a URL, a step's
/// summary) and any other text from outside, in characters: artifacts, policies and the
/// configuration cannot make one line of the report longer.
const MAX_NAME: usize = 80;
const MAX_FIELD: usize = 200;
const MAX_TEXT: usize = 300;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
    fn red(&self, t: &str) -> String {
        self.wrap("1;31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.wrap("1;33", t)
    }
    fn green(&self, t: &str) -> String {
        self.wrap("1;32", t)
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn outcome(&self, o: Outcome, t: &str) -> String {
        match o {
            Outcome::Fail | Outcome::Error => self.red(t),
            Outcome::Warn => self.yellow(t),
            Outcome::Pass => self.green(t),
            Outcome::Skipped => self.dim(t),
        }
    }
}

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Fail | Outcome::Error => "✗",
        Outcome::Warn => "!",
        Outcome::Pass => "✓",
        Outcome::Skipped => "-",
    }
}

/// CI runners read a line of a job's output as a command when, after its indentation, it
/// starts with `::` (GitHub Actions workflow commands such as `::add-mask::`) or holds `##[`
/// (the older form, anywhere). Text from artifacts must never become one: a zero-width space
/// breaks the pattern and stays invisible to a reader.
fn defuse(text: String) -> String {
    let text = if text.contains("##[") { text.replace("##[", "##\u{200b}[") } else { text };
    if text.trim_start().starts_with("::") { format!("\u{200b}{text}") } else { text }
}

/// Text from outside, made safe (see [`clean`]) and at most `max` characters long.
fn short(text: &str, max: usize) -> String {
    let cleaned = clean(text);
    if cleaned.chars().count() <= max {
        cleaned
    } else {
        let cut: String = cleaned.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// One line of text from outside, made safe and short.
fn line(text: &str, max: usize) -> String {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    defuse(short(first, max))
}

/// Text from outside, made safe, wrapped at `width` columns, at most `max_lines` lines (the last
/// one marked with `…` when cut). A word longer than a line (a URL, a path) gets a line of its
/// own, and is broken only past [`MAX_TEXT`] characters.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    'text: for para in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut cur = String::new();
        let mut cur_len = 0;
        for word in clean(para).split(' ').filter(|w| !w.is_empty()) {
            let mut chars: Vec<char> = word.chars().collect();
            while !chars.is_empty() {
                let take = chars.len().min(MAX_TEXT);
                if cur_len > 0 && cur_len + 1 + take > width {
                    lines.push(std::mem::take(&mut cur));
                    cur_len = 0;
                    if lines.len() > max_lines {
                        break 'text;
                    }
                }
                if cur_len > 0 {
                    cur.push(' ');
                    cur_len += 1;
                }
                cur.extend(chars.drain(..take));
                cur_len += take;
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        if lines.len() > max_lines {
            break;
        }
    }
    for l in &mut lines {
        *l = defuse(std::mem::take(l));
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    lines
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// Renders the verdict for a terminal.
pub fn render(v: &Verdict, style: Style) -> String {
    let p = Paint { on: style.color };
    let mut s = String::new();

    // 1. The outcome, first.
    let head = match v.outcome {
        Outcome::Error => format!(
            "{} ERROR  verdict could not judge: {}",
            mark(v.outcome),
            plural(v.problems.len(), "problem", "problems")
        ),
        Outcome::Fail => {
            let mut parts = vec![format!("{} to fix", v.counts.fail)];
            if v.counts.fail == 0 && v.fail_on == "warn" {
                parts = vec![format!("{} (warnings fail this gate)", super::common::attention(v))];
            } else if v.counts.warn > 0 {
                parts.push(plural(v.counts.warn, "warning", "warnings"));
            }
            format!("{} FAIL  {}", mark(v.outcome), parts.join(" · "))
        }
        Outcome::Warn => format!("{} WARN  nothing blocks; {}", mark(v.outcome), super::common::attention(v)),
        Outcome::Pass | Outcome::Skipped => format!("{} PASS  nothing to fix", mark(Outcome::Pass)),
    };
    let mut extras = Vec::new();
    if v.counts.waived > 0 {
        extras.push(format!("{} waived", v.counts.waived));
    }
    if v.counts.excepted > 0 {
        extras.push(format!("{} excepted", v.counts.excepted));
    }
    extras.push(format!("{} read", plural(v.evidence.sources.len(), "artifact", "artifacts")));
    let _ = writeln!(
        s,
        "{}  {}",
        p.outcome(v.outcome, &p.bold(&head)),
        p.dim(&format!("({})", extras.join(", ")))
    );
    s.push('\n');

    // 2. Problems that stopped the judgement.
    for problem in &v.problems {
        let _ = writeln!(s, "  {} {}", p.red("✗"), short(&problem.message, MAX_TEXT));
        let _ = writeln!(s, "    {} {}", p.dim("fix"), short(&problem.help, MAX_TEXT));
    }
    if !v.problems.is_empty() {
        s.push('\n');
    }

    // 3. Steps with counts.
    let width = v.steps.iter().map(|st| st.name.chars().count().min(MAX_NAME)).max().unwrap_or(0).max(5);
    for st in &v.steps {
        let mut counts = Vec::new();
        if st.counts.fail > 0 {
            counts.push(p.red(&format!("{} to fix", st.counts.fail)));
        }
        if st.counts.warn > 0 {
            counts.push(p.yellow(&plural(st.counts.warn, "warning", "warnings")));
        }
        if st.counts.waived > 0 {
            counts.push(p.dim(&format!("{} waived", st.counts.waived)));
        }
        if st.counts.excepted > 0 {
            counts.push(p.dim(&format!("{} excepted", st.counts.excepted)));
        }
        let tail = if counts.is_empty() { String::new() } else { format!("  — {}", counts.join(", ")) };
        let name = format!("{:<width$}", short(&st.name, MAX_NAME));
        let _ = writeln!(
            s,
            "  {} {}  {}{}",
            p.outcome(st.outcome, mark(st.outcome)),
            p.bold(&name),
            short(&st.summary, MAX_FIELD),
            tail
        );
    }

    // 4. What to fix: open failures, grouped by rule (its most severe finding first decides
    // where the group stands), at most `max_fail_per_rule` of each, the rest counted under it.
    let fails: Vec<&Finding> =
        v.findings.iter().filter(|f| f.status == Status::Open && f.level == Level::Fail).collect();
    if !fails.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold(&format!("To fix ({})", fails.len())));
        let mut groups: Vec<((&str, &str), Vec<&Finding>)> = Vec::new();
        for f in &fails {
            let key = (f.step.as_str(), f.policy.rule.as_str());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(f),
                None => groups.push((key, vec![f])),
            }
        }
        for (_, members) in &groups {
            let Some(first) = members.first() else { continue };
            let shown = members.len().min(style.max_fail_per_rule);
            let title = first
                .policy
                .title
                .as_deref()
                .map(|t| line(t, style.width))
                .unwrap_or_else(|| format!("{}.{}", first.policy.namespace, first.policy.rule));
            let count = match members.len() {
                1 => String::new(),
                n if shown < n => format!(" ({shown} of {n} shown)"),
                n => format!(" ({n})"),
            };
            let _ = writeln!(
                s,
                "\n  {} {}{}",
                p.dim(&format!("{} ·", short(&first.step, MAX_NAME))),
                p.bold(&title),
                count
            );
            if let Some(why) = &first.policy.description {
                for l in wrap(why, style.width, 3) {
                    let _ = writeln!(s, "  {}", p.dim(&l));
                }
            }
            for f in members.iter().take(shown) {
                finding_block(&mut s, &p, f, style.width);
            }
            if members.len() > shown {
                let _ = writeln!(
                    s,
                    "    {} and {} more of this rule (all of them: --format json)",
                    p.dim("…"),
                    members.len() - shown
                );
            }
        }
    }

    // 5. Warnings, each with its remedy.
    let warns: Vec<&Finding> =
        v.findings.iter().filter(|f| f.status == Status::Open && f.level == Level::Warn).collect();
    if !warns.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold(&format!("Warnings ({})", warns.len())));
        for f in warns.iter().take(style.max_warn) {
            let msg = wrap(&one_line(&f.policy.msg), style.width, 2);
            for (i, l) in msg.iter().enumerate() {
                if i == 0 {
                    let mut text = format!("{} {l}", p.dim(&format!("{} ·", short(&f.step, MAX_NAME))));
                    if let Some(from) = f.policy.enforced_from {
                        let _ = write!(text, " {}", p.yellow(&format!("(fails from {from})")));
                    }
                    let _ = writeln!(s, "  {} {text}", p.yellow("!"));
                } else {
                    let _ = writeln!(s, "    {l}");
                }
            }
            // Up to four lines: a warning's remedy often ends with what to act on (the
            // advisory's link, the skip comment to write), which two lines cut off.
            if let Some(fix) = &f.policy.remediation {
                for (i, l) in wrap(&one_line(fix), style.width - 4, 4).iter().enumerate() {
                    let _ = writeln!(s, "      {} {l}", p.dim(if i == 0 { "fix" } else { "   " }));
                }
            }
        }
        if warns.len() > style.max_warn {
            let _ = writeln!(
                s,
                "  {} and {} more (all of them: --format json)",
                p.dim("…"),
                warns.len() - style.max_warn
            );
        }
    }

    // 6. Accepted findings stay visible: waived (with who and until when) and excepted.
    let accepted: Vec<&Finding> = v.findings.iter().filter(|f| f.status != Status::Open).collect();
    if !accepted.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold(&format!("Accepted ({})", accepted.len())));
        for f in accepted.iter().take(style.max_warn) {
            let how = match (&f.status, &f.waiver) {
                (Status::Waived, Some(w)) => {
                    format!(
                        "waived by {} until {} ({}): {}",
                        short(&w.owner, MAX_NAME),
                        w.expires,
                        short(&w.origin, MAX_FIELD),
                        line(&w.reason, 80)
                    )
                }
                _ => format!("excepted by {}.exception", short(&f.policy.namespace, MAX_NAME)),
            };
            let _ = writeln!(
                s,
                "  {} {} {}",
                p.dim("~"),
                p.dim(&format!("{} ·", short(&f.step, MAX_NAME))),
                line(&f.policy.msg, style.width)
            );
            let _ = writeln!(s, "      {}", p.dim(&how));
        }
        if accepted.len() > style.max_warn {
            let _ = writeln!(
                s,
                "  {} and {} more (all of them: --format json)",
                p.dim("…"),
                accepted.len() - style.max_warn
            );
        }
    }

    // 7. The waiver ledger.
    let l = &v.waivers;
    if !(l.applied.is_empty() && l.expired.is_empty() && l.expiring_soon.is_empty() && l.unused.is_empty()) {
        let _ = writeln!(s, "\n{}", p.bold("Waivers"));
        if !l.applied.is_empty() {
            let n: usize = l.applied.iter().map(|e| e.findings).sum();
            let _ = writeln!(
                s,
                "  {} {} accepting {}",
                p.dim("•"),
                plural(l.applied.len(), "waiver", "waivers"),
                plural(n, "finding", "findings")
            );
        }
        for e in &l.expiring_soon {
            let _ = writeln!(
                s,
                "  {} expires in {}: {} ({}, {})",
                p.yellow("!"),
                plural(e.days_left.max(0) as usize, "day", "days"),
                short(&e.matches, MAX_FIELD),
                short(&e.owner, MAX_NAME),
                short(&e.origin, MAX_FIELD)
            );
        }
        for e in &l.expired {
            let _ = writeln!(
                s,
                "  {} expired on {}, {}: {} ({}, {})",
                p.yellow("!"),
                e.expires,
                if e.findings == 0 { "matches no finding any more, remove it" } else { "no longer applies" },
                short(&e.matches, MAX_FIELD),
                short(&e.owner, MAX_NAME),
                short(&e.origin, MAX_FIELD)
            );
        }
        for e in &l.unused {
            let _ = writeln!(
                s,
                "  {} matches nothing, remove it: {} ({})",
                p.yellow("!"),
                short(&e.matches, MAX_FIELD),
                short(&e.origin, MAX_FIELD)
            );
        }
    }

    // 8. The exit line.
    let exit = match v.outcome {
        // A service that failed (a registry out of reach) is exit 3, as `cli::run` decides.
        Outcome::Error if v.problems.iter().any(crate::verdict::Problem::is_infrastructure) => {
            "exit 3: verdict could not judge — a service it needs failed (see above); run it again"
        }
        Outcome::Error => "exit 2: verdict could not judge — fix the problems above",
        Outcome::Fail => "exit 1: the gate failed",
        Outcome::Warn | Outcome::Pass | Outcome::Skipped => "exit 0: the gate passed",
    };
    let line = match style.exit_line {
        Some(line) => line.to_owned(),
        None => format!("{exit}. The whole verdict: --format json"),
    };
    let _ = writeln!(s, "\n{}", p.dim(&line));
    // `clean` keeps artifact text on verdict's own lines, so no line can start with `::`; but
    // the runner finds `##[` anywhere in a line, including in the middle of a step's summary or
    // a problem's message: break every one, once, here.
    if s.contains("##[") { s.replace("##[", "##\u{200b}[") } else { s }
}

fn finding_block(s: &mut String, p: &Paint, f: &Finding, width: usize) {
    // The severity leads unless the message already says it.
    let sev = f
        .policy
        .severity
        .filter(|x| !has_word(&f.policy.msg, x.as_str()))
        .map(|x| format!("{} ", x.as_str()))
        .unwrap_or_default();
    for (i, l) in wrap(&one_line(&f.policy.msg), width, 3).iter().enumerate() {
        if i == 0 {
            let _ = writeln!(s, "    {} {}{}", p.red("✗"), p.bold(&sev), p.bold(l));
        } else {
            let _ = writeln!(s, "      {}", p.bold(l));
        }
    }
    let mut place = String::new();
    if let Some(file) = &f.policy.file {
        place.push_str(&short(file, MAX_FIELD));
        if let Some(l) = f.policy.line {
            let _ = write!(place, ":{l}");
        }
    }
    if let Some(purl) = &f.policy.purl {
        if !place.is_empty() {
            place.push_str(" · ");
        }
        place.push_str(&short(purl, MAX_FIELD));
    }
    if !place.is_empty() {
        let _ = writeln!(s, "        {}  {}", p.dim("where"), place);
    }
    if let Some(fix) = &f.policy.remediation {
        for (i, l) in wrap(&one_line(fix), width - 8, 6).iter().enumerate() {
            let label = if i == 0 { "fix  " } else { "     " };
            let _ = writeln!(s, "        {}  {}", p.dim(label), l);
        }
    }
    if let Some(url) = &f.policy.url {
        let _ = writeln!(s, "        {}  {}", p.dim("more "), short(url, MAX_FIELD));
    }
    let mut first = true;
    for l in f.waiver_snippet.lines() {
        let label = if first { "waive" } else { "     " };
        first = false;
        let _ = writeln!(s, "        {}  {}", p.dim(label), p.dim(&defuse(short(l, MAX_TEXT))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A narrow terminal wraps text narrower, never below 40 columns; a wide one no wider
    /// than [`TEXT_WIDTH`].
    #[test]
    fn text_width_follows_the_terminal() {
        assert_eq!(text_width(None), TEXT_WIDTH);
        assert_eq!(text_width(Some(80)), 64);
        assert_eq!(text_width(Some(116)), TEXT_WIDTH);
        assert_eq!(text_width(Some(20)), 40);
        assert_eq!(text_width(Some(300)), TEXT_WIDTH);
    }

    /// Long text wraps at word boundaries and is cut after the last allowed line.
    #[test]
    fn wraps() {
        assert_eq!(wrap("one two three four", 9, 5), ["one two", "three", "four"]);
        assert_eq!(wrap("one two three four", 9, 2), ["one two", "three …"]);
        assert_eq!(wrap("a\n\nb", 10, 5), ["a", "b"]);
        // A word longer than a line gets one of its own; a huge one is broken, never printed whole.
        let (b150, x) = ("b".repeat(150), "x".repeat(1_000_000));
        assert_eq!(wrap(&format!("a {b150} c"), 100, 5), ["a", b150.as_str(), "c"]);
        assert_eq!(wrap(&x, 100, 2), ["x".repeat(MAX_TEXT), format!("{} …", "x".repeat(MAX_TEXT))]);
        assert_eq!(short(&x, 5), "xxxx…");
    }

    /// Control characters in messages never reach the terminal, colours only when asked.
    #[test]
    fn safe_text() {
        assert_eq!(line("a\x1b[2Jb\nsecond", 50), "a\u{fffd}[2Jb");
        assert_eq!(line("x".repeat(10).as_str(), 5), "xxxx…");
        let p = Paint { on: false };
        assert_eq!(p.red("t"), "t");
        assert_eq!(Paint { on: true }.red("t"), "\x1b[1;31mt\x1b[0m");
    }

    /// Text from artifacts never becomes a CI runner command, wherever wrapping puts it.
    #[test]
    fn no_workflow_commands() {
        let hostile = "assertion failed ::add-mask::secret and ##[error]boom";
        for l in wrap(hostile, 16, 10) {
            assert!(!l.trim_start().starts_with("::"), "{l:?}");
            assert!(!l.contains("##["), "{l:?}");
        }
        assert!(!line("::warning file=x::fake", 80).starts_with("::"));
    }
}
