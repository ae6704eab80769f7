//! Folding findings, waivers and required inputs into a verdict.

use super::waiver::{Matcher, Origin, Waiver};
use super::*;
use crate::evidence::{Meta, Source, TestStatus};

fn finding(ns: &str, rule: &str, level: Level, msg: &str, fp: &str) -> PolicyFinding {
    PolicyFinding {
        namespace: ns.into(),
        rule: rule.into(),
        level,
        enforced_from: None,
        excepted: false,
        msg: msg.into(),
        id: Some(format!("ID-{fp}")),
        severity: Some(Severity::High),
        title: None,
        description: None,
        remediation: None,
        fingerprint: fp.into(),
        purl: None,
        file: Some("services/shop/package-lock.json".into()),
        line: None,
        url: None,
        extra: Default::default(),
        policy: "p.rego:1".into(),
    }
}

fn waiver(fp: &str, expires: &str) -> Waiver {
    Waiver {
        matcher: Matcher { fingerprint: Some(fp.into()), id: None, purl: None, path: None },
        reason: "accepted".into(),
        owner: "team".into(),
        expires: expires.parse().expect("date"),
        origin: Origin { file: "verdict.yaml".into(), line: 7 },
    }
}

fn today() -> Date {
    "2026-11-21".parse().expect("date")
}

fn settings<'a>(waivers: &'a [Waiver], required: &'a [Required], fail_on: FailOn) -> Settings<'a> {
    Settings { fail_on, required, waivers, today: today() }
}

fn packages() -> Vec<String> {
    vec!["verdict.tests".into(), "verdict.vulnerabilities".into(), "main".into()]
}

/// Evidence of one JUnit report read: a run that read nothing is an error of its own
/// (`nothing_read_is_an_error`).
fn read_one() -> Evidence {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(junit_source("junit.xml"));
    ev
}

/// A run that read no artifact and checked no signature is an error, not a pass of skipped
/// steps: the artifacts were not there. The message says what was looked at.
#[test]
fn nothing_read_is_an_error() {
    let mut ev = Evidence::new(Meta::default());
    ev.meta.discovery.files_examined = 3;
    ev.meta.discovery.skipped_structured = 2;
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.outcome, Outcome::Error);
    let codes: Vec<&str> = v.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["verdict/nothing-read"]);
    assert_eq!(
        v.problems[0].message,
        "no CI artifact was read: 3 files examined, 2 of them XML or JSON of no kind verdict reads"
    );
    ev.meta.discovery = Default::default();
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.problems[0].message, "no CI artifact was read: no file was found");
    // A Maven build's reports under target/, which discovery skips: said, with how to read them.
    ev.meta.discovery.not_searched = vec!["node_modules/".into(), "target/".into()];
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(
        v.problems[0].message,
        "no CI artifact was read: no file was found; not searched: target/ (target folders are read only when named: `verdict run . target/surefire-reports`)"
    );
    // Bazel's test logs behind a link, which discovery does not follow: said too.
    ev.meta.discovery.not_searched = vec!["bazel-testlogs@".into()];
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(
        v.problems[0].message,
        "no CI artifact was read: no file was found; not searched: bazel-testlogs@ (symbolic links are followed only when named: `verdict run . bazel-testlogs`)"
    );
    // One artifact read is something judged.
    assert_eq!(
        fold(&read_one(), vec![], &packages(), &settings(&[], &[], FailOn::Fail)).outcome,
        Outcome::Pass
    );
}

