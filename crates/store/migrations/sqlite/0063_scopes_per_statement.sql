-- On PostgreSQL this version keeps the per-scope tallies of the staff in post and of the filings
-- per statement instead of per row (a row trigger's repeated updates of one row in one
-- transaction each walked the versions the earlier ones left). SQLite updates rows in place:
-- its row triggers (0052, 0060) stay, and nothing changes here.
SELECT 1;
