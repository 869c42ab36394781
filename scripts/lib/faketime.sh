# libfaketime (the system clock of one process moved): the no-time-bombs run and the test of a
# cron run at 00:30 Amsterdam time on a host in UTC. Installed from Debian's faketime package.
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
ensure_faketime() {
  [ -e "$LIBFAKETIME" ] && return 0
  echo "faketime: installing libfaketime"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q faketime >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q faketime >/dev/null; }
  [ -e "$LIBFAKETIME" ] || { echo "faketime: FAILED — libfaketime not found at $LIBFAKETIME" >&2; return 1; }
}
