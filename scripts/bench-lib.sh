# Shared by the benchmark scripts (sourced): one measured request under 16 connections, with its
# failed responses counted (scripts/wrk-count.lua). Needs $base (the server) and $secs.
run() { # label, session, path
  wrk -t2 -c16 -d2s -H "Cookie: duban_session=$2" "$base$3" >/dev/null
  printf '%-52s ' "$1"
  wrk -t2 -c16 -d"${secs}s" --latency -s scripts/wrk-count.lua -H "Cookie: duban_session=$2" "$base$3" |
    awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /failed responses/ {f=$3" of "$5} END {printf "%9s req/s  p50 %8s  p99 %8s  failed %s\n", r, p50, p99, f}'
}

app_today() { # db: the application's today (a demo database pins it), else China's today
  local q="SELECT value FROM settings WHERE key = 'clock.today'" d
  if [[ $1 == sqlite://* ]]; then
    d=$(python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "${1#sqlite://}" "$q")
  else
    d=$(psql "$1" -At -c "$q")
  fi
  [ -n "$d" ] && echo "$d" || TZ=Asia/Shanghai date +%F
}
