//! Case events and case quality through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use crate::kit::require_api;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use duban_domain::access::Action;
use serde::Deserialize;
use serde_json::json;

/// A batch of 100,000 case events fits (about 200 bytes each, with room).
pub(crate) const CASE_EVENTS_BYTES: usize = 40 * 1024 * 1024;

pub(crate) async fn case_events(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Row {
        case_id: String,
        unit_code: String,
        case_type: String,
        event: String,
        occurred_on: String,
        #[serde(default)]
        tags: String,
        /// persons the event concerns (on 认罪认罚: those who pleaded)
        #[serde(default)]
        persons: Option<u32>,
    }
    #[derive(Deserialize)]
    struct Body {
        events: Vec<Row>,
    }
    // a large batch is parsed on the blocking pool
    let b: Body = tokio::task::spawn_blocking(move || serde_json::from_slice::<Body>(&body))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    if b.events.len() > 100_000 {
        return Err(AppError::BadRequest("每批最多 100,000 条事件".into()).into());
    }
    // the rows as a table (row 1 the header), so that problems name the row as a file would
    let mut table: Vec<Vec<String>> = vec![
        [
            "case_id",
            "unit_code",
            "case_type",
            "event",
            "occurred_on",
            "tags",
            "persons",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    table.extend(b.events.into_iter().map(|r| {
        vec![
            r.case_id,
            r.unit_code,
            r.case_type,
            r.event,
            r.occurred_on,
            r.tags,
            r.persons.map(|n| n.to_string()).unwrap_or_default(),
        ]
    }));
    let r = st.store.import_cases(&u.0.actor(), &table).await?;
    Ok(Json(
        json!({"events_added": r.created, "cases_updated": r.updated}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct CaseRatioQuery {
    unit: String,
    #[serde(default)]
    subtree: bool,
    from: String,
    to: String,
    #[serde(rename = "type")]
    case_type: Option<String>,
    tag: Option<String>,
}

pub(crate) async fn case_ratio(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<CaseRatioQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadQuality)?;
    let d = |s: &str| {
        duban_domain::calendar::parse_date(s)
            .map_err(|e| ApiError(AppError::BadRequest(e.to_string())))
    };
    let (from, to) = (d(&q.from)?, d(&q.to)?);
    if to < from {
        return Err(AppError::BadRequest(format!("截止日期 {to} 早于起始日期 {from}")).into());
    }
    let unit = st
        .store
        .unit_by_code(q.unit.trim())
        .await?
        .filter(|un| u.0.scope().covers(un.id, &un.path))
        .ok_or(AppError::NotFound)?;
    let case_type = q.case_type.filter(|t| !t.trim().is_empty());
    if let Some(t) = &case_type
        && !duban_domain::quality::CASE_TYPES.contains(&t.as_str())
    {
        return Err(AppError::BadRequest(format!("未知的案件类型“{t}”")).into());
    }
    let f = st
        .store
        .quality_figures(
            &unit,
            q.subtree && u.0.subtree,
            from,
            to,
            &duban_store::quality::CaseFilter {
                case_type,
                tag: q.tag.filter(|t| !t.trim().is_empty()),
                level: None,
            },
        )
        .await?;
    Ok(Json(f.report()))
}
