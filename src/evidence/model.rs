//! The record types of the evidence document. Field docs here become the descriptions in the
//! committed JSON Schema; `docs/evidence.md` explains them with examples.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The path of the artifact a record came from, shared by all records of that artifact.
pub type SourcePath = Arc<str>;

/// One normalized document holding everything a pipeline's artifacts said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Always `verdict/evidence/v1` for this shape.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// Where and by what the document was made.
    pub meta: Meta,
    /// Every artifact that was read, in path order.
    pub sources: Vec<Source>,
    /// XML or JSON files that were examined but are of no known kind (other files, such as
    /// source code or binaries, are only counted in `meta.discovery`).
    pub skipped: Vec<Skipped>,
    /// Test results from JUnit XML.
    pub tests: Tests,
    /// Vulnerabilities reported by scanners (Trivy).
    pub vulnerabilities: Vec<Vulnerability>,
    /// Infrastructure-as-code checks (Checkov, Trivy misconfiguration scanning): failed, passed
    /// and skipped.
    pub misconfigurations: Vec<Misconfiguration>,
    /// Secrets found by scanners. The secret itself is never copied into evidence.
    pub secrets: Vec<Secret>,
    /// License findings of license scanners (Trivy `--scanners license`).
    pub licenses: Vec<LicenseFinding>,
    /// Components listed by SBOMs (CycloneDX, SPDX), nested components included.
    pub components: Vec<Component>,
    /// The dependency graph of the SBOMs.
    pub dependencies: Vec<Dependency>,
    /// Other JSON artifacts, named with `--input custom:NAME=PATH`, under their name.
    pub custom: BTreeMap<String, serde_json::Value>,
    /// One entry per signature check (`signatures:` in `verdict.yaml`): verified or not, and
    /// why not. Empty when no check is configured.
    pub signatures: Vec<Signature>,
    /// The in-toto statements whose signature verified against their check's signer; an
    /// attestation that did not verify is never here (its check in `signatures` says why).
    pub attestations: Vec<Attestation>,
    /// Records read but not kept ([`crate::evidence::Keep::Judged`]), counted so that what is
    /// said about the artifacts still covers all of them. Not part of the document.
    #[serde(skip)]
    pub unkept: Unkept,
}

/// How many records of each kind were read but not kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unkept {
    /// Infrastructure-as-code checks that did not fail (passed, skipped, excepted).
    pub misconfigurations: usize,
    /// How many of those were suppressed: skipped in the code (Checkov's `skip` comment) or
    /// under an exception (Trivy's).
    pub suppressed_misconfigurations: usize,
    /// Vulnerabilities of a severity the built-in pack does not block, by severity (in the
    /// order of [`Severity::ALL`]).
    pub vulnerabilities: [usize; 6],
    /// How many of those had a fixed version.
    pub fixable_vulnerabilities: usize,
    /// Secrets a scanner found and was told to leave out (Trivy's `.trivyignore`, listed with
    /// `--show-suppressed`): not judged, but said, so that a change that adds a key and its
    /// ignore rule together does not read as "no secret".
    pub ignored_secrets: usize,
}

/// Where and by what the document was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The verdict version that wrote the document.
    pub verdict_version: String,
    /// The CI run, read from the CI system's environment variables.
    pub ci: Ci,
    /// What discovery looked at.
    pub discovery: Discovery,
}

/// The CI run the artifacts belong to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ci {
    /// `github`, `gitlab`, `other` (the `CI` variable is set) or `local`.
    pub system: String,
    /// `owner/name` (GitHub) or the project path (GitLab).
    pub repository: Option<String>,
    /// The branch or tag being built (the PR's head branch on pull requests).
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// The commit SHA being built.
    pub commit: Option<String>,
    /// The pull request (GitHub) or merge request IID (GitLab) number.
    pub pull_request: Option<u64>,
    /// A link to the CI run or job.
    pub run_url: Option<String>,
}

