//! Supervision: the sweep that issues reminders (催办) and graded notices (督办单), and their
//! delivery. Issuing is an insert under a unique key, so sweeps are idempotent and two servers on
//! one database never issue the same notice twice.
use crate::{Actor, Change, Result, Store};
use chrono::NaiveDate;
use duban_domain::rectification::urging::{Urge, quiet_until, urge};
use duban_domain::rectification::{Category, TaskFacts, TaskState};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

pub mod answers;
pub mod delivery;
mod texts;
pub use texts::*;

#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    /// open tasks that may be yellow or red on the day
    pub watched_tasks: usize,
    pub reminders: u64,
    pub notices: u64,
    /// open letters that may be yellow or red on the day
    pub watched_letters: usize,
    pub letter_reminders: u64,
    pub letter_notices: u64,
    /// staff reminded of the previous month's interference-record filing
    pub record_reminders: u64,
    /// office staff reminded of a rectification report due within 14 days or overdue
    pub report_reminders: u64,
    /// accounts ended because their person's leaving date has come
    pub accounts_disabled: u64,
    /// the discipline desk's own reminders and notices on clues (counted, never described)
    pub clue_notices: u64,
    /// how long each half took
    pub tasks_seconds: f64,
    pub letters_seconds: f64,
}

/// What the sweep owes one task.
impl Owed {
    /// What the domain said is owed to a task or letter: a reminder to `reminded`, a notice to
    /// `noticed`.
    fn new(subject: i64, u: Urge, reminded: Option<i64>, noticed: Option<i64>) -> Owed {
        match u {
            Urge::Reminder { dedupe } => Owed {
                subject,
                kind: "reminder",
                level: "",
                days: 0,
                dedupe,
                to: reminded,
            },
            Urge::Notice {
                level,
                days_overdue,
                dedupe,
            } => Owed {
                subject,
                kind: "notice",
                level: level.as_str(),
                days: days_overdue,
                dedupe,
                to: noticed,
            },
        }
    }
}

pub(crate) struct Owed {
    pub(crate) subject: i64,
    pub(crate) kind: &'static str,
    pub(crate) level: &'static str,
    pub(crate) days: i64,
    pub(crate) dedupe: String,
    pub(crate) to: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub task_id: i64,
    pub task: String,
    /// the unit whose copy of the plan holds the task
    pub unit_name: String,
    pub kind: String,
    pub level: String,
    pub addressee: Option<String>,
    pub issued_on: String,
    pub days_overdue: i64,
    pub sent_at: Option<String>,
    /// when the person it is addressed to opened it, answered it, and the day they promised
    pub read_at: Option<String>,
    pub answered_at: Option<String>,
    pub promised_on: Option<String>,
}

impl Notice {
    /// Where the next page of a list ending with this notice starts ([`Store::notices`]).
    pub fn cursor(&self) -> String {
        format!("{}.{}", self.issued_on, self.id)
    }
}

/// An e-mail to send for a notice.
#[derive(Debug, Clone)]
pub struct OutMail {
    pub notice_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeaderCount {
    pub leader: String,
    /// the leader's unit ('' for tasks without a lead leader)
    pub unit: String,
    pub reminders: i64,
    pub blue: i64,
    pub yellow: i64,
    pub red: i64,
}

/// How many days before its due date the rectification report is reminded.
pub const REPORT_REMIND_DAYS: i64 = 14;

impl Store {
    /// Issues what is owed on `as_of` to every open task and every open letter.
    pub async fn sweep(&self, as_of: NaiveDate) -> Result<SweepReport> {
        let t = std::time::Instant::now();
        let mut report = self.sweep_tasks(as_of).await?;
        report.tasks_seconds = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        (
            report.watched_letters,
            report.letter_reminders,
            report.letter_notices,
        ) = self.sweep_letters(as_of).await?;
        report.letters_seconds = t.elapsed().as_secs_f64();
        report.record_reminders = self.sweep_records(as_of).await?;
        report.report_reminders = self.sweep_reports(as_of, REPORT_REMIND_DAYS).await?;
        report.accounts_disabled = self.sweep_leavers(as_of).await?;
        report.clue_notices = self.sweep_clues(as_of).await?;
        Ok(report)
    }

