DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 WHERE t.tgname = 'audit_log_no_change' AND c.relname = 'audit_log' AND c.relnamespace = current_schema()::regnamespace) THEN
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  END IF;
END
$$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 WHERE t.tgname = 'documents_frozen' AND c.relname = 'documents' AND c.relnamespace = current_schema()::regnamespace) THEN
    CREATE TRIGGER documents_frozen BEFORE UPDATE OR DELETE ON documents
      FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION documents_frozen();
  END IF;
END
$$;
