#!/usr/bin/env bash
# TLS to PostgreSQL, for real: makes a CA and a server certificate for "localhost" with openssl,
# starts a throwaway cluster that accepts TLS connections only (ssl = on, pg_hba hostssl), and
# checks with the `bpv` binary (the same store code every service uses):
#   - `sslmode=verify-full` with the CA migrates the database, and the server logs the
#     connection as TLS with the program's application_name;
#   - a plain connection, a certificate from another CA and a host name the certificate does not
#     name are each refused, and the error the operator sees is libpq's own reason.
# Needs initdb/pg_ctl (the machine's PostgreSQL) and openssl (scripts/lib/tls-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
fail() { echo "check-postgres-tls: FAILED — $*" >&2; exit 1; }

[ -n "$(pg_bin initdb)" ] && [ -n "$(pg_bin pg_ctl)" ] || fail "initdb/pg_ctl not found (apt-get install postgresql)"
command -v openssl >/dev/null || fail "openssl not found"

cargo build -q --locked -p bpv-cli
bpv="$CARGO_TARGET_DIR/debug/bpv"

dir=$(mktemp -d /var/tmp/bpv-pgtls.XXXXXX)
stop() {
  pg_throwaway_stop "$dir"
  rm -rf "$dir"
}
trap stop EXIT

# Certificates: a CA, a server certificate for localhost signed by it, and a second CA that
# signed nothing the server shows.
tls="$dir/tls"; mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bpv test CA" \
  -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
  -keyout "$tls/other-ca.key" -out "$tls/other-ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > "$tls/san.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$tls/san.ext" -out "$tls/server.crt" 2>/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 600 "$tls/server.key"
pg_throwaway_init "$dir" || fail "initdb"
cat > "$dir/data/pg_hba.conf" <<HBA
local     all all           trust
hostssl   all all 127.0.0.1/32 trust
hostssl   all all ::1/128      trust
hostnossl all all 0.0.0.0/0    reject
hostnossl all all ::/0         reject
HBA
pg_throwaway_start "$dir" "$port" \
  "-c listen_addresses=localhost -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key -c log_connections=on" \
  || fail "pg_ctl start"

base="postgres://postgres@localhost:$port/postgres"

echo "check-postgres-tls: sslmode=verify-full with the CA"
out=$("$bpv" --database-url "$base?sslmode=verify-full&sslrootcert=$tls/ca.crt" migrate 2>&1) \
  || fail "verify-full connection refused: $out"
echo "  $out"
grep -q "application_name=bpv SSL enabled" "$dir/server.log" \
  || { grep "connection authorized" "$dir/server.log" >&2 || true; fail "the server did not log a TLS connection named bpv"; }
out=$("$bpv" --database-url "$base?sslmode=verify-full&sslrootcert=$tls/ca.crt" migrate --check 2>&1) \
  || fail "migrate --check over TLS: $out"
echo "  $out"

expect_refused() {
  local what=$1 url=$2 reason=$3 out
  if out=$("$bpv" --database-url "$url" migrate 2>&1); then
    fail "$what was accepted: $out"
  fi
  grep -qi -- "$reason" <<<"$out" || fail "$what: the error does not give the reason ($reason): $out"
  if grep -qi "multiconnection" <<<"$out"; then fail "$what: the error hides libpq's reason: $out"; fi
  echo "check-postgres-tls: $what refused: $(grep -i -m1 -- "$reason" <<<"$out" | sed 's/^ *//')"
}
expect_refused "a connection without TLS" "$base?sslmode=disable" "no encryption"
expect_refused "a certificate from another CA" "$base?sslmode=verify-full&sslrootcert=$tls/other-ca.crt" "certificate verify failed"
expect_refused "a host name the certificate does not name" \
  "postgres://postgres@127.0.0.1:$port/postgres?sslmode=verify-full&sslrootcert=$tls/ca.crt" "does not match host name"
echo "check-postgres-tls: ok"
