//! The files CI reads after a step: GitHub's step outputs (`GITHUB_OUTPUT`) and job summary
//! (`GITHUB_STEP_SUMMARY`), and report files (GitLab `artifacts:reports`, SARIF, JUnit, …)
//! written atomically into an output directory.
//!
//! Owns: the step-output syntax (every value as a heredoc with a random delimiter, so a value with
//! newlines or `=` cannot inject another output), appending, and write-to-temp-then-rename.
//! Takes paths and values; every error names its file.

use std::fs::{self, OpenOptions};
use std::hash::{BuildHasher as _, Hasher as _};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::PublishError;

/// A random hex token (for heredoc delimiters and temp names): the OS-seeded hasher, no extra crate.
pub(crate) fn random_hex() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::UNIX_EPOCH.elapsed().map(|d| d.as_nanos()).unwrap_or_default());
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// Formats step outputs: `name<<DELIM\nvalue\nDELIM\n` each, with a delimiter that occurs in no
/// value. Names must be letters, digits, `-` or `_`.
pub fn format_outputs(outputs: &[(String, String)]) -> Result<String, String> {
    if let Some((bad, _)) = outputs
        .iter()
        .find(|(n, _)| n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)))
    {
        return Err(format!("`{bad}` is not a valid step output name"));
    }
    let delimiter = loop {
        let candidate = format!("ghadelimiter_{}", random_hex());
        if !outputs.iter().any(|(_, v)| v.contains(&candidate)) {
            break candidate;
        }
    };
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    Ok(text)
}

/// Appends step outputs to the `GITHUB_OUTPUT` file.
pub fn write_outputs(path: &Path, outputs: &[(String, String)]) -> Result<(), PublishError> {
    let text = format_outputs(outputs).map_err(|e| PublishError::Io {
        what: "write step outputs to",
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
    })?;
    append(path, &text, "write step outputs to")
}

/// Appends Markdown to the `GITHUB_STEP_SUMMARY` file.
pub fn append_summary(path: &Path, markdown: &str) -> Result<(), PublishError> {
    let mut text = markdown.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    append(path, &text, "append to the job summary")
}

fn append(path: &Path, text: &str, what: &'static str) -> Result<(), PublishError> {
    let io = |source| PublishError::Io { what, path: path.to_path_buf(), source };
    let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.flush().map_err(io)
}

/// Writes `bytes` to `dir/name` atomically: a temp file in the same directory, synced, then
/// renamed over the target, so a reader never sees half a report. Creates `dir` if needed.
/// `name` must be a plain file name.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, PublishError> {
    write_atomic_with(dir, name, |w| w.write_all(bytes))
}

