//! Checkov: every Checkov JSON report in the corpus (`corpus/checkov`, real checkov runs) is
//! recognized by content and parses, with the counts a plain JSON walk over its lists gives;
//! Checkov's other output formats are never taken for its JSON report.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use verdict::evidence::{CheckStatus, Evidence, Kind};
use verdict::ingest::sniff::{self, SNIFF_BYTES, Sniffed};

/// The oracle: (framework, status) → number of checks, by walking the JSON as values.
type Counts = BTreeMap<(String, &'static str), usize>;

/// The reports of a Checkov JSON document as values (one object or a list of them), or
/// `None` when the value is not a Checkov report.
fn reports(doc: &Value) -> Option<Vec<&Value>> {
    let list: Vec<&Value> = match doc {
        Value::Array(items) => items.iter().collect(),
        obj @ Value::Object(_) => vec![obj],
        _ => return None,
    };
    list.iter().all(|r| r.get("check_type").is_some() || r.get("checkov_version").is_some()).then_some(list)
}

fn oracle(reports: &[&Value]) -> Counts {
    let mut counts = Counts::new();
    for r in reports {
        let Some(framework) = r.get("check_type").and_then(Value::as_str) else { continue };
        for (list, status) in
            [("failed_checks", "failed"), ("passed_checks", "passed"), ("skipped_checks", "skipped")]
        {
            let n = r["results"].get(list).and_then(Value::as_array).map_or(0, Vec::len);
            *counts.entry((framework.to_owned(), status)).or_default() += n;
        }
    }
    counts
}

/// The checks as the evidence holds them: the failed checks of a `secrets` report are among the
/// secrets (docs/formats/checkov.md), every other one among the misconfigurations.
fn counted(ev: &Evidence) -> Counts {
    let mut counts = Counts::new();
    let secrets = ev.secrets.iter().filter(|s| s.tool == "checkov").count();
    if secrets > 0 {
        counts.insert(("secrets".to_owned(), "failed"), secrets);
    }
    for m in &ev.misconfigurations {
        let status = match m.status {
            CheckStatus::Failed => "failed",
            CheckStatus::Passed => "passed",
            CheckStatus::Skipped => "skipped",
            CheckStatus::Exception => "exception",
        };
        *counts.entry((m.framework.clone().unwrap_or_default(), status)).or_default() += 1;
    }
    counts
}

/// Every Checkov JSON report in the corpus parses; its checks by framework and status, its
/// severities (null stays null) and its version equal what the JSON itself holds.
#[test]
fn checkov_reports_match_their_counts() {
    let Some(corpus) = super::corpus() else { return };
    let mut checked = 0;
    for path in super::files(&corpus.join("checkov"), &[".json"]) {
        let text = std::fs::read_to_string(&path).expect("readable");
        let doc: Value = serde_json::from_str(&text).expect("corpus JSON is valid");
        let Some(reports) = reports(&doc) else { continue };
        let ev =
            super::read(&path).unwrap_or_else(|e| panic!("{}: {}", path.display(), super::first_error(&e)));
        let name = path.display();
        assert_eq!(ev.sources.len(), 1, "{name}: recognized");
        let source = &ev.sources[0];
        assert_eq!(source.kind, Kind::Checkov, "{name}");
        assert!(source.warnings.is_empty(), "{name}: {:?}", source.warnings);

        let mut want = oracle(&reports);
        want.retain(|_, n| *n > 0);
        assert_eq!(counted(&ev), want, "{name}: checks by framework and status");

        let severities = reports
            .iter()
            .flat_map(|r| ["failed_checks", "passed_checks", "skipped_checks"].map(|l| &r["results"][l]))
            .filter_map(Value::as_array)
            .flatten()
            .filter(|c| !c["severity"].is_null())
            .count();
        let with_severity = ev.misconfigurations.iter().filter(|m| m.severity.is_some()).count()
            + ev.secrets.iter().filter(|s| s.severity != verdict::evidence::Severity::Unknown).count();
        assert_eq!(with_severity, severities, "{name}: checks with a severity");

        let version = reports.iter().find_map(|r| r["summary"]["checkov_version"].as_str());
        assert_eq!(source.tool.as_ref().and_then(|t| t.version.as_deref()), version, "{name}: version");
        assert_eq!(source.tool.as_ref().map(|t| t.name.as_str()), Some("checkov"));
        checked += 1;
    }
    assert!(checked >= 1, "no Checkov JSON report found in the corpus");
}

/// Checkov's SARIF, CycloneDX, GitLab SAST, JUnit, CSV, CLI and SPDX outputs are not
/// mistaken for its JSON report (checked on the first bytes, as discovery does).
#[test]
fn checkov_other_formats_are_not_checkov_json() {
    let Some(corpus) = super::corpus() else { return };
    let mut checked = 0;
    for path in super::files(&corpus.join("checkov"), &[""]) {
        if path.file_name().is_some_and(|n| n == "checkov.json") {
            continue;
        }
        let head = head(&path);
        assert!(
            !matches!(sniff::sniff(&head), Sniffed::Known(Kind::Checkov, _)),
            "{} was recognized as a Checkov JSON report",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} other Checkov outputs found");
}

fn head(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("readable");
    bytes.truncate(SNIFF_BYTES);
    bytes
}
