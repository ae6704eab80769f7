//! The verdict: policy findings, waivers, required inputs and `fail_on` folded into steps and
//! one outcome. The versioned document `verdict/verdict/v1` (`docs/verdict.md`).
//!
//! Owns: what a step is, how findings become open, waived or excepted, how outcomes combine
//! (error > fail > warn > pass), the waiver ledger's report, and the snippet that would waive
//! a finding. Takes the evidence, the findings and the configuration as values, with today's
//! date. Pure: no I/O, no clock, no printing.

pub mod waiver;

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::config::{FailOn, Required};
use crate::evidence::{Evidence, Kind, Severity};
use crate::policy::{Finding as PolicyFinding, Level};
use waiver::{EXPIRING_SOON_DAYS, Standing, Subject, Waiver};

/// The `apiVersion` of the verdict document.
pub const API_VERSION: &str = "verdict/verdict/v1";

/// How a run (or a step) ended. Ordered: a later variant outranks an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Nothing to judge (a step whose evidence is absent).
    Skipped,
    /// No open finding.
    Pass,
    /// Open warnings only.
    Warn,
    /// At least one open failure.
    Fail,
    /// verdict could not judge: a required input is missing.
    Error,
}

impl Outcome {
    /// The word, upper-case, as the report shows it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Skipped => "SKIPPED",
            Outcome::Pass => "PASS",
            Outcome::Warn => "WARN",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
        }
    }
}

/// A finding's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Counts toward the outcome.
    Open,
    /// Accepted by a waiver that has not expired.
    Waived,
    /// Suppressed by its package's `exception` rule.
    Excepted,
}

/// The waiver that accepted a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedWaiver {
    /// Why it is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Its last day.
    pub expires: Date,
    /// Where it was written (`verdict.yaml:12`).
    pub origin: String,
}

/// One finding in the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The step it belongs to.
    pub step: String,
    /// Open, waived or excepted.
    pub status: Status,
    /// Fail or warn (the policy's level; serialized once, from the policy's finding).
    #[serde(skip)]
    pub level: Level,
    /// The policy's finding: message, id, severity, remediation, location, …
    #[serde(flatten)]
    pub policy: PolicyFinding,
    /// The waiver that accepted it.
    pub waiver: Option<AppliedWaiver>,
    /// The `waivers:` entry that would accept it, ready to paste into `verdict.yaml`.
    pub waiver_snippet: String,
}

/// Counts of a step's findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Open failures.
    pub fail: usize,
    /// Open warnings.
    pub warn: usize,
    /// Waived findings.
    pub waived: usize,
    /// Excepted findings.
    pub excepted: usize,
}

/// One step: an evidence kind judged by a built-in package, or one of the user's packages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `tests`, `vulnerabilities`, `misconfigurations`, `sbom`, `cost`, or a package name.
    pub name: String,
    /// The policy packages judged in it.
    pub namespaces: Vec<String>,
    /// Its outcome.
    pub outcome: Outcome,
    /// What it looked at, in a phrase (`9 tests in 2 reports: 1 failed, 1 flaky`).
    pub summary: String,
    /// Its findings by standing.
    pub counts: Counts,
}

/// A setting or policy that changes what the gate judges, said beside the verdict: a check
/// turned off by `verdict.yaml` or a data file, a package no option selects, a configuration
/// that is not read. Printed on stderr as a warning, and kept here so that the comment and the
/// JSON verdict tell a gate that judged and passed from one told to judge less.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Stable code (`config/check-disabled`), documented in `docs/diagnostics.md`.
    pub code: String,
    /// What it changes.
    pub message: String,
    /// The file that says so, when one does.
    pub file: Option<String>,
    /// Its line.
    pub line: Option<u64>,
}

impl From<&crate::diag::Diagnostic> for Notice {
    fn from(d: &crate::diag::Diagnostic) -> Notice {
        Notice { code: d.code.clone(), message: d.message.clone(), file: d.file.clone(), line: d.line }
    }
}

/// A problem that stops verdict from judging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable code (`verdict/missing-input`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Problem {
    /// Codes of problems where a service failed, not the input (exit 3).
    pub const INFRASTRUCTURE: &'static [&'static str] = &["sign/registry"];

    /// Whether a service failed (exit 3) rather than the input being wrong (exit 2).
    pub fn is_infrastructure(&self) -> bool {
        Self::INFRASTRUCTURE.contains(&self.code.as_str())
    }
}

