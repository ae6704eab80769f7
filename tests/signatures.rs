//! Signatures against a real registry: a CNCF distribution registry (`docker-registry`) on
//! loopback, started by the tests on a free port and stopped when they end, holding images
//! pushed with skopeo and signed two independent ways: by `tests/support/fakesigstore.py` (a
//! signer that shares no code with any Sigstore library: Python `cryptography`, a private
//! Fulcio-like CA, CT log and Rekor log, pushed through the registry's HTTP API as cosign does)
//! and by the `sigstore` crate's own cosign signing. Every positive case and every failure
//! reason is checked through `verdict verify`, as a user runs it: exit code, reason, and the
//! evidence JSON.
//!
//! Needs `docker-registry`, `skopeo` and Python with `cryptography`; `.ci/run` installs them.
//! Without them the tests skip with a note, except under CI (`CI=true`) where they fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

struct Fixture {
    /// `127.0.0.1:PORT`.
    registry: String,
    /// The same storage served with htpasswd auth (user `robot`, password [`PASSWORD`]).
    registry_auth: String,
    /// The fakesigstore PKI.
    pki: PathBuf,
    /// Kept alive for the temp dir.
    _dir: tempfile::TempDir,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

/// The shared registry and PKI, or `None` (skip) when the tools are missing outside CI.
fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let python_ok = Command::new("python3").args(["-c", "import cryptography"]).output().is_ok_and(|o| o.status.success());
        let missing: Vec<&str> = [("docker-registry", have("docker-registry")), ("skopeo", have("skopeo")), ("python3 cryptography", python_ok)]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(t, _)| t)
            .collect();
        if !missing.is_empty() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "{missing:?} missing and CI=true: failing rather than skipping (.ci/run installs them)");
            eprintln!("note: {missing:?} not installed; skipping the registry signature tests");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let registry = format!("127.0.0.1:{port}");
        let cfg = dir.path().join("registry.yml");
        std::fs::write(
            &cfg,
            format!(
                "version: 0.1\nlog: {{ level: error }}\nstorage: {{ filesystem: {{ rootdirectory: {} }} }}\nhttp: {{ addr: {registry} }}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        serve(&cfg);
        wait_for(&registry);
        // A second registry on the same storage, behind htpasswd auth: what is pushed and signed
        // through the open one is read through this one.
        let registry_auth = format!("127.0.0.1:{}", free_port());
        let htpasswd = dir.path().join("htpasswd");
        std::fs::write(&htpasswd, format!("robot:{HTPASSWD_HASH}\n")).unwrap();
        let cfg_auth = dir.path().join("registry-auth.yml");
        std::fs::write(
            &cfg_auth,
            format!(
                "version: 0.1\nlog: {{ level: error }}\nstorage: {{ filesystem: {{ rootdirectory: {} }} }}\nhttp: {{ addr: {registry_auth} }}\nauth: {{ htpasswd: {{ realm: verdict-test, path: {} }} }}\n",
                dir.path().join("data").display(),
                htpasswd.display()
            ),
        )
        .unwrap();
        serve(&cfg_auth);
        wait_for(&registry_auth);
        let pki = dir.path().join("pki");
        fakesigstore(&["init", pki.to_str().unwrap()]);
        Some(Fixture { registry, registry_auth, pki, _dir: dir })
    })
    .as_ref()
}

/// The password of the authenticated registry's user `robot`, and its bcrypt hash (made once
/// with Python's bcrypt; the registry accepts only bcrypt in htpasswd files).
const PASSWORD: &str = "hunter2-test";
const HTPASSWD_HASH: &str = "$2b$04$ft./QpS2Zd/FCmrYa4QXOONse9o1nMO8thRkfTLjT/Tuzx8H8yyju";

/// Starts a registry that lives as long as this test process: the shell kills it when its
/// stdin (held by this process) closes, which happens however the process ends.
fn serve(cfg: &Path) {
    #[allow(clippy::zombie_processes)] // lives as long as the test process, by design
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "docker-registry serve {} >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid",
            cfg.display()
        ))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::mem::forget(child.stdin.take());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(addr: &str) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the registry did not start on {addr}");
}

