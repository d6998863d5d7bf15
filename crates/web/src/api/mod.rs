//! The JSON API under `/api/v1`. Routes and their OpenAPI description come from one table, so
//! the description cannot miss a route.
pub mod docs;
use crate::AppState;
use crate::auth::ApiUser;
use crate::calendar::DeadlineQuery;
use crate::error::{ApiError, AppError};
use crate::users::NewUserForm;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use duban_domain::access::{Action, allowed};
use duban_domain::records::Month;
use duban_domain::text;
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult = Result<Json<Value>, ApiError>;

/// (name, location, type, required, description)
type Param = (&'static str, &'static str, &'static str, bool, &'static str);

pub struct Spec {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    pub body: Option<(&'static str, &'static str)>,
}

const PAGING: [Param; 2] = [
    (
        "limit",
        "query",
        "integer",
        false,
        "每页条数，最多 500，默认 50",
    ),
    ("offset", "query", "integer", false, "跳过的条数"),
];

fn table(upload_limit: usize) -> Vec<(Spec, MethodRouter<AppState>)> {
    vec![
        (
            Spec {
                method: "get",
                path: "/me",
                summary: "当前用户及其角色、单位和数据范围",
                params: &[],
                body: None,
            },
            get(me),
        ),
        (
            Spec {
                method: "get",
                path: "/units",
                summary: "数据范围内的单位列表",
                params: &[
                    ("level", "query", "integer", false, "层级 1–4"),
                    ("q", "query", "string", false, "名称或代码"),
                    PAGING[0],
                    PAGING[1],
                ],
                body: None,
            },
            get(units),
        ),
        (
            Spec {
                method: "get",
                path: "/units/{id}",
                summary: "单位详情：内设机构、院领导、下级单位",
                params: &[("id", "path", "integer", true, "单位 id")],
                body: None,
            },
            get(unit),
        ),
        (
            Spec {
                method: "get",
                path: "/units/{id}/staff",
                summary: "单位人员",
                params: &[
                    ("id", "path", "integer", true, "单位 id"),
                    PAGING[0],
                    PAGING[1],
                ],
                body: None,
            },
            get(unit_staff),
        ),
        (
            Spec {
                method: "get",
                path: "/staff/{id}",
                summary: "人员详情",
                params: &[("id", "path", "integer", true, "人员 id")],
                body: None,
            },
            get(staff),
        ),
        (
            Spec {
                method: "get",
                path: "/audit",
                summary: "审计日志（管理员、纪检监察组；按数据范围）",
                params: &[
                    ("action", "query", "string", false, "操作类型前缀，如 unit."),
                    (
                        "before",
                        "query",
                        "integer",
                        false,
                        "只列序号小于此值的条目",
                    ),
                    PAGING[0],
                ],
                body: None,
            },
            get(audit),
        ),
        (
            Spec {
                method: "get",
                path: "/audit/verify",
                summary: "校验审计哈希链（全国范围的管理员、纪检监察组）",
                params: &[],
                body: None,
            },
            get(audit_verify),
        ),
        (
            Spec {
                method: "get",
                path: "/calendar/deadline",
                summary: "按法定节假日与调休计算期限（起算日不计入）",
                params: &[
                    ("start", "query", "string", true, "起算日 YYYY-MM-DD"),
                    (
                        "days",
                        "query",
                        "integer",
                        false,
                        "天数（与 months 二选一）",
                    ),
                    ("months", "query", "integer", false, "月数"),
                    (
                        "counting",
                        "query",
                        "string",
                        false,
                        "calendar（默认）或 working",
                    ),
                ],
                body: None,
            },
            get(deadline),
        ),
        (
            Spec {
                method: "get",
                path: "/calendar/{year}",
                summary: "某年的法定节假日与调休上班日",
                params: &[("year", "path", "integer", true, "年份")],
                body: None,
            },
            get(calendar_year),
        ),
        (
            Spec {
                method: "post",
                path: "/import/{kind}",
                summary: "导入单位（units）或人员（staff）；文件有任何错误则全部不导入，并逐行逐列报告",
                params: &[
                    ("kind", "path", "string", true, "units 或 staff"),
                    (
                        "filename",
                        "query",
                        "string",
                        false,
                        "文件名，用于判断 CSV/XLSX",
                    ),
                ],
                body: Some(("application/octet-stream", "CSV（UTF-8）或 XLSX 文件内容")),
            },
            post(import).layer(DefaultBodyLimit::max(upload_limit)),
        ),
        (
            Spec {
                method: "get",
                path: "/letters",
                summary: "数据范围内的群众信访件（不含信访人信息），未办结在前",
                params: &[(
                    "limit",
                    "query",
                    "integer",
                    false,
                    "条数，默认 100，最多 1000",
                )],
                body: None,
            },
            get(letters),
        ),
        (
            Spec {
                method: "get",
                path: "/letters/metrics",
                summary: "收到日期在 [from, to] 的信访件截至 as_of 的程序性回复与 3 个月答复按期率（本院；subtree=true 含下级）",
                params: &[
                    ("from", "query", "string", true, "YYYY-MM-DD"),
                    ("to", "query", "string", true, "YYYY-MM-DD"),
                    ("as_of", "query", "string", true, "YYYY-MM-DD"),
                    ("subtree", "query", "boolean", false, "含下级单位"),
                ],
                body: None,
            },
            get(letter_metrics),
        ),
        (
            Spec {
                method: "get",
                path: "/letters/search",
                summary: "全文检索数据范围内信访件的内容与答复（结巴分词，各词须同时出现），新收在前，不含信访人信息",
                params: &[
                    ("q", "query", "string", true, "检索词"),
                    (
                        "page",
                        "query",
                        "integer",
                        false,
                        "页码，从 0 起，每页 20 条",
                    ),
                ],
                body: None,
            },
            get(search_letters),
        ),
        (
            Spec {
                method: "post",
                path: "/letters/{id}/steps",
                summary: "办理信访件（信访员、管理员）：ack 程序性回复、reply 办理过程或结果答复、progress 进展答复、transfer 转办、assign 交办、supervise 督办、close 办结",
                params: &[("id", "path", "integer", true, "信访件 id")],
                body: Some((
                    "application/json",
                    "{step, on: YYYY-MM-DD, body, to_unit_code?}（转办、交办须给出单位代码）",
                )),
            },
            post(letter_step),
        ),
        (
            Spec {
                method: "get",
                path: "/records/counts",
                summary: "三个规定记录报告完成情况：记录件数、零报告、未报送人月、人数（仅汇总数字）",
                params: &[
                    (
                        "unit",
                        "query",
                        "string",
                        true,
                        "单位代码（须在数据范围内）",
                    ),
                    ("subtree", "query", "boolean", false, "含下级单位"),
                    ("from", "query", "string", true, "起始月份 YYYY-MM"),
                    ("to", "query", "string", true, "截止月份 YYYY-MM"),
                ],
                body: None,
            },
            get(record_counts),
        ),
        (
            Spec {
                method: "get",
                path: "/records/flags",
                summary: "记录报告偏少的单位（数据范围内），每项附理由与数字",
                params: &[
                    ("from", "query", "string", true, "起始月份 YYYY-MM"),
                    ("to", "query", "string", true, "截止月份 YYYY-MM"),
                    ("level", "query", "integer", false, "层级 1–4"),
                ],
                body: None,
            },
            get(record_flags),
        ),
        (
            Spec {
                method: "get",
                path: "/records/filings",
                summary: "本人近 36 个月的三个规定报送情况",
                params: &[],
                body: None,
            },
            get(my_filings),
        ),
        (
            Spec {
                method: "post",
                path: "/records/filings",
                summary: "本人报送某月：零报告，或一条过问干预记录（规则同导入）",
                params: &[],
                body: Some((
                    "application/json",
                    "{month: YYYY-MM, zero_report: bool, record?: {occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, is_procuratorate_staff, manner, scope, case_ref, content}}",
                )),
            },
            post(file_record),
        ),
        (
            Spec {
                method: "post",
                path: "/cases/events",
                summary: "批量导入办案系统的案件流程事件（全部成功或全部不导入；重复行不重复计入）",
                params: &[],
                body: Some((
                    "application/json",
                    "{events: [{case_id, unit_code, case_type, event, occurred_on: YYYY-MM-DD, tags?: \"涉疫;…\"}]}，每批最多 100,000 条（请求体不超过 40 MB）",
                )),
            },
            post(case_events).layer(DefaultBodyLimit::max(CASE_EVENTS_BYTES)),
        ),
        (
            Spec {
                method: "get",
                path: "/quality/case-ratio",
                summary: "案-件比、认罪认罚适用率与各环节数量（单位须在数据范围内）",
                params: &[
                    ("unit", "query", "string", true, "单位代码"),
                    ("subtree", "query", "boolean", false, "含下级单位"),
                    ("from", "query", "string", true, "起始日期 YYYY-MM-DD"),
                    ("to", "query", "string", true, "截止日期 YYYY-MM-DD"),
                    (
                        "type",
                        "query",
                        "string",
                        false,
                        "案件类型：刑事、民事、行政、公益诉讼",
                    ),
                    ("tag", "query", "string", false, "标签，如 涉疫"),
                ],
                body: None,
            },
            get(case_ratio),
        ),
        (
            Spec {
                method: "get",
                path: "/plans",
                summary: "数据范围内的整改方案",
                params: &[],
                body: None,
            },
            get(plans),
        ),
        (
            Spec {
                method: "get",
                path: "/plans/{id}/stats",
                summary: "整改方案在某日的统计（按台账历史计算）",
                params: &[
                    ("id", "path", "integer", true, "方案 id"),
                    (
                        "as_of",
                        "query",
                        "string",
                        false,
                        "截至日期 YYYY-MM-DD，默认今天",
                    ),
                ],
                body: None,
            },
            get(plan_stats),
        ),
        (
            Spec {
                method: "get",
                path: "/plans/{id}/bulletin",
                summary: "整改进展情况通报（按截至日期的数据生成，默认正文；含全部生成语句）",
                params: &[
                    ("id", "path", "integer", true, "方案 id"),
                    ("as_of", "query", "string", true, "截至日期 YYYY-MM-DD"),
                ],
                body: None,
            },
            get(plan_bulletin),
        ),
        (
            Spec {
                method: "get",
                path: "/documents",
                summary: "数据范围内的公文（通报、整改报告、专报、典型案例）",
                params: &[],
                body: None,
            },
            get(documents),
        ),
        (
            Spec {
                method: "get",
                path: "/documents/{id}",
                summary: "一件公文：草稿的即时合成或已发布的冻结文本",
                params: &[("id", "path", "integer", true, "公文 id")],
                body: None,
            },
            get(document),
        ),
        (
            Spec {
                method: "get",
                path: "/plans/{id}/tasks",
                summary: "任务清单（含责任清单字段与督办灯）",
                params: &[("id", "path", "integer", true, "方案 id")],
                body: None,
            },
            get(plan_tasks),
        ),
        (
            Spec {
                method: "get",
                path: "/tasks/{id}",
                summary: "任务详情与工作台账（每条台账有 entry_date 业务日期、recorded_at 登记时间、late_days 补录天数，按时为 0）",
                params: &[("id", "path", "integer", true, "任务 id")],
                body: None,
            },
            get(task),
        ),
        (
            Spec {
                method: "post",
                path: "/tasks/{id}/entries",
                summary: "登记台账：progress、staged、closure_request、approve、reject、reopen（规则同页面：须有非空佐证；审核人须为关联人员信息的独立审核人，不是申请人、牵头领导、责任人或责任部门；日期早于今天超过补录期限须写 late_reason）",
                params: &[("id", "path", "integer", true, "任务 id")],
                body: Some((
                    "application/json",
                    "{kind, date: YYYY-MM-DD, body, corrects_id?, late_reason?, files?: [{filename, content_base64}]}（佐证材料：PDF、OFD、图片、Word、Excel、文本，单个不超过 20 MB）",
                )),
            },
            post(add_entry).layer(DefaultBodyLimit::max(
                upload_limit.saturating_mul(4) / 3 + 4096,
            )),
        ),
        (
            Spec {
                method: "post",
                path: "/users",
                summary: "新建账号（管理员，限其数据范围内的单位）",
                params: &[],
                body: Some((
                    "application/json",
                    "{login, display_name, role, unit_code, subtree, password}",
                )),
            },
            post(create_user),
        ),
    ]
}

