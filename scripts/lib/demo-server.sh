# Start `bpv demo` in the background on free ports over a fresh SQLite (or the given database),
# wait until it prints its URLs, and stop it when the calling script exits.
#   start_demo_server [DATABASE_URL] [extra demo args...]
# Sets BPV_DEMO_LOG, BPV_SCHOOL_API_URL, BPV_REPORTING_API_URL. Needs CARGO_TARGET_DIR and a built debug `bpv`.
# BPV_DEMO_SURVEY_LISTEN=HOST:PORT serves the survey on that address instead of a free port (for
# links in mails sent before the server started; they carry the survey's address).
# stop_demo_server stops it earlier (the exit trap calls it too); a caller that sets its own EXIT
# trap after starting should call stop_demo_server from it.

start_demo_server() {
  local db=${1:-} dir
  shift || true
  dir=$(mktemp -d /var/tmp/bpv-demo.XXXXXX)
  [ -n "$db" ] || db="sqlite://$dir/demo.sqlite"
  BPV_DEMO_LOG="$dir/demo.log"
  BPV__SCHOOL_API__LISTEN=127.0.0.1:0 BPV__SURVEY__LISTEN="${BPV_DEMO_SURVEY_LISTEN:-127.0.0.1:0}" \
    BPV__REPORTING_API__LISTEN=127.0.0.1:0 \
    BPV_CONFIG_DIR=/nonexistent "$CARGO_TARGET_DIR/debug/bpv" --database-url "$db" demo --bpvos 300 "$@" \
    >"$BPV_DEMO_LOG" 2>&1 &
  BPV_DEMO_PID=$!
  BPV_DEMO_DIR=$dir
  trap stop_demo_server EXIT
  for _ in $(seq 1 120); do
    BPV_SCHOOL_API_URL=$(sed -n 's/^ *school-API *\(http[^ ]*\).*/\1/p' "$BPV_DEMO_LOG" | head -n 1)
    BPV_REPORTING_API_URL=$(sed -n 's/^ *resultaten-API *\(http[^ ]*\).*/\1/p' "$BPV_DEMO_LOG" | head -n 1)
    [ -n "$BPV_SCHOOL_API_URL" ] && [ -n "$BPV_REPORTING_API_URL" ] && break
    if ! kill -0 "$BPV_DEMO_PID" 2>/dev/null; then
      echo "demo server: FAILED to start" >&2; cat "$BPV_DEMO_LOG" >&2; return 1
    fi
    sleep 0.5
  done
  if [ -z "$BPV_SCHOOL_API_URL" ]; then
    echo "demo server: no URL after 60 s" >&2; cat "$BPV_DEMO_LOG" >&2; return 1
  fi
  export BPV_SCHOOL_API_URL BPV_REPORTING_API_URL BPV_DEMO_LOG
}

# Stop the server start_demo_server started and remove its folder (log included); safe to call twice.
stop_demo_server() {
  if [ -n "${BPV_DEMO_PID:-}" ]; then
    kill "$BPV_DEMO_PID" 2>/dev/null || true
    wait "$BPV_DEMO_PID" 2>/dev/null || true
  fi
  [ -n "${BPV_DEMO_DIR:-}" ] && rm -rf "$BPV_DEMO_DIR"
  BPV_DEMO_PID= BPV_DEMO_DIR=
}

# The demo's API client (`bpv demo` creates it) and an access token for it.
BPV_DEMO_CLIENT_ID=bpv_demo_25lx
BPV_DEMO_CLIENT_SECRET=demo-geheim-alleen-voor-deze-demo
demo_token() {
  curl -sf -u "$BPV_DEMO_CLIENT_ID:$BPV_DEMO_CLIENT_SECRET" -d grant_type=client_credentials \
    "$BPV_SCHOOL_API_URL/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
