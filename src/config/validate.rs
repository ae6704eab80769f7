//! `verdict.yaml`'s keys: the located tree → [`Config`], every problem reported in one pass.
//!
//! Owns: which keys exist where, what each accepts, and the checks between settings
//! (a waiver repeated, a threshold with the built-in pack off). Takes the root node and a
//! [`Cx`]; returns what could be read, with every diagnostic in the context (the caller
//! refuses the whole file if any is an error). Must not: open files (the `waivers_file` is
//! read by the caller and handed back as another node), read the clock.

use std::path::PathBuf;

use jiff::civil::Date;
use serde_json::{Map, Number, Value as Json};

use crate::evidence::{Kind, Severity};
use crate::ingest::custom::valid_name;
use crate::verdict::waiver::{Matcher, Origin, PathGlob, Waiver};

use super::check::{Cx, Sections, Table, child, closest, item};
use super::codes::Code;
use super::model::{
    Action, Config, DataConfig, FailOn, Inputs, NamedInput, Policies, Required, SignatureCheck,
    SignatureSubject, Thresholds,
};
use super::source::Span;
use super::yaml::{Node, Typed, Value, short};

const TOP: &[&str] =
    &["inputs", "policies", "data", "thresholds", "fail_on", "waivers", "waivers_file", "signatures"];
const INPUTS: &[&str] = &["paths", "named", "required"];
const NAMED: &[&str] = &["kind", "name", "path"];
const POLICIES: &[&str] = &["builtin", "paths", "namespaces", "all_namespaces"];
const DATA: &[&str] = &["files", "values"];
const THRESHOLDS: &[&str] = &["tests", "vulnerabilities", "misconfigurations", "secrets", "sbom", "cost"];
const TESTS: &[&str] = &["flaky"];
const VULNERABILITIES: &[&str] = &["severities", "unfixed", "unknown_severity"];
const MISCONFIGURATIONS: &[&str] = &["severities", "unknown_severity"];
const SECRETS: &[&str] = &["severities"];
const SBOM: &[&str] = &["required", "denied_licenses"];
const COST: &[&str] = &["budget_usd"];
/// The built-in pack's settings (`data.verdict.config`, what `thresholds:` sets), by section:
/// a data file that sets them is checked against these names too.
pub(crate) const PACK_SETTINGS: &[(&str, &[&str])] = &[
    ("tests", TESTS),
    ("vulnerabilities", VULNERABILITIES),
    ("misconfigurations", MISCONFIGURATIONS),
    ("secrets", SECRETS),
    ("sbom", SBOM),
    ("cost", COST),
];
const WAIVER: &[&str] = &["fingerprint", "id", "purl", "path", "reason", "owner", "expires"];
const WAIVERS_FILE: &[&str] = &["waivers"];
const SIGNATURE: &[&str] = &[
    "image",
    "blob",
    "bundle",
    "signature",
    "certificate",
    "key",
    "certificate_identity",
    "certificate_identity_regexp",
    "certificate_oidc_issuer",
    "certificate_oidc_issuer_regexp",
    "attestations",
    "trusted_root",
    "ignore_tlog",
];

/// Every mapping of the file and its keys, for "`severities` belongs under …" hints.
pub(crate) const SECTIONS: &Sections = &[
    ("", TOP),
    ("inputs", INPUTS),
    ("inputs.named[]", NAMED),
    ("policies", POLICIES),
    ("data", DATA),
    ("thresholds", THRESHOLDS),
    ("thresholds.tests", TESTS),
    ("thresholds.vulnerabilities", VULNERABILITIES),
    ("thresholds.misconfigurations", MISCONFIGURATIONS),
    ("thresholds.secrets", SECRETS),
    ("thresholds.sbom", SBOM),
    ("thresholds.cost", COST),
    ("waivers[]", WAIVER),
    ("signatures[]", SIGNATURE),
];

const ACTIONS: &[(&str, Action)] =
    &[("fail", Action::Fail), ("warn", Action::Warn), ("ignore", Action::Ignore)];
const FAIL_ON: &[(&str, FailOn)] = &[("fail", FailOn::Fail), ("warn", FailOn::Warn)];
const KINDS: &[(&str, Kind)] = &[
    ("junit", Kind::Junit),
    ("trivy", Kind::Trivy),
    ("checkov", Kind::Checkov),
    ("cyclonedx", Kind::Cyclonedx),
    ("spdx", Kind::Spdx),
    ("custom", Kind::Custom),
];

/// What [`config`] read, besides the [`Config`]: what the caller still has to do.
pub(crate) struct Validated {
    /// The configuration (complete only if no error was reported).
    pub config: Config,
    /// `waivers_file`: the resolved path and where it was written, for the caller to read.
    pub waivers_file: Option<(PathBuf, Span)>,
    /// The waivers read so far, with their place, for duplicate checks across files.
    pub ledger: Ledger,
}

/// The identity of each waiver read, to refuse a second waiver of the same findings.
#[derive(Default)]
pub(crate) struct Ledger {
    seen: Vec<(Criteria, String, u64)>,
}

type Criteria = (Option<String>, Option<String>, Option<String>, Option<String>);

/// Validates the whole file. `root` is `None` for an empty file (the defaults).
pub(crate) fn config(cx: &mut Cx<'_>, root: Option<&Node>) -> Validated {
    let mut read = Validated { config: Config::default(), waivers_file: None, ledger: Ledger::default() };
    let Some(root) = root else { return read };
    let Some(top) = top_table(cx, root) else { return read };
    let c = &mut read.config;
    if let Some(n) = top.get("inputs") {
        c.inputs = inputs(cx, n);
    }
    if let Some(n) = top.get("policies") {
        c.policies = policies(cx, n);
    }
    if let Some(n) = top.get("data") {
        c.data = data(cx, n);
    }
    if let Some(n) = top.get("thresholds") {
        c.thresholds = thresholds(cx, n);
    }
    if let Some(n) = top.get("fail_on") {
        c.fail_on = cx.word(n, "fail_on", "`fail_on` value", FAIL_ON).unwrap_or_default();
    }
    if let Some(n) = top.get("waivers") {
        c.waivers = waivers(cx, n, "waivers", &mut read.ledger);
    }
    if let Some(n) = top.get("waivers_file") {
        read.waivers_file = cx.path(n, "waivers_file").map(|p| (p, n.span));
    }
    if let Some(n) = top.get("signatures") {
        c.signatures = signatures(cx, n);
    }
    cross_checks(cx, &top, &read.config);
    read
}

fn top_table<'n>(cx: &mut Cx<'_>, root: &'n Node) -> Option<Table<'n>> {
    if !matches!(root.value, Value::Map(_)) && !root.is_null() {
        cx.wrong_type(
            root,
            "",
            "a mapping of settings (`inputs:`, `policies:`, …)",
            "see docs/config.md for the file's shape",
        );
        return None;
    }
    cx.table(root, "", TOP, SECTIONS)
}

