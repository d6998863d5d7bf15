-- The supervision board pages notices newest first by keyset on (issued_on, id): all of a scope's
-- in this order, or one addressee's. The addressee index gains the order (and replaces the old).
CREATE INDEX notices_issued ON notices(issued_on, id);
CREATE INDEX notices_addressee_issued ON notices(addressee_id, issued_on, id);
DROP INDEX notices_addressee;
