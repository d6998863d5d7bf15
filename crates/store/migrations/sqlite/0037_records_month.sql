-- The register of records reads a page in the order of an index: each record carries its
-- filing's month (set with the record, never changed: a filing's month is fixed).
ALTER TABLE interference_records ADD COLUMN month TEXT;
UPDATE interference_records SET month = (SELECT f.month FROM record_filings f WHERE f.id = interference_records.filing_id);
CREATE INDEX interference_records_month ON interference_records(month, id);
