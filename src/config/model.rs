//! The validated configuration: what `verdict.yaml` says once every value has been checked.
//! Built only by the loader in this module; everything downstream trusts it.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::evidence::{Kind, Severity};
use crate::verdict::waiver::Waiver;

/// The whole configuration. `Config::default()` is what zero config means.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from (`None`: no file, defaults only).
    pub origin: Option<PathBuf>,
    /// Which artifacts to read.
    pub inputs: Inputs,
    /// Which policies to evaluate.
    pub policies: Policies,
    /// Data for policies (under `data.`).
    pub data: DataConfig,
    /// The built-in pack's knobs.
    pub thresholds: Thresholds,
    /// Whether warnings fail the gate.
    pub fail_on: FailOn,
    /// Accepted findings.
    pub waivers: Vec<Waiver>,
    /// Signature checks (`signatures:`).
    pub signatures: Vec<SignatureCheck>,
    /// Every path the file names, with where: an error about a path that does not exist
    /// points at the line of `verdict.yaml` that names it.
    pub listed: Vec<Listed>,
}

/// A path written in the configuration, and where.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The path, resolved against the file's folder.
    pub path: PathBuf,
    /// Where it is written: the file, line, column, key (`inputs.paths[1]`) and the line's
    /// text, as a diagnostic without a message.
    pub at: Box<crate::diag::Diagnostic>,
}

/// One `signatures:` entry: what must be signed, and by whom.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    /// Its name in evidence and messages: `signatures[0]` (or `signatures` for a single
    /// mapping).
    pub name: String,
    /// What to verify.
    pub subject: SignatureSubject,
    /// `key`: the public key that must verify (resolved against the file's folder).
    pub key: Option<PathBuf>,
    /// `certificate_identity` / `certificate_identity_regexp`.
    pub identity: Option<crate::sign::Matcher>,
    /// `certificate_oidc_issuer` / `certificate_oidc_issuer_regexp`.
    pub issuer: Option<crate::sign::Matcher>,
    /// `attestations`: predicate types that must be attested (URIs).
    pub attestations: Vec<String>,
    /// `trusted_root`: a Sigstore trusted_root.json instead of the public-good root.
    pub trusted_root: Option<PathBuf>,
    /// `ignore_tlog`: accept key signatures without a transparency-log entry.
    pub ignore_tlog: bool,
}

/// The subject of a signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureSubject {
    /// `image`: a registry reference (`${VAR}` expanded).
    Image(String),
    /// `blob`: a file, with `bundle` or `signature` (and `certificate`).
    Blob {
        /// The file.
        path: PathBuf,
        /// Its Sigstore bundle.
        bundle: Option<PathBuf>,
        /// Its detached signature.
        signature: Option<PathBuf>,
        /// The certificate of a detached keyless signature.
        certificate: Option<PathBuf>,
    },
}

/// `inputs:`.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files and folders to search (`inputs.paths`); empty means the working directory, or
    /// the command-line paths when given (those replace these).
    pub paths: Vec<PathBuf>,
    /// Files with an explicit kind (`inputs.named`), like `--input KIND=PATH`.
    pub named: Vec<NamedInput>,
    /// Kinds that must be present (`inputs.required`): a missing one makes the outcome an
    /// error, never a pass.
    pub required: Vec<Required>,
}

/// One `inputs.named` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedInput {
    /// The kind.
    pub kind: Kind,
    /// For `custom`, the name (`custom.NAME`).
    pub name: Option<String>,
    /// The file (relative to the config file's folder).
    pub path: PathBuf,
}

/// A required input: a kind, or `sbom` (CycloneDX or SPDX), or a named custom document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    /// At least one artifact of this kind.
    Kind(Kind),
    /// At least one SBOM, CycloneDX or SPDX.
    Sbom,
    /// The custom document of this name.
    Custom(String),
}

/// `policies:`.
#[derive(Debug, Clone)]
pub struct Policies {
    /// Evaluate the built-in pack (`policies.builtin`, default true).
    pub builtin: bool,
    /// Policy files and folders (`policies.paths`), relative to the config file's folder.
    pub paths: Vec<PathBuf>,
    /// Packages to evaluate besides the built-in ones (`policies.namespaces`, default `main`).
    pub namespaces: Vec<String>,
    /// Evaluate every package (`policies.all_namespaces`).
    pub all_namespaces: bool,
}

impl Default for Policies {
    fn default() -> Self {
        Policies {
            builtin: true,
            paths: Vec::new(),
            namespaces: vec!["main".to_owned()],
            all_namespaces: false,
        }
    }
}

