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
ALTER TABLE units ADD COLUMN password_login BIGINT NOT NULL DEFAULT 1;
-- a person may hold more than one account (another role, another unit); each names them
CREATE INDEX users_staff ON users(staff_id);
-- the accounts list: unit by unit, by login (replaces the index on the unit alone)
CREATE INDEX users_unit_login ON users(unit_id, login);
DROP INDEX users_unit;
ALTER TABLE staff ADD COLUMN joined_on TEXT;
ALTER TABLE staff ADD COLUMN left_on TEXT;
-- The current post, in month numbers (year * 12 + month - 1): from (0 = since before the
-- records began) and until (the first month no longer in post; NULL while in post).
ALTER TABLE staff ADD COLUMN post_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN post_until BIGINT;
-- Posts a person held before a move: their months stay owed where they were served.
CREATE TABLE staff_posts (
  id BIGSERIAL PRIMARY KEY,
  staff_id BIGINT NOT NULL REFERENCES staff(id),
  unit_id BIGINT NOT NULL REFERENCES units(id),
  department_id BIGINT REFERENCES departments(id),
  post_from BIGINT NOT NULL,
  post_until BIGINT NOT NULL
);
CREATE INDEX staff_posts_staff ON staff_posts(staff_id);
-- Staff owing a filing, kept as changes per unit, department (0 = none) and month: the staff of
-- month M are the sum of the changes up to M. Replaces staff_tallies (the roster of today).
CREATE TABLE post_tallies (
  unit_id BIGINT NOT NULL,
  department_id BIGINT NOT NULL,
  month BIGINT NOT NULL,
  delta BIGINT NOT NULL,
  PRIMARY KEY (unit_id, department_id, month)
);
DROP TRIGGER staff_tally_insert ON staff;
DROP TRIGGER staff_tally_update ON staff;
DROP TRIGGER staff_tally_delete ON staff;
DROP FUNCTION staff_tally();
DROP TABLE staff_tallies;
-- statement triggers: a bulk load is tallied once per statement
CREATE OR REPLACE FUNCTION post_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO post_tallies (unit_id, department_id, month, delta)
      SELECT unit_id, d, m, SUM(n) FROM (
        SELECT unit_id, COALESCE(department_id, 0) AS d, post_from AS m, -1 AS n FROM old_rows
        UNION ALL SELECT unit_id, COALESCE(department_id, 0), post_until, 1 FROM old_rows WHERE post_until IS NOT NULL) x
      GROUP BY unit_id, d, m
      ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = post_tallies.delta + excluded.delta;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO post_tallies (unit_id, department_id, month, delta)
      SELECT unit_id, d, m, SUM(n) FROM (
        SELECT unit_id, COALESCE(department_id, 0) AS d, post_from AS m, 1 AS n FROM new_rows
        UNION ALL SELECT unit_id, COALESCE(department_id, 0), post_until, -1 FROM new_rows WHERE post_until IS NOT NULL) x
      GROUP BY unit_id, d, m
      ON CONFLICT (unit_id, department_id, month) DO UPDATE SET delta = post_tallies.delta + excluded.delta;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER staff_post_insert AFTER INSERT ON staff REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_tally();
CREATE TRIGGER staff_post_update AFTER UPDATE ON staff REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_tally();
CREATE TRIGGER staff_post_delete AFTER DELETE ON staff REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_tally();
CREATE TRIGGER staff_posts_insert AFTER INSERT ON staff_posts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_tally();
CREATE TRIGGER staff_posts_delete AFTER DELETE ON staff_posts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION post_tally();
INSERT INTO post_tallies (unit_id, department_id, month, delta)
  SELECT unit_id, COALESCE(department_id, 0), 0, COUNT(*) FROM staff GROUP BY unit_id, COALESCE(department_id, 0);
