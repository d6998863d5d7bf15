#!/usr/bin/env bash
# Issue 19 for docs/PERFORMANCE.md: the discipline desk at national scale — after
# `duban demo --scale nation` (≈ 100,000 clues over five years in 3,633 units, the register) —
# the whole country's `duban report clues` as a process, and the SPP group's desk pages through a
# warm server, one request at a time and under 16 connections.
# Also the recommendations list and the quarterly violations analysis (a draft composed from the
# whole country's register on each read, and its PDF typeset).
# Usage: scripts/bench-desk.sh DB_URL [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
db=$1
secs=${2:-10}
port=18089
export DUBAN_LOG=error
echo "== duban report clues, the whole country, five years (3 runs)"
for _ in 1 2 3; do
  /usr/bin/time -f "%e s" $bin --db "$db" --quiet report clues --unit 100000 --subtree --from 2016-01-01 --to 2020-12-31 --as-of 2020-11-05 --json >/dev/null
done
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port
. scripts/bench-lib.sh
jar=$dir/jar
csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=discipline --data-urlencode password=duban2020 $base/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
# the quarterly analysis of 2020-Q3: a draft composed from the register on every read
csrf=$(curl -s -b "$jar" $base/documents | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
analysis=$(curl -s -b "$jar" -o /dev/null -w '%{redirect_url}' --data-urlencode "csrf=$csrf" \
  --data-urlencode kind=violations --data-urlencode as_of=2020-09-30 $base/documents | sed "s|$base||")
echo "analysis draft: $analysis"
echo "== one request at a time (20 each)"
for path in /discipline "/api/v1/discipline/clues?open=true&limit=50" /discipline/violations \
  /discipline/recommendations "$analysis" "$analysis/file.pdf"; do
  curl -s -b "$jar" -o /dev/null "$base$path"
  printf '%-44s' "$path"
  for _ in $(seq 1 20); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$base$path"; done |
    sort -n | awk '{a[NR]=$1} END {printf "p50 %.1f ms  p95 %.1f ms\n", a[int(NR/2)+1]*1000, a[int(NR*0.95)]*1000}'
done
echo "== under 16 connections"
run "desk overview (year's figures + open clues)" "$session" "/discipline"
run "GET /api/v1/discipline/clues?open=true&limit=50" "$session" "/api/v1/discipline/clues?open=true&limit=50"
run "the quarterly analysis (composed on each read)" "$session" "$analysis"
