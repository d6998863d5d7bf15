//! A nation's worth of rectification for benchmarks: the SPP's plan issued down to every
//! procuratorate, with ledgers on a schedule.
use super::rectification::*;
use crate::Result;
use chrono::NaiveDate;
use duban_domain::rectification::Category;
use serde_json::{Value, json};
use sqlx::Row;

/// The day the nationwide benchmark data describes (the seed's date).
pub const NATION_AS_OF: &str = "2020-11-05";

/// The ten ledger entries of one cascaded task: (date, kind, state after). A task that closes does so
/// by its deadline (closure request, then approval); the others report progress every 26 days, and
/// long-term ones file a staged result every third entry.
pub(crate) fn nation_schedule(
    category: Category,
    created: NaiveDate,
    deadline: Option<NaiveDate>,
    closing: bool,
) -> Vec<(NaiveDate, &'static str, &'static str)> {
    let as_of = d(NATION_AS_OF);
    let closes =
        closing && category != Category::LongTerm && deadline.is_some_and(|dl| dl <= as_of);
    (1..=10i64)
        .map(|k| {
            if closes {
                let span = deadline
                    .map(|dl| (dl - created).num_days())
                    .unwrap_or(0)
                    .max(22);
                let date = created + chrono::Duration::days(span * k / 11);
                match k {
                    9 => (date, "closure_request", "closure_requested"),
                    10 => (date, "approve", "closed"),
                    _ => (date, "progress", "in_progress"),
                }
            } else {
                let date = created + chrono::Duration::days(10 + 26 * (k - 1));
                let kind = if category == Category::LongTerm && k % 3 == 0 {
                    "staged"
                } else {
                    "progress"
                };
                (date, kind, "in_progress")
            }
        })
        .collect()
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NationReport {
    pub units: usize,
    pub tasks: i64,
    pub ledger_entries: u64,
}

impl crate::Store {
    /// The party group's plan issued to every procuratorate below the SPP, each copy with its
    /// leaders, departments and ten ledger entries a task (nine in ten tasks due by the seed's
    /// date closed after review, with evidence). Set-based, so ≈ 316,000 tasks and 3.2 million
    /// entries load in one pass; idempotent (tasks that already have entries are left alone).
    pub async fn load_nation_rectification(&self) -> Result<NationReport> {
        load_nation(self).await
    }
}

pub(crate) async fn load_nation(store: &crate::Store) -> Result<NationReport> {
    let actor = crate::Actor::system("demo");
    let spp = store
        .unit_by_code(crate::demo::SPP_CODE)
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    let scope = crate::Scope {
        unit_id: spp.id,
        unit_path: spp.path.clone(),
        subtree: true,
    };
    let Some(plan) = store.plan(&scope, PARTY_PLAN).await? else {
        return Ok(NationReport::default());
    };
    let created = d("2020-02-10");
    let units: Vec<i64> = sqlx::query("SELECT id FROM units WHERE level > 1 AND kind = 'procuratorate' AND id NOT IN (SELECT unit_id FROM plans WHERE parent_plan_id = $1) ORDER BY id")
        .bind(plan.id)
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
    store.cascade_plan(&actor, &plan, &units, created).await?;
    store
        .analyze(&["plans", "problems", "tasks", "staff", "departments"])
        .await?;
    let mut w = store.write(&actor).await?;
    let children = "SELECT id FROM plans WHERE parent_plan_id = $1";
    // leaders, responsible persons and departments, from each unit's own staff
    sqlx::query(crate::sqlf!(
        "UPDATE tasks SET lead_leader_id = (SELECT MIN(s.id) FROM staff s WHERE s.unit_id = (SELECT p.unit_id FROM plans p WHERE p.id = tasks.plan_id) AND s.is_leader = 1), \
         responsible_id = (SELECT MIN(s.id) FROM staff s WHERE s.unit_id = (SELECT p.unit_id FROM plans p WHERE p.id = tasks.plan_id) AND s.is_leader = 0) \
         WHERE lead_leader_id IS NULL AND plan_id IN ({children})"
    ))
    .bind(plan.id)
    .execute(&mut *w.tx)
    .await?;
    let depts = crate::demo::LOCAL_DEPARTMENTS;
    let pick: String = depts
        .iter()
        .enumerate()
        .map(|(i, n)| format!("WHEN {i} THEN '{n}' "))
        .collect();
    sqlx::query(crate::sqlf!(
        "INSERT INTO task_departments (task_id, department_id, is_lead) \
         SELECT t.id, dp.id, 1 FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN departments dp ON dp.unit_id = p.unit_id \
         AND dp.name = CASE t.seq % {} {pick}END WHERE p.parent_plan_id = $1 AND t.last_entry_on IS NULL \
         AND NOT EXISTS (SELECT 1 FROM task_departments x WHERE x.task_id = t.id)",
        depts.len()
    ))
    .bind(plan.id)
    .execute(&mut *w.tx)
    .await?;
    // the schedule of entries per parent task and variant, then every copy's entries in one statement
    sqlx::query("CREATE TEMP TABLE nation_schedule (parent_task_id BIGINT, closing BIGINT, k BIGINT, entry_date TEXT, kind TEXT, state_after TEXT, body TEXT, PRIMARY KEY (parent_task_id, closing, k))")
        .execute(&mut *w.tx)
        .await?;
    sqlx::query("CREATE TEMP TABLE nation_final (parent_task_id BIGINT, closing BIGINT, state TEXT, last_entry_on TEXT, last_staged_on TEXT, closed_on TEXT, PRIMARY KEY (parent_task_id, closing))")
        .execute(&mut *w.tx)
        .await?;
    let mut rows = Vec::new();
    let mut finals = Vec::new();
    for t in store.tasks(plan.id).await? {
        for closing in [0i64, 1] {
            let schedule = nation_schedule(t.category, created, t.deadline, closing == 1);
            let last_of = |kind: &str| {
                schedule
                    .iter()
                    .filter(|e| e.1 == kind)
                    .map(|e| json!(e.0.to_string()))
                    .next_back()
                    .unwrap_or(Value::Null)
            };
            let last = schedule
                .last()
                .map(|e| (json!(e.0.to_string()), json!(e.2)))
                .unwrap_or((Value::Null, json!("not_started")));
            finals.push(vec![
                json!(t.id),
                json!(closing),
                last.1,
                last.0,
                last_of("staged"),
                last_of("approve"),
            ]);
            for (k, (date, kind, state)) in schedule.into_iter().enumerate() {
                let body = match kind {
                    "closure_request" => format!("对照完成标准，“{}”已整改到位，申请销号", t.title),
                    "approve" => "经审核，整改到位，同意销号".to_string(),
                    "staged" => format!("“{}”取得阶段性成效", t.title),
                    _ => format!("按计划推进“{}”（第{}次报送）", t.title, k + 1),
                };
                rows.push(vec![
                    json!(t.id),
                    json!(closing),
                    json!(k as i64 + 1),
                    json!(date.to_string()),
                    json!(kind),
                    json!(state),
                    json!(body),
                ]);
            }
        }
    }
    let cols: Vec<String> = [
        "parent_task_id",
        "closing",
        "k",
        "entry_date",
        "kind",
        "state_after",
        "body",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for chunk in rows.chunks(900 / cols.len()) {
        crate::backup::insert_rows(
            &mut w.tx,
            "nation_schedule",
            &cols,
            &[true, true, true, false, false, false, false],
            chunk,
            "",
        )
        .await?;
    }
    let cols: Vec<String> = [
        "parent_task_id",
        "closing",
        "state",
        "last_entry_on",
        "last_staged_on",
        "closed_on",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for chunk in finals.chunks(900 / cols.len()) {
        crate::backup::insert_rows(
            &mut w.tx,
            "nation_final",
            &cols,
            &[true, true, false, false, false, false],
            chunk,
            "",
        )
        .await?;
    }
    let closing = "CASE WHEN t.id % 10 = 0 THEN 0 ELSE 1 END";
    let author = |kind: &str| {
        if kind == "approve" {
            "纪检监察组"
        } else {
            "办公室"
        }
    };
    let now = store.now_rfc3339();
    let inserted = sqlx::query(crate::sqlf!(
        "INSERT INTO ledger_entries (task_id, entry_date, kind, body, state_after, author, created_at) \
         SELECT t.id, s.entry_date, s.kind, s.body, s.state_after, CASE WHEN s.kind = 'approve' THEN '{}' ELSE '{}' END, $2 \
         FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN nation_schedule s ON s.parent_task_id = t.parent_task_id AND s.closing = {closing} \
         WHERE p.parent_plan_id = $1 AND t.last_entry_on IS NULL ORDER BY t.id, s.k",
        author("approve"),
        author("progress")
    ))
    .bind(plan.id)
    .bind(&now)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    crate::rectification::states::refresh(
        &mut w.tx,
        "task_id IN (SELECT t.id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.parent_plan_id = $1)",
        Some(plan.id),
    )
    .await?;
    // each task's facts after its last entry, in one statement: on PostgreSQL with the row
    // triggers of a task update off, their work done once after it for all the copies' tasks
    crate::org::bulk_load(&mut w.tx).await?;
    sqlx::query(crate::sqlf!(
        "UPDATE tasks SET (state, last_entry_on, last_staged_on, closed_on) = (SELECT f.state, f.last_entry_on, f.last_staged_on, f.closed_on \
         FROM nation_final f WHERE f.parent_task_id = tasks.parent_task_id AND f.closing = {}) \
         WHERE last_entry_on IS NULL AND plan_id IN ({children})",
        closing.replace("t.id", "tasks.id")
    ))
    .bind(plan.id)
    .execute(&mut *w.tx)
    .await?;
    crate::org::tasks_changed(
        &mut w.tx,
        "t.plan_id IN (SELECT id FROM plans WHERE parent_plan_id = $1)",
        plan.id,
    )
    .await?;
    // the report filed with each closure request, stored once
    let pdf = b"%PDF-1.4\n% Duban demo: rectification report\n%%EOF\n".to_vec();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING").bind(&sha).bind(pdf.len() as i64).bind(pdf.clone()).execute(&mut *w.tx).await?;
    sqlx::query(
        "INSERT INTO evidence (entry_id, sha256, filename, content_type, size) SELECT l.id, $2, '整改情况报告.pdf', 'application/pdf', $3 \
         FROM plans p JOIN tasks t ON t.plan_id = p.id JOIN ledger_entries l ON l.task_id = t.id \
         WHERE p.parent_plan_id = $1 AND l.kind = 'closure_request' AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.entry_id = l.id)",
    )
    .bind(plan.id)
    .bind(&sha)
    .bind(pdf.len() as i64)
    .execute(&mut *w.tx)
    .await?;
    sqlx::query("DROP TABLE nation_schedule")
        .execute(&mut *w.tx)
        .await?;
    sqlx::query("DROP TABLE nation_final")
        .execute(&mut *w.tx)
        .await?;
    let tasks: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.parent_plan_id = $1",
    )
    .bind(plan.id)
    .fetch_one(&mut *w.tx)
    .await?;
    let report = NationReport {
        units: units.len(),
        tasks,
        ledger_entries: inserted,
    };
    w.audit(crate::Change {
        action: "demo.nation.rectification",
        entity: "plan",
        entity_id: plan.id.to_string(),
        unit_id: Some(spp.id),
        before: None,
        after: Some(json!(report)),
    })
    .await?;
    w.commit().await?;
    Ok(report)
}
