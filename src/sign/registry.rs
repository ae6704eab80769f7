//! Container images: resolve the digest, fetch cosign's signatures (`sha256-<hex>.sig`) and
//! attestations (`sha256-<hex>.att`) from the registry, and verify each as a Sigstore bundle.
//!
//! Access is `oci-client` (the OCI client the `sigstore` crate is built on): token auth,
//! Docker and OCI manifests. Credentials come from, in order: `VERDICT_REGISTRY_USERNAME` /
//! `VERDICT_REGISTRY_PASSWORD`; the Docker config (`$DOCKER_CONFIG/config.json` or
//! `~/.docker/config.json`, with its credential helpers) and podman's `auth.json`; the CI's own
//! registry credentials (GitLab `CI_REGISTRY_USER`/`CI_REGISTRY_PASSWORD` for `CI_REGISTRY`,
//! GitHub `GITHUB_TOKEN` for `ghcr.io`); else anonymous. Plain HTTP is used only for loopback
//! registries, or for any registry with `allow_http`. Credentials are never logged or shown.

use std::time::Duration;

use oci_client::Reference;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor};
use oci_client::secrets::RegistryAuth;
use serde_json::Value;

use super::cosign::{self, Content, Material};
use super::{Artifact, Check, Checked, Failure, Options, Outcome, Verified, check_bundle, most_telling};
use crate::evidence::Reason;

/// A signature or attestation layer is a small JSON document; attestations can carry an SBOM.
const MAX_LAYER: i64 = 32 * 1024 * 1024;
/// cosign appends one layer per signature; more than this is not a signature manifest.
const MAX_LAYERS: usize = 256;

/// Registry settings.
#[derive(Clone, Default)]
pub struct Settings {
    /// Use plain HTTP for every registry (cosign's `--allow-http-registry`); loopback
    /// registries always may.
    pub allow_http: bool,
    /// The deadline for each network call (default [`super::DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
    /// Credentials from the environment, read once by the edge (`Credentials::from_env`).
    pub credentials: Credentials,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("allow_http", &self.allow_http)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Registry credentials taken from environment variables. Never printed.
#[derive(Clone, Default)]
pub struct Credentials {
    /// `VERDICT_REGISTRY_USERNAME` / `VERDICT_REGISTRY_PASSWORD`: for every registry.
    pub explicit: Option<(String, String)>,
    /// `CI_REGISTRY` with `CI_REGISTRY_USER` / `CI_REGISTRY_PASSWORD` (GitLab CI).
    pub gitlab: Option<(String, String, String)>,
    /// `GITHUB_ACTOR` and `GITHUB_TOKEN`, for `ghcr.io` (GitHub Actions).
    pub github: Option<(String, String)>,
    /// Read the Docker and podman config files (off in tests that must not see the host's).
    pub docker_config: bool,
}

impl Credentials {
    /// Reads the documented variables.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let pair = |a: &str, b: &str| Some((var(a)?, var(b)?));
        Credentials {
            explicit: pair("VERDICT_REGISTRY_USERNAME", "VERDICT_REGISTRY_PASSWORD"),
            gitlab: var("CI_REGISTRY")
                .and_then(|r| Some((r, var("CI_REGISTRY_USER")?, var("CI_REGISTRY_PASSWORD")?))),
            github: var("GITHUB_TOKEN").map(|t| (var("GITHUB_ACTOR").unwrap_or_else(|| "verdict".into()), t)),
            docker_config: true,
        }
    }

