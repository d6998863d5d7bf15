//! Letters from the public through the API: lists, figures, search, steps.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use crate::kit::require_api;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use duban_domain::access::Action;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(crate) struct LettersQuery {
    limit: Option<i64>,
    /// `next` of the previous page
    after: Option<String>,
    /// only letters not yet closed
    #[serde(default)]
    open: bool,
}

/// A page of the letters in the caller's scope, open ones first by the deadline they owe, and
/// where the next page starts (`next`, null on the last page).
pub(crate) async fn letters(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<LettersQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadLetters)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let (items, next) = st
        .store
        .letters_page(&u.0.scope(), q.open, q.after.as_deref(), limit)
        .await?;
    Ok(Json(json!({"items": items, "next": next})))
}

/// One letter on the caller's path, with its reply letters (and where to download them), what was
/// sent to the writer and its assignments. The view of the writer's data is audited.
pub(crate) async fn letter(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    require_api(&u, Action::ReadLetters)?;
    let d = st
        .store
        .letter_in_scope(&u.0.actor(), &u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let replies: Vec<_> = d
        .replies
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "number": r.number,
                "kind": r.kind,
                "date": r.on_date,
                "pdf": format!("/letters/{id}/replies/{}/pdf", r.id),
                "docx": format!("/letters/{id}/replies/{}/docx", r.id),
            })
        })
        .collect();
    let mut v = serde_json::to_value(&d).map_err(|e| AppError::Internal(e.to_string()))?;
    v["replies"] = json!(replies);
    v["notifications"] = v["sends"].take();
    if let Some(o) = v.as_object_mut() {
        o.remove("sends");
    }
    Ok(Json(v))
}

#[derive(Deserialize)]
pub(crate) struct MetricsQuery {
    from: String,
    to: String,
    as_of: String,
    #[serde(default)]
    subtree: bool,
}

pub(crate) async fn letter_metrics(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<MetricsQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadLetters)?;
    let d = |s: &str| {
        duban_domain::calendar::parse_date(s)
            .map_err(|e| ApiError(AppError::BadRequest(e.to_string())))
    };
    let (from, to, as_of) = (d(&q.from)?, d(&q.to)?, d(&q.as_of)?);
    let unit = st
        .store
        .unit(u.0.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // a subtree only within the caller's own scope
    let m = st
        .store
        .letter_metrics(&unit, q.subtree && u.0.subtree, from, to, as_of)
        .await?;
    Ok(Json(json!(m)))
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    q: String,
    after: Option<i64>,
}

pub(crate) async fn search_letters(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadLetters)?;
    let query: String = q.q.trim().chars().take(100).collect();
    let (items, next) = st
        .store
        .search_letters(&u.0.scope(), &query, q.after, 20)
        .await?;
    Ok(Json(json!({"items": items, "next": next})))
}

pub(crate) async fn letter_step(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    #[derive(Deserialize)]
    struct Body {
        step: String,
        on: String,
        body: String,
        to_unit_code: Option<String>,
        /// why a date beyond the grace is recorded late (补录)
        #[serde(default)]
        late_reason: String,
        /// 转出: the kind of organ (court, police, discipline, government, other) and its name
        organ_kind: Option<String>,
        #[serde(default)]
        organ: String,
        /// 转出: the writer has been told where the letter went
        #[serde(default)]
        told: bool,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let step = duban_domain::letters::Step::parse(&b.step)
        .ok_or_else(|| AppError::BadRequest(format!("未知的办理环节：{}", b.step)))?;
    let on = duban_domain::calendar::parse_date(&b.on)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let text = duban_domain::text::required(&b.body.replace('\n', "\t"), 4000)
        .map_err(|e| AppError::BadRequest(format!("内容{e}")))?
        .replace('\t', "\n");
    let to = match b
        .to_unit_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            st.store
                .unit_by_code(code)
                .await?
                .ok_or_else(|| {
                    AppError::BadRequest(format!("该单位不在检察机关组织体系内：{code}"))
                })?
                .id,
        ),
        None => None,
    };
    let organ_kind = match b
        .organ_kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => Some(
            duban_domain::letters::answers::OrganKind::parse(k)
                .ok_or_else(|| AppError::BadRequest(format!("未知的机关类别：{k}")))?,
        ),
        None => None,
    };
    let req = duban_store::letters::StepRequest {
        late_reason: b.late_reason,
        to_unit: to,
        organ_kind,
        organ: b.organ.chars().take(200).collect(),
        told: b.told,
        ..duban_store::letters::StepRequest::new(step, on, &text)
    };
    st.store
        .letter_step(&u.0.actor(), &u.0.scope(), id, &req)
        .await?;
    Ok(Json(json!({"ok": true})))
}
