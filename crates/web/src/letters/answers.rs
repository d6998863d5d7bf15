//! Reply letters (download for the units on the letter's path, and for the writer with the query
//! code), sending again what failed to reach the writer, and each unit's reply templates.
use super::public::WRONG_CODE;
use crate::AppState;
use crate::auth::{Form, Viewer, Visitor};
use crate::error::AppError;
use crate::kit::{ClientAddr, Ctx, PageResult, ctx, require};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::access::Action;
use duban_domain::documents::Document;
use duban_domain::letters::answers::ReplyKind;
use serde::Deserialize;

/// A reply letter as PDF or DOCX, rendered off the async workers from its kept composition.
pub(crate) async fn render(
    doc: Document,
    number: &str,
    format: &str,
) -> Result<Response, AppError> {
    let name = format!("{}{}", doc.title, number);
    Ok(match format {
        "pdf" => {
            let pdf = tokio::task::spawn_blocking(move || duban_publish::official::pdf(&doc))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            crate::kit::download(&format!("{name}.pdf"), "application/pdf".into(), pdf)
        }
        "docx" => {
            let docx = tokio::task::spawn_blocking(move || duban_publish::docx::docx(&doc))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            crate::kit::download(
                &format!("{name}.docx"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
                docx,
            )
        }
        _ => return Err(AppError::NotFound),
    })
}

/// A reply letter of a letter on the caller's path.
pub(crate) async fn reply(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, reply, format)): Path<(i64, i64, String)>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let (r, doc) = st
        .store
        .letter_reply(&v.user.scope(), id, reply)
        .await?
        .ok_or(AppError::NotFound)?;
    render(doc, &r.number, &format).await
}

#[derive(Deserialize)]
pub(crate) struct PublicReplyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    format: String,
}

/// The writer downloads a reply letter: the code travels in the form, never in an address.
pub(crate) async fn public_reply(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<PublicReplyForm>,
) -> PageResult {
    if !st.codes_limiter.allow(&addr.0).await {
        return Err(AppError::TooManyRequests);
    }
    let code: String = f.code.chars().take(64).collect();
    let reply = f.reply.trim().parse::<i64>().unwrap_or(0);
    match st.store.public_reply(&code, reply).await? {
        Some((r, doc)) => render(doc, &r.number, &f.format).await,
        None => {
            let _ = v;
            Err(AppError::BadRequest(WRONG_CODE.into()))
        }
    }
}

/// An officer sends a failed sending to the writer again.
pub(crate) async fn resend(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, send)): Path<(i64, i64)>,
) -> PageResult {
    st.store
        .retry_letter_send(&v.user.actor(), &v.user.scope(), id, send)
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}#sends")).into_response())
}

#[derive(Template)]
#[template(path = "letter_templates.html")]
pub(crate) struct TemplatesPage {
    ctx: Ctx,
    templates: Vec<(ReplyKind, String, bool)>,
    placeholders: [&'static str; 8],
    /// the kind whose save was refused, why, and the text as typed
    error: Option<(String, String, String)>,
    saved: Option<String>,
}

impl TemplatesPage {
    fn body_of(&self, kind: &ReplyKind, body: &str) -> String {
        match &self.error {
            Some((k, _, typed)) if k == kind.as_str() => typed.clone(),
            _ => body.to_string(),
        }
    }
    fn error_of(&self, kind: &ReplyKind) -> Option<String> {
        match &self.error {
            Some((k, e, _)) if k == kind.as_str() => Some(e.clone()),
            _ => None,
        }
    }
}

async fn templates_view(
    st: &AppState,
    v: &Viewer,
    error: Option<(String, String, String)>,
    saved: Option<String>,
) -> PageResult {
    require(v, Action::HandleLetters)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TemplatesPage {
        ctx: ctx(v, "/letters"),
        templates: st.store.letter_templates(v.user.unit_id).await?,
        placeholders: duban_domain::letters::answers::PLACEHOLDERS,
        error,
        saved,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn templates(State(st): State<AppState>, v: Viewer) -> PageResult {
    templates_view(&st, &v, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct TemplateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
    /// "restore": back to the built-in template
    #[serde(default)]
    action: String,
}

pub(crate) async fn save_template(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    let kind = ReplyKind::parse(&f.kind).ok_or(AppError::NotFound)?;
    let body = if f.action == "restore" {
        String::new()
    } else {
        f.body
            .chars()
            .take(duban_domain::letters::answers::TEMPLATE_MAX_CHARS + 1)
            .collect()
    };
    match st
        .store
        .save_letter_template(&v.user.actor(), &v.user.scope(), kind, &body)
        .await
        .map_err(AppError::from)
        .map_err(|e| e.localized(v.t))
    {
        Ok(()) => templates_view(&st, &v, None, Some(kind.as_str().to_string())).await,
        Err(AppError::BadRequest(m)) => {
            templates_view(&st, &v, Some((kind.as_str().into(), m, body)), None).await
        }
        Err(e) => Err(e),
    }
}
