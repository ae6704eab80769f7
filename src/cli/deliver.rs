//! After the verdict: the report on stdout (`--format`), the report files (`--output-dir`),
//! and publishing where people look (`--publish`): the PR/MR comment, the job summary, step
//! outputs, annotations, an optional check run and commit status.
//!
//! The renderers (`report::*`) are pure; the publisher (`publish::*`) is the only code that
//! calls a CI API. This is the edge that fills their context from the environment, writes the
//! files, prints, and folds a failed publish into the exit code only when asked
//! (`--require-publish`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Error;
use super::args::{CommentModeArg, OutputFormat, PublishArg, RunArgs};
use crate::evidence::Ci;
use crate::exit::Exit;
use crate::publish::{
    self, Annotation, AnnotationLevel, CheckRun, CommentMode, Destination, Publication, PublishTarget,
};
use crate::report::markdown::stopped;
use crate::report::{
    self, RenderContext, ReportLink, annotations, codequality, junit, markdown, sarif, terminal,
};
use crate::verdict::{Counts, Outcome, Verdict};

/// The report files `--output-dir` writes, by format.
pub const REPORT_FILES: [(&str, OutputFormat); 5] = [
    ("verdict.json", OutputFormat::Json),
    ("verdict.md", OutputFormat::Markdown),
    ("verdict.sarif", OutputFormat::Sarif),
    ("verdict.junit.xml", OutputFormat::Junit),
    ("gl-code-quality-report.json", OutputFormat::Codequality),
];

/// [`REPORT_FILES`] in the order two lanes take them: `verdict.json`, SARIF, Code Quality,
/// then the Markdown comment and JUnit. The three large ones trade places from one measurement
/// to the next (`cargo bench -- render/` at scale 10 on one thread, on the machine of
/// 2026-11-23: SARIF ~54, JSON ~45, Code Quality ~36 ms in the morning; JSON ~47, SARIF ~39,
/// Code Quality ~31 ms in the afternoon; the small two ~5–7 ms). On both sets this order ends
/// soonest: in the morning's at ~81 ms (JSON then Code Quality beside SARIF then the small
/// ones), in the afternoon's at ~70 (SARIF then Code Quality beside the rest), where the order
/// SARIF, Code Quality, JSON ended at ~78.
const RENDER_ORDER: [usize; 5] = [0, 2, 4, 1, 3];