/// The environment variables whose values are secrets verdict reads: the publishing tokens and
/// the registry passwords. An artifact may hold one (a failed HTTP test that logged its
/// `Authorization` header): [`Verdict::redact`] keeps it out of everything verdict publishes.
pub const SECRET_VARIABLES: [&str; 6] = [
    "GITHUB_TOKEN",
    "VERDICT_GITLAB_TOKEN",
    "GITLAB_TOKEN",
    "CI_JOB_TOKEN",
    "VERDICT_REGISTRY_PASSWORD",
    "CI_REGISTRY_PASSWORD",
];

/// The values of [`SECRET_VARIABLES`] that are set (of 8 characters or more: shorter ones
/// would replace ordinary words, and no real token is that short).
pub fn known_secrets(var: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut secrets: Vec<String> =
        SECRET_VARIABLES.iter().filter_map(|name| var(name)).filter(|v| v.trim().len() >= 8).collect();
    // The longest first, so that a secret inside another is not replaced in part.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

impl Verdict {
    /// Replaces every occurrence of `secrets` in the verdict's texts (what the artifacts, the
    /// policies and the checks said) with `***`, so that no report, comment, summary or
    /// annotation made from it shows one.
    pub fn redact(&mut self, secrets: &[String]) {
        if secrets.is_empty() {
            return;
        }
        let cut = |text: &mut String| {
            if secrets.iter().any(|s| text.contains(s.as_str())) {
                for s in secrets {
                    *text = text.replace(s.as_str(), "***");
                }
            }
        };
        fn json(value: &mut serde_json::Value, cut: &dyn Fn(&mut String)) {
            use serde_json::Value as Json;
            match value {
                Json::String(s) => cut(s),
                Json::Array(items) => items.iter_mut().for_each(|v| json(v, cut)),
                Json::Object(map) => map.values_mut().for_each(|v| json(v, cut)),
                _ => {}
            }
        }
        for f in &mut self.findings {
            let p = &mut f.policy;
            for text in [&mut p.msg, &mut p.fingerprint, &mut p.policy, &mut f.waiver_snippet] {
                cut(text);
            }
            for text in [
                &mut p.id,
                &mut p.title,
                &mut p.description,
                &mut p.remediation,
                &mut p.purl,
                &mut p.file,
                &mut p.url,
            ]
            .into_iter()
            .flatten()
            {
                cut(text);
            }
            p.extra.values_mut().for_each(|v| json(v, &cut));
        }
        for step in &mut self.steps {
            cut(&mut step.summary);
        }
        for problem in &mut self.problems {
            cut(&mut problem.message);
            cut(&mut problem.help);
        }
    }

    /// Adds problems found before policy (signature checks that could not be made): the
    /// outcome becomes an error, never a pass, and so does the step the problem belongs to
    /// (`sign/…` → `signatures`), so that no report shows that step as passed.
    pub fn add_problems(&mut self, problems: impl IntoIterator<Item = Problem>) {
        let before = self.problems.len();
        self.problems.extend(problems);
        if self.problems.len() > before {
            self.outcome = Outcome::Error;
        }
        let signing = self.problems.iter().skip(before).any(|p| p.code.starts_with("sign/"));
        if signing {
            for step in self.steps.iter_mut().filter(|s| s.name == "signatures") {
                step.outcome = Outcome::Error;
            }
        }
    }
}

/// A waiver, as the ledger reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    /// What it matches.
    pub matches: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub owner: String,
    /// Its last day.
    pub expires: Date,
    /// Days until it expires (negative once expired).
    pub days_left: i32,
    /// Findings it accepted in this run (a finding several active waivers match is accepted by
    /// the one that expires last). For an expired waiver, which accepts nothing, the open
    /// findings it still matches: none means the finding is gone and the waiver can go too.
    pub findings: usize,
    /// Where it was written.
    pub origin: String,
}

/// The waiver ledger's state in this run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ledger {
    /// Active waivers that match at least one finding (`findings` counts those each accepted).
    pub applied: Vec<LedgerEntry>,
    /// Waivers past their `expires` day: they no longer accept anything (a warning each).
    pub expired: Vec<LedgerEntry>,
    /// Active waivers that expire within 14 days and accept a finding no longer-lasting waiver covers.
    pub expiring_soon: Vec<LedgerEntry>,
    /// Active waivers that matched nothing: stale, remove them (a warning each).
    pub unused: Vec<LedgerEntry>,
}

