#!/usr/bin/env bash
# Benchmark: 20,000 due invitations on PostgreSQL, sent by the dispatcher (release build) into a
# local smtp-sink — mails/s end to end: plan + claim + render + send + record. Beside it, the rate
# of Postfix's own smtp-source into the same sink at the same concurrency: with persistent
# sessions (-d, the fair counterpart of a pooled sender) and with one connection per message.
# Fails (non-zero) unless every invitation was planned and sent, none failed, the sink counted
# exactly the mails the dispatcher reports, and the database records every invitation as sent.
# Prints the CPU per mail of PostgreSQL, the dispatcher and the sink during the run, how busy the
# cores were, and the rate that CPU per mail would give with every core busy. Where the server loads
# pg_stat_statements, also PostgreSQL's time per mail of each of the run's costliest statements.
#   scripts/bench-dispatch.sh [N] [CONCURRENCY]
# BPV_BENCH_BIN=DIR takes bpv and bpv-dispatcher from DIR instead of building them (to compare two
# builds alternately in the same hour).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
source scripts/lib/postgres.sh
source scripts/lib/smtp.sh
source scripts/lib/cpu.sh
N=${1:-20000}; CONC=${2:-8}

ensure_smtp_sink
BIN=${BPV_BENCH_BIN:-}
if [ -z "$BIN" ]; then
  cargo build -q --release --locked -p bpv-cli -p bpv-dispatcher
  BIN="$CARGO_TARGET_DIR/release"
