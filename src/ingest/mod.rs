//! Artifacts → evidence records. One module per format, each a streaming parser.
//!
//! Owns: recognizing artifacts ([`sniff`]), reading each format into [`Records`], and saying
//! precisely why an artifact cannot be read ([`IngestError`]).
//! Takes a buffered reader and a [`Cx`] (the artifact's path as a label, the limits); returns
//! [`Parsed`]. Must not: open files, walk directories, decide pass or fail, print, or use the
//! network. Files are opened by the CLI, which hands each parser a bounded reader.

mod error;
mod json;
pub(crate) mod read;
pub mod sniff;
mod xml;

pub mod checkov;
pub mod custom;
pub mod cyclonedx;
pub mod junit;
pub mod spdx;
pub mod trivy;

use std::io::BufRead;

pub use error::{Code, IngestError, LimitExceeded, Location, from_io, human_bytes, too_large};
pub use read::Measured;

use crate::evidence::{Format, Keep, Kind, Records, SourcePath, Tool, Warning};

/// Limits that keep reading bounded. All are configurable on the command line.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest artifact read, in bytes.
    pub max_file_size: u64,
    /// Deepest XML element nesting accepted (JSON is bounded by serde_json at 128 levels).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_size: DEFAULT_MAX_FILE_SIZE, max_depth: DEFAULT_MAX_DEPTH }
    }
}

/// Default for [`Limits::max_file_size`]: 512 MiB, above the largest real reports (a 1M-test
/// monorepo's Trivy scan is ~420 MB) and far below what would exhaust a CI runner.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// Default for [`Limits::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 256;

/// Caps on text copied from artifacts into evidence, so memory follows the number of records,
/// not the size of logs inside them.
pub mod caps {
    /// A message (failure message, title).
    pub const MESSAGE: usize = 4 * 1024;
    /// A body (stack trace, captured output).
    pub const DETAILS: usize = 16 * 1024;
}

/// What a parser is told about the artifact it reads.
#[derive(Debug, Clone)]
pub struct Cx<'a> {
    /// The artifact's path, used only as the `source` label of records.
    pub source: SourcePath,
    /// Limits.
    pub limits: &'a Limits,
    /// For custom inputs, the name to store the document under.
    pub custom_name: Option<&'a str>,
    /// The file's size, when known before reading: a JSON file of moderate size is then read
    /// whole and parsed from memory, which is about twice as fast as parsing from a reader.
    pub size: Option<u64>,
    /// Which records the caller keeps. With [`Keep::Judged`] a parser may leave out, as it
    /// reads, records the caller would drop: the JUnit parser then builds no record for a
    /// test that never failed, and the Checkov parser none for a check that did not fail
    /// (counted in `unkept`), so that one report of a million passing tests or checks is not a
    /// million records in memory at once.
    pub keep: Keep,
    /// The folder the run takes for the repository's root (its working directory, the
    /// checkout in CI): a scanner's absolute path under it (Checkov's `file_abs_path`, Trivy's
    /// `ArtifactName`) is placed in the repository by it, wherever the scanner ran from.
    pub workspace: Option<&'a std::path::Path>,
}

impl<'a> Cx<'a> {
    /// The context of an artifact labelled `source`: not a custom input, its size unknown,
    /// every record kept, no workspace. Callers set the rest with `Cx { size, ..Cx::new(…) }`.
    pub fn new(source: &str, limits: &'a Limits) -> Self {
        Cx { source: source.into(), limits, custom_name: None, size: None, keep: Keep::All, workspace: None }
    }

    /// `path` relative to the workspace, `/`-separated and without a leading `/`, when it is an
    /// absolute path inside it.
    pub fn in_workspace(&self, path: &str) -> Option<String> {
        let rest = std::path::Path::new(path).strip_prefix(self.workspace?).ok()?;
        let rest = rest.to_str()?.trim_matches('/');
        (!rest.is_empty()).then(|| rest.to_owned())
    }
}

