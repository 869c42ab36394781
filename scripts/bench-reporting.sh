#!/usr/bin/env bash
# Benchmark: the results API over 1,000,000 answers on PostgreSQL (~60 instellingen, 400 crebos,
# 36 months, both groups). Prints, each labelled:
#   * the index's first load (time; the server's resident memory after the HTTP runs);
#   * one evaluation with the cache off (in process): what a request for a distinct selection
#     computes, the selection and its national side; the cold five-year trend and response table;
#     the time to absorb 10,000 new answers;
#   * GET /v1/resultaten against a release build, COLD: selections that are each distinct and
#     whose national sides are distinct too, each asked once (80 % one instelling, 20 % national,
#     random periods, some with leerweg, crebo or sector), at CONNECTIONS and at one connection;
#     then WARM: a mix of 2,000 selections asked again and again for SECONDS (repeats allowed);
#   * GET /v1/datakwaliteit over a year of bpvo's (cold and cached);
#   * the reference from the same run: the fair plain-SQL design (answers pre-aggregated per
#     month, group, unit keys, item and value, with national roll-ups and fitting indexes) for the
#     same cold selections, after checking on a sample that it gives the API's own counts.
# Fails when a request errs, when the SQL counts differ from the API's, or when the national
# response splits in numbers differ from the walk over every atom.
#   scripts/bench-reporting.sh [ANSWERS] [CONNECTIONS] [SECONDS] [COLD_SELECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# The services refuse the development JWT key on PostgreSQL: a throwaway key for this run.
export BPV__AUTH__JWT_SECRET="${BPV__AUTH__JWT_SECRET:-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}"
source scripts/lib/postgres.sh
N=${1:-1000000}; CONNS=${2:-16}; SECS=${3:-20}; COLD=${4:-4000}

