//! The evidence document, `verdict/evidence/v1`: what every later stage (policy, reports,
//! signatures) reads, and the public contract with policy authors.
//!
//! Owns: the record types, their field names and serialized shape, fingerprints, and how the
//! records of many artifacts merge into one document.
//! Takes records from `ingest`; returns a serializable [`Evidence`].
//! Must not: parse artifact formats, read files, decide pass or fail, or print.
//!
//! Shape rules (documented field by field in `docs/evidence.md`, schema in
//! `schemas/evidence.v1.schema.json`):
//! - every field is always present; an absent value is `null` (never a missing key), so a Rego
//!   rule comparing a field never becomes undefined by accident;
//! - names are snake_case; severities are upper-case words (`CRITICAL` … `UNKNOWN`), statuses
//!   lower-case words;
//! - every finding carries a `fingerprint` that does not depend on line numbers or report order;
//! - `source` on a record is the `path` of the [`Source`] it came from.

pub mod fingerprint;
mod model;

pub use model::*;

/// The `apiVersion` of the document this module produces.
pub const API_VERSION: &str = "verdict/evidence/v1";

impl Evidence {
    /// An empty document with the given metadata.
    pub fn new(meta: Meta) -> Self {
        Evidence {
            api_version: API_VERSION.to_owned(),
            meta,
            sources: Vec::new(),
            skipped: Vec::new(),
            tests: Tests::default(),
            vulnerabilities: Vec::new(),
            misconfigurations: Vec::new(),
            secrets: Vec::new(),
            licenses: Vec::new(),
            components: Vec::new(),
            dependencies: Vec::new(),
            signatures: Vec::new(),
            attestations: Vec::new(),
            custom: Default::default(),
        }
    }

    /// Makes room for the records of many artifacts at once, so that merging them allocates
    /// each list once instead of doubling it repeatedly (which would briefly hold up to twice
    /// the largest list).
    pub fn reserve<'a>(&mut self, all: impl Iterator<Item = &'a Records> + Clone) {
        let sum = |f: fn(&Records) -> usize| all.clone().map(f).sum::<usize>();
        self.tests.cases.reserve(sum(|r| r.tests.cases.len()));
        self.tests.discrepancies.reserve(sum(|r| r.tests.discrepancies.len()));
        self.vulnerabilities.reserve(sum(|r| r.vulnerabilities.len()));
        self.misconfigurations.reserve(sum(|r| r.misconfigurations.len()));
        self.secrets.reserve(sum(|r| r.secrets.len()));
        self.licenses.reserve(sum(|r| r.licenses.len()));
        self.components.reserve(sum(|r| r.components.len()));
        self.dependencies.reserve(sum(|r| r.dependencies.len()));
    }

    /// Appends the records of one artifact. Callers add artifacts in a stable order (sorted by
    /// path) so that the document is the same from run to run.
    pub fn absorb(&mut self, records: Records) {
        let Records {
            tests,
            vulnerabilities,
            misconfigurations,
            secrets,
            licenses,
            components,
            dependencies,
            custom,
        } = records;
        self.tests.absorb(tests);
        self.vulnerabilities.extend(vulnerabilities);
        self.misconfigurations.extend(misconfigurations);
        self.secrets.extend(secrets);
        self.licenses.extend(licenses);
        self.components.extend(components);
        self.dependencies.extend(dependencies);
        self.custom.extend(custom);
    }
}

impl Tests {
    /// Adds another artifact's tests: totals are summed, lists appended.
    pub fn absorb(&mut self, other: Tests) {
        self.totals.add(&other.totals);
        self.testcases.add(&other.testcases);
        self.discrepancies.extend(other.discrepancies);
        self.cases.extend(other.cases);
    }
}

impl TestTotals {
    fn add(&mut self, o: &TestTotals) {
        self.total += o.total;
        self.passed += o.passed;
        self.failed += o.failed;
        self.errored += o.errored;
        self.skipped += o.skipped;
        self.flaky += o.flaky;
    }

    /// Counts one distinct test.
    pub fn count(&mut self, status: TestStatus, flaky: bool) {
        self.total += 1;
        match status {
            TestStatus::Passed => self.passed += 1,
            TestStatus::Failed => self.failed += 1,
            TestStatus::Errored => self.errored += 1,
            TestStatus::Skipped => self.skipped += 1,
        }
        if flaky {
            self.flaky += 1;
        }
    }
}

