#!/usr/bin/env bash
# The manual upload page, the results dashboard and the respondent survey in a real headless
# Chromium (Playwright + axe-core, tests/browser). Installs Chromium and Postfix's smtp-sink if
# they are missing, builds `bpv` and `bpv-dispatcher`, then
#  1. starts `bpv demo` on a fresh SQLite database and free ports and runs the upload-page tests;
#  2. seeds a larger demo database (enough earlier answers for figures), serves it and runs the
#     results-dashboard tests, which compare every figure shown with the reporting API's;
#  3. seeds another fresh database without sending mail, has `bpv-dispatcher` send today's mail
#     over SMTP to smtp-sink, takes a survey link from a student's mail, serves that database with
#     `bpv demo --no-mail`, fills in the survey in Chromium and checks the answer in the database;
#  4. takes a praktijkopleider's assessment link (Praktijkloket) from the same run's mail, fills
#     in the assessment in Chromium and checks the beoordeling in the database. Between the two,
#     a second student link answers a safety item on the unsafe side: the thank-you page shows help.
# Servers are stopped afterwards. Screenshots land in tests/browser/artifacts/.
#
#   scripts/browser-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bpv-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# shellcheck source=lib/demo-server.sh
source scripts/lib/demo-server.sh
# shellcheck source=lib/smtp.sh
source scripts/lib/smtp.sh
# shellcheck source=lib/pdf-tools.sh
source scripts/lib/pdf-tools.sh

step() { printf '\n==> %s\n' "$*"; }

step "Chromium"
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium
fi
chromium --version 2>/dev/null || true

step "smtp-sink (Postfix)"
ensure_smtp_sink

step "poppler (pdftotext reads the printed dashboard)"
ensure_pdf_tools

step "npm ci (tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund)

step "build bpv and bpv-dispatcher"
cargo build -p bpv-cli -p bpv-dispatcher --locked

survey_dir="" sink_pid="" dashboard_dir=""
cleanup() {
  stop_demo_server
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  [ -z "$survey_dir" ] || rm -rf "$survey_dir"
  [ -z "$dashboard_dir" ] || rm -rf "$dashboard_dir"
}
trap cleanup EXIT

# ---- 1. the upload page ----

step "upload page: start bpv demo"
# Fresh SQLite under a temp dir, free ports; the helper fails after 60 s without the printed URLs.
start_demo_server "" --reset
trap cleanup EXIT # start_demo_server sets its own exit trap; ours stops the server too
BPV_UPLOAD_URL=
for _ in $(seq 1 10); do # printed right after the school-API line the helper waits for
  BPV_UPLOAD_URL=$(sed -n 's/^ *uploadpagina *\(http[^ ]*\).*/\1/p' "$BPV_DEMO_LOG" | head -n 1)
  [ -n "$BPV_UPLOAD_URL" ] && break
  sleep 0.5
done
if [ -z "$BPV_UPLOAD_URL" ]; then
  echo "bpv demo printed no uploadpagina URL:" >&2
  cat "$BPV_DEMO_LOG" >&2
  exit 1
fi
export BPV_UPLOAD_URL
echo "upload page: $BPV_UPLOAD_URL"

step "browser tests: upload page"
if ! (cd tests/browser && node --test upload.test.mjs); then
  echo "upload-page browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi
stop_demo_server

# ---- 2. the results dashboard ----

# Results are only shown for at least k = 10 answers per aanbieder and year; the 300 bpvo's of
# start_demo_server leave every figure at "geen antwoorden", so the dashboard gets the demo's
# 100,000 bpvo's (seeded once, then served like the survey's below), on which a leerweg, a sector
# and a kwalificatie filter show figures.
step "dashboard: seed a larger demo database and serve it"
dashboard_dir=$(mktemp -d /var/tmp/bpv-dashboard.XXXXXX)
dashboard_db="sqlite://$dashboard_dir/dashboard.sqlite"
BPV_CONFIG_DIR=/nonexistent "$CARGO_TARGET_DIR/debug/bpv" --database-url "$dashboard_db" demo --reset --bpvos 100000 --no-mail --no-serve \
  >"$dashboard_dir/seed.log" 2>&1 || { cat "$dashboard_dir/seed.log" >&2; echo "dashboard: bpv demo --no-serve could not seed $dashboard_db" >&2; exit 1; }
