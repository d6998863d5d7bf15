-- Roll-up figures of a plan for a day, kept while the plan's tasks do not change: every change of a
-- task's counted facts bumps its plan's rollup_version, which invalidates the cached row.
ALTER TABLE plans ADD COLUMN rollup_version INTEGER NOT NULL DEFAULT 0;
CREATE TABLE plan_rollup (
  plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
  as_of TEXT NOT NULL,
  version INTEGER NOT NULL,
  im_total INTEGER NOT NULL, im_closed INTEGER NOT NULL, im_overdue INTEGER NOT NULL,
  tl_total INTEGER NOT NULL, tl_closed INTEGER NOT NULL, tl_overdue INTEGER NOT NULL,
  lt_total INTEGER NOT NULL, lt_staged INTEGER NOT NULL, lt_overdue INTEGER NOT NULL
);
CREATE TRIGGER tasks_rollup_insert AFTER INSERT ON tasks BEGIN
  UPDATE plans SET rollup_version = rollup_version + 1 WHERE id = NEW.plan_id;
END;
CREATE TRIGGER tasks_rollup_update AFTER UPDATE OF plan_id, state, category, deadline, created_on, last_staged_on ON tasks BEGIN
  UPDATE plans SET rollup_version = rollup_version + 1 WHERE id IN (NEW.plan_id, OLD.plan_id);
END;
CREATE TRIGGER tasks_rollup_delete AFTER DELETE ON tasks BEGIN
  UPDATE plans SET rollup_version = rollup_version + 1 WHERE id = OLD.plan_id;
END;
