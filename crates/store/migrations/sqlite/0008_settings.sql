-- Settings an administrator changes in the application (JSON values).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
