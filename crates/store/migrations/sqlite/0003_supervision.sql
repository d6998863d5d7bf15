ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE TABLE notices (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  kind TEXT NOT NULL,
  level TEXT NOT NULL DEFAULT '',
  dedupe TEXT NOT NULL UNIQUE,
  addressee_id INTEGER REFERENCES staff(id),
  issued_on TEXT NOT NULL,
  days_overdue INTEGER NOT NULL DEFAULT 0,
  email TEXT NOT NULL DEFAULT '',
  claimed_at INTEGER,
  sent_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX notices_task ON notices(task_id);
CREATE INDEX notices_addressee ON notices(addressee_id);
CREATE INDEX notices_unsent ON notices(sent_at, email);