/// error > fail > warn > pass; `--fail-on warn` makes warnings fail.
#[test]
fn outcomes() {
    let ev = read_one();
    let fold_with =
        |f: Vec<PolicyFinding>, fail_on| fold(&ev, f, &packages(), &settings(&[], &[], fail_on)).outcome;
    assert_eq!(fold_with(vec![], FailOn::Fail), Outcome::Pass);
    let warn = finding("main", "warn", Level::Warn, "w", "a");
    assert_eq!(fold_with(vec![warn.clone()], FailOn::Fail), Outcome::Warn);
    assert_eq!(fold_with(vec![warn.clone()], FailOn::Warn), Outcome::Fail);
    let fail = finding("main", "deny", Level::Fail, "f", "b");
    assert_eq!(fold_with(vec![warn, fail.clone()], FailOn::Fail), Outcome::Fail);
    let required = [Required::Kind(Kind::Trivy)];
    let v = fold(&ev, vec![fail], &packages(), &settings(&[], &required, FailOn::Fail));
    assert_eq!(v.outcome, Outcome::Error, "a missing required input outranks a failure");
    assert_eq!(v.problems[0].code, "verdict/missing-input");
    assert!(v.problems[0].message.contains("Trivy"));
}

/// A signature check that could not be made (registry down or access refused) is an error of
/// the run and of the signatures step: no report may show that step as passed.
#[test]
fn a_signature_problem_is_an_error_of_its_step() {
    let ev = read_one();
    let mut pkgs = packages();
    pkgs.push("verdict.signatures".into());
    let mut v = fold(&ev, vec![], &pkgs, &settings(&[], &[], FailOn::Fail));
    let before: Vec<Outcome> = v.steps.iter().map(|s| s.outcome).collect();
    v.add_problems([Problem {
        code: "sign/registry".into(),
        message: "ghcr.io/acme/shop: access denied".into(),
        help: "fix the registry access".into(),
    }]);
    assert_eq!(v.outcome, Outcome::Error);
    for (step, was) in v.steps.iter().zip(before) {
        let expected = if step.name == "signatures" { Outcome::Error } else { was };
        assert_eq!(step.outcome, expected, "{}", step.name);
    }
    assert!(v.steps.iter().any(|s| s.name == "signatures"));
}

/// A waiver accepts its finding until its day; expired, it stops and the ledger says so;
/// one that matches nothing is listed as unused; the finding stays visible as waived.
#[test]
fn waivers() {
    let ev = read_one();
    let findings = vec![
        finding("verdict.vulnerabilities", "deny", Level::Fail, "CVE one", "fp1"),
        finding("verdict.vulnerabilities", "deny", Level::Fail, "CVE two", "fp2"),
    ];
    let ws = [waiver("fp1", "2026-11-30"), waiver("fp2", "2026-11-20"), waiver("nothing", "2027-06-01")];
    let v = fold(&ev, findings, &packages(), &settings(&ws, &[], FailOn::Fail));
    let status: Vec<_> = v.findings.iter().map(|f| (f.policy.fingerprint.as_str(), f.status)).collect();
    assert!(status.contains(&("fp1", Status::Waived)));
    assert!(status.contains(&("fp2", Status::Open)), "an expired waiver no longer applies");
    assert_eq!(v.outcome, Outcome::Fail);
    assert_eq!(v.counts.waived, 1);
    assert_eq!(v.waivers.applied.len(), 1);
    assert_eq!(v.waivers.expiring_soon.len(), 1, "fp1's waiver ends in 9 days");
    assert_eq!(v.waivers.expired.len(), 1);
    assert_eq!(v.waivers.expired[0].days_left, -1);
    assert_eq!(v.waivers.expired[0].findings, 1, "it still matches fp2: renew it or fix the finding");
    assert_eq!(v.waivers.unused.len(), 1);
    // The finding gone, the expired waiver matches nothing: remove it, rather than renew it.
    let only_fp1 = vec![finding("verdict.vulnerabilities", "deny", Level::Fail, "CVE one", "fp1")];
    let gone = fold(&ev, only_fp1, &packages(), &settings(&ws, &[], FailOn::Fail));
    assert_eq!(gone.waivers.expired[0].findings, 0);
    let waived = v.findings.iter().find(|f| f.status == Status::Waived).expect("waived");
    assert_eq!(waived.waiver.as_ref().map(|w| w.origin.as_str()), Some("verdict.yaml:7"));
}

