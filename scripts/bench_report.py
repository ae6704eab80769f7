#!/usr/bin/env python3
"""The tables of docs/performance.md from scripts/bench.sh's results (one results.jsonl per
scale, each holding the peers' lines and verdict's, measured in the same run).

    python3 scripts/bench_report.py [--machine TEXT] RESULTS.jsonl [...]

Ratios are peer seconds / verdict seconds (above 1: verdict is that many times faster), as
../shared/bench/README.md asks; "x floor" is verdict seconds / the `cat` floor.
"""
import argparse
import datetime
import json
import os


def load(path):
    rows = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                r = json.loads(line)
                rows[r["peer"]] = r
    return rows


def find(rows, prefix):
    return next((r for name, r in rows.items() if name.startswith(prefix)), None)


def mb(r):
    kb = (r or {}).get("max_rss_kb")
    return f"{kb / 1024:.0f} MB" if kb else "-"


def secs(x):
    return "-" if x is None else (f"{x * 1000:.1f} ms" if x < 0.1 else f"{x:.2f} s")


def ratio(peer, ours):
    return "-" if not peer or not ours else f"{peer / ours:.1f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", default="")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    print(f"Measured {datetime.date.today().isoformat()} on {args.machine or 'this machine'}; "
          "seconds are medians of the timed runs after one warm-up, page cache warm.\n")
    curve = []
    for path in args.results:
        rows = load(path)
        scale = next((r.get("scale") for r in rows.values() if r.get("scale") is not None), "?")
        run = rows.get("candidate")
        floor = find(rows, "floor: cat")
        opa = find(rows, "opa-golib")
        junitparser = find(rows, "junitparser")
        lxml = find(rows, "lxml")
        jsonload = find(rows, "json.load")
        vj, vjson = rows.get("verdict-junit"), rows.get("verdict-json")
        ver = rows.get("verdict-version")
        gate_eval, gate_in = rows.get("verdict-gate-rego-eval"), rows.get("verdict-gate-rego-with-input")
        in_junit, in_json = rows.get("verdict-ingest-junit"), rows.get("verdict-ingest-json")
        shipped_junit = rows.get("verdict-junit-inproc")
        s = lambda r: (r or {}).get("seconds")
        print(f"### Scale {scale:g}\n" if isinstance(scale, float) else f"### Scale {scale}\n")
        print("| what | verdict | peer | peer's time | ratio | verdict RSS | peer RSS |")
        print("|---|---|---|---|---|---|---|")
        print(f"| whole run: every artifact, built-in pack, all reports | {secs(s(run))} | OPA end-to-end (normalize.py + OPA) | {secs(s(opa))} | {ratio(s(opa), s(run))} | {mb(run)} | {mb(opa)} |")
        print(f"| whole run against the read floor | {secs(s(run))} | `cat` of every artifact | {secs(s(floor))} | verdict = {s(run) / s(floor):.1f}x the floor | | |" if run and floor else "| read floor | - | - | - | - | | |")
        if in_junit:
            print(f"| JUnit ingest, in-process as the peer times itself (`ingest/junit`) | {secs(s(in_junit))} | junitparser | {secs(s(junitparser))} | {ratio(s(junitparser), s(in_junit))} | | |")
        if shipped_junit:
            print(f"| JUnit ingest, in-process, the shipped binary's own log (`verdict evidence junit/ -v`) | {secs(s(shipped_junit))} | junitparser | {secs(s(junitparser))} | {ratio(s(junitparser), s(shipped_junit))} | | |")
        print(f"| JUnit ingest, whole process writing the evidence (`verdict evidence junit/`) | {secs(s(vj))} | junitparser | {secs(s(junitparser))} | {ratio(s(junitparser), s(vj))} | {mb(vj)} | {mb(junitparser)} |")
        print(f"| JUnit ingest, whole process | {secs(s(vj))} | lxml iterparse, counting only | {secs(s(lxml))} | {ratio(s(lxml), s(vj))} | {mb(vj)} | {mb(lxml)} |")
        if in_json:
            print(f"| JSON ingest (Trivy, Checkov, SBOM), in-process (`ingest/json`) | {secs(s(in_json))} | `json.load` + counting | {secs(s(jsonload))} | {ratio(s(jsonload), s(in_json))} | | |")
        print(f"| JSON ingest, whole process writing the evidence | {secs(s(vjson))} | `json.load` + counting | {secs(s(jsonload))} | {ratio(s(jsonload), s(vjson))} | {mb(vjson)} | {mb(jsonload)} |")
        if opa:
            print(f"| policy evaluation: the peers' gate.rego on the peers' input, regorus | {secs(s(gate_in))} (eval alone {secs(s(gate_eval))}) | OPA `eval_s` (input hand-over included) | {secs(opa.get('eval_s'))} | {ratio(opa.get('eval_s'), s(gate_in))} ({ratio(opa.get('eval_s'), s(gate_eval))} eval alone) | | |")
        print(f"| `verdict --version` | {secs(s(ver))} | | | | {mb(ver)} | |")
        print()
        manifest = os.path.join(os.path.dirname(os.path.abspath(path)), "manifest.json")
        size = None
        if os.path.exists(manifest):
            with open(manifest, encoding="utf-8") as fh:
                size = sum(f["bytes"] for f in json.load(fh)["files"]) / 1e6
        curve.append((scale, s(run), (run or {}).get("max_rss_kb"), size))
    if len(curve) > 1:
        print("### Cost curve of the whole run\n")
        print("| scale | artifacts read | verdict run | per 10 MB | peak RSS |")
        print("|---|---|---|---|---|")
        for scale, t, rss, size in curve:
            per = f"{t / size * 10:.3f} s" if t and size else "-"
            shown = f"{size:.0f} MB" if size else "-"
            print(f"| {scale:g} | {shown} | {secs(t)} | {per} | {rss / 1024:.0f} MB |" if rss else f"| {scale} | {shown} | {secs(t)} | - | - |")


if __name__ == "__main__":
    main()
