//! Shared pieces of the publish tests: the corpus path, fakes, environments and settings.

pub mod github;
pub mod gitlab;
pub mod openapi;
pub mod server;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use verdict::publish::{Destination, ManualClock, PublishReport, PublishTarget, RetryPolicy, Settings};
use verdict::verdict::Outcome;

/// `../shared/corpus` (or `VERDICT_CORPUS`), where the API descriptions live. Missing: the test
/// skips with a note, except under CI, where it fails.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("VERDICT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("api/github-subset.openapi.json").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "the API descriptions are missing at {}/api and CI=true", dir.display());
    eprintln!("note: API descriptions not found at {}/api; skipping (set VERDICT_CORPUS)", dir.display());
    None
}

/// 2026-01-01T00:00:00Z, the manual clock's wall time at start.
pub const EPOCH_SECS: u64 = 1_767_225_600;

/// A manual clock (sleeps recorded and skipped) starting at [`EPOCH_SECS`].
pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH_SECS)))
}

/// Settings for tests: a short per-request timeout (hangs are real), the default budget, a manual
/// clock for waits, a fixed jitter seed.
pub fn settings(clock: Arc<ManualClock>) -> Settings {
    Settings {
        retry: RetryPolicy { request_timeout: Duration::from_secs(2), ..RetryPolicy::default() },
        clock,
        jitter_seed: Some(7),
    }
}

/// An environment lookup over pairs.
pub fn env(pairs: Vec<(&str, String)>) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    move |k| map.get(k).cloned()
}

/// The event of a pull_request run against `fake`, from a fork or not.
pub fn pull_request_event(fake: &github::GitHub, fork: bool) -> String {
    let c = &fake.config;
    let head = if fork { "mallory/shop".to_string() } else { format!("{}/{}", c.owner, c.repo) };
    serde_json::json!({
        "number": c.pr,
        "pull_request": {"number": c.pr,
            "head": {"sha": "0123456789abcdef0123456789abcdef01234567", "repo": {"full_name": head}},
            "base": {"sha": "fedcba9876543210fedcba9876543210fedcba98", "repo": {"full_name": format!("{}/{}", c.owner, c.repo)}}}
    })
    .to_string()
}

/// A GitHub Actions pull_request run against `fake`, with summary and output files in `dir`.
pub fn github_pr(fake: &github::GitHub, dir: &Path, fork: bool) -> Destination {
    github_destination(fake, dir, "pull_request", Some(&pull_request_event(fake, fork)), None)
}

/// The environment of a GitHub Actions pull_request job against `fake` (its event file, job
/// summary and step outputs in `dir`), for running the binary.
pub fn github_job_env(fake: &github::GitHub, dir: &Path) -> Vec<(&'static str, String)> {
    let event = dir.join("event.json");
    std::fs::write(&event, pull_request_event(fake, false)).unwrap();
    let mut vars = github_vars(fake, dir, "pull_request");
    vars.push(("GITHUB_EVENT_PATH", event.display().to_string()));
    vars.push(("GITHUB_REF", format!("refs/pull/{}/merge", fake.config.pr)));
    vars
}

/// What every GitHub Actions job against `fake` has in its environment.
fn github_vars(fake: &github::GitHub, dir: &Path, event_name: &str) -> Vec<(&'static str, String)> {
    let c = &fake.config;
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_REPOSITORY", format!("{}/{}", c.owner, c.repo)),
        ("GITHUB_API_URL", fake.base()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_EVENT_NAME", event_name.into()),
        ("GITHUB_SHA", "1111111111111111111111111111111111111111".into()),
        ("GITHUB_RUN_ID", "99".into()),
        ("GITHUB_TOKEN", c.token.clone()),
        ("GITHUB_STEP_SUMMARY", dir.join("summary.md").display().to_string()),
        ("GITHUB_OUTPUT", dir.join("output.txt").display().to_string()),
    ]
}

