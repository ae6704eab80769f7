//! Content sniffing: what kind of artifact a file is, from its first bytes, never its name.
//!
//! Owns: the recognition rules of every kind (documented in `docs/evidence.md#discovery`).
//! Takes the first bytes of a file (a prefix, possibly cut anywhere); returns a [`Sniffed`].
//! Must not: read files or parse beyond what recognition needs.
//!
//! JSON is recognized by its top-level keys, read with a small tokenizer that tolerates a cut
//! prefix (no JSON crate reads a truncated document and reports the keys it got through);
//! XML by its root element and namespace.

use crate::evidence::{Format, Kind};

/// How many bytes of a file sniffing looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The result of sniffing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A known artifact.
    Known(Kind, Format),
    /// A JSON object holding the top-level keys of two kinds or more, in the order their
    /// rules are tried: a document written by merging two tools' outputs (`jq -s '.[0] *
    /// .[1]'`), which read as one kind would drop what the others hold.
    TwoKinds(Vec<Kind>),
    /// XML or JSON of no known kind, with the reason (listed in `evidence.skipped`).
    UnknownStructured(Format, String),
    /// Neither XML nor JSON (counted only).
    Other(String),
}

/// Sniffs a file from its first bytes (`head`, at most [`SNIFF_BYTES`]).
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Other("UTF-16 text (verdict reads UTF-8)".into());
    }
    let Some(body) = content(head) else {
        return Sniffed::Other(if head.is_empty() { "empty file".into() } else { "blank file".into() });
    };
    match body.first() {
        Some(b'<') => sniff_xml(body),
        Some(b'{') => sniff_json_object(body),
        Some(b'[') => sniff_json_array(body),
        _ => Sniffed::Other("not XML or JSON".into()),
    }
}

/// A file's text from its first byte that is not a byte-order mark or whitespace; `None` for a
/// file that has no such byte.
pub(crate) fn content(head: &[u8]) -> Option<&[u8]> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    body.get(body.iter().position(|b| !b.is_ascii_whitespace())?..)
}

/// A report that starts on a later line of a file that does not open as JSON or XML: what a
/// tool's log written into the same file leaves (`trivy image … > trivy.json 2>&1`, Playwright's
/// JUnit on stdout after its web server's output). The report's kind, and the 1-based line it
/// starts on, within the first [`SNIFF_BYTES`]. A file that opens as JSON or XML is `None`:
/// a report nested in a larger document is not this.
pub fn report_after_text(head: &[u8]) -> Option<(Kind, u64)> {
    let body = content(head)?;
    let opens_structured = match body.first() {
        Some(b'{' | b'<') => true,
        // `[` opens a JSON array when a JSON value follows it; `[WebServer]`, `[INFO]` do not.
        Some(b'[') => body
            .get(1..)
            .and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace()))
            .is_none_or(|b| matches!(b, b'{' | b'[' | b']' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')),
        _ => false,
    };
    if opens_structured {
        return None;
    }
    let mut line = 1;
    for (at, b) in head.iter().enumerate() {
        if *b != b'\n' {
            continue;
        }
        line += 1;
        let rest = head.get(at + 1..).unwrap_or_default();
        let sniffed = match rest.first() {
            Some(b'{') => sniff_json_object(rest),
            Some(b'<') => sniff_xml(rest),
            _ => continue,
        };
        if let Sniffed::Known(kind, _) = sniffed {
            return Some((kind, line));
        }
    }
    None
}

/// The kind of artifact a file's name says it is, for the names the supported tools write or
/// are usually told to write (`trivy.json`, `results_json.json`, `bom.cdx.json`,
/// `TEST-*.xml`, `junit.xml`, …), matched without regard to case. Only an empty file is judged
/// by its name: what a file holds decides everything else.
pub fn kind_by_name(path: &std::path::Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.')?;
    let has = |part: &str| stem.contains(part);
    match ext {
        "json" if has("trivy") => Some(Kind::Trivy),
        "json" if has("checkov") || stem == "results_json" => Some(Kind::Checkov),
        "json" if has("spdx") => Some(Kind::Spdx),
        "json" | "xml" if has("cyclonedx") || has("bom") || stem.ends_with(".cdx") => Some(Kind::Cyclonedx),
        "xml" if has("junit") || has("test") => Some(Kind::Junit),
        _ => None,
    }
}

fn sniff_xml(body: &[u8]) -> Sniffed {
    let Some((name, tag)) = root_element(body) else {
        return Sniffed::UnknownStructured(Format::Xml, "no root element in the first 64 KiB".into());
    };
    let local = name.rsplit(':').next().unwrap_or(name);
    match local {
        "testsuites" | "testsuite" => Sniffed::Known(Kind::Junit, Format::Xml),
        "bom" if tag.contains("cyclonedx.org/schema/bom") => Sniffed::Known(Kind::Cyclonedx, Format::Xml),
        "bom" => Sniffed::UnknownStructured(
            Format::Xml,
            "XML root <bom> without the CycloneDX namespace (xmlns=\"http://cyclonedx.org/schema/bom/1.x\")"
                .into(),
        ),
        other => Sniffed::UnknownStructured(
            Format::Xml,
            format!("XML with root <{other}> is not a known artifact"),
        ),
    }
}

