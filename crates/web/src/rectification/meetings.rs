//! Supervision meetings: convening with the day's agenda, minutes, decisions.
use super::*;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use crate::kit::{Ctx, ctx};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use duban_domain::access::{Action, allowed};
use duban_domain::calendar::parse_date;
use duban_domain::text;
use duban_store::users::User;
use serde::Deserialize;

pub(crate) fn can_convene(u: &User) -> bool {
    allowed(u.role, Action::Convene)
}

pub(crate) fn can_see_meetings(u: &User) -> bool {
    allowed(u.role, Action::ReadMeetings)
}

#[derive(Template)]
#[template(path = "meetings.html")]
pub(crate) struct MeetingsPage {
    ctx: Ctx,
    meetings: Vec<duban_store::meetings::Meeting>,
    can_convene: bool,
    today: String,
    error: Option<String>,
}

pub(crate) async fn meetings_view(st: &AppState, v: &Viewer, error: Option<String>) -> PageResult {
    if !can_see_meetings(&v.user) {
        return Err(AppError::Forbidden);
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MeetingsPage {
        ctx: ctx(v, "/rectification/meetings"),
        meetings: st.store.meetings(&v.user.scope()).await?,
        can_convene: can_convene(&v.user),
        today: st.store.today().to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn meetings(State(st): State<AppState>, v: Viewer) -> PageResult {
    meetings_view(&st, &v, None).await
}

#[derive(Deserialize)]
pub(crate) struct ConveneForm {
    held_on: String,
    title: String,
}

pub(crate) async fn convene(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<ConveneForm>,
) -> PageResult {
    let held = match parse_date(&f.held_on) {
        Ok(d) => d,
        Err(e) => return meetings_view(&st, &v, Some(e.to_string())).await,
    };
    let title = match text::required(&f.title, 100) {
        Ok(t) => t,
        Err(e) => return meetings_view(&st, &v, Some(format!("名称{e}"))).await,
    };
    let id = st
        .store
        .create_meeting(&v.user.actor(), v.user.unit_id, held, &title)
        .await?;
    Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub(crate) struct MeetingPage {
    ctx: Ctx,
    meeting: duban_store::meetings::Meeting,
    items: Vec<duban_store::meetings::Item>,
    can_decide: bool,
    error: Option<String>,
}

pub(crate) async fn meeting_view(
    st: &AppState,
    v: &Viewer,
    id: i64,
    error: Option<String>,
) -> PageResult {
    if !can_see_meetings(&v.user) {
        return Err(AppError::Forbidden);
    }
    let (meeting, items) = st
        .store
        .meeting(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MeetingPage {
        ctx: ctx(v, "/rectification/meetings"),
        meeting,
        items,
        can_decide: can_convene(&v.user),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn meeting(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    meeting_view(&st, &v, id, None).await
}

#[derive(Deserialize)]
pub(crate) struct MinutesForm {
    minutes: String,
}

pub(crate) async fn minutes(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<MinutesForm>,
) -> PageResult {
    let m = f.minutes.replace("\r\n", "\n").replace('\n', "\t");
    let m = match text::optional(&m, 8000) {
        Ok(m) => m.replace('\t', "\n"),
        Err(e) => return meeting_view(&st, &v, id, Some(format!("会议纪要{e}"))).await,
    };
    st.store
        .set_minutes(&v.user.actor(), &v.user.scope(), id, &m)
        .await?;
    Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    decision: String,
    action: String,
    #[serde(default)]
    deadline: String,
}

pub(crate) async fn decide(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, item)): Path<(i64, i64)>,
    crate::auth::Form(f): crate::auth::Form<DecideForm>,
) -> PageResult {
    use duban_store::meetings::Action;
    st.store
        .meeting(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = match f.action.as_str() {
        "deadline" => match parse_date(&f.deadline) {
            Ok(d) => Action::Deadline(d),
            Err(_) => {
                return meeting_view(&st, &v, id, Some("调整完成时限须填写新的日期".into())).await;
            }
        },
        "notice" => Action::Notice,
        "lookback" => Action::LookBack,
        _ => Action::Note,
    };
    let decision = match text::required(&f.decision, 500) {
        Ok(d) => d,
        Err(e) => return meeting_view(&st, &v, id, Some(format!("会商决定{e}"))).await,
    };
    let author = author_of(&v.user);
    match st
        .store
        .decide(&author, &v.user.scope(), id, item, &decision, action)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response()),
        Err(duban_store::StoreError::Invalid(m)) => meeting_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}
