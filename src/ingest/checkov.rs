//! Checkov JSON (`checkov -o json`) → misconfigurations.
//!
//! Owns: Checkov's report shapes and field names, and their mapping to evidence (documented in
//! `docs/formats/checkov.md`). Checkov writes one report object when one framework ran, a list
//! of them (one per framework: `terraform`, `kubernetes`, `dockerfile`, `secrets`, …) when
//! several did, and only its summary object (`{"passed": 0, …, "checkov_version": "3.2.1"}`)
//! when there was nothing to scan. Each report holds `results.failed_checks`,
//! `passed_checks` and `skipped_checks` (only `failed_checks` under `--quiet`), the files it
//! could not parse, and a `summary` with counts and the Checkov version.
//!
//! Severity: Checkov without a platform API key writes `"severity": null` on every check. That
//! stays `null` in evidence — verdict never invents a severity; the policy decides what an
//! unknown severity means. A severity word is mapped with [`Severity::parse`], and a word it
//! does not know is an error pointing at it.
//!
//! Checks are streamed one at a time, straight into records, so a report's thousands of
//! checks (each with its `code_block`, never kept) are never held twice. That is why the top
//! level is read by its own visitor rather than `json::OneOrMany`: the visitor carries the
//! parser's state (where records go, which report it is in) into every element.
//!
//! Takes a reader and a [`Cx`]; returns [`Parsed`] or an [`IngestError`] with a location.
//! Must not: open files, decide pass or fail, print, or use the network.

use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::json::{self, ForEach, bad_value, cap, list, non_empty};
use super::{Cx, IngestError, Parsed, caps};
use crate::evidence::{
    CallSite, CheckStatus, Misconfiguration, Secret, Severity, Tool, Warning, fingerprint,
};

const REGENERATE: &str =
    "`checkov -d . -o json --output-file-path reports/` (writes reports/results_json.json)";

/// How many unparsable files a warning names before it only counts them.
const NAMED_FILES: usize = 10;

/// Parses a Checkov JSON report.
pub fn parse<R: BufRead>(reader: R, cx: &Cx<'_>) -> Result<Parsed, IngestError> {
    let State { mut out, version, .. } = json::read_seed(reader, cx.size, || Whole { cx }, REGENERATE)?;
    out.facts.tool = Some(Tool { name: "checkov".into(), version });
    Ok(out)
}

/// The whole document, read into a fresh [`State`] (a document is read a second time to
/// locate an error: see [`json::read_seed`]).
struct Whole<'a, 'c> {
    cx: &'a Cx<'c>,
}

impl<'de, 'a, 'c> DeserializeSeed<'de> for Whole<'a, 'c> {
    type Value = State<'a, 'c>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<State<'a, 'c>, D::Error> {
        let mut st = State { cx: self.cx, out: Parsed::default(), version: None };
        Top { st: &mut st }.deserialize(d)?;
        Ok(st)
    }
}

/// What the parser accumulates across reports.
struct State<'a, 'c> {
    cx: &'a Cx<'c>,
    out: Parsed,
    /// `checkov_version` of the first report that states it.
    version: Option<String>,
}

/// The document: one report object, or a list of them.
struct Top<'s, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Checkov JSON report: a report object, a list of them, or Checkov's summary object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Report { st: self.st, index: None }.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq.next_element_seed(Report { st: &mut *self.st, index: Some(index) })?.is_some() {
            index += 1;
        }
        Ok(())
    }
}

/// One framework's report (or the summary-only object), visited key by key so that its
/// check lists stream.
struct Report<'s, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
    /// Position in the list of reports; `None` when the document is a single object.
    index: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for Report<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// A report's `summary`; the summary-only object has the same keys at the top level.
#[derive(Deserialize, Default)]
struct Summary {
    #[serde(default)]
    passed: Option<u64>,
    #[serde(default)]
    failed: Option<u64>,
    #[serde(default)]
    skipped: Option<u64>,
    #[serde(default)]
    parsing_errors: Option<u64>,
    #[serde(default, deserialize_with = "non_empty")]
    checkov_version: Option<String>,
}

/// What a report's `results` actually lists (`None`: the list is absent).
#[derive(Default)]
struct Listed {
    passed: Option<u64>,
    failed: Option<u64>,
    skipped: Option<u64>,
    parsing_errors: Option<u64>,
    /// The first [`NAMED_FILES`] files Checkov could not parse.
    unparsed: Vec<String>,
}

impl Listed {
    fn add(&mut self, status: CheckStatus, n: u64) {
        let slot = match status {
            CheckStatus::Passed => &mut self.passed,
            CheckStatus::Failed => &mut self.failed,
            CheckStatus::Skipped | CheckStatus::Exception => &mut self.skipped,
        };
        *slot = Some(slot.unwrap_or(0) + n);
    }

    fn any(&self) -> bool {
        self.passed.is_some() || self.failed.is_some() || self.skipped.is_some()
    }
}

