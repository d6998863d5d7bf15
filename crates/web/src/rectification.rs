//! Rectification pages: plans, the three lists, the plan dashboard, task pages with the ledger,
//! "my tasks", evidence downloads.
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::pages::{Ctx, ctx};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use duban_domain::access::{Action, allowed};
use duban_domain::calendar::parse_date;
use duban_domain::ledger;
use duban_domain::rectification::{
    self as rules, Category, Light, LightRules, PlanStats, SourceKind, TaskState,
};
use duban_domain::text;
use duban_publish::chart::stacked_bars;
use duban_store::rectification::{
    Author, EntryKind, LedgerEntry, NewEntry, Plan, Problem, Round, Task, Upload,
};
use duban_store::users::User;
use serde::Deserialize;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/rectification", get(plans))
        .route("/rectification/mine", get(mine))
        .route("/rectification/board", get(board))
        .route("/rectification/meetings", get(meetings).post(convene))
        .route("/rectification/meetings/{id}", get(meeting))
        .route("/rectification/meetings/{id}/minutes", post(minutes))
        .route("/rectification/meetings/{id}/items/{item}", post(decide))
        .route("/rectification/plans/{id}", get(plan))
        .route(
            "/rectification/plans/{id}/problems",
            get(problems).post(add_problem),
        )
        .route("/rectification/plans/{id}/tasks", post(add_task))
        .route("/rectification/plans/{id}/cascade", post(cascade))
        .route("/rectification/rounds", post(create_round))
        .route("/rectification/rules", get(rules_page).post(set_rules))
        .route("/rectification/plans", post(create_plan))
        .route(
            "/rectification/plans/{id}/responsibilities",
            get(responsibilities),
        )
        .route("/rectification/tasks/{id}", get(task))
        .route("/rectification/tasks/{id}/assign", post(assign_task))
        .route(
            "/rectification/tasks/{id}/adjustments",
            post(request_adjustment),
        )
        .route("/rectification/adjustments/{id}", post(decide_adjustment))
        .route(
            "/rectification/tasks/{id}/entries",
            post(add_entry).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/rectification/evidence/{id}", get(evidence))
        .route("/rectification/plans/{id}/ledger.xlsx", get(ledger_xlsx))
        .route(
            "/rectification/import",
            post(import_ledger).layer(DefaultBodyLimit::max(upload_limit)),
        )
}

type PageResult = Result<Response, AppError>;

pub use duban_store::today;

/// Every byte but ASCII letters and digits as `%XX` (for URLs and download names).
pub(crate) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{name}.csv\"; filename*=UTF-8''{}",
        percent_encode(name)
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        duban_publish::sheet::write_csv(&rows),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    ctx: Ctx,
    kinds: [SourceKind; 6],
    rounds: Vec<Round>,
    plans: Vec<Plan>,
    can_import: bool,
    problems: Vec<duban_domain::import::CellError>,
    error: Option<String>,
}

fn can_import(user: &User) -> bool {
    allowed(user.role, Action::ManagePlans)
}

