-- The discipline group's desk (issue 19): problem clues and their history, the desk's own
-- urging notices (never in the supervision board), monthly reviews, look-backs, the violations
-- register.
CREATE TABLE clues (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  clue_no TEXT NOT NULL,
  received_on TEXT NOT NULL,
  source TEXT NOT NULL,
  subject_staff_id BIGINT REFERENCES staff(id),
  subject_name TEXT NOT NULL DEFAULT '',
  subject_post TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL,
  disposal TEXT,
  disposal_on TEXT,
  outcome TEXT,
  concluded_on TEXT,
  -- the deadline of the stage the clue is in (kept with each step)
  due_on TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (unit_id, clue_no)
);
CREATE INDEX clues_unit_received ON clues(unit_id, received_on);
CREATE INDEX clues_open ON clues(unit_id, due_on, id) WHERE concluded_on IS NULL;
CREATE INDEX clues_disposed ON clues(unit_id, disposal_on) WHERE disposal_on IS NOT NULL;
CREATE TABLE clue_events (
  id BIGSERIAL PRIMARY KEY,
  clue_id BIGINT NOT NULL REFERENCES clues(id),
  kind TEXT NOT NULL,
  code TEXT NOT NULL DEFAULT '',
  on_date TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  review_id BIGINT,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX clue_events_clue ON clue_events(clue_id);
CREATE TABLE clue_notices (
  id BIGSERIAL PRIMARY KEY,
  clue_id BIGINT NOT NULL REFERENCES clues(id),
  kind TEXT NOT NULL,
  level TEXT NOT NULL DEFAULT '',
  dedupe TEXT NOT NULL UNIQUE,
  issued_on TEXT NOT NULL,
  days_overdue BIGINT NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX clue_notices_clue ON clue_notices(clue_id);
CREATE TABLE desk_reviews (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  month TEXT NOT NULL,
  held_on TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX desk_reviews_unit ON desk_reviews(unit_id, month);
CREATE TABLE lookbacks (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  title TEXT NOT NULL,
  from_on TEXT NOT NULL,
  to_on TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE lookback_items (
  lookback_id BIGINT NOT NULL REFERENCES lookbacks(id),
  clue_id BIGINT NOT NULL REFERENCES clues(id),
  verdict TEXT,
  note TEXT NOT NULL DEFAULT '',
  assessed_on TEXT,
  author TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (lookback_id, clue_id)
);
CREATE TABLE violations (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  staff_id BIGINT REFERENCES staff(id),
  name TEXT NOT NULL,
  post TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  filed_on TEXT NOT NULL,
  outcome TEXT,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX violations_unit_filed ON violations(unit_id, filed_on);
-- Integrity talks (廉政谈话): a yearly plan per unit, the talks held, and who is still to be
-- talked to (the staff in post in the plan's scope without a talk).
CREATE TABLE talk_plans (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  year BIGINT NOT NULL,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (unit_id, year)
);
CREATE TABLE talks (
  id BIGSERIAL PRIMARY KEY,
  plan_id BIGINT NOT NULL REFERENCES talk_plans(id),
  staff_id BIGINT NOT NULL REFERENCES staff(id),
  kind TEXT NOT NULL,
  held_on TEXT NOT NULL,
  talker TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX talks_plan_staff ON talks(plan_id, staff_id);
CREATE INDEX talks_staff ON talks(staff_id);
CREATE INDEX violations_staff ON violations(staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX clues_subject ON clues(subject_staff_id) WHERE subject_staff_id IS NOT NULL;
-- Attachments of clues (content-addressed, like evidence).
CREATE TABLE clue_files (
  id BIGSERIAL PRIMARY KEY,
  clue_id BIGINT NOT NULL REFERENCES clues(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX clue_files_clue ON clue_files(clue_id);
-- Personal-matters reports (个人有关事项报告): only the dates they were filed, for the file.
CREATE TABLE personal_reports (
  id BIGSERIAL PRIMARY KEY,
  staff_id BIGINT NOT NULL REFERENCES staff(id),
  year BIGINT NOT NULL,
  reported_on TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (staff_id, year)
);
