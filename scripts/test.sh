#!/usr/bin/env bash
# The test command. Runs every suite: unit, property and doc tests, the store and service tests
# on SQLite and on a real PostgreSQL (found or started by scripts/lib/postgres.sh; the run fails
# if there is none), the mail tests against a real SMTP server (Postfix's smtp-sink, installed if
# missing; required), the mutual-TLS tests with openssl-made certificates and curl (installed if
# missing), the API contract checks (openapi-spec-validator, schemathesis, Spectral with the NL
# GOV API Design Rules, /metrics parsed by Prometheus' client) and the browser tests in headless
# Chromium (all install what they need), the deployment kits (systemd-analyze, the Kubernetes and
# compose checkers, the container image built with buildah and each service started in it), TLS
# to a throwaway PostgreSQL with its own CA, 30 s of fuzzing per parser (scripts/fuzz.sh), and
# the Rust tests again with the clock four years ahead (scripts/time-travel.sh: no test may
# hard-code a date the calendar will pass). Also checks formatting, clippy and the dependency
# tree (cargo-deny). The Rust test summary comes last.
#
#   scripts/test.sh            everything
#   scripts/test.sh -p bpvo    extra arguments go to cargo nextest (e.g. one package)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# shellcheck source=lib/build-deps.sh
source scripts/lib/build-deps.sh
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=lib/smtp.sh
source scripts/lib/smtp.sh
# shellcheck source=lib/tls-tools.sh
source scripts/lib/tls-tools.sh
# shellcheck source=lib/pdf-tools.sh
source scripts/lib/pdf-tools.sh
# shellcheck source=lib/python-tools.sh
source scripts/lib/python-tools.sh
# shellcheck source=lib/faketime.sh
source scripts/lib/faketime.sh
# shellcheck source=lib/cargo-deny.sh
source scripts/lib/cargo-deny.sh

step() { printf '\n==> %s\n' "$*"; }

step "build dependencies (libpq with TLS)"
ensure_build_deps

step "PostgreSQL"
ensure_postgres

step "SMTP server (smtp-sink) for the mail tests"
ensure_smtp_sink

step "openssl and curl for the mutual-TLS tests"
ensure_tls_tools

step "pdftotext for the praktijkverklaring PDF test"
ensure_pdf_tools

step "Python checkers (openpyxl reads the xlsx exports; schemathesis)"
ensure_python_tools

step "libfaketime (a cron run at 00:30 Amsterdam time on a UTC host; the clock four years ahead)"
ensure_faketime

if [ $# -eq 0 ]; then
  step "format and lints"
  cargo fmt --all --check
  python3 scripts/import-cycles.py
  python3 scripts/check-config-docs.py
  cargo clippy --workspace --all-targets --locked -- -D warnings
  step "supply chain: cargo-deny (licences, bans, sources; deny.toml)"
  ensure_cargo_deny
  # cargo-deny reads the metadata of every crate in Cargo.lock, also those only other platforms
  # build (android_system_properties …): a fresh machine has not downloaded them, so fetch first.
  cargo fetch --locked --quiet
  # Advisories need the RustSec database from GitHub, unreachable on the test machines.
  cargo deny --log-level error --offline --locked check licenses bans sources
fi

if [ $# -eq 0 ]; then
  step "doc tests"
  cargo test --workspace --locked --doc
fi

if [ $# -eq 0 ]; then
  step "API contract: OpenAPI validation and schemathesis against the live server"
  bash scripts/api-contract.sh
  step "browser tests (headless Chromium)"
  bash scripts/browser-tests.sh
  step "deployment kit: systemd units and timers (systemd-analyze verify)"
  bash scripts/check-systemd.sh
  step "deployment kit: Kubernetes manifests"
  "$BPV_VENV/bin/python" scripts/check-kubernetes.py
  step "deployment kit: compose.yaml"
  "$BPV_VENV/bin/python" scripts/check-compose.py
  step "deployment kit: the container image (hadolint, buildah build, each service started in it)"
  bash scripts/check-image.sh
  step "TLS to PostgreSQL: verify-full against a throwaway cluster with its own CA"
  bash scripts/check-postgres-tls.sh
  step "fuzzing: 30 s per target"
  bash scripts/fuzz.sh 30
  step "no time bombs: the tests again, with the clock four years ahead"
  bash scripts/time-travel.sh +4y
fi

step "tests (SQLite and PostgreSQL)"
# Tests that need PostgreSQL or smtp-sink are #[ignore]d with that reason, so plain `cargo test`
# lists them as ignored rather than passing them quietly; here the servers exist, so run them all
# (a test that then cannot reach its server fails).
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast --run-ignored all "$@"
else
  cargo test --workspace --locked --no-fail-fast "$@" -- --include-ignored
fi
