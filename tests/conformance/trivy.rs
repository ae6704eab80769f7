//! Trivy: every JSON golden in `corpus/trivy` parses, with the counts its content holds
//! (`corpus/trivy/SUMMARY.tsv`, computed by a plain JSON walk over `Results[]`).

use std::collections::HashMap;

use verdict::evidence::{CheckStatus, Kind, Severity};

/// Every golden and every generated report parses, and its counts by severity, failed
/// misconfigurations, secrets and licenses equal the summary's.
#[test]
fn trivy_reports_match_their_counts() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("trivy");
    let summary = std::fs::read_to_string(dir.join("SUMMARY.tsv")).expect("SUMMARY.tsv");
    let mut header: Vec<&str> = Vec::new();
    let mut checked = 0;
    for line in summary.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if header.is_empty() {
            header = cols;
            continue;
        }
        let row: HashMap<&str, &str> = header.iter().copied().zip(cols.iter().copied()).collect();
        let num = |k: &str| -> usize { row.get(k).and_then(|v| v.parse().ok()).unwrap_or(0) };
        let path = dir.join(row["file"]);
        let ev =
            super::read(&path).unwrap_or_else(|e| panic!("{}: {}", path.display(), super::first_error(&e)));
        assert_eq!(ev.sources.len(), 1, "{}: recognized as a Trivy report", path.display());
        assert_eq!(ev.sources[0].kind, Kind::Trivy);
        let sev = |s: Severity| ev.vulnerabilities.iter().filter(|v| v.severity == s).count();
        let name = row["file"];
        assert_eq!(ev.vulnerabilities.len(), num("vulns"), "{name}: vulnerabilities");
        assert_eq!(sev(Severity::Critical), num("critical"), "{name}: critical");
        assert_eq!(sev(Severity::High), num("high"), "{name}: high");
        assert_eq!(sev(Severity::Medium), num("medium"), "{name}: medium");
        assert_eq!(sev(Severity::Low), num("low"), "{name}: low");
        assert_eq!(sev(Severity::Unknown), num("unknown"), "{name}: unknown");
        let failed = ev.misconfigurations.iter().filter(|m| m.status == CheckStatus::Failed).count();
        assert_eq!(failed, num("misconf_fail"), "{name}: failed misconfigurations");
        // Each failed check is its own finding: a waiver, a code-scanning alert and a Code
        // Quality issue each (Trivy's Kubernetes and Dockerfile checks often name no resource).
        let mut fingerprints: Vec<&str> = ev
            .misconfigurations
            .iter()
            .filter(|m| m.status == CheckStatus::Failed)
            .map(|m| m.fingerprint.as_str())
            .collect();
        fingerprints.sort_unstable();
        fingerprints.dedup();
        assert_eq!(fingerprints.len(), failed, "{name}: two failed checks share a fingerprint");
        assert_eq!(ev.secrets.len(), num("secrets"), "{name}: secrets");
        assert_eq!(ev.licenses.len(), num("licenses"), "{name}: licenses");
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} Trivy reports checked");
}

/// The other renderings Trivy writes (SARIF, JUnit template, GitLab, CycloneDX, …) are not
/// mistaken for Trivy JSON reports.
#[test]
fn trivy_other_formats_are_not_trivy_json() {
    let Some(corpus) = super::corpus() else { return };
    for path in super::files(&corpus.join("trivy/other-formats"), &[""]) {
        match super::found(&path) {
            Ok(ev) => assert!(
                ev.sources.iter().all(|s| s.kind != Kind::Trivy),
                "{} was read as a Trivy JSON report",
                path.display()
            ),
            Err(e) => panic!("{}: {}", path.display(), super::first_error(&e)),
        }
    }
}
