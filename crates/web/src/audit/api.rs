//! The audit log and its verification through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use crate::kit::require_api;
use axum::Json;
use axum::extract::{Query, State};
use duban_domain::access::Action;
use duban_domain::text;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

pub(crate) async fn audit(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadAudit)?;
    let action = text::optional(q.action.as_deref().unwrap_or(""), 40)
        .map_err(|e| AppError::BadRequest(format!("action {e}")))?;
    let items = st
        .store
        .audit_entries(
            &u.0.actor(),
            &u.0.scope(),
            &action,
            q.limit.unwrap_or(50).clamp(1, 500),
            q.before,
        )
        .await?;
    Ok(Json(json!({"items": items})))
}

pub(crate) async fn audit_verify(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    require_api(&u, Action::ReadAudit)?;
    if !u.0.scope().is_national() {
        return Err(ApiError(AppError::Forbidden));
    }
    Ok(Json(match st.store.verify_audit().await? {
        Ok(n) => json!({"intact": true, "entries": n}),
        Err(f) => json!({"intact": false, "fault": f.to_string()}),
    }))
}