fn inputs(cx: &mut Cx<'_>, node: &Node) -> Inputs {
    let mut out = Inputs::default();
    let Some(t) = cx.table(node, "inputs", INPUTS, SECTIONS) else { return out };
    if let Some(n) = t.get("paths") {
        out.paths =
            path_list(cx, n, "inputs.paths", Some("remove `inputs.paths` to search the working directory"));
    }
    if let Some(n) = t.get("named") {
        out.named = named(cx, n);
    }
    if let Some(n) = t.get("required") {
        out.required = required(cx, n);
    }
    out
}

/// A list of paths; `empty_help` makes `[]` an error with that help.
fn path_list(cx: &mut Cx<'_>, node: &Node, path: &str, empty_help: Option<&str>) -> Vec<PathBuf> {
    let items = match empty_help {
        Some(help) => cx.nonempty_list(node, path, help),
        None => cx.list(node, path),
    };
    let mut seen = Vec::new();
    for (i, n) in items.unwrap_or_default().iter().enumerate() {
        if let Some(p) = cx.path(n, &item(path, i)) {
            seen.push((p, n, i));
        }
    }
    cx.repeated(path, &seen, |a, b| a == b);
    seen.into_iter().map(|(p, _, _)| p).collect()
}

fn named(cx: &mut Cx<'_>, node: &Node) -> Vec<NamedInput> {
    let mut out: Vec<NamedInput> = Vec::new();
    for (i, n) in cx.list(node, "inputs.named").unwrap_or_default().iter().enumerate() {
        let path = item("inputs.named", i);
        let Some(input) = named_entry(cx, n, &path) else { continue };
        if let Some(first) = out.iter().find(|o| o.path == input.path) {
            let message = format!("`{}` is named twice", input.path.display());
            cx.report(Code::DuplicateInput, n.span, &path, message).help =
                Some(format!("keep one entry for it (it is already named as {})", describe_input(first)));
        } else if let Some(name) = &input.name
            && out.iter().any(|o| o.name.as_ref() == Some(name))
        {
            cx.report(Code::DuplicateInput, n.span, &path, format!("two custom inputs are named `{name}`"))
                .help =
                Some("each custom document lands under its own `input.custom.NAME`: rename one".into());
        } else {
            out.push(input);
        }
    }
    out
}

/// One `inputs.named` entry: `{kind, name?, path}`.
fn named_entry(cx: &mut Cx<'_>, n: &Node, path: &str) -> Option<NamedInput> {
    let t = cx.table(n, path, NAMED, SECTIONS)?;
    if t.is_empty() {
        cx.report(Code::MissingKey, n.span, path, "a named input needs `kind` and `path`").help =
            Some("write `{ kind: trivy, path: scans/image.json }`".into());
        return None;
    }
    let kinds = "one of junit, trivy, checkov, cyclonedx, spdx, custom";
    let kind = match t.get("kind") {
        // `custom:cost` is how `inputs.required` and `--input` spell it; here the name has
        // its own key.
        Some(k) if k.text().starts_with("custom:") => {
            let name = k.text().trim_start_matches("custom:");
            let d = cx.report(
                Code::InvalidValue,
                k.span,
                &child(path, "kind"),
                format!("unknown kind `{}`", short(k.text())),
            );
            d.expected = Some(kinds.into());
            d.help = Some(format!("write `kind: custom` and `name: {}`", short(name)));
            None
        }
        Some(k) => cx.word(k, &child(path, "kind"), "kind", KINDS),
        None => {
            cx.report(Code::MissingKey, n.span, path, "this named input has no `kind`").expected =
                Some(format!("`kind`: {kinds}"));
            None
        }
    };
    let name = t.get("name").and_then(|k| {
        let name_path = child(path, "name");
        let name = cx.string(k, &name_path)?;
        custom_name(cx, k, &name_path, &name).then_some(name)
    });
    let file = match t.get("path") {
        Some(p) => cx.path(p, &child(path, "path")),
        None => {
            cx.report(Code::MissingKey, n.span, path, "this named input has no `path`").expected =
                Some("`path`: the file to read".into());
            None
        }
    };
    match (kind?, t.get("name")) {
        (Kind::Custom, None) => {
            cx.report(Code::MissingKey, n.span, path, "a custom input needs a `name`").help =
                Some("add `name: NAME`: the document lands under `input.custom.NAME`".into());
            None
        }
        (Kind::Custom, Some(_)) => Some(NamedInput { kind: Kind::Custom, name: Some(name?), path: file? }),
        (k, Some(node)) => {
            let message = format!("`name` is only for kind custom, not {}", k.as_str());
            cx.report(Code::InvalidValue, node.span, &child(path, "name"), message).help =
                Some("remove `name`".into());
            None
        }
        (k, None) => Some(NamedInput { kind: k, name: None, path: file? }),
    }
}

/// Whether `name` can name a custom input; if not, says why at `node`.
fn custom_name(cx: &mut Cx<'_>, node: &Node, path: &str, name: &str) -> bool {
    if valid_name(name) {
        return true;
    }
    let d = cx.report(
        Code::InvalidValue,
        node.span,
        path,
        format!("`{}` cannot name a custom input", short(name)),
    );
    d.expected = Some("letters, digits and `_`, not starting with a digit".into());
    d.help = Some("the name becomes `input.custom.NAME` in policies, so it must be a Rego identifier".into());
    false
}

fn describe_input(n: &NamedInput) -> String {
    match &n.name {
        Some(name) => format!("custom:{name}"),
        None => n.kind.as_str().to_owned(),
    }
}

fn required(cx: &mut Cx<'_>, node: &Node) -> Vec<Required> {
    let mut seen = Vec::new();
    let expected = "one of junit, trivy, checkov, cyclonedx, spdx, sbom, custom:NAME";
    for (i, n) in cx.list(node, "inputs.required").unwrap_or_default().iter().enumerate() {
        let path = item("inputs.required", i);
        let Some(word) = cx.token(n, &path, "kind") else { continue };
        let r = match word.split_once(':') {
            Some(("custom", name)) => {
                custom_name(cx, n, &path, name).then(|| Required::Custom(name.to_owned()))
            }
            Some((other, _)) => {
                let d =
                    cx.report(Code::InvalidValue, n.span, &path, format!("unknown kind `{}`", short(&word)));
                d.expected = Some(expected.into());
                d.help = Some(format!("only custom takes a name (`custom:NAME`), not `{}`", short(other)));
                None
            }
            None if word == "custom" => {
                let d = cx.report(Code::InvalidValue, n.span, &path, "`custom` needs a name");
                d.expected = Some("custom:NAME, e.g. custom:cost".into());
                None
            }
            None if word == "sbom" => Some(Required::Sbom),
            None => match KINDS.iter().find(|(w, _)| *w == word) {
                Some((_, k)) => Some(Required::Kind(*k)),
                None => {
                    let words = ["junit", "trivy", "checkov", "cyclonedx", "spdx", "sbom"];
                    let d = cx.report(
                        Code::InvalidValue,
                        n.span,
                        &path,
                        format!("unknown kind `{}`", short(&word)),
                    );
                    d.expected = Some(expected.into());
                    d.help =
                        closest(&word.to_ascii_lowercase(), &words).map(|w| format!("did you mean `{w}`?"));
                    None
                }
            },
        };
        if let Some(r) = r {
            seen.push((r, n, i));
        }
    }
    cx.repeated("inputs.required", &seen, |a, b| a == b);
    seen.into_iter().map(|(r, _, _)| r).collect()
}

