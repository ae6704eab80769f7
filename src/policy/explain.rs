//! Findings explained from the evidence record they name.
//!
//! A rule may return a result object without `msg` whose `fingerprint` is that of a test
//! case, a vulnerability, a misconfiguration or a component of the evidence:
//! `deny contains {"fingerprint": vuln.fingerprint} if { … }`. verdict then writes what the
//! finding says from that record (docs/policy.md, "Findings verdict explains"): the message,
//! the id, the severity, where it is, a link, and how to fix it with the scanner's own fix
//! data merged in (Trivy's fixed versions and resolution, Checkov's guideline, the failed
//! test's message), which is what DESIGN §5 asks every failing finding to show. Fields the
//! result gives are kept; only the missing ones are filled.
//!
//! The built-in pack's per-record rules return such results: building these texts in Rego cost
//! regorus 50–70 µs of CPU per finding (at scale 10, 0.45 s of the pack's 0.6 s), in Rust a
//! microsecond. The decision (which records fail) stays in the policy.

use std::collections::HashSet;

use foldhash::{HashMap as FoldHashMap, HashSet as FoldHashSet};
use serde_json::{Map, Value as Json};

use crate::evidence::{
    CheckStatus, Component, Evidence, LicenseFinding, Misconfiguration, Secret, Severity, TestCase,
    TestStatus, Vulnerability,
};

/// The evidence's records by fingerprint, for the results that name one.
pub(crate) struct Records<'a> {
    by_fingerprint: FoldHashMap<&'a str, Vec<Record<'a>>>,
    /// For each package found in one place with more than one vulnerability to explain, the
    /// newest of their fixes and how many they are: the one upgrade that clears them all.
    upgrades: FoldHashMap<Place<'a>, (String, usize)>,
    /// The reports that scanned an image (Trivy's `ArtifactType` `container_image` or `vm`),
    /// with the image: their findings in a lockfile or binary inside it name it.
    images: Vec<(&'a str, &'a str)>,
    /// The JUnit reports whose runner is known to write a JavaScript test once per name, with
    /// it: `vitest`, `playwright` (their commands are not jest's).
    runners: Vec<(&'a str, &'a str)>,
}

/// A package where it was found: name, version, and the file or image it is in.
type Place<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

fn place(vuln: &Vulnerability) -> Place<'_> {
    let pkg = &vuln.package;
    (pkg.name.as_str(), pkg.version.as_deref(), pkg.path.as_deref().or(vuln.target.as_deref()))
}

