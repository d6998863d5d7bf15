//! Case quality (案件质量): procedure events imported from the case-handling system, each case's
//! summary kept at import (DECISIONS 43), the 案-件比, the plea-leniency rate, event counts, the
//! time limits' overdue cases and the process-monitoring hits.
use crate::org::{ImportReport, Unit};
use crate::{Actor, Bind, Change, Result, Rows, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use duban_domain::import::{self, CellError, CheckedCases, Table};
use duban_domain::quality::{self as q, CaseRatio, Event, QualityRules};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

const RULES_KEY: &str = "quality_rules";

/// What a case's events make of it (kept on the case row).
struct Derived {
    summary: q::CaseSummary,
    limit: Option<(NaiveDate, NaiveDate, Option<NaiveDate>)>,
    hits: Vec<(String, NaiveDate)>,
}

/// The page cache of a connection writing case events (1 GB; the usual is 64 MB).
const IMPORT_CACHE: &str = "PRAGMA cache_size=-1048576";

/// From this many events on, an import into no more events than it brings builds the secondary
/// indexes below after writing (DECISIONS 56).
const BULK_EVENTS: usize = 1_000_000;

/// The secondary indexes of cases and events, as the migration creates them.
const BULK_INDEXES: &[(&str, &str)] = &[
    (
        "cases_unit_entry",
        "CREATE INDEX cases_unit_entry ON cases(unit_id, entry_on, case_type)",
    ),
    (
        "cases_unit_concluded",
        "CREATE INDEX cases_unit_concluded ON cases(unit_id, concluded_on, case_type, plea)",
    ),
    (
        "cases_due",
        "CREATE INDEX cases_due ON cases(limit_due, unit_id) WHERE limit_due IS NOT NULL",
    ),
    (
        "cases_irregular",
        "CREATE INDEX cases_irregular ON cases(unit_id) WHERE irregular = 1",
    ),
    (
        "case_events_extra",
        "CREATE INDEX case_events_extra ON case_events(extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL",
    ),
    (
        "case_events_unit_extra",
        "CREATE INDEX case_events_unit_extra ON case_events(unit_id, extra_entry_on, on_date, event, case_type) WHERE extra_entry_on IS NOT NULL",
    ),
];

/// The row writers of a case import: cases, events, months, days, tags, hits (the order in which
/// they may be written).
fn case_table_rows(backend: crate::Backend) -> [Rows; 6] {
    [
        Rows::new(
            backend,
            "INSERT INTO cases (id, case_no, unit_id, case_type, tags, entry_on, irregular, concluded_on, plea, limit_start, limit_due, limit_end)",
            "",
            12,
        ),
        Rows::new(
            backend,
            "INSERT INTO case_events (case_id, event, on_date, unit_id, case_type, extra_entry_on)",
            "",
            6,
        ),
        Rows::new(
            backend,
            "INSERT INTO case_event_months (unit_id, month, case_type, event, n)",
            "ON CONFLICT (unit_id, month, case_type, event) DO UPDATE SET n = case_event_months.n + excluded.n",
            5,
        ),
        Rows::new(
            backend,
            "INSERT INTO case_event_days (on_date, unit_id, case_type, event, n)",
            "ON CONFLICT (on_date, unit_id, case_type, event) DO UPDATE SET n = case_event_days.n + excluded.n",
            5,
        ),
        Rows::new(
            backend,
            "INSERT INTO case_tags (tag, case_id)",
            "ON CONFLICT DO NOTHING",
            2,
        ),
        Rows::new(
            backend,
            "INSERT INTO case_hits (case_id, rule, on_date)",
            "ON CONFLICT DO NOTHING",
            3,
        ),
    ]
}

/// What [`case_rows`] leaves to the writer besides the rows it sent.
struct Made {
    added: usize,
    cases_added: usize,
    /// held cases whose summary changed: id, and the row as the `cases` columns
    updates: Vec<(i64, [Bind; 12])>,
}

/// Works out every touched case's rows (new events, summary, tags, hits) and the day and month
/// counts, and sends them to the writer in whole statements: a new case before its events,
/// every case before tags and hits. `None` when the writer stopped listening.
#[allow(clippy::too_many_arguments)]
fn case_rows(
    cases: &[import::CaseRow],
    events: &[(u32, NaiveDate, u16)],
    event_names: &[String],
    ids: &[(i64, bool)],
    mut held: HashMap<i64, Vec<Event>>,
    existing: &HashMap<String, (i64, i64, String, String)>,
    rules: &QualityRules,
    cal: &duban_domain::calendar::WorkCalendar,
    backend: crate::Backend,
    tx: &tokio::sync::mpsc::Sender<crate::Statement>,
) -> Option<Made> {
    let [
        mut case_rows,
        mut event_rows,
        mut month_rows,
        mut day_rows,
        mut tag_rows,
        mut hit_rows,
    ] = case_table_rows(backend);
    let send = |statements: Vec<crate::Statement>| {
        statements.into_iter().all(|q| tx.blocking_send(q).is_ok())
    };
    // a new case's events wait until the case itself is sent (foreign key)
    let mut waiting: Vec<[Bind; 6]> = Vec::new();
    // each day's text made once (days counted from the first event's)
    let first = events.iter().map(|e| e.1).min().unwrap_or_default();
    let mut day_text: Vec<Option<String>> = Vec::new();
    let mut day = |d: NaiveDate| -> Bind {
        let Ok(i) = usize::try_from((d - first).num_days()) else {
            return Bind::Text(d.to_string());
        };
        if i >= day_text.len() {
            day_text.resize(i + 1, None);
        }
        Bind::Text(day_text[i].get_or_insert_with(|| d.to_string()).clone())
    };
    // events per (day, unit, case type, event)
    let mut days: rustc_hash::FxHashMap<(NaiveDate, i64, usize, u16), i64> = Default::default();
    let mut made = Made {
        added: 0,
        cases_added: 0,
        updates: Vec::new(),
    };
    let mut start = 0;
    while start < events.len() {
        let idx = events[start].0;
        let end = start + events[start..].partition_point(|e| e.0 == idx);
        let c = &cases[idx as usize];
        let kind = q::CASE_TYPES
            .iter()
            .position(|t| *t == c.case_type)
            .unwrap_or_default();
        let (id, old) = ids[idx as usize];
        let mut all = held.remove(&id).unwrap_or_default();
        let mut fresh = Vec::new();
        let base = 1_i64 << 40; // after every held event's sequence
        for (k, (_, on, ev)) in events[start..end].iter().enumerate() {
            let name = &event_names[*ev as usize];
            if all.iter().any(|e| e.on == *on && &e.name == name) {
                continue;
            }
            fresh.push((*on, *ev));
            all.push(Event {
                on: *on,
                seq: base + k as i64,
                name: name.clone(),
            });
        }
        start = end;
        if fresh.is_empty() && old {
            continue;
        }
        made.added += fresh.len();
        let d = derive(&all, &c.case_type, rules, cal);
        let entry = d.summary.entry_on;
        for (on, ev) in fresh {
            let name = &event_names[ev as usize];
            let extra = match entry {
                Some(d) if rules.is_extra(name) => day(d),
                _ => Bind::Null,
            };
            let row = [
                Bind::Int(id),
                name.as_str().into(),
                day(on),
                Bind::Int(c.unit_id),
                c.case_type.as_str().into(),
                extra,
            ];
            if old {
                event_rows.push(row);
            } else {
                waiting.push(row);
            }
            *days.entry((on, c.unit_id, kind, ev)).or_insert(0) += 1;
        }
        let (ls, ld, le) = match d.limit {
            Some((s, due, end)) => (Some(s), Some(due), end),
            None => (None, None, None),
        };
        let known_tags: Vec<&str> = existing
            .get(&c.case_no)
            .map(|e| e.3.split(';').filter(|t| !t.is_empty()).collect())
            .unwrap_or_default();
        let mut all_tags = known_tags.clone();
        for t in c.tags.iter().filter(|t| !known_tags.contains(&t.as_str())) {
            all_tags.push(t);
            tag_rows.push([t.as_str().into(), Bind::Int(id)]);
        }
        for (rule, on) in d.hits {
            hit_rows.push([Bind::Int(id), rule.into(), day(on)]);
        }
        let mut opt = |d: Option<NaiveDate>| d.map_or(Bind::Null, &mut day);
        let row = [
            Bind::Int(id),
            c.case_no.as_str().into(),
            Bind::Int(c.unit_id),
            c.case_type.as_str().into(),
            all_tags.join(";").into(),
            opt(entry),
            Bind::Int(i64::from(d.summary.irregular)),
            opt(d.summary.concluded_on),
            Bind::Int(i64::from(d.summary.plea)),
            opt(ls),
            opt(ld),
            opt(le),
        ];
        if old {
            made.updates.push((id, row));
            continue;
        }
        case_rows.push(row);
        made.cases_added += 1;
        if case_rows.full() {
            // every case so far goes out: their events may follow
            if !send(case_rows.take_full()) {
                return None;
            }
            for r in waiting.drain(..) {
                event_rows.push(r);
            }
        }
        if event_rows.full() && !send(event_rows.take_full()) {
            return None;
        }
    }
    for r in waiting {
        event_rows.push(r);
    }
    let mut months: rustc_hash::FxHashMap<(i64, i32, u32, usize, u16), i64> = Default::default();
    for ((on, unit, kind, ev), n) in &days {
        *months
            .entry((*unit, on.year(), on.month(), *kind, *ev))
            .or_insert(0) += n;
    }
    let mut months: Vec<_> = months.into_iter().collect();
    months.sort_unstable();
    for mut rows in [case_rows, event_rows] {
        if !send(rows.take_all()) {
            return None;
        }
    }
    for ((unit, y, m, kind, ev), n) in months {
        month_rows.push([
            Bind::Int(unit),
            Bind::Text(format!("{y:04}-{m:02}")),
            q::CASE_TYPES[kind].into(),
            event_names[ev as usize].as_str().into(),
            Bind::Int(n),
        ]);
        if month_rows.full() && !send(month_rows.take_full()) {
            return None;
        }
    }
    let mut days: Vec<_> = days.into_iter().collect();
    days.sort_unstable();
    for ((on, unit, kind, ev), n) in days {
        day_rows.push([
            day(on),
            Bind::Int(unit),
            q::CASE_TYPES[kind].into(),
            event_names[ev as usize].as_str().into(),
            Bind::Int(n),
        ]);
        if day_rows.full() && !send(day_rows.take_full()) {
            return None;
        }
    }
    for mut rows in [month_rows, day_rows, tag_rows, hit_rows] {
        if !send(rows.take_all()) {
            return None;
        }
    }
    Some(made)
}

fn derive(
    events: &[Event],
    case_type: &str,
    rules: &QualityRules,
    cal: &duban_domain::calendar::WorkCalendar,
) -> Derived {
    let summary = q::summarise(events);
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort();
    let limit = rules
        .time_limits
        .iter()
        .find(|t| t.case_type == case_type)
        .and_then(|t| {
            let start = sorted.iter().find(|e| e.name == t.start)?.on;
            let counting = if t.working_days {
                duban_domain::calendar::Counting::Working
            } else {
                duban_domain::calendar::Counting::Calendar
            };
            let period = duban_domain::calendar::Period::Days(t.days as u32);
            // years without an entered holiday schedule count as plain weeks
            let due = cal
                .deadline(start, period, counting)
                .or_else(|_| {
                    cal.assuming_plain(chrono::Datelike::year(&start))
                        .deadline(start, period, counting)
                })
                .unwrap_or(start + chrono::Duration::days(t.days));
            let end = sorted
                .iter()
                .find(|e| e.name == t.end && e.on >= start)
                .map(|e| e.on);
            Some((start, due, end))
        });
    Derived {
        summary,
        limit,
        hits: q::monitor(events, &rules.monitoring),
    }
}

/// Figures of a unit (or subtree) over a period, optionally for one case type and one tag.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QualityFigures {
    pub ratio: CaseRatio,
    /// cases concluded (审结) in the period, and of them with 认罪认罚
    pub concluded: u64,
    pub with_plea: u64,
    pub plea_rate: Option<f64>,
    /// events in the period by name
    pub events: BTreeMap<String, u64>,
}

