-- The board's counts per leader (0058) read from their index alone (issue 22): the counts the row
-- filter and the page read are carried by the index, so the walk from the top needs no row.
DROP INDEX notice_scopes_top;
CREATE INDEX notice_scopes_top ON notice_scopes(scope_id, red DESC, yellow DESC, leader_id, reminders, blue);
DROP INDEX notice_tallies_top;
CREATE INDEX notice_tallies_top ON notice_tallies(unit_id, red DESC, yellow DESC, leader_id, reminders, blue);
