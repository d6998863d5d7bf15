//! The letters officer's workspace: the list, registering, the letter with its timeline and steps,
//! the board, search, export, links, hearings, attachments and backlog campaigns.
use super::*;
use crate::AppState;
use crate::auth::Form;
use crate::error::AppError;
use crate::kit::PageResult;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use duban_domain::letters::{Channel, LetterCategory};
use duban_store::letters::NewLetter;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::kit::{Ctx, ctx, require};
use axum::extract::Path;
use axum::response::Redirect;
use duban_domain::access::{Action, allowed};
use duban_domain::letters::{Owes, Step};
use duban_store::letters::{LetterDetail, LetterSummary};

#[derive(Template)]
#[template(path = "letters.html")]
pub(crate) struct ListPage {
    ctx: Ctx,
    metrics: duban_store::letters::LetterMetrics,
    by_unit: Vec<duban_store::letters::MetricsRow>,
    by_level: Vec<duban_store::letters::MetricsRow>,
    /// the three-month replies per unit, as an SVG chart
    chart: String,
    from: String,
    to: String,
    as_of: String,
    letters: Vec<LetterSummary>,
    /// reports on the unit's assignments and reviews it owes, by deadline
    awaited: Vec<duban_store::letters::Awaited>,
    /// the next page of the list, and whether this is a later page
    next: Option<String>,
    later: bool,
    can_handle: bool,
    channels: [Channel; 5],
    categories: [LetterCategory; 6],
    today: String,
    /// deadlines on or before these days are near (yellow), as the sweep urges them
    ack_soon: String,
    reply_soon: String,
    error: Option<String>,
    code: Option<String>,
}