/// The whole verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Always `verdict/verdict/v1` for this shape.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// The outcome of the run.
    pub outcome: Outcome,
    /// Whether warnings fail the gate (`fail` or `warn`).
    pub fail_on: &'static str,
    /// The day the verdict was made (waivers and `effective_on` are judged on it).
    pub date: Date,
    /// Counts over all findings.
    pub counts: Counts,
    /// Steps in a stable order: evidence kinds, then the user's packages.
    pub steps: Vec<Step>,
    /// Problems that stop verdict from judging (the outcome is then `error`).
    pub problems: Vec<Problem>,
    /// Settings and policies that change what the gate judges (warnings of the run).
    pub notices: Vec<Notice>,
    /// Every finding: failures first, then warnings; waived and excepted ones included.
    pub findings: Vec<Finding>,
    /// The waiver ledger.
    pub waivers: Ledger,
    /// The evidence's metadata (CI run, discovery) and sources.
    pub evidence: EvidenceSummary,
}

/// What the verdict was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceSummary {
    /// The CI run.
    pub ci: crate::evidence::Ci,
    /// The artifacts read: path, kind, tool.
    pub sources: Vec<SourceRef>,
    /// Files skipped as unknown.
    pub skipped: usize,
    /// The checks the scanners did not judge because the code or their configuration says
    /// they do not apply (Checkov's `#checkov:skip`, Trivy's exceptions), with their reasons:
    /// they bypass verdict's waivers, so the reports show each. Passed checks are not here.
    pub suppressed: Vec<SuppressedCheck>,
    /// How many checks were suppressed in all, those counted but not listed (Trivy's
    /// exceptions it only counts) included.
    pub suppressed_total: usize,
}

/// A check a scanner was told to skip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressedCheck {
    /// The check (`CKV_AWS_24`).
    pub check_id: String,
    /// The scanner (`checkov`, `trivy`).
    pub tool: String,
    /// `skipped` (in code) or `exception` (by the scanner's configuration).
    pub status: crate::evidence::CheckStatus,
    /// The resource it was skipped on.
    pub resource: Option<String>,
    /// Where.
    pub file: Option<String>,
    /// The line.
    pub line: Option<u64>,
    /// Why, as written beside the skip (`#checkov:skip=ID:reason`).
    pub reason: Option<String>,
}

/// An artifact the verdict was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// Its path.
    pub path: String,
    /// Its kind.
    pub kind: Kind,
    /// The tool that wrote it.
    pub tool: Option<String>,
    /// Its SHA-256.
    pub sha256: String,
}

/// What the fold needs besides the evidence and the findings.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    /// Whether warnings fail the gate.
    pub fail_on: FailOn,
    /// Inputs that must be present.
    pub required: &'a [Required],
    /// The waiver ledger.
    pub waivers: &'a [Waiver],
    /// The day of the run.
    pub today: Date,
}

/// The built-in steps, in the order the report shows them, with the package that judges each.
pub const BUILTIN_STEPS: [(&str, &str); 7] = [
    ("tests", "verdict.tests"),
    ("vulnerabilities", "verdict.vulnerabilities"),
    ("misconfigurations", "verdict.misconfigurations"),
    ("secrets", "verdict.secrets"),
    ("sbom", "verdict.sbom"),
    ("signatures", "verdict.signatures"),
    ("cost", "verdict.cost"),
];

/// The step a package's findings belong to.
pub fn step_of(namespace: &str) -> String {
    BUILTIN_STEPS
        .iter()
        .find(|(_, ns)| *ns == namespace)
        .map(|(step, _)| (*step).to_owned())
        .unwrap_or_else(|| namespace.to_owned())
}

