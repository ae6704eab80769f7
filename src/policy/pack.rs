//! The built-in policy pack: `policies/` at the repository root, embedded in the binary so
//! that zero config works with nothing else installed.

use include_dir::{Dir, include_dir};

use super::PolicyFile;

static PACK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// The pack's Rego files in path order; `_test.rego` files only when `tests` is set.
pub fn files(tests: bool) -> Vec<PolicyFile> {
    let mut out: Vec<PolicyFile> = PACK
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "rego"))
        .filter(|f| tests || !f.path().to_string_lossy().ends_with("_test.rego"))
        .filter_map(|f| {
            Some(PolicyFile {
                path: format!("builtin:policies/{}", f.path().display()),
                text: f.contents_utf8()?.to_owned(),
                builtin: true,
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The part of the pack that judges `signatures:` checks (with the library it imports): kept
/// when the pack is turned off, since a signature check in `verdict.yaml` is a requirement,
/// and a check that nothing judges would pass every unsigned image.
pub fn signature_files() -> Vec<PolicyFile> {
    let wanted = ["builtin:policies/lib.rego", "builtin:policies/signatures.rego"];
    files(false).into_iter().filter(|f| wanted.contains(&f.path.as_str())).collect()
}
