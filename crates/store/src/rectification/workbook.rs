//! The customary 14-column ledger workbook: export as of a day, import into a new plan (history)
//! or over an existing one (requests for review).
use super::*;
use crate::{Change, Result, Store, StoreError, Write};
use chrono::NaiveDate;
use duban_domain::adjustment::Field as AdjField;
use duban_domain::org::Role;
use duban_domain::rectification::{Category, SourceKind, TaskState};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

pub use duban_domain::ledger::EntryKind;

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
        for t in tasks.into_iter().filter(|t| t.created_on <= as_of) {
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
            let state = match ledger.last() {
                None => TaskState::NotStarted,
                Some(e) => {
                    crate::known(TaskState::parse(&e.state_after), "任务状态", &e.state_after)?
                }
            };
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
                t.departments.join("、"),
                t.responsible.clone().unwrap_or_default(),
                t.deadline.map_or_else(|| "长期".into(), |d| d.to_string()),
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
    /// Into a *new* plan, the workbook's history comes in as it is, closures included, marked as
    /// imported (reviewer's name, file, account, time; one audit line per task). Over an
    /// *existing* plan nothing is closed, reopened, re-categorised or re-dated: a filled closure
    /// becomes a closure request (if the rules allow one) and a changed deadline or category an
    /// adjustment request, both waiting for review; the report lists them.
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
                .entry(r.try_get::<String, _>("name")?)
                .or_insert(r.try_get::<i64, _>("id")?);
        }
        let depts: std::collections::HashMap<String, i64> = self
            .departments(unit_id)
            .await?
            .into_iter()
            .map(|d| (d.name, d.id))
            .collect();
        let rows = duban_domain::import::validate_ledger(table, &staff, &depts)
            .map_err(StoreError::Import)?;
        let today = self.today();
        let actor = importer.actor();
        let mut w = self.write(&actor).await?;
        w.decide(duban_domain::access::Action::ManagePlans)?;
        let (plan_id, fresh) = target_plan(&mut w, unit_id, title, today).await?;
        let adopted: String = sqlx::query_scalar("SELECT adopted_on FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let at = ImportAt {
            importer,
            keeper: import_keeper(importer),
            unit_id,
            plan_id,
            file,
            provenance: format!("导入：{file}；{}；{}", importer.login, self.now_rfc3339()),
            today,
            adopted: crate::day(&adopted)?,
            fresh,
        };
        let mut report = LedgerImport {
            plan_created: fresh,
            ..Default::default()
        };
        for r in &rows {
            let task_id = import_task(&mut w, &at, r, &mut report).await?;
            if fresh {
                import_history(&mut w, &at, r, task_id, &mut report).await?;
            } else {
                import_changes(&mut w, &at, r, task_id, &mut report).await?;
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

/// What every row of one ledger import shares.
struct ImportAt<'a> {
    importer: &'a Author,
    /// the importer keeping the ledger as the office would ([`import_keeper`])
    keeper: Author,
    unit_id: i64,
    plan_id: i64,
    file: &'a str,
    provenance: String,
    today: NaiveDate,
    adopted: NaiveDate,
    /// a plan made by this import, whose history comes in as it is
    fresh: bool,
}

/// The plan `title` of the unit, or a new one (under the unit's most recent round, or a round
/// made for it): (plan, made now).
async fn target_plan(
    w: &mut Write,
    unit_id: i64,
    title: &str,
    today: NaiveDate,
) -> Result<(i64, bool)> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM plans WHERE unit_id = $1 AND title = $2")
            .bind(unit_id)
            .bind(title)
            .fetch_optional(&mut *w.tx)
            .await?;
    if let Some(id) = found {
        return Ok((id, false));
    }
    let round: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM rounds WHERE unit_id = $1 ORDER BY feedback_date DESC, id DESC LIMIT 1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *w.tx)
    .await?;
    let d = today.to_string();
    let round = match round {
        Some(r) => r,
        None => {
            insert_round(
                w,
                unit_id,
                SourceKind::Central,
                &format!("{title}（导入）"),
                // the inspecting body is not known: documents write no opening about it
                "",
                &d,
                &d,
                &d,
                &d,
            )
            .await?
        }
    };
    Ok((
        insert_plan(w, round, unit_id, title, title, &d).await?,
        true,
    ))
}

