//! cosign's own signature formats → Sigstore bundles, so one verifier checks everything.
//!
//! cosign stores what a Sigstore bundle holds in other shapes:
//! - OCI signature layers (`sha256-<digest>.sig`): the simple-signing payload as the layer,
//!   the signature, certificate and chain in annotations, and the Rekor entry as a "Rekor
//!   bundle" (`{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`);
//! - OCI attestation layers (`.att`): a DSSE envelope as the layer, the same annotations;
//! - `cosign sign-blob --bundle` before the new bundle format (cosign 1.x–2.x default):
//!   `{base64Signature, cert, rekorBundle}`.
//!
//! A Rekor bundle is exactly a v0.1 bundle's transparency-log entry with an inclusion promise,
//! so each converts losslessly into a `application/vnd.dev.sigstore.bundle+json;version=0.1`
//! bundle. Neither `sigstore` (which verifies these layers but drops why a certificate is not
//! trusted) nor `sigstore-verify` (bundles only) does this conversion; it is small and its
//! every field is checked by the verifier afterwards.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigstore_verify::types::Bundle;

/// OCI annotation: the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// OCI annotation: the PEM signing certificate.
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// OCI annotation: the PEM chain above the certificate.
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// OCI annotation: the Rekor bundle.
pub const REKOR_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
/// Media type of a signature layer (a simple-signing payload).
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// Media type of an attestation layer (a DSSE envelope).
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// What was signed.
pub enum Content<'a> {
    /// Bytes signed directly (a simple-signing payload, a blob): their SHA-256.
    Message {
        /// SHA-256 of the signed bytes.
        sha256: [u8; 32],
    },
    /// A DSSE envelope (JSON text).
    Dsse(&'a Value),
}

/// The signature material of one cosign signature, as found.
#[derive(Debug, Default, Clone)]
pub struct Material {
    /// Base64 signature (empty for DSSE: the envelope holds it).
    pub signature: String,
    /// PEM signing certificate, for keyless (or certificate-backed key) signatures.
    pub certificate: Option<String>,
    /// PEM chain.
    pub chain: Option<String>,
    /// The Rekor bundle JSON.
    pub rekor: Option<Value>,
}

/// Builds a v0.1 Sigstore bundle (v0.3 when there is no transparency-log entry, which v0.1
/// cannot express) from cosign's material.
pub fn to_bundle(m: &Material, content: Content<'_>) -> Result<Bundle, String> {
    let mut material = serde_json::Map::new();
    match &m.certificate {
        Some(pem) => {
            let mut certs = pem_blocks(pem)?;
            if let Some(chain) = &m.chain {
                certs.extend(pem_blocks(chain)?);
            }
            let certs: Vec<Value> =
                certs.into_iter().map(|der| json!({ "rawBytes": B64.encode(der) })).collect();
            if m.rekor.is_some() {
                material.insert("x509CertificateChain".into(), json!({ "certificates": certs }));
            } else {
                let leaf =
                    certs.into_iter().next().ok_or("the certificate annotation holds no certificate")?;
                material.insert("certificate".into(), leaf);
            }
        }
        None => {
            material.insert("publicKey".into(), json!({ "hint": "" }));
        }
    }
    let entries = match &m.rekor {
        Some(r) => vec![tlog_entry(r)?],
        None => Vec::new(),
    };
    material.insert("tlogEntries".into(), Value::from(entries));
    let media_type = if m.rekor.is_some() {
        "application/vnd.dev.sigstore.bundle+json;version=0.1"
    } else {
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    };
    let mut bundle = serde_json::Map::new();
    bundle.insert("mediaType".into(), media_type.into());
    bundle.insert("verificationMaterial".into(), Value::Object(material));
    match content {
        Content::Message { sha256 } => {
            bundle.insert(
                "messageSignature".into(),
                json!({
                    "messageDigest": { "algorithm": "SHA2_256", "digest": B64.encode(sha256) },
                    "signature": m.signature.trim(),
                }),
            );
        }
        Content::Dsse(envelope) => {
            bundle.insert("dsseEnvelope".into(), envelope.clone());
        }
    }
    Bundle::from_json(&Value::Object(bundle).to_string())
        .map_err(|e| format!("cannot be read as a Sigstore bundle: {e}"))
}

