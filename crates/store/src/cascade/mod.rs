//! Cascade (带动系统整改): a plan's problems and tasks issued to subordinate units, each of which
//! keeps its own ledger; roll-ups of their progress per unit, per subtree and per level.
use crate::rectification::states::{STATE_ON, state_on};
use crate::rectification::{Plan, insert_plan};
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::rectification::{LightRules, PlanStats};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod kept;
pub use kept::{kept_rows_sql, subtree_figures_sql};

#[derive(Debug, Clone, Serialize)]
pub struct RollupRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub level: i64,
    pub path: String,
    pub plan_id: i64,
    pub stats: PlanStats,
}

/// A unit below the viewer with the figures of its whole subtree.
#[derive(Debug, Clone, Serialize)]
pub struct SubtreeRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub level: i64,
    /// the unit's own copy of the plan, when it has one
    pub plan_id: Option<i64>,
    /// how many units of the subtree hold the plan
    pub units: usize,
    /// whether units below it hold the plan (drill-down)
    pub deeper: bool,
    pub stats: PlanStats,
}

/// What a dashboard shows of a cascaded plan below one unit: totals per level over the scope, the
/// unit's own copy, and each unit directly below it with the figures of its subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupView {
    pub levels: Vec<(i64, usize, PlanStats)>,
    pub own: Option<(i64, PlanStats)>,
    pub children: Vec<SubtreeRow>,
}

impl PartialEq for SubtreeRow {
    fn eq(&self, o: &Self) -> bool {
        (
            self.unit_id,
            self.level,
            self.plan_id,
            self.units,
            self.deeper,
            &self.stats,
        ) == (o.unit_id, o.level, o.plan_id, o.units, o.deeper, &o.stats)
    }
}

/// Folds per-unit rows into the subtrees of `children` (units directly below the viewed unit).
pub fn fold_subtrees(rows: &[RollupRow], children: &[crate::org::Unit]) -> Vec<SubtreeRow> {
    children
        .iter()
        .filter_map(|c| {
            let mut out = SubtreeRow {
                unit_id: c.id,
                unit_name: c.name.clone(),
                level: c.level,
                plan_id: None,
                units: 0,
                deeper: false,
                stats: PlanStats::default(),
            };
            for r in rows.iter().filter(|r| r.path.starts_with(&c.path)) {
                out.units += 1;
                out.stats += &r.stats;
                if r.unit_id == c.id {
                    out.plan_id = Some(r.plan_id);
                } else {
                    out.deeper = true;
                }
            }
            (out.units > 0).then_some(out)
        })
        .collect()
}

/// Per-level totals of per-unit rows: (level, units, stats).
pub fn level_totals(rows: &[RollupRow]) -> Vec<(i64, usize, PlanStats)> {
    let mut out: Vec<(i64, usize, PlanStats)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|l| l.0 == r.level) {
            Some(l) => {
                l.1 += 1;
                l.2 += &r.stats;
            }
            None => out.push((r.level, 1, r.stats.clone())),
        }
    }
    out.sort_by_key(|l| l.0);
    out
}

/// `p` (joined to its unit `u`) is a copy of plan `$n` made at any depth below it: of the same
/// lineage, in the plan's unit's subtree, not the plan itself.
fn copies_of(n: usize) -> String {
    format!(
        "p.origin_plan_id = (SELECT COALESCE(x.origin_plan_id, x.id) FROM plans x WHERE x.id = ${n}) AND p.id <> ${n} \
         AND u.path LIKE (SELECT xu.path || '%' FROM plans x JOIN units xu ON xu.id = x.unit_id WHERE x.id = ${n})"
    )
}

