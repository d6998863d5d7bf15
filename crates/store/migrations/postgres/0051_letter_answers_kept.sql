-- The letters' answers kept with their reply rates (issue 22): of the letters of each scope, day
-- and level, how many writers were notified, how each rating stands and how many letters had a
-- step recorded late (补录, from the day of the first, letters.late_on). With the report-backs of
-- the 交办 a scope's units made, kept per day of assignment (and the open ones by the deadline they
-- owe), a period's figures no longer probe every unit of the scope. A past as-of day takes back
-- what was recorded after it, read from the indexes of those days.
ALTER TABLE letters ADD COLUMN late_on TEXT COLLATE "C";
UPDATE letters SET late_on = e.first FROM (SELECT letter_id, MIN(on_date) AS first FROM letter_events WHERE late_days > 0 GROUP BY letter_id) e
  WHERE letters.id = e.letter_id;
CREATE INDEX letters_late_on ON letters(late_on) WHERE late_on IS NOT NULL;
CREATE INDEX letters_notified_on ON letters(notified_on) WHERE notified_on IS NOT NULL;
CREATE INDEX letters_rated_on ON letters(rated_on) WHERE rating IS NOT NULL;
CREATE INDEX letter_assignments_reported ON letter_assignments(reported_on) WHERE reported_on IS NOT NULL;
-- a step recorded late dates the letter's first late step
CREATE OR REPLACE FUNCTION letter_events_late() RETURNS trigger AS $$
BEGIN
  UPDATE letters SET late_on = NEW.on_date WHERE id = NEW.letter_id AND (late_on IS NULL OR late_on > NEW.on_date);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER letter_events_late AFTER INSERT ON letter_events FOR EACH ROW WHEN (NEW.late_days > 0) EXECUTE FUNCTION letter_events_late();
ALTER TABLE letter_tallies ADD COLUMN notified BIGINT NOT NULL DEFAULT 0, ADD COLUMN satisfied BIGINT NOT NULL DEFAULT 0, ADD COLUMN basic BIGINT NOT NULL DEFAULT 0, ADD COLUMN unsatisfied BIGINT NOT NULL DEFAULT 0, ADD COLUMN recorded_late BIGINT NOT NULL DEFAULT 0;
ALTER TABLE letter_months ADD COLUMN notified BIGINT NOT NULL DEFAULT 0, ADD COLUMN satisfied BIGINT NOT NULL DEFAULT 0, ADD COLUMN basic BIGINT NOT NULL DEFAULT 0, ADD COLUMN unsatisfied BIGINT NOT NULL DEFAULT 0, ADD COLUMN recorded_late BIGINT NOT NULL DEFAULT 0;
-- a scope's kept rows read from the index alone (as 0047), with the new columns; the months too
DROP INDEX letter_tallies_cover;
CREATE INDEX letter_tallies_cover ON letter_tallies (scope_id, received_on) INCLUDE (own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late);
CREATE INDEX letter_months_cover ON letter_months (scope_id, month) INCLUDE (own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late);
CREATE OR REPLACE FUNCTION letter_months_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE letter_months SET received = received - OLD.received, ack_on_time = ack_on_time - OLD.ack_on_time, ack_late = ack_late - OLD.ack_late, reply_on_time = reply_on_time - OLD.reply_on_time, reply_late = reply_late - OLD.reply_late, notified = notified - OLD.notified, satisfied = satisfied - OLD.satisfied, basic = basic - OLD.basic, unsatisfied = unsatisfied - OLD.unsatisfied, recorded_late = recorded_late - OLD.recorded_late
      WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7) AND own = OLD.own AND level = OLD.level;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO letter_months AS m (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
      VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late, NEW.notified, NEW.satisfied, NEW.basic, NEW.unsatisfied, NEW.recorded_late)
      ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = m.received + excluded.received, ack_on_time = m.ack_on_time + excluded.ack_on_time, ack_late = m.ack_late + excluded.ack_late, reply_on_time = m.reply_on_time + excluded.reply_on_time, reply_late = m.reply_late + excluded.reply_late, notified = m.notified + excluded.notified, satisfied = m.satisfied + excluded.satisfied, basic = m.basic + excluded.basic, unsatisfied = m.unsatisfied + excluded.unsatisfied, recorded_late = m.recorded_late + excluded.recorded_late;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- a letter's answers, added when it is written and taken back when they change (at commit, as its reply rates)
CREATE OR REPLACE FUNCTION letters_answers_row() RETURNS trigger AS $$
BEGIN
  IF current_setting('duban.bulk', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' AND (OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL) THEN
    INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
      SELECT a.ancestor_id, OLD.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, 0, 0, 0, 0, 0, CASE WHEN OLD.notified_on IS NOT NULL THEN -1 ELSE 0 END, CASE WHEN OLD.rating = 'satisfied' THEN -1 ELSE 0 END, CASE WHEN OLD.rating = 'basic' THEN -1 ELSE 0 END, CASE WHEN OLD.rating = 'unsatisfied' THEN -1 ELSE 0 END, CASE WHEN OLD.late_on IS NOT NULL THEN -1 ELSE 0 END
      FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id ORDER BY 1
      ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = t.notified + excluded.notified, satisfied = t.satisfied + excluded.satisfied, basic = t.basic + excluded.basic, unsatisfied = t.unsatisfied + excluded.unsatisfied, recorded_late = t.recorded_late + excluded.recorded_late;
  END IF;
  IF TG_OP <> 'DELETE' AND (NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL) THEN
    INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
      SELECT a.ancestor_id, NEW.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, 0, 0, 0, 0, 0, CASE WHEN NEW.notified_on IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.rating = 'satisfied' THEN 1 ELSE 0 END, CASE WHEN NEW.rating = 'basic' THEN 1 ELSE 0 END, CASE WHEN NEW.rating = 'unsatisfied' THEN 1 ELSE 0 END, CASE WHEN NEW.late_on IS NOT NULL THEN 1 ELSE 0 END
      FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id ORDER BY 1
      ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = t.notified + excluded.notified, satisfied = t.satisfied + excluded.satisfied, basic = t.basic + excluded.basic, unsatisfied = t.unsatisfied + excluded.unsatisfied, recorded_late = t.recorded_late + excluded.recorded_late;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER letters_answers_insert AFTER INSERT ON letters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL)) EXECUTE FUNCTION letters_answers_row();
