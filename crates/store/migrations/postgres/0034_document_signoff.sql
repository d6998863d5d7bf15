-- Sign-off (签发): who signed a draft off, when, with what opinion. A save after the signature
-- clears it; publishing needs it.
ALTER TABLE documents ADD COLUMN signed_by TEXT;
ALTER TABLE documents ADD COLUMN signed_at TEXT;
ALTER TABLE documents ADD COLUMN sign_opinion TEXT;
