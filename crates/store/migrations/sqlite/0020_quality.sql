-- Case quality (案件质量): cases from the case-handling system with a summary kept at import (the
-- 案-件比's entry day for regular cases, conclusion and plea, the time limit), their procedure
-- events, tags, and the process-monitoring hits.
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  case_no TEXT NOT NULL UNIQUE,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  case_type TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  entry_on TEXT,
  irregular INTEGER NOT NULL DEFAULT 0,
  concluded_on TEXT,
  plea INTEGER NOT NULL DEFAULT 0,
  limit_start TEXT,
  limit_due TEXT,
  limit_end TEXT
);
CREATE INDEX cases_unit_entry ON cases(unit_id, entry_on, case_type);
CREATE INDEX cases_unit_concluded ON cases(unit_id, concluded_on, case_type, plea);
CREATE INDEX cases_due ON cases(limit_due, unit_id) WHERE limit_due IS NOT NULL;
CREATE INDEX cases_irregular ON cases(unit_id) WHERE irregular = 1;
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  event TEXT NOT NULL,
  on_date TEXT NOT NULL,
  -- denormalised from the case (a case never moves between units)
  unit_id INTEGER NOT NULL,
  case_type TEXT NOT NULL,
  -- for the 件 of regular cases: the case's entry day when this is an extra step
  extra_entry_on TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, on_date);
CREATE INDEX case_events_extra ON case_events(extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL;
CREATE INDEX case_events_unit_extra ON case_events(unit_id, extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL;
-- events per unit, type, event and month, and per day (kept at import; a period's event counts read
-- the months when it is made of whole months, else the days)
CREATE TABLE case_event_days (
  on_date TEXT NOT NULL,
  unit_id INTEGER NOT NULL,
  case_type TEXT NOT NULL,
  event TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (on_date, unit_id, case_type, event)
) WITHOUT ROWID;
CREATE TABLE case_tags (
  tag TEXT NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  PRIMARY KEY (tag, case_id)
);
CREATE TABLE case_hits (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  rule TEXT NOT NULL,
  on_date TEXT NOT NULL,
  -- the supervised matter (a task on the rectification engine) it became
  task_id INTEGER REFERENCES tasks(id),
  UNIQUE (case_id, rule)
);
CREATE TABLE case_event_months (
  unit_id INTEGER NOT NULL,
  month TEXT NOT NULL,
  case_type TEXT NOT NULL,
  event TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (unit_id, month, case_type, event)
) WITHOUT ROWID;
