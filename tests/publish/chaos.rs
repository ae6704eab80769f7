//! Chaos: many publishes in a row against one fake GitHub and one fake GitLab, each round with
//! random faults from a seeded generator (5xx, 429, secondary and primary rate limits, dropped
//! connections, slow and hung answers, a write that lands but never answers), some rounds as two
//! runs racing from two threads, and now and then a person deleting the sticky comment. After
//! every round the end state is checked: exactly one sticky comment, holding the latest verdict
//! (either racer's, in a race), updated in place, and nobody else's comment touched.
//!
//! Waits (backoffs, Retry-After, rate-limit resets) run on manual clocks; only hangs cost real
//! time (the short per-request timeout), so the whole test takes a few seconds per system.

use std::time::Duration;

use serde_json::{Value, json};
use verdict::publish::{self, Destination, PublishReport, Settings};
use verdict::verdict::Outcome;

use crate::publication;
use crate::support::server::{Fault, Reply, Server};
use crate::support::{self, Body, github, gitlab};

/// Rounds per system.
const ROUNDS: usize = 50;
/// The generator's seed: a failure names the round, and the same seed replays it.
const SEED: u64 = 0x05ee_d0fc_4a05;

/// splitmix64: small, seeded, and enough to pick faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// What the test needs of one system.
struct System<'a> {
    name: &'static str,
    /// The report's name for the sticky surface.
    surface: &'static str,
    /// list, create, update, delete.
    ops: [&'static str; 4],
    server: &'a Server,
    dest: Destination,
    /// Every comment or note that is not a system note: (id, body).
    threads: Box<dyn Fn() -> Vec<(u64, String)> + Sync + 'a>,
    /// Deletes one, as a person would.
    remove: Box<dyn Fn(u64) + Sync + 'a>,
    /// An error body in the API's shape.
    error: fn(u16, &str) -> Value,
    /// A rate-limit answer of this API, from the generator.
    rate_limit: fn(&mut Rng, &mut bool) -> Reply,
}

fn github_error(_status: u16, message: &str) -> Value {
    json!({"message": message, "documentation_url": "https://docs.github.com/rest"})
}

fn gitlab_error(status: u16, message: &str) -> Value {
    json!({"message": format!("{status} {message}")})
}

/// GitHub's: 429 with Retry-After; 403 secondary rate limit with Retry-After, or (once per
/// round, as it costs a minute of the budget) without; 403 primary limit exhausted with a reset.
fn github_rate_limit(rng: &mut Rng, long_wait_used: &mut bool) -> Reply {
    let secondary =
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    let secs = (1 + rng.below(5)).to_string();
    match rng.below(4) {
        0 => Reply::json(429, github_error(429, "Too Many Requests")).header("retry-after", secs),
        1 => Reply::json(403, github_error(403, secondary)).header("retry-after", secs),
        2 if !*long_wait_used => {
            *long_wait_used = true;
            Reply::json(403, github_error(403, secondary))
        }
        _ => Reply::json(403, github_error(403, "API rate limit exceeded for installation ID 1."))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", (support::EPOCH_SECS + 1 + rng.below(5)).to_string()),
    }
}

/// GitLab's: 429 with Retry-After, with a reset epoch, or with neither.
fn gitlab_rate_limit(rng: &mut Rng, _: &mut bool) -> Reply {
    let reply = Reply::json(429, gitlab_error(429, "Too Many Requests"));
    match rng.below(3) {
        0 => reply.header("retry-after", (1 + rng.below(5)).to_string()),
        1 => reply
            .header("ratelimit-remaining", "0")
            .header("ratelimit-reset", (support::EPOCH_SECS + 1 + rng.below(5)).to_string()),
        _ => reply,
    }
}

/// One random fault. At most four per round (the tries of one request are six), so every
/// publish can still succeed, and every one must.
fn fault(sys: &System<'_>, rng: &mut Rng, long_wait_used: &mut bool) -> Fault {
    match rng.below(10) {
        0 => Fault::Reply(Reply::json(500, (sys.error)(500, "Internal Server Error"))),
        1 => Fault::Reply(Reply::json(502, (sys.error)(502, "Bad Gateway"))),
        2 => Fault::Reply(Reply::json(503, (sys.error)(503, "Service Unavailable"))),
        3 | 4 => Fault::Reply((sys.rate_limit)(rng, long_wait_used)),
        5 => Fault::Drop,
        6 | 7 => Fault::Delay(Duration::from_millis(10 + rng.below(90))),
        8 => Fault::Hang,
        _ => Fault::LandThenHang,
    }
}

fn settings(seed: u64) -> Settings {
    let mut s = support::settings(support::manual_clock());
    s.retry.request_timeout = Duration::from_millis(250);
    s.jitter_seed = Some(seed);
    s
}

fn publish_once(dest: &Destination, marker: &str, text: &str, seed: u64) -> PublishReport {
    let body = Body::new(marker, text);
    let render = |b| body.render(b);
    publish::publish(dest, &settings(seed), &publication(marker, Outcome::Fail, &render))
}