    /// Ends the accounts of people whose leaving date (`staff.left_on`, imported ahead of time)
    /// has come: their sessions and tokens end with them.
    pub async fn sweep_leavers(&self, as_of: NaiveDate) -> Result<u64> {
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let n = crate::accounts::disable_where(
            &mut w,
            &format!(
                "disabled = 0 AND staff_id IN (SELECT id FROM staff WHERE left_on IS NOT NULL AND left_on <= '{as_of}')"
            ),
        )
        .await?;
        if n > 0 {
            w.audit(Change {
                action: "supervision.sweep_leavers",
                entity: "users",
                entity_id: as_of.to_string(),
                unit_id: None,
                before: None,
                after: Some(json!({"disabled": n})),
            })
            .await?;
        }
        w.commit().await?;
        Ok(n)
    }

    /// From the configured day of a month, reminds every staff member with an account, in post
    /// that month, who has not filed the previous month's interference records (once per month; a reminder, in the app
    /// and by e-mail). Returns how many were reminded.
    pub async fn sweep_records(&self, as_of: NaiveDate) -> Result<u64> {
        use chrono::Datelike;
        let day = self.supervision_rules().await?.records_remind_day;
        if as_of.day() < day {
            return Ok(0);
        }
        let first = as_of.with_day(1).unwrap_or(as_of);
        let month = duban_domain::records::Month::of(first - chrono::Duration::days(1)).to_string();
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let n = sqlx::query(
            "INSERT INTO notices (filer_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, created_at) \
             SELECT s.id, 'reminder', '', 'records:' || $1, s.id, $2, 0, MAX(us.email), $3 FROM users us JOIN staff s ON s.id = us.staff_id \
             WHERE us.disabled = 0 AND NOT EXISTS (SELECT 1 FROM record_filings f WHERE f.staff_id = s.id AND f.month = $1) \
             AND (s.joined_on IS NULL OR s.joined_on <= $1 || '-31') AND (s.left_on IS NULL OR s.left_on >= $1 || '-01') \
             GROUP BY s.id ON CONFLICT DO NOTHING",
        )
        .bind(&month)
        .bind(as_of.to_string())
        .bind(self.now_rfc3339())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n > 0 {
            w.audit(Change {
                action: "supervision.sweep_records",
                entity: "notices",
                entity_id: as_of.to_string(),
                unit_id: None,
                before: None,
                after: Some(json!({"month": month, "reminders": n})),
            })
            .await?;
        }
        w.commit().await?;
        Ok(n)
    }

