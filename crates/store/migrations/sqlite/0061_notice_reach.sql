-- The board's notices queued per scope (issue 22), as the letters are (0024): each task notice
-- once for the unit holding the task (subtree 0) and once for that unit and each of its ancestors
-- (subtree 1), by issue day and id. A scope's page of the board walks its own rows newest first;
-- it walked the country's notices and kept its own (a province's first page read 154,558 rows on
-- the national data). Kept by triggers on notices; rebuilt with the closure when units move
-- (`org::fill_notice_reach`, which fills it once after this migration too).
CREATE TABLE notice_reach (
  unit_id INTEGER NOT NULL,
  subtree INTEGER NOT NULL,
  issued_on TEXT NOT NULL,
  notice_id INTEGER NOT NULL,
  PRIMARY KEY (unit_id, subtree, issued_on, notice_id)
) WITHOUT ROWID;
CREATE INDEX notice_reach_notice ON notice_reach(notice_id);
CREATE TRIGGER notice_reach_insert AFTER INSERT ON notices WHEN NEW.task_id IS NOT NULL BEGIN
  INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id)
    SELECT p.unit_id, 0, NEW.issued_on, NEW.id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = NEW.task_id;
  INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id)
    SELECT a.ancestor_id, 1, NEW.issued_on, NEW.id FROM tasks t JOIN plans p ON p.id = t.plan_id
    JOIN unit_ancestors a ON a.unit_id = p.unit_id WHERE t.id = NEW.task_id;
END;
CREATE TRIGGER notice_reach_delete AFTER DELETE ON notices WHEN OLD.task_id IS NOT NULL BEGIN
  DELETE FROM notice_reach WHERE notice_id = OLD.id;
END;
