//! GitHub: the sticky comment's lifecycle and modes, gate keys, pagination, check runs with
//! annotation batches, commit statuses, the job summary and step outputs, and push events.

use std::fs;

use verdict::publish::{self, Action, Annotation, AnnotationLevel, CheckRun, CommentMode};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::github::{Config, GitHub};
use crate::support::{self, Body};

/// First run creates the comment; the next updates it in place; an identical body is left alone
/// in `changes` mode (no PATCH is even sent).
#[test]
fn sticky_comment_lifecycle() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("default");
    let settings = support::settings(support::manual_clock());

    let first = Body::new(&m, "1 failure");
    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Fail, &|b| first.render(b)));
    let Some(Action::Created { id, url }) = report.action("comment") else { panic!("{:?}", report.lines()) };
    assert_eq!(
        url.as_deref(),
        Some(format!("https://github.com/acme/shop/pull/42#issuecomment-{id}").as_str())
    );
    assert_eq!(first.budgets(), vec![65_536], "the renderer is asked for GitHub's limit");

    let second = Body::new(&m, "fixed");
    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Pass, &|b| second.render(b)));
    assert!(matches!(report.action("comment"), Some(Action::Updated { id: same, .. }) if same == id));
    let ours = fake.comments_with(&m);
    assert_eq!((ours.len(), ours[0].id, ours[0].body.as_str()), (1, *id, format!("{m}\nfixed").as_str()));

    let before = server.requests().len();
    let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Pass, &|b| second.render(b)));
    assert!(matches!(report.action("comment"), Some(Action::Unchanged { .. })), "{:?}", report.lines());
    let ops: Vec<String> = server.requests()[before..].iter().map(|r| r.op.clone()).collect();
    assert_eq!(ops, vec!["issues/list-comments"]);
    assert!(!report.failed());
}

/// `always` updates even an identical body; `off` sends nothing at all.
#[test]
fn always_and_off_modes() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("default");
    let settings = support::settings(support::manual_clock());
    let body = Body::new(&m, "same");
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Warn, &render);
    publish::publish(&dest, &settings, &p);
    p.comment_mode = CommentMode::Always;
    let report = publish::publish(&dest, &settings, &p);
    assert!(matches!(report.action("comment"), Some(Action::Updated { .. })), "{:?}", report.lines());
    assert_eq!(server.ops().last().map(String::as_str), Some("issues/update-comment"));

    let before = server.requests().len();
    p.comment_mode = CommentMode::Off;
    let report = publish::publish(&dest, &settings, &p);
    assert!(matches!(report.action("comment"), Some(Action::Skipped { .. })));
    assert_eq!(server.requests().len(), before, "off makes no request");
    assert_eq!(fake.comments_with(&m).len(), 1);
}

/// `failures`: a passing gate with no earlier comment posts nothing; a failing one posts; a later
/// pass updates the comment so that it says the problem is fixed.
#[test]
fn failures_mode() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("default");
    let settings = support::settings(support::manual_clock());
    let run = |outcome, text: &str| {
        let body = Body::new(&m, text);
        let render = |b| body.render(b);
        let mut p = publication(&m, outcome, &render);
        p.comment_mode = CommentMode::Failures;
        publish::publish(&dest, &settings, &p)
    };
    let report = run(Outcome::Pass, "all good");
    assert!(
        matches!(report.action("comment"), Some(Action::Skipped { reason }) if reason.contains("failures"))
    );
    assert!(!server.ops().iter().any(|op| op == "issues/create-comment"));
    assert!(matches!(run(Outcome::Fail, "broken").action("comment"), Some(Action::Created { .. })));
    assert!(matches!(run(Outcome::Pass, "fixed now").action("comment"), Some(Action::Updated { .. })));
    assert_eq!(fake.comments_with(&m)[0].body, format!("{m}\nfixed now"));
}

/// Gate keys keep separate comments; comments by people (even quoting our marker) and another
/// gate's comment are never touched.
#[test]
fn gate_keys_and_foreign_comments() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let human = fake.seed_comment(&format!("LGTM, but see:\n> {}", support::marker("api")));
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let settings = support::settings(support::manual_clock());
    let (api, web) = (support::marker("api"), support::marker("web"));
    for round in ["one", "two"] {
        for m in [&api, &web] {
            let body = Body::new(m, round);
            let report =
                publish::publish(&dest, &settings, &publication(m, Outcome::Fail, &|b| body.render(b)));
            assert!(!report.failed(), "{:?}", report.lines());
        }
    }
    assert_eq!(fake.comments_with(&api).len(), 1);
    assert_eq!(fake.comments_with(&web).len(), 1);
    assert_eq!(fake.comments().len(), 3);
    assert!(fake.comments().iter().any(|c| c.id == human && c.body.starts_with("LGTM")));
    assert!(!server.ops().iter().any(|op| op == "issues/delete-comment"));
}

