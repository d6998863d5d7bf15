-- PostgreSQL's bulk imports gain a scratch table for COPY here (issue 22); SQLite writes bulk rows
-- with multi-row INSERTs and needs none. The version stays in step with PostgreSQL's.
SELECT 1;
