//! Units and staff through the API; imports.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::kit::{ApiResult, ListQuery, paging, require_api};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use duban_domain::access::{Action, allowed};
use duban_domain::text;
use serde::Deserialize;
use serde_json::json;

pub(crate) async fn units(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let search = text::optional(q.q.as_deref().unwrap_or(""), 50)
        .map_err(|e| AppError::BadRequest(format!("q {e}")))?;
    let (limit, offset) = paging(&q);
    let (items, total) = st
        .store
        .units(&u.0.scope(), q.level, &search, limit, offset)
        .await?;
    Ok(Json(json!({"total": total, "items": items})))
}

pub(crate) async fn unit(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let unit = st
        .store
        .unit_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let departments = st.store.departments(unit.id).await?;
    let leaders = if allowed(u.0.role, Action::ReadStaff) {
        st.store.staff_of_unit(unit.id, true, 100, 0).await?.0
    } else {
        vec![]
    };
    let children = if u.0.subtree {
        st.store.children(unit.id).await?
    } else {
        vec![]
    };
    Ok(Json(
        json!({"unit": unit, "departments": departments, "leaders": leaders, "children": children}),
    ))
}

pub(crate) async fn unit_staff(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let unit = st
        .store
        .unit_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_api(&u, Action::ReadStaff)?;
    let (limit, offset) = paging(&q);
    let (items, total) = st
        .store
        .staff_of_unit(unit.id, false, limit, offset)
        .await?;
    Ok(Json(json!({"total": total, "items": items})))
}

pub(crate) async fn staff(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    require_api(&u, Action::ReadStaff)?;
    let s = st
        .store
        .staff_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!(s)))
}

#[derive(Deserialize)]
pub(crate) struct ImportQuery {
    filename: Option<String>,
    /// staff: open accounts with activation codes (returned once, in `codes`)
    #[serde(default)]
    accounts: bool,
    code_days: Option<i64>,
}

pub(crate) async fn import(
    State(st): State<AppState>,
    u: ApiUser,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let name = q.filename.unwrap_or_else(|| {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.contains("spreadsheetml") {
            "upload.xlsx".into()
        } else {
            "upload.csv".into()
        }
    });
    let opts = crate::org::staff_import(q.accounts, q.code_days);
    let r = crate::org::run_import(&st, &u.0, &kind, &name, &body, opts).await?;
    Ok(Json(json!(r)))
}
