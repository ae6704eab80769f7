//! JUnit: every file in `corpus/junit` against `corpus/junit/EXPECTED.tsv` (per-testcase
//! counts from the peers' own expected results, or counted by the corpus assembler), plus the
//! distinct-test counts of publish-unit-test-result-action, discrepancies where suites
//! declare other counts, and refusal of the corrupt and hostile files.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use verdict::evidence::{Evidence, Kind};
use verdict::ingest::Code;

struct Row<'a> {
    file: &'a str,
    cols: HashMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn num(&self, col: &str) -> Option<u64> {
        self.cols.get(col).and_then(|v| v.parse().ok())
    }
    fn source(&self) -> &str {
        self.cols.get("source").copied().unwrap_or("")
    }
}

fn rows(text: &str) -> Vec<Row<'_>> {
    let mut header: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if header.is_empty() {
            header = cols;
            continue;
        }
        let map: HashMap<&str, &str> = header.iter().copied().zip(cols.iter().copied()).collect();
        out.push(Row { file: cols[0], cols: map });
    }
    out
}

fn junit_tests(ev: &Evidence) -> u64 {
    ev.tests.testcases.total
}

/// The corpus files with one `<error>` directly under a `<testsuite>`.
const SUITE_ERRORS: [&str; 2] =
    ["jenkins-junit-plugin/junit-report-6700.xml", "jenkins-junit-plugin/junit-report-nested-testsuites.xml"];

/// Every row of EXPECTED.tsv: per-testcase counts, distinct tests, and refusals.
#[test]
fn junit_files_match_expected_counts() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("junit");
    let text = std::fs::read_to_string(dir.join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    let mut checked = 0;
    let mut uniq_checked = 0;
    for row in rows(&text) {
        let path = dir.join(row.file);
        let source = row.source();
        if source == "parse-error" {
            // Named as JUnit, the file is refused with a reason; found by discovery, it never
            // contributes tests.
            let errors = super::read_as("junit", &path).expect_err(row.file);
            let code = errors[0].error.code;
            assert!(
                matches!(
                    code,
                    Code::Truncated
                        | Code::MalformedXml
                        | Code::XmlDoctype
                        | Code::XmlEntity
                        | Code::WrongKind
                ),
                "{}: unexpected {code:?}",
                row.file
            );
            if let Ok(ev) = super::found(&path) {
                assert_eq!(junit_tests(&ev), 0, "{}: a refused file contributed tests", row.file);
            }
            checked += 1;
            continue;
        }
        let ev = super::found(&path).unwrap_or_else(|e| panic!("{}: {}", row.file, super::first_error(&e)));
        if source.starts_with("peer .results (no testcases)") {
            assert_eq!(junit_tests(&ev), 0, "{}", row.file);
            checked += 1;
            continue;
        }
        assert_eq!(ev.sources.len(), 1, "{}: recognized as JUnit", row.file);
        assert_eq!(ev.sources[0].kind, Kind::Junit, "{}", row.file);
        let t = &ev.tests.testcases;
        let want = |c: &str| row.num(c).unwrap_or_else(|| panic!("{}: column {c}", row.file));
        if source.starts_with("peer .results.json stats") && ev.tests.testcases.total == 0 {
            // The file has no <testcase>: counts stay 0, and the suite's declared counts are
            // kept as a discrepancy instead of being trusted.
            let declared: u64 = ev.tests.discrepancies.iter().filter_map(|d| d.declared.tests).sum();
            assert_eq!(declared, want("tests"), "{}: declared tests", row.file);
            checked += 1;
            continue;
        }
        // EXPECTED.tsv counts <testcase> elements; verdict also counts the <error> of a
        // <testsuite> itself (Ant's, for a class that could not load) as an errored test of the
        // suite, named "(suite)", so that it fails the gate (JENKINS-6700).
        let suite_errors = u64::from(SUITE_ERRORS.contains(&row.file));
        assert_eq!(t.total, want("tests") + suite_errors, "{}: testcases", row.file);
        assert_eq!(t.skipped, want("skipped"), "{}: skipped", row.file);
        assert_eq!(t.passed, want("passed"), "{}: passed", row.file);
        if source.starts_with("dorny") {
            // dorny folds errors into failures.
            assert_eq!(t.failed + t.errored, want("failures"), "{}: failed+errored", row.file);
        } else {
            assert_eq!(t.failed, want("failures"), "{}: failures", row.file);
            assert_eq!(t.errored, want("errors") + suite_errors, "{}: errors", row.file);
        }
        let tool = ev.sources[0].tool.as_ref().map(|t| t.name.as_str());
        if matches!(tool, Some("jest-junit" | "mocha")) {
            // jest-junit and mocha write a retried test once: a repeated name there is another
            // test (docs/formats/junit.md), where the peer merges tests by name.
            assert_eq!(ev.tests.totals.total, t.total, "{}: every testcase is a test", row.file);
        } else if let Some(uniq) = row.num("uniq_tests") {
            assert_eq!(ev.tests.totals.total, uniq, "{}: distinct tests", row.file);
            uniq_checked += 1;
        }
        let totals = &ev.tests.totals;
        assert_eq!(
            totals.passed + totals.failed + totals.errored + totals.skipped,
            totals.total,
            "{}: distinct totals add up",
            row.file
        );
        checked += 1;
    }
    assert!(checked >= 200, "only {checked} rows checked");
    assert!(uniq_checked >= 60, "only {uniq_checked} distinct-test counts checked");
}

