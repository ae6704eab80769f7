//! Policy: Rego evaluated in-process by regorus, with conftest's conventions.
//!
//! Owns: loading policies (the built-in pack and the user's, Rego v1 or v0), merging data,
//! finding the conftest rules (`deny`, `violation`, `warn` and their `_name` forms) and
//! `exception`s of the selected packages, reading `# METADATA`, evaluating against the
//! evidence, and normalizing each result into a [`Finding`]. Also the `test_*` runner.
//! Takes policy and data texts (the CLI reads the files) and the evidence; returns findings or
//! [`PolicyError`]s. Must not: read files, print, use the network, or decide the outcome.
//!
//! The engine is built once per run ([`Policies::build`]) and cloned for each evaluation.
//! Evaluation is bounded in time (`Options::timeout`), in memory (`Options::max_memory`, with
//! the default `mimalloc` feature) and in output (`Options::max_findings`),
//! and builtin errors are errors (regorus's strict mode): a rule that cannot be evaluated
//! never passes silently.

mod explain;
pub mod input;
pub mod metadata;
pub mod pack;
pub mod test;

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use regorus::unstable::{Parser, Rule, RuleHead};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::diag::{self, Diagnostic, Target};
use crate::evidence::{Evidence, Severities, Severity, fingerprint};
use metadata::Metadata;
pub use test::{TestOutcome, TestReport, TestResult};

/// A policy file's text and where it came from.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The path as shown (`policy/main.rego`, or `builtin:policies/tests.rego`).
    pub path: String,
    /// The Rego text.
    pub text: String,
    /// Part of the built-in pack.
    pub builtin: bool,
}

/// A data file's text (JSON or YAML), merged under `data.`.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// The path as shown.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// What to evaluate, and the bounds.
#[derive(Debug, Clone)]
pub struct Options {
    /// Packages to evaluate besides the built-in ones (conftest's namespaces).
    pub namespaces: Vec<String>,
    /// Namespaces the user named (`--namespace`, `policies.namespaces`): a missing one is an
    /// error, since a misspelt name would evaluate nothing. The default `main` may be absent.
    pub must_exist: Vec<String>,
    /// Evaluate every package.
    pub all_namespaces: bool,
    /// Total evaluation time allowed.
    pub timeout: Duration,
    /// Most findings all rules together may produce.
    pub max_findings: usize,
    /// Most bytes the heap may grow by while rules run (checked by regorus as it evaluates;
    /// needs the `mimalloc` feature, which the fuzz targets leave out).
    pub max_memory: u64,
    /// The data files named on the command line (`--data`, `VERDICT_DATA`), by path: they may
    /// not set the built-in pack's settings, which are configuration only (reviewed in the
    /// repository, not typed into a job).
    pub job_data: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespaces: vec!["main".into()],
            must_exist: Vec::new(),
            all_namespaces: false,
            timeout: DEFAULT_TIMEOUT,
            max_findings: DEFAULT_MAX_FINDINGS,
            job_data: Vec::new(),
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// Default for [`Options::timeout`]: a gate on the critical path must answer quickly; real
/// policies take milliseconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default for [`Options::max_findings`]: far above any real report (a monorepo's gate at 1M
/// tests finds ~60k problems), far below what would exhaust memory.
pub const DEFAULT_MAX_FINDINGS: usize = 250_000;

/// Default for [`Options::max_memory`], 2 GiB: the built-in pack needs about a tenth of that
/// on ≈1 GB of artifacts, and a runaway rule (`numbers.range(1, 1e9)`) stops here instead of
/// taking the runner's memory.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// Whether a finding fails the gate or warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// From `deny`/`violation`: fails the gate.
    Fail,
    /// From `warn`: reported.
    Warn,
}

/// One element of a conftest rule's result, normalized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The package (`main`, `verdict.vulnerabilities`).
    pub namespace: String,
    /// The rule (`deny`, `warn_flaky`).
    pub rule: String,
    /// Fail or warn, after `effective_on`.
    pub level: Level,
    /// Set when a `deny` is reported as a warning because its rule is enforced only from this
    /// day (`custom.effective_on`).
    pub enforced_from: Option<Date>,
    /// Suppressed by the package's `exception` rule.
    pub excepted: bool,
    /// The message.
    pub msg: String,
    /// A stable id of what was found.
    pub id: Option<String>,
    /// Severity: the result's, else the rule's METADATA.
    pub severity: Option<Severity>,
    /// Short title: the result's, else the rule's METADATA.
    pub title: Option<String>,
    /// Why it matters (the rule's METADATA).
    pub description: Option<String>,
    /// How to fix: the result's, else the rule's METADATA.
    pub remediation: Option<String>,
    /// The result's fingerprint, else one derived from package, rule and message.
    pub fingerprint: String,
    /// The affected package URL.
    pub purl: Option<String>,
    /// Where: a file.
    pub file: Option<String>,
    /// Where: a line in `file`.
    pub line: Option<u64>,
    /// Where to read more.
    pub url: Option<String>,
    /// Other fields of the result object.
    pub extra: Map<String, Json>,
    /// The policy file and line of the rule.
    pub policy: String,
}

/// Why policies could not be loaded or evaluated. Each maps to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A policy does not parse (as Rego v1, nor as v0).
    #[error("{message}")]
    Syntax {
        /// The policy file.
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What the parser said.
        message: String,
        /// The file's text, for the snippet.
        text: String,
    },
    /// A `# METADATA` block is malformed.
    #[error("{message}")]
    Metadata {
        /// The policy file.
        file: String,
        /// Its line.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// A data file is malformed or conflicts with another.
    #[error("{message}")]
    Data {
        /// The data file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A namespace was asked for and no policy declares it.
    #[error("no policy declares the package `{name}`")]
    UnknownNamespace {
        /// The name asked for.
        name: String,
        /// The nearest existing package.
        suggestion: Option<String>,
        /// The packages that exist.
        available: Vec<String>,
    },
    /// Evaluating a rule failed (a type error, a builtin error, a builtin regorus lacks).
    #[error("{message}")]
    Eval {
        /// `data.main.deny`.
        rule: String,
        /// The policy file, line and column, when known.
        file: Option<String>,
        /// 1-based line.
        line: Option<u32>,
        /// 1-based column.
        column: Option<u32>,
        /// What went wrong.
        message: String,
        /// The policy file's text, for the snippet.
        text: Option<String>,
    },
    /// A rule produced something that is not a message or a result object.
    #[error("{message}")]
    BadResult {
        /// `data.main.deny`.
        rule: String,
        /// What it produced.
        message: String,
        /// The policy file and line of the rule, when known.
        at: Option<(String, u32)>,
    },
    /// Evaluation took longer than allowed.
    #[error("policy evaluation took longer than {limit:?}")]
    Timeout {
        /// The rule being evaluated.
        rule: String,
        /// The limit.
        limit: Duration,
    },
    /// Evaluation needed more memory than allowed.
    #[error("policy evaluation needed more than {} MiB of memory", limit >> 20)]
    OutOfMemory {
        /// The rule being evaluated.
        rule: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// No rule is to be evaluated: the built-in pack is off and no package of the user's
    /// policies is selected. A gate that judges nothing would pass everything.
    #[error("no rule to evaluate: the built-in pack is off and {}", match (.declared.is_empty(), .files.is_empty()) {
        (false, _) => format!("none of your packages ({}) is selected", .declared.join(", ")),
        (true, false) => format!("your policies ({}) define no `deny`, `warn` or `violation` rule", .files.join(", ")),
        (true, true) => "no policy of your own was loaded".to_owned(),
    })]
    NoRules {
        /// The packages the loaded policies declare.
        declared: Vec<String>,
        /// The policy files of the user's that were loaded.
        files: Vec<String>,
    },
    /// A policy of the user's declares a package of the built-in pack's namespace (`verdict`,
    /// `verdict.*`): it would change the pack's own rules (an `exception` in
    /// `verdict.vulnerabilities` switches a built-in check off, bypassing the waiver ledger),
    /// or never be evaluated.
    #[error(
        "`{package}` is in the built-in pack's namespace (`verdict`, `verdict.*`); a policy of your own cannot declare it"
    )]
    ReservedPackage {
        /// The policy file.
        file: String,
        /// The line of its `package`.
        line: u32,
        /// The package it declares.
        package: String,
    },
    /// Rules produced more findings than allowed.
    #[error("policies produced more than {limit} findings")]
    TooManyFindings {
        /// The rule that went over.
        rule: String,
        /// The limit.
        limit: usize,
    },
}