impl ListPage {
    fn pct(r: &duban_domain::letters::Rate) -> String {
        r.rate
            .map_or("—".to_string(), |x| format!("{:.1}%", x * 100.0))
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Period {
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    /// where the list of letters continues (a cursor of the previous page's last row)
    after: Option<String>,
}

pub(crate) async fn list_view(
    st: &AppState,
    v: &Viewer,
    error: Option<String>,
    code: Option<String>,
) -> PageResult {
    list_view_for(st, v, Period::default(), error, code).await
}

pub(crate) async fn list_view_for(
    st: &AppState,
    v: &Viewer,
    q: Period,
    error: Option<String>,
    code: Option<String>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let today = st.store.today();
    let date = |raw: Option<String>, default| crate::kit::date_param(raw.as_deref(), default);
    use chrono::Datelike;
    let from = date(
        q.from,
        chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    )?;
    let to = date(q.to, today)?;
    let as_of = date(q.as_of, today)?;
    let unit = st
        .store
        .unit(v.user.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (metrics, by_unit, by_level) = st
        .store
        .letter_metrics_breakdown(&unit, v.user.subtree, from, to, as_of)
        .await?;
    let lights = st.store.supervision_rules().await?.lights;
    let soon = |o: Owes| {
        (today + chrono::Duration::days(duban_domain::letters::due_soon_days(o, &lights)))
            .to_string()
    };
    // below the unit only when the caller's scope covers it
    let (by_unit, by_level) = if v.user.subtree {
        (by_unit, by_level)
    } else {
        (by_unit.into_iter().take(1).collect(), vec![])
    };
    let t = v.t;
    let labels: Vec<String> = by_unit
        .iter()
        .map(|r| r.name.replace("人民检察院", "院"))
        .collect();
    let chart = duban_publish::chart::stacked_bars(
        &format!("{}（{} {as_of}）", t.s("letters.chart"), t.s("rect.as_of")),
        &by_unit
            .iter()
            .zip(&labels)
            .map(|(r, label)| duban_publish::chart::Bar {
                label,
                segments: vec![
                    (
                        r.metrics.reply.on_time as usize,
                        "#1a7f37",
                        t.s("letters.on_time"),
                    ),
                    (
                        r.metrics.reply.late as usize,
                        "#bf8700",
                        t.s("letters.late"),
                    ),
                    (
                        r.metrics.reply.overdue_open as usize,
                        "#b3261e",
                        t.s("letters.overdue_open"),
                    ),
                ],
            })
            .collect::<Vec<_>>(),
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let later = q.after.as_deref().is_some_and(|a| !a.is_empty());
    let (letters, next) = st
        .store
        .letters_page(&v.user.scope(), false, q.after.as_deref(), crate::kit::PAGE)
        .await?;
    let next = next.map(|after| {
        let params = [
            ("from", from.to_string()),
            ("to", to.to_string()),
            ("as_of", as_of.to_string()),
            ("after", after),
        ];
        format!(
            "/letters?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    });
    let page = ListPage {
        ctx: ctx(v, "/letters"),
        metrics,
        by_unit,
        by_level,
        chart,
        from: from.to_string(),
        to: to.to_string(),
        as_of: as_of.to_string(),
        letters,
        awaited: st.store.letters_awaited(v.user.unit_id).await?,
        next,
        later,
        can_handle: allowed(v.user.role, Action::HandleLetters),
        channels: Channel::ALL,
        categories: LetterCategory::ALL,
        today: today.to_string(),
        ack_soon: soon(Owes::Ack),
        reply_soon: soon(Owes::Reply),
        error,
        code,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn list(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<Period>,
) -> PageResult {
    list_view_for(&st, &v, q, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    petitioner: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    content: String,
}

/// A letter that arrived by post, visit, the hotline or from another organ, registered by the
/// letters officer of the unit that received it; the query code is handed to the writer.
pub(crate) async fn register(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    let r: Result<String, AppError> = async {
        let bad = |m: String| AppError::BadRequest(m);
        let channel = Channel::parse(&f.channel).ok_or_else(|| bad("请选择来信渠道".into()))?;
        let category =
            LetterCategory::parse(&f.category).ok_or_else(|| bad("请选择信访类别".into()))?;
        let received_on =
            duban_domain::calendar::parse_date(&f.received_on).map_err(|e| bad(e.to_string()))?;
        if received_on > st.store.today() {
            return Err(bad("收到日期不能晚于今天".into()));
        }
        let petitioner =
            duban_domain::text::optional(&f.petitioner, 50).map_err(|e| bad(format!("姓名{e}")))?;
        let letter = NewLetter {
            unit_id: v.user.unit_id,
            received_on,
            channel,
            category,
            petitioner,
            phone: f.phone.trim().into(),
            id_number: f.id_number,
            address: duban_domain::text::optional(&f.address, 200)
                .map_err(|e| AppError::BadRequest(format!("地址{e}")))?,
            email: f.email.trim().chars().take(254).collect(),
            content: f.content.replace("\r\n", "\n"),
            files: vec![],
        };
        Ok(st.store.submit_letter(&v.user.actor(), &letter).await?.1)
    }
    .await;
    match r {
        Ok(code) => list_view(&st, &v, None, Some(code)).await,
        Err(AppError::BadRequest(m)) => list_view(&st, &v, Some(m), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "letter.html")]
pub(crate) struct DetailPage {
    ctx: Ctx,
    letter: LetterDetail,
    suggestions: Vec<duban_store::letters::RepeatSuggestion>,
    can_handle: bool,
    steps: [Step; 11],
    organs: &'static [duban_domain::letters::answers::OrganKind],
    units: Vec<Addressee>,
    today: String,
    error: Option<String>,
    /// what was typed in the step form, kept after a refusal
    form: StepForm,
}

pub(crate) async fn detail_view(
    st: &AppState,
    v: &Viewer,
    id: i64,
    error: Option<String>,
) -> PageResult {
    detail_view_with(st, v, id, error, StepForm::default()).await
}

async fn detail_view_with(
    st: &AppState,
    v: &Viewer,
    id: i64,
    error: Option<String>,
    form: StepForm,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let letter = st
        .store
        .letter_in_scope(&v.user.actor(), &v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    // units a letter may be transferred or assigned to: the SPP, the provinces, and the units below the holder
    let mut units = addressees(st).await?;
    for u in st.store.children(letter.unit_id).await? {
        if !units.iter().any(|a| a.id == u.id) {
            units.push(Addressee {
                id: u.id,
                name: u.name,
            });
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let can_handle = allowed(v.user.role, Action::HandleLetters);
    let suggestions = if can_handle {
        st.store.repeat_suggestions(&v.user.scope(), id).await?
    } else {
        vec![]
    };
    let page = DetailPage {
        ctx: ctx(v, "/letters"),
        can_handle,
        suggestions,
        letter,
        steps: Step::ALL,
        organs: duban_domain::letters::answers::OrganKind::ALL,
        units,
        today: st.store.today().to_string(),
        error,
        form,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn detail(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    detail_view(&st, &v, id, None).await
}

#[derive(Deserialize, Default)]
pub(crate) struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    late_reason: String,
    #[serde(default)]
    organ_kind: String,
    #[serde(default)]
    organ: String,
    #[serde(default)]
    told: Option<String>,
}

pub(crate) async fn step(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let r: Result<(), AppError> = async {
        let step =
            Step::parse(&f.step).ok_or_else(|| AppError::BadRequest("请选择办理环节".into()))?;
        let on = duban_domain::calendar::parse_date(&f.on)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let body =
            duban_domain::text::required(&f.body.replace("\r\n", "\n").replace('\n', "\t"), 4000)
                .map_err(|e| AppError::BadRequest(format!("内容{e}")))?
                .replace('\t', "\n");
        let req = duban_store::letters::StepRequest {
            late_reason: f.late_reason.clone(),
            to_unit: f.to_unit.trim().parse::<i64>().ok(),
            organ_kind: duban_domain::letters::answers::OrganKind::parse(&f.organ_kind),
            organ: f.organ.chars().take(200).collect(),
            told: f.told.is_some(),
            ..duban_store::letters::StepRequest::new(step, on, &body)
        };
        Ok(st
            .store
            .letter_step(&v.user.actor(), &v.user.scope(), id, &req)
            .await?)
    }
    .await;
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => detail_view_with(&st, &v, id, Some(m), f).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "letters_board.html")]
pub(crate) struct BoardPage {
    ctx: Ctx,
    as_of: String,
    levels: Vec<(i64, u64, u64, u64, u64)>,
    rows: Vec<duban_store::letters::BoardRow>,
}

/// The overdue board: units in scope with open letters past a deadline, and totals per level.
pub(crate) async fn board(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<Period>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let as_of = crate::kit::date_param(q.as_of.as_deref(), st.store.today())?;
    let rows = st.store.letter_board(&v.user.scope(), as_of).await?;
    let page = BoardPage {
        ctx: ctx(&v, "/letters"),
        as_of: as_of.to_string(),
        levels: duban_store::letters::board_levels(&rows),
        rows: rows.into_iter().take(300).collect(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    after: Option<i64>,
}

#[derive(Template)]
#[template(path = "letters_search.html")]
pub(crate) struct SearchPage {
    ctx: Ctx,
    q: String,
    /// not the first page
    paged: bool,
    hits: Vec<duban_store::search::Hit>,
    next: Option<i64>,
    searched: bool,
}

impl SearchPage {
    fn first_href(&self) -> String {
        format!("/letters/search?q={}", crate::kit::percent_encode(&self.q))
    }
    fn next_href(&self, after: &i64) -> String {
        format!("{}&after={after}", self.first_href())
    }
}

/// Full-text search over the content and replies of the letters in scope.
pub(crate) async fn search(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<SearchQuery>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let query: String = q.q.trim().chars().take(100).collect();
    let (hits, next) = if query.is_empty() {
        (vec![], None)
    } else {
        st.store
            .search_letters(&v.user.scope(), &query, q.after, 20)
            .await?
    };
    let page = SearchPage {
        ctx: ctx(&v, "/letters"),
        searched: !query.is_empty(),
        q: query,
        paged: q.after.is_some(),
        hits,
        next,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ExportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
    personal: Option<String>,
}

/// The letters in scope received in a period, as CSV or XLSX. The writer's data only for letters
/// officers and administrators who ask for it (audited).
pub(crate) async fn export(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let today = st.store.today();
    let from = crate::kit::date_param(q.from.as_deref(), today - chrono::Duration::days(365))?;
    let to = crate::kit::date_param(q.to.as_deref(), today)?;
    let personal = q.personal.as_deref() == Some("1");
    if personal && !allowed(v.user.role, Action::HandleLetters) {
        return Err(AppError::Forbidden);
    }
    let rows = st
        .store
        .export_letters(&v.user.actor(), &v.user.scope(), from, to, personal)
        .await?;
    let name = format!("来信-{from}-{to}");
    if q.format.as_deref() == Some("xlsx") {
        let bytes = duban_publish::sheet::write_xlsx("来信", &rows)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let disposition = format!("attachment; filename=\"letters-{from}-{to}.xlsx\"");
        return Ok((
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response());
    }
    Ok(crate::kit::csv_response(&name, rows))
}

#[derive(Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    other: String,
}

/// Links a suggested letter as the same writer's on the same matter.
pub(crate) async fn link(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let other = f.other.trim().parse::<i64>().unwrap_or(0);
    match st
        .store
        .link_letters(&v.user.actor(), &v.user.scope(), id, other)
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => detail_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct HearingForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    outcome: String,
}

/// Records a public hearing (公开听证).
pub(crate) async fn hearing(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<HearingForm>,
) -> PageResult {
    let r: Result<(), AppError> = async {
        let on = duban_domain::calendar::parse_date(&f.held_on)
            .map_err(|e| AppError::BadRequest(format!("听证日期：{e}")))?;
        let participants = duban_domain::text::required(&f.participants, 1000)
            .map_err(|e| AppError::BadRequest(format!("参加人员{e}")))?;
        let outcome =
            duban_domain::text::required(&f.outcome.replace("\r\n", " ").replace('\n', " "), 4000)
                .map_err(|e| AppError::BadRequest(format!("听证结果{e}")))?;
        Ok(st
            .store
            .add_hearing(
                &v.user.actor(),
                &v.user.scope(),
                id,
                on,
                &participants,
                &outcome,
            )
            .await?)
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => detail_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e),
    }
}

/// An attachment, for the units on the letter's path.
pub(crate) async fn file(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let (name, content_type, bytes) = st
        .store
        .letter_file(&v.user.actor(), &v.user.scope(), id, file)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::kit::download(&name, content_type, bytes))
}

#[derive(Template)]
#[template(path = "letters_campaigns.html")]
pub(crate) struct CampaignsPage {
    ctx: Ctx,
    campaigns: Vec<duban_store::letters::Campaign>,
    can_handle: bool,
    today: String,
    /// the form as last sent (kept when it is refused)
    title: String,
    deadline: String,
    older_than: String,
    error: Option<String>,
}

impl CampaignsPage {
    fn percent(&self, c: &duban_store::letters::Campaign) -> String {
        if c.targets == 0 {
            "—".into()
        } else {
            format!("{:.1}%", c.closed as f64 * 100.0 / c.targets as f64)
        }
    }
}

pub(crate) async fn campaigns_view(
    st: &AppState,
    v: &Viewer,
    form: Option<&CampaignForm>,
    error: Option<String>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let today = st.store.today();
    let page = CampaignsPage {
        ctx: ctx(v, "/letters"),
        campaigns: st.store.campaigns(&v.user.scope()).await?,
        can_handle: allowed(v.user.role, Action::HandleLetters),
        today: today.to_string(),
        title: form.map(|f| f.title.clone()).unwrap_or_default(),
        deadline: form.map(|f| f.deadline.clone()).unwrap_or_default(),
        older_than: form
            .map(|f| f.older_than.clone())
            .unwrap_or_else(|| (today - chrono::Duration::days(90)).to_string()),
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Backlog campaigns (信访积案清理) in scope, with their progress.
pub(crate) async fn campaigns(State(st): State<AppState>, v: Viewer) -> PageResult {
    campaigns_view(&st, &v, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct CampaignForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    older_than: String,
}

pub(crate) async fn create_campaign(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CampaignForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        let title = duban_domain::text::required(&f.title, 100)
            .map_err(|e| AppError::BadRequest(format!("专项名称{e}")))?;
        let deadline = duban_domain::calendar::parse_date(&f.deadline)
            .map_err(|e| AppError::BadRequest(format!("完成期限：{e}")))?;
        let older = duban_domain::calendar::parse_date(&f.older_than)
            .map_err(|e| AppError::BadRequest(format!("收到日期：{e}")))?;
        Ok(st
            .store
            .create_campaign(&v.user.actor(), &v.user.scope(), &title, deadline, older)
            .await?
            .0)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/letters/campaigns/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => campaigns_view(&st, &v, Some(&f), Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "letters_campaign.html")]
pub(crate) struct CampaignPage {
    ctx: Ctx,
    campaign: duban_store::letters::Campaign,
    letters: Vec<LetterSummary>,
    today: String,
}

pub(crate) async fn campaign(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    require(&v, Action::ReadLetters)?;
    let (campaign, letters) = st
        .store
        .campaign(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = CampaignPage {
        ctx: ctx(&v, "/letters"),
        campaign,
        letters,
        today: st.store.today().to_string(),
    };
    Ok(Html(page.render()?).into_response())
}
