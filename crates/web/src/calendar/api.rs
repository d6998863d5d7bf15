//! The deadline calculator and the work calendar through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::calendar::DeadlineQuery;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::json;

pub(crate) async fn deadline(
    State(st): State<AppState>,
    _u: ApiUser,
    Query(q): Query<DeadlineQuery>,
) -> ApiResult {
    let (start, period, counting) = crate::calendar::deadline_request(&q)?
        .ok_or_else(|| AppError::BadRequest("缺少起算日 start".into()))?;
    let d = st
        .store
        .work_calendar()
        .await?
        .deadline(start, period, counting)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(
        json!({"start": start.to_string(), "deadline": d.to_string()}),
    ))
}

pub(crate) async fn calendar_year(
    State(st): State<AppState>,
    _u: ApiUser,
    Path(year): Path<i32>,
) -> ApiResult {
    let covered = st
        .store
        .calendar_years()
        .await?
        .iter()
        .any(|(y, _)| *y == i64::from(year));
    if !covered {
        return Err(ApiError(AppError::NotFound));
    }
    Ok(Json(
        json!({"year": year, "days": st.store.calendar_days(year).await?}),
    ))
}
