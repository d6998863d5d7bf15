#!/usr/bin/env bash
# Benchmarks of the letters module for docs/PERFORMANCE.md, on the nationwide data in SQLite:
# the generator, the national and a provincial reply-rate report, the overdue sweep, full-text
# search, and the public form under load.
# Usage: scripts/bench-letters.sh [DB_URL]   (default: a fresh SQLite file)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
port=18083
export DUBAN_LOG=error
echo "== generator: duban demo --scale nation --cases-per-unit 0"
/usr/bin/time -f "generator: %e s wall, %M KiB peak RSS" $bin --db "$db" demo --scale nation --cases-per-unit 0 | head -3
echo "== national reply rates for 2020 (whole process, 5 runs)"
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e s" $bin --db "$db" report letters --unit 100000 --subtree --from 2020-01-01 --to 2020-12-31 --as-of 2021-06-30 --json | tr -d ' \n'; echo
done
echo "== one province (浙江, subtree)"
/usr/bin/time -f "%e s" $bin --db "$db" report letters --unit 330000 --subtree --from 2020-01-01 --to 2020-12-31 --as-of 2021-06-30 --json | tr -d ' \n'; echo
echo "== the overdue sweep over the year's letters (the letters half of duban sweep)"
$bin --db "$db" sweep --as-of 2020-12-31 | sed 's/; /\n  /g'
$bin --db "$db" sweep --as-of 2020-12-31 | sed 's/; /\n  /g'
if [[ $db == sqlite://* ]]; then
  echo "-- a copy where one letter in ten was never answered (106,050 open and overdue today)"
  cp "${db#sqlite://}" "$dir/open.db"
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE letters SET acknowledged_on=NULL, replied_on=NULL, closed_on=NULL WHERE id % 10 = 0'); c.commit()" "$dir/open.db"
  for _ in 1 2 3; do $bin --db "sqlite://$dir/open.db" sweep | sed 's/; /\n  /g'; done
  rm -f "$dir"/open.db*
fi
echo "== full-text search, first page (curl total time; server already warm)"
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$((port + 1)) >/dev/null 2>&1 &
spid=$!
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$((port + 1)) >/dev/null 2>&1 && break; sleep 0.1; done
for who in letters zj.office xihu.office; do
  sjar=$dir/jar-$who
  scsrf=$(curl -s -c "$sjar" -b "$sjar" http://127.0.0.1:$((port + 1))/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -c "$sjar" -b "$sjar" --data-urlencode "csrf=$scsrf" --data-urlencode login=$who --data-urlencode password=duban2020 http://127.0.0.1:$((port + 1))/login -o /dev/null
  curl -s -b "$sjar" -o /dev/null "http://127.0.0.1:$((port + 1))/letters/search?q=x"
  for q in 司法救助 督办 "不起诉 复查" 电信网络诈骗 咨询 不存在的词; do
    printf '%-12s %-24s ' "$who" "$q"
    curl -s -b "$sjar" -o "$dir/s.html" -w "%{time_total} s " --get --data-urlencode "q=$q" "http://127.0.0.1:$((port + 1))/letters/search"
    echo "$(grep -o '<tr><td><a href="/letters/' "$dir/s.html" | wc -l) hits on the page"
  done
done
kill $spid
echo "== the public form, 16 connections (limit per address raised for the load)"
DUBAN_LETTERS_PER_MINUTE=1000000 DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
jar=$dir/jar
csrf=$(curl -s -c "$jar" http://127.0.0.1:$port/letters/new | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
cookie=$(awk '$6 ~ /csrf/ {print $6"="$7}' "$jar")
[ -n "$csrf" ] && [ -n "$cookie" ] || { echo "no form token"; exit 1; }
cat > "$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$cookie"
wrk.body = "csrf=$csrf&unit=1&category=report&content=%E4%B8%BE%E6%8A%A5%E6%9F%90%E5%B9%B2%E9%83%A8"
-- a success is a page that shows the new letter's query code
accept = function(status, body) return status == 200 and string.find(body, "query%-code") ~= nil end
dofile("scripts/wrk-count.lua")
LUA
wrk -t2 -c16 -d20s --latency -s "$dir/post.lua" http://127.0.0.1:$port/letters/new
echo "== audit chain after the load"
$bin --db "$db" audit verify
