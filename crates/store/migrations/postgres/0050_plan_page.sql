-- A plan's copies (every unit's copy of the party plan: 3,600 at national scale) are read by the
-- dashboard's roll-up on every view: which copies, their units and their roll-up version. Each
-- copy row carries the plan's text, so each sits on its own heap page; this index holds what the
-- roll-up reads, so it is read from the index alone (3,632 copies: 20 ms → 1 ms). It replaces
-- plans_origin, its prefix.
CREATE INDEX plans_copies ON plans (origin_plan_id, unit_id) INCLUDE (id, rollup_version);
DROP INDEX plans_origin;
-- The plan page counts the plan's ledger entries recorded late (补录) up to its day: the late ones
-- by task and date, so the count reads those few and not every entry of every task (SQLite chose
-- the task's whole ledger with the former index: 32 ms once a plan had 100,000 entries).
DROP INDEX ledger_late;
CREATE INDEX ledger_late ON ledger_entries(task_id, entry_date) WHERE late_days > 0;
