//! The token appears in its header and nowhere else: not in any other part of any request, not in
//! errors (even when a server echoes it back), not in the report, the job summary, the step
//! outputs or the logs (captured at TRACE, octocrab's and hyper's included). And every command
//! of the binary, run with every secret verdict reads in its environment, shows none of them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::json;
use verdict::publish::{self, CheckRun};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::server::{Api, Fault, Recorded, Reply, Server};
use crate::support::{self, Body};

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `f` with every log event captured.
fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    (out, logs.text())
}

/// Every part of every request except the one header that must carry the token.
fn outside_header(requests: &[Recorded], header: &str) -> String {
    requests
        .iter()
        .map(|r| {
            let headers: Vec<String> =
                r.headers.iter().filter(|(k, _)| k != header).map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{} {} {:?} {} {}", r.method, r.path, r.query, headers.join("\n"), r.body)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_absent(token: &str, what: &str, text: &str) {
    assert!(!text.contains(token), "the token leaked into {what}:\n{text}");
}

/// GitHub: a server that echoes the token in its errors, a retried 500, a failed write.
#[test]
fn github_token_stays_in_its_header() {
    let Some(corpus) = support::corpus() else { return };
    let config = crate::support::github::Config::default();
    let token = config.token.clone();
    let (fake, server): (_, Server) = crate::support::github::GitHub::start(&corpus, config);
    let echo = |status| {
        Reply::json(
            status,
            json!({"message": format!("Bad credentials: {token}"), "documentation_url": "https://docs.github.com/rest"}),
        )
    };
    server.script("issues/list-comments", [Fault::Reply(echo(500))]);
    server.script("issues/create-comment", [Fault::Reply(echo(401))]);
    server.script("checks/create", [Fault::Reply(echo(422))]);
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    assert_absent(&token, "the destination's Debug", &format!("{dest:?}"));
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let summary = |_| "## verdict".to_string();
    let check = |_| "s".to_string();
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.job_summary = Some(&summary);
    p.check_run =
        Some(CheckRun { name: "verdict".into(), title: "t".into(), summary: &check, annotations: vec![] });
    let (report, logs) = logged(|| publish::publish(&dest, &support::settings(support::manual_clock()), &p));

    assert!(report.failed(), "the echoed errors fail the comment and the check run");
    assert!(report.lines().iter().any(|l| l.contains("Bad credentials: ***")), "{:?}", report.lines());
    assert_absent(&token, "the report", &format!("{:?}\n{}", report, report.lines().join("\n")));
    assert!(!logs.is_empty(), "logs were captured");
    assert_absent(&token, "the logs", &logs);
    for file in ["summary.md", "output.txt"] {
        assert_absent(&token, file, &std::fs::read_to_string(dir.path().join(file)).unwrap());
    }
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.header("authorization") == Some(format!("Bearer {token}").as_str())));
    assert_absent(&token, "the requests outside Authorization", &outside_header(&requests, "authorization"));
}

/// GitLab: the same, with PRIVATE-TOKEN.
#[test]
fn gitlab_token_stays_in_its_header() {
    let Some(corpus) = support::corpus() else { return };
    let config = crate::support::gitlab::Config::default();
    let token = config.token.clone();
    let (fake, server) = crate::support::gitlab::GitLab::start(&corpus, config);
    let echo = |status| Reply::json(status, json!({"message": format!("401 Unauthorized {token}")}));
    server.script("list-all-merge-request-notes", [Fault::Reply(echo(502))]);
    server.script("create-new-merge-request-note", [Fault::Reply(echo(401))]);
    let dest = support::gitlab_mr(&server, &fake);
    assert_absent(&token, "the destination's Debug", &format!("{dest:?}"));
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let (report, logs) = logged(|| {
        publish::publish(
            &dest,
            &support::settings(support::manual_clock()),
            &publication(&m, Outcome::Fail, &|b| body.render(b)),
        )
    });
    assert!(report.lines().iter().any(|l| l.contains("401 Unauthorized ***")), "{:?}", report.lines());
    assert_absent(&token, "the report", &format!("{:?}\n{}", report, report.lines().join("\n")));
    assert_absent(&token, "the logs", &logs);
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.header("private-token") == Some(token.as_str())));
    assert_absent(&token, "the requests outside PRIVATE-TOKEN", &outside_header(&requests, "private-token"));
}

