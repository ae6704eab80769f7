//! `verdict run` end to end through the binary: the verdict document, waivers, `--fail-on`,
//! and the exit-code contract.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary in `dir`, outside any CI and shell setting that would change what it prints.
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verdict"));
    cmd.current_dir(dir);
    for var in ["CI", "GITHUB_ACTIONS", "GITLAB_CI", "VERDICT_CONFIG", "VERDICT_TODAY", "COLUMNS"] {
        cmd.env_remove(var);
    }
    cmd
}

fn verdict(dir: &Path, args: &[&str]) -> Output {
    command(dir).args(args).args(["--today", "2026-11-21"]).output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// A copy of the demo's reports in a fresh folder, with the given verdict.yaml.
fn demo_copy(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/demo");
    for rel in [
        "reports/junit/TEST-com.acme.shop.CartServiceTest.xml",
        "reports/junit/jest-junit.xml",
        "reports/trivy.json",
        "reports/checkov.json",
        "reports/sbom.cdx.json",
        "cost.json",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(rel), to).unwrap();
    }
    std::fs::write(dir.path().join("verdict.yaml"), config).unwrap();
    dir
}

/// Each report file holds exactly what `--format` prints for it: every file is paired with its
/// format, and a file gets the same bytes as stdout (no colour, nothing cut).
#[test]
fn report_files_equal_the_printed_formats() {
    for (file, format) in [
        ("verdict.json", "json"),
        ("verdict.sarif", "sarif"),
        ("gl-code-quality-report.json", "codequality"),
        ("verdict.junit.xml", "junit"),
        ("verdict.md", "markdown"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().to_str().unwrap();
        let out = verdict(
            root(),
            &["run", "fixtures/demo", "--publish", "none", "--output-dir", reports, "--format", format],
        );
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let written = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(written.len() > 100, "{file} is nearly empty: {written}");
        assert_eq!(written, String::from_utf8_lossy(&out.stdout), "{file} differs from --format {format}");
    }
}

/// The demo's verdict document: outcome, steps, counts, and every failure with what, where,
/// why, how and the waiver entry; exit code 1.
#[test]
fn demo_verdict_document() {
    let out = verdict(root(), &["run", "fixtures/demo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["apiVersion"], "verdict/verdict/v1");
    assert_eq!(v["outcome"], "fail");
    assert_eq!(v["counts"], serde_json::json!({"fail": 4, "warn": 3, "waived": 0, "excepted": 0}));
    let steps: Vec<(&str, &str)> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("tests", "fail"),
            ("vulnerabilities", "fail"),
            ("misconfigurations", "warn"),
            ("secrets", "skipped"),
            ("sbom", "fail"),
            ("signatures", "pass"),
            ("cost", "fail")
        ]
    );
    for f in v["findings"].as_array().unwrap().iter().filter(|f| f["level"] == "fail") {
        for key in ["msg", "title", "description", "remediation", "fingerprint", "waiver_snippet"] {
            assert!(f[key].as_str().is_some_and(|s| !s.is_empty()), "{key} missing in {f}");
        }
    }
    // Each finding has its keys once (a flattened field once doubled `level`).
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("\"level\":").count(), v["findings"].as_array().unwrap().len());
    let cve = v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "CVE-2022-22965").unwrap();
    assert!(cve["remediation"].as_str().unwrap().contains("5.3.18"));
    assert_eq!(cve["purl"], "pkg:maven/org.springframework/spring-beans@5.3.15");
}

/// Waivers accept findings until they expire; the ledger names expired, expiring and unused
/// ones; with every failure waived the gate passes with warnings.
#[test]
fn waivers_end_to_end() {
    let dir = demo_copy(concat!(
        "inputs:\n  named:\n    - { kind: custom, name: cost, path: cost.json }\nthresholds:\n  cost: { budget_usd: 40 }\n",
        include_str!("../fixtures/waivers/demo.yaml"),
    ));
    let out = verdict(dir.path(), &["run", "--format", "json"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "the test waiver expired and the cost is over budget");
    assert_eq!(v["counts"]["waived"], 2);
    let ledger = &v["waivers"];
    assert_eq!(ledger["applied"].as_array().unwrap().len(), 2);
    assert_eq!(ledger["expiring_soon"][0]["matches"], "id CVE-2022-22965");
    assert_eq!(ledger["expired"][0]["days_left"], -20);
    assert_eq!(ledger["unused"][0]["matches"], "id CVE-1999-0001");
    let waived = v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "CVE-2022-22965").unwrap();
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waiver"]["origin"], "verdict.yaml:7");
    // The terminal says the same, naming the expired and unused waivers.
    let text = String::from_utf8(verdict(dir.path(), &["run"]).stdout).unwrap();
    assert!(
        text.contains(
            "expired on 2026-11-01, no longer applies: fingerprint 9ed2304630bc3e35c0c0b89d27b248bf"
        ),
        "{text}"
    );
    assert!(text.contains("matches nothing, remove it: id CVE-1999-0001"), "{text}");
    assert!(text.contains("expires in 9 days: id CVE-2022-22965"), "{text}");
    assert!(
        text.contains("waived by shop-team until 2026-11-30 (verdict.yaml:7)"),
        "waived findings stay visible: {text}"
    );
}