/// `data:`.
#[derive(Debug, Clone, Default)]
pub struct DataConfig {
    /// JSON or YAML files merged under `data.` (`data.files`).
    pub files: Vec<PathBuf>,
    /// Inline values merged under `data.` (`data.values`), an object.
    pub values: Map<String, Value>,
}

/// What a finding class is: `fail`, `warn` or `ignore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Fails the gate.
    Fail,
    /// Reported as a warning.
    Warn,
    /// Not reported.
    Ignore,
}

impl Action {
    /// The word, as written in config and data.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Fail => "fail",
            Action::Warn => "warn",
            Action::Ignore => "ignore",
        }
    }
}

/// `thresholds:`: the built-in pack's knobs (`docs/policy.md`). `None` keeps the pack's
/// default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    /// `thresholds.tests.flaky`.
    pub tests_flaky: Option<Action>,
    /// `thresholds.vulnerabilities.severities`.
    pub vulnerability_severities: Option<Vec<Severity>>,
    /// `thresholds.vulnerabilities.unfixed`.
    pub vulnerability_unfixed: Option<Action>,
    /// `thresholds.vulnerabilities.unknown_severity`.
    pub vulnerability_unknown_severity: Option<Action>,
    /// `thresholds.misconfigurations.severities`.
    pub misconfiguration_severities: Option<Vec<Severity>>,
    /// `thresholds.misconfigurations.unknown_severity`.
    pub misconfiguration_unknown_severity: Option<Action>,
    /// `thresholds.secrets.severities`.
    pub secret_severities: Option<Vec<Severity>>,
    /// `thresholds.sbom.required`.
    pub sbom_required: Option<bool>,
    /// `thresholds.sbom.denied_licenses`.
    pub denied_licenses: Option<Vec<String>>,
    /// `thresholds.cost.budget_usd`.
    pub cost_budget_usd: Option<f64>,
}

impl Thresholds {
    /// The knobs that are set, as the `data` document the built-in pack reads
    /// (`{"verdict": {"config": {...}}}`); unset knobs are left out so the pack's defaults
    /// apply.
    pub fn to_data(&self) -> Value {
        let mut config = Map::new();
        let mut put = |section: &str, key: &str, value: Value| {
            let entry = config.entry(section.to_owned()).or_insert_with(|| json!({}));
            if let Some(obj) = entry.as_object_mut() {
                obj.insert(key.to_owned(), value);
            }
        };
        let sevs = |v: &[Severity]| Value::from(v.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        if let Some(a) = self.tests_flaky {
            put("tests", "flaky", a.as_str().into());
        }
        if let Some(v) = &self.vulnerability_severities {
            put("vulnerabilities", "severities", sevs(v));
        }
        if let Some(a) = self.vulnerability_unfixed {
            put("vulnerabilities", "unfixed", a.as_str().into());
        }
        if let Some(a) = self.vulnerability_unknown_severity {
            put("vulnerabilities", "unknown_severity", a.as_str().into());
        }
        if let Some(v) = &self.misconfiguration_severities {
            put("misconfigurations", "severities", sevs(v));
        }
        if let Some(a) = self.misconfiguration_unknown_severity {
            put("misconfigurations", "unknown_severity", a.as_str().into());
        }
        if let Some(v) = &self.secret_severities {
            put("secrets", "severities", sevs(v));
        }
        if let Some(b) = self.sbom_required {
            put("sbom", "required", b.into());
        }
        if let Some(l) = &self.denied_licenses {
            put("sbom", "denied_licenses", l.clone().into());
        }
        if let Some(b) = self.cost_budget_usd {
            put("cost", "budget_usd", b.into());
        }
        json!({ "verdict": { "config": config } })
    }
}

/// `fail_on:` (and `--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Only failures fail the gate (warnings exit 0).
    #[default]
    Fail,
    /// Warnings fail the gate too.
    Warn,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the knobs that are set reach the pack's data.
    #[test]
    fn thresholds_to_data() {
        let t = Thresholds {
            tests_flaky: Some(Action::Fail),
            vulnerability_severities: Some(vec![Severity::Critical]),
            cost_budget_usd: Some(40.0),
            ..Thresholds::default()
        };
        assert_eq!(
            t.to_data(),
            json!({"verdict": {"config": {
                "tests": {"flaky": "fail"},
                "vulnerabilities": {"severities": ["CRITICAL"]},
                "cost": {"budget_usd": 40.0}
            }}})
        );
        assert_eq!(Thresholds::default().to_data(), json!({"verdict": {"config": {}}}));
    }
}
