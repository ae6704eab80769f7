//! JUnit XML → tests. Every dialect in use: Ant/JUnit, Maven Surefire and Failsafe (with
//! `flakyFailure`, `flakyError`, `rerunFailure`, `rerunError`), pytest, jest-junit, mocha,
//! go-junit-report and gotestsum, cargo-nextest, PHPUnit, xUnit/NUnit/TRX converters, bazel,
//! tst, and hand-written reports with no attributes at all.
//!
//! Owns: the reading of `<testsuites>`/`<testsuite>` trees (nested suites too), the outcome of
//! each `<testcase>`, the merging of repeated testcases into one test with several attempts,
//! and the comparison of each suite's declared counts with its testcases.
//! Takes a reader and a [`Cx`]; returns [`Parsed`] or an [`IngestError`] with a location.
//! Must not: open files, decide pass or fail, print, or use the network.
//!
//! Rules (documented in `docs/formats/junit.md`):
//! - Counts come from `<testcase>` elements, never from suite attributes; a suite whose
//!   `tests`/`failures`/`errors`/`skipped` attributes disagree is recorded as a discrepancy.
//! - A testcase's outcome is its most severe result child: `<error>` > `<failure>` >
//!   `<skipped>`/`<disabled>` > passed; with no result child, a `status` attribute such as
//!   `disabled` (tst, bazel) decides.
//! - Surefire/nextest reruns inside one testcase are attempts: `flakyFailure`/`flakyError`
//!   beside a pass make the test flaky; `rerunFailure`/`rerunError` beside a failure do not.
//! - Testcases repeated with nothing to tell them apart (same suite, class name, non-empty
//!   name and file — gotestsum `--rerun-fails`, retried jest runs) are one test: the last attempt
//!   decides its status, and a mix of passing and failing attempts makes it flaky.
//!   `tests.testcases` keeps the per-element counts beside the distinct-test `tests.totals`.
//! - With [`crate::evidence::Keep::Judged`] (a run that only the built-in pack judges), a test that never failed
//!   is counted but gets no record; the records kept, their order and every count are those of
//!   reading all and dropping the rest.

use std::io::BufRead;
use std::sync::Arc;

use super::xml::{Capture, Ev, Start, XmlReader};
use super::{Code, Cx, Facts, IngestError, Parsed, caps};
use crate::evidence::{
    CountedCounts, DeclaredCounts, SuiteDiscrepancy, TestCase, TestStatus, Tests, Tool, fingerprint,
};

/// Parses a JUnit XML report.
pub fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let mut x = XmlReader::new(reader, cx.limits.max_depth);
    let mut p = Parser {
        cx,
        tests: Tests::default(),
        index: foldhash::HashMap::default(),
        hosts: Vec::new(),
        seen: Vec::new(),
        passed: Vec::new(),
        distinct: 0,
        suites: Vec::new(),
        tool: None,
        case: CaseAttrs::default(),
    };
    // The root element.
    loop {
        let action = match x.next()? {
            Ev::Start(s) => {
                let root = s.name();
                if root != "testsuites" && root != "testsuite" {
                    let message = format!("the root element is <{root}>, so this is not a JUnit XML report");
                    return Err(IngestError::new(Code::WrongKind, message)
                        .at(x.here())
                        .expected("<testsuites> or <testsuite>"));
                }
                p.start(&s)?
            }
            Ev::Text(_) | Ev::End => continue,
            Ev::Eof => return Ok(p.finish()),
        };
        p.act(&mut x, action)?;
        break;
    }
    loop {
        let action = match x.next()? {
            Ev::Start(s) => p.start(&s)?,
            Ev::End => Action::Closed,
            Ev::Text(_) => Action::None,
            Ev::Eof => break,
        };
        p.act(&mut x, action)?;
    }
    Ok(p.finish())
}

/// An open `<testsuite>` (or the `<testsuites>` root, which holds testcases in some dialects).
struct Suite {
    /// Reader depth at which the suite's element is open.
    depth: usize,
    /// `<testsuite>` rather than the `<testsuites>` wrapper.
    is_suite: bool,
    name: Option<Arc<str>>,
    file: Option<String>,
    declared: DeclaredCounts,
    counted: CountedCounts,
    /// A test in it (or in a suite nested in it) was run more than once (Surefire's reruns,
    /// repeated testcases): its attributes may then count every attempt.
    reruns: bool,
    /// Where its tests ran: its `hostname`, else its parent's, as a place in
    /// [`Parser::hosts`] plus one (0: not said). Playwright names each browser project there.
    host: u32,
}

/// The suite a test case belongs to: the innermost open `<testsuite>`, else the innermost
/// open element that counts tests.
fn test_suite(suites: &[Suite]) -> Option<&Suite> {
    suites.iter().rev().find(|s| s.is_suite).or(suites.last())
}

struct Parser<'a, 'c> {
    cx: &'a Cx<'c>,
    tests: Tests,
    /// Distinct-test key → where the test is, and the host its first attempt ran on (see
    /// [`Suite::host`]). The key is already a hash: a cheap hasher does.
    index: foldhash::HashMap<u128, (Slot, u32)>,
    /// The suites' distinct `hostname`s (usually one).
    hosts: Vec<Arc<str>>,
    /// Per test in `tests.cases`: whether any attempt passed, whether any failed, and its
    /// place among the distinct tests of the report.
    seen: Vec<(bool, bool, u32)>,
    /// With [`crate::evidence::Keep::Judged`], the tests that have not failed (so far): only what it takes to
    /// count them and to merge a later attempt, not a whole record each.
    passed: Vec<Passed>,
    /// Distinct tests so far.
    distinct: u32,
    suites: Vec<Suite>,
    tool: Option<Tool>,
    /// The attributes of the testcase being read. Its strings are reused from one testcase to
    /// the next: most tests pass and are only counted, and copying their names into fresh
    /// strings was two allocations per test for nothing. A kept test copies what it keeps.
    case: CaseAttrs,
}

/// Where a distinct test is.
#[derive(Clone, Copy)]
enum Slot {
    /// In `tests.cases`.
    Kept(usize),
    /// In `passed` (only with [`crate::evidence::Keep::Judged`]).
    Passed(usize),
}

/// A test none of whose attempts failed so far, when only judged tests are kept: a test that
/// passed or was skipped is counted, never judged, so its record is not built unless a later
/// attempt fails (a rerun in another testcase element).
struct Passed {
    status: TestStatus,
    any_passed: bool,
    attempts: u32,
    /// The first attempt's `line`: the one a record keeps.
    line: Option<u64>,
    /// Its place among the distinct tests of the report.
    order: u32,
    /// A later attempt failed: the test is in `tests.cases` now.
    kept: bool,
}

/// What one `<testcase>` element says.
struct Element {
    status: TestStatus,
    message: Option<String>,
    details: Option<String>,
    failure_type: Option<String>,
    /// Attempts inside the element: 1 plus its reruns.
    attempts: u32,
    had_pass: bool,
    had_fail: bool,
    /// Message, details and type of the last failing rerun (for a flaky pass).
    rerun: Option<(Option<String>, Option<String>, Option<String>)>,
}

impl Parser<'_, '_> {
    /// Reads what an opening tag says, before the reader moves on.
    fn start(&mut self, s: &Start<'_>) -> Result<Action, IngestError> {
        Ok(match s.name() {
            "testsuite" | "testsuites" => Action::Suite(self.suite(s)?),
            "testcase" => {
                self.case.read(s)?;
                Action::Case
            }
            "property" => {
                self.property(s)?;
                Action::None
            }
            // Suite-level output: nothing to count, possibly megabytes to skip.
            "system-out" | "system-err" => Action::Skip,
            // A result of the suite itself: Ant writes one when a test class cannot be loaded or
            // its class-level setup fails, and then no testcase of it ran.
            "error" | "failure" if self.suites.last().is_some_and(|s| s.is_suite) => {
                let status = if s.name() == "error" { TestStatus::Errored } else { TestStatus::Failed };
                let (message, failure_type) = result_attrs(s)?;
                Action::SuiteResult { status, message, failure_type }
            }
            _ => Action::None,
        })
    }

