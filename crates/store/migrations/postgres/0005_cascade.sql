ALTER TABLE plans ADD COLUMN parent_plan_id BIGINT REFERENCES plans(id);
ALTER TABLE tasks ADD COLUMN parent_task_id BIGINT REFERENCES tasks(id);
CREATE INDEX plans_parent ON plans(parent_plan_id);
