#!/usr/bin/env bash
# Benchmarks of issue 5 for docs/PERFORMANCE.md: the progress bulletin as a PDF (GB/T 9704, typst),
#   1. on the demo data, through a warm server (GET /documents/{id}/file.pdf of a draft: composed
#      from the data and typeset on each request), and as a whole `duban report bulletin` process;
#   2. on the nationwide data (the party plan issued to every procuratorate: a 3,600-unit roll-up),
#      the same two ways.
# Usage: scripts/bench-bulletin.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
port=18085
export DUBAN_LOG=error
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
plans=(--plan 最高检党组巡视整改方案 --plan 驻院纪检监察组巡视整改措施)

measure() { # $1: database URL, $2: label
  local db=$1
  echo "== $2: duban report bulletin --format pdf (whole process: start, fonts, compose, typeset; 5 runs)"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e s" $bin --db "$db" report bulletin "${plans[@]}" --as-of 2020-11-05 --format pdf --out "$dir/b.pdf"
  done
  pdftotext "$dir/b.pdf" - | tr -d ' \n' | grep -o '最高检党组研究确定的[0-9]*项整改任务中\|同步整改：[^。]*。' | head -3
  DUBAN_LOG=warn $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
  local jar=$dir/jar
  rm -f "$jar"
  curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login -o "$dir/login.html"
  local csrf
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/login.html" | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
  curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/documents -o "$dir/docs.html"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$dir/docs.html" | head -1 | cut -d'"' -f4)
  local ids
  ids=$(grep -o 'name="plans" value="[0-9]*"> 最高检党组巡视整改方案（最高人民检察院\|name="plans" value="[0-9]*"> 驻院纪检监察组巡视整改措施（最高人民检察院' "$dir/docs.html" | grep -o 'value="[0-9]*"' | cut -d'"' -f2)
  local args=(--data-urlencode "csrf=$csrf" --data-urlencode kind=bulletin --data-urlencode as_of=2020-11-05)
  for i in $ids; do args+=(--data-urlencode "plans=$i"); done
  local loc
  loc=$(curl -s -c "$jar" -b "$jar" "${args[@]}" -o /dev/null -w '%{redirect_url}' http://127.0.0.1:$port/documents)
  [ -n "$loc" ] || { echo "no document created"; exit 1; }
  echo "== $2: warm server, GET ${loc#http://127.0.0.1:$port}/file.pdf (first request loads the fonts; then 6 more)"
  for _ in 1 2 3 4 5 6 7; do
    curl -s -b "$jar" -o "$dir/w.pdf" -w "%{time_total} s %{size_download} bytes\n" "$loc/file.pdf"
  done
  kill $pid; wait $pid 2>/dev/null || true; pid=""
}

db=sqlite://$dir/demo.db
$bin --db "$db" demo >/dev/null
measure "$db" "demo"
nation=sqlite://$dir/nation.db
echo "== generating the nationwide data (no case events)"
/usr/bin/time -f "generated in %e s" $bin --lang en --db "$nation" demo --scale nation --cases-per-unit 0 | grep -i "rectification"
measure "$nation" "nationwide (3,600-unit roll-up)"
