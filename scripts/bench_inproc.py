#!/usr/bin/env python3
"""Times `verdict evidence PATH` from the inside: the `evidence collected` line of its -v log
gives how long discovery, reading, hashing, parsing and merging took, before the document is
written. Prints one JSON line in the format of ../shared/bench/peers/time_cmd.py's results.

    bench_inproc.py BIN PATH [--repeat N] [--scale S] [--name NAME]

One warm-up run, then the median of N (whole milliseconds: the log's resolution)."""

import argparse
import json
import statistics
import subprocess
import sys


def once(binary, path):
    proc = subprocess.run(
        [binary, "evidence", path, "--compact", "-o", "/dev/null", "-v", "--log-format", "json"],
        capture_output=True, text=True, check=False)
    for line in proc.stderr.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        fields = record.get("fields", {})
        if fields.get("message") == "evidence collected":
            return fields["elapsed_ms"] / 1000
    sys.exit(f"bench_inproc.py: no 'evidence collected' line from {binary} (exit {proc.returncode}):\n"
             f"{proc.stderr[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("path")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=float)
    ap.add_argument("--name", default="verdict-junit-inproc")
    args = ap.parse_args()
    once(args.binary, args.path)
    times = [once(args.binary, args.path) for _ in range(args.repeat)]
    print(json.dumps({"peer": args.name, "seconds": statistics.median(times), "runs": times,
                      "scale": args.scale, "source": "verdict's -v log, median of %d" % args.repeat}))


if __name__ == "__main__":
    main()
