//! Discovery end to end: what `verdict evidence FOLDER` reads and skips.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::path::Path;

use verdict::evidence::Kind;
use verdict::ingest::Limits;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// An SPDX document written with sorted keys puts `spdxVersion` after a long `packages` list,
/// beyond the first 64 KiB that sniffing looks at; it is still recognized and read whole.
#[test]
fn sorted_keys_spdx_is_recognized() {
    let dir = tempfile::tempdir().unwrap();
    let packages: Vec<serde_json::Value> = (0..2000)
        .map(|i| {
            serde_json::json!({"SPDXID": format!("SPDXRef-Package-{i}"), "name": format!("pkg-{i}"),
              "versionInfo": "1.0.0", "downloadLocation": "NOASSERTION", "licenseConcluded": "MIT"})
        })
        .collect();
    let doc = serde_json::json!({
        "SPDXID": "SPDXRef-DOCUMENT", "creationInfo": {"created": "2026-11-20T09:15:02Z", "creators": ["Tool: trivy-0.41.0"]},
        "dataLicense": "CC0-1.0", "documentNamespace": "http://aquasecurity.github.io/trivy/container_image/app-1",
        "name": "app", "packages": packages, "spdxVersion": "SPDX-2.3"
    });
    // serde_json's map is sorted, as Go's encoder sorts map keys.
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.find("spdxVersion").unwrap() > 64 * 1024);
    write(dir.path(), "sbom.json", &text);
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1);
    assert_eq!(ev.sources[0].kind, Kind::Spdx);
    assert_eq!(ev.components.len(), 2000);
}

/// Skipped folders, symbolic links and unknown files: the evidence says what was examined.
#[test]
fn skips_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let junit = r#"<testsuite name="s"><testcase name="t"/></testsuite>"#;
    write(dir.path(), "reports/junit.xml", junit);
    write(dir.path(), "node_modules/dep/junit.xml", junit);
    write(dir.path(), "target/surefire-reports/TEST-x.xml", junit);
    write(dir.path(), ".git/junit.xml", junit);
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    write(dir.path(), "package.json", r#"{"name": "x", "version": "1.0.0"}"#);
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("reports/junit.xml"), dir.path().join("link.xml")).unwrap();
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    let read: Vec<_> =
        ev.sources.iter().map(|s| Path::new(&s.path).strip_prefix(dir.path()).unwrap().to_owned()).collect();
    assert_eq!(read, [Path::new("reports/junit.xml")]);
    assert_eq!(ev.skipped.len(), 1, "{:?}", ev.skipped);
    assert_eq!(ev.meta.discovery.files_examined, 3);
    assert_eq!(
        (ev.meta.discovery.recognized, ev.meta.discovery.skipped_structured, ev.meta.discovery.skipped_other),
        (1, 1, 1)
    );
    // Named explicitly, a skipped folder is read.
    let ev =
        verdict::cli::gather(&[dir.path().join("target/surefire-reports")], &[], &Limits::default()).unwrap();
    assert_eq!(ev.tests.totals.total, 1);
}

/// A file found by discovery and also named with --input is read once, as named.
#[test]
fn named_and_found_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cost.json", r#"{"estimate_usd": 12}"#);
    let spec = format!("custom:cost={}", dir.path().join("cost.json").display()).parse().unwrap();
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[spec], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1);
    assert!(ev.sources[0].named);
    assert_eq!(ev.custom["cost"]["estimate_usd"], 12);
    assert!(ev.skipped.is_empty());
}

