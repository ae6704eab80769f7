//! GitLab: the sticky MR note through the documented notes API — created, updated in place with
//! PUT, left alone when unchanged; system notes and people's notes untouched; pagination; too
//! long; rate limits; races; and the cases where nothing can be published.

use std::time::Duration;

use serde_json::json;
use verdict::publish::{self, Action, CommentMode, PublishTarget};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::gitlab::{Config, GitLab};
use crate::support::server::{Fault, Reply};
use crate::support::{self, Body};

/// Create, update in place, unchanged; the link points at the note on the MR page.
#[test]
fn note_lifecycle() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config::default());
    fake.seed("added 1 commit", true);
    let m = support::marker("default");
    let human = fake.seed(&format!("quoting the bot:\n{m}"), false);
    let dest = support::gitlab_mr(&server, &fake);
    let settings = support::settings(support::manual_clock());

    let first = Body::new(&m, "failing");
    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Fail, &|b| first.render(b)));
    let Some(Action::Created { id, url }) = report.action("note") else { panic!("{:?}", report.lines()) };
    assert_eq!(
        url.as_deref(),
        Some(format!("https://gitlab.example.com/acme/shop/-/merge_requests/11#note_{id}").as_str())
    );
    assert_eq!(first.budgets(), vec![1_000_000]);

    let second = Body::new(&m, "passing");
    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Pass, &|b| second.render(b)));
    assert!(matches!(report.action("note"), Some(Action::Updated { id: same, .. }) if same == id));
    assert!(server.ops().iter().any(|o| o == "modify-existing-merge-request-note"));

    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Pass, &|b| second.render(b)));
    assert!(matches!(report.action("note"), Some(Action::Unchanged { .. })));
    let ours = fake.notes_with(&m);
    assert_eq!((ours.len(), ours[0].body.as_str()), (1, format!("{m}\npassing").as_str()));
    assert_eq!(fake.notes().len(), 3, "the system note and the person's note are still there");
    assert!(fake.notes().iter().any(|n| n.id == human));
    let list = server.requests().into_iter().find(|r| r.op == "list-all-merge-request-notes").unwrap();
    assert!(
        list.query.contains(&("sort".into(), "asc".into()))
            && list.query.contains(&("per_page".into(), "100".into()))
    );
}

/// All pages are read (X-Next-Page) before deciding there is no note.
#[test]
fn reads_every_page() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config::default());
    let m = support::marker("default");
    for i in 0..130 {
        fake.seed(&format!("note {i}"), i % 10 == 0);
    }
    let ours = fake.seed(&format!("{m}\nold"), false);
    let body = Body::new(&m, "new");
    let report = publish::publish(
        &support::gitlab_mr(&server, &fake),
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert!(
        matches!(report.action("note"), Some(Action::Updated { id, .. }) if *id == ours),
        "{:?}",
        report.lines()
    );
    assert_eq!(server.ops().iter().filter(|o| *o == "list-all-merge-request-notes").count(), 2);
}

/// GitLab's "is too long" (400) shrinks the note to the named maximum.
#[test]
fn too_long_note_shrinks() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config { max_note_chars: 5_000, ..Config::default() });
    let m = support::marker("default");
    let render = |budget: usize| format!("{m}\n{}", "y".repeat(budget.min(20_000)));
    let report = publish::publish(
        &support::gitlab_mr(&server, &fake),
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &render),
    );
    assert!(matches!(report.action("note"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(fake.notes_with(&m)[0].body.chars().count(), 4_900);
}

/// 429 with GitLab's RateLimit headers, then a 500: both waited out.
#[test]
fn rate_limits_and_server_errors() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config::default());
    let reset = (support::EPOCH_SECS + 10).to_string();
    server.script(
        "list-all-merge-request-notes",
        [Fault::Reply(
            Reply::json(429, json!({"message": "429 Too Many Requests"}))
                .header("ratelimit-remaining", "0")
                .header("ratelimit-reset", reset),
        )],
    );
    server.script(
        "create-new-merge-request-note",
        [Fault::Reply(Reply::json(429, json!({"message": "Retry later"})).header("retry-after", "2"))],
    );
    let clock = support::manual_clock();
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let report = publish::publish(
        &support::gitlab_mr(&server, &fake),
        &support::settings(clock.clone()),
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert!(matches!(report.action("note"), Some(Action::Created { .. })), "{:?}", report.lines());
    let sleeps = clock.sleeps();
    assert!(sleeps[0] > Duration::from_secs(10) && sleeps[0] <= Duration::from_secs(11), "{sleeps:?}");
    assert_eq!(sleeps[1], Duration::from_secs(2));
    assert_eq!(fake.notes_with(&m).len(), 1);
}

/// Two pipelines racing end with one note.
#[test]
fn concurrent_pipelines_end_with_one_note() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config::default());
    server.script("list-all-merge-request-notes", [Fault::Barrier(2), Fault::Barrier(2)]);
    let dest = support::gitlab_mr(&server, &fake);
    let m = support::marker("default");
    let reports = support::race(&dest, &m);
    assert!(reports.iter().all(|r| !r.failed()), "{reports:?}");
    assert_eq!(server.ops().iter().filter(|o| *o == "create-new-merge-request-note").count(), 2);
    assert_eq!(fake.notes_with(&m).len(), 1);
}