start_demo_server "$dashboard_db" --no-mail
trap cleanup EXIT
[ -n "${BPV_REPORTING_API_URL:-}" ] || { echo "bpv demo printed no resultaten-API URL:" >&2; cat "$BPV_DEMO_LOG" >&2; exit 1; }
export BPV_DASHBOARD_URL="$BPV_REPORTING_API_URL/dashboard"
BPV_API_TOKEN=$(demo_token) || { echo "dashboard: no API token from $BPV_SCHOOL_API_URL/oauth/token" >&2; exit 1; }
export BPV_API_TOKEN
echo "dashboard: $BPV_DASHBOARD_URL"

step "browser tests: dashboard"
if ! (cd tests/browser && node --test dashboard.test.mjs); then
  echo "dashboard browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi
stop_demo_server
rm -rf "$dashboard_dir"; dashboard_dir=""

# ---- 3. the survey, from a mail the dispatcher really sent ----

fail() { echo "survey: FAILED — $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
survey_dir=$(mktemp -d /var/tmp/bpv-survey.XXXXXX)
chmod 755 "$survey_dir"
mkdir -m 777 "$survey_dir/mail" # smtp-sink runs as nobody when started as root
survey_sqlite="$survey_dir/survey.sqlite"
survey_db="sqlite://$survey_sqlite"
# The links in the mails carry the survey's address, so the dispatcher and the server that later
# answers the links must agree on it: one fixed free port for both.
survey_port=$(free_port)
export BPV_CONFIG_DIR=/nonexistent BPV__SURVEY__LISTEN="127.0.0.1:$survey_port"

step "survey: start smtp-sink"
sink_port=$(free_port)
sink_args=(-d "$survey_dir/mail/%M." -c "127.0.0.1:$sink_port" 1000)
[ "$(id -u)" -ne 0 ] || sink_args=(-u nobody "${sink_args[@]}")
smtp-sink "${sink_args[@]}" >"$survey_dir/sink.log" 2>&1 &
sink_pid=$!
sink_up=""
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null; then sink_up=1; break; fi
  kill -0 "$sink_pid" 2>/dev/null || { cat "$survey_dir/sink.log" >&2; fail "smtp-sink exited at start"; }
  sleep 0.1
done
[ -n "$sink_up" ] || fail "smtp-sink does not accept connections on 127.0.0.1:$sink_port"
echo "smtp-sink on 127.0.0.1:$sink_port, messages in $survey_dir/mail"

step "survey: seed a fresh database without sending mail"
"$CARGO_TARGET_DIR/debug/bpv" --database-url "$survey_db" demo --reset --bpvos 300 --no-mail --no-serve \
  >"$survey_dir/seed.log" 2>&1 || { cat "$survey_dir/seed.log" >&2; fail "bpv demo --no-serve could not seed $survey_db"; }
responses_before=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from responses").fetchone()[0])' \
  "$survey_sqlite") || fail "cannot count the responses in the seeded database"
echo "seeded $survey_db; $responses_before responses from earlier surveys"

step "survey: bpv-dispatcher sends today's mail to smtp-sink"
BPV__MAIL__TRANSPORT=smtp BPV__MAIL__SMTP__HOST=127.0.0.1 BPV__MAIL__SMTP__PORT="$sink_port" BPV__MAIL__SMTP__SECURITY=none \
  "$CARGO_TARGET_DIR/debug/bpv-dispatcher" --database-url "$survey_db" run --json \
  >"$survey_dir/dispatch.json" 2>"$survey_dir/dispatch.log" \
  || { cat "$survey_dir/dispatch.log" "$survey_dir/dispatch.json" >&2; fail "bpv-dispatcher run exited with an error"; }
cat "$survey_dir/dispatch.json"; echo
python3 - "$survey_dir/dispatch.json" <<'PY' || fail "the dispatcher did not send today's mail cleanly (summary above)"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["sent"] > 0 and s["failed"] == 0 and s["dead"] == 0 and not s["smtpUnreachable"] else 1)
PY
sent=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sent"])' "$survey_dir/dispatch.json")
# smtp-sink writes a message's file while answering its final "."; give the last one a moment.
for _ in $(seq 1 50); do
  [ "$(find "$survey_dir/mail" -type f | wc -l)" -ge "$sent" ] && break
  sleep 0.1
done
received=$(find "$survey_dir/mail" -type f | wc -l)
[ "$received" -eq "$sent" ] || fail "the dispatcher says it sent $sent mails, smtp-sink saved $received"

