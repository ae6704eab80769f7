//! Where a verdict is published: the GitHub or GitLab context, from environment values and the
//! event payload.
//!
//! Owns: which `GITHUB_*` / `CI_*` variables mean what, how a pull request number and head SHA
//! are found for each GitHub event (`pull_request`, `pull_request_target`, `workflow_run`,
//! `push`, …), fork detection, and the token variables.
//! Takes an env lookup closure and the payload's text (the CLI reads `GITHUB_EVENT_PATH`, or
//! calls [`read_event_file`]); pure apart from that helper. Never logs or prints a token.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::PublishError;

/// The GitHub API used when `GITHUB_API_URL` is not set.
pub const DEFAULT_GITHUB_API_URL: &str = "https://api.github.com";
/// The GitHub web UI used when `GITHUB_SERVER_URL` is not set.
pub const DEFAULT_GITHUB_SERVER_URL: &str = "https://github.com";
/// The GitLab token variables, in the order they are read. `CI_JOB_TOKEN` is not among them:
/// GitLab's job token cannot write merge request notes, so a project access token with the
/// `api` scope is needed.
pub const GITLAB_TOKEN_VARIABLES: [&str; 2] = ["VERDICT_GITLAB_TOKEN", "GITLAB_TOKEN"];
/// The largest event payload [`read_event_file`] reads (GitHub caps webhook payloads at 25 MB).
pub const MAX_EVENT_BYTES: u64 = 25 * 1024 * 1024;

/// A token. It has no `Display`, its `Debug` is redacted, and only the HTTP clients in this module
/// tree see its value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for an `Authorization` or `PRIVATE-TOKEN` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the token in `text` (error texts from servers and clients).
    pub(crate) fn redact(&self, text: &str) -> String {
        // A token shorter than 4 characters would redact ordinary words; no real token is that short.
        if self.0.len() < 4 { text.to_string() } else { text.replace(&self.0, "***") }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A GitHub repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The account.
    pub owner: String,
    /// The repository's name.
    pub name: String,
}

