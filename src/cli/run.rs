//! `verdict run`: ingest → policy → waivers → verdict → report, and the exit code.
//! Also `verdict policy test`. The files (policies, data, config) are read here, at the edge.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;

use super::Error;
use super::args::{FailOnArg, PolicyTestArgs, RunArgs};
use super::discover::display;
use crate::config::{Config, FailOn};
use crate::diag::Diagnostic;
use crate::evidence::Keep;
use crate::exit::Exit;
use crate::ingest::Limits;
use crate::policy::{self, DataFile, Options, Policies, PolicyFile, TestOutcome};
use crate::verdict::{self, Notice, Outcome, Settings};

/// Largest policy file read (policies are code, not data).
const MAX_POLICY_BYTES: u64 = 16 * 1024 * 1024;

/// Today, in UTC, unless given (tests and reproducible runs pass `--today`).
fn today(given: Option<Date>) -> Date {
    given.unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Reads a bounded text file.
fn read_text(path: &Path, limit: u64) -> Result<String, std::io::Error> {
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    let n = file.take(limit + 1).read_to_string(&mut text)?;
    if n as u64 > limit {
        return Err(std::io::Error::other(format!("larger than {}", crate::ingest::human_bytes(limit))));
    }
    Ok(text)
}

/// Reads Rego files from files and folders (recursively, in path order); `_test.rego` files
/// only when `tests` is set.
pub fn read_policies(paths: &[PathBuf], tests: bool) -> Result<Vec<PolicyFile>, Error> {
    let mut out = Vec::new();
    for root in paths {
        let shown = display(root);
        let meta = std::fs::metadata(root).map_err(|source| Error::Read {
            what: "policy",
            path: shown.clone(),
            source,
        })?;
        let mut files: Vec<PathBuf> = if meta.is_dir() {
            // Links are followed, as OPA's loader follows them (a folder that links shared
            // rules in); a folder that cannot be listed, or a link that loops or leads
            // nowhere, is an error: a rule file skipped would be a rule not evaluated.
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    let path = e.path().map_or_else(|| shown.clone(), display);
                    let source = e.into_io_error().unwrap_or_else(|| {
                        std::io::Error::other("a link in it leads back to a folder above it")
                    });
                    Error::Read { what: "policy", path, source }
                })?;
                let path = entry.into_path();
                if path.is_file() && path.extension().is_some_and(|x| x == "rego") {
                    found.push(path);
                }
            }
            found
        } else {
            vec![root.clone()]
        };
        files.retain(|p| tests || !p.to_string_lossy().ends_with("_test.rego"));
        if files.is_empty() && meta.is_dir() {
            return Err(Error::Read {
                what: "policy",
                path: shown,
                source: std::io::Error::other("the folder holds no .rego file"),
            });
        }
        for f in files {
            let path = display(&f);
            let text = read_text(&f, MAX_POLICY_BYTES).map_err(|source| Error::Read {
                what: "policy",
                path: path.clone(),
                source,
            })?;
            out.push(PolicyFile { path, text, builtin: false });
        }
    }
    Ok(out)
}

/// Reads data files.
fn read_data(paths: &[PathBuf], limit: u64) -> Result<Vec<DataFile>, Error> {
    paths
        .iter()
        .map(|p| {
            let path = display(p);
            read_text(p, limit)
                .map(|text| DataFile { path: path.clone(), text })
                .map_err(|source| Error::Read { what: "data", path, source })
        })
        .collect()
}

/// Runs the gate. An error met once the configuration is read is printed and published here
/// and comes back as its exit code; an earlier one (flags, `verdict.yaml`) comes back as the
/// error, for `main` to print.
pub fn run(args: RunArgs, color: bool, color_err: bool) -> Result<Exit, Error> {
    let started = Instant::now();
    let clearing = super::deliver::Clearing::start(&args);
    let folder = match args.paths.as_slice() {
        [one] if one.is_dir() => Some(one.as_path()),
        _ => None,
    };
    let (config, notes) = super::load_config(args.config.as_deref(), args.no_config, folder, color_err)?;
    let var = |k: &str| std::env::var(k).ok();
    match judge(&args, &config, &notes, clearing, started, (color, color_err), &var) {
        Ok(exit) => Ok(exit),
        Err(e) => {
            // From here on the gate knows where it publishes: a run that stops says so there
            // too, so that the PR or MR does not keep showing an earlier commit's verdict. The
            // error is printed first, as a verdict's report is printed before what publishing
            // did.
            super::report(&e, color_err);
            super::deliver::publish_stopped(&e, &args, config.origin.as_deref(), &var);
            Ok(e.exit())
        }
    }
}

