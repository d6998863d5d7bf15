-- Only notices still to be e-mailed are indexed for the mail sender: most notices have no
-- address, and a sweep that issues many should not grow an index it never reads.
DROP INDEX IF EXISTS notices_unsent;
CREATE INDEX notices_unsent ON notices(id) WHERE sent_at IS NULL AND email <> '';
