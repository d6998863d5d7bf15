//! Units, departments, staff; their imports.
use crate::{Actor, Change, Result, Scope, Store, StoreError, Write, flag, scope_like, scope_sql};
use duban_domain::import::{self, KnownUnit, Table};
use duban_domain::org::{Level, UnitCode, UnitKind};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub kind: UnitKind,
}

impl Unit {
    fn from_row(r: &AnyRow) -> Result<Unit> {
        Ok(Unit {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            level: r.try_get("level")?,
            parent_id: r.try_get("parent_id")?,
            path: r.try_get("path")?,
            kind: UnitKind::parse(&r.try_get::<String, _>("kind")?)
                .unwrap_or(UnitKind::Procuratorate),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffMember {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub unit_id: i64,
    pub department: Option<String>,
    pub post: String,
    pub is_leader: bool,
}

impl StaffMember {
    fn from_row(r: &AnyRow) -> Result<StaffMember> {
        Ok(StaffMember {
            id: r.try_get("id")?,
            staff_no: r.try_get("staff_no")?,
            name: r.try_get("name")?,
            unit_id: r.try_get("unit_id")?,
            department: r.try_get("department")?,
            post: r.try_get("post")?,
            is_leader: flag(r, "is_leader")?,
        })
    }
}

const UNIT_COLS: &str = "u.id, u.code, u.name, u.level, u.parent_id, u.path, u.kind";
const STAFF_SELECT: &str = "SELECT s.id, s.staff_no, s.name, s.unit_id, d.name AS department, s.post, s.is_leader \
     FROM staff s LEFT JOIN departments d ON d.id = s.department_id";

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub departments_created: usize,
    /// accounts ended because their person left
    pub accounts_disabled: u64,
    /// accounts made, each with its one-time code (shown once, stored only as a digest)
    pub codes: Vec<crate::accounts::IssuedCode>,
}

impl Store {
    pub async fn unit(&self, id: i64) -> Result<Option<Unit>> {
        let r = sqlx::query(crate::sqlf!(
            "SELECT {UNIT_COLS} FROM units u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(Unit::from_row).transpose()
    }

    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let r = sqlx::query(crate::sqlf!(
            "SELECT {UNIT_COLS} FROM units u WHERE u.code = $1"
        ))
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(Unit::from_row).transpose()
    }

    /// A unit the scope covers; `None` both when it does not exist and when it is out of scope,
    /// so that guessing ids tells nothing.
    pub async fn unit_in_scope(&self, scope: &Scope, id: i64) -> Result<Option<Unit>> {
        Ok(self.unit(id).await?.filter(|u| scope.covers(u.id, &u.path)))
    }

    /// Units in scope, optionally filtered by level and a name/code search, ordered by code.
    pub async fn units(
        &self,
        scope: &Scope,
        level: Option<i64>,
        q: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Unit>, i64)> {
        let cond = format!(
            "{} AND ($3 = 0 OR u.level = $3) AND ($4 = '' OR u.name LIKE $4 OR u.code LIKE $4)",
            scope_sql("u", 1, 2)
        );
        let pattern = if q.is_empty() {
            String::new()
        } else {
            format!("%{q}%")
        };
        let total: i64 =
            sqlx::query_scalar(crate::sqlf!("SELECT COUNT(*) FROM units u WHERE {cond}"))
                .bind(scope.unit_id)
                .bind(scope_like(scope))
                .bind(level.unwrap_or(0))
                .bind(&pattern)
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(crate::sqlf!("SELECT {UNIT_COLS} FROM units u WHERE {cond} ORDER BY u.level, u.code LIMIT $5 OFFSET $6"))
            .bind(scope.unit_id)
            .bind(scope_like(scope))
            .bind(level.unwrap_or(0))
            .bind(&pattern)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok((
            rows.iter().map(Unit::from_row).collect::<Result<_>>()?,
            total,
        ))
    }

    pub async fn children(&self, unit_id: i64) -> Result<Vec<Unit>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT {UNIT_COLS} FROM units u WHERE u.parent_id = $1 ORDER BY u.code"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Unit::from_row).collect()
    }

    pub async fn departments(&self, unit_id: i64) -> Result<Vec<Department>> {
        let rows = sqlx::query(
            "SELECT id, unit_id, name, kind FROM departments WHERE unit_id = $1 ORDER BY id",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Department {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    name: r.try_get("name")?,
                    kind: r.try_get("kind")?,
                })
            })
            .collect()
    }

    pub async fn staff_of_unit(
        &self,
        unit_id: i64,
        leaders_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<StaffMember>, i64)> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff WHERE unit_id = $1 AND ($2 = 0 OR is_leader = 1)",
        )
        .bind(unit_id)
        .bind(i64::from(leaders_only))
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(crate::sqlf!(
            "{STAFF_SELECT} WHERE s.unit_id = $1 AND ($2 = 0 OR s.is_leader = 1) ORDER BY s.is_leader DESC, s.staff_no LIMIT $3 OFFSET $4"
        ))
        .bind(unit_id)
        .bind(i64::from(leaders_only))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((
            rows.iter()
                .map(StaffMember::from_row)
                .collect::<Result<_>>()?,
            total,
        ))
    }

    /// A staff member whose unit the scope covers; `None` otherwise.
    pub async fn staff_in_scope(&self, scope: &Scope, id: i64) -> Result<Option<StaffMember>> {
        let r = sqlx::query(crate::sqlf!(
            "{STAFF_SELECT} JOIN units u ON u.id = s.unit_id WHERE s.id = $3 AND {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(StaffMember::from_row).transpose()
    }

    pub async fn count_in_scope(&self, scope: &Scope) -> Result<(i64, i64)> {
        let units: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM units u WHERE {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_one(&self.pool)
        .await?;
        let staff: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM staff s JOIN units u ON u.id = s.unit_id WHERE {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_one(&self.pool)
        .await?;
        Ok((units, staff))
    }

    pub async fn rename_unit(&self, actor: &Actor, unit: &Unit, name: &str) -> Result<()> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManageOrg)?;
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(unit.id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "unit.update",
            entity: "unit",
            entity_id: unit.id.to_string(),
            unit_id: Some(unit.id),
            before: Some(json!({"name": unit.name})),
            after: Some(json!({"name": name})),
        })
        .await?;
        w.commit().await
    }

    pub async fn add_department(
        &self,
        actor: &Actor,
        unit_id: i64,
        name: &str,
        kind: &str,
    ) -> Result<i64> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManageOrg)?;
        let id = ensure_department(&mut w, unit_id, name, kind).await?.0;
        w.audit(Change {
            action: "department.create",
            entity: "department",
            entity_id: id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"name": name, "kind": kind})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Imports a units table: all rows or none.
    pub async fn import_units(&self, actor: &Actor, table: &Table) -> Result<ImportReport> {
        let mut w = self.write(actor).await?;
        w.decide_national(duban_domain::access::Action::ManageOrg)?;
        let existing = sqlx::query("SELECT u.code, u.level, u.kind, p.code AS parent FROM units u LEFT JOIN units p ON p.id = u.parent_id")
            .fetch_all(&mut *w.tx)
            .await?;
        let mut known = HashMap::new();
        for r in &existing {
            let code: String = r.try_get("code")?;
            let level: i64 = r.try_get("level")?;
            let parent: Option<String> = r.try_get("parent")?;
            let kind: String = r.try_get("kind")?;
            if let (Ok(c), Ok(l)) = (UnitCode::parse(&code), Level::new(level as u8)) {
                known.insert(
                    c,
                    KnownUnit {
                        level: l,
                        parent: parent.and_then(|p| UnitCode::parse(&p).ok()),
                        kind: UnitKind::parse(&kind).unwrap_or(UnitKind::Procuratorate),
                    },
                );
            }
        }
        let rows = import::validate_units(table, &known).map_err(StoreError::Import)?;
        let mut report = ImportReport::default();
        // a unit whose level changes (it became attached, or a procuratorate again) moves its
        // letters to another level of the kept reply-rate figures
        let relevel = rows
            .iter()
            .any(|r| known.get(&r.code).is_some_and(|k| k.level != r.level));
        for r in &rows {
            let parent_id: Option<i64> = match &r.parent {
                Some(p) => Some(
                    sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
                        .bind(p.as_str())
                        .fetch_one(&mut *w.tx)
                        .await?,
                ),
                None => None,
            };
            if known.contains_key(&r.code) {
                sqlx::query(
                    "UPDATE units SET name = $1, level = $2, parent_id = $3, kind = $5 WHERE code = $4",
                )
                .bind(&r.name)
                .bind(i64::from(r.level.get()))
                .bind(parent_id)
                .bind(r.code.as_str())
                .bind(r.kind.as_str())
                .execute(&mut *w.tx)
                .await?;
                report.updated += 1;
            } else {
                sqlx::query(
                    "INSERT INTO units (code, name, level, parent_id, kind) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(r.code.as_str())
                .bind(&r.name)
                .bind(i64::from(r.level.get()))
                .bind(parent_id)
                .bind(r.kind.as_str())
                .execute(&mut *w.tx)
                .await?;
                report.created += 1;
            }
        }
        recompute_paths(&mut w).await?;
        if relevel {
            rebuild_letter_tallies(&mut w.tx).await?;
        }
        w.audit(Change {
            action: "import.units",
            entity: "unit",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"created": report.created, "updated": report.updated,
                "codes": rows.iter().take(100).map(|r| r.code.as_str()).collect::<Vec<_>>()})),
        })
        .await?;
        w.commit().await?;
        Ok(report)
    }
}

