//! What `verdict init` writes: a commented starter `verdict.yaml` and a sample policy with
//! its tests.
//!
//! Owns: the content of the starter files. Takes nothing; returns relative paths and texts.
//! Must not: write files or decide about overwriting (the command line does both).

/// The starter files, as `(path relative to the repository root, content)`: `verdict.yaml`
/// (every section shown, optional settings commented out with their defaults),
/// `policy/main.rego` (a sample team policy in package `main`) and `policy/main_test.rego`
/// (its tests). The starter configuration loads with no diagnostic, and the sample
/// policy's tests pass; both are tested.
pub fn init_files() -> Vec<(&'static str, String)> {
    vec![
        ("verdict.yaml", include_str!("init/verdict.yaml").to_owned()),
        ("policy/main.rego", include_str!("init/main.rego").to_owned()),
        ("policy/main_test.rego", include_str!("init/main_test.rego").to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;

    fn file(name: &str) -> String {
        init_files().into_iter().find(|(p, _)| *p == name).map(|(_, t)| t).expect("starter file")
    }

    /// The starter configuration loads with zero diagnostics and keeps every default but
    /// the sample policy's folder.
    #[test]
    fn starter_config_loads_cleanly() {
        let text = file("verdict.yaml");
        let (config, warnings) = crate::config::load(Path::new("verdict.yaml"), &text, |_| {
            Err(std::io::ErrorKind::NotFound.into())
        })
        .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.render(false)).collect::<String>()));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.policies.paths, [Path::new("policy")]);
        assert!(config.policies.builtin);
        assert_eq!(config.policies.namespaces, ["main"]);
        assert_eq!(config.thresholds, crate::config::Thresholds::default());
        assert!(config.waivers.is_empty() && config.inputs.paths.is_empty());
    }

    /// Uncommenting every commented-out setting still gives a valid file, with no
    /// warning: the comments are examples a user can trust.
    #[test]
    fn starter_examples_are_valid() {
        let text: String = file("verdict.yaml").lines().map(|l| uncomment(l) + "\n").collect();
        assert!(text.contains("\n  required: [junit, sbom]\n"), "{text}");
        assert!(text.contains("\n  - id: CVE-2024-29415\n    path: web/package-lock.json"), "{text}");
        let (config, warnings) = crate::config::load(Path::new("verdict.yaml"), &text, |_| Ok("[]".into()))
            .unwrap_or_else(|d| panic!("{text}\n{}", d.iter().map(|d| d.render(false)).collect::<String>()));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.waivers.len(), 1, "{text}");
        assert_eq!(config.inputs.named.len(), 1);
        assert_eq!(config.thresholds.cost_budget_usd, Some(50.0));
        assert_eq!(config.thresholds.misconfiguration_unknown_severity, Some(crate::config::Action::Warn));
    }

    /// Doing what a comment says (`all_namespaces: true` instead of `namespaces`) gives a file
    /// without a warning: the starter does not set what the suggestion makes pointless.
    #[test]
    fn starter_suggestions_do_not_warn() {
        let text = file("verdict.yaml").replace("  # all_namespaces: false", "  all_namespaces: true");
        assert!(text.contains("\n  all_namespaces: true"), "{text}");
        let (config, warnings) = crate::config::load(Path::new("verdict.yaml"), &text, |_| Ok("[]".into()))
            .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.render(false)).collect::<String>()));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(config.policies.all_namespaces);
    }

    /// `  # key: value` → `  key: value`; explaining comments stay.
    fn uncomment(line: &str) -> String {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let Some(rest) = body.strip_prefix("# ") else { return line.to_owned() };
        let setting = rest.trim_start().trim_start_matches("- ").trim_start_matches("{ ");
        let key = setting.split(':').next().unwrap_or("");
        if setting.contains(':') && !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            format!("{indent}{rest}")
        } else {
            line.to_owned()
        }
    }

    fn sample_policy() -> Vec<crate::policy::PolicyFile> {
        ["policy/main.rego", "policy/main_test.rego"]
            .map(|path| crate::policy::PolicyFile { path: path.into(), text: file(path), builtin: false })
            .to_vec()
    }

    /// The sample policy's tests pass under `verdict policy test`'s runner, as Rego v1.
    #[test]
    fn sample_policy_tests_pass() {
        let report =
            crate::policy::test::run_tests(&sample_policy(), &[], &[], None, false, Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("{e:?}"));
        let names: Vec<&str> = report.results.iter().map(|r| r.name.as_str()).collect();
        assert!(names.len() >= 6, "{names:?}");
        assert!(report.passed(), "{:?}", report.results);
        assert!(report.v0_files.is_empty(), "the sample is Rego v1: {:?}", report.v0_files);
    }

    /// The sample policy loads as `verdict run` loads it (its METADATA blocks included) and
    /// finds what it says on evidence with no tests and a component from an unknown registry.
    #[test]
    fn sample_policy_runs() {
        let policies =
            crate::policy::Policies::build(&sample_policy(), &[], &[], crate::policy::Options::default())
                .unwrap_or_else(|e| panic!("{e:?}"));
        let input = serde_json::json!({
            "tests": {"totals": {"total": 0}},
            "components": [{"name": "left-pad", "purl": "pkg:bitbucket/acme/left-pad@1.0.0", "fingerprint": "f"}]
        });
        let findings = policies
            .evaluate_value(regorus::Value::from(input), jiff::civil::date(2026, 1, 1))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let mut got: Vec<String> = findings
            .iter()
            .map(|f| format!("{:?} {}", f.level, f.title.clone().unwrap_or_default()))
            .collect();
        got.sort();
        assert_eq!(got, ["Fail Tests ran", "Warn Components come from approved registries"]);
    }
}