    /// The credentials for a registry host, and where they came from (for `-v` logs).
    fn for_registry(&self, host: &str) -> (RegistryAuth, &'static str) {
        if let Some((u, p)) = &self.explicit {
            return (RegistryAuth::Basic(u.clone(), p.clone()), "VERDICT_REGISTRY_USERNAME");
        }
        if self.docker_config {
            let server = if host == "docker.io" || host == "index.docker.io" {
                "https://index.docker.io/v1/"
            } else {
                host
            };
            let found = docker_credential::get_credential(server)
                .or_else(|_| docker_credential::get_podman_credential(server));
            match found {
                Ok(docker_credential::DockerCredential::UsernamePassword(u, p)) => {
                    return (RegistryAuth::Basic(u, p), "the Docker config");
                }
                Ok(docker_credential::DockerCredential::IdentityToken(t)) => {
                    return (RegistryAuth::Bearer(t), "the Docker config");
                }
                Err(_) => {}
            }
        }
        if let Some((reg, u, p)) = &self.gitlab
            && reg == host
        {
            return (RegistryAuth::Basic(u.clone(), p.clone()), "CI_REGISTRY_USER");
        }
        if let Some((u, t)) = &self.github
            && host == "ghcr.io"
        {
            return (RegistryAuth::Basic(u.clone(), t.clone()), "GITHUB_TOKEN");
        }
        (RegistryAuth::Anonymous, "anonymous")
    }
}

/// One registry client for all image checks of a run (it keeps the registries' tokens).
pub struct Client {
    inner: oci_client::Client,
    settings: Settings,
}

impl Client {
    /// A client for these settings.
    pub fn new(settings: &Settings) -> Self {
        let timeout = settings.timeout.unwrap_or(super::DEFAULT_TIMEOUT);
        let protocol = if settings.allow_http {
            ClientProtocol::Http
        } else {
            // Loopback registries (a registry started by the pipeline or a test) speak HTTP.
            ClientProtocol::HttpsExcept(Vec::new())
        };
        let config = ClientConfig {
            protocol,
            read_timeout: Some(timeout),
            connect_timeout: Some(timeout.min(Duration::from_secs(10))),
            user_agent: concat!("verdict/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        Client { inner: oci_client::Client::new(config), settings: settings.clone() }
    }

    /// A client that may use HTTP for this loopback registry too.
    fn for_host(&self, host: &str) -> std::borrow::Cow<'_, oci_client::Client> {
        if !self.settings.allow_http && is_loopback(host) {
            let timeout = self.settings.timeout.unwrap_or(super::DEFAULT_TIMEOUT);
            let config = ClientConfig {
                protocol: ClientProtocol::HttpsExcept(vec![host.to_owned()]),
                read_timeout: Some(timeout),
                connect_timeout: Some(timeout.min(Duration::from_secs(10))),
                user_agent: concat!("verdict/", env!("CARGO_PKG_VERSION")),
                ..ClientConfig::default()
            };
            std::borrow::Cow::Owned(oci_client::Client::new(config))
        } else {
            std::borrow::Cow::Borrowed(&self.inner)
        }
    }
}

/// Whether a registry host (with its port) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':')
            .map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host })
    };
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// How a registry call failed.
enum Fetch {
    /// The registry has no such manifest (no signature, no image).
    NotFound,
    /// The registry refused our credentials.
    Denied(String),
    /// The registry could not be reached or failed.
    Unreachable(String),
    /// The registry served content that does not match its digest.
    Corrupt(String),
}

/// How a registry call failed, its texts without the credentials sent (a registry may echo
/// them in its error message).
fn fetch_error(e: OciDistributionError, host: &str, auth: &RegistryAuth) -> Fetch {
    let clean = |text: String| without_credentials(text, auth);
    match describe(e, host) {
        Fetch::NotFound => Fetch::NotFound,
        Fetch::Denied(m) => Fetch::Denied(clean(m)),
        Fetch::Unreachable(m) => Fetch::Unreachable(clean(m)),
        Fetch::Corrupt(m) => Fetch::Corrupt(clean(m)),
    }
}

/// The credentials as a registry's answer could echo them — the password or token, and the
/// base64 of a Basic header — replaced by `***`.
fn without_credentials(text: String, auth: &RegistryAuth) -> String {
    use base64::Engine as _;
    let secrets = match auth {
        RegistryAuth::Basic(user, password) => {
            vec![
                password.clone(),
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
            ]
        }
        RegistryAuth::Bearer(token) => vec![token.clone()],
        RegistryAuth::Anonymous => Vec::new(),
    };
    // A secret shorter than 4 characters would redact ordinary words; no real one is that short.
    secrets.iter().filter(|s| s.len() >= 4).fold(text, |text, s| text.replace(s.as_str(), "***"))
}