/// Suites whose attributes disagree with their testcases are recorded, with both figures.
#[test]
fn junit_discrepancies_are_recorded() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("junit");
    for (file, declared, counted) in [
        ("jenkins-junit-plugin/junit-report-1233.xml", 456, 5),
        (
            "maven-surefire/surefire-report-parser/fixture/testsuitexmlparser/TEST-org.acme.FlakyTest.xml",
            1,
            2,
        ),
        ("gotestsum/junitxml-report.xml", 0, 1),
        ("jenkins-junit-plugin/gh-237/TEST-io.olamy.AlwaysFailTest.xml", 4, 1),
    ] {
        let ev =
            super::read(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {}", super::first_error(&e)));
        assert!(
            ev.tests
                .discrepancies
                .iter()
                .any(|d| d.declared.tests == Some(declared) && d.counted.tests == counted),
            "{file}: no discrepancy declared {declared} vs counted {counted}: {:?}",
            ev.tests.discrepancies
        );
    }
    // A consistent report has none.
    let ev = super::read(&dir.join("nextest/fixture-project-junit.xml")).expect("nextest");
    assert!(ev.tests.discrepancies.is_empty(), "{:?}", ev.tests.discrepancies);
}

/// Surefire and nextest reruns: flaky passes and failures after reruns, with attempts.
#[test]
fn junit_reruns() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("junit");
    let ev =
        super::read(&dir.join("jenkins-junit-plugin/gh-237/TEST-io.olamy.FlakyTest.xml")).expect("flaky");
    let c = &ev.tests.cases[0];
    assert!(c.flaky && c.attempts == 3, "{c:?}");
    assert_eq!(c.message.as_deref(), Some("try one more time maybe"));
    let ev =
        super::read(&dir.join("jenkins-junit-plugin/gh-237/TEST-io.olamy.AlwaysFailTest.xml")).expect("fail");
    let c = &ev.tests.cases[0];
    assert!(!c.flaky && c.attempts == 4 && c.status == verdict::evidence::TestStatus::Failed, "{c:?}");
    let ev = super::read(&dir.join("nextest/fixture-project-junit.xml")).expect("nextest");
    assert_eq!(ev.sources[0].tool.as_ref().map(|t| t.name.as_str()), Some("cargo-nextest"));
    assert!(ev.tests.cases.iter().any(|c| c.attempts > 1 && c.status.is_failure()));
}

/// Discovery over the whole JUnit corpus: every report is recognized by its content
/// (`.junit-xml` files too), the expected files are the only errors, the peers' result
/// files and summaries are skipped, and many files merge into one tests section whose
/// totals are the sum of the files'.
#[test]
fn junit_corpus_as_one_folder() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("junit");
    let errors = super::read(&dir).expect_err("the corrupt and hostile files are errors");
    let failed: BTreeSet<String> = errors
        .iter()
        .map(|e| {
            Path::new(&e.display).strip_prefix(&dir).map(|p| p.display().to_string()).unwrap_or_default()
        })
        .collect();
    let expected: BTreeSet<String> =
        ["publish-unit-test-result-action/junit-xml/pytest/corrupt-xml.xml".to_string()].into();
    assert_eq!(
        failed,
        expected,
        "{}",
        errors.iter().map(verdict::cli::render_file_error).collect::<String>()
    );

    // Without the corrupt file, one folder gives the sum of its files.
    let go = dir.join("go-junit-report");
    let merged = super::read(&go).expect("go-junit-report folder");
    let mut sum = 0;
    for f in super::files(&go, &[".xml"]) {
        sum += super::read(&f).expect("file").tests.testcases.total;
    }
    assert_eq!(merged.tests.testcases.total, sum);
    assert_eq!(merged.sources.len(), super::files(&go, &[".xml"]).len());
    assert!(merged.sources.windows(2).all(|w| w[0].path < w[1].path), "sources in path order");
}

/// Every other XML file in the JUnit corpus (dorny's extra fixtures, converted results,
/// PHPUnit, Swift, …) reads without error.
#[test]
fn junit_all_files_read() {
    let Some(corpus) = super::corpus() else { return };
    let dir = corpus.join("junit");
    let mut read = 0;
    for path in super::files(&dir, &[".xml", ".junit-xml"]) {
        let name = path.strip_prefix(&dir).map(|p| p.display().to_string()).unwrap_or_default();
        if name.ends_with("corrupt-xml.xml") {
            continue;
        }
        match super::found(&path) {
            Ok(ev) => {
                if ev.sources.iter().any(|s| s.kind == Kind::Junit) {
                    read += 1;
                }
            }
            Err(e) => panic!("{name}: {}", super::first_error(&e)),
        }
    }
    assert!(read >= 230, "only {read} JUnit files read");
}
