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

/// The accounts of the caller's scope (administrators): filters as on the page, keyset paging.
pub(crate) async fn accounts(
    State(st): State<AppState>,
    u: ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::users::accounts::ListQuery>,
) -> ApiResult {
    duban_domain::access::decide(Some(u.0.role), duban_domain::access::Action::ManageUsers)?;
    let f = q.filter(&st).await?;
    let rows = st
        .store
        .accounts(&u.0.scope(), &f, q.after.trim(), crate::kit::PAGE)
        .await?;
    let next = (rows.len() as i64 == crate::kit::PAGE)
        .then(|| rows.last().map(|r| r.cursor.clone()))
        .flatten();
    Ok(Json(json!({"accounts": rows, "next_after": next})))
}

/// One change of an account: `{action: disable|enable|codes|role|move, role?, reason?,
/// unit_code?, department?, code_days?}`; a new code comes back once.
pub(crate) async fn change_account(
    State(st): State<AppState>,
    u: ApiUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    body: Bytes,
) -> ApiResult {
    use duban_store::accounts::AccountRequest;
    #[derive(Deserialize)]
    struct Body {
        action: String,
        #[serde(default)]
        role: String,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        unit_code: String,
        department: Option<String>,
        code_days: Option<i64>,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let req = match b.action.as_str() {
        "disable" => AccountRequest::Disable,
        "enable" => AccountRequest::Enable,
        "codes" => AccountRequest::NewCode,
        "role" => AccountRequest::Role {
            role: duban_domain::org::Role::parse(&b.role)
                .map_err(|e| AppError::BadRequest(e.to_string()))?,
            reason: &b.reason,
        },
        "move" => AccountRequest::Move {
            unit_code: &b.unit_code,
            department: b.department.as_deref(),
        },
        other => return Err(AppError::BadRequest(format!("未知操作：{other}")).into()),
    };
    let days = b.code_days.unwrap_or(duban_domain::identity::CODE_DAYS);
    let code = st.store.change_account(&u.0.actor(), id, req, days).await?;
    Ok(Json(json!({"id": id, "code": code})))
}
