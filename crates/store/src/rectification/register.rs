//! Registering rounds, plans, problems and tasks; assigning a task's people and departments.
use super::*;
use crate::{Actor, Change, Result, Store, StoreError, Write};
use chrono::NaiveDate;
use duban_domain::adjustment::Field as AdjField;
use duban_domain::rectification::SourceKind;
use serde_json::json;

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
    let id: i64 = sqlx::query_scalar(
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
    .await?;
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
    let id: i64 = sqlx::query_scalar("INSERT INTO plans (round_id, unit_id, title, body, adopted_on) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(round_id)
        .bind(unit_id)
        .bind(title)
        .bind(body)
        .bind(adopted_on)
        .fetch_one(&mut *w.tx)
        .await?;
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
    Ok(sqlx::query_scalar("INSERT INTO problems (plan_id, seq, feedback, manifestation) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(plan_id)
        .bind(seq)
        .bind(feedback)
        .bind(manifestation)
        .fetch_one(&mut *w.tx)
        .await?)
}

pub(crate) async fn insert_task(w: &mut Write, t: &NewTask<'_>) -> Result<i64> {
    let seq: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks WHERE plan_id = $1")
            .bind(t.plan_id)
            .fetch_one(&mut *w.tx)
            .await?;
    let id: i64 = sqlx::query_scalar(
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
    .await?;
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
        if kind == SourceKind::Discipline {
            return Err(StoreError::Invalid(
                "纪检监察建议书由纪检监察组在“纪检监察—建议书”中签发".into(),
            ));
        }
        let mut w = self.write(actor).await?;
        w.decide_unit(kind.opened_by(), unit_id).await?;
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
        // an inspection of another unit is the inspecting unit's: its bulletin counts it
        if let Some(by) = actor.scope.as_ref().map(|s| s.unit_id)
            && by != unit_id
            && matches!(
                kind,
                SourceKind::Internal | SourceKind::Mobile | SourceKind::LookBack
            )
        {
            sqlx::query("UPDATE rounds SET issued_by = $1 WHERE id = $2")
                .bind(by)
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
        }
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
        let ok: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE id = $1 AND unit_id = $2")
                .bind(round_id)
                .bind(unit_id)
                .fetch_one(&mut *w.tx)
                .await?;
        if ok == 0 {
            return Err(StoreError::Invalid("巡视轮次不属于本单位".into()));
        }
        let dup: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM plans WHERE unit_id = $1 AND title = $2")
                .bind(unit_id)
                .bind(title)
                .fetch_one(&mut *w.tx)
                .await?;
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
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM problems WHERE plan_id = $1")
                .bind(plan.id)
                .fetch_one(&mut *w.tx)
                .await?;
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
                sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE id = $1 AND plan_id = $2")
                    .bind(p)
                    .bind(plan.id)
                    .fetch_one(&mut *w.tx)
                    .await?;
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

/// Lead leader, responsible person and departments must be the unit's own.
pub(crate) async fn check_people(
    w: &mut Write,
    unit_id: i64,
    lead: Option<i64>,
    responsible: Option<i64>,
    departments: &[(i64, bool)],
) -> Result<()> {
    for s in [lead, responsible].into_iter().flatten() {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE id = $1 AND unit_id = $2")
                .bind(s)
                .bind(unit_id)
                .fetch_one(&mut *w.tx)
                .await?;
        if n == 0 {
            return Err(StoreError::Invalid("牵头领导和责任人须为本单位人员".into()));
        }
    }
    for (d, _) in departments {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM departments WHERE id = $1 AND unit_id = $2")
                .bind(*d)
                .bind(unit_id)
                .fetch_one(&mut *w.tx)
                .await?;
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
        .bind(describe(task.lead_leader_id, task.responsible_id, &task.departments.join("、")))
        .bind(describe(lead, responsible, &after_depts))
        .bind(author.user_id)
        .bind(&author.login)
        .bind(self.now_rfc3339())
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
