//! The loader as a user meets it: one test per diagnostic (code, message, place, key path),
//! the defaults, the full example, path resolution, waivers and thresholds, and a few
//! rendered diagnostics compared as text so their wording is reviewed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::diag::Level;
use crate::evidence::{Kind, Severity};

/// Every test configuration sits in `ci/`, so resolved paths show the folder.
const CFG: &str = "ci/verdict.yaml";

/// Loads `text`, with `files` as what the waivers-file reader finds.
fn load_with(text: &str, files: &[(&str, &str)]) -> Result<Loaded, Vec<Diagnostic>> {
    load(Path::new(CFG), text, |p| {
        files.iter().find(|(name, _)| Path::new(name) == p).map(|(_, t)| (*t).to_owned()).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)")
        })
    })
}

fn rendered(d: &[Diagnostic]) -> String {
    d.iter().map(|d| d.render(false)).collect()
}

/// A file that must load; returns the configuration and its warnings.
fn ok(text: &str) -> Loaded {
    load_with(text, &[]).unwrap_or_else(|d| panic!("expected to load:\n{}", rendered(&d)))
}

/// A file that must be refused; returns every diagnostic.
fn refused(text: &str) -> Vec<Diagnostic> {
    match load_with(text, &[]) {
        Ok((c, w)) => panic!("expected errors, loaded {c:?} with {}", rendered(&w)),
        Err(d) => d,
    }
}

/// A file refused with exactly one diagnostic.
fn one(text: &str) -> Diagnostic {
    let d = refused(text);
    assert_eq!(d.len(), 1, "{}", rendered(&d));
    d.into_iter().next().expect("one")
}

/// A file that loads with exactly one warning.
fn warning(text: &str) -> Diagnostic {
    let (_, w) = ok(text);
    assert_eq!(w.len(), 1, "{}", rendered(&w));
    let w = w.into_iter().next().expect("one");
    assert_eq!(w.level, Level::Warning);
    w
}

/// Asserts code, place and key path.
#[track_caller]
fn at(d: &Diagnostic, code: Code, line: u64, column: u64, path: &str) {
    assert_eq!(
        (d.code.as_str(), d.line, d.column, d.doc_path.as_deref().unwrap_or("")),
        (code.as_str(), Some(line), Some(column), path),
        "{}",
        d.render(false)
    );
    assert_eq!(d.file.as_deref(), Some(CFG));
    assert_eq!(d.level, code.level());
}

// ---------------------------------------------------------------------------------------
// Defaults

/// An empty file is the defaults, with its origin recorded.
#[test]
fn empty_file_is_the_defaults() {
    let (c, w) = ok("");
    assert!(w.is_empty());
    assert_eq!(c.origin, Some(PathBuf::from(CFG)));
    assert!(c.inputs.paths.is_empty() && c.inputs.named.is_empty() && c.inputs.required.is_empty());
    assert!(c.policies.builtin && !c.policies.all_namespaces);
    assert_eq!(c.policies.namespaces, ["main"]);
    assert!(c.data.files.is_empty() && c.data.values.is_empty());
    assert_eq!(c.thresholds, Thresholds::default());
    assert_eq!(c.fail_on, FailOn::Fail);
    assert!(c.waivers.is_empty());
}

