-- The roll-up of a cascaded plan kept per subtree and day (issue 22; see crates/store/src/cascade/kept.rs):
-- per lineage (the origin plan), unit and level of the copies' units, the copies in the unit's
-- subtree and their figures as of a day, for one pair of red-light cutoffs; level 0 marks a
-- subtree kept (also one without copies). A change of a copy deletes the rows (every day) of its unit and
-- its ancestors in the same transaction.
CREATE TABLE plan_rollup_tree (
  origin_plan_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  level BIGINT NOT NULL,
  as_of TEXT COLLATE "C" NOT NULL,
  cutoffs TEXT COLLATE "C" NOT NULL,
  copies BIGINT NOT NULL,
  im_total BIGINT NOT NULL, im_closed BIGINT NOT NULL, im_overdue BIGINT NOT NULL,
  tl_total BIGINT NOT NULL, tl_closed BIGINT NOT NULL, tl_overdue BIGINT NOT NULL,
  lt_total BIGINT NOT NULL, lt_staged BIGINT NOT NULL, lt_overdue BIGINT NOT NULL,
  PRIMARY KEY (origin_plan_id, unit_id, as_of, level)
);
CREATE FUNCTION plans_tree_forget() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(OLD.origin_plan_id, OLD.id)
      AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(NEW.origin_plan_id, NEW.id)
      AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = NEW.unit_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER plans_tree_forget AFTER INSERT OR DELETE OR UPDATE OF rollup_version, unit_id, origin_plan_id ON plans
FOR EACH ROW EXECUTE FUNCTION plans_tree_forget();
-- a task's last staged result on or before a day, for figures as of a past day (a lookup, not a
-- walk through the task's entries)
CREATE INDEX ledger_staged ON ledger_entries(task_id, entry_date) WHERE kind = 'staged';
