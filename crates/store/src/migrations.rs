//! The schema: the embedded migrations of each backend, applied in order once, and the
//! triggers (re)created after them.
use crate::{Backend, Result, Store};

const MIGRATIONS_SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_foundation.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_rectification.sql"),
    ),
    (3, include_str!("../migrations/sqlite/0003_supervision.sql")),
    (4, include_str!("../migrations/sqlite/0004_meetings.sql")),
    (5, include_str!("../migrations/sqlite/0005_cascade.sql")),
    (6, include_str!("../migrations/sqlite/0006_quiet.sql")),
    (
        7,
        include_str!("../migrations/sqlite/0007_rollup_cache.sql"),
    ),
    (8, include_str!("../migrations/sqlite/0008_settings.sql")),
    (9, include_str!("../migrations/sqlite/0009_task_quiet.sql")),
    (
        10,
        include_str!("../migrations/sqlite/0010_unsent_index.sql"),
    ),
    (11, include_str!("../migrations/sqlite/0011_letters.sql")),
    (
        12,
        include_str!("../migrations/sqlite/0012_letter_rating.sql"),
    ),
    (
        13,
        include_str!("../migrations/sqlite/0013_letters_metrics_index.sql"),
    ),
    (
        14,
        include_str!("../migrations/sqlite/0014_notices_subjects.sql"),
    ),
    (
        15,
        include_str!("../migrations/sqlite/0015_letters_more.sql"),
    ),
    (16, include_str!("../migrations/sqlite/0016_records.sql")),
    (
        17,
        include_str!("../migrations/sqlite/0017_supervision_letters.sql"),
    ),
    (
        18,
        include_str!("../migrations/sqlite/0018_filing_reminders.sql"),
    ),
    (
        19,
        include_str!("../migrations/sqlite/0019_record_files.sql"),
    ),
    (20, include_str!("../migrations/sqlite/0020_quality.sql")),
    (21, include_str!("../migrations/sqlite/0021_paperwork.sql")),
    (22, include_str!("../migrations/sqlite/0022_documents.sql")),
    (23, include_str!("../migrations/sqlite/0023_integrity.sql")),
    (
        24,
        include_str!("../migrations/sqlite/0024_letter_reach.sql"),
    ),
    (
        25,
        include_str!("../migrations/sqlite/0025_record_tallies.sql"),
    ),
    (
        26,
        include_str!("../migrations/sqlite/0026_shared_limits.sql"),
    ),
    (
        27,
        include_str!("../migrations/sqlite/0027_ancestors_down.sql"),
    ),
    (
        28,
        include_str!("../migrations/sqlite/0028_notice_order.sql"),
    ),
    (
        29,
        include_str!("../migrations/sqlite/0029_notice_tallies.sql"),
    ),
    (
        30,
        include_str!("../migrations/sqlite/0030_notice_answers.sql"),
    ),
    (
        31,
        include_str!("../migrations/sqlite/0031_tasks_responsible.sql"),
    ),
    (
        32,
        include_str!("../migrations/sqlite/0032_rollup_staged.sql"),
    ),
    (
        33,
        include_str!("../migrations/sqlite/0033_filing_tallies_month.sql"),
    ),
    (
        34,
        include_str!("../migrations/sqlite/0034_document_signoff.sql"),
    ),
    (
        35,
        include_str!("../migrations/sqlite/0035_kept_uploads.sql"),
    ),
    (
        36,
        include_str!("../migrations/sqlite/0036_notices_answered.sql"),
    ),
    (
        37,
        include_str!("../migrations/sqlite/0037_records_month.sql"),
    ),
    (
        38,
        include_str!("../migrations/sqlite/0038_audit_actor.sql"),
    ),
    (
        39,
        include_str!("../migrations/sqlite/0039_documents_status.sql"),
    ),
    (40, include_str!("../migrations/sqlite/0040_identity.sql")),
    (
        41,
        include_str!("../migrations/sqlite/0041_letter_answers.sql"),
    ),
    (42, include_str!("../migrations/sqlite/0042_discipline.sql")),
    (
        43,
        include_str!("../migrations/sqlite/0043_units_kinds.sql"),
    ),
    (
        44,
        include_str!("../migrations/sqlite/0044_case_persons.sql"),
    ),
    (
        45,
        include_str!("../migrations/sqlite/0045_letter_tallies.sql"),
    ),
    (46, include_str!("../migrations/sqlite/0046_partitions.sql")),
    (
        47,
        include_str!("../migrations/sqlite/0047_closure_requests.sql"),
    ),
    (
        48,
        include_str!("../migrations/sqlite/0048_letter_months.sql"),
    ),
    (49, include_str!("../migrations/sqlite/0049_copy_stage.sql")),
    (50, include_str!("../migrations/sqlite/0050_plan_page.sql")),
    (
        51,
        include_str!("../migrations/sqlite/0051_letter_answers_kept.sql"),
    ),
    (
        52,
        include_str!("../migrations/sqlite/0052_post_scopes.sql"),
    ),
    (53, include_str!("../migrations/sqlite/0053_open_work.sql")),
    (
        54,
        include_str!("../migrations/sqlite/0054_rollup_tree.sql"),
    ),
    (
        55,
        include_str!("../migrations/sqlite/0055_notice_scopes.sql"),
    ),
    (
        56,
        include_str!("../migrations/sqlite/0056_quality_kept.sql"),
    ),
    (
        57,
        include_str!("../migrations/sqlite/0057_rollup_past_days.sql"),
    ),
    (58, include_str!("../migrations/sqlite/0058_notice_top.sql")),
    (
        59,
        include_str!("../migrations/sqlite/0059_task_states.sql"),
    ),
    (
        60,
        include_str!("../migrations/sqlite/0060_filing_scopes.sql"),
    ),
    (
        61,
        include_str!("../migrations/sqlite/0061_notice_reach.sql"),
    ),
    (
        62,
        include_str!("../migrations/sqlite/0062_tasks_by_day.sql"),
    ),
    (
        63,
        include_str!("../migrations/sqlite/0063_bulk_triggers.sql"),
    ),
    (
        64,
        include_str!("../migrations/sqlite/0064_notice_top_covering.sql"),
    ),
    (
        65,
        include_str!("../migrations/sqlite/0065_letter_done.sql"),
    ),
    (
        66,
        include_str!("../migrations/sqlite/0066_letter_done_by_month.sql"),
    ),
];
const MIGRATIONS_PG: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../migrations/postgres/0002_rectification.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_supervision.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_meetings.sql")),
    (5, include_str!("../migrations/postgres/0005_cascade.sql")),
    (6, include_str!("../migrations/postgres/0006_quiet.sql")),
    (
        7,
        include_str!("../migrations/postgres/0007_rollup_cache.sql"),
    ),
    (8, include_str!("../migrations/postgres/0008_settings.sql")),
    (
        9,
        include_str!("../migrations/postgres/0009_task_quiet.sql"),
    ),
    (
        10,
        include_str!("../migrations/postgres/0010_unsent_index.sql"),
    ),
    (11, include_str!("../migrations/postgres/0011_letters.sql")),
    (
        12,
        include_str!("../migrations/postgres/0012_letter_rating.sql"),
    ),
    (
        13,
        include_str!("../migrations/postgres/0013_letters_metrics_index.sql"),
    ),
    (
        14,
        include_str!("../migrations/postgres/0014_notices_subjects.sql"),
    ),
    (
        15,
        include_str!("../migrations/postgres/0015_letters_more.sql"),
    ),
    (16, include_str!("../migrations/postgres/0016_records.sql")),
    (
        17,
        include_str!("../migrations/postgres/0017_supervision_letters.sql"),
    ),
    (
        18,
        include_str!("../migrations/postgres/0018_filing_reminders.sql"),
    ),
    (
        19,
        include_str!("../migrations/postgres/0019_record_files.sql"),
    ),
    (20, include_str!("../migrations/postgres/0020_quality.sql")),
    (
        21,
        include_str!("../migrations/postgres/0021_paperwork.sql"),
    ),
    (
        22,
        include_str!("../migrations/postgres/0022_documents.sql"),
    ),
    (
        23,
        include_str!("../migrations/postgres/0023_integrity.sql"),
    ),
    (
        24,
        include_str!("../migrations/postgres/0024_letter_reach.sql"),
    ),
    (
        25,
        include_str!("../migrations/postgres/0025_record_tallies.sql"),
    ),
    (
        26,
        include_str!("../migrations/postgres/0026_shared_limits.sql"),
    ),
    (
        27,
        include_str!("../migrations/postgres/0027_ancestors_down.sql"),
    ),
    (
        28,
        include_str!("../migrations/postgres/0028_notice_order.sql"),
    ),
    (
        29,
        include_str!("../migrations/postgres/0029_notice_tallies.sql"),
    ),
    (
        30,
        include_str!("../migrations/postgres/0030_notice_answers.sql"),
    ),
    (
        31,
        include_str!("../migrations/postgres/0031_tasks_responsible.sql"),
    ),
    (
        32,
        include_str!("../migrations/postgres/0032_rollup_staged.sql"),
    ),
    (
        33,
        include_str!("../migrations/postgres/0033_filing_tallies_month.sql"),
    ),
    (
        34,
        include_str!("../migrations/postgres/0034_document_signoff.sql"),
    ),
    (
        35,
        include_str!("../migrations/postgres/0035_kept_uploads.sql"),
    ),
    (
        36,
        include_str!("../migrations/postgres/0036_notices_answered.sql"),
    ),
    (
        37,
        include_str!("../migrations/postgres/0037_records_month.sql"),
    ),
    (
        38,
        include_str!("../migrations/postgres/0038_audit_actor.sql"),
    ),
    (
        39,
        include_str!("../migrations/postgres/0039_documents_status.sql"),
    ),
    (40, include_str!("../migrations/postgres/0040_identity.sql")),
    (
        41,
        include_str!("../migrations/postgres/0041_letter_answers.sql"),
    ),
    (
        42,
        include_str!("../migrations/postgres/0042_discipline.sql"),
    ),
    (
        43,
        include_str!("../migrations/postgres/0043_units_kinds.sql"),
    ),
    (
        44,
        include_str!("../migrations/postgres/0044_case_persons.sql"),
    ),
    (
        45,
        include_str!("../migrations/postgres/0045_letter_tallies.sql"),
    ),
    (
        46,
        include_str!("../migrations/postgres/0046_partitions.sql"),
    ),
    (
        47,
        include_str!("../migrations/postgres/0047_closure_requests.sql"),
    ),
    (
        48,
        include_str!("../migrations/postgres/0048_letter_months.sql"),
    ),
    (
        49,
        include_str!("../migrations/postgres/0049_copy_stage.sql"),
    ),
    (
        50,
        include_str!("../migrations/postgres/0050_plan_page.sql"),
    ),
    (
        51,
        include_str!("../migrations/postgres/0051_letter_answers_kept.sql"),
    ),
    (
        52,
        include_str!("../migrations/postgres/0052_post_scopes.sql"),
    ),
    (
        53,
        include_str!("../migrations/postgres/0053_open_work.sql"),
    ),
    (
        54,
        include_str!("../migrations/postgres/0054_rollup_tree.sql"),
    ),
    (
        55,
        include_str!("../migrations/postgres/0055_notice_scopes.sql"),
    ),
    (
        56,
        include_str!("../migrations/postgres/0056_quality_kept.sql"),
    ),
    (
        57,
        include_str!("../migrations/postgres/0057_rollup_past_days.sql"),
    ),
    (
        58,
        include_str!("../migrations/postgres/0058_notice_top.sql"),
    ),
    (
        59,
        include_str!("../migrations/postgres/0059_task_states.sql"),
    ),
    (
        60,
        include_str!("../migrations/postgres/0060_filing_scopes.sql"),
    ),
    (
        61,
        include_str!("../migrations/postgres/0061_notice_reach.sql"),
    ),
    (
        62,
        include_str!("../migrations/postgres/0062_tasks_by_day.sql"),
    ),
    (
        63,
        include_str!("../migrations/postgres/0063_bulk_triggers.sql"),
    ),
    (
        64,
        include_str!("../migrations/postgres/0064_notice_top_covering.sql"),
    ),
    (
        65,
        include_str!("../migrations/postgres/0065_letter_done.sql"),
    ),
    (
        66,
        include_str!("../migrations/postgres/0066_letter_done_by_month.sql"),
    ),
];
const TRIGGERS_SQLITE: &str = include_str!("../migrations/sqlite/triggers.sql");
const TRIGGERS_PG: &str = include_str!("../migrations/postgres/triggers.sql");

impl Store {
    /// Applies the embedded migrations not yet applied. Safe to run concurrently and repeatedly.
    pub async fn migrate(&self) -> Result<()> {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&self.pool)
            .await?;
        let list = match self.backend {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_PG,
        };
        for (version, sql) in list {
            let mut tx = self.pool.begin().await?;
            if self.backend == Backend::Postgres {
                sqlx::raw_sql("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            } else {
                // take the write lock before reading, so two processes cannot both apply
                sqlx::raw_sql("DELETE FROM schema_migrations WHERE version < 0")
                    .execute(&mut *tx)
                    .await?;
            }
            let done: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_one(&mut *tx)
                    .await?;
            if done == 0 {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                // derived rows counted by the statements the store keeps them with (one text
                // for both databases)
                match *version {
                    59 => crate::rectification::states::refresh(&mut tx, "true", None).await?,
                    61 => crate::org::fill_notice_reach(&mut tx).await?,
                    _ => {}
                }
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(*version)
                    .bind(self.now_rfc3339())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        sqlx::raw_sql(self.triggers_sql())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) fn triggers_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => TRIGGERS_SQLITE,
            Backend::Postgres => TRIGGERS_PG,
        }
    }

    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }
}
