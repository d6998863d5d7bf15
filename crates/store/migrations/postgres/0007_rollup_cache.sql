-- Roll-up figures of a plan for a day, kept while the plan's tasks do not change: every change of a
-- task's counted facts bumps its plan's rollup_version, which invalidates the cached row.
ALTER TABLE plans ADD COLUMN rollup_version BIGINT NOT NULL DEFAULT 0;
CREATE TABLE plan_rollup (
  plan_id BIGINT PRIMARY KEY REFERENCES plans(id),
  as_of TEXT NOT NULL,
  version BIGINT NOT NULL,
  im_total BIGINT NOT NULL, im_closed BIGINT NOT NULL, im_overdue BIGINT NOT NULL,
  tl_total BIGINT NOT NULL, tl_closed BIGINT NOT NULL, tl_overdue BIGINT NOT NULL,
  lt_total BIGINT NOT NULL, lt_staged BIGINT NOT NULL, lt_overdue BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION tasks_rollup_bump() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE plans SET rollup_version = rollup_version + 1 WHERE id = NEW.plan_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE plans SET rollup_version = rollup_version + 1 WHERE id = OLD.plan_id;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tasks_rollup_bump AFTER INSERT OR DELETE OR UPDATE OF plan_id, state, category, deadline, created_on, last_staged_on ON tasks
FOR EACH ROW EXECUTE FUNCTION tasks_rollup_bump();
