# cargo-deny (licences, banned and duplicate crates, sources) for the supply-chain check,
# installed from crates.io when missing (about 2.5 minutes on two cores, in its own build folder
# so the workspace's is not disturbed). Pinned so that every run judges with the same rules.
CARGO_DENY_VERSION=0.20.2
ensure_cargo_deny() {
  if cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
    return 0
  fi
  echo "cargo-deny: installing $CARGO_DENY_VERSION"
  CARGO_TARGET_DIR=/var/tmp/cargo-deny-target cargo install cargo-deny --version "$CARGO_DENY_VERSION" \
    --locked --no-default-features --quiet \
    || { echo "cargo-deny: FAILED to install" >&2; return 1; }
}
