//! `verdict.yaml`: find it, read it, validate every value in one pass, and produce a
//! [`Config`]; and the files `verdict init` writes.
//!
//! Owns: the file's format (documented in `docs/config.md`), its `config/*` diagnostics
//! ([`Code`], documented in `docs/diagnostics.md`), and the starter files ([`init_files`]).
//! Two stages, as in cargo-deny: `yaml` turns the text into a tree that keeps the line
//! and column of every key and value, then `validate` checks every setting against it,
//! reporting each problem with its place, key path, what was expected and how to fix it,
//! and going on, so one run lists every problem. An unknown key is an error, never ignored:
//! a misspelt key must not quietly weaken the gate.
//! Takes the file's path and text, and a reader for the one file a configuration may name
//! (`waivers_file`), so the validation itself does no I/O and is tested on strings.
//! Returns the [`Config`] with its warnings, or every diagnostic when any is an error.
//! Must not: read `data.files` or policies (the policy stage does), read the clock (waiver
//! expiry is the ledger's, in `verdict::waiver`), print.

mod check;
mod codes;
mod init;
mod model;
mod source;
mod validate;
mod yaml;

#[cfg(test)]
mod tests;

use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Level};

pub use codes::Code;
pub use init::init_files;
pub use model::*;
pub(crate) use validate::{PACK_SETTINGS, pack_values};

use check::Cx;
use source::Source;

/// The largest configuration or waivers file read (1 MiB). A real one is a few kilobytes;
/// the bound keeps a mistaken path (a log, a binary) from being read whole.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The names a configuration file may have, in the folder a run starts in.
pub const FILE_NAMES: [&str; 4] = ["verdict.yaml", ".verdict.yaml", "verdict.yml", ".verdict.yml"];

/// A configuration that loaded, and its warnings (never errors).
pub type Loaded = (Config, Vec<Diagnostic>);

/// Validates the configuration `text` read from `path`.
///
/// Relative paths in it resolve against `path`'s folder. `read` reads the file that
/// `waivers_file` names (already resolved), and is called at most once; pass
/// [`read_file`] in production and a closure over strings in tests.
///
/// Returns the configuration and its warnings, or, when anything is an error, every
/// diagnostic (errors and warnings, in the order of the file).
pub fn load(
    path: &Path,
    text: &str,
    read: impl FnOnce(&Path) -> io::Result<String>,
) -> Result<Loaded, Vec<Diagnostic>> {
    load_with_env(path, text, read, &|k| std::env::var(k).ok())
}

/// [`load`], with the environment `${VAR}` in signature subjects reads from.
pub fn load_with_env(
    path: &Path,
    text: &str,
    read: impl FnOnce(&Path) -> io::Result<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut cx = Cx::new(Source::new(path.display().to_string(), text), base.clone(), env);
    if text.len() > MAX_CONFIG_BYTES {
        return Err(vec![too_large(&cx.src.file)]);
    }
    let Ok(root) = yaml::parse(&cx.src, &mut cx.diags) else { return Err(cx.diags) };
    let mut validated = validate::config(&mut cx, root.as_ref());
    validated.config.origin = Some(path.to_path_buf());
    validated.config.listed = std::mem::take(&mut cx.listed);
    // The waivers file's diagnostics follow the configuration's, each file in its order.
    let mut more = Vec::new();
    if let Some((file, span)) = validated.waivers_file {
        match read(&file) {
            Ok(text) if text.len() > MAX_CONFIG_BYTES => more.push(too_large(&file.display().to_string())),
            Ok(text) => {
                let mut wcx = Cx::new(Source::new(file.display().to_string(), &text), base, env);
                if let Ok(root) = yaml::parse(&wcx.src, &mut wcx.diags) {
                    let waivers = validate::waivers_file(&mut wcx, root.as_ref(), &mut validated.ledger);
                    validated.config.waivers.extend(waivers);
                }
                in_document_order(&mut wcx.diags);
                more = wcx.diags;
            }
            Err(e) => {
                let message = format!("cannot read the waivers file `{}`", file.display());
                let d = cx.report(Code::Unreadable, span, "waivers_file", message);
                d.help = Some("the path is relative to the configuration file's folder".into());
                d.causes.push(e.to_string());
            }
        }
    }
    in_document_order(&mut cx.diags);
    let mut diags = cx.diags;
    diags.append(&mut more);
    if diags.iter().any(|d| d.level == Level::Error) { Err(diags) } else { Ok((validated.config, diags)) }
}

/// Reads and validates the configuration file at `path`, and the waivers file it names.
/// The one entry point the command line needs: `config::load_file(&path)`.
pub fn load_file(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    match read_file(path) {
        Ok(text) => load(path, &text, read_file),
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
            Err(vec![too_large(&path.display().to_string())])
        }
        Err(e) => {
            let mut d =
                Diagnostic::error(Code::Unreadable.as_str(), format!("cannot read `{}`", path.display()));
            d.file = Some(path.display().to_string());
            Err(vec![d.help("check the path given with `--config`").cause(e.to_string())])
        }
    }
}

/// Sorts one file's diagnostics by place (stable: two at one place keep the order they were
/// found in), since a section's unknown keys are found before its values are read.
fn in_document_order(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
}

fn too_large(file: &str) -> Diagnostic {
    Source::new(file, "")
        .file_diag(Code::TooLarge, format!("`{file}` is larger than 1 MiB"))
        .help("a configuration is a few kilobytes: check that the path names the right file")
}

/// Reads a configuration or waivers file: at most [`MAX_CONFIG_BYTES`] (a larger one is an
/// [`io::ErrorKind::FileTooLarge`] error), as UTF-8. The only file reading in this module.
pub fn read_file(path: &Path) -> io::Result<String> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, "the file is larger than 1 MiB"));
    }
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is not UTF-8 text (at byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// The configuration file a run uses by default: one of [`FILE_NAMES`] in `start` (the
/// working directory), or `None`.
///
/// Only `start` is searched, not its parents: in CI the working directory is the
/// repository (or the mounted `/work`), and a monorepo job that runs in a subfolder gets
/// that folder's file, so one job never picks up a configuration meant for another; name
/// any other file with `--config`. Two of the names in one folder are an error
/// (`config/ambiguous`), not a silent choice: the one ignored might be the one that gates.
pub fn find(start: &Path) -> Result<Option<PathBuf>, Box<Diagnostic>> {
    let found: Vec<PathBuf> = FILE_NAMES.iter().map(|n| start.join(n)).filter(|p| p.is_file()).collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, second, ..] => {
            let name =
                |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mut d = Diagnostic::error(
                Code::Ambiguous.as_str(),
                format!(
                    "two configuration files in `{}`: `{}` and `{}`",
                    start.display(),
                    name(first),
                    name(second)
                ),
            );
            d.file = Some(second.display().to_string());
            Err(Box::new(d.help(
                "keep one of them (or name one with `--config`); verdict will not guess which one gates the run",
            )))
        }
    }
}
