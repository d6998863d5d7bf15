//! The discipline group's desk: problem clues (registered, imported, disposed of, concluded),
//! their figures and their own urging; reviews, look-backs and the violations register in
//! `desk`. Every read and write is the desk's ([`Action::KeepDesk`]): anyone else is told the
//! thing does not exist, and every read of a clue is audited.
use crate::org::ImportReport;
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::access::Action;
use duban_domain::discipline::{
    ClueFacts, ClueFigures, ClueForFigures, ClueLimits, ClueSource, ClueStep, Disposal, Outcome,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

mod desk;
mod recommendations;
mod talks;
pub use desk::*;
pub use recommendations::*;
pub use talks::*;

/// A clue as registered on the desk's form.
#[derive(Debug, Clone)]
pub struct NewClue {
    pub clue_no: String,
    pub received_on: NaiveDate,
    pub source: ClueSource,
    pub subject_staff_no: String,
    pub subject_name: String,
    pub subject_post: String,
    pub summary: String,
}

/// A clue in the desk's list.
#[derive(Debug, Clone, Serialize)]
pub struct ClueSummary {
    pub id: i64,
    pub clue_no: String,
    pub unit_name: String,
    pub received_on: String,
    pub source: String,
    pub subject: String,
    pub disposal: Option<String>,
    pub outcome: Option<String>,
    pub due_on: String,
    pub concluded_on: Option<String>,
}

/// A clue with its history and the desk's notices on it.
#[derive(Debug, Clone, Serialize)]
pub struct ClueDetail {
    pub summary: ClueSummary,
    pub unit_id: i64,
    pub subject_post: String,
    pub text: String,
    /// (date, kind, code, note, author)
    pub events: Vec<(String, String, String, String, String)>,
    /// (issued on, kind, level, days overdue)
    pub notices: Vec<(String, String, String, i64)>,
    /// attachments: (id, file name, size)
    pub files: Vec<(i64, String, i64)>,
}

const SUMMARY: &str = "SELECT c.id, c.clue_no, u.name AS unit_name, c.received_on, c.source, \
    CASE WHEN s.name IS NOT NULL THEN s.name ELSE c.subject_name END AS subject, c.disposal, c.outcome, c.due_on, c.concluded_on \
    FROM clues c JOIN units u ON u.id = c.unit_id LEFT JOIN staff s ON s.id = c.subject_staff_id";

fn summary(r: &sqlx::any::AnyRow) -> Result<ClueSummary> {
    Ok(ClueSummary {
        id: r.try_get("id")?,
        clue_no: r.try_get("clue_no")?,
        unit_name: r.try_get("unit_name")?,
        received_on: r.try_get("received_on")?,
        source: r.try_get("source")?,
        subject: r.try_get("subject")?,
        disposal: r.try_get("disposal")?,
        outcome: r.try_get("outcome")?,
        due_on: r.try_get("due_on")?,
        concluded_on: r.try_get("concluded_on")?,
    })
}

/// The desk is the discipline line's: anyone else is told the thing does not exist.
pub(crate) fn desk(actor: &Actor) -> Result<()> {
    duban_domain::access::decide(actor.role, Action::KeepDesk).map_err(|_| StoreError::NotFound)
}

fn date(s: &str) -> Result<NaiveDate> {
    s.parse::<NaiveDate>()
        .map_err(|_| StoreError::Invalid(format!("日期“{s}”无法识别")))
}

impl Store {
    async fn clue_limits(&self) -> Result<ClueLimits> {
        Ok(self.supervision_rules().await?.clue_limits)
    }

    /// Registers a clue received by the actor's unit.
    pub async fn add_clue(&self, actor: &Actor, scope: &Scope, c: &NewClue) -> Result<i64> {
        desk(actor)?;
        let limits = self.clue_limits().await?;
        let clue_no = duban_domain::text::required(&c.clue_no, 50)
            .map_err(|e| StoreError::Invalid(format!("线索编号{e}")))?;
        let summary = duban_domain::text::required(&c.summary, 2000)
            .map_err(|e| StoreError::Invalid(format!("主要问题{e}")))?;
        let name = duban_domain::text::optional(&c.subject_name, 50)
            .map_err(|e| StoreError::Invalid(format!("反映对象{e}")))?;
        let post = duban_domain::text::optional(&c.subject_post, 50)
            .map_err(|e| StoreError::Invalid(format!("职务{e}")))?;
        if c.received_on > self.today() {
            return Err(duban_domain::rectification::RuleError::FutureDate.into());
        }
        let mut w = self.write(actor).await?;
        let staff: Option<i64> = match c.subject_staff_no.trim() {
            "" => None,
            no => Some(
                sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
                    .bind(no)
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("工号 {no} 不在人员名册中")))?,
            ),
        };
        if staff.is_none() && name.is_empty() {
            return Err(StoreError::Invalid("请填写反映对象的工号或姓名".into()));
        }
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM clues WHERE unit_id = $1 AND clue_no = $2")
                .bind(scope.unit_id)
                .bind(&clue_no)
                .fetch_one(&mut *w.tx)
                .await?;
        if taken > 0 {
            return Err(StoreError::Invalid(format!("线索编号“{clue_no}”已存在")));
        }
        let facts = ClueFacts {
            received: c.received_on,
            disposal: None,
            concluded: None,
        };
        let id = insert_clue(
            &mut w,
            scope.unit_id,
            &clue_no,
            c,
            staff,
            (&name, &post, &summary),
            facts.due(&limits),
        )
        .await?;
        w.audit(Change {
            action: "clue.add",
            entity: "clue",
            entity_id: id.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(
                json!({"source": c.source.as_str(), "received_on": c.received_on.to_string()}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Loads clues (`clue_no,received_on,unit_code,source,subject_staff_no,subject_name,summary,
    /// disposal,disposal_on,outcome,concluded_on`): all or nothing, every bad cell reported.
    pub async fn import_clues(
        &self,
        actor: &Actor,
        table: &duban_domain::import::Table,
    ) -> Result<ImportReport> {
        desk(actor)?;
        let limits = self.clue_limits().await?;
        let mut w = self.write(actor).await?;
        let mut units = HashMap::new();
        for r in sqlx::query("SELECT id, code FROM units")
            .fetch_all(&mut *w.tx)
            .await?
        {
            if let Ok(c) = duban_domain::org::UnitCode::parse(&r.try_get::<String, _>("code")?) {
                units.insert(c, r.try_get::<i64, _>("id")?);
            }
        }
        let mut staff = HashMap::new();
        for r in sqlx::query("SELECT id, staff_no FROM staff")
            .fetch_all(&mut *w.tx)
            .await?
        {
            staff.insert(
                r.try_get::<String, _>("staff_no")?,
                r.try_get::<i64, _>("id")?,
            );
        }
        let mut taken = HashSet::new();
        for r in
            sqlx::query("SELECT u.code, c.clue_no FROM clues c JOIN units u ON u.id = c.unit_id")
                .fetch_all(&mut *w.tx)
                .await?
        {
            taken.insert((
                r.try_get::<String, _>("code")?,
                r.try_get::<String, _>("clue_no")?,
            ));
        }
        let rows = duban_domain::import::validate_clues(
            table,
            &units.keys().cloned().collect(),
            &staff.keys().cloned().collect(),
            &taken,
            self.today(),
        )
        .map_err(StoreError::Import)?;
        for r in &rows {
            let facts = ClueFacts {
                received: r.received_on,
                disposal: r.disposal,
                concluded: r.outcome.map(|o| o.1),
            };
            let clue = NewClue {
                clue_no: r.clue_no.clone(),
                received_on: r.received_on,
                source: r.source,
                subject_staff_no: r.subject_staff_no.clone(),
                subject_name: r.subject_name.clone(),
                subject_post: String::new(),
                summary: r.summary.clone(),
            };
            let id = insert_clue(
                &mut w,
                units[&r.unit],
                &r.clue_no,
                &clue,
                staff.get(&r.subject_staff_no).copied(),
                (&r.subject_name, "", &r.summary),
                facts.due(&limits),
            )
            .await?;
            if let Some((d, on)) = r.disposal {
                apply_step(
                    &mut w,
                    id,
                    ClueStep::Dispose(d),
                    on,
                    "（导入）",
                    None,
                    &limits,
                    r.received_on,
                )
                .await?;
            }
            if let Some((o, on)) = r.outcome {
                apply_step(
                    &mut w,
                    id,
                    ClueStep::Conclude(o),
                    on,
                    "（导入）",
                    None,
                    &limits,
                    r.received_on,
                )
                .await?;
            }
        }
        w.audit(Change {
            action: "clues.import",
            entity: "clues",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"rows": rows.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(ImportReport {
            created: rows.len(),
            ..Default::default()
        })
    }

    #[allow(clippy::too_many_arguments)]
    /// Disposes of a clue (again) or concludes it, decided by the domain on the clue read in
    /// this write; a decision of a monthly review names the review.
    pub async fn clue_step(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        step: ClueStep,
        on: NaiveDate,
        note: &str,
        review: Option<i64>,
    ) -> Result<()> {
        desk(actor)?;
        let limits = self.clue_limits().await?;
        let note = duban_domain::text::optional(note, 2000)
            .map_err(|e| StoreError::Invalid(format!("说明{e}")))?;
        let mut w = self.write(actor).await?;
        let f = clue_facts_in(&mut w, scope, id).await?;
        duban_domain::discipline::decide_clue(actor.role, &f, step, on, self.today())?;
        apply_step(&mut w, id, step, on, &note, review, &limits, f.received).await?;
        w.audit(Change {
            action: "clue.step",
            entity: "clue",
            entity_id: id.to_string(),
            unit_id: None,
            before: None,
            after: Some(
                json!({"on": on.to_string(), "review": review, "step": match step {
                    ClueStep::Dispose(d) => d.as_str(),
                    ClueStep::Conclude(o) => o.as_str(),
                }}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// Attaches a file to a clue in scope (checked for type; kept once by content).
    pub async fn attach_clue_file(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        upload: &crate::rectification::Upload,
    ) -> Result<i64> {
        desk(actor)?;
        let content_type = crate::rectification::evidence_type(&upload.filename)?;
        if upload.bytes.is_empty() {
            return Err(StoreError::Invalid("附件为空".into()));
        }
        let mut w = self.write(actor).await?;
        clue_facts_in(&mut w, scope, id).await?;
        let sha = crate::rectification::put_blob(&mut w, &upload.bytes).await?;
        let file: i64 = sqlx::query_scalar(
            "INSERT INTO clue_files (clue_id, sha256, filename, content_type, size, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(&sha)
        .bind(upload.filename.chars().take(200).collect::<String>())
        .bind(content_type)
        .bind(upload.bytes.len() as i64)
        .bind(&actor.name)
        .bind(w.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "clue.attach",
            entity: "clue",
            entity_id: id.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"file": file, "sha256": sha})),
        })
        .await?;
        w.commit().await?;
        Ok(file)
    }

    /// An attachment of a clue in scope: (file name, content type, bytes); the read is audited.
    pub async fn clue_file(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        file: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        desk(actor)?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT f.filename, f.content_type, b.content FROM clue_files f JOIN blobs b ON b.sha256 = f.sha256 JOIN clues c ON c.id = f.clue_id \
             JOIN units u ON u.id = c.unit_id WHERE f.id = $3 AND f.clue_id = $4 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(file)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "clue.file",
            entity: "clue",
            entity_id: id.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"file": file})),
        })
        .await?;
        w.commit().await?;
        Ok((
            r.try_get("filename")?,
            r.try_get("content_type")?,
            r.try_get("content")?,
        ))
    }

    /// One page of clues in scope: open ones by their deadline (or all, newest first), after the
    /// `after` cursor (`due|id` or `received|id`).
    pub async fn clues_page(
        &self,
        actor: &Actor,
        scope: &Scope,
        open: bool,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<ClueSummary>, Option<String>)> {
        desk(actor)?;
        let (cond, order) = if open {
            (
                "c.concluded_on IS NULL AND (c.due_on > $3 OR (c.due_on = $3 AND c.id > $4))",
                "c.due_on, c.id",
            )
        } else {
            (
                "(c.received_on < $3 OR (c.received_on = $3 AND c.id < $4))",
                "c.received_on DESC, c.id DESC",
            )
        };
        let (k, i) = match after.and_then(|a| a.split_once('|')) {
            Some((k, i)) => (k.to_string(), i.parse::<i64>().unwrap_or(0)),
            None if open => (String::new(), 0),
            None => ("9999-12-31".to_string(), i64::MAX),
        };
        let rows = sqlx::query(crate::sqlf!(
            "{SUMMARY} WHERE {} AND {cond} ORDER BY {order} LIMIT $5",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(k)
        .bind(i)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows.iter().map(summary).collect::<Result<Vec<_>>>()?;
        let next = (items.len() as i64 > limit).then(|| {
            items.truncate(limit as usize);
            items
                .last()
                .map(|c| {
                    let k = if open { &c.due_on } else { &c.received_on };
                    format!("{k}|{}", c.id)
                })
                .unwrap_or_default()
        });
        Ok((items, next))
    }

    /// A clue in scope with its history; the read is audited.
    pub async fn clue(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<ClueDetail> {
        desk(actor)?;
        let r = sqlx::query(crate::sqlf!(
            "{SUMMARY} WHERE c.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let more = sqlx::query("SELECT unit_id, subject_post, summary FROM clues WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let events = sqlx::query("SELECT e.on_date, e.kind, e.code, e.note, COALESCE(u.display_name, e.author) AS author FROM clue_events e LEFT JOIN users u ON u.login = e.author WHERE e.clue_id = $1 ORDER BY e.on_date, e.id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get("on_date")?, e.try_get("kind")?, e.try_get("code")?, e.try_get("note")?, e.try_get("author")?)))
            .collect::<Result<Vec<_>>>()?;
        let notices = sqlx::query("SELECT issued_on, kind, level, days_overdue FROM clue_notices WHERE clue_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get("issued_on")?, e.try_get("kind")?, e.try_get("level")?, e.try_get("days_overdue")?)))
            .collect::<Result<Vec<_>>>()?;
        let files =
            sqlx::query("SELECT id, filename, size FROM clue_files WHERE clue_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|e| Ok((e.try_get("id")?, e.try_get("filename")?, e.try_get("size")?)))
                .collect::<Result<Vec<_>>>()?;
        let d = ClueDetail {
            files,
            summary: summary(&r)?,
            unit_id: more.try_get("unit_id")?,
            subject_post: more.try_get("subject_post")?,
            text: more.try_get("summary")?,
            events,
            notices,
        };
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "clue.view",
            entity: "clue",
            entity_id: id.to_string(),
            unit_id: Some(d.unit_id),
            before: None,
            after: None,
        })
        .await?;
        w.commit().await?;
        Ok(d)
    }

    /// The figures of the clues received in [`from`, `to`] by `unit` (with its subtree when
    /// asked), judged on `as_of` from their history (the contract of `duban report clues`).
    pub async fn clue_figures(
        &self,
        actor: &Actor,
        unit: &crate::org::Unit,
        subtree: bool,
        (from, to, as_of): (NaiveDate, NaiveDate, NaiveDate),
    ) -> Result<ClueFigures> {
        desk(actor)?;
        let limits = self.clue_limits().await?;
        let units = if subtree {
            "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1)"
        } else {
            "($1)"
        };
        let disposals = self.clue_disposals_sql();
        let rows = sqlx::query(crate::sqlf!(
            "SELECT c.id, c.received_on, c.source, c.outcome, c.concluded_on, COALESCE(CAST(c.subject_staff_id AS TEXT), c.subject_name) AS person, \
             {disposals} AS disposals FROM clues c WHERE c.unit_id IN {units} AND c.received_on >= $2 AND c.received_on <= $3"
        ))
        .persistent(false)
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut clues = Vec::with_capacity(rows.len());
        let mut persons = Vec::with_capacity(rows.len());
        for r in &rows {
            let received = date(&r.try_get::<String, _>("received_on")?)?;
            let disposals: Vec<(Disposal, NaiveDate)> = r
                .try_get::<Option<String>, _>("disposals")?
                .unwrap_or_default()
                .split(';')
                .filter_map(|p| {
                    let (d, on) = p.split_once('|')?;
                    Some((Disposal::parse(d)?, on.parse().ok()?))
                })
                .collect();
            let concluded = r
                .try_get::<Option<String>, _>("concluded_on")?
                .map(|s| date(&s))
                .transpose()?;
            let source: String = r.try_get("source")?;
            let outcome: Option<String> = r.try_get("outcome")?;
            clues.push((
                crate::known(ClueSource::parse(&source), "线索来源", &source)?,
                ClueFacts::as_of(received, &disposals, concluded, as_of),
                outcome.as_deref().and_then(Outcome::parse),
            ));
            persons.push(
                r.try_get::<Option<String>, _>("person")?
                    .unwrap_or_default(),
            );
        }
        Ok(duban_domain::discipline::clue_figures(
            clues
                .iter()
                .zip(&persons)
                .map(|((source, facts, outcome), person)| ClueForFigures {
                    source: *source,
                    facts: *facts,
                    outcome: *outcome,
                    person,
                }),
            as_of,
            &limits,
        ))
    }

    /// Each clue's disposals as `code|date;code|date` (a correlated aggregate per backend).
    fn clue_disposals_sql(&self) -> String {
        match self.backend {
            crate::Backend::Sqlite => "(SELECT group_concat(e.code || '|' || e.on_date, ';') FROM clue_events e WHERE e.clue_id = c.id AND e.kind = 'dispose')".into(),
            crate::Backend::Postgres => "(SELECT string_agg(e.code || '|' || e.on_date, ';') FROM clue_events e WHERE e.clue_id = c.id AND e.kind = 'dispose')".into(),
        }
    }
}

/// The facts of a clue in scope, read in the write.
async fn clue_facts_in(w: &mut crate::Write, scope: &Scope, id: i64) -> Result<ClueFacts> {
    let r = sqlx::query(crate::sqlf!(
        "SELECT c.received_on, c.disposal, c.disposal_on, c.concluded_on FROM clues c JOIN units u ON u.id = c.unit_id WHERE c.id = $3 AND {}",
        crate::scope_sql("u", 1, 2)
    ))
    .bind(scope.unit_id)
    .bind(crate::scope_like(scope))
    .bind(id)
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let disposal = match (
        r.try_get::<Option<String>, _>("disposal")?,
        r.try_get::<Option<String>, _>("disposal_on")?,
    ) {
        (Some(d), Some(on)) => Some((
            crate::known(Disposal::parse(&d), "处置方式", &d)?,
            date(&on)?,
        )),
        _ => None,
    };
    Ok(ClueFacts {
        received: date(&r.try_get::<String, _>("received_on")?)?,
        disposal,
        concluded: r
            .try_get::<Option<String>, _>("concluded_on")?
            .map(|s| date(&s))
            .transpose()?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_clue(
    w: &mut crate::Write,
    unit: i64,
    clue_no: &str,
    c: &NewClue,
    staff: Option<i64>,
    (name, post, summary): (&str, &str, &str),
    due: NaiveDate,
) -> Result<i64> {
    let now = w.now_rfc3339();
    let author = w.actor().name.clone();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clues (unit_id, clue_no, received_on, source, subject_staff_id, subject_name, subject_post, summary, due_on, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(unit)
    .bind(clue_no)
    .bind(c.received_on.to_string())
    .bind(c.source.as_str())
    .bind(staff)
    .bind(name)
    .bind(post)
    .bind(summary)
    .bind(due.to_string())
    .bind(&author)
    .bind(&now)
    .fetch_one(&mut *w.tx)
    .await?;
    sqlx::query("INSERT INTO clue_events (clue_id, kind, code, on_date, author, created_at) VALUES ($1, 'received', $2, $3, $4, $5)")
        .bind(id)
        .bind(c.source.as_str())
        .bind(c.received_on.to_string())
        .bind(&author)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
    Ok(id)
}

/// Writes a step the domain allowed: the clue's current state and deadline, and its history.
#[allow(clippy::too_many_arguments)]
async fn apply_step(
    w: &mut crate::Write,
    id: i64,
    step: ClueStep,
    on: NaiveDate,
    note: &str,
    review: Option<i64>,
    limits: &ClueLimits,
    received: NaiveDate,
) -> Result<()> {
    let (kind, code) = match step {
        ClueStep::Dispose(d) => {
            let due = ClueFacts {
                received,
                disposal: Some((d, on)),
                concluded: None,
            }
            .due(limits);
            sqlx::query(
                "UPDATE clues SET disposal = $1, disposal_on = $2, due_on = $3 WHERE id = $4",
            )
            .bind(d.as_str())
            .bind(on.to_string())
            .bind(due.to_string())
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
            ("dispose", d.as_str())
        }
        ClueStep::Conclude(o) => {
            sqlx::query("UPDATE clues SET outcome = $1, concluded_on = $2 WHERE id = $3")
                .bind(o.as_str())
                .bind(on.to_string())
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
            ("conclude", o.as_str())
        }
    };
    let now = w.now_rfc3339();
    let author = w.actor().name.clone();
    sqlx::query("INSERT INTO clue_events (clue_id, kind, code, on_date, note, review_id, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id)
        .bind(kind)
        .bind(code)
        .bind(on.to_string())
        .bind(note)
        .bind(review)
        .bind(&author)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
    Ok(())
}
