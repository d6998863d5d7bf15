//! Case quality (案件质量) in the browser: the 案-件比 per unit, level, case type and month, the
//! plea-leniency rate, event counts, overdue cases and process-monitoring hits.
pub mod api;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::{Ctx, ctx, require};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use duban_domain::access::Action;
use duban_domain::quality::CASE_TYPES;
use duban_store::quality::{CaseFilter, CaseHit, OverdueCase, QualityFigures};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quality", get(page))
        .route("/quality/supervise", axum::routing::post(supervise))
        .route("/quality/rules", get(rules_page).post(set_rules))
}

/// One row of a breakdown: a label and its figures.
pub struct Row {
    pub label: String,
    pub figures: QualityFigures,
}

impl Row {
    pub fn ratio(&self) -> String {
        self.figures.ratio.display()
    }
    pub fn events_total(&self) -> u64 {
        self.figures.events.values().sum()
    }
    pub fn plea(&self) -> String {
        self.figures
            .plea_rate
            .map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
    }
    /// The plea-leniency rate among the persons concluded.
    pub fn plea_persons(&self) -> String {
        self.figures
            .plea_rate_persons
            .map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
    }
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    ctx: Ctx,
    from: String,
    to: String,
    case_type: String,
    tag: String,
    types: &'static [&'static str],
    total: Row,
    units: Vec<Row>,
    by_level: Vec<Row>,
    by_type: Vec<Row>,
    months: Vec<Row>,
    /// why the months' ratios are below the period's: the months' 件 summed (a case's extra steps
    /// after the month it entered count in no month), against the period's 件
    months_jian: f64,
    trend: String,
    overdue: (u64, u64, Vec<OverdueCase>),
    hits: Vec<CaseHit>,
    can_supervise: bool,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct QualityQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "type")]
    case_type: Option<String>,
    tag: Option<String>,
    made: Option<u64>,
}

