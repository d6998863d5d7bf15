#!/usr/bin/env bash
# Installs what the test suite needs that a fresh machine lacks:
# PostgreSQL 15 (store suite on PostgreSQL), Chromium + ChromeDriver (browser test),
# poppler-utils (pdftotext, pdffonts, pdftoppm, for document tests), wrk (load benchmarks), CJK
# fonts (Noto CJK for Chromium screenshots; Fandol 宋/黑/楷/仿宋 from texlive-lang-chinese for the
# GB/T 9704 PDFs), LibreOffice Writer (the DOCX test converts a document to PDF with it) and
# OpenLDAP (slapd, ldap-utils: a real directory for the sign-in and synchronisation tests).
# Idempotent: does nothing for packages already present.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 && [ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql postgresql-contrib)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
# pkill: the browser tests stop any Chromium left on their profile
command -v pkill >/dev/null 2>&1 || need+=(procps)
# Node.js runs the OpenID provider of the single sign-on test (scripts/oidc-test-server.sh)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
# without recommends: texlive's and LibreOffice's recommends are hundreds of megabytes we do not use
lean=()
[ -d /usr/share/texlive/texmf-dist/fonts/opentype/public/fandol ] || lean+=(texlive-lang-chinese)
command -v soffice >/dev/null 2>&1 || lean+=(libreoffice-writer-nogui)
# OpenLDAP's server and tools for the directory tests (scripts/ldap-test-server.sh)
[ -x /usr/sbin/slapd ] || lean+=(slapd)
command -v ldapadd >/dev/null 2>&1 || lean+=(ldap-utils)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  [ ${#need[@]} -eq 0 ] || $SUDO apt-get install -y -qq "${need[@]}"
  [ ${#lean[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${lean[@]}"
fi
