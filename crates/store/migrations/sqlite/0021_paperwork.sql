-- Less paperwork (纠治形式主义): the registry of documents, meetings, collective study sessions and
-- research visits per unit, and the requests for figures put to lower units (refused by the gate
-- when Duban computes the figure).
CREATE TABLE paperwork (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL,
  held_on TEXT NOT NULL,
  title TEXT NOT NULL,
  number TEXT NOT NULL DEFAULT '',
  organiser TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX paperwork_unit ON paperwork(unit_id, kind, held_on);
CREATE TABLE data_requests (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  title TEXT NOT NULL,
  metric TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  refused INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX data_requests_unit ON data_requests(unit_id, created_at);
