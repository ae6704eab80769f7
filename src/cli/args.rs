//! Command-line arguments: what the user typed, validated without any I/O.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag::did_you_mean;
use crate::evidence::Kind;
use crate::ingest::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_FILE_SIZE, custom};

const ABOUT: &str = "The last step of every pipeline: reads the artifacts CI produced (JUnit, Trivy, \
Checkov, CycloneDX, SPDX), and turns them into one verdict.";

const AFTER_HELP: &str = "\
Logging goes to stderr: -v shows each artifact read and each file skipped, -vv more; RUST_LOG
overrides (e.g. RUST_LOG=verdict=debug).

Exit status:
  0  pass: the command did its job (for a gate: no policy failure)
  1  fail: policy evaluated and said no
  2  usage, config or input error: a bad flag, an unreadable, malformed, empty or oversized artifact
  3  internal or infrastructure error: a bug, a service that could not be reached, or a
     machine out of file handles, disk space or memory
  130, 143  stopped by SIGINT or SIGTERM: nothing more is written or published

Docs: docs/evidence.md (the evidence document), docs/diagnostics.md (every error code).";

/// verdict
#[derive(Debug, Parser)]
#[command(name = "verdict", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// More output on stderr: -v lists every artifact read or skipped, -vv debug, -vvv trace
    #[arg(short, long, action = clap::ArgAction::Count, global = true, display_order = 900)]
    pub verbose: u8,

    /// No log lines on stderr; errors, warnings about the configuration and policies, and what publishing did are still printed
    #[arg(short, long, global = true, conflicts_with = "verbose", display_order = 901)]
    pub quiet: bool,

    /// Log line format on stderr
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true, env = "VERDICT_LOG_FORMAT", display_order = 902)]
    pub log_format: LogFormat,

    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read CI artifacts, decide with policy, and print the verdict (the gate)
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Work with policies: run their tests
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write a commented starter verdict.yaml and a sample policy with its test
    Init(InitArgs),
    /// Read CI artifacts and print the evidence document (JSON) that policies see
    #[command(after_help = EVIDENCE_AFTER_HELP)]
    Evidence(EvidenceArgs),
    /// Verify Cosign/Sigstore signatures and attestations of an image or a file (flags as cosign's)
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Print the JSON Schema of a document verdict writes
    Schema(SchemaArgs),
}

const VERIFY_AFTER_HELP: &str = "\
SUBJECT is an image reference (registry/repository:tag or …@sha256:<digest>), a file, or
sha256:<hex> standing for a file. Images: the signatures cosign stores at the tag
sha256-<digest>.sig (and, with --attestation, the attestations at .att). Files: the
Sigstore bundle (--bundle, versions 0.1-0.3, or cosign's older bundle) or a detached
--signature made with a key; offline (a keyless signature is verified from its bundle).

Who must have signed: --key cosign.pub, or a certificate identity and issuer:
  --certificate-identity-regexp '^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@'
  --certificate-oidc-issuer https://token.actions.githubusercontent.com
Patterns are unanchored regular expressions, as in cosign: anchor them with ^ and $.

Trust: Sigstore's public-good trust root is built in; --trusted-root FILE replaces it (a
trusted_root.json, e.g. from `cosign trusted-root create` for a private Sigstore).
Registry credentials: the Docker config (docker login), podman's auth.json,
VERDICT_REGISTRY_USERNAME/VERDICT_REGISTRY_PASSWORD, or the CI's own (CI_REGISTRY_USER on
GitLab, GITHUB_TOKEN for ghcr.io). Plain HTTP only for loopback registries or with
--allow-http-registry.

Exit status: 0 verified; 1 not verified (the reason is printed: no_signature, wrong_key,
identity_mismatch, issuer_mismatch, payload_tampered, digest_mismatch, certificate_expired,
untrusted_root, …); 2 usage or input error (an unreadable key, bundle or trust root);
3 the registry could not be reached or refused access.";