pub fn routes(upload_limit: usize) -> Router<AppState> {
    let mut r = Router::new().route("/openapi.json", get(|| async { Json(openapi()) }));
    for (spec, mr) in table(upload_limit) {
        r = r.route(spec.path, mr);
    }
    r.fallback(|| async { ApiError(AppError::NotFound) })
}

/// The OpenAPI 3.1 description of the API.
pub fn openapi() -> Value {
    let mut paths = serde_json::Map::new();
    for (s, _) in table(0) {
        let params: Vec<Value> = s.params.iter().map(|(n, i, t, req, d)| json!({"name": n, "in": i, "required": req, "description": d, "schema": {"type": t}})).collect();
        let mut op = json!({
            "summary": s.summary,
            "parameters": params,
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "成功", "content": {"application/json": {}}},
                "401": {"description": "未登录或令牌无效"},
                "403": {"description": "无权执行"},
                "404": {"description": "不存在或不在数据范围内"},
                "422": {"description": "输入有误：{error, message, problems:[{row, column, message}]}"}
            }
        });
        if let Some((ct, d)) = s.body {
            op["requestBody"] = json!({"required": true, "description": d, "content": {ct: {}}});
        }
        let entry = paths
            .entry(format!("/api/v1{}", s.path))
            .or_insert_with(|| json!({}));
        entry[s.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Duban API", "version": env!("CARGO_PKG_VERSION"), "description": "督办：巡视整改与督办系统的 JSON 接口"},
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    })
}