/// Counts of what discovery examined.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    /// Files examined (named inputs included).
    pub files_examined: u64,
    /// Files read as artifacts (`sources`).
    pub recognized: u64,
    /// XML or JSON files of no known kind (`skipped`).
    pub skipped_structured: u64,
    /// Files that are neither XML nor JSON (source code, binaries, logs), not listed.
    pub skipped_other: u64,
    /// The `target` and `node_modules` folders and the symbolic links met in a searched folder
    /// and not searched (`target/`, `web/node_modules/`, `bazel-testlogs@`), the first ten: a
    /// folder or link named by its own path is read.
    #[serde(default)]
    pub not_searched: Vec<String>,
}

/// The kinds of artifact verdict reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// JUnit XML test results, any dialect.
    Junit,
    /// Trivy JSON report (SchemaVersion 2).
    Trivy,
    /// Checkov JSON report.
    Checkov,
    /// CycloneDX SBOM, JSON or XML.
    Cyclonedx,
    /// SPDX 2.x SBOM, JSON.
    Spdx,
    /// Any other JSON, named explicitly.
    Custom,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Kind; 6] =
        [Kind::Junit, Kind::Trivy, Kind::Checkov, Kind::Cyclonedx, Kind::Spdx, Kind::Custom];

    /// The kind's name as written in the document and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Junit => "junit",
            Kind::Trivy => "trivy",
            Kind::Checkov => "checkov",
            Kind::Cyclonedx => "cyclonedx",
            Kind::Spdx => "spdx",
            Kind::Custom => "custom",
        }
    }

    /// A human description, for messages ("a Trivy JSON report").
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Junit => "a JUnit XML test report",
            Kind::Trivy => "a Trivy JSON report",
            Kind::Checkov => "a Checkov JSON report",
            Kind::Cyclonedx => "a CycloneDX SBOM",
            Kind::Spdx => "an SPDX JSON SBOM",
            Kind::Custom => "a JSON document",
        }
    }
}

/// The syntax an artifact is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

/// One artifact that was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The path as discovered or named (relative paths stay relative).
    pub path: String,
    /// What kind of artifact it is.
    pub kind: Kind,
    /// Its syntax.
    pub format: Format,
    /// For `custom` sources, the name it is stored under in `custom`.
    pub name: Option<String>,
    /// True when named with `--input KIND=PATH` rather than found by discovery.
    pub named: bool,
    /// The tool that wrote it, when the artifact says (or its dialect shows it).
    pub tool: Option<Tool>,
    /// The format version the artifact declares (`2` for Trivy, `1.6` for CycloneDX,
    /// `SPDX-2.3`), when it declares one.
    pub spec_version: Option<String>,
    /// What the artifact is about, when it says: the scanned image or folder (Trivy
    /// `ArtifactName`), the described component (CycloneDX `metadata.component`, as
    /// `name@version`), the SPDX document's `name`.
    pub subject: Option<String>,
    /// What kind of thing the subject is, when the artifact says: Trivy's `ArtifactType`
    /// (`container_image`, `filesystem`, `repository`, `vm`, `cyclonedx`, …). For an image,
    /// the findings inside it name it.
    #[serde(default)]
    pub subject_type: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Problems that did not stop reading the artifact (for example an SBOM that breaks its
    /// specification's schema).
    pub warnings: Vec<Warning>,
    /// For a Trivy report, how many of its targets (`Results[]`) are packages checked for
    /// vulnerabilities: `Class` `os-pkgs` or `lang-pkgs`, or no `Class` (older Trivy versions
    /// wrote none) unless the target holds another scanner's findings. `0` when it checked none: a `trivy config` scan, or a scan that found
    /// no operating system, lock file or binary to check. `null` for other kinds.
    #[serde(default)]
    pub package_targets: Option<u64>,
    /// For a Trivy scan of an image or a file system: the operating system it found
    /// (`Metadata.OS`), and whether its distribution has ended support for that release.
    #[serde(default)]
    pub os: Option<OperatingSystem>,
}

/// The operating system a scanner found in what it scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatingSystem {
    /// The distribution (`alpine`, `debian`, `ubuntu`, `centos`, …).
    pub family: String,
    /// Its release (`3.9.4`, `12.5`).
    pub name: String,
    /// The release is past its end of life (Trivy's `EOSL`): its packages get no more
    /// security fixes, and advisories published since may be missing from the scan.
    pub end_of_life: bool,
}