impl PolicyError {
    /// The stable code, documented in `docs/diagnostics.md`.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Syntax { .. } => "policy/syntax",
            PolicyError::Metadata { .. } => "policy/metadata",
            PolicyError::Data { .. } => "policy/data",
            PolicyError::UnknownNamespace { .. } => "policy/unknown-namespace",
            PolicyError::Eval { .. } => "policy/eval",
            PolicyError::BadResult { .. } => "policy/bad-result",
            PolicyError::Timeout { .. } => "policy/timeout",
            PolicyError::OutOfMemory { .. } => "policy/out-of-memory",
            PolicyError::TooManyFindings { .. } => "policy/too-many-findings",
            PolicyError::NoRules { .. } => "policy/no-rules",
            PolicyError::ReservedPackage { .. } => "policy/reserved-package",
        }
    }

    /// Every code, for documentation tests.
    pub const CODES: [&'static str; 11] = [
        "policy/syntax",
        "policy/metadata",
        "policy/data",
        "policy/unknown-namespace",
        "policy/eval",
        "policy/bad-result",
        "policy/timeout",
        "policy/out-of-memory",
        "policy/too-many-findings",
        "policy/no-rules",
        "policy/reserved-package",
    ];

    /// How the error reads.
    pub fn diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), self.to_string());
        match self {
            PolicyError::Syntax { file, line, column, text, .. } => {
                d.file = Some(file.clone());
                d.line = Some(u64::from(*line));
                d.column = Some(u64::from(*column));
                d.snippet = diag::snippet_at(
                    text.as_bytes(),
                    Target::LineColumn(u64::from(*line), u64::from(*column)),
                )
                .ok()
                .flatten();
                d.help = Some("fix the Rego syntax; verdict reads Rego v1 (OPA 1.0) and falls back to v0 for files that only parse as v0".into());
            }
            PolicyError::Metadata { file, line, .. } => {
                d.file = Some(file.clone());
                d.line = Some(u64::from(*line));
                d.help =
                    Some("see docs/policy.md#rule-metadata-metadata for the fields verdict reads".into());
            }
            PolicyError::Data { file, message } => {
                d.file = Some(file.clone());
                d.help = Some(if message.starts_with("a data file named on the command line") {
                    "set them under `thresholds:` in verdict.yaml, or list this file under `data.files` there (docs/config.md)".into()
                } else if message.starts_with("`verdict.") {
                    "the built-in pack's settings are those of `thresholds:` in verdict.yaml, with the same names \
                     (docs/policy.md, settings): set them there, or here under `verdict.config`"
                        .into()
                } else {
                    "data files are JSON or YAML objects; their keys merge under `data.`".into()
                });
            }
            PolicyError::UnknownNamespace { suggestion, available, .. } => {
                d.help = Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`? the packages are: {}", available.join(", ")),
                    None if available.is_empty() => {
                        "no policy was loaded; name policy files or folders with --policy".into()
                    }
                    None => format!("the packages are: {}", available.join(", ")),
                });
            }
            PolicyError::Eval { rule, file, line, column, text, .. } => {
                d.file = file.clone();
                d.line = line.map(u64::from);
                d.column = column.map(u64::from);
                if let (Some(text), Some(l), Some(c)) = (text, line, column) {
                    d.snippet =
                        diag::snippet_at(text.as_bytes(), Target::LineColumn(u64::from(*l), u64::from(*c)))
                            .ok()
                            .flatten();
                }
                d.doc_path = Some(rule.clone());
                d.help = Some(format!(
                    "`{rule}` could not be evaluated, so the gate cannot judge; fix the rule (builtin errors are errors in verdict, never a silent pass)"
                ));
            }
            PolicyError::NoRules { declared, files } => {
                d.help = Some(match declared.first() {
                    Some(first) => format!(
                        "verdict evaluates the package `main` unless told otherwise: select yours with --namespace {first} (policies.namespaces in verdict.yaml) or --all-namespaces"
                    ),
                    None if !files.is_empty() => "a finding comes from a rule named `deny`, `violation` or `warn`, or one of their `_name` forms (`deny_root`), as in conftest".into(),
                    None => "name your policy files or folders with --policy (policies.paths), or turn the built-in pack back on".into(),
                });
            }
            PolicyError::ReservedPackage { file, line, package } => {
                d.file = Some(file.clone());
                d.line = Some(u64::from(*line));
                let own = package.strip_prefix("verdict.").unwrap_or("main");
                d.help = Some(format!(
                    "name your package outside `verdict` (`package {own}`, selected with --namespace {own}); \
                     the built-in pack's checks are tuned with `thresholds:` and its findings accepted \
                     with `waivers:` in verdict.yaml, where each has a reason, an owner and an expiry"
                ));
            }
            PolicyError::BadResult { rule, at, .. } => {
                if let Some((file, line)) = at {
                    d.file = Some(file.clone());
                    d.line = Some(u64::from(*line));
                }
                d.doc_path = Some(rule.clone());
                d.help = Some("a conftest rule returns a set of strings, or of objects with a string `msg` or the `fingerprint` of an evidence record (docs/policy.md)".into());
            }
            PolicyError::Timeout { rule, .. } => {
                d.doc_path = Some(rule.clone());
                d.help = Some("raise --policy-timeout if the policy is genuinely slow, or look for an unbounded iteration".into());
            }
            PolicyError::OutOfMemory { rule, .. } => {
                d.doc_path = Some(rule.clone());
                d.help = Some("look for a rule that builds an unbounded collection (a large numbers.range, a comprehension over every pair of records); raise --max-policy-memory if the policy genuinely needs it".into());
            }
            PolicyError::TooManyFindings { rule, .. } => {
                d.doc_path = Some(rule.clone());
                d.help = Some("a rule producing this many findings is usually a bug (an iteration without a condition); raise --max-findings if not".into());
            }
        }
        d
    }
}

/// A conftest rule found in a loaded package.
#[derive(Debug, Clone)]
struct RuleRef {
    package: String,
    name: String,
    level: Level,
    meta: Metadata,
    file: String,
    line: u32,
    /// Evaluated on the built-in pack's view of the evidence ([`input::PackView`]).
    view: bool,
    /// The parts of the input its package's files name (`vulnerabilities` for
    /// `input.vulnerabilities`): how much it may have to walk, to start the largest first.
    reads: BTreeSet<String>,
}

/// One definition of a rule: its METADATA, file and line.
type Definition = (Metadata, String, u32);

/// A loaded module: its package, file and rule heads.
#[derive(Debug, Clone)]
pub(crate) struct ModuleInfo {
    package: String,
    file: String,
    rules: Vec<(String, u32)>,
    /// The rules written as sets (`name contains x`, v0's `name[x]`), as gate rules are.
    set_rules: BTreeSet<String>,
}

/// Loaded policies and data, ready to evaluate.
#[derive(Clone)]
pub struct Policies {
    engine: regorus::Engine,
    modules: Vec<ModuleInfo>,
    rules: Vec<RuleRef>,
    /// Packages whose `exception` rule is evaluated.
    exceptions: BTreeSet<String>,
    /// Files read as Rego v0.
    pub v0_files: Vec<String>,
    options: Options,
    /// Policy texts by path, for the snippet of an evaluation error.
    texts: BTreeMap<String, String>,
    /// The vulnerability severities the pack's rules block ([`Policies::blocking_severities`]).
    blocking: Severities,
    /// What to warn of ([`Policies::warnings`]).
    warnings: Vec<Diagnostic>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("rules", &self.rules.len())
            .field("v0_files", &self.v0_files)
            .finish()
    }
}

fn conftest_level(name: &str) -> Option<Level> {
    let (base, rest) = name.split_once('_').map_or((name, None), |(b, r)| (b, Some(r)));
    if rest.is_some_and(|r| r.is_empty()) {
        return None;
    }
    match base {
        "deny" | "violation" => Some(Level::Fail),
        "warn" => Some(Level::Warn),
        _ => None,
    }
}

impl Policies {
    /// Loads policies and data and selects the rules to evaluate. Every syntax, metadata and
    /// data problem is reported, not only the first.
    pub fn build(
        files: &[PolicyFile],
        data: &[DataFile],
        extra_data: &[Json],
        options: Options,
    ) -> Result<Policies, Vec<PolicyError>> {
        let (engine, modules, v0_files, mut errors) = load(files);
        let mut policies = Policies {
            engine,
            modules,
            rules: Vec::new(),
            exceptions: BTreeSet::new(),
            v0_files,
            options: options.clone(),
            texts: files.iter().map(|f| (f.path.clone(), f.text.clone())).collect(),
            blocking: Severities::ALL,
            warnings: Vec::new(),
        };
        match merge_data(data, extra_data, &options.job_data) {
            Ok((merged, warnings)) => {
                policies.warnings.extend(warnings);
                let value = regorus::Value::from(Json::Object(merged));
                if let Err(e) = policies.engine.add_data(value) {
                    errors.push(PolicyError::Data { file: "data".into(), message: e.to_string() });
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Which packages: the built-in pack's, the chosen ones, or all.
        let texts: BTreeMap<&str, &PolicyFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
        let all: BTreeSet<String> = policies.modules.iter().map(|m| m.package.clone()).collect();
        let builtin_pkgs: BTreeSet<String> = policies
            .modules
            .iter()
            .filter(|m| texts.get(m.file.as_str()).is_some_and(|f| f.builtin))
            .map(|m| m.package.clone())
            .collect();
        // The built-in pack's rules read only what its view keeps: no policy of the user's
        // adds to its packages (`load` refuses them).
        let view_packages: BTreeSet<String> = builtin_pkgs.clone();
        let mut selected: BTreeSet<String> = builtin_pkgs;
        if options.all_namespaces {
            selected.extend(all.iter().cloned());
        } else {
            for ns in &options.namespaces {
                if all.contains(ns) {
                    selected.insert(ns.clone());
                } else if options.must_exist.contains(ns) {
                    let names: Vec<&str> = all.iter().map(String::as_str).collect();
                    // `data.main` is how OPA names the package; a namespace is without `data.`.
                    let bare = ns.strip_prefix("data.").filter(|b| all.contains(*b));
                    errors.push(PolicyError::UnknownNamespace {
                        name: ns.clone(),
                        suggestion: bare.or_else(|| crate::diag::closest(ns, &names)).map(str::to_owned),
                        available: all.iter().cloned().collect(),
                    });
                }
            }
        }
        // Metadata per file, then the rules of the selected packages.
        let mut meta_by_file: BTreeMap<String, BTreeMap<u32, Metadata>> = BTreeMap::new();
        for f in files {
            match metadata::blocks(&f.text) {
                Ok(b) => {
                    meta_by_file.insert(f.path.clone(), b);
                }
                Err(e) => errors.push(PolicyError::Metadata {
                    file: f.path.clone(),
                    line: e.line,
                    message: e.message,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut seen = BTreeSet::new();
        // The METADATA of each definition of a rule, with where it is.
        let mut definitions: BTreeMap<(String, String), Vec<Definition>> = BTreeMap::new();
        // A block right above `package` applies to every rule of the package, in every file
        // that declares it (the first file's block first, key by key).
        let mut package_metas: BTreeMap<&str, Metadata> = BTreeMap::new();
        for m in &policies.modules {
            let block = meta_by_file.get(&m.file).and_then(|b| {
                package_line(texts.get(m.file.as_str()).map(|f| f.text.as_str())).and_then(|l| b.get(&l))
            });
            if let Some(block) = block {
                let merged = match package_metas.remove(m.package.as_str()) {
                    Some(earlier) => earlier.or(block),
                    None => block.clone(),
                };
                package_metas.insert(m.package.as_str(), merged);
            }
        }
        for m in &policies.modules {
            if !selected.contains(&m.package) {
                continue;
            }
            let blocks = meta_by_file.get(&m.file);
            let package_meta = package_metas.get(m.package.as_str()).cloned().unwrap_or_default();
            for (name, line) in &m.rules {
                if name == "exception" {
                    policies.exceptions.insert(m.package.clone());
                    continue;
                }
                let Some(level) = conftest_level(name) else { continue };
                let rule_meta =
                    blocks.and_then(|b| b.get(line)).cloned().unwrap_or_default().or(&package_meta);
                definitions.entry((m.package.clone(), name.clone())).or_default().push((
                    rule_meta.clone(),
                    m.file.clone(),
                    *line,
                ));
                // Several definitions of one rule (incremental rules) are one rule to evaluate:
                // their METADATA is settled below.
                if policies.rules.iter().any(|r| r.package == m.package && r.name == *name) {
                    continue;
                }
                if seen.insert((m.package.clone(), name.clone())) {
                    let reads = policies
                        .modules
                        .iter()
                        .filter(|other| other.package == m.package)
                        .filter_map(|other| texts.get(other.file.as_str()))
                        .flat_map(|f| input_roots(&f.text))
                        .collect();
                    policies.rules.push(RuleRef {
                        package: m.package.clone(),
                        name: name.clone(),
                        level,
                        meta: rule_meta,
                        file: m.file.clone(),
                        line: *line,
                        view: view_packages.contains(&m.package),
                        reads,
                    });
                }
            }
        }
        // A finding of a rule defined several times cannot be told to come from one definition
        // (regorus evaluates the rule whole): definitions that annotate it differently are
        // settled by what they all agree on, never by the first, whose `effective_on` would
        // otherwise turn every other definition's failures into warnings.
        for rule in &mut policies.rules {
            let Some(defs) = definitions.get(&(rule.package.clone(), rule.name.clone())) else { continue };
            let metas: Vec<Metadata> = defs.iter().map(|(meta, _, _)| meta.clone()).collect();
            if metas.windows(2).all(|w| w.first() == w.get(1)) {
                continue;
            }
            // OPA's way to annotate a rule of several definitions: one block with
            // `scope: document` speaks for all of them.
            if let Some(document) = metas.iter().find(|m| m.scope.as_deref() == Some("document")) {
                rule.meta = document.clone();
                continue;
            }
            rule.meta = Metadata::agreed(&metas);
            let places: Vec<String> = defs.iter().map(|(_, file, line)| format!("{file}:{line}")).collect();
            let mut d = Diagnostic::warning(
                "policy/metadata-conflict",
                format!(
                    "`{}.{}` is defined {} times with different METADATA ({}): verdict evaluates the \
                 definitions as one rule and cannot tell which one a finding comes from, so it keeps \
                 only what they all say alike{}; give each definition a rule name of its own \
                 (`{}_<what>`) to keep its title, severity, remediation and effective_on, or write one \
                 block with `scope: document` for all of them",
                    rule.package,
                    rule.name,
                    defs.len(),
                    places.join(", "),
                    if metas.iter().any(|m| m.effective_on.is_some()) && rule.meta.effective_on.is_none() {
                        " (effective_on applies only when every definition has it: all of them are enforced now)"
                    } else {
                        ""
                    },
                    rule.name.split('_').next().unwrap_or(&rule.name),
                ),
            );
            if let Some((_, file, line)) = defs.first() {
                d.file = Some(file.clone());
                d.line = Some(u64::from(*line));
            }
            policies.warnings.push(d);
        }
        policies.rules.sort_by(|a, b| (&a.package, &a.name).cmp(&(&b.package, &b.name)));
        if !errors.is_empty() {
            return Err(errors);
        }
        // What the user's own selected files say that cannot judge: a rule named near a gate
        // rule's (`denies`, `warning`, `Deny`), which makes no finding, as in conftest; and a
        // rule written for a tool's own report (conftest's `input.Results`), which reads
        // nothing here, verdict's input being the evidence document.
        for m in policies.modules.iter().filter(|m| selected.contains(&m.package)) {
            let Some(f) = texts.get(m.file.as_str()).filter(|f| !f.builtin) else { continue };
            // Only rules written as sets, as gate rules are: `warning := "…"` is a value.
            for (name, line) in
                m.rules.iter().filter(|(n, _)| conftest_level(n).is_none() && m.set_rules.contains(n))
            {
                let Some(meant) = near_gate_rule(name) else { continue };
                let mut d = Diagnostic::warning(
                    "policy/not-a-gate-rule",
                    format!(
                        "`{}.{name}` makes no finding: only `deny`, `violation` and `warn` rules (and their `_name` forms) do",
                        m.package
                    ),
                );
                d.file = Some(m.file.clone());
                d.line = Some(u64::from(*line));
                d.help =
                    Some(format!("did you mean `{meant}`? rename the rule, or ignore this for a helper"));
                policies.warnings.push(d);
            }
            for (root, line) in unknown_input_roots(&f.text) {
                let mut d = Diagnostic::warning(
                    "policy/unknown-input",
                    format!(
                        "`input.{root}` is not part of verdict's input: policies read the evidence document \
                         (`input.tests`, `input.vulnerabilities`, …), not the report a tool wrote, so this \
                         reference is never defined"
                    ),
                );
                d.file = Some(m.file.clone());
                d.line = Some(u64::from(line));
                d.help = Some(
                    "read the evidence's fields (docs/evidence.md); a tool's own JSON is read as \
                     `input.custom.NAME` with --input custom:NAME=FILE"
                        .into(),
                );
                policies.warnings.push(d);
            }
        }
        // Packages of the user's with gate rules that no option selects, unless a policy reads
        // them (`some msg in data.shared.deny` evaluates them through it).
        let read_by_another = |p: &str| {
            let needle = format!("data.{p}");
            files.iter().filter(|f| !f.builtin).any(|f| {
                f.text.match_indices(&needle).any(|(at, _)| {
                    !f.text
                        .get(at + needle.len()..)
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
                })
            })
        };
        let unselected: Vec<String> = policies
            .declared_packages()
            .into_iter()
            .filter(|p| !selected.contains(p) && !read_by_another(p))
            .collect();
        if let Some(first) = unselected.first() {
            let named: Vec<String> = unselected.iter().map(|p| format!("`{p}`")).collect();
            let (packages, them) = match named.as_slice() {
                [one] => (format!("the package {one}"), "it"),
                _ => (format!("the packages {}", named.join(", ")), "them"),
            };
            let mut d = Diagnostic::warning(
                "policy/unselected-package",
                format!(
                    "your policies declare {packages} that no option selects, so no rule of {them} is evaluated"
                ),
            );
            // Where the first one is declared.
            if let Some(m) = policies.modules.iter().find(|m| m.package == *first) {
                d.file = Some(m.file.clone());
                d.line = package_line(texts.get(m.file.as_str()).map(|f| f.text.as_str())).map(u64::from);
            }
            d.help = Some(format!(
                "select {them} with --namespace {first} (policies.namespaces) or --all-namespaces"
            ));
            policies.warnings.push(d);
        }
        policies.blocking = policies.read_blocking_severities();
        Ok(policies)
    }

    /// The packages of the loaded policies that hold a `deny`, `violation` or `warn` rule, but
    /// the built-in pack's (`verdict.*`): those a user means to be evaluated (a package of
    /// helpers holds none).
    pub fn declared_packages(&self) -> Vec<String> {
        let names: BTreeSet<&str> = self
            .modules
            .iter()
            .filter(|m| m.rules.iter().any(|(name, _)| conftest_level(name).is_some()))
            .map(|m| m.package.as_str())
            .filter(|p| *p != "verdict" && !p.starts_with("verdict."))
            .collect();
        names.into_iter().map(str::to_owned).collect()
    }

    /// What to warn the user of, one text each: rules whose definitions carry different
    /// METADATA (see [`Metadata::agreed`]), and data files whose pack settings turn a check off.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The packages whose rules are evaluated.
    pub fn packages(&self) -> BTreeSet<String> {
        self.rules.iter().map(|r| r.package.clone()).collect()
    }

    /// Evaluates every selected rule against `input`. `today` decides `effective_on`.
    pub fn evaluate(&self, input: &Evidence, today: Date) -> Result<Vec<Finding>, PolicyError> {
        let inputs = self.convert(input)?;
        let raw = self.run_rules(&inputs)?;
        let started = Instant::now();
        // The inputs (on a large run, hundreds of thousands of regorus values) are freed on a
        // thread of their own while the results are normalized: freed on this thread, value
        // by value, they held the run up (~5 ms at scale 10, the other core idle); kept to the
        // exit, they raised the peak memory of the steps after (scale 100: 450 → 620 MB).
        let findings = std::thread::scope(|s| {
            s.spawn(move || drop(inputs));
            self.normalize_all(raw, today, Some(input))
        })?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(findings = findings.len(), elapsed_ms, "findings normalized and explained");
        Ok(findings)
    }

    /// Evaluates against an input already converted to a regorus value (every rule, the
    /// built-in pack's too, sees all of it). There is no evidence to explain a result from, so
    /// every result needs its `msg`.
    pub fn evaluate_value(&self, input: regorus::Value, today: Date) -> Result<Vec<Finding>, PolicyError> {
        let raw = self.evaluate_raw(input)?;
        self.normalize_all(raw, today, None)
    }

    fn normalize_all(
        &self,
        raw: Vec<RawResult>,
        today: Date,
        evidence: Option<&Evidence>,
    ) -> Result<Vec<Finding>, PolicyError> {
        let by_rule: BTreeMap<(&str, &str), &RuleRef> =
            self.rules.iter().map(|r| ((r.package.as_str(), r.name.as_str()), r)).collect();
        // The records of the results that ask to be explained from one (an object without
        // `msg` names its record by fingerprint).
        let records = evidence.map(|evidence| {
            let wanted: foldhash::HashSet<&str> = raw
                .iter()
                .filter_map(|r| match &r.value {
                    Json::Object(o) if !o.contains_key("msg") => o.get("fingerprint").and_then(Json::as_str),
                    _ => None,
                })
                .collect();
            explain::Records::of(evidence, &wanted)
        });
        let one = |r: RawResult| -> Result<Vec<Finding>, PolicyError> {
            let rule = by_rule.get(&(r.namespace.as_str(), r.rule.as_str())).copied().ok_or_else(|| {
                PolicyError::BadResult {
                    rule: r.path(),
                    message: "a result of a rule that was not loaded".into(),
                    at: None,
                }
            })?;
            let path = r.path();
            normalize(rule, &path, r.value, r.excepted, today, records.as_ref()).map_err(|mut e| {
                // The rule's own place, so that the author is sent to the line to fix.
                if let PolicyError::BadResult { at: at @ None, .. } = &mut e {
                    *at = Some((rule.file.clone(), rule.line));
                }
                e
            })
        };
        // Thousands of results (each explained from its record) are normalized in chunks on
        // every core, and put back in order: at scale 10 that is ~30 ms of CPU.
        let mut chunks: Vec<std::sync::Mutex<Vec<RawResult>>> = Vec::new();
        let mut raw = raw.into_iter().peekable();
        while raw.peek().is_some() {
            chunks.push(std::sync::Mutex::new(raw.by_ref().take(NORMALIZE_CHUNK).collect()));
        }
        let order: Vec<usize> = (0..chunks.len()).collect();
        let done = crate::work::longest_first(
            &order,
            || (),
            |_, i| {
                let chunk =
                    chunks.get(i).map(|c| std::mem::take(&mut *c.lock().unwrap_or_else(|p| p.into_inner())));
                let mut out = Vec::new();
                for r in chunk.unwrap_or_default() {
                    out.extend(one(r)?);
                }
                Ok(out)
            },
        );
        let mut out = Vec::new();
        for chunk in done {
            out.extend(chunk.expect("every chunk is normalized: the order names each once")?);
        }
        derive_fingerprints(&mut out);
        // A result explained from several records is several findings: the bound holds after.
        if let Some(over) = out.get(self.options.max_findings) {
            return Err(PolicyError::TooManyFindings {
                rule: format!("data.{}.{}", over.namespace, over.rule),
                limit: self.options.max_findings,
            });
        }
        Ok(out)
    }

    /// Evaluates every selected rule on the evidence and returns each element as the rule
    /// produced it: the built-in pack's rules on [`input::PackView`], every other rule on the
    /// whole document. Each input is converted only when a rule needs it.
    pub fn evaluate_raw_evidence(&self, evidence: &Evidence) -> Result<Vec<RawResult>, PolicyError> {
        self.run_rules(&self.convert(evidence)?)
    }

    /// The evidence as the selected rules read it: the built-in pack's view
    /// ([`input::PackView`]) and the whole document, each converted only when a rule needs it.
    fn convert(&self, evidence: &Evidence) -> Result<Inputs, PolicyError> {
        let conversion = |e: &dyn std::fmt::Display| PolicyError::Eval {
            rule: "input".into(),
            file: None,
            line: None,
            column: None,
            message: format!("the evidence could not be converted: {e}"),
            text: None,
        };
        let started = Instant::now();
        let needs_full = self.rules.iter().any(|r| !r.view) || !self.exceptions.is_empty();
        let (view, full) = std::thread::scope(|s| {
            let full = needs_full.then(|| s.spawn(|| input::evidence_value(evidence)));
            let view = if self.rules.iter().any(|r| r.view) {
                input::PackView::of(evidence, self.blocking).to_value()
            } else {
                Ok(regorus::Value::Undefined)
            };
            let full = match full {
                Some(converting) => {
                    converting.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }
                None => Ok(regorus::Value::Undefined),
            };
            (view, full)
        });
        let (view, full) = (view.map_err(|e| conversion(&e))?, full.map_err(|e| conversion(&e))?);
        tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "evidence converted for policies");
        Ok(Inputs { view, full })
    }

    /// The vulnerability severities the pack's settings block, read once from the pack itself
    /// (`_severities` in `policies/vulnerabilities.rego`) when its vulnerability rules judge
    /// the view: the view, and a run's reading, then leave the records of other severities
    /// out, since each of those rules starts from the blocking ones. Every severity when they
    /// do not, or when the settings cannot be read (evaluating the rules then reports why).
    pub fn blocking_severities(&self) -> Severities {
        self.blocking
    }

    fn read_blocking_severities(&self) -> Severities {
        if !self.rules.iter().any(|r| r.view && r.package == "verdict.vulnerabilities") {
            return Severities::ALL;
        }
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::new_object());
        let path = "data.verdict.vulnerabilities._severities";
        let Ok(value) = self.eval(&mut engine, path, Instant::now()) else { return Severities::ALL };
        match value.as_set() {
            Ok(set) => Severities::from_words(set.iter().filter_map(|s| s.as_string().ok()).map(|s| &**s)),
            Err(_) => Severities::ALL,
        }
    }

    /// Evaluates every selected rule and returns each element as the rule produced it (no
    /// METADATA, no normalization): what an OPA parity check compares.
    pub fn evaluate_raw(&self, input: regorus::Value) -> Result<Vec<RawResult>, PolicyError> {
        self.run_rules(&Inputs { view: input.clone(), full: input })
    }

    /// The rules, spread over one thread per core (each with its own clone of the engine, the
    /// inputs shared): a pack's rules are independent, and the costly ones each walk a
    /// different part of the evidence. Results, errors included, come back in rule order.
    fn run_rules(&self, inputs: &Inputs) -> Result<Vec<RawResult>, PolicyError> {
        let started = Instant::now();
        let _budget = MemoryBudget::set(self.options.max_memory);
        // Exceptions first: which `_name` rules are suppressed in each package. (Only user
        // packages have them; they see the whole document.)
        let mut excepted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        if !self.exceptions.is_empty() {
            let mut engine = self.engine.clone();
            engine.set_input(inputs.full.clone());
            for pkg in &self.exceptions {
                let path = format!("data.{pkg}.exception");
                let value = self.eval(&mut engine, &path, started)?;
                let mut names = BTreeSet::new();
                for item in elements(&value, &path)? {
                    match item {
                        Json::Array(list) => {
                            names.extend(list.iter().filter_map(|n| n.as_str().map(str::to_owned)))
                        }
                        Json::String(s) => {
                            names.insert(s);
                        }
                        other => {
                            return Err(PolicyError::BadResult {
                                rule: path,
                                message: format!("an exception must be a list of rule names, not {other}"),
                                at: None,
                            });
                        }
                    }
                }
                excepted.insert(pkg.as_str(), names);
            }
        }
        let values = self.eval_parallel(inputs, started);
        tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "rules evaluated");
        let mut out = Vec::new();
        for (rule, items) in self.rules.iter().zip(values) {
            let path = format!("data.{}.{}", rule.package, rule.name);
            let items = items.unwrap_or_else(|| Err(eval_error(&path, "the rule was not evaluated")))?;
            // As in conftest, `exception contains [""]` names the rules without a suffix
            // (`deny`, `violation`, and here `warn` too).
            let suffix = rule.name.split_once('_').map_or("", |(_, s)| s);
            let is_excepted = excepted.get(rule.package.as_str()).is_some_and(|names| names.contains(suffix));
            for item in items {
                if out.len() >= self.options.max_findings {
                    return Err(PolicyError::TooManyFindings {
                        rule: path,
                        limit: self.options.max_findings,
                    });
                }
                out.push(RawResult {
                    namespace: rule.package.clone(),
                    rule: rule.name.clone(),
                    excepted: is_excepted,
                    value: item,
                });
            }
        }
        Ok(out)
    }

    /// Each rule's elements as JSON, in rule order. Workers take the next rule from a shared
    /// counter; a worker keeps one engine per input, so rules of one package that share helper
    /// rules reuse their values when they land on the same worker, and converts each value as
    /// soon as it has it (thousands of findings, converted beside the other worker's rules
    /// rather than after all of them). After the first error no new rule is started.
    fn eval_parallel(&self, inputs: &Inputs, started: Instant) -> Vec<Option<RuleItems>> {
        use std::sync::atomic::{AtomicBool, Ordering};
        // Longest first: a rule that walks twenty thousand vulnerabilities should not be the
        // last one started while the other workers sit idle. The size of what a rule's package
        // reads is the estimate of its cost: since verdict writes the findings' texts
        // (`explain.rs`), a record costs the pack's rules a few microseconds whatever its kind.
        let mut order: Vec<usize> = (0..self.rules.len()).collect();
        order.sort_by_cached_key(|&i| {
            self.rules.get(i).map_or(std::cmp::Reverse(0), |r| {
                let input = if r.view { &inputs.view } else { &inputs.full };
                std::cmp::Reverse(r.reads.iter().map(|name| records(&input[name.as_str()])).sum::<usize>())
            })
        });
        let failed = AtomicBool::new(false);
        // Each worker's engines: one on the pack's view, one on the whole document, made
        // when a rule first needs it.
        type Engines = (Option<regorus::Engine>, Option<regorus::Engine>);
        let engines = || -> Engines { (None, None) };
        let evaluate = |(view_engine, full_engine): &mut Engines, i: usize| {
            let rule = self.rules.get(i)?;
            if failed.load(Ordering::Relaxed) {
                return None;
            }
            let (engine, input) =
                if rule.view { (view_engine, &inputs.view) } else { (full_engine, &inputs.full) };
            let engine = engine.get_or_insert_with(|| {
                let mut e = self.engine.clone();
                e.set_input(input.clone());
                e
            });
            let path = format!("data.{}.{}", rule.package, rule.name);
            let rule_started = Instant::now();
            let items = self.eval(engine, &path, started).and_then(|value| elements(&value, &path));
            tracing::debug!(rule = %path, elapsed_ms = rule_started.elapsed().as_millis() as u64, "evaluated");
            if items.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            Some(items)
        };
        crate::work::longest_first(&order, engines, evaluate).into_iter().map(Option::flatten).collect()
    }

    /// One rule's value, within what is left of the time allowed.
    fn eval(
        &self,
        engine: &mut regorus::Engine,
        path: &str,
        started: Instant,
    ) -> Result<regorus::Value, PolicyError> {
        let left = self.options.timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(PolicyError::Timeout { rule: path.to_owned(), limit: self.options.timeout });
        }
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: left,
            check_interval: NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN),
        });
        engine.eval_rule(path.to_owned()).map_err(|e| {
            let message = e.to_string();
            if started.elapsed() >= self.options.timeout || message.contains("exceeded time limit") {
                PolicyError::Timeout { rule: path.to_owned(), limit: self.options.timeout }
            } else if message.contains("exceeded memory limit") {
                PolicyError::OutOfMemory { rule: path.to_owned(), limit: self.options.max_memory }
            } else {
                let mut err = eval_error(path, &message);
                if let PolicyError::Eval { file: Some(f), text, .. } = &mut err {
                    *text = self.texts.get(f.as_str()).cloned();
                }
                err
            }
        })
    }
}

/// While alive, regorus stops evaluation once the heap has grown by more than the budget since
/// it was set (regorus's allocator counts every allocation, so the limit is process-wide: the
/// evidence already held is the baseline). Dropping it lifts the limit.
struct MemoryBudget;

impl MemoryBudget {
    #[cfg(feature = "mimalloc")]
    fn set(budget: u64) -> MemoryBudget {
        let (now, _) = regorus_mimalloc::allocation_stats_snapshot();
        regorus::set_global_memory_limit(Some(now.allocated.saturating_add(budget)));
        MemoryBudget
    }

    #[cfg(not(feature = "mimalloc"))]
    fn set(_budget: u64) -> MemoryBudget {
        MemoryBudget
    }
}

impl Drop for MemoryBudget {
    fn drop(&mut self) {
        #[cfg(feature = "mimalloc")]
        regorus::set_global_memory_limit(None);
    }
}

/// The documents rules are evaluated on ([`Policies::convert`]): the built-in pack's view and
/// the whole evidence (`Undefined` when no rule needs one).
struct Inputs {
    view: regorus::Value,
    full: regorus::Value,
}

/// One element of a conftest rule's value, as the rule produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawResult {
    /// The package.
    pub namespace: String,
    /// The rule.
    pub rule: String,
    /// Suppressed by the package's `exception` rule.
    pub excepted: bool,
    /// The element: a string or an object.
    pub value: Json,
}

impl RawResult {
    /// `data.<namespace>.<rule>`.
    pub fn path(&self) -> String {
        format!("data.{}.{}", self.namespace, self.rule)
    }
}

/// The 1-based line of the `package` statement.
fn package_line(text: Option<&str>) -> Option<u32> {
    text?.lines().position(|l| l.trim_start().starts_with("package ")).map(|i| (i + 1) as u32)
}

/// The top-level parts of the input a policy text names: `vulnerabilities` for
/// `input.vulnerabilities[_]` (comments included; this only orders the work).
fn input_roots(text: &str) -> BTreeSet<String> {
    let mut roots = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("input.") {
        let before = rest.get(..at).and_then(|b| b.chars().next_back());
        let after = rest.get(at + "input.".len()..).unwrap_or("");
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') && !name.is_empty() {
            roots.insert(name);
        }
        rest = after;
    }
    roots
}

/// The gate rule a name is probably meant as: another case (`Deny`), an inflection
/// (`denies`, `warning`, `violations`), or a camel-cased `_name` form (`denyRoot`). A helper
/// such as `denylist` or `warning_text` is not one.
fn near_gate_rule(name: &str) -> Option<String> {
    const FORMS: [(&str, &[&str]); 3] = [
        ("deny", &["deny", "denies", "denys", "denied"]),
        ("violation", &["violation", "violations", "violated"]),
        ("warn", &["warn", "warns", "warning", "warnings", "warned"]),
    ];
    let lower = name.to_ascii_lowercase();
    FORMS.iter().find_map(|(base, forms)| {
        if forms.contains(&lower.as_str()) {
            return Some((*base).to_owned());
        }
        let rest = name.strip_prefix(base)?;
        rest.chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            .then(|| format!("{base}_{}", rest.to_ascii_lowercase()))
    })
}

/// The top-level fields of the evidence document, which policies read as `input.…`.
pub(crate) const INPUT_ROOTS: [&str; 14] = [
    "apiVersion",
    "meta",
    "sources",
    "skipped",
    "tests",
    "vulnerabilities",
    "misconfigurations",
    "secrets",
    "licenses",
    "components",
    "dependencies",
    "custom",
    "signatures",
    "attestations",
];

/// The `input.NAME` references of a policy's code (comments left out) whose `NAME` is no field
/// of the evidence, each once, with the line it is first read on.
fn unknown_input_roots(text: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // The code of the line: up to a `#` outside a string.
        let mut in_string = false;
        let mut end = line.len();
        let mut prev = ' ';
        for (at, c) in line.char_indices() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '#' if !in_string => {
                    end = at;
                    break;
                }
                _ => {}
            }
            prev = c;
        }
        for root in input_roots(line.get(..end).unwrap_or(line)) {
            if !INPUT_ROOTS.contains(&root.as_str()) && !out.iter().any(|(r, _)| *r == root) {
                out.push((root, u32::try_from(i + 1).unwrap_or(u32::MAX)));
            }
        }
    }
    out
}

