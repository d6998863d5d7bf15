//! Interference records (三个规定): monthly filings, import, completeness figures and the
//! under-reporting flags.
use crate::org::{ImportReport, Unit};
use crate::{Actor, Change, Result, Store, StoreError, now_rfc3339};
use duban_domain::import::{self, CellError, Table};
use duban_domain::records::{Figures, Flag, FlagRules, IntervenerCategory, Manner, Matter, Month};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Completeness and volume of filings for a unit (or its subtree) over months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordCounts {
    /// records dated in the months
    pub records: u64,
    /// zero-report filings (one per staff member and month)
    pub zero_reports: u64,
    /// staff-months with no filing at all
    pub not_filed: u64,
    /// staff in scope (as of now)
    pub staff: u64,
    pub months: u64,
    /// filings made, of the staff-months due
    pub filed: u64,
}

impl Store {
    /// A checker for a records file, knowing every staff member (feed it row by row, then
    /// [`Store::import_checked_records`]).
    pub async fn records_check(&self) -> Result<import::RecordsCheck> {
        let mut staff: HashMap<String, i64> = HashMap::new();
        for r in sqlx::query("SELECT staff_no, id FROM staff")
            .fetch_all(&self.pool)
            .await?
        {
            staff.insert(r.try_get(0)?, r.try_get(1)?);
        }
        Ok(import::RecordsCheck::new(staff, Month::of(crate::today())))
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
                let id: i64 = r.try_get(0)?;
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
        let now = now_rfc3339();
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
        for chunk in list.chunks(50_000) {
            sqlx::query(crate::sqlf!(
                "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
                 SELECT s.id, s.unit_id, s.department_id, j.value ->> 1, CAST(j.value ->> 2 AS BIGINT), \
                 CAST(j.value ->> 3 AS BIGINT), $2 FROM {} JOIN staff s ON s.id = CAST(j.value ->> 0 AS BIGINT)",
                self.json_rows(1)
            ))
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
        for chunk in records.chunks(20_000) {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(staff, month, f)| {
                    json!([
                        staff,
                        month.to_string(),
                        f.occurred_on.to_string(),
                        f.intervener_name,
                        f.intervener_unit,
                        f.intervener_post,
                        f.category.as_str(),
                        i64::from(f.is_procuratorate_staff),
                        f.manner.as_str(),
                        f.matter.as_str(),
                        f.case_ref,
                        f.content
                    ])
                })
                .collect();
            sqlx::query(crate::sqlf!(
                "INSERT INTO interference_records (filing_id, occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, \
                 is_procuratorate_staff, manner, scope, case_ref, content, created_at) \
                 SELECT f.id, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, CAST(j.value ->> 7 AS BIGINT), \
                 j.value ->> 8, j.value ->> 9, j.value ->> 10, j.value ->> 11, $2 \
                 FROM {} JOIN record_filings f ON f.staff_id = CAST(j.value ->> 0 AS BIGINT) AND f.month = j.value ->> 1",
                self.json_rows(1)
            ))
            .bind(serde_json::Value::Array(rows).to_string())
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
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
            departments_created: 0,
        })
    }

    /// Filings of a unit (or its subtree) over [from, to].
    pub async fn record_counts(
        &self,
        unit: &Unit,
        subtree: bool,
        from: Month,
        to: Month,
    ) -> Result<RecordCounts> {
        let like = if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        };
        let staff: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM staff s WHERE s.unit_id IN (SELECT u.id FROM units u WHERE {})",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(&like)
        .fetch_one(&self.pool)
        .await?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT CAST(COALESCE(SUM(f.records), 0) AS BIGINT), CAST(COALESCE(SUM(f.zero_report), 0) AS BIGINT), COUNT(*) FROM record_filings f \
             WHERE f.unit_id IN (SELECT u.id FROM units u WHERE {}) AND f.month >= $3 AND f.month <= $4",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(&like)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_one(&self.pool)
        .await?;
        let n = |i| crate::int(&r, i).map(|v| v as u64);
        let months = from.through(to).len() as u64;
        let filed = n(2)?;
        Ok(RecordCounts {
            records: n(0)?,
            zero_reports: n(1)?,
            not_filed: (staff as u64 * months).saturating_sub(filed),
            staff: staff as u64,
            months,
            filed,
        })
    }

    /// The under-reporting flags over [from, to]: every unit (at `level`, or all levels) against
    /// the units of its level, and the SPP's departments against each other.
    pub async fn flag_records(
        &self,
        from: Month,
        to: Month,
        level: Option<i64>,
        rules: &FlagRules,
    ) -> Result<Vec<Flag>> {
        let months = from.through(to);
        let index: HashMap<String, usize> = months
            .iter()
            .enumerate()
            .map(|(i, m)| (m.to_string(), i))
            .collect();
        let mut figures: HashMap<String, Figures> = HashMap::new();
        // staff per unit and per SPP department, as of now
        let staff_rows = sqlx::query(
            "SELECT u.code, u.name, u.level, COUNT(s.id) FROM units u JOIN staff s ON s.unit_id = u.id GROUP BY u.code, u.name, u.level \
             UNION ALL SELECT u.code || '/' || CAST(d.id AS TEXT), d.name, 0, COUNT(s.id) FROM departments d JOIN units u ON u.id = d.unit_id \
             JOIN staff s ON s.department_id = d.id WHERE u.level = 1 GROUP BY u.code, d.id, d.name",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &staff_rows {
            let (code, name, lvl, staff): (String, String, i64, i64) = (
                r.try_get(0)?,
                r.try_get(1)?,
                crate::int(r, 2)?,
                crate::int(r, 3)?,
            );
            if lvl > 0 && level.is_some_and(|l| l != lvl) {
                continue;
            }
            let group = if lvl == 0 {
                "最高检内设部门".to_string()
            } else {
                format!("第{lvl}级")
            };
            figures.insert(
                code.clone(),
                Figures {
                    code,
                    name,
                    group,
                    months: vec![(staff as u64, 0, 0, 0); months.len()],
                },
            );
        }
        let rows = sqlx::query(
            "SELECT u.code, f.month, CAST(SUM(f.records) AS BIGINT), CAST(SUM(f.zero_report) AS BIGINT), COUNT(*) FROM record_filings f JOIN units u ON u.id = f.unit_id \
             WHERE f.month >= $1 AND f.month <= $2 GROUP BY u.code, f.month \
             UNION ALL SELECT u.code || '/' || CAST(f.department_id AS TEXT), f.month, CAST(SUM(f.records) AS BIGINT), CAST(SUM(f.zero_report) AS BIGINT), COUNT(*) \
             FROM record_filings f JOIN units u ON u.id = f.unit_id WHERE u.level = 1 AND f.department_id IS NOT NULL \
             AND f.month >= $1 AND f.month <= $2 GROUP BY u.code, f.department_id, f.month",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let (code, month): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            if let (Some(f), Some(i)) = (figures.get_mut(&code), index.get(&month)) {
                let m = &mut f.months[*i];
                m.1 = crate::int(r, 2)? as u64;
                m.2 = crate::int(r, 3)? as u64;
                m.3 = crate::int(r, 4)? as u64;
            }
        }
        let all: Vec<Figures> = figures.into_values().collect();
        Ok(duban_domain::records::flag(&all, rules))
    }
}

