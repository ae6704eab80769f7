//! Renderers: pure functions from a verdict to bytes, one module per surface.
//!
//! - [`terminal`]: the text `verdict run` prints.
//! - [`markdown`]: the PR/MR comment, the GitHub job summary.
//! - [`annotations`]: GitHub workflow commands, check-run annotations and summary.
//! - [`sarif`]: SARIF 2.1.0 for code scanning.
//! - [`junit`]: JUnit XML for CI test-report views.
//! - [`codequality`]: GitLab Code Quality JSON.
//! - [`json`]: the verdict document itself.
//!
//! Each takes the verdict and, where it needs one, a [`RenderContext`] (values only: gate key,
//! links, commit, version), and stays within its surface's [`budget`]. Text from artifacts and
//! policies is escaped for its surface (the `text` module). Must not: read files, the clock or the
//! environment, print, or call CI APIs (publishing is `publish`'s job).

pub mod annotations;
pub mod budget;
pub mod codequality;
mod common;
mod context;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod terminal;
mod text;

pub use context::{DEFAULT_ANCHOR, DEFAULT_GATE, RenderContext, ReportLink, gate_key, marker};

use std::io::Write;

use crate::verdict::Verdict;

/// The verdict document as indented JSON, with a final newline (`docs/verdict.md`).
pub fn json(v: &Verdict) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = write_json(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`json`], written to `out` as it is serialized.
pub fn write_json(v: &Verdict, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    out.write_all(b"\n")
}
