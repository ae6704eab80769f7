//! The two HTTP clients behind one small seam: octocrab for GitHub, hyper for GitLab.
//!
//! Owns: building each client from a base URL and a token, sending one request with a timeout
//! that covers connecting and reading the whole answer (capped in size), and turning client errors
//! into short texts without secrets. Retrying is not done here (`retry.rs` is the only place).
//! Must not: log or return a header or a token.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::PublishError;
use super::context::Secret;

/// The largest answer read (a page of 100 comments of 65,536 characters fits, with room).
pub(crate) const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The User-Agent sent to GitLab (octocrab sends its own to GitHub, which requires one).
const USER_AGENT: &str = concat!("verdict/", env!("CARGO_PKG_VERSION"));

/// One API call.
#[derive(Debug)]
pub(crate) struct ApiRequest<'a> {
    /// What it does, for messages and logs (`create comment`).
    pub op: &'static str,
    /// The method.
    pub method: Method,
    /// Path and query, relative to the API base (`/repos/o/r/issues/1/comments?page=2`).
    pub path: String,
    /// The JSON body.
    pub body: Option<&'a Value>,
    /// Whether repeating it is harmless when its fate is unknown (GET, PATCH, PUT, DELETE).
    pub idempotent: bool,
}

impl<'a> ApiRequest<'a> {
    pub(crate) fn new(op: &'static str, method: Method, path: String, body: Option<&'a Value>) -> Self {
        let idempotent = method != Method::POST;
        ApiRequest { op, method, path, body, idempotent }
    }
}

/// One answer, read whole.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl ApiResponse {
    /// The header's value as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why no answer came.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// The request's time ran out.
    Timeout,
    /// The connection failed. `connect` is true when it failed before the request was sent.
    Failed { message: String, connect: bool },
}

/// Sends one request. Implemented by the GitHub and GitLab clients, and by nothing else.
pub(crate) trait Transport {
    /// Sends `req`, giving up after `timeout`.
    async fn send(&self, req: &ApiRequest<'_>, timeout: Duration) -> Result<ApiResponse, TransportError>;
    /// The token, so that error texts can be scrubbed of it.
    fn secret(&self) -> Option<&Secret>;
}

/// Reads a body up to [`MAX_RESPONSE_BYTES`].
async fn read_body<B>(body: B) -> Result<String, TransportError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let bytes = Limited::new(body, MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| TransportError::Failed { message: format!("reading the answer: {e}"), connect: false })?
        .to_bytes();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A client's result, read whole: the answer, or the error described without the token.
async fn answer<B, E>(
    response: Result<http::Response<B>, E>,
    secret: Option<&Secret>,
) -> Result<ApiResponse, TransportError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
    E: StdError + 'static,
{
    let response = response.map_err(|e| {
        let (message, connect) = describe(&e, secret);
        TransportError::Failed { message, connect }
    })?;
    let (parts, body) = response.into_parts();
    Ok(ApiResponse { status: parts.status, headers: parts.headers, body: read_body(body).await? })
}

/// The error and its causes on one line, scrubbed of the token and cut short.
fn describe(error: &(dyn StdError + 'static), secret: Option<&Secret>) -> (String, bool) {
    let mut parts = Vec::new();
    let mut connect = false;
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(client) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            connect |= client.is_connect();
        }
        let text = e.to_string();
        // octocrab's wrappers repeat their source; keep each distinct piece once.
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    let mut message = parts.join(": ");
    if let Some(secret) = secret {
        message = secret.redact(&message);
    }
    (truncate(&message, 300), connect)
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// GitHub, through octocrab. octocrab adds the base URI, the `Authorization` header (only for
/// its own host) and a User-Agent; its built-in retry is compiled out.
pub(crate) struct GitHubHttp {
    octocrab: octocrab::Octocrab,
    token: Option<Secret>,
}

impl GitHubHttp {
    /// Builds the client. Must run inside a Tokio runtime.
    pub(crate) fn new(api_url: &str, token: Option<&Secret>) -> Result<GitHubHttp, PublishError> {
        let client_error = |what: String| PublishError::Client { api: "GitHub", message: what };
        // octocrab panics on a base URI without a scheme (`127.0.0.1:8765`) when it sends.
        if !is_http_url(api_url) {
            return Err(client_error(format!(
                "GITHUB_API_URL `{api_url}` is not an http(s) URL (GitHub Enterprise Server: https://HOST/api/v3)"
            )));
        }
        cert_file("GitHub", std::env::var_os("SSL_CERT_FILE"))?;
        let mut builder = octocrab::Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| client_error(format!("the API URL `{api_url}` is not a valid URI")))?
            .add_header(http::header::HeaderName::from_static("x-github-api-version"), "2022-11-28".into());
        if let Some(token) = token {
            builder = builder.personal_token(token.expose().to_string());
        }
        let octocrab = builder.build().map_err(|e| client_error(describe(&e, token).0))?;
        Ok(GitHubHttp { octocrab, token: token.cloned() })
    }
}

impl Transport for GitHubHttp {
    async fn send(&self, req: &ApiRequest<'_>, timeout: Duration) -> Result<ApiResponse, TransportError> {
        let o = &self.octocrab;
        let path = req.path.as_str();
        let call = async {
            let response = match req.method {
                Method::GET => o._get(path).await,
                Method::POST => o._post(path, req.body).await,
                Method::PATCH => o._patch(path, req.body).await,
                Method::PUT => o._put(path, req.body).await,
                Method::DELETE => o._delete(path, req.body).await,
                _ => {
                    return Err(TransportError::Failed {
                        message: format!("method {} is not used with GitHub", req.method),
                        connect: true,
                    });
                }
            };
            answer(response, self.token.as_ref()).await
        };
        tokio::time::timeout(timeout, call).await.map_err(|_| TransportError::Timeout)?
    }