impl<'de> Visitor<'de> for Report<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Checkov report object (check_type, results, summary)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Report { st, index } = self;
        let start = st.out.records.misconfigurations.len();
        let mut framework: Option<String> = None;
        let mut listed = Listed::default();
        let mut summary: Option<Summary> = None;
        // The summary-only object Checkov prints when nothing was scanned.
        let mut bare = Summary::default();
        let mut bare_seen = false;
        let mut keys = json::Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            keys.first(&key)?;
            match key.as_str() {
                "check_type" => {
                    let v: Option<String> = map.next_value()?;
                    framework = v.filter(|s| !s.trim().is_empty());
                }
                "results" => map.next_value_seed(Results { st: &mut *st, listed: &mut listed })?,
                "summary" => summary = map.next_value()?,
                "passed" => (bare.passed, bare_seen) = (map.next_value()?, true),
                "failed" => (bare.failed, bare_seen) = (map.next_value()?, true),
                "skipped" => (bare.skipped, bare_seen) = (map.next_value()?, true),
                "parsing_errors" => (bare.parsing_errors, bare_seen) = (map.next_value()?, true),
                "checkov_version" => {
                    let v: Option<String> = map.next_value()?;
                    (bare.checkov_version, bare_seen) = (v.filter(|s| !s.trim().is_empty()), true);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let summary = summary.or(bare_seen.then_some(bare));
        if framework.is_none() && (listed.any() || summary.is_none()) {
            return Err(de::Error::missing_field("check_type"));
        }
        for m in st.out.records.misconfigurations.iter_mut().skip(start) {
            m.framework.clone_from(&framework);
        }
        if framework.as_deref() == Some(SECRETS_FRAMEWORK) {
            secrets_apart(&mut st.out.records, start);
        }
        let summary = summary.unwrap_or_default();
        if st.version.is_none() {
            st.version = summary.checkov_version.clone();
        }
        let what = match &framework {
            Some(f) => format!("the {f} report"),
            None => "the report".to_owned(),
        };
        // Failed checks the summary counts and the lists leave out are failures nobody can
        // judge: the report is incomplete, and a gate reading it would pass them.
        if let Some(declared) = summary.failed
            && declared > listed.failed.unwrap_or(0)
        {
            return Err(json::bad_value(
                format!(
                    "the summary of {what} counts {declared} failed checks, but the report lists {}",
                    listed.failed.unwrap_or(0)
                ),
                "each failed check in `results.failed_checks`, as `checkov -o json` writes them",
            ));
        }
        cross_check(&what, index, &summary, &listed, &mut st.out.facts.warnings);
        Ok(())
    }
}

/// A report's `results`: the three check lists and the unparsable files.
struct Results<'s, 'l, 'a, 'c> {
    st: &'s mut State<'a, 'c>,
    listed: &'l mut Listed,
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the results object (failed_checks, passed_checks, skipped_checks, parsing_errors)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Results { st, listed } = self;
        let mut keys = json::Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            keys.first(&key)?;
            let status = match key.as_str() {
                "failed_checks" => CheckStatus::Failed,
                "passed_checks" => CheckStatus::Passed,
                "skipped_checks" => CheckStatus::Skipped,
                "parsing_errors" => {
                    let mut n = 0;
                    let unparsed = &mut listed.unparsed;
                    let mut each = |file: String| {
                        n += 1;
                        if unparsed.len() < NAMED_FILES {
                            unparsed.push(cap(file, caps::MESSAGE));
                        }
                    };
                    map.next_value_seed(ForEach::new(&mut each))?;
                    listed.parsing_errors = Some(listed.parsing_errors.unwrap_or(0) + n);
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let cx = st.cx;
            let records = &mut st.out.records;
            // With Keep::Judged the checks that are not judged are only counted, so that a
            // report of a million passed checks is not a million records in memory. Those
            // skipped in code are few and kept: the comment lists them with their reasons.
            let keep = !cx.keep.judged_only() || status.judged() || status.suppressed();
            let mut n = 0;
            let mut each = |c: Check| {
                if keep {
                    records.misconfigurations.push(convert(c, status, cx));
                } else {
                    records.unkept.misconfigurations += 1;
                    records.unkept.suppressed_misconfigurations += usize::from(status.suppressed());
                }
                n += 1;
            };
            map.next_value_seed(ForEach::new(&mut each))?;
            listed.add(status, n);
        }
        Ok(())
    }
}

/// One check result. Fields not named here (`code_block`, `file_abs_path`, `evaluations`, …)
/// are skipped while reading and never held in memory.
#[derive(Deserialize)]
struct Check {
    check_id: String,
    #[serde(default, deserialize_with = "non_empty")]
    bc_check_id: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    check_name: Option<String>,
    #[serde(default)]
    check_result: Option<CheckResult>,
    #[serde(default, deserialize_with = "non_empty")]
    file_path: Option<String>,
    /// The file relative to Checkov's working directory (the checkout, in CI), where
    /// `file_path` is relative to the folder scanned (`checkov -d services/shop/infra`).
    #[serde(default, deserialize_with = "non_empty")]
    repo_file_path: Option<String>,
    /// The file's absolute path where Checkov ran: inside the workspace, the exact place.
    #[serde(default, deserialize_with = "non_empty")]
    file_abs_path: Option<String>,
    #[serde(default, deserialize_with = "list")]
    file_line_range: Vec<i64>,
    #[serde(default, deserialize_with = "non_empty")]
    resource: Option<String>,
    #[serde(default)]
    severity: Option<Sev>,
    #[serde(default, deserialize_with = "non_empty")]
    guideline: Option<String>,
    #[serde(default, deserialize_with = "list")]
    details: Vec<String>,
    /// For a resource in a Terraform module: the file of the `module` block that calls it.
    #[serde(default, deserialize_with = "non_empty")]
    caller_file_path: Option<String>,
    #[serde(default, deserialize_with = "list")]
    caller_file_line_range: Vec<i64>,
}

#[derive(Deserialize)]
struct CheckResult {
    #[serde(default, deserialize_with = "non_empty")]
    suppress_comment: Option<String>,
}

/// A Checkov severity word, checked while reading so that an error points at it. `null` (and
/// an empty string) never reach this type: they are "no severity".
struct Sev(Option<Severity>);

impl<'de> Deserialize<'de> for Sev {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        if word.trim().is_empty() {
            return Ok(Sev(None));
        }
        Severity::parse(&word)
            .map(|s| Sev(Some(s)))
            .ok_or_else(|| bad_value(format!("unexpected Checkov severity {word:?}"), Severity::expected()))
    }
}

