//! Reply-rate metrics: per unit and period, and broken down by unit.
use crate::org::Unit;
use crate::{Result, Store};
use chrono::NaiveDate;
use duban_domain::letters::Rate;
use serde::Serialize;
use sqlx::Row;

/// The letters received in a period by a unit (or its subtree): how many, and how the two replies
/// stand against their deadlines on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterMetrics {
    pub received: u64,
    pub ack: Rate,
    pub reply: Rate,
    /// of these letters, how many had a step recorded late (补录), when counted
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_late: Option<u64>,
    /// 交办 made by the unit (or its subtree) in the period: their report-backs against deadline
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<Rate>,
    /// of the letters received, how many writers were sent at least one reply (e-mail or SMS)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notified: Option<u64>,
    /// the writers' ratings of the result replies
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<duban_domain::letters::answers::Satisfaction>,
}

impl Store {
    /// The reply-rate figures of the letters received in [`from`, `to`] and held by `unit` (with
    /// its subtree when asked), as they stand on `as_of`. Counted in the database by the rule of
    /// [`duban_domain::letters::outcome`] (a reply made after `as_of` does not count yet).
    pub async fn letter_metrics(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<LetterMetrics> {
        let mut c = [0i64; 7];
        for t in self.tallies(&[unit.id], from, to, as_of).await? {
            if subtree || t.own {
                add_counts(&mut c, &t.counts);
            }
        }
        for (_, _, _, fix) in self.answered_after(unit, subtree, from, to, as_of).await? {
            add_counts(&mut c, &fix);
        }
        self.with_answers(unit, subtree, from, to, as_of, metrics_of(&c))
            .await
    }

    /// `m` with the figures that are not kept: letters with a step recorded late (补录), writers
    /// notified, ratings and report-backs — one statement of four aggregates, each read from an
    /// index of its own ([`answers_sql`]).
    async fn with_answers(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
        m: LetterMetrics,
    ) -> Result<LetterMetrics> {
        let [late, notified, ratings, assigned] = answers_sql(subtree);
        let r = scoped(
            format!(
                "SELECT * FROM ({late}) a CROSS JOIN ({notified}) b CROSS JOIN ({ratings}) c CROSS JOIN ({assigned}) d"
            ),
            unit,
            subtree,
            [from, to, as_of],
        )
        .fetch_one(&self.pool)
        .await?;
        let n = |c: &str| -> Result<u64> { Ok(crate::int(&r, c)?.max(0) as u64) };
        Ok(LetterMetrics {
            recorded_late: Some(n("recorded_late")?),
            assigned: Some(Rate::new(n("on_time")?, n("late")?, n("overdue")?)),
            notified: Some(n("notified")?),
            satisfaction: Some(duban_domain::letters::answers::Satisfaction::new(
                n("satisfied")?,
                n("basic")?,
                n("unsatisfied")?,
            )),
            ..m
        })
    }
}

/// A statement over a unit's letters bound as [`Store::letter_metrics`]'s: `$1` the unit,
/// `$2` its subtree's path pattern (empty for the unit alone), `$3`–`$5` from, to and as of.
/// Planned per execution: whether the scope is one unit or a subtree (and which) changes the
/// best plan, and a generic plan over the year's letters was measured 2× slower on PostgreSQL
/// (PERFORMANCE.md, generic or custom plans).
fn scoped(
    sql: String,
    unit: &Unit,
    subtree: bool,
    days: [NaiveDate; 3],
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .bind(unit.id)
        .bind(if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        });
    for d in days {
        q = q.bind(d.to_string());
    }
    q
}

