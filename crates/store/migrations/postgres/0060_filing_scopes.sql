-- The filings kept per scope (issue 22), as the staff in post are (0052): a unit with all units
-- below it, by month, as filing_tallies keeps them per unit and department. The workbench's filing
-- reminders read each subordinate scope's row of the month, by key, in one prepared statement,
-- instead of the month's rows of every unit in the subtree through the closure (a statement
-- planned on every request on PostgreSQL). Kept by triggers on filing_tallies; rebuilt with the
-- closure when units move.
CREATE TABLE filing_scopes (
  scope_id BIGINT NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  filed BIGINT NOT NULL,
  PRIMARY KEY (scope_id, month)
);
INSERT INTO filing_scopes (scope_id, month, filed)
  SELECT a.ancestor_id, t.month, SUM(t.filed) FROM filing_tallies t JOIN unit_ancestors a ON a.unit_id = t.unit_id
  GROUP BY a.ancestor_id, t.month;
CREATE OR REPLACE FUNCTION filing_scopes_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO filing_scopes AS s (scope_id, month, filed) SELECT a.ancestor_id, OLD.month, -OLD.filed FROM unit_ancestors a
      WHERE a.unit_id = OLD.unit_id ORDER BY 1
      ON CONFLICT (scope_id, month) DO UPDATE SET filed = s.filed + excluded.filed;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO filing_scopes AS s (scope_id, month, filed) SELECT a.ancestor_id, NEW.month, NEW.filed FROM unit_ancestors a
      WHERE a.unit_id = NEW.unit_id ORDER BY 1
      ON CONFLICT (scope_id, month) DO UPDATE SET filed = s.filed + excluded.filed;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER filing_scopes_row AFTER INSERT OR UPDATE OR DELETE ON filing_tallies
  FOR EACH ROW EXECUTE FUNCTION filing_scopes_row();
