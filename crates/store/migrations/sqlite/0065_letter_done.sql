-- The letters' recorded steps kept by the day they were recorded (issue 22). The kept figures
-- (letter_tallies, letter_months, letter_open) count every step recorded so far; as of a past day
-- the figures must not count a step recorded after it. For every scope (as letter_tallies: own
-- letters or a lower unit's, the holding unit's level) and day of receipt: how many letters had
-- each step recorded on each day: acknowledged ('ack') and replied to ('reply'), with the
-- deadline missed if late ('' if on time: a step recorded on time after a day was not overdue on
-- it); the writer notified ('notified'), the rating given (its value: 'satisfied', 'basic',
-- 'unsatisfied') and the first step recorded late ('late'), owing none (due ''). The same by
-- month of receipt in letter_done_months, kept from the days by triggers (as letter_months from
-- letter_tallies). A past day's correction reads, per scope, the rows of each whole month of the
-- period and of each day at its ends recorded after the day, an index range each: O(scopes ×
-- (months + days at the ends) × days recorded since × levels), whatever the number of letters
-- (it read every letter answered since the day).
CREATE TABLE letter_done (
  scope_id INTEGER NOT NULL,
  received_on TEXT NOT NULL,
  done_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  step TEXT NOT NULL,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope_id, received_on, done_on, own, level, step, due)
) WITHOUT ROWID;
CREATE TABLE letter_done_months (
  scope_id INTEGER NOT NULL,
  month TEXT NOT NULL,
  done_on TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  step TEXT NOT NULL,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope_id, month, done_on, own, level, step, due)
) WITHOUT ROWID;
INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
  SELECT a.ancestor_id, s.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due, COUNT(*)
  FROM (SELECT unit_id, received_on, 'ack' AS step, acknowledged_on AS done_on, CASE WHEN acknowledged_on > ack_due THEN ack_due ELSE '' END AS due FROM letters WHERE acknowledged_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'reply', replied_on, CASE WHEN replied_on > reply_due THEN reply_due ELSE '' END FROM letters WHERE replied_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'notified', notified_on, '' FROM letters WHERE notified_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, rating, rated_on, '' FROM letters WHERE rating IS NOT NULL AND rated_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'late', late_on, '' FROM letters WHERE late_on IS NOT NULL) s
  JOIN unit_ancestors a ON a.unit_id = s.unit_id JOIN units u ON u.id = s.unit_id
  GROUP BY a.ancestor_id, s.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due;
-- A letter's steps, added when it is written and taken back when they change (a step recorded
-- changes only its own rows).
CREATE TRIGGER letters_done_insert AFTER INSERT ON letters WHEN (NEW.acknowledged_on IS NOT NULL OR NEW.replied_on IS NOT NULL OR NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL) BEGIN
  INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
    SELECT a.ancestor_id, NEW.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due, 1
    FROM (SELECT 'ack' AS step, NEW.acknowledged_on AS done_on, CASE WHEN NEW.acknowledged_on > NEW.ack_due THEN NEW.ack_due ELSE '' END AS due UNION ALL SELECT 'reply' AS step, NEW.replied_on AS done_on, CASE WHEN NEW.replied_on > NEW.reply_due THEN NEW.reply_due ELSE '' END AS due UNION ALL SELECT 'notified' AS step, NEW.notified_on AS done_on, '' AS due UNION ALL SELECT NEW.rating AS step, NEW.rated_on AS done_on, '' AS due UNION ALL SELECT 'late' AS step, NEW.late_on AS done_on, '' AS due) s
    JOIN unit_ancestors a ON a.unit_id = NEW.unit_id JOIN units u ON u.id = NEW.unit_id WHERE s.step IS NOT NULL AND s.done_on IS NOT NULL
    ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER letters_done_delete AFTER DELETE ON letters WHEN (OLD.acknowledged_on IS NOT NULL OR OLD.replied_on IS NOT NULL OR OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL) BEGIN
  INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
    SELECT a.ancestor_id, OLD.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due, -1
    FROM (SELECT 'ack' AS step, OLD.acknowledged_on AS done_on, CASE WHEN OLD.acknowledged_on > OLD.ack_due THEN OLD.ack_due ELSE '' END AS due UNION ALL SELECT 'reply' AS step, OLD.replied_on AS done_on, CASE WHEN OLD.replied_on > OLD.reply_due THEN OLD.reply_due ELSE '' END AS due UNION ALL SELECT 'notified' AS step, OLD.notified_on AS done_on, '' AS due UNION ALL SELECT OLD.rating AS step, OLD.rated_on AS done_on, '' AS due UNION ALL SELECT 'late' AS step, OLD.late_on AS done_on, '' AS due) s
    JOIN unit_ancestors a ON a.unit_id = OLD.unit_id JOIN units u ON u.id = OLD.unit_id WHERE s.step IS NOT NULL AND s.done_on IS NOT NULL
    ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM letter_done WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
    AND received_on = OLD.received_on AND done_on IN (OLD.acknowledged_on, OLD.replied_on, OLD.notified_on, OLD.rated_on, OLD.late_on) AND n = 0;
