//! GitHub's OpenAPI 3.0 description (`corpus/api/github-subset.openapi.json`) as a request and
//! response validator: operations matched by method and path template, path and query
//! parameters checked against their schemas, JSON bodies against the request schema, and the
//! fake's own answers against the response schema of their status.
//!
//! OpenAPI 3.0 is not quite JSON Schema: `nullable: true` becomes `anyOf [null, …]`, and
//! `$ref`s into `#/components/…` resolve because every compiled schema carries the converted
//! components beside it. Compiled as draft 4 (what OpenAPI 3.0's schema object derives from),
//! with formats (`date-time`, `uri`) checked.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

/// One path segment of a template.
#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// `{name}`; `multi` when the parameter may span segments (`x-multi-segment`).
    Param {
        name: String,
        multi: bool,
    },
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: String,
    segments: Vec<Segment>,
    pub params: Vec<Param>,
    body: Option<(bool, Value)>,
    responses: BTreeMap<String, Option<Value>>,
}

/// The description, ready to validate.
pub struct OpenApi {
    components: Value,
    pub operations: Vec<Operation>,
    compiled: Mutex<BTreeMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// OpenAPI 3.0 → JSON Schema: `nullable` becomes a union with null, everywhere.
fn convert(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let nullable = map.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            let mut out = serde_json::Map::new();
            for (k, val) in map {
                if k == "nullable" {
                    continue;
                }
                // `example`s are data, not schemas: leave them untouched.
                let converted = if k == "example" || k == "examples" { val.clone() } else { convert(val) };
                out.insert(k.clone(), converted);
            }
            if nullable {
                json!({"anyOf": [{"type": "null"}, Value::Object(out)]})
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

impl OpenApi {
    /// Loads the description.
    pub fn load(path: &Path) -> OpenApi {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read the OpenAPI file"))
            .expect("the OpenAPI file is JSON");
        let resolve = |v: &Value| -> Value {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => doc.pointer(r.trim_start_matches('#')).cloned().expect("a resolvable $ref"),
                None => v.clone(),
            }
        };
        let mut operations = Vec::new();
        for (template, item) in doc["paths"].as_object().expect("paths") {
            let shared: Vec<Value> =
                item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            for (method, op) in item.as_object().expect("path item") {
                if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                    continue;
                }
                let params: Vec<Param> = shared
                    .iter()
                    .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten())
                    .map(|p| {
                        let p = resolve(p);
                        Param {
                            name: p["name"].as_str().expect("name").to_string(),
                            location: p["in"].as_str().expect("in").to_string(),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            schema: convert(p.get("schema").unwrap_or(&json!({}))),
                        }
                    })
                    .collect();
                let multi = |name: &str| {
                    shared
                        .iter()
                        .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten())
                        .any(|p| {
                            let p = resolve(p);
                            p["name"] == name && p.get("x-multi-segment") == Some(&json!(true))
                        })
                };
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param { name: name.to_string(), multi: multi(name) },
                        None => Segment::Literal(s.to_string()),
                    })
                    .collect();
                let body = op.get("requestBody").map(|b| {
                    let b = resolve(b);
                    let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
                    let schema = b.pointer("/content/application~1json/schema").cloned().unwrap_or(json!({}));
                    (required, convert(&schema))
                });
                let responses = op["responses"]
                    .as_object()
                    .expect("responses")
                    .iter()
                    .map(|(status, r)| {
                        let r = resolve(r);
                        (status.clone(), r.pointer("/content/application~1json/schema").map(convert))
                    })
                    .collect();
                operations.push(Operation {
                    id: op["operationId"].as_str().expect("operationId").to_string(),
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments,
                    params,
                    body,
                    responses,
                });
            }
        }
        let components = json!({ "schemas": convert(&doc["components"]["schemas"]) });
        OpenApi { components, operations, compiled: Mutex::new(BTreeMap::new()) }
    }

    /// The operation for `method path`, with its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Operation, BTreeMap<String, String>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.operations.iter().filter(|op| op.method == method).find_map(|op| {
            let params = match_segments(&op.segments, &parts)?;
            Some((op, params))
        })
    }

    fn validator(&self, schema: &Value) -> std::sync::Arc<jsonschema::Validator> {
        let key = schema.to_string();
        let mut cache = self.compiled.lock().unwrap();
        cache
            .entry(key)
            .or_insert_with(|| {
                let root = json!({ "allOf": [schema], "components": self.components });
                std::sync::Arc::new(
                    jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft4)
                        .should_validate_formats(true)
                        .build(&root)
                        .expect("the schema compiles"),
                )
            })
            .clone()
    }

    fn check(&self, schema: &Value, value: &Value, what: &str) -> Vec<String> {
        let v = self.validator(schema);
        v.iter_errors(value)
            .take(5)
            .map(|e| format!("{what}: {} at `{}`", e.masked(), e.instance_path()))
            .collect()
    }

    /// Every way the request breaks the description (empty when it conforms).
    pub fn validate_request(
        &self,
        op: &Operation,
        path_params: &BTreeMap<String, String>,
        query: &[(String, String)],
        body: Option<&str>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let name = format!("{} {}", op.method, op.template);
        for p in op.params.iter().filter(|p| p.location == "path") {
            match path_params.get(&p.name) {
                Some(v) => problems.extend(self.check(
                    &p.schema,
                    &typed(v, &p.schema),
                    &format!("{name}: path `{}`", p.name),
                )),
                None => problems.push(format!("{name}: path parameter `{}` missing", p.name)),
            }
        }
        for (k, v) in query {
            match op.params.iter().find(|p| p.location == "query" && &p.name == k) {
                Some(p) => problems.extend(self.check(
                    &p.schema,
                    &typed(v, &p.schema),
                    &format!("{name}: query `{k}`"),
                )),
                None => problems.push(format!("{name}: query parameter `{k}` is not in the description")),
            }
        }
        for p in op.params.iter().filter(|p| p.location == "query" && p.required) {
            if !query.iter().any(|(k, _)| k == &p.name) {
                problems.push(format!("{name}: required query parameter `{}` missing", p.name));
            }
        }
        match (&op.body, body.filter(|b| !b.is_empty())) {
            (Some((_, schema)), Some(text)) => match serde_json::from_str::<Value>(text) {
                Ok(json) => problems.extend(self.check(schema, &json, &format!("{name}: body"))),
                Err(e) => problems.push(format!("{name}: body is not JSON: {e}")),
            },
            (Some((true, _)), None) => problems.push(format!("{name}: the request body is required")),
            (None, Some(_)) => problems.push(format!("{name}: takes no request body")),
            _ => {}
        }
        problems
    }

    /// Every way an answer breaks the description: an undeclared status with a body, or a body
    /// that does not match the declared schema.
    pub fn validate_response(&self, op: &Operation, status: u16, body: Option<&Value>) -> Vec<String> {
        let name = format!("{} {} → {status}", op.method, op.template);
        match (op.responses.get(&status.to_string()), body) {
            (Some(Some(schema)), Some(body)) => self.check(schema, body, &format!("fake's answer to {name}")),
            (Some(Some(_)), None) => vec![format!("fake's answer to {name}: a JSON body is declared")],
            _ => Vec::new(),
        }
    }
}

/// Matches path parts against a template.
fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    let mut i = 0;
    for (n, seg) in segments.iter().enumerate() {
        match seg {
            Segment::Literal(l) => {
                if parts.get(i)? != l {
                    return None;
                }
                i += 1;
            }
            Segment::Param { name, multi: true } if n + 1 == segments.len() => {
                let rest = parts.get(i..)?;
                if rest.is_empty() || rest.iter().any(|s| s.is_empty()) {
                    return None;
                }
                params.insert(name.clone(), rest.join("/"));
                i = parts.len();
            }
            Segment::Param { name, .. } => {
                let v = parts.get(i)?;
                if v.is_empty() {
                    return None;
                }
                params.insert(name.clone(), (*v).to_string());
                i += 1;
            }
        }
    }
    (i == parts.len()).then_some(params)
}

/// A text parameter as the JSON value its schema's type expects (left a string if it does not
/// parse, so that the schema reports the mismatch).
fn typed(text: &str, schema: &Value) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(text)),
        Some("number") => text.parse::<f64>().map(Value::from).unwrap_or_else(|_| json!(text)),
        Some("boolean") => match text {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(text),
        },
        _ => json!(text),
    }
}
