//! Signatures: verify Cosign/Sigstore signatures and attestations of container images and
//! files, and turn each check into evidence (`signatures[]`, `attestations[]`) so that policy
//! decides what an unsigned or wrongly signed artifact means.
//!
//! - [`Check`] says what to verify (a subject) and who must have signed it (a [`Signer`]).
//! - [`verify`] runs the checks and returns one [`Signature`] per check (plus one per required
//!   attestation type) and the attestations that verified. It never fails as a whole: a check
//!   that cannot be made (registry down) is a result with a [`Reason`] that says so.
//! - Cryptography is `sigstore-verify` (Sigstore's Rust verifier: bundles v0.1–v0.3, keyless
//!   and key-based, DSSE/in-toto, Rekor v1 and v2 entries, RFC 3161 timestamps), which reports
//!   *why* a signature fails; cosign's OCI signature format is converted to Sigstore bundles
//!   first ([`cosign`]). Registry access is `oci-client`, the OCI client the `sigstore` crate is
//!   built on ([`registry`]).
//!
//! Reads are bounded (bundles, keys and registry documents have size caps) and every network
//! call has a deadline.

mod blob;
mod classify;
pub mod cosign;
mod identity;
pub mod registry;
mod trust;

use std::path::PathBuf;
use std::time::Duration;

pub use identity::{Matcher, Signer};
pub use trust::{Key, TrustRoot, TrustRootError};

use crate::evidence::{
    self, Attestation, Expected, Reason, RekorEntry, Signature, StatementSubject, SubjectKind,
};

/// What to verify.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A container image: `registry/repository:tag` or `…@sha256:…`.
    Image(String),
    /// A file with its signature material, or a `sha256:` digest standing for the file.
    Blob(BlobSubject),
}

/// A file (or digest) and the signature material next to it.
#[derive(Debug, Clone)]
pub struct BlobSubject {
    /// The file, or `None` when only its digest is known.
    pub path: Option<PathBuf>,
    /// The SHA-256 of the file, hex, when given instead of the file.
    pub digest: Option<String>,
    /// A Sigstore bundle (`cosign sign-blob --bundle`, any version 0.1–0.3).
    pub bundle: Option<PathBuf>,
    /// A detached base64 signature (`cosign sign-blob --output-signature`).
    pub signature: Option<PathBuf>,
    /// The PEM certificate of a detached keyless signature (`--output-certificate`).
    pub certificate: Option<PathBuf>,
}

/// One signature check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Its name in evidence and messages: `signatures[0]`, `command line`.
    pub name: String,
    /// What to verify.
    pub subject: Subject,
    /// Who must have signed.
    pub signer: Signer,
    /// Predicate types that must be attested (full URIs); for images only.
    pub attestations: Vec<String>,
    /// The trust root for this check, instead of [`Options::trust`].
    pub trust: Option<TrustRoot>,
    /// Accept signatures without transparency-log evidence (cosign's
    /// `--insecure-ignore-tlog`): for private infrastructure that signs with
    /// `--tlog-upload=false`.
    pub ignore_tlog: bool,
}

/// How checks reach registries and what they trust.
#[derive(Debug, Clone)]
pub struct Options {
    /// The trust root (Fulcio CAs, Rekor and CT log keys, timestamp authorities).
    pub trust: TrustRoot,
    /// Registry access.
    pub registry: registry::Settings,
}

impl Options {
    /// Sigstore's public-good trust root and default registry settings.
    pub fn public_good() -> Self {
        Options { trust: TrustRoot::public_good(), registry: registry::Settings::default() }
    }
}

/// What the checks found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// One per check, plus one per required attestation type.
    pub signatures: Vec<Signature>,
    /// The attestations that verified.
    pub attestations: Vec<Attestation>,
    /// Checks that could not be made: their subject or signature material cannot be read
    /// (input errors), or the registry cannot be reached (infrastructure). A problem makes the
    /// verdict an error, never a pass.
    pub problems: Vec<Problem>,
}

