#!/usr/bin/env python3
"""Run a fuzzing campaign over verdict's cargo-fuzz targets, one at a time, and report it.

    python3 scripts/fuzz.py [--max SECONDS] [--plateau SECONDS] [TARGET…]

Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked --root
.cache/cargo-fuzz`; found on PATH or in .cache/cargo-fuzz/bin). Writes the seed corpora first
(`cargo test --test fuzz_regressions -- --ignored write_seed_corpora`: fixtures/, examples/,
policies/, ../shared/corpus and fuzz/seeds/ into fuzz/corpus/TARGET/), builds every target,
then runs each under `nice -n 19`, a single libFuzzer process, until it has run --max seconds or
its coverage (libFuzzer's `cov`, the edges covered) has not grown for --plateau seconds. A target's
corpus grows in fuzz/corpus/TARGET/ (git-ignored) and is kept for the next campaign; crashes,
timeouts and OOMs land in fuzz/artifacts/TARGET/ (git-ignored): fix each, then copy the input
to fuzz/regressions/TARGET/, which tests/fuzz_regressions.rs replays on every test run.

Prints one Markdown table row per target (seconds, executions, `cov` after loading the corpus,
three minutes before the end and at the end, final `ft`, crashes), as
docs/security.md#fuzzing records them, and exits 1 if any target crashed.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
TARGETS = [
    "junit", "trivy", "checkov", "cyclonedx_json", "cyclonedx_xml", "spdx",
    "config", "waivers", "metadata", "markdown",
]
# Longest input libFuzzer makes, where its default (the largest seed) would slow a target down:
# the Markdown target renders and parses every input twice, and a 16 KiB input already fills
# every field with more than any surface shows.
MAX_LEN = {"markdown": 16384}
STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+)")
EXECS = re.compile(r"^stat::number_of_executed_units: (\d+)")


def cargo_fuzz():
    found = shutil.which("cargo-fuzz") or (ROOT / ".cache/cargo-fuzz/bin/cargo-fuzz")
    if not Path(found).is_file():
        sys.exit("cargo-fuzz not found: cargo install cargo-fuzz --locked --root .cache/cargo-fuzz")
    return str(found)


def campaign(exe, target, max_secs, plateau):
    """Runs one target; returns (seconds, executions, cov at start, cov 3 min before the end,
    cov, ft, crash files)."""
    artifacts = FUZZ / "artifacts" / target
    before = set(artifacts.glob("*")) if artifacts.is_dir() else set()
    cmd = ["nice", "-n", "19", exe, "run", target, "--",
           f"-max_total_time={max_secs}", "-timeout=10", "-rss_limit_mb=2048",
           "-print_final_stats=1"]
    if target in MAX_LEN:
        cmd.append(f"-max_len={MAX_LEN[target]}")
    env = dict(os.environ, RUSTUP_TOOLCHAIN="nightly")
    log = (FUZZ / "logs").joinpath(f"{target}.log")
    log.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    grew = started
    cov = ft = execs = 0
    start_cov = None
    history = []  # (time, cov) at each status line
    with open(log, "w") as out:
        # A session of its own, so that stopping it stops libFuzzer under cargo-fuzz too.
        proc = subprocess.Popen(cmd, cwd=FUZZ, env=env, stderr=subprocess.PIPE, stdout=out, text=True,
                                errors="replace", start_new_session=True)
        for line in proc.stderr:
            out.write(line)
            m = STATUS.match(line)
            if m:
                execs = int(m.group(1))
                c, f = int(m.group(2)), int(m.group(3))
                if c > cov:  # new edges; ft (edge hit-count buckets) creeps on for hours
                    grew = time.monotonic()
                cov, ft = max(cov, c), max(ft, f)
                if start_cov is None:
                    start_cov = c  # after the corpus is loaded (INITED)
                history.append((time.monotonic(), cov))
                if time.monotonic() - grew > plateau and proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGINT)  # libFuzzer prints its final stats
            m = EXECS.match(line)
            if m:
                execs = int(m.group(1))
        proc.wait()
    ended = time.monotonic()
    seconds = round(ended - started)
    crashes = sorted(set(artifacts.glob("*")) - before) if artifacts.is_dir() else []
    earlier = [c for t, c in history if t <= ended - 180]
    return seconds, execs, start_cov or 0, earlier[-1] if earlier else 0, cov, ft, crashes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=480, help="seconds per target at most (480)")
    parser.add_argument("--plateau", type=int, default=180,
                        help="stop a target whose edge coverage (cov) has not grown for this long (180)")
    parser.add_argument("--no-seed", action="store_true",
                        help="leave fuzz/corpus/ as it is (skips building the test that writes the seeds)")
    parser.add_argument("targets", nargs="*", default=TARGETS)
    args = parser.parse_args()
    exe = cargo_fuzz()
    if not args.no_seed:
        subprocess.run(["cargo", "test", "--quiet", "--test", "fuzz_regressions", "--", "--ignored",
                        "write_seed_corpora"], cwd=ROOT, check=True)
    subprocess.run(["nice", "-n", "19", exe, "build"], cwd=FUZZ, check=True,
                   env=dict(os.environ, RUSTUP_TOOLCHAIN="nightly"))
    print("| target | seconds | executions | cov at start | cov 3 min before the end | final cov | final ft | crashes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    failed = False
    for target in args.targets:
        seconds, execs, start, before, cov, ft, crashes = campaign(exe, target, args.max, args.plateau)
        failed |= bool(crashes)
        names = ", ".join(c.name for c in crashes) or "none"
        print(f"| `{target}` | {seconds} | {execs:,} | {start:,} | {before:,} | {cov:,} | {ft:,} | {names} |",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
