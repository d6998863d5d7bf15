-- The staff in post kept per scope (issue 22): a unit with all units below it, by month of
-- change, as post_tallies keeps them per unit and department. The workbench's filing reminders
-- sum the rows of each subordinate scope (O(units below × months)) instead of every unit's
-- rows of the subtree. Kept by a row trigger on post_tallies (whatever writes them: staff,
-- posts); rebuilt with the closure when units move.
CREATE TABLE post_scopes (
  scope_id BIGINT NOT NULL,
  month BIGINT NOT NULL,
  delta BIGINT NOT NULL,
  PRIMARY KEY (scope_id, month)
);
INSERT INTO post_scopes (scope_id, month, delta)
  SELECT a.ancestor_id, t.month, SUM(t.delta) FROM post_tallies t JOIN unit_ancestors a ON a.unit_id = t.unit_id
  GROUP BY a.ancestor_id, t.month;
CREATE OR REPLACE FUNCTION post_scopes_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO post_scopes AS s (scope_id, month, delta) SELECT a.ancestor_id, OLD.month, -OLD.delta FROM unit_ancestors a
      WHERE a.unit_id = OLD.unit_id ORDER BY 1
      ON CONFLICT (scope_id, month) DO UPDATE SET delta = s.delta + excluded.delta;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO post_scopes AS s (scope_id, month, delta) SELECT a.ancestor_id, NEW.month, NEW.delta FROM unit_ancestors a
      WHERE a.unit_id = NEW.unit_id ORDER BY 1
      ON CONFLICT (scope_id, month) DO UPDATE SET delta = s.delta + excluded.delta;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER post_scopes_row AFTER INSERT OR UPDATE OR DELETE ON post_tallies
  FOR EACH ROW EXECUTE FUNCTION post_scopes_row();
