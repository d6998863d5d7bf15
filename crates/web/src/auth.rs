//! Who is calling: sessions (cookies) and API tokens (Bearer), resolved once per request by a
//! middleware that also enforces CSRF on every state-changing request and sets the language.
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::i18n::{Lang, Tr};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duban_domain::auth::{new_secret, tokens_equal};
use duban_store::users::User;
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "duban_session";
pub const CSRF_COOKIE: &str = "duban_csrf";
pub const LANG_COOKIE: &str = "duban_lang";
/// Largest urlencoded form accepted (uploads have their own limit).
pub const FORM_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
pub enum Via {
    Session { token: String },
    Token,
    Anonymous,
}

/// What the middleware learned about the caller; read by the extractors below.
#[derive(Clone)]
pub struct Caller {
    pub user: Option<User>,
    pub via: Via,
    /// The CSRF token forms must carry: the session's, or the anonymous double-submit cookie's.
    pub csrf: String,
    pub lang: Lang,
    /// today on the application's clock when the request came in, and who pinned it, if anyone
    pub today: chrono::NaiveDate,
    pub pinned: Option<duban_store::clock::Pin>,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static(""))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn reject(path: &str, e: AppError) -> Response {
    if is_api(path) {
        ApiError(e).into_response()
    } else {
        e.into_response()
    }
}

pub async fn resolve(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let mut caller = Caller {
        user: None,
        via: Via::Anonymous,
        csrf: String::new(),
        lang: Lang::Zh,
        today: st.store.today(),
        pinned: st.store.pinned_day().map(|(_, p)| p),
    };
    let mut new_anon_csrf = None;
    if let Some(tok) = bearer {
        match st.store.user_by_token(tok).await {
            Ok(Some(u)) => {
                caller.user = Some(u);
                caller.via = Via::Token;
            }
            Ok(None) => return reject(&path, AppError::Unauthorized),
            Err(e) => return reject(&path, e.into()),
        }
    } else if let Some(tok) = cookie(&headers, SESSION_COOKIE) {
        match st.store.session(tok).await {
            Ok(Some((u, csrf))) => {
                caller.user = Some(u);
                caller.csrf = csrf;
                caller.via = Via::Session {
                    token: tok.to_string(),
                };
            }
            Ok(None) => {}
            Err(e) => return reject(&path, e.into()),
        }
    }
    if matches!(caller.via, Via::Anonymous) {
        caller.csrf = match cookie(&headers, CSRF_COOKIE) {
            Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => c.to_string(),
            _ => {
                let c = new_secret();
                new_anon_csrf = Some(c.clone());
                c
            }
        };
    }
    caller.lang = match &caller.user {
        Some(u) => Lang::parse(&u.lang),
        None => cookie(&headers, LANG_COOKIE)
            .map(Lang::parse)
            .unwrap_or(Lang::Zh),
    };
    let mut req = req;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !matches!(caller.via, Via::Token) {
        // A brand-new anonymous token cannot have been put in a form: the check fails, as it must.
        let expected = if new_anon_csrf.is_some() {
            None
        } else {
            Some(caller.csrf.clone())
        };
        let mut provided = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        if provided.is_none() {
            provided = req
                .uri()
                .query()
                .and_then(|q| form_field(q.as_bytes(), "csrf"));
        }
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if provided.is_none() && is_form {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
                Ok(b) => b,
                Err(_) => return reject(&path, AppError::TooLarge),
            };
            provided = form_field(&bytes, "csrf");
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let ok = matches!((&expected, &provided), (Some(e), Some(p)) if tokens_equal(e, p));
        if !ok {
            st.metrics
                .csrf_rejections
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return reject(&path, AppError::Csrf);
        }
    }
    req.extensions_mut().insert(caller);
    let mut resp = next.run(req).await;
    if let Some(c) = new_anon_csrf {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &c, None, st.settings.secure_cookies),
        );
    }
    resp
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

fn caller(parts: &Parts) -> Caller {
    parts.extensions.get::<Caller>().cloned().unwrap_or(Caller {
        user: None,
        via: Via::Anonymous,
        csrf: String::new(),
        lang: Lang::Zh,
        today: chrono::NaiveDate::MIN,
        pinned: None,
    })
}

/// A signed-in user on a page. Without a session the page redirects to the login page.
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    pub t: Tr,
    pub session: Option<String>,
    /// today on the application's clock (one value for the whole request)
    pub today: chrono::NaiveDate,
    pub pinned: Option<duban_store::clock::Pin>,
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let c = caller(parts);
        let session = match &c.via {
            Via::Session { token } => Some(token.clone()),
            _ => None,
        };
        match c.user {
            Some(user) => Ok(Viewer {
                user,
                csrf: c.csrf,
                t: Tr(c.lang),
                session,
                today: c.today,
                pinned: c.pinned,
            }),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// Anyone, signed in or not (login page, language switch).
pub struct Visitor(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor(caller(parts)))
    }
}

/// A caller of the JSON API: a Bearer token or a session. Anything else is 401.
pub struct ApiUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        caller(parts)
            .user
            .map(ApiUser)
            .ok_or(ApiError(AppError::Unauthorized))
    }
}

/// An urlencoded form, decoded into `T`; bad or oversized bodies become Chinese messages.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Form)
            .map_err(|e| AppError::BadRequest(format!("表单内容有误：{e}")))
    }
}
