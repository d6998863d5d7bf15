//! Discipline recommendations (纪检监察建议书): the group issues one to a unit in its scope, numbered
//! per issuing unit and year; it is a matter of kind `discipline` on the rectification engine, so
//! the addressed unit answers it with a plan, tasks, a ledger and lights like any other matter,
//! and its tasks close only on the group's review ([`SourceKind::reviewers`]).
use super::desk;
use crate::rectification::register::insert_round;
use crate::{Actor, Result, Scope, Store, StoreError, scope_like, scope_sql};
use chrono::{Datelike, NaiveDate};
use duban_domain::access::Action;
use duban_domain::calendar::{Counting, Period};
use duban_domain::rectification::SourceKind;
use serde::Serialize;
use sqlx::Row;

/// A recommendation as the desk lists it, with how far its follow-up has come.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub id: i64,
    pub year: i64,
    pub seq: i64,
    pub issuer: String,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    pub issued_on: String,
    /// the addressed unit's written answer is due (one month after issue, rolled past rest days)
    pub reply_due: String,
    /// the plan the addressed unit opened on it, when it has
    pub plan_id: Option<i64>,
    pub tasks: i64,
    pub closed: i64,
}

impl Store {
    /// Issues a recommendation of the actor's unit (`issuer`) to the unit coded `unit_code`,
    /// numbered next in the issuer's year. Both units must be in the actor's desk scope; to anyone
    /// outside the discipline line the desk does not exist (the date is checked after that).
    pub async fn issue_recommendation(
        &self,
        actor: &Actor,
        issuer: i64,
        unit_code: &str,
        title: &str,
        issued_on: Option<NaiveDate>,
    ) -> Result<(i64, i64)> {
        desk(actor)?;
        let issued_on = issued_on.ok_or_else(|| StoreError::Invalid("请填写签发日期".into()))?;
        let unit_id = self
            .unit_by_code(unit_code.trim())
            .await?
            .filter(|u| actor.scope.as_ref().is_none_or(|s| s.covers(u.id, &u.path)))
            .ok_or_else(|| {
                StoreError::Invalid(format!("单位代码“{}”不在本组监督范围内", unit_code.trim()))
            })?
            .id;
        let title = duban_domain::text::required(title, 100)
            .map_err(|e| StoreError::Invalid(format!("建议书标题{e}")))?;
        let due = self
            .work_calendar()
            .await?
            .deadline(issued_on, Period::Months(1), Counting::Calendar)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut w = self.write(actor).await?;
        if issued_on > w.today() {
            return Err(StoreError::Invalid("签发日期不能晚于今天".into()));
        }
        // a unit outside the desk's scope is, to it, a unit that does not exist
        for u in [issuer, unit_id] {
            w.decide_unit(Action::KeepDesk, u)
                .await
                .map_err(|_| StoreError::NotFound)?;
        }
        let (issuer_name, issuer_path): (String, String) = {
            let r = sqlx::query("SELECT name, path FROM units WHERE id = $1")
                .bind(issuer)
                .fetch_one(&mut *w.tx)
                .await?;
            (r.try_get("name")?, r.try_get("path")?)
        };
        let addressed: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_one(&mut *w.tx)
            .await?;
        if !addressed.starts_with(&issuer_path) {
            return Err(StoreError::NotFound);
        }
        let year = i64::from(issued_on.year());
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(doc_seq), 0) + 1 FROM rounds WHERE issued_by = $1 AND doc_year = $2",
        )
        .bind(issuer)
        .bind(year)
        .fetch_one(&mut *w.tx)
        .await?;
        let on = issued_on.to_string();
        let id = insert_round(
            &mut w,
            unit_id,
            SourceKind::Discipline,
            &title,
            &format!("驻{issuer_name}纪检监察组"),
            &on,
            &on,
            &on,
            &due.to_string(),
        )
        .await?;
        sqlx::query("UPDATE rounds SET issued_by = $1, doc_year = $2, doc_seq = $3 WHERE id = $4")
            .bind(issuer)
            .bind(year)
            .bind(seq)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok((id, seq))
    }

    /// The recommendations issued by units in the desk's scope, newest first.
    pub async fn recommendations(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> Result<Vec<Recommendation>> {
        desk(actor)?;
        let rows = sqlx::query(crate::sqlf!(
            "SELECT r.id, r.doc_year, r.doc_seq, i.name AS issuer, u.code, u.name, r.title, r.feedback_date, r.report_due, \
             (SELECT MIN(p.id) FROM plans p WHERE p.round_id = r.id) AS plan_id, \
             (SELECT COUNT(*) FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.round_id = r.id) AS tasks, \
             (SELECT COUNT(*) FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.round_id = r.id AND t.state = 'closed') AS closed \
             FROM rounds r JOIN units i ON i.id = r.issued_by JOIN units u ON u.id = r.unit_id \
             WHERE r.kind = 'discipline' AND {} ORDER BY r.doc_year DESC, r.doc_seq DESC LIMIT 200",
            scope_sql("i", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Recommendation {
                    id: r.try_get("id")?,
                    year: r.try_get("doc_year")?,
                    seq: r.try_get("doc_seq")?,
                    issuer: r.try_get("issuer")?,
                    unit_code: r.try_get("code")?,
                    unit_name: r.try_get("name")?,
                    title: r.try_get("title")?,
                    issued_on: r.try_get("feedback_date")?,
                    reply_due: r.try_get("report_due")?,
                    plan_id: r.try_get("plan_id")?,
                    tasks: r.try_get("tasks")?,
                    closed: r.try_get("closed")?,
                })
            })
            .collect()
    }
}
