//! Hostile inputs, end to end: the binary run on artifacts and policies built to break it, as
//! docs/security.md's table lists them. Each test names the behaviour it proves; the table names
//! the test, and `the_table_names_tests_that_exist` keeps the two in step.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `verdict ARGS` in `dir`, outside any CI, publishing nowhere.
fn verdict(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verdict"))
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VERDICT_TODAY", "2026-11-21")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the run failed as an input error (exit 2) with `code`, once per file in `files`.
fn refused(out: &Output, code: &str, files: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for file in files {
        let at = format!("error[{code}]");
        let shown = err.split(&at).skip(1).any(|rest| rest.lines().nth(1).is_some_and(|l| l.contains(file)));
        assert!(shown, "{file}: no {at} at it in\n{err}");
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A 1 GiB JUnit report (sparse: a real header, then zeros) is refused by its size before a
/// byte of it is parsed, whether discovery found it or it was named: parsed, its zeros would be
/// malformed XML (`ingest/malformed-xml`), and the size error is the only one.
#[test]
fn a_gigabyte_artifact_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "reports/huge.xml", "<?xml version=\"1.0\"?>\n<testsuite name=\"s\">\n");
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1 << 30).unwrap();
    refused(&verdict(dir.path(), &["run", "reports"]), "ingest/too-large", &["reports/huge.xml"]);
    refused(
        &verdict(dir.path(), &["evidence", "--input", "junit=reports/huge.xml"]),
        "ingest/too-large",
        &["reports/huge.xml"],
    );
    let out = verdict(dir.path(), &["run", "reports"]);
    let err = stderr(&out);
    assert!(err.contains("the file is 1 GiB, above the limit of 512 MiB"), "{err}");
    assert_eq!(err.matches("error[").count(), 1, "only the size is an error: {err}");
}

/// NUL bytes and other control characters: raw in JSON text they are malformed JSON (the JSON
/// standard forbids them); escaped (`\u0000`) in JSON, or raw in XML text, they are read — and
/// no report, log or error prints one: every output of a run is free of control characters but
/// line breaks and tabs.
#[test]
fn nul_bytes_and_control_characters_never_reach_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let raw =
        write(dir.path(), "raw/trivy.json", b"{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"t\0\"}]}");
    refused(
        &verdict(dir.path(), &["evidence", raw.to_str().unwrap()]),
        "ingest/malformed-json",
        &["trivy.json"],
    );

    let junit = b"<testsuite name=\"s\0\"><testcase name=\"a\0b\x1b[31m\x01\" classname=\"c\0\"><failure message=\"m\0\x02\">x\0y\x1b]0;title\x07</failure></testcase></testsuite>";
    write(dir.path(), "reports/junit.xml", junit);
    let vuln = r#"{"VulnerabilityID": "CVE-2024-1", "PkgName": "p\u0000q", "InstalledVersion": "1", "FixedVersion": "2", "Severity": "CRITICAL", "Title": "a\u0000b\u001b[2J\u0007", "PrimaryURL": "https://x/\u0000"}"#;
    write(
        dir.path(),
        "reports/trivy.json",
        format!(
            r#"{{"SchemaVersion": 2, "Results": [{{"Target": "t\u0000", "Vulnerabilities": [{vuln}]}}]}}"#
        ),
    );
    let bad = |b: &u8| (*b < 0x20 && !matches!(b, b'\n' | b'\t')) || *b == 0x7f;
    for format in ["text", "json", "markdown", "sarif", "junit", "codequality", "github"] {
        let out = verdict(
            dir.path(),
            &["run", "reports", "--format", format, "--output-dir", "out", "-vv", "--log-format", "json"],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(!out.stdout.iter().any(bad), "{format}: a control character on stdout");
        assert!(!out.stderr.iter().any(bad), "{format}: a control character on stderr");
    }
    for file in std::fs::read_dir(dir.path().join("out")).unwrap() {
        let path = file.unwrap().path();
        assert!(!std::fs::read(&path).unwrap().iter().any(bad), "{}", path.display());
    }
}

