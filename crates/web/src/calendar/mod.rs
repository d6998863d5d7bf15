//! The statutory work calendar and the deadline calculator.
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use duban_domain::access::{Action, allowed};
use duban_domain::calendar::{Counting, DayKind, Period, parse_date};
use duban_domain::import::CellError;
use duban_domain::text;
use serde::Deserialize;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar))
        .route("/calendar/days", post(set_day))
        .route(
            "/calendar/import",
            post(import_calendar).layer(DefaultBodyLimit::max(upload_limit)),
        )
}

// ---- calendar ----

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    year: i32,
    years: Vec<(i64, String)>,
    days: Vec<duban_store::calendar::SpecialDay>,
    can_edit: bool,
    start: String,
    days_n: String,
    months: String,
    counting: String,
    result: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct DeadlineQuery {
    pub year: Option<i32>,
    pub start: Option<String>,
    pub days: Option<String>,
    pub months: Option<String>,
    pub counting: Option<String>,
}

/// Parses a deadline question; `None` when no start date was given.
pub fn deadline_request(
    q: &DeadlineQuery,
) -> Result<Option<(chrono::NaiveDate, Period, Counting)>, AppError> {
    let Some(start) = q.start.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let start = parse_date(start).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let num = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u32>()
                    .map_err(|_| AppError::BadRequest(format!("期限须为正整数：{s}")))
            })
    };
    let period = match (num(&q.days).transpose()?, num(&q.months).transpose()?) {
        (Some(d), None) => Period::Days(d),
        (None, Some(m)) => Period::Months(m),
        _ => return Err(AppError::BadRequest("请填写天数或月数（二者选一）".into())),
    };
    let counting = match q.counting.as_deref() {
        None | Some("") => Counting::Calendar,
        Some(c) => Counting::parse(c)
            .ok_or_else(|| AppError::BadRequest("计算方式须为 calendar 或 working".into()))?,
    };
    Ok(Some((start, period, counting)))
}

async fn calendar(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<DeadlineQuery>,
) -> PageResult {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&v.today))
        .clamp(1900, 2200);
    let (result, error) = match deadline_request(&q) {
        Ok(Some((start, period, counting))) => match st
            .store
            .work_calendar()
            .await?
            .deadline(start, period, counting)
        {
            Ok(d) => (Some(d.to_string()), None),
            Err(e) => (None, Some(e.to_string())),
        },
        Ok(None) => (None, None),
        Err(AppError::BadRequest(m)) => (None, Some(m)),
        Err(e) => return Err(e),
    };
    html(CalendarPage {
        ctx: ctx(&v, "/calendar"),
        year,
        years: st.store.calendar_years().await?,
        days: st.store.calendar_days(year).await?,
        can_edit: allowed(v.user.role, Action::EditCalendar) && v.user.scope().is_national(),
        start: q.start.clone().unwrap_or_default(),
        days_n: q.days.clone().unwrap_or_default(),
        months: q.months.clone().unwrap_or_default(),
        counting: q.counting.clone().unwrap_or_else(|| "calendar".into()),
        result,
        error,
    })
}

#[derive(Deserialize)]
struct DayForm {
    day: String,
    kind: String,
    #[serde(default)]
    name: String,
}

async fn set_day(State(st): State<AppState>, v: Viewer, Form(f): Form<DayForm>) -> PageResult {
    let day = parse_date(&f.day).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let kind = match f.kind.as_str() {
        "clear" => None,
        k => Some(
            DayKind::parse(k)
                .ok_or_else(|| AppError::BadRequest("类型须为 holiday、workday 或 clear".into()))?,
        ),
    };
    let name =
        text::optional(&f.name, 20).map_err(|e| AppError::BadRequest(format!("节日名称{e}")))?;
    st.store
        .set_calendar_days(&v.user.actor(), &[(day, kind, name)], "admin")
        .await?;
    Ok(Redirect::to(&format!("/calendar?year={}", chrono::Datelike::year(&day))).into_response())
}

/// Validates a holiday-schedule table (date, kind, name), reporting every bad cell.
pub fn calendar_rows(
    table: &[Vec<String>],
) -> Result<Vec<(chrono::NaiveDate, Option<DayKind>, String)>, AppError> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let header: Vec<String> = table
        .first()
        .map(|h| {
            h.iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    if header.first().map(String::as_str) != Some("date")
        || header.get(1).map(String::as_str) != Some("kind")
    {
        return Err(AppError::Import(vec![CellError {
            row: 1,
            column: "-".into(),
            message: "表头须为 date, kind, name".into(),
        }]));
    }
    for (i, r) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        let cell = |j: usize| r.get(j).map(String::as_str).unwrap_or("");
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let d = parse_date(cell(0))
            .map_err(|e| {
                errors.push(CellError {
                    row,
                    column: "date".into(),
                    message: e.to_string(),
                })
            })
            .ok();
        let k = DayKind::parse(cell(1));
        if k.is_none() {
            errors.push(CellError {
                row,
                column: "kind".into(),
                message: "须为 holiday 或 workday".into(),
            });
        }
        let name = text::optional(cell(2), 20)
            .map_err(|e| {
                errors.push(CellError {
                    row,
                    column: "name".into(),
                    message: e.to_string(),
                })
            })
            .ok();
        if let (Some(d), Some(k), Some(name)) = (d, k, name) {
            rows.push((d, Some(k), name));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Import(errors))
    }
}

async fn import_calendar(State(st): State<AppState>, v: Viewer, mp: Multipart) -> PageResult {
    // the right before the parsing (the store decides the write itself)
    duban_domain::access::decide(Some(v.user.role), Action::EditCalendar)?;
    let (name, bytes) = upload(mp).await?;
    let table = crate::uploads::parse_table(name, bytes.to_vec())
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let rows = calendar_rows(&table)?;
    let year = rows
        .first()
        .map(|r| chrono::Datelike::year(&r.0))
        .unwrap_or(2026);
    st.store
        .set_calendar_days(&v.user.actor(), &rows, "import")
        .await?;
    Ok(Redirect::to(&format!("/calendar?year={year}")).into_response())
}
