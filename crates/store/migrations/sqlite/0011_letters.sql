-- Letters from the public: the first receipt starts both clocks; the holding unit answers for it.
CREATE TABLE letters (
  id INTEGER PRIMARY KEY,
  query_hash TEXT UNIQUE,
  first_unit_id INTEGER NOT NULL REFERENCES units(id),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  received_on TEXT NOT NULL,
  unit_received_on TEXT NOT NULL,
  channel TEXT NOT NULL,
  category TEXT NOT NULL,
  petitioner TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL,
  ack_due TEXT NOT NULL,
  reply_due TEXT NOT NULL,
  acknowledged_on TEXT,
  replied_on TEXT,
  closed_on TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX letters_unit_received ON letters(unit_id, received_on);
CREATE INDEX letters_received ON letters(received_on);
CREATE TABLE letter_events (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  on_date TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_unit_id INTEGER REFERENCES units(id),
  to_unit_id INTEGER REFERENCES units(id),
  body TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX letter_events_letter ON letter_events(letter_id);