/// A waiver that can only match a scan's findings (an advisory id, a check id, a package URL)
/// is not "matches nothing, remove it" in a run that read no such scan: a waivers file shared
/// by several jobs would otherwise warn, and fail a `fail_on: warn` gate, in every job but one.
/// Read the scan, and it is unused again.
#[test]
fn a_waiver_whose_scan_was_not_read_is_not_stale() {
    let with = |id: Option<&str>, purl: Option<&str>| Waiver {
        matcher: Matcher {
            fingerprint: None,
            id: id.map(Into::into),
            purl: purl.map(Into::into),
            path: None,
        },
        ..waiver("unused", "2027-06-01")
    };
    let ws = [
        with(Some("CVE-2020-9548"), None),
        with(Some("CKV_AWS_18"), None),
        with(None, Some("pkg:npm/lodash")),
        with(Some("my-rule-id"), None),
    ];
    let junit_only = read_one();
    let v = fold(&junit_only, Vec::new(), &packages(), &settings(&ws, &[], FailOn::Warn));
    let unused: Vec<&str> = v.waivers.unused.iter().map(|e| e.matches.as_str()).collect();
    assert_eq!(unused, ["id my-rule-id"], "only the one any finding could match");
    let mut scanned = read_one();
    scanned.sources.push(Source { kind: Kind::Trivy, ..junit_source("trivy.json") });
    let v = fold(&scanned, Vec::new(), &packages(), &settings(&ws, &[], FailOn::Warn));
    assert_eq!(v.waivers.unused.len(), 4);
}

/// Two active waivers for one finding: the one that lasts longer accepts it. The other is
/// neither "matches nothing, remove it" (removing the longer one would be the mistake) nor an
/// alarm that the finding is about to be uncovered.
#[test]
fn overlapping_waivers() {
    let ev = read_one();
    let findings = vec![finding("verdict.vulnerabilities", "deny", Level::Fail, "CVE one", "fp1")];
    let mut soon = waiver("fp1", "2026-11-27");
    soon.origin.line = 2;
    let later = waiver("fp1", "2027-06-01");
    for ws in [[soon.clone(), later.clone()], [later, soon]] {
        let v = fold(&ev, findings.clone(), &packages(), &settings(&ws, &[], FailOn::Fail));
        let f = v.findings.first().expect("the finding");
        assert_eq!(f.status, Status::Waived);
        assert_eq!(f.waiver.as_ref().map(|w| w.expires.to_string()), Some("2027-06-01".to_owned()));
        assert!(v.waivers.unused.is_empty(), "{:?}", v.waivers.unused);
        assert!(v.waivers.expiring_soon.is_empty(), "{:?}", v.waivers.expiring_soon);
        assert_eq!(v.waivers.applied.len(), 2);
        let accepted: Vec<usize> = v.waivers.applied.iter().map(|e| e.findings).collect();
        assert_eq!(accepted.iter().sum::<usize>(), 1, "{accepted:?}");
        assert_eq!(v.outcome, Outcome::Pass);
    }
}

/// Stale waivers alone make the run a warning, so they get cleaned up.
#[test]
fn stale_waivers_warn() {
    let ev = read_one();
    let ws = [waiver("nothing", "2027-06-01")];
    assert_eq!(fold(&ev, vec![], &packages(), &settings(&ws, &[], FailOn::Fail)).outcome, Outcome::Warn);
}

/// Excepted findings are kept, visible, and do not count.
#[test]
fn exceptions_are_visible() {
    let ev = read_one();
    let mut f = finding("main", "deny_root", Level::Fail, "root", "x");
    f.excepted = true;
    let v = fold(&ev, vec![f], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.outcome, Outcome::Pass);
    assert_eq!(v.findings[0].status, Status::Excepted);
    assert_eq!(v.counts.excepted, 1);
}

