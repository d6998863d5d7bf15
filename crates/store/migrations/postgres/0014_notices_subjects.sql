-- Notices are about a task or a letter (the same urging for both). Each is unique per subject and
-- key: one composite index instead of a unique key text plus an index on the task.
ALTER TABLE notices ALTER COLUMN task_id DROP NOT NULL;
ALTER TABLE notices ADD COLUMN letter_id BIGINT REFERENCES letters(id);
ALTER TABLE notices ADD CONSTRAINT notices_one_subject CHECK ((task_id IS NULL) <> (letter_id IS NULL));
ALTER TABLE notices DROP CONSTRAINT notices_dedupe_key;
DROP INDEX notices_task;
CREATE UNIQUE INDEX notices_task_key ON notices(task_id, dedupe) WHERE task_id IS NOT NULL;
CREATE UNIQUE INDEX notices_letter_key ON notices(letter_id, dedupe) WHERE letter_id IS NOT NULL;
-- The writer's personal data besides name and phone.
ALTER TABLE letters ADD COLUMN id_number TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- The letters sweep reads the letters open on its day (not closed, or closed after it) from this
-- index alone.
CREATE INDEX letters_open ON letters(closed_on, received_on, ack_due, reply_due, acknowledged_on, replied_on, unit_id);
