-- The letters' answers kept with their reply rates (issue 22): of the letters of each scope, day
-- and level, how many writers were notified, how each rating stands and how many letters had a
-- step recorded late (补录, from the day of the first, letters.late_on). With the report-backs of
-- the 交办 a scope's units made, kept per day of assignment (and the open ones by the deadline they
-- owe), a period's figures no longer probe every unit of the scope. A past as-of day takes back
-- what was recorded after it, read from the indexes of those days.
ALTER TABLE letters ADD COLUMN late_on TEXT;
UPDATE letters SET late_on = (SELECT MIN(e.on_date) FROM letter_events e WHERE e.letter_id = letters.id AND e.late_days > 0)
  WHERE id IN (SELECT letter_id FROM letter_events WHERE late_days > 0);
CREATE INDEX letters_late_on ON letters(late_on) WHERE late_on IS NOT NULL;
CREATE INDEX letters_notified_on ON letters(notified_on) WHERE notified_on IS NOT NULL;
CREATE INDEX letters_rated_on ON letters(rated_on) WHERE rating IS NOT NULL;
CREATE INDEX letter_assignments_reported ON letter_assignments(reported_on) WHERE reported_on IS NOT NULL;
-- a step recorded late dates the letter's first late step
CREATE TRIGGER letter_events_late AFTER INSERT ON letter_events WHEN NEW.late_days > 0 BEGIN
  UPDATE letters SET late_on = NEW.on_date WHERE id = NEW.letter_id AND (late_on IS NULL OR late_on > NEW.on_date);
END;
ALTER TABLE letter_tallies ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_tallies ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_tallies ADD COLUMN basic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_tallies ADD COLUMN unsatisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_tallies ADD COLUMN recorded_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN basic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN unsatisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN recorded_late INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER letter_months_insert;
DROP TRIGGER letter_months_update;
DROP TRIGGER letter_months_delete;
CREATE TRIGGER letter_months_insert AFTER INSERT ON letter_tallies BEGIN
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late, NEW.notified, NEW.satisfied, NEW.basic, NEW.unsatisfied, NEW.recorded_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received, ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late, reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late, notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
END;
CREATE TRIGGER letter_months_update AFTER UPDATE ON letter_tallies BEGIN
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    VALUES (OLD.scope_id, substr(OLD.received_on, 1, 7), OLD.own, OLD.level, -OLD.received, -OLD.ack_on_time, -OLD.ack_late, -OLD.reply_on_time, -OLD.reply_late, -OLD.notified, -OLD.satisfied, -OLD.basic, -OLD.unsatisfied, -OLD.recorded_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received, ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late, reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late, notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late, NEW.notified, NEW.satisfied, NEW.basic, NEW.unsatisfied, NEW.recorded_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received, ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late, reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late, notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
END;
CREATE TRIGGER letter_months_delete AFTER DELETE ON letter_tallies BEGIN
  UPDATE letter_months SET received = received - OLD.received, ack_on_time = ack_on_time - OLD.ack_on_time, ack_late = ack_late - OLD.ack_late, reply_on_time = reply_on_time - OLD.reply_on_time, reply_late = reply_late - OLD.reply_late, notified = notified - OLD.notified, satisfied = satisfied - OLD.satisfied, basic = basic - OLD.basic, unsatisfied = unsatisfied - OLD.unsatisfied, recorded_late = recorded_late - OLD.recorded_late
    WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7) AND own = OLD.own AND level = OLD.level;
END;
-- a letter's answers, added when it is written and taken back when they change
CREATE TRIGGER letters_answers_insert AFTER INSERT ON letters WHEN (NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL) BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, 0, 0, 0, 0, 0, (NEW.notified_on IS NOT NULL), (NEW.rating IS 'satisfied'), (NEW.rating IS 'basic'), (NEW.rating IS 'unsatisfied'), (NEW.late_on IS NOT NULL)
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
END;
CREATE TRIGGER letters_answers_delete AFTER DELETE ON letters WHEN (OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL) BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, 0, 0, 0, 0, 0, -(OLD.notified_on IS NOT NULL), -(OLD.rating IS 'satisfied'), -(OLD.rating IS 'basic'), -(OLD.rating IS 'unsatisfied'), -(OLD.late_on IS NOT NULL)
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
END;
CREATE TRIGGER letters_answers_update AFTER UPDATE OF unit_id, received_on, notified_on, rating, late_on ON letters
WHEN ((OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL) OR (NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL)) AND (OLD.unit_id IS NOT NEW.unit_id OR OLD.received_on IS NOT NEW.received_on
  OR OLD.notified_on IS NOT NEW.notified_on OR OLD.rating IS NOT NEW.rating OR OLD.late_on IS NOT NEW.late_on) BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, 0, 0, 0, 0, 0, -(OLD.notified_on IS NOT NULL), -(OLD.rating IS 'satisfied'), -(OLD.rating IS 'basic'), -(OLD.rating IS 'unsatisfied'), -(OLD.late_on IS NOT NULL)
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, 0, 0, 0, 0, 0, (NEW.notified_on IS NOT NULL), (NEW.rating IS 'satisfied'), (NEW.rating IS 'basic'), (NEW.rating IS 'unsatisfied'), (NEW.late_on IS NOT NULL)
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
END;
-- the letters answered so far
INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
  SELECT a.ancestor_id, l.received_on, a.depth = 0, u.level, 0, 0, 0, 0, 0,
    SUM(l.notified_on IS NOT NULL), SUM(l.rating IS 'satisfied'), SUM(l.rating IS 'basic'), SUM(l.rating IS 'unsatisfied'), SUM(l.late_on IS NOT NULL)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id WHERE (l.notified_on IS NOT NULL OR l.rating IS NOT NULL OR l.late_on IS NOT NULL)
  GROUP BY a.ancestor_id, l.received_on, a.depth = 0, u.level
  ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = notified + excluded.notified, satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, unsatisfied = unsatisfied + excluded.unsatisfied, recorded_late = recorded_late + excluded.recorded_late;
