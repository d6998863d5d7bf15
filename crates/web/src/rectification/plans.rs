//! Plans: the list, a plan's dashboard as of a day, its problem, task and responsibility lists.
use super::*;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use crate::kit::{Ctx, ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use chrono::NaiveDate;
use duban_domain::rectification::{
    self as rules, Category, Light, PlanStats, SourceKind, TaskState,
};
use duban_domain::text;
use duban_publish::chart::stacked_bars;
use duban_store::rectification::{Plan, Problem, Round, Task};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "plans.html")]
pub(crate) struct PlansPage {
    ctx: Ctx,
    kinds: Vec<SourceKind>,
    rounds: Vec<Round>,
    plans: Vec<Plan>,
    can_import: bool,
    problems: Vec<duban_domain::import::CellError>,
    error: Option<String>,
}

pub(crate) async fn plans_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    problems: Vec<duban_domain::import::CellError>,
    error: Option<String>,
) -> PageResult {
    let scope = v.user.scope();
    let mut c = ctx(v, "/rectification");
    c.flash = flash;
    let status = if problems.is_empty() && error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PlansPage {
        // the kinds this account may open here (a discipline recommendation is issued on the desk)
        kinds: SourceKind::ALL
            .into_iter()
            .filter(|k| {
                *k != SourceKind::Discipline
                    && duban_domain::access::allowed(v.user.role, k.opened_by())
            })
            .collect(),
        ctx: c,
        rounds: st.store.rounds(&scope).await?,
        plans: st.store.plans(&scope).await?,
        can_import: can_import(&v.user),
        problems,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn plans(State(st): State<AppState>, v: Viewer) -> PageResult {
    plans_view(&st, &v, None, vec![], None).await
}

#[derive(Deserialize, Default)]
pub(crate) struct PlanQuery {
    pub(crate) as_of: Option<String>,
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
pub(crate) struct PlanPage {
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
pub(crate) async fn task_rows(
    st: &AppState,
    plan_id: i64,
    as_of: NaiveDate,
    q: &PlanQuery,
) -> Result<(Vec<(Task, Light, TaskState)>, PlanStats), AppError> {
    let rules_ = st.store.supervision_rules().await?.lights;
    let tasks = st.store.tasks(plan_id).await?;
    let histories: std::collections::HashMap<i64, rules::TaskHistory> =
        st.store.plan_histories_on(plan_id, as_of, &tasks).await?;
    let stats = rules::plan_stats(
        &histories.values().cloned().collect::<Vec<_>>(),
        as_of,
        &rules_,
    );
    let search = text::optional(q.q.as_deref().unwrap_or(""), 50)
        .map_err(|e| AppError::BadRequest(format!("查询条件{e}")))?;
    let mut rows: Vec<(Task, Light, TaskState)> = tasks
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
                    || t.departments.iter().any(|d| d.contains(&search))
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

pub(crate) async fn plan(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let as_of = as_of_param(q.as_of.as_deref(), v.today)?;
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
                task.departments.join("、"),
                task.responsible.clone().unwrap_or_default(),
                task.deadline
                    .map_or_else(|| t.s("rect.long_term").into(), |d| d.to_string()),
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
pub(crate) struct ProblemsPage {
    ctx: Ctx,
    plan: Plan,
    problems: Vec<Problem>,
    can_edit: bool,
    error: Option<String>,
    categories: [Category; 3],
    leaders: Vec<duban_store::org::StaffMember>,
    departments: Vec<duban_store::org::Department>,
}

pub(crate) async fn problems_view(
    st: &AppState,
    v: &Viewer,
    plan: Plan,
    error: Option<String>,
) -> PageResult {
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
pub(crate) struct FormatQuery {
    format: Option<String>,
}

pub(crate) async fn problems(
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
pub(crate) struct ResponsibilitiesPage {
    ctx: Ctx,
    plan: Plan,
    tasks: Vec<Task>,
}

pub(crate) async fn responsibilities(
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
                x.departments.join("、"),
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
