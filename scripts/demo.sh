#!/usr/bin/env bash
# The main job in one command: build and run `bpv demo` (migrate, seed, report).
# Extra arguments go to `bpv demo`, e.g. `scripts/demo.sh --reset --bpvos 20000`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# shellcheck source=lib/build-deps.sh
source scripts/lib/build-deps.sh
ensure_build_deps
cargo build --release --locked -q -p bpv-cli
exec "$CARGO_TARGET_DIR/release/bpv" demo "$@"