    /// Issues what is owed on `as_of` to every open letter, by the rectification rules applied to
    /// the reply it owes next: reminders to the holding unit's letters officer, notices to its
    /// leader. Returns (letters watched, reminders, notices).
    pub async fn sweep_letters(&self, as_of: NaiveDate) -> Result<(usize, u64, u64)> {
        use duban_domain::letters::{LetterFacts, Owes, due_soon_days, next_owed, urge_letter};
        let r = self.supervision_rules().await?;
        let (lights, rules, clocks) = (r.lights, r.urging, r.letter_clocks);
        let soon = |o: Owes| as_of + chrono::Duration::days(due_soon_days(o, &lights));
        // Open on the day: received by then, not closed by then; replies after it do not count
        // yet. Read from the index alone, then packed one text per holding unit (as tasks are).
        let fields = "CAST(l.id AS TEXT) || '|' || l.received_on || '|' || l.ack_due || '|' || l.reply_due || '|' \
                      || COALESCE(CASE WHEN l.acknowledged_on <= $1 THEN l.acknowledged_on END, '') || '|' \
                      || COALESCE(CASE WHEN l.replied_on <= $1 THEN l.replied_on END, '') || '|' \
                      || COALESCE(CASE WHEN l.replied_on <= $1 THEN (SELECT MAX(e.on_date) FROM letter_events e \
                         WHERE e.letter_id = l.id AND e.kind = 'progress' AND e.on_date <= $1) END, '')";
        let pack = self.pack(fields);
        let t0 = std::time::Instant::now();
        let open = "received_on <= $1 AND (((acknowledged_on IS NULL OR acknowledged_on > $1) AND ack_due <= $2) OR reply_due <= $3)";
        let cols = "id, unit_id, received_on, ack_due, reply_due, acknowledged_on, replied_on";
        let packs = sqlx::query(crate::sqlf!(
            "SELECT l.unit_id, {pack} AS packed FROM (SELECT {cols} FROM letters WHERE closed_on IS NULL AND {open} \
             UNION ALL SELECT {cols} FROM letters WHERE closed_on > $1 AND {open}) l GROUP BY l.unit_id"
        ))
        .bind(as_of.to_string())
        .bind(soon(Owes::Ack).to_string())
        .bind(soon(Owes::Reply).to_string())
        .fetch_all(&self.pool)
        .await?;
        // 交办 whose report back is due soon or overdue: (letter, assigned on, due, the lower unit)
        let reports = sqlx::query(
            "SELECT letter_id, assigned_on, report_due, to_unit_id FROM letter_assignments WHERE reported_on IS NULL AND report_due <= $1 AND assigned_on <= $2",
        )
        .bind(soon(Owes::Report).to_string())
        .bind(as_of.to_string())
        .fetch_all(&self.pool)
        .await?;
        if packs.is_empty() && reports.is_empty() {
            return Ok((0, 0, 0));
        }
        let t_read = t0.elapsed();
        // each holding unit's leader (notices) and letters officer (reminders)
        let mut units: Vec<i64> = packs
            .iter()
            .map(|p| p.try_get("unit_id"))
            .collect::<std::result::Result<_, _>>()?;
        for r in &reports {
            units.push(r.try_get("to_unit_id")?);
        }
        units.sort_unstable();
        units.dedup();
        let mut leaders: HashMap<i64, i64> = HashMap::new();
        let mut officers: HashMap<i64, i64> = HashMap::new();
        for (map, sql) in [
            (
                &mut leaders,
                "SELECT s.unit_id, MIN(s.id) AS staff_id FROM staff s WHERE s.is_leader = 1 AND s.unit_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {j}) GROUP BY s.unit_id",
            ),
            (
                &mut officers,
                "SELECT us.unit_id, MIN(us.staff_id) AS staff_id FROM users us WHERE us.role = 'letters' AND us.disabled = 0 AND us.staff_id IS NOT NULL \
                             AND us.unit_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {j}) GROUP BY us.unit_id",
            ),
        ] {
            let sql = sql.replace("{j}", &self.json_rows(1));
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(json!(units.iter().map(|u| [u]).collect::<Vec<_>>()).to_string())
                .fetch_all(&self.pool)
                .await?
            {
                map.insert(r.try_get("unit_id")?, r.try_get("staff_id")?);
            }
        }
        let t_people = t0.elapsed();
        let mut cal = self.work_calendar().await?;
        let t_cal = t0.elapsed();
        let date = |s: &str| s.parse::<NaiveDate>().ok();
        let (mut watched, mut owed) = (0, Vec::new());
        for p in &packs {
            let unit: i64 = p.try_get("unit_id")?;
            let packed: Option<String> = p.try_get("packed")?;
            let (leader, officer) = (leaders.get(&unit).copied(), officers.get(&unit).copied());
            for row in packed
                .as_deref()
                .unwrap_or("")
                .split(';')
                .filter(|r| !r.is_empty())
            {
                let v: Vec<&str> = row.split('|').collect();
                let [
                    id,
                    received,
                    ack_due,
                    reply_due,
                    acknowledged,
                    replied,
                    progress,
                ] = v[..]
                else {
                    return Err(crate::StoreError::Invalid(format!(
                        "unexpected letter facts: {row}"
                    )));
                };
                let (Ok(id), Some(received), Some(ack_due), Some(reply_due)) = (
                    id.parse::<i64>(),
                    date(received),
                    date(ack_due),
                    date(reply_due),
                ) else {
                    continue;
                };
                watched += 1;
                let f = LetterFacts {
                    received,
                    ack_due,
                    reply_due,
                    acknowledged: date(acknowledged),
                    replied: date(replied),
                    last_progress: date(progress),
                };
                // a progress deadline in a year whose holidays are not entered yet is set on plain weeks
                let next = duban_domain::letters::on_plain_weeks(&mut cal, |cal| {
                    next_owed(cal, &f, &clocks)
                });
                let Ok((owes, due)) = next else { continue };
                if let Some(u) = urge_letter(id, owes, due, received, as_of, &lights, &rules) {
                    owed.push(Owed::new(id, u, officer.or(leader), leader));
                }
            }
        }
        for r in &reports {
            let (letter, unit): (i64, i64) = (r.try_get("letter_id")?, r.try_get("to_unit_id")?);
            let (Some(assigned), Some(due)) = (
                date(&r.try_get::<String, _>("assigned_on")?),
                date(&r.try_get::<String, _>("report_due")?),
            ) else {
                continue;
            };
            watched += 1;
            let (leader, officer) = (leaders.get(&unit).copied(), officers.get(&unit).copied());
            if let Some(u) =
                urge_letter(letter, Owes::Report, due, assigned, as_of, &lights, &rules)
            {
                owed.push(Owed::new(letter, u, officer.or(leader), leader));
            }
        }
        let t_decide = t0.elapsed();
        let (mut reminders, mut notices) = (0, 0);
        if !owed.is_empty() {
            let batch = Batch::new(&owed, &self.staff_emails().await?);
            let mut w = self.write(&Actor::system("scheduler")).await?;
            (reminders, notices) = self
                .issue(&mut w, "letter_id", &batch, &as_of.to_string())
                .await?;
            if reminders + notices > 0 {
                w.audit(Change {
                    action: "supervision.sweep_letters",
                    entity: "notices",
                    entity_id: as_of.to_string(),
                    unit_id: None,
                    before: None,
                    after: Some(
                        json!({"watched": watched, "reminders": reminders, "notices": notices}),
                    ),
                })
                .await?;
            }
            w.commit().await?;
        }
        tracing::debug!(?t_read, ?t_people, ?t_cal, ?t_decide, total = ?t0.elapsed(), "letters sweep phases (cumulative)");
        Ok((watched, reminders, notices))
    }

