//! What each fuzz target does with one input, and the invariants it checks.
//!
//! Shared by the fuzz crate (`fuzz/src/lib.rs`, under libFuzzer) and by
//! `tests/fuzz_regressions.rs` (under `cargo test`, on stable), so the regression corpus and
//! the seeds are replayed through exactly the code the fuzzers ran. Any panic is a finding:
//! parsers must answer every input with a value or an error, and the renderers' escaping
//! invariants are asserted here.

use std::path::Path;

use jiff::civil::Date;
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Map;
use verdict::config::FailOn;
use verdict::evidence::{Evidence, Format, Kind, Meta, Severity};
use verdict::ingest::{self, Cx, Limits, sniff};
use verdict::policy::{Finding as PolicyFinding, Level};
use verdict::report::terminal::{self, Style};
use verdict::report::{RenderContext, budget, markdown, marker};
use verdict::verdict::waiver::{Matcher, Origin, Waiver};
use verdict::verdict::{Settings, Verdict, fold};

/// A target: its name (the file in `fuzz_targets/`, the folder in `fuzz/regressions/`) and the
/// function that runs one input.
pub type Target = (&'static str, fn(&[u8]));

/// Every target.
pub const TARGETS: [Target; 10] = [
    ("junit", junit),
    ("trivy", trivy),
    ("checkov", checkov),
    ("cyclonedx_json", cyclonedx_json),
    ("cyclonedx_xml", cyclonedx_xml),
    ("spdx", spdx),
    ("config", config),
    ("waivers", waivers),
    ("metadata", metadata),
    ("markdown", markdown),
];

/// The target a seed file feeds, if any: artifacts by content (as verdict recognizes them),
/// Rego by extension, YAML by name (`*waiver*` files feed the waiver ledger, other YAML the
/// configuration).
pub fn seed_target(path: &Path, bytes: &[u8]) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if name.ends_with(".rego") {
        return Some("metadata");
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(if name.contains("waiver") { "waivers" } else { "config" });
    }
    match sniff::sniff(bytes.get(..sniff::SNIFF_BYTES).unwrap_or(bytes)) {
        sniff::Sniffed::Known(kind, format) => match (kind, format) {
            (Kind::Junit, _) => Some("junit"),
            (Kind::Trivy, _) => Some("trivy"),
            (Kind::Checkov, _) => Some("checkov"),
            (Kind::Cyclonedx, Format::Json) => Some("cyclonedx_json"),
            (Kind::Cyclonedx, Format::Xml) => Some("cyclonedx_xml"),
            (Kind::Spdx, _) => Some("spdx"),
            (Kind::Custom, _) => None,
        },
        sniff::Sniffed::UnknownStructured(..) | sniff::Sniffed::Other(_) | sniff::Sniffed::TwoKinds(_) => {
            None
        }
    }
}

/// JUnit XML.
pub fn junit(data: &[u8]) {
    parse(Kind::Junit, Format::Xml, data);
}

/// Trivy JSON.
pub fn trivy(data: &[u8]) {
    parse(Kind::Trivy, Format::Json, data);
}

/// Checkov JSON.
pub fn checkov(data: &[u8]) {
    parse(Kind::Checkov, Format::Json, data);
}

/// CycloneDX JSON.
pub fn cyclonedx_json(data: &[u8]) {
    parse(Kind::Cyclonedx, Format::Json, data);
}

/// CycloneDX XML.
pub fn cyclonedx_xml(data: &[u8]) {
    parse(Kind::Cyclonedx, Format::Xml, data);
}

/// SPDX JSON.
pub fn spdx(data: &[u8]) {
    parse(Kind::Spdx, Format::Json, data);
}

/// Sniffs the bytes, parses them as `kind`, and, when they parse, writes the evidence document
/// (which must always serialize).
fn parse(kind: Kind, format: Format, data: &[u8]) {
    let _ = sniff::sniff(data);
    let limits = Limits::default();
    let cx = Cx { size: Some(data.len() as u64), ..Cx::new("fuzz", &limits) };
    if let Ok(parsed) = ingest::parse(kind, format, data, &cx) {
        let mut evidence = Evidence::new(Meta::default());
        evidence.absorb(parsed.records);
        serde_json::to_string(&evidence).expect("the evidence of an artifact that parsed serializes");
    }
}

/// `verdict.yaml` (as text: the file reader refuses invalid UTF-8 before validation).
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = verdict::config::load_with_env(
        Path::new("verdict.yaml"),
        text,
        |_| Ok("waivers: []\n".to_owned()),
        &|_| Some("x".to_owned()),
    );
}

