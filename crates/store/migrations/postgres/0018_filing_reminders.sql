-- Notices may also remind a staff member of the month's interference-record filing they owe
-- (`filer_id`): the same sweep, the same delivery.
ALTER TABLE notices ADD COLUMN filer_id BIGINT REFERENCES staff(id);
ALTER TABLE notices DROP CONSTRAINT notices_one_subject;
ALTER TABLE notices ADD CONSTRAINT notices_one_subject CHECK ((task_id IS NOT NULL)::int + (letter_id IS NOT NULL)::int + (filer_id IS NOT NULL)::int = 1);
CREATE UNIQUE INDEX notices_filer_key ON notices(filer_id, dedupe) WHERE filer_id IS NOT NULL;
