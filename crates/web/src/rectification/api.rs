//! Plans, tasks and ledger entries through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::kit::ApiResult;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) async fn plans(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    Ok(Json(json!({"items": st.store.plans(&u.0.scope()).await?})))
}

pub(crate) async fn scoped_plan(
    st: &AppState,
    u: &ApiUser,
    id: i64,
) -> Result<duban_store::rectification::Plan, ApiError> {
    Ok(st
        .store
        .plan(&u.0.scope(), &id.to_string())
        .await?
        .ok_or(AppError::NotFound)?)
}

#[derive(Deserialize)]
pub(crate) struct AsOf {
    as_of: Option<String>,
}

pub(crate) async fn plan_stats(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult {
    let plan = scoped_plan(&st, &u, id).await?;
    let as_of = match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => duban_domain::calendar::parse_date(s)
            .map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => st.store.today(),
    };
    let s = st.store.plan_stats(plan.id, as_of).await?;
    let late = st.store.late_entries(plan.id, as_of).await?;
    let adjusted = st.store.deadline_adjusted_tasks(plan.id, as_of).await?;
    Ok(Json(
        json!({"plan": plan.title, "as_of": as_of.to_string(), "total": s.total, "immediate": s.immediate, "time_limited": s.time_limited, "long_term": s.long_term, "late_entries": late, "deadline_adjusted": adjusted}),
    ))
}

pub(crate) async fn plan_tasks(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let plan = scoped_plan(&st, &u, id).await?;
    let today = st.store.today();
    let rules = st.store.supervision_rules().await?.lights;
    let items: Vec<Value> = st
        .store
        .tasks(plan.id)
        .await?
        .into_iter()
        .map(|t| {
            let light = duban_domain::rectification::light(&t.facts(), today, &rules);
            json!({"task": t, "light": light})
        })
        .collect();
    Ok(Json(json!({"plan": plan.title, "items": items})))
}

pub(crate) async fn task(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let t = st
        .store
        .task_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger = st.store.ledger(t.id).await?;
    Ok(Json(json!({"task": t, "ledger": ledger})))
}

pub(crate) async fn add_entry(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    #[derive(Deserialize)]
    struct File {
        filename: String,
        content_base64: String,
    }
    #[derive(Deserialize)]
    struct Body {
        kind: String,
        date: String,
        body: String,
        corrects_id: Option<i64>,
        #[serde(default)]
        files: Vec<File>,
        /// why a business date beyond the grace is recorded late (补录)
        #[serde(default)]
        late_reason: String,
    }
    use base64::Engine;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let mut files = Vec::with_capacity(b.files.len());
    for (i, f) in b.files.into_iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.trim())
            .map_err(|_| {
                AppError::BadRequest(format!(
                    "第 {} 个佐证材料（{}）的 content_base64 不是有效的 Base64",
                    i + 1,
                    f.filename
                ))
            })?;
        files.push(duban_store::rectification::Upload {
            filename: f.filename,
            bytes,
        });
    }
    let entry = crate::rectification::submit_entry(
        &st,
        &u.0,
        id,
        &b.kind,
        &b.date,
        &b.body,
        &b.late_reason,
        b.corrects_id,
        files,
    )
    .await?;
    Ok(Json(json!({"id": entry})))
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticesQuery {
    after: Option<String>,
    #[serde(default)]
    level: String,
    #[serde(default)]
    state: String,
    limit: Option<i64>,
}

/// The supervision board's notices as the page shows them: `{items, next}`, newest first.
pub(crate) async fn notices(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<NoticesQuery>,
) -> ApiResult {
    let filter = duban_store::supervision::delivery::NoticeFilter::parse(&q.level, &q.state)?;
    let addressee = super::tasks::board_addressee(&u.0);
    let (items, next) = st
        .store
        .notices_filtered(
            &u.0.scope(),
            addressee,
            &filter,
            q.after.as_deref().filter(|a| !a.is_empty()),
            q.limit.unwrap_or(50).clamp(1, 200),
        )
        .await?;
    Ok(Json(json!({"items": items, "next": next})))
}

/// One notice with its task and answer (opening it is reading it, for its addressee).
pub(crate) async fn notice(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let n = st
        .store
        .notice(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    st.store.notice_read(u.0.staff_id, id).await?;
    Ok(Json(json!({"notice": n, "number": n.number()})))
}

/// The addressee's answer to a notice: `{measures, promised_on}` (the same decision as the page).
pub(crate) async fn answer_notice(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    #[derive(Deserialize)]
    struct Body {
        measures: String,
        promised_on: String,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let day = duban_domain::calendar::parse_date(&b.promised_on)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    st.store
        .answer_notice(&u.0.actor(), id, &b.measures, day)
        .await?;
    let n = st
        .store
        .notice(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({"notice": n})))
}
