//! `sigstore-verify`'s errors → one [`Reason`] and a sentence a person can act on.
//!
//! The verifier says what failed; the reason adds what it means for the subject. Two cases
//! need more than the error: a signature that does not verify with a *key* is either the
//! wrong key or a changed payload (told apart by the key the transparency log or the bundle
//! recorded), and a certificate that is no longer valid without any trusted time is
//! "expired without transparency-log time".

use sigstore_verify::types::{Bundle, VerificationMaterialContent};
use sigstore_verify::{CertificateError, Error, TimestampError, TransparencyLogError};

use super::trust::fingerprint;
use crate::evidence::Reason;

/// What the verifier was asked to check, for telling reasons apart.
pub(crate) struct Context<'a> {
    /// The bundle that was verified.
    pub bundle: &'a Bundle,
    /// The key the check requires, for key checks.
    pub key_fingerprint: Option<&'a str>,
    /// The signing certificate's end of validity, when there is a certificate.
    pub not_after: Option<jiff::Timestamp>,
}

/// The reason and the sentence for a verification error.
pub(crate) fn classify(err: &Error, cx: &Context<'_>) -> (Reason, String) {
    let has_time = has_time_evidence(cx.bundle);
    match err {
        Error::IdentityMismatch { .. } => (Reason::IdentityMismatch, err.to_string()),
        Error::IssuerMismatch { .. } => (Reason::IssuerMismatch, err.to_string()),
        Error::SignatureInvalid(detail) => match cx.key_fingerprint {
            None => (
                Reason::PayloadTampered,
                format!(
                    "the signature does not match the signed content ({detail}): the content was changed after it was signed"
                ),
            ),
            Some(want) => match recorded_key(cx.bundle) {
                Some(logged) if logged != want => (
                    Reason::WrongKey,
                    format!("signed with the key {logged}, not with the key the check requires ({want})"),
                ),
                Some(_) => (
                    Reason::PayloadTampered,
                    format!(
                        "the signature was made with the required key, but it does not match the signed content ({detail}): \
                         the content was changed after it was signed"
                    ),
                ),
                None => (
                    Reason::WrongKey,
                    format!(
                        "the signature does not verify with the key {want} ({detail}): it was made with another key \
                         (or the content was changed after signing; no transparency-log entry records which key signed)"
                    ),
                ),
            },
        },
        Error::ArtifactMismatch(detail) => {
            (Reason::DigestMismatch, format!("the signature is valid, but for another artifact: {detail}"))
        }
        Error::Certificate(c) => match c {
            // webpki judges validity while building the chain: an expired (or not yet valid)
            // certificate is a time problem, not a trust problem.
            CertificateError::ChainInvalid(d)
                if d.contains("CertExpired") || d.contains("CertNotValidYet") =>
            {
                if has_time {
                    (
                        Reason::CertificateExpired,
                        format!(
                            "the signature was not made while the signing certificate was valid: the transparency log or \
                             timestamp puts it outside the certificate's validity ({c})"
                        ),
                    )
                } else {
                    (
                        Reason::CertificateExpired,
                        format!(
                            "the signing certificate is no longer valid and no transparency-log entry or timestamp proves \
                             the signature was made while it was ({c})"
                        ),
                    )
                }
            }
            CertificateError::ChainInvalid(_) | CertificateError::NoValidAuthority { .. } => (
                Reason::UntrustedRoot,
                format!(
                    "the signing certificate does not chain to a certificate authority of the trusted root ({c}); \
                     it was issued by another Fulcio instance, or the trusted root is the wrong one"
                ),
            ),
            CertificateError::Expired { not_after, .. } if !has_time => (
                Reason::CertificateExpired,
                format!(
                    "the signing certificate expired at {not_after} and no transparency-log entry or timestamp proves \
                     the signature was made while it was valid"
                ),
            ),
            CertificateError::Expired { .. } | CertificateError::NotYetValid { .. } => (
                Reason::CertificateExpired,
                format!("the signature was not made while the signing certificate was valid: {c}"),
            ),
            CertificateError::Sct(_) => (
                Reason::UntrustedRoot,
                format!(
                    "the certificate's timestamp from a certificate-transparency log does not verify against the trusted root: {c}"
                ),
            ),
            _ => (Reason::InvalidSignature, c.to_string()),
        },
        Error::TransparencyLog(t) => match t {
            TransparencyLogError::UnknownLog { .. } => (
                Reason::UntrustedRoot,
                format!("the transparency log that recorded the signature is not in the trusted root: {t}"),
            ),
            // The entry names a log the trusted root holds no key of for the time it was
            // logged: another Sigstore instance's log, or a trusted root that is out of date.
            TransparencyLogError::InclusionPromise(detail) if detail.starts_with("No log key valid") => (
                Reason::UntrustedRoot,
                format!(
                    "the transparency log that recorded the signature has no key in the trusted root for the time it \
                     was logged: it is another Sigstore instance's log, or the trusted root is out of date ({t})"
                ),
            ),
            TransparencyLogError::EntryMismatch(_) => (
                Reason::PayloadTampered,
                format!(
                    "the transparency-log entry records other content, key or signature than the bundle holds: {t}"
                ),
            ),
            _ => (Reason::TransparencyLogInvalid, t.to_string()),
        },
        Error::Timestamp(TimestampError::NoVerifiedTimestamp(_)) if !has_time => no_time(err, cx),
        Error::Timestamp(t) => (Reason::TransparencyLogInvalid, t.to_string()),
        Error::InvalidBundle(detail) | Error::UnsupportedBundle(detail)
            if !has_time && (detail.contains("tlog") || detail.contains("transparency")) =>
        {
            no_time(err, cx)
        }
        Error::Bundle(b)
            if ["inclusion", "checkpoint", "tlog", "log entr"].iter().any(|w| b.to_string().contains(w)) =>
        {
            (
                Reason::TransparencyLogInvalid,
                format!("the transparency-log evidence in the bundle is incomplete or inconsistent: {b}"),
            )
        }
        _ => (Reason::InvalidSignature, err.to_string()),
    }
}