END;
CREATE TRIGGER letters_done_update AFTER UPDATE OF unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due, notified_on, rating, rated_on, late_on ON letters
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.received_on IS NOT NEW.received_on OR OLD.acknowledged_on IS NOT NEW.acknowledged_on OR OLD.ack_due IS NOT NEW.ack_due OR OLD.replied_on IS NOT NEW.replied_on OR OLD.reply_due IS NOT NEW.reply_due OR OLD.notified_on IS NOT NEW.notified_on OR OLD.rating IS NOT NEW.rating OR OLD.rated_on IS NOT NEW.rated_on OR OLD.late_on IS NOT NEW.late_on BEGIN
  INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
    SELECT a.ancestor_id, OLD.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due, -1
    FROM (SELECT 'ack' AS step, OLD.acknowledged_on AS done_on, CASE WHEN OLD.acknowledged_on > OLD.ack_due THEN OLD.ack_due ELSE '' END AS due, OLD.acknowledged_on IS NOT NEW.acknowledged_on OR OLD.ack_due IS NOT NEW.ack_due AS changed UNION ALL SELECT 'reply' AS step, OLD.replied_on AS done_on, CASE WHEN OLD.replied_on > OLD.reply_due THEN OLD.reply_due ELSE '' END AS due, OLD.replied_on IS NOT NEW.replied_on OR OLD.reply_due IS NOT NEW.reply_due AS changed UNION ALL SELECT 'notified' AS step, OLD.notified_on AS done_on, '' AS due, OLD.notified_on IS NOT NEW.notified_on AS changed UNION ALL SELECT OLD.rating AS step, OLD.rated_on AS done_on, '' AS due, OLD.rated_on IS NOT NEW.rated_on OR OLD.rating IS NOT NEW.rating AS changed UNION ALL SELECT 'late' AS step, OLD.late_on AS done_on, '' AS due, OLD.late_on IS NOT NEW.late_on AS changed) s
    JOIN unit_ancestors a ON a.unit_id = OLD.unit_id JOIN units u ON u.id = OLD.unit_id WHERE s.step IS NOT NULL AND s.done_on IS NOT NULL AND (s.changed OR OLD.unit_id IS NOT NEW.unit_id OR OLD.received_on IS NOT NEW.received_on)
    ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
    SELECT a.ancestor_id, NEW.received_on, s.done_on, a.depth = 0, u.level, s.step, s.due, 1
    FROM (SELECT 'ack' AS step, NEW.acknowledged_on AS done_on, CASE WHEN NEW.acknowledged_on > NEW.ack_due THEN NEW.ack_due ELSE '' END AS due, NEW.acknowledged_on IS NOT OLD.acknowledged_on OR NEW.ack_due IS NOT OLD.ack_due AS changed UNION ALL SELECT 'reply' AS step, NEW.replied_on AS done_on, CASE WHEN NEW.replied_on > NEW.reply_due THEN NEW.reply_due ELSE '' END AS due, NEW.replied_on IS NOT OLD.replied_on OR NEW.reply_due IS NOT OLD.reply_due AS changed UNION ALL SELECT 'notified' AS step, NEW.notified_on AS done_on, '' AS due, NEW.notified_on IS NOT OLD.notified_on AS changed UNION ALL SELECT NEW.rating AS step, NEW.rated_on AS done_on, '' AS due, NEW.rated_on IS NOT OLD.rated_on OR NEW.rating IS NOT OLD.rating AS changed UNION ALL SELECT 'late' AS step, NEW.late_on AS done_on, '' AS due, NEW.late_on IS NOT OLD.late_on AS changed) s
    JOIN unit_ancestors a ON a.unit_id = NEW.unit_id JOIN units u ON u.id = NEW.unit_id WHERE s.step IS NOT NULL AND s.done_on IS NOT NULL AND (s.changed OR NEW.unit_id IS NOT OLD.unit_id OR NEW.received_on IS NOT OLD.received_on)
    ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
  DELETE FROM letter_done WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
    AND received_on = OLD.received_on AND done_on IN (OLD.acknowledged_on, OLD.replied_on, OLD.notified_on, OLD.rated_on, OLD.late_on) AND n = 0;
END;
INSERT INTO letter_done_months (scope_id, month, done_on, own, level, step, due, n)
  SELECT scope_id, substr(received_on, 1, 7), done_on, own, level, step, due, SUM(n) FROM letter_done
  GROUP BY scope_id, substr(received_on, 1, 7), done_on, own, level, step, due;
-- the months follow the days (a row emptied stays, at 0: only a step's day changed or a letter
-- deleted or moved empties one)
CREATE TRIGGER letter_done_months_insert AFTER INSERT ON letter_done BEGIN
  INSERT INTO letter_done_months (scope_id, month, done_on, own, level, step, due, n)
    VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.done_on, NEW.own, NEW.level, NEW.step, NEW.due, NEW.n)
    ON CONFLICT (scope_id, month, done_on, own, level, step, due) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER letter_done_months_update AFTER UPDATE OF n ON letter_done BEGIN
  UPDATE letter_done_months SET n = n + NEW.n - OLD.n WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7)
    AND done_on = OLD.done_on AND own = OLD.own AND level = OLD.level AND step = OLD.step AND due = OLD.due;
END;
CREATE TRIGGER letter_done_months_delete AFTER DELETE ON letter_done WHEN OLD.n <> 0 BEGIN
  UPDATE letter_done_months SET n = n - OLD.n WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7)
    AND done_on = OLD.done_on AND own = OLD.own AND level = OLD.level AND step = OLD.step AND due = OLD.due;
END;
