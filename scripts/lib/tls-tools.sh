# openssl (makes the test CAs and client certificates) and curl (the real mTLS client) for the
# non-aggregated results tests, installed non-interactively from Debian when missing.
ensure_tls_tools() {
  local missing=()
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "tls: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" ca-certificates >/dev/null; } \
    || { echo "tls: FAILED to install ${missing[*]}" >&2; return 1; }
}
