-- Reply-rate figures kept, not recounted (issue 22). For every scope (a unit: its own letters,
-- own = 1, and those of each unit below it, own = 0), the level of the holding unit and the day
-- of receipt: how many letters, and how many of them were acknowledged and replied to on time or
-- late. The letters not yet acknowledged (step 'ack') or replied to ('reply') are kept apart by the
-- deadline they owe, so the overdue on any day is a sum over the deadlines before it.
-- A period's figures sum O(days × levels) rows of the scope, whatever the number of letters.
CREATE TABLE letter_tallies (
  scope_id INTEGER NOT NULL,
  received_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  received INTEGER NOT NULL,
  ack_on_time INTEGER NOT NULL,
  ack_late INTEGER NOT NULL,
  reply_on_time INTEGER NOT NULL,
  reply_late INTEGER NOT NULL,
  PRIMARY KEY (scope_id, received_on, own, level)
) WITHOUT ROWID;
CREATE TABLE letter_open (
  scope_id INTEGER NOT NULL,
  received_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  step TEXT NOT NULL,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope_id, received_on, own, level, step, due)
) WITHOUT ROWID;
-- the letters answered after a past as-of day, whose kept figures that day corrects
CREATE INDEX letters_acknowledged ON letters(acknowledged_on) WHERE acknowledged_on IS NOT NULL;
CREATE INDEX letters_replied ON letters(replied_on) WHERE replied_on IS NOT NULL;
-- the letters with a step recorded late (补录), few among all
CREATE INDEX letter_events_late ON letter_events(letter_id, on_date) WHERE late_days > 0;
INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
  SELECT a.ancestor_id, l.received_on, a.depth = 0, u.level, COUNT(*),
    SUM(l.acknowledged_on IS NOT NULL AND l.acknowledged_on <= l.ack_due), SUM(l.acknowledged_on IS NOT NULL AND l.acknowledged_on > l.ack_due),
    SUM(l.replied_on IS NOT NULL AND l.replied_on <= l.reply_due), SUM(l.replied_on IS NOT NULL AND l.replied_on > l.reply_due)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id
  GROUP BY a.ancestor_id, l.received_on, a.depth = 0, u.level;
INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
  SELECT a.ancestor_id, l.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN l.ack_due ELSE l.reply_due END, COUNT(*)
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id
  JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply') s ON CASE s.step WHEN 'ack' THEN l.acknowledged_on ELSE l.replied_on END IS NULL
  GROUP BY a.ancestor_id, l.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN l.ack_due ELSE l.reply_due END;
-- A letter's part in the figures, added when it is written and taken back when it changes.
CREATE TRIGGER letters_tally_insert AFTER INSERT ON letters BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, 1,
      NEW.acknowledged_on IS NOT NULL AND NEW.acknowledged_on <= NEW.ack_due, NEW.acknowledged_on IS NOT NULL AND NEW.acknowledged_on > NEW.ack_due,
      NEW.replied_on IS NOT NULL AND NEW.replied_on <= NEW.reply_due, NEW.replied_on IS NOT NULL AND NEW.replied_on > NEW.reply_due
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
  INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN NEW.ack_due ELSE NEW.reply_due END, 1
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id
    JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply') s ON CASE s.step WHEN 'ack' THEN NEW.acknowledged_on ELSE NEW.replied_on END IS NULL
    WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER letters_tally_delete AFTER DELETE ON letters BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, -1,
      -(OLD.acknowledged_on IS NOT NULL AND OLD.acknowledged_on <= OLD.ack_due), -(OLD.acknowledged_on IS NOT NULL AND OLD.acknowledged_on > OLD.ack_due),
      -(OLD.replied_on IS NOT NULL AND OLD.replied_on <= OLD.reply_due), -(OLD.replied_on IS NOT NULL AND OLD.replied_on > OLD.reply_due)
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
  INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN OLD.ack_due ELSE OLD.reply_due END, -1
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id
    JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply') s ON CASE s.step WHEN 'ack' THEN OLD.acknowledged_on ELSE OLD.replied_on END IS NULL
    WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM letter_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
    AND received_on = OLD.received_on AND n = 0;
END;
CREATE TRIGGER letters_tally_update AFTER UPDATE OF unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due ON letters
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.received_on IS NOT NEW.received_on OR OLD.acknowledged_on IS NOT NEW.acknowledged_on
  OR OLD.ack_due IS NOT NEW.ack_due OR OLD.replied_on IS NOT NEW.replied_on OR OLD.reply_due IS NOT NEW.reply_due BEGIN
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, -1,
      -(OLD.acknowledged_on IS NOT NULL AND OLD.acknowledged_on <= OLD.ack_due), -(OLD.acknowledged_on IS NOT NULL AND OLD.acknowledged_on > OLD.ack_due),
      -(OLD.replied_on IS NOT NULL AND OLD.replied_on <= OLD.reply_due), -(OLD.replied_on IS NOT NULL AND OLD.replied_on > OLD.reply_due)
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
  INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
    SELECT a.ancestor_id, OLD.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN OLD.ack_due ELSE OLD.reply_due END, -1
    FROM unit_ancestors a JOIN units u ON u.id = OLD.unit_id
    JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply') s ON CASE s.step WHEN 'ack' THEN OLD.acknowledged_on ELSE OLD.replied_on END IS NULL
    WHERE a.unit_id = OLD.unit_id
    ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  INSERT INTO letter_tallies (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, 1,
      NEW.acknowledged_on IS NOT NULL AND NEW.acknowledged_on <= NEW.ack_due, NEW.acknowledged_on IS NOT NULL AND NEW.acknowledged_on > NEW.ack_due,
      NEW.replied_on IS NOT NULL AND NEW.replied_on <= NEW.reply_due, NEW.replied_on IS NOT NULL AND NEW.replied_on > NEW.reply_due
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
  INSERT INTO letter_open (scope_id, received_on, own, level, step, due, n)
    SELECT a.ancestor_id, NEW.received_on, a.depth = 0, u.level, s.step, CASE s.step WHEN 'ack' THEN NEW.ack_due ELSE NEW.reply_due END, 1
    FROM unit_ancestors a JOIN units u ON u.id = NEW.unit_id
    JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply') s ON CASE s.step WHEN 'ack' THEN NEW.acknowledged_on ELSE NEW.replied_on END IS NULL
    WHERE a.unit_id = NEW.unit_id
    ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM letter_open WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
    AND received_on = OLD.received_on AND n = 0;
END;
