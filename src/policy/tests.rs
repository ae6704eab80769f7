//! Policy loading and evaluation with conftest's conventions, on small inline policies.

use super::test::run_tests;
use super::*;

fn file(path: &str, text: &str) -> PolicyFile {
    PolicyFile { path: path.into(), text: text.into(), builtin: false }
}

fn today() -> Date {
    "2026-11-21".parse().expect("date")
}

fn run(
    files: &[PolicyFile],
    input: serde_json::Value,
    options: Options,
) -> Result<Vec<Finding>, PolicyError> {
    let p = Policies::build(files, &[], &[], options).map_err(|mut e| e.remove(0))?;
    p.evaluate_value(regorus::Value::from(input), today())
}

fn run_main(text: &str, input: serde_json::Value) -> Result<Vec<Finding>, PolicyError> {
    run(&[file("policy/main.rego", text)], input, Options::default())
}

/// deny/violation/warn and their `_name` forms are found; strings and objects both work.
#[test]
fn conftest_rules() {
    let f = run_main(
        r#"package main
import rego.v1
deny contains "plain" if { input.a }
deny_named contains {"msg": "object", "id": "X-1", "severity": "high", "purl": "pkg:npm/x@1", "line": 3, "team": "shop"} if { input.a }
violation contains {"msg": "violated"} if { input.a }
warn_soft contains "careful" if { input.a }
denied contains "not a conftest rule" if { input.a }
helper := 1
"#,
        serde_json::json!({"a": true}),
    )
    .expect("evaluates");
    let got: Vec<_> = f.iter().map(|f| (f.rule.as_str(), f.level, f.msg.as_str())).collect();
    assert_eq!(
        got,
        [
            ("deny", Level::Fail, "plain"),
            ("deny_named", Level::Fail, "object"),
            ("violation", Level::Fail, "violated"),
            ("warn_soft", Level::Warn, "careful"),
        ]
    );
    let named = &f[1];
    assert_eq!((named.id.as_deref(), named.severity), (Some("X-1"), Some(Severity::High)));
    assert_eq!((named.purl.as_deref(), named.line), (Some("pkg:npm/x@1"), Some(3)));
    assert_eq!(named.extra.get("team"), Some(&serde_json::json!("shop")));
    assert_eq!(named.fingerprint.len(), 32, "derived when the result has none");
}

/// A file that only parses as Rego v0 is read as v0 and noted.
#[test]
fn rego_v0_fallback() {
    let files = [file("old.rego", "package main\ndeny[msg] { input.a; msg := \"v0 rule\" }\n")];
    let p = Policies::build(&files, &[], &[], Options::default()).expect("loads");
    assert_eq!(p.v0_files, ["old.rego"]);
    let f =
        p.evaluate_value(regorus::Value::from(serde_json::json!({"a": true})), today()).expect("evaluates");
    assert_eq!(f[0].msg, "v0 rule");
}

