//! Verdicts for the report tests: the demo's, built in-process as `verdict run` builds it, and
//! synthetic ones of any size.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde_json::Map;
use verdict::cli::args::InputSpec;
use verdict::evidence::{Ci, Severity};
use verdict::ingest::Limits;
use verdict::policy::{Finding as PolicyFinding, Level, Options, Policies, pack};
use verdict::report::{RenderContext, ReportLink};
use verdict::verdict::{
    API_VERSION, AppliedWaiver, Counts, EvidenceSummary, Finding, Ledger, Outcome, Settings, Status, Step,
    Verdict, fold,
};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn today() -> Date {
    Date::constant(2026, 11, 21)
}

/// The CI facts the snapshots show, instead of whatever CI runs the tests.
pub fn ci() -> Ci {
    Ci {
        system: "github".into(),
        repository: Some("acme/shop".into()),
        git_ref: Some("feature/discounts".into()),
        commit: Some("4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39".into()),
        pull_request: Some(42),
        run_url: Some("https://github.com/acme/shop/actions/runs/123456789".into()),
    }
}

/// The demo's verdict with `fixtures/demo/verdict.yaml` plus `extra` YAML appended (waivers).
pub fn demo_with(extra: &str) -> Verdict {
    let text = std::fs::read_to_string(root().join("fixtures/demo/verdict.yaml")).unwrap() + extra;
    demo_config(&text)
}

/// The demo's reports judged with the configuration `text` (as if it were the demo's).
pub fn demo_config(text: &str) -> Verdict {
    let dir = PathBuf::from("fixtures/demo");
    let config_path = dir.join("verdict.yaml");
    let (config, _) = verdict::config::load(&config_path, text, |p| std::fs::read_to_string(root().join(p)))
        .unwrap_or_else(|d| panic!("{d:?}"));
    let inputs: Vec<InputSpec> = config
        .inputs
        .named
        .iter()
        .map(|n| InputSpec { kind: n.kind, name: n.name.clone(), path: n.path.clone() })
        .collect();
    // Relative paths, as `verdict run fixtures/demo` shows them: cargo runs integration tests
    // in the crate's root.
    let mut evidence = verdict::cli::gather(std::slice::from_ref(&dir), &inputs, &Limits::default()).unwrap();
    let checks = verdict::cli::config_checks(&config.signatures).unwrap();
    let signed = verdict::sign::verify(&checks, &verdict::sign::Options::public_good());
    evidence.signatures = signed.signatures;
    let policies =
        Policies::build(&pack::files(false), &[], &[config.thresholds.to_data()], Options::default())
            .unwrap();
    let findings = policies.evaluate(&evidence, today()).unwrap();
    let packages: Vec<String> = policies.packages().into_iter().collect();
    let settings = Settings {
        fail_on: config.fail_on,
        required: &config.inputs.required,
        waivers: &config.waivers,
        today: today(),
    };
    let mut v = fold(&evidence, findings, &packages, &settings);
    v.evidence.ci = ci();
    v
}

/// The demo's verdict, as `verdict run fixtures/demo --today 2026-11-21` makes it.
pub fn demo() -> Verdict {
    demo_with("")
}

/// The demo with a required input it does not have: verdict cannot judge.
pub fn demo_error() -> Verdict {
    let text = std::fs::read_to_string(root().join("fixtures/demo/verdict.yaml")).unwrap();
    demo_config(&text.replace(
        "required: [junit, trivy, sbom, custom:cost]",
        "required: [junit, trivy, sbom, custom:cost, spdx, custom:licenses]",
    ))
}

/// A passing run: every step clean but one waived finding, one step skipped.
pub fn passing() -> Verdict {
    let mut p = policy_finding(
        "verdict.vulnerabilities",
        "deny_fixable",
        Level::Fail,
        "HIGH vulnerability CVE-2024-0001 in zlib 1.2.13",
    );
    p.id = Some("CVE-2024-0001".into());
    p.severity = Some(Severity::High);
    p.title = Some("No fixable vulnerability of a blocking severity".into());
    let mut v = verdict_of(vec![finding("vulnerabilities", Status::Waived, p)]);
    let step = |name: &str, outcome: Outcome, summary: &str| Step {
        name: name.into(),
        namespaces: vec![format!("verdict.{name}")],
        outcome,
        summary: summary.into(),
        counts: Counts::default(),
    };
    let mut vulns =
        step("vulnerabilities", Outcome::Pass, "12 vulnerabilities in 1 scan (12 LOW), 3 with a fix");
    vulns.counts.waived = 1;
    v.steps = vec![
        step("tests", Outcome::Pass, "412 tests in 3 reports, all passed"),
        vulns,
        step("misconfigurations", Outcome::Pass, "57 checks, 0 failed"),
        step("sbom", Outcome::Pass, "88 components in 1 SBOM"),
        step("cost", Outcome::Skipped, "no cost estimate given (--input custom:cost=FILE)"),
    ];
    v
}

/// Waivers over the demo: one applied and expiring soon, one applied, one expired, one unused.
pub const DEMO_WAIVERS: &str = include_str!("../../fixtures/waivers/demo.yaml");

/// The context the snapshots use: every link set.
pub fn context(v: &Verdict) -> RenderContext {
    let mut cx = RenderContext::for_verdict(v, "0.1.0");
    cx.anchor = "fixtures/demo/verdict.yaml".into();
    cx.blob_url = Some("https://github.com/acme/shop/blob/4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39".into());
    cx.reports = vec![
        ReportLink {
            label: "verdict.json".into(),
            url: "https://github.com/acme/shop/actions/runs/123456789/artifacts/987".into(),
        },
        ReportLink {
            label: "verdict.sarif".into(),
            url: "https://github.com/acme/shop/security/code-scanning".into(),
        },
    ];
    cx
}

