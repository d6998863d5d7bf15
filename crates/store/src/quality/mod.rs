//! Case quality (案件质量): procedure events imported from the case-handling system, each case's
//! summary kept at import (DECISIONS 43), the 案-件比, the plea-leniency rate, event counts, the
//! time limits' overdue cases and the process-monitoring hits.
use crate::org::Unit;
use crate::{Actor, Change, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use duban_domain::quality::{self as q, CaseRatio, QualityRules};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

mod breakdown;
mod events;
pub mod kept;
pub use breakdown::QualityBreakdown;

const RULES_KEY: &str = "quality_rules";

/// Figures of a unit (or subtree) over a period, optionally for one case type and one tag.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QualityFigures {
    pub ratio: CaseRatio,
    /// cases concluded (审结) in the period, and of them with 认罪认罚
    pub concluded: u64,
    pub with_plea: u64,
    pub plea_rate: Option<f64>,
    /// persons in the cases concluded in the period, and of them those who pleaded
    pub persons: u64,
    pub persons_with_plea: u64,
    pub plea_rate_persons: Option<f64>,
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
            "persons": self.persons,
            "persons_with_plea": self.persons_with_plea,
            "plea_rate_persons": self.plea_rate_persons,
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
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
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
        Ok(match raw {
            Some(r) => serde_json::from_str(&r)
                .map_err(|e| StoreError::Invalid(format!("数据库中的质量规则无法读取：{e}")))?,
            None => QualityRules::default(),
        })
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

    /// The figures of a unit (or its subtree) over [from, to]: the whole of
    /// [`Store::quality_breakdown`]'s rows (one way to count them).
    pub async fn quality_figures(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        filter: &CaseFilter,
    ) -> Result<QualityFigures> {
        Ok(self
            .quality_breakdown(unit, subtree, from, to, filter)
            .await?
            .total)
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
        let asked = json!([
            "overdue",
            crate::scope_like(scope),
            as_of.to_string(),
            case_type
        ]);
        let count = self.count_overdue_cases(scope, as_of, case_type);
        self.kept(scope.unit_id, &kept::question_of(asked), |_| true, count)
            .await
    }

    async fn count_overdue_cases(
        &self,
        scope: &crate::Scope,
        as_of: NaiveDate,
        case_type: Option<&str>,
    ) -> Result<(u64, u64, Vec<OverdueCase>)> {
        let (over, ended) = self.overdue_counts(scope, as_of, case_type).await?;
        let list = overdue_query(
            scope,
            as_of,
            case_type,
            "c.case_no, u.name, c.case_type, c.limit_start, c.limit_due, c.limit_end FROM cases c JOIN units u ON u.id = c.unit_id",
            "ORDER BY (c.limit_end IS NULL) DESC, c.limit_due DESC, c.id LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let end: Option<String> = r.try_get("limit_end")?;
            Ok(OverdueCase {
                case_no: r.try_get("case_no")?,
                unit_name: r.try_get("name")?,
                case_type: r.try_get("case_type")?,
                start: r.try_get("limit_start")?,
                due: r.try_get("limit_due")?,
                end: end.filter(|e| e.as_str() <= as_of.to_string().as_str()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok((over, ended, list))
    }

    /// How many cases in scope are past their time limit by `as_of`, and how many of them have
    /// been concluded since (the counts of [`Store::overdue_cases`] without its list).
    pub async fn overdue_counts(
        &self,
        scope: &crate::Scope,
        as_of: NaiveDate,
        case_type: Option<&str>,
    ) -> Result<(u64, u64)> {
        let n = overdue_query(
            scope,
            as_of,
            case_type,
            "COUNT(*) AS over, CAST(COALESCE(SUM(CASE WHEN c.limit_end IS NOT NULL AND c.limit_end <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS ended FROM cases c",
            "",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((
            crate::int(&n, "over")? as u64,
            crate::int(&n, "ended")? as u64,
        ))
    }

    /// The day of the latest event of a case in scope (kept with the page's figures).
    pub async fn latest_case_event(&self, scope: &crate::Scope) -> Result<Option<NaiveDate>> {
        let count = sqlx::query_scalar::<_, Option<String>>(crate::sqlf!(
            "SELECT MAX(d.on_date) FROM case_event_days d WHERE d.unit_id IN (SELECT u.id FROM units u WHERE {})",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_one(&self.pool);
        let asked = json!(["latest", crate::scope_like(scope)]);
        let d: Option<String> = self
            .kept(scope.unit_id, &kept::question_of(asked), |_| true, async {
                Ok(count.await?)
            })
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
                h.try_get("id")?,
                h.try_get("unit_id")?,
                h.try_get("case_no")?,
                h.try_get("rule")?,
                h.try_get("on_date")?,
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
        self.case_hits_where(scope, false).await
    }

    /// The hits of [`Store::case_hits`] not yet turned into a supervised matter (the
    /// workbench's), newest first from their own partial index.
    pub async fn open_case_hits(&self, scope: &crate::Scope) -> Result<Vec<CaseHit>> {
        self.case_hits_where(scope, true).await
    }

    async fn case_hits_where(&self, scope: &crate::Scope, open: bool) -> Result<Vec<CaseHit>> {
        sqlx::query(crate::sqlf!("{}", case_hits_sql(open)))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CaseHit {
                    case_no: r.try_get("case_no")?,
                    unit_name: r.try_get("name")?,
                    rule: r.try_get("rule")?,
                    on_date: r.try_get("on_date")?,
                    task_id: r.try_get("task_id")?,
                })
            })
            .collect()
    }
}

/// The scope's monitoring hits, newest first (binds the scope: unit id, path pattern); `open`:
/// only those not yet turned into a supervised matter.
pub fn case_hits_sql(open: bool) -> String {
    format!(
        "SELECT c.case_no, u.name, h.rule, h.on_date, h.task_id FROM case_hits h JOIN cases c ON c.id = h.case_id JOIN units u ON u.id = c.unit_id \
         WHERE {}{} ORDER BY h.on_date DESC, h.id DESC LIMIT 500",
        crate::scope_sql("u", 1, 2),
        if open { " AND h.task_id IS NULL" } else { "" }
    )
}

/// `SELECT {what} WHERE` the cases in scope past their time limit by `as_of` `{tail}`.
fn overdue_query(
    scope: &crate::Scope,
    as_of: NaiveDate,
    case_type: Option<&str>,
    what: &str,
    tail: &str,
) -> crate::Statement {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {what} WHERE c.unit_id IN (SELECT u.id FROM units u WHERE {}) AND c.limit_due < $3 \
         AND (c.limit_end IS NULL OR c.limit_end > c.limit_due) AND ($4 = '' OR c.case_type = $4) {tail}",
        crate::scope_sql("u", 1, 2)
    )))
    .bind(scope.unit_id)
    .bind(crate::scope_like(scope))
    .bind(as_of.to_string())
    .bind(case_type.unwrap_or("").to_string())
}