/// What an XML file cut off in its root element's start tag is: a JUnit report when the name
/// got as far as `<test` (`<testsuite` or `<testsuites`), a CycloneDX SBOM when it is `<bom`
/// cut before its `xmlns` (CycloneDX's examples write `serialNumber` and `version` first), so
/// that the parser says where it ends rather than the file being skipped as XML without a root
/// or without a namespace. `body` is the whole file.
pub fn sniff_xml_cut(body: &[u8]) -> Option<Sniffed> {
    let text = std::str::from_utf8(content(body)?).ok()?;
    let open = text.rfind('<')?;
    let tag = text.get(open + 1..)?;
    let prolog_only = root_element(text.get(..open)?.as_bytes()).is_none();
    if !prolog_only || tag.contains('>') {
        return None;
    }
    let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or(tag);
    let local = name.rsplit(':').next().unwrap_or(name);
    let cut_in_name = name.len() == tag.len();
    if cut_in_name && local.len() >= 4 && "testsuites".starts_with(local) {
        Some(Sniffed::Known(Kind::Junit, Format::Xml))
    } else if local == "bom" {
        // Cut anywhere in `<bom …` (its `xmlns` value included): an SBOM cut off.
        Some(Sniffed::Known(Kind::Cyclonedx, Format::Xml))
    } else {
        None
    }
}

/// Whether a whole XML file (`body`) holds no element at all, only its prolog (the
/// declaration, comments): a file cut off before its root, which a name such as `bom.xml` or
/// `TEST-x.xml` says was an artifact.
pub fn xml_without_root(body: &[u8]) -> bool {
    let Some(mut rest) = content(body) else { return false };
    // Only declarations and comments, possibly the last of them cut off: nothing else (a
    // DOCTYPE, an entity) is a report's beginning.
    loop {
        rest = rest.trim_ascii_start();
        let close: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else {
            return rest.is_empty();
        };
        match memchr::memmem::find(rest, close) {
            Some(at) => rest = rest.get(at + close.len()..).unwrap_or_default(),
            None => return true,
        }
    }
}

/// For a file that starts with a UTF-16 byte-order mark, the kind of artifact its text is: a
/// report a Windows tool wrote in UTF-16 (PowerShell's `Out-File` does by default) must be an
/// error that says how to convert it, not a file skipped as unreadable text.
pub fn utf16_kind(head: &[u8]) -> Option<Kind> {
    let little = head.starts_with(&[0xFF, 0xFE]);
    if !little && !head.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let units = head
        .get(2..)?
        .chunks_exact(2)
        .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
        .map(|pair| if little { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) });
    let text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    match sniff(text.as_bytes()) {
        Sniffed::Known(kind, _) => Some(kind),
        _ => None,
    }
}

/// Why discovery skips a file that holds a scan's or a test run's results in a form verdict does
/// not read as such, which the job log then names: a scanner's JUnit rendering (Trivy's
/// `junit.tpl`, Checkov's `-o junitxml`), whose failed "tests" are findings (read as tests,
/// every MEDIUM CVE and every check without a severity would fail the gate as a failed test),
/// or test results in another format (NUnit, xUnit.net, MSTest), or a scanner's SARIF or GitLab
/// security report rendering. The scan's JSON or the tests' JUnit XML is what verdict reads;
/// named by its path or with `--input junit=`, a scanner's JUnit is read as JUnit.
pub fn results_not_read(head: &[u8]) -> Option<&'static str> {
    let has = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
    let body = content(head)?;
    if body.first() == Some(&b'{') {
        return scan_rendering(body);
    }
    match root_element(head)? {
        ("testsuites", tag) if tag.contains("name=\"trivy\"") => Some(
            "Trivy's JUnit rendering of a scan, not test results: verdict reads the scan as JSON (`trivy … --format json --output trivy.json`)",
        ),
        ("testsuites" | "testsuite", _)
            if has("<property name=\"include_all_checkov_policies\"")
                || has("<property name=\"skip_framework\"") =>
        {
            Some(
                "Checkov's JUnit rendering of a scan, not test results: verdict reads Checkov's JSON (`checkov -o json`)",
            )
        }
        ("test-run" | "test-results", _) => Some(
            "NUnit test results, which verdict does not read: have the tests write JUnit XML (`dotnet test --logger junit` with the JunitXml.TestLogger package)",
        ),
        ("assemblies", _) if has("<assembly ") => Some(
            "xUnit.net test results, which verdict does not read: have the tests write JUnit XML (`dotnet test --logger junit` with the JunitXml.TestLogger package)",
        ),
        ("TestRun", tag) if tag.contains("microsoft.com/schemas/VisualStudio/TeamTest") => Some(
            "MSTest results (.trx), which verdict does not read: have the tests write JUnit XML (`dotnet test --logger junit` with the JunitXml.TestLogger package)",
        ),
        _ => None,
    }
}

