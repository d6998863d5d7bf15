-- Bulk imports copy their rows here with COPY on a connection of their own, then move them into
-- their tables with one INSERT … SELECT inside the import's write transaction (sqlx's Any
-- connections cannot COPY; DECISIONS 101). A row's columns go to i1… (integers) and t1… (text)
-- in order. Scratch only: unlogged (a crash empties it), not backed up, an import's rows deleted
-- when it ends, and rows whose connection (pid) is gone deleted by the next import.
CREATE SEQUENCE copy_batches;
CREATE UNLOGGED TABLE copy_stage (
  batch BIGINT NOT NULL,
  part INT NOT NULL,
  pid INT NOT NULL DEFAULT pg_backend_pid(),
  i1 BIGINT, i2 BIGINT, i3 BIGINT, i4 BIGINT,
  t1 TEXT, t2 TEXT, t3 TEXT, t4 TEXT, t5 TEXT, t6 TEXT, t7 TEXT, t8 TEXT,
  t9 TEXT, t10 TEXT, t11 TEXT, t12 TEXT, t13 TEXT, t14 TEXT, t15 TEXT, t16 TEXT
);
CREATE INDEX copy_stage_batch ON copy_stage (batch, part);
