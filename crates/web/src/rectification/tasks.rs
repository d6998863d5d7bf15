//! A task: its page and ledger, entries, adjustments, evidence; my tasks; the supervision board;
//! assigning leaders and departments.
use super::*;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use crate::kit::{Ctx, ctx};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use duban_domain::access::{Action, allowed};
use duban_domain::calendar::parse_date;
use duban_domain::ledger;
use duban_domain::rectification::SourceKind;
use duban_domain::rectification::{self as rules, Light};
use duban_domain::text;
use duban_store::rectification::{Author, EntryKind, LedgerEntry, NewEntry, Task, Upload};
use duban_store::users::User;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "task.html")]
pub(crate) struct TaskPage {
    ctx: Ctx,
    task: Task,
    plan_title: String,
    /// why the light is what it is ("逾期 37 天")
    why: Option<String>,
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
pub(crate) struct EntryForm {
    kind: String,
    date: String,
    body: String,
    corrects: String,
    late_reason: String,
    /// files uploaded with a refused try, kept for this session
    kept: Vec<duban_store::kept::Kept>,
}

/// What the task page shows besides the task: a refusal beside the form that caused it.
#[derive(Default)]
pub(crate) struct TaskMsgs {
    error: Option<String>,
    adj_error: Option<String>,
    form: EntryForm,
}

pub(crate) fn author_of(user: &User) -> Author {
    Author {
        user_id: Some(user.id),
        login: user.login.clone(),
        role: user.role,
        staff_id: user.staff_id,
        departments: user.departments(),
    }
}

/// The entry kinds this user may add to this task now, as the domain's ledger rule says.
pub(crate) fn allowed_kinds(
    author: &Author,
    task: &Task,
    task_depts: &[i64],
    reviewers: &[duban_domain::org::Role],
    request_authors: &[i64],
    source: duban_domain::rectification::SourceKind,
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
        source,
    };
    EntryKind::ALL
        .into_iter()
        .filter(|k| ledger::may_add(&actor, &facts, *k, reviewers).is_ok())
        .map(|k| k.as_str())
        .collect()
}