/// `verdict verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// What to verify: an image reference, a file, or a file's digest.
    #[arg(value_name = "SUBJECT", help = "The image reference, file or sha256:<hex> digest to verify")]
    pub subject: String,

    /// Who must have signed.
    #[command(flatten)]
    pub signer: SignerArgs,

    /// A Sigstore bundle for a file (cosign sign-blob --bundle)
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub bundle: Option<PathBuf>,

    /// A detached base64 signature for a file (cosign sign-blob --output-signature)
    #[arg(long, value_name = "FILE", conflicts_with = "bundle", allow_hyphen_values = true)]
    pub signature: Option<PathBuf>,

    /// The PEM certificate of a detached keyless signature (--output-certificate): refused with how to write a bundle instead, since without the transparency-log entry a bundle carries it cannot be verified offline
    #[arg(long, value_name = "FILE", requires = "signature", allow_hyphen_values = true)]
    pub certificate: Option<PathBuf>,

    /// Also require an attestation of this predicate type (repeatable): slsaprovenance,
    /// slsaprovenance02, slsaprovenance1, link, spdx, spdxjson, cyclonedx, vuln, openvex, custom, or a URI
    #[arg(long = "attestation", value_name = "TYPE")]
    pub attestations: Vec<String>,

    /// What to print on stdout: a summary, or the signature evidence as JSON
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,

    /// Trust and registry settings.
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Who must have signed (cosign's flags).
#[derive(Debug, Clone, Default, Args)]
pub struct SignerArgs {
    /// The public key the signature must verify with (PEM, cosign.pub)
    // A value that starts with `-` is the key's value (a PEM text given by mistake is then
    // refused without being echoed, where clap would print it as an unexpected argument).
    #[arg(long, value_name = "FILE", allow_hyphen_values = true, conflicts_with_all = ["certificate_identity", "certificate_identity_regexp"])]
    pub key: Option<PathBuf>,

    /// The exact identity (certificate SAN: a workflow URI or an email) that must have signed
    #[arg(long, value_name = "ID", conflicts_with = "certificate_identity_regexp")]
    pub certificate_identity: Option<String>,

    /// A regular expression the signing identity must match
    #[arg(long, value_name = "REGEX")]
    pub certificate_identity_regexp: Option<String>,

    /// The exact OIDC issuer of the signing certificate
    #[arg(long, value_name = "URL", conflicts_with = "certificate_oidc_issuer_regexp")]
    pub certificate_oidc_issuer: Option<String>,

    /// A regular expression the OIDC issuer must match
    #[arg(long, value_name = "REGEX")]
    pub certificate_oidc_issuer_regexp: Option<String>,
}

/// Trust root and registry settings.
#[derive(Debug, Clone, Default, Args)]
pub struct TrustArgs {
    /// A Sigstore trusted_root.json to trust instead of the built-in public-good root
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub trusted_root: Option<PathBuf>,

    /// Accept signatures without a transparency-log entry (signed with --tlog-upload=false)
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// Talk plain HTTP to every registry, not only to loopback ones
    #[arg(long)]
    pub allow_http_registry: bool,

    /// Time allowed for each registry request, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub registry_timeout: u64,
}

/// `verdict verify --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per check, and what to do about a failure
    Text,
    /// {"signatures": [...], "attestations": [...]} as they appear in the evidence
    Json,
}

const EVIDENCE_AFTER_HELP: &str = "\
Discovery: each PATH may be a file or a folder. Folders are searched recursively, skipping
.git, node_modules and target folders and symbolic links; every file is recognized by its
content, not its name. Files of no known kind are skipped (listed with -v). Name a folder
such as target/surefire-reports explicitly to read it. With neither PATH nor --input, the
current folder is searched.

Kinds for --input: junit, trivy, checkov, cyclonedx, spdx, custom:NAME (any JSON document,
stored under custom.NAME, e.g. --input custom:cost=cost.json).

Exit status: 0 the evidence was written; 2 an artifact could not be read (every problem is
listed, and nothing is written); 3 internal error.";

const RUN_AFTER_HELP: &str = "\
Zero config works: artifacts under the current folder, the built-in policy pack, and the
verdict in the terminal. A verdict.yaml in the current folder (or --config FILE) refines it:
required inputs, your policies and data, thresholds, waivers (docs/config.md). Command-line
PATHs replace inputs.paths; --input, --policy, --data and --namespace add to the file's.