/// A waivers file (`waivers_file:`), then the ledger it makes applied to a few findings and
/// shown in the comment.
pub fn waivers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loaded = verdict::config::load_with_env(
        Path::new("verdict.yaml"),
        "waivers_file: waivers.yaml\n",
        |_| Ok(text.to_owned()),
        &|_| None,
    );
    let Ok((config, _)) = loaded else { return };
    for w in &config.waivers {
        let _ = (w.standing(Date::MIN), w.standing(Date::MAX), w.describe());
    }
    let mut findings = Vec::new();
    for (i, (id, purl, file)) in [
        ("CVE-2024-0001", "pkg:npm/lodash@4.17.20", "services/api/package.json"),
        ("CKV_AWS_18", "pkg:maven/org.example/a@1.0?type=jar", "infra/s3.tf"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut f = policy_finding("verdict.vulnerabilities", Level::Fail, id);
        f.id = Some(id.into());
        f.purl = Some(purl.into());
        f.file = Some(file.into());
        f.fingerprint = format!("{i:032x}");
        findings.push(f);
    }
    let settings =
        Settings { fail_on: config.fail_on, required: &[], waivers: &config.waivers, today: today() };
    let v = fold(&Evidence::new(Meta::default()), findings, &[], &settings);
    check_comment(&v, &context("default"), budget::GITLAB_NOTE_CHARS);
}

/// `# METADATA` blocks in a Rego file.
pub fn metadata(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = verdict::policy::metadata::blocks(text);
}

/// The Markdown comment and the terminal report of a verdict whose every text field holds
/// parts of the input. Input: two bytes choose the comment's budget (16 to ~1M characters) and,
/// when the lowest bit is set, a `--max-shown` of 0 to 3; the rest (lossy UTF-8) is split on
/// NUL into the gate key and the fields.
pub fn markdown(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let budget = usize::from(u16::from_le_bytes([*a, *b])).max(1) * 16;
    let max_shown = (a & 1 == 1).then_some(usize::from(*b % 4));
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\0').cycle();
    let mut next = || parts.next().unwrap_or_default().to_owned();
    let gate = next();
    let mut findings = Vec::new();
    for (i, (namespace, level)) in
        [("main", Level::Fail), ("verdict.vulnerabilities", Level::Fail), ("main", Level::Warn)]
            .into_iter()
            .enumerate()
    {
        let mut f = policy_finding(namespace, level, &next());
        f.id = Some(next());
        f.severity = Some(Severity::High);
        f.title = Some(next());
        f.description = Some(next());
        f.remediation = Some(next());
        f.purl = Some(next());
        f.file = Some(next());
        f.line = Some(7);
        f.fingerprint = format!("{i:032x}");
        findings.push(f);
    }
    let waiver = Waiver {
        matcher: Matcher { fingerprint: Some(format!("{:032x}", 1)), id: None, purl: None, path: None },
        reason: next(),
        owner: next(),
        expires: Date::constant(2026, 12, 1),
        origin: Origin { file: next(), line: 3 },
    };
    let settings = Settings {
        fail_on: FailOn::default(),
        required: &[],
        waivers: std::slice::from_ref(&waiver),
        today: today(),
    };
    let mut v = fold(&Evidence::new(Meta::default()), findings, &[], &settings);
    for s in &mut v.steps {
        s.summary = next();
    }
    let mut cx = context(&gate);
    cx.commit = Some(next());
    cx.repository = Some(next());
    cx.max_shown = max_shown;
    check_comment(&v, &cx, budget);

    let shown = max_shown.unwrap_or(5);
    let out = terminal::render(
        &v,
        Style { color: false, max_fail_per_rule: shown, max_warn: shown, ..Style::default() },
    );
    let bad = out.chars().find(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c));
    assert!(bad.is_none(), "the terminal report carries {bad:?}:\n{out}");
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest <= MAX_TERMINAL_LINE, "a terminal line of {longest} characters:\n{out}");
}

/// Longest line of the terminal report, whatever the text in it: verdict's own prefixes and
/// two fields of at most 200 characters (`where  FILE:LINE · PURL`).
const MAX_TERMINAL_LINE: usize = 500;

