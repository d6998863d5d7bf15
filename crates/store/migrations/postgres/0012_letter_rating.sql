-- The writer's rating of the result reply (满意 / 不满意) with a comment.
ALTER TABLE letters ADD COLUMN rating TEXT;
ALTER TABLE letters ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN rated_on TEXT;