fn no_time(err: &Error, cx: &Context<'_>) -> (Reason, String) {
    if let Some(end) = cx.not_after
        && end < jiff::Timestamp::now()
    {
        return (
            Reason::CertificateExpired,
            format!(
                "the signing certificate expired at {end} and no transparency-log entry or timestamp proves the \
                 signature was made while it was valid"
            ),
        );
    }
    (
        Reason::NoTransparencyLog,
        format!(
            "there is no transparency-log entry (or timestamp) for the signature ({err}); sign with the transparency log \
             (cosign's default), or accept this explicitly with `ignore_tlog: true` / `--insecure-ignore-tlog`"
        ),
    )
}

/// Whether the bundle carries anything that can prove when it was signed.
pub(crate) fn has_time_evidence(bundle: &Bundle) -> bool {
    !bundle.verification_material.tlog_entries.is_empty()
        || !bundle.verification_material.timestamp_verification_data.rfc3161_timestamps.is_empty()
}

/// The fingerprint of the key a transparency-log entry (hashedrekord) recorded, if any.
fn recorded_key(bundle: &Bundle) -> Option<String> {
    if !matches!(bundle.verification_material.content, VerificationMaterialContent::PublicKey(_)) {
        return None;
    }
    bundle.verification_material.tlog_entries.iter().find_map(|entry| {
        let body: serde_json::Value = serde_json::from_slice(entry.canonicalized_body.as_bytes()).ok()?;
        let pem_b64 = body.pointer("/spec/signature/publicKey/content")?.as_str()?;
        let text = String::from_utf8(base64_decode(pem_b64)?).ok()?;
        let der = sigstore_verify::types::DerPublicKey::from_pem(&text).ok()?;
        Some(fingerprint(der.as_bytes()))
    })
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}