/// Why discovery skips a JSON object (`body`, from its `{`) that is Trivy's or Checkov's SARIF
/// or GitLab security report rendering of a scan: the scan's own JSON is what verdict judges,
/// and without it the gate would pass on nothing but the line that the scan was skipped.
/// Discovery asks this of every unknown JSON file: the tool's name is looked for first, as
/// bytes, and only a file that names one has its keys read.
fn scan_rendering(body: &[u8]) -> Option<&'static str> {
    // Names as the tools write them, in either spacing (Python's json.dump, Go's encoder).
    let named = |tool: &str| {
        [format!("\"name\": \"{tool}\""), format!("\"name\":\"{tool}\"")]
            .iter()
            .any(|n| memchr::memmem::find(body, n.as_bytes()).is_some())
    };
    let trivy = named("Trivy");
    if !trivy && !named("Checkov") {
        return None;
    }
    let keys = top_level_keys(body);
    let key = |name: &str| keys.iter().any(|(k, _)| k == name);
    let sarif = key("runs") && (key("$schema") || key("version"));
    let gitlab = key("scan") && key("vulnerabilities");
    match (trivy, sarif, gitlab) {
        (true, true, _) => Some(
            "Trivy's SARIF rendering of a scan, which verdict does not judge: give verdict the scan as JSON (`trivy … --format json --output trivy.json`)",
        ),
        (false, true, _) => Some(
            "Checkov's SARIF rendering of a scan, which verdict does not judge: give verdict Checkov's JSON (`checkov -o json`)",
        ),
        (true, false, true) => Some(
            "Trivy's GitLab security report rendering of a scan, which verdict does not judge: give verdict the scan as JSON (`trivy … --format json --output trivy.json`)",
        ),
        (false, false, true) => Some(
            "Checkov's GitLab SAST rendering of a scan, which verdict does not judge: give verdict Checkov's JSON (`checkov -o json`)",
        ),
        _ => None,
    }
}

/// Why discovery skips a file it recognized as JUnit: it is the JUnit rendering of a verdict
/// (`report::junit`: a `<testsuites name="verdict">` whose suites carry `verdict.outcome`). A
/// run searching a folder that holds one (a second gate's reports, an output folder inside the
/// searched one) would otherwise count the first verdict's findings as failed tests. Named by
/// its path or with `--input junit=`, it is read like any JUnit report.
pub fn own_junit_report(head: &[u8]) -> Option<&'static str> {
    let named = matches!(root_element(head), Some(("testsuites", tag)) if tag.contains(" name=\"verdict\""));
    (named && memchr::memmem::find(head, b"<property name=\"verdict.outcome\" value=\"").is_some())
        .then_some("verdict's own JUnit report (a verdict.junit.xml), not test results")
}

/// Finds the root element's name and the text of its start tag, skipping the prolog
/// (declaration, comments, processing instructions, DOCTYPE).
fn root_element(body: &[u8]) -> Option<(&str, &str)> {
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        // A prefix may end inside a multi-byte character.
        Err(e) => std::str::from_utf8(body.get(..e.valid_up_to())?).ok()?,
    };
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.get(r.find("?>")? + 2..)?;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.get(r.find("-->")? + 3..)?;
        } else if let Some(r) = rest.strip_prefix("<!") {
            // DOCTYPE, possibly with an internal subset in brackets.
            let end = match (r.find('['), r.find('>')) {
                (Some(b), Some(g)) if b < g => r.get(b..)?.find("]>").map(|i| b + i + 2)?,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('<') {
            let name_end = r.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
            let name = r.get(..name_end)?;
            let tag_end = r.find('>').unwrap_or(r.len());
            return Some((name, r.get(..tag_end)?));
        } else {
            return None;
        }
    }
}

fn sniff_json_object(body: &[u8]) -> Sniffed {
    let keys = top_level_keys(body);
    decide_object(&keys).unwrap_or_else(|| {
        let mut names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).take(6).collect();
        if keys.len() > 6 {
            names.push("…");
        }
        Sniffed::UnknownStructured(
            Format::Json,
            if names.is_empty() {
                "JSON object with no keys".into()
            } else {
                format!("JSON object with keys {} is not a known artifact", names.join(", "))
            },
        )
    })
}