pub(crate) async fn task_view(
    st: &AppState,
    v: &Viewer,
    id: i64,
    error: Option<String>,
) -> PageResult {
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

pub(crate) async fn task_view_with(
    st: &AppState,
    v: &Viewer,
    id: i64,
    msgs: TaskMsgs,
) -> PageResult {
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
    let author = author_of(&v.user);
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
        light: rules::light(&task.facts(), v.today, &sup.lights),
        why: {
            let why = rules::why(&task.facts(), v.today, &sup.lights);
            if v.t.0 == crate::i18n::Lang::En {
                why.en()
            } else {
                why.zh()
            }
        },
        kinds: allowed_kinds(
            &author,
            &task,
            &depts,
            &sup.reviewers,
            &request_authors,
            SourceKind::parse(&plan.round_kind).unwrap_or(SourceKind::Central),
        ),
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
        today: st.store.today().to_string(),
        error,
        task,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn task(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    task_view(&st, &v, id, None).await
}

/// The accounts that wrote the pending closure request and what followed it (for the page's
/// choice of kinds; the store decides on its own reading).
pub(crate) fn pending_request_authors(ledger: &[LedgerEntry]) -> Vec<i64> {
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
    let author = author_of(user);
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

pub(crate) async fn add_entry(
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
    let mut kept_tokens = Vec::new();
    let map = crate::kit::multipart_error;
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
            "kept" => kept_tokens.push(value),
            _ => {}
        }
    }
    // the files kept from a refused try come first, then the ones chosen now
    let kept = st.store.kept_uploads(&v.csrf, &kept_tokens).await?;
    let (kept, mut all): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
    let new_files = files.clone();
    all.extend(files);
    // "更正第几条": the entry's number in this task's ledger, as the page numbers them
    let ledger_ids: Vec<i64> = st
        .store
        .ledger(task.id)
        .await?
        .iter()
        .map(|e| e.id)
        .collect();
    let corrects = match form.corrects.trim() {
        "" => Ok(None),
        c => c
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| ledger_ids.get(i).copied())
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "更正条目须为本任务台账的第 1—{} 条",
                    ledger_ids.len()
                ))
            }),
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
            all,
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    match result.map_err(|e| e.localized(v.t)) {
        Ok(()) => {
            st.store.drop_kept(&v.csrf, &kept_tokens).await?;
            Ok(Redirect::to(&format!("/rectification/tasks/{}#saved", task.id)).into_response())
        }
        Err(AppError::BadRequest(m)) => {
            // what was uploaded waits for the next try, with what was kept before
            form.kept = kept;
            form.kept
                .extend(st.store.keep_uploads(&v.csrf, &new_files).await?);
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
pub(crate) struct AdjustForm {
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// The office edits a task or requests a change of its deadline or category.
pub(crate) async fn request_adjustment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<AdjustForm>,
) -> PageResult {
    let author = author_of(&v.user);
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
pub(crate) struct DecideAdjustmentForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// A reviewer approves or rejects a requested adjustment.
pub(crate) async fn decide_adjustment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    crate::auth::Form(f): crate::auth::Form<DecideAdjustmentForm>,
) -> PageResult {
    let author = author_of(&v.user);
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

pub(crate) async fn adjustment_result(
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

pub(crate) async fn evidence(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
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

impl TaskPage {
    /// An entry's number in this task's ledger (1 for the first, as listed), for "更正第几条".
    fn no(&self, id: &i64) -> usize {
        self.ledger
            .iter()
            .position(|e| e.id == *id)
            .map_or(0, |i| i + 1)
    }
}

#[derive(Template)]
#[template(path = "mine.html")]
pub(crate) struct MinePage {
    ctx: Ctx,
    rows: Vec<(Task, Light)>,
}

pub(crate) async fn mine(State(st): State<AppState>, v: Viewer) -> PageResult {
    let depts = v.user.departments();
    let tasks = st
        .store
        .my_tasks(&v.user.scope(), v.user.staff_id, &depts)
        .await?;
    let r = st.store.supervision_rules().await?.lights;
    let mut rows: Vec<(Task, Light)> = tasks
        .into_iter()
        .map(|t| {
            let l = rules::light(&t.facts(), st.store.today(), &r);
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
pub(crate) struct BoardPage {
    ctx: Ctx,
    mine: bool,
    counts: Vec<duban_store::supervision::LeaderCount>,
    notices: Vec<duban_store::supervision::Notice>,
    /// not the first page
    paged: bool,
    next: Option<String>,
    /// the filters as asked (kind or colour, answer state)
    level: String,
    state: String,
    states: [&'static str; 4],
    /// a notice issued on or before this day and still unanswered is overdue for its answer
    answer_due: String,
}

impl BoardPage {
    /// The board with the same filters, from the start (`None`) or after a cursor.
    fn href(&self, after: Option<&str>) -> String {
        crate::kit::link(
            "/rectification/board",
            &[
                ("level", self.level.clone()),
                ("state", self.state.clone()),
                ("after", after.unwrap_or("").to_string()),
            ],
        )
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct BoardQuery {
    after: Option<String>,
    #[serde(default)]
    level: String,
    #[serde(default)]
    state: String,
}

/// Whose notices an account's board shows: every one in scope for those who oversee notices
/// (`None`), otherwise those addressed to the account's person (none for an account bound to
/// nobody). The page and the API read the board through this.
pub(crate) fn board_addressee(user: &duban_store::users::User) -> Option<i64> {
    (!allowed(user.role, Action::OverseeNotices)).then(|| user.staff_id.unwrap_or(-1))
}

/// Notices on one page of the board.
const BOARD_PAGE: i64 = 50;

/// The supervision board: the office and the discipline group see every reminder and notice in
/// scope with counts per lead leader; others see those addressed to them. Paged newest first.
pub(crate) async fn board(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<BoardQuery>,
) -> PageResult {
    let scope = v.user.scope();
    let overseer = allowed(v.user.role, Action::OverseeNotices);
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let addressee = board_addressee(&v.user);
    let counts = if overseer && after.is_none() {
        st.store.notice_counts(&scope).await?
    } else {
        vec![]
    };
    let filter = duban_store::supervision::delivery::NoticeFilter::parse(&q.level, &q.state)?;
    let (notices, next) = st
        .store
        .notices_filtered(&scope, addressee, &filter, after, BOARD_PAGE)
        .await?;
    Ok(Html(
        BoardPage {
            ctx: ctx(&v, "/rectification/board"),
            mine: !overseer,
            counts,
            notices,
            paged: after.is_some(),
            next,
            level: filter.level.unwrap_or("").to_string(),
            state: filter.state.map(|s| s.as_str()).unwrap_or("").to_string(),
            states: duban_store::supervision::delivery::AnswerState::ALL.map(|s| s.as_str()),
            answer_due: (v.today - chrono::Duration::days(duban_domain::todo::NOTICE_ANSWER_DAYS))
                .to_string(),
        }
        .render()?,
    )
    .into_response())
}

/// Sets the lead leader, the responsible person and the departments of a task (the office of the
/// task's unit; in a cascaded copy, the unit sets its own).
pub(crate) async fn assign_task(
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
    let author = author_of(&v.user);
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
            let m = form_error(e, v.t)?;
            task_view(&st, &v, id, Some(m)).await
        }
    }
}
