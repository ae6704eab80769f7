//! The edge: arguments → settings → the pipeline → output and an exit code.
//!
//! Owns: argument parsing, the environment (CI variables, `NO_COLOR`), opening files,
//! printing, and choosing the exit code. Everything below it is pure or reader-based.

pub mod args;
mod ci;
mod collect;
mod deliver;
mod discover;
mod log;
mod run;
mod verify;

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;

use crate::diag::{self, Diagnostic, Target};
use crate::evidence::{Evidence, Keep, Meta};
use crate::exit::Exit;
use crate::ingest::{Code, IngestError, Limits};

use crate::config::Config;
use args::{Cli, Command, EvidenceArgs, InputSpec, SchemaArgs, SchemaDocument};
pub use collect::FileError;
pub use verify::config_checks;

/// Everything a command can fail with; each maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Artifacts that could not be read (all of them, not just the first).
    #[error("{} could not be read; nothing was judged or written", plural(.0.len(), "artifact", "artifacts"))]
    Inputs(Vec<FileError>),
    /// The output file could not be written.
    #[error("cannot write `{path}`")]
    Output {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A document could not be serialized (a bug).
    #[error("cannot serialize the document")]
    Serialize(#[source] serde_json::Error),
    /// A policy or data file could not be read.
    #[error("cannot read the {what} file `{path}`")]
    Read {
        /// `policy`, `data` or `config`.
        what: &'static str,
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Policies could not be loaded or evaluated (every problem).
    #[error("{} in the policies; no verdict was made", plural(.0.len(), "problem", "problems"))]
    Policy(Vec<crate::policy::PolicyError>),
    /// A command refused to do what it was asked (nothing was changed).
    #[error("{}", .0.message)]
    Refused(Box<Diagnostic>),
    /// The configuration is invalid (every problem).
    #[error("{} in the configuration; no verdict was made", plural(.0.len(), "problem", "problems"))]
    Config(Vec<Diagnostic>),
    /// An error about paths, some of which `verdict.yaml` names: each of those is shown at the
    /// line that names it, since that is where it is fixed.
    #[error("{error}")]
    Listed {
        /// The error.
        error: Box<Error>,
        /// The paths the configuration names that the run used, and where.
        listed: Vec<crate::config::Listed>,
    },
}

impl Error {
    /// The exit code for this error: 3 when the machine ran out of something (file handles,
    /// disk space, memory) or its disk failed, whatever the file: an infrastructure error
    /// that the same run on a healthy runner would not meet; else 2.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Inputs(errors)
                if errors.iter().any(|e| {
                    e.error
                        .source
                        .as_deref()
                        .and_then(|s| s.downcast_ref::<io::Error>())
                        .is_some_and(infrastructure)
                }) =>
            {
                Exit::Internal
            }
            Error::Output { source, .. } if infrastructure(source) => Exit::Internal,
            Error::Inputs(_) => Exit::Input,
            Error::Output { .. } => Exit::Input,
            Error::Serialize(_) => Exit::Internal,
            Error::Read { .. } => Exit::Input,
            Error::Policy(_) => Exit::Input,
            Error::Config(_) => Exit::Input,
            Error::Refused(_) => Exit::Input,
            Error::Listed { error, .. } => error.exit(),
        }
    }

    /// This error, its paths that `listed` names and that do not exist shown where the
    /// configuration names them (a file that exists but is empty, too large or closed to
    /// verdict is fixed where it is, not in the configuration).
    pub(crate) fn listed_in(self, listed: &[crate::config::Listed]) -> Error {
        let missing = |e: Option<&io::Error>| e.is_some_and(|e| e.kind() == io::ErrorKind::NotFound);
        let used: Vec<crate::config::Listed> = listed
            .iter()
            .filter(|l| match &self {
                Error::Inputs(errors) => errors.iter().any(|e| {
                    e.path == l.path
                        && missing(e.error.source.as_deref().and_then(|s| s.downcast_ref::<io::Error>()))
                }),
                Error::Read { path, source, .. } => {
                    *path == discover::display(&l.path) && missing(Some(source))
                }
                _ => false,
            })
            .cloned()
            .collect();
        if used.is_empty() { self } else { Error::Listed { error: Box::new(self), listed: used } }
    }
}

