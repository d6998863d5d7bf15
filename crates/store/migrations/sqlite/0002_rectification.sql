ALTER TABLE users ADD COLUMN staff_id INTEGER REFERENCES staff(id);
CREATE TABLE rounds (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  title TEXT NOT NULL,
  inspector TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'central',
  inspected_from TEXT NOT NULL,
  inspected_to TEXT NOT NULL,
  feedback_date TEXT NOT NULL,
  report_due TEXT NOT NULL
);
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  adopted_on TEXT NOT NULL,
  UNIQUE (unit_id, title)
);
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  seq INTEGER NOT NULL,
  feedback TEXT NOT NULL,
  manifestation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX problems_plan ON problems(plan_id);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  problem_id INTEGER REFERENCES problems(id),
  seq INTEGER NOT NULL,
  title TEXT NOT NULL,
  measure TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL,
  deadline TEXT,
  standard TEXT NOT NULL DEFAULT '',
  lead_leader_id INTEGER REFERENCES staff(id),
  responsible_id INTEGER REFERENCES staff(id),
  state TEXT NOT NULL DEFAULT 'not_started',
  created_on TEXT NOT NULL,
  closed_on TEXT,
  last_entry_on TEXT,
  last_staged_on TEXT
);
CREATE INDEX tasks_plan ON tasks(plan_id);
CREATE INDEX tasks_leader ON tasks(lead_leader_id);
CREATE TABLE task_departments (
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  department_id INTEGER NOT NULL REFERENCES departments(id),
  is_lead INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (task_id, department_id)
);
CREATE INDEX task_departments_dept ON task_departments(department_id);
CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  entry_date TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  corrects_id INTEGER REFERENCES ledger_entries(id),
  state_after TEXT NOT NULL,
  author_id INTEGER REFERENCES users(id),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX ledger_task ON ledger_entries(task_id, entry_date);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  content BLOB NOT NULL
);
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES ledger_entries(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL
);
CREATE INDEX evidence_entry ON evidence(entry_id);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
