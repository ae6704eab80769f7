//! Trivy JSON (SchemaVersion 2) → vulnerabilities, misconfigurations, secrets, licenses.
//!
//! Owns: Trivy's field names, its severity and status words and their mapping to evidence.
//! Image, filesystem, repository, VM and SBOM scans share one shape: `Results[]`, one per
//! target (lockfile, OS layer, config file), each with optional `Vulnerabilities`,
//! `Misconfigurations`, `Secrets` and `Licenses` (absent, `null` or empty all mean none).
//! `Results` is streamed one target at a time.
//! Takes a reader and a [`Cx`]; returns [`Parsed`] or an [`IngestError`] with a location.
//! Must not: open files, decide pass or fail, print, or use the network.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::json::{self, ForEach, Text, bad_value, cap, list, non_empty};
use super::{Code, Cx, Facts, IngestError, Parsed, caps};
use crate::evidence::{
    CallSite, CheckStatus, Cvss, LicenseFinding, Misconfiguration, Package, Records, Secret, Severity, Tool,
    Vulnerability, fingerprint,
};

const REGENERATE: &str = "`trivy image|fs|repo --format json --output trivy.json …`";

/// Parses a Trivy JSON report.
pub fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let unsupported = Cell::new(Refused::No);
    json::read_seed(reader, cx.size, || Whole { cx, unsupported: &unsupported }, REGENERATE).map_err(
        |mut e| {
            let help = match unsupported.get() {
                Refused::No => return e,
                Refused::Version => format!(
                    "verdict reads the JSON of Trivy 0.20 and later (SchemaVersion 2); upgrade Trivy and \
                     regenerate the report: {REGENERATE}"
                ),
                Refused::Cluster => "scan what the change ships instead: its images with `trivy image --format json \
                     --output trivy-image.json IMAGE` and its manifests with `trivy config --format json --output \
                     trivy-config.json DIR`"
                    .to_owned(),
            };
            e.code = Code::UnsupportedVersion;
            e.help = Some(help);
            e
        },
    )
}

/// Why a document that is Trivy's was refused as a shape verdict does not read.
#[derive(Clone, Copy)]
enum Refused {
    No,
    /// The JSON of Trivy before 0.20, or another `SchemaVersion`.
    Version,
    /// A `trivy k8s` cluster report.
    Cluster,
}

/// The whole document, read into a fresh [`Parsed`] (a document is read a second time to
/// locate an error: see [`json::read_seed`]).
struct Whole<'a, 'c> {
    cx: &'a Cx<'c>,
    /// Set when the document is refused as a shape of Trivy's JSON verdict does not read.
    unsupported: &'a Cell<Refused>,
}

impl<'de> de::DeserializeSeed<'de> for Whole<'_, '_> {
    type Value = Parsed;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        let mut out = Parsed::default();
        Report { cx: self.cx, out: &mut out, unsupported: self.unsupported }.deserialize(d)?;
        Ok(out)
    }
}

/// The top-level object, visited key by key so that `Results` streams.
struct Report<'a, 'c> {
    cx: &'a Cx<'c>,
    out: &'a mut Parsed,
    unsupported: &'a Cell<Refused>,
}

impl<'de> de::DeserializeSeed<'de> for Report<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

#[derive(Deserialize)]
struct TrivyInfo {
    #[serde(rename = "Version", default, deserialize_with = "non_empty")]
    version: Option<String>,
}

