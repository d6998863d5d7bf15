//! Letters from the public: the public's form and status page, and the officer's workspace.
mod answers;
pub mod api;
mod office;
mod public;
use crate::AppState;
use axum::Router;
use axum::routing::get;
use office::*;
pub use public::Addressee;
use public::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/letters/new",
            get(form_page)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    PUBLIC_FILES_BYTES + 64 * 1024,
                )),
        )
        .route("/letters/units", get(units_json))
        .route("/letters/status", get(status_page).post(status))
        .route("/letters/rate", axum::routing::post(rate))
        .route(
            "/letters/status/reply",
            axum::routing::post(answers::public_reply),
        )
}

pub fn office_routes() -> Router<AppState> {
    Router::new()
        .route("/letters", get(list).post(register))
        .route("/letters/board", get(board))
        .route("/letters/search", get(search))
        .route("/letters/export", get(export))
        .route("/letters/{id}", get(detail))
        .route("/letters/{id}/steps", axum::routing::post(step))
        .route("/letters/{id}/links", axum::routing::post(link))
        .route("/letters/{id}/hearings", axum::routing::post(hearing))
        .route("/letters/{id}/files/{file}", get(file))
        .route(
            "/letters/{id}/replies/{reply}/{format}",
            get(answers::reply),
        )
        .route(
            "/letters/{id}/sends/{send}/retry",
            axum::routing::post(answers::resend),
        )
        .route(
            "/letters/templates",
            get(answers::templates).post(answers::save_template),
        )
        .route("/letters/campaigns", get(campaigns).post(create_campaign))
        .route("/letters/campaigns/{id}", get(campaign))
}
