//! The desk's other ledgers: the monthly review (月度研究执纪审查) with its agenda drawn from the
//! clues, the look-back (回头看) over clues disposed of in a period, the register of staff dealt
//! with for violations (立案查处) and its figures, and the desk's own urging of overdue clues.
use super::{ClueSummary, SUMMARY, date, desk, summary};
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::discipline::{Outcome, Verdict, ViolationKind};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

/// A monthly review meeting and what it was to consider.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub month: String,
    pub held_on: String,
    pub notes: String,
}

/// The agenda of a review: the clues received in its month, those undisposed, those due by the
/// month's end and those overdue on the day it is held.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Agenda {
    pub received: Vec<ClueSummary>,
    pub undisposed: Vec<ClueSummary>,
    pub due: Vec<ClueSummary>,
    pub overdue: Vec<ClueSummary>,
    /// decisions recorded at the meeting: (clue no, step code, note)
    pub decisions: Vec<(String, String, String)>,
}

/// A look-back campaign and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Lookback {
    pub id: i64,
    pub title: String,
    pub from_on: String,
    pub to_on: String,
    pub total: i64,
    pub assessed: i64,
    /// verdict code → count
    pub by_verdict: BTreeMap<String, i64>,
}

/// A clue in a look-back, with its verdict once assessed.
#[derive(Debug, Clone, Serialize)]
pub struct LookbackItem {
    pub clue: ClueSummary,
    pub verdict: Option<String>,
    pub note: String,
    pub assessed_on: Option<String>,
}

/// A staff member dealt with for a violation.
#[derive(Debug, Clone)]
pub struct NewViolation {
    pub staff_no: String,
    pub name: String,
    pub unit_id: i64,
    pub post: String,
    pub kind: ViolationKind,
    pub filed_on: NaiveDate,
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub id: i64,
    pub name: String,
    pub unit_name: String,
    pub level: i64,
    pub post: String,
    pub kind: String,
    pub filed_on: String,
    pub outcome: Option<String>,
}

pub use duban_domain::discipline::ViolationFigures;