/// What a parser learned about the artifact itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The tool that wrote it.
    pub tool: Option<Tool>,
    /// The format version it declares.
    pub spec_version: Option<String>,
    /// What it is about (scanned image, described component, document name).
    pub subject: Option<String>,
    /// What kind of thing the subject is, when the artifact says (Trivy's `ArtifactType`).
    pub subject_type: Option<String>,
    /// Problems that did not stop reading.
    pub warnings: Vec<Warning>,
    /// For a Trivy report, how many of its targets are packages checked for vulnerabilities
    /// (see [`Source::package_targets`](crate::evidence::Source::package_targets)).
    pub package_targets: Option<u64>,
    /// The operating system the scan found (see [`Source::os`](crate::evidence::Source::os)).
    pub os: Option<crate::evidence::OperatingSystem>,
}

/// Everything one artifact yielded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// About the artifact.
    pub facts: Facts,
    /// Its records.
    pub records: Records,
}

/// Parses one artifact of a known kind and format.
pub fn parse<R: BufRead>(kind: Kind, format: Format, reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    match (kind, format) {
        (Kind::Junit, Format::Xml) => junit::parse(reader, cx),
        (Kind::Trivy, Format::Json) => trivy::parse(reader, cx),
        (Kind::Checkov, Format::Json) => checkov::parse(reader, cx),
        (Kind::Cyclonedx, Format::Json) => cyclonedx::parse_json(reader, cx),
        (Kind::Cyclonedx, Format::Xml) => cyclonedx::parse_xml(reader, cx),
        (Kind::Spdx, Format::Json) => spdx::parse(reader, cx),
        (Kind::Custom, Format::Json) => custom::parse(reader, cx),
        (kind, format) => Err(IngestError::new(
            Code::WrongKind,
            format!("{} is not read from {}", kind.describe(), format_name(format)),
        )
        .expected(match kind {
            Kind::Junit => "XML",
            Kind::Cyclonedx => "JSON or XML",
            _ => "JSON",
        })),
    }
}

/// For a file named as `kind` whose content discovery does not recognize: an error naming
/// the variant of that format it is written in, when the variant is known but not read (SPDX 3
/// JSON-LD, SPDX tag-value). `None` leaves the caller's generic wrong-kind error. `head` is the
/// file's first bytes, as given to [`sniff::sniff`].
pub fn unsupported_variant(kind: Kind, head: &[u8]) -> Option<IngestError> {
    match kind {
        Kind::Spdx => spdx::unsupported_variant(head),
        Kind::Junit | Kind::Trivy | Kind::Checkov | Kind::Cyclonedx | Kind::Custom => None,
    }
}

/// Parses an artifact held in a string, labelled `source`, with default limits: how the
/// parsers' unit tests read their inline documents.
#[cfg(test)]
pub(crate) fn parse_text(
    kind: Kind,
    format: Format,
    source: &str,
    text: &str,
) -> Result<Parsed, IngestError> {
    let limits = Limits::default();
    let streamed = parse(kind, format, text.as_bytes(), &Cx::new(source, &limits));
    // The same text read as a file of known size is (JSON files are then read whole and
    // parsed from memory, and parsed a second time to locate an error): both must agree.
    let size = Some(text.len() as u64);
    let whole = parse(kind, format, text.as_bytes(), &Cx { size, ..Cx::new(source, &limits) });
    match (&streamed, &whole) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "read streamed and whole"),
        (Err(a), Err(b)) => {
            assert_eq!((a.code, &a.message, &a.expected), (b.code, &b.message, &b.expected));
            assert_eq!((a.location.line, &a.location.path), (b.location.line, &b.location.path));
        }
        _ => panic!("streamed: {:?}, whole: {:?}", streamed.as_ref().err(), whole.as_ref().err()),
    }
    whole
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "JSON",
        Format::Xml => "XML",
    }
}

/// The formats a kind can be written in.
pub fn formats(kind: Kind) -> &'static [Format] {
    match kind {
        Kind::Junit => &[Format::Xml],
        Kind::Cyclonedx => &[Format::Json, Format::Xml],
        Kind::Trivy | Kind::Checkov | Kind::Spdx | Kind::Custom => &[Format::Json],
    }
}