/// The operations, for the API reference page.
pub fn operations() -> Vec<docs::Op> {
    table(0)
        .into_iter()
        .map(|(s, _)| docs::Op {
            method: s.method.to_uppercase(),
            path: format!("/api/v1{}", s.path),
            summary: s.summary.to_string(),
            params: s
                .params
                .iter()
                .map(|(n, i, t, req, d)| {
                    format!("{n} ({i}, {t}{}) — {d}", if *req { ", 必填" } else { "" })
                })
                .collect(),
        })
        .collect()
}

fn require(u: &ApiUser, a: Action) -> Result<(), ApiError> {
    if allowed(u.0.role, a) {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden))
    }
}

async fn me(ApiUser(u): ApiUser) -> ApiResult {
    Ok(Json(json!({"user": u, "scope": u.scope()})))
}

#[derive(Deserialize)]
struct ListQuery {
    level: Option<i64>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn paging(q: &ListQuery) -> (i64, i64) {
    (
        q.limit.unwrap_or(50).clamp(1, 500),
        q.offset.unwrap_or(0).max(0),
    )
}

async fn units(State(st): State<AppState>, u: ApiUser, Query(q): Query<ListQuery>) -> ApiResult {
    let search = text::optional(q.q.as_deref().unwrap_or(""), 50)
        .map_err(|e| AppError::BadRequest(format!("q {e}")))?;
    let (limit, offset) = paging(&q);
    let (items, total) = st
        .store
        .units(&u.0.scope(), q.level, &search, limit, offset)
        .await?;
    Ok(Json(json!({"total": total, "items": items})))
}

async fn unit(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let unit = st
        .store
        .unit_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let departments = st.store.departments(unit.id).await?;
    let leaders = if allowed(u.0.role, Action::ReadStaff) {
        st.store.staff_of_unit(unit.id, true, 100, 0).await?.0
    } else {
        vec![]
    };
    let children = if u.0.subtree {
        st.store.children(unit.id).await?
    } else {
        vec![]
    };
    Ok(Json(
        json!({"unit": unit, "departments": departments, "leaders": leaders, "children": children}),
    ))
}

async fn unit_staff(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let unit = st
        .store
        .unit_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    require(&u, Action::ReadStaff)?;
    let (limit, offset) = paging(&q);
    let (items, total) = st
        .store
        .staff_of_unit(unit.id, false, limit, offset)
        .await?;
    Ok(Json(json!({"total": total, "items": items})))
}

async fn staff(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    require(&u, Action::ReadStaff)?;
    let s = st
        .store
        .staff_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(json!(s)))
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn audit(State(st): State<AppState>, u: ApiUser, Query(q): Query<AuditQuery>) -> ApiResult {
    require(&u, Action::ReadAudit)?;
    let action = text::optional(q.action.as_deref().unwrap_or(""), 40)
        .map_err(|e| AppError::BadRequest(format!("action {e}")))?;
    let items = st
        .store
        .audit_entries(
            &u.0.scope(),
            &action,
            q.limit.unwrap_or(50).clamp(1, 500),
            q.before,
        )
        .await?;
    Ok(Json(json!({"items": items})))
}

async fn audit_verify(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    require(&u, Action::ReadAudit)?;
    if !u.0.scope().is_national() {
        return Err(ApiError(AppError::Forbidden));
    }
    Ok(Json(match st.store.verify_audit().await? {
        Ok(n) => json!({"intact": true, "entries": n}),
        Err(f) => json!({"intact": false, "fault": f.to_string()}),
    }))
}

async fn deadline(
    State(st): State<AppState>,
    _u: ApiUser,
    Query(q): Query<DeadlineQuery>,
) -> ApiResult {
    let (start, period, counting) = crate::calendar::deadline_request(&q)?
        .ok_or_else(|| AppError::BadRequest("缺少起算日 start".into()))?;
    let d = st
        .store
        .work_calendar()
        .await?
        .deadline(start, period, counting)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(
        json!({"start": start.to_string(), "deadline": d.to_string()}),
    ))
}