/// A syntax error names file, line and column; every broken file is reported.
#[test]
fn syntax_errors() {
    let files = [
        file("a.rego", "package main\nimport rego.v1\ndeny contains msg if {\n  msg := \n}\n"),
        file("b.rego", "package other\nallow := {\n"),
    ];
    let errors = Policies::build(&files, &[], &[], Options::default()).expect_err("broken");
    assert_eq!(errors.len(), 2);
    match &errors[0] {
        PolicyError::Syntax { file, line, column, message, .. } => {
            assert_eq!((file.as_str(), *line, *column), ("a.rego", 4, 7));
            assert!(message.contains("expecting"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let rendered = errors[0].diagnostic().render(false);
    assert!(rendered.contains("--> a.rego:4:7"), "{rendered}");
    assert!(rendered.contains("msg := "), "{rendered}");
}

/// A builtin error while evaluating is an error naming the rule, never a silent pass.
#[test]
fn eval_errors_name_the_rule() {
    let e = run_main(
        "package main\nimport rego.v1\ndeny contains x if { x := to_number(\"abc\") }\n",
        serde_json::json!({}),
    )
    .expect_err("strict");
    match &e {
        PolicyError::Eval { rule, line, .. } => {
            assert_eq!(rule, "data.main.deny");
            assert_eq!(*line, Some(3));
        }
        other => panic!("{other:?}"),
    }
}

/// A result that is neither text nor an object with `msg` is refused.
#[test]
fn bad_results() {
    for (rule, why) in [
        ("deny contains 42 if { true }", "neither"),
        ("deny contains {\"id\": \"x\"} if { true }", "without `msg`"),
        ("deny contains {\"msg\": 1} if { true }", "not text"),
        ("deny contains {\"msg\": \"m\", \"severity\": \"SEVERE\"} if { true }", "SEVERE"),
        (
            "deny contains {\"message\": \"m\"} if { true }",
            "without `msg` (it has `message`: did you mean `msg`?)",
        ),
    ] {
        let e = run_main(&format!("package main\nimport rego.v1\n\n{rule}\n"), serde_json::json!({}))
            .expect_err(rule);
        assert!(matches!(e, PolicyError::BadResult { .. }), "{rule}: {e:?}");
        assert!(e.to_string().contains(why), "{rule}: {e}");
        // The author is sent to the rule's line.
        let d = e.diagnostic();
        assert_eq!((d.file.as_deref(), d.line), (Some("policy/main.rego"), Some(4)), "{rule}");
    }
}

/// conftest exceptions suppress `_name` rules of their package, visibly.
#[test]
fn exceptions() {
    let f = run_main(
        r#"package main
import rego.v1
deny_root contains "runs as root" if { true }
deny_ports contains "opens port 22" if { true }
exception contains ["root"] if { input.legacy }
"#,
        serde_json::json!({"legacy": true}),
    )
    .expect("evaluates");
    let ex: Vec<_> = f.iter().map(|f| (f.rule.as_str(), f.excepted)).collect();
    assert_eq!(ex, [("deny_ports", false), ("deny_root", true)]);

    // The empty name is the rules without a suffix, as conftest documents.
    let f = run_main(
        r#"package main
import rego.v1
deny contains "bare deny" if { true }
violation contains "bare violation" if { true }
deny_named contains "named" if { true }
exception contains [""] if { true }
"#,
        serde_json::json!({}),
    )
    .expect("evaluates");
    let ex: Vec<_> = f.iter().map(|f| (f.rule.as_str(), f.excepted)).collect();
    assert_eq!(ex, [("deny", true), ("deny_named", false), ("violation", true)]);
}

/// METADATA gives title, remediation and severity; `effective_on` in the future downgrades a
/// deny to a warning until that day.
#[test]
fn metadata_and_effective_on() {
    let text = "package main
import rego.v1

# METADATA
# title: Images are pinned
# custom:
#   severity: MEDIUM
#   remediation: Pin the image by digest.
#   effective_on: 2027-01-01
deny contains \"image not pinned\" if { true }
";
    let f = run_main(text, serde_json::json!({})).expect("evaluates");
    assert_eq!(f[0].level, Level::Warn);
    assert_eq!(f[0].enforced_from, Some("2027-01-01".parse().expect("date")));
    assert_eq!(f[0].title.as_deref(), Some("Images are pinned"));
    assert_eq!(f[0].remediation.as_deref(), Some("Pin the image by digest."));
    assert_eq!(f[0].severity, Some(Severity::Medium));
    assert_eq!(f[0].policy, "policy/main.rego:10");
    let past = text.replace("2027-01-01", "2026-01-01");
    assert_eq!(run_main(&past, serde_json::json!({})).expect("evaluates")[0].level, Level::Fail);
}

/// Definitions of one rule that carry different METADATA are one rule to evaluate: a finding
/// cannot be told to come from one of them, so only what they all say alike is kept. An
/// `effective_on` on one of them never makes the others' failures warnings (a silent pass);
/// each keeps its own when it has a rule name of its own. The user is told which rule and how.
#[test]
fn definitions_with_different_metadata() {
    let text = "package main
import rego.v1

# METADATA
# title: New rule, announced
# custom:
#   effective_on: 2027-01-01
deny contains \"new rule\" if { true }

# METADATA
# title: Existing rule
# custom:
#   severity: CRITICAL
deny contains \"existing rule\" if { true }
";
    let files = [file("policy/main.rego", text)];
    let policies = Policies::build(&files, &[], &[], Options::default()).expect("builds");
    let told = policies.warnings();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        (told[0].code.as_str(), told[0].file.as_deref(), told[0].line),
        ("policy/metadata-conflict", Some("policy/main.rego"), Some(8))
    );
    let said = &told[0].message;
    assert!(
        said.starts_with(
            "`main.deny` is defined 2 times with different METADATA (policy/main.rego:8, policy/main.rego:14)"
        ),
        "{said}"
    );
    assert!(said.contains("all of them are enforced now") && said.contains("`deny_<what>`"), "{said}");
    let f = policies.evaluate(&Evidence::new(Default::default()), today()).expect("evaluates");
    assert_eq!(f.len(), 2);
    for finding in &f {
        assert_eq!(finding.level, Level::Fail, "{}", finding.msg);
        assert_eq!((finding.title.as_deref(), finding.severity), (None, None), "{}", finding.msg);
    }
    // Both announced: the rule is a warning until the earlier day.
    let both = text.replace("#   severity: CRITICAL", "#   effective_on: 2027-06-01");
    let f = run_main(&both, serde_json::json!({})).expect("evaluates");
    assert!(
        f.iter()
            .all(|f| f.level == Level::Warn && f.enforced_from == Some("2027-01-01".parse().expect("date")))
    );
    // Rules of their own names keep their own METADATA, and nothing is said.
    let named = text.replacen("deny contains \"new", "deny_new contains \"new", 1);
    let files = [file("policy/main.rego", &named)];
    let policies = Policies::build(&files, &[], &[], Options::default()).expect("builds");
    assert!(policies.warnings().is_empty());
    let f = policies.evaluate(&Evidence::new(Default::default()), today()).expect("evaluates");
    let by_msg = |m: &str| f.iter().find(|f| f.msg == m).expect("found");
    assert_eq!(by_msg("new rule").level, Level::Warn);
    assert_eq!(by_msg("existing rule").level, Level::Fail);
    assert_eq!(by_msg("existing rule").severity, Some(Severity::Critical));
}

/// A data file that sets the built-in pack's settings names only settings that exist: a
/// misspelt one would be ignored and the gate quietly weaker.
#[test]
fn misspelt_pack_settings_in_data_are_refused() {
    let files =
        [file("policy/main.rego", "package main\nimport rego.v1\ndeny contains \"x\" if { false }\n")];
    for (text, says) in [
        (
            "verdict:\n  config:\n    tests: {flakey: fail}\n",
            "`verdict.config.tests.flakey` is not a setting of the built-in pack (did you mean `flaky`?)",
        ),
        (
            "verdict:\n  config:\n    test: {flaky: fail}\n",
            "`verdict.config.test` is not a section of the built-in pack's settings (did you mean `tests`?)",
        ),
        (
            "verdict:\n  confg:\n    tests: {flaky: fail}\n",
            "`verdict.confg` is read by nothing (did you mean `config`?)",
        ),
    ] {
        let data = [DataFile { path: "d.yaml".into(), text: text.into() }];
        let errors = Policies::build(&files, &data, &[], Options::default()).expect_err(text);
        assert!(errors.iter().any(|e| e.to_string().starts_with(says)), "{errors:?}");
    }
    let good = [DataFile {
        path: "d.yaml".into(),
        text: "verdict:\n  config:\n    tests: {flaky: fail}\nlimits: {max: 1}\n".into(),
    }];
    assert!(Policies::build(&files, &good, &[], Options::default()).is_ok());
}

/// The values too: a data file's pack settings are checked as `thresholds:` checks them, so a
/// misspelt severity or license, or a budget written as a string, is an error naming the
/// setting, not a check that quietly matches nothing; a list that turns a check off warns.
#[test]
fn wrong_pack_values_in_data_are_refused() {
    let files =
        [file("policy/main.rego", "package main\nimport rego.v1\ndeny contains \"x\" if { false }\n")];
    for (text, says) in [
        (
            r#"{"verdict": {"config": {"vulnerabilities": {"severities": ["CRTICAL"]}}}}"#,
            "at `verdict.config.vulnerabilities.severities[0]`: unknown severity `CRTICAL`",
        ),
        (
            r#"{"verdict": {"config": {"sbom": {"denied_licenses": ["GPL-3.0-onyl"]}}}}"#,
            "`GPL-3.0-onyl` is not on the SPDX license list",
        ),
        (
            r#"{"verdict": {"config": {"cost": {"budget_usd": "40"}}}}"#,
            "`verdict.config.cost.budget_usd` must be a number",
        ),
        (
            r#"{"verdict": {"config": {"sbom": {"required": "yes"}}}}"#,
            "`verdict.config.sbom.required` must be true or false",
        ),
        (r#"{"verdict": {"config": {"tests": {"flaky": "block"}}}}"#, "verdict.config.tests.flaky"),
    ] {
        let data = [DataFile { path: "d.json".into(), text: text.into() }];
        let errors = Policies::build(&files, &data, &[], Options::default()).expect_err(text);
        assert!(errors.iter().any(|e| e.to_string().contains(says)), "{text}: {errors:?}");
        assert!(
            errors.iter().all(|e| matches!(e, PolicyError::Data { file, .. } if file == "d.json")),
            "{errors:?}"
        );
    }
    let off = [DataFile {
        path: "d.json".into(),
        text: r#"{"verdict": {"config": {"secrets": {"severities": []}}}}"#.into(),
    }];
    let policies = Policies::build(&files, &off, &[], Options::default()).expect("a warning, not an error");
    assert!(
        policies.warnings().iter().any(|w| w.file.as_deref() == Some("d.json")
            && w.code == "config/check-disabled"
            && w.message.starts_with("`verdict.config.secrets.severities` is empty")),
        "{:?}",
        policies.warnings()
    );
}

/// Namespaces: `main` by default; others when named; a misspelt one is an error.
#[test]
fn namespaces() {
    let files = [
        file("a.rego", "package main\nimport rego.v1\ndeny contains \"main\" if { true }\n"),
        file("b.rego", "package platform.k8s\nimport rego.v1\ndeny contains \"k8s\" if { true }\n"),
    ];
    let only_main = run(&files, serde_json::json!({}), Options::default()).expect("ok");
    assert_eq!(only_main.len(), 1);
    let all = run(&files, serde_json::json!({}), Options { all_namespaces: true, ..Options::default() })
        .expect("ok");
    assert_eq!(all.len(), 2);
    let typo = Options {
        namespaces: vec!["platform.k8".into()],
        must_exist: vec!["platform.k8".into()],
        ..Options::default()
    };
    match Policies::build(&files, &[], &[], typo).expect_err("unknown").remove(0) {
        PolicyError::UnknownNamespace { suggestion, .. } => {
            assert_eq!(suggestion.as_deref(), Some("platform.k8s"))
        }
        other => panic!("{other:?}"),
    }
    // OPA's name of the package, `data.` and all.
    let opa = Options {
        namespaces: vec!["data.platform.k8s".into()],
        must_exist: vec!["data.platform.k8s".into()],
        ..Options::default()
    };
    match Policies::build(&files, &[], &[], opa).expect_err("unknown").remove(0) {
        PolicyError::UnknownNamespace { suggestion, .. } => {
            assert_eq!(suggestion.as_deref(), Some("platform.k8s"))
        }
        other => panic!("{other:?}"),
    }
}

/// Output is bounded: a rule producing more findings than allowed is an error.
#[test]
fn bounded_output() {
    let options = Options { max_findings: 10, ..Options::default() };
    let e = run(
        &[file("a.rego", "package main\nimport rego.v1\ndeny contains sprintf(\"n%d\", [n]) if { some n in numbers.range(1, 100) }\n")],
        serde_json::json!({}),
        options,
    )
    .expect_err("too many");
    assert!(matches!(e, PolicyError::TooManyFindings { limit: 10, .. }), "{e:?}");
}

/// The bound holds for findings explained from records: one result naming a fingerprint that
/// five records share is five findings.
#[test]
fn bounded_output_counts_explained_records() {
    let mut evidence = Evidence::new(crate::evidence::Meta::default());
    for line in 1..=5 {
        evidence.misconfigurations.push(
            serde_json::from_value(serde_json::json!({
                "fingerprint": "f", "source": "checkov.json", "tool": "checkov", "check_id": "CKV_1",
                "aliases": [], "status": "failed", "start_line": line,
            }))
            .expect("a check"),
        );
    }
    let text = "package main\nimport rego.v1\ndeny contains {\"fingerprint\": \"f\"} if { true }\n";
    let policies = |max_findings| {
        let options = Options { max_findings, ..Options::default() };
        Policies::build(&[file("a.rego", text)], &[], &[], options).expect("builds")
    };
    assert_eq!(policies(5).evaluate(&evidence, today()).expect("five findings").len(), 5);
    let e = policies(3).evaluate(&evidence, today()).expect_err("too many");
    assert!(
        matches!(&e, PolicyError::TooManyFindings { limit: 3, rule } if rule == "data.main.deny"),
        "{e:?}"
    );
}

/// Time is bounded: an evaluation that runs past the limit stops with an error.
#[test]
fn bounded_time() {
    let options = Options { timeout: Duration::from_millis(50), ..Options::default() };
    let e = run(
        &[file(
            "a.rego",
            "package main\nimport rego.v1\ndeny contains \"slow\" if { count([x | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); x := a * b]) > 0 }\n",
        )],
        serde_json::json!({}),
        options,
    )
    .expect_err("too slow");
    assert!(matches!(e, PolicyError::Timeout { .. }), "{e:?}");
}

/// Data files merge under `data.`; two sources setting one value is an error naming both.
#[test]
fn data_merging() {
    let files = [file(
        "a.rego",
        "package main\nimport rego.v1\ndeny contains data.team.name if { data.limits.max < input.n }\n",
    )];
    let data = [
        DataFile { path: "team.yaml".into(), text: "team:\n  name: payments\n".into() },
        DataFile { path: "limits.json".into(), text: "{\"limits\": {\"max\": 3}}".into() },
    ];
    let p = Policies::build(&files, &data, &[], Options::default()).expect("loads");
    let f = p.evaluate_value(regorus::Value::from(serde_json::json!({"n": 5})), today()).expect("evaluates");
    assert_eq!(f[0].msg, "payments");
    let clash = [
        DataFile { path: "a.json".into(), text: "{\"limits\": {\"max\": 3}}".into() },
        DataFile { path: "b.json".into(), text: "{\"limits\": {\"max\": 4}}".into() },
    ];
    let e = Policies::build(&files, &clash, &[], Options::default()).expect_err("clash").remove(0);
    assert!(e.to_string().contains("`data.limits.max` is already set by a.json"), "{e}");
    let bad = [DataFile { path: "x.json".into(), text: "[1, 2]".into() }];
    assert!(Policies::build(&files, &bad, &[], Options::default()).is_err());
}

/// `test_*` rules run like `opa test`: true passes, false or undefined fails, errors error.
#[test]
fn test_runner() {
    let files = [
        file("p.rego", "package main\nimport rego.v1\ndeny contains \"x\" if { input.bad }\n"),
        file(
            "p_test.rego",
            "package main\nimport rego.v1\ntest_denies if { count(deny) == 1 with input as {\"bad\": true} }\ntest_wrong if { count(deny) == 2 with input as {\"bad\": true} }\ntest_broken if { to_number(\"x\") }\ntodo_test_later if { false }\n",
        ),
    ];
    let report = run_tests(&files, &[], &[], None, true, Duration::from_secs(5)).expect("runs");
    let got: Vec<_> = report.results.iter().map(|r| (r.name.as_str(), r.outcome.clone())).collect();
    assert_eq!(got[0], ("test_broken", TestOutcome::Error(got[0].1.clone().error_text())));
    assert_eq!(got[1], ("test_denies", TestOutcome::Pass));
    assert_eq!(got[2], ("test_wrong", TestOutcome::Fail));
    assert_eq!(got[3], ("todo_test_later", TestOutcome::Skip));
    assert_eq!(report.counts(), (1, 1, 1, 1));
    assert!(!report.passed());
    let cov = report.coverage.expect("coverage");
    assert_eq!(cov.len(), 1, "test files are not counted");
    assert!(cov[0].percent() > 0.0);

    // A test defined twice would pass when either copy holds: it is an error, not a pass.
    let twice = [
        files[0].clone(),
        file(
            "p_test.rego",
            "package main\nimport rego.v1\ntest_x if { count(deny) == 1 with input as {\"bad\": true} }\ntest_x if { count(deny) == 5 with input as {\"bad\": false} }\n",
        ),
    ];
    let report = run_tests(&twice, &[], &[], None, false, Duration::from_secs(5)).expect("runs");
    let [only] = &report.results[..] else { panic!("{:?}", report.results) };
    let text = only.outcome.clone().error_text();
    assert!(text.contains("`test_x` is defined 2 times (p_test.rego:3, p_test.rego:4)"), "{text}");
    assert!(!report.passed());
}

impl TestOutcome {
    fn error_text(self) -> String {
        match self {
            TestOutcome::Error(e) => e,
            other => panic!("{other:?}"),
        }
    }
}

/// The built-in pack is evaluated on its view of the evidence (no passing tests), but a rule a
/// user adds to one of its packages may read anything, so then the whole document is given.
#[test]
fn the_pack_view_is_never_given_to_user_rules() {
    let demo = crate::cli::gather(
        &[std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")],
        &[],
        &crate::ingest::Limits::default(),
    )
    .expect("the demo reads");
    let passed = demo.tests.cases.iter().filter(|c| c.status == crate::evidence::TestStatus::Passed).count();
    assert!(passed > 0);
    let reads_passed = "package PKG\nimport rego.v1\n\nwarn_passed contains c.name if {\n\tsome c in input.tests.cases\n\tc.status == \"passed\"\n}\n";
    let mut files = pack::files(false);
    files.push(file("policy/passed.rego", &reads_passed.replace("PKG", "main")));
    let p = Policies::build(&files, &[], &[], Options::default()).expect("builds");
    let found = p.evaluate(&demo, today()).expect("evaluates");
    let mine = found.iter().filter(|f| f.rule == "warn_passed").count();
    assert_eq!(mine, passed, "a rule of the user's sees every passing test");
}

/// When only the built-in pack judges, `verdict run` reads with [`Keep::Judged`]: passing and
/// skipped tests and the checks that did not fail are counted, then dropped, with the
/// dependency graph and every field the pack never reads. What is kept is exactly the pack's
/// view of the whole document, so its findings are exactly the same; only what nobody looks
/// at is gone.
#[test]
fn reading_only_what_the_pack_judges_changes_no_finding() {
    use crate::evidence::Keep;
    use crate::policy::input::PackView;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let paths = [root.join("fixtures/demo"), root.join("fixtures/junit")];
    let read = |keep| {
        crate::cli::gather_keeping(&paths, &[], &crate::ingest::Limits::default(), keep)
            .expect("the fixtures read")
    };
    let p = Policies::build(&pack::files(false), &[], &[], Options::default()).expect("builds");
    let blocking = p.blocking_severities();
    assert_eq!(blocking, crate::evidence::Severities::from_words(["CRITICAL", "HIGH", "UNKNOWN"]));
    let (all, judged) = (read(Keep::All), read(Keep::Judged { vulnerabilities: blocking }));
    let view = |e| serde_json::to_value(PackView::of(e, blocking)).expect("serializes");
    assert_eq!(view(&all), view(&judged), "the view is the same");

    assert_eq!((&all.tests.totals, &all.tests.testcases), (&judged.tests.totals, &judged.tests.testcases));
    let kept = all.tests.cases.iter().filter(|c| c.judged()).count();
    assert!(
        judged.tests.cases.iter().any(|c| c.flaky && c.status == crate::evidence::TestStatus::Passed),
        "a flaky pass is kept"
    );
    assert!(kept < all.tests.cases.len() / 2, "{kept} of {}", all.tests.cases.len());
    assert_eq!(judged.tests.cases.len(), kept);
    let failed = |e: &crate::evidence::Evidence| {
        e.misconfigurations.iter().filter(|m| m.status == crate::evidence::CheckStatus::Failed).count()
    };
    assert!(failed(&all) > 0 && failed(&all) < all.misconfigurations.len());
    assert_eq!(judged.misconfigurations.len(), failed(&all), "only failed checks are kept");
    assert_eq!(judged.misconfigurations.len() + judged.unkept.misconfigurations, all.misconfigurations.len());
    assert!(!all.dependencies.is_empty() && judged.dependencies.is_empty());
    assert!(all.vulnerabilities.iter().any(|v| !v.cvss.is_empty()));
    assert!(
        judged.vulnerabilities.iter().all(|v| v.cvss.is_empty()),
        "fields the pack never reads are dropped"
    );
    let blocked = all.vulnerabilities.iter().filter(|v| blocking.contains(v.severity)).count();
    assert!(blocked > 0 && blocked < all.vulnerabilities.len());
    assert_eq!(judged.vulnerabilities.len(), blocked, "only the blocking severities are kept");
    assert_eq!(blocked + judged.unkept.vulnerabilities(), all.vulnerabilities.len());
    let (a, j) =
        (p.evaluate(&all, today()).expect("evaluates"), p.evaluate(&judged, today()).expect("evaluates"));
    assert!(a.len() > 5, "{a:?}");
    assert_eq!(a, j);
}

/// The pack's view holds only the vulnerabilities of a severity its settings block, read from
/// the pack's own `_severities`: whatever the project sets (lower-case words too, which the
/// pack upper-cases), the findings are exactly those of the pack on the whole document.
#[test]
fn the_view_keeps_the_vulnerabilities_the_settings_block() {
    use serde_json::json;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = crate::cli::gather(&[root.join("fixtures/demo")], &[], &crate::ingest::Limits::default())
        .expect("the demo reads");
    let whole = crate::policy::input::to_value(&demo).expect("converts");
    let vulnerabilities = |found: &[RawResult]| {
        found
            .iter()
            .filter(|f| f.namespace == "verdict.vulnerabilities")
            .map(|f| f.value.clone())
            .collect::<Vec<_>>()
    };
    let mut counts = Vec::new();
    for severities in [json!(null), json!(["critical"]), json!(["MEDIUM", "low", "UNKNOWN"]), json!([])] {
        let settings = if severities.is_null() {
            json!({"verdict": {"config": {}}})
        } else {
            json!({"verdict": {"config": {"vulnerabilities": {"severities": severities, "unfixed": "fail"}}}})
        };
        let p = Policies::build(&pack::files(false), &[], &[settings], Options::default()).expect("builds");
        // What the rules return (each finding is then explained from the same evidence).
        let (on_view, on_whole) = (
            p.evaluate_raw_evidence(&demo).expect("evaluates"),
            p.evaluate_raw(whole.clone()).expect("evaluates"),
        );
        assert_eq!(on_view, on_whole, "severities {severities}");
        counts.push(vulnerabilities(&on_view).len());
        p.evaluate(&demo, today()).expect("every finding is explained");
    }
    // Each setting judged a different part of the demo's vulnerabilities.
    assert!(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] == 0, "{counts:?}");
    assert!(counts[1] < counts[0], "{counts:?}");
}

/// A policy of your own that returns a record's fingerprint gets the finding verdict writes
/// for that record, the same text the built-in pack's finding has; a fingerprint that is no
/// record's is an error that says what to do.
#[test]
fn a_result_without_msg_is_explained_from_its_record() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = crate::cli::gather(&[root.join("fixtures/demo")], &[], &crate::ingest::Limits::default())
        .expect("the demo reads");
    let own = file(
        "policy/main.rego",
        r#"package main
import rego.v1
deny contains {"fingerprint": vuln.fingerprint} if {
	some vuln in input.vulnerabilities
	vuln.severity in {"CRITICAL", "HIGH"}
	count(vuln.fixed_versions) > 0
}
"#,
    );
    let mut files = pack::files(false);
    files.push(own);
    let p = Policies::build(&files, &[], &[], Options::default()).expect("builds");
    let found = p.evaluate(&demo, today()).expect("evaluates");
    let texts = |keep: &dyn Fn(&Finding) -> bool| {
        let mut texts: Vec<_> = found
            .iter()
            .filter(|f| keep(f))
            .map(|f| {
                (f.fingerprint.clone(), f.msg.clone(), f.remediation.clone(), f.file.clone(), f.severity)
            })
            .collect();
        texts.sort();
        texts
    };
    let mine = texts(&|f| f.namespace == "main");
    assert!(!mine.is_empty(), "the demo has fixable vulnerabilities");
    assert_eq!(mine, texts(&|f| f.rule == "deny_fixable"));
    assert!(mine.iter().all(|f| f.2.as_deref().is_some_and(|r| r.starts_with("Upgrade "))), "{mine:?}");

    let nowhere = file(
        "policy/main.rego",
        "package main\nimport rego.v1\ndeny contains {\"fingerprint\": \"0000\"} if { true }\n",
    );
    let p = Policies::build(&[nowhere], &[], &[], Options::default()).expect("builds");
    let e = p.evaluate(&demo, today()).expect_err("no record has that fingerprint");
    assert!(matches!(e, PolicyError::BadResult { .. }), "{e:?}");
    assert!(
        e.to_string().contains("names no test case, vulnerability, misconfiguration or component"),
        "{e}"
    );
}

/// Results are normalized in chunks on every core and come back complete and in order.
#[test]
fn many_results_keep_their_order() {
    let text = "package main\nimport rego.v1\ndeny contains sprintf(\"%05d\", [i]) if { some i in numbers.range(1, 3000) }\n";
    let found = run_main(text, serde_json::json!({})).expect("evaluates");
    let msgs: Vec<String> = found.iter().map(|f| f.msg.clone()).collect();
    let expected: Vec<String> = (1..=3000).map(|i| format!("{i:05}")).collect();
    assert_eq!(msgs, expected);
}

/// A policy of the user's in the built-in pack's namespace is refused, by `run` and by
/// `policy test`: an `exception` there would switch a built-in check off without a waiver's
/// reason, owner and expiry, and a package of its own there would never be evaluated.
#[test]
fn the_pack_namespace_is_reserved() {
    let pack = super::pack::files(false);
    let quiet = file(
        "policy/quiet.rego",
        "package verdict.vulnerabilities\nimport rego.v1\nexception contains [\"fixable\"]\n",
    );
    let own = file(
        "policy/sec.rego",
        "# ours\npackage verdict.security\nimport rego.v1\ndeny contains \"x\" if { true }\n",
    );
    for (f, package, line) in [(&quiet, "verdict.vulnerabilities", 1), (&own, "verdict.security", 2)] {
        let mut files = pack.clone();
        files.push(f.clone());
        let errors = Policies::build(&files, &[], &[], Options::default()).expect_err("refused");
        let [PolicyError::ReservedPackage { file: at, line: l, package: p }] = &errors[..] else {
            panic!("{errors:?}")
        };
        assert_eq!((at.as_str(), *l, p.as_str()), (f.path.as_str(), line, package));
        let d = errors[0].diagnostic();
        assert_eq!(d.code, "policy/reserved-package");
        assert!(d.help.as_deref().is_some_and(|h| h.contains("waivers:")), "{d:?}");
        let Err(tested) = run_tests(std::slice::from_ref(f), &[], &[], None, false, Duration::from_secs(5))
        else {
            panic!("policy test refuses it too")
        };
        assert!(matches!(tested[..], [PolicyError::ReservedPackage { .. }]), "{tested:?}");
    }
    assert_eq!(
        Policies::build(std::slice::from_ref(&own), &[], &[], Options::default()).expect_err("alone too")[0]
            .code(),
        "policy/reserved-package"
    );
}

/// Findings of one rule that carry the `id` of their check and name their subject only in
/// `msg` get a fingerprint each, so that a waiver copied from one accepts only that one; a
/// rule's only finding keeps the fingerprint of its rule and `id`, whatever amount its message
/// quotes; a given fingerprint is kept.
#[test]
fn findings_sharing_an_id_get_fingerprints_of_their_own() {
    let text = r#"package main
import rego.v1
deny contains {"msg": sprintf("test %s is not allowed", [t]), "id": "forbidden-test"} if { some t in input.tests }
warn contains {"msg": sprintf("cost %d", [input.cost]), "id": "cost"} if { input.cost }
deny_given contains {"msg": "given", "id": "g", "fingerprint": "abc"} if { input.cost }
"#;
    let run_on = |input| run_main(text, input).expect("evaluates");
    let f = run_on(serde_json::json!({"tests": ["one", "two"], "cost": 5}));
    let fp = |rule: &str, msg: &str| {
        f.iter().find(|x| x.rule == rule && x.msg == msg).map(|x| x.fingerprint.clone()).expect("found")
    };
    let (one, two) = (fp("deny", "test one is not allowed"), fp("deny", "test two is not allowed"));
    assert_ne!(one, two);
    assert_eq!(fp("warn", "cost 5"), fingerprint::policy_finding("main", "warn", "cost"));
    assert_eq!(fp("deny_given", "given"), "abc");
    let again = run_on(serde_json::json!({"tests": ["one", "two", "three"], "cost": 7}));
    let of = |msg: &str| again.iter().find(|x| x.msg == msg).map(|x| x.fingerprint.clone());
    assert_eq!(of("test one is not allowed"), Some(one), "the same finding, the same fingerprint");
    assert_eq!(of("cost 7"), Some(fp("warn", "cost 5")), "a changing amount keeps it");
}

/// A METADATA block above `package` applies to every rule of the package, in each file that
/// declares it, as docs/policy.md says.
#[test]
fn a_package_block_reaches_the_package_in_every_file() {
    let a = file(
        "policy/a.rego",
        "# METADATA\n# title: Platform rules\n# custom:\n#   severity: CRITICAL\npackage main\nimport rego.v1\ndeny_a contains \"a\" if { true }\n",
    );
    let b = file("policy/b.rego", "package main\nimport rego.v1\ndeny_b contains \"b\" if { true }\n");
    let f = run(&[a, b], serde_json::json!({}), Options::default()).expect("evaluates");
    let got: Vec<_> = f.iter().map(|f| (f.rule.as_str(), f.severity, f.title.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("deny_a", Some(Severity::Critical), Some("Platform rules")),
            ("deny_b", Some(Severity::Critical), Some("Platform rules"))
        ]
    );
}

/// A block with `scope: document` annotates every definition of its rule, as in OPA: no
/// warning, and each finding of the rule carries it.
#[test]
fn a_document_scoped_block_speaks_for_every_definition() {
    let text = "package main
import rego.v1

# METADATA
# scope: document
# title: Banned things
# custom:
#   severity: HIGH
deny contains \"first\" if { true }

deny contains \"second\" if { true }
";
    let p = Policies::build(&[file("policy/main.rego", text)], &[], &[], Options::default()).expect("builds");
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    let f = p.evaluate_value(regorus::Value::from(serde_json::json!({})), today()).expect("evaluates");
    assert_eq!(f.len(), 2);
    assert!(
        f.iter().all(|f| f.severity == Some(Severity::High) && f.title.as_deref() == Some("Banned things"))
    );
}

/// `policy test` refuses what `run` refuses: a METADATA typo does not go green in the test
/// run and then stop every pipeline.
#[test]
fn the_test_runner_checks_metadata_as_run_does() {
    let files = [
        file(
            "p.rego",
            "package main\nimport rego.v1\n# METADATA\n# custom:\n#   severty: HIGH\ndeny contains \"x\" if { input.bad }\n",
        ),
        file(
            "p_test.rego",
            "package main\nimport rego.v1\ntest_denies if { count(deny) == 1 with input as {\"bad\": true} }\n",
        ),
    ];
    let Err(e) = run_tests(&files, &[], &[], None, false, Duration::from_secs(5)) else { panic!("refused") };
    assert!(matches!(&e[..], [PolicyError::Metadata { file, line: 3, .. }] if file == "p.rego"), "{e:?}");
    assert!(Policies::build(&files[..1], &[], &[], Options::default()).is_err(), "as run refuses it");
}

/// A rule written for a tool's own report (conftest's `input.Results`) is said to read nothing
/// here, with its line; the evidence's own fields, and mentions in comments, are not.
#[test]
fn reading_a_field_the_evidence_lacks_is_said() {
    let text = "package main
import rego.v1

# conftest wrote this for input.Results of a Trivy report
deny contains v.VulnerabilityID if {
\tsome result in input.Results
\tsome v in result.Vulnerabilities
\tcount(input.tests.cases) > 0
\tinput.Results[0].Target != \"#\"
}
";
    let p = Policies::build(&[file("policy/main.rego", text)], &[], &[], Options::default()).expect("builds");
    let said: Vec<_> = p.warnings().iter().map(|d| (d.code.as_str(), d.line, d.message.as_str())).collect();
    let [(code, line, message)] = said[..] else { panic!("{said:?}") };
    assert_eq!((code, line), ("policy/unknown-input", Some(6)));
    assert!(message.starts_with("`input.Results` is not part of verdict's input"), "{message}");
    // The list of fields is the evidence document's own.
    let doc = serde_json::to_value(Evidence::new(Default::default())).expect("serializes");
    let mut keys: Vec<&str> = doc.as_object().expect("object").keys().map(String::as_str).collect();
    let mut roots = INPUT_ROOTS.to_vec();
    keys.sort_unstable();
    roots.sort_unstable();
    assert_eq!(keys, roots);
}

/// Rules named near a gate rule make no finding, as in conftest, and verdict says so; helpers
/// named alike are left alone. With the pack off and no gate rule, the error says that, not
/// "no policy was loaded".
#[test]
fn near_misses_of_gate_rules_are_said() {
    let text = "package main
import rego.v1
denies contains \"a\" if { true }
warning contains \"b\" if { true }
Deny contains \"c\" if { true }
denyRoot contains \"d\" if { true }
denylist := {\"x\"}
warning_text := \"t\"
denyAll := false
denied := {\"y\"}
";
    let p = Policies::build(&[file("policy/main.rego", text)], &[], &[], Options::default()).expect("builds");
    let said: Vec<_> = p.warnings().iter().map(|d| (d.line, d.help.clone().unwrap_or_default())).collect();
    let meant: Vec<_> = said.iter().map(|(l, h)| (*l, h.split('`').nth(1).unwrap_or(""))).collect();
    assert_eq!(
        meant,
        [(Some(3), "deny"), (Some(4), "warn"), (Some(5), "deny"), (Some(6), "deny_root")],
        "{said:?}"
    );
    assert!(p.warnings().iter().all(|d| d.code == "policy/not-a-gate-rule"));
    let e = PolicyError::NoRules { declared: Vec::new(), files: vec!["policy/main.rego".into()] };
    assert_eq!(
        e.to_string(),
        "no rule to evaluate: the built-in pack is off and your policies (policy/main.rego) define no `deny`, `warn` or `violation` rule"
    );
}