impl QualityFigures {
    /// The report's JSON: `{"an", "jian", "ratio", "by_event"}` and the other figures beside.
    pub fn report(&self) -> serde_json::Value {
        json!({
            "an": self.ratio.an,
            "jian": self.ratio.jian,
            "ratio": self.ratio.ratio,
            "by_event": self.ratio.by_event,
            "concluded": self.concluded,
            "with_plea": self.with_plea,
            "plea_rate": self.plea_rate,
            "events": self.events,
        })
    }
}

/// A filter on cases.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub case_type: Option<String>,
    pub tag: Option<String>,
    /// only units of this level (1–4)
    pub level: Option<i64>,
}

/// A case past its time limit.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueCase {
    pub case_no: String,
    pub unit_name: String,
    pub case_type: String,
    pub start: String,
    pub due: String,
    /// when it was concluded (after its due day), if it was
    pub end: Option<String>,
}

/// A process-monitoring hit.
#[derive(Debug, Clone, Serialize)]
pub struct CaseHit {
    pub case_no: String,
    pub unit_name: String,
    pub rule: String,
    pub on_date: String,
    /// the supervised matter it became
    pub task_id: Option<i64>,
}

impl Store {
    /// The quality rules (event vocabulary, time limits, monitoring rules).
    pub async fn quality_rules(&self) -> Result<QualityRules> {
        let raw: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(RULES_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    /// Changes the quality rules (validated, audited); which events are extra steps is
    /// re-applied to the events already imported.
    pub async fn set_quality_rules(&self, actor: &Actor, new: &QualityRules) -> Result<()> {
        new.validate().map_err(StoreError::Invalid)?;
        let old = self.quality_rules().await?;
        let mut w = self.write(actor).await?;
        w.decide_national(duban_domain::access::Action::ManageQuality)?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(RULES_KEY)
            .bind(serde_json::to_string(new).unwrap_or_default())
            .execute(&mut *w.tx)
            .await?;
        let extras: Vec<&str> = new
            .events
            .iter()
            .filter(|e| e.kind == q::EventKind::Extra)
            .map(|e| e.name.as_str())
            .collect();
        sqlx::query(crate::sqlf!(
            "UPDATE case_events SET extra_entry_on = CASE WHEN event IN (SELECT j.value ->> 0 FROM {}) \
             THEN (SELECT c.entry_on FROM cases c WHERE c.id = case_events.case_id) END",
            self.json_rows(1)
        ))
        .bind(serde_json::to_string(&extras.iter().map(|e| [e]).collect::<Vec<_>>()).unwrap_or_default())
        .execute(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "settings.quality",
            entity: "settings",
            entity_id: RULES_KEY.into(),
            unit_id: None,
            before: Some(json!(old)),
            after: Some(json!(new)),
        })
        .await?;
        w.commit().await
    }

    /// A checker for a case-events file (feed it row by row, then
    /// [`Store::import_checked_cases`]).
    pub async fn cases_check(&self) -> Result<import::CasesCheck> {
        self.cases_check_for(&Actor::system("check")).await
    }

    /// [`Store::cases_check`] for a writer: only the units its scope covers are known, so an
    /// event of any other unit is refused with its row and column.
    pub async fn cases_check_for(&self, actor: &Actor) -> Result<import::CasesCheck> {
        use duban_domain::access::{Action, decide_unit_write};
        let who = actor.who();
        if let Some((role, scope)) = who {
            // the right itself, before anything is read
            decide_unit_write(
                role,
                scope,
                Action::ManageQuality,
                scope.unit_id,
                &scope.unit_path,
            )?;
        }
        let mut units = HashMap::new();
        for r in sqlx::query("SELECT code, id, path FROM units")
            .fetch_all(&self.pool)
            .await?
        {
            let (code, id, path): (String, i64, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            if let Some((role, scope)) = who {
                if decide_unit_write(role, scope, Action::ManageQuality, id, &path).is_err() {
                    continue;
                }
            }
            units.insert(code, id);
        }
        let events = self
            .quality_rules()
            .await?
            .events
            .into_iter()
            .map(|e| e.name)
            .collect();
        Ok(import::CasesCheck::new(units, events, crate::today()))
    }

    /// Loads a case-events table (file or API batch): all rows or none.
    pub async fn import_cases(&self, actor: &Actor, table: &Table) -> Result<ImportReport> {
        let mut check = self.cases_check_for(actor).await?;
        for (i, raw) in table.iter().enumerate() {
            check.row(i + 1, raw);
        }
        let checked = check.finish().map_err(StoreError::Import)?;
        self.import_checked_cases(actor, checked).await
    }

    /// Writes checked events in one transaction: new cases and events, events already held
    /// skipped (importing twice adds nothing), a known case named in another unit or of another
    /// type refused (its first row named); each touched case's summary, time limit and monitoring
    /// hits recomputed from all its events. Returns events added (`created`) and cases touched
    /// that existed before (`updated`).
    pub async fn import_checked_cases(
        &self,
        actor: &Actor,
        checked: CheckedCases,
    ) -> Result<ImportReport> {
        self.import_checked_cases_bulk_from(actor, checked, BULK_EVENTS)
            .await
    }

    /// [`Store::import_checked_cases`] with the size from which indexes are built afterwards;
    /// 0 always builds them afterwards (tests take the bulk path with small files).
    #[doc(hidden)]
    pub async fn import_checked_cases_bulk_from(
        &self,
        actor: &Actor,
        checked: CheckedCases,
        bulk_from: usize,
    ) -> Result<ImportReport> {
        let rules = self.quality_rules().await?;
        let cal = self.work_calendar().await?;
        let CheckedCases {
            cases,
            events,
            event_names,
        } = checked;
        let mut w = self.write(actor).await?;
        let sqlite = w.backend == crate::Backend::Sqlite;
        if sqlite {
            // a nationwide file touches indexes far larger than the usual page cache
            sqlx::raw_sql(IMPORT_CACHE).execute(&mut *w.tx).await?;
        }
        let out = self
            .write_cases(&mut w, &rules, &cal, cases, events, event_names, bulk_from)
            .await;
        if sqlite {
            sqlx::raw_sql(crate::SQLITE_CACHE)
                .execute(&mut *w.tx)
                .await?;
        }
        let report = out?;
        w.commit().await?;
        tracing::debug!("cases import: committed");
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_cases(
        &self,
        w: &mut crate::Write,
        rules: &QualityRules,
        cal: &duban_domain::calendar::WorkCalendar,
        cases: Vec<import::CaseRow>,
        events: Vec<(u32, NaiveDate, u16)>,
        event_names: Vec<String>,
        bulk_from: usize,
    ) -> Result<ImportReport> {
        let t0 = std::time::Instant::now();
        let extras: Vec<[&str; 1]> = rules
            .events
            .iter()
            .filter(|e| e.kind == q::EventKind::Extra)
            .map(|e| [e.name.as_str()])
            .collect();
        // ids: existing ones, new ones given here (every write holds the audit chain's lock)
        let mut next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM cases")
            .fetch_one(&mut *w.tx)
            .await?;
        // the cases already held: all of them when they are fewer than the file's (ids are
        // given in sequence, so there are at most `next`), else looked up by number
        let mut existing: HashMap<String, (i64, i64, String, String)> = HashMap::new();
        let read_all = next as usize <= cases.len();
        if read_all {
            for r in sqlx::query("SELECT case_no, id, unit_id, case_type, tags FROM cases")
                .fetch_all(&mut *w.tx)
                .await?
            {
                existing.insert(
                    r.try_get(0)?,
                    (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?),
                );
            }
        } else {
            for chunk in cases.chunks(50_000) {
                let nos: Vec<[&str; 1]> = chunk.iter().map(|c| [c.case_no.as_str()]).collect();
                for r in sqlx::query(crate::sqlf!(
                    "SELECT c.case_no, c.id, c.unit_id, c.case_type, c.tags FROM cases c WHERE c.case_no IN (SELECT j.value ->> 0 FROM {})",
                    self.json_rows(1)
                ))
                .bind(serde_json::to_string(&nos).unwrap_or_default())
                .fetch_all(&mut *w.tx)
                .await?
                {
                    existing.insert(
                        r.try_get(0)?,
                        (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?),
                    );
                }
            }
        }
        let mut problems = Vec::new();
        for c in &cases {
            if let Some((_, unit, kind, _)) = existing.get(&c.case_no) {
                if *unit != c.unit_id {
                    problems.push(CellError {
                        row: c.row,
                        column: "unit_code".into(),
                        message: format!(
                            "案件 {} 已属于另一单位：案件不能在单位之间移动",
                            c.case_no
                        ),
                    });
                } else if *kind != c.case_type {
                    problems.push(CellError {
                        row: c.row,
                        column: "case_type".into(),
                        message: format!("案件 {} 已登记为{kind}案件", c.case_no),
                    });
                }
            }
        }
        if !problems.is_empty() {
            problems.truncate(import::MAX_LISTED_PROBLEMS);
            return Err(StoreError::Import(problems));
        }
        let ids: Vec<(i64, bool)> = cases
            .iter()
            .map(|c| match existing.get(&c.case_no) {
                Some(e) => (e.0, true),
                None => {
                    next += 1;
                    (next, false)
                }
            })
            .collect();
        // the events already held of the touched existing cases
        let old_ids: Vec<[i64; 1]> = ids.iter().filter(|i| i.1).map(|i| [i.0]).collect();
        let mut held: HashMap<i64, Vec<Event>> = HashMap::new();
        for chunk in old_ids.chunks(20_000) {
            for r in sqlx::query(crate::sqlf!(
                "SELECT e.case_id, e.on_date, e.id, e.event FROM case_events e WHERE e.case_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {})",
                self.json_rows(1)
            ))
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .fetch_all(&mut *w.tx)
            .await?
            {
                let on: String = r.try_get(1)?;
                held.entry(r.try_get(0)?).or_default().push(Event {
                    on: duban_domain::calendar::parse_date(&on).unwrap_or_default(),
                    seq: r.try_get(2)?,
                    name: r.try_get(3)?,
                });
            }
        }
        // a large import into few held events builds the secondary indexes afterwards, in one
        // sorted pass, instead of updating them row by row (SQLite only: on PostgreSQL a dropped
        // index would lock readers out of the table until the import commits)
        let held_events: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM case_events")
            .fetch_one(&mut *w.tx)
            .await?;
        let bulk = w.backend == crate::Backend::Sqlite
            && events.len() >= bulk_from
            && (bulk_from == 0 || events.len() as i64 >= held_events);
        if bulk {
            for (name, _) in BULK_INDEXES {
                sqlx::raw_sql(crate::sqlf!("DROP INDEX {name}"))
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        tracing::debug!(
            secs = t0.elapsed().as_secs_f64(),
            bulk,
            "cases import: held cases and events read"
        );
        // per case (events are sorted by case): what its events make of it, worked out on a
        // thread of its own while this one writes the rows it sends (DECISIONS 56)
        let (tx, mut rx) = tokio::sync::mpsc::channel::<crate::Statement>(2);
        let backend = w.backend;
        let (rules2, cal2) = (rules.clone(), cal.clone());
        let producer = tokio::task::spawn_blocking(move || {
            case_rows(
                &cases,
                &events,
                &event_names,
                &ids,
                held,
                &existing,
                &rules2,
                &cal2,
                backend,
                &tx,
            )
        });
        while let Some(q) = rx.recv().await {
            q.execute(&mut *w.tx).await?;
        }
        let Ok(Some(made)) = producer.await else {
            return Err(StoreError::Invalid("案件导入中断".into()));
        };
        // the held extra steps of the updated cases follow their case's entry day (below)
        let update_ids: Vec<[i64; 1]> = made.updates.iter().map(|u| [u.0]).collect();
        for (_, u) in made.updates {
            let mut q = sqlx::query(
                "UPDATE cases SET tags = $5, entry_on = $6, irregular = $7, concluded_on = $8, plea = $9, limit_start = $10, limit_due = $11, \
                 limit_end = $12 WHERE id = $1 AND case_no = $2 AND unit_id = $3 AND case_type = $4",
            );
            for v in u {
                q = crate::bind(q, v);
            }
            q.execute(&mut *w.tx).await?;
        }
        for chunk in update_ids.chunks(20_000) {
            sqlx::query(crate::sqlf!(
                "UPDATE case_events SET extra_entry_on = (SELECT c.entry_on FROM cases c WHERE c.id = case_events.case_id) \
                 WHERE case_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {j}) AND event IN (SELECT x.value ->> 0 FROM {x})",
                j = self.json_rows(1),
                x = self.json_rows(2).replacen(") j", ") x", 1)
            ))
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .bind(serde_json::to_string(&extras).unwrap_or_default())
            .execute(&mut *w.tx)
            .await?;
        }
        tracing::debug!(
            secs = t0.elapsed().as_secs_f64(),
            "cases import: cases, events, aggregates, tags and hits written"
        );
        if bulk {
            for (_, sql) in BULK_INDEXES {
                sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                    .execute(&mut *w.tx)
                    .await?;
            }
            tracing::debug!(
                secs = t0.elapsed().as_secs_f64(),
                "cases import: indexes built"
            );
        }
        let (added, cases_added) = (made.added, made.cases_added);
        w.audit(Change {
            action: "cases.import",
            entity: "case_events",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(
                json!({"events": added, "new_cases": cases_added, "updated_cases": update_ids.len()}),
            ),
        })
        .await?;
        Ok(ImportReport {
            created: added,
            updated: update_ids.len(),
            departments_created: 0,
        })
    }

    /// The figures of a unit (or its subtree) over [from, to].
    pub async fn quality_figures(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        filter: &CaseFilter,
    ) -> Result<QualityFigures> {
        let rules = self.quality_rules().await?;
        // $1 unit, $2 subtree path, $3 from, $4 to, $5 type ('' = all), $6 tag ('' = none)
        let units = format!(
            "(SELECT u.id FROM units u WHERE {} AND ($7 = 0 OR u.level = $7))",
            crate::scope_sql("u", 1, 2)
        );
        let case_filter = |c: &str| {
            format!(
                "($5 = '' OR {c}.case_type = $5) AND ($6 = '' OR EXISTS (SELECT 1 FROM case_tags t WHERE t.tag = $6 AND t.case_id = {c}.id))"
            )
        };
        let event_filter = "($5 = '' OR e.case_type = $5) AND ($6 = '' OR EXISTS (SELECT 1 FROM case_tags t WHERE t.tag = $6 AND t.case_id = e.case_id))";
        let like = if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        };
        let bind = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(unit.id)
                .bind(like.clone())
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(filter.case_type.clone().unwrap_or_default())
                .bind(filter.tag.clone().unwrap_or_default())
                .bind(filter.level.unwrap_or(0))
        };
        // 案 of regular cases: their entry day in the period
        let an: i64 = crate::int(
            &bind(format!(
                "SELECT COUNT(*) FROM cases c WHERE c.unit_id IN {units} AND c.entry_on >= $3 AND c.entry_on <= $4 AND {}",
                case_filter("c")
            ))
            .fetch_one(&self.pool)
            .await?,
            0,
        )?;
        // their extra steps from the entry to the period's end
        let mut ratio = CaseRatio::default();
        ratio.an = an as u64;
        for r in bind(format!(
            "SELECT e.event, COUNT(*) FROM case_events e WHERE e.unit_id IN {units} AND e.extra_entry_on >= $3 AND e.extra_entry_on <= $4 \
             AND e.on_date <= $4 AND {event_filter} GROUP BY e.event"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            ratio
                .by_event
                .insert(r.try_get(0)?, crate::int(&r, 1)? as u64);
        }
        // irregular cases from their events, by definition
        let rows = bind(format!(
            "SELECT e.case_id, e.on_date, e.id, e.event FROM cases c JOIN case_events e ON e.case_id = c.id \
             WHERE c.irregular = 1 AND c.unit_id IN {units} AND {} AND EXISTS \
             (SELECT 1 FROM case_events x WHERE x.case_id = c.id AND x.on_date >= $3 AND x.on_date <= $4) ORDER BY e.case_id",
            case_filter("c")
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut by_case: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
        for r in &rows {
            let on: String = r.try_get(1)?;
            by_case.entry(r.try_get(0)?).or_default().push(Event {
                on: duban_domain::calendar::parse_date(&on).unwrap_or_default(),
                seq: r.try_get(2)?,
                name: r.try_get(3)?,
            });
        }
        for events in by_case.values() {
            let (a, by) = q::case_ratio_of(events, from, to, &rules);
            ratio.add(a, &by);
        }
        let ratio = CaseRatio::new(ratio.an, ratio.by_event, &rules);
        // plea leniency among the cases concluded in the period
        let p = bind(format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(c.plea), 0) AS BIGINT) FROM cases c WHERE c.unit_id IN {units} \
             AND c.concluded_on >= $3 AND c.concluded_on <= $4 AND {}",
            case_filter("c")
        ))
        .fetch_one(&self.pool)
        .await?;
        let (concluded, with_plea) = (crate::int(&p, 0)? as u64, crate::int(&p, 1)? as u64);
        // events in the period: from the days' counts, or (for a tag) from the tagged cases
        let events_sql = if filter.tag.is_some() {
            format!(
                "SELECT e.event, COUNT(*) FROM case_events e JOIN case_tags t ON t.case_id = e.case_id AND t.tag = $6 \
                 WHERE e.on_date >= $3 AND e.on_date <= $4 AND e.unit_id IN {units} AND ($5 = '' OR e.case_type = $5) GROUP BY e.event"
            )
        } else if from.day() == 1 && (to + chrono::Duration::days(1)).day() == 1 {
            // whole months: the months' counts ($3, $4 compared as text: 'YYYY-MM' ≥ 'YYYY-MM-01')
            format!(
                "SELECT d.event, CAST(SUM(d.n) AS BIGINT) FROM case_event_months d WHERE d.month >= substr($3, 1, 7) AND d.month <= substr($4, 1, 7) \
                 AND d.unit_id IN {units} AND ($5 = '' OR d.case_type = $5) AND $6 = '' GROUP BY d.event"
            )
        } else {
            format!(
                "SELECT d.event, CAST(SUM(d.n) AS BIGINT) FROM case_event_days d WHERE d.on_date >= $3 AND d.on_date <= $4 \
                 AND d.unit_id IN {units} AND ($5 = '' OR d.case_type = $5) AND $6 = '' GROUP BY d.event"
            )
        };
        let mut events = BTreeMap::new();
        for r in bind(events_sql).fetch_all(&self.pool).await? {
            events.insert(r.try_get(0)?, crate::int(&r, 1)? as u64);
        }
        Ok(QualityFigures {
            ratio,
            concluded,
            with_plea,
            plea_rate: q::rate(with_plea, concluded),
            events,
        })
    }

    /// Cases in scope past their time limit by `as_of` (due before it, not concluded by the due
    /// day), the latest due first (at most 500), with how many there are and how many have been
    /// concluded since.
    pub async fn overdue_cases(
        &self,
        scope: &crate::Scope,
        as_of: NaiveDate,
        case_type: Option<&str>,
    ) -> Result<(u64, u64, Vec<OverdueCase>)> {
        let cond = format!(
            "c.unit_id IN (SELECT u.id FROM units u WHERE {}) AND c.limit_due < $3 AND (c.limit_end IS NULL OR c.limit_end > c.limit_due) \
             AND ($4 = '' OR c.case_type = $4)",
            crate::scope_sql("u", 1, 2)
        );
        let q = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(scope.unit_id)
                .bind(crate::scope_like(scope))
                .bind(as_of.to_string())
                .bind(case_type.unwrap_or("").to_string())
        };
        let n = q(format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN c.limit_end IS NOT NULL AND c.limit_end <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM cases c WHERE {cond}"
        ))
        .fetch_one(&self.pool)
        .await?;
        let list = q(format!(
            "SELECT c.case_no, u.name, c.case_type, c.limit_start, c.limit_due, c.limit_end FROM cases c JOIN units u ON u.id = c.unit_id \
             WHERE {cond} ORDER BY (c.limit_end IS NULL) DESC, c.limit_due DESC, c.id LIMIT 500"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let end: Option<String> = r.try_get(5)?;
            Ok(OverdueCase {
                case_no: r.try_get(0)?,
                unit_name: r.try_get(1)?,
                case_type: r.try_get(2)?,
                start: r.try_get(3)?,
                due: r.try_get(4)?,
                end: end.filter(|e| e.as_str() <= as_of.to_string().as_str()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok((crate::int(&n, 0)? as u64, crate::int(&n, 1)? as u64, list))
    }

    /// The day of the latest event of a case in scope.
    pub async fn latest_case_event(&self, scope: &crate::Scope) -> Result<Option<NaiveDate>> {
        let d: Option<String> = sqlx::query_scalar(crate::sqlf!(
            "SELECT MAX(d.on_date) FROM case_event_days d WHERE d.unit_id IN (SELECT u.id FROM units u WHERE {})",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_one(&self.pool)
        .await?;
        Ok(d.and_then(|d| duban_domain::calendar::parse_date(&d).ok()))
    }

    /// Turns the monitoring hits in scope not yet supervised (at most 2,000 at a time) into
    /// supervised matters on the rectification engine: per unit and year a plan
    /// “YYYY年案件流程监控督办” (under an internal round), per hit a problem and a task to act on at
    /// once (立行立改), due 30 days after the hit. The sweep urges them like any task. Returns how
    /// many tasks were made.
    pub async fn supervise_case_hits(&self, actor: &Actor, scope: &crate::Scope) -> Result<u64> {
        use duban_domain::rectification::{Category, SourceKind};
        let hits = sqlx::query(crate::sqlf!(
            "SELECT h.id, c.unit_id, c.case_no, h.rule, h.on_date FROM case_hits h JOIN cases c ON c.id = h.case_id \
             WHERE h.task_id IS NULL AND c.unit_id IN (SELECT u.id FROM units u WHERE {}) ORDER BY c.unit_id, h.on_date, h.id LIMIT 2000",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        if hits.is_empty() {
            return Ok(0);
        }
        let cal = self.work_calendar().await?;
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::SuperviseHits)?;
        let mut plans: HashMap<(i64, i32), i64> = HashMap::new();
        let mut made = 0;
        for h in &hits {
            let (hit, unit, case_no, rule, on): (i64, i64, String, String, String) = (
                h.try_get(0)?,
                h.try_get(1)?,
                h.try_get(2)?,
                h.try_get(3)?,
                h.try_get(4)?,
            );
            let on = duban_domain::calendar::parse_date(&on)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let title = format!("{}年案件流程监控督办", on.year());
            let plan = match plans.get(&(unit, on.year())) {
                Some(p) => *p,
                None => {
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM plans WHERE unit_id = $1 AND title = $2",
                    )
                    .bind(unit)
                    .bind(&title)
                    .fetch_optional(&mut *w.tx)
                    .await?;
                    let id = match found {
                        Some(id) => id,
                        None => {
                            let start = NaiveDate::from_ymd_opt(on.year(), 1, 1).unwrap_or(on);
                            let due = cal
                                .deadline(
                                    on,
                                    duban_domain::calendar::Period::Months(2),
                                    duban_domain::calendar::Counting::Calendar,
                                )
                                .unwrap_or(on);
                            let round = crate::rectification::insert_round(
                                &mut w,
                                unit,
                                SourceKind::Internal,
                                &format!("{}年案件流程监控", on.year()),
                                "案件管理部门",
                                &start.to_string(),
                                &on.to_string(),
                                &on.to_string(),
                                &due.to_string(),
                            )
                            .await?;
                            crate::rectification::insert_plan(
                                &mut w,
                                round,
                                unit,
                                &title,
                                "流程监控要点提示的问题逐案核查、纠正，并说明情况。",
                                &on.to_string(),
                            )
                            .await?
                        }
                    };
                    plans.insert((unit, on.year()), id);
                    id
                }
            };
            let seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM problems WHERE plan_id = $1",
            )
            .bind(plan)
            .fetch_one(&mut *w.tx)
            .await?;
            let problem = crate::rectification::insert_problem(
                &mut w,
                plan,
                seq,
                &format!("案件 {case_no}：{rule}（{on}）"),
                "流程监控要点提示",
            )
            .await?;
            let task_title = format!("核查并纠正：{rule}（案件 {case_no}）");
            let task = crate::rectification::insert_task(
                &mut w,
                &crate::rectification::NewTask {
                    plan_id: plan,
                    problem_id: Some(problem),
                    title: &task_title,
                    measure: "核查办案流程，纠正问题，说明情况",
                    category: Category::Immediate,
                    deadline: Some(on + chrono::Duration::days(30)),
                    standard: "查明原因、纠正到位、说明情况",
                    lead_leader_id: None,
                    responsible_id: None,
                    departments: vec![],
                    created_on: on,
                },
            )
            .await?;
            sqlx::query("UPDATE case_hits SET task_id = $1 WHERE id = $2")
                .bind(task)
                .bind(hit)
                .execute(&mut *w.tx)
                .await?;
            made += 1;
        }
        w.audit(Change {
            action: "quality.supervise",
            entity: "case_hits",
            entity_id: "*".into(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"tasks": made})),
        })
        .await?;
        w.commit().await?;
        Ok(made)
    }

    /// Process-monitoring hits on cases in scope (latest first, at most 500).
    pub async fn case_hits(&self, scope: &crate::Scope) -> Result<Vec<CaseHit>> {
        sqlx::query(crate::sqlf!(
            "SELECT c.case_no, u.name, h.rule, h.on_date, h.task_id FROM case_hits h JOIN cases c ON c.id = h.case_id JOIN units u ON u.id = c.unit_id \
             WHERE {} ORDER BY h.on_date DESC, h.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(CaseHit {
                case_no: r.try_get(0)?,
                unit_name: r.try_get(1)?,
                rule: r.try_get(2)?,
                on_date: r.try_get(3)?,
                task_id: r.try_get(4)?,
            })
        })
        .collect()
    }
}

/// The demo's case events, January–September 2020, for the SPP and the procuratorates of 浙江 and
/// 广东 and their lower units: criminal cases with and without arrest review (returns for
/// supplementary investigation, extensions, 认罪认罚 in about 85% of the concluded, some 涉疫),
/// civil-supervision cases (some past their 90 days, most of those concluded late), resolved
/// administrative disputes and public-interest cases. Deterministic; skipped when cases exist.
pub(crate) async fn load_demo_cases(store: &Store) -> Result<()> {
    use crate::demo::{LOCAL_UNITS, SPP_CODE, mix};
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let mut units: Vec<(&str, u64)> = vec![(SPP_CODE, 40), ("330000", 120), ("440000", 120)];
    units.extend(
        LOCAL_UNITS
            .iter()
            .map(|(c, _, l, _)| (*c, if *l == 3 { 160 } else { 220 })),
    );
    let jan1 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2020, 9, 30).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = vec![
        [
            "case_id",
            "unit_code",
            "case_type",
            "event",
            "occurred_on",
            "tags",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for (u, (code, count)) in units.iter().enumerate() {
        for i in 0..*count {
            let h = mix((u as u64) << 32 | i);
            let pick = |k: u64, n: u64| mix(h.wrapping_add(k)) % n;
            let start = jan1 + chrono::Duration::days(pick(0, 250) as i64);
            let no = format!("D{code}-2020-{i:04}");
            let mut ev: Vec<(&str, i64)> = Vec::new();
            let kind = pick(1, 100);
            let case_type = match kind {
                0..=69 => "刑事",
                70..=84 => "民事",
                85..=92 => "行政",
                _ => "公益诉讼",
            };
            let mut tags = "";
            match case_type {
                "刑事" => {
                    if pick(2, 100) < 8 {
                        tags = "涉疫";
                    }
                    let mut t = 0;
                    if pick(3, 100) < 60 {
                        ev.push((q::ARREST_REVIEW, 0));
                        if pick(4, 100) < 88 {
                            // a decision after 7 days now and then: a monitoring hit
                            ev.push(("批准逮捕", if pick(5, 100) < 6 { 9 } else { 5 }));
                        } else {
                            ev.push(("不批准逮捕", 6));
                            if pick(5, 100) < 30 {
                                ev.push(("不批捕复议", 12));
                            }
                        }
                        t = 30;
                    }
                    ev.push((q::PROSECUTION_REVIEW, t));
                    let mut end = t + 25;
                    if pick(6, 100) < 22 {
                        ev.push(("退回补充侦查", t + 20));
                        end += 30;
                        if pick(7, 100) < 25 {
                            ev.push(("退回补充侦查", t + 50));
                            end += 30;
                        }
                    }
                    if pick(8, 100) < 12 {
                        ev.push(("延长审查起诉期限", end - 5));
                        end += 15;
                    }
                    if pick(9, 100) < 85 {
                        ev.push((q::PLEA, t + 10));
                    }
                    if pick(10, 100) < 90 {
                        ev.push(("提起公诉", end));
                    } else {
                        ev.push(("不起诉", end));
                        if pick(9, 7) == 0 {
                            ev.push(("不起诉申诉", end + 20));
                        }
                    }
                    ev.push((q::CONCLUDED, end));
                }
                "民事" => {
                    // accepted by early May, so that a late conclusion still falls in the data
                    let shift = pick(11, 120) as i64 - (start - jan1).num_days();
                    ev.push((q::CIVIL_ACCEPTED, shift));
                    match pick(4, 100) {
                        0..=74 => ev.push((q::CIVIL_CONCLUDED, shift + 40 + pick(5, 45) as i64)),
                        75..=89 => ev.push((q::CIVIL_CONCLUDED, shift + 100 + pick(5, 50) as i64)),
                        _ => {}
                    }
                }
                "行政" => ev.push(("行政争议化解", 20 + pick(4, 40) as i64)),
                _ => ev.push(("公益诉讼立案", 0)),
            }
            for (name, day) in ev {
                let on = start + chrono::Duration::days(day);
                if on > last {
                    continue;
                }
                rows.push(vec![
                    no.clone(),
                    code.to_string(),
                    case_type.to_string(),
                    name.to_string(),
                    on.to_string(),
                    tags.to_string(),
                ]);
            }
        }
    }
    store
        .import_cases(&Actor::system("demo"), &rows)
        .await
        .map(|_| ())
}

/// The seed's national figures the nationwide generator is calibrated to (2020).
pub const NATION_EPIDEMIC_ARRESTS: u64 = 6_480;
pub const NATION_EPIDEMIC_PROSECUTIONS: u64 = 6_480 + 2_202;
pub const NATION_PUBLIC_INTEREST_CASES: u64 = 2_829;
pub const NATION_ADMIN_DISPUTES: u64 = 3_148;
pub const NATION_CIVIL_OVERDUE: u64 = 486;
pub const NATION_CIVIL_OVERDUE_CLOSED: u64 = 426;

/// What the nationwide cases generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationCases {
    pub cases: usize,
    pub events: usize,
}

impl Store {
    /// A nationwide year (2020) of case events for every unit, calibrated so that the seed's figures come out of the reports: 6,480
    /// arrests and 8,682 prosecutions in 涉疫 cases, 2,829 public-interest cases, 3,148
    /// administrative disputes resolved, 486 civil-supervision cases overdue at the year's end of
    /// which 426 concluded, and a plea-leniency rate of 85% among the concluded. About
    /// `per_basic_unit` criminal cases a year at a basic unit (1,000 gives some 30 million
    /// events). Goes through the import's own write path. Skipped when generated cases exist.
    pub async fn load_nation_cases(&self, per_basic_unit: u64) -> Result<NationCases> {
        use crate::demo::mix;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE case_no LIKE 'N%'")
            .fetch_one(&self.pool)
            .await?;
        if n > 0 {
            return Ok(NationCases::default());
        }
        let units: Vec<(i64, i64)> = sqlx::query("SELECT id, level FROM units ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, crate::int(r, 1)?)))
            .collect::<Result<_>>()?;
        let rules = self.quality_rules().await?;
        let names: Vec<String> = rules.events.iter().map(|e| e.name.clone()).collect();
        let ix = |n: &str| names.iter().position(|x| x == n).unwrap_or(0) as u16;
        let [
            arrest_review,
            approve,
            reject,
            reconsider,
            review,
            ret,
            extend,
            plea,
            prosecute,
            drop_,
            appeal,
            concluded,
            civil_in,
            civil_out,
            admin,
            pil,
        ] = [
            q::ARREST_REVIEW,
            "批准逮捕",
            "不批准逮捕",
            "不批捕复议",
            q::PROSECUTION_REVIEW,
            "退回补充侦查",
            "延长审查起诉期限",
            q::PLEA,
            "提起公诉",
            "不起诉",
            "不起诉申诉",
            q::CONCLUDED,
            q::CIVIL_ACCEPTED,
            q::CIVIL_CONCLUDED,
            "行政争议化解",
            "公益诉讼立案",
        ]
        .map(ix);
        let jan1 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let day = |d: u64| jan1 + chrono::Duration::days(d as i64);
        let mut out = CheckedCases {
            event_names: names.clone(),
            ..Default::default()
        };
        let push_case =
            |out: &mut CheckedCases, no: String, unit: i64, kind: &str, tags: Vec<String>| {
                out.cases.push(import::CaseRow {
                    row: 0,
                    case_no: no,
                    unit_id: unit,
                    case_type: kind.into(),
                    tags,
                });
                (out.cases.len() - 1) as u32
            };
        // the calibrated counts less what the demo's own cases already give, handed out in turn
        // across units
        let (from, to) = ("2020-01-01", "2020-12-31");
        let held = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(from)
                .bind(to)
                .fetch_one(&self.pool)
                .await
                .map(|n| n as u64)
        };
        let arrests_held = held("SELECT COUNT(*) FROM case_events e JOIN case_tags t ON t.case_id = e.case_id AND t.tag = '涉疫' WHERE e.event = '批准逮捕' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let prosecutions_held = held("SELECT COUNT(*) FROM case_events e JOIN case_tags t ON t.case_id = e.case_id AND t.tag = '涉疫' WHERE e.event = '提起公诉' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let pil_held = held("SELECT COUNT(DISTINCT e.case_id) FROM case_events e WHERE e.case_type = '公益诉讼' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let admin_held = held("SELECT COUNT(*) FROM case_events e WHERE e.event = '行政争议化解' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let overdue_held = held("SELECT COUNT(*) FROM cases c WHERE c.limit_due < $2 AND (c.limit_end IS NULL OR c.limit_end > c.limit_due) AND $1 <> ''").await?;
        let closed_held = held("SELECT COUNT(*) FROM cases c WHERE c.limit_due < $2 AND c.limit_end > c.limit_due AND c.limit_end <= $2 AND $1 <> ''").await?;
        let arrest_quota = NATION_EPIDEMIC_ARRESTS.saturating_sub(arrests_held);
        let epidemic_quota = NATION_EPIDEMIC_PROSECUTIONS.saturating_sub(prosecutions_held);
        let overdue_quota = NATION_CIVIL_OVERDUE.saturating_sub(overdue_held);
        let closed_quota = NATION_CIVIL_OVERDUE_CLOSED.saturating_sub(closed_held);
        let (mut epidemic, mut pil_left, mut admin_left, mut overdue) = (
            0u64,
            NATION_PUBLIC_INTEREST_CASES.saturating_sub(pil_held),
            NATION_ADMIN_DISPUTES.saturating_sub(admin_held),
            0u64,
        );
        let mut criminal = 0u64;
        let count_at = |level: i64| match level {
            1 => per_basic_unit * 3 / 10,
            2 => per_basic_unit * 8 / 10,
            3 => per_basic_unit * 3 / 2,
            _ => per_basic_unit,
        };
        // 涉疫 cases are drawn at a rate that meets the quota with a margin, whatever the scale
        let total: u64 = units.iter().map(|(_, l)| count_at(*l)).sum();
        let epidemic_every = (total / (epidemic_quota * 6 / 5).max(1)).max(1);
        for (u, (unit, level)) in units.iter().enumerate() {
            let count = count_at(*level);
            for i in 0..count {
                let h = mix((*unit as u64) << 24 | i);
                let pick = |k: u64, n: u64| mix(h.wrapping_add(k)) % n;
                let start = pick(0, 230); // Jan 1 – Aug 18: every criminal case ends in 2020
                let is_epidemic = epidemic < epidemic_quota && pick(1, epidemic_every) == 0;
                let tags = if is_epidemic {
                    vec!["涉疫".to_string()]
                } else {
                    vec![]
                };
                let c = push_case(&mut out, format!("N{unit}-{i}"), *unit, "刑事", tags);
                let mut ev = |d: u64, e: u16| out.events.push((c, day(d), e));
                let mut t = start;
                // 涉疫: the first 6,480 with an approved arrest, the rest prosecution only
                let with_arrest = if is_epidemic {
                    epidemic < arrest_quota
                } else {
                    pick(2, 100) < 60
                };
                if with_arrest {
                    ev(t, arrest_review);
                    if is_epidemic || pick(3, 100) < 88 {
                        ev(t + 5, approve);
                    } else {
                        ev(t + 6, reject);
                        if pick(4, 100) < 25 {
                            ev(t + 12, reconsider);
                        }
                    }
                    t += 30;
                }
                ev(t, review);
                let mut end = t + 25;
                if pick(5, 100) < 20 {
                    ev(t + 20, ret);
                    end += 30;
                    if pick(6, 100) < 20 {
                        ev(t + 50, ret);
                        end += 30;
                    }
                }
                if pick(7, 100) < 10 {
                    ev(end - 5, extend);
                    end += 15;
                }
                // 85% of the concluded with 认罪认罚, exactly
                if criminal % 20 < 17 {
                    ev(t + 10, plea);
                }
                if is_epidemic || pick(8, 100) < 92 {
                    ev(end, prosecute);
                } else {
                    ev(end, drop_);
                    if pick(9, 10) == 0 {
                        ev(end + 20, appeal);
                    }
                }
                ev(end, concluded);
                criminal += 1;
                if is_epidemic {
                    epidemic += 1;
                }
            }
            // civil supervision: the overdue ones first, in turn; the rest in time or not yet due
            for i in 0..count / 20 {
                let h = mix((*unit as u64) << 24 | (1 << 23) | i);
                let c = push_case(&mut out, format!("N{unit}-C{i}"), *unit, "民事", vec![]);
                let start = mix(h) % 280;
                out.events.push((c, day(start), civil_in));
                if overdue < overdue_quota && u % 7 == 0 && i < 2 && start < 250 {
                    if overdue < closed_quota {
                        out.events.push((c, day(start + 100), civil_out));
                    }
                    overdue += 1;
                } else if start < 270 {
                    out.events
                        .push((c, day(start + 40 + mix(h ^ 1) % 40), civil_out));
                } else {
                    // accepted in late autumn, still within its three months at the year's end
                    let s = 280 + mix(h ^ 2) % 60;
                    out.events.pop();
                    out.events.push((c, day(s), civil_in));
                }
            }
            if admin_left > 0 && level >= &3 {
                let c = push_case(&mut out, format!("N{unit}-A"), *unit, "行政", vec![]);
                out.events.push((c, day(100 + u as u64 % 200), admin));
                admin_left -= 1;
            }
            if pil_left > 0 && level >= &3 {
                let c = push_case(&mut out, format!("N{unit}-P"), *unit, "公益诉讼", vec![]);
                out.events.push((c, day(50 + u as u64 % 250), pil));
                pil_left -= 1;
            }
        }
        // what the units' turns did not hand out goes to the first basic units
        let mut extra = 0;
        while admin_left > 0 || pil_left > 0 {
            let (unit, _) = units[units.len() - 1 - (extra % units.len())];
            if admin_left > 0 {
                let c = push_case(&mut out, format!("N{unit}-A{extra}"), unit, "行政", vec![]);
                out.events.push((c, day(150), admin));
                admin_left -= 1;
            }
            if pil_left > 0 {
                let c = push_case(
                    &mut out,
                    format!("N{unit}-P{extra}"),
                    unit,
                    "公益诉讼",
                    vec![],
                );
                out.events.push((c, day(160), pil));
                pil_left -= 1;
            }
            extra += 1;
        }
        out.events.sort_unstable();
        let r = NationCases {
            cases: out.cases.len(),
            events: out.events.len(),
        };
        self.import_checked_cases(&Actor::system("demo"), out)
            .await?;
        Ok(r)
    }
}
