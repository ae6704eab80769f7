//! The CI integration files: `action.yml`, `templates/verdict.gitlab-ci.yml` and the examples in
//! `examples/github/` and `examples/gitlab/` (docs/ci.md).
//!
//! Each file is valid against the real schema in `../shared/corpus/schemas` (SchemaStore's
//! `github-action.json` and `github-workflow.json`, GitLab's `ci.json`). Outside CI a missing
//! corpus skips those tests with a note; with `CI=true` it fails them.
//!
//! The scripts are run, not just read: the action's step under bash with a fake `docker` and the
//! template's script under POSIX shells (busybox `sh` and dash, when present) with a fake
//! `verdict`, each printing the command line it was given; then both with the real verdict
//! binary behind them, so the command lines are ones `verdict run` accepts and the step outputs
//! and report files they name are the ones verdict writes.

#![allow(clippy::indexing_slicing, clippy::print_stderr, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const IMAGE_REPOSITORY: &str = "ghcr.io/verdict-ci/verdict";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The published image of this version: `ghcr.io/verdict-ci/verdict:<Cargo.toml's version>`.
fn image() -> String {
    format!("{IMAGE_REPOSITORY}:{}", env!("CARGO_PKG_VERSION"))
}

/// The schemas folder of the corpus, or `None` (skip) when it is absent outside CI.
fn schemas() -> Option<PathBuf> {
    let dir = std::env::var_os("VERDICT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"))
        .join("schemas");
    if dir.join("gitlab-ci.schema.json").is_file() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "the schemas are missing at {} and CI=true: failing rather than skipping", dir.display());
    eprintln!("note: schemas not found at {}; skipping (set VERDICT_CORPUS)", dir.display());
    None
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// YAML as GitHub reads it: YAML 1.2 booleans only, so `on:` stays a key.
fn yaml(text: &str, what: &str) -> Value {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options).unwrap_or_else(|e| panic!("{what}: not YAML: {e}"))
}

fn yaml_file(rel: &str) -> Value {
    yaml(&read(rel), rel)
}

/// Every schema error of `value`, one per line, or an empty string.
fn schema_errors(schema: &Path, value: &Value) -> String {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let short = |text: String| match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    };
    validator
        .iter_errors(value)
        .map(|e| format!("  {} at {}\n", short(e.to_string()), e.instance_path()))
        .collect()
}

fn assert_valid(schema: &Path, value: &Value, what: &str) {
    let errors = schema_errors(schema, value);
    assert!(errors.is_empty(), "{what} breaks {}:\n{errors}", schema.display());
}

fn github_examples() -> Vec<String> {
    ["pull-request.yml", "fork-safe-ci.yml", "fork-safe-verdict.yml", "monorepo.yml"]
        .iter()
        .map(|f| format!("examples/github/{f}"))
        .collect()
}

const GITLAB_FILES: [&str; 2] = ["templates/verdict.gitlab-ci.yml", "examples/gitlab/.gitlab-ci.yml"];

/// action.yml is a valid action, and the schema is not one that accepts anything: its own
/// negative sample fails it.
#[test]
fn action_is_valid() {
    let Some(schemas) = schemas() else { return };
    let schema = schemas.join("schemastore/github-action.json");
    assert_valid(&schema, &yaml_file("action.yml"), "action.yml");
    let negative = schemas.join("schemastore/negative-test-github-action/missing_items_in_run.json");
    let negative: Value = serde_json::from_str(&std::fs::read_to_string(negative).unwrap()).unwrap();
    assert!(!schema_errors(&schema, &negative).is_empty(), "the action schema accepted its negative sample");
}

/// Every GitHub example is a valid workflow.
#[test]
fn github_examples_are_valid_workflows() {
    let Some(schemas) = schemas() else { return };
    let schema = schemas.join("schemastore/github-workflow.json");
    for file in github_examples() {
        assert_valid(&schema, &yaml_file(&file), &file);
    }
}

/// Every GitHub example job that runs the action keeps its report files as the run's artifacts:
/// the comment's "Full report" links there (`#artifacts`), so a setup that does not upload them
/// links to nothing. The upload's path is the action's `output-dir`, and artifact names are
/// unique within the workflow, as `actions/upload-artifact@v4` requires.
#[test]
fn github_examples_keep_the_report_files() {
    let default_dir = yaml_file("action.yml")["inputs"]["output-dir"]["default"].as_str().unwrap().to_owned();
    for file in github_examples() {
        let doc = yaml_file(&file);
        let mut names = Vec::new();
        for (job, body) in doc["jobs"].as_object().unwrap() {
            let steps = body["steps"].as_array().unwrap();
            let uses = |s: &Value, prefix: &str| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix));
            for s in steps.iter().filter(|s| uses(s, "actions/upload-artifact@")) {
                names.push(s["with"]["name"].as_str().unwrap().to_owned());
            }
            let Some(verdict) = steps.iter().find(|s| uses(s, "verdict-ci/verdict@")) else { continue };
            let dir = verdict["with"]["output-dir"]
                .as_str()
                .unwrap_or(&default_dir)
                .trim_end_matches('/')
                .to_owned();
            let kept = steps.iter().filter(|s| uses(s, "actions/upload-artifact@")).any(|s| {
                s["with"]["path"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .any(|p| p.trim().trim_end_matches('/') == dir)
            });
            assert!(
                kept,
                "{file}: job {job} runs verdict but does not upload {dir}/ (the comment links to it)"
            );
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{file}: two artifacts share a name: {names:?}");
    }
}

