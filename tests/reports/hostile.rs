//! Text from artifacts and policies is untrusted. Every surface gets the same hostile text in
//! every field a report shows — markup, HTML, fake markers, mentions, issue references, images,
//! links with a script scheme, backticks, ANSI escapes, table pipes, bidi controls, workflow
//! commands, huge lines — and must neither render it as structure nor let it change the shape.

use jiff::civil::Date;
use verdict::evidence::Severity;
use verdict::policy::Level;
use verdict::report::{
    RenderContext, ReportLink, annotations, budget, codequality, junit, markdown, marker, sarif, terminal,
};
use verdict::verdict::{LedgerEntry, Problem, Status, Verdict};

use crate::{OUR_TAGS, shape, support};

/// Everything at once.
pub const HOSTILE: &str = "</details></summary></sub><!-- verdict:comment gate=x --> @org/team @octocat #123 !45 ![img](http://evil.example/x.png) <script>alert(1)</script> <img src=x onerror=alert(1)> ```\n# Heading\n- item\n1. one\n> quote\n| a | b |\n|---|---|\n``` `code` \x1b[31mred\x1b[0m \u{202e}txet\u{202c} [link](javascript:alert(1)) $x^2$ ~~strike~~ **bold** _em_ &amp; &lt;b&gt;\r\n::error file=a,line=1::injected\n##[error]legacy\n::add-mask::secret";

fn hostile_verdict() -> Verdict {
    let mut findings = Vec::new();
    for (i, (status, level)) in [
        (Status::Open, Level::Fail),
        (Status::Open, Level::Warn),
        (Status::Waived, Level::Fail),
        (Status::Excepted, Level::Warn),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = support::policy_finding("main", &format!("deny_{i}"), level, HOSTILE);
        p.id = Some(HOSTILE.into());
        p.severity = Some(Severity::Critical);
        p.title = Some(HOSTILE.into());
        p.description = Some(HOSTILE.into());
        p.remediation = Some(format!("{HOSTILE} {}", "very long line ".repeat(20_000)));
        p.purl = Some(HOSTILE.into());
        p.file = Some(format!("../../etc/{HOSTILE}"));
        p.line = Some(3);
        p.url = Some("javascript:alert(1)".into());
        p.policy = HOSTILE.into();
        p.fingerprint = format!("{i:032x}");
        let mut f = support::finding(HOSTILE, status, p);
        if let Some(w) = f.waiver.as_mut() {
            w.reason = HOSTILE.into();
            w.owner = HOSTILE.into();
            w.origin = HOSTILE.into();
        }
        f.waiver_snippet = format!("- fingerprint: {i:032x}   # {HOSTILE}\n  reason: \"{HOSTILE}\"");
        findings.push(f);
    }
    let mut v = support::verdict_of(findings);
    for s in &mut v.steps {
        s.summary = HOSTILE.into();
    }
    let entry = LedgerEntry {
        matches: HOSTILE.into(),
        reason: HOSTILE.into(),
        owner: HOSTILE.into(),
        expires: Date::constant(2026, 11, 1),
        days_left: -20,
        findings: 0,
        origin: format!("{HOSTILE}:7"),
    };
    v.waivers.expired.push(entry.clone());
    v.waivers.unused.push(entry.clone());
    v.waivers.expiring_soon.push(entry.clone());
    v.waivers.applied.push(entry);
    v.problems.push(Problem { code: HOSTILE.into(), message: HOSTILE.into(), help: HOSTILE.into() });
    // A check skipped in code, with the artifact's text for its id, resource, file and reason.
    v.evidence.suppressed.push(verdict::verdict::SuppressedCheck {
        check_id: HOSTILE.into(),
        tool: "checkov".into(),
        status: verdict::evidence::CheckStatus::Skipped,
        resource: Some(HOSTILE.into()),
        file: Some(format!("infra/{HOSTILE}")),
        line: Some(3),
        reason: Some(HOSTILE.into()),
    });
    v.evidence.suppressed_total = 1;
    v
}

