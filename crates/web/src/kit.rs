//! Page plumbing every feature uses: the page context and navigation, the right gate for
//! reading, rendering with a status, downloads, uploads, paging and date parameters.
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Multipart};
use axum::http::{StatusCode, request::Parts};
use axum::response::{Html, IntoResponse, Response};
use duban_domain::access::{Action, allowed};
use duban_store::users::User;

pub(crate) type PageResult = Result<Response, AppError>;

pub(crate) fn html<T: Template>(page: T) -> PageResult {
    Ok(Html(page.render()?).into_response())
}

pub(crate) fn html_status<T: Template>(status: StatusCode, page: T) -> PageResult {
    Ok((status, Html(page.render()?)).into_response())
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every signed-in page shows around its content.
pub struct Ctx {
    pub t: Tr,
    pub user: User,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub other_lang: &'static str,
    pub flash: Option<String>,
    /// the banner of a pinned clock ("演示数据 · 当前日期 2020-11-05")
    pub clock: Option<String>,
}

pub fn ctx(v: &Viewer, active: &str) -> Ctx {
    let role = v.user.role;
    let items: [(&'static str, &'static str, bool); 19] = [
        ("/home", "nav.home", true),
        ("/rectification", "nav.rectification", true),
        (
            "/rectification/board",
            "nav.board",
            allowed(role, Action::WatchBoard),
        ),
        (
            "/rectification/meetings",
            "nav.meetings",
            allowed(role, Action::ReadMeetings),
        ),
        (
            "/rectification/mine",
            "nav.mine",
            allowed(role, Action::HoldTasks),
        ),
        ("/org/units", "nav.org", true),
        (
            "/org/import",
            "nav.import",
            allowed(role, Action::ManageOrg),
        ),
        (
            "/admin/users",
            "nav.users",
            allowed(role, Action::ManageUsers),
        ),
        (
            "/letters",
            "nav.letters",
            allowed(role, Action::ReadLetters),
        ),
        ("/records", "nav.records", true),
        (
            "/quality",
            "nav.quality",
            allowed(role, Action::ReadQuality),
        ),
        (
            "/paperwork",
            "nav.paperwork",
            allowed(role, Action::ReadQuality),
        ),
        (
            "/documents",
            "nav.documents",
            allowed(role, Action::ReadDocuments),
        ),
        (
            "/discipline",
            "nav.discipline",
            allowed(role, Action::KeepDesk),
        ),
        ("/audit", "nav.audit", allowed(role, Action::ReadAudit)),
        (
            "/rectification/rules",
            "nav.rules",
            allowed(role, Action::ReadRules),
        ),
        ("/calendar", "nav.calendar", true),
        ("/account", "nav.account", true),
        ("/api/docs", "nav.api", true),
    ];
    Ctx {
        t: v.t,
        user: v.user.clone(),
        csrf: v.csrf.clone(),
        nav: items
            .iter()
            .filter(|i| i.2)
            .map(|(href, key, _)| NavItem {
                href,
                label: v.t.s(key),
                active: *href == active,
            })
            .collect(),
        other_lang: if v.t.0 == Lang::En { "zh-CN" } else { "en" },
        flash: None,
        clock: v.pinned.map(|p| {
            let key = match p {
                duban_store::clock::Pin::Database => "clock.pinned.database",
                duban_store::clock::Pin::Process => "clock.pinned.process",
            };
            v.t.s(key).replace("{date}", &v.today.to_string())
        }),
    }
}

pub(crate) fn require(v: &Viewer, action: Action) -> Result<(), AppError> {
    if allowed(v.user.role, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address, for rate limits.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientAddr("local".into()));
        };
        let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
        Ok(ClientAddr(
            crate::proxy::client_ip(
                peer,
                &st.settings.trusted_proxies,
                header("x-forwarded-for"),
                header("forwarded"),
            )
            .to_string(),
        ))
    }
}

pub(crate) const PAGE: i64 = 50;

/// A link to `base` with the query's non-empty `params` (filters, a page or a keyset cursor).
pub(crate) fn link(base: &str, params: &[(&str, String)]) -> String {
    let ps: Vec<&(&str, String)> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    if ps.is_empty() {
        return base.to_string();
    }
    format!(
        "{base}?{}",
        serde_urlencoded::to_string(&ps).unwrap_or_default()
    )
}

pub(crate) fn pager(
    base: &str,
    params: &[(&str, String)],
    page: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let link = |p: i64| {
        let mut ps = params.to_vec();
        ps.push(("page", p.to_string()));
        link(base, &ps)
    };
    (
        (page > 1).then(|| link(page - 1)),
        (page * PAGE < total).then(|| link(page + 1)),
    )
}

pub fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        AppError::BadRequest(format!("上传内容有误：{}", e.body_text()))
    }
}

/// A date from a query or form field: empty means none; a bad one is a Chinese 400.
pub fn optional_date(raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => duban_domain::calendar::parse_date(s)
            .map(Some)
            .map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(None),
    }
}

/// A stored file sent as a download (the name reduced to ASCII for the header).
pub fn download(name: &str, content_type: String, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::kit::percent_encode(name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The uploaded file of a multipart form: its name and bytes.
pub async fn upload(mut mp: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let map = multipart_error;
    while let Some(field) = mp.next_field().await.map_err(map)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(map)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::BadRequest("没有收到文件".into()))
}
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
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        duban_publish::sheet::write_csv(&rows),
    )
        .into_response()
}

pub(crate) fn as_of_param(
    raw: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, AppError> {
    date_param(raw, today)
}

/// A date from a query parameter, `default` when it is absent or empty.
pub(crate) fn date_param(
    raw: Option<&str>,
    default: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            duban_domain::calendar::parse_date(s).map_err(|e| AppError::BadRequest(e.to_string()))
        }
        None => Ok(default),
    }
}

// ---- the JSON API ----

pub(crate) type ApiResult = Result<axum::Json<serde_json::Value>, crate::error::ApiError>;

/// The right to read something through the API (the store decides every write).
pub(crate) fn require_api(
    u: &crate::auth::ApiUser,
    a: Action,
) -> Result<(), crate::error::ApiError> {
    if duban_domain::access::allowed(u.0.role, a) {
        Ok(())
    } else {
        Err(crate::error::ApiError(AppError::Forbidden))
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct ListQuery {
    pub(crate) level: Option<i64>,
    pub(crate) q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub(crate) fn paging(q: &ListQuery) -> (i64, i64) {
    (
        q.limit.unwrap_or(50).clamp(1, 500),
        q.offset.unwrap_or(0).max(0),
    )
}
