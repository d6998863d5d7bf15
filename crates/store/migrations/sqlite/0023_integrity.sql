-- Integrity (不搞形式销号): every ledger entry keeps its business date (entry_date), the time it
-- was recorded (created_at), how many days late it was recorded beyond the grace and why (补录),
-- and where it came from when imported (provenance: file, importing account, time).
ALTER TABLE ledger_entries ADD COLUMN late_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_entries ADD COLUMN late_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entries ADD COLUMN provenance TEXT NOT NULL DEFAULT '';
CREATE INDEX ledger_late ON ledger_entries(task_id) WHERE late_days > 0;
-- Adjustments of a task: edits by the office (applied at once, before/after kept) and changes of
-- deadline or category (requests with a reason, decided by someone other than their author).
CREATE TABLE task_adjustments (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  field TEXT NOT NULL,
  before_value TEXT NOT NULL,
  after_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  state TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  requested_by INTEGER REFERENCES users(id),
  requested_by_name TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  decided_by INTEGER REFERENCES users(id),
  decided_by_name TEXT,
  decided_at TEXT,
  decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_adjustments_task ON task_adjustments(task_id, id);
CREATE INDEX task_adjustments_pending ON task_adjustments(state, id) WHERE state = 'pending';
-- The audit chain's head, signed (ed25519) by the installation's key, once a day or on demand.
CREATE TABLE audit_anchors (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL,
  anchor_json TEXT NOT NULL
);
CREATE INDEX audit_anchors_at ON audit_anchors(signed_at);
-- Cascade to any depth: every copy names the plan its lineage started from, so that roll-ups
-- and drill-down count copies made at every level (a province's copies to its cities included).
ALTER TABLE plans ADD COLUMN origin_plan_id INTEGER REFERENCES plans(id);
UPDATE plans SET origin_plan_id = COALESCE((SELECT q.origin_plan_id FROM plans q WHERE q.id = plans.parent_plan_id), parent_plan_id) WHERE parent_plan_id IS NOT NULL;
UPDATE plans SET origin_plan_id = COALESCE((SELECT q.origin_plan_id FROM plans q WHERE q.id = plans.parent_plan_id), parent_plan_id) WHERE parent_plan_id IS NOT NULL;
UPDATE plans SET origin_plan_id = COALESCE((SELECT q.origin_plan_id FROM plans q WHERE q.id = plans.parent_plan_id), parent_plan_id) WHERE parent_plan_id IS NOT NULL;
CREATE INDEX plans_origin ON plans(origin_plan_id);
-- Letter steps keep the business date (on_date), the recording time (created_at) and, when
-- recorded beyond the grace, the delay and its reason (补录).
ALTER TABLE letter_events ADD COLUMN late_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_events ADD COLUMN late_reason TEXT NOT NULL DEFAULT '';
-- A ledger workbook round-trips: each row's own 具体表现 (when it differs from its problem's) and
-- 佐证材料 as written (names of evidence held elsewhere) are kept with the task.
ALTER TABLE tasks ADD COLUMN manifestation TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN evidence_note TEXT NOT NULL DEFAULT '';
-- API tokens expire (tokens issued before this version: 90 days from the upgrade).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days');
