//! A fake GitHub REST API: every request is matched to an operation of the real OpenAPI
//! description and validated (path, query, body, Authorization, User-Agent); state is kept for
//! issue comments, check runs and commit statuses; every answer is built to the response schema
//! and validated against it before it leaves.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::openapi::OpenApi;
use super::server::{Api, Recorded, Reply, Server};

/// A stored comment.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub created: i64,
    pub updated: i64,
    /// A person's login; `None` for the token's own account, `github-actions[bot]`.
    pub author: Option<String>,
}

/// A stored check run.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: u64,
    pub body: Value,
    pub annotations: Vec<Value>,
    pub summary: String,
}

#[derive(Default)]
pub struct State {
    next_id: u64,
    /// Seconds since the fake's epoch: each write moves time on by a second.
    now: i64,
    pub comments: BTreeMap<u64, Comment>,
    pub check_runs: BTreeMap<u64, CheckRun>,
    pub statuses: Vec<Value>,
}

/// How the fake behaves.
pub struct Config {
    pub owner: String,
    pub repo: String,
    pub pr: u64,
    pub token: String,
    /// Writes answer 403 "Resource not accessible by integration" (a fork PR's token).
    pub read_only: bool,
    /// Comment bodies longer than this are refused with GitHub's 422.
    pub max_comment_chars: usize,
    /// Where the API is served (`/api/v3` on GitHub Enterprise Server).
    pub prefix: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            owner: "acme".into(),
            repo: "shop".into(),
            pr: 42,
            token: "ghs_fakeToken0123456789".into(),
            read_only: false,
            max_comment_chars: 65_536,
            prefix: String::new(),
        }
    }
}

pub struct GitHub {
    pub config: Config,
    openapi: Arc<OpenApi>,
    pub state: Mutex<State>,
    base: OnceLock<String>,
}

/// The description, loaded once per test binary.
fn openapi(corpus: &std::path::Path) -> Arc<OpenApi> {
    static API: OnceLock<Arc<OpenApi>> = OnceLock::new();
    API.get_or_init(|| Arc::new(OpenApi::load(&corpus.join("api/github-subset.openapi.json")))).clone()
}

/// The number of operations the description holds (all of which the fake routes and validates).
pub fn operation_count(corpus: &std::path::Path) -> usize {
    openapi(corpus).operations.len()
}

impl GitHub {
    /// Starts a fake with `config`.
    pub fn start(corpus: &std::path::Path, config: Config) -> (Arc<GitHub>, Server) {
        GitHub::start_with(corpus, config, None)
    }

    /// Starts a fake with `config`, served over TLS (`https://localhost:PORT`) when `tls` is given.
    pub fn start_with(
        corpus: &std::path::Path,
        config: Config,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> (Arc<GitHub>, Server) {
        let fake = Arc::new(GitHub {
            config,
            openapi: openapi(corpus),
            state: Mutex::new(State { next_id: 1000, ..State::default() }),
            base: OnceLock::new(),
        });
        let server = match tls {
            Some(tls) => Server::start_tls(fake.clone(), tls),
            None => Server::start(fake.clone()),
        };
        fake.base.set(server.url()).unwrap();
        (fake, server)
    }

    /// Adds a comment as if someone (or an earlier run) wrote it.
    pub fn seed_comment(&self, body: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        let issue = self.config.pr;
        new_comment(&mut s, issue, body)
    }

    /// Adds a comment written by the person `login`.
    pub fn seed_comment_by(&self, login: &str, body: &str) -> u64 {
        let id = self.seed_comment(body);
        self.state.lock().unwrap().comments.get_mut(&id).unwrap().author = Some(login.into());
        id
    }

    /// The comments on the PR, oldest first.
    pub fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.values().filter(|c| c.issue == self.config.pr).cloned().collect()
    }

    /// Comments whose first line is `marker`.
    pub fn comments_with(&self, marker: &str) -> Vec<Comment> {
        self.comments().into_iter().filter(|c| c.body.lines().next() == Some(marker)).collect()
    }

