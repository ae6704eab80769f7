//! GitLab: the sticky merge request note, through the REST API v4 notes endpoints.
//!
//! Owns: the notes paths and parameters (GitLab's `doc/api/notes.md`), `PRIVATE-TOKEN`
//! authentication, pagination by `X-Next-Page`, skipping system notes, and the note's web link.
//! Takes a [`GitLabContext`], [`Settings`] and a [`Publication`]; returns a [`PublishReport`].
//! The Code Quality and JUnit files for `artifacts:reports` are written by the CLI with
//! [`super::files::write_atomic`]: GitLab reads them from the job's artifacts, not through the API.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::context::GitLabContext;
use super::http::{ApiRequest, ApiResponse, GitLabHttp, Transport as _, expect, segment};
use super::retry::Retrier;
use super::sticky::{self, Author, Note, NoteApi, Sticky};
use super::{Action, CommentMode, GITLAB_NOTE_LIMIT, Publication, PublishError, PublishReport, Settings};

/// Pages of 100 notes read at most.
const MAX_PAGES: u32 = 100;
const NOTE_HINT: &str = "the token needs the `api` scope and at least the Reporter role on the project";

/// Publishes the sticky note.
pub(crate) async fn publish(ctx: &GitLabContext, settings: &Settings, p: &Publication<'_>) -> PublishReport {
    let mut report = PublishReport::to("gitlab");
    let action = match (ctx.merge_request_iid, &ctx.token) {
        _ if p.comment_mode == CommentMode::Off => Action::Skipped { reason: "--comment-mode off".into() },
        (None, _) => Action::Skipped {
            reason: "not a merge request pipeline (CI_MERGE_REQUEST_IID is not set): no note".into(),
        },
        (Some(_), None) => Action::Failed(PublishError::NoToken {
            system: "GitLab",
            variable: "VERDICT_GITLAB_TOKEN (or GITLAB_TOKEN)",
            hint: "a project access token with the `api` scope; CI_JOB_TOKEN cannot write notes",
        }),
        (Some(iid), Some(token)) => {
            match GitLabHttp::new(&ctx.api_url, Some(token), ctx.ca_file.as_deref()) {
                Err(e) => Action::Failed(e),
                Ok(http) => {
                    let notes = Notes {
                        http,
                        retrier: Retrier::new(
                            settings.retry.clone(),
                            settings.clock.clone(),
                            settings.jitter_seed,
                        ),
                        base: format!("/projects/{}/merge_requests/{iid}/notes", segment(&ctx.project_id)),
                        web: ctx
                            .merge_request_project_url
                            .as_deref()
                            .or_else(|| {
                                ctx.job_url
                                    .as_deref()
                                    .and_then(|job| job.split_once("/-/jobs/").map(|(p, _)| p))
                            })
                            .map(|project| {
                                format!("{}/-/merge_requests/{iid}", project.trim_end_matches('/'))
                            }),
                    };
                    // The note is the token's own user's: a project access token made anew (they
                    // expire within a year) writes as a new bot user, which may not edit the old
                    // one's note (403 on every run, and the merge request kept showing the old
                    // verdict). Without an answer, any bot's marked note is taken, as before.
                    let authors = match p.comment_author {
                        Some(login) => sticky::Authors::from_config(Some(login)),
                        None if p.comment_mode == CommentMode::Off => sticky::Authors::from_config(None),
                        None => match notes.me().await {
                            Some(me) => sticky::Authors::Login(me),
                            None => sticky::Authors::from_config(None),
                        },
                    };
                    let sticky = Sticky {
                        marker: p.marker,
                        mode: p.comment_mode,
                        failing: p.fails_gate,
                        render: p.comment,
                        limit: GITLAB_NOTE_LIMIT,
                        authors,
                        // A retried GitLab job is another job of the same pipeline: no link
                        // tells a sibling from an earlier try.
                        this_run: None,
                    };
                    match sticky::publish(&notes, &sticky).await {
                        Ok(done) => {
                            report.removed_duplicates += done.removed;
                            report.notes.extend(done.author_hint);
                            done.action
                        }
                        Err(e) => Action::Failed(e),
                    }
                }
            }
        }
    };
    report.push("note", action);
    report
}

/// One MR's notes.
struct Notes {
    http: GitLabHttp,
    retrier: Retrier,
    /// `/projects/ID/merge_requests/IID/notes`.
    base: String,
    /// The MR's web page, when `CI_JOB_URL` says where the project lives.
    web: Option<String>,
}

/// The fields read from a note.
#[derive(Deserialize)]
struct RawNote {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    created_at: String,
    #[serde(default)]
    system: bool,
    #[serde(default)]
    author: Option<RawAuthor>,
}

/// A note's author.
#[derive(Deserialize)]
struct RawAuthor {
    username: String,
}