/// Comments, a lone `---`, and sections whose settings are all commented out are the
/// defaults too.
#[test]
fn comments_and_empty_sections_are_the_defaults() {
    for text in [
        "# nothing yet\n\n# really\n",
        "---\n",
        "---\n# c\n...\n",
        "inputs:\n  # paths: [x]\npolicies:\ndata:\nthresholds:\n  tests:\nwaivers:\n",
        "{}",
    ] {
        let (c, w) = ok(text);
        assert!(w.is_empty(), "{text:?}");
        assert!(
            c.policies.builtin && c.waivers.is_empty() && c.thresholds == Thresholds::default(),
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The full example

const EXAMPLE: &str = r#"# verdict.yaml
inputs:
  paths: [reports/, target/surefire-reports/]
  named:
    - { kind: trivy, path: scans/image.json }
    - { kind: custom, name: cost, path: infracost.json }
  required: [junit, trivy, sbom, custom:cost]
policies:
  builtin: true
  paths: [policy/]
  namespaces: [main, platform]
  all_namespaces: false
data:
  files: [policy-data.yaml, exceptions.json]
  values: { team: payments }
thresholds:
  tests: { flaky: warn }
  vulnerabilities: { severities: [CRITICAL, HIGH], unfixed: warn }
  misconfigurations: { severities: [CRITICAL, HIGH], unknown_severity: warn }
  secrets: { severities: [CRITICAL, HIGH, MEDIUM] }
  sbom: { required: true, denied_licenses: [GPL-3.0-only, AGPL-3.0-only] }
  cost: { budget_usd: 50 }
fail_on: fail
waivers:
  - id: CVE-2023-31484
    path: "**/debian*"
    reason: No fix in Debian 12; perl's CPAN client is not used at runtime
    owner: platform-team
    expires: 2026-12-31
waivers_file: waivers.yaml
"#;

const WAIVERS_FILE: &str = "\
# accepted by the security team
- fingerprint: 388fd09c65c10183b4564ea7b79a2832
  reason: spring-beans is replaced in the next release
  owner: shop-team
  expires: 2026-03-01
- purl: pkg:npm/lodash
  reason: only used by the build
  owner: web-team
  expires: 2026-06-30
";

/// The example of the design loads into exactly what it says, paths resolved against
/// `ci/`, waivers from both files in order.
#[test]
fn full_example() {
    let (c, w) = load_with(EXAMPLE, &[("ci/waivers.yaml", WAIVERS_FILE)])
        .unwrap_or_else(|d| panic!("{}", rendered(&d)));
    let [w] = w.as_slice() else { panic!("one warning: {}", rendered(&w)) };
    at(w, Code::NoEffect, 21, 11, "thresholds.sbom.required");
    assert_eq!(c.inputs.paths, [Path::new("ci/reports"), Path::new("ci/target/surefire-reports")]);
    assert_eq!(
        c.inputs.named,
        [
            NamedInput { kind: Kind::Trivy, name: None, path: "ci/scans/image.json".into() },
            NamedInput { kind: Kind::Custom, name: Some("cost".into()), path: "ci/infracost.json".into() },
        ]
    );
    assert_eq!(
        c.inputs.required,
        [
            Required::Kind(Kind::Junit),
            Required::Kind(Kind::Trivy),
            Required::Sbom,
            Required::Custom("cost".into())
        ]
    );
    assert!(c.policies.builtin && !c.policies.all_namespaces);
    assert_eq!(c.policies.paths, [Path::new("ci/policy")]);
    assert_eq!(c.policies.namespaces, ["main", "platform"]);
    assert_eq!(c.data.files, [Path::new("ci/policy-data.yaml"), Path::new("ci/exceptions.json")]);
    assert_eq!(serde_json::Value::Object(c.data.values.clone()), json!({"team": "payments"}));
    assert_eq!(
        c.thresholds,
        Thresholds {
            tests_flaky: Some(Action::Warn),
            vulnerability_severities: Some(vec![Severity::Critical, Severity::High]),
            vulnerability_unfixed: Some(Action::Warn),
            vulnerability_unknown_severity: None,
            misconfiguration_severities: Some(vec![Severity::Critical, Severity::High]),
            misconfiguration_unknown_severity: Some(Action::Warn),
            secret_severities: Some(vec![Severity::Critical, Severity::High, Severity::Medium]),
            sbom_required: Some(true),
            denied_licenses: Some(vec!["GPL-3.0-only".into(), "AGPL-3.0-only".into()]),
            cost_budget_usd: Some(50.0),
        }
    );
    assert_eq!(c.fail_on, FailOn::Fail);
    let described: Vec<String> = c.waivers.iter().map(|w| w.describe()).collect();
    assert_eq!(
        described,
        [
            "id CVE-2023-31484, path **/debian*",
            "fingerprint 388fd09c65c10183b4564ea7b79a2832",
            "purl pkg:npm/lodash"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Paths

/// Relative paths resolve against the configuration's folder; absolute ones stay; `./`
/// disappears; the waivers file is read at its resolved path.
#[test]
fn paths_resolve_against_the_config_folder() {
    let text = "inputs:\n  paths: [., ./reports, /abs/scans, ../shared]\npolicies:\n  paths: [policy/main.rego]\nwaivers_file: ./w/waivers.yaml\n";
    let (c, _) = load_with(text, &[("ci/w/waivers.yaml", "")]).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    assert_eq!(
        c.inputs.paths,
        [Path::new("ci"), Path::new("ci/reports"), Path::new("/abs/scans"), Path::new("ci/../shared")]
    );
    assert_eq!(c.policies.paths, [Path::new("ci/policy/main.rego")]);
    // A configuration in the working directory keeps paths as written.
    let (c, _) = load(Path::new("verdict.yaml"), "inputs: { paths: [reports] }", |_| Ok(String::new()))
        .expect("loads");
    assert_eq!(c.inputs.paths, [Path::new("reports")]);
}

// ---------------------------------------------------------------------------------------
// Waivers

/// A waiver keeps every criterion, its reason, owner, expiry, and the file and line it was
/// written at.
#[test]
fn waiver_fields_and_origin() {
    let text = "fail_on: warn\nwaivers:\n  - fingerprint: abc\n    id: CKV_AWS_18\n    purl: pkg:npm/lodash@4.17.20\n    path: infra/*.tf\n    reason: logging bucket of the logging bucket\n    owner: '@acme/platform'\n    expires: 2026-12-31\n";
    let (c, _) = ok(text);
    assert_eq!(c.fail_on, FailOn::Warn);
    let [w] = c.waivers.as_slice() else { panic!("one waiver") };
    assert_eq!(w.matcher.fingerprint.as_deref(), Some("abc"));
    assert_eq!(w.matcher.id.as_deref(), Some("CKV_AWS_18"));
    assert_eq!(w.matcher.purl.as_deref(), Some("pkg:npm/lodash@4.17.20"));
    assert!(
        w.matcher.path.as_ref().is_some_and(|g| g.is_match("infra/s3.tf") && !g.is_match("infra/m/s3.tf"))
    );
    assert_eq!(w.reason, "logging bucket of the logging bucket");
    assert_eq!(w.owner, "@acme/platform");
    assert_eq!(w.expires, jiff::civil::date(2026, 12, 31));
    assert_eq!(w.origin, crate::verdict::waiver::Origin { file: CFG.into(), line: 3 });
}

/// A waivers file may be a list or `waivers:` and a list; its waivers' origin is that file.
#[test]
fn waivers_file_forms() {
    let entry = "- id: X\n  reason: r\n  owner: o\n  expires: 2026-01-01\n";
    let mapping = format!("waivers:\n{}", entry.lines().map(|l| format!("  {l}\n")).collect::<String>());
    for (text, line) in [(entry.to_owned(), 1), (mapping, 2)] {
        let (c, _) = load_with("waivers_file: w.yaml", &[("ci/w.yaml", &text)])
            .unwrap_or_else(|d| panic!("{}", rendered(&d)));
        assert_eq!(c.waivers.len(), 1);
        assert_eq!(c.waivers[0].origin, crate::verdict::waiver::Origin { file: "ci/w.yaml".into(), line });
    }
}

/// A waiver without `reason`, `owner` and `expires` gets one error for each, at the entry.
#[test]
fn waiver_missing_reason_owner_expires() {
    let d = refused("waivers:\n  - id: CVE-2024-1\n");
    assert_eq!(d.len(), 3, "{}", rendered(&d));
    for (d, key) in d.iter().zip(["reason", "owner", "expires"]) {
        at(d, Code::MissingKey, 2, 5, "waivers[0]");
        assert_eq!(d.message, format!("this waiver has no `{key}`"));
    }
    assert_eq!(
        d[1].help.as_deref(),
        Some("every waiver says who answers for it, a person or team: `owner: platform-team`")
    );
}

const W: &str = "    reason: r\n    owner: o\n    expires: 2026-12-31\n";

/// A waiver that names no finding is refused.
#[test]
fn waiver_without_criterion() {
    let d = one(&format!("waivers:\n  - reason: r\n{}", &W[14..]));
    at(&d, Code::WaiverTooBroad, 2, 5, "waivers[0]");
    assert_eq!(d.message, "this waiver names no finding");
    assert_eq!(d.expected.as_deref(), Some("at least one of `fingerprint`, `id`, `purl`, `path`"));
}

/// A path that names no folder or file, as the only criterion, waives whatever files a
/// repository happens to have: refused.
#[test]
fn waiver_path_matching_everything() {
    for glob in
        ["'**'", "'**/*'", "'**/**'", "'*'", "'**/*.*'", "'[a-z]*'", "'**/*.tf'", "'./*'", "'*.yaml'", "'x*'"]
    {
        let d = one(&format!("waivers:\n  - path: {glob}\n{W}"));
        at(&d, Code::WaiverTooBroad, 2, 11, "waivers[0].path");
        assert!(d.message.contains("names no folder or file"), "{glob}: {}", d.message);
    }
    for named in [
        "web/package-lock.json",
        "'**/Dockerfile'",
        "'infra/**/*.tf'",
        "'./web/*'",
        "'**/{test,tests}/**'",
        "'**/[Tt]est/**'",
        "'Dockerfile*'",
        "'docker-compose.*.yml'",
        "'**/Dockerfile.*'",
    ] {
        let (c, _) = ok(&format!("waivers:\n  - path: {named}\n{W}"));
        assert_eq!(c.waivers.len(), 1, "{named}");
    }
    // With an id it only says "anywhere".
    let (c, _) = ok(&format!("waivers:\n  - id: X\n    path: '**'\n{W}"));
    assert_eq!(c.waivers.len(), 1);
    // A folder is a real criterion.
    let (c, _) = ok(&format!("waivers:\n  - path: services/legacy/**\n{W}"));
    assert_eq!(c.waivers.len(), 1);
}

/// An empty waiver is one error, not five.
#[test]
fn empty_waiver() {
    let d = one("waivers:\n  - {}\n");
    at(&d, Code::MissingKey, 2, 5, "waivers[0]");
    assert_eq!(d.message, "this waiver is empty");
}

/// Two waivers with the same criteria are refused at the second, naming the first.
#[test]
fn duplicate_waiver() {
    let d = one(&format!("waivers:\n  - id: CVE-1\n{W}  - id: CVE-1\n{W}"));
    at(&d, Code::DuplicateWaiver, 6, 5, "waivers[1]");
    assert_eq!(d.message, "this waiver matches the same findings as the one at ci/verdict.yaml:2");
    // Different criteria are different waivers.
    let (c, _) = ok(&format!("waivers:\n  - id: CVE-1\n{W}  - id: CVE-1\n    path: a/**\n{W}"));
    assert_eq!(c.waivers.len(), 2);
}

/// A waiver in the waivers file that repeats one of `verdict.yaml` is refused there.
#[test]
fn duplicate_waiver_across_files() {
    let d = load_with(
        &format!("waivers:\n  - id: CVE-1\n{W}waivers_file: w.yaml\n"),
        &[("ci/w.yaml", "- id: CVE-1\n  reason: r\n  owner: o\n  expires: 2026-01-01\n")],
    )
    .expect_err("refused");
    assert_eq!(d.len(), 1, "{}", rendered(&d));
    assert_eq!(
        (d[0].code.as_str(), d[0].file.as_deref(), d[0].line),
        ("config/duplicate-waiver", Some("ci/w.yaml"), Some(1))
    );
    assert_eq!(d[0].doc_path.as_deref(), Some("[0]"));
}

/// `expires: 2026-13-01` is not a date; neither is a timestamp or a day without padding.
#[test]
fn waiver_bad_date() {
    let d = one("waivers:\n  - id: X\n    reason: r\n    owner: o\n    expires: 2026-13-01\n");
    at(&d, Code::InvalidValue, 5, 14, "waivers[0].expires");
    assert_eq!(d.message, "`2026-13-01` is not a date");
    assert_eq!(d.expected.as_deref(), Some("a date like 2026-12-31"));
    for bad in ["2026-12-31T00:00:00Z", "2026-1-5", "31/12/2026", "'2026-02-30'", "20261231"] {
        let d = one(&format!("waivers:\n  - id: X\n    reason: r\n    owner: o\n    expires: {bad}\n"));
        at(&d, Code::InvalidValue, 5, 14, "waivers[0].expires");
    }
}

/// A glob that does not compile is refused with globset's reason.
#[test]
fn waiver_bad_glob() {
    let d = one(&format!("waivers:\n  - path: 'src/[abc'\n{W}"));
    at(&d, Code::InvalidValue, 2, 11, "waivers[0].path");
    assert_eq!(d.message, "`src/[abc` is not a valid glob");
    assert_eq!(d.causes, ["unclosed character class; missing ']'"]);
}

/// A purl must be a package URL, or it would never match.
#[test]
fn waiver_bad_purl() {
    let d = one(&format!("waivers:\n  - purl: lodash@4.17.20\n{W}"));
    at(&d, Code::InvalidValue, 2, 11, "waivers[0].purl");
    assert_eq!(d.message, "`lodash@4.17.20` is not a package URL");
}

/// Ids are compared exactly: a space at an end is a mistake; one inside is a test's name
/// (`adds two numbers`), which a waiver names by id as any other.
#[test]
fn waiver_id_with_space() {
    let d = one(&format!("waivers:\n  - id: 'CVE-2024-1 '\n{W}"));
    at(&d, Code::InvalidValue, 2, 9, "waivers[0].id");
    assert_eq!(d.message, "id `CVE-2024-1 ` has spaces at its ends or a line break");
    let (config, _) = ok(&format!("waivers:\n  - id: Cart adds two numbers\n{W}"));
    assert_eq!(config.waivers[0].matcher.id.as_deref(), Some("Cart adds two numbers"));
}

/// An empty reason is no reason.
#[test]
fn waiver_empty_reason() {
    let d = one("waivers:\n  - id: X\n    reason: '  '\n    owner: o\n    expires: 2026-01-01\n");
    at(&d, Code::InvalidValue, 3, 13, "waivers[0].reason");
    assert_eq!(d.message, "`waivers[0].reason` is empty");
}

/// A misspelt waiver key is an error that names the key it resembles.
#[test]
fn waiver_misspelt_key() {
    let d = one(&format!("waivers:\n  - id: X\n{W}    expiry: 2027-01-01\n"));
    at(&d, Code::UnknownKey, 6, 5, "waivers[0].expiry");
    assert_eq!(d.help.as_deref(), Some("did you mean `expires`?"));
}

/// The waivers file is read through the reader; a failure points at `waivers_file`.
#[test]
fn waivers_file_unreadable() {
    let d = one("fail_on: fail\nwaivers_file: missing.yaml\n");
    at(&d, Code::Unreadable, 2, 15, "waivers_file");
    assert_eq!(d.message, "cannot read the waivers file `ci/missing.yaml`");
    assert_eq!(d.causes, ["No such file or directory (os error 2)"]);
    // In its place among the file's other problems.
    let d = refused("waivers_file: missing.yaml\nfail_on: never\n");
    let got: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert_eq!(got, [("config/unreadable", Some(1)), ("config/invalid-value", Some(2))]);
}

/// A waivers file that is neither a list nor `waivers:` is refused; its other keys too.
#[test]
fn waivers_file_wrong_shape() {
    let d = load_with("waivers_file: w.yaml", &[("ci/w.yaml", "just text\n")]).expect_err("refused");
    assert_eq!((d[0].code.as_str(), d[0].file.as_deref()), ("config/wrong-type", Some("ci/w.yaml")));
    let d = load_with("waivers_file: w.yaml", &[("ci/w.yaml", "waiver: []\n")]).expect_err("refused");
    assert_eq!(
        (d[0].code.as_str(), d[0].help.as_deref()),
        ("config/unknown-key", Some("did you mean `waivers`?"))
    );
}

/// A waivers file larger than the bound is refused without being parsed.
#[test]
fn waivers_file_too_large() {
    let big = "#".repeat(MAX_CONFIG_BYTES + 1);
    let d = load_with("waivers_file: w.yaml", &[("ci/w.yaml", &big)]).expect_err("refused");
    assert_eq!((d[0].code.as_str(), d[0].file.as_deref()), ("config/too-large", Some("ci/w.yaml")));
}

// ---------------------------------------------------------------------------------------
// Keys and types

/// A misspelt key is an error naming the nearest valid key at that level: it never
/// silently keeps the default.
#[test]
fn unknown_key_near_miss() {
    let d = one("thresholds:\n  vulnerabilities:\n    severites: [LOW]\n");
    at(&d, Code::UnknownKey, 3, 5, "thresholds.vulnerabilities.severites");
    assert_eq!(d.message, "unknown key `severites` in `thresholds.vulnerabilities`");
    assert_eq!(d.expected.as_deref(), Some("one of `severities`, `unfixed`, `unknown_severity`"));
    assert_eq!(d.help.as_deref(), Some("did you mean `severities`?"));
}

/// A key written at the wrong level says where it belongs.
#[test]
fn unknown_key_of_another_section() {
    let d = one("severities: [LOW]\n");
    at(&d, Code::UnknownKey, 1, 1, "severities");
    assert_eq!(d.message, "unknown key `severities` at the top level");
    assert_eq!(
        d.help.as_deref(),
        Some(
            "`severities` belongs under `thresholds.vulnerabilities`, `thresholds.misconfigurations` or `thresholds.secrets`"
        )
    );
}

/// A waiver's key at the top level says it belongs in a waiver.
#[test]
fn unknown_key_of_a_list_entry() {
    let d = one("waivers: []\nowner: me\n");
    assert_eq!(d.help.as_deref(), Some("`owner` belongs under each entry of `waivers`"));
}

/// A key like no other lists the keys of its level.
#[test]
fn unknown_key_far_off() {
    let d = one("publishers: {}\n");
    at(&d, Code::UnknownKey, 1, 1, "publishers");
    assert_eq!(
        d.help.as_deref(),
        Some(
            "remove it; the keys here are `inputs`, `policies`, `data`, `thresholds`, `fail_on`, `waivers`, `waivers_file`, `signatures` (see docs/config.md)"
        )
    );
}

/// `fail-on` (kebab-case) is a near miss of `fail_on`.
#[test]
fn unknown_key_kebab_case() {
    let d = one("fail-on: warn\n");
    assert_eq!(d.help.as_deref(), Some("did you mean `fail_on`?"));
}

/// The file must be a mapping.
#[test]
fn top_level_not_a_mapping() {
    let d = one("- inputs\n");
    at(&d, Code::WrongType, 1, 1, "");
    assert_eq!(d.message, "the file must be a mapping of settings (`inputs:`, `policies:`, …), not a list");
}

/// A single path where a list belongs is refused with the bracketed fix.
#[test]
fn string_instead_of_list() {
    let d = one("inputs:\n  paths: reports/\n");
    at(&d, Code::WrongType, 2, 10, "inputs.paths");
    assert_eq!(d.message, "`inputs.paths` must be a list, not the string `reports/`");
    assert_eq!(d.help.as_deref(), Some("write a list, even of one entry: `[reports/]`"));
}

/// A section that is not a mapping.
#[test]
fn section_not_a_mapping() {
    let d = one("thresholds: [tests]\n");
    at(&d, Code::WrongType, 1, 13, "thresholds");
    assert_eq!(d.message, "`thresholds` must be a mapping, not a list");
}

/// YAML 1.1 booleans (`yes`) are strings in YAML 1.2: refused with the fix.
#[test]
fn yes_is_not_a_boolean() {
    let d = one("policies:\n  builtin: no\n");
    at(&d, Code::WrongType, 2, 12, "policies.builtin");
    assert_eq!(d.message, "`policies.builtin` must be true or false, not the string `no`");
    assert_eq!(d.help.as_deref(), Some("YAML 1.2 reads this as a string: write `false`"));
}

/// A quoted boolean or number is a string; the help says to drop the quotes.
#[test]
fn quoted_boolean_and_number() {
    let d = one("policies:\n  all_namespaces: 'true'\n");
    assert_eq!(
        (d.code.as_str(), d.help.as_deref()),
        ("config/wrong-type", Some("remove the quotes: `true`"))
    );
    let d = one("thresholds:\n  cost: { budget_usd: '50' }\n");
    at(&d, Code::WrongType, 2, 23, "thresholds.cost.budget_usd");
    assert_eq!(d.help.as_deref(), Some("remove the quotes: `50`"));
}

/// A key with nothing after it, where a value is needed.
#[test]
fn missing_value() {
    let d = one("fail_on:\n");
    at(&d, Code::WrongType, 1, 8, "fail_on");
    assert_eq!(d.message, "`fail_on` has no value");
    assert_eq!(d.expected.as_deref(), Some("one of fail, warn"));
}

/// A boolean where a string belongs.
#[test]
fn boolean_instead_of_string() {
    let d = one(&format!("waivers:\n  - id: true\n{W}"));
    at(&d, Code::WrongType, 2, 9, "waivers[0].id");
    assert_eq!(d.help.as_deref(), Some("quote it if you mean the word: `\"true\"`"));
}

// ---------------------------------------------------------------------------------------
// Values

/// An unknown severity names its index and the accepted words.
#[test]
fn unknown_severity() {
    let d = one("thresholds:\n  vulnerabilities:\n    severities: [CRITICAL, HIGH, SEVERE]\n");
    at(&d, Code::InvalidValue, 3, 34, "thresholds.vulnerabilities.severities[2]");
    assert_eq!(d.message, "unknown severity `SEVERE`");
    assert_eq!(d.expected.as_deref(), Some(Severity::expected()));
    let d = one("thresholds:\n  misconfigurations: { severities: [HIHG] }\n");
    assert_eq!(d.help.as_deref(), Some("did you mean `HIGH`?"));
}

/// Severities are read like scanners' words: any case, with the usual synonyms.
#[test]
fn severity_words() {
    let (c, _) = ok("thresholds:\n  vulnerabilities: { severities: [critical, High, Moderate] }\n");
    assert_eq!(
        c.thresholds.vulnerability_severities,
        Some(vec![Severity::Critical, Severity::High, Severity::Medium])
    );
}

/// An unknown action word gets the nearest one.
#[test]
fn unknown_action() {
    let d = one("thresholds:\n  tests: { flaky: Warn }\n");
    at(&d, Code::InvalidValue, 2, 19, "thresholds.tests.flaky");
    assert_eq!(d.message, "unknown action `Warn`");
    assert_eq!(d.expected.as_deref(), Some("one of fail, warn, ignore"));
    assert_eq!(d.help.as_deref(), Some("did you mean `warn`?"));
}

/// `fail_on` takes fail or warn.
#[test]
fn unknown_fail_on() {
    let d = one("fail_on: never\n");
    at(&d, Code::InvalidValue, 1, 10, "fail_on");
    assert_eq!(d.message, "unknown `fail_on` value `never`");
}

/// A negative budget is refused; `null` is the pack's "no cost gate".
#[test]
fn negative_budget() {
    let d = one("thresholds:\n  cost:\n    budget_usd: -5\n");
    at(&d, Code::InvalidValue, 3, 17, "thresholds.cost.budget_usd");
    assert_eq!(d.message, "the cost budget cannot be negative (-5)");
    let (c, _) = ok("thresholds:\n  cost: { budget_usd: null }\n");
    assert_eq!(c.thresholds.cost_budget_usd, None);
    let (c, _) = ok("thresholds:\n  cost: { budget_usd: 12.5 }\n");
    assert_eq!(c.thresholds.cost_budget_usd, Some(12.5));
}

/// An infinite budget is no budget.
#[test]
fn infinite_budget() {
    let d = one("thresholds:\n  cost: { budget_usd: .inf }\n");
    at(&d, Code::InvalidValue, 2, 23, "thresholds.cost.budget_usd");
}

/// A license expression is not a license id.
#[test]
fn license_expression() {
    let d = one("thresholds:\n  sbom: { denied_licenses: [GPL-3.0-only OR MIT] }\n");
    at(&d, Code::InvalidValue, 2, 29, "thresholds.sbom.denied_licenses[0]");
    assert_eq!(d.message, "`GPL-3.0-only OR MIT` is not an SPDX license id");
}

/// A denied license must be on the SPDX list: a misspelt one would deny nothing, and the list
/// replaces the defaults. Case, a trailing `+`, deprecated ids and `LicenseRef-` are accepted.
#[test]
fn a_denied_license_is_an_spdx_id() {
    let d = one("thresholds:\n  sbom: { denied_licenses: [GPL-3.0-only, AGPL-3.0-onyl] }\n");
    at(&d, Code::InvalidValue, 2, 43, "thresholds.sbom.denied_licenses[1]");
    assert_eq!(d.message, "`AGPL-3.0-onyl` is not on the SPDX license list");
    assert_eq!(d.help.as_deref(), Some("did you mean `AGPL-3.0-only`?"));
    // Common names suggest the id they stand for, not the nearest by spelling (`GPL3` → `NGPL`).
    for (name, meant) in [
        ("GPLv3", "GPL-3.0-only"),
        ("GPL3", "GPL-3.0-only"),
        ("AGPL3", "AGPL-3.0-only"),
        ("AGPLv3+", "AGPL-3.0-or-later"),
        ("LGPLv2.1", "LGPL-2.1-only"),
        ("SSPL", "SSPL-1.0"),
    ] {
        let d = one(&format!("thresholds:\n  sbom: {{ denied_licenses: [\"{name}\"] }}\n"));
        assert_eq!(d.help.as_deref(), Some(format!("did you mean `{meant}`?").as_str()), "{name}");
    }
    let d = one("thresholds:\n  sbom: { denied_licenses: [Frobnicate-9] }\n");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("spdx.org/licenses")), "{d:?}");
    let (c, _) = ok(
        "thresholds:\n  sbom: { denied_licenses: [gpl-3.0-only, GPL-2.0+, GPL-2.0-with-classpath-exception, LicenseRef-acme-eula] }\n",
    );
    assert_eq!(c.thresholds.denied_licenses.map(|l| l.len()), Some(4));
    // The built-in pack's defaults are all on the list.
    let lib = crate::policy::pack::files(false)
        .into_iter()
        .find(|f| f.path.ends_with("lib.rego"))
        .expect("lib.rego")
        .text;
    let defaults =
        lib.split("\"denied_licenses\": [").nth(1).and_then(|l| l.split(']').next()).expect("the list");
    for id in defaults.split(',').map(|i| i.trim().trim_matches('"')).filter(|i| !i.is_empty()) {
        assert!(super::validate::known_license(id), "{id}");
    }
}

/// An unknown kind gets the nearest one.
#[test]
fn unknown_named_kind() {
    let d = one("inputs:\n  named:\n    - { kind: trivvy, path: a.json }\n");
    at(&d, Code::InvalidValue, 3, 15, "inputs.named[0].kind");
    assert_eq!(d.message, "unknown kind `trivvy`");
    assert_eq!(d.help.as_deref(), Some("did you mean `trivy`?"));
}

/// `kind: custom:cost` is the spelling of `required`; here the name has its own key.
#[test]
fn named_kind_with_name() {
    let d = one("inputs:\n  named:\n    - { kind: custom:cost, path: c.json }\n");
    at(&d, Code::InvalidValue, 3, 15, "inputs.named[0].kind");
    assert_eq!(d.help.as_deref(), Some("write `kind: custom` and `name: cost`"));
}

/// A custom input needs a name; other kinds take none.
#[test]
fn named_custom_name_rules() {
    let d = one("inputs:\n  named:\n    - { kind: custom, path: c.json }\n");
    at(&d, Code::MissingKey, 3, 7, "inputs.named[0]");
    assert_eq!(d.message, "a custom input needs a `name`");
    let d = one("inputs:\n  named:\n    - { kind: trivy, name: scan, path: c.json }\n");
    at(&d, Code::InvalidValue, 3, 28, "inputs.named[0].name");
    assert_eq!(d.message, "`name` is only for kind custom, not trivy");
    let d = one("inputs:\n  named:\n    - { kind: custom, name: cost-estimate, path: c.json }\n");
    at(&d, Code::InvalidValue, 3, 29, "inputs.named[0].name");
    assert_eq!(d.message, "`cost-estimate` cannot name a custom input");
}

/// A named input without `kind` or `path`.
#[test]
fn named_missing_keys() {
    let d = one("inputs:\n  named:\n    - path: a.json\n");
    at(&d, Code::MissingKey, 3, 7, "inputs.named[0]");
    assert_eq!(d.message, "this named input has no `kind`");
    let d = one("inputs:\n  named:\n    - kind: junit\n");
    assert_eq!(d.message, "this named input has no `path`");
    let d = one("inputs:\n  named:\n    - {}\n");
    assert_eq!(d.message, "a named input needs `kind` and `path`");
}

/// One file named twice, or two custom inputs with one name.
#[test]
fn duplicate_inputs() {
    let d = one(
        "inputs:\n  named:\n    - { kind: trivy, path: a.json }\n    - { kind: checkov, path: ./a.json }\n",
    );
    at(&d, Code::DuplicateInput, 4, 7, "inputs.named[1]");
    assert_eq!(d.message, "`ci/a.json` is named twice");
    let d = one(
        "inputs:\n  named:\n    - { kind: custom, name: c, path: a.json }\n    - { kind: custom, name: c, path: b.json }\n",
    );
    at(&d, Code::DuplicateInput, 4, 7, "inputs.named[1]");
    assert_eq!(d.message, "two custom inputs are named `c`");
}

/// Required kinds: every spelling mistake is precise.
#[test]
fn required_words() {
    let d = one("inputs:\n  required: [junit, sbomm]\n");
    at(&d, Code::InvalidValue, 2, 21, "inputs.required[1]");
    assert_eq!(d.help.as_deref(), Some("did you mean `sbom`?"));
    let d = one("inputs:\n  required: [custom]\n");
    assert_eq!(d.message, "`custom` needs a name");
    let d = one("inputs:\n  required: [custom:2x]\n");
    assert_eq!(d.message, "`2x` cannot name a custom input");
    let d = one("inputs:\n  required: [trivy:image]\n");
    assert_eq!(d.help.as_deref(), Some("only custom takes a name (`custom:NAME`), not `trivy`"));
}

/// Namespaces are package names, not data paths, and not the pack's.
#[test]
fn namespaces() {
    let d = one("policies:\n  namespaces: [data.main]\n");
    at(&d, Code::InvalidValue, 2, 16, "policies.namespaces[0]");
    assert_eq!(d.message, "`data.main` is a data path, not a package name");
    assert_eq!(d.help.as_deref(), Some("write `main`"));
    let d = one("policies:\n  namespaces: [verdict.tests]\n");
    assert_eq!(d.message, "the `verdict` namespace is reserved for the built-in pack");
    let d = one("policies:\n  namespaces: [my-team]\n");
    assert_eq!(d.message, "`my-team` is not a package name");
    let (c, _) = ok("policies:\n  namespaces: [main, platform.security]\n");
    assert_eq!(c.policies.namespaces, ["main", "platform.security"]);
}

/// Data files are JSON or YAML.
#[test]
fn data_file_extension() {
    let d = one("data:\n  files: [a.json, b.toml]\n");
    at(&d, Code::InvalidValue, 2, 19, "data.files[1]");
    assert_eq!(d.message, "`b.toml` is not a JSON or YAML file");
}

/// Inline data becomes JSON, typed by YAML 1.2; `data.verdict` is the pack's.
#[test]
fn data_values() {
    let (c, _) = ok(
        "data:\n  values:\n    team: payments\n    limits: { max: 3, ratio: 0.5, strict: true, none: ~ }\n    owners: [a, 'b']\n    version: '1.10'\n",
    );
    assert_eq!(
        serde_json::Value::Object(c.data.values),
        json!({"team": "payments", "limits": {"max": 3, "ratio": 0.5, "strict": true, "none": null}, "owners": ["a", "b"], "version": "1.10"})
    );
    let d = one("data:\n  values: { verdict: { config: {} } }\n");
    at(&d, Code::InvalidValue, 2, 13, "data.values.verdict");
    assert_eq!(d.message, "`data.verdict` is reserved for the built-in pack");
    let d = one("data:\n  values: { ratio: .nan }\n");
    at(&d, Code::InvalidValue, 2, 20, "data.values.ratio");
    let d = one("data:\n  values: [a]\n");
    at(&d, Code::WrongType, 2, 11, "data.values");
}

// ---------------------------------------------------------------------------------------
// Lists

/// `inputs.paths: []` reads as "nothing" or "the default": refused.
#[test]
fn empty_input_paths() {
    let d = one("inputs:\n  paths: []\n");
    at(&d, Code::EmptyList, 2, 10, "inputs.paths");
    assert_eq!(d.message, "`inputs.paths` is an empty list");
    assert_eq!(d.help.as_deref(), Some("remove `inputs.paths` to search the working directory"));
}

/// `policies.namespaces: []` likewise.
#[test]
fn empty_namespaces() {
    let d = one("policies:\n  namespaces: []\n");
    at(&d, Code::EmptyList, 2, 15, "policies.namespaces");
}

/// Empty lists whose default is empty are just that.
#[test]
fn empty_lists_that_mean_none() {
    let (c, w) = ok(
        "inputs: { named: [], required: [] }\npolicies: { paths: [] }\ndata: { files: [] }\nwaivers: []\n",
    );
    assert!(w.is_empty() && c.inputs.required.is_empty());
}

/// An empty severity list turns the check off: allowed, but it warns on every run.
#[test]
fn empty_severities_warn() {
    let w = warning("thresholds:\n  vulnerabilities: { severities: [] }\n");
    at(&w, Code::CheckDisabled, 2, 34, "thresholds.vulnerabilities.severities");
    assert_eq!(
        w.message,
        "`thresholds.vulnerabilities.severities` is empty: no vulnerability will fail the gate"
    );
    let (c, _) = ok("thresholds:\n  vulnerabilities: { severities: [] }\n");
    assert_eq!(c.thresholds.vulnerability_severities, Some(vec![]));
    let w = warning("thresholds:\n  sbom: { denied_licenses: [] }\n");
    at(&w, Code::CheckDisabled, 2, 28, "thresholds.sbom.denied_licenses");
}

/// A word listed twice warns at the repeat, naming the first.
#[test]
fn repeated_entry() {
    let w = warning("inputs:\n  required: [junit, trivy, junit]\n");
    at(&w, Code::RepeatedEntry, 2, 28, "inputs.required[2]");
    assert_eq!(w.message, "`junit` is listed twice");
    assert_eq!(w.help.as_deref(), Some("remove this entry; it repeats `inputs.required[0]`"));
    let (c, w) = ok("thresholds:\n  vulnerabilities: { severities: [CRITICAL, HIGH, high] }\n");
    assert_eq!(w.len(), 1, "{}", rendered(&w));
    assert_eq!(c.thresholds.vulnerability_severities, Some(vec![Severity::Critical, Severity::High]));
}

// ---------------------------------------------------------------------------------------
// Settings that cancel out

/// Thresholds with the built-in pack off do nothing.
#[test]
fn thresholds_without_the_pack() {
    let w = warning("policies:\n  builtin: false\nthresholds:\n  tests: { flaky: fail }\n");
    at(&w, Code::NoEffect, 3, 1, "thresholds");
    assert_eq!(w.message, "`thresholds` has no effect: the built-in pack is off");
}

/// Namespaces next to `all_namespaces: true` do nothing.
#[test]
fn namespaces_with_all_namespaces() {
    let w = warning("policies:\n  namespaces: [main]\n  all_namespaces: true\n");
    at(&w, Code::NoEffect, 2, 3, "policies.namespaces");
}

/// `thresholds.sbom.required` when `inputs.required` already requires an SBOM.
#[test]
fn sbom_required_twice() {
    let w = warning("inputs:\n  required: [cyclonedx]\nthresholds:\n  sbom:\n    required: true\n");
    at(&w, Code::NoEffect, 5, 5, "thresholds.sbom.required");
}

// ---------------------------------------------------------------------------------------
// YAML

/// Not YAML at all.
#[test]
fn invalid_yaml() {
    let d = one("inputs:\n  paths: [a\npolicies: {}\n");
    assert_eq!(d.code, "config/invalid-yaml");
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
}

/// A key written twice.
#[test]
fn duplicate_key() {
    let d = one("fail_on: warn\ninputs: {}\nfail_on: fail\n");
    at(&d, Code::DuplicateKey, 3, 1, "");
    assert_eq!(d.message, "`fail_on` is written twice in this mapping");
}

/// Anchors and aliases are refused.
#[test]
fn anchors_refused() {
    let d = refused(
        "waivers:\n  - id: A\n    owner: &o team\n    reason: r\n    expires: 2026-01-01\n  - id: B\n    owner: *o\n    reason: r\n    expires: 2026-01-01\n",
    );
    let codes: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert_eq!(codes, [("config/unsupported-yaml", Some(3)), ("config/unsupported-yaml", Some(7))]);
}

/// A file larger than the bound is refused without being parsed.
#[test]
fn too_large() {
    let d = one(&"#".repeat(MAX_CONFIG_BYTES + 1));
    assert_eq!((d.code.as_str(), d.file.as_deref(), d.line), ("config/too-large", Some(CFG), None));
}

// ---------------------------------------------------------------------------------------
// One pass

/// Every problem of a file is reported in one run, in the order of the file.
#[test]
fn every_problem_in_one_pass() {
    let text = "inputs:\n  paths: reports/\npolicies:\n  bultin: true\nthresholds:\n  tests: { flaky: maybe }\nfail_on: warning\nwaivers:\n  - id: X\n    expires: soon\n";
    let d = refused(text);
    let got: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert_eq!(
        got,
        [
            ("config/wrong-type", Some(2)),
            ("config/unknown-key", Some(4)),
            ("config/invalid-value", Some(6)),
            ("config/invalid-value", Some(7)),
            ("config/missing-key", Some(9)),
            ("config/missing-key", Some(9)),
            ("config/invalid-value", Some(10)),
        ]
    );
}

/// Every code is produced by some input (and documented, see tests/contract.rs).
#[test]
fn every_code_is_triggered() {
    let cases = [
        "inputs:\n  paths: reports/\n",
        "thresholds:\n  x: 1\n",
        "a: 1\na: 2\n",
        "a: &x 1\n",
        "a: [\n",
        "fail_on: never\n",
        "inputs: { paths: [] }\n",
        "inputs: { named: [{ kind: trivy, path: a }, { kind: junit, path: a }] }\n",
        "waivers:\n  - { reason: r, owner: o, expires: 2026-01-01 }\n",
        "waivers:\n  - { id: x }\n",
        "waivers:\n  - { id: x, reason: r, owner: o, expires: 2026-01-01 }\n  - { id: x, reason: r, owner: o, expires: 2026-01-01 }\n",
        "inputs: { required: [junit, junit] }\n",
        "thresholds: { vulnerabilities: { severities: [] } }\n",
        "policies: { builtin: false }\nthresholds: { tests: { flaky: fail } }\n",
        "waivers_file: nowhere.yaml\n",
        "signatures: {image: r/a@sha256:0, certificate_identity_regexp: acme, certificate_oidc_issuer: https://gitlab.com}\n",
    ];
    let mut seen = BTreeSet::new();
    for text in cases {
        let d = match load_with(text, &[]) {
            Ok((_, w)) => w,
            Err(d) => d,
        };
        seen.extend(d.iter().map(|d| d.code.clone()));
    }
    seen.insert(one(&"#".repeat(MAX_CONFIG_BYTES + 1)).code);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("verdict.yaml"), "").expect("write");
    std::fs::write(dir.path().join(".verdict.yaml"), "").expect("write");
    seen.insert(find(dir.path()).expect_err("ambiguous").code);
    // `config/not-read` is about which file is read, so the command line's loader says it
    // (tests/run.rs, `what_weakens_the_gate_is_said_in_every_report`).
    seen.insert(Code::NotRead.as_str().to_owned());
    let missing: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !seen.contains(*c)).collect();
    assert!(missing.is_empty(), "never triggered: {missing:?}");
}

// ---------------------------------------------------------------------------------------
// Thresholds → the pack's data

/// The thresholds written become the pack's `data.verdict.config`, and only those.
#[test]
fn thresholds_to_data_round_trip() {
    let (c, _) = ok(
        "thresholds:\n  vulnerabilities: { severities: [critical], unfixed: fail }\n  sbom: { required: true }\n  cost: { budget_usd: 40 }\n",
    );
    assert_eq!(
        c.thresholds.to_data(),
        json!({"verdict": {"config": {
            "vulnerabilities": {"severities": ["CRITICAL"], "unfixed": "fail"},
            "sbom": {"required": true},
            "cost": {"budget_usd": 40.0}
        }}})
    );
    let (c, _) = ok(EXAMPLE.replace("waivers_file: waivers.yaml\n", "").as_str());
    assert_eq!(
        c.thresholds.to_data(),
        json!({"verdict": {"config": {
            "tests": {"flaky": "warn"},
            "vulnerabilities": {"severities": ["CRITICAL", "HIGH"], "unfixed": "warn"},
            "misconfigurations": {"severities": ["CRITICAL", "HIGH"], "unknown_severity": "warn"},
            "secrets": {"severities": ["CRITICAL", "HIGH", "MEDIUM"]},
            "sbom": {"required": true, "denied_licenses": ["GPL-3.0-only", "AGPL-3.0-only"]},
            "cost": {"budget_usd": 50.0}
        }}})
    );
}

// ---------------------------------------------------------------------------------------
// find and load_file

/// Only the start folder is searched; one file is found by any of the four names; two
/// are an error.
#[test]
fn find_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("service");
    std::fs::create_dir(&sub).expect("mkdir");
    assert_eq!(find(dir.path()).expect("ok"), None);
    std::fs::write(dir.path().join(".verdict.yml"), "").expect("write");
    assert_eq!(find(dir.path()).expect("ok"), Some(dir.path().join(".verdict.yml")));
    assert_eq!(find(&sub).expect("ok"), None, "parents are not searched");
    std::fs::write(dir.path().join("verdict.yaml"), "").expect("write");
    let d = find(dir.path()).expect_err("two files");
    assert_eq!(d.code, "config/ambiguous");
    assert!(d.message.ends_with("`verdict.yaml` and `.verdict.yml`"), "{}", d.message);
}

/// `load_file` reads with a bound and names the file in every failure.
#[test]
fn load_file_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.yaml");
    let d = load_file(&missing).expect_err("missing");
    assert_eq!(d[0].code, "config/unreadable");
    assert_eq!(d[0].message, format!("cannot read `{}`", missing.display()));
    assert_eq!(d[0].causes.len(), 1);
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, "#".repeat(MAX_CONFIG_BYTES + 10)).expect("write");
    assert_eq!(load_file(&big).expect_err("big")[0].code, "config/too-large");
    let latin1 = dir.path().join("latin1.yaml");
    std::fs::write(&latin1, b"fail_on: fail # caf\xe9\n").expect("write");
    let d = load_file(&latin1).expect_err("not utf-8");
    assert_eq!(d[0].causes, ["the file is not UTF-8 text (at byte 19)"]);
    let good = dir.path().join("verdict.yaml");
    std::fs::write(&good, "waivers_file: w.yaml\n").expect("write");
    std::fs::write(dir.path().join("w.yaml"), "- { id: X, reason: r, owner: o, expires: 2026-01-01 }\n")
        .expect("write");
    let (c, _) = load_file(&good).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    assert_eq!(c.waivers.len(), 1);
}

