//! The quality page's figures in one pass: the scope's cases and events of the period read once,
//! grouped by holding unit, case type and month, and summed in memory into every row the page
//! shows (the scope, the unit's own, each unit below it, each level, each case type, each month)
//! — instead of a unit's figures once per row (56 times for the SPP, each probing every unit of
//! the country). [`Store::quality_figures`] is the first row; each row equals it for that row's
//! scope, type or month (a test checks it on both databases). The sums counted for a scope and
//! question are kept until cases are imported into the scope (see `kept.rs`).
use super::{CaseFilter, QualityFigures};
use crate::org::Unit;
use crate::{Result, Store};
use chrono::{Datelike, NaiveDate};
use duban_domain::quality::{self as q, CASE_TYPES, CaseRatio, Event, QualityRules};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Every row of the quality page for a unit (with its subtree when asked) over a period.
#[derive(Debug, Clone, Default)]
pub struct QualityBreakdown {
    pub total: QualityFigures,
    /// with a subtree: the unit's own cases, then each unit directly below it with its subtree
    pub own: Option<QualityFigures>,
    pub children: Vec<(Unit, QualityFigures)>,
    /// with a subtree: each level below the unit's
    pub by_level: Vec<(i64, QualityFigures)>,
    /// each case type (the filter's type set aside)
    pub by_type: Vec<(&'static str, QualityFigures)>,
    /// each month of the period (at most 24), its first and last day within the period
    pub months: Vec<(NaiveDate, NaiveDate, QualityFigures)>,
}

/// What is summed for a row before its ratios are worked out.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Sums {
    an: u64,
    extras: BTreeMap<String, u64>,
    concluded: u64,
    with_plea: u64,
    persons: u64,
    persons_with_plea: u64,
    events: BTreeMap<String, u64>,
}

impl Sums {
    fn figures(self, rules: &QualityRules) -> QualityFigures {
        QualityFigures {
            ratio: CaseRatio::new(self.an, self.extras, rules),
            concluded: self.concluded,
            with_plea: self.with_plea,
            plea_rate: q::rate(self.with_plea, self.concluded),
            persons: self.persons,
            persons_with_plea: self.persons_with_plea,
            plea_rate_persons: q::rate(self.persons_with_plea, self.persons),
            events: self.events,
        }
    }
}

/// The rows a holding unit's figures go to: slots in one vector of sums.
struct Rows {
    unit: Unit,
    subtree: bool,
    case_type: Option<String>,
    level: Option<i64>,
    children: Vec<Unit>,
    /// (first day, last day, "YYYY-MM")
    months: Vec<(NaiveDate, NaiveDate, String)>,
    /// holding unit → (path, level)
    units: HashMap<i64, (String, i64)>,
}

const TOTAL: usize = 0;
const OWN: usize = 1;

impl Rows {
    fn child_slot(&self, i: usize) -> usize {
        2 + i
    }
    fn level_slot(&self, level: i64) -> Option<usize> {
        (level > self.unit.level && level <= 4)
            .then(|| 2 + self.children.len() + (level - self.unit.level - 1) as usize)
    }
    fn type_slot(&self, t: &str) -> Option<usize> {
        CASE_TYPES
            .iter()
            .position(|x| *x == t)
            .map(|i| 2 + self.children.len() + 4 + i)
    }
    fn month_slot(&self, m: &str) -> Option<usize> {
        self.months
            .iter()
            .position(|x| x.2 == m)
            .map(|i| 2 + self.children.len() + 4 + CASE_TYPES.len() + i)
    }
    fn len(&self) -> usize {
        2 + self.children.len() + 4 + CASE_TYPES.len() + self.months.len()
    }
    /// Whether a holding unit passes the filter's level (every row is of units of that level).
    fn level_kept(&self, unit_id: i64) -> bool {
        self.level
            .is_none_or(|l| self.units.get(&unit_id).is_some_and(|u| u.1 == l))
    }
    /// The rows of the whole period that a unit's figures of a case type go to.
    fn period_slots(&self, unit_id: i64, case_type: &str) -> Vec<usize> {
        let mut out = Vec::new();
        if !self.level_kept(unit_id) {
            return out;
        }
        if let Some(s) = self.type_slot(case_type) {
            out.push(s);
        }
        if self.case_type.as_deref().is_some_and(|t| t != case_type) {
            return out;
        }
        out.push(TOTAL);
        if !self.subtree {
            return out;
        }
        if unit_id == self.unit.id {
            out.push(OWN);
        }
        if let Some((path, level)) = self.units.get(&unit_id) {
            if let Some(i) = self.children.iter().position(|c| path.starts_with(&c.path)) {
                out.push(self.child_slot(i));
            }
            if let Some(s) = self.level_slot(*level) {
                out.push(s);
            }
        }
        out
    }
    /// The month's row a unit's figures of a case type go to.
    fn month_of(&self, unit_id: i64, case_type: &str, month: &str) -> Option<usize> {
        if self.case_type.as_deref().is_some_and(|t| t != case_type) || !self.level_kept(unit_id) {
            return None;
        }
        self.month_slot(month)
    }
}