/// How many records a part of the input holds: the elements of a collection, or of the
/// collections one level inside an object (`tests.cases`).
fn records(value: &regorus::Value) -> usize {
    let len = |v: &regorus::Value| match v {
        regorus::Value::Array(a) => a.len(),
        regorus::Value::Set(s) => s.len(),
        regorus::Value::Object(o) => o.len(),
        _ => 0,
    };
    match value {
        regorus::Value::Object(o) => o.values().map(len).sum(),
        other => len(other),
    }
}

/// A rule's elements as JSON, or why it has none.
type RuleItems = Result<Vec<Json>, PolicyError>;

/// The elements of a rule's value: a set or array's items; a single string or object as one;
/// undefined or empty as none. A value that cannot be read as JSON is an error naming the
/// rule, never "no findings".
fn elements(value: &regorus::Value, rule: &str) -> RuleItems {
    match value {
        regorus::Value::Undefined | regorus::Value::Null => Ok(Vec::new()),
        regorus::Value::Bool(false) => Ok(Vec::new()),
        other => match serde_json::to_value(other) {
            Ok(Json::Array(items)) => Ok(items),
            Ok(single) => Ok(vec![single]),
            Err(e) => Err(PolicyError::BadResult {
                rule: rule.to_owned(),
                message: format!("`{rule}` produced a value that is not JSON: {e}"),
                at: None,
            }),
        },
    }
}

