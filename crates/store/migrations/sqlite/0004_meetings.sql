CREATE TABLE meetings (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  held_on TEXT NOT NULL,
  title TEXT NOT NULL,
  minutes TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX meetings_unit ON meetings(unit_id, held_on);
CREATE TABLE meeting_items (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id),
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  reason TEXT NOT NULL,
  decision TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL DEFAULT '',
  action_value TEXT NOT NULL DEFAULT '',
  decided_at TEXT
);
CREATE INDEX meeting_items_meeting ON meeting_items(meeting_id);