impl<'de> Visitor<'de> for Report<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy JSON report (an object with SchemaVersion and Results)")
    }

    /// Trivy before 0.20 wrote a bare array of results: refused as another version, so that
    /// the run stops rather than passing without the scan.
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.unsupported.set(Refused::Version);
        Err(bad_value(
            "a bare array of results, the JSON of Trivy before 0.20",
            "an object with SchemaVersion 2 and Results",
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Report { cx, out, unsupported } = self;
        let mut schema_version = None;
        let mut version = None;
        let mut package_targets = 0;
        let mut os = None;
        let mut keys = json::Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            keys.first(&key)?;
            match key.as_str() {
                "SchemaVersion" => {
                    let v: u64 = map.next_value()?;
                    if v != 2 {
                        unsupported.set(Refused::Version);
                        return Err(bad_value(
                            format!("unsupported Trivy SchemaVersion {v}"),
                            "SchemaVersion 2 (written by Trivy 0.20 and later)",
                        ));
                    }
                    schema_version = Some(v);
                }
                "Trivy" => {
                    let info: Option<TrivyInfo> = map.next_value()?;
                    version = info.and_then(|i| i.version);
                }
                // `trivy k8s --format json`: findings per cluster resource, in another shape.
                "ClusterName" | "Resources" => {
                    unsupported.set(Refused::Cluster);
                    return Err(bad_value(
                        "a `trivy k8s` cluster report (ClusterName and Resources), which verdict does not read",
                        "a report of `trivy image`, `trivy fs`, `trivy repo` or `trivy config` (an object with SchemaVersion 2 and Results)",
                    ));
                }
                "ArtifactName" => {
                    let name: Option<String> = map.next_value()?;
                    out.facts.subject = name.filter(|n| !n.is_empty());
                }
                "ArtifactType" => {
                    let kind: Option<String> = map.next_value()?;
                    out.facts.subject_type = kind.filter(|k| !k.is_empty());
                }
                // Only the operating system: the rest (the image's config and layers) is skipped.
                "Metadata" => {
                    let metadata: Option<TrivyMetadata> = map.next_value()?;
                    os = metadata.and_then(|m| m.os).and_then(TrivyOs::known);
                }
                "Results" => {
                    let subject = out.facts.subject.as_deref();
                    // An absolute folder inside the workspace is placed by it.
                    let name =
                        subject.and_then(|s| cx.in_workspace(s)).or_else(|| subject.map(str::to_owned));
                    let folder = scanned_folder(name.as_deref(), out.facts.subject_type.as_deref());
                    let mut each = ResultSeed {
                        cx,
                        out: &mut out.records,
                        package_targets: &mut package_targets,
                        folder: folder.as_deref(),
                    };
                    map.next_value_seed(json::EachSeed(&mut each))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if schema_version.is_none() {
            unsupported.set(Refused::Version);
            return Err(de::Error::missing_field("SchemaVersion"));
        }
        out.facts = Facts {
            tool: Some(Tool { name: "trivy".into(), version }),
            spec_version: Some("2".into()),
            subject: out.facts.subject.take(),
            subject_type: out.facts.subject_type.take(),
            warnings: Vec::new(),
            package_targets: Some(package_targets),
            os,
        };
        Ok(())
    }
}

/// One target of `Results`, visited key by key: its vulnerabilities, by far the bulk of a
/// report, become records one at a time as they are read, while the text they were lent is
/// still in the cache. Collected whole and converted afterwards (as serde's derive would),
/// each record's strings were read a second time from memory: a sixth of reading Trivy.
struct ResultSeed<'a, 'c> {
    cx: &'a Cx<'c>,
    out: &'a mut Records,
    /// Counts the results whose target is packages checked for vulnerabilities.
    package_targets: &'a mut u64,
    /// The folder scanned, which each `Target` is relative to (see [`scanned_folder`]).
    folder: Option<&'a str>,
}

/// The folder a scan of the file system was given, relative to where Trivy ran (the checkout,
/// in CI): `trivy config services/shop/infra` names its files `main.tf`, and the scanned
/// folder (`ArtifactName`) is what places them in the repository, so that two services' files
/// of one name are two files, with two fingerprints. `None` for the current folder, an
/// absolute path (where the checkout was is not known) and anything that is not a file
/// system scan (an image's files are inside the image). `ArtifactName` and `ArtifactType`
/// come before `Results` in Trivy's output, and in any key-sorted copy of it.
fn scanned_folder(name: Option<&str>, kind: Option<&str>) -> Option<String> {
    let name = name?.trim();
    if !matches!(kind?, "filesystem" | "repository") || name.starts_with('/') || name.contains("://") {
        return None;
    }
    let folder = name.trim_start_matches("./").trim_end_matches('/');
    (!folder.is_empty() && folder != "." && !folder.split('/').any(|p| p == "..")).then(|| folder.to_owned())
}

/// `Target` placed in the repository: the scanned folder before it, unless the scan was of
/// that one file (`trivy config infra/main.tf` names it `main.tf` or by its whole path).
fn in_folder(folder: Option<&str>, target: String) -> String {
    let Some(f) = folder else { return target };
    if target.is_empty() || target.starts_with('/') || f == target {
        return target;
    }
    if f.ends_with(&format!("/{target}")) { f.to_owned() } else { format!("{f}/{target}") }
}

impl<'de> de::DeserializeSeed<'de> for &mut ResultSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// What a result says about the target its findings were found in.
#[derive(Default)]
struct Target {
    /// `Target` as written, blank or not: what a secret's target and fingerprint take.
    written: String,
    /// `Target`, when not blank.
    name: Option<String>,
    /// `Type`: the package type of a lockfile or OS, the framework of a config file.
    result_type: Option<String>,
    /// The folder scanned, before `Target` and the other files of the result.
    folder: Option<String>,
}

impl<'de> Visitor<'de> for &mut ResultSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy result (an object with Target and its findings)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (cx, out) = (self.cx, &mut *self.out);
        let mut keys = json::Keys::default();
        let mut target = Target { folder: self.folder.map(str::to_owned), ..Target::default() };
        // Vulnerabilities read before `Target` or `Type` (Trivy writes both first; JSON does
        // not promise it) are completed once the whole result is read: from this index on.
        let mut incomplete = None;
        let mut misconfigurations = Vec::new();
        let mut misconf_summary = None;
        let mut secrets = Vec::new();
        let mut licenses = Vec::new();
        let mut class: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            keys.first(&key)?;
            match key.as_str() {
                "Target" => {
                    target.written = in_folder(self.folder, map.next_value()?);
                    target.name = Some(target.written.clone()).filter(|t| !t.is_empty());
                }
                "Type" => {
                    let word: Option<String> = map.next_value()?;
                    target.result_type = word.filter(|w| !w.trim().is_empty());
                }
                "Vulnerabilities" => {
                    if !(keys.contains("Target") && keys.contains("Type")) && incomplete.is_none() {
                        incomplete = Some(out.vulnerabilities.len());
                    }
                    let mut each = |v: TrivyVuln<'de>| convert_vulnerability(v, cx, &target, out);
                    map.next_value_seed(ForEach::new(&mut each))?;
                }
                "Class" => class = map.next_value()?,
                "Misconfigurations" => {
                    let listed: Vec<TrivyMisconf> = map.next_value::<Option<_>>()?.unwrap_or_default();
                    misconfigurations.extend(listed);
                }
                // What Trivy was told to leave out (--show-suppressed): its checks are kept as
                // skipped, with the statement, so that the reports show each.
                "ExperimentalModifiedFindings" => {
                    let modified: Vec<ModifiedFinding> = map.next_value::<Option<_>>()?.unwrap_or_default();
                    for (i, m) in modified.into_iter().enumerate() {
                        if m.kind.as_deref() == Some("secret") {
                            out.unkept.ignored_secrets += 1;
                            continue;
                        }
                        match m.check() {
                            Ok(check) => misconfigurations.extend(check),
                            Err(why) => {
                                return Err(bad_value(
                                    format!("ExperimentalModifiedFindings[{i}]: {why}"),
                                    "a finding Trivy left out: Type, Status, Statement, Source and the Finding as in Misconfigurations",
                                ));
                            }
                        }
                    }
                }
                "MisconfSummary" => misconf_summary = map.next_value()?,
                "Secrets" => secrets = map.next_value::<Option<_>>()?.unwrap_or_default(),
                "Licenses" => licenses = map.next_value::<Option<_>>()?.unwrap_or_default(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(first) = incomplete {
            for v in out.vulnerabilities.get_mut(first..).into_iter().flatten() {
                complete_vulnerability(v, &target);
            }
        }
        // Packages checked for vulnerabilities: an OS's or a lock file's. A result without a
        // `Class` (older Trivy versions wrote none) counts unless it holds another scanner's
        // findings: absence of a scan is claimed only when the report shows it.
        let packages = match class.as_deref() {
            Some(c) => c == "os-pkgs" || c == "lang-pkgs",
            None => misconfigurations.is_empty() && secrets.is_empty() && licenses.is_empty(),
        };
        *self.package_targets += u64::from(packages);
        let rest = Rest { misconfigurations, misconf_summary, secrets, licenses };
        convert_rest(rest, cx, &target, out);
        Ok(())
    }
}

/// The report's `Metadata`, of which only `OS` is read.
#[derive(Deserialize)]
struct TrivyMetadata {
    #[serde(rename = "OS", default)]
    os: Option<TrivyOs>,
}

/// `Metadata.OS`: `{"Family": "alpine", "Name": "3.9.4", "EOSL": true}`.
#[derive(Deserialize)]
struct TrivyOs {
    #[serde(rename = "Family", default)]
    family: Option<String>,
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "EOSL", default)]
    eosl: Option<bool>,
}

impl TrivyOs {
    /// The operating system, when Trivy found one (it writes `{"Family": "none"}` when not).
    fn known(self) -> Option<crate::evidence::OperatingSystem> {
        let family = self.family.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty() && f != "none")?;
        Some(crate::evidence::OperatingSystem {
            family: cap(family, caps::MESSAGE),
            name: cap(self.name.unwrap_or_default().trim().to_owned(), caps::MESSAGE),
            end_of_life: self.eosl.unwrap_or(false),
        })
    }
}

/// A result's findings other than vulnerabilities: few, and read whole.
struct Rest {
    misconfigurations: Vec<TrivyMisconf>,
    misconf_summary: Option<MisconfSummary>,
    secrets: Vec<TrivySecret>,
    licenses: Vec<TrivyLicense>,
}

/// A Trivy severity word, checked while reading so that an error points at it.
struct Sev(Severity);