/// The users GitLab makes for project and group access tokens (`project_7_bot`,
/// `project_7_bot_0f3c…`, `group_7_bot_…`) and its service accounts (`service_account_…`):
/// the accounts a CI job's token writes notes as.
fn bot(username: &str) -> bool {
    let token_user = ["project_", "group_"].iter().any(|kind| {
        username.strip_prefix(kind).and_then(|rest| rest.split_once("_bot")).is_some_and(|(id, tail)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && (tail.is_empty() || tail.starts_with('_'))
        })
    });
    token_user || username.starts_with("service_account")
}

impl Notes {
    /// The username the token writes as (`GET /user`, which project and group access tokens'
    /// bot users may call), or `None` when GitLab does not say.
    async fn me(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct User {
            username: String,
        }
        let response = self.call("identify the token's user", Method::GET, "/user".into(), None).await;
        match response.map(|r| (r.status.as_u16(), r.body)) {
            Ok((200, body)) => match serde_json::from_str::<User>(&body) {
                Ok(user) if !user.username.is_empty() => Some(user.username),
                _ => None,
            },
            Ok((status, _)) => {
                tracing::debug!(
                    status,
                    "publish: GitLab did not say which user the token is; any bot's note is taken"
                );
                None
            }
            Err(e) => {
                tracing::debug!(
                    "publish: GitLab did not say which user the token is ({e}); any bot's note is taken"
                );
                None
            }
        }
    }

    async fn call(
        &self,
        op: &'static str,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
    ) -> Result<ApiResponse, PublishError> {
        self.retrier.send(&self.http, &ApiRequest::new(op, method, path, body)).await
    }

    fn note(&self, raw: RawNote) -> Note {
        let url = self.web.as_ref().map(|mr| format!("{mr}#note_{}", raw.id));
        let author = raw.author.map(|a| Author { bot: bot(&a.username), login: a.username });
        Note { id: raw.id, body: raw.body.unwrap_or_default(), created_at: raw.created_at, url, author }
    }

    fn decode<T: for<'de> Deserialize<'de>>(op: &'static str, body: &str) -> Result<T, PublishError> {
        serde_json::from_str(body).map_err(|e| PublishError::Decode {
            op: op.to_string(),
            message: super::http::truncate(&e.to_string(), 200),
        })
    }
}

impl NoteApi for Notes {
    async fn list(&self) -> Result<Vec<Note>, PublishError> {
        let mut notes = Vec::new();
        let mut page = 1u32;
        for _ in 0..MAX_PAGES {
            let path = format!("{}?sort=asc&order_by=created_at&per_page=100&page={page}", self.base);
            let response = self.call("list notes", Method::GET, path, None).await?;
            let response = expect("list notes", response, &[200], self.http.secret(), NOTE_HINT, 0)?;
            let next = response.header("x-next-page").and_then(|n| n.trim().parse::<u32>().ok());
            let raw: Vec<RawNote> = Self::decode("list notes", &response.body)?;
            // System notes ("added 1 commit") are GitLab's, never ours.
            notes.extend(raw.into_iter().filter(|n| !n.system).map(|n| self.note(n)));
            match next {
                Some(n) if n > page => page = n,
                _ => break,
            }
        }
        Ok(notes)
    }

    async fn create(&self, body: &str) -> Result<Note, PublishError> {
        let json = json!({ "body": body });
        let response = self.call("create note", Method::POST, self.base.clone(), Some(&json)).await?;
        let sent = body.chars().count();
        let response = expect("create note", response, &[201], self.http.secret(), NOTE_HINT, sent)?;
        Ok(self.note(Self::decode("create note", &response.body)?))
    }

    async fn update(&self, id: u64, body: &str) -> Result<Note, PublishError> {
        let json = json!({ "body": body });
        let path = format!("{}/{id}", self.base);
        let response = self.call("update note", Method::PUT, path, Some(&json)).await?;
        let sent = body.chars().count();
        let response = expect("update note", response, &[200], self.http.secret(), NOTE_HINT, sent)?;
        Ok(self.note(Self::decode("update note", &response.body)?))
    }

    async fn delete(&self, id: u64) -> Result<(), PublishError> {
        let path = format!("{}/{id}", self.base);
        let response = self.call("delete duplicate note", Method::DELETE, path, None).await?;
        // 404: a concurrent run deleted it first.
        expect("delete duplicate note", response, &[204, 404], self.http.secret(), NOTE_HINT, 0)?;
        Ok(())
    }

    fn retrier(&self) -> &Retrier {
        &self.retrier
    }
}

#[cfg(test)]
mod tests {
    /// The users of project and group access tokens and service accounts are bots; people,
    /// and names that only look alike, are not.
    #[test]
    fn bot_users() {
        for bot in
            ["project_5_bot", "project_278964_bot_0f3c9a1e2b", "group_12_bot_ab", "service_account_group_3_x"]
        {
            assert!(super::bot(bot), "{bot}");
        }
        for person in
            ["mallory", "project_bot", "project_x_bot", "project_5_botany", "my_project_5_bot", "group__bot"]
        {
            assert!(!super::bot(person), "{person}");
        }
    }
}