/// The comment is found on a later page: all pages are read, nothing is duplicated.
#[test]
fn finds_its_comment_on_a_later_page() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let m = support::marker("default");
    for i in 0..150 {
        fake.seed_comment(&format!("chatter {i}"));
    }
    let ours = fake.seed_comment(&format!("{m}\nold"));
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let body = Body::new(&m, "new");
    let report = publish::publish(
        &dest,
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|b| body.render(b)),
    );
    assert!(
        matches!(report.action("comment"), Some(Action::Updated { id, .. }) if *id == ours),
        "{:?}",
        report.lines()
    );
    let pages: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.op == "issues/list-comments")
        .map(|r| r.query.iter().find(|(k, _)| k == "page").unwrap().1.clone())
        .collect();
    assert_eq!(pages, vec!["1", "2"]);
    assert_eq!(fake.comments().len(), 151);
}

/// A push has no PR: the job summary and step outputs are written and no API is called.
#[test]
fn push_publishes_the_job_summary_only() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let event = r#"{"ref": "refs/heads/main", "after": "1111111111111111111111111111111111111111"}"#;
    let dest = support::github_destination(&fake, dir.path(), "push", Some(event), None);
    let m = support::marker("default");
    let body = Body::new(&m, "comment");
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Pass, &render);
    let summary = |budget: usize| {
        assert_eq!(budget, 1024 * 1024 - 4096, "the summary budget leaves room for a note");
        "## verdict: PASS".to_string()
    };
    p.job_summary = Some(&summary);
    let report = publish::publish(&dest, &support::settings(support::manual_clock()), &p);
    assert!(matches!(report.action("comment"), Some(Action::Skipped { reason }) if reason.contains("push")));
    assert!(matches!(report.action("job summary"), Some(Action::Written { .. })));
    assert!(server.requests().is_empty(), "no API call on a push: {:?}", server.ops());
    assert!(body.budgets().is_empty(), "the comment is not even rendered");
    assert_eq!(fs::read_to_string(dir.path().join("summary.md")).unwrap(), "## verdict: PASS\n");
    let outputs = fs::read_to_string(dir.path().join("output.txt")).unwrap();
    assert!(outputs.starts_with("outcome<<ghadelimiter_") && outputs.contains("\npass\n"), "{outputs}");
    assert!(!report.failed());
    assert!(
        matches!(report.action("comment"), Some(Action::Skipped { reason }) if reason.ends_with("in the job summary only"))
    );
    // A summary that cannot be written holds nothing: the log never says the verdict is there.
    fs::remove_file(dir.path().join("summary.md")).unwrap();
    fs::create_dir(dir.path().join("summary.md")).unwrap();
    let report = publish::publish(&dest, &support::settings(support::manual_clock()), &p);
    assert!(matches!(report.action("job summary"), Some(Action::Failed(_))));
    assert!(
        matches!(report.action("comment"), Some(Action::Skipped { reason }) if reason.ends_with("in the job's log and the report files only")),
        "{:?}",
        report.lines()
    );
}

/// A check run carries the first 50 annotations and gets the rest 50 at a time; a commit status
/// is set with the gate's context; step outputs list outcome, counts, the comment link and reports.
#[test]
fn check_run_status_and_outputs() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("api");
    let body = Body::new(&m, "3 failures");
    let annotations: Vec<Annotation> = (1..=120)
        .map(|i| Annotation {
            path: format!("src/file{i}.rs"),
            start_line: i,
            end_line: i,
            level: if i % 2 == 0 { AnnotationLevel::Warning } else { AnnotationLevel::Failure },
            message: format!("finding {i}"),
            title: Some(format!("rule {i}")),
        })
        .collect();
    let summary = |budget: usize| format!("summary within {budget}");
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.gate_key = "api";
    p.check_run =
        Some(CheckRun { name: "verdict (api)".into(), title: "FAIL".into(), summary: &summary, annotations });
    p.commit_status = true;
    p.reports = vec![("sarif".into(), dir.path().join("verdict.sarif"))];
    let report = publish::publish(&dest, &support::settings(support::manual_clock()), &p);
    assert!(!report.failed(), "{:?}", report.lines());

    let ops = server.ops();
    assert_eq!(ops.iter().filter(|o| *o == "checks/create").count(), 1);
    assert_eq!(ops.iter().filter(|o| *o == "checks/update").count(), 2);
    let state = fake.state.lock().unwrap();
    let run = state.check_runs.values().next().unwrap();
    assert_eq!(run.annotations.len(), 120);
    assert_eq!(
        run.body["head_sha"], "0123456789abcdef0123456789abcdef01234567",
        "the PR head, not the merge"
    );
    assert_eq!(
        (run.body["conclusion"].as_str(), run.body["external_id"].as_str()),
        (Some("failure"), Some("api"))
    );
    assert_eq!(run.summary, "summary within 65535");
    let status = &state.statuses[0];
    assert_eq!(
        (status["state"].as_str(), status["context"].as_str()),
        (Some("failure"), Some("verdict/api"))
    );
    assert_eq!(status["target_url"], "https://github.com/acme/shop/actions/runs/99");
    drop(state);

    let outputs = fs::read_to_string(dir.path().join("output.txt")).unwrap();
    for name in ["outcome", "failures", "warnings", "counts", "comment-url", "publish", "report-sarif"] {
        assert!(outputs.contains(&format!("{name}<<")), "{name} missing from {outputs}");
    }
    assert!(outputs.contains("\nok\n") && outputs.contains("verdict.sarif"));
}

