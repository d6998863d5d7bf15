//! Importing interference records: all rows or none.
use crate::org::ImportReport;
use crate::{Actor, Bind, Change, Result, Store, StoreError};
use duban_domain::import::{self, CellError, Table};
use duban_domain::records::Month;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Writes the checked filings (`list`: staff, month, zero report, records) and their records
    /// in bulk: a statement per chunk, each filing's unit and department from its staff member.
    async fn write_records(
        &self,
        w: &mut crate::Write,
        bulk: &mut crate::copy::Bulk,
        list: &[(i64, String, i64, u32)],
        records: &[(i64, Month, import::RecordFields)],
        now: &str,
    ) -> Result<()> {
        for chunk in list.chunks(50_000) {
            let rows = chunk
                .iter()
                .map(|(staff, month, zero, n)| {
                    [
                        Bind::Int(*staff),
                        month.as_str().into(),
                        Bind::Int(*zero),
                        Bind::Int(i64::from(*n)),
                    ]
                })
                .collect();
            let (source, binds) = bulk.source(rows, 2).await?;
            let mut q = sqlx::query(crate::sqlf!(
                "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
                 SELECT s.id, s.unit_id, s.department_id, x.c1, CAST(x.c2 AS BIGINT), CAST(x.c3 AS BIGINT), $1 \
                 FROM {source} x JOIN staff s ON s.id = CAST(x.c0 AS BIGINT)"
            ))
            .bind(now);
            for b in binds {
                q = crate::bind(q, b);
            }
            q.execute(&mut *w.tx).await?;
            self.progress.advance(chunk.len() as u64);
        }
        for chunk in records.chunks(20_000) {
            let rows = chunk
                .iter()
                .map(|(staff, month, f)| {
                    [
                        Bind::Int(*staff),
                        month.to_string().into(),
                        f.occurred_on.to_string().into(),
                        f.intervener_name.as_str().into(),
                        f.intervener_unit.as_str().into(),
                        f.intervener_post.as_str().into(),
                        f.category.as_str().into(),
                        Bind::Int(i64::from(f.is_procuratorate_staff)),
                        f.manner.as_str().into(),
                        f.matter.as_str().into(),
                        f.case_ref.as_str().into(),
                        f.content.as_str().into(),
                    ]
                })
                .collect();
            let (source, binds) = bulk.source(rows, 2).await?;
            let mut q = sqlx::query(crate::sqlf!(
                "INSERT INTO interference_records (filing_id, occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, \
                 is_procuratorate_staff, manner, scope, case_ref, content, created_at, month) \
                 SELECT f.id, x.c2, x.c3, x.c4, x.c5, x.c6, CAST(x.c7 AS BIGINT), x.c8, x.c9, x.c10, x.c11, $1, f.month \
                 FROM {source} x JOIN record_filings f ON f.staff_id = CAST(x.c0 AS BIGINT) AND f.month = x.c1"
            ))
            .bind(now);
            for b in binds {
                q = crate::bind(q, b);
            }
            q.execute(&mut *w.tx).await?;
            self.progress.advance(chunk.len() as u64);
        }
        Ok(())
    }

    /// A checker for a records file, knowing every staff member (feed it row by row, then
    /// [`Store::import_checked_records`]).
    pub async fn records_check(&self) -> Result<import::RecordsCheck> {
        let mut staff: HashMap<String, i64> = HashMap::new();
        for r in sqlx::query("SELECT staff_no, id FROM staff")
            .fetch_all(&self.pool)
            .await?
        {
            staff.insert(r.try_get("staff_no")?, r.try_get("id")?);
        }
        Ok(import::RecordsCheck::new(staff, Month::of(self.today())))
    }

    /// Loads a records table (one row per record or per zero report): all rows or none, every
    /// bad row and column named.
    pub async fn import_records(&self, actor: &Actor, table: &Table) -> Result<ImportReport> {
        let mut check = self.records_check().await?;
        for (i, raw) in table.iter().enumerate() {
            check.row(i + 1, raw);
        }
        let checked = check.finish().map_err(StoreError::Import)?;
        self.import_checked_records(actor, checked).await
    }

    /// Writes a checked records file in one transaction; a staff member's month already filed
    /// is refused (its row named) and nothing is written.
    pub async fn import_checked_records(
        &self,
        actor: &Actor,
        checked: import::CheckedRecords,
    ) -> Result<ImportReport> {
        let import::CheckedRecords { filings, records } = checked;
        let mut w = self.write(actor).await?;
        // months already filed
        let mut problems = Vec::new();
        let mut by_month: HashMap<Month, HashMap<i64, usize>> = HashMap::new();
        for f in &filings {
            by_month
                .entry(f.month)
                .or_default()
                .insert(f.staff_id, f.row);
        }
        for (m, rows) in &by_month {
            for r in sqlx::query("SELECT staff_id FROM record_filings WHERE month = $1")
                .bind(m.to_string())
                .fetch_all(&mut *w.tx)
                .await?
            {
                let id: i64 = r.try_get("staff_id")?;
                if let Some(row) = rows.get(&id) {
                    problems.push(CellError {
                        row: *row,
                        column: "month".into(),
                        message: format!("该人员 {m} 已报送过，不能重复报送"),
                    });
                }
            }
        }
        drop(by_month);
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.row);
            problems.truncate(import::MAX_LISTED_PROBLEMS);
            return Err(StoreError::Import(problems));
        }
        let now = self.now_rfc3339();
        let mut list: Vec<(i64, String, i64, u32)> = filings
            .iter()
            .map(|f| {
                (
                    f.staff_id,
                    f.month.to_string(),
                    i64::from(f.zero_report),
                    f.records,
                )
            })
            .collect();
        // in key order: the unique index on (staff, month) grows at its end
        list.sort_unstable();
        self.progress
            .phase("写入报告和记录", Some((list.len() + records.len()) as u64));
        let mut bulk = self.bulk().await?;
        let written = self
            .write_records(&mut w, &mut bulk, &list, &records, &now)
            .await;
        bulk.finish().await?;
        written?;
        w.audit(Change {
            action: "records.import",
            entity: "record_filings",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"filings": list.len(), "records": records.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(ImportReport {
            // one per row: a zero report or a record
            created: filings.iter().filter(|f| f.zero_report).count() + records.len(),
            updated: 0,
            ..Default::default()
        })
    }
}
