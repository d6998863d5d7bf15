-- The letters' recorded steps by month received and month recorded (issue 22). A past day's
-- correction read, per scope and month received, a row per day recorded since the day
-- (letter_done_months): the SPP's page for 2020 as of 2020-11-05, 33,484 rows of some 145 days. It
-- now reads the months recorded after the day's month from here (the same rows with the day
-- recorded cut to its month) and of the day's own month the shorter part, days after the day or
-- the month less the days up to it (letters::recorded_after_sql): 4,397 rows for that page. Kept
-- from the months by triggers, as the months are from the days; a month's row is only deleted by
-- the recount of every kept figure (org::rebuild_letter_tallies), which recounts this table after
-- it.
CREATE TABLE letter_done_by_month (
  scope_id INTEGER NOT NULL,
  month TEXT NOT NULL,
  done_month TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  step TEXT NOT NULL,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (scope_id, month, done_month, own, level, step, due)
) WITHOUT ROWID;
INSERT INTO letter_done_by_month (scope_id, month, done_month, own, level, step, due, n)
  SELECT scope_id, month, substr(done_on, 1, 7), own, level, step, due, SUM(n) FROM letter_done_months
  GROUP BY scope_id, month, substr(done_on, 1, 7), own, level, step, due;
CREATE TRIGGER letter_done_by_month_insert AFTER INSERT ON letter_done_months BEGIN
  INSERT INTO letter_done_by_month (scope_id, month, done_month, own, level, step, due, n)
    VALUES (NEW.scope_id, NEW.month, substr(NEW.done_on, 1, 7), NEW.own, NEW.level, NEW.step, NEW.due, NEW.n)
    ON CONFLICT (scope_id, month, done_month, own, level, step, due) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER letter_done_by_month_update AFTER UPDATE OF n ON letter_done_months BEGIN
  UPDATE letter_done_by_month SET n = n + NEW.n - OLD.n WHERE scope_id = OLD.scope_id AND month = OLD.month
    AND done_month = substr(OLD.done_on, 1, 7) AND own = OLD.own AND level = OLD.level AND step = OLD.step AND due = OLD.due;
END;