/// Runs fakesigstore; returns its one-line JSON summary.
fn fakesigstore(args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(root().join("tests/support/fakesigstore.py"))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "fakesigstore {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one line of JSON")
}

impl Fixture {
    fn pki(&self) -> &str {
        self.pki.to_str().unwrap()
    }

    fn trusted_root(&self) -> String {
        self.pki.join("trusted/trusted_root.json").display().to_string()
    }

    fn key(&self, name: &str) -> String {
        self.pki.join(format!("keys/{name}")).display().to_string()
    }

    /// Pushes a fresh image (unique per name) and returns (tag reference, digest).
    fn image(&self, name: &str) -> (String, String) {
        let out = fakesigstore(&[
            "push-image",
            "--registry",
            &self.registry,
            "--repo",
            &format!("demo/{name}"),
            "--tag",
            "1",
            "--seed",
            name,
        ]);
        (format!("{}/demo/{name}:1", self.registry), out["digest"].as_str().unwrap().to_owned())
    }

    /// Signs an image with fakesigstore; `extra` adds identity or fault flags.
    fn sign(&self, name: &str, digest: &str, extra: &[&str]) {
        let mut args = vec!["sign-image", "--pki", self.pki(), "--registry", &self.registry];
        let repo = format!("demo/{name}");
        args.extend(["--repo", &repo, "--digest", digest]);
        args.extend(extra);
        fakesigstore(&args);
    }
}

/// `verdict verify` with the fixture's trust root; returns (exit code, JSON evidence, stderr).
fn verify(f: &Fixture, args: &[&str]) -> (i32, Value, String) {
    verify_env(f, args, &[])
}

/// [`verify`] with environment variables (no Docker config unless `DOCKER_CONFIG` is given).
fn verify_env(f: &Fixture, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verdict"));
    cmd.arg("verify")
        .args(args)
        .args(["--trusted-root", &f.trusted_root(), "--format", "json", "--registry-timeout", "5"])
        .env_remove("VERDICT_REGISTRY_USERNAME")
        .env_remove("VERDICT_REGISTRY_PASSWORD")
        .env_remove("GITHUB_TOKEN")
        .env_remove("CI_REGISTRY")
        .env("DOCKER_CONFIG", f.pki.join("no-docker-config"))
        .env("REGISTRY_AUTH_FILE", f.pki.join("no-auth-file.json"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON on stdout ({e}): {stderr}"));
    (out.status.code().unwrap(), json, stderr)
}

const ID_REGEX: &str = "^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/main$";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn keyless<'a>() -> Vec<&'a str> {
    vec!["--certificate-identity-regexp", ID_REGEX, "--certificate-oidc-issuer", ISSUER]
}

fn reason(v: &Value) -> &str {
    v["signatures"][0]["reason"].as_str().unwrap_or("(verified)")
}

/// Keyless: a Fulcio-style certificate for the release workflow, logged in Rekor, verifies;
/// the evidence names the identity, the issuer, the CI claims and the log entry.
#[test]
fn keyless_signature_verifies() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("keyless");
    f.sign("keyless", &digest, &[]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!(code, 0, "{v:#}\n{err}");
    let s = &v["signatures"][0];
    assert_eq!(s["verified"], true);
    assert_eq!(s["digest"], digest.as_str(), "the tag is pinned to its digest");
    assert_eq!(
        s["signer"]["identity"],
        "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
    );
    assert_eq!(s["signer"]["issuer"], ISSUER);
    assert_eq!(s["signer"]["claims"]["source_repository_uri"], "https://github.com/acme/app");
    assert_eq!(s["rekor"]["kind"], "hashedrekord/0.0.1");
    assert!(s["rekor"]["integrated_time"].is_string());
}

/// By digest works the same as by tag.
#[test]
fn by_digest() {
    let Some(f) = fixture() else { return };
    let (_, digest) = f.image("bydigest");
    f.sign("bydigest", &digest, &[]);
    let reference = format!("{}/demo/bydigest@{digest}", f.registry);
    let mut args = vec![reference.as_str()];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!(code, 0, "{v:#}\n{err}");
}

/// Key-based with a transparency-log entry: verifies with the key, not with another key
/// (`wrong_key`, told apart from tampering by the key Rekor recorded).
#[test]
fn key_signature_and_wrong_key() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("keyed");
    f.sign("keyed", &digest, &["--key", &f.key("cosign.key")]);
    let (code, v, err) = verify(f, &[&tag, "--key", &f.key("cosign.pub")]);
    assert_eq!(code, 0, "{v:#}\n{err}");
    assert!(v["signatures"][0]["signer"]["key"].as_str().unwrap().starts_with("sha256:"));
    let (code, v, _) = verify(f, &[&tag, "--key", &f.key("other.pub")]);
    assert_eq!((code, reason(&v)), (1, "wrong_key"), "{v:#}");
    assert!(v["signatures"][0]["error"].as_str().unwrap().contains("not with the key the check requires"));
}

/// No signature at all.
#[test]
fn unsigned_image() {
    let Some(f) = fixture() else { return };
    let (tag, _) = f.image("unsigned");
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "no_signature"));
    assert_eq!(v["signatures"][0]["candidates"], 0);
}

