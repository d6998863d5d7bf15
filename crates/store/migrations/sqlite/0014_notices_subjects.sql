-- Notices are about a task or a letter (the same urging for both). Each is unique per subject and
-- key: one composite index instead of a unique key text plus an index on the task.
CREATE TABLE notices_new (
  id INTEGER PRIMARY KEY,
  task_id INTEGER REFERENCES tasks(id),
  letter_id INTEGER REFERENCES letters(id),
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
  CHECK ((task_id IS NULL) <> (letter_id IS NULL))
);
INSERT INTO notices_new (id, task_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, claimed_at, sent_at, created_at)
  SELECT id, task_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, claimed_at, sent_at, created_at FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;
CREATE UNIQUE INDEX notices_task_key ON notices(task_id, dedupe) WHERE task_id IS NOT NULL;
CREATE UNIQUE INDEX notices_letter_key ON notices(letter_id, dedupe) WHERE letter_id IS NOT NULL;
CREATE INDEX notices_addressee ON notices(addressee_id);
CREATE INDEX notices_unsent ON notices(id) WHERE sent_at IS NULL AND email <> '';
-- The writer's personal data besides name and phone.
ALTER TABLE letters ADD COLUMN id_number TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- The letters sweep reads the letters open on its day (not closed, or closed after it) from this
-- index alone.
CREATE INDEX letters_open ON letters(closed_on, received_on, ack_due, reply_due, acknowledged_on, replied_on, unit_id);
