//! Single sign-on by OpenID Connect: the browser is sent to the provider with a fresh state,
//! nonce and PKCE verifier (kept in an HTTP-only cookie for ten minutes), and comes back with a
//! code that is exchanged and checked (`duban_directory::oidc`); the staff number it vouches for
//! signs in that person's account.
use super::login_view;
use crate::AppState;
use crate::auth::{self, Visitor};
use crate::kit::*;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use duban_directory::oidc;
use duban_store::users::LoginOutcome;
use serde::Deserialize;

const COOKIE: &str = "duban_oidc";

pub(super) async fn begin(State(st): State<AppState>, v: Visitor) -> PageResult {
    let Some(cfg) = &st.settings.oidc else {
        return Err(crate::error::AppError::NotFound);
    };
    let provider = match oidc::discover(cfg).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on unavailable");
            return html_status(
                StatusCode::SERVICE_UNAVAILABLE,
                login_view(&v, String::new(), Some("login.sso_down")),
            );
        }
    };
    let s = oidc::start(cfg, &provider);
    let mut r = Redirect::to(&s.url).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            COOKIE,
            &format!("{}.{}.{}", s.state, s.nonce, s.verifier),
            Some(600),
            st.settings.secure_cookies,
        ),
    );
    Ok(r)
}

#[derive(Deserialize)]
pub(super) struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

pub(super) async fn callback(
    State(st): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> PageResult {
    let Some(cfg) = &st.settings.oidc else {
        return Err(crate::error::AppError::NotFound);
    };
    let refuse = |status, key| html_status(status, login_view(&v, String::new(), Some(key)));
    let kept = auth::cookie(&headers, COOKIE).unwrap_or("").to_string();
    let mut parts = kept.split('.');
    let (Some(state), Some(nonce), Some(verifier)) = (parts.next(), parts.next(), parts.next())
    else {
        return refuse(StatusCode::BAD_REQUEST, "login.sso_failed");
    };
    // the state this browser was sent with: anything else is another's sign-in, or forged
    if !q.error.is_empty()
        || q.code.is_empty()
        || q.code.len() > 2048
        || !duban_domain::auth::tokens_equal(state, &q.state)
    {
        return refuse(StatusCode::BAD_REQUEST, "login.sso_failed");
    }
    let staff_no = match oidc::discover(cfg).await {
        Ok(p) => oidc::finish(cfg, &p, &q.code, verifier, nonce).await,
        Err(e) => Err(e),
    };
    let staff_no = match staff_no {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on refused");
            return refuse(StatusCode::UNAUTHORIZED, "login.sso_failed");
        }
    };
    let clear = auth::set_cookie(COOKIE, "", Some(0), st.settings.secure_cookies);
    match st.store.sso_sign_in(&staff_no).await? {
        LoginOutcome::Ok { session, .. } => {
            let mut r = super::signed_in(&st, &session);
            r.headers_mut().append(header::SET_COOKIE, clear);
            Ok(r)
        }
        LoginOutcome::BadCredentials => {
            tracing::warn!(%staff_no, "single sign-on: no enabled account for this staff number");
            refuse(StatusCode::FORBIDDEN, "login.sso_no_account")
        }
    }
}