/// One month's filing of a staff member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyFiling {
    pub month: String,
    pub zero_report: bool,
    pub records: i64,
}

/// A record with its reporter, for the discipline group's register.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    pub id: i64,
    pub month: String,
    pub reporter: String,
    pub unit_name: String,
    pub occurred_on: String,
    pub intervener: String,
    pub category: String,
    pub is_procuratorate_staff: bool,
    pub manner: String,
    pub matter: String,
    pub case_ref: String,
    pub content: String,
    /// attachments: (id, file name)
    pub files: Vec<(i64, String)>,
}

/// Filing completeness of one unit in a month (aggregates only).
#[derive(Debug, Clone, Serialize)]
pub struct Completeness {
    /// empty on a department's row
    pub unit_name: String,
    /// a department of the unit above
    pub department: Option<String>,
    pub staff: i64,
    pub filed: i64,
    pub zero_reports: i64,
    pub records: i64,
}

impl Completeness {
    /// Cells about fewer than 5 persons are not shown to those without the right to details.
    pub fn masked(&self) -> bool {
        self.staff < 5
    }
}

impl Store {
    /// A staff member's filings, newest month first.
    pub async fn my_filings(&self, staff_id: i64) -> Result<Vec<MyFiling>> {
        let rows = sqlx::query(
            "SELECT month, zero_report, records FROM record_filings WHERE staff_id = $1 ORDER BY month DESC LIMIT 36",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MyFiling {
                    month: r.try_get(0)?,
                    zero_report: crate::int(r, 1)? == 1,
                    records: crate::int(r, 2)?,
                })
            })
            .collect()
    }

    /// A staff member files for a month: a zero report (`record` is `None`) or one more record,
    /// checked by the same rules as an import (the row's problems named in Chinese).
    pub async fn file_record(
        &self,
        actor: &Actor,
        staff_id: i64,
        month: Month,
        record: Option<&[String; 10]>,
    ) -> Result<()> {
        let staff_no: String = sqlx::query_scalar("SELECT staff_no FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut row = vec![month.to_string(), staff_no.clone()];
        match record {
            None => {
                row.extend(std::iter::once("1".to_string()).chain((0..10).map(|_| String::new())))
            }
            Some(fields) => {
                row.extend(std::iter::once("0".to_string()).chain(fields.iter().cloned()))
            }
        }
        let table = vec![
            import::RECORD_COLUMNS
                .iter()
                .map(|c| c.0.to_string())
                .collect(),
            row,
        ];
        let known: HashMap<String, i64> = [(staff_no, staff_id)].into();
        let checked =
            import::validate_records(&table, known, Month::of(crate::today())).map_err(|errs| {
                StoreError::Invalid(
                    errs.iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                )
            })?;
        if checked.filings.is_empty() {
            return Err(StoreError::Invalid("没有可报送的内容".into()));
        }
        let record = checked.records.first().map(|r| &r.2);
        let mut w = self.write(actor).await?;
        let existing: Option<(i64, i64)> = sqlx::query(
            "SELECT id, zero_report FROM record_filings WHERE staff_id = $1 AND month = $2",
        )
        .bind(staff_id)
        .bind(month.to_string())
        .fetch_optional(&mut *w.tx)
        .await?
        .map(|e| Ok::<_, StoreError>((e.try_get(0)?, crate::int(&e, 1)?)))
        .transpose()?;
        let now = now_rfc3339();
        let filing = match (existing, record) {
            (Some(_), None) => return Err(StoreError::Invalid(format!("{month} 已报送，不能再报零报告"))),
            (Some((_, 1)), Some(_)) => {
                return Err(StoreError::Invalid(format!("{month} 已报零报告，如有干预情况请联系纪检监察组更正")))
            }
            (Some((id, _)), Some(_)) => {
                sqlx::query("UPDATE record_filings SET records = records + 1 WHERE id = $1")
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                id
            }
            (None, rec) => sqlx::query_scalar(
                "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
                 SELECT id, unit_id, department_id, $2, $3, $4, $5 FROM staff WHERE id = $1 RETURNING id",
            )
            .bind(staff_id)
            .bind(month.to_string())
            .bind(i64::from(rec.is_none()))
            .bind(i64::from(rec.is_some()))
            .bind(&now)
            .fetch_one(&mut *w.tx)
            .await?,
        };
        if let Some(f) = record {
            sqlx::query(
                "INSERT INTO interference_records (filing_id, occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, \
                 is_procuratorate_staff, manner, scope, case_ref, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(filing)
            .bind(f.occurred_on.to_string())
            .bind(&f.intervener_name)
            .bind(&f.intervener_unit)
            .bind(&f.intervener_post)
            .bind(f.category.as_str())
            .bind(i64::from(f.is_procuratorate_staff))
            .bind(f.manner.as_str())
            .bind(f.matter.as_str())
            .bind(&f.case_ref)
            .bind(&f.content)
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
        // the audit names the filing, not its content (which is confidential)
        w.audit(Change {
            action: if record.is_some() {
                "records.record"
            } else {
                "records.zero"
            },
            entity: "record_filings",
            entity_id: filing.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"month": month.to_string()})),
        })
        .await?;
        w.commit().await
    }

    /// The records of units in scope over [from, to], for the discipline group; the view is audited.
    pub async fn record_register(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        from: Month,
        to: Month,
    ) -> Result<Vec<RecordView>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT r.id, f.month, s.name, u.name, r.occurred_on, r.intervener_name || CASE WHEN r.intervener_unit <> '' THEN '（' || r.intervener_unit || ' ' || r.intervener_post || '）' ELSE '' END, \
             r.intervener_category, r.is_procuratorate_staff, r.manner, r.scope, r.case_ref, r.content \
             FROM interference_records r JOIN record_filings f ON f.id = r.filing_id JOIN staff s ON s.id = f.staff_id JOIN units u ON u.id = f.unit_id \
             WHERE {} AND f.month >= $3 AND f.month <= $4 ORDER BY f.month DESC, r.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let out = self.record_views(&rows).await?;
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "records.view",
            entity: "interference_records",
            entity_id: format!("{from}..{to}"),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"records": out.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(out)
    }

    /// Records from rows of (id, month, reporter, unit, occurred on, intervener, category,
    /// procuratorate staff?, manner, matter, case, content), with their attachments.
    async fn record_views(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<RecordView>> {
        let mut out = rows
            .iter()
            .map(|r| {
                let (c, m, x): (String, String, String) =
                    (r.try_get(6)?, r.try_get(8)?, r.try_get(9)?);
                Ok(RecordView {
                    id: r.try_get(0)?,
                    month: r.try_get(1)?,
                    reporter: r.try_get(2)?,
                    unit_name: r.try_get(3)?,
                    occurred_on: r.try_get(4)?,
                    intervener: r.try_get(5)?,
                    category: IntervenerCategory::parse(&c).map_or(c, |v| v.zh().into()),
                    is_procuratorate_staff: crate::int(r, 7)? == 1,
                    manner: Manner::parse(&m).map_or(m, |v| v.zh().into()),
                    matter: Matter::parse(&x).map_or(x, |v| v.zh().into()),
                    case_ref: r.try_get(10)?,
                    content: r.try_get(11)?,
                    files: vec![],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = out.iter().map(|r| r.id).collect();
        let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for f in sqlx::query(crate::sqlf!(
            "SELECT record_id, id, filename FROM record_files WHERE record_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {}) ORDER BY id",
            self.json_rows(1)
        ))
        .bind(serde_json::to_string(&ids.iter().map(|i| [i]).collect::<Vec<_>>()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?
        {
            let rid: i64 = f.try_get(0)?;
            if let Some(i) = index.get(&rid) {
                out[*i].files.push((f.try_get(1)?, f.try_get(2)?));
            }
        }
        Ok(out)
    }

    /// A reporter's own records (the last 100), with their attachments.
    pub async fn my_records(&self, staff_id: i64) -> Result<Vec<RecordView>> {
        let rows = sqlx::query(
            "SELECT r.id, f.month, s.name, u.name, r.occurred_on, r.intervener_name || CASE WHEN r.intervener_unit <> '' THEN '（' || r.intervener_unit || ' ' || r.intervener_post || '）' ELSE '' END, \
             r.intervener_category, r.is_procuratorate_staff, r.manner, r.scope, r.case_ref, r.content \
             FROM interference_records r JOIN record_filings f ON f.id = r.filing_id JOIN staff s ON s.id = f.staff_id JOIN units u ON u.id = f.unit_id \
             WHERE f.staff_id = $1 ORDER BY f.month DESC, r.id DESC LIMIT 100",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        self.record_views(&rows).await
    }

    /// The reporter attaches a file (an evidence type, like a ledger's) to one of their records.
    pub async fn attach_record_file(
        &self,
        actor: &Actor,
        staff_id: i64,
        record: i64,
        upload: &crate::rectification::Upload,
    ) -> Result<i64> {
        let content_type = crate::rectification::evidence_type(&upload.filename)?;
        if upload.bytes.is_empty() {
            return Err(StoreError::Invalid("附件为空".into()));
        }
        let mut w = self.write(actor).await?;
        let unit: Option<i64> = sqlx::query_scalar(
            "SELECT f.unit_id FROM interference_records r JOIN record_filings f ON f.id = r.filing_id WHERE r.id = $1 AND f.staff_id = $2",
        )
        .bind(record)
        .bind(staff_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        let unit = unit.ok_or(StoreError::NotFound)?;
        let sha = crate::rectification::put_blob(&mut w, &upload.bytes).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO record_files (record_id, sha256, filename, content_type, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(record)
        .bind(&sha)
        .bind(upload.filename.chars().take(200).collect::<String>())
        .bind(content_type)
        .bind(upload.bytes.len() as i64)
        .bind(now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "records.attach",
            entity: "interference_records",
            entity_id: record.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"file": id, "sha256": sha})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// An attachment of a record, for its reporter (`staff_id`) or a reader of details whose
    /// scope covers the record's unit (`details`): (file name, content type, bytes). Every
    /// download is audited like a view of the register.
    pub async fn record_file(
        &self,
        actor: &Actor,
        staff_id: Option<i64>,
        details: Option<&crate::Scope>,
        record: i64,
        file: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>> {
        let Some(r) = sqlx::query(
            "SELECT rf.filename, rf.content_type, b.content, f.staff_id, u.id, u.path FROM record_files rf \
             JOIN blobs b ON b.sha256 = rf.sha256 JOIN interference_records r ON r.id = rf.record_id \
             JOIN record_filings f ON f.id = r.filing_id JOIN units u ON u.id = f.unit_id WHERE rf.id = $1 AND rf.record_id = $2",
        )
        .bind(file)
        .bind(record)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (reporter, unit, path): (i64, i64, String) =
            (r.try_get(3)?, r.try_get(4)?, r.try_get(5)?);
        let may = staff_id == Some(reporter) || details.is_some_and(|s| s.covers(unit, &path));
        if !may {
            return Ok(None);
        }
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "records.view",
            entity: "record_files",
            entity_id: file.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"record": record})),
        })
        .await?;
        w.commit().await?;
        Ok(Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    }

    /// Filing completeness for a month per unit in scope and, under each unit, per department
    /// (aggregates only; at most 500 units).
    pub async fn completeness(
        &self,
        scope: &crate::Scope,
        month: Month,
    ) -> Result<Vec<Completeness>> {
        let in_scope = crate::scope_sql("u", 1, 2);
        let units = sqlx::query(crate::sqlf!(
            "SELECT u.id, u.name FROM units u WHERE {in_scope} \
             AND EXISTS (SELECT 1 FROM staff s WHERE s.unit_id = u.id) ORDER BY u.path LIMIT 500"
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        // (unit, department) → [staff, filed, zero reports, records]
        let mut cells: HashMap<(i64, Option<i64>), [i64; 4]> = HashMap::new();
        let grouped = [
            format!(
                "SELECT s.unit_id, s.department_id, COUNT(*), 0, 0, 0 FROM staff s JOIN units u ON u.id = s.unit_id \
                 WHERE {in_scope} AND $3 <> '' GROUP BY s.unit_id, s.department_id"
            ),
            format!(
                "SELECT f.unit_id, f.department_id, 0, COUNT(*), CAST(SUM(f.zero_report) AS BIGINT), CAST(SUM(f.records) AS BIGINT) \
                 FROM record_filings f JOIN units u ON u.id = f.unit_id WHERE {in_scope} AND f.month = $3 GROUP BY f.unit_id, f.department_id"
            ),
        ];
        for sql in &grouped {
            for r in sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(scope.unit_id)
                .bind(crate::scope_like(scope))
                .bind(month.to_string())
                .fetch_all(&self.pool)
                .await?
            {
                let key = (r.try_get::<i64, _>(0)?, r.try_get::<Option<i64>, _>(1)?);
                let c = cells.entry(key).or_default();
                for (k, v) in c.iter_mut().enumerate() {
                    *v += crate::int(&r, k + 2)?;
                }
            }
        }
        let mut names: HashMap<i64, String> = HashMap::new();
        for r in sqlx::query(crate::sqlf!(
            "SELECT d.id, d.name FROM departments d JOIN units u ON u.id = d.unit_id WHERE {in_scope}"
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        {
            names.insert(r.try_get(0)?, r.try_get(1)?);
        }
        let mut out = Vec::new();
        for u in &units {
            let (id, name): (i64, String) = (u.try_get(0)?, u.try_get(1)?);
            let mut depts: Vec<(Option<i64>, [i64; 4])> = cells
                .iter()
                .filter(|((unit, _), _)| *unit == id)
                .map(|((_, d), c)| (*d, *c))
                .collect();
            depts.sort_by_key(|(d, _)| (d.is_none(), *d));
            let total = depts.iter().fold([0; 4], |mut t, (_, c)| {
                for k in 0..4 {
                    t[k] += c[k];
                }
                t
            });
            let row = |unit_name: String, department: Option<String>, c: [i64; 4]| Completeness {
                unit_name,
                department,
                staff: c[0],
                filed: c[1],
                zero_reports: c[2],
                records: c[3],
            };
            out.push(row(name, None, total));
            if depts.len() > 1 || depts.first().is_some_and(|(d, _)| d.is_some()) {
                for (d, c) in depts {
                    let label = d
                        .and_then(|d| names.get(&d).cloned())
                        .unwrap_or_else(|| "（未分部门）".into());
                    out.push(row(String::new(), Some(label), c));
                }
            }
        }
        Ok(out)
    }
}

/// What the nationwide records generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationRecords {
    pub filings: u64,
    pub records: u64,
    /// units planted as under-reporting (every filing a zero report)
    pub planted: Vec<String>,
}

impl Store {
    /// January–September 2020 for every staff member in the country (benchmarks): a filing each
    /// month, about one in 55 with a record (the seed's 43,143 records for nine months), the rest
    /// zero reports; units whose code ends in 07 (one in a hundred) file only zero reports, so that
    /// the flags have something to find. Set-based; skipped when filings exist.
    pub async fn load_nation_records(&self) -> Result<NationRecords> {
        // the generated staff (numbers N…); the demo's own staff keep the demo's filings
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_filings f JOIN staff s ON s.id = f.staff_id WHERE s.staff_no LIKE 'N%'",
        )
            .fetch_one(&self.pool)
            .await?;
        if n > 0 {
            return Ok(NationRecords::default());
        }
        let now = now_rfc3339();
        let mut w = self.write(&Actor::system("demo")).await?;
        sqlx::query(
            "CREATE TEMP TABLE nation_months (idx BIGINT PRIMARY KEY, month TEXT NOT NULL)",
        )
        .execute(&mut *w.tx)
        .await?;
        for (i, m) in Month::parse("2020-01")
            .map_err(StoreError::Invalid)?
            .through(Month::parse("2020-09").map_err(StoreError::Invalid)?)
            .iter()
            .enumerate()
        {
            sqlx::query("INSERT INTO nation_months (idx, month) VALUES ($1, $2)")
                .bind(i as i64)
                .bind(m.to_string())
                .execute(&mut *w.tx)
                .await?;
        }
        let has_record = "(s.id * 7 + m.idx * 13) % 55 = 0 AND u.code NOT LIKE '%07'";
        let filings = sqlx::query(crate::sqlf!(
            "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
             SELECT s.id, s.unit_id, s.department_id, m.month, CASE WHEN {has_record} THEN 0 ELSE 1 END, CASE WHEN {has_record} THEN 1 ELSE 0 END, $1 \
             FROM staff s JOIN units u ON u.id = s.unit_id CROSS JOIN nation_months m WHERE s.staff_no LIKE 'N%' ORDER BY s.id, m.idx"
        ))
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        let records = sqlx::query(
            "INSERT INTO interference_records (filing_id, occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, \
             is_procuratorate_staff, manner, scope, case_ref, content, created_at) \
             SELECT f.id, f.month || '-15', '某干部', '某单位', '某职务', CASE f.id % 3 WHEN 0 THEN 'leader' WHEN 1 THEN 'insider' ELSE 'other' END, \
             CASE WHEN f.id % 3 = 1 THEN 1 ELSE 0 END, CASE f.id % 5 WHEN 0 THEN 'in_person' WHEN 1 THEN 'phone' WHEN 2 THEN 'message' WHEN 3 THEN 'proxy' ELSE 'other' END, \
             CASE f.id % 5 WHEN 0 THEN 'case' WHEN 1 THEN 'appointment' WHEN 2 THEN 'project' WHEN 3 THEN 'construction' ELSE 'discipline' END, '', \
             '（基准测试生成的记录）过问案件办理情况', $1 FROM record_filings f JOIN staff s ON s.id = f.staff_id WHERE f.records = 1 AND s.staff_no LIKE 'N%'",
        )
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        sqlx::query("DROP TABLE nation_months")
            .execute(&mut *w.tx)
            .await?;
        let planted: Vec<String> = sqlx::query_scalar(
            "SELECT u.code FROM units u WHERE u.code LIKE '%07' AND EXISTS (SELECT 1 FROM staff s WHERE s.unit_id = u.id) ORDER BY u.code",
        )
        .fetch_all(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "demo.nation.records",
            entity: "record_filings",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"filings": filings, "records": records})),
        })
        .await?;
        w.commit().await?;
        Ok(NationRecords {
            filings,
            records,
            planted,
        })
    }
}

/// Counts of records over a period by each list and by level, and filings by month.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordStats {
    pub records: u64,
    pub by_category: Vec<(String, u64)>,
    pub by_manner: Vec<(String, u64)>,
    pub by_matter: Vec<(String, u64)>,
    /// (unit level, records)
    pub by_level: Vec<(i64, u64)>,
    /// (month, records, zero reports, filings)
    pub by_month: Vec<(String, u64, u64, u64)>,
}

impl Store {
    /// Statistics of the records of units in scope over [from, to] (aggregates only).
    pub async fn record_stats(
        &self,
        scope: &crate::Scope,
        from: Month,
        to: Month,
    ) -> Result<RecordStats> {
        use duban_domain::records::{IntervenerCategory, Manner, Matter};
        let filter = format!(
            "f.unit_id IN (SELECT u.id FROM units u WHERE {}) AND f.month >= $3 AND f.month <= $4",
            crate::scope_sql("u", 1, 2)
        );
        let query = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.unit_id)
                .bind(crate::scope_like(scope))
                .bind(from.to_string())
                .bind(to.to_string())
        };
        let mut st = RecordStats::default();
        let by = |col: &str| {
            format!(
                "SELECT r.{col}, COUNT(*) FROM interference_records r JOIN record_filings f ON f.id = r.filing_id WHERE {filter} GROUP BY r.{col} ORDER BY 2 DESC"
            )
        };
        let named = |rows: Vec<sqlx::any::AnyRow>, name: &dyn Fn(&str) -> Option<String>| {
            rows.iter()
                .map(|r| {
                    let code: String = r.try_get(0)?;
                    Ok((name(&code).unwrap_or(code), crate::int(r, 1)? as u64))
                })
                .collect::<Result<Vec<_>>>()
        };
        st.by_category = named(
            query(by("intervener_category"))
                .fetch_all(&self.pool)
                .await?,
            &|c| IntervenerCategory::parse(c).map(|v| v.zh().to_string()),
        )?;
        st.by_manner = named(query(by("manner")).fetch_all(&self.pool).await?, &|c| {
            Manner::parse(c).map(|v| v.zh().to_string())
        })?;
        st.by_matter = named(query(by("scope")).fetch_all(&self.pool).await?, &|c| {
            Matter::parse(c).map(|v| v.zh().to_string())
        })?;
        st.records = st.by_category.iter().map(|c| c.1).sum();
        for r in query(format!(
            "SELECT u.level, CAST(SUM(f.records) AS BIGINT) FROM record_filings f JOIN units u ON u.id = f.unit_id WHERE {filter} GROUP BY u.level ORDER BY u.level"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            st.by_level.push((crate::int(&r, 0)?, crate::int(&r, 1)? as u64));
        }
        for r in query(format!(
            "SELECT f.month, CAST(SUM(f.records) AS BIGINT), CAST(SUM(f.zero_report) AS BIGINT), COUNT(*) FROM record_filings f WHERE {filter} GROUP BY f.month ORDER BY f.month"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            st.by_month.push((
                r.try_get(0)?,
                crate::int(&r, 1)? as u64,
                crate::int(&r, 2)? as u64,
                crate::int(&r, 3)? as u64,
            ));
        }
        Ok(st)
    }
}

/// A supervision letter (督促函) and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct SupervisionLetter {
    pub id: i64,
    pub subject_code: String,
    pub subject_name: String,
    pub unit_name: String,
    pub period: String,
    pub body: String,
    /// 第N号 of its year, once issued
    pub number: Option<(i64, i64)>,
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    pub answered_on: Option<String>,
    pub answer: String,
}

impl SupervisionLetter {
    /// "draft", "issued" (awaiting the answer) or "answered".
    pub fn state(&self) -> &'static str {
        match (&self.issued_on, &self.answered_on) {
            (None, _) => "draft",
            (Some(_), None) => "issued",
            _ => "answered",
        }
    }
    pub fn overdue(&self, today: &str) -> bool {
        self.answered_on.is_none() && self.due_on.as_deref().is_some_and(|d| d < today)
    }
}

impl Store {
    /// Drafts a supervision letter for a flagged unit or SPP department in the caller's scope,
    /// from the flag's figures (the office edits it before issuing).
    pub async fn draft_supervision_letter(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        flag: &Flag,
        from: Month,
        to: Month,
    ) -> Result<i64> {
        let unit_code = flag.unit_code.split('/').next().unwrap_or_default();
        let unit: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT u.id FROM units u WHERE u.code = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(unit_code)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::IssueRecordLetters)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO supervision_letters (unit_id, subject_code, subject_name, period, body, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(unit)
        .bind(&flag.unit_code)
        .bind(&flag.name)
        .bind(format!("{from}..{to}"))
        .bind(duban_domain::records::draft_letter(flag, from, to))
        .bind(&actor.name)
        .bind(now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "records.letter_draft",
            entity: "supervision_letter",
            entity_id: id.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"subject": flag.unit_code, "period": format!("{from}..{to}")})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Supervision letters to units in scope, newest first.
    pub async fn supervision_letters(
        &self,
        scope: &crate::Scope,
    ) -> Result<Vec<SupervisionLetter>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT l.id, l.subject_code, l.subject_name, u.name, l.period, l.body, l.year, l.number, l.issued_on, l.due_on, l.answered_on, l.answer \
             FROM supervision_letters l JOIN units u ON u.id = l.unit_id WHERE {} ORDER BY l.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let (year, number): (Option<i64>, Option<i64>) = (r.try_get(6)?, r.try_get(7)?);
                Ok(SupervisionLetter {
                    id: r.try_get(0)?,
                    subject_code: r.try_get(1)?,
                    subject_name: r.try_get(2)?,
                    unit_name: r.try_get(3)?,
                    period: r.try_get(4)?,
                    body: r.try_get(5)?,
                    number: year.zip(number),
                    issued_on: r.try_get(8)?,
                    due_on: r.try_get(9)?,
                    answered_on: r.try_get(10)?,
                    answer: r.try_get(11)?,
                })
            })
            .collect()
    }

    /// Edits a draft, issues it (numbered per year, answer due in 30 days) or records the unit's
    /// answer to an issued letter; each step once, in that order, audited.
    pub async fn supervision_letter_step(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
        step: &str,
        text: &str,
    ) -> Result<()> {
        let Some(l) = self
            .supervision_letters(scope)
            .await?
            .into_iter()
            .find(|l| l.id == id)
        else {
            return Err(StoreError::NotFound);
        };
        let today = crate::today();
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::IssueRecordLetters)?;
        match (step, l.state()) {
            ("edit", "draft") => {
                if text.trim().is_empty() {
                    return Err(StoreError::Invalid("督促函正文不能为空".into()));
                }
                sqlx::query("UPDATE supervision_letters SET body = $1 WHERE id = $2")
                    .bind(text.trim())
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
            }
            ("issue", "draft") => {
                use chrono::Datelike;
                let year = i64::from(today.year());
                let number: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM supervision_letters WHERE year = $1",
                )
                .bind(year)
                .fetch_one(&mut *w.tx)
                .await?;
                sqlx::query("UPDATE supervision_letters SET year = $1, number = $2, issued_on = $3, due_on = $4 WHERE id = $5")
                    .bind(year)
                    .bind(number)
                    .bind(today.to_string())
                    .bind((today + chrono::Duration::days(30)).to_string())
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
            }
            ("answer", "issued") => {
                if text.trim().is_empty() {
                    return Err(StoreError::Invalid("请填写被督促单位的自查整改情况".into()));
                }
                sqlx::query(
                    "UPDATE supervision_letters SET answered_on = $1, answer = $2 WHERE id = $3",
                )
                .bind(today.to_string())
                .bind(text.trim())
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
            }
            (_, state) => {
                return Err(StoreError::Invalid(format!(
                    "{}的督促函不能{}",
                    match state {
                        "draft" => "未发出",
                        "issued" => "已发出",
                        _ => "已答复",
                    },
                    match step {
                        "edit" => "修改",
                        "issue" => "发出",
                        "answer" => "登记答复",
                        _ => "这样办理",
                    }
                )));
            }
        }
        w.audit(Change {
            action: "records.letter",
            entity: "supervision_letter",
            entity_id: id.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"step": step})),
        })
        .await?;
        w.commit().await
    }
}

