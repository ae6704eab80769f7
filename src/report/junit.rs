//! JUnit XML, for CI test-report views (GitLab's `artifacts:reports:junit`, Jenkins, the
//! test-report actions on GitHub).
//!
//! One `<testsuite>` per step, one `<testcase>` per rule that produced findings in it
//! (classname: the policy package; name: the rule's title and id, stable between runs so that
//! viewers can track it), and one testcase for a step without findings (skipped when the step
//! had nothing to judge). A rule with blocking findings is a failed testcase: the message says
//! how many and the first, the body lists each (what, where, how to fix, fingerprint). A rule
//! with only warnings, or only waived or excepted findings, is a passing testcase whose
//! `system-out` lists them: warnings do not fail the gate, so a red test would contradict the
//! exit code, and "skipped" would say the rule did not run when it did. Under `fail_on: warn`
//! warnings do fail the gate, and their testcase fails. Problems that stopped the judgement are
//! errored testcases of a `verdict` suite, beside a `waivers` testcase for the ledger.
//!
//! Listings stop after [`budget::JUNIT_FINDINGS_PER_TESTCASE`] findings with a count. Pure: a
//! verdict in, XML out; verdict's own JUnit reader reads it back (tested).

use std::fmt::Write as _;

use super::budget;
use super::common::{RuleInfo, Standing, rules, severity_word, standing, warnings_block};
use super::text::{clip, multi_line, num, one_line, xml};
use crate::verdict::{Finding, Outcome, Status, Step, Verdict};

/// Longest message attribute, in characters.
const MAX_MESSAGE: usize = 500;
/// Longest text of one field in a listing, in characters.
const MAX_FIELD: usize = 1_000;

/// One testcase, before it is written.
struct Case {
    classname: String,
    name: String,
    result: CaseResult,
    out: String,
}

/// How a testcase ended.
enum CaseResult {
    Passed,
    Failed { message: String, kind: String, body: String },
    Errored { message: String, kind: String, body: String },
    Skipped { message: String },
}

struct Suite {
    name: String,
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, pick: fn(&CaseResult) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.result)).count()
    }
}

fn is_failed(r: &CaseResult) -> bool {
    matches!(r, CaseResult::Failed { .. })
}
fn is_errored(r: &CaseResult) -> bool {
    matches!(r, CaseResult::Errored { .. })
}
fn is_skipped(r: &CaseResult) -> bool {
    matches!(r, CaseResult::Skipped { .. })
}