/// Folds everything into a verdict. `packages` are the evaluated packages (so that a package
/// with no finding still shows as a passing step).
pub fn fold(
    evidence: &Evidence,
    findings: Vec<PolicyFinding>,
    packages: &[String],
    settings: &Settings<'_>,
) -> Verdict {
    let today = settings.today;
    let expires = today.checked_add(30.days()).unwrap_or(today).to_string();
    // Per waiver: the findings it accepts, and those it matches (a finding matched by several
    // active waivers is accepted by the one that expires last, which keeps it covered longest).
    let mut usage = vec![0usize; settings.waivers.len()];
    let mut matched = vec![0usize; settings.waivers.len()];
    let mut out: Vec<Finding> = findings
        .into_iter()
        .map(|f| {
            let step = step_of(&f.namespace);
            let level = f.level;
            let mut status = if f.excepted { Status::Excepted } else { Status::Open };
            let mut waiver = None;
            if status == Status::Open {
                let subject = Subject {
                    fingerprint: &f.fingerprint,
                    id: f.id.as_deref(),
                    purl: f.purl.as_deref(),
                    file: f.file.as_deref(),
                };
                let mut hit: Option<(usize, &Waiver)> = None;
                for (i, w) in settings.waivers.iter().enumerate() {
                    if !w.matches(&subject) {
                        continue;
                    }
                    // An expired waiver's matches are counted too: whether it still matches a
                    // finding says whether to renew it or remove it.
                    if let Some(n) = matched.get_mut(i) {
                        *n += 1;
                    }
                    if matches!(w.standing(today), Standing::Active { .. })
                        && hit.is_none_or(|(_, h)| w.expires > h.expires)
                    {
                        hit = Some((i, w));
                    }
                }
                if let Some((i, w)) = hit {
                    if let Some(n) = usage.get_mut(i) {
                        *n += 1;
                    }
                    status = Status::Waived;
                    waiver = Some(AppliedWaiver {
                        reason: w.reason.clone(),
                        owner: w.owner.clone(),
                        expires: w.expires,
                        origin: format!("{}:{}", w.origin.file, w.origin.line),
                    });
                }
            }
            let waiver_snippet = snippet(&f, &expires);
            Finding { step, status, level, policy: f, waiver, waiver_snippet }
        })
        .collect();
    // Failures first, then warnings; within a level by severity, then step and message (then
    // as the policies gave them). The order is found on indices and each finding, hundreds of
    // bytes, moved once: sorting the findings themselves moved each at every merge.
    let mut keyed: Vec<_> = out
        .iter()
        .enumerate()
        .map(|(i, f)| {
            ((f.level, f.status as u8, severity_rank(f.policy.severity), &f.step, &f.policy.msg), i)
        })
        .collect();
    keyed.sort_unstable();
    let mut order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    reorder(&mut out, &mut order);

    // The ledger.
    let mut ledger = Ledger::default();
    for ((w, n), m) in settings.waivers.iter().zip(&usage).zip(&matched) {
        let days_left = match w.standing(today) {
            Standing::Active { days_left } => days_left,
            Standing::Expired { days_ago } => -days_ago,
        };
        let entry = LedgerEntry {
            matches: w.describe(),
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: w.expires,
            days_left,
            findings: *n,
            origin: format!("{}:{}", w.origin.file, w.origin.line),
        };
        if days_left < 0 {
            // It accepts nothing; `findings` says how many open findings it still matches.
            ledger.expired.push(LedgerEntry { findings: *m, ..entry });
            continue;
        }
        // Its expiry is news only when it uncovers a finding: not while a waiver that lasts
        // longer accepts every finding it matches.
        if days_left <= EXPIRING_SOON_DAYS && *n > 0 {
            ledger.expiring_soon.push(entry.clone());
        }
        if *m > 0 {
            ledger.applied.push(entry);
        } else if w.kinds().is_some_and(|kinds| !evidence.sources.iter().any(|s| kinds.contains(&s.kind))) {
            // Its scan was not read this run (a waivers file shared by several jobs): not
            // stale, only not checked. The step says its evidence is missing.
        } else {
            ledger.unused.push(entry);
        }
    }

    // Problems: nothing read at all, and required inputs that are missing.
    let problems: Vec<Problem> = nothing_read(evidence)
        .into_iter()
        .chain(settings.required.iter().filter(|r| !present(evidence, r)).map(missing))
        .collect();

    // Steps: the built-in ones that were evaluated, then the user's packages.
    let mut steps: Vec<Step> = Vec::new();
    let mut user: Vec<&String> = packages.iter().filter(|p| !p.starts_with("verdict.")).collect();
    user.sort();
    user.dedup();
    for (name, ns) in BUILTIN_STEPS {
        if packages.iter().any(|p| p == ns) {
            let summary = evidence_summary(name, evidence).ok_or_else(|| nothing_to_judge(name, evidence));
            steps.push(step(name, vec![ns.to_owned()], &out, summary));
        }
    }
    for ns in user {
        steps.push(step(ns, vec![ns.clone()], &out, Ok(format!("your policies (package {ns})"))));
    }

    let counts = count(out.iter());
    let mut outcome = if !problems.is_empty() {
        Outcome::Error
    } else if counts.fail > 0 {
        Outcome::Fail
    } else if counts.warn > 0 || !ledger.expired.is_empty() || !ledger.unused.is_empty() {
        Outcome::Warn
    } else {
        Outcome::Pass
    };
    if outcome == Outcome::Warn && settings.fail_on == FailOn::Warn {
        outcome = Outcome::Fail;
    }
    Verdict {
        api_version: API_VERSION.to_owned(),
        outcome,
        fail_on: match settings.fail_on {
            FailOn::Fail => "fail",
            FailOn::Warn => "warn",
        },
        date: today,
        counts,
        steps,
        problems,
        notices: Vec::new(),
        findings: out,
        waivers: ledger,
        evidence: EvidenceSummary {
            ci: evidence.meta.ci.clone(),
            sources: evidence
                .sources
                .iter()
                .map(|s| SourceRef {
                    path: s.path.clone(),
                    kind: s.kind,
                    tool: s.tool.as_ref().map(|t| t.name.clone()),
                    sha256: s.sha256.clone(),
                })
                .collect(),
            skipped: evidence.skipped.len(),
            suppressed: evidence
                .misconfigurations
                .iter()
                .filter(|m| m.status.suppressed())
                .map(|m| SuppressedCheck {
                    check_id: m.check_id.clone(),
                    tool: m.tool.clone(),
                    status: m.status,
                    resource: m.resource.clone(),
                    file: m.file.clone(),
                    line: m.start_line,
                    reason: m.skip_reason.clone(),
                })
                .collect(),
            suppressed_total: evidence.misconfigurations.iter().filter(|m| m.status.suppressed()).count()
                + evidence.unkept.suppressed_misconfigurations,
        },
    }
}