// ---------------------------------------------------------------------------------------
// Wording, reviewed as rendered text

/// An unknown key, as the terminal shows it.
#[test]
fn rendered_unknown_key() {
    let d = one("thresholds:\n  vulnerabilities:\n    severites: [CRITICAL]\n");
    assert_eq!(
        d.render(false),
        "\
error[config/unknown-key]: unknown key `severites` in `thresholds.vulnerabilities`
  --> ci/verdict.yaml:3:5 (at thresholds.vulnerabilities.severites)
   |
 3 |     severites: [CRITICAL]
   |     ^^^^^^^^^ expected one of `severities`, `unfixed`, `unknown_severity`
   = help: did you mean `severities`?
   = docs: docs/diagnostics.md#config-unknown-key
"
    );
}

/// A bad date, as the terminal shows it.
#[test]
fn rendered_bad_date() {
    let d = one("waivers:\n  - id: CVE-2023-31484\n    reason: r\n    owner: o\n    expires: 2026-13-01\n");
    assert_eq!(
        d.render(false),
        "\
error[config/invalid-value]: `2026-13-01` is not a date
  --> ci/verdict.yaml:5:14 (at waivers[0].expires)
   |
 5 |     expires: 2026-13-01
   |              ^^^^^^^^^^ expected a date like 2026-12-31
   = help: write the last day the waiver applies, as YYYY-MM-DD; it applies through that whole day
   = docs: docs/diagnostics.md#config-invalid-value
"
    );
}

