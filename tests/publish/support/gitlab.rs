//! A fake GitLab notes API whose rules are read from GitLab's own documentation
//! (`corpus/api/gitlab-notes.md`, the "Merge requests" section): each `###` section gives an
//! operation (method and path from its `plaintext` block, attributes from its table: name, type,
//! required, "Limited to N characters"). Requests must match an operation, carry `PRIVATE-TOKEN`,
//! send only documented attributes of the documented types, and include the required ones. Notes
//! are answered in the shape of the documented example note, and that is checked too.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::server::{Api, Recorded, Reply, Server};

/// One documented attribute.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub kind: String,
    pub required: bool,
    /// Allowed values, for query attributes documented as "`a` or `b`".
    pub one_of: Vec<String>,
    /// "Limited to N characters".
    pub max_chars: Option<usize>,
}

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: Vec<String>,
    pub attributes: Vec<Attribute>,
}

/// The Merge requests section of the notes doc.
#[derive(Debug)]
pub struct Doc {
    pub operations: Vec<Operation>,
    /// The example note of "Get single merge request note".
    pub example_note: Value,
}

/// Pagination attributes every list accepts (the doc's "Notes pagination" links to them).
const PAGINATION: [&str; 2] = ["page", "per_page"];

impl Doc {
    pub fn load(path: &std::path::Path) -> Doc {
        let text = std::fs::read_to_string(path).expect("read the GitLab notes doc");
        let section = text.split("\n## Merge requests").nth(1).expect("a Merge requests section");
        let section = section.split("\n## ").next().unwrap_or(section);
        let mut operations = Vec::new();
        let mut example_note = Value::Null;
        for sub in section.split("\n### ").skip(1) {
            let title = sub.lines().next().unwrap_or_default().trim();
            let id: String = title.to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
            let plain = sub
                .split("```plaintext")
                .nth(1)
                .and_then(|b| b.split("```").next())
                .expect("a plaintext block");
            let line = plain.lines().map(str::trim).find(|l| !l.is_empty()).expect("a METHOD /path line");
            let (method, path) = line.split_once(' ').expect("METHOD /path");
            let template = path.trim_start_matches('/').split('/').map(str::to_string).collect();
            let attributes = sub
                .lines()
                .filter(|l| l.trim_start().starts_with("| `"))
                .map(|row| {
                    let cols: Vec<&str> = row.split('|').map(str::trim).collect();
                    let description = cols.get(4).copied().unwrap_or_default();
                    let limit = description
                        .split("Limited to ")
                        .nth(1)
                        .map(|rest| {
                            rest.chars()
                                .take_while(|c| c.is_ascii_digit() || *c == ',')
                                .filter(|c| *c != ',')
                                .collect::<String>()
                        })
                        .and_then(|n| n.parse().ok());
                    let one_of = if method == "GET" && description.contains("` or `") {
                        description.split('`').skip(1).step_by(2).map(str::to_string).collect()
                    } else {
                        Vec::new()
                    };
                    Attribute {
                        name: cols[1].trim_matches('`').to_string(),
                        kind: cols[2].to_string(),
                        required: cols[3] == "yes",
                        one_of,
                        max_chars: limit,
                    }
                })
                .collect();
            if title == "Get single merge request note" {
                let block =
                    sub.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("an example");
                example_note = serde_json::from_str(block).expect("the example note is JSON");
            }
            operations.push(Operation { id, method: method.to_string(), template, attributes });
        }
        Doc { operations, example_note }
    }

    fn find(&self, method: &str, parts: &[&str]) -> Option<(&Operation, BTreeMap<String, String>)> {
        self.operations.iter().filter(|o| o.method == method).find_map(|o| {
            if o.template.len() != parts.len() {
                return None;
            }
            let mut params = BTreeMap::new();
            for (t, p) in o.template.iter().zip(parts) {
                match t.strip_prefix(':') {
                    Some(name) if !p.is_empty() => {
                        params.insert(name.to_string(), super::server::decode(p));
                    }
                    Some(_) => return None,
                    None if t == p => {}
                    None => return None,
                }
            }
            Some((o, params))
        })
    }
}

/// Whether a JSON value has the documented type.
fn has_kind(v: &Value, kind: &str) -> bool {
    match kind {
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "boolean" => v.is_boolean(),
        "integer or string" => v.is_string() || v.is_u64(),
        _ => true,
    }
}

