//! My account: password, e-mail, API tokens.
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use duban_domain::text;
use duban_store::users::ApiToken;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/email", post(set_email))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

// ---- my account ----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    email: String,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn account_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    new_token: Option<String>,
    error: Option<String>,
) -> PageResult {
    let mut c = ctx(v, "/account");
    c.flash = flash;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html_status(
        status,
        AccountPage {
            ctx: c,
            email: st.store.user_email(v.user.id).await?,
            tokens: st.store.tokens(v.user.id).await?,
            new_token,
            error,
        },
    )
}

async fn account(State(st): State<AppState>, v: Viewer) -> PageResult {
    account_view(&st, &v, None, None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    if f.new != f.repeat {
        return account_view(&st, &v, None, None, Some(v.t.s("account.mismatch").into())).await;
    }
    match st
        .store
        .change_password(&v.user, &f.current, &f.new, v.session.as_deref())
        .await
    {
        Ok(()) => account_view(&st, &v, Some(v.t.s("account.changed").into()), None, None).await,
        Err(duban_store::StoreError::Invalid(m)) => {
            account_view(&st, &v, None, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn set_email(State(st): State<AppState>, v: Viewer, Form(f): Form<EmailForm>) -> PageResult {
    match st
        .store
        .set_email(&v.user.actor(), v.user.id, &f.email)
        .await
    {
        Ok(()) => {
            account_view(
                &st,
                &v,
                Some(v.t.s("account.email_saved").into()),
                None,
                None,
            )
            .await
        }
        Err(duban_store::StoreError::Invalid(m)) => {
            account_view(&st, &v, None, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn create_token(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<crate::org::NameForm>,
) -> PageResult {
    let name =
        text::required(&f.name, 40).map_err(|e| AppError::BadRequest(format!("令牌用途{e}")))?;
    let tok = st
        .store
        .create_token_for(&v.user, &name, st.settings.token_days, v.session.is_none())
        .await
        .map_err(|e| AppError::from(e).localized(v.t))?;
    account_view(&st, &v, None, Some(tok), None).await
}

async fn revoke_token(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    st.store.revoke_token(&v.user.actor(), id).await?;
    Ok(Redirect::to("/account").into_response())
}
