#!/usr/bin/env bash
# Benchmark: upload 50,000 valid bpvo records over HTTP (validation + upsert + per-record answer)
# in batches of 5,000 with 2 concurrent requests, to a release build, on SQLite and on PostgreSQL;
# then re-upload them (all unchanged). The load comes from a compiled client that prints its own
# CPU time (it shares the two cores with the server). Beside it: PostgreSQL COPY of the same rows
# into a bare table, the floor of what any loader can do. Fails (non-zero) unless the first upload
# created every record and the second found every record unchanged. Prints the server's CPU time,
# the CPU per record of the server and of PostgreSQL, and how busy the cores were.
#   scripts/bench-ingest.sh [N] [BATCH] [CONCURRENCY]
# BPV_BENCH_BIN=DIR takes the server (bpv) from DIR instead of building it (to compare two builds
# alternately in the same hour).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# The services refuse the development JWT key on PostgreSQL: a throwaway key for this run.
export BPV__AUTH__JWT_SECRET="${BPV__AUTH__JWT_SECRET:-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}"
source scripts/lib/postgres.sh
source scripts/lib/cpu.sh
source scripts/lib/copy-reference.sh
N=${1:-50000}; BATCH=${2:-5000}; CONC=${3:-2}

if [ -n "${BPV_BENCH_BIN:-}" ]; then
  BPV="$BPV_BENCH_BIN/bpv"
else
  cargo build -q --release --locked -p bpv-cli
  BPV="$CARGO_TARGET_DIR/release/bpv"
fi
cargo build -q --release --locked -p bpv-school-api --example bench_ingest
CLIENT="$CARGO_TARGET_DIR/release/examples/bench_ingest"
ensure_postgres >/dev/null
work=$(mktemp -d /var/tmp/bpv-bench.XXXXXX)
pg_db="bench_ingest_$$"
pg_base=${BPV_TEST_POSTGRES_URL%/*}
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql "$BPV_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

serve() { # DATABASE_URL → sets url and server_pid (not in a subshell, so the pid is ours to kill)
  BPV__SCHOOL_API__LISTEN=127.0.0.1:0 BPV_CONFIG_DIR=/nonexistent RUST_LOG=warn \
    "$BPV" --database-url "$1" demo --bpvos 0 >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    url=$(sed -n 's/^ *school-API *\(http[^ ]*\).*/\1/p' "$work/server.log" | head -n 1)
    [ -n "$url" ] && return 0
    sleep 0.5
  done
  cat "$work/server.log" >&2; return 1
}

# POSTMASTER (0 for none) URL N …: the client's uploads, then the server's CPU time for them
# (steadier than wall-clock time on a machine whose speed moves between runs), and the CPU per
# record of the server and of PostgreSQL, with how busy the cores were: all over the client's
# whole run, its start and its token request included.
client() {
  local master=$1; shift
  local before after; before=$(cpu_ticks "$master" "$server_pid")
  "$CLIENT" "$@"
  after=$(cpu_ticks "$master" "$server_pid")
  python3 - "$before" "$after" "$(getconf CLK_TCK)" "$(nproc)" "$2" "$master" <<'PY'
import sys
before, after = [int(x) for x in sys.argv[1].split()], [int(x) for x in sys.argv[2].split()]
busy, total, pg, server = ((a - b) / float(sys.argv[3]) for a, b in zip(after, before))
records = 2 * int(sys.argv[5])
print(f"  server CPU for both uploads  {server:.2f} s")
per = f"server {1e6 * server / records:.1f} µs" + (f", PostgreSQL {1e6 * pg / records:.1f} µs" if sys.argv[6] != "0" else "")
print(f"  CPU per record, both uploads: {per}; the {sys.argv[4]} cores were {100 * busy / max(total, 1):.0f} % busy")
PY
}

echo "bench-ingest: $N records, batches of $BATCH, $CONC concurrent requests, $(nproc) cores"
echo "SQLite (file, WAL):"
serve "sqlite://$work/bench.sqlite"
client 0 "$url" "$N" "$BATCH" "$CONC" "$work/rows.csv"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

echo "PostgreSQL ($(psql "$BPV_TEST_POSTGRES_URL" -Atc 'show server_version'), local):"
psql "$BPV_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
serve "$pg_base/$pg_db"
client "$(postmaster_pid "$pg_base/$pg_db")" "$url" "$N" "$BATCH" "$CONC"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

copy_reference "$pg_base/$pg_db" "correlatie_id text, aanbiedercode text, leerbedrijf_id text, crebo text,
  leerweg text, startdatum date, geplande_einddatum date, student_email text, studentcode text, student_naam text,
  schoolnaam text, locatiecode text" "$work/rows.csv" "FORMAT csv" "$N" records 28 bench-ingest
