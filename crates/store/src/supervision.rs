//! Supervision: the sweep that issues reminders (催办) and graded notices (督办单), and their
//! delivery. Issuing is an insert under a unique key, so sweeps are idempotent and two servers on
//! one database never issue the same notice twice.
use crate::{Actor, Change, Result, Scope, Store, now_epoch, now_rfc3339, scope_like, scope_sql};
use chrono::NaiveDate;
use duban_domain::rectification::urging::{Urge, quiet_until, urge};
use duban_domain::rectification::{Category, TaskFacts, TaskState};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    /// open tasks that may be yellow or red on the day
    pub watched_tasks: usize,
    pub reminders: u64,
    pub notices: u64,
}

/// What the sweep owes one task.
struct Owed {
    task: i64,
    kind: &'static str,
    level: &'static str,
    days: i64,
    dedupe: String,
    to: Option<i64>,
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
        let r = self.supervision_rules().await?;
        let (lights, rules) = (r.lights, r.urging);
        // only tasks that may be yellow or red are read (a superset, by date comparisons); the
        // domain decides for each of them what is owed
        let c = lights.cutoffs(as_of);
        // The rows travel packed, one text per plan: a sweep may look at hundreds of thousands of
        // tasks, and each result row costs a hand-off between the database thread and this one.
        let fields = "CAST(t.id AS TEXT) || '|' || t.category || '|' || t.state || '|' || t.created_on || '|' || COALESCE(t.deadline, '') || '|' \
                      || COALESCE(t.last_entry_on, '') || '|' || COALESCE(t.last_staged_on, '') || '|' || COALESCE(CAST(t.lead_leader_id AS TEXT), '') \
                      || '|' || COALESCE(CAST(t.responsible_id AS TEXT), '')";
        let pack = match self.backend {
            crate::Backend::Sqlite => format!("group_concat({fields}, ';')"),
            crate::Backend::Postgres => format!("string_agg({fields}, ';')"),
        };
        let packs = sqlx::query(crate::sqlf!(
            "SELECT {pack} FROM tasks t LEFT JOIN task_quiet q ON q.task_id = t.id \
             WHERE t.state <> 'closed' AND t.created_on <= $1 AND (q.task_id IS NULL OR q.quiet_from > $1 OR q.quiet_until <= $1) \
             AND (COALESCE(t.last_entry_on, t.created_on) < $2 OR (t.category = 'long_term' AND COALESCE(t.last_staged_on, t.created_on) <= $3) \
             OR (t.category <> 'long_term' AND t.deadline <= $4)) GROUP BY t.plan_id"
        ))
        .bind(as_of.to_string())
        .bind(c.entry_before.to_string())
        .bind(c.staged_by.to_string())
        .bind(c.due_by.to_string())
        .fetch_all(&self.pool)
        .await?;
        let date = |s: &str| s.parse::<NaiveDate>().ok();
        let id = |s: &str| s.parse::<i64>().ok();
        let mut report = SweepReport::default();
        let mut owed: Vec<Owed> = Vec::new();
        let mut quiet: std::collections::BTreeMap<NaiveDate, Vec<i64>> = Default::default();
        for p in &packs {
            let packed: Option<String> = p.try_get(0)?;
            for row in packed
                .as_deref()
                .unwrap_or("")
                .split(';')
                .filter(|r| !r.is_empty())
            {
                let v: Vec<&str> = row.split('|').collect();
                let [
                    task,
                    category,
                    state,
                    created,
                    deadline,
                    last_entry,
                    last_staged,
                    lead,
                    responsible,
                ] = v[..]
                else {
                    return Err(crate::StoreError::Invalid(format!(
                        "unexpected task facts: {row}"
                    )));
                };
                let Some(task) = id(task) else { continue };
                report.watched_tasks += 1;
                let f = TaskFacts {
                    category: Category::parse(category).unwrap_or(Category::TimeLimited),
                    state: TaskState::parse(state).unwrap_or(TaskState::NotStarted),
                    created: date(created).unwrap_or(as_of),
                    deadline: date(deadline),
                    last_entry: date(last_entry),
                    last_staged: date(last_staged),
                };
                let (lead, responsible) = (id(lead), id(responsible));
                quiet
                    .entry(quiet_until(task, &f, as_of, &lights, &rules))
                    .or_default()
                    .push(task);
                match urge(task, &f, as_of, &lights, &rules) {
                    None => {}
                    Some(Urge::Reminder { dedupe }) => owed.push(Owed {
                        task,
                        kind: "reminder",
                        level: "",
                        days: 0,
                        dedupe,
                        to: responsible.or(lead),
                    }),
                    Some(Urge::Notice {
                        level,
                        days_overdue,
                        dedupe,
                    }) => owed.push(Owed {
                        task,
                        kind: "notice",
                        level: level.as_str(),
                        days: days_overdue,
                        dedupe,
                        to: lead,
                    }),
                }
            }
        }
        if report.watched_tasks == 0 {
            return Ok(report);
        }
        let mut emails: HashMap<i64, String> = HashMap::new();
        for r in sqlx::query("SELECT staff_id, email FROM users WHERE staff_id IS NOT NULL AND email <> '' AND disabled = 0").fetch_all(&self.pool).await? {
            emails.insert(r.try_get(0)?, r.try_get(1)?);
        }
        let (now, issued) = (now_rfc3339(), as_of.to_string());
        let mut w = self.write(&Actor::system("scheduler")).await?;
        // reminders and notices are inserted separately so that each count is exact; a unique key
        // refuses what another process issued first
        // Values made here (numbers, dates, the domain's keys of digits, letters, ':' and '-') are
        // written into the statements; addresses come from users and are bound. Few parameters
        // keep SQLite's parameter lookup cheap in statements of hundreds of rows.
        let safe = |v: &str| {
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-'))
        };
        for kind in ["reminder", "notice"] {
            let mut n = 0;
            for chunk in owed
                .iter()
                .filter(|o| o.kind == kind)
                .collect::<Vec<_>>()
                .chunks(500)
            {
                let mut sql = String::from(
                    "INSERT INTO notices (task_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, created_at) VALUES ",
                );
                let mut bound: Vec<String> = Vec::new();
                for (i, o) in chunk.iter().enumerate() {
                    if !safe(&o.dedupe) || !safe(o.level) {
                        return Err(crate::StoreError::Invalid(format!(
                            "unexpected notice key {}",
                            o.dedupe
                        )));
                    }
                    let email =
                        o.to.and_then(|s| emails.get(&s).cloned())
                            .unwrap_or_default();
                    let email_sql = if email.is_empty() {
                        "''".to_string()
                    } else {
                        bound.push(email);
                        format!("${}", bound.len() + 2)
                    };
                    sql.push_str(&format!(
                        "{}({}, '{kind}', '{}', '{}', {}, $1, {}, {email_sql}, $2)",
                        if i > 0 { ", " } else { "" },
                        o.task,
                        o.level,
                        o.dedupe,
                        o.to.map(|t| t.to_string()).unwrap_or_else(|| "NULL".into()),
                        o.days
                    ));
                }
                sql.push_str(" ON CONFLICT (dedupe) DO NOTHING");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&issued)
                    .bind(&now);
                for e in bound {
                    q = q.bind(e);
                }
                n += q.execute(&mut *w.tx).await?.rows_affected();
            }
            if kind == "reminder" {
                report.reminders = n;
            } else {
                report.notices = n;
            }
        }
        // until when each task needs no look (the facts' changes clear it)
        let all: Vec<(i64, NaiveDate)> = quiet
            .iter()
            .flat_map(|(until, ids)| ids.iter().map(move |id| (*id, *until)))
            .collect();
        for chunk in all.chunks(1000) {
            let values = chunk
                .iter()
                .map(|(id, until)| format!("({id}, '{issued}', '{until}')"))
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(crate::sqlf!(
                "INSERT INTO task_quiet (task_id, quiet_from, quiet_until) VALUES {values} \
                 ON CONFLICT (task_id) DO UPDATE SET quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until"
            ))
            .execute(&mut *w.tx)
            .await?;
        }
        if report.reminders + report.notices > 0 {
            w.audit(Change {
                action: "supervision.sweep",
                entity: "notices",
                entity_id: issued.clone(),
                unit_id: None,
                before: None,
                after: Some(json!(report)),
            })
            .await?;
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
            let (email, kind, level, days, issued, title): (
                String,
                String,
                String,
                i64,
                String,
                String,
            ) = (
                n.try_get(0)?,
                n.try_get(1)?,
                n.try_get(2)?,
                n.try_get(3)?,
                n.try_get(4)?,
                n.try_get(5)?,
            );
            let deadline: Option<String> = n.try_get(6)?;
            let name: Option<String> = n.try_get(7)?;
            let (subject, body) = notice_text(
                &kind,
                &level,
                days,
                &issued,
                &title,
                deadline.as_deref(),
                name.as_deref(),
            );
            out.push(OutMail {
                notice_id: id,
                to: email,
                subject,
                body,
            });
        }
        Ok(out)
    }

    pub async fn mark_sent(&self, notice_id: i64) -> Result<()> {
        sqlx::query("UPDATE notices SET sent_at = $1 WHERE id = $2")
            .bind(now_rfc3339())
            .bind(notice_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Notices in scope, newest first; with `addressee`, only those addressed to that staff member.
    pub async fn notices(
        &self,
        scope: &Scope,
        addressee: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notice>> {
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
        let n = crate::int;
        rows.iter()
            .map(|r| {
                Ok(LeaderCount {
                    leader: r.try_get(0)?,
                    reminders: n(r, 1)?,
                    blue: n(r, 2)?,
                    yellow: n(r, 3)?,
                    red: n(r, 4)?,
                })
            })
            .collect()
    }
}

/// The wording of a reminder or supervision notice.
pub fn notice_text(
    kind: &str,
    level: &str,
    days: i64,
    issued: &str,
    task: &str,
    deadline: Option<&str>,
    to: Option<&str>,
) -> (String, String) {
    let to = to.unwrap_or("同志");
    if kind == "reminder" {
        (
            format!("【催办】{task}"),
            format!(
                "{to}：\n\n整改任务“{task}”{}，请抓紧推进并及时登记工作台账。\n\n整改工作领导小组办公室\n{issued}",
                deadline
                    .map(|d| format!("完成时限为 {d}"))
                    .unwrap_or_else(|| "需按期报送阶段性成效".into())
            ),
        )
    } else {
        let name = match level {
            "red" => "红色督办单",
            "yellow" => "黄色督办单",
            _ => "蓝色督办单",
        };
        (
            format!("【{name}】{task}"),
            format!(
                "{to}：\n\n您牵头的整改任务“{task}”已逾期 {days} 天，现发出{name}，请督促责任部门立即整改，并将整改情况及时报整改工作领导小组办公室。\n\n整改工作领导小组办公室\n{issued}"
            ),
        )
    }
}