fn severity_rank(s: Option<Severity>) -> u8 {
    match s {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        Some(Severity::Info) => 4,
        Some(Severity::Unknown) => 5,
        None => 6,
    }
}

fn count<'a>(findings: impl Iterator<Item = &'a Finding>) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match (f.status, f.level) {
            (Status::Open, Level::Fail) => c.fail += 1,
            (Status::Open, Level::Warn) => c.warn += 1,
            (Status::Waived, _) => c.waived += 1,
            (Status::Excepted, _) => c.excepted += 1,
        }
    }
    c
}

/// A step from its findings and what it looked at: `Ok` what it judged, `Err` why there was
/// nothing to judge (skipped, unless a finding says otherwise).
fn step(name: &str, namespaces: Vec<String>, findings: &[Finding], summary: Result<String, String>) -> Step {
    let counts = count(findings.iter().filter(|f| f.step == name));
    let outcome = if counts.fail > 0 {
        Outcome::Fail
    } else if counts.warn > 0 {
        Outcome::Warn
    } else if summary.is_err() {
        Outcome::Skipped
    } else {
        Outcome::Pass
    };
    let summary = summary.unwrap_or_else(|nothing| nothing);
    Step { name: name.to_owned(), namespaces, outcome, summary, counts }
}

/// Why a built-in step had nothing to judge.
fn nothing_to_judge(step: &str, ev: &Evidence) -> String {
    let read = |kind: Kind| ev.sources.iter().filter(|s| s.kind == kind).count();
    match (step, read(Kind::Trivy), read(Kind::Checkov)) {
        // Read, but none checked a package (see `evidence_summary`).
        ("vulnerabilities", trivy, _) if trivy > 0 => {
            return format!(
                "no package checked for vulnerabilities in {} (a config, secret or license scan, or nothing found to check)",
                plural(trivy, "Trivy report", "Trivy reports")
            );
        }
        // Trivy lists secrets only when it finds some, so a report without one does not say
        // whether its secret scanner ran.
        ("secrets", trivy, _) if trivy > 0 => {
            return format!("no secret reported in {}", plural(trivy, "Trivy report", "Trivy reports"));
        }
        ("misconfigurations", _, checkov) if checkov > 0 => {
            return format!(
                "no check ran in {} (no resource found, or none it could parse)",
                plural(checkov, "Checkov report", "Checkov reports")
            );
        }
        _ => {}
    }
    if step == "tests"
        && let Some(folders) = not_searched(ev)
    {
        return format!("no test results found (JUnit XML); not searched: {folders}");
    }
    match step {
        "tests" => "no test results found (JUnit XML)",
        "vulnerabilities" => "no vulnerability scan found (Trivy JSON)",
        "misconfigurations" => "no infrastructure scan found (Checkov or Trivy config)",
        "secrets" => "no secret scan found (Trivy or Checkov)",
        "sbom" => "no SBOM found (CycloneDX or SPDX)",
        "cost" if ev.custom.contains_key("cost") => {
            "no estimate in the cost input (Infracost's JSON, or estimate_usd)"
        }
        "cost" => "no cost estimate given (--input custom:cost=FILE)",
        "signatures" => "no signature check configured (signatures: in verdict.yaml)",
        _ => "nothing to judge",
    }
    .to_owned()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// What an evidence-kind step looked at; `None` when there was nothing.
fn evidence_summary(step: &str, ev: &Evidence) -> Option<String> {
    let sources = |kinds: &[Kind]| ev.sources.iter().filter(|s| kinds.contains(&s.kind)).count();
    match step {
        "tests" => {
            let n = sources(&[Kind::Junit]);
            if n == 0 {
                return None;
            }
            let t = &ev.tests.totals;
            if t.total == 0 {
                return Some(format!("no test in {}", plural(n, "report", "reports")));
            }
            let mut parts = Vec::new();
            if t.failed > 0 {
                parts.push(format!("{} failed", t.failed));
            }
            if t.errored > 0 {
                parts.push(format!("{} errored", t.errored));
            }
            if t.flaky > 0 {
                parts.push(format!("{} flaky", t.flaky));
            }
            if t.skipped > 0 {
                parts.push(format!("{} skipped", t.skipped));
            }
            let head = format!(
                "{} in {}",
                plural(t.total as usize, "test", "tests"),
                plural(n, "report", "reports")
            );
            Some(if parts.is_empty() {
                format!("{head}, all passed")
            } else if t.skipped == t.total {
                format!("{head}, all skipped")
            } else {
                format!("{head}: {}", parts.join(", "))
            })
        }
        "vulnerabilities" => {
            // A Trivy report that checked no package (a config scan, an image whose operating
            // system Trivy did not recognize) is not a vulnerability scan: "0 vulnerabilities"
            // would say the packages were checked and are clean.
            let n =
                ev.sources.iter().filter(|s| s.kind == Kind::Trivy && s.package_targets != Some(0)).count();
            let vulns = &ev.vulnerabilities;
            if n == 0 {
                return None;
            }
            // Those of a severity the pack does not block may have been counted, not kept.
            let unkept = &ev.unkept;
            let mut by: BTreeMap<Severity, usize> = BTreeMap::new();
            for v in vulns {
                *by.entry(v.severity).or_default() += 1;
            }
            for (severity, count) in Severity::ALL.into_iter().zip(unkept.vulnerabilities) {
                if count > 0 {
                    *by.entry(severity).or_default() += count;
                }
            }
            let parts: Vec<String> = by.iter().map(|(s, c)| format!("{c} {}", s.as_str())).collect();
            let fixable = vulns.iter().filter(|v| !v.fixed_versions.is_empty()).count()
                + unkept.fixable_vulnerabilities;
            let read = vulns.len() + unkept.vulnerabilities();
            Some(format!(
                "{} in {}{}{}",
                plural(read, "vulnerability", "vulnerabilities"),
                plural(n, "scan", "scans"),
                if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) },
                if read == 0 { String::new() } else { format!(", {fixable} with a fix") }
            ))
        }
        "misconfigurations" => {
            let checks = &ev.misconfigurations;
            // The checks that did not fail may not have been kept, only counted.
            let read = checks.len() + ev.unkept.misconfigurations;
            if read == 0 {
                // A report in which no check ran says nothing (`nothing_to_judge` says why).
                return None;
            }
            // No count of scans: Trivy's config scans share the `trivy` kind with its
            // vulnerability scans, and a scan whose checks all passed may have been counted
            // without a record saying where they came from.
            // The failed checks by severity, as the vulnerabilities are: a step that passes
            // over failed checks shows that they are of severities the gate does not block.
            // Checkov without a Prisma Cloud key gives none.
            let mut by: BTreeMap<Severity, usize> = BTreeMap::new();
            let mut without = 0;
            for m in checks.iter().filter(|m| m.status == crate::evidence::CheckStatus::Failed) {
                match m.severity {
                    Some(severity) => *by.entry(severity).or_default() += 1,
                    None => without += 1,
                }
            }
            let failed = by.values().sum::<usize>() + without;
            let suppressed = checks.iter().filter(|m| m.status.suppressed()).count()
                + ev.unkept.suppressed_misconfigurations;
            let mut parts: Vec<String> = by.iter().map(|(s, c)| format!("{c} {}", s.as_str())).collect();
            if without > 0 && !by.is_empty() {
                parts.push(format!("{without} without a severity"));
            }
            // Suppressed checks are counted: a suppression hides a finding from the gate, and
            // a reviewer should see how many there are.
            Some(format!(
                "{}, {failed} failed{}{}",
                plural(read, "check", "checks"),
                if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) },
                if suppressed == 0 { String::new() } else { format!(", {suppressed} suppressed") }
            ))
        }
        "secrets" => {
            let found = &ev.secrets;
            let ignored = match ev.unkept.ignored_secrets {
                0 => String::new(),
                n => format!(
                    "; {} by the scanner's ignore rules, not judged",
                    plural(n, "secret ignored", "secrets ignored")
                ),
            };
            if found.is_empty() {
                return (!ignored.is_empty()).then(|| format!("no secret reported{ignored}"));
            }
            let mut files: Vec<&str> = found.iter().map(|s| s.target.as_str()).collect();
            files.sort_unstable();
            files.dedup();
            Some(format!(
                "{} in {}{ignored}",
                plural(found.len(), "secret", "secrets"),
                plural(files.len(), "file", "files")
            ))
        }
        "sbom" => {
            // A license scanner's findings (Trivy's `--scanners license`) are judged here too.
            let scanned = (!ev.licenses.is_empty()).then(|| {
                format!("{} found by a license scan", plural(ev.licenses.len(), "license", "licenses"))
            });
            let n = sources(&[Kind::Cyclonedx, Kind::Spdx]);
            if n == 0 {
                return scanned;
            }
            let components = match ev.components.len() {
                0 => "no component".to_owned(),
                c => plural(c, "component", "components"),
            };
            let mut sboms = format!("{components} in {}", plural(n, "SBOM", "SBOMs"));
            // A component without a license (none written, NOASSERTION, NONE) is one no license
            // list can judge: said, so that a green step does not read as "every license checked".
            // Packages only: Trivy lists each lockfile as an `application` and the folder it
            // scanned as one, which carry no license and no list would judge.
            let unlicensed = ev
                .components
                .iter()
                .filter(|c| c.licenses.is_empty())
                .filter(|c| c.component_type.as_deref().is_none_or(|t| matches!(t, "library" | "framework")))
                .count();
            if unlicensed > 0 {
                sboms.push_str(&format!(", {unlicensed} without a license (not judged)"));
            }
            Some(match scanned {
                Some(scanned) => format!("{sboms}; {scanned}"),
                None => sboms,
            })
        }
        "cost" => {
            let cost = ev.custom.get("cost")?;
            // As policies/cost.rego reads it: Infracost's own JSON (monthly totals, as
            // strings), or estimate_usd (a number, or a string holding one).
            let infracost = cost.get("projects").is_some_and(serde_json::Value::is_array)
                && cost.get("totalMonthlyCost").is_some();
            let (value, per) = if infracost {
                (cost.get("totalMonthlyCost")?, Some("month"))
            } else {
                (cost.get("estimate_usd")?, cost.get("period").and_then(serde_json::Value::as_str))
            };
            let est = value.as_f64().or_else(|| value.as_str()?.trim().parse::<f64>().ok())?;
            let currency = cost.get("currency").and_then(serde_json::Value::as_str).unwrap_or("USD");
            let per = per.map(|p| format!("/{p}")).unwrap_or_default();
            Some(if currency.eq_ignore_ascii_case("USD") {
                format!("estimate ${est:.2}{per}")
            } else {
                format!("estimate {est:.2} {currency}{per}")
            })
        }
        "signatures" => {
            if ev.signatures.is_empty() {
                return None;
            }
            let ok = ev.signatures.iter().filter(|s| s.verified).count();
            let mut reasons: Vec<&str> =
                ev.signatures.iter().filter_map(|s| s.reason.map(|r| r.as_str())).collect();
            reasons.sort_unstable();
            reasons.dedup();
            let mut text = format!("{ok} of {} verified", ev.signatures.len());
            if !reasons.is_empty() {
                text.push_str(&format!(" ({})", reasons.join(", ")));
            }
            Some(text)
        }
        _ => None,
    }
}

