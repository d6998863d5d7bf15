-- The workbench's reviews (issue 16): the closure requests a unit may review are few among all
-- tasks; read from their own index instead of scanning every task of the country (the plans of
-- the unit and the rounds it issued are then looked up by key).
CREATE INDEX tasks_closure_requested ON tasks(plan_id) WHERE state = 'closure_requested';
