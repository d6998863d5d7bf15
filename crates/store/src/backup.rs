//! Logical backup and restore: JSON lines, portable between SQLite and PostgreSQL. The backup
//! reads every table inside one snapshot transaction, so it is consistent while the server runs.
use crate::{Actor, Backend, Change, Result, Store, StoreError};
use serde_json::{Value, json};
use sqlx::{Column, Row};
use std::io::BufRead;

/// Every table, parents before children. A store test checks this list against the schema, so a
/// module that adds a table must add it here too.
pub const TABLES: &[&str] = &[
    "units",
    "departments",
    "staff",
    "staff_posts",
    "users",
    "sessions",
    "api_tokens",
    "audit_head",
    "audit_log",
    "calendar_years",
    "calendar_days",
    "rounds",
    "plans",
    "problems",
    "tasks",
    "task_departments",
    "ledger_entries",
    "blobs",
    "evidence",
    "meetings",
    "meeting_items",
    "plan_rollup",
    "settings",
    "task_quiet",
    "letters",
    "letter_events",
    "notices",
    "letter_links",
    "campaigns",
    "campaign_letters",
    "hearings",
    "letter_files",
    "letter_replies",
    "letter_templates",
    "letter_sends",
    "letter_assignments",
    "clues",
    "clue_events",
    "clue_notices",
    "clue_files",
    "desk_reviews",
    "lookbacks",
    "lookback_items",
    "violations",
    "talk_plans",
    "talks",
    "personal_reports",
    "record_filings",
    "interference_records",
    "record_files",
    "supervision_letters",
    "cases",
    "case_events",
    "case_tags",
    "case_hits",
    "case_event_days",
    "case_event_months",
    "paperwork",
    "data_requests",
    "documents",
    "document_drafts",
    "task_adjustments",
    "audit_anchors",
    "kept_uploads",
];

const FORMAT: &str = "duban-backup";