/// A GitHub Actions run of `event_name` against `fake`.
pub fn github_destination(
    fake: &github::GitHub,
    dir: &Path,
    event_name: &str,
    event: Option<&str>,
    pr: Option<u64>,
) -> Destination {
    let vars = env(github_vars(fake, dir, event_name));
    verdict::publish::resolve(PublishTarget::Auto, &vars, Ok(event), pr).expect("a GitHub context")
}

/// A GitLab merge request pipeline against `fake`.
pub fn gitlab_mr(server: &server::Server, fake: &gitlab::GitLab) -> Destination {
    let mut vars = gitlab_job_env(server, fake);
    vars.push(("CI_JOB_TOKEN", "job-token-cannot-write-notes".into()));
    verdict::publish::resolve(PublishTarget::Auto, &env(vars), Ok(None), None).expect("a GitLab context")
}

/// The environment of a GitLab merge request pipeline's job against `fake`, its token included.
pub fn gitlab_job_env(server: &server::Server, fake: &gitlab::GitLab) -> Vec<(&'static str, String)> {
    let c = &fake.config;
    vec![
        ("GITLAB_CI", "true".into()),
        ("CI_API_V4_URL", format!("{}/api/v4", server.url())),
        ("CI_PROJECT_ID", c.project.clone()),
        ("CI_MERGE_REQUEST_IID", c.iid.to_string()),
        ("CI_COMMIT_SHA", "2222222222222222222222222222222222222222".into()),
        ("CI_PROJECT_URL", "https://gitlab.example.com/acme/shop".into()),
        ("CI_JOB_URL", "https://gitlab.example.com/acme/shop/-/jobs/77".into()),
        ("VERDICT_GITLAB_TOKEN", c.token.clone()),
    ]
}

/// One failing PR run against a fake GitHub, with the comment `x` under the default gate key.
pub fn pr_run(fake: &github::GitHub, settings: &Settings) -> PublishReport {
    let dir = tempfile::tempdir().unwrap();
    let m = marker("default");
    let body = Body::new(&m, "x");
    let render = |b| body.render(b);
    let dest = github_pr(fake, dir.path(), false);
    verdict::publish::publish(&dest, settings, &crate::publication(&m, Outcome::Fail, &render))
}

/// Two failing runs publishing to `dest` at the same time, from two threads.
pub fn race(dest: &Destination, marker: &str) -> Vec<PublishReport> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = ["run A", "run B"]
            .into_iter()
            .map(|text| {
                scope.spawn(move || {
                    let body = Body::new(marker, text);
                    let render = |b| body.render(b);
                    let settings = settings(manual_clock());
                    verdict::publish::publish(
                        dest,
                        &settings,
                        &crate::publication(marker, Outcome::Fail, &render),
                    )
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

/// The marker for a gate key.
pub fn marker(key: &str) -> String {
    format!("<!-- verdict:comment gate={key} -->")
}

/// A renderer that records the budgets it was asked for and returns `marker` + `text`.
pub struct Body {
    pub budgets: Mutex<Vec<usize>>,
    marker: String,
    text: String,
}

impl Body {
    pub fn new(marker: &str, text: &str) -> Body {
        Body { budgets: Mutex::new(Vec::new()), marker: marker.to_string(), text: text.to_string() }
    }
    pub fn render(&self, budget: usize) -> String {
        self.budgets.lock().unwrap().push(budget);
        format!("{}\n{}", self.marker, self.text)
    }
    pub fn budgets(&self) -> Vec<usize> {
        self.budgets.lock().unwrap().clone()
    }
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A CA and a certificate for `localhost` (made with openssl), and the server configuration.
pub fn test_tls(dir: &std::path::Path) -> std::sync::Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let sh = |script: &str| {
        let out = std::process::Command::new("sh").arg("-c").arg(script).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    };
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
        -subj /CN=verdict-test-ca -days 1 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null");
    sh(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null",
    );
    sh(
        "printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf && \
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile ext.cnf 2>/dev/null",
    );
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.join("server.pem")).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    std::sync::Arc::new(config)
}
