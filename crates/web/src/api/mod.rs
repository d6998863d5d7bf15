//! The JSON API under `/api/v1`. Routes and their OpenAPI description come from one table, so
//! the description cannot miss a route.
pub mod docs;
use crate::AppState;
use crate::account::api::*;
use crate::audit::api::*;
use crate::calendar::api::*;
use crate::documents::api::*;
use crate::error::{ApiError, AppError};
use crate::letters::api::*;
use crate::org::api::*;
use crate::quality::api::*;
use crate::records::api::*;
use crate::rectification::api::*;
use crate::todo::api::*;
use crate::users::api::*;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

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
                    (
                        "accounts",
                        "query",
                        "boolean",
                        false,
                        "staff：为尚无账号的在职人员开通账号，激活码在返回的 codes 中（仅此一次）",
                    ),
                    (
                        "code_days",
                        "query",
                        "integer",
                        false,
                        "激活码有效天数（默认 14）",
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
                        "after",
                        "query",
                        "integer",
                        false,
                        "上一页返回的 next（每页 20 条）；不给时为第一页",
                    ),
                ],
                body: None,
            },
            get(search_letters),
        ),
        (
            Spec {
                method: "get",
                path: "/letters/{id}",
                summary: "一件信访件（数据范围内的办理单位或经手单位）：办理经过、答复文书（编号、类别、日期、下载地址）、告知来信人的发送记录、交办及报告；查看留痕",
                params: &[("id", "path", "integer", true, "信访件 id")],
                body: None,
            },
            get(letter),
        ),
        (
            Spec {
                method: "post",
                path: "/letters/{id}/steps",
                summary: "办理信访件（信访员、管理员）：ack 程序性回复、reply 办理过程或结果答复、progress 进展答复、transfer 转办、assign 交办、report 报告交办结果、return_report 退回重报、transfer_out 转出检察机关（organ_kind、organ、told）、supervise 督办、review 复查、close 办结",
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
                path: "/todo",
                summary: "工作台：本人各类待办事项及其数量 {as_of, items:[{kind, count, href}], done:[{at, action, href}]}（done 为本人最近 15 项已办），与首页一致",
                params: &[],
                body: None,
            },
            get(todo),
        ),
        (
            Spec {
                method: "get",
                path: "/todo/{kind}",
                summary: "某类待办的清单 {as_of, list:{kind, count, items, next}}；来信按期限分页（after=next）",
                params: &[
                    (
                        "kind",
                        "path",
                        "string",
                        true,
                        "待办类别：review、adjustments、tasks_due、staged_owed、notices、notices_overdue、letters_due、my_filing、units_unfiled、record_letters、documents、hits",
                    ),
                    (
                        "after",
                        "query",
                        "string",
                        false,
                        "来信清单的翻页位置（上一页的 next）",
                    ),
                ],
                body: None,
            },
            get(todo_list),
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
                    "{events: [{case_id, unit_code, case_type, event, occurred_on: YYYY-MM-DD, tags?: \"涉疫;…\", persons?: 人数（认罪认罚事件为认罪认罚人数）}]}，每批最多 100,000 条（请求体不超过 40 MB）",
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
                method: "post",
                path: "/documents/{id}/sign",
                summary: "签发公文草稿（发文单位的院领导）；签发后修改内容须重新签发，未签发的公文不能发布",
                params: &[("id", "path", "integer", true, "公文 id")],
                body: Some(("application/json", "{opinion?: 签发意见，不超过 200 字}")),
            },
            post(sign_document),
        ),
        (
            Spec {
                method: "get",
                path: "/notices",
                summary: "督办台的催办与督办单 {items, next}：整改办、纪检监察组、管理员看到范围内全部，其他人看到发给本人的；由新到旧",
                params: &[
                    (
                        "level",
                        "query",
                        "string",
                        false,
                        "reminder、blue、yellow、red",
                    ),
                    (
                        "state",
                        "query",
                        "string",
                        false,
                        "unread、unanswered、overdue（发出 7 天以上未回复）、answered",
                    ),
                    (
                        "after",
                        "query",
                        "string",
                        false,
                        "翻页位置（上一页的 next）",
                    ),
                    (
                        "limit",
                        "query",
                        "integer",
                        false,
                        "每页条数，1—200，默认 50",
                    ),
                ],
                body: None,
            },
            get(notices),
        ),
        (
            Spec {
                method: "get",
                path: "/notices/{id}",
                summary: "一张督办单及其任务和回复；收件人读取即记为已读",
                params: &[("id", "path", "integer", true, "督办单 id")],
                body: None,
            },
            get(notice),
        ),
        (
            Spec {
                method: "post",
                path: "/notices/{id}/answer",
                summary: "回复督办单（收件人；未指定牵头领导的由本单位整改办）：整改措施和承诺完成日期，只回复一次",
                params: &[("id", "path", "integer", true, "督办单 id")],
                body: Some(("application/json", "{measures, promised_on: YYYY-MM-DD}")),
            },
            post(answer_notice),
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
        (
            Spec {
                method: "get",
                path: "/accounts",
                summary: "数据范围内的账号（管理员）：按角色、状态、是否激活、单位筛选，逐单位按登录名分页",
                params: &[
                    ("role", "query", "string", false, "角色"),
                    ("active", "query", "string", false, "1 正常，0 已停用"),
                    ("activated", "query", "string", false, "1 已激活，0 未激活"),
                    ("unit", "query", "string", false, "单位代码"),
                    (
                        "after",
                        "query",
                        "string",
                        false,
                        "上一页最后的登录名（next_after）",
                    ),
                ],
                body: None,
            },
            get(accounts),
        ),
        (
            Spec {
                method: "post",
                path: "/accounts/{id}",
                summary: "更改账号：停用（会话和令牌立即失效）、启用、重新生成激活码、更改角色（须写明理由）、调动",
                params: &[("id", "path", "integer", true, "账号编号")],
                body: Some((
                    "application/json",
                    "{action: disable|enable|codes|role|move, role?, reason?, unit_code?, department?, code_days?}",
                )),
            },
            post(change_account),
        ),
        (
            Spec {
                method: "get",
                path: "/discipline/clues",
                summary: "纪检监察组：数据范围内的问题线索（open=true 只列在办的，按期限；否则新受理在前）。其他角色一律 404",
                params: &[
                    ("open", "query", "boolean", false, "只列在办的"),
                    ("after", "query", "string", false, "上一页返回的 next"),
                    (
                        "limit",
                        "query",
                        "integer",
                        false,
                        "条数，默认 50，最多 500",
                    ),
                ],
                body: None,
            },
            get(crate::discipline::api_clues),
        ),
        (
            Spec {
                method: "get",
                path: "/discipline/clues/{id}",
                summary: "纪检监察组：一条问题线索及其处置经过（查看留痕）。其他角色一律 404",
                params: &[("id", "path", "integer", true, "线索 id")],
                body: None,
            },
            get(crate::discipline::api_clue),
        ),
        (
            Spec {
                method: "get",
                path: "/discipline/figures",
                summary: "纪检监察组：受理日期在 [from, to] 的问题线索截至 as_of 的来源、处置、办结、逾期和被处理人数（subtree=true 含下级）。其他角色一律 404",
                params: &[
                    ("from", "query", "string", true, "YYYY-MM-DD"),
                    ("to", "query", "string", true, "YYYY-MM-DD"),
                    ("as_of", "query", "string", true, "YYYY-MM-DD"),
                    ("subtree", "query", "boolean", false, "含下级单位"),
                ],
                body: None,
            },
            get(crate::discipline::api_figures),
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