/// Whether an unrecognized JSON prefix deserves a scan of the whole document's top-level keys
/// ([`sniff_whole_object`]): it starts an object, and the caller knows the file goes on past
/// the prefix. Writers order keys freely — Go's encoder and cyclonedx-python-lib sort them,
/// which puts SPDX's `spdxVersion` after `packages`, Trivy's `SchemaVersion` after `Results`
/// and CycloneDX's `bomFormat` after `components` — so no prefix rule is safe, and an SBOM must
/// never be skipped for the order of its keys.
pub fn needs_whole_scan(head: &[u8]) -> bool {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Recognizes a JSON object from all its top-level keys, reading the whole document in
/// constant memory (values are skipped, not kept). Used when the deciding key lies beyond the
/// first [`SNIFF_BYTES`]. A document that ends before it closes is recognized by the keys it
/// got through (as [`sniff_cut`] does), so that the parser says where it was cut.
pub fn sniff_whole_object<R: std::io::Read>(reader: R) -> Sniffed {
    use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
    struct Keys<'k>(&'k mut Vec<(String, Option<String>)>);
    impl<'de> Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                // The key is noted before its value is read: a document cut off inside the
                // value is still known by it.
                let deciding = key == "bomFormat" || key == "spdxVersion";
                self.0.push((key, None));
                let value = if deciding {
                    map.next_value::<serde_json::Value>()?.as_str().map(str::to_owned)
                } else {
                    map.next_value::<IgnoredAny>()?;
                    None
                };
                if let Some(last) = self.0.last_mut() {
                    last.1 = value;
                }
            }
            Ok(())
        }
    }
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_reader(reader);
    match (&mut de).deserialize_map(Keys(&mut keys)) {
        Ok(()) => decide_object(&keys).unwrap_or_else(|| {
            Sniffed::UnknownStructured(
                Format::Json,
                "JSON object of no known kind (all its keys were read)".into(),
            )
        }),
        Err(e) if e.is_eof() => decide_cut(&keys).unwrap_or_else(|| {
            Sniffed::UnknownStructured(Format::Json, format!("JSON object that does not parse ({e})"))
        }),
        Err(e) => Sniffed::UnknownStructured(Format::Json, format!("JSON object that does not parse ({e})")),
    }
}

/// The kind of a whole file (`body`, no longer than [`SNIFF_BYTES`]) that is a JSON object
/// cut off before it closes, when the keys it got through are one kind's own.
/// Such a file is that artifact, truncated: skipping it as unknown JSON would let a run pass
/// on a report that was cut off (an interrupted scan, an incomplete upload).
pub fn sniff_cut(body: &[u8]) -> Option<Sniffed> {
    use serde::de::IgnoredAny;
    let text = content(body)?;
    if text.first() != Some(&b'{') {
        return None;
    }
    match serde_json::from_slice::<IgnoredAny>(text) {
        Err(e) if e.is_eof() => decide_cut(&top_level_keys(text)),
        _ => None,
    }
}

/// What a document cut off before it closes is, from the top-level keys it got through: the
/// kind one of whose own keys is among them (keys no other JSON artifact or common file has at
/// its top level). The keys that decide a whole document may not have been reached.
fn decide_cut(keys: &[(String, Option<String>)]) -> Option<Sniffed> {
    const OWN: [(&[&str], Kind); 4] = [
        (&["bomFormat", "specVersion"], Kind::Cyclonedx),
        (&["spdxVersion", "SPDXID"], Kind::Spdx),
        (&["SchemaVersion", "ArtifactName", "ArtifactType", "ClusterName"], Kind::Trivy),
        (&["check_type", "checkov_version"], Kind::Checkov),
    ];
    let mut kinds = OWN.iter().filter(|(own, _)| keys.iter().any(|(k, _)| own.contains(&k.as_str())));
    match (kinds.next(), kinds.next()) {
        (Some((_, kind)), None) => Some(Sniffed::Known(*kind, Format::Json)),
        _ => None,
    }
}

fn decide_object(keys: &[(String, Option<String>)]) -> Option<Sniffed> {
    let kinds = object_kinds(keys);
    match kinds.as_slice() {
        [] => None,
        [kind] => Some(Sniffed::Known(*kind, Format::Json)),
        _ => Some(Sniffed::TwoKinds(kinds)),
    }
}

/// Every kind a JSON object's top-level keys decide, in the order their rules are tried.
fn object_kinds(keys: &[(String, Option<String>)]) -> Vec<Kind> {
    let mut kinds = Vec::new();
    let get = |name: &str| keys.iter().find(|(k, _)| k == name);
    let has = |name: &str| get(name).is_some();
    let value = |name: &str| get(name).and_then(|(_, v)| v.as_deref());
    // A `bomFormat` of another spelling ("cyclonedx") beside `specVersion` is a CycloneDX SBOM
    // the parser refuses with the value to write, rather than an SBOM skipped unseen.
    if value("bomFormat").is_some_and(|v| v == "CycloneDX") || (has("bomFormat") && has("specVersion")) {
        kinds.push(Kind::Cyclonedx);
    }
    if value("spdxVersion").is_some_and(|v| v.starts_with("SPDX-")) {
        kinds.push(Kind::Spdx);
    }
    // Without `SchemaVersion`, a report of `ArtifactName` and `Results` is still Trivy's: the
    // parser refuses it as another version rather than the scan being skipped unseen.
    // `trivy k8s --format json` writes `ClusterName` and `Resources`: the parser refuses it
    // by name rather than the cluster's scan being skipped unseen.
    if (has("SchemaVersion") && (has("Results") || has("ArtifactName") || has("ArtifactType")))
        || (has("ArtifactName") && has("Results"))
        || (has("ClusterName") && has("Resources"))
    {
        kinds.push(Kind::Trivy);
    }
    // Checkov prints only its summary when a run finds nothing to check.
    if (has("check_type") && (has("results") || has("summary")))
        || (has("checkov_version") && has("passed") && has("failed"))
    {
        kinds.push(Kind::Checkov);
    }
    kinds
}