    fn act<R: BufRead>(&mut self, x: &mut XmlReader<R>, action: Action) -> Result<(), IngestError> {
        match action {
            Action::Suite(mut suite) => {
                suite.depth = x.depth();
                self.suites.push(suite);
            }
            Action::Case => {
                let attrs = std::mem::take(&mut self.case);
                let read = self.testcase(x, &attrs);
                self.case = attrs;
                read?;
            }
            Action::SuiteResult { status, message, failure_type } => {
                // Recorded as a test of the suite named `SUITE_TEST`, so that the tests step
                // fails on it like on any failed test.
                let (message, details) = message_and_details(message, result_body(x)?);
                let el = Element {
                    status,
                    message,
                    details,
                    failure_type,
                    attempts: 1,
                    had_pass: false,
                    had_fail: true,
                    rerun: None,
                };
                let suite_name = test_suite(&self.suites).and_then(|s| s.name.as_deref()).unwrap_or_default();
                let attrs = CaseAttrs {
                    name: SUITE_TEST.to_owned(),
                    classname: suite_name.to_owned(),
                    ..CaseAttrs::default()
                };
                self.record(&attrs, el)?;
            }
            Action::Skip => x.skip_element()?,
            Action::Closed => self.closed(x.depth()),
            Action::None => {}
        }
        Ok(())
    }

    fn suite(&mut self, s: &Start<'_>) -> Result<Suite, IngestError> {
        let is_suite = s.name() == "testsuite";
        let mut suite = Suite {
            depth: 0,
            is_suite,
            name: None,
            file: None,
            declared: DeclaredCounts::default(),
            counted: CountedCounts::default(),
            reruns: false,
            host: self.suites.last().map_or(0, |parent| parent.host),
        };
        let mut disabled = None;
        let mut schema = None;
        let mut host = None;
        let mut with_id = false;
        s.for_each_attr(|k, v| match k {
            "name" => suite.name = Some(Arc::from(v.as_ref())),
            "file" => suite.file = non_empty(file_path(&v)),
            "tests" => suite.declared.tests = count(&v),
            "failures" => suite.declared.failures = count(&v),
            "errors" => suite.declared.errors = count(&v),
            "skipped" | "skip" => suite.declared.skipped = count(&v),
            "disabled" => disabled = count(&v),
            "noNamespaceSchemaLocation" => schema = Some(v.into_owned()),
            // Playwright's reporter gives its `<testsuites>` an `id` (PLAYWRIGHT_JUNIT_SUITE_ID,
            // empty by default); the Ant schema has none there.
            "id" if !is_suite => with_id = true,
            "hostname" if !v.trim().is_empty() => host = Some(v.into_owned()),
            _ => {}
        })?;
        if let Some(host) = host {
            suite.host = match self.hosts.iter().position(|h| **h == *host) {
                Some(i) => i as u32 + 1,
                None => {
                    self.hosts.push(Arc::from(host));
                    self.hosts.len() as u32
                }
            };
        }
        if let Some(d) = disabled.filter(|&d| d > 0) {
            suite.declared.skipped = Some(suite.declared.skipped.unwrap_or(0) + d);
        }
        if self.tool.is_none() {
            let root = self.suites.is_empty();
            self.tool = match suite.name.as_deref() {
                Some("nextest-run") if root => Some(tool("cargo-nextest", None)),
                Some("jest tests") if root => Some(tool("jest-junit", None)),
                Some("vitest tests") if root => Some(tool("vitest", None)),
                _ if root && with_id => Some(tool("playwright", None)),
                Some("pytest" | "pytest tests") => Some(tool("pytest", None)),
                Some("Mocha Tests") => Some(tool("mocha", None)),
                _ if schema.as_deref().is_some_and(|s| s.contains("surefire")) => {
                    Some(tool("surefire", None))
                }
                _ => None,
            };
        }
        Ok(suite)
    }

    /// Reads `<property>` elements for dialect hints (Surefire's and Go's versions).
    fn property(&mut self, s: &Start<'_>) -> Result<(), IngestError> {
        if self.tool.as_ref().is_some_and(|t| t.version.is_some()) {
            return Ok(());
        }
        // Surefire writes thousands of properties (the whole JVM environment, class paths of
        // kilobytes): only the names are looked at, and a value is kept only for a version.
        #[derive(Clone, Copy, PartialEq)]
        enum Name {
            SurefireVersion,
            Surefire,
            GoVersion,
            Other,
        }
        let (mut name, mut value) = (None, None);
        s.for_each_attr(|k, v| match k {
            "name" => {
                name = Some(match v.as_ref() {
                    "surefire.version" => Name::SurefireVersion,
                    "go.version" => Name::GoVersion,
                    n if n.starts_with("surefire.") => Name::Surefire,
                    _ => Name::Other,
                });
            }
            "value" if matches!(name, None | Some(Name::SurefireVersion | Name::GoVersion)) => {
                value = non_empty(&v);
            }
            _ => {}
        })?;
        match name {
            Some(Name::SurefireVersion) => self.tool = Some(tool("surefire", value)),
            Some(Name::Surefire) if self.tool.is_none() => self.tool = Some(tool("surefire", None)),
            Some(Name::GoVersion) if self.tool.is_none() => self.tool = Some(tool("go", value)),
            _ => {}
        }
        Ok(())
    }

    /// An element closed; if it was a suite, check its declared counts and hand its counts to
    /// the enclosing suite.
    fn closed(&mut self, depth: usize) {
        let Some(top) = self.suites.last() else { return };
        if depth >= top.depth {
            return;
        }
        let Some(suite) = self.suites.pop() else { return };
        if let Some(parent) = self.suites.last_mut() {
            parent.counted.tests += suite.counted.tests;
            parent.counted.failures += suite.counted.failures;
            parent.counted.errors += suite.counted.errors;
            parent.counted.skipped += suite.counted.skipped;
            parent.reruns |= suite.reruns;
        }
        let d = &suite.declared;
        let c = &suite.counted;
        let differs = |declared: Option<u64>, counted: u64| declared.is_some_and(|v| v != counted);
        if suite.is_suite
            && (differs(d.tests, c.tests)
                || differs(d.failures, c.failures)
                || differs(d.errors, c.errors)
                || differs(d.skipped, c.skipped))
        {
            // Failures the attributes count that no testcase records: the runner failed
            // outside any test (a crash, a failing afterAll, a browser that disconnected).
            // Not where tests ran again, whose attempts the attributes may count.
            let declared = d.failures.unwrap_or(0).saturating_add(d.errors.unwrap_or(0));
            let unrecorded =
                if suite.reruns { 0 } else { declared.saturating_sub(c.failures.saturating_add(c.errors)) };
            self.tests.discrepancies.push(SuiteDiscrepancy {
                source: self.cx.source.clone(),
                suite: suite.name.as_deref().map(str::to_owned),
                declared: suite.declared,
                counted: suite.counted,
                unrecorded,
            });
        }
    }

    fn testcase<R: BufRead>(&mut self, x: &mut XmlReader<R>, attrs: &CaseAttrs) -> Result<(), IngestError> {
        let el = self.results(x)?;
        self.record(attrs, el)
    }