/// Walking a folder never leaves it and never loops: symbolic links are not followed, whether
/// they point at a file or a folder outside (absolute or through `..`), at a parent (a loop),
/// at each other (a cycle) or nowhere; a FIFO is not opened (it would block). Only the one real
/// report inside is read, and nothing is an error. A link named explicitly is the user's choice,
/// and is read.
#[cfg(unix)]
#[test]
fn links_out_of_the_tree_and_loops_are_not_followed() {
    use std::os::unix::fs::symlink;
    let junit = r#"<testsuite name="s"><testcase name="t"/></testsuite>"#;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret/junit.xml", junit);
    write(outside.path(), "cost.json", r#"{"estimate_usd": 1}"#);
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    write(&ws, "reports/junit.xml", junit);
    symlink(outside.path().join("secret"), ws.join("reports/outside-dir")).unwrap();
    symlink(outside.path().join("secret/junit.xml"), ws.join("reports/outside-file.xml")).unwrap();
    symlink("../../../", ws.join("reports/up")).unwrap();
    symlink(&ws, ws.join("reports/loop")).unwrap();
    symlink(ws.join("reports/b"), ws.join("reports/a")).unwrap();
    symlink(ws.join("reports/a"), ws.join("reports/b")).unwrap();
    symlink(ws.join("nowhere"), ws.join("reports/dangling.xml")).unwrap();
    let fifo = ws.join("reports/fifo.xml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());

    let ev = verdict::cli::gather(std::slice::from_ref(&ws), &[], &Limits::default()).unwrap();
    let read: Vec<_> =
        ev.sources.iter().map(|s| Path::new(&s.path).strip_prefix(&ws).unwrap().to_owned()).collect();
    assert_eq!(read, [Path::new("reports/junit.xml")]);
    assert_eq!((ev.tests.totals.total, ev.meta.discovery.files_examined), (1, 1));
    // Each link passed over is listed (as `ls -F` marks one), so that a run without the tests
    // behind a link (Bazel's bazel-testlogs) can say what it did not read.
    let links: Vec<&str> = ev
        .meta
        .discovery
        .not_searched
        .iter()
        .map(|l| l.rsplit_once("reports/").map_or(l.as_str(), |(_, name)| name))
        .collect();
    assert_eq!(links, ["a@", "b@", "dangling.xml@", "loop@", "outside-dir@", "outside-file.xml@", "up@"]);

    let named = ws.join("reports/outside-file.xml");
    let ev = verdict::cli::gather(&[named], &[], &Limits::default()).unwrap();
    assert_eq!(ev.tests.totals.total, 1, "a link named explicitly is read");
}

/// An empty or blank file whose name says it is an artifact (`trivy.json` after a scan that
/// crashed, `TEST-x.xml` after a runner that died) is an `ingest/empty` error, not skipped: the
/// gate must not pass without the scan or the tests. Other empty files are still skipped.
#[test]
fn an_empty_artifact_is_an_error_not_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    write(dir.path(), "notes.json", "");
    write(dir.path(), "placeholder.xml", "\n");
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1, "empty files of no artifact's name are skipped");

    write(dir.path(), "reports/Trivy-Image.json", "");
    write(dir.path(), "reports/surefire/TEST-com.acme.AppTest.xml", " \n\t");
    let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap_err();
    let got: Vec<(String, &str, String)> = errors
        .iter()
        .map(|e| {
            let name = Path::new(&e.display).file_name().unwrap().to_string_lossy().into_owned();
            (name, e.error.code.as_str(), e.error.message.clone())
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Trivy-Image.json".to_owned(),
                "ingest/empty",
                "the file is empty, though its name says it is a Trivy JSON report".to_owned()
            ),
            (
                "TEST-com.acme.AppTest.xml".to_owned(),
                "ingest/empty",
                "the file holds nothing but whitespace, though its name says it is a JUnit XML test report"
                    .to_owned()
            ),
        ]
    );
}

/// A JUnit report written in UTF-16 (PowerShell's `Out-File` by default), or one cut off in
/// its root element's name, is an error in a folder too, not a file skipped while the gate
/// passes on the others.
#[test]
fn a_report_in_utf16_or_cut_in_its_root_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    let report = r#"<?xml version="1.0" encoding="UTF-16"?><testsuite name="s"><testcase name="t"><failure/></testcase></testsuite>"#;
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(report.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::create_dir_all(dir.path().join("win")).unwrap();
    std::fs::write(dir.path().join("win/TestResults.xml"), utf16).unwrap();
    write(dir.path(), "cut/TEST-x.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tests");
    // A CycloneDX SBOM cut in its root's start tag, before `xmlns` (the spec's examples write
    // `serialNumber` and `version` first).
    write(
        dir.path(),
        "cut/bom.xml",
        "<?xml version=\"1.0\"?>\n<bom serialNumber=\"urn:uuid:3e671687\" version=\"1\" ",
    );
    let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap_err();
    let mut got: Vec<(String, &str, String)> = errors
        .iter()
        .map(|e| {
            let name = Path::new(&e.display).file_name().unwrap().to_string_lossy().into_owned();
            (name, e.error.code.as_str(), e.error.message.clone())
        })
        .collect();
    got.sort();
    assert_eq!(got[0].0, "TEST-x.xml");
    assert_eq!(got[0].1, "ingest/truncated", "{got:?}");
    assert_eq!((got[2].0.as_str(), got[2].1), ("bom.xml", "ingest/truncated"), "{got:?}");
    assert_eq!(
        got[1],
        (
            "TestResults.xml".to_owned(),
            "ingest/unsupported-encoding",
            "a JUnit XML test report written in UTF-16".to_owned()
        )
    );
    let help = errors.iter().find_map(|e| e.error.help.clone().filter(|h| h.contains("iconv"))).unwrap();
    assert!(help.starts_with("convert it with `iconv -f UTF-16 -t UTF-8`"), "{help}");
}

