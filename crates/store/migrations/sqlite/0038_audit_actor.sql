-- 已办: what a person did, newest first, read from the audit log by its actor.
CREATE INDEX audit_actor ON audit_log(actor_id, seq);
-- A unit's own plans (the documents form) without walking every copy of every plan.
CREATE INDEX plans_unit ON plans(unit_id);
