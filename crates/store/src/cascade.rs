//! Cascade (带动系统整改): a plan's problems and tasks issued to subordinate units, each of which
//! keeps its own ledger; roll-ups of their progress per unit and per level.
use crate::rectification::{Plan, insert_plan, insert_problem};
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::rectification::PlanStats;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct RollupRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub level: i64,
    pub plan_id: i64,
    pub stats: PlanStats,
}

impl Store {
    /// Issues `plan` to `units` (which must lie below the plan's unit): each gets a plan of the same
    /// title with copies of the problems and tasks (leaders and departments are the unit's own to
    /// set). Units that already have the plan are skipped. Returns how many plans were created.
    pub async fn cascade_plan(&self, actor: &Actor, plan: &Plan, units: &[i64], created_on: NaiveDate) -> Result<usize> {
        let parent = self.unit(plan.unit_id).await?.ok_or(StoreError::NotFound)?;
        let problems = self.problems(plan.id).await?;
        let tasks = self.tasks(plan.id).await?;
        let mut w = self.write(actor).await?;
        let mut created = 0;
        for &u in units {
            let unit = sqlx::query("SELECT path FROM units WHERE id = $1").bind(u).fetch_optional(&mut *w.tx).await?.ok_or(StoreError::NotFound)?;
            let path: String = unit.try_get(0)?;
            if u == parent.id || !path.starts_with(&parent.path) {
                return Err(StoreError::Invalid("只能下发到本单位的下级单位".into()));
            }
            let exists: i64 = sqlx::query("SELECT COUNT(*) FROM plans WHERE unit_id = $1 AND parent_plan_id = $2").bind(u).bind(plan.id).fetch_one(&mut *w.tx).await?.try_get(0)?;
            if exists > 0 {
                continue;
            }
            let child = insert_plan(&mut w, plan.round_id, u, &plan.title, &plan.body, &created_on.to_string()).await?;
            sqlx::query("UPDATE plans SET parent_plan_id = $1 WHERE id = $2").bind(plan.id).bind(child).execute(&mut *w.tx).await?;
            let mut map = std::collections::HashMap::new();
            for p in &problems {
                map.insert(p.id, insert_problem(&mut w, child, p.seq, &p.feedback, &p.manifestation).await?);
            }
            for t in &tasks {
                sqlx::query(
                    "INSERT INTO tasks (plan_id, problem_id, seq, title, measure, category, deadline, standard, state, created_on, parent_task_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'not_started', $9, $10)",
                )
                .bind(child)
                .bind(t.problem_id.and_then(|p| map.get(&p).copied()))
                .bind(t.seq)
                .bind(&t.title)
                .bind(&t.measure)
                .bind(t.category.as_str())
                .bind(&t.deadline)
                .bind(&t.standard)
                .bind(created_on.to_string())
                .bind(t.id)
                .execute(&mut *w.tx)
                .await?;
            }
            created += 1;
        }
        w.audit(Change {
            action: "plan.cascade",
            entity: "plan",
            entity_id: plan.id.to_string(),
            unit_id: Some(plan.unit_id),
            before: None,
            after: Some(json!({"units": units.len(), "created": created})),
        })
        .await?;
        w.commit().await?;
        Ok(created)
    }

    /// Progress of the plans issued from `plan_id`, per unit, as of a date, within the scope.
    pub async fn rollup(&self, scope: &Scope, plan_id: i64, as_of: NaiveDate) -> Result<Vec<RollupRow>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT p.id, u.id, u.code, u.name, u.level FROM plans p JOIN units u ON u.id = p.unit_id WHERE p.parent_plan_id = $3 AND {} ORDER BY u.level, u.code",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let plan: i64 = r.try_get(0)?;
            out.push(RollupRow { plan_id: plan, unit_id: r.try_get(1)?, unit_code: r.try_get(2)?, unit_name: r.try_get(3)?, level: r.try_get(4)?, stats: self.plan_stats(plan, as_of).await? });
        }
        Ok(out)
    }
}
