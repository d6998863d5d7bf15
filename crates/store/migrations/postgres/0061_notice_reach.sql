-- The board's notices queued per scope (issue 22), as the letters are (0024): each task notice
-- once for the unit holding the task (subtree 0) and once for that unit and each of its ancestors
-- (subtree 1), by issue day and id. A scope's page of the board walks its own rows newest first;
-- it walked the country's notices and kept its own (a province's first page read 154,558 rows on
-- the national data). Kept by triggers on notices; rebuilt with the closure when units move
-- (`org::fill_notice_reach`, which fills it once after this migration too).
CREATE TABLE notice_reach (
  unit_id BIGINT NOT NULL,
  subtree BIGINT NOT NULL,
  issued_on TEXT COLLATE "C" NOT NULL,
  notice_id BIGINT NOT NULL,
  PRIMARY KEY (unit_id, subtree, issued_on, notice_id)
);
CREATE INDEX notice_reach_notice ON notice_reach(notice_id);
CREATE OR REPLACE FUNCTION notice_reach_rows() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM notice_reach r USING old_rows o WHERE r.notice_id = o.id AND o.task_id IS NOT NULL;
  ELSE
    INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id)
      SELECT p.unit_id, 0, n.issued_on, n.id FROM new_rows n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id;
    INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id)
      SELECT a.ancestor_id, 1, n.issued_on, n.id FROM new_rows n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id
      JOIN unit_ancestors a ON a.unit_id = p.unit_id;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER notice_reach_insert AFTER INSERT ON notices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notice_reach_rows();
CREATE TRIGGER notice_reach_delete AFTER DELETE ON notices REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notice_reach_rows();