/// A wrong type, as the terminal shows it.
#[test]
fn rendered_wrong_type() {
    let d = one("inputs:\n  required: junit\n");
    assert_eq!(
        d.render(false),
        "\
error[config/wrong-type]: `inputs.required` must be a list, not the string `junit`
  --> ci/verdict.yaml:2:13 (at inputs.required)
   |
 2 |   required: junit
   |             ^^^^^ expected a list
   = help: write a list, even of one entry: `[junit]`
   = docs: docs/diagnostics.md#config-wrong-type
"
    );
}

/// A missing waiver field and a warning, as the terminal shows them.
#[test]
fn rendered_missing_owner_and_warning() {
    let d = one("waivers:\n  - id: CVE-1\n    reason: r\n    expires: 2026-01-01\n");
    assert_eq!(
        d.render(false),
        "\
error[config/missing-key]: this waiver has no `owner`
  --> ci/verdict.yaml:2:5 (at waivers[0])
   |
 2 |   - id: CVE-1
   |     ^ expected `owner`
   = help: every waiver says who answers for it, a person or team: `owner: platform-team`
   = docs: docs/diagnostics.md#config-missing-key
"
    );
    let w = warning("policies:\n  builtin: false\nthresholds:\n  cost: { budget_usd: 5 }\n");
    assert_eq!(
        w.render(false),
        "\
warning[config/no-effect]: `thresholds` has no effect: the built-in pack is off
  --> ci/verdict.yaml:3:1 (at thresholds)
   |
 3 | thresholds:
   | ^^^^^^^^^^
   = help: the thresholds tune the built-in pack; remove them, or turn the pack on (`policies.builtin: true`)
   = docs: docs/diagnostics.md#config-no-effect
"
    );
}

