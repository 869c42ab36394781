# A Python virtualenv with the pinned third-party checkers (scripts/requirements-test.txt),
# outside the clone so repeated runs reuse it. Sets BPV_VENV.
ensure_python_tools() {
  export BPV_VENV="${BPV_VENV:-/var/tmp/bpv-venv}"
  local req stamp
  req="$(pwd)/scripts/requirements-test.txt"
  stamp="$BPV_VENV/.requirements.sha256"
  if [ ! -x "$BPV_VENV/bin/python" ]; then
    python3 -m venv "$BPV_VENV" || { echo "python-tools: FAILED to create $BPV_VENV" >&2; return 1; }
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum "$req" | cut -d' ' -f1)" ]; then
    "$BPV_VENV/bin/pip" install -q --disable-pip-version-check -r "$req" \
      || { echo "python-tools: FAILED to install $req" >&2; return 1; }
    sha256sum "$req" | cut -d' ' -f1 > "$stamp"
  fi
}
