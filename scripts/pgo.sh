#!/usr/bin/env bash
# Regenerates pgo/verdict.profdata, the profile the shipped binary is optimized with
# (scripts/build-dist.sh, the Dockerfile).
#
#   scripts/pgo.sh
#
# Profile-guided optimization: an instrumented build of the shipped binary runs a training
# workload and counts how often each branch and call is taken; the real build then lays out hot
# code together, inlines by those counts and keeps cold paths (errors, rare formats) out of the
# way. It changes no behaviour, only speed (docs/performance.md has the figures).
#
# The profile keeps every function, run or not (no --sparse): a function the training never
# entered is recorded with zero counts, so LLVM treats it as cold and optimizes it for size
# (publishing, signatures, most of TLS). With a sparse profile those functions carry no data,
# are optimized for speed as before, and the hot ones grow with inlining: the binary was 4.3 MB
# larger than without PGO; with the whole profile it is 4.8 MB smaller. The file is ~14 MB
# (3.5 MB compressed, as git stores it).
#
# Run it after changing hot code (the parsers, the built-in pack, the report writers): a
# function whose code changed since the profile was taken is compiled as if there were no
# profile (at most with a compiler warning), so a stale profile slowly stops helping but never
# breaks a build.
#
# The training workload is not what the benchmarks time: ../shared/bench's generator at scale 5
# with another seed, `verdict run` (every report file) and `verdict evidence` on it, the demo,
# the built-in pack's tests, and `verdict evidence` over the real tools' outputs of
# ../shared/corpus (errors included: the refusals are trained too, though they stay cold).
#
# Needs llvm-profdata from LLVM 19 or later (it must read the raw profiles of rustc's LLVM; the
# indexed profile it writes is read by every later LLVM). Debian's llvm-19 is installed when no
# suitable one is found.
set -euo pipefail

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "pgo.sh: unknown argument $1 (it takes none; see --help)" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${VERDICT_BENCH_KIT:-$root/../shared/bench}"
corpus="${VERDICT_CORPUS:-$root/../shared/corpus}"
[ -f "$kit/gen_fixtures.py" ] || { echo "pgo.sh: the benchmark kit is missing at $kit" >&2; exit 2; }
[ -f "$corpus/README.md" ] || { echo "pgo.sh: the corpus is missing at $corpus" >&2; exit 2; }

profdata=""
for candidate in llvm-profdata-{22,21,20,19} /usr/lib/llvm-{22,21,20,19}/bin/llvm-profdata; do
  if command -v "$candidate" >/dev/null; then profdata=$(command -v "$candidate"); break; fi
done
if [ -z "$profdata" ]; then
  echo "[pgo] installing llvm-19 for llvm-profdata" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq llvm-19 >/dev/null
  profdata=/usr/lib/llvm-19/bin/llvm-profdata
fi

work="$root/target/pgo-train"
rm -rf "$work"
mkdir -p "$work/raw"
echo "[pgo] building the instrumented binary (profile dist; ~15 minutes from clean)" >&2
bin=$(bash "$root/scripts/build-dist.sh" --profile-generate "$work/raw")

echo "[pgo] training" >&2
# One raw profile per process (the default name merges every run into one file as it goes).
export LLVM_PROFILE_FILE="$work/raw/%p-%m.profraw"
python3 "$kit/gen_fixtures.py" "$work/set" --scale 5 --seed 1 >/dev/null
run() { "$@" >/dev/null 2>&1 || true; }  # a FAIL verdict (1) or a refused input (2) is expected
# The main workload must really run: the set fails the gate (exit 1), anything else is a broken
# training that would leave the profile empty of what matters.
for _ in 1 2; do
  status=0
  "$bin" run "$work/set" --publish none --output-dir "$work/reports" >/dev/null 2>&1 || status=$?
  [ "$status" -eq 1 ] || { echo "pgo.sh: the training run exited $status, expected 1 (FAIL)" >&2; exit 3; }
done
run "$bin" evidence "$work/set" --compact -o /dev/null
run "$bin" run "$root/fixtures/demo" --publish none --output-dir "$work/reports"
run "$bin" policy test --builtin
for dir in junit trivy checkov sbom; do
  run "$bin" evidence "$corpus/$dir" --compact -o /dev/null
done

raws=$(find "$work/raw" -name '*.profraw' | wc -l)
[ "$raws" -ge 8 ] || { echo "pgo.sh: only $raws raw profiles were written to $work/raw" >&2; exit 3; }
echo "[pgo] merging $raws raw profiles with $profdata" >&2
"$profdata" merge -o "$root/pgo/verdict.profdata" "$work/raw"
(cd "$root" && rustc --version) > "$root/pgo/rustc.txt"
ls -l "$root/pgo/verdict.profdata" >&2