async fn page(State(st): State<AppState>, v: Viewer, Query(q): Query<QualityQuery>) -> PageResult {
    require(&v, Action::ReadQuality)?;
    let scope = v.user.scope();
    let unit = st
        .store
        .unit(v.user.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let date = crate::kit::optional_date;
    // by default the year of the latest event in scope (up to today)
    let to = match date(q.to.as_deref())? {
        Some(d) => d,
        None => st
            .store
            .latest_case_event(&scope)
            .await?
            .unwrap_or_else(|| st.store.today()),
    };
    let from = date(q.from.as_deref())?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if to < from {
        return Err(AppError::BadRequest(format!(
            "截止日期 {to} 早于起始日期 {from}"
        )));
    }
    let case_type = q.case_type.unwrap_or_default().trim().to_string();
    if !case_type.is_empty() && !CASE_TYPES.contains(&case_type.as_str()) {
        return Err(AppError::BadRequest(format!("未知的案件类型“{case_type}”")));
    }
    let tag: String = q.tag.unwrap_or_default().trim().chars().take(20).collect();
    let filter = CaseFilter {
        case_type: (!case_type.is_empty()).then(|| case_type.clone()),
        tag: (!tag.is_empty()).then(|| tag.clone()),
        level: None,
    };
    let subtree = v.user.subtree;
    // every row in one pass over the scope's cases of the period
    let b = st
        .store
        .quality_breakdown(&unit, subtree, from, to, &filter)
        .await?;
    let total = Row {
        label: unit.name.clone(),
        figures: b.total,
    };
    let mut units = Vec::new();
    if let Some(own) = b.own {
        units.push(Row {
            label: format!("{}（本院）", unit.name),
            figures: own,
        });
    }
    for (child, figures) in b.children {
        units.push(Row {
            label: child.name,
            figures,
        });
    }
    let by_level = b
        .by_level
        .into_iter()
        .map(|(level, figures)| Row {
            label: v.t.level(&level).to_string(),
            figures,
        })
        .collect();
    let by_type = b
        .by_type
        .into_iter()
        .map(|(t, figures)| Row {
            label: t.to_string(),
            figures,
        })
        .collect();
    let months: Vec<Row> = b
        .months
        .into_iter()
        .map(|(first, _, figures)| Row {
            label: format!("{}-{:02}", first.year(), first.month()),
            figures,
        })
        .collect();
    let t = v.t;
    let trend = duban_publish::chart::stacked_bars(
        t.s("quality.trend"),
        &months
            .iter()
            .map(|r| duban_publish::chart::Bar {
                label: &r.label,
                segments: vec![
                    (r.figures.ratio.an as usize, "#0969da", t.s("quality.an")),
                    (
                        (r.figures.ratio.jian - r.figures.ratio.an as f64).round() as usize,
                        "#d4a72c",
                        t.s("quality.extra"),
                    ),
                ],
            })
            .collect::<Vec<_>>(),
    );
    let overdue = st
        .store
        .overdue_cases(&scope, to, filter.case_type.as_deref())
        .await?;
    let hits = st.store.case_hits(&scope).await?;
    let page = QualityPage {
        ctx: ctx(&v, "/quality"),
        from: from.to_string(),
        to: to.to_string(),
        case_type,
        tag,
        types: &CASE_TYPES,
        total,
        units,
        by_level,
        by_type,
        months_jian: months.iter().map(|r| r.figures.ratio.jian).sum(),
        months,
        trend,
        overdue,
        hits,
        can_supervise: duban_domain::access::allowed(v.user.role, Action::SuperviseHits),
        flash: q
            .made
            .map(|n| format!("{} {n}", v.t.s("quality.supervised"))),
    };
    Ok(Html(page.render()?).into_response())
}

/// Turns the monitoring hits in scope into supervised matters on the rectification engine.
async fn supervise(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(_f): crate::auth::Form<std::collections::HashMap<String, String>>,
) -> PageResult {
    let n = st
        .store
        .supervise_case_hits(&v.user.actor(), &v.user.scope())
        .await?;
    Ok(axum::response::Redirect::to(&format!("/quality?made={n}#hits")).into_response())
}

#[derive(Template)]
#[template(path = "quality_rules.html")]
struct RulesPage {
    ctx: Ctx,
    json: String,
    can_edit: bool,
    error: Option<String>,
    flash: Option<String>,
}

async fn rules_view(
    st: &AppState,
    v: &Viewer,
    json: Option<String>,
    error: Option<String>,
    flash: Option<String>,
) -> PageResult {
    require(v, Action::ReadQuality)?;
    let json = match json {
        Some(j) => j,
        None => serde_json::to_string_pretty(&st.store.quality_rules().await?).unwrap_or_default(),
    };
    let page = RulesPage {
        ctx: ctx(v, "/quality"),
        json,
        can_edit: duban_domain::access::allowed(v.user.role, Action::ManageQuality),
        error: error.clone(),
        flash,
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn rules_page(State(st): State<AppState>, v: Viewer) -> PageResult {
    rules_view(&st, &v, None, None, None).await
}

#[derive(Deserialize)]
struct RulesForm {
    rules: String,
}

/// Sets the quality rules (administrators and case management): the JSON is checked, and a
/// problem is named in Chinese with the text kept.
async fn set_rules(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<RulesForm>,
) -> PageResult {
    let parsed: Result<duban_domain::quality::QualityRules, String> =
        serde_json::from_str(&f.rules).map_err(|e| {
            format!(
                "规则格式有误（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            )
        });
    let r = match parsed {
        Ok(rules) => match st.store.set_quality_rules(&v.user.actor(), &rules).await {
            Ok(()) => Ok(()),
            Err(e) => match AppError::from(e).localized(v.t) {
                AppError::BadRequest(m) => Err(m),
                other => return Err(other),
            },
        },
        Err(m) => Err(m),
    };
    match r {
        Ok(()) => rules_view(&st, &v, None, None, Some(v.t.s("paperwork.saved").into())).await,
        Err(m) => rules_view(&st, &v, Some(f.rules), Some(m), None).await,
    }
}
