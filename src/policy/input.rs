//! Evidence → a regorus value, directly: a serde `Serializer` whose output is a
//! [`regorus::Value`], so a large evidence document is converted once, without writing it out as
//! JSON text and parsing that text back (which took as long as evaluating the built-in pack).
//!
//! Struct field names are `&'static str`: each one becomes a shared string once per conversion
//! (an interned key), so 100,000 test cases share one `"fingerprint"` key instead of holding
//! 100,000 copies of it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use regorus::Value;
use serde::Serialize;
use serde::ser::{self, Impossible};

use crate::evidence::{
    CheckStatus, Component, Evidence, Misconfiguration, Records, Severities, TestCase, Vulnerability,
};

/// The evidence as the built-in pack sees it: every field but those no rule of the pack reads
/// ([`LEFT_OUT`]), except that `tests.cases` holds only the tests that did not simply pass
/// (failed, errored, or flaky), `misconfigurations` only the failed checks,
/// `vulnerabilities` only those of a severity the pack's settings block (when known, see
/// [`PackView::of`]), and each vulnerability and component only the fields the pack's rules
/// read ([`VULNERABILITY_LEFT_OUT`], [`COMPONENT_LEFT_OUT`]; `policies/README.md` says so to
/// whoever changes them). At scale that drops ~97% of the test cases and three quarters of
/// the vulnerabilities before they are converted and iterated over, and a third of what is
/// left of each record. User policies always get the whole document; `tests/opa_parity.rs`
/// proves the pack finds the same on both.
#[derive(Serialize)]
pub struct PackView<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    meta: &'a crate::evidence::Meta,
    sources: &'a [crate::evidence::Source],
    skipped: &'a [crate::evidence::Skipped],
    tests: TestsView<'a>,
    vulnerabilities: Vec<VulnerabilityView<'a>>,
    misconfigurations: Vec<CheckView<'a>>,
    secrets: &'a [crate::evidence::Secret],
    licenses: &'a [crate::evidence::LicenseFinding],
    components: Vec<ComponentView<'a>>,
    custom: &'a BTreeMap<String, serde_json::Value>,
    signatures: &'a [crate::evidence::Signature],
    attestations: &'a [crate::evidence::Attestation],
}

/// The parts of the evidence no rule of the pack reads: an SBOM's dependency graph has more
/// records than its components.
pub const LEFT_OUT: &[&str] = &["dependencies"];

/// The fields of a vulnerability the pack never reads: left out of its view, they would be a
/// third of the regorus values it is given (the CVSS vectors most of all).
pub const VULNERABILITY_LEFT_OUT: &[&str] =
    &["source", "aliases", "fixed_version", "severity_source", "cvss", "cwe_ids", "published"];

/// The fields of a test case the pack never reads (`details` is the stack trace).
pub const TEST_CASE_LEFT_OUT: &[&str] = &["duration_s", "details"];

/// The fields of an infrastructure-as-code check the pack never reads.
pub const CHECK_LEFT_OUT: &[&str] =
    &["source", "framework", "aliases", "end_line", "message", "skip_reason", "called_from"];

/// The fields of an SBOM component the pack never reads.
pub const COMPONENT_LEFT_OUT: &[&str] =
    &["source", "bom_ref", "type", "cpe", "hashes", "scope", "supplier", "parent"];

/// A vulnerability without [`VULNERABILITY_LEFT_OUT`].
#[derive(Serialize)]
struct VulnerabilityView<'a> {
    fingerprint: &'a str,
    target: &'a Option<String>,
    id: &'a str,
    package: &'a crate::evidence::Package,
    fixed_versions: &'a [String],
    severity: crate::evidence::Severity,
    status: &'a Option<String>,
    title: &'a Option<String>,
    url: &'a Option<String>,
}

impl<'a> From<&'a crate::evidence::Vulnerability> for VulnerabilityView<'a> {
    fn from(v: &'a crate::evidence::Vulnerability) -> Self {
        // Destructured, so that a field added to the evidence is either seen or left out here.
        let crate::evidence::Vulnerability {
            fingerprint,
            source: _,
            target,
            id,
            aliases: _,
            package,
            fixed_version: _,
            fixed_versions,
            severity,
            severity_source: _,
            cvss: _,
            status,
            title,
            url,
            cwe_ids: _,
            published: _,
        } = v;
        VulnerabilityView {
            fingerprint,
            target,
            id,
            package,
            fixed_versions,
            severity: *severity,
            status,
            title,
            url,
        }
    }
}

