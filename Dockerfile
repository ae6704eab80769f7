# syntax=docker/dockerfile:1
#
# verdict's image: one static binary on an empty base.
#
#   docker build -t verdict .
#   docker run --rm -v "$PWD:/work:ro" verdict            # = verdict run, on the artifacts in $PWD
#
# Stage `build` compiles a fully static binary (profile `dist`: release with fat LTO, optimized
# with the committed profile pgo/verdict.profdata, as scripts/build-dist.sh does; glibc statically
# linked: no libc, no loader, no shared libraries needed at run time) and gathers what the final
# stage copies into /out. The final stage is FROM scratch: the binary, CA certificates (for
# registries, GitHub and GitLab over TLS), a passwd/group naming the non-root user 65532, and a
# static busybox as /bin/sh, because a GitLab CI job image needs a shell to run `script:`
# (nothing else in the image uses it).
#
# Testing without pulling anything (.ci/run, SANDBOX.md): `podman build --build-context
# build=DIR` makes every `COPY --from=build` read DIR instead of running this stage, so the same
# Dockerfile is tested with a binary built on the host; DIR/out holds exactly what this stage
# leaves in /out.

ARG RUST_VERSION=1.95

FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV CARGO_TARGET=x86_64-unknown-linux-gnu \
    RUSTFLAGS="-C target-feature=+crt-static -C profile-use=/src/pgo/verdict.profdata"
# Dependencies in their own layer: the manifest with stub sources builds every dependency, and is
# only rebuilt when Cargo.toml, Cargo.lock or the profile change. Cargo.toml declares the
# benchmark `pipeline`, whose file must exist for cargo to read the manifest at all: a stub
# stands in for it (the image never builds it), and stays for the second build.
COPY Cargo.toml Cargo.lock ./
COPY pgo/verdict.profdata ./pgo/
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && echo 'fn main() {}' > benches/pipeline.rs \
 && cargo build --locked --profile dist --target "$CARGO_TARGET" \
 && rm -rf src
# The sources (the policy pack and the CycloneDX schemas are embedded at compile time).
COPY src ./src
COPY policies ./policies
COPY schemas ./schemas
COPY docker/rootfs.sh ./docker/rootfs.sh
RUN touch src/main.rs src/lib.rs \
 && cargo build --locked --profile dist --target "$CARGO_TARGET" \
 && sh docker/rootfs.sh /out "target/$CARGO_TARGET/dist/verdict"

FROM scratch
ARG VERSION=0.1.0
# The commit and the build time, when the release job gives them (`--build-arg
# REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)`).
ARG REVISION=""
ARG CREATED=""
# The image holds verdict (Apache-2.0, its crates under permissive licenses), glibc linked
# statically into it (LGPL-2.1-or-later) and busybox as /bin/sh (GPL-2.0-only).
LABEL org.opencontainers.image.title="verdict" \
      org.opencontainers.image.description="The last step of every pipeline: reads CI artifacts (JUnit, Trivy, Checkov, CycloneDX, SPDX), verifies signatures, decides with Rego policy, and posts one verdict" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0 AND LGPL-2.1-or-later AND GPL-2.0-only" \
      org.opencontainers.image.source="https://github.com/verdict-ci/verdict" \
      org.opencontainers.image.documentation="https://github.com/verdict-ci/verdict/blob/main/docs/docker.md" \
      org.opencontainers.image.vendor="verdict"
COPY --from=build /out/verdict /verdict
COPY --from=build /out/sh /bin/sh
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
ENV PATH=/:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/verdict"]
CMD ["run"]
