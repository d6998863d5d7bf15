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
-- the count carried in the key's index: a correction is an index-only scan
CREATE TABLE letter_done (
  scope_id BIGINT NOT NULL,
  received_on TEXT COLLATE "C" NOT NULL,
  done_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  level BIGINT NOT NULL,
  step TEXT COLLATE "C" NOT NULL,
  due TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (scope_id, received_on, done_on, own, level, step, due) INCLUDE (n)
);
CREATE TABLE letter_done_months (
  scope_id BIGINT NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  done_on TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  level BIGINT NOT NULL,
  step TEXT COLLATE "C" NOT NULL,
  due TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (scope_id, month, done_on, own, level, step, due) INCLUDE (n)
);
INSERT INTO letter_done (scope_id, received_on, done_on, own, level, step, due, n)
  SELECT a.ancestor_id, s.received_on, s.done_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, s.due, COUNT(*)
  FROM (SELECT unit_id, received_on, 'ack' AS step, acknowledged_on AS done_on, CASE WHEN acknowledged_on > ack_due THEN ack_due ELSE '' END AS due FROM letters WHERE acknowledged_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'reply', replied_on, CASE WHEN replied_on > reply_due THEN reply_due ELSE '' END FROM letters WHERE replied_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'notified', notified_on, '' FROM letters WHERE notified_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, rating, rated_on, '' FROM letters WHERE rating IS NOT NULL AND rated_on IS NOT NULL
    UNION ALL SELECT unit_id, received_on, 'late', late_on, '' FROM letters WHERE late_on IS NOT NULL) s
  JOIN unit_ancestors a ON a.unit_id = s.unit_id JOIN units u ON u.id = s.unit_id
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
-- A letter's steps, added when it is written and taken back when they change (a step recorded
-- changes only its own rows); at commit, as its reply rates (letters_tally_row). A bulk load
-- (duban.bulk) counts them in one statement instead (org::tally_statements).
CREATE OR REPLACE FUNCTION letters_done_row() RETURNS trigger AS $$
DECLARE
  c_ack boolean := true; c_reply boolean := true; c_notified boolean := true; c_rating boolean := true; c_late boolean := true;
BEGIN
  IF current_setting('duban.bulk', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND OLD.unit_id IS NOT DISTINCT FROM NEW.unit_id AND OLD.received_on IS NOT DISTINCT FROM NEW.received_on THEN
    c_ack := OLD.acknowledged_on IS DISTINCT FROM NEW.acknowledged_on OR OLD.ack_due IS DISTINCT FROM NEW.ack_due;
    c_reply := OLD.replied_on IS DISTINCT FROM NEW.replied_on OR OLD.reply_due IS DISTINCT FROM NEW.reply_due;
    c_notified := OLD.notified_on IS DISTINCT FROM NEW.notified_on;
    c_rating := OLD.rating IS DISTINCT FROM NEW.rating OR OLD.rated_on IS DISTINCT FROM NEW.rated_on;
    c_late := OLD.late_on IS DISTINCT FROM NEW.late_on;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO letter_done AS d (scope_id, received_on, done_on, own, level, step, due, n)
      SELECT a.ancestor_id, OLD.received_on, s.done_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, s.due, -1
      FROM (VALUES ('ack', OLD.acknowledged_on, CASE WHEN OLD.acknowledged_on > OLD.ack_due THEN OLD.ack_due ELSE '' END, c_ack), ('reply', OLD.replied_on, CASE WHEN OLD.replied_on > OLD.reply_due THEN OLD.reply_due ELSE '' END, c_reply), ('notified', OLD.notified_on, '', c_notified), (OLD.rating, OLD.rated_on, '', c_rating), ('late', OLD.late_on, '', c_late)) s(step, done_on, due, changed)
      CROSS JOIN unit_ancestors a JOIN units u ON u.id = OLD.unit_id
      WHERE a.unit_id = OLD.unit_id AND s.changed AND s.step IS NOT NULL AND s.done_on IS NOT NULL ORDER BY 1, 3, 6
      ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = d.n + excluded.n;
    DELETE FROM letter_done WHERE scope_id IN (SELECT ancestor_id FROM unit_ancestors WHERE unit_id = OLD.unit_id)
      AND received_on = OLD.received_on AND done_on IN (OLD.acknowledged_on, OLD.replied_on, OLD.notified_on, OLD.rated_on, OLD.late_on) AND n = 0;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO letter_done AS d (scope_id, received_on, done_on, own, level, step, due, n)
      SELECT a.ancestor_id, NEW.received_on, s.done_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, s.due, 1
      FROM (VALUES ('ack', NEW.acknowledged_on, CASE WHEN NEW.acknowledged_on > NEW.ack_due THEN NEW.ack_due ELSE '' END, c_ack), ('reply', NEW.replied_on, CASE WHEN NEW.replied_on > NEW.reply_due THEN NEW.reply_due ELSE '' END, c_reply), ('notified', NEW.notified_on, '', c_notified), (NEW.rating, NEW.rated_on, '', c_rating), ('late', NEW.late_on, '', c_late)) s(step, done_on, due, changed)
      CROSS JOIN unit_ancestors a JOIN units u ON u.id = NEW.unit_id
      WHERE a.unit_id = NEW.unit_id AND s.changed AND s.step IS NOT NULL AND s.done_on IS NOT NULL ORDER BY 1, 3, 6
      ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = d.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER letters_done_insert AFTER INSERT ON letters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (NEW.acknowledged_on IS NOT NULL OR NEW.replied_on IS NOT NULL OR NEW.notified_on IS NOT NULL OR NEW.rating IS NOT NULL OR NEW.late_on IS NOT NULL)) EXECUTE FUNCTION letters_done_row();
