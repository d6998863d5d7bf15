-- The staff in post kept per scope (issue 22): a unit with all units below it, by month of
-- change, as post_tallies keeps them per unit and department. The workbench's filing reminders
-- sum the rows of each subordinate scope (O(units below × months)) instead of every unit's
-- rows of the subtree. Kept by triggers on post_tallies (whatever writes them: staff, posts);
-- rebuilt with the closure when units move.
CREATE TABLE post_scopes (
  scope_id INTEGER NOT NULL,
  month INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  PRIMARY KEY (scope_id, month)
) WITHOUT ROWID;
INSERT INTO post_scopes (scope_id, month, delta)
  SELECT a.ancestor_id, t.month, SUM(t.delta) FROM post_tallies t JOIN unit_ancestors a ON a.unit_id = t.unit_id
  GROUP BY a.ancestor_id, t.month;
CREATE TRIGGER post_scopes_insert AFTER INSERT ON post_tallies BEGIN
  INSERT INTO post_scopes (scope_id, month, delta) SELECT a.ancestor_id, NEW.month, NEW.delta FROM unit_ancestors a WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, month) DO UPDATE SET delta = delta + excluded.delta;
END;
CREATE TRIGGER post_scopes_update AFTER UPDATE ON post_tallies BEGIN
  INSERT INTO post_scopes (scope_id, month, delta) SELECT a.ancestor_id, OLD.month, -OLD.delta FROM unit_ancestors a WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, month) DO UPDATE SET delta = delta + excluded.delta;
  INSERT INTO post_scopes (scope_id, month, delta) SELECT a.ancestor_id, NEW.month, NEW.delta FROM unit_ancestors a WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, month) DO UPDATE SET delta = delta + excluded.delta;
END;
CREATE TRIGGER post_scopes_delete AFTER DELETE ON post_tallies BEGIN
  INSERT INTO post_scopes (scope_id, month, delta) SELECT a.ancestor_id, OLD.month, -OLD.delta FROM unit_ancestors a WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, month) DO UPDATE SET delta = delta + excluded.delta;
END;