Exit status: 0 pass (and warn, unless --fail-on warn); 1 fail: policy said no; 2 usage,
config, input or policy error (including a missing required input, no artifact read at all,
or no rule to evaluate); 3 internal error, or a registry a signature check needs could not be
reached.";

/// `verdict run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files or folders to read [default: inputs.paths of verdict.yaml, else the current folder]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Also read PATH as KIND, even if its content is not recognized (repeatable)
    #[arg(long = "input", value_name = "KIND=PATH")]
    pub inputs: Vec<InputSpec>,

    /// The configuration file [default: verdict.yaml in the current folder, else in the one folder named, when present]
    #[arg(short, long, value_name = "FILE", env = "VERDICT_CONFIG")]
    pub config: Option<PathBuf>,

    /// Ignore any verdict.yaml, and --config and VERDICT_CONFIG too
    #[arg(long)]
    pub no_config: bool,

    /// A Rego file or a folder of them to evaluate (repeatable)
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// A JSON or YAML file merged under `data.` for policies (repeatable)
    #[arg(short, long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// A policy package to evaluate besides the built-in pack [default: main] (repeatable)
    #[arg(short, long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,

    /// Evaluate every policy package
    #[arg(long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,

    /// Leave the built-in policy pack out
    #[arg(long)]
    pub no_builtin: bool,

    /// Whether warnings fail the gate too [default: fail_on of verdict.yaml, else fail]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOnArg>,

    /// What to print on stdout
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the output to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write every report into DIR: verdict.json, verdict.md, verdict.sarif, verdict.junit.xml, gl-code-quality-report.json (the previous run's are removed first, so a run that stops with exit 2 leaves none)
    #[arg(long, value_name = "DIR", env = "VERDICT_OUTPUT_DIR")]
    pub output_dir: Option<PathBuf>,

    /// Publishing settings.
    #[command(flatten)]
    pub publish: PublishArgs,

    /// Time allowed for policy evaluation, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub policy_timeout: u64,

    /// Talk plain HTTP to every registry of the signature checks, not only to loopback ones
    #[arg(long)]
    pub allow_http_registry: bool,

    /// Time allowed for each registry request of the signature checks, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub registry_timeout: u64,

    /// Most findings policies may produce before the run stops as an error
    #[arg(long, value_name = "N", default_value_t = crate::policy::DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,

    /// Most memory policy evaluation may take on top of the evidence before the run stops as an error (e.g. 2GiB, 500MB)
    #[arg(long, value_name = "SIZE", default_value_t = Size(crate::policy::DEFAULT_MAX_MEMORY))]
    pub max_policy_memory: Size,

    /// Most findings listed per rule in the terminal and per severity of each rule in the comment and summaries; the rest are counted (all of them: --format json) [default: 5 per rule in the terminal, 10 warnings; in Markdown, as many as the comment's size limit holds]
    #[arg(long, value_name = "N")]
    pub max_shown: Option<usize>,

    /// Judge waivers and effective_on dates as on this day, to see what the gate will say when they come due; the run warns that it is not today [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD", env = "VERDICT_TODAY")]
    pub today: Option<jiff::civil::Date>,

    /// Limits that keep reading bounded.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Where and how the verdict is published.
#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    /// Where to publish: the PR comment, job summary, step outputs (GitHub), the MR note (GitLab)
    #[arg(long = "publish", value_enum, value_name = "WHERE", default_value_t = PublishArg::Auto, env = "VERDICT_PUBLISH")]
    pub target: PublishArg,

    /// The gate's key: one sticky comment (and check run) per key, for monorepos and matrix jobs
    #[arg(long, value_name = "KEY", default_value = "default", env = "VERDICT_GATE_KEY")]
    pub gate_key: String,

    /// When to write the sticky PR/MR comment
    #[arg(long, value_enum, value_name = "MODE", default_value_t = CommentModeArg::Changes, env = "VERDICT_COMMENT_MODE")]
    pub comment_mode: CommentModeArg,

    /// The login the token writes comments as, for a personal access token: only its comments carrying verdict's marker are verdict's (by default, any bot account's: GITHUB_TOKEN, GitHub Apps, GitLab project tokens)
    #[arg(long, value_name = "LOGIN", env = "VERDICT_COMMENT_AUTHOR")]
    pub comment_author: Option<String>,

    /// Also create a GitHub check run with annotations on the changed files (needs `checks: write`)
    #[arg(long, env = "VERDICT_CHECK_RUN")]
    pub check_run: bool,

    /// Also set a GitHub commit status (needs `statuses: write`)
    #[arg(long, env = "VERDICT_COMMIT_STATUS")]
    pub commit_status: bool,

    /// Exit 3 when publishing fails (by default a failed publish is reported but the exit code is the verdict's)
    #[arg(long, env = "VERDICT_REQUIRE_PUBLISH")]
    pub require_publish: bool,

    /// The pull request to comment on, for a workflow_run hand-off (GitHub gives none for forks)
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,

    /// Time allowed for all of publishing, retries and rate-limit waits included, in seconds (each request gets at most 10)
    #[arg(long, value_name = "SECONDS", default_value_t = 120, env = "VERDICT_PUBLISH_TIMEOUT")]
    pub publish_timeout: u64,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Only failures fail the gate
    Fail,
    /// Warnings fail the gate too
    Warn,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The terminal report
    Text,
    /// The verdict document, verdict/verdict/v1 (docs/verdict.md)
    Json,
    /// The PR/MR comment (Markdown)
    Markdown,
    /// SARIF 2.1.0 (GitHub code scanning)
    Sarif,
    /// JUnit XML: one testcase per rule, one suite per step
    Junit,
    /// GitLab Code Quality JSON
    Codequality,
    /// GitHub workflow-command annotations
    Github,
}