fn sniff_json_array(body: &[u8]) -> Sniffed {
    // An array of Checkov reports: look at the first element's keys.
    let inner = body.get(1..).unwrap_or_default();
    let start = inner.iter().position(|b| !b.is_ascii_whitespace());
    match start.and_then(|s| inner.get(s..)) {
        Some(rest) if rest.first() == Some(&b'{') => {
            let keys = top_level_keys(rest);
            let has = |name: &str| keys.iter().any(|(k, _)| k == name);
            match decide_object(&keys) {
                Some(Sniffed::Known(Kind::Checkov, f)) => Sniffed::Known(Kind::Checkov, f),
                // Trivy before 0.20 wrote its results as a bare array: the parser refuses it as
                // another version, rather than the scan being skipped unseen.
                _ if has("Target")
                    && ["Vulnerabilities", "Misconfigurations", "Secrets", "Type", "Class"]
                        .iter()
                        .any(|k| has(k)) =>
                {
                    Sniffed::Known(Kind::Trivy, Format::Json)
                }
                _ => Sniffed::UnknownStructured(
                    Format::Json,
                    "JSON array whose first element is not a known report".into(),
                ),
            }
        }
        Some(rest) if rest.first() == Some(&b']') => {
            Sniffed::UnknownStructured(Format::Json, "empty JSON array".into())
        }
        _ => Sniffed::UnknownStructured(Format::Json, "JSON array of no known kind".into()),
    }
}

/// Reads the keys of the top-level object in `body` (which starts with `{`), with the value of
/// each key whose value is a short string or number. Stops quietly where the prefix ends or
/// where the text stops being JSON.
pub(crate) fn top_level_keys(body: &[u8]) -> Vec<(String, Option<String>)> {
    let mut t = Tok { b: body, i: 1 };
    let mut keys = Vec::new();
    loop {
        t.ws();
        match t.peek() {
            Some(b'}') | None => return keys,
            Some(b',') => {
                t.i += 1;
                continue;
            }
            Some(b'"') => {}
            Some(_) => return keys,
        }
        let Some(key) = t.string() else { return keys };
        t.ws();
        if t.peek() != Some(b':') {
            return keys;
        }
        t.i += 1;
        t.ws();
        let value = match t.peek() {
            Some(b'"') => match t.string() {
                Some(v) => Some(v),
                None => {
                    keys.push((key, None));
                    return keys;
                }
            },
            Some(_) => {
                let start = t.i;
                if !t.skip_value() {
                    keys.push((key, None));
                    return keys;
                }
                let raw = body.get(start..t.i).unwrap_or_default();
                match raw.first() {
                    Some(b'-' | b'0'..=b'9') => std::str::from_utf8(raw).ok().map(|v| v.trim().to_owned()),
                    _ => None,
                }
            }
            None => {
                keys.push((key, None));
                return keys;
            }
        };
        keys.push((key, value));
    }
}

struct Tok<'a> {
    b: &'a [u8],
    i: usize,
}

