#!/usr/bin/env bash
# Builds the binary verdict ships, and prints its path: profile `dist` (release with fat LTO),
# glibc linked statically, optimized with the committed profile pgo/verdict.profdata.
#
#   scripts/build-dist.sh                          # the image's binary (.ci/run, the benchmarks)
#   scripts/build-dist.sh --profile-generate DIR   # the same build, instrumented: each run
#                                                  # writes a raw profile into DIR (scripts/pgo.sh)
#
# The Dockerfile's `build` stage builds the same way. RUSTFLAGS is set here, not taken from the
# environment: a profile only applies to a build whose code, profile and target are those it was
# taken on (rustc flags outside these do not change a function's identity). The instrumented build
# goes to target/pgo-generate so that it never replaces the shipped one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
triple=x86_64-unknown-linux-gnu
flags="-C target-feature=+crt-static"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "${1:-}" in
  --profile-generate)
    [ -n "${2:-}" ] || { echo "build-dist.sh: --profile-generate needs a folder" >&2; exit 2; }
    mkdir -p "$2"
    flags="$flags -C profile-generate=$(cd "$2" && pwd)"
    target_dir="$root/target/pgo-generate"
    ;;
  "")
    profile="$root/pgo/verdict.profdata"
    [ -f "$profile" ] || { echo "build-dist.sh: $profile is missing (scripts/pgo.sh makes it)" >&2; exit 2; }
    flags="$flags -C profile-use=$profile"
    # Symbols carry a hash of the rustc that built them: another rustc matches none of the
    # profile's functions and builds as if there were none (correct, without the gain).
    taken=$(cat "$root/pgo/rustc.txt" 2>/dev/null || echo unknown)
    now=$(cd "$root" && rustc --version)
    if [ "$taken" != "$now" ]; then
      echo "build-dist.sh: warning: pgo/verdict.profdata was taken with $taken, this is $now;" \
        "the build gets none of its gain until scripts/pgo.sh retakes it" >&2
    fi
    ;;
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build-dist.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
(cd "$root" && RUSTFLAGS="$flags" CARGO_TARGET_DIR="$target_dir" \
  cargo build --locked --quiet --profile dist --target "$triple" >&2)
echo "$target_dir/$triple/dist/verdict"