/// A Rekor bundle → a v0.1 transparency-log entry.
fn tlog_entry(r: &Value) -> Result<Value, String> {
    let set = r
        .get("SignedEntryTimestamp")
        .and_then(Value::as_str)
        .ok_or("the Rekor bundle has no SignedEntryTimestamp")?;
    let p = r.get("Payload").ok_or("the Rekor bundle has no Payload")?;
    let body = p.get("body").and_then(Value::as_str).ok_or("the Rekor bundle's Payload has no body")?;
    let time = p
        .get("integratedTime")
        .and_then(Value::as_i64)
        .ok_or("the Rekor bundle's Payload has no integratedTime")?;
    let index =
        p.get("logIndex").and_then(Value::as_i64).ok_or("the Rekor bundle's Payload has no logIndex")?;
    let log_id = p.get("logID").and_then(Value::as_str).ok_or("the Rekor bundle's Payload has no logID")?;
    let log_id = hex::decode(log_id).map_err(|_| "the Rekor bundle's logID is not hex")?;
    let decoded = B64.decode(body).map_err(|_| "the Rekor bundle's body is not base64")?;
    let entry: Value =
        serde_json::from_slice(&decoded).map_err(|_| "the Rekor bundle's body is not a JSON log entry")?;
    let kind = entry.get("kind").and_then(Value::as_str).ok_or("the Rekor entry has no kind")?;
    let version =
        entry.get("apiVersion").and_then(Value::as_str).ok_or("the Rekor entry has no apiVersion")?;
    Ok(json!({
        "logIndex": index.to_string(),
        "logId": { "keyId": B64.encode(log_id) },
        "kindVersion": { "kind": kind, "version": version },
        "integratedTime": time.to_string(),
        "inclusionPromise": { "signedEntryTimestamp": set },
        "canonicalizedBody": body,
    }))
}

/// The DER certificates of a PEM text.
fn pem_blocks(pem: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut b64 = String::new();
    for line in pem.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN CERTIFICATE") {
            inside = true;
            b64.clear();
        } else if line.starts_with("-----END CERTIFICATE") {
            inside = false;
            out.push(B64.decode(&b64).map_err(|_| "a PEM certificate is not valid base64")?);
        } else if inside {
            b64.push_str(line);
        }
    }
    if out.is_empty() {
        return Err("no PEM certificate (`-----BEGIN CERTIFICATE-----`) found".into());
    }
    Ok(out)
}

/// cosign's pre-2024 `sign-blob --bundle` file: `{base64Signature, cert, rekorBundle}`, where
/// `cert` is a base64-encoded PEM.
pub fn legacy_blob_bundle(doc: &Value, sha256: [u8; 32]) -> Option<Result<Bundle, String>> {
    let sig = doc.get("base64Signature")?.as_str()?;
    let cert = match doc.get("cert").and_then(Value::as_str) {
        Some(c) if !c.is_empty() => match B64.decode(c) {
            Ok(pem) => Some(String::from_utf8_lossy(&pem).into_owned()),
            Err(_) => Some(c.to_owned()),
        },
        _ => None,
    };
    let material = Material {
        signature: sig.to_owned(),
        certificate: cert,
        chain: None,
        rekor: doc.get("rekorBundle").cloned(),
    };
    Some(to_bundle(&material, Content::Message { sha256 }))
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The image digest a simple-signing payload names (`critical.image.docker-manifest-digest`),
/// and its type, checked.
pub fn simple_signing_digest(payload: &[u8]) -> Result<String, String> {
    let v: Value =
        serde_json::from_slice(payload).map_err(|e| format!("the signed payload is not JSON: {e}"))?;
    let kind = v.pointer("/critical/type").and_then(Value::as_str).unwrap_or("");
    if kind != "cosign container image signature" && kind != "atomic container signature" {
        return Err(format!(
            "the signed payload is not a container image signature (critical.type is `{kind}`)"
        ));
    }
    v.pointer("/critical/image/docker-manifest-digest").and_then(Value::as_str).map(str::to_owned).ok_or_else(
        || "the signed payload names no image digest (critical.image.docker-manifest-digest)".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payload's digest is read, and other payload types are refused.
    #[test]
    fn simple_signing() {
        let p = br#"{"critical":{"identity":{"docker-reference":"r/a"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#;
        assert_eq!(simple_signing_digest(p).unwrap(), "sha256:ab");
        assert!(
            simple_signing_digest(br#"{"critical":{"type":"x"}}"#).unwrap_err().contains("not a container")
        );
        assert!(simple_signing_digest(b"nope").is_err());
    }

    /// A Rekor bundle becomes a v0.1 entry with the same promise, body and ids.
    #[test]
    fn rekor_bundle_converts() {
        let body = B64.encode(br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#);
        let r = json!({"SignedEntryTimestamp": "c2V0", "Payload": {"body": body, "integratedTime": 1700000000, "logIndex": 7, "logID": "00ff"}});
        let e = tlog_entry(&r).unwrap();
        assert_eq!(e["kindVersion"], json!({"kind": "hashedrekord", "version": "0.0.1"}));
        assert_eq!(e["logId"]["keyId"], "AP8=");
        assert_eq!(e["logIndex"], "7");
        assert!(tlog_entry(&json!({"Payload": {}})).unwrap_err().contains("SignedEntryTimestamp"));
    }
}
