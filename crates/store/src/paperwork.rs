//! Less paperwork (纠治形式主义): the registry per unit and the data-request gate.
use crate::org::Unit;
use crate::{Actor, Change, Result, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::paperwork::{self as p, Kind, Metric};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// One registry entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub unit_name: String,
    pub kind: String,
    pub held_on: String,
    pub title: String,
    pub number: String,
    pub organiser: String,
}

/// A kind's count over a period and over the same period a year before.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    pub kind: String,
    pub this: u64,
    pub before: u64,
    pub change: Option<f64>,
}

impl KindCount {
    pub fn change_text(&self) -> String {
        p::change_text(self.change)
    }
}

/// A request for figures put to lower units.
#[derive(Debug, Clone, Serialize)]
pub struct DataRequest {
    pub id: i64,
    pub unit_name: String,
    pub title: String,
    pub metric: String,
    pub refused: bool,
    pub author: String,
    pub created_at: String,
}

fn year_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d)
}

impl Store {
    /// Registers a document, meeting, study session or visit of a unit in the caller's scope.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_paperwork(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        unit: &Unit,
        kind: Kind,
        held_on: NaiveDate,
        title: &str,
        number: &str,
        organiser: &str,
    ) -> Result<i64> {
        if !scope.covers(unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        let title = duban_domain::text::required(title, 200)
            .map_err(|e| StoreError::Invalid(format!("标题{e}")))?;
        if held_on > self.today() {
            return Err(StoreError::Invalid(format!("日期 {held_on} 晚于今天")));
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManagePaperwork)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO paperwork (unit_id, kind, held_on, title, number, organiser, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(unit.id)
        .bind(kind.as_str())
        .bind(held_on.to_string())
        .bind(&title)
        .bind(number.trim().chars().take(50).collect::<String>())
        .bind(organiser.trim().chars().take(50).collect::<String>())
        .bind(&actor.name)
        .bind(self.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "paperwork.add",
            entity: "paperwork",
            entity_id: id.to_string(),
            unit_id: Some(unit.id),
            before: None,
            after: Some(
                json!({"kind": kind.as_str(), "held_on": held_on.to_string(), "title": title}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Counts per kind of a unit (or its subtree) over [from, to] and the same dates a year
    /// before.
    pub async fn paperwork_counts(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<KindCount>> {
        let like = if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        };
        let count = |a: NaiveDate, b: NaiveDate| {
            let like = like.clone();
            async move {
                let rows = sqlx::query(crate::sqlf!(
                    "SELECT w.kind, COUNT(*) AS n FROM paperwork w WHERE w.unit_id IN (SELECT u.id FROM units u WHERE {}) \
                     AND w.held_on >= $3 AND w.held_on <= $4 GROUP BY w.kind",
                    crate::scope_sql("u", 1, 2)
                ))
                .bind(unit.id)
                .bind(like)
                .bind(a.to_string())
                .bind(b.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get::<String, _>("kind")?, crate::int(r, "n")? as u64)))
                    .collect::<Result<std::collections::HashMap<_, _>>>()
            }
        };
        let this = count(from, to).await?;
        let before = count(year_before(from), year_before(to)).await?;
        Ok(Kind::ALL
            .iter()
            .map(|k| {
                let (a, b) = (
                    this.get(k.as_str()).copied().unwrap_or(0),
                    before.get(k.as_str()).copied().unwrap_or(0),
                );
                KindCount {
                    kind: k.zh().into(),
                    this: a,
                    before: b,
                    change: p::change(a, b),
                }
            })
            .collect())
    }

    /// Registry entries in scope over [from, to], latest first (at most 500).
    pub async fn paperwork(
        &self,
        scope: &crate::Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Entry>> {
        sqlx::query(crate::sqlf!(
            "SELECT w.id, u.name, w.kind, w.held_on, w.title, w.number, w.organiser FROM paperwork w JOIN units u ON u.id = w.unit_id \
             WHERE {} AND w.held_on >= $3 AND w.held_on <= $4 ORDER BY w.held_on DESC, w.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Entry {
                id: r.try_get("id")?,
                unit_name: r.try_get("name")?,
                kind: Kind::parse(&kind).map_or(kind, |k| k.zh().into()),
                held_on: r.try_get("held_on")?,
                title: r.try_get("title")?,
                number: r.try_get("number")?,
                organiser: r.try_get("organiser")?,
            })
        })
        .collect()
    }

    /// A request for figures to lower units passes the gate or is refused (and the refusal
    /// recorded, so that it counts); `Err(Invalid)` names where the live figure is.
    pub async fn request_data(
        &self,
        actor: &Actor,
        unit_id: i64,
        title: &str,
        metric: Metric,
        detail: &str,
    ) -> Result<i64> {
        let title = duban_domain::text::required(title, 200)
            .map_err(|e| StoreError::Invalid(format!("标题{e}")))?;
        let verdict = p::gate(metric);
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManagePaperwork)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO data_requests (unit_id, title, metric, detail, refused, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(unit_id)
        .bind(&title)
        .bind(metric.as_str())
        .bind(detail.trim().chars().take(2000).collect::<String>())
        .bind(i64::from(verdict.is_err()))
        .bind(&actor.name)
        .bind(self.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: if verdict.is_err() {
                "data_request.refuse"
            } else {
                "data_request.send"
            },
            entity: "data_requests",
            entity_id: id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"metric": metric.as_str(), "title": title})),
        })
        .await?;
        w.commit().await?;
        verdict.map_err(StoreError::Invalid)?;
        Ok(id)
    }

    /// The day of the latest registry entry in scope.
    pub async fn latest_paperwork(&self, scope: &crate::Scope) -> Result<Option<NaiveDate>> {
        let d: Option<String> = sqlx::query_scalar(crate::sqlf!(
            "SELECT MAX(w.held_on) FROM paperwork w WHERE w.unit_id IN (SELECT u.id FROM units u WHERE {})",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_one(&self.pool)
        .await?;
        Ok(d.and_then(|d| duban_domain::calendar::parse_date(&d).ok()))
    }

    /// Requests for figures made in scope (latest first, at most 200).
    pub async fn data_requests(&self, scope: &crate::Scope) -> Result<Vec<DataRequest>> {
        sqlx::query(crate::sqlf!(
            "SELECT d.id, u.name, d.title, d.metric, d.refused, d.author, d.created_at FROM data_requests d JOIN units u ON u.id = d.unit_id \
             WHERE {} ORDER BY d.id DESC LIMIT 200",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let m: String = r.try_get("metric")?;
            Ok(DataRequest {
                id: r.try_get("id")?,
                unit_name: r.try_get("name")?,
                title: r.try_get("title")?,
                metric: Metric::parse(&m).map_or(m, |m| m.zh().into()),
                refused: crate::int(r, "refused")? == 1,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
    }
}
