//! The sigstore-conformance verify cases (`corpus/sigstore/conformance`), run the way the
//! suite runs a client: through `tests/support/sigstore-conformance-shim`, which speaks the
//! suite's CLI protocol on top of `verdict verify`, judged by exit status only. Every case runs
//! twice, with the artifact's path and with its `sha256:` digest, as the suite does. The
//! expected outcome comes from `EXPECTED.tsv` (a case named `*_fail` must fail).
//!
//! Besides pass/fail, a few cases pin the reason verdict gives, since a reason is what a user
//! acts on.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

struct Case {
    name: String,
    expected_pass: bool,
    key: bool,
    identity: String,
    issuer: String,
    own_root: bool,
    artifact: String,
}

fn cases(dir: &Path) -> Vec<Case> {
    let tsv = std::fs::read_to_string(dir.join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("case\t") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                name: f[0].to_owned(),
                expected_pass: f[1] == "pass",
                key: f[2] == "key",
                identity: f[3].to_owned(),
                issuer: f[4].to_owned(),
                own_root: f[5] == "case",
                artifact: f[6].to_owned(),
            }
        })
        .collect()
}

/// Runs one case through the shim; returns (exit code, stdout+stderr).
fn run(dir: &Path, case: &Case, by_digest: bool) -> (i32, String) {
    let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sigstore-conformance-shim");
    let case_dir = format!("bundle-verify/{}", case.name);
    let mut cmd = Command::new("bash");
    cmd.arg(&shim).arg("verify-bundle").current_dir(dir);
    cmd.env("VERDICT", env!("CARGO_BIN_EXE_verdict"));
    cmd.args(["--bundle", &format!("{case_dir}/bundle.sigstore.json")]);
    if case.key {
        cmd.args(["--key", &format!("{case_dir}/key.pub")]);
    } else {
        cmd.args(["--certificate-identity", &case.identity, "--certificate-oidc-issuer", &case.issuer]);
    }
    if case.own_root {
        cmd.args(["--trusted-root", &format!("{case_dir}/trusted_root.json")]);
    }
    let subject = if by_digest {
        let bytes = std::fs::read(dir.join(&case.artifact)).expect("artifact");
        format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
    } else {
        case.artifact.clone()
    };
    let out = cmd.arg(subject).output().expect("the shim runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// Every offline verify case agrees with the suite's expectation, by path and by digest; the
/// pass rate per case class is printed (run with `--nocapture` to see it).
#[test]
fn every_verify_case() {
    let Some(corpus) = crate::corpus() else { return };
    let dir = corpus.join("sigstore/conformance");
    let cases = cases(&dir);
    assert!(cases.len() >= 70, "only {} cases in EXPECTED.tsv", cases.len());
    let mut by_class: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for case in &cases {
        for by_digest in [false, true] {
            let (code, text) = run(&dir, case, by_digest);
            // Exit 3 would be an infrastructure error: offline cases must never reach for one.
            assert_ne!(code, 3, "{}: infrastructure error offline\n{text}", case.name);
            let agrees = (code == 0) == case.expected_pass;
            let class = case.name.split(['-', '_']).next().unwrap_or("").to_owned();
            let e = by_class.entry(class).or_default();
            e.1 += 1;
            if agrees {
                e.0 += 1;
            } else {
                wrong.push(format!(
                    "{} ({}): exit {code}\n{text}",
                    case.name,
                    if by_digest { "digest" } else { "path" }
                ));
            }
        }
    }
    for (class, (ok, all)) in &by_class {
        eprintln!("sigstore-conformance {class:<12} {ok}/{all}");
    }
    assert!(wrong.is_empty(), "{} runs disagree with the suite:\n{}", wrong.len(), wrong.join("\n"));
}

/// The reason a user reads is the right one for the case's fault.
#[test]
fn reasons_name_the_fault() {
    let Some(corpus) = crate::corpus() else { return };
    let dir = corpus.join("sigstore/conformance");
    let all = cases(&dir);
    let expect = [
        ("signature-mismatch_fail", "payload_tampered"),
        ("wrong-hashedrekord-artifact_fail", "digest_mismatch"),
        ("message-digest-mismatch_fail", "digest_mismatch"),
        ("intoto-expired-certificate_fail", "certificate_expired"),
        ("invalid-inclusion-proof_fail", "transparency_log_invalid"),
        ("set-invalid-signature_fail", "transparency_log_invalid"),
        ("managed-key-no-key_fail", "wrong_key"),
        // Another instance's log: the trusted root is the one to change, not the signature.
        ("bundle-from-wrong-instance_fail", "untrusted_root"),
    ];
    for (name, reason) in expect {
        let case = all.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} is in EXPECTED.tsv"));
        let (code, text) = run(&dir, case, false);
        assert_eq!(code, 1, "{name}: {text}");
        assert!(text.contains(&format!(": {reason}\n")), "{name} should say {reason}:\n{text}");
    }
}

/// A malformed bundle or trust root is an input error (exit 2) that names the file, never a
/// verification result.
#[test]
fn malformed_material_is_an_input_error() {
    let Some(corpus) = crate::corpus() else { return };
    let dir = corpus.join("sigstore/conformance");
    let all = cases(&dir);
    for name in ["bundle-malformed-json_fail", "trust-root-tlog-missing-validity-start_fail"] {
        let case = all.iter().find(|c| c.name == name).expect("case");
        let (code, text) = run(&dir, case, false);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(text.contains(name), "{name}: the message names the file:\n{text}");
    }
}
