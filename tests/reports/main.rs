//! The report renderers against real and synthetic verdicts: snapshots of what people read,
//! hostile text on every surface, budgets at 50,000 findings, and each machine format against
//! its schema or reader. One integration binary, one module per concern.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::print_stderr)]

mod annotations;
mod budgets;
mod codequality;
mod hostile;
mod junit;
mod markdown;
mod sarif;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The corpus beside the project (`../shared/corpus`), or `None` (skip with a note) when it is
/// absent outside CI; under `CI=true` a missing corpus fails, as in the conformance suite.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("VERDICT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("schemas").is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "the corpus is missing at {} and CI=true", dir.display());
    eprintln!("note: corpus not found at {}; skipping (set VERDICT_CORPUS)", dir.display());
    None
}

/// What a Markdown report is made of, as a CommonMark parser reads it.
#[derive(Debug, Default)]
pub struct Shape {
    /// Heading levels, in order.
    pub headings: Vec<u8>,
    /// Tag names of raw HTML (`details`, `/details`, `!--` for a comment …).
    pub html_tags: Vec<String>,
    /// HTML comments, verbatim.
    pub comments: Vec<String>,
    /// Link destinations.
    pub links: BTreeSet<String>,
    /// Images.
    pub images: usize,
    /// Tables.
    pub tables: usize,
    /// Each table row's cell count.
    pub row_cells: Vec<usize>,
    /// All text the reader sees, outside code.
    pub text: String,
    /// All code spans and blocks.
    pub code: String,
}

/// Parses Markdown with the GitHub extensions (tables, strikethrough) and collects its shape.
pub fn shape(md: &str) -> Shape {
    let mut s = Shape::default();
    let mut cells = 0;
    let mut in_block = false;
    for ev in
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH)
    {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => s.headings.push(level as u8),
            Event::Start(Tag::Link { dest_url, .. }) => {
                s.links.insert(dest_url.to_string());
            }
            Event::Start(Tag::Image { .. }) => s.images += 1,
            Event::Start(Tag::Table(_)) => s.tables += 1,
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => s.row_cells.push(cells),
            Event::Html(h) | Event::InlineHtml(h) => collect_html(&h, &mut s),
            Event::Start(Tag::CodeBlock(_)) => in_block = true,
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Text(t) => {
                let into = if in_block { &mut s.code } else { &mut s.text };
                into.push_str(&t);
                into.push(' ');
            }
            Event::Code(t) => {
                s.code.push_str(&t);
                s.code.push(' ');
            }
            Event::InlineMath(_) | Event::DisplayMath(_) => s.html_tags.push("math".into()),
            _ => {}
        }
    }
    s
}

fn collect_html(h: &str, s: &mut Shape) {
    let mut rest = h;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            s.comments.push(rest[..end].to_owned());
            s.html_tags.push("!--".into());
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag: String =
            rest[1..end].trim_end_matches('>').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        s.html_tags.push(tag);
        rest = &rest[end..];
    }
}

/// The raw HTML verdict's Markdown may contain: nothing else.
pub const OUR_TAGS: [&str; 9] =
    ["details", "/details", "summary", "/summary", "code", "/code", "sub", "/sub", "!--"];
