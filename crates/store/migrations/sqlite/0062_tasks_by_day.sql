-- The tasks of a plan's copies by creation day, with what a past day's figures read of them
-- (issue 22): the count of a day long past (`cascade::kept`) reads every task of the lineage's
-- copies (316,000 for the SPP's plan on the national data) for its category, deadline and day
-- made; from this index alone instead of each task's row (0.25 → 0.21 s for that count).
CREATE INDEX tasks_plan_made ON tasks(plan_id, created_on, category, deadline);