fi
ensure_postgres >/dev/null
work=$(mktemp -d /var/tmp/bpv-bench.XXXXXX); chmod 777 "$work"
db="bench_dispatch_$$"
base=${BPV_TEST_POSTGRES_URL%/*}
sink_pid=""
cleanup() {
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  psql "$BPV_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$BPV_TEST_POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
export BPV_CONFIG_DIR=/nonexistent BPV__MAIL__FILE_DIR="$work/outbox"
url="$base/$db"
"$BIN/bpv" --database-url "$url" demo --bpvos 0 --no-serve >/dev/null

as_of=$(date +%F)
eind=$(date -d "$as_of + 21 days" +%F)
python3 - "$N" "$eind" > "$work/registraties.csv" <<'PY'
import sys
n, eind = int(sys.argv[1]), sys.argv[2]
print("Aanbiedercode;Correlatie_id;Leerbedrijf_code;Crebo_code;Leerweg_naam;Startdatum;Geplande_einddatum;Praktijkopleider_naam;Praktijkopleider_emailadres")
for i in range(n):
    print(f"251A100;BENCH-{i:06d};{100000000 + i};25604;BOL;2025-09-01;{eind};Opleider {i};opleider{i}@leerbedrijf{i % 997}.example.nl")
PY
"$BIN/bpv" --database-url "$url" admin import-registraties "$work/registraties.csv"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# -c prints a running tally ("sess=N quit=N mesg=N\r"): the sink's own count of mails, to check against.
smtp-sink -u nobody -c 127.0.0.1:$port 1000 >"$work/sink.out" 2>&1 &
sink_pid=$!
sleep 0.5
sink_count() { tr '\r' '\n' < "$work/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1 | grep . || echo 0; }

# The dispatcher's CPU comes from `times`: between the two readings the shell waits for nothing
# else but two `date`s.
postmaster=$(postmaster_pid "$url")

# The demo set-up sends its own few mails (to files): only this run's mails count.
sent_before=$(psql "$url" -tAc "SELECT count(*) FROM deliveries WHERE status = 'verstuurd'")
# Where the server loads pg_stat_statements (shared_preload_libraries; not by default), the run's
# statements are summed too, to print PostgreSQL's time per statement beside its CPU.
statements=""
if psql "$url" -tAc "SHOW shared_preload_libraries" | grep -q pg_stat_statements; then
  statements=yes
  psql "$url" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  psql "$url" -qtAc "SELECT pg_stat_statements_reset()" >/dev/null
fi
echo "bench-dispatch: $N due invitations, PostgreSQL, concurrency $CONC, $(nproc) cores"
ticks_before=$(cpu_ticks "$postmaster" "$sink_pid"); times > "$work/times.before"
start=$(date +%s.%N)
BPV__MAIL__TRANSPORT=smtp BPV__MAIL__SMTP__HOST=127.0.0.1 BPV__MAIL__SMTP__PORT=$port BPV__MAIL__SMTP__SECURITY=none \
  BPV__MAIL__SMTP__POOL_SIZE=$CONC RUST_LOG=warn \
  "$BIN/bpv-dispatcher" --database-url "$url" run --as-of "$as_of" --concurrency "$CONC" --json \
  > "$work/summary.json"
end=$(date +%s.%N)
times > "$work/times.after"; ticks_after=$(cpu_ticks "$postmaster" "$sink_pid")
children_before=$(children_seconds "$work/times.before"); children_after=$(children_seconds "$work/times.after")
sleep 0.2
received=$(sink_count)
sent_in_db=$(( $(psql "$url" -tAc "SELECT count(*) FROM deliveries WHERE status = 'verstuurd'") - sent_before ))
python3 - "$work/summary.json" "$start" "$end" "$N" "${received:-0}" "$sent_in_db" \
  "$ticks_before" "$ticks_after" "$children_before" "$children_after" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); t = float(sys.argv[3]) - float(sys.argv[2])
n, received, in_db = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"  dispatcher (plan+claim+render+send+record)  {s['sent']} mails in {t:6.2f} s = {s['sent'] / t:8,.0f} mails/s  "
      f"(planned {s['planned']}, retried {s['retried']}, failed {s['failed']}; sink received {received}, recorded sent {in_db})")
plan_s = s["planningMs"] / 1000
print(f"    of which planning {plan_s:.2f} s; claim+render+send+record {s['sent'] / max(t - plan_s, 1e-9):8,.0f} mails/s")
# Claiming and recording each run one at a time beside the senders: the one whose busy time comes
# near the sending part's length is what holds the run back.
if "recordingMs" in s:
    part = max(t - plan_s, 1e-9)
    claim_s, rec_s = s["claimingMs"] / 1000, s["recordingMs"] / 1000
    print(f"    busy during the sending part: claiming {claim_s:.2f} s ({100 * claim_s / part:.0f} %), "
          f"recording {rec_s:.2f} s ({100 * rec_s / part:.0f} %)")
# Where the machine's CPU went during the run, per mail sent, and what that mix would do with every
# core busy: the rate can only rise as far as the CPU per mail falls, or the idle share shrinks.
before, after = [int(x) for x in sys.argv[7].split()], [int(x) for x in sys.argv[8].split()]
tick, cores = float(sys.argv[11]), int(sys.argv[12])
busy, total, pg, sink = ((a - b) / tick for a, b in zip(after, before))
disp = float(sys.argv[10]) - float(sys.argv[9])
if s["sent"] and total > 0:
    per = lambda secs: 1000 * secs / s["sent"]
    used = per(busy)
    print(f"    CPU per mail sent: {used:.3f} ms in all (PostgreSQL {per(pg):.3f}, dispatcher {per(disp):.3f}, "
          f"smtp-sink {per(sink):.3f}, other {per(max(busy - pg - disp - sink, 0)):.3f}); the {cores} cores were "
          f"{100 * busy / total:.0f} % busy: all busy at this CPU per mail = {cores / used * 1000:8,.0f} mails/s")
problems = []
if s["planned"] != n: problems.append(f"planned {s['planned']}, expected {n}")
if s["sent"] != n: problems.append(f"sent {s['sent']}, expected {n}")
if s["failed"] != 0: problems.append(f"failed {s['failed']}, expected 0")
if received != s["sent"]: problems.append(f"the sink received {received}, the dispatcher reports {s['sent']}")
if in_db != n: problems.append(f"{in_db} mails recorded as sent, expected {n}")
if problems:
    sys.exit("bench-dispatch: " + "; ".join(problems))
PY
if [ -n "$statements" ]; then
  # Statements that others ran (a trigger's, a foreign-key check) are also inside the time of the
  # statement that ran them: the nested ones are marked, and the shares add up over the top-level
  # ones only.
  echo "    PostgreSQL per statement (pg_stat_statements, the run's database; ms per mail sent, execution and planning):"
  psql "$url" -tAF $'\t' -c "
    SELECT to_char((s.total_exec_time + s.total_plan_time) / $N, '0.000'),
           to_char(100 * (s.total_exec_time + s.total_plan_time) / sum(s.total_exec_time + s.total_plan_time) FILTER (WHERE s.toplevel) OVER (), '990'),
           s.calls, CASE WHEN s.toplevel THEN '' ELSE '(nested) ' END || left(regexp_replace(s.query, '\s+', ' ', 'g'), 80)
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
    ORDER BY s.total_exec_time + s.total_plan_time DESC LIMIT 12" |
    awk -F'\t' '{printf "      %s ms %s %% %8d calls  %s\n", $1, $2, $3, $4}'
fi
reference() { # LABEL SMTP-SOURCE-FLAGS…
  local label=$1; shift
  local before after
  before=$(sink_count)
  start=$(date +%s.%N)
  smtp-source "$@" -s "$CONC" -m "$N" -l 2048 -f bench@example.nl -t sink@example.nl 127.0.0.1:$port
  end=$(date +%s.%N)
  sleep 0.2
  after=$(sink_count)
  [ $((after - before)) = "$N" ] || { echo "bench-dispatch: the sink received $((after - before)) of smtp-source's $N mails" >&2; exit 1; }
  python3 -c "import sys; n,t=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'  {sys.argv[4]:<42} {n} mails in {t:6.2f} s = {n/t:8,.0f} mails/s (reference)')" "$N" "$start" "$end" "$label"
}
reference "smtp-source -d (persistent sessions)" -d
reference "smtp-source (a connection per mail)"
