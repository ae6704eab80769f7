//! Any other JSON artifact, named with `--input custom:NAME=PATH`, kept as it is under
//! `custom.NAME` for policies to read (a cost estimate, a performance budget, a coverage
//! summary).
//!
//! Takes a reader and a [`Cx`] carrying the name; returns [`Parsed`] or an [`IngestError`].
//! Must not: open files, interpret the document, print, or use the network.

use std::io::BufRead;

use super::json;
use super::{Code, Cx, Facts, IngestError, Parsed};

/// Parses a custom JSON document.
pub fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let Some(name) = cx.custom_name else {
        return Err(IngestError::new(Code::WrongKind, "a custom input needs a name")
            .expected("--input custom:NAME=PATH"));
    };
    let json::Unique(value) = json::read(reader, cx.size, "write it as a single JSON document")?;
    let mut out = Parsed { facts: Facts::default(), ..Parsed::default() };
    out.records.custom.insert(name.to_owned(), value);
    Ok(out)
}

/// Whether `name` can name a custom input: it becomes a key policies write as
/// `input.custom.NAME`, so it is a Rego identifier.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Limits;

    /// The document lands under its name unchanged.
    #[test]
    fn stores_document() {
        let limits = Limits::default();
        let cx = Cx { custom_name: Some("cost"), ..Cx::new("cost.json", &limits) };
        let p = parse(&br#"{"estimate_usd": 12.5, "currency": "USD"}"#[..], &cx).expect("parses");
        assert_eq!(
            p.records.custom.get("cost").and_then(|v| v.get("estimate_usd")).and_then(|v| v.as_f64()),
            Some(12.5)
        );
    }

    /// Names are Rego identifiers.
    #[test]
    fn names() {
        assert!(valid_name("cost"));
        assert!(valid_name("_perf_budget2"));
        assert!(!valid_name("2cost"));
        assert!(!valid_name("cost-estimate"));
        assert!(!valid_name(""));
    }
}