/// Warnings pass the gate unless `--fail-on warn` (or `fail_on: warn`).
#[test]
fn fail_on_warn() {
    let dir = demo_copy("thresholds:\n  tests: { flaky: ignore }\n");
    // Keep only what warns: the flaky test is ignored, and the failing reports are removed.
    for rel in [
        "reports/junit/TEST-com.acme.shop.CartServiceTest.xml",
        "reports/sbom.cdx.json",
        "reports/trivy.json",
    ] {
        std::fs::remove_file(dir.path().join(rel)).unwrap();
    }
    let out = verdict(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("! WARN"));
    let out = verdict(dir.path(), &["run", "--fail-on", "warn"]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(dir.path().join("verdict.yaml"), "fail_on: warn\n").unwrap();
    assert_eq!(verdict(dir.path(), &["run"]).status.code(), Some(1));
}

/// A folder without a single artifact is an error (exit 2), not a pass of skipped steps: the
/// artifacts were not downloaded, or verdict looks in the wrong place. The verdict says what it
/// examined and how to point it at the artifacts.
#[test]
fn a_folder_without_artifacts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"name": "shop"}"#).unwrap();
    let out = verdict(dir.path(), &["run", "--publish", "none"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("✗ ERROR"), "{text}");
    assert!(
        text.contains(
            "no CI artifact was read: 1 file examined, 1 of them XML or JSON of no kind verdict reads"
        ),
        "{text}"
    );
    assert!(text.contains("`verdict run PATH`"), "{text}");
    assert!(text.contains("no test results found"), "{text}");
}

/// A secret Trivy found fails the gate, named by rule, file and line with how to revoke it;
/// the matched text appears in no output.
#[test]
fn a_secret_fails_the_gate_without_being_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let report = r#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
        "Results": [{"Target": "deploy/deploy.sh", "Class": "secret", "Secrets": [{
            "RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL",
            "Title": "AWS Access Key ID", "StartLine": 3, "EndLine": 3,
            "Match": "export AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY7SECRET"}]}]}"#;
    std::fs::write(dir.path().join("trivy.json"), report).unwrap();
    let out = verdict(dir.path(), &["run", "--publish", "none", "--output-dir", "out"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("✗ secrets            1 secret in 1 file  — 1 to fix"), "{stdout}");
    assert!(
        stdout.contains("CRITICAL secret in deploy/deploy.sh:3: AWS Access Key ID (aws-access-key-id)"),
        "{stdout}"
    );
    assert!(stdout.contains("Revoke the secret"), "{stdout}");
    for file in
        ["verdict.json", "verdict.md", "verdict.sarif", "gl-code-quality-report.json", "verdict.junit.xml"]
    {
        let text = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
        assert!(text.contains("aws-access-key-id"), "{file} names the finding");
        assert!(!text.contains("AKIAEXAMPLE"), "{file} repeats the secret");
    }
    assert!(!stdout.contains("AKIAEXAMPLE"));
}

