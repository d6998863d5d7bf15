-- "My tasks" (and the workbench's tasks due) are found by lead leader, responsible person or
-- department through indexes, not by scanning every task of the scope.
CREATE INDEX tasks_responsible ON tasks(responsible_id);