    /// Counts a test from its attributes and what its result elements said, and keeps it when
    /// it is judged (or when every test is kept).
    fn record(&mut self, attrs: &CaseAttrs, mut el: Element) -> Result<(), IngestError> {
        // A testcase without a name cannot be told apart from anything: it is never merged
        // with another, and its fingerprint takes its place among the report's tests instead
        // of a name, so that each has its own (one waiver cannot accept them all).
        let (name, anonymous) = (attrs.name.as_str(), attrs.name.is_empty());
        let unnamed;
        let identity = if anonymous {
            unnamed = format!("#{}", u64::from(self.distinct) + 1);
            unnamed.as_str()
        } else {
            name
        };
        let (classname, file) = (given(&attrs.classname), given(&attrs.file));
        let (line, time, status_attr) = (attrs.line, attrs.time, given(&attrs.status));
        // pytest writes the test's 0-based line (`Item.location`), where the file's reader and
        // every other runner count from 1.
        let pytest = self.tool.as_ref().is_some_and(|t| t.name == "pytest");
        let line = if pytest { line.map(|l| l.saturating_add(1)) } else { line };
        if el.status == TestStatus::Passed
            && el.attempts == 1
            && let Some(st) = status_attr
        {
            // No result child: a status attribute may still say skipped or failed.
            el.status = status_word(st);
            el.had_pass = el.status == TestStatus::Passed;
            el.had_fail = el.status.is_failure();
            if el.had_fail {
                let word: String = st.trim().chars().take(64).collect();
                el.message = Some(format!("the report gives the test the status \"{word}\""));
            }
        }
        self.tests.testcases.count(el.status);
        // The test's identity: its suite, class, name and file. When only judged tests are
        // kept, most are only counted: they get a cheap key (XXH3), and the fingerprint
        // (SHA-256) and owned copies are made only for a test that is kept. When every test is
        // kept, the fingerprint is made at once and its bits are the key.
        let keyed = |identity: &str| {
            let suite = test_suite(&self.suites);
            let suite_name = suite.and_then(|s| s.name.as_deref());
            let file = file.or_else(|| suite.and_then(|s| s.file.as_deref()));
            if self.cx.keep.judged_only() {
                (fingerprint::test_case_key(suite_name, classname, identity, file), None)
            } else {
                let digest = fingerprint::test_case_digest(suite_name, classname, identity, file);
                (u128::from_be_bytes(digest), Some(digest))
            }
        };
        // Playwright runs each test once per browser project and names the project in its
        // suite's `hostname`: the project is part of the test (`[firefox] checkout › pays`),
        // so that a waiver written for one browser's failure never accepts another's.
        let host = test_suite(&self.suites).map_or(0, |s| s.host);
        let projected;
        let identity = match self.host_name(host) {
            Some(project) if !anonymous && self.tool.as_ref().is_some_and(|t| t.name == "playwright") => {
                projected = format!("[{project}] {identity}");
                projected.as_str()
            }
            _ => identity,
        };
        let (mut key, mut digest) = keyed(identity);
        // jest, Vitest and mocha write a retried test once, with its last result: a second
        // testcase of the same name is another test (`test.each` with a fixed title, two files
        // with the same describe and it), never an attempt. Each is its own, the later ones
        // named by their place among the report's tests (`name #3`), so that a failure is not
        // taken for a flaky first attempt. Likewise a test of the same name that ran on another
        // host (Playwright writes each browser project's suite with the project as its
        // `hostname`, and the same suite, class and test names): it is named by that host
        // (`name [firefox]`). Attempts of one test run where the first did.
        let first = if anonymous { None } else { self.index.get(&key).map(|&(_, h)| h) };
        let distinct;
        let identity = match first {
            Some(_) if self.no_reruns() => {
                distinct = format!("{name} #{}", u64::from(self.distinct) + 1);
                (key, digest) = keyed(&distinct);
                distinct.as_str()
            }
            Some(h) if h != 0 && host != 0 && h != host => {
                let on = self.host_name(host).unwrap_or("");
                distinct = format!("{name} [{on}]");
                (key, digest) = keyed(&distinct);
                distinct.as_str()
            }
            _ => identity,
        };
        if let Some(open) = self.suites.last_mut() {
            open.counted.tests += 1;
            open.reruns |= el.attempts > 1;
            match el.status {
                TestStatus::Failed => open.counted.failures += 1,
                TestStatus::Errored => open.counted.errors += 1,
                TestStatus::Skipped => open.counted.skipped += 1,
                TestStatus::Passed => {}
            }
        }
        let repeated = if anonymous { None } else { self.index.get(&key).map(|&(slot, _)| slot) };
        if repeated.is_some()
            && let Some(open) = self.suites.last_mut()
        {
            open.reruns = true;
        }
        if let Some(Slot::Kept(i)) = repeated
            && let (Some(case), Some(seen)) = (self.tests.cases.get_mut(i), self.seen.get_mut(i))
        {
            // A repeated testcase: another attempt of the same test.
            seen.0 |= el.had_pass;
            seen.1 |= el.had_fail;
            case.attempts = case.attempts.saturating_add(el.attempts);
            case.flaky = seen.0 && seen.1;
            case.duration_s = time;
            apply(case, el);
            return Ok(());
        }
        // The earlier attempts of a test that had not failed yet (only with Keep::Judged).
        let earlier = match repeated {
            Some(Slot::Passed(j)) => self.passed.get_mut(j),
            _ => None,
        };
        let (order, line, attempts, any_passed) = match earlier {
            Some(p) if !el.had_fail => {
                // Still never failed: counted, not kept.
                p.status = el.status;
                p.any_passed |= el.had_pass;
                p.attempts = p.attempts.saturating_add(el.attempts);
                return Ok(());
            }
            Some(p) => {
                // It fails now: its record is built as if it had been kept from the first.
                p.kept = true;
                (p.order, p.line, p.attempts.saturating_add(el.attempts), p.any_passed)
            }
            None => {
                let order = self.distinct;
                self.distinct = self.distinct.saturating_add(1);
                if self.cx.keep.judged_only() && !el.had_fail {
                    if !anonymous {
                        self.index.insert(key, (Slot::Passed(self.passed.len()), host));
                    }
                    let (status, any_passed, attempts) = (el.status, el.had_pass, el.attempts);
                    self.passed.push(Passed { status, any_passed, attempts, line, order, kept: false });
                    return Ok(());
                }
                (order, line, el.attempts, false)
            }
        };
        let seen = (any_passed || el.had_pass, el.had_fail);
        let suite = test_suite(&self.suites);
        let suite_name = suite.and_then(|s| s.name.clone());
        let file = file.map(str::to_owned).or_else(|| suite.and_then(|s| s.file.clone()));
        let mut case = TestCase {
            fingerprint: match digest {
                Some(digest) => fingerprint::hex128(&digest),
                None => fingerprint::test_case(suite_name.as_deref(), classname, identity, file.as_deref()),
            },
            source: self.cx.source.clone(),
            suite: suite_name,
            classname: classname.map(str::to_owned),
            name: name.to_owned(),
            file,
            line,
            status: TestStatus::Passed,
            duration_s: time,
            message: None,
            details: None,
            failure_type: None,
            attempts,
            flaky: seen.0 && seen.1,
        };
        self.seen.push((seen.0, seen.1, order));
        apply(&mut case, el);
        if !anonymous {
            self.index.insert(key, (Slot::Kept(self.tests.cases.len()), host));
        }
        self.tests.cases.push(case);
        Ok(())
    }

    /// The `hostname` a suite's [`Suite::host`] stands for (none for 0).
    fn host_name(&self, host: u32) -> Option<&str> {
        self.hosts.get((host as usize).checked_sub(1)?).map(|h| &**h)
    }

    /// Whether the report's runner writes a retried test once (jest-junit, Vitest,
    /// mocha-junit-reporter): then repeated testcases are different tests, not attempts.
    fn no_reruns(&self) -> bool {
        self.tool.as_ref().is_some_and(|t| matches!(t.name.as_str(), "jest-junit" | "vitest" | "mocha"))
    }