/// A license Trivy's license scanner found in a package fails the gate when it is denied, as an
/// SBOM's would; the sbom step counts the scan's findings though no SBOM was read.
#[test]
fn a_denied_license_found_by_a_license_scan_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let report = r#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
        "Results": [{"Target": "Node.js", "Class": "license", "Licenses": [
            {"Severity": "HIGH", "Category": "restricted", "PkgName": "left-pad", "FilePath": "",
             "Name": "GPL-3.0-only", "Text": "", "Confidence": 1, "Link": ""},
            {"Severity": "LOW", "Category": "notice", "PkgName": "lodash", "FilePath": "",
             "Name": "MIT", "Text": "", "Confidence": 1, "Link": ""}]}]}"#;
    std::fs::write(dir.path().join("trivy-license.json"), report).unwrap();
    let out = verdict(dir.path(), &["run", "--publish", "none"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("✗ sbom               2 licenses found by a license scan  — 1 to fix"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Package left-pad uses a denied license: GPL-3.0-only (found by trivy in Node.js)"),
        "{stdout}"
    );
    assert!(!stdout.contains("lodash"), "{stdout}");
}

/// Errors written to a stderr that cannot take them (`2>/dev/full`, a closed pipe) do not turn
/// the exit code into a panic's 101: the documented code stands.
#[test]
fn an_unwritable_stderr_keeps_the_exit_code() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.tgz"), "x").unwrap();
    std::fs::write(dir.path().join("cosign.pub"), "not a key").unwrap();
    for args in [
        &["verify", "a.tgz", "--bundle", "missing.json", "--key", "cosign.pub"][..],
        &["run", "--publish", "none"][..],
    ] {
        let out = command(dir.path()).args(args).stderr(full.try_clone().unwrap()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// A configuration in a subfolder, named with a relative `--config` (docs/config.md's own
/// example): its policy folder and data file are found beside it, not in a folder joined twice.
#[test]
fn a_configuration_in_a_subfolder_finds_its_policies_and_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ci/policy")).unwrap();
    std::fs::write(
        dir.path().join("ci/verdict.yaml"),
        "policies: {paths: [policy/], builtin: false}\ndata: {files: [limits.yaml]}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ci/limits.yaml"), "limits: {max_failed: 0}\n").unwrap();
    std::fs::write(
        dir.path().join("ci/policy/main.rego"),
        "package main\nimport rego.v1\ndeny contains \"too many failed tests\" if { input.tests.totals.failed > data.limits.max_failed }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("TEST-a.xml"),
        r#"<testsuite name="s"><testcase classname="C" name="t"><failure message="m"/></testcase></testsuite>"#,
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "--config", "ci/verdict.yaml", "--publish", "none"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("too many failed tests"), "{stdout}");
}

/// A policy folder's linked files are read, as OPA's loader reads them (shared rules linked
/// into a team's folder), and a link that leads nowhere is an error, never a rule skipped.
#[cfg(unix)]
#[test]
fn a_linked_policy_file_is_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["policy", "shared"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(
        dir.path().join("shared/common.rego"),
        "package main\nimport rego.v1\ndeny contains \"the shared rule fired\" if { true }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared/common.rego", dir.path().join("policy/common.rego")).unwrap();
    std::fs::write(
        dir.path().join("TEST-a.xml"),
        r#"<testsuite name="s"><testcase classname="C" name="t"/></testsuite>"#,
    )
    .unwrap();
    let args = ["run", "TEST-a.xml", "--policy", "policy", "--publish", "none", "--no-config"];
    let out = verdict(dir.path(), &args);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("the shared rule fired"), "{stdout}");

    std::os::unix::fs::symlink("../gone.rego", dir.path().join("policy/gone.rego")).unwrap();
    let out = verdict(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[policy/unreadable]") && stderr.contains("policy/gone.rego"), "{stderr}");
}

/// What tells the gate to judge less is said where reviewers look, not only in the job log: a
/// check turned off, a package no option selects and a configuration --config passes over are
/// printed on stderr (also with -q) and carried by the JSON verdict and the comment.
#[test]
fn what_weakens_the_gate_is_said_in_every_report() {
    let dir = demo_copy("thresholds:\n  vulnerabilities: { severities: [] }\n");
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/platform.rego"),
        "package platform\nimport rego.v1\ndeny contains \"never evaluated\" if { true }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("central.yaml"), "fail_on: fail\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = verdict(
        dir.path(),
        &[
            "run",
            "reports",
            "--policy",
            "policy",
            "--publish",
            "none",
            "-q",
            "--output-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[config/check-disabled]"), "{stderr}");
    assert!(stderr.contains("warning[policy/unselected-package]"), "-q keeps it: {stderr}");
    let v: Value = serde_json::from_slice(&std::fs::read(out_dir.join("verdict.json")).unwrap()).unwrap();
    let codes: Vec<&str> =
        v["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["config/check-disabled", "policy/unselected-package"]);
    assert_eq!(
        (v["notices"][0]["file"].as_str(), v["notices"][0]["line"].as_u64()),
        (Some("verdict.yaml"), Some(2))
    );
    assert_eq!(
        (v["notices"][1]["file"].as_str(), v["notices"][1]["line"].as_u64()),
        (Some("policy/platform.rego"), Some(1))
    );
    let md = std::fs::read_to_string(out_dir.join("verdict.md")).unwrap();
    assert!(md.contains("### ⚠️ Told to judge differently"), "{md}");
    assert!(
        md.contains("- `config/check-disabled` `thresholds.vulnerabilities.severities` is empty"),
        "{md}"
    );

    let out = verdict(
        dir.path(),
        &["run", "reports", "--config", "central.yaml", "--publish", "none", "--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning[config/not-read]: `verdict.yaml` in the working directory is not read"),
        "{stderr}"
    );
    assert_eq!(json(&out)["notices"][0]["code"], "config/not-read");

    // A package that a selected one reads is evaluated through it: not "unselected".
    std::fs::write(
        dir.path().join("policy/main.rego"),
        "package main\nimport rego.v1\ndeny contains msg if { some msg in data.platform.deny }\n",
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "reports", "--policy", "policy", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("policy/unselected-package"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("never evaluated"), "read through main");
}

/// A waiver that runs for more than a year is a permanent exception in a waiver's clothes:
/// said on stderr and in the verdict's notices, with its line; it still applies.
#[test]
fn a_waiver_for_years_is_said() {
    let dir = demo_copy(
        "waivers:\n  - id: CVE-2022-22965\n    reason: r\n    owner: o\n    expires: 9999-12-31\n  - id: GPL-3.0-only\n    reason: r\n    owner: o\n    expires: 2027-11-21\n",
    );
    let out = verdict(dir.path(), &["run", "reports", "--publish", "none", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning[config/distant-expiry]: the waiver `id CVE-2022-22965` applies until 9999-12-31, more than a year after 2026-11-21"),
        "{stderr}"
    );
    let v = json(&out);
    let notices: Vec<(&str, u64)> = v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["code"].as_str().unwrap(), n["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(notices, [("config/distant-expiry", 2)], "a year to the day is within");
    assert_eq!(v["counts"]["waived"], 2, "both still apply");
}

/// The built-in pack's settings are configuration only: a data file named on the command line
/// (a CI variable, VERDICT_DATA) cannot relax them; the same file listed in verdict.yaml's
/// `data.files`, reviewed with the repository, can.
#[test]
fn a_job_cannot_relax_the_pack_with_a_data_file() {
    let dir = demo_copy("");
    std::fs::write(
        dir.path().join("relax.yaml"),
        "verdict: { config: { vulnerabilities: { severities: [CRITICAL] }, sbom: { denied_licenses: [AGPL-3.0-only] } } }\n",
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "reports", "--data", "relax.yaml", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[policy/data]") && stderr.contains("relax.yaml"), "{stderr}");
    assert!(stderr.contains("configuration only"), "{stderr}");
    assert!(stderr.contains("list this file under `data.files`"), "{stderr}");

    std::fs::write(dir.path().join("verdict.yaml"), "data: { files: [relax.yaml] }\n").unwrap();
    let out = verdict(dir.path(), &["run", "reports", "--publish", "none", "--format", "json"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let rules: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"deny_license"), "GPL-3.0 is no longer denied: {rules:?}");
}

/// `COLUMNS` narrows the terminal report's wrapped text to the terminal; without it (a pipe, a
/// CI log) text wraps at 100 columns.
#[test]
fn the_terminal_report_wraps_to_columns() {
    let longest = |columns: Option<&str>| {
        let mut cmd = command(&root().join("fixtures/demo"));
        cmd.args(["run", "--publish", "none", "--today", "2026-11-21"]);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // Step lines and waiver snippets are not wrapped text; a word longer than the width (a
        // link) is never broken, so it stands alone on its line.
        let wrapped = text
            .lines()
            .filter(|l| l.starts_with("    ") && !l.contains("fingerprint:") && l.trim().contains(' '));
        wrapped.map(|l| l.chars().count()).max().unwrap_or(0)
    };
    let (wide, narrow) = (longest(None), longest(Some("72")));
    assert!(wide > 72, "the demo has lines wider than 72 columns: {wide}");
    assert!(narrow <= 72, "at COLUMNS=72 the wrapped text fits: {narrow}");
}

/// A Checkov report whose only file Checkov could not parse: the job log says so in one line,
/// and the gate warns rather than passing with "0 checks".
#[test]
fn a_report_read_with_a_warning_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let report = r#"{"check_type": "terraform", "results": {"passed_checks": [], "failed_checks": [],
        "skipped_checks": [], "parsing_errors": ["/main.tf"]}, "summary": {"passed": 0, "failed": 0,
        "skipped": 0, "parsing_errors": 1, "resource_count": 0, "checkov_version": "3.2.0"}}"#;
    std::fs::write(dir.path().join("results_json.json"), report).unwrap();
    let out = verdict(dir.path(), &["run", "--publish", "none"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("results_json.json: read with a warning: checkov could not parse 1 file(s) for the terraform report: /main.tf (checkov/parsing-errors, at results.parsing_errors)"),
        "{stderr}"
    );
    assert!(stdout.starts_with("! WARN"), "{stdout}");
    assert!(stdout.contains("no check ran in 1 Checkov report"), "{stdout}");
}

/// Without a terminal, the report has no colour codes; NO_COLOR is honoured too.
#[test]
fn no_colour_off_a_terminal() {
    let out = verdict(root(), &["run", "fixtures/demo"]);
    assert!(!out.stdout.contains(&0x1b), "ANSI escapes in piped output");
}

/// Every key of the verdict document (with findings, waivers and every ledger list filled) is
/// explained in docs/verdict.md.
#[test]
fn every_verdict_key_is_documented() {
    let dir = demo_copy(
        "waivers:\n  - id: CVE-2022-22965\n    reason: r\n    owner: o\n    expires: 2026-11-30\n  - id: nothing\n    reason: r\n    owner: o\n    expires: 2026-11-01\n",
    );
    let v = json(&verdict(dir.path(), &["run", "--format", "json"]));
    let docs = std::fs::read_to_string(root().join("docs/verdict.md")).unwrap();
    let mut missing = Vec::new();
    fn walk(v: &Value, path: &str, docs: &str, missing: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    // A rule's own extra fields and the CI context are documented elsewhere.
                    if path.ends_with(".extra") || path.ends_with(".ci") {
                        continue;
                    }
                    if !docs.contains(&format!("`{k}`")) {
                        missing.push(format!("{path}.{k}"));
                    }
                    walk(child, &format!("{path}.{k}"), docs, missing);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, path, docs, missing);
                }
            }
            _ => {}
        }
    }
    walk(&v, "", &docs, &mut missing);
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "keys missing from docs/verdict.md: {missing:?}");
}