impl Repository {
    /// Parses `owner/name`.
    pub fn parse(full: &str) -> Option<Repository> {
        let (owner, name) = full.trim().split_once('/')?;
        let ok = |s: &str| !s.is_empty() && !s.contains('/') && !s.contains(char::is_whitespace);
        (ok(owner) && ok(name)).then(|| Repository { owner: owner.to_string(), name: name.to_string() })
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A GitHub Actions run, as far as publishing is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubContext {
    /// `GITHUB_REPOSITORY`.
    pub repository: Repository,
    /// `GITHUB_API_URL` (GitHub Enterprise Server: `https://HOST/api/v3`), else api.github.com.
    pub api_url: String,
    /// `GITHUB_SERVER_URL`, else github.com.
    pub server_url: String,
    /// `GITHUB_EVENT_NAME` (`pull_request`, `push`, …); empty when unset.
    pub event_name: String,
    /// The pull request to comment on: from the payload, or the explicit hand-off (`--pr`).
    /// `None` on a push: then only the job summary and step outputs are written.
    pub pull_request: Option<u64>,
    /// The commit the check run and status belong to: the PR's head commit on PR events (not the
    /// merge commit in `GITHUB_SHA`), `workflow_run.head_sha` on `workflow_run`, else `GITHUB_SHA`.
    pub head_sha: Option<String>,
    /// The PR comes from another repository (its token is read-only on `pull_request`).
    pub fork: bool,
    /// A link to this run (`SERVER/OWNER/REPO/actions/runs/ID`).
    pub run_url: Option<String>,
    /// `GITHUB_ACTOR` (who triggered the run).
    pub actor: Option<String>,
    /// `GITHUB_TOKEN`.
    pub token: Option<Secret>,
    /// `GITHUB_STEP_SUMMARY`: the file the job summary is appended to.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: the file step outputs are written to.
    pub output: Option<PathBuf>,
}

impl GitHubContext {
    /// Reads the context through `var` and the event payload's text (`GITHUB_EVENT_PATH`'s
    /// content, if any). `pr` is the explicit hand-off (`--pr`): it wins over the payload, since a
    /// `workflow_run` from a fork carries no pull request.
    pub fn from_env(
        var: &dyn Fn(&str) -> Option<String>,
        event: Option<&str>,
        pr: Option<u64>,
    ) -> Result<GitHubContext, PublishError> {
        let get = |k: &str| var(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let repository_text = get("GITHUB_REPOSITORY").ok_or_else(|| PublishError::Context {
            system: "GitHub",
            problem: "GITHUB_REPOSITORY is not set (expected `owner/name`)".into(),
        })?;
        let repository = Repository::parse(&repository_text).ok_or_else(|| PublishError::Context {
            system: "GitHub",
            problem: format!("GITHUB_REPOSITORY is `{repository_text}`, expected `owner/name`"),
        })?;
        let payload = match event {
            Some(text) if !text.trim().is_empty() => {
                Some(serde_json::from_str::<Value>(text).map_err(|source| PublishError::Event { source })?)
            }
            _ => None,
        };
        let event_name = get("GITHUB_EVENT_NAME").unwrap_or_default();
        let from_payload = payload.as_ref().map(|p| EventFacts::read(&event_name, p)).unwrap_or_default();
        // Without a payload, a pull_request run still names its PR in GITHUB_REF (refs/pull/N/merge).
        let from_ref = get("GITHUB_REF").and_then(|r| {
            r.strip_prefix("refs/pull/").and_then(|rest| rest.split('/').next()).and_then(|n| n.parse().ok())
        });
        let pull_request = pr.or(from_payload.pull_request).or_else(|| {
            matches!(event_name.as_str(), "pull_request" | "pull_request_target")
                .then_some(from_ref)
                .flatten()
        });
        let server_url = get("GITHUB_SERVER_URL").unwrap_or_else(|| DEFAULT_GITHUB_SERVER_URL.to_string());
        // With its attempt when the runner names it: the link opens the attempt that judged, and
        // tells another job of the same attempt from a re-run.
        let attempt =
            get("GITHUB_RUN_ATTEMPT").filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()));
        let run_url = get("GITHUB_RUN_ID").map(|run| {
            let base = format!("{}/{repository}/actions/runs/{run}", server_url.trim_end_matches('/'));
            match &attempt {
                Some(n) => format!("{base}/attempts/{n}"),
                None => base,
            }
        });
        Ok(GitHubContext {
            api_url: get("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_GITHUB_API_URL.to_string()),
            server_url,
            // An issue_comment run's GITHUB_SHA is the default branch's head, not the pull
            // request's: no commit is better than the wrong one for the check run and status.
            head_sha: from_payload
                .head_sha
                .or_else(|| get("GITHUB_SHA").filter(|_| event_name != "issue_comment")),
            fork: from_payload.fork,
            pull_request,
            run_url,
            actor: get("GITHUB_ACTOR"),
            token: get("GITHUB_TOKEN").map(Secret::new),
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: get("GITHUB_OUTPUT").map(PathBuf::from),
            event_name,
            repository,
        })
    }
}

impl GitHubContext {
    /// Why this run's token is read-only by GitHub's design, if it is: on `pull_request` (and on
    /// `pull_request_review` and `pull_request_review_comment`, which GitHub treats alike), a
    /// PR from a fork or one opened by Dependabot. (`pull_request_target` and `workflow_run`
    /// get a write token, so a 403 there is a misconfiguration, not a reason to degrade.)
    pub fn read_only_token(&self) -> Option<&'static str> {
        if !matches!(
            self.event_name.as_str(),
            "pull_request" | "pull_request_review" | "pull_request_review_comment"
        ) {
            return None;
        }
        if self.fork {
            Some("this pull request comes from a fork, whose token is read-only")
        } else if self.actor.as_deref() == Some("dependabot[bot]") {
            Some("Dependabot's pull request runs get a read-only token")
        } else {
            None
        }
    }
}

/// What an event payload says about the pull request.
#[derive(Debug, Default)]
struct EventFacts {
    pull_request: Option<u64>,
    head_sha: Option<String>,
    fork: bool,
}

impl EventFacts {
    fn read(event_name: &str, p: &Value) -> EventFacts {
        let text = |ptr: &str| p.pointer(ptr).and_then(Value::as_str).map(str::to_string);
        let number = |ptr: &str| p.pointer(ptr).and_then(Value::as_u64);
        // Two repositories differ when both are named and differ, or when the head repository is
        // gone (a deleted fork leaves `null`).
        let differ = |head: &str, base: &str| match (p.pointer(head), text(base)) {
            (Some(Value::Null), _) => true,
            (Some(h), Some(b)) => h.as_str().is_some_and(|h| !h.eq_ignore_ascii_case(&b)),
            _ => false,
        };
        match event_name {
            "workflow_run" => EventFacts {
                // Empty for a PR from a fork (a GitHub limitation): hence the `--pr` hand-off.
                pull_request: number("/workflow_run/pull_requests/0/number"),
                head_sha: text("/workflow_run/head_sha"),
                fork: differ("/workflow_run/head_repository/full_name", "/workflow_run/repository/full_name"),
            },
            "issue_comment" if p.pointer("/issue/pull_request").is_some() => {
                EventFacts { pull_request: number("/issue/number"), ..EventFacts::default() }
            }
            _ if p.get("pull_request").is_some_and(Value::is_object) => EventFacts {
                pull_request: number("/number").or_else(|| number("/pull_request/number")),
                head_sha: text("/pull_request/head/sha"),
                fork: differ("/pull_request/head/repo/full_name", "/pull_request/base/repo/full_name")
                    || p.pointer("/pull_request/head/repo").is_some_and(Value::is_null),
            },
            _ => EventFacts::default(),
        }
    }
}

/// What a GitHub Actions step can still write when its context cannot be read (a malformed
/// `GITHUB_REPOSITORY`, an unreadable event payload): the job summary and the step outputs are
/// files the runner hands out, and need neither the repository nor the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubFiles {
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`.
    pub output: Option<PathBuf>,
    /// Why nothing else can be published, with its causes.
    pub problem: String,
}

impl GitHubFiles {
    /// The files `var` names, or `None` when it names neither (nothing to fall back to).
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>, problem: String) -> Option<GitHubFiles> {
        let path =
            |k: &str| var(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).map(PathBuf::from);
        let files =
            GitHubFiles { step_summary: path("GITHUB_STEP_SUMMARY"), output: path("GITHUB_OUTPUT"), problem };
        (files.step_summary.is_some() || files.output.is_some()).then_some(files)
    }
}

/// A GitLab CI job, as far as publishing is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLabContext {
    /// `CI_API_V4_URL` (`https://gitlab.example.com/api/v4`).
    pub api_url: String,
    /// The project the merge request belongs to: `CI_MERGE_REQUEST_PROJECT_ID` in a merge
    /// request pipeline (the target project, when the pipeline runs in a fork), else
    /// `CI_PROJECT_ID`. The numeric id (a `group/project` path is accepted and URL-encoded).
    pub project_id: String,
    /// `CI_MERGE_REQUEST_PROJECT_URL`: the web address of the merge request's project.
    pub merge_request_project_url: Option<String>,
    /// `CI_MERGE_REQUEST_IID`: set in merge request pipelines only.
    pub merge_request_iid: Option<u64>,
    /// `CI_COMMIT_SHA`.
    pub commit_sha: Option<String>,
    /// `CI_JOB_URL`.
    pub job_url: Option<String>,
    /// The token, from the first of [`GITLAB_TOKEN_VARIABLES`] that is set.
    pub token: Option<Secret>,
    /// `CI_SERVER_TLS_CA_FILE`: the certificates of a self-managed instance's own CA, which
    /// GitLab hands each job when its runner is set up with one; trusted beside the system's.
    pub ca_file: Option<std::path::PathBuf>,
}