/// Steps: evaluated built-in packages become their evidence step (skipped when the evidence
/// is absent), user packages their own; findings land in their step.
#[test]
fn steps() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(junit_source("junit.xml"));
    ev.tests.totals.count(TestStatus::Failed, false);
    ev.tests.totals.count(TestStatus::Passed, true);
    let f = finding("verdict.tests", "deny", Level::Fail, "t failed", "t");
    let v = fold(&ev, vec![f], &packages(), &settings(&[], &[], FailOn::Fail));
    let steps: Vec<_> = v.steps.iter().map(|s| (s.name.as_str(), s.outcome)).collect();
    assert_eq!(
        steps,
        [("tests", Outcome::Fail), ("vulnerabilities", Outcome::Skipped), ("main", Outcome::Pass)]
    );
    assert_eq!(v.steps[0].summary, "2 tests in 1 report: 1 failed, 1 flaky");
    assert_eq!(v.steps[1].summary, "no vulnerability scan found (Trivy JSON)");
}

/// A JUnit report read from `path`.
fn junit_source(path: &str) -> Source {
    Source {
        path: path.into(),
        kind: Kind::Junit,
        format: crate::evidence::Format::Xml,
        name: None,
        named: false,
        tool: None,
        spec_version: None,
        subject: None,
        subject_type: None,
        bytes: 1,
        sha256: "x".into(),
        warnings: vec![],
        package_targets: None,
        os: None,
    }
}

/// The secrets step counts the secrets and the files they are in; a Trivy report without one
/// does not say whether its secret scanner ran, so the step is skipped and says so.
#[test]
fn the_secrets_step_says_what_was_found() {
    let mut ev = Evidence::new(Meta::default());
    assert_eq!(
        step_alone(&ev, "secrets"),
        (Outcome::Skipped, "no secret scan found (Trivy or Checkov)".to_owned())
    );
    ev.sources.push(source("trivy.json", Kind::Trivy));
    assert_eq!(
        step_alone(&ev, "secrets"),
        (Outcome::Skipped, "no secret reported in 1 Trivy report".to_owned())
    );
    let found = |target: &str, line: u64| crate::evidence::Secret {
        fingerprint: format!("{target}:{line}"),
        source: "trivy.json".into(),
        tool: "trivy".into(),
        target: target.into(),
        rule_id: "github-pat".into(),
        category: Some("GitHub".into()),
        severity: Severity::Critical,
        title: None,
        start_line: Some(line),
        end_line: Some(line),
    };
    ev.secrets.extend([found(".env", 1), found(".env", 4), found("ci/deploy.sh", 2)]);
    assert_eq!(step_alone(&ev, "secrets"), (Outcome::Pass, "3 secrets in 2 files".to_owned()));
}

/// Test reports without a test say so, rather than "0 tests, all passed".
#[test]
fn reports_without_a_test() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.extend(["a.xml", "b.xml"].map(junit_source));
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.steps[0].summary, "no test in 2 reports");
}

/// A source of `kind` read from `path`.
fn source(path: &str, kind: Kind) -> Source {
    Source { kind, ..junit_source(path) }
}

/// The outcome and summary of the built-in step `name` when only its package ran.
fn step_alone(ev: &Evidence, name: &str) -> (Outcome, String) {
    let v = fold(ev, vec![], &[format!("verdict.{name}")], &settings(&[], &[], FailOn::Fail));
    let s = v.steps.iter().find(|s| s.name == name).expect("the step");
    (s.outcome, s.summary.clone())
}

/// A Trivy report that checked no package (a config scan) is no vulnerability scan: the step
/// says no package was checked rather than "0 vulnerabilities", and passes nothing.
#[test]
fn a_trivy_report_without_packages_is_no_vulnerability_scan() {
    let mut ev = Evidence::new(Meta::default());
    let mut trivy = Source { package_targets: Some(0), ..source("trivy.json", Kind::Trivy) };
    ev.sources.push(trivy.clone());
    let nothing = "no package checked for vulnerabilities in 1 Trivy report (a config, secret or license scan, or nothing found to check)";
    assert_eq!(step_alone(&ev, "vulnerabilities"), (Outcome::Skipped, nothing.to_owned()));
    trivy.package_targets = Some(2);
    ev.sources.push(trivy);
    assert_eq!(step_alone(&ev, "vulnerabilities"), (Outcome::Pass, "0 vulnerabilities in 1 scan".to_owned()));
}

