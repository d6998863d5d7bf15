//! Integrity talks and files (廉政谈话, 廉政档案): the yearly talk plan of a unit with its
//! full-coverage tracking — who in post in its scope is still to be talked to — and a person's
//! integrity file, gathering their talks, the clues about them, the register's entries and their
//! interference-record filings. Read by the discipline line alone, like the rest of the desk.
use super::desk;
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::discipline::TalkKind;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// A yearly talk plan and how far it has come.
#[derive(Debug, Clone, Serialize)]
pub struct TalkPlan {
    pub id: i64,
    pub year: i64,
    pub title: String,
    /// the staff in post in scope, and how many of them have been talked to
    pub staff: i64,
    pub talked: i64,
}

/// A person in the plan's scope: talked to (with the talks' dates) or still to be.
#[derive(Debug, Clone, Serialize)]
pub struct TalkPerson {
    pub staff_id: i64,
    pub staff_no: String,
    pub name: String,
    pub unit_name: String,
    pub post: String,
}

/// A person's integrity file.
#[derive(Debug, Clone, Serialize, Default)]
pub struct IntegrityFile {
    pub name: String,
    pub staff_no: String,
    pub unit_name: String,
    pub post: String,
    /// (held on, kind, talker, note)
    pub talks: Vec<(String, String, String, String)>,
    /// (clue id, clue no, received on, outcome)
    pub clues: Vec<(i64, String, String, Option<String>)>,
    /// (filed on, kind, outcome)
    pub violations: Vec<(String, String, Option<String>)>,
    /// (month, records filed; 0 for a zero report)
    pub filings: Vec<(String, i64)>,
    /// personal-matters reports: (year, filed on) — dates only
    pub personal_reports: Vec<(i64, String)>,
}

/// The staff in post within the plan's unit — and its subtree when the reader's scope has one
/// (`$n` = 1) — as SQL over `staff s JOIN units u`.
fn staff_in_scope_sql(n: usize) -> String {
    format!(
        "s.left_on IS NULL AND u.id IN (SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1 AND (a.depth = 0 OR ${n} = 1))"
    )
}