/// Prints, writes and publishes; returns the exit code publishing adds (`--require-publish`).
pub fn deliver(
    v: &Verdict,
    args: &RunArgs,
    config_file: Option<&Path>,
    color: bool,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Exit>, Error> {
    let destination = destination(args, var);
    let cx = context(&v.evidence.ci, args, config_file, destination.as_ref().ok(), var);

    // 1. Report files: written first, so the links in the comment point at files that exist.
    // When they cannot be written, the verdict is still printed before the error that makes
    // the run exit 2: the reader sees what was judged and what to fix, then why the files
    // are missing.
    let mut written: Vec<(String, PathBuf)> = Vec::new();
    let mut unwritten = None;
    if let Some(dir) = &args.output_dir {
        match write_report_files(v, &cx, dir) {
            Ok(paths) => {
                for ((name, _), path) in REPORT_FILES.iter().zip(paths) {
                    written.push((report_name(name), path));
                }
            }
            Err(e) => unwritten = Some(e),
        }
    }

    // 2. stdout (or --output).
    let color = color && args.output.is_none();
    let mut cx = cx;
    cx.reports_unwritten = unwritten.is_some();
    super::write_with(args.output.as_deref(), |w| {
        write_format(v, &cx, args.format, color, w)
            .map_err(|source| Error::Output { path: "stdout".into(), source })
    })?;
    // On GitHub, annotations are workflow commands in the job's output: printed after a text
    // report on stdout, or alone on stdout when the report went to --output; never into a
    // document on stdout (it would stop being JSON or SARIF).
    if matches!(destination, Ok(Destination::GitHub(_) | Destination::GitHubFiles(_)))
        && (args.format == OutputFormat::Text || args.output.is_some())
        && args.format != OutputFormat::Github
    {
        super::write_text(&annotations::workflow_commands(v, &cx), None)?;
    }
    if let Some(e) = unwritten {
        return Err(e);
    }

    // 3. Publish.
    let destination = match destination {
        Ok(Destination::Nowhere(why)) => {
            // A local run: nothing to publish, said at -v only.
            tracing::info!("publish: {why}");
            return Ok(None);
        }
        Ok(d) => d,
        Err(e) => {
            super::to_stderr(&format!("publish: {}\n", with_causes(&e)));
            return Ok(args.publish.require_publish.then_some(Exit::Internal));
        }
    };
    let gate = cx.gate_key();
    let marker = report::marker(&gate);
    let comment_limit = match destination {
        Destination::GitLab(_) => publish::GITLAB_NOTE_LIMIT,
        _ => publish::GITHUB_COMMENT_LIMIT,
    };
    let comment = |budget: usize| markdown::comment(v, &cx, budget.min(comment_limit));
    let summary = |budget: usize| markdown::job_summary(v, &cx, budget);
    let check_summary = |budget: usize| {
        if budget >= publish::CHECK_RUN_SUMMARY_LIMIT {
            annotations::check_run_summary(v, &cx)
        } else {
            markdown::comment(v, &cx, budget)
        }
    };
    let mut p = Publication::of(v, &gate, &marker, &comment);
    p.job_summary = Some(&summary);
    p.reports = written;
    let check_run = args.publish.check_run.then(|| CheckRun {
        name: check_run_name(&gate),
        title: annotations::check_run_title(v),
        summary: &check_summary,
        annotations: annotations::check_run_batches(v, &cx).into_iter().flatten().map(annotation).collect(),
    });
    Ok(send(&destination, args, p, check_run).exit(args.publish.require_publish))
}

/// Publishes a run that stopped before its verdict (`e`, exit 2) where its verdict would have
/// gone: the sticky comment, the job summary, the check run and the commit status say ERROR
/// and what to fix, so that none keeps showing an earlier commit's verdict. Nothing is written
/// on stdout (the error is on stderr) and no report file is written. What publishing did is
/// printed; it does not change the exit code, which the error decides.
pub fn publish_stopped(
    e: &Error,
    args: &RunArgs,
    config_file: Option<&Path>,
    var: &dyn Fn(&str) -> Option<String>,
) {
    let destination = match destination(args, var) {
        Ok(Destination::Nowhere(_)) => return,
        Ok(d) => d,
        Err(e) => {
            super::to_stderr(&format!("publish: {}\n", with_causes(&e)));
            return;
        }
    };
    let cx = context(&super::ci::detect(var), args, config_file, Some(&destination), var);
    let (problems, summary) = super::diagnostics(e);
    let summary = summary.as_deref();
    let gate = cx.gate_key();
    let marker = report::marker(&gate);
    let comment_limit = match destination {
        Destination::GitLab(_) => publish::GITLAB_NOTE_LIMIT,
        _ => publish::GITHUB_COMMENT_LIMIT,
    };
    let comment = |budget: usize| stopped::comment(&problems, summary, &cx, budget.min(comment_limit));
    let job_summary = |budget: usize| stopped::job_summary(&problems, summary, &cx, budget);
    let check_summary = |budget: usize| stopped::check_run_summary(&problems, summary, &cx, budget);
    let mut p = Publication::new(&gate, &marker, Outcome::Error, true, Counts::default(), &comment);
    p.job_summary = Some(&job_summary);
    let check_run = args.publish.check_run.then(|| CheckRun {
        name: check_run_name(&gate),
        title: annotations::error_title(problems.len()),
        summary: &check_summary,
        annotations: Vec::new(),
    });
    send(&destination, args, p, check_run);
}

/// The check run's name: `verdict`, or `verdict/KEY` for a gate key of its own.
fn check_run_name(gate: &str) -> String {
    if gate == report::DEFAULT_GATE { "verdict".to_owned() } else { format!("verdict/{gate}") }
}

/// Publishes `p` with the command line's publishing settings, and prints what was done.
fn send<'a>(
    destination: &Destination,
    args: &'a RunArgs,
    mut p: Publication<'a>,
    check_run: Option<CheckRun<'a>>,
) -> publish::PublishReport {
    p.comment_mode = match args.publish.comment_mode {
        CommentModeArg::Always => CommentMode::Always,
        CommentModeArg::Changes => CommentMode::Changes,
        CommentModeArg::Failures => CommentMode::Failures,
        CommentModeArg::Off => CommentMode::Off,
    };
    p.comment_author = args.publish.comment_author.as_deref().filter(|a| !a.trim().is_empty());
    p.commit_status = args.publish.commit_status;
    p.check_run = check_run;
    let retry = publish::RetryPolicy::within(Duration::from_secs(args.publish.publish_timeout.max(1)));
    let outcome = publish::publish(destination, &publish::Settings { retry, ..Default::default() }, &p);
    for line in outcome.lines() {
        super::to_stderr(&format!("{line}\n"));
    }
    outcome
}

