//! Placeholder while the parser is written (replaced before the issue is resolved).
use super::{Code, Cx, IngestError, Parsed};
use std::io::BufRead;
/// Parses the format.
pub fn parse<R: BufRead>(_reader: R, _cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    Err(IngestError::new(Code::UnsupportedVersion, "checkov parser pending"))
}