/// The row's task: the plan's task of the same 序号, its wording edited and its deadline and
/// category requested for review; or a new task under the row's problem.
async fn import_task(
    w: &mut Write,
    at: &ImportAt<'_>,
    r: &duban_domain::import::LedgerRow,
    report: &mut LedgerImport,
) -> Result<i64> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM tasks WHERE plan_id = $1 AND seq = $2")
            .bind(at.plan_id)
            .bind(r.seq)
            .fetch_optional(&mut *w.tx)
            .await?;
    if let Some(id) = existing {
        report.updated += 1;
        let deadline = r.deadline.map(|d| d.to_string()).unwrap_or_default();
        for (field, value) in [
            (AdjField::Title, r.task.as_str()),
            (AdjField::Measure, r.measure.as_str()),
            (AdjField::Deadline, deadline.as_str()),
            (AdjField::Category, r.category.as_str()),
        ] {
            let reason = format!("导入台账 {} 第 {} 行", at.file, r.row);
            match crate::adjustments::request_in(
                w,
                &at.keeper,
                id,
                at.unit_id,
                field,
                value,
                &reason,
                &at.provenance,
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
        return Ok(id);
    }
    let problem: Option<i64> =
        sqlx::query_scalar("SELECT id FROM problems WHERE plan_id = $1 AND feedback = $2")
            .bind(at.plan_id)
            .bind(&r.feedback)
            .fetch_optional(&mut *w.tx)
            .await?;
    let problem_id = match problem {
        Some(p) => p,
        None => {
            let seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM problems WHERE plan_id = $1",
            )
            .bind(at.plan_id)
            .fetch_one(&mut *w.tx)
            .await?;
            insert_problem(w, at.plan_id, seq, &r.feedback, &r.manifestation).await?
        }
    };
    let nt = NewTask {
        plan_id: at.plan_id,
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
        created_on: match (&r.closed, at.fresh) {
            (Some(c), true) => c.1.min(at.today).min(at.adopted),
            _ => at.today.min(at.adopted),
        },
    };
    let id = insert_task(w, &nt).await?;
    sqlx::query("UPDATE tasks SET seq = $1 WHERE id = $2")
        .bind(r.seq)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    report.created += 1;
    Ok(id)
}

/// The entry kind a row's 进展情况 becomes.
fn progress_kind(r: &duban_domain::import::LedgerRow) -> EntryKind {
    if r.category == Category::LongTerm {
        EntryKind::Staged
    } else {
        EntryKind::Progress
    }
}

/// Into a new plan: the row's history as written, its closure marked as imported.
async fn import_history(
    w: &mut Write,
    at: &ImportAt<'_>,
    r: &duban_domain::import::LedgerRow,
    task_id: i64,
    report: &mut LedgerImport,
) -> Result<()> {
    // 进展情况 as exported reads "（date）text": the date is the entry's
    let (progress_date, body) = split_dated(&r.progress);
    sqlx::query("UPDATE tasks SET manifestation = $1, evidence_note = $2 WHERE id = $3")
        .bind(&r.manifestation)
        .bind(&r.evidence)
        .bind(task_id)
        .execute(&mut *w.tx)
        .await?;
    // dated as written, else on the closure day for closed tasks, so that it reads in order
    let date = progress_date
        .or(r.closed.as_ref().map(|c| c.1))
        .unwrap_or(at.today)
        .min(at.today);
    if !body.is_empty() {
        let e = NewEntry {
            task_id,
            date,
            kind: progress_kind(r),
            body,
            corrects_id: None,
            files: vec![],
            late_reason: String::new(),
        };
        add_history_in(w, &at.keeper, &e, &at.provenance).await?;
    }
    if let Some((reviewer, date)) = &r.closed {
        imported_closure(
            w,
            at.importer,
            at.unit_id,
            task_id,
            reviewer,
            *date,
            &at.provenance,
        )
        .await?;
        report.historical_closures += 1;
    }
    Ok(())
}

