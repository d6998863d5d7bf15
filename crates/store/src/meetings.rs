//! The biweekly consultation (双周会商) of the office and the discipline group: an agenda built
//! from red and yellow tasks and pending closures, minutes, and decisions that act on tasks.
use crate::rectification::{Author, EntryKind, NewEntry, add_entry_in};
use crate::{Actor, Change, Result, Scope, Store, StoreError, Write, scope_like, scope_sql};
use chrono::NaiveDate;
use duban_domain::rectification::agenda_reason;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: i64,
    pub unit_id: i64,
    pub held_on: String,
    pub title: String,
    pub minutes: String,
    pub items: i64,
    pub decided: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub task_id: i64,
    pub task: String,
    pub reason: String,
    pub decision: String,
    pub action: String,
    pub action_value: String,
    pub decided_at: Option<String>,
}

impl Item {
    /// The catalogue key of the reason it is on the agenda.
    pub fn reason_key(&self) -> &'static str {
        match self.reason.as_str() {
            "red" => "meet.reason.red",
            "yellow" => "meet.reason.yellow",
            _ => "meet.reason.closure_requested",
        }
    }
}

/// What a decision does to its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Recorded only.
    Note,
    /// A new deadline.
    Deadline(NaiveDate),
    /// A red supervision notice to the lead leader.
    Notice,
    /// Reopen a closed task (look-back).
    LookBack,
}