/// The gate once its configuration is read: policies, evidence, the verdict, its reports.
fn judge(
    args: &RunArgs,
    config: &Config,
    config_notes: &[Diagnostic],
    clearing: super::deliver::Clearing,
    started: Instant,
    (color, color_err): (bool, bool),
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Exit, Error> {
    let limits =
        Limits { max_file_size: args.limits.max_file_size.0, max_depth: usize::from(args.limits.max_depth) };
    let today = today(args.today);
    let real = self::today(None);
    // What changes what the gate judges: printed as warnings (which -q keeps), and carried by
    // the verdict (`notices`) so that the comment and the JSON say it too.
    let mut notices: Vec<Notice> = config_notes.iter().map(Notice::from).collect();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    if today != real {
        // Another day brings expired waivers back or holds announced rules off: never
        // silently. (Said on stderr only: the verdict already carries its date.)
        let back = config.waivers.iter().filter(|w| w.expires < real && w.expires >= today).count();
        let mut d = Diagnostic::warning(
            "verdict/another-day",
            format!(
                "judging as on {today} (--today or VERDICT_TODAY), not today ({real}): waivers and effective_on dates are judged on that day{}",
                match back {
                    0 => String::new(),
                    1 => "; 1 waiver that expired before today applies on that day".to_owned(),
                    n => format!("; {n} waivers that expired before today apply on that day"),
                }
            ),
        );
        d.help = Some(
            "unset --today and VERDICT_TODAY to judge as today; they are meant for looking ahead".into(),
        );
        super::to_stderr(&(d.render(color_err) + "\n"));
        // Expired waivers brought back let the gate judge less: every reader is told, not only
        // the job log (a CI variable left set would otherwise pass gates unseen).
        if back > 0 {
            notices.push(Notice::from(&d));
        }
    }
    // A waiver is a decision reviewed when it expires: one that runs for years (9999-12-31)
    // is a permanent exception in a waiver's clothes.
    let horizon = today.checked_add(jiff::Span::new().years(1)).unwrap_or(today);
    for w in config.waivers.iter().filter(|w| w.expires > horizon) {
        let mut d = Diagnostic::warning(
            "config/distant-expiry",
            format!(
                "the waiver `{}` applies until {}, more than a year after {today}",
                w.describe(),
                w.expires
            ),
        );
        d.file = Some(w.origin.file.clone());
        d.line = Some(w.origin.line);
        d.help = Some(format!(
            "a waiver is reviewed when it expires: set `expires` within a year (by {horizon}) and renew it then, with the reason as it stands"
        ));
        notices.push(Notice::from(&d));
        warnings.push(d);
    }

    // Named inputs add to discovery: a run always searches its paths (the current folder when
    // neither the command line nor inputs.paths names any).
    let paths = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !config.inputs.paths.is_empty() {
        config.inputs.paths.clone()
    } else {
        vec![PathBuf::from(".")]
    };
    let mut inputs = args.inputs.clone();
    inputs.extend(config.inputs.named.iter().map(|n| super::args::InputSpec {
        kind: n.kind,
        name: n.name.clone(),
        path: n.path.clone(),
    }));
    // The configuration's paths are already resolved against its folder (`config::check::resolve`).
    let mut policy_paths: Vec<PathBuf> = config.policies.paths.clone();
    policy_paths.extend(args.policies.iter().cloned());

    // 1. Policies and data, built before the evidence is read: when the built-in pack is the
    // only judge, what it judges decides what reading keeps.
    let mut files = if config.policies.builtin && !args.no_builtin {
        policy::pack::files(false)
    } else if !config.signatures.is_empty() {
        // The signature checks of verdict.yaml are judged with the pack off too.
        policy::pack::signature_files()
    } else {
        Vec::new()
    };
    files.extend(read_policies(&policy_paths, false).map_err(|e| e.listed_in(&config.listed))?);
    let mut data_paths: Vec<PathBuf> = config.data.files.clone();
    data_paths.extend(args.data.iter().cloned());
    let data = read_data(&data_paths, limits.max_file_size).map_err(|e| e.listed_in(&config.listed))?;
    let job_data: Vec<String> = args.data.iter().map(|p| display(p)).collect();
    let mut extra = vec![config.thresholds.to_data()];
    if !config.data.values.is_empty() {
        extra.push(serde_json::Value::Object(config.data.values.clone()));
    }
    // Namespaces the user named must exist; the default `main` may not.
    let mut must_exist = args.namespaces.clone();
    if config.policies.namespaces != crate::config::Policies::default().namespaces {
        must_exist.extend(config.policies.namespaces.iter().cloned());
    }
    let mut namespaces = config.policies.namespaces.clone();
    for ns in &args.namespaces {
        if !namespaces.contains(ns) {
            namespaces.push(ns.clone());
        }
    }
    let options = Options {
        namespaces,
        must_exist,
        all_namespaces: args.all_namespaces || config.policies.all_namespaces,
        timeout: Duration::from_secs(args.policy_timeout.max(1)),
        max_findings: args.max_findings,
        max_memory: args.max_policy_memory.0,
        job_data,
    };
    let policies = Policies::build(&files, &data, &extra, options).map_err(Error::Policy)?;
    let evaluated = policies.packages();
    let pack_on = config.policies.builtin && !args.no_builtin;
    if !pack_on && evaluated.iter().all(|p| p == "verdict" || p.starts_with("verdict.")) {
        // Nothing of the user's would judge with the pack off (the pack's signature package,
        // kept for `signatures:`, judges only those): every other check would pass.
        return Err(Error::Policy(vec![policy::PolicyError::NoRules {
            declared: policies.declared_packages(),
            files: files.iter().filter(|f| !f.builtin).map(|f| f.path.clone()).collect(),
        }]));
    }
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "policies built");
    for d in policies.warnings() {
        notices.push(Notice::from(d));
        warnings.push(d.clone());
    }
    for f in &policies.v0_files {
        let mut d = Diagnostic::warning("policy/rego-v0", "read as Rego v0 (the syntax before OPA 1.0)");
        d.file = Some(f.clone());
        d.help = Some("add `import rego.v1` and the v1 keywords (`if`, `contains`) to move it to v1".into());
        warnings.push(d);
    }
    super::to_stderr(&warnings.iter().map(|d| d.render(color_err) + "\n").collect::<String>());

    // 2. Evidence. Only the built-in pack judges unless there are policies of your own, and it
    // never looks at a passing test or check, a vulnerability of a severity it does not block,
    // nor at most fields: those are counted or dropped as they are read
    // (`policy::input::keep_judged`).
    let keep = if policy_paths.is_empty() {
        Keep::Judged { vulnerabilities: policies.blocking_severities() }
    } else {
        Keep::All
    };
    clearing.finish()?;
    // `inputs.paths` only when they are the paths searched: the command line's replace them.
    let listed: Vec<_> = config
        .listed
        .iter()
        .filter(|l| {
            args.paths.is_empty() || !l.at.doc_path.as_deref().is_some_and(|k| k.starts_with("inputs.paths"))
        })
        .cloned()
        .collect();
    let mut evidence = super::gather_keeping(&paths, &inputs, &limits, keep)
        .map_err(|errors| Error::Inputs(errors).listed_in(&listed))?;
    tracing::info!(
        artifacts = evidence.sources.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "evidence read"
    );
    // Reports behind a symbolic link (Bazel's bazel-testlogs) were not read: the gate may
    // pass without them, so every reader is told.
    let links: Vec<&str> = evidence
        .meta
        .discovery
        .not_searched
        .iter()
        .map(String::as_str)
        .filter(|l| l.ends_with('@') && super::discover::holds_reports(l))
        .collect();
    if let Some(first) = links.first() {
        let mut d = Diagnostic::warning(
            "verdict/link-not-followed",
            format!(
                "{} not followed: what {} to was not read",
                links.join(", "),
                if links.len() == 1 { "this symbolic link points" } else { "these symbolic links point" }
            ),
        );
        d.help = Some(format!(
            "discovery does not follow links (they may leave the checkout); name it to read it: `verdict run . {}`",
            first.trim_end_matches('@')
        ));
        super::to_stderr(&(d.render(color_err) + "\n"));
        notices.push(Notice::from(&d));
    }

    // 2b. Signatures: the checks of verdict.yaml, verified into the evidence.
    let mut sign_problems = Vec::new();
    if !config.signatures.is_empty() {
        let checks = super::verify::config_checks(&config.signatures)?;
        let options = crate::sign::Options {
            trust: crate::sign::TrustRoot::public_good(),
            registry: super::verify::registry_settings(args.allow_http_registry, args.registry_timeout),
        };
        let out = crate::sign::verify(&checks, &options);
        tracing::info!(
            checks = out.signatures.len(),
            verified = out.signatures.iter().filter(|s| s.verified).count(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "signatures checked"
        );
        evidence.signatures = out.signatures;
        evidence.attestations = out.attestations;
        sign_problems = out
            .problems
            .into_iter()
            .map(|p| verdict::Problem {
                code: if p.infrastructure { "sign/registry" } else { "sign/input" }.to_owned(),
                message: format!("{}: {}", p.check, p.message),
                help: if p.infrastructure {
                    "the signature could not be checked, so the gate cannot pass: fix the registry access and run again".into()
                } else {
                    "correct the check under `signatures:` in verdict.yaml (or its command-line flags), or make the files it names exist (see docs/signatures.md)".into()
                },
            })
            .collect();
    }

    // 3. Evaluate and fold.
    let findings = policies.evaluate(&evidence, today).map_err(|e| Error::Policy(vec![e]))?;
    let packages: Vec<String> = policies.packages().into_iter().collect();
    let fail_on = match args.fail_on {
        Some(FailOnArg::Warn) => FailOn::Warn,
        Some(FailOnArg::Fail) => FailOn::Fail,
        None => config.fail_on,
    };
    let settings = Settings { fail_on, required: &config.inputs.required, waivers: &config.waivers, today };
    let mut v = verdict::fold(&evidence, findings, &packages, &settings);
    v.add_problems(sign_problems);
    v.notices = notices;
    // A token of this job written into an artifact (a test that logged its request headers)
    // would otherwise reach the comment anyone on the PR can read.
    v.redact(&verdict::known_secrets(var));
    tracing::info!(outcome = v.outcome.word(), elapsed_ms = started.elapsed().as_millis() as u64, "verdict");

    // 4. Report and publish.
    let published = super::deliver::deliver(&v, args, config.origin.as_deref(), color, var)?;
    let judged = match v.outcome {
        Outcome::Error if v.problems.iter().any(verdict::Problem::is_infrastructure) => Exit::Internal,
        Outcome::Error => Exit::Input,
        Outcome::Fail => Exit::Fail,
        Outcome::Warn | Outcome::Pass | Outcome::Skipped => Exit::Pass,
    };
    // The process ends here: freeing the evidence, the verdict and the engine record by record
    // would only delay the exit (tens of milliseconds on a large run); the kernel takes the
    // memory back at once.
    std::mem::forget((evidence, v, policies));
    // A publish that failed under --require-publish outranks the verdict (exit 3).
    Ok(published.map_or(judged, |p| p.max(judged)))
}

/// Runs policy tests.
#[allow(clippy::print_stdout)]
pub fn policy_test(args: PolicyTestArgs, verbose: bool, color: bool, color_err: bool) -> Result<Exit, Error> {
    let (config, _) = super::load_config(None, false, None, color_err)?;
    let mut paths = args.paths.clone();
    if paths.is_empty() && !args.builtin {
        paths = if config.policies.paths.is_empty() {
            // The default, not a path the user gave: say what the command looks for.
            if !Path::new("policy").exists() {
                return Err(Error::Refused(Box::new(
                    crate::diag::Diagnostic::error(
                        "policy/unreadable",
                        "no `policy/` folder here, where `verdict policy test` looks by default",
                    )
                    .help(
                        "name the folder of your Rego files and their *_test.rego tests \
                         (`verdict policy test DIR`), list it under policies.paths in verdict.yaml, \
                         or test the built-in pack with --builtin",
                    ),
                )));
            }
            vec![PathBuf::from("policy")]
        } else {
            config.policies.paths.clone()
        };
    }
    let mut files = if args.builtin { policy::pack::files(true) } else { Vec::new() };
    files.extend(read_policies(&paths, true)?);
    let data = read_data(&args.data, crate::ingest::DEFAULT_MAX_FILE_SIZE)?;
    let report = policy::test::run_tests(
        &files,
        &data,
        &[],
        args.filter.as_deref(),
        args.coverage,
        Duration::from_secs(args.timeout.max(1)),
    )
    .map_err(Error::Policy)?;
    let (green, red, yellow, dim, reset) =
        if color { ("\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m") } else { ("", "", "", "", "") };
    let mut out = String::new();
    use std::fmt::Write as _;
    let mut current_file = String::new();
    for r in &report.results {
        let file = r.location.rsplit_once(':').map(|(f, _)| f).unwrap_or(&r.location).to_owned();
        let show = verbose || !matches!(r.outcome, TestOutcome::Pass | TestOutcome::Skip);
        if !show {
            continue;
        }
        if file != current_file {
            let _ = writeln!(out, "{file}:");
            current_file = file;
        }
        let name = format!("data.{}.{}", r.package, r.name);
        let ms = r.duration.as_secs_f64() * 1000.0;
        match &r.outcome {
            TestOutcome::Pass => {
                let _ = writeln!(out, "{name}: {green}PASS{reset} {dim}({ms:.1}ms){reset}");
            }
            TestOutcome::Fail => {
                let _ = writeln!(out, "{name}: {red}FAIL{reset} {dim}({ms:.1}ms){reset}");
            }
            TestOutcome::Error(e) => {
                let _ = writeln!(out, "{name}: {red}ERROR{reset} {}", crate::diag::clean(e));
            }
            TestOutcome::Skip => {
                let _ = writeln!(out, "{name}: {yellow}SKIPPED{reset}");
            }
        }
    }
    let (pass, fail, error, skip) = report.counts();
    let total = pass + fail + error;
    if !out.is_empty() {
        out.push_str("--------------------------------------------------------------------------------\n");
    }
    if total == 0 {
        let _ = writeln!(
            out,
            "{red}no tests found{reset} (test rules are named test_*, usually in *_test.rego files)"
        );
    } else {
        if pass > 0 {
            let _ = writeln!(out, "{green}PASS{reset}: {pass}/{total}");
        }
        if fail > 0 {
            let _ = writeln!(out, "{red}FAIL{reset}: {fail}/{total}");
        }
        if error > 0 {
            let _ = writeln!(out, "{red}ERROR{reset}: {error}/{total}");
        }
        if skip > 0 {
            let _ = writeln!(out, "{yellow}SKIPPED{reset}: {skip}");
        }
    }
    if let Some(cov) = &report.coverage {
        let covered: usize = cov.iter().map(|c| c.covered).sum();
        let all: usize = cov.iter().map(|c| c.covered + c.not_covered.len()).sum();
        let _ = writeln!(out, "\ncoverage:");
        for c in cov {
            let missing = if c.not_covered.is_empty() {
                String::new()
            } else {
                format!("  {dim}not covered: lines {}{reset}", ranges(&c.not_covered))
            };
            let _ = writeln!(out, "  {:>5.1}%  {}{missing}", c.percent(), c.path);
        }
        let pct = if all == 0 { 100.0 } else { covered as f64 * 100.0 / all as f64 };
        let _ = writeln!(out, "  {pct:>5.1}%  total");
    }
    print!("{out}");
    // Failing tests are the check saying no (1); a policy that cannot load is an error (2).
    Ok(if report.passed() { Exit::Pass } else { Exit::Fail })
}

/// `[3, 4, 5, 9]` → `3-5, 9`.
fn ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = lines.get(i) {
        let mut end = start;
        while lines.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        out.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    /// Line lists read as ranges.
    #[test]
    fn ranges() {
        assert_eq!(super::ranges(&[3, 4, 5, 9, 11, 12]), "3-5, 9, 11-12");
        assert_eq!(super::ranges(&[]), "");
    }
}
