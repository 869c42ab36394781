#!/usr/bin/env bash
# The manual upload page in a real headless Chromium (Playwright + axe-core, tests/browser):
# installs Chromium if it is missing, builds `bpv`, starts `bpv demo` on a fresh SQLite database
# and a free port, runs the tests against its upload page and stops the server afterwards.
# Screenshots land in tests/browser/artifacts/.
#
#   scripts/browser-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# shellcheck source=lib/demo-server.sh
source scripts/lib/demo-server.sh

step() { printf '\n==> %s\n' "$*"; }

step "Chromium"
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium
fi
chromium --version 2>/dev/null || true

step "npm ci (tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund)

step "build bpv"
cargo build -p bpv-cli --locked

step "start bpv demo"
# Fresh SQLite under a temp dir, free ports; the helper stops the server when this script exits
# and fails after 60 s without the printed URLs.
start_demo_server "" --reset
BPV_UPLOAD_URL=
for _ in $(seq 1 10); do # printed right after the school-API line the helper waits for
  BPV_UPLOAD_URL=$(sed -n 's/^ *uploadpagina *\(http[^ ]*\).*/\1/p' "$BPV_DEMO_LOG" | head -n 1)
  [ -n "$BPV_UPLOAD_URL" ] && break
  sleep 0.5
done
if [ -z "$BPV_UPLOAD_URL" ]; then
  echo "bpv demo printed no uploadpagina URL:" >&2
  cat "$BPV_DEMO_LOG" >&2
  exit 1
fi
export BPV_UPLOAD_URL
echo "upload page: $BPV_UPLOAD_URL"

step "browser tests"
cd tests/browser
if ! node --test; then
  echo "browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi
echo "screenshots: tests/browser/artifacts/"
