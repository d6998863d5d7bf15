-- PostgreSQL partitions the case events and the audit log by year here (issue 22); SQLite keeps
-- them as they are. The version stays in step with PostgreSQL's, so a backup moves between them.
SELECT 1;