-- 交办 report-backs: per scope (own = the unit's own assignments), day of assignment: how many were
-- reported on time or late; the ones not reported by the deadline they owe.
CREATE TABLE assignment_tallies (
  scope_id INTEGER NOT NULL,
  assigned_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  on_time INTEGER NOT NULL,
  late INTEGER NOT NULL,
  PRIMARY KEY (scope_id, assigned_on, own)
) WITHOUT ROWID;
CREATE TABLE assignment_open (
  scope_id INTEGER NOT NULL,
  assigned_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope_id, assigned_on, own, due)
) WITHOUT ROWID;
CREATE TRIGGER assignments_tally_insert AFTER INSERT ON letter_assignments BEGIN
  INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
    SELECT a.ancestor_id, NEW.assigned_on, a.depth = 0, (NEW.reported_on IS NOT NULL AND NEW.reported_on <= NEW.report_due), (NEW.reported_on IS NOT NULL AND NEW.reported_on > NEW.report_due)
    FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id
    ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late;
  INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
    SELECT a.ancestor_id, NEW.assigned_on, a.depth = 0, NEW.report_due, 1
    FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id AND NEW.reported_on IS NULL
    ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER assignments_tally_delete AFTER DELETE ON letter_assignments BEGIN
  INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
    SELECT a.ancestor_id, OLD.assigned_on, a.depth = 0, -(OLD.reported_on IS NOT NULL AND OLD.reported_on <= OLD.report_due), -(OLD.reported_on IS NOT NULL AND OLD.reported_on > OLD.report_due)
    FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id
    ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late;
  INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
    SELECT a.ancestor_id, OLD.assigned_on, a.depth = 0, OLD.report_due, -1
    FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id AND OLD.reported_on IS NULL
    ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM assignment_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.from_unit_id)
    AND assigned_on = OLD.assigned_on AND n = 0;
END;
CREATE TRIGGER assignments_tally_update AFTER UPDATE OF from_unit_id, assigned_on, report_due, reported_on ON letter_assignments
WHEN OLD.from_unit_id IS NOT NEW.from_unit_id OR OLD.assigned_on IS NOT NEW.assigned_on
  OR OLD.report_due IS NOT NEW.report_due OR OLD.reported_on IS NOT NEW.reported_on BEGIN
  INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
    SELECT a.ancestor_id, OLD.assigned_on, a.depth = 0, -(OLD.reported_on IS NOT NULL AND OLD.reported_on <= OLD.report_due), -(OLD.reported_on IS NOT NULL AND OLD.reported_on > OLD.report_due)
    FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id
    ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late;
  INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
    SELECT a.ancestor_id, OLD.assigned_on, a.depth = 0, OLD.report_due, -1
    FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id AND OLD.reported_on IS NULL
    ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM assignment_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.from_unit_id)
    AND assigned_on = OLD.assigned_on AND n = 0;
  INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
    SELECT a.ancestor_id, NEW.assigned_on, a.depth = 0, (NEW.reported_on IS NOT NULL AND NEW.reported_on <= NEW.report_due), (NEW.reported_on IS NOT NULL AND NEW.reported_on > NEW.report_due)
    FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id
    ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late;
  INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
    SELECT a.ancestor_id, NEW.assigned_on, a.depth = 0, NEW.report_due, 1
    FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id AND NEW.reported_on IS NULL
    ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = n + excluded.n;
END;
INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
  SELECT a.ancestor_id, x.assigned_on, a.depth = 0, SUM(x.reported_on IS NOT NULL AND x.reported_on <= x.report_due), SUM(x.reported_on IS NOT NULL AND x.reported_on > x.report_due)
  FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id GROUP BY a.ancestor_id, x.assigned_on, a.depth = 0;
INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
  SELECT a.ancestor_id, x.assigned_on, a.depth = 0, x.report_due, COUNT(*)
  FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id WHERE x.reported_on IS NULL GROUP BY a.ancestor_id, x.assigned_on, a.depth = 0, x.report_due;
