//! The discipline group's desk in the browser and the API: the overview (figures, open clues,
//! registering a clue), a clue with its history and steps, monthly reviews with their agenda,
//! look-backs and the violations register. The store answers "not found" to anyone outside the
//! discipline line, so every page and route here answers 404 to them, as for a missing id.
use crate::AppState;
use crate::auth::{ApiUser, Form, Viewer};
use crate::error::AppError;
use crate::kit::{ApiResult, Ctx, PageResult, ctx};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use duban_domain::discipline::{
    ClueSource, ClueStep, Disposal, Outcome, TalkKind, Verdict, ViolationKind,
};
use duban_store::discipline::*;
use serde::Deserialize;
use serde_json::json;

mod recommendations;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(recommendations::routes())
        .route("/discipline", get(overview))
        .route("/discipline/clues", post(add_clue))
        .route("/discipline/clues/{id}", get(clue))
        .route("/discipline/clues/{id}/steps", post(step))
        .route("/discipline/reviews", get(reviews).post(add_review))
        .route("/discipline/reviews/{id}", get(review))
        .route("/discipline/lookbacks", get(lookbacks).post(add_lookback))
        .route("/discipline/lookbacks/{id}", get(lookback))
        .route("/discipline/lookbacks/{id}/clues/{clue}", post(assess))
        .route(
            "/discipline/violations",
            get(violations).post(add_violation),
        )
        .route("/discipline/talks", get(talks).post(add_talk))
        .route("/discipline/clues/{id}/files", post(attach))
        .route("/discipline/clues/{id}/files/{file}", get(clue_file))
        .route(
            "/discipline/people/{id}",
            get(person).post(add_personal_report),
        )
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

fn day(raw: &str) -> Result<NaiveDate, AppError> {
    duban_domain::calendar::parse_date(raw).map_err(|e| bad(e.to_string()))
}

