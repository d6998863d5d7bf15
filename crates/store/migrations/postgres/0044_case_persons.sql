-- Persons in case quality (issue 20): how many suspects or defendants a case concerns, and of them
-- how many pleaded guilty and accepted punishment (认罪认罚), as the case-handling system's events
-- give them. NULL: not given (one person; all of them when the case has a plea).
ALTER TABLE cases ADD COLUMN persons BIGINT;
ALTER TABLE cases ADD COLUMN plea_persons BIGINT;
