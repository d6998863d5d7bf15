-- A sweep may skip a task from quiet_from until the day before quiet_until: with unchanged facts,
-- nothing new is owed in between (domain::rectification::urging::quiet_until). Any change of the
-- facts ends the quiet.
ALTER TABLE tasks ADD COLUMN quiet_from TEXT;
ALTER TABLE tasks ADD COLUMN quiet_until TEXT;
CREATE OR REPLACE FUNCTION tasks_facts_changed() RETURNS trigger AS $$
BEGIN
  IF (NEW.state, NEW.category, NEW.deadline, NEW.created_on, NEW.last_entry_on, NEW.last_staged_on)
     IS DISTINCT FROM (OLD.state, OLD.category, OLD.deadline, OLD.created_on, OLD.last_entry_on, OLD.last_staged_on) THEN
    NEW.quiet_from := NULL;
    NEW.quiet_until := NULL;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tasks_facts_changed BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_facts_changed();
