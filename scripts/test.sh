#!/usr/bin/env bash
# The whole test suite: domain, store (SQLite and PostgreSQL), HTTP, CLI and a real browser.
# Installs what a fresh machine lacks, starts PostgreSQL, and refuses to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ -z "${DUBAN_TEST_PG_URL:-}" ]; then
  DUBAN_TEST_PG_URL=$(./scripts/pg-test-server.sh)
  export DUBAN_TEST_PG_URL
fi
export DUBAN_REQUIRE_PG=1
cargo test --workspace --locked "$@"