/// Renders the comment within `budget` and asserts what no text from an artifact may change:
/// the budget; the marker, first and only once; verdict's own HTML only, balanced; links only
/// to the places verdict links to; no image; one headline; no mention or reference.
fn check_comment(v: &Verdict, cx: &RenderContext, budget: usize) {
    let md = markdown::comment(v, cx, budget);
    let chars = md.chars().count();
    assert!(chars <= budget, "{chars} characters for a budget of {budget}");
    if budget < 512 {
        return; // Only the cut marker and headline fit.
    }
    let mark = marker(&cx.gate);
    assert!(md.starts_with(&format!("{mark}\n")), "the marker is not the first line:\n{md}");
    assert_eq!(md.matches("<!--").count(), 1, "a second comment opens:\n{md}");
    assert_eq!(md.matches("-->").count(), 1, "a comment closes again:\n{md}");
    let mut headlines = 0;
    let mut tags: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut in_code = false;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH;
    for event in Parser::new_ext(&md, options) {
        match event {
            Event::Text(t) if !in_code => {
                text.push_str(&t);
                continue;
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Heading { level, .. }) => {
                assert!(level as u8 >= 2, "a level-1 heading:\n{md}");
                headlines += usize::from(level as u8 == 2);
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let ok = [BLOB, RUN].iter().any(|p| dest_url.starts_with(p));
                assert!(ok, "a link to {dest_url}:\n{md}");
            }
            Event::Html(h) | Event::InlineHtml(h) => tags.extend(html_tags(&h)),
            Event::Start(Tag::Image { .. }) => panic!("an image:\n{md}"),
            Event::InlineMath(_) | Event::DisplayMath(_) => panic!("math:\n{md}"),
            _ => {}
        }
        no_mention(&text, &md);
        text.clear();
    }
    no_mention(&text, &md);
    assert_eq!(headlines, 1, "one headline:\n{md}");
    let count = |t: &str| tags.iter().filter(|x| *x == t).count();
    for t in &tags {
        assert!(OURS.contains(&t.as_str()) || *t == mark, "HTML not verdict's: {t}\n{md}");
    }
    assert_eq!(count("<details>") + count("<details open>"), count("</details>"), "unbalanced:\n{md}");
    assert_eq!(count("<summary>"), count("</summary>"), "unbalanced:\n{md}");
}

/// The raw HTML verdict's comment may contain, besides its marker: nothing else.
const OURS: [&str; 9] = [
    "<details>",
    "<details open>",
    "</details>",
    "<summary>",
    "</summary>",
    "<code>",
    "</code>",
    "<sub>",
    "</sub>",
];

/// The tags and comments in a piece of raw HTML, each whole (`<details open>`, `<!-- … -->`).
fn html_tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let close = if rest.starts_with("<!--") { "-->" } else { ">" };
        let end = rest.find(close).map_or(rest.len(), |e| e + close.len());
        out.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    out
}

/// Asserts that rendered text holds no `@user` (not after a word character), `#123` or `!123`
/// that GitHub or GitLab would turn into a notification or a reference.
fn no_mention(text: &str, md: &str) {
    let chars: Vec<char> = text.chars().collect();
    for (i, w) in chars.windows(2).enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let word = |c: &char| c.is_alphanumeric() || *c == '_';
        let mention = w[0] == '@' && !prev.is_some_and(word) && word(&w[1]);
        let reference = matches!(w[0], '#' | '!') && w[1].is_ascii_digit();
        assert!(!mention && !reference, "`{}{}` in the text {text:?}:\n{md}", w[0], w[1]);
    }
}

const BLOB: &str = "https://github.com/acme/shop/blob/4f2a9c1d/";
const RUN: &str = "https://github.com/acme/shop/actions/runs/1";

fn context(gate: &str) -> RenderContext {
    let mut cx = RenderContext::new("0.1.0");
    cx.gate = gate.to_owned();
    cx.blob_url = Some(BLOB.trim_end_matches('/').to_owned());
    cx.run_url = Some(RUN.to_owned());
    cx
}

fn today() -> Date {
    Date::constant(2026, 11, 21)
}

fn policy_finding(namespace: &str, level: Level, msg: &str) -> PolicyFinding {
    PolicyFinding {
        namespace: namespace.into(),
        rule: "deny".into(),
        level,
        enforced_from: None,
        excepted: false,
        msg: msg.into(),
        id: None,
        severity: None,
        title: None,
        description: None,
        remediation: None,
        fingerprint: String::new(),
        purl: None,
        file: None,
        line: None,
        url: None,
        extra: Map::new(),
        policy: format!("policy/{namespace}.rego:1"),
    }
}
