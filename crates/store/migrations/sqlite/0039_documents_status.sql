-- The documents list filtered by state reads a page in the order of the ids (no sort of every
-- published document).
CREATE INDEX documents_status_id ON documents(status, id);