/// The figures that are not kept, each read from an index of its own (binds as
/// [`Store::letter_metrics`]): letters with a step recorded late from the late steps' partial
/// index (few among all), writers notified and ratings from partial indexes of the letters
/// notified or rated alone, report-backs from the assignments the unit made.
pub fn answers_sql(subtree: bool) -> [String; 4] {
    let units = units_of(subtree);
    [
        format!(
            "SELECT COUNT(DISTINCT e.letter_id) AS recorded_late FROM letter_events e CROSS JOIN letters l \
             WHERE l.id = e.letter_id AND e.late_days > 0 AND e.on_date <= $5 AND l.unit_id IN {units} \
             AND l.received_on >= $3 AND l.received_on <= $4"
        ),
        format!(
            "SELECT COUNT(*) AS notified FROM letters l WHERE l.notified_on IS NOT NULL AND l.notified_on <= $5 \
             AND l.unit_id IN {units} AND l.received_on >= $3 AND l.received_on <= $4"
        ),
        format!(
            "SELECT SUM(CASE WHEN l.rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied, \
             SUM(CASE WHEN l.rating = 'basic' THEN 1 ELSE 0 END) AS basic, \
             SUM(CASE WHEN l.rating = 'unsatisfied' THEN 1 ELSE 0 END) AS unsatisfied \
             FROM letters l WHERE l.rating IS NOT NULL AND l.rated_on <= $5 \
             AND l.unit_id IN {units} AND l.received_on >= $3 AND l.received_on <= $4"
        ),
        format!(
            "SELECT SUM(CASE WHEN a.reported_on IS NOT NULL AND a.reported_on <= $5 AND a.reported_on <= a.report_due THEN 1 ELSE 0 END) AS on_time, \
             SUM(CASE WHEN a.reported_on IS NOT NULL AND a.reported_on <= $5 AND a.reported_on > a.report_due THEN 1 ELSE 0 END) AS late, \
             SUM(CASE WHEN (a.reported_on IS NULL OR a.reported_on > $5) AND a.report_due < $5 THEN 1 ELSE 0 END) AS overdue \
             FROM letter_assignments a WHERE a.from_unit_id IN {units} AND a.assigned_on >= $3 AND a.assigned_on <= $4"
        ),
    ]
}

/// The kept figures' two statements over the scopes `ids` (a list of unit ids): the letters and
/// their answers on time or late, summed over the whole months of the period from
/// `letter_months` (migration 0048) and over the days at either end from `letter_tallies`
/// (0045) — binds `$1`–`$2` the first days, `$3`–`$4` the months, `$5`–`$6` the last days
/// ([`period_parts`]); and the letters not yet answered whose deadline is before the as-of day
/// (`letter_open`), binds `$1` from, `$2` to, `$3` as of. Each an index range per scope.
pub fn figures_sql(ids: &str) -> [String; 2] {
    let sums = "CAST(SUM(received) AS BIGINT) AS received, \
             CAST(SUM(ack_on_time) AS BIGINT) AS ack_on_time, CAST(SUM(ack_late) AS BIGINT) AS ack_late, \
             CAST(SUM(reply_on_time) AS BIGINT) AS reply_on_time, CAST(SUM(reply_late) AS BIGINT) AS reply_late";
    [
        format!(
            "SELECT scope_id, own, level, {sums} FROM (\
             SELECT scope_id, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late FROM letter_tallies \
             WHERE scope_id IN ({ids}) AND received_on >= $1 AND received_on <= $2 \
             UNION ALL SELECT scope_id, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late FROM letter_months \
             WHERE scope_id IN ({ids}) AND month >= $3 AND month <= $4 \
             UNION ALL SELECT scope_id, own, level, received, ack_on_time, ack_late, reply_on_time, reply_late FROM letter_tallies \
             WHERE scope_id IN ({ids}) AND received_on >= $5 AND received_on <= $6) k \
             GROUP BY scope_id, own, level"
        ),
        format!(
            "SELECT scope_id, own, level, step, CAST(SUM(n) AS BIGINT) AS n FROM letter_open \
             WHERE scope_id IN ({ids}) AND received_on >= $1 AND received_on <= $2 AND due < $3 \
             GROUP BY scope_id, own, level, step"
        ),
    ]
}

