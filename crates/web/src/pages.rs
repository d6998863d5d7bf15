//! Server-rendered pages. Permissions are checked here through the domain's access rules and the
//! store's scoped queries; templates only display.
use crate::AppState;
use crate::auth::{self, Form, Viewer, Visitor};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::Router;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequestParts, Multipart, Path, Query, State,
};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use duban_domain::access::{Action, Scope, allowed};
use duban_domain::calendar::{Counting, DayKind, Period, parse_date};
use duban_domain::import::CellError;
use duban_domain::org::{Role, UnitCode};
use duban_domain::text;
use duban_store::org::{Department, StaffMember, Unit};
use duban_store::users::{ApiToken, LoginOutcome, NewUser, User};
use serde::Deserialize;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|v: Visitor| async move {
                Redirect::to(if v.0.user.is_some() {
                    "/home"
                } else {
                    "/login"
                })
            }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/home", get(home))
        .route("/org/units", get(units))
        .route("/org/units/{id}", get(unit).post(rename_unit))
        .route("/org/units/{id}/departments", post(add_department))
        .route("/org/staff/{id}", get(staff))
        .route(
            "/org/import",
            get(import_page)
                .post(import)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/throttles/clear", post(clear_throttle))
        .route("/audit", get(audit))
        .route("/calendar", get(calendar))
        .route("/calendar/days", post(set_day))
        .route(
            "/calendar/import",
            post(import_calendar).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/email", post(set_email))
        .route("/account/lang", post(set_lang))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/api/docs", get(api_docs))
}

type PageResult = Result<Response, AppError>;

fn html<T: Template>(page: T) -> PageResult {
    Ok(Html(page.render()?).into_response())
}

fn html_status<T: Template>(status: StatusCode, page: T) -> PageResult {
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
}

pub fn ctx(v: &Viewer, active: &str) -> Ctx {
    let role = v.user.role;
    let items: [(&'static str, &'static str, bool); 18] = [
        ("/home", "nav.home", true),
        ("/rectification", "nav.rectification", true),
        (
            "/rectification/board",
            "nav.board",
            !matches!(role, Role::Staff | Role::Letters | Role::Quality),
        ),
        (
            "/rectification/meetings",
            "nav.meetings",
            matches!(
                role,
                Role::Office | Role::Discipline | Role::Leader | Role::Admin
            ),
        ),
        (
            "/rectification/mine",
            "nav.mine",
            matches!(role, Role::Leader | Role::Dept | Role::Office),
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
        ("/audit", "nav.audit", allowed(role, Action::ReadAudit)),
        (
            "/rectification/rules",
            "nav.rules",
            matches!(role, Role::Admin | Role::Office | Role::Discipline),
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

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    login: String,
    error: Option<&'static str>,
    other_lang: &'static str,
}

fn login_view(v: &Visitor, login: String, error: Option<&'static str>) -> LoginPage {
    let t = Tr(v.0.lang);
    LoginPage {
        t,
        csrf: v.0.csrf.clone(),
        login,
        error: error.map(|k| t.s(k)),
        other_lang: if v.0.lang == Lang::En { "zh-CN" } else { "en" },
    }
}

async fn login_page(v: Visitor) -> PageResult {
    if v.0.user.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    html(login_view(&v, String::new(), None))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let login = f.login.trim().chars().take(40).collect::<String>();
    if !st.login_limiter.allow(&addr.0) {
        return html_status(
            StatusCode::TOO_MANY_REQUESTS,
            login_view(&v, login, Some("login.throttled")),
        );
    }
    if f.password.len() > 1024 {
        return html_status(
            StatusCode::UNAUTHORIZED,
            login_view(&v, login, Some("login.bad")),
        );
    }
    // one login's attempts queue behind each other, each after the delay its failures call for
    let Some(at) = st.login_throttle.slot(&login) else {
        return html_status(
            StatusCode::TOO_MANY_REQUESTS,
            login_view(&v, login, Some("login.throttled")),
        );
    };
    tokio::time::sleep_until(at.into()).await;
    let outcome = st.store.login(&login, &f.password).await?;
    match &outcome {
        LoginOutcome::Ok { .. } => st.login_throttle.succeeded(&login),
        LoginOutcome::BadCredentials => st.login_throttle.failed(&login),
    }
    match outcome {
        LoginOutcome::Ok { session, .. } => {
            let mut r = Redirect::to("/home").into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    auth::SESSION_COOKIE,
                    &session,
                    None,
                    st.settings.secure_cookies,
                ),
            );
            Ok(r)
        }
        LoginOutcome::BadCredentials => {
            st.metrics
                .login_failures
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            html_status(
                StatusCode::UNAUTHORIZED,
                login_view(&v, login, Some("login.bad")),
            )
        }
    }
}

async fn logout(State(st): State<AppState>, v: Visitor) -> PageResult {
    if let auth::Via::Session { token } = &v.0.via {
        st.store.logout(token).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::SESSION_COOKIE,
            "",
            Some(0),
            st.settings.secure_cookies,
        ),
    );
    Ok(r)
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
}

/// A path on this site only: `/x`, never `//host`, `/\host` (which browsers read as `//host`),
/// nor anything with a backslash or a control character.
pub fn same_site_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(|c| c.is_control())
}

