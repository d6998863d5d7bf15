-- The tasks of a plan's copies by creation day, with what a past day's figures read of them
-- (issue 22): the count of a day long past (`cascade::kept`) reads every task of the lineage's
-- copies (316,000 for the SPP's plan on the national data) for its category, deadline and day
-- made, and joins its states by id; an index-only scan of this index instead of the tasks' rows
-- (the heap: 45,000 pages read for the count).
CREATE INDEX tasks_plan_made ON tasks(plan_id, created_on) INCLUDE (category, deadline, id);