fn present(ev: &Evidence, r: &Required) -> bool {
    match r {
        Required::Kind(k) => ev.sources.iter().any(|s| s.kind == *k),
        Required::Sbom => ev.sources.iter().any(|s| matches!(s.kind, Kind::Cyclonedx | Kind::Spdx)),
        Required::Custom(name) => ev.custom.contains_key(name),
    }
}

/// A run that read no artifact and checked no signature has judged nothing. Its steps would
/// all be skipped and the gate would pass: the artifacts were not downloaded into this job, or
/// verdict was pointed at the wrong folder, and either must not read as a pass.
fn nothing_read(ev: &Evidence) -> Option<Problem> {
    if !ev.sources.is_empty() || !ev.signatures.is_empty() {
        return None;
    }
    let d = &ev.meta.discovery;
    let examined = match d.files_examined {
        0 => "no file was found".to_owned(),
        n => format!(
            "{} examined, {} of them XML or JSON of no kind verdict reads",
            plural(n as usize, "file", "files"),
            d.skipped_structured
        ),
    };
    let examined = match not_searched(ev) {
        Some(folders) => format!("{examined}; not searched: {folders}"),
        None => examined,
    };
    Some(Problem {
        code: "verdict/nothing-read".into(),
        message: format!("no CI artifact was read: {examined}"),
        help: "point verdict at the folder with the test results, scans and SBOMs (`verdict run PATH`, or inputs.paths; with verdict's image, mount it at /work: `docker run -v \"$PWD:/work:ro\" …`), and make sure this job has the earlier jobs' artifacts; `verdict run -v` lists each file skipped and why".to_owned(),
    })
}

