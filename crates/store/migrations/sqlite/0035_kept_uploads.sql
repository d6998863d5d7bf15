-- Files uploaded with a form that was refused (a validation error): kept for the same session or
-- visitor, by a random token, until the form is sent again or a day has passed.
CREATE TABLE kept_uploads (
  token TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  content BLOB NOT NULL,
  kept_at TEXT NOT NULL
);
CREATE INDEX kept_uploads_kept_at ON kept_uploads(kept_at);
