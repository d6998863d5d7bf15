#!/usr/bin/env bash
# Issue 18 for docs/PERFORMANCE.md: a reply letter (程序性回复) as PDF and as DOCX through a warm
# server — rendered from its kept composition on each request — one connection at a time (the
# latency an officer or a writer sees) and under 16 connections; then the SPP's `/letters` page
# and list with the answer figures.
# Usage: scripts/bench-replies.sh [DB_URL] [SECONDS]  (default: a fresh SQLite demo, 10 s a run;
# give a database with the demo or national data already in it to measure that one)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
secs=${2:-10}
port=18088
export DUBAN_LOG=error
[ -n "${1:-}" ] || $bin --db "$db" --quiet demo >/dev/null
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port
. scripts/bench-lib.sh
jar=$dir/jar
csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=letters --data-urlencode password=duban2020 $base/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
# a letter registered today and acknowledged: its reply letter is the one measured
today=$(curl -s -b "$jar" $base/letters | grep -o 'name="received_on" value="[0-9-]*"' | head -1 | cut -d'"' -f4)
csrf=$(curl -s -b "$jar" $base/letters | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode channel=post --data-urlencode "received_on=$today" \
  --data-urlencode category=request --data-urlencode petitioner=张三 --data-urlencode content=请求答复 $base/letters -o /dev/null
id=$(curl -s -b "$jar" "$base/api/v1/letters?limit=1000" -H "Cookie: duban_session=$session" | grep -o '"id":[0-9]*' | cut -d: -f2 | sort -n | tail -1)
curl -s -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode step=ack --data-urlencode "on=$today" \
  --data-urlencode body=由控告申诉检察部门办理，联系电话010-12345678。 $base/letters/$id/steps -o /dev/null
reply=$(curl -s -b "$jar" $base/letters/$id | grep -o "/letters/$id/replies/[0-9]*/pdf" | head -1)
[ -n "$reply" ] || { echo "no reply letter on letter $id"; exit 1; }
echo "== reply letter $reply (letter $id), one connection at a time: 20 requests"
for f in pdf docx; do
  curl -s -b "$jar" -o /dev/null "$base${reply%/pdf}/$f"
  printf '%-6s' "$f"
  for _ in $(seq 1 20); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$base${reply%/pdf}/$f"; done |
    sort -n | awk '{a[NR]=$1} END {printf "p50 %.1f ms  p95 %.1f ms  max %.1f ms\n", a[int(NR/2)+1]*1000, a[int(NR*0.95)]*1000, a[NR]*1000}'
done
echo "== under 16 connections"
run "reply letter PDF" "$session" "$reply"
run "reply letter DOCX" "$session" "${reply%/pdf}/docx"
run "GET /api/v1/letters?limit=50 (SPP)" "$session" "/api/v1/letters?limit=50"
run "/letters page (list, figures, awaited)" "$session" "/letters"