/// A registry that asks for credentials (401 with a Basic challenge), then answers them with
/// `status`, echoing what it was sent in its error message: the Authorization header and the
/// password it decodes from it (so `verify` and the signature check of `run` report the failure,
/// and those errors are checked too).
struct Registry {
    status: u16,
}

impl Api for Registry {
    fn route(&self, _: &Recorded) -> Result<String, Vec<String>> {
        Ok("registry".into())
    }
    fn process(&self, _: &str, req: &Recorded) -> Reply {
        let Some(sent) = req.header("authorization") else {
            return Reply::json(401, json!({"errors": [{"code": "UNAUTHORIZED", "message": "log in"}]}))
                .header("www-authenticate", r#"Basic realm="fake""#);
        };
        let message = format!("no; you sent {sent}, that is {REGISTRY_USER}:{REGISTRY_PASSWORD}");
        let code = if self.status == 401 { "UNAUTHORIZED" } else { "UNKNOWN_ERROR_X" };
        let reply = Reply::json(self.status, json!({"errors": [{"code": code, "message": message}]}));
        if self.status == 401 { reply.header("www-authenticate", r#"Basic realm="fake""#) } else { reply }
    }
    fn check_reply(&self, _: &str, _: &Reply) -> Vec<String> {
        Vec::new()
    }
}

const REGISTRY_USER: &str = "robot";
const REGISTRY_PASSWORD: &str = "regpass-S3cr3tValue0123456789";
const GITLAB_FALLBACK_TOKEN: &str = "glpat-unusedS3cr3tValue0123456789";
const JOB_TOKEN: &str = "job-token-S3cr3tValue0123456789";
const CI_REGISTRY_PASSWORD: &str = "ci-registry-S3cr3tValue0123456789";

/// Every file under `dir`, with its text.
fn texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(texts(&path));
        } else {
            out.push((path.clone(), String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()));
        }
    }
    out
}

