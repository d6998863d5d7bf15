-- The board's counts per lead leader kept, not recounted (issue 22): reminders and blue, yellow
-- and red notices per unit (of the plan's copy) and lead leader (0 = none), kept by the triggers
-- below on every door that issues notices or reassigns a task.
CREATE TABLE notice_tallies (
  unit_id INTEGER NOT NULL,
  leader_id INTEGER NOT NULL,
  reminders INTEGER NOT NULL,
  blue INTEGER NOT NULL,
  yellow INTEGER NOT NULL,
  red INTEGER NOT NULL,
  PRIMARY KEY (unit_id, leader_id)
) WITHOUT ROWID;
INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
  SELECT p.unit_id, COALESCE(t.lead_leader_id, 0), SUM(n.kind = 'reminder'), SUM(n.level = 'blue'),
         SUM(n.level = 'yellow'), SUM(n.level = 'red')
  FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id
  GROUP BY p.unit_id, COALESCE(t.lead_leader_id, 0);
CREATE TRIGGER notice_tally_insert AFTER INSERT ON notices WHEN NEW.task_id IS NOT NULL BEGIN
  INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
    SELECT p.unit_id, COALESCE(t.lead_leader_id, 0), NEW.kind = 'reminder', NEW.level = 'blue',
           NEW.level = 'yellow', NEW.level = 'red'
    FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = NEW.task_id
    ON CONFLICT (unit_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders,
      blue = blue + excluded.blue, yellow = yellow + excluded.yellow, red = red + excluded.red;
END;
CREATE TRIGGER notice_tally_delete AFTER DELETE ON notices WHEN OLD.task_id IS NOT NULL BEGIN
  UPDATE notice_tallies SET reminders = reminders - (OLD.kind = 'reminder'), blue = blue - (OLD.level = 'blue'),
      yellow = yellow - (OLD.level = 'yellow'), red = red - (OLD.level = 'red')
    WHERE (unit_id, leader_id) = (SELECT p.unit_id, COALESCE(t.lead_leader_id, 0)
                                  FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = OLD.task_id);
END;
CREATE TRIGGER notice_tally_leader AFTER UPDATE OF lead_leader_id ON tasks
WHEN OLD.lead_leader_id IS NOT NEW.lead_leader_id AND EXISTS (SELECT 1 FROM notices WHERE task_id = NEW.id) BEGIN
  UPDATE notice_tallies SET
      reminders = reminders - (SELECT COUNT(*) FROM notices WHERE task_id = NEW.id AND kind = 'reminder'),
      blue = blue - (SELECT COUNT(*) FROM notices WHERE task_id = NEW.id AND level = 'blue'),
      yellow = yellow - (SELECT COUNT(*) FROM notices WHERE task_id = NEW.id AND level = 'yellow'),
      red = red - (SELECT COUNT(*) FROM notices WHERE task_id = NEW.id AND level = 'red')
    WHERE unit_id = (SELECT unit_id FROM plans WHERE id = NEW.plan_id) AND leader_id = COALESCE(OLD.lead_leader_id, 0);
  INSERT INTO notice_tallies (unit_id, leader_id, reminders, blue, yellow, red)
    SELECT (SELECT unit_id FROM plans WHERE id = NEW.plan_id), COALESCE(NEW.lead_leader_id, 0), SUM(kind = 'reminder'),
           SUM(level = 'blue'), SUM(level = 'yellow'), SUM(level = 'red')
    FROM notices WHERE task_id = NEW.id
    ON CONFLICT (unit_id, leader_id) DO UPDATE SET reminders = reminders + excluded.reminders,
      blue = blue + excluded.blue, yellow = yellow + excluded.yellow, red = red + excluded.red;
END;
