-- Several servers, one database (issue 22): rate-limit windows every server counts in, and
-- leases so that one server at a time runs the scheduled jobs.
CREATE TABLE rate_hits (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  started TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until TEXT NOT NULL
);