/// `--publish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PublishArg {
    /// GitHub in GitHub Actions, GitLab in GitLab CI, else nowhere
    Auto,
    /// GitHub, whatever the environment says
    Github,
    /// GitLab, whatever the environment says
    Gitlab,
    /// Nowhere
    None,
}

/// `--comment-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommentModeArg {
    /// Create or update the comment on every run
    Always,
    /// Create it, or update it when its text changed
    Changes,
    /// Create it only when the gate fails; keep an existing one up to date
    Failures,
    /// Never write a comment
    Off,
}

/// `verdict init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write into
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Overwrite files that are already there
    #[arg(long)]
    pub force: bool,
}

/// `verdict policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the `test_*` rules of policies, like `opa test` (exit 0 all pass, 1 a test failed
    /// or none was found, 2 the policies do not load)
    Test(PolicyTestArgs),
}

/// `verdict policy test`.
#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Rego files or folders (tests are `*_test.rego` files beside the policies) [default: policies.paths of verdict.yaml, else ./policy]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Test the built-in policy pack (alone, or with PATHs)
    #[arg(long)]
    pub builtin: bool,

    /// A JSON or YAML file merged under `data.` (repeatable)
    #[arg(short, long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// Only tests whose `package.rule` contains TEXT
    #[arg(long = "run", value_name = "TEXT")]
    pub filter: Option<String>,

    /// Report line coverage of the policies (not of the tests)
    #[arg(long)]
    pub coverage: bool,

    /// Time allowed per test, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

/// `verdict evidence`.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Files or folders to read [default: the current folder]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read PATH as KIND, even if its content is not recognized (repeatable)
    #[arg(long = "input", value_name = "KIND=PATH")]
    pub inputs: Vec<InputSpec>,

    /// Write the document to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// One line of JSON instead of indented JSON
    #[arg(long)]
    pub compact: bool,

    /// Limits that keep reading bounded.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Limits that keep reading bounded.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest artifact to read; larger ones are an error (e.g. 512MiB, 2GiB, 100MB)
    #[arg(long, value_name = "SIZE", env = "VERDICT_MAX_FILE_SIZE", default_value_t = Size(DEFAULT_MAX_FILE_SIZE))]
    pub max_file_size: Size,

    /// Deepest XML element nesting accepted
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DEPTH as u16, value_parser = clap::value_parser!(u16).range(8..))]
    pub max_depth: u16,
}

/// `verdict schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which document
    #[arg(value_enum)]
    pub document: SchemaDocument,
}

