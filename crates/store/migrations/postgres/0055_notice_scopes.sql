-- The board's counts per lead leader kept per scope (issue 22): a unit with all units below it,
-- as notice_tallies keeps them per unit. The board of a subtree reads its scope's rows instead of
-- every unit's tallies of the subtree (for the SPP, every unit of the country). Kept by a trigger
-- on notice_tallies (whatever writes those: notices, tasks changing hands); rebuilt with the
-- closure when units move.
CREATE TABLE notice_scopes (
  scope_id BIGINT NOT NULL,
  leader_id BIGINT NOT NULL,
  reminders BIGINT NOT NULL,
  blue BIGINT NOT NULL,
  yellow BIGINT NOT NULL,
  red BIGINT NOT NULL,
  PRIMARY KEY (scope_id, leader_id)
);
INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
  SELECT a.ancestor_id, k.leader_id, SUM(k.reminders), SUM(k.blue), SUM(k.yellow), SUM(k.red)
  FROM notice_tallies k JOIN unit_ancestors a ON a.unit_id = k.unit_id GROUP BY a.ancestor_id, k.leader_id;
CREATE FUNCTION notice_scopes_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
      SELECT a.ancestor_id, OLD.leader_id, -OLD.reminders, -OLD.blue, -OLD.yellow, -OLD.red FROM unit_ancestors a WHERE a.unit_id = OLD.unit_id
      ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = notice_scopes.reminders + excluded.reminders,
        blue = notice_scopes.blue + excluded.blue, yellow = notice_scopes.yellow + excluded.yellow, red = notice_scopes.red + excluded.red;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red)
      SELECT a.ancestor_id, NEW.leader_id, NEW.reminders, NEW.blue, NEW.yellow, NEW.red FROM unit_ancestors a WHERE a.unit_id = NEW.unit_id
      ON CONFLICT (scope_id, leader_id) DO UPDATE SET reminders = notice_scopes.reminders + excluded.reminders,
        blue = notice_scopes.blue + excluded.blue, yellow = notice_scopes.yellow + excluded.yellow, red = notice_scopes.red + excluded.red;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notice_scopes_keep AFTER INSERT OR UPDATE OR DELETE ON notice_tallies
  FOR EACH ROW EXECUTE FUNCTION notice_scopes_keep();
