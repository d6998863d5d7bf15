//! The roll-up of a cascaded plan kept per subtree and day (migration 0054): for each unit below
//! a plan's unit, the figures of the lineage's copies in its subtree, per level, as of a day
//! (today's, and the last 8 past days counted). The dashboard sums the rows of the units directly
//! below the plan's unit (its levels) and of those below the viewed unit (its children): O(units
//! shown), however many units hold the plan.
//!
//! A subtree's rows hold for one pair of red-light cutoffs. A change of one of its copies deletes
//! the rows of every day of the copy's unit and its ancestors in the same transaction (a trigger
//! on `plans`, fired by the bump of the copy's `rollup_version` that every ledger entry, state
//! change and adjustment of one of its tasks makes — a late entry changes past days — and by a
//! copy made); a unit's move deletes them all and raises every copy's version
//! ([`crate::org::rebuild_reach`]). A read counts the subtrees it finds missing itself and keeps
//! what it counted ([`Store::store_subtrees`]): inside a write (writers are serialised), and only
//! if the copies in those subtrees still stand at the versions read before the count — so what
//! is stored is the committed facts, and a later change deletes it. The write holds the writers'
//! turn for a version check and an insert, never for a count. Today's are kept after the read,
//! without it waiting; a past day's (a count of every task's ledger) by the one reader that
//! counts it while the others wait, then find it kept.
use super::{
    ROLLUP_COLUMNS, RollupView, SubtreeRow, counts_cutoff, counts_of, rollup_counts, stats_from,
};
use crate::rectification::states::{STATE_ON, state_on};
use crate::{Actor, Result, Scope, Store};
use chrono::NaiveDate;
use duban_domain::rectification::PlanStats;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Per level: (level, copies, figures).
type Levels = Vec<(i64, usize, PlanStats)>;

