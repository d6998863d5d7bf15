//! Duban's web layer: server-rendered pages (askama), the JSON API under `/api/v1`, auth
//! extractors, health and metrics. `build_app` gives the Router; `serve` runs it.
pub mod account;
pub mod api;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod discipline;
pub mod documents;
pub mod error;
pub mod i18n;
pub mod kit;
pub mod letters;
pub mod limiter;
pub mod login;
pub mod metrics;
pub mod org;
pub mod paperwork;
pub mod proxy;
pub mod quality;
pub mod records;
pub mod rectification;
pub mod todo;
pub mod uploads;
pub mod users;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use duban_store::Store;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (set when Duban is served over HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted upload (imports).
    pub max_upload_bytes: usize,
    /// Login attempts allowed per client address per minute.
    pub login_per_minute: u32,
    /// Letters the public form accepts per client address per minute.
    pub letters_per_minute: u32,
    /// Query-code lookups allowed per client address per minute (wrong codes are brute force).
    pub codes_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` names the client (addresses or
    /// networks); connections from anywhere else are their own client.
    pub trusted_proxies: Vec<proxy::Net>,
    /// Days an API token lives.
    pub token_days: i64,
    /// A bearer token that may read `/metrics` from elsewhere than this machine.
    pub metrics_token: Option<String>,
    /// The organisation's LDAP directory for sign-in (none: local passwords only).
    pub directory: Option<duban_directory::Config>,
    /// An OpenID Connect provider for single sign-on (none: no SSO button).
    pub oidc: Option<duban_directory::oidc::OidcConfig>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            secure_cookies: false,
            max_upload_bytes: 20 * 1024 * 1024,
            login_per_minute: 20,
            letters_per_minute: 10,
            codes_per_minute: 10,
            trusted_proxies: vec![],
            token_days: duban_store::users::TOKEN_DAYS,
            metrics_token: None,
            directory: None,
            oidc: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<WebSettings>,
    pub metrics: Arc<metrics::Metrics>,
    pub login_limiter: Arc<limiter::RateLimiter>,
    pub letters_limiter: Arc<limiter::RateLimiter>,
    pub codes_limiter: Arc<limiter::RateLimiter>,
    pub login_throttle: Arc<limiter::LoginThrottle>,
}

impl AppState {
    pub fn new(store: Store, settings: WebSettings) -> AppState {
        let minute = std::time::Duration::from_secs(60);
        // on PostgreSQL several servers may share the database: the windows are counted there
        let limiter = |bucket: &'static str, per_minute: u32| {
            Arc::new(if store.backend == duban_store::Backend::Postgres {
                limiter::RateLimiter::shared(bucket, per_minute, minute, store.clone())
            } else {
                limiter::RateLimiter::new(per_minute, minute)
            })
        };
        AppState {
            login_throttle: Arc::default(),
            letters_limiter: limiter("letters", settings.letters_per_minute),
            codes_limiter: limiter("codes", settings.codes_per_minute),
            login_limiter: limiter("logins", settings.login_per_minute),
            store,
            settings: Arc::new(settings),
            metrics: Arc::new(metrics::Metrics::default()),
        }
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

pub fn build_app(state: AppState) -> Router {
    let upload_limit = state.settings.max_upload_bytes;
    let https = state.settings.secure_cookies;
    let app = Router::new()
        .merge(login::routes())
        .merge(org::routes(upload_limit))
        .merge(users::routes())
        .merge(audit::routes())
        .merge(calendar::routes(upload_limit))
        .merge(account::routes())
        .merge(api::docs::routes())
        .merge(rectification::routes(upload_limit))
        .merge(letters::routes())
        .merge(letters::office_routes())
        .merge(records::routes())
        .merge(discipline::routes())
        .merge(quality::routes())
        .merge(paperwork::routes())
        .merge(documents::routes())
        .merge(todo::routes())
        .nest("/api/v1", api::routes(upload_limit))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn(error::localize_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::resolve,
        ))
        .layer(DefaultBodyLimit::max(auth::FORM_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    // served over HTTPS (the setting that marks cookies Secure): browsers keep to HTTPS
    if https {
        app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        app
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
/// How long a client may take to send a request's headers (also: how long an idle keep-alive
/// connection is kept), and its body.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// Open connections in all, and from one address.
pub const MAX_CONNECTIONS: usize = 8192;
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 256;

/// Serves HTTP/1 until `shutdown`: a client that does not finish its headers within
/// [`HEADER_TIMEOUT`] (or leaves a kept-alive connection idle that long) is disconnected, a body
/// that stalls for [`BODY_TIMEOUT`] ends its request, and connections beyond [`MAX_CONNECTIONS`]
/// (or [`MAX_CONNECTIONS_PER_ADDRESS`] from one address) are closed at once, so idle or slow
/// clients never exhaust the server's file handles while others wait.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use std::collections::HashMap;
    use tower::ServiceExt;
    let total = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let per_addr: Arc<std::sync::Mutex<HashMap<std::net::IpAddr, usize>>> = Arc::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // out of file handles or the like: wait for connections to close
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            continue;
        };
        let slot = match AddrSlot::take(&per_addr, addr.ip()) {
            Some(s) => s,
            None => continue,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(|b| tower_http::timeout::TimeoutBody::new(BODY_TIMEOUT, b));
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
            app.clone().oneshot(req)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(256 * 1024);
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), svc));
        tokio::spawn(async move {
            let _ = conn.await;
            drop((permit, slot));
        });
    }
    // requests under way finish (for a while); idle connections close
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown()).await;
    Ok(())
}

/// One of an address's connection slots, given back when the connection ends.
struct AddrSlot {
    map: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
    ip: std::net::IpAddr,
}

impl AddrSlot {
    fn take(
        map: &Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
        ip: std::net::IpAddr,
    ) -> Option<AddrSlot> {
        let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= MAX_CONNECTIONS_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(AddrSlot {
            map: map.clone(),
            ip,
        })
    }
}

impl Drop for AddrSlot {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

async fn healthz(State(st): State<AppState>) -> impl IntoResponse {
    match st.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        ),
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS.as_str(),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.js"),
    )
}

/// The stylesheet: the app's, then the look of official documents (shared with the standalone
/// HTML that `duban report bulletin --format html` writes).
static APP_CSS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{}\n{}\n",
        include_str!("../static/app.css"),
        duban_publish::official::HTML_STYLE
    )
});
