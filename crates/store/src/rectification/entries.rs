//! The ledger: one entry, decided by the domain on facts read in the write transaction.
use super::*;
use crate::{Change, Result, Store, StoreError, Write};
use duban_domain::ledger;
use duban_domain::rectification::{Category, SourceKind, TaskState};
use serde_json::json;
use sqlx::Row;

pub use duban_domain::ledger::EntryKind;

impl Store {
    /// Adds a ledger entry, applying the one decision of the ledger on the task's facts read in
    /// the write transaction. Returns the entry id. Entries arriving together are written in one
    /// transaction (group commit); the answer comes after that transaction is committed.
    pub async fn add_entry(&self, author: &Author, e: NewEntry) -> Result<i64> {
        self.queue_write(Box::new(EntryWork {
            author: author.clone(),
            entry: e,
        }))
        .await
    }
}

/// A ledger entry waiting in the write queue.
struct EntryWork {
    author: Author,
    entry: NewEntry,
}

impl crate::queue::Job for EntryWork {
    fn actor(&self) -> Actor {
        self.author.actor()
    }
    fn run<'a>(
        &'a self,
        w: &'a mut Write,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<i64>> + Send + 'a>> {
        Box::pin(add_entry_in(w, &self.author, &self.entry))
    }
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
    pub source: SourceKind,
    /// the unit whose plan holds the task (the audit entry's unit)
    pub unit_id: i64,
    /// the task's last interval of [`super::states`] (read only for an entry's write)
    pub(crate) last: Option<super::states::Last>,
}

pub(crate) async fn entry_facts(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    task_id: i64,
    with_last: bool,
) -> Result<EntryFacts> {
    // the task's departments packed into one value (each row a hand-off or a round trip)
    let depts = crate::pack_for(backend, "CAST(department_id AS TEXT)");
    let r = sqlx::query(crate::sqlf!(
        "SELECT t.category, t.state, t.lead_leader_id, t.responsible_id, r.kind, p.unit_id, \
         (SELECT {depts} FROM task_departments d WHERE d.task_id = t.id) AS depts, {} AS last FROM tasks t \
         JOIN plans p ON p.id = t.plan_id JOIN rounds r ON r.id = p.round_id WHERE t.id = $1",
        if with_last { super::states::LAST } else { "NULL" }
    ))
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let depts = r
        .try_get::<Option<String>, _>("depts")?
        .unwrap_or_default()
        .split(';')
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse::<i64>()
                .map_err(|_| StoreError::Invalid(format!("数据库中的部门编号无法识别：{d}")))
        })
        .collect::<Result<Vec<i64>>>()?;
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
        .map(|r| r.try_get("author_id"))
        .collect::<std::result::Result<_, _>>()?
    } else {
        vec![]
    };
    let earlier_evidence = if category == Category::LongTerm {
        0
    } else {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM evidence ev JOIN ledger_entries l ON l.id = ev.entry_id WHERE l.task_id = $1 AND ev.size > 0")
                .bind(task_id)
                .fetch_one(&mut *conn)
                .await? as usize
    };
    let source: String = r.try_get("kind")?;
    let source = SourceKind::parse(&source)
        .ok_or_else(|| StoreError::Invalid(format!("数据库中的督办事项类型无法识别：{source}")))?;
    Ok(EntryFacts {
        source,
        category,
        state,
        lead: r.try_get("lead_leader_id")?,
        responsible: r.try_get("responsible_id")?,
        depts,
        request_authors,
        earlier_evidence,
        unit_id: r.try_get("unit_id")?,
        last: super::states::Last::unpack(r.try_get("last")?),
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

pub(crate) async fn entry_in(
    w: &mut Write,
    author: &Author,
    e: &NewEntry,
    history: Option<&str>,
) -> Result<i64> {
    let provenance = history.unwrap_or("");
    let facts = entry_facts(&mut *w.tx, w.backend, e.task_id, true).await?;
    let sup = w.supervision_rules().await?;
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
        source: facts.source,
    };
    let today = w.today();
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
        let same: i64 = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM ledger_entries WHERE id = $1 AND task_id = $2",
        )
        .bind(c)
        .bind(e.task_id)
        .fetch_one(&mut *w.tx)
        .await?;
        if same == 0 {
            return Err(StoreError::Invalid("更正的台账条目不属于本任务".into()));
        }
    }
    let state = facts.state;
    let new_state = decision.state_after;
    let unit_id = Some(facts.unit_id);
    let date = e.date.to_string();
    let id: i64 = sqlx::query_scalar(
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
    .bind(w.now_rfc3339())
    .bind(decision.late_days)
    .bind(if decision.late_days > 0 { e.late_reason.trim() } else { "" })
    .bind(provenance)
    .fetch_one(&mut *w.tx)
    .await?;
    super::states::record(
        &mut w.tx,
        e.task_id,
        facts.last.clone(),
        &date,
        new_state.as_str(),
        e.kind == EntryKind::Staged,
    )
    .await?;
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
