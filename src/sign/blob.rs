//! Files: a Sigstore bundle (v0.1–v0.3, message signature or DSSE attestation), cosign's
//! older `{base64Signature, cert, rekorBundle}` bundle, or a detached signature made with a key
//! (a keyless one with its certificate is refused: without the bundle's transparency-log entry it
//! cannot be verified offline). Fully offline: everything needed is in the files and the trust
//! root.

use std::path::Path;

use base64::Engine;
use serde_json::Value;
use sigstore_verify::types::Bundle;

use super::cosign::{self, Content, Material};
use super::{Artifact, BlobSubject, Check, Checked, Failure, Options, Outcome, Reason, check_bundle};
use crate::ingest::read;

/// Bundles hold a few certificates and at most an attestation's predicate (an SBOM can be
/// large); signatures and certificates are small.
const MAX_BUNDLE: u64 = 64 * 1024 * 1024;
const MAX_SIGNATURE: u64 = 64 * 1024;

/// Verifies a file check and records the result.
pub(super) fn verify(check: &Check, b: &BlobSubject, options: &Options, out: &mut Outcome) {
    let sha = match digest(b) {
        Ok(d) => d,
        Err(e) => return out.fail_input(check, None, e),
    };
    let shown = format!("sha256:{}", hex::encode(sha));
    // The bundle or signature the check names is not there: the file was not signed (or its
    // signature was not kept beside it). That is the gate's "not signed", with the command that
    // signs it, not material that could not be read.
    if let Some(missing) = b.bundle.as_ref().or(b.signature.as_ref()).filter(|p| is_missing(p)) {
        let what = if b.bundle.is_some() { "bundle" } else { "signature" };
        let message = format!(
            "{}: no such file: the file was not signed, or its {what} was not kept beside it",
            super::shown(missing)
        );
        let result = Err(Failure::new(Reason::NoSignature, message));
        return out.record(check, Some(shown), None, Checked { candidates: 0, result });
    }
    let bundle = match material(b, sha) {
        Ok(bundle) => bundle,
        Err(e) => return out.fail_input(check, Some(shown), e),
    };
    let artifact = match &b.path {
        Some(p) => Artifact::File(p),
        None => Artifact::Digest(sha),
    };
    let result = check_bundle(&bundle, artifact, check, check.trust.as_ref().unwrap_or(&options.trust));
    out.record(check, Some(shown), None, Checked { candidates: 1, result });
}

/// Whether `path` names nothing at all (not a file that cannot be read, and not PEM text given
/// where a path belongs, which [`material`] explains).
fn is_missing(path: &Path) -> bool {
    super::pem_instead_of_path(path).is_none()
        && std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// The SHA-256 of the file (streamed) or the given digest.
fn digest(b: &BlobSubject) -> Result<[u8; 32], String> {
    match (&b.path, &b.digest) {
        (Some(p), _) => super::file_sha256(p),
        (None, Some(d)) => parse_digest(d),
        (None, None) => Err("no file or digest to verify".into()),
    }
}

/// `sha256:<64 hex>` or the bare hex → bytes.
pub fn parse_digest(d: &str) -> Result<[u8; 32], String> {
    let hex_part = d.strip_prefix("sha256:").unwrap_or(d);
    let bytes = hex::decode(hex_part)
        .map_err(|_| format!("`{d}` is not a SHA-256 digest (sha256: and 64 hex digits)"))?;
    bytes.try_into().map_err(|_| format!("`{d}` is not a SHA-256 digest (sha256: and 64 hex digits)"))
}

/// The bundle to verify: read from `--bundle`, or built from a detached signature.
fn material(b: &BlobSubject, sha: [u8; 32]) -> Result<Bundle, String> {
    if let Some(path) = &b.bundle {
        return load_bundle(path, sha);
    }
    let Some(sig_path) = &b.signature else {
        return Err("nothing to verify the file with: give its Sigstore bundle (`bundle:` / `--bundle`, what \
                    `cosign sign-blob --bundle` writes) or its detached signature (`signature:` / `--signature`)"
            .into());
    };
    if b.certificate.is_some() {
        // The certificate expired ten minutes after signing; only the transparency-log entry
        // proves the signature was made in that window, and a detached signature and
        // certificate do not carry it (verdict verifies offline).
        return Err("a detached keyless signature cannot be verified offline: its certificate expired ten minutes \
                    after signing, and only the transparency-log entry, which the signature and certificate files \
                    do not carry, proves it signed in time; have the signing step write a bundle (`cosign sign-blob \
                    --bundle FILE.sigstore.json`) and give that (`bundle:` / `--bundle`)"
            .into());
    }
    if let Some(why) = super::pem_instead_of_path(sig_path) {
        return Err(format!("the signature given {why}"));
    }
    let shown = super::shown(sig_path);
    let bytes = read::bytes_capped(sig_path, MAX_SIGNATURE)
        .map_err(|e| format!("{shown}: cannot read the signature: {e}"))?;
    // cosign writes the signature base64-encoded; a raw (binary) signature is accepted too.
    // Text that is not base64 is neither: a wrong file, or one cut or mangled on the way,
    // which verifying would misreport as signed with another key.
    let text = bytes.trim_ascii();
    if text.is_empty() {
        return Err(format!(
            "{shown}: is empty; expected what `cosign sign-blob --output-signature FILE` writes (one line of \
             base64): re-run the signing step, or check that the signature was copied whole"
        ));
    }
    let sig_b64 = if base64::engine::general_purpose::STANDARD.decode(text).is_ok() {
        String::from_utf8_lossy(text).into_owned()
    } else if text.iter().all(|c| c.is_ascii_graphic() || c.is_ascii_whitespace()) {
        return Err(format!(
            "{shown}: is text but not base64, so not a signature; expected what `cosign sign-blob \
             --output-signature FILE` writes (one line of base64), or the signature's raw bytes"
        ));
    } else {
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    };
    let m = Material { signature: sig_b64, certificate: None, chain: None, rekor: None };
    cosign::to_bundle(&m, Content::Message { sha256: sha }).map_err(|e| format!("{shown}: {e}"))
}

/// Reads a bundle file: a Sigstore bundle of any version, or cosign's older bundle.
fn load_bundle(path: &Path, sha: [u8; 32]) -> Result<Bundle, String> {
    let text = read_text(path, MAX_BUNDLE, "bundle")?;
    let shown = super::shown(path);
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: is not JSON ({e}); expected a Sigstore bundle (`cosign sign-blob --bundle`)",
            e.line(),
            e.column()
        )
    })?;
    if let Some(legacy) = cosign::legacy_blob_bundle(&doc, sha) {
        return legacy.map_err(|e| format!("{shown}: cosign bundle {e}"));
    }
    if doc.get("mediaType").and_then(Value::as_str).is_none() {
        return Err(format!(
            "{shown}: at $.mediaType: missing; expected a Sigstore bundle (mediaType \
             application/vnd.dev.sigstore.bundle.v0.3+json or …bundle+json;version=0.1/0.2) or cosign's \
             {{base64Signature, cert, rekorBundle}} bundle"
        ));
    }
    Bundle::from_json(&text).map_err(|e| format!("{shown}: is not a valid Sigstore bundle: {e}"))
}

fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    if let Some(why) = super::pem_instead_of_path(path) {
        return Err(format!("the {what} given {why}"));
    }
    let shown = super::shown(path);
    let bytes =
        read::bytes_capped(path, limit).map_err(|e| format!("{shown}: cannot read the {what}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("{shown}: the {what} is not UTF-8 text"))
}
