#!/usr/bin/env bash
# The API contracts (school API and reporting API), checked by third parties against the live
# servers: each OpenAPI document must
# validate (openapi-spec-validator) and schemathesis, fuzzing every operation with a valid token
# (a school's, and an SBB client's for the operations only SBB may call),
# must find no server errors and no answers that contradict the document. Bounded in time. No
# example database (`--generation-database none`): every run starts from the seed alone, so a run
# does not depend on what earlier runs stored (and Hypothesis's Pareto shrinker, which crashed
# once on a stored example, is not used). One worker: with two, Hypothesis parses lambda sources
# from two threads and CPython 3.11 fails at random with "AST constructor recursion depth
# mismatch" (a SystemError in the tool, not an answer of ours). Then every service's /metrics, parsed by Prometheus' own
# client library (scripts/check-metrics.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
source scripts/lib/python-tools.sh
source scripts/lib/demo-server.sh

ensure_python_tools
cargo build -q --locked -p bpv-cli
start_demo_server "" --reset
work=$(dirname "$BPV_DEMO_LOG")
echo "api-contract: school API at $BPV_SCHOOL_API_URL"

curl -sf "$BPV_SCHOOL_API_URL/v1/openapi.json" -o "$work/school-api.openapi.json"
"$BPV_VENV/bin/openapi-spec-validator" "$work/school-api.openapi.json"

token=$(demo_token)

# What a fuzzer cannot guess (as it cannot guess a token): the demo instelling's register values
# and Praktijkloket documents in the states each write needs — one to assess, one assessed (to
# issue a verklaring from), one with a verklaring (to withdraw). Taken from and made through the
# API itself, then filled into tests/api-contract/school-api.toml.
api="$BPV_SCHOOL_API_URL/v1"
call() { # METHOD PATH [JSON]: the answer's body; fails on an error status
  curl -sf -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$api$2"
}
field() { python3 -c 'import json,sys; v=json.load(sys.stdin); print(eval("v" + sys.argv[1]))' "$1"; }
demo_document=$(call GET /begeleidingsdocumenten/DEMO-PL-0001)
export BPV_FUZZ_CREBO BPV_FUZZ_WERKPROCES BPV_FUZZ_LEERBEDRIJF BPV_FUZZ_LOCATIE
BPV_FUZZ_CREBO=$(field '["creboCode"]' <<<"$demo_document")
BPV_FUZZ_WERKPROCES=$(field '["werkprocessen"][0]' <<<"$demo_document")
BPV_FUZZ_LEERBEDRIJF=$(field '["leerbedrijfCode"]' <<<"$demo_document")
BPV_FUZZ_LOCATIE=$(field '["locatiecode"]' <<<"$demo_document")
export BPV_FUZZ_BEOORDELINGSDATUM=2026-06-20
fuzz_document() { # ID
  call PUT "/begeleidingsdocumenten/$1" "{\"leerling\": {\"naam\": \"Fuzz Leerling\", \"geboortedatum\": \"2008-05-01\",
    \"doelgroep\": \"praktijkonderwijs\"}, \"locatiecode\": \"$BPV_FUZZ_LOCATIE\", \"leerbedrijfCode\": \"$BPV_FUZZ_LEERBEDRIJF\",
    \"praktijkopleider\": {\"naam\": \"Petra Hoekstra\", \"emailadres\": \"petra.hoekstra@leerbedrijf.example\"},
    \"creboCode\": \"$BPV_FUZZ_CREBO\", \"werkprocessen\": [\"$BPV_FUZZ_WERKPROCES\"],
    \"startdatum\": \"2026-01-05\", \"einddatum\": \"2026-06-30\"}" >/dev/null
}
fuzz_beoordeling() { # ID
  call POST "/begeleidingsdocumenten/$1/beoordelingen" "{\"beoordeeldDoor\": \"Petra Hoekstra\",
    \"datum\": \"$BPV_FUZZ_BEOORDELINGSDATUM\", \"werkprocessen\": [{\"code\": \"$BPV_FUZZ_WERKPROCES\", \"oordeel\": \"beheerst\"}]}" >/dev/null
}
export BPV_FUZZ_DOCUMENT=FUZZ-PL-BEOORDELEN BPV_FUZZ_BEOORDEELD=FUZZ-PL-VERKLAREN BPV_FUZZ_VERKLARING
fuzz_document "$BPV_FUZZ_DOCUMENT"
fuzz_document "$BPV_FUZZ_BEOORDEELD" && fuzz_beoordeling "$BPV_FUZZ_BEOORDEELD"
fuzz_document FUZZ-PL-INTREKKEN && fuzz_beoordeling FUZZ-PL-INTREKKEN
BPV_FUZZ_VERKLARING=$(call POST /begeleidingsdocumenten/FUZZ-PL-INTREKKEN/praktijkverklaring | field '["nummer"]')
export BPV_FUZZ_CLIENT_ID=$BPV_DEMO_CLIENT_ID BPV_FUZZ_CLIENT_SECRET=$BPV_DEMO_CLIENT_SECRET
# The demo instelling 25LX: its first aanbieder and locatie, and a registered crebo (the bpvo
# writes; tests/api-contract/hooks.py reads them too, for its CSV file).
export BPV_FUZZ_AANBIEDER=251A100 BPV_FUZZ_BPVO_LOCATIE=251X111 BPV_FUZZ_BPVO_CREBO=25604
python3 -c 'import os, string, sys; print(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' \
  tests/api-contract/school-api.toml >"$work/school-api.schemathesis.toml"
echo "api-contract: fuzzing with crebo $BPV_FUZZ_CREBO, werkproces $BPV_FUZZ_WERKPROCES, verklaring $BPV_FUZZ_VERKLARING"

