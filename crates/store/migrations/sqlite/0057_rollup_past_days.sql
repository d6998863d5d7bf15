-- The roll-up kept per subtree holds several past days (issue 22): each past day's rows carry the
-- order they were counted in (per lineage); a subtree keeps its last 8 past days counted, so
-- viewers moving between a few past days (month and quarter ends) read them kept. Today's rows
-- carry 0 and go once their day has passed.
ALTER TABLE plan_rollup_tree ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