/// A check that could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The check.
    pub check: String,
    /// What went wrong and how to fix it.
    pub message: String,
    /// A service failed (exit 3) rather than the input being wrong (exit 2).
    pub infrastructure: bool,
}

/// Runs the checks, in order. Image checks share one registry client (and its tokens).
pub fn verify(checks: &[Check], options: &Options) -> Outcome {
    let mut out = Outcome::default();
    let mut network: Option<Result<(tokio::runtime::Runtime, registry::Client), String>> = None;
    for check in checks {
        match &check.subject {
            Subject::Blob(b) => blob::verify(check, b, options, &mut out),
            Subject::Image(reference) => {
                let net = network.get_or_insert_with(|| {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
                    Ok((rt, registry::Client::new(&options.registry)))
                });
                match net {
                    Ok((rt, client)) => {
                        rt.block_on(registry::verify_image(check, reference, options, client, &mut out))
                    }
                    Err(e) => out.unreachable(check, None, e.clone()),
                }
            }
        }
    }
    out
}

impl Outcome {
    /// Records a check the registry did not let happen.
    pub(crate) fn unreachable(&mut self, check: &Check, digest: Option<String>, message: String) {
        self.fail_infrastructure(check, digest, Reason::RegistryUnreachable, message);
    }

    /// Records an infrastructure failure: evidence and a problem.
    pub(crate) fn fail_infrastructure(
        &mut self,
        check: &Check,
        digest: Option<String>,
        reason: Reason,
        message: String,
    ) {
        self.problems.push(Problem {
            check: check.name.clone(),
            message: message.clone(),
            infrastructure: true,
        });
        self.signatures.push(failed(check, digest, None, reason, message));
    }

    /// Records a check whose own input is wrong: evidence and a problem.
    pub(crate) fn fail_input(&mut self, check: &Check, digest: Option<String>, message: String) {
        self.problems.push(Problem {
            check: check.name.clone(),
            message: message.clone(),
            infrastructure: false,
        });
        self.signatures.push(failed(check, digest, None, Reason::InvalidSignature, message));
    }

    /// Records a check's result.
    pub(crate) fn record(
        &mut self,
        check: &Check,
        digest: Option<String>,
        predicate_type: Option<String>,
        result: Checked,
    ) {
        let mut sig = failed(check, digest.clone(), predicate_type, Reason::NoSignature, String::new());
        sig.candidates = result.candidates;
        match result.result {
            Ok(v) => {
                sig.verified = true;
                sig.reason = None;
                sig.error = None;
                sig.signer = Some(v.signer.clone());
                sig.rekor = v.rekor.clone();
                if let Some(st) = v.statement {
                    self.attestations.push(Attestation {
                        check: check.name.clone(),
                        subject: subject_name(&check.subject),
                        digest,
                        predicate_type: st.predicate_type,
                        statement_subjects: st.subjects,
                        predicate: st.predicate,
                        signer: v.signer,
                        rekor: v.rekor,
                    });
                }
            }
            Err(f) => {
                sig.reason = Some(f.reason);
                sig.error = Some(f.message);
                sig.signer = f.signer.map(|b| *b);
            }
        }
        self.signatures.push(sig);
    }
}

/// The result of checking the candidates of one requirement.
pub(crate) struct Checked {
    /// How many signatures were tried.
    pub candidates: u32,
    /// The first that verified, or the most telling failure.
    pub result: Result<Verified, Failure>,
}

/// A signature that verified.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    /// Who signed.
    pub signer: evidence::Signer,
    /// Its log entry.
    pub rekor: Option<RekorEntry>,
    /// The in-toto statement, for DSSE signatures.
    pub statement: Option<Statement>,
}