async fn set_lang(
    State(st): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> PageResult {
    let lang = Lang::parse(&f.lang);
    if let Some(u) = &v.0.user {
        st.store.set_lang(u, lang.code()).await?;
    }
    // back to the page the switch was pressed on, if it is one of ours
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| same_site_path(p))
        .unwrap_or_else(|| "/home".into());
    let mut r = Redirect::to(&back).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::LANG_COOKIE,
            lang.code(),
            Some(365 * 86400),
            st.settings.secure_cookies,
        ),
    );
    Ok(r)
}

// ---- home ----

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    children: i64,
    duty: &'static str,
}

async fn home(State(st): State<AppState>, v: Viewer) -> PageResult {
    let children = st.store.count_children(v.user.unit_id).await?;
    let duty = v.t.s(&format!("duty.{}", v.user.role.as_str()));
    html(HomePage {
        ctx: ctx(&v, "/home"),
        children,
        duty,
    })
}

// ---- organisation ----

#[derive(Deserialize)]
struct UnitsQuery {
    level: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    ctx: Ctx,
    units: Vec<Unit>,
    total: i64,
    level: i64,
    q: String,
    prev: Option<String>,
    next: Option<String>,
}

const PAGE: i64 = 50;

fn pager(
    base: &str,
    params: &[(&str, String)],
    page: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let link = |p: i64| {
        let mut ps: Vec<(&str, String)> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        ps.push(("page", p.to_string()));
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(&ps).unwrap_or_default()
        )
    };
    (
        (page > 1).then(|| link(page - 1)),
        (page * PAGE < total).then(|| link(page + 1)),
    )
}

