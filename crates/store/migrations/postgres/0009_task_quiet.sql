-- The sweep's quiet days move to a narrow table: a sweep that looks at every open task then
-- writes a few bytes a task instead of rewriting every task row.
CREATE TABLE task_quiet (
  task_id BIGINT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
  quiet_from TEXT NOT NULL,
  quiet_until TEXT NOT NULL
);
DROP TRIGGER IF EXISTS tasks_facts_changed ON tasks;
CREATE OR REPLACE FUNCTION tasks_facts_changed() RETURNS trigger AS $$
BEGIN
  IF (NEW.state, NEW.category, NEW.deadline, NEW.created_on, NEW.last_entry_on, NEW.last_staged_on)
     IS DISTINCT FROM (OLD.state, OLD.category, OLD.deadline, OLD.created_on, OLD.last_entry_on, OLD.last_staged_on) THEN
    DELETE FROM task_quiet WHERE task_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tasks_facts_changed AFTER UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_facts_changed();
ALTER TABLE tasks DROP COLUMN quiet_from;
ALTER TABLE tasks DROP COLUMN quiet_until;
