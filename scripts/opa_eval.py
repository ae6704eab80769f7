#!/usr/bin/env python3
"""Evaluate Rego policies with the real OPA engine, the way verdict does with regorus.

This is the OPA side of a parity check: verdict evaluates policies in-process with regorus,
and this script evaluates the same policies, on the same evidence and data, with OPA's Go
engine, so that the two sets of findings can be compared. It follows verdict's contract
(docs/policy.md), which is conftest's:

- In each selected package (namespace), the rules `deny`, `deny_<name>`, `violation`,
  `violation_<name>`, `warn` and `warn_<name>` produce findings; deny and violation fail,
  warn warns. Each element of such a set is a finding: a string (the message) or an object
  with `msg`, or without it and with the `fingerprint` of the evidence record verdict explains
  it from (printed with "msg": null).
- Namespaces: `main`, plus every `verdict.*` package loaded (the built-in pack), plus those
  named with --namespace; --all-namespaces selects every package.
- Exceptions: `exception` in a package is a set of rule-name lists. When
  `data.<ns>.exception[_][_] == "<name>"` holds, every finding of `deny_<name>`,
  `violation_<name>` and `warn_<name>` in that package is excepted (conftest's rule names are
  matched the same way: the prefix `violation_`, `deny_` or `warn_` is removed). Excepted
  findings are printed with `"excepted": true`, never dropped.
- Rego v1 first; a file that does not parse as v1 is upgraded from v0 syntax (see below) and
  read again, and a note says so on stderr.

Usage:

    scripts/opa_eval.py --builtin --input evidence.json [--data config.json]
    scripts/opa_eval.py --policy examples/policies/k8s --input evidence.json --namespace k8s
    scripts/opa_eval.py --tests --policy policies [--coverage] [-v]

Options:

    --policy PATH       a .rego file or a folder searched recursively (repeatable). Files
                        ending in _test.rego are left out unless --tests is given.
    --builtin           add this repository's built-in pack (policies/).
    --data FILE         a JSON document merged into data at its root (repeatable), e.g.
                        {"verdict": {"config": {"tests": {"flaky": "fail"}}}}.
    --input FILE        the evidence document (JSON), from `verdict evidence ... > FILE`.
    --namespace NS      evaluate package NS too (repeatable).
    --all-namespaces    evaluate every package.
    --tests             run every test_* rule instead (like `opa test`): prints PASS or FAIL
                        per test and exits 1 when one fails (or none was found); todo_test_*
                        rules are counted as skipped. With -v, passing tests are
                        listed too; with --coverage, the share of the policy lines (test
                        files aside) that the tests evaluate.
    --timings           print how long each phase took, on stderr.
    --opa-bindings DIR  where the unpacked opa-golib-python-bindings wheel is (the folder
                        holding opa_bindings/). Default: $VERDICT_OPA_BINDINGS, else
                        .cache/opa/pkg in this repository, downloaded there on first use.
    --install-bindings  only download and unpack the bindings, then exit.

Output (evaluation mode): one JSON document on stdout, the list of findings sorted by
namespace, rule, fingerprint and message. Each finding is the rule's result object, with a
string result turned into {"msg": ...}, and with these fields always present:

    {"namespace": "verdict.vulnerabilities", "rule": "deny_fixable", "level": "fail",
     "excepted": false, "msg": "...", "id": "CVE-...", "severity": "CRITICAL",
     "fingerprint": "388f...", ...the rest of the result object}

`msg`, `id`, `severity` and `fingerprint` are null when the result does not set them. METADATA
blocks are not applied here (no default severity or remediation, no effective_on): this
script shows what the engine computed, which is what a parity check compares.

Exit codes: 0 evaluated (whatever the findings) or every test passed; 1 a test failed or
errored, or there was no test; 2 a usage, load, parse or evaluation error (an invalid
METADATA block included: OPA is made to parse them).

Rego v0: the OPA in the bindings (1.x) parses Rego v1 only, while verdict also reads v0 files
(docs/policy.md). A file that fails to parse as v1 is upgraded with the two changes that
separate v0 rule heads from v1: `if` before every rule body, and `contains` for partial set
rules (`deny[msg] { ... }` becomes `deny contains msg if { ... }`). Other v0-only constructs
(deprecated builtins such as `any()` or `re_match()`) are not rewritten and fail to compile,
with OPA's message.

The bindings: the PyPI package opa-golib-python-bindings wraps OPA's Go library as a shared
object driven through ctypes. Its wheel is tagged for Python >= 3.14 only, but nothing in it
needs 3.14, so it is downloaded with `pip download --no-deps --only-binary=:all:
--python-version 3.14` and unpacked into .cache/opa/ (git-ignored), then imported from there
on any Python 3. scripts/install-opa-bindings.sh does just that step, for CI.

Standard library only, besides the bindings.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILTIN_PACK = os.path.join(REPO, "policies")
BINDINGS_PIN = "opa-golib-python-bindings==0.4.4"
CACHE_DIR = os.path.join(REPO, ".cache", "opa")
BINDINGS_ENV = "VERDICT_OPA_BINDINGS"

FAIL_RULE = re.compile(r"^(deny|violation)(_[a-zA-Z0-9]+)*$")
WARN_RULE = re.compile(r"^warn(_[a-zA-Z0-9]+)*$")

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2

METADATA_PROBE_NAME = "<metadata check>"
METADATA_PROBE = "package verdict_opa_eval.metadata_probe\n\nannotations := rego.metadata.rule()\n"


class UsageError(Exception):
    """Something the user can fix: a missing file, a parse error, an evaluation error."""


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The bindings
# ---------------------------------------------------------------------------------------------


def install_bindings(cache_dir: str = CACHE_DIR) -> str:
    """Download and unpack the bindings wheel into cache_dir; return the folder for sys.path.

    The wheel is tagged for Python >= 3.14 only, hence --python-version 3.14; its ctypes code
    runs on any Python 3."""
    pkg_dir = os.path.join(cache_dir, "pkg")
    if os.path.exists(os.path.join(pkg_dir, "opa_bindings", "engine.py")):
        return pkg_dir
    wheels = os.path.join(cache_dir, "wheels")
    os.makedirs(wheels, exist_ok=True)
    log(f"[setup] downloading {BINDINGS_PIN} into {os.path.relpath(wheels, REPO)}")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", "--python-version", "3.14", "-d", wheels, BINDINGS_PIN],
        check=True, stdout=sys.stderr)
    found = sorted(glob.glob(os.path.join(wheels, "opa_golib_python_bindings-*.whl")))
    if not found:
        raise UsageError(f"no opa_golib_python_bindings wheel in {wheels} after pip download")
    with zipfile.ZipFile(found[-1]) as zf:
        zf.extractall(pkg_dir)
    return pkg_dir


def load_bindings(where: str | None):
    """Import OpaEngine from `where`, $VERDICT_OPA_BINDINGS, or the cache (filled on demand)."""
    where = where or os.environ.get(BINDINGS_ENV)
    if where is None:
        where = install_bindings()
    elif not os.path.exists(os.path.join(where, "opa_bindings", "engine.py")):
        raise UsageError(f"no opa_bindings/engine.py in `{where}`: run scripts/install-opa-bindings.sh "
                         f"or point --opa-bindings at the unpacked wheel")
    sys.path.insert(0, os.path.abspath(where))
    from opa_bindings.engine import OpaEngine, OpaError  # noqa: E402

    return OpaEngine, OpaError


# ---------------------------------------------------------------------------------------------
# Reading Rego: packages, rule names, v0 → v1
# ---------------------------------------------------------------------------------------------

TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<newline>\n)
  | (?P<space>[ \t\r\f]+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<op>:=|==|!=|<=|>=|[{}\[\]().,;:=<>|&+\-*/%])
  | (?P<other>.)
""", re.VERBOSE)