async fn units(State(st): State<AppState>, v: Viewer, Query(q): Query<UnitsQuery>) -> PageResult {
    let level = q
        .level
        .as_deref()
        .and_then(|l| l.parse::<i64>().ok())
        .filter(|l| (1..=4).contains(l));
    let search = text::optional(q.q.as_deref().unwrap_or(""), 50)
        .map_err(|e| AppError::BadRequest(format!("查询条件{e}")))?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (units, total) = st
        .store
        .units(&v.user.scope(), level, &search, PAGE, (page - 1) * PAGE)
        .await?;
    let (prev, next) = pager(
        "/org/units",
        &[
            ("level", level.map(|l| l.to_string()).unwrap_or_default()),
            ("q", search.clone()),
        ],
        page,
        total,
    );
    html(UnitsPage {
        ctx: ctx(&v, "/org/units"),
        units,
        total,
        level: level.unwrap_or(0),
        q: search,
        prev,
        next,
    })
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    ctx: Ctx,
    unit: Unit,
    parent: Option<Unit>,
    parent_visible: bool,
    subtree_units: i64,
    subtree_staff: i64,
    departments: Vec<Department>,
    staff: Vec<StaffMember>,
    staff_total: i64,
    children: Vec<Unit>,
    can_manage: bool,
    can_read_staff: bool,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn scoped_unit(st: &AppState, v: &Viewer, id: i64) -> Result<Unit, AppError> {
    st.store
        .unit_in_scope(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn unit(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let unit = scoped_unit(&st, &v, id).await?;
    let scope = v.user.scope();
    let parent = match unit.parent_id {
        Some(p) => st.store.unit(p).await?,
        None => None,
    };
    let parent_visible = parent.as_ref().is_some_and(|p| scope.covers(p.id, &p.path));
    let (subtree_units, subtree_staff) = st
        .store
        .count_in_scope(&Scope {
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            subtree: true,
        })
        .await?;
    let can_read_staff = allowed(v.user.role, Action::ReadStaff);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (staff, staff_total) = if can_read_staff {
        st.store
            .staff_of_unit(unit.id, false, PAGE, (page - 1) * PAGE)
            .await?
    } else {
        (vec![], 0)
    };
    let (prev, next) = pager(&format!("/org/units/{}", unit.id), &[], page, staff_total);
    // subordinate units shown only where the scope reaches them
    let children = if scope.subtree {
        st.store.children(unit.id).await?
    } else {
        vec![]
    };
    html(UnitPage {
        ctx: ctx(&v, "/org/units"),
        departments: st.store.departments(unit.id).await?,
        unit,
        parent,
        parent_visible,
        subtree_units,
        subtree_staff,
        staff,
        staff_total,
        children,
        can_manage: allowed(v.user.role, Action::ManageOrg),
        can_read_staff,
        prev,
        next,
    })
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
    #[serde(default)]
    kind: String,
}

async fn rename_unit(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<NameForm>,
) -> PageResult {
    let unit = scoped_unit(&st, &v, id).await?;
    let name =
        text::required(&f.name, 100).map_err(|e| AppError::BadRequest(format!("单位名称{e}")))?;
    st.store.rename_unit(&v.user.actor(), &unit, &name).await?;
    Ok(Redirect::to(&format!("/org/units/{id}")).into_response())
}

async fn add_department(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<NameForm>,
) -> PageResult {
    let unit = scoped_unit(&st, &v, id).await?;
    let name =
        text::required(&f.name, 60).map_err(|e| AppError::BadRequest(format!("机构名称{e}")))?;
    let kind = if f.kind == "discipline" {
        "discipline"
    } else {
        "internal"
    };
    st.store
        .add_department(&v.user.actor(), unit.id, &name, kind)
        .await?;
    Ok(Redirect::to(&format!("/org/units/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    ctx: Ctx,
    person: StaffMember,
    unit: Unit,
}

async fn staff(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    require(&v, Action::ReadStaff)?;
    let person = st
        .store
        .staff_in_scope(&v.user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = st
        .store
        .unit(person.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    html(StaffPage {
        ctx: ctx(&v, "/org/units"),
        person,
        unit,
    })
}

// ---- import ----

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    problems: Vec<CellError>,
}

async fn import_page(v: Viewer) -> PageResult {
    require(&v, Action::ManageOrg)?;
    html(ImportPage {
        ctx: ctx(&v, "/org/import"),
        problems: vec![],
    })
}

/// A broken or oversized multipart body, as the user should hear of it.
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
                    crate::rectification::percent_encode(name)
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

#[derive(Deserialize)]
struct ImportQuery {
    kind: String,
}

/// Runs an import for a user: units need a national administrator; staff stay within the
/// administrator's scope.
pub async fn run_import(
    st: &AppState,
    user: &User,
    kind: &str,
    name: &str,
    bytes: &[u8],
) -> Result<duban_store::org::ImportReport, AppError> {
    // the right before the parsing (the store decides the write itself)
    duban_domain::access::decide(Some(user.role), Action::ManageOrg)?;
    let table = crate::uploads::parse_table(name.to_string(), bytes.to_vec())
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    match kind {
        "units" => Ok(st.store.import_units(&user.actor(), &table).await?),
        "staff" => Ok(st
            .store
            .import_staff(&user.actor(), &table, Some(&user.scope()))
            .await?),
        _ => Err(AppError::NotFound),
    }
}

async fn import(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<ImportQuery>,
    mp: Multipart,
) -> PageResult {
    let (name, bytes) = upload(mp).await?;
    let mut c = ctx(&v, "/org/import");
    match run_import(&st, &v.user, &q.kind, &name, &bytes).await {
        Ok(r) => {
            c.flash = Some(format!(
                "{}：{} {}，{} {}，{} {}",
                v.t.s("import.done"),
                v.t.s("import.created"),
                r.created,
                v.t.s("import.updated"),
                r.updated,
                v.t.s("import.depts_created"),
                r.departments_created
            ));
            html(ImportPage {
                ctx: c,
                problems: vec![],
            })
        }
        Err(AppError::Import(problems)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage { ctx: c, problems },
        ),
        Err(AppError::BadRequest(m)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage {
                ctx: c,
                problems: vec![CellError {
                    row: 0,
                    column: "-".into(),
                    message: m,
                }],
            },
        ),
        Err(e) => Err(e),
    }
}

// ---- accounts ----

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<User>,
    roles: [Role; 8],
    error: Option<String>,
    /// logins whose sign-ins are being delayed, with their failures (accounts in scope; unknown
    /// logins for national administrators)
    delayed: Vec<(String, u32)>,
}

/// The delayed logins an administrator may see: its scope's accounts, and for a national scope
/// also logins that do not exist (someone guessing).
fn delayed_in_scope(st: &AppState, v: &Viewer, users: &[User]) -> Vec<(String, u32)> {
    let national = v.user.scope().is_national();
    st.login_throttle
        .delayed()
        .into_iter()
        .filter(|(l, _)| national || users.iter().any(|u| u.login.eq_ignore_ascii_case(l)))
        .collect()
}

#[derive(Deserialize)]
struct ThrottleForm {
    login: String,
}

/// An administrator lets a delayed login sign in again at once.
async fn clear_throttle(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ThrottleForm>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let users = st.store.users_in_scope(&v.user.scope()).await?;
    if delayed_in_scope(&st, &v, &users)
        .iter()
        .any(|(l, _)| l.eq_ignore_ascii_case(f.login.trim()))
    {
        st.login_throttle.succeeded(f.login.trim());
    }
    Ok(Redirect::to("/admin/users#delayed").into_response())
}

async fn users(State(st): State<AppState>, v: Viewer) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let users = st.store.users_in_scope(&v.user.scope()).await?;
    html(UsersPage {
        ctx: ctx(&v, "/admin/users"),
        delayed: delayed_in_scope(&st, &v, &users),
        users,
        roles: Role::ALL,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: String,
    #[serde(default)]
    pub subtree: Option<String>,
    pub password: String,
}

/// Creates an account within the administrator's scope.
pub async fn create_user_for(
    st: &AppState,
    admin: &User,
    f: &NewUserForm,
) -> Result<i64, AppError> {
    let role = Role::parse(&f.role).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let name = text::required(&f.display_name, 50)
        .map_err(|e| AppError::BadRequest(format!("姓名{e}")))?;
    let code = UnitCode::parse(&f.unit_code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    // whether the unit lies in the administrator's scope is the store's decision
    let unit = st
        .store
        .unit_by_code(code.as_str())
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("单位代码 {} 不存在", code.as_str())))?;
    let nu = NewUser {
        login: &f.login,
        display_name: &name,
        password: &f.password,
        role,
        unit_id: unit.id,
        subtree: f.subtree.is_some(),
    };
    Ok(st.store.create_user_by(&admin.actor(), &nu).await?)
}

async fn create_user(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    let result = create_user_for(&st, &v.user, &f).await;
    let mut c = ctx(&v, "/admin/users");
    let (status, error) = match result.map_err(|e| e.localized(v.t)) {
        Ok(_) => {
            c.flash = Some(v.t.s("users.created").into());
            (StatusCode::OK, None)
        }
        Err(AppError::BadRequest(m)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(m)),
        Err(e) => return Err(e),
    };
    let users = st.store.users_in_scope(&v.user.scope()).await?;
    html_status(
        status,
        UsersPage {
            ctx: c,
            delayed: delayed_in_scope(&st, &v, &users),
            users,
            roles: Role::ALL,
            error,
        },
    )
}

// ---- audit ----

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<duban_domain::audit::Entry>,
    action: String,
    older: Option<String>,
    verified: Option<(bool, String)>,
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
    verify: Option<String>,
}

async fn audit(State(st): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> PageResult {
    require(&v, Action::ReadAudit)?;
    let action = text::optional(q.action.as_deref().unwrap_or(""), 40)
        .map_err(|e| AppError::BadRequest(format!("操作类型{e}")))?;
    let entries = st
        .store
        .audit_entries(&v.user.scope(), &action, PAGE, q.before)
        .await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| {
            entries.last().map(|e| {
                format!(
                    "/audit?{}",
                    serde_urlencoded::to_string([
                        ("action", action.clone()),
                        ("before", e.seq.to_string())
                    ])
                    .unwrap_or_default()
                )
            })
        })
        .flatten();
    let verified = if q.verify.is_some() && v.user.scope().is_national() {
        Some(match st.store.verify_audit().await? {
            Ok(n) => (true, n.to_string()),
            Err(f) => (false, f.to_string()),
        })
    } else {
        None
    };
    html(AuditPage {
        ctx: ctx(&v, "/audit"),
        entries,
        action,
        older,
        verified,
    })
}

// ---- calendar ----

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    year: i32,
    years: Vec<(i64, String)>,
    days: Vec<duban_store::calendar::SpecialDay>,
    can_edit: bool,
    start: String,
    days_n: String,
    months: String,
    counting: String,
    result: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct DeadlineQuery {
    pub year: Option<i32>,
    pub start: Option<String>,
    pub days: Option<String>,
    pub months: Option<String>,
    pub counting: Option<String>,
}

/// Parses a deadline question; `None` when no start date was given.
pub fn deadline_request(
    q: &DeadlineQuery,
) -> Result<Option<(chrono::NaiveDate, Period, Counting)>, AppError> {
    let Some(start) = q.start.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let start = parse_date(start).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let num = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u32>()
                    .map_err(|_| AppError::BadRequest(format!("期限须为正整数：{s}")))
            })
    };
    let period = match (num(&q.days).transpose()?, num(&q.months).transpose()?) {
        (Some(d), None) => Period::Days(d),
        (None, Some(m)) => Period::Months(m),
        _ => return Err(AppError::BadRequest("请填写天数或月数（二者选一）".into())),
    };
    let counting = match q.counting.as_deref() {
        None | Some("") => Counting::Calendar,
        Some(c) => Counting::parse(c)
            .ok_or_else(|| AppError::BadRequest("计算方式须为 calendar 或 working".into()))?,
    };
    Ok(Some((start, period, counting)))
}

async fn calendar(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<DeadlineQuery>,
) -> PageResult {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now().date_naive()))
        .clamp(1900, 2200);
    let (result, error) = match deadline_request(&q) {
        Ok(Some((start, period, counting))) => match st
            .store
            .work_calendar()
            .await?
            .deadline(start, period, counting)
        {
            Ok(d) => (Some(d.to_string()), None),
            Err(e) => (None, Some(e.to_string())),
        },
        Ok(None) => (None, None),
        Err(AppError::BadRequest(m)) => (None, Some(m)),
        Err(e) => return Err(e),
    };
    html(CalendarPage {
        ctx: ctx(&v, "/calendar"),
        year,
        years: st.store.calendar_years().await?,
        days: st.store.calendar_days(year).await?,
        can_edit: allowed(v.user.role, Action::EditCalendar) && v.user.scope().is_national(),
        start: q.start.clone().unwrap_or_default(),
        days_n: q.days.clone().unwrap_or_default(),
        months: q.months.clone().unwrap_or_default(),
        counting: q.counting.clone().unwrap_or_else(|| "calendar".into()),
        result,
        error,
    })
}

