-- Identity (issue 17): accounts made from the roster with one-time activation codes, people who
-- join, move and leave, and filings owed only for the months a person is in post.
ALTER TABLE users ADD COLUMN activation_hash TEXT;
ALTER TABLE users ADD COLUMN activation_expires TEXT;
ALTER TABLE users ADD COLUMN activated_at TEXT;
ALTER TABLE users ADD COLUMN last_login_at TEXT;
-- 'local' (password), 'ldap' (the directory checks the password), 'oidc'
ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT 'local';
UPDATE users SET activated_at = created_at;
-- 0: the unit's accounts sign in through the directory only (no local passwords)
ALTER TABLE units ADD COLUMN password_login INTEGER NOT NULL DEFAULT 1;
-- a person may hold more than one account (another role, another unit); each names them
CREATE INDEX users_staff ON users(staff_id);
-- the accounts list: unit by unit, by login (replaces the index on the unit alone)
CREATE INDEX users_unit_login ON users(unit_id, login);
DROP INDEX users_unit;
ALTER TABLE staff ADD COLUMN joined_on TEXT;
ALTER TABLE staff ADD COLUMN left_on TEXT;
-- The current post, in month numbers (year * 12 + month - 1): from (0 = since before the
-- records began) and until (the first month no longer in post; NULL while in post).
ALTER TABLE staff ADD COLUMN post_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN post_until INTEGER;
-- Posts a person held before a move: their months stay owed where they were served.
CREATE TABLE staff_posts (
  id INTEGER PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  department_id INTEGER REFERENCES departments(id),
  post_from INTEGER NOT NULL,
  post_until INTEGER NOT NULL
);
CREATE INDEX staff_posts_staff ON staff_posts(staff_id);
-- Staff owing a filing, kept as changes per unit, department (0 = none) and month: the staff of
-- month M are the sum of the changes up to M. Replaces staff_tallies (the roster of today).
CREATE TABLE post_tallies (
  unit_id INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  month INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  PRIMARY KEY (unit_id, department_id, month)
) WITHOUT ROWID;
DROP TRIGGER staff_tally_insert;
DROP TRIGGER staff_tally_delete;
DROP TRIGGER staff_tally_move;
DROP TABLE staff_tallies;
CREATE TRIGGER staff_post_insert AFTER INSERT ON staff BEGIN
  INSERT INTO post_tallies (unit_id, department_id, month, delta) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_from, 1)
    ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta + 1;
  INSERT INTO post_tallies (unit_id, department_id, month, delta) SELECT NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_until, -1
    WHERE NEW.post_until IS NOT NULL ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta - 1;
END;
CREATE TRIGGER staff_post_delete AFTER DELETE ON staff BEGIN
  UPDATE post_tallies SET delta = delta - 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_from;
  UPDATE post_tallies SET delta = delta + 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_until;
END;
CREATE TRIGGER staff_post_update AFTER UPDATE OF unit_id, department_id, post_from, post_until ON staff
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.department_id IS NOT NEW.department_id OR OLD.post_from IS NOT NEW.post_from OR OLD.post_until IS NOT NEW.post_until BEGIN
  UPDATE post_tallies SET delta = delta - 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_from;
  UPDATE post_tallies SET delta = delta + 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_until;
  INSERT INTO post_tallies (unit_id, department_id, month, delta) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_from, 1)
    ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta + 1;
  INSERT INTO post_tallies (unit_id, department_id, month, delta) SELECT NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_until, -1
    WHERE NEW.post_until IS NOT NULL ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta - 1;
END;
CREATE TRIGGER staff_posts_insert AFTER INSERT ON staff_posts BEGIN
  INSERT INTO post_tallies (unit_id, department_id, month, delta) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_from, 1)
    ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta + 1;
  INSERT INTO post_tallies (unit_id, department_id, month, delta) VALUES (NEW.unit_id, COALESCE(NEW.department_id, 0), NEW.post_until, -1)
    ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = delta - 1;
END;
CREATE TRIGGER staff_posts_delete AFTER DELETE ON staff_posts BEGIN
  UPDATE post_tallies SET delta = delta - 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_from;
  UPDATE post_tallies SET delta = delta + 1 WHERE unit_id = OLD.unit_id AND department_id = COALESCE(OLD.department_id, 0) AND month = OLD.post_until;
END;
INSERT INTO post_tallies (unit_id, department_id, month, delta)
  SELECT unit_id, COALESCE(department_id, 0), 0, COUNT(*) FROM staff GROUP BY unit_id, COALESCE(department_id, 0);
