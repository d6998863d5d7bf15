-- The sweep's quiet days move to a narrow table: a sweep that looks at every open task then
-- writes a few bytes a task instead of rewriting every task row.
CREATE TABLE task_quiet (
  task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
  quiet_from TEXT NOT NULL,
  quiet_until TEXT NOT NULL
);
DROP TRIGGER IF EXISTS tasks_facts_changed;
CREATE TRIGGER tasks_facts_changed AFTER UPDATE OF state, category, deadline, created_on, last_entry_on, last_staged_on ON tasks
BEGIN
  DELETE FROM task_quiet WHERE task_id = NEW.id;
END;
ALTER TABLE tasks DROP COLUMN quiet_from;
ALTER TABLE tasks DROP COLUMN quiet_until;
