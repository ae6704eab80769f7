//! The token appears in its header and nowhere else: not in any other part of any request, not in
//! errors (even when a server echoes it back), not in the report, the job summary, the step
//! outputs or the logs (captured at TRACE, octocrab's and hyper's included).

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use verdict::publish::{self, CheckRun};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::server::{Fault, Recorded, Reply, Server};
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
