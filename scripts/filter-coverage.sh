#!/usr/bin/env bash
# Measure which filters answer: the share of a calendar year's answers the results count per
# single filter (leerweg, sector, the ten largest crebo's, every locatie of the largest school,
# every aanbieder), nationally and for the largest school, per group, for both merge orders
# (`reporting.voorkeur`). Two data sets: `bpv demo` with 100,000 bpvo's (SQLite) and the
# reporting benchmark's 1,000,000 answers (generated in memory). Also prints the cost of one
# evaluation of the benchmark's selection mix. Exits non-zero if a data set has no answers.
#   scripts/filter-coverage.sh [BPVOS] [ANSWERS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
BPVOS=${1:-100000}; ANSWERS=${2:-1000000}
cargo build -q --release --locked -p bpv-cli -p bpv-reporting-api --bins --example filterdekking
BIN="$CARGO_TARGET_DIR/release"
work=$(mktemp -d /var/tmp/bpv-filter-coverage.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "filter-coverage: $(nproc) cores"
echo "== bpv demo --bpvos $BPVOS (SQLite) =="
BPV_CONFIG_DIR=/nonexistent "$BIN/bpv" --database-url "sqlite://$work/demo.sqlite" demo --reset --bpvos "$BPVOS" \
  --no-mail --no-serve >/dev/null
"$BIN/examples/filterdekking" db "sqlite://$work/demo.sqlite"
echo
echo "== the reporting benchmark's data set, $ANSWERS answers =="
"$BIN/examples/filterdekking" bench "$ANSWERS"
