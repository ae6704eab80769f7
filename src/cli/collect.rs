//! Opens each candidate once, recognizes it, parses it, and merges everything into one
//! evidence document. Files are read concurrently, one per core; the merge is in path order,
//! so the document does not depend on which thread finished first.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use crate::evidence::{Evidence, Format, Keep, Kind, Meta, Skipped, Source};
use crate::ingest::sniff::{self, SNIFF_BYTES, Sniffed};
use crate::ingest::{self, Code, Cx, IngestError, Limits, Measured, Parsed};

use super::discover::Candidate;

/// An artifact that could not be read.
#[derive(Debug)]
pub struct FileError {
    /// The path to open (for locating the error in the file).
    pub path: std::path::PathBuf,
    /// The path as shown.
    pub display: String,
    /// What went wrong.
    pub error: IngestError,
}

enum Outcome {
    Read(Box<(Source, Parsed)>),
    SkippedStructured(Skipped),
    /// Skipped, and named in the job log: results verdict does not read in this form.
    SkippedResults(Skipped),
    SkippedOther(String),
    Failed(FileError),
}

/// Reads every candidate into one document, keeping the records `keep` says, or returns every
/// error.
pub fn collect(
    candidates: &[Candidate],
    limits: &Limits,
    meta: Meta,
    keep: Keep,
) -> Result<Evidence, Vec<FileError>> {
    // Scanners' absolute paths under the working directory (the checkout in CI) are placed in
    // the repository by it.
    let workspace = std::env::current_dir().ok();
    let outcomes = read_all(candidates, limits, keep, workspace.as_deref());
    let mut evidence = Evidence::new(meta);
    evidence.reserve(outcomes.iter().filter_map(|o| match o {
        Outcome::Read(read) => Some(&read.1.records),
        _ => None,
    }));
    let mut errors = Vec::new();
    let mut custom_names: Vec<(String, String)> = Vec::new();
    evidence.meta.discovery.files_examined = candidates.len() as u64;
    for (candidate, outcome) in candidates.iter().zip(outcomes) {
        match outcome {
            Outcome::Read(boxed) => {
                let (source, parsed) = *boxed;
                if let Some(name) = &source.name {
                    if let Some((_, first)) = custom_names.iter().find(|(n, _)| n == name) {
                        errors.push(FileError {
                            path: candidate.path.clone(),
                            display: candidate.display.clone(),
                            error: IngestError::new(
                                Code::DuplicateName,
                                format!("the custom input name `{name}` is already used by `{first}`"),
                            )
                            .help("give each --input custom:NAME=PATH its own NAME"),
                        });
                        continue;
                    }
                    custom_names.push((name.clone(), source.path.clone()));
                }
                tracing::info!(
                    path = %source.path,
                    kind = source.kind.as_str(),
                    tool = source.tool.as_ref().map(|t| t.name.as_str()).unwrap_or("-"),
                    "read"
                );
                if let Some(said) = warnings_summary(&source.warnings) {
                    tracing::warn!("{}: {said}", source.path);
                }
                evidence.meta.discovery.recognized += 1;
                evidence.sources.push(source);
                evidence.absorb(parsed.records);
            }
            Outcome::SkippedStructured(s) => {
                tracing::info!(path = %s.path, reason = %s.reason, "skipped");
                evidence.meta.discovery.skipped_structured += 1;
                evidence.skipped.push(s);
            }
            Outcome::SkippedResults(s) => {
                tracing::warn!("{}: skipped: {}", s.path, s.reason);
                evidence.meta.discovery.skipped_structured += 1;
                evidence.skipped.push(s);
            }
            Outcome::SkippedOther(reason) => {
                tracing::debug!(path = %candidate.display, reason = %reason, "skipped");
                evidence.meta.discovery.skipped_other += 1;
            }
            Outcome::Failed(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(evidence) } else { Err(errors) }
}

/// Reads all candidates on up to one thread per core; outcomes come back in input order. The
/// largest files are started first: one large scan started last would otherwise run alone
/// while the other cores sit idle.
fn read_all(
    candidates: &[Candidate],
    limits: &Limits,
    keep: Keep,
    workspace: Option<&std::path::Path>,
) -> Vec<Outcome> {
    let mut order: Vec<(u64, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (std::fs::metadata(&c.path).map(|m| m.len()).unwrap_or(0), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    let outcomes = crate::work::longest_first(
        &order,
        || (),
        |_, i| {
            let mut outcome = read_one(candidates.get(i)?, limits, keep, workspace);
            if let (Outcome::Read(read), Keep::Judged { vulnerabilities }) = (&mut outcome, keep) {
                crate::policy::input::keep_judged(&mut read.1.records, vulnerabilities);
            }
            Some(outcome)
        },
    );
    outcomes
        .into_iter()
        .map(|o| o.flatten().expect("every candidate is read: the order names each index once"))
        .collect()
}

/// Every kind discovery recognizes, as an `expected` text.
const ARTIFACT_KINDS: &str =
    "a JUnit XML test report, a Trivy or Checkov JSON report, or a CycloneDX or SPDX SBOM";

fn read_one(c: &Candidate, limits: &Limits, keep: Keep, workspace: Option<&std::path::Path>) -> Outcome {
    let fail = |error: IngestError| {
        Outcome::Failed(FileError { path: c.path.clone(), display: c.display.clone(), error })
    };
    // A report verdict was writing when its run was stopped (`.verdict.junit.xml.<hex>.tmp`):
    // verdict's own, unfinished, never an artifact (nor an error that would stop every later
    // run in this folder).
    if c.named.is_none()
        && c.path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(crate::publish::files::is_unfinished_report)
    {
        return Outcome::SkippedOther(
            "an unfinished report of verdict's own (a run stopped while writing it)".into(),
        );
    }
    let file = match File::open(&c.path) {
        Ok(f) => f,
        Err(e) => {
            let help = if super::infrastructure(&e) {
                "the machine ran out of file handles, memory or disk, or its disk failed: nothing is wrong with the \
                 file; raise the job's limits (`ulimit -n`) or run it again on a healthy runner (exit 3)"
                .to_owned()
            } else {
                super::access_help(&e, "readable")
            };
            return fail(IngestError::new(Code::Unreadable, "cannot open the file").help(help).caused_by(e));
        }
    };
    let file_len = file.metadata().ok().map(|m| m.len());
    if let Some(len) = file_len
        && len > limits.max_file_size
    {
        return fail(ingest::too_large(limits.max_file_size, Some(len)));
    }
    let mut measured = Measured::new(file, limits.max_file_size);
    // The parser gets the buffered reader by value: std reads single bytes straight from a
    // `BufReader`'s buffer only when it is not behind a reference, and serde_json reads JSON
    // byte by byte. Borrowing `measured` lets us finish hashing after the parser is done.
    let mut reader = BufReader::with_capacity(256 * 1024, &mut measured);
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(e) => return fail(ingest_io(e)),
    };
    let head = head.get(..SNIFF_BYTES.min(head.len())).unwrap_or(head);
    let mut sniffed = sniff::sniff(head);
    if matches!(sniffed, Sniffed::UnknownStructured(Format::Json, _)) {
        match file_len {
            Some(len) if len > head.len() as u64 => {
                if sniff::needs_whole_scan(head)
                    && let Ok(second) = File::open(&c.path)
                {
                    // The deciding key may lie past the first bytes: read all top-level keys
                    // through a second handle, so the parser still starts from the first byte
                    // of this one.
                    sniffed = sniff::sniff_whole_object(BufReader::new(second.take(limits.max_file_size)));
                }
            }
            Some(_) => {
                if let Some(cut) = sniff::sniff_cut(head) {
                    // The whole file is a report cut off before its deciding keys: read as what
                    // it began as, so that the parser says where it ends, rather than skipped.
                    sniffed = cut;
                }
            }
            None => {}
        }
    }
    if matches!(sniffed, Sniffed::UnknownStructured(Format::Xml, _)) && file_len == Some(head.len() as u64) {
        if let Some(cut) = sniff::sniff_xml_cut(head) {
            // As for JSON above: a report cut off in its root element's start tag.
            sniffed = cut;
        } else if sniff::xml_without_root(head)
            && let Some(kind) =
                sniff::kind_by_name(&c.path).filter(|k| matches!(k, Kind::Junit | Kind::Cyclonedx))
        {
            // Cut off before its root, with a name that says what it was (`bom.xml`).
            sniffed = Sniffed::Known(kind, Format::Xml);
        }
    }
    if let Some(kind) = sniff::utf16_kind(head) {
        return fail(
            IngestError::new(Code::UnsupportedEncoding, format!("{} written in UTF-16", kind.describe()))
                .expected("UTF-8")
                .help(
                    "convert it with `iconv -f UTF-16 -t UTF-8`, or make the step that writes it write \
                     UTF-8 (PowerShell: `Out-File -Encoding utf8`)",
                ),
        );
    }
    // A report after lines of other text (a tool's log redirected into the file) would be
    // skipped as "not XML or JSON", and the gate would pass without it. Only a file named as
    // JSON or XML: a README or a script may well hold an example report on a line of its own.
    let report_name = c
        .path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("xml"));
    if report_name
        && matches!(sniffed, Sniffed::Other(_) | Sniffed::UnknownStructured(..))
        && !matches!(c.named, Some((Kind::Custom, _)))
        && let Some((kind, line)) = sniff::report_after_text(head)
    {
        return fail(
            IngestError::new(
                Code::TextBeforeReport,
                format!("{} starts on line {line}, after text that is not part of it", kind.describe()),
            )
            .at(ingest::Location::line_col(1, 1))
            .expected(format!("{} from the first line", kind.describe()))
            .help(
                "the tool's log went into the same file: have the tool write the report itself (`trivy … \
                 --output trivy.json`, `checkov … --output-file-path reports/`, Playwright's \
                 PLAYWRIGHT_JUNIT_OUTPUT_NAME), or do not redirect its stderr into the report (`2>&1`)",
            ),
        );
    }
    let (kind, format, custom_name) = match (&c.named, sniffed) {
        // One object that is two artifacts (an SBOM merged with a Trivy report) would be read
        // as one of them, and what the other holds (its vulnerabilities) dropped unseen.
        (None, Sniffed::TwoKinds(kinds)) => {
            let names: Vec<&str> = kinds.iter().map(|k| k.describe()).collect();
            return fail(
                IngestError::new(
                    Code::TwoKinds,
                    format!("this JSON object is two artifacts at once: {}", names.join(" and ")),
                )
                .at(ingest::Location::line_col(1, 1))
                .expected("one artifact per file, as each tool writes it")
                .help(
                    "keep each tool's output in a file of its own (a step that merges them, such as `jq -s \
                 '.[0] * .[1]'`, makes one document that neither tool wrote); to read the file as \
                 one kind anyway, name it: --input KIND=FILE",
                ),
            );
        }
        (None, Sniffed::Known(Kind::Junit, _))
            if !c.explicit
                && let Some(why) = sniff::own_junit_report(head) =>
        {
            return Outcome::SkippedStructured(Skipped { path: c.display.clone(), reason: why.to_owned() });
        }
        (None, Sniffed::Known(Kind::Junit, _) | Sniffed::UnknownStructured(..))
            if !c.explicit
                && let Some(why) = sniff::results_not_read(head) =>
        {
            return Outcome::SkippedResults(Skipped { path: c.display.clone(), reason: why.to_owned() });
        }
        (None, Sniffed::Known(k, f)) => (k, f, None),
        // An SBOM in an SPDX form verdict does not read (tag-value, YAML, RDF, SPDX 3) would
        // otherwise leave the sbom step saying that no SBOM was found.
        (None, Sniffed::UnknownStructured(..) | Sniffed::Other(_))
            if let Some(e) = crate::ingest::spdx::found_variant(head) =>
        {
            return fail(e);
        }
        (None, Sniffed::UnknownStructured(_, reason) | Sniffed::Other(reason)) if c.explicit => {
            let reason = sniff::results_not_read(head).map_or(reason, str::to_owned);
            return fail(
                IngestError::new(
                    Code::Unrecognized,
                    format!(
                        "this file was named as an artifact, but verdict does not recognize it: {reason}"
                    ),
                )
                .expected(ARTIFACT_KINDS)
                .help(format!(
                    "to be told what it lacks, name its kind: --input KIND={d} (KIND: junit, trivy, \
                     checkov, cyclonedx, spdx); other JSON reaches your policies with --input \
                     custom:NAME={d}; in a named folder, unknown files are skipped",
                    d = c.display
                )),
            );
        }
        (None, Sniffed::UnknownStructured(_, reason)) => {
            return Outcome::SkippedStructured(Skipped { path: c.display.clone(), reason });
        }
        (None, Sniffed::Other(_))
            if sniff::content(head).is_none()
                && let Some(kind) = sniff::kind_by_name(&c.path) =>
        {
            // Skipped, an empty `trivy.json` would let the gate pass without the scan that
            // failed to write it.
            let what = if head.is_empty() { "is empty" } else { "holds nothing but whitespace" };
            return fail(
                IngestError::new(
                    Code::Empty,
                    format!("the file {what}, though its name says it is {}", kind.describe()),
                )
                .expected(kind.describe())
                .help(
                    "the tool that writes it wrote nothing: it probably failed or was stopped before it \
                     wrote its report. Look at the step that runs it, and let that step fail the job \
                     when the tool fails; a file that is not an artifact belongs outside the folders \
                     verdict searches",
                ),
            );
        }
        (None, Sniffed::Other(reason)) => return Outcome::SkippedOther(reason),
        (Some((Kind::Custom, name)), sniffed) => {
            let format = match sniffed {
                Sniffed::Known(_, f) | Sniffed::UnknownStructured(f, _) => f,
                Sniffed::Other(_) | Sniffed::TwoKinds(_) => Format::Json,
            };
            if format == Format::Xml {
                return fail(
                    IngestError::new(Code::WrongKind, "this file was named as custom JSON, but it is XML")
                        .expected("a JSON document")
                        .help("custom inputs are JSON; name XML reports by their kind (junit, cyclonedx)"),
                );
            }
            (Kind::Custom, Format::Json, name.as_deref())
        }
        (Some((named, _)), Sniffed::Known(k, f)) if k == *named => (k, f, None),
        // Two artifacts in one object, named as one kind: read as that kind (its parser says
        // what the object lacks of it).
        (Some((named, _)), Sniffed::TwoKinds(_)) => (*named, Format::Json, None),
        (Some((named, _)), Sniffed::Known(k, _)) => {
            return fail(
                IngestError::new(
                    Code::WrongKind,
                    format!("this file was named as {}, but it is {}", named.as_str(), k.describe()),
                )
                .expected(named.describe())
                .help(format!(
                    "use --input {}={} or let discovery recognize it",
                    k.as_str(),
                    c.display
                )),
            );
        }
        (Some((named, _)), Sniffed::UnknownStructured(_, reason) | Sniffed::Other(reason)) => {
            if let Some(e) = ingest::unsupported_variant(*named, head) {
                return fail(e);
            }
            return fail(
                IngestError::new(
                    Code::WrongKind,
                    format!(
                        "this file was named as {}, but it is not {}: {reason}",
                        named.as_str(),
                        named.describe()
                    ),
                )
                .expected(named.describe())
                .help(format!("check the path, or regenerate the file as {}", named.describe())),
            );
        }
    };
    // A UTF-8 byte-order mark, which Windows tools write (PowerShell's `Out-File -Encoding
    // utf8`) and RFC 8259 lets a reader ignore: XML parsers skip it, serde_json does not. It
    // stays in the file's SHA-256, which the hashing reader below has already taken in.
    let bom = format == Format::Json && head.starts_with(b"\xEF\xBB\xBF");
    if bom {
        reader.consume(3);
    }
    let size = file_len.map(|n| if bom { n.saturating_sub(3) } else { n });
    let cx = Cx { source: c.display.as_str().into(), limits, custom_name, size, keep, workspace };
    let parsed = match ingest::parse(kind, format, reader, &cx) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let (bytes, sha256) = match measured.finish() {
        Ok(v) => v,
        Err(e) => return fail(ingest_io(e)),
    };
    let source = Source {
        path: c.display.clone(),
        kind,
        format,
        name: custom_name.map(str::to_owned),
        named: c.named.is_some(),
        tool: parsed.facts.tool.clone(),
        spec_version: parsed.facts.spec_version.clone(),
        subject: parsed.facts.subject.clone(),
        subject_type: parsed.facts.subject_type.clone(),
        bytes,
        sha256,
        warnings: parsed.facts.warnings.clone(),
        package_targets: parsed.facts.package_targets,
        os: parsed.facts.os.clone(),
    };
    Outcome::Read(Box::new((source, parsed)))
}

fn ingest_io(e: std::io::Error) -> IngestError {
    ingest::from_io(e, ingest::Location::none())
}

/// One line for the log about the warnings a source was read with (`None` without any): the
/// first in full, the number of the others by code, and where to see them all. They are in the
/// evidence (`verdict evidence`, `verdict.json`), and only the built-in pack's rules on them
/// reach the verdict; without this line, the job log would not say that an SBOM breaks its
/// schema or that a report's counts disagree.
fn warnings_summary(warnings: &[crate::evidence::Warning]) -> Option<String> {
    let (first, rest) = warnings.split_first()?;
    // Where in the file, as the evidence records it: "line 16, at components[1].bom-ref".
    let place: Vec<String> =
        [first.line.map(|l| format!("line {l}")), first.path.as_ref().map(|p| format!("at {p}"))]
            .into_iter()
            .flatten()
            .collect();
    let place: String = place.iter().map(|p| format!(", {p}")).collect();
    let mut said = format!("read with a warning: {} ({}{place})", first.message, first.code);
    if !rest.is_empty() {
        let mut codes: Vec<(&str, usize)> = Vec::new();
        for w in rest {
            match codes.iter_mut().find(|(c, _)| *c == w.code) {
                Some((_, n)) => *n += 1,
                None => codes.push((&w.code, 1)),
            }
        }
        let more: Vec<String> = codes.iter().map(|(c, n)| format!("{n} {c}")).collect();
        said.push_str(&format!(", and {} more ({})", rest.len(), more.join(", ")));
    }
    said.push_str(if rest.is_empty() {
        "; `verdict evidence` shows it"
    } else {
        "; `verdict evidence` lists them"
    });
    Some(said)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Warning;

    /// The first warning in full, the others counted by code.
    #[test]
    fn warnings_in_one_line() {
        let w = |code: &str, message: &str| Warning {
            code: code.into(),
            message: message.into(),
            path: None,
            line: None,
        };
        assert_eq!(warnings_summary(&[]), None);
        assert_eq!(
            warnings_summary(&[w("a/x", "first")]).as_deref(),
            Some("read with a warning: first (a/x); `verdict evidence` shows it")
        );
        let placed =
            Warning { line: Some(16), path: Some("components[1].bom-ref".into()), ..w("a/z", "empty") };
        assert_eq!(
            warnings_summary(&[placed]).as_deref(),
            Some(
                "read with a warning: empty (a/z, line 16, at components[1].bom-ref); `verdict evidence` shows it"
            )
        );
        let many = [w("a/x", "first"), w("a/y", "2"), w("a/x", "3"), w("a/y", "4")];
        assert_eq!(
            warnings_summary(&many).as_deref(),
            Some(
                "read with a warning: first (a/x), and 3 more (2 a/y, 1 a/x); `verdict evidence` lists them"
            )
        );
    }
}
