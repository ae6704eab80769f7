//! `# METADATA` comment blocks, read by verdict itself (regorus has no `rego.metadata.*`).
//!
//! Owns: finding the blocks in a policy's text, parsing their YAML, and attaching each to the
//! rule or package right below it (OPA's rule: a block annotates the statement that directly
//! follows it; above `package` it applies to every rule of the package).
//! Takes a policy's text; returns blocks by the line of the statement they annotate. Pure.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::evidence::Severity;

/// What verdict uses from a METADATA block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `custom.remediation`.
    pub remediation: Option<String>,
    /// `custom.severity`.
    pub severity: Option<Severity>,
    /// `custom.effective_on`: before this day, failures are reported as warnings.
    pub effective_on: Option<Date>,
    /// The first `related_resources` entry's `ref` (or the entry itself when a string).
    pub url: Option<String>,
    /// `scope` (`rule`, `package`, `document`, `subpackages`).
    pub scope: Option<String>,
}

impl Metadata {
    /// Fills what `self` lacks from `outer` (a rule's block over its package's).
    pub fn or(self, outer: &Metadata) -> Metadata {
        Metadata {
            title: self.title.or_else(|| outer.title.clone()),
            description: self.description.or_else(|| outer.description.clone()),
            remediation: self.remediation.or_else(|| outer.remediation.clone()),
            severity: self.severity.or(outer.severity),
            effective_on: self.effective_on.or(outer.effective_on),
            url: self.url.or_else(|| outer.url.clone()),
            scope: self.scope,
        }
    }
}

impl Metadata {
    /// What several definitions of one rule (incremental rules, evaluated as one) agree on:
    /// each field that every definition gives alike. `effective_on` holds only when every
    /// definition has one (the earliest), so that a rule already enforced is never reported
    /// as a warning because another definition of its name is announced for later.
    pub fn agreed(definitions: &[Metadata]) -> Metadata {
        fn same<T: Clone + PartialEq>(values: impl Iterator<Item = Option<T>>) -> Option<T> {
            let mut values = values;
            let first = values.next()??;
            values.all(|v| v.as_ref() == Some(&first)).then_some(first)
        }
        let each = || definitions.iter();
        Metadata {
            title: same(each().map(|m| m.title.clone())),
            description: same(each().map(|m| m.description.clone())),
            remediation: same(each().map(|m| m.remediation.clone())),
            severity: same(each().map(|m| m.severity)),
            effective_on: if each().all(|m| m.effective_on.is_some()) {
                each().filter_map(|m| m.effective_on).min()
            } else {
                None
            },
            url: same(each().map(|m| m.url.clone())),
            scope: each().next().and_then(|m| m.scope.clone()),
        }
    }
}

/// A malformed block: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    /// 1-based line of the offending comment line (or of `# METADATA`).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// The blocks of one file, keyed by the 1-based line of the statement each annotates.
pub fn blocks(text: &str) -> Result<BTreeMap<u32, Metadata>, MetadataError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let is_start = lines.get(i).is_some_and(|l| l.trim() == "# METADATA");
        if !is_start {
            i += 1;
            continue;
        }
        let start = i;
        let mut yaml = String::new();
        let mut j = i + 1;
        while let Some(l) = lines.get(j) {
            let t = l.trim_start();
            let Some(rest) = t.strip_prefix('#') else { break };
            // Drop the one space after `#`, keep the YAML's own indentation.
            yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            yaml.push('\n');
            j += 1;
        }
        // The annotated statement is the first one after the block, as OPA attaches it: blank
        // lines and other comments in between are passed over.
        let mut k = j;
        while lines.get(k).is_some_and(|l| {
            let t = l.trim();
            t.is_empty() || (t.starts_with('#') && t != "# METADATA")
        }) {
            k += 1;
        }
        let statement_line = (k + 1) as u32;
        let meta = parse(&yaml, (start + 2) as u32)?;
        out.insert(statement_line, meta);
        i = j;
    }
    Ok(out)
}

