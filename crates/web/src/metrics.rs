//! Prometheus metrics in the text exposition format, at `/metrics`.
use crate::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    duration_micros: AtomicU64,
    pub csrf_rejections: AtomicU64,
    pub login_failures: AtomicU64,
}

pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    let class = (resp.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    st.metrics.by_class[class].fetch_add(1, Relaxed);
    st.metrics
        .duration_micros
        .fetch_add(start.elapsed().as_micros() as u64, Relaxed);
    resp
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

/// The metrics, for the monitoring system only: a request from the machine itself (or a trusted
/// proxy's network), or one bearing the configured metrics token; anyone else gets 404.
pub async fn render(State(st): State<AppState>, req: Request) -> axum::response::Response {
    let headers = req.headers();
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
    let local = peer.is_none_or(|p| {
        p.0.ip().is_loopback()
            || st
                .settings
                .trusted_proxies
                .iter()
                .any(|n| n.contains(p.0.ip()))
    });
    let token_ok = st.settings.metrics_token.as_deref().is_some_and(|t| {
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|v| duban_domain::auth::tokens_equal(v.trim(), t))
    });
    if !local && !token_ok {
        return crate::error::AppError::NotFound.into_response();
    }
    render_metrics(&st).into_response()
}

fn render_metrics(st: &AppState) -> impl IntoResponse {
    let m = &st.metrics;
    let mut out = String::new();
    out.push_str("# HELP duban_http_requests_total HTTP responses by status class.\n# TYPE duban_http_requests_total counter\n");
    let mut total = 0;
    for (i, c) in m.by_class.iter().enumerate() {
        let n = c.load(Relaxed);
        total += n;
        out.push_str(&format!(
            "duban_http_requests_total{{status=\"{}xx\"}} {n}\n",
            i + 1
        ));
    }
    out.push_str(&format!(
        "# HELP duban_http_request_duration_seconds Time spent answering requests.\n# TYPE duban_http_request_duration_seconds summary\nduban_http_request_duration_seconds_sum {}\nduban_http_request_duration_seconds_count {total}\n",
        m.duration_micros.load(Relaxed) as f64 / 1e6
    ));
    out.push_str(&format!("# HELP duban_csrf_rejections_total Requests refused by the CSRF check.\n# TYPE duban_csrf_rejections_total counter\nduban_csrf_rejections_total {}\n", m.csrf_rejections.load(Relaxed)));
    out.push_str(&format!("# HELP duban_login_failures_total Failed sign-in attempts.\n# TYPE duban_login_failures_total counter\nduban_login_failures_total {}\n", m.login_failures.load(Relaxed)));
    out.push_str(&format!("# HELP duban_db_pool_connections Open database connections.\n# TYPE duban_db_pool_connections gauge\nduban_db_pool_connections {}\n", st.store.pool.size()));
    out.push_str(&format!("# HELP duban_db_pool_max Database connections this process keeps at most (db_connections).\n# TYPE duban_db_pool_max gauge\nduban_db_pool_max {}\n", st.store.pool.options().get_max_connections()));
    out.push_str(&format!("# HELP process_resident_memory_bytes Resident memory.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n", rss_bytes()));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
}