async fn calendar_year(
    State(st): State<AppState>,
    _u: ApiUser,
    Path(year): Path<i32>,
) -> ApiResult {
    let covered = st
        .store
        .calendar_years()
        .await?
        .iter()
        .any(|(y, _)| *y == i64::from(year));
    if !covered {
        return Err(ApiError(AppError::NotFound));
    }
    Ok(Json(
        json!({"year": year, "days": st.store.calendar_days(year).await?}),
    ))
}

#[derive(Deserialize)]
struct ImportQuery {
    filename: Option<String>,
}

async fn import(
    State(st): State<AppState>,
    u: ApiUser,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let name = q.filename.unwrap_or_else(|| {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.contains("spreadsheetml") {
            "upload.xlsx".into()
        } else {
            "upload.csv".into()
        }
    });
    let r = crate::org::run_import(&st, &u.0, &kind, &name, &body).await?;
    Ok(Json(json!(r)))
}

async fn plans(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    Ok(Json(json!({"items": st.store.plans(&u.0.scope()).await?})))
}

async fn scoped_plan(
    st: &AppState,
    u: &ApiUser,
    id: i64,
) -> Result<duban_store::rectification::Plan, ApiError> {
    Ok(st
        .store
        .plan(&u.0.scope(), &id.to_string())
        .await?
        .ok_or(AppError::NotFound)?)
}