    /// The API base URL (what `GITHUB_API_URL` points at).
    pub fn base(&self) -> String {
        format!("{}{}", self.base.get().map(String::as_str).unwrap_or("http://127.0.0.1"), self.config.prefix)
    }

    /// The request's path inside the API, or `None` when it is outside the prefix.
    fn api_path<'r>(&self, req: &'r Recorded) -> Option<&'r str> {
        req.path.strip_prefix(self.config.prefix.as_str()).filter(|p| p.starts_with('/'))
    }

    fn error(&self, status: u16, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "documentation_url": "https://docs.github.com/rest"}))
    }

    fn user(&self) -> Value {
        json!({
            "login": "github-actions[bot]", "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=",
            "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "gravatar_id": "",
            "url": "https://api.github.com/users/github-actions%5Bbot%5D",
            "html_url": "https://github.com/apps/github-actions",
            "followers_url": "https://api.github.com/users/github-actions%5Bbot%5D/followers",
            "following_url": "https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}",
            "gists_url": "https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}",
            "starred_url": "https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}",
            "subscriptions_url": "https://api.github.com/users/github-actions%5Bbot%5D/subscriptions",
            "organizations_url": "https://api.github.com/users/github-actions%5Bbot%5D/orgs",
            "repos_url": "https://api.github.com/users/github-actions%5Bbot%5D/repos",
            "events_url": "https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}",
            "received_events_url": "https://api.github.com/users/github-actions%5Bbot%5D/received_events",
            "type": "Bot", "site_admin": false
        })
    }

    fn comment_json(&self, c: &Comment) -> Value {
        let Config { owner, repo, .. } = &self.config;
        json!({
            "id": c.id,
            "node_id": format!("IC_kwDOfake{}", c.id),
            "url": format!("{}/repos/{owner}/{repo}/issues/comments/{}", self.base(), c.id),
            "html_url": format!("https://github.com/{owner}/{repo}/pull/{}#issuecomment-{}", c.issue, c.id),
            "issue_url": format!("{}/repos/{owner}/{repo}/issues/{}", self.base(), c.issue),
            "body": c.body,
            "user": match &c.author {
                None => self.user(),
                Some(login) => person(login),
            },
            "created_at": timestamp(c.created),
            "updated_at": timestamp(c.updated),
            "author_association": "NONE",
        })
    }

    fn check_run_json(&self, run: &CheckRun) -> Value {
        let Config { owner, repo, .. } = &self.config;
        let b = &run.body;
        let text = |k: &str| b.get(k).cloned().unwrap_or(Value::Null);
        json!({
            "id": run.id,
            "node_id": format!("CR_kwDOfake{}", run.id),
            "head_sha": b["head_sha"],
            "external_id": text("external_id"),
            "url": format!("{}/repos/{owner}/{repo}/check-runs/{}", self.base(), run.id),
            "html_url": format!("https://github.com/{owner}/{repo}/runs/{}", run.id),
            "details_url": text("details_url"),
            "status": b.get("status").cloned().unwrap_or(json!("queued")),
            "conclusion": text("conclusion"),
            "started_at": text("started_at"),
            "completed_at": text("completed_at"),
            "output": {
                "title": b.pointer("/output/title").cloned().unwrap_or(Value::Null),
                "summary": run.summary,
                "text": Value::Null,
                "annotations_count": run.annotations.len(),
                "annotations_url": format!("{}/repos/{owner}/{repo}/check-runs/{}/annotations", self.base(), run.id),
            },
            "name": b["name"],
            "check_suite": {"id": 5},
            "app": Value::Null,
            "pull_requests": [],
        })
    }

    /// Refuses a write from a fork PR's read-only token.
    fn refuse_write(&self) -> Option<Reply> {
        self.config.read_only.then(|| self.error(403, "Resource not accessible by integration"))
    }

    fn too_long(&self, body: &str) -> Option<Reply> {
        (body.chars().count() > self.config.max_comment_chars).then(|| {
            Reply::json(
                422,
                json!({
                    "message": "Validation Failed",
                    "errors": [{"resource": "IssueComment", "code": "custom", "field": "body",
                        "message": format!("body is too long (maximum is {} characters)", self.config.max_comment_chars)}],
                    "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
                }),
            )
        })
    }
}