/// Every key of the file is explained in docs/config.md (as `key`, `section.key` or a
/// `key.` prefix of its settings).
#[test]
fn every_key_is_documented() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md")).expect("docs");
    let mut missing = Vec::new();
    for (section, keys) in validate::SECTIONS {
        for key in *keys {
            let quoted = [format!("`{key}`"), format!(".{key}`"), format!("`{key}.")];
            if !quoted.iter().any(|q| docs.contains(q.as_str())) {
                missing.push(check::child(section, key));
            }
        }
    }
    assert!(missing.is_empty(), "keys missing from docs/config.md: {missing:?}");
}

/// Hostile or broken text never panics the loader: every input ends in a configuration
/// or in diagnostics. A fixed pseudo-random corpus over YAML's punctuation, plus known
/// edge cases.
#[test]
fn hostile_text_never_panics() {
    let mut cases: Vec<String> = [
        "\u{feff}fail_on: warn\n",
        "%YAML 1.2\n---\nfail_on: warn\n",
        "? \n: x\n",
        ": x\n",
        "*a\n",
        "&a\n",
        "!!map {}\n",
        "a: !!binary aGk=\n",
        "{a: 1, a: 2}\n",
        "waivers: [{id: x, reason: r, owner: o, expires: 2026-01-01}, *y]\n",
        "inputs: {paths: [[[[a]]]]}\n",
        "\0\0\0",
        "inputs:\n\tpaths: [a]\n",
        "waivers:\n  - id: é\n    reason: \u{1b}[31mred\n    owner: o\n    expires: 2026-02-29\n",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    cases.push(format!("a: {}", "- ".repeat(500)));
    cases.push((0..200).map(|i| format!("{}- x\n", " ".repeat(i))).collect());
    cases.push(format!("data:\n  values:\n    k: '{}'\n", "x".repeat(100_000)));
    let alphabet: Vec<char> = "ab_: -[]{},'\"\n#&*!?|>%@`~\t0x.".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let len = (seed >> 59) as usize + 1 + (seed >> 40) as usize % 40;
        let text: String = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                alphabet[(seed >> 33) as usize % alphabet.len()]
            })
            .collect();
        cases.push(text);
    }
    for text in &cases {
        let result = std::panic::catch_unwind(|| load_with(text, &[("ci/w.yaml", text)]));
        assert!(result.is_ok(), "panicked on {text:?}");
    }
}

