-- A subtree's units by their ancestor (figures and lists that select a scope's units).
CREATE INDEX unit_ancestors_down ON unit_ancestors(ancestor_id, unit_id);