/// The tool that wrote an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Tool name, lower-case (`trivy`, `checkov`, `surefire`, `pytest`, `jest-junit`, …).
    pub name: String,
    /// Its version, when the artifact records it.
    pub version: Option<String>,
}

/// A problem in an artifact that did not stop verdict from reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// Stable code, documented in `docs/diagnostics.md`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Where in the artifact: a JSON path (`components[3].hashes[0]`) or an XML element path.
    pub path: Option<String>,
    /// 1-based line, when known.
    pub line: Option<u64>,
}

/// A file that was examined and is not a known artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// The path.
    pub path: String,
    /// Why it is not read.
    pub reason: String,
}

/// Test results merged from every JUnit file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tests {
    /// Counts of distinct tests: repeated `<testcase>` elements that nothing tells apart (a
    /// runner's reruns) count once, with the outcome of their last attempt.
    pub totals: TestTotals,
    /// Counts of `<testcase>` elements as written, each by its own most severe result.
    pub testcases: TestcaseTotals,
    /// Suites whose declared `tests`/`failures`/`errors`/`skipped` attributes disagree with
    /// their `<testcase>` elements. Counts always come from the elements.
    pub discrepancies: Vec<SuiteDiscrepancy>,
    /// One entry per distinct test, in file order.
    pub cases: Vec<TestCase>,
}

/// Counts of distinct tests. `passed + failed + errored + skipped == total`; `flaky` counts
/// tests (of any final status) whose attempts mixed passing and failing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestTotals {
    /// Distinct tests.
    pub total: u64,
    /// Whose last attempt passed.
    pub passed: u64,
    /// Whose last attempt failed (an assertion).
    pub failed: u64,
    /// Whose last attempt errored (the test could not run to an assertion).
    pub errored: u64,
    /// Whose last attempt was skipped or disabled.
    pub skipped: u64,
    /// That both passed and failed across their attempts.
    pub flaky: u64,
}

/// Counts of `<testcase>` elements. `passed + failed + errored + skipped == total`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestcaseTotals {
    /// `<testcase>` elements.
    pub total: u64,
    /// With no failure, error or skip.
    pub passed: u64,
    /// Whose most severe result is `<failure>`.
    pub failed: u64,
    /// Whose most severe result is `<error>`.
    pub errored: u64,
    /// Whose most severe result is `<skipped>`/`<disabled>`.
    pub skipped: u64,
}

/// A suite whose declared counts disagree with its `<testcase>` elements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteDiscrepancy {
    /// The JUnit file.
    pub source: SourcePath,
    /// The suite's `name` (`null` when it has none).
    pub suite: Option<String>,
    /// What the suite's attributes declare (`null` where an attribute is absent).
    pub declared: DeclaredCounts,
    /// What its `<testcase>` elements (nested suites included) hold.
    pub counted: CountedCounts,
    /// Failures and errors the attributes declare beyond those its testcases record: failures
    /// outside any test (a crash, a failing `afterAll`, a browser that disconnected). `0` when
    /// a test in the suite ran more than once, as its attributes may then count every attempt.
    #[serde(default)]
    pub unrecorded: u64,
}

/// Counts a `<testsuite>` element declares in its attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredCounts {
    /// `tests=`.
    pub tests: Option<u64>,
    /// `failures=`.
    pub failures: Option<u64>,
    /// `errors=`.
    pub errors: Option<u64>,
    /// `skipped=` (or `skip=`), plus `disabled=` when present.
    pub skipped: Option<u64>,
}

/// Counts taken from `<testcase>` elements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountedCounts {
    /// `<testcase>` elements.
    pub tests: u64,
    /// Failed ones.
    pub failures: u64,
    /// Errored ones.
    pub errors: u64,
    /// Skipped ones.
    pub skipped: u64,
}

/// The outcome of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// Ran and passed.
    Passed,
    /// An assertion failed (`<failure>`).
    Failed,
    /// Could not run to an assertion (`<error>`).
    Errored,
    /// Skipped or disabled.
    Skipped,
}

