-- Notices may also remind a staff member of the month's interference-record filing they owe
-- (`filer_id`): the same sweep, the same delivery.
CREATE TABLE notices_new (
  id INTEGER PRIMARY KEY,
  task_id INTEGER REFERENCES tasks(id),
  letter_id INTEGER REFERENCES letters(id),
  filer_id INTEGER REFERENCES staff(id),
  kind TEXT NOT NULL,
  level TEXT NOT NULL DEFAULT '',
  dedupe TEXT NOT NULL,
  addressee_id INTEGER REFERENCES staff(id),
  issued_on TEXT NOT NULL,
  days_overdue INTEGER NOT NULL DEFAULT 0,
  email TEXT NOT NULL DEFAULT '',
  claimed_at INTEGER,
  sent_at TEXT,
  created_at TEXT NOT NULL,
  CHECK ((task_id IS NOT NULL) + (letter_id IS NOT NULL) + (filer_id IS NOT NULL) = 1)
);
INSERT INTO notices_new (id, task_id, letter_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, claimed_at, sent_at, created_at)
  SELECT id, task_id, letter_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, claimed_at, sent_at, created_at FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;
CREATE UNIQUE INDEX notices_task_key ON notices(task_id, dedupe) WHERE task_id IS NOT NULL;
CREATE UNIQUE INDEX notices_letter_key ON notices(letter_id, dedupe) WHERE letter_id IS NOT NULL;
CREATE INDEX notices_addressee ON notices(addressee_id);
CREATE INDEX notices_unsent ON notices(id) WHERE sent_at IS NULL AND email <> '';
CREATE UNIQUE INDEX notices_filer_key ON notices(filer_id, dedupe) WHERE filer_id IS NOT NULL;