CREATE CONSTRAINT TRIGGER letters_done_delete AFTER DELETE ON letters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (OLD.acknowledged_on IS NOT NULL OR OLD.replied_on IS NOT NULL OR OLD.notified_on IS NOT NULL OR OLD.rating IS NOT NULL OR OLD.late_on IS NOT NULL)) EXECUTE FUNCTION letters_done_row();
CREATE CONSTRAINT TRIGGER letters_done_update AFTER UPDATE OF unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due, notified_on, rating, rated_on, late_on ON letters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on' AND (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.received_on IS DISTINCT FROM NEW.received_on OR OLD.acknowledged_on IS DISTINCT FROM NEW.acknowledged_on OR OLD.ack_due IS DISTINCT FROM NEW.ack_due OR OLD.replied_on IS DISTINCT FROM NEW.replied_on OR OLD.reply_due IS DISTINCT FROM NEW.reply_due OR OLD.notified_on IS DISTINCT FROM NEW.notified_on OR OLD.rating IS DISTINCT FROM NEW.rating OR OLD.rated_on IS DISTINCT FROM NEW.rated_on OR OLD.late_on IS DISTINCT FROM NEW.late_on))
  EXECUTE FUNCTION letters_done_row();
INSERT INTO letter_done_months (scope_id, month, done_on, own, level, step, due, n)
  SELECT scope_id, substr(received_on, 1, 7), done_on, own, level, step, due, SUM(n) FROM letter_done GROUP BY 1, 2, 3, 4, 5, 6, 7;
-- the months follow the days (a row emptied stays, at 0: only a step's day changed or a letter
-- deleted or moved empties one); off for a bulk load, which counts them once
CREATE OR REPLACE FUNCTION letter_done_months_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE letter_done_months SET n = n - OLD.n WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7)
      AND done_on = OLD.done_on AND own = OLD.own AND level = OLD.level AND step = OLD.step AND due = OLD.due;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO letter_done_months AS m (scope_id, month, done_on, own, level, step, due, n)
      VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.done_on, NEW.own, NEW.level, NEW.step, NEW.due, NEW.n)
      ON CONFLICT (scope_id, month, done_on, own, level, step, due) DO UPDATE SET n = m.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER letter_done_months_row AFTER INSERT OR UPDATE OR DELETE ON letter_done
  FOR EACH ROW WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION letter_done_months_row();
