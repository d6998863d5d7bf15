//! Interference records (三个规定) in the browser: each staff member files every month (records or
//! a zero report); the discipline group reads the register (audited); others see aggregates.
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::{Ctx, ctx, require};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use duban_domain::access::{Action, allowed};
use duban_domain::records::{IntervenerCategory, Manner, Matter, Month};
use duban_store::records::{Completeness, MyFiling, RecordView};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/records", get(page).post(file))
        .route("/records/register", get(register))
        .route("/records/stats", get(stats))
        .route("/records/flags", get(flags))
        .route("/records/letters", get(letters).post(draft))
        .route("/records/letters/{id}", axum::routing::post(letter_step))
        .route("/records/{id}/files", axum::routing::post(attach))
        .route("/records/{id}/files/{file}", get(download))
}

#[derive(Template)]
#[template(path = "records.html")]
struct RecordsPage {
    ctx: Ctx,
    /// whether the user is a staff member who files
    files: bool,
    /// the previous month, when it is past the reminder day and not filed yet
    owed: Option<String>,
    filings: Vec<MyFiling>,
    /// the user's own records, with attachments
    mine: Vec<RecordView>,
    /// months the user may file for (this month and the two before), newest first
    months: Vec<String>,
    categories: &'static [IntervenerCategory],
    manners: &'static [Manner],
    matters: &'static [Matter],
    month: String,
    completeness: Vec<Completeness>,
    figures: bool,
    details: bool,
    error: Option<String>,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    /// where the register's next page starts
    after: Option<String>,
    month: Option<String>,
    from: Option<String>,
    to: Option<String>,
    filed: Option<String>,
}

/// The discipline group, and the roles the administrator granted (supervision rules).
async fn reads_details(st: &AppState, v: &Viewer) -> Result<bool, AppError> {
    let granted = st.store.supervision_rules().await?.records_detail_roles;
    Ok(duban_domain::records::reads_details(v.user.role, &granted))
}

