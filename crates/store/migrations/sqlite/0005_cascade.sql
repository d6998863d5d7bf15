ALTER TABLE plans ADD COLUMN parent_plan_id INTEGER REFERENCES plans(id);
ALTER TABLE tasks ADD COLUMN parent_task_id INTEGER REFERENCES tasks(id);
CREATE INDEX plans_parent ON plans(parent_plan_id);