/// Runs the rounds against `sys` and checks the end state after each.
fn chaos(sys: &System<'_>) {
    let m = support::marker("default");
    let mut rng = Rng(SEED);
    // A person quoting the marker (not on the first line), and one comment before ours.
    let quote = format!("> {m}\n> why did the gate fail?");
    let bystander = sys.threads().into_iter().find(|(_, b)| *b == quote).map(|(id, _)| id).unwrap();
    let mut sticky: Option<u64> = None;
    let (mut races, mut faults, mut deletions, mut removed) = (0, 0, 0, 0);
    for round in 0..ROUNDS {
        // No comment yet (the first round, or a person deleted it): two runs race to create it.
        if sticky.is_some() && rng.chance(10) {
            (sys.remove)(sticky.take().unwrap_or_default());
            deletions += 1;
        }
        let race = sticky.is_none() || rng.chance(30);
        let mut long_wait_used = false;
        sys.server.clear_script();
        if race {
            // Both runs read before either hears back, so neither sees the other's write.
            let acted = sys.server.acted(sys.ops[0]);
            sys.server.script(sys.ops[0], [Fault::Barrier(acted + 2), Fault::Barrier(acted + 2)]);
        }
        for _ in 0..rng.below(5) {
            let op = sys.ops[rng.below(4) as usize];
            let f = fault(sys, &mut rng, &mut long_wait_used);
            sys.server.script(op, [f]);
            faults += 1;
        }
        let texts: Vec<String> = if race {
            races += 1;
            vec![format!("round {round}: run A"), format!("round {round}: run B")]
        } else {
            vec![format!("round {round}")]
        };
        let reports: Vec<PublishReport> = std::thread::scope(|scope| {
            let runs: Vec<_> = texts
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let (m, dest) = (&m, &sys.dest);
                    scope.spawn(move || publish_once(dest, m, text, SEED ^ (round * 2 + i) as u64))
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let context = format!("{} round {round} (seed {SEED:#x}): {reports:#?}", sys.name);
        assert!(reports.iter().all(|r| !r.failed()), "a publish failed: {context}");
        let ours: Vec<(u64, String)> =
            sys.threads().into_iter().filter(|(_, b)| b.lines().next() == Some(m.as_str())).collect();
        assert_eq!(ours.len(), 1, "not exactly one sticky comment: {ours:?}\n{context}");
        let (id, body) = &ours[0];
        assert!(
            texts.iter().any(|t| *body == format!("{m}\n{t}")),
            "the sticky comment holds {body:?}, not the latest verdict {texts:?}\n{context}"
        );
        if let Some(before) = sticky {
            assert_eq!(*id, before, "the sticky comment was replaced, not updated in place\n{context}");
        }
        sticky = Some(*id);
        let others: Vec<(u64, String)> = sys.threads().into_iter().filter(|(i, _)| i != id).collect();
        assert_eq!(others, vec![(bystander, quote.clone())], "another comment changed\n{context}");
        let duplicates: usize = reports.iter().map(|r| r.removed_duplicates).sum();
        assert!(race || duplicates == 0, "a lone run found duplicates\n{context}");
        removed += duplicates;
        assert!(reports.iter().all(|r| r.action(sys.surface).is_some()), "{context}");
    }
    sys.server.clear_script();
    let requests = sys.server.requests().len();
    eprintln!(
        "{}: {ROUNDS} rounds, {races} races, {faults} faults, {deletions} deletions, {removed} duplicates removed, {requests} requests",
        sys.name
    );
    assert!(removed > 0, "no race ever made a duplicate: the races do not race");
}

impl System<'_> {
    fn threads(&self) -> Vec<(u64, String)> {
        (self.threads)()
    }
}

/// GitHub: 50 rounds of faults, races and deletions; one correct comment after every round.
#[test]
fn github_chaos() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = github::GitHub::start(&corpus, github::Config::default());
    fake.seed_comment(&format!("> {}\n> why did the gate fail?", support::marker("default")));
    let dir = tempfile::tempdir().unwrap();
    let sys = System {
        name: "GitHub",
        surface: "comment",
        ops: [
            "issues/list-comments",
            "issues/create-comment",
            "issues/update-comment",
            "issues/delete-comment",
        ],
        server: &server,
        dest: support::github_pr(&fake, dir.path(), false),
        threads: Box::new(|| fake.comments().into_iter().map(|c| (c.id, c.body)).collect()),
        remove: Box::new(|id| {
            fake.state.lock().unwrap().comments.remove(&id);
        }),
        error: github_error,
        rate_limit: github_rate_limit,
    };
    chaos(&sys);
}

/// GitLab: the same against the merge request's notes (system notes are left alone).
#[test]
fn gitlab_chaos() {
    let Some(corpus) = support::corpus() else { return };
    let (fake, server) = gitlab::GitLab::start(&corpus, gitlab::Config::default());
    fake.seed(&format!("> {}\n> why did the gate fail?", support::marker("default")), false);
    fake.seed("added 1 commit", true);
    let sys = System {
        name: "GitLab",
        surface: "note",
        ops: [
            "list-all-merge-request-notes",
            "create-new-merge-request-note",
            "modify-existing-merge-request-note",
            "delete-a-merge-request-note",
        ],
        server: &server,
        dest: support::gitlab_mr(&server, &fake),
        threads: Box::new(|| {
            fake.notes().into_iter().filter(|n| !n.system).map(|n| (n.id, n.body)).collect()
        }),
        remove: Box::new(|id| {
            fake.state.lock().unwrap().notes.remove(&id);
        }),
        error: gitlab_error,
        rate_limit: gitlab_rate_limit,
    };
    chaos(&sys);
}