/// Adds `n` of `k` (a count of none is not listed, as a row read alone lists none).
fn add(map: &mut BTreeMap<String, u64>, k: &str, n: u64) {
    if n > 0 {
        *map.entry(k.to_string()).or_insert(0) += n;
    }
}

impl Store {
    /// Every row of the quality page at once (see the module's note).
    pub async fn quality_breakdown(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        filter: &CaseFilter,
    ) -> Result<QualityBreakdown> {
        let rules = self.quality_rules().await?;
        let children = if subtree {
            self.children(unit.id).await?
        } else {
            Vec::new()
        };
        let mut months = Vec::new();
        let mut m = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
        while m <= to && months.len() < 24 {
            let next = m
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(to + chrono::Duration::days(1));
            let last = (next - chrono::Duration::days(1)).min(to);
            months.push((
                m.max(from),
                last,
                format!("{:04}-{:02}", m.year(), m.month()),
            ));
            m = next;
        }
        let mut rows = Rows {
            unit: unit.clone(),
            subtree,
            case_type: filter.case_type.clone(),
            level: filter.level,
            children,
            months,
            units: HashMap::new(),
        };
        let question = super::kept::question(subtree, from, to, filter, &rules);
        let len = rows.len();
        let count = self.count_sums(&mut rows, from, to, filter, &rules);
        let sums: Vec<Sums> = self
            .kept(unit.id, &question, |s: &Vec<Sums>| s.len() == len, count)
            .await?;
        let mut figures = sums.into_iter().map(|s| s.figures(&rules));
        let mut next = || figures.next().unwrap_or_default();
        let total = next();
        let own = next();
        let children = rows.children.iter().map(|c| (c.clone(), next())).collect();
        let levels: Vec<(i64, QualityFigures)> = (1..=4).map(|l| (l, next())).collect();
        let by_type = CASE_TYPES.iter().map(|t| (*t, next())).collect();
        let months = rows
            .months
            .iter()
            .map(|(a, b, _)| (*a, *b, next()))
            .collect();
        Ok(QualityBreakdown {
            total,
            own: subtree.then_some(own),
            children,
            by_level: levels
                .into_iter()
                .enumerate()
                .filter(|(i, _)| subtree && (*i as i64) < 4 - unit.level)
                .map(|(i, (_, f))| (unit.level + 1 + i as i64, f))
                .collect(),
            by_type,
            months,
        })
    }

