#!/usr/bin/env bash
# Does verdict's memory follow the findings or the size of the files? Runs `verdict run` on the
# benchmark kit's scale-10 set, then on the same set with JUnit added that holds only passing
# tests (hundreds of MB of bytes, not one finding more): once as 100 files of 8,000 tests, once
# as one file of 800,000 (a merged Surefire report of a monorepo). Prints, for each set, the
# bytes read, the findings, the median wall time and the peak RSS (the kit's time_cmd.py).
#
#   scripts/bench_bound.sh [--data DIR] [--bin PATH] [--repeat N]
#
# --data: where scripts/bench.sh keeps the generated sets (default target/bench-data; the
# scale-10 set is generated there when missing, the padded sets beside it); --bin: a verdict
# binary (default: the shipped one, built fresh by scripts/build-dist.sh); --repeat: runs per
# set (3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${VERDICT_BENCH_KIT:-$root/../shared/bench}"
data="$root/target/bench-data" bin="" repeat=3
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_bound.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$kit/gen_fixtures.py" ] || { echo "bench_bound.sh: the benchmark kit is missing at $kit" >&2; exit 2; }
if [ -z "$bin" ]; then
  bin=$(bash "$root/scripts/build-dist.sh")
fi
mkdir -p "$data"
data="$(cd "$data" && pwd)"
base="$data/s10"
[ -f "$base/manifest.json" ] || python3 "$kit/gen_fixtures.py" "$base" --scale 10 >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The scale-10 artifacts (linked, or copied across file systems) plus the padding.
padded() {
  local dir=$1 layout=$2
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/junit"
    for f in "$base"/*.json "$base"/junit/*.xml; do
      case $(basename "$f") in manifest.json|results.jsonl) continue ;; esac
      rel=${f#"$base"/}
      ln "$f" "$dir/$rel" 2>/dev/null || cp "$f" "$dir/$rel"
    done
    python3 - "$dir/junit" "$layout" <<'EOF'
import sys
out, layout = sys.argv[1], sys.argv[2]
body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4
def suite(f, s):
    yield f'<testsuite name="pad.Suite{f}_{s}" tests="800" failures="0" errors="0" skipped="0">\n'
    for t in range(800):
        yield (f'<testcase classname="pad.Suite{f}_{s}" name="passes_{t}_with_a_descriptive_name" '
               f'time="0.01"><system-out>{body}</system-out></testcase>\n')
    yield '</testsuite>\n'
files = [(f"pad-{f:03}.xml", [f]) for f in range(100)] if layout == "many" else [("pad-all.xml", range(100))]
for name, parts in files:
    with open(f"{out}/{name}", "w") as w:
        w.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
        for f in parts:
            for s in range(10):
                w.writelines(suite(f, s))
        w.write('</testsuites>\n')
EOF
    touch "$dir/.complete"
  fi
}
padded "$data/s10-pad-many" many
padded "$data/s10-pad-one" one

echo "| set | artifacts read | findings | verdict run | peak RSS |"
echo "|---|---|---|---|---|"
for set in s10 s10-pad-many s10-pad-one; do
  dir="$data/$set"
  line=$(python3 "$kit/peers/time_cmd.py" --name "$set" --repeat "$repeat" --dir "$dir" \
    --shell "'$bin' run {dir} --publish none --output-dir '$tmp/$set' > /dev/null")
  python3 - "$dir" "$tmp/$set/verdict.json" "$line" "$set" <<'EOF'
import json, os, sys
d, report, line, name = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
size = sum(os.path.getsize(os.path.join(p, f)) for p, _, fs in os.walk(d) for f in fs
           if f not in ("manifest.json", "results.jsonl", ".complete"))
findings = len(json.load(open(report))["findings"])
print(f"| {name} | {size / 1e6:,.0f} MB | {findings:,} | {line['seconds']:.2f} s | "
      f"{line['max_rss_kb'] / 1024:,.0f} MB |")
EOF
done
