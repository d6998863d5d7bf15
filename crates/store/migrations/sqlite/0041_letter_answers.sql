-- Letters (issue 18): the answer reaches the writer, 交办 comes back, letters leave the
-- procuratorates, and the writer's rating opens a review.
-- the writer's e-mail address (the mobile number is `phone`)
ALTER TABLE letters ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- transferred out of the procuratorates (转出): to which kind of organ, which organ, when
ALTER TABLE letters ADD COLUMN out_kind TEXT;
ALTER TABLE letters ADD COLUMN out_organ TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN out_on TEXT;
-- the first day a reply reached the writer by e-mail or SMS
ALTER TABLE letters ADD COLUMN notified_on TEXT;
-- a dissatisfied rating opens a review (复查) by the unit above
ALTER TABLE letters ADD COLUMN review_unit_id INTEGER REFERENCES units(id);
ALTER TABLE letters ADD COLUMN review_due TEXT;
ALTER TABLE letters ADD COLUMN reviewed_on TEXT;
CREATE INDEX letters_review ON letters(review_unit_id, review_due) WHERE review_unit_id IS NOT NULL AND reviewed_on IS NULL;
-- the figures count only the letters notified or rated (partial indexes, covering the counts)
CREATE INDEX letters_notified ON letters(unit_id, received_on, notified_on) WHERE notified_on IS NOT NULL;
CREATE INDEX letters_rated ON letters(unit_id, received_on, rating, rated_on) WHERE rating IS NOT NULL;
-- Reply letters (答复书, 告知书, 转送函): numbered per unit and year, composed once and kept
-- (the composition is frozen; PDF and DOCX are rendered from it).
CREATE TABLE letter_replies (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  number TEXT NOT NULL,
  on_date TEXT NOT NULL,
  document TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (unit_id, year, seq)
);
CREATE INDEX letter_replies_letter ON letter_replies(letter_id);
-- A unit's own reply templates (else the built-in ones).
CREATE TABLE letter_templates (
  unit_id INTEGER NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  author TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (unit_id, kind)
);
-- What is sent to the writer (e-mail, SMS): written with the step, delivered and retried by the
-- scheduler, its result kept.
CREATE TABLE letter_sends (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  reply_id INTEGER REFERENCES letter_replies(id),
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  claimed_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  sent_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX letter_sends_letter ON letter_sends(letter_id);
CREATE INDEX letter_sends_due ON letter_sends(next_at) WHERE status = 'pending';
-- 交办: a lower unit handles the letter and reports back by a deadline.
CREATE TABLE letter_assignments (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  from_unit_id INTEGER NOT NULL REFERENCES units(id),
  to_unit_id INTEGER NOT NULL REFERENCES units(id),
  assigned_on TEXT NOT NULL,
  report_due TEXT NOT NULL,
  reported_on TEXT,
  returns INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX letter_assignments_letter ON letter_assignments(letter_id);
CREATE INDEX letter_assignments_from ON letter_assignments(from_unit_id, assigned_on, report_due, reported_on);
CREATE INDEX letter_assignments_open ON letter_assignments(report_due) WHERE reported_on IS NULL;
-- what a unit waits for: its assignments' reports, its reviews
CREATE INDEX letter_assignments_owed ON letter_assignments(from_unit_id, report_due) WHERE reported_on IS NULL;