/// Renders the verdict as JUnit XML.
pub fn render(v: &Verdict) -> String {
    let all_rules = rules(v);
    let mut suites: Vec<Suite> = v.steps.iter().map(|s| step_suite(v, s, &all_rules)).collect();
    // Findings of a step the verdict does not list (none in practice) still show.
    for r in all_rules.iter().filter(|r| !v.steps.iter().any(|s| s.name == r.step)) {
        match suites.iter_mut().find(|s| s.name == r.step) {
            Some(s) => s.cases.push(rule_case(v, r)),
            None => suites.push(Suite {
                name: r.step.to_owned(),
                properties: Vec::new(),
                cases: vec![rule_case(v, r)],
            }),
        }
    }
    if let Some(s) = verdict_suite(v) {
        suites.push(s);
    }

    let total = |pick: fn(&CaseResult) -> bool| suites.iter().map(|s| s.count(pick)).sum::<usize>();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"verdict\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
        total(is_failed),
        total(is_errored),
        total(is_skipped)
    );
    for s in &suites {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\" timestamp=\"{}T00:00:00\">",
            xml(&one_line(&s.name)),
            s.cases.len(),
            s.count(is_failed),
            s.count(is_errored),
            s.count(is_skipped),
            v.date
        );
        if !s.properties.is_empty() {
            x.push_str("    <properties>\n");
            for (k, val) in &s.properties {
                let _ = writeln!(x, "      <property name=\"{k}\" value=\"{}\"/>", xml(&one_line(val)));
            }
            x.push_str("    </properties>\n");
        }
        for c in &s.cases {
            write_case(&mut x, c);
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

fn write_case(x: &mut String, c: &Case) {
    let _ = write!(
        x,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        xml(&one_line(&c.classname)),
        xml(&one_line(&c.name))
    );
    let element = |tag: &str, message: &str, kind: &str, body: &str| {
        format!(
            "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n",
            xml(&clip(one_line(message), MAX_MESSAGE)),
            xml(&one_line(kind)),
            xml(&multi_line(body))
        )
    };
    let inner = match &c.result {
        CaseResult::Passed => String::new(),
        CaseResult::Failed { message, kind, body } => element("failure", message, kind, body),
        CaseResult::Errored { message, kind, body } => element("error", message, kind, body),
        CaseResult::Skipped { message } => {
            format!("      <skipped message=\"{}\"/>\n", xml(&clip(one_line(message), MAX_MESSAGE)))
        }
    };
    if inner.is_empty() && c.out.is_empty() {
        x.push_str("/>\n");
        return;
    }
    x.push_str(">\n");
    x.push_str(&inner);
    if !c.out.is_empty() {
        let _ = writeln!(x, "      <system-out>{}</system-out>", xml(&multi_line(&c.out)));
    }
    x.push_str("    </testcase>\n");
}

fn step_suite(v: &Verdict, step: &Step, all_rules: &[RuleInfo<'_>]) -> Suite {
    let mut cases: Vec<Case> =
        all_rules.iter().filter(|r| r.step == step.name).map(|r| rule_case(v, r)).collect();
    if cases.is_empty() {
        let result = match step.outcome {
            Outcome::Skipped => CaseResult::Skipped { message: step.summary.clone() },
            // A step that could not be judged (a signature check that could not be made).
            Outcome::Error => CaseResult::Errored {
                message: format!("{}: could not be judged", step.name),
                kind: "verdict/error".into(),
                body: step.summary.clone(),
            },
            Outcome::Pass | Outcome::Warn | Outcome::Fail => CaseResult::Passed,
        };
        cases.push(Case {
            classname: step.namespaces.join(","),
            name: format!("{}: no findings", step.name),
            result,
            out: step.summary.clone(),
        });
    }
    Suite {
        name: step.name.clone(),
        properties: vec![
            ("verdict.outcome", step.outcome.word().to_lowercase()),
            ("verdict.summary", step.summary.clone()),
        ],
        cases,
    }
}

/// `No fixable vulnerability of a blocking severity (verdict.vulnerabilities.deny_fixable)`
fn case_name(r: &RuleInfo<'_>) -> String {
    match r.title {
        Some(t) => format!("{} ({})", one_line(t), r.id),
        None => r.id.clone(),
    }
}

fn rule_case(v: &Verdict, r: &RuleInfo<'_>) -> Case {
    let blocking: Vec<&Finding> =
        r.findings.iter().copied().filter(|f| standing(v, f) == Standing::Blocking).collect();
    let others: Vec<&Finding> =
        r.findings.iter().copied().filter(|f| standing(v, f) != Standing::Blocking).collect();
    let result = match blocking.first() {
        Some(first) => {
            let mut body = String::new();
            if let Some(d) = r.description {
                let _ = writeln!(body, "Why it matters: {}\n", clip(one_line(d), MAX_FIELD));
            }
            body.push_str(&listing(&blocking));
            CaseResult::Failed {
                message: format!("{} to fix: {}", num(blocking.len()), one_line(&first.policy.msg)),
                kind: r.id.clone(),
                body,
            }
        }
        None => CaseResult::Passed,
    };
    Case { classname: r.namespace.to_owned(), name: case_name(r), result, out: listing(&others) }
}

/// The findings, one block each, cut after the budget with a count.
fn listing(findings: &[&Finding]) -> String {
    let mut s = String::new();
    for f in findings.iter().take(budget::JUNIT_FINDINGS_PER_TESTCASE) {
        let mark = match (f.status, f.level) {
            (Status::Open, crate::policy::Level::Fail) => "✗ fail",
            (Status::Open, crate::policy::Level::Warn) => "! warn",
            (Status::Waived, _) => "~ waived",
            (Status::Excepted, _) => "~ excepted",
        };
        let sev = severity_word(f.policy.severity).map(|w| format!(" {w}")).unwrap_or_default();
        let _ = writeln!(s, "{mark}{sev}: {}", clip(one_line(&f.policy.msg), MAX_FIELD));
        let mut place = Vec::new();
        if let Some(file) = f.policy.file.as_deref() {
            place.push(match f.policy.line {
                Some(l) => format!("{}:{l}", one_line(file)),
                None => one_line(file),
            });
        }
        if let Some(purl) = f.policy.purl.as_deref() {
            place.push(one_line(purl));
        }
        if !place.is_empty() {
            let _ = writeln!(s, "  where: {}", clip(place.join(" · "), MAX_FIELD));
        }
        if let Some(fix) = f.policy.remediation.as_deref() {
            let _ = writeln!(s, "  fix: {}", clip(one_line(fix), MAX_FIELD));
        }
        if let Some(w) = &f.waiver {
            let _ = writeln!(
                s,
                "  waived by {} until {} ({}): {}",
                one_line(&w.owner),
                w.expires,
                w.origin,
                clip(one_line(&w.reason), MAX_FIELD)
            );
        }
        let _ = writeln!(s, "  fingerprint: {}", f.policy.fingerprint);
    }
    if findings.len() > budget::JUNIT_FINDINGS_PER_TESTCASE {
        let _ = writeln!(
            s,
            "… and {} more (every finding: the JSON verdict, `verdict run --format json`)",
            num(findings.len() - budget::JUNIT_FINDINGS_PER_TESTCASE)
        );
    }
    s
}

/// Problems and the waiver ledger, when there are any.
fn verdict_suite(v: &Verdict) -> Option<Suite> {
    let mut cases: Vec<Case> = v
        .problems
        .iter()
        .map(|p| Case {
            classname: "verdict".into(),
            name: format!("{}: {}", p.code, one_line(&p.message)),
            result: CaseResult::Errored {
                message: p.message.clone(),
                kind: p.code.clone(),
                body: p.help.clone(),
            },
            out: String::new(),
        })
        .collect();
    let l = &v.waivers;
    if !(l.applied.is_empty() && l.expired.is_empty() && l.expiring_soon.is_empty() && l.unused.is_empty()) {
        let mut out = String::new();
        for (what, list) in [
            ("expired", &l.expired),
            ("unused", &l.unused),
            ("expiring soon", &l.expiring_soon),
            ("applied", &l.applied),
        ] {
            for e in list {
                let _ = writeln!(
                    out,
                    "{what}: {} — {}, until {}, {} finding(s), {}",
                    one_line(&e.matches),
                    one_line(&e.owner),
                    e.expires,
                    e.findings,
                    e.origin
                );
            }
        }
        let attention = l.expired.len() + l.unused.len();
        let result = if attention > 0 && warnings_block(v) {
            CaseResult::Failed {
                message: format!("{} expired or unused (warnings fail this gate)", num(attention)),
                kind: "verdict.waivers".into(),
                body: out.clone(),
            }
        } else {
            CaseResult::Passed
        };
        cases.push(Case { classname: "verdict".into(), name: "waivers".into(), result, out });
    }
    if cases.is_empty() {
        return None;
    }
    Some(Suite {
        name: "verdict".into(),
        properties: vec![("verdict.outcome", v.outcome.word().to_lowercase())],
        cases,
    })
}
