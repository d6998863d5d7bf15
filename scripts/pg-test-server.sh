#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster and makes sure the test role exists.
# Prints the URL to use as DUBAN_TEST_PG_URL.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 *main'; then
  $SUDO pg_createcluster 15 main >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main .*online'; then
  $SUDO pg_ctlcluster 15 main start >&2
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.2
done
SQL="DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'duban') THEN CREATE ROLE duban LOGIN CREATEDB PASSWORD 'duban'; END IF; END\$\$;"
if [ "$(id -u)" -eq 0 ]; then
  su postgres -c "psql -q -v ON_ERROR_STOP=1" <<<"$SQL" >/dev/null
else
  sudo -u postgres psql -q -v ON_ERROR_STOP=1 <<<"$SQL" >/dev/null
fi
echo "postgres://duban:duban@127.0.0.1:5432/postgres"
