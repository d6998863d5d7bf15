//! The workbench through the API: `GET /api/v1/todo` (every kind with its count, and 已办) and
//! `GET /api/v1/todo/{kind}` (one kind's list), the same as the home page shows.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use axum::Json;
use axum::extract::{Path, Query, State};
use duban_domain::todo::Kind;
use serde_json::json;

pub(crate) async fn todo(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    let items: Vec<_> = st
        .store
        .todo(&u.0)
        .await?
        .into_iter()
        .map(|(k, count)| json!({"kind": k, "count": count, "href": super::href(k)}))
        .collect();
    // 已办: the account's own last actions, as the home page lists them
    let done: Vec<_> = st
        .store
        .done_by(u.0.id, super::DONE)
        .await?
        .into_iter()
        .map(|e| {
            json!({"at": e.at, "action": e.action, "href": super::done_href(&e.entity, &e.entity_id)})
        })
        .collect();
    Ok(Json(
        json!({"as_of": st.store.today(), "items": items, "done": done}),
    ))
}

pub(crate) async fn todo_list(
    State(st): State<AppState>,
    u: ApiUser,
    Path(kind): Path<String>,
    Query(q): Query<super::ListQuery>,
) -> ApiResult {
    let kind = Kind::parse(&kind).ok_or(ApiError(AppError::NotFound))?;
    let l = st
        .store
        .todo_list(&u.0, kind, q.after.as_deref().filter(|a| !a.is_empty()))
        .await?;
    Ok(Json(json!({"as_of": st.store.today(), "list": l})))
}