fn policies(cx: &mut Cx<'_>, node: &Node) -> Policies {
    let mut out = Policies::default();
    let Some(t) = cx.table(node, "policies", POLICIES, SECTIONS) else { return out };
    if let Some(b) = t.get("builtin").and_then(|n| cx.boolean(n, "policies.builtin")) {
        out.builtin = b;
    }
    if let Some(n) = t.get("paths") {
        out.paths = path_list(cx, n, "policies.paths", None);
    }
    if let Some(n) = t.get("namespaces") {
        let help = "remove `policies.namespaces` to evaluate `main`; to evaluate only the built-in pack, write no policies";
        let mut seen = Vec::new();
        for (i, n) in cx.nonempty_list(n, "policies.namespaces", help).unwrap_or_default().iter().enumerate()
        {
            let path = item("policies.namespaces", i);
            if let Some(ns) = namespace(cx, n, &path) {
                seen.push((ns, n, i));
            }
        }
        cx.repeated("policies.namespaces", &seen, |a, b| a == b);
        if !seen.is_empty() {
            out.namespaces = seen.into_iter().map(|(ns, _, _)| ns).collect();
        }
    }
    if let Some(b) = t.get("all_namespaces").and_then(|n| cx.boolean(n, "policies.all_namespaces")) {
        out.all_namespaces = b;
    }
    if out.all_namespaces
        && let Some(span) = t.key_span("namespaces")
    {
        cx.report(Code::NoEffect, span, "policies.namespaces", "`policies.namespaces` has no effect").help =
            Some("`all_namespaces: true` evaluates every package; remove one of the two".into());
    }
    out
}

/// A Rego package path (`main`, `platform.security`) that is not the built-in pack's.
fn namespace(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<String> {
    let ns = cx.token(node, path, "namespace")?;
    let bare = ns.strip_prefix("data.").unwrap_or(&ns);
    let expected = "a Rego package name such as `main` or `platform.security`";
    if bare != ns {
        let d = cx.report(
            Code::InvalidValue,
            node.span,
            path,
            format!("`{}` is a data path, not a package name", short(&ns)),
        );
        d.expected = Some(expected.into());
        d.help = Some(format!("write `{}`", short(bare)));
        return None;
    }
    if !ns.split('.').all(valid_name) {
        let d =
            cx.report(Code::InvalidValue, node.span, path, format!("`{}` is not a package name", short(&ns)));
        d.expected = Some(expected.into());
        return None;
    }
    if ns == "verdict" || ns.starts_with("verdict.") {
        let d = cx.report(
            Code::InvalidValue,
            node.span,
            path,
            "the `verdict` namespace is reserved for the built-in pack",
        );
        d.help = Some("the built-in pack's packages are always evaluated unless `policies.builtin: false`; name your own packages differently".into());
        return None;
    }
    Some(ns)
}

fn data(cx: &mut Cx<'_>, node: &Node) -> DataConfig {
    let mut out = DataConfig::default();
    let Some(t) = cx.table(node, "data", DATA, SECTIONS) else { return out };
    if let Some(n) = t.get("files") {
        let mut files = Vec::new();
        for (i, n) in cx.list(n, "data.files").unwrap_or_default().iter().enumerate() {
            let path = item("data.files", i);
            let Some(p) = cx.path(n, &path) else { continue };
            let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("json" | "yaml" | "yml")) {
                let d = cx.report(
                    Code::InvalidValue,
                    n.span,
                    &path,
                    format!("`{}` is not a JSON or YAML file", short(n.text())),
                );
                d.expected = Some("a file ending in .json, .yaml or .yml".into());
                continue;
            }
            files.push((p, n, i));
        }
        cx.repeated("data.files", &files, |a, b| a == b);
        out.files = files.into_iter().map(|(p, _, _)| p).collect();
    }
    if let Some(n) = t.get("values") {
        match &n.value {
            Value::Map(entries) => {
                for e in entries {
                    let path = child("data.values", &e.key);
                    if e.key == "verdict" {
                        cx.report(
                            Code::InvalidValue,
                            e.key_span,
                            &path,
                            "`data.verdict` is reserved for the built-in pack",
                        )
                        .help = Some(
                            "set the pack's knobs with `thresholds:`, where each is checked; name your own data differently".into(),
                        );
                        continue;
                    }
                    if let Some(v) = json(cx, &e.value, &path) {
                        out.values.insert(e.key.clone(), v);
                    }
                }
            }
            _ if n.is_null() => {}
            _ => cx.wrong_type(n, "data.values", "a mapping", "write `values: { team: payments }`"),
        }
    }
    out
}

/// Any YAML value as JSON, for `data.values`.
fn json(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<Json> {
    Some(match &node.value {
        Value::Seq(items) => {
            Json::Array(items.iter().enumerate().filter_map(|(i, n)| json(cx, n, &item(path, i))).collect())
        }
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .filter_map(|e| Some((e.key.clone(), json(cx, &e.value, &child(path, &e.key))?)))
                .collect::<Map<_, _>>(),
        ),
        Value::Refused => return None,
        Value::Scalar { .. } => match node.typed()? {
            Typed::Null => Json::Null,
            Typed::Bool(b) => Json::Bool(b),
            Typed::Int(i) => Json::Number(i.into()),
            Typed::Float(f) => match Number::from_f64(f) {
                Some(n) => Json::Number(n),
                None => {
                    cx.report(
                        Code::InvalidValue,
                        node.span,
                        path,
                        format!("`{}` has no JSON equivalent", node.text()),
                    )
                    .expected = Some("a finite number".into());
                    return None;
                }
            },
            Typed::Str(s) => Json::String(s.to_owned()),
        },
    })
}

