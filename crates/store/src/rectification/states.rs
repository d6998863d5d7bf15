//! Each task's states over time (migration 0059, `task_states`): from its ledger, the intervals
//! `[from_day, to_day)` on which its state and the day of its last staged result stood, one row
//! per change (`to_day` '9999-12-31' for the one that stands). A day's figures of a plan read one
//! row a task, found by its primary key (task, from_day), instead of searching every task's
//! ledger twice ([`state_on`]).
//!
//! Derived from the append-only ledger, in the transaction that writes the entries: an entry
//! changes its task's last interval ([`record`]); a late entry (补录) dated before the last
//! interval began, and the bulk writers (the national generator, a restore), have the tasks'
//! rows counted again from their ledgers ([`refresh`]). Not backed up.
use crate::Result;

/// The last day of an interval that still stands.
const STANDING: &str = "9999-12-31";

/// The intervals of the tasks whose ledger entries match `filter` (a condition on `task_id`):
/// per task and day its state after the day's last entry and its last staged result by then,
/// days that change neither folded into the day before.
fn intervals_sql(filter: &str) -> String {
    format!(
        "WITH e AS (\
           SELECT task_id, entry_date, state_after, \
             MAX(CASE WHEN kind = 'staged' THEN entry_date END) OVER (PARTITION BY task_id ORDER BY entry_date, id) AS staged_on, \
             ROW_NUMBER() OVER (PARTITION BY task_id, entry_date ORDER BY id DESC) AS r \
           FROM ledger_entries WHERE {filter}), \
         d AS (\
           SELECT task_id, entry_date, state_after, staged_on, \
             LAG(state_after) OVER (PARTITION BY task_id ORDER BY entry_date) AS was, \
             LAG(staged_on) OVER (PARTITION BY task_id ORDER BY entry_date) AS was_staged \
           FROM e WHERE r = 1), \
         k AS (\
           SELECT task_id, entry_date, state_after, staged_on FROM d \
           WHERE was IS NULL OR was <> state_after OR COALESCE(was_staged, '') <> COALESCE(staged_on, '')) \
         INSERT INTO task_states (task_id, from_day, to_day, state, staged_on) \
         SELECT task_id, entry_date, COALESCE(LEAD(entry_date) OVER (PARTITION BY task_id ORDER BY entry_date), '{STANDING}'), state_after, staged_on FROM k"
    )
}

/// Rewrites the intervals of the tasks matching `filter` (a condition on `task_id` with at most
/// one parameter, `$1`, bound to `arg` when given; "true" for every task, without) inside the
/// write `tx`.
pub(crate) async fn refresh(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    filter: &str,
    arg: Option<i64>,
) -> Result<()> {
    for sql in [
        format!("DELETE FROM task_states WHERE {filter}"),
        intervals_sql(filter),
    ] {
        let q = sqlx::query(crate::sqlf!("{sql}"));
        match arg {
            Some(v) => q.bind(v).execute(&mut **tx).await?,
            None => q.persistent(false).execute(&mut **tx).await?,
        };
    }
    if arg.is_none() {
        // every task's rows at once (a migration, a restore): the planner's statistics follow
        sqlx::query("ANALYZE task_states")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A task's last interval (the day it began, its state and last staged result) and the day of
/// its last entry (on or after the interval began: the days between changed nothing).
#[derive(Clone, Debug)]
pub(crate) struct Last {
    from: String,
    state: String,
    staged_on: Option<String>,
    entry: String,
}

/// Task `t`'s last interval and last entry's day packed in one value (read with the task's facts:
/// no statement of its own), for [`Last::unpack`].
pub(crate) const LAST: &str = "(SELECT s.from_day || ';' || s.state || ';' || COALESCE(s.staged_on, '') || ';' || \
     (SELECT MAX(l.entry_date) FROM ledger_entries l WHERE l.task_id = t.id) \
     FROM task_states s WHERE s.task_id = t.id ORDER BY s.from_day DESC LIMIT 1)";

impl Last {
    pub(crate) fn unpack(v: Option<String>) -> Option<Self> {
        let v = v?;
        let mut f = v.splitn(4, ';');
        let (from, state, staged, entry) = (f.next()?, f.next()?, f.next()?, f.next()?);
        Some(Last {
            from: from.into(),
            state: state.into(),
            staged_on: (!staged.is_empty()).then(|| staged.into()),
            entry: entry.into(),
        })
    }

    /// Task `task`'s last interval, read on its own.
    pub(crate) async fn of(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        task: i64,
    ) -> Result<Option<Self>> {
        let v: Option<String> =
            sqlx::query_scalar(crate::sqlf!("SELECT {LAST} FROM tasks t WHERE t.id = $1"))
                .bind(task)
                .fetch_one(&mut **tx)
                .await?;
        Ok(Self::unpack(v))
    }
}

/// Records an entry of `task` (whose last interval was `last`, read in this write before the
/// entry was added) dated `day` that leaves it in `state` (a staged result if `staged`): an
/// entry dated on or after the task's last entry (every entry but a late one) changes only the
/// last interval — ended at `day` and a new one begun, or rewritten if it began that day, or left
/// as it is if neither the state nor the last staged result changes; a late entry, dated before
/// an entry already in the ledger, has the task's intervals counted again.
pub(crate) async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    task: i64,
    last: Option<Last>,
    day: &str,
    state: &str,
    staged: bool,
) -> Result<()> {
    if last.as_ref().is_some_and(|l| l.entry.as_str() > day) {
        return refresh(tx, "task_id = $1", Some(task)).await;
    }
    let was_staged = last.as_ref().and_then(|l| l.staged_on.clone());
    let staged_on = if staged {
        Some(day.to_string())
    } else {
        was_staged.clone()
    };
    if last.as_ref().is_some_and(|l| l.state == state) && staged_on == was_staged {
        return Ok(());
    }
    let insert = format!(
        "INSERT INTO task_states (task_id, from_day, to_day, state, staged_on) VALUES ($1, $2, '{STANDING}', $3, $4)"
    );
    let sql = match last {
        Some(l) if l.from == day => {
            "UPDATE task_states SET state = $3, staged_on = $4 WHERE task_id = $1 AND from_day = $2"
                .to_string()
        }
        Some(l) => {
            sqlx::query("UPDATE task_states SET to_day = $1 WHERE task_id = $2 AND from_day = $3")
                .bind(day)
                .bind(task)
                .bind(&l.from)
                .execute(&mut **tx)
                .await?;
            insert
        }
        None => insert,
    };
    sqlx::query(crate::sqlf!("{sql}"))
        .bind(task)
        .bind(day)
        .bind(state)
        .bind(staged_on)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Joins `s`, the interval of task `t`'s history holding the day bound at `day`; read its
/// columns with [`STATE_ON`].
pub(crate) fn state_on(day: &str) -> String {
    format!(
        "LEFT JOIN task_states s ON s.task_id = t.id AND s.from_day <= {day} AND s.to_day > {day}"
    )
}

/// Task `t`'s state on the day joined by [`state_on`] (not started before its first entry) and
/// the day of its last staged result by then, as `state, last_staged_on`.
pub(crate) const STATE_ON: &str =
    "COALESCE(s.state, 'not_started') AS state, s.staged_on AS last_staged_on";
