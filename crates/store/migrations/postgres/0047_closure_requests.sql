-- The workbench's reviews (issue 16): the closure requests a unit may review are few among all
-- tasks; read from their own index instead of scanning every task of the country (the plans of
-- the unit and the rounds it issued are then looked up by key).
CREATE INDEX tasks_closure_requested ON tasks(plan_id) WHERE state = 'closure_requested';
-- PostgreSQL keeps a table's rows in the order they were written: a scope's kept reply-rate rows
-- (migration 0045) lie on as many pages as rows. Their figures are read from the index alone.
CREATE INDEX letter_tallies_cover ON letter_tallies (scope_id, received_on)
  INCLUDE (own, level, received, ack_on_time, ack_late, reply_on_time, reply_late);