impl Store {
    /// The names of the tables the database holds (without the migrations bookkeeping).
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                // a partitioned table's partitions are read and written through it
                "SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace \
                 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1"
            }
        };
        let mut v: Vec<String> = sqlx::query_scalar(sql).fetch_all(&self.pool).await?;
        // the search index and the scopes' letter queues are derived and rebuilt on restore
        v.retain(|t| {
            t != "schema_migrations"
                && !t.starts_with("letters_fts")
                && t != "copy_stage"
                && !crate::org::DERIVED.contains(&t.as_str())
        });
        Ok(v)
    }

    pub async fn backup(&self, out: &mut impl std::io::Write) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await?;
        writeln!(
            out,
            "{}",
            json!({"format": FORMAT, "version": 1, "schema_version": version, "created_at": self.now_rfc3339()})
        )?;
        let mut n = 0;
        self.progress
            .phase("写入备份（表）", Some(TABLES.len() as u64));
        for t in TABLES {
            self.progress.advance(1);
            // in key order: a row refers only to rows written before it (a copied task to its
            // parent task, a correction to the entry it corrects), whatever PostgreSQL's physical
            // order after updates
            let rows = sqlx::query(crate::sqlf!("SELECT * FROM {t} ORDER BY 1"))
                .fetch_all(&mut *tx)
                .await?;
            let cols: Vec<String> = match rows.first() {
                Some(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
                None => vec![],
            };
            writeln!(
                out,
                "{}",
                json!({"table": t, "columns": cols, "rows": rows.len()})
            )?;
            for r in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for i in 0..cols.len() {
                    vals.push(match r.try_get::<Option<i64>, _>(i) {
                        Ok(v) => json!(v),
                        Err(_) => match r.try_get::<Option<String>, _>(i) {
                            Ok(v) => json!(v),
                            // binary columns (evidence files) travel as hex
                            Err(_) => {
                                json!({"hex": r.try_get::<Option<Vec<u8>>, _>(i)?.map(hex::encode)})
                            }
                        },
                    });
                }
                writeln!(out, "{}", Value::Array(vals))?;
                n += 1;
            }
        }
        tx.commit().await?;
        out.flush()?;
        Ok(n)
    }

    /// Restores a backup. Refuses a database that already holds units unless `force`, which
    /// replaces everything. All or nothing.
    pub async fn restore(&self, input: impl BufRead, force: bool) -> Result<u64> {
        let mut lines = input.lines();
        let header: Value = serde_json::from_str(&lines.next().ok_or_else(|| bad("empty file"))??)
            .map_err(|e| bad(&e.to_string()))?;
        if header["format"] != FORMAT {
            return Err(bad("not a Duban backup"));
        }
        let version = self.schema_version().await?;
        if header["schema_version"].as_i64() != Some(version) {
            return Err(bad(&format!(
                "backup schema version {} differs from this database's {version}",
                header["schema_version"]
            )));
        }
        let mut tx = self.pool.begin().await?;
        // the letters' kept figures are recounted once at the end (rebuild_reach)
        crate::org::bulk_load(&mut tx).await?;
        let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(&mut *tx)
            .await?;
        if units > 0 && !force {
            return Err(StoreError::Conflict(
                "the database is not empty; pass --force to replace its contents".into(),
            ));
        }
        match self.backend {
            Backend::Sqlite => {
                sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS documents_frozen; DROP TRIGGER IF EXISTS documents_no_delete;").execute(&mut *tx).await?
            }
            Backend::Postgres => sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log; DROP TRIGGER IF EXISTS documents_frozen ON documents").execute(&mut *tx).await?,
        };
        // the derived search index and queues first (they refer to the letters and units)
        sqlx::query("DELETE FROM letters_fts")
            .execute(&mut *tx)
            .await?;
        for t in crate::org::DERIVED {
            sqlx::query(crate::sqlf!("DELETE FROM {t}"))
                .execute(&mut *tx)
                .await?;
        }
        for t in TABLES.iter().rev() {
            sqlx::query(crate::sqlf!("DELETE FROM {t}"))
                .execute(&mut *tx)
                .await?;
        }
        let mut n = 0u64;
        let mut line = lines.next();
        while let Some(l) = line {
            let meta: Value = serde_json::from_str(&l?).map_err(|e| bad(&e.to_string()))?;
            let table = meta["table"]
                .as_str()
                .ok_or_else(|| bad("expected a table header"))?
                .to_string();
            if !TABLES.contains(&table.as_str()) {
                return Err(bad(&format!("unknown table {table}")));
            }
            let cols: Vec<String> = meta["columns"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let count = meta["rows"].as_u64().unwrap_or(0);
            let ints = self.integer_columns(&mut tx, &table).await?;
            let int_cols: Vec<bool> = cols.iter().map(|c| ints.contains(c)).collect();
            let per = (900 / cols.len().max(1)).max(1);
            let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per);
            self.progress.phase(&format!("恢复 {table}"), Some(count));
            for _ in 0..count {
                let row: Vec<Value> =
                    serde_json::from_str(&lines.next().ok_or_else(|| bad("truncated file"))??)
                        .map_err(|e| bad(&e.to_string()))?;
                if row.len() != cols.len() {
                    return Err(bad(&format!(
                        "row of {table} has {} values, expected {}",
                        row.len(),
                        cols.len()
                    )));
                }
                batch.push(row);
                if batch.len() == per {
                    insert_batch(&mut tx, &table, &cols, &int_cols, &batch).await?;
                    n += batch.len() as u64;
                    self.progress.advance(batch.len() as u64);
                    batch.clear();
                }
            }
            if !batch.is_empty() {
                insert_batch(&mut tx, &table, &cols, &int_cols, &batch).await?;
                n += batch.len() as u64;
            }
            line = lines.next();
        }
        if self.backend == Backend::Postgres {
            for t in TABLES {
                let has_identity: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id' AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')")
                    .bind(*t)
                    .fetch_one(&mut *tx)
                    .await?;
                if has_identity > 0 {
                    sqlx::raw_sql(crate::sqlf!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST(COALESCE((SELECT MAX(id) FROM {t}), 0), 1), (SELECT COUNT(*) > 0 FROM {t}))"))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        crate::org::rebuild_reach(&mut tx, true).await?;
        crate::rectification::states::refresh(&mut tx, "true", None).await?;
        sqlx::raw_sql(self.triggers_sql()).execute(&mut *tx).await?;
        tx.commit().await?;
        self.forget_calendar();
        // the restored database's clock (a demo's pinned day comes back with its settings)
        self.unpin_database_clock();
        self.read_pin().await?;
        self.reindex_letters().await?;
        let mut w = self.write(&Actor::system("restore")).await?;
        w.audit(Change {
            action: "system.restore",
            entity: "database",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"rows": n, "backup_created_at": header["created_at"]})),
        })
        .await?;
        w.commit().await?;
        Ok(n)
    }
}

impl Store {
    async fn integer_columns(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        table: &str,
    ) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name FROM pragma_table_info($1) WHERE type = 'INTEGER'",
            Backend::Postgres => {
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'bigint'"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(table)
            .fetch_all(&mut **tx)
            .await?)
    }
}

fn bad(msg: &str) -> StoreError {
    StoreError::Invalid(format!("backup file: {msg}"))
}

pub(crate) async fn insert_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    cols: &[String],
    int_cols: &[bool],
    rows: &[Vec<Value>],
) -> Result<()> {
    insert_rows(tx, table, cols, int_cols, rows, "")
        .await
        .map(|_| ())
}

/// A multi-row INSERT of `rows` (JSON values bound as integers or text), with an optional
/// `suffix` such as `ON CONFLICT DO NOTHING`.
pub(crate) async fn insert_rows(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    cols: &[String],
    int_cols: &[bool],
    rows: &[Vec<Value>],
    suffix: &str,
) -> Result<u64> {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut p = 0;
    for (i, _) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..cols.len() {
            if j > 0 {
                sql.push_str(", ");
            }
            p += 1;
            sql.push_str(&format!("${p}"));
        }
        sql.push(')');
    }
    sql.push(' ');
    sql.push_str(suffix);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in rows {
        for (v, is_int) in row.iter().zip(int_cols) {
            q = match v {
                Value::Null if *is_int => q.bind(None::<i64>),
                Value::Null => q.bind(None::<String>),
                Value::Number(n) => q.bind(n.as_i64()),
                Value::String(s) => q.bind(s.clone()),
                Value::Object(o) if o.contains_key("hex") => {
                    q.bind(o["hex"].as_str().and_then(|h| hex::decode(h).ok()))
                }
                other => q.bind(other.to_string()),
            };
        }
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}
