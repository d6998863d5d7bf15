#!/usr/bin/env python3
# A synthetic year of criminal-case events ordered by case, for ingest benchmarks:
#   scripts/gen-case-events.py UNIT_CODES.txt OUT.csv N_EVENTS
# (UNIT_CODES.txt: one unit code per line, e.g. `sqlite3 DB "SELECT code FROM units"`).
import random, sys, datetime
random.seed(3)
units = [l.strip() for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[3])
base = datetime.date(2020, 1, 1)
dates = [str(base + datetime.timedelta(days=d)) for d in range(400)]
out = open(sys.argv[2], "w")
out.write("case_id,unit_code,case_type,event,occurred_on,tags\n")
count = 0
i = 0
buf = []
while count < n:
    u = units[i % len(units)]
    s = random.randrange(0, 230)
    t = s
    evs = []
    if random.random() < 0.6:
        evs += [("受理审查逮捕", t), ("批准逮捕", t + 5)]
        t += 30
    evs.append(("受理审查起诉", t))
    end = t + 25
    if random.random() < 0.2:
        evs.append(("退回补充侦查", t + 20)); end += 30
    if random.random() < 0.1:
        evs.append(("延长审查起诉期限", end - 5)); end += 15
    if random.random() < 0.85:
        evs.append(("认罪认罚", t + 10))
    evs += [("提起公诉", end), ("审结", end)]
    tag = "涉疫" if random.random() < 0.002 else ""
    for e, d in evs:
        buf.append(f"N{u}-{i},{u},刑事,{e},{dates[d]},{tag}\n")
    count += len(evs)
    i += 1
    if len(buf) > 100000:
        out.write("".join(buf)); buf = []
out.write("".join(buf))
