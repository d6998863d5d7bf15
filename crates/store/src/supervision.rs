//! Supervision: the sweep that issues reminders (催办) and graded notices (督办单), and their
//! delivery. Issuing is an insert under a unique key, so sweeps are idempotent and two servers on
//! one database never issue the same notice twice.
use crate::backup::insert_rows;
use crate::{Actor, Change, Result, Scope, Store, now_epoch, now_rfc3339, scope_like, scope_sql};
use chrono::NaiveDate;
use duban_domain::rectification::urging::{Urge, UrgeRules, urge};
use duban_domain::rectification::{Category, LightRules, TaskFacts, TaskState};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    pub open_tasks: usize,
    pub reminders: u64,
    pub notices: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub task_id: i64,
    pub task: String,
    pub kind: String,
    pub level: String,
    pub addressee: Option<String>,
    pub issued_on: String,
    pub days_overdue: i64,
    pub sent_at: Option<String>,
}

/// An e-mail to send for a notice.
#[derive(Debug, Clone)]
pub struct OutMail {
    pub notice_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeaderCount {
    pub leader: String,
    pub reminders: i64,
    pub blue: i64,
    pub yellow: i64,
    pub red: i64,
}

impl Store {
    /// Issues what is owed on `as_of` to every open task.
    pub async fn sweep(&self, as_of: NaiveDate) -> Result<SweepReport> {
        let (lights, rules) = (LightRules::default(), UrgeRules::default());
        let rows = sqlx::query(
            "SELECT id, category, state, created_on, deadline, last_entry_on, last_staged_on, lead_leader_id, responsible_id FROM tasks WHERE state <> 'closed'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut emails: HashMap<i64, String> = HashMap::new();
        for r in sqlx::query("SELECT staff_id, email FROM users WHERE staff_id IS NOT NULL AND email <> '' AND disabled = 0").fetch_all(&self.pool).await? {
            emails.insert(r.try_get(0)?, r.try_get(1)?);
        }
        let date = |s: Option<String>| s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        let now = now_rfc3339();
        let issued = as_of.to_string();
        let mut out: Vec<Vec<Value>> = Vec::new();
        let mut report = SweepReport { open_tasks: rows.len(), ..Default::default() };
        let mut kinds = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let f = TaskFacts {
                category: Category::parse(&r.try_get::<String, _>(1)?).unwrap_or(Category::TimeLimited),
                state: TaskState::parse(&r.try_get::<String, _>(2)?).unwrap_or(TaskState::NotStarted),
                created: date(Some(r.try_get(3)?)).unwrap_or(as_of),
                deadline: date(r.try_get(4)?),
                last_entry: date(r.try_get(5)?),
                last_staged: date(r.try_get(6)?),
            };
            if f.created > as_of {
                continue;
            }
            let lead: Option<i64> = r.try_get(7)?;
            let responsible: Option<i64> = r.try_get(8)?;
            let (kind, level, days, dedupe, to) = match urge(id, &f, as_of, &lights, &rules) {
                None => continue,
                Some(Urge::Reminder { dedupe }) => ("reminder", "", 0, dedupe, responsible.or(lead)),
                Some(Urge::Notice { level, days_overdue, dedupe }) => ("notice", level.as_str(), days_overdue, dedupe, lead),
            };
            let email = to.and_then(|s| emails.get(&s).cloned()).unwrap_or_default();
            kinds.push(kind);
            out.push(vec![json!(id), json!(kind), json!(level), json!(dedupe), json!(to), json!(issued), json!(days), json!(email), json!(now)]);
        }
        if out.is_empty() {
            return Ok(report);
        }
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let cols: Vec<String> = ["task_id", "kind", "level", "dedupe", "addressee_id", "issued_on", "days_overdue", "email", "created_at"].iter().map(|s| s.to_string()).collect();
        let ints = [true, false, false, false, true, false, true, false, false];
        // reminders and notices are inserted separately so that each count is exact
        for kind in ["reminder", "notice"] {
            let rows: Vec<Vec<Value>> = out.iter().zip(&kinds).filter(|(_, k)| **k == kind).map(|(r, _)| r.clone()).collect();
            let mut n = 0;
            for chunk in rows.chunks(900 / cols.len()) {
                n += insert_rows(&mut w.tx, "notices", &cols, &ints, chunk, "ON CONFLICT (dedupe) DO NOTHING").await?;
            }
            if kind == "reminder" {
                report.reminders = n;
            } else {
                report.notices = n;
            }
        }
        if report.reminders + report.notices > 0 {
            w.audit(Change { action: "supervision.sweep", entity: "notices", entity_id: issued.clone(), unit_id: None, before: None, after: Some(json!(report)) }).await?;
        }
        w.commit().await?;
        Ok(report)
    }

