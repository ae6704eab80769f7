#!/bin/sh
# Gathers what the image's final stage copies: the static binary, a static busybox as the
# shell (GitLab CI job images need `sh` for `script:`), the CA bundle, and passwd/group naming
# the non-root user 65532. Used by the Dockerfile's `build` stage and by .ci/run, which builds
# the same Dockerfile with podman from a host-built binary (--build-context build=DIR).
#
#   sh docker/rootfs.sh OUT_DIR STATIC_BINARY
set -eu
out="$1"
bin="$2"
mkdir -p "$out"
# A dynamically linked binary would not start in an empty image: refuse it here, not there.
if readelf -l "$bin" | grep -q 'program interpreter'; then
  echo "rootfs.sh: $bin is dynamically linked; build it with RUSTFLAGS='-C target-feature=+crt-static'" >&2
  exit 1
fi
cp "$bin" "$out/verdict"
strip "$out/verdict" 2>/dev/null || true
cp /bin/busybox "$out/sh"
cp /etc/ssl/certs/ca-certificates.crt "$out/ca-certificates.crt"
printf 'root:x:0:0:root:/:/bin/sh\nverdict:x:65532:65532:verdict:/work:/bin/sh\n' > "$out/passwd"
printf 'root:x:0:\nverdict:x:65532:\n' > "$out/group"