impl Store {
    /// The actor's unit's plan for `year`, made on first use.
    pub async fn talk_plan(&self, actor: &Actor, scope: &Scope, year: i32) -> Result<TalkPlan> {
        desk(actor)?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM talk_plans WHERE unit_id = $1 AND year = $2")
                .bind(scope.unit_id)
                .bind(i64::from(year))
                .fetch_optional(&self.pool)
                .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let mut w = self.write(actor).await?;
                let id: i64 = sqlx::query_scalar("INSERT INTO talk_plans (unit_id, year, title, author, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (unit_id, year) DO UPDATE SET title = talk_plans.title RETURNING id")
                    .bind(scope.unit_id)
                    .bind(i64::from(year))
                    .bind(format!("{year}年度廉政谈话计划"))
                    .bind(&actor.name)
                    .bind(w.now_rfc3339())
                    .fetch_one(&mut *w.tx)
                    .await?;
                w.commit().await?;
                id
            }
        };
        let r = sqlx::query(crate::sqlf!(
            "SELECT p.title, (SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE {}) AS staff, \
             (SELECT COUNT(DISTINCT t.staff_id) FROM talks t WHERE t.plan_id = $2 AND t.staff_id IN \
             (SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE {})) AS talked FROM talk_plans p WHERE p.id = $2",
            staff_in_scope_sql(3),
            staff_in_scope_sql(3)
        ))
        .bind(scope.unit_id)
        .bind(id)
        .bind(i64::from(scope.subtree))
        .fetch_one(&self.pool)
        .await?;
        Ok(TalkPlan {
            id,
            year: i64::from(year),
            title: r.try_get("title")?,
            staff: crate::int(&r, "staff")?,
            talked: crate::int(&r, "talked")?,
        })
    }

    /// A page of the people in the plan's scope still to be talked to (`remaining`) or already
    /// talked to, by staff number after `after`.
    pub async fn talk_people(
        &self,
        actor: &Actor,
        scope: &Scope,
        plan: &TalkPlan,
        remaining: bool,
        after: &str,
        limit: i64,
    ) -> Result<Vec<TalkPerson>> {
        desk(actor)?;
        let not = if remaining { "NOT" } else { "" };
        sqlx::query(crate::sqlf!(
            "SELECT s.id, s.staff_no, s.name, u.name AS unit_name, s.post FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE {} AND {not} EXISTS (SELECT 1 FROM talks t WHERE t.plan_id = $2 AND t.staff_id = s.id) AND s.staff_no > $3 \
             ORDER BY s.staff_no LIMIT $4",
            staff_in_scope_sql(5)
        ))
        .bind(scope.unit_id)
        .bind(plan.id)
        .bind(after)
        .bind(limit)
        .bind(i64::from(scope.subtree))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(TalkPerson {
                staff_id: r.try_get("id")?,
                staff_no: r.try_get("staff_no")?,
                name: r.try_get("name")?,
                unit_name: r.try_get("unit_name")?,
                post: r.try_get("post")?,
            })
        })
        .collect()
    }

    /// Records a talk with a person in post in the plan's scope.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_talk(
        &self,
        actor: &Actor,
        scope: &Scope,
        plan: &TalkPlan,
        staff_no: &str,
        kind: TalkKind,
        held_on: NaiveDate,
        talker: &str,
        note: &str,
    ) -> Result<()> {
        desk(actor)?;
        if held_on > self.today() {
            return Err(duban_domain::rectification::RuleError::FutureDate.into());
        }
        let talker = duban_domain::text::required(talker, 50)
            .map_err(|e| StoreError::Invalid(format!("谈话人{e}")))?;
        let note = duban_domain::text::optional(note, 2000)
            .map_err(|e| StoreError::Invalid(format!("谈话要点{e}")))?;
        let mut w = self.write(actor).await?;
        let staff: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT s.id FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.staff_no = $2 AND {}",
            staff_in_scope_sql(3)
        ))
        .bind(scope.unit_id)
        .bind(staff_no.trim())
        .bind(i64::from(scope.subtree))
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("工号 {} 不在本单位在职人员中", staff_no.trim())))?;
        sqlx::query("INSERT INTO talks (plan_id, staff_id, kind, held_on, talker, note, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(plan.id)
            .bind(staff)
            .bind(kind.as_str())
            .bind(held_on.to_string())
            .bind(&talker)
            .bind(&note)
            .bind(&actor.name)
            .bind(w.now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "desk.talk",
            entity: "staff",
            entity_id: staff.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"plan": plan.id, "kind": kind.as_str()})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// Records the date a person in scope filed the year's personal-matters report (the date
    /// alone; a later entry for the same year replaces it).
    pub async fn record_personal_report(
        &self,
        actor: &Actor,
        scope: &Scope,
        staff: i64,
        year: i64,
        reported_on: NaiveDate,
    ) -> Result<()> {
        desk(actor)?;
        if reported_on > self.today() {
            return Err(duban_domain::rectification::RuleError::FutureDate.into());
        }
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!("年度“{year}”无效")));
        }
        let mut w = self.write(actor).await?;
        let in_scope: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(staff)
        .fetch_one(&mut *w.tx)
        .await?;
        if in_scope == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO personal_reports (staff_id, year, reported_on, author, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (staff_id, year) DO UPDATE SET reported_on = excluded.reported_on, author = excluded.author, created_at = excluded.created_at",
        )
        .bind(staff)
        .bind(year)
        .bind(reported_on.to_string())
        .bind(&actor.name)
        .bind(w.now_rfc3339())
        .execute(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "desk.personal_report",
            entity: "staff",
            entity_id: staff.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"year": year})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// A person's integrity file (in scope); the read is audited.
    pub async fn integrity_file(
        &self,
        actor: &Actor,
        scope: &Scope,
        staff: i64,
    ) -> Result<IntegrityFile> {
        desk(actor)?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT s.staff_no, s.name, s.post, u.name AS unit_name FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(staff)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let rows = |sql: &'static str| sqlx::query(sql).bind(staff).fetch_all(&self.pool);
        let f = IntegrityFile {
            name: r.try_get("name")?,
            staff_no: r.try_get("staff_no")?,
            unit_name: r.try_get("unit_name")?,
            post: r.try_get("post")?,
            talks: rows("SELECT held_on, kind, talker, note FROM talks WHERE staff_id = $1 ORDER BY held_on DESC")
                .await?
                .iter()
                .map(|x| Ok((x.try_get("held_on")?, x.try_get("kind")?, x.try_get("talker")?, x.try_get("note")?)))
                .collect::<Result<_>>()?,
            clues: rows("SELECT id, clue_no, received_on, outcome FROM clues WHERE subject_staff_id = $1 ORDER BY received_on DESC")
                .await?
                .iter()
                .map(|x| Ok((x.try_get("id")?, x.try_get("clue_no")?, x.try_get("received_on")?, x.try_get("outcome")?)))
                .collect::<Result<_>>()?,
            violations: rows("SELECT filed_on, kind, outcome FROM violations WHERE staff_id = $1 ORDER BY filed_on DESC")
                .await?
                .iter()
                .map(|x| Ok((x.try_get("filed_on")?, x.try_get("kind")?, x.try_get("outcome")?)))
                .collect::<Result<_>>()?,
            personal_reports: rows("SELECT year, reported_on FROM personal_reports WHERE staff_id = $1 ORDER BY year DESC")
                .await?
                .iter()
                .map(|x| Ok((crate::int(x, "year")?, x.try_get("reported_on")?)))
                .collect::<Result<_>>()?,
            filings: rows("SELECT month, records FROM record_filings WHERE staff_id = $1 ORDER BY month DESC LIMIT 24")
                .await?
                .iter()
                .map(|x| Ok((x.try_get("month")?, crate::int(x, "records")?)))
                .collect::<Result<_>>()?,
        };
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "desk.file",
            entity: "staff",
            entity_id: staff.to_string(),
            unit_id: None,
            before: None,
            after: None,
        })
        .await?;
        w.commit().await?;
        Ok(f)
    }
}