/// Whether an I/O error is the machine's rather than the file's: no file handle left (EMFILE,
/// ENFILE), no space or quota (ENOSPC, EDQUOT), no memory (ENOMEM), or a failing disk (EIO).
pub(crate) fn infrastructure(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::OutOfMemory)
        || matches!(e.raw_os_error(), Some(5 | 12 | 23 | 24 | 28 | 122))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The note that names the environment variable a refused value came from: clap's error names
/// the option (`invalid value '' for '--publish-timeout <SECONDS>'`), which the command line may
/// not hold at all when `VERDICT_PUBLISH_TIMEOUT` is set, empty or wrong, in a job's variables
/// or a `docker run -e`. `None` when the option was written on the command line.
fn from_environment(
    e: &clap::Error,
    argv: &[std::ffi::OsString],
    is_set: &dyn Fn(&str) -> bool,
) -> Option<String> {
    use clap::CommandFactory as _;
    use clap::error::{ContextKind, ContextValue};
    let Some(ContextValue::String(shown)) = e.get(ContextKind::InvalidArg) else { return None };
    // `--publish-timeout <SECONDS>`: the option's long name is the first word.
    let long = shown.split_whitespace().next()?.strip_prefix("--")?;
    fn find(cmd: &clap::Command, long: &str) -> Option<(Option<char>, String)> {
        cmd.get_arguments()
            .find(|a| a.get_long() == Some(long))
            .and_then(|a| Some((a.get_short(), a.get_env()?.to_str()?.to_owned())))
            .or_else(|| cmd.get_subcommands().find_map(|c| find(c, long)))
    }
    let (short, var) = find(&Cli::command(), long)?;
    let written = argv.iter().skip(1).filter_map(|a| a.to_str()).take_while(|a| *a != "--").any(|a| {
        a.strip_prefix("--")
            .is_some_and(|w| w == long || w.strip_prefix(long).is_some_and(|r| r.starts_with('=')))
            || short.is_some_and(|c| {
                a.len() >= 2 && !a.starts_with("--") && a.starts_with('-') && a[1..].starts_with(c)
            })
    });
    if written || !is_set(&var) {
        return None;
    }
    Some(format!(
        "note: `--{long}` was not on the command line: its value comes from the environment variable {var}. Set {var} to a valid value, or unset it (an empty variable is a value, not unset).\n"
    ))
}

/// Whether to colour a stream: on a terminal, unless `NO_COLOR` is set or `TERM=dumb`; and
/// off one when `FORCE_COLOR` or `CLICOLOR_FORCE` asks (a CI log that renders ANSI colours,
/// GitLab's and GitHub's both do). `NO_COLOR` wins over both.
fn colors(terminal: bool, var: &dyn Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    let forced =
        |k: &str| var(k).is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    if set("NO_COLOR") {
        return false;
    }
    if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") {
        return true;
    }
    terminal && var("TERM").as_deref() != Some("dumb")
}

/// The note for a shell given as verdict's command: GitLab's Docker executor starts a job as
/// `<entrypoint> sh -c …`, and verdict is the image's entrypoint, so a job whose `image:` does
/// not clear it fails with clap's "unrecognized subcommand 'sh'" and a tip towards `schema`.
fn started_with_a_shell(argv: &[std::ffi::OsString]) -> Option<&'static str> {
    let first = argv.get(1)?.to_str()?;
    let shell = first.rsplit('/').next().unwrap_or(first);
    matches!(shell, "sh" | "bash" | "ash" | "dash").then_some(
        "note: verdict is this image's entrypoint, and it was given a shell to run: a CI job that runs its script in the image (GitLab) must clear the entrypoint, `image: {name: ghcr.io/verdict-ci/verdict:…, entrypoint: [\"\"]}` (see docs/ci.md)\n",
    )
}

