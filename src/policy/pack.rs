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
