//! Renderers: pure functions from a verdict to bytes, one per surface. More surfaces (Markdown,
//! SARIF, JUnit, Code Quality) join here.

pub mod terminal;

use crate::verdict::Verdict;

/// The verdict document as JSON (`docs/verdict.md`).
pub fn json(v: &Verdict, compact: bool) -> Result<String, serde_json::Error> {
    if compact { serde_json::to_string(v) } else { serde_json::to_string_pretty(v) }
}
