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
//! policies is escaped for its surface ([`text`]). Must not: read files, the clock or the
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

use crate::verdict::Verdict;

/// The verdict document as JSON (`docs/verdict.md`).
pub fn json(v: &Verdict, compact: bool) -> Result<String, serde_json::Error> {
    if compact { serde_json::to_string(v) } else { serde_json::to_string_pretty(v) }
}
