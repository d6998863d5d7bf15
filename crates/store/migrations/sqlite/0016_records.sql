-- Interference records (三个规定): one filing per staff member and month (a zero report, or the
-- number of records it carries), and the records themselves.
CREATE TABLE record_filings (
  id INTEGER PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  department_id INTEGER REFERENCES departments(id),
  month TEXT NOT NULL,
  zero_report INTEGER NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (staff_id, month)
);
CREATE INDEX record_filings_unit ON record_filings(unit_id, month, zero_report, records, department_id);
CREATE TABLE interference_records (
  id INTEGER PRIMARY KEY,
  filing_id INTEGER NOT NULL REFERENCES record_filings(id),
  occurred_on TEXT NOT NULL,
  intervener_name TEXT NOT NULL,
  intervener_unit TEXT NOT NULL DEFAULT '',
  intervener_post TEXT NOT NULL DEFAULT '',
  intervener_category TEXT NOT NULL,
  is_procuratorate_staff INTEGER NOT NULL,
  manner TEXT NOT NULL,
  scope TEXT NOT NULL,
  case_ref TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX interference_records_filing ON interference_records(filing_id);