    /// Claims up to `limit` undelivered e-mails (a claim lapses after five minutes, so a crashed
    /// sender's mail is retried, and two senders never take the same one).
    pub async fn claim_mail(&self, limit: i64) -> Result<Vec<OutMail>> {
        let now = now_epoch();
        let ids = sqlx::query(
            "UPDATE notices SET claimed_at = $1 WHERE id IN (SELECT id FROM notices WHERE sent_at IS NULL AND email <> '' AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY id LIMIT $3) RETURNING id",
        )
        .bind(now)
        .bind(now - 300)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in ids {
            let id: i64 = r.try_get(0)?;
            let n = sqlx::query(
                "SELECT n.email, n.kind, n.level, n.days_overdue, n.issued_on, t.title, t.deadline, s.name FROM notices n JOIN tasks t ON t.id = n.task_id LEFT JOIN staff s ON s.id = n.addressee_id WHERE n.id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            let (email, kind, level, days, issued, title): (String, String, String, i64, String, String) =
                (n.try_get(0)?, n.try_get(1)?, n.try_get(2)?, n.try_get(3)?, n.try_get(4)?, n.try_get(5)?);
            let deadline: Option<String> = n.try_get(6)?;
            let name: Option<String> = n.try_get(7)?;
            let (subject, body) = notice_text(&kind, &level, days, &issued, &title, deadline.as_deref(), name.as_deref());
            out.push(OutMail { notice_id: id, to: email, subject, body });
        }
        Ok(out)
    }

    pub async fn mark_sent(&self, notice_id: i64) -> Result<()> {
        sqlx::query("UPDATE notices SET sent_at = $1 WHERE id = $2").bind(now_rfc3339()).bind(notice_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Notices in scope, newest first; with `addressee`, only those addressed to that staff member.
    pub async fn notices(&self, scope: &Scope, addressee: Option<i64>, limit: i64) -> Result<Vec<Notice>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT n.id, n.task_id, t.title, n.kind, n.level, s.name, n.issued_on, n.days_overdue, n.sent_at FROM notices n JOIN tasks t ON t.id = n.task_id \
             JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id LEFT JOIN staff s ON s.id = n.addressee_id \
             WHERE {} AND ($3 = 0 OR n.addressee_id = $3) ORDER BY n.issued_on DESC, n.id DESC LIMIT $4",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(addressee.unwrap_or(0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notice {
                    id: r.try_get(0)?,
                    task_id: r.try_get(1)?,
                    task: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    level: r.try_get(4)?,
                    addressee: r.try_get(5)?,
                    issued_on: r.try_get(6)?,
                    days_overdue: r.try_get(7)?,
                    sent_at: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// Reminders and notices counted per lead leader of the tasks in scope.
    pub async fn notice_counts(&self, scope: &Scope) -> Result<Vec<LeaderCount>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT COALESCE(s.name, '—'), \
             SUM(CASE WHEN n.kind = 'reminder' THEN 1 ELSE 0 END), SUM(CASE WHEN n.level = 'blue' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN n.level = 'yellow' THEN 1 ELSE 0 END), SUM(CASE WHEN n.level = 'red' THEN 1 ELSE 0 END) \
             FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id \
             LEFT JOIN staff s ON s.id = t.lead_leader_id WHERE {} GROUP BY s.name ORDER BY 5 DESC, 4 DESC, 1",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        let n = |r: &sqlx::any::AnyRow, i: usize| -> Result<i64> {
            // SUM is BIGINT on SQLite and NUMERIC on PostgreSQL; both arrive as text or integer
            Ok(match r.try_get::<i64, _>(i) {
                Ok(v) => v,
                Err(_) => r.try_get::<String, _>(i).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
            })
        };
        rows.iter().map(|r| Ok(LeaderCount { leader: r.try_get(0)?, reminders: n(r, 1)?, blue: n(r, 2)?, yellow: n(r, 3)?, red: n(r, 4)? })).collect()
    }
}

/// The wording of a reminder or supervision notice.
pub fn notice_text(kind: &str, level: &str, days: i64, issued: &str, task: &str, deadline: Option<&str>, to: Option<&str>) -> (String, String) {
    let to = to.unwrap_or("同志");
    if kind == "reminder" {
        (
            format!("【催办】{task}"),
            format!("{to}：\n\n整改任务“{task}”{}，请抓紧推进并及时登记工作台账。\n\n整改工作领导小组办公室\n{issued}", deadline.map(|d| format!("完成时限为 {d}")).unwrap_or_else(|| "需按期报送阶段性成效".into())),
        )
    } else {
        let name = match level {
            "red" => "红色督办单",
            "yellow" => "黄色督办单",
            _ => "蓝色督办单",
        };
        (
            format!("【{name}】{task}"),
            format!("{to}：\n\n您牵头的整改任务“{task}”已逾期 {days} 天，现发出{name}，请督促责任部门立即整改，并将整改情况及时报整改工作领导小组办公室。\n\n整改工作领导小组办公室\n{issued}"),
        )
    }
}