/// A Checkov report in which no check ran (nothing found, or nothing it could parse) is no
/// pass of the step: it is skipped, and says why.
#[test]
fn a_checkov_report_without_a_check_passes_nothing() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(source("results_json.json", Kind::Checkov));
    let nothing = "no check ran in 1 Checkov report (no resource found, or none it could parse)";
    assert_eq!(step_alone(&ev, "misconfigurations"), (Outcome::Skipped, nothing.to_owned()));
}

/// The failed checks are counted by severity, so that a step that passes over failed checks
/// shows they are of severities the gate does not block; checks without a severity (Checkov
/// without an API key) are counted apart only beside ones with a severity.
#[test]
fn failed_checks_are_counted_by_severity() {
    let check = |severity: Option<&str>| -> crate::evidence::Misconfiguration {
        serde_json::from_value(serde_json::json!({
            "fingerprint": "f", "source": "results_json.json", "tool": "checkov", "framework": "terraform",
            "check_id": "CKV_AWS_1", "aliases": [], "title": "t", "message": null, "severity": severity,
            "status": "failed", "resource": "r", "file": "main.tf", "start_line": 1, "end_line": 2,
            "guideline": null, "resolution": null,
        }))
        .expect("a check")
    };
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(source("results_json.json", Kind::Checkov));
    ev.misconfigurations = vec![check(Some("LOW")), check(Some("LOW")), check(Some("HIGH"))];
    ev.unkept.misconfigurations = 26;
    assert_eq!(
        evidence_summary("misconfigurations", &ev).as_deref(),
        Some("29 checks, 3 failed (1 HIGH, 2 LOW)")
    );
    ev.misconfigurations.push(check(None));
    assert_eq!(
        evidence_summary("misconfigurations", &ev).as_deref(),
        Some("30 checks, 4 failed (1 HIGH, 2 LOW, 1 without a severity)")
    );
    ev.misconfigurations = vec![check(None)];
    assert_eq!(evidence_summary("misconfigurations", &ev).as_deref(), Some("27 checks, 1 failed"));
    // Suppressed checks, kept (every record) or only counted (the pack alone), are counted.
    let mut skipped = check(Some("HIGH"));
    skipped.status = crate::evidence::CheckStatus::Skipped;
    ev.misconfigurations.push(skipped);
    ev.unkept.suppressed_misconfigurations = 2;
    assert_eq!(
        evidence_summary("misconfigurations", &ev).as_deref(),
        Some("28 checks, 1 failed, 3 suppressed")
    );
}

/// An SBOM without a component says "no component" (and the pack warns about it).
#[test]
fn an_sbom_without_a_component() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(source("bom.cdx.json", Kind::Cyclonedx));
    assert_eq!(step_alone(&ev, "sbom"), (Outcome::Pass, "no component in 1 SBOM".to_owned()));
}

/// Components that carry no license (none written, or NOASSERTION) are counted apart: no
/// license list can judge them, and a green step must not read as "every license checked".
/// Trivy's lockfile entries (`application`) are not packages, and not counted.
#[test]
fn components_without_a_license_are_counted() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(source("bom.cdx.json", Kind::Cyclonedx));
    let component = |name: &str, license: Option<&str>| -> crate::evidence::Component {
        serde_json::from_value(serde_json::json!({
            "fingerprint": format!("{name:0>32}"), "source": "bom.cdx.json", "bom_ref": null, "type": "library",
            "name": name, "group": null, "version": "1.0", "purl": null, "cpe": null,
            "licenses": license.map(|id| vec![serde_json::json!({"id": id, "name": null, "expression": null, "acknowledgement": null})]).unwrap_or_default(),
            "hashes": [], "scope": null, "supplier": null, "parent": null,
        }))
        .expect("a component")
    };
    let mut lockfile = component("package-lock.json", None);
    lockfile.component_type = Some("application".into());
    ev.components = vec![component("a", Some("MIT")), component("b", None), component("c", None), lockfile];
    assert_eq!(
        step_alone(&ev, "sbom"),
        (Outcome::Pass, "4 components in 1 SBOM, 2 without a license (not judged)".to_owned())
    );
}

