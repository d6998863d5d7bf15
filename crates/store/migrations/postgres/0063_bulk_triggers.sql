-- Triggers that kept figures row by row, made to cost once per statement on PostgreSQL (issue 22,
-- the bulk paths). SQLite updates rows in place and keeps its row triggers; nothing changes there.
--
-- The per-scope tallies of the staff in post (0052) and of the filings (0060) are kept from the
-- statement's transition tables, summed per scope and month. A row trigger upserted each scope's
-- row once per tally row changed: a statement that changes many tallies at once (the national
-- generator's year of filings, 436,000 tally rows) updated the SPP's row of a month tens of
-- thousands of times in one transaction, and each update walked the versions the earlier ones
-- had left (more than eight minutes in that one statement).
DROP TRIGGER post_scopes_row ON post_tallies;
DROP FUNCTION post_scopes_row();
DROP TRIGGER filing_scopes_row ON filing_tallies;
DROP FUNCTION filing_scopes_row();

-- One function for both: the scope table and its count column are the trigger's arguments.
CREATE FUNCTION scope_tally_rows() RETURNS trigger AS $$
DECLARE
  deltas TEXT := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT unit_id, month, %1$I AS n FROM new_rows', TG_ARGV[1])
    WHEN 'DELETE' THEN format('SELECT unit_id, month, -%1$I AS n FROM old_rows', TG_ARGV[1])
    ELSE format('SELECT unit_id, month, %1$I AS n FROM new_rows UNION ALL SELECT unit_id, month, -%1$I FROM old_rows', TG_ARGV[1])
  END;
BEGIN
  EXECUTE format(
    'INSERT INTO %1$I AS s (scope_id, month, %2$I) SELECT a.ancestor_id, d.month, SUM(d.n) FROM (%3$s) d '
    'JOIN unit_ancestors a ON a.unit_id = d.unit_id GROUP BY 1, 2 ORDER BY 1, 2 '
    'ON CONFLICT (scope_id, month) DO UPDATE SET %2$I = s.%2$I + excluded.%2$I',
    TG_ARGV[0], TG_ARGV[1], deltas);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER post_scopes_insert AFTER INSERT ON post_tallies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('post_scopes', 'delta');
CREATE TRIGGER post_scopes_update AFTER UPDATE ON post_tallies REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('post_scopes', 'delta');
CREATE TRIGGER post_scopes_delete AFTER DELETE ON post_tallies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('post_scopes', 'delta');
CREATE TRIGGER filing_scopes_insert AFTER INSERT ON filing_tallies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('filing_scopes', 'filed');
CREATE TRIGGER filing_scopes_update AFTER UPDATE ON filing_tallies REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('filing_scopes', 'filed');
CREATE TRIGGER filing_scopes_delete AFTER DELETE ON filing_tallies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION scope_tally_rows('filing_scopes', 'filed');

-- A task inserted or deleted raises its plan's roll-up version once per statement, not once per
-- task: cascading a plan inserts each copy's hundred tasks in one statement (3,632 copies on the
-- national data: 316,000 updates of the plans' rows, each forgetting the plan's kept roll-up, became
-- 3,632). A task update keeps its row trigger (a trigger with transition tables cannot name the
-- columns it watches), and that and the quiet mark's are switched off by `duban.bulk` for a bulk
-- update that does their work once itself (`org::tasks_changed`; the generator's final facts of
-- 316,000 tasks).
DROP TRIGGER tasks_rollup_bump ON tasks;
CREATE FUNCTION tasks_rollup_bump_rows() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE plans SET rollup_version = rollup_version + 1 WHERE id IN (SELECT plan_id FROM new_rows);
  ELSE
    UPDATE plans SET rollup_version = rollup_version + 1 WHERE id IN (SELECT plan_id FROM old_rows);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tasks_rollup_bump_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tasks_rollup_bump_rows();
CREATE TRIGGER tasks_rollup_bump_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tasks_rollup_bump_rows();
CREATE TRIGGER tasks_rollup_bump AFTER UPDATE OF plan_id, state, category, deadline, created_on, last_staged_on ON tasks
  FOR EACH ROW WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION tasks_rollup_bump();
DROP TRIGGER tasks_facts_changed ON tasks;
CREATE TRIGGER tasks_facts_changed AFTER UPDATE ON tasks
  FOR EACH ROW WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION tasks_facts_changed();