/// Removes what an earlier run wrote where this one writes (`--output-dir`'s report files, the
/// `--output` file), before the run reads anything: a run that ends without a verdict (a broken
/// artifact, an invalid `verdict.yaml`: exit 2) must not leave the last run's verdict behind,
/// where a step that uploads the reports `if: always()` (GitHub) or `when: always` (GitLab)
/// would publish it as this run's. Only verdict's own file names are touched in the folder; an
/// `--output` that is not a regular file (a pipe, `/dev/stdout`) is left alone.
///
/// Freeing tens of megabytes of old reports takes the kernel several milliseconds, so it runs
/// on a thread of its own while the policies are built; [`Clearing::finish`] waits for it
/// before discovery (the output folder may lie inside a searched one). Dropped unfinished (the
/// run stopped early), it still waits, so no old report outlives the process.
pub struct Clearing(Option<std::thread::JoinHandle<Result<(), Error>>>);

impl Clearing {
    /// Starts removing the previous run's files, if this run writes any: first, for an
    /// output folder, once this run holds it ([`hold`]).
    pub fn start(args: &RunArgs) -> Clearing {
        let dir = args.output_dir.clone();
        let file = args.output.clone();
        if dir.is_none() && file.is_none() {
            return Clearing(None);
        }
        // The files the command line names for the run to read.
        let named: Vec<PathBuf> = args
            .inputs
            .iter()
            .map(|i| i.path.clone())
            .chain(args.data.iter().cloned())
            .chain(args.policies.iter().cloned())
            .chain(args.config.iter().cloned())
            .collect();
        Clearing(Some(std::thread::spawn(move || {
            if let Some(file) = &file {
                not_an_input(file, dir.as_deref(), &named)?;
            }
            if let Some(dir) = dir.as_deref().filter(|d| d.is_dir()) {
                hold(dir);
            }
            remove_previous(&previous(dir.as_deref(), file.as_deref()))
        })))
    }

    /// Removes the previous run's files for a `verdict run` whose command line was refused
    /// (exit 2: an unknown flag, a bad value of an option or of a `VERDICT_*` variable), which
    /// stops before its arguments are known: `--output-dir` (or `VERDICT_OUTPUT_DIR`) and
    /// `-o`/`--output` are read from `argv` as written, so that such a run leaves no earlier
    /// verdict behind either. Anything else about the command line is left to the parser's
    /// error. What cannot be removed is only logged: the usage error is what to fix.
    pub fn after_usage_error(argv: &[std::ffi::OsString], var: &dyn Fn(&str) -> Option<String>) {
        let words: Vec<&str> = argv.iter().skip(1).map(|a| a.to_str().unwrap_or("")).collect();
        // Only `run` writes reports; its name is the first word that is neither an option nor
        // the value of a global option given apart (`--log-format json run …`).
        let mut value_next = false;
        let Some(at) = words.iter().position(|w| {
            let command = !value_next && !w.starts_with('-');
            value_next = *w == "--log-format";
            command
        }) else {
            return;
        };
        if words.get(at) != Some(&"run") {
            return;
        }
        let (mut dir, mut file) = (None, None);
        let rest = words.get(at + 1..).unwrap_or_default();
        let mut i = 0;
        while let Some(&w) = rest.get(i) {
            i += 1;
            if w == "--" {
                break;
            }
            for (long, short, slot) in [("--output-dir", None, &mut dir), ("--output", Some("-o"), &mut file)]
            {
                let Some(value) = option_value(w, long, short) else { continue };
                let value = value.or_else(|| {
                    i += 1;
                    rest.get(i - 1).copied()
                });
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    *slot = Some(PathBuf::from(v));
                }
                break;
            }
        }
        let dir = dir.or_else(|| var("VERDICT_OUTPUT_DIR").filter(|d| !d.is_empty()).map(PathBuf::from));
        if let Err(e) = remove_previous(&previous(dir.as_deref(), file.as_deref())) {
            let why = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
            super::to_stderr(&format!("warning: {e}: {why}\n"));
        }
    }

    /// Waits for the removal; an old report that could not be removed stops the run.
    pub fn finish(mut self) -> Result<(), Error> {
        self.0.take().map_or(Ok(()), |h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    }
}

