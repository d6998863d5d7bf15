-- Attachments of interference records (evidence blobs, content-addressed like a ledger's).
CREATE TABLE record_files (
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES interference_records(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX record_files_record ON record_files(record_id);
