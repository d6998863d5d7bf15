#!/usr/bin/env bash
# Benchmarks of the case-quality module for docs/PERFORMANCE.md, on SQLite:
#   A. `duban demo --scale nation` with a year of case events (about 30 million), the national and
#      one unit's 案-件比, and the seed's figures out of the reports;
#   B. ingest: the same events as a CSV file imported into a fresh nationwide organisation.
# Usage: scripts/bench-quality.sh [CASES_PER_BASIC_UNIT]   (default 1400 ≈ 30 million events)
set -euo pipefail
cd "$(dirname "$0")/.."
per=${1:-1400}
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export DUBAN_LOG=error
db=sqlite://$dir/a.db
echo "== A. duban demo --scale nation --cases-per-unit $per"
/usr/bin/time -f "generator (all parts): %e s wall, %M KiB peak RSS" $bin --lang en --db "$db" demo --scale nation --cases-per-unit "$per" | grep -E "^cases"
echo "-- the whole country, 2020 (whole process, 5 runs)"
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e s" $bin --db "$db" report case-ratio --unit 100000 --subtree --from 2020-01-01 --to 2020-12-31 --json > "$dir/national.json"
done
python3 - "$dir/national.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print(f"案 {v['an']}, 件 {v['jian']}, 1:{v['ratio']}, plea {v['plea_rate']*100:.1f}%, 行政争议化解 {v['events'].get('行政争议化解')}, 公益诉讼立案 {v['events'].get('公益诉讼立案')}")
PY
$bin --db "$db" report case-ratio --unit 100000 --subtree --from 2020-01-01 --to 2020-12-31 --tag 涉疫 --json |
  python3 -c "import json,sys; v=json.load(sys.stdin)['events']; print('涉疫: 批准逮捕', v.get('批准逮捕'), '提起公诉', v.get('提起公诉'))"
sqlite3 "$dir/a.db" "SELECT '民事监督超期（截至 2020-12-31）', COUNT(*), '其中已办结', SUM(CASE WHEN limit_end <= '2020-12-31' THEN 1 ELSE 0 END) FROM cases WHERE limit_due < '2020-12-31' AND (limit_end IS NULL OR limit_end > limit_due)"
echo "-- one basic unit (whole process, 5 runs)"
unit=$(sqlite3 "$dir/a.db" "SELECT code FROM units WHERE level = 4 ORDER BY id LIMIT 1 OFFSET 1000")
for _ in 1 2 3 4 5; do
  /usr/bin/time -f "%e s" $bin --db "$db" report case-ratio --unit "$unit" --from 2020-01-01 --to 2020-12-31 > /dev/null
done
echo "-- one basic unit through the API, server warm (curl total time, 10 runs)"
port=18093
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
spid=$!
for _ in $(seq 1 100); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.2; done
jar=$dir/jar
csrf=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:$port/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=quality --data-urlencode password=duban2020 http://127.0.0.1:$port/login -o /dev/null
for _ in $(seq 1 10); do
  curl -s -b "$jar" -o /dev/null -w "%{time_total} s\n" "http://127.0.0.1:$port/api/v1/quality/case-ratio?unit=$unit&from=2020-01-01&to=2020-12-31"
done
curl -s -b "$jar" -o /dev/null -w "national through the API: %{time_total} s\n" "http://127.0.0.1:$port/api/v1/quality/case-ratio?unit=100000&subtree=true&from=2020-01-01&to=2020-12-31"
kill $spid
echo "== B. ingest: the generated events as CSV into a fresh nationwide organisation"
sqlite3 -csv -header "$dir/a.db" "SELECT c.case_no AS case_id, u.code AS unit_code, c.case_type, e.event, e.on_date AS occurred_on, c.tags FROM case_events e JOIN cases c ON c.id = e.case_id JOIN units u ON u.id = c.unit_id WHERE c.case_no LIKE 'N%' ORDER BY e.on_date, e.id" > "$dir/events.csv"
rm -f "$dir"/a.db*
wc -l "$dir/events.csv"
ls -l "$dir/events.csv"
$bin --db "sqlite://$dir/b.db" demo --scale nation --cases-per-unit 0 > /dev/null
/usr/bin/time -f "import: %e s wall, %M KiB peak RSS" $bin --db "sqlite://$dir/b.db" import cases "$dir/events.csv"
echo "-- the same file again (every event already held: nothing added)"
/usr/bin/time -f "again: %e s wall, %M KiB peak RSS" $bin --db "sqlite://$dir/b.db" import cases "$dir/events.csv"