"$BPV_VENV/bin/schemathesis" --config-file "$work/school-api.schemathesis.toml" run "$BPV_SCHOOL_API_URL/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${BPV_SCHEMATHESIS_EXAMPLES:-40}" --max-time "${BPV_SCHEMATHESIS_SECONDS:-150}" \
  --seed 20261123 --generation-database none --workers "${BPV_SCHEMATHESIS_WORKERS:-1}" --no-color --report junit --report-dir "$work/schemathesis"

echo "api-contract: reporting API at $BPV_REPORTING_API_URL"
curl -sf "$BPV_REPORTING_API_URL/v1/openapi.json" -o "$work/reporting-api.openapi.json"
"$BPV_VENV/bin/openapi-spec-validator" "$work/reporting-api.openapi.json"
# With a school's token. Left out: the operations only SBB may call (fuzzed with SBB's token
# below) and the answers per respondent, served only on the mutual-TLS address (this one answers
# them 403; scripts/mtls-demo.sh and the Rust suites test them there).
"$BPV_VENV/bin/schemathesis" run "$BPV_REPORTING_API_URL/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --exclude-path-regex '^/resultaten/(instellingen|verbeterpunten|antwoorden)' \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${BPV_SCHEMATHESIS_EXAMPLES:-40}" --max-time "${BPV_SCHEMATHESIS_SECONDS:-150}" \
  --seed 20261201 --generation-database none --workers "${BPV_SCHEMATHESIS_WORKERS:-1}" --no-color --report junit --report-dir "$work/schemathesis-reporting"

# The operations only SBB may call (the overview across schools, verbeterpunten), fuzzed with an
# SBB client's token, made here
# as an operator would (`bpv admin client create --rol sbb`).
echo "api-contract: reporting API as SBB (the operations only SBB may call)"
sbb=$(BPV_CONFIG_DIR=/nonexistent "$CARGO_TARGET_DIR/debug/bpv" --database-url "sqlite://$work/demo.sqlite" \
  admin client create --naam "SBB contracttest" --rol sbb --scope resultaten:read)
sbb_id=$(awk '$1 == "client_id" {print $2}' <<<"$sbb")
sbb_secret=$(awk '$1 == "client_secret" {print $2}' <<<"$sbb")
sbb_token=$(curl -sf -u "$sbb_id:$sbb_secret" -d grant_type=client_credentials "$BPV_SCHOOL_API_URL/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
"$BPV_VENV/bin/schemathesis" run "$BPV_REPORTING_API_URL/v1/openapi.json" \
  --header "Authorization: Bearer $sbb_token" \
  --include-path-regex '^/resultaten/(instellingen|verbeterpunten)' \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${BPV_SCHEMATHESIS_EXAMPLES:-40}" --max-time "${BPV_SCHEMATHESIS_SBB_SECONDS:-60}" \
  --seed 20261203 --generation-database none --workers "${BPV_SCHEMATHESIS_WORKERS:-1}" --no-color --report junit --report-dir "$work/schemathesis-sbb"

# Observability: every service's /metrics parsed by Prometheus' own client library after the
# traffic above, and the dispatcher's textfile (a dry run over the same database) as
# node_exporter's textfile collector reads it.
echo "api-contract: /metrics of every service, and the dispatcher's metrics file"
survey_url=$(sed -n 's/^ *vragenlijst *\(http[^ ]*\).*/\1/p' "$BPV_DEMO_LOG" | head -n 1 \
  | python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.stdin.read().strip()); print(f"{p.scheme}://{p.netloc}")')
cargo build -q --locked -p bpv-dispatcher
BPV_CONFIG_DIR=/nonexistent "$CARGO_TARGET_DIR/debug/bpv-dispatcher" --database-url "sqlite://$work/demo.sqlite" \
  run --dry-run --json --metrics-file "$work/bpv-dispatcher.prom" >/dev/null
"$BPV_VENV/bin/python" scripts/check-metrics.py --service "school=$BPV_SCHOOL_API_URL" \
  --service "reporting=$BPV_REPORTING_API_URL" --service "survey=$survey_url" --textfile "$work/bpv-dispatcher.prom"

# NL GOV API Design Rules: both served documents linted by Spectral with the rules in
# tests/api-rules/nlgov-adr.yaml (zero errors), and /core/publish-openapi checked live: each
# document is at {server}/openapi.json and readable from another origin.
echo "api-contract: NL GOV API Design Rules (Spectral)"
(cd tests/api-rules && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
for doc in "$work/school-api.openapi.json" "$work/reporting-api.openapi.json"; do
  server=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["servers"][0]["url"])' "$doc")
  headers=$(curl -sf -D - -o /dev/null -H "Origin: https://portaal.example" "$server/openapi.json") \
    || { echo "api-rules: $server/openapi.json does not answer" >&2; exit 1; }
  grep -qi '^access-control-allow-origin: \*' <<<"$headers" \
    || { echo "api-rules: $server/openapi.json is not readable cross-origin" >&2; exit 1; }
done
status=0
tests/api-rules/node_modules/.bin/spectral lint --ruleset tests/api-rules/nlgov-adr.yaml --fail-severity error \
  --format text "$work/school-api.openapi.json" "$work/reporting-api.openapi.json" >"$work/spectral.txt" 2>&1 || status=$?
grep -v ' warning ' "$work/spectral.txt" || true
[ "$status" -eq 0 ] || { echo "api-rules: FAILED — Spectral found errors (above)" >&2; exit 1; }
echo "api-rules: both documents pass without errors; warnings by rule:"
grep ' warning ' "$work/spectral.txt" | awk '{print $3}' | sort | uniq -c || true
