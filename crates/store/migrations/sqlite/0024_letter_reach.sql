-- Lists that cost O(page) at any size (issue 22).
-- Every unit with the units above it (depth 0 = itself), rebuilt with the units' paths.
CREATE TABLE unit_ancestors (
  unit_id INTEGER NOT NULL REFERENCES units(id),
  ancestor_id INTEGER NOT NULL REFERENCES units(id),
  depth INTEGER NOT NULL,
  PRIMARY KEY (unit_id, ancestor_id)
) WITHOUT ROWID;
INSERT INTO unit_ancestors (unit_id, ancestor_id, depth) SELECT id, id, 0 FROM units;
INSERT INTO unit_ancestors (unit_id, ancestor_id, depth)
  SELECT a.unit_id, p.parent_id, 1 FROM unit_ancestors a JOIN units p ON p.id = a.ancestor_id WHERE a.depth = 0 AND p.parent_id IS NOT NULL;
INSERT INTO unit_ancestors (unit_id, ancestor_id, depth)
  SELECT a.unit_id, p.parent_id, 2 FROM unit_ancestors a JOIN units p ON p.id = a.ancestor_id WHERE a.depth = 1 AND p.parent_id IS NOT NULL;
INSERT INTO unit_ancestors (unit_id, ancestor_id, depth)
  SELECT a.unit_id, p.parent_id, 3 FROM unit_ancestors a JOIN units p ON p.id = a.ancestor_id WHERE a.depth = 2 AND p.parent_id IS NOT NULL;
-- The letters queue of every scope, in the list's order: for the holding unit alone (subtree 0)
-- and for it and every unit above it (subtree 1); open letters first by the deadline they owe.
-- Kept by the triggers below, so every door that writes a letter keeps it.
CREATE TABLE letter_reach (
  unit_id INTEGER NOT NULL,
  subtree INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  due TEXT NOT NULL,
  letter_id INTEGER NOT NULL,
  PRIMARY KEY (unit_id, subtree, closed, due, letter_id)
) WITHOUT ROWID;
CREATE INDEX letter_reach_letter ON letter_reach(letter_id);
INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
  SELECT l.unit_id, 0, l.closed_on IS NOT NULL, CASE WHEN l.acknowledged_on IS NULL THEN l.ack_due ELSE l.reply_due END, l.id FROM letters l;
INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
  SELECT a.ancestor_id, 1, l.closed_on IS NOT NULL, CASE WHEN l.acknowledged_on IS NULL THEN l.ack_due ELSE l.reply_due END, l.id
  FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id;
CREATE TRIGGER letters_reach_insert AFTER INSERT ON letters BEGIN
  INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
    SELECT NEW.unit_id, 0, NEW.closed_on IS NOT NULL, CASE WHEN NEW.acknowledged_on IS NULL THEN NEW.ack_due ELSE NEW.reply_due END, NEW.id;
  INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
    SELECT ancestor_id, 1, NEW.closed_on IS NOT NULL, CASE WHEN NEW.acknowledged_on IS NULL THEN NEW.ack_due ELSE NEW.reply_due END, NEW.id
    FROM unit_ancestors WHERE unit_id = NEW.unit_id;
END;
CREATE TRIGGER letters_reach_update AFTER UPDATE OF unit_id, acknowledged_on, closed_on, ack_due, reply_due ON letters
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.acknowledged_on IS NOT NEW.acknowledged_on OR OLD.closed_on IS NOT NEW.closed_on
  OR OLD.ack_due IS NOT NEW.ack_due OR OLD.reply_due IS NOT NEW.reply_due BEGIN
  DELETE FROM letter_reach WHERE letter_id = OLD.id;
  INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
    SELECT NEW.unit_id, 0, NEW.closed_on IS NOT NULL, CASE WHEN NEW.acknowledged_on IS NULL THEN NEW.ack_due ELSE NEW.reply_due END, NEW.id;
  INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id)
    SELECT ancestor_id, 1, NEW.closed_on IS NOT NULL, CASE WHEN NEW.acknowledged_on IS NULL THEN NEW.ack_due ELSE NEW.reply_due END, NEW.id
    FROM unit_ancestors WHERE unit_id = NEW.unit_id;
END;
CREATE TRIGGER letters_reach_delete AFTER DELETE ON letters BEGIN
  DELETE FROM letter_reach WHERE letter_id = OLD.id;
END;
