#!/usr/bin/env bash
# The workbench (issue 16) at national scale for docs/PERFORMANCE.md: /home for six accounts at one
# and at 16 connections on a database made by `duban demo --scale nation --cases-per-unit 0`
# (SQLite or PostgreSQL), with each account's counts. Failures counted per thread.
# Usage: scripts/bench-workbench.sh DB_URL
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
db=${1:?DB_URL}; port=18089; bin=$PWD/target/release/duban
DUBAN_LOG=error DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port; dir=$(mktemp -d)
for who in office discipline leader letters zj.office xihu.office; do
  jar=$dir/jar-$who
  csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=$who --data-urlencode password=duban2020 $base/login -o /dev/null
  s=$(awk '$6 == "duban_session" {print $7}' "$jar")
  counts=$(curl -s -b "$jar" $base/api/v1/todo | python3 -c 'import json,sys; print(" ".join(i["kind"]+"="+str(i["count"]) for i in json.load(sys.stdin)["items"]))')
  echo "-- $who: $counts"
  for c in 1 16; do
    wrk -t$([ $c = 1 ] && echo 1 || echo 2) -c$c -d2s -H "Cookie: duban_session=$s" "$base/home" >/dev/null
    printf '/home c%-3s ' $c
    wrk -t$([ $c = 1 ] && echo 1 || echo 2) -c$c -d8s --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$s" "$base/home" |
      awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /failed responses/ {f=$3" of "$5} END {printf "%9s req/s  p50 %8s  p99 %8s  failed %s\n", r, p50, p99, f}'
  done
done
