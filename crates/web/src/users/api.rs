//! Accounts through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::kit::ApiResult;
use crate::users::NewUserForm;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

pub(crate) async fn create_user(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Body {
        login: String,
        display_name: String,
        role: String,
        unit_code: String,
        #[serde(default)]
        subtree: bool,
        password: String,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let f = NewUserForm {
        login: b.login,
        display_name: b.display_name,
        role: b.role,
        unit_code: b.unit_code,
        subtree: b.subtree.then(|| "1".into()),
        password: b.password,
    };
    let id = crate::users::create_user_for(&st, &u.0, &f).await?;
    Ok(Json(json!({"id": id})))
}