/// One command of the binary, by name, with its arguments and the CI it runs in.
struct Case {
    name: String,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

fn case(name: impl Into<String>, args: &[&str], env: &[(&'static str, String)]) -> Case {
    Case { name: name.into(), args: args.iter().map(|a| a.to_string()).collect(), env: env.to_vec() }
}

/// Every command of the binary, run as CI runs it with every secret verdict reads in its
/// environment (the GitHub token, both GitLab tokens, the job token, the registry credentials
/// of verdict's own variables and of GitLab's), at `-vvv` with text and JSON logs: `run` with
/// every `--format`, publishing to the fake GitHub (comment, check run, commit status, job
/// summary, step outputs) and GitLab, writing every report file, checking a signature in a
/// registry that refuses and echoes the credentials; `evidence`, `verify`, `policy test`,
/// `init`, `schema`, `--help`, `--version`, and a run on a broken artifact. No secret appears
/// on stdout, on stderr (logs and errors), in any file written, or in any request but its own
/// header (the registry's Basic credentials only in Authorization, and not even there in clear).
#[test]
fn no_command_shows_a_secret() {
    let Some(corpus) = support::corpus() else { return };
    let (github, gh_server) = crate::support::github::GitHub::start(&corpus, Default::default());
    let (gitlab, gl_server) = crate::support::gitlab::GitLab::start(&corpus, Default::default());
    let registry = Server::start(Arc::new(Registry { status: 401 }));
    let failing: Vec<Server> =
        [403, 500].into_iter().map(|status| Server::start(Arc::new(Registry { status }))).collect();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{REGISTRY_USER}:{REGISTRY_PASSWORD}"));
    let secrets = [
        github.config.token.as_str(),
        gitlab.config.token.as_str(),
        GITLAB_FALLBACK_TOKEN,
        JOB_TOKEN,
        REGISTRY_PASSWORD,
        CI_REGISTRY_PASSWORD,
        basic.as_str(),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = |name: &str| tmp.path().join(name).display().to_string();
    let github_env = support::github_job_env(&github, tmp.path());
    let gitlab_env = support::gitlab_job_env(&gl_server, &gitlab);
    let image = format!("127.0.0.1:{}/acme/app:1", registry.addr.port());
    // The signature checks of `run`: every registry, so each one's error reaches the verdict,
    // its reports and the comment.
    let images: Vec<String> = std::iter::once(&registry)
        .chain(&failing)
        .map(|server| format!("127.0.0.1:{}/acme/app:1", server.addr.port()))
        .collect();
    let checks: String = images
        .iter()
        .map(|image| {
            format!(
                "  - image: {image}\n    certificate_identity_regexp: '.*'\n    \
                 certificate_oidc_issuer: https://token.actions.githubusercontent.com\n"
            )
        })
        .collect();
    std::fs::write(tmp.path().join("verdict.yaml"), format!("signatures:\n{checks}")).unwrap();
    let run = ["run", "fixtures/demo", "--today", "2026-11-21", "-vvv"];
    let formats = ["text", "json", "markdown", "sarif", "junit", "codequality", "github"];
    let mut cases = Vec::new();
    for (i, format) in formats.into_iter().enumerate() {
        let logs = if i % 2 == 0 { "text" } else { "json" };
        let reports = out(&format!("reports-{format}"));
        let args = [&run[..], &["--format", format, "--log-format", logs, "--output-dir", &reports]].concat();
        cases.push(case(format!("run --format {format} (GitHub)"), &args, &github_env));
    }
    let github_extra =
        ["--check-run", "--commit-status", "--config", &out("verdict.yaml"), "--comment-mode", "always"];
    for logs in ["text", "json"] {
        let args = [&run[..], &github_extra[..], &["--log-format", logs]].concat();
        cases.push(case(format!("run checking a signature, {logs} logs (GitHub)"), &args, &github_env));
    }
    // Every crate at trace (hyper's and octocrab's connection and header handling included).
    let traced = [&github_env[..], &[("RUST_LOG", "trace".to_owned())]].concat();
    let args = [&run[..], &github_extra[..], &["--log-format", "json"]].concat();
    cases.push(case("run checking a signature, RUST_LOG=trace (GitHub)", &args, &traced));
    for logs in ["text", "json"] {
        let reports = out(&format!("reports-gitlab-{logs}"));
        let args = [&run[..], &["--log-format", logs, "--output-dir", &reports]].concat();
        cases.push(case(format!("run, {logs} logs (GitLab)"), &args, &gitlab_env));
    }
    // A test that logged the job's own credentials: its failure is published, the secrets are not.
    let leaky = tempfile::tempdir().unwrap();
    let said: Vec<&str> = secrets.iter().copied().filter(|s| *s != basic.as_str()).collect();
    std::fs::write(
        leaky.path().join("TEST-leak.xml"),
        format!(
            "<testsuite name=\"http\"><testcase classname=\"ApiClientTest\" name=\"sendsAuth\">\
             <failure message=\"expected 200, got 401 for Authorization: Bearer {}\">{}</failure>\
             </testcase></testsuite>",
            said.join(" "),
            said.join("\n")
        ),
    )
    .unwrap();
    let leaky_dir = leaky.path().display().to_string();
    for (system, env) in [("GitHub", &github_env), ("GitLab", &gitlab_env)] {
        let reports = out(&format!("reports-leak-{system}"));
        let args = [
            "run",
            &leaky_dir,
            "--today",
            "2026-11-21",
            "--output-dir",
            &reports,
            "--comment-mode",
            "always",
        ];
        cases.push(case(format!("run over a test that logged the secrets ({system})"), &args, env));
    }
    cases.push(case(
        "run on a broken artifact",
        &["run", "tests/cli/malformed-json.in", "-vvv"],
        &github_env,
    ));
    cases.push(case("evidence", &["evidence", "fixtures/demo", "-vvv", "-o", &out("evidence.json")], &[]));
    cases.push(case(
        "evidence (JSON logs)",
        &["evidence", "fixtures/demo", "-vvv", "--log-format", "json"],
        &[],
    ));
    let signer = [
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
    ];
    for logs in ["text", "json"] {
        let args =
            [&["verify", image.as_str(), "-vvv", "--log-format", logs, "--format", "json"], &signer[..]]
                .concat();
        cases.push(case(format!("verify, {logs} logs (a registry that refuses)"), &args, &github_env));
    }
    for server in &failing {
        let image = format!("127.0.0.1:{}/acme/app:1", server.addr.port());
        let args = [&["verify", image.as_str(), "-vvv"], &signer[..]].concat();
        cases.push(case(format!("verify (a registry that fails, {})", server.addr), &args, &github_env));
    }
    cases.push(case("policy test", &["policy", "test", "--builtin", "--coverage", "-vvv"], &github_env));
    cases.push(case("init", &["init", "--dir", &out("init"), "-vvv"], &gitlab_env));
    cases.push(case("schema", &["schema", "evidence", "-vvv"], &[]));
    cases.push(case("--help", &["--help"], &[]));
    cases.push(case("--version", &["--version"], &[]));

    for c in &cases {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_verdict"))
            .current_dir(root)
            .args(&c.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", tmp.path())
            .env("DOCKER_CONFIG", tmp.path().join("docker"))
            .env("GITLAB_TOKEN", GITLAB_FALLBACK_TOKEN)
            .env("CI_JOB_TOKEN", JOB_TOKEN)
            .env("VERDICT_REGISTRY_USERNAME", REGISTRY_USER)
            .env("VERDICT_REGISTRY_PASSWORD", REGISTRY_PASSWORD)
            .env("CI_REGISTRY", "registry.gitlab.example.com")
            .env("CI_REGISTRY_USER", "gitlab-ci-token")
            .env("CI_REGISTRY_PASSWORD", CI_REGISTRY_PASSWORD)
            .env("GITHUB_TOKEN", &github.config.token)
            .env("VERDICT_GITLAB_TOKEN", &gitlab.config.token)
            .envs(c.env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        let (name, stdout, stderr) =
            (&c.name, String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.code().is_some_and(|code| code <= 3), "{name}: {:?}\n{stderr}", output.status);
        assert!(!stdout.is_empty() || !stderr.is_empty(), "{name} says something");
        if c.args.iter().any(|a| a == "-vvv") && c.args.starts_with(&["run".into(), "fixtures/demo".into()]) {
            assert!(stderr.contains("DEBUG"), "{name}: -vvv logs every crate at debug\n{stderr}");
        }
        if c.env.iter().any(|(k, _)| *k == "RUST_LOG") {
            assert!(stderr.contains("TRACE"), "{name}: RUST_LOG=trace logs at trace\n{stderr}");
        }
        for secret in secrets {
            assert_absent(secret, &format!("the stdout of {name}"), &stdout);
            assert_absent(secret, &format!("the stderr of {name}"), &stderr);
        }
    }

    let files = texts(tmp.path());
    let written = |dir: &str| files.iter().filter(|(p, _)| p.starts_with(tmp.path().join(dir))).count();
    for dir in ["reports-text", "reports-github", "reports-gitlab-json", "init"] {
        assert!(written(dir) > 0, "{dir} was written");
    }
    for file in ["summary.md", "output.txt", "evidence.json"] {
        assert!(written(file) == 1, "{file} was written");
    }
    for (path, text) in &files {
        for secret in secrets {
            assert_absent(secret, &path.display().to_string(), text);
        }
    }

    // The requests: each token in its own header, nothing else anywhere.
    let (gh, gl) = (gh_server.requests(), gl_server.requests());
    let mut reg = registry.requests();
    for server in &failing {
        let requests = server.requests();
        assert!(!requests.is_empty(), "{} was called", server.addr);
        reg.extend(requests);
    }
    assert!(
        gh.iter().any(|r| r.op == "checks/create") && gh.iter().any(|r| r.op.contains("status")),
        "{gh:?}"
    );
    assert!(!gl.is_empty(), "GitLab was called");
    let bearer = format!("Bearer {}", github.config.token);
    assert!(gh.iter().all(|r| r.header("authorization") == Some(bearer.as_str())));
    assert!(gl.iter().all(|r| r.header("private-token") == Some(gitlab.config.token.as_str())));
    let sent_basic = format!("Basic {basic}");
    assert!(reg.iter().any(|r| r.header("authorization") == Some(sent_basic.as_str())), "{reg:?}");
    for secret in secrets {
        assert_absent(
            secret,
            "a GitHub request outside Authorization",
            &outside_header(&gh, "authorization"),
        );
        assert_absent(
            secret,
            "a GitLab request outside PRIVATE-TOKEN",
            &outside_header(&gl, "private-token"),
        );
        assert_absent(
            secret,
            "a registry request outside Authorization",
            &outside_header(&reg, "authorization"),
        );
        if secret != github.config.token {
            assert_absent(secret, "a GitHub request's Authorization", &headers_named(&gh, "authorization"));
        }
        if secret != gitlab.config.token {
            assert_absent(secret, "a GitLab request's PRIVATE-TOKEN", &headers_named(&gl, "private-token"));
        }
        if secret != basic {
            assert_absent(
                secret,
                "a registry request's Authorization",
                &headers_named(&reg, "authorization"),
            );
        }
    }
}

/// The values of one header in every request.
fn headers_named(requests: &[Recorded], header: &str) -> String {
    requests.iter().filter_map(|r| r.header(header)).collect::<Vec<_>>().join("\n")
}