# Tokens after which a `{` opens an object or set value, not a rule body.
VALUE_BEFORE = {":=", "=", "==", "!=", "<=", ">=", "<", ">", ",", "(", "[", "{", ":", "|", "&",
                "+", "-", "*", "/", "%", ";", "in", "contains", "some", "every", "not"}
KEYWORDS = {"package", "import", "else", "default", "if", "contains", "in", "some", "every", "not",
            "with", "as", "true", "false", "null"}


@dataclass
class Token:
    kind: str
    text: str
    start: int
    depth: int  # bracket depth before the token
    line_start: bool = False  # first significant token of its line


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    depth = 0
    at_line_start = True
    for m in TOKEN.finditer(src):
        kind, text = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "newline":
            at_line_start = True
            continue
        if kind == "comment":
            continue
        if text in ")]}":
            depth = max(depth - 1, 0)
        tokens.append(Token(kind, text, m.start(), depth, at_line_start))
        if text in "([{" and kind == "op":
            depth += 1
        at_line_start = False
    return tokens


@dataclass
class Module:
    path: str  # as shown in messages
    source: str
    package: str | None
    rules: list[str] = field(default_factory=list)  # top-level rule names, in order
    v0: bool = False


def statements(tokens: list[Token]) -> list[list[Token]]:
    """Top-level statements: each starts with the first token of a line at depth 0 (an
    `else` continues the statement before it)."""
    out: list[list[Token]] = []
    for tok in tokens:
        starts = tok.depth == 0 and tok.line_start and tok.text != "else"
        if starts or not out:
            out.append([tok])
        else:
            out[-1].append(tok)
    return out