/// One distinct test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Stable id: suite, class name, test name and the test's source file (not the report's
    /// path, nor any line).
    pub fingerprint: String,
    /// The JUnit file.
    pub source: SourcePath,
    /// `name` of the nearest enclosing `<testsuite>`.
    pub suite: Option<Arc<str>>,
    /// `classname` attribute.
    pub classname: Option<String>,
    /// `name` attribute (empty when the runner wrote none).
    pub name: String,
    /// The test's source file (`file` attribute), when the runner writes it.
    pub file: Option<String>,
    /// The test's line in `file` (`line` attribute), when the runner writes it.
    pub line: Option<u64>,
    /// Outcome of the last attempt.
    pub status: TestStatus,
    /// Seconds the last attempt took (`time` attribute), when present and readable.
    pub duration_s: Option<f64>,
    /// The failure, error or skip message of the last attempt (for a flaky test that passed,
    /// of its last failing attempt): the `message` attribute, else the first line of the body.
    /// At most 4 KiB.
    pub message: Option<String>,
    /// The body of that result element (stack trace, captured output), at most 16 KiB.
    pub details: Option<String>,
    /// The `type` attribute of that result element (exception class).
    pub failure_type: Option<String>,
    /// Attempts recorded: repeated `<testcase>` elements plus Surefire/nextest
    /// `flakyFailure`/`flakyError`/`rerunFailure`/`rerunError` reruns.
    pub attempts: u32,
    /// True when attempts both passed and failed.
    pub flaky: bool,
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Severity {
    /// CRITICAL.
    #[serde(rename = "CRITICAL")]
    Critical,
    /// HIGH.
    #[serde(rename = "HIGH")]
    High,
    /// MEDIUM (GitHub's MODERATE).
    #[serde(rename = "MEDIUM")]
    Medium,
    /// LOW.
    #[serde(rename = "LOW")]
    Low,
    /// INFO.
    #[serde(rename = "INFO")]
    Info,
    /// The scanner said UNKNOWN.
    #[serde(rename = "UNKNOWN")]
    Unknown,
}

/// A package as a vulnerability scanner names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Installed version.
    pub version: Option<String>,
    /// Package URL, when the scanner gives one.
    pub purl: Option<String>,
    /// Ecosystem or OS family (`npm`, `pip`, `debian`, …).
    #[serde(rename = "type")]
    pub package_type: Option<String>,
    /// Where the package was found inside the target (jar inside an image, …).
    pub path: Option<String>,
}

/// One CVSS vector and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cvss {
    /// Who scored it (`nvd`, `ghsa`, `redhat`, …).
    pub source: String,
    /// CVSS version (`2`, `3`, `4`).
    pub version: String,
    /// The vector string, when given.
    pub vector: Option<String>,
    /// The base score, when given.
    pub score: Option<f64>,
}

/// A vulnerability in a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    /// Stable id: advisory id, package (purl, else name and version) and target.
    pub fingerprint: String,
    /// The report.
    pub source: SourcePath,
    /// What was scanned: lockfile, image layer OS, … (Trivy `Target`).
    pub target: Option<String>,
    /// Advisory id (`CVE-2024-1234`, `GHSA-…`).
    pub id: String,
    /// Other ids of the same advisory (vendor ids).
    pub aliases: Vec<String>,
    /// The affected package.
    pub package: Package,
    /// The scanner's fixed-version text as written (may list several versions).
    pub fixed_version: Option<String>,
    /// `fixed_version` split into single versions; empty when there is no fix.
    pub fixed_versions: Vec<String>,
    /// Severity as the scanner decided it.
    pub severity: Severity,
    /// Whose rating the severity is (`nvd`, `ghsa`, a distribution).
    pub severity_source: Option<String>,
    /// CVSS scores by source.
    pub cvss: Vec<Cvss>,
    /// Fix status (`fixed`, `affected`, `will_not_fix`, `fix_deferred`, `end_of_life`, …).
    pub status: Option<String>,
    /// Short title.
    pub title: Option<String>,
    /// The advisory's main link.
    pub url: Option<String>,
    /// CWE ids.
    pub cwe_ids: Vec<String>,
    /// When the advisory was published (RFC 3339), when given.
    pub published: Option<String>,
}