/// A signature that did not verify.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// Why.
    pub reason: Reason,
    /// In words.
    pub message: String,
    /// Who signed, as far as the signature says (not verified).
    pub signer: Option<Box<evidence::Signer>>,
}

impl Failure {
    pub(crate) fn new(reason: Reason, message: impl Into<String>) -> Self {
        Failure { reason, message: message.into(), signer: None }
    }
}

/// The parts of an in-toto statement that evidence keeps.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub predicate_type: String,
    pub subjects: Vec<StatementSubject>,
    pub predicate: serde_json::Value,
}

/// Of several failures, the one that tells the most: a signature that verified but by the
/// wrong signer or for another digest says more than one that did not verify at all.
pub(crate) fn most_telling(a: Failure, b: Failure) -> Failure {
    fn rank(r: Reason) -> u8 {
        match r {
            Reason::IdentityMismatch | Reason::IssuerMismatch => 0,
            Reason::DigestMismatch => 1,
            Reason::CertificateExpired => 2,
            Reason::UntrustedRoot => 3,
            Reason::PayloadTampered => 4,
            Reason::NoTransparencyLog | Reason::TransparencyLogInvalid => 5,
            Reason::WrongKey => 6,
            _ => 7,
        }
    }
    if rank(b.reason) < rank(a.reason) { b } else { a }
}

/// What the verifier is given as the signed artifact.
pub(crate) enum Artifact<'a> {
    /// The bytes (a payload).
    Bytes(&'a [u8]),
    /// A SHA-256 digest.
    Digest([u8; 32]),
    /// A file, streamed.
    File(&'a std::path::Path),
}

/// Verifies one bundle against the check's signer.
pub(crate) fn check_bundle(
    bundle: &sigstore_verify::types::Bundle,
    artifact: Artifact<'_>,
    check: &Check,
    trust: &TrustRoot,
) -> Result<Verified, Failure> {
    use sigstore_verify::types::VerificationMaterialContent as Vm;
    use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy};

    let keyed = matches!(bundle.verification_material.content, Vm::PublicKey(_));
    let claimed = (!keyed)
        .then(|| {
            bundle.signing_certificate().and_then(|c| sigstore_verify::crypto::parse_certificate_info(c).ok())
        })
        .flatten();
    let claimed_signer = claimed.as_ref().map(identity::from_certificate);
    let key_fp = match &check.signer {
        Signer::Key(k) => Some(k.fingerprint.as_str()),
        Signer::Keyless { .. } => None,
    };
    let cx = classify::Context {
        bundle,
        key_fingerprint: key_fp,
        not_after: claimed.as_ref().map(|c| c.not_after),
    };
    let verifier = trust.verifier();
    if !classify::has_time_evidence(bundle) {
        return without_log(bundle, &artifact, check, claimed.as_ref(), claimed_signer);
    }
    let outcome = match &check.signer {
        Signer::Key(k) => {
            if !keyed {
                let who = claimed_signer
                    .as_ref()
                    .and_then(|s| s.identity.clone())
                    .unwrap_or_else(|| "a certificate".into());
                return Err(Failure {
                    reason: Reason::WrongKey,
                    message: format!(
                        "signed keylessly by `{who}`, but the check requires the key {}",
                        k.fingerprint
                    ),
                    signer: claimed_signer.map(Box::new),
                });
            }
            let mut p = PublicKeyVerificationPolicy::new(k.der.clone());
            if check.ignore_tlog {
                p = p.skip_tlog_unsafe();
            }
            run(verifier, &artifact, bundle, &p)
        }
        Signer::Keyless { .. } => {
            if keyed {
                return Err(Failure::new(
                    Reason::WrongKey,
                    "signed with a key pair, but the check requires a keyless signature by a certificate identity",
                ));
            }
            let mut p = VerificationPolicy::any_identity();
            if check.ignore_tlog {
                p = p.skip_tlog_unsafe();
            }
            run(verifier, &artifact, bundle, &p)
        }
    };
    let result = outcome.map_err(|e| {
        let (reason, message) = classify::classify(&e, &cx);
        Failure { reason, message, signer: claimed_signer.clone().map(Box::new) }
    })?;
    let signer = match &check.signer {
        Signer::Key(k) => identity::from_key(k),
        Signer::Keyless { identity: id, issuer } => {
            let s = result.certificate().map(identity::from_certificate).unwrap_or_default();
            identity::check(id, issuer, &s).map_err(|(reason, message)| Failure {
                reason,
                message,
                signer: Some(Box::new(s.clone())),
            })?;
            s
        }
    };
    Ok(Verified { signer, rekor: rekor_entry(bundle), statement: statement(bundle) })
}

