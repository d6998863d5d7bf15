#!/usr/bin/env bash
# Benchmarks of the interference-records module for docs/PERFORMANCE.md, on the nationwide data in
# SQLite: importing a year of monthly filings for every staff member (about 3,000,000 rows, 2021),
# and flagging every unit.
# Usage: scripts/bench-records.sh [DB_URL]   (default: a fresh SQLite file)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$PWD/target/release/duban
dir=$(mktemp -d)
db=${1:-sqlite://$dir/duban.db}
export DUBAN_LOG=error
echo "== duban demo --scale nation --cases-per-unit 0"
$bin --lang en --db "$db" demo --scale nation --cases-per-unit 0 | grep -E "records|staff" | head -3
echo "== a year of filings: every staff member, 12 months of 2021, one in 60 months with records"
python3 - "$db" "$dir/filings.csv" <<'PY'
import csv, sqlite3, sys, random
db, out = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db.removeprefix("sqlite://"))
staff = [r[0] for r in con.execute("SELECT staff_no FROM staff ORDER BY id")]
random.seed(7)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow("month,staff_id,zero_report,occurred_on,intervener_name,intervener_unit,intervener_post,intervener_category,is_procuratorate_staff,manner,scope,case_ref,content".split(","))
    for m in range(1, 13):
        for no in staff:
            if random.random() < 1 / 60:
                w.writerow([f"2021-{m:02}", no, 0, f"2021-{m:02}-15", "某某", "某区政法委", "副书记", "领导干部", 0, "电话", "司法办案", "", "电话过问案件办理进度，要求从轻处理"])
            else:
                w.writerow([f"2021-{m:02}", no, 1] + [""] * 10)
PY
wc -l "$dir/filings.csv"
ls -l "$dir/filings.csv"
echo "== duban import records (whole process)"
/usr/bin/time -f "import: %e s wall, %M KiB peak RSS" $bin --db "$db" import records "$dir/filings.csv"
echo "== the same file again: every row refused, nothing written"
/usr/bin/time -f "refusal: %e s wall, %M KiB peak RSS" $bin --db "$db" import records "$dir/filings.csv" 2>&1 | tail -3 || true
echo "== flag every unit for 2021 (3 runs)"
for _ in 1 2 3; do
  /usr/bin/time -f "%e s" $bin --db "$db" records flag --from 2021-01 --to 2021-12 --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['flagged']), 'flagged')"
done
rm -rf "$dir"
