#!/usr/bin/env bash
# Benchmarks of issue 3 for docs/PERFORMANCE.md, on the nationwide data (the party plan's 87 tasks
# issued to every procuratorate, ten ledger entries each) in SQLite:
#   the supervision sweep, the plan dashboard with the full roll-up, plan-stats as of a date, and
#   ledger entries created through the API with 16 connections.
# Usage: scripts/bench-rectification.sh [DB_URL]   (default: a fresh SQLite file)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
port=18081
export DUBAN_LOG=error
echo "== generator: duban demo --scale nation --cases-per-unit 0"
/usr/bin/time -f "generator: %e s wall, %M KiB peak RSS" $bin --db "$db" demo --scale nation --cases-per-unit 0 | head -2
echo "== plan-stats as of the seed's date (whole process, 5 runs)"
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e s" $bin --db "$db" report plan-stats --plan 最高检党组巡视整改方案 --as-of 2020-11-05 --json >/dev/null
done
echo "== supervision sweep (as the scheduler runs it, day after day)"
if [[ $db == sqlite://* ]]; then
  echo "-- first, today on the fresh data: every open copy is years overdue"
  cp "${db#sqlite://}" "$dir/fresh.db"
  $bin --db "sqlite://$dir/fresh.db" sweep
  $bin --db "sqlite://$dir/fresh.db" sweep
  rm -f "$dir"/fresh.db*
fi
echo "-- then day by day from the seed's date"
for d in 2020-11-05 2020-11-05 2020-11-06 2020-11-09 2020-11-16 2020-12-31 2021-01-01 2021-01-04; do
  $bin --db "$db" sweep --as-of $d
done
DUBAN_LOG=warn $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
jar=$dir/jar
curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login -o "$dir/login.html"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/login.html" | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "login failed"; exit 1; }
plan=$(curl -s -H "Cookie: duban_session=$session" http://127.0.0.1:$port/api/v1/plans | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["items"] if p["title"]=="最高检党组巡视整改方案" and p["unit_name"]=="最高人民检察院"][0])')
url="http://127.0.0.1:$port/rectification/plans/$plan"
curl -s -H "Cookie: duban_session=$session" "$url" | grep -q '下级单位整改进展' || { echo "dashboard without roll-up"; exit 1; }
echo "== one dashboard as of a past day (states read from the ledgers): curl total time"
for _ in 1 2 3; do curl -s -o /dev/null -w "%{time_total} s\n" -H "Cookie: duban_session=$session" "$url?as_of=2020-11-05"; done
echo "== wrk -t1 -c1 -d10s the SPP plan dashboard with the full roll-up (today), one user"
wrk -t1 -c1 -d10s --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$session" "$url"
echo "== wrk -t2 -c16 -d20s the same, 16 connections"
wrk -t2 -c16 -d5s -H "Cookie: duban_session=$session" "$url" >/dev/null
wrk -t2 -c16 -d20s --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$session" "$url"
echo "== ledger entries through the API, 16 connections"
page=$(curl -s -b "$jar" -c "$jar" http://127.0.0.1:$port/account)
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
token=$(curl -s -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode name=bench http://127.0.0.1:$port/account/tokens | grep -o '<code id="new-token">[^<]*' | cut -d'>' -f2)
[ -n "$token" ] || { echo "no API token"; exit 1; }
q="SELECT id FROM tasks WHERE category = 'long_term' AND parent_task_id IS NOT NULL ORDER BY id LIMIT 20000"
if [[ $db == sqlite://* ]]; then
  ids=$(python3 -c 'import sqlite3,sys; print(",".join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "${db#sqlite://}" "$q")
else
  ids=$(psql "$db" -At -c "$q" | paste -sd, -)
fi
echo "$ids" > "$dir/ids"
DUBAN_IDS=$dir/ids DUBAN_TOKEN=$token DUBAN_TODAY=$(TZ=Asia/Shanghai date +%F) \
  wrk -t2 -c16 -d20s --latency -s scripts/wrk-entries.lua "http://127.0.0.1:$port"
echo "== audit chain after the load"
$bin --db "$db" audit verify
echo "== server memory"
grep -E 'VmHWM|VmRSS' /proc/$pid/status