    /// Issues what is owed on `as_of` to every open task.
    async fn sweep_tasks(&self, as_of: NaiveDate) -> Result<SweepReport> {
        let r = self.supervision_rules().await?;
        let (lights, rules) = (r.lights, r.urging);
        // only tasks that may be yellow or red are read (a superset, by date comparisons); the
        // domain decides for each of them what is owed
        let c = lights.cutoffs(as_of);
        // The rows travel packed, one text per plan: a sweep may look at hundreds of thousands of
        // tasks, and each result row costs a hand-off between the database thread and this one.
        let fields = "CAST(t.id AS TEXT) || '|' || t.category || '|' || t.state || '|' || t.created_on || '|' || COALESCE(t.deadline, '') || '|' \
                      || COALESCE(t.last_entry_on, '') || '|' || COALESCE(t.last_staged_on, '') || '|' || COALESCE(CAST(t.lead_leader_id AS TEXT), '') \
                      || '|' || COALESCE(CAST(t.responsible_id AS TEXT), '')";
        let pack = self.pack(fields);
        let t0 = std::time::Instant::now();
        // The plans are read in ranges; while the writer issues what one range owes, the next
        // range is read and decided (on another thread), so reading, deciding and writing overlap.
        let plans: Vec<i64> = sqlx::query_scalar("SELECT id FROM plans ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let ranges: Vec<(i64, i64)> = plans
            .chunks(plans.len().div_ceil(8).max(1))
            .filter_map(|c| Some((*c.first()?, *c.last()?)))
            .collect();
        let sql = format!(
            "SELECT {pack} AS packed FROM tasks t LEFT JOIN task_quiet q ON q.task_id = t.id \
             WHERE t.plan_id BETWEEN $5 AND $6 AND t.state <> 'closed' AND t.created_on <= $1 AND (q.task_id IS NULL OR q.quiet_from > $1 OR q.quiet_until <= $1) \
             AND (COALESCE(t.last_entry_on, t.created_on) < $2 OR (t.category = 'long_term' AND COALESCE(t.last_staged_on, t.created_on) <= $3) \
             OR (t.category <> 'long_term' AND t.deadline <= $4)) GROUP BY t.plan_id"
        );
        let emails = std::sync::Arc::new(self.staff_emails().await?);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Decided>>(2);
        let reader = {
            let (pool, c, emails) = (self.pool.clone(), c, emails.clone());
            tokio::spawn(async move {
                for (from, to) in ranges {
                    let read = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                        .bind(as_of.to_string())
                        .bind(c.entry_before.to_string())
                        .bind(c.staged_by.to_string())
                        .bind(c.due_by.to_string())
                        .bind(from)
                        .bind(to)
                        .fetch_all(&pool)
                        .await
                        .map_err(crate::StoreError::from)
                        .and_then(|rows| {
                            rows.iter()
                                .map(|p| {
                                    Ok(p.try_get::<Option<String>, _>("packed")?
                                        .unwrap_or_default())
                                })
                                .collect::<Result<Vec<String>>>()
                        });
                    let decided = match read {
                        Ok(packs) => {
                            let emails = emails.clone();
                            tokio::task::spawn_blocking(move || {
                                decide(&packs, as_of, &lights, &rules, &emails)
                            })
                            .await
                            .unwrap_or_else(|_| {
                                Err(crate::StoreError::Invalid("sweep worker failed".into()))
                            })
                        }
                        Err(e) => Err(e),
                    };
                    let failed = decided.is_err();
                    if tx.send(decided).await.is_err() || failed {
                        break;
                    }
                }
            })
        };
        let issued = as_of.to_string();
        let mut report = SweepReport::default();
        // the write transaction opens with the first range that owes something
        let mut w: Option<crate::Write> = None;
        let (mut t_wait, mut t_issue, mut t_q) = (
            std::time::Duration::ZERO,
            std::time::Duration::ZERO,
            std::time::Duration::ZERO,
        );
        loop {
            let tw = std::time::Instant::now();
            let Some(d) = rx.recv().await else { break };
            t_wait += tw.elapsed();
            let d = d?;
            report.watched_tasks += d.watched;
            if d.watched == 0 {
                continue;
            }
            if w.is_none() {
                w = Some(self.write(&Actor::system("scheduler")).await?);
            }
            let Some(w) = w.as_mut() else { continue };
            let ti = std::time::Instant::now();
            let (reminders, notices) = self.issue(w, "task_id", &d.batch, &issued).await?;
            t_issue += ti.elapsed();
            let ti = std::time::Instant::now();
            report.reminders += reminders;
            report.notices += notices;
            // until when each task needs no look (the facts' changes clear it); one statement
            // per day, the tasks' ids travelling as one JSON array
            for (until, ids) in d.quiet {
                sqlx::query(crate::sqlf!(
                    "INSERT INTO task_quiet (task_id, quiet_from, quiet_until) SELECT CAST(j.value ->> 0 AS BIGINT), $1, $2 FROM {} WHERE true \
                     ON CONFLICT (task_id) DO UPDATE SET quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until",
                    self.json_rows(3)
                ))
                .bind(&issued)
                .bind(until)
                .bind(ids)
                .execute(&mut *w.tx)
                .await?;
            }
            t_q += ti.elapsed();
        }
        let _ = reader.await;
        let Some(mut w) = w else {
            return Ok(report);
        };
        let t_quiet = t0.elapsed();
        if report.reminders + report.notices > 0 {
            w.audit(Change {
                action: "supervision.sweep",
                entity: "notices",
                entity_id: issued.clone(),
                unit_id: None,
                before: None,
                after: Some(json!(report)),
            })
            .await?;
        }
        w.commit().await?;
        tracing::debug!(?t_wait, ?t_issue, ?t_q, ?t_quiet, total = ?t0.elapsed(), "sweep: issued, then committed");
        Ok(report)
    }

    /// The e-mail address of each staff member who has an active account with one.
    pub(crate) async fn staff_emails(&self) -> Result<HashMap<i64, String>> {
        let mut emails = HashMap::new();
        for r in sqlx::query("SELECT staff_id, email FROM users WHERE staff_id IS NOT NULL AND email <> '' AND disabled = 0")
            .fetch_all(&self.pool)
            .await?
        {
            emails.insert(r.try_get("staff_id")?, r.try_get("email")?);
        }
        Ok(emails)
    }

    /// Issues a batch of what a sweep found owed to tasks or letters (`subject` names the
    /// column) and counts what was new: a unique key per subject refuses what another process
    /// issued first.
    pub(crate) async fn issue(
        &self,
        w: &mut crate::Write,
        subject: &str,
        batch: &Batch,
        issued: &str,
    ) -> Result<(u64, u64)> {
        let now = self.now_rfc3339();
        let mut counts = [0u64; 2];
        for (k, (kind, chunks)) in [("reminder", &batch.reminders), ("notice", &batch.notices)]
            .into_iter()
            .enumerate()
        {
            for rows in chunks {
                counts[k] += sqlx::query(crate::sqlf!(
                    "INSERT INTO notices ({subject}, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, created_at) \
                     SELECT CAST(j.value ->> 0 AS BIGINT), '{kind}', j.value ->> 1, j.value ->> 2, CAST(j.value ->> 3 AS BIGINT), $1, \
                     CAST(j.value ->> 4 AS BIGINT), j.value ->> 5, $2 FROM {} WHERE true ON CONFLICT DO NOTHING",
                    self.json_rows(3)
                ))
                .bind(issued)
                .bind(&now)
                .bind(rows)
                .execute(&mut *w.tx)
                .await?
                .rows_affected();
            }
        }
        Ok((counts[0], counts[1]))
    }
}

/// What the sweep decided for a range of plans, ready for the database.
struct Decided {
    watched: usize,
    batch: Batch,
    /// (quiet until, the tasks' ids as a JSON array of one-element arrays)
    quiet: Vec<(String, String)>,
}

/// What a sweep issues, made ready off the writer's path: per kind, the rows as JSON arrays of
/// `[subject, level, key, addressee, days overdue, e-mail]`, at most 50,000 rows each. The
/// database unpacks them itself, without one parameter per value.
#[derive(Default)]
pub(crate) struct Batch {
    reminders: Vec<String>,
    notices: Vec<String>,
}

impl Batch {
    pub(crate) fn new(owed: &[Owed], emails: &HashMap<i64, String>) -> Batch {
        let rows = |kind: &str| -> Vec<String> {
            let rows: Vec<(i64, &str, &str, Option<i64>, i64, &str)> = owed
                .iter()
                .filter(|o| o.kind == kind)
                .map(|o| {
                    let email = o.to.and_then(|s| emails.get(&s)).map_or("", String::as_str);
                    (o.subject, o.level, o.dedupe.as_str(), o.to, o.days, email)
                })
                .collect();
            rows.chunks(50_000)
                .map(|c| serde_json::to_string(c).unwrap_or_default())
                .collect()
        };
        Batch {
            reminders: rows("reminder"),
            notices: rows("notice"),
        }
    }
}

/// Runs the domain's urging rules over packed task rows (`id|category|state|created|deadline|
/// last entry|last staged|lead|responsible`, rows separated by `;`).
fn decide(
    packs: &[String],
    as_of: NaiveDate,
    lights: &duban_domain::rectification::LightRules,
    rules: &duban_domain::rectification::urging::UrgeRules,
    emails: &HashMap<i64, String>,
) -> Result<Decided> {
    let date = |s: &str| s.parse::<NaiveDate>().ok();
    let id = |s: &str| s.parse::<i64>().ok();
    let mut watched = 0;
    let mut owed = Vec::new();
    let mut quiet: std::collections::BTreeMap<NaiveDate, Vec<[i64; 1]>> = Default::default();
    for row in packs
        .iter()
        .flat_map(|p| p.split(';'))
        .filter(|r| !r.is_empty())
    {
        let v: Vec<&str> = row.split('|').collect();
        let [
            task,
            category,
            state,
            created,
            deadline,
            last_entry,
            last_staged,
            lead,
            responsible,
        ] = v[..]
        else {
            return Err(crate::StoreError::Invalid(format!(
                "unexpected task facts: {row}"
            )));
        };
        let Some(task) = id(task) else { continue };
        watched += 1;
        let f = TaskFacts {
            category: crate::known(Category::parse(category), "任务类别", category)?,
            state: crate::known(TaskState::parse(state), "任务状态", state)?,
            created: date(created).unwrap_or(as_of),
            deadline: date(deadline),
            last_entry: date(last_entry),
            last_staged: date(last_staged),
        };
        let (lead, responsible) = (id(lead), id(responsible));
        quiet
            .entry(quiet_until(task, &f, as_of, lights, rules))
            .or_default()
            .push([task]);
        if let Some(u) = urge(task, &f, as_of, lights, rules) {
            owed.push(Owed::new(task, u, responsible.or(lead), lead));
        }
    }
    Ok(Decided {
        watched,
        batch: Batch::new(&owed, emails),
        quiet: quiet
            .into_iter()
            .map(|(until, ids)| {
                (
                    until.to_string(),
                    serde_json::to_string(&ids).unwrap_or_default(),
                )
            })
            .collect(),
    })
}