/// Over an existing plan: new progress as today's entry, a filled closure as a closure request
/// for review (or the rule's refusal in the report).
async fn import_changes(
    w: &mut Write,
    at: &ImportAt<'_>,
    r: &duban_domain::import::LedgerRow,
    task_id: i64,
    report: &mut LedgerImport,
) -> Result<()> {
    let (_, body) = split_dated(&r.progress);
    let state = entry_facts(&mut *w.tx, w.backend, task_id, false)
        .await?
        .state;
    let entry = |kind, body: String| NewEntry {
        task_id,
        date: at.today,
        kind,
        body,
        corrects_id: None,
        files: vec![],
        late_reason: String::new(),
    };
    if !body.is_empty() && body != last_body(w, task_id).await? {
        add_history_in(
            w,
            &at.keeper,
            &entry(progress_kind(r), body.clone()),
            &at.provenance,
        )
        .await?;
        report.entries += 1;
    }
    let Some((reviewer, date)) = &r.closed else {
        return Ok(());
    };
    if state == TaskState::Closed {
        return Ok(());
    }
    let e = entry(
        EntryKind::ClosureRequest,
        format!("导入台账载明：经{reviewer}于 {date} 审核销号。{body}"),
    );
    match add_history_in(w, &at.keeper, &e, &at.provenance).await {
        Ok(_) => report
            .requests
            .push(format!("第 {} 行：已提交销号申请，待审核", r.row)),
        Err(StoreError::Rule(why)) => report
            .not_applied
            .push(format!("第 {} 行：未销号（{why}）", r.row)),
        Err(e) => return Err(e),
    }
    Ok(())
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
pub(crate) fn split_dated(raw: &str) -> (Option<NaiveDate>, String) {
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
pub(crate) fn import_keeper(importer: &Author) -> Author {
    Author {
        role: Role::Office,
        ..importer.clone()
    }
}

pub(crate) async fn last_body(w: &mut Write, task_id: i64) -> Result<String> {
    Ok(
        sqlx::query("SELECT body FROM ledger_entries WHERE task_id = $1 AND kind IN ('progress', 'staged') ORDER BY id DESC LIMIT 1")
            .bind(task_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?
            .unwrap_or_default(),
    )
}

/// A closure reviewed on paper before the system, carried into a new plan: recorded as imported,
/// with the reviewer's name as text and the file's provenance, and audited per task.
pub(crate) async fn imported_closure(
    w: &mut Write,
    importer: &Author,
    unit_id: i64,
    task_id: i64,
    reviewer: &str,
    date: NaiveDate,
    provenance: &str,
) -> Result<()> {
    let created: String = sqlx::query_scalar("SELECT created_on FROM tasks WHERE id = $1")
        .bind(task_id)
        .fetch_one(&mut *w.tx)
        .await?;
    if date.to_string() < created {
        return Err(StoreError::Invalid(format!(
            "销号日期 {date} 早于任务建立日期 {created}"
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_entries (task_id, entry_date, kind, body, corrects_id, state_after, author_id, author, created_at, provenance) VALUES ($1, $2, 'approve', $3, NULL, 'closed', $4, $5, $6, $7) RETURNING id",
    )
    .bind(task_id)
    .bind(date.to_string())
    .bind(format!("导入：经{reviewer}审核销号"))
    .bind(importer.user_id)
    .bind(reviewer)
    .bind(w.now_rfc3339())
    .bind(provenance)
    .fetch_one(&mut *w.tx)
    .await?;
    let last = super::states::Last::of(&mut w.tx, task_id).await?;
    super::states::record(&mut w.tx, task_id, last, &date.to_string(), "closed", false).await?;
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
