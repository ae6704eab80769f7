//! `verdict run` as a CI job runs it, against the fake GitHub and GitLab servers: the demo's
//! verdict becomes one sticky comment that a second run updates in place, a job summary, step
//! outputs, annotations in the job log, an optional check run, report files; a failed publish
//! keeps the verdict's exit code unless `--require-publish`.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::github::{Config as GitHubConfig, GitHub};
use crate::support::gitlab::{Config as GitLabConfig, GitLab};
use crate::support::server::{Fault, Reply};
use crate::support::{self};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `verdict run fixtures/demo` with `extra` arguments, in an environment of `vars` only.
fn run_demo<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
    extra: &[&str],
    vars: impl IntoIterator<Item = (K, V)>,
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verdict"))
        .current_dir(root())
        .args(["run", "fixtures/demo", "--today", "2026-11-21"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars)
        .output()
        .unwrap()
}

/// `verdict run fixtures/demo` in a GitHub Actions pull_request job pointed at `fake`.
fn run_github(fake: &GitHub, dir: &Path, extra: &[&str]) -> Output {
    run_demo(extra, support::github_job_env(fake, dir))
}

/// The demo in a PR job: one comment, created, then updated in place by a second run whose
/// verdict changed; the job summary, step outputs and annotations are written; the exit code is
/// the verdict's.
#[test]
fn demo_pull_request_on_github() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();

    let out = run_github(&fake, dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the verdict's exit code\n{stderr}");
    assert!(stderr.contains("publish: comment created"), "{stderr}");
    let ours = fake.comments_with("<!-- verdict:comment gate=default -->");
    assert_eq!(ours.len(), 1);
    let first = ours[0].clone();
    assert!(first.body.contains("## ❌ verdict: FAIL — 4 to fix"), "{}", first.body);
    assert!(first.body.contains("CVE-2022-22965") && first.body.contains("5.3.18"));
    // Links to files are at the PR's head commit, not the merge commit.
    assert!(first.body.contains("0123456789abcdef0123456789abcdef01234567"), "{}", first.body);
    // Annotations in the job log, after the terminal report.
    assert!(stdout.contains("✗ FAIL") && stdout.contains("::error "), "{stdout}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("verdict: FAIL"), "{summary}");
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    assert!(outputs.contains("outcome<<") && outputs.contains("\nfail\n"), "{outputs}");
    assert!(outputs.contains("waivers-attention<<"), "{outputs}");

    // Second run, with the verdict changed by --fail-on: the same comment, updated.
    let out = run_github(&fake, dir.path(), &["--fail-on", "warn"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("publish: comment updated") || stderr.contains("publish: comment unchanged"),
        "{stderr}"
    );
    let ours = fake.comments_with("<!-- verdict:comment gate=default -->");
    assert_eq!(ours.len(), 1, "never a second comment");
    assert_eq!(ours[0].id, first.id);

    // A third, identical run leaves it alone.
    let out = run_github(&fake, dir.path(), &["--fail-on", "warn"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("publish: comment unchanged"));
    assert_eq!(fake.comments_with("<!-- verdict:comment gate=default -->").len(), 1);
}

/// Report files and the check run: --output-dir writes every format, the step outputs name
/// them, and --check-run sends the annotations in batches.
#[test]
fn report_files_and_check_run() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let out = run_github(
        &fake,
        dir.path(),
        &["--output-dir", reports.to_str().unwrap(), "--check-run", "--gate-key", "api"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for f in
        ["verdict.json", "verdict.md", "verdict.sarif", "verdict.junit.xml", "gl-code-quality-report.json"]
    {
        assert!(reports.join(f).is_file(), "{f} written\n{stderr}");
    }
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    assert!(outputs.contains("report-sarif<<"), "{outputs}");
    assert!(stderr.contains("publish: check run created"), "{stderr}");
    assert_eq!(
        fake.comments_with("<!-- verdict:comment gate=api -->").len(),
        1,
        "the gate key's own comment"
    );
    assert!(server.requests().iter().any(|r| r.op == "checks/create"), "a check run was created");
}

/// Publishing that fails (the API is gone) is reported, and the exit code stays the verdict's;
/// with --require-publish it is 3.
#[test]
fn failed_publish_and_require_publish() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();
    drop(server); // nothing listens any more
    let out = run_github(&fake, dir.path(), &["--fail-on", "fail"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("publish: comment failed"), "{stderr}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("verdict: FAIL"), "the job summary still has the verdict");
    let out = run_github(&fake, dir.path(), &["--require-publish"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A context that cannot be read (a malformed `GITHUB_REPOSITORY`, an event payload that is
/// gone) still leaves the job summary with the verdict and the reason, and the step outputs, so
/// the workflow's later steps and the run's page see the verdict; nothing is sent to the API,
/// and `--require-publish` makes it exit 3.
#[test]
fn an_unreadable_context_still_writes_the_job_summary_and_outputs() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, GitHubConfig::default());
    let missing = root().join("no-such-event.json").display().to_string();
    for (name, value, why) in [
        ("GITHUB_REPOSITORY", "acme", "GITHUB_REPOSITORY is `acme`, expected `owner/name`"),
        ("GITHUB_EVENT_PATH", missing.as_str(), "read the event payload (GITHUB_EVENT_PATH)"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let run = |extra: &[&str]| {
            let mut vars = support::github_job_env(&fake, dir.path());
            vars.push((name, value.to_owned()));
            run_demo(extra, vars)
        };
        let out = run(&[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "the verdict's exit code\n{stderr}");
        assert!(
            stderr.contains("publish: comment, check run and status failed") && stderr.contains(why),
            "{stderr}"
        );
        assert!(stdout.contains("::error "), "annotations need no API: {stdout}");
        let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
        assert!(summary.contains("verdict: FAIL"), "{name}: the job summary has the verdict\n{summary}");
        assert!(summary.contains("could not publish everything") && summary.contains(why), "{summary}");
        let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
        assert!(outputs.contains("\nfail\n") && outputs.contains("publish<<"), "{outputs}");
        assert!(outputs.contains("\nfailed\n"), "the publish output says it failed: {outputs}");
        assert_eq!(run(&["--require-publish"]).status.code(), Some(3));
    }
    assert!(server.requests().is_empty(), "nothing reached the API");
}

/// `--publish-timeout` bounds publishing: a rate limit asking for longer than it allows is not
/// waited out; the publish fails at once, saying so, and the exit code stays the verdict's.
#[test]
fn publish_timeout_bounds_the_waits() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, GitHubConfig::default());
    let slow_down =
        serde_json::json!({"message": "slow down", "documentation_url": "https://docs.github.com/rest"});
    server.script(
        "issues/list-comments",
        [Fault::Reply(Reply::json(429, slow_down).header("retry-after", "30"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = run_github(&fake, dir.path(), &["--publish-timeout", "5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("publish: comment failed")).unwrap_or_default();
    assert!(
        line.contains("HTTP 429") && line.contains("waiting 30 s") && line.contains("of 5 s left"),
        "{stderr}"
    );
}

/// A copy of the demo whose Trivy report was cut off halfway, as an interrupted scan leaves it.
fn demo_with_cut_report(dir: &Path) -> std::path::PathBuf {
    let demo = dir.join("demo");
    support::copy_dir(&root().join("fixtures/demo"), &demo);
    let trivy = demo.join("reports/trivy.json");
    let text = std::fs::read(&trivy).unwrap();
    std::fs::write(&trivy, &text[..text.len() / 2]).unwrap();
    demo
}

/// With the report written to a file (`-o`), or a JSON report on stdout, the annotations still
/// reach the job log when stdout is free for them, and never go into a document on stdout.
#[test]
fn annotations_reach_the_log_when_the_report_goes_to_a_file() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("verdict.txt");
    let out = run_github(&fake, dir.path(), &["-o", report.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("::error ") && !stdout.contains("✗ FAIL"), "{stdout}");
    assert!(std::fs::read_to_string(&report).unwrap().contains("✗ FAIL"));
    let out = run_github(&fake, dir.path(), &["--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout stays one JSON document");
    assert_eq!(json["outcome"], "fail");
}

/// A run that stops before its verdict (exit 2: a report cut off) says so where its verdict
/// would have gone: the sticky comment no longer shows the earlier commit's FAIL but ERROR,
/// with the file, the place and how to fix it; the job summary, the check run and the commit
/// status say ERROR.
#[test]
fn a_stopped_run_replaces_the_verdict_on_github() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = run_github(&fake, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let first = fake.comments_with("<!-- verdict:comment gate=default -->");
    assert!(first[0].body.contains("verdict: FAIL"), "{}", first[0].body);

    let demo = demo_with_cut_report(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .current_dir(&demo)
        .args(["run", ".", "--today", "2026-11-21", "--check-run", "--commit-status"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(support::github_job_env(&fake, dir.path()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "an input error, whatever was published\n{stderr}");
    let error = stderr.find("error[ingest/truncated]").expect("the terminal has the error");
    let published = stderr.find("publish: comment updated").expect("the comment was updated");
    assert!(error < published, "the error comes first, as a verdict's report does\n{stderr}");
    assert!(out.stdout.is_empty(), "no report on stdout: {}", String::from_utf8_lossy(&out.stdout));

    let ours = fake.comments_with("<!-- verdict:comment gate=default -->");
    assert_eq!(ours.len(), 1, "the same comment");
    assert_eq!(ours[0].id, first[0].id);
    let body = &ours[0].body;
    assert!(body.contains("## 🛑 verdict: ERROR — could not judge (1 problem)"), "{body}");
    assert!(body.contains("**This commit has no verdict**"), "{body}");
    assert!(body.contains("`ingest/truncated`") && body.contains("reports/trivy.json:"), "{body}");
    assert!(body.contains("**Fix:**"), "{body}");
    assert!(body.contains("commit `0123456789ab`"), "the commit it is about: {body}");
    assert!(
        !body.contains("FAIL") && !body.contains("CVE-2022-22965"),
        "nothing of the earlier verdict: {body}"
    );

    // The job summary and the step outputs are appended to: this run's come last.
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    let error = summary.rfind("## 🛑 verdict: ERROR — could not judge (1 problem)");
    assert!(error > summary.rfind("## ❌ verdict: FAIL"), "{summary}");
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    let (_, last) = outputs.rsplit_once("outcome<<").unwrap();
    assert!(last.contains("\nerror\n"), "{outputs}");
    let created = server.requests().into_iter().find(|r| r.op == "checks/create").expect("a check run");
    // The same title as a verdict that could not judge.
    assert!(created.body.contains("\"ERROR — could not judge (1 problem)\""), "{}", created.body);
    assert!(created.body.contains("\"failure\""), "the check fails: {}", created.body);
    let state = fake.state.lock().unwrap();
    let status = state.statuses.last().expect("a commit status");
    assert_eq!(
        (status["state"].as_str(), status["context"].as_str()),
        (Some("error"), Some("verdict")),
        "the commit status says the gate could not judge"
    );
    let description = status["description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with("ERROR: verdict could not judge"),
        "no counts that read as a pass: {description}"
    );
}

/// The same on GitLab: the merge request note says ERROR instead of the earlier verdict.
#[test]
fn a_stopped_run_replaces_the_verdict_on_gitlab() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, GitLabConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_with_cut_report(dir.path());
    let run = |folder: &Path| {
        Command::new(env!("CARGO_BIN_EXE_verdict"))
            .current_dir(folder)
            .args(["run", ".", "--today", "2026-11-21"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(support::gitlab_job_env(&server, &fake))
            .output()
            .unwrap()
    };
    assert_eq!(run(&root().join("fixtures/demo")).status.code(), Some(1));
    let first = fake.notes_with("<!-- verdict:comment gate=default -->");
    assert!(first[0].body.contains("verdict: FAIL"), "{}", first[0].body);

    let out = run(&demo);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let notes = fake.notes_with("<!-- verdict:comment gate=default -->");
    assert_eq!((notes.len(), notes[0].id), (1, first[0].id), "updated in place\n{stderr}");
    let body = &notes[0].body;
    assert!(
        body.contains("verdict: ERROR — could not judge") && body.contains("`ingest/truncated`"),
        "{body}"
    );
    assert!(!body.contains("FAIL"), "{body}");
}

/// GitLab: the merge request note is created once and updated in place.
#[test]
fn demo_merge_request_on_gitlab() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, GitLabConfig::default());
    let run = |extra: &[&str]| run_demo(extra, support::gitlab_job_env(&server, &fake));
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("publish: note created") || stderr.contains("publish: comment created"),
        "{stderr}"
    );
    let first = fake.notes_with("<!-- verdict:comment gate=default -->");
    assert_eq!(first.len(), 1);
    assert!(
        first[0].body.contains(
            "https://gitlab.example.com/acme/shop/-/blob/2222222222222222222222222222222222222222/"
        ),
        "{}",
        first[0].body
    );
    let out = run(&["--fail-on", "warn"]);
    assert_eq!(out.status.code(), Some(1));
    let notes = fake.notes_with("<!-- verdict:comment gate=default -->");
    assert_eq!((notes.len(), notes[0].id), (1, first[0].id), "updated in place");
    // With report files, the note links each one in the job's artifacts (GitLab opens a file
    // of them by its path).
    let out = run(&["--output-dir", "target/tmp/gitlab-demo-reports"]);
    assert_eq!(out.status.code(), Some(1));
    let note = &fake.notes_with("<!-- verdict:comment gate=default -->")[0].body;
    assert!(
        note.contains("(https://gitlab.example.com/acme/shop/-/jobs/77/artifacts/file/target/tmp/gitlab-demo-reports/verdict.json)"),
        "{note}"
    );
}

/// The image as a GitHub job runs it: as the non-root user, on a read-only root filesystem,
/// publishing from inside the container to the fake GitHub on the host, reached by the name
/// `localhost` (name resolution in the static binary) over HTTPS with a test CA handed over
/// in SSL_CERT_FILE (the TLS stack and its certificate loading in an empty image).
#[test]
#[ignore = "needs the image: .ci/run builds it and runs this with VERDICT_IMAGE set"]
fn image_publishes_over_tls() {
    let image = std::env::var("VERDICT_IMAGE").expect("VERDICT_IMAGE names the image to test");
    let corpus = support::corpus().expect("the corpus");
    let dir = tempfile::tempdir().unwrap();
    let tls = support::test_tls(dir.path());
    let (fake, _server) = GitHub::start_with(&corpus, GitHubConfig::default(), Some(tls));
    let c = &fake.config;

    // The container's files: world-writable, since it runs as 65532.
    let gh = dir.path().join("gh");
    std::fs::create_dir(&gh).unwrap();
    std::fs::write(gh.join("event.json"), support::pull_request_event(&fake, false)).unwrap();
    for f in ["summary.md", "output.txt"] {
        std::fs::write(gh.join(f), "").unwrap();
    }
    chmod_all(&gh);
    let conf = dir.path().join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();

    let demo = root().join("fixtures/demo");
    let run = |trust_test_ca: bool| {
        let mut cmd = Command::new("podman");
        cmd.env("CONTAINERS_CONF", &conf)
            .args(["--runtime", "runc", "run", "--rm", "--network", "host", "--read-only", "--user", "65532"])
            .arg("-v")
            .arg(format!("{}:/work:ro", demo.display()))
            .arg("-v")
            .arg(format!("{}:/gh", gh.display()))
            .arg("-v")
            .arg(format!("{}:/ca.pem:ro", dir.path().join("ca.pem").display()));
        if trust_test_ca {
            cmd.args(["-e", "SSL_CERT_FILE=/ca.pem"]);
        }
        cmd.args(["-e", "GITHUB_ACTIONS=true"])
            .args(["-e", &format!("GITHUB_REPOSITORY={}/{}", c.owner, c.repo)])
            .args(["-e", &format!("GITHUB_API_URL={}", fake.base())])
            .args(["-e", "GITHUB_EVENT_NAME=pull_request", "-e", "GITHUB_EVENT_PATH=/gh/event.json"])
            .args(["-e", "GITHUB_SHA=1111111111111111111111111111111111111111", "-e", "GITHUB_RUN_ID=99"])
            .args(["-e", &format!("GITHUB_TOKEN={}", c.token)])
            .args(["-e", "GITHUB_STEP_SUMMARY=/gh/summary.md", "-e", "GITHUB_OUTPUT=/gh/output.txt"])
            .args([image.as_str(), "run", "--today", "2026-11-21"])
            .output()
            .expect("podman runs")
    };

    // With only the image's own CA bundle the test server is not trusted: the publish fails
    // (certificates are checked), and the exit code stays the verdict's.
    let out = run(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("publish: comment failed") && stderr.contains("UnknownIssuer"),
        "an untrusted certificate is refused: {stderr}"
    );
    assert!(fake.comments().is_empty());

    let out = run(true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(fake.base().starts_with("https://localhost:"), "{}", fake.base());
    assert_eq!(out.status.code(), Some(1), "the demo's exit code from the image\n{stdout}\n{stderr}");
    assert!(stderr.contains("publish: comment created"), "{stderr}");
    assert_eq!(fake.comments_with("<!-- verdict:comment gate=default -->").len(), 1);
    assert!(std::fs::read_to_string(gh.join("summary.md")).unwrap().contains("verdict: FAIL"));
    assert!(std::fs::read_to_string(gh.join("output.txt")).unwrap().contains("outcome<<"));
}

fn chmod_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        std::fs::set_permissions(e.unwrap().path(), std::fs::Permissions::from_mode(0o666)).unwrap();
    }
}

/// SIGTERM (a cancelled job, `docker stop`) and SIGINT end a run at once, even one waiting on
/// a server that never answers, with 143 and 130 as a shell reports them, and nothing more is
/// published. (As PID 1 of its container verdict gets no default action for them: without its
/// own handlers it went on publishing after the job was cancelled; `.ci/run` checks the image.)
#[test]
fn a_signal_stops_the_run_at_once() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_verdict"))
            .current_dir(root())
            .args(["run", "fixtures/demo", "--today", "2026-11-21", "--publish", "gitlab", "-q"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs([
                ("GITLAB_CI", "true".to_owned()),
                ("CI_API_V4_URL", format!("http://127.0.0.1:{port}/api/v4")),
                ("CI_PROJECT_ID", "5".to_owned()),
                ("CI_MERGE_REQUEST_IID", "11".to_owned()),
                ("VERDICT_GITLAB_TOKEN", "glpat-never-answered".to_owned()),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Publishing has begun once the run connects; the server then says nothing.
        let (_held, _) = listener.accept().unwrap();
        let killed =
            Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
        assert!(killed.success());
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "SIG{signal} did not stop the run"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("stopped by SIG{signal}: nothing more is written or published")),
            "{stderr}"
        );
    }
}

/// The image, as PID 1 of its container (`docker run`, the GitHub Action): SIGTERM (a cancelled
/// job, `docker stop`) ends a run that waits on a server that never answers, at once and with
/// 143. PID 1 gets no default action for signals, so without verdict's own handler the run went
/// on publishing until `docker stop` gave up and sent SIGKILL.
#[test]
#[ignore = "needs the image: .ci/run builds it and runs this with VERDICT_IMAGE set"]
fn image_stops_on_sigterm_as_pid_1() {
    let image = std::env::var("VERDICT_IMAGE").expect("VERDICT_IMAGE names the image to test");
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let name = format!("verdict-sigterm-{}", std::process::id());
    let podman = || {
        let mut cmd = Command::new("podman");
        cmd.env("CONTAINERS_CONF", &conf).args(["--runtime", "runc"]);
        cmd
    };
    let mut run = podman()
        .args(["run", "--rm", "--name", &name, "--network", "host"])
        .arg("-v")
        .arg(format!("{}:/work:ro", root().join("fixtures/demo").display()))
        .args(["-e", "GITLAB_CI=true", "-e", &format!("CI_API_V4_URL=http://127.0.0.1:{port}/api/v4")])
        .args([
            "-e",
            "CI_PROJECT_ID=5",
            "-e",
            "CI_MERGE_REQUEST_IID=11",
            "-e",
            "VERDICT_GITLAB_TOKEN=glpat-x",
        ])
        .args([image.as_str(), "run", "-q", "--today", "2026-11-21"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("podman runs");
    let (_held, _) = listener.accept().unwrap();
    let started = std::time::Instant::now();
    let killed =
        podman().args(["kill", "--signal", "TERM", &name]).stdout(std::process::Stdio::null()).status();
    assert!(killed.unwrap().success());
    let status = loop {
        if let Some(status) = run.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(15) {
            let _ = podman().args(["kill", &name]).status();
            panic!("SIGTERM did not stop verdict as PID 1 within 15 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut run.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("stopped by SIGTERM"), "{stderr}");
}

/// Two jobs of one run publishing one gate (matrix legs without a gate key each): the one that
/// finished last used to win the comment, the check run and the status, so a passing leg hid
/// a failing one. Now a verdict never replaces a worse one of the same run attempt: the
/// comment, check run and status keep FAIL, and the log says why. A worse verdict replaces a
/// better one with a warning, and a re-run (another attempt) replaces what it likes.
#[test]
fn a_passing_job_never_hides_a_failing_one_of_the_same_run() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, GitHubConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let passing = tempfile::tempdir().unwrap();
    std::fs::write(
        passing.path().join("TEST-ok.xml"),
        r#"<testsuite name="s"><testcase name="t"/></testsuite>"#,
    )
    .unwrap();
    let leg = |folder: &Path, attempt: &str| {
        let mut vars = support::github_job_env(&fake, dir.path());
        vars.push(("GITHUB_RUN_ATTEMPT", attempt.to_owned()));
        Command::new(env!("CARGO_BIN_EXE_verdict"))
            .current_dir(folder)
            .args(["run", ".", "--today", "2026-11-21", "--check-run", "--commit-status"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(vars)
            .output()
            .unwrap()
    };
    let marker = "<!-- verdict:comment gate=default -->";
    let states = |fake: &GitHub| {
        let state = fake.state.lock().unwrap();
        let runs: Vec<String> = state
            .check_runs
            .values()
            .map(|r| r.body["conclusion"].as_str().unwrap_or_default().to_owned())
            .collect();
        let statuses: Vec<String> =
            state.statuses.iter().map(|s| s["state"].as_str().unwrap_or_default().to_owned()).collect();
        (runs, statuses)
    };

    assert_eq!(leg(&root().join("fixtures/demo"), "1").status.code(), Some(1));
    let out = leg(passing.path(), "1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "the leg's own exit code\n{stderr}");
    assert!(stderr.contains("another job of this run already published this gate with FAIL"), "{stderr}");
    let comments = fake.comments_with(marker);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("verdict: FAIL"), "{}", comments[0].body);
    assert!(comments[0].body.contains("/actions/runs/99/attempts/1)"), "{}", comments[0].body);
    assert_eq!(states(&fake), (vec!["failure".to_owned()], vec!["failure".to_owned()]));

    // A re-run is another attempt: its verdict is the gate's.
    let out = leg(passing.path(), "2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("another job of this run"), "{stderr}");
    assert!(fake.comments_with(marker)[0].body.contains("verdict: PASS"));

    // A failing job of that attempt finishing last replaces the passing one, and says the
    // gate was shared.
    let out = leg(&root().join("fixtures/demo"), "2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another job of this run had published this gate"), "{stderr}");
    assert!(fake.comments_with(marker)[0].body.contains("verdict: FAIL"));
}
