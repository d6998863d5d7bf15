-- Filing completeness kept, not recounted (issue 22): staff and filings per unit, department
-- (0 = none) and month, kept by the triggers below so every door that writes keeps them.
CREATE TABLE staff_tallies (
  unit_id INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  staff INTEGER NOT NULL,
  PRIMARY KEY (unit_id, department_id)
) WITHOUT ROWID;
INSERT INTO staff_tallies (unit_id, department_id, staff)
  SELECT unit_id, COALESCE(department_id, 0), COUNT(*) FROM staff GROUP BY unit_id, COALESCE(department_id, 0);
CREATE TABLE filing_tallies (
  unit_id INTEGER NOT NULL,
  month TEXT NOT NULL,
  department_id INTEGER NOT NULL,
  filed INTEGER NOT NULL,
  zero_reports INTEGER NOT NULL,
  records INTEGER NOT NULL,
  PRIMARY KEY (unit_id, month, department_id)
) WITHOUT ROWID;
INSERT INTO filing_tallies (unit_id, month, department_id, filed, zero_reports, records)
  SELECT unit_id, month, COALESCE(department_id, 0), COUNT(*), SUM(zero_report), SUM(records) FROM record_filings
  GROUP BY unit_id, month, COALESCE(department_id, 0);
CREATE TRIGGER staff_tally_insert AFTER INSERT ON staff BEGIN
  INSERT INTO staff_tallies (unit_id, department_id, staff) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), 1)
    ON CONFLICT (unit_id, department_id) DO UPDATE SET staff = staff + 1;
END;
CREATE TRIGGER staff_tally_delete AFTER DELETE ON staff BEGIN
  UPDATE staff_tallies SET staff = staff - 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0);
END;
CREATE TRIGGER staff_tally_move AFTER UPDATE OF unit_id, department_id ON staff
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.department_id IS NOT NEW.department_id BEGIN
  UPDATE staff_tallies SET staff = staff - 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0);
  INSERT INTO staff_tallies (unit_id, department_id, staff) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), 1)
    ON CONFLICT (unit_id, department_id) DO UPDATE SET staff = staff + 1;
END;
CREATE TRIGGER filing_tally_insert AFTER INSERT ON record_filings BEGIN
  INSERT INTO filing_tallies (unit_id, month, department_id, filed, zero_reports, records)
    VALUES (NEW.unit_id, NEW.month, COALESCE(NEW.department_id, 0), 1, NEW.zero_report, NEW.records)
    ON CONFLICT (unit_id, month, department_id) DO UPDATE
    SET filed = filed + 1, zero_reports = zero_reports + excluded.zero_reports, records = records + excluded.records;
END;
CREATE TRIGGER filing_tally_delete AFTER DELETE ON record_filings BEGIN
  UPDATE filing_tallies SET filed = filed - 1, zero_reports = zero_reports - OLD.zero_report, records = records - OLD.records
    WHERE unit_id = OLD.unit_id AND month = OLD.month AND department_id = COALESCE(OLD.department_id, 0);
END;
CREATE TRIGGER filing_tally_update AFTER UPDATE OF unit_id, department_id, month, zero_report, records ON record_filings BEGIN
  UPDATE filing_tallies SET filed = filed - 1, zero_reports = zero_reports - OLD.zero_report, records = records - OLD.records
    WHERE unit_id = OLD.unit_id AND month = OLD.month AND department_id = COALESCE(OLD.department_id, 0);
  INSERT INTO filing_tallies (unit_id, month, department_id, filed, zero_reports, records)
    VALUES (NEW.unit_id, NEW.month, COALESCE(NEW.department_id, 0), 1, NEW.zero_report, NEW.records)
    ON CONFLICT (unit_id, month, department_id) DO UPDATE
    SET filed = filed + 1, zero_reports = zero_reports + excluded.zero_reports, records = records + excluded.records;
END;
