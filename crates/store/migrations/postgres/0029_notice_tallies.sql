-- The board's counts per lead leader kept, not recounted (issue 22): reminders and blue, yellow
-- and red notices per unit (of the plan's copy) and lead leader (0 = none), kept by statement
-- triggers (a sweep's bulk insert of notices is tallied once per statement).
CREATE TABLE notice_tallies (
  unit_id BIGINT NOT NULL,
  leader_id BIGINT NOT NULL,
  reminders BIGINT NOT NULL,
  blue BIGINT NOT NULL,
  yellow BIGINT NOT NULL,
  red BIGINT NOT NULL,
  PRIMARY KEY (unit_id, leader_id)
);
INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
  SELECT p.unit_id, COALESCE(t.lead_leader_id, 0), COUNT(*) FILTER (WHERE n.kind = 'reminder'),
         COUNT(*) FILTER (WHERE n.level = 'blue'), COUNT(*) FILTER (WHERE n.level = 'yellow'),
         COUNT(*) FILTER (WHERE n.level = 'red')
  FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id
  GROUP BY 1, 2;
CREATE OR REPLACE FUNCTION notice_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE notice_tallies k SET reminders = k.reminders - o.r, blue = k.blue - o.b, yellow = k.yellow - o.y, red = k.red - o.d
      FROM (SELECT p.unit_id, COALESCE(t.lead_leader_id, 0) AS leader_id, COUNT(*) FILTER (WHERE n.kind = 'reminder') AS r,
                   COUNT(*) FILTER (WHERE n.level = 'blue') AS b, COUNT(*) FILTER (WHERE n.level = 'yellow') AS y,
                   COUNT(*) FILTER (WHERE n.level = 'red') AS d
            FROM old_rows n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id GROUP BY 1, 2) o
      WHERE k.unit_id = o.unit_id AND k.leader_id = o.leader_id;
  ELSE
    INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
      SELECT p.unit_id, COALESCE(t.lead_leader_id, 0), COUNT(*) FILTER (WHERE n.kind = 'reminder'),
             COUNT(*) FILTER (WHERE n.level = 'blue'), COUNT(*) FILTER (WHERE n.level = 'yellow'),
             COUNT(*) FILTER (WHERE n.level = 'red')
      FROM new_rows n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id GROUP BY 1, 2
      ON CONFLICT (unit_id, leader_id) DO UPDATE SET reminders = notice_tallies.reminders + excluded.reminders,
        blue = notice_tallies.blue + excluded.blue, yellow = notice_tallies.yellow + excluded.yellow,
        red = notice_tallies.red + excluded.red;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notice_tally_insert AFTER INSERT ON notices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notice_tally();
CREATE TRIGGER notice_tally_delete AFTER DELETE ON notices REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notice_tally();
CREATE OR REPLACE FUNCTION notice_tally_leader() RETURNS trigger AS $$
BEGIN
  UPDATE notice_tallies k SET reminders = k.reminders - o.r, blue = k.blue - o.b, yellow = k.yellow - o.y, red = k.red - o.d
    FROM (SELECT p.unit_id, COALESCE(ot.lead_leader_id, 0) AS leader_id, COUNT(*) FILTER (WHERE n.kind = 'reminder') AS r,
                 COUNT(*) FILTER (WHERE n.level = 'blue') AS b, COUNT(*) FILTER (WHERE n.level = 'yellow') AS y,
                 COUNT(*) FILTER (WHERE n.level = 'red') AS d
          FROM old_rows ot JOIN new_rows nt ON nt.id = ot.id AND nt.lead_leader_id IS DISTINCT FROM ot.lead_leader_id
          JOIN notices n ON n.task_id = ot.id JOIN plans p ON p.id = ot.plan_id GROUP BY 1, 2) o
    WHERE k.unit_id = o.unit_id AND k.leader_id = o.leader_id;
  INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
    SELECT p.unit_id, COALESCE(nt.lead_leader_id, 0), COUNT(*) FILTER (WHERE n.kind = 'reminder'),
           COUNT(*) FILTER (WHERE n.level = 'blue'), COUNT(*) FILTER (WHERE n.level = 'yellow'),
           COUNT(*) FILTER (WHERE n.level = 'red')
    FROM old_rows ot JOIN new_rows nt ON nt.id = ot.id AND nt.lead_leader_id IS DISTINCT FROM ot.lead_leader_id
    JOIN notices n ON n.task_id = nt.id JOIN plans p ON p.id = nt.plan_id GROUP BY 1, 2
    ON CONFLICT (unit_id, leader_id) DO UPDATE SET reminders = notice_tallies.reminders + excluded.reminders,
      blue = notice_tallies.blue + excluded.blue, yellow = notice_tallies.yellow + excluded.yellow,
      red = notice_tallies.red + excluded.red;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notice_tally_leader AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notice_tally_leader();
