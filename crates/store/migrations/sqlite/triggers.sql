CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS documents_frozen BEFORE UPDATE ON documents WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, 'a published document is frozen'); END;
CREATE TRIGGER IF NOT EXISTS documents_no_delete BEFORE DELETE ON documents WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, 'a published document is frozen'); END;