/// The binds of [`figures_sql`]'s first statement for [`from`, `to`]: the days before the first
/// whole month, the whole months (`YYYY-MM`), the days after the last (an empty range is bound
/// as a later start than end).
pub fn period_parts(from: NaiveDate, to: NaiveDate) -> [String; 6] {
    use chrono::Datelike;
    let empty = ["9999-12-31".to_string(), "0000-01-01".to_string()];
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let month = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    // the first whole month starts on `from` or on the first of the month after it; the last
    // ends on `to` or on the last day of the month before `to`'s
    let start = if from.day() == 1 {
        Some(from)
    } else {
        first_of(from).checked_add_months(chrono::Months::new(1))
    };
    let last = to.succ_opt().and_then(|after| first_of(after).pred_opt());
    match (start, last) {
        (Some(start), Some(last)) if start <= last => {
            let [h1, h2] = if from < start {
                [
                    from.to_string(),
                    start.pred_opt().unwrap_or(from).to_string(),
                ]
            } else {
                empty.clone()
            };
            let [t1, t2] = if last < to {
                [last.succ_opt().unwrap_or(to).to_string(), to.to_string()]
            } else {
                empty
            };
            [h1, h2, month(start), month(last), t1, t2]
        }
        _ => {
            let [m1, m2] = empty.clone();
            let [t1, t2] = empty;
            [from.to_string(), to.to_string(), m1, m2, t1, t2]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::period_parts;
    #[test]
    fn a_period_is_whole_months_and_the_days_at_either_end() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let none = ["9999-12-31", "0000-01-01"];
        for (from, to, want) in [
            (
                "2020-01-01",
                "2020-12-31",
                [none[0], none[1], "2020-01", "2020-12", none[0], none[1]],
            ),
            (
                "2020-01-15",
                "2020-03-10",
                [
                    "2020-01-15",
                    "2020-01-31",
                    "2020-02",
                    "2020-02",
                    "2020-03-01",
                    "2020-03-10",
                ],
            ),
            (
                "2020-02-01",
                "2020-02-29",
                [none[0], none[1], "2020-02", "2020-02", none[0], none[1]],
            ),
            (
                "2020-02-02",
                "2020-02-29",
                [
                    "2020-02-02",
                    "2020-02-29",
                    none[0],
                    none[1],
                    none[0],
                    none[1],
                ],
            ),
            (
                "2020-01-01",
                "2020-11-05",
                [
                    none[0],
                    none[1],
                    "2020-01",
                    "2020-10",
                    "2020-11-01",
                    "2020-11-05",
                ],
            ),
            (
                "2020-03-05",
                "2020-03-04",
                [
                    "2020-03-05",
                    "2020-03-04",
                    none[0],
                    none[1],
                    none[0],
                    none[1],
                ],
            ),
        ] {
            assert_eq!(
                period_parts(d(from), d(to)),
                want.map(String::from),
                "{from} {to}"
            );
        }
    }
}

/// The letters of a scope (binds as [`Store::letter_metrics`]) whose step (`done`, owed by
/// `due`) was recorded after the as-of day `$5`, per holding unit: found through the index of
/// that step's days, so as of today it reads nothing.
pub fn answered_after_sql(subtree: bool, done: &str, due: &str) -> String {
    format!(
        "SELECT l.unit_id, u.path, u.level, \
         SUM(CASE WHEN l.{done} <= l.{due} THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN l.{done} > l.{due} THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN l.{due} < $5 THEN 1 ELSE 0 END) AS overdue \
         FROM letters l JOIN units u ON u.id = l.unit_id \
         WHERE l.id IN (SELECT x.id FROM letters x WHERE x.{done} > $5) AND l.unit_id IN {} \
         AND l.received_on >= $3 AND l.received_on <= $4 \
         GROUP BY l.unit_id, u.path, u.level",
        units_of(subtree)
    )
}

/// The units counted: unit `$1` alone, or with its subtree through the closure (an index range,
/// not a scan of the units' paths). `$2` is the subtree's path pattern, empty for the unit alone.
fn units_of(subtree: bool) -> &'static str {
    if subtree {
        "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1 AND $2 <> '')"
    } else {
        "(SELECT u.id FROM units u WHERE u.id = $1 AND $2 = '')"
    }
}

/// The seven reply-rate counts, in this order: received, then on time, late and overdue open
/// for the acknowledgement and for the reply. Signed: a correction takes back what was kept.
pub(crate) type Counts = [i64; 7];