/// The department `name` of a unit, created when missing. Returns its id and whether it was created.
pub(crate) async fn ensure_department(
    w: &mut Write,
    unit_id: i64,
    name: &str,
    kind: &str,
) -> Result<(i64, bool)> {
    if let Some(r) = sqlx::query("SELECT id FROM departments WHERE unit_id = $1 AND name = $2")
        .bind(unit_id)
        .bind(name)
        .fetch_optional(&mut *w.tx)
        .await?
    {
        return Ok((r.try_get("id")?, false));
    }
    let r = sqlx::query(
        "INSERT INTO departments (unit_id, name, kind) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(unit_id)
    .bind(name)
    .bind(kind)
    .fetch_one(&mut *w.tx)
    .await?;
    Ok((r.try_get("id")?, true))
}

/// Rebuilds every unit's materialised path, level by level (levels strictly decrease towards the
/// root), then the units attached to a procuratorate (of their parent's level).
pub(crate) async fn recompute_paths(w: &mut Write) -> Result<()> {
    recompute_paths_tx(&mut w.tx).await
}

pub(crate) async fn recompute_paths_tx(tx: &mut sqlx::Transaction<'static, Any>) -> Result<()> {
    let paths = |rows: Vec<sqlx::any::AnyRow>| -> Result<std::collections::HashMap<i64, String>> {
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("path")?)))
            .collect()
    };
    let before = paths(
        sqlx::query("SELECT id, path FROM units WHERE path <> ''")
            .fetch_all(&mut **tx)
            .await?,
    )?;
    sqlx::query("UPDATE units SET path = '/' || CAST(id AS TEXT) || '/' WHERE parent_id IS NULL")
        .execute(&mut **tx)
        .await?;
    for level in 2..=4i64 {
        sqlx::query(
            "UPDATE units SET path = (SELECT p.path FROM units p WHERE p.id = units.parent_id) || CAST(id AS TEXT) || '/' \
             WHERE level = $1 AND kind = 'procuratorate'",
        )
        .bind(level)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE units SET path = (SELECT p.path FROM units p WHERE p.id = units.parent_id) || CAST(id AS TEXT) || '/' \
         WHERE kind <> 'procuratorate'",
    )
    .execute(&mut **tx)
    .await?;
    let after = paths(
        sqlx::query("SELECT id, path FROM units")
            .fetch_all(&mut **tx)
            .await?,
    )?;
    // a unit that held letters and moved: every scope's queue is rebuilt
    let moved = before.iter().any(|(id, p)| after.get(id) != Some(p));
    rebuild_reach(tx, moved).await
}