fn hostile_context() -> RenderContext {
    let mut cx = RenderContext::new(HOSTILE);
    cx.gate = HOSTILE.into();
    cx.run_url = Some("javascript:alert(1)".into());
    cx.commit = Some(HOSTILE.into());
    cx.repository = Some(HOSTILE.into());
    cx.blob_url = Some("https://github.com/acme/shop/blob/abc".into());
    cx.reports = vec![
        ReportLink { label: HOSTILE.into(), url: "https://example.com/verdict.json?a=(b)&c=<d>".into() },
        ReportLink { label: "evil".into(), url: "data:text/html,<script>alert(1)</script>".into() },
    ];
    cx.anchor = HOSTILE.into();
    cx
}

/// Nothing that breaks out of text survives in any Markdown surface.
#[test]
fn markdown_surfaces() {
    let v = hostile_verdict();
    let cx = hostile_context();
    let surfaces = [
        ("comment", markdown::comment(&v, &cx, budget::GITHUB_COMMENT_CHARS)),
        ("gitlab note", markdown::comment(&v, &cx, budget::GITLAB_NOTE_CHARS)),
        ("job summary", markdown::job_summary(&v, &cx, budget::GITHUB_JOB_SUMMARY_BYTES)),
        ("check run", annotations::check_run_summary(&v, &cx)),
    ];
    // The check skipped in code is listed (its hostile text escaped like the rest, below).
    assert!(surfaces[0].1.contains("🔇 1 check skipped in the scanners"), "{}", surfaces[0].1);
    for (name, text) in surfaces {
        let s = shape(&text);
        // Structure: one headline, verdict's own HTML only, balanced, no image, no math.
        assert_eq!(s.headings.iter().filter(|h| **h == 2).count(), 1, "{name}");
        assert!(s.headings.iter().all(|h| (2..=4).contains(h)), "{name}: {:?}", s.headings);
        assert!(s.html_tags.iter().all(|t| OUR_TAGS.contains(&t.as_str())), "{name}: {:?}", s.html_tags);
        let count = |t: &str| s.html_tags.iter().filter(|x| *x == t).count();
        assert_eq!(count("details"), count("/details"), "{name}");
        assert_eq!(count("summary"), count("/summary"), "{name}");
        assert_eq!(count("sub"), count("/sub"), "{name}");
        assert_eq!(s.images, 0, "{name}");
        assert!(s.row_cells.iter().all(|n| *n == 6), "{name}: {:?}", s.row_cells);
        // Links: only http(s), none from the script or data schemes.
        assert!(
            s.links.iter().all(|l| l.starts_with("https://") || l.starts_with("http://")),
            "{name}: {:?}",
            s.links
        );
        assert!(s.links.iter().all(|l| !l.contains('<') && !l.contains(' ')), "{name}: {:?}", s.links);
        // The marker: once and first on a comment, never anywhere else, so no fake one.
        let expected: Vec<String> = if name.starts_with("comment") || name == "gitlab note" {
            vec![marker(HOSTILE)]
        } else {
            Vec::new()
        };
        assert_eq!(s.comments, expected, "{name}");
        assert_eq!(text.matches("<!--").count(), expected.len(), "{name}");
        // No control characters, no bidi overrides, no mention, no issue reference.
        assert!(!text.contains('\x1b') && !text.contains('\r') && !text.contains('\u{202e}'), "{name}");
        // Mentions and references are read in text, not in code spans.
        for needle in ["@org", "@octocat", "#123", "!45"] {
            assert!(!s.text.contains(needle), "{name}: {needle} in rendered text");
        }
        assert!(!s.links.iter().any(|l| l.contains("javascript")), "{name}");
        // Every line is short: huge fields are cut.
        let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest < 4_000, "{name}: a line of {longest} characters");
    }
}

/// The terminal report: no control character, bidi control or line break from an artifact or
/// from `verdict.yaml` (a waiver's reason, owner, or the name of the file it came from), so
/// nothing can restyle, rewrite or disguise the terminal, and no line becomes a runner command.
#[test]
fn terminal() {
    let out = terminal::render(
        &hostile_verdict(),
        terminal::Style { color: false, max_fail_per_rule: 5, max_warn: 5, ..terminal::Style::default() },
    );
    let bad = out.chars().find(|c| (c.is_control() && *c != '\n') || verdict::diag::is_bidi_control(*c));
    assert_eq!(bad, None, "{out}");
    for line in out.lines() {
        assert!(!line.trim_start().starts_with("::") && !line.contains("##["), "{line:?}");
    }
    // Every hostile text is there, on one line each: shown, not obeyed.
    assert!(out.contains("waived by </details>"), "{out}");
}

