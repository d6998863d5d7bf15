//! Signing in and out and the language switch.
mod sso;
use crate::AppState;
use crate::auth::{self, Form, Visitor};
use crate::i18n::{Lang, Tr};
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use duban_domain::rectification::RuleError;
use duban_store::users::LoginOutcome;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|v: Visitor| async move {
                Redirect::to(if v.0.user.is_some() {
                    "/home"
                } else {
                    "/login"
                })
            }),
        )
        .route("/login", get(login_page).post(login))
        .route("/activate", get(activate_page).post(activate))
        .route("/login/oidc", get(sso::begin))
        .route("/login/oidc/callback", get(sso::callback))
        .route("/logout", post(logout))
        .route("/account/lang", post(set_lang))
}

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    t: Tr,
    csrf: String,
    login: String,
    error: Option<&'static str>,
    other_lang: &'static str,
    /// single sign-on is configured: its button is shown
    sso: bool,
}

pub(crate) fn login_view(v: &Visitor, login: String, error: Option<&'static str>) -> LoginPage {
    let t = Tr(v.0.lang);
    LoginPage {
        t,
        csrf: v.0.csrf.clone(),
        login,
        error: error.map(|k| t.s(k)),
        other_lang: if v.0.lang == Lang::En { "zh-CN" } else { "en" },
        sso: false,
    }
}

async fn login_page(State(st): State<AppState>, v: Visitor) -> PageResult {
    if v.0.user.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    let mut page = login_view(&v, String::new(), None);
    page.sso = st.settings.oidc.is_some();
    html(page)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let login = f.login.trim().chars().take(40).collect::<String>();
    if !st.login_limiter.allow(&addr.0).await {
        return html_status(
            StatusCode::TOO_MANY_REQUESTS,
            login_view(&v, login, Some("login.throttled")),
        );
    }
    if f.password.len() > 1024 {
        return html_status(
            StatusCode::UNAUTHORIZED,
            login_view(&v, login, Some("login.bad")),
        );
    }
    // one login's attempts queue behind each other, each after the delay its failures call for
    let Some(at) = st.login_throttle.slot(&login) else {
        return html_status(
            StatusCode::TOO_MANY_REQUESTS,
            login_view(&v, login, Some("login.throttled")),
        );
    };
    tokio::time::sleep_until(at.into()).await;
    let mut outcome = st.store.login(&login, &f.password).await?;
    let mut directory_down = false;
    if matches!(outcome, LoginOutcome::BadCredentials) {
        match directory_sign_in(&st, &login, &f.password).await {
            Ok(o) => outcome = o,
            Err(()) => directory_down = true,
        }
    }
    if directory_down {
        return html_status(
            StatusCode::SERVICE_UNAVAILABLE,
            login_view(&v, login, Some("login.directory_down")),
        );
    }
    match &outcome {
        LoginOutcome::Ok { .. } => st.login_throttle.succeeded(&login),
        LoginOutcome::BadCredentials => st.login_throttle.failed(&login),
    }
    match outcome {
        LoginOutcome::Ok { session, .. } => Ok(signed_in(&st, &session)),
        LoginOutcome::BadCredentials => {
            st.metrics
                .login_failures
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            html_status(
                StatusCode::UNAUTHORIZED,
                login_view(&v, login, Some("login.bad")),
            )
        }
    }
}

/// The directory's word on a login the local passwords did not accept: the person it vouches for
/// is brought into the roster (or moved) and signed in. `Err` when the directory cannot answer.
async fn directory_sign_in(st: &AppState, login: &str, password: &str) -> Result<LoginOutcome, ()> {
    let Some(cfg) = &st.settings.directory else {
        return Ok(LoginOutcome::BadCredentials);
    };
    match duban_directory::authenticate(cfg, login, password).await {
        Ok(Some(p)) => st
            .store
            .directory_sign_in(&roster_person(p))
            .await
            .map_err(|e| tracing::error!(error = %e, "directory sign-in")),
        Ok(None) => Ok(LoginOutcome::BadCredentials),
        Err(e) => {
            tracing::warn!(error = %e, "directory unavailable for sign-in");
            Err(())
        }
    }
}

