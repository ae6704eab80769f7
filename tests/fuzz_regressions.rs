//! The fuzz targets' bodies (`fuzz/src/bodies.rs`), run as plain tests on stable: every input
//! the fuzzers ever crashed on (`fuzz/regressions/TARGET/`) and the seed corpora (the artifacts
//! in `fixtures/` and `../shared/corpus`, the examples' and fixtures' YAML and Rego) go through
//! the same functions the fuzzers call, so a fixed crash stays fixed without libFuzzer or a
//! nightly toolchain. How to fuzz: docs/security.md#fuzzing.

#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing, clippy::print_stderr)]

#[path = "../fuzz/src/bodies.rs"]
mod bodies;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Seeds larger than this are left out (of the replay and the fuzzers' corpora): libFuzzer
/// mutates small inputs far faster, and big real documents are read by the conformance suite.
const MAX_SEED_BYTES: u64 = 256 * 1024;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn body(target: &str) -> fn(&[u8]) {
    bodies::TARGETS.iter().find(|(name, _)| *name == target).unwrap_or_else(|| panic!("no target {target}")).1
}

fn files(dir: &Path) -> impl Iterator<Item = PathBuf> + use<> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
}

/// `../shared/corpus` (or `VERDICT_CORPUS`), the real tool outputs most seeds come from.
/// Missing: its seeds are left out with a note, except under CI, where the test fails.
fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("VERDICT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "the corpus is missing at {} and CI=true: failing rather than skipping", dir.display());
    eprintln!("note: corpus not found at {}; its seeds are left out (set VERDICT_CORPUS)", dir.display());
    None
}

/// Every seed, by target: what `fixtures/`, `examples/`, `policies/`, `verdict init`'s files
/// and `../shared/corpus` hold that a target reads, up to [`MAX_SEED_BYTES`] each, plus
/// `fuzz/seeds/TARGET/`.
fn seeds() -> BTreeMap<&'static str, Vec<PathBuf>> {
    let mut out: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    let mut dirs: Vec<PathBuf> =
        ["fixtures", "examples", "policies", "src/config/init", "tests/cli"].map(|d| root().join(d)).into();
    dirs.extend(corpus());
    for path in dirs.iter().flat_map(|d| files(d)) {
        if std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_SEED_BYTES) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if let Some(target) = bodies::seed_target(&path, &bytes) {
            out.entry(target).or_default().push(path);
        }
    }
    for (target, _) in bodies::TARGETS {
        out.entry(target).or_default().extend(files(&root().join("fuzz/seeds").join(target)));
    }
    out
}

/// Every input a fuzzer crashed on, through its target: each was fixed, and must stay fixed.
#[test]
fn regressions() {
    let Ok(dirs) = std::fs::read_dir(root().join("fuzz/regressions")) else { return };
    for dir in dirs {
        let dir = dir.unwrap().path();
        let target = dir.file_name().unwrap().to_str().unwrap().to_owned();
        for file in files(&dir) {
            let data = std::fs::read(&file).unwrap();
            eprintln!("{}", file.display());
            body(&target)(&data);
        }
    }
}

/// Every seed through its target, so the corpora the fuzzers start from are known good, and
/// every target has some.
#[test]
fn seed_corpora() {
    let seeds = seeds();
    for (target, _) in bodies::TARGETS {
        let files = seeds.get(target).map(Vec::as_slice).unwrap_or_default();
        assert!(!files.is_empty(), "no seed for {target}");
        for file in files {
            body(target)(&std::fs::read(file).unwrap());
        }
    }
}

/// Writes the seed corpora for `cargo fuzz` into `fuzz/corpus/TARGET/` (git-ignored):
/// `cargo test --test fuzz_regressions -- --ignored write_seed_corpora`.
#[test]
#[ignore = "writes fuzz/corpus/ for cargo fuzz; run by hand before fuzzing"]
fn write_seed_corpora() {
    for (target, files) in seeds() {
        let dir = root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, file) in files.iter().enumerate() {
            let name = format!("seed-{i:04}-{}", file.file_name().unwrap().to_string_lossy());
            std::fs::copy(file, dir.join(name)).unwrap();
        }
        eprintln!("{target}: {} seeds", files.len());
    }
}
