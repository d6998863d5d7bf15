-- The roll-up of a cascaded plan kept per subtree and day (issue 22; see crates/store/src/cascade/kept.rs):
-- per lineage (the origin plan), unit and level of the copies' units, the copies in the unit's
-- subtree and their figures as of a day, for one pair of red-light cutoffs; level 0 marks a
-- subtree kept (also one without copies). A change of a copy deletes the rows (every day) of its unit and
-- its ancestors in the same transaction.
CREATE TABLE plan_rollup_tree (
  origin_plan_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL,
  level INTEGER NOT NULL,
  as_of TEXT NOT NULL,
  cutoffs TEXT NOT NULL,
  copies INTEGER NOT NULL,
  im_total INTEGER NOT NULL, im_closed INTEGER NOT NULL, im_overdue INTEGER NOT NULL,
  tl_total INTEGER NOT NULL, tl_closed INTEGER NOT NULL, tl_overdue INTEGER NOT NULL,
  lt_total INTEGER NOT NULL, lt_staged INTEGER NOT NULL, lt_overdue INTEGER NOT NULL,
  PRIMARY KEY (origin_plan_id, unit_id, as_of, level)
) WITHOUT ROWID;
CREATE TRIGGER plans_tree_forget_insert AFTER INSERT ON plans BEGIN
  DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(NEW.origin_plan_id, NEW.id)
    AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = NEW.unit_id);
END;
CREATE TRIGGER plans_tree_forget_update AFTER UPDATE OF rollup_version, unit_id, origin_plan_id ON plans BEGIN
  DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(OLD.origin_plan_id, OLD.id)
    AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id);
  DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(NEW.origin_plan_id, NEW.id)
    AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = NEW.unit_id);
END;
CREATE TRIGGER plans_tree_forget_delete AFTER DELETE ON plans BEGIN
  DELETE FROM plan_rollup_tree WHERE origin_plan_id = COALESCE(OLD.origin_plan_id, OLD.id)
    AND unit_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id);
END;
-- a task's last staged result on or before a day, for figures as of a past day (a lookup, not a
-- walk through the task's entries)
CREATE INDEX ledger_staged ON ledger_entries(task_id, entry_date) WHERE kind = 'staged';