/// How many results a worker normalizes at a time.
const NORMALIZE_CHUNK: usize = 1024;

/// One result as findings: one, or one per evidence record a result without `msg` names.
fn normalize(
    rule: &RuleRef,
    path: &str,
    item: Json,
    excepted: bool,
    today: Date,
    records: Option<&explain::Records<'_>>,
) -> Result<Vec<Finding>, PolicyError> {
    let mut obj = match item {
        Json::String(msg) => {
            let mut m = Map::new();
            m.insert("msg".into(), Json::String(msg));
            m
        }
        Json::Object(m) => m,
        other => {
            return Err(PolicyError::BadResult {
                rule: path.to_owned(),
                message: format!("`{path}` produced {other}, which is neither a message nor a result object"),
                at: None,
            });
        }
    };
    match obj.remove("msg") {
        Some(Json::String(msg)) => Ok(vec![finding(rule, path, msg, obj, excepted, today)?]),
        Some(other) => Err(PolicyError::BadResult {
            rule: path.to_owned(),
            message: format!("`{path}` produced a result whose `msg` is {other}, not text"),
            at: None,
        }),
        // Without a message, the result must name evidence records for verdict to explain.
        None => {
            let explained = records.map(|records| records.explain(&obj)).unwrap_or_default();
            if explained.is_empty() {
                // `message`, `Msg`, `text`: conftest reads `msg` only, and so does verdict.
                let near = obj
                    .keys()
                    .find(|k| {
                        ["message", "msgs", "mesage", "text", "description"]
                            .contains(&k.to_lowercase().as_str())
                            || k.eq_ignore_ascii_case("msg")
                    })
                    .map(|k| format!(" (it has `{k}`: did you mean `msg`?)"))
                    .unwrap_or_default();
                return Err(PolicyError::BadResult {
                    rule: path.to_owned(),
                    message: format!(
                        "`{path}` produced a result object without `msg`{near} whose `fingerprint` names no test case, vulnerability, misconfiguration or component of the evidence; give it a `msg`, or the `fingerprint` of the record it is about"
                    ),
                    at: None,
                });
            }
            explained.into_iter().map(|(msg, obj)| finding(rule, path, msg, obj, excepted, today)).collect()
        }
    }
}