/// A key given twice in an object verdict reads is refused (`ingest/duplicate-key`) in every
/// JSON format — in the fields serde reads, in the visitors that stream reports, in documents
/// kept whole (custom inputs, CycloneDX elements) and at the top of a CycloneDX BOM — so a
/// report cannot say one thing to verdict and another to the tool that shows it.
#[test]
fn duplicate_json_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vuln = r#"{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1", "Severity": "CRITICAL", "Severity": "LOW"}"#;
    let cases = [
        ("trivy-field.json", format!(r#"{{"SchemaVersion": 2, "Results": [{{"Target": "t", "Vulnerabilities": [{vuln}]}}]}}"#)),
        ("trivy-top.json", r#"{"SchemaVersion": 2, "Results": [], "Results": []}"#.to_owned()),
        (
            "checkov.json",
            r#"{"check_type": "terraform", "results": {"failed_checks": [], "failed_checks": []}, "summary": {}}"#.to_owned(),
        ),
        (
            "spdx.json",
            r#"{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "a", "name": "b", "packages": []}"#.to_owned(),
        ),
        (
            "cdx-top.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "specVersion": "1.6", "components": []}"#.to_owned(),
        ),
        (
            "cdx-element.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "a", "version": "1", "version": "2"}]}"#.to_owned(),
        ),
    ];
    for (name, text) in &cases {
        write(dir.path(), &format!("reports/{name}"), text);
    }
    write(dir.path(), "cost.json", r#"{"estimate_usd": 1, "estimate_usd": 100000}"#);
    let out = verdict(dir.path(), &["evidence", "reports", "--input", "custom:cost=cost.json"]);
    let mut files: Vec<&str> = cases.iter().map(|(n, _)| *n).collect();
    files.push("cost.json");
    refused(&out, "ingest/duplicate-key", &files);
    assert!(stderr(&out).contains("the object has the key `Severity` twice"), "{}", stderr(&out));
    assert!(stderr(&out).contains("7 artifacts could not be read"), "{}", stderr(&out));
}

/// Numbers out of every range: beyond a double (`1e400`) is malformed JSON; a fraction or a
/// huge value where an integer is read is a bad value, named; JUnit's counts saturate and say
/// they disagree with the cases, its non-finite durations are dropped; a huge but finite score
/// is kept as it is. Nothing wraps, panics or reads as a small number.
#[test]
fn enormous_numbers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/overflow.json",
        r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1", "Severity": "HIGH", "CVSS": {"nvd": {"V3Score": 1e400}}}]}]}"#,
    );
    write(dir.path(), "bad/version.json", r#"{"SchemaVersion": 99999999999999999999999999, "Results": []}"#);
    write(
        dir.path(),
        "bad/checkov.json",
        r#"{"check_type": "terraform", "results": {"failed_checks": [{"check_id": "CKV_1", "check_name": "n", "resource": "r", "file_path": "/a.tf", "file_line_range": [1, 184467440737095516160]}]}, "summary": {}}"#,
    );
    let out = verdict(dir.path(), &["evidence", "bad"]);
    refused(&out, "ingest/malformed-json", &["bad/overflow.json"]);
    refused(&out, "ingest/bad-value", &["bad/version.json", "bad/checkov.json"]);

    write(
        dir.path(),
        "good/junit.xml",
        r#"<testsuite name="s" tests="99999999999999999999999" failures="-1" time="1e999"><testcase name="a" classname="c" time="1e400"/></testsuite>"#,
    );
    write(
        dir.path(),
        "good/trivy.json",
        r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1", "FixedVersion": "2", "Severity": "HIGH", "CVSS": {"nvd": {"V3Score": 1e300}}}]}]}"#,
    );
    write(dir.path(), "cost.json", r#"{"estimate_usd": 123456789012345678901234567890}"#);
    let out = verdict(dir.path(), &["evidence", "good", "--input", "custom:cost=cost.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ev: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ev["tests"]["discrepancies"][0]["declared"]["tests"], u64::MAX);
    assert_eq!(ev["tests"]["cases"][0]["duration_s"], serde_json::Value::Null);
    assert_eq!(ev["vulnerabilities"][0]["cvss"][0]["score"], 1e300);
    assert_eq!(ev["custom"]["cost"]["estimate_usd"], 1.2345678901234568e29);
    let out = verdict(dir.path(), &["run", "good", "--input", "custom:cost=cost.json"]);
    assert_eq!(out.status.code(), Some(1), "a fixable HIGH vulnerability fails: {}", stderr(&out));
}

/// 10,000 levels of nesting where verdict reads JSON or YAML besides artifacts — a policy data
/// file (JSON, YAML flow and block style), `verdict.yaml` — are errors naming the file, exit 2,
/// never a stack overflow.
#[test]
fn deep_data_and_configuration_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    write(dir.path(), "deep.json", "[".repeat(n) + &"]".repeat(n));
    write(dir.path(), "flow.yaml", format!("x: {}{}", "[".repeat(n), "]".repeat(n)));
    let block: String = (0..n).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    write(dir.path(), "block.yaml", &block);
    write(dir.path(), "ws/verdict.yaml", format!("inputs: {}{}\n", "[".repeat(n), "]".repeat(n)));
    write(dir.path(), "ws/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    for data in ["deep.json", "flow.yaml", "block.yaml"] {
        let out = verdict(dir.path(), &["run", "ws", "--no-config", "--data", data]);
        assert_eq!(out.status.code(), Some(2), "{data}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error[policy/data]") && stderr(&out).contains(data),
            "{}",
            stderr(&out)
        );
    }
    let out = verdict(&dir.path().join("ws"), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[config/") && stderr(&out).contains("verdict.yaml"),
        "{}",
        stderr(&out)
    );
}

/// `verdict run` on the demo with `rego` as the user's policy and `args`, writing reports to
/// `out/`; asserts that it stopped as an input error (exit 2) without writing a verdict, and
/// returns what it said.
fn policy_refused(rego: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy/p.rego", rego);
    let demo = root().join("fixtures/demo");
    let run = ["run", demo.to_str().unwrap(), "--policy", "policy", "--output-dir", "out"];
    let out = verdict(dir.path(), &[&run[..], args].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty() && !dir.path().join("out").exists(), "no verdict was written");
    err
}

/// A policy that produces millions of results stops at `--max-findings` (250,000) as an
/// error, `policy/too-many-findings` with exit 2 (not a timeout): never a partial verdict,
/// never a report of millions of lines.
#[test]
fn a_policy_with_millions_of_results_stops_at_the_limit() {
    let many =
        "package main\n\ndeny contains msg if {\n\tsome i in numbers.range(1, 2000000)\n\tmsg := i\n}\n";
    let err = policy_refused(many, &[]);
    assert!(
        err.contains("error[policy/too-many-findings]: policies produced more than 250000 findings"),
        "{err}"
    );
    let err = policy_refused(many, &["--max-findings", "10"]);
    assert!(
        err.contains("error[policy/too-many-findings]: policies produced more than 10 findings"),
        "{err}"
    );
}

/// A rule that builds a huge collection before it yields anything (here a billion numbers,
/// tens of GB) stops at `--max-policy-memory` as `policy/out-of-memory`, exit 2, without a
/// verdict: regorus checks the limit as it evaluates, so the runner keeps its memory.
#[test]
fn a_runaway_policy_stops_at_its_memory_limit() {
    let range = "package main\n\ndeny contains msg if {\n\tsome i in numbers.range(1, 1000000000)\n\tmsg := sprintf(\"%d\", [i])\n}\n";
    let err = policy_refused(range, &["--max-policy-memory", "64MiB"]);
    assert!(
        err.contains("error[policy/out-of-memory]: policy evaluation needed more than 64 MiB of memory"),
        "{err}"
    );
    assert!(err.contains("--> at data.main.deny"), "{err}");
    // The built-in pack on the demo fits in far less.
    let (dir, demo) = (tempfile::tempdir().unwrap(), root().join("fixtures/demo"));
    let out = verdict(dir.path(), &["run", demo.to_str().unwrap(), "--max-policy-memory", "16MiB"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// A finding whose message is one 10 MB word: the terminal shows a few hundred characters of
/// it, the comment a few hundred more, and `--max-shown` bounds how many findings are listed.
#[test]
fn huge_findings_are_shown_short() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy/big.rego",
        "package main\n\ndeny contains msg if {\n\tmsg := concat(\"\", [x | some i in numbers.range(1, 1000000); x := \"aaaaaaaaaa\"])\n}\n\ndeny contains msg if {\n\tsome i in numbers.range(1, 40)\n\tmsg := sprintf(\"finding %d\", [i])\n}\n",
    );
    let demo = root().join("fixtures/demo");
    let run = |args: &[&str]| {
        let out =
            verdict(dir.path(), &[&["run", demo.to_str().unwrap(), "--policy", "policy"], args].concat());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&[]);
    assert!(text.len() < 40_000, "{} bytes", text.len());
    assert!(text.lines().all(|l| l.chars().count() < 400), "a long line");
    assert!(text.contains("… and 36 more of this rule"), "{text}");
    let text = run(&["--max-shown", "2"]);
    assert!(text.contains("… and 39 more of this rule"), "{text}");
    let md = run(&["--format", "markdown", "--max-shown", "3"]);
    assert!(md.chars().count() < 65_536 && md.lines().all(|l| l.chars().count() < 4_000));
    let listed = md.lines().filter(|l| l.starts_with("- finding ") || l.starts_with("- aaaa")).count();
    assert_eq!(listed, 3, "{md}");
    assert!(md.contains("aaaaaaaaaa") && !md.contains(&"a".repeat(1_000)), "the message, cut");
}

/// Every test docs/security.md names exists: `path::function` names a function in that file,
/// a `tests/cli/*.toml` path names a CLI case (run by `tests/cli.rs`).
#[test]
fn the_table_names_tests_that_exist() {
    let doc = std::fs::read_to_string(root().join("docs/security.md")).unwrap();
    let mut named = 0;
    for cell in doc.split('`').skip(1).step_by(2) {
        if let Some((path, function)) = cell.split_once("::") {
            if !path.starts_with("tests/") && !path.starts_with("src/") {
                continue;
            }
            let function = function.rsplit("::").next().unwrap();
            let text = std::fs::read_to_string(root().join(path))
                .unwrap_or_else(|_| panic!("{path} is named but missing"));
            assert!(text.contains(&format!("fn {function}(")), "{path} has no fn {function}");
            named += 1;
        } else if cell.starts_with("tests/cli/") && cell.ends_with(".toml") {
            assert!(root().join(cell).is_file(), "{cell} is named but missing");
            named += 1;
        }
    }
    assert!(named >= 15, "docs/security.md names {named} tests");
}
