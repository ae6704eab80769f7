#!/usr/bin/env bash
# Whole-process benchmark: verdict beside the peers of ../shared/bench, at several scales.
#
#   scripts/bench.sh [--scales "1 10 100"] [--repeat N] [--data DIR] [--bin PATH] [--no-micro]
#
# For each scale: generates the artifact set (../shared/bench/gen_fixtures.py, deterministic)
# in DIR/sN unless it is there; checks that verdict's counts and findings equal the set's
# ground truth (scripts/bench_check.py: correct first); runs every peer with run_all.sh (read
# floor, etree/lxml, json.load, junitparser, real OPA) and, in the same run, times verdict's
# processes the same way (time_cmd.py: one warm-up, median of N, peak RSS):
#   verdict-run       verdict run DIR --publish none --output-dir TMP  (every artifact, the
#                     built-in pack, every report file)
#   verdict-junit     verdict evidence DIR/junit                        (JUnit ingest)
#   verdict-json      verdict evidence trivy.json checkov.json sbom.cdx.json
#   verdict-version   verdict --version
#   verdict-junit-inproc  the JUnit ingest inside that process, from its own -v log
# and, unless --no-micro, the in-process micro-benchmarks, timed as the peers time themselves
# (warm, inside the process): ingest/junit and ingest/json (what `verdict evidence` does before
# it writes its document; it never frees the records, so neither do the timings) against
# junitparser and json.load, and policy/gate_rego (the peers'
# own policy and input in regorus) against OPA's eval_s. Then prints the tables of
# docs/performance.md (scripts/bench_report.py), also written to DIR/report.md.
#
# Defaults: scales "1 10 100", --repeat 5 (3 at scale 100), --data target/bench-data,
# --bin: the shipped binary, built fresh by scripts/build-dist.sh (profile dist, PGO). Scale 100
# needs ~3 GB of disk and RAM for the peers and about 15 minutes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${VERDICT_BENCH_KIT:-$root/../shared/bench}"
scales="1 10 100" repeat="" data="$root/target/bench-data" bin="" micro=1
while [ $# -gt 0 ]; do
  case $1 in
    --scales) scales=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --no-micro) micro=0; shift ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$kit/gen_fixtures.py" ] || { echo "bench.sh: the benchmark kit is missing at $kit" >&2; exit 2; }
if [ -z "$bin" ]; then
  bin=$(bash "$root/scripts/build-dist.sh")
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

results=()
for scale in $scales; do
  dir="$data/s$scale"
  rep=${repeat:-$([ "$scale" = 100 ] && echo 3 || echo 5)}
  if [ ! -f "$dir/manifest.json" ]; then
    echo "[bench] generating scale $scale into $dir" >&2
    python3 "$kit/gen_fixtures.py" "$dir" --scale "$scale" >&2
  fi
  echo "[bench] scale $scale: checking verdict against the ground truth" >&2
  python3 "$root/scripts/bench_check.py" "$bin" "$dir" >&2
  out="$dir/results.jsonl"
  # run_all.sh exits non-zero when a peer disagrees with the ground truth: that stops here.
  bash "$kit/peers/run_all.sh" "$dir" --scale "$scale" --repeat "$rep" --out "$out" \
    --candidate "'$bin' run {dir} --publish none --output-dir '$tmp/reports' > /dev/null"
  t() { python3 "$kit/peers/time_cmd.py" --repeat "$rep" --dir "$dir" --name "$1" --shell "$2" | tee -a "$out" >&2; }
  t verdict-junit "'$bin' evidence {dir}/junit --compact -o /dev/null"
  t verdict-json "'$bin' evidence {dir}/trivy.json {dir}/checkov.json {dir}/sbom.cdx.json --compact -o /dev/null"
  t verdict-version "'$bin' --version > /dev/null"
  # The same ingest inside the shipped binary, as its own log times it: `verdict evidence -v`
  # logs how long discovery, reading, hashing, parsing and merging took, before the document is
  # written (the scope of ingest/junit, which cargo bench builds without the PGO profile).
  python3 "$root/scripts/bench_inproc.py" "$bin" "$dir/junit" --repeat "$rep" --scale "$scale" \
    --name verdict-junit-inproc | tee -a "$out" >&2
  if [ "$micro" = 1 ]; then
    echo "[bench] scale $scale: in-process micro-benchmarks (ingest; regorus on the peers' policy and input)" >&2
    (cd "$root" && VERDICT_BENCH_SCALE=$scale VERDICT_BENCH_DATA="$data" \
      cargo bench --locked --bench pipeline -- --noplot 'policy/gate_rego|ingest/' >&2)
    for bench in policy/gate_rego_eval policy/gate_rego_with_input ingest/junit ingest/json; do
      est="$root/target/criterion/$bench/new/estimates.json"
      python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); name=sys.argv[2].replace("policy/", "").replace("/", "-").replace("_", "-"); print(json.dumps({"peer": "verdict-" + name, "seconds": e["median"]["point_estimate"] / 1e9, "scale": float(sys.argv[3]), "source": "criterion median"}))' \
        "$est" "$bench" "$scale" | tee -a "$out" >&2
    done
  fi
  results+=("$out")
done

python3 "$root/scripts/bench_report.py" --machine "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "${results[@]}" | tee "$data/report.md"