/// Every key of the example that `actual` lacks or types differently.
fn shape_problems(example: &Value, actual: &Value, at: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let (Some(ex), Some(ac)) = (example.as_object(), actual.as_object()) else {
        return vec![format!("{at}: not an object")];
    };
    for (k, e) in ex {
        match ac.get(k) {
            None => problems.push(format!("{at}: `{k}` missing")),
            Some(a) if e.is_object() => problems.extend(shape_problems(e, a, &format!("{at}.{k}"))),
            Some(a) => {
                let same = match e {
                    Value::Null => true,
                    Value::Bool(_) => a.is_boolean(),
                    Value::Number(_) => a.is_number(),
                    Value::String(_) => a.is_string(),
                    _ => true,
                };
                if !same {
                    problems.push(format!("{at}: `{k}` is {a}, the doc's example has {e}"));
                }
            }
        }
    }
    problems
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: u64,
    pub body: String,
    pub system: bool,
    pub created: i64,
    pub updated: i64,
    /// A person's username; `None` for the token's own user, `project_5_bot`.
    pub author: Option<String>,
}

#[derive(Default)]
pub struct State {
    next_id: u64,
    now: i64,
    pub notes: BTreeMap<u64, Note>,
}

pub struct Config {
    pub project: String,
    pub iid: u64,
    pub token: String,
    /// Bodies longer than this are refused as GitLab does (400, "is too long").
    pub max_note_chars: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            project: "5".into(),
            iid: 11,
            token: "glpat-fakeToken0123456789".into(),
            max_note_chars: 1_000_000,
        }
    }
}

pub struct GitLab {
    pub config: Config,
    doc: Arc<Doc>,
    pub state: Mutex<State>,
}

fn doc(corpus: &std::path::Path) -> Arc<Doc> {
    static DOC: OnceLock<Arc<Doc>> = OnceLock::new();
    DOC.get_or_init(|| Arc::new(Doc::load(&corpus.join("api/gitlab-notes.md")))).clone()
}

/// The documented operations' count.
pub fn operation_count(corpus: &std::path::Path) -> usize {
    doc(corpus).operations.len()
}

impl GitLab {
    pub fn start(corpus: &std::path::Path, config: Config) -> (Arc<GitLab>, Server) {
        Self::start_with(corpus, config, None)
    }

