//! The sticky comment: one per gate key, created once, then updated in place, never left
//! duplicated — the same algorithm for GitHub issue comments and GitLab MR notes.
//!
//! Owns: finding our comment by its marker (exact match of the body's first line) and its
//! author (see [`Authors`]), the comment modes, shrinking a body the server found too long,
//! re-reading after a POST whose fate is unknown, and the dedupe pass (keep the oldest, update
//! it, delete the rest).
//! Takes a [`NoteApi`] (list/create/update/delete of one PR's comments) and a renderer.
//! Must not: talk HTTP itself, or touch anything that does not carry our exact marker and come
//! from an author we accept.

use super::retry::Retrier;
use super::{Action, CommentMode, PublishError, Render};

/// Rounds of read-then-write after a POST whose fate is unknown.
const MAX_ROUNDS: u32 = 3;
/// How many times a too-long body is shortened before giving up.
const MAX_SHRINKS: u32 = 2;

/// One comment, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub id: u64,
    pub body: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Its web link.
    pub url: Option<String>,
    /// Who wrote it, when the server says.
    pub author: Option<Author>,
}

/// A comment's author as the platform lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Author {
    /// GitHub's `user.login`, GitLab's `author.username`.
    pub login: String,
    /// A bot account: GitHub's `user.type == "Bot"` (GITHUB_TOKEN, GitHub Apps); on GitLab a
    /// project or group access token's user (`project_7_bot…`, `group_7_bot…`) or a service
    /// account (`service_account…`).
    pub bot: bool,
}

/// Whose comments carrying our marker are ours. Anyone can write the marker into a comment;
/// taking a person's comment for ours would overwrite or delete it, and let its author edit
/// the verdict it then shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Authors {
    /// Exactly this login (`--comment-author`), case-insensitively as both platforms compare
    /// logins.
    Login(String),
    /// Any bot account: the default, since CI tokens write as bots.
    Bots,
}

impl Authors {
    /// `--comment-author` if given, else any bot.
    pub(crate) fn from_config(login: Option<&str>) -> Authors {
        login.map_or(Authors::Bots, |login| Authors::Login(login.to_owned()))
    }

    fn accept(&self, author: Option<&Author>) -> bool {
        match (self, author) {
            (Authors::Login(login), Some(a)) => a.login.eq_ignore_ascii_case(login),
            (Authors::Bots, Some(a)) => a.bot,
            (_, None) => false,
        }
    }
}

/// One PR's (or MR's) comments.
pub(crate) trait NoteApi {
    /// All comments, every page.
    async fn list(&self) -> Result<Vec<Note>, PublishError>;
    /// Creates one. A body the server finds too long is [`PublishError::TooLong`].
    async fn create(&self, body: &str) -> Result<Note, PublishError>;
    /// Replaces one's body.
    async fn update(&self, id: u64, body: &str) -> Result<Note, PublishError>;
    /// Deletes one; already gone is fine.
    async fn delete(&self, id: u64) -> Result<(), PublishError>;
    /// The retry state shared by this publish (for pauses between rounds).
    fn retrier(&self) -> &Retrier;
}

/// What the sticky comment should say and when.
pub(crate) struct Sticky<'a> {
    pub marker: &'a str,
    pub mode: CommentMode,
    /// The gate fails or errs (for [`CommentMode::Failures`]).
    pub failing: bool,
    pub render: Render<'a>,
    /// The surface's limit, in characters.
    pub limit: usize,
    /// Whose marked comments are ours.
    pub authors: Authors,
    /// This run's link as the comment writes it (`[CI run](…/actions/runs/99/attempts/1)`),
    /// when it names one attempt of one run: a comment of this gate carrying it was written
    /// by another job of the same run (see [`Sibling`]).
    pub this_run: Option<String>,
}

/// Another job of this run published the same gate: matrix legs, or one verdict step copied
/// into two jobs, without a gate key each. Whichever finished last used to win the comment,
/// the check run and the status, so a passing leg hid a failing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sibling {
    /// Its verdict is worse than this one's: it is left in place, and so are the check run
    /// and the status (the outcome word it shows).
    Kept(String),
    /// This verdict is as bad or worse: written over it, with a warning.
    Replaced(String),
}