/// An image that does not exist is an input error (exit 2) whether it is named by tag or by
/// digest, never "no signature, sign it in the pipeline"; an unsigned image that exists, named
/// by digest, is still `no_signature`.
#[test]
fn a_missing_image_is_an_input_error_by_tag_and_by_digest() {
    let Some(f) = fixture() else { return };
    let (_, digest) = f.image("present");
    let zeros = format!("sha256:{}", "0".repeat(64));
    for reference in [
        format!("{}/demo/present:nope", f.registry),
        format!("{}/demo/present@{zeros}", f.registry),
        format!("{}/no/such-repo@{digest}", f.registry),
    ] {
        let mut args = vec![reference.as_str()];
        args.extend(keyless());
        let (code, v, err) = verify(f, &args);
        assert_eq!(code, 2, "{reference}: {v:#}\n{err}");
        assert!(err.contains("does not exist in the registry"), "{reference}: {err}");
    }
    let unsigned = format!("{}/demo/present@{digest}", f.registry);
    let mut args = vec![unsigned.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "no_signature"));
}

/// Signed by another workflow, or with a token from another issuer.
#[test]
fn identity_and_issuer_mismatch() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("ci-signed");
    f.sign(
        "ci-signed",
        &digest,
        &["--identity", "https://github.com/acme/app/.github/workflows/ci.yml@refs/pull/7/merge"],
    );
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "identity_mismatch"), "{v:#}");
    let e = v["signatures"][0]["error"].as_str().unwrap();
    assert!(e.contains("ci.yml@refs/pull/7/merge") && e.contains("release"), "both sides named: {e}");
    // Who actually signed is in the evidence, for the comment to show.
    assert!(v["signatures"][0]["signer"]["identity"].as_str().unwrap().contains("ci.yml"));

    let (tag, digest) = f.image("gitlab-signed");
    f.sign("gitlab-signed", &digest, &["--issuer", "https://gitlab.com"]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "issuer_mismatch"), "{v:#}");
}

/// The payload was replaced after signing.
#[test]
fn tampered_payload() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("tampered");
    f.sign("tampered", &digest, &["--tamper"]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "payload_tampered"), "{v:#}");
}

/// A valid signature copied from another image.
#[test]
fn signature_of_another_image() {
    let Some(f) = fixture() else { return };
    let (_, other) = f.image("original");
    let (tag, digest) = f.image("copy");
    f.sign("copy", &digest, &["--for-digest", &other]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "digest_mismatch"), "{v:#}");
    assert!(v["signatures"][0]["error"].as_str().unwrap().contains(&other));
}