fn new_comment(s: &mut State, issue: u64, body: &str) -> u64 {
    s.next_id += 1;
    s.now += 1;
    let id = s.next_id;
    s.comments.insert(
        id,
        Comment { id, issue, body: body.to_string(), created: s.now, updated: s.now, author: None },
    );
    id
}

/// A person's account, as GitHub describes it.
fn person(login: &str) -> Value {
    let url = format!("https://api.github.com/users/{login}");
    json!({
        "login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4", "gravatar_id": "",
        "url": url, "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{url}/followers"), "following_url": format!("{url}/following{{/other_user}}"),
        "gists_url": format!("{url}/gists{{/gist_id}}"), "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/subscriptions"), "organizations_url": format!("{url}/orgs"),
        "repos_url": format!("{url}/repos"), "events_url": format!("{url}/events{{/privacy}}"),
        "received_events_url": format!("{url}/received_events"), "type": "User", "site_admin": false
    })
}

/// RFC 3339 from the fake's seconds (2026-01-01 onwards).
pub fn timestamp(secs: i64) -> String {
    jiff::Timestamp::from_second(1_767_225_600 + secs).unwrap().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Api for GitHub {
    fn route(&self, req: &Recorded) -> Result<String, Vec<String>> {
        let Some((op, params)) = self.api_path(req).and_then(|path| self.openapi.find(&req.method, path))
        else {
            return Err(vec![format!(
                "{} {}: no such operation in the GitHub description",
                req.method, req.path
            )]);
        };
        let body = (!req.body.is_empty()).then_some(req.body.as_str());
        let mut problems = self.openapi.validate_request(op, &params, &req.query, body);
        let expected = format!("Bearer {}", self.config.token);
        match req.header("authorization") {
            Some(a) if a == expected => {}
            Some(_) => problems.push(format!("{} {}: wrong Authorization header", req.method, req.path)),
            None => problems.push(format!("{} {}: no Authorization header", req.method, req.path)),
        }
        if req.header("user-agent").is_none_or(str::is_empty) {
            problems.push(format!("{} {}: GitHub requires a User-Agent", req.method, req.path));
        }
        if body.is_some() && !req.header("content-type").is_some_and(|c| c.starts_with("application/json")) {
            problems.push(format!(
                "{} {}: a JSON body needs Content-Type application/json",
                req.method, req.path
            ));
        }
        if problems.is_empty() { Ok(op.id.clone()) } else { Err(problems) }
    }

    fn process(&self, op: &str, req: &Recorded) -> Reply {
        let path = self.api_path(req).expect("routed before");
        let (_, params) = self.openapi.find(&req.method, path).expect("routed before");
        let Config { owner, repo, pr, .. } = &self.config;
        if params.get("owner") != Some(owner) || params.get("repo") != Some(repo) {
            return self.error(404, "Not Found");
        }
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let id = |name: &str| params.get(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or_default();
        let query =
            |name: &str| req.query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
        let mut s = self.state.lock().unwrap();
        match op {
            "issues/list-comments" => {
                if id("issue_number") != *pr {
                    return self.error(404, "Not Found");
                }
                let per_page = query("per_page").unwrap_or(30).clamp(1, 100);
                let page = query("page").unwrap_or(1).max(1);
                let all: Vec<&Comment> = s.comments.values().filter(|c| c.issue == *pr).collect();
                let items: Vec<Value> = all
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|c| self.comment_json(c))
                    .collect();
                let last = all.len().div_ceil(per_page).max(1);
                let link = |p: usize, rel: &str| {
                    format!("<{}{path}?per_page={per_page}&page={p}>; rel=\"{rel}\"", self.base())
                };
                let mut reply = Reply::json(200, Value::Array(items));
                if page < last {
                    reply =
                        reply.header("link", format!("{}, {}", link(page + 1, "next"), link(last, "last")));
                }
                reply
            }
            "issues/create-comment" => {
                if id("issue_number") != *pr {
                    return self.error(404, "Not Found");
                }
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                let text = body["body"].as_str().unwrap_or_default();
                if let Some(too_long) = self.too_long(text) {
                    return too_long;
                }
                let new = new_comment(&mut s, *pr, text);
                let c = s.comments[&new].clone();
                let location = format!("{}/repos/{owner}/{repo}/issues/comments/{new}", self.base());
                Reply::json(201, self.comment_json(&c)).header("location", location)
            }
            "issues/get-comment" => match s.comments.get(&id("comment_id")) {
                Some(c) => Reply::json(200, self.comment_json(c)),
                None => self.error(404, "Not Found"),
            },
            "issues/update-comment" => {
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                let text = body["body"].as_str().unwrap_or_default();
                if let Some(too_long) = self.too_long(text) {
                    return too_long;
                }
                s.now += 1;
                let now = s.now;
                match s.comments.get_mut(&id("comment_id")) {
                    Some(c) => {
                        c.body = text.to_string();
                        c.updated = now;
                        let c = c.clone();
                        Reply::json(200, self.comment_json(&c))
                    }
                    None => self.error(404, "Not Found"),
                }
            }
            "issues/delete-comment" => {
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                match s.comments.remove(&id("comment_id")) {
                    Some(_) => Reply::empty(204),
                    None => self.error(404, "Not Found"),
                }
            }
            "checks/create" => {
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                // GitHub counts a check run's summary in bytes (github/docs#35252).
                let summary = body.pointer("/output/summary").and_then(Value::as_str).unwrap_or_default();
                if summary.len() > 65_535 {
                    return self.error(422, "Validation Failed: summary exceeds a maximum bytesize of 65535");
                }
                s.next_id += 1;
                let run = CheckRun {
                    id: s.next_id,
                    annotations: body
                        .pointer("/output/annotations")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    summary: body
                        .pointer("/output/summary")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    body,
                };
                let reply = Reply::json(201, self.check_run_json(&run));
                s.check_runs.insert(run.id, run);
                reply
            }
            "checks/update" => {
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                let Some(run) = s.check_runs.get_mut(&id("check_run_id")) else {
                    return self.error(404, "Not Found");
                };
                // Annotations are appended, as GitHub does.
                if let Some(more) = body.pointer("/output/annotations").and_then(Value::as_array) {
                    run.annotations.extend(more.iter().cloned());
                }
                if let Some(summary) = body.pointer("/output/summary").and_then(Value::as_str) {
                    run.summary = summary.to_string();
                }
                let run = run.clone();
                Reply::json(200, self.check_run_json(&run))
            }
            "checks/get" => match s.check_runs.get(&id("check_run_id")) {
                Some(run) => Reply::json(200, self.check_run_json(run)),
                None => self.error(404, "Not Found"),
            },
            "repos/create-commit-status" => {
                if let Some(refused) = self.refuse_write() {
                    return refused;
                }
                s.next_id += 1;
                s.now += 1;
                let status = json!({
                    "url": format!("{}/repos/{owner}/{repo}/statuses/{}", self.base(), params["sha"]),
                    "avatar_url": Value::Null,
                    "id": s.next_id,
                    "node_id": format!("SC_kwDOfake{}", s.next_id),
                    "state": body["state"],
                    "description": body.get("description").cloned().unwrap_or(Value::Null),
                    "target_url": body.get("target_url").cloned().unwrap_or(Value::Null),
                    "context": body.get("context").cloned().unwrap_or(json!("default")),
                    "created_at": timestamp(s.now),
                    "updated_at": timestamp(s.now),
                    "creator": self.user(),
                });
                s.statuses.push(status.clone());
                Reply::json(201, status)
            }
            // Described but never used by verdict: answer as GitHub does for an unknown object.
            _ => self.error(404, "Not Found"),
        }
    }

    fn check_reply(&self, op: &str, reply: &Reply) -> Vec<String> {
        let Some(operation) = self.openapi.operations.iter().find(|o| o.id == op) else {
            return vec![format!("no operation {op}")];
        };
        self.openapi.validate_response(operation, reply.status, reply.body.as_ref())
    }
}