/// Per unit of `{units}` (a list of ids written into the statement) and level, the copies of
/// lineage `$1` in the unit's subtree (`depth`: " AND a.depth = 0" for the unit's own copy
/// alone) and their figures as of `$2`, red lights judged with the cutoffs `$3` and `$4`. For
/// today (`past` false) each copy's kept figures where current, else counted from its tasks'
/// current facts; for a past day each task's state and last staged result as its ledger had them.
pub fn subtree_figures_sql(units: &str, depth: &str, past: bool) -> String {
    let sums = ROLLUP_COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM(x.{c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // from the closure to the copies (SQLite keeps a CROSS JOIN's order: it would otherwise
    // start from all the lineage's copies), so a subtree costs its own copies
    let copies = "unit_ancestors a CROSS JOIN plans p JOIN units u ON u.id = p.unit_id";
    let within = format!(
        "a.ancestor_id IN ({units}){depth} AND p.unit_id = a.unit_id AND p.origin_plan_id = $1"
    );
    let counts = rollup_counts("$3", "$4");
    let per_copy = if past {
        // each task of the copies as of the day (its interval holding the day), counted per copy
        // in one pass over the tasks (a copy holds a hundred), then each copy's counts added to
        // every subtree holding it
        let on = state_on("$2");
        let counted = ROLLUP_COLUMNS
            .iter()
            .map(|c| format!("COALESCE(c.{c}, 0) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT a.ancestor_id AS unit_id, u.level, {counted} FROM {copies} LEFT JOIN (\
             SELECT f.plan_id, {counts} FROM (SELECT t.plan_id, t.category, t.deadline, t.created_on, {STATE_ON} FROM tasks t {on} \
             WHERE t.created_on <= $2 AND t.plan_id IN (SELECT p.id FROM {copies} WHERE {within})) f GROUP BY f.plan_id) c \
             ON c.plan_id = p.id WHERE {within}"
        )
    } else {
        let kept = ROLLUP_COLUMNS
            .iter()
            .map(|c| format!("k.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let fresh = "k.as_of = $2 AND k.version = p.rollup_version";
        format!(
            "SELECT a.ancestor_id AS unit_id, u.level, {kept} FROM {copies} JOIN plan_rollup k ON k.plan_id = p.id AND {fresh} WHERE {within} \
             UNION ALL \
             SELECT a.ancestor_id AS unit_id, u.level, {counts} FROM {copies} LEFT JOIN tasks f ON f.plan_id = p.id AND f.created_on <= $2 \
             WHERE {within} AND NOT EXISTS (SELECT 1 FROM plan_rollup k WHERE k.plan_id = p.id AND {fresh}) \
             GROUP BY a.ancestor_id, p.id, u.level"
        )
    };
    format!(
        "SELECT x.unit_id, x.level, COUNT(*) AS copies, {sums} FROM ({per_copy}) x GROUP BY x.unit_id, x.level"
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

/// A row of figures: (unit, level, copies, the nine counts); level 0 only marks a subtree.
type Counted = (i64, i64, i64, [i64; 9]);

fn counted(r: &sqlx::any::AnyRow) -> Result<Counted> {
    Ok((
        r.try_get("unit_id")?,
        r.try_get("level")?,
        crate::int(r, "copies")?,
        counts_of(r)?,
    ))
}

/// Adds a row to the figures per subtree.
fn add_row(out: &mut BTreeMap<i64, Levels>, (unit, level, copies, v): &Counted) {
    let levels = out.entry(*unit).or_default();
    if *level > 0 {
        levels.push((*level, *copies as usize, stats_from(v)));
    }
}

/// What a subtree's figures were counted from: the copies in it (how many, the last made) and
/// the sum of their versions, which every change of one of them raises (and a unit's move, for
/// all: [`crate::org::rebuild_reach`]).
type Versions = (i64, i64, i64);

/// The [`Versions`] of the copies of lineage `origin` in the subtrees `units`.
async fn subtree_versions<'c, E>(e: E, origin: i64, units: &[i64]) -> Result<Versions>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let r = sqlx::query(crate::sqlf!(
        "SELECT COUNT(*) AS n, CAST(COALESCE(MAX(p.id), 0) AS BIGINT) AS last, CAST(COALESCE(SUM(p.rollup_version), 0) AS BIGINT) AS v \
         FROM unit_ancestors a CROSS JOIN plans p WHERE a.ancestor_id IN ({}) AND p.unit_id = a.unit_id AND p.origin_plan_id = $1",
        id_list(units)
    ))
    .persistent(false)
    .bind(origin)
    .fetch_one(e)
    .await?;
    Ok((
        crate::int(&r, "n")?,
        crate::int(&r, "last")?,
        crate::int(&r, "v")?,
    ))
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

/// Past days a subtree keeps (besides today).
const PAST_DAYS: i64 = 8;

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
        let past = as_of != self.today();
        let day = as_of.to_string();
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
        let mut figures = self.kept_rows(origin, &wanted, &day, &cutoffs).await?;
        let mut missing: Vec<i64> = wanted
            .iter()
            .copied()
            .filter(|u| !figures.contains_key(u))
            .collect();
        // a past day's count reads every task's ledger: one reader at a time counts and keeps
        // it, the others then find it kept; today's is cheap, each reader counts what it misses
        // and leaves the keeping to the keeper
        static PAST: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _one = match past && !missing.is_empty() {
            true => Some(PAST.lock().await),
            false => None,
        };
        if past && !missing.is_empty() {
            figures.extend(self.kept_rows(origin, &missing, &day, &cutoffs).await?);
            missing.retain(|u| !figures.contains_key(u));
        }
        if !missing.is_empty() {
            // counted, then kept as counted unless a copy changed meanwhile (today's from the
            // copies' own figures, kept first when many are not)
            if !past {
                self.current_or_few_stale(plan_id, as_of).await?;
            }
            let versions = subtree_versions(&self.pool, origin, &missing).await?;
            let rows = self.count_subtrees(origin, &missing, as_of).await?;
            for r in &rows {
                add_row(&mut figures, r);
            }
            for u in &missing {
                figures.entry(*u).or_default();
            }
            if past {
                self.store_subtrees(plan_id, origin, &missing, as_of, versions, rows)
                    .await?;
            } else {
                self.keep_subtrees(plan_id, origin, missing, as_of, versions, rows);
            }
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
                    subtree_figures_sql("$5", " AND a.depth = 0", past)
                ))
                .bind(origin)
                .bind(&day)
                .bind(&deadline)
                .bind(&staged)
                .bind(under.id)
                .fetch_all(&self.pool)
                .await?
                {
                    add_row(&mut own, &counted(&r)?);
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

    /// The kept figures of the subtrees `units` of lineage `origin` on `day` under `cutoffs`.
    async fn kept_rows(
        &self,
        origin: i64,
        units: &[i64],
        day: &str,
        cutoffs: &str,
    ) -> Result<BTreeMap<i64, Levels>> {
        let mut out = BTreeMap::new();
        for r in sqlx::query(crate::sqlf!("{}", kept_rows_sql(&id_list(units))))
            .persistent(false)
            .bind(origin)
            .bind(day)
            .bind(cutoffs)
            .fetch_all(&self.pool)
            .await?
        {
            add_row(&mut out, &counted(&r)?);
        }
        Ok(out)
    }

    /// The figures of the subtrees `units` of lineage `origin` as of `as_of`, counted. A past
    /// day's count reads every task of the subtrees' copies: on SQLite, which runs a statement
    /// on one core, the subtrees are counted in parts on as many connections at once as the
    /// machine has cores (each subtree's rows stand alone); PostgreSQL runs the one statement
    /// in parallel itself.
    async fn count_subtrees(
        &self,
        origin: i64,
        units: &[i64],
        as_of: NaiveDate,
    ) -> Result<Vec<Counted>> {
        let (deadline, staged) = counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let past = as_of != self.today();
        let parts = match (past, self.backend) {
            (true, crate::Backend::Sqlite) => std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, 4)
                .min(units.len())
                .max(1),
            _ => 1,
        };
        let mut counts = tokio::task::JoinSet::new();
        for part in 0..parts {
            // round robin, so that neighbouring (similar) subtrees go to different parts
            let ids: Vec<i64> = units.iter().skip(part).step_by(parts).copied().collect();
            let (pool, day) = (self.pool.clone(), as_of.to_string());
            let (deadline, staged) = (deadline.clone(), staged.clone());
            counts.spawn(async move {
                sqlx::query(crate::sqlf!(
                    "{}",
                    subtree_figures_sql(&id_list(&ids), "", past)
                ))
                .persistent(false)
                .bind(origin)
                .bind(day)
                .bind(deadline)
                .bind(staged)
                .fetch_all(&pool)
                .await?
                .iter()
                .map(counted)
                .collect::<Result<Vec<Counted>>>()
            });
        }
        let mut rows = Vec::new();
        while let Some(part) = counts.join_next().await {
            rows.extend(part.map_err(|e| crate::StoreError::Io(std::io::Error::other(e)))??);
        }
        Ok(rows)
    }

    /// Keeps what a read counted of the subtrees `units` (after it, without the reader waiting).
    fn keep_subtrees(
        &self,
        plan_id: i64,
        origin: i64,
        units: Vec<i64>,
        as_of: NaiveDate,
        versions: Versions,
        rows: Vec<Counted>,
    ) {
        use std::sync::atomic::Ordering;
        if KEEPING.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let kept = store
                .store_subtrees(plan_id, origin, &units, as_of, versions, rows)
                .await;
            if let Err(e) = kept {
                tracing::warn!("keeping the roll-up of plan {plan_id} per subtree: {e}");
            }
            KEEPING.store(false, Ordering::Release);
        });
    }

    /// Counts and keeps the figures of the subtrees `units` of lineage `origin` as of `as_of`
    /// (what a read does when it finds them missing; public for the tests, which wait for it).
    pub async fn keep_subtrees_now(
        &self,
        plan_id: i64,
        origin: i64,
        units: &[i64],
        as_of: NaiveDate,
    ) -> Result<()> {
        let versions = subtree_versions(&self.pool, origin, units).await?;
        let rows = self.count_subtrees(origin, units, as_of).await?;
        self.store_subtrees(plan_id, origin, units, as_of, versions, rows)
            .await
    }

    /// Stores `rows`, counted of the subtrees `units` when their copies stood at `versions`:
    /// inside a write (writers are serialised), and only if no copy changed since — else
    /// nothing (the next read counts again). Today's per-copy figures are renewed first, so
    /// that a later count reads them.
    async fn store_subtrees(
        &self,
        plan_id: i64,
        origin: i64,
        units: &[i64],
        as_of: NaiveDate,
        versions: Versions,
        rows: Vec<Counted>,
    ) -> Result<()> {
        let today = self.today();
        if as_of == today {
            self.refresh_rollup(plan_id, as_of).await?;
        }
        let (deadline, staged) = counts_cutoff(&self.supervision_rules().await?.lights, as_of);
        let cutoffs = format!("{deadline} {staged}");
        let list = id_list(units);
        let mut w = self.write(&Actor::system("roll-up")).await?;
        if subtree_versions(&mut *w.tx, origin, units).await? != versions {
            return Ok(());
        }
        // a subtree keeps today's rows and those of the last PAST_DAYS past days counted (in
        // the lineage's order of counting; today's rows carry 0 and go once their day passed):
        // the subtrees' rows of this day go, and those that fall out
        let counted: i64 = if as_of == today {
            0
        } else {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(k.counted), 0) + 1 FROM plan_rollup_tree k WHERE k.origin_plan_id = $1",
            )
            .bind(origin)
            .fetch_one(&mut *w.tx)
            .await?
        };
        sqlx::query(crate::sqlf!(
            "DELETE FROM plan_rollup_tree WHERE origin_plan_id = $1 AND unit_id IN ({list}) \
             AND (as_of = $2 OR (as_of <> $3 AND counted <= $4))"
        ))
        .persistent(false)
        .bind(origin)
        .bind(as_of.to_string())
        .bind(today.to_string())
        .bind((counted - PAST_DAYS).max(0))
        .execute(&mut *w.tx)
        .await?;
        let mut out = crate::Rows::new(
            self.backend,
            &format!(
                "INSERT INTO plan_rollup_tree (origin_plan_id, unit_id, level, as_of, cutoffs, counted, copies, {})",
                ROLLUP_COLUMNS.join(", ")
            ),
            "",
            16,
        );
        // a marker row (level 0) for each subtree, so that one without copies is kept too
        let markers = units.iter().map(|u| (*u, 0, 0, [0; 9]));
        for (unit, level, copies, v) in markers.chain(rows) {
            let [a, b, c, d, e, f, g, h, i] = v.map(crate::Bind::Int);
            out.push([
                crate::Bind::Int(origin),
                crate::Bind::Int(unit),
                crate::Bind::Int(level),
                crate::Bind::Text(as_of.to_string()),
                crate::Bind::Text(cutoffs.clone()),
                crate::Bind::Int(counted),
                crate::Bind::Int(copies),
                a,
                b,
                c,
                d,
                e,
                f,
                g,
                h,
                i,
            ]);
        }
        for q in out.take_all() {
            q.execute(&mut *w.tx).await?;
        }
        w.commit().await
    }
}
