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
CREATE INDEX letter_open_spent ON letter_open(scope_id) WHERE n = 0;
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
-- A statement's letters' part in the figures: added for the rows written, taken back for the rows
-- they replace, summed per key first (one upsert per key, in key order, whatever the number of
-- rows the statement wrote).
CREATE OR REPLACE FUNCTION letters_tally() RETURNS trigger AS $$
DECLARE
  cols CONSTANT text := 'unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due';
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := format('SELECT %s, 1 AS sign FROM new_rows', cols);
  ELSIF TG_OP = 'DELETE' THEN
    src := format('SELECT %s, -1 AS sign FROM old_rows', cols);
  ELSE
    src := format('SELECT %s, 1 AS sign FROM new_rows UNION ALL SELECT %s, -1 AS sign FROM old_rows', cols, cols);
  END IF;
  EXECUTE format($q$
    INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late)
    SELECT a.ancestor_id, c.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, SUM(c.sign),
      SUM(CASE WHEN c.acknowledged_on <= c.ack_due THEN c.sign ELSE 0 END), SUM(CASE WHEN c.acknowledged_on > c.ack_due THEN c.sign ELSE 0 END),
      SUM(CASE WHEN c.replied_on <= c.reply_due THEN c.sign ELSE 0 END), SUM(CASE WHEN c.replied_on > c.reply_due THEN c.sign ELSE 0 END)
    FROM (%s) c JOIN unit_ancestors a ON a.unit_id = c.unit_id JOIN units u ON u.id = c.unit_id
    GROUP BY 1, 2, 3, 4
    HAVING SUM(c.sign) <> 0 OR SUM(CASE WHEN c.acknowledged_on IS NULL THEN 0 ELSE c.sign END) <> 0
      OR SUM(CASE WHEN c.replied_on IS NULL THEN 0 ELSE c.sign END) <> 0
      OR SUM(CASE WHEN c.acknowledged_on <= c.ack_due THEN c.sign ELSE 0 END) <> 0
      OR SUM(CASE WHEN c.replied_on <= c.reply_due THEN c.sign ELSE 0 END) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = t.received + excluded.received,
      ack_on_time = t.ack_on_time + excluded.ack_on_time, ack_late = t.ack_late + excluded.ack_late,
      reply_on_time = t.reply_on_time + excluded.reply_on_time, reply_late = t.reply_late + excluded.reply_late
  $q$, src);
  EXECUTE format($q$
    INSERT INTO letter_open AS o (scope_id, received_on, own, level, step, due, n)
    SELECT a.ancestor_id, c.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step,
      CASE s.step WHEN 'ack' THEN c.ack_due ELSE c.reply_due END, SUM(c.sign)
    FROM (%s) c JOIN unit_ancestors a ON a.unit_id = c.unit_id JOIN units u ON u.id = c.unit_id
    CROSS JOIN (VALUES ('ack'), ('reply')) s(step)
    WHERE CASE s.step WHEN 'ack' THEN c.acknowledged_on ELSE c.replied_on END IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(c.sign) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = o.n + excluded.n
  $q$, src);
  DELETE FROM letter_open WHERE n = 0;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER letters_tally_insert AFTER INSERT ON letters REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION letters_tally();
CREATE TRIGGER letters_tally_update AFTER UPDATE ON letters REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION letters_tally();
CREATE TRIGGER letters_tally_delete AFTER DELETE ON letters REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION letters_tally();
