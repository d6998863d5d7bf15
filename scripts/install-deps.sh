#!/usr/bin/env bash
# Installs what the test suite needs that a fresh machine lacks:
# PostgreSQL 15 (store suite on PostgreSQL), Chromium + ChromeDriver (browser test),
# poppler-utils (pdftotext, for document tests), wrk (load benchmarks), CJK fonts (so that
# Chromium screenshots and, later, PDFs show Chinese).
# Idempotent: does nothing for packages already present.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 && [ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql postgresql-contrib)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}"
fi