/// A test case without [`TEST_CASE_LEFT_OUT`].
#[derive(Serialize)]
struct TestCaseView<'a> {
    fingerprint: &'a str,
    source: &'a crate::evidence::SourcePath,
    suite: &'a Option<std::sync::Arc<str>>,
    classname: &'a Option<String>,
    name: &'a str,
    file: &'a Option<String>,
    line: Option<u64>,
    status: crate::evidence::TestStatus,
    message: &'a Option<String>,
    failure_type: &'a Option<String>,
    attempts: u32,
    flaky: bool,
}

impl<'a> From<&'a TestCase> for TestCaseView<'a> {
    fn from(c: &'a TestCase) -> Self {
        let TestCase {
            fingerprint,
            source,
            suite,
            classname,
            name,
            file,
            line,
            status,
            duration_s: _,
            message,
            details: _,
            failure_type,
            attempts,
            flaky,
        } = c;
        TestCaseView {
            fingerprint,
            source,
            suite,
            classname,
            name,
            file,
            line: *line,
            status: *status,
            message,
            failure_type,
            attempts: *attempts,
            flaky: *flaky,
        }
    }
}

/// A check without [`CHECK_LEFT_OUT`].
#[derive(Serialize)]
struct CheckView<'a> {
    fingerprint: &'a str,
    tool: &'a str,
    check_id: &'a str,
    title: &'a Option<String>,
    severity: Option<crate::evidence::Severity>,
    status: CheckStatus,
    resource: &'a Option<String>,
    file: &'a Option<String>,
    start_line: Option<u64>,
    guideline: &'a Option<String>,
    resolution: &'a Option<String>,
}

impl<'a> From<&'a crate::evidence::Misconfiguration> for CheckView<'a> {
    fn from(m: &'a crate::evidence::Misconfiguration) -> Self {
        let crate::evidence::Misconfiguration {
            fingerprint,
            source: _,
            tool,
            framework: _,
            check_id,
            aliases: _,
            title,
            severity,
            status,
            resource,
            file,
            start_line,
            end_line: _,
            guideline,
            resolution,
            message: _,
            skip_reason: _,
            called_from: _,
        } = m;
        CheckView {
            fingerprint,
            tool,
            check_id,
            title,
            severity: *severity,
            status: *status,
            resource,
            file,
            start_line: *start_line,
            guideline,
            resolution,
        }
    }
}

/// A component without [`COMPONENT_LEFT_OUT`].
#[derive(Serialize)]
struct ComponentView<'a> {
    fingerprint: &'a str,
    name: &'a str,
    group: &'a Option<String>,
    version: &'a Option<String>,
    purl: &'a Option<String>,
    licenses: &'a [crate::evidence::License],
}

impl<'a> From<&'a crate::evidence::Component> for ComponentView<'a> {
    fn from(c: &'a crate::evidence::Component) -> Self {
        let crate::evidence::Component {
            fingerprint,
            source: _,
            bom_ref: _,
            component_type: _,
            name,
            group,
            version,
            purl,
            cpe: _,
            licenses,
            hashes: _,
            scope: _,
            supplier: _,
            parent: _,
        } = c;
        ComponentView { fingerprint, name, group, version, purl, licenses }
    }
}