def read_module(path: str, source: str) -> Module:
    tokens = tokenize(source)
    package = None
    rules: list[str] = []
    for stmt in statements(tokens):
        first = stmt[0]
        if first.text == "package":
            package = "".join(t.text for t in stmt[1:] if t.kind in ("ident", "op") and t.text != ";")
        elif first.kind == "ident" and first.text not in ("import", "package"):
            name = stmt[1].text if first.text == "default" and len(stmt) > 1 else first.text
            if name not in rules:
                rules.append(name)
    return Module(path, source, package, rules)


def upgrade_v0(source: str) -> str:
    """Rewrite v0 rule heads as v1: `if` before each rule body, `contains` for partial sets."""
    tokens = tokenize(source)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), on the source
    for stmt in statements(tokens):
        if stmt[0].text in ("package", "import"):
            continue
        # A `{` at depth 0 after a token that ends a term (a name, `)`, `]`, `}`, a literal, or
        # `else`) opens a rule body; after an operator it opens an object or set value.
        bodies = [i for i, t in enumerate(stmt)
                  if t.depth == 0 and t.text == "{" and i > 0 and stmt[i - 1].text not in VALUE_BEFORE
                  and stmt[i - 1].text != "if"]
        for i in bodies:
            edits.append((stmt[i].start, stmt[i].start, "if "))
        # name[term] followed directly by the body (or `if`), or alone: a v0 partial set rule.
        if len(stmt) > 3 and stmt[0].kind == "ident" and stmt[1].text == "[":
            close = next((i for i in range(2, len(stmt)) if stmt[i].text == "]" and stmt[i].depth == 0), None)
            if close is not None and (close + 1 == len(stmt) or stmt[close + 1].text in ("{", "if")):
                inner = source[stmt[2].start:stmt[close].start].strip()
                end = stmt[close].start + 1
                gap = "" if end == len(source) or source[end].isspace() else " "
                edits.append((stmt[1].start, end, f" contains {inner}{gap}"))
    out = source
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out


def rego_files(paths: list[str], with_tests: bool) -> list[str]:
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".rego")]
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise UsageError(f"cannot read policy `{p}`: no such file or folder")
    return [f for f in dict.fromkeys(files) if with_tests or not f.endswith("_test.rego")]


def shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load_engine(OpaEngine, OpaError, files: list[str], data_files: list[str]):
    """A new engine with every policy file (v1, or upgraded from v0) and every data file."""
    engine = OpaEngine()
    modules: list[Module] = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            source = fh.read()
        name = shown(f)
        module = read_module(name, source)
        try:
            engine.add_policy(name, source)
        except OpaError as v1_error:
            upgraded = upgrade_v0(source)
            try:
                engine.add_policy(name, upgraded)
            except OpaError:
                raise UsageError(f"cannot parse `{name}`: {v1_error.message}") from None
            module.v0 = True
            log(f"note: `{name}` is not Rego v1; read as Rego v0")
        modules.append(module)
    # OPA parses METADATA blocks only when some module asks for annotations: this one does,
    # so that a block that is not valid YAML is an error here, as it is for verdict.
    try:
        engine.add_policy(METADATA_PROBE_NAME, METADATA_PROBE)
        engine.eval_query("x := 1")
    except OpaError as e:
        raise UsageError(f"invalid METADATA: {e.message}") from None
    for f in data_files:
        try:
            with open(f, encoding="utf-8") as fh:
                engine.add_data(json.load(fh))
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read data `{f}` (JSON): {e}") from None
        except OpaError as e:
            raise UsageError(f"cannot merge data `{f}`: {e.message}") from None
    return engine, modules


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


def data_ref(namespace: str, rule: str) -> str:
    return "data" + "".join(f"[{json.dumps(part)}]" for part in [*namespace.split("."), rule])


