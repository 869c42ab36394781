# Postfix's smtp-sink and smtp-source (a real SMTP server with fault injection, and its load
# generator), installed non-interactively from Debian's postfix package when missing.
ensure_smtp_sink() {
  if command -v smtp-sink >/dev/null 2>&1 && command -v smtp-source >/dev/null 2>&1; then return 0; fi
  echo "smtp: installing postfix (for smtp-sink/smtp-source)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends postfix >/dev/null; } \
    || { echo "smtp: FAILED to install postfix" >&2; return 1; }
  command -v smtp-sink >/dev/null 2>&1 || { echo "smtp: FAILED — smtp-sink missing after install" >&2; return 1; }
}