impl GitLabContext {
    /// Reads the context through `var`.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<GitLabContext, PublishError> {
        let get = |k: &str| var(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let need = |k: &'static str| {
            get(k)
                .ok_or_else(|| PublishError::Context { system: "GitLab", problem: format!("{k} is not set") })
        };
        let iid = match get("CI_MERGE_REQUEST_IID") {
            Some(text) => Some(text.parse::<u64>().map_err(|_| PublishError::Context {
                system: "GitLab",
                problem: format!("CI_MERGE_REQUEST_IID is `{text}`, expected a number"),
            })?),
            None => None,
        };
        // A fork's pipeline runs in the fork (CI_PROJECT_ID), and its merge request lives in
        // the target project: the note goes there, as the merge request's own variables say.
        let api_url = need("CI_API_V4_URL")?;
        let project_id = match iid.and_then(|_| get("CI_MERGE_REQUEST_PROJECT_ID")) {
            Some(target) => target,
            None => need("CI_PROJECT_ID")?,
        };
        Ok(GitLabContext {
            api_url,
            project_id,
            merge_request_project_url: iid.and_then(|_| get("CI_MERGE_REQUEST_PROJECT_URL")),
            merge_request_iid: iid,
            commit_sha: get("CI_COMMIT_SHA"),
            job_url: get("CI_JOB_URL"),
            token: GITLAB_TOKEN_VARIABLES.iter().find_map(|k| get(k)).map(Secret::new),
            ca_file: get("CI_SERVER_TLS_CA_FILE").map(std::path::PathBuf::from),
        })
    }
}