def exception_name(rule: str) -> str:
    """conftest's removeRulePrefix: the name an `exception` entry matches."""
    for prefix in ("violation_", "deny_", "warn_"):
        rule = rule.removeprefix(prefix)
    return rule


def select_namespaces(modules: list[Module], named: list[str], everything: bool) -> list[str]:
    packages = sorted({m.package for m in modules if m.package})
    if everything:
        return packages
    wanted = {"main", *named} | {p for p in packages if p.startswith("verdict.")}
    return [p for p in packages if p in wanted]


def conftest_rules(modules: list[Module], namespace: str) -> list[str]:
    rules: list[str] = []
    for m in modules:
        if m.package == namespace:
            rules += [r for r in m.rules if (FAIL_RULE.match(r) or WARN_RULE.match(r)) and r not in rules]
    return rules


def evaluate(engine, OpaError, modules, namespaces, evidence) -> list[dict]:
    """Every conftest rule of every namespace in one query, so the input crosses into Go once."""
    plan = [(ns, rule) for ns in namespaces for rule in conftest_rules(modules, ns)]
    if not plan:
        return []
    parts = []
    for i, (ns, rule) in enumerate(plan):
        parts.append(f"r{i} := [v | v := {data_ref(ns, rule)}]")
        parts.append(f"e{i} := [true | {data_ref(ns, 'exception')}[_][_] == {json.dumps(exception_name(rule))}]")
    try:
        rows = engine.eval_query("; ".join(parts), input=evidence)
    except OpaError as e:
        raise UsageError(f"evaluation failed: {e.message}") from None
    if not rows:
        raise UsageError("evaluation gave no result")
    bindings = rows[0]
    findings: list[dict] = []
    for i, (ns, rule) in enumerate(plan):
        values = bindings[f"r{i}"]
        excepted = len(bindings[f"e{i}"]) > 0
        if not values:
            continue
        value = values[0]
        if not isinstance(value, list):
            log(f"note: data.{ns}.{rule} is a {type(value).__name__}, not a set: no findings (as in conftest)")
            continue
        for element in value:
            findings.append(finding(ns, rule, element, excepted))
    findings = [f for f in findings if f is not None]
    findings.sort(key=lambda f: (f["namespace"], f["rule"], f["fingerprint"] or "", f["msg"] or "",
                                 json.dumps(f, sort_keys=True, ensure_ascii=False)))
    return findings


def finding(namespace: str, rule: str, element, excepted: bool) -> dict | None:
    if isinstance(element, str):
        result = {"msg": element}
    elif isinstance(element, dict):
        # Without `msg`, verdict explains the result from the evidence record its fingerprint
        # names (docs/policy.md, "Findings verdict explains"); it is printed with "msg": null.
        explained = "msg" not in element and isinstance(element.get("fingerprint"), str)
        if not isinstance(element.get("msg"), str) and not explained:
            raise UsageError(f"a result of data.{namespace}.{rule} has neither a string `msg` nor a record's "
                             f"`fingerprint`: {json.dumps(element)[:200]}")
        result = element
    else:  # conftest skips results that are neither strings nor objects
        return None
    out = {
        "namespace": namespace,
        "rule": rule,
        "level": "fail" if FAIL_RULE.match(rule) else "warn",
        "excepted": excepted,
        "msg": result.get("msg"),
        "id": result.get("id"),
        "severity": result.get("severity"),
        "fingerprint": result.get("fingerprint"),
    }
    out.update({k: v for k, v in result.items() if k not in out})
    return out


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def run_tests(engine, OpaError, modules: list[Module], verbose: bool, coverage: bool) -> int:
    tests = [(m, rule) for m in modules if m.package for rule in m.rules
             if rule.startswith("test_") or rule.startswith("todo_test_")]
    passed = failed = errored = skipped = 0
    covered: dict[str, set[int]] = {}
    not_covered: dict[str, set[int]] = {}
    for module, rule in tests:
        name = f"data.{module.package}.{rule}"
        if rule.startswith("todo_"):
            skipped += 1
            if verbose:
                print(f"{module.path}: {name}: SKIPPED")
            continue
        t0 = time.perf_counter()
        try:
            value = engine.eval_query(f"x := {data_ref(module.package, rule)}", coverage=coverage)
            outcome = "PASS" if value and value[0].get("x") is True else "FAIL"
            error = None
        except OpaError as e:
            outcome, error = "ERROR", e.message
        ms = (time.perf_counter() - t0) * 1000
        if coverage and engine.last_coverage:
            collect_coverage(engine.last_coverage, covered, not_covered)
        if outcome == "PASS":
            passed += 1
        elif outcome == "FAIL":
            failed += 1
        else:
            errored += 1
        if verbose or outcome != "PASS":
            print(f"{module.path}: {name}: {outcome} ({ms:.1f}ms)")
            if error:
                print(f"  {error}")
    total = passed + failed + errored + skipped
    if total == 0:
        print("no test_* rules found")
    print("-" * 80)
    summary = [f"PASS: {passed}/{total}"]
    if failed:
        summary.append(f"FAIL: {failed}/{total}")
    if errored:
        summary.append(f"ERROR: {errored}/{total}")
    if skipped:
        summary.append(f"SKIPPED: {skipped}/{total}")
    print("\n".join(summary))
    if coverage:
        print_coverage(covered, not_covered)
    return EXIT_OK if failed == errored == 0 and total > 0 else EXIT_FAILED


