# What the build itself needs from the system: the PostgreSQL client library with TLS (libpq,
# linked through pkg-config so that `sslmode=require`/`verify-full` work) and a C compiler for the
# bundled SQLite. Installed non-interactively from Debian when missing.
ensure_build_deps() {
  local missing=()
  pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "build: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || { echo "build: FAILED to install ${missing[*]} (needed to link libpq with TLS)" >&2; return 1; }
}
