//! Rounds, plans, the three lists, the ledger with evidence, and the task lifecycle.
use crate::{Actor, Result, Scope, Store, scope_like, scope_sql};
use chrono::NaiveDate;
use duban_domain::org::Role;
use duban_domain::rectification::{self as rules, Category, TaskHistory, TaskState};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

pub use crate::blobs::evidence_type;
pub(crate) use crate::blobs::put_blob;
pub use duban_domain::ledger::{EVIDENCE_TYPES, EntryKind, MAX_EVIDENCE_BYTES};
pub mod adjustments;
pub(crate) mod entries;
pub(crate) mod register;
pub(crate) mod states;
mod supervision_rules;
mod workbook;
pub(crate) use entries::*;
pub(crate) use register::*;
pub(crate) use supervision_rules::*;
pub use workbook::*;

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
    pub deadline: Option<NaiveDate>,
    pub standard: String,
    pub lead_leader_id: Option<i64>,
    pub lead_leader: Option<String>,
    pub responsible_id: Option<i64>,
    pub responsible: Option<String>,
    /// the responsible departments' names, the lead department first
    pub departments: Vec<String>,
    pub state: TaskState,
    pub created_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub last_entry_on: Option<NaiveDate>,
    pub last_staged_on: Option<NaiveDate>,
}

impl Task {
    fn from_row(r: &AnyRow) -> Result<Task> {
        let cat: String = r.try_get("category")?;
        let state: String = r.try_get("state")?;
        let day = |col: &str| -> Result<Option<NaiveDate>> {
            r.try_get::<Option<String>, _>(col)?
                .as_deref()
                .map(crate::day)
                .transpose()
        };
        Ok(Task {
            id: r.try_get("id")?,
            plan_id: r.try_get("plan_id")?,
            problem_id: r.try_get("problem_id")?,
            problem: r.try_get("problem")?,
            seq: r.try_get("seq")?,
            title: r.try_get("title")?,
            measure: r.try_get("measure")?,
            category: crate::known(Category::parse(&cat), "任务类别", &cat)?,
            deadline: day("deadline")?,
            standard: r.try_get("standard")?,
            lead_leader_id: r.try_get("lead_leader_id")?,
            lead_leader: r.try_get("lead_leader")?,
            responsible_id: r.try_get("responsible_id")?,
            responsible: r.try_get("responsible")?,
            departments: r
                .try_get::<Option<String>, _>("departments")?
                .map(|d| d.split(DEPARTMENT_SEPARATOR).map(String::from).collect())
                .unwrap_or_default(),
            state: crate::known(TaskState::parse(&state), "任务状态", &state)?,
            created_on: crate::day(&r.try_get::<String, _>("created_on")?)?,
            closed_on: day("closed_on")?,
            last_entry_on: day("last_entry_on")?,
            last_staged_on: day("last_staged_on")?,
        })
    }

    pub fn facts(&self) -> rules::TaskFacts {
        rules::TaskFacts {
            category: self.category,
            state: self.state,
            created: self.created_on,
            deadline: self.deadline,
            last_entry: self.last_entry_on,
            last_staged: self.last_staged_on,
        }
    }
}

