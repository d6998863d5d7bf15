//! The API reference page, rendered from the route table.
use crate::AppState;
use crate::auth::Viewer;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/docs", get(api_docs))
}

// ---- API reference ----

pub struct Op {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<String>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    ctx: Ctx,
    ops: Vec<Op>,
}

async fn api_docs(v: Viewer) -> PageResult {
    html(ApiDocsPage {
        ctx: ctx(&v, "/api/docs"),
        ops: crate::api::operations(),
    })
}