impl Store {
    pub async fn meetings(&self, scope: &Scope) -> Result<Vec<Meeting>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT m.id, m.unit_id, m.held_on, m.title, m.minutes, (SELECT COUNT(*) FROM meeting_items i WHERE i.meeting_id = m.id) AS items, \
             (SELECT COUNT(*) FROM meeting_items i WHERE i.meeting_id = m.id AND i.decided_at IS NOT NULL) AS decided \
             FROM meetings m JOIN units u ON u.id = m.unit_id WHERE {} ORDER BY m.held_on DESC, m.id DESC",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Meeting {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    held_on: r.try_get("held_on")?,
                    title: r.try_get("title")?,
                    minutes: r.try_get("minutes")?,
                    items: r.try_get("items")?,
                    decided: r.try_get("decided")?,
                })
            })
            .collect()
    }

    pub async fn meeting(&self, scope: &Scope, id: i64) -> Result<Option<(Meeting, Vec<Item>)>> {
        let Some(m) = self.meetings(scope).await?.into_iter().find(|m| m.id == id) else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT i.id, i.task_id, t.title, i.reason, i.decision, i.action, i.action_value, i.decided_at FROM meeting_items i JOIN tasks t ON t.id = i.task_id WHERE i.meeting_id = $1 ORDER BY i.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(Item {
                    id: r.try_get("id")?,
                    task_id: r.try_get("task_id")?,
                    task: r.try_get("title")?,
                    reason: r.try_get("reason")?,
                    decision: r.try_get("decision")?,
                    action: r.try_get("action")?,
                    action_value: r.try_get("action_value")?,
                    decided_at: r.try_get("decided_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((m, items)))
    }

    /// Convenes a meeting of a unit on `held_on`, with the agenda of that day.
    pub async fn create_meeting(
        &self,
        actor: &Actor,
        unit_id: i64,
        held_on: NaiveDate,
        title: &str,
    ) -> Result<i64> {
        // the right before the agenda is assembled (decided again, with the unit, in the write)
        duban_domain::access::decide(actor.role, duban_domain::access::Action::Convene)?;
        let mut agenda = Vec::new();
        let lights = self.supervision_rules().await?.lights;
        for p in sqlx::query("SELECT id FROM plans WHERE unit_id = $1 ORDER BY id")
            .bind(unit_id)
            .fetch_all(&self.pool)
            .await?
        {
            for (task, h) in self.plan_histories_as_of(p.try_get("id")?, held_on).await? {
                if h.created > held_on {
                    continue;
                }
                if let Some(reason) = agenda_reason(&h.facts_on(held_on), held_on, &lights) {
                    agenda.push((task, reason));
                }
            }
        }
        let mut w = self.write(actor).await?;
        w.decide_unit(duban_domain::access::Action::Convene, unit_id)
            .await?;
        let id = insert_meeting(&mut w, unit_id, held_on, title, &actor.name, &agenda).await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn set_minutes(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        minutes: &str,
    ) -> Result<()> {
        let (m, _) = self.meeting(scope, id).await?.ok_or(StoreError::NotFound)?;
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::Convene)?;
        sqlx::query("UPDATE meetings SET minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "meeting.minutes",
            entity: "meeting",
            entity_id: id.to_string(),
            unit_id: Some(m.unit_id),
            before: Some(json!({"minutes": m.minutes})),
            after: Some(json!({"minutes": minutes})),
        })
        .await?;
        w.commit().await
    }

    /// Records a decision on an agenda item and carries out its action on the task, in one write.
    pub async fn decide(
        &self,
        author: &Author,
        scope: &Scope,
        meeting_id: i64,
        item_id: i64,
        decision: &str,
        action: Action,
    ) -> Result<()> {
        let (m, items) = self
            .meeting(scope, meeting_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let item = items
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or(StoreError::NotFound)?;
        if item.decided_at.is_some() {
            return Err(StoreError::Invalid("该议题已作出决定".into()));
        }
        if decision.trim().is_empty() {
            return Err(StoreError::Invalid("请填写会商决定".into()));
        }
        let mut w = self.write(&author.actor()).await?;
        w.decide(duban_domain::access::Action::Convene)?;
        // what the meeting decided is recorded on the day it is recorded; the body names the meeting
        let held = self.today();
        let (action_name, value) = match &action {
            Action::Note => ("note", String::new()),
            Action::Deadline(d) => {
                // a meeting's decision to move a deadline is a request that someone other than
                // the person recording it approves: one person never moves a deadline alone
                crate::adjustments::request_in(
                    &mut w,
                    author,
                    item.task_id,
                    m.unit_id,
                    duban_domain::adjustment::Field::Deadline,
                    &d.to_string(),
                    &format!("{}（{}）会商决定：{decision}", m.title, m.held_on),
                    &format!("meeting:{meeting_id}:{item_id}"),
                )
                .await?;
                ("deadline", d.to_string())
            }
            Action::Notice => {
                sqlx::query(
                    "INSERT INTO notices (task_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, created_at) \
                     SELECT t.id, 'notice', 'red', $1, t.lead_leader_id, $2, 0, COALESCE((SELECT u.email FROM users u WHERE u.staff_id = t.lead_leader_id AND u.email <> '' LIMIT 1), ''), $3 \
                     FROM tasks t WHERE t.id = $4 ON CONFLICT DO NOTHING",
                )
                .bind(format!("meeting:{meeting_id}:{item_id}"))
                .bind(&m.held_on)
                .bind(self.now_rfc3339())
                .bind(item.task_id)
                .execute(&mut *w.tx)
                .await?;
                ("notice", String::new())
            }
            Action::LookBack => {
                add_entry_in(
                    &mut w,
                    author,
                    &NewEntry {
                        task_id: item.task_id,
                        date: held,
                        kind: EntryKind::Reopen,
                        body: format!("双周会商决定回头看（{}）：{decision}", m.held_on),
                        corrects_id: None,
                        files: vec![],
                        late_reason: String::new(),
                    },
                )
                .await?;
                ("lookback", String::new())
            }
        };
        if !matches!(action, Action::LookBack) {
            add_entry_in(
                &mut w,
                author,
                &NewEntry {
                    task_id: item.task_id,
                    date: held,
                    kind: EntryKind::Progress,
                    body: format!("双周会商决定（{}）：{decision}", m.held_on),
                    corrects_id: None,
                    files: vec![],
                    late_reason: String::new(),
                },
            )
            .await
            .or_else(|e| {
                if matches!(e, StoreError::Invalid(_) | StoreError::Rule(_)) {
                    Ok(0)
                } else {
                    Err(e)
                }
            })?;
        }
        sqlx::query("UPDATE meeting_items SET decision = $1, action = $2, action_value = $3, decided_at = $4 WHERE id = $5")
            .bind(decision)
            .bind(action_name)
            .bind(&value)
            .bind(self.now_rfc3339())
            .bind(item_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "meeting.decide",
            entity: "meeting_item",
            entity_id: item_id.to_string(),
            unit_id: Some(m.unit_id),
            before: None,
            after: Some(json!({"task": item.task_id, "decision": decision, "action": action_name, "value": value})),
        })
        .await?;
        w.commit().await
    }
}

pub(crate) async fn insert_meeting(
    w: &mut Write,
    unit_id: i64,
    held_on: NaiveDate,
    title: &str,
    by: &str,
    agenda: &[(i64, &str)],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar("INSERT INTO meetings (unit_id, held_on, title, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(unit_id)
        .bind(held_on.to_string())
        .bind(title)
        .bind(by)
        .bind(w.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
    for (task, reason) in agenda {
        sqlx::query("INSERT INTO meeting_items (meeting_id, task_id, reason) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*task)
            .bind(*reason)
            .execute(&mut *w.tx)
            .await?;
    }
    w.audit(Change {
        action: "meeting.create",
        entity: "meeting",
        entity_id: id.to_string(),
        unit_id: Some(unit_id),
        before: None,
        after: Some(
            json!({"held_on": held_on.to_string(), "title": title, "agenda": agenda.len()}),
        ),
    })
    .await?;
    Ok(id)
}
