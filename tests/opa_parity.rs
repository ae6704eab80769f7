//! OPA parity: for the built-in pack and for conftest-style example policies, the findings
//! verdict computes with regorus equal what the real OPA engine computes on the same policies,
//! data and evidence (`scripts/opa_eval.py`, OPA's Go engine through its Python bindings).
//!
//! The bindings are downloaded by `scripts/install-opa-bindings.sh` (`.ci/run` does it). When
//! they are missing the suite skips with a note — except under `CI=true`, where it fails.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use verdict::cli::args::InputSpec;
use verdict::evidence::Evidence;
use verdict::ingest::Limits;
use verdict::policy::{DataFile, Options, Policies, PolicyFile, pack};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether OPA can run here; skips (or fails under CI) when it cannot.
fn opa_available() -> bool {
    let dir = std::env::var_os("VERDICT_OPA_BINDINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".cache/opa/pkg"));
    if dir.join("opa_bindings/engine.py").is_file() {
        return true;
    }
    assert!(
        !ci(),
        "the OPA bindings are missing at {} and CI=true: run scripts/install-opa-bindings.sh",
        dir.display()
    );
    eprintln!(
        "note: OPA bindings not found at {}; skipping (run scripts/install-opa-bindings.sh)",
        dir.display()
    );
    false
}

fn rego_files(dir: &Path) -> Vec<PolicyFile> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rego")
                && !p.to_string_lossy().ends_with("_test.rego")
            {
                out.push(PolicyFile {
                    path: p.display().to_string(),
                    text: std::fs::read_to_string(&p).unwrap(),
                    builtin: false,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// One comparison: policies, data and namespaces on one evidence document.
struct Case<'a> {
    name: &'a str,
    builtin: bool,
    policy_dirs: Vec<PathBuf>,
    data: Vec<(PathBuf, Value)>,
    namespaces: Vec<&'a str>,
}

/// A finding, canonical: package, rule, excepted, and the result object (a string result as
/// `{"msg": …}`), with keys sorted.
fn canonical(namespace: &str, rule: &str, excepted: bool, result: Value) -> String {
    let result = match result {
        Value::String(s) => json!({ "msg": s }),
        other => other,
    };
    // serde_json's map is ordered by key, so this text is canonical.
    format!("{namespace} {rule} {excepted} {}", serde_json::to_string(&result).unwrap())
}

fn verdict_side(case: &Case<'_>, evidence: &Evidence) -> Vec<String> {
    let mut files = if case.builtin { pack::files(false) } else { Vec::new() };
    for d in &case.policy_dirs {
        files.extend(rego_files(d));
    }
    let data: Vec<DataFile> = case
        .data
        .iter()
        .map(|(p, v)| DataFile { path: p.display().to_string(), text: v.to_string() })
        .collect();
    let options = Options {
        namespaces: case.namespaces.iter().map(|s| (*s).to_owned()).collect(),
        must_exist: case.namespaces.iter().filter(|s| **s != "main").map(|s| (*s).to_owned()).collect(),
        ..Options::default()
    };
    let policies =
        Policies::build(&files, &data, &[], options).unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
    // As `verdict run` evaluates: the built-in pack on its view of the evidence, other rules
    // on all of it; OPA gets all of it, so equal findings also prove the view keeps what the
    // pack reads.
    let mut out: Vec<String> = policies
        .evaluate_raw_evidence(evidence)
        .unwrap_or_else(|e| panic!("{}: {e:?}", case.name))
        .into_iter()
        .map(|r| canonical(&r.namespace, &r.rule, r.excepted, r.value))
        .collect();
    out.sort();
    out
}

fn opa_side(case: &Case<'_>, evidence_file: &Path, tmp: &Path) -> Vec<String> {
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("scripts/opa_eval.py")).arg("--input").arg(evidence_file);
    if case.builtin {
        cmd.arg("--builtin");
    }
    for d in &case.policy_dirs {
        cmd.arg("--policy").arg(d);
    }
    for (i, (_, v)) in case.data.iter().enumerate() {
        let f = tmp.join(format!("data-{i}.json"));
        std::fs::write(&f, v.to_string()).unwrap();
        cmd.arg("--data").arg(f);
    }
    for ns in &case.namespaces {
        cmd.arg("--namespace").arg(ns);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}: opa_eval.py failed:\n{}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut out: Vec<String> = findings
        .into_iter()
        .map(|f| {
            let mut obj = f.as_object().cloned().unwrap();
            let namespace = obj.remove("namespace").and_then(|v| v.as_str().map(str::to_owned)).unwrap();
            let rule = obj.remove("rule").and_then(|v| v.as_str().map(str::to_owned)).unwrap();
            let excepted = obj.remove("excepted").and_then(|v| v.as_bool()).unwrap_or(false);
            obj.remove("level");
            // The script always writes these four; drop them where the rule did not set them.
            for k in ["msg", "id", "severity", "fingerprint"] {
                if obj.get(k).is_some_and(Value::is_null) {
                    obj.remove(k);
                }
            }
            canonical(&namespace, &rule, excepted, Value::Object(obj))
        })
        .collect();
    out.sort();
    out
}

fn compare(case: &Case<'_>, evidence: &Evidence, tmp: &Path) -> usize {
    let file = tmp.join(format!("{}.evidence.json", case.name));
    std::fs::write(&file, serde_json::to_string(evidence).unwrap()).unwrap();
    let ours = verdict_side(case, evidence);
    eprintln!("{}: {} findings", case.name, ours.len());
    let theirs = opa_side(case, &file, tmp);
    let only_ours: Vec<&String> = ours.iter().filter(|f| !theirs.contains(f)).take(5).collect();
    let only_theirs: Vec<&String> = theirs.iter().filter(|f| !ours.contains(f)).take(5).collect();
    assert!(
        ours == theirs,
        "{}: verdict found {} and OPA {} findings\nonly verdict: {only_ours:#?}\nonly OPA: {only_theirs:#?}",
        case.name,
        ours.len(),
        theirs.len()
    );
    ours.len()
}

fn demo_evidence() -> Evidence {
    let demo = root().join("fixtures/demo");
    let cost: InputSpec = format!("custom:cost={}", demo.join("cost.json").display()).parse().unwrap();
    verdict::cli::gather(&[demo], &[cost], &Limits::default()).unwrap()
}

/// The evidence of a generated benchmark set (`../shared/bench`), realistic in shape and size.
fn bench_evidence(tmp: &Path) -> Option<Evidence> {
    let generator = root().join("../shared/bench/gen_fixtures.py");
    if !generator.is_file() {
        assert!(!ci(), "../shared/bench is missing and CI=true");
        return None;
    }
    let dir = tmp.join("bench");
    let ok = Command::new("python3").arg(&generator).arg(&dir).args(["--scale", "0.2"]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    Some(verdict::cli::gather(&[dir], &[], &Limits::default()).unwrap())
}

fn strict_settings() -> Value {
    json!({"verdict": {"config": {
        "tests": {"flaky": "fail"},
        "vulnerabilities": {"severities": ["CRITICAL", "HIGH", "MEDIUM"], "unfixed": "fail"},
        "misconfigurations": {"unknown_severity": "fail"},
        "sbom": {"required": true, "denied_licenses": ["GPL-3.0-only", "LGPL-2.1-only", "MIT"]},
        "cost": {"budget_usd": 40}
    }}})
}

fn examples() -> Case<'static> {
    let ex = root().join("examples/policies");
    let team_data: Value =
        serde_json::from_str(&std::fs::read_to_string(ex.join("team/data.json")).unwrap()).unwrap();
    Case {
        name: "examples",
        builtin: false,
        policy_dirs: vec![ex.clone()],
        data: vec![(ex.join("team/data.json"), team_data)],
        namespaces: vec!["main", "legacy.security", "compliance", "team"],
    }
}

/// The built-in pack, default and strict settings, and the example policy sets, on the demo.
#[test]
fn parity_on_the_demo() {
    if !opa_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ev = demo_evidence();
    let default = Case {
        name: "builtin-default",
        builtin: true,
        policy_dirs: vec![],
        data: vec![],
        namespaces: vec![],
    };
    assert_eq!(compare(&default, &ev, tmp.path()), 6, "3 failures and 3 warnings on the demo");
    let strict = Case {
        data: vec![(PathBuf::from("strict.json"), strict_settings())],
        name: "builtin-strict",
        ..default
    };
    assert_eq!(
        compare(&strict, &ev, tmp.path()),
        8,
        "warnings become failures, plus the SBOM and cost gates"
    );
    assert!(compare(&examples(), &ev, tmp.path()) >= 3);
}

/// The same on a generated benchmark set: thousands of findings of every kind.
#[test]
fn parity_on_a_benchmark_set() {
    if !opa_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(ev) = bench_evidence(tmp.path()) else { return };
    let default =
        Case { name: "bench-default", builtin: true, policy_dirs: vec![], data: vec![], namespaces: vec![] };
    assert!(compare(&default, &ev, tmp.path()) > 150);
    let strict = Case {
        data: vec![(PathBuf::from("strict.json"), strict_settings())],
        name: "bench-strict",
        ..default
    };
    compare(&strict, &ev, tmp.path());
    compare(&examples(), &ev, tmp.path());
}
