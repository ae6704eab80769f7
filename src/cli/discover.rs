//! Discovery: which files to examine.
//!
//! Folders are walked recursively in name order, skipping `.git`, `node_modules` and `target`
//! below the named folder, and never following symbolic links (a link may point outside the
//! workspace or into a loop); a file or link named explicitly is read. Every file is examined
//! once even when named twice. A file named by its own path is marked [`Candidate::explicit`]
//! even when a folder named beside it holds it too: the user said it is an artifact, so it is
//! held to being one, whatever the order of the paths.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::evidence::Kind;

/// Folders never descended into.
pub const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// A file to examine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The path to open.
    pub path: PathBuf,
    /// The path as shown in evidence and messages.
    pub display: String,
    /// Set when named with `--input KIND=PATH`.
    pub named: Option<(Kind, Option<String>)>,
    /// Named by its own path (on the command line or in `inputs.paths`), not found in a
    /// folder: a file verdict does not recognize is then an error, not skipped.
    pub explicit: bool,
}

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("cannot read `{display}`")]
pub struct DiscoverError {
    /// The path.
    pub display: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    /// Files to examine, sorted by display path.
    pub candidates: Vec<Candidate>,
    /// Problems (unreadable paths), all of them.
    pub errors: Vec<DiscoverError>,
    /// The `node_modules` and `target` folders met and not searched (`.git` is never
    /// interesting), at most [`NOT_SEARCHED_LISTED`]: a Maven build's reports are in
    /// `target/surefire-reports`, and a run that found nothing there must say why.
    pub not_searched: Vec<String>,
}

/// How many folders not searched are listed.
pub const NOT_SEARCHED_LISTED: usize = 10;

/// Shows a path the way the user wrote it, without a leading `./`.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if s.is_empty() { ".".to_owned() } else { s.to_owned() }
}

/// Walks `paths` (files or folders) and adds the named inputs.
pub fn discover(paths: &[PathBuf], named: &[(Kind, Option<String>, PathBuf)]) -> Found {
    let mut found = Found::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    // Named inputs first, so that a file both named and found keeps its named kind.
    for (kind, name, path) in named {
        let display = display(path);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => found.errors.push(DiscoverError {
                display,
                source: std::io::Error::other("`--input` names a file; pass a folder as PATH instead"),
            }),
            Ok(_) => {
                seen.insert(key(path));
                found.candidates.push(Candidate {
                    path: path.clone(),
                    display,
                    named: Some((*kind, name.clone())),
                    explicit: true,
                });
            }
            Err(e) => found.errors.push(DiscoverError { display, source: e }),
        }
    }
    // Files named by their own path before any folder is walked, so that a file is explicit
    // whether it is named before or after a folder that holds it.
    let mut folders = Vec::new();
    for root in paths {
        let root_display = display(root);
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => folders.push((root, root_display)),
            Ok(_) => {
                if seen.insert(key(root)) {
                    found.candidates.push(Candidate {
                        path: root.clone(),
                        display: root_display,
                        named: None,
                        explicit: true,
                    });
                }
            }
            Err(e) => found.errors.push(DiscoverError { display: root_display, source: e }),
        }
    }
    let mut not_searched = Vec::new();
    let mut links = Vec::new();
    for (root, root_display) in folders {
        let walker =
            walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().filter_entry(
                |e| {
                    let skip = e.depth() > 0
                        && e.file_type().is_dir()
                        && SKIPPED_DIRS.iter().any(|s| e.file_name() == *s);
                    if skip && e.file_name() != ".git" {
                        let shown = format!("{}/", display(e.path()));
                        tracing::info!(path = %shown, "not searched (name it to read it)");
                        if not_searched.len() < NOT_SEARCHED_LISTED {
                            not_searched.push(shown);
                        }
                    }
                    !skip
                },
            );
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let display = e.path().map(display).unwrap_or_else(|| root_display.clone());
                    let source =
                        e.into_io_error().unwrap_or_else(|| std::io::Error::other("symbolic link loop"));
                    found.errors.push(DiscoverError { display, source });
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_symlink() {
                // Listed as `ls -F` marks a link (`bazel-testlogs@`): Bazel's test logs, for
                // one, are reached through a link, and a gate that passed without them must
                // say what it did not read.
                let shown = format!("{}@", display(entry.path()));
                // `verdict run` warns of those whose name says they hold reports.
                tracing::info!(path = %shown, "symbolic link not followed (name it to read it)");
                links.push(shown);
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let path = entry.into_path();
            if seen.insert(key(&path)) {
                let display = display(&path);
                found.candidates.push(Candidate { path, display, named: None, explicit: false });
            }
        }
    }
    found.candidates.sort_by(|a, b| a.display.cmp(&b.display));
    not_searched.extend(links);
    not_searched.truncate(NOT_SEARCHED_LISTED);
    found.not_searched = not_searched;
    found
}

/// Whether a symbolic link's name (`bazel-testlogs@`, `reports/TEST-x.xml@`) says it holds
/// reports: a `.xml` or `.json` file, or a name with test, report, result, junit, sbom, scan,
/// trivy or checkov in it.
pub(crate) fn holds_reports(link: &str) -> bool {
    let name = link.trim_end_matches('@').rsplit('/').next().unwrap_or(link).to_ascii_lowercase();
    [".xml", ".json"].iter().any(|e| name.ends_with(e))
        || ["test", "report", "result", "junit", "sbom", "scan", "trivy", "checkov"]
            .iter()
            .any(|w| name.contains(w))
}

/// Identity of a file for de-duplication.
fn key(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skipped folders and symbolic links are not entered; results are sorted and unique.
    #[test]
    fn walks_and_skips() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        for p in [
            "b/report.xml",
            "a.json",
            "node_modules/x/pkg.json",
            ".git/config",
            "target/x.xml",
            "c/target/y.xml",
        ] {
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(&full, "{}").expect("write");
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("b/loop")).expect("symlink");
        let found = discover(&[root.to_path_buf(), root.join("a.json")], &[]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let names: Vec<_> = found
            .candidates
            .iter()
            .map(|c| c.path.strip_prefix(root).expect("inside").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.json", "b/report.xml"]);
    }

    /// A file named by its own path is explicit whether it comes before or after a folder that
    /// holds it; the folder's other files are not.
    #[test]
    fn named_files_are_explicit_in_any_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        for p in ["a.json", "b.json"] {
            std::fs::write(root.join(p), "{}").expect("write");
        }
        let named = root.join("b.json");
        for paths in [[root.to_path_buf(), named.clone()], [named.clone(), root.to_path_buf()]] {
            let found = discover(&paths, &[]);
            let explicit: Vec<_> = found
                .candidates
                .iter()
                .map(|c| (c.path.file_name().expect("name").to_string_lossy().into_owned(), c.explicit))
                .collect();
            assert_eq!(explicit, [("a.json".to_owned(), false), ("b.json".to_owned(), true)], "{paths:?}");
        }
    }

    /// A missing path is an error naming it; a folder named with --input is refused.
    #[test]
    fn missing_paths() {
        let dir = tempfile::tempdir().expect("tmp");
        let found = discover(&[dir.path().join("nope")], &[(Kind::Trivy, None, dir.path().to_path_buf())]);
        assert_eq!(found.errors.len(), 2);
        assert!(found.errors.iter().any(|e| e.display.ends_with("nope")));
    }
}
