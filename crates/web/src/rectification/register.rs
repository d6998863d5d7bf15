//! Registering rounds, plans, problems and tasks by hand; importing and exporting the ledger
//! workbook; issuing a plan to the units below.
use super::*;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use duban_domain::access::Action;
use duban_domain::calendar::parse_date;
use duban_domain::rectification::{Category, SourceKind};
use duban_domain::text;
use serde::Deserialize;

/// Imports a ledger workbook into a plan of the user's own unit.
pub(crate) async fn import_ledger(
    State(st): State<AppState>,
    v: Viewer,
    mut mp: Multipart,
) -> PageResult {
    // the right before the upload is parsed (the store decides the import itself)
    duban_domain::access::decide(Some(v.user.role), Action::ManagePlans)?;
    let map = crate::kit::multipart_error;
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
        Err(e) => return plans_view(&st, &v, None, one(format!("方案名称{e}")), None).await,
    };
    let Some((name, bytes)) = file else {
        return plans_view(&st, &v, None, one("没有收到文件".into()), None).await;
    };
    let table = match crate::uploads::parse_table(name.clone(), bytes.to_vec()).await {
        Ok(t) => t,
        Err(e) => return plans_view(&st, &v, None, one(e.to_string()), None).await,
    };
    let importer = author_of(&v.user);
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
            plans_view(&st, &v, Some(msg), vec![], None).await
        }
        Err(duban_store::StoreError::Import(problems)) => {
            plans_view(&st, &v, None, problems, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn ledger_xlsx(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    let plan = scoped_plan(&st, &v, id).await?;
    let as_of = as_of_param(q.as_of.as_deref(), v.today)?;
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

#[derive(Deserialize)]
pub(crate) struct RoundForm {
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

pub(crate) async fn create_round(
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
            let m = form_error(e, v.t)?;
            plans_error(&st, &v, m).await
        }
    }
}

pub(crate) async fn plans_error(st: &AppState, v: &Viewer, m: String) -> PageResult {
    plans_view(st, v, None, vec![], Some(m)).await
}

#[derive(Deserialize)]
pub(crate) struct PlanForm {
    round: String,
    title: String,
    body: String,
    adopted_on: String,
}

pub(crate) async fn create_plan(
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
            let m = form_error(e, v.t)?;
            plans_error(&st, &v, m).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ProblemForm {
    feedback: String,
    #[serde(default)]
    manifestation: String,
}

pub(crate) async fn add_problem(
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
            let m = form_error(e, v.t)?;
            problems_view(&st, &v, plan, Some(m)).await
        }
    }
}

pub(crate) async fn add_task(
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
            created_on: st.store.today(),
        };
        Ok(st.store.add_task(&v.user.actor(), &plan, &nt).await?)
    }
    .await;
    match r {
        Ok(t) => Ok(Redirect::to(&format!("/rectification/tasks/{t}")).into_response()),
        Err(e) => {
            let m = form_error(e, v.t)?;
            problems_view(&st, &v, plan, Some(m)).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CascadeForm {
    level: String,
}

/// Issues the plan to every unit of a level below the plan's unit (the office of that unit, with
/// a subtree scope).
pub(crate) async fn cascade(
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
        .cascade_plan(&v.user.actor(), &plan, &ids, st.store.today())
        .await?;
    Ok(Redirect::to(&format!("/rectification/plans/{id}")).into_response())
}
