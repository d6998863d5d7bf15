#!/usr/bin/env bash
# The lists of issue 16 at national scale, for docs/PERFORMANCE.md: the supervision board (first
# page, filtered, second page), the documents list and the discipline group's records register,
# under 16 connections; every run counts its failed responses. Measures an existing database
# (after `duban demo --scale nation --cases-per-unit 0`; the script sweeps once so that notices exist).
# Usage: scripts/bench-lists.sh DB_URL [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
db=$1
secs=${2:-10}
port=18089
dir=$(mktemp -d)
export DUBAN_LOG=error
$bin --db "$db" --quiet sweep >/dev/null
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port
. scripts/bench-lib.sh
login() { # login → session cookie value
  local jar=$dir/jar-$1 csrf
  csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=$1 --data-urlencode password=duban2020 $base/login -o /dev/null
  awk '$6 == "duban_session" {print $7}' "$jar"
}
office=$(login office)
next=$(curl -s -H "Cookie: duban_session=$office" "$base/rectification/board" | grep -o 'href="/rectification/board?[^"]*after=[^"]*"' | head -1 | cut -d'"' -f2 | sed 's/&amp;/\&/g; s/&#38;/\&/g')
echo "-- office (SPP, whole country)"
run "GET /rectification/board" "$office" "/rectification/board"
[ -n "$next" ] && run "GET /rectification/board (second page)" "$office" "$next"
run "GET /rectification/board?level=red&state=unanswered" "$office" "/rectification/board?level=red&state=unanswered"
run "GET /rectification/board?state=answered (few match)" "$office" "/rectification/board?state=answered"
run "GET /documents" "$office" "/documents"
run "GET /documents?state=published&kind=bulletin" "$office" "/documents?state=published&kind=bulletin"
disc=$(login discipline)
echo "-- discipline group (SPP, whole country)"
run "GET /records/register (Jan–Sep 2020, first 100)" "$disc" "/records/register?from=2020-01&to=2020-09"