/// A signature with no transparency-log entry and no timestamp: nothing proves when it was
/// made. Sigstore's verifier refuses such bundles outright, so the reasons are decided here:
/// a keyless signature needs that time (its certificate lives ten minutes), so it is
/// `certificate_expired` once the certificate has expired and `no_transparency_log` before;
/// a key signature is `no_transparency_log` unless the check accepts unlogged signatures
/// (`ignore_tlog`), and then the signature is checked with the key directly.
fn without_log(
    bundle: &sigstore_verify::types::Bundle,
    artifact: &Artifact<'_>,
    check: &Check,
    claimed: Option<&sigstore_verify::crypto::CertificateInfo>,
    claimed_signer: Option<evidence::Signer>,
) -> Result<Verified, Failure> {
    let no_log = |signer: Option<evidence::Signer>| Failure {
        reason: Reason::NoTransparencyLog,
        message: "there is no transparency-log entry (or timestamp) for the signature: it was made with \
                  --tlog-upload=false; sign with the transparency log (cosign's default), or accept unlogged \
                  key signatures explicitly with `ignore_tlog: true` / `--insecure-ignore-tlog`"
            .into(),
        signer: signer.map(Box::new),
    };
    let key = match &check.signer {
        Signer::Keyless { .. } => {
            if let Some(info) = claimed
                && info.not_after < jiff::Timestamp::now()
            {
                return Err(Failure {
                    reason: Reason::CertificateExpired,
                    message: format!(
                        "the signing certificate expired at {} and no transparency-log entry or timestamp proves the \
                         signature was made while it was valid",
                        info.not_after
                    ),
                    signer: claimed_signer.map(Box::new),
                });
            }
            return Err(no_log(claimed_signer));
        }
        Signer::Key(k) if check.ignore_tlog => k,
        Signer::Key(_) => return Err(no_log(None)),
    };
    if claimed.is_some() {
        return Err(Failure::new(
            Reason::WrongKey,
            format!("signed keylessly, but the check requires the key {}", key.fingerprint),
        ));
    }
    let vk = sigstore_verify::crypto::VerificationKey::from_spki(&key.der)
        .map_err(|e| Failure::new(Reason::InvalidSignature, format!("the key cannot verify: {e}")))?;
    let wrong = |detail: String| {
        Failure::new(
            Reason::WrongKey,
            format!(
                "the signature does not verify with the key {} ({detail}): it was made with another key (or the content \
                 was changed after signing; no transparency-log entry records which key signed)",
                key.fingerprint
            ),
        )
    };
    use sigstore_verify::types::SignatureContent;
    match &bundle.content {
        SignatureContent::MessageSignature(m) => {
            let r = match artifact {
                Artifact::Bytes(b) => vk.verify(b, &m.signature),
                Artifact::Digest(d) => vk.verify_prehashed(d, &m.signature),
                Artifact::File(p) => {
                    let d = file_sha256(p).map_err(|e| Failure::new(Reason::InvalidSignature, e))?;
                    vk.verify_prehashed(&d, &m.signature)
                }
            };
            r.map_err(|e| wrong(e.to_string()))?;
        }
        SignatureContent::DsseEnvelope(env) => {
            let pae = sigstore_verify::types::dsse::pae(&env.payload_type, env.payload.as_bytes());
            vk.verify(&pae, &env.signature.sig).map_err(|e| wrong(e.to_string()))?;
            let want = match artifact {
                Artifact::Digest(d) => hex::encode(d),
                Artifact::Bytes(b) => hex::encode(cosign::sha256(b)),
                Artifact::File(p) => {
                    hex::encode(file_sha256(p).map_err(|e| Failure::new(Reason::InvalidSignature, e))?)
                }
            };
            let st = statement(bundle);
            if !st
                .as_ref()
                .is_some_and(|st| st.subjects.iter().any(|s| s.digest.get("sha256") == Some(&want)))
            {
                return Err(Failure::new(
                    Reason::DigestMismatch,
                    format!("the attestation is valid, but its subjects do not include sha256:{want}"),
                ));
            }
        }
        _ => return Err(Failure::new(Reason::InvalidSignature, "unsupported signature content")),
    }
    Ok(Verified { signer: identity::from_key(key), rekor: None, statement: statement(bundle) })
}

