//! Less paperwork (纠治形式主义) in the browser: the registry with its change on the year before,
//! and the data-request gate.
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::{Ctx, ctx, require};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use duban_domain::access::{Action, allowed};
use duban_domain::paperwork::{Kind, Metric};
use duban_store::paperwork::{DataRequest, Entry, KindCount};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/paperwork", get(page).post(add))
        .route("/paperwork/requests", axum::routing::post(request))
}

#[derive(Template)]
#[template(path = "paperwork.html")]
struct PaperworkPage {
    ctx: Ctx,
    from: String,
    to: String,
    counts: Vec<KindCount>,
    entries: Vec<Entry>,
    requests: Vec<DataRequest>,
    kinds: &'static [Kind],
    metrics: [Metric; 8],
    can_edit: bool,
    error: Option<String>,
    /// the live figure a refused request points to
    live: Option<&'static str>,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    done: Option<String>,
}

async fn view(
    st: &AppState,
    v: &Viewer,
    q: &PeriodQuery,
    error: Option<String>,
    live: Option<&'static str>,
) -> PageResult {
    require(v, Action::ReadQuality)?;
    let scope = v.user.scope();
    let unit = st
        .store
        .unit(v.user.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let date = crate::kit::optional_date;
    // by default from January to the end of the month of the latest entry
    let to = match date(q.to.as_deref())? {
        Some(d) => d,
        None => {
            let last = st
                .store
                .latest_paperwork(&scope)
                .await?
                .unwrap_or_else(|| st.store.today());
            let next = if last.month() == 12 {
                NaiveDate::from_ymd_opt(last.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(last.year(), last.month() + 1, 1)
            };
            next.map_or(last, |n| n - chrono::Duration::days(1))
        }
    };
    let from = date(q.from.as_deref())?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if to < from {
        return Err(AppError::BadRequest(format!(
            "截止日期 {to} 早于起始日期 {from}"
        )));
    }
    let page = PaperworkPage {
        ctx: ctx(v, "/paperwork"),
        from: from.to_string(),
        to: to.to_string(),
        counts: st
            .store
            .paperwork_counts(&unit, v.user.subtree, from, to)
            .await?,
        entries: st.store.paperwork(&scope, from, to).await?,
        requests: st.store.data_requests(&scope).await?,
        kinds: Kind::ALL,
        metrics: Metric::ALL,
        can_edit: allowed(v.user.role, Action::ManagePaperwork),
        error: error.clone(),
        live,
        flash: q
            .done
            .as_ref()
            .map(|_| v.t.s("paperwork.saved").to_string()),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn page(State(st): State<AppState>, v: Viewer, Query(q): Query<PeriodQuery>) -> PageResult {
    view(&st, &v, &q, None, None).await
}

#[derive(Deserialize)]
struct EntryForm {
    kind: String,
    held_on: String,
    title: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    organiser: String,
}

/// Registers an entry at the user's own unit.
async fn add(State(st): State<AppState>, v: Viewer, Form(f): Form<EntryForm>) -> PageResult {
    let r: Result<(), AppError> = async {
        let kind = Kind::parse(&f.kind)
            .ok_or_else(|| AppError::BadRequest(format!("未知的登记类型“{}”", f.kind)))?;
        let on = duban_domain::calendar::parse_date(&f.held_on)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let unit = st
            .store
            .unit(v.user.unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        st.store
            .add_paperwork(
                &v.user.actor(),
                &v.user.scope(),
                &unit,
                kind,
                on,
                &f.title,
                &f.number,
                &f.organiser,
            )
            .await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/paperwork?done=1").into_response()),
        Err(AppError::BadRequest(m)) => view(&st, &v, &PeriodQuery::default(), Some(m), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RequestForm {
    title: String,
    metric: String,
    #[serde(default)]
    detail: String,
}

/// A request for figures to lower units: through the gate.
async fn request(State(st): State<AppState>, v: Viewer, Form(f): Form<RequestForm>) -> PageResult {
    let Some(metric) = Metric::parse(&f.metric) else {
        return view(
            &st,
            &v,
            &PeriodQuery::default(),
            Some("请选择所需数据".into()),
            None,
        )
        .await;
    };
    match st
        .store
        .request_data(&v.user.actor(), v.user.unit_id, &f.title, metric, &f.detail)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/paperwork?done=1#requests").into_response()),
        Err(AppError::BadRequest(m)) => {
            view(&st, &v, &PeriodQuery::default(), Some(m), metric.live()).await
        }
        Err(e) => Err(e),
    }
}