/// GitHub limits a check run's summary to 65,535 bytes, not characters: a summary of text
/// outside ASCII (Japanese assertion messages) within the character budget is cut to the
/// bytes, and the check run is created.
#[test]
fn check_run_summary_fits_in_bytes() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let m = support::marker("default");
    let body = Body::new(&m, "150 failures");
    let summary =
        |budget: usize| "期待値は90.00でしたが81.00でした。".chars().cycle().take(budget).collect::<String>();
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.check_run = Some(CheckRun {
        name: "verdict".into(),
        title: "FAIL".into(),
        summary: &summary,
        annotations: Vec::new(),
    });
    let report = publish::publish(&dest, &support::settings(support::manual_clock()), &p);
    assert!(matches!(report.action("check run"), Some(Action::Created { .. })), "{:?}", report.lines());
    let state = fake.state.lock().unwrap();
    let run = state.check_runs.values().next().unwrap();
    assert!(run.summary.len() <= 65_535 && run.summary.len() > 60_000, "{} bytes", run.summary.len());
    assert!(run.summary.ends_with("(cut to fit: the full report is in the job's artifacts)"));
}

/// A run that could not judge gives no counts in its step outputs, as its commit status gives
/// none: a later step reading `failures == '0'` must not pass a commit nobody judged.
#[test]
fn a_run_that_could_not_judge_has_no_counts() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, _server) = GitHub::start(&corpus, Config::default());
    let read = |outcome: Outcome| {
        let dir = tempfile::tempdir().unwrap();
        let dest = support::github_pr(&fake, dir.path(), false);
        let m = support::marker("default");
        let body = Body::new(&m, "stopped");
        let render = |b| body.render(b);
        let report = publish::publish(
            &dest,
            &support::settings(support::manual_clock()),
            &publication(&m, outcome, &render),
        );
        assert!(!report.failed(), "{:?}", report.lines());
        let text = fs::read_to_string(dir.path().join("output.txt")).unwrap();
        // `name<<DELIMITER`, the value's lines, `DELIMITER`.
        let mut values = std::collections::BTreeMap::new();
        let mut lines = text.lines();
        while let Some(head) = lines.next() {
            let (name, delimiter) = head.split_once("<<").unwrap();
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            values.insert(name.to_owned(), value.join("\n"));
        }
        values
    };
    let error = read(Outcome::Error);
    assert_eq!(error["outcome"], "error");
    for name in ["failures", "warnings", "waived", "excepted", "waivers-attention", "counts"] {
        assert_eq!(error[name], "", "{name}");
    }
    let fail = read(Outcome::Fail);
    assert_eq!((fail["outcome"].as_str(), fail["failures"].as_str()), ("fail", "1"));
}

/// `--publish none` in Actions calls no API but still writes the step outputs, the action's
/// interface: a later step gated on `outcome` sees the failure.
#[test]
fn publish_none_still_writes_the_step_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output.txt");
    let vars = support::env(vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_OUTPUT", output.display().to_string()),
    ]);
    let dest = publish::resolve(publish::PublishTarget::None, &vars, Ok(None), None).unwrap();
    let m = support::marker("default");
    let report = publish::publish(
        &dest,
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|_| unreachable!("nothing is rendered")),
    );
    assert!(!report.failed(), "{:?}", report.lines());
    let text = fs::read_to_string(&output).unwrap();
    assert!(text.contains("outcome<<") && text.contains("\nfail\n"), "{text}");
    assert!(text.contains("publish<<") && text.contains("\nnone\n"), "{text}");
}