step "survey: take a survey link from a student's mail"
BPV_SURVEY_LINK=$(python3 - "$survey_dir/mail" "$survey_port" <<'PY'
# Parse the saved messages with Python's own MIME parser, independent of the Rust side.
import email, os, re, sys
from email import policy
folder, port = sys.argv[1], sys.argv[2]
files = sorted(os.listdir(folder))
found = []
for name in files:
    with open(os.path.join(folder, name), "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    text, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    if text is None or html is None:
        sys.exit(f"{name}: no text/plain and text/html part")
    links = re.findall(r"https?://[^\s<>\"']+/s/[A-Za-z0-9_-]{22}\b", text.get_content())
    if not links:
        continue
    missing = [l for l in links if l not in html.get_content()]
    if missing:
        sys.exit(f"{name}: the HTML part lacks {missing[0]} from the text part")
    to = str(msg["To"])
    found.append(("@student." not in to, name, to, links[0]))  # students first
if not found:
    sys.exit(f"none of the {len(files)} messages holds a /s/ link")
students = [f for f in sorted(found) if not f[0]]
if len(students) < 2:
    sys.exit(f"{len(students)} student mails with a survey link; the survey and the help test need two")
for _, name, to, link in students[:2]:
    if not link.startswith(f"http://127.0.0.1:{port}/s/"):
        sys.exit(f"{name}: link {link} does not point at the survey on port {port}")
    print(f"using {name}, sent to {to}", file=sys.stderr)
    print(link)
PY
) || fail "no usable survey links in the mail smtp-sink saved"
BPV_HULP_LINK=$(printf '%s\n' "$BPV_SURVEY_LINK" | sed -n 2p)
BPV_SURVEY_LINK=$(printf '%s\n' "$BPV_SURVEY_LINK" | sed -n 1p)
echo "survey link: $BPV_SURVEY_LINK; help link: $BPV_HULP_LINK"

step "survey: serve the database (bpv demo --no-mail)"
BPV_DEMO_SURVEY_LISTEN="127.0.0.1:$survey_port" start_demo_server "$survey_db" --no-mail
trap cleanup EXIT
survey_ok=""
for _ in $(seq 1 50); do # the survey may start listening just after the school API
  if curl -sf -o /dev/null "$BPV_SURVEY_LINK"; then survey_ok=1; break; fi
  sleep 0.2
done
[ -n "$survey_ok" ] || { cat "$BPV_DEMO_LOG" >&2; fail "$BPV_SURVEY_LINK does not answer 200"; }
grep -q "vragenlijst *http://127.0.0.1:$survey_port\$" "$BPV_DEMO_LOG" \
  || { cat "$BPV_DEMO_LOG" >&2; fail "bpv demo does not say it serves the survey on port $survey_port"; }

step "browser tests: survey"
export BPV_SURVEY_LINK BPV_SURVEY_RESULT="$survey_dir/answered.json"
export BPV_SURVEY_REMARK="Vaker een kort gesprek met mijn praktijkopleider — één keer per week, graag."
if ! (cd tests/browser && node --test survey.test.mjs); then
  echo "survey browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi
[ -s "$BPV_SURVEY_RESULT" ] || fail "the survey test wrote no $BPV_SURVEY_RESULT"

step "survey: the answer is in the database"
python3 - "$survey_sqlite" "$responses_before" "$BPV_SURVEY_RESULT" <<'PY' || fail "the database does not hold the answer given in the browser"
import hashlib, json, sqlite3, sys
db, before, result = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
token = result["link"].rsplit("/", 1)[1]
c = sqlite3.connect(db)
problems = []
after = c.execute("select count(*) from responses").fetchone()[0]
if after != before + 1:
    problems.append(f"{after - before} new responses instead of 1")
inv = c.execute(
    "select i.id, i.groep, i.status, i.answered_at from invitation_tokens t join invitations i on i.id = t.invitation_id"
    " where t.token_hash = ?", (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
if inv is None:
    sys.exit(f"no invitation for the token in {result['link']}")
inv_id, groep, status, answered_at = inv
row = c.execute("select id, bron, groep, cijfer, antwoorden, verbeterpunten from responses where invitation_id = ?",
                (inv_id,)).fetchone()
if row is None:
    sys.exit(f"no response for invitation {inv_id}")
resp_id, bron, r_groep, cijfer, antwoorden, verbeterpunten = row
newest = c.execute("select id from responses order by submitted_at desc, id desc limit 1").fetchone()[0]
if newest != resp_id:
    problems.append("the newest response is not the one for this link")
if bron != "web":
    problems.append(f"bron {bron!r}, expected 'web'")
if r_groep != groep:
    problems.append(f"groep {r_groep!r} differs from the invitation's {groep!r}")
if cijfer != result["cijfer"]:
    problems.append(f"cijfer {cijfer}, clicked {result['cijfer']}")
if verbeterpunten != result["verbeterpunten"]:
    problems.append(f"verbeterpunten {verbeterpunten!r}, typed {result['verbeterpunten']!r}")
stored = json.loads(antwoorden)
if stored.get("cijfer") != result["cijfer"]:
    problems.append(f"antwoorden.cijfer {stored.get('cijfer')!r}, clicked {result['cijfer']}")
items = stored["items"]
clicked = {code: (None if v == "nvt" else int(v)) for code, v in result["items"].items()}
for code, v in clicked.items():
    if code not in items:
        problems.append(f"item {code} missing")
    elif items[code] != v:
        problems.append(f"item {code} = {items[code]!r}, clicked {v!r}")
if status != "beantwoord" or not answered_at:
    problems.append(f"invitation status {status!r}, answered_at {answered_at!r}")
if problems:
    sys.exit("\n".join(problems))
print(f"response {resp_id} ({groep}): cijfer {cijfer}, {len(clicked)} items as clicked "
      f"({sum(v is None for v in clicked.values())} 'niet van toepassing'), remark stored; invitation {status}")
PY

step "browser tests: help after an unsafe answer"
export BPV_HULP_LINK
if ! (cd tests/browser && node --test hulp.test.mjs); then
  echo "help browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi

# ---- 4. the praktijkopleider's assessment (Praktijkloket), from the same run's mail ----

step "beoordeling: take an assessment link from a praktijkopleider's mail"
BPV_BEOORDELING_LINK=$(python3 - "$survey_dir/mail" "$survey_port" <<'PY'
import email, os, re, sys
from email import policy
folder, port = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    links = re.findall(r"https?://[^\s<>\"']+/b/[A-Za-z0-9_-]{22}\b", msg.get_body(preferencelist=("plain",)).get_content())
    if not links:
        continue
    unsubscribe = str(msg["List-Unsubscribe"])
    if unsubscribe != f"<{links[0]}/afmelden>":
        sys.exit(f"{name}: List-Unsubscribe {unsubscribe!r} is not the decline link of {links[0]}")
    if links[0] not in msg.get_body(preferencelist=("html",)).get_content():
        sys.exit(f"{name}: the HTML part lacks {links[0]}")
    if not links[0].startswith(f"http://127.0.0.1:{port}/b/"):
        sys.exit(f"{name}: link {links[0]} does not point at the survey on port {port}")
    print(f"using {name}, sent to {msg['To']}", file=sys.stderr)
    print(links[0])
    break
else:
    sys.exit("no message holds a /b/ assessment link (bpv demo seeds documents ending within 14 days)")
PY
) || fail "no usable assessment link in the mail smtp-sink saved"
echo "assessment link: $BPV_BEOORDELING_LINK"

step "browser tests: beoordeling"
export BPV_BEOORDELING_LINK BPV_BEOORDELING_RESULT="$survey_dir/beoordeling.json"
if ! (cd tests/browser && node --test beoordeling.test.mjs); then
  echo "assessment browser tests FAILED; server log: $BPV_DEMO_LOG" >&2
  tail -n 40 "$BPV_DEMO_LOG" >&2
  exit 1
fi

step "beoordeling: the verdicts are in the database"
python3 - "$survey_sqlite" "$BPV_BEOORDELING_RESULT" <<'PY' || fail "the database does not hold the beoordeling given in the browser"
import hashlib, json, sqlite3, sys
db, result = sys.argv[1], json.load(open(sys.argv[2]))
token = result["link"].rsplit("/", 1)[1]
c = sqlite3.connect(db)
row = c.execute(
    "select v.status, v.document_id from beoordeling_tokens t join beoordelingsverzoeken v on v.id = t.verzoek_id"
    " where t.token_hash = ?", (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
if row is None:
    sys.exit("no request for the token")
status, document_id = row
stored = c.execute("select rol, oordelen from beoordelingen where document_id = ? order by created_at desc",
                   (document_id,)).fetchall()
if len(stored) != 1:
    sys.exit(f"{len(stored)} beoordelingen for the document instead of 1")
rol, oordelen = stored[0]
verdicts = dict(p.split("=") for p in oordelen.split(","))
if rol != "praktijkopleider" or status != "ingevuld" or verdicts != result["oordelen"]:
    sys.exit(f"stored rol {rol!r}, request {status!r}, verdicts {verdicts} — chosen {result['oordelen']}")
print(f"beoordeling of document {document_id}: {len(verdicts)} verdicts as clicked; request {status}")
PY

echo
echo "browser tests passed; screenshots: tests/browser/artifacts/"