/// How bad a comment's verdict is, from its heading (`## ❌ verdict: FAIL — …`): PASS 0, WARN
/// 1, FAIL 2, ERROR 3.
pub(crate) fn rank_of(body: &str) -> Option<(u8, &str)> {
    let heading = body.lines().find(|l| l.starts_with("## "))?;
    let (_, rest) = heading.split_once(": ")?;
    let word = rest.split_whitespace().next()?;
    let rank = ["PASS", "WARN", "FAIL", "ERROR"].iter().position(|w| *w == word)?;
    Some((u8::try_from(rank).ok()?, word))
}

/// The action taken and the duplicates removed.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub action: Action,
    pub removed: usize,
    /// What to tell the user when our comment was created under an author [`Sticky::authors`]
    /// does not accept: the next run will not find it.
    pub author_hint: Option<String>,
    /// Another job of this run had published the gate.
    pub sibling: Option<Sibling>,
}

impl Authors {
    /// Why `login`, the account a comment was just created under, is not accepted, and what to
    /// set instead.
    fn hint(&self, login: &str) -> String {
        let why = match self {
            Authors::Bots => "which is not a bot account".to_owned(),
            Authors::Login(expected) => format!("not as {expected:?} (--comment-author)"),
        };
        format!(
            "the token writes comments as {login:?}, {why}, so the next run will not recognise this \
             comment as verdict's and will post again (then remove the extra): set --comment-author \
             {login:?} (VERDICT_COMMENT_AUTHOR) to update it in place"
        )
    }
}

/// Our comments, oldest first (by creation time, then id: both APIs hand out increasing ids).
fn ours(notes: Vec<Note>, marker: &str, authors: &Authors) -> Vec<Note> {
    let mut mine: Vec<Note> =
        notes.into_iter().filter(|n| carries(&n.body, marker) && authors.accept(n.author.as_ref())).collect();
    mine.sort_by_key(|n| {
        let at = n.created_at.parse::<jiff::Timestamp>().ok();
        (at.is_none(), at, n.id)
    });
    mine
}

/// The body's first line is exactly the marker.
fn carries(body: &str, marker: &str) -> bool {
    body.lines().next().is_some_and(|first| first.trim_end() == marker)
}

/// Whether two bodies say the same (servers may trim trailing whitespace or normalise CRLF).
fn same(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

/// Renders within `budget` characters, with the marker as the first line and never longer than
/// the budget (a renderer that overshoots is cut, with a note saying so).
pub(crate) fn fit(render: Render<'_>, budget: usize, marker: &str) -> String {
    let mut body = render(budget);
    if !carries(&body, marker) {
        body = format!("{marker}\n{body}");
    }
    cut(body, budget)
}

/// `text` if it fits `budget` characters, else its start and a note saying it was cut, together
/// exactly `budget` characters (the start alone when the budget is too small for the note).
pub(crate) fn cut(text: String, budget: usize) -> String {
    const CUT: &str = "\n\n… (cut to fit: the full report is in the job's artifacts)";
    if text.chars().count() <= budget {
        return text;
    }
    let note = CUT.chars().count();
    let (keep, suffix) = if budget > 2 * note { (budget - note, CUT) } else { (budget, "") };
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    format!("{}{suffix}", text.get(..end).unwrap_or_default())
}

/// `text` within `budget` **bytes**, cut at a character as [`cut`] does: for limits that
/// GitHub counts in bytes (a check run's summary), which text outside ASCII (a Japanese
/// assertion message, verdict's own `·` and `—`) fills faster than characters.
pub(crate) fn cut_bytes(text: String, budget: usize) -> String {
    const CUT: &str = "\n\n… (cut to fit: the full report is in the job's artifacts)";
    if text.len() <= budget {
        return text;
    }
    let (mut keep, suffix) = if budget > 2 * CUT.len() { (budget - CUT.len(), CUT) } else { (budget, "") };
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}{suffix}", text.get(..keep).unwrap_or_default())
}

