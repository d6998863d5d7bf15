#!/usr/bin/env bash
# Load run for docs/PERFORMANCE.md: the authenticated home page, 16 connections, wrk on the same
# machine, against the nationwide data. Usage: scripts/bench-home.sh [DB_URL] (default: a fresh
# SQLite file). Prints the generator's time, wrk's report and the server's peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=./target/release/duban
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
port=18080
echo "== generator: duban demo --scale nation --cases-per-unit 0"
/usr/bin/time -f "generator: %e s wall, %M KiB peak RSS" $bin --db "$db" demo --scale nation --cases-per-unit 0 | head -2
DUBAN_LOG=warn $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
jar=$dir/jar
curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login -o "$dir/login.html"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/login.html" | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=admin --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "login failed"; exit 1; }
curl -s -b "duban_session=$session" http://127.0.0.1:$port/home | grep -q '欢迎' || { echo "home page not served"; exit 1; }
echo "== warm-up"
wrk -t2 -c16 -d5s -H "Cookie: duban_session=$session" http://127.0.0.1:$port/home >/dev/null
echo "== wrk -t2 -c16 -d30s /home (authenticated)"
wrk -t2 -c16 -d30s --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$session" http://127.0.0.1:$port/home
echo "== server memory"
grep -E 'VmHWM|VmRSS' /proc/$pid/status
