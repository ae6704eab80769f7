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
            unkept: Unkept::default(),
        }
    }

    /// Makes room for the records of many artifacts at once, so that merging them allocates
    /// each list once instead of doubling it repeatedly (which would briefly hold up to twice
    /// the largest list). A list that only one artifact fills gets no room: [`Evidence::absorb`]
    /// then takes that artifact's list as it is instead of copying it (a Trivy report's
    /// twenty thousand vulnerabilities, an SBOM's components).
    pub fn reserve<'a>(&mut self, all: impl Iterator<Item = &'a Records> + Clone) {
        fn room<T>(list: &mut Vec<T>, lens: impl Iterator<Item = usize>) {
            let (filled, sum) = lens.filter(|&n| n > 0).fold((0, 0), |(f, s), n| (f + 1, s + n));
            if filled > 1 {
                list.reserve(sum);
            }
        }
        room(&mut self.tests.cases, all.clone().map(|r| r.tests.cases.len()));
        room(&mut self.tests.discrepancies, all.clone().map(|r| r.tests.discrepancies.len()));
        room(&mut self.vulnerabilities, all.clone().map(|r| r.vulnerabilities.len()));
        room(&mut self.misconfigurations, all.clone().map(|r| r.misconfigurations.len()));
        room(&mut self.secrets, all.clone().map(|r| r.secrets.len()));
        room(&mut self.licenses, all.clone().map(|r| r.licenses.len()));
        room(&mut self.components, all.clone().map(|r| r.components.len()));
        room(&mut self.dependencies, all.map(|r| r.dependencies.len()));
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
            unkept,
        } = records;
        self.unkept.add(&unkept);
        self.tests.absorb(tests);
        append(&mut self.vulnerabilities, vulnerabilities);
        append(&mut self.misconfigurations, misconfigurations);
        append(&mut self.secrets, secrets);
        append(&mut self.licenses, licenses);
        append(&mut self.components, components);
        append(&mut self.dependencies, dependencies);
        self.custom.extend(custom);
    }
}

/// Appends `more` to `list`; a list with no room yet (nothing reserved, nothing added) takes
/// `more` as it is, without copying it.
fn append<T>(list: &mut Vec<T>, more: Vec<T>) {
    if list.capacity() == 0 {
        *list = more;
    } else {
        list.extend(more);
    }
}

impl Tests {
    /// Adds another artifact's tests: totals are summed, lists appended.
    pub fn absorb(&mut self, other: Tests) {
        self.totals.add(&other.totals);
        self.testcases.add(&other.testcases);
        append(&mut self.discrepancies, other.discrepancies);
        append(&mut self.cases, other.cases);
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

    /// Its place in [`Severity::ALL`] (the order of the declaration).
    fn index(self) -> usize {
        self as usize
    }

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
        for (i, s) in Severity::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i, "ALL is in the order of the declaration");
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

    /// Artifacts merge in the order they are given; a list only one artifact fills is taken
    /// as it is (the same buffer, not a copy), and one that several fill is allocated once.
    #[test]
    fn merging_copies_only_lists_that_several_artifacts_fill() {
        let node = |sbom: &str, name: &str| Dependency {
            source: sbom.into(),
            dependency_ref: name.to_owned(),
            depends_on: Vec::new(),
        };
        let artifact = |sbom: &str, names: &[&str]| Records {
            dependencies: names.iter().map(|n| node(sbom, n)).collect(),
            ..Default::default()
        };
        let meta =
            || Meta { verdict_version: String::new(), ci: Default::default(), discovery: Default::default() };

        let only = artifact("a.json", &["x", "y"]);
        let buffer = only.dependencies.as_ptr();
        let mut ev = Evidence::new(meta());
        let all = [only, Records::default()];
        ev.reserve(all.iter());
        for records in all {
            ev.absorb(records);
        }
        assert_eq!(ev.dependencies, vec![node("a.json", "x"), node("a.json", "y")]);
        assert_eq!(ev.dependencies.as_ptr(), buffer, "one artifact's list is taken, not copied");

        let all = [artifact("a.json", &["x"]), artifact("b.json", &["y", "z"])];
        let mut ev = Evidence::new(meta());
        ev.reserve(all.iter());
        assert!(ev.dependencies.capacity() >= 3);
        let room = ev.dependencies.as_ptr();
        for records in all {
            ev.absorb(records);
        }
        let names: Vec<_> = ev.dependencies.iter().map(|d| (&*d.source, d.dependency_ref.as_str())).collect();
        assert_eq!(names, [("a.json", "x"), ("b.json", "y"), ("b.json", "z")]);
        assert_eq!(ev.dependencies.as_ptr(), room, "no second allocation");
    }
}