cargo build -q --release --locked -p bpv-cli -p bpv-reporting-api --bins
cargo build -q --release --locked -p bpv-reporting-api --example bench_reporting
BIN="$CARGO_TARGET_DIR/release"
TOOL="$BIN/examples/bench_reporting"
ensure_postgres >/dev/null
work=$(mktemp -d /var/tmp/bpv-bench-reporting.XXXXXX)
# BPV_BENCH_DB=NAME reuses (and keeps) a database an earlier run generated.
pg_db="${BPV_BENCH_DB:-bench_reporting_$$}"
pg_url="${BPV_TEST_POSTGRES_URL%/*}/$pg_db"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "${BPV_BENCH_DB:-}" ] || psql "$BPV_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench-reporting: $N answers, $(nproc) cores, PostgreSQL $(psql "$BPV_TEST_POSTGRES_URL" -tAc 'show server_version')"
if [ -n "${BPV_BENCH_DB:-}" ] && [ "$(psql "$BPV_TEST_POSTGRES_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" = 1 ]; then
  echo "reusing database $pg_db"
  # Answers added by an earlier run's absorb step are removed, so every run starts from the same data.
  psql "$pg_url" -qc "DELETE FROM responses WHERE id !~ '^r[0-9]+[ps]\$'; DELETE FROM invitations WHERE id !~ '^i[0-9]+[ps]\$'; DELETE FROM bpvos WHERE id !~ '^b[0-9]+\$'" >/dev/null
else
psql "$BPV_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
BPV_CONFIG_DIR=/nonexistent "$BIN/bpv" --database-url "$pg_url" migrate >/dev/null
t0=$SECONDS
"$TOOL" gen "$work" "$N"
copy() { psql "$pg_url" -qc "\\copy $1 FROM '$work/$2.csv' WITH (FORMAT csv)"; }
copy "instellingen (brin, naam, directe_studentbevraging, resultaten_api, created_at, updated_at)" instellingen
copy "aanbieders (aanbiedercode, brin, naam, created_at)" aanbieders
copy "locaties (locatiecode, aanbiedercode, naam)" locaties
copy "kwalificaties (crebo, naam, niveau, sector)" kwalificaties
copy "bpvos (id, aanbiedercode, correlatie_id, leerbedrijf_id, crebo, leerweg, startdatum, geplande_einddatum, status, locatiecode, received_at, updated_at)" bpvos
copy "erkenningen (id, leerbedrijf_id, crebo, geldig_van, geldig_tot, aangevraagd_op, besloten_op)" erkenningen
copy "keuzedeel_erkenningen (id, leerbedrijf_id, keuzedeel_code, geldig_van, geldig_tot, aangevraagd_op, besloten_op)" keuzedeel_erkenningen
copy "duo_meldingen (aanbiedercode, correlatie_id, startdatum, gemeld_op, geimporteerd_op)" duo_meldingen
copy "referentie_leveringen (id, register, geleverd_op)" referentie_leveringen
# The keuzedelen of some bpvo's, set in one statement (the bpvos file keeps its columns).
psql "$pg_url" -q -c "CREATE TEMP TABLE kd (id text, code text)" \
  -c "\\copy kd FROM '$work/bpvo_keuzedelen.csv' WITH (FORMAT csv)" \
  -c "UPDATE bpvos b SET keuzedeel_code = kd.code FROM kd WHERE kd.id = b.id" >/dev/null
copy "invitations (id, bpvo_id, groep, kanaal, status, scheduled_on, closes_on, sent_on, created_at, updated_at)" invitations
copy "responses (id, invitation_id, submitted_at, bron, questionnaire_version, groep, maand, aanbiedercode, locatiecode, leerweg, crebo, sector, cijfer, antwoorden)" responses
# The survey stores an answer when it is submitted, so a real table lies in submission order; the
# generator writes answers per bpvo. Put them in the order a real table has (the index reads
# answers in that order; random order made every page of the first load a random heap walk).
psql "$pg_url" -qc "CLUSTER responses USING responses_submitted" >/dev/null
psql "$pg_url" -qc "VACUUM ANALYZE" >/dev/null
rm -f "$work"/*.csv
echo "data generated and copied in $((SECONDS - t0)) s"

fi
echo "-- in-process (release build) --"
"$TOOL" absorb "$pg_url" 10000

echo "-- over HTTP (release bpv-reporting-api, 2 workers) --"
BPV_CONFIG_DIR=/nonexistent BPV__DATABASE__URL="$pg_url" BPV__REPORTING_API__LISTEN=127.0.0.1:0 BPV_LOG_FORMAT=json \
  RUST_LOG=warn,bpv_reporting_api=info \
  "$BIN/bpv-reporting-api" >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -n 1 | sed 's/"url":"//; s/"$//' || true)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$url" ] || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
grep -m1 'resultaten geladen' "$work/server.log" | sed 's/^/server: /' || true
token=$(BPV_CONFIG_DIR=/nonexistent "$TOOL" token)
"$TOOL" load "$url" "$token" "$CONNS" "$SECS" "$COLD"
echo "server RSS: $(ps -o rss= -p "$server_pid" | awk '{printf "%.0f MiB", $1/1024}')"

echo "-- data quality (GET /v1/datakwaliteit, SBB: the six questions for every instelling and national, one year of bpvo's) --"
echo "bpvo's in the year: $(psql "$pg_url" -tAc "SELECT count(*) FROM bpvos WHERE startdatum >= '2024-01-01' AND startdatum < '2025-01-01'"), erkenningen: $(psql "$pg_url" -tAc "SELECT count(*) FROM erkenningen"), DUO registrations: $(psql "$pg_url" -tAc "SELECT count(*) FROM duo_meldingen"), with a keuzedeel: $(psql "$pg_url" -tAc "SELECT count(*) FROM bpvos WHERE keuzedeel_code IS NOT NULL")"
for run in cold cached; do
  curl -sf -o /dev/null -w "datakwaliteit ($run): %{time_total} s\n" -H "Authorization: Bearer $token" \
    "$url/v1/datakwaliteit?peildatum=2025-01-01"
done

echo "-- reference: the fair plain-SQL design on the same data --"
"$TOOL" sql "$pg_url" "$url" "$token" 500
