-- The quality page's figures kept per scope and question (issue 22): a unit (alone, or with all
-- units below it) and a period with its filters. The page counted the scope's cases and events of
-- the period on every request (the SPP's year: 0.35 s on SQLite, 1 s on PostgreSQL); it now
-- counts a question once and reads it back until cases are imported into the scope. A scope's
-- version is raised by every case import touching a unit inside it and by any change of the units
-- (rebuilt with the closure); kept sums of an older version are not read, and sums counted while
-- the version moved are not kept.
CREATE TABLE quality_versions (
  scope_id INTEGER PRIMARY KEY,
  v INTEGER NOT NULL
);
CREATE TABLE quality_kept (
  scope_id INTEGER NOT NULL,
  question TEXT NOT NULL,
  v INTEGER NOT NULL,
  -- the order questions were kept in: a scope keeps its last 48
  seq INTEGER NOT NULL,
  sums TEXT NOT NULL,
  PRIMARY KEY (scope_id, question)
) WITHOUT ROWID;
CREATE INDEX quality_kept_seq ON quality_kept(scope_id, seq);