/// Secrets the scanner was told to ignore are not judged, but the step says how many.
#[test]
fn ignored_secrets_are_said() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(source("trivy.json", Kind::Trivy));
    ev.unkept.ignored_secrets = 2;
    assert_eq!(
        step_alone(&ev, "secrets").1,
        "no secret reported; 2 secrets ignored by the scanner's ignore rules, not judged"
    );
}

/// A license scan's findings are judged in the sbom step, which counts them beside the SBOMs,
/// or alone when no SBOM was read (rather than "no SBOM found" above a failed license).
#[test]
fn license_scan_findings_are_counted_in_the_sbom_step() {
    let mut ev = Evidence::new(Meta::default());
    let finding: crate::evidence::LicenseFinding = serde_json::from_value(serde_json::json!({
        "fingerprint": "5b0c6e1f2f1a4cd1a3f0f8f4b1c2d3e4", "source": "trivy.json", "tool": "trivy",
        "target": "Java", "name": "EPL-1.0", "package": "org.eclipse.sisu:org.eclipse.sisu.plexus",
        "file": null, "category": "reciprocal", "severity": "MEDIUM", "confidence": null, "url": null,
    }))
    .expect("a license finding");
    ev.licenses = vec![finding.clone(), finding];
    assert_eq!(step_alone(&ev, "sbom"), (Outcome::Pass, "2 licenses found by a license scan".to_owned()));
    ev.sources.push(source("bom.cdx.json", Kind::Cyclonedx));
    assert_eq!(
        step_alone(&ev, "sbom"),
        (Outcome::Pass, "no component in 1 SBOM; 2 licenses found by a license scan".to_owned())
    );
}

/// Reports whose every test was skipped say so rather than counting the skips like any other.
#[test]
fn reports_whose_every_test_was_skipped() {
    let mut ev = Evidence::new(Meta::default());
    ev.sources.push(junit_source("a.xml"));
    for _ in 0..3 {
        ev.tests.totals.count(TestStatus::Skipped, false);
    }
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.steps[0].summary, "3 tests in 1 report, all skipped");
    ev.tests.totals.count(TestStatus::Passed, false);
    let v = fold(&ev, vec![], &packages(), &settings(&[], &[], FailOn::Fail));
    assert_eq!(v.steps[0].summary, "4 tests in 1 report: 3 skipped");
}

/// The snippet is a ready-to-paste `waivers:` entry that names the finding.
#[test]
fn waiver_snippet() {
    let ev = read_one();
    let v = fold(
        &ev,
        vec![finding("main", "deny", Level::Fail, "m", "abc")],
        &packages(),
        &settings(&[], &[], FailOn::Fail),
    );
    assert_eq!(
        v.findings[0].waiver_snippet,
        "- fingerprint: abc   # ID-abc\n  reason: \"<why this is acceptable for now>\"\n  owner: \"<team or person>\"\n  expires: 2026-12-21"
    );
}

/// Without an id, the snippet's comment is the message's first 60 characters, with any
/// control character (a newline would end the YAML comment) turned into a space.
#[test]
fn waiver_snippet_without_id() {
    let ev = read_one();
    let mut f = finding("main", "deny", Level::Fail, "", "abc");
    f.id = None;
    f.msg = format!("line one\nline two\t{}", "é".repeat(70));
    let v = fold(&ev, vec![f], &packages(), &settings(&[], &[], FailOn::Fail));
    let comment = v.findings[0].waiver_snippet.lines().next().expect("a first line");
    assert_eq!(comment, format!("- fingerprint: abc   # line one line two {}", "é".repeat(42)));
}