/// A policy finding with the given text; everything else plain.
pub fn policy_finding(namespace: &str, rule: &str, level: Level, msg: &str) -> PolicyFinding {
    PolicyFinding {
        namespace: namespace.into(),
        rule: rule.into(),
        level,
        enforced_from: None,
        excepted: false,
        msg: msg.into(),
        id: None,
        severity: None,
        title: None,
        description: None,
        remediation: None,
        fingerprint: "0123456789abcdef0123456789abcdef".into(),
        purl: None,
        file: None,
        line: None,
        url: None,
        extra: Map::new(),
        policy: format!("policy/{namespace}.rego:1"),
    }
}

/// A verdict finding around a policy finding.
pub fn finding(step: &str, status: Status, p: PolicyFinding) -> Finding {
    let waiver = match status {
        Status::Waived => Some(AppliedWaiver {
            reason: "accepted for now".into(),
            owner: "team".into(),
            expires: Date::constant(2026, 12, 31),
            origin: "verdict.yaml:7".into(),
        }),
        Status::Open | Status::Excepted => None,
    };
    let waiver_snippet = format!(
        "- fingerprint: {}   # {}\n  reason: \"<why this is acceptable for now>\"\n  owner: \"<team or person>\"\n  expires: 2026-12-21",
        p.fingerprint,
        p.id.clone().unwrap_or_else(|| p.msg.chars().take(60).collect())
    );
    Finding { step: step.into(), status, level: p.level, policy: p, waiver, waiver_snippet }
}

/// A verdict made of `findings`, with steps and counts derived from them.
pub fn verdict_of(findings: Vec<Finding>) -> Verdict {
    let mut steps: Vec<Step> = Vec::new();
    for f in &findings {
        if !steps.iter().any(|s| s.name == f.step) {
            steps.push(Step {
                name: f.step.clone(),
                namespaces: vec![f.policy.namespace.clone()],
                outcome: Outcome::Pass,
                summary: format!("your policies (package {})", f.policy.namespace),
                counts: Counts::default(),
            });
        }
    }
    let mut total = Counts::default();
    for f in &findings {
        let Some(s) = steps.iter_mut().find(|s| s.name == f.step) else { continue };
        for c in [&mut s.counts, &mut total] {
            match (f.status, f.level) {
                (Status::Open, Level::Fail) => c.fail += 1,
                (Status::Open, Level::Warn) => c.warn += 1,
                (Status::Waived, _) => c.waived += 1,
                (Status::Excepted, _) => c.excepted += 1,
            }
        }
        s.outcome = if s.counts.fail > 0 {
            Outcome::Fail
        } else if s.counts.warn > 0 {
            Outcome::Warn
        } else {
            Outcome::Pass
        };
    }
    let outcome = if total.fail > 0 {
        Outcome::Fail
    } else if total.warn > 0 {
        Outcome::Warn
    } else {
        Outcome::Pass
    };
    Verdict {
        api_version: API_VERSION.into(),
        outcome,
        fail_on: "fail",
        date: today(),
        counts: total,
        steps,
        problems: Vec::new(),
        notices: Vec::new(),
        findings,
        waivers: Ledger::default(),
        evidence: EvidenceSummary {
            ci: ci(),
            sources: Vec::new(),
            skipped: 0,
            suppressed: Vec::new(),
            suppressed_total: 0,
        },
    }
}

const SEVERITIES: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

/// `n` findings of realistic size over three steps and a dozen rules: mostly open failures,
/// some warnings, some waived and excepted, with files, lines, purls and long remediations.
pub fn large(n: usize) -> Verdict {
    let mut findings = Vec::with_capacity(n);
    for i in 0..n {
        let step = ["vulnerabilities", "misconfigurations", "main"][i % 3];
        let ns = if step == "main" { "main".to_owned() } else { format!("verdict.{step}") };
        let level = if i % 7 == 0 { Level::Warn } else { Level::Fail };
        let rule = format!("{}_{}", if level == Level::Fail { "deny" } else { "warn" }, i % 4);
        let mut p = policy_finding(
            &ns,
            &rule,
            level,
            &format!(
                "CVE-2026-{i:05} in libexample{} 1.{}.0: heap overflow in the parser when reading a crafted header",
                i % 50,
                i % 9
            ),
        );
        p.id = Some(format!("CVE-2026-{i:05}"));
        p.severity = SEVERITIES.get(i % 4).copied();
        p.title = Some(format!("Rule {rule} of {ns}"));
        p.description =
            Some("Why this rule exists, in a sentence or two that a reviewer reads once per rule.".into());
        p.remediation = Some(format!(
            "Upgrade libexample{} to 1.{}.1 or later in services/api/go.mod; if it cannot be upgraded yet, waive it with a reason and an owner",
            i % 50,
            i % 9
        ));
        p.fingerprint = format!("{i:032x}");
        p.purl = Some(format!("pkg:golang/example.com/libexample{}@1.{}.0", i % 50, i % 9));
        if i % 2 == 0 {
            p.file = Some(format!("services/svc{}/main.tf", i % 100));
            p.line = Some((i % 400) as u64 + 1);
        }
        p.url = Some(format!("https://avd.aquasec.com/nvd/cve-2026-{i:05}"));
        let status = match i % 50 {
            1 => Status::Waived,
            2 => {
                p.excepted = true;
                Status::Excepted
            }
            _ => Status::Open,
        };
        findings.push(finding(step, status, p));
    }
    findings.sort_by_key(|f| (f.level, f.status as u8, f.policy.severity));
    verdict_of(findings)
}
