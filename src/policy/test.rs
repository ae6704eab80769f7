//! `verdict policy test`: runs `test_*` rules the way `opa test` does.
//!
//! A test passes when its rule is `true`; `false` or undefined fails; an evaluation error is an
//! error (reported, and counted as not passing). `todo_test_*` rules are listed as skipped.
//! Coverage comes from regorus's coverage report over every evaluated test.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::{DataFile, PolicyError, PolicyFile, eval_error, load, merge_data};

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestOutcome {
    /// `true`.
    Pass,
    /// `false` or undefined.
    Fail,
    /// Could not be evaluated.
    Error(String),
    /// A `todo_test_*` rule: not run.
    Skip,
}

/// One test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// Its package.
    pub package: String,
    /// The rule name.
    pub name: String,
    /// The policy file and line.
    pub location: String,
    /// How it ended.
    pub outcome: TestOutcome,
    /// How long it took.
    pub duration: Duration,
}

/// Coverage of one policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCoverage {
    /// The file.
    pub path: String,
    /// Lines evaluated.
    pub covered: usize,
    /// Lines never evaluated, in order.
    pub not_covered: Vec<u32>,
}

impl FileCoverage {
    /// Covered lines over lines that could be covered, in percent (100 when none could).
    pub fn percent(&self) -> f64 {
        let total = self.covered + self.not_covered.len();
        if total == 0 { 100.0 } else { self.covered as f64 * 100.0 / total as f64 }
    }
}

/// The outcome of a test run.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    /// Every test, in package and name order.
    pub results: Vec<TestResult>,
    /// Coverage per file (policy files only, not `_test.rego` ones), when asked for.
    pub coverage: Option<Vec<FileCoverage>>,
    /// Files read as Rego v0.
    pub v0_files: Vec<String>,
}

impl TestReport {
    /// Whether every test that ran passed (and at least one ran).
    pub fn passed(&self) -> bool {
        let ran = self.results.iter().filter(|r| r.outcome != TestOutcome::Skip).count();
        ran > 0 && self.results.iter().all(|r| matches!(r.outcome, TestOutcome::Pass | TestOutcome::Skip))
    }

    /// (passed, failed, errored, skipped).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let c = |f: fn(&TestOutcome) -> bool| self.results.iter().filter(|r| f(&r.outcome)).count();
        (
            c(|o| *o == TestOutcome::Pass),
            c(|o| *o == TestOutcome::Fail),
            c(|o| matches!(o, TestOutcome::Error(_))),
            c(|o| *o == TestOutcome::Skip),
        )
    }
}

/// Loads `files` (tests included) and `data`, and runs every `test_*` rule whose
/// `package.name` contains `filter` (all when `None`).
pub fn run_tests(
    files: &[PolicyFile],
    data: &[DataFile],
    extra_data: &[Json],
    filter: Option<&str>,
    coverage: bool,
    timeout: Duration,
) -> Result<TestReport, Vec<PolicyError>> {
    let (mut engine, modules, v0_files, mut errors) = load(files);
    // What `verdict run` refuses, the test run refuses too: a METADATA typo must not go
    // green here and then stop every pipeline.
    for f in files {
        if let Err(e) = super::metadata::blocks(&f.text) {
            errors.push(PolicyError::Metadata { file: f.path.clone(), line: e.line, message: e.message });
        }
    }
    match merge_data(data, extra_data, &[]) {
        Ok((merged, _)) => {
            if let Err(e) = engine.add_data(regorus::Value::from(Json::Object(merged))) {
                errors.push(PolicyError::Data { file: "data".into(), message: e.to_string() });
            }
        }
        Err(mut e) => errors.append(&mut e),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    engine.set_enable_coverage(coverage);
    let mut tests: Vec<(String, String, String)> = Vec::new();
    // Every definition of each test: Rego evaluates a rule defined twice as one, true when
    // any definition holds, so a failing copy would hide behind a passing one.
    let mut places: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for m in &modules {
        for (name, line) in &m.rules {
            let is_test = name.starts_with("test_") || name.starts_with("todo_test_");
            let qualified = format!("{}.{name}", m.package);
            if is_test && filter.is_none_or(|f| qualified.contains(f)) {
                let place = format!("{}:{line}", m.file);
                places.entry((m.package.clone(), name.clone())).or_default().push(place.clone());
                if !tests.iter().any(|(p, n, _)| *p == m.package && n == name) {
                    tests.push((m.package.clone(), name.clone(), place));
                }
            }
        }
    }
    tests.sort();
    let mut results = Vec::with_capacity(tests.len());
    for (package, name, location) in tests {
        if name.starts_with("todo_") {
            results.push(TestResult {
                package,
                name,
                location,
                outcome: TestOutcome::Skip,
                duration: Duration::ZERO,
            });
            continue;
        }
        if let Some(all) = places.get(&(package.clone(), name.clone())).filter(|all| all.len() > 1) {
            let outcome = TestOutcome::Error(format!(
                "`{name}` is defined {} times ({}): Rego evaluates them as one test that passes when any \
                 of them holds, so a failing one would be hidden; give each test a name of its own \
                 (opa test runs them as {name}, {name}#01, …)",
                all.len(),
                all.join(", ")
            ));
            results.push(TestResult { package, name, location, outcome, duration: Duration::ZERO });
            continue;
        }
        let path = format!("data.{package}.{name}");
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: timeout,
            check_interval: NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN),
        });
        let started = Instant::now();
        let outcome = match engine.eval_rule(path.clone()) {
            Ok(regorus::Value::Bool(true)) => TestOutcome::Pass,
            Ok(_) => TestOutcome::Fail,
            Err(e) => TestOutcome::Error(eval_error(&path, &e.to_string()).to_string_with_place()),
        };
        results.push(TestResult { package, name, location, outcome, duration: started.elapsed() });
    }
    let coverage = if coverage {
        let report = engine.get_coverage_report().map_err(|e| {
            vec![PolicyError::Eval {
                rule: "coverage".into(),
                file: None,
                line: None,
                column: None,
                message: e.to_string(),
                text: None,
            }]
        })?;
        Some(
            report
                .files
                .into_iter()
                .filter(|f| !f.path.ends_with("_test.rego"))
                .map(|f| FileCoverage {
                    path: f.path,
                    covered: f.covered.len(),
                    not_covered: f.not_covered.into_iter().collect(),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(TestReport { results, coverage, v0_files })
}

impl PolicyError {
    /// The message with its place, on one line (`file:line:col: message`).
    pub fn to_string_with_place(&self) -> String {
        match self {
            PolicyError::Eval { file: Some(f), line: Some(l), column: Some(c), message, .. } => {
                format!("{f}:{l}:{c}: {message}")
            }
            other => other.to_string(),
        }
    }
}
