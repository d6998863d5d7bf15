-- The board's 50 leaders with the most red, then yellow notices read in that order (issue 22):
-- the scope's (or unit's) kept counts walked by an index from the top, O(50) instead of a sort of
-- every leader of the scope (3,639 for the SPP).
CREATE INDEX notice_scopes_top ON notice_scopes(scope_id, red DESC, yellow DESC, leader_id);
CREATE INDEX notice_tallies_top ON notice_tallies(unit_id, red DESC, yellow DESC, leader_id);