/// The kept figures of one scope, day range and as-of day: per scope, own letters or a lower
/// unit's, and the holding unit's level.
pub(crate) struct Tally {
    pub scope: i64,
    pub own: bool,
    pub level: i64,
    pub counts: Counts,
}

impl Store {
    /// The kept figures (migration 0045) of the letters received in [`from`, `to`] within each of
    /// `scopes`, as they stand after every recorded step, with the letters overdue on `as_of`
    /// among those not yet answered. Sums O(scopes × days × levels) kept rows.
    pub(crate) async fn tallies(
        &self,
        scopes: &[i64],
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<Tally>> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let ids = scopes
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let [done, open] = figures_sql(&ids);
        let mut done = sqlx::query(sqlx::AssertSqlSafe(done));
        for b in period_parts(from, to) {
            done = done.bind(b);
        }
        let done = done.fetch_all(&self.pool).await?;
        let open = sqlx::query(sqlx::AssertSqlSafe(open))
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(as_of.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<Tally> = Vec::with_capacity(done.len());
        let key = |r: &sqlx::any::AnyRow| -> Result<(i64, bool, i64)> {
            Ok((
                crate::int(r, "scope_id")?,
                crate::int(r, "own")? == 1,
                crate::int(r, "level")?,
            ))
        };
        for r in &done {
            let (scope, own, level) = key(r)?;
            let mut counts = [0i64; 7];
            for (i, col) in [
                (0, "received"),
                (1, "ack_on_time"),
                (2, "ack_late"),
                (4, "reply_on_time"),
                (5, "reply_late"),
            ] {
                counts[i] = crate::int(r, col)?;
            }
            out.push(Tally {
                scope,
                own,
                level,
                counts,
            });
        }
        for r in &open {
            let (scope, own, level) = key(r)?;
            let at = if r.try_get::<String, _>("step")? == "ack" {
                3
            } else {
                6
            };
            let n = crate::int(r, "n")?;
            match out
                .iter_mut()
                .find(|t| t.scope == scope && t.own == own && t.level == level)
            {
                Some(t) => t.counts[at] += n,
                None => {
                    let mut counts = [0i64; 7];
                    counts[at] = n;
                    out.push(Tally {
                        scope,
                        own,
                        level,
                        counts,
                    });
                }
            }
        }
        Ok(out)
    }

    /// What the kept figures count that `as_of` must not: the letters of the scope answered after
    /// it (a past as-of day), each holding unit's (id, path, level) with its correction — not yet
    /// on time or late, overdue if their deadline had passed. Read from the indexes of the
    /// answered days: for as-of today, nothing.
    async fn answered_after(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<(i64, String, i64, Counts)>> {
        let mut out: Vec<(i64, String, i64, Counts)> = Vec::new();
        // the latest day either step was recorded for, from the ends of their two indexes: as of
        // that day or later there is nothing to take back, and the corrections are not read
        let r = sqlx::query(
            "SELECT (SELECT MAX(acknowledged_on) FROM letters WHERE acknowledged_on IS NOT NULL) AS ack, \
             (SELECT MAX(replied_on) FROM letters WHERE replied_on IS NOT NULL) AS reply",
        )
        .fetch_one(&self.pool)
        .await?;
        let latest = [r.try_get::<Option<String>, _>("ack")?, r.try_get("reply")?];
        let as_of_text = as_of.to_string();
        if latest.iter().flatten().all(|d| *d <= as_of_text) {
            return Ok(out);
        }
        for (at, done, due) in [
            (1, "acknowledged_on", "ack_due"),
            (4, "replied_on", "reply_due"),
        ] {
            // a past day may read every letter answered since: planned per execution (`scoped`)
            let rows = scoped(
                answered_after_sql(subtree, done, due),
                unit,
                subtree,
                [from, to, as_of],
            )
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                let id = crate::int(r, "unit_id")?;
                let i = match out.iter().position(|o| o.0 == id) {
                    Some(i) => i,
                    None => {
                        out.push((id, r.try_get("path")?, crate::int(r, "level")?, [0; 7]));
                        out.len() - 1
                    }
                };
                let c = &mut out[i].3;
                c[at] -= crate::int(r, "on_time")?;
                c[at + 1] -= crate::int(r, "late")?;
                c[at + 2] += crate::int(r, "overdue")?;
            }
        }
        Ok(out)
    }
}

/// Reply rates of one row of a breakdown: a unit (its own letters or its whole subtree) or a level.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsRow {
    pub unit_id: i64,
    pub name: String,
    pub level: i64,
    pub metrics: LetterMetrics,
}

