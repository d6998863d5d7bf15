//! Rounds, plans, the three lists, the ledger with evidence, and the task lifecycle.
use crate::{
    Actor, Change, Result, Scope, Store, StoreError, Write, now_rfc3339, scope_like, scope_sql,
};
use chrono::NaiveDate;
use duban_domain::adjustment::Field as AdjField;
use duban_domain::ledger;
use duban_domain::org::Role;
use duban_domain::rectification::{self as rules, Category, SourceKind, TaskHistory, TaskState};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

pub use duban_domain::ledger::{EVIDENCE_TYPES, EntryKind, MAX_EVIDENCE_BYTES};

/// Keeps a file's bytes once, under their SHA-256; returns the hash.
pub(crate) async fn put_blob(w: &mut crate::Write, bytes: &[u8]) -> Result<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(bytes.to_vec())
        .execute(&mut *w.tx)
        .await?;
    Ok(sha)
}

/// The type of an evidence file by its name, or an error naming what is accepted.
pub fn evidence_type(filename: &str) -> Result<&'static str> {
    Ok(duban_domain::ledger::evidence_type(filename)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct Round {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub inspector: String,
    pub kind: String,
    pub inspected_from: String,
    pub inspected_to: String,
    pub feedback_date: String,
    pub report_due: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub adopted_on: String,
    pub round_title: String,
    pub round_kind: String,
    pub tasks: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub id: i64,
    pub plan_id: i64,
    pub seq: i64,
    pub feedback: String,
    pub manifestation: String,
    pub tasks: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    pub problem_id: Option<i64>,
    pub problem: Option<String>,
    pub seq: i64,
    pub title: String,
    pub measure: String,
    pub category: Category,
    pub deadline: Option<String>,
    pub standard: String,
    pub lead_leader_id: Option<i64>,
    pub lead_leader: Option<String>,
    pub responsible_id: Option<i64>,
    pub responsible: Option<String>,
    pub departments: String,
    pub state: TaskState,
    pub created_on: String,
    pub closed_on: Option<String>,
    pub last_entry_on: Option<String>,
    pub last_staged_on: Option<String>,
}

impl Task {
    fn from_row(r: &AnyRow) -> Result<Task> {
        let cat: String = r.try_get("category")?;
        let state: String = r.try_get("state")?;
        Ok(Task {
            id: r.try_get("id")?,
            plan_id: r.try_get("plan_id")?,
            problem_id: r.try_get("problem_id")?,
            problem: r.try_get("problem")?,
            seq: r.try_get("seq")?,
            title: r.try_get("title")?,
            measure: r.try_get("measure")?,
            category: Category::parse(&cat)
                .ok_or_else(|| StoreError::Invalid(format!("bad category {cat}")))?,
            deadline: r.try_get("deadline")?,
            standard: r.try_get("standard")?,
            lead_leader_id: r.try_get("lead_leader_id")?,
            lead_leader: r.try_get("lead_leader")?,
            responsible_id: r.try_get("responsible_id")?,
            responsible: r.try_get("responsible")?,
            departments: r
                .try_get::<Option<String>, _>("departments")?
                .unwrap_or_default(),
            state: TaskState::parse(&state)
                .ok_or_else(|| StoreError::Invalid(format!("bad state {state}")))?,
            created_on: r.try_get("created_on")?,
            closed_on: r.try_get("closed_on")?,
            last_entry_on: r.try_get("last_entry_on")?,
            last_staged_on: r.try_get("last_staged_on")?,
        })
    }

    pub fn facts(&self) -> rules::TaskFacts {
        let d = |s: &Option<String>| {
            s.as_deref()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        };
        rules::TaskFacts {
            category: self.category,
            state: self.state,
            created: NaiveDate::parse_from_str(&self.created_on, "%Y-%m-%d").unwrap_or_default(),
            deadline: d(&self.deadline),
            last_entry: d(&self.last_entry_on),
            last_staged: d(&self.last_staged_on),
        }
    }
}

/// Task columns with the leader's and responsible person's names and the departments, lead first.
fn task_select(departments_agg: &str) -> String {
    format!(
        "SELECT t.id, t.plan_id, t.problem_id, pr.feedback AS problem, t.seq, t.title, t.measure, t.category, t.deadline, t.standard, \
         t.lead_leader_id, ll.name AS lead_leader, t.responsible_id, rp.name AS responsible, \
         (SELECT {departments_agg} FROM task_departments td JOIN departments d ON d.id = td.department_id WHERE td.task_id = t.id) AS departments, \
         t.state, t.created_on, t.closed_on, t.last_entry_on, t.last_staged_on \
         FROM tasks t LEFT JOIN problems pr ON pr.id = t.problem_id LEFT JOIN staff ll ON ll.id = t.lead_leader_id LEFT JOIN staff rp ON rp.id = t.responsible_id"
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub task_id: i64,
    pub entry_date: String,
    pub kind: String,
    pub body: String,
    pub corrects_id: Option<i64>,
    pub state_after: String,
    pub author_id: Option<i64>,
    pub author: String,
    pub created_at: String,
    /// when the server recorded it (the same instant as `created_at`)
    pub recorded_at: String,
    /// whole days between the business date and the recording date beyond the grace (补录), else 0
    pub late_days: i64,
    pub late_reason: String,
    /// where an imported entry came from (file, importing account, time); empty when typed
    pub provenance: String,
    pub evidence: Vec<Evidence>,
}

/// A file to attach: name, bytes.
#[derive(Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Who writes an entry: for the lifecycle and reviewer rules.
#[derive(Clone)]
pub struct Author {
    pub user_id: Option<i64>,
    pub login: String,
    pub role: Role,
    pub staff_id: Option<i64>,
    pub departments: Vec<i64>,
}

impl Author {
    /// The audit's view of this author.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            name: self.login.clone(),
            role: Some(self.role),
            scope: None,
        }
    }
}

#[derive(Clone)]
pub struct NewEntry {
    pub task_id: i64,
    /// the business date
    pub date: NaiveDate,
    pub kind: EntryKind,
    pub body: String,
    pub corrects_id: Option<i64>,
    pub files: Vec<Upload>,
    /// why a date beyond the grace is recorded late (补录)
    pub late_reason: String,
}

pub struct NewTask<'a> {
    pub plan_id: i64,
    pub problem_id: Option<i64>,
    pub title: &'a str,
    pub measure: &'a str,
    pub category: Category,
    pub deadline: Option<NaiveDate>,
    pub standard: &'a str,
    pub lead_leader_id: Option<i64>,
    pub responsible_id: Option<i64>,
    /// (department id, is the lead department)
    pub departments: Vec<(i64, bool)>,
    pub created_on: NaiveDate,
}