/// [`write_atomic`], the content written by `write` into a buffered writer: a large report is
/// then never held whole in memory.
pub fn write_atomic_with(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf, PublishError> {
    write_temp(dir, name, write)?.commit()
}

/// The name of the temporary file a report named `name` is written into: `.NAME.<16 hex>.tmp`,
/// in the report's folder.
fn temp_name(name: &str) -> String {
    format!(".{name}.{}.tmp", random_hex())
}

/// Whether `file_name` is one of verdict's temporary report files (`.REPORT.<16 hex>.tmp`): what a run
/// that was stopped while writing (SIGKILL, a machine going down) can leave behind.
pub fn is_temp_name(file_name: &str, report: &str) -> bool {
    is_unfinished_report(file_name)
        && file_name.strip_prefix('.').and_then(|rest| rest.strip_prefix(report)).map(str::len)
            == Some(".0123456789abcdef.tmp".len())
}

/// Whether `file_name` is a temporary report file of verdict's, of any name (`--output`'s
/// too): `.NAME.<16 hex>.tmp`.
pub fn is_unfinished_report(file_name: &str) -> bool {
    file_name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(name, hex)| {
            !name.is_empty() && hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// A report written into its temporary file beside the target, not yet synced nor renamed
/// into place: [`Pending::commit`] does both, [`Pending::sync`] the first. Dropped before it
/// is in place, it removes its temporary file.
pub struct Pending {
    file: Option<fs::File>,
    temp: PathBuf,
    target: PathBuf,
}

/// A report synced in its temporary file, ready to be renamed into place
/// ([`Synced::rename`]). Dropped before, it removes its temporary file: a writer of several
/// reports that fails on one drops the others, and leaves none.
pub struct Synced {
    temp: Option<PathBuf>,
    target: PathBuf,
}

/// Makes the folder `dir` that reports are written into, with its parents; a file in the way
/// is said plainly (the system says only "File exists"), and the error names the folder, not a
/// report that was never begun.
pub fn make_report_dir(dir: &Path) -> Result<(), PublishError> {
    fs::create_dir_all(dir).map_err(|e| {
        let source = if dir.is_file() {
            std::io::Error::new(e.kind(), format!("`{}` is a file, not a folder", dir.display()))
        } else {
            e
        };
        PublishError::Io { what: "create the report folder", path: dir.to_path_buf(), source }
    })
}

/// The first half of [`write_atomic_with`]: `dir/name`'s content written into a new
/// temporary file in `dir`. Syncing waits for the disk, so a caller writing several files
/// can commit each on another thread while it writes the next.
pub fn write_temp(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Pending, PublishError> {
    let target = dir.join(name);
    let io = |source| PublishError::Io { what: "write the report", path: target.clone(), source };
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plain file name")));
    }
    make_report_dir(dir)?;
    let temp = dir.join(temp_name(name));
    let written = (|| {
        let file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
        let mut out = std::io::BufWriter::with_capacity(crate::report::WRITE_BUFFER, file);
        write(&mut out)?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)
    })();
    match written {
        Ok(file) => Ok(Pending { file: Some(file), temp, target }),
        Err(source) => {
            let _ = fs::remove_file(&temp);
            Err(io(source))
        }
    }
}

impl Pending {
    /// Syncs the file and renames it over the target, so that a reader never sees half a
    /// report, even after a crash; on failure the temporary file is removed.
    pub fn commit(self) -> Result<PathBuf, PublishError> {
        self.sync()?.rename()
    }

    /// Syncs the file, so that once renamed it is whole even after a crash; on failure the
    /// temporary file is removed.
    pub fn sync(mut self) -> Result<Synced, PublishError> {
        let synced = self.file.take().map_or(Ok(()), |file| file.sync_all());
        let temp = std::mem::take(&mut self.temp);
        let target = std::mem::take(&mut self.target);
        match synced {
            Ok(()) => Ok(Synced { temp: Some(temp), target }),
            Err(source) => {
                let _ = fs::remove_file(&temp);
                Err(PublishError::Io { what: "write the report", path: target, source })
            }
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

impl Synced {
    /// Renames the synced file over the target: a reader sees the whole report or the old
    /// one, never half. On failure the temporary file is removed.
    pub fn rename(mut self) -> Result<PathBuf, PublishError> {
        let temp = self.temp.take().unwrap_or_default();
        let target = std::mem::take(&mut self.target);
        match fs::rename(&temp, &target) {
            Ok(()) => Ok(target),
            Err(source) => {
                let _ = fs::remove_file(&temp);
                Err(PublishError::Io { what: "write the report", path: target, source })
            }
        }
    }
}

impl Drop for Synced {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Multi-line values and values that look like other outputs stay inside their heredoc.
    #[test]
    fn outputs_are_injection_safe() {
        let outputs = vec![
            ("outcome".to_string(), "fail".to_string()),
            ("summary".to_string(), "line 1\nfake=1\nEOF\nline 4".to_string()),
        ];
        let text = format_outputs(&outputs).unwrap();
        let delimiter = text.lines().next().unwrap().split_once("<<").unwrap().1.to_string();
        assert!(delimiter.starts_with("ghadelimiter_"));
        assert_eq!(
            text,
            format!(
                "outcome<<{delimiter}\nfail\n{delimiter}\nsummary<<{delimiter}\nline 1\nfake=1\nEOF\nline 4\n{delimiter}\n"
            )
        );
        assert!(format_outputs(&[("bad name".into(), "x".into())]).is_err());
    }

    /// A report written to its temporary file is not in place until it is committed; a commit
    /// that cannot rename (a folder is in the way) fails naming the target, and neither way
    /// leaves a temporary file behind.
    #[test]
    fn reports_in_place_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let entries = || {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let pending = write_temp(dir.path(), "verdict.json", |w| w.write_all(b"{}")).unwrap();
        assert!(!dir.path().join("verdict.json").exists());
        assert_eq!(pending.commit().unwrap(), dir.path().join("verdict.json"));
        assert_eq!(fs::read_to_string(dir.path().join("verdict.json")).unwrap(), "{}");
        fs::create_dir_all(dir.path().join("verdict.sarif").join("inside")).unwrap();
        let pending = write_temp(dir.path(), "verdict.sarif", |w| w.write_all(b"{}")).unwrap();
        let err = pending.commit().unwrap_err().to_string();
        assert!(err.contains("verdict.sarif"), "{err}");
        assert_eq!(entries(), ["verdict.json", "verdict.sarif"]);
        assert!(write_temp(dir.path(), "x", |_| Err(std::io::Error::other("render failed"))).is_err());
        assert_eq!(entries(), ["verdict.json", "verdict.sarif"]);
        // A report dropped before it is in place, written or synced, leaves nothing: a writer
        // of several that fails on one drops the others.
        drop(write_temp(dir.path(), "verdict.md", |w| w.write_all(b"x")).unwrap());
        drop(write_temp(dir.path(), "verdict.md", |w| w.write_all(b"x")).unwrap().sync().unwrap());
        assert_eq!(entries(), ["verdict.json", "verdict.sarif"]);
        let synced = write_temp(dir.path(), "verdict.md", |w| w.write_all(b"x")).unwrap().sync().unwrap();
        assert!(entries().iter().any(|n| is_temp_name(n, "verdict.md") && is_unfinished_report(n)));
        assert_eq!(synced.rename().unwrap(), dir.path().join("verdict.md"));
        assert_eq!(entries(), ["verdict.json", "verdict.md", "verdict.sarif"]);
        assert!(!is_temp_name(".verdict.md.xyz.tmp", "verdict.md") && !is_unfinished_report(".tmp"));
    }

    /// The output and summary files are appended to, not replaced.
    #[test]
    fn appends() {
        let dir = tempfile::tempdir().unwrap();
        let summary = dir.path().join("summary.md");
        fs::write(&summary, "# earlier step\n").unwrap();
        append_summary(&summary, "## verdict").unwrap();
        assert_eq!(fs::read_to_string(&summary).unwrap(), "# earlier step\n## verdict\n");
        let out = dir.path().join("out");
        write_outputs(&out, &[("a".into(), "1".into())]).unwrap();
        write_outputs(&out, &[("b".into(), "2".into())]).unwrap();
        let text = fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("a<<") && text.contains("\nb<<"), "{text}");
    }

    /// Reports are written whole, replacing an older one, and leave no temp file; bad names and
    /// unwritable places are errors that name the file.
    #[test]
    fn atomic_reports() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("reports");
        write_atomic(&out, "gl-code-quality-report.json", b"[old]").unwrap();
        let path = write_atomic(&out, "gl-code-quality-report.json", b"[]").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[]");
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
        let err = write_atomic(&out, "../escape", b"x").unwrap_err();
        assert!(err.to_string().contains("escape"), "{err}");
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = write_atomic(&file, "r.json", b"x").unwrap_err();
        assert!(err.to_string().starts_with("cannot create the report folder"), "{err}");
    }
}
