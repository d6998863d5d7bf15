//! A supervision notice (督办单): its page, which prints as the one-page notice, and the answer of
//! the person it is addressed to (measures taken and the date they promise).
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::{Ctx, PageResult, ctx, html};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use duban_store::supervision::answers::NoticeDetail;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "notice.html")]
pub(crate) struct NoticePage {
    ctx: Ctx,
    n: NoticeDetail,
    /// the answer form is offered (the domain would accept this account's answer)
    may_answer: bool,
    error: Option<String>,
    /// what was typed, kept after a refusal
    measures: String,
    promised_on: String,
}

async fn view(
    st: &AppState,
    v: &Viewer,
    id: i64,
    error: Option<String>,
    typed: (String, String),
    saved: bool,
) -> PageResult {
    let n = st
        .store
        .notice(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let may_answer = n.kind == "notice"
        && duban_domain::rectification::urging::may_answer(
            v.user.role,
            v.user.staff_id,
            n.unit_id == v.user.unit_id,
            duban_domain::rectification::urging::NoticeFacts {
                addressee: n.addressee_id,
                answered: n.answered_at.is_some(),
            },
            "-",
            v.today,
            v.today,
        )
        .is_ok();
    let mut c = ctx(v, "/rectification/board");
    c.flash = saved.then(|| v.t.s("notice.saved").to_string());
    html(NoticePage {
        ctx: c,
        n,
        may_answer,
        error,
        measures: typed.0,
        promised_on: typed.1,
    })
}

#[derive(Deserialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
}

pub(crate) async fn notice(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> PageResult {
    // opening it is reading it, for the person it is addressed to
    if st.store.notice(&v.user.scope(), id).await?.is_some() {
        st.store.notice_read(v.user.staff_id, id).await?;
    }
    view(&st, &v, id, None, Default::default(), q.saved.is_some()).await
}

#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    measures: String,
    #[serde(default)]
    promised_on: String,
}

pub(crate) async fn answer(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<AnswerForm>,
) -> PageResult {
    let promised = crate::kit::date_param(Some(&f.promised_on), v.today);
    let r = match promised {
        Ok(day) if !f.promised_on.trim().is_empty() => st
            .store
            .answer_notice(&v.user.actor(), id, &f.measures, day)
            .await
            .map_err(AppError::from),
        Ok(_) => Err(AppError::BadRequest(
            v.t.s("notice.promised_on_missing").to_string(),
        )),
        Err(e) => Err(e),
    };
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => Ok(Redirect::to(&format!("/rectification/notices/{id}?saved=1")).into_response()),
        Err(AppError::BadRequest(m)) => {
            view(&st, &v, id, Some(m), (f.measures, f.promised_on), false).await
        }
        Err(e) => Err(e),
    }
}

/// The notice as a one-page 督办单 PDF in the official style (typeset off the async workers).
pub(crate) async fn notice_pdf(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    let n = st
        .store
        .notice(&v.user.scope(), id)
        .await?
        .filter(|n| n.kind == "notice")
        .ok_or(AppError::NotFound)?;
    let doc = n.document();
    let pdf = tokio::task::spawn_blocking(move || duban_publish::official::pdf(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::kit::download(
        &format!("{}.pdf", n.number()),
        "application/pdf".into(),
        pdf,
    ))
}