#[derive(Deserialize)]
struct DayForm {
    day: String,
    kind: String,
    #[serde(default)]
    name: String,
}

async fn set_day(State(st): State<AppState>, v: Viewer, Form(f): Form<DayForm>) -> PageResult {
    let day = parse_date(&f.day).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let kind = match f.kind.as_str() {
        "clear" => None,
        k => Some(
            DayKind::parse(k)
                .ok_or_else(|| AppError::BadRequest("类型须为 holiday、workday 或 clear".into()))?,
        ),
    };
    let name =
        text::optional(&f.name, 20).map_err(|e| AppError::BadRequest(format!("节日名称{e}")))?;
    st.store
        .set_calendar_days(&v.user.actor(), &[(day, kind, name)], "admin")
        .await?;
    Ok(Redirect::to(&format!("/calendar?year={}", chrono::Datelike::year(&day))).into_response())
}

/// Validates a holiday-schedule table (date, kind, name), reporting every bad cell.
pub fn calendar_rows(
    table: &[Vec<String>],
) -> Result<Vec<(chrono::NaiveDate, Option<DayKind>, String)>, AppError> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let header: Vec<String> = table
        .first()
        .map(|h| {
            h.iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    if header.first().map(String::as_str) != Some("date")
        || header.get(1).map(String::as_str) != Some("kind")
    {
        return Err(AppError::Import(vec![CellError {
            row: 1,
            column: "-".into(),
            message: "表头须为 date, kind, name".into(),
        }]));
    }
    for (i, r) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        let cell = |j: usize| r.get(j).map(String::as_str).unwrap_or("");
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let d = parse_date(cell(0))
            .map_err(|e| {
                errors.push(CellError {
                    row,
                    column: "date".into(),
                    message: e.to_string(),
                })
            })
            .ok();
        let k = DayKind::parse(cell(1));
        if k.is_none() {
            errors.push(CellError {
                row,
                column: "kind".into(),
                message: "须为 holiday 或 workday".into(),
            });
        }
        let name = text::optional(cell(2), 20)
            .map_err(|e| {
                errors.push(CellError {
                    row,
                    column: "name".into(),
                    message: e.to_string(),
                })
            })
            .ok();
        if let (Some(d), Some(k), Some(name)) = (d, k, name) {
            rows.push((d, Some(k), name));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Import(errors))
    }
}