def collect_coverage(report: dict, covered: dict, not_covered: dict) -> None:
    for path, spans in (report.get("files") or {}).items():
        for key, into in (("covered", covered), ("not_covered", not_covered)):
            lines = into.setdefault(path, set())
            for span in spans.get(key) or []:
                lines.update(range(span["start"]["row"], span["end"]["row"] + 1))


def print_coverage(covered: dict, not_covered: dict) -> None:
    print("coverage (policy files, tests aside):")
    for path in sorted(set(covered) | set(not_covered)):
        if path.endswith("_test.rego") or path == METADATA_PROBE_NAME:
            continue
        hit = covered.get(path, set())
        missed = not_covered.get(path, set()) - hit
        share = 100.0 * len(hit) / max(len(hit) + len(missed), 1)
        detail = f"  not covered: lines {compact(sorted(missed))}" if missed else ""
        print(f"  {path}: {share:.1f}%{detail}")


def compact(lines: list[int]) -> str:
    """1,2,3,7 → "1-3, 7"."""
    runs: list[list[int]] = []
    for n in lines:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in runs)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policy", action="append", default=[], metavar="PATH")
    ap.add_argument("--builtin", action="store_true", help="add the built-in pack (policies/)")
    ap.add_argument("--data", action="append", default=[], metavar="FILE")
    ap.add_argument("--input", metavar="FILE")
    ap.add_argument("--namespace", action="append", default=[], metavar="NS")
    ap.add_argument("--all-namespaces", action="store_true")
    ap.add_argument("--tests", action="store_true", help="run test_* rules like `opa test`")
    ap.add_argument("--coverage", action="store_true", help="with --tests: print line coverage")
    ap.add_argument("-v", "--verbose", action="store_true", help="with --tests: list passing tests too")
    ap.add_argument("--timings", action="store_true", help="print phase timings on stderr")
    ap.add_argument("--opa-bindings", metavar="DIR")
    ap.add_argument("--install-bindings", action="store_true", help="download the bindings and exit")
    return ap.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.install_bindings:
        print(install_bindings())
        return EXIT_OK
    paths = args.policy + ([BUILTIN_PACK] if args.builtin else [])
    if not paths:
        raise UsageError("no policies: give --policy PATH or --builtin")
    if not args.tests and not args.input:
        raise UsageError("no input: give --input EVIDENCE.json (or --tests)")
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    OpaEngine, OpaError = load_bindings(args.opa_bindings)
    OpaEngine().close()  # loads the Go runtime once, so it is not counted as compilation
    timings["startup_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    engine, modules = load_engine(OpaEngine, OpaError, rego_files(paths, args.tests), args.data)
    timings["load_s"] = time.perf_counter() - t0

    if args.tests:
        code = run_tests(engine, OpaError, modules, args.verbose, args.coverage)
    else:
        t0 = time.perf_counter()
        try:
            with open(args.input, encoding="utf-8") as fh:
                evidence = json.load(fh)
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read input `{args.input}` (JSON): {e}") from None
        timings["read_input_s"] = time.perf_counter() - t0
        namespaces = select_namespaces(modules, args.namespace, args.all_namespaces)
        t0 = time.perf_counter()
        findings = evaluate(engine, OpaError, modules, namespaces, evidence)
        timings["eval_s"] = time.perf_counter() - t0
        json.dump(findings, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        timings["findings"] = len(findings)
        code = EXIT_OK
    engine.close()
    if args.timings:
        log(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in timings.items()}))
    return code


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        log(f"error: {e}")
        sys.exit(EXIT_ERROR)