/// Documents with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaDocument {
    /// The evidence document (`verdict evidence`).
    Evidence,
}

/// `--input KIND=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// The kind.
    pub kind: Kind,
    /// For `custom:NAME`, the name.
    pub name: Option<String>,
    /// The file.
    pub path: PathBuf,
}

impl FromStr for InputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let kinds = "junit, trivy, checkov, cyclonedx, spdx, custom:NAME";
        let Some((kind, path)) = s.split_once('=') else {
            return Err(format!("expected KIND=PATH with KIND one of {kinds}"));
        };
        if path.is_empty() {
            return Err("the PATH after `=` is empty".into());
        }
        let (kind, name) = match kind.split_once(':') {
            Some(("custom", name)) => {
                if !custom::valid_name(name) {
                    return Err(format!(
                        "`{name}` cannot name a custom input: use letters, digits and `_`, not starting with a digit (it becomes input.custom.NAME in policies)"
                    ));
                }
                (Kind::Custom, Some(name.to_owned()))
            }
            Some((other, _)) => {
                return Err(format!("unknown kind `{other}`: only custom takes a name (custom:NAME)"));
            }
            None => {
                let k = Kind::ALL.into_iter().find(|k| k.as_str() == kind && *k != Kind::Custom);
                match k {
                    Some(k) => (k, None),
                    None if kind == "custom" => return Err("custom needs a name: custom:NAME=PATH".into()),
                    None => {
                        let hint =
                            did_you_mean(kind, &["junit", "trivy", "checkov", "cyclonedx", "spdx", "custom"]);
                        return Err(format!("unknown kind `{kind}`{hint}; expected one of {kinds}"));
                    }
                }
            }
        };
        Ok(InputSpec { kind, name, path: PathBuf::from(path) })
    }
}

/// A byte size with an optional unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::ingest::human_bytes(self.0).replace(' ', ""))
    }
}

impl FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: f64 = num.parse().map_err(|_| format!("`{s}` is not a size (e.g. 512MiB, 2GiB, 100MB)"))?;
        let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" => 1_000,
            "ki" | "kib" => 1 << 10,
            "m" | "mb" => 1_000_000,
            "mi" | "mib" => 1 << 20,
            "g" | "gb" => 1_000_000_000,
            "gi" | "gib" => 1 << 30,
            other => return Err(format!("unknown size unit `{other}` (use B, KB, KiB, MB, MiB, GB, GiB)")),
        };
        let bytes = n * mult as f64;
        if !(1.0..=u64::MAX as f64).contains(&bytes) {
            return Err(format!("`{s}` is not a usable size"));
        }
        Ok(Size(bytes as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--input` takes every kind, and custom needs a Rego-identifier name.
    #[test]
    fn input_specs() {
        let s: InputSpec = "trivy=reports/scan.json".parse().expect("ok");
        assert_eq!((s.kind, s.path.to_str()), (Kind::Trivy, Some("reports/scan.json")));
        let s: InputSpec = "custom:cost=a=b.json".parse().expect("ok");
        assert_eq!(
            (s.kind, s.name.as_deref(), s.path.to_str()),
            (Kind::Custom, Some("cost"), Some("a=b.json"))
        );
        assert!("custom=x.json".parse::<InputSpec>().is_err());
        assert!("custom:1x=x.json".parse::<InputSpec>().is_err());
        let e = "trivvy=x.json".parse::<InputSpec>().expect_err("typo");
        assert!(e.contains("did you mean `trivy`"), "{e}");
        assert!("x.json".parse::<InputSpec>().is_err());
    }

    /// Sizes accept decimal and binary units.
    #[test]
    fn sizes() {
        assert_eq!("512MiB".parse::<Size>(), Ok(Size(512 << 20)));
        assert_eq!("1.5 GB".parse::<Size>(), Ok(Size(1_500_000_000)));
        assert_eq!("4096".parse::<Size>(), Ok(Size(4096)));
        assert!("12 parsecs".parse::<Size>().is_err());
        assert!("0".parse::<Size>().is_err());
        assert_eq!(Size(512 << 20).to_string(), "512MiB");
    }
}