/// The `target` folders and symbolic links discovery did not search, and how to have one
/// read: a Maven build writes its test reports in `target/surefire-reports`, Bazel its test
/// logs behind the link `bazel-testlogs`, and both are skipped unless named. (`node_modules`
/// folders, also not searched, hold no report of the project's.)
fn not_searched(ev: &Evidence) -> Option<String> {
    let listed = &ev.meta.discovery.not_searched;
    let folders: Vec<&str> = listed.iter().map(String::as_str).filter(|f| f.ends_with("target/")).collect();
    let links: Vec<&str> = listed.iter().map(String::as_str).filter(|f| f.ends_with('@')).collect();
    let mut said = Vec::new();
    if let Some(first) = folders.first() {
        said.push(format!(
            "{} (target folders are read only when named: `verdict run . {first}surefire-reports`)",
            folders.join(", ")
        ));
    }
    if let Some(first) = links.first() {
        said.push(format!(
            "{} (symbolic links are followed only when named: `verdict run . {}`)",
            links.join(", "),
            first.trim_end_matches('@')
        ));
    }
    (!said.is_empty()).then(|| said.join("; "))
}

fn missing(r: &Required) -> Problem {
    let (what, help) = match r {
        Required::Kind(Kind::Junit) => (
            "JUnit XML test results".to_owned(),
            "make the test step write JUnit XML (surefire does by default; pytest --junitxml=…; jest-junit; go-junit-report) and keep it for this job".to_owned(),
        ),
        Required::Kind(Kind::Trivy) => (
            "a Trivy JSON report".to_owned(),
            "run `trivy image|fs --format json --output trivy.json …` before verdict".to_owned(),
        ),
        Required::Kind(Kind::Checkov) => (
            "a Checkov JSON report".to_owned(),
            "run `checkov -d . -o json > checkov.json` before verdict".to_owned(),
        ),
        Required::Kind(k @ (Kind::Cyclonedx | Kind::Spdx)) | Required::Kind(k @ Kind::Custom) => {
            (k.describe().to_owned(), "produce it in an earlier step and keep it for this job".to_owned())
        }
        Required::Sbom => (
            "an SBOM (CycloneDX or SPDX)".to_owned(),
            "generate one: cyclonedx-maven-plugin, `npx @cyclonedx/cyclonedx-npm`, `cyclonedx-py environment`, `trivy fs --format cyclonedx`".to_owned(),
        ),
        Required::Custom(name) => (
            format!("the custom input `{name}`"),
            format!("name it with --input custom:{name}=FILE or in inputs.named"),
        ),
    };
    Problem {
        code: "verdict/missing-input".into(),
        message: format!("{what} is required, and none was found"),
        help: format!("{help}; required inputs are listed in verdict.yaml (inputs.required)"),
    }
}