    /// Reads the children of a `<testcase>` up to its end.
    fn results<R: BufRead>(&mut self, x: &mut XmlReader<R>) -> Result<Element, IngestError> {
        let depth = x.depth();
        let mut el = Element {
            status: TestStatus::Passed,
            message: None,
            details: None,
            failure_type: None,
            attempts: 1,
            had_pass: false,
            had_fail: false,
            rerun: None,
        };
        let mut reruns = 0u32;
        let mut flaky_reruns = 0u32;
        loop {
            let child = match x.next()? {
                Ev::Start(c) => {
                    let kind = match c.name() {
                        "failure" => Child::Result(TestStatus::Failed),
                        "error" => Child::Result(TestStatus::Errored),
                        "skipped" | "disabled" => Child::Result(TestStatus::Skipped),
                        "flakyFailure" | "flakyError" => Child::Rerun { flaky: true },
                        "rerunFailure" | "rerunError" => Child::Rerun { flaky: false },
                        _ => Child::Other,
                    };
                    let (message, ftype) =
                        if matches!(kind, Child::Other) { (None, None) } else { result_attrs(&c)? };
                    Some((kind, message, ftype))
                }
                Ev::End => {
                    if x.depth() < depth {
                        break;
                    }
                    None
                }
                Ev::Text(_) => None,
                Ev::Eof => break,
            };
            let Some((kind, message, ftype)) = child else { continue };
            match kind {
                Child::Other => x.skip_element()?,
                Child::Result(status) => {
                    let body = result_body(x)?;
                    if status.rank() > el.status.rank() || el.message.is_none() && status == el.status {
                        let (message, details) = message_and_details(message, body);
                        el.status = status;
                        el.message = message;
                        el.details = details;
                        el.failure_type = ftype;
                    }
                }
                Child::Rerun { flaky } => {
                    let body = result_body(x)?;
                    reruns += 1;
                    if flaky {
                        flaky_reruns += 1;
                    }
                    let (message, details) = message_and_details(message, body);
                    el.rerun = Some((message, details, ftype));
                }
            }
        }
        el.attempts = 1 + reruns;
        el.had_pass = el.status == TestStatus::Passed;
        el.had_fail = el.status.is_failure() || reruns > 0;
        if el.status == TestStatus::Passed && flaky_reruns == 0 && reruns > 0 {
            // rerunFailure without a final failure: the report is odd; the reruns still failed.
            el.had_fail = true;
        }
        Ok(el)
    }

    fn finish(self) -> Parsed {
        let mut tests = self.tests;
        for case in &tests.cases {
            tests.totals.count(case.status, case.flaky);
        }
        for p in self.passed.iter().filter(|p| !p.kept) {
            tests.totals.count(p.status, false);
        }
        // A test that failed only on a later attempt was recorded then: back to the place of
        // its first attempt, where reading every record puts it.
        if self.seen.windows(2).any(|w| matches!(w, [a, b] if a.2 > b.2)) {
            let mut ordered: Vec<_> = self.seen.iter().map(|s| s.2).zip(tests.cases).collect();
            ordered.sort_by_key(|(order, _)| *order);
            tests.cases = ordered.into_iter().map(|(_, case)| case).collect();
        }
        if self.cx.keep.judged_only() {
            // A test that failed and then was skipped is counted, not judged.
            tests.cases.retain(TestCase::judged);
        }
        Parsed {
            facts: Facts { tool: self.tool, warnings: Vec::new(), ..Facts::default() },
            records: crate::evidence::Records { tests, ..Default::default() },
        }
    }
}

/// The name of the test that stands for a suite's own `<error>` or `<failure>` (its class name
/// is the suite's name).
pub const SUITE_TEST: &str = "(suite)";

/// What to do after an opening tag.
enum Action {
    Suite(Suite),
    /// A testcase, whose attributes are in `Parser::case`.
    Case,
    /// An `<error>` or `<failure>` of a `<testsuite>` itself, with its `message` and `type`.
    SuiteResult {
        status: TestStatus,
        message: Option<String>,
        failure_type: Option<String>,
    },
    Skip,
    Closed,
    None,
}

/// A testcase's attributes. An empty string is an attribute that is absent or blank (all but
/// `name` are trimmed).
#[derive(Default)]
struct CaseAttrs {
    name: String,
    classname: String,
    file: String,
    line: Option<u64>,
    time: Option<f64>,
    status: String,
}

impl CaseAttrs {
    /// Reads a testcase's attributes into these strings, keeping their allocations.
    fn read(&mut self, s: &Start<'_>) -> Result<(), IngestError> {
        let set = |to: &mut String, v: &str| {
            to.clear();
            to.push_str(v);
        };
        for to in [&mut self.name, &mut self.classname, &mut self.file, &mut self.status] {
            to.clear();
        }
        (self.line, self.time) = (None, None);
        s.for_each_attr(|k, v| match k {
            "name" => set(&mut self.name, &v),
            "classname" => set(&mut self.classname, v.trim()),
            "file" => set(&mut self.file, file_path(v.trim())),
            "line" => self.line = v.trim().parse::<u64>().ok(),
            "time" => self.time = duration(&v),
            "status" => set(&mut self.status, v.trim()),
            _ => {}
        })
    }
}

/// A result element's `message` and `type`, when given.
fn result_attrs(s: &Start<'_>) -> Result<(Option<String>, Option<String>), IngestError> {
    let (mut message, mut failure_type) = (None, None);
    s.for_each_attr(|k, v| match k {
        "message" => message = non_empty(&v),
        "type" => failure_type = non_empty(&v),
        _ => {}
    })?;
    Ok((message, failure_type))
}

fn given(v: &str) -> Option<&str> {
    (!v.is_empty()).then_some(v)
}

enum Child {
    Result(TestStatus),
    Rerun { flaky: bool },
    Other,
}

/// Applies an element's outcome to a test: its status decides; for a flaky pass, the last
/// failing attempt's message explains the flakiness (set `case.flaky` first).
fn apply(case: &mut TestCase, el: Element) {
    case.status = el.status;
    if el.status == TestStatus::Passed {
        if let Some((message, details, ftype)) = el.rerun {
            case.message = message;
            case.details = details;
            case.failure_type = ftype;
        } else if !case.flaky {
            case.message = None;
            case.details = None;
            case.failure_type = None;
        }
    } else {
        case.message = el.message;
        case.details = el.details;
        case.failure_type = el.failure_type;
    }
}

/// The body of a result element: its own text and a Surefire `<stackTrace>`, without the
/// captured `<system-out>`/`<system-err>` of reruns. Capped at [`caps::DETAILS`].
fn result_body<R: BufRead>(x: &mut XmlReader<R>) -> Result<String, IngestError> {
    let depth = x.depth();
    let mut out = Capture::default();
    loop {
        let skip = match x.next()? {
            Ev::Text(t) => {
                out.push(t, caps::DETAILS);
                false
            }
            Ev::Start(s) => matches!(s.name(), "system-out" | "system-err"),
            Ev::End => {
                if x.depth() < depth {
                    break;
                }
                false
            }
            Ev::Eof => break,
        };
        if skip {
            x.skip_element()?;
        }
    }
    Ok(out.into_string())
}

/// The message is the `message` attribute, else the body's lines before its first stack
/// frame (at most [`MESSAGE_LINES`]): jest and mocha write no attribute, and their first line
/// is only the matcher (`expect(received).toMatch(expected)`), the lines after it what was
/// expected and received. The details are the body, unless it only repeats the message.
fn message_and_details(message: Option<String>, body: String) -> (Option<String>, Option<String>) {
    let trimmed = body.trim();
    let details = if trimmed.is_empty() { None } else { Some(trimmed.to_owned()) };
    let message = message.or_else(|| {
        let frame = |l: &&str| l.starts_with("at ") || l.starts_with("File \"");
        let head: Vec<&str> = trimmed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take_while(|l| !frame(l))
            .take(MESSAGE_LINES)
            .collect();
        (!head.is_empty()).then(|| cap(&head.join("\n"), caps::MESSAGE))
    });
    let message = message.map(|m| cap(&m, caps::MESSAGE));
    let details = details.filter(|d| Some(d.as_str()) != message.as_deref());
    (message, details)
}

