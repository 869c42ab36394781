#!/usr/bin/env bash
# The container image, built and started for real without a Docker daemon or registry:
#   1. hadolint (from PyPI) lints the Dockerfile;
#   2. a Debian bookworm base is made with mmdebstrap from Debian's own mirror (cached in
#      buildah's storage between runs) and the workspace's binaries are stripped into a
#      `binaries` image — no Rust image can be pulled here, so the Dockerfile's compiler stage
#      is swapped for these through its BINARIES build argument; everything after it is the
#      Dockerfile as shipped;
#   3. buildah builds the Dockerfile; the image must run as a non-root user, hold every binary,
#      and each HTTP service must start in it and answer /health and /metrics (SQLite inside the
#      container), the dispatcher and the CLI must answer --version.
# Time budget: about 2 minutes warm, 4 cold (the base image). Fails on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# shellcheck source=lib/python-tools.sh
source scripts/lib/python-tools.sh
fail() { echo "check-image: FAILED — $*" >&2; exit 1; }

ensure_python_tools >/dev/null
echo "check-image: hadolint"
"$BPV_VENV/bin/hadolint" --no-color --failure-threshold warning Dockerfile || fail "hadolint found problems in the Dockerfile"

missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v newuidmap >/dev/null || missing+=(uidmap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-image: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || fail "cannot install ${missing[*]}"
fi
b() { buildah --storage-driver vfs "$@"; }

base=localhost/bpv-bookworm-base:1
if ! b inspect --type image "$base" >/dev/null 2>&1; then
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  echo "check-image: making the bookworm base with mmdebstrap from $mirror"
  tar=$(mktemp /var/tmp/bpv-rootfs.XXXXXX.tar)
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$tar" "$mirror" \
    || { rm -f "$tar"; fail "mmdebstrap"; }
  c=$(b from scratch)
  b add "$c" "$tar" / >/dev/null
  b config --cmd '["/bin/bash"]' "$c"
  b commit -q "$c" "$base" >/dev/null
  b rm "$c" >/dev/null
  rm -f "$tar"
fi

echo "check-image: the binaries, stripped"
bins=(bpv bpv-dispatcher bpv-school-api bpv-survey bpv-reporting-api)
cargo build -q --locked -p bpv-cli -p bpv-dispatcher -p bpv-school-api -p bpv-survey -p bpv-reporting-api --bins
stage=$(mktemp -d /var/tmp/bpv-image.XXXXXX)
cleanup() {
  [ -n "${ctr:-}" ] && b rm "$ctr" >/dev/null 2>&1
  # Working containers of this script (a failed step leaves them), then images no tag names any
  # more (vfs keeps a full copy of every layer): the storage does not grow run after run.
  b containers --format '{{.ContainerID}} {{.ContainerName}}' 2>/dev/null \
    | awk '$2 ~ /^(bpv-binaries|bpv-monitor)-working-container/ {print $1}' | xargs -r buildah --storage-driver vfs rm >/dev/null 2>&1
  b rmi --prune >/dev/null 2>&1 || true
  rm -rf "$stage"
}
trap cleanup EXIT
mkdir "$stage/out"
for bin in "${bins[@]}"; do
  strip -o "$stage/out/$bin" "$CARGO_TARGET_DIR/debug/$bin"
done
c=$(b from scratch)
b copy "$c" "$stage/out" /out >/dev/null
b commit -q --rm "$c" localhost/bpv-binaries:ci >/dev/null

echo "check-image: buildah bud"
started=$(date +%s)
b bud --quiet --isolation chroot --build-arg BASE_IMAGE="$base" --build-arg BINARIES=localhost/bpv-binaries:ci \
  -t localhost/bpv-monitor:ci . >"$stage/bud.log" 2>&1 || { cat "$stage/bud.log" >&2; fail "buildah bud"; }
echo "check-image: built in $(( $(date +%s) - started )) s, $(b images --format '{{.Size}}' localhost/bpv-monitor:ci | head -n 1)"

ctr=$(b from localhost/bpv-monitor:ci)
run() { b run --isolation chroot "$ctr" -- "$@"; }
uid=$(run id -u)
[ "$uid" != 0 ] || fail "the image runs as root"
echo "check-image: runs as uid $uid ($(run id -un))"
for bin in bpv bpv-dispatcher; do
  run "$bin" --version >/dev/null || fail "$bin does not run in the image"
done
run bpv --database-url sqlite:///var/lib/bpv/bpv.sqlite migrate >/dev/null || fail "bpv migrate in the image"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret=image-check-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
for svc in school-api:SCHOOL_API survey:SURVEY reporting-api:REPORTING_API; do
  name=${svc%%:*} key=${svc#*:} port=$(free_port)
  b run --isolation chroot \
    --env "BPV__${key}__LISTEN=127.0.0.1:$port" --env BPV__AUTH__JWT_SECRET="$secret" \
    --env BPV__DATABASE__URL=sqlite:///var/lib/bpv/bpv.sqlite --env BPV__MAIL__FILE_DIR=/var/lib/bpv/outbox \
    "$ctr" -- "bpv-$name" >"$stage/$name.log" 2>&1 &
  pid=$!
  ok=
  for _ in $(seq 1 60); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$ok" ]; then cat "$stage/$name.log" >&2; kill "$pid" 2>/dev/null || true; fail "bpv-$name did not answer /health in the image"; fi
  curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^bpv_http_requests_total{route="/health"' \
    || { kill "$pid" 2>/dev/null || true; fail "bpv-$name: /metrics does not count /health"; }
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The whole command line is the binary alone (by name or path): a pattern that only ends with
  # its name would also stop an unrelated `cargo build … -p bpv-$name` on the same machine.
  pkill -f "^([^ ]*/)?bpv-$name\$" 2>/dev/null || true
  echo "check-image: bpv-$name started in the image and answered /health and /metrics"
done
echo "check-image: ok"