/// Status of an infrastructure-as-code check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The resource breaks the check.
    Failed,
    /// The resource passes it.
    Passed,
    /// The check was suppressed in the code (Checkov `skip` comment).
    Skipped,
    /// An exception in the scanner's policy applies (Trivy `EXCEPTION`).
    Exception,
}

/// One infrastructure-as-code check result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Misconfiguration {
    /// Stable id: check id, resource and file (not the line).
    pub fingerprint: String,
    /// The report.
    pub source: SourcePath,
    /// The scanner (`checkov`, `trivy`).
    pub tool: String,
    /// Framework or file type (`terraform`, `kubernetes`, `dockerfile`, …).
    pub framework: Option<String>,
    /// Check id (`CKV_AWS_18`, `AVD-AWS-0089`, `KSV001`).
    pub check_id: String,
    /// Other ids of the same check (Trivy's AVD id).
    pub aliases: Vec<String>,
    /// What the check requires.
    pub title: Option<String>,
    /// Severity; `null` when the scanner gives none (Checkov without a platform key).
    pub severity: Option<Severity>,
    /// Whether the resource failed, passed or was exempted.
    pub status: CheckStatus,
    /// The resource (`aws_s3_bucket.logs`, `Deployment.default.web`).
    pub resource: Option<String>,
    /// The file holding the resource, as the scanner wrote it.
    pub file: Option<String>,
    /// First line of the resource in `file`.
    pub start_line: Option<u64>,
    /// Last line of the resource in `file`.
    pub end_line: Option<u64>,
    /// Where the check is explained.
    pub guideline: Option<String>,
    /// How to fix it, when the scanner says.
    pub resolution: Option<String>,
    /// The scanner's message about this resource.
    pub message: Option<String>,
    /// Why it was skipped (the suppression comment), for skipped checks.
    pub skip_reason: Option<String>,
    /// Where the module holding the resource is called from, when the resource is in a
    /// Terraform module (a registry's, a repository's, another folder's): the `module` block
    /// in the code that calls it, where the change (its inputs) or the skip comment goes.
    #[serde(default)]
    pub called_from: Option<CallSite>,
}

/// A `module` block that calls a module (see [`Misconfiguration::called_from`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallSite {
    /// The file holding the block, as the scanner wrote it.
    pub file: String,
    /// The block (`module.bucket`), when the scanner names it.
    pub resource: Option<String>,
    /// Its first line.
    pub start_line: Option<u64>,
    /// Its last line.
    pub end_line: Option<u64>,
}

/// A secret found in a file. Neither the secret nor the matched text is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// Stable id: rule and file. Never derived from the secret or the matched text.
    pub fingerprint: String,
    /// The report.
    pub source: SourcePath,
    /// The scanner.
    pub tool: String,
    /// The file holding the secret.
    pub target: String,
    /// Rule id (`aws-access-key-id`).
    pub rule_id: String,
    /// Rule category (`AWS`, `GitHub`).
    pub category: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Rule title.
    pub title: Option<String>,
    /// First line of the match.
    pub start_line: Option<u64>,
    /// Last line of the match.
    pub end_line: Option<u64>,
}

/// A license a license scanner found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseFinding {
    /// Stable id: license, package or file, and target.
    pub fingerprint: String,
    /// The report.
    pub source: SourcePath,
    /// The scanner.
    pub tool: String,
    /// What was scanned.
    pub target: Option<String>,
    /// The license (SPDX id when known).
    pub name: String,
    /// The package it applies to, for package licenses.
    pub package: Option<String>,
    /// The file it was found in, for file licenses.
    pub file: Option<String>,
    /// The scanner's category (`restricted`, `notice`, `unknown`, …).
    pub category: Option<String>,
    /// Severity the scanner gives the category.
    pub severity: Option<Severity>,
    /// Match confidence, 0 to 1, for file licenses.
    pub confidence: Option<f64>,
    /// The license text's link.
    pub url: Option<String>,
}

/// A license of a component: exactly one of `id`, `name` and `expression` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// An SPDX license id (`MIT`).
    pub id: Option<String>,
    /// A license name that is not an SPDX id.
    pub name: Option<String>,
    /// An SPDX license expression (`MIT OR Apache-2.0`).
    pub expression: Option<String>,
    /// `declared` or `concluded`, when the SBOM says.
    pub acknowledgement: Option<String>,
}

