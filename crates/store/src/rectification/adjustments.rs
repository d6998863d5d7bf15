//! Adjustments of tasks: wording edits kept with before/after, and deadline or category changes as
//! requests decided by someone other than their author (domain: [`duban_domain::adjustment`]).
use crate::rectification::{Author, rules_on};
use crate::{Change, Result, Scope, Store, StoreError, Write};
use chrono::NaiveDate;
use duban_domain::adjustment::{self as adj, AdjActor, AdjState, Field};
use duban_domain::rectification::Category;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct Adjustment {
    pub id: i64,
    pub task_id: i64,
    pub field: Field,
    pub before_value: String,
    pub after_value: String,
    pub reason: String,
    pub state: AdjState,
    pub source: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
}

const COLS: &str = "a.id, a.task_id, a.field, a.before_value, a.after_value, a.reason, a.state, a.source, a.requested_by, a.requested_by_name, a.requested_at, a.decided_by_name, a.decided_at, a.decision_note";

fn from_row(r: &AnyRow) -> Result<Adjustment> {
    let field: String = r.try_get("field")?;
    let state: String = r.try_get("state")?;
    Ok(Adjustment {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        field: Field::parse(&field)
            .ok_or_else(|| StoreError::Invalid(format!("数据库中的调整事项无法识别：{field}")))?,
        before_value: r.try_get("before_value")?,
        after_value: r.try_get("after_value")?,
        reason: r.try_get("reason")?,
        state: AdjState::parse(&state)
            .ok_or_else(|| StoreError::Invalid(format!("数据库中的调整状态无法识别：{state}")))?,
        source: r.try_get("source")?,
        requested_by: r.try_get("requested_by")?,
        requested_by_name: r.try_get("requested_by_name")?,
        requested_at: r.try_get("requested_at")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

fn adj_actor(a: &Author) -> AdjActor {
    AdjActor {
        user_id: a.user_id,
        role: a.role,
        staff: a.staff_id,
    }
}

fn required(field: Field, v: &str, max: usize) -> Result<String> {
    duban_domain::text::required(v, max)
        .map_err(|e| StoreError::Invalid(format!("{}{e}", field.zh())))
}

/// The column a field is kept in, and the value normalised (a date, a category's code).
fn normalise(field: Field, raw: &str) -> Result<(&'static str, String)> {
    let v = raw.trim();
    match field {
        Field::Title => Ok(("title", required(field, v, 300)?)),
        Field::Measure => Ok(("measure", required(field, v, 4000)?)),
        Field::Standard => Ok(("standard", v.chars().take(4000).collect())),
        Field::Deadline => {
            if v.is_empty() {
                return Ok(("deadline", String::new()));
            }
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|d| ("deadline", d.to_string()))
                .map_err(|_| StoreError::Invalid(format!("完成时限应为 YYYY-MM-DD：{v}")))
        }
        Field::Category => Category::parse(v)
            .map(|c| ("category", c.as_str().to_string()))
            .ok_or_else(|| StoreError::Invalid(format!("整改类别无法识别：{v}"))),
        Field::Responsibility => Err(StoreError::Invalid("责任分工通过“指定责任人”调整".into())),
    }
}

/// Requests (deadline, category) or applies (wording) a change of a task inside a write, as the
/// domain decides. Returns the adjustment's id and state.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn request_in(
    w: &mut Write,
    author: &Author,
    task_id: i64,
    unit_id: i64,
    field: Field,
    after: &str,
    reason: &str,
    source: &str,
) -> Result<(i64, AdjState)> {
    let state = adj::request(&adj_actor(author), field, reason)?;
    let (column, after) = normalise(field, after)?;
    let before: Option<String> =
        sqlx::query_scalar(crate::sqlf!("SELECT {column} FROM tasks WHERE id = $1"))
            .bind(task_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let before = before.unwrap_or_default();
    if before == after {
        return Err(StoreError::Invalid(format!("{}没有变化", field.zh())));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO task_adjustments (task_id, field, before_value, after_value, reason, state, source, requested_by, requested_by_name, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(task_id)
    .bind(field.as_str())
    .bind(&before)
    .bind(&after)
    .bind(reason.trim())
    .bind(state.as_str())
    .bind(source)
    .bind(author.user_id)
    .bind(&author.login)
    .bind(w.now_rfc3339())
    .fetch_one(&mut *w.tx)
    .await?;
    if state == AdjState::Applied {
        apply(w, task_id, column, &after).await?;
    }
    w.audit(Change {
        action: if state == AdjState::Applied {
            "task.edit"
        } else {
            "task.adjust_request"
        },
        entity: "task",
        entity_id: task_id.to_string(),
        unit_id: Some(unit_id),
        before: Some(json!({ field.as_str(): before })),
        after: Some(json!({ field.as_str(): after, "reason": reason.trim(), "adjustment": id, "source": source })),
    })
    .await?;
    Ok((id, state))
}

async fn apply(w: &mut Write, task_id: i64, column: &str, value: &str) -> Result<()> {
    let v = (!value.is_empty()).then_some(value);
    sqlx::query(crate::sqlf!("UPDATE tasks SET {column} = $1 WHERE id = $2"))
        .bind(v)
        .bind(task_id)
        .execute(&mut *w.tx)
        .await?;
    Ok(())
}

/// The unit of a task in scope, or not found.
async fn task_unit(w: &mut Write, scope: &Scope, task_id: i64) -> Result<i64> {
    let r = sqlx::query(
        "SELECT u.id, u.path FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id WHERE t.id = $1",
    )
    .bind(task_id)
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let (unit, path): (i64, String) = (r.try_get("id")?, r.try_get("path")?);
    if !scope.covers(unit, &path) {
        return Err(StoreError::NotFound);
    }
    Ok(unit)
}

impl Store {
    /// Edits a task's wording, or requests a change of its deadline or category.
    pub async fn request_adjustment(
        &self,
        author: &Author,
        scope: &Scope,
        task_id: i64,
        field: Field,
        after: &str,
        reason: &str,
    ) -> Result<(i64, AdjState)> {
        let mut w = self.write(&author.actor()).await?;
        let unit = task_unit(&mut w, scope, task_id).await?;
        let out = request_in(&mut w, author, task_id, unit, field, after, reason, "").await?;
        w.commit().await?;
        Ok(out)
    }

    /// Approves (and applies) or rejects a pending request.
    pub async fn decide_adjustment(
        &self,
        author: &Author,
        scope: &Scope,
        adjustment_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        let mut w = self.write(&author.actor()).await?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM task_adjustments a WHERE a.id = $1"
        ))
        .bind(adjustment_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let a = from_row(&r)?;
        let unit = task_unit(&mut w, scope, a.task_id).await?;
        let reviewers = rules_on(&mut *w.tx).await?.reviewers;
        adj::decide(&adj_actor(author), a.state, a.requested_by, &reviewers)?;
        if !approve && note.trim().is_empty() {
            return Err(duban_domain::rectification::RuleError::NoReason.into());
        }
        let state = if approve {
            AdjState::Approved
        } else {
            AdjState::Rejected
        };
        let changed = sqlx::query(
            "UPDATE task_adjustments SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, decision_note = $5 WHERE id = $6 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(author.user_id)
        .bind(&author.login)
        .bind(w.now_rfc3339())
        .bind(note.trim())
        .bind(a.id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(duban_domain::rectification::RuleError::AdjustmentDecided.into());
        }
        if approve {
            let (column, value) = normalise(a.field, &a.after_value)?;
            apply(&mut w, a.task_id, column, &value).await?;
        }
        w.audit(Change {
            action: if approve {
                "task.adjust_approve"
            } else {
                "task.adjust_reject"
            },
            entity: "task",
            entity_id: a.task_id.to_string(),
            unit_id: Some(unit),
            before: Some(json!({ a.field.as_str(): a.before_value })),
            after: Some(json!({ a.field.as_str(): if approve { &a.after_value } else { &a.before_value }, "adjustment": a.id, "note": note.trim() })),
        })
        .await?;
        w.commit().await
    }

    /// The task an adjustment belongs to, if the scope covers it.
    pub async fn adjustment_task(&self, scope: &Scope, adjustment_id: i64) -> Result<Option<i64>> {
        let r = sqlx::query(
            "SELECT a.task_id, u.id, u.path FROM task_adjustments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id WHERE a.id = $1",
        )
        .bind(adjustment_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let (task, unit, path): (i64, i64, String) =
            (r.try_get("task_id")?, r.try_get("id")?, r.try_get("path")?);
        Ok(scope.covers(unit, &path).then_some(task))
    }

    /// A task's adjustments, oldest first.
    pub async fn adjustments(&self, task_id: i64) -> Result<Vec<Adjustment>> {
        sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM task_adjustments a WHERE a.task_id = $1 ORDER BY a.id"
        ))
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// How many tasks of a plan had their deadline changed by an approved request up to `as_of`.
    pub async fn deadline_adjusted_tasks(&self, plan_id: i64, as_of: NaiveDate) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(DISTINCT a.task_id) FROM task_adjustments a JOIN tasks t ON t.id = a.task_id \
                 WHERE t.plan_id = $1 AND a.field = 'deadline' AND a.state = 'approved' AND a.decided_at < $2",
            )
            .bind(plan_id)
            .bind(format!("{}T16:00:00Z", as_of))
            .fetch_one(&self.pool)
            .await?)
    }
}