/// Keeps of one artifact's records only what the pack's view holds, for a run that the pack
/// alone judges ([`crate::evidence::Keep::Judged`]): the tests it judges, the failed checks and
/// the vulnerabilities of the `blocking` severities (the others counted in `unkept`), no
/// dependency graph, and of each record only the fields the view does not leave out (but
/// `source`, which all records of a file share). Done as each file is read, so that what
/// nobody reads is never all in memory at once.
pub fn keep_judged(records: &mut Records, blocking: Severities) {
    let cases = &mut records.tests.cases;
    cases.retain(TestCase::judged);
    cases.shrink_to_fit();
    cases.iter_mut().for_each(trim_test_case);
    let checks = &mut records.misconfigurations;
    let read = checks.len();
    // Checks skipped in code or under an exception are kept (few, and listed with their
    // reasons in the comment, so that a PR that adds a skip shows it); passed ones go.
    checks.retain(|m| m.status.judged() || m.status.suppressed());
    checks.shrink_to_fit();
    checks.iter_mut().for_each(trim_check);
    records.unkept.misconfigurations += read - checks.len();
    let unkept = &mut records.unkept;
    records.vulnerabilities.retain(|v| {
        let keep = blocking.contains(v.severity);
        if !keep {
            unkept.vulnerability(v.severity, !v.fixed_versions.is_empty());
        }
        keep
    });
    records.vulnerabilities.iter_mut().for_each(trim_vulnerability);
    records.components.iter_mut().for_each(trim_component);
    records.dependencies = Vec::new();
}

// Each `trim_` clears what the record's view leaves out. Destructured, like the views, so that
// a field added to the evidence is placed on one side or the other here too.

fn trim_test_case(c: &mut TestCase) {
    let TestCase {
        fingerprint: _,
        source: _,
        suite: _,
        classname: _,
        name: _,
        file: _,
        line: _,
        status: _,
        duration_s,
        message: _,
        details,
        failure_type: _,
        attempts: _,
        flaky: _,
    } = c;
    (*duration_s, *details) = (None, None);
}

fn trim_check(m: &mut Misconfiguration) {
    let Misconfiguration {
        fingerprint: _,
        source: _,
        tool: _,
        // Which skip a scanner honours depends on it (a Kubernetes manifest's, a template's).
        framework: _,
        check_id: _,
        aliases,
        title: _,
        severity: _,
        status: _,
        resource: _,
        file: _,
        start_line: _,
        end_line,
        guideline: _,
        resolution: _,
        // What the scanner says of this resource ("Container 'api' of Deployment 'web' should
        // set …"): the pack does not read it, but its finding's message does.
        message: _,
        // Why a check was skipped in code: the reports list the skipped checks with it.
        skip_reason: _,
        // Where a module's finding is to be changed: its finding's message reads it.
        called_from: _,
    } = m;
    (*aliases, *end_line) = (Vec::new(), None);
}

fn trim_vulnerability(v: &mut Vulnerability) {
    let Vulnerability {
        fingerprint: _,
        source: _,
        target: _,
        id: _,
        aliases,
        package: _,
        fixed_version,
        fixed_versions: _,
        severity: _,
        severity_source,
        cvss,
        status: _,
        title: _,
        url: _,
        cwe_ids,
        published,
    } = v;
    (*aliases, *fixed_version, *severity_source, *cvss, *cwe_ids, *published) =
        (Vec::new(), None, None, Vec::new(), Vec::new(), None);
}

fn trim_component(c: &mut Component) {
    let Component {
        fingerprint: _,
        source: _,
        bom_ref,
        // The step's count of components without a license leaves Trivy's lockfiles
        // (`application`) out by it.
        component_type: _,
        name: _,
        group: _,
        version: _,
        purl: _,
        cpe,
        licenses: _,
        hashes,
        scope,
        supplier,
        parent,
    } = c;
    (*bom_ref, *cpe, *hashes, *scope, *supplier, *parent) = (None, None, Vec::new(), None, None, None);
}

#[derive(Serialize)]
struct TestsView<'a> {
    totals: &'a crate::evidence::TestTotals,
    testcases: &'a crate::evidence::TestcaseTotals,
    discrepancies: &'a [crate::evidence::SuiteDiscrepancy],
    cases: Vec<TestCaseView<'a>>,
}

