//! Accounts: the administrator's list, new accounts within its scope, sign-in throttles.
pub mod accounts;
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use duban_domain::access::Action;
use duban_domain::org::{Role, UnitCode};
use duban_domain::text;
use duban_store::users::NewUser;
use duban_store::users::User;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/bulk", post(accounts::bulk))
        .route("/admin/users/export.csv", get(accounts::export))
        .route("/admin/users/sheet", get(accounts::sheet))
        .route("/admin/users/sheet/codes", post(accounts::sheet_codes))
        .route("/admin/users/passwords", post(accounts::passwords))
        .route("/admin/throttles/clear", post(clear_throttle))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
}

// ---- accounts ----

#[derive(Template)]
#[template(path = "users.html")]
pub(crate) struct UsersPage {
    pub ctx: Ctx,
    pub list: accounts::Listing,
    pub roles: [Role; 8],
    pub error: Option<String>,
    /// logins whose sign-ins are being delayed, with their failures (accounts in scope; unknown
    /// logins for national administrators)
    pub delayed: Vec<(String, u32)>,
    /// live API tokens of the accounts in scope: (owner's login, token)
    pub tokens: Vec<(String, duban_store::users::ApiToken)>,
    /// problems of a bulk action, one per account
    pub problems: Vec<String>,
    /// codes just issued: shown once
    pub codes: Vec<duban_store::accounts::IssuedCode>,
    pub codes_csv: String,
}

impl UsersPage {
    /// The page around `list`, with the throttles and tokens of the scope.
    pub(crate) async fn new(
        st: &AppState,
        v: &Viewer,
        list: accounts::Listing,
    ) -> Result<UsersPage, AppError> {
        Ok(UsersPage {
            ctx: ctx(v, "/admin/users"),
            delayed: delayed_in_scope(st, v).await?,
            tokens: st.store.tokens_in_scope(&v.user.scope()).await?,
            list,
            roles: Role::ALL,
            error: None,
            problems: vec![],
            codes: vec![],
            codes_csv: String::new(),
        })
    }
}

/// The delayed logins an administrator may see: its scope's accounts, and for a national scope
/// also logins that do not exist (someone guessing).
async fn delayed_in_scope(st: &AppState, v: &Viewer) -> Result<Vec<(String, u32)>, AppError> {
    let scope = v.user.scope();
    let mut out = Vec::new();
    for (login, n) in st.login_throttle.delayed() {
        let visible = match st.store.user_by_login(&login).await? {
            Some(u) => scope.covers(u.unit_id, &u.unit_path),
            None => scope.is_national(),
        };
        if visible {
            out.push((login, n));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct ThrottleForm {
    login: String,
}

/// An administrator lets a delayed login sign in again at once.
async fn clear_throttle(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ThrottleForm>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    if delayed_in_scope(&st, &v)
        .await?
        .iter()
        .any(|(l, _)| l.eq_ignore_ascii_case(f.login.trim()))
    {
        st.login_throttle.succeeded(f.login.trim());
    }
    Ok(Redirect::to("/admin/users#delayed").into_response())
}

async fn users(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<accounts::ListQuery>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let list = accounts::Listing::read(&st, &v, q).await?;
    html(UsersPage::new(&st, &v, list).await?)
}

#[derive(Deserialize)]
pub struct NewUserForm {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: String,
    #[serde(default)]
    pub subtree: Option<String>,
    pub password: String,
}

/// Creates an account within the administrator's scope.
pub async fn create_user_for(
    st: &AppState,
    admin: &User,
    f: &NewUserForm,
) -> Result<i64, AppError> {
    let role = Role::parse(&f.role).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let name = text::required(&f.display_name, 50)
        .map_err(|e| AppError::BadRequest(format!("姓名{e}")))?;
    let code = UnitCode::parse(&f.unit_code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    // whether the unit lies in the administrator's scope is the store's decision
    let unit = st
        .store
        .unit_by_code(code.as_str())
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("单位代码 {} 不存在", code.as_str())))?;
    let nu = NewUser {
        login: &f.login,
        display_name: &name,
        password: &f.password,
        role,
        unit_id: unit.id,
        subtree: f.subtree.is_some(),
    };
    Ok(st.store.create_user_by(&admin.actor(), &nu).await?)
}

async fn create_user(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let result = create_user_for(&st, &v.user, &f).await;
    let list = accounts::Listing::read(&st, &v, Default::default()).await?;
    let mut page = UsersPage::new(&st, &v, list).await?;
    let status = match result.map_err(|e| e.localized(v.t)) {
        Ok(_) => {
            page.ctx.flash = Some(v.t.s("users.created").into());
            StatusCode::OK
        }
        Err(AppError::BadRequest(m)) => {
            page.error = Some(m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e),
    };
    html_status(status, page)
}

/// An administrator revokes a token of an account in its scope (the store decides).
async fn revoke_token(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> PageResult {
    st.store.revoke_token(&v.user.actor(), id).await?;
    Ok(axum::response::Redirect::to("/admin/users#tokens").into_response())
}
