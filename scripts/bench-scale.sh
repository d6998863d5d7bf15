#!/usr/bin/env bash
# Lists and pages at national scale (issue 22) for docs/PERFORMANCE.md: after
# `duban demo --scale nation --cases-per-unit 0` (1.06 M letters, the party plan in every unit),
# each list and page under 16 connections for three viewers — the SPP's letters officer (whole
# country), a provincial office (浙江, its subtree) and a basic unit (西湖区, its own) — and a page
# deep in the list (the 1,000th row onwards). Every run counts its failed responses.
# Usage: scripts/bench-scale.sh [DB_URL] [SECONDS]   (default: a fresh SQLite file, 10 s a run)
#        scripts/bench-scale.sh --years DB_ONE_YEAR DB_TEN_YEARS [SECONDS]
#          measures both databases the same way, then prints per request the ten-year figures
#          against the one-year ones (p50 ratio, the issue's bound is 1.3)
# DUBAN_BENCH_REUSE=1 measures an existing database without running the generator;
# DUBAN_BENCH_YEARS=N makes the generator write N years of letters (`--years N`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
# DUBAN_BENCH_BIN: a binary to measure instead of this tree's release build (for A/B runs)
if [ -n "${DUBAN_BENCH_BIN:-}" ]; then
  bin=$DUBAN_BENCH_BIN
else
  cargo build --release -q
  bin=$PWD/target/release/duban
fi
if [ "${1:-}" = "--years" ]; then
  out=$(mktemp -d)
  echo "== one year: $2"
  DUBAN_BENCH_REUSE=1 DUBAN_BENCH_BIN=$bin "$0" "$2" "${4:-10}" | tee "$out/one"
  echo "== ten years: $3"
  DUBAN_BENCH_REUSE=1 DUBAN_BENCH_BIN=$bin "$0" "$3" "${4:-10}" | tee "$out/ten"
  echo "== ten years against one (p50 ratio; req/s ratio)"
  python3 - "$out/one" "$out/ten" <<'PY'
import re, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else None
def read(path):
    rows, who = {}, ""
    for line in open(path):
        if line.startswith("-- "):
            who = line[3:].split(" (")[0].strip()
        m = re.match(r"(.+?) +([\d.]+) req/s +p50 +(\S+) +p99 +(\S+) +failed (.*)", line.rstrip())
        if m:
            rows[(who, m.group(1).strip())] = (float(m.group(2)), ms(m.group(3)), m.group(5))
    return rows
one, ten = read(sys.argv[1]), read(sys.argv[2])
worst = 0.0
for key, (r1, p1, f1) in one.items():
    if key not in ten:
        continue
    r10, p10, f10 = ten[key]
    ratio = p10 / p1 if p1 else float("nan")
    worst = max(worst, ratio)
    print(f"{key[0][:12]:12} {key[1][:50]:50} p50 {p1:7.2f} → {p10:7.2f} ms  ×{ratio:4.2f}   req/s {r1:8.0f} → {r10:8.0f}   failed {f1} / {f10}")
print(f"largest p50 ratio: ×{worst:.2f}")
PY
  rm -rf "$out"
  exit 0
fi
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
secs=${2:-10}
port=18087
export DUBAN_LOG=error
if [ -z "${DUBAN_BENCH_REUSE:-}" ]; then
  years=${DUBAN_BENCH_YEARS:-1}
  echo "== generator: duban demo --scale nation --cases-per-unit 0 --years $years"
  /usr/bin/time -f "generator: %e s wall, %M KiB peak RSS" $bin --db "$db" demo --scale nation --cases-per-unit 0 --years "$years" | head -3
fi
# the supervision board needs notices: today's sweep urges every open copy once (later runs add none)
$bin --db "$db" --quiet sweep >/dev/null
DUBAN_SWEEP_MINUTES=0 $bin --db "$db" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do $bin healthcheck --http 127.0.0.1:$port >/dev/null 2>&1 && break; sleep 0.1; done
base=http://127.0.0.1:$port
. scripts/bench-lib.sh
for who in letters zj.office xihu.office; do
  jar=$dir/jar-$who
  csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=$who --data-urlencode password=duban2020 $base/login -o /dev/null
  session=$(awk '$6 == "duban_session" {print $7}' "$jar")
  [ -n "$session" ] || { echo "login of $who failed"; exit 1; }
  total=$(curl -s -b "$jar" "$base/api/v1/letters?limit=1000" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
  after=$(curl -s -b "$jar" "$base/api/v1/letters?limit=1000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"] or "")')
  echo "-- $who (first 1,000 of the list: $total rows)"
  run "GET /api/v1/letters?limit=50" "$session" "/api/v1/letters?limit=50"
  [ -n "$after" ] && run "GET /api/v1/letters?limit=50&after=(row 1,000)" "$session" "/api/v1/letters?limit=50&after=$after"
  run "GET /letters (page, figures of the year and list)" "$session" "/letters"
  run "GET /letters for 2020 (figures of 1.06 M letters)" "$session" "/letters?from=2020-01-01&to=2020-12-31"
  run "GET /letters for 2020 as of 2020-11-05 (a past day)" "$session" "/letters?from=2020-01-01&to=2020-12-31&as_of=2020-11-05"
  run "GET /letters for 2020 as of 2020-10-31 (a month's end)" "$session" "/letters?from=2020-01-01&to=2020-12-31&as_of=2020-10-31"
  run "GET /home (workbench: 待办 with counts)" "$session" "/home"
  run "GET /api/v1/todo" "$session" "/api/v1/todo"
done
jar=$dir/jar-office
csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=office --data-urlencode password=duban2020 $base/login -o /dev/null
session=$(awk '$6 == "duban_session" {print $7}' "$jar")
plan=$(curl -s -b "$jar" $base/api/v1/plans | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["items"] if p["title"]=="最高检党组巡视整改方案" and p["unit_name"]=="最高人民检察院"][0])')
echo "-- office (SPP)"
run "GET /home (workbench: 待办 with counts)" "$session" "/home"
run "GET /todo/tasks_due (a list the workbench opens)" "$session" "/todo/tasks_due"
run "GET the SPP plan dashboard (87 tasks, roll-up)" "$session" "/rectification/plans/$plan"
# as of a past day: the first request counts every copy's tasks from their ledgers (timed alone;
# another day asked first, so that no earlier run's rows of this day are kept), the rest read the
# roll-up kept per subtree and day
curl -s -o /dev/null -b "$jar" "$base/rectification/plans/$plan?as_of=2020-11-04"; sleep 5
printf '%-52s %s\n' "SPP plan dashboard, first view as of 2020-11-05" "$(curl -s -o /dev/null -w '%{time_total} s' -b "$jar" "$base/rectification/plans/$plan?as_of=2020-11-05")"
run "GET the SPP plan dashboard as of 2020-11-05 (kept)" "$session" "/rectification/plans/$plan?as_of=2020-11-05"
run "GET /api/v1/plans/{id}/tasks" "$session" "/api/v1/plans/$plan/tasks"
run "GET /quality (the country's figures: every row of the page)" "$session" "/quality"
board_next=$(curl -s -b "$jar" "$base/rectification/board" | grep -o 'href="/rectification/board?[^"]*after=[^"]*"' | head -1 | cut -d'"' -f2 | sed 's/&amp;/\&/g; s/&#38;/\&/g' || true)
run "GET /rectification/board (counts and first page)" "$session" "/rectification/board"
[ -n "$board_next" ] && run "GET /rectification/board?after= (second page)" "$session" "$board_next"
