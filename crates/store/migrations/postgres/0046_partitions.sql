-- Native partitioning by year (issue 22): the two tables that grow with every year of history —
-- case events (by the event's day) and the audit log (by the time of the entry) — are split into
-- a partition a year, 2000 to 2040, and a default one for anything outside; a year's queries read
-- its partitions, and an old year can be detached whole. PostgreSQL 15 keeps no identity column on
-- a partitioned table, so case events take their ids from a sequence of their own; a primary key
-- must hold the partition key, so it is (id, day) and (seq, at) — the audit log's seq stays unique
-- because every write takes the audit head's row lock.
ALTER TABLE case_events RENAME TO case_events_old;
ALTER TABLE case_events_old RENAME CONSTRAINT case_events_pkey TO case_events_old_pkey;
DROP INDEX case_events_case;
DROP INDEX case_events_extra;
DROP INDEX case_events_unit_extra;
CREATE SEQUENCE case_event_ids;
CREATE TABLE case_events (
  id BIGINT NOT NULL DEFAULT nextval('case_event_ids'),
  case_id BIGINT NOT NULL REFERENCES cases(id),
  event TEXT NOT NULL,
  on_date TEXT COLLATE "C" NOT NULL,
  unit_id BIGINT NOT NULL,
  case_type TEXT NOT NULL,
  extra_entry_on TEXT,
  PRIMARY KEY (id, on_date)
) PARTITION BY RANGE (on_date);
ALTER SEQUENCE case_event_ids OWNED BY case_events.id;
ALTER TABLE audit_log RENAME TO audit_log_old;
ALTER TABLE audit_log_old RENAME CONSTRAINT audit_log_pkey TO audit_log_old_pkey;
DROP INDEX audit_unit;
DROP INDEX audit_actor;
CREATE TABLE audit_log (
  seq BIGINT NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  actor_id BIGINT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  unit_id BIGINT,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (seq, at)
) PARTITION BY RANGE (at);
DO $$
BEGIN
  FOR y IN 2000..2040 LOOP
    EXECUTE format('CREATE TABLE case_events_%s PARTITION OF case_events FOR VALUES FROM (%L) TO (%L)',
                   y, y || '-01-01', (y + 1) || '-01-01');
    EXECUTE format('CREATE TABLE audit_log_%s PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                   y, y || '-01-01', (y + 1) || '-01-01');
  END LOOP;
END
$$;
CREATE TABLE case_events_other PARTITION OF case_events DEFAULT;
CREATE TABLE audit_log_other PARTITION OF audit_log DEFAULT;
INSERT INTO case_events (id, case_id, event, on_date, unit_id, case_type, extra_entry_on)
  SELECT id, case_id, event, on_date, unit_id, case_type, extra_entry_on FROM case_events_old;
SELECT setval('case_event_ids', GREATEST(COALESCE((SELECT MAX(id) FROM case_events), 0), 1), (SELECT COUNT(*) > 0 FROM case_events));
INSERT INTO audit_log SELECT * FROM audit_log_old;
DROP TABLE case_events_old;
DROP TABLE audit_log_old;
CREATE INDEX case_events_case ON case_events(case_id, on_date);
CREATE INDEX case_events_extra ON case_events(extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL;
CREATE INDEX case_events_unit_extra ON case_events(unit_id, extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL;
CREATE INDEX audit_unit ON audit_log(unit_id);
CREATE INDEX audit_actor ON audit_log(actor_id, seq);
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
