//! Reply-rate metrics: per unit and period, and broken down by unit.
use crate::org::Unit;
use crate::{Result, Store};
use chrono::NaiveDate;
use duban_domain::letters::Rate;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

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
        let like = if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        };
        // planned per execution: whether the scope is one unit or a subtree (and which) changes
        // the best plan, and a generic plan over the year's letters was measured 2× slower on
        // PostgreSQL (PERFORMANCE.md, generic or custom plans)
        let one = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(unit.id)
                .bind(like.clone())
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(as_of.to_string())
                .fetch_one(&self.pool)
        };
        let r = one(format!(
            "SELECT COUNT(*) AS received, {} FROM letters l WHERE l.unit_id IN {} \
             AND l.received_on >= $3 AND l.received_on <= $4",
            metric_counts(),
            units_of(subtree)
        ))
        .await?;
        let n = |c: &str| -> Result<u64> { Ok(crate::int(&r, c)? as u64) };
        let late = one(format!(
            "SELECT COUNT(DISTINCT e.letter_id) AS late FROM letter_events e JOIN letters l ON l.id = e.letter_id \
             WHERE e.late_days > 0 AND e.on_date <= $5 AND l.unit_id IN {} \
             AND l.received_on >= $3 AND l.received_on <= $4",
            units_of(subtree)
        ))
        .await?;
        let [notified, ratings, assigned] = answers_sql(subtree);
        let (notified, more, assigned) = (
            one(notified).await?,
            one(ratings).await?,
            one(assigned).await?,
        );
        let m =
            |r: &sqlx::any::AnyRow, c: &str| -> Result<u64> { Ok(crate::int(r, c)?.max(0) as u64) };
        Ok(LetterMetrics {
            received: n("received")?,
            ack: Rate::new(n("ack_on_time")?, n("ack_late")?, n("ack_overdue")?),
            reply: Rate::new(n("reply_on_time")?, n("reply_late")?, n("reply_overdue")?),
            recorded_late: Some(crate::int(&late, "late")? as u64),
            assigned: Some(Rate::new(
                m(&assigned, "on_time")?,
                m(&assigned, "late")?,
                m(&assigned, "overdue")?,
            )),
            notified: Some(m(&notified, "notified")?),
            satisfaction: Some(duban_domain::letters::answers::Satisfaction::new(
                m(&more, "satisfied")?,
                m(&more, "basic")?,
                m(&more, "unsatisfied")?,
            )),
        })
    }
}

/// The figures of answers to writers, each read from an index of its own (binds as
/// [`Store::letter_metrics`]): writers notified and ratings from partial indexes of the letters
/// notified or rated alone, report-backs from the assignments the unit made.
pub fn answers_sql(subtree: bool) -> [String; 3] {
    let units = units_of(subtree);
    [
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

/// The units counted: unit `$1` alone, or with its subtree through the closure (an index range,
/// not a scan of the units' paths). `$2` is the subtree's path pattern, empty for the unit alone.
fn units_of(subtree: bool) -> &'static str {
    if subtree {
        "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1 AND $2 <> '')"
    } else {
        "(SELECT u.id FROM units u WHERE u.id = $1 AND $2 = '')"
    }
}

/// The reply-rate counts of a set of letters on `$5` (as of): received, then on time, late and
/// overdue open for the acknowledgement and for the reply.
/// The columns of [`metric_counts`] after the number received, in the order the figures keep them.
const COUNTS: [&str; 7] = [
    "received",
    "ack_on_time",
    "ack_late",
    "ack_overdue",
    "reply_on_time",
    "reply_late",
    "reply_overdue",
];

pub(crate) fn metric_counts() -> String {
    let counts = |done: &str, due: &str, name: &str| {
        format!(
            "SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} <= l.{due} THEN 1 ELSE 0 END) AS {name}_on_time, \
             SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} > l.{due} THEN 1 ELSE 0 END) AS {name}_late, \
             SUM(CASE WHEN (l.{done} IS NULL OR l.{done} > $5) AND l.{due} < $5 THEN 1 ELSE 0 END) AS {name}_overdue"
        )
    };
    format!(
        "{}, {}",
        counts("acknowledged_on", "ack_due", "ack"),
        counts("replied_on", "reply_due", "reply")
    )
}

/// Reply rates of one row of a breakdown: a unit (its own letters or its whole subtree) or a level.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsRow {
    pub unit_id: i64,
    pub name: String,
    pub level: i64,
    pub metrics: LetterMetrics,
}

