#!/usr/bin/env bash
# Benchmark: SBB's registration feed (`bpv admin import-registraties`) into a fresh PostgreSQL
# database, the initial load of a new installation: N registrations, all new, then the same file
# again (all known). Beside it, PostgreSQL `COPY` of the same rows into a bare table, the floor of
# what any loader can do. Fails (non-zero) unless the first import added every registration and
# the second found every one known, and the database holds exactly N bpvo's.
#   scripts/bench-registraties.sh [N]
# BPV_BENCH_BIN=DIR takes bpv from DIR instead of building it (to compare two builds alternately
# in the same hour).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
source scripts/lib/postgres.sh
source scripts/lib/copy-reference.sh
N=${1:-100000}

BIN=${BPV_BENCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build -q --release --locked -p bpv-cli
  BIN="$CARGO_TARGET_DIR/release"
fi
ensure_postgres >/dev/null
work=$(mktemp -d /var/tmp/bpv-bench.XXXXXX)
db="bench_registraties_$$"
base=${BPV_TEST_POSTGRES_URL%/*}
cleanup() {
  psql "$BPV_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$BPV_TEST_POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
export BPV_CONFIG_DIR=/nonexistent BPV__MAIL__FILE_DIR="$work/outbox"
url="$base/$db"
# Schema and reference data only (the demo's instellingen and aanbieders), no bpvo's.
"$BIN/bpv" --database-url "$url" demo --bpvos 0 --no-serve >/dev/null

python3 - "$N" > "$work/registraties.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("Aanbiedercode;Correlatie_id;Leerbedrijf_code;Crebo_code;Leerweg_naam;Startdatum;Geplande_einddatum;Praktijkopleider_naam;Praktijkopleider_emailadres")
for i in range(n):
    print(f"251A{100 if i % 2 == 0 else 200};FEED-{i:07d};{100000000 + i};25604;BOL;2025-09-01;2027-01-{1 + i % 28:02d};Opleider {i};opleider{i}@leerbedrijf{i % 997}.example.nl")
PY

# LABEL EXPECTED: one import, timed; fails unless its summary line is EXPECTED.
feed() {
  local label=$1 expected=$2 start end out
  start=$(date +%s.%N)
  out=$("$BIN/bpv" --database-url "$url" admin import-registraties "$work/registraties.csv" | tail -n 1)
  end=$(date +%s.%N)
  [ "$out" = "$expected" ] || { echo "bench-registraties: $label: \"$out\", expected \"$expected\"" >&2; exit 1; }
  python3 -c "import sys; n,t=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'  {sys.argv[4]:<32} {n} registrations in {t:6.2f} s = {n/t:9,.0f} registrations/s')" \
    "$N" "$start" "$end" "$label"
}

echo "bench-registraties: $N registrations into a fresh database, PostgreSQL ($(psql "$url" -Atc 'show server_version')), $(nproc) cores"
feed "first feed (all new)" "$N registraties gelezen: $N nieuwe bpvo's, 0 aangevuld"
feed "the same feed again (all known)" "$N registraties gelezen: 0 nieuwe bpvo's, $N aangevuld"
stored=$(psql "$url" -Atc "SELECT count(*) FROM bpvos")
[ "$stored" = "$N" ] || { echo "bench-registraties: $stored bpvo's stored, expected $N" >&2; exit 1; }

copy_reference "$url" "aanbiedercode text, correlatie_id text, leerbedrijf_id text, crebo text, leerweg text,
  startdatum date, geplande_einddatum date, praktijkopleider_naam text, praktijkopleider_email text" \
  "$work/registraties.csv" "FORMAT csv, HEADER, DELIMITER ';'" "$N" rows 32 bench-registraties