impl<'de> Deserialize<'de> for Sev {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(word) = Text::deserialize(d)?;
        Severity::parse(&word)
            .map(Sev)
            .ok_or_else(|| bad_value(format!("unexpected severity {word:?}"), Severity::expected()))
    }
}

#[derive(Deserialize)]
struct PkgIdentifier<'a> {
    #[serde(rename = "PURL", default, borrow)]
    purl: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
struct CvssEntry<'a> {
    #[serde(rename = "V2Vector", default, borrow)]
    v2_vector: Option<Text<'a>>,
    #[serde(rename = "V2Score")]
    v2_score: Option<f64>,
    #[serde(rename = "V3Vector", default, borrow)]
    v3_vector: Option<Text<'a>>,
    #[serde(rename = "V3Score")]
    v3_score: Option<f64>,
    #[serde(rename = "V40Vector", default, borrow)]
    v40_vector: Option<Text<'a>>,
    #[serde(rename = "V40Score")]
    v40_score: Option<f64>,
}

/// A vulnerability as Trivy writes it. Its strings are lent by the document where they can
/// be: most advisories are of a severity the pack does not block, and are only counted.
#[derive(Deserialize)]
struct TrivyVuln<'a> {
    #[serde(rename = "VulnerabilityID", borrow)]
    id: Text<'a>,
    #[serde(rename = "VendorIDs", default, deserialize_with = "list", borrow)]
    vendor_ids: Vec<Text<'a>>,
    #[serde(rename = "PkgName", borrow)]
    pkg_name: Text<'a>,
    #[serde(rename = "PkgPath", default, borrow)]
    pkg_path: Option<Text<'a>>,
    #[serde(rename = "PkgIdentifier", borrow)]
    pkg_identifier: Option<PkgIdentifier<'a>>,
    #[serde(rename = "InstalledVersion", default, borrow)]
    installed_version: Option<Text<'a>>,
    #[serde(rename = "FixedVersion", default, borrow)]
    fixed_version: Option<Text<'a>>,
    #[serde(rename = "Status", default, borrow)]
    status: Option<Text<'a>>,
    #[serde(rename = "Severity")]
    severity: Sev,
    #[serde(rename = "SeveritySource", default, borrow)]
    severity_source: Option<Text<'a>>,
    #[serde(rename = "Title", default, borrow)]
    title: Option<Text<'a>>,
    #[serde(rename = "PrimaryURL", default, borrow)]
    primary_url: Option<Text<'a>>,
    #[serde(rename = "CweIDs", default, deserialize_with = "list", borrow)]
    cwe_ids: Vec<Text<'a>>,
    #[serde(rename = "CVSS", default, borrow)]
    cvss: Option<BTreeMap<Text<'a>, CvssEntry<'a>>>,
    #[serde(rename = "PublishedDate", default, borrow)]
    published: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
struct CauseMetadata {
    #[serde(rename = "Resource", default, deserialize_with = "non_empty")]
    resource: Option<String>,
    #[serde(rename = "StartLine", default)]
    start_line: Option<u64>,
    #[serde(rename = "EndLine", default)]
    end_line: Option<u64>,
    /// The module calls that lead to a resource in a Terraform module, innermost first.
    #[serde(rename = "Occurrences", default, deserialize_with = "list")]
    occurrences: Vec<Occurrence>,
}

#[derive(Deserialize)]
struct Occurrence {
    #[serde(rename = "Resource", default, deserialize_with = "non_empty")]
    resource: Option<String>,
    #[serde(rename = "Filename", default, deserialize_with = "non_empty")]
    filename: Option<String>,
    #[serde(rename = "Location", default)]
    location: Option<OccurrenceLocation>,
}

#[derive(Deserialize, Default)]
struct OccurrenceLocation {
    #[serde(rename = "StartLine", default)]
    start_line: Option<u64>,
    #[serde(rename = "EndLine", default)]
    end_line: Option<u64>,
}

/// Where the module holding a resource is called from: the innermost module call outside the
/// file the check failed in (the first occurrence in another file). A remote module's own
/// calls to its submodules are in its files; the first call in another one is where the
/// project chose the module and its inputs.
fn called_from(occurrences: Vec<Occurrence>, target: Option<&str>, folder: Option<&str>) -> Option<CallSite> {
    occurrences.into_iter().find_map(|o| {
        let file = o.filename.map(|f| in_folder(folder, f)).filter(|f| Some(f.as_str()) != target)?;
        let location = o.location.unwrap_or_default();
        Some(CallSite {
            file,
            resource: o.resource,
            start_line: positive(location.start_line),
            end_line: positive(location.end_line),
        })
    })
}

#[derive(Deserialize)]
struct TrivyMisconf {
    #[serde(rename = "ID", default, deserialize_with = "non_empty")]
    id: Option<String>,
    #[serde(rename = "AVDID", default, deserialize_with = "non_empty")]
    avd_id: Option<String>,
    #[serde(rename = "Title", default, deserialize_with = "non_empty")]
    title: Option<String>,
    #[serde(rename = "Message", default, deserialize_with = "non_empty")]
    message: Option<String>,
    #[serde(rename = "Resolution", default, deserialize_with = "non_empty")]
    resolution: Option<String>,
    #[serde(rename = "Severity")]
    severity: Sev,
    #[serde(rename = "PrimaryURL", default, deserialize_with = "non_empty")]
    primary_url: Option<String>,
    #[serde(rename = "Status")]
    status: MisconfStatus,
    #[serde(rename = "CauseMetadata", default)]
    cause: Option<CauseMetadata>,
    /// For a check Trivy was told to ignore (`ExperimentalModifiedFindings`): why, and where
    /// it was told.
    #[serde(skip)]
    ignored: Option<String>,
}

/// A finding Trivy was told to leave out (`.trivyignore`, `.trivyignore.yaml`, a VEX
/// document), listed with `--show-suppressed` in `ExperimentalModifiedFindings`.
#[derive(Deserialize)]
struct ModifiedFinding {
    #[serde(rename = "Type", default)]
    kind: Option<String>,
    #[serde(rename = "Statement", default, deserialize_with = "non_empty")]
    statement: Option<String>,
    #[serde(rename = "Source", default, deserialize_with = "non_empty")]
    source: Option<String>,
    #[serde(rename = "Finding", default)]
    finding: Option<serde_json::Value>,
}

impl ModifiedFinding {
    /// The check, when it is a misconfiguration Trivy ignored: skipped, with why and where. A
    /// misconfiguration entry that does not read as one is an error, as in `Misconfigurations`:
    /// dropped, a suppressed check would vanish from the list and the count.
    fn check(self) -> Result<Option<TrivyMisconf>, String> {
        if self.kind.as_deref() != Some("misconfiguration") {
            return Ok(None);
        }
        let finding = self.finding.ok_or("a misconfiguration without its `Finding`")?;
        let mut check: TrivyMisconf = serde_json::from_value(finding).map_err(|e| e.to_string())?;
        check.status = MisconfStatus(CheckStatus::Skipped);
        check.ignored = Some(match (self.statement, self.source) {
            (Some(why), Some(source)) => format!("{why} ({source})"),
            (Some(why), None) => why,
            (None, Some(source)) => format!("no statement ({source})"),
            (None, None) => "no statement".to_owned(),
        });
        Ok(Some(check))
    }
}