#[derive(Clone, Copy)]
enum Record<'a> {
    Test(&'a TestCase),
    Vulnerability(&'a Vulnerability),
    Check(&'a Misconfiguration),
    Secret(&'a Secret),
    Component(&'a Component),
    License(&'a LicenseFinding),
}

impl Record<'_> {
    /// Whether the record is at `line`, when a result names one. A vulnerability or a
    /// component has no line, so a result's `line` does not pick among its records.
    fn at(self, line: Option<u64>) -> bool {
        match self {
            _ if line.is_none() => true,
            Record::Test(case) => case.line == line,
            Record::Vulnerability(_) | Record::Component(_) | Record::License(_) => true,
            Record::Check(check) => check.start_line == line,
            Record::Secret(secret) => secret.start_line == line,
        }
    }

    /// What verdict says of the record for `result`: only a component's finding reads the
    /// result, whose `id` names the licenses the rule found denied (a license scanner's
    /// finding is one license, its own).
    fn explain(self, result: &Map<String, Json>, records: &Records<'_>) -> Explanation {
        match self {
            Record::Test(case) => {
                let runner =
                    records.runners.iter().find(|(source, _)| **source == *case.source).map(|(_, r)| *r);
                test_case_by(case, runner)
            }
            Record::Vulnerability(vuln) => {
                let image =
                    records.images.iter().find(|(source, _)| **source == *vuln.source).map(|(_, i)| *i);
                vulnerability(vuln, records.upgrades.get(&place(vuln)), image)
            }
            Record::Check(check) => misconfiguration(check),
            Record::Secret(secret) => secret_found(secret),
            Record::Component(component) => {
                component_finding(component, result.get("id").and_then(Json::as_str))
            }
            Record::License(license) => scanned_license(license),
        }
    }
}

impl<'a> Records<'a> {
    /// Indexes the test cases, vulnerabilities, misconfigurations, secrets, components and
    /// license scanners' findings whose
    /// fingerprint is one of `wanted` (the results' that ask to be explained): the index holds
    /// the findings' records, not every record of a large evidence document.
    pub(crate) fn of(evidence: &'a Evidence, wanted: &FoldHashSet<&str>) -> Records<'a> {
        let tests = evidence.tests.cases.iter().map(|r| (r.fingerprint.as_str(), Record::Test(r)));
        let vulns =
            evidence.vulnerabilities.iter().map(|r| (r.fingerprint.as_str(), Record::Vulnerability(r)));
        let checks = evidence.misconfigurations.iter().map(|r| (r.fingerprint.as_str(), Record::Check(r)));
        let secrets = evidence.secrets.iter().map(|r| (r.fingerprint.as_str(), Record::Secret(r)));
        let components = evidence.components.iter().map(|r| (r.fingerprint.as_str(), Record::Component(r)));
        let licenses = evidence.licenses.iter().map(|r| (r.fingerprint.as_str(), Record::License(r)));
        // foldhash: a fingerprint is 32 hex digits, and every record of the evidence is looked
        // up (SipHash took a few milliseconds over them).
        let mut by_fingerprint: FoldHashMap<&str, Vec<Record>> =
            FoldHashMap::with_capacity_and_hasher(wanted.len(), Default::default());
        let mut upgrades: FoldHashMap<Place<'a>, (String, usize)> = FoldHashMap::default();
        for (fingerprint, record) in
            tests.chain(vulns).chain(checks).chain(secrets).chain(components).chain(licenses)
        {
            if wanted.contains(fingerprint) {
                if let Record::Vulnerability(vuln) = record
                    && let Some(fix) = first_fix(vuln)
                {
                    let entry = upgrades.entry(place(vuln)).or_insert_with(|| (fix.clone(), 0));
                    if older(&entry.0, &fix) {
                        entry.0 = fix;
                    }
                    entry.1 += 1;
                }
                by_fingerprint.entry(fingerprint).or_default().push(record);
            }
        }
        upgrades.retain(|_, (_, n)| *n > 1);
        let images = evidence
            .sources
            .iter()
            .filter(|s| matches!(s.subject_type.as_deref(), Some("container_image" | "vm")))
            .filter_map(|s| Some((s.path.as_str(), s.subject.as_deref()?)))
            .collect();
        let runners = evidence
            .sources
            .iter()
            .filter_map(|s| Some((s.path.as_str(), s.tool.as_ref()?.name.as_str())))
            .filter(|(_, tool)| matches!(*tool, "vitest" | "playwright"))
            .collect();
        Records { by_fingerprint, upgrades, images, runners }
    }

    /// The findings a result without `msg` stands for: one per record its `fingerprint` names
    /// (at its `line`, when it gives one), each a message and the result filled from the
    /// record. A fingerprint leaves out line numbers and paths inside an image, so the same
    /// check on one resource at two lines, or one package in two jars of an image, are two
    /// records with one fingerprint; the rule that picked them is told apart by neither, and
    /// each is shown where it is. Records that would read the same are one finding. Empty when
    /// the fingerprint is no record's.
    pub(crate) fn explain(&self, result: &Map<String, Json>) -> Vec<(String, Map<String, Json>)> {
        let Some(records) =
            result.get("fingerprint").and_then(Json::as_str).and_then(|f| self.by_fingerprint.get(f))
        else {
            return Vec::new();
        };
        let line = result.get("line").and_then(Json::as_u64);
        if let [record] = records.as_slice() {
            if !record.at(line) {
                return Vec::new();
            }
            let mut filled = result.clone();
            return vec![(record.explain(result, self).fill(&mut filled), filled)];
        }
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(1);
        for record in records.iter().filter(|r| r.at(line)) {
            let explanation = record.explain(result, self);
            if seen.insert(explanation.clone()) {
                let mut filled = result.clone();
                out.push((explanation.fill(&mut filled), filled));
            }
        }
        out
    }
}

/// What verdict says of a record.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
struct Explanation {
    msg: String,
    id: Option<String>,
    severity: Option<Severity>,
    file: Option<String>,
    line: Option<u64>,
    url: Option<String>,
    purl: Option<String>,
    remediation: Option<String>,
    /// `file` and `line` are where the finding is to be changed, not where the record is (a
    /// check inside a Terraform module, shown at the block that calls the module): they replace
    /// the result's, whose `line` only picks the record.
    moved: bool,
}

impl Explanation {
    /// Puts each field into `result` where the result left it out (absent or null), and
    /// returns the message.
    fn fill(self, result: &mut Map<String, Json>) -> String {
        if self.moved {
            for key in ["file", "line"] {
                result.remove(key);
            }
        }
        let fields = [
            ("id", self.id.map(Json::String)),
            ("severity", self.severity.map(|s| Json::String(s.as_str().to_owned()))),
            ("file", self.file.map(Json::String)),
            ("line", self.line.map(Json::from)),
            ("url", self.url.map(Json::String)),
            ("purl", self.purl.map(Json::String)),
            ("remediation", self.remediation.map(Json::String)),
        ];
        for (key, value) in fields {
            if let Some(value) = value
                && result.get(key).is_none_or(Json::is_null)
            {
                result.insert(key.to_owned(), value);
            }
        }
        self.msg
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// The extensions of the test files whose runner [`runner_command`] knows.
const TEST_FILE_EXTENSIONS: [&str; 9] = ["py", "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

/// The test's file: its `file`, else its class name or its suite's name when that is the path
/// of a Python, JavaScript or TypeScript file (jest-junit and Playwright write the file in the
/// class name, jest-junit's `{filepath}` suite names in the suite's; a Windows runner's `\` is
/// read as `/`).
fn test_file(case: &TestCase) -> Option<String> {
    if let Some(file) = &case.file {
        return Some(file.clone());
    }
    let path_like = |p: &&str| p.contains('/') || p.contains('\\') || p.contains('.') && !p.contains(' ');
    [case.classname.as_deref(), case.suite.as_deref()].into_iter().flatten().filter(path_like).find_map(|p| {
        let ext = p.rsplit_once('.')?.1.to_ascii_lowercase();
        TEST_FILE_EXTENSIONS.contains(&ext.as_str()).then(|| p.replace('\\', "/"))
    })
}

/// The command that runs only the test, when its file ([`test_file`]) says the runner: a
/// Python file is pytest's (`pytest FILE -k 'NAME'`), a JavaScript or TypeScript test file
/// (`.test.ts`, `.spec.js`, …) jest's (`npx jest FILE -t 'NAME'`). Elsewhere the qualified
/// name (`com.acme.CartTest.appliesDiscount`) says enough.
///
/// The name comes from the report, which whoever wrote the tests controls, and the reader is
/// asked to paste the command into a shell: the file and the name are quoted for a POSIX shell
/// (single quotes: `$(…)`, backticks and `$5` stay text), and jest's `-t`, a regular
/// expression, gets the name with its special characters escaped. A name that holds a line
/// break or another control character gets no command.
fn runner_command(case: &TestCase, file: &str, runner: Option<&str>) -> Option<String> {
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    if case.name.is_empty() || case.name.chars().chain(file.chars()).any(char::is_control) {
        return None;
    }
    let quoted = shell_quote(file);
    let command = match ext.as_str() {
        "py" => match pytest_node(file, case) {
            // The test's node id selects exactly it, parametrized ids (`test_x[a b]`) too, which
            // `-k` refuses.
            Some(node) => format!("pytest {}", shell_quote(&node)),
            None => format!("pytest {quoted} -k {}", shell_quote(&case.name)),
        },
        "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts" => match runner {
            Some("vitest") => {
                format!("npx vitest run {quoted} -t {}", shell_quote(&regex_escape(&case.name)))
            }
            // Playwright's `-g` reads the test's whole title, which the report does not keep
            // as Playwright writes it: the file's tests, every project.
            Some("playwright") => format!("npx playwright test {quoted}"),
            _ => format!("npx jest {quoted} -t {}", shell_quote(&regex_escape(&case.name))),
        },
        _ => return None,
    };
    Some(command)
}

/// pytest's node id of the test (`tests/test_cart.py::TestCart::test_total[a b]`), when its class
/// name is the file's module (`tests.test_cart`), followed by its classes.
fn pytest_node(file: &str, case: &TestCase) -> Option<String> {
    let module = file.strip_suffix(".py")?.replace('/', ".");
    let classes = match case.classname.as_deref()? {
        c if c == module => "",
        c => c.strip_prefix(&module)?.strip_prefix('.')?,
    };
    let mut node = file.to_owned();
    for class in classes.split('.').filter(|c| !c.is_empty()) {
        node.push_str("::");
        node.push_str(class);
    }
    Some(format!("{node}::{}", case.name))
}

/// `text` as one word of a POSIX shell: as it is when it holds only characters no shell treats
/// specially, else between single quotes, inside which only `'` itself needs care (`'\''`).
fn shell_quote(text: &str) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b);
    if !text.is_empty() && text.bytes().all(plain) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` matched literally by a JavaScript regular expression (jest's `-t`).
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.*+?()[]{}|/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A failed or errored test says what its report said and where to start; a flaky one what the
/// failing attempt said. The severity is left to the rule (the pack: HIGH for a failure, MEDIUM
/// for a flaky test).
#[cfg(test)]
fn test_case(case: &TestCase) -> Explanation {
    test_case_by(case, None)
}

/// [`test_case`], for a report of `runner` (`vitest`, `playwright`) when it is known.
fn test_case_by(case: &TestCase, runner: Option<&str>) -> Explanation {
    // Where the test lives: its class, else its suite (runners without class names).
    let suite = case.classname.as_deref().or(case.suite.as_deref());
    let file = test_file(case);
    // The qualified name waivers can match: "com.acme.CartTest.appliesDiscount". Some runners
    // (NUnit) write the qualified name as the test's name already; a test without a name is
    // named by its suite alone.
    let id = match suite {
        Some(suite) if case.name.is_empty() || case.name.starts_with(&format!("{suite}.")) => {
            if case.name.is_empty() { suite.to_owned() } else { case.name.clone() }
        }
        Some(suite) => format!("{suite}.{}", case.name),
        None if case.name.is_empty() => "the test".to_owned(),
        None => case.name.clone(),
    };
    let said = test_said(case.message.as_deref());
    // The result of a suite itself (a class that could not load, a class-level setup that
    // failed): no test of it ran.
    let whole_suite = case.name == crate::ingest::junit::SUITE_TEST;
    let mut msg = match (whole_suite, suite) {
        (true, Some(suite)) => format!("Suite \"{suite}\""),
        // The report gave the test no name (its fingerprint tells it apart from the others).
        _ if case.name.is_empty() => {
            let mut msg = "A test without a name".to_owned();
            part(&mut msg, " in ", suite, "");
            part(&mut msg, " (line ", case.line.map(|l| l.to_string()).as_deref(), ")");
            msg
        }
        _ => {
            let mut msg = format!("Test \"{}\"", case.name);
            part(&mut msg, " in ", suite, "");
            msg
        }
    };
    let remediation = match case.status {
        TestStatus::Failed | TestStatus::Errored => {
            let (outcome, cause) = match case.status {
                TestStatus::Errored if whole_suite => (
                    " could not run (error)",
                    "; the suite itself stopped, outside any of its tests (a class that could not load, or a class-level setup or teardown that failed), with ",
                ),
                _ if whole_suite => (
                    " failed",
                    "; the suite itself failed, outside any of its tests (a class-level setup or teardown), with ",
                ),
                TestStatus::Errored => (
                    " could not run (error)",
                    "; it stopped before any assertion (usually setup, a fixture or the environment) with ",
                ),
                _ => (" failed", "; it failed with "),
            };
            msg.push_str(outcome);
            part(&mut msg, ": ", said.as_deref(), "");
            let mut fix = match (whole_suite, suite) {
                (true, Some(suite)) => format!("Run the suite {suite} locally and fix the code or the test"),
                (false, Some(suite)) if case.name.is_empty() => {
                    format!("Run the tests of {suite} locally and fix the code or the test")
                }
                _ => match file.as_deref().and_then(|file| Some((file, runner_command(case, file, runner)?)))
                {
                    Some((file, command)) => format!(
                        "Run the test \"{}\" of {file} locally (`{command}`) and fix the code or the test",
                        case.name
                    ),
                    None => format!("Run {id} locally and fix the code or the test"),
                },
            };
            part(&mut fix, " (", location(case.file.as_deref(), case.line).as_deref(), ")");
            // What the report says went wrong: "org.opentest4j.AssertionFailedError: expected: <1> but was: <2>",
            // the type once when the message already starts with it.
            let kind =
                case.failure_type.as_deref().filter(|t| !said.as_deref().is_some_and(|s| s.starts_with(t)));
            let reason: Vec<&str> = [kind, said.as_deref()].into_iter().flatten().collect();
            if !reason.is_empty() {
                fix.push_str(cause);
                fix.push_str(&reason.join(": "));
            }
            part(&mut fix, "; report: ", Some(&case.source), "");
            Some(fix)
        }
        _ if case.flaky => {
            msg.push_str(&format!(" is flaky: it passed only after {} attempts", case.attempts));
            part(&mut msg, " (earlier failure: ", said.as_deref(), ")");
            let mut fix = format!("Make {id} deterministic");
            part(&mut fix, ": the failing attempt said \"", said.as_deref(), "\"");
            part(&mut fix, " (", case.failure_type.as_deref(), ")");
            fix.push_str(
                "; look for timeouts, test order and shared state, and quarantine the test rather than relying on reruns",
            );
            Some(fix)
        }
        TestStatus::Skipped => {
            msg.push_str(" was skipped");
            None
        }
        TestStatus::Passed => {
            msg.push_str(" passed");
            None
        }
    };
    Explanation {
        moved: false,
        msg,
        id: Some(id),
        severity: None,
        file,
        line: case.line,
        url: None,
        purl: None,
        remediation,
    }
}

// ---------------------------------------------------------------------------------------------
// Vulnerabilities
// ---------------------------------------------------------------------------------------------

/// "HIGH vulnerability CVE-… in lodash 4.17.20 (web/package-lock.json): title", with the
/// upgrade to make when the scanner knows a fixed version, else what to do without one.
fn vulnerability(vuln: &Vulnerability, all: Option<&(String, usize)>, image: Option<&str>) -> Explanation {
    let pkg = &vuln.package;
    let mut msg = format!("{} vulnerability {} in {}", vuln.severity.as_str(), vuln.id, pkg.name);
    part(&mut msg, " ", pkg.version.as_deref(), "");
    // A lockfile or binary inside a scanned image (`Cargo.lock`, `usr/local/bin/app`) says
    // which image; the operating system's target names it already.
    let image = image.filter(|i| !vuln.target.as_deref().is_some_and(|t| t.contains(i)));
    let in_image = image.map(|i| format!(" in image {i}"));
    let target = vuln.target.as_deref().map(|t| format!("{t}{}", in_image.as_deref().unwrap_or("")));
    part(&mut msg, " (", target.as_deref().or(in_image.as_deref().map(str::trim_start)), ")");
    part(&mut msg, ": ", oneline(vuln.title.as_deref()).as_deref(), "");
    let mut remediation =
        if vuln.fixed_versions.is_empty() { no_fix(vuln) } else { upgrade(vuln, in_image.as_deref()) };
    // Several findings in this package here: the one upgrade that clears them all, so that
    // fixing the first does not leave the gate red on the next.
    if let Some((newest, n)) = all
        && !vuln.fixed_versions.is_empty()
    {
        let fixes_all = first_fix(vuln).as_deref() == Some(newest.as_str());
        remediation.push_str(&if fixes_all {
            format!("; this also fixes the other {} findings of {} here", n - 1, pkg.name)
        } else {
            format!("; {newest} fixes all {n} findings of {} here", pkg.name)
        });
    }
    Explanation {
        moved: false,
        msg,
        id: Some(vuln.id.clone()),
        severity: Some(vuln.severity),
        file: vuln.target.as_deref().filter(|t| is_lockfile(t)).map(str::to_owned),
        line: None,
        url: vuln.url.clone(),
        purl: pkg.purl.clone(),
        remediation: Some(remediation),
    }
}

/// "Upgrade org.springframework:spring-beans 5.3.15 → 5.3.18 (or 6.0.1) in app/lib/…jar",
/// and for a package of the operating system, how that is done in an image.
fn upgrade(vuln: &Vulnerability, in_image: Option<&str>) -> String {
    let pkg = &vuln.package;
    let go = is_go(vuln);
    let fixes = fixes(vuln);
    let (first, others) = choice(pkg.version.as_deref(), &fixes);
    if go && pkg.name == "stdlib" {
        // The standard library is not a module: it comes with the Go toolchain that built it.
        let mut text = format!("Build with Go {} or later", first.trim_start_matches(['v', 'g', 'o']));
        if !others.is_empty() {
            let others: Vec<&str> = others.iter().map(|o| o.trim_start_matches(['v', 'g', 'o'])).collect();
            text.push_str(&format!(" (or {})", others.join(", ")));
        }
        text.push_str(&format!(
            " instead of {}: raise the `toolchain` (or `go`) line of go.mod and the Go of the CI image",
            pkg.version.as_deref().unwrap_or("the Go it was built with").trim_start_matches('v')
        ));
        if pkg.package_type.as_deref() == Some("gobinary") {
            part(&mut text, ", then rebuild ", pkg.path.as_deref().or(vuln.target.as_deref()), "");
            text.push_str(in_image.unwrap_or(""));
        }
        return text;
    }
    let mut text = format!("Upgrade {}", pkg.name);
    part(&mut text, " ", pkg.version.as_deref(), "");
    text.push_str(" → ");
    text.push_str(first);
    if !others.is_empty() {
        text.push_str(&format!(" (or {})", others.join(", ")));
    }
    // Where the package sits: the jar or binary inside the image, else the lockfile or image.
    part(&mut text, " in ", pkg.path.as_deref().or(vuln.target.as_deref()), "");
    text.push_str(in_image.unwrap_or(""));
    let from_os = pkg.purl.as_deref().is_some_and(|p| OS_PURLS.iter().any(|prefix| p.starts_with(prefix)))
        || pkg.package_type.as_deref().is_some_and(|t| OS_TYPES.contains(&t));
    if from_os {
        // Packages of the operating system come with the base image, so the fix is a rebuild
        // on a newer base rather than a lockfile change.
        text.push_str(
            ": rebuild the image from an updated base image, or upgrade the package in its Dockerfile",
        );
    }
    text
}

/// Whether the package is a Go module (or the Go standard library).
fn is_go(vuln: &Vulnerability) -> bool {
    let pkg = &vuln.package;
    pkg.purl.as_deref().is_some_and(|p| p.starts_with("pkg:golang/"))
        || pkg.package_type.as_deref().is_some_and(|t| t == "gomod" || t == "gobinary")
}

/// The fixed versions as the upgrade names them.
fn fixes(vuln: &Vulnerability) -> Vec<String> {
    let mut fixes: Vec<String> = vuln.fixed_versions.iter().filter_map(|f| fix_text(f)).collect();
    if is_go(vuln) && vuln.package.version.as_deref().is_some_and(|v| v.starts_with('v')) {
        // Go module versions are written `v0.33.0` in go.mod and `go get`; Trivy's fixed
        // versions come without the `v`.
        for fix in &mut fixes {
            if fix.starts_with(|c: char| c.is_ascii_digit()) {
                fix.insert(0, 'v');
            }
        }
    }
    fixes
}

/// The fix the upgrade names first ([`choice`]), if there is one.
fn first_fix(vuln: &Vulnerability) -> Option<String> {
    let fixes = fixes(vuln);
    let (first, _) = choice(vuln.package.version.as_deref(), &fixes);
    (!first.is_empty()).then(|| first.to_owned())
}

/// A fixed version as the upgrade names it. Trivy copies some advisories' ranges as they are
/// (RustSec's ">= 2.1.0", split at commas): a lower bound is "2.1.0 or later", and an upper
/// bound ("< 2.0", the end of a range of fixed versions) is no version to upgrade to.
fn fix_text(fix: &str) -> Option<String> {
    let fix = fix.trim();
    if fix.starts_with('<') || fix.is_empty() {
        return None;
    }
    Some(if let Some(v) = fix.strip_prefix(">=") {
        format!("{} or later", v.trim())
    } else if let Some(v) = fix.strip_prefix('>') {
        format!("a version after {}", v.trim())
    } else {
        fix.trim_start_matches('=').trim().to_owned()
    })
}

const OS_PURLS: [&str; 3] = ["pkg:deb/", "pkg:apk/", "pkg:rpm/"];

const OS_TYPES: [&str; 16] = [
    "alma",
    "alpine",
    "amazon",
    "azurelinux",
    "cbl-mariner",
    "centos",
    "chainguard",
    "debian",
    "fedora",
    "oracle",
    "photon",
    "redhat",
    "rocky",
    "suse",
    "ubuntu",
    "wolfi",
];

/// The fix to suggest first and the others. A fix older than the installed version (2.6.9
/// for 3.0.1: the advisory's fix for an older release line) is no upgrade and is left out,
/// unless every fix is. With several, one in the installed version's release line comes first
/// (5.3.15 → 5.3.18 rather than 6.0.1), else the first listed.
fn choice<'v>(installed: Option<&str>, fixes: &'v [String]) -> (&'v str, Vec<&'v str>) {
    let newer: Vec<&String> = fixes.iter().filter(|fix| !installed.is_some_and(|v| older(fix, v))).collect();
    let fixes: Vec<&String> = if newer.is_empty() { fixes.iter().collect() } else { newer };
    let listed = fixes.first().map_or("", |f| f.as_str());
    let same_line = installed.and_then(|v| {
        let line = release_line(v);
        fixes.iter().find(|fix| release_line(fix) == line)
    });
    let preferred = same_line.map_or(listed, |f| f.as_str());
    let mut others: Vec<&str> = fixes.iter().map(|f| f.as_str()).filter(|fix| *fix != preferred).collect();
    others.dedup();
    if others.is_empty() { (listed, others) } else { (preferred, others) }
}

/// Whether version `a` is certainly older than `b`, comparing their leading numbers
/// (`1.1.20-r5` → 1, 1, 20) in order. Where one runs out first, or either has no number, the
/// answer is no: only a clear difference says older.
fn older(a: &str, b: &str) -> bool {
    fn numbers(v: &str) -> Vec<u64> {
        v.trim_start_matches(['v', 'V'])
            .split('.')
            .map_while(|part| {
                let digits = part.len() - part.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                part.get(..digits).filter(|d| !d.is_empty()).and_then(|d| d.parse().ok())
            })
            .collect()
    }
    numbers(a).iter().zip(numbers(b).iter()).find(|(x, y)| x != y).is_some_and(|(x, y)| x < y)
}

/// "5.3" for 5.3.15: the first two dot-separated parts.
fn release_line(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// What to do when there is no fix, by the advisory's status.
fn no_fix(vuln: &Vulnerability) -> String {
    let mut package = vuln.package.name.clone();
    part(&mut package, " ", vuln.package.version.as_deref(), "");
    let id = &vuln.id;
    let mut text = match vuln.status.as_deref() {
        Some("will_not_fix") => format!(
            "The maintainers will not fix {id} in {package}: replace the package (or the base image), remove it if unused, or accept the risk with a waiver"
        ),
        Some("end_of_life") => format!(
            "{package} has reached its end of life and gets no fix for {id}: move to a supported version (or base image)"
        ),
        _ => format!(
            "No fixed version of {package} exists yet for {id}: apply the advisory's workaround if there is one, remove the package if unused, and upgrade when a fix ships"
        ),
    };
    part(&mut text, "; advisory: ", vuln.url.as_deref(), "");
    text
}

/// The scanned lockfile is the finding's file, so that waivers can match by path
/// (`services/legacy/**`). A target that is not a file (an image with its OS, or a language
/// such as "Java" or "Node.js" in an image) gives no file.
fn is_lockfile(target: &str) -> bool {
    const EXTENSIONS: [&str; 17] = [
        "json", "lock", "lockfile", "toml", "txt", "mod", "sum", "xml", "yml", "yaml", "gradle", "kts",
        "csproj", "props", "config", "cfg", "gemspec",
    ];
    !target.is_empty()
        && !target.chars().any(char::is_whitespace)
        && (target.contains('/') || target.rsplit_once('.').is_some_and(|(_, ext)| EXTENSIONS.contains(&ext)))
}

// ---------------------------------------------------------------------------------------------
// Misconfigurations
// ---------------------------------------------------------------------------------------------

/// "Check CKV_AWS_20 failed on aws_s3_bucket.data (main.tf:12): title — what the scanner said
/// of the resource", and how to change the resource: the scanner's resolution, its guideline,
/// and how to skip the check in code.
fn misconfiguration(check: &Misconfiguration) -> Explanation {
    let outcome = match check.status {
        CheckStatus::Failed => "failed",
        CheckStatus::Passed => "passed",
        CheckStatus::Skipped => "was skipped",
        CheckStatus::Exception => "was excepted",
    };
    // Checkov's secret checks name the secret's hash as the resource: nothing to change "on".
    let secret = check.tool == "checkov" && check.check_id.starts_with("CKV_SECRET_");
    let resource = check.resource.as_deref().filter(|_| !secret);
    let mut msg = format!("Check {} {outcome}", check.check_id);
    part(&mut msg, " on ", resource, "");
    // In a module: where the project calls it first, then where inside the module it failed.
    let inside = location(check.file.as_deref(), check.start_line);
    let call = check.called_from.as_ref();
    match call {
        Some(c) => msg.push_str(&format!(
            " ({}, in the module at {})",
            location(Some(&c.file), c.start_line).unwrap_or_default(),
            inside.as_deref().unwrap_or("an unnamed file")
        )),
        None => part(&mut msg, " (", inside.as_deref(), ")"),
    }
    let title = oneline(check.title.as_deref());
    part(&mut msg, ": ", title.as_deref(), "");
    // What the scanner says of this resource, which names the part to change (Trivy: "Container
    // 'api' of Deployment 'web' should set 'securityContext.privileged' to false"), unless it
    // only repeats the title.
    let said = oneline(check.message.as_deref()).filter(|m| Some(m) != title.as_ref());
    part(&mut msg, if title.is_some() { " — " } else { ": " }, said.as_deref(), "");

    let mut fix = if secret {
        let mut fix = "A secret is written in ".to_owned();
        fix.push_str(check.file.as_deref().unwrap_or("the file"));
        part(&mut fix, " (line ", check.start_line.map(|l| l.to_string()).as_deref(), ")");
        fix.push_str(
            ": revoke it where it was issued and replace it (it stays in the repository's history), remove it from the file and load it at run time from the CI's secret store",
        );
        fix
    } else if let Some(c) = call {
        // The module's own files are not the project's to edit (a registry's, or Terraform's
        // .terraform/modules cache): its inputs, in the calling block, are.
        let mut fix = "Change the inputs of ".to_owned();
        fix.push_str(c.resource.as_deref().unwrap_or("the module block"));
        fix.push_str(&format!(" in {}", c.file));
        part(&mut fix, " (line ", c.start_line.map(|l| l.to_string()).as_deref(), ")");
        fix.push_str(" so that the module meets the check");
        part(&mut fix, " (it fails on ", resource, "");
        part(&mut fix, if resource.is_some() { " in " } else { " (it fails in " }, inside.as_deref(), ")");
        fix
    } else {
        let what = resource.or(check.file.as_deref()).unwrap_or("the resource");
        let mut fix = format!("Change {what}");
        part(&mut fix, " in ", check.file.as_deref().filter(|_| resource.is_some()), "");
        part(&mut fix, " (line ", check.start_line.map(|l| l.to_string()).as_deref(), ")");
        fix.push_str(" so that it meets the check");
        fix
    };
    // The scanner's own advice, when it gives some (Trivy does), without its final period.
    let resolution = oneline(check.resolution.as_deref());
    part(&mut fix, ": ", resolution.as_deref().map(|r| r.trim_end_matches('.')), "");
    part(&mut fix, "; see ", check.guideline.as_deref(), "");
    // How each scanner is told that a check does not apply there: what it honours depends on
    // the kind of file (checked with Checkov 3.3 and Trivy 0.76).
    if let Some(skip) = skip_advice(check, call.is_some()) {
        fix.push_str("; if it does not apply here, ");
        fix.push_str(&skip);
    }
    // Checkov rates no check without a platform key: say what decides, where the reader
    // wonders why a failed check only warns (or why it blocks).
    if check.tool == "checkov" && check.severity.is_none() && !secret {
        fix.push_str(
            "; unrated (Checkov gives no severity without a platform API key): thresholds.misconfigurations.unknown_severity decides whether it blocks (warn unless set to fail)",
        );
    }
    // Shown, annotated and waived where the project can change it: the module block.
    let (file, line) = match call {
        Some(c) => (Some(c.file.clone()), c.start_line),
        None => (check.file.clone(), check.start_line),
    };
    Explanation {
        moved: call.is_some(),
        msg,
        id: Some(check.check_id.clone()),
        severity: check.severity,
        file,
        line,
        url: check.guideline.clone(),
        purl: None,
        // A check that did not fail has nothing to change: the rule's METADATA speaks for it.
        remediation: (check.status == CheckStatus::Failed).then_some(fix),
    }
}

/// How to tell the scanner, in the repository, that a check does not apply: Checkov's skip
/// comment (inside a module block, for a resource of a module; in Kubernetes manifests, which
/// it reads as YAML data, the `checkov.io/skipN` annotation instead); Trivy's ignore comment
/// (above a module block; it has no reason of its own, so a comment beside it says why), or
/// for Kubernetes manifests, where Trivy applies no inline ignore, an entry of
/// `.trivyignore.yaml` with the file and a statement.
fn skip_advice(check: &Misconfiguration, in_module: bool) -> Option<String> {
    let id = &check.check_id;
    let manifest =
        check.framework.as_deref().is_some_and(|f| matches!(f, "kubernetes" | "helm" | "kustomize"));
    match (check.tool.as_str(), check.framework.as_deref()) {
        ("checkov", _) if manifest => Some(format!(
            "skip it with a reason in an annotation of the resource: metadata.annotations: checkov.io/skip1: {id}=<reason>"
        )),
        // Templates, which may be JSON (no comments): the resource's metadata says it.
        ("checkov", Some("arm")) => Some(format!(
            "skip it with a reason in the resource's metadata: \"metadata\": {{\"checkov\": [\"checkov:skip={id}: <reason>\"]}}"
        )),
        ("checkov", Some("cloudformation")) => Some(format!(
            "skip it with a reason in the resource's Metadata: \"Metadata\": {{\"checkov\": {{\"skip\": [{{\"id\": \"{id}\", \"comment\": \"<reason>\"}}]}}}}"
        )),
        ("checkov", _) => Some(format!(
            "skip it in code with a reason: #checkov:skip={id}:<reason>{}",
            if in_module { " (inside the module block)" } else { "" }
        )),
        ("trivy", _) if manifest => {
            let paths = check.file.as_deref().map(|f| format!(", paths: [{f}]")).unwrap_or_default();
            Some(format!(
                "skip it with a reason in .trivyignore.yaml (Trivy applies no inline ignore to Kubernetes manifests): misconfigurations: [{{id: {id}{paths}, statement: <reason>}}]"
            ))
        }
        ("trivy", _) => Some(format!(
            "skip it in code, with a comment saying why: #trivy:ignore:{id}{}",
            if in_module { " (above the module block)" } else { "" }
        )),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// "CRITICAL secret in deploy/deploy.sh:3: AWS Access Key ID (aws-access-key-id)", and what to
/// do, in order: revoke it (changing the file does not take it out of the history or the
/// images already built), remove it, load it at run time. The evidence holds no matched text,
/// so nothing here can repeat the secret.
fn secret_found(secret: &Secret) -> Explanation {
    let place = location(Some(&secret.target), secret.start_line).unwrap_or_default();
    // Checkov rates no secret (without a platform key): "Secret in …", not "UNKNOWN secret in …".
    let mut msg = match secret.severity {
        Severity::Unknown => format!("Secret in {place}"),
        rated => format!("{} secret in {place}", rated.as_str()),
    };
    match oneline(secret.title.as_deref()) {
        Some(title) => msg.push_str(&format!(": {title} ({})", secret.rule_id)),
        None => msg.push_str(&format!(": {}", secret.rule_id)),
    }
    let mut fix = "Revoke the secret where it was issued and replace it with a new one (it stays in the repository's history and in images already built), then remove it from ".to_owned();
    fix.push_str(&secret.target);
    part(&mut fix, " (line ", secret.start_line.map(|l| l.to_string()).as_deref(), ")");
    fix.push_str(" and load it at run time from the CI's secret store or a secrets manager; if it is not a real secret (a test fixture), ");
    if secret.tool == "checkov" {
        fix.push_str(&format!(
            "skip it with a reason in a Checkov suppression comment in that file: checkov:skip={}:<reason>",
            secret.rule_id
        ));
    } else {
        fix.push_str("allow it in trivy-secret.yaml (allow-rules) with a reason");
    }
    Explanation {
        moved: false,
        msg,
        id: Some(secret.rule_id.clone()),
        severity: Some(secret.severity),
        file: Some(secret.target.clone()),
        line: secret.start_line,
        url: None,
        purl: None,
        remediation: Some(fix),
    }
}

// ---------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------

/// "Component org.example:pdf-render 2.1.0 uses a denied license: GPL-3.0-only", when the
/// result's `id` names the licenses found denied (the pack's `sbom.deny_license`), and how to
/// be rid of it. Without them, the component and the SBOM it is in; the rule's METADATA gives
/// the remediation.
fn component_finding(component: &Component, denied: Option<&str>) -> Explanation {
    let name = component_name(component);
    let Some(licenses) = denied else {
        return Explanation {
            msg: format!("Component {name} in {}", component.source),
            id: component.purl.clone(),
            purl: component.purl.clone(),
            ..Explanation::default()
        };
    };
    let mut fix = format!("Replace or remove {name}");
    part(&mut fix, " (", component.purl.as_deref(), ")");
    fix.push_str(&format!(
        ", or keep it under {licenses} only with your legal team's approval, recorded as a waiver"
    ));
    let mut msg = format!("Component {name} uses a denied license: {licenses}");
    if !readable_expression(licenses) {
        // The pack fails closed on an expression it cannot weigh (`lib.denied_expression`).
        msg.push_str(" (an expression that does not parse, denied for the denied license it names)");
        fix.push_str("; if the component offers a choice of licenses, correct the expression where the SBOM takes it from (the package's metadata)");
    }
    Explanation {
        msg,
        id: Some(licenses.to_owned()),
        purl: component.purl.clone(),
        remediation: Some(fix),
        ..Explanation::default()
    }
}

/// "Package org.eclipse.sisu:org.eclipse.sisu.plexus uses a denied license: EPL-1.0 (found by
/// trivy in Java)", or for a file, "File vendor/LICENSE is under a denied license: …", and how
/// to be rid of it (the pack's `sbom.deny_scanned_license`).
fn scanned_license(license: &LicenseFinding) -> Explanation {
    let name = &license.name;
    let (mut msg, mut fix) = match (license.package.as_deref(), license.file.as_deref()) {
        (Some(package), _) => (
            format!("Package {package} uses a denied license: {name}"),
            format!("Replace or remove {package}"),
        ),
        (None, Some(file)) => (
            format!("File {file} is under a denied license: {name}"),
            format!("Remove {file} and the code it came with"),
        ),
        (None, None) => {
            (format!("A denied license was found: {name}"), "Remove the code under it".to_owned())
        }
    };
    msg.push_str(&format!(" (found by {}", license.tool));
    part(&mut msg, " in ", license.target.as_deref(), "");
    msg.push(')');
    fix.push_str(&format!(
        ", or keep it under {name} only with your legal team's approval, recorded as a waiver"
    ));
    Explanation {
        msg,
        id: Some(name.clone()),
        file: license.file.clone(),
        url: license.url.clone(),
        remediation: Some(fix),
        ..Explanation::default()
    }
}

/// Whether the pack can weigh a license expression: its parentheses balance and nest at most
/// four deep (`lib.denied_expression` in `policies/lib.rego`).
fn readable_expression(text: &str) -> bool {
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            _ => continue,
        }
        if depth > 4 {
            return false;
        }
    }
    depth == 0
}

/// "org.example.legacy:pdf-render 2.1.0"; an npm scope keeps its slash ("@babel/core 7.24.0").
fn component_name(component: &Component) -> String {
    let mut name = String::new();
    if let Some(group) = component.group.as_deref() {
        name.push_str(group);
        name.push(if group.starts_with('@') { '/' } else { ':' });
    }
    name.push_str(&component.name);
    part(&mut name, " ", component.version.as_deref(), "");
    name
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/// Appends `value` with its surrounding words, or nothing when there is no value, so that a
/// message names optional evidence inline.
fn part(text: &mut String, before: &str, value: Option<&str>, after: &str) {
    if let Some(value) = value {
        text.push_str(before);
        text.push_str(value);
        text.push_str(after);
    }
}

/// "file:line", "file", or nothing when the file is unknown.
fn location(file: Option<&str>, line: Option<u64>) -> Option<String> {
    match (file, line) {
        (Some(file), Some(line)) => Some(format!("{file}:{line}")),
        (file, _) => file.map(str::to_owned),
    }
}

/// The first line of a text copied from an artifact, cut to 200 characters (the last an
/// ellipsis): a stack trace or a long assertion diff must not flood a one-line message.
/// Nothing for blank text, so that no message ends in an empty ": ".
fn oneline(value: Option<&str>) -> Option<String> {
    let text = without_colors(value?);
    let text = text.trim();
    clip(text.split_once('\n').map_or(text, |(first, _)| first).trim())
}

/// `line` cut to 200 characters (the last an ellipsis); nothing when blank.
fn clip(line: &str) -> Option<String> {
    if line.is_empty() {
        return None;
    }
    Some(match line.char_indices().nth(199) {
        Some((cut, _)) if line.chars().nth(200).is_some() => format!("{}…", &line[..cut]),
        _ => line.to_owned(),
    })
}

/// What a failed test's message says, on one line. The first line alone often hides the
/// point: a Python traceback ends with the exception ("AssertionError: True is not false"),
/// pytest marks the failing comparison with `E`, and a first line that only announces what
/// follows ("panicked at tests/basic.rs:19:5:", "● Test suite failed to run", "Expected: 2")
/// is joined with the lines after it while it is short, stack frames left out.
fn test_said(value: Option<&str>) -> Option<String> {
    let text = without_colors(value?);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let first = *lines.first()?;
    let frame = |l: &&str| l.starts_with("at ") || l.starts_with("File \"") || l.starts_with("^");
    if let Some(e) = lines.iter().find_map(|l| l.strip_prefix("E ")) {
        return clip(e.trim());
    }
    if first.starts_with("Traceback (most recent call last)") {
        return lines.iter().rev().find(|l| !frame(l) && !l.starts_with("Traceback")).and_then(|l| clip(l));
    }
    let mut said = first.to_owned();
    // Enough of what follows the first line for an assertion's expected and received values
    // (jest: "expect(received).toMatch(expected)", then "Expected …", "Received …").
    for line in lines.iter().skip(1) {
        if said.chars().count() >= 160 || frame(line) {
            break;
        }
        said.push(' ');
        said.push_str(line);
    }
    clip(&said)
}

/// `text` without the terminal color codes test runners leave in their messages
/// (`ESC[31m`, jest and mocha): shown as they are, they read as `�[31m`.
fn without_colors(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        // CSI: ESC [ parameters, then a final byte from @ to ~.
        if chars.peek() == Some(&'[') {
            chars.next();
            while let Some(&p) = chars.peek() {
                chars.next();
                if ('@'..='~').contains(&p) {
                    break;
                }
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