/// The next budget after a "too long": just under the server's maximum if it named one below
/// the current budget, else half.
pub(crate) fn shrink(budget: usize, max: Option<usize>) -> usize {
    match max {
        Some(max) if max < budget => max - max / 50,
        _ => budget / 2,
    }
}

/// Creates or updates the sticky comment, then makes sure exactly one carries the marker.
pub(crate) async fn publish<A: NoteApi>(api: &A, s: &Sticky<'_>) -> Result<Outcome, PublishError> {
    if s.mode == CommentMode::Off {
        let action = Action::Skipped { reason: "--comment-mode off".into() };
        return Ok(Outcome { action, removed: 0, author_hint: None, sibling: None });
    }
    let mut budget = s.limit;
    let mut body = fit(s.render, budget, s.marker);
    let (mut shrinks, mut round) = (0, 0);
    let mut seen_several = false;
    let mut unaccepted = None;
    let mut sibling = None;
    let action = loop {
        round += 1;
        let mine = ours(api.list().await?, s.marker, &s.authors);
        seen_several |= mine.len() > 1;
        let written = match mine.first() {
            Some(existing) if s.mode != CommentMode::Always && same(&existing.body, &body) => {
                break Action::Unchanged { id: existing.id, url: existing.url.clone() };
            }
            Some(existing)
                if round == 1
                    && s.this_run.as_ref().is_some_and(|run| existing.body.contains(run.as_str())) =>
            {
                let theirs = rank_of(&existing.body);
                let mine = rank_of(&body);
                match (theirs, mine) {
                    (Some((t, word)), Some((m, _))) if t > m => {
                        let reason = format!(
                            "another job of this run already published this gate with {word}, which this job's verdict would hide: each job needs its own gate key (--gate-key, the action's gate-key, VERDICT_GATE_KEY)"
                        );
                        let action = Action::Skipped { reason: reason.clone() };
                        return Ok(Outcome {
                            action,
                            removed: 0,
                            author_hint: None,
                            sibling: Some(Sibling::Kept(reason)),
                        });
                    }
                    _ => {
                        sibling = Some(Sibling::Replaced(
                            "another job of this run had published this gate, and this verdict replaced it: each job needs its own gate key (--gate-key, the action's gate-key, VERDICT_GATE_KEY)".into(),
                        ));
                    }
                }
                api.update(existing.id, &body).await.map(|n| Action::Updated { id: n.id, url: n.url })
            }
            Some(existing) => {
                api.update(existing.id, &body).await.map(|n| Action::Updated { id: n.id, url: n.url })
            }
            None if s.mode == CommentMode::Failures && !s.failing => {
                let reason =
                    "the gate passed and there is no earlier comment to update (--comment-mode failures)";
                let action = Action::Skipped { reason: reason.into() };
                return Ok(Outcome { action, removed: 0, author_hint: None, sibling: None });
            }
            None => api.create(&body).await.map(|n| {
                // Created under an author we do not accept (a personal or app token without
                // --comment-author): this run still cleans up after that same author, which
                // the create just proved is the token's.
                unaccepted = n.author.filter(|a| !s.authors.accept(Some(a))).map(|a| a.login);
                Action::Created { id: n.id, url: n.url }
            }),
        };
        match written {
            Ok(action) => break action,
            Err(PublishError::TooLong { max, .. }) if shrinks < MAX_SHRINKS => {
                shrinks += 1;
                budget = shrink(budget, max);
                body = fit(s.render, budget, s.marker);
                tracing::debug!(budget, "publish: the server found the comment too long; shortened");
            }
            Err(e) if e.may_have_landed() && round < MAX_ROUNDS => {
                // The write may have landed: read again before writing again.
                if let Err(stop) =
                    api.retrier().pause("write comment", round, None, "its fate is unknown").await
                {
                    return Err(PublishError::GaveUp { last: Box::new(e), stop: Box::new(stop) });
                }
            }
            Err(e) => return Err(e),
        }
    };
    // Only a create can add a duplicate (a concurrent run that also saw none does the same, and
    // each creator re-reads). An update found the comment already there; duplicates it saw are
    // cleaned now, and any left by a run that died mid-way are cleaned by the next run.
    let created = matches!(action, Action::Created { .. });
    if !(created || seen_several) {
        return Ok(Outcome { action, removed: 0, author_hint: None, sibling });
    }
    let author_hint = unaccepted.as_deref().map(|login| s.authors.hint(login));
    let authors = unaccepted.map_or_else(|| s.authors.clone(), Authors::Login);
    let (action, removed) = dedupe(api, s.marker, &authors, &body, action).await?;
    Ok(Outcome { action, removed, author_hint, sibling })
}