/// How many checks of a config result passed or were excepted. Trivy lists only the failed
/// ones unless run with `--include-non-failures`; the rest are counted here.
#[derive(Deserialize)]
struct MisconfSummary {
    #[serde(rename = "Successes", default)]
    successes: usize,
    #[serde(rename = "Exceptions", default)]
    exceptions: usize,
}

struct MisconfStatus(CheckStatus);

impl<'de> Deserialize<'de> for MisconfStatus {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        Ok(MisconfStatus(match word.as_str() {
            "FAIL" => CheckStatus::Failed,
            "PASS" => CheckStatus::Passed,
            "EXCEPTION" => CheckStatus::Exception,
            _ => {
                return Err(bad_value(
                    format!("unexpected misconfiguration status {word:?}"),
                    "one of FAIL, PASS, EXCEPTION",
                ));
            }
        }))
    }
}

#[derive(Deserialize)]
struct TrivySecret {
    #[serde(rename = "RuleID")]
    rule_id: String,
    #[serde(rename = "Category", default, deserialize_with = "non_empty")]
    category: Option<String>,
    #[serde(rename = "Severity")]
    severity: Sev,
    #[serde(rename = "Title", default, deserialize_with = "non_empty")]
    title: Option<String>,
    #[serde(rename = "StartLine", default)]
    start_line: Option<u64>,
    #[serde(rename = "EndLine", default)]
    end_line: Option<u64>,
}

#[derive(Deserialize)]
struct TrivyLicense {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Severity", default)]
    severity: Option<Sev>,
    #[serde(rename = "Category", default, deserialize_with = "non_empty")]
    category: Option<String>,
    #[serde(rename = "PkgName", default, deserialize_with = "non_empty")]
    pkg_name: Option<String>,
    #[serde(rename = "FilePath", default, deserialize_with = "non_empty")]
    file_path: Option<String>,
    #[serde(rename = "Confidence", default)]
    confidence: Option<f64>,
    #[serde(rename = "Link", default, deserialize_with = "non_empty")]
    link: Option<String>,
}

fn positive(n: Option<u64>) -> Option<u64> {
    n.filter(|&n| n > 0)
}

/// The single versions of Trivy's `FixedVersion` text ("4.17.21, 5.0.0").
fn fixes(fixed_version: Option<&str>) -> impl Iterator<Item = &str> {
    fixed_version.into_iter().flat_map(|f| f.split(',')).map(str::trim).filter(|s| !s.is_empty())
}

/// Turns one vulnerability into a record (or counts it, when the run does not judge its
/// severity), with `target` as far as it is known yet (see [`complete_vulnerability`]).
fn convert_vulnerability(v: TrivyVuln<'_>, cx: &Cx<'_>, target: &Target, out: &mut Records) {
    if !cx.keep.keeps_vulnerability(v.severity.0) {
        // Not judged in this run: counted, never built.
        let fixed = v.fixed_version.as_ref().map(|t| t.0.as_ref());
        out.unkept.vulnerability(v.severity.0, fixes(fixed).next().is_some());
        return;
    }
    let purl = Text::non_empty(v.pkg_identifier.and_then(|p| p.purl));
    let fixed_version = Text::non_empty(v.fixed_version);
    let fixed_versions = fixes(fixed_version.as_deref()).map(str::to_owned).collect();
    let mut cvss = Vec::new();
    for (Text(source), e) in v.cvss.unwrap_or_default() {
        for (version, vector, score) in
            [("2", e.v2_vector, e.v2_score), ("3", e.v3_vector, e.v3_score), ("4", e.v40_vector, e.v40_score)]
        {
            let vector = Text::non_empty(vector);
            if vector.is_some() || score.is_some_and(|s| s > 0.0) {
                cvss.push(Cvss {
                    source: source.clone().into_owned(),
                    version: version.into(),
                    vector,
                    score,
                });
            }
        }
    }
    let (id, pkg_name) = (v.id.0.into_owned(), v.pkg_name.0.into_owned());
    let installed_version = Text::non_empty(v.installed_version);
    let owned = |list: Vec<Text<'_>>| list.into_iter().map(|t| t.0.into_owned()).collect();
    let mut record = Vulnerability {
        fingerprint: String::new(),
        source: cx.source.clone(),
        target: None,
        id,
        aliases: owned(v.vendor_ids),
        package: Package {
            name: pkg_name,
            version: installed_version,
            purl,
            package_type: None,
            path: Text::non_empty(v.pkg_path),
        },
        fixed_version,
        fixed_versions,
        severity: v.severity.0,
        severity_source: Text::non_empty(v.severity_source),
        cvss,
        status: Text::non_empty(v.status),
        title: Text::non_empty(v.title).map(|t| cap(t, caps::MESSAGE)),
        url: Text::non_empty(v.primary_url),
        cwe_ids: owned(v.cwe_ids),
        published: Text::non_empty(v.published),
    };
    complete_vulnerability(&mut record, target);
    out.vulnerabilities.push(record);
}

/// Fills in what a vulnerability takes from its result: the target, which its fingerprint
/// includes, and the package type.
fn complete_vulnerability(v: &mut Vulnerability, target: &Target) {
    v.target.clone_from(&target.name);
    v.package.package_type.clone_from(&target.result_type);
    v.fingerprint = fingerprint::vulnerability(
        &v.id,
        v.package.purl.as_deref(),
        &v.package.name,
        v.package.version.as_deref(),
        target.name.as_deref(),
    );
}