impl<'a> PackView<'a> {
    /// The view of `e`, with the vulnerabilities of the `blocking` severities only (the pack's
    /// `_severities`, [`crate::policy::Policies::blocking_severities`]): every rule of
    /// `verdict.vulnerabilities` starts from those.
    pub fn of(e: &'a Evidence, blocking: Severities) -> Self {
        // Destructured, so that a field added to the evidence cannot be forgotten here.
        let Evidence {
            api_version,
            meta,
            sources,
            skipped,
            tests,
            vulnerabilities,
            misconfigurations,
            secrets,
            licenses,
            components,
            dependencies: _,
            custom,
            signatures,
            attestations,
            unkept: _,
        } = e;
        let crate::evidence::Tests { totals, testcases, discrepancies, cases } = tests;
        PackView {
            api_version,
            meta,
            sources,
            skipped,
            tests: TestsView {
                totals,
                testcases,
                discrepancies,
                cases: cases.iter().filter(|c| c.judged()).map(TestCaseView::from).collect(),
            },
            vulnerabilities: vulnerabilities
                .iter()
                .filter(|v| blocking.contains(v.severity))
                .map(VulnerabilityView::from)
                .collect(),
            misconfigurations: misconfigurations
                .iter()
                .filter(|m| m.status.judged())
                .map(CheckView::from)
                .collect(),
            secrets,
            licenses,
            components: components.iter().map(ComponentView::from).collect(),
            custom,
            signatures,
            attestations,
        }
    }

    /// The view as a regorus value. Its three large parts (vulnerabilities, components, failed
    /// checks: tens of thousands of records on a large run) are converted on every core, beside
    /// the rest, largest first.
    pub fn to_value(mut self) -> Result<Value, Error> {
        let vulnerabilities = std::mem::take(&mut self.vulnerabilities);
        let components = std::mem::take(&mut self.components);
        let misconfigurations = std::mem::take(&mut self.misconfigurations);
        let rest = self.tests.cases.len() + self.sources.len() + self.licenses.len();
        let parts: Vec<Part<'_>> = vec![
            ("", rest, Box::new(|| to_value(&self))),
            ("vulnerabilities", vulnerabilities.len(), Box::new(|| to_value(&vulnerabilities))),
            ("components", components.len(), Box::new(|| to_value(&components))),
            ("misconfigurations", misconfigurations.len(), Box::new(|| to_value(&misconfigurations))),
        ];
        let mut parts = convert_parts(&parts)?.into_iter();
        let (_, mut doc) = parts.next().ok_or_else(|| Error("the view was not converted".into()))?;
        let object = doc.as_object_mut().map_err(|e| Error(e.to_string()))?;
        for (name, value) in parts {
            object.insert(Value::from(name), value);
        }
        Ok(doc)
    }
}

/// A part of a document to convert: its name, its size in records (the estimate of its cost)
/// and how to convert it.
type Part<'a> = (&'static str, usize, Box<dyn Fn() -> Result<Value, Error> + Sync + 'a>);

/// Converts `parts` on every core, largest first, and hands them back in their order.
fn convert_parts(parts: &[Part<'_>]) -> Result<Vec<(&'static str, Value)>, Error> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts.get(i).map_or(0, |p| p.1)));
    let values = crate::work::longest_first(&order, || (), |_, i| parts.get(i).map(|part| (part.2)()));
    parts
        .iter()
        .zip(values)
        .map(|(part, value)| {
            let value = value.flatten().ok_or_else(|| Error(format!("`{}` was not converted", part.0)))??;
            Ok((part.0, value))
        })
        .collect()
}

