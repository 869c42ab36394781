# Find a PostgreSQL for the test suite, or start one; never skip.
# Sets BPV_TEST_POSTGRES_URL. Order:
#   1. $BPV_TEST_POSTGRES_URL if it answers;
#   2. the local server on 127.0.0.1:5432 (user postgres, trust auth);
#   3. the machine's cluster started with pg_ctlcluster (Debian);
#   4. a throwaway cluster made with initdb/pg_ctl under /var/tmp, stopped on exit.
# If none of these works the script fails loudly.

pg_bin() {
  # The tool from PATH or from Debian's versioned folder.
  local tool=$1
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return 0; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$tool" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && echo "$found"
}

pg_answers() {
  # Does a server at this URL accept a query?
  local url=$1 psql
  psql=$(pg_bin psql) || true
  if [ -n "$psql" ]; then
    "$psql" "$url" -Atqc 'select 1' >/dev/null 2>&1
  else
    local isready; isready=$(pg_bin pg_isready) || return 1
    "$isready" -d "$url" -q
  fi
}

# Run a PostgreSQL tool as the cluster's owner: the postgres user when we are root (PostgreSQL
# refuses to run as root), else ourselves.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A throwaway cluster in DIR/data (DIR made by the caller, and owned by postgres from here on
# when root). The caller may edit DIR/data (pg_hba.conf) between init and start.
#   pg_throwaway_init DIR; pg_throwaway_start DIR PORT "SERVER OPTIONS"; pg_throwaway_stop DIR
pg_throwaway_init() {
  local dir=$1
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$dir"
  fi
  pg_as_owner "$(pg_bin initdb)" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "postgres: FAILED — initdb" >&2; return 1; }
}

pg_throwaway_start() {
  local dir=$1 port=$2 opts=$3
  pg_as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -o "-p $port -k $dir $opts" -l "$dir/server.log" -w start >/dev/null \
    || { cat "$dir/server.log" >&2; echo "postgres: FAILED — pg_ctl start" >&2; return 1; }
}

pg_throwaway_stop() {
  pg_as_owner "$(pg_bin pg_ctl)" -D "$1/data" -m fast stop >/dev/null 2>&1 || true
}

ensure_postgres() {
  if [ -n "${BPV_TEST_POSTGRES_URL:-}" ] && pg_answers "$BPV_TEST_POSTGRES_URL"; then
    echo "postgres: using $BPV_TEST_POSTGRES_URL"; return 0
  fi
  local local_url="postgres://postgres@127.0.0.1:5432/postgres"
  if pg_answers "$local_url"; then
    export BPV_TEST_POSTGRES_URL=$local_url; echo "postgres: using local server at 127.0.0.1:5432"; return 0
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local v
    for v in $(ls /etc/postgresql); do
      echo "postgres: starting cluster $v/main with pg_ctlcluster"
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>&1 || true
    done
    for _ in $(seq 1 20); do
      if pg_answers "$local_url"; then
        export BPV_TEST_POSTGRES_URL=$local_url; echo "postgres: local server started"; return 0
      fi
      sleep 0.5
    done
  fi
  if [ -z "$(pg_bin initdb)" ] || [ -z "$(pg_bin pg_ctl)" ]; then
    echo "postgres: FAILED — no server answers at 127.0.0.1:5432 and initdb/pg_ctl are not installed" >&2
    echo "          install PostgreSQL (apt-get install postgresql) or set BPV_TEST_POSTGRES_URL" >&2
    return 1
  fi
  local dir port=55432
  dir=$(mktemp -d /var/tmp/bpv-pg.XXXXXX)
  echo "postgres: starting a throwaway cluster in $dir on port $port"
  pg_throwaway_init "$dir" || return 1
  pg_throwaway_start "$dir" "$port" "-c listen_addresses=127.0.0.1 -c max_connections=300" || return 1
  BPV_PG_THROWAWAY_DIR=$dir
  trap 'pg_throwaway_stop "$BPV_PG_THROWAWAY_DIR"' EXIT
  export BPV_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  pg_answers "$BPV_TEST_POSTGRES_URL" || { echo "postgres: FAILED — throwaway cluster does not answer" >&2; return 1; }
}
