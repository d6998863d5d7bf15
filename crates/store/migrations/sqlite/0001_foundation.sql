CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  parent_id INTEGER REFERENCES units(id),
  path TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_path ON units(path);
CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'internal',
  UNIQUE (unit_id, name)
);
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  staff_no TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  department_id INTEGER REFERENCES departments(id),
  post TEXT NOT NULL DEFAULT '',
  is_leader INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX staff_unit ON staff(unit_id);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  subtree INTEGER NOT NULL DEFAULT 0,
  lang TEXT NOT NULL DEFAULT 'zh-CN',
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id INTEGER,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  unit_id INTEGER,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_unit ON audit_log(unit_id);
CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  source TEXT NOT NULL
);
CREATE TABLE calendar_days (
  day TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT ''
);
