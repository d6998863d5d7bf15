-- The kept reply-rate figures by month as well as by day (issue 22): a year's figures sum 12
-- rows per scope and level instead of 366. Each month's row is the sum of its days' rows in
-- letter_tallies, kept by a row trigger on those rows (a letter's deferred trigger writes them);
-- a bulk load or rebuild (duban.bulk) recounts the months once instead. A period reads its
-- whole months here and the days at either end there.
CREATE TABLE letter_months (
  scope_id BIGINT NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  own BIGINT NOT NULL,
  level BIGINT NOT NULL,
  received BIGINT NOT NULL,
  ack_on_time BIGINT NOT NULL,
  ack_late BIGINT NOT NULL,
  reply_on_time BIGINT NOT NULL,
  reply_late BIGINT NOT NULL,
  PRIMARY KEY (scope_id, month, own, level)
);
INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
  SELECT scope_id, substr(received_on, 1, 7), own, level, SUM(received), SUM(ack_on_time), SUM(ack_late), SUM(reply_on_time), SUM(reply_late)
  FROM letter_tallies GROUP BY 1, 2, 3, 4;
CREATE OR REPLACE FUNCTION letter_months_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE letter_months SET received = received - OLD.received, ack_on_time = ack_on_time - OLD.ack_on_time,
      ack_late = ack_late - OLD.ack_late, reply_on_time = reply_on_time - OLD.reply_on_time, reply_late = reply_late - OLD.reply_late
      WHERE scope_id = OLD.scope_id AND month = substr(OLD.received_on, 1, 7) AND own = OLD.own AND level = OLD.level;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO letter_months AS m (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
      VALUES (NEW.scope_id, substr(NEW.received_on, 1, 7), NEW.own, NEW.level, NEW.received, NEW.ack_on_time, NEW.ack_late, NEW.reply_on_time, NEW.reply_late)
      ON CONFLICT (scope_id, month, own, level) DO UPDATE SET received = m.received + excluded.received,
        ack_on_time = m.ack_on_time + excluded.ack_on_time, ack_late = m.ack_late + excluded.ack_late,
        reply_on_time = m.reply_on_time + excluded.reply_on_time, reply_late = m.reply_late + excluded.reply_late;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER letter_months_row AFTER INSERT OR UPDATE OR DELETE ON letter_tallies
  FOR EACH ROW WHEN (current_setting('duban.bulk', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION letter_months_row();