/// Refuses an `--output` file that this run would destroy before using it: an artifact of
/// another tool (a test report, a scan), which the run would remove as "the previous run's"
/// and then not judge, or one of the report files `--output-dir` holds, which would end up in
/// another format than its name says.
fn not_an_input(file: &Path, dir: Option<&Path>, named: &[PathBuf]) -> Result<(), Error> {
    let refuse = |what: String, help: &str| {
        Err(Error::Refused(Box::new(
            crate::diag::Diagnostic::error(
                "output/overwrites",
                format!("--output names {}, {what}", super::discover::display(file)),
            )
            .help(help),
        )))
    };
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if let Some(dir) = dir
        && let Some((name, _)) =
            REPORT_FILES.iter().find(|(name, _)| absolute(&dir.join(name)) == absolute(file))
    {
        return refuse(
            format!("which --output-dir also writes ({name})"),
            "give --output a file of its own, or leave it out: the report files are in --output-dir",
        );
    }
    if named.iter().any(|n| absolute(n) == absolute(file)) {
        return refuse(
            "which this run reads (named with --input, --data, --policy or --config)".into(),
            "write the report to a file of its own",
        );
    }
    let mut head = Vec::new();
    if let Ok(f) = std::fs::File::open(file) {
        use std::io::Read as _;
        let _ = f.take(crate::ingest::sniff::SNIFF_BYTES as u64).read_to_end(&mut head);
    }
    use crate::ingest::sniff::{self, Sniffed};
    let artifact = match sniff::sniff(&head) {
        Sniffed::Known(crate::evidence::Kind::Junit, _) if sniff::own_junit_report(&head).is_some() => None,
        Sniffed::Known(kind, _) => Some(kind),
        Sniffed::TwoKinds(kinds) => kinds.first().copied(),
        Sniffed::UnknownStructured(..) | Sniffed::Other(_) => None,
    };
    match artifact {
        Some(kind) => refuse(
            format!(
                "which is {} that verdict did not write: the run would remove it before reading it",
                kind.describe()
            ),
            "write the report to a file of its own (a name no tool here writes, outside the folders verdict searches)",
        ),
        None => Ok(()),
    }
}

/// The output folder this run holds, until it exits.
static HELD: std::sync::OnceLock<std::fs::File> = std::sync::OnceLock::new();

/// Takes the output folder for this run, until the process ends: an exclusive lock on the
/// folder itself (`flock`), so that two runs writing one folder (two gates, or two jobs on one
/// runner) take turns, each leaving its whole report set, never a mix of both. A run that
/// finds the folder held says so and waits. Taken before the previous run's reports are
/// removed when the folder exists, else (a run that stops early then leaves no empty folder)
/// once it is made, before the reports are written. Best effort: a folder that cannot be
/// opened or locked (a file in the way, a file system without locks) is left to the
/// writing, which reports what is wrong.
fn hold(dir: &Path) {
    if HELD.get().is_some() {
        return;
    }
    let Ok(handle) = std::fs::File::open(dir) else { return };
    let locked = match handle.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::warn!(
                "another verdict run is writing its reports in {}: waiting for it to finish (give each gate an --output-dir of its own)",
                super::discover::display(dir)
            );
            handle.lock()
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    };
    match locked {
        Ok(()) => {
            let _ = HELD.set(handle);
        }
        Err(e) => {
            tracing::debug!("the output folder {} could not be locked: {e}", super::discover::display(dir))
        }
    }
}

/// Whether the command-line word `w` is the option `long` (or `short`): `Some(Some(value))`
/// when the value is in the word (`--output=FILE`, `-oFILE`), `Some(None)` when it is the next.
fn option_value<'w>(w: &'w str, long: &str, short: Option<&str>) -> Option<Option<&'w str>> {
    if w == long || short == Some(w) {
        return Some(None);
    }
    if let Some(v) = w.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
        return Some(Some(v));
    }
    short.and_then(|s| w.strip_prefix(s)).filter(|v| !v.is_empty() && !w.starts_with("--")).map(Some)
}

