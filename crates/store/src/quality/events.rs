//! Loading case events (file or API batch, or the bulk path for national data): all rows or
//! none; each touched case's summary, time limit and monitoring hits derived at import.
use crate::org::ImportReport;
use crate::{Actor, Bind, Change, Result, Rows, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use duban_domain::import::{self, CellError, CheckedCases, Table};
use duban_domain::quality::{self as q, Event, QualityRules};
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

/// What a case's events make of it (kept on the case row).
pub(crate) struct Derived {
    summary: q::CaseSummary,
    limit: Option<(NaiveDate, NaiveDate, Option<NaiveDate>)>,
    hits: Vec<(String, NaiveDate)>,
}

/// The page cache of a connection writing case events (1 GB; the usual is 64 MB).
pub(crate) const IMPORT_CACHE: &str = "PRAGMA cache_size=-1048576";

/// From this many events on, an import into no more events than it brings builds the secondary
/// indexes below after writing (DECISIONS 56).
pub(crate) const BULK_EVENTS: usize = 1_000_000;

/// The secondary indexes of cases and events, as the migration creates them.
pub(crate) const BULK_INDEXES: &[(&str, &str)] = &[
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
pub(crate) fn case_table_rows(backend: crate::Backend) -> [Rows; 6] {
    [
        Rows::new(
            backend,
            "INSERT INTO cases (id, case_no, unit_id, case_type, tags, entry_on, irregular, concluded_on, plea, limit_start, limit_due, limit_end, persons, plea_persons)",
            "",
            14,
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
pub(crate) struct Made {
    added: usize,
    cases_added: usize,
    /// held cases whose summary changed: id, and the row as the `cases` columns
    updates: Vec<(i64, [Bind; 14])>,
}

/// Works out every touched case's rows (new events, summary, tags, hits) and the day and month
/// counts, and sends them to the writer in whole statements: a new case before its events,
/// every case before tags and hits. `None` when the writer stopped listening.
#[allow(clippy::too_many_arguments)]
pub(crate) fn case_rows(
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
    progress: &dyn crate::progress::Progress,
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
        progress.advance((end - start) as u64);
        start = end;
        // a held case with nothing new is left alone, unless the file gives its persons
        if fresh.is_empty() && old && c.persons.is_none() && c.plea_persons.is_none() {
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
            c.persons.map_or(Bind::NullInt, |n| Bind::Int(n.into())),
            c.plea_persons
                .map_or(Bind::NullInt, |n| Bind::Int(n.into())),
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

pub(crate) fn derive(
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

impl Store {
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
                (r.try_get("code")?, r.try_get("id")?, r.try_get("path")?);
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
        Ok(import::CasesCheck::new(units, events, self.today()))
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
    pub(crate) async fn write_cases(
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
                    r.try_get("case_no")?,
                    (
                        r.try_get("id")?,
                        r.try_get("unit_id")?,
                        r.try_get("case_type")?,
                        r.try_get("tags")?,
                    ),
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
                        r.try_get("case_no")?,
                        (r.try_get("id")?, r.try_get("unit_id")?, r.try_get("case_type")?, r.try_get("tags")?),
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
                let on: String = r.try_get("on_date")?;
                held.entry(r.try_get("case_id")?).or_default().push(Event {
                    on: crate::day(&on)?,
                    seq: r.try_get("id")?,
                    name: r.try_get("event")?,
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
        let touched: Vec<i64> = cases.iter().map(|c| c.unit_id).collect();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<crate::Statement>(2);
        let backend = w.backend;
        let (rules2, cal2) = (rules.clone(), cal.clone());
        let progress = self.progress.clone();
        progress.phase("写入案件和事件", Some(events.len() as u64));
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
                progress.as_ref(),
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
                 limit_end = $12, \
                 persons = CASE WHEN $13 IS NULL THEN persons WHEN persons IS NULL OR persons < $13 THEN $13 ELSE persons END, \
                 plea_persons = CASE WHEN $14 IS NULL THEN plea_persons WHEN plea_persons IS NULL OR plea_persons < $14 THEN $14 ELSE plea_persons END WHERE id = $1 AND case_no = $2 AND unit_id = $3 AND case_type = $4",
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
        // the quality page's sums kept for the scopes holding these cases are counted again
        super::kept::touch_scopes(w, &touched).await?;
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
            ..Default::default()
        })
    }
}