/// The whole evidence as a regorus value, as [`to_value`] makes it, with its parts converted on
/// every core (the test cases beside the vulnerabilities and the rest): policies of your own
/// see the whole document, and at scale 10 converting it took 0.3 s on one thread.
pub fn evidence_value(evidence: &Evidence) -> Result<Value, Error> {
    // Every field, so that a new one is a compile error here; the document's names are serde's
    // (`apiVersion`; `unkept` is not part of it). A test compares this with `to_value`.
    let Evidence {
        api_version,
        meta,
        sources,
        skipped,
        tests,
        vulnerabilities,
        misconfigurations,
        secrets,
        licenses,
        components,
        dependencies,
        custom,
        signatures,
        attestations,
        unkept: _,
    } = evidence;
    let parts: Vec<Part<'_>> = vec![
        ("apiVersion", 0, Box::new(|| to_value(api_version))),
        ("meta", 0, Box::new(|| to_value(meta))),
        ("sources", sources.len(), Box::new(|| to_value(sources))),
        ("skipped", skipped.len(), Box::new(|| to_value(skipped))),
        ("tests", tests.cases.len(), Box::new(|| to_value(tests))),
        ("vulnerabilities", vulnerabilities.len(), Box::new(|| to_value(vulnerabilities))),
        ("misconfigurations", misconfigurations.len(), Box::new(|| to_value(misconfigurations))),
        ("secrets", secrets.len(), Box::new(|| to_value(secrets))),
        ("licenses", licenses.len(), Box::new(|| to_value(licenses))),
        ("components", components.len(), Box::new(|| to_value(components))),
        ("dependencies", dependencies.len(), Box::new(|| to_value(dependencies))),
        ("custom", custom.len(), Box::new(|| to_value(custom))),
        ("signatures", signatures.len(), Box::new(|| to_value(signatures))),
        ("attestations", attestations.len(), Box::new(|| to_value(attestations))),
    ];
    let mut doc = Value::new_object();
    let object = doc.as_object_mut().map_err(|e| Error(e.to_string()))?;
    for (name, value) in convert_parts(&parts)? {
        object.insert(Value::from(name), value);
    }
    Ok(doc)
}

/// Converts any serializable document into a regorus value (as `Value::from_json_str` of its
/// JSON would, number for number: integers stay integers, floats stay floats).
pub fn to_value<T: Serialize + ?Sized>(doc: &T) -> Result<Value, Error> {
    let mut keys = Keys::default();
    doc.serialize(ToValue { keys: &mut keys })
}

/// Why a document could not be converted (only non-string map keys and unsupported types).
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Interned keys, by the address of their static text.
#[derive(Default)]
struct Keys {
    // Keyed by where the name lies, which no document chooses: foldhash, not SipHash, since
    // every field of every record looks its name up here.
    by_ptr: HashMap<(usize, usize), Value, foldhash::fast::RandomState>,
}

impl Keys {
    fn get(&mut self, key: &'static str) -> Value {
        self.by_ptr.entry((key.as_ptr() as usize, key.len())).or_insert_with(|| Value::from(key)).clone()
    }
}

struct ToValue<'k> {
    keys: &'k mut Keys,
}

impl<'k> ser::Serializer for ToValue<'k> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq<'k>;
    type SerializeTuple = Seq<'k>;
    type SerializeTupleStruct = Seq<'k>;
    type SerializeTupleVariant = Impossible<Value, Error>;
    type SerializeMap = Map<'k>;
    type SerializeStruct = Struct<'k>;
    type SerializeStructVariant = Impossible<Value, Error>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::from(i64::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        // JSON has no NaN or infinity; serde_json writes them as null.
        Ok(if v.is_finite() { Value::from(v) } else { Value::Null })
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::from(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::from(v.iter().map(|b| Value::from(u64::from(*b))).collect::<Vec<_>>()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(self.keys.get(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let key = self.keys.get(variant);
        let inner = value.serialize(ToValue { keys: self.keys })?;
        let mut map = BTreeMap::new();
        map.insert(key, inner);
        Ok(Value::from(map))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'k>, Error> {
        Ok(Seq { keys: self.keys, items: Vec::with_capacity(len.unwrap_or(0)) })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'k>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'k>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error(format!("tuple variants ({name}) are not part of the evidence")))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'k>, Error> {
        Ok(Map { keys: self.keys, map: BTreeMap::new(), next: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Struct<'k>, Error> {
        Ok(Struct { keys: self.keys, fields: Vec::with_capacity(len) })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error(format!("struct variants ({name}) are not part of the evidence")))
    }
}

struct Seq<'k> {
    keys: &'k mut Keys,
    items: Vec<Value>,
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(ToValue { keys: self.keys })?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::from(self.items))
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, Error> {
        ser::SerializeSeq::end(self)
    }
}

struct Map<'k> {
    keys: &'k mut Keys,
    map: BTreeMap<Value, Value>,
    next: Option<Value>,
}