CREATE CONSTRAINT TRIGGER letters_answers_delete AFTER DELETE ON letters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL)) EXECUTE FUNCTION letters_answers_row();
CREATE CONSTRAINT TRIGGER letters_answers_update AFTER UPDATE OF unit_id, received_on, notified_on, rating, late_on ON letters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND ((OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL) OR (NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL))
    AND (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.received_on IS DISTINCT FROM NEW.received_on OR OLD.notified_on IS DISTINCT FROM NEW.notified_on
    OR OLD.rating IS DISTINCT FROM NEW.rating OR OLD.late_on IS DISTINCT FROM NEW.late_on))
  EXECUTE FUNCTION letters_answers_row();
-- the letters answered so far
INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, notified, satisfied, basic, unsatisfied, recorded_late)
  SELECT a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, 0, 0, 0, 0, 0,
    SUM(CASE WHEN l.notified_on IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN l.rating = 'satisfied' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN l.rating = 'unsatisfied' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.late_on IS NOT NULL THEN 1 ELSE 0 END)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id WHERE (l.notified_on IS NOT NULL OR l.rating IS NOT NULL OR l.late_on IS NOT NULL)
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET notified = t.notified + excluded.notified, satisfied = t.satisfied + excluded.satisfied, basic = t.basic + excluded.basic, unsatisfied = t.unsatisfied + excluded.unsatisfied, recorded_late = t.recorded_late + excluded.recorded_late;
-- 交办 report-backs: per scope (own = the unit's own assignments), day of assignment: how many were
-- reported on time or late; the ones not reported by the deadline they owe.
CREATE TABLE assignment_tallies (
  scope_id BIGINT NOT NULL,
  assigned_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  on_time BIGINT NOT NULL,
  late BIGINT NOT NULL,
  PRIMARY KEY (scope_id, assigned_on, own)
);
CREATE TABLE assignment_open (
  scope_id BIGINT NOT NULL,
  assigned_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  due TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (scope_id, assigned_on, own, due)
);
CREATE OR REPLACE FUNCTION assignments_tally_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO assignment_tallies AS t (scope_id, assigned_on, own, on_time, late)
      SELECT a.ancestor_id, OLD.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, CASE WHEN OLD.reported_on <= OLD.report_due THEN -1 ELSE 0 END, CASE WHEN OLD.reported_on > OLD.report_due THEN -1 ELSE 0 END
      FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id ORDER BY 1
      ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = t.on_time + excluded.on_time, late = t.late + excluded.late;
    INSERT INTO assignment_open AS o (scope_id, assigned_on, own, due, n)
      SELECT a.ancestor_id, OLD.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, OLD.report_due, -1
      FROM unit_ancestors a WHERE a.unit_id = OLD.from_unit_id AND OLD.reported_on IS NULL ORDER BY 1
      ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = o.n + excluded.n;
    DELETE FROM assignment_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.from_unit_id)
      AND assigned_on = OLD.assigned_on AND n = 0;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO assignment_tallies AS t (scope_id, assigned_on, own, on_time, late)
      SELECT a.ancestor_id, NEW.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, CASE WHEN NEW.reported_on <= NEW.report_due THEN 1 ELSE 0 END, CASE WHEN NEW.reported_on > NEW.report_due THEN 1 ELSE 0 END
      FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id ORDER BY 1
      ON CONFLICT (scope_id, assigned_on, own) DO UPDATE SET on_time = t.on_time + excluded.on_time, late = t.late + excluded.late;
    INSERT INTO assignment_open AS o (scope_id, assigned_on, own, due, n)
      SELECT a.ancestor_id, NEW.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, NEW.report_due, 1
      FROM unit_ancestors a WHERE a.unit_id = NEW.from_unit_id AND NEW.reported_on IS NULL ORDER BY 1
      ON CONFLICT (scope_id, assigned_on, own, due) DO UPDATE SET n = o.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_tally AFTER INSERT OR DELETE ON letter_assignments FOR EACH ROW EXECUTE FUNCTION assignments_tally_row();
CREATE TRIGGER assignments_tally_update AFTER UPDATE OF from_unit_id, assigned_on, report_due, reported_on ON letter_assignments
  FOR EACH ROW WHEN (OLD.from_unit_id IS DISTINCT FROM NEW.from_unit_id OR OLD.assigned_on IS DISTINCT FROM NEW.assigned_on
  OR OLD.report_due IS DISTINCT FROM NEW.report_due OR OLD.reported_on IS DISTINCT FROM NEW.reported_on) EXECUTE FUNCTION assignments_tally_row();
INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late)
  SELECT a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, SUM(CASE WHEN x.reported_on <= x.report_due THEN 1 ELSE 0 END), SUM(CASE WHEN x.reported_on > x.report_due THEN 1 ELSE 0 END)
  FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id GROUP BY a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END;
INSERT INTO assignment_open (scope_id, assigned_on, own, due, n)
  SELECT a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, x.report_due, COUNT(*)
  FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id WHERE x.reported_on IS NULL GROUP BY a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, x.report_due;