/// `over` deep-merged over `base`, as GitLab merges `extends` and included files: mappings
/// merge key by key, anything else is replaced.
fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = out.get(k).map_or_else(|| v.clone(), |bv| merge(bv, v));
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

/// A pipeline that includes verdict's template, with the template merged under it as GitLab
/// does (the including file's keys win).
fn with_template(doc: &Value) -> Value {
    let includes = match &doc["include"] {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        one => vec![one.clone()],
    };
    let includes_it = includes.iter().any(|i| {
        let target = i.as_str().or_else(|| i["remote"].as_str()).or_else(|| i["file"].as_str()).unwrap_or("");
        target.ends_with(GITLAB_FILES[0])
    });
    if includes_it { merge(&yaml_file(GITLAB_FILES[0]), doc) } else { doc.clone() }
}

/// GitLab's `extends`, as GitLab applies it: the bases merged under the job's own keys,
/// `extends` removed.
fn resolve_extends(doc: &Value) -> Value {
    fn job(doc: &Value, name: &str, depth: usize) -> Value {
        assert!(depth < 11, "extends nests too deep at {name}");
        let own = &doc[name];
        let bases: Vec<&str> = match &own["extends"] {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|b| b.as_str().unwrap()).collect(),
            _ => vec![],
        };
        let mut out = Value::Object(Default::default());
        for base in bases {
            assert!(doc.get(base).is_some(), "{name} extends {base}, which is not in the file");
            out = merge(&out, &job(doc, base, depth + 1));
        }
        let mut out = merge(&out, own);
        out.as_object_mut().unwrap().remove("extends");
        out
    }
    let mut out = doc.clone();
    for (name, value) in doc.as_object().unwrap() {
        if value.get("extends").is_some() {
            out[name] = job(doc, name, 0);
        }
    }
    out
}

/// The GitLab template and example are valid pipelines. The schema accepts anything under a
/// hidden key (`.verdict`: "job template or any YAML anchor"), so the template is also checked
/// with `extends` applied, as the job GitLab runs; and a broken template fails that check.
#[test]
fn gitlab_files_are_valid_pipelines() {
    let Some(schemas) = schemas() else { return };
    let schema = schemas.join("gitlab-ci.schema.json");
    for file in GITLAB_FILES {
        let doc = yaml_file(file);
        assert_valid(&schema, &doc, file);
        let whole = resolve_extends(&with_template(&doc));
        assert_valid(&schema, &whole, &format!("{file} with the template included and extends applied"));
        assert_eq!(whole["verdict"]["stage"], ".post", "{file}: the template's job");
    }
    let mut broken = yaml_file(GITLAB_FILES[0]);
    broken[".verdict"]["artifacts"]["when"] = "sometimes".into();
    assert!(
        schema_errors(&schema, &broken).is_empty(),
        "the schema checks hidden keys now: simplify this test"
    );
    assert!(
        !schema_errors(&schema, &resolve_extends(&broken)).is_empty(),
        "the GitLab schema accepted `artifacts: when: sometimes`"
    );
}

/// GitLab reads YAML 1.1 (`on`, `yes`, `off` are booleans there), GitHub YAML 1.2: the action
/// and the GitLab files mean the same under both, so no value changes type on the way.
#[test]
fn yaml_means_the_same_in_1_1_and_1_2() {
    for file in GITLAB_FILES.iter().copied().chain(["action.yml"]) {
        let text = read(file);
        let lenient: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(lenient, yaml(&text, file), "{file}: a scalar reads differently in YAML 1.1");
    }
}

/// Every ```yaml block of the CI docs is YAML; whole workflows and pipelines among them are
/// valid against their schema.
#[test]
fn documented_yaml_is_valid() {
    let schemas = schemas();
    let mut checked = 0;
    for doc in ["docs/ci.md", "README.md", "examples/github/README.md", "examples/gitlab/README.md"] {
        let text = read(doc);
        for (i, block) in text.split("```yaml\n").skip(1).enumerate() {
            let block = block.split("```").next().unwrap();
            let what = format!("{doc}: yaml block {}", i + 1);
            let value = yaml(block, &what);
            checked += 1;
            let Some(schemas) = &schemas else { continue };
            if value.get("jobs").is_some() && value.get("on").is_some() {
                assert_valid(&schemas.join("schemastore/github-workflow.json"), &value, &what);
            } else if value.get("include").is_some() {
                let schema = schemas.join("gitlab-ci.schema.json");
                assert_valid(&schema, &value, &what);
                assert_valid(&schema, &resolve_extends(&with_template(&value)), &format!("{what}, included"));
            }
        }
    }
    assert!(checked >= 8, "only {checked} yaml blocks in the CI docs");
}

