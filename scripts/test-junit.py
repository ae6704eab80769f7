#!/usr/bin/env python3
"""Run the whole test suite and keep its results as JUnit XML, for verdict to gate itself on.

    python3 scripts/test-junit.py OUT_DIR [cargo test args…]

`cargo test` builds the test binaries (`--no-run`, the same flags `.ci/run` always used), then each
binary runs with libtest's JUnit formatter and writes OUT_DIR/<binary>.xml. libtest keeps that
formatter behind `-Z unstable-options`, which a stable toolchain accepts only with
RUSTC_BOOTSTRAP=1: it is set for the test binaries alone, never for cargo or rustc, so the build
is the ordinary stable one (and its cache is unchanged).

Prints one line per binary and every failure with its message; exits 1 if any test failed (or a
binary crashed), so this is the test step itself, not a second run.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def build(extra):
    cmd = ["cargo", "test", "--locked", "--no-run", "--message-format=json-render-diagnostics", *extra]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, text=True).stdout
    binaries = []
    for line in out.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("profile", {}).get("test") and msg.get("executable"):
            target = msg["target"]
            kind = target["kind"][0]
            name = target["name"] if kind != "lib" else "lib"
            binaries.append((f"{kind}-{name}" if kind not in ("lib", "test") else name, msg["executable"]))
    return sorted(set(binaries))


def run(name, exe, out_dir):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    proc = subprocess.run(
        [exe, "-Z", "unstable-options", "--format", "junit", "--report-time"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    # libtest writes one document, on one line, after the run; tests' own output is captured.
    docs = [line for line in proc.stdout.splitlines() if line.startswith("<?xml")]
    path = out_dir / f"{name}.xml"
    if docs:
        path.write_text(docs[-1] + "\n")
    return proc, path if docs else None


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xml"):
        old.unlink()
    failed = False
    totals = [0, 0, 0]
    for name, exe in build(sys.argv[2:]):
        proc, path = run(name, exe, out_dir)
        if path is None:
            print(f"{name}: no JUnit report (exit {proc.returncode})\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
            failed = True
            continue
        root = ET.parse(path).getroot()
        cases = root.findall(".//testcase")
        bad = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        totals[0] += len(cases)
        totals[1] += len(bad)
        totals[2] += skipped
        print(f"{name:<24} {len(cases) - len(bad) - skipped:>4} passed, {len(bad)} failed, {skipped} ignored")
        for c in bad:
            el = c.find("failure") if c.find("failure") is not None else c.find("error")
            text = (el.get("message") or "") + "\n" + (el.text or "")
            sysout = c.findtext("system-out") or ""
            print(f"---- {c.get('classname')}::{c.get('name')} ----\n{text.strip()}\n{sysout.strip()[-6000:]}\n")
        if proc.returncode != 0 and not bad:
            print(f"{name}: exited {proc.returncode} without a failed test\n{proc.stderr[-4000:]}")
            failed = True
        failed = failed or bool(bad)
    print(f"\n{totals[0]} tests: {totals[0] - totals[1] - totals[2]} passed, {totals[1]} failed, {totals[2]} ignored")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