/// How many lines of a result's body become its message when it has no `message` attribute.
const MESSAGE_LINES: usize = 6;

fn cap(s: &str, max: usize) -> String {
    super::json::cap(s.to_owned(), max)
}

/// Reads a `status` attribute's word when a testcase has no result child.
/// The outcome a testcase's `status` attribute gives when no result element does: the words
/// of bazel, googletest, CTest, tst and the TRX and NUnit converters. A word that says neither
/// a pass nor a skip is never read as a pass: `timeout`, `crashed`, `aborted` and any word
/// verdict does not know make the test errored.
fn status_word(word: &str) -> TestStatus {
    match word.trim().to_ascii_lowercase().as_str() {
        ""
        | "passed"
        | "pass"
        | "success"
        | "succeeded"
        | "successful"
        | "ok"
        | "run"
        | "completed"
        | "executed"
        | "warning"
        | "passedbutrunaborted" => TestStatus::Passed,
        "disabled" | "skipped" | "skip" | "notrun" | "not run" | "ignored" | "pending" | "notexecuted"
        | "not executed" | "inconclusive" | "suppressed" => TestStatus::Skipped,
        "failed" | "failure" | "fail" => TestStatus::Failed,
        _ => TestStatus::Errored,
    }
}

fn tool(name: &str, version: Option<String>) -> Tool {
    Tool { name: name.to_owned(), version }
}

/// A `file` attribute as a path: some runners write a URI (Dart's `file:/home/…`, others
/// `file:///home/…`), which no surface can link to a line of the repository.
fn file_path(v: &str) -> &str {
    let v = v.trim();
    match v.strip_prefix("file://").or_else(|| v.strip_prefix("file:")) {
        Some(path) if path.starts_with('/') || !v.starts_with("file://") => path,
        _ => v,
    }
}

/// A trimmed attribute as read, `None` when it was absent or blank.
fn non_empty(v: &str) -> Option<String> {
    let t = v.trim();
    if t.is_empty() { None } else { Some(t.to_owned()) }
}

/// A count attribute; unreadable values count as absent (they are only compared, never used).
fn count(v: &str) -> Option<u64> {
    v.trim()
        .parse::<u64>()
        .ok()
        .or_else(|| v.trim().parse::<f64>().ok().filter(|f| *f >= 0.0).map(|f| f as u64))
}

