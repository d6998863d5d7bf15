-- Supervision letters (督促函) to units (or SPP departments) whose interference records look too
-- few: drafted from the flag's figures, edited, issued with a number per year, tracked until the
-- unit answers.
CREATE TABLE supervision_letters (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  subject_code TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  period TEXT NOT NULL,
  body TEXT NOT NULL,
  year INTEGER,
  number INTEGER,
  issued_on TEXT,
  due_on TEXT,
  answered_on TEXT,
  answer TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (year, number)
);
CREATE INDEX supervision_letters_unit ON supervision_letters(unit_id);
