//! What verification trusts: a Sigstore trust root (public-good by default, or a
//! `trusted_root.json`) and public keys. Loading either is the only place bad trust material
//! is reported; once loaded, it is valid.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sigstore_verify::Verifier;
use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::types::DerPublicKey;

use crate::ingest::read;

/// Trust roots and keys are small; anything larger is not one.
const MAX_TRUST_FILE: u64 = 4 * 1024 * 1024;

/// A loaded trust root, with its verifier built once.
#[derive(Clone)]
pub struct TrustRoot {
    /// `public-good` or the file it came from.
    pub name: String,
    verifier: Arc<Verifier>,
}

impl std::fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustRoot").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A trust root or key that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct TrustRootError {
    /// The file.
    pub path: String,
    /// What is wrong with it and how to fix it.
    pub message: String,
}

impl TrustRoot {
    /// Sigstore's public-good trust root (Fulcio, Rekor, CT logs, timestamp authority), as
    /// embedded in this build.
    pub fn public_good() -> Self {
        // The embedded root is tested (`public_good_loads`); failing here is a build defect.
        #[allow(clippy::expect_used)]
        let root = TrustedRoot::from_json(SIGSTORE_PRODUCTION_TRUSTED_ROOT)
            .expect("the embedded public-good trust root parses");
        #[allow(clippy::expect_used)]
        let verifier = Verifier::new(&root).expect("the embedded public-good trust root is valid");
        TrustRoot { name: "public-good".to_owned(), verifier: Arc::new(verifier) }
    }

    /// A `trusted_root.json` (protobuf-specs `TrustedRoot`, as `cosign trusted-root create`
    /// and Sigstore's TUF repository publish it).
    pub fn from_file(path: &Path) -> Result<Self, TrustRootError> {
        let shown = super::shown(path);
        let bad = |message: String| TrustRootError { path: shown.clone(), message };
        if let Some(why) = super::pem_instead_of_path(path) {
            return Err(TrustRootError { path: "given".into(), message: why.into() });
        }
        let bytes = read_small(path).map_err(&bad)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| bad("is not UTF-8 text; expected a Sigstore trusted_root.json".into()))?;
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            return Err(bad(format!(
                "is not JSON (line {}, column {}: {e}); expected a Sigstore trusted_root.json",
                e.line(),
                e.column()
            )));
        }
        let root = TrustedRoot::from_json(text).map_err(|e| {
            bad(format!(
                "is not a Sigstore trusted root ({e}); expected the JSON of `cosign trusted-root create` \
                 or Sigstore's TUF `trusted_root.json` (mediaType application/vnd.dev.sigstore.trustedroot+json)"
            ))
        })?;
        let verifier = Verifier::new(&root)
            .map_err(|e| bad(format!("holds trust material that cannot be used: {e}")))?;
        Ok(TrustRoot { name: shown.clone(), verifier: Arc::new(verifier) })
    }

    /// The verifier.
    pub(crate) fn verifier(&self) -> &Verifier {
        &self.verifier
    }
}

/// A public key a signature must have been made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Where it came from (a path), for messages.
    pub origin: String,
    /// The DER SubjectPublicKeyInfo.
    pub der: DerPublicKey,
    /// `sha256:` + hex SHA-256 of the DER (reproduce with
    /// `openssl pkey -pubin -in cosign.pub -outform DER | sha256sum`).
    pub fingerprint: String,
}

impl Key {
    /// Reads a PEM public key (`cosign.pub`, `-----BEGIN PUBLIC KEY-----`): ECDSA P-256/P-384,
    /// Ed25519 or RSA.
    pub fn from_file(path: &Path) -> Result<Self, TrustRootError> {
        let shown = super::shown(path);
        let bad = |message: String| TrustRootError { path: shown.clone(), message };
        if let Some(why) = super::pem_instead_of_path(path) {
            return Err(TrustRootError { path: "given".into(), message: why.into() });
        }
        let bytes = read_small(path).map_err(&bad)?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| bad("is not a PEM public key (not text)".into()))?;
        Key::from_pem(text, &shown).map_err(bad)
    }

    /// Parses a PEM public key.
    pub fn from_pem(text: &str, origin: &str) -> Result<Self, String> {
        if text.contains("PRIVATE KEY") {
            return Err(
                "is a private key; give the public key (`cosign public-key --key cosign.key > cosign.pub`) \
                        and keep the private key out of the pipeline"
                    .into(),
            );
        }
        let der = DerPublicKey::from_pem(text).map_err(|e| {
            format!("is not a PEM public key ({e}); expected `-----BEGIN PUBLIC KEY-----` as `cosign generate-key-pair` writes cosign.pub")
        })?;
        sigstore_verify::crypto::VerificationKey::from_spki(&der).map_err(|e| {
            format!(
                "holds a key verdict cannot verify with ({e}); supported: ECDSA P-256/P-384, Ed25519, RSA"
            )
        })?;
        let fingerprint = fingerprint(der.as_bytes());
        Ok(Key { origin: origin.to_owned(), der, fingerprint })
    }
}

/// `sha256:` + hex SHA-256 of DER bytes.
pub(crate) fn fingerprint(der: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(der)))
}

fn read_small(path: &Path) -> Result<Vec<u8>, String> {
    read::bytes_capped(path, MAX_TRUST_FILE).map_err(|e| format!("cannot be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded root loads (the constructor's `expect` cannot fire in a release).
    #[test]
    fn public_good_loads() {
        assert_eq!(TrustRoot::public_good().name, "public-good");
    }

    /// A private key is refused with the command that makes the public one.
    #[test]
    fn private_key_refused() {
        let e =
            Key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "k").unwrap_err();
        assert!(e.contains("cosign public-key"), "{e}");
    }
}
