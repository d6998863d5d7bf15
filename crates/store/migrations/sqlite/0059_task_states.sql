-- Each task's states over time (issue 22): the intervals [from_day, to_day) on which its state
-- and the day of its last staged result stood, one row per change, counted from the ledger (the
-- store keeps a task's rows in every write that adds one of its entries, and counts them all
-- once after this migration: `rectification::states`). A day's figures of a plan read one row a
-- task by this key instead of searching every task's ledger twice.
CREATE TABLE task_states (
  task_id INTEGER NOT NULL,
  from_day TEXT NOT NULL,
  to_day TEXT NOT NULL,
  state TEXT NOT NULL,
  staged_on TEXT,
  PRIMARY KEY (task_id, from_day)
) WITHOUT ROWID;