/// A directory entry as the roster takes it.
pub fn roster_person(p: duban_directory::Person) -> duban_store::directory::DirectoryPerson {
    duban_store::directory::DirectoryPerson {
        staff_no: p.staff_no,
        login: p.login,
        name: p.name,
        unit_code: p.unit_code,
        department: p.department,
    }
}

/// The answer to a completed sign-in: the session's cookie, and on to the workbench.
pub(crate) fn signed_in(st: &AppState, session: &str) -> axum::response::Response {
    let mut r = Redirect::to("/home").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::SESSION_COOKIE,
            session,
            None,
            st.settings.secure_cookies,
        ),
    );
    r
}

// ---- activation ----

#[derive(Template)]
#[template(path = "activate.html")]
struct ActivatePage {
    t: Tr,
    csrf: String,
    login: String,
    error: Option<String>,
    other_lang: &'static str,
}

fn activate_view(v: &Visitor, login: String, error: Option<String>) -> ActivatePage {
    ActivatePage {
        t: Tr(v.0.lang),
        csrf: v.0.csrf.clone(),
        login,
        error,
        other_lang: if v.0.lang == Lang::En { "zh-CN" } else { "en" },
    }
}

async fn activate_page(v: Visitor) -> PageResult {
    html(activate_view(&v, String::new(), None))
}

#[derive(Deserialize)]
struct ActivateForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// A person's first sign-in: login, the code from their sheet, a password of their own. Guessing
/// is slowed as sign-ins are (per address and per login).
async fn activate(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<ActivateForm>,
) -> PageResult {
    let t = Tr(v.0.lang);
    let login = f.login.trim().chars().take(40).collect::<String>();
    let refuse =
        |status, msg: String| html_status(status, activate_view(&v, login.clone(), Some(msg)));
    if !st.login_limiter.allow(&addr.0).await {
        return refuse(StatusCode::TOO_MANY_REQUESTS, t.s("login.throttled").into());
    }
    if f.password != f.confirm {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.s("activate.mismatch").into(),
        );
    }
    if f.code.len() > 64 || f.password.len() > 1024 {
        return refuse(
            StatusCode::UNAUTHORIZED,
            t.rule(&RuleError::ActivationFailed),
        );
    }
    let Some(at) = st.login_throttle.slot(&login) else {
        return refuse(StatusCode::TOO_MANY_REQUESTS, t.s("login.throttled").into());
    };
    tokio::time::sleep_until(at.into()).await;
    match st.store.activate(&login, &f.code, &f.password).await {
        Ok(LoginOutcome::Ok { session, .. }) => {
            st.login_throttle.succeeded(&login);
            Ok(signed_in(&st, &session))
        }
        Ok(LoginOutcome::BadCredentials) => Err(crate::error::AppError::Unauthorized),
        Err(duban_store::StoreError::Rule(r @ RuleError::ActivationFailed)) => {
            st.login_throttle.failed(&login);
            refuse(StatusCode::UNAUTHORIZED, t.rule(&r))
        }
        Err(e) => match crate::error::AppError::from(e).localized(t) {
            crate::error::AppError::BadRequest(m) => refuse(StatusCode::UNPROCESSABLE_ENTITY, m),
            other => Err(other),
        },
    }
}

async fn logout(State(st): State<AppState>, v: Visitor) -> PageResult {
    if let auth::Via::Session { token } = &v.0.via {
        st.store.logout(token).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::SESSION_COOKIE,
            "",
            Some(0),
            st.settings.secure_cookies,
        ),
    );
    Ok(r)
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
}

/// A path on this site only: `/x`, never `//host`, `/\host` (which browsers read as `//host`),
/// nor anything with a backslash or a control character.
pub fn same_site_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(|c| c.is_control())
}

async fn set_lang(
    State(st): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> PageResult {
    let lang = Lang::parse(&f.lang);
    if let Some(u) = &v.0.user {
        st.store.set_lang(u, lang.code()).await?;
    }
    // back to the page the switch was pressed on, if it is one of ours
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| same_site_path(p))
        .unwrap_or_else(|| "/home".into());
    let mut r = Redirect::to(&back).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::LANG_COOKIE,
            lang.code(),
            Some(365 * 86400),
            st.settings.secure_cookies,
        ),
    );
    Ok(r)
}
