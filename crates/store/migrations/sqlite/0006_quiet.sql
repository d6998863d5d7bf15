-- A sweep may skip a task from quiet_from until the day before quiet_until: with unchanged facts,
-- nothing new is owed in between (domain::rectification::urging::quiet_until). Any change of the
-- facts ends the quiet.
ALTER TABLE tasks ADD COLUMN quiet_from TEXT;
ALTER TABLE tasks ADD COLUMN quiet_until TEXT;
CREATE TRIGGER tasks_facts_changed AFTER UPDATE OF state, category, deadline, created_on, last_entry_on, last_staged_on ON tasks
WHEN NEW.quiet_until IS NOT NULL
BEGIN
  UPDATE tasks SET quiet_from = NULL, quiet_until = NULL WHERE id = NEW.id;
END;
