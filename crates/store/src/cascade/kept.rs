//! Today's roll-up of a cascaded plan kept per subtree (migration 0054): for each unit below a
//! plan's unit, the figures of the lineage's copies in its subtree, per level. The dashboard sums
//! the rows of the units directly below the plan's unit (its levels) and of those below the viewed
//! unit (its children): O(units shown), however many units hold the plan.
//!
//! A subtree's rows hold for one day and one pair of red-light cutoffs. A change of one of its
//! copies (a task's counted facts bump the copy's `rollup_version`, a copy is made) deletes the
//! rows of the copy's unit and its ancestors in the same transaction (a trigger on `plans`); a
//! unit's move deletes them all ([`crate::org::rebuild_reach`]). A read counts the subtrees it
//! finds missing itself and leaves them to be kept after it ([`Store::keep_subtrees`]), which
//! counts them again inside a write: writers are serialised, so what it stores is exactly the
//! committed facts, and a later change deletes it.
use super::{ROLLUP_COLUMNS, RollupView, SubtreeRow, counts_cutoff, rollup_counts, stats_of};
use crate::{Actor, Result, Scope, Store};
use chrono::NaiveDate;
use duban_domain::rectification::PlanStats;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Per level: (level, copies, figures).
type Levels = Vec<(i64, usize, PlanStats)>;