impl TestCase {
    /// A test the built-in pack judges: it failed or errored last, or it was flaky. Passing and
    /// skipped tests are only counted (in [`Tests::totals`]).
    pub fn judged(&self) -> bool {
        self.flaky || matches!(self.status, TestStatus::Failed | TestStatus::Errored)
    }
}

impl CheckStatus {
    /// A check in this state is one the built-in pack judges: a failed one. The others are
    /// only counted.
    pub fn judged(self) -> bool {
        self == CheckStatus::Failed
    }

    /// A check in this state was suppressed: skipped in the code, or under an exception.
    pub fn suppressed(self) -> bool {
        matches!(self, CheckStatus::Skipped | CheckStatus::Exception)
    }
}

/// Which records reading keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// Every record: for `verdict evidence`, and for policies of your own, which may read any.
    #[default]
    All,
    /// Only what the built-in pack's view holds (`policy::input::keep_judged`): the tests it
    /// judges ([`TestCase::judged`]), the failed checks, the vulnerabilities of the severities
    /// it blocks, no dependency graph, and of each record only the fields the pack reads. The
    /// totals still count every test, and [`Evidence::unkept`] the checks and vulnerabilities.
    /// Passing tests and checks and low-severity advisories are most of a large run's
    /// records, so memory then follows the findings rather than the size of the files.
    Judged {
        /// The vulnerability severities the pack blocks ([`Severities::ALL`] when unknown).
        vulnerabilities: Severities,
    },
}

impl Keep {
    /// Whether only judged records are kept.
    pub fn judged_only(self) -> bool {
        matches!(self, Keep::Judged { .. })
    }

    /// Whether a vulnerability of this severity is kept.
    pub fn keeps_vulnerability(self, severity: Severity) -> bool {
        match self {
            Keep::All => true,
            Keep::Judged { vulnerabilities } => vulnerabilities.contains(severity),
        }
    }
}

/// A set of severities (a few bits: cheap to copy into every parser's context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severities(u8);

impl Severities {
    /// Every severity.
    pub const ALL: Severities = Severities(0b11_1111);

    /// The severities whose word ([`Severity::as_str`], exactly) is among `words`; other words
    /// name none.
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Severities {
        let mut bits = 0;
        for word in words {
            if let Some(s) = Severity::ALL.into_iter().find(|s| s.as_str() == word) {
                bits |= 1 << s.index();
            }
        }
        Severities(bits)
    }

    /// Whether `severity` is in the set.
    pub fn contains(self, severity: Severity) -> bool {
        self.0 & (1 << severity.index()) != 0
    }
}

impl Unkept {
    fn add(&mut self, other: &Unkept) {
        self.misconfigurations += other.misconfigurations;
        self.suppressed_misconfigurations += other.suppressed_misconfigurations;
        self.ignored_secrets += other.ignored_secrets;
        for (mine, theirs) in self.vulnerabilities.iter_mut().zip(other.vulnerabilities) {
            *mine += theirs;
        }
        self.fixable_vulnerabilities += other.fixable_vulnerabilities;
    }

    /// Counts a vulnerability that is not kept.
    pub fn vulnerability(&mut self, severity: Severity, fixable: bool) {
        if let Some(n) = self.vulnerabilities.get_mut(severity.index()) {
            *n += 1;
        }
        self.fixable_vulnerabilities += usize::from(fixable);
    }

    /// The vulnerabilities not kept.
    pub fn vulnerabilities(&self) -> usize {
        self.vulnerabilities.iter().sum()
    }
}