/// SHA-256 of a file, streamed.
pub(crate) fn file_sha256(p: &std::path::Path) -> Result<[u8; 32], String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f =
        std::fs::File::open(p).map_err(|e| format!("{}: cannot read the file to verify: {e}", shown(p)))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| format!("{}: cannot read: {e}", shown(p)))?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(h.finalize().into())
}

/// Runs the verifier on the artifact in whatever form it is.
fn run(
    verifier: &sigstore_verify::Verifier,
    artifact: &Artifact<'_>,
    bundle: &sigstore_verify::types::Bundle,
    policy: &(impl sigstore_verify::Policy + ?Sized),
) -> Result<sigstore_verify::VerificationResult, sigstore_verify::Error> {
    match artifact {
        Artifact::Bytes(b) => verifier.verify(*b, bundle, policy),
        Artifact::Digest(d) => verifier.verify(sigstore_verify::types::Sha256Hash::new(*d), bundle, policy),
        Artifact::File(path) => std::fs::File::open(path)
            .map_err(sigstore_verify::Error::ArtifactRead)
            .and_then(|f| verifier.verify_reader(std::io::BufReader::new(f), bundle, policy)),
    }
}

/// The first transparency-log entry, for evidence.
fn rekor_entry(bundle: &sigstore_verify::types::Bundle) -> Option<RekorEntry> {
    let e = bundle.verification_material.tlog_entries.first()?;
    Some(RekorEntry {
        log_index: e.log_index.get(),
        log_id: hex::encode(e.log_id.key_id.as_bytes()),
        kind: format!("{}/{}", e.kind_version.kind(), e.kind_version.version()),
        integrated_time: e.integrated_time.map(|t| t.to_string()),
    })
}