/// Per unit of `{units}` (a list of ids written into the statement) and level, the copies of
/// lineage `$1` in the unit's subtree (`depth`: " AND a.depth = 0" for the unit's own copy
/// alone) and their figures for today `$2`: each copy's kept figures where current, else counted
/// from its tasks with the red-light cutoffs `$3` and `$4`.
pub fn subtree_figures_sql(units: &str, depth: &str) -> String {
    let kept = ROLLUP_COLUMNS
        .iter()
        .map(|c| format!("k.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sums = ROLLUP_COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM(x.{c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let fresh = "k.as_of = $2 AND k.version = p.rollup_version";
    // from the closure to the copies (SQLite keeps a CROSS JOIN's order: it would otherwise
    // start from all the lineage's copies), so a subtree costs its own copies
    let copies = "unit_ancestors a CROSS JOIN plans p JOIN units u ON u.id = p.unit_id";
    let within = format!(
        "a.ancestor_id IN ({units}){depth} AND p.unit_id = a.unit_id AND p.origin_plan_id = $1"
    );
    format!(
        "SELECT x.unit_id, x.level, COUNT(*) AS copies, {sums} FROM (\
         SELECT a.ancestor_id AS unit_id, u.level, {kept} FROM {copies} JOIN plan_rollup k ON k.plan_id = p.id AND {fresh} WHERE {within} \
         UNION ALL \
         SELECT a.ancestor_id AS unit_id, u.level, {counts} FROM {copies} LEFT JOIN tasks f ON f.plan_id = p.id AND f.created_on <= $2 \
         WHERE {within} AND NOT EXISTS (SELECT 1 FROM plan_rollup k WHERE k.plan_id = p.id AND {fresh}) \
         GROUP BY a.ancestor_id, p.id, u.level) x GROUP BY x.unit_id, x.level",
        counts = rollup_counts("$3", "$4"),
    )
}

/// The kept rows of the subtrees `{units}` of lineage `$1` for day `$2` and cutoffs `$3`.
pub fn kept_rows_sql(units: &str) -> String {
    format!(
        "SELECT unit_id, level, copies, {} FROM plan_rollup_tree WHERE origin_plan_id = $1 AND unit_id IN ({units}) AND as_of = $2 AND cutoffs = $3",
        ROLLUP_COLUMNS.join(", ")
    )
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Adds a row of (unit_id, level, copies, figures) to `out`.
fn add_row(out: &mut BTreeMap<i64, Levels>, r: &sqlx::any::AnyRow) -> Result<()> {
    let (unit, level) = (
        r.try_get::<i64, _>("unit_id")?,
        r.try_get::<i64, _>("level")?,
    );
    let levels = out.entry(unit).or_default();
    if level > 0 {
        levels.push((level, crate::int(r, "copies")? as usize, stats_of(r)?));
    }
    Ok(())
}

/// Sums per level, in level order.
fn merge(into: &mut Levels, from: &Levels) {
    for (level, n, s) in from {
        match into.iter_mut().find(|l| l.0 == *level) {
            Some(l) => {
                l.1 += n;
                l.2 += s;
            }
            None => into.push((*level, *n, s.clone())),
        }
    }
    into.sort_by_key(|l| l.0);
}

/// One subtree's keeping at a time per process; a failed one is retried by the next read.
static KEEPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Store {
    /// Today's dashboard view from the kept subtrees, when the scope covers the plan's unit's
    /// whole subtree and the viewed unit lies in it (`None` otherwise: the caller counts).
    pub(super) async fn kept_view(
        &self,
        scope: &Scope,
        plan_id: i64,
        as_of: NaiveDate,
        under: &crate::org::Unit,
    ) -> Result<Option<RollupView>> {
        let Some(plan) = sqlx::query(
            "SELECT COALESCE(p.origin_plan_id, p.id) AS origin, u.id, u.path FROM plans p JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (origin, top, top_path): (i64, i64, String) = (
            plan.try_get("origin")?,
            plan.try_get("id")?,
            plan.try_get("path")?,
        );
        let covered = scope.subtree
            && top_path.starts_with(&scope.unit_path)
            && under.path.starts_with(&top_path);
        if !covered {
            return Ok(None);
        }
        let (deadline, staged) = counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let cutoffs = format!("{deadline} {staged}");
        let today = as_of.to_string();
        let children = self.children(under.id).await?;
        // the levels sum the subtrees below the plan's unit; the children, those below the viewed
        let tops: Vec<i64> = if under.id == top {
            children.iter().map(|c| c.id).collect()
        } else {
            self.children(top).await?.iter().map(|c| c.id).collect()
        };
        let wanted: BTreeSet<i64> = tops
            .iter()
            .copied()
            .chain(children.iter().map(|c| c.id))
            .collect();
        if wanted.is_empty() {
            return Ok(Some(RollupView {
                levels: vec![],
                own: None,
                children: vec![],
            }));
        }
        let wanted: Vec<i64> = wanted.into_iter().collect();
        let mut figures: BTreeMap<i64, Levels> = BTreeMap::new();
        for r in sqlx::query(crate::sqlf!("{}", kept_rows_sql(&id_list(&wanted))))
            .persistent(false)
            .bind(origin)
            .bind(&today)
            .bind(&cutoffs)
            .fetch_all(&self.pool)
            .await?
        {
            add_row(&mut figures, &r)?;
        }
        let missing: Vec<i64> = wanted
            .iter()
            .copied()
            .filter(|u| !figures.contains_key(u))
            .collect();
        if !missing.is_empty() {
            // counted here from the copies' own figures (kept first when many are not), then
            // kept for the next reads
            self.current_or_few_stale(plan_id, as_of).await?;
            for r in sqlx::query(crate::sqlf!(
                "{}",
                subtree_figures_sql(&id_list(&missing), "")
            ))
            .persistent(false)
            .bind(origin)
            .bind(&today)
            .bind(&deadline)
            .bind(&staged)
            .fetch_all(&self.pool)
            .await?
            {
                add_row(&mut figures, &r)?;
            }
            self.keep_subtrees(plan_id, origin, missing, as_of);
        }
        // the copies of the viewed unit and of those directly below it
        let mut copies: BTreeMap<i64, i64> = BTreeMap::new();
        let units: Vec<i64> = children.iter().map(|c| c.id).chain([under.id]).collect();
        for r in sqlx::query(crate::sqlf!(
            "SELECT unit_id, id FROM plans WHERE origin_plan_id = $1 AND unit_id IN ({}) AND id <> $2",
            id_list(&units)
        ))
        .persistent(false)
        .bind(origin)
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?
        {
            copies.insert(r.try_get("unit_id")?, r.try_get("id")?);
        }
        let mut levels = Levels::new();
        for t in &tops {
            merge(&mut levels, figures.get(t).unwrap_or(&vec![]));
        }
        let children = children
            .into_iter()
            .filter_map(|c| {
                let mut f = Levels::new();
                merge(&mut f, figures.get(&c.id)?);
                let units: usize = f.iter().map(|l| l.1).sum();
                let mut stats = PlanStats::default();
                for l in &f {
                    stats += &l.2;
                }
                let plan_id = copies.get(&c.id).copied();
                (units > 0).then(|| SubtreeRow {
                    unit_id: c.id,
                    unit_name: c.name,
                    level: c.level,
                    plan_id,
                    units,
                    deeper: units > usize::from(plan_id.is_some()),
                    stats,
                })
            })
            .collect();
        let own = match copies.get(&under.id) {
            Some(&own_id) => {
                let mut own = BTreeMap::new();
                for r in sqlx::query(crate::sqlf!(
                    "{}",
                    subtree_figures_sql("$5", " AND a.depth = 0")
                ))
                .bind(origin)
                .bind(&today)
                .bind(&deadline)
                .bind(&staged)
                .bind(under.id)
                .fetch_all(&self.pool)
                .await?
                {
                    add_row(&mut own, &r)?;
                }
                let mut stats = PlanStats::default();
                for l in own.values().flatten() {
                    stats += &l.2;
                }
                Some((own_id, stats))
            }
            None => None,
        };
        Ok(Some(RollupView {
            levels,
            own,
            children,
        }))
    }

    /// Keeps the subtrees `units` of lineage `origin` after the read that found them missing,
    /// without the reader waiting.
    fn keep_subtrees(&self, plan_id: i64, origin: i64, units: Vec<i64>, as_of: NaiveDate) {
        use std::sync::atomic::Ordering;
        if KEEPING.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store
                .keep_subtrees_now(plan_id, origin, &units, as_of)
                .await
            {
                tracing::warn!("keeping the roll-up of plan {plan_id} per subtree: {e}");
            }
            KEEPING.store(false, Ordering::Release);
        });
    }

    /// Counts and stores today's figures of the subtrees `units` of lineage `origin` (the copies'
    /// own figures renewed first). Public for the tests, which wait for it.
    pub async fn keep_subtrees_now(
        &self,
        plan_id: i64,
        origin: i64,
        units: &[i64],
        as_of: NaiveDate,
    ) -> Result<()> {
        self.refresh_rollup(plan_id, as_of).await?;
        let (deadline, staged) = counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let cutoffs = format!("{deadline} {staged}");
        let list = id_list(units);
        let cols = ROLLUP_COLUMNS.join(", ");
        let zeros = vec!["0"; ROLLUP_COLUMNS.len()].join(", ");
        let xcols = ROLLUP_COLUMNS
            .iter()
            .map(|c| format!("x.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        // inside a write: no change can commit between the counting and the storing
        let mut w = self.write(&Actor::system("roll-up")).await?;
        sqlx::query(crate::sqlf!(
            "DELETE FROM plan_rollup_tree WHERE origin_plan_id = $1 AND unit_id IN ({list})"
        ))
        .persistent(false)
        .bind(origin)
        .execute(&mut *w.tx)
        .await?;
        // a marker row (level 0) for each subtree, so that one without copies is kept too
        sqlx::query(crate::sqlf!(
            "INSERT INTO plan_rollup_tree (origin_plan_id, unit_id, level, as_of, cutoffs, copies, {cols}) \
             SELECT $1, u.id, 0, $2, $3, 0, {zeros} FROM units u WHERE u.id IN ({list})"
        ))
        .persistent(false)
        .bind(origin)
        .bind(as_of.to_string())
        .bind(&cutoffs)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(crate::sqlf!(
            "INSERT INTO plan_rollup_tree (origin_plan_id, unit_id, level, as_of, cutoffs, copies, {cols}) \
             SELECT $1, x.unit_id, x.level, $2, $5, x.copies, {xcols} FROM ({}) x",
            subtree_figures_sql(&list, "")
        ))
        .persistent(false)
        .bind(origin)
        .bind(as_of.to_string())
        .bind(&deadline)
        .bind(&staged)
        .bind(&cutoffs)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }
}