/// What a run writing to `dir` and `file` first removes: verdict's report files in `dir`, and
/// `file` when it is a regular file (never a pipe or `/dev/stdout`).
fn previous(dir: Option<&Path>, file: Option<&Path>) -> Vec<PathBuf> {
    let reports = dir.into_iter().flat_map(|dir| REPORT_FILES.iter().map(|(name, _)| dir.join(name)));
    // The temporary files of a run that was stopped while writing (SIGKILL, a machine that went
    // down): never a report, and never to be uploaded or read as one.
    let unfinished =
        dir.and_then(|dir| std::fs::read_dir(dir).ok()).into_iter().flatten().filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name();
            let name = name.to_str()?;
            REPORT_FILES
                .iter()
                .any(|(report, _)| publish::files::is_temp_name(name, report))
                .then(|| entry.path())
        });
    let file = file.filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file())).map(Path::to_path_buf);
    reports.chain(unfinished).chain(file).collect()
}

impl Drop for Clearing {
    fn drop(&mut self) {
        if let Some(Err(e)) = self.0.take().and_then(|h| h.join().ok()) {
            let why = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
            tracing::warn!("{e}: {why}");
        }
    }
}

fn remove_previous(paths: &[PathBuf]) -> Result<(), Error> {
    for path in paths {
        match std::fs::remove_file(path) {
            Ok(()) => tracing::debug!("removed the previous run's {}", path.display()),
            Err(e)
                if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {}
            Err(e) => {
                return Err(Error::Output {
                    path: super::discover::display(path),
                    source: std::io::Error::new(
                        e.kind(),
                        format!(
                            "the previous run's report could not be removed, so it would outlive this run: {e}"
                        ),
                    ),
                });
            }
        }
    }
    Ok(())
}

/// `verdict.junit.xml` → `junit`: the step output `report-junit`.
fn report_name(file: &str) -> String {
    match file {
        "gl-code-quality-report.json" => "codequality".to_owned(),
        f => f.trim_start_matches("verdict.").split('.').next().unwrap_or(f).to_owned(),
    }
}

fn annotation(a: annotations::CheckRunAnnotation) -> Annotation {
    Annotation {
        path: a.path,
        start_line: a.start_line,
        end_line: a.end_line,
        level: match a.annotation_level {
            annotations::AnnotationLevel::Failure => AnnotationLevel::Failure,
            annotations::AnnotationLevel::Warning => AnnotationLevel::Warning,
            annotations::AnnotationLevel::Notice => AnnotationLevel::Notice,
        },
        message: a.message,
        title: Some(a.title),
    }
}