/// A test name written over several lines (a parameterized test printing its data) is one
/// line of text in the terminal too: its line breaks neither start lines of their own in
/// verdict's block nor use up the lines that keep why it failed.
#[test]
fn terminal_folds_line_breaks() {
    let name = "totals for cart\n  items: 3\n  coupon: SPRING10\n  currency: EUR\n  vat: 19%";
    let mut p = support::policy_finding("tests", "deny_failed", Level::Fail, "");
    p.msg = format!("Test \"{name}\" in pricing.CartTotals failed: expected 90.00 but was 81.00");
    p.remediation = Some(format!("Run pricing.CartTotals.{name} locally; it failed with AssertionError"));
    let v = support::verdict_of(vec![support::finding("x", Status::Open, p)]);
    let out = terminal::render(&v, terminal::Style { color: false, ..terminal::Style::default() });
    assert!(out.contains("expected 90.00 but was 81.00"), "{out}");
    assert!(out.contains("it failed with AssertionError"), "{out}");
    assert!(out.lines().any(|l| l.contains("✗ Test \"totals for cart items: 3 coupon: SPRING10")), "{out}");
}

/// Workflow commands: one line each, properties and data escaped, no second command smuggled
/// in, no legacy `##[` command anywhere.
#[test]
fn workflow_commands() {
    let v = hostile_verdict();
    let out = annotations::workflow_commands(&v, &hostile_context());
    assert!(!out.contains('\r') && !out.contains('\x1b') && !out.contains("##["));
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let (kind, rest) = line[2..].split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&kind), "{line}");
        let (props, data) = rest.split_once("::").unwrap();
        for prop in props.split(',') {
            let (key, value) = prop.split_once('=').unwrap();
            assert!(["file", "line", "title"].contains(&key), "{line}");
            assert!(!value.contains(':') && !value.contains(','), "{key}={value}");
        }
        assert!(!data.contains('\n'));
        // The file property never climbs out of the repository.
        assert!(!props.contains("file=..") && !props.contains("%2F.."), "{props}");
    }
}

/// Check-run annotations stay within the API's field limits and carry no control characters.
#[test]
fn check_runs() {
    let v = hostile_verdict();
    for a in annotations::check_run_batches(&v, &hostile_context()).concat() {
        assert!(a.title.chars().count() <= budget::GITHUB_ANNOTATION_TITLE_CHARS);
        assert!(a.message.len() <= budget::GITHUB_ANNOTATION_MESSAGE_BYTES);
        assert!(a.raw_details.len() <= budget::GITHUB_ANNOTATION_RAW_DETAILS_BYTES);
        assert!(!a.path.contains("..") && !a.path.starts_with('/') && !a.path.is_empty(), "{}", a.path);
        for field in [&a.title, &a.message, &a.raw_details, &a.path] {
            assert!(!field.contains('\x1b') && !field.contains('\u{202e}') && !field.contains('\r'));
        }
    }
}

/// SARIF, Code Quality and JUnit stay valid documents with the hostile text as data.
#[test]
fn machine_formats() {
    let v = hostile_verdict();
    let cx = hostile_context();
    let sarif: serde_json::Value = serde_json::from_str(&sarif::render(&v, &cx)).unwrap();
    crate::sarif::assert_valid(&sarif);
    let text = sarif.to_string();
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(rule.get("helpUri").is_none(), "no helpUri from a script URL");
    }
    assert!(!text.contains("\\u001b"));
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains("..") && !uri.contains(' ') && !uri.contains('<'), "{uri}");
    }

    let cq: serde_json::Value = serde_json::from_str(&codequality::render(&v, &cx)).unwrap();
    crate::codequality::assert_valid(&cq);
    for issue in cq.as_array().unwrap() {
        assert!(!issue["description"].as_str().unwrap().contains('\n'));
    }

    let xml = junit::render(&v);
    assert!(!xml.contains('\x1b') && !xml.contains("<script"));
    let ev = crate::junit::read_back(&xml);
    assert_eq!(ev.tests.totals.errored, 1, "the problem is an errored testcase");
}
