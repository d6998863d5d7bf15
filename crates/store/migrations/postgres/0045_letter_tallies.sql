-- Reply-rate figures kept, not recounted (issue 22). For every scope (a unit: its own letters,
-- own = 1, and those of each unit below it, own = 0), the level of the holding unit and the day
-- of receipt: how many letters, and how many of them were acknowledged and replied to on time or
-- late. The letters not yet acknowledged (step 'ack') or replied to ('reply') are kept apart by the
-- deadline they owe, so the overdue on any day is a sum over the deadlines before it.
-- A period's figures sum O(days × levels) rows of the scope, whatever the number of letters.
CREATE TABLE letter_tallies (
  scope_id BIGINT NOT NULL,
  received_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  level BIGINT NOT NULL,
  received BIGINT NOT NULL,
  ack_on_time BIGINT NOT NULL,
  ack_late BIGINT NOT NULL,
  reply_on_time BIGINT NOT NULL,
  reply_late BIGINT NOT NULL,
  PRIMARY KEY (scope_id, received_on, own, level)
);
CREATE TABLE letter_open (
  scope_id BIGINT NOT NULL,
  received_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  level BIGINT NOT NULL,
  step TEXT COLLATE "C" NOT NULL,
  due TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (scope_id, received_on, own, level, step, due)
);
-- the letters answered after a past as-of day, whose kept figures that day corrects
CREATE INDEX letters_acknowledged ON letters(acknowledged_on) WHERE acknowledged_on IS NOT NULL;
CREATE INDEX letters_replied ON letters(replied_on) WHERE replied_on IS NOT NULL;
-- the letters with a step recorded late (补录), few among all
CREATE INDEX letter_events_late ON letter_events(letter_id, on_date) WHERE late_days > 0;
INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
  SELECT a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, COUNT(*),
    SUM(CASE WHEN l.acknowledged_on <= l.ack_due THEN 1 ELSE 0 END), SUM(CASE WHEN l.acknowledged_on > l.ack_due THEN 1 ELSE 0 END),
    SUM(CASE WHEN l.replied_on <= l.reply_due THEN 1 ELSE 0 END), SUM(CASE WHEN l.replied_on > l.reply_due THEN 1 ELSE 0 END)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id
  GROUP BY 1, 2, 3, 4;
INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
  SELECT a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step,
    CASE s.step WHEN 'ack' THEN l.ack_due ELSE l.reply_due END, COUNT(*)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id
  CROSS JOIN (VALUES ('ack'), ('reply')) s(step)
  WHERE CASE s.step WHEN 'ack' THEN l.acknowledged_on ELSE l.replied_on END IS NULL
  GROUP BY 1, 2, 3, 4, 5, 6;
-- A letter's part in the figures, added when it is written and taken back when it changes; at
-- commit (deferred), so the few kept rows every letter of a day shares are held only for the
-- commit, and in key order. A bulk load (the nation generator) sets duban.bulk and rebuilds them
-- in one statement instead.
CREATE OR REPLACE FUNCTION letters_tally_row() RETURNS trigger AS $$
BEGIN
  IF current_setting('duban.bulk', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
      SELECT a.ancestor_id, OLD.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, -1,
        CASE WHEN OLD.acknowledged_on <= OLD.ack_due THEN -1 ELSE 0 END, CASE WHEN OLD.acknowledged_on > OLD.ack_due THEN -1 ELSE 0 END,
        CASE WHEN OLD.replied_on <= OLD.reply_due THEN -1 ELSE 0 END, CASE WHEN OLD.replied_on > OLD.reply_due THEN -1 ELSE 0 END
      FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id ORDER BY 1
      ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = t.received + excluded.received,
        ack_on_time = t.ack_on_time + excluded.ack_on_time, ack_late = t.ack_late + excluded.ack_late,
        reply_on_time = t.reply_on_time + excluded.reply_on_time, reply_late = t.reply_late + excluded.reply_late;
    INSERT INTO letter_open AS o (scope_id, received_on, own, level, step, due, n)
      SELECT a.ancestor_id, OLD.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step,
        CASE s.step WHEN 'ack' THEN OLD.ack_due ELSE OLD.reply_due END, -1
      FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id CROSS JOIN (VALUES ('ack'), ('reply')) s(step)
      WHERE a.unit_id = OLD.unit_id AND CASE s.step WHEN 'ack' THEN OLD.acknowledged_on ELSE OLD.replied_on END IS NULL ORDER BY 1, 5
      ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = o.n + excluded.n;
    DELETE FROM letter_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
      AND received_on = OLD.received_on AND n = 0;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
      SELECT a.ancestor_id, NEW.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, 1,
        CASE WHEN NEW.acknowledged_on <= NEW.ack_due THEN 1 ELSE 0 END, CASE WHEN NEW.acknowledged_on > NEW.ack_due THEN 1 ELSE 0 END,
        CASE WHEN NEW.replied_on <= NEW.reply_due THEN 1 ELSE 0 END, CASE WHEN NEW.replied_on > NEW.reply_due THEN 1 ELSE 0 END
      FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id ORDER BY 1
      ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = t.received + excluded.received,
        ack_on_time = t.ack_on_time + excluded.ack_on_time, ack_late = t.ack_late + excluded.ack_late,
        reply_on_time = t.reply_on_time + excluded.reply_on_time, reply_late = t.reply_late + excluded.reply_late;
    INSERT INTO letter_open AS o (scope_id, received_on, own, level, step, due, n)
      SELECT a.ancestor_id, NEW.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step,
        CASE s.step WHEN 'ack' THEN NEW.ack_due ELSE NEW.reply_due END, 1
      FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id CROSS JOIN (VALUES ('ack'), ('reply')) s(step)
      WHERE a.unit_id = NEW.unit_id AND CASE s.step WHEN 'ack' THEN NEW.acknowledged_on ELSE NEW.replied_on END IS NULL ORDER BY 1, 5
      ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = o.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER letters_tally_insert AFTER INSERT OR DELETE ON letters DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION letters_tally_row();
CREATE CONSTRAINT TRIGGER letters_tally_update AFTER UPDATE OF unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due ON letters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.received_on IS DISTINCT FROM NEW.received_on
    OR OLD.acknowledged_on IS DISTINCT FROM NEW.acknowledged_on OR OLD.ack_due IS DISTINCT FROM NEW.ack_due
    OR OLD.replied_on IS DISTINCT FROM NEW.replied_on OR OLD.reply_due IS DISTINCT FROM NEW.reply_due))
  EXECUTE FUNCTION letters_tally_row();
