-- On PostgreSQL this version makes triggers that kept figures row by row cost once per statement
-- (the per-scope tallies of staff and filings, a task's roll-up bump on insert and delete) and
-- lets a bulk update of tasks switch its row triggers off and do their work once. SQLite updates
-- rows in place and runs its row triggers as rows are written: nothing changes here.
SELECT 1;