impl Store {
    /// Holds a monthly review (`month` YYYY-MM) of the actor's unit.
    pub async fn create_review(
        &self,
        actor: &Actor,
        scope: &Scope,
        month: &str,
        held_on: NaiveDate,
        notes: &str,
    ) -> Result<i64> {
        desk(actor)?;
        let m = duban_domain::records::Month::parse(month)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if held_on > self.today() {
            return Err(duban_domain::rectification::RuleError::FutureDate.into());
        }
        let notes = duban_domain::text::optional(notes, 4000)
            .map_err(|e| StoreError::Invalid(format!("会议纪要{e}")))?;
        let mut w = self.write(actor).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO desk_reviews (unit_id, month, held_on, notes, author, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(scope.unit_id)
            .bind(m.to_string())
            .bind(held_on.to_string())
            .bind(&notes)
            .bind(&actor.name)
            .bind(w.now_rfc3339())
            .fetch_one(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "desk.review",
            entity: "desk_review",
            entity_id: id.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"month": m.to_string()})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// The actor's unit's reviews, newest first.
    pub async fn reviews(&self, actor: &Actor, scope: &Scope) -> Result<Vec<Review>> {
        desk(actor)?;
        sqlx::query("SELECT id, month, held_on, notes FROM desk_reviews WHERE unit_id = $1 ORDER BY month DESC, id DESC LIMIT 100")
            .bind(scope.unit_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Review {
                    id: r.try_get("id")?,
                    month: r.try_get("month")?,
                    held_on: r.try_get("held_on")?,
                    notes: r.try_get("notes")?,
                })
            })
            .collect()
    }

    /// A review with its agenda over the clues in scope.
    pub async fn review(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<(Review, Agenda)> {
        desk(actor)?;
        let review = self
            .reviews(actor, scope)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(StoreError::NotFound)?;
        let month = duban_domain::records::Month::parse(&review.month)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (first, last) = (month.first_day(), month.last_day());
        let held = date(&review.held_on)?;
        let list = |cond: &'static str, a: String, b: String| {
            sqlx::query(crate::sqlf!(
                "{SUMMARY} WHERE {} AND {cond} ORDER BY c.due_on, c.id LIMIT 200",
                crate::scope_sql("u", 1, 2)
            ))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(a)
            .bind(b)
            .fetch_all(&self.pool)
        };
        let rows = |v: Vec<sqlx::any::AnyRow>| v.iter().map(summary).collect::<Result<Vec<_>>>();
        let agenda = Agenda {
            received: rows(list("c.received_on >= $3 AND c.received_on <= $4", first.to_string(), last.to_string()).await?)?,
            undisposed: rows(list("c.disposal IS NULL AND c.concluded_on IS NULL AND c.received_on <= $3 AND $4 <> ''", held.to_string(), "x".into()).await?)?,
            due: rows(list("c.concluded_on IS NULL AND c.due_on >= $3 AND c.due_on <= $4", held.to_string(), last.to_string()).await?)?,
            overdue: rows(list("c.concluded_on IS NULL AND c.due_on < $3 AND $4 <> ''", held.to_string(), "x".into()).await?)?,
            decisions: sqlx::query("SELECT c.clue_no, e.code, e.note FROM clue_events e JOIN clues c ON c.id = e.clue_id WHERE e.review_id = $1 ORDER BY e.id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("clue_no")?, r.try_get("code")?, r.try_get("note")?)))
                .collect::<Result<Vec<_>>>()?,
        };
        Ok((review, agenda))
    }

    /// Opens a look-back over the clues in scope disposed of in [`from`, `to`].
    pub async fn create_lookback(
        &self,
        actor: &Actor,
        scope: &Scope,
        title: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64> {
        desk(actor)?;
        let title = duban_domain::text::required(title, 100)
            .map_err(|e| StoreError::Invalid(format!("标题{e}")))?;
        if to < from {
            return Err(StoreError::Invalid(format!(
                "截止日期 {to} 早于起始日期 {from}"
            )));
        }
        let mut w = self.write(actor).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO lookbacks (unit_id, title, from_on, to_on, author, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(scope.unit_id)
            .bind(&title)
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(&actor.name)
            .bind(w.now_rfc3339())
            .fetch_one(&mut *w.tx)
            .await?;
        let n = sqlx::query(crate::sqlf!(
            "INSERT INTO lookback_items (lookback_id, clue_id) SELECT $3, c.id FROM clues c JOIN units u ON u.id = c.unit_id \
             WHERE {} AND c.id IN (SELECT e.clue_id FROM clue_events e WHERE e.kind = 'dispose' AND e.on_date >= $4 AND e.on_date <= $5)",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .bind(from.to_string())
        .bind(to.to_string())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        w.audit(Change {
            action: "desk.lookback",
            entity: "lookback",
            entity_id: id.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"from": from.to_string(), "to": to.to_string(), "clues": n})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// The actor's unit's look-backs with their figures.
    pub async fn lookbacks(&self, actor: &Actor, scope: &Scope) -> Result<Vec<Lookback>> {
        desk(actor)?;
        let mut out = Vec::new();
        for r in sqlx::query(
            "SELECT id, title, from_on, to_on FROM lookbacks WHERE unit_id = $1 ORDER BY id DESC",
        )
        .bind(scope.unit_id)
        .fetch_all(&self.pool)
        .await?
        {
            let id: i64 = r.try_get("id")?;
            let mut by_verdict = BTreeMap::new();
            let (mut total, mut assessed) = (0, 0);
            for v in sqlx::query("SELECT COALESCE(verdict, '') AS verdict, COUNT(*) AS n FROM lookback_items WHERE lookback_id = $1 GROUP BY COALESCE(verdict, '')")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
            {
                let (verdict, n): (String, i64) = (v.try_get("verdict")?, crate::int(&v, "n")?);
                total += n;
                if !verdict.is_empty() {
                    assessed += n;
                    by_verdict.insert(verdict, n);
                }
            }
            out.push(Lookback {
                id,
                title: r.try_get("title")?,
                from_on: r.try_get("from_on")?,
                to_on: r.try_get("to_on")?,
                total,
                assessed,
                by_verdict,
            });
        }
        Ok(out)
    }

    /// A look-back's clues with their verdicts.
    pub async fn lookback(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
    ) -> Result<(Lookback, Vec<LookbackItem>)> {
        let lb = self
            .lookbacks(actor, scope)
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or(StoreError::NotFound)?;
        // the clues with their verdicts, in one read
        let select = SUMMARY.replacen(
            "SELECT ",
            "SELECT i.verdict, i.note AS item_note, i.assessed_on, ",
            1,
        );
        let out = sqlx::query(crate::sqlf!(
            "{select} JOIN lookback_items i ON i.clue_id = c.id WHERE i.lookback_id = $1 ORDER BY c.received_on, c.id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(LookbackItem {
                clue: summary(r)?,
                verdict: r.try_get("verdict")?,
                note: r.try_get("item_note")?,
                assessed_on: r.try_get("assessed_on")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok((lb, out))
    }

    /// Records the verdict on one clue of a look-back (re-assessment replaces it).
    pub async fn assess_clue(
        &self,
        actor: &Actor,
        scope: &Scope,
        lookback: i64,
        clue: i64,
        verdict: Verdict,
        note: &str,
    ) -> Result<()> {
        desk(actor)?;
        let note = duban_domain::text::optional(note, 2000)
            .map_err(|e| StoreError::Invalid(format!("研判意见{e}")))?;
        if verdict != Verdict::Proper && note.is_empty() {
            return Err(StoreError::Invalid("处置不当的，请写明纠正情况".into()));
        }
        let mut w = self.write(actor).await?;
        let n = sqlx::query("UPDATE lookback_items SET verdict = $1, note = $2, assessed_on = $3, author = $4 WHERE lookback_id = $5 AND clue_id = $6 \
             AND lookback_id IN (SELECT id FROM lookbacks WHERE unit_id = $7)")
            .bind(verdict.as_str())
            .bind(&note)
            .bind(self.today().to_string())
            .bind(&actor.name)
            .bind(lookback)
            .bind(clue)
            .bind(scope.unit_id)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        w.audit(Change {
            action: "desk.assess",
            entity: "clue",
            entity_id: clue.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"lookback": lookback, "verdict": verdict.as_str()})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// Enters a staff member dealt with for a violation, in a unit in scope.
    pub async fn add_violation(
        &self,
        actor: &Actor,
        scope: &Scope,
        v: &NewViolation,
    ) -> Result<i64> {
        desk(actor)?;
        let mut w = self.write(actor).await?;
        let in_scope: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM units u WHERE u.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(v.unit_id)
        .fetch_one(&mut *w.tx)
        .await?;
        if in_scope == 0 {
            return Err(StoreError::NotFound);
        }
        let id = insert_violation(&mut w, v, &actor.name).await?;
        w.audit(Change {
            action: "desk.violation",
            entity: "violation",
            entity_id: id.to_string(),
            unit_id: Some(v.unit_id),
            before: None,
            after: Some(json!({"kind": v.kind.as_str(), "filed_on": v.filed_on.to_string()})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Loads the violations register (`staff_no,name,unit_code,post,kind,filed_on,outcome`): all
    /// or nothing, every bad cell reported.
    pub async fn import_violations(
        &self,
        actor: &Actor,
        table: &duban_domain::import::Table,
    ) -> Result<crate::org::ImportReport> {
        desk(actor)?;
        let mut w = self.write(actor).await?;
        let mut units = std::collections::HashMap::new();
        for r in sqlx::query("SELECT id, code FROM units")
            .fetch_all(&mut *w.tx)
            .await?
        {
            if let Ok(c) = duban_domain::org::UnitCode::parse(&r.try_get::<String, _>("code")?) {
                units.insert(c, r.try_get::<i64, _>("id")?);
            }
        }
        let rows = duban_domain::import::validate_violations(
            table,
            &units.keys().cloned().collect(),
            self.today(),
        )
        .map_err(StoreError::Import)?;
        for r in &rows {
            insert_violation(
                &mut w,
                &NewViolation {
                    staff_no: r.staff_no.clone(),
                    name: r.name.clone(),
                    unit_id: units[&r.unit],
                    post: r.post.clone(),
                    kind: r.kind,
                    filed_on: r.filed_on,
                    outcome: r.outcome,
                },
                &actor.name,
            )
            .await?;
        }
        w.audit(Change {
            action: "violations.import",
            entity: "violations",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"rows": rows.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(crate::org::ImportReport {
            created: rows.len(),
            ..Default::default()
        })
    }

    /// The register in scope, newest first (the first 200).
    pub async fn violations(&self, actor: &Actor, scope: &Scope) -> Result<Vec<Violation>> {
        desk(actor)?;
        sqlx::query(crate::sqlf!(
            "SELECT v.id, v.name, u.name AS unit_name, u.level, v.post, v.kind, v.filed_on, v.outcome FROM violations v JOIN units u ON u.id = v.unit_id \
             WHERE {} ORDER BY v.filed_on DESC, v.id DESC LIMIT 200",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Violation {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                unit_name: r.try_get("unit_name")?,
                level: crate::int(r, "level")?,
                post: r.try_get("post")?,
                kind: r.try_get("kind")?,
                filed_on: r.try_get("filed_on")?,
                outcome: r.try_get("outcome")?,
            })
        })
        .collect()
    }

    /// The register's figures for staff filed against in [`from`, `to`] by `unit` (with its
    /// subtree when asked): persons, and counts by the unit's level, kind and outcome.
    pub async fn violation_figures(
        &self,
        actor: &Actor,
        unit: &crate::org::Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ViolationFigures> {
        desk(actor)?;
        self.violation_tally(unit, subtree, from, to).await
    }

    /// [`Store::violation_figures`] without the desk's check: for the confidential analysis,
    /// whose readers the documents module decides.
    pub(crate) async fn violation_tally(
        &self,
        unit: &crate::org::Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ViolationFigures> {
        let units = if subtree {
            "(SELECT a.unit_id FROM unit_ancestors a WHERE a.ancestor_id = $1)"
        } else {
            "($1)"
        };
        let mut f = ViolationFigures::default();
        let mut persons = std::collections::HashSet::new();
        for r in sqlx::query(crate::sqlf!(
            "SELECT v.unit_id, COALESCE(CAST(v.staff_id AS TEXT), v.name) AS person, u.level, u.name AS unit_name, v.kind, v.outcome FROM violations v JOIN units u ON u.id = v.unit_id \
             WHERE v.unit_id IN {units} AND v.filed_on >= $2 AND v.filed_on <= $3"
        ))
        .persistent(false)
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?
        {
            let person: String = r.try_get("person")?;
            let unit_id: i64 = r.try_get("unit_id")?;
            if !persons.insert((unit_id, person)) {
                continue;
            }
            *f.by_level.entry(crate::int(&r, "level")?.to_string()).or_default() += 1;
            *f.by_unit.entry(r.try_get("unit_name")?).or_default() += 1;
            let kind: String = r.try_get("kind")?;
            *f.by_kind
                .entry(ViolationKind::parse(&kind).map_or(kind.clone(), |k| k.zh().to_string()))
                .or_default() += 1;
            if let Some(o) = r.try_get::<Option<String>, _>("outcome")? {
                *f.by_outcome
                    .entry(Outcome::parse(&o).map_or(o.clone(), |k| k.zh().to_string()))
                    .or_default() += 1;
            }
        }
        f.persons = persons.len() as u64;
        Ok(f)
    }

    /// The desk's own urging: open clues near or past their deadline get reminders and blue →
    /// yellow → red notices by the rectification rules, kept apart from the supervision board
    /// (only the desk reads them). Returns how many were issued.
    pub async fn sweep_clues(&self, as_of: NaiveDate) -> Result<u64> {
        use duban_domain::rectification::urging::Urge;
        use duban_domain::rectification::{Category, TaskFacts, TaskState};
        let r = self.supervision_rules().await?;
        let soon = as_of + chrono::Duration::days(r.lights.due_soon_days);
        let rows = sqlx::query(
            "SELECT id, received_on, due_on FROM clues WHERE concluded_on IS NULL AND due_on <= $1",
        )
        .bind(soon.to_string())
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let now = w.now_rfc3339();
        let mut issued = 0;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let (received, due) = (
                date(&row.try_get::<String, _>("received_on")?)?,
                date(&row.try_get::<String, _>("due_on")?)?,
            );
            let f = TaskFacts {
                category: Category::TimeLimited,
                state: TaskState::InProgress,
                created: received,
                deadline: Some(due),
                last_entry: Some(as_of),
                last_staged: None,
            };
            let Some(u) =
                duban_domain::rectification::urging::urge(id, &f, as_of, &r.lights, &r.urging)
            else {
                continue;
            };
            let (kind, level, days, dedupe) = match u {
                Urge::Reminder { dedupe } => ("reminder", String::new(), 0, dedupe),
                Urge::Notice {
                    level,
                    days_overdue,
                    dedupe,
                } => ("notice", level.as_str().to_string(), days_overdue, dedupe),
            };
            issued += sqlx::query("INSERT INTO clue_notices (clue_id, kind, level, dedupe, issued_on, days_overdue, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(kind)
                .bind(level)
                .bind(format!("clue:{dedupe}"))
                .bind(as_of.to_string())
                .bind(days)
                .bind(&now)
                .execute(&mut *w.tx)
                .await?
                .rows_affected();
        }
        w.commit().await?;
        Ok(issued)
    }
}

async fn insert_violation(w: &mut crate::Write, v: &NewViolation, author: &str) -> Result<i64> {
    let name = duban_domain::text::required(&v.name, 50)
        .map_err(|e| StoreError::Invalid(format!("姓名{e}")))?;
    let staff: Option<i64> = match v.staff_no.trim() {
        "" => None,
        no => {
            sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
                .bind(no)
                .fetch_optional(&mut *w.tx)
                .await?
        }
    };
    Ok(sqlx::query_scalar("INSERT INTO violations (unit_id, staff_id, name, post, kind, filed_on, outcome, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(v.unit_id)
        .bind(staff)
        .bind(&name)
        .bind(v.post.trim())
        .bind(v.kind.as_str())
        .bind(v.filed_on.to_string())
        .bind(v.outcome.map(|o| o.as_str()))
        .bind(author)
        .bind(w.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?)
}