    /// [`GitLab::start`], over TLS with `tls` when given (reached as `https://localhost:PORT`).
    pub fn start_with(
        corpus: &std::path::Path,
        config: Config,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> (Arc<GitLab>, Server) {
        let fake = Arc::new(GitLab {
            config,
            doc: doc(corpus),
            state: Mutex::new(State { next_id: 300, ..State::default() }),
        });
        let server = match tls {
            None => Server::start(fake.clone()),
            Some(tls) => Server::start_tls(fake.clone(), tls),
        };
        (fake, server)
    }

    pub fn seed(&self, body: &str, system: bool) -> u64 {
        let mut s = self.state.lock().unwrap();
        new_note(&mut s, body, system)
    }

    /// Adds a note written by the person `username`.
    pub fn seed_by(&self, username: &str, body: &str) -> u64 {
        let id = self.seed(body, false);
        self.state.lock().unwrap().notes.get_mut(&id).unwrap().author = Some(username.into());
        id
    }

    pub fn notes(&self) -> Vec<Note> {
        self.state.lock().unwrap().notes.values().cloned().collect()
    }

    pub fn notes_with(&self, marker: &str) -> Vec<Note> {
        self.notes().into_iter().filter(|n| n.body.lines().next() == Some(marker)).collect()
    }

    fn note_json(&self, n: &Note) -> Value {
        json!({
            "id": n.id, "body": n.body, "attachment": Value::Null,
            "author": match &n.author {
                None => json!({"id": 1, "username": "project_5_bot", "email": "bot@example.com",
                    "name": "verdict bot", "state": "active", "created_at": "2013-09-30T13:46:01Z"}),
                Some(username) => json!({"id": 2, "username": username, "email": "person@example.com",
                    "name": username, "state": "active", "created_at": "2013-09-30T13:46:01Z"}),
            },
            "created_at": super::github::timestamp(n.created), "updated_at": super::github::timestamp(n.updated),
            "system": n.system, "noteable_id": 2, "noteable_type": "MergeRequest",
            "project_id": self.config.project.parse::<u64>().unwrap_or(5), "noteable_iid": self.config.iid,
            "resolvable": false, "confidential": false, "internal": false,
        })
    }

    fn error(status: u16, message: Value) -> Reply {
        Reply::json(status, json!({ "message": message }))
    }
}

fn new_note(s: &mut State, body: &str, system: bool) -> u64 {
    s.next_id += 1;
    s.now += 1;
    let id = s.next_id;
    s.notes.insert(
        id,
        Note { id, body: body.to_string(), system, created: s.now, updated: s.now, author: None },
    );
    id
}

impl Api for GitLab {
    fn route(&self, req: &Recorded) -> Result<String, Vec<String>> {
        let what = format!("{} {}", req.method, req.path);
        let Some(rest) = req.path.strip_prefix("/api/v4/") else {
            return Err(vec![format!("{what}: not under /api/v4")]);
        };
        let parts: Vec<&str> = rest.split('/').collect();
        // The Users API's "current user" (GitLab's `GET /user`, outside the notes doc): the
        // token's own user, a project access token's bot.
        if req.method == "GET" && rest == "user" {
            if req.header("private-token") != Some(self.config.token.as_str()) {
                return Err(vec![format!("{what}: PRIVATE-TOKEN missing or wrong")]);
            }
            return if req.query.is_empty() && req.body.is_empty() {
                Ok("get-current-user".into())
            } else {
                Err(vec![format!("{what}: takes no attributes")])
            };
        }
        let Some((op, params)) = self.doc.find(&req.method, &parts) else {
            return Err(vec![format!("{what}: no such merge request notes operation in the GitLab doc")]);
        };
        let mut problems = Vec::new();
        if req.header("private-token") != Some(self.config.token.as_str()) {
            problems.push(format!("{what}: PRIVATE-TOKEN missing or wrong"));
        }
        for (name, value) in &params {
            let a = op.attributes.iter().find(|a| &a.name == name);
            if a.is_some_and(|a| a.kind == "integer") && value.parse::<u64>().is_err() {
                problems.push(format!("{what}: `{name}` must be an integer"));
            }
        }
        // Attributes: from the query, and from a JSON body.
        let mut given: Vec<(String, Value)> = req.query.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        if !req.body.is_empty() {
            match serde_json::from_str::<Value>(&req.body) {
                Ok(Value::Object(map)) => given.extend(map),
                _ => problems.push(format!("{what}: the body is not a JSON object")),
            }
            if !req.header("content-type").is_some_and(|c| c.starts_with("application/json")) {
                problems.push(format!("{what}: a JSON body needs Content-Type application/json"));
            }
        }
        for (name, value) in &given {
            if op.method == "GET" && PAGINATION.contains(&name.as_str()) {
                if value
                    .as_str()
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_none_or(|n| n == 0 || (name == "per_page" && n > 100))
                {
                    problems
                        .push(format!("{what}: `{name}` must be a positive integer (per_page at most 100)"));
                }
                continue;
            }
            let Some(a) = op.attributes.iter().find(|a| &a.name == name && !params.contains_key(name)) else {
                problems.push(format!("{what}: attribute `{name}` is not documented for this operation"));
                continue;
            };
            let from_query = req.query.iter().any(|(k, _)| k == name);
            if !from_query && !has_kind(value, &a.kind) {
                problems.push(format!("{what}: `{name}` must be {}", a.kind));
            }
            if !a.one_of.is_empty() && !value.as_str().is_some_and(|v| a.one_of.iter().any(|o| o == v)) {
                problems.push(format!("{what}: `{name}` must be one of {:?}", a.one_of));
            }
            if let (Some(max), Some(text)) = (a.max_chars, value.as_str())
                && text.chars().count() > max
            {
                problems.push(format!("{what}: `{name}` is longer than the documented {max} characters"));
            }
        }
        for a in op.attributes.iter().filter(|a| a.required && !params.contains_key(&a.name)) {
            if !given.iter().any(|(k, _)| k == &a.name) {
                problems.push(format!("{what}: required attribute `{}` missing", a.name));
            }
        }
        if problems.is_empty() { Ok(op.id.clone()) } else { Err(problems) }
    }