/// The in-toto statement of a DSSE bundle.
fn statement(bundle: &sigstore_verify::types::Bundle) -> Option<Statement> {
    use sigstore_verify::types::SignatureContent;
    let SignatureContent::DsseEnvelope(env) = &bundle.content else { return None };
    if env.payload_type != "application/vnd.in-toto+json" {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(env.payload.as_bytes()).ok()?;
    let subjects = v
        .get("subject")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .map(|s| StatementSubject {
                    name: s.get("name").and_then(|n| n.as_str()).unwrap_or("").to_owned(),
                    digest: s
                        .get("digest")
                        .and_then(|d| d.as_object())
                        .map(|d| {
                            d.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Statement {
        predicate_type: v.get("predicateType").and_then(|p| p.as_str()).unwrap_or("").to_owned(),
        subjects,
        predicate: v.get("predicate").cloned().unwrap_or(serde_json::Value::Null),
    })
}

/// The evidence for a check that did not verify.
pub(crate) fn failed(
    check: &Check,
    digest: Option<String>,
    predicate_type: Option<String>,
    reason: Reason,
    error: String,
) -> Signature {
    Signature {
        check: check.name.clone(),
        kind: subject_kind(&check.subject),
        subject: subject_name(&check.subject),
        digest,
        predicate_type,
        verified: false,
        signer: None,
        expected: expected(&check.signer),
        rekor: None,
        reason: Some(reason),
        error: Some(error),
        candidates: 0,
    }
}

pub(crate) fn subject_kind(s: &Subject) -> SubjectKind {
    match s {
        Subject::Image(_) => SubjectKind::Image,
        Subject::Blob(_) => SubjectKind::Blob,
    }
}

/// A path as the messages show it. A value that is PEM text rather than a path (a key put in an
/// environment variable and given where its file's path belongs) is never shown: it may be a
/// private key, and CI logs cannot mask a multi-line value.
pub(crate) fn shown(path: &std::path::Path) -> String {
    if pem_instead_of_path(path).is_some() {
        "(PEM text given where a file's path belongs)".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Why `path` is not a path, when it is PEM text: what to give instead.
pub fn pem_instead_of_path(path: &std::path::Path) -> Option<&'static str> {
    let text = path.to_string_lossy();
    if !text.contains("-----BEGIN") && !text.contains('\n') {
        return None;
    }
    Some(if text.contains("PRIVATE KEY") {
        "is the text of a private key, not a file's path: verdict needs no private key and must not be given one; \
         give the path of the public key (`cosign public-key --key cosign.key > cosign.pub`), and revoke the key \
         if it was printed anywhere"
    } else {
        "is PEM text, not a file's path: write it to a file (`printf '%s' \"$COSIGN_PUBLIC_KEY\" > cosign.pub`) and give \
         the file's path"
    })
}

/// The subject as the check names it.
pub(crate) fn subject_name(s: &Subject) -> String {
    match s {
        Subject::Image(r) => r.clone(),
        Subject::Blob(b) => match (&b.path, &b.digest) {
            (Some(p), _) => shown(p),
            (None, Some(d)) => format!("sha256:{d}"),
            (None, None) => String::new(),
        },
    }
}

/// What a signer requirement looks like in evidence.
pub(crate) fn expected(signer: &Signer) -> Expected {
    match signer {
        Signer::Key(k) => Expected { key: Some(k.fingerprint.clone()), ..Expected::default() },
        Signer::Keyless { identity, issuer } => {
            let (identity, identity_regexp) = identity.split();
            let (issuer, issuer_regexp) = issuer.split();
            Expected { identity, identity_regexp, issuer, issuer_regexp, key: None }
        }
    }
}

/// The registry deadline used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Diagnostic codes of signature checks (documented in `docs/diagnostics.md`).
pub const CODES: &[&str] = &["sign/usage", "sign/trust-root", "sign/key", "sign/input", "sign/registry"];

/// A signer requirement from its parts: a key, or both an identity and an issuer (as cosign
/// requires since 2.0: an identity alone would accept a token from any issuer).
pub fn signer(
    key: Option<Key>,
    identity: Option<Matcher>,
    issuer: Option<Matcher>,
) -> Result<Signer, String> {
    match (key, identity, issuer) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err("give either a key or a certificate identity and issuer, not both".into())
        }
        (Some(k), None, None) => Ok(Signer::Key(k)),
        (None, Some(identity), Some(issuer)) => Ok(Signer::Keyless { identity, issuer }),
        (None, Some(_), None) => Err(
            "a certificate identity needs its OIDC issuer too (e.g. https://token.actions.githubusercontent.com \
             for GitHub Actions, https://gitlab.com for GitLab CI): without it, a token from any issuer would do"
                .into(),
        ),
        (None, None, Some(_)) => Err(
            "an OIDC issuer needs the certificate identity too (an exact one, or a pattern such as \
             ^https://github.com/ORG/REPO/.github/workflows/release.yml@)"
                .into(),
        ),
        (None, None, None) => Err(
            "say who must have signed: a key (`key`, --key cosign.pub), or a certificate identity and issuer \
             (`certificate_identity[_regexp]` and `certificate_oidc_issuer`)"
                .into(),
        ),
    }
}

/// cosign's predicate type short names (as `cosign attest --type`) → URIs; URIs pass through.
pub fn predicate_type(name: &str) -> Result<String, String> {
    let uri = match name {
        "slsaprovenance" | "slsaprovenance02" => "https://slsa.dev/provenance/v0.2",
        "slsaprovenance1" => "https://slsa.dev/provenance/v1",
        "link" => "https://in-toto.io/Link/v1",
        "spdx" | "spdxjson" => "https://spdx.dev/Document",
        "cyclonedx" => "https://cyclonedx.org/bom",
        "vuln" => "https://cosign.sigstore.dev/attestation/vuln/v1",
        "openvex" => "https://openvex.dev/ns",
        "custom" => "https://cosign.sigstore.dev/attestation/v1",
        other if other.contains("://") => other,
        other => {
            let names = [
                "slsaprovenance",
                "slsaprovenance02",
                "slsaprovenance1",
                "link",
                "spdx",
                "spdxjson",
                "cyclonedx",
                "vuln",
                "openvex",
                "custom",
            ];
            let hint = crate::diag::did_you_mean(other, &names);
            return Err(format!(
                "unknown predicate type `{other}`{hint}; use one of {} or a URI",
                names.join(", ")
            ));
        }
    };
    Ok(uri.to_owned())
}

/// What to do about a failed check, in one sentence (the built-in policy pack says more).
pub fn remedy(reason: Reason) -> &'static str {
    match reason {
        Reason::NoSignature => {
            "sign it in the pipeline that builds it: `cosign sign --yes IMAGE@DIGEST` (keyless, with `id-token: write` \
             on GitHub Actions or `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore` on GitLab CI) or `cosign sign --key …`; \
             attest with `cosign attest --type TYPE --predicate FILE`"
        }
        Reason::WrongKey => {
            "sign with the key pair whose public key the check names, or update the check to the new public key"
        }
        Reason::IdentityMismatch => {
            "sign from the workflow the check requires (e.g. the release workflow on a tag), or widen the check's identity if this signer is trusted"
        }
        Reason::IssuerMismatch => {
            "sign with an OIDC token from the issuer the check requires (GitHub Actions: https://token.actions.githubusercontent.com)"
        }
        Reason::PayloadTampered => {
            "the signed content was changed after signing: rebuild and re-sign it, and find out who changed it"
        }
        Reason::DigestMismatch => {
            "the signature belongs to another image or file: sign this exact digest (sign by digest, not by tag)"
        }
        Reason::CertificateExpired => {
            "sign with the transparency log on (cosign's default) so the signing time is provable after the 10-minute certificate expires"
        }
        Reason::UntrustedRoot => {
            "verify against the trust root of the Sigstore instance that signed (--trusted-root / trusted_root), or sign with one this root trusts"
        }
        Reason::NoTransparencyLog => {
            "sign with the transparency log on (drop --tlog-upload=false), or accept unlogged signatures with ignore_tlog / --insecure-ignore-tlog"
        }
        Reason::TransparencyLogInvalid => {
            "the transparency-log proof does not verify: re-sign, and check the trust root is current"
        }
        Reason::InvalidSignature => "the signature material is malformed: re-create it with cosign",
        Reason::RegistryUnreachable => {
            "check that the registry is reachable from the job (network, proxy, address) and retry"
        }
        Reason::RegistryDenied => {
            "give the job read access to the repository (docker login, or VERDICT_REGISTRY_USERNAME/VERDICT_REGISTRY_PASSWORD)"
        }
    }
}