async fn plans_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    problems: Vec<duban_domain::import::CellError>,
) -> PageResult {
    let scope = v.user.scope();
    let mut c = ctx(v, "/rectification");
    c.flash = flash;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PlansPage {
        kinds: SourceKind::ALL,
        ctx: c,
        rounds: st.store.rounds(&scope).await?,
        plans: st.store.plans(&scope).await?,
        can_import: can_import(&v.user),
        problems,
        error: None,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn plans(State(st): State<AppState>, v: Viewer) -> PageResult {
    plans_view(&st, &v, None, vec![]).await
}

/// Imports a ledger workbook into a plan of the user's own unit.
async fn import_ledger(State(st): State<AppState>, v: Viewer, mut mp: Multipart) -> PageResult {
    // the right before the upload is parsed (the store decides the import itself)
    duban_domain::access::decide(Some(v.user.role), Action::ManagePlans)?;
    let map = crate::pages::multipart_error;
    let (mut title, mut file) = (String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(map)? {
        match field.name().unwrap_or("") {
            "title" => {
                title = String::from_utf8_lossy(&field.bytes().await.map_err(map)?).to_string()
            }
            "file" => {
                let name = field.file_name().unwrap_or("ledger.xlsx").to_string();
                file = Some((name, field.bytes().await.map_err(map)?.to_vec()));
            }
            _ => {}
        }
    }
    let one = |m: String| {
        vec![duban_domain::import::CellError {
            row: 0,
            column: "-".into(),
            message: m,
        }]
    };
    let title = match text::required(&title, 100) {
        Ok(t) => t,
        Err(e) => return plans_view(&st, &v, None, one(format!("方案名称{e}"))).await,
    };
    let Some((name, bytes)) = file else {
        return plans_view(&st, &v, None, one("没有收到文件".into())).await;
    };
    let table = match crate::uploads::parse_table(name.clone(), bytes.to_vec()).await {
        Ok(t) => t,
        Err(e) => return plans_view(&st, &v, None, one(e.to_string())).await,
    };
    let importer = author_of(&st, &v.user).await?;
    match st
        .store
        .import_ledger(&importer, v.user.unit_id, &title, &name, &table)
        .await
    {
        Ok(r) => {
            let mut msg = format!(
                "{}：{} {}，{} {}，{} {}，{} {}",
                v.t.s("import.done"),
                v.t.s("import.created"),
                r.created,
                v.t.s("import.updated"),
                r.updated,
                v.t.s("import.historical_closures"),
                r.historical_closures,
                v.t.s("import.requests"),
                r.requests.len(),
            );
            for line in r.requests.iter().chain(&r.not_applied) {
                msg.push_str("；");
                msg.push_str(line);
            }
            plans_view(&st, &v, Some(msg), vec![]).await
        }
        Err(duban_store::StoreError::Import(problems)) => plans_view(&st, &v, None, problems).await,
        Err(e) => Err(e.into()),
    }
}

async fn ledger_xlsx(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let as_of = as_of_param(q.as_of.as_deref())?;
    let rows = st.store.ledger_sheet(plan.id, as_of).await?;
    let bytes = duban_publish::ledger::write_ledger(&rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}-工作台账-{as_of}.xlsx", plan.title);
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn scoped_plan(st: &AppState, v: &Viewer, id: i64) -> Result<Plan, AppError> {
    st.store
        .plan(&v.user.scope(), &id.to_string())
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    as_of: Option<String>,
    category: Option<String>,
    state: Option<String>,
    light: Option<String>,
    sort: Option<String>,
    q: Option<String>,
    format: Option<String>,
    /// the unit whose subordinate units the roll-up shows (drill-down)
    under: Option<i64>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: Ctx,
    plan: Plan,
    as_of: String,
    stats: PlanStats,
    /// ledger entries recorded late (补录) and tasks whose deadline was adjusted, up to `as_of`
    late_entries: i64,
    deadline_adjusted: i64,
    chart: String,
    rows: Vec<(Task, Light, TaskState)>,
    categories: [Category; 3],
    states: [TaskState; 4],
    lights: [Light; 3],
    category: String,
    state: String,
    light: String,
    sort: String,
    q: String,
    export: String,
    xlsx: String,
    /// the viewed unit's own copy, then its subordinate units with their subtrees' figures
    rollup_own: Option<(i64, PlanStats)>,
    rollup: Vec<duban_store::cascade::SubtreeRow>,
    rollup_unit: String,
    rollup_up: Option<i64>,
    /// (level, units, figures) over every unit in scope
    levels: Vec<(i64, usize, PlanStats)>,
    can_cascade: bool,
    cascade_levels: Vec<i64>,
}

/// The plan's tasks with their light and state on `as_of`, filtered and sorted.
async fn task_rows(
    st: &AppState,
    plan_id: i64,
    as_of: NaiveDate,
    q: &PlanQuery,
) -> Result<(Vec<(Task, Light, TaskState)>, PlanStats), AppError> {
    let rules_ = st.store.supervision_rules().await?.lights;
    let histories: std::collections::HashMap<i64, rules::TaskHistory> = st
        .store
        .plan_histories(plan_id)
        .await?
        .into_iter()
        .collect();
    let stats = rules::plan_stats(
        &histories.values().cloned().collect::<Vec<_>>(),
        as_of,
        &rules_,
    );
    let search = text::optional(q.q.as_deref().unwrap_or(""), 50)
        .map_err(|e| AppError::BadRequest(format!("查询条件{e}")))?;
    let mut rows: Vec<(Task, Light, TaskState)> = st
        .store
        .tasks(plan_id)
        .await?
        .into_iter()
        .filter_map(|t| {
            let h = histories.get(&t.id)?;
            if h.created > as_of {
                return None;
            }
            let f = h.facts_on(as_of);
            let l = rules::light(&f, as_of, &rules_);
            Some((t, l, f.state))
        })
        .filter(|(t, l, s)| {
            q.category
                .as_deref()
                .is_none_or(|c| c.is_empty() || c == t.category.as_str())
                && q.state
                    .as_deref()
                    .is_none_or(|x| x.is_empty() || x == s.as_str())
                && q.light
                    .as_deref()
                    .is_none_or(|x| x.is_empty() || x == l.as_str())
                && (search.is_empty()
                    || t.title.contains(&search)
                    || t.departments.contains(&search)
                    || t.lead_leader
                        .as_deref()
                        .is_some_and(|n| n.contains(&search)))
        })
        .collect();
    match q.sort.as_deref() {
        Some("deadline") => rows.sort_by(|a, b| {
            (a.0.deadline.is_none(), &a.0.deadline, a.0.seq).cmp(&(
                b.0.deadline.is_none(),
                &b.0.deadline,
                b.0.seq,
            ))
        }),
        Some("light") => rows.sort_by(|a, b| {
            (std::cmp::Reverse(a.1), a.0.seq).cmp(&(std::cmp::Reverse(b.1), b.0.seq))
        }),
        _ => {}
    }
    Ok((rows, stats))
}

fn as_of_param(raw: Option<&str>) -> Result<NaiveDate, AppError> {
    date_param(raw, today())
}

/// A date from a query parameter, `default` when it is absent or empty.
pub(crate) fn date_param(raw: Option<&str>, default: NaiveDate) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date(s).map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(default),
    }
}

async fn plan(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let as_of = as_of_param(q.as_of.as_deref())?;
    let (rows, stats) = task_rows(&st, plan.id, as_of, &q).await?;
    if q.format.as_deref() == Some("csv") {
        let t = v.t;
        let mut out = vec![
            [
                "rect.seq",
                "rect.task",
                "rect.category",
                "rect.lead_leader",
                "rect.departments",
                "rect.responsible",
                "rect.deadline",
                "rect.state",
                "rect.light",
            ]
            .iter()
            .map(|k| t.s(k).to_string())
            .collect(),
        ];
        for (task, light, state) in &rows {
            out.push(vec![
                task.seq.to_string(),
                task.title.clone(),
                t.category(&task.category).into(),
                task.lead_leader.clone().unwrap_or_default(),
                task.departments.clone(),
                task.responsible.clone().unwrap_or_default(),
                task.deadline
                    .clone()
                    .unwrap_or_else(|| t.s("rect.long_term").into()),
                t.state(state).into(),
                t.light(light).into(),
            ]);
        }
        return Ok(csv_response(
            &format!("{}-{}", plan.title, t.s("rect.tasks")),
            out,
        ));
    }
    let t = v.t;
    let chart = stacked_bars(
        &format!("{}（{} {as_of}）", t.s("rect.dashboard"), t.s("rect.as_of")),
        &duban_publish::chart::category_bars(
            &stats,
            [
                t.s("category.immediate"),
                t.s("category.time_limited"),
                t.s("category.long_term"),
            ],
            &[
                (t.s("rect.closed"), "#1a7f37"),
                (t.s("rect.open"), "#8c959f"),
                (t.s("rect.overdue"), "#b3261e"),
                (t.s("rect.staged"), "#0969da"),
            ],
        ),
    );
    let params: Vec<(&str, String)> = [
        ("as_of", as_of.to_string()),
        ("category", q.category.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("light", q.light.clone().unwrap_or_default()),
        ("sort", q.sort.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
        ("format", "csv".into()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let export = format!(
        "/rectification/plans/{}?{}",
        plan.id,
        serde_urlencoded::to_string(&params).unwrap_or_default()
    );
    let xlsx = format!("/rectification/plans/{}/ledger.xlsx?as_of={as_of}", plan.id);
    let under = match q.under {
        Some(id) => st
            .store
            .unit(id)
            .await?
            .filter(|u| v.user.scope().covers(u.id, &u.path))
            .ok_or(AppError::NotFound)?,
        None => st
            .store
            .unit(v.user.unit_id)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let view = st
        .store
        .rollup_view(&v.user.scope(), plan.id, as_of, &under)
        .await?;
    let rollup_up = under
        .parent_id
        .filter(|_| under.id != plan.unit_id && under.id != v.user.unit_id);
    let plan_unit = st
        .store
        .unit(plan.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_cascade = duban_domain::access::decide_cascade(
        v.user.role,
        &v.user.scope(),
        plan.unit_id,
        plan_unit.level,
    )
    .is_ok();
    let cascade_levels: Vec<i64> = ((plan_unit.level + 1)..=4).collect();
    let page = PlanPage {
        ctx: ctx(&v, "/rectification"),
        as_of: as_of.to_string(),
        late_entries: st.store.late_entries(plan.id, as_of).await?,
        deadline_adjusted: st.store.deadline_adjusted_tasks(plan.id, as_of).await?,
        stats,
        chart,
        rows,
        categories: Category::ALL,
        states: TaskState::ALL,
        lights: [Light::Red, Light::Yellow, Light::Green],
        category: q.category.unwrap_or_default(),
        state: q.state.unwrap_or_default(),
        light: q.light.unwrap_or_default(),
        sort: q.sort.unwrap_or_else(|| "seq".into()),
        q: q.q.unwrap_or_default(),
        export,
        xlsx,
        rollup_own: view.own,
        rollup: view.children,
        rollup_unit: under.name.clone(),
        rollup_up,
        levels: view.levels,
        can_cascade,
        cascade_levels,
        plan,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "problems.html")]
struct ProblemsPage {
    ctx: Ctx,
    plan: Plan,
    problems: Vec<Problem>,
    can_edit: bool,
    error: Option<String>,
    categories: [Category; 3],
    leaders: Vec<duban_store::org::StaffMember>,
    departments: Vec<duban_store::org::Department>,
}

async fn problems_view(st: &AppState, v: &Viewer, plan: Plan, error: Option<String>) -> PageResult {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ProblemsPage {
        ctx: ctx(v, "/rectification"),
        problems: st.store.problems(plan.id).await?,
        can_edit: can_import(&v.user),
        error,
        categories: Category::ALL,
        leaders: st.store.staff_of_unit(plan.unit_id, true, 100, 0).await?.0,
        departments: st.store.departments(plan.unit_id).await?,
        plan,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn problems(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let problems = st.store.problems(plan.id).await?;
    if q.format.as_deref() == Some("csv") {
        let t = v.t;
        let mut rows = vec![vec![
            t.s("rect.seq").to_string(),
            t.s("rect.feedback").into(),
            t.s("rect.manifestation").into(),
            t.s("rect.total").into(),
        ]];
        rows.extend(problems.iter().map(|p| {
            vec![
                p.seq.to_string(),
                p.feedback.clone(),
                p.manifestation.clone(),
                p.tasks.to_string(),
            ]
        }));
        return Ok(csv_response(
            &format!("{}-{}", plan.title, t.s("rect.problems")),
            rows,
        ));
    }
    problems_view(&st, &v, plan, None).await
}

#[derive(Template)]
#[template(path = "responsibilities.html")]
struct ResponsibilitiesPage {
    ctx: Ctx,
    plan: Plan,
    tasks: Vec<Task>,
}

async fn responsibilities(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let tasks = st.store.tasks(plan.id).await?;
    if q.format.as_deref() == Some("csv") {
        let t = v.t;
        let mut rows = vec![
            [
                "rect.seq",
                "rect.task",
                "rect.lead_leader",
                "rect.departments",
                "rect.responsible",
            ]
            .iter()
            .map(|k| t.s(k).to_string())
            .collect::<Vec<_>>(),
        ];
        rows.extend(tasks.iter().map(|x| {
            vec![
                x.seq.to_string(),
                x.title.clone(),
                x.lead_leader.clone().unwrap_or_default(),
                x.departments.clone(),
                x.responsible.clone().unwrap_or_default(),
            ]
        }));
        return Ok(csv_response(
            &format!("{}-{}", plan.title, t.s("rect.responsibilities")),
            rows,
        ));
    }
    Ok(Html(
        ResponsibilitiesPage {
            ctx: ctx(&v, "/rectification"),
            plan,
            tasks,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    ctx: Ctx,
    task: Task,
    plan_title: String,
    light: Light,
    ledger: Vec<LedgerEntry>,
    kinds: Vec<&'static str>,
    today: String,
    error: Option<String>,
    /// the unit's office may set who answers for the task
    can_assign: bool,
    leaders: Vec<duban_store::org::StaffMember>,
    departments: Vec<duban_store::org::Department>,
    task_depts: Vec<i64>,
    responsible_no: String,
    adjustments: Vec<duban_store::adjustments::Adjustment>,
    /// the pending adjustments this viewer may decide (the domain's rule)
    can_decide: Vec<i64>,
    adj_fields: Vec<&'static str>,
    adj_error: Option<String>,
    grace_days: i64,
    /// what was typed, kept after a refusal
    form: EntryForm,
}

/// A ledger entry as typed in the form.
#[derive(Default, Clone)]
struct EntryForm {
    kind: String,
    date: String,
    body: String,
    corrects: String,
    late_reason: String,
}

/// What the task page shows besides the task: a refusal beside the form that caused it.
#[derive(Default)]
struct TaskMsgs {
    error: Option<String>,
    adj_error: Option<String>,
    form: EntryForm,
}

async fn author_of(st: &AppState, user: &User) -> Result<Author, AppError> {
    Ok(Author {
        user_id: Some(user.id),
        login: user.login.clone(),
        role: user.role,
        staff_id: user.staff_id,
        departments: st.store.staff_departments(user.staff_id).await?,
    })
}

/// The entry kinds this user may add to this task now, as the domain's ledger rule says.
fn allowed_kinds(
    author: &Author,
    task: &Task,
    task_depts: &[i64],
    reviewers: &[duban_domain::org::Role],
    request_authors: &[i64],
) -> Vec<&'static str> {
    let actor = ledger::EntryActor {
        user_id: author.user_id,
        role: author.role,
        staff: author.staff_id,
        departments: &author.departments,
    };
    let facts = ledger::EntryTask {
        category: task.category,
        state: task.state,
        lead_leader: task.lead_leader_id,
        responsible: task.responsible_id,
        departments: task_depts,
        request_authors,
        earlier_evidence: 0,
    };
    EntryKind::ALL
        .into_iter()
        .filter(|k| ledger::may_add(&actor, &facts, *k, reviewers).is_ok())
        .map(|k| k.as_str())
        .collect()
}

async fn task_view(st: &AppState, v: &Viewer, id: i64, error: Option<String>) -> PageResult {
    task_view_with(
        st,
        v,
        id,
        TaskMsgs {
            error,
            ..Default::default()
        },
    )
    .await
}

async fn task_view_with(st: &AppState, v: &Viewer, id: i64, msgs: TaskMsgs) -> PageResult {
    let TaskMsgs {
        error,
        adj_error,
        form,
    } = msgs;
    let task = st
        .store
        .task_in_scope(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = scoped_plan(st, v, task.plan_id).await?;
    let depts = st.store.task_department_ids(task.id).await?;
    let author = author_of(st, &v.user).await?;
    let sup = st.store.supervision_rules().await?;
    let ledger = st.store.ledger(task.id).await?;
    let request_authors = pending_request_authors(&ledger);
    let adjustments = st.store.adjustments(task.id).await?;
    let status = if error.is_some() || adj_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let can_assign = can_import(&v.user);
    let (leaders, departments, responsible_no) = if can_assign {
        let responsible_no = match task.responsible_id {
            Some(id) => st
                .store
                .staff_in_scope(&v.user.scope(), id)
                .await?
                .map(|s| s.staff_no)
                .unwrap_or_default(),
            None => String::new(),
        };
        (
            st.store.staff_of_unit(plan.unit_id, true, 100, 0).await?.0,
            st.store.departments(plan.unit_id).await?,
            responsible_no,
        )
    } else {
        (vec![], vec![], String::new())
    };
    let page = TaskPage {
        ctx: ctx(v, "/rectification"),
        can_assign,
        leaders,
        departments,
        task_depts: depts.clone(),
        responsible_no,
        light: rules::light(&task.facts(), today(), &sup.lights),
        kinds: allowed_kinds(&author, &task, &depts, &sup.reviewers, &request_authors),
        ledger,
        can_decide: adjustments
            .iter()
            .filter(|a| {
                duban_domain::adjustment::decide(
                    &duban_domain::adjustment::AdjActor {
                        user_id: author.user_id,
                        role: author.role,
                        staff: author.staff_id,
                    },
                    a.state,
                    a.requested_by,
                    &sup.reviewers,
                )
                .is_ok()
            })
            .map(|a| a.id)
            .collect(),
        adjustments,
        adj_fields: duban_domain::adjustment::Field::ALL
            .into_iter()
            .filter(|f| *f != duban_domain::adjustment::Field::Responsibility)
            .map(|f| f.as_str())
            .collect(),
        adj_error,
        form,
        grace_days: sup.integrity.ledger_grace_days,
        plan_title: plan.title,
        today: today().to_string(),
        error,
        task,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn task(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    task_view(&st, &v, id, None).await
}

/// The accounts that wrote the pending closure request and what followed it (for the page's
/// choice of kinds; the store decides on its own reading).
fn pending_request_authors(ledger: &[LedgerEntry]) -> Vec<i64> {
    let start = ledger
        .iter()
        .rposition(|e| e.kind == EntryKind::ClosureRequest.as_str())
        .unwrap_or(ledger.len());
    ledger[start..].iter().filter_map(|e| e.author_id).collect()
}

/// Adds a ledger entry for a user: the one path for pages and the API. It parses; the store
/// applies the domain's one decision (who, evidence, dates, lifecycle) inside the write.
#[allow(clippy::too_many_arguments)]
pub async fn submit_entry(
    st: &AppState,
    user: &User,
    task_id: i64,
    kind: &str,
    date: &str,
    body: &str,
    late_reason: &str,
    corrects: Option<i64>,
    files: Vec<Upload>,
) -> Result<i64, AppError> {
    let task = st
        .store
        .task_in_scope(&user.scope(), task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = author_of(st, user).await?;
    let kind =
        EntryKind::parse(kind).ok_or_else(|| AppError::BadRequest("请选择台账类型".into()))?;
    let date = parse_date(date).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let body = text::required(&body.replace("\r\n", "\n").replace('\n', "\t"), 4000)
        .map_err(|e| AppError::BadRequest(format!("内容{e}")))?
        .replace('\t', "\n");
    let late_reason = text::optional(late_reason, 500)
        .map_err(|e| AppError::BadRequest(format!("补录原因{e}")))?;
    Ok(st
        .store
        .add_entry(
            &author,
            NewEntry {
                task_id: task.id,
                date,
                kind,
                body,
                corrects_id: corrects,
                files,
                late_reason,
            },
        )
        .await?)
}

async fn add_entry(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> PageResult {
    let task = st
        .store
        .task_in_scope(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form = EntryForm::default();
    let mut files = Vec::new();
    let map = crate::pages::multipart_error;
    while let Some(field) = mp.next_field().await.map_err(map)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(map)?;
            // a file input left empty sends a part with no name; a named empty file is refused
            if !filename.is_empty() {
                files.push(Upload {
                    filename,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = String::from_utf8_lossy(&field.bytes().await.map_err(map)?).to_string();
        match name.as_str() {
            "kind" => form.kind = value,
            "date" => form.date = value,
            "body" => form.body = value,
            "corrects" => form.corrects = value,
            "late_reason" => form.late_reason = value,
            _ => {}
        }
    }
    let corrects = match form.corrects.trim() {
        "" => Ok(None),
        c => c
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::BadRequest("更正条目须为编号".into())),
    };
    let result = match corrects {
        Ok(c) => submit_entry(
            &st,
            &v.user,
            task.id,
            &form.kind,
            &form.date,
            &form.body,
            &form.late_reason,
            c,
            files,
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    match result.map_err(|e| e.localized(v.t)) {
        Ok(()) => {
            Ok(Redirect::to(&format!("/rectification/tasks/{}#saved", task.id)).into_response())
        }
        Err(AppError::BadRequest(m)) => {
            task_view_with(
                &st,
                &v,
                task.id,
                TaskMsgs {
                    error: Some(m),
                    form,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct AdjustForm {
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// The office edits a task or requests a change of its deadline or category.
async fn request_adjustment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<AdjustForm>,
) -> PageResult {
    let author = author_of(&st, &v.user).await?;
    let r: Result<(), AppError> = async {
        let field = duban_domain::adjustment::Field::parse(&f.field)
            .ok_or_else(|| AppError::BadRequest("请选择调整事项".into()))?;
        st.store
            .request_adjustment(&author, &v.user.scope(), id, field, &f.value, &f.reason)
            .await?;
        Ok(())
    }
    .await;
    adjustment_result(&st, &v, id, r).await
}

#[derive(Deserialize)]
struct DecideAdjustmentForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// A reviewer approves or rejects a requested adjustment.
async fn decide_adjustment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<DecideAdjustmentForm>,
) -> PageResult {
    let author = author_of(&st, &v.user).await?;
    let task_id = st
        .store
        .adjustment_task(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let r = st
        .store
        .decide_adjustment(
            &author,
            &v.user.scope(),
            id,
            f.decision == "approve",
            &f.note,
        )
        .await
        .map_err(AppError::from);
    adjustment_result(&st, &v, task_id, r).await
}

async fn adjustment_result(
    st: &AppState,
    v: &Viewer,
    task_id: i64,
    r: Result<(), AppError>,
) -> PageResult {
    match r.map_err(|e| e.localized(v.t)) {
        Ok(()) => Ok(
            Redirect::to(&format!("/rectification/tasks/{task_id}#adjustments")).into_response(),
        ),
        Err(AppError::BadRequest(m)) => {
            task_view_with(
                st,
                v,
                task_id,
                TaskMsgs {
                    adj_error: Some(m),
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn evidence(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let (ev, bytes) = st
        .store
        .evidence_file(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let encoded: String = ev
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, ev.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    ctx: Ctx,
    rows: Vec<(Task, Light)>,
}

async fn mine(State(st): State<AppState>, v: Viewer) -> PageResult {
    let depts = st.store.staff_departments(v.user.staff_id).await?;
    let tasks = st
        .store
        .my_tasks(&v.user.scope(), v.user.staff_id, &depts)
        .await?;
    let r = st.store.supervision_rules().await?.lights;
    let mut rows: Vec<(Task, Light)> = tasks
        .into_iter()
        .map(|t| {
            let l = rules::light(&t.facts(), today(), &r);
            (t, l)
        })
        .collect();
    rows.sort_by(|a, b| std::cmp::Reverse(a.1).cmp(&std::cmp::Reverse(b.1)));
    Ok(Html(
        MinePage {
            ctx: ctx(&v, "/rectification/mine"),
            rows,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    ctx: Ctx,
    mine: bool,
    counts: Vec<duban_store::supervision::LeaderCount>,
    notices: Vec<duban_store::supervision::Notice>,
}

/// The supervision board: the office and the discipline group see every reminder and notice in
/// scope with counts per lead leader; others see those addressed to them.
async fn board(State(st): State<AppState>, v: Viewer) -> PageResult {
    let scope = v.user.scope();
    let overseer = allowed(v.user.role, Action::OverseeNotices);
    let (counts, notices) = if overseer {
        (
            st.store.notice_counts(&scope).await?,
            st.store.notices(&scope, None, 200).await?,
        )
    } else {
        (
            vec![],
            st.store
                .notices(&scope, Some(v.user.staff_id.unwrap_or(-1)), 200)
                .await?,
        )
    };
    Ok(Html(
        BoardPage {
            ctx: ctx(&v, "/rectification/board"),
            mine: !overseer,
            counts,
            notices,
        }
        .render()?,
    )
    .into_response())
}

fn can_convene(u: &User) -> bool {
    allowed(u.role, Action::Convene)
}

fn can_see_meetings(u: &User) -> bool {
    allowed(u.role, Action::ReadMeetings)
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    ctx: Ctx,
    meetings: Vec<duban_store::meetings::Meeting>,
    can_convene: bool,
    today: String,
    error: Option<String>,
}

async fn meetings_view(st: &AppState, v: &Viewer, error: Option<String>) -> PageResult {
    if !can_see_meetings(&v.user) {
        return Err(AppError::Forbidden);
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MeetingsPage {
        ctx: ctx(v, "/rectification/meetings"),
        meetings: st.store.meetings(&v.user.scope()).await?,
        can_convene: can_convene(&v.user),
        today: today().to_string(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn meetings(State(st): State<AppState>, v: Viewer) -> PageResult {
    meetings_view(&st, &v, None).await
}

#[derive(Deserialize)]
struct ConveneForm {
    held_on: String,
    title: String,
}

async fn convene(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<ConveneForm>,
) -> PageResult {
    let held = match parse_date(&f.held_on) {
        Ok(d) => d,
        Err(e) => return meetings_view(&st, &v, Some(e.to_string())).await,
    };
    let title = match text::required(&f.title, 100) {
        Ok(t) => t,
        Err(e) => return meetings_view(&st, &v, Some(format!("名称{e}"))).await,
    };
    let id = st
        .store
        .create_meeting(&v.user.actor(), v.user.unit_id, held, &title)
        .await?;
    Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    ctx: Ctx,
    meeting: duban_store::meetings::Meeting,
    items: Vec<duban_store::meetings::Item>,
    can_decide: bool,
    error: Option<String>,
}

async fn meeting_view(st: &AppState, v: &Viewer, id: i64, error: Option<String>) -> PageResult {
    if !can_see_meetings(&v.user) {
        return Err(AppError::Forbidden);
    }
    let (meeting, items) = st
        .store
        .meeting(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MeetingPage {
        ctx: ctx(v, "/rectification/meetings"),
        meeting,
        items,
        can_decide: can_convene(&v.user),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn meeting(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    meeting_view(&st, &v, id, None).await
}

#[derive(Deserialize)]
struct MinutesForm {
    minutes: String,
}

async fn minutes(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<MinutesForm>,
) -> PageResult {
    let m = f.minutes.replace("\r\n", "\n").replace('\n', "\t");
    let m = match text::optional(&m, 8000) {
        Ok(m) => m.replace('\t', "\n"),
        Err(e) => return meeting_view(&st, &v, id, Some(format!("会议纪要{e}"))).await,
    };
    st.store
        .set_minutes(&v.user.actor(), &v.user.scope(), id, &m)
        .await?;
    Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response())
}

#[derive(Deserialize)]
struct DecideForm {
    decision: String,
    action: String,
    #[serde(default)]
    deadline: String,
}

async fn decide(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, item)): Path<(i64, i64)>,
    crate::auth::Form(f): crate::auth::Form<DecideForm>,
) -> PageResult {
    use duban_store::meetings::Action;
    st.store
        .meeting(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = match f.action.as_str() {
        "deadline" => match parse_date(&f.deadline) {
            Ok(d) => Action::Deadline(d),
            Err(_) => {
                return meeting_view(&st, &v, id, Some("调整完成时限须填写新的日期".into())).await;
            }
        },
        "notice" => Action::Notice,
        "lookback" => Action::LookBack,
        _ => Action::Note,
    };
    let decision = match text::required(&f.decision, 500) {
        Ok(d) => d,
        Err(e) => return meeting_view(&st, &v, id, Some(format!("会商决定{e}"))).await,
    };
    let author = author_of(&st, &v.user).await?;
    match st
        .store
        .decide(&author, &v.user.scope(), id, item, &decision, action)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rectification/meetings/{id}")).into_response()),
        Err(duban_store::StoreError::Invalid(m)) => meeting_view(&st, &v, id, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

/// A Chinese input error becomes a message to show on the form; anything else stays an error.
fn form_error(e: AppError) -> Result<String, AppError> {
    match e.localized(crate::i18n::Tr(crate::i18n::Lang::Zh)) {
        AppError::BadRequest(m) => Ok(m),
        other => Err(other),
    }
}

#[derive(Deserialize)]
struct RoundForm {
    #[serde(default)]
    kind: String,
    title: String,
    inspector: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    feedback: String,
}

async fn create_round(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<RoundForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        let kind = if f.kind.is_empty() {
            Some(SourceKind::Central)
        } else {
            SourceKind::parse(&f.kind)
        }
        .ok_or_else(|| AppError::BadRequest("督办事项类型无效".into()))?;
        let title = text::required(&f.title, 100)
            .map_err(|e| AppError::BadRequest(format!("来源名称{e}")))?;
        let inspector = text::required(&f.inspector, 60)
            .map_err(|e| AppError::BadRequest(format!("提出方{e}")))?;
        let d = |s: &str| parse_date(s).map_err(|e| AppError::BadRequest(e.to_string()));
        let feedback = d(&f.feedback)?;
        // an inspection has its period; for other matters it defaults to the day itself
        let (from, to) = match (f.from.trim(), f.to.trim()) {
            ("", "") if !kind.is_inspection() => (feedback, feedback),
            ("", _) | (_, "") => return Err(AppError::BadRequest("请填写开始和结束日期".into())),
            (a, b) => (d(a)?, d(b)?),
        };
        Ok(st
            .store
            .create_round(
                &v.user.actor(),
                v.user.unit_id,
                kind,
                &title,
                &inspector,
                from,
                to,
                feedback,
            )
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/rectification").into_response()),
        Err(e) => {
            let m = form_error(e)?;
            plans_error(&st, &v, m).await
        }
    }
}

async fn plans_error(st: &AppState, v: &Viewer, m: String) -> PageResult {
    let scope = v.user.scope();
    let page = PlansPage {
        kinds: SourceKind::ALL,
        ctx: ctx(v, "/rectification"),
        rounds: st.store.rounds(&scope).await?,
        plans: st.store.plans(&scope).await?,
        can_import: can_import(&v.user),
        problems: vec![],
        error: Some(m),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct PlanForm {
    round: String,
    title: String,
    body: String,
    adopted_on: String,
}

async fn create_plan(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<PlanForm>,
) -> PageResult {
    let r: Result<i64, AppError> = async {
        let round = f
            .round
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("请选择巡视轮次".into()))?;
        let title = text::required(&f.title, 100)
            .map_err(|e| AppError::BadRequest(format!("方案名称{e}")))?;
        let body = text::required(&f.body, 60)
            .map_err(|e| AppError::BadRequest(format!("责任主体{e}")))?;
        let adopted = parse_date(&f.adopted_on).map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(st
            .store
            .create_plan(
                &v.user.actor(),
                round,
                v.user.unit_id,
                &title,
                &body,
                adopted,
            )
            .await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/rectification/plans/{id}/problems")).into_response()),
        Err(e) => {
            let m = form_error(e)?;
            plans_error(&st, &v, m).await
        }
    }
}

#[derive(Deserialize)]
struct ProblemForm {
    feedback: String,
    #[serde(default)]
    manifestation: String,
}

async fn add_problem(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<ProblemForm>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let r: Result<i64, AppError> = async {
        let feedback = text::required(&f.feedback, 500)
            .map_err(|e| AppError::BadRequest(format!("反馈问题{e}")))?;
        let m = text::optional(
            &f.manifestation.replace("\r\n", " ").replace('\n', " "),
            2000,
        )
        .map_err(|e| AppError::BadRequest(format!("具体表现{e}")))?;
        Ok(st
            .store
            .add_problem(&v.user.actor(), &plan, &feedback, &m)
            .await?)
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/rectification/plans/{id}/problems")).into_response()),
        Err(e) => {
            let m = form_error(e)?;
            problems_view(&st, &v, plan, Some(m)).await
        }
    }
}

async fn add_task(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    // repeated "dept" fields: read the pairs
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| AppError::BadRequest(format!("表单内容有误：{e}")))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let r: Result<i64, AppError> = async {
        let title = text::required(&get("title"), 500)
            .map_err(|e| AppError::BadRequest(format!("整改任务{e}")))?;
        let measure = text::optional(
            &get("measure").replace("\r\n", " ").replace('\n', " "),
            2000,
        )
        .map_err(|e| AppError::BadRequest(format!("整改措施{e}")))?;
        let standard = text::optional(&get("standard"), 500)
            .map_err(|e| AppError::BadRequest(format!("完成标准{e}")))?;
        let category = Category::parse(&get("category"))
            .ok_or_else(|| AppError::BadRequest("请选择类别".into()))?;
        let deadline = match get("deadline").trim() {
            "" if category != Category::LongTerm => {
                return Err(AppError::BadRequest(
                    "立行立改和限期整改任务须填写完成时限".into(),
                ));
            }
            "" => None,
            d => Some(parse_date(d).map_err(|e| AppError::BadRequest(e.to_string()))?),
        };
        let problem = get("problem").parse::<i64>().ok();
        let leader = get("leader").parse::<i64>().ok();
        let responsible = match get("responsible").trim() {
            "" => None,
            no => {
                let (staff, _) = st
                    .store
                    .staff_of_unit(plan.unit_id, false, 100_000, 0)
                    .await?;
                Some(
                    staff
                        .into_iter()
                        .find(|s| s.staff_no == no)
                        .map(|s| s.id)
                        .ok_or_else(|| {
                            AppError::BadRequest(format!("本单位没有工号为 {no} 的人员"))
                        })?,
                )
            }
        };
        let depts: Vec<(i64, bool)> = pairs
            .iter()
            .filter(|(n, _)| n == "dept")
            .filter_map(|(_, v)| v.parse::<i64>().ok())
            .enumerate()
            .map(|(i, d)| (d, i == 0))
            .collect();
        if depts.is_empty() {
            return Err(AppError::BadRequest("请至少选择一个责任部门".into()));
        }
        let nt = duban_store::rectification::NewTask {
            plan_id: plan.id,
            problem_id: problem,
            title: &title,
            measure: &measure,
            category,
            deadline,
            standard: &standard,
            lead_leader_id: leader,
            responsible_id: responsible,
            departments: depts,
            created_on: today(),
        };
        Ok(st.store.add_task(&v.user.actor(), &plan, &nt).await?)
    }
    .await;
    match r {
        Ok(t) => Ok(Redirect::to(&format!("/rectification/tasks/{t}")).into_response()),
        Err(e) => {
            let m = form_error(e)?;
            problems_view(&st, &v, plan, Some(m)).await
        }
    }
}

#[derive(Deserialize)]
struct CascadeForm {
    level: String,
}

/// Issues the plan to every unit of a level below the plan's unit (the office of that unit, with
/// a subtree scope).
async fn cascade(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<CascadeForm>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let level = f
        .level
        .parse::<i64>()
        .ok()
        .filter(|l| (2..=4).contains(l))
        .ok_or_else(|| AppError::BadRequest("请选择下发层级".into()))?;
    let (units, _) = st
        .store
        .units(&v.user.scope(), Some(level), "", 100_000, 0)
        .await?;
    let ids: Vec<i64> = units
        .iter()
        .filter(|u| u.id != plan.unit_id)
        .map(|u| u.id)
        .collect();
    st.store
        .cascade_plan(&v.user.actor(), &plan, &ids, today())
        .await?;
    Ok(Redirect::to(&format!("/rectification/plans/{id}")).into_response())
}

// ---- supervision rules (administrators) ----

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    ctx: Ctx,
    rules: rules::SupervisionRules,
    can_edit: bool,
    flash: Option<String>,
    error: Option<String>,
}

async fn rules_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let page = RulesPage {
        ctx: ctx(v, "/rectification/rules"),
        rules: st.store.supervision_rules().await?,
        can_edit: v.user.role == duban_domain::org::Role::Admin,
        flash,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn rules_page(State(st): State<AppState>, v: Viewer) -> PageResult {
    rules_view(&st, &v, None, None).await
}

#[derive(Deserialize)]
struct RulesForm {
    due_soon_days: String,
    stale_days: String,
    staged_every_days: String,
    yellow_after_days: String,
    red_after_days: String,
    reviewer_discipline: Option<String>,
    reviewer_office: Option<String>,
    // the letters' clocks (a form without them keeps them)
    #[serde(default)]
    ack_days: String,
    #[serde(default)]
    ack_counting: String,
    #[serde(default)]
    reply_months: String,
    #[serde(default)]
    reply_counting: String,
    #[serde(default)]
    progress_every_months: String,
    #[serde(default)]
    records_remind_day: String,
    // the under-reporting thresholds
    #[serde(default)]
    flag_z: String,
    #[serde(default)]
    flag_min_staff_months: String,
    #[serde(default)]
    flag_zero_streak_months: String,
    #[serde(default)]
    flag_drop_ratio: String,
    #[serde(default)]
    flag_alpha: String,
    // roles granted the records' details (checkboxes)
    grant_leader: Option<String>,
    grant_office: Option<String>,
    grant_admin: Option<String>,
    #[serde(default)]
    ledger_grace_days: String,
    #[serde(default)]
    letter_grace_working_days: String,
}

async fn set_rules(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<RulesForm>,
) -> PageResult {
    let days = |raw: &str, label: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| format!("“{label}”应为整数天数"))
    };
    let current = st.store.supervision_rules().await?;
    let old = current.letter_clocks;
    let count = |raw: &str, label: &str, old: u32| {
        if raw.trim().is_empty() {
            return Ok(old);
        }
        raw.trim()
            .parse::<u32>()
            .map_err(|_| format!("“{label}”应为正整数"))
    };
    let counting = |raw: &str, old| {
        if raw.trim().is_empty() {
            return Ok(old);
        }
        duban_domain::calendar::Counting::parse(raw)
            .ok_or_else(|| "计算方式只能是自然日或工作日".to_string())
    };
    let parsed: Result<rules::SupervisionRules, String> = (|| {
        use duban_domain::org::Role;
        let mut reviewers = Vec::new();
        if f.reviewer_discipline.is_some() {
            reviewers.push(Role::Discipline);
        }
        if f.reviewer_office.is_some() {
            reviewers.push(Role::Office);
        }
        Ok(rules::SupervisionRules {
            lights: LightRules {
                due_soon_days: days(&f.due_soon_days, "临近期限天数")?,
                stale_days: days(&f.stale_days, "未登记台账天数")?,
                staged_every_days: days(&f.staged_every_days, "阶段性成效报送周期")?,
            },
            urging: rules::urging::UrgeRules {
                yellow_after_days: days(&f.yellow_after_days, "逾期几天发黄色督办单")?,
                red_after_days: days(&f.red_after_days, "逾期几天发红色督办单")?,
            },
            reviewers,
            letter_clocks: duban_domain::letters::ClockRules {
                ack_days: count(&f.ack_days, "程序性回复期限", old.ack_days)?,
                ack_counting: counting(&f.ack_counting, old.ack_counting)?,
                reply_months: count(&f.reply_months, "办理过程或结果答复期限", old.reply_months)?,
                reply_counting: counting(&f.reply_counting, old.reply_counting)?,
                progress_every_months: count(
                    &f.progress_every_months,
                    "办理进展答复周期",
                    old.progress_every_months,
                )?,
            },
            records_remind_day: count(
                &f.records_remind_day,
                "三个规定报送提醒日",
                current.records_remind_day,
            )?,
            records_flags: {
                let old = current.records_flags;
                let real = |raw: &str, label: &str, old: f64| {
                    if raw.trim().is_empty() {
                        return Ok(old);
                    }
                    raw.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| format!("“{label}”应为数值"))
                };
                duban_domain::records::FlagRules {
                    z: real(&f.flag_z, "稳健 z 值阈值", old.z)?,
                    min_staff_months: u64::from(count(
                        &f.flag_min_staff_months,
                        "最小人月数",
                        u32::try_from(old.min_staff_months).unwrap_or(u32::MAX),
                    )?),
                    zero_streak_months: count(
                        &f.flag_zero_streak_months,
                        "连续无记录月数",
                        old.zero_streak_months as u32,
                    )? as usize,
                    drop_ratio: real(&f.flag_drop_ratio, "骤降比例", old.drop_ratio)?,
                    alpha: real(&f.flag_alpha, "显著性水平", old.alpha)?,
                }
            },
            integrity: rules::IntegrityRules {
                ledger_grace_days: count(
                    &f.ledger_grace_days,
                    "台账补录期限",
                    current.integrity.ledger_grace_days as u32,
                )? as i64,
                letter_grace_working_days: count(
                    &f.letter_grace_working_days,
                    "来信办理补录期限",
                    current.integrity.letter_grace_working_days as u32,
                )? as i64,
            },
            records_detail_roles: [
                (&f.grant_leader, Role::Leader),
                (&f.grant_office, Role::Office),
                (&f.grant_admin, Role::Admin),
            ]
            .iter()
            .filter(|(on, _)| on.is_some())
            .map(|(_, r)| *r)
            .collect(),
        })
    })();
    let result = match parsed {
        Ok(r) => st
            .store
            .set_supervision_rules(&v.user.actor(), &r)
            .await
            .map_err(AppError::from),
        Err(m) => Err(AppError::BadRequest(m)),
    };
    match result.map_err(|e| e.localized(v.t)) {
        Ok(()) => rules_view(&st, &v, Some(v.t.s("rules.saved").into()), None).await,
        Err(e) => {
            let m = form_error(e)?;
            rules_view(&st, &v, None, Some(m)).await
        }
    }
}

/// Sets the lead leader, the responsible person and the departments of a task (the office of the
/// task's unit; in a cascaded copy, the unit sets its own).
async fn assign_task(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> PageResult {
    let task = st
        .store
        .task_in_scope(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = scoped_plan(&st, &v, task.plan_id).await?;
    let author = author_of(&st, &v.user).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| AppError::BadRequest(format!("表单内容有误：{e}")))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let r: Result<(), AppError> = async {
        let leader = match get("leader").as_str() {
            "" => None,
            l => Some(
                l.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("请选择牵头领导".into()))?,
            ),
        };
        let responsible = match get("responsible").as_str() {
            "" => None,
            no => Some(
                st.store
                    .staff_of_unit(plan.unit_id, false, 100_000, 0)
                    .await?
                    .0
                    .into_iter()
                    .find(|s| s.staff_no == no)
                    .map(|s| s.id)
                    .ok_or_else(|| AppError::BadRequest(format!("本单位没有工号为 {no} 的人员")))?,
            ),
        };
        let depts: Vec<(i64, bool)> = pairs
            .iter()
            .filter(|(n, _)| n == "dept")
            .filter_map(|(_, v)| v.parse::<i64>().ok())
            .enumerate()
            .map(|(i, d)| (d, i == 0))
            .collect();
        Ok(st
            .store
            .assign_task(&author, &task, plan.unit_id, leader, responsible, &depts)
            .await?)
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/rectification/tasks/{id}")).into_response()),
        Err(e) => {
            let m = form_error(e)?;
            task_view(&st, &v, id, Some(m)).await
        }
    }
}
