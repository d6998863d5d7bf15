#!/usr/bin/env bash
# Benchmark of issue 20 for docs/PERFORMANCE.md: the whole bulletin (every sentence from the data:
# plans, roll-up, inspections, records and letters sent, meetings, the period's procuratorial work,
# typical cases, letters, case quality, paperwork, special reports) of the two SPP plans as of
# 2020-11-05,
#   1. as a whole `duban report bulletin --format text` process (5 runs), and
#   2. composed by a warm server: GET /documents/{id}/file.html of a draft (7 requests; the HTML
#      is composed from the data on each request, no typesetting).
# Usage: scripts/bench-whole-bulletin.sh DB_URL [DB_URL…]   (each holding `duban demo`, and for
#        the national figures `duban demo --scale nation` on top of it)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DUBAN_BENCH_BIN:-$PWD/target/release/duban}
dir=$(mktemp -d)
port=18086
export DUBAN_LOG=error
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
plans=(--plan 最高检党组巡视整改方案 --plan 驻院纪检监察组巡视整改措施)

for db in "$@"; do
  echo "== $db: duban report bulletin --format text (whole process; 5 runs)"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e s" $bin --db "$db" report bulletin "${plans[@]}" --as-of 2020-11-05 --format text > "$dir/b.txt"
  done
  grep -o '共记录报告[0-9]*件次\|[0-9]*个省级检察院党组、[0-9]*个机关厅级单位党组织\|批准逮捕涉疫刑事犯罪[0-9]*人、起诉[0-9]*人\|审结[0-9万余]*人，占同期审查起诉案件审结人数的[0-9.]*%\|[0-9]*批[0-9]*个典型案例\|专报[0-9]*期\|答复率[0-9.]*%' "$dir/b.txt" || true
  DUBAN_LOG=warn $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
  jar=$dir/jar
  rm -f "$jar"
  curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login -o "$dir/login.html"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/login.html" | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
  curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/documents -o "$dir/docs.html"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/docs.html" | head -1 | cut -d'"' -f4)
  ids=$(grep -o 'name="plans" value="[0-9]*"> 最高检党组巡视整改方案（最高人民检察院\|name="plans" value="[0-9]*"> 驻院纪检监察组巡视整改措施（最高人民检察院' "$dir/docs.html" | grep -o 'value="[0-9]*"' | cut -d'"' -f2)
  args=(--data-urlencode "csrf=$csrf" --data-urlencode kind=bulletin --data-urlencode as_of=2020-11-05)
  for i in $ids; do args+=(--data-urlencode "plans=$i"); done
  loc=$(curl -s -c "$jar" -b "$jar" "${args[@]}" -o /dev/null -w '%{redirect_url}' http://127.0.0.1:$port/documents)
  [ -n "$loc" ] || { echo "no document created"; exit 1; }
  echo "== $db: warm server, GET ${loc#http://127.0.0.1:$port}/file.html (7 requests)"
  for _ in 1 2 3 4 5 6 7; do
    curl -s -b "$jar" -o "$dir/w.html" -w "%{http_code} %{time_total} s %{size_download} bytes\n" "$loc/file.html"
  done
  echo "linked figures: $(grep -o 'class="data" href=' "$dir/w.html" | wc -l)"
  kill $pid; wait $pid 2>/dev/null || true; pid=""
done