/// The file of a check, and the folder to put before the other paths of its result
/// (`caller_file_path`): `repo_file_path`, relative to Checkov's working directory, which is
/// the repository in CI, so that `checkov -d services/shop/infra` gives
/// `/services/shop/infra/main.tf` and not the `/main.tf` of every scanned folder (two
/// services' buckets of one name would share a fingerprint, and a waiver). `file_path`, relative
/// to the folder scanned, when Checkov wrote no other, or one outside its working directory.
fn place(
    file_path: Option<String>,
    repo_file_path: Option<String>,
    file_abs_path: Option<&str>,
) -> (Option<String>, String) {
    let outside = |p: &str| p.split('/').any(|part| part == "..");
    match (file_path, repo_file_path) {
        (Some(file), Some(repo)) if !outside(&repo) => {
            let folder =
                repo.strip_suffix(file.as_str()).filter(|f| !f.ends_with('/')).unwrap_or("").to_owned();
            // For Kubernetes manifests Checkov's `file_path` is already relative to its working
            // directory, and `repo_file_path` puts the scanned folder before it a second time
            // (`/k8s/k8s/deploy.yaml`, in its SARIF too). The absolute path tells: a real file
            // ends with repo_file_path; without it, a file_path that starts with the folder
            // added is taken as whole.
            let doubled = match file_abs_path {
                Some(abs) => !abs.ends_with(repo.as_str()),
                None => !folder.is_empty() && file.starts_with(&format!("{folder}/")),
            };
            if doubled {
                return (Some(file), String::new());
            }
            (Some(repo), folder)
        }
        (None, Some(repo)) if !outside(&repo) => (Some(repo), String::new()),
        (file, _) => (file, String::new()),
    }
}

fn convert(c: Check, status: CheckStatus, cx: &Cx<'_>) -> Misconfiguration {
    let line = |n: Option<&i64>| n.and_then(|&n| u64::try_from(n).ok()).filter(|&n| n > 0);
    // Checkov run in another folder than verdict (a monorepo's `working-directory:
    // services/api`): its absolute path, inside the workspace, places the file exactly.
    let placed = c.file_abs_path.as_deref().and_then(|abs| cx.in_workspace(abs)).map(|rel| format!("/{rel}"));
    let (file, folder) = match placed {
        Some(rel) => place(c.file_path, Some(rel), None),
        None => place(c.file_path, c.repo_file_path, c.file_abs_path.as_deref()),
    };
    let start_line = line(c.file_line_range.first());
    let end_line = line(c.file_line_range.get(1)).or(start_line);
    let message = Some(c.details.join("\n")).filter(|m| !m.trim().is_empty());
    let skip_reason = match status {
        CheckStatus::Skipped => c.check_result.and_then(|r| r.suppress_comment),
        CheckStatus::Failed | CheckStatus::Passed | CheckStatus::Exception => None,
    };
    let aliases = c.bc_check_id.into_iter().filter(|a| *a != c.check_id).collect();
    // The module block is the resource's first two parts (`module.data_lake` of
    // `module.data_lake.aws_s3_bucket.this[0]`): the outermost call, in the caller's file.
    let call = c.resource.as_deref().filter(|r| r.starts_with("module.")).and_then(|r| {
        let second = r.match_indices('.').nth(1).map_or(r.len(), |(i, _)| i);
        r.get(..second).map(str::to_owned)
    });
    let called_from = c.caller_file_path.map(|caller| {
        let start_line = line(c.caller_file_line_range.first());
        CallSite {
            file: if caller.starts_with('/') { format!("{folder}{caller}") } else { caller },
            resource: call,
            start_line,
            end_line: line(c.caller_file_line_range.get(1)).or(start_line),
        }
    });
    Misconfiguration {
        fingerprint: fingerprint::misconfiguration(&c.check_id, c.resource.as_deref(), file.as_deref()),
        source: cx.source.clone(),
        tool: "checkov".into(),
        // Set once the report's `check_type` is known (it may follow `results`).
        framework: None,
        check_id: c.check_id,
        aliases,
        title: c.check_name.map(|t| cap(t, caps::MESSAGE)),
        severity: c.severity.and_then(|s| s.0),
        status,
        resource: c.resource,
        file,
        start_line,
        end_line,
        guideline: c.guideline,
        resolution: None,
        message: message.map(|m| cap(m, caps::MESSAGE)),
        skip_reason: skip_reason.map(|r| cap(r, caps::MESSAGE)),
        called_from,
    }
}

/// The `check_type` of Checkov's secret scanner (`CKV_SECRET_*` checks).
const SECRETS_FRAMEWORK: &str = "secrets";

/// Moves the failed checks of a `secrets` report, from `start` on, to the secrets: each is a
/// credential written in a file, judged as the secrets a Trivy scan finds are (every severity
/// fails by default), not as a misconfiguration, whose unrated severity (Checkov writes none
/// without a platform key) would only warn. Passed and skipped checks stay checks.
fn secrets_apart(records: &mut crate::evidence::Records, start: usize) {
    let checks = records.misconfigurations.split_off(start);
    let first_secret = records.secrets.len();
    for m in checks {
        if m.status != CheckStatus::Failed {
            records.misconfigurations.push(m);
            continue;
        }
        let target = m.file.unwrap_or_default();
        records.secrets.push(Secret {
            fingerprint: fingerprint::secret(&m.check_id, &target),
            source: m.source,
            tool: m.tool,
            target,
            rule_id: m.check_id,
            category: None,
            severity: m.severity.unwrap_or(Severity::Unknown),
            title: m.title,
            start_line: m.start_line,
            end_line: m.end_line,
        });
    }
    fingerprint::tell_secrets_apart(records.secrets.get_mut(first_secret..).unwrap_or_default());
}