/// A scanner's JUnit rendering beside test results is skipped with its reason (read as tests,
/// each finding would be a failed test), and so are test results in a format verdict does not
/// read; the tests beside them are read. Named by its path, a scanner's JUnit is read as asked.
#[test]
fn scanner_junit_and_other_test_formats_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    let trivy = r#"<?xml version="1.0" ?><testsuites name="trivy"><testsuite tests="1" failures="1" name="alpine 3.10"><testcase classname="musl" name="[MEDIUM] CVE-2019-14697"><failure message="m"/></testcase></testsuite></testsuites>"#;
    write(dir.path(), "scans/trivy.junit.xml", trivy);
    write(dir.path(), "dotnet/TestResult.xml", r#"<test-run id="2" testcasecount="1" result="Failed">"#);
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1);
    assert_eq!(ev.tests.totals.total, 1);
    let mut reasons: Vec<&str> = ev.skipped.iter().map(|s| s.reason.split(',').next().unwrap()).collect();
    reasons.sort();
    assert_eq!(reasons, ["NUnit test results", "Trivy's JUnit rendering of a scan"]);
    let named =
        verdict::cli::gather(&[dir.path().join("scans/trivy.junit.xml")], &[], &Limits::default()).unwrap();
    assert_eq!(named.tests.totals.failed, 1, "named, it is read as the JUnit it is");
}

/// Trivy's SARIF beside test results is skipped with what to give verdict instead; named by its
/// path, it is an error that says the same. Trivy's JSON before 0.20 (a bare array of results)
/// stops the run as another version rather than being skipped, which would pass the gate on the
/// tests alone.
#[test]
fn scanner_sarif_is_named_and_old_trivy_json_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    let sarif = r#"{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [{"tool": {"driver": {"fullName": "Trivy Vulnerability Scanner", "name": "Trivy"}}, "results": [{"ruleId": "CVE-2019-1549", "level": "error"}]}]}"#;
    write(dir.path(), "scans/trivy.sarif", sarif);
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1);
    let reasons: Vec<&str> = ev.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].starts_with("Trivy's SARIF rendering of a scan") && reasons[0].contains("--format json")
    );
    let named = verdict::cli::gather(&[dir.path().join("scans/trivy.sarif")], &[], &Limits::default())
        .expect_err("named SARIF is not read");
    assert!(format!("{named:?}").contains("Trivy's SARIF rendering"), "{named:?}");

    write(
        dir.path(),
        "scans/trivy.json",
        r#"[{"Target": "alpine:3.10 (alpine 3.10.2)", "Type": "alpine", "Vulnerabilities": [{"VulnerabilityID": "CVE-2019-1549", "Severity": "CRITICAL"}]}]"#,
    );
    let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default())
        .expect_err("Trivy before 0.20 stops the run");
    let text = format!("{errors:?}");
    assert!(text.contains("UnsupportedVersion") && text.contains("before 0.20"), "{text}");
}

/// A report after lines of its tool's log (`trivy … > trivy.json 2>&1`) stops the run with the
/// line it starts on, where it was skipped as "not XML or JSON"; an example report in a README
/// (a file not named as JSON or XML) is not looked into.
#[test]
fn a_report_after_log_lines_is_an_error_not_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/junit.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    write(
        dir.path(),
        "README.md",
        "# Tests\n\nThe report looks like this:\n\n<testsuites>\n  <testsuite name=\"x\"/>\n</testsuites>\n",
    );
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1, "the README is not a report");
    write(
        dir.path(),
        "reports/trivy.json",
        "2024-05-02T09:12:31Z\tINFO\t[vuln] Vulnerability scanning is enabled\n{\"SchemaVersion\": 2, \"ArtifactName\": \"app\", \"Results\": []}\n",
    );
    let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default())
        .expect_err("the log before the report stops the run");
    let text = format!("{errors:?}");
    assert!(text.contains("TextBeforeReport") && text.contains("starts on line 2"), "{text}");
}

