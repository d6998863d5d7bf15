-- Filing completeness kept, not recounted (issue 22): staff and filings per unit, department
-- (0 = none) and month, kept by statement triggers (a bulk load is tallied once per statement).
CREATE TABLE staff_tallies (
  unit_id BIGINT NOT NULL,
  department_id BIGINT NOT NULL,
  staff BIGINT NOT NULL,
  PRIMARY KEY (unit_id, department_id)
);
INSERT INTO staff_tallies (unit_id, department_id, staff)
  SELECT unit_id, COALESCE(department_id, 0), COUNT(*) FROM staff GROUP BY unit_id, COALESCE(department_id, 0);
CREATE TABLE filing_tallies (
  unit_id BIGINT NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  department_id BIGINT NOT NULL,
  filed BIGINT NOT NULL,
  zero_reports BIGINT NOT NULL,
  records BIGINT NOT NULL,
  PRIMARY KEY (unit_id, month, department_id)
);
INSERT INTO filing_tallies (unit_id, month, department_id, filed, zero_reports, records)
  SELECT unit_id, month, COALESCE(department_id, 0), COUNT(*), SUM(zero_report), SUM(records) FROM record_filings
  GROUP BY unit_id, month, COALESCE(department_id, 0);
CREATE OR REPLACE FUNCTION staff_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE staff_tallies t SET staff = t.staff - o.n
      FROM (SELECT unit_id, COALESCE(department_id, 0) AS d, COUNT(*) AS n FROM old_rows GROUP BY 1, 2) o
      WHERE t.unit_id = o.unit_id AND t.department_id = o.d;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO staff_tallies (unit_id, department_id, staff)
      SELECT unit_id, COALESCE(department_id, 0), COUNT(*) FROM new_rows GROUP BY 1, 2
      ON CONFLICT (unit_id, department_id) DO UPDATE SET staff = staff_tallies.staff + excluded.staff;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER staff_tally_insert AFTER INSERT ON staff REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION staff_tally();
CREATE TRIGGER staff_tally_update AFTER UPDATE ON staff REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION staff_tally();
CREATE TRIGGER staff_tally_delete AFTER DELETE ON staff REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION staff_tally();
CREATE OR REPLACE FUNCTION filing_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE filing_tallies t SET filed = t.filed - o.n, zero_reports = t.zero_reports - o.z, records = t.records - o.r
      FROM (SELECT unit_id, month, COALESCE(department_id, 0) AS d, COUNT(*) AS n, SUM(zero_report) AS z, SUM(records) AS r
            FROM old_rows GROUP BY 1, 2, 3) o
      WHERE t.unit_id = o.unit_id AND t.month = o.month AND t.department_id = o.d;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO filing_tallies (unit_id, month, department_id, filed, zero_reports, records)
      SELECT unit_id, month, COALESCE(department_id, 0), COUNT(*), SUM(zero_report), SUM(records) FROM new_rows GROUP BY 1, 2, 3
      ON CONFLICT (unit_id, month, department_id) DO UPDATE SET filed = filing_tallies.filed + excluded.filed,
        zero_reports = filing_tallies.zero_reports + excluded.zero_reports, records = filing_tallies.records + excluded.records;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER filing_tally_insert AFTER INSERT ON record_filings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_tally();
CREATE TRIGGER filing_tally_update AFTER UPDATE ON record_filings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_tally();
CREATE TRIGGER filing_tally_delete AFTER DELETE ON record_filings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION filing_tally();