impl Store {
    pub async fn rounds(&self, scope: &Scope) -> Result<Vec<Round>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT r.id, r.unit_id, r.title, r.inspector, r.kind, r.inspected_from, r.inspected_to, r.feedback_date, r.report_due \
             FROM rounds r JOIN units u ON u.id = r.unit_id WHERE {} ORDER BY r.feedback_date DESC",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Round {
                    id: r.try_get(0)?,
                    unit_id: r.try_get(1)?,
                    title: r.try_get(2)?,
                    inspector: r.try_get(3)?,
                    kind: r.try_get(4)?,
                    inspected_from: r.try_get(5)?,
                    inspected_to: r.try_get(6)?,
                    feedback_date: r.try_get(7)?,
                    report_due: r.try_get(8)?,
                })
            })
            .collect()
    }

    async fn plans_where(
        &self,
        scope: &Scope,
        extra: &str,
        key: Option<&str>,
    ) -> Result<Vec<Plan>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT p.id, p.round_id, p.unit_id, u.name AS unit_name, p.title, p.body, p.adopted_on, r.title AS round_title, r.kind AS round_kind, \
             (SELECT COUNT(*) FROM tasks t WHERE t.plan_id = p.id) AS tasks \
             FROM plans p JOIN units u ON u.id = p.unit_id JOIN rounds r ON r.id = p.round_id WHERE {} {extra} ORDER BY p.id",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(key.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Plan {
                    id: r.try_get("id")?,
                    round_id: r.try_get("round_id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("unit_name")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    adopted_on: r.try_get("adopted_on")?,
                    round_title: r.try_get("round_title")?,
                    round_kind: r.try_get("round_kind")?,
                    tasks: r.try_get("tasks")?,
                })
            })
            .collect()
    }

    /// Plans of the units in scope.
    pub async fn plans(&self, scope: &Scope) -> Result<Vec<Plan>> {
        self.plans_where(scope, "AND $3 = $3", None).await
    }

    /// A plan in scope, by id or by title.
    pub async fn plan(&self, scope: &Scope, key: &str) -> Result<Option<Plan>> {
        let found = if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
            self.plans_where(scope, "AND CAST(p.id AS TEXT) = $3", Some(key))
                .await?
        } else {
            self.plans_where(scope, "AND p.title = $3", Some(key))
                .await?
        };
        Ok(found.into_iter().next())
    }

    pub async fn problems(&self, plan_id: i64) -> Result<Vec<Problem>> {
        let rows = sqlx::query(
            "SELECT p.id, p.plan_id, p.seq, p.feedback, p.manifestation, (SELECT COUNT(*) FROM tasks t WHERE t.problem_id = p.id) AS tasks \
             FROM problems p WHERE p.plan_id = $1 ORDER BY p.seq",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Problem {
                    id: r.try_get(0)?,
                    plan_id: r.try_get(1)?,
                    seq: r.try_get(2)?,
                    feedback: r.try_get(3)?,
                    manifestation: r.try_get(4)?,
                    tasks: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn dept_agg(&self) -> &'static str {
        match self.backend {
            crate::Backend::Sqlite => "GROUP_CONCAT(d.name, '、')",
            crate::Backend::Postgres => "STRING_AGG(d.name, '、' ORDER BY td.is_lead DESC, d.id)",
        }
    }

    /// The tasks of a plan, in list order.
    pub async fn tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        let rows = sqlx::query(crate::sqlf!(
            "{} WHERE t.plan_id = $1 ORDER BY t.seq",
            task_select(self.dept_agg())
        ))
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Task::from_row).collect()
    }

    /// Tasks in scope led by a leader or carried by one of the departments ("my tasks").
    pub async fn my_tasks(
        &self,
        scope: &Scope,
        staff_id: Option<i64>,
        departments: &[i64],
    ) -> Result<Vec<Task>> {
        let depts = departments
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let dept_cond = if depts.is_empty() {
            "1 = 0".to_string()
        } else {
            format!(
                "t.id IN (SELECT task_id FROM task_departments WHERE department_id IN ({depts}))"
            )
        };
        let rows = sqlx::query(crate::sqlf!(
            "{} JOIN plans pl ON pl.id = t.plan_id JOIN units u ON u.id = pl.unit_id WHERE {} AND (t.lead_leader_id = $3 OR t.responsible_id = $3 OR {dept_cond}) ORDER BY t.deadline, t.id",
            task_select(self.dept_agg()),
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(staff_id.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Task::from_row).collect()
    }

    /// A task whose plan's unit the scope covers.
    pub async fn task_in_scope(&self, scope: &Scope, id: i64) -> Result<Option<Task>> {
        let r = sqlx::query(crate::sqlf!(
            "{} JOIN plans pl ON pl.id = t.plan_id JOIN units u ON u.id = pl.unit_id WHERE t.id = $3 AND {}",
            task_select(self.dept_agg()),
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(Task::from_row).transpose()
    }

    pub async fn task_department_ids(&self, task_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT department_id FROM task_departments WHERE task_id = $1")
            .bind(task_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The ledger of a task, oldest first, with evidence.
    pub async fn ledger(&self, task_id: i64) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT id, task_id, entry_date, kind, body, corrects_id, state_after, author_id, author, created_at, late_days, late_reason, provenance FROM ledger_entries WHERE task_id = $1 ORDER BY entry_date, id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        let files = sqlx::query(
            "SELECT e.entry_id, e.id, e.sha256, e.filename, e.content_type, e.size FROM evidence e JOIN ledger_entries l ON l.id = e.entry_id WHERE l.task_id = $1 ORDER BY e.id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let mut evidence = Vec::new();
            for f in files
                .iter()
                .filter(|f| f.try_get::<i64, _>(0).ok() == Some(id))
            {
                evidence.push(Evidence {
                    id: f.try_get(1)?,
                    sha256: f.try_get(2)?,
                    filename: f.try_get(3)?,
                    content_type: f.try_get(4)?,
                    size: f.try_get(5)?,
                });
            }
            let created_at: String = r.try_get("created_at")?;
            out.push(LedgerEntry {
                id,
                task_id: r.try_get("task_id")?,
                entry_date: r.try_get("entry_date")?,
                kind: r.try_get("kind")?,
                body: r.try_get("body")?,
                corrects_id: r.try_get("corrects_id")?,
                state_after: r.try_get("state_after")?,
                author_id: r.try_get("author_id")?,
                author: r.try_get("author")?,
                recorded_at: created_at.clone(),
                created_at,
                late_days: r.try_get("late_days")?,
                late_reason: r.try_get("late_reason")?,
                provenance: r.try_get("provenance")?,
                evidence,
            });
        }
        Ok(out)
    }

    /// An evidence file, if the scope covers the plan it belongs to.
    pub async fn evidence_file(
        &self,
        scope: &Scope,
        evidence_id: i64,
    ) -> Result<Option<(Evidence, Vec<u8>)>> {
        let r = sqlx::query(crate::sqlf!(
            "SELECT e.id, e.sha256, e.filename, e.content_type, e.size, b.content FROM evidence e JOIN blobs b ON b.sha256 = e.sha256 \
             JOIN ledger_entries l ON l.id = e.entry_id JOIN tasks t ON t.id = l.task_id JOIN plans pl ON pl.id = t.plan_id JOIN units u ON u.id = pl.unit_id \
             WHERE e.id = $3 AND {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(evidence_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some((
            Evidence {
                id: r.try_get(0)?,
                sha256: r.try_get(1)?,
                filename: r.try_get(2)?,
                content_type: r.try_get(3)?,
                size: r.try_get(4)?,
            },
            r.try_get(5)?,
        )))
    }

    /// Adds a ledger entry, applying the one decision of the ledger on the task's facts read in
    /// the write transaction. Returns the entry id. Entries arriving together are written in one
    /// transaction (group commit); the answer comes after that transaction is committed.
    pub async fn add_entry(&self, author: &Author, e: NewEntry) -> Result<i64> {
        self.queue_write(Work::Entry {
            author: author.clone(),
            entry: e,
        })
        .await
    }

    /// Writes the jobs in one transaction; if any of them fails, each is written alone (with its
    /// task's facts read afresh), so one job's refusal never costs another its entry.
    async fn write_entry_batch(&self, jobs: Vec<EntryJob>) -> Vec<Result<i64>> {
        if jobs.len() > 1 {
            let together: Result<Vec<i64>> = async {
                let mut w = self.write(&jobs[0].work.actor()).await?;
                let mut ids = Vec::with_capacity(jobs.len());
                for j in &jobs {
                    w.act_as(&j.work.actor());
                    ids.push(j.work.run_in_batch(&mut w).await?);
                }
                w.commit().await?;
                Ok(ids)
            }
            .await;
            if let Ok(ids) = together {
                return ids.into_iter().map(Ok).collect();
            }
        }
        self.write_entries_alone(jobs).await
    }

    async fn write_entries_alone(&self, jobs: Vec<EntryJob>) -> Vec<Result<i64>> {
        let mut out = Vec::with_capacity(jobs.len());
        for j in jobs {
            let r = async {
                let mut w = self.write(&j.work.actor()).await?;
                let id = j.work.run_alone(&mut w).await?;
                w.commit().await?;
                Ok(id)
            }
            .await;
            out.push(r);
        }
        out
    }

    /// The history of every task of a plan, for figures as of any date.
    pub async fn plan_histories(&self, plan_id: i64) -> Result<Vec<(i64, TaskHistory)>> {
        let tasks = sqlx::query(
            "SELECT id, category, created_on, deadline FROM tasks WHERE plan_id = $1 ORDER BY id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        let entries = sqlx::query(
            "SELECT l.task_id, l.entry_date, l.kind, l.state_after FROM ledger_entries l JOIN tasks t ON t.id = l.task_id WHERE t.plan_id = $1 ORDER BY l.task_id, l.entry_date, l.id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let mut out = Vec::with_capacity(tasks.len());
        let mut idx = std::collections::HashMap::new();
        for r in &tasks {
            let cat: String = r.try_get(1)?;
            let created: String = r.try_get(2)?;
            let deadline: Option<String> = r.try_get(3)?;
            let id: i64 = r.try_get(0)?;
            idx.insert(id, out.len());
            out.push((
                id,
                TaskHistory {
                    category: Category::parse(&cat).unwrap_or(Category::TimeLimited),
                    created: date(&created),
                    deadline: deadline.as_deref().map(date),
                    states: vec![],
                    entries: vec![],
                    staged: vec![],
                },
            ));
        }
        for r in &entries {
            let Some(&i) = idx.get(&r.try_get::<i64, _>(0)?) else {
                continue;
            };
            let d = date(&r.try_get::<String, _>(1)?);
            let kind: String = r.try_get(2)?;
            let state: String = r.try_get(3)?;
            let h = &mut out[i].1;
            h.entries.push(d);
            if kind == "staged" {
                h.staged.push(d);
            }
            if let Some(s) = TaskState::parse(&state) {
                if h.states.last().map(|x| x.1) != Some(s) {
                    h.states.push((d, s));
                }
            }
        }
        Ok(out)
    }

    pub async fn plan_stats(&self, plan_id: i64, as_of: NaiveDate) -> Result<rules::PlanStats> {
        let h: Vec<TaskHistory> = self
            .plan_histories(plan_id)
            .await?
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        Ok(rules::plan_stats(
            &h,
            as_of,
            &self.supervision_rules().await?.lights,
        ))
    }

    /// Ledger entries of a plan dated on or before `as_of` that were recorded late (补录).
    pub async fn late_entries(&self, plan_id: i64, as_of: NaiveDate) -> Result<i64> {
        crate::int(
            &sqlx::query(
                "SELECT COUNT(*) FROM ledger_entries l JOIN tasks t ON t.id = l.task_id WHERE t.plan_id = $1 AND l.late_days > 0 AND l.entry_date <= $2",
            )
            .bind(plan_id)
            .bind(as_of.to_string())
            .fetch_one(&self.pool)
            .await?,
            0,
        )
    }

    /// The departments a staff member belongs to (one, or none).
    pub async fn staff_departments(&self, staff_id: Option<i64>) -> Result<Vec<i64>> {
        let Some(s) = staff_id else { return Ok(vec![]) };
        let r = sqlx::query("SELECT department_id FROM staff WHERE id = $1")
            .bind(s)
            .fetch_optional(&self.pool)
            .await?;
        Ok(
            r.and_then(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
                .into_iter()
                .collect(),
        )
    }

    pub async fn user_staff_id(&self, user_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query("SELECT staff_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

/// Creates a round inside a write.
pub(crate) async fn insert_round(
    w: &mut Write,
    unit_id: i64,
    kind: SourceKind,
    title: &str,
    inspector: &str,
    from: &str,
    to: &str,
    feedback: &str,
    due: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO rounds (unit_id, title, inspector, kind, inspected_from, inspected_to, feedback_date, report_due) VALUES ($1, $2, $3, $8, $4, $5, $6, $7) RETURNING id",
    )
    .bind(unit_id)
    .bind(title)
    .bind(inspector)
    .bind(from)
    .bind(to)
    .bind(feedback)
    .bind(due)
    .bind(kind.as_str())
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    w.audit(Change {
        action: "round.create",
        entity: "round",
        entity_id: id.to_string(),
        unit_id: Some(unit_id),
        before: None,
        after: Some(json!({"title": title, "feedback_date": feedback})),
    })
    .await?;
    Ok(id)
}

pub(crate) async fn insert_plan(
    w: &mut Write,
    round_id: i64,
    unit_id: i64,
    title: &str,
    body: &str,
    adopted_on: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query("INSERT INTO plans (round_id, unit_id, title, body, adopted_on) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(round_id)
        .bind(unit_id)
        .bind(title)
        .bind(body)
        .bind(adopted_on)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get(0)?;
    w.audit(Change {
        action: "plan.create",
        entity: "plan",
        entity_id: id.to_string(),
        unit_id: Some(unit_id),
        before: None,
        after: Some(json!({"title": title, "body": body})),
    })
    .await?;
    Ok(id)
}

pub(crate) async fn insert_problem(
    w: &mut Write,
    plan_id: i64,
    seq: i64,
    feedback: &str,
    manifestation: &str,
) -> Result<i64> {
    Ok(sqlx::query("INSERT INTO problems (plan_id, seq, feedback, manifestation) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(plan_id)
        .bind(seq)
        .bind(feedback)
        .bind(manifestation)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get(0)?)
}

pub(crate) async fn insert_task(w: &mut Write, t: &NewTask<'_>) -> Result<i64> {
    let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks WHERE plan_id = $1")
        .bind(t.plan_id)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get(0)?;
    let id: i64 = sqlx::query(
        "INSERT INTO tasks (plan_id, problem_id, seq, title, measure, category, deadline, standard, lead_leader_id, responsible_id, state, created_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'not_started', $11) RETURNING id",
    )
    .bind(t.plan_id)
    .bind(t.problem_id)
    .bind(seq)
    .bind(t.title)
    .bind(t.measure)
    .bind(t.category.as_str())
    .bind(t.deadline.map(|d| d.to_string()))
    .bind(t.standard)
    .bind(t.lead_leader_id)
    .bind(t.responsible_id)
    .bind(t.created_on.to_string())
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    for (d, lead) in &t.departments {
        sqlx::query(
            "INSERT INTO task_departments (task_id, department_id, is_lead) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(*d)
        .bind(i64::from(*lead))
        .execute(&mut *w.tx)
        .await?;
    }
    Ok(id)
}

/// What the rules need to know about a task before an entry is added to it, read in the write
/// transaction.
#[derive(Clone)]
pub struct EntryFacts {
    pub category: Category,
    pub state: TaskState,
    pub lead: Option<i64>,
    pub responsible: Option<i64>,
    pub depts: Vec<i64>,
    pub request_authors: Vec<i64>,
    pub earlier_evidence: usize,
}

pub(crate) async fn entry_facts(
    conn: &mut sqlx::AnyConnection,
    task_id: i64,
) -> Result<EntryFacts> {
    let r = sqlx::query(
        "SELECT category, state, lead_leader_id, responsible_id FROM tasks WHERE id = $1",
    )
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let depts = sqlx::query("SELECT department_id FROM task_departments WHERE task_id = $1")
        .bind(task_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let state: String = r.try_get("state")?;
    let state = TaskState::parse(&state)
        .ok_or_else(|| StoreError::Invalid(format!("数据库中的任务状态无法识别：{state}")))?;
    let category: String = r.try_get("category")?;
    let category = Category::parse(&category)
        .ok_or_else(|| StoreError::Invalid(format!("数据库中的任务类别无法识别：{category}")))?;
    // the accounts that wrote the pending closure request and anything after it
    let request_authors = if state == TaskState::ClosureRequested {
        sqlx::query(
            "SELECT DISTINCT author_id FROM ledger_entries WHERE task_id = $1 AND author_id IS NOT NULL \
             AND id >= (SELECT MAX(id) FROM ledger_entries WHERE task_id = $1 AND kind = 'closure_request')",
        )
        .bind(task_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?
    } else {
        vec![]
    };
    let earlier_evidence = if category == Category::LongTerm {
        0
    } else {
        crate::int(
            &sqlx::query("SELECT COUNT(*) FROM evidence ev JOIN ledger_entries l ON l.id = ev.entry_id WHERE l.task_id = $1 AND ev.size > 0")
                .bind(task_id)
                .fetch_one(&mut *conn)
                .await?,
            0,
        )? as usize
    };
    Ok(EntryFacts {
        category,
        state,
        lead: r.try_get("lead_leader_id")?,
        responsible: r.try_get("responsible_id")?,
        depts,
        request_authors,
        earlier_evidence,
    })
}

/// Adds a ledger entry inside a write: the task's facts are read in this transaction and the one
/// decision of [`duban_domain::ledger::decide`] is applied to them.
pub(crate) async fn add_entry_in(w: &mut Write, author: &Author, e: &NewEntry) -> Result<i64> {
    entry_in(w, author, e, None).await
}

/// [`add_entry_in`] for history loaded from a file (or the demo's history): the business date is
/// kept as it is, with its provenance (file, account, time; empty for the demo), instead of being
/// judged against the recording date.
pub(crate) async fn add_history_in(
    w: &mut Write,
    author: &Author,
    e: &NewEntry,
    provenance: &str,
) -> Result<i64> {
    entry_in(w, author, e, Some(provenance)).await
}

async fn entry_in(
    w: &mut Write,
    author: &Author,
    e: &NewEntry,
    history: Option<&str>,
) -> Result<i64> {
    let provenance = history.unwrap_or("");
    let facts = entry_facts(&mut *w.tx, e.task_id).await?;
    let sup = rules_on(&mut *w.tx).await?;
    let files: Vec<ledger::FileFacts> = e
        .files
        .iter()
        .map(|f| ledger::FileFacts {
            name: &f.filename,
            size: f.bytes.len(),
        })
        .collect();
    let actor = ledger::EntryActor {
        user_id: author.user_id,
        role: author.role,
        staff: author.staff_id,
        departments: &author.departments,
    };
    let task = ledger::EntryTask {
        category: facts.category,
        state: facts.state,
        lead_leader: facts.lead,
        responsible: facts.responsible,
        departments: &facts.depts,
        request_authors: &facts.request_authors,
        earlier_evidence: facts.earlier_evidence,
    };
    let today = crate::today();
    let input = ledger::EntryInput {
        kind: e.kind,
        date: e.date,
        // imported history is judged on its own date, not against today
        recorded_on: if history.is_none() {
            today
        } else {
            e.date.max(today)
        },
        late_reason: &e.late_reason,
        body: &e.body,
        files: &files,
    };
    let rules = ledger::EntryRules {
        reviewers: &sup.reviewers,
        grace_days: if history.is_none() {
            sup.integrity.ledger_grace_days
        } else {
            i64::MAX
        },
    };
    let decision = ledger::decide(&actor, &task, &input, &rules)?;
    if let Some(c) = e.corrects_id {
        let same: i64 = crate::int(
            &sqlx::query("SELECT COUNT(*) FROM ledger_entries WHERE id = $1 AND task_id = $2")
                .bind(c)
                .bind(e.task_id)
                .fetch_one(&mut *w.tx)
                .await?,
            0,
        )?;
        if same == 0 {
            return Err(StoreError::Invalid("更正的台账条目不属于本任务".into()));
        }
    }
    let state = facts.state;
    let new_state = decision.state_after;
    let unit_id: Option<i64> = sqlx::query(
        "SELECT p.unit_id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(e.task_id)
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    let date = e.date.to_string();
    let id: i64 = sqlx::query(
        "INSERT INTO ledger_entries (task_id, entry_date, kind, body, corrects_id, state_after, author_id, author, created_at, late_days, late_reason, provenance) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(e.task_id)
    .bind(&date)
    .bind(e.kind.as_str())
    .bind(&e.body)
    .bind(e.corrects_id)
    .bind(new_state.as_str())
    .bind(author.user_id)
    .bind(&author.login)
    .bind(now_rfc3339())
    .bind(decision.late_days)
    .bind(if decision.late_days > 0 { e.late_reason.trim() } else { "" })
    .bind(provenance)
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    let mut files = Vec::new();
    for f in &e.files {
        let sha = put_blob(w, &f.bytes).await?;
        sqlx::query("INSERT INTO evidence (entry_id, sha256, filename, content_type, size) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&sha)
            .bind(&f.filename)
            .bind(evidence_type(&f.filename)?)
            .bind(f.bytes.len() as i64)
            .execute(&mut *w.tx)
            .await?;
        files.push(json!({"name": f.filename, "sha256": sha}));
    }
    let changed = sqlx::query(
        "UPDATE tasks SET state = $1, last_entry_on = CASE WHEN last_entry_on IS NULL OR last_entry_on < $2 THEN $2 ELSE last_entry_on END, \
         last_staged_on = CASE WHEN $3 = 1 AND (last_staged_on IS NULL OR last_staged_on < $2) THEN $2 ELSE last_staged_on END, \
         closed_on = CASE WHEN $1 = 'closed' THEN $2 ELSE NULL END WHERE id = $4 AND state = $5",
    )
    .bind(new_state.as_str())
    .bind(&date)
    .bind(i64::from(e.kind == EntryKind::Staged))
    .bind(e.task_id)
    .bind(state.as_str())
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Invalid(
            "任务状态刚被他人更新，请刷新后重试".into(),
        ));
    }
    let mut after = json!({"entry": id, "kind": e.kind.as_str(), "date": date, "state": new_state.as_str(), "files": files, "corrects": e.corrects_id});
    if decision.late_days > 0 {
        after["late_days"] = json!(decision.late_days);
        after["late_reason"] = json!(e.late_reason.trim());
    }
    if !provenance.is_empty() {
        after["provenance"] = json!(provenance);
    }
    w.audit(Change {
        action: "ledger.add",
        entity: "task",
        entity_id: e.task_id.to_string(),
        unit_id,
        before: Some(json!({"state": state.as_str()})),
        after: Some(after),
    })
    .await?;
    Ok(id)
}

impl Store {
    /// The plan's ledger as it stood on `as_of`, one row a task, in the customary 14 columns.
    pub async fn ledger_sheet(&self, plan_id: i64, as_of: NaiveDate) -> Result<Vec<[String; 14]>> {
        let tasks = self.tasks(plan_id).await?;
        let manifest: std::collections::HashMap<i64, String> = self
            .problems(plan_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.manifestation))
            .collect();
        let as_of_s = as_of.to_string();
        // each row's own 具体表现 and 佐证材料 as imported
        let own: std::collections::HashMap<i64, (String, String)> =
            sqlx::query("SELECT id, manifestation, evidence_note FROM tasks WHERE plan_id = $1")
                .bind(plan_id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<i64, _>("id")?,
                        (r.try_get("manifestation")?, r.try_get("evidence_note")?),
                    ))
                })
                .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks.into_iter().filter(|t| t.created_on <= as_of_s) {
            let (own_manifestation, evidence_note) = own.get(&t.id).cloned().unwrap_or_default();
            let ledger: Vec<LedgerEntry> = self
                .ledger(t.id)
                .await?
                .into_iter()
                .filter(|e| e.entry_date <= as_of_s)
                .collect();
            let progress = ledger
                .iter()
                .rev()
                .find(|e| e.kind == "progress" || e.kind == "staged")
                .map(|e| match e.late_days {
                    // the delay stays inside the date's brackets, so the cell reads back as dated
                    0 => format!("（{}）{}", e.entry_date, e.body),
                    n => format!("（{}，补录迟 {n} 天）{}", e.entry_date, e.body),
                })
                .unwrap_or_default();
            let mut evidence: Vec<String> = ledger
                .iter()
                .flat_map(|e| e.evidence.iter().map(|f| f.filename.clone()))
                .collect();
            if !evidence_note.is_empty() {
                evidence.insert(0, evidence_note);
            }
            let state = ledger
                .last()
                .and_then(|e| TaskState::parse(&e.state_after))
                .unwrap_or(TaskState::NotStarted);
            let approval = ledger
                .iter()
                .rev()
                .find(|e| e.kind == "approve")
                .filter(|_| state == TaskState::Closed);
            out.push([
                t.seq.to_string(),
                t.problem.clone().unwrap_or_default(),
                if own_manifestation.is_empty() {
                    t.problem_id
                        .and_then(|p| manifest.get(&p).cloned())
                        .unwrap_or_default()
                } else {
                    own_manifestation
                },
                t.title.clone(),
                t.measure.clone(),
                t.category.zh().to_string(),
                t.lead_leader.clone().unwrap_or_default(),
                t.departments.clone(),
                t.responsible.clone().unwrap_or_default(),
                t.deadline.clone().unwrap_or_else(|| "长期".into()),
                progress,
                evidence.join("、"),
                approval.map(|a| a.author.clone()).unwrap_or_default(),
                approval.map(|a| a.entry_date.clone()).unwrap_or_default(),
            ]);
        }
        Ok(out)
    }

    /// Imports a ledger workbook into the plan `title` of a unit: a new plan (under the unit's most
    /// recent round), or the existing one, whose tasks are matched by 序号. All rows or none.
    /// Imports a ledger workbook. Into a *new* plan, the workbook's history comes in as it is,
    /// closures included, marked as imported (reviewer's name, file, account, time; one audit line
    /// per task). Over an *existing* plan nothing is closed, reopened, re-categorised or re-dated:
    /// a filled closure becomes a closure request (if the rules allow one) and a changed deadline
    /// or category an adjustment request, both waiting for review; the report lists them.
    pub async fn import_ledger(
        &self,
        importer: &Author,
        unit_id: i64,
        title: &str,
        file: &str,
        table: &duban_domain::import::Table,
    ) -> Result<LedgerImport> {
        let mut staff = std::collections::HashMap::new();
        for r in sqlx::query("SELECT id, name FROM staff WHERE unit_id = $1 ORDER BY id")
            .bind(unit_id)
            .fetch_all(&self.pool)
            .await?
        {
            staff
                .entry(r.try_get::<String, _>(1)?)
                .or_insert(r.try_get::<i64, _>(0)?);
        }
        let depts: std::collections::HashMap<String, i64> = self
            .departments(unit_id)
            .await?
            .into_iter()
            .map(|d| (d.name, d.id))
            .collect();
        let rows = duban_domain::import::validate_ledger(table, &staff, &depts)
            .map_err(StoreError::Import)?;
        let today = crate::today();
        let actor = importer.actor();
        let mut w = self.write(&actor).await?;
        w.decide(duban_domain::access::Action::ManagePlans)?;
        let provenance = format!("导入：{file}；{}；{}", importer.login, now_rfc3339());
        let (plan_id, fresh) = match sqlx::query(
            "SELECT id FROM plans WHERE unit_id = $1 AND title = $2",
        )
        .bind(unit_id)
        .bind(title)
        .fetch_optional(&mut *w.tx)
        .await?
        {
            Some(r) => (r.try_get::<i64, _>(0)?, false),
            None => {
                let round: i64 = match sqlx::query("SELECT id FROM rounds WHERE unit_id = $1 ORDER BY feedback_date DESC, id DESC LIMIT 1").bind(unit_id).fetch_optional(&mut *w.tx).await? {
                    Some(r) => r.try_get(0)?,
                    None => {
                        let d = today.to_string();
                        insert_round(&mut w, unit_id, SourceKind::Central, &format!("{title}（导入）"), "未注明", &d, &d, &d, &d).await?
                    }
                };
                (
                    insert_plan(&mut w, round, unit_id, title, title, &today.to_string()).await?,
                    true,
                )
            }
        };
        let adopted: String = sqlx::query("SELECT adopted_on FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
        let adopted = NaiveDate::parse_from_str(&adopted, "%Y-%m-%d").unwrap_or(today);
        let mut report = LedgerImport {
            plan_created: fresh,
            ..Default::default()
        };
        for r in &rows {
            let problem_id: i64 =
                match sqlx::query("SELECT id FROM problems WHERE plan_id = $1 AND feedback = $2")
                    .bind(plan_id)
                    .bind(&r.feedback)
                    .fetch_optional(&mut *w.tx)
                    .await?
                {
                    Some(p) => p.try_get(0)?,
                    None => {
                        let seq: i64 = sqlx::query(
                            "SELECT COALESCE(MAX(seq), 0) + 1 FROM problems WHERE plan_id = $1",
                        )
                        .bind(plan_id)
                        .fetch_one(&mut *w.tx)
                        .await?
                        .try_get(0)?;
                        insert_problem(&mut w, plan_id, seq, &r.feedback, &r.manifestation).await?
                    }
                };
            let existing = sqlx::query("SELECT id FROM tasks WHERE plan_id = $1 AND seq = $2")
                .bind(plan_id)
                .bind(r.seq)
                .fetch_optional(&mut *w.tx)
                .await?;
            let task_id = match existing {
                Some(t) => {
                    let id: i64 = t.try_get(0)?;
                    report.updated += 1;
                    // wording is edited (kept with before/after); deadline and category are requested
                    let deadline = r.deadline.map(|d| d.to_string()).unwrap_or_default();
                    for (field, value) in [
                        (AdjField::Title, r.task.as_str()),
                        (AdjField::Measure, r.measure.as_str()),
                        (AdjField::Deadline, deadline.as_str()),
                        (AdjField::Category, r.category.as_str()),
                    ] {
                        let reason = format!("导入台账 {file} 第 {} 行", r.row);
                        match crate::adjustments::request_in(
                            &mut w,
                            &import_keeper(importer),
                            id,
                            unit_id,
                            field,
                            value,
                            &reason,
                            &provenance,
                        )
                        .await
                        {
                            Ok((_, duban_domain::adjustment::AdjState::Pending)) => {
                                report.requests.push(format!(
                                    "第 {} 行：{}调整为“{value}”，待审核",
                                    r.row,
                                    field.zh()
                                ));
                            }
                            Ok(_) => {}
                            Err(StoreError::Invalid(m)) if m.ends_with("没有变化") => {}
                            Err(e) => return Err(e),
                        }
                    }
                    id
                }
                None => {
                    let nt = NewTask {
                        plan_id,
                        problem_id: Some(problem_id),
                        title: &r.task,
                        measure: &r.measure,
                        category: r.category,
                        deadline: r.deadline,
                        standard: "",
                        lead_leader_id: r.lead_leader,
                        responsible_id: r.responsible,
                        departments: r
                            .departments
                            .iter()
                            .enumerate()
                            .map(|(i, d)| (*d, i == 0))
                            .collect(),
                        // a task closed on paper existed before its closure
                        created_on: match (&r.closed, fresh) {
                            (Some(c), true) => c.1.min(today).min(adopted),
                            _ => today.min(adopted),
                        },
                    };
                    let id = insert_task(&mut w, &nt).await?;
                    sqlx::query("UPDATE tasks SET seq = $1 WHERE id = $2")
                        .bind(r.seq)
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?;
                    report.created += 1;
                    id
                }
            };
            // 进展情况 as exported reads "（date）text": the date is the entry's
            let (progress_date, body) = split_dated(&r.progress);
            let state = entry_facts(&mut *w.tx, task_id).await?.state;
            let kind = if r.category == Category::LongTerm {
                EntryKind::Staged
            } else {
                EntryKind::Progress
            };
            if fresh {
                sqlx::query(
                    "UPDATE tasks SET manifestation = $1, evidence_note = $2 WHERE id = $3",
                )
                .bind(&r.manifestation)
                .bind(&r.evidence)
                .bind(task_id)
                .execute(&mut *w.tx)
                .await?;
                // history: dated as written, else on the closure day for closed tasks, so that it
                // reads in order
                let date = progress_date
                    .or(r.closed.as_ref().map(|c| c.1))
                    .unwrap_or(today)
                    .min(today);
                if !body.is_empty() {
                    let e = NewEntry {
                        task_id,
                        date,
                        kind,
                        body: body.clone(),
                        corrects_id: None,
                        files: vec![],
                        late_reason: String::new(),
                    };
                    add_history_in(&mut w, &import_keeper(importer), &e, &provenance).await?;
                }
                if let Some((reviewer, date)) = &r.closed {
                    imported_closure(
                        &mut w,
                        importer,
                        unit_id,
                        task_id,
                        reviewer,
                        *date,
                        &provenance,
                    )
                    .await?;
                    report.historical_closures += 1;
                }
                continue;
            }
            if !body.is_empty() && body != last_body(&mut w, task_id).await? {
                let e = NewEntry {
                    task_id,
                    date: today,
                    kind,
                    body: body.clone(),
                    corrects_id: None,
                    files: vec![],
                    late_reason: String::new(),
                };
                add_history_in(&mut w, &import_keeper(importer), &e, &provenance).await?;
                report.entries += 1;
            }
            if let Some((reviewer, date)) = &r.closed {
                if state == TaskState::Closed {
                    continue;
                }
                let e = NewEntry {
                    task_id,
                    date: today,
                    kind: EntryKind::ClosureRequest,
                    body: format!("导入台账载明：经{reviewer}于 {date} 审核销号。{body}"),
                    corrects_id: None,
                    files: vec![],
                    late_reason: String::new(),
                };
                match add_history_in(&mut w, &import_keeper(importer), &e, &provenance).await {
                    Ok(_) => report
                        .requests
                        .push(format!("第 {} 行：已提交销号申请，待审核", r.row)),
                    Err(StoreError::Rule(why)) => report
                        .not_applied
                        .push(format!("第 {} 行：未销号（{why}）", r.row)),
                    Err(e) => return Err(e),
                }
            }
        }
        w.audit(Change {
            action: "import.ledger",
            entity: "plan",
            entity_id: plan_id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"title": title, "file": file, "created": report.created, "updated": report.updated,
                "historical_closures": report.historical_closures, "requests": report.requests.len(), "not_applied": report.not_applied.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(report)
    }
}

/// What a ledger import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerImport {
    pub plan_created: bool,
    pub created: usize,
    pub updated: usize,
    /// progress entries added to existing tasks
    pub entries: usize,
    /// closures carried from the workbook into a new plan, marked as imported
    pub historical_closures: usize,
    /// closure and adjustment requests made from the workbook, waiting for review
    pub requests: Vec<String>,
    /// rows whose closure could not even be requested, and why
    pub not_applied: Vec<String>,
}

/// "（2020-08-20）按方案推进" → (the date, the text); text without a leading date as it is.
fn split_dated(raw: &str) -> (Option<NaiveDate>, String) {
    let t = raw.trim();
    if let Some(rest) = t.strip_prefix('（') {
        if let Some((d, text)) = rest.split_once('）') {
            // "（2020-03-01，补录迟 5 天）" is dated 2020-03-01
            let d = d.split('，').next().unwrap_or(d);
            if let Ok(d) = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
                return (Some(d), text.trim().to_string());
            }
        }
    }
    (None, t.to_string())
}

/// The importer keeps the imported ledger as the office would.
fn import_keeper(importer: &Author) -> Author {
    Author {
        role: Role::Office,
        ..importer.clone()
    }
}

async fn last_body(w: &mut Write, task_id: i64) -> Result<String> {
    Ok(
        sqlx::query("SELECT body FROM ledger_entries WHERE task_id = $1 AND kind IN ('progress', 'staged') ORDER BY id DESC LIMIT 1")
            .bind(task_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?
            .unwrap_or_default(),
    )
}

/// A closure reviewed on paper before the system, carried into a new plan: recorded as imported,
/// with the reviewer's name as text and the file's provenance, and audited per task.
async fn imported_closure(
    w: &mut Write,
    importer: &Author,
    unit_id: i64,
    task_id: i64,
    reviewer: &str,
    date: NaiveDate,
    provenance: &str,
) -> Result<()> {
    let created: String = sqlx::query("SELECT created_on FROM tasks WHERE id = $1")
        .bind(task_id)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get(0)?;
    if date.to_string() < created {
        return Err(StoreError::Invalid(format!(
            "销号日期 {date} 早于任务建立日期 {created}"
        )));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO ledger_entries (task_id, entry_date, kind, body, corrects_id, state_after, author_id, author, created_at, provenance) VALUES ($1, $2, 'approve', $3, NULL, 'closed', $4, $5, $6, $7) RETURNING id",
    )
    .bind(task_id)
    .bind(date.to_string())
    .bind(format!("导入：经{reviewer}审核销号"))
    .bind(importer.user_id)
    .bind(reviewer)
    .bind(now_rfc3339())
    .bind(provenance)
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    sqlx::query("UPDATE tasks SET state = 'closed', closed_on = $1 WHERE id = $2")
        .bind(date.to_string())
        .bind(task_id)
        .execute(&mut *w.tx)
        .await?;
    w.audit(Change {
        action: "import.closure",
        entity: "task",
        entity_id: task_id.to_string(),
        unit_id: Some(unit_id),
        before: None,
        after: Some(json!({"entry": id, "reviewer": reviewer, "date": date.to_string(), "provenance": provenance})),
    })
    .await
}

impl Store {
    /// Opens an inspection round of a unit; the report is due two months after feedback (rolled
    /// past rest days by the work calendar).
    pub async fn create_round(
        &self,
        actor: &Actor,
        unit_id: i64,
        kind: SourceKind,
        title: &str,
        inspector: &str,
        from: NaiveDate,
        to: NaiveDate,
        feedback: NaiveDate,
    ) -> Result<i64> {
        if to < from || feedback < to {
            return Err(StoreError::Invalid(
                "日期顺序应为：开始 ≤ 结束 ≤ 反馈（交办、发出）日期".into(),
            ));
        }
        let due = self
            .work_calendar()
            .await?
            .deadline(
                feedback,
                duban_domain::calendar::Period::Months(2),
                duban_domain::calendar::Counting::Calendar,
            )
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut w = self.write(actor).await?;
        w.decide_unit(duban_domain::access::Action::ManagePlans, unit_id)
            .await?;
        let id = insert_round(
            &mut w,
            unit_id,
            kind,
            title,
            inspector,
            &from.to_string(),
            &to.to_string(),
            &feedback.to_string(),
            &due.to_string(),
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn create_plan(
        &self,
        actor: &Actor,
        round_id: i64,
        unit_id: i64,
        title: &str,
        body: &str,
        adopted_on: NaiveDate,
    ) -> Result<i64> {
        let mut w = self.write(actor).await?;
        w.decide_unit(duban_domain::access::Action::ManagePlans, unit_id)
            .await?;
        let ok: i64 = sqlx::query("SELECT COUNT(*) FROM rounds WHERE id = $1 AND unit_id = $2")
            .bind(round_id)
            .bind(unit_id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
        if ok == 0 {
            return Err(StoreError::Invalid("巡视轮次不属于本单位".into()));
        }
        let dup: i64 = sqlx::query("SELECT COUNT(*) FROM plans WHERE unit_id = $1 AND title = $2")
            .bind(unit_id)
            .bind(title)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
        if dup > 0 {
            return Err(StoreError::Conflict(format!("本单位已有方案“{title}”")));
        }
        let id = insert_plan(
            &mut w,
            round_id,
            unit_id,
            title,
            body,
            &adopted_on.to_string(),
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn add_problem(
        &self,
        actor: &Actor,
        plan: &Plan,
        feedback: &str,
        manifestation: &str,
    ) -> Result<i64> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManagePlans)?;
        let seq: i64 =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM problems WHERE plan_id = $1")
                .bind(plan.id)
                .fetch_one(&mut *w.tx)
                .await?
                .try_get(0)?;
        let id = insert_problem(&mut w, plan.id, seq, feedback, manifestation).await?;
        w.audit(Change {
            action: "problem.create",
            entity: "problem",
            entity_id: id.to_string(),
            unit_id: Some(plan.unit_id),
            before: None,
            after: Some(json!({"feedback": feedback})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Adds a task to a plan; the problem, leader, responsible person and departments must belong
    /// to the plan and its unit.
    pub async fn add_task(&self, actor: &Actor, plan: &Plan, t: &NewTask<'_>) -> Result<i64> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManagePlans)?;
        if let Some(p) = t.problem_id {
            let n: i64 =
                sqlx::query("SELECT COUNT(*) FROM problems WHERE id = $1 AND plan_id = $2")
                    .bind(p)
                    .bind(plan.id)
                    .fetch_one(&mut *w.tx)
                    .await?
                    .try_get(0)?;
            if n == 0 {
                return Err(StoreError::Invalid("反馈问题不属于本方案".into()));
            }
        }
        check_people(
            &mut w,
            plan.unit_id,
            t.lead_leader_id,
            t.responsible_id,
            &t.departments,
        )
        .await?;
        let id = insert_task(&mut w, t).await?;
        w.audit(Change {
            action: "task.create",
            entity: "task",
            entity_id: id.to_string(),
            unit_id: Some(plan.unit_id),
            before: None,
            after: Some(json!({"title": t.title, "category": t.category.as_str(), "deadline": t.deadline.map(|d| d.to_string())})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }
}

/// A write waiting for the batch writer: a ledger entry or a letter from the public.
pub(crate) struct EntryJob {
    work: Work,
    reply: Option<tokio::sync::oneshot::Sender<Result<i64>>>,
}

pub(crate) enum Work {
    Entry {
        author: Author,
        entry: NewEntry,
    },
    Letter {
        actor: Actor,
        letter: crate::letters::NewLetter,
        code_hash: String,
        clocks: duban_domain::letters::Clocks,
    },
}

impl Work {
    fn actor(&self) -> Actor {
        match self {
            Work::Entry { author, .. } => author.actor(),
            Work::Letter { actor, .. } => actor.clone(),
        }
    }
    /// Within a batch, on the facts read before queueing.
    async fn run_in_batch(&self, w: &mut Write) -> Result<i64> {
        match self {
            Work::Entry { author, entry } => add_entry_in(w, author, entry).await,
            Work::Letter {
                actor,
                letter,
                code_hash,
                clocks,
            } => crate::letters::insert_letter_in(w, actor, letter, code_hash, clocks).await,
        }
    }
    /// Alone, with the facts read afresh.
    async fn run_alone(&self, w: &mut Write) -> Result<i64> {
        match self {
            Work::Entry { author, entry } => add_entry_in(w, author, entry).await,
            Work::Letter {
                actor,
                letter,
                code_hash,
                clocks,
            } => crate::letters::insert_letter_in(w, actor, letter, code_hash, clocks).await,
        }
    }
}

impl Store {
    /// Queues a write for the batch writer and waits until its transaction is committed.
    pub(crate) async fn queue_write(&self, work: Work) -> Result<i64> {
        let Some(queue) = &self.entries else {
            return self
                .write_entries_alone(vec![EntryJob { work, reply: None }])
                .await
                .pop()
                .unwrap_or(Err(StoreError::NotFound));
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        queue
            .send(EntryJob {
                work,
                reply: Some(reply),
            })
            .await
            .map_err(|_| StoreError::Invalid("写入队列已关闭".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Invalid("写入队列已关闭".into()))?
    }
}

/// The batch writer: takes what has queued up (at most 64 entries) and writes it in one
/// transaction, then answers each caller. Ends when the store is dropped.
pub(crate) async fn write_entries(store: Store, mut queue: tokio::sync::mpsc::Receiver<EntryJob>) {
    let store = Store {
        entries: None,
        ..store
    };
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < 64 {
            match queue.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let replies: Vec<_> = jobs.iter_mut().map(|j| j.reply.take()).collect();
        for (reply, result) in replies.into_iter().zip(store.write_entry_batch(jobs).await) {
            if let Some(r) = reply {
                let _ = r.send(result);
            }
        }
    }
}

const RULES_KEY: &str = "supervision.rules";

/// The supervision rules in force, read through `conn` (defaults until an administrator sets them).
pub(crate) async fn rules_on(conn: &mut sqlx::AnyConnection) -> Result<rules::SupervisionRules> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(RULES_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?).unwrap_or_default(),
        None => rules::SupervisionRules::default(),
    })
}

impl Store {
    /// The supervision rules in force: thresholds of the lights, the escalation of notices, and the
    /// roles that review closures. Read from the database each time, so every server agrees.
    pub async fn supervision_rules(&self) -> Result<rules::SupervisionRules> {
        rules_on(&mut *self.pool.acquire().await?).await
    }

    /// Changes the supervision rules (validated, audited). Kept roll-ups and the sweep's quiet days
    /// were computed under the old rules, so they are dropped.
    pub async fn set_supervision_rules(
        &self,
        actor: &Actor,
        new: &rules::SupervisionRules,
    ) -> Result<()> {
        new.validate().map_err(StoreError::Invalid)?;
        let mut w = self.write(actor).await?;
        w.decide_national(duban_domain::access::Action::SetSupervisionRules)?;
        let old = rules_on(&mut *w.tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(RULES_KEY)
            .bind(serde_json::to_string(new).unwrap_or_default())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM plan_rollup")
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM task_quiet")
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "settings.supervision",
            entity: "settings",
            entity_id: RULES_KEY.into(),
            unit_id: None,
            before: Some(json!(old)),
            after: Some(json!(new)),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}

/// Lead leader, responsible person and departments must be the unit's own.
async fn check_people(
    w: &mut Write,
    unit_id: i64,
    lead: Option<i64>,
    responsible: Option<i64>,
    departments: &[(i64, bool)],
) -> Result<()> {
    for s in [lead, responsible].into_iter().flatten() {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM staff WHERE id = $1 AND unit_id = $2")
            .bind(s)
            .bind(unit_id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Err(StoreError::Invalid("牵头领导和责任人须为本单位人员".into()));
        }
    }
    for (d, _) in departments {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM departments WHERE id = $1 AND unit_id = $2")
            .bind(*d)
            .bind(unit_id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Err(StoreError::Invalid("责任部门须为本单位部门".into()));
        }
    }
    Ok(())
}

impl Store {
    /// Sets who answers for a task (the unit's own office does this, e.g. in a cascaded copy):
    /// lead leader, responsible person and departments (the first is the lead department).
    /// Sets who answers for a task (the office of the task's unit, as the domain's adjustment rule
    /// says); recorded with before and after among the task's adjustments and in the audit log.
    pub async fn assign_task(
        &self,
        author: &Author,
        task: &Task,
        unit_id: i64,
        lead: Option<i64>,
        responsible: Option<i64>,
        departments: &[(i64, bool)],
    ) -> Result<()> {
        duban_domain::adjustment::request(
            &duban_domain::adjustment::AdjActor {
                user_id: author.user_id,
                role: author.role,
                staff: author.staff_id,
            },
            AdjField::Responsibility,
            "",
        )?;
        if departments.is_empty() {
            return Err(StoreError::Invalid("请至少选择一个责任部门".into()));
        }
        let actor = author.actor();
        let mut w = self.write(&actor).await?;
        check_people(&mut w, unit_id, lead, responsible, departments).await?;
        let describe = |lead: Option<i64>, resp: Option<i64>, depts: &str| {
            format!(
                "牵头领导 {}；责任人 {}；责任部门 {depts}",
                lead.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
                resp.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
            )
        };
        let after_depts = departments
            .iter()
            .map(|d| d.0.to_string())
            .collect::<Vec<_>>()
            .join("、");
        sqlx::query(
            "INSERT INTO task_adjustments (task_id, field, before_value, after_value, reason, state, requested_by, requested_by_name, requested_at) \
             VALUES ($1, 'responsibility', $2, $3, '', 'applied', $4, $5, $6)",
        )
        .bind(task.id)
        .bind(describe(task.lead_leader_id, task.responsible_id, &task.departments))
        .bind(describe(lead, responsible, &after_depts))
        .bind(author.user_id)
        .bind(&author.login)
        .bind(now_rfc3339())
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("UPDATE tasks SET lead_leader_id = $1, responsible_id = $2 WHERE id = $3")
            .bind(lead)
            .bind(responsible)
            .bind(task.id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM task_departments WHERE task_id = $1")
            .bind(task.id)
            .execute(&mut *w.tx)
            .await?;
        for (d, is_lead) in departments {
            sqlx::query("INSERT INTO task_departments (task_id, department_id, is_lead) VALUES ($1, $2, $3)")
                .bind(task.id)
                .bind(*d)
                .bind(i64::from(*is_lead))
                .execute(&mut *w.tx)
                .await?;
        }
        w.audit(Change {
            action: "task.assign",
            entity: "task",
            entity_id: task.id.to_string(),
            unit_id: Some(unit_id),
            before: Some(json!({"lead_leader": task.lead_leader_id, "responsible": task.responsible_id, "departments": task.departments})),
            after: Some(json!({"lead_leader": lead, "responsible": responsible, "departments": departments.iter().map(|d| d.0).collect::<Vec<_>>()})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}
