//! SARIF 2.1.0, for GitHub code scanning (`upload-sarif`) and any SARIF viewer.
//!
//! One run; the tool `verdict` with one rule per policy rule that produced a finding (id
//! `namespace.rule`; short description from its title, full description from its description,
//! help from its remediation when all its findings share one; default level `error` for
//! `deny`/`violation` rules, `warning` for `warn` rules), plus rules for waivers that need
//! attention. One result per finding: level `error` (blocking) or `warning`, the message with
//! how to fix it, the file and line, the finding's fingerprint in `partialFingerprints`, and
//! `suppressions` for waived (the waiver's reason) and excepted findings, which GitHub then
//! shows as dismissed. Expired and unused waivers are `warning` results and waivers expiring
//! soon `note` results, at their line in the configuration file. Problems that stopped the
//! judgement are tool execution notifications.
//!
//! Every result has a location, because GitHub rejects a whole file when one result lacks one:
//! a finding without a file is anchored to the context's anchor (the gate's configuration),
//! line 1, and says so in its properties. GitHub accepts 25,000 results per run and 10 MB per
//! upload: results are kept most important first (blocking, warnings, waivers, accepted) up
//! to [`budget::SARIF_MAX_RESULTS`] and [`budget::SARIF_MAX_BYTES`], and a notification counts
//! the rest.
//!
//! Pure: a verdict and a context in, JSON out.

use std::io::Write;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::budget;
use super::common::{
    RuleInfo, Standing, WaiverState, hash128, rule_id, rules, severity_word, standing, waivers_to_report,
};
use super::context::RenderContext;
use super::text::{clip, multi_line, num, one_line, safe_url, scrub, scrub_json, uri_path};
use crate::evidence::Severity;
use crate::verdict::{Finding, LedgerEntry, Status, Verdict};

/// The schema URI written in the file.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Longest message text, in characters.
const MAX_MESSAGE: usize = 4_000;
/// Longest rule description or help, in characters.
const MAX_RULE_TEXT: usize = 2_000;
/// Room kept for the run's envelope besides rules and results, in bytes.
const ENVELOPE: usize = 64 * 1024;