    /// The sums of every row of `rows` counted from the scope's cases and events of the period
    /// (the holding units met are filled into `rows`).
    async fn count_sums(
        &self,
        rows: &mut Rows,
        from: NaiveDate,
        to: NaiveDate,
        filter: &CaseFilter,
        rules: &QualityRules,
    ) -> Result<Vec<Sums>> {
        let (unit, subtree) = (&rows.unit, rows.subtree);
        // $1 unit, $2 subtree path, $3 from, $4 to, $5 tag ('' = none)
        let units = if subtree {
            "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1 AND $2 <> '')"
        } else {
            "(SELECT u.id FROM units u WHERE u.id = $1 AND $2 = '')"
        };
        let tagged = |id: &str| {
            format!(
                "($5 = '' OR EXISTS (SELECT 1 FROM case_tags t WHERE t.tag = $5 AND t.case_id = {id}))"
            )
        };
        let like = if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        };
        let tag = filter.tag.clone().unwrap_or_default();
        let fetch = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(unit.id)
                .bind(like.clone())
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(tag.clone())
                .fetch_all(&self.pool)
        };
        // 案 of regular cases by the month they entered; their extra steps by the month of that
        // entry, those by the end of that month apart (a month's row counts only them)
        let an = fetch(format!(
            "SELECT c.unit_id, c.case_type, substr(c.entry_on, 1, 7) AS m, COUNT(*) AS n FROM cases c \
             WHERE c.unit_id IN {units} AND c.entry_on >= $3 AND c.entry_on <= $4 AND {} \
             GROUP BY c.unit_id, c.case_type, substr(c.entry_on, 1, 7)",
            tagged("c.id")
        ))
        .await?;
        let extras = fetch(format!(
            "SELECT e.unit_id, e.case_type, substr(e.extra_entry_on, 1, 7) AS m, e.event, COUNT(*) AS n, \
             SUM(CASE WHEN substr(e.on_date, 1, 7) <= substr(e.extra_entry_on, 1, 7) THEN 1 ELSE 0 END) AS in_month \
             FROM case_events e WHERE e.unit_id IN {units} AND e.extra_entry_on >= $3 AND e.extra_entry_on <= $4 \
             AND e.on_date <= $4 AND {} GROUP BY e.unit_id, e.case_type, substr(e.extra_entry_on, 1, 7), e.event",
            tagged("e.case_id")
        ))
        .await?;
        // irregular cases from their events, by definition, per period
        let irregular = fetch(format!(
            "SELECT c.unit_id, c.case_type, e.case_id, e.on_date, e.id, e.event FROM cases c JOIN case_events e ON e.case_id = c.id \
             WHERE c.irregular = 1 AND c.unit_id IN {units} AND {} AND EXISTS \
             (SELECT 1 FROM case_events x WHERE x.case_id = c.id AND x.on_date >= $3 AND x.on_date <= $4) ORDER BY e.case_id",
            tagged("c.id")
        ))
        .await?;
        let plea = fetch(format!(
            "SELECT c.unit_id, c.case_type, substr(c.concluded_on, 1, 7) AS m, COUNT(*) AS concluded, \
             CAST(COALESCE(SUM(c.plea), 0) AS BIGINT) AS with_plea, \
             CAST(COALESCE(SUM(COALESCE(c.persons, 1)), 0) AS BIGINT) AS persons, \
             CAST(COALESCE(SUM(CASE WHEN c.plea <> 1 THEN 0 WHEN c.plea_persons IS NULL THEN COALESCE(c.persons, 1) WHEN c.plea_persons > COALESCE(c.persons, 1) THEN COALESCE(c.persons, 1) ELSE c.plea_persons END), 0) AS BIGINT) AS persons_with_plea \
             FROM cases c WHERE c.unit_id IN {units} AND c.concluded_on >= $3 AND c.concluded_on <= $4 AND {} \
             GROUP BY c.unit_id, c.case_type, substr(c.concluded_on, 1, 7)",
            tagged("c.id")
        ))
        .await?;
        // events in the period by month: from the months' or days' counts, or (for a tag) from
        // the tagged cases
        let events_sql = if filter.tag.is_some() {
            format!(
                "SELECT e.unit_id, e.case_type, substr(e.on_date, 1, 7) AS m, e.event, COUNT(*) AS n FROM case_events e \
                 JOIN case_tags t ON t.case_id = e.case_id AND t.tag = $5 WHERE e.on_date >= $3 AND e.on_date <= $4 \
                 AND e.unit_id IN {units} GROUP BY e.unit_id, e.case_type, substr(e.on_date, 1, 7), e.event"
            )
        } else if from.day() == 1 && (to + chrono::Duration::days(1)).day() == 1 {
            format!(
                "SELECT d.unit_id, d.case_type, d.month AS m, d.event, CAST(SUM(d.n) AS BIGINT) AS n FROM case_event_months d \
                 WHERE d.month >= substr($3, 1, 7) AND d.month <= substr($4, 1, 7) AND d.unit_id IN {units} AND $5 = '' \
                 GROUP BY d.unit_id, d.case_type, d.month, d.event"
            )
        } else {
            format!(
                "SELECT d.unit_id, d.case_type, substr(d.on_date, 1, 7) AS m, d.event, CAST(SUM(d.n) AS BIGINT) AS n \
                 FROM case_event_days d WHERE d.on_date >= $3 AND d.on_date <= $4 AND d.unit_id IN {units} AND $5 = '' \
                 GROUP BY d.unit_id, d.case_type, substr(d.on_date, 1, 7), d.event"
            )
        };
        let events = fetch(events_sql).await?;
        // the holding units met: their paths and levels, for the rows below the unit
        let mut ids: Vec<i64> = Vec::new();
        for r in an
            .iter()
            .chain(&extras)
            .chain(&irregular)
            .chain(&plea)
            .chain(&events)
        {
            ids.push(crate::int(r, "unit_id")?);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut units_met = HashMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT u.id, u.path, u.level FROM units u WHERE u.id IN (SELECT CAST(CAST(j.value AS TEXT) AS BIGINT) FROM {})",
                crate::json_rows_for(self.backend, 1)
            );
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(serde_json::to_string(&ids).unwrap_or_default())
                .fetch_all(&self.pool)
                .await?
            {
                units_met.insert(
                    crate::int(&r, "id")?,
                    (r.try_get::<String, _>("path")?, crate::int(&r, "level")?),
                );
            }
        }
        rows.units = units_met;
        let rows = &*rows;
        let mut sums: Vec<Sums> = (0..rows.len()).map(|_| Sums::default()).collect();
        let key = |r: &sqlx::any::AnyRow| -> Result<(i64, String, String)> {
            Ok((
                crate::int(r, "unit_id")?,
                r.try_get("case_type")?,
                r.try_get::<Option<String>, _>("m")?.unwrap_or_default(),
            ))
        };
        for r in &an {
            let (u, t, m) = key(r)?;
            let n = crate::int(r, "n")? as u64;
            for s in rows
                .period_slots(u, &t)
                .into_iter()
                .chain(rows.month_of(u, &t, &m))
            {
                sums[s].an += n;
            }
        }
        for r in &extras {
            let (u, t, m) = key(r)?;
            let event: String = r.try_get("event")?;
            for s in rows.period_slots(u, &t) {
                add(&mut sums[s].extras, &event, crate::int(r, "n")? as u64);
            }
            if let Some(s) = rows.month_of(u, &t, &m) {
                add(
                    &mut sums[s].extras,
                    &event,
                    crate::int(r, "in_month")? as u64,
                );
            }
        }
        for r in &plea {
            let (u, t, m) = key(r)?;
            let v = [
                crate::int(r, "concluded")? as u64,
                crate::int(r, "with_plea")? as u64,
                crate::int(r, "persons")? as u64,
                crate::int(r, "persons_with_plea")? as u64,
            ];
            for s in rows
                .period_slots(u, &t)
                .into_iter()
                .chain(rows.month_of(u, &t, &m))
            {
                let x = &mut sums[s];
                x.concluded += v[0];
                x.with_plea += v[1];
                x.persons += v[2];
                x.persons_with_plea += v[3];
            }
        }
        for r in &events {
            let (u, t, m) = key(r)?;
            let event: String = r.try_get("event")?;
            let n = crate::int(r, "n")? as u64;
            for s in rows
                .period_slots(u, &t)
                .into_iter()
                .chain(rows.month_of(u, &t, &m))
            {
                add(&mut sums[s].events, &event, n);
            }
        }
        // an irregular case: its 案 and extra steps over the period, and over each month
        let mut cases: BTreeMap<i64, (i64, String, Vec<Event>)> = BTreeMap::new();
        for r in &irregular {
            let on: String = r.try_get("on_date")?;
            let (u, t): (i64, String) = (crate::int(r, "unit_id")?, r.try_get("case_type")?);
            let c = cases
                .entry(r.try_get("case_id")?)
                .or_insert_with(|| (u, t, Vec::new()));
            c.2.push(Event {
                on: crate::day(&on)?,
                seq: r.try_get("id")?,
                name: r.try_get("event")?,
            });
        }
        for (u, t, events) in cases.values() {
            let (a, by) = q::case_ratio_of(events, from, to, rules);
            for s in rows.period_slots(*u, t) {
                sums[s].an += a;
                for (e, n) in &by {
                    add(&mut sums[s].extras, e, *n);
                }
            }
            for (first, last, m) in &rows.months {
                if let Some(s) = rows.month_of(*u, t, m) {
                    let (a, by) = q::case_ratio_of(events, *first, *last, rules);
                    sums[s].an += a;
                    for (e, n) in &by {
                        add(&mut sums[s].extras, e, *n);
                    }
                }
            }
        }
        Ok(sums)
    }
}