/// Runs verdict with the process's arguments; returns how it ended.
pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            if code == 0 {
                return Exit::Pass;
            }
            let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
            if let Some(note) = from_environment(&e, &argv, &|k| std::env::var_os(k).is_some()) {
                to_stderr(&note);
            }
            if let Some(note) = started_with_a_shell(&argv) {
                to_stderr(note);
            }
            deliver::Clearing::after_usage_error(&argv, &|k| std::env::var(k).ok());
            return Exit::Input;
        }
    };
    let var = |k: &str| std::env::var(k).ok();
    let color = colors(io::stderr().is_terminal(), &var);
    let stdout_color = colors(io::stdout().is_terminal(), &var);
    log::init(cli.verbose, cli.quiet, cli.log_format, color);
    let result = match cli.command {
        Command::Evidence(args) => evidence(args).map(|()| Exit::Pass),
        Command::Schema(args) => schema(args).map(|()| Exit::Pass),
        Command::Run(args) => run::run(args, stdout_color, color),
        Command::Policy(args::PolicyCommand::Test(args)) => {
            run::policy_test(args, cli.verbose > 0, stdout_color, color)
        }
        Command::Init(args) => init(args).map(|()| Exit::Pass),
        Command::Verify(args) => verify::verify(args, stdout_color),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            report(&e, color);
            e.exit()
        }
    }
}

fn evidence(args: EvidenceArgs) -> Result<(), Error> {
    let started = Instant::now();
    let limits =
        Limits { max_file_size: args.limits.max_file_size.0, max_depth: usize::from(args.limits.max_depth) };
    let paths =
        if args.paths.is_empty() && args.inputs.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    let evidence = gather(&paths, &args.inputs, &limits).map_err(Error::Inputs)?;
    if evidence.sources.is_empty() {
        let where_ = paths.iter().map(|p| discover::display(p)).collect::<Vec<_>>().join(", ");
        tracing::warn!(
            "no artifacts found in {where_} ({} files examined); run with -v to see what was skipped",
            evidence.meta.discovery.files_examined
        );
    }
    tracing::info!(
        artifacts = evidence.sources.len(),
        skipped = evidence.skipped.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "evidence collected"
    );
    let written = write_json(&evidence, args.output.as_deref(), args.compact);
    // As at the end of `run`: the process ends here, and freeing a hundred thousand records
    // one by one would only delay the exit.
    std::mem::forget(evidence);
    written
}

/// Reads artifacts into one evidence document exactly as `verdict evidence` does: discovery
/// over `paths`, the named `inputs`, concurrent parsing. Returns every problem when any
/// artifact cannot be read.
pub fn gather(paths: &[PathBuf], inputs: &[InputSpec], limits: &Limits) -> Result<Evidence, Vec<FileError>> {
    gather_keeping(paths, inputs, limits, Keep::All)
}

/// The folder before the first part of `path` that is a glob pattern (`reports` of
/// `reports/**/*.xml`, `.` of `*.xml`), or `None` when no part is one: the peers' inputs
/// (publish-unit-test-result-action's `files`) take patterns, and a team moving from them
/// writes one.
fn pattern_root(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts.iter().position(|p| p.contains(['*', '?', '[']))?;
    let folder = parts.get(..at).unwrap_or_default().join("/");
    Some(if folder.is_empty() { ".".to_owned() } else { folder })
}

/// [`gather`], keeping only the records `keep` says.
pub fn gather_keeping(
    paths: &[PathBuf],
    inputs: &[InputSpec],
    limits: &Limits,
    keep: Keep,
) -> Result<Evidence, Vec<FileError>> {
    let named: Vec<_> = inputs.iter().map(|i| (i.kind, i.name.clone(), i.path.clone())).collect();
    let found = discover::discover(paths, &named);
    let meta = Meta {
        verdict_version: env!("CARGO_PKG_VERSION").to_owned(),
        ci: ci::detect(|k| std::env::var(k).ok()),
        discovery: Default::default(),
    };
    let mut errors: Vec<FileError> = found
        .errors
        .into_iter()
        .map(|e| {
            let help = match pattern_root(&e.display) {
                Some(folder) if e.source.kind() == io::ErrorKind::NotFound => format!(
                    "verdict expands no pattern: it reads files and folders, and searches a folder recursively, recognizing each file by its content; name the folder (`{folder}`)"
                ),
                _ => access_help(&e.source, "readable"),
            };
            FileError {
                path: PathBuf::from(&e.display),
                display: e.display,
                error: IngestError::new(Code::Unreadable, "cannot read this path").help(help).caused_by(e.source),
            }
        })
        .collect();
    match collect::collect(&found.candidates, limits, meta, keep) {
        Ok(mut ev) if errors.is_empty() => {
            ev.meta.discovery.not_searched = found.not_searched;
            Ok(ev)
        }
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            errors.sort_by(|a, b| a.display.cmp(&b.display));
            Err(errors)
        }
    }
}

