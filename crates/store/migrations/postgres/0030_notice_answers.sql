-- The 督办单 loop: the addressee reads and answers a notice (measures and the date they promise),
-- and the workbench lists each person's unanswered notices from an index.
ALTER TABLE notices ADD COLUMN read_at TEXT;
ALTER TABLE notices ADD COLUMN answered_at TEXT;
ALTER TABLE notices ADD COLUMN answered_by TEXT;
ALTER TABLE notices ADD COLUMN answer TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN promised_on TEXT;
CREATE INDEX notices_addressee_open ON notices(addressee_id, issued_on, id) WHERE answered_at IS NULL AND kind = 'notice';