/// Writes the report files on one thread per core (two lanes on two cores: SARIF, the
/// slowest, beside the others), largest first. Each goes to its temporary file as it is made,
/// so that a lane holds at most one (on a large run they are tens of megabytes together), and
/// is synced on a thread of its own. All or none: the files are renamed into place once every
/// one is written and synced; when one fails, the others' temporary files are removed (and a
/// rename that fails takes back those already in place), so the folder never holds a report
/// set that disagrees with the exit code. The paths come back in [`REPORT_FILES`] order.
fn write_report_files(v: &Verdict, cx: &RenderContext, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    // The publisher's error with its causes in one line ("…: Not a directory (os error 20)"):
    // the system's reason is what tells a user what to change.
    let failed = |e: publish::PublishError| {
        let mut said = e.to_string();
        for cause in crate::diag::causes(&e) {
            said.push_str(": ");
            said.push_str(&cause);
        }
        // An error of the machine's (no space, no file handle left) is marked as one, for exit
        // 3; the message keeps the system's words.
        let kind = match &e {
            publish::PublishError::Io { source, .. } if super::infrastructure(source) => {
                std::io::ErrorKind::StorageFull
            }
            publish::PublishError::Io { source, .. } => source.kind(),
            _ => std::io::ErrorKind::Other,
        };
        Error::Output { path: dir.display().to_string(), source: std::io::Error::new(kind, said) }
    };
    // Made before the reports are written, so that it can be held first.
    publish::files::make_report_dir(dir).map_err(failed)?;
    hold(dir);
    std::thread::scope(|s| {
        let write = |i: usize| {
            let (name, format) = REPORT_FILES.get(i)?;
            let written = publish::files::write_temp(dir, name, |w| write_format(v, cx, *format, false, w));
            // Synced on a thread of its own: waiting for the disk (a few milliseconds a file)
            // overlaps rendering the lane's next file.
            Some(written.map(|pending| s.spawn(move || pending.sync())))
        };
        let synced: Result<Vec<_>, _> = crate::work::longest_first(&RENDER_ORDER, || (), |_, i| write(i))
            .into_iter()
            .map(|written| {
                let syncing = written.flatten().expect("every file is written: RENDER_ORDER names each once");
                syncing
                    .map(|thread| thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .and_then(|synced| synced)
            })
            .collect();
        // An error drops the files synced so far, which removes them.
        let mut placed = Vec::with_capacity(REPORT_FILES.len());
        for file in synced.map_err(failed)? {
            match file.rename() {
                Ok(path) => placed.push(path),
                Err(e) => {
                    for path in &placed {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(failed(e));
                }
            }
        }
        Ok(placed)
    })
}

/// One format, written to `out`, on stdout and in the report files alike. The three large
/// documents (JSON, SARIF, Code Quality) go out as they are serialized and are never held
/// whole; the others are short texts, rendered first.
fn write_format(
    v: &Verdict,
    cx: &RenderContext,
    format: OutputFormat,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Json => return report::write_json(v, out),
        OutputFormat::Sarif => return sarif::write(v, cx, out),
        OutputFormat::Codequality => return codequality::write(v, cx, out),
        OutputFormat::Text => {
            let mut style = terminal::Style { color, width: terminal_width(), ..terminal::Style::default() };
            style.exit_line = cx.reports_unwritten.then_some(
                "exit 2: the verdict above was made, but its report files could not be written (see below)",
            );
            if let Some(n) = cx.max_shown {
                (style.max_fail_per_rule, style.max_warn) = (n, n);
            }
            terminal::render(v, style)
        }
        OutputFormat::Markdown => markdown::comment(v, cx, publish::GITHUB_COMMENT_LIMIT),
        OutputFormat::Junit => junit::render(v),
        OutputFormat::Github => annotations::workflow_commands(v, cx),
    };
    out.write_all(text.as_bytes())
}

/// Where to publish; a context that cannot be read (GITHUB_REPOSITORY missing, a broken event
/// payload) is a failed publish, not a failed run.
fn destination(
    args: &RunArgs,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Destination, publish::PublishError> {
    let target = match args.publish.target {
        PublishArg::Auto => PublishTarget::Auto,
        PublishArg::Github => PublishTarget::GitHub,
        PublishArg::Gitlab => PublishTarget::GitLab,
        PublishArg::None => PublishTarget::None,
    };
    let (text, unread) = match var("GITHUB_EVENT_PATH").filter(|_| target != PublishTarget::None) {
        Some(p) if !p.is_empty() => match publish::context::read_event_file(Path::new(&p)) {
            Ok(text) => (Some(text), None),
            Err(e) => (None, Some(e)),
        },
        _ => (None, None),
    };
    let event = match unread {
        Some(e) => Err(e),
        None => Ok(text.as_deref()),
    };
    publish::resolve(target, var, event, args.publish.pr)
}

/// An error with the causes its message leaves out ("cannot read the event payload …: No such
/// file or directory"), so that the job log says why.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

/// What the renderers need from the environment: the gate, links to the run, to files at the
/// commit and to the report files, and where findings without a file are anchored.
fn context(
    ci: &Ci,
    args: &RunArgs,
    config_file: Option<&Path>,
    destination: Option<&Destination>,
    var: &dyn Fn(&str) -> Option<String>,
) -> RenderContext {
    let mut cx = RenderContext::for_ci(ci, env!("CARGO_PKG_VERSION"));
    cx.gate = args.publish.gate_key.clone();
    cx.max_shown = args.max_shown;
    cx.workspace = var("GITHUB_WORKSPACE").or_else(|| var("CI_PROJECT_DIR")).filter(|w| !w.is_empty());
    let mut artifacts = None;
    match destination {
        Some(Destination::GitHub(g)) => {
            let sha = g.head_sha.clone().or_else(|| cx.commit.clone());
            cx.commit = sha.clone();
            cx.run_url = g.run_url.clone().or(cx.run_url.take());
            if let Some(sha) = sha {
                cx.blob_url =
                    Some(format!("{}/{}/blob/{sha}", g.server_url.trim_end_matches('/'), g.repository));
            }
            artifacts = cx.run_url.clone().map(|u| format!("{u}#artifacts"));
        }
        Some(Destination::GitLab(_)) => {
            if let (Some(project), Some(sha)) = (var("CI_PROJECT_URL"), var("CI_COMMIT_SHA")) {
                cx.blob_url = Some(format!("{}/-/blob/{sha}", project.trim_end_matches('/')));
            }
            cx.run_url = var("CI_JOB_URL").or(cx.run_url.take());
            // GitLab opens one file of a job's artifacts by its path (`…/artifacts/file/PATH`).
            artifacts = var("CI_JOB_URL").map(|u| format!("{}/artifacts/file/", u.trim_end_matches('/')));
        }
        _ => {}
    }
    if let (Some(dir), Some(url)) = (&args.output_dir, artifacts) {
        let dir = dir.display().to_string();
        cx.reports = ["verdict.json", "verdict.sarif"]
            .iter()
            .map(|name| {
                let label = format!("{}/{name}", dir.trim_end_matches('/'));
                // A file's own link where the platform has one, for a folder inside the
                // project (the artifacts' paths are the project's); else the artifacts' page.
                let url = match url.strip_suffix("file/") {
                    Some(browse) if dir.starts_with('/') || dir.split('/').any(|p| p == "..") => {
                        format!("{browse}browse")
                    }
                    Some(_) => format!("{url}{}", report::uri_path(label.trim_start_matches("./"))),
                    None => url.clone(),
                };
                ReportLink { label, url }
            })
            .collect();
    }
    if let Some(config) = config_file {
        let shown = config.display().to_string();
        let relative = match &cx.workspace {
            Some(ws) => {
                shown.strip_prefix(ws.as_str()).map(|s| s.trim_start_matches('/').to_owned()).unwrap_or(shown)
            }
            None => shown.trim_start_matches("./").to_owned(),
        };
        cx.anchor = relative;
    }
    cx
}

/// The width to wrap the terminal report at: `COLUMNS` when set (the user's choice), else the
/// size of the terminal stdout is, else (a pipe, a CI log) the widest, [`terminal::TEXT_WIDTH`].
fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0)));
    terminal::text_width(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A publishing error says why, from its causes, without repeating what it already says.
    #[test]
    fn errors_say_why() {
        let e = publish::PublishError::Io {
            what: "read the event payload (GITHUB_EVENT_PATH)",
            path: "/nonexistent/event.json".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory"),
        };
        assert_eq!(
            with_causes(&e),
            "cannot read the event payload (GITHUB_EVENT_PATH) `/nonexistent/event.json`: No such file or directory"
        );
    }

    /// Step-output names of the report files.
    /// The forms an option's value is written in, as clap reads them; `--output` is not
    /// `--output-dir`, and a long option never reads as `-o`.
    #[test]
    fn option_values() {
        assert_eq!(option_value("--output-dir", "--output-dir", None), Some(None));
        assert_eq!(option_value("--output-dir=out", "--output-dir", None), Some(Some("out")));
        assert_eq!(option_value("--output-dir", "--output", Some("-o")), None);
        assert_eq!(option_value("--output=v.json", "--output", Some("-o")), Some(Some("v.json")));
        assert_eq!(option_value("-o", "--output", Some("-o")), Some(None));
        assert_eq!(option_value("-ov.json", "--output", Some("-o")), Some(Some("v.json")));
        assert_eq!(option_value("--other", "--output", Some("-o")), None);
        assert_eq!(option_value("reports", "--output", Some("-o")), None);
    }

    #[test]
    fn report_names() {
        let names: Vec<String> = REPORT_FILES.iter().map(|(f, _)| report_name(f)).collect();
        assert_eq!(names, ["json", "md", "sarif", "junit", "codequality"]);
    }

    /// Every report file is rendered exactly once, the three large documents first.
    #[test]
    fn render_order() {
        let mut order = RENDER_ORDER.to_vec();
        let first: Vec<OutputFormat> = order.iter().take(3).map(|&i| REPORT_FILES[i].1).collect();
        assert_eq!(first, [OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Codequality]);
        order.sort_unstable();
        assert_eq!(order, (0..REPORT_FILES.len()).collect::<Vec<_>>());
    }
}
