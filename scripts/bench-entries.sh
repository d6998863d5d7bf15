#!/usr/bin/env bash
# ledger entries through the API on the demo data (not nationwide): 16 connections, 20 s
# Usage: scripts/bench-entries.sh [DB_URL]   (default: a fresh SQLite file)
set -euo pipefail
cd "$(dirname "$0")/.."
# DUBAN_BENCH_BIN: another build to measure (e.g. the one before a change), else this tree's release build
[[ -n ${DUBAN_BENCH_BIN:-} ]] || cargo build --release -q
db=${1:-sqlite://$(mktemp -d)/duban.db}; bin=${DUBAN_BENCH_BIN:-$PWD/target/release/duban}; port=18082; dir=$(mktemp -d)
export DUBAN_LOG=error
$bin --db "$db" demo >/dev/null
DUBAN_LOG=warn $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
jar=$dir/jar
curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login -o "$dir/login.html"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/login.html" | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
page=$(curl -s -b "$jar" -c "$jar" http://127.0.0.1:$port/account)
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
token=$(curl -s -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode name=bench http://127.0.0.1:$port/account/tokens | grep -o '<code id="new-token">[^<]*' | cut -d'>' -f2)
q="SELECT id FROM tasks WHERE category = 'long_term' ORDER BY id"
if [[ $db == sqlite://* ]]; then
  ids=$(python3 -c 'import sqlite3,sys; print(",".join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "${db#sqlite://}" "$q")
else
  ids=$(psql "$db" -At -c "$q" | paste -sd, -)
fi
echo "$ids" > "$dir/ids"
# the application's today (a demo database pins it): the entries' date
. scripts/bench-lib.sh
today=$(app_today "$db")
DUBAN_IDS=$dir/ids DUBAN_TOKEN=$token DUBAN_TODAY=$today \
  wrk -t2 -c16 -d20s --latency -s scripts/wrk-entries.lua "http://127.0.0.1:$port" | grep -E "Latency|50%|99%|Requests/sec|failed responses"
$bin --db "$db" audit verify