/// The JSON path of a field of report `index` (`[1].summary` in a list, `summary` alone).
fn report_path(index: Option<usize>, field: &str) -> String {
    match index {
        Some(i) => format!("[{i}].{field}"),
        None => field.to_owned(),
    }
}

fn warning(code: &str, message: String, path: String) -> Warning {
    Warning { code: code.to_owned(), message, path: Some(path), line: None }
}

/// Compares what a report's summary declares with what its lists hold. Evidence always
/// counts the listed checks; a disagreement is a warning, so nobody mistakes a partial report
/// for a clean one.
fn cross_check(what: &str, index: Option<usize>, summary: &Summary, listed: &Listed, out: &mut Vec<Warning>) {
    let rows = [
        ("passed", "passed_checks", summary.passed, listed.passed),
        ("failed", "failed_checks", summary.failed, listed.failed),
        ("skipped", "skipped_checks", summary.skipped, listed.skipped),
        ("parsing_errors", "parsing_errors", summary.parsing_errors, listed.parsing_errors),
    ];
    for (word, list_name, declared, counted) in rows {
        match (declared, counted) {
            (Some(d), Some(n)) if d != n => out.push(warning(
                "checkov/summary-mismatch",
                format!(
                    "the summary of {what} counts {d} {}, but its `{list_name}` list holds {n}; evidence counts the list",
                    word.replace('_', " ")
                ),
                report_path(index, &format!("summary.{word}")),
            )),
            // The unparsable files get their own warning below.
            (Some(d), None) if d > 0 && list_name != "parsing_errors" => out.push(warning(
                "checkov/checks-not-listed",
                format!(
                    "the summary of {what} counts {d} {word} checks that the report does not list \
                     (written with `--quiet`?); evidence holds only listed checks"
                ),
                report_path(index, "results"),
            )),
            _ => {}
        }
    }
    let unparsed = listed.parsing_errors.unwrap_or(0).max(summary.parsing_errors.unwrap_or(0));
    if unparsed > 0 {
        let named = listed.unparsed.len() as u64;
        let files = match named {
            0 => "; the report does not name them".to_owned(),
            _ if named < unparsed => {
                format!(": {} and {} more", listed.unparsed.join(", "), unparsed - named)
            }
            _ => format!(": {}", listed.unparsed.join(", ")),
        };
        out.push(warning(
            "checkov/parsing-errors",
            cap(format!("checkov could not parse {unparsed} file(s) for {what}{files}"), caps::MESSAGE),
            report_path(index, "results.parsing_errors"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Keep, Records, Severities};
    use crate::ingest::Code;

    fn parse_str(text: &str) -> Result<Parsed, IngestError> {
        crate::ingest::parse_text(
            crate::evidence::Kind::Checkov,
            crate::evidence::Format::Json,
            "checkov.json",
            text,
        )
    }

    /// With `Keep::Judged` only the failed checks and those skipped in code (which the reports
    /// list with their reasons) become records, the same as reading them all; the passed ones
    /// are counted, and the summary's counts still agree (no warning).
    #[test]
    fn keeping_only_judged_checks() {
        let text = include_str!("../../fixtures/checkov/terraform-skip-parse-error.json");
        let limits = crate::ingest::Limits::default();
        let read = |keep| {
            let cx = Cx { keep, ..Cx::new("checkov.json", &limits) };
            parse(text.as_bytes(), &cx).expect("parses")
        };
        let judged_only = Keep::Judged { vulnerabilities: Severities::ALL };
        let (all, judged) = (read(Keep::All), read(judged_only));
        let kept: Vec<_> = all
            .records
            .misconfigurations
            .iter()
            .filter(|m| m.status == CheckStatus::Failed || m.status == CheckStatus::Skipped)
            .cloned()
            .collect();
        assert_eq!((kept.len(), all.records.misconfigurations.len()), (7, 11));
        assert_eq!(judged.records.misconfigurations, kept);
        assert_eq!(judged.records.unkept.misconfigurations, 4);
        // The check skipped in code is kept, with its reason, not only counted.
        assert_eq!(judged.records.unkept.suppressed_misconfigurations, 0);
        assert!(kept.iter().any(|m| m.status == CheckStatus::Skipped && m.skip_reason.is_some()));
        assert_eq!(judged.facts.warnings, all.facts.warnings);
    }

    /// One check object with the given id, severity JSON and extra fields (`guideline`,
    /// `details`, … are absent unless added).
    fn check(id: &str, severity: &str, extra: &str) -> String {
        check_named(id, &format!("Ensure {id}"), severity, extra)
    }

    fn check_named(id: &str, name: &str, severity: &str, extra: &str) -> String {
        format!(
            r#"{{"check_id": "{id}", "bc_check_id": null, "check_name": "{name}",
              "check_result": {{"result": "FAILED"}}, "code_block": [[1, "resource \"x\" \"y\" {{\n"]],
              "file_path": "/main.tf", "file_abs_path": "/src/main.tf", "file_line_range": [3, 9],
              "resource": "aws_s3_bucket.logs", "severity": {severity}{extra}}}"#
        )
    }

    fn report(framework: &str, failed: &[String], passed: &[String], summary: &str) -> String {
        format!(
            r#"{{"check_type": "{framework}", "results": {{"failed_checks": [{}], "passed_checks": [{}],
              "skipped_checks": [], "parsing_errors": []}}, "summary": {summary}}}"#,
            failed.join(","),
            passed.join(",")
        )
    }

    fn summary(passed: u64, failed: u64) -> String {
        format!(
            r#"{{"passed": {passed}, "failed": {failed}, "skipped": 0, "parsing_errors": 0,
               "resource_count": 1, "checkov_version": "3.2.382"}}"#
        )
    }

    /// `severity: null` stays null: Checkov without a platform key has no severities.
    #[test]
    fn null_severity_stays_null() {
        let p = parse_str(&report("terraform", &[check("CKV_AWS_18", "null", "")], &[], &summary(0, 1)))
            .expect("parses");
        let m = p.records.misconfigurations.first().expect("one check");
        assert_eq!(m.severity, None);
        assert_eq!(m.status, CheckStatus::Failed);
        assert_eq!(m.framework.as_deref(), Some("terraform"));
        assert_eq!((m.start_line, m.end_line), (Some(3), Some(9)));
        assert_eq!(m.title.as_deref(), Some("Ensure CKV_AWS_18"));
        assert_eq!(m.file.as_deref(), Some("/main.tf"));
        assert_eq!(
            m.fingerprint,
            fingerprint::misconfiguration("CKV_AWS_18", Some("aws_s3_bucket.logs"), Some("/main.tf"))
        );
        assert_eq!(p.facts.tool, Some(Tool { name: "checkov".into(), version: Some("3.2.382".into()) }));
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// A severity word is mapped, synonyms included; an empty string is no severity.
    #[test]
    fn severity_words() {
        let checks = [
            check("A", "\"HIGH\"", ""),
            check("B", "\"moderate\"", ""),
            check("C", "\"\"", ""),
            check("D", "\"CRITICAL\"", r#", "guideline": "https://docs.example/ckv""#),
        ];
        let p = parse_str(&report("terraform", &checks, &[], &summary(0, 4))).expect("parses");
        let sev: Vec<_> = p.records.misconfigurations.iter().map(|m| m.severity).collect();
        assert_eq!(sev, [Some(Severity::High), Some(Severity::Medium), None, Some(Severity::Critical)]);
        let last = p.records.misconfigurations.last().expect("four");
        assert_eq!(last.guideline.as_deref(), Some("https://docs.example/ckv"));
    }

    /// An unknown severity word is refused with its JSON path and the accepted words.
    #[test]
    fn unknown_severity_word() {
        let doc = format!(
            "[{}, {}]",
            report("kubernetes", &[], &[], &summary(0, 0)),
            report("terraform", &[check("A", "null", ""), check("B", "\"SEVERE\"", "")], &[], &summary(0, 2))
        );
        let e = parse_str(&doc).expect_err("refused");
        assert_eq!(e.code, Code::BadValue);
        assert_eq!(e.message, "unexpected Checkov severity \"SEVERE\"");
        assert_eq!(e.location.path.as_deref(), Some("[1].results.failed_checks[1].severity"));
        assert!(e.location.line.is_some());
        assert!(e.expected.as_deref().is_some_and(|x| x.contains("CRITICAL")));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("checkov -d . -o json")));
    }

    /// A skipped check carries its suppression comment; failed and passed ones never do.
    #[test]
    fn skipped_with_reason() {
        let doc = r#"{"check_type": "kubernetes", "results": {"skipped_checks": [
              {"check_id": "CKV_K8S_21", "bc_check_id": "BC_K8S_20", "check_name": "default namespace",
               "check_result": {"result": "SKIPPED", "suppress_comment": "Public website bucket"},
               "file_path": "/deploy/web.yaml", "file_line_range": [1, 30], "resource": "Deployment.default.web",
               "severity": null}],
             "passed_checks": [
              {"check_id": "CKV_K8S_8", "check_result": {"result": "PASSED", "suppress_comment": "stray"},
               "file_path": "/deploy/web.yaml", "file_line_range": [0, 0], "resource": "Deployment.default.web"}]},
            "summary": {"passed": 1, "failed": 0, "skipped": 1, "parsing_errors": 0, "checkov_version": "3.3.30"}}"#;
        let p = parse_str(doc).expect("parses");
        let [skipped, passed] = p.records.misconfigurations.as_slice() else { panic!("two checks") };
        assert_eq!(skipped.status, CheckStatus::Skipped);
        assert_eq!(skipped.skip_reason.as_deref(), Some("Public website bucket"));
        assert_eq!(skipped.aliases, ["BC_K8S_20"]);
        assert_eq!(passed.status, CheckStatus::Passed);
        assert_eq!(passed.skip_reason, None);
        assert_eq!((passed.start_line, passed.end_line), (None, None));
        assert!(p.facts.warnings.is_empty(), "{:?}", p.facts.warnings);
    }

    /// One report object, a list of reports and the summary-only object are all read; the
    /// summary-only object yields no records, only the tool.
    #[test]
    fn one_many_or_summary_only() {
        let one = report("dockerfile", &[check("CKV_DOCKER_7", "null", "")], &[], &summary(0, 1));
        let p = parse_str(&one).expect("one");
        assert_eq!(p.records.misconfigurations.len(), 1);

        let many = format!(
            "[{}, {}]",
            one,
            report(
                "secrets",
                &[check("CKV_SECRET_6", "null", "")],
                &[check("X", "null", "")],
                &summary(1, 1)
            )
        );
        let p = parse_str(&many).expect("many");
        let fw: Vec<_> = p.records.misconfigurations.iter().map(|m| m.framework.as_deref()).collect();
        assert_eq!(fw, [Some("dockerfile"), Some("secrets")], "the failed secret is a secret now");
        assert_eq!(p.records.secrets.len(), 1);

        let only = r#"{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0,
                       "checkov_version": "3.2.1"}"#;
        let p = parse_str(only).expect("summary only");
        assert_eq!(p.records, Records::default());
        assert_eq!(p.facts.tool.and_then(|t| t.version).as_deref(), Some("3.2.1"));
        assert!(p.facts.warnings.is_empty());

        assert_eq!(parse_str("[]").expect("empty list").records, Records::default());
    }

    /// The failed checks of a `secrets` report are secrets, judged as Trivy's are: a leaked key
    /// without a Checkov severity must not become a misconfiguration that only warns. Passed
    /// and skipped ones stay checks; `check_type` after `results` changes nothing.
    #[test]
    fn failed_secret_checks_are_secrets() {
        let failed = check_named("CKV_SECRET_2", "AWS Access Key", "null", "");
        let skipped = check("CKV_SECRET_6", "null", "");
        let doc = format!(
            r#"{{"results": {{"failed_checks": [{failed}], "skipped_checks": [{skipped}]}}, "check_type": "secrets",
                "summary": {{"passed": 0, "failed": 1, "skipped": 1, "parsing_errors": 0}}}}"#
        );
        let p = parse_str(&doc).expect("a secrets report");
        let s = p.records.secrets.first().expect("the failed check is a secret");
        assert_eq!(p.records.secrets.len(), 1);
        assert_eq!(
            (s.rule_id.as_str(), s.tool.as_str(), s.severity),
            ("CKV_SECRET_2", "checkov", Severity::Unknown)
        );
        assert_eq!(
            (s.title.as_deref(), s.start_line, s.target.as_str()),
            (Some("AWS Access Key"), Some(3), "/main.tf")
        );
        assert_eq!(s.fingerprint, fingerprint::secret("CKV_SECRET_2", &s.target));
        let left: Vec<_> =
            p.records.misconfigurations.iter().map(|m| (m.check_id.as_str(), m.status)).collect();
        assert_eq!(left, [("CKV_SECRET_6", CheckStatus::Skipped)]);
        assert!(p.facts.warnings.is_empty(), "the summary still agrees: {:?}", p.facts.warnings);
    }

    /// Two secrets of one rule in one file (the corpus's kubernetes-goat `deployment.yaml`,
    /// lines 44 and 53) are two findings with a fingerprint each, from their lines: one waiver
    /// accepts one of them, never the other or one added later. A secret alone in its file
    /// keeps the fingerprint of its rule and file.
    #[test]
    fn secrets_of_one_rule_in_one_file_are_told_apart() {
        let first = check_named("CKV_SECRET_6", "Base64 High Entropy String", "null", "");
        let second = first.replace("[3, 9]", "[12, 12]");
        let doc = format!(
            r#"{{"results": {{"failed_checks": [{first}, {second}]}}, "check_type": "secrets",
                "summary": {{"passed": 0, "failed": 2, "skipped": 0, "parsing_errors": 0}}}}"#
        );
        let secrets = parse_str(&doc).expect("a secrets report").records.secrets;
        let fps: Vec<&str> = secrets.iter().map(|s| s.fingerprint.as_str()).collect();
        assert_eq!(
            fps,
            [
                fingerprint::secret_at("CKV_SECRET_6", "/main.tf", Some(3)),
                fingerprint::secret_at("CKV_SECRET_6", "/main.tf", Some(12))
            ]
        );
        assert_ne!(fps[0], fingerprint::secret("CKV_SECRET_6", "/main.tf"));
    }

    /// A resource in a Terraform module knows the module block that calls it: Checkov's
    /// `caller_file_path` and `caller_file_line_range`, and the block named by the resource.
    #[test]
    fn a_module_resource_knows_its_call() {
        let c = check(
            "CKV_AWS_145",
            "null",
            r#", "caller_file_path": "/terraform/main.tf", "caller_file_line_range": [40, 52]"#,
        )
        .replace(
            r#""resource": "aws_s3_bucket.logs""#,
            r#""resource": "module.data_lake.aws_s3_bucket.this[0]""#,
        );
        let p = parse_str(&report("terraform", &[c], &[], &summary(0, 1))).expect("parses");
        let call = p.records.misconfigurations[0].called_from.as_ref().expect("a call");
        assert_eq!(
            (call.file.as_str(), call.resource.as_deref(), call.start_line, call.end_line),
            ("/terraform/main.tf", Some("module.data_lake"), Some(40), Some(52))
        );
        let plain = parse_str(&report("terraform", &[check("CKV_AWS_18", "null", "")], &[], &summary(0, 1)));
        assert_eq!(plain.expect("parses").records.misconfigurations[0].called_from, None);
    }

    /// `checkov -d services/billing/infra` run from the repository writes `file_path` relative
    /// to the folder scanned (`/main.tf` in every service) and `repo_file_path` relative to
    /// the repository: the latter places the finding, the module call beside it, and its
    /// fingerprint, so that one service's bucket is not another's, nor its waiver.
    #[test]
    fn a_scanned_folder_is_placed_in_the_repository() {
        let in_folder = |folder: &str| {
            let c = check(
                "CKV_AWS_145",
                "null",
                &format!(
                    r#", "repo_file_path": "/{folder}/main.tf", "caller_file_path": "/main.tf", "caller_file_line_range": [4, 9]"#
                ),
            )
            .replace(r#""file_abs_path": "/src/main.tf""#, &format!(r#""file_abs_path": "/src/{folder}/main.tf""#));
            let p = parse_str(&report("terraform", &[c], &[], &summary(0, 1))).expect("parses");
            p.records.misconfigurations.into_iter().next().expect("one check")
        };
        let (billing, shop) = (in_folder("services/billing/infra"), in_folder("services/shop/infra"));
        assert_eq!(billing.file.as_deref(), Some("/services/billing/infra/main.tf"));
        assert_eq!(
            billing.called_from.as_ref().map(|c| c.file.as_str()),
            Some("/services/billing/infra/main.tf")
        );
        assert_ne!(billing.fingerprint, shop.fingerprint);
        // Scanned from the repository's root, the two are one path: the fingerprint is the
        // one `file_path` always gave.
        let root = check("CKV_AWS_145", "null", r#", "repo_file_path": "/main.tf""#);
        let p = parse_str(&report("terraform", &[root], &[], &summary(0, 1))).expect("parses");
        assert_eq!(
            p.records.misconfigurations[0].fingerprint,
            fingerprint::misconfiguration("CKV_AWS_145", Some("aws_s3_bucket.logs"), Some("/main.tf"))
        );
        // A folder named as the one scanned, inside it (`checkov -d infra` of infra/infra/main.tf):
        // the absolute path ends with repo_file_path, which is right.
        let nested = check("CKV_AWS_145", "null", r#", "repo_file_path": "/infra/infra/main.tf""#)
            .replace(r#""file_path": "/main.tf""#, r#""file_path": "/infra/main.tf""#)
            .replace(r#""file_abs_path": "/src/main.tf""#, r#""file_abs_path": "/src/infra/infra/main.tf""#);
        let p = parse_str(&report("terraform", &[nested], &[], &summary(0, 1))).expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("/infra/infra/main.tf"));
        // Kubernetes manifests: file_path is already the whole path, and repo_file_path doubles
        // the folder scanned.
        let k8s = check("CKV_K8S_16", "null", r#", "repo_file_path": "/k8s/k8s/deploy.yaml""#)
            .replace(r#""file_path": "/main.tf""#, r#""file_path": "/k8s/deploy.yaml""#);
        let p = parse_str(&report("kubernetes", &[k8s], &[], &summary(0, 1))).expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("/k8s/deploy.yaml"));
        // Checkov run from a service's folder (a monorepo's `working-directory`): its absolute
        // path, inside verdict's workspace, places the file exactly.
        let limits = crate::ingest::Limits::default();
        let workspace = std::path::Path::new("/home/runner/work/shop/shop");
        let cx = Cx { workspace: Some(workspace), ..Cx::new("checkov.json", &limits) };
        let abs = check("CKV_AWS_145", "null", r#", "repo_file_path": "/infra/main.tf""#).replace(
            r#""file_abs_path": "/src/main.tf""#,
            r#""file_abs_path": "/home/runner/work/shop/shop/services/api/infra/main.tf""#,
        );
        let p = parse(report("terraform", std::slice::from_ref(&abs), &[], &summary(0, 1)).as_bytes(), &cx)
            .expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("/services/api/infra/main.tf"));
        // Outside the workspace (another machine's path), repo_file_path as before.
        let elsewhere = Cx { workspace: Some(std::path::Path::new("/builds/acme/shop")), ..cx };
        let p =
            parse(report("terraform", &[abs], &[], &summary(0, 1)).as_bytes(), &elsewhere).expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("/infra/main.tf"));
        // A repo_file_path outside Checkov's working directory places nothing.
        let outside = check("CKV_AWS_145", "null", r#", "repo_file_path": "/../elsewhere/main.tf""#);
        let p = parse_str(&report("terraform", &[outside], &[], &summary(0, 1))).expect("parses");
        assert_eq!(p.records.misconfigurations[0].file.as_deref(), Some("/main.tf"));
    }

    /// `check_type` may follow `results`: the framework is still set on every check.
    #[test]
    fn framework_after_results() {
        let doc = format!(
            r#"{{"results": {{"failed_checks": [{}]}}, "summary": {}, "check_type": "arm"}}"#,
            check("CKV_AZURE_1", "null", ""),
            summary(0, 1)
        );
        let p = parse_str(&doc).expect("parses");
        assert_eq!(p.records.misconfigurations.first().and_then(|m| m.framework.as_deref()), Some("arm"));
    }

    /// Files Checkov could not parse become one warning naming them.
    #[test]
    fn parsing_errors_warning() {
        let doc = r#"[{"check_type": "terraform", "results": {"failed_checks": [], "passed_checks": [],
              "skipped_checks": [], "parsing_errors": ["/broken.tf", "/also-broken.tf"]},
              "summary": {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 2, "checkov_version": "3.2.0"}}]"#;
        let p = parse_str(doc).expect("parses");
        let [w] = p.facts.warnings.as_slice() else { panic!("one warning: {:?}", p.facts.warnings) };
        assert_eq!(w.code, "checkov/parsing-errors");
        assert_eq!(w.path.as_deref(), Some("[0].results.parsing_errors"));
        assert_eq!(
            w.message,
            "checkov could not parse 2 file(s) for the terraform report: /broken.tf, /also-broken.tf"
        );
    }

    /// A summary that disagrees with the lists is a warning and counts come from the lists, but
    /// failed checks the summary counts and the report does not list are an error: failures
    /// nobody can judge, which a gate would otherwise pass.
    #[test]
    fn summary_mismatch() {
        let doc = report("terraform", &[check("A", "null", "")], &[], &summary(2, 1));
        let p = parse_str(&doc).expect("parses");
        assert_eq!(p.records.misconfigurations.len(), 1);
        let [w] = p.facts.warnings.as_slice() else { panic!("one warning: {:?}", p.facts.warnings) };
        assert_eq!(w.code, "checkov/summary-mismatch");
        assert_eq!(w.path.as_deref(), Some("summary.passed"));
        assert!(w.message.contains("counts 2 passed, but its `passed_checks` list holds 0"), "{}", w.message);

        let doc = report("terraform", &[check("A", "null", "")], &[], &summary(0, 3));
        let e = parse_str(&doc).expect_err("failures left out");
        assert_eq!(e.code, Code::BadValue);
        assert_eq!(
            e.message,
            "the summary of the terraform report counts 3 failed checks, but the report lists 1"
        );
        let bare =
            r#"{"passed": 0, "failed": 5, "skipped": 0, "parsing_errors": 0, "checkov_version": "3.2.0"}"#;
        let e = parse_str(bare).expect_err("a summary of failures without the failures");
        assert_eq!(e.message, "the summary of the report counts 5 failed checks, but the report lists 0");
    }

    /// `--quiet` reports list only failed checks: the missing passed ones are a warning, and
    /// unparsable files counted only in the summary still warn.
    #[test]
    fn quiet_report() {
        let doc = format!(
            r#"{{"check_type": "kubernetes", "results": {{"failed_checks": [{}]}},
               "summary": {{"passed": 931, "failed": 1, "skipped": 0, "parsing_errors": 2, "checkov_version": "3.3.30"}}}}"#,
            check("CKV_K8S_155", "null", "")
        );
        let p = parse_str(&doc).expect("parses");
        let codes: Vec<_> = p.facts.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["checkov/checks-not-listed", "checkov/parsing-errors"]);
        assert!(p.facts.warnings[0].message.contains("931 passed checks"));
        assert!(p.facts.warnings[1].message.ends_with("the report does not name them"));
    }

    /// Details become the message; `code_block` is never kept; long text is capped.
    #[test]
    fn message_and_caps() {
        let long = "x".repeat(10_000);
        let doc = report(
            "terraform",
            &[check_named("A", &long, "null", r#", "details": ["first", "second"]"#)],
            &[],
            &summary(0, 1),
        );
        let p = parse_str(&doc).expect("parses");
        let m = p.records.misconfigurations.first().expect("one");
        assert_eq!(m.message.as_deref(), Some("first\nsecond"));
        assert!(m.title.as_deref().is_some_and(|t| t.len() <= caps::MESSAGE && t.ends_with('…')));
        assert!(!serde_json::to_string(m).expect("json").contains("resource \\\"x\\\""));
    }

    /// Real checkov 3.3.30 output over an empty folder: the summary only, so no records.
    #[test]
    fn real_summary_only() {
        let p = parse_str(include_str!("../../fixtures/checkov/summary-only.json")).expect("parses");
        assert_eq!(p.records, Records::default());
        assert_eq!(p.facts.tool, Some(Tool { name: "checkov".into(), version: Some("3.3.30".into()) }));
        assert!(p.facts.warnings.is_empty());
    }

    /// Real checkov output for one framework (a single object): the `#checkov:skip` comment is
    /// the skip reason, the unparsable file is named, and the lists match the summary.
    #[test]
    fn real_single_report() {
        let p = parse_str(include_str!("../../fixtures/checkov/terraform-skip-parse-error.json"))
            .expect("parses");
        let ms = &p.records.misconfigurations;
        let count = |s: CheckStatus| ms.iter().filter(|m| m.status == s).count();
        assert_eq!(
            (count(CheckStatus::Passed), count(CheckStatus::Failed), count(CheckStatus::Skipped)),
            (4, 6, 1)
        );
        assert!(ms.iter().all(|m| m.severity.is_none() && m.framework.as_deref() == Some("terraform")));
        let skipped = ms.iter().find(|m| m.status == CheckStatus::Skipped).expect("skipped");
        assert_eq!(
            (skipped.check_id.as_str(), skipped.resource.as_deref(), skipped.file.as_deref()),
            ("CKV_AWS_18", Some("aws_s3_bucket.logs"), Some("/main.tf"))
        );
        assert_eq!(
            skipped.skip_reason.as_deref(),
            Some("Access logs of this bucket go to the central audit bucket")
        );
        assert_eq!((skipped.start_line, skipped.end_line), (Some(1), Some(4)));
        let [w] = p.facts.warnings.as_slice() else { panic!("one warning: {:?}", p.facts.warnings) };
        assert_eq!(
            (w.code.as_str(), w.path.as_deref()),
            ("checkov/parsing-errors", Some("results.parsing_errors"))
        );
        assert!(w.message.ends_with("broken.tf"), "{}", w.message);
    }

    /// Real `--quiet --compact` output for two frameworks (a list): only failed checks are
    /// listed, and each report whose summary counts unlisted checks says so.
    #[test]
    fn real_quiet_list() {
        let p = parse_str(include_str!("../../fixtures/checkov/quiet-compact-list.json")).expect("parses");
        let fw: Vec<_> =
            p.records.misconfigurations.iter().map(|m| m.framework.as_deref().unwrap_or("")).collect();
        assert_eq!(fw.iter().filter(|f| **f == "dockerfile").count(), 3);
        assert_eq!(fw.iter().filter(|f| **f == "terraform").count(), 6);
        assert!(p.records.misconfigurations.iter().all(|m| m.status == CheckStatus::Failed));
        let got: Vec<_> = p.facts.warnings.iter().map(|w| (w.code.as_str(), w.path.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("checkov/checks-not-listed", Some("[0].results")),
                ("checkov/checks-not-listed", Some("[1].results")),
                ("checkov/checks-not-listed", Some("[1].results")),
            ]
        );
        assert!(p.facts.warnings[0].message.contains("dockerfile report counts 20 passed checks"));
    }

    /// Neither a report nor a summary, and a check without an id, are refused.
    #[test]
    fn refused_shapes() {
        let e = parse_str(r#"{"results": {"failed_checks": []}}"#).expect_err("no check_type");
        assert_eq!(e.code, Code::MissingField);
        let e = parse_str(r#"{"url": "x"}"#).expect_err("nothing");
        assert_eq!(e.code, Code::MissingField);
        let e =
            parse_str(r#"{"check_type": "terraform", "results": {"failed_checks": [{"check_name": "x"}]}}"#)
                .expect_err("no id");
        assert_eq!(e.code, Code::MissingField);
        assert_eq!(e.location.path.as_deref(), Some("results.failed_checks[0]"));
        let e = parse_str(r#""checkov""#).expect_err("a string");
        assert_eq!(e.code, Code::BadValue);
    }
}