/// Reads the event payload at `GITHUB_EVENT_PATH`, up to [`MAX_EVENT_BYTES`].
pub fn read_event_file(path: &Path) -> Result<String, PublishError> {
    let io = |source| PublishError::Io {
        what: "read the event payload (GITHUB_EVENT_PATH)",
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    file.take(MAX_EVENT_BYTES + 1).read_to_string(&mut text).map_err(io)?;
    if text.len() as u64 > MAX_EVENT_BYTES {
        return Err(io(std::io::Error::other(format!("larger than {MAX_EVENT_BYTES} bytes"))));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    const BASE: &[(&str, &str)] = &[
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_SHA", "mergesha"),
        ("GITHUB_RUN_ID", "99"),
        ("GITHUB_TOKEN", "ghs_secret"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        BASE.iter().chain(extra).copied().collect()
    }

    /// A comment on a pull request (ChatOps) names the PR but no commit of it: GITHUB_SHA is
    /// the default branch's head, where a check run or status would mark the wrong commit.
    #[test]
    fn issue_comment_names_no_commit() {
        let event = r#"{"issue": {"number": 7, "pull_request": {"url": "https://api.github.com/repos/acme/shop/pulls/7"}}}"#;
        let ctx = GitHubContext::from_env(
            &env(&with(&[("GITHUB_EVENT_NAME", "issue_comment")])),
            Some(event),
            None,
        )
        .unwrap();
        assert_eq!((ctx.pull_request, ctx.head_sha), (Some(7), None));
    }

    /// A pull_request from a fork: the PR number and its head SHA (not the merge commit), a fork.
    #[test]
    fn pull_request_from_fork() {
        let event = r#"{"number": 42, "pull_request": {"number": 42,
            "head": {"sha": "headsha", "repo": {"full_name": "mallory/shop"}},
            "base": {"sha": "basesha", "repo": {"full_name": "acme/shop"}}}}"#;
        let ctx =
            GitHubContext::from_env(&env(&with(&[("GITHUB_EVENT_NAME", "pull_request")])), Some(event), None)
                .unwrap();
        assert_eq!((ctx.pull_request, ctx.head_sha.as_deref(), ctx.fork), (Some(42), Some("headsha"), true));
        assert_eq!(ctx.api_url, "https://api.github.com");
        assert_eq!(ctx.run_url.as_deref(), Some("https://github.com/acme/shop/actions/runs/99"));
    }

    /// The same repository on both sides is not a fork; pull_request_target reads the same payload.
    #[test]
    fn pull_request_target_same_repo() {
        let event = r#"{"number": 7, "pull_request": {
            "head": {"sha": "h", "repo": {"full_name": "ACME/shop"}},
            "base": {"repo": {"full_name": "acme/shop"}}}}"#;
        let ctx = GitHubContext::from_env(
            &env(&with(&[("GITHUB_EVENT_NAME", "pull_request_target")])),
            Some(event),
            None,
        )
        .unwrap();
        assert_eq!((ctx.pull_request, ctx.fork), (Some(7), false));
    }

    /// The token is read-only by design on pull_request from a fork or by Dependabot, and not on
    /// pull_request_target.
    #[test]
    fn read_only_tokens() {
        let fork = r#"{"number": 1, "pull_request": {"head": {"sha": "h", "repo": {"full_name": "m/shop"}},
            "base": {"repo": {"full_name": "acme/shop"}}}}"#;
        let same = r#"{"number": 1, "pull_request": {"head": {"sha": "h", "repo": {"full_name": "acme/shop"}},
            "base": {"repo": {"full_name": "acme/shop"}}}}"#;
        let ctx = |event: &'static str, payload, actor: &'static str| {
            GitHubContext::from_env(
                &env(&with(&[("GITHUB_EVENT_NAME", event), ("GITHUB_ACTOR", actor)])),
                Some(payload),
                None,
            )
            .unwrap()
            .read_only_token()
        };
        assert!(ctx("pull_request", fork, "mallory").is_some_and(|w| w.contains("fork")));
        assert!(ctx("pull_request", same, "dependabot[bot]").is_some_and(|w| w.contains("Dependabot")));
        assert!(ctx("pull_request_review", fork, "mallory").is_some_and(|w| w.contains("fork")));
        assert!(ctx("pull_request_review_comment", fork, "mallory").is_some_and(|w| w.contains("fork")));
        assert_eq!(ctx("pull_request", same, "alice"), None);
        assert_eq!(ctx("pull_request_target", fork, "mallory"), None);
    }

    /// A deleted fork leaves `head.repo: null`: still a fork.
    #[test]
    fn deleted_fork() {
        let event = r#"{"number": 3, "pull_request": {"head": {"sha": "h", "repo": null},
            "base": {"repo": {"full_name": "acme/shop"}}}}"#;
        let ctx =
            GitHubContext::from_env(&env(&with(&[("GITHUB_EVENT_NAME", "pull_request")])), Some(event), None)
                .unwrap();
        assert!(ctx.fork);
    }

    /// workflow_run names its PR in pull_requests[0]; the explicit hand-off wins (a fork's
    /// workflow_run carries none).
    #[test]
    fn workflow_run_hand_off() {
        let event = r#"{"workflow_run": {"head_sha": "wrsha", "pull_requests": [{"number": 5}],
            "head_repository": {"full_name": "acme/shop"}, "repository": {"full_name": "acme/shop"}}}"#;
        let vars = env(&with(&[("GITHUB_EVENT_NAME", "workflow_run")]));
        let ctx = GitHubContext::from_env(&vars, Some(event), None).unwrap();
        assert_eq!((ctx.pull_request, ctx.head_sha.as_deref(), ctx.fork), (Some(5), Some("wrsha"), false));
        let fork = r#"{"workflow_run": {"head_sha": "wrsha", "pull_requests": [],
            "head_repository": {"full_name": "mallory/shop"}, "repository": {"full_name": "acme/shop"}}}"#;
        let ctx = GitHubContext::from_env(&vars, Some(fork), None).unwrap();
        assert_eq!((ctx.pull_request, ctx.fork), (None, true));
        let ctx = GitHubContext::from_env(&vars, Some(fork), Some(12)).unwrap();
        assert_eq!(ctx.pull_request, Some(12));
    }

    /// A push has no PR: the job summary only. The head SHA is GITHUB_SHA.
    #[test]
    fn push_has_no_pull_request() {
        let event = r#"{"ref": "refs/heads/main", "after": "mergesha", "commits": []}"#;
        let ctx = GitHubContext::from_env(&env(&with(&[("GITHUB_EVENT_NAME", "push")])), Some(event), None)
            .unwrap();
        assert_eq!((ctx.pull_request, ctx.head_sha.as_deref(), ctx.fork), (None, Some("mergesha"), false));
    }

    /// Without a payload, a pull_request run still finds its PR in GITHUB_REF.
    #[test]
    fn pull_request_from_ref() {
        let vars = env(&with(&[("GITHUB_EVENT_NAME", "pull_request"), ("GITHUB_REF", "refs/pull/8/merge")]));
        assert_eq!(GitHubContext::from_env(&vars, None, None).unwrap().pull_request, Some(8));
    }

    /// Missing or malformed variables and payloads are errors that say what is wrong.
    #[test]
    fn errors() {
        let err = GitHubContext::from_env(&env(&[]), None, None).unwrap_err();
        assert!(err.to_string().contains("GITHUB_REPOSITORY is not set"), "{err}");
        let err = GitHubContext::from_env(&env(&[("GITHUB_REPOSITORY", "shop")]), None, None).unwrap_err();
        assert!(err.to_string().contains("expected `owner/name`"), "{err}");
        let err = GitHubContext::from_env(&env(BASE), Some("{not json"), None).unwrap_err();
        assert!(err.to_string().contains("event payload"), "{err}");
    }

    /// The token is read but never shown.
    #[test]
    fn token_is_redacted() {
        let ctx = GitHubContext::from_env(&env(BASE), None, None).unwrap();
        assert!(!format!("{ctx:?}").contains("ghs_secret"));
        assert_eq!(ctx.token.as_ref().map(Secret::expose), Some("ghs_secret"));
    }

    /// GitLab: the documented variables; VERDICT_GITLAB_TOKEN before GITLAB_TOKEN; CI_JOB_TOKEN unused.
    #[test]
    fn gitlab() {
        let vars = env(&[
            ("CI_API_V4_URL", "https://gitlab.example/api/v4"),
            ("CI_PROJECT_ID", "5"),
            ("CI_MERGE_REQUEST_IID", "11"),
            ("CI_JOB_TOKEN", "job"),
            ("GITLAB_TOKEN", "second"),
            ("VERDICT_GITLAB_TOKEN", "first"),
        ]);
        let ctx = GitLabContext::from_env(&vars).unwrap();
        assert_eq!((ctx.project_id.as_str(), ctx.merge_request_iid), ("5", Some(11)));
        assert_eq!(ctx.token.as_ref().map(Secret::expose), Some("first"));
        // A merge request from a fork, its pipeline in the fork: the note goes to the target.
        let mut fork = vec![
            ("CI_API_V4_URL", "u"),
            ("CI_PROJECT_ID", "222"),
            ("CI_MERGE_REQUEST_PROJECT_ID", "111"),
            ("CI_MERGE_REQUEST_PROJECT_URL", "https://gitlab.example/acme/shop"),
            ("CI_MERGE_REQUEST_IID", "5"),
        ];
        let ctx = GitLabContext::from_env(&env(&fork)).unwrap();
        assert_eq!(ctx.project_id, "111");
        assert_eq!(ctx.merge_request_project_url.as_deref(), Some("https://gitlab.example/acme/shop"));
        fork.retain(|(k, _)| *k != "CI_MERGE_REQUEST_IID");
        let branch = GitLabContext::from_env(&env(&fork)).unwrap();
        assert_eq!((branch.project_id.as_str(), branch.merge_request_project_url), ("222", None));
        let only_job = env(&[("CI_API_V4_URL", "u"), ("CI_PROJECT_ID", "5"), ("CI_JOB_TOKEN", "job")]);
        assert_eq!(GitLabContext::from_env(&only_job).unwrap().token, None);
        assert!(GitLabContext::from_env(&env(&[])).unwrap_err().to_string().contains("CI_API_V4_URL"));
    }
}