#[derive(Template)]
#[template(path = "discipline.html")]
struct OverviewPage {
    ctx: Ctx,
    year: i32,
    figures: duban_domain::discipline::ClueFigures,
    clues: Vec<ClueSummary>,
    next: Option<String>,
    later: bool,
    sources: &'static [ClueSource],
    today: String,
    error: Option<String>,
    form: ClueForm,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    after: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct ClueForm {
    #[serde(default)]
    clue_no: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    subject_staff_no: String,
    #[serde(default)]
    subject_name: String,
    #[serde(default)]
    subject_post: String,
    #[serde(default)]
    summary: String,
}

async fn overview_view(
    st: &AppState,
    v: &Viewer,
    after: Option<&str>,
    error: Option<String>,
    form: ClueForm,
) -> PageResult {
    let actor = v.user.actor();
    let (clues, next) = st
        .store
        .clues_page(&actor, &v.user.scope(), true, after, 50)
        .await?;
    let today = st.store.today();
    let unit = st
        .store
        .unit(v.user.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let figures = st
        .store
        .clue_figures(&actor, &unit, v.user.subtree, (first, today, today))
        .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = OverviewPage {
        ctx: ctx(v, "/discipline"),
        year: today.year(),
        figures,
        clues,
        next: next.map(|n| {
            format!(
                "/discipline?{}",
                serde_urlencoded::to_string([("after", n)]).unwrap_or_default()
            )
        }),
        later: after.is_some(),
        sources: ClueSource::ALL,
        today: today.to_string(),
        error,
        form,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn overview(State(st): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> PageResult {
    overview_view(&st, &v, q.after.as_deref(), None, ClueForm::default()).await
}

async fn add_clue(State(st): State<AppState>, v: Viewer, Form(f): Form<ClueForm>) -> PageResult {
    let r: Result<i64, AppError> = async {
        let c = NewClue {
            clue_no: f.clue_no.clone(),
            received_on: day(&f.received_on)?,
            source: ClueSource::parse(&f.source).ok_or_else(|| bad("请选择线索来源"))?,
            subject_staff_no: f.subject_staff_no.clone(),
            subject_name: f.subject_name.clone(),
            subject_post: f.subject_post.clone(),
            summary: f.summary.replace("\r\n", "\n"),
        };
        Ok(st
            .store
            .add_clue(&v.user.actor(), &v.user.scope(), &c)
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(id) => Ok(Redirect::to(&format!("/discipline/clues/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => overview_view(&st, &v, None, Some(m), f).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "discipline_clue.html")]
struct CluePage {
    ctx: Ctx,
    clue: ClueDetail,
    disposals: &'static [Disposal],
    outcomes: &'static [Outcome],
    today: String,
    error: Option<String>,
}

async fn clue_view(st: &AppState, v: &Viewer, id: i64, error: Option<String>) -> PageResult {
    let clue = st.store.clue(&v.user.actor(), &v.user.scope(), id).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CluePage {
        ctx: ctx(v, "/discipline"),
        clue,
        disposals: Disposal::ALL,
        outcomes: Outcome::ALL,
        today: st.store.today().to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn clue(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    clue_view(&st, &v, id, None).await
}

#[derive(Deserialize)]
struct StepForm {
    /// "dispose" or "conclude"
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
    /// a decision of this monthly review (the page returns there)
    review: Option<i64>,
}

async fn step(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let r: Result<(), AppError> = async {
        let step = match f.action.as_str() {
            "dispose" => {
                ClueStep::Dispose(Disposal::parse(&f.code).ok_or_else(|| bad("请选择处置方式"))?)
            }
            "conclude" => {
                ClueStep::Conclude(Outcome::parse(&f.code).ok_or_else(|| bad("请选择处理结果"))?)
            }
            _ => return Err(bad("请选择处置或办结")),
        };
        Ok(st
            .store
            .clue_step(
                &v.user.actor(),
                &v.user.scope(),
                id,
                step,
                day(&f.on)?,
                &f.note,
                f.review,
            )
            .await?)
    }
    .await;
    match (r.map_err(|e| e.localized(v.t)), f.review) {
        (Ok(()), Some(review)) => {
            Ok(Redirect::to(&format!("/discipline/reviews/{review}")).into_response())
        }
        (Ok(()), None) => Ok(Redirect::to(&format!("/discipline/clues/{id}")).into_response()),
        (Err(AppError::BadRequest(m)), _) => clue_view(&st, &v, id, Some(m)).await,
        (Err(e), _) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "discipline_reviews.html")]
struct ReviewsPage {
    ctx: Ctx,
    reviews: Vec<Review>,
    /// the review opened: its agenda's sections (title key, clues) and its decisions
    open: Option<(
        Review,
        Vec<(&'static str, Vec<ClueSummary>)>,
        Vec<(String, String, String)>,
    )>,
    disposals: &'static [Disposal],
    month: String,
    today: String,
    error: Option<String>,
}

async fn reviews_view(
    st: &AppState,
    v: &Viewer,
    open: Option<i64>,
    error: Option<String>,
) -> PageResult {
    let (actor, scope) = (v.user.actor(), v.user.scope());
    let reviews = st.store.reviews(&actor, &scope).await?;
    let open = match open {
        Some(id) => {
            let (r, a) = st.store.review(&actor, &scope, id).await?;
            let sections = vec![
                ("desk.agenda_received", a.received),
                ("desk.agenda_undisposed", a.undisposed),
                ("desk.agenda_due", a.due),
                ("desk.agenda_overdue", a.overdue),
            ];
            Some((r, sections, a.decisions))
        }
        None => None,
    };
    let today = st.store.today();
    let page = ReviewsPage {
        ctx: ctx(v, "/discipline"),
        reviews,
        open,
        disposals: Disposal::ALL,
        month: duban_domain::records::Month::of(today).to_string(),
        today: today.to_string(),
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn reviews(State(st): State<AppState>, v: Viewer) -> PageResult {
    reviews_view(&st, &v, None, None).await
}

async fn review(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    reviews_view(&st, &v, Some(id), None).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    notes: String,
}

async fn add_review(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        Ok(st
            .store
            .create_review(
                &v.user.actor(),
                &v.user.scope(),
                &f.month,
                day(&f.held_on)?,
                &f.notes,
            )
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(id) => Ok(Redirect::to(&format!("/discipline/reviews/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => reviews_view(&st, &v, None, Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "discipline_lookbacks.html")]
struct LookbacksPage {
    ctx: Ctx,
    lookbacks: Vec<Lookback>,
    open: Option<(Lookback, Vec<LookbackItem>)>,
    verdicts: &'static [Verdict],
    error: Option<String>,
}

async fn lookbacks_view(
    st: &AppState,
    v: &Viewer,
    open: Option<i64>,
    error: Option<String>,
) -> PageResult {
    let (actor, scope) = (v.user.actor(), v.user.scope());
    let lookbacks = st.store.lookbacks(&actor, &scope).await?;
    let open = match open {
        Some(id) => Some(st.store.lookback(&actor, &scope, id).await?),
        None => None,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = LookbacksPage {
        ctx: ctx(v, "/discipline"),
        lookbacks,
        open,
        verdicts: Verdict::ALL,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn lookbacks(State(st): State<AppState>, v: Viewer) -> PageResult {
    lookbacks_view(&st, &v, None, None).await
}

async fn lookback(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    lookbacks_view(&st, &v, Some(id), None).await
}

#[derive(Deserialize)]
struct LookbackForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn add_lookback(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<LookbackForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        Ok(st
            .store
            .create_lookback(
                &v.user.actor(),
                &v.user.scope(),
                &f.title,
                day(&f.from)?,
                day(&f.to)?,
            )
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(id) => Ok(Redirect::to(&format!("/discipline/lookbacks/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => lookbacks_view(&st, &v, None, Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct AssessForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    note: String,
}

async fn assess(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, clue)): Path<(i64, i64)>,
    Form(f): Form<AssessForm>,
) -> PageResult {
    let r: Result<(), AppError> = async {
        let verdict = Verdict::parse(&f.verdict).ok_or_else(|| bad("请选择研判结论"))?;
        Ok(st
            .store
            .assess_clue(&v.user.actor(), &v.user.scope(), id, clue, verdict, &f.note)
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => {
            Ok(Redirect::to(&format!("/discipline/lookbacks/{id}#clue-{clue}")).into_response())
        }
        Err(AppError::BadRequest(m)) => lookbacks_view(&st, &v, Some(id), Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "discipline_violations.html")]
struct ViolationsPage {
    ctx: Ctx,
    rows: Vec<Violation>,
    figures: ViolationFigures,
    year: i32,
    kinds: &'static [ViolationKind],
    outcomes: &'static [Outcome],
    units: Vec<duban_store::org::Unit>,
    today: String,
    error: Option<String>,
}

async fn violations_view(st: &AppState, v: &Viewer, error: Option<String>) -> PageResult {
    let (actor, scope) = (v.user.actor(), v.user.scope());
    let rows = st.store.violations(&actor, &scope).await?;
    let today = st.store.today();
    let unit = st
        .store
        .unit(v.user.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let figures = st
        .store
        .violation_figures(&actor, &unit, v.user.subtree, first, today)
        .await?;
    let mut units = vec![unit];
    if v.user.subtree {
        units.extend(st.store.children(v.user.unit_id).await?);
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ViolationsPage {
        ctx: ctx(v, "/discipline"),
        rows,
        figures,
        year: today.year(),
        kinds: ViolationKind::ALL,
        outcomes: Outcome::ALL,
        units,
        today: today.to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn violations(State(st): State<AppState>, v: Viewer) -> PageResult {
    violations_view(&st, &v, None).await
}

#[derive(Deserialize)]
struct ViolationForm {
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    outcome: String,
}

async fn add_violation(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ViolationForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        let nv = NewViolation {
            staff_no: f.staff_no.clone(),
            name: f.name.clone(),
            unit_id: f.unit.trim().parse().map_err(|_| bad("请选择单位"))?,
            post: f.post.chars().take(50).collect(),
            kind: ViolationKind::parse(&f.kind).ok_or_else(|| bad("请选择违纪违法类别"))?,
            filed_on: day(&f.filed_on)?,
            outcome: Outcome::parse(&f.outcome),
        };
        Ok(st
            .store
            .add_violation(&v.user.actor(), &v.user.scope(), &nv)
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(_) => Ok(Redirect::to("/discipline/violations").into_response()),
        Err(AppError::BadRequest(m)) => violations_view(&st, &v, Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ApiListQuery {
    #[serde(default)]
    open: bool,
    after: Option<String>,
    limit: Option<i64>,
}

pub(crate) async fn api_clues(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<ApiListQuery>,
) -> ApiResult {
    let (items, next) = st
        .store
        .clues_page(
            &u.0.actor(),
            &u.0.scope(),
            q.open,
            q.after.as_deref(),
            q.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    Ok(Json(json!({"items": items, "next": next})))
}

pub(crate) async fn api_clue(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let c = st.store.clue(&u.0.actor(), &u.0.scope(), id).await?;
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
pub(crate) struct FiguresQuery {
    from: String,
    to: String,
    as_of: String,
    #[serde(default)]
    subtree: bool,
}

pub(crate) async fn api_figures(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<FiguresQuery>,
) -> ApiResult {
    let actor = u.0.actor();
    // the desk first: to anyone else even a bad date is "not found"
    st.store.reviews(&actor, &u.0.scope()).await?;
    let unit = st
        .store
        .unit(u.0.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = st
        .store
        .clue_figures(
            &actor,
            &unit,
            q.subtree && u.0.subtree,
            (day(&q.from)?, day(&q.to)?, day(&q.as_of)?),
        )
        .await?;
    Ok(Json(json!(f)))
}

#[derive(Template)]
#[template(path = "discipline_talks.html")]
struct TalksPage {
    ctx: Ctx,
    plan: TalkPlan,
    remaining: Vec<TalkPerson>,
    talked: Vec<TalkPerson>,
    kinds: &'static [TalkKind],
    today: String,
    error: Option<String>,
}

impl TalksPage {
    fn coverage(&self) -> String {
        if self.plan.staff == 0 {
            return "—".into();
        }
        format!(
            "{:.1}%",
            self.plan.talked as f64 * 100.0 / self.plan.staff as f64
        )
    }
}

#[derive(Deserialize, Default)]
struct TalksQuery {
    year: Option<i32>,
}

async fn talks_view(
    st: &AppState,
    v: &Viewer,
    year: Option<i32>,
    error: Option<String>,
) -> PageResult {
    let (actor, scope) = (v.user.actor(), v.user.scope());
    let today = st.store.today();
    let plan = st
        .store
        .talk_plan(
            &actor,
            &scope,
            year.unwrap_or(today.year()).clamp(2000, 2100),
        )
        .await?;
    let remaining = st
        .store
        .talk_people(&actor, &scope, &plan, true, "", 100)
        .await?;
    let talked = st
        .store
        .talk_people(&actor, &scope, &plan, false, "", 100)
        .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TalksPage {
        ctx: ctx(v, "/discipline"),
        plan,
        remaining,
        talked,
        kinds: TalkKind::ALL,
        today: today.to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn talks(State(st): State<AppState>, v: Viewer, Query(q): Query<TalksQuery>) -> PageResult {
    talks_view(&st, &v, q.year, None).await
}

#[derive(Deserialize)]
struct TalkForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    talker: String,
    #[serde(default)]
    note: String,
}

async fn add_talk(State(st): State<AppState>, v: Viewer, Form(f): Form<TalkForm>) -> PageResult {
    let year = f.year.trim().parse::<i32>().ok();
    let r: Result<(), AppError> = async {
        let (actor, scope) = (v.user.actor(), v.user.scope());
        let held = day(&f.held_on)?;
        let plan = st
            .store
            .talk_plan(&actor, &scope, year.unwrap_or(held.year()))
            .await?;
        let kind = TalkKind::parse(&f.kind).ok_or_else(|| bad("请选择谈话类别"))?;
        Ok(st
            .store
            .record_talk(
                &actor,
                &scope,
                &plan,
                &f.staff_no,
                kind,
                held,
                &f.talker,
                &f.note,
            )
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => Ok(
            Redirect::to(&format!("/discipline/talks?year={}", year.unwrap_or(0))).into_response(),
        ),
        Err(AppError::BadRequest(m)) => talks_view(&st, &v, year, Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "discipline_person.html")]
struct PersonPage {
    ctx: Ctx,
    id: i64,
    file: IntegrityFile,
    year: i32,
    today: String,
    error: Option<String>,
}

async fn person_view(st: &AppState, v: &Viewer, id: i64, error: Option<String>) -> PageResult {
    let file = st
        .store
        .integrity_file(&v.user.actor(), &v.user.scope(), id)
        .await?;
    let today = st.store.today();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PersonPage {
        ctx: ctx(v, "/discipline"),
        id,
        file,
        year: today.year(),
        today: today.to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn person(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    person_view(&st, &v, id, None).await
}

#[derive(Deserialize)]
struct PersonalReportForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    reported_on: String,
}

async fn add_personal_report(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PersonalReportForm>,
) -> PageResult {
    let r: Result<(), AppError> = async {
        let year = f
            .year
            .trim()
            .parse::<i64>()
            .map_err(|_| bad("请填写年度"))?;
        Ok(st
            .store
            .record_personal_report(
                &v.user.actor(),
                &v.user.scope(),
                id,
                year,
                day(&f.reported_on)?,
            )
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => Ok(Redirect::to(&format!("/discipline/people/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => person_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e),
    }
}

async fn attach(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        let (filename, bytes) = crate::kit::upload(mp).await?;
        let upload = duban_store::rectification::Upload { filename, bytes };
        Ok(st
            .store
            .attach_clue_file(&v.user.actor(), &v.user.scope(), id, &upload)
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(_) => Ok(Redirect::to(&format!("/discipline/clues/{id}#files")).into_response()),
        Err(AppError::BadRequest(m)) => clue_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e),
    }
}

async fn clue_file(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> PageResult {
    let (name, content_type, bytes) = st
        .store
        .clue_file(&v.user.actor(), &v.user.scope(), id, file)
        .await?;
    Ok(crate::kit::download(&name, content_type, bytes))
}