impl TestcaseTotals {
    fn add(&mut self, o: &TestcaseTotals) {
        self.total += o.total;
        self.passed += o.passed;
        self.failed += o.failed;
        self.errored += o.errored;
        self.skipped += o.skipped;
    }

    /// Counts one `<testcase>` element.
    pub fn count(&mut self, status: TestStatus) {
        self.total += 1;
        match status {
            TestStatus::Passed => self.passed += 1,
            TestStatus::Failed => self.failed += 1,
            TestStatus::Errored => self.errored += 1,
            TestStatus::Skipped => self.skipped += 1,
        }
    }
}

impl Severity {
    /// Every severity word, most severe first, as written in the document.
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
        Severity::Unknown,
    ];

    /// The word as written in the evidence document.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
            Severity::Info => "INFO",
            Severity::Unknown => "UNKNOWN",
        }
    }

    /// Reads a scanner's severity word, ignoring case. Besides the document's own words this
    /// accepts the synonyms scanners write: `MODERATE` (GitHub advisories) for MEDIUM,
    /// `INFORMATIONAL`/`NONE` for INFO. Anything else is `None`: an unexpected word is an input
    /// error, never silently mapped to a weaker severity.
    pub fn parse(word: &str) -> Option<Severity> {
        let w = word.trim();
        let eq = |s: &str| w.eq_ignore_ascii_case(s);
        Some(if eq("CRITICAL") {
            Severity::Critical
        } else if eq("HIGH") {
            Severity::High
        } else if eq("MEDIUM") || eq("MODERATE") {
            Severity::Medium
        } else if eq("LOW") {
            Severity::Low
        } else if eq("INFO") || eq("INFORMATIONAL") || eq("NONE") {
            Severity::Info
        } else if eq("UNKNOWN") {
            Severity::Unknown
        } else {
            return None;
        })
    }

    /// The accepted words, for error messages.
    pub fn expected() -> &'static str {
        "one of CRITICAL, HIGH, MEDIUM (or MODERATE), LOW, INFO, UNKNOWN"
    }
}

impl TestStatus {
    /// How bad an outcome is when one `<testcase>` holds several result elements:
    /// error > failure > skipped > passed (the rule of `../shared/corpus/junit/EXPECTED.tsv`
    /// and of publish-unit-test-result-action).
    pub fn rank(self) -> u8 {
        match self {
            TestStatus::Passed => 0,
            TestStatus::Skipped => 1,
            TestStatus::Failed => 2,
            TestStatus::Errored => 3,
        }
    }

    /// True for failed and errored.
    pub fn is_failure(self) -> bool {
        matches!(self, TestStatus::Failed | TestStatus::Errored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Synonyms map to the document's words; unknown words are refused, not downgraded.
    #[test]
    fn severity_words() {
        assert_eq!(Severity::parse("critical"), Some(Severity::Critical));
        assert_eq!(Severity::parse("Moderate"), Some(Severity::Medium));
        assert_eq!(Severity::parse("INFORMATIONAL"), Some(Severity::Info));
        assert_eq!(Severity::parse("SEVERE"), None);
        assert_eq!(Severity::parse(""), None);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).expect("severity serializes"),
                serde_json::Value::String(s.as_str().to_owned())
            );
        }
    }

    /// Totals of two artifacts add up field by field.
    #[test]
    fn totals_add() {
        let mut a = Tests::default();
        a.totals.count(TestStatus::Passed, true);
        a.testcases.count(TestStatus::Failed);
        a.testcases.count(TestStatus::Passed);
        let mut b = Tests::default();
        b.totals.count(TestStatus::Errored, false);
        b.testcases.count(TestStatus::Errored);
        a.absorb(b);
        assert_eq!((a.totals.total, a.totals.passed, a.totals.errored, a.totals.flaky), (2, 1, 1, 1));
        assert_eq!((a.testcases.total, a.testcases.failed, a.testcases.errored), (3, 1, 1));
    }
}

impl TestCase {
    /// A test the built-in pack judges: it failed or errored last, or it was flaky. Passing and
    /// skipped tests are only counted (in [`Tests::totals`]).
    pub fn judged(&self) -> bool {
        self.flaky || matches!(self.status, TestStatus::Failed | TestStatus::Errored)
    }
}

/// Which records reading keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// Every record: for `verdict evidence`, and for policies of your own, which may read any.
    #[default]
    All,
    /// Only what the built-in pack judges ([`TestCase::judged`]); the totals still count every
    /// test. Passing tests are most of a large run's records, so memory then follows the
    /// findings rather than the size of the files.
    Judged,
}