/// Checks the values of the built-in pack's settings a data file sets (`verdict.config`, given
/// as `config`) exactly as `thresholds:` checks them: the same severities, actions, licenses,
/// booleans and budgets, and the same warnings for a list that turns a check off. Each
/// diagnostic comes back with `thresholds.` in its texts replaced by `verdict.config.` and no
/// place (the caller names the data file). Unknown names are the caller's to report
/// ([`PACK_SETTINGS`]); they are left out here.
pub(crate) fn pack_values(config: &Json) -> Vec<crate::diag::Diagnostic> {
    // JSON is YAML: the values go through the configuration's own reader and checks.
    let Ok(text) = serde_json::to_string(config) else { return Vec::new() };
    let env = |_: &str| None;
    let mut cx = Cx::new(super::source::Source::new("data".to_owned(), &text), PathBuf::new(), &env);
    let Ok(Some(root)) = super::yaml::parse(&cx.src, &mut cx.diags) else { return Vec::new() };
    thresholds(&mut cx, &root);
    let rename = |t: &str| t.replace("thresholds.", "verdict.config.");
    cx.diags
        .into_iter()
        .filter(|d| d.code != Code::UnknownKey.as_str())
        .map(|mut d| {
            d.message = rename(&d.message);
            d.help = d.help.as_deref().map(rename);
            d.doc_path = d.doc_path.as_deref().map(rename);
            (d.file, d.line, d.column, d.snippet) = (None, None, None, None);
            d
        })
        .collect()
}

fn thresholds(cx: &mut Cx<'_>, node: &Node) -> Thresholds {
    let mut out = Thresholds::default();
    let Some(t) = cx.table(node, "thresholds", THRESHOLDS, SECTIONS) else { return out };
    if let Some(s) = t.get("tests").and_then(|n| cx.table(n, "thresholds.tests", TESTS, SECTIONS)) {
        out.tests_flaky =
            s.get("flaky").and_then(|n| cx.word(n, "thresholds.tests.flaky", "action", ACTIONS));
    }
    if let Some(s) = t
        .get("vulnerabilities")
        .and_then(|n| cx.table(n, "thresholds.vulnerabilities", VULNERABILITIES, SECTIONS))
    {
        out.vulnerability_severities = s.get("severities").and_then(|n| {
            severities(cx, n, "thresholds.vulnerabilities.severities", "no vulnerability will fail the gate")
        });
        out.vulnerability_unfixed = s
            .get("unfixed")
            .and_then(|n| cx.word(n, "thresholds.vulnerabilities.unfixed", "action", ACTIONS));
        out.vulnerability_unknown_severity = s
            .get("unknown_severity")
            .and_then(|n| cx.word(n, "thresholds.vulnerabilities.unknown_severity", "action", ACTIONS));
        // UNKNOWN among the blocking severities fails every fixable UNKNOWN vulnerability,
        // whatever `unknown_severity` says.
        if out.vulnerability_severities.as_ref().is_some_and(|l| l.contains(&Severity::Unknown))
            && let Some(span) = s.key_span("unknown_severity")
        {
            cx.report(
                Code::NoEffect,
                span,
                "thresholds.vulnerabilities.unknown_severity",
                "`thresholds.vulnerabilities.unknown_severity` has no effect: UNKNOWN is among `severities`, so a fixable UNKNOWN vulnerability fails",
            )
            .help = Some("remove one of the two: UNKNOWN from `severities`, or `unknown_severity`".into());
        }
    }
    if let Some(s) = t
        .get("misconfigurations")
        .and_then(|n| cx.table(n, "thresholds.misconfigurations", MISCONFIGURATIONS, SECTIONS))
    {
        out.misconfiguration_severities = s.get("severities").and_then(|n| {
            severities(
                cx,
                n,
                "thresholds.misconfigurations.severities",
                "no failed IaC check with a severity will fail the gate",
            )
        });
        out.misconfiguration_unknown_severity = s
            .get("unknown_severity")
            .and_then(|n| cx.word(n, "thresholds.misconfigurations.unknown_severity", "action", ACTIONS));
        // A check without a severity is `unknown_severity`'s to judge: UNKNOWN here does nothing,
        // and `[UNKNOWN]` turns the check off as `[]` does.
        if let Some(list) = &out.misconfiguration_severities
            && list.contains(&Severity::Unknown)
            && let Some(span) = s.key_span("severities")
        {
            let path = "thresholds.misconfigurations.severities";
            let (code, message) = if list.iter().all(|s| *s == Severity::Unknown) {
                (
                    Code::CheckDisabled,
                    format!(
                        "`{path}` holds only UNKNOWN: no failed IaC check with a severity will fail the gate"
                    ),
                )
            } else {
                (Code::NoEffect, format!("UNKNOWN has no effect in `{path}`"))
            };
            cx.report(code, span, path, message).help = Some(
                "a failed check without a severity (Checkov reports none) is judged by `thresholds.misconfigurations.unknown_severity` (fail, warn, ignore)".into(),
            );
        }
    }
    if let Some(s) = t.get("secrets").and_then(|n| cx.table(n, "thresholds.secrets", SECRETS, SECTIONS)) {
        out.secret_severities = s.get("severities").and_then(|n| {
            severities(
                cx,
                n,
                "thresholds.secrets.severities",
                "no secret will fail the gate (each one warns)",
            )
        });
    }
    if let Some(s) = t.get("sbom").and_then(|n| cx.table(n, "thresholds.sbom", SBOM, SECTIONS)) {
        out.sbom_required = s.get("required").and_then(|n| cx.boolean(n, "thresholds.sbom.required"));
        out.denied_licenses = s.get("denied_licenses").and_then(|n| licenses(cx, n));
    }
    if let Some(s) = t.get("cost").and_then(|n| cx.table(n, "thresholds.cost", COST, SECTIONS)) {
        out.cost_budget_usd = s.get("budget_usd").and_then(|n| budget(cx, n));
    }
    out
}