impl ser::SerializeMap for Map<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let k = key.serialize(ToValue { keys: self.keys })?;
        if !matches!(k, Value::String(_)) {
            return Err(Error(format!("map keys must be strings, not {k}")));
        }
        self.next = Some(k);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.next.take().ok_or_else(|| Error("a map value without its key".into()))?;
        self.map.insert(key, value.serialize(ToValue { keys: self.keys })?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::from(self.map))
    }
}

struct Struct<'k> {
    keys: &'k mut Keys,
    // The fields, made into a map at the end: the standard library sorts them and builds the
    // map in one pass, where inserting them one by one searched it for each.
    fields: Vec<(Value, Value)>,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let k = self.keys.get(key);
        self.fields.push((k, value.serialize(ToValue { keys: self.keys })?));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::from(self.fields.into_iter().collect::<BTreeMap<Value, Value>>()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole evidence converted part by part on every core is the document `to_value`
    /// makes of it in one piece, every part present (the demo with a custom input, so that no
    /// part is empty but the ones the demo has nothing for).
    #[test]
    fn evidence_value_is_to_value() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let demo = root.join("fixtures/demo");
        let cost: crate::cli::args::InputSpec =
            format!("custom:cost={}", demo.join("cost.json").display()).parse().expect("an input");
        let evidence =
            crate::cli::gather(&[demo], &[cost], &crate::ingest::Limits::default()).expect("the demo reads");
        assert!(
            !evidence.tests.cases.is_empty()
                && !evidence.custom.is_empty()
                && !evidence.components.is_empty()
        );
        let parts = evidence_value(&evidence).expect("converts");
        assert_eq!(parts, to_value(&evidence).expect("converts"));
        let json = serde_json::to_value(&evidence).expect("serializes");
        let keys = json.as_object().map(|o| o.len()).unwrap_or_default();
        assert_eq!(parts.as_object().map(|o| o.len()).unwrap_or_default(), keys);
    }

    /// The direct conversion gives what parsing the document's JSON gives, for every shape the
    /// evidence uses: structs, flattened maps, options, enums, numbers, nested lists.
    #[test]
    fn same_as_through_json() {
        let doc = serde_json::json!({
            "a": [1, -2, 3.5, 1e300, null, true, "x"],
            "b": {"nested": {"k": "v"}, "empty": {}, "list": []},
            "n": 18446744073709551615u64,
        });
        let direct = to_value(&doc).unwrap();
        let parsed = Value::from_json_str(&doc.to_string()).unwrap();
        assert_eq!(direct, parsed);

        let demo = crate::cli::gather(
            &[std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")],
            &[],
            &crate::ingest::Limits::default(),
        )
        .expect("the demo reads");
        let direct = to_value(&demo).unwrap();
        let parsed = Value::from_json_str(&serde_json::to_string(&demo).unwrap()).unwrap();
        assert_eq!(direct, parsed, "the demo's evidence converts the same both ways");
    }

    /// The pack's view has every field of the evidence but those it says it leaves out, keeps
    /// exactly the records the pack reads (non-passing or flaky tests, failed checks, the
    /// vulnerabilities of the severities it is given), and of each test case, check,
    /// vulnerability and component every field but those it says it leaves out.
    #[test]
    fn pack_view_keeps_every_field_and_the_records_the_pack_reads() {
        let demo = crate::cli::gather(
            &[std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")],
            &[],
            &crate::ingest::Limits::default(),
        )
        .expect("the demo reads");
        let full = serde_json::to_value(&demo).unwrap();
        let view = serde_json::to_value(PackView::of(&demo, Severities::ALL)).unwrap();
        let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let mut kept = keys(&full);
        kept.retain(|k| !LEFT_OUT.contains(&k.as_str()));
        assert_eq!(kept.len() + LEFT_OUT.len(), keys(&full).len(), "the evidence has each of {LEFT_OUT:?}");
        assert_eq!(kept, keys(&view));
        assert!(!full["dependencies"].as_array().unwrap().is_empty(), "the demo has dependencies");
        assert_eq!(keys(&full["tests"]), keys(&view["tests"]));
        for (name, value) in full.as_object().unwrap() {
            if !["tests", "misconfigurations", "vulnerabilities", "components"].contains(&name.as_str())
                && !LEFT_OUT.contains(&name.as_str())
            {
                assert_eq!(value, &view[name], "{name}");
            }
        }
        for (name, left_out) in
            [("vulnerabilities", VULNERABILITY_LEFT_OUT), ("components", COMPONENT_LEFT_OUT)]
        {
            let records = full[name].as_array().unwrap();
            assert!(!records.is_empty(), "the demo has {name}");
            let trimmed: Vec<_> = records.iter().map(|r| without(r, left_out)).collect();
            assert_eq!(view[name].as_array().unwrap(), &trimmed, "{name}: each record without {left_out:?}");
        }
        let cases = view["tests"]["cases"].as_array().unwrap();
        let all = full["tests"]["cases"].as_array().unwrap();
        assert!(!cases.is_empty() && cases.len() < all.len(), "{} of {}", cases.len(), all.len());
        let kept = |c: &&serde_json::Value| {
            c["flaky"] == true || c["status"] == "failed" || c["status"] == "errored"
        };
        let judged: Vec<_> = all.iter().filter(kept).map(|c| without(c, TEST_CASE_LEFT_OUT)).collect();
        assert_eq!(cases, &judged);
        // The records of `part` whose `field` is `value`, without the fields `left_out`.
        let only = |part: &str, field: &str, value: &str, left_out: &[&str]| -> Vec<serde_json::Value> {
            let records = full[part].as_array().unwrap().iter();
            records.filter(|r| r[field] == value).map(|r| without(r, left_out)).collect()
        };
        let failed = only("misconfigurations", "status", "failed", CHECK_LEFT_OUT);
        assert!(!failed.is_empty());
        assert_eq!(view["misconfigurations"].as_array().unwrap(), &failed);

        // Given the blocking severities, only the vulnerabilities of those.
        let narrowed =
            serde_json::to_value(PackView::of(&demo, Severities::from_words(["CRITICAL"]))).unwrap();
        let critical = only("vulnerabilities", "severity", "CRITICAL", VULNERABILITY_LEFT_OUT);
        let all = full["vulnerabilities"].as_array().unwrap().len();
        assert!(!critical.is_empty() && critical.len() < all, "{} of {all}", critical.len());
        assert_eq!(narrowed["vulnerabilities"].as_array().unwrap(), &critical);
    }

    /// `record` without `fields`, each of which it must have.
    fn without(record: &serde_json::Value, fields: &[&str]) -> serde_json::Value {
        let mut record = record.clone();
        for field in fields {
            assert!(record.as_object_mut().unwrap().remove(*field).is_some(), "the record has `{field}`");
        }
        record
    }

    /// No file of the pack that reads a kind of record names a field its view leaves out
    /// (`vuln.cvss` would be undefined there, and the rule would quietly never fire), and no
    /// file reads a part of the evidence the view leaves out. A rule that needs one must put
    /// it back into the view.
    #[test]
    fn the_pack_reads_no_field_its_view_leaves_out() {
        let named =
            |text: &str, field: &str| regex::Regex::new(&format!(r"\.{field}\b")).unwrap().is_match(text);
        let roots = [
            ("input.tests.cases", TEST_CASE_LEFT_OUT),
            ("input.misconfigurations", CHECK_LEFT_OUT),
            ("input.vulnerabilities", VULNERABILITY_LEFT_OUT),
            ("input.components", COMPONENT_LEFT_OUT),
        ];
        let files = crate::policy::pack::files(false);
        for (root, left_out) in roots {
            assert!(files.iter().any(|f| f.text.contains(root)), "a pack file reads {root}");
            for file in files.iter().filter(|f| f.text.contains(root)) {
                for field in left_out {
                    assert!(
                        !named(&file.text, field),
                        "{} reads `.{field}`, which the view of {root} leaves out",
                        file.path
                    );
                }
            }
        }
        assert!(named("x := vuln.cvss[0]", "cvss") && !named("vuln.fixed_versions", "fixed_version"));
        for part in LEFT_OUT {
            let root = format!("input.{part}");
            for file in &files {
                assert!(!file.text.contains(&root), "{} reads {root}, which the view leaves out", file.path);
            }
        }
    }
}
