-- Official documents (公文): bulletins, rectification reports, special reports (专报, numbered
-- per year) and typical-case batches (典型案例, numbered per year). A draft keeps every save in
-- document_drafts; publishing freezes the composition (content) and the PDF (a blob), after
-- which the row can never change: a new version is a new document (version_of).
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL,
  round_id INTEGER REFERENCES rounds(id),
  plan_ids TEXT NOT NULL DEFAULT '[]',
  as_of TEXT NOT NULL,
  draft TEXT NOT NULL,
  selection TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'draft',
  year INTEGER NOT NULL,
  number INTEGER,
  content TEXT,
  pdf_sha256 TEXT REFERENCES blobs(sha256),
  version_of INTEGER REFERENCES documents(id),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  published_by TEXT,
  published_at TEXT
);
CREATE UNIQUE INDEX documents_number ON documents(unit_id, kind, year, number) WHERE number IS NOT NULL;
CREATE INDEX documents_unit ON documents(unit_id, kind, id);
CREATE INDEX documents_published ON documents(status, published_at);
-- the triggers that freeze published rows are in triggers.sql (dropped and recreated by a restore)
CREATE TABLE document_drafts (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id),
  draft TEXT NOT NULL,
  selection TEXT NOT NULL DEFAULT '{}',
  as_of TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  saved_at TEXT NOT NULL
);
CREATE INDEX document_drafts_document ON document_drafts(document_id, id);
