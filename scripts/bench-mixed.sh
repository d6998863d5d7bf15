#!/usr/bin/env bash
# Reads while the ledger is written (issue 22). For the SPP plan dashboard (its roll-up of every
# copy) and the office's workbench, the page alone under 4 connections and the same page while
# entries are written at about 1,000/s (16 connections, each pausing after a response); last, the
# entries alone (16 connections, as fast as they go). Prints entries per second and the reads'
# p50 / p99, each with its failed responses. The issue's bound: the
# dashboard's p99 < 100 ms while 1,000 entries/s are written.
# Usage: scripts/bench-mixed.sh [DB_URL] [SECONDS]   (default: the demo data in a fresh SQLite file)
#   DUBAN_BENCH_REUSE=1 measures an existing database (e.g. `duban demo --scale nation`)
#   DUBAN_DELAY_MS: the writers' pause (default 15 ms)
#   DUBAN_READ_DELAY_MS: the readers' pause (default none: the page as fast as it goes)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
if [ -n "${DUBAN_BENCH_BIN:-}" ]; then bin=$DUBAN_BENCH_BIN; else cargo build --release -q; bin=$PWD/target/release/duban; fi
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
secs=${2:-15}
port=18088
export DUBAN_LOG=error
[ -n "${DUBAN_BENCH_REUSE:-}" ] || $bin --db "$db" demo >/dev/null
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port
jar=$dir/jar
csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 $base/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "login failed"; exit 1; }
csrf=$(curl -s -b "$jar" -c "$jar" $base/account | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
token=$(curl -s -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode name=bench $base/account/tokens | grep -o '<code id="new-token">[^<]*' | cut -d'>' -f2)
[ -n "$token" ] || { echo "no API token"; exit 1; }
plan=$(curl -s -b "$jar" $base/api/v1/plans | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["items"] if p["title"]=="最高检党组巡视整改方案" and p["unit_name"]=="最高人民检察院"][0])')
# the tasks written to: the SPP office's own long-term tasks (its copy of the party plan)
curl -s -H "Authorization: Bearer $token" "$base/api/v1/plans/$plan/tasks" |
  python3 -c 'import json,sys; print(",".join(str(t["id"]) for t in (i["task"] for i in json.load(sys.stdin)["items"]) if t["state"] in ("in_progress","not_started")))' > "$dir/ids"
[ -s "$dir/ids" ] || { echo "no open task to write to"; exit 1; }
# the application's today (a demo database pins it): the entries' date
. scripts/bench-lib.sh
today=$(app_today "$db")
reads() { # label, path: 4 connections, the reads' p50 / p99 and failures
  printf '%-44s ' "$1"
  DUBAN_READ_DELAY_MS=${DUBAN_READ_DELAY_MS:-} wrk -t1 -c4 -d"${secs}s" --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$session" "$base$2" |
    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /failed responses/ {f=$3" of "$5} END {printf "%9s req/s  p50 %8s  p99 %8s  failed %s\n", r, p50, p99, f}'
}
for path in "/rectification/plans/$plan" /home; do
  wrk -t1 -c4 -d2s -H "Cookie: duban_session=$session" "$base$path" >/dev/null
  echo "-- $path"
  reads "without writes" "$path"
  DUBAN_IDS=$dir/ids DUBAN_TOKEN=$token DUBAN_TODAY=$today DUBAN_DELAY_MS=${DUBAN_DELAY_MS:-15} \
    wrk -t2 -c16 -d"$((secs + 2))s" -s scripts/wrk-entries.lua "$base" > "$dir/writes" &
  w=$!
  sleep 1
  reads "while entries are written" "$path"
  wait $w
  awk '/Requests\/sec/ {r=$2} /failed responses/ {f=$3" of "$5} END {printf "%-44s %9s entries/s, failed %s\n", "  the writes meanwhile", r, f}' "$dir/writes"
done
# last (they add to what the pages read): the writers alone, as fast as they go
DUBAN_IDS=$dir/ids DUBAN_TOKEN=$token DUBAN_TODAY=$today DUBAN_DELAY_MS= DUBAN_READ_DELAY_MS= \
  wrk -t2 -c16 -d"${secs}s" --latency -s scripts/wrk-entries.lua "$base" > "$dir/alone"
awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /failed responses/ {f=$3" of "$5} END {printf "%-44s %9s entries/s  p50 %8s  p99 %8s  failed %s\n", "entries alone (16 connections, no pause)", r, p50, p99, f}' "$dir/alone"
$bin --db "$db" audit verify | tail -1