impl Tok<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// A string at the cursor (which is on `"`), unescaped enough for key comparison.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'u' => {
                            // Keys and values we compare are ASCII; keep the escape verbatim.
                            out.extend_from_slice(b"\\u");
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
            if out.len() > 4096 {
                return None;
            }
        }
    }

    /// Skips one value of any kind; false when the prefix ends first.
    fn skip_value(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            let Some(c) = self.peek() else { return false };
            match c {
                b'"' => {
                    self.i += 1;
                    loop {
                        let Some(c) = self.peek() else { return false };
                        self.i += 1;
                        match c {
                            b'\\' => self.i += 1,
                            b'"' => break,
                            _ => {}
                        }
                    }
                    if depth == 0 {
                        return true;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        return true;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return true;
                    }
                }
                b',' if depth == 0 => return true,
                _ => {}
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the supported tools write, or are told to write, and only those.
    #[test]
    fn kind_by_name() {
        use std::path::Path;
        let by = |name: &str| super::kind_by_name(Path::new("out").join(name).as_path());
        for (name, kind) in [
            ("trivy.json", Kind::Trivy),
            ("trivy-image-results.JSON", Kind::Trivy),
            ("results_json.json", Kind::Checkov),
            ("checkov-terraform.json", Kind::Checkov),
            ("bom.json", Kind::Cyclonedx),
            ("sbom.cdx.json", Kind::Cyclonedx),
            ("app.cdx.json", Kind::Cyclonedx),
            ("bom.xml", Kind::Cyclonedx),
            ("cyclonedx.json", Kind::Cyclonedx),
            ("sbom.spdx.json", Kind::Spdx),
            ("TEST-com.acme.AppTest.xml", Kind::Junit),
            ("junit.xml", Kind::Junit),
            ("jest-junit-01.xml", Kind::Junit),
            ("test-results.xml", Kind::Junit),
        ] {
            assert_eq!(by(name), Some(kind), "{name}");
        }
        for name in
            ["package.json", "report.json", "pom.xml", "notes.json", "trivy.yaml", "junit", "tests.txt"]
        {
            assert_eq!(by(name), None, "{name}");
        }
    }

    fn kind(text: &str) -> Sniffed {
        sniff(text.as_bytes())
    }

    /// Each kind is recognized from real first bytes.
    #[test]
    fn recognizes_kinds() {
        assert_eq!(
            kind("<?xml version=\"1.0\"?>\n<!-- x -->\n<testsuites>"),
            Sniffed::Known(Kind::Junit, Format::Xml)
        );
        assert_eq!(kind("\u{feff}<testsuite name=\"a\">"), Sniffed::Known(Kind::Junit, Format::Xml));
        assert_eq!(
            kind("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\" version=\"1\">"),
            Sniffed::Known(Kind::Cyclonedx, Format::Xml)
        );
        assert_eq!(
            kind("{\"$schema\": \"x\", \"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\""),
            Sniffed::Known(Kind::Cyclonedx, Format::Json)
        );
        assert_eq!(
            kind("{\"SPDXID\": \"x\", \"spdxVersion\": \"SPDX-2.3\""),
            Sniffed::Known(Kind::Spdx, Format::Json)
        );
        assert_eq!(
            kind("{\n  \"SchemaVersion\": 2,\n  \"CreatedAt\": \"2021\",\n  \"ArtifactName\": \"x\""),
            Sniffed::Known(Kind::Trivy, Format::Json)
        );
        assert_eq!(
            kind("{\"check_type\": \"terraform\", \"results\": {"),
            Sniffed::Known(Kind::Checkov, Format::Json)
        );
        assert_eq!(
            kind("[\n  {\"check_type\": \"kubernetes\", \"results\": {}}"),
            Sniffed::Known(Kind::Checkov, Format::Json)
        );
        assert_eq!(
            kind(
                "{\"passed\": 0, \"failed\": 0, \"skipped\": 0, \"parsing_errors\": 0, \"resource_count\": 0, \"checkov_version\": \"3.2\"}"
            ),
            Sniffed::Known(Kind::Checkov, Format::Json)
        );
        // Trivy's JSON before SchemaVersion 2, which the parser refuses by name.
        assert_eq!(
            kind("[\n  {\n    \"Target\": \"alpine:3.10 (alpine 3.10.2)\",\n    \"Type\": \"alpine\","),
            Sniffed::Known(Kind::Trivy, Format::Json)
        );
        assert_eq!(
            kind("{\"ArtifactName\": \"app\", \"Results\": []}"),
            Sniffed::Known(Kind::Trivy, Format::Json)
        );
        assert!(matches!(kind("[{\"Target\": \"x\", \"port\": 1}]"), Sniffed::UnknownStructured(..)));
    }

    /// verdict's own JUnit report is told apart; a report that merely shares the name is not.
    #[test]
    fn own_junit_report_is_told_apart() {
        let ours = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"verdict\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0\">\n  <testsuite name=\"tests\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"2026-11-21T00:00:00\">\n    <properties>\n      <property name=\"verdict.outcome\" value=\"fail\"/>";
        assert_eq!(kind(ours), Sniffed::Known(Kind::Junit, Format::Xml));
        assert!(own_junit_report(ours.as_bytes()).is_some());
        let theirs = "<testsuites name=\"verdict\"><testsuite name=\"cli\"><testcase name=\"a\"/>";
        assert_eq!(own_junit_report(theirs.as_bytes()), None);
        let nested =
            "<testsuite name=\"verdict\"><properties><property name=\"verdict.outcome\" value=\"x\"/>";
        assert_eq!(own_junit_report(nested.as_bytes()), None);
    }

    /// Keys after a large value are still found; nested keys never count.
    #[test]
    fn skips_values() {
        let text = format!(
            "{{\"meta\": {{\"bomFormat\": \"CycloneDX\"}}, \"big\": \"{}\", \"list\": [1, {{\"a\": \"]\"}}], \"spdxVersion\": \"SPDX-2.2\"}}",
            "x\\\"".repeat(1000)
        );
        assert_eq!(kind(&text), Sniffed::Known(Kind::Spdx, Format::Json));
    }

    /// Unknown documents say why; other files are only counted.
    #[test]
    fn unknowns() {
        assert!(
            matches!(kind("<project><modelVersion>"), Sniffed::UnknownStructured(Format::Xml, r) if r.contains("<project>"))
        );
        assert!(
            matches!(kind("{\"name\": \"pkg\", \"version\": \"1\"}"), Sniffed::UnknownStructured(Format::Json, r) if r.contains("name, version"))
        );
        assert!(matches!(kind("<bom version=\"1\">"), Sniffed::UnknownStructured(..)));
        assert!(matches!(kind("fn main() {}"), Sniffed::Other(_)));
        assert!(matches!(kind(""), Sniffed::Other(_)));
        assert!(matches!(sniff(b"\xff\xfe<\x00"), Sniffed::Other(_)));
    }

    /// An SPDX document written with sorted keys has `spdxVersion` last, after the packages:
    /// the prefix hints at it, and the whole-object scan recognizes it.
    #[test]
    fn late_deciding_key() {
        let packages = format!("[{}]", vec![r#"{"SPDXID": "SPDXRef-p", "name": "x"}"#; 5000].join(","));
        let doc = format!(
            r#"{{"SPDXID": "SPDXRef-DOCUMENT", "creationInfo": {{}}, "packages": {packages}, "spdxVersion": "SPDX-2.3"}}"#
        );
        let head = doc.as_bytes().get(..SNIFF_BYTES).expect("long");
        assert!(matches!(sniff(head), Sniffed::UnknownStructured(..)));
        assert!(needs_whole_scan(head));
        assert_eq!(sniff_whole_object(doc.as_bytes()), Sniffed::Known(Kind::Spdx, Format::Json));
        assert!(!needs_whole_scan(b"[{\"check_type\": \"x\""));
        // cyclonedx-python-lib sorts keys: `components` first, `bomFormat` near the end.
        let bom = format!(
            r#"{{"components": [{}], "$schema": "x", "bomFormat": "CycloneDX", "specVersion": "1.6"}}"#,
            vec![r#"{"type": "library", "name": "x"}"#; 3000].join(",")
        );
        assert!(matches!(
            sniff(bom.as_bytes().get(..SNIFF_BYTES).expect("long")),
            Sniffed::UnknownStructured(..)
        ));
        assert_eq!(sniff_whole_object(bom.as_bytes()), Sniffed::Known(Kind::Cyclonedx, Format::Json));
    }

    /// A report after lines of a tool's log is found, with the line it starts on; a file that
    /// opens as JSON or XML, or holds no report, is not this.
    #[test]
    fn reports_after_text() {
        let trivy = "2024-05-02T09:12:31Z\tINFO\t[vuln] scanning\n2024-05-02T09:12:32Z\tINFO\tdone\n{\n  \"SchemaVersion\": 2,\n  \"ArtifactName\": \"app\"";
        assert_eq!(report_after_text(trivy.as_bytes()), Some((Kind::Trivy, 3)));
        let junit =
            "[WebServer] > shop@1.0.0 start\n[WebServer] listening on :3000\n<testsuites name=\"pw\">";
        assert_eq!(report_after_text(junit.as_bytes()), Some((Kind::Junit, 3)));
        let xml_decl = "Running tests...\n<?xml version=\"1.0\"?>\n<testsuite name=\"x\">";
        assert_eq!(report_after_text(xml_decl.as_bytes()).map(|(k, _)| k), Some(Kind::Junit));
        // Opens as JSON or XML: a report nested in it is not a log before a report.
        assert_eq!(report_after_text(b"[\n{\"SchemaVersion\": 2, \"Results\": []}]"), None);
        assert_eq!(report_after_text(b"{\"a\": 1,\n\"b\": 2}"), None);
        assert_eq!(report_after_text(b"just a log\nno report here\n"), None);
    }

    /// A whole file that is a JSON object cut off before it closes is the artifact whose own
    /// keys it got through, so that it is read and reported as truncated, not skipped.
    #[test]
    fn cut_documents_are_their_kind() {
        let cut = |text: &str| sniff_cut(text.as_bytes());
        let trivy = Some(Sniffed::Known(Kind::Trivy, Format::Json));
        assert_eq!(
            cut(
                "{\n  \"SchemaVersion\": 2,\n  \"Trivy\": {\"Version\": \"0.58.1\"},\n  \"ReportID\": \"0193"
            ),
            trivy
        );
        assert_eq!(cut("{\"SchemaVersion\":"), trivy);
        assert_eq!(cut("{\"ArtifactName\": \"x\", \"Results\": [{"), trivy);
        // `trivy k8s`, whole or cut: Trivy's, so that the parser refuses it by name.
        assert_eq!(cut("{\"ClusterName\": \"kind\", \"Resources\": [{"), trivy);
        assert_eq!(
            Some(sniff_whole_object(&br#"{"ClusterName": "kind", "Resources": []}"#[..])),
            trivy,
            "a whole cluster report"
        );
        assert_eq!(
            cut("{\"components\": [], \"bomFormat\": \"Cyclo"),
            Some(Sniffed::Known(Kind::Cyclonedx, Format::Json))
        );
        assert_eq!(
            cut("{\"check_type\": \"terraform\", \"results\": {"),
            Some(Sniffed::Known(Kind::Checkov, Format::Json))
        );
        assert_eq!(
            cut("{\"SPDXID\": \"SPDXRef-DOCUMENT\", \"packages\": ["),
            Some(Sniffed::Known(Kind::Spdx, Format::Json))
        );
        // Whole documents, other JSON cut off, keys of two kinds, and what is not an object
        // are left to the rules of whole documents.
        assert_eq!(cut("{\"SchemaVersion\": 2}"), None);
        assert_eq!(cut("{\"name\": \"app\", \"dependencies\": {"), None);
        assert_eq!(cut("{\"SchemaVersion\": 2, \"check_type\": \"x\", \"a\": ["), None);
        assert_eq!(cut("[{\"SchemaVersion\": 2"), None);
        assert_eq!(cut("{\"SchemaVersion\": 2, \"Results\": [}"), None, "malformed, not cut off");
        assert_eq!(cut(""), None);
    }

    /// A document cut off past the first bytes is recognized from the keys it got through.
    #[test]
    fn cut_whole_documents() {
        let whole = |text: &str| sniff_whole_object(text.as_bytes());
        assert_eq!(
            whole("{\"ArtifactName\": \"x\", \"Metadata\": {\"OS\": {"),
            Sniffed::Known(Kind::Trivy, Format::Json)
        );
        assert!(matches!(whole("{\"name\": \"x\", \"scripts\": {"), Sniffed::UnknownStructured(..)));
        // Cut right after the key that tells, before its value.
        assert_eq!(whole("{\"Results\": [], \"SchemaVersion\": "), Sniffed::Known(Kind::Trivy, Format::Json));
    }

    /// A prefix cut inside a value still yields the keys read so far.
    #[test]
    fn cut_prefix() {
        let keys = top_level_keys(b"{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"a");
        let names: Vec<_> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["SchemaVersion", "Results"]);
        assert_eq!(keys.first().and_then(|(_, v)| v.as_deref()), Some("2"));
    }

    /// A file cut in its root element's name is a JUnit report when the name got as far as
    /// `<test`; a shorter cut, another name, or a file with a root says nothing.
    #[test]
    fn xml_cut_in_the_root_name() {
        let cut = |text: &str| sniff_xml_cut(text.as_bytes());
        let junit = Some(Sniffed::Known(Kind::Junit, Format::Xml));
        assert_eq!(cut("<?xml version=\"1.0\"?>\n<tests"), junit);
        assert_eq!(cut("<!-- surefire --><testsuite"), junit);
        assert_eq!(cut("<?xml version=\"1.0\"?>\n<tes"), None, "too short to tell");
        assert_eq!(cut("<?xml version=\"1.0\"?>\n<project"), None);
        assert_eq!(cut("<testsuite name=\"a\"><tests"), None, "the root is known, the parser reads it");
    }

    /// A file with a UTF-16 byte-order mark is sniffed from its decoded text, either byte order.
    #[test]
    fn utf16_text_is_sniffed() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><testsuites>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(utf16_kind(&le), Some(Kind::Junit));
        assert_eq!(utf16_kind(&be), Some(Kind::Junit));
        let mut other = vec![0xFF, 0xFE];
        other.extend("plain notes".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(utf16_kind(&other), None);
        assert_eq!(utf16_kind(text.as_bytes()), None, "UTF-8 is not UTF-16");
    }

    /// A `bomFormat` of another spelling beside `specVersion` is sniffed as CycloneDX, so that
    /// the parser refuses it by name; a `bomFormat` alone decides nothing.
    #[test]
    fn a_misspelt_bom_format_is_still_cyclonedx() {
        let known = Sniffed::Known(Kind::Cyclonedx, Format::Json);
        assert_eq!(sniff(br#"{"bomFormat": "cyclonedx", "specVersion": "1.5"}"#), known);
        assert!(matches!(
            sniff(br#"{"bomFormat": "cyclonedx", "name": "x"}"#),
            Sniffed::UnknownStructured(..)
        ));
    }

    /// A scanner's JUnit rendering and other test-result formats are told apart from test
    /// results verdict reads; a plain JUnit report is none of them.
    #[test]
    fn results_not_read_are_named() {
        let why = |text: &str| results_not_read(text.as_bytes()).unwrap_or_default();
        assert!(
            why("<?xml version=\"1.0\" ?>\n<testsuites name=\"trivy\">")
                .starts_with("Trivy's JUnit rendering")
        );
        let checkov = "<testsuites><testsuite name=\"terraform scan\"><properties><property name=\"skip_framework\" value=\"[]\"/>";
        assert!(why(checkov).starts_with("Checkov's JUnit rendering"));
        assert!(why("<test-run id=\"2\" testcasecount=\"3\">").starts_with("NUnit"));
        assert!(why("<assemblies><assembly name=\"a.dll\">").starts_with("xUnit.net"));
        assert!(
            why("<TestRun id=\"1\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">")
                .starts_with("MSTest")
        );
        assert_eq!(results_not_read(b"<testsuites name=\"jest tests\"><testsuite name=\"a\">"), None);
        assert_eq!(results_not_read(b"<project><modelVersion>"), None);
        // The scanners' SARIF and GitLab renderings, as the corpus holds them.
        for (file, tool) in [
            ("trivy/other-formats/alpine-310.sarif.golden", "Trivy's SARIF"),
            ("trivy/other-formats/alpine-310.gitlab.golden", "Trivy's GitLab"),
            ("checkov/kubernetes-goat/checkov.sarif.json", "Checkov's SARIF"),
            ("checkov/kubernetes-goat/checkov.gitlab-sast.json", "Checkov's GitLab"),
        ] {
            let text = std::fs::read(format!("fixtures/renderings/{}", file.replace('/', "_")))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let head = text.get(..SNIFF_BYTES.min(text.len())).unwrap_or_default();
            assert!(why(std::str::from_utf8(head).unwrap_or_default()).starts_with(tool), "{file}");
        }
        // Other SARIF (verdict's own among it) and JSON are not named.
        assert_eq!(
            results_not_read(
                b"{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"verdict\""
            ),
            None
        );
        assert_eq!(results_not_read(b"{\"name\": \"Trivy\"}"), None);
    }
}
