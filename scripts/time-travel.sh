#!/usr/bin/env bash
# No time bombs: run the Rust test suites (SQLite and PostgreSQL, not the fuzz targets) with the
# system clock of every test process moved SHIFT ahead (default +4y; libfaketime, installed if
# missing). A test that hard-codes a date the calendar will pass fails here years before it
# would fail for real. Monotonic clocks stay real. The PostgreSQL server keeps its own clock,
# which is fine: the system never asks the database for the time.
#
#   scripts/time-travel.sh [SHIFT]     e.g. +4y, +10y, +400d
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# shellcheck source=lib/faketime.sh
source scripts/lib/faketime.sh
ensure_faketime
lib=$LIBFAKETIME
export BPV_FAKETIME="${1:-+4y}"
echo "time-travel: test processes see $(LD_PRELOAD=$lib FAKETIME=$BPV_FAKETIME date -u +%F) as today"
CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$PWD/scripts/lib/faketime-runner.sh" \
  cargo nextest run --workspace --locked --no-fail-fast --run-ignored all -E 'not binary(fuzz)' \
  --status-level fail --final-status-level fail