#[derive(Deserialize)]
struct AsOf {
    as_of: Option<String>,
}

async fn plan_stats(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult {
    let plan = scoped_plan(&st, &u, id).await?;
    let as_of = match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => duban_domain::calendar::parse_date(s)
            .map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => duban_store::today(),
    };
    let s = st.store.plan_stats(plan.id, as_of).await?;
    let late = st.store.late_entries(plan.id, as_of).await?;
    let adjusted = st.store.deadline_adjusted_tasks(plan.id, as_of).await?;
    Ok(Json(
        json!({"plan": plan.title, "as_of": as_of.to_string(), "total": s.total, "immediate": s.immediate, "time_limited": s.time_limited, "long_term": s.long_term, "late_entries": late, "deadline_adjusted": adjusted}),
    ))
}

#[derive(Deserialize)]
struct BulletinQuery {
    as_of: String,
}

async fn plan_bulletin(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<BulletinQuery>,
) -> ApiResult {
    require(&u, Action::ReadDocuments)?;
    let plan = scoped_plan(&st, &u, id).await?;
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

async fn documents(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    require(&u, Action::ReadDocuments)?;
    let items = st.store.documents(&u.0.scope()).await?;
    Ok(Json(json!({"items": items})))
}

async fn document(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    require(&u, Action::ReadDocuments)?;
    let scope = u.0.scope();
    let row = st
        .store
        .document(&scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = if row.published {
        st.store
            .published_document(id, Some(&scope))
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

async fn plan_tasks(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let plan = scoped_plan(&st, &u, id).await?;
    let today = duban_store::today();
    let rules = st.store.supervision_rules().await?.lights;
    let items: Vec<Value> = st
        .store
        .tasks(plan.id)
        .await?
        .into_iter()
        .map(|t| {
            let light = duban_domain::rectification::light(&t.facts(), today, &rules);
            json!({"task": t, "light": light})
        })
        .collect();
    Ok(Json(json!({"plan": plan.title, "items": items})))
}

async fn task(State(st): State<AppState>, u: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let t = st
        .store
        .task_in_scope(&u.0.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger = st.store.ledger(t.id).await?;
    Ok(Json(json!({"task": t, "ledger": ledger})))
}

async fn add_entry(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    #[derive(Deserialize)]
    struct File {
        filename: String,
        content_base64: String,
    }
    #[derive(Deserialize)]
    struct Body {
        kind: String,
        date: String,
        body: String,
        corrects_id: Option<i64>,
        #[serde(default)]
        files: Vec<File>,
        /// why a business date beyond the grace is recorded late (补录)
        #[serde(default)]
        late_reason: String,
    }
    use base64::Engine;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let mut files = Vec::with_capacity(b.files.len());
    for (i, f) in b.files.into_iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.trim())
            .map_err(|_| {
                AppError::BadRequest(format!(
                    "第 {} 个佐证材料（{}）的 content_base64 不是有效的 Base64",
                    i + 1,
                    f.filename
                ))
            })?;
        files.push(duban_store::rectification::Upload {
            filename: f.filename,
            bytes,
        });
    }
    let entry = crate::rectification::submit_entry(
        &st,
        &u.0,
        id,
        &b.kind,
        &b.date,
        &b.body,
        &b.late_reason,
        b.corrects_id,
        files,
    )
    .await?;
    Ok(Json(json!({"id": entry})))
}

async fn create_user(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Body {
        login: String,
        display_name: String,
        role: String,
        unit_code: String,
        #[serde(default)]
        subtree: bool,
        password: String,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let f = NewUserForm {
        login: b.login,
        display_name: b.display_name,
        role: b.role,
        unit_code: b.unit_code,
        subtree: b.subtree.then(|| "1".into()),
        password: b.password,
    };
    let id = crate::users::create_user_for(&st, &u.0, &f).await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
struct LettersQuery {
    limit: Option<i64>,
}

async fn letters(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<LettersQuery>,
) -> ApiResult {
    require(&u, Action::ReadLetters)?;
    let items = st
        .store
        .letters(&u.0.scope(), false, q.limit.unwrap_or(100).clamp(1, 1000))
        .await?;
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
struct MetricsQuery {
    from: String,
    to: String,
    as_of: String,
    #[serde(default)]
    subtree: bool,
}

async fn letter_metrics(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<MetricsQuery>,
) -> ApiResult {
    require(&u, Action::ReadLetters)?;
    let d = |s: &str| {
        duban_domain::calendar::parse_date(s)
            .map_err(|e| ApiError(AppError::BadRequest(e.to_string())))
    };
    let (from, to, as_of) = (d(&q.from)?, d(&q.to)?, d(&q.as_of)?);
    let unit = st
        .store
        .unit(u.0.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // a subtree only within the caller's own scope
    let m = st
        .store
        .letter_metrics(&unit, q.subtree && u.0.subtree, from, to, as_of)
        .await?;
    Ok(Json(json!(m)))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
    page: Option<i64>,
}

async fn search_letters(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult {
    require(&u, Action::ReadLetters)?;
    let query: String = q.q.trim().chars().take(100).collect();
    let (items, more) = st
        .store
        .search_letters(&u.0.scope(), &query, q.page.unwrap_or(0).clamp(0, 500), 20)
        .await?;
    Ok(Json(json!({"items": items, "more": more})))
}

async fn letter_step(
    State(st): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    #[derive(Deserialize)]
    struct Body {
        step: String,
        on: String,
        body: String,
        to_unit_code: Option<String>,
        /// why a date beyond the grace is recorded late (补录)
        #[serde(default)]
        late_reason: String,
    }
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let step = duban_domain::letters::Step::parse(&b.step)
        .ok_or_else(|| AppError::BadRequest(format!("未知的办理环节：{}", b.step)))?;
    let on = duban_domain::calendar::parse_date(&b.on)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let text = duban_domain::text::required(&b.body.replace('\n', "\t"), 4000)
        .map_err(|e| AppError::BadRequest(format!("内容{e}")))?
        .replace('\t', "\n");
    let to = match b
        .to_unit_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            st.store
                .unit_by_code(code)
                .await?
                .ok_or_else(|| {
                    AppError::BadRequest(format!("该单位不在检察机关组织体系内：{code}"))
                })?
                .id,
        ),
        None => None,
    };
    st.store
        .letter_step(
            &u.0.actor(),
            &u.0.scope(),
            id,
            step,
            on,
            &text,
            &b.late_reason,
            to,
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct RecordCountsQuery {
    unit: String,
    #[serde(default)]
    subtree: bool,
    from: String,
    to: String,
}

fn months(from: &str, to: &str) -> Result<(Month, Month), ApiError> {
    let m = |s: &str| Month::parse(s).map_err(|e| ApiError(AppError::BadRequest(e)));
    let (from, to) = (m(from)?, m(to)?);
    if to < from {
        return Err(ApiError(AppError::BadRequest(format!(
            "截止月份 {to} 早于起始月份 {from}"
        ))));
    }
    Ok((from, to))
}

async fn record_counts(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<RecordCountsQuery>,
) -> ApiResult {
    require(&u, Action::ReadRecordFigures)?;
    let (from, to) = months(&q.from, &q.to)?;
    let unit = st
        .store
        .unit_by_code(q.unit.trim())
        .await?
        .filter(|un| u.0.scope().covers(un.id, &un.path))
        .ok_or(AppError::NotFound)?;
    // a subtree only within the caller's own scope
    let subtree = q.subtree && u.0.subtree;
    let c = st.store.record_counts(&unit, subtree, from, to).await?;
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
struct RecordFlagsQuery {
    from: String,
    to: String,
    level: Option<i64>,
}

async fn record_flags(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<RecordFlagsQuery>,
) -> ApiResult {
    require(&u, Action::ReadRecordFigures)?;
    let (from, to) = months(&q.from, &q.to)?;
    let rules = st.store.supervision_rules().await?.records_flags;
    let all = st.store.flag_records(from, to, q.level, &rules).await?;
    let flagged = st.store.flags_in_scope(&u.0.scope(), all).await?;
    Ok(Json(json!({"flagged": flagged})))
}

async fn my_filings(State(st): State<AppState>, u: ApiUser) -> ApiResult {
    let staff = u.0.staff_id.ok_or(AppError::Forbidden)?;
    Ok(Json(json!({"items": st.store.my_filings(staff).await?})))
}

async fn file_record(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Record {
        occurred_on: String,
        intervener_name: String,
        #[serde(default)]
        intervener_unit: String,
        #[serde(default)]
        intervener_post: String,
        intervener_category: String,
        is_procuratorate_staff: bool,
        manner: String,
        scope: String,
        #[serde(default)]
        case_ref: String,
        content: String,
    }
    #[derive(Deserialize)]
    struct Body {
        month: String,
        zero_report: bool,
        record: Option<Record>,
    }
    let staff = u.0.staff_id.ok_or(AppError::Forbidden)?;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    let month = Month::parse(&b.month).map_err(AppError::BadRequest)?;
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let fields = match (b.zero_report, &b.record) {
        (true, None) => None,
        (false, Some(r)) => Some([
            r.occurred_on.clone(),
            one_line(&r.intervener_name),
            one_line(&r.intervener_unit),
            one_line(&r.intervener_post),
            r.intervener_category.clone(),
            if r.is_procuratorate_staff { "1" } else { "0" }.into(),
            r.manner.clone(),
            r.scope.clone(),
            one_line(&r.case_ref),
            one_line(&r.content),
        ]),
        (true, Some(_)) => {
            return Err(AppError::BadRequest("零报告不应填写记录内容".into()).into());
        }
        (false, None) => {
            return Err(AppError::BadRequest("不是零报告时须填写记录（record）".into()).into());
        }
    };
    st.store
        .file_record(&u.0.actor(), staff, month, fields.as_ref())
        .await?;
    Ok(Json(json!({"ok": true})))
}

/// A batch of 100,000 case events fits (about 200 bytes each, with room).
const CASE_EVENTS_BYTES: usize = 40 * 1024 * 1024;

async fn case_events(State(st): State<AppState>, u: ApiUser, body: Bytes) -> ApiResult {
    #[derive(Deserialize)]
    struct Row {
        case_id: String,
        unit_code: String,
        case_type: String,
        event: String,
        occurred_on: String,
        #[serde(default)]
        tags: String,
    }
    #[derive(Deserialize)]
    struct Body {
        events: Vec<Row>,
    }
    // a large batch is parsed on the blocking pool
    let b: Body = tokio::task::spawn_blocking(move || serde_json::from_slice::<Body>(&body))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(format!("JSON 有误：{e}")))?;
    if b.events.len() > 100_000 {
        return Err(AppError::BadRequest("每批最多 100,000 条事件".into()).into());
    }
    // the rows as a table (row 1 the header), so that problems name the row as a file would
    let mut table: Vec<Vec<String>> = vec![
        [
            "case_id",
            "unit_code",
            "case_type",
            "event",
            "occurred_on",
            "tags",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    table.extend(b.events.into_iter().map(|r| {
        vec![
            r.case_id,
            r.unit_code,
            r.case_type,
            r.event,
            r.occurred_on,
            r.tags,
        ]
    }));
    let r = st.store.import_cases(&u.0.actor(), &table).await?;
    Ok(Json(
        json!({"events_added": r.created, "cases_updated": r.updated}),
    ))
}

#[derive(Deserialize)]
struct CaseRatioQuery {
    unit: String,
    #[serde(default)]
    subtree: bool,
    from: String,
    to: String,
    #[serde(rename = "type")]
    case_type: Option<String>,
    tag: Option<String>,
}

async fn case_ratio(
    State(st): State<AppState>,
    u: ApiUser,
    Query(q): Query<CaseRatioQuery>,
) -> ApiResult {
    require(&u, Action::ReadQuality)?;
    let d = |s: &str| {
        duban_domain::calendar::parse_date(s)
            .map_err(|e| ApiError(AppError::BadRequest(e.to_string())))
    };
    let (from, to) = (d(&q.from)?, d(&q.to)?);
    if to < from {
        return Err(AppError::BadRequest(format!("截止日期 {to} 早于起始日期 {from}")).into());
    }
    let unit = st
        .store
        .unit_by_code(q.unit.trim())
        .await?
        .filter(|un| u.0.scope().covers(un.id, &un.path))
        .ok_or(AppError::NotFound)?;
    let case_type = q.case_type.filter(|t| !t.trim().is_empty());
    if let Some(t) = &case_type
        && !duban_domain::quality::CASE_TYPES.contains(&t.as_str())
    {
        return Err(AppError::BadRequest(format!("未知的案件类型“{t}”")).into());
    }
    let f = st
        .store
        .quality_figures(
            &unit,
            q.subtree && u.0.subtree,
            from,
            to,
            &duban_store::quality::CaseFilter {
                case_type,
                tag: q.tag.filter(|t| !t.trim().is_empty()),
                level: None,
            },
        )
        .await?;
    Ok(Json(f.report()))
}