/// A JSON report that starts with a UTF-8 byte-order mark (Windows PowerShell's `Out-File
/// -Encoding utf8`) is read, as RFC 8259 allows; its SHA-256 is the file's, mark included.
#[test]
fn a_json_report_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let report = "\u{feff}{\"SchemaVersion\": 2, \"ArtifactName\": \".\", \"Results\": [{\"Target\": \"package-lock.json\", \"Class\": \"lang-pkgs\", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-2021-23337\", \"PkgName\": \"lodash\", \"InstalledVersion\": \"4.17.20\", \"FixedVersion\": \"4.17.21\", \"Severity\": \"HIGH\"}]}]}";
    write(dir.path(), "trivy.json", report);
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default())
        .unwrap_or_else(|e| panic!("{}", verdict::cli::render_file_error(&e[0])));
    assert_eq!(ev.vulnerabilities.len(), 1);
    use sha2::Digest;
    assert_eq!(ev.sources[0].sha256, hex::encode(sha2::Sha256::digest(report.as_bytes())));
}

/// One JSON object that is two artifacts (an SBOM with a Trivy report merged into it) is
/// refused rather than read as the SBOM, which would drop the report's vulnerabilities; named
/// as one kind, it is read as that kind.
#[test]
fn an_object_that_is_two_artifacts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let trivy = r#""SchemaVersion": 2, "ArtifactName": "app:1", "Results": [{"Target": "app", "Vulnerabilities": [
        {"VulnerabilityID": "CVE-2024-1", "PkgName": "x", "InstalledVersion": "1", "FixedVersion": "2", "Severity": "CRITICAL"}]}]"#;
    for sbom in [
        r#""bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": []"#,
        r#""spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "app", "packages": []"#,
    ] {
        write(dir.path(), "report.json", &format!("{{{sbom}, {trivy}}}"));
        let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default())
            .expect_err("two artifacts in one object stop the run");
        let text = format!("{errors:?}");
        assert!(text.contains("TwoKinds") && text.contains("Trivy JSON report"), "{text}");
    }
    let named: verdict::cli::args::InputSpec =
        format!("trivy={}", dir.path().join("report.json").display()).parse().unwrap();
    let ev = verdict::cli::gather(&[], &[named], &Limits::default()).unwrap();
    assert_eq!((ev.sources[0].kind, ev.vulnerabilities.len()), (Kind::Trivy, 1));
}

/// A report verdict was writing when its run was stopped (`.NAME.<16 hex>.tmp`, cut off) is
/// skipped, never an artifact and never an error that would stop every later run.
#[test]
fn an_unfinished_report_of_verdicts_own_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "TEST-a.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
    write(
        dir.path(),
        "out/.verdict.junit.xml.0123456789abcdef.tmp",
        "<?xml version=\"1.0\"?>\n<testsuites name=\"verdict\"><tests",
    );
    write(dir.path(), "out/.gate.json.fedcba9876543210.tmp", "{\"SchemaVersion\": 2, \"Results\": [");
    let ev = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap();
    assert_eq!(ev.sources.len(), 1);
    assert_eq!(ev.meta.discovery.skipped_other, 2);
}

/// A CycloneDX XML SBOM cut anywhere before its root's start tag closes (in `xmlns="…"`, at
/// `<bom`, or before any element when its name says it is one) is truncated, never skipped.
#[test]
fn a_cyclonedx_xml_cut_before_its_root_closes_is_truncated() {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    for cut in ["<bom", "<bom serialNumber=\"urn:uuid:3e671687\" version=\"1\" xmlns=\"http://cyclo", ""] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "TEST-a.xml", r#"<testsuite name="s"><testcase name="t"/></testsuite>"#);
        write(dir.path(), "sbom.cdx.xml", &format!("{head}{cut}"));
        let errors = verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default()).unwrap_err();
        assert_eq!(errors[0].error.code.as_str(), "ingest/truncated", "{cut:?}: {errors:?}");
    }
}