/// A concurrent run, or a POST that timed out but landed, can leave two comments with our marker.
/// Keep the oldest (every run agrees on which), give it our body, delete the others.
async fn dedupe<A: NoteApi>(
    api: &A,
    marker: &str,
    authors: &Authors,
    body: &str,
    action: Action,
) -> Result<(Action, usize), PublishError> {
    let mine = ours(api.list().await?, marker, authors);
    let Some((keep, rest)) = mine.split_first() else {
        // Ours vanished between the write and the read (someone deleted it): say what we did.
        return Ok((action, 0));
    };
    let written = match &action {
        Action::Created { id, .. } | Action::Updated { id, .. } | Action::Unchanged { id, .. } => Some(*id),
        _ => None,
    };
    let action = if written == Some(keep.id) {
        // Ours is the one kept. If a concurrent run has since written its own body, it is newer.
        action
    } else if same(&keep.body, body) {
        // Ours was the duplicate; the kept one already says the same.
        Action::Unchanged { id: keep.id, url: keep.url.clone() }
    } else {
        let n = api.update(keep.id, body).await?;
        Action::Updated { id: n.id, url: n.url }
    };
    for extra in rest {
        api.delete(extra.id).await?;
    }
    tracing::debug!(removed = rest.len(), kept = keep.id, "publish: removed duplicate comments");
    Ok((action, rest.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "<!-- verdict:comment gate=api -->";

    fn note(id: u64, body: &str, at: &str) -> Note {
        by("github-actions[bot]", true, id, body, at)
    }

    fn by(login: &str, bot: bool, id: u64, body: &str, at: &str) -> Note {
        let author = Some(Author { login: login.into(), bot });
        Note { id, body: body.into(), created_at: at.into(), url: None, author }
    }

    /// Only an exact first-line match is ours; another gate key's or a quoted marker is not.
    #[test]
    fn marker_match() {
        let notes = vec![
            note(5, &format!("{M}\nnew"), "2026-01-01T00:00:02Z"),
            note(3, "<!-- verdict:comment gate=web -->\nother gate", "2026-01-01T00:00:00Z"),
            note(4, &format!("> quoting\n{M}"), "2026-01-01T00:00:00Z"),
            note(2, &format!("{M}\r\nold"), "2026-01-01T00:00:01Z"),
            note(1, &format!("{M}-x\nprefix of another key"), "2026-01-01T00:00:00Z"),
        ];
        let ids: Vec<u64> = ours(notes, M, &Authors::Bots).iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![2, 5]);
    }

    /// A marked comment is ours only from an author we accept: by default any bot, never a
    /// person; with --comment-author exactly that login; never one whose author is unknown.
    #[test]
    fn author_match() {
        let at = "2026-01-01T00:00:00Z";
        let body = format!("{M}\nverdict");
        let notes = vec![
            by("mallory", false, 1, &body, at),
            note(2, &body, at),
            by("verdict-app[bot]", true, 3, &body, at),
            by("Release-Robot", false, 4, &body, at),
            Note { author: None, ..note(5, &body, at) },
        ];
        let ids = |authors: Authors| -> Vec<u64> {
            ours(notes.clone(), M, &authors).iter().map(|n| n.id).collect()
        };
        assert_eq!(ids(Authors::Bots), vec![2, 3]);
        assert_eq!(ids(Authors::Login("release-robot".into())), vec![4]);
        assert_eq!(ids(Authors::Login("github-actions[bot]".into())), vec![2]);
    }

    /// Ties on the creation second are broken by id.
    #[test]
    fn oldest_first() {
        let at = "2026-01-01T00:00:00Z";
        let notes = vec![note(9, M, at), note(7, M, at), note(8, M, "2025-12-31T23:59:59Z")];
        let ids: Vec<u64> = ours(notes, M, &Authors::Bots).iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![8, 7, 9]);
    }

    /// The marker is put first if the renderer left it out; an overlong body is cut to the budget.
    #[test]
    fn fitting() {
        assert_eq!(fit(&|_| "hello".into(), 100, M), format!("{M}\nhello"));
        assert_eq!(fit(&|_| format!("{M}\nhello"), 100, M), format!("{M}\nhello"));
        let long = fit(&|_| format!("{M}\n{}", "é".repeat(500)), 200, M);
        assert_eq!(long.chars().count(), 200);
        assert!(long.starts_with(M) && long.ends_with("artifacts)"));
    }

    /// An in-memory comment list; `race` runs right after each create, as a concurrent run would.
    struct Mem {
        notes: std::cell::RefCell<Vec<Note>>,
        race: fn(&mut Vec<Note>),
        retrier: Retrier,
        /// Who the token writes as.
        me: (&'static str, bool),
    }

    impl Mem {
        fn new(race: fn(&mut Vec<Note>)) -> Mem {
            let clock = std::sync::Arc::new(super::super::ManualClock::new(std::time::UNIX_EPOCH));
            let retrier = Retrier::new(super::super::RetryPolicy::default(), clock, Some(1));
            Mem { notes: Default::default(), race, retrier, me: ("github-actions[bot]", true) }
        }
    }

    impl NoteApi for Mem {
        async fn list(&self) -> Result<Vec<Note>, PublishError> {
            Ok(self.notes.borrow().clone())
        }
        async fn create(&self, body: &str) -> Result<Note, PublishError> {
            let n = by(
                self.me.0,
                self.me.1,
                100 + self.notes.borrow().len() as u64,
                body,
                "2026-01-01T00:00:10Z",
            );
            self.notes.borrow_mut().push(n.clone());
            (self.race)(&mut self.notes.borrow_mut());
            Ok(n)
        }
        async fn update(&self, id: u64, body: &str) -> Result<Note, PublishError> {
            let mut notes = self.notes.borrow_mut();
            let n = notes.iter_mut().find(|n| n.id == id).unwrap();
            n.body = body.to_string();
            Ok(n.clone())
        }
        async fn delete(&self, id: u64) -> Result<(), PublishError> {
            self.notes.borrow_mut().retain(|n| n.id != id);
            Ok(())
        }
        fn retrier(&self) -> &Retrier {
            &self.retrier
        }
    }

    fn run(api: &Mem) -> Outcome {
        run_as(api, Authors::Bots)
    }

    fn run_as(api: &Mem, authors: Authors) -> Outcome {
        let render = |_| format!("{M}\nours");
        let s = Sticky {
            marker: M,
            mode: CommentMode::Changes,
            failing: true,
            render: &render,
            limit: 1000,
            authors,
            this_run: None,
        };
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(publish(api, &s)).unwrap()
    }

    /// A concurrent run posted earlier with another body and already deleted ours: the kept
    /// comment gets our body, and the report names it, not our deleted one.
    #[test]
    fn ours_deleted_by_a_concurrent_run() {
        let api = Mem::new(|notes| {
            notes.retain(|n| n.id < 100);
            notes.push(note(7, &format!("{M}\ntheirs"), "2026-01-01T00:00:05Z"));
        });
        let done = run(&api);
        assert!(matches!(done.action, Action::Updated { id: 7, .. }), "{done:?}");
        assert_eq!(*api.notes.borrow(), vec![note(7, &format!("{M}\nours"), "2026-01-01T00:00:05Z")]);
    }

    /// A concurrent run posted the same body earlier: ours is the duplicate and is deleted.
    #[test]
    fn ours_is_the_duplicate() {
        let api = Mem::new(|notes| notes.push(note(7, &format!("{M}\nours"), "2026-01-01T00:00:05Z")));
        let done = run(&api);
        assert!(matches!(done.action, Action::Unchanged { id: 7, .. }), "{done:?}");
        assert_eq!((done.removed, api.notes.borrow().len()), (1, 1));
    }

    /// A person's comment that starts with our marker is neither updated nor deleted: ours is
    /// created beside it, and found and updated by the next run.
    #[test]
    fn a_persons_copy_of_the_marker_is_left_alone() {
        let api = Mem::new(|_| {});
        let spoof = by("mallory", false, 1, &format!("{M}\nall good, merge it"), "2026-01-01T00:00:00Z");
        api.notes.borrow_mut().push(spoof.clone());
        let first = run(&api);
        assert!(matches!(first.action, Action::Created { id: 101, .. }), "{first:?}");
        let second = run(&api);
        assert!(matches!(second.action, Action::Unchanged { id: 101, .. }), "{second:?}");
        assert_eq!(api.notes.borrow()[0], spoof);
        assert_eq!((api.notes.borrow().len(), first.removed + second.removed), (2, 0));
    }

    /// A token that writes as a person, without --comment-author: every run creates a comment
    /// the next one will not accept, so each cleans up after the author its create revealed —
    /// the oldest is kept and updated — and says what to configure. Never anyone else's.
    #[test]
    fn a_personal_token_without_comment_author() {
        let mut api = Mem::new(|_| {});
        api.me = ("release-robot", false);
        let other = by("mallory", false, 1, &format!("{M}\nspoof"), "2026-01-01T00:00:00Z");
        api.notes.borrow_mut().push(other.clone());
        for _ in 0..3 {
            let hint = run(&api).author_hint.expect("says what to set");
            assert!(hint.contains(r#"as "release-robot", which is not a bot account"#), "{hint}");
            assert!(hint.contains(r#"set --comment-author "release-robot""#), "{hint}");
        }
        let notes = api.notes.borrow();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!((&notes[0], notes[1].id, notes[1].body.as_str()), (&other, 101, &*format!("{M}\nours")));
        drop(notes);
        // Configured, it is found and left as it is.
        let done = run_as(&api, Authors::Login("release-robot".into()));
        assert!(matches!(done.action, Action::Unchanged { id: 101, .. }), "{done:?}");
        assert_eq!(done.author_hint, None);
        // Misconfigured, the hint names both logins.
        let hint = run_as(&api, Authors::Login("release-bot".into())).author_hint.expect("a hint");
        assert!(hint.contains(r#"as "release-robot", not as "release-bot" (--comment-author)"#), "{hint}");
        assert_eq!(api.notes.borrow().len(), 2, "still one of ours, beside the spoof");
    }

    /// Shrinking goes just under the named maximum, else halves.
    #[test]
    fn cut_in_bytes() {
        let text = "日本語のテスト".repeat(100);
        let cut = cut_bytes(text.clone(), 200);
        assert!(cut.len() <= 200, "{}", cut.len());
        assert!(cut.ends_with("(cut to fit: the full report is in the job's artifacts)"));
        assert!(text.starts_with(cut.split("\n\n…").next().unwrap_or_default()));
        assert_eq!(cut_bytes("short".into(), 200), "short");
    }

    /// A comment's verdict is read from its heading, gate key or not.
    #[test]
    fn verdict_of_a_comment() {
        let rank = |body: &str| rank_of(body).map(|(r, w)| (r, w.to_owned()));
        assert_eq!(rank("<!-- m -->\n## ❌ verdict: FAIL — 4 to fix"), Some((2, "FAIL".into())));
        assert_eq!(rank("<!-- m -->\n## ✅ verdict (api): PASS — nothing to fix"), Some((0, "PASS".into())));
        assert_eq!(rank("## 🛑 verdict: ERROR — could not judge"), Some((3, "ERROR".into())));
        assert_eq!(rank("## ⚠️ verdict: WARN — nothing blocks"), Some((1, "WARN".into())));
        assert_eq!(rank("no heading"), None);
    }

    #[test]
    fn shrinking() {
        assert_eq!(shrink(65_536, Some(10_000)), 9_800);
        assert_eq!(shrink(65_536, None), 32_768);
        assert_eq!(shrink(5_000, Some(10_000)), 2_500);
    }
}
