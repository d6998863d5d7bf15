//! Rectification pages: plans, the three lists, the plan dashboard, task pages with the ledger,
//! "my tasks", evidence downloads.
pub mod api;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use duban_domain::access::{Action, allowed};
use duban_store::rectification::Plan;
use duban_store::users::User;

mod meetings;
mod notices;
mod plans;
mod register;
mod supervision_rules;
mod tasks;
use meetings::*;
use plans::*;
use register::*;
use supervision_rules::*;
pub use tasks::submit_entry;
use tasks::*;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/rectification", get(plans))
        .route("/rectification/mine", get(mine))
        .route("/rectification/board", get(board))
        .route("/rectification/notices/{id}", get(notices::notice))
        .route("/rectification/notices/{id}/answer", post(notices::answer))
        .route(
            "/rectification/notices/{id}/file.pdf",
            get(notices::notice_pdf),
        )
        .route("/rectification/meetings", get(meetings).post(convene))
        .route("/rectification/meetings/{id}", get(meeting))
        .route("/rectification/meetings/{id}/minutes", post(minutes))
        .route("/rectification/meetings/{id}/items/{item}", post(decide))
        .route("/rectification/plans/{id}", get(plan))
        .route(
            "/rectification/plans/{id}/problems",
            get(problems).post(add_problem),
        )
        .route("/rectification/plans/{id}/tasks", post(add_task))
        .route("/rectification/plans/{id}/cascade", post(cascade))
        .route("/rectification/rounds", post(create_round))
        .route("/rectification/rules", get(rules_page).post(set_rules))
        .route("/rectification/plans", post(create_plan))
        .route(
            "/rectification/plans/{id}/responsibilities",
            get(responsibilities),
        )
        .route("/rectification/tasks/{id}", get(task))
        .route("/rectification/tasks/{id}/assign", post(assign_task))
        .route(
            "/rectification/tasks/{id}/adjustments",
            post(request_adjustment),
        )
        .route("/rectification/adjustments/{id}", post(decide_adjustment))
        .route(
            "/rectification/tasks/{id}/entries",
            post(add_entry).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/rectification/evidence/{id}", get(evidence))
        .route("/rectification/plans/{id}/ledger.xlsx", get(ledger_xlsx))
        .route(
            "/rectification/import",
            post(import_ledger).layer(DefaultBodyLimit::max(upload_limit)),
        )
}

fn can_import(user: &User) -> bool {
    allowed(user.role, Action::ManagePlans)
}

async fn scoped_plan(st: &AppState, v: &Viewer, id: i64) -> Result<Plan, AppError> {
    st.store
        .plan(&v.user.scope(), &id.to_string())
        .await?
        .ok_or(AppError::NotFound)
}

/// An input error becomes a message to show on the form, in the viewer's language; anything else
/// stays an error.
fn form_error(e: AppError, t: crate::i18n::Tr) -> Result<String, AppError> {
    match e.localized(t) {
        AppError::BadRequest(m) => Ok(m),
        other => Err(other),
    }
}