/// An expired certificate and no transparency-log time to prove when it signed, with and
/// without the log required.
#[test]
fn expired_certificate_without_log_time() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("expired");
    f.sign("expired", &digest, &["--signed-at", "-2d", "--no-tlog"]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "certificate_expired"), "{v:#}");
    args.push("--insecure-ignore-tlog");
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "certificate_expired"), "{v:#}");

    // The same backdated signature *with* its log entry verifies: the log proves the time.
    let (tag, digest) = f.image("backdated");
    f.sign("backdated", &digest, &["--signed-at", "-2d"]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!(code, 0, "{v:#}");
}

/// A certificate from a CA the trust root does not hold.
#[test]
fn untrusted_root() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("foreign");
    f.sign("foreign", &digest, &["--root", "other"]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "untrusted_root"), "{v:#}");
}

/// Of several signatures one good one is enough (cosign's rule); candidates are counted.
#[test]
fn one_good_signature_among_several() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("several");
    f.sign("several", &digest, &["--root", "other"]);
    f.sign("several", &digest, &[]);
    let mut args = vec![tag.as_str()];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["signatures"][0]["candidates"], 2);
}

/// A registry that is not there is an infrastructure error (exit 3), never a pass or a plain
/// failure; the message names the registry.
#[test]
fn registry_unreachable() {
    let Some(f) = fixture() else { return };
    let gone = format!("127.0.0.1:{}/demo/app:1", free_port());
    let mut args = vec![gone.as_str()];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!((code, reason(&v)), (3, "registry_unreachable"), "{v:#}\n{err}");
    assert!(err.contains("sign/registry"), "{err}");
}

/// A registry that accepts the connection and never answers is unreachable (exit 3) once the
/// deadline passes, and the message says how long was waited and why, in words.
#[test]
fn a_hung_registry_times_out() {
    let Some(f) = fixture() else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming() {
            held.push(c); // accepted, never answered
        }
    });
    let image = format!("{addr}/demo/app:1");
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(["verify", &image, "--key", &f.key("cosign.pub")])
        .args(["--format", "json", "--registry-timeout", "1"])
        .env("DOCKER_CONFIG", f.pki.join("no-docker-config"))
        .env("REGISTRY_AUTH_FILE", f.pki.join("no-auth-file.json"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!((out.status.code(), reason(&v)), (Some(3), "registry_unreachable"), "{v:#}\n{err}");
    let text = v.to_string() + &err;
    // The whole call's deadline (twice the timeout) or, on a busy machine, one request's own
    // timeout may come first: either is said in words, with its deadline.
    assert!(
        text.contains(&format!("{addr} did not answer within 2 s (twice --registry-timeout 1"))
            || text.contains(&format!(
                "{addr} did not answer within 1 s (--registry-timeout 1 for each request)"
            )),
        "{text}"
    );
    assert!(!text.contains("Generic error") && !text.contains("Some("), "no debug text: {text}");
}

/// Attestations: SLSA provenance and a CycloneDX SBOM verify and reach the evidence with
/// their predicates; a required type that is missing fails with its own entry.
#[test]
fn attestations() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("attested");
    f.sign("attested", &digest, &[]);
    let dir = tempfile::tempdir().unwrap();
    let prov = dir.path().join("provenance.json");
    std::fs::write(&prov, r#"{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1"},"runDetails":{"builder":{"id":"https://github.com/actions/runner"}}}"#).unwrap();
    let sbom = dir.path().join("sbom.json");
    std::fs::write(&sbom, r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"left-pad","version":"1.3.0"}]}"#).unwrap();
    for (t, p) in [("https://slsa.dev/provenance/v1", &prov), ("https://cyclonedx.org/bom", &sbom)] {
        let repo = "demo/attested";
        fakesigstore(&[
            "attest-image",
            "--pki",
            f.pki(),
            "--registry",
            &f.registry,
            "--repo",
            repo,
            "--digest",
            &digest,
            "--predicate-type",
            t,
            "--predicate",
            p.to_str().unwrap(),
        ]);
    }
    let mut args = vec![tag.as_str(), "--attestation", "slsaprovenance1", "--attestation", "cyclonedx"];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!(code, 0, "{v:#}\n{err}");
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 3, "the signature and one entry per required type");
    assert!(sigs.iter().all(|s| s["verified"] == true));
    let atts = v["attestations"].as_array().unwrap();
    let slsa =
        atts.iter().find(|a| a["predicate_type"] == "https://slsa.dev/provenance/v1").expect("provenance");
    assert_eq!(slsa["predicate"]["runDetails"]["builder"]["id"], "https://github.com/actions/runner");
    assert_eq!(slsa["statement_subjects"][0]["digest"]["sha256"], digest.trim_start_matches("sha256:"));
    assert_eq!(slsa["signer"]["issuer"], ISSUER);

    let mut args = vec![tag.as_str(), "--attestation", "vuln"];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!(code, 1, "{v:#}");
    let vuln = &v["signatures"][1];
    assert_eq!(
        (vuln["predicate_type"].as_str(), vuln["reason"].as_str()),
        (Some("https://cosign.sigstore.dev/attestation/vuln/v1"), Some("no_signature"))
    );
    assert!(
        vuln["error"].as_str().unwrap().contains("https://slsa.dev/provenance/v1"),
        "says which types are there"
    );
}

