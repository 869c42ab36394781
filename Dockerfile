# syntax=docker/dockerfile:1
# One image for every role: bpv-school-api, bpv-survey, bpv-reporting-api, bpv-dispatcher and the
# bpv CLI (migrations, administration). The command picks the role, e.g.
#   docker run --rm -p 8080:8080 -e BPV__SCHOOL_API__LISTEN=0.0.0.0:8080 … bpv-monitor bpv-school-api
# Build: docker build -t bpv-monitor:0.1.0 .
# Build arguments: RUST_IMAGE (the compiler stage), BASE_IMAGE (the runtime, a Debian bookworm
# with apt), BINARIES (where the binaries come from: the `build` stage, or an image holding
# prebuilt, stripped binaries under /out — what scripts/check-image.sh uses where no Rust image
# can be pulled).
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
ARG BINARIES=build

FROM ${RUST_IMAGE} AS build
# libpq with TLS (sslmode=verify-full), found through pkg-config. Debian packages are not pinned
# (DL3008): a rebuild must take bookworm's security updates; pin the base images by digest instead.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bins \
      -p bpv-cli -p bpv-dispatcher -p bpv-school-api -p bpv-survey -p bpv-reporting-api \
 && mkdir /out \
 && cp target/release/bpv target/release/bpv-dispatcher target/release/bpv-school-api \
       target/release/bpv-survey target/release/bpv-reporting-api /out/ \
 && strip /out/*

FROM ${BINARIES} AS binaries

FROM ${BASE_IMAGE} AS runtime
# libpq5 (PostgreSQL client, with OpenSSL) and the CA bundle; nothing else. Unpinned as above.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bpv \
 && useradd --system --uid 10001 --gid bpv --home-dir /var/lib/bpv --create-home --shell /usr/sbin/nologin bpv
COPY --from=binaries /out/ /usr/local/bin/
COPY config/ /etc/bpv/config/
ENV BPV_CONFIG_DIR=/etc/bpv/config \
    BPV_LOG_FORMAT=json \
    BPV__SCHOOL_API__LISTEN=0.0.0.0:8080 \
    BPV__SURVEY__LISTEN=0.0.0.0:8081 \
    BPV__REPORTING_API__LISTEN=0.0.0.0:8082
WORKDIR /var/lib/bpv
USER 10001:10001
EXPOSE 8080 8081 8082
CMD ["bpv", "--help"]