    fn process(&self, op: &str, req: &Recorded) -> Reply {
        if op == "get-current-user" {
            return Reply::json(
                200,
                json!({"id": 1, "username": "project_5_bot", "name": "verdict bot", "state": "active",
                    "bot": true, "avatar_url": Value::Null, "web_url": "https://gitlab.example.com/project_5_bot"}),
            );
        }
        let parts: Vec<&str> = req.path.trim_start_matches("/api/v4/").split('/').collect();
        let (_, params) = self.doc.find(&req.method, &parts).expect("routed before");
        if params.get("id") != Some(&self.config.project)
            || params.get("merge_request_iid").and_then(|v| v.parse::<u64>().ok()) != Some(self.config.iid)
        {
            return Self::error(404, json!("404 Not found"));
        }
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let note_id = params.get("note_id").and_then(|v| v.parse::<u64>().ok()).unwrap_or_default();
        let query =
            |name: &str| req.query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
        let too_long = |text: &str| {
            (text.chars().count() > self.config.max_note_chars).then(|| {
                Self::error(400, json!({"note": [format!("is too long (maximum is {} characters)", self.config.max_note_chars)]}))
            })
        };
        let mut s = self.state.lock().unwrap();
        match op {
            "list-all-merge-request-notes" => {
                let per_page = query("per_page").unwrap_or(20);
                let page = query("page").unwrap_or(1);
                let mut all: Vec<&Note> = s.notes.values().collect();
                let asc = req.query.iter().any(|(k, v)| k == "sort" && v == "asc");
                if !asc {
                    all.reverse();
                }
                let total_pages = all.len().div_ceil(per_page).max(1);
                let items: Vec<Value> = all
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|n| self.note_json(n))
                    .collect();
                let next = if page < total_pages { (page + 1).to_string() } else { String::new() };
                Reply::json(200, Value::Array(items))
                    .header("x-page", page.to_string())
                    .header("x-per-page", per_page.to_string())
                    .header("x-next-page", next)
                    .header("x-total", all.len().to_string())
                    .header("x-total-pages", total_pages.to_string())
            }
            "get-single-merge-request-note" => match s.notes.get(&note_id) {
                Some(n) => Reply::json(200, self.note_json(n)),
                None => Self::error(404, json!("404 Not found")),
            },
            "create-new-merge-request-note" => {
                let text = body["body"].as_str().unwrap_or_default();
                if let Some(refused) = too_long(text) {
                    return refused;
                }
                let id = new_note(&mut s, text, false);
                Reply::json(201, self.note_json(&s.notes[&id]))
            }
            "modify-existing-merge-request-note" => {
                let text = body["body"].as_str().unwrap_or_default();
                if let Some(refused) = too_long(text) {
                    return refused;
                }
                // Only a note's author edits it (a Reporter's token may not edit another's).
                if s.notes.get(&note_id).is_some_and(|n| n.author.is_some()) {
                    return Self::error(403, json!("403 Forbidden"));
                }
                s.now += 1;
                let now = s.now;
                match s.notes.get_mut(&note_id) {
                    Some(n) => {
                        n.body = text.to_string();
                        n.updated = now;
                        let n = n.clone();
                        Reply::json(200, self.note_json(&n))
                    }
                    None => Self::error(404, json!("404 Not found")),
                }
            }
            "delete-a-merge-request-note" if s.notes.get(&note_id).is_some_and(|n| n.author.is_some()) => {
                Self::error(403, json!("403 Forbidden"))
            }
            "delete-a-merge-request-note" => match s.notes.remove(&note_id) {
                Some(_) => Reply::empty(204),
                None => Self::error(404, json!("404 Not found")),
            },
            other => Self::error(500, json!(format!("the fake does not implement {other}"))),
        }
    }

    fn check_reply(&self, op: &str, reply: &Reply) -> Vec<String> {
        let example = &self.doc.example_note;
        match (&reply.body, reply.status) {
            // Not a note: the user verdict reads only the `username` of.
            (Some(user), 200) if op == "get-current-user" => {
                if user["username"].is_string() {
                    Vec::new()
                } else {
                    vec![format!("fake's {op} answer: no username")]
                }
            }
            (Some(Value::Array(items)), 200) => items
                .iter()
                .flat_map(|n| shape_problems(example, n, &format!("fake's {op} answer")))
                .collect(),
            (Some(note), 200 | 201) => shape_problems(example, note, &format!("fake's {op} answer")),
            _ => Vec::new(),
        }
    }
}