fn describe(e: OciDistributionError, host: &str) -> Fetch {
    use OciDistributionError as E;
    match e {
        E::ImageManifestNotFoundError(_) => Fetch::NotFound,
        E::AuthenticationFailure(m) => Fetch::Denied(format!("{host} refused the credentials: {m}")),
        E::UnauthorizedError { .. } => Fetch::Denied(format!("{host} answered 401 Unauthorized")),
        E::ServerError { code, message, .. } => match code {
            401 | 403 => Fetch::Denied(format!("{host} answered {code}: {message}")),
            404 => Fetch::NotFound,
            _ => Fetch::Unreachable(format!("{host} answered {code}: {message}")),
        },
        E::RegistryError { envelope, .. } => {
            let codes: Vec<String> = envelope.errors.iter().map(|e| format!("{:?}", e.code)).collect();
            let text = envelope.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
            let joined = codes.join(",").to_ascii_uppercase();
            if joined.contains("UNKNOWN") {
                Fetch::NotFound
            } else if joined.contains("UNAUTHORIZED") || joined.contains("DENIED") {
                Fetch::Denied(format!("{host} refused access: {text}"))
            } else {
                Fetch::Unreachable(format!("{host} answered with an error: {text}"))
            }
        }
        E::DigestError(d) => {
            Fetch::Corrupt(format!("{host} served content that does not match its digest: {d}"))
        }
        E::RequestError(r) => {
            let what = if r.is_timeout() {
                "did not answer in time"
            } else if r.is_connect() {
                "could not be connected to"
            } else {
                "failed"
            };
            Fetch::Unreachable(format!("{host} {what}: {}", without_secrets(&r.to_string())))
        }
        // Our own deadline (`with_deadline`), said as it was written.
        E::GenericError(Some(text)) => Fetch::Unreachable(format!("{host} {text}")),
        other => Fetch::Unreachable(format!("{host}: {}", without_secrets(&other.to_string()))),
    }
}