/// The thresholds reach the real built-in pack through `to_data()`: the same evidence
/// passes the cost gate at one budget and fails it at another.
#[test]
fn thresholds_drive_the_builtin_pack() {
    let cost_failures = |yaml: &str| {
        let (c, _) = ok(yaml);
        let policies = crate::policy::Policies::build(
            &crate::policy::pack::files(false),
            &[],
            &[c.thresholds.to_data()],
            crate::policy::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let input = json!({"custom": {"cost": {"estimate_usd": 41.5}}});
        let findings = policies
            .evaluate_value(regorus::Value::from(input), jiff::civil::date(2026, 1, 1))
            .unwrap_or_else(|e| panic!("{e:?}"));
        findings
            .iter()
            .filter(|f| f.namespace == "verdict.cost" && f.level == crate::policy::Level::Fail)
            .count()
    };
    assert_eq!(cost_failures("thresholds: { cost: { budget_usd: 50 } }\n"), 0);
    assert_eq!(cost_failures("thresholds: { cost: { budget_usd: 40 } }\n"), 1);
}

/// UNKNOWN where it does nothing is said: in the IaC severities (a check without a severity is
/// `unknown_severity`'s), alone there it turns the check off, and beside `unknown_severity` in
/// the vulnerability severities it makes that setting pointless.
#[test]
fn unknown_where_it_does_nothing() {
    let w = warning("thresholds:\n  misconfigurations:\n    severities: [CRITICAL, HIGH, UNKNOWN]\n");
    at(&w, Code::NoEffect, 3, 5, "thresholds.misconfigurations.severities");
    assert!(w.help.as_deref().is_some_and(|h| h.contains("unknown_severity")));
    let w = warning("thresholds:\n  misconfigurations:\n    severities: [UNKNOWN]\n");
    at(&w, Code::CheckDisabled, 3, 5, "thresholds.misconfigurations.severities");
    let w = warning(
        "thresholds:\n  vulnerabilities:\n    severities: [CRITICAL, UNKNOWN]\n    unknown_severity: ignore\n",
    );
    at(&w, Code::NoEffect, 4, 5, "thresholds.vulnerabilities.unknown_severity");
    assert!(ok("thresholds:\n  vulnerabilities:\n    severities: [CRITICAL, UNKNOWN]\n").1.is_empty());
}

// Signature checks --------------------------------------------------------------------------

/// Loads with `IMAGE` (and nothing else) in the environment.
fn load_env(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let env = |k: &str| (k == "IMAGE").then(|| "ghcr.io/acme/shop@sha256:d1".to_owned());
    load_with_env(Path::new(CFG), text, |_| Err(std::io::Error::other("no files")), &env)
}

/// The one-line form: one check as a mapping, `${IMAGE}` from the job's environment.
#[test]
fn signatures_one_line() {
    let text = "signatures: {image: \"${IMAGE}\", certificate_identity_regexp: '^https://github\\.com/acme/shop/\\.github/workflows/release\\.yml@refs/tags/', certificate_oidc_issuer: https://token.actions.githubusercontent.com}\n";
    let (c, w) = load_env(text).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    assert!(w.is_empty(), "{}", rendered(&w));
    let [check] = c.signatures.as_slice() else { panic!("one check: {:?}", c.signatures) };
    assert_eq!(check.name, "signatures");
    assert_eq!(check.subject, SignatureSubject::Image("ghcr.io/acme/shop@sha256:d1".into()));
    assert!(check.identity.as_ref().is_some_and(|m| {
        m.matches("https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1")
    }));
    assert!(check.issuer.as_ref().is_some_and(|m| m.matches("https://token.actions.githubusercontent.com")));
}

/// A list of checks: keys and files resolve against the configuration's folder; attestation
/// types take cosign's short names.
#[test]
fn signatures_list() {
    let text = "signatures:\n  - image: ghcr.io/acme/shop:1\n    key: keys/cosign.pub\n    attestations: [slsaprovenance1, cyclonedx]\n    ignore_tlog: true\n  - blob: dist/app.tgz\n    bundle: dist/app.tgz.sigstore.json\n    certificate_identity: release@acme.com\n    certificate_oidc_issuer: https://accounts.google.com\n    trusted_root: sigstore/trusted_root.json\n";
    let (c, _) = load_env(text).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    assert_eq!(c.signatures.len(), 2);
    let a = &c.signatures[0];
    assert_eq!((a.name.as_str(), a.key.as_deref()), ("signatures[0]", Some(Path::new("ci/keys/cosign.pub"))));
    assert_eq!(a.attestations, ["https://slsa.dev/provenance/v1", "https://cyclonedx.org/bom"]);
    assert!(a.ignore_tlog);
    let b = &c.signatures[1];
    assert_eq!(
        b.subject,
        SignatureSubject::Blob {
            path: PathBuf::from("ci/dist/app.tgz"),
            bundle: Some(PathBuf::from("ci/dist/app.tgz.sigstore.json")),
            signature: None,
            certificate: None
        }
    );
    assert_eq!(b.trusted_root.as_deref(), Some(Path::new("ci/sigstore/trusted_root.json")));
}

/// An unset variable is an error at its place, never an empty reference.
#[test]
fn signatures_unset_variable() {
    let d = load_env("signatures:\n  - image: \"${IMAGE_REF}\"\n    key: k.pub\n").expect_err("refused");
    assert_eq!(d.len(), 1, "{}", rendered(&d));
    at(&d[0], Code::InvalidValue, 2, 12, "signatures[0].image");
    assert!(d[0].message.contains("`${IMAGE_REF}` is not set"), "{}", d[0].message);
    assert!(d[0].help.as_deref().is_some_and(|h| h.contains("set IMAGE_REF")));
}

/// A key's PEM text put in a variable and given as `key:` is refused without being shown: it
/// may be a private key, and a CI log cannot mask a multi-line value.
#[test]
fn signatures_key_text_is_never_echoed() {
    let private =
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49SECRETSECRET\n-----END PRIVATE KEY-----\n";
    let public =
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
    for (value, says) in
        [(private, "is the text of a private key"), (public, "is PEM text, not a file's path")]
    {
        let env = |k: &str| (k == "COSIGN_KEY").then(|| value.to_owned());
        let text = "signatures:\n  - image: r/a:1\n    key: ${COSIGN_KEY}\n";
        let d = load_with_env(Path::new(CFG), text, |_| Err(std::io::Error::other("no files")), &env)
            .expect_err("refused");
        assert_eq!(d.len(), 1, "{}", rendered(&d));
        at(&d[0], Code::InvalidValue, 3, 10, "signatures[0].key");
        let shown = rendered(&d);
        assert!(shown.contains(says), "{shown}");
        assert!(!shown.contains("MIG") && !shown.contains("MFk") && !shown.contains("-----BEGIN"), "{shown}");
    }
}

/// Who must have signed: exactly a key, or an identity with its issuer.
#[test]
fn signatures_signer_rules() {
    let d = load_env("signatures: [{image: r/a:1}]\n").expect_err("no signer");
    assert!(d[0].message.contains("does not say who must have signed"), "{}", rendered(&d));
    let d = load_env("signatures: [{image: r/a:1, key: k.pub, certificate_identity: me@x.com}]\n")
        .expect_err("both");
    assert!(d.iter().any(|d| d.message.contains("not both")), "{}", rendered(&d));
    let d =
        load_env("signatures: [{image: r/a:1, certificate_identity: me@x.com}]\n").expect_err("no issuer");
    assert!(d[0].message.contains("no `certificate_oidc_issuer`"), "{}", rendered(&d));
    let d = load_env("signatures: [{image: r/a:1, certificate_oidc_issuer: https://gitlab.com}]\n")
        .expect_err("no id");
    assert!(d[0].message.contains("no `certificate_identity_regexp`"), "{}", rendered(&d));
    let d = load_env("signatures: [{image: r/a:1, certificate_identity_regexp: '(', certificate_oidc_issuer: https://gitlab.com}]\n")
        .expect_err("bad regex");
    assert!(d[0].message.contains("not a valid regular expression"), "{}", rendered(&d));
}

/// What is verified: an image or a file with its bundle or signature, and keys that belong
/// to the other kind are refused.
#[test]
fn signatures_subject_rules() {
    let d = load_env("signatures: [{key: k.pub}]\n").expect_err("nothing");
    assert!(d[0].message.contains("names nothing to verify"), "{}", rendered(&d));
    let d = load_env("signatures: [{blob: a.tgz, key: k.pub}]\n").expect_err("no bundle");
    assert!(d[0].message.contains("needs its `bundle` or `signature`"), "{}", rendered(&d));
    let d =
        load_env("signatures: [{image: r/a:1, bundle: b.json, key: k.pub}]\n").expect_err("bundle on image");
    assert!(d[0].message.contains("`bundle` is for files"), "{}", rendered(&d));
    let d = load_env("signatures: [{image: r/a:1, key: k.pub, attestations: [slsa]}]\n").expect_err("type");
    assert!(d[0].message.contains("unknown predicate type `slsa`"), "{}", rendered(&d));
}

/// An unanchored pattern is a warning: it matches more than it seems to.
#[test]
fn signatures_unanchored_pattern_warns() {
    let (_, w) = load_env("signatures: [{image: r/a:1, certificate_identity_regexp: acme/shop, certificate_oidc_issuer: https://gitlab.com}]\n")
        .unwrap_or_else(|d| panic!("{}", rendered(&d)));
    assert_eq!(w.len(), 1, "{}", rendered(&w));
    assert_eq!(w[0].code, "config/broad-pattern");
    assert!(w[0].message.contains("does not start with `^`"));
}

/// A severity list that leaves out one above a severity it names is refused: `[MEDIUM]` read
/// as "MEDIUM and up" would let a CRITICAL finding pass. UNKNOWN stands apart from the ranking.
#[test]
fn severity_lists_have_no_gap() {
    for (list, missing, expected) in [
        ("[MEDIUM]", "CRITICAL and HIGH, more severe than MEDIUM", "[CRITICAL, HIGH, MEDIUM]"),
        ("[HIGH]", "CRITICAL, more severe than HIGH", "[CRITICAL, HIGH]"),
        (
            "[CRITICAL, LOW, UNKNOWN]",
            "HIGH and MEDIUM, more severe than LOW",
            "[CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN]",
        ),
    ] {
        for kind in ["vulnerabilities", "misconfigurations", "secrets"] {
            let d = one(&format!("thresholds:\n  {kind}:\n    severities: {list}\n"));
            at(&d, Code::InvalidValue, 3, 17, &format!("thresholds.{kind}.severities"));
            assert!(d.message.contains(&format!("leaves out {missing}: a finding of")), "{}", d.message);
            assert_eq!(
                d.expected.as_deref(),
                Some(format!("every severity down to the lowest that should fail: `{expected}`").as_str())
            );
        }
    }
    for kind in ["vulnerabilities", "secrets"] {
        let d = one(&format!("thresholds:\n  {kind}:\n    severities: [UNKNOWN]\n"));
        assert!(d.message.contains("names only UNKNOWN"), "{}", d.message);
    }
    for fine in
        ["[CRITICAL]", "[CRITICAL, HIGH, MEDIUM, LOW, INFO]", "[UNKNOWN, CRITICAL]", "[HIGH, CRITICAL]"]
    {
        let (c, _) = ok(&format!("thresholds:\n  vulnerabilities:\n    severities: {fine}\n"));
        assert!(c.thresholds.vulnerability_severities.is_some(), "{fine}");
    }
}