impl Store {
    /// The flags whose unit is in scope.
    pub async fn flags_in_scope(
        &self,
        scope: &crate::Scope,
        flags: Vec<Flag>,
    ) -> Result<Vec<Flag>> {
        let codes: HashSet<String> = sqlx::query_scalar(crate::sqlf!(
            "SELECT u.code FROM units u WHERE {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .collect();
        Ok(flags
            .into_iter()
            .filter(|f| codes.contains(f.unit_code.split('/').next().unwrap_or_default()))
            .collect())
    }
}

/// Sample interference records for the demo: (intervener, unit, post, category, procuratorate
/// staff?, manner, matter, content).
const DEMO_RECORDS: [(&str, &str, &str, &str, bool, &str, &str, &str); 6] = [
    (
        "王某",
        "某区人民政府",
        "副区长",
        "leader",
        false,
        "phone",
        "case",
        "电话询问一起合同诈骗案审查起诉进度，希望“依法从轻”，已告知依法办理并如实记录",
    ),
    (
        "李某",
        "某市中级人民法院",
        "庭长",
        "insider",
        false,
        "in_person",
        "case",
        "当面打听一起职务犯罪案件的量刑建议，未予透露，已报告部门负责人",
    ),
    (
        "张某",
        "本院",
        "退休干部",
        "insider",
        true,
        "message",
        "appointment",
        "通过微信为亲属干部选拔任用说情，已拒绝并记录",
    ),
    (
        "赵某",
        "某建筑公司",
        "总经理",
        "other",
        false,
        "proxy",
        "construction",
        "托人转交材料，请求在办公楼维修工程中给予关照，已拒收并报告",
    ),
    (
        "陈某",
        "某县委政法委",
        "副书记",
        "leader",
        false,
        "phone",
        "case",
        "电话要求对一起故意伤害案“尽快不起诉”，已说明须依法审查",
    ),
    (
        "刘某",
        "某律师事务所",
        "律师",
        "other",
        false,
        "other",
        "case",
        "以吃请方式打探案件办理情况，已拒绝并记录",
    ),
];

/// The demo's interference records, January–September 2020: staff for the SPP's departments (40
/// each) and the procuratorates of 浙江 and 广东 (200 at each provincial procuratorate, 80 at a city
/// and 50 at a basic one), filing monthly — about one staff-month in 40 with a record, a few not
/// filed. Planted so that the flags have something to show: the SPP's 第七检察厅 and 深圳市福田区
/// file only zero reports, and 广东省院 stops recording after June. Skipped when filings exist.
pub(crate) async fn load_demo_records(store: &Store) -> Result<()> {
    use crate::demo::{
        DISCIPLINE_GROUP, LOCAL_DEPARTMENTS, LOCAL_UNITS, SPP_CODE, SPP_DEPARTMENTS,
    };
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record_filings")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let mut units: Vec<(&str, i64)> = vec![(SPP_CODE, 1), ("330000", 2), ("440000", 2)];
    units.extend(LOCAL_UNITS.iter().map(|(c, _, l, _)| (*c, *l)));
    let mut w = store.write(&Actor::system("demo")).await?;
    let depts = crate::demo::department_ids(&mut w.tx).await?;
    let mut staff = Vec::new();
    let mut k = 0;
    for (code, level) in &units {
        let Some(uid): Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *w.tx)
            .await?
        else {
            continue;
        };
        let (names, per): (Vec<&str>, usize) = match level {
            1 => (
                SPP_DEPARTMENTS
                    .iter()
                    .copied()
                    .chain([DISCIPLINE_GROUP])
                    .collect(),
                40,
            ),
            2 => (LOCAL_DEPARTMENTS.to_vec(), 25),
            3 => (LOCAL_DEPARTMENTS.to_vec(), 10),
            _ => (LOCAL_DEPARTMENTS[..5].to_vec(), 10),
        };
        for (d, dept) in names.iter().enumerate() {
            let dept = depts.get(&(uid, dept.to_string())).copied();
            for i in 0..per {
                k += 1;
                staff.push(vec![
                    json!(format!("R{code}{d:02}{i:02}")),
                    json!(crate::demo::generated_name(k + 7)),
                    json!(uid),
                    json!(dept),
                    json!(if i == 0 {
                        "部门负责人"
                    } else {
                        "检察官"
                    }),
                    json!(0),
                ]);
            }
        }
    }
    crate::demo::insert_staff(&mut w.tx, &staff).await?;
    w.commit().await?;
    // every staff member of those units, the demo's named ones included
    let rows = sqlx::query(
        "SELECT s.id, u.code, COALESCE(d.name, '') FROM staff s JOIN units u ON u.id = s.unit_id \
         LEFT JOIN departments d ON d.id = s.department_id ORDER BY s.id",
    )
    .fetch_all(&store.pool)
    .await?;
    let codes: HashSet<&str> = units.iter().map(|u| u.0).collect();
    let mut checked = import::CheckedRecords::default();
    let first = Month {
        year: 2020,
        month: 1,
    };
    for r in &rows {
        let (id, code, dept): (i64, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        if !codes.contains(code.as_str()) {
            continue;
        }
        for (mi, month) in first
            .through(Month {
                year: 2020,
                month: 9,
            })
            .into_iter()
            .enumerate()
        {
            // a deterministic scramble of (staff, month)
            let h = crate::demo::mix((id as u64) * 16 + mi as u64) >> 24;
            let missing = if month.month == 9 { 60 } else { 12 };
            if h % 1000 < missing {
                continue; // not filed
            }
            let quiet = (code == SPP_CODE && dept == "第七检察厅")
                || code == "440304"
                || (code == "440000" && month.month > 6);
            let records = if quiet || h % 1000 < 975 {
                0
            } else {
                1 + (h / 1000 % 4 == 0) as u32
            };
            checked.filings.push(import::Filing {
                row: 0,
                staff_id: id,
                month,
                zero_report: records == 0,
                records,
            });
            for j in 0..records {
                let (name, unit, post, category, insider, manner, matter, content) =
                    DEMO_RECORDS[(h as usize / 7 + j as usize) % DEMO_RECORDS.len()];
                let day = 1 + (h / 100 % 27) as u32;
                checked.records.push((
                    id,
                    month,
                    import::RecordFields {
                        occurred_on: chrono::NaiveDate::from_ymd_opt(2020, month.month, day)
                            .unwrap_or_default(),
                        intervener_name: name.into(),
                        intervener_unit: unit.into(),
                        intervener_post: post.into(),
                        category: IntervenerCategory::parse(category)
                            .unwrap_or(IntervenerCategory::Other),
                        is_procuratorate_staff: insider,
                        manner: Manner::parse(manner).unwrap_or(Manner::Other),
                        matter: Matter::parse(matter).unwrap_or(Matter::Case),
                        case_ref: String::new(),
                        content: content.into(),
                    },
                ));
            }
        }
    }
    store
        .import_checked_records(&Actor::system("demo"), checked)
        .await?;
    Ok(())
}