/// A list of severities; `[]` is accepted with a warning, since it turns the check off.
fn severities(cx: &mut Cx<'_>, node: &Node, path: &str, consequence: &str) -> Option<Vec<Severity>> {
    let items = cx.list(node, path)?;
    if items.is_empty() {
        cx.report(Code::CheckDisabled, node.span, path, format!("`{path}` is empty: {consequence}")).help =
            Some(
                "list the severities that must block, or remove the key for the default (docs/config.md)"
                    .into(),
            );
        return Some(Vec::new());
    }
    let mut seen = Vec::new();
    let mut ok = true;
    for (i, n) in items.iter().enumerate() {
        let p = item(path, i);
        let Some(word) = cx.string(n, &p) else {
            ok = false;
            continue;
        };
        match Severity::parse(&word) {
            Some(s) => seen.push((s, n, i)),
            None => {
                ok = false;
                let d =
                    cx.report(Code::InvalidValue, n.span, &p, format!("unknown severity `{}`", short(&word)));
                d.expected = Some(Severity::expected().into());
                let words: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
                d.help = closest(&word.to_ascii_uppercase(), &words).map(|w| format!("did you mean `{w}`?"));
            }
        }
    }
    cx.repeated(path, &seen, |a, b| a == b);
    let mut out: Vec<Severity> = Vec::new();
    for (s, _, _) in seen {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    // A list is the severities that block, not a floor, but one that leaves out a severity
    // above one it names is a mistake (`[MEDIUM]` read as "MEDIUM and up"): CRITICAL would pass.
    const RANKED: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
    // `[UNKNOWN]` alone: nothing the scanners rate would fail. (For misconfigurations UNKNOWN
    // does nothing at all, which their own check says: `config/check-disabled`.)
    if ok
        && !out.is_empty()
        && !RANKED.iter().any(|s| out.contains(s))
        && path != "thresholds.misconfigurations.severities"
    {
        ok = false;
        let d = cx.report(
            Code::InvalidValue,
            node.span,
            path,
            format!("`{path}` names only UNKNOWN: a finding rated CRITICAL or HIGH would not fail the gate"),
        );
        d.expected =
            Some("the rated severities that fail, and UNKNOWN with them: `[CRITICAL, HIGH, UNKNOWN]`".into());
        d.help = Some("the list names each severity that fails, it is not a minimum".into());
    }
    if let Some(lowest) = RANKED.iter().rev().find(|s| out.contains(s)) {
        let above = || RANKED.iter().take_while(move |s| *s != lowest);
        let missing: Vec<&str> = above().filter(|s| !out.contains(s)).map(|s| s.as_str()).collect();
        if !missing.is_empty() {
            ok = false;
            let those = if missing.len() == 1 { "that severity" } else { "those severities" };
            let d = cx.report(
                Code::InvalidValue,
                node.span,
                path,
                format!(
                    "`{path}` leaves out {}, more severe than {}: a finding of {those} would not fail the gate",
                    missing.join(" and "),
                    lowest.as_str()
                ),
            );
            let whole: Vec<&str> = above()
                .chain([lowest])
                .chain(out.iter().filter(|s| **s == Severity::Unknown))
                .map(|s| s.as_str())
                .collect();
            d.expected =
                Some(format!("every severity down to the lowest that should fail: `[{}]`", whole.join(", ")));
            d.help = Some(
                "the list names each severity that fails, it is not a minimum: write the ones above too"
                    .into(),
            );
        }
    }
    ok.then_some(out)
}

fn licenses(cx: &mut Cx<'_>, node: &Node) -> Option<Vec<String>> {
    let path = "thresholds.sbom.denied_licenses";
    let items = cx.list(node, path)?;
    if items.is_empty() {
        cx.report(
            Code::CheckDisabled,
            node.span,
            path,
            format!("`{path}` is empty: no license will fail the gate"),
        )
        .help = Some(
            "list the SPDX ids to deny, or remove the key to keep the default (strong and network copyleft)"
                .into(),
        );
        return Some(Vec::new());
    }
    let mut seen = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let p = item(path, i);
        let Some(id) = cx.string(n, &p) else { continue };
        let spdx = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
        if !id.chars().all(spdx) {
            let expression = [" OR ", " AND ", " WITH ", "(", ")"].iter().any(|w| id.contains(w));
            let d = cx.report(
                Code::InvalidValue,
                n.span,
                &p,
                format!("`{}` is not an SPDX license id", short(&id)),
            );
            d.expected = Some("one SPDX license id such as GPL-3.0-only".into());
            if expression {
                d.help = Some("list each license of the expression on its own; an expression is denied when every alternative of its OR is".into());
            }
            continue;
        }
        if !known_license(&id) {
            // A misspelt id would deny nothing, and the list replaces the defaults: the gate
            // would quietly stop denying the licenses it was meant to.
            let names: Vec<&str> = spdx::identifiers::LICENSES.iter().map(|l| l.name).collect();
            let d = cx.report(
                Code::InvalidValue,
                n.span,
                &p,
                format!("`{}` is not on the SPDX license list", short(&id)),
            );
            d.expected = Some(
                "an SPDX license id such as GPL-3.0-only (spdx.org/licenses), or LicenseRef-… for a license of your own"
                    .into(),
            );
            d.help = Some(
                match license_meant(&id).or_else(|| crate::diag::closest(&id, &names).map(str::to_owned)) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => {
                        "look the license up at https://spdx.org/licenses/ and write its identifier".into()
                    }
                },
            );
            continue;
        }
        seen.push((id, n, i));
    }
    cx.repeated(path, &seen, |a, b| a == b);
    Some(seen.into_iter().map(|(id, _, _)| id).collect())
}

/// The SPDX id a common name stands for, when it is one: the GNU licenses by their short names
/// (`GPL3` → `GPL-3.0-only`, `AGPLv3+` → `AGPL-3.0-or-later`, `LGPL-2.1` → `LGPL-2.1-only`),
/// and a license family named without its version when it has one (`SSPL` → `SSPL-1.0`).
/// Edit distance alone suggests unrelated ids for these (`GPL3` → `NGPL`).
fn license_meant(name: &str) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase().replace(' ', "");
    for family in ["agpl", "lgpl", "gpl"] {
        let Some(rest) = lower.strip_prefix(family) else { continue };
        let rest = rest.trim_start_matches(['-', 'v']);
        let (rest, later) = match rest.strip_suffix('+') {
            Some(r) => (r, true),
            None => (rest.strip_suffix("-or-later").unwrap_or(rest), rest.ends_with("-or-later")),
        };
        let version = match rest {
            "1" | "1.0" => "1.0",
            "2" | "2.0" => "2.0",
            "2.1" => "2.1",
            "3" | "3.0" => "3.0",
            _ => return None,
        };
        let id =
            format!("{}-{version}-{}", family.to_ascii_uppercase(), if later { "or-later" } else { "only" });
        return spdx::license_id(&id).map(|_| id);
    }
    // A family without its version: the one id that starts with the name and a dash.
    let mut versions = spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .filter(|id| id.len() > lower.len() + 1 && id.to_ascii_lowercase().starts_with(&format!("{lower}-")));
    match (versions.next(), versions.next()) {
        (Some(only), None) => Some(only.to_owned()),
        _ => None,
    }
}

