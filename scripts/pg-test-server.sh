#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster and makes sure the test role exists.
# Prints the URL to use as DUBAN_TEST_PG_URL.
# With --clean: drops the test databases (and SQLite test files) whose test process is gone,
# so the cluster does not grow run after run.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -q -v ON_ERROR_STOP=1 $*"; else sudo -u postgres psql -q -v ON_ERROR_STOP=1 "$@"; fi
}

# Test databases are named duban_test_<pid>_<random> (crates/store/src/testing.rs).
clean() {
  local tmp="${TMPDIR:-/tmp}" f pid
  for f in "$tmp"/duban_test_*.db "$tmp"/duban_test_*.db-wal "$tmp"/duban_test_*.db-shm; do
    [ -e "$f" ] || continue
    pid=$(basename "$f" | cut -d_ -f3)
    kill -0 "$pid" 2>/dev/null || rm -f "$f"
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || return 0
  as_postgres -At <<<"SELECT datname FROM pg_database WHERE datname LIKE 'duban\_test\_%'" |
    while read -r db; do
      pid=$(cut -d_ -f3 <<<"$db")
      kill -0 "$pid" 2>/dev/null || echo "DROP DATABASE IF EXISTS $db WITH (FORCE);"
    done | as_postgres >/dev/null
}

if [ "${1:-}" = "--clean" ]; then
  clean
  exit 0
fi

if ! pg_lsclusters -h 2>/dev/null | grep -q '^15 *main'; then
  $SUDO pg_createcluster 15 main >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main .*online'; then
  # After an unclean stop the server replays its log and syncs its files before it accepts
  # connections; that can outlast pg_ctl's default 60 s wait, so wait longer and then poll.
  $SUDO pg_ctlcluster 15 main start -- -t 900 >&2 || echo "pg_ctlcluster start returned $?; waiting for the server" >&2
fi
for _ in $(seq 1 4500); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.2
done
pg_isready -h 127.0.0.1 -p 5432 >&2
as_postgres >/dev/null <<<"DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'duban') THEN CREATE ROLE duban LOGIN CREATEDB PASSWORD 'duban'; END IF; END\$\$;"
# TLS with a certificate of the test harness's own CA (server cert for 127.0.0.1), so tests can
# connect with sslmode=verify-full; the CA is published at $TMPDIR/duban-test-pg-ca.pem.
tls_dir=/var/lib/postgresql/duban-tls
ca_out="${TMPDIR:-/tmp}/duban-test-pg-ca.pem"
if ! $SUDO test -f "$tls_dir/server.key"; then
  t=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Duban test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$t/ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 3650 \
    -extfile "$t/ext" -out "$t/server.pem" 2>/dev/null
  $SUDO mkdir -p "$tls_dir"
  $SUDO cp "$t/server.pem" "$t/server.key" "$t/ca.pem" "$tls_dir/"
  $SUDO chown -R postgres:postgres "$tls_dir"
  $SUDO chmod 600 "$tls_dir/server.key"
  rm -rf "$t"
fi
if [ "$(as_postgres -At <<<"SHOW ssl_cert_file")" != "$tls_dir/server.pem" ]; then
  as_postgres >/dev/null <<SQL
ALTER SYSTEM SET ssl_cert_file = '$tls_dir/server.pem';
ALTER SYSTEM SET ssl_key_file = '$tls_dir/server.key';
ALTER SYSTEM SET ssl = on;
SELECT pg_reload_conf();
SQL
  sleep 1
fi
$SUDO cat "$tls_dir/ca.pem" >"$ca_out"
clean
echo "postgres://duban:duban@127.0.0.1:5432/postgres"