/// Renders the verdict as a SARIF 2.1.0 log (compact JSON, one line).
pub fn render(v: &Verdict, cx: &RenderContext) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8.
    let _ = write(v, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`], the log written to `out` around results already serialized: the report file is
/// not held a second time as one text.
pub fn write(v: &Verdict, cx: &RenderContext, out: &mut dyn Write) -> std::io::Result<()> {
    let rules = rules(v);
    let mut descriptors: Vec<Value> = rules.iter().map(rule_descriptor).collect();
    let ledger = waivers_to_report(v);
    for state in [WaiverState::Expired, WaiverState::Unused, WaiverState::ExpiringSoon] {
        if ledger.iter().any(|(_, s)| *s == state) {
            descriptors.push(waiver_descriptor(state));
        }
    }
    let index_of =
        |id: &str| descriptors.iter().position(|d| d.get("id").and_then(Value::as_str) == Some(id));

    // Results, the most important first, within the count and size limits.
    let mut order: Vec<Item<'_>> = Vec::new();
    for want in [Standing::Blocking, Standing::Warning] {
        order.extend(v.findings.iter().filter(|f| standing(v, f) == want).map(Item::Finding));
    }
    order.extend(ledger.iter().map(|(e, s)| Item::Waiver(e, *s)));
    order.extend(v.findings.iter().filter(|f| standing(v, f) == Standing::Accepted).map(Item::Finding));

    let fixed: usize = serde_json::to_string(&descriptors).map_or(0, |s| s.len()) + ENVELOPE;
    let mut size = fixed;
    // Each result is made of typed values, its texts scrubbed as they are set, and serialized
    // once, after the one before it in one buffer: its size counts against the budget, and the
    // text goes into the log as it is (a run of 25,000 results would otherwise be a tree of a
    // million JSON values, serialized twice; or 25,000 texts, each grown and copied on its own).
    let mut results: Vec<u8> =
        Vec::with_capacity(order.len().saturating_mul(1024).min(budget::SARIF_MAX_BYTES));
    let mut listed = 0usize;
    let mut omitted = 0usize;
    for item in &order {
        if listed >= budget::SARIF_MAX_RESULTS || size > budget::SARIF_MAX_BYTES {
            omitted += 1;
            continue;
        }
        let start = results.len();
        if listed > 0 {
            results.push(b',');
        }
        let text_start = results.len();
        let blocks = super::common::warnings_block(v);
        let written = match item {
            Item::Finding(f) => {
                serde_json::to_writer(&mut results, &finding_result(v, f, cx, index_of(&rule_id(f))))
            }
            Item::Waiver(e, s) => {
                serde_json::to_writer(&mut results, &ledger_result(e, *s, cx, index_of(s.rule_id()), blocks))
            }
        };
        // A result and its comma count as in the file.
        let n = results.len() - text_start + 1;
        if written.is_err() || size + n > budget::SARIF_MAX_BYTES {
            results.truncate(start);
            omitted += 1;
            if written.is_ok() {
                size = budget::SARIF_MAX_BYTES + 1;
            }
            continue;
        }
        size += n;
        listed += 1;
    }

    let mut notifications: Vec<Value> = v
        .problems
        .iter()
        .map(|p| {
            json!({
                "level": "error",
                "descriptor": { "id": p.code },
                "message": { "text": clip(format!("{} — {}", one_line(&p.message), one_line(&p.help)), MAX_MESSAGE) },
            })
        })
        .collect();
    if omitted > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": "verdict/sarif-truncated" },
            "message": { "text": format!(
                "{} of {} results are not in this file (GitHub code scanning accepts {} results and 10 MB per run); the least important were left out. The JSON verdict has every finding.",
                num(omitted), num(order.len()), num(budget::SARIF_MAX_RESULTS)
            ) },
        }));
    }

    let mut driver = Map::new();
    driver.insert("name".into(), json!("verdict"));
    driver.insert("version".into(), json!(one_line(&cx.version)));
    if is_semver(&cx.version) {
        driver.insert("semanticVersion".into(), json!(cx.version));
    }
    driver.insert("rules".into(), Value::Array(descriptors));

    let mut run = Map::new();
    run.insert("tool".into(), json!({ "driver": driver }));
    run.insert("automationDetails".into(), json!({ "id": format!("verdict/{}/", cx.gate_key()) }));
    run.insert(
        "invocations".into(),
        json!([{
            "executionSuccessful": v.problems.is_empty(),
            "toolExecutionNotifications": notifications,
        }]),
    );
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    run.insert(
        "properties".into(),
        json!({
            "verdict": {
                "outcome": v.outcome,
                "date": v.date.to_string(),
                "gate": cx.gate_key(),
                "counts": v.counts,
                "omittedResults": omitted,
            }
        }),
    );
    let mut run = Value::Object(run);
    scrub_json(&mut run);
    write_log(&run, &results, out)
}

/// The log around its one run: the run's fields, then `results`, the results serialized and
/// joined with commas, as they are. What serde would write for
/// `{"$schema", "version", "runs": [{...run, "results": [...]}]}`, compact, and a newline.
fn write_log(run: &Value, results: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
    let fields = serde_json::to_vec(run)?;
    // The run is an object with fields: its text ends with the `}` the results go before.
    let fields = fields.strip_suffix(b"}").filter(|f| f.len() > 1).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "a SARIF run is an object with fields")
    })?;
    out.write_all(b"{\"$schema\":")?;
    serde_json::to_writer(&mut *out, SCHEMA)?;
    out.write_all(b",\"version\":\"2.1.0\",\"runs\":[")?;
    out.write_all(fields)?;
    out.write_all(b",\"results\":[")?;
    out.write_all(results)?;
    out.write_all(b"]}]}\n")
}

/// Something that becomes a result.
enum Item<'a> {
    Finding(&'a Finding),
    Waiver(&'a LedgerEntry, WaiverState),
}

/// The rule of a waiver state.
fn waiver_descriptor(state: WaiverState) -> Value {
    let full = match state {
        WaiverState::Expired => {
            "A waiver past its expires day accepts nothing any more, so the findings it accepted count again."
        }
        WaiverState::Unused => {
            "An active waiver matched no finding in this run: it is stale and should be removed."
        }
        WaiverState::ExpiringSoon => {
            "An active waiver expires within 14 days: renew it or fix what it accepts."
        }
    };
    json!({
        "id": state.rule_id(),
        "name": state.rule_id(),
        "shortDescription": { "text": state.title() },
        "fullDescription": { "text": full },
        "help": { "text": "Edit the waiver in verdict.yaml (waivers:): renew it with a reason and an owner, or remove it." },
        "defaultConfiguration": { "level": waiver_level(state, false) },
        "properties": { "tags": ["verdict", "waivers"] },
    })
}

/// A waiver's level: an expired or unused one is a warning, an error where warnings fail the
/// gate (`fail_on: warn`), as the verdict counts it.
fn waiver_level(state: WaiverState, blocks: bool) -> &'static str {
    match (state.is_warning(), blocks) {
        (true, true) => "error",
        (true, false) => "warning",
        (false, _) => "note",
    }
}

/// GitHub's `security-severity` for a verdict severity.
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info | Severity::Unknown => None,
    }
}

/// The steps whose findings are security findings (GitHub shows their severity).
fn is_security_step(step: &str) -> bool {
    matches!(step, "vulnerabilities" | "misconfigurations" | "secrets")
}

fn rule_descriptor(r: &RuleInfo<'_>) -> Value {
    let short = one_line(r.title.unwrap_or(&r.id));
    let full = r.description.map_or_else(|| short.clone(), one_line);
    let mut help = String::new();
    if let Some(d) = r.description {
        help.push_str(&one_line(d));
        help.push_str("\n\n");
    }
    match r.remediation {
        Some(fix) => help.push_str(&format!("How to fix: {}\n\n", multi_line(fix))),
        None => help.push_str("How to fix: each result says what to change.\n\n"),
    }
    help.push_str(
        "To accept a finding instead, add a waiver under `waivers:` in verdict.yaml with the finding's fingerprint (partialFingerprints.verdictFingerprint/v1); the PR comment and the JSON verdict show the entry to paste.",
    );
    let mut tags = vec!["verdict".to_owned(), one_line(r.step)];
    let worst = r.findings.iter().filter_map(|f| f.policy.severity).min();
    let mut props = Map::new();
    if is_security_step(r.step) {
        tags.push("security".into());
        if let Some(s) = worst.and_then(security_severity) {
            props.insert("security-severity".into(), json!(s));
        }
    }
    props.insert("tags".into(), json!(tags));
    props.insert("namespace".into(), json!(r.namespace));
    let mut d = Map::new();
    d.insert("id".into(), json!(r.id));
    d.insert("name".into(), json!(r.rule));
    d.insert("shortDescription".into(), json!({ "text": clip(short, MAX_RULE_TEXT) }));
    d.insert("fullDescription".into(), json!({ "text": clip(full, MAX_RULE_TEXT) }));
    d.insert("help".into(), json!({ "text": clip(help, MAX_RULE_TEXT * 2) }));
    if let Some(url) = r.url.and_then(safe_url) {
        d.insert("helpUri".into(), json!(url));
    }
    d.insert("defaultConfiguration".into(), json!({ "level": if r.fails { "error" } else { "warning" } }));
    d.insert("properties".into(), Value::Object(props));
    Value::Object(d)
}

/// One result. Its fields (and those of the values in it) are declared in the order of their
/// names, the order in which the log has always written them; every text is scrubbed
/// ([`scrub`]) as it is set.
#[derive(Serialize)]
struct SarifResult<P> {
    level: &'static str,
    locations: [Located; 1],
    message: Text,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Fingerprints,
    properties: P,
    #[serde(rename = "ruleId")]
    rule_id: String,
    #[serde(rename = "ruleIndex", skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Located {
    #[serde(rename = "physicalLocation")]
    physical_location: Physical,
}

#[derive(Serialize)]
struct Physical {
    #[serde(rename = "artifactLocation")]
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
struct Region {
    #[serde(rename = "startLine")]
    start_line: u64,
}

/// A result's fingerprints. `primaryLocationLineHash` is set too: when it is absent the upload
/// action computes it from the text of the result's line, and findings anchored to the same
/// line (every finding without a file) would then be merged into one alert.
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "primaryLocationLineHash")]
    line_hash: String,
    /// verdict's fingerprint (the key the rules' help text names).
    #[serde(rename = "verdictFingerprint/v1")]
    verdict: String,
}

impl Fingerprints {
    fn of(fingerprint: String) -> Fingerprints {
        let fingerprint = scrub(fingerprint);
        Fingerprints { line_hash: fingerprint.clone(), verdict: fingerprint }
    }
}

#[derive(Serialize)]
struct Suppression {
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
    kind: &'static str,
    status: &'static str,
}

/// A finding's properties.
#[derive(Serialize)]
struct FindingProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    anchored: Option<bool>,
    #[serde(rename = "enforcedFrom", skip_serializing_if = "Option::is_none")]
    enforced_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    status: &'a Status,
    step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A waiver's properties.
#[derive(Serialize)]
struct WaiverProperties {
    expires: String,
    owner: String,
    reason: String,
}

fn location(path: String, line: Option<u64>) -> [Located; 1] {
    [Located {
        physical_location: Physical {
            artifact_location: Artifact { uri: scrub(uri_path(&path)) },
            region: Region { start_line: line.unwrap_or(1) },
        },
    }]
}

fn finding_result<'a>(
    v: &Verdict,
    f: &'a Finding,
    cx: &RenderContext,
    rule_index: Option<usize>,
) -> SarifResult<FindingProperties<'a>> {
    let level = match standing(v, f) {
        Standing::Blocking => "error",
        Standing::Warning => "warning",
        Standing::Accepted => match f.level {
            crate::policy::Level::Fail => "error",
            crate::policy::Level::Warn => "warning",
        },
    };
    let mut text = multi_line(f.policy.msg.trim());
    if let Some(fix) = f.policy.remediation.as_deref() {
        text.push_str("\nFix: ");
        text.push_str(&multi_line(fix.trim()));
    }
    let place = cx.place(f);
    let short = |value: &Option<String>| value.as_deref().map(|x| scrub(clip(one_line(x), MAX_RULE_TEXT)));
    let properties = FindingProperties {
        anchored: place.anchored.then_some(true),
        enforced_from: f.policy.enforced_from.map(|from| from.to_string()),
        id: short(&f.policy.id),
        policy: scrub(f.policy.policy.clone()),
        purl: short(&f.policy.purl),
        severity: severity_word(f.policy.severity),
        status: &f.status,
        step: scrub(f.step.clone()),
        url: short(&f.policy.url),
    };
    let suppression = match (f.status, &f.waiver) {
        (Status::Waived, Some(w)) => Some(Suppression {
            justification: Some(scrub(clip(
                format!(
                    "{} (owner: {}, until {}, {})",
                    one_line(&w.reason),
                    one_line(&w.owner),
                    w.expires,
                    w.origin
                ),
                MAX_MESSAGE,
            ))),
            kind: "external",
            status: "accepted",
        }),
        (Status::Waived, None) => {
            Some(Suppression { justification: None, kind: "external", status: "accepted" })
        }
        (Status::Excepted, _) => Some(Suppression {
            justification: Some(scrub(format!(
                "excepted by the policy's exception rule ({}.exception)",
                f.policy.namespace
            ))),
            kind: "external",
            status: "accepted",
        }),
        (Status::Open, _) => None,
    };
    SarifResult {
        level,
        locations: location(place.path, place.line),
        message: Text { text: scrub(clip(text, MAX_MESSAGE)) },
        partial_fingerprints: Fingerprints::of(f.policy.fingerprint.clone()),
        properties,
        rule_id: scrub(rule_id(f)),
        rule_index,
        suppressions: suppression.map(|s| [s]),
    }
}

fn ledger_result(
    e: &LedgerEntry,
    state: WaiverState,
    cx: &RenderContext,
    rule_index: Option<usize>,
    blocks: bool,
) -> SarifResult<WaiverProperties> {
    let place = cx.origin_place(&e.origin);
    SarifResult {
        level: waiver_level(state, blocks),
        locations: location(place.path, place.line),
        message: Text { text: scrub(clip(state.message(e), MAX_MESSAGE)) },
        partial_fingerprints: Fingerprints::of(hash128(&["waiver", state.rule_id(), &e.matches])),
        properties: WaiverProperties {
            expires: scrub(e.expires.to_string()),
            owner: scrub(one_line(&e.owner)),
            reason: scrub(clip(one_line(&e.reason), MAX_MESSAGE)),
        },
        rule_id: state.rule_id().to_owned(),
        rule_index,
        suppressions: None,
    }
}

/// `1.2.3`, with an optional pre-release or build suffix.
fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `semanticVersion` only for a semantic version.
    #[test]
    fn semver() {
        assert!(is_semver("0.1.0") && is_semver("1.2.3-rc.1") && is_semver("1.2.3+abc"));
        assert!(!is_semver("0.1") && !is_semver("v1.2.3") && !is_semver("1..3") && !is_semver(""));
    }
}
