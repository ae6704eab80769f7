//! Publishing against fake GitHub and GitLab servers on 127.0.0.1 that check every request
//! against the real API descriptions in `../shared/corpus/api` (a test fails on any request or
//! answer that breaks them), with every fault users meet injected: 5xx, secondary and primary
//! rate limits, 429, 422 "too long", 403 on fork PRs, slow, hung and dropped connections, a POST
//! that times out but landed, and two runs racing.
//!
//! Modules: `github` (the sticky comment's lifecycle, check runs, statuses, files), `faults`
//! (retries, budgets, degrading), `chaos` (many publishes with random faults and races),
//! `gitlab` (MR notes), `secrets` (no token anywhere but its header).

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::print_stderr, clippy::expect_used)]

mod chaos;
mod end_to_end;
mod faults;
mod github;
mod gitlab;
mod secrets;
mod support;

use verdict::publish::{CommentMode, Publication, Render};
use verdict::verdict::{Counts, Outcome};

/// A publication with only a comment, for `outcome`.
pub fn publication<'a>(marker: &'a str, outcome: Outcome, comment: Render<'a>) -> Publication<'a> {
    let failing = matches!(outcome, Outcome::Fail | Outcome::Error);
    Publication {
        gate_key: "default",
        marker,
        outcome,
        fails_gate: failing,
        counts: Counts { fail: usize::from(failing), warn: 2, waived: 1, excepted: 0 },
        stale_waivers: 0,
        comment_mode: CommentMode::Changes,
        comment_author: None,
        comment,
        job_summary: None,
        check_run: None,
        commit_status: false,
        reports: Vec::new(),
    }
}

/// The fakes cover every operation of both descriptions.
#[test]
fn fakes_cover_the_descriptions() {
    let Some(corpus) = support::corpus() else { return };
    assert_eq!(support::github::operation_count(&corpus), 14, "GitHub operations in the subset");
    assert_eq!(support::gitlab::operation_count(&corpus), 5, "GitLab MR note operations in the doc");
}

/// The fakes reject what the descriptions forbid (so that the other tests' silence means
/// something): unknown operations, wrong parameter types, undocumented parameters, missing or
/// mistyped body fields, too many annotations, missing credentials, overlong notes.
#[test]
fn fakes_reject_what_the_descriptions_forbid() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, gh) = support::github::GitHub::start(&corpus, support::github::Config::default());
    let auth = format!("Bearer {}", fake.config.token);
    let json = [("authorization", auth.as_str()), ("user-agent", "t"), ("content-type", "application/json")];
    let comments = "/repos/acme/shop/issues/42/comments";
    let cases: [Case; 8] = [
        ("GET", "/repos/acme/shop/nothing", &json[..2], "", "no such operation"),
        ("GET", "/repos/acme/shop/issues/forty-two/comments", &json[..2], "", "path `issue_number`"),
        ("GET", "/repos/acme/shop/issues/42/comments?per_page=many", &json[..2], "", "query `per_page`"),
        ("GET", "/repos/acme/shop/issues/42/comments?sort=asc", &json[..2], "", "not in the description"),
        ("POST", comments, &json, r#"{"text": "hi"}"#, "required property"),
        ("POST", comments, &json, r#"{"body": 5}"#, "body"),
        ("GET", comments, &json[1..2], "", "no Authorization"),
        ("POST", "/repos/acme/shop/check-runs", &json, &too_many_annotations(), "more than 50 items"),
    ];
    for (method, path, headers, body, expected) in cases {
        assert_eq!(gh.raw(method, path, headers, body), 400, "{method} {path}");
        let v = gh.take_violations();
        assert!(v.iter().any(|v| v.contains(expected)), "{method} {path}: expected `{expected}` in {v:?}");
    }

    let (fake, gl) = support::gitlab::GitLab::start(&corpus, support::gitlab::Config::default());
    let token = [("private-token", fake.config.token.as_str()), ("content-type", "application/json")];
    let notes = "/api/v4/projects/5/merge_requests/11/notes";
    let long = format!(r#"{{"body": "{}"}}"#, "z".repeat(1_000_001));
    let cases: [Case; 6] = [
        ("POST", notes, &token, r#"{"bdy": "x"}"#, "required attribute `body` missing"),
        ("POST", notes, &token, r#"{"body": "x", "confidential": true}"#, "`confidential` is not documented"),
        (
            "PUT",
            "/api/v4/projects/5/merge_requests/11/notes/1",
            &token[1..],
            r#"{"body": "x"}"#,
            "PRIVATE-TOKEN",
        ),
        ("GET", "/api/v4/projects/5/merge_requests/11/notes?sort=sideways", &token[..1], "", "one of"),
        ("POST", notes, &token, &long, "1000000 characters"),
        ("PATCH", "/api/v4/projects/5/merge_requests/11/notes/1", &token, r#"{"body": "x"}"#, "no such"),
    ];
    for (method, path, headers, body, expected) in cases {
        assert_eq!(gl.raw(method, path, headers, body), 400, "{method} {path}");
        let v = gl.take_violations();
        assert!(v.iter().any(|v| v.contains(expected)), "{method} {path}: expected `{expected}` in {v:?}");
    }
}

/// A raw request to a fake: method, path, headers, body, and a word the violation must contain.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

fn too_many_annotations() -> String {
    let one = serde_json::json!({"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "notice", "message": "m"});
    serde_json::json!({"name": "n", "head_sha": "s", "output": {"title": "t", "summary": "s", "annotations": vec![one; 51]}})
        .to_string()
}