/// An attestation signed by someone else does not reach `attestations[]`.
#[test]
fn foreign_attestation_is_not_evidence() {
    let Some(f) = fixture() else { return };
    let (tag, digest) = f.image("foreign-att");
    f.sign("foreign-att", &digest, &[]);
    let dir = tempfile::tempdir().unwrap();
    let prov = dir.path().join("p.json");
    std::fs::write(&prov, r#"{"builder":{"id":"evil"}}"#).unwrap();
    fakesigstore(&[
        "attest-image",
        "--pki",
        f.pki(),
        "--registry",
        &f.registry,
        "--repo",
        "demo/foreign-att",
        "--digest",
        &digest,
        "--predicate-type",
        "https://slsa.dev/provenance/v1",
        "--predicate",
        prov.to_str().unwrap(),
        "--identity",
        "https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main",
    ]);
    let mut args = vec![tag.as_str(), "--attestation", "slsaprovenance1"];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!(code, 1);
    assert_eq!(v["signatures"][1]["reason"], "identity_mismatch");
    assert_eq!(v["attestations"].as_array().unwrap().len(), 0);
}

/// Signed by the `sigstore` crate's cosign client (key pair, no transparency log, pushed
/// with its own OCI code): verifies with the key once unlogged signatures are accepted, and
/// says `no_transparency_log` otherwise.
#[test]
fn signed_by_the_sigstore_crate() {
    use sigstore::cosign::constraint::PrivateKeySigner;
    use sigstore::cosign::{ClientBuilder, Constraint, CosignCapabilities, SignatureLayer};
    use sigstore::crypto::SigningScheme;
    use sigstore::registry::{Auth, ClientConfig, ClientProtocol, OciReference};

    let Some(f) = fixture() else { return };
    let (tag, _) = f.image("crate-signed");
    let signer = SigningScheme::ECDSA_P256_SHA256_ASN1.create_signer().unwrap();
    let public = signer.to_sigstore_keypair().unwrap().public_key_to_pem().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("crate.pub");
    std::fs::File::create(&key).unwrap().write_all(public.as_bytes()).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let config = ClientConfig { protocol: ClientProtocol::Http, ..ClientConfig::default() };
        let mut client = ClientBuilder::default().with_oci_client_config(config).build().unwrap();
        let image: OciReference = tag.parse().unwrap();
        let (sig_ref, digest) = client.triangulate(&image, &Auth::Anonymous).await.unwrap();
        let mut layer = SignatureLayer::new_unsigned(&image, &digest).unwrap();
        assert!(PrivateKeySigner::new_with_signer(signer).add_constraint(&mut layer).unwrap());
        client.push_signature(None, &Auth::Anonymous, &sig_ref, vec![layer]).await.unwrap();
    });

    let key = key.to_str().unwrap();
    let (code, v, err) = verify(f, &[&tag, "--key", key, "--insecure-ignore-tlog"]);
    assert_eq!(code, 0, "{v:#}\n{err}");
    assert!(v["signatures"][0]["rekor"].is_null());
    let (code, v, _) = verify(f, &[&tag, "--key", key]);
    assert_eq!((code, reason(&v)), (1, "no_transparency_log"), "{v:#}");
    let (code, v, _) = verify(f, &[&tag, "--key", &f.key("cosign.pub"), "--insecure-ignore-tlog"]);
    assert_eq!((code, reason(&v)), (1, "wrong_key"), "{v:#}");
}

