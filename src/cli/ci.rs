//! The CI run, from the CI system's environment variables (read once, here, at the edge).

use crate::evidence::Ci;

/// Reads the CI context through `var` (the process environment in production, a map in tests).
pub fn detect(var: impl Fn(&str) -> Option<String>) -> Ci {
    let get = |k: &str| var(k).filter(|v| !v.trim().is_empty());
    if get("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        let repository = get("GITHUB_REPOSITORY");
        let run_url = match (get("GITHUB_SERVER_URL"), &repository, get("GITHUB_RUN_ID")) {
            (Some(server), Some(repo), Some(run)) => {
                Some(format!("{}/{repo}/actions/runs/{run}", server.trim_end_matches('/')))
            }
            _ => None,
        };
        // refs/pull/123/merge on pull_request events.
        let pull_request = get("GITHUB_REF").and_then(|r| {
            r.strip_prefix("refs/pull/").and_then(|rest| rest.split('/').next()).and_then(|n| n.parse().ok())
        });
        return Ci {
            system: "github".into(),
            repository,
            git_ref: get("GITHUB_HEAD_REF").or_else(|| get("GITHUB_REF_NAME")),
            commit: get("GITHUB_SHA"),
            pull_request,
            run_url,
        };
    }
    if get("GITLAB_CI").is_some_and(|v| v == "true") {
        return Ci {
            system: "gitlab".into(),
            repository: get("CI_PROJECT_PATH"),
            git_ref: get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME").or_else(|| get("CI_COMMIT_REF_NAME")),
            commit: get("CI_COMMIT_SHA"),
            pull_request: get("CI_MERGE_REQUEST_IID").and_then(|n| n.parse().ok()),
            run_url: get("CI_JOB_URL"),
        };
    }
    Ci {
        system: if get("CI").is_some_and(|v| v != "false" && v != "0") { "other" } else { "local" }.into(),
        ..Ci::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    /// A GitHub pull request run: repository, head branch, PR number and run link.
    #[test]
    fn github_pull_request() {
        let ci = detect(env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_REF", "refs/pull/42/merge"),
            ("GITHUB_HEAD_REF", "fix-cart"),
            ("GITHUB_SHA", "abc123"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_RUN_ID", "99"),
        ]));
        assert_eq!(ci.system, "github");
        assert_eq!(ci.pull_request, Some(42));
        assert_eq!(ci.git_ref.as_deref(), Some("fix-cart"));
        assert_eq!(ci.run_url.as_deref(), Some("https://github.com/acme/shop/actions/runs/99"));
    }

    /// A GitLab merge request pipeline.
    #[test]
    fn gitlab_merge_request() {
        let ci = detect(env(&[
            ("GITLAB_CI", "true"),
            ("CI_PROJECT_PATH", "acme/shop"),
            ("CI_MERGE_REQUEST_IID", "7"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_JOB_URL", "https://gitlab.example/acme/shop/-/jobs/5"),
        ]));
        assert_eq!((ci.system.as_str(), ci.pull_request), ("gitlab", Some(7)));
    }

    /// Outside CI, nothing is invented.
    #[test]
    fn local() {
        let ci = detect(env(&[]));
        assert_eq!(ci, Ci { system: "local".into(), ..Ci::default() });
        assert_eq!(detect(env(&[("CI", "true")])).system, "other");
    }
}