/// Turns a result's misconfigurations, secrets and licenses into records.
fn convert_rest(r: Rest, cx: &Cx<'_>, target_of: &Target, out: &mut Records) {
    let target = &target_of.name;
    // The checks Trivy ran but did not list are counted, so that a step can say how many
    // checks ran: those its summary counts beyond the ones listed with the same status.
    if let Some(summary) = &r.misconf_summary {
        let listed = |status| r.misconfigurations.iter().filter(|m| m.status.0 == status).count();
        // Trivy counts the checks it was told to ignore among its exceptions, and lists them
        // with --show-suppressed: those are records already, not counted twice.
        let ignored = r.misconfigurations.iter().filter(|m| m.ignored.is_some()).count();
        let exceptions = summary.exceptions.saturating_sub(listed(CheckStatus::Exception) + ignored);
        out.unkept.misconfigurations +=
            summary.successes.saturating_sub(listed(CheckStatus::Passed)) + exceptions;
        out.unkept.suppressed_misconfigurations += exceptions;
    }
    let first = out.misconfigurations.len();
    for m in r.misconfigurations {
        let cause = m.cause.unwrap_or_default();
        let check_id = m.id.clone().or_else(|| m.avd_id.clone()).unwrap_or_default();
        let aliases = m.avd_id.into_iter().filter(|a| *a != check_id).collect();
        // The message is cut before it is hashed, so that the fingerprint is the one the kept
        // text gives (below, two checks with the same cut message are told apart by line).
        let message = m.message.map(|t| cap(t, caps::MESSAGE));
        let fingerprint = match cause.resource.as_deref() {
            Some(resource) => fingerprint::misconfiguration(&check_id, Some(resource), target.as_deref()),
            None => {
                fingerprint::unnamed_misconfiguration(&check_id, target.as_deref(), message.as_deref(), None)
            }
        };
        out.misconfigurations.push(Misconfiguration {
            fingerprint,
            source: cx.source.clone(),
            tool: "trivy".into(),
            framework: target_of.result_type.clone(),
            check_id,
            aliases,
            title: m.title,
            severity: Some(m.severity.0),
            status: m.status.0,
            resource: cause.resource,
            file: target.clone(),
            start_line: positive(cause.start_line),
            end_line: positive(cause.end_line),
            guideline: m.primary_url,
            resolution: m.resolution,
            message,
            skip_reason: m.ignored.map(|r| cap(r, caps::MESSAGE)),
            called_from: called_from(cause.occurrences, target.as_deref(), target_of.folder.as_deref()),
        });
    }
    // Two unnamed checks with the same message in one file (a Dockerfile's two identical
    // `apt-get install` lines) are told apart by their lines: one waiver, one code-scanning
    // alert, one Code Quality issue each.
    let added = out.misconfigurations.get_mut(first..).unwrap_or_default();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for m in added.iter().filter(|m| m.resource.is_none()) {
        *seen.entry(m.fingerprint.clone()).or_default() += 1;
    }
    for m in added.iter_mut().filter(|m| m.resource.is_none() && seen.get(&m.fingerprint) > Some(&1)) {
        m.fingerprint = fingerprint::unnamed_misconfiguration(
            &m.check_id,
            m.file.as_deref(),
            m.message.as_deref(),
            m.start_line,
        );
    }
    let first_secret = out.secrets.len();
    for s in r.secrets {
        out.secrets.push(Secret {
            fingerprint: fingerprint::secret(&s.rule_id, &target_of.written),
            source: cx.source.clone(),
            tool: "trivy".into(),
            target: target_of.written.clone(),
            rule_id: s.rule_id,
            category: s.category,
            severity: s.severity.0,
            title: s.title,
            start_line: positive(s.start_line),
            end_line: positive(s.end_line),
        });
    }
    fingerprint::tell_secrets_apart(out.secrets.get_mut(first_secret..).unwrap_or_default());
    for l in r.licenses {
        out.licenses.push(LicenseFinding {
            fingerprint: fingerprint::license_finding(
                &l.name,
                l.pkg_name.as_deref(),
                l.file_path.as_deref(),
                target.as_deref(),
            ),
            source: cx.source.clone(),
            tool: "trivy".into(),
            target: target.clone(),
            name: l.name,
            package: l.pkg_name,
            file: l.file_path,
            category: l.category,
            severity: l.severity.map(|s| s.0),
            confidence: l.confidence.filter(|c| *c > 0.0),
            url: l.link,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Code;

    fn parse_str(text: &str) -> Result<Parsed, IngestError> {
        crate::ingest::parse_text(
            crate::evidence::Kind::Trivy,
            crate::evidence::Format::Json,
            "trivy.json",
            text,
        )
    }

    /// With `Keep::Judged`, a vulnerability of a severity the pack does not block is counted
    /// (by severity, and whether it has a fix) instead of built; the others are the same as
    /// reading them all.
    #[test]
    fn keeping_only_blocking_severities() {
        use crate::evidence::{Keep, Severities};
        let text = include_str!("../../fixtures/demo/reports/trivy.json");
        let limits = crate::ingest::Limits::default();
        let read = |keep| {
            let cx = Cx { keep, ..Cx::new("trivy.json", &limits) };
            parse(text.as_bytes(), &cx).expect("parses").records
        };
        // Exactly the document's words: the pack upper-cases its settings, and a synonym
        // (MODERATE) blocks nothing there either.
        let vulnerabilities = Severities::from_words(["HIGH", "high", "MODERATE"]);
        let (all, judged) = (read(Keep::All), read(Keep::Judged { vulnerabilities }));
        let blocking = |v: &&Vulnerability| v.severity == Severity::High;
        let kept: Vec<_> = all.vulnerabilities.iter().filter(blocking).cloned().collect();
        assert!(!kept.is_empty() && kept.len() < all.vulnerabilities.len());
        assert_eq!(judged.vulnerabilities, kept);
        let others: Vec<_> = all.vulnerabilities.iter().filter(|v| !blocking(v)).collect();
        assert_eq!(judged.unkept.vulnerabilities(), others.len());
        assert_eq!(
            judged.unkept.vulnerabilities[2],
            others.iter().filter(|v| v.severity == Severity::Medium).count()
        );
        let fixable = others.iter().filter(|v| !v.fixed_versions.is_empty()).count();
        assert!(fixable > 0);
        assert_eq!(judged.unkept.fixable_vulnerabilities, fixable);
    }

    /// A vulnerability keeps its package, fix and scores; the fix text is split.
    #[test]
    fn vulnerability_fields() {
        let p = parse_str(
            r#"{"SchemaVersion": 2, "Trivy": {"Version": "0.58.1"}, "ArtifactName": "app:1",
            "Results": [{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm",
              "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash",
                "PkgIdentifier": {"PURL": "pkg:npm/lodash@4.17.20"}, "InstalledVersion": "4.17.20",
                "FixedVersion": "4.17.21, 5.0.0", "Status": "fixed", "Severity": "HIGH",
                "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N", "V3Score": 7.2}}}]}]}"#,
        )
        .expect("parses");
        assert_eq!(p.facts.tool.as_ref().and_then(|t| t.version.as_deref()), Some("0.58.1"));
        assert_eq!(p.facts.subject.as_deref(), Some("app:1"));
        let v = p.records.vulnerabilities.first().expect("one");
        assert_eq!(v.fixed_versions, ["4.17.21", "5.0.0"]);
        assert_eq!(v.package.purl.as_deref(), Some("pkg:npm/lodash@4.17.20"));
        assert_eq!(v.package.package_type.as_deref(), Some("npm"));
        assert_eq!(v.severity, Severity::High);
        assert_eq!(v.cvss.first().map(|c| (c.version.as_str(), c.score)), Some(("3", Some(7.2))));
    }

    /// A result read in any key order gives the same records: vulnerabilities written before
    /// `Target` and `Type` still carry them, in their fingerprints too.
    #[test]
    fn key_order_within_a_result() {
        let vulnerabilities = r#""Vulnerabilities": [
            {"VulnerabilityID": "CVE-1", "PkgName": "a", "InstalledVersion": "1", "Severity": "HIGH"},
            {"VulnerabilityID": "CVE-2", "PkgName": "b", "Severity": "LOW"}]"#;
        let doc = |result: String| format!(r#"{{"SchemaVersion": 2, "Results": [{result}]}}"#);
        let records = |result: String| parse_str(&doc(result)).expect("parses").records;
        let first = records(format!(r#"{{"Target": "go.sum", "Type": "gomod", {vulnerabilities}}}"#));
        assert_eq!(first.vulnerabilities.len(), 2);
        let v = first.vulnerabilities.first().expect("one");
        assert_eq!((v.target.as_deref(), v.package.package_type.as_deref()), (Some("go.sum"), Some("gomod")));
        for result in [
            format!(r#"{{{vulnerabilities}, "Target": "go.sum", "Type": "gomod"}}"#),
            format!(r#"{{"Type": "gomod", {vulnerabilities}, "Target": "go.sum"}}"#),
            format!(r#"{{"Target": "go.sum", {vulnerabilities}, "Type": "gomod"}}"#),
        ] {
            assert_eq!(records(result.clone()), first, "{result}");
        }
        let untyped = records(format!(r#"{{{vulnerabilities}, "Target": "go.sum"}}"#));
        assert_eq!(untyped.vulnerabilities.first().and_then(|v| v.package.package_type.clone()), None);
        assert_eq!(untyped.vulnerabilities.first().map(|v| &v.fingerprint), Some(&v.fingerprint));
    }

    /// A result that repeats a key is refused, like any object in a report.
    #[test]
    fn result_repeating_a_key() {
        let e = parse_str(r#"{"SchemaVersion": 2, "Results": [{"Target": "a", "Target": "b"}]}"#)
            .expect_err("refused");
        assert_eq!(e.code, Code::DuplicateKey, "{e:?}");
        assert!(e.message.contains("`Target`"), "{e:?}");
        assert_eq!(e.location.path.as_deref(), Some("Results[0]"));
    }

    /// Empty, null and absent result lists are all "nothing found".
    #[test]
    fn empty_results() {
        for doc in [
            r#"{"SchemaVersion": 2, "ArtifactName": "x"}"#,
            r#"{"SchemaVersion": 2, "Results": null}"#,
            r#"{"SchemaVersion": 2, "Results": []}"#,
            r#"{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": null}]}"#,
        ] {
            let p = parse_str(doc).expect(doc);
            assert_eq!(p.records, Records::default(), "{doc}");
        }
    }

    /// An unknown severity word is refused with its JSON path and the accepted words.
    #[test]
    fn bad_severity() {
        let e = parse_str(
            r#"{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [
              {"VulnerabilityID": "CVE-1", "PkgName": "x", "Severity": "SEVERE"}]}]}"#,
        )
        .expect_err("refused");
        assert_eq!(e.code, Code::BadValue);
        assert_eq!(e.location.path.as_deref(), Some("Results[0].Vulnerabilities[0].Severity"));
        assert!(e.expected.as_deref().is_some_and(|x| x.contains("CRITICAL")));
    }

    /// Schema version 1 and missing versions are refused.
    #[test]
    fn schema_version() {
        let e = parse_str(r#"{"SchemaVersion": 1, "Results": []}"#).expect_err("v1");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert!(e.message.contains("SchemaVersion 1"));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("upgrade Trivy")), "{e:?}");
        let e = parse_str(r#"{"ArtifactName": "app", "Results": []}"#).expect_err("missing");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert!(e.message.contains("SchemaVersion"), "{e:?}");
        // Trivy before 0.20: a bare array of results.
        let e = parse_str(r#"[{"Target": "alpine:3.10", "Type": "alpine", "Vulnerabilities": []}]"#)
            .expect_err("bare array");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert!(e.message.contains("before 0.20"), "{e:?}");
        // `trivy k8s --format json`: refused by name, with what to scan instead.
        let e = parse_str(r#"{"ClusterName": "kind-kind", "Resources": [{"Namespace": "default", "Kind": "Deployment",
            "Name": "web", "Results": [{"Target": "nginx:1.14", "Class": "os-pkgs", "Vulnerabilities": []}]}]}"#)
        .expect_err("cluster report");
        assert_eq!(e.code, Code::UnsupportedVersion);
        assert!(e.message.contains("`trivy k8s` cluster report"), "{e:?}");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("trivy image --format json")), "{e:?}");
    }

    /// Only targets of packages (an OS's, a lock file's) count as checked for vulnerabilities:
    /// a config or secret scan, or a report without results, checked none.
    #[test]
    fn package_targets() {
        let count = |results: &str| {
            let p = parse_str(&format!(r#"{{"SchemaVersion": 2, "ArtifactName": "app:1"{results}}}"#))
                .expect("parses");
            p.facts.package_targets
        };
        assert_eq!(count(""), Some(0), "no Results at all: nothing was found to check");
        assert_eq!(count(r#", "Results": []"#), Some(0));
        assert_eq!(
            count(r#", "Results": [{"Target": "Dockerfile", "Class": "config", "Misconfigurations": []}]"#),
            Some(0)
        );
        assert_eq!(
            count(
                r#", "Results": [{"Target": "app:1 (debian 12.5)", "Class": "os-pkgs", "Type": "debian"},
                {"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm"},
                {"Target": "app/.env", "Class": "secret", "Secrets": []}]"#
            ),
            Some(2),
            "clean targets count too: they were checked"
        );
        assert_eq!(
            count(r#", "Results": [{"Target": "go.sum", "Type": "gomod"}]"#),
            Some(1),
            "no Class: counted"
        );
        let secrets = r#", "Results": [{"Target": "a", "Secrets": [{"RuleID": "x", "Severity": "LOW", "Title": "t"}]}]"#;
        assert_eq!(count(secrets), Some(0), "no Class, but another scanner's findings");
    }

    /// Failed checks that name no resource are still one finding each: told apart by their
    /// messages, and by their lines when the messages are the same; a check that names its
    /// resource keeps the fingerprint of check, resource and file.
    #[test]
    fn unnamed_checks_have_fingerprints_of_their_own() {
        let check = |msg: &str, line: u64, resource: &str| {
            format!(
                r#"{{"ID": "KSV-0118", "Severity": "HIGH", "Status": "FAIL", "Message": "{msg}",
                    "CauseMetadata": {{"Resource": "{resource}", "StartLine": {line}}}}}"#
            )
        };
        let text = format!(
            r#"{{"SchemaVersion": 2, "Results": [{{"Target": "job.yaml", "Class": "config", "Type": "kubernetes",
                "Misconfigurations": [{}, {}, {}, {}, {}]}}]}}"#,
            check("container batch of job check should set securityContext", 11, ""),
            check("job check should set securityContext", 9, ""),
            check("apt-get install without --no-install-recommends", 20, ""),
            check("apt-get install without --no-install-recommends", 40, ""),
            check("x", 3, "Deployment/web"),
        );
        let p = parse_str(&text).expect("parses");
        let fps: Vec<&str> = p.records.misconfigurations.iter().map(|m| m.fingerprint.as_str()).collect();
        let mut unique = fps.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{fps:?}");
        assert_eq!(
            fps[4],
            fingerprint::misconfiguration("KSV-0118", Some("Deployment/web"), Some("job.yaml"))
        );
        // The message, not the line, while it is enough: moving the check keeps its waiver.
        let moved = text.replace(r#""StartLine": 11"#, r#""StartLine": 14"#);
        assert_eq!(parse_str(&moved).expect("parses").records.misconfigurations[0].fingerprint, fps[0]);

        // A message longer than the evidence keeps is hashed as kept, so that the fingerprint
        // follows from the evidence; two that differ only beyond the cut are told apart by line.
        let long = "x".repeat(crate::ingest::caps::MESSAGE + 100);
        let text = format!(
            r#"{{"SchemaVersion": 2, "Results": [{{"Target": "job.yaml", "Class": "config", "Type": "kubernetes",
                "Misconfigurations": [{}, {}]}}]}}"#,
            check(&format!("{long}a"), 5, ""),
            check(&format!("{long}b"), 7, ""),
        );
        let p = parse_str(&text).expect("parses");
        let [a, b] = &p.records.misconfigurations[..] else { panic!("two checks") };
        assert_eq!(a.message, b.message, "both cut at the same place");
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(
            a.fingerprint,
            fingerprint::unnamed_misconfiguration(
                "KSV-0118",
                Some("job.yaml"),
                a.message.as_deref(),
                Some(5)
            )
        );
    }

    /// A check in a Terraform module knows where the project calls the module: the first of
    /// Trivy's `Occurrences` outside the module's file (a remote module's calls to its own
    /// submodules are inside it).
    #[test]
    fn a_module_check_knows_its_call() {
        let p = parse_str(
            r#"{"SchemaVersion": 2, "Results": [{"Target": "terraform-aws-modules/vpc/aws/modules/vpc-endpoints/main.tf",
              "Class": "config", "Type": "terraform", "Misconfigurations": [{"ID": "AWS-0104", "Severity": "CRITICAL",
              "Status": "FAIL", "CauseMetadata": {"Resource": "module.endpoints", "StartLine": 107, "Occurrences": [
                {"Resource": "aws_security_group_rule.this", "Filename": "terraform-aws-modules/vpc/aws/modules/vpc-endpoints/main.tf",
                 "Location": {"StartLine": 95, "EndLine": 112}},
                {"Resource": "module.endpoints", "Filename": "main.tf", "Location": {"StartLine": 1, "EndLine": 20}}]}}]}]}"#,
        )
        .expect("parses");
        let call = p.records.misconfigurations[0].called_from.as_ref().expect("a call");
        assert_eq!(
            (call.file.as_str(), call.resource.as_deref(), call.start_line, call.end_line),
            ("main.tf", Some("module.endpoints"), Some(1), Some(20))
        );
    }

    /// `trivy config services/billing/infra` names its files from the folder scanned
    /// (`main.tf` in every service): the folder (`ArtifactName`) places them in the repository,
    /// so that two services' buckets of one name are two findings, and one service's waiver
    /// is not the other's. An image's files, the current folder, an absolute folder and a scan
    /// of one file are left as Trivy wrote them.
    #[test]
    fn a_scanned_folder_is_placed_in_the_repository() {
        let scan = |name: &str, kind: &str, target: &str| {
            let doc = format!(
                r#"{{"SchemaVersion": 2, "ArtifactName": "{name}", "ArtifactType": "{kind}", "Results": [
                  {{"Target": "{target}", "Class": "config", "Type": "terraform", "Misconfigurations": [
                    {{"ID": "AWS-0086", "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {{"Resource": "aws_s3_bucket.data",
                      "StartLine": 3, "Occurrences": [{{"Resource": "module.data", "Filename": "main.tf",
                      "Location": {{"StartLine": 1, "EndLine": 5}}}}]}}}}]}},
                  {{"Target": ".env", "Class": "secret", "Secrets": [{{"RuleID": "aws-access-key-id", "Category": "AWS",
                    "Severity": "CRITICAL", "Title": "AWS Access Key ID", "StartLine": 1, "EndLine": 1}}]}}]}}"#
            );
            let p = parse_str(&doc).expect("parses");
            let m = p.records.misconfigurations.into_iter().next().expect("a check");
            let s = p.records.secrets.into_iter().next().expect("a secret");
            (m, s)
        };
        let (billing, billing_secret) = scan("services/billing/infra/", "filesystem", "modules/s3.tf");
        let (shop, shop_secret) = scan("./services/shop/infra", "filesystem", "modules/s3.tf");
        assert_eq!(billing.file.as_deref(), Some("services/billing/infra/modules/s3.tf"));
        assert_eq!(billing.called_from.map(|c| c.file), Some("services/billing/infra/main.tf".to_owned()));
        assert_eq!(billing_secret.target, "services/billing/infra/.env");
        assert_ne!(billing.fingerprint, shop.fingerprint);
        assert_ne!(billing_secret.fingerprint, shop_secret.fingerprint);
        for (name, kind, target) in [
            (".", "filesystem", "modules/s3.tf"),
            ("/builds/acme/shop", "filesystem", "modules/s3.tf"),
            ("registry.example.com/shop:1", "container_image", "modules/s3.tf"),
        ] {
            assert_eq!(scan(name, kind, target).0.file.as_deref(), Some("modules/s3.tf"), "{name}");
        }
        assert_eq!(
            scan("infra/modules/s3.tf", "filesystem", "s3.tf").0.file.as_deref(),
            Some("infra/modules/s3.tf")
        );
        // An absolute folder inside verdict's workspace is placed by it.
        let limits = crate::ingest::Limits::default();
        let cx = Cx {
            workspace: Some(std::path::Path::new("/builds/acme/shop")),
            ..Cx::new("trivy.json", &limits)
        };
        let doc = r#"{"SchemaVersion": 2, "ArtifactName": "/builds/acme/shop/services/api", "ArtifactType": "filesystem",
            "Results": [{"Target": "main.tf", "Class": "config", "Type": "terraform", "Misconfigurations": [
              {"ID": "AWS-0086", "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"Resource": "aws_s3_bucket.data"}}]}]}"#;
        let p = parse(doc.as_bytes(), &cx).expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("services/api/main.tf"));
    }

    /// The operating system Trivy found, and whether it is past its end of life; none when it
    /// found none (`"Family": "none"`, or no `Metadata`).
    #[test]
    fn the_operating_system_and_its_end_of_life() {
        let os = |metadata: &str| {
            parse_str(&format!(
                r#"{{"SchemaVersion": 2, "ArtifactName": "app:1", {metadata} "Results": []}}"#
            ))
            .expect("parses")
            .facts
            .os
        };
        assert_eq!(
            os(
                r#""Metadata": {"OS": {"Family": "alpine", "Name": "3.9.4", "EOSL": true}, "ImageID": "sha256:x"},"#
            ),
            Some(crate::evidence::OperatingSystem {
                family: "alpine".into(),
                name: "3.9.4".into(),
                end_of_life: true
            })
        );
        assert_eq!(
            os(r#""Metadata": {"OS": {"Family": "debian", "Name": "12.7"}},"#).map(|o| o.end_of_life),
            Some(false)
        );
        assert_eq!(os(r#""Metadata": {"OS": {"Family": "none", "Name": ""}},"#), None);
        assert_eq!(os(""), None);
    }

    /// A check Trivy was told to ignore (listed with --show-suppressed) is a skipped check with
    /// the statement and where it was made, counted once though Trivy's summary counts it among
    /// its exceptions too; an entry that does not read as a check is an error, not dropped.
    #[test]
    fn checks_trivy_was_told_to_ignore() {
        let doc = |finding: &str| {
            format!(
                r#"{{"SchemaVersion": 2, "Results": [{{"Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
                  "MisconfSummary": {{"Successes": 3, "Failures": 0, "Exceptions": 1}},
                  "ExperimentalModifiedFindings": [{{"Type": "misconfiguration", "Status": "ignored",
                    "Statement": "base image needs root", "Source": ".trivyignore.yaml", "Finding": {finding}}},
                    {{"Type": "vulnerability", "Status": "not_affected", "Finding": {{"VulnerabilityID": "CVE-1"}}}},
                    {{"Type": "secret", "Status": "ignored", "Source": ".trivyignore", "Finding": {{"RuleID": "aws-access-key-id"}}}}]}}]}}"#
            )
        };
        let p = parse_str(&doc(
            r#"{"ID": "DS-0002", "Title": "Image user should not be 'root'", "Severity": "HIGH", "Status": "FAIL",
                "CauseMetadata": {"StartLine": 4, "EndLine": 4}}"#,
        ))
        .expect("parses");
        let [m] = p.records.misconfigurations.as_slice() else {
            panic!("one check: {:?}", p.records.misconfigurations)
        };
        assert_eq!((m.check_id.as_str(), m.status), ("DS-0002", CheckStatus::Skipped));
        assert_eq!(m.skip_reason.as_deref(), Some("base image needs root (.trivyignore.yaml)"));
        assert_eq!(p.records.unkept.suppressed_misconfigurations, 0, "counted once");
        // An ignored secret is not judged, but counted: the step says so.
        assert_eq!(p.records.unkept.ignored_secrets, 1);
        let e = parse_str(&doc(r#"{"ID": "DS-0002", "Severity": "HIGH", "Status": "MAYBE"}"#))
            .expect_err("refused");
        assert!(e.to_string().contains("ExperimentalModifiedFindings[0]"), "{e}");
    }

    /// Misconfigurations, secrets and licenses land in their own lists; secrets keep no match.
    #[test]
    fn other_scanners() {
        let p = parse_str(
            r#"{"SchemaVersion": 2, "Results": [
              {"Target": "Dockerfile", "Class": "config", "Type": "dockerfile", "Misconfigurations": [
                {"ID": "DS002", "AVDID": "AVD-DS-0002", "Title": "root user", "Severity": "HIGH", "Status": "FAIL",
                 "PrimaryURL": "https://avd.aquasec.com/misconfig/ds002", "CauseMetadata": {"StartLine": 0}}]},
              {"Target": "app/.env", "Class": "secret", "Secrets": [
                {"RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL", "Title": "AWS Access Key ID",
                 "StartLine": 3, "EndLine": 3, "Match": "AWS_ACCESS_KEY_ID=********************"}]},
              {"Target": "OS Packages", "Class": "license", "Licenses": [
                {"Severity": "HIGH", "Category": "restricted", "PkgName": "bash", "FilePath": "", "Name": "GPL-3.0", "Confidence": 1, "Link": ""}]}
            ]}"#,
        )
        .expect("parses");
        let m = p.records.misconfigurations.first().expect("misconf");
        assert_eq!((m.check_id.as_str(), m.status, m.start_line), ("DS002", CheckStatus::Failed, None));
        assert_eq!(m.aliases, ["AVD-DS-0002"]);
        let s = p.records.secrets.first().expect("secret");
        assert_eq!(s.rule_id, "aws-access-key-id");
        assert!(!serde_json::to_string(s).expect("json").contains("****"));
        let l = p.records.licenses.first().expect("license");
        assert_eq!(
            (l.name.as_str(), l.package.as_deref(), l.file.as_deref()),
            ("GPL-3.0", Some("bash"), None)
        );
    }

    /// Two keys of one rule in one file are two findings, told apart by their lines; a key
    /// alone in its file keeps the fingerprint of its rule and file.
    #[test]
    fn secrets_of_one_rule_in_one_file_are_told_apart() {
        let key = |line: u32| {
            format!(
                r#"{{"RuleID": "aws-access-key-id", "Severity": "CRITICAL", "Title": "AWS Access Key ID", "StartLine": {line}, "EndLine": {line}}}"#
            )
        };
        let p = parse_str(&format!(
            r#"{{"SchemaVersion": 2, "Results": [{{"Target": "test/fixture.env", "Class": "secret", "Secrets": [{}, {}]}},
              {{"Target": "app/.env", "Class": "secret", "Secrets": [{}]}}]}}"#,
            key(3),
            key(9),
            key(5)
        ))
        .expect("parses");
        let fps: Vec<&str> = p.records.secrets.iter().map(|s| s.fingerprint.as_str()).collect();
        assert_eq!(
            fps,
            [
                fingerprint::secret_at("aws-access-key-id", "test/fixture.env", Some(3)),
                fingerprint::secret_at("aws-access-key-id", "test/fixture.env", Some(9)),
                fingerprint::secret("aws-access-key-id", "app/.env")
            ]
        );
    }

    /// The checks a config result's `MisconfSummary` counts but does not list (Trivy lists
    /// only failures by default) are counted; those listed, as `--include-non-failures`
    /// lists them, are not counted twice.
    #[test]
    fn unlisted_checks_are_counted() {
        let check = |status: &str| {
            format!(r#"{{"ID": "DS002", "Title": "root user", "Severity": "HIGH", "Status": "{status}"}}"#)
        };
        let result = |summary: &str, checks: &[String]| {
            format!(
                r#"{{"Target": "Dockerfile", "Class": "config", "MisconfSummary": {summary}, "Misconfigurations": [{}]}}"#,
                checks.join(",")
            )
        };
        let doc = format!(
            r#"{{"SchemaVersion": 2, "Results": [{}, {}, {}]}}"#,
            result(r#"{"Successes": 26, "Failures": 1}"#, &[check("FAIL")]),
            result(
                r#"{"Successes": 2, "Failures": 1, "Exceptions": 3}"#,
                &[check("PASS"), check("PASS"), check("FAIL"), check("EXCEPTION")]
            ),
            r#"{"Target": "k8s.yaml", "Class": "config", "Misconfigurations": []}"#
        );
        let p = parse_str(&doc).expect("parses");
        assert_eq!(p.records.misconfigurations.len(), 5);
        assert_eq!(p.records.unkept.misconfigurations, 26 + 2);
        // Of the exceptions, the one listed is a record; the two not listed are counted.
        assert_eq!(p.records.unkept.suppressed_misconfigurations, 2);
    }
}