impl Store {
    /// Issues `plan` to `units` (which must lie below the plan's unit): each gets a plan of the same
    /// title with copies of the problems and tasks (leaders and departments are the unit's own to
    /// set). Units that already have the plan are skipped. Returns how many plans were created.
    pub async fn cascade_plan(
        &self,
        actor: &Actor,
        plan: &Plan,
        units: &[i64],
        created_on: NaiveDate,
    ) -> Result<usize> {
        let parent = self.unit(plan.unit_id).await?.ok_or(StoreError::NotFound)?;
        let created_s = created_on.to_string();
        let mut w = self.write(actor).await?;
        if let Some((role, scope)) = actor.who() {
            duban_domain::access::decide_cascade(role, scope, parent.id, parent.level)?;
        }
        let mut created = 0;
        for &u in units {
            let unit = sqlx::query("SELECT path FROM units WHERE id = $1")
                .bind(u)
                .fetch_optional(&mut *w.tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let path: String = unit.try_get("path")?;
            if u == parent.id || !path.starts_with(&parent.path) {
                return Err(StoreError::Invalid("只能下发到本单位的下级单位".into()));
            }
            // a unit that already holds the plan (issued by an intermediate level, or its own of
            // the same title) keeps it; an unlinked one is linked to this lineage
            let existing = sqlx::query(
                "SELECT id, parent_plan_id FROM plans WHERE unit_id = $1 AND title = $2",
            )
            .bind(u)
            .bind(&plan.title)
            .fetch_optional(&mut *w.tx)
            .await?;
            if let Some(e) = existing {
                let (id, parent): (i64, Option<i64>) =
                    (e.try_get("id")?, e.try_get("parent_plan_id")?);
                if parent.is_none() {
                    sqlx::query("UPDATE plans SET parent_plan_id = $1, origin_plan_id = (SELECT COALESCE(x.origin_plan_id, x.id) FROM plans x WHERE x.id = $1) WHERE id = $2")
                        .bind(plan.id)
                        .bind(id)
                        .execute(&mut *w.tx)
                        .await?;
                }
                continue;
            }
            let child = insert_plan(
                &mut w,
                plan.round_id,
                u,
                &plan.title,
                &plan.body,
                &created_s,
            )
            .await?;
            sqlx::query("UPDATE plans SET parent_plan_id = $1, origin_plan_id = (SELECT COALESCE(x.origin_plan_id, x.id) FROM plans x WHERE x.id = $1) WHERE id = $2")
                .bind(plan.id)
                .bind(child)
                .execute(&mut *w.tx)
                .await?;
            sqlx::query("INSERT INTO problems (plan_id, seq, feedback, manifestation) SELECT $1, seq, feedback, manifestation FROM problems WHERE plan_id = $2 ORDER BY id")
                .bind(child)
                .bind(plan.id)
                .execute(&mut *w.tx)
                .await?;
            sqlx::query(
                "INSERT INTO tasks (plan_id, problem_id, seq, title, measure, category, deadline, standard, state, created_on, parent_task_id) \
                 SELECT $1, (SELECT MIN(cp.id) FROM problems cp WHERE cp.plan_id = $1 AND cp.seq = pp.seq), t.seq, t.title, t.measure, t.category, t.deadline, t.standard, 'not_started', $2, t.id \
                 FROM tasks t LEFT JOIN problems pp ON pp.id = t.problem_id WHERE t.plan_id = $3 ORDER BY t.id",
            )
            .bind(child)
            .bind(&created_s)
            .bind(plan.id)
            .execute(&mut *w.tx)
            .await?;
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

    /// Progress of the plans issued from `plan_id`, per unit, as of a date, within the scope —
    /// counted in the database with the light rules as date comparisons ([`LightRules::cutoffs`]).
    /// For today, the tasks' current facts are counted (ledger entries are never dated ahead) and
    /// kept per plan in `plan_rollup` until one of the plan's tasks changes; for a past date, each
    /// task's state and last staged result are read from its ledger.
    pub async fn rollup(
        &self,
        scope: &Scope,
        plan_id: i64,
        as_of: NaiveDate,
    ) -> Result<Vec<RollupRow>> {
        let (deadline_cutoff, staged_cutoff) =
            counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let rows = if as_of == self.today() {
            let stale = self.current_or_few_stale(plan_id, as_of).await?;
            let mut q = sqlx::query(crate::sqlf!(
                "SELECT p.id AS plan_id, u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.level, u.path, {} FROM plans p JOIN units u ON u.id = p.unit_id \
                 JOIN {} r ON r.plan_id = p.id WHERE {} AND {} ORDER BY u.level, u.code",
                ROLLUP_COLUMNS.iter().map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", "),
                rollup_source(stale),
                copies_of(3),
                crate::scope_sql("u", 1, 2)
            ))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(plan_id);
            if stale {
                q = q
                    .bind(as_of.to_string())
                    .bind(&deadline_cutoff)
                    .bind(&staged_cutoff);
            }
            let rows = q.fetch_all(&self.pool).await?;
            if stale {
                self.keep_rollup(plan_id, as_of);
            }
            rows
        } else {
            let facts = format!(
                "SELECT t.plan_id, t.category, t.deadline, t.created_on, {STATE_ON} FROM tasks t {}",
                state_on("$4")
            );
            sqlx::query(crate::sqlf!(
                "SELECT p.id AS plan_id, u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, u.level, u.path, {} FROM plans p JOIN units u ON u.id = p.unit_id \
                 LEFT JOIN ({facts}) f ON f.plan_id = p.id AND f.created_on <= $4 \
                 WHERE {} AND {} \
                 GROUP BY p.id, u.id, u.code, u.name, u.level, u.path ORDER BY u.level, u.code",
                rollup_counts("$5", "$6"),
                copies_of(3),
                crate::scope_sql("u", 1, 2)
            ))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(plan_id)
            .bind(as_of.to_string())
            .bind(&deadline_cutoff)
            .bind(&staged_cutoff)
            .fetch_all(&self.pool)
            .await?
        };
        rows.iter()
            .map(|r| {
                let s = stats_of(r)?;
                Ok(RollupRow {
                    plan_id: r.try_get("plan_id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_code: r.try_get("unit_code")?,
                    unit_name: r.try_get("unit_name")?,
                    level: r.try_get("level")?,
                    path: r.try_get("path")?,
                    stats: s,
                })
            })
            .collect()
    }
}

/// Today's figures of every copy of plan `$plan`: the kept row where it is current, counted from
/// the tasks where it is missing, of another day or older than a change of one of the plan's
/// tasks. A read: nothing is written (see [`Store::keep_rollup`]). `$today` is followed by the two
/// cutoffs of [`counts_cutoff`].
fn current_rollup(plan: usize, today: usize) -> String {
    let cols = ROLLUP_COLUMNS
        .iter()
        .map(|c| format!("k.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let fresh = format!("k.as_of = ${today} AND k.version = p.rollup_version");
    format!(
        "SELECT k.plan_id, {cols} FROM plans p JOIN units u ON u.id = p.unit_id JOIN plan_rollup k ON k.plan_id = p.id WHERE {copies} AND {fresh} \
         UNION ALL \
         SELECT p.id, {counts} FROM plans p JOIN units u ON u.id = p.unit_id LEFT JOIN tasks f ON f.plan_id = p.id AND f.created_on <= ${today} \
         WHERE {copies} AND NOT EXISTS (SELECT 1 FROM plan_rollup k WHERE k.plan_id = p.id AND {fresh}) GROUP BY p.id",
        copies = copies_of(plan),
        counts = rollup_counts(&format!("${}", today + 1), &format!("${}", today + 2)),
    )
}

/// Where today's roll-up rows of `$3`'s copies are read from: the kept figures when all are
/// current (binds $1–$3), else [`current_rollup`] (binds $4–$6 too).
fn rollup_source(stale: bool) -> String {
    if stale {
        format!("({})", current_rollup(3, 4))
    } else {
        "plan_rollup".into()
    }
}

/// Keeps `plan_rollup` current for the copies of `plan_id`, after the read that needed it and
/// without its caller waiting: a dashboard read never waits for the writer (one refresh at a
/// time per process; a failed one is retried by the next read).
static KEEPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Store {
    pub(crate) fn keep_rollup(&self, plan_id: i64, as_of: NaiveDate) {
        use std::sync::atomic::Ordering;
        if KEEPING.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.refresh_rollup(plan_id, as_of).await {
                tracing::warn!("keeping the roll-up of plan {plan_id}: {e}");
            }
            KEEPING.store(false, Ordering::Release);
        });
    }

    /// Whether some copies of `plan_id` lack current kept figures for `as_of` (then the read
    /// counts them itself). When many do — the first read of a day, or after a bulk change —
    /// they are counted and kept once, before the read, rather than by every concurrent reader.
    async fn current_or_few_stale(&self, plan_id: i64, as_of: NaiveDate) -> Result<bool> {
        const MANY: i64 = 256;
        let stale = self.stale_copies(plan_id, as_of).await?;
        if stale > MANY {
            // one counts, the other readers wait for it and find the figures kept
            static COUNTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
            let _one = COUNTING.lock().await;
            self.refresh_rollup(plan_id, as_of).await?;
            return Ok(self.stale_copies(plan_id, as_of).await? > 0);
        }
        Ok(stale > 0)
    }

    /// How many copies of `plan_id` have no current kept figures for `as_of`.
    async fn stale_copies(&self, plan_id: i64, as_of: NaiveDate) -> Result<i64> {
        Ok(sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM plans p JOIN units u ON u.id = p.unit_id LEFT JOIN plan_rollup r ON r.plan_id = p.id AND r.as_of = $2 AND r.version = p.rollup_version \
             WHERE {} AND r.plan_id IS NULL",
            copies_of(1)
        ))
        .bind(plan_id)
        .bind(as_of.to_string())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Recounts today's figures of the plans issued from `plan_id` whose kept figures are missing,
    /// of another day, or older than a change of one of their tasks.
    pub async fn refresh_rollup(&self, plan_id: i64, as_of: NaiveDate) -> Result<()> {
        let (deadline_cutoff, staged_cutoff) =
            counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        if self.stale_copies(plan_id, as_of).await? > 0 {
            // one statement reads and stores, so the figures and the version belong together
            let cols = ROLLUP_COLUMNS.join(", ");
            let updates = ROLLUP_COLUMNS
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(crate::sqlf!(
                "INSERT INTO plan_rollup (plan_id, as_of, version, {cols}) \
                 SELECT p.id, $2, p.rollup_version, {} FROM plans p JOIN units u ON u.id = p.unit_id LEFT JOIN tasks f ON f.plan_id = p.id AND f.created_on <= $2 \
                 WHERE {} AND NOT EXISTS (SELECT 1 FROM plan_rollup r WHERE r.plan_id = p.id AND r.as_of = $2 AND r.version = p.rollup_version) \
                 GROUP BY p.id, p.rollup_version \
                 ON CONFLICT (plan_id) DO UPDATE SET as_of = excluded.as_of, version = excluded.version, {updates}",
                rollup_counts("$3", "$4"),
                copies_of(1)
            ))
            .bind(plan_id)
            .bind(as_of.to_string())
            .bind(&deadline_cutoff)
            .bind(&staged_cutoff)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// The dashboard's roll-up below `under`: from the figures kept per subtree and day
    /// ([`kept`]) when the scope covers the plan's unit's subtree; else, for today, summed in the
    /// database from the per-plan figures kept in `plan_rollup` (a few dozen rows cross to the
    /// server however many units hold the plan), and for a past date from the per-unit rows of
    /// [`Store::rollup`].
    pub async fn rollup_view(
        &self,
        scope: &Scope,
        plan_id: i64,
        as_of: NaiveDate,
        under: &crate::org::Unit,
    ) -> Result<RollupView> {
        if let Some(view) = self.kept_view(scope, plan_id, as_of, under).await? {
            return Ok(view);
        }
        if as_of != self.today() {
            let rows = self.rollup(scope, plan_id, as_of).await?;
            let own = rows
                .iter()
                .find(|r| r.unit_id == under.id)
                .map(|r| (r.plan_id, r.stats.clone()));
            return Ok(RollupView {
                levels: level_totals(&rows),
                own,
                children: fold_subtrees(&rows, &self.children(under.id).await?),
            });
        }
        let (deadline_cutoff, staged_cutoff) =
            counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let sums = ROLLUP_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM(r.{c}) AS BIGINT) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let stale = self.current_or_few_stale(plan_id, as_of).await?;
        let src = rollup_source(stale);
        // the viewed unit's parameter, after those of the source
        let under_n = if stale { 7 } else { 4 };
        let base = format!(
            "FROM plans p JOIN units u ON u.id = p.unit_id JOIN {src} r ON r.plan_id = p.id WHERE {} AND {}",
            copies_of(3),
            crate::scope_sql("u", 1, 2)
        );
        let like = crate::scope_like(scope);
        let today_s = as_of.to_string();
        let q = |sql| {
            let q = sqlx::query(sql)
                .bind(scope.unit_id)
                .bind(like.clone())
                .bind(plan_id);
            if stale {
                q.bind(today_s.clone())
                    .bind(deadline_cutoff.clone())
                    .bind(staged_cutoff.clone())
            } else {
                q
            }
        };
        let levels = q(crate::sqlf!(
            "SELECT u.level, COUNT(*) AS copies, {sums} {base} GROUP BY u.level ORDER BY u.level"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>("level")?,
                crate::int(r, "copies")? as usize,
                stats_of(r)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
        let own = q(crate::sqlf!(
            "SELECT p.id AS plan_id, {sums} {base} AND u.id = ${under_n} GROUP BY p.id"
        ))
        .bind(under.id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| Ok::<_, StoreError>((r.try_get::<i64, _>("plan_id")?, stats_of(&r)?)))
        .transpose()?;
        let children = q(crate::sqlf!(
            "SELECT c.id, c.name, c.level, COUNT(*) AS units, MAX(CASE WHEN u.id = c.id THEN p.id ELSE NULL END) AS plan_id, SUM(CASE WHEN u.id = c.id THEN 0 ELSE 1 END) AS deeper, {sums} \
             FROM units c JOIN unit_ancestors a ON a.ancestor_id = c.id JOIN units u ON u.id = a.unit_id JOIN plans p ON p.unit_id = u.id JOIN {src} r ON r.plan_id = p.id \
             WHERE c.parent_id = ${under_n} AND {} AND {} GROUP BY c.id, c.name, c.level, c.code ORDER BY c.code",
            copies_of(3),
            crate::scope_sql("u", 1, 2)
        ))
        .bind(under.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(SubtreeRow {
                unit_id: r.try_get("id")?,
                unit_name: r.try_get("name")?,
                level: r.try_get("level")?,
                units: crate::int(r, "units")? as usize,
                plan_id: r.try_get("plan_id")?,
                deeper: crate::int(r, "deeper")? > 0,
                stats: stats_of(r)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        if stale {
            self.keep_rollup(plan_id, as_of);
        }
        Ok(RollupView {
            levels,
            own,
            children,
        })
    }
}

/// The figures in the nine columns named by [`ROLLUP_COLUMNS`].
fn stats_of(r: &sqlx::any::AnyRow) -> Result<PlanStats> {
    Ok(stats_from(&counts_of(r)?))
}

/// The nine counts of [`ROLLUP_COLUMNS`] in a row.
fn counts_of(r: &sqlx::any::AnyRow) -> Result<[i64; 9]> {
    let mut v = [0; 9];
    for (x, c) in v.iter_mut().zip(ROLLUP_COLUMNS) {
        *x = crate::int(r, c)?;
    }
    Ok(v)
}

/// The figures the nine counts of [`ROLLUP_COLUMNS`] make.
fn stats_from(v: &[i64; 9]) -> PlanStats {
    let n = |i: usize| v[i].max(0) as usize;
    let mut s = PlanStats::default();
    for (k, b) in [&mut s.immediate, &mut s.time_limited]
        .into_iter()
        .enumerate()
    {
        b.total = n(3 * k);
        b.closed = n(1 + 3 * k);
        b.open = b.total - b.closed;
        b.overdue = n(2 + 3 * k);
    }
    s.long_term.total = n(6);
    s.long_term.with_staged_results = n(7);
    s.long_term.overdue = n(8);
    s.total = s.immediate.total + s.time_limited.total + s.long_term.total;
    s
}

const ROLLUP_COLUMNS: [&str; 9] = [
    "im_total",
    "im_closed",
    "im_overdue",
    "tl_total",
    "tl_closed",
    "tl_overdue",
    "lt_total",
    "lt_staged",
    "lt_overdue",
];

/// The red-light cutoffs (deadline, staged result) the counting SQL compares with.
fn counts_cutoff(lights: &LightRules, as_of: NaiveDate) -> (String, String) {
    let c = lights.cutoffs(as_of);
    (c.deadline_before.to_string(), c.staged_before.to_string())
}

/// The nine counts of [`ROLLUP_COLUMNS`] over facts `f`, red lights judged against the parameters
/// named by `deadline` and `staged` (see [`counts_cutoff`]).
fn rollup_counts(deadline: &str, staged: &str) -> String {
    let sum = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let closable_red = format!("f.state <> 'closed' AND f.deadline < {deadline}");
    let long_red =
        format!("f.state <> 'closed' AND COALESCE(f.last_staged_on, f.created_on) < {staged}");
    let mut cols = Vec::new();
    for cat in ["immediate", "time_limited"] {
        let is = format!("f.category = '{cat}'");
        cols.push(sum(&is));
        cols.push(sum(&format!("{is} AND f.state = 'closed'")));
        cols.push(sum(&format!("{is} AND {closable_red}")));
    }
    cols.push(sum("f.category = 'long_term'"));
    // staged results reported and none owed (the domain's one definition, stats::plan_stats)
    cols.push(sum(&format!(
        "f.category = 'long_term' AND f.last_staged_on IS NOT NULL AND NOT ({long_red})"
    )));
    cols.push(sum(&format!("f.category = 'long_term' AND {long_red}")));
    cols.iter()
        .zip(ROLLUP_COLUMNS)
        .map(|(sum, name)| format!("{sum} AS {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}
