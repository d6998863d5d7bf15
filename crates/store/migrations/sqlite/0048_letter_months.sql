-- The kept reply-rate figures by month as well as by day (issue 22): a year's figures sum 12
-- rows per scope and level instead of 366. Each month's row is the sum of its days' rows in
-- letter_tallies, kept by triggers on those rows (whatever writes them: a letter's triggers, a
-- rebuild); a period reads its whole months here and the days at either end there.
CREATE TABLE letter_months (
  scope_id INTEGER NOT NULL,
  month TEXT NOT NULL,
  own INTEGER NOT NULL,
  level INTEGER NOT NULL,
  received INTEGER NOT NULL,
  ack_on_time INTEGER NOT NULL,
  ack_late INTEGER NOT NULL,
  reply_on_time INTEGER NOT NULL,
  reply_late INTEGER NOT NULL,
  PRIMARY KEY (scope_id, month, own, level)
) WITHOUT ROWID;
INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
  SELECT scope_id, substr(received_on, 1, 7), own, level, SUM(received), SUM(ack_on_time), SUM(ack_late), SUM(reply_on_time), SUM(reply_late)
  FROM letter_tallies GROUP BY scope_id, substr(received_on, 1, 7), own, level;
CREATE TRIGGER letter_months_insert AFTER INSERT ON letter_tallies BEGIN
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
END;
CREATE TRIGGER letter_months_update AFTER UPDATE ON letter_tallies BEGIN
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    VALUES (OLD.scope_id, substr(OLD.received_on, 1, 7), OLD.own, OLD.level, -OLD.received, -OLD.ack_on_time, -OLD.ack_late, -OLD.reply_on_time, -OLD.reply_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
  INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late)
    ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = received + excluded.received,
      ack_on_time = ack_on_time + excluded.ack_on_time, ack_late = ack_late + excluded.ack_late,
      reply_on_time = reply_on_time + excluded.reply_on_time, reply_late = reply_late + excluded.reply_late;
END;
CREATE TRIGGER letter_months_delete AFTER DELETE ON letter_tallies BEGIN
  UPDATE letter_months SET received = received - OLD.received, ack_on_time = ack_on_time - OLD.ack_on_time,
    ack_late = ack_late - OLD.ack_late, reply_on_time = reply_on_time - OLD.reply_on_time, reply_late = reply_late - OLD.reply_late
    WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7) AND own = OLD.own AND level = OLD.level;
END;
