//! Conformance suite: verdict against real outputs of real tools in `../shared/corpus`
//! (see its README for where each file came from). One module per format.
//!
//! The corpus lives beside the project. When it is missing, the suite skips with a note —
//! except under CI (`CI=true`), where a missing corpus fails the run: a conformance suite
//! that silently proves nothing is a defect.

#![allow(clippy::indexing_slicing, clippy::print_stderr, clippy::unwrap_used)]

mod checkov;
mod cyclonedx;
mod junit;
mod sigstore;
mod spdx;
mod trivy;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use verdict::cli::FileError;
use verdict::cli::args::InputSpec;
use verdict::evidence::Evidence;
use verdict::ingest::Limits;

/// The corpus folder, or `None` (skip) when it is absent outside CI.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("VERDICT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "the conformance corpus is missing at {} and CI=true: failing rather than skipping",
        dir.display()
    );
    eprintln!("note: corpus not found at {}; skipping (set VERDICT_CORPUS)", dir.display());
    None
}

/// Reads one file (or folder) as `verdict evidence` would (content sniffing). Every document
/// read is also validated against the committed evidence schema.
pub fn read(path: &Path) -> Result<Evidence, Vec<FileError>> {
    verdict::cli::gather(&[path.to_path_buf()], &[], &Limits::default()).inspect(|ev| conforms(ev, path))
}

/// Reads one file as discovery finds it in a folder: copied alone into a temporary folder,
/// which is read. A file discovery does not recognize is skipped there, where named by its own
/// path ([`read`]) it is an `ingest/unrecognized` error.
pub fn found(path: &Path) -> Result<Evidence, Vec<FileError>> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let copy = dir.path().join(path.file_name().expect("a file"));
    std::fs::copy(path, &copy).expect("copy");
    verdict::cli::gather(&[dir.path().to_path_buf()], &[], &Limits::default())
        .inspect(|ev| conforms(ev, path))
}

/// Asserts that a file named by its own path is refused as not recognized.
pub fn assert_unrecognized(path: &Path) {
    let errors = read(path).err().unwrap_or_else(|| panic!("{}: named, it was read", path.display()));
    assert_eq!(errors[0].error.code, verdict::ingest::Code::Unrecognized, "{}", first_error(&errors));
}

/// Reads one file named as `kind` (`--input kind=path`).
pub fn read_as(kind: &str, path: &Path) -> Result<Evidence, Vec<FileError>> {
    let spec: InputSpec = format!("{kind}={}", path.display()).parse().expect("valid --input");
    verdict::cli::gather(&[], &[spec], &Limits::default()).inspect(|ev| conforms(ev, path))
}

/// Asserts that a document validates against `schemas/evidence.v1.schema.json`.
fn conforms(ev: &Evidence, path: &Path) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/evidence.v1.schema.json");
        let schema = serde_json::from_str(&std::fs::read_to_string(file).expect("schema")).expect("JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    });
    let value = serde_json::to_value(ev).expect("serializes");
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}: evidence breaks the schema:\n{}", path.display(), errors.join("\n"));
}

/// Every file under `dir` whose name ends with one of `suffixes`, sorted.
pub fn files(dir: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The first rendered error of a failed read, for assertion messages.
pub fn first_error(errors: &[FileError]) -> String {
    errors.first().map(verdict::cli::render_file_error).unwrap_or_default()
}