/// Error texts of HTTP clients can hold URLs with credentials; keep only the host part.
fn without_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(' ') {
        if let Some(at) = word.find('@')
            && let Some(scheme) = word.find("://")
            && scheme < at
        {
            out.push_str(word.get(..scheme + 3).unwrap_or(""));
            out.push_str("***");
            out.push_str(word.get(at..).unwrap_or(""));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// One layer of a signature or attestation manifest.
struct Layer {
    payload: Vec<u8>,
    annotations: serde_json::Map<String, Value>,
}

/// Verifies an image check and records the result (and one per required attestation).
pub(super) async fn verify_image(
    check: &Check,
    reference: &str,
    options: &Options,
    client: &Client,
    out: &mut Outcome,
) {
    let image: Reference = match reference.parse() {
        Ok(r) => r,
        Err(e) => {
            return out.fail_input(
                check,
                None,
                format!("`{reference}` is not an image reference ({e}); expected registry/repository:tag or …@sha256:<digest>"),
            );
        }
    };
    let host = image.resolve_registry().to_owned();
    let (auth, auth_from) = client.settings.credentials.for_registry(image.registry());
    tracing::debug!(registry = %host, credentials = auth_from, "registry access");
    let oci = client.for_host(&host);
    let timeout = client.settings.timeout.unwrap_or(super::DEFAULT_TIMEOUT);

    // 1. The digest the signature must name.
    let digest = match image.digest() {
        Some(d) => d.to_owned(),
        None => match with_deadline(timeout, oci.fetch_manifest_digest(&image, &auth)).await {
            Ok(d) => d,
            Err(e) => {
                return match fetch_error(e, &host, &auth) {
                    Fetch::NotFound => out.fail_input(
                        check,
                        None,
                        format!("the image `{reference}` does not exist in the registry; check the reference (a tag pushed by an earlier job?)"),
                    ),
                    Fetch::Denied(m) => out.fail_infrastructure(check, None, Reason::RegistryDenied, denied_help(m, auth_from)),
                    Fetch::Unreachable(m) | Fetch::Corrupt(m) => out.unreachable(check, None, m),
                };
            }
        },
    };
    let Some(hex) = digest.strip_prefix("sha256:").filter(|h| h.len() == 64) else {
        return out.fail_input(
            check,
            Some(digest.clone()),
            format!("the image digest `{digest}` is not a sha256 digest"),
        );
    };
    let sha: [u8; 32] = match super::blob::parse_digest(hex) {
        Ok(s) => s,
        Err(e) => return out.fail_input(check, Some(digest.clone()), e),
    };
    let tag_ref = |suffix: &str| {
        Reference::with_tag(
            image.registry().to_owned(),
            image.repository().to_owned(),
            format!("sha256-{hex}.{suffix}"),
        )
    };

    // 2. Signatures.
    let layers =
        match fetch_layers(&oci, &tag_ref("sig"), &auth, cosign::SIMPLE_SIGNING_MEDIA_TYPE, timeout, &host)
            .await
        {
            Ok(l) => l,
            Err(f) => return record_fetch_failure(check, &digest, None, f, auth_from, out),
        };
    // Pinned by digest, the image itself was never looked up: no signature tag may mean no
    // such image (a typo in the digest or the repository), an input error rather than "sign
    // it in the pipeline".
    if layers.is_empty()
        && image.digest().is_some()
        && let Err(e) = with_deadline(timeout, oci.fetch_manifest_digest(&image, &auth)).await
        && matches!(fetch_error(e, &host, &auth), Fetch::NotFound)
    {
        return out.fail_input(
            check,
            Some(digest.clone()),
            format!(
                "the image `{reference}` does not exist in the registry; check the repository and the digest"
            ),
        );
    }
    let candidates = layers.len() as u32;
    let mut best: Option<Failure> = None;
    let mut found: Option<Verified> = None;
    for layer in &layers {
        match verify_signature_layer(layer, &digest, check, options) {
            Ok(v) => {
                found = Some(v);
                break;
            }
            Err(f) => {
                best = Some(match best.take() {
                    Some(b) => most_telling(b, f),
                    None => f,
                })
            }
        }
    }
    let result = match (found, best) {
        (Some(v), _) => Ok(v),
        (None, Some(f)) => Err(plural(f, candidates)),
        (None, None) => Err(Failure::new(
            Reason::NoSignature,
            format!(
                "no signature found for {reference} ({digest}): cosign stores image signatures at the tag sha256-{hex}.sig, and it does not exist"
            ),
        )),
    };
    out.record(check, Some(digest.clone()), None, Checked { candidates, result });

    // 3. Attestations, when some are required.
    if check.attestations.is_empty() {
        return;
    }
    let layers =
        match fetch_layers(&oci, &tag_ref("att"), &auth, cosign::DSSE_MEDIA_TYPE, timeout, &host).await {
            Ok(l) => l,
            Err(f) => {
                for t in &check.attestations {
                    record_fetch_failure(check, &digest, Some(t.clone()), clone_fetch(&f), auth_from, out);
                }
                return;
            }
        };
    let mut results: Vec<(String, Result<Verified, Failure>)> = Vec::new();
    for layer in &layers {
        let result = verify_attestation_layer(layer, sha, check, options);
        // A verified statement's own type counts, not what the layer's annotation claims.
        let kind = match &result {
            Ok(Verified { statement: Some(st), .. }) => st.predicate_type.clone(),
            _ => layer_predicate_type(layer),
        };
        results.push((kind, result));
    }
    for wanted in &check.attestations {
        let mine: Vec<&(String, Result<Verified, Failure>)> =
            results.iter().filter(|(t, _)| t == wanted).collect();
        let candidates = mine.len() as u32;
        let ok = mine.iter().find_map(|(_, r)| r.as_ref().ok().cloned());
        let result = match ok {
            Some(v) => Ok(v),
            None => {
                let fails = mine.iter().filter_map(|(_, r)| r.as_ref().err().cloned());
                match fails.reduce(most_telling) {
                    Some(f) => Err(plural(f, candidates)),
                    None => Err(Failure::new(
                        Reason::NoSignature,
                        format!(
                            "no attestation of type {wanted} for {reference} ({digest}); {} found at sha256-{hex}.att",
                            describe_types(&results)
                        ),
                    )),
                }
            }
        };
        out.record(check, Some(digest.clone()), Some(wanted.clone()), Checked { candidates, result });
    }
}

fn describe_types(results: &[(String, Result<Verified, Failure>)]) -> String {
    if results.is_empty() {
        return "no attestations were".into();
    }
    let mut types: Vec<&str> = results.iter().map(|(t, _)| t.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    format!("the attestations there are of type {}", types.join(", "))
}

fn clone_fetch(f: &Fetch) -> Fetch {
    match f {
        Fetch::NotFound => Fetch::NotFound,
        Fetch::Denied(m) => Fetch::Denied(m.clone()),
        Fetch::Unreachable(m) => Fetch::Unreachable(m.clone()),
        Fetch::Corrupt(m) => Fetch::Corrupt(m.clone()),
    }
}

fn denied_help(m: String, auth_from: &str) -> String {
    format!(
        "{m} (credentials: {auth_from}); log in with `docker login` (or set VERDICT_REGISTRY_USERNAME and \
         VERDICT_REGISTRY_PASSWORD) with a token that can read the repository"
    )
}

fn record_fetch_failure(
    check: &Check,
    digest: &str,
    predicate_type: Option<String>,
    f: Fetch,
    auth_from: &str,
    out: &mut Outcome,
) {
    match f {
        Fetch::NotFound => unreachable_not_found(check, digest, predicate_type, out),
        Fetch::Denied(m) => {
            out.problems.push(super::Problem {
                check: check.name.clone(),
                message: denied_help(m.clone(), auth_from),
                infrastructure: true,
            });
            out.signatures.push(super::failed(
                check,
                Some(digest.to_owned()),
                predicate_type,
                Reason::RegistryDenied,
                denied_help(m, auth_from),
            ));
        }
        Fetch::Unreachable(m) => {
            out.problems.push(super::Problem {
                check: check.name.clone(),
                message: m.clone(),
                infrastructure: true,
            });
            out.signatures.push(super::failed(
                check,
                Some(digest.to_owned()),
                predicate_type,
                Reason::RegistryUnreachable,
                m,
            ));
        }
        Fetch::Corrupt(m) => {
            out.signatures.push(super::failed(
                check,
                Some(digest.to_owned()),
                predicate_type,
                Reason::PayloadTampered,
                m,
            ));
        }
    }
}

/// `fetch_layers` maps "not found" to no layers, so this cannot happen; kept total.
fn unreachable_not_found(check: &Check, digest: &str, predicate_type: Option<String>, out: &mut Outcome) {
    out.signatures.push(super::failed(
        check,
        Some(digest.to_owned()),
        predicate_type,
        Reason::NoSignature,
        "no signature found".into(),
    ));
}

/// Adds "(N signatures tried)" when there was more than one.
fn plural(mut f: Failure, candidates: u32) -> Failure {
    if candidates > 1 {
        f.message = format!("none of the {candidates} signatures verified; the closest: {}", f.message);
    }
    f
}

async fn with_deadline<T>(
    timeout: Duration,
    fut: impl std::future::Future<Output = Result<T, OciDistributionError>>,
) -> Result<T, OciDistributionError> {
    // Each request has the read timeout; the whole call (the token exchange included) gets
    // twice that, as docs/signatures.md says.
    match tokio::time::timeout(timeout * 2, fut).await {
        // One request's own read timeout, which can fire first on a busy machine: said in
        // the same words, with its own deadline.
        Ok(Err(OciDistributionError::RequestError(r))) if r.is_timeout() => {
            Err(OciDistributionError::GenericError(Some(format!(
                "did not answer within {} s (--registry-timeout {} for each request)",
                timeout.as_secs(),
                timeout.as_secs()
            ))))
        }
        Ok(r) => r,
        Err(_) => Err(OciDistributionError::GenericError(Some(format!(
            "did not answer within {} s (twice --registry-timeout {}: a call and its token exchange)",
            (timeout * 2).as_secs(),
            timeout.as_secs()
        )))),
    }
}

/// The layers of a cosign signature or attestation manifest; none when the tag does not exist.
async fn fetch_layers(
    oci: &oci_client::Client,
    tag: &Reference,
    auth: &RegistryAuth,
    media_type: &str,
    timeout: Duration,
    host: &str,
) -> Result<Vec<Layer>, Fetch> {
    let accepted = [OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE];
    let raw = match with_deadline(timeout, oci.pull_manifest_raw(tag, auth, &accepted)).await {
        Ok((bytes, _digest)) => bytes,
        Err(e) => {
            return match fetch_error(e, host, auth) {
                Fetch::NotFound => Ok(Vec::new()),
                other => Err(other),
            };
        }
    };
    let manifest: Value = serde_json::from_slice(&raw)
        .map_err(|e| Fetch::Corrupt(format!("{host}: the manifest at {} is not JSON: {e}", tag.whole())))?;
    let layers = manifest.get("layers").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for l in layers.iter().take(MAX_LAYERS) {
        let desc: OciDescriptor = match serde_json::from_value(l.clone()) {
            Ok(d) => d,
            Err(_) => continue,
        };
        if desc.media_type != media_type {
            continue;
        }
        if desc.size > MAX_LAYER || desc.size < 0 {
            tracing::warn!(layer = %desc.digest, size = desc.size, "skipping a signature layer larger than {MAX_LAYER} bytes");
            continue;
        }
        let mut buf = Vec::with_capacity(usize::try_from(desc.size).unwrap_or(0));
        let pull = oci.pull_blob(tag, &desc, Capped { buf: &mut buf, limit: MAX_LAYER as usize });
        with_deadline(timeout, pull).await.map_err(|e| fetch_error(e, host, auth))?;
        let annotations = desc
            .annotations
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        out.push(Layer { payload: buf, annotations });
    }
    Ok(out)
}

/// A writer that refuses to grow past its limit (the registry's size claim is not trusted).
struct Capped<'a> {
    buf: &'a mut Vec<u8>,
    limit: usize,
}

impl tokio::io::AsyncWrite for Capped<'_> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        if this.buf.len() + data.len() > this.limit {
            return std::task::Poll::Ready(Err(std::io::Error::other(format!(
                "layer larger than {} bytes",
                this.limit
            ))));
        }
        this.buf.extend_from_slice(data);
        std::task::Poll::Ready(Ok(data.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

fn annotation(layer: &Layer, key: &str) -> Option<String> {
    layer.annotations.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn material(layer: &Layer) -> Result<Material, Failure> {
    let rekor = match annotation(layer, cosign::REKOR_ANNOTATION) {
        Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
            Failure::new(
                Reason::InvalidSignature,
                format!("the layer's Rekor bundle annotation is not JSON: {e}"),
            )
        })?),
        None => None,
    };
    Ok(Material {
        signature: annotation(layer, cosign::SIGNATURE_ANNOTATION).unwrap_or_default(),
        certificate: annotation(layer, cosign::CERTIFICATE_ANNOTATION).filter(|c| !c.trim().is_empty()),
        chain: annotation(layer, cosign::CHAIN_ANNOTATION).filter(|c| !c.trim().is_empty()),
        rekor,
    })
}

/// One `.sig` layer: the signature over the payload, then the payload's image digest.
fn verify_signature_layer(
    layer: &Layer,
    digest: &str,
    check: &Check,
    options: &Options,
) -> Result<Verified, Failure> {
    let m = material(layer)?;
    if m.signature.trim().is_empty() {
        return Err(Failure::new(
            Reason::InvalidSignature,
            "a signature layer without a signature annotation",
        ));
    }
    let bundle = cosign::to_bundle(&m, Content::Message { sha256: cosign::sha256(&layer.payload) })
        .map_err(|e| Failure::new(Reason::InvalidSignature, e))?;
    let verified = check_bundle(
        &bundle,
        Artifact::Bytes(&layer.payload),
        check,
        check.trust.as_ref().unwrap_or(&options.trust),
    )?;
    let named = cosign::simple_signing_digest(&layer.payload)
        .map_err(|e| Failure::new(Reason::InvalidSignature, e))?;
    if named != digest {
        return Err(Failure {
            reason: Reason::DigestMismatch,
            message: format!(
                "the signature is valid, but it signs the image {named}, not {digest}: it was copied from another image"
            ),
            signer: Some(Box::new(verified.signer)),
        });
    }
    Ok(verified)
}

/// One `.att` layer: a DSSE envelope whose statement must name the image digest.
fn verify_attestation_layer(
    layer: &Layer,
    sha: [u8; 32],
    check: &Check,
    options: &Options,
) -> Result<Verified, Failure> {
    let m = material(layer)?;
    let envelope: Value = serde_json::from_slice(&layer.payload).map_err(|e| {
        Failure::new(Reason::InvalidSignature, format!("the attestation layer is not a DSSE envelope: {e}"))
    })?;
    let bundle = cosign::to_bundle(&m, Content::Dsse(&envelope))
        .map_err(|e| Failure::new(Reason::InvalidSignature, e))?;
    check_bundle(&bundle, Artifact::Digest(sha), check, check.trust.as_ref().unwrap_or(&options.trust))
}

/// The predicate type a layer claims (annotation, else the statement; not yet verified).
fn layer_predicate_type(layer: &Layer) -> String {
    if let Some(t) = annotation(layer, "predicateType") {
        return t;
    }
    let envelope: Option<Value> = serde_json::from_slice(&layer.payload).ok();
    envelope
        .as_ref()
        .and_then(|e| e.get("payload"))
        .and_then(Value::as_str)
        .and_then(|p| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(p).ok()
        })
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .and_then(|s| s.get("predicateType").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loopback hosts, with or without ports, and nothing else.
    #[test]
    fn loopback() {
        for h in ["localhost:5000", "127.0.0.1:5055", "127.0.0.1", "[::1]:5000", "localhost"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["ghcr.io", "10.0.0.1:5000", "localhost.evil.com", "registry.gitlab.com:443"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    /// Credentials in URLs never reach a message.
    #[test]
    fn urls_lose_credentials() {
        let t = without_secrets("error sending request for url (https://user:hunter2@ghcr.io/v2/)");
        assert!(!t.contains("hunter2"), "{t}");
        assert!(t.contains("ghcr.io"), "{t}");
    }

    /// A registry that echoes the credentials it was sent has them cut from its error: the
    /// password, the token, the Basic header's base64.
    #[test]
    fn echoed_credentials_are_cut() {
        let basic = RegistryAuth::Basic("robot".into(), "hunter2-pass".into());
        let echo = OciDistributionError::ServerError {
            code: 500,
            url: "https://r.example/v2/".into(),
            message: "you sent Basic cm9ib3Q6aHVudGVyMi1wYXNz, that is robot:hunter2-pass".into(),
        };
        let Fetch::Unreachable(m) = fetch_error(echo, "r.example", &basic) else { panic!("unreachable") };
        assert_eq!(m, "r.example answered 500: you sent Basic ***, that is robot:***");
        let bearer = RegistryAuth::Bearer("tok-123456".into());
        assert_eq!(without_credentials("denied for tok-123456".into(), &bearer), "denied for ***");
        assert_eq!(without_credentials("a b".into(), &RegistryAuth::Basic("u".into(), "b".into())), "a b");
    }

    /// The CI's own registry credentials apply to that registry only.
    #[test]
    fn credentials_by_registry() {
        let env = |k: &str| match k {
            "CI_REGISTRY" => Some("registry.gitlab.com".to_owned()),
            "CI_REGISTRY_USER" => Some("gitlab-ci-token".to_owned()),
            "CI_REGISTRY_PASSWORD" => Some("secret".to_owned()),
            "GITHUB_TOKEN" => Some("ghs_x".to_owned()),
            _ => None,
        };
        let mut c = Credentials::from_env(env);
        c.docker_config = false;
        assert_eq!(c.for_registry("registry.gitlab.com").1, "CI_REGISTRY_USER");
        assert_eq!(c.for_registry("ghcr.io").1, "GITHUB_TOKEN");
        assert_eq!(c.for_registry("docker.io").1, "anonymous");
    }
}
