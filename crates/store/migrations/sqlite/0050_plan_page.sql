-- A plan's copies as the dashboard's roll-up reads them, from the index alone (see the PostgreSQL
-- migration of the same number); it replaces plans_origin, its prefix.
CREATE INDEX plans_copies ON plans (origin_plan_id, unit_id, id, rollup_version);
DROP INDEX plans_origin;
-- The plan page counts the plan's ledger entries recorded late (补录) up to its day: the late ones
-- by task and date, so the count reads those few and not every entry of every task (SQLite chose
-- the task's whole ledger with the former index: 32 ms once a plan had 100,000 entries).
DROP INDEX ledger_late;
CREATE INDEX ledger_late ON ledger_entries(task_id, entry_date) WHERE late_days > 0;