async fn import_calendar(State(st): State<AppState>, v: Viewer, mp: Multipart) -> PageResult {
    // the right before the parsing (the store decides the write itself)
    duban_domain::access::decide(Some(v.user.role), Action::EditCalendar)?;
    let (name, bytes) = upload(mp).await?;
    let table = crate::uploads::parse_table(name, bytes.to_vec())
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let rows = calendar_rows(&table)?;
    let year = rows
        .first()
        .map(|r| chrono::Datelike::year(&r.0))
        .unwrap_or(2026);
    st.store
        .set_calendar_days(&v.user.actor(), &rows, "import")
        .await?;
    Ok(Redirect::to(&format!("/calendar?year={year}")).into_response())
}

// ---- my account ----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    email: String,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn account_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    new_token: Option<String>,
    error: Option<String>,
) -> PageResult {
    let mut c = ctx(v, "/account");
    c.flash = flash;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html_status(
        status,
        AccountPage {
            ctx: c,
            email: st.store.user_email(v.user.id).await?,
            tokens: st.store.tokens(v.user.id).await?,
            new_token,
            error,
        },
    )
}

async fn account(State(st): State<AppState>, v: Viewer) -> PageResult {
    account_view(&st, &v, None, None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    if f.new != f.repeat {
        return account_view(&st, &v, None, None, Some(v.t.s("account.mismatch").into())).await;
    }
    match st
        .store
        .change_password(&v.user, &f.current, &f.new, v.session.as_deref())
        .await
    {
        Ok(()) => account_view(&st, &v, Some(v.t.s("account.changed").into()), None, None).await,
        Err(duban_store::StoreError::Invalid(m)) => {
            account_view(&st, &v, None, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn set_email(State(st): State<AppState>, v: Viewer, Form(f): Form<EmailForm>) -> PageResult {
    match st
        .store
        .set_email(&v.user.actor(), v.user.id, &f.email)
        .await
    {
        Ok(()) => {
            account_view(
                &st,
                &v,
                Some(v.t.s("account.email_saved").into()),
                None,
                None,
            )
            .await
        }
        Err(duban_store::StoreError::Invalid(m)) => {
            account_view(&st, &v, None, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn create_token(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<NameForm>,
) -> PageResult {
    let name =
        text::required(&f.name, 40).map_err(|e| AppError::BadRequest(format!("令牌用途{e}")))?;
    let tok = st
        .store
        .create_token_for(&v.user, &name, st.settings.token_days, v.session.is_none())
        .await
        .map_err(|e| AppError::from(e).localized(v.t))?;
    account_view(&st, &v, None, Some(tok), None).await
}

async fn revoke_token(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    st.store.revoke_token(&v.user, id).await?;
    Ok(Redirect::to("/account").into_response())
}

// ---- API reference ----

pub struct Op {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<String>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    ctx: Ctx,
    ops: Vec<Op>,
}

async fn api_docs(v: Viewer) -> PageResult {
    html(ApiDocsPage {
        ctx: ctx(&v, "/api/docs"),
        ops: crate::api::operations(),
    })
}
