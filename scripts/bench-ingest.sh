#!/usr/bin/env bash
# Benchmark: upload 50,000 valid bpvo records over HTTP (validation + upsert + per-record answer)
# in batches of 5,000 with 2 concurrent requests, to a release build, on SQLite and on PostgreSQL;
# then re-upload them (all unchanged). The load comes from a compiled client that prints its own
# CPU time (it shares the two cores with the server). Beside it: PostgreSQL COPY of the same rows
# into a bare table, the floor of what any loader can do. Fails (non-zero) unless the first upload
# created every record and the second found every record unchanged.
#   scripts/bench-ingest.sh [N] [BATCH] [CONCURRENCY]
# BPV_BENCH_BIN=DIR takes the server (bpv) from DIR instead of building it (to compare two builds
# alternately in the same hour).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# The services refuse the development JWT key on PostgreSQL: a throwaway key for this run.
export BPV__AUTH__JWT_SECRET="${BPV__AUTH__JWT_SECRET:-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}"
source scripts/lib/postgres.sh
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

# CPU seconds (user + system) the server process has used so far: steadier than wall-clock time
# on a machine whose speed moves between runs.
server_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }
client() { # the client's uploads, then the server's CPU time for them
  local before; before=$(server_cpu)
  "$CLIENT" "$@"
  python3 -c "import sys; print(f'  server CPU for both uploads  {float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$before" "$(server_cpu)"
}

echo "bench-ingest: $N records, batches of $BATCH, $CONC concurrent requests, $(nproc) cores"
echo "SQLite (file, WAL):"
serve "sqlite://$work/bench.sqlite"
client "$url" "$N" "$BATCH" "$CONC" "$work/rows.csv"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

echo "PostgreSQL ($(psql "$BPV_TEST_POSTGRES_URL" -Atc 'show server_version'), local):"
psql "$BPV_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
serve "$pg_base/$pg_db"
client "$url" "$N" "$BATCH" "$CONC"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

psql "$pg_base/$pg_db" -qc "CREATE TABLE bench_copy (correlatie_id text, aanbiedercode text, leerbedrijf_id text,
  crebo text, leerweg text, startdatum date, geplande_einddatum date, student_email text, studentcode text,
  student_naam text, schoolnaam text, locatiecode text)" >/dev/null
start=$(date +%s.%N)
psql "$pg_base/$pg_db" -qc "\\copy bench_copy FROM '$work/rows.csv' WITH (FORMAT csv)" >/dev/null
end=$(date +%s.%N)
copied=$(psql "$pg_base/$pg_db" -tAc "SELECT count(*) FROM bench_copy")
[ "$copied" = "$N" ] || { echo "bench-ingest: COPY loaded $copied rows, expected $N" >&2; exit 1; }
python3 -c "import sys; n,t=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'  {\"COPY into a bare table\":<28} {n} records in {t:6.2f} s = {n/t:9,.0f} records/s (reference)')" "$N" "$start" "$end"
