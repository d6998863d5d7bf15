-- Full-text search: jieba tokens of each letter's content and replies (derived; rebuilt on restore).
CREATE VIRTUAL TABLE letters_fts USING fts5(tokens, content='', contentless_delete=1);
-- Links between letters of the same writer on the same matter (重复信访), confirmed by an officer.
CREATE TABLE letter_links (
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  other_id INTEGER NOT NULL REFERENCES letters(id),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (letter_id, other_id)
);
CREATE INDEX letters_phone ON letters(phone) WHERE phone <> '';
CREATE INDEX letters_id_number ON letters(id_number) WHERE id_number <> '';
CREATE INDEX letters_petitioner ON letters(petitioner) WHERE petitioner <> '';
-- Backlog campaigns (信访积案清理): a target list of letters, a deadline, progress from the letters.
CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  title TEXT NOT NULL,
  deadline TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE campaign_letters (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  PRIMARY KEY (campaign_id, letter_id)
);
-- Public hearings (公开听证) on difficult letters.
CREATE TABLE hearings (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  held_on TEXT NOT NULL,
  participants TEXT NOT NULL,
  outcome TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX hearings_letter ON hearings(letter_id);
-- Attachments sent with a letter (content-addressed, like evidence).
CREATE TABLE letter_files (
  id INTEGER PRIMARY KEY,
  letter_id INTEGER NOT NULL REFERENCES letters(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL
);
CREATE INDEX letter_files_letter ON letter_files(letter_id);
