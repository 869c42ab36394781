#!/usr/bin/env bash
# The systemd kit (deploy/systemd): every unit and timer verified by systemd-analyze against the
# binaries this workspace builds (the units name /usr/local/bin/…, swapped for the build's own
# folder here), every command line a unit runs accepted by its program (`--help` on the same
# subcommand), every timer parsed as a calendar and paired with its service, and every setting
# the environment file names documented in docs/operations.md. Fails on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
fail() { echo "check-systemd: FAILED — $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q systemd >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q systemd >/dev/null; }
}
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (apt-get install systemd)"

cargo build -q --locked -p bpv-cli -p bpv-dispatcher -p bpv-school-api -p bpv-survey -p bpv-reporting-api --bins
bin="$CARGO_TARGET_DIR/debug"
work=$(mktemp -d /var/tmp/bpv-systemd.XXXXXX)
trap 'rm -rf "$work"' EXIT
units=(deploy/systemd/*.service deploy/systemd/*.timer)
for u in "${units[@]}"; do
  sed "s|/usr/local/bin/|$bin/|g" "$u" > "$work/$(basename "$u")"
done
# systemd-analyze prints problems and exits non-zero on errors; warnings count as problems too.
out=$(cd "$work" && systemd-analyze verify ./*.service ./*.timer 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"

for u in deploy/systemd/*.service; do
  line=$(sed -n 's/^ExecStart=//p' "$u")
  [ -n "$line" ] || fail "$u has no ExecStart"
  read -r -a argv <<< "$line"
  program=$(basename "${argv[0]}")
  [ -x "$bin/$program" ] || fail "$u runs $program, which this workspace does not build"
  case "$program" in
    bpv|bpv-dispatcher)
      "$bin/$program" "${argv[@]:1}" --help >/dev/null 2>&1 || fail "$u: '$program ${argv[*]:1}' is not a command $program knows" ;;
  esac
done

for t in deploy/systemd/*.timer; do
  [ -e "${t%.timer}.service" ] || fail "$t has no ${t%.timer}.service"
  cal=$(sed -n 's/^OnCalendar=//p' "$t")
  [[ "$cal" == *Europe/Amsterdam ]] || fail "$t: OnCalendar must name Europe/Amsterdam (dates are Dutch): $cal"
  systemd-analyze calendar "$cal" >/dev/null || fail "$t: OnCalendar $cal does not parse"
done

for var in $(grep -o '^BPV__[A-Z_]*' deploy/systemd/bpv.env.example); do
  grep -q "\`$var\`" docs/operations.md || fail "deploy/systemd/bpv.env.example sets $var, which docs/operations.md does not document"
done
echo "check-systemd: ${#units[@]} units verified, every command and setting they name exists"