/// Gives each finding that has no fingerprint of its own one derived from its rule and `id`
/// (so that a waiver survives a message that quotes a changing amount), else its message.
/// Findings of one rule that would share it (a rule that gives every finding the `id` of its
/// check, and names the subject only in `msg`) are told apart by what they say: file, package
/// and message. One waiver copied from one of them then accepts that one, not every finding
/// the rule makes now and later.
fn derive_fingerprints(findings: &mut [Finding]) {
    let mut derived: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter_mut().enumerate().filter(|(_, f)| f.fingerprint.is_empty()) {
        f.fingerprint = fingerprint::policy_finding(&f.namespace, &f.rule, f.id.as_deref().unwrap_or(&f.msg));
        derived.entry(f.fingerprint.clone()).or_default().push(i);
    }
    for shared in derived.into_values().filter(|at| at.len() > 1) {
        for i in shared {
            if let Some(f) = findings.get_mut(i) {
                f.fingerprint = fingerprint::policy_finding_of_many(
                    &f.namespace,
                    &f.rule,
                    f.id.as_deref(),
                    f.file.as_deref(),
                    f.purl.as_deref(),
                    &f.msg,
                );
            }
        }
    }
}

/// A result object, its message taken out, as a finding.
fn finding(
    rule: &RuleRef,
    path: &str,
    msg: String,
    mut obj: Map<String, Json>,
    excepted: bool,
    today: Date,
) -> Result<Finding, PolicyError> {
    let mut text = |key: &str| -> Option<String> {
        match obj.remove(key) {
            Some(Json::String(s)) if !s.trim().is_empty() => Some(s),
            Some(Json::Null) | None => None,
            Some(Json::String(_)) => None,
            Some(other) => Some(other.to_string().trim_matches('"').to_owned()),
        }
    };
    let id = text("id");
    let severity_word = text("severity");
    let remediation = text("remediation");
    let fingerprint = text("fingerprint");
    let purl = text("purl");
    let file = text("file");
    let url = text("url");
    let title = text("title");
    let line = match obj.remove("line") {
        Some(Json::Number(n)) => n.as_u64(),
        Some(Json::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let severity = match severity_word {
        Some(w) => Some(Severity::parse(&w).ok_or_else(|| PolicyError::BadResult {
            rule: path.to_owned(),
            message: format!("`{path}` produced the severity {w:?}; expected {}", Severity::expected()),
            at: None,
        })?),
        None => rule.meta.severity,
    };
    let (level, enforced_from) = match (rule.level, rule.meta.effective_on) {
        (Level::Fail, Some(from)) if from > today => (Level::Warn, Some(from)),
        (level, _) => (level, None),
    };
    Ok(Finding {
        namespace: rule.package.clone(),
        rule: rule.name.clone(),
        level,
        enforced_from,
        excepted,
        // Without a fingerprint of its own, one is derived once every result is in
        // ([`derive_fingerprints`]): it depends on the rule's other findings.
        fingerprint: fingerprint.unwrap_or_default(),
        msg,
        id,
        severity,
        title: title.or_else(|| rule.meta.title.clone()),
        description: rule.meta.description.clone(),
        remediation: remediation.or_else(|| rule.meta.remediation.clone()),
        purl,
        file,
        line,
        url: url.or_else(|| rule.meta.url.clone()),
        extra: obj,
        policy: format!("{}:{}", rule.file, rule.line),
    })
}

/// Parses regorus's `--> file:line:col` error text into an evaluation error.
fn eval_error(rule: &str, text: &str) -> PolicyError {
    let (file, line, column) = location_of(text);
    PolicyError::Eval { rule: rule.to_owned(), file, line, column, message: message_of(text), text: None }
}

/// `file:line:col` from regorus's error text.
fn location_of(text: &str) -> (Option<String>, Option<u32>, Option<u32>) {
    let Some(at) = text.lines().find_map(|l| l.trim_start().strip_prefix("--> ")) else {
        return (None, None, None);
    };
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.trim().parse().ok());
    let line = parts.next().and_then(|c| c.trim().parse().ok());
    let file = parts.next().map(str::to_owned);
    (file, line, col)
}

/// The message of regorus's error text (its `error: …` line), lower-cased first letter.
fn message_of(text: &str) -> String {
    let msg = text
        .lines()
        .rev()
        .find_map(|l| l.trim_start().strip_prefix("error: "))
        .unwrap_or_else(|| text.trim())
        .trim();
    msg.to_owned()
}

/// Loads every file into one engine: Rego v1 first, v0 when only that parses. Returns the
/// engine, the modules' rule heads, the files read as v0, and the syntax errors.
/// Whether a policy is written for Rego v1: it imports `rego.v1`, or it uses `if` before a
/// rule body without importing `future.keywords` (which v0 needs for that keyword).
fn intends_v1(text: &str) -> bool {
    static IF_BODY: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\bif\s*\{").ok());
    text.lines().any(|l| l.trim() == "import rego.v1")
        || (!text.contains("future.keywords") && IF_BODY.as_ref().is_some_and(|re| re.is_match(text)))
}

/// regorus's parse error as a syntax error of `f`.
fn syntax_error(f: &PolicyFile, text: &str) -> PolicyError {
    let (_, line, column) = location_of(text);
    PolicyError::Syntax {
        file: f.path.clone(),
        line: line.unwrap_or(1),
        column: column.unwrap_or(1),
        message: message_of(text),
        text: f.text.clone(),
    }
}

fn load(files: &[PolicyFile]) -> (regorus::Engine, Vec<ModuleInfo>, Vec<String>, Vec<PolicyError>) {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    let mut errors = Vec::new();
    let mut v0_files = Vec::new();
    for f in files {
        engine.set_rego_v0(false);
        let v1 = engine.add_policy(f.path.clone(), f.text.clone());
        let Err(v1_err) = v1 else { continue };
        // A file written for v1 gets v1's error, not what the v0 parser makes of its keywords
        // (with a warning regorus prints to stderr itself).
        if intends_v1(&f.text) {
            errors.push(syntax_error(f, &v1_err.to_string()));
            continue;
        }
        engine.set_rego_v0(true);
        let v0 = engine.add_policy(f.path.clone(), f.text.clone());
        engine.set_rego_v0(false);
        match v0 {
            Ok(_) => v0_files.push(f.path.clone()),
            Err(v0_err) => {
                // Report the reading that got further into the file.
                let (v1t, v0t) = (v1_err.to_string(), v0_err.to_string());
                let pos = |t: &str| {
                    let (_, l, c) = location_of(t);
                    (l.unwrap_or(0), c.unwrap_or(0))
                };
                let chosen = if pos(&v0t) > pos(&v1t) { v0t } else { v1t };
                errors.push(syntax_error(f, &chosen));
            }
        }
    }
    let mut modules = Vec::new();
    for m in engine.get_modules().iter() {
        let package = Parser::get_path_ref_components(&m.package.refr)
            .map(|c| c.iter().map(|s| s.text().to_owned()).collect::<Vec<_>>().join("."))
            .unwrap_or_default();
        let file = m.package.span.source.file().clone();
        let reserved = package == "verdict" || package.starts_with("verdict.");
        if reserved && files.iter().any(|f| f.path == file && !f.builtin) {
            errors.push(PolicyError::ReservedPackage {
                file: file.clone(),
                line: m.package.span.line,
                package,
            });
            continue;
        }
        let mut rules = Vec::new();
        let mut set_rules = BTreeSet::new();
        for r in &m.policy {
            let (refr, line, set) = match r.as_ref() {
                Rule::Spec { head, span, .. } => match head {
                    RuleHead::Compr { refr, .. } => (refr, span.line, false),
                    RuleHead::Set { refr, .. } => (refr, span.line, true),
                    RuleHead::Func { .. } => continue,
                },
                Rule::Default { refr, span, .. } => (refr, span.line, false),
            };
            if let Some(name) = Parser::get_path_ref_components(refr)
                .ok()
                .and_then(|c| c.first().map(|s| s.text().to_owned()))
            {
                if set {
                    set_rules.insert(name.clone());
                }
                rules.push((name, line));
            }
        }
        modules.push(ModuleInfo { package, file, rules, set_rules });
    }
    (engine, modules, v0_files, errors)
}

/// The merged data document, and what to warn of about it.
type MergedData = (Map<String, Json>, Vec<Diagnostic>);

/// Parses data files (JSON or YAML objects) and merges them, with `extra` (verdict's own data,
/// such as the pack's settings from `verdict.yaml`) first. Two sources setting the same
/// non-object value is an error naming both.
fn merge_data(files: &[DataFile], extra: &[Json], job: &[String]) -> Result<MergedData, Vec<PolicyError>> {
    let mut merged = Map::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut sources: Vec<(String, Json)> =
        extra.iter().map(|v| ("verdict.yaml".to_owned(), v.clone())).collect();
    for f in files {
        let parsed: Result<Json, String> = if f.path.ends_with(".yaml") || f.path.ends_with(".yml") {
            serde_saphyr::from_str(&f.text).map_err(|e| e.to_string())
        } else {
            serde_json::from_str(&f.text).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(v @ Json::Object(_)) if job.contains(&f.path) && v.get("verdict").is_some() => {
                errors.push(PolicyError::Data {
                    file: f.path.clone(),
                    message: "a data file named on the command line (--data, or VERDICT_DATA in the GitLab template) sets `verdict`, \
                              the built-in pack's settings, which are configuration only: what the gate \
                              accepts is reviewed in the repository, not typed into a job"
                        .into(),
                })
            }
            Ok(v @ Json::Object(_)) => {
                check_pack_settings(&f.path, &v, &mut errors, &mut warnings);
                sources.push((f.path.clone(), v));
            }
            Ok(other) => errors.push(PolicyError::Data {
                file: f.path.clone(),
                message: format!(
                    "a data file must hold an object (its keys go under `data.`), not {}",
                    kind_of(&other)
                ),
            }),
            Err(e) => errors.push(PolicyError::Data {
                file: f.path.clone(),
                message: format!("the data file does not parse: {e}"),
            }),
        }
    }
    for (origin, value) in sources {
        if let Json::Object(obj) = value {
            merge_into(&mut merged, obj, "data", &origin, &mut owners, &mut errors);
        }
    }
    if errors.is_empty() { Ok((merged, warnings)) } else { Err(errors) }
}

/// A data file that sets the built-in pack's settings (`verdict.config`) names only settings
/// that exist, with values `thresholds:` would accept: a misspelt one (`flakey`, `CRTICAL`, a
/// budget of `"40"`) would be ignored or match nothing, and the gate quietly weaker, where the
/// same typo in verdict.yaml's `thresholds:` is an error. A value that turns a check off (`[]`)
/// is a warning, as there.
fn check_pack_settings(
    file: &str,
    data: &Json,
    errors: &mut Vec<PolicyError>,
    warnings: &mut Vec<Diagnostic>,
) {
    use crate::config::PACK_SETTINGS;
    // `data.verdict` is the built-in pack's, which reads only its `config`.
    if let Some(verdict) = data.get("verdict").and_then(Json::as_object) {
        for key in verdict.keys().filter(|k| *k != "config") {
            let near = crate::diag::did_you_mean(key, &["config"]);
            errors.push(PolicyError::Data {
                file: file.to_owned(),
                message: format!(
                    "`verdict.{key}` is read by nothing{near}: `data.verdict` belongs to the built-in pack, which reads only `verdict.config`"
                ),
            });
        }
    }
    let Some(config) = data.get("verdict").and_then(|v| v.get("config")) else { return };
    let Some(sections) = config.as_object() else {
        errors.push(PolicyError::Data {
            file: file.to_owned(),
            message: format!(
                "`verdict.config` must be an object of the built-in pack's settings, not {}",
                kind_of(config)
            ),
        });
        return;
    };
    let names: Vec<&str> = PACK_SETTINGS.iter().map(|(s, _)| *s).collect();
    for (section, knobs) in sections {
        let Some((_, known)) = PACK_SETTINGS.iter().find(|(s, _)| s == section) else {
            let near = crate::diag::did_you_mean(section, &names);
            errors.push(PolicyError::Data {
                file: file.to_owned(),
                message: format!(
                    "`verdict.config.{section}` is not a section of the built-in pack's settings{near}; they are {}",
                    names.join(", ")
                ),
            });
            continue;
        };
        let Some(knobs) = knobs.as_object() else { continue };
        for key in knobs.keys() {
            if !known.contains(&key.as_str()) {
                let near = crate::diag::did_you_mean(key, known);
                errors.push(PolicyError::Data {
                    file: file.to_owned(),
                    message: format!(
                        "`verdict.config.{section}.{key}` is not a setting of the built-in pack{near}; `{section}` has {}",
                        known.join(", ")
                    ),
                });
            }
        }
    }
    if errors.iter().any(|e| matches!(e, PolicyError::Data { file: f, .. } if f == file)) {
        return; // the names first: a value under a misspelt name is not checked
    }
    for d in crate::config::pack_values(config) {
        let message = match &d.doc_path {
            Some(path) if !d.message.contains(path.as_str()) => format!("at `{path}`: {}", d.message),
            _ => d.message.clone(),
        };
        match d.level {
            crate::diag::Level::Error => {
                let mut text = message;
                if let Some(expected) = d.expected {
                    text.push_str(&format!("; expected {expected}"));
                }
                if let Some(help) = d.help {
                    text.push_str(&format!("; {help}"));
                }
                errors.push(PolicyError::Data { file: file.to_owned(), message: text })
            }
            crate::diag::Level::Warning => {
                let mut w = Diagnostic::warning(d.code, message);
                w.file = Some(file.to_owned());
                w.expected = d.expected;
                w.help = d.help;
                warnings.push(w);
            }
        }
    }
}

fn merge_into(
    into: &mut Map<String, Json>,
    from: Map<String, Json>,
    path: &str,
    origin: &str,
    owners: &mut BTreeMap<String, String>,
    errors: &mut Vec<PolicyError>,
) {
    for (k, v) in from {
        let key_path = format!("{path}.{k}");
        match (into.get_mut(&k), v) {
            (Some(Json::Object(existing)), Json::Object(more)) => {
                merge_into(existing, more, &key_path, origin, owners, errors);
            }
            (Some(_), _) => {
                // Whoever set this key or the nearest object above it.
                let mut probe = key_path.as_str();
                let first = loop {
                    if let Some(o) = owners.get(probe) {
                        break o.clone();
                    }
                    match probe.rsplit_once('.') {
                        Some((parent, _)) => probe = parent,
                        None => break "another source".to_owned(),
                    }
                };
                errors.push(PolicyError::Data {
                    file: origin.to_owned(),
                    message: format!(
                        "`{key_path}` is already set by {first}; a value is set in one place only"
                    ),
                });
            }
            (None, v) => {
                owners.insert(key_path, origin.to_owned());
                into.insert(k, v);
            }
        }
    }
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