async fn view(
    st: &AppState,
    v: &Viewer,
    month: Option<&str>,
    error: Option<String>,
    flash: Option<String>,
) -> PageResult {
    let now = Month::of(v.today);
    let month = match month.filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(AppError::BadRequest)?,
        None => now,
    };
    let figures = allowed(v.user.role, Action::ReadRecordFigures);
    let mut months = vec![now];
    for _ in 0..2 {
        let last = *months.last().unwrap_or(&now);
        months.push(last.previous());
    }
    let (filings, mine) = match v.user.staff_id {
        Some(s) => (st.store.my_filings(s).await?, st.store.my_records(s).await?),
        None => (vec![], vec![]),
    };
    let previous = months.get(1).map(Month::to_string).unwrap_or_default();
    use chrono::Datelike;
    let remind_from = st.store.supervision_rules().await?.records_remind_day;
    let owed = (v.user.staff_id.is_some()
        && st.store.today().day() >= remind_from
        && !filings.iter().any(|f| f.month == previous))
    .then_some(previous);
    let page = RecordsPage {
        ctx: ctx(v, "/records"),
        files: v.user.staff_id.is_some(),
        owed,
        filings,
        mine,
        months: months.iter().map(Month::to_string).collect(),
        categories: IntervenerCategory::ALL,
        manners: Manner::ALL,
        matters: Matter::ALL,
        month: month.to_string(),
        completeness: if figures {
            st.store.completeness(&v.user.scope(), month).await?
        } else {
            vec![]
        },
        figures,
        details: reads_details(st, v).await?,
        error: error.clone(),
        flash,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn page(State(st): State<AppState>, v: Viewer, Query(q): Query<MonthQuery>) -> PageResult {
    let flash = q
        .filed
        .is_some()
        .then(|| v.t.s("records.filed").to_string());
    view(&st, &v, q.month.as_deref(), None, flash).await
}

#[derive(Deserialize)]
struct FileForm {
    #[serde(default)]
    month: String,
    /// "zero" for a zero report, "record" for a record
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    intervener_name: String,
    #[serde(default)]
    intervener_unit: String,
    #[serde(default)]
    intervener_post: String,
    #[serde(default)]
    intervener_category: String,
    #[serde(default)]
    is_procuratorate_staff: String,
    #[serde(default)]
    manner: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    case_ref: String,
    #[serde(default)]
    content: String,
}

/// A staff member files for a month: a zero report or one record.
async fn file(State(st): State<AppState>, v: Viewer, Form(f): Form<FileForm>) -> PageResult {
    let Some(staff) = v.user.staff_id else {
        return Err(AppError::Forbidden);
    };
    let r: Result<(), AppError> = async {
        let month = Month::parse(&f.month).map_err(AppError::BadRequest)?;
        let one_line = |s: &str| s.replace(['\r', '\n'], " ");
        let fields;
        let record = if f.kind == "zero" {
            None
        } else {
            fields = [
                f.occurred_on.clone(),
                one_line(&f.intervener_name),
                one_line(&f.intervener_unit),
                one_line(&f.intervener_post),
                f.intervener_category.clone(),
                f.is_procuratorate_staff.clone(),
                f.manner.clone(),
                f.scope.clone(),
                one_line(&f.case_ref),
                one_line(&f.content),
            ];
            Some(&fields)
        };
        Ok(st
            .store
            .file_record(&v.user.actor(), staff, month, record)
            .await?)
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/records?filed=1").into_response()),
        Err(AppError::BadRequest(m)) => view(&st, &v, None, Some(m), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "records_register.html")]
struct RegisterPage {
    ctx: Ctx,
    from: String,
    to: String,
    records: Vec<RecordView>,
    /// the register's first page and the next one, with the same period
    first: Option<String>,
    next: Option<String>,
}

/// Records on one page of the register.
const REGISTER_PAGE: i64 = 100;

/// The register of records in scope, for the discipline group (each view audited).
async fn register(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    if !reads_details(&st, &v).await? {
        return Err(AppError::Forbidden);
    }
    let (from, to) = period(q.from.as_deref(), q.to.as_deref(), st.store.today())?;
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let (records, next) = st
        .store
        .record_register(
            &v.user.actor(),
            &v.user.scope(),
            from,
            to,
            after,
            REGISTER_PAGE,
        )
        .await?;
    let page = RegisterPage {
        ctx: ctx(&v, "/records"),
        from: from.to_string(),
        to: to.to_string(),
        records,
        first: after.map(|_| {
            crate::kit::link(
                "/records/register",
                &[("from", from.to_string()), ("to", to.to_string())],
            )
        }),
        next: next.map(|a| {
            crate::kit::link(
                "/records/register",
                &[
                    ("from", from.to_string()),
                    ("to", to.to_string()),
                    ("after", a),
                ],
            )
        }),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "records_stats.html")]
struct StatsPage {
    ctx: Ctx,
    from: String,
    to: String,
    /// quick periods: (label, from, to)
    periods: Vec<(String, String, String)>,
    stats: duban_store::records::RecordStats,
    /// bar charts by category, manner, matter and level
    charts: Vec<String>,
    details: bool,
}

impl StatsPage {
    /// A count as shown: counts of 1 to 4 are not shown to those without the right to details.
    fn cell(&self, n: &u64) -> String {
        if !self.details && (1..5).contains(n) {
            "<5".into()
        } else {
            n.to_string()
        }
    }
}

/// Monthly, quarterly or yearly statistics (通报) by category, manner, matter and level, with
/// charts; aggregates only.
async fn stats(State(st): State<AppState>, v: Viewer, Query(q): Query<MonthQuery>) -> PageResult {
    require(&v, Action::ReadRecordFigures)?;
    let (from, to) = period(q.from.as_deref(), q.to.as_deref(), st.store.today())?;
    let stats = st.store.record_stats(&v.user.scope(), from, to).await?;
    let details = reads_details(&st, &v).await?;
    let t = v.t;
    let shown = |n: u64| {
        if !details && (1..5).contains(&n) {
            0
        } else {
            n as usize
        }
    };
    let chart = |title: &str, rows: &[(String, u64)]| {
        duban_publish::chart::stacked_bars(
            title,
            &rows
                .iter()
                .map(|(label, n)| duban_publish::chart::Bar {
                    label,
                    segments: vec![(shown(*n), "#0969da", t.s("records.n_records"))],
                })
                .collect::<Vec<_>>(),
        )
    };
    let levels: Vec<(String, u64)> = stats
        .by_level
        .iter()
        .map(|(l, n)| (t.level(l).to_string(), *n))
        .collect();
    let charts = vec![
        chart(t.s("records.category"), &stats.by_category),
        chart(t.s("records.manner"), &stats.by_manner),
        chart(t.s("records.matter"), &stats.by_matter),
        chart(t.s("records.by_level"), &levels),
    ];
    let y = to.year;
    let m = |mm: u32| Month { year: y, month: mm }.to_string();
    let mut periods = vec![(format!("{y} 年"), m(1), m(12))];
    for (i, (a, b)) in [(1, 3), (4, 6), (7, 9), (10, 12)].iter().enumerate() {
        periods.push((format!("{y} 年第 {} 季度", i + 1), m(*a), m(*b)));
    }
    periods.push((format!("{to}"), to.to_string(), to.to_string()));
    let page = StatsPage {
        ctx: ctx(&v, "/records"),
        from: from.to_string(),
        to: to.to_string(),
        periods,
        stats,
        charts,
        details,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
struct FlagQuery {
    from: Option<String>,
    to: Option<String>,
    level: Option<String>,
}

/// A period of months from the query: `to` defaults to this month, `from` to January of its year.
fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<(Month, Month), AppError> {
    let month = |raw: Option<&str>, default: Month| match raw.filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(AppError::BadRequest),
        None => Ok(default),
    };
    let to = month(to, Month::of(today))?;
    let from = month(
        from,
        Month {
            year: to.year,
            month: 1,
        },
    )?;
    if to < from {
        return Err(AppError::BadRequest("结束月份不能早于开始月份".into()));
    }
    Ok((from, to))
}

async fn scoped_flags(
    st: &AppState,
    v: &Viewer,
    from: Month,
    to: Month,
    level: Option<i64>,
) -> Result<Vec<duban_domain::records::Flag>, AppError> {
    let all = st
        .store
        .flag_records(
            from,
            to,
            level,
            &st.store.supervision_rules().await?.records_flags,
        )
        .await?;
    Ok(st.store.flags_in_scope(&v.user.scope(), all).await?)
}

#[derive(Template)]
#[template(path = "records_flags.html")]
struct FlagsPage {
    ctx: Ctx,
    from: String,
    to: String,
    level: String,
    flags: Vec<duban_domain::records::Flag>,
    can_issue: bool,
}

/// Units (and SPP departments) in scope whose reports look too few, with reasons and figures.
async fn flags(State(st): State<AppState>, v: Viewer, Query(q): Query<FlagQuery>) -> PageResult {
    require(&v, Action::ReadRecordFigures)?;
    let (from, to) = period(q.from.as_deref(), q.to.as_deref(), st.store.today())?;
    let level = q.level.as_deref().and_then(|l| l.parse::<i64>().ok());
    let page = FlagsPage {
        ctx: ctx(&v, "/records"),
        from: from.to_string(),
        to: to.to_string(),
        level: level.map(|l| l.to_string()).unwrap_or_default(),
        flags: scoped_flags(&st, &v, from, to, level).await?,
        can_issue: allowed(v.user.role, Action::IssueRecordLetters),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
struct DraftForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Drafts a supervision letter for a flagged unit, from its figures.
async fn draft(State(st): State<AppState>, v: Viewer, Form(f): Form<DraftForm>) -> PageResult {
    let (from, to) = period(Some(&f.from), Some(&f.to), st.store.today())?;
    let flag = scoped_flags(&st, &v, from, to, None)
        .await?
        .into_iter()
        .find(|x| x.unit_code == f.code)
        .ok_or(AppError::NotFound)?;
    st.store
        .draft_supervision_letter(&v.user.actor(), &v.user.scope(), &flag, from, to)
        .await?;
    Ok(Redirect::to("/records/letters").into_response())
}

#[derive(Template)]
#[template(path = "records_letters.html")]
struct LettersPage {
    ctx: Ctx,
    letters: Vec<duban_store::records::SupervisionLetter>,
    can_issue: bool,
    today: String,
    error: Option<String>,
}

async fn letters_view(st: &AppState, v: &Viewer, error: Option<String>) -> PageResult {
    require(v, Action::ReadRecordFigures)?;
    let page = LettersPage {
        ctx: ctx(v, "/records"),
        letters: st.store.supervision_letters(&v.user.scope()).await?,
        can_issue: allowed(v.user.role, Action::IssueRecordLetters),
        today: st.store.today().to_string(),
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Supervision letters (督促函) to units in scope and where each stands.
async fn letters(State(st): State<AppState>, v: Viewer) -> PageResult {
    letters_view(&st, &v, None).await
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    text: String,
}

/// Edits, issues, or records the answer to a supervision letter.
async fn letter_step(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(f): Form<StepForm>,
) -> PageResult {
    match st
        .store
        .supervision_letter_step(&v.user.actor(), &v.user.scope(), id, &f.step, &f.text)
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to("/records/letters").into_response()),
        Err(AppError::BadRequest(m)) => letters_view(&st, &v, Some(m)).await,
        Err(e) => Err(e),
    }
}

/// The reporter attaches a file to one of their records (multipart; CSRF in the query string).
async fn attach(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> PageResult {
    let Some(staff) = v.user.staff_id else {
        return Err(AppError::Forbidden);
    };
    let r: Result<i64, AppError> = async {
        let (filename, bytes) = crate::kit::upload(mp).await?;
        let upload = duban_store::rectification::Upload { filename, bytes };
        Ok(st
            .store
            .attach_record_file(&v.user.actor(), staff, id, &upload)
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/records?filed=1#my-records").into_response()),
        Err(AppError::BadRequest(m)) => view(&st, &v, None, Some(m), None).await,
        Err(e) => Err(e),
    }
}

/// An attachment, for the reporter and the readers of details over the record's unit (audited).
async fn download(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> PageResult {
    let scope = v.user.scope();
    let details = reads_details(&st, &v).await?.then_some(&scope);
    let (name, content_type, bytes) = st
        .store
        .record_file(&v.user.actor(), v.user.staff_id, details, id, file)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::kit::download(&name, content_type, bytes))
}
