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
"$BPV_VENV/bin/schemathesis" run "$BPV_SCHOOL_API_URL/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${BPV_SCHEMATHESIS_EXAMPLES:-40}" --max-time "${BPV_SCHEMATHESIS_SECONDS:-150}" \
  --seed 20261123 --generation-database none --workers "${BPV_SCHEMATHESIS_WORKERS:-1}" --no-color --report junit --report-dir "$work/schemathesis"

echo "api-contract: reporting API at $BPV_REPORTING_API_URL"
curl -sf "$BPV_REPORTING_API_URL/v1/openapi.json" -o "$work/reporting-api.openapi.json"
"$BPV_VENV/bin/openapi-spec-validator" "$work/reporting-api.openapi.json"
"$BPV_VENV/bin/schemathesis" run "$BPV_REPORTING_API_URL/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${BPV_SCHEMATHESIS_EXAMPLES:-40}" --max-time "${BPV_SCHEMATHESIS_SECONDS:-150}" \
  --seed 20261201 --generation-database none --workers "${BPV_SCHEMATHESIS_WORKERS:-1}" --no-color --report junit --report-dir "$work/schemathesis-reporting"

# The operations only SBB may call (the overview across schools, verbeterpunten) answer a
# school's token with 403 above, so they are fuzzed again with an SBB client's token, made here
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
