-- The board's counts per leader (0058) read from their index alone (issue 22). The statement is
-- prepared once, and PostgreSQL's generic plan, costed on the average scope (a few leaders),
-- took a bitmap scan of the scope's rows and a sort over walking the index from the top: 3,639
-- rows sorted for the SPP's 50, 1.2 ms a board. With the counts the row filter reads included,
-- the walk is an index-only scan, cheaper for any scope, and the generic plan takes it (0.3 ms).
DROP INDEX notice_scopes_top;
CREATE INDEX notice_scopes_top ON notice_scopes(scope_id, red DESC, yellow DESC, leader_id) INCLUDE (reminders, blue);
DROP INDEX notice_tallies_top;
CREATE INDEX notice_tallies_top ON notice_tallies(unit_id, red DESC, yellow DESC, leader_id) INCLUDE (reminders, blue);
