-- The board's counts per lead leader kept per scope (issue 22): a unit with all units below it,
-- as notice_tallies keeps them per unit. The board of a subtree reads its scope's rows instead of
-- every unit's tallies of the subtree (for the SPP, every unit of the country). Kept by triggers
-- on notice_tallies (whatever writes those: notices, tasks changing hands); rebuilt with the
-- closure when units move.
CREATE TABLE notice_scopes (
  scope_id INTEGER NOT NULL,
  leader_id INTEGER NOT NULL,
  reminders INTEGER NOT NULL,
  blue INTEGER NOT NULL,
  yellow INTEGER NOT NULL,
  red INTEGER NOT NULL,
  PRIMARY KEY (scope_id, leader_id)
) WITHOUT ROWID;
INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
  SELECT a.ancestor_id, k.leader_id, SUM(k.reminders), SUM(k.blue), SUM(k.yellow), SUM(k.red)
  FROM notice_tallies k JOIN unit_ancestors a ON a.unit_id = k.unit_id GROUP BY a.ancestor_id, k.leader_id;
CREATE TRIGGER notice_scopes_insert AFTER INSERT ON notice_tallies BEGIN
  INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
    SELECT a.ancestor_id, NEW.leader_id, NEW.reminders, NEW.blue, NEW.yellow, NEW.red FROM unit_ancestors a WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders, blue = blue + excluded.blue,
      yellow = yellow + excluded.yellow, red = red + excluded.red;
END;
CREATE TRIGGER notice_scopes_update AFTER UPDATE ON notice_tallies BEGIN
  INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
    SELECT a.ancestor_id, OLD.leader_id, -OLD.reminders, -OLD.blue, -OLD.yellow, -OLD.red FROM unit_ancestors a WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders, blue = blue + excluded.blue,
      yellow = yellow + excluded.yellow, red = red + excluded.red;
  INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
    SELECT a.ancestor_id, NEW.leader_id, NEW.reminders, NEW.blue, NEW.yellow, NEW.red FROM unit_ancestors a WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders, blue = blue + excluded.blue,
      yellow = yellow + excluded.yellow, red = red + excluded.red;
END;
CREATE TRIGGER notice_scopes_delete AFTER DELETE ON notice_tallies BEGIN
  INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
    SELECT a.ancestor_id, OLD.leader_id, -OLD.reminders, -OLD.blue, -OLD.yellow, -OLD.red FROM unit_ancestors a WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders, blue = blue + excluded.blue,
      yellow = yellow + excluded.yellow, red = red + excluded.red;
END;
