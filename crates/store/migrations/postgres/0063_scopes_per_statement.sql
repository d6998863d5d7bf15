-- The per-scope tallies of the staff in post (0052) and of the filings (0060) kept per statement
-- on PostgreSQL, from the statement's transition tables summed per scope and month, instead of
-- per row. A row trigger upserted each scope's row once per tally row changed: a statement that
-- changes many tallies at once (the national generator's year of filings, 436,000 tally rows)
-- updated the SPP's row of a month tens of thousands of times in one transaction, and each update
-- walked the versions the earlier ones had left (the generator ran for more than eight minutes in
-- that one statement, against 165 s for the whole generation before 0060). SQLite updates rows
-- in place and keeps its row triggers.
DROP TRIGGER post_scopes_row ON post_tallies;
DROP FUNCTION post_scopes_row();
DROP TRIGGER filing_scopes_row ON filing_tallies;
DROP FUNCTION filing_scopes_row();

CREATE FUNCTION post_scopes_rows() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO post_scopes AS s (scope_id, month, delta)
      SELECT a.ancestor_id, d.month, SUM(d.delta) FROM new_rows d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET delta = s.delta + excluded.delta;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO post_scopes AS s (scope_id, month, delta)
      SELECT a.ancestor_id, d.month, -SUM(d.delta) FROM old_rows d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET delta = s.delta + excluded.delta;
  ELSE
    INSERT INTO post_scopes AS s (scope_id, month, delta)
      SELECT a.ancestor_id, d.month, SUM(d.delta) FROM (
        SELECT unit_id, month, delta FROM new_rows UNION ALL SELECT unit_id, month, -delta FROM old_rows
      ) d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET delta = s.delta + excluded.delta;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER post_scopes_insert AFTER INSERT ON post_tallies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_scopes_rows();
CREATE TRIGGER post_scopes_update AFTER UPDATE ON post_tallies REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_scopes_rows();
CREATE TRIGGER post_scopes_delete AFTER DELETE ON post_tallies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_scopes_rows();

CREATE FUNCTION filing_scopes_rows() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO filing_scopes AS s (scope_id, month, filed)
      SELECT a.ancestor_id, d.month, SUM(d.filed) FROM new_rows d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET filed = s.filed + excluded.filed;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO filing_scopes AS s (scope_id, month, filed)
      SELECT a.ancestor_id, d.month, -SUM(d.filed) FROM old_rows d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET filed = s.filed + excluded.filed;
  ELSE
    INSERT INTO filing_scopes AS s (scope_id, month, filed)
      SELECT a.ancestor_id, d.month, SUM(d.filed) FROM (
        SELECT unit_id, month, filed FROM new_rows UNION ALL SELECT unit_id, month, -filed FROM old_rows
      ) d JOIN unit_ancestors a ON a.unit_id = d.unit_id
      GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (scope_id, month) DO UPDATE SET filed = s.filed + excluded.filed;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER filing_scopes_insert AFTER INSERT ON filing_tallies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_scopes_rows();
CREATE TRIGGER filing_scopes_update AFTER UPDATE ON filing_tallies REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_scopes_rows();
CREATE TRIGGER filing_scopes_delete AFTER DELETE ON filing_tallies REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_scopes_rows();