/// The demo's release tarball is signed by its release workflow: the signature check of its
/// verdict.yaml verifies, offline, and the evidence records who signed and the log entry.
#[test]
fn demo_signature_verifies() {
    let out = verdict(root(), &["run", "fixtures/demo", "--format", "json"]);
    let v = json(&out);
    let step = v["steps"].as_array().unwrap().iter().find(|s| s["name"] == "signatures").unwrap();
    assert_eq!(step["summary"], "1 of 1 verified");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["id"].as_str().unwrap_or("").starts_with("signature-"))
    );
}

/// A signature check with the wrong expected identity fails the gate with a finding that
/// names both identities and says how to fix it.
#[test]
fn signature_identity_mismatch_fails_the_gate() {
    let demo = root().join("fixtures/demo");
    let config = format!(
        "signatures:\n  - blob: {}\n    bundle: {}\n    certificate_identity_regexp: '^https://github\\.com/acme/other/'\n    certificate_oidc_issuer: https://token.actions.githubusercontent.com\n    trusted_root: {}\n",
        demo.join("dist/shop-api-1.4.2.tar.gz").display(),
        demo.join("dist/shop-api-1.4.2.tar.gz.sigstore.json").display(),
        demo.join("sigstore/trusted_root.json").display()
    );
    let dir = demo_copy(&config);
    let out = verdict(dir.path(), &["run", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let f =
        v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "signature-identity-mismatch").unwrap();
    assert_eq!(f["level"], "fail");
    assert!(f["msg"].as_str().unwrap().contains("release.yml@refs/tags/v1.4.2"), "{f}");
    assert!(f["remediation"].as_str().unwrap().contains("^https://github\\.com/acme/other/"), "{f}");

    // The pack off (--no-builtin, developing a policy of one's own): the signature checks of
    // verdict.yaml are still judged, since nothing else would.
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/main.rego"),
        "package main\nimport rego.v1\nwarn contains \"mine\" if { false }\n",
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "--format", "json", "--no-builtin", "--policy", "policy"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let ids: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["signature-identity-mismatch"]);
    // With no policy of one's own selected, the pack off is still nothing to judge the rest
    // with: an error, as without signature checks, never a pass.
    let out = verdict(dir.path(), &["run", "--no-builtin"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[policy/no-rules]"));
}

/// A registry that cannot be reached makes the verdict an error with exit code 3, never a
/// pass or a plain failure.
#[test]
fn unreachable_registry_is_an_infrastructure_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!("signatures: {{image: '127.0.0.1:{port}/acme/shop:1', key: cosign.pub}}\n");
    let dir = demo_copy(&config);
    std::fs::write(
        dir.path().join("cosign.pub"),
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "--format", "json", "--registry-timeout", "2"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["problems"][0]["code"], "sign/registry");
    assert!(v["problems"][0]["message"].as_str().unwrap().contains(&format!("127.0.0.1:{port}")));
    // The terminal report's last line names the exit code the process ends with.
    let out = verdict(dir.path(), &["run", "--registry-timeout", "2"]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.trim_end().lines().last().is_some_and(|l| l.starts_with("exit 3: ")), "{stdout}");
}

/// A key file that is not a public key is refused before anything runs (exit 2), naming the
/// setting and the file.
#[test]
fn unreadable_key_is_an_input_error() {
    let dir = demo_copy("signatures: {image: 'ghcr.io/acme/shop:1', key: cosign.key}\n");
    std::fs::write(dir.path().join("cosign.key"), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n").unwrap();
    let out = verdict(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[sign/key]") && err.contains("signatures.key in verdict.yaml"), "{err}");
    assert!(err.contains("private key"), "{err}");
}

/// A broken policy written for Rego v1 (without `import rego.v1`) gets one diagnostic, v1's:
/// reading it again as v0 made regorus print its own warning about `if` on stderr first.
#[test]
fn a_broken_v1_policy_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/main.rego"),
        "package main\n\ndeny contains msg if {\n  msg := \"x\" +\n}\n",
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", ".", "--publish", "none", "--policy", "policy"]);
    // The tests judge as on a fixed day, which the run warns about first.
    let all = String::from_utf8_lossy(&out.stderr);
    let stderr = all.split_once("error[").map_or(all.to_string(), |(before, rest)| {
        assert!(before.starts_with("warning[verdict/another-day]"), "{all}");
        format!("error[{rest}")
    });
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error[policy/syntax]"), "{stderr}");
    assert!(stderr.contains("policy/main.rego:4:"), "{stderr}");
    assert!(!stderr.contains("treated as identifier"), "{stderr}");
}

/// A run that stops before its verdict (exit 2: a command line the parser refuses; an invalid
/// verdict.yaml, found before anything is read; a report cut off, found while reading) leaves
/// no report of the run
/// before it: CI steps upload the output folder `if: always()`, and the last run's verdict
/// would be published as this one's. Other files in the folder are left alone.
#[test]
fn a_failed_run_leaves_no_earlier_verdict_behind() {
    let dir = demo_copy("");
    let out_dir = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "reports",
            "--publish",
            "none",
            "--output-dir",
            "out",
            "-o",
            "v.json",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        verdict(dir.path(), &args)
    };
    let trivy = dir.path().join("reports/trivy.json");
    let whole = std::fs::read(&trivy).unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "fail_on: sometimes\n").unwrap();
    let breakers: [(&str, &dyn Fn() -> Vec<&'static str>); 4] = [
        ("bad.yaml", &|| vec!["--config", "bad.yaml"]),
        ("trivy.json", &|| {
            std::fs::write(&trivy, &whole[..whole.len() / 2]).unwrap();
            vec![]
        }),
        // Refused by the command-line parser, before the arguments are known.
        ("--bogus", &|| vec!["--bogus"]),
        ("sometimes", &|| vec!["--comment-mode", "sometimes"]),
    ];
    for (named, break_it) in breakers {
        std::fs::write(&trivy, &whole).unwrap();
        let first = run(&[]);
        assert_eq!(first.status.code(), Some(1), "{}", String::from_utf8_lossy(&first.stderr));
        for name in [
            "verdict.json",
            "verdict.md",
            "verdict.sarif",
            "verdict.junit.xml",
            "gl-code-quality-report.json",
        ] {
            assert!(out_dir.join(name).is_file(), "{name} was not written");
        }
        assert!(dir.path().join("v.json").is_file());
        std::fs::write(out_dir.join("notes.txt"), "mine").unwrap();

        let extra = break_it();
        let second = run(&extra);
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
        let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["notes.txt"], "the earlier run's reports are still there after {named}");
        assert!(!dir.path().join("v.json").exists(), "the earlier run's --output file is still there");
    }
    // An --output that is not a regular file (a socket here; a pipe or /dev/stdout in use) is
    // written to, never removed.
    let socket = dir.path().join("out.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let third = verdict(
        dir.path(),
        &["run", "reports", "--publish", "none", "-o", "out.sock", "--config", "bad.yaml"],
    );
    assert_eq!(third.status.code(), Some(2), "{}", String::from_utf8_lossy(&third.stderr));
    assert!(socket.exists(), "the --output socket was removed");
    // A global option with its value apart, before `run`, is still read past.
    assert_eq!(run(&[]).status.code(), Some(1));
    let refused = verdict(
        dir.path(),
        &["--log-format", "json", "run", "reports", "--publish", "none", "--output-dir", "out", "--bogus"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(!out_dir.join("verdict.json").exists(), "the earlier run's reports are still there");
}

/// A run that searches a folder holding an earlier verdict's reports (a second gate beside the
/// first, an output folder inside the searched one) does not count the first verdict's
/// findings as failed tests: verdict.junit.xml is skipped there, and read when named.
#[test]
fn an_earlier_verdicts_junit_report_is_not_test_results() {
    let dir = demo_copy("");
    let first =
        verdict(dir.path(), &["run", ".", "--publish", "none", "--output-dir", "gate-a", "--format", "json"]);
    assert_eq!(first.status.code(), Some(1), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(dir.path().join("gate-a/verdict.junit.xml").is_file());
    let second = verdict(
        dir.path(),
        &["run", ".", "--publish", "none", "--output-dir", "gate-b", "--format", "json", "-v"],
    );
    let stderr = String::from_utf8_lossy(&second.stderr);
    let summary = |out: &Output| json(out)["steps"][0]["summary"].as_str().unwrap().to_owned();
    assert_eq!(summary(&second), summary(&first), "{stderr}");
    assert_eq!(json(&second)["counts"], json(&first)["counts"]);
    assert!(
        stderr.contains("skipped path=gate-a/verdict.junit.xml reason=verdict's own JUnit report"),
        "{stderr}"
    );

    // Named, it is read: whoever names a file says what it is.
    let named =
        verdict(dir.path(), &["run", "gate-a/verdict.junit.xml", "--publish", "none", "--format", "json"]);
    assert_eq!(named.status.code(), Some(1), "{}", String::from_utf8_lossy(&named.stderr));
    assert_eq!(json(&named)["evidence"]["sources"][0]["kind"], "junit");
}

/// A run in which no rule would be evaluated is an error, not a pass: the built-in pack off
/// and no policy loaded, or policies whose package no option selects (verdict evaluates `main`
/// unless told otherwise). With the pack on, such a package is named in a warning.
#[test]
fn a_run_without_a_rule_to_evaluate_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junit.xml"), r#"<testsuite name="s"><testcase name="t"/></testsuite>"#)
        .unwrap();
    let out = verdict(dir.path(), &["run", "--no-builtin", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[policy/no-rules]: no rule to evaluate: the built-in pack is off and no policy of your own was loaded"),
        "{stderr}"
    );

    std::fs::create_dir(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/shop.rego"),
        "package shop\nimport rego.v1\ndeny contains \"always\" if { true }\n",
    )
    .unwrap();
    let out =
        verdict(dir.path(), &["run", "junit.xml", "--no-builtin", "--policy", "policy", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("none of your packages (shop) is selected"), "{stderr}");
    assert!(stderr.contains("--namespace shop"), "{stderr}");

    let out = verdict(dir.path(), &["run", "junit.xml", "--policy", "policy", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "the pack judges; `shop` is not selected: {stderr}");
    assert!(stderr.contains("your policies declare the package `shop` that no option selects"), "{stderr}");
    let out =
        verdict(dir.path(), &["run", "junit.xml", "--policy", "policy", "-n", "shop", "--publish", "none"]);
    assert_eq!(out.status.code(), Some(1), "selected, its rule fails the gate");
}

/// Waivers that expired or match nothing make the run a warning, and every surface says so
/// with the same count: the terminal, the comment's headline, and the gate that fails on
/// warnings.
#[test]
fn stale_waivers_are_counted_alike_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junit.xml"), r#"<testsuite name="s"><testcase name="t"/></testsuite>"#)
        .unwrap();
    let waiver = |id: &str, expires: &str| {
        format!("  - id: {id}\n    reason: accepted\n    owner: team\n    expires: {expires}\n")
    };
    let config = format!(
        "waivers:\n{}{}",
        waiver("CVE-2020-0001", "2026-01-01"),
        // A test's id: any run could match it (a CVE's waiver in a run that read no scan is
        // not stale, only not checked).
        waiver("s.legacy_test", "2027-01-01")
    );
    std::fs::write(dir.path().join("verdict.yaml"), config).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--publish", "none", "--output-dir", "out"];
        args.extend_from_slice(extra);
        let out = verdict(dir.path(), &args);
        let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_owned();
        let md = std::fs::read_to_string(dir.path().join("out/verdict.md")).unwrap();
        let headline = md.lines().nth(1).unwrap_or_default().to_owned();
        (out.status.code(), first, headline)
    };
    let (code, first, headline) = run(&[]);
    assert_eq!(code, Some(0));
    assert!(first.starts_with("! WARN  nothing blocks; 2 waivers need attention"), "{first}");
    assert_eq!(headline, "## ⚠️ verdict: WARN — nothing blocks, 2 waivers need attention");
    let (code, first, headline) = run(&["--fail-on", "warn"]);
    assert_eq!(code, Some(1));
    assert!(first.starts_with("✗ FAIL  2 waivers need attention (warnings fail this gate)"), "{first}");
    assert_eq!(headline, "## ❌ verdict: FAIL — 2 waivers need attention (warnings fail this gate)");
}

/// An output folder that cannot be written says why, in the system's words or plainer: a
/// file where the folder should be. The verdict itself is still printed.
#[test]
fn an_unwritable_output_folder_says_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junit.xml"), r#"<testsuite name="s"><testcase name="t"/></testsuite>"#)
        .unwrap();
    std::fs::write(dir.path().join("out"), "").unwrap();
    let out = verdict(dir.path(), &["run", "junit.xml", "--publish", "none", "--output-dir", "out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[output/unwritable]"), "{stderr}");
    assert!(
        stderr.contains("caused by: cannot create the report folder `out`: `out` is a file, not a folder"),
        "{stderr}"
    );
    // The verdict was made: it is printed before the error that makes the run exit 2.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("✓ PASS"), "{stdout}");
    // Its last line gives the exit code the run ends with, not the verdict's.
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some("exit 2: the verdict above was made, but its report files could not be written (see below)"),
        "{stdout}"
    );
}

/// `--output` never destroys what the run reads: naming another tool's artifact (which a run
/// first removes as its previous output) or a file `--output-dir` writes is refused, exit 2,
/// and the file is left as it was.
#[test]
fn output_never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let failing =
        r#"<testsuite name="s"><testcase name="t"><failure message="boom"/></testcase></testsuite>"#;
    std::fs::create_dir_all(dir.path().join("reports")).unwrap();
    std::fs::write(dir.path().join("reports/TEST-a.xml"), failing).unwrap();
    for output in ["reports/TEST-a.xml", "out/verdict.junit.xml"] {
        let out = verdict(
            dir.path(),
            &[
                "run",
                "reports",
                "--publish",
                "none",
                "--output-dir",
                "out",
                "--format",
                "junit",
                "-o",
                output,
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{output}: {stderr}");
        assert!(stderr.contains("error[output/overwrites]"), "{output}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("reports/TEST-a.xml")).unwrap(), failing);
    // Nor a file the command line names for the run to read, whatever it holds.
    std::fs::write(dir.path().join("cost.json"), r#"{"estimate_usd": 12}"#).unwrap();
    let out = verdict(
        dir.path(),
        &["run", "reports", "--publish", "none", "--input", "custom:cost=cost.json", "-o", "cost.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("cost.json")).unwrap(), r#"{"estimate_usd": 12}"#);
    // verdict's own earlier report may be replaced.
    let out = verdict(
        dir.path(),
        &["run", "reports", "--publish", "none", "--format", "junit", "-o", "verdict.junit.xml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let out = verdict(
        dir.path(),
        &["run", "reports", "--publish", "none", "--format", "junit", "-o", "verdict.junit.xml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

/// What a killed run leaves in its output folder (its reports' temporary files) is never read
/// as an artifact, and the next run into the folder removes it. A run that finds the folder
/// held by another waits for it, then leaves its own whole set.
#[test]
fn unfinished_reports_and_a_held_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("TEST-a.xml"), r#"<testsuite name="s"><testcase name="t"/></testsuite>"#)
        .unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let stale = dir.path().join("out/.verdict.junit.xml.0123456789abcdef.tmp");
    std::fs::write(&stale, "<?xml version=\"1.0\"?>\n<testsuites name=\"verdict\"><testsu").unwrap();
    // Its own output folder inside the searched one: the cut-off file is not an artifact.
    let lock = std::fs::File::open(dir.path().join("out")).unwrap();
    lock.lock().unwrap();
    let cwd = dir.path().to_path_buf();
    let run =
        std::thread::spawn(move || verdict(&cwd, &["run", ".", "--publish", "none", "--output-dir", "out"]));
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(!dir.path().join("out/verdict.json").exists(), "the run waits while the folder is held");
    lock.unlock().unwrap();
    let out = run.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("another verdict run is writing its reports in out: waiting"), "{stderr}");
    assert!(!stale.exists(), "the killed run's temporary file is removed");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["gl-code-quality-report.json", "verdict.json", "verdict.junit.xml", "verdict.md", "verdict.sarif"]
    );
}

/// What lets the gate judge less than `verdict.yaml` says reaches the verdict's notices, not
/// only the job log: a past `--today` that brings expired waivers back, and `--no-config`
/// passing over a configuration.
#[test]
fn another_day_and_no_config_are_notices() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("TEST-a.xml"),
        r#"<testsuite name="s"><testcase classname="c" name="t"><failure message="boom"/></testcase></testsuite>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("verdict.yaml"),
        "inputs:\n  required: [sbom]\nwaivers:\n  - id: c.t\n    reason: flaky\n    owner: team\n    expires: 2026-02-01\n",
    )
    .unwrap();
    let notices = |args: &[&str]| {
        let out =
            command(dir.path()).args(args).args(["--publish", "none", "--format", "json"]).output().unwrap();
        let v = json(&out);
        let codes: Vec<String> =
            v["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_owned()).collect();
        (out.status.code(), codes, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // Judged as on 2026-01-15, the expired waiver accepts the failure: said in the verdict.
    let (code, codes, _) = notices(&["run", ".", "--today", "2026-01-15"]);
    assert_eq!(code, Some(2), "the required SBOM is still missing");
    assert_eq!(codes, ["verdict/another-day"]);
    // --no-config drops the requirement and the waiver: said in the verdict and on stderr.
    let (code, codes, stderr) = notices(&["run", ".", "--no-config"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes, ["config/not-read"]);
    assert!(stderr.contains("warning[config/not-read]: `verdict.yaml` is not read: --no-config"), "{stderr}");
}

/// Reports behind a symbolic link (Bazel's `bazel-testlogs`) are not read, and the verdict
/// says so: a warning and a notice, so that a green gate without them is not silent.
#[cfg(unix)]
#[test]
fn reports_behind_a_link_are_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out/testlogs")).unwrap();
    std::fs::write(
        dir.path().join("out/testlogs/test.xml"),
        r#"<testsuite name="s"><testcase name="t"><failure message="boom"/></testcase></testsuite>"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("ws")).unwrap();
    std::fs::write(
        dir.path().join("ws/TEST-a.xml"),
        r#"<testsuite name="s"><testcase name="ok"/></testsuite>"#,
    )
    .unwrap();
    std::os::unix::fs::symlink("../out/testlogs", dir.path().join("ws/bazel-testlogs")).unwrap();
    std::os::unix::fs::symlink("TEST-a.xml", dir.path().join("ws/notes")).unwrap();
    let out = verdict(&dir.path().join("ws"), &["run", ".", "--publish", "none", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let codes: Vec<&str> =
        v["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["verdict/link-not-followed"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[verdict/link-not-followed]: bazel-testlogs@ not followed"), "{stderr}");
    assert!(!stderr.contains("notes@"), "a link whose name says nothing of reports is left to -v: {stderr}");
}

/// In GitHub's `workflow_run` hand-off (the fork-safe recipe), the folder judged is the
/// artifact another run uploaded, which a pull request from a fork controls: a `verdict.yaml`
/// inside it must not choose the rules that judge it. Outside a hand-off, the same folder's
/// configuration is read (as `verdict run fixtures/demo` reads the demo's).
#[test]
fn a_hand_off_never_takes_its_configuration_from_the_artifacts() {
    let workspace = tempfile::tempdir().unwrap();
    let artifact = demo_copy("policies:\n  builtin: false\n  paths: [ok.rego]\n");
    std::fs::write(
        artifact.path().join("ok.rego"),
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := input.nothing\n}\n",
    )
    .unwrap();
    let folder = workspace.path().join("verdict-input");
    std::fs::rename(artifact.path(), &folder)
        .or_else(|_| Command::new("cp").arg("-R").arg(artifact.path()).arg(&folder).status().map(drop))
        .unwrap();
    let judged = |event: Option<&str>| {
        let mut cmd = command(workspace.path());
        if let Some(e) = event {
            cmd.env("GITHUB_EVENT_NAME", e);
        }
        cmd.args(["run", "--publish", "none", "--format", "json", "--today", "2026-11-21", "verdict-input"])
            .output()
            .unwrap()
    };
    let pr = judged(Some("pull_request"));
    assert_eq!(json(&pr)["outcome"], "pass", "{}", String::from_utf8_lossy(&pr.stderr));
    let handed = judged(Some("workflow_run"));
    assert_eq!(handed.status.code(), Some(1), "{}", String::from_utf8_lossy(&handed.stderr));
    let doc = json(&handed);
    assert_eq!(doc["outcome"], "fail");
    let stderr = String::from_utf8_lossy(&handed.stderr);
    assert!(
        stderr.contains("warning[config/not-read]: `verdict-input/verdict.yaml` is not read"),
        "{stderr}"
    );
    assert_eq!(doc["notices"][0]["code"], "config/not-read", "{}", doc["notices"]);
    // Two of them (which would be config/ambiguous, exit 2, elsewhere) are two warnings.
    std::fs::write(folder.join(".verdict.yml"), "fail_on: warn\n").unwrap();
    let both = judged(Some("workflow_run"));
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert_eq!(both.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("warning[config/not-read]").count(), 2, "{stderr}");
}

/// The skip a scanner honours depends on the kind of file, which a run the built-in pack
/// alone judges keeps: a failed check in a Kubernetes manifest is told Checkov's annotation, not
/// a comment Checkov does not read there.
#[test]
fn a_manifests_check_is_told_the_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let report = r#"{"check_type": "kubernetes", "results": {"failed_checks": [{"check_id": "CKV_K8S_16",
        "check_name": "Container should not be privileged", "check_result": {"result": "FAILED"},
        "file_path": "/k8s/deploy.yaml", "repo_file_path": "/k8s/k8s/deploy.yaml", "file_line_range": [1, 20],
        "resource": "Deployment.default.web", "severity": null}], "passed_checks": [], "skipped_checks": []},
        "summary": {"passed": 0, "failed": 1, "skipped": 0, "parsing_errors": 0, "checkov_version": "3.3.30"}}"#;
    std::fs::write(dir.path().join("checkov.json"), report).unwrap();
    let v = json(&verdict(dir.path(), &["run", "--publish", "none", "--format", "json"]));
    let finding = v["findings"].as_array().unwrap().iter().find(|f| f["id"] == "CKV_K8S_16").unwrap();
    let fix = finding["remediation"].as_str().unwrap();
    assert!(fix.contains("checkov.io/skip1: CKV_K8S_16=<reason>"), "{fix}");
    // Checkov doubles the folder in repo_file_path for manifests: file_path is the place.
    assert_eq!(finding["file"], "/k8s/deploy.yaml");
}

/// A path verdict.yaml names that exists, but cannot be used as it is (a policy folder without
/// a Rego file), is shown where it is: only a path that does not exist is the configuration's
/// line to fix.
#[test]
fn only_a_missing_listed_path_points_at_the_configuration() {
    let dir = demo_copy("policies:\n  paths: [policy]\n");
    std::fs::create_dir(dir.path().join("policy")).unwrap();
    let out = verdict(dir.path(), &["run", "--publish", "none"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[policy/unreadable]: cannot read the policy file `policy`\n"), "{stderr}");
    assert!(!stderr.contains("named in the configuration") && !stderr.contains("verdict.yaml:2"), "{stderr}");
}

/// A waiver names a test by its id, spaces and all (Jest's and pytest's names have them).
#[test]
fn a_waiver_names_a_test_with_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let failing = r#"<testsuite name="cart.test.js"><testcase classname="Cart" name="adds two numbers"><failure message="expected 3"/></testcase></testsuite>"#;
    std::fs::write(dir.path().join("junit.xml"), failing).unwrap();
    let v = json(&verdict(dir.path(), &["run", "junit.xml", "--publish", "none", "--format", "json"]));
    let id = v["findings"][0]["id"].as_str().unwrap().to_owned();
    assert!(id.contains(' '), "{id}");
    std::fs::write(
        dir.path().join("verdict.yaml"),
        format!("waivers:\n  - id: {id}\n    reason: tracked in CART-12\n    owner: web-team\n    expires: 2026-12-10\n"),
    )
    .unwrap();
    let out = verdict(dir.path(), &["run", "junit.xml", "--publish", "none", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["findings"][0]["status"], "waived");
}
