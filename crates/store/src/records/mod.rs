//! Interference records (三个规定): monthly filings, import, completeness figures and the
//! under-reporting flags.
use crate::org::Unit;
use crate::{Actor, Change, Result, Store, StoreError};
use duban_domain::import::{self};
use duban_domain::records::{Figures, Flag, FlagRules, IntervenerCategory, Manner, Matter, Month};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

mod letters;
pub use letters::supervision_letters_sql;
mod loading;
pub use letters::*;

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
        // staff in post at the end, and the months owed over the span: each change of the posts
        // counts for the months from it (or from the span's start) to the span's end
        let (f, t) = (
            duban_domain::identity::month_number(from),
            duban_domain::identity::month_number(to),
        );
        let owed = sqlx::query(crate::sqlf!(
            "SELECT CAST(COALESCE(SUM(t.delta), 0) AS BIGINT) AS staff, \
             CAST(COALESCE(SUM(t.delta * ($4 - CASE WHEN t.month > $3 THEN t.month ELSE $3 END + 1)), 0) AS BIGINT) AS owed \
             FROM post_tallies t WHERE t.unit_id IN (SELECT u.id FROM units u WHERE {}) AND t.month <= $4",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(&like)
        .bind(f)
        .bind(t)
        .fetch_one(&self.pool)
        .await?;
        let (staff, owed) = (crate::int(&owed, "staff")?, crate::int(&owed, "owed")?);
        let r = sqlx::query(crate::sqlf!(
            "SELECT CAST(COALESCE(SUM(f.records), 0) AS BIGINT) AS records, CAST(COALESCE(SUM(f.zero_report), 0) AS BIGINT) AS zero_reports, COUNT(*) AS filed FROM record_filings f \
             WHERE f.unit_id IN (SELECT u.id FROM units u WHERE {}) AND f.month >= $3 AND f.month <= $4",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(&like)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_one(&self.pool)
        .await?;
        let n = |c| crate::int(&r, c).map(|v| v as u64);
        let months = from.through(to).len() as u64;
        let filed = n("filed")?;
        Ok(RecordCounts {
            records: n("records")?,
            zero_reports: n("zero_reports")?,
            not_filed: (owed.max(0) as u64).saturating_sub(filed),
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
        // months whose reports are not all due yet are never counted as missing
        let remind_day = self.supervision_rules().await?.records_remind_day;
        let due = duban_domain::records::last_due_month(self.today(), remind_day);
        let to = to.min(due);
        if to < from {
            return Ok(vec![]);
        }
        let months = from.through(to);
        let index: HashMap<String, usize> = months
            .iter()
            .enumerate()
            .map(|(i, m)| (m.to_string(), i))
            .collect();
        let mut figures: HashMap<String, Figures> = HashMap::new();
        // staff in post per unit and per SPP department in each month: the kept changes of
        // their posts up to it
        let staff_rows = sqlx::query(
            "SELECT u.code, u.name, u.level, t.month, CAST(SUM(t.delta) AS BIGINT) AS delta FROM units u JOIN post_tallies t ON t.unit_id = u.id \
             WHERE t.month <= $1 GROUP BY u.code, u.name, u.level, t.month \
             UNION ALL SELECT u.code || '/' || CAST(d.id AS TEXT), d.name, 0, t.month, CAST(SUM(t.delta) AS BIGINT) FROM departments d JOIN units u ON u.id = d.unit_id \
             JOIN post_tallies t ON t.unit_id = u.id AND t.department_id = d.id WHERE u.parent_id IS NULL AND t.month <= $1 GROUP BY u.code, d.id, d.name, t.month",
        )
        .bind(duban_domain::identity::month_number(to))
        .fetch_all(&self.pool)
        .await?;
        let numbers: Vec<i64> = months
            .iter()
            .map(|m| duban_domain::identity::month_number(*m))
            .collect();
        for r in &staff_rows {
            let (code, name, lvl, month, delta): (String, String, i64, i64, i64) = (
                r.try_get("code")?,
                r.try_get("name")?,
                crate::int(r, "level")?,
                crate::int(r, "month")?,
                crate::int(r, "delta")?,
            );
            if lvl > 0 && level.is_some_and(|l| l != lvl) {
                continue;
            }
            let group = if lvl == 0 {
                "最高检内设部门".to_string()
            } else {
                format!("第{lvl}级")
            };
            let f = figures.entry(code.clone()).or_insert_with(|| Figures {
                code,
                name,
                group,
                months: vec![(0, 0, 0, 0); numbers.len()],
            });
            for (i, n) in numbers.iter().enumerate() {
                if month <= *n {
                    // the sum of a month's changes is never negative; its parts may be
                    f.months[i].0 = f.months[i].0.wrapping_add_signed(delta);
                }
            }
        }
        figures.retain(|_, f| f.months.iter().any(|m| m.0 > 0));
        // the filings from their kept tallies (migration 0025): O(units × months), not O(filings)
        let rows = sqlx::query(
            "SELECT u.code, f.month, CAST(SUM(f.records) AS BIGINT) AS records, CAST(SUM(f.zero_reports) AS BIGINT) AS zero_reports, \
             CAST(SUM(f.filed) AS BIGINT) AS filed FROM filing_tallies f JOIN units u ON u.id = f.unit_id \
             WHERE f.month >= $1 AND f.month <= $2 GROUP BY u.code, f.month \
             UNION ALL SELECT u.code || '/' || CAST(f.department_id AS TEXT), f.month, CAST(SUM(f.records) AS BIGINT), CAST(SUM(f.zero_reports) AS BIGINT), \
             CAST(SUM(f.filed) AS BIGINT) FROM filing_tallies f JOIN units u ON u.id = f.unit_id WHERE u.parent_id IS NULL AND f.department_id <> 0 \
             AND f.month >= $1 AND f.month <= $2 GROUP BY u.code, f.department_id, f.month",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let (code, month): (String, String) = (r.try_get("code")?, r.try_get("month")?);
            if let (Some(f), Some(i)) = (figures.get_mut(&code), index.get(&month)) {
                let m = &mut f.months[*i];
                m.1 = crate::int(r, "records")? as u64;
                m.2 = crate::int(r, "zero_reports")? as u64;
                m.3 = crate::int(r, "filed")? as u64;
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
                    month: r.try_get("month")?,
                    zero_report: crate::int(r, "zero_report")? == 1,
                    records: crate::int(r, "records")?,
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
            import::validate_records(&table, known, Month::of(self.today())).map_err(|errs| {
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
        .map(|e| Ok::<_, StoreError>((e.try_get("id")?, crate::int(&e, "zero_report")?)))
        .transpose()?;
        let now = self.now_rfc3339();
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
                 is_procuratorate_staff, manner, scope, case_ref, content, created_at, month) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT month FROM record_filings WHERE id = $1))",
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

    /// The records of units in scope over [from, to], for the discipline group, newest month
    /// first, one page of `limit` after the cursor `after` ("YYYY-MM.id", the last row of the
    /// previous page); the view is audited. Returns the page and the next cursor.
    pub async fn record_register(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        from: Month,
        to: Month,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<RecordView>, Option<String>)> {
        let (after_month, after_id) = match after {
            None => ("9999-12".to_string(), i64::MAX),
            Some(c) => {
                let bad = || crate::StoreError::Invalid(format!("分页位置“{c}”无效"));
                let (m, id) = c.rsplit_once('.').ok_or_else(bad)?;
                let m = Month::parse(m).map_err(|_| bad())?;
                (m.to_string(), id.parse::<i64>().map_err(|_| bad())?)
            }
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(register_sql()))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(after_month)
            .bind(after_id)
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut out = self.record_views(&rows).await?;
        let next = if out.len() as i64 > limit {
            out.truncate(limit as usize);
            out.last().map(|r| format!("{}.{}", r.month, r.id))
        } else {
            None
        };
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "records.view",
            entity: "interference_records",
            entity_id: format!("{from}..{to}"),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"records": out.len(), "after": after})),
        })
        .await?;
        w.commit().await?;
        Ok((out, next))
    }

    /// Records from rows of (id, month, reporter, unit, occurred on, intervener, category,
    /// procuratorate staff?, manner, matter, case, content), with their attachments.
    async fn record_views(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<RecordView>> {
        let mut out = rows
            .iter()
            .map(|r| {
                let (c, m, x): (String, String, String) = (
                    r.try_get("intervener_category")?,
                    r.try_get("manner")?,
                    r.try_get("scope")?,
                );
                Ok(RecordView {
                    id: r.try_get("id")?,
                    month: r.try_get("month")?,
                    reporter: r.try_get("reporter")?,
                    unit_name: r.try_get("unit_name")?,
                    occurred_on: r.try_get("occurred_on")?,
                    intervener: r.try_get("intervener")?,
                    category: IntervenerCategory::parse(&c).map_or(c, |v| v.zh().into()),
                    is_procuratorate_staff: crate::int(r, "is_procuratorate_staff")? == 1,
                    manner: Manner::parse(&m).map_or(m, |v| v.zh().into()),
                    matter: Matter::parse(&x).map_or(x, |v| v.zh().into()),
                    case_ref: r.try_get("case_ref")?,
                    content: r.try_get("content")?,
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
            let rid: i64 = f.try_get("record_id")?;
            if let Some(i) = index.get(&rid) {
                out[*i].files.push((f.try_get("id")?, f.try_get("filename")?));
            }
        }
        Ok(out)
    }

    /// A reporter's own records (the last 100), with their attachments.
    pub async fn my_records(&self, staff_id: i64) -> Result<Vec<RecordView>> {
        let rows = sqlx::query(
            "SELECT r.id, f.month, s.name AS reporter, u.name AS unit_name, r.occurred_on, r.intervener_name || CASE WHEN r.intervener_unit <> '' THEN '（' || r.intervener_unit || ' ' || r.intervener_post || '）' ELSE '' END AS intervener, \
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
        .bind(self.now_rfc3339())
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
            "SELECT rf.filename, rf.content_type, b.content, f.staff_id, u.id AS unit_id, u.path FROM record_files rf \
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
        let (reporter, unit, path): (i64, i64, String) = (
            r.try_get("staff_id")?,
            r.try_get("unit_id")?,
            r.try_get("path")?,
        );
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
        Ok(Some((
            r.try_get("filename")?,
            r.try_get("content_type")?,
            r.try_get("content")?,
        )))
    }

    /// Filing completeness for a month per unit in scope and, under each unit, per department
    /// (aggregates only; at most 500 units).
    pub async fn completeness(
        &self,
        scope: &crate::Scope,
        month: Month,
    ) -> Result<Vec<Completeness>> {
        let in_scope = crate::scope_sql("u", 1, 2);
        // the units shown (at most 500), and the kept tallies of those units only
        let shown = format!(
            "SELECT u.id FROM units u WHERE {in_scope} \
             AND EXISTS (SELECT 1 FROM post_tallies t WHERE t.unit_id = u.id AND t.delta <> 0) ORDER BY u.path LIMIT 500"
        );
        let units = sqlx::query(crate::sqlf!(
            "SELECT u.id, u.name FROM units u WHERE u.id IN ({shown}) ORDER BY u.path"
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        // (unit, department) → [staff, filed, zero reports, records]
        let mut cells: HashMap<(i64, Option<i64>), [i64; 4]> = HashMap::new();
        let grouped = [
            format!(
                // the staff in post that month: the changes of their posts up to it
                "SELECT t.unit_id, t.department_id, CAST(SUM(t.delta) AS BIGINT) AS staff, 0 AS filed, 0 AS zero_reports, 0 AS records FROM post_tallies t \
                 WHERE t.unit_id IN ({shown}) AND t.month <= $4 AND $3 <> '' GROUP BY t.unit_id, t.department_id HAVING SUM(t.delta) <> 0"
            ),
            format!(
                "SELECT f.unit_id, f.department_id, 0 AS staff, f.filed, f.zero_reports, f.records FROM filing_tallies f \
                 WHERE f.unit_id IN ({shown}) AND f.month = $3 AND f.filed > 0 AND $4 >= 0"
            ),
        ];
        for sql in &grouped {
            for r in sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(scope.unit_id)
                .bind(crate::scope_like(scope))
                .bind(month.to_string())
                .bind(duban_domain::identity::month_number(month))
                .fetch_all(&self.pool)
                .await?
            {
                let dept = r.try_get::<i64, _>("department_id")?;
                let key = (r.try_get::<i64, _>("unit_id")?, (dept != 0).then_some(dept));
                let c = cells.entry(key).or_default();
                for (v, col) in c
                    .iter_mut()
                    .zip(["staff", "filed", "zero_reports", "records"])
                {
                    *v += crate::int(&r, col)?;
                }
            }
        }
        let mut names: HashMap<i64, String> = HashMap::new();
        for r in sqlx::query(crate::sqlf!(
            "SELECT d.id, d.name FROM departments d WHERE d.unit_id IN ({shown})"
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        {
            names.insert(r.try_get("id")?, r.try_get("name")?);
        }
        let mut out = Vec::new();
        for u in &units {
            let (id, name): (i64, String) = (u.try_get("id")?, u.try_get("name")?);
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
                "SELECT r.{col} AS code, COUNT(*) AS n FROM interference_records r JOIN record_filings f ON f.id = r.filing_id WHERE {filter} GROUP BY r.{col} ORDER BY 2 DESC"
            )
        };
        let named = |rows: Vec<sqlx::any::AnyRow>, name: &dyn Fn(&str) -> Option<String>| {
            rows.iter()
                .map(|r| {
                    let code: String = r.try_get("code")?;
                    Ok((name(&code).unwrap_or(code), crate::int(r, "n")? as u64))
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
            "SELECT u.level, CAST(SUM(f.records) AS BIGINT) AS records FROM record_filings f JOIN units u ON u.id = f.unit_id WHERE {filter} GROUP BY u.level ORDER BY u.level"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            st.by_level.push((crate::int(&r, "level")?, crate::int(&r, "records")? as u64));
        }
        for r in query(format!(
            "SELECT f.month, CAST(SUM(f.records) AS BIGINT) AS records, CAST(SUM(f.zero_report) AS BIGINT) AS zero_reports, COUNT(*) AS filed FROM record_filings f WHERE {filter} GROUP BY f.month ORDER BY f.month"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            st.by_month.push((
                r.try_get("month")?,
                crate::int(&r, "records")? as u64,
                crate::int(&r, "zero_reports")? as u64,
                crate::int(&r, "filed")? as u64,
            ));
        }
        Ok(st)
    }
}

/// The register's page after a cursor: `$1`, `$2` the scope, `$3`, `$4` the months, `$5`, `$6`
/// the cursor, `$7` the rows to read; in the order of `interference_records_month`.
#[doc(hidden)]
pub fn register_sql() -> String {
    format!(
        "SELECT r.id, f.month, s.name AS reporter, u.name AS unit_name, r.occurred_on, r.intervener_name || CASE WHEN r.intervener_unit <> '' THEN '（' || r.intervener_unit || ' ' || r.intervener_post || '）' ELSE '' END AS intervener, \
             r.intervener_category, r.is_procuratorate_staff, r.manner, r.scope, r.case_ref, r.content \
             FROM interference_records r JOIN record_filings f ON f.id = r.filing_id JOIN staff s ON s.id = f.staff_id JOIN units u ON u.id = f.unit_id \
             WHERE {} AND r.month >= $3 AND r.month <= $4 AND (r.month < $5 OR (r.month = $5 AND r.id < $6)) \
             ORDER BY r.month DESC, r.id DESC LIMIT $7",
        crate::scope_sql("u", 1, 2)
    )
}
