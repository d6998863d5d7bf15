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
        let mut c: Counts = [0; COUNTS];
        for t in self.tallies(&[unit.id], from, to, as_of).await? {
            if subtree || t.own {
                add_counts(&mut c, &t.counts);
            }
        }
        self.with_answers(unit, subtree, [from, to, as_of], &c)
            .await
    }

    /// The figures of the counts `c` with the writers' answers among them (notified, ratings,
    /// letters with a step recorded late) and the report-backs of the 交办 the unit (or its
    /// subtree) made in the period, as they stand on the as-of day: kept per scope and day of
    /// assignment (migration 0051), less those reported after the as-of day.
    async fn with_answers(
        &self,
        unit: &Unit,
        subtree: bool,
        days: [NaiveDate; 3],
        c: &Counts,
    ) -> Result<LetterMetrics> {
        // key ranges of the kept rows whatever the scope: prepared once per connection (planning
        // it each time cost PostgreSQL 1.2 ms, ten times its execution)
        let r = scoped(assignments_sql(subtree), unit, subtree, days)
            .persistent(true)
            .fetch_one(&self.pool)
            .await?;
        let n = |c: &str| -> Result<u64> { Ok(crate::int(&r, c)?.max(0) as u64) };
        let k = |i: usize| c[i].max(0) as u64;
        Ok(LetterMetrics {
            recorded_late: Some(k(RECORDED_LATE)),
            assigned: Some(Rate::new(n("on_time")?, n("late")?, n("overdue")?)),
            notified: Some(k(NOTIFIED)),
            satisfaction: Some(duban_domain::letters::answers::Satisfaction::new(
                k(SATISFIED),
                k(SATISFIED + 1),
                k(SATISFIED + 2),
            )),
            ..metrics_of(c)
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

/// The report-backs of the 交办 made by the scope's units in the period (binds as
/// [`Store::letter_metrics`]): on time and late from the kept days of assignment, overdue from
/// the open ones by the deadline they owe, less (and, if overdue then, plus) those reported after
/// the as-of day, found through the index of the days reported.
pub fn assignments_sql(subtree: bool) -> String {
    let units = units_of(subtree);
    format!(
        "SELECT CAST(COALESCE(SUM(on_time), 0) AS BIGINT) AS on_time, CAST(COALESCE(SUM(late), 0) AS BIGINT) AS late, \
         CAST(COALESCE(SUM(overdue), 0) AS BIGINT) AS overdue FROM (\
         SELECT on_time, late, 0 AS overdue FROM assignment_tallies \
         WHERE scope_id = $1 AND (own = 1 OR $2 <> '') AND assigned_on >= $3 AND assigned_on <= $4 \
         UNION ALL SELECT 0, 0, n FROM assignment_open \
         WHERE scope_id = $1 AND (own = 1 OR $2 <> '') AND assigned_on >= $3 AND assigned_on <= $4 AND due < $5 \
         UNION ALL SELECT CASE WHEN a.reported_on <= a.report_due THEN -1 ELSE 0 END, CASE WHEN a.reported_on > a.report_due THEN -1 ELSE 0 END, \
         CASE WHEN a.report_due < $5 THEN 1 ELSE 0 END FROM letter_assignments a \
         WHERE a.id IN (SELECT x.id FROM letter_assignments x WHERE x.reported_on > $5) AND a.from_unit_id IN {units} \
         AND a.assigned_on >= $3 AND a.assigned_on <= $4) k"
    )
}

/// The kept figures' two statements over the scopes `ids` (a list of unit ids): the letters and
/// their answers on time or late, summed over the whole months of the period from
/// `letter_months` (migration 0048) and over the days at either end from `letter_tallies`
/// (0045) — binds `$1`–`$2` the first days, `$3`–`$4` the months, `$5`–`$6` the last days
/// ([`period_parts`]); and the letters not yet answered whose deadline is before the as-of day
/// (`letter_open`), binds `$1` from, `$2` to, `$3` as of. Each an index range per scope. The
/// first statement's days are bound as sub-selects the planner cannot read: PostgreSQL's custom
/// plans, costed on each call's days, were always estimated cheaper than the generic one (the
/// same index ranges) and it planned the statement on every call (0.33 ms, more than running it).
pub fn figures_sql(ids: &str) -> [String; 2] {
    let sums = KEPT
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let kept = KEPT.join(", ");
    [
        format!(
            "SELECT scope_id, own, level, {sums} FROM (\
             SELECT scope_id, own, level, {kept} FROM letter_tallies \
             WHERE scope_id IN ({ids}) AND received_on >= (SELECT $1) AND received_on <= (SELECT $2) \
             UNION ALL SELECT scope_id, own, level, {kept} FROM letter_months \
             WHERE scope_id IN ({ids}) AND month >= (SELECT $3) AND month <= (SELECT $4) \
             UNION ALL SELECT scope_id, own, level, {kept} FROM letter_tallies \
             WHERE scope_id IN ({ids}) AND received_on >= (SELECT $5) AND received_on <= (SELECT $6)) k \
             GROUP BY scope_id, own, level"
        ),
        format!(
            "SELECT scope_id, own, level, step, CAST(SUM(n) AS BIGINT) AS n FROM letter_open \
             WHERE scope_id IN ({ids}) AND received_on >= $1 AND received_on <= $2 AND due < $3 \
             GROUP BY scope_id, own, level, step"
        ),
    ]
}

/// For a past day `as_of`, the steps recorded after it of the letters of the scopes `ids`
/// received on `days` or in `months` (`YYYY-MM`; [`period_lists`]), which the kept figures count
/// and that day must not (`letter_done`, `letter_done_months`, `letter_done_by_month`, migrations
/// 0065–0066): per scope, own letters or not, level and step, how many were recorded on time or
/// late and how many of them were overdue on the day (a deadline is kept only if missed), or how
/// many in all; the statement and its binds (`$1` the day). An index range per scope and day or
/// month: for a day received, the days recorded after `$1`; for a month received, the months
/// recorded after `$1`'s (`letter_done_by_month`, a row a month however many days) and, of
/// `$1`'s own month, whichever part is shorter: the days recorded after `$1` to the month's end,
/// or the whole month less its days up to `$1` (counted negative; every figure is a sum of
/// counts). `None` for an empty period.
pub fn recorded_after_sql(
    ids: &str,
    days: &[String],
    months: &[String],
    as_of: NaiveDate,
) -> Option<(String, Vec<String>)> {
    use chrono::Datelike;
    let list = |v: &[String]| {
        v.iter()
            .map(|d| format!("'{d}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    let mut binds = vec![as_of.to_string()];
    if !days.is_empty() {
        parts.push(format!(
            "SELECT scope_id, own, level, step, due, n FROM letter_done \
             WHERE scope_id IN ({ids}) AND received_on IN ({}) AND done_on > $1",
            list(days)
        ));
    }
    if !months.is_empty() {
        let first = as_of.with_day(1).unwrap_or(as_of);
        let next = first.checked_add_months(chrono::Months::new(1));
        let month = format!("{:04}-{:02}", as_of.year(), as_of.month());
        let left = next.map_or(0, |n| (n - as_of).num_days() - 1);
        let months = list(months);
        let (days_of_month, from_month) = if i64::from(as_of.day()) <= left {
            // the month's days up to the day taken back from the whole month
            binds.push(first.to_string());
            (
                "-n AS n FROM letter_done_months WHERE done_on >= $2 AND done_on <= $1",
                ">=",
            )
        } else {
            binds.push(next.map_or("9999-12-32".to_string(), |d| d.to_string()));
            (
                "n FROM letter_done_months WHERE done_on > $1 AND done_on < $2",
                ">",
            )
        };
        binds.push(month);
        parts.push(format!(
            "SELECT scope_id, own, level, step, due, {days_of_month} \
             AND scope_id IN ({ids}) AND month IN ({months}) \
             UNION ALL SELECT scope_id, own, level, step, due, n FROM letter_done_by_month \
             WHERE scope_id IN ({ids}) AND month IN ({months}) AND done_month {from_month} $3"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some((
        format!(
            "SELECT scope_id, own, level, step, \
             CAST(SUM(CASE WHEN due = '' THEN n ELSE 0 END) AS BIGINT) AS on_time, \
             CAST(SUM(CASE WHEN due <> '' THEN n ELSE 0 END) AS BIGINT) AS late, \
             CAST(SUM(CASE WHEN due <> '' AND due < $1 THEN n ELSE 0 END) AS BIGINT) AS overdue, \
             CAST(SUM(n) AS BIGINT) AS n FROM ({}) k GROUP BY scope_id, own, level, step",
            parts.join(" UNION ALL ")
        ),
        binds,
    ))
}

/// The days at either end of [`from`, `to`] and its whole months (`YYYY-MM`) between, as lists
/// ([`period_parts`]'s ranges).
pub fn period_lists(from: NaiveDate, to: NaiveDate) -> (Vec<String>, Vec<String>) {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let p = period_parts(from, to);
    let mut days = Vec::new();
    for [a, b] in [[&p[0], &p[1]], [&p[4], &p[5]]] {
        let (Some(mut d), Some(end)) = (day(a), day(b)) else {
            continue;
        };
        while d <= end {
            days.push(d.to_string());
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    let mut months = Vec::new();
    if let (Some(mut m), Some(end)) = (day(&format!("{}-01", p[2])), day(&format!("{}-01", p[3]))) {
        while m <= end {
            months.push(m.format("%Y-%m").to_string());
            m = match m.checked_add_months(chrono::Months::new(1)) {
                Some(n) => n,
                None => break,
            };
        }
    }
    (days, months)
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
    use super::{period_lists, period_parts, recorded_after_sql};
    #[test]
    fn a_correction_reads_the_shorter_part_of_the_days_month() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let m = ["2020-10".to_string()];
        let binds = |as_of| recorded_after_sql("1", &[], &m, d(as_of)).unwrap().1;
        // the 5th: the month less its first five days
        assert_eq!(binds("2020-11-05"), ["2020-11-05", "2020-11-01", "2020-11"]);
        assert!(
            recorded_after_sql("1", &[], &m, d("2020-11-05"))
                .unwrap()
                .0
                .contains("-n AS n")
        );
        // the 20th: the ten days after it
        assert_eq!(binds("2020-11-20"), ["2020-11-20", "2020-12-01", "2020-11"]);
        assert_eq!(binds("2020-12-31"), ["2020-12-31", "2021-01-01", "2020-12"]);
        // days received only: the day alone
        let (_, b) = recorded_after_sql("1", &m, &[], d("2020-11-05")).unwrap();
        assert_eq!(b, ["2020-11-05"]);
        assert!(recorded_after_sql("1", &[], &[], d("2020-11-05")).is_none());
    }
    #[test]
    fn a_period_lists_the_days_at_its_ends_and_its_whole_months() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            period_lists(d("2020-01-30"), d("2020-04-02")),
            (
                v(&["2020-01-30", "2020-01-31", "2020-04-01", "2020-04-02"]),
                v(&["2020-02", "2020-03"])
            )
        );
        assert_eq!(
            period_lists(d("2019-12-01"), d("2020-01-31")),
            (vec![], v(&["2019-12", "2020-01"]))
        );
        assert_eq!(
            period_lists(d("2020-02-03"), d("2020-02-05")),
            (v(&["2020-02-03", "2020-02-04", "2020-02-05"]), vec![])
        );
        assert_eq!(
            period_lists(d("2020-02-05"), d("2020-02-03")),
            (vec![], vec![])
        );
    }
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

/// The units counted: unit `$1` alone, or with its subtree through the closure (an index range,
/// not a scan of the units' paths). `$2` is the subtree's path pattern, empty for the unit alone.
fn units_of(subtree: bool) -> &'static str {
    if subtree {
        "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1 AND $2 <> '')"
    } else {
        "(SELECT u.id FROM units u WHERE u.id = $1 AND $2 = '')"
    }
}

/// The counts of a scope's letters, in this order: received, then on time, late and overdue
/// open for the acknowledgement and for the reply; the writers notified, the ratings satisfied,
/// basically satisfied and unsatisfied, the letters with a step recorded late. Signed: a
/// correction takes back what was kept.
pub(crate) type Counts = [i64; COUNTS];
pub(crate) const COUNTS: usize = 12;
const NOTIFIED: usize = 7;
const SATISFIED: usize = 8;
const RECORDED_LATE: usize = 11;
/// The kept columns (letter_tallies, letter_months) and where each goes in [`Counts`].
const KEPT: [&str; 10] = [
    "received",
    "ack_on_time",
    "ack_late",
    "reply_on_time",
    "reply_late",
    "notified",
    "satisfied",
    "basic",
    "unsatisfied",
    "recorded_late",
];
const KEPT_AT: [usize; 10] = [0, 1, 2, 4, 5, 7, 8, 9, 10, 11];

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
    /// `scopes` as they stand on `as_of`: after every step recorded by then, with the letters
    /// overdue that day among those not yet answered. Sums O(scopes × days × levels) kept rows
    /// (and, for a past day, the steps recorded after it by the days they were recorded).
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
        for r in &done {
            let t = tally_of(&mut out, r)?;
            for (col, i) in KEPT.iter().zip(KEPT_AT) {
                t.counts[i] += crate::int(r, col)?;
            }
        }
        for r in &open {
            let at = if r.try_get::<String, _>("step")? == "ack" {
                3
            } else {
                6
            };
            let n = crate::int(r, "n")?;
            tally_of(&mut out, r)?.counts[at] += n;
        }
        // a step recorded after a past day is only on letters received by the last letter's day
        let after = match self.recorded_after(as_of).await? {
            Some((first, last)) if from.max(first) <= to.min(last) => {
                let (days, months) = period_lists(from.max(first), to.min(last));
                recorded_after_sql(&ids, &days, &months, as_of)
            }
            _ => None,
        };
        if let Some((after, binds)) = after {
            // its text is the period's: not kept among the prepared statements
            let mut after = sqlx::query(sqlx::AssertSqlSafe(after)).persistent(false);
            for b in binds {
                after = after.bind(b);
            }
            let after = after.fetch_all(&self.pool).await?;
            for r in &after {
                let step: String = r.try_get("step")?;
                let [on_time, late, overdue, n] =
                    ["on_time", "late", "overdue", "n"].map(|c| crate::int(r, c));
                // not yet on time or late, overdue if their deadline had passed; not yet
                // notified, rated or recorded late
                let at = match step.as_str() {
                    "ack" => 1,
                    "reply" => 4,
                    "notified" => NOTIFIED,
                    "satisfied" => SATISFIED,
                    "basic" => SATISFIED + 1,
                    "unsatisfied" => SATISFIED + 2,
                    "late" => RECORDED_LATE,
                    // a rating the kept figures do not count either
                    _ => continue,
                };
                let t = tally_of(&mut out, r)?;
                if at == 1 || at == 4 {
                    t.counts[at] -= on_time?;
                    t.counts[at + 1] -= late?;
                    t.counts[at + 2] += overdue?;
                } else {
                    t.counts[at] -= n?;
                }
            }
        }
        Ok(out)
    }

    /// Whether a step was recorded after `as_of` (a past day), and if so the first and last day
    /// a letter was received: read from the ends of the indexes of those days, so as of today
    /// the kept steps by day are not read.
    async fn recorded_after(&self, as_of: NaiveDate) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let r = sqlx::query(
            "SELECT (SELECT MAX(acknowledged_on) FROM letters WHERE acknowledged_on IS NOT NULL) AS ack, \
             (SELECT MAX(replied_on) FROM letters WHERE replied_on IS NOT NULL) AS reply, \
             (SELECT MAX(notified_on) FROM letters WHERE notified_on IS NOT NULL) AS notified, \
             (SELECT MAX(rated_on) FROM letters WHERE rating IS NOT NULL) AS rated, \
             (SELECT MAX(late_on) FROM letters WHERE late_on IS NOT NULL) AS late, \
             (SELECT MIN(received_on) FROM letters) AS first, (SELECT MAX(received_on) FROM letters) AS last",
        )
        .fetch_one(&self.pool)
        .await?;
        let day = |c: &str| -> Result<Option<NaiveDate>> {
            Ok(r.try_get::<Option<String>, _>(c)?
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
        };
        let mut after = false;
        for c in ["ack", "reply", "notified", "rated", "late"] {
            after |= day(c)?.is_some_and(|d| d > as_of);
        }
        Ok(match (after, day("first")?, day("last")?) {
            (true, Some(first), Some(last)) => Some((first, last)),
            _ => None,
        })
    }
}

/// The tally of `r`'s scope, own letters or not and level in `out`, added if not there yet.
fn tally_of<'a>(out: &'a mut Vec<Tally>, r: &sqlx::any::AnyRow) -> Result<&'a mut Tally> {
    let (scope, own, level) = (
        crate::int(r, "scope_id")?,
        crate::int(r, "own")? == 1,
        crate::int(r, "level")?,
    );
    let i = match out
        .iter()
        .position(|t| t.scope == scope && t.own == own && t.level == level)
    {
        Some(i) => i,
        None => {
            out.push(Tally {
                scope,
                own,
                level,
                counts: [0; COUNTS],
            });
            out.len() - 1
        }
    };
    Ok(&mut out[i])
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
        let mut children: Vec<(i64, i64, String)> = Vec::new();
        for u in sqlx::query(
            "SELECT id, level, name FROM units WHERE parent_id = $1 AND level = $2 ORDER BY id",
        )
        .bind(unit.id)
        .bind(unit.level + 1)
        .fetch_all(&self.pool)
        .await?
        {
            children.push((
                crate::int(&u, "id")?,
                crate::int(&u, "level")?,
                u.try_get("name")?,
            ));
        }
        let mut scopes = vec![unit.id];
        scopes.extend(children.iter().map(|c| c.0));
        let mut own: Counts = [0; COUNTS];
        let mut per_child: Vec<Counts> = vec![[0; COUNTS]; children.len()];
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
                    name: ch.2.clone(),
                    level: ch.1,
                    metrics: metrics_of(c),
                });
            }
        }
        let mut total: Counts = [0; COUNTS];
        for c in per_level.values() {
            add_counts(&mut total, c);
        }
        let metrics = self
            .with_answers(
                unit,
                subtree,
                [from, to, as_of],
                if subtree { &total } else { &own },
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
