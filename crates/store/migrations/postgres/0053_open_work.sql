-- The workbench's open supervision letters and open monitoring hits (issue 22): each from a
-- partial index of the open ones, newest first, instead of the scope's latest 500 of all of them
-- filtered afterwards (which also missed open ones older than the 500th). The hits' list reads
-- its own order from an index too, instead of sorting every hit.
CREATE INDEX supervision_letters_open ON supervision_letters(id) WHERE issued_on IS NOT NULL AND answered_on IS NULL;
CREATE INDEX case_hits_open ON case_hits(on_date, id) WHERE task_id IS NULL;
CREATE INDEX case_hits_recent ON case_hits(on_date, id);
