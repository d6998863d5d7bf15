-- Kept roll-ups were counted when a long-term task with any staged result counted as having
-- staged results even while one was owed; the cache is derived and is counted again on demand.
DELETE FROM plan_rollup;
