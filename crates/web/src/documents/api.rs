//! Bulletins and documents through the API.
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::kit::ApiResult;
use crate::kit::require_api;
use axum::Json;
use axum::extract::{Path, Query, State};
use duban_domain::access::Action;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(crate) struct BulletinQuery {
    as_of: String,
}

pub(crate) async fn plan_bulletin(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<BulletinQuery>,
) -> ApiResult {
    require_api(&u, Action::ReadDocuments)?;
    let plan = crate::rectification::api::scoped_plan(&st, &u, id).await?;
    let as_of = duban_domain::calendar::parse_date(&q.as_of)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let row = st
        .store
        .transient_document(duban_domain::documents::Kind::Bulletin, &[plan], as_of)
        .await?;
    let doc = st
        .store
        .compose_document(&row, &duban_publish::official::Official)
        .await?;
    Ok(Json(
        json!({"document": doc, "generated": doc.generated(), "text": duban_publish::official::text(&doc)}),
    ))
}

pub(crate) async fn documents(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    require_api(&u, Action::ReadDocuments)?;
    let items = st.store.documents(&u.0.scope(), Some(u.0.role)).await?;
    Ok(Json(json!({"items": items})))
}

pub(crate) async fn document(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    require_api(&u, Action::ReadDocuments)?;
    let scope = u.0.scope();
    let row = st
        .store
        .document(&scope, Some(u.0.role), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = if row.published {
        st.store
            .published_document(id, Some((&scope, Some(u.0.role))))
            .await?
            .map(|(_, d)| d)
    } else {
        Some(
            st.store
                .compose_document(&row, &duban_publish::official::Official)
                .await?,
        )
    };
    Ok(Json(json!({"meta": row, "document": doc})))
}

/// Sign-off (签发) of a draft by a leader of the issuing unit: `{opinion?}`.
pub(crate) async fn sign_document(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(default)]
        opinion: String,
    }
    let b: Body = if body.is_empty() {
        Body::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?
    };
    st.store.sign_document(&u.0.actor(), id, &b.opinion).await?;
    let row = st
        .store
        .document(&u.0.scope(), Some(u.0.role), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!({"meta": row})))
}
