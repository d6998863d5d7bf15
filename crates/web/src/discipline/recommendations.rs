//! The desk's recommendations (纪检监察建议书): the list with each one's number, addressee and
//! follow-up, and the form that issues the next one. Its follow-up is the rectification engine's
//! (the addressed unit's plan, tasks and ledger), its closure the group's review.
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::{Ctx, PageResult, ctx};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use duban_store::discipline::Recommendation;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/discipline/recommendations",
        get(recommendations).post(issue),
    )
}

#[derive(Template)]
#[template(path = "discipline_recommendations.html")]
struct RecommendationsPage {
    ctx: Ctx,
    list: Vec<Recommendation>,
    today: String,
    error: Option<String>,
    form: IssueForm,
}

#[derive(Deserialize, Default, Clone)]
struct IssueForm {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    issued_on: String,
}

async fn view(st: &AppState, v: &Viewer, form: IssueForm, error: Option<String>) -> PageResult {
    let list = st
        .store
        .recommendations(&v.user.actor(), &v.user.scope())
        .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RecommendationsPage {
        ctx: ctx(v, "/discipline"),
        list,
        today: st.store.today().to_string(),
        error,
        form,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn recommendations(State(st): State<AppState>, v: Viewer) -> PageResult {
    view(&st, &v, IssueForm::default(), None).await
}

async fn issue(State(st): State<AppState>, v: Viewer, Form(f): Form<IssueForm>) -> PageResult {
    let r: Result<(i64, i64), AppError> = async {
        Ok(st
            .store
            .issue_recommendation(
                &v.user.actor(),
                v.user.unit_id,
                &f.unit_code,
                &f.title,
                duban_domain::calendar::parse_date(&f.issued_on).ok(),
            )
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(_) => Ok(Redirect::to("/discipline/recommendations").into_response()),
        Err(AppError::BadRequest(m)) => view(&st, &v, f, Some(m)).await,
        Err(e) => Err(e),
    }
}