/// A hash of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hash {
    /// Algorithm as the SBOM names it (`SHA-256`, `SHA256`).
    pub alg: String,
    /// Hex digest.
    pub content: String,
}

/// One component of an SBOM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Stable id: purl, else type, group, name and version.
    pub fingerprint: String,
    /// The SBOM.
    pub source: SourcePath,
    /// The SBOM's own id for it (CycloneDX `bom-ref`, SPDX `SPDXID`).
    pub bom_ref: Option<String>,
    /// `library`, `application`, `framework`, `container`, `operating-system`, `file`, …
    #[serde(rename = "type")]
    pub component_type: Option<String>,
    /// Name.
    pub name: String,
    /// Group, namespace or vendor.
    pub group: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE.
    pub cpe: Option<String>,
    /// Licenses.
    pub licenses: Vec<License>,
    /// Hashes.
    pub hashes: Vec<Hash>,
    /// `required`, `optional` or `excluded`, when given.
    pub scope: Option<String>,
    /// Supplier name.
    pub supplier: Option<String>,
    /// The `bom_ref` of the component this one is nested in.
    pub parent: Option<String>,
}

/// One node of an SBOM's dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The SBOM.
    pub source: SourcePath,
    /// The depending component's `bom_ref`.
    #[serde(rename = "ref")]
    pub dependency_ref: String,
    /// The `bom_ref`s it depends on.
    pub depends_on: Vec<String>,
}

/// The records one artifact contributes; merged into [`Evidence`] with [`Evidence::absorb`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    /// Tests.
    pub tests: Tests,
    /// Vulnerabilities.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Misconfigurations.
    pub misconfigurations: Vec<Misconfiguration>,
    /// Secrets.
    pub secrets: Vec<Secret>,
    /// License findings.
    pub licenses: Vec<LicenseFinding>,
    /// Components.
    pub components: Vec<Component>,
    /// Dependencies.
    pub dependencies: Vec<Dependency>,
    /// Custom documents by name.
    pub custom: BTreeMap<String, serde_json::Value>,
    /// Records read but not kept.
    pub unkept: Unkept,
}

/// What a signature check verified: an image in a registry or a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    /// A container image (`registry/repository:tag` or `@sha256:…`).
    Image,
    /// A file (or a `sha256:` digest standing for one).
    Blob,
}

/// Why a signature check did not verify: one reason, the most telling one found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No signature (or no attestation of the required type) was found.
    NoSignature,
    /// A signature was found but it was made with another key than the one given.
    WrongKey,
    /// Signed with a certificate whose identity (SAN) is not the expected one.
    IdentityMismatch,
    /// Signed with a certificate whose OIDC issuer is not the expected one.
    IssuerMismatch,
    /// The signed content was changed after signing: the signature no longer matches it.
    PayloadTampered,
    /// The signature is valid but for another artifact or image digest.
    DigestMismatch,
    /// The certificate was not valid at any time verdict can trust: it has expired and no
    /// transparency-log entry or timestamp proves it was used while valid.
    CertificateExpired,
    /// The certificate (or the transparency log) does not chain to the trusted root.
    UntrustedRoot,
    /// Transparency-log evidence is required but missing.
    NoTransparencyLog,
    /// The transparency-log entry, inclusion proof, checkpoint or timestamp does not verify.
    TransparencyLogInvalid,
    /// The signature material is malformed or of an unsupported kind.
    InvalidSignature,
    /// The registry could not be reached (connection, timeout, server error).
    RegistryUnreachable,
    /// The registry refused access (401/403): credentials are missing or insufficient.
    RegistryDenied,
}