pub(crate) fn add_counts(a: &mut [u64; 7], b: &[u64; 7]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

pub(crate) fn metrics_of(c: &[u64; 7]) -> LetterMetrics {
    LetterMetrics {
        received: c[0],
        ack: Rate::new(c[1], c[2], c[3]),
        reply: Rate::new(c[4], c[5], c[6]),
        recorded_late: None,
        assigned: None,
        notified: None,
        satisfaction: None,
    }
}

impl Store {
    /// The same figures as [`Store::letter_metrics`] broken down: the unit's own letters, each
    /// directly subordinate unit with its whole subtree, and each level below the unit. Counted
    /// once per holding unit in SQL, folded here.
    pub async fn letter_metrics_breakdown(
        &self,
        unit: &Unit,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<(Vec<MetricsRow>, Vec<MetricsRow>)> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT l.unit_id, COUNT(*) AS received, {} FROM letters l WHERE l.unit_id IN {} \
             AND l.received_on >= $3 AND l.received_on <= $4 GROUP BY l.unit_id",
            metric_counts(),
            units_of(true)
        ))
        // planned per execution, as `letter_metrics`
        .persistent(false)
        .bind(unit.id)
        .bind(format!("{}%", unit.path))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(as_of.to_string())
        .fetch_all(&self.pool)
        .await?;
        let units = sqlx::query("SELECT id, path, level, name FROM units WHERE path LIKE $1")
            .bind(format!("{}%", unit.path))
            .fetch_all(&self.pool)
            .await?;
        let mut info: HashMap<i64, (String, i64, String)> = HashMap::new();
        for u in &units {
            info.insert(
                u.try_get("id")?,
                (
                    u.try_get("path")?,
                    crate::int(u, "level")?,
                    u.try_get("name")?,
                ),
            );
        }
        let children: Vec<(i64, String, i64, String)> = units
            .iter()
            .filter_map(|u| {
                let (id, path, level, name): (i64, String, i64, String) = (
                    u.try_get("id").ok()?,
                    u.try_get("path").ok()?,
                    crate::int(u, "level").ok()?,
                    u.try_get("name").ok()?,
                );
                (level == unit.level + 1).then_some((id, path, level, name))
            })
            .collect();
        let mut own = [0u64; 7];
        let mut per_child: Vec<[u64; 7]> = vec![[0; 7]; children.len()];
        let mut per_level: std::collections::BTreeMap<i64, [u64; 7]> = Default::default();
        for r in &rows {
            let id: i64 = r.try_get("unit_id")?;
            let mut c = [0u64; 7];
            for (v, col) in c.iter_mut().zip(COUNTS) {
                *v = crate::int(r, col)? as u64;
            }
            let Some((path, level, _)) = info.get(&id) else {
                continue;
            };
            add_counts(per_level.entry(*level).or_default(), &c);
            if id == unit.id {
                add_counts(&mut own, &c);
            } else if let Some(i) = children.iter().position(|ch| path.starts_with(&ch.1)) {
                add_counts(&mut per_child[i], &c);
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
        let by_level = per_level
            .iter()
            .map(|(level, c)| MetricsRow {
                unit_id: 0,
                name: String::new(),
                level: *level,
                metrics: metrics_of(c),
            })
            .collect();
        Ok((by_unit, by_level))
    }
}
