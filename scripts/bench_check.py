#!/usr/bin/env python3
"""Correct first: before verdict's timings on a generated artifact set mean anything, its
counts must equal the set's ground truth (manifest.json of ../shared/bench/gen_fixtures.py).

    python3 scripts/bench_check.py VERDICT_BINARY ARTIFACT_DIR

Runs `verdict evidence ARTIFACT_DIR` and `verdict run ARTIFACT_DIR --publish none --format
json` and compares the evidence's test, vulnerability, check and component counts, and the
built-in pack's findings per rule, with the ground truth. Prints one line per figure; exits 1 on any difference.
"""
import json
import subprocess
import sys
from collections import Counter


def main() -> int:
    binary, directory = sys.argv[1], sys.argv[2]
    with open(f"{directory}/manifest.json", encoding="utf-8") as fh:
        truth = json.load(fh)["ground_truth"]
    run = subprocess.run(
        [binary, "run", directory, "--publish", "none", "--format", "json"],
        capture_output=True, check=False,
    )
    if run.returncode not in (0, 1):
        print(run.stderr.decode("utf-8", "replace"), file=sys.stderr)
        print(f"verdict run exited {run.returncode}", file=sys.stderr)
        return 1
    v = json.loads(run.stdout)
    evidence = subprocess.run([binary, "evidence", directory, "--compact"], capture_output=True, check=False)
    if evidence.returncode != 0:
        print(evidence.stderr.decode("utf-8", "replace"), file=sys.stderr)
        return 1
    ev = json.loads(evidence.stdout)
    rules = Counter(f"{f['namespace']}.{f['rule']}" for f in v["findings"])
    junit, trivy, checkov, sbom = truth["junit"], truth["trivy"], truth["checkov"], truth["sbom"]
    tests = ev["tests"]["testcases"]
    misconfigurations = Counter((m["tool"], m["status"]) for m in ev["misconfigurations"])
    pairs = [
        ("testcases", tests.get("total"), junit["testcases"]),
        ("tests failed", tests.get("failed"), junit["failed"]),
        ("tests errored", tests.get("errored"), junit["errored"]),
        ("tests skipped", tests.get("skipped"), junit["skipped"]),
        ("deny_failed (failed + errored)", rules["verdict.tests.deny_failed"], junit["failed"] + junit["errored"]),
        ("warn_flaky", rules["verdict.tests.warn_flaky"], junit["flaky"]),
        ("deny_fixable (CRITICAL/HIGH with a fix)", rules["verdict.vulnerabilities.deny_fixable"],
         trivy["critical_high_with_fix"]),
        ("warn_unfixed (CRITICAL/HIGH without a fix)", rules["verdict.vulnerabilities.warn_unfixed"],
         trivy["critical_high"] - trivy["critical_high_with_fix"]),
        ("deny_found (secrets, every severity)", rules["verdict.secrets.deny_found"], trivy["secrets"]),
        ("Checkov checks failed", misconfigurations[("checkov", "failed")], checkov["failed"]),
        ("Checkov checks passed", misconfigurations[("checkov", "passed")], checkov["passed"]),
        ("Checkov checks skipped", misconfigurations[("checkov", "skipped")], checkov["skipped"]),
        ("vulnerabilities", len(ev["vulnerabilities"]), trivy["vulnerabilities"]),
        ("components", len(ev["components"]), sbom["components"]),
        ("deny_license (GPL/AGPL components)", rules["verdict.sbom.deny_license"], sbom["copyleft_components"]),
    ]
    bad = 0
    for name, got, expected in pairs:
        ok = got == expected
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {name}: verdict {got}, ground truth {expected}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