impl Reason {
    /// The snake_case name, as in the evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoSignature => "no_signature",
            Reason::WrongKey => "wrong_key",
            Reason::IdentityMismatch => "identity_mismatch",
            Reason::IssuerMismatch => "issuer_mismatch",
            Reason::PayloadTampered => "payload_tampered",
            Reason::DigestMismatch => "digest_mismatch",
            Reason::CertificateExpired => "certificate_expired",
            Reason::UntrustedRoot => "untrusted_root",
            Reason::NoTransparencyLog => "no_transparency_log",
            Reason::TransparencyLogInvalid => "transparency_log_invalid",
            Reason::InvalidSignature => "invalid_signature",
            Reason::RegistryUnreachable => "registry_unreachable",
            Reason::RegistryDenied => "registry_denied",
        }
    }

    /// Whether the check could not be made at all (an infrastructure problem, exit 3) rather
    /// than made and failed.
    pub fn is_infrastructure(self) -> bool {
        matches!(self, Reason::RegistryUnreachable | Reason::RegistryDenied)
    }
}

/// Who signed: a certificate identity and issuer (keyless), or a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The certificate's identity (its SAN: a URI such as a workflow, or an email).
    pub identity: Option<String>,
    /// The certificate's OIDC issuer.
    pub issuer: Option<String>,
    /// The key, as `sha256:` + the hex SHA-256 of its DER public key (for a key pair, or the
    /// certificate's key).
    pub key: Option<String>,
    /// CI claims Fulcio put in the certificate (`source_repository_uri`, `source_repository_ref`,
    /// `source_repository_digest`, `build_trigger`, `run_invocation_uri`, …), when present.
    pub claims: BTreeMap<String, String>,
}

/// What a check required of the signer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The exact identity required.
    pub identity: Option<String>,
    /// The identity pattern required (a regular expression, unanchored as in cosign).
    pub identity_regexp: Option<String>,
    /// The exact OIDC issuer required.
    pub issuer: Option<String>,
    /// The OIDC issuer pattern required.
    pub issuer_regexp: Option<String>,
    /// The key required (`sha256:` + hex SHA-256 of the DER public key), for key checks.
    pub key: Option<String>,
}

/// A transparency-log (Rekor) entry that vouches for a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RekorEntry {
    /// The entry's index in the log.
    pub log_index: u64,
    /// The log's id (hex SHA-256 of its public key).
    pub log_id: String,
    /// Entry kind and version (`hashedrekord/0.0.1`, `dsse/0.0.1`, `intoto/0.0.2`).
    pub kind: String,
    /// When the log recorded it (RFC 3339), for logs that say.
    pub integrated_time: Option<String>,
}

/// The result of one signature check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Which check this is (`signatures[0]` of `verdict.yaml`, or `command line`).
    pub check: String,
    /// `image` or `blob`.
    pub kind: SubjectKind,
    /// The subject as the check names it: image reference or file path.
    pub subject: String,
    /// The digest that was verified (`sha256:…`); for images, resolved from the registry.
    pub digest: Option<String>,
    /// For an attestation check, the predicate type required; `null` for a signature.
    pub predicate_type: Option<String>,
    /// Whether a signature (or attestation) verified against the check's requirements.
    pub verified: bool,
    /// Who signed: the verified signer, or (when the signer was not the expected one) who
    /// actually signed.
    pub signer: Option<Signer>,
    /// What the check required.
    pub expected: Expected,
    /// The transparency-log entry of the verified signature.
    pub rekor: Option<RekorEntry>,
    /// Why it did not verify; `null` when verified.
    pub reason: Option<Reason>,
    /// What went wrong, in words; `null` when verified.
    pub error: Option<String>,
    /// How many signatures (or attestations) were found and tried.
    pub candidates: u32,
}

/// One subject of an in-toto statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementSubject {
    /// The subject's name.
    pub name: String,
    /// Its digests by algorithm (`sha256` → hex).
    pub digest: BTreeMap<String, String>,
}

/// A verified in-toto attestation (SLSA provenance, an SBOM, a vulnerability scan, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The check that verified it.
    pub check: String,
    /// The image or file it is about, as the check names it.
    pub subject: String,
    /// The verified digest of that subject.
    pub digest: Option<String>,
    /// The predicate type (`https://slsa.dev/provenance/v1`, `https://cyclonedx.org/bom`, …).
    pub predicate_type: String,
    /// The statement's subjects.
    pub statement_subjects: Vec<StatementSubject>,
    /// The predicate, as signed.
    pub predicate: serde_json::Value,
    /// Who signed it.
    pub signer: Signer,
    /// Its transparency-log entry.
    pub rekor: Option<RekorEntry>,
}