/// The text report says what failed and how to fix it, and registry credentials never appear.
#[test]
fn text_output_explains_and_hides_nothing_secret() {
    let Some(f) = fixture() else { return };
    let (tag, _) = f.image("textual");
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args([
            "verify",
            &tag,
            "--certificate-identity-regexp",
            ID_REGEX,
            "--certificate-oidc-issuer",
            ISSUER,
        ])
        .args(["--trusted-root", &f.trusted_root()])
        .env("VERDICT_REGISTRY_USERNAME", "robot")
        .env("VERDICT_REGISTRY_PASSWORD", "hunter2-very-secret")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("NOT verified") && text.contains("no_signature") && text.contains("fix: sign it"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

/// Files, offline: every bundle version, cosign's older bundle, a detached key signature, and
/// a DSSE attestation bundle (which lands in `attestations[]`); a changed file fails.
#[test]
fn blobs_every_form() {
    let Some(f) = fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("app.tar.gz");
    std::fs::write(&art, b"release artifact bytes").unwrap();
    let a = art.to_str().unwrap();
    let path = |n: &str| dir.path().join(n).display().to_string();
    for v in ["0.1", "0.2", "0.3"] {
        let b = path(&format!("b{v}.json"));
        fakesigstore(&["sign-blob", "--pki", f.pki(), a, "--bundle", &b, "--bundle-version", v]);
        let mut args = vec![a, "--bundle", &b];
        args.extend(keyless());
        let (code, v_, err) = verify(f, &args);
        assert_eq!(code, 0, "bundle v{v}: {v_:#}\n{err}");
        assert_eq!(v_["signatures"][0]["kind"], "blob");
    }
    let legacy = path("legacy.json");
    fakesigstore(&["sign-blob", "--pki", f.pki(), a, "--legacy-bundle", &legacy]);
    let mut args = vec![a, "--bundle", &legacy];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!(code, 0, "cosign's older bundle: {v:#}\n{err}");

    let sig = path("app.sig");
    fakesigstore(&[
        "sign-blob",
        "--pki",
        f.pki(),
        a,
        "--key",
        &f.key("cosign.key"),
        "--output-signature",
        &sig,
        "--no-tlog",
    ]);
    let (code, v, err) =
        verify(f, &[a, "--signature", &sig, "--key", &f.key("cosign.pub"), "--insecure-ignore-tlog"]);
    assert_eq!(code, 0, "detached key signature: {v:#}\n{err}");
    let (code, v, _) = verify(f, &[a, "--signature", &sig, "--key", &f.key("cosign.pub")]);
    assert_eq!((code, reason(&v)), (1, "no_transparency_log"));
    // The same signature as raw bytes verifies; text that is not base64, or nothing, is not a
    // signature at all: an input error naming the file, never "signed with another key".
    let b64 = std::fs::read_to_string(&sig).unwrap();
    let raw = path("app.sig.raw");
    std::fs::write(
        &raw,
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64.trim()).unwrap(),
    )
    .unwrap();
    let key = ["--key", &f.key("cosign.pub"), "--insecure-ignore-tlog"];
    let (code, v, err) = verify(f, &[&[a, "--signature", &raw][..], &key].concat());
    assert_eq!(code, 0, "raw signature bytes: {v:#}\n{err}");
    for (content, says) in [("not a signature!!\n", "is text but not base64"), ("\n", "is empty")] {
        let bad = path("bad.sig");
        std::fs::write(&bad, content).unwrap();
        let (code, v, err) = verify(f, &[&[a, "--signature", &bad][..], &key].concat());
        assert_eq!(code, 2, "{content:?}: {v:#}\n{err}");
        assert!(err.contains(&format!("{bad}: {says}")), "{content:?}: {err}");
    }

    let pred = path("pred.json");
    std::fs::write(&pred, r#"{"buildDefinition":{"buildType":"x"}}"#).unwrap();
    let att = path("att.json");
    fakesigstore(&[
        "sign-blob",
        "--pki",
        f.pki(),
        a,
        "--bundle",
        &att,
        "--dsse",
        "--predicate-type",
        "slsaprovenance1",
        "--predicate",
        &pred,
    ]);
    let mut args = vec![a, "--bundle", &att];
    args.extend(keyless());
    let (code, v, err) = verify(f, &args);
    assert_eq!(code, 0, "attestation bundle: {v:#}\n{err}");
    assert_eq!(v["attestations"][0]["predicate_type"], "https://slsa.dev/provenance/v1");

    // The file changed after signing: the bundle is for other bytes.
    std::fs::write(&art, b"release artifact bytes, patched").unwrap();
    let b = path("b0.3.json");
    let mut args = vec![a, "--bundle", &b];
    args.extend(keyless());
    let (code, v, _) = verify(f, &args);
    assert_eq!((code, reason(&v)), (1, "digest_mismatch"), "{v:#}");

    // No bundle or signature where the check says: the file was not signed (a failed gate with
    // the command that signs it), not material that could not be read.
    for flag in ["--bundle", "--signature"] {
        let none = path("never-written.sigstore.json");
        let mut args = vec![a, flag, &none];
        args.extend(keyless());
        let (code, v, err) = verify(f, &args);
        assert_eq!((code, reason(&v)), (1, "no_signature"), "{flag}: {v:#}\n{err}");
        assert!(v["signatures"][0]["error"].as_str().is_some_and(|e| e.contains("no such file")), "{v:#}");
    }
}

/// A registry behind authentication: without credentials the check cannot be made (exit 3,
/// `registry_denied`); with them, from the Docker config or the documented variables, it
/// verifies; a wrong password is denied; the password never shows.
#[test]
fn registry_credentials() {
    let Some(f) = fixture() else { return };
    let (_, digest) = f.image("private");
    f.sign("private", &digest, &[]);
    let reference = format!("{}/demo/private@{digest}", f.registry_auth);
    let mut args = vec![reference.as_str()];
    args.extend(keyless());

    let (code, v, err) = verify(f, &args);
    assert_eq!((code, reason(&v)), (3, "registry_denied"), "{v:#}\n{err}");
    assert!(err.contains("docker login"), "says how to give credentials: {err}");

    let dir = tempfile::tempdir().unwrap();
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("robot:{PASSWORD}"));
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#, f.registry_auth),
    )
    .unwrap();
    let (code, v, err) = verify_env(f, &args, &[("DOCKER_CONFIG", dir.path().to_str().unwrap())]);
    assert_eq!(code, 0, "Docker config: {v:#}\n{err}");

    let (code, v, err) = verify_env(
        f,
        &args,
        &[("VERDICT_REGISTRY_USERNAME", "robot"), ("VERDICT_REGISTRY_PASSWORD", PASSWORD)],
    );
    assert_eq!(code, 0, "VERDICT_REGISTRY_*: {v:#}\n{err}");

    let (code, v, err) = verify_env(
        f,
        &args,
        &[("VERDICT_REGISTRY_USERNAME", "robot"), ("VERDICT_REGISTRY_PASSWORD", "wrong-pass")],
    );
    assert_eq!((code, reason(&v)), (3, "registry_denied"), "{v:#}\n{err}");
    let all = format!("{v}{err}");
    assert!(!all.contains("wrong-pass") && !all.contains(PASSWORD), "{all}");
}
