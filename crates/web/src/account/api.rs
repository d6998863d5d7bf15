//! The API's view of the caller.
use crate::auth::ApiUser;
use crate::kit::ApiResult;
use axum::Json;
use serde_json::json;

pub(crate) async fn me(ApiUser(u): ApiUser) -> ApiResult {
    Ok(Json(json!({"user": u, "scope": u.scope()})))
}