/// A branch pipeline (no MR) skips the note; no token fails with the documented variable named;
/// neither sends a request. `failures` mode on a pass with no note posts nothing.
#[test]
fn when_nothing_can_be_published() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitLab::start(&corpus, Config::default());
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let settings = support::settings(support::manual_clock());
    let base = |extra: Vec<(&'static str, String)>| {
        let mut vars = vec![
            ("GITLAB_CI", "true".to_string()),
            ("CI_API_V4_URL", format!("{}/api/v4", server.url())),
            ("CI_PROJECT_ID", "5".to_string()),
            ("CI_JOB_TOKEN", "job-token".to_string()),
        ];
        vars.extend(extra);
        publish::resolve(PublishTarget::Auto, &support::env(vars), Ok(None), None).unwrap()
    };
    let branch = base(vec![("VERDICT_GITLAB_TOKEN", fake.config.token.clone())]);
    let report = publish::publish(&branch, &settings, &publication(&m, Outcome::Fail, &|b| body.render(b)));
    assert!(
        matches!(report.action("note"), Some(Action::Skipped { reason }) if reason.contains("CI_MERGE_REQUEST_IID"))
    );

    let no_token = base(vec![("CI_MERGE_REQUEST_IID", "11".into())]);
    let report = publish::publish(&no_token, &settings, &publication(&m, Outcome::Fail, &|b| body.render(b)));
    let line = report.lines().into_iter().find(|l| l.contains("note failed")).unwrap();
    assert!(
        line.contains("VERDICT_GITLAB_TOKEN") && line.contains("CI_JOB_TOKEN cannot write notes"),
        "{line}"
    );

    let render = |b| body.render(b);

    let mut p = publication(&m, Outcome::Pass, &render);
    p.comment_mode = CommentMode::Failures;
    let report = publish::publish(&support::gitlab_mr(&server, &fake), &settings, &p);
    assert!(matches!(report.action("note"), Some(Action::Skipped { .. })));
    assert_eq!(server.ops(), vec!["get-current-user", "list-all-merge-request-notes"]);
    assert!(fake.notes().is_empty());
}

/// A marked note of another user's is never updated or deleted: verdict keeps its own note,
/// by the token's user, beside it. That holds for a person's note whose first line is
/// verdict's marker, and for the note of an earlier token's bot user: a project access token
/// made anew writes as a new bot user, which GitLab lets edit only its own notes (the fake
/// answers 403 as GitLab does), so taking the old note would fail on every run and keep the
/// merge request showing the old verdict.
#[test]
fn another_users_marked_note_is_never_taken() {
    let Some(corpus) = support::corpus() else { return };
    for (author, said) in [("mallory", "all green"), ("project_5_bot_a41b07", "## ✅ verdict: PASS")] {
        let (fake, server) = GitLab::start(&corpus, Config::default());
        let m = support::marker("default");
        let theirs = fake.seed_by(author, &format!("{m}\n{said}"));
        let dest = support::gitlab_mr(&server, &fake);
        let settings = support::settings(support::manual_clock());
        for round in ["one", "two"] {
            let body = Body::new(&m, round);
            let report =
                publish::publish(&dest, &settings, &publication(&m, Outcome::Fail, &|b| body.render(b)));
            assert!(!report.failed(), "{author}: {:?}", report.lines());
        }
        let marked = fake.notes_with(&m);
        assert_eq!(marked.len(), 2, "{author}: {marked:?}");
        assert_eq!((marked[0].id, marked[0].body.as_str()), (theirs, format!("{m}\n{said}").as_str()));
        assert_eq!(
            (marked[1].author.as_deref(), marked[1].body.as_str()),
            (None, format!("{m}\ntwo").as_str())
        );
        assert!(!server.ops().iter().any(|op| op == "delete-a-merge-request-note"));
        assert_eq!(server.ops().iter().filter(|op| *op == "get-current-user").count(), 2);
    }
}

/// A self-managed GitLab whose certificate comes from the instance's own CA: GitLab hands the
/// job that CA as `CI_SERVER_TLS_CA_FILE`, which verdict trusts beside the system's. Without
/// it the note fails as the certificate's issuer is unknown; a file with no certificate says so.
#[test]
fn a_self_managed_instances_own_ca() {
    let Some(corpus) = support::corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tls = support::test_tls(dir.path());
    let (fake, server) = GitLab::start_with(&corpus, Config::default(), Some(tls));
    assert!(server.url().starts_with("https://localhost:"), "{}", server.url());
    let m = support::marker("default");
    let body = Body::new(&m, "x");
    let settings = support::settings(support::manual_clock());
    let publish_with = |ca: Option<String>| {
        let mut vars = support::gitlab_job_env(&server, &fake);
        vars.extend(ca.map(|ca| ("CI_SERVER_TLS_CA_FILE", ca)));
        let dest = publish::resolve(PublishTarget::Auto, &support::env(vars), Ok(None), None).unwrap();
        publish::publish(&dest, &settings, &publication(&m, Outcome::Fail, &|b| body.render(b)))
    };
    let report = publish_with(None);
    assert!(report.failed(), "an unknown issuer: {:?}", report.lines());
    assert!(fake.notes().is_empty());
    let report = publish_with(Some(dir.path().join("ca.pem").display().to_string()));
    assert!(!report.failed(), "{:?}", report.lines());
    assert_eq!(fake.notes_with(&m).len(), 1);
    std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").unwrap();
    let report = publish_with(Some(dir.path().join("empty.pem").display().to_string()));
    let line = report.lines().into_iter().find(|l| l.contains("note failed")).unwrap_or_default();
    assert!(line.contains("CI_SERVER_TLS_CA_FILE") && line.contains("holds no CA certificate"), "{line}");
}