/// A `time` attribute in seconds. Runners write `1.5`, `1,5` (some locales), `1,234.5`
/// (Surefire with grouping); anything else, negative or not finite, is absent.
fn duration(v: &str) -> Option<f64> {
    let t = v.trim();
    if t.is_empty() {
        return None;
    }
    // Without a comma (nearly always), parsed as it is: one allocation less per test case.
    let parsed = if !t.contains(',') {
        t.parse::<f64>()
    } else if t.contains('.') {
        t.replace(',', "").parse()
    } else {
        t.replace(',', ".").parse()
    };
    parsed.ok().filter(|d| d.is_finite() && *d >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Keep, Severities};

    fn parse_str(text: &str) -> Result<Parsed, IngestError> {
        crate::ingest::parse_text(
            crate::evidence::Kind::Junit,
            crate::evidence::Format::Xml,
            "junit.xml",
            text,
        )
    }

    fn tests(text: &str) -> Tests {
        parse_str(text).expect("parses").records.tests
    }

    fn tests_keeping(text: &str, keep: Keep) -> Tests {
        let limits = crate::ingest::Limits::default();
        let cx = Cx { keep, ..Cx::new("junit.xml", &limits) };
        parse(text.as_bytes(), &cx).expect("parses").records.tests
    }

    /// A suite's own `<error>` or `<failure>` (a class that could not load) is a test of the
    /// suite, errored or failed, kept as judged; one under `<testsuites>` is no suite's.
    #[test]
    fn a_suite_level_result_is_a_failed_test_of_the_suite() {
        let text = r#"<testsuites><testsuite name="com.acme.DbTest" tests="1" errors="1">
              <properties><property name="x" value="y"/></properties>
              <error message="com/acme/Db" type="java.lang.NoClassDefFoundError">trace</error>
            </testsuite>
            <testsuite name="Other" tests="2" failures="1"><testcase name="a"/>
              <failure message="teardown">boom</failure></testsuite>
            <error message="not a suite's"/></testsuites>"#;
        for keep in [Keep::All, Keep::Judged { vulnerabilities: Severities::ALL }] {
            let t = tests_keeping(text, keep);
            let got: Vec<_> = t
                .cases
                .iter()
                .map(|c| {
                    (
                        c.classname.as_deref(),
                        c.name.as_str(),
                        c.status,
                        c.message.as_deref(),
                        c.details.as_deref(),
                    )
                })
                .collect();
            assert!(got.contains(&(
                Some("com.acme.DbTest"),
                SUITE_TEST,
                TestStatus::Errored,
                Some("com/acme/Db"),
                Some("trace")
            )));
            assert!(got.contains(&(
                Some("Other"),
                SUITE_TEST,
                TestStatus::Failed,
                Some("teardown"),
                Some("boom")
            )));
            assert_eq!((t.totals.total, t.totals.errored, t.totals.failed, t.totals.passed), (3, 1, 1, 1));
            assert!(t.discrepancies.is_empty(), "the suites' counts now hold: {:?}", t.discrepancies);
        }
    }

    /// A testcase without a name is never merged with another, and has a fingerprint of its
    /// own (its place among the report's tests), in both ways of keeping tests.
    #[test]
    fn unnamed_tests_each_have_their_own_fingerprint() {
        let text = r#"<testsuite name="s"><testcase classname="C"><failure message="a"/></testcase>
            <testcase classname="C" name=""><failure message="b"/></testcase></testsuite>"#;
        for keep in [Keep::All, Keep::Judged { vulnerabilities: Severities::ALL }] {
            let t = tests_keeping(text, keep);
            assert_eq!(t.cases.len(), 2, "never merged as reruns");
            assert!(
                t.cases.iter().all(|c| c.name.is_empty()),
                "the evidence keeps the report's (empty) name"
            );
            assert_ne!(t.cases[0].fingerprint, t.cases[1].fingerprint, "one waiver cannot accept both");
        }
    }

    /// With `Keep::Judged` no record is built for a test that never failed, yet the tests
    /// kept, their order and every count are those of reading all and keeping the judged:
    /// however its attempts are spread over testcase elements (passed then failed, failed then
    /// passed, skipped then failed, failed then skipped, reruns inside one element), and for
    /// tests without a name, which are never merged.
    #[test]
    fn keeping_only_judged_tests_is_reading_all_then_dropping() {
        let text = r#"<testsuites><testsuite name="s">
              <testcase classname="c" name="pass-then-fail" line="3" time="1"/>
              <testcase classname="c" name="always-passes"/>
              <testcase classname="c" name="fail-then-pass"><failure message="first"/></testcase>
              <testcase classname="c" name="skip-then-fail"><skipped/></testcase>
              <testcase classname="c" name="fail-then-skip"><error message="e"/></testcase>
              <testcase classname="c" name="rerun-inside"><flakyFailure message="once"/></testcase>
              <testcase classname="c" name=""/>
              <testcase classname="c" name=""><failure message="anonymous"/></testcase>
              <testcase classname="c" name="pass-then-fail" line="9" time="2"><failure message="late">trace</failure></testcase>
              <testcase classname="c" name="always-passes"/>
              <testcase classname="c" name="fail-then-pass"/>
              <testcase classname="c" name="skip-then-fail"><failure message="now"/></testcase>
              <testcase classname="c" name="fail-then-skip"><skipped message="later"/></testcase>
              <testcase classname="c" name="pass-pass-fail"/>
              <testcase classname="c" name="pass-pass-fail"/>
              <testcase classname="c" name="pass-pass-fail"><error/></testcase>
            </testsuite></testsuites>"#;
        let judged_only = Keep::Judged { vulnerabilities: Severities::ALL };
        let (all, judged) = (tests_keeping(text, Keep::All), tests_keeping(text, judged_only));
        let kept: Vec<_> = all.cases.iter().filter(|c| c.judged()).cloned().collect();
        let names: Vec<_> = kept.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["pass-then-fail", "fail-then-pass", "skip-then-fail", "rerun-inside", "", "pass-pass-fail"],
            "the judged tests, in the order of their first attempt"
        );
        assert_eq!(judged.cases, kept);
        assert_eq!((judged.totals, judged.testcases), (all.totals, all.testcases));
        assert_eq!(all.cases.len(), 9);
        let late = &judged.cases[0];
        assert_eq!((late.line, late.attempts, late.flaky, late.duration_s), (Some(3), 2, true, Some(2.0)));
    }

    /// A testcase's attributes are its own: one it does not write is absent, not taken from
    /// the testcase before it (the parser refills one set of attribute strings per test).
    #[test]
    fn attributes_do_not_carry_over() {
        let t = tests(
            r#"<testsuites><testsuite name="s">
              <testcase classname="C1" name="first" file="a.ts" line="3" time="0.1" status="skipped"/>
              <testcase name="second"><failure message="bang"/></testcase>
              <testcase classname=" " name="third" file=""><failure message="blank"/></testcase>
            </testsuite></testsuites>"#,
        );
        let got: Vec<_> = t
            .cases
            .iter()
            .map(|c| {
                (c.name.as_str(), c.classname.as_deref(), c.file.as_deref(), c.line, c.duration_s, c.status)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("first", Some("C1"), Some("a.ts"), Some(3), Some(0.1), TestStatus::Skipped),
                ("second", None, None, None, None, TestStatus::Failed),
                ("third", None, None, None, None, TestStatus::Failed),
            ]
        );
    }

    /// A `file` written as a URI is read as the path it names.
    #[test]
    fn a_file_uri_is_a_path() {
        let t = tests(
            r#"<testsuite name="s" file="file:///work/suite.dart">
              <testcase name="a" file="file:/home/runner/work/r/r/test/a_test.dart"><failure/></testcase>
              <testcase name="b" file="file:///home/runner/work/r/r/test/b_test.dart"><failure/></testcase>
              <testcase name="c" file="file://server/share/c_test.dart"><failure/></testcase>
              <testcase name="d" file="test/d_test.dart"><failure/></testcase>
            </testsuite>"#,
        );
        let files: Vec<_> = t.cases.iter().map(|c| c.file.as_deref().unwrap_or_default()).collect();
        assert_eq!(
            files,
            [
                "/home/runner/work/r/r/test/a_test.dart",
                "/home/runner/work/r/r/test/b_test.dart",
                "file://server/share/c_test.dart",
                "test/d_test.dart"
            ]
        );
    }

    /// jest-junit and mocha write a retried test once: repeated testcases there are different
    /// tests (`test.each` with a fixed title), so a failure among them stays a failure whatever
    /// their order, each with its own fingerprint. Elsewhere they are attempts.
    #[test]
    fn repeated_names_in_jest_are_different_tests() {
        let jest = |cases: &str| {
            tests(&format!(
                r#"<testsuites name="jest tests"><testsuite name="price">{cases}</testsuite></testsuites>"#
            ))
        };
        let fail = r#"<testcase classname="price rounds" name="price rounds"><failure>Expected: 10.01</failure></testcase>"#;
        let pass = r#"<testcase classname="price rounds" name="price rounds"/>"#;
        for order in [format!("{fail}{pass}{pass}"), format!("{pass}{pass}{fail}")] {
            let t = jest(&order);
            assert_eq!((t.totals.total, t.totals.failed, t.totals.flaky), (3, 1, 0), "{order}");
            let mut fps: Vec<&str> = t.cases.iter().map(|c| c.fingerprint.as_str()).collect();
            fps.sort_unstable();
            fps.dedup();
            assert_eq!(fps.len(), 3);
        }
        // gotestsum's reruns are attempts.
        let go = tests(
            r#"<testsuites><testsuite name="pkg"><properties><property name="go.version" value="go1.22"/></properties>
              <testcase classname="pkg" name="TestRetry"><failure message="first try"/></testcase>
              <testcase classname="pkg" name="TestRetry"/></testsuite></testsuites>"#,
        );
        assert_eq!((go.totals.total, go.totals.flaky), (1, 1));
        // Vitest too writes a test once: `test.each` with a fixed title is several tests.
        let vitest = tests(&format!(
            r#"<testsuites name="vitest tests"><testsuite name="src/price.test.ts" hostname="runner">{fail}{pass}{pass}</testsuite></testsuites>"#
        ));
        assert_eq!((vitest.totals.total, vitest.totals.failed, vitest.totals.flaky), (3, 1, 0));
    }

    /// pytest counts the test's line from 0 (its `Item.location`); the record counts from 1, as
    /// the file's reader and the other runners do (the horovod report of the corpus: `line="819"`
    /// for a `def` on line 820, whose traceback shows the body at 821).
    #[test]
    fn pytest_lines_count_from_one() {
        let case = r#"<testcase classname="test.test_spark.SparkTests" file="test/test_spark.py" line="819" name="test_rsh_events"><failure message="boom"/></testcase>"#;
        let line = |suite: &str| {
            tests(&format!(r#"<testsuites><testsuite name="{suite}">{case}</testsuite></testsuites>"#)).cases
                [0]
            .line
        };
        assert_eq!(line("pytest"), Some(820));
        // xmlrunner and PHPUnit write the line as it is.
        assert_eq!(line("tests"), Some(819));
    }

    /// Playwright writes a suite per browser project, each with the same suite, class and test
    /// names and the project as its `hostname`: a test of the same name on another host is
    /// another test (a failure on chromium is not a first attempt that firefox passed), with a
    /// fingerprint of its own. Attempts on one host are still attempts, in both ways of
    /// keeping tests.
    #[test]
    fn the_same_test_on_another_host_is_another_test() {
        let suite = |host: &str, case: &str| {
            format!(r#"<testsuite name="example.spec.ts" hostname="{host}" tests="1">{case}</testsuite>"#)
        };
        let fail = r#"<testcase classname="example.spec.ts" name="checkout › pays"><failure message="not visible"/></testcase>"#;
        let pass = r#"<testcase classname="example.spec.ts" name="checkout › pays"/>"#;
        for keep in [Keep::All, Keep::Judged { vulnerabilities: Severities::ALL }] {
            let projects = format!(
                r#"<testsuites id="" name="">{}{}{}</testsuites>"#,
                suite("chromium", fail),
                suite("firefox", pass),
                suite("webkit", pass)
            );
            let t = tests_keeping(&projects, keep);
            assert_eq!((t.totals.total, t.totals.failed, t.totals.flaky), (3, 1, 0));
            let failed: Vec<&str> =
                t.cases.iter().filter(|c| c.status == TestStatus::Failed).map(|c| c.name.as_str()).collect();
            assert_eq!(failed, ["checkout › pays"]);
            // Reruns on one machine (gotestsum, Gradle's test-retry) merge as before.
            let reruns =
                format!(r#"<testsuites>{}{}</testsuites>"#, suite("ci-1", fail), suite("ci-1", pass));
            let t = tests_keeping(&reruns, keep);
            assert_eq!((t.totals.total, t.totals.failed, t.totals.flaky), (1, 0, 1));
        }
        // In Playwright's report (its `<testsuites id="">`) the project is part of every test:
        // a chromium failure and a firefox failure never share a fingerprint, even when each
        // comes alone (a sharded job), so a waiver for one accepts only that one.
        let alone = |host: &str| {
            let t = tests(&format!(r#"<testsuites id="" name="">{}</testsuites>"#, suite(host, fail)));
            t.cases[0].fingerprint.clone()
        };
        assert_ne!(alone("chromium"), alone("firefox"));
        assert_eq!(alone("chromium"), alone("chromium"));
        // Elsewhere the first host's test keeps the fingerprint it had; the others get their own.
        let all =
            tests(&format!("<testsuites>{}{}</testsuites>", suite("chromium", fail), suite("firefox", fail)));
        let alone = tests(&format!("<testsuites>{}</testsuites>", suite("chromium", fail)));
        assert_eq!(all.cases.len(), 2);
        assert_eq!(all.cases[0].fingerprint, alone.cases[0].fingerprint);
        assert_ne!(all.cases[0].fingerprint, all.cases[1].fingerprint);
    }

    /// jest writes no `message` attribute: the matcher line and what was expected and received
    /// are the message, the stack is not.
    #[test]
    fn a_body_without_message_keeps_expected_and_received() {
        let t = tests(
            r#"<testsuite name="s"><testcase classname="e2e/onlyChanged.test.ts" name="gets changed files"><failure>Error: expect(received).toMatch(expected)

Expected pattern: /PASS __tests__/
Received string:  "abort: empty revision range"
    at Object.toMatch (e2e/onlyChanged.test.ts:360:18)
    at processTicksAndRejections (node:internal)</failure></testcase></testsuite>"#,
        );
        assert_eq!(
            t.cases[0].message.as_deref(),
            Some(
                "Error: expect(received).toMatch(expected)\nExpected pattern: /PASS __tests__/\nReceived string:  \"abort: empty revision range\""
            )
        );
    }

    /// The most severe result child decides a testcase; messages fall back to the body.
    #[test]
    fn outcomes_and_messages() {
        let t = tests(
            r#"<testsuites><testsuite name="s">
              <testcase classname="c" name="errors"><skipped/><failure message="f">Assertion failed</failure><error message="teardown">boom</error></testcase>
              <testcase classname="c" name="fails"><failure>expected 1
                 but was 2</failure></testcase>
              <testcase classname="c" name="skips"><skipped message="not on linux"/></testcase>
              <testcase classname="c" name="passes" time="0.5"/>
            </testsuite></testsuites>"#,
        );
        let st: Vec<_> = t.cases.iter().map(|c| (c.name.as_str(), c.status)).collect();
        assert_eq!(
            st,
            [
                ("errors", TestStatus::Errored),
                ("fails", TestStatus::Failed),
                ("skips", TestStatus::Skipped),
                ("passes", TestStatus::Passed)
            ]
        );
        assert_eq!(t.cases[0].message.as_deref(), Some("teardown"));
        // The body's lines before a stack frame: what was expected and what was received.
        assert_eq!(t.cases[1].message.as_deref(), Some("expected 1\nbut was 2"));
        assert_eq!(t.cases[2].message.as_deref(), Some("not on linux"));
        assert_eq!(t.cases[3].duration_s, Some(0.5));
        assert_eq!(
            (t.testcases.total, t.testcases.errored, t.testcases.failed, t.testcases.skipped),
            (4, 1, 1, 1)
        );
        assert!(t.discrepancies.is_empty());
    }

    /// Surefire: flakyFailure beside a pass is a flaky pass with its attempts; rerunFailure
    /// beside a failure is a failure after reruns, not flaky.
    #[test]
    fn surefire_reruns() {
        let t = tests(
            r#"<testsuite name="org.acme.T" tests="2" failures="1">
              <testcase name="flaky" classname="org.acme.T">
                <flakyFailure message="expected: 1" type="AssertionError"><stackTrace>at T.flaky(T.java:18)</stackTrace><system-out>noise</system-out></flakyFailure>
                <flakyError message="timeout" type="TimeoutException"><stackTrace>at T.flaky(T.java:20)</stackTrace></flakyError>
              </testcase>
              <testcase name="broken" classname="org.acme.T">
                <failure message="built to fail" type="AssertionError">trace</failure>
                <rerunFailure message="built to fail" type="AssertionError"><stackTrace>trace</stackTrace></rerunFailure>
              </testcase>
            </testsuite>"#,
        );
        let flaky = &t.cases[0];
        assert_eq!((flaky.status, flaky.flaky, flaky.attempts), (TestStatus::Passed, true, 3));
        assert_eq!(flaky.message.as_deref(), Some("timeout"));
        assert_eq!(flaky.details.as_deref(), Some("at T.flaky(T.java:20)"));
        let broken = &t.cases[1];
        assert_eq!((broken.status, broken.flaky, broken.attempts), (TestStatus::Failed, false, 2));
        assert_eq!((t.totals.flaky, t.totals.passed, t.totals.failed), (1, 1, 1));
    }

    /// Repeated testcases with nothing to tell them apart are one test: the last attempt
    /// decides, a pass after a failure is flaky, and both counts are kept.
    #[test]
    fn repeated_testcases_are_attempts() {
        let t = tests(
            r#"<testsuites><testsuite name="pkg">
              <testcase classname="pkg" name="TestRetry"><failure message="first try"/></testcase>
              <testcase classname="pkg" name="TestOther"/>
              <testcase classname="pkg" name="TestRetry" time="0.2"/>
              <testcase classname="pkg" name="TestAlwaysFails"><failure message="1"/></testcase>
              <testcase classname="pkg" name="TestAlwaysFails"><failure message="2"/></testcase>
            </testsuite></testsuites>"#,
        );
        assert_eq!(t.testcases.total, 5);
        assert_eq!((t.testcases.failed, t.testcases.passed), (3, 2));
        assert_eq!(t.totals.total, 3);
        assert_eq!((t.totals.passed, t.totals.failed, t.totals.flaky), (2, 1, 1));
        let retry = &t.cases[0];
        assert_eq!((retry.status, retry.flaky, retry.attempts), (TestStatus::Passed, true, 2));
        assert_eq!(retry.message.as_deref(), Some("first try"));
        let always = &t.cases[2];
        assert_eq!((always.status, always.flaky, always.attempts), (TestStatus::Failed, false, 2));
        assert_eq!(always.message.as_deref(), Some("2"));
    }

    /// Different source files or suites keep same-named tests apart.
    #[test]
    fn same_name_in_other_file_is_another_test() {
        let t = tests(
            r#"<testsuites>
              <testsuite name="a"><testcase classname="c" name="t" file="a.py"/><testcase classname="c" name="t" file="b.py"/></testsuite>
              <testsuite name="b"><testcase classname="c" name="t" file="a.py"/></testsuite>
            </testsuites>"#,
        );
        assert_eq!(t.totals.total, 3);
        assert_ne!(t.cases[0].fingerprint, t.cases[1].fingerprint);
    }

    /// Declared counts that disagree with the testcases are recorded; the testcases count.
    #[test]
    fn discrepancies() {
        let t = tests(
            r#"<testsuites>
              <testsuite name="jest failed to run" tests="0" failures="0" errors="0">
                <testcase classname="Test suite failed to run" name="x.spec.ts"><error>Cannot find module</error></testcase>
              </testsuite>
              <testsuite name="ok" tests="1" failures="0" skipped="0"><testcase name="t"/></testsuite>
            </testsuites>"#,
        );
        assert_eq!(t.discrepancies.len(), 1);
        let d = &t.discrepancies[0];
        assert_eq!(d.suite.as_deref(), Some("jest failed to run"));
        assert_eq!((d.declared.tests, d.counted.tests, d.counted.errors), (Some(0), 1, 1));
        assert_eq!(t.totals.errored, 1);
        assert_eq!(d.unrecorded, 0, "more recorded than declared is not a failure outside the tests");
    }

    /// Failures a suite declares that no testcase records (karma-junit-reporter's errors="1"
    /// for a disconnected browser) are `unrecorded`; not in a suite whose tests ran again,
    /// whose attributes count every attempt (Surefire's flaky reruns).
    #[test]
    fn failures_outside_the_tests() {
        let t = tests(
            r#"<testsuites>
              <testsuite name="Chrome" tests="3" errors="1" failures="0">
                <testcase name="a"/><testcase name="b"/><testcase name="c"/>
                <system-out>An error was thrown in afterAll</system-out>
              </testsuite>
              <testsuite name="io.olamy.FlakyTest" tests="3" failures="2">
                <testcase name="flaky"><flakyFailure message="x"/><flakyFailure message="y"/></testcase>
              </testsuite>
            </testsuites>"#,
        );
        let unrecorded: Vec<_> =
            t.discrepancies.iter().map(|d| (d.suite.as_deref().unwrap_or(""), d.unrecorded)).collect();
        assert_eq!(unrecorded, [("Chrome", 1), ("io.olamy.FlakyTest", 0)]);
    }

    /// Nested suites: a testcase belongs to the innermost suite; outer suites count nested ones.
    #[test]
    fn nested_suites() {
        let t = tests(
            r#"<testsuites><testsuite name="outer" tests="3">
              <testsuite name="inner" tests="2"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>
              <testcase name="c"/>
            </testsuite></testsuites>"#,
        );
        assert_eq!(
            t.cases.iter().map(|c| c.suite.as_deref().unwrap_or("")).collect::<Vec<_>>(),
            ["inner", "inner", "outer"]
        );
        assert!(t.discrepancies.is_empty(), "{:?}", t.discrepancies);
    }

    /// A `status` attribute without result children (tst, bazel) decides the outcome.
    #[test]
    fn status_attribute() {
        let t = tests(
            r#"<testsuite name="f" tests="3" disabled="1"><testcase name="a" status="disabled"/><testcase name="b" status="run"/>
               <testcase name="c" status="failed"><failure message="m"/></testcase></testsuite>"#,
        );
        let st: Vec<_> = t.cases.iter().map(|c| c.status).collect();
        assert_eq!(st, [TestStatus::Skipped, TestStatus::Passed, TestStatus::Failed]);
        assert!(t.discrepancies.is_empty());
        // A word that says neither a pass nor a skip is never a pass: the test errored, and
        // its message says the word.
        let t = tests(
            r#"<testsuite name="f"><testcase name="a" status="timeout"/><testcase name="b" status="Crashed"/>
               <testcase name="c" status="Success"/><testcase name="d" status="NotExecuted"/></testsuite>"#,
        );
        let st: Vec<_> = t.cases.iter().map(|c| (c.status, c.message.as_deref())).collect();
        assert_eq!(
            st,
            [
                (TestStatus::Errored, Some("the report gives the test the status \"timeout\"")),
                (TestStatus::Errored, Some("the report gives the test the status \"Crashed\"")),
                (TestStatus::Passed, None),
                (TestStatus::Skipped, None)
            ]
        );
    }

    /// Real pytest output with pytest-rerunfailures (fixtures/junit/PROVENANCE.md): the
    /// plugin writes the failed first attempt as an empty testcase, so the rerun test shows
    /// two passing attempts — counted as one test with 2 attempts, not invented as flaky —
    /// and pytest's `tests="9"` for 10 testcases is a discrepancy.
    #[test]
    fn pytest_rerunfailures() {
        let t = tests(include_str!("../../fixtures/junit/pytest-rerunfailures.xml"));
        assert_eq!((t.testcases.total, t.totals.total), (10, 9));
        assert_eq!((t.totals.failed, t.totals.errored, t.totals.skipped, t.totals.flaky), (1, 1, 2, 0));
        let rerun = t.cases.iter().find(|c| c.name == "test_flaky").expect("rerun test");
        assert_eq!((rerun.attempts, rerun.flaky), (2, false));
        assert!(t.cases.iter().any(|c| c.name == "test_param[<&>\"']"));
        assert_eq!(t.discrepancies.len(), 1);
        assert_eq!(t.discrepancies[0].declared.tests, Some(9));
    }

    /// Dialects are recognized where they mark themselves.
    #[test]
    fn tools() {
        let tool = |xml: &str| parse_str(xml).expect("parses").facts.tool.map(|t| (t.name, t.version));
        assert_eq!(tool(r#"<testsuites name="jest tests"></testsuites>"#), Some(("jest-junit".into(), None)));
        assert_eq!(
            tool(
                r#"<testsuite name="T"><properties><property name="surefire.version" value="3.2.5"/></properties></testsuite>"#
            ),
            Some(("surefire".into(), Some("3.2.5".into())))
        );
        // The version whatever the order of the attributes, after properties of no interest.
        assert_eq!(
            tool(
                r#"<testsuite name="T"><properties><property name="java.version" value="17"/><property name="surefire.x" value="y"/><property value=" 3.5.0 " name="surefire.version"/><property name="go.version" value="1.22"/></properties></testsuite>"#
            ),
            Some(("surefire".into(), Some("3.5.0".into())))
        );
        assert_eq!(
            tool(
                r#"<testsuite name="T"><properties><property name="os.name" value="Linux"/><property name="go.version" value="go1.22.1"/></properties></testsuite>"#
            ),
            Some(("go".into(), Some("go1.22.1".into())))
        );
        assert_eq!(
            tool(r#"<testsuites><testsuite name="pytest"/></testsuites>"#),
            Some(("pytest".into(), None))
        );
        assert_eq!(tool(r#"<testsuites><testsuite name="x"/></testsuites>"#), None);
    }

    /// Durations in the forms runners write; bad ones are absent, not errors.
    #[test]
    fn durations() {
        assert_eq!(duration("1.5"), Some(1.5));
        assert_eq!(duration("1,5"), Some(1.5));
        assert_eq!(duration("1,234.5"), Some(1234.5));
        assert_eq!(duration("-1"), None);
        assert_eq!(duration("NaN"), None);
        assert_eq!(duration("abc"), None);
    }

    /// A document whose root is not a test report is refused with what was expected.
    #[test]
    fn wrong_root() {
        let e = parse_str("<project><modelVersion>4</modelVersion></project>").expect_err("not junit");
        assert_eq!(e.code, Code::WrongKind);
        assert!(e.message.contains("<project>"));
    }

    /// Hostile XML: entity declarations, external DTDs and undefined entities are refused.
    #[test]
    fn refuses_entities() {
        for xml in [
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><testsuite name="&lol2;"/>"#,
            r#"<?xml version="1.0"?><!DOCTYPE testsuite SYSTEM "http://attacker.example/x.dtd"><testsuite/>"#,
            r#"<testsuite name="&xxe;"/>"#,
            r#"<testsuite><testcase name="a">&xxe;</testcase></testsuite>"#,
        ] {
            let e = parse_str(xml).expect_err(xml);
            assert!(matches!(e.code, Code::XmlDoctype | Code::XmlEntity), "{xml}: {:?}", e.code);
        }
    }

    /// Captured text is bounded: a huge failure body is cut, not kept whole.
    #[test]
    fn bounded_details() {
        let body = "x".repeat(1 << 20);
        let t = tests(&format!(
            r#"<testsuite><testcase name="t"><failure message="m">{body}</failure></testcase></testsuite>"#
        ));
        assert!(t.cases[0].details.as_ref().is_some_and(|d| d.len() <= caps::DETAILS));
    }
}
