#!/usr/bin/env bash
# Fuzz the parsers of everything outsiders send — the CSV and Excel upload readers, the JSON batch parser,
# the survey's answer form and the questionnaire loader (services/bpv/tests/fuzz.rs) — for
# SECONDS per target (default 30; scripts/test.sh uses 30, a longer local run e.g. 600). Two
# targets run at a time. Each prints how many inputs it tried and how many were accepted, and
# fails with a shrunk example on a panic or a broken invariant.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
seconds="${1:-30}"
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
set +e
BPV_FUZZ_SECONDS="$seconds" cargo nextest run --workspace --locked --no-fail-fast \
  -E 'package(bpv-cli) and binary(fuzz)' --test-threads 2 --success-output final --status-level pass \
  2>&1 | awk '/fuzz [a-z]+: |Summary|FAIL|error/ { print } /panicked/ { n = 4 } n > 0 { print; n-- }'
status=("${PIPESTATUS[@]}")
set -e
# awk only trims the output (a failure keeps its message and shrunk input); the verdict is nextest's.
exit "${status[0]}"
