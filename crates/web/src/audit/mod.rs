//! The audit log, readable: Chinese action names and before/after.
pub mod api;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use duban_domain::access::Action;
use duban_domain::text;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

// ---- audit ----

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<duban_domain::audit::Entry>,
    action: String,
    older: Option<String>,
    verified: Option<(bool, String)>,
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
    verify: Option<String>,
}

async fn audit(State(st): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> PageResult {
    require(&v, Action::ReadAudit)?;
    let action = text::optional(q.action.as_deref().unwrap_or(""), 40)
        .map_err(|e| AppError::BadRequest(format!("操作类型{e}")))?;
    let entries = st
        .store
        .audit_entries(&v.user.actor(), &v.user.scope(), &action, PAGE, q.before)
        .await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| {
            entries.last().map(|e| {
                format!(
                    "/audit?{}",
                    serde_urlencoded::to_string([
                        ("action", action.clone()),
                        ("before", e.seq.to_string())
                    ])
                    .unwrap_or_default()
                )
            })
        })
        .flatten();
    let verified = if q.verify.is_some() && v.user.scope().is_national() {
        Some(match st.store.verify_audit().await? {
            Ok(n) => (true, n.to_string()),
            Err(f) => (false, f.to_string()),
        })
    } else {
        None
    };
    html(AuditPage {
        ctx: ctx(&v, "/audit"),
        entries,
        action,
        older,
        verified,
    })
}