    fn secret(&self) -> Option<&Secret> {
        self.token.as_ref()
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Whether `url` is an http or https URL (an API base URL).
fn is_http_url(url: &str) -> bool {
    let scheme = url.parse::<http::Uri>().ok().and_then(|u| u.scheme_str().map(str::to_ascii_lowercase));
    matches!(scheme.as_deref(), Some("http" | "https"))
}

/// GitLab, through hyper with rustls. The token goes in `PRIVATE-TOKEN`, marked sensitive.
pub(crate) struct GitLabHttp {
    client: HttpsClient,
    base: String,
    token: Option<Secret>,
}

impl GitLabHttp {
    /// Builds the client, trusting the system's CA certificates (or `SSL_CERT_FILE`'s) and
    /// those of `ca_file` (`CI_SERVER_TLS_CA_FILE`). Must run inside a Tokio runtime.
    pub(crate) fn new(
        api_url: &str,
        token: Option<&Secret>,
        ca_file: Option<&std::path::Path>,
    ) -> Result<GitLabHttp, PublishError> {
        let base = api_url.trim_end_matches('/').to_string();
        if !is_http_url(&base) {
            return Err(PublishError::Client {
                api: "GitLab",
                message: format!("CI_API_V4_URL `{api_url}` is not an http(s) URL"),
            });
        }
        cert_file("GitLab", std::env::var_os("SSL_CERT_FILE"))?;
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match ca_file {
            None => builder.with_provider_and_native_roots(provider).map_err(|e| PublishError::Client {
                api: "GitLab",
                message: format!("cannot load the system's CA certificates: {e}"),
            })?,
            Some(path) => builder.with_tls_config(tls_with_ca(provider, path)?),
        };
        let connector = builder.https_or_http().enable_http1().build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(GitLabHttp { client, base, token: token.cloned() })
    }
}

/// `SSL_CERT_FILE`, when set, names a file that can be read: otherwise the TLS stack finds no
/// CA at all (the image's own bundle is passed over for it) and says so in a debug dump. A
/// typo, or a bundle not mounted into the container, is said plainly.
fn cert_file(api: &'static str, ssl_cert_file: Option<std::ffi::OsString>) -> Result<(), PublishError> {
    let Some(path) = ssl_cert_file.filter(|p| !p.is_empty()) else { return Ok(()) };
    match std::fs::File::open(&path) {
        Ok(_) => Ok(()),
        Err(e) => Err(PublishError::Client {
            api,
            message: format!(
                "SSL_CERT_FILE names `{}`, which cannot be read ({e}): mount the CA bundle into the container at that path, or unset SSL_CERT_FILE to trust the image's own",
                std::path::Path::new(&path).display()
            ),
        }),
    }
}

/// A TLS configuration that trusts the system's CA certificates and those in `path` (PEM).
fn tls_with_ca(
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
    path: &std::path::Path,
) -> Result<rustls::ClientConfig, PublishError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let failed = |message: String| PublishError::Client { api: "GitLab", message };
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let shown = path.display();
    let ca: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(path).and_then(|certs| certs.collect::<Result<_, _>>()).map_err(
            |e| failed(format!("cannot read the CA certificates of CI_SERVER_TLS_CA_FILE `{shown}`: {e}")),
        )?;
    let (own, _) = roots.add_parsable_certificates(ca);
    if own == 0 {
        return Err(failed(format!(
            "CI_SERVER_TLS_CA_FILE `{shown}` holds no CA certificate verdict can use (PEM, `-----BEGIN CERTIFICATE-----`)"
        )));
    }
    tracing::debug!(system = added, own, "publish: GitLab's CA certificates trusted beside the system's");
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(format!("TLS: {e}")))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

impl Transport for GitLabHttp {
    async fn send(&self, req: &ApiRequest<'_>, timeout: Duration) -> Result<ApiResponse, TransportError> {
        let failed = |message: String| TransportError::Failed { message, connect: true };
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(format!("{}{}", self.base, req.path))
            .header(http::header::USER_AGENT, USER_AGENT)
            .header(http::header::ACCEPT, "application/json");
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(token.expose())
                .map_err(|_| failed("the token is not a valid header".into()))?;
            value.set_sensitive(true);
            builder = builder.header("private-token", value);
        }
        let body = match req.body {
            Some(json) => {
                builder = builder.header(http::header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(json.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).map_err(|e| failed(format!("cannot build the request: {e}")))?;
        let call = async { answer(self.client.request(request).await, self.token.as_ref()).await };
        tokio::time::timeout(timeout, call).await.map_err(|_| TransportError::Timeout)?
    }

    fn secret(&self) -> Option<&Secret> {
        self.token.as_ref()
    }
}

/// Checks an answer: one of the `ok` statuses, else the error it means. 403 is
/// [`PublishError::Forbidden`] with `hint` (the permission needed); a 400 or 422 that says "too
/// long" is [`PublishError::TooLong`] (with the maximum, when the server names one); anything else
/// is [`PublishError::Status`]. `sent` is the length of the body sent, in characters.
pub(crate) fn expect(
    op: &'static str,
    response: ApiResponse,
    ok: &[u16],
    secret: Option<&Secret>,
    hint: &'static str,
    sent: usize,
) -> Result<ApiResponse, PublishError> {
    let status = response.status.as_u16();
    if ok.contains(&status) {
        return Ok(response);
    }
    let message = super::api_message(&response.body, secret);
    Err(match status {
        403 => PublishError::Forbidden { op: op.to_string(), message, hint },
        400 | 422 if too_long(&message) => {
            PublishError::TooLong { op: op.to_string(), budget: sent, max: named_maximum(&message), message }
        }
        _ => PublishError::status(op, &response, secret, 1),
    })
}

/// Whether an API message says the body is too long: "body is too long (maximum is N
/// characters)" (GitHub comments, GitLab notes) or "Only N characters are allowed; M were
/// supplied." (GitHub check-run output).
fn too_long(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("too long")
        || lower.contains("characters are allowed")
        || lower.contains("maximum bytesize")
}

/// The N in "maximum is N characters", "only N characters are allowed" or "exceeds a maximum
/// bytesize of N" (a check run's summary).
fn named_maximum(message: &str) -> Option<usize> {
    let lower = message.to_ascii_lowercase();
    let after = lower
        .split("maximum is")
        .nth(1)
        .or_else(|| lower.split("maximum bytesize of").nth(1))
        .or_else(|| lower.split("only ").nth(1))?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.parse().ok()
}

/// Percent-encodes one path segment (a GitLab project path `group/project` becomes one segment).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// An API URL without a scheme is a clear error naming the variable, for GitHub as for
    /// GitLab, never a panic inside the client when it first sends.
    #[tokio::test]
    async fn api_urls_without_a_scheme_are_refused() {
        for url in ["127.0.0.1:8765", "api.github.com", "ftp://example.com/api"] {
            let Err(e) = GitHubHttp::new(url, None) else { panic!("{url} accepted") };
            assert!(e.to_string().contains("GITHUB_API_URL") && e.to_string().contains(url), "{e}");
            let Err(e) = GitLabHttp::new(&format!("{url}/api/v4"), None, None) else {
                panic!("{url} accepted")
            };
            assert!(e.to_string().contains("CI_API_V4_URL"), "{e}");
        }
        assert!(GitHubHttp::new("https://ghe.example.com/api/v3", None).is_ok());
    }

    use super::*;

    /// An SSL_CERT_FILE that cannot be read is said plainly, before the TLS stack passes over
    /// every CA for it; one that can, or none, is fine.
    #[test]
    fn an_unreadable_ssl_cert_file_is_named() {
        let e = cert_file("GitLab", Some("/no/such/ca.pem".into())).expect_err("refused");
        let text = e.to_string();
        assert!(text.contains("SSL_CERT_FILE names `/no/such/ca.pem`, which cannot be read"), "{text}");
        assert!(cert_file("GitLab", None).is_ok());
        let file = tempfile::NamedTempFile::new().expect("a file");
        assert!(cert_file("GitHub", Some(file.path().into())).is_ok());
    }

    /// The maximum is read from both APIs' wording.
    #[test]
    fn maximum() {
        assert_eq!(
            named_maximum("Validation Failed: body is too long (maximum is 65536 characters)"),
            Some(65536)
        );
        assert_eq!(
            named_maximum(r#"{"note":["is too long (maximum is 1,000,000 characters)"]}"#),
            Some(1_000_000)
        );
        assert_eq!(named_maximum("body is too long"), None);
        // A check run's summary, counted in bytes (github/docs#35252).
        let bytes = "Validation Failed: summary exceeds a maximum bytesize of 65535";
        assert!(too_long(bytes));
        assert_eq!(named_maximum(bytes), Some(65535));
        let check_run = "Invalid request.\n\nOnly 65535 characters are allowed; 70000 were supplied.";
        assert!(too_long(check_run));
        assert_eq!(named_maximum(check_run), Some(65535));
        assert!(!too_long("Validation Failed: name can't be blank"));
    }

    /// Path segments: unreserved characters stay, everything else is encoded.
    #[test]
    fn segments() {
        assert_eq!(segment("group/sub group/proj"), "group%2Fsub%20group%2Fproj");
        assert_eq!(segment("42"), "42");
    }

    /// Cutting counts characters, not bytes.
    #[test]
    fn truncating() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