fn parse(yaml: &str, first_line: u32) -> Result<Metadata, MetadataError> {
    let err = |message: String| MetadataError { line: first_line.saturating_sub(1), message };
    let value: serde_json::Value = if yaml.trim().is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_saphyr::from_str(yaml).map_err(|e| err(format!("the METADATA block is not valid YAML: {e}")))?
    };
    let obj = value.as_object().ok_or_else(|| err("a METADATA block must be a YAML mapping".into()))?;
    let string = |v: Option<&serde_json::Value>, key: &str| -> Result<Option<String>, MetadataError> {
        match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(err(format!("`{key}` must be text, not {other}"))),
        }
    };
    // A misspelt key would be ignored (`severty`, `effective-on`): the rule would then block at
    // another severity or from another day than its author wrote. A key near one verdict or OPA
    // knows is refused with the name; other keys are the author's own, as OPA allows.
    const KEYS: &[&str] = &[
        "scope",
        "title",
        "description",
        "related_resources",
        "authors",
        "organizations",
        "schemas",
        "entrypoint",
        "custom",
    ];
    const CUSTOM: &[&str] = &["severity", "remediation", "effective_on"];
    let near_miss = |key: &str, known: &[&str], prefix: &str| -> Result<(), MetadataError> {
        if known.contains(&key) {
            return Ok(());
        }
        match crate::diag::closest(&key.to_ascii_lowercase().replace('-', "_"), known) {
            Some(meant) => Err(err(format!(
                "`{prefix}{key}` is not a METADATA key verdict reads: did you mean `{prefix}{meant}`?"
            ))),
            None => Ok(()),
        }
    };
    for key in obj.keys() {
        near_miss(key, KEYS, "")?;
    }
    let custom = obj.get("custom").and_then(|c| c.as_object());
    for key in custom.iter().flat_map(|c| c.keys()) {
        near_miss(key, CUSTOM, "custom.")?;
    }
    let severity =
        match string(custom.and_then(|c| c.get("severity")), "custom.severity")? {
            None => None,
            Some(w) => Some(Severity::parse(&w).ok_or_else(|| {
                err(format!("`custom.severity` is {w:?}, expected {}", Severity::expected()))
            })?),
        };
    let effective_on = match custom.and_then(|c| c.get("effective_on")) {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let text = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            Some(text.trim().parse::<Date>().map_err(|_| {
                err(format!("`custom.effective_on` is {text:?}, expected a date like 2026-12-31"))
            })?)
        }
    };
    let url =
        obj.get("related_resources").and_then(|r| r.as_array()).and_then(|a| a.first()).and_then(|first| {
            first
                .as_str()
                .map(str::to_owned)
                .or_else(|| first.get("ref").and_then(|r| r.as_str()).map(str::to_owned))
        });
    Ok(Metadata {
        title: string(obj.get("title"), "title")?,
        description: string(obj.get("description"), "description")?,
        remediation: string(custom.and_then(|c| c.get("remediation")), "custom.remediation")?,
        severity,
        effective_on,
        url,
        scope: string(obj.get("scope"), "scope")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key one letter or a dash away from one verdict reads is refused with its name; other
    /// keys are the author's own.
    #[test]
    fn misspelt_keys_are_named() {
        for (yaml, says) in [
            ("titel: x\n", "`titel` is not a METADATA key verdict reads: did you mean `title`?"),
            ("custom:\n  severty: HIGH\n", "did you mean `custom.severity`?"),
            ("custom:\n  effective-on: 2027-01-01\n", "did you mean `custom.effective_on`?"),
        ] {
            let e = parse(yaml, 2).expect_err(yaml);
            assert!(e.message.contains(says), "{yaml}: {}", e.message);
        }
        let own = parse("title: x\ncustom:\n  owner: platform\n  ticket: SEC-12\n", 2).expect("own keys");
        assert_eq!(own.title.as_deref(), Some("x"));
    }

    const POLICY: &str = "\
# METADATA
# title: Cost
# description: The monthly estimate stays within budget.
package verdict.cost

# METADATA
# title: Within budget
# custom:
#   severity: high
#   remediation: |
#     Lower the instance size,
#     or raise the budget.
#   effective_on: 2026-12-01
# related_resources:
#   - ref: https://example.com/cost
deny contains msg if { false }

warn contains msg if { false }
";

    /// A block annotates the statement right below it; fields are typed.
    #[test]
    fn reads_blocks() {
        let b = blocks(POLICY).expect("parses");
        let pkg = b.get(&4).expect("package block");
        assert_eq!(pkg.title.as_deref(), Some("Cost"));
        let rule = b.get(&16).expect("rule block");
        assert_eq!(rule.title.as_deref(), Some("Within budget"));
        assert_eq!(rule.severity, Some(Severity::High));
        assert_eq!(rule.remediation.as_deref(), Some("Lower the instance size,\nor raise the budget."));
        assert_eq!(rule.effective_on, Some("2026-12-01".parse().expect("date")));
        assert_eq!(rule.url.as_deref(), Some("https://example.com/cost"));
        assert!(!b.contains_key(&18), "an unannotated rule has no block");
        let merged = rule.clone().or(pkg);
        assert_eq!(merged.description.as_deref(), Some("The monthly estimate stays within budget."));

        // As OPA attaches a block: to the first statement after it, past blank lines and
        // other comments.
        let apart = "package main\n\n# METADATA\n# title: Apart\n\n# a comment of the author's\n\ndeny contains x if { false }\n";
        let b = blocks(apart).expect("parses");
        assert_eq!(b.get(&8).and_then(|m| m.title.as_deref()), Some("Apart"), "{b:?}");
    }

    /// Bad values are errors with the block's line, not silently ignored.
    #[test]
    fn refuses_bad_values() {
        let e = blocks("# METADATA\n# custom:\n#   severity: SEVERE\ndeny contains x if { false }\n")
            .expect_err("bad");
        assert!(e.message.contains("SEVERE"), "{}", e.message);
        assert_eq!(e.line, 1);
        let e = blocks("# METADATA\n# custom:\n#   effective_on: next week\ndeny contains x if { false }\n")
            .expect_err("bad date");
        assert!(e.message.contains("2026-12-31"));
        let e =
            blocks("# METADATA\n# title: [unclosed\ndeny contains x if { false }\n").expect_err("bad yaml");
        assert!(e.message.contains("not valid YAML"));
    }
}
