//! Interference records through the API: counts, flags, one's own filings.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use crate::kit::require_api;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use duban_domain::access::Action;
use duban_domain::records::Month;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(crate) struct RecordCountsQuery {
    unit: String,
    #[serde(default)]
    subtree: bool,
    from: String,
    to: String,
}

pub(crate) fn months(from: &str, to: &str) -> Result<(Month, Month), ApiError> {
    let m = |s: &str| Month::parse(s).map_err(|e| ApiError(AppError::BadRequest(e)));
    let (from, to) = (m(from)?, m(to)?);
    if to < from {
        return Err(ApiError(AppError::BadRequest(format!(
            "截止月份 {to} 早于起始月份 {from}"
        ))));
    }
    Ok((from, to))
}

pub(crate) async fn record_counts(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<RecordCountsQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadRecordFigures)?;
    let (from, to) = months(&q.from, &q.to)?;
    let unit = st
        .store
        .unit_by_code(q.unit.trim())
        .await?
        .filter(|un| u.0.scope().covers(un.id, &un.path))
        .ok_or(AppError::NotFound)?;
    // a subtree only within the caller's own scope
    let subtree = q.subtree && u.0.subtree;
    let c = st.store.record_counts(&unit, subtree, from, to).await?;
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
pub(crate) struct RecordFlagsQuery {
    from: String,
    to: String,
    level: Option<i64>,
}

pub(crate) async fn record_flags(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<RecordFlagsQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadRecordFigures)?;
    let (from, to) = months(&q.from, &q.to)?;
    let rules = st.store.supervision_rules().await?.records_flags;
    let all = st.store.flag_records(from, to, q.level, &rules).await?;
    let flagged = st.store.flags_in_scope(&u.0.scope(), all).await?;
    Ok(Json(json!({"flagged": flagged})))
}

pub(crate) async fn my_filings(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    let staff = u.0.staff_id.ok_or(AppError::Forbidden)?;
    Ok(Json(json!({"items": st.store.my_filings(staff).await?})))
}

pub(crate) async fn file_record(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Record {
        occurred_on: String,
        intervener_name: String,
        #[serde(default)]
        intervener_unit: String,
        #[serde(default)]
        intervener_post: String,
        intervener_category: String,
        is_procuratorate_staff: bool,
        manner: String,
        scope: String,
        #[serde(default)]
        case_ref: String,
        content: String,
    }
    #[derive(Deserialize)]
    struct Body {
        month: String,
        zero_report: bool,
        record: Option<Record>,
    }
    let staff = u.0.staff_id.ok_or(AppError::Forbidden)?;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let month = Month::parse(&b.month).map_err(AppError::BadRequest)?;
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let fields = match (b.zero_report, &b.record) {
        (true, None) => None,
        (false, Some(r)) => Some([
            r.occurred_on.clone(),
            one_line(&r.intervener_name),
            one_line(&r.intervener_unit),
            one_line(&r.intervener_post),
            r.intervener_category.clone(),
            if r.is_procuratorate_staff { "1" } else { "0" }.into(),
            r.manner.clone(),
            r.scope.clone(),
            one_line(&r.case_ref),
            one_line(&r.content),
        ]),
        (true, Some(_)) => {
            return Err(AppError::BadRequest("零报告不应填写记录内容".into()).into());
        }
        (false, None) => {
            return Err(AppError::BadRequest("不是零报告时须填写记录（record）".into()).into());
        }
    };
    st.store
        .file_record(&u.0.actor(), staff, month, fields.as_ref())
        .await?;
    Ok(Json(json!({"ok": true})))
}