/// Between the departments' names in a task row's `departments` (a character no name holds).
const DEPARTMENT_SEPARATOR: char = '\u{1f}';

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
    /// the author's name as people know it (the account's display name; the recorded name for
    /// imported history)
    pub author_name: String,
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
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    title: r.try_get("title")?,
                    inspector: r.try_get("inspector")?,
                    kind: r.try_get("kind")?,
                    inspected_from: r.try_get("inspected_from")?,
                    inspected_to: r.try_get("inspected_to")?,
                    feedback_date: r.try_get("feedback_date")?,
                    report_due: r.try_get("report_due")?,
                })
            })
            .collect()
    }

    async fn plans_where(&self, scope: &Scope, extra: &str, key: crate::Bind) -> Result<Vec<Plan>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT p.id, p.round_id, p.unit_id, u.name AS unit_name, p.title, p.body, p.adopted_on, r.title AS round_title, r.kind AS round_kind, \
             (SELECT COUNT(*) FROM tasks t WHERE t.plan_id = p.id) AS tasks \
             FROM plans p JOIN units u ON u.id = p.unit_id JOIN rounds r ON r.id = p.round_id WHERE {} {extra} ORDER BY p.id",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope));
        let rows = crate::bind(rows, key).fetch_all(&self.pool).await?;
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
        self.plans_where(scope, "AND $3 = $3", crate::Bind::Int(0))
            .await
    }

    /// The plans of one unit in scope (its own and its copies), as a document of that unit draws on.
    pub async fn plans_of_unit(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Plan>> {
        self.plans_where(scope, "AND p.unit_id = $3", crate::Bind::Int(unit_id))
            .await
    }

    /// A plan in scope, by id or by title.
    pub async fn plan(&self, scope: &Scope, key: &str) -> Result<Option<Plan>> {
        let found = if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
            // by id (a number too large for one is no plan's)
            let Ok(id) = key.parse::<i64>() else {
                return Ok(None);
            };
            self.plans_where(scope, "AND p.id = $3", crate::Bind::Int(id))
                .await?
        } else {
            self.plans_where(scope, "AND p.title = $3", key.into())
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
                    id: r.try_get("id")?,
                    plan_id: r.try_get("plan_id")?,
                    seq: r.try_get("seq")?,
                    feedback: r.try_get("feedback")?,
                    manifestation: r.try_get("manifestation")?,
                    tasks: r.try_get("tasks")?,
                })
            })
            .collect()
    }

    fn dept_agg(&self) -> &'static str {
        match self.backend {
            crate::Backend::Sqlite => "GROUP_CONCAT(d.name, char(31))",
            crate::Backend::Postgres => {
                "STRING_AGG(d.name, chr(31) ORDER BY td.is_lead DESC, d.id)"
            }
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
        // three indexed lookups (lead leader, responsible person, departments), never a scan of
        // the scope's tasks; then the tasks by their ids (unpacked from a JSON array, which the
        // planner always takes for a hundred rows: its generic plan reads them by key and is kept,
        // where ids written into the statement made PostgreSQL plan it afresh every time, 0.8 ms)
        let by_dept = if depts.is_empty() {
            String::new()
        } else {
            format!(" UNION SELECT task_id FROM task_departments WHERE department_id IN ({depts})")
        };
        let ids: Vec<i64> = sqlx::query_scalar(crate::sqlf!(
            "SELECT id FROM tasks WHERE lead_leader_id = $1 UNION SELECT id FROM tasks WHERE responsible_id = $1{by_dept}"
        ))
        .bind(staff_id.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows = sqlx::query(crate::sqlf!(
            "{} JOIN plans pl ON pl.id = t.plan_id JOIN units u ON u.id = pl.unit_id WHERE {} \
             AND t.id IN (SELECT CAST(CAST(j.value AS TEXT) AS BIGINT) FROM {}) ORDER BY t.deadline, t.id",
            task_select(self.dept_agg()),
            scope_sql("u", 1, 2),
            self.json_rows(3)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(serde_json::to_string(&ids).unwrap_or_default())
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
        rows.iter()
            .map(|r| Ok(r.try_get("department_id")?))
            .collect()
    }

    /// The ledger of a task, oldest first, with evidence.
    pub async fn ledger(&self, task_id: i64) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT l.id, l.task_id, l.entry_date, l.kind, l.body, l.corrects_id, l.state_after, l.author_id, l.author, \
             COALESCE(u.display_name, l.author) AS author_name, l.created_at, l.late_days, l.late_reason, l.provenance \
             FROM ledger_entries l LEFT JOIN users u ON u.id = l.author_id WHERE l.task_id = $1 ORDER BY l.entry_date, l.id",
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
                .filter(|f| f.try_get::<i64, _>("entry_id").ok() == Some(id))
            {
                evidence.push(Evidence {
                    id: f.try_get("id")?,
                    sha256: f.try_get("sha256")?,
                    filename: f.try_get("filename")?,
                    content_type: f.try_get("content_type")?,
                    size: f.try_get("size")?,
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
                author_name: r.try_get("author_name")?,
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
                id: r.try_get("id")?,
                sha256: r.try_get("sha256")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
            },
            r.try_get("content")?,
        )))
    }

    /// Every task of a plan as its ledger had it on `as_of`: its state then (the last entry
    /// dated on or before the day), its last entry and last staged result by then — all that
    /// figures on that day read of a history ([`TaskHistory::facts_on`]). Two lookups a task by
    /// key (its interval holding the day in [`states`], its last entry in the ledger's index),
    /// however long the ledger.
    pub async fn plan_histories_as_of(
        &self,
        plan_id: i64,
        as_of: NaiveDate,
    ) -> Result<Vec<(i64, TaskHistory)>> {
        let date = crate::day;
        sqlx::query(crate::sqlf!(
            "SELECT t.id, t.category, t.created_on, t.deadline, {}, \
             (SELECT MAX(l.entry_date) FROM ledger_entries l WHERE l.task_id = t.id AND l.entry_date <= $2) AS last_entry \
             FROM tasks t {} WHERE t.plan_id = $1 ORDER BY t.id",
            states::STATE_ON,
            states::state_on("$2")
        ))
        .bind(plan_id)
        .bind(as_of.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let cat: String = r.try_get("category")?;
            let deadline: Option<String> = r.try_get("deadline")?;
            let last_entry = r
                .try_get::<Option<String>, _>("last_entry")?
                .as_deref()
                .map(date)
                .transpose()?;
            let s: String = r.try_get("state")?;
            let state = crate::known(TaskState::parse(&s), "任务状态", &s)?;
            Ok((
                r.try_get("id")?,
                TaskHistory {
                    category: crate::known(Category::parse(&cat), "任务类别", &cat)?,
                    created: date(&r.try_get::<String, _>("created_on")?)?,
                    deadline: deadline.as_deref().map(date).transpose()?,
                    states: last_entry.map(|d| (d, state)).into_iter().collect(),
                    entries: last_entry.into_iter().collect(),
                    staged: r
                        .try_get::<Option<String>, _>("last_staged_on")?
                        .as_deref()
                        .map(date)
                        .transpose()?
                        .into_iter()
                        .collect(),
                },
            ))
        })
        .collect()
    }

    /// The histories figures on `as_of` need, by task: on today or later the tasks' own rows
    /// (`tasks`, the plan's, as read by the caller) — O(tasks) however long the ledger; before
    /// today the ledger replayed.
    pub async fn plan_histories_on(
        &self,
        plan_id: i64,
        as_of: NaiveDate,
        tasks: &[Task],
    ) -> Result<std::collections::HashMap<i64, TaskHistory>> {
        if as_of >= self.today() {
            Ok(tasks
                .iter()
                .map(|t| (t.id, TaskHistory::current(&t.facts())))
                .collect())
        } else {
            Ok(self
                .plan_histories_as_of(plan_id, as_of)
                .await?
                .into_iter()
                .collect())
        }
    }

    pub async fn plan_stats(&self, plan_id: i64, as_of: NaiveDate) -> Result<rules::PlanStats> {
        let tasks = self.tasks(plan_id).await?;
        let h: Vec<TaskHistory> = self
            .plan_histories_on(plan_id, as_of, &tasks)
            .await?
            .into_values()
            .collect();
        Ok(rules::plan_stats(
            &h,
            as_of,
            &self.supervision_rules().await?.lights,
        ))
    }

    /// Ledger entries of a plan dated on or before `as_of` that were recorded late (补录).
    pub async fn late_entries(&self, plan_id: i64, as_of: NaiveDate) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(LATE_ENTRIES_SQL)
            .bind(plan_id)
            .bind(as_of.to_string())
            .fetch_one(&self.pool)
            .await?)
    }
}

/// A plan's ledger entries dated on or before a day that were recorded late (补录): binds `$1`
/// the plan, `$2` the day. Read from the late entries' own index (by task and date), never the
/// plan's whole ledger.
pub const LATE_ENTRIES_SQL: &str = "SELECT COUNT(*) FROM ledger_entries l JOIN tasks t ON t.id = l.task_id \
     WHERE t.plan_id = $1 AND l.late_days > 0 AND l.entry_date <= $2";