/// Findings come failures first, then warnings; within a level by severity, then step, then
/// message, and findings alike in all of these in the order the policies gave them.
#[test]
fn findings_are_ordered_by_level_severity_step_and_message() {
    let ev = read_one();
    let mk = |ns: &str, level, severity, msg: &str, fp: &str| {
        let mut f = finding(ns, "r", level, msg, fp);
        f.severity = severity;
        f
    };
    let input = vec![
        mk("verdict.vulnerabilities", Level::Warn, Some(Severity::Critical), "a", "w1"),
        mk("verdict.vulnerabilities", Level::Fail, Some(Severity::Low), "a", "f-low"),
        mk("verdict.vulnerabilities", Level::Fail, Some(Severity::Critical), "b", "f-crit-b"),
        mk("verdict.tests", Level::Fail, Some(Severity::Critical), "z", "f-crit-tests"),
        mk("verdict.vulnerabilities", Level::Fail, Some(Severity::Critical), "a", "f-crit-a-1"),
        mk("verdict.vulnerabilities", Level::Fail, None, "a", "f-none"),
        mk("verdict.vulnerabilities", Level::Fail, Some(Severity::Critical), "a", "f-crit-a-2"),
        mk("verdict.vulnerabilities", Level::Fail, Some(Severity::High), "a", "f-high"),
    ];
    let v = fold(&ev, input, &packages(), &settings(&[], &[], FailOn::Fail));
    let order: Vec<&str> = v.findings.iter().map(|f| f.policy.fingerprint.as_str()).collect();
    assert_eq!(
        order,
        ["f-crit-tests", "f-crit-a-1", "f-crit-a-2", "f-crit-b", "f-high", "f-low", "f-none", "w1"]
    );
}

/// `reorder` applies any permutation: what a plain copy in that order gives.
#[test]
fn reorder_applies_a_permutation() {
    let n = 50usize;
    // A few permutations with long and short cycles (a multiplier prime to n, and reversal).
    for step in [1usize, 7, 13, 49] {
        let order: Vec<usize> = (0..n).map(|k| (k * step + 3) % n).collect();
        let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
        let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
        let mut got = items.clone();
        reorder(&mut got, &mut order.clone());
        assert_eq!(got, expected, "step {step}");
    }
    let mut reversed: Vec<u8> = (0..10).collect();
    reorder(&mut reversed, &mut (0..10).rev().collect::<Vec<usize>>());
    assert_eq!(reversed, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
}

/// What each step says about the artifacts (how many tests, vulnerabilities, checks and
/// components were read) is the same whether reading kept every record or, when the built-in
/// pack is the only judge, only what it judges.
#[test]
fn summaries_count_what_was_read_not_what_was_kept() {
    use crate::evidence::Keep;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read = |keep| {
        crate::cli::gather_keeping(
            &[root.join("fixtures/demo")],
            &[],
            &crate::ingest::Limits::default(),
            keep,
        )
        .expect("the demo reads")
    };
    let critical = crate::evidence::Severities::from_words(["CRITICAL"]);
    let (all, judged) = (read(Keep::All), read(Keep::Judged { vulnerabilities: critical }));
    assert!(judged.misconfigurations.len() < all.misconfigurations.len(), "checks were dropped");
    assert!(judged.vulnerabilities.len() < all.vulnerabilities.len(), "vulnerabilities were dropped");
    for step in ["tests", "vulnerabilities", "misconfigurations", "sbom"] {
        let said = evidence_summary(step, &all);
        assert!(said.is_some(), "the demo has {step}");
        assert_eq!(said, evidence_summary(step, &judged), "{step}");
    }
    assert_eq!(evidence_summary("misconfigurations", &judged).as_deref(), Some("3 checks, 1 failed"));
}