/// Tables not backed up: derived from others (kept by triggers or rebuilt; emptied before a
/// restore, which refills them) and the servers' minutes-long shared state.
pub const DERIVED: &[&str] = &[
    "letter_reach",
    "notice_reach",
    "letter_tallies",
    "letter_months",
    "letter_open",
    "letter_done",
    "letter_done_months",
    "letter_done_by_month",
    "assignment_tallies",
    "assignment_open",
    "post_scopes",
    "filing_scopes",
    "notice_scopes",
    "plan_rollup_tree",
    "task_states",
    "quality_kept",
    "quality_versions",
    "unit_ancestors",
    "post_tallies",
    "filing_tallies",
    "notice_tallies",
    "rate_hits",
    "leases",
];

/// The sort key of a letter in the scopes' queues (see migration 0024): closed last, then the
/// deadline it owes.
const REACH_KEY: &str = "CASE WHEN l.closed_on IS NULL THEN 0 ELSE 1 END, \
     CASE WHEN l.acknowledged_on IS NULL THEN l.ack_due ELSE l.reply_due END, l.id";

/// Queues every task notice for its scopes (migration 0061): its holding unit's own queue and the
/// subtree queue of that unit and each ancestor; then the planner's statistics of the queue.
pub(crate) async fn fill_notice_reach(tx: &mut sqlx::Transaction<'static, Any>) -> Result<()> {
    let notices =
        "FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id";
    for sql in [
        format!(
            "INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id) SELECT p.unit_id, 0, n.issued_on, n.id {notices}"
        ),
        format!(
            "INSERT INTO notice_reach (unit_id, subtree, issued_on, notice_id) SELECT a.ancestor_id, 1, n.issued_on, n.id {notices} \
             JOIN unit_ancestors a ON a.unit_id = p.unit_id"
        ),
        "ANALYZE notice_reach".to_string(),
    ] {
        sqlx::query(crate::sqlf!("{sql}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Rebuilds every unit's ancestors from the parents and, with `letters` (a unit moved), every
/// scope's letter queue, reply-rate tallies and staff in post (the triggers of migrations 0024,
/// 0045 and 0052 keep them between rebuilds).
pub(crate) async fn rebuild_reach(
    tx: &mut sqlx::Transaction<'static, Any>,
    letters: bool,
) -> Result<()> {
    // the roll-ups kept per subtree (migration 0054) follow the closure and the units' levels:
    // gone, and every copy's version raised, so that none counted before lands after
    // so do the quality page's sums kept per scope (migration 0056): gone, and every scope's
    // version raised
    for sql in [
        "DELETE FROM plan_rollup_tree",
        "UPDATE plans SET rollup_version = rollup_version + 1",
        "DELETE FROM quality_kept",
        "INSERT INTO quality_versions (scope_id, v) SELECT id, 1 FROM units WHERE true \
         ON CONFLICT (scope_id) DO UPDATE SET v = quality_versions.v + 1",
        "DELETE FROM unit_ancestors",
    ] {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    sqlx::query(
        "INSERT INTO unit_ancestors (unit_id, ancestor_id, depth) SELECT id, id, 0 FROM units",
    )
    .execute(&mut **tx)
    .await?;
    // four levels of procuratorates and a stationed office below the basic level
    for depth in 1..=4i64 {
        sqlx::query(
            "INSERT INTO unit_ancestors (unit_id, ancestor_id, depth) SELECT a.unit_id, p.parent_id, $1 \
             FROM unit_ancestors a JOIN units p ON p.id = a.ancestor_id WHERE a.depth = $2 AND p.parent_id IS NOT NULL",
        )
        .bind(depth)
        .bind(depth - 1)
        .execute(&mut **tx)
        .await?;
    }
    if letters {
        sqlx::query("DELETE FROM letter_reach")
            .execute(&mut **tx)
            .await?;
        sqlx::query(crate::sqlf!(
            "INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id) SELECT l.unit_id, 0, {REACH_KEY} FROM letters l"
        ))
        .execute(&mut **tx)
        .await?;
        sqlx::query(crate::sqlf!(
            "INSERT INTO letter_reach (unit_id, subtree, closed, due, letter_id) SELECT a.ancestor_id, 1, {REACH_KEY} \
             FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id"
        ))
        .execute(&mut **tx)
        .await?;
        rebuild_letter_tallies(tx).await?;
        // so do the board's notices queued per scope (migration 0061)
        sqlx::query("DELETE FROM notice_reach")
            .execute(&mut **tx)
            .await?;
        fill_notice_reach(tx).await?;
        // the staff in post, the filings and the board's counts per scope (migrations 0052, 0060,
        // 0055) follow the closure
        for sql in [
            "DELETE FROM post_scopes",
            "INSERT INTO post_scopes (scope_id, month, delta) SELECT a.ancestor_id, t.month, SUM(t.delta) \
             FROM post_tallies t JOIN unit_ancestors a ON a.unit_id = t.unit_id GROUP BY a.ancestor_id, t.month",
            "DELETE FROM filing_scopes",
            "INSERT INTO filing_scopes (scope_id, month, filed) SELECT a.ancestor_id, t.month, SUM(t.filed) \
             FROM filing_tallies t JOIN unit_ancestors a ON a.unit_id = t.unit_id GROUP BY a.ancestor_id, t.month",
            "DELETE FROM notice_scopes",
            "INSERT INTO notice_scopes (scope_id, leader_id, reminders, blue, yellow, red) \
             SELECT a.ancestor_id, k.leader_id, SUM(k.reminders), SUM(k.blue), SUM(k.yellow), SUM(k.red) \
             FROM notice_tallies k JOIN unit_ancestors a ON a.unit_id = k.unit_id GROUP BY a.ancestor_id, k.leader_id",
        ] {
            sqlx::query(sql).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Recounts every scope's kept reply-rate figures from the letters (migrations 0045, 0051) and
/// the kept report-backs of the 交办 from the assignments (0051). On
/// PostgreSQL the letters' deferred tally triggers of this transaction are switched off
/// ([`bulk_load`]): what they would add at commit is counted here, so this must be the
/// transaction's last write to `letters`.
pub(crate) async fn rebuild_letter_tallies(tx: &mut sqlx::Transaction<'static, Any>) -> Result<()> {
    bulk_load(tx).await?;
    for sql in [
        "DELETE FROM letter_tallies",
        "DELETE FROM letter_open",
        "DELETE FROM letter_done",
        "DELETE FROM assignment_tallies",
        "DELETE FROM assignment_open",
        ASSIGNMENT_TALLIES,
        ASSIGNMENT_OPEN,
    ] {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    for sql in tally_statements("true") {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut **tx)
            .await?;
    }
    // the months from the days, last: on SQLite the days' triggers have kept them meanwhile
    // (and this recount replaces what they did), on PostgreSQL duban.bulk switched them off
    for sql in [
        "DELETE FROM letter_months",
        "DELETE FROM letter_done_months",
        "INSERT INTO letter_done_months (scope_id, month, done_on, own, level, step, due, n) \
         SELECT scope_id, substr(received_on, 1, 7), done_on, own, level, step, due, SUM(n) FROM letter_done \
         GROUP BY scope_id, substr(received_on, 1, 7), done_on, own, level, step, due",
        // and the months recorded from those (after them: on SQLite the months' triggers have
        // added to it meanwhile)
        "DELETE FROM letter_done_by_month",
        "INSERT INTO letter_done_by_month (scope_id, month, done_month, own, level, step, due, n) \
         SELECT scope_id, month, substr(done_on, 1, 7), own, level, step, due, SUM(n) FROM letter_done_months \
         GROUP BY scope_id, month, substr(done_on, 1, 7), own, level, step, due",
        "INSERT INTO letter_months (scope_id, month, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, \
         notified, satisfied, basic, unsatisfied, recorded_late) \
         SELECT scope_id, substr(received_on, 1, 7), own, level, SUM(received), SUM(ack_on_time), SUM(ack_late), SUM(reply_on_time), SUM(reply_late), \
         SUM(notified), SUM(satisfied), SUM(basic), SUM(unsatisfied), SUM(recorded_late) \
         FROM letter_tallies GROUP BY scope_id, substr(received_on, 1, 7), own, level",
    ] {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds letters written in this transaction while the tally triggers were off ([`bulk_load`])
/// to the kept figures, a statement per table for all of them: the letters whose ids are the
/// JSON array `ids`. PostgreSQL only (SQLite's row triggers count the rows as they are written);
/// switches the triggers back on first, so that the months follow the days by their trigger.
pub(crate) async fn add_letter_tallies(
    tx: &mut sqlx::Transaction<'static, Any>,
    ids: &str,
) -> Result<()> {
    sqlx::query("SELECT set_config('duban.bulk', 'off', true)")
        .execute(&mut **tx)
        .await?;
    let which = format!(
        "l.id IN (SELECT j.value::text::bigint FROM {})",
        crate::json_rows_for(crate::Backend::Postgres, 1)
    );
    for sql in tally_statements(&which) {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ids)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The kept report-backs of the 交办 (migration 0051), recounted from the assignments: per scope
/// of the assigning unit and day of assignment, reported on time or late; the ones not reported by
/// the deadline they owe.
const ASSIGNMENT_TALLIES: &str = "INSERT INTO assignment_tallies (scope_id, assigned_on, own, on_time, late) \
     SELECT a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, \
     SUM(CASE WHEN x.reported_on <= x.report_due THEN 1 ELSE 0 END), SUM(CASE WHEN x.reported_on > x.report_due THEN 1 ELSE 0 END) \
     FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id \
     GROUP BY a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END";
const ASSIGNMENT_OPEN: &str = "INSERT INTO assignment_open (scope_id, assigned_on, own, due, n) \
     SELECT a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, x.report_due, COUNT(*) \
     FROM letter_assignments x JOIN unit_ancestors a ON a.unit_id = x.from_unit_id WHERE x.reported_on IS NULL \
     GROUP BY a.ancestor_id, x.assigned_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, x.report_due";

/// The kept figures of the letters `which` (a condition on `l`), added to the rows kept: their
/// tallies, the open ones by the deadline they owe and their steps by the day recorded (the
/// deadline kept only if missed), in key order, as the triggers write.
fn tally_statements(which: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO letter_tallies AS t (scope_id, received_on, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late, \
             notified, satisfied, basic, unsatisfied, recorded_late) \
             SELECT a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, COUNT(*), \
             SUM(CASE WHEN l.acknowledged_on <= l.ack_due THEN 1 ELSE 0 END), SUM(CASE WHEN l.acknowledged_on > l.ack_due THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.replied_on <= l.reply_due THEN 1 ELSE 0 END), SUM(CASE WHEN l.replied_on > l.reply_due THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.notified_on IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN l.rating = 'satisfied' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.rating = 'basic' THEN 1 ELSE 0 END), SUM(CASE WHEN l.rating = 'unsatisfied' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.late_on IS NOT NULL THEN 1 ELSE 0 END) \
             FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id WHERE {which} \
             GROUP BY a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level ORDER BY 1, 2, 3, 4 \
             ON CONFLICT (scope_id, received_on, own, level) DO UPDATE SET received = t.received + excluded.received, \
             ack_on_time = t.ack_on_time + excluded.ack_on_time, ack_late = t.ack_late + excluded.ack_late, \
             reply_on_time = t.reply_on_time + excluded.reply_on_time, reply_late = t.reply_late + excluded.reply_late, \
             notified = t.notified + excluded.notified, satisfied = t.satisfied + excluded.satisfied, basic = t.basic + excluded.basic, \
             unsatisfied = t.unsatisfied + excluded.unsatisfied, recorded_late = t.recorded_late + excluded.recorded_late"
        ),
        format!(
            "INSERT INTO letter_open AS o (scope_id, received_on, own, level, step, due, n) \
             SELECT a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, \
             CASE s.step WHEN 'ack' THEN l.ack_due ELSE l.reply_due END, COUNT(*) \
             FROM letters l JOIN unit_ancestors a ON a.unit_id = l.unit_id JOIN units u ON u.id = l.unit_id \
             JOIN (SELECT 'ack' AS step UNION ALL SELECT 'reply' AS step) s \
             ON CASE s.step WHEN 'ack' THEN l.acknowledged_on ELSE l.replied_on END IS NULL WHERE {which} \
             GROUP BY a.ancestor_id, l.received_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, \
             CASE s.step WHEN 'ack' THEN l.ack_due ELSE l.reply_due END ORDER BY 1, 2, 3, 4, 5, 6 \
             ON CONFLICT (scope_id, received_on, own, level, step, due) DO UPDATE SET n = o.n + excluded.n"
        ),
        format!(
            "INSERT INTO letter_done AS d (scope_id, received_on, done_on, own, level, step, due, n) \
             SELECT a.ancestor_id, s.received_on, s.done_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, s.due, COUNT(*) \
             FROM (SELECT l.unit_id, l.received_on, 'ack' AS step, l.acknowledged_on AS done_on, \
             CASE WHEN l.acknowledged_on > l.ack_due THEN l.ack_due ELSE '' END AS due FROM letters l WHERE l.acknowledged_on IS NOT NULL AND {which} \
             UNION ALL SELECT l.unit_id, l.received_on, 'reply', l.replied_on, CASE WHEN l.replied_on > l.reply_due THEN l.reply_due ELSE '' END \
             FROM letters l WHERE l.replied_on IS NOT NULL AND {which} \
             UNION ALL SELECT l.unit_id, l.received_on, 'notified', l.notified_on, '' FROM letters l WHERE l.notified_on IS NOT NULL AND {which} \
             UNION ALL SELECT l.unit_id, l.received_on, l.rating, l.rated_on, '' FROM letters l \
             WHERE l.rating IS NOT NULL AND l.rated_on IS NOT NULL AND {which} \
             UNION ALL SELECT l.unit_id, l.received_on, 'late', l.late_on, '' FROM letters l WHERE l.late_on IS NOT NULL AND {which}) s \
             JOIN unit_ancestors a ON a.unit_id = s.unit_id JOIN units u ON u.id = s.unit_id \
             GROUP BY a.ancestor_id, s.received_on, s.done_on, CASE WHEN a.depth = 0 THEN 1 ELSE 0 END, u.level, s.step, s.due \
             ORDER BY 1, 2, 3, 4, 5, 6, 7 \
             ON CONFLICT (scope_id, received_on, done_on, own, level, step, due) DO UPDATE SET n = d.n + excluded.n"
        ),
    ]
}

/// On PostgreSQL, switches off for the rest of the transaction (`duban.bulk`) the row triggers
/// that keep figures per row written: the letters' tallies (no event is queued for a row written
/// after it, and those queued before return at commit) and a task update's roll-up bump and
/// forgetting of its quiet mark. For a bulk load that then counts once: [`rebuild_letter_tallies`]
/// or [`add_letter_tallies`] for letters, [`tasks_changed`] for tasks. Nothing on SQLite, whose
/// row triggers run as the rows are written.
pub(crate) async fn bulk_load(tx: &mut sqlx::Transaction<'static, Any>) -> Result<()> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT set_config('duban.bulk', 'on', true)")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What the row triggers on a task update do, once for the tasks `filter` selects from `tasks t`
/// (binds `$1`): after a bulk update with them off ([`bulk_load`]). Raises the version of each
/// plan holding one of them (which forgets its kept roll-up) and forgets their quiet marks.
/// Nothing on SQLite, where the row triggers ran.
pub(crate) async fn tasks_changed(
    tx: &mut sqlx::Transaction<'static, Any>,
    filter: &str,
    arg: i64,
) -> Result<()> {
    if tx.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    for sql in [
        format!(
            "UPDATE plans SET rollup_version = rollup_version + 1 WHERE id IN (SELECT t.plan_id FROM tasks t WHERE {filter})"
        ),
        format!(
            "DELETE FROM task_quiet WHERE task_id IN (SELECT t.id FROM tasks t WHERE {filter})"
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(arg)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn count_children(&self, unit_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1")
                .bind(unit_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
