#!/usr/bin/env bash
# The whole test suite: domain, store (SQLite and PostgreSQL), HTTP, CLI, a real browser and a
# real LDAP directory and OpenID provider.
# Installs what a fresh machine lacks, starts PostgreSQL, and refuses to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
case "${DUBAN_TEST_PG_URL:-}" in
  postgres://*|postgresql://*) ;;
  "") ;;
  *) echo "ignoring DUBAN_TEST_PG_URL='$DUBAN_TEST_PG_URL' (not a postgres:// URL)" >&2; DUBAN_TEST_PG_URL="" ;;
esac
if [ -z "${DUBAN_TEST_PG_URL:-}" ]; then
  DUBAN_TEST_PG_URL=$(./scripts/pg-test-server.sh)
  export DUBAN_TEST_PG_URL
fi
case "$DUBAN_TEST_PG_URL" in
  postgres://*|postgresql://*) echo "PostgreSQL for tests: $DUBAN_TEST_PG_URL" >&2 ;;
  *) echo "DUBAN_TEST_PG_URL is not a postgres:// URL: '$DUBAN_TEST_PG_URL'" >&2; exit 1 ;;
esac
export DUBAN_REQUIRE_PG=1
# a real OpenLDAP slapd for the directory tests (127.0.0.1:3389 and :3636)
DUBAN_TEST_LDAP_URL=$(./scripts/ldap-test-server.sh)
export DUBAN_TEST_LDAP_URL DUBAN_REQUIRE_LDAP=1
# a real OpenID provider (oidc-provider from npm, on Node.js) for single sign-on (127.0.0.1:3901)
DUBAN_TEST_OIDC_ISSUER=$(./scripts/oidc-test-server.sh)
export DUBAN_TEST_OIDC_ISSUER DUBAN_REQUIRE_OIDC=1
# Every file a test writes goes under one directory of this run (tests name their files after
# their process and keep them for a failure to be read; run after run they filled the disk), with
# the certificates the harness's servers published.
outer_tmp="${TMPDIR:-/tmp}"
run_tmp=$(mktemp -d "$outer_tmp/duban-tests.XXXXXX")
mkdir -p "$run_tmp/duban-test-ldap"
[ ! -f "$outer_tmp/duban-test-ldap/ca.pem" ] || cp "$outer_tmp/duban-test-ldap/ca.pem" "$run_tmp/duban-test-ldap/"
[ ! -f "$outer_tmp/duban-test-pg-ca.pem" ] || cp "$outer_tmp/duban-test-pg-ca.pem" "$run_tmp/"
# Drop this run's test databases and files afterwards, pass or fail.
trap './scripts/pg-test-server.sh --clean || true; ./scripts/ldap-test-server.sh --stop; ./scripts/oidc-test-server.sh --stop; rm -rf "$run_tmp"' EXIT
# an incremental cache is of no use to a one-off build and doubles target/'s size
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
TMPDIR="$run_tmp" cargo test --workspace --locked "$@"
