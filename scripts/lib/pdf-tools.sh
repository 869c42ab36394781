# pdftotext (poppler-utils): the third-party reader the praktijkverklaring PDF test checks with.
ensure_pdf_tools() {
  command -v pdftotext >/dev/null 2>&1 && return 0
  echo "pdf: installing poppler-utils (pdftotext)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null; } \
    || { echo "pdf: FAILED to install poppler-utils" >&2; return 1; }
  command -v pdftotext >/dev/null 2>&1 || { echo "pdf: FAILED — pdftotext missing after install" >&2; return 1; }
}
