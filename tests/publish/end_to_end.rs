//! `verdict run` as a CI job runs it, against the fake GitHub and GitLab servers: the demo's
//! verdict becomes one sticky comment that a second run updates in place, a job summary, step
//! outputs, annotations in the job log, an optional check run, report files; a failed publish
//! keeps the verdict's exit code unless `--require-publish`.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::github::{Config as GitHubConfig, GitHub};
use crate::support::gitlab::{Config as GitLabConfig, GitLab};
use crate::support::{self};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `verdict run fixtures/demo` in a GitHub Actions pull_request job pointed at `fake`.
fn run_github(fake: &GitHub, dir: &Path, extra: &[&str]) -> Output {
    let c = &fake.config;
    let event = serde_json::json!({
        "number": c.pr,
        "pull_request": {"number": c.pr,
            "head": {"sha": "0123456789abcdef0123456789abcdef01234567", "repo": {"full_name": format!("{}/{}", c.owner, c.repo)}},
            "base": {"sha": "fedcba9876543210fedcba9876543210fedcba98", "repo": {"full_name": format!("{}/{}", c.owner, c.repo)}}}
    });
    let event_path = dir.join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verdict"));
    cmd.current_dir(root())
        .args(["run", "fixtures/demo", "--today", "2026-11-21"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", format!("{}/{}", c.owner, c.repo))
        .env("GITHUB_API_URL", fake.base())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_SHA", "1111111111111111111111111111111111111111")
        .env("GITHUB_REF", format!("refs/pull/{}/merge", c.pr))
        .env("GITHUB_RUN_ID", "99")
        .env("GITHUB_TOKEN", &c.token)
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("GITHUB_OUTPUT", dir.join("output.txt"));
    cmd.output().unwrap()
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

/// GitLab: the merge request note is created once and updated in place.
#[test]
fn demo_merge_request_on_gitlab() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, GitLabConfig::default());
    let c = &fake.config;
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_verdict"))
            .current_dir(root())
            .args(["run", "fixtures/demo", "--today", "2026-11-21"])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITLAB_CI", "true")
            .env("CI_API_V4_URL", format!("{}/api/v4", server.url()))
            .env("CI_PROJECT_ID", &c.project)
            .env("CI_MERGE_REQUEST_IID", c.iid.to_string())
            .env("CI_COMMIT_SHA", "2222222222222222222222222222222222222222")
            .env("CI_PROJECT_URL", "https://gitlab.example.com/acme/shop")
            .env("CI_JOB_URL", "https://gitlab.example.com/acme/shop/-/jobs/77")
            .env("VERDICT_GITLAB_TOKEN", &c.token)
            .output()
            .unwrap()
    };
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
}
