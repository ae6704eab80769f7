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
pub(crate) use text::uri_path;

pub use context::{DEFAULT_ANCHOR, DEFAULT_GATE, RenderContext, ReportLink, gate_key, marker};

use std::io::{BufWriter, Write};

use crate::verdict::Verdict;

/// The size of the buffers documents are written through (report files, stdout, `--output`).
pub const WRITE_BUFFER: usize = 256 * 1024;

/// Serializes `doc` as JSON (indented when `pretty`) into `out`, through a buffer of its own.
/// serde_json writes a document in small pieces (a quote, a key, a colon, an indent), and
/// through `&mut dyn Write` each piece is a call through the vtable; a concrete buffer in
/// between turns them into copies (12 MB of findings serialized to a sink: 14–18 → 10–13 ms;
/// in a whole run at scale 10 the difference is below the noise). It has [`WRITE_BUFFER`]'s
/// size, so a full buffer passes through a writer with the same buffer without being copied
/// again.
pub fn to_json_writer<T: serde::Serialize + ?Sized>(
    doc: &T,
    pretty: bool,
    out: &mut dyn Write,
) -> serde_json::Result<()> {
    let mut w = BufWriter::with_capacity(WRITE_BUFFER, out);
    if pretty {
        serde_json::to_writer_pretty(&mut w, doc)?;
    } else {
        serde_json::to_writer(&mut w, doc)?;
    }
    w.flush().map_err(serde_json::Error::io)
}

/// The verdict document as indented JSON, with a final newline (`docs/verdict.md`).
pub fn json(v: &Verdict) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = write_json(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`json`], written to `out` as it is serialized.
pub fn write_json(v: &Verdict, out: &mut dyn Write) -> std::io::Result<()> {
    to_json_writer(v, true, out)?;
    out.write_all(b"\n")
}