/// Renders a file error the way the CLI prints it (without colour).
pub fn render_file_error(fe: &FileError) -> String {
    file_diagnostic(fe).render(false)
}

fn schema(args: SchemaArgs) -> Result<(), Error> {
    match args.document {
        SchemaDocument::Evidence => write_json(&evidence_schema(), None, false),
    }
}

/// The JSON Schema of the evidence document, as committed in `schemas/`.
pub fn evidence_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Evidence)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$id".into(), "https://verdict.dev/schemas/evidence.v1.schema.json".into());
        obj.insert("title".into(), "verdict evidence document (verdict/evidence/v1)".into());
    }
    schema
}

/// Writes a document as JSON to `output` or to stdout.
fn write_json<T: serde::Serialize>(doc: &T, output: Option<&Path>, compact: bool) -> Result<(), Error> {
    write_with(output, |w| {
        crate::report::to_json_writer(doc, !compact, w).map_err(|e| match e.classify() {
            serde_json::error::Category::Io => Error::Output { path: "stdout".into(), source: e.into() },
            _ => Error::Serialize(e),
        })?;
        w.write_all(b"\n").map_err(|source| Error::Output { path: "stdout".into(), source })
    })
}

/// Runs `render` on `output` or stdout. A regular (or new) file is replaced atomically (a
/// temporary file, then a rename); a device, pipe or terminal (`-o /dev/stdout`, a FIFO) is
/// written in place, since renaming over it would replace it with a file. A closed stdout
/// (`verdict … | head`) is not an error.
fn write_with(
    output: Option<&Path>,
    render: impl Fn(&mut dyn Write) -> Result<(), Error>,
) -> Result<(), Error> {
    let Some(path) = output else {
        let stdout = io::stdout();
        let mut w = io::BufWriter::with_capacity(crate::report::WRITE_BUFFER, stdout.lock());
        let res = render(&mut w)
            .and_then(|()| w.flush().map_err(|source| Error::Output { path: "stdout".into(), source }));
        return match res {
            Err(Error::Output { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        };
    };
    let shown = discover::display(path);
    let output_err = |source| Error::Output { path: shown.clone(), source };
    let relabel = |e: Error| match e {
        Error::Output { source, .. } => output_err(source),
        other => other,
    };
    let regular = std::fs::metadata(path).map(|m| m.is_file()).unwrap_or(true);
    if !regular {
        let file = std::fs::OpenOptions::new().write(true).open(path).map_err(output_err)?;
        let mut w = io::BufWriter::with_capacity(crate::report::WRITE_BUFFER, file);
        return render(&mut w).map_err(relabel).and_then(|()| w.flush().map_err(output_err));
    }
    let tmp = temp_beside(path);
    let write = || -> Result<(), Error> {
        let file = File::options().write(true).create_new(true).open(&tmp).map_err(output_err)?;
        let mut w = io::BufWriter::with_capacity(crate::report::WRITE_BUFFER, file);
        render(&mut w).map_err(relabel)?;
        let file = w.into_inner().map_err(|e| output_err(e.into_error()))?;
        file.sync_all().map_err(output_err)?;
        std::fs::rename(&tmp, path).map_err(output_err)
    };
    let res = write();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Writes text to `output` (like [`write_json`]) or to stdout.
fn write_text(text: &str, output: Option<&Path>) -> Result<(), Error> {
    write_with(output, |w| {
        w.write_all(text.as_bytes()).map_err(|source| Error::Output { path: "stdout".into(), source })
    })
}

/// Finds and loads the configuration: `--config FILE`; else a configuration file in the
/// working directory; else, when the run names one folder, a configuration file in that folder
/// (`verdict run fixtures/demo`); else the defaults. Its warnings are printed, and returned for
/// the verdict to carry; its errors stop the run.
pub(crate) fn load_config(
    explicit: Option<&Path>,
    none: bool,
    folder: Option<&Path>,
    color: bool,
) -> Result<(Config, Vec<Diagnostic>), Error> {
    let here = || crate::config::find(Path::new(".")).map_err(|d| Error::Config(vec![*d]));
    if none {
        // The configuration --no-config passes over holds requirements and waivers that do
        // not apply to this run: said, and carried by the verdict, never silent.
        let found =
            here().ok().flatten().or_else(|| folder.and_then(|dir| crate::config::find(dir).ok().flatten()));
        let mut notes = Vec::new();
        if let Some(local) = found {
            let mut d = Diagnostic::warning(
                crate::config::Code::NotRead.as_str(),
                format!("`{}` is not read: --no-config runs with the defaults", discover::display(&local)),
            );
            d.file = Some(discover::display(&local));
            d.help = Some(
                "its inputs.required, thresholds, signature checks and waivers do not apply; remove --no-config to read it".into(),
            );
            to_stderr(&format!("{}\n", d.render(color)));
            notes.push(d);
        }
        return Ok((Config::default(), notes));
    }
    let mut notes = Vec::new();
    let path = match explicit {
        Some(p) => {
            // A configuration in the working directory that --config passes over holds
            // requirements and waivers that do not apply to this run: said, not silent.
            if let Ok(Some(local)) = here()
                && !same_file(&local, p)
            {
                let mut d = Diagnostic::warning(
                    crate::config::Code::NotRead.as_str(),
                    format!(
                        "`{}` in the working directory is not read: --config (or VERDICT_CONFIG) names `{}`",
                        discover::display(&local),
                        discover::display(p)
                    ),
                );
                d.file = Some(discover::display(&local));
                d.help = Some(format!(
                    "its inputs.required, thresholds and waivers do not apply; remove --config to read it, or move what it requires into `{}`",
                    discover::display(p)
                ));
                notes.push(d);
            }
            Some(p.to_path_buf())
        }
        None => match here()? {
            Some(p) => Some(p),
            None => match folder {
                // In a hand-off the folder's configurations are not read, one or several.
                Some(dir) if hand_off() => {
                    for name in crate::config::FILE_NAMES {
                        let p = dir.join(name);
                        if p.is_file() {
                            notes.push(handed_off(&p));
                        }
                    }
                    None
                }
                Some(dir) => crate::config::find(dir).map_err(|d| Error::Config(vec![*d]))?,
                None => None,
            },
        },
    };
    let config = match path {
        Some(path) => {
            // `./verdict.yaml` reads better as `verdict.yaml` in messages.
            let path = PathBuf::from(discover::display(&path));
            let (config, warnings) = crate::config::load_file(&path).map_err(Error::Config)?;
            tracing::info!(path = %discover::display(&path), "configuration read");
            notes.extend(warnings);
            config
        }
        None => Config::default(),
    };
    let mut out = String::new();
    for w in &notes {
        out.push_str(&w.render(color));
        out.push('\n');
    }
    to_stderr(&out);
    Ok((config, notes))
}

/// Whether this run judges another run's artifacts in a GitHub `workflow_run` hand-off (the
/// fork-safe recipe of docs/ci.md): the folder it reads was uploaded by the pull request's
/// run, which a fork controls.
fn hand_off() -> bool {
    std::env::var("GITHUB_EVENT_NAME").is_ok_and(|e| e == "workflow_run")
}

/// The warning that a configuration inside the artifacts of a hand-off is not read: a pull
/// request from a fork would choose the rules, waivers and thresholds that judge it.
fn handed_off(path: &Path) -> Diagnostic {
    let mut d = Diagnostic::warning(
        crate::config::Code::NotRead.as_str(),
        format!(
            "`{}` is not read: in a workflow_run hand-off the folder holds another run's artifacts, which must not choose the rules that judge them",
            discover::display(path)
        ),
    );
    d.file = Some(discover::display(path));
    d.help = Some(
        "put verdict.yaml at the root of the default branch's checkout, or name it with --config (the action's `config` input); the built-in pack judges this run".into(),
    );
    d
}

/// The user of verdict's image (Dockerfile: `USER 65532:65532`).
const IMAGE_UID: u32 = 65532;

/// What to check when a path cannot be read or written (`how`: `readable`, `writable`). A
/// refusal names the user verdict runs as; as the image's user, whom the files of a
/// developer's folder mounted with `docker run -v "$PWD:/work"` do not let in (a 0600 `.env`,
/// a cosign bundle, a folder only its owner may write), it says how to run as oneself.
pub(crate) fn access_help(e: &io::Error, how: &str) -> String {
    let base = format!("check that the path exists and is {how} by the user verdict runs as");
    if e.kind() != io::ErrorKind::PermissionDenied {
        return base;
    }
    // /proc/self belongs to the process's effective user: its uid without a system call that
    // would need `unsafe`.
    use std::os::unix::fs::MetadataExt as _;
    match std::fs::metadata("/proc/self").map(|m| m.uid()) {
        Ok(IMAGE_UID) => format!(
            "{base}: uid {IMAGE_UID}, the image's own user, who cannot open what only its owner may (a 0600 file, a 0700 folder); run the container as yourself: docker run --user \"$(id -u):$(id -g)\" …"
        ),
        Ok(uid) => format!("{base} (uid {uid})"),
        Err(_) => base,
    }
}

/// Whether two paths name one file (both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `verdict init`: writes the starter configuration and a sample policy with its test.
#[allow(clippy::print_stdout)]
fn init(args: args::InitArgs) -> Result<(), Error> {
    let files = crate::config::init_files();
    // A configuration under another of the names verdict reads: writing verdict.yaml beside it
    // would make every run stop on `config/ambiguous`, --force or not.
    let others: Vec<String> = crate::config::FILE_NAMES
        .iter()
        .filter(|name| **name != "verdict.yaml")
        .map(|name| args.dir.join(name))
        .filter(|p| p.exists())
        .map(|p| discover::display(&p))
        .collect();
    if let Some(other) = others.first() {
        return Err(Error::Refused(Box::new(
            Diagnostic::error("init/exists", format!("a configuration is already here: {other}"))
                .help("nothing was written; verdict reads one configuration per folder: edit that one, or remove it and run `verdict init` again"),
        )));
    }
    let existing: Vec<String> = files
        .iter()
        .map(|(rel, _)| args.dir.join(rel))
        .filter(|p| p.exists())
        .map(|p| discover::display(&p))
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::Refused(Box::new(
            Diagnostic::error(
                "init/exists",
                format!(
                    "{} already there: {}",
                    if existing.len() == 1 { "a file is" } else { "files are" },
                    existing.join(", ")
                ),
            )
            .help("nothing was written; move them away, or pass --force to overwrite them"),
        )));
    }
    let mut out = String::new();
    for (rel, text) in files {
        let path = args.dir.join(rel);
        let shown = discover::display(&path);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| Error::Output { path: shown.clone(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| Error::Output { path: shown.clone(), source })?;
        out.push_str(&format!("wrote {shown}\n"));
    }
    out.push_str("\nnext:\n  verdict run            judge the artifacts under this folder with the built-in pack and policy/\n  verdict policy test    run the sample policy's tests\n  edit verdict.yaml      required inputs, thresholds, waivers (docs/config.md)\n");
    print!("{out}");
    Ok(())
}

/// A new temporary file's path beside `path`, named as the report files' are
/// (`.NAME.<16 hex>.tmp`): random, so that two runs writing one `--output` (two containers
/// are both process 1) never share it, and created only if new.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.{}.tmp", crate::publish::files::random_hex()))
}

/// Prints an error's diagnostics to stderr.
fn report(e: &Error, color: bool) {
    let (problems, summary) = diagnostics(e);
    let mut out = String::new();
    for d in &problems {
        out.push_str(&d.render(color));
        if summary.is_some() {
            out.push('\n');
        }
    }
    if let Some(summary) = summary {
        out.push_str(&Diagnostic::error("", summary).render(color));
    }
    to_stderr(&out);
}

/// Writes `text` to stderr, ignoring a failed write: `eprint!` panics when stderr is closed or
/// full (`2>/dev/full`, a pipe whose reader left), which would end the process with the panic's
/// exit code 101 instead of the run's.
pub(crate) fn to_stderr(text: &str) {
    use std::io::Write as _;
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// An error as the diagnostics that say what went wrong, one per problem, and, for an error
/// that holds several problems, the line that sums them up (shown after them).
fn diagnostics(e: &Error) -> (Vec<Diagnostic>, Option<String>) {
    let with_causes = |code: String, help: &str| {
        let mut d = Diagnostic::error(code, e.to_string());
        d.causes = diag::causes(e);
        d.help = Some(help.into());
        d
    };
    match e {
        Error::Listed { error, listed } => {
            let (mut problems, summary) = diagnostics(error);
            for d in &mut problems {
                at_listing(d, listed);
            }
            (problems, summary)
        }
        Error::Inputs(errors) => (errors.iter().map(file_diagnostic).collect(), Some(e.to_string())),
        Error::Output { source, .. } if infrastructure(source) => (
            vec![with_causes(
                "output/unwritable".into(),
                "the machine ran out of disk space, file handles or memory, or its disk failed: free space or raise the job's limits, and run it again (exit 3)",
            )],
            None,
        ),
        Error::Output { source, .. } => {
            (vec![with_causes("output/unwritable".into(), &access_help(source, "writable"))], None)
        }
        Error::Read { what, source, path } => (
            vec![Diagnostic {
                file: Some(path.clone()),
                ..with_causes(
                    format!("{what}/unreadable"),
                    &if source.kind() == io::ErrorKind::IsADirectory {
                        format!("this is a folder: name the {what} files in it, each by its path")
                    } else {
                        access_help(source, "readable")
                    },
                )
            }],
            None,
        ),
        Error::Policy(errors) => (errors.iter().map(|pe| pe.diagnostic()).collect(), Some(e.to_string())),
        Error::Refused(d) => (vec![(**d).clone()], None),
        Error::Config(diags) => (diags.clone(), Some(e.to_string())),
        Error::Serialize(_) => (
            vec![with_causes(
                "internal".into(),
                "this is a bug in verdict; please report it with the command line",
            )],
            None,
        ),
    }
}

/// Turns a file error into a diagnostic, reading the file again to show the offending line.
/// Shows a diagnostic about a path that the configuration names (a file or folder that does
/// not exist, say) at the line that names it, and says so: the path is fixed there. One that
/// already points inside the file it is about (a parse error) stays where it is.
fn at_listing(d: &mut Diagnostic, listed: &[crate::config::Listed]) {
    if d.line.is_some() {
        return;
    }
    let Some(shown) = d.file.clone() else { return };
    let Some(l) = listed.iter().find(|l| discover::display(&l.path) == shown) else { return };
    if !d.message.contains(&format!("`{shown}`")) {
        d.message = d.message.replace("this path", &format!("`{shown}`"));
    }
    d.message.push_str(", named in the configuration");
    d.file.clone_from(&l.at.file);
    d.line = l.at.line;
    d.column = l.at.column;
    d.doc_path.clone_from(&l.at.doc_path);
    d.snippet.clone_from(&l.at.snippet);
    let help = d.help.take().unwrap_or_default();
    d.help = Some(format!(
        "{help}; a path in the configuration is relative to its folder: correct it there, or make the step that produces it run first"
    ));
}

fn file_diagnostic(fe: &FileError) -> Diagnostic {
    let e = &fe.error;
    let mut d = Diagnostic::error(e.code.as_str(), e.message.clone());
    d.file = Some(fe.display.clone());
    d.doc_path = e.location.path.clone();
    d.expected = e.expected.clone();
    d.help = e.help.clone();
    d.causes = diag::causes(e);
    let target = match (e.location.offset, e.location.line, e.location.column) {
        (Some(o), _, _) => Some(Target::Offset(o)),
        (None, Some(l), Some(c)) if l > 0 => Some(Target::LineColumn(l, c)),
        _ => None,
    };
    d.line = e.location.line;
    d.column = e.location.column;
    if let Some(t) = target
        && let Ok(Some(mut sn)) =
            File::open(&fe.path).map_err(drop).and_then(|f| diag::snippet_at(f, t).map_err(drop))
    {
        if matches!(t, Target::LineColumn(..)) && matches!(e.code, Code::BadValue | Code::MissingField) {
            sn.widen_to_json_token();
        }
        d.line = Some(sn.line);
        d.column = Some(sn.column);
        d.snippet = Some(sn);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shell as verdict's command (GitLab starting a job in an image whose entrypoint was not
    /// cleared) gets the note that says so; a subcommand does not.
    #[test]
    fn a_shell_for_a_command_says_to_clear_the_entrypoint() {
        let argv = |words: &[&str]| words.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        for shell in ["sh", "/bin/sh", "bash", "/usr/bin/bash"] {
            let note = started_with_a_shell(&argv(&["/verdict", shell, "-c", "echo"])).expect("a note");
            assert!(note.contains("entrypoint: [\"\"]"), "{note}");
        }
        assert_eq!(started_with_a_shell(&argv(&["/verdict", "schema"])), None);
        assert_eq!(started_with_a_shell(&argv(&["/verdict"])), None);
    }

    /// A refusal names the user verdict runs as (in the image, how to run as oneself); a path
    /// that is not there does not.
    #[test]
    fn a_refusal_names_the_user() {
        let denied = access_help(&io::Error::from(io::ErrorKind::PermissionDenied), "readable");
        assert!(denied.starts_with("check that the path exists and is readable by the user verdict runs as"));
        assert!(denied.contains("uid "), "{denied}");
        let missing = access_help(&io::Error::from(io::ErrorKind::NotFound), "writable");
        assert_eq!(missing, "check that the path exists and is writable by the user verdict runs as");
    }

    /// Colours: a terminal's, unless NO_COLOR or TERM=dumb; FORCE_COLOR and CLICOLOR_FORCE
    /// turn them on in a CI log; NO_COLOR wins.
    #[test]
    fn when_to_colour() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
        };
        assert!(colors(true, &env(&[])));
        assert!(!colors(false, &env(&[])));
        assert!(!colors(true, &env(&[("TERM", "dumb")])));
        assert!(!colors(true, &env(&[("NO_COLOR", "1")])));
        assert!(colors(false, &env(&[("FORCE_COLOR", "1")])));
        assert!(colors(false, &env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!colors(false, &env(&[("FORCE_COLOR", "0")])));
        assert!(!colors(false, &env(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")])));
    }

    /// A glob pattern where a path belongs names the folder to give instead.
    #[test]
    fn a_pattern_names_its_folder() {
        assert_eq!(pattern_root("reports/**/*.xml").as_deref(), Some("reports"));
        assert_eq!(pattern_root("*.xml").as_deref(), Some("."));
        assert_eq!(
            pattern_root("build/test-results/test/TEST-[a-z]*.xml").as_deref(),
            Some("build/test-results/test")
        );
        assert_eq!(pattern_root("reports/junit.xml"), None);
    }

    /// The machine running out of file handles, disk or memory is exit 3, an infrastructure
    /// error, not a broken input; a file that is not there or not readable is exit 2.
    #[test]
    fn the_machines_errors_are_exit_3() {
        let file_error = |e: io::Error| FileError {
            path: "TEST-a.xml".into(),
            display: "TEST-a.xml".into(),
            error: crate::ingest::IngestError::new(crate::ingest::Code::Unreadable, "cannot open the file")
                .caused_by(e),
        };
        for (raw, exit) in [(24, Exit::Internal), (28, Exit::Internal), (2, Exit::Input), (13, Exit::Input)] {
            let e = Error::Inputs(vec![file_error(io::Error::from_raw_os_error(raw))]);
            assert_eq!(e.exit(), exit, "errno {raw}");
            let e = Error::Output { path: "out".into(), source: io::Error::from_raw_os_error(raw) };
            assert_eq!(e.exit(), exit, "errno {raw}");
        }
    }
}