/// A waiver's `id`: matched exactly, so it may hold spaces (a test named `adds two numbers`,
/// Jest's and pytest's usual), but not at its ends or a line break, which no finding's id has
/// and a copy from a log easily adds.
fn finding_id(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<String> {
    let s = cx.string(node, path)?;
    if s.trim() != s || s.chars().any(char::is_control) {
        let d = cx.report(
            Code::InvalidValue,
            node.span,
            path,
            format!("id `{}` has spaces at its ends or a line break", short(&s)),
        );
        d.expected = Some("the finding's id exactly, as the verdict shows it".into());
        return None;
    }
    Some(s)
}

/// Whether `id` is on the SPDX license list (its deprecated ids included, compared without case
/// and without a trailing `+`, as the pack compares them), or a `LicenseRef-` of one's own.
pub(crate) fn known_license(id: &str) -> bool {
    let id = id.trim_end_matches('+');
    id.starts_with("LicenseRef-")
        || spdx::license_id(id).is_some()
        || spdx::identifiers::LICENSES.iter().any(|l| l.name.eq_ignore_ascii_case(id))
}

fn budget(cx: &mut Cx<'_>, node: &Node) -> Option<f64> {
    let path = "thresholds.cost.budget_usd";
    if node.is_null() {
        // Written out, `null` is the pack's own default: no cost gate.
        return None;
    }
    let b = cx.number(node, path)?;
    if b < 0.0 {
        let d = cx.report(
            Code::InvalidValue,
            node.span,
            path,
            format!("the cost budget cannot be negative ({})", node.text()),
        );
        d.expected = Some("a number of US dollars, 0 or more".into());
        return None;
    }
    Some(b)
}

/// Reads a list of waivers (`waivers:` or a waivers file), each with its origin in `cx`'s
/// file; a waiver that repeats one already in `ledger` is refused.
pub(crate) fn waivers(cx: &mut Cx<'_>, node: &Node, path: &str, ledger: &mut Ledger) -> Vec<Waiver> {
    let mut out = Vec::new();
    for (i, n) in cx.list(node, path).unwrap_or_default().iter().enumerate() {
        if let Some(w) = waiver(cx, n, &item(path, i), ledger) {
            out.push(w);
        }
    }
    out
}

/// A waivers file: a list of waivers, or a mapping with only `waivers:`.
pub(crate) fn waivers_file(cx: &mut Cx<'_>, root: Option<&Node>, ledger: &mut Ledger) -> Vec<Waiver> {
    let Some(root) = root else { return Vec::new() };
    match &root.value {
        Value::Seq(_) => waivers(cx, root, "", ledger),
        Value::Map(_) => match cx.table(root, "", WAIVERS_FILE, &[("", WAIVERS_FILE), ("waivers[]", WAIVER)])
        {
            Some(t) => t.get("waivers").map(|n| waivers(cx, n, "waivers", ledger)).unwrap_or_default(),
            None => Vec::new(),
        },
        _ if root.is_null() => Vec::new(),
        _ => {
            cx.wrong_type(
                root,
                "",
                "a list of waivers (or `waivers:` and a list)",
                "start each waiver with `- id: …`",
            );
            Vec::new()
        }
    }
}

fn waiver(cx: &mut Cx<'_>, node: &Node, path: &str, ledger: &mut Ledger) -> Option<Waiver> {
    let t = cx.table(node, path, WAIVER, SECTIONS)?;
    if t.is_empty() {
        let d = cx.report(Code::MissingKey, node.span, path, "this waiver is empty");
        d.expected = Some(
            "what it matches (`id`, `fingerprint`, `purl`, `path`), `reason`, `owner` and `expires`".into(),
        );
        d.help = Some("see docs/config.md#waivers for an example".into());
        return None;
    }
    let get = |k: &str| t.get(k).map(|n| (n, child(path, k)));
    let fingerprint = get("fingerprint").and_then(|(n, p)| cx.token(n, &p, "fingerprint"));
    let id = get("id").and_then(|(n, p)| finding_id(cx, n, &p));
    let purl = get("purl").and_then(|(n, p)| purl(cx, n, &p));
    let glob = get("path").and_then(|(n, p)| glob(cx, n, &p));
    let reason = get("reason").and_then(|(n, p)| cx.string(n, &p));
    let owner = get("owner").and_then(|(n, p)| cx.string(n, &p));
    let expires = get("expires").and_then(|(n, p)| date(cx, n, &p));
    let given = |k: &str| t.get(k).is_some();
    let criteria = ["fingerprint", "id", "purl", "path"];
    if !criteria.iter().any(|k| given(k)) {
        let d = cx.report(Code::WaiverTooBroad, node.span, path, "this waiver names no finding");
        d.expected = Some("at least one of `fingerprint`, `id`, `purl`, `path`".into());
        d.help =
            Some("add the finding's `id` (a CVE, a check id) or its `fingerprint` from the report".into());
    }
    if let Some(g) = &glob
        && !given("fingerprint")
        && !given("id")
        && !given("purl")
        && names_no_place(&g.pattern)
    {
        let span = t.get("path").map_or(node.span, |n| n.span);
        let d = cx.report(
            Code::WaiverTooBroad,
            span,
            &child(path, "path"),
            format!(
                "`{}` names no folder or file: as the only criterion, it waives every file it matches",
                g.pattern
            ),
        );
        d.expected = Some(
            "a path with a folder or file named in it (`services/legacy/**`, `web/package-lock.json`)".into(),
        );
        d.help = Some(
            "a waiver accepts named findings: add an `id`, `purl` or `fingerprint`, or name the folder or file in the path"
                .into(),
        );
    }
    let missing: [(&str, &str); 3] = [
        ("reason", "why the finding is accepted: `reason: No fix in Debian 12; not reachable at runtime`"),
        ("owner", "who answers for it, a person or team: `owner: platform-team`"),
        ("expires", "the last day it applies: `expires: 2026-12-31`"),
    ];
    for (key, help) in missing {
        if !given(key) {
            let d = cx.report(Code::MissingKey, node.span, path, format!("this waiver has no `{key}`"));
            d.expected = Some(format!("`{key}`"));
            d.help = Some(format!("every waiver says {help}"));
        }
    }
    let criteria: Criteria =
        (fingerprint.clone(), id.clone(), purl.clone(), glob.as_ref().map(|g| g.pattern.clone()));
    let file = cx.src.file.clone();
    let line = node.span.start.line;
    if criteria != (None, None, None, None) {
        if let Some((_, f, l)) = ledger.seen.iter().find(|(c, _, _)| *c == criteria) {
            let d = cx.report(
                Code::DuplicateWaiver,
                node.span,
                path,
                format!("this waiver matches the same findings as the one at {f}:{l}"),
            );
            d.help = Some("keep one entry: two waivers of the same findings leave it unclear which reason, owner and expiry hold".into());
            return None;
        }
        ledger.seen.push((criteria, file.clone(), line));
    }
    Some(Waiver {
        matcher: Matcher { fingerprint, id, purl, path: glob },
        reason: reason?,
        owner: owner?,
        expires: expires?,
        origin: Origin { file, line },
    })
}

fn purl(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<String> {
    let p = cx.token(node, path, "package URL")?;
    let ok = p.strip_prefix("pkg:").is_some_and(|rest| {
        rest.split_once('/').is_some_and(|(ty, name)| !ty.is_empty() && !name.is_empty())
    });
    if !ok {
        let d =
            cx.report(Code::InvalidValue, node.span, path, format!("`{}` is not a package URL", short(&p)));
        d.expected = Some("a purl such as pkg:npm/lodash or pkg:deb/debian/perl@5.36.0-7".into());
        d.help = Some("without a version it matches every version of the package".into());
        return None;
    }
    Some(p)
}

fn glob(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<PathGlob> {
    let pattern = cx.string(node, path)?;
    match PathGlob::new(&pattern) {
        Ok(g) => Some(g),
        Err(e) => {
            let d = cx.report(
                Code::InvalidValue,
                node.span,
                path,
                format!("`{}` is not a valid glob", short(&pattern)),
            );
            d.expected = Some("a glob such as `services/legacy/**` or `**/*.tf`".into());
            d.causes.push(e.kind().to_string());
            None
        }
    }
}

/// Whether a glob names no folder or file: no part of it between slashes holds a name of at
/// least three letters, digits, `-` or `_` of its own, outside `[…]` classes and other than an
/// extension after `*.`. `*`, `**/*.*`, `[a-z]*` and `**/*.tf` match whatever files a
/// repository happens to have; `services/legacy/**`, `**/{test,tests}/**`, `Dockerfile*`,
/// `docker-compose.*.yml` and `web/package-lock.json` each name a place or a file.
fn names_no_place(pattern: &str) -> bool {
    let names = |part: &str| {
        let mut run = 0usize;
        let mut best = 0usize;
        let mut in_class = false;
        let mut prev2 = ['\0', '\0'];
        let mut extension = false;
        for c in part.chars() {
            match c {
                '[' => in_class = true,
                ']' => in_class = false,
                _ if in_class => {}
                c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => {
                    if run == 0 {
                        extension = prev2 == ['*', '.'];
                    }
                    run += 1;
                    if !extension {
                        best = best.max(run);
                    }
                }
                _ => run = 0,
            }
            prev2 = [prev2[1], c];
        }
        best >= 3
    };
    !pattern.trim_start_matches("./").split('/').any(names)
}

/// A calendar day written `YYYY-MM-DD`.
fn date(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<Date> {
    let text = cx.string(node, path)?;
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    match text.parse::<Date>() {
        Ok(d) if shaped => Some(d),
        _ => {
            let d =
                cx.report(Code::InvalidValue, node.span, path, format!("`{}` is not a date", short(&text)));
            d.expected = Some("a date like 2026-12-31".into());
            d.help = Some(
                "write the last day the waiver applies, as YYYY-MM-DD; it applies through that whole day"
                    .into(),
            );
            None
        }
    }
}

/// `signatures:`: a list of checks, or one check as a mapping.
fn signatures(cx: &mut Cx<'_>, node: &Node) -> Vec<SignatureCheck> {
    if matches!(node.value, Value::Map(_)) {
        return signature(cx, node, "signatures").into_iter().collect();
    }
    let mut out = Vec::new();
    for (i, n) in cx.list(node, "signatures").unwrap_or_default().iter().enumerate() {
        out.extend(signature(cx, n, &item("signatures", i)));
    }
    out
}

/// One signature check.
fn signature(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<SignatureCheck> {
    let t = cx.table(node, path, SIGNATURE, SECTIONS)?;
    let get = |k: &str| t.get(k).map(|n| (n, child(path, k)));
    let example =
        "see docs/signatures.md for examples (GitHub Actions and GitLab CI, keyless and with a key)";
    let subject = match (get("image"), get("blob")) {
        (Some((n, p)), None) => {
            let reference = cx.string(n, &p).and_then(|s| expand(cx, n, &p, &s));
            for k in ["bundle", "signature", "certificate"] {
                if let Some(b) = t.get(k) {
                    let d = cx.report(
                        Code::InvalidValue,
                        b.span,
                        &child(path, k),
                        format!("`{k}` is for files (`blob`), not images"),
                    );
                    d.help = Some("an image's signatures are read from its registry (the tags cosign writes); remove this key".into());
                }
            }
            reference.map(SignatureSubject::Image)
        }
        (None, Some((n, p))) => {
            let file = file_path(cx, n, &p);
            let bundle = get("bundle").and_then(|(n, p)| file_path(cx, n, &p));
            let sig = get("signature").and_then(|(n, p)| file_path(cx, n, &p));
            let certificate = get("certificate").and_then(|(n, p)| file_path(cx, n, &p));
            if t.get("bundle").is_some() && t.get("signature").is_some() {
                let span = t.key_span("signature").unwrap_or(node.span);
                cx.report(
                    Code::InvalidValue,
                    span,
                    &child(path, "signature"),
                    "give `bundle` or `signature`, not both",
                )
                .help = Some("the bundle already holds the signature; remove `signature`".into());
            } else if t.get("bundle").is_none() && t.get("signature").is_none() {
                let d = cx.report(
                    Code::MissingKey,
                    node.span,
                    path,
                    "a file check needs its `bundle` or `signature`",
                );
                d.expected = Some(
                    "`bundle: FILE.sigstore.json` (cosign sign-blob --bundle) or `signature: FILE.sig`"
                        .into(),
                );
            }
            if let Some(c) = t.get("certificate")
                && t.get("signature").is_none()
            {
                cx.report(
                    Code::InvalidValue,
                    c.span,
                    &child(path, "certificate"),
                    "`certificate` goes with `signature`",
                )
                .help = Some("a bundle holds its certificate; remove `certificate`".into());
            }
            Some(SignatureSubject::Blob { path: file?, bundle, signature: sig, certificate })
        }
        (Some(_), Some(_)) => {
            let span = t.key_span("blob").unwrap_or(node.span);
            cx.report(
                Code::InvalidValue,
                span,
                &child(path, "blob"),
                "a check verifies an `image` or a `blob`, not both",
            )
            .help = Some("write two checks".into());
            None
        }
        (None, None) => {
            let d =
                cx.report(Code::MissingKey, node.span, path, "this signature check names nothing to verify");
            d.expected = Some("`image: REGISTRY/REPO@sha256:…` (or `${IMAGE}`), or `blob: FILE`".into());
            d.help = Some(example.into());
            None
        }
    };
    let key = get("key").and_then(|(n, p)| file_path(cx, n, &p));
    let identity = matcher(cx, &t, path, "certificate_identity");
    let issuer = matcher(cx, &t, path, "certificate_oidc_issuer");
    let keyless = t.get("certificate_identity").or(t.get("certificate_identity_regexp")).is_some()
        || t.get("certificate_oidc_issuer").or(t.get("certificate_oidc_issuer_regexp")).is_some();
    if t.get("key").is_some() && keyless {
        let span = t.key_span("key").unwrap_or(node.span);
        cx.report(
            Code::InvalidValue,
            span,
            &child(path, "key"),
            "give a `key` or a certificate identity and issuer, not both",
        )
        .help = Some(
            "a signature is made with a key pair or keylessly; write two checks to accept either".into(),
        );
    } else if t.get("key").is_none() && !keyless {
        let d = cx.report(
            Code::MissingKey,
            node.span,
            path,
            "this signature check does not say who must have signed",
        );
        d.expected = Some(
            "`key: cosign.pub`, or `certificate_identity` (or `certificate_identity_regexp`) with `certificate_oidc_issuer`".into(),
        );
        d.help = Some(example.into());
    } else if keyless {
        let has_id = t.get("certificate_identity").or(t.get("certificate_identity_regexp")).is_some();
        let has_issuer =
            t.get("certificate_oidc_issuer").or(t.get("certificate_oidc_issuer_regexp")).is_some();
        if !has_id || !has_issuer {
            let (missing, why) = if has_id {
                (
                    "certificate_oidc_issuer",
                    "without it, a token from any issuer would do: GitHub Actions is https://token.actions.githubusercontent.com, GitLab CI https://gitlab.com",
                )
            } else {
                (
                    "certificate_identity_regexp",
                    "without it, anyone with a token from this issuer would do: e.g. ^https://github\\.com/ORG/REPO/\\.github/workflows/release\\.yml@",
                )
            };
            let d = cx.report(Code::MissingKey, node.span, path, format!("this check has no `{missing}`"));
            d.expected = Some(format!("`{missing}` (or its exact/regexp twin)"));
            d.help = Some(why.into());
        }
    }
    for (m, what, key) in [
        (&identity, "identity", "certificate_identity_regexp"),
        (&issuer, "issuer", "certificate_oidc_issuer_regexp"),
    ] {
        if let Some(w) = m.as_ref().and_then(|m| m.unanchored_warning(what))
            && let Some(n) = t.get(key)
        {
            cx.report(Code::BroadPattern, n.span, &child(path, key), w);
        }
    }
    let mut attestations = Vec::new();
    if let Some((n, p)) = get("attestations") {
        if matches!(subject, Some(SignatureSubject::Blob { .. })) {
            cx.report(Code::InvalidValue, n.span, &p, "`attestations` is for images").help =
                Some("a file's attestation is a DSSE bundle: give it as the check's `bundle`".into());
        }
        for (i, a) in cx.list(n, &p).unwrap_or_default().iter().enumerate() {
            let ip = item(&p, i);
            let Some(word) = cx.token(a, &ip, "predicate type") else { continue };
            match crate::sign::predicate_type(&word) {
                Ok(uri) => attestations.push(uri),
                Err(e) => {
                    cx.report(Code::InvalidValue, a.span, &ip, e);
                }
            }
        }
    }
    let trusted_root = get("trusted_root").and_then(|(n, p)| file_path(cx, n, &p));
    let ignore_tlog = get("ignore_tlog").and_then(|(n, p)| cx.boolean(n, &p)).unwrap_or(false);
    if ignore_tlog
        && keyless
        && let Some(span) = t.key_span("ignore_tlog")
    {
        let d = cx.report(
            Code::NoEffect,
            span,
            &child(path, "ignore_tlog"),
            "`ignore_tlog` has no effect on keyless checks",
        );
        d.help = Some(
            "a keyless certificate lives ten minutes: only the transparency log proves it signed while valid"
                .into(),
        );
    }
    Some(SignatureCheck {
        name: path.to_owned(),
        subject: subject?,
        key,
        identity,
        issuer,
        attestations,
        trusted_root,
        ignore_tlog,
    })
}

/// `KEY` or `KEY_regexp`, never both.
fn matcher(cx: &mut Cx<'_>, t: &Table<'_>, path: &str, key: &str) -> Option<crate::sign::Matcher> {
    let rkey = format!("{key}_regexp");
    match (t.get(key), t.get(&rkey)) {
        (Some(_), Some(r)) => {
            cx.report(
                Code::InvalidValue,
                r.span,
                &child(path, &rkey),
                format!("give `{key}` or `{rkey}`, not both"),
            );
            None
        }
        (Some(n), None) => cx.string(n, &child(path, key)).map(crate::sign::Matcher::Exact),
        (None, Some(n)) => {
            let p = child(path, &rkey);
            let pattern = cx.string(n, &p)?;
            match crate::sign::Matcher::regex(&pattern) {
                Ok(m) => Some(m),
                Err(e) => {
                    let d = cx.report(Code::InvalidValue, n.span, &p, format!("`{}` {e}", short(&pattern)));
                    d.help = Some(
                        "write a regular expression (Rust/RE2 syntax, as cosign's Go one); escape dots: \\."
                            .into(),
                    );
                    None
                }
            }
        }
        (None, None) => None,
    }
}

/// A path whose `${VAR}`s are expanded, resolved against the configuration's folder.
fn file_path(cx: &mut Cx<'_>, node: &Node, path: &str) -> Option<PathBuf> {
    let s = cx.string(node, path)?;
    let s = expand(cx, node, path, &s)?;
    // A key put in a variable and given here (`key: ${COSIGN_KEY}`): never echoed, since it may
    // be a private key and a CI log cannot mask a multi-line value.
    if let Some(why) = crate::sign::pem_instead_of_path(std::path::Path::new(&s)) {
        cx.report(Code::InvalidValue, node.span, path, format!("`{path}` {why}"));
        return None;
    }
    Some(super::check::resolve(&cx.base, std::path::Path::new(&s)))
}

/// Expands `${VAR}` from the environment: a pipeline names the image it just built
/// (`image: ${IMAGE}`). An unset or empty variable is an error, never an empty reference.
fn expand(cx: &mut Cx<'_>, node: &Node, path: &str, s: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            cx.report(Code::InvalidValue, node.span, path, format!("`{}` has an unclosed `${{`", short(s)))
                .expected = Some("`${NAME}`".into());
            return None;
        };
        let name = after.get(..end).unwrap_or("");
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            cx.report(
                Code::InvalidValue,
                node.span,
                path,
                format!("`${{{}}}` is not a variable name", short(name)),
            )
            .expected = Some("letters, digits and `_`, as `${IMAGE}`".into());
            return None;
        }
        match (cx.env)(name).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => {
                let d = cx.report(Code::InvalidValue, node.span, path, format!("`${{{name}}}` is not set"));
                d.help = Some(format!(
                    "set {name} in the job's environment (e.g. the reference the build step pushed, with its digest), or write the value here"
                ));
                return None;
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Some(out)
}

/// Settings that another setting makes pointless.
fn cross_checks(cx: &mut Cx<'_>, top: &Table<'_>, c: &Config) {
    if !c.policies.builtin
        && let Some(span) = top.key_span("thresholds")
        && top
            .get("thresholds")
            .is_some_and(|n| !n.is_null() && !matches!(&n.value, Value::Map(e) if e.is_empty()))
    {
        cx.report(Code::NoEffect, span, "thresholds", "`thresholds` has no effect: the built-in pack is off")
            .help = Some("the thresholds tune the built-in pack; remove them, or turn the pack on (`policies.builtin: true`)".into());
    }
    let sbom_required =
        c.inputs.required.iter().any(|r| {
            matches!(r, Required::Sbom | Required::Kind(Kind::Cyclonedx) | Required::Kind(Kind::Spdx))
        });
    if sbom_required
        && c.thresholds.sbom_required == Some(true)
        && let Some(n) = top.get("thresholds")
        && let Value::Map(entries) = &n.value
        && let Some(sbom) = entries.iter().find(|e| e.key == "sbom")
        && let Value::Map(keys) = &sbom.value.value
        && let Some(req) = keys.iter().find(|e| e.key == "required")
    {
        cx.report(Code::NoEffect, req.key_span, "thresholds.sbom.required", "`thresholds.sbom.required` has no effect")
            .help = Some("`inputs.required` already makes a missing SBOM an error (exit 2), which a failure cannot add to; remove one of the two".into());
    }
}
