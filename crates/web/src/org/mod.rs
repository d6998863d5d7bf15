//! The organisation: units, departments, staff, and importing them.
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use duban_domain::access::{Action, Scope, allowed};
use duban_domain::import::CellError;
use duban_domain::text;
use duban_store::org::{Department, StaffMember, Unit};
use duban_store::staff::StaffImport;
use duban_store::users::User;
use serde::Deserialize;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
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
pub(crate) struct NameForm {
    pub(crate) name: String,
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
    /// the accounts just opened, each with its code: shown once, to print or download
    codes: Vec<duban_store::accounts::IssuedCode>,
    /// the same as a CSV file, as a `data:` address for the download link
    codes_csv: String,
}

async fn import_page(v: Viewer) -> PageResult {
    require(&v, Action::ManageOrg)?;
    html(ImportPage {
        ctx: ctx(&v, "/org/import"),
        problems: vec![],
        codes: vec![],
        codes_csv: String::new(),
    })
}

/// What a staff import does besides the roster, as the doors ask for it.
pub fn staff_import(accounts: bool, code_days: Option<i64>) -> StaffImport {
    StaffImport {
        accounts: accounts.then(|| code_days.unwrap_or(duban_domain::identity::CODE_DAYS)),
    }
}

/// A codes file as a `data:` address (the codes are kept nowhere, so the page carries them).
pub fn codes_data_url(codes: &[duban_store::accounts::IssuedCode]) -> String {
    use base64::Engine;
    if codes.is_empty() {
        return String::new();
    }
    let csv = duban_publish::sheet::write_csv(&duban_store::accounts::IssuedCode::table(codes));
    format!(
        "data:text/csv;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(csv)
    )
}

/// A broken or oversized multipart body, as the user should hear of it.

#[derive(Deserialize)]
struct ImportQuery {
    kind: String,
    #[serde(default)]
    accounts: Option<String>,
}

/// Runs an import for a user: units need a national administrator; staff stay within the
/// administrator's scope.
pub async fn run_import(
    st: &AppState,
    user: &User,
    kind: &str,
    name: &str,
    bytes: &[u8],
    opts: StaffImport,
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
            .import_staff(&user.actor(), &table, Some(&user.scope()), opts)
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
    let opts = staff_import(q.accounts.is_some(), None);
    match run_import(&st, &v.user, &q.kind, &name, &bytes, opts).await {
        Ok(r) => {
            c.flash = Some(format!(
                "{}：{} {}，{} {}，{} {}，{} {}，{} {}",
                v.t.s("import.done"),
                v.t.s("import.created"),
                r.created,
                v.t.s("import.updated"),
                r.updated,
                v.t.s("import.depts_created"),
                r.departments_created,
                v.t.s("import.accounts_created"),
                r.codes.len(),
                v.t.s("import.accounts_disabled"),
                r.accounts_disabled
            ));
            html(ImportPage {
                ctx: c,
                problems: vec![],
                codes_csv: codes_data_url(&r.codes),
                codes: r.codes,
            })
        }
        Err(AppError::Import(problems)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage {
                ctx: c,
                problems,
                codes: vec![],
                codes_csv: String::new(),
            },
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
                codes: vec![],
                codes_csv: String::new(),
            },
        ),
        Err(e) => Err(e),
    }
}