/// The published image of this version is the default everywhere: the action's `image`
/// input, the GitLab template, the docs' snippets.
#[test]
fn images_are_this_version() {
    let action = yaml_file("action.yml");
    assert_eq!(action["inputs"]["image"]["default"], image().as_str());
    let template = yaml_file(GITLAB_FILES[0]);
    assert_eq!(template[".verdict"]["image"]["name"], image().as_str());
    for doc in ["README.md", "docs/ci.md"] {
        let text = read(doc);
        assert!(text.contains(&image()), "{doc} does not name {}", image());
        for (at, _) in text.match_indices(IMAGE_REPOSITORY) {
            let rest = &text[at + IMAGE_REPOSITORY.len()..];
            assert!(
                rest.starts_with(&format!(":{}", env!("CARGO_PKG_VERSION"))) || rest.starts_with('@'),
                "{doc}: an image of another version: {}",
                rest.lines().next().unwrap()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The action

/// The action's one step.
fn action_step() -> Value {
    let action = yaml_file("action.yml");
    assert_eq!(action["runs"]["using"], "composite", "the action is a composite (docs/ci.md says why)");
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "one step");
    steps[0].clone()
}

/// Inputs reach the script only through `env:`, each input under its own variable, and the
/// script has no `${{ }}` of its own (an expression there is pasted into the script's text:
/// script injection).
#[test]
fn action_inputs_reach_the_script_through_env_only() {
    let action = yaml_file("action.yml");
    let step = action_step();
    assert_eq!(step["shell"], "bash");
    let run = step["run"].as_str().unwrap();
    assert!(!run.contains("${{"), "the script interpolates an expression:\n{run}");
    let env = step["env"].as_object().unwrap();
    let inputs: Vec<&String> = action["inputs"].as_object().unwrap().keys().collect();
    for input in &inputs {
        let var = if input.as_str() == "github-token" {
            "GITHUB_TOKEN".to_owned()
        } else {
            format!("INPUT_{}", input.to_uppercase().replace('-', "_"))
        };
        assert_eq!(env.get(&var), Some(&Value::from(format!("${{{{ inputs.{input} }}}}"))), "input {input}");
        assert!(var == "GITHUB_TOKEN" || run.contains(&format!("${var}")), "the script never reads {var}");
    }
    assert_eq!(env.len(), inputs.len(), "env holds exactly the inputs");
}

/// Every step output verdict writes is an output of the action, read from the step.
#[test]
fn action_outputs_map_the_step_outputs() {
    let action = yaml_file("action.yml");
    let id = action_step()["id"].as_str().unwrap().to_owned();
    let outputs = action["outputs"].as_object().unwrap();
    let names = [
        "outcome",
        "failures",
        "warnings",
        "waived",
        "excepted",
        "waivers-attention",
        "counts",
        "comment-url",
        "publish",
        "report-json",
        "report-md",
        "report-sarif",
        "report-junit",
        "report-codequality",
    ];
    assert_eq!(outputs.len(), names.len(), "the action has outputs verdict never writes");
    for name in names {
        assert_eq!(
            outputs[name]["value"],
            format!("${{{{ steps.{id}.outputs.{name} }}}}").as_str(),
            "output {name}"
        );
    }
}

/// A fake runner: a workspace, RUNNER_TEMP with the event and the files the runner hands out,
/// and a bin folder for fakes.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        let runner = Runner { dir: tempfile::tempdir().unwrap() };
        for d in ["work/shop", "temp/_runner_file_commands", "temp/_github_workflow", "bin"] {
            std::fs::create_dir_all(runner.dir.path().join(d)).unwrap();
        }
        std::fs::write(runner.event(), r#"{"ref":"refs/heads/main"}"#).unwrap();
        std::fs::write(runner.output(), "").unwrap();
        std::fs::write(runner.summary(), "").unwrap();
        runner
    }
    fn workspace(&self) -> PathBuf {
        self.dir.path().join("work/shop")
    }
    fn temp(&self) -> PathBuf {
        self.dir.path().join("temp")
    }
    fn event(&self) -> PathBuf {
        self.temp().join("_github_workflow/event.json")
    }
    fn output(&self) -> PathBuf {
        self.temp().join("_runner_file_commands/set_output_1")
    }
    fn summary(&self) -> PathBuf {
        self.temp().join("_runner_file_commands/step_summary_1")
    }
    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }
    fn argv_file(&self) -> PathBuf {
        self.dir.path().join("argv")
    }
    /// Puts an executable `name` on the fake PATH.
    fn fake(&self, name: &str, script: &str) {
        let path = self.bin().join(name);
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    /// Puts a fake that records its arguments (NUL-separated) and exits with `FAKE_EXIT`.
    fn recorder(&self, name: &str) {
        let out = self.argv_file();
        self.fake(
            name,
            &format!(
                "#!/bin/sh\n: > '{0}'\nfor a in \"$@\"; do printf '%s\\0' \"$a\" >> '{0}'; done\nexit \"${{FAKE_EXIT:-0}}\"\n",
                out.display()
            ),
        );
    }
    fn argv(&self) -> Vec<String> {
        let bytes = std::fs::read(self.argv_file()).unwrap_or_default();
        String::from_utf8(bytes).unwrap().split_terminator('\0').map(str::to_owned).collect()
    }
}

fn id(flag: &str) -> String {
    let out = Command::new("id").arg(flag).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Runs the action's step as GitHub does (`bash --noprofile --norc -eo pipefail`), with the
/// step's `env:` evaluated from `with` (or the inputs' defaults) and the runner's variables.
fn run_action(runner: &Runner, with: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Output {
    let action = yaml_file("action.yml");
    let step = action_step();
    let script = runner.dir.path().join("step.sh");
    std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
    let with: BTreeMap<&str, &str> = with.iter().copied().collect();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script);
    cmd.env_clear().current_dir(runner.workspace());
    cmd.env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", runner.bin().display()));
    for (var, expr) in step["env"].as_object().unwrap() {
        let expr = expr.as_str().unwrap();
        let input = expr.strip_prefix("${{ inputs.").and_then(|e| e.strip_suffix(" }}")).unwrap();
        let value = match with.get(input) {
            Some(v) => (*v).to_owned(),
            None => action["inputs"][input]["default"]
                .as_str()
                .unwrap_or_else(|| panic!("input {input} has no default"))
                .replace("${{ github.token }}", "ghs_runner_token"),
        };
        cmd.env(var, value);
    }
    let workspace = runner.workspace();
    let runner_env = [
        ("CI", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_API_URL", "https://api.github.com"),
        ("GITHUB_RUN_ID", "42"),
        ("GITHUB_ACTOR", "octocat"),
        ("RUNNER_OS", "Linux"),
        ("ACTIONS_RUNTIME_TOKEN", "runtime_secret"),
    ];
    cmd.envs(runner_env);
    cmd.env("GITHUB_WORKSPACE", &workspace)
        .env("RUNNER_TEMP", runner.temp())
        .env("GITHUB_EVENT_PATH", runner.event())
        .env("GITHUB_OUTPUT", runner.output())
        .env("GITHUB_STEP_SUMMARY", runner.summary());
    cmd.envs(extra_env.iter().copied());
    cmd.output().unwrap()
}

/// The docker arguments before the image, and verdict's after it.
fn split_at_image(argv: &[String], image: &str) -> (Vec<String>, Vec<String>) {
    let at = argv.iter().position(|a| a == image).unwrap_or_else(|| panic!("no image {image} in {argv:?}"));
    (argv[..at].to_vec(), argv[at + 1..].to_vec())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// With every input at its default: the published image, as the runner's user, the workspace
/// and RUNNER_TEMP mounted at their own paths, the runner's variables and the token passed by
/// name, and `verdict run --output-dir verdict-reports`: nothing else.
#[test]
fn action_defaults() {
    let runner = Runner::new();
    runner.recorder("docker");
    let out = run_action(&runner, &[], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let argv = runner.argv();
    let (docker, verdict) = split_at_image(&argv, &image());
    assert_eq!(verdict, strings(&["run", "--output-dir", "verdict-reports"]));

    let ws = runner.workspace().display().to_string();
    let temp = runner.temp().display().to_string();
    let user = format!("{}:{}", id("-u"), id("-g"));
    assert_eq!(docker[..4], strings(&["run", "--rm", "--user", &user]));
    let pairs: Vec<(&str, &str)> = docker
        .windows(2)
        .map(|w| (w[0].as_str(), w[1].as_str()))
        .filter(|(a, _)| a.starts_with('-'))
        .collect();
    let mounts: Vec<&str> = pairs.iter().filter(|(o, _)| *o == "-v").map(|(_, v)| *v).collect();
    assert_eq!(
        mounts,
        [format!("{ws}:{ws}"), format!("{temp}:{temp}")],
        "the event and outputs files are in RUNNER_TEMP"
    );
    assert!(pairs.contains(&("-w", ws.as_str())));
    let passed: Vec<&str> = pairs.iter().filter(|(o, _)| *o == "-e").map(|(_, v)| *v).collect();
    for var in [
        "CI",
        "GITHUB_ACTIONS",
        "GITHUB_REPOSITORY",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_SHA",
        "GITHUB_REF",
        "GITHUB_SERVER_URL",
        "GITHUB_API_URL",
        "GITHUB_RUN_ID",
        "GITHUB_ACTOR",
        "GITHUB_WORKSPACE",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_TOKEN",
        "RUNNER_TEMP",
    ] {
        assert_eq!(passed.iter().filter(|v| **v == var).count(), 1, "-e {var} once in {docker:?}");
    }
    assert!(passed.iter().all(|v| !v.contains('=')), "a value on the command line: {passed:?}");
    assert!(!passed.contains(&"ACTIONS_RUNTIME_TOKEN"), "the runner's own token is not verdict's business");
    assert!(
        !argv.iter().any(|a| a.contains("ghs_runner_token")),
        "the token is on the command line: {argv:?}"
    );
}

/// Every input set: each becomes its option, lists are split on spaces and newlines (never
/// globbed), the paths come last after `--`, and a chosen image replaces the default.
#[test]
fn action_every_input() {
    let runner = Runner::new();
    runner.recorder("docker");
    std::fs::write(runner.workspace().join("policy-a.rego"), "").unwrap();
    let image =
        "ghcr.io/verdict-ci/verdict@sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let with = [
        ("paths", "reports/junit\n  reports/trivy.json target/surefire-reports\n"),
        ("config", "ci/verdict.yaml"),
        ("policy", "policy-*.rego\npolicy/team"),
        ("data", "data/team.yaml"),
        ("fail-on", "warn"),
        ("comment-mode", "failures"),
        ("comment-author", "release-robot"),
        ("gate-key", "api"),
        ("publish", "github"),
        ("output-dir", "out/verdict"),
        ("check-run", "true"),
        ("commit-status", "true"),
        ("require-publish", "true"),
        ("pr", "1347"),
        ("args", "--input custom:cost=infracost.json -v"),
        ("github-token", "ghp_from_input"),
        ("image", image),
    ];
    let out = run_action(&runner, &with, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let argv = runner.argv();
    let (_, verdict) = split_at_image(&argv, image);
    #[rustfmt::skip]
    let expected = strings(&[
        "run",
        "--config", "ci/verdict.yaml",
        "--policy", "policy-*.rego", "--policy", "policy/team",
        "--data", "data/team.yaml",
        "--fail-on", "warn",
        "--comment-mode", "failures",
        "--comment-author", "release-robot",
        "--gate-key", "api",
        "--publish", "github",
        "--output-dir", "out/verdict",
        "--check-run", "--commit-status", "--require-publish",
        "--pr", "1347",
        "--input", "custom:cost=infracost.json", "-v",
        "--", "reports/junit", "reports/trivy.json", "target/surefire-reports",
    ]);
    assert_eq!(verdict, expected);
    assert!(!argv.iter().any(|a| a.contains("ghp_from_input")), "the token is on the command line");
    assert!(argv.iter().any(|a| a == "GITHUB_TOKEN"));
}

/// An empty token and an empty output-dir are left out, not passed empty; so is a file the
/// runner keeps outside the workspace and RUNNER_TEMP mounted once, at its own folder.
#[test]
fn action_leaves_out_what_is_empty() {
    let runner = Runner::new();
    runner.recorder("docker");
    let elsewhere = runner.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let summary = elsewhere.join("summary.md");
    let out = run_action(
        &runner,
        &[("github-token", ""), ("output-dir", ""), ("check-run", "false")],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let argv = runner.argv();
    let (docker, verdict) = split_at_image(&argv, &image());
    assert_eq!(verdict, ["run"]);
    assert!(!docker.iter().any(|a| a == "GITHUB_TOKEN"), "an empty token is passed: {docker:?}");
    let e = elsewhere.display().to_string();
    assert_eq!(docker.iter().filter(|a| **a == format!("{e}:{e}")).count(), 1, "{docker:?}");
    assert!(!argv.iter().any(String::is_empty), "an empty argument: {argv:?}");
}

/// A boolean input that is not `true` or `false`, a `pr` that is not a number, or a runner
/// that is not Linux stop the step with exit 2 and an error annotation, before docker runs.
#[test]
fn action_refuses_bad_inputs() {
    for (with, env, says) in [
        (vec![("check-run", "yes")], vec![], "check-run must be true or false"),
        (vec![("require-publish", "1")], vec![], "require-publish must be true or false"),
        (vec![("pr", "12; rm -rf /")], vec![], "pr must be a pull request number"),
        (vec![], vec![("RUNNER_OS", "Windows")], "use a Linux runner"),
    ] {
        let runner = Runner::new();
        runner.recorder("docker");
        let out = run_action(&runner, &with, &env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{with:?} {env:?}: {stdout}");
        assert!(stdout.contains("::error") && stdout.contains(says), "{with:?}: {stdout}");
        assert!(!runner.argv_file().exists(), "{with:?}: docker ran");
    }
}

/// A fake docker that runs the real verdict as `docker run` would run the image: in the `-w`
/// folder, with only the variables passed with `-e`, and the arguments after the image
/// (`ENTRYPOINT ["/verdict"]`).
fn docker_running_verdict(runner: &Runner) {
    runner.fake(
        "docker",
        &format!(
            r#"#!/bin/bash
set -eu
vars=()
while [[ $# -gt 0 && "$1" != "$FAKE_IMAGE" ]]; do
  case "$1" in
    -e) if [[ -v $2 ]]; then vars+=("$2=${{!2}}"); fi; shift 2 ;;
    -w) cd "$2"; shift 2 ;;
    *) shift ;;
  esac
done
shift
exec env -i "${{vars[@]}}" '{}' "$@"
"#,
            env!("CARGO_BIN_EXE_verdict")
        ),
    );
}

/// Copies the demo's reports folder (tests, scans, SBOM) to `to/reports`.
fn copy_demo(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target)
            } else {
                std::fs::copy(&path, &target).map(drop).unwrap()
            }
        }
    }
    copy(&root().join("fixtures/demo/reports"), &to.join("reports"));
}

/// The action's command line with the real verdict behind it, on a push with the comment off
/// (no API request): the step's exit code is verdict's, and every output the action maps is
/// written (but comment-url, which needs a comment), naming files that exist.
#[test]
fn action_runs_the_real_verdict() {
    let runner = Runner::new();
    docker_running_verdict(&runner);
    copy_demo(&runner.workspace());
    let out = run_action(
        &runner,
        &[
            ("paths", "reports"),
            ("comment-mode", "off"),
            ("gate-key", "shop"),
            ("args", "--today 2026-11-21"),
        ],
        &[("FAKE_IMAGE", &image())],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the demo fails the gate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(runner.output()).unwrap();
    let written: Vec<&str> = outputs.lines().filter_map(|l| l.split_once("<<").map(|(k, _)| k)).collect();
    let action = yaml_file("action.yml");
    for name in action["outputs"].as_object().unwrap().keys() {
        if name == "comment-url" {
            continue;
        }
        assert!(written.contains(&name.as_str()), "output {name} is not written: {outputs}");
    }
    assert!(outputs.contains("outcome<<") && outputs.contains("\nfail\n"), "{outputs}");
    for report in
        ["verdict.json", "verdict.md", "verdict.sarif", "verdict.junit.xml", "gl-code-quality-report.json"]
    {
        let path = runner.workspace().join("verdict-reports").join(report);
        assert!(path.is_file(), "{} is missing", path.display());
        assert!(outputs.contains(&format!("verdict-reports/{report}")), "{report} is not an output");
    }
    let summary = std::fs::read_to_string(runner.summary()).unwrap();
    assert!(summary.contains("FAIL"), "the job summary: {summary}");
}

// ---------------------------------------------------------------------------------------------
// The GitLab template

/// The `.verdict` template job and the `verdict` job that extends it: the published image with
/// the shell as entrypoint, the `.post` stage, merge request and branch pipelines even
/// after a failed job, and the reports GitLab shows, kept whatever the outcome.
#[test]
fn gitlab_template_shape() {
    let t = yaml_file(GITLAB_FILES[0]);
    let job = &t[".verdict"];
    assert_eq!(t["verdict"], serde_json::json!({"extends": ".verdict"}));
    assert_eq!(job["image"], serde_json::json!({"name": image(), "entrypoint": [""]}));
    assert_eq!(job["stage"], ".post");
    let rules = job["rules"].as_array().unwrap();
    let ifs: Vec<&str> = rules.iter().map(|r| r["if"].as_str().unwrap()).collect();
    assert_eq!(
        ifs,
        // Branch pipelines too: GitLab runs no pipeline of `.post` jobs alone, so a gate kept to
        // merge request pipelines would never run beside jobs that run in branch pipelines.
        ["$CI_PIPELINE_SOURCE == \"merge_request_event\"", "$CI_COMMIT_BRANCH"]
    );
    assert!(rules.iter().all(|r| r["when"] == "always"), "the gate runs after failed jobs too");
    assert_eq!(job["artifacts"]["when"], "always");
    assert_eq!(job["artifacts"]["paths"], serde_json::json!(["verdict-reports/"]));
    assert_eq!(
        job["artifacts"]["reports"],
        serde_json::json!({
            "junit": "verdict-reports/verdict.junit.xml",
            "codequality": "verdict-reports/gl-code-quality-report.json",
        })
    );
    assert!(job.get("variables").is_none(), "job variables would override the project's global ones");
}

fn gitlab_script() -> String {
    let t = yaml_file(GITLAB_FILES[0]);
    let lines: Vec<&str> =
        t[".verdict"]["script"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    lines.join("\n")
}

/// The POSIX shells here: busybox's (the image's) and dash, else `sh`.
fn posix_shells() -> Vec<Vec<&'static str>> {
    let works = |argv: &[&str]| {
        Command::new(argv[0]).args(&argv[1..]).args(["-c", "true"]).output().is_ok_and(|o| o.status.success())
    };
    let mut shells: Vec<Vec<&str>> =
        [vec!["busybox", "sh"], vec!["dash"]].into_iter().filter(|s| works(s)).collect();
    if shells.is_empty() {
        shells.push(vec!["sh"]);
    }
    shells
}

/// Runs the template's script as the runner does (`sh -e`), in `dir`, with only `vars` and a
/// PATH to the fakes.
fn run_gitlab(shell: &[&str], runner: &Runner, dir: &Path, vars: &[(&str, &str)]) -> Output {
    let script = runner.dir.path().join("job.sh");
    std::fs::write(&script, gitlab_script()).unwrap();
    Command::new(shell[0])
        .args(&shell[1..])
        .arg("-e")
        .arg(&script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", runner.bin().display()))
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

/// A fake verdict that records its arguments, and the environment variables it sees that
/// verdict reads, as NAME=VALUE lines.
fn verdict_recorder(runner: &Runner) -> PathBuf {
    runner.recorder("verdict-argv");
    let env_file = runner.dir.path().join("env");
    runner.fake(
        "verdict",
        &format!(
            "#!/bin/sh\nenv | grep -E '^(VERDICT_|GITLAB_TOKEN=)' > '{}' || true\nexec verdict-argv \"$@\"\n",
            env_file.display()
        ),
    );
    env_file
}

/// Every variable the template documents, set.
const GITLAB_VARIABLES: [(&str, &str); 10] = [
    ("VERDICT_PATHS", "target/surefire-reports reports/*"),
    ("VERDICT_CONFIG", "ci/verdict.yaml"),
    ("VERDICT_POLICY", "policy/ more/*.rego"),
    ("VERDICT_DATA", "data/team.yaml"),
    ("VERDICT_FAIL_ON", "warn"),
    ("VERDICT_GATE_KEY", "api"),
    ("VERDICT_COMMENT_MODE", "failures"),
    ("VERDICT_PUBLISH", "gitlab"),
    ("VERDICT_REQUIRE_PUBLISH", "true"),
    ("VERDICT_ARGS", "--input custom:cost=infracost.json -v"),
];

/// Under every POSIX shell here: no variables gives `verdict run --output-dir verdict-reports`;
/// every variable set gives its option, lists split on spaces and never globbed (a file matching
/// `reports/*` is there), paths last after `--`; the token stays in the environment; verdict's
/// exit code is the job's.
#[test]
fn gitlab_script_builds_the_command_line() {
    for shell in posix_shells() {
        let runner = Runner::new();
        let env_file = verdict_recorder(&runner);
        let dir = runner.workspace();
        std::fs::create_dir_all(dir.join("reports")).unwrap();
        std::fs::write(dir.join("reports/trivy.json"), "{}").unwrap();

        let out = run_gitlab(&shell, &runner, &dir, &[]);
        assert!(out.status.success(), "{shell:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(runner.argv(), ["run", "--output-dir", "verdict-reports"], "{shell:?}");

        let mut vars = GITLAB_VARIABLES.to_vec();
        vars.extend([("VERDICT_GITLAB_TOKEN", "glpat-secret"), ("FAKE_EXIT", "1")]);
        let out = run_gitlab(&shell, &runner, &dir, &vars);
        assert_eq!(out.status.code(), Some(1), "{shell:?}: {}", String::from_utf8_lossy(&out.stderr));
        #[rustfmt::skip]
        let expected = strings(&[
            "run", "--output-dir", "verdict-reports",
            "--config", "ci/verdict.yaml",
            "--policy", "policy/", "--policy", "more/*.rego",
            "--data", "data/team.yaml",
            "--fail-on", "warn",
            "--gate-key", "api",
            "--comment-mode", "failures",
            "--publish", "gitlab",
            "--require-publish",
            "--input", "custom:cost=infracost.json", "-v",
            "--", "target/surefire-reports", "reports/*",
        ]);
        assert_eq!(runner.argv(), expected, "{shell:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("verdict run --output-dir verdict-reports --config"),
            "{shell:?}: the log shows the command: {stdout}"
        );
        assert!(!stdout.contains("glpat-secret") && !runner.argv().iter().any(|a| a.contains("glpat")));
        let env = std::fs::read_to_string(&env_file).unwrap();
        assert!(
            env.contains("VERDICT_GITLAB_TOKEN=glpat-secret"),
            "{shell:?}: the token must reach verdict: {env}"
        );
    }
}

/// The environment variables verdict's `run` reads itself (clap's `env = "VERDICT_…"`), from
/// the source, so a new one cannot be forgotten here.
fn variables_verdict_reads() -> Vec<String> {
    let args = read("src/cli/args.rs");
    let mut names: Vec<String> = args
        .split("env = \"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .filter(|n| n.starts_with("VERDICT_"))
        .collect();
    names.extend(
        ["VERDICT_GITLAB_TOKEN", "GITLAB_TOKEN", "VERDICT_REGISTRY_USERNAME", "VERDICT_REGISTRY_PASSWORD"]
            .map(String::from),
    );
    names.sort();
    names.dedup();
    assert!(names.len() >= 12, "{names:?}");
    names
}

/// verdict takes an empty variable it reads as an error (`VERDICT_CONFIG=""`: "a value is
/// required"), not as unset. With every such variable empty, and every template variable empty,
/// verdict sees none of them and gets no option: the defaults.
#[test]
fn gitlab_script_never_hands_verdict_an_empty_variable() {
    let names = variables_verdict_reads();
    let script = gitlab_script();
    for name in &names {
        assert!(script.contains(name.as_str()), "the template's script does not handle {name}");
    }
    for shell in posix_shells() {
        let runner = Runner::new();
        let env_file = verdict_recorder(&runner);
        let mut vars: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
        vars.extend(GITLAB_VARIABLES.iter().map(|(n, _)| (*n, "")));
        let out = run_gitlab(&shell, &runner, &runner.workspace(), &vars);
        assert!(out.status.success(), "{shell:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(runner.argv(), ["run", "--output-dir", "verdict-reports"], "{shell:?}");
        let env = std::fs::read_to_string(&env_file).unwrap();
        assert_eq!(env, "", "{shell:?}: verdict sees empty variables:\n{env}");
    }
}

/// `VERDICT_REQUIRE_PUBLISH` other than `true` or `false` stops the job with exit 2 before
/// verdict runs.
#[test]
fn gitlab_script_refuses_a_bad_boolean() {
    for shell in posix_shells() {
        let runner = Runner::new();
        verdict_recorder(&runner);
        let out = run_gitlab(&shell, &runner, &runner.workspace(), &[("VERDICT_REQUIRE_PUBLISH", "yes")]);
        assert_eq!(out.status.code(), Some(2), "{shell:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("VERDICT_REQUIRE_PUBLISH must be true or false")
        );
        assert!(!runner.argv_file().exists(), "{shell:?}: verdict ran");
    }
}

/// The template's script with the real verdict on PATH: the command line is accepted, the exit
/// code is the verdict's, and the files the template hands GitLab (`artifacts:reports`) are the
/// ones verdict writes.
#[test]
fn gitlab_script_runs_the_real_verdict() {
    let shell = posix_shells().remove(0);
    let runner = Runner::new();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_verdict"), runner.bin().join("verdict")).unwrap();
    let dir = runner.workspace();
    copy_demo(&dir);
    let out = run_gitlab(
        &shell,
        &runner,
        &dir,
        &[
            ("VERDICT_PATHS", "reports"),
            ("VERDICT_PUBLISH", "none"),
            ("VERDICT_CONFIG", ""),
            ("VERDICT_TODAY", "2026-11-21"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the demo fails the gate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let job = &yaml_file(GITLAB_FILES[0])[".verdict"];
    for (kind, path) in job["artifacts"]["reports"].as_object().unwrap() {
        let path = dir.join(path.as_str().unwrap());
        assert!(path.is_file(), "artifacts:reports:{kind}: {} was not written", path.display());
    }
}

// ---------------------------------------------------------------------------------------------
// The docs

/// docs/ci.md names every input and output of the action and every variable of the template.
#[test]
fn docs_cover_the_interface() {
    let docs = read("docs/ci.md");
    let action = yaml_file("action.yml");
    for key in ["inputs", "outputs"] {
        for name in action[key].as_object().unwrap().keys() {
            assert!(
                docs.contains(&format!("`{name}`")),
                "docs/ci.md does not explain the action's {key} `{name}`"
            );
        }
    }
    for (name, _) in GITLAB_VARIABLES {
        assert!(docs.contains(&format!("`{name}`")), "docs/ci.md does not explain `{name}`");
        assert!(read(GITLAB_FILES[0]).contains(name), "the template's header does not list {name}");
    }
    assert!(docs.contains("`VERDICT_GITLAB_TOKEN`"));
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile's build stage

/// The top-level entries `.dockerignore` lets into the build context. It is written as `*`
/// then `!ENTRY` lines (a file, or a folder with a trailing `/`); any other form fails here,
/// so that this reading of it stays exact.
fn build_context() -> Vec<String> {
    let mut allowed = Vec::new();
    for line in read(".dockerignore").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if line == "*" {
            assert!(allowed.is_empty(), ".dockerignore: `*` after `!` lines would exclude them again");
            continue;
        }
        let entry =
            line.strip_prefix('!').unwrap_or_else(|| panic!(".dockerignore: `{line}` is not `*` or `!PATH`"));
        assert!(!entry.contains(['*', '?', '[']), ".dockerignore: `{line}`: patterns are not read here");
        allowed.push(entry.trim_end_matches('/').to_owned());
    }
    allowed
}

/// Whether `path` (relative to the repository) is in the build context.
fn in_context(allowed: &[String], path: &str) -> bool {
    let path = path.trim_end_matches('/');
    allowed.iter().any(|a| path == a || path.starts_with(&format!("{a}/")))
}

/// `docker build .` runs the `build` stage, which `.ci/run` never does (it hands podman a
/// binary built on the host, as no base image can be pulled here). This replays the stage on
/// the files the build context holds: each `COPY` from the repository (refused when
/// `.dockerignore` leaves the file out), each `RUN` but the package install, with every `cargo
/// build` asked for a target that does not exist, which cargo answers only once it has read
/// the manifest and every target it declares. So a file the manifest needs and the stage lacks
/// (the benchmark `pipeline` once was) fails here as it fails `docker build`.
#[test]
fn the_build_stage_reads_the_manifest() {
    let allowed = build_context();
    let dockerfile = read("Dockerfile").replace("\\\n", " ");
    let stage: Vec<&str> = dockerfile
        .lines()
        .skip_while(|l| !(l.starts_with("FROM ") && l.ends_with(" AS build")))
        .skip(1)
        .take_while(|l| !l.starts_with("FROM "))
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert!(stage.iter().any(|l| l.contains("cargo build")), "no `cargo build` in the build stage");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let shim = format!(
        "cargo_build() {{ out=$(\"{cargo}\" build --offline \"$@\" --bin verdict-no-such-target 2>&1); case \"$out\" in *'no bin target named'*) ;; *) printf '%s\\n' \"$out\" >&2; return 1 ;; esac; }}\n"
    );
    let mut ran = 0;
    for line in stage {
        let (instruction, rest) = line.split_once(' ').unwrap_or((line, ""));
        match instruction {
            "COPY" => {
                let words: Vec<&str> = rest.split_whitespace().collect();
                let (dest, sources) = words.split_last().unwrap();
                for source in sources {
                    assert!(
                        in_context(&allowed, source),
                        "COPY {source}: .dockerignore leaves it out of the build context"
                    );
                    let to = if dest.ends_with('/') {
                        work.join(dest).join(Path::new(source).file_name().unwrap())
                    } else {
                        work.join(dest)
                    };
                    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                    let status =
                        Command::new("cp").arg("-R").arg(root().join(source)).arg(&to).status().unwrap();
                    assert!(status.success(), "COPY {source} {dest}");
                }
            }
            "RUN" if rest.contains("apt-get") => {}
            "RUN" => {
                let script = rest
                    .replace("cargo build", "cargo_build")
                    .replace("sh docker/rootfs.sh", "test -f docker/rootfs.sh ||");
                let out = Command::new("sh")
                    .arg("-ec")
                    .arg(format!("{shim}{script}"))
                    .current_dir(work)
                    .env("CARGO_TARGET", "x86_64-unknown-linux-gnu")
                    .env("CARGO_TARGET_DIR", work.join("target"))
                    .env_remove("RUSTFLAGS")
                    .output()
                    .unwrap();
                assert!(out.status.success(), "RUN {rest}\n{}", String::from_utf8_lossy(&out.stderr));
                ran += 1;
            }
            _ => {}
        }
    }
    assert_eq!(ran, 2, "the build stage's two builds were not both replayed");
}
