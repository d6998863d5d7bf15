//! Supervision letters (督促函) to under-reporting units and their answers.
use crate::{Actor, Change, Result, Store, StoreError};
use duban_domain::records::{Flag, Month};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashSet;

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
        .bind(self.now_rfc3339())
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
        self.supervision_letters_where(scope, false).await
    }

    /// The letters of [`Store::supervision_letters`] issued and not yet answered (the
    /// workbench's), from their own partial index: O(open letters), however many were answered.
    pub async fn open_supervision_letters(
        &self,
        scope: &crate::Scope,
    ) -> Result<Vec<SupervisionLetter>> {
        self.supervision_letters_where(scope, true).await
    }

    async fn supervision_letters_where(
        &self,
        scope: &crate::Scope,
        open: bool,
    ) -> Result<Vec<SupervisionLetter>> {
        let rows = sqlx::query(crate::sqlf!("{}", supervision_letters_sql(open)))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let (year, number): (Option<i64>, Option<i64>) =
                    (r.try_get("year")?, r.try_get("number")?);
                Ok(SupervisionLetter {
                    id: r.try_get("id")?,
                    subject_code: r.try_get("subject_code")?,
                    subject_name: r.try_get("subject_name")?,
                    unit_name: r.try_get("name")?,
                    period: r.try_get("period")?,
                    body: r.try_get("body")?,
                    number: year.zip(number),
                    issued_on: r.try_get("issued_on")?,
                    due_on: r.try_get("due_on")?,
                    answered_on: r.try_get("answered_on")?,
                    answer: r.try_get("answer")?,
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
        let today = self.today();
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

/// The scope's supervision letters, newest first (binds the scope: unit id, path pattern);
/// `open`: only those issued and not yet answered.
pub fn supervision_letters_sql(open: bool) -> String {
    format!(
        "SELECT l.id, l.subject_code, l.subject_name, u.name, l.period, l.body, l.year, l.number, l.issued_on, l.due_on, l.answered_on, l.answer \
         FROM supervision_letters l JOIN units u ON u.id = l.unit_id WHERE {}{} ORDER BY l.id DESC LIMIT 500",
        crate::scope_sql("u", 1, 2),
        if open {
            " AND l.issued_on IS NOT NULL AND l.answered_on IS NULL"
        } else {
            ""
        }
    )
}