/// The `waivers:` entry that would accept a finding: by fingerprint, with what it is as a
/// comment, expiring in 30 days.
fn snippet(f: &PolicyFinding, expires: &str) -> String {
    let what = f.id.as_deref().unwrap_or(&f.msg);
    let what = what.chars().take(if f.id.is_some() { usize::MAX } else { 60 });
    let mut out = String::with_capacity(160 + f.fingerprint.len() + what.size_hint().0.min(200));
    out.push_str("- fingerprint: ");
    out.push_str(&f.fingerprint);
    out.push_str("   # ");
    out.extend(what.map(|c| if c.is_control() { ' ' } else { c }));
    out.push_str(
        "\n  reason: \"<why this is acceptable for now>\"\n  owner: \"<team or person>\"\n  expires: ",
    );
    out.push_str(expires);
    out
}

/// Puts `items` in `order` in place: position `k` gets the element that was at `order[k]`
/// (`order` is a permutation of the positions, and is used up). Each element moves along its
/// cycle, as in the standard library's `sort_by_cached_key`: `order[i]` is updated to where the
/// element first at `i` went, so that a later position that wants it finds it.
fn reorder<T>(items: &mut [T], order: &mut [usize]) {
    for i in 0..order.len().min(items.len()) {
        let Some(mut from) = order.get(i).copied() else { break };
        while from < i {
            match order.get(from) {
                Some(&next) => from = next,
                None => break,
            }
        }
        if let Some(slot) = order.get_mut(i) {
            *slot = from;
        }
        if from < items.len() {
            items.swap(i, from);
        }
    }
}

#[cfg(test)]
mod tests;