/// Running locally publishes nothing, and says so.
#[test]
fn nowhere_says_so() {
    let vars = support::env(vec![]);
    let dest = publish::resolve(publish::PublishTarget::Auto, &vars, Ok(None), None).unwrap();
    let m = support::marker("default");
    let report = publish::publish(
        &dest,
        &support::settings(support::manual_clock()),
        &publication(&m, Outcome::Fail, &|_| unreachable!("nothing is rendered")),
    );
    assert!(report.surfaces.is_empty() && !report.failed());
    assert_eq!(
        report.lines(),
        vec![
            "publish: not running in GitHub Actions or GitLab CI: nothing published (--publish github|gitlab to force)"
        ]
    );
}

/// GitHub Enterprise Server: the API under `/api/v3` (GITHUB_API_URL) is reached there.
#[test]
fn enterprise_server_api_path() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config { prefix: "/api/v3".into(), ..Config::default() });
    let report = support::pr_run(&fake, &support::settings(support::manual_clock()));
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert!(server.requests().iter().all(|r| r.path.starts_with("/api/v3/repos/acme/shop/")));
}

/// The workflow_run hand-off: a fork's workflow_run carries no PR, so `--pr` names it; the check
/// run goes on workflow_run's head SHA.
#[test]
fn workflow_run_hand_off() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let dir = tempfile::tempdir().unwrap();
    let event = r#"{"workflow_run": {"head_sha": "abababababababababababababababababababab", "pull_requests": [],
        "head_repository": {"full_name": "mallory/shop"}, "repository": {"full_name": "acme/shop"}}}"#;
    let m = support::marker("default");
    let body = Body::new(&m, "from workflow_run");
    let summary = |_| "s".to_string();
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.check_run = Some(CheckRun {
        name: "verdict".into(),
        title: "FAIL".into(),
        summary: &summary,
        annotations: vec![],
    });

    let without = support::github_destination(&fake, dir.path(), "workflow_run", Some(event), None);
    let report = publish::publish(&without, &support::settings(support::manual_clock()), &p);
    assert!(matches!(report.action("comment"), Some(Action::Skipped { .. })));

    let with = support::github_destination(&fake, dir.path(), "workflow_run", Some(event), Some(42));
    let report = publish::publish(&with, &support::settings(support::manual_clock()), &p);
    assert!(matches!(report.action("comment"), Some(Action::Created { .. })), "{:?}", report.lines());
    assert_eq!(fake.comments_with(&m).len(), 1);
    let state = fake.state.lock().unwrap();
    let heads: Vec<&str> = state.check_runs.values().map(|r| r.body["head_sha"].as_str().unwrap()).collect();
    assert_eq!(heads, vec!["abababababababababababababababababababab"; 2]);
    drop(state);
    assert!(server.requests().iter().all(|r| !r.path.contains("/pulls")));
}

/// A person can write verdict's marker as the first line of a comment (to spoof a passing
/// verdict, or by copying the raw Markdown): verdict never updates or deletes it, and keeps
/// its own comment beside it. With `--comment-author`, only that login's comments are taken.
#[test]
fn a_persons_marked_comment_is_never_taken() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = GitHub::start(&corpus, Config::default());
    let m = support::marker("default");
    let spoof = fake.seed_comment_by("mallory", &format!("{m}\n## ✅ verdict: PASS"));
    let dir = tempfile::tempdir().unwrap();
    let dest = support::github_pr(&fake, dir.path(), false);
    let settings = support::settings(support::manual_clock());
    for (round, expect_created) in [("one", true), ("two", false)] {
        let body = Body::new(&m, round);
        let report = publish::publish(&dest, &settings, &publication(&m, Outcome::Fail, &|b| body.render(b)));
        assert_eq!(
            matches!(report.action("comment"), Some(Action::Created { .. })),
            expect_created,
            "{:?}",
            report.lines()
        );
        assert!(!report.lines().iter().any(|l| l.contains("--comment-author")), "{:?}", report.lines());
    }
    let marked = fake.comments_with(&m);
    assert_eq!(marked.len(), 2);
    assert_eq!(
        (marked[0].id, marked[0].body.as_str()),
        (spoof, format!("{m}\n## ✅ verdict: PASS").as_str())
    );
    assert_eq!(marked[1].body, format!("{m}\ntwo"));
    assert!(!server.ops().iter().any(|op| op == "issues/delete-comment"));

    // Told to accept only the person's login, verdict takes that comment (and the bot's is not
    // its any more): the setting is exact.
    let body = Body::new(&m, "three");
    let render = |b| body.render(b);
    let mut p = publication(&m, Outcome::Fail, &render);
    p.comment_author = Some("Mallory");
    let report = publish::publish(&dest, &settings, &p);
    assert!(
        matches!(report.action("comment"), Some(Action::Updated { id, .. }) if *id == spoof),
        "{:?}",
        report.lines()
    );
}