pub(crate) fn add_counts(a: &mut Counts, b: &Counts) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

pub(crate) fn metrics_of(c: &Counts) -> LetterMetrics {
    let n = |i: usize| c[i].max(0) as u64;
    LetterMetrics {
        received: n(0),
        ack: Rate::new(n(1), n(2), n(3)),
        reply: Rate::new(n(4), n(5), n(6)),
        recorded_late: None,
        assigned: None,
        notified: None,
        satisfaction: None,
    }
}

impl Store {
    /// The figures of [`Store::letter_metrics`] (the unit's own letters, or with its subtree),
    /// and the same broken down: the unit's own letters, each directly subordinate unit with its
    /// whole subtree, and each level below the unit. Read from the kept figures of the unit and of
    /// its direct subordinates in one pass (a page shows all three).
    pub async fn letter_metrics_breakdown(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<(LetterMetrics, Vec<MetricsRow>, Vec<MetricsRow>)> {
        let mut children: Vec<(i64, String, i64, String)> = Vec::new();
        for u in sqlx::query(
            "SELECT id, path, level, name FROM units WHERE parent_id = $1 AND level = $2 ORDER BY id",
        )
        .bind(unit.id)
        .bind(unit.level + 1)
        .fetch_all(&self.pool)
        .await?
        {
            children.push((
                crate::int(&u, "id")?,
                u.try_get("path")?,
                crate::int(&u, "level")?,
                u.try_get("name")?,
            ));
        }
        let mut scopes = vec![unit.id];
        scopes.extend(children.iter().map(|c| c.0));
        let mut own = [0i64; 7];
        let mut per_child: Vec<Counts> = vec![[0; 7]; children.len()];
        let mut per_level: std::collections::BTreeMap<i64, Counts> = Default::default();
        for t in self.tallies(&scopes, from, to, as_of).await? {
            if t.scope == unit.id {
                add_counts(per_level.entry(t.level).or_default(), &t.counts);
                if t.own {
                    add_counts(&mut own, &t.counts);
                }
            } else if let Some(i) = children.iter().position(|ch| ch.0 == t.scope) {
                add_counts(&mut per_child[i], &t.counts);
            }
        }
        for (id, path, level, fix) in self.answered_after(unit, true, from, to, as_of).await? {
            add_counts(per_level.entry(level).or_default(), &fix);
            if id == unit.id {
                add_counts(&mut own, &fix);
            } else if let Some(i) = children.iter().position(|ch| path.starts_with(&ch.1)) {
                add_counts(&mut per_child[i], &fix);
            }
        }
        let mut by_unit = vec![MetricsRow {
            unit_id: unit.id,
            name: unit.name.clone(),
            level: unit.level,
            metrics: metrics_of(&own),
        }];
        for (ch, c) in children.iter().zip(&per_child) {
            if c[0] > 0 {
                by_unit.push(MetricsRow {
                    unit_id: ch.0,
                    name: ch.3.clone(),
                    level: ch.2,
                    metrics: metrics_of(c),
                });
            }
        }
        let mut total = [0i64; 7];
        for c in per_level.values() {
            add_counts(&mut total, c);
        }
        let metrics = self
            .with_answers(
                unit,
                subtree,
                from,
                to,
                as_of,
                metrics_of(if subtree { &total } else { &own }),
            )
            .await?;
        let by_level = per_level
            .iter()
            .filter(|(_, c)| c[0] > 0)
            .map(|(level, c)| MetricsRow {
                unit_id: 0,
                name: String::new(),
                level: *level,
                metrics: metrics_of(c),
            })
            .collect();
        Ok((metrics, by_unit, by_level))
    }
}
