//! The accounts list of an administrator's scope: filters, pages, bulk changes, the export and
//! the sheet of who has not activated. Every change is the store's (decided in the domain).
use super::UsersPage;
use crate::AppState;
use crate::auth::{Form, Viewer};
use crate::error::AppError;
use crate::kit::*;
use askama::Template;
use axum::extract::{Query, State};
use duban_domain::access::Action;
use duban_domain::org::{Role, UnitCode};
use duban_store::accounts::{AccountFilter, AccountRequest, AccountRow};
use serde::Deserialize;

/// The list's query: filters and the keyset cursor (the last row's unit path and login).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub role: String,
    /// "1" enabled, "0" disabled
    #[serde(default)]
    pub active: String,
    /// "1" activated, "0" not yet
    #[serde(default)]
    pub activated: String,
    /// a unit's code
    #[serde(default)]
    pub unit: String,
    /// not signed in for so many days (or never)
    #[serde(default)]
    pub idle: String,
    #[serde(default)]
    pub after: String,
}

impl ListQuery {
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", self.role.clone()),
            ("active", self.active.clone()),
            ("activated", self.activated.clone()),
            ("unit", self.unit.clone()),
            ("idle", self.idle.clone()),
        ]
    }

    /// The store's filter: a unit named by code is looked up (a unit outside the scope lists
    /// nothing: the store reads the scope's accounts only).
    pub async fn filter(&self, st: &AppState) -> Result<AccountFilter, AppError> {
        let idle_since = match self.idle.trim().parse::<i64>() {
            Ok(days) if (0..=3650).contains(&days) => Some(
                (st.store.now() - chrono::Duration::days(days))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            _ => None,
        };
        let flag = |s: &str| match s {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        let role = match self.role.trim() {
            "" => None,
            r => Some(Role::parse(r).map_err(|e| AppError::BadRequest(e.to_string()))?),
        };
        let unit_id = match self.unit.trim() {
            "" => None,
            c => {
                let code = UnitCode::parse(c).map_err(|e| AppError::BadRequest(e.to_string()))?;
                Some(
                    st.store
                        .unit_by_code(code.as_str())
                        .await?
                        .map_or(-1, |u| u.id),
                )
            }
        };
        Ok(AccountFilter {
            role,
            active: flag(&self.active),
            activated: flag(&self.activated),
            unit_id,
            idle_since,
        })
    }
}

/// A page of the list with its links.
pub struct Listing {
    pub q: ListQuery,
    pub rows: Vec<AccountRow>,
    pub next: Option<String>,
    pub export: String,
    pub first: String,
}

impl Listing {
    pub async fn read(st: &AppState, v: &Viewer, q: ListQuery) -> Result<Listing, AppError> {
        let f = q.filter(st).await?;
        let mut rows = st
            .store
            .accounts(&v.user.scope(), &f, q.after.trim(), PAGE + 1)
            .await?;
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        let params = q.params();
        let next = match (more, rows.last()) {
            (true, Some(last)) => {
                let mut p = params.clone();
                p.push(("after", last.cursor.clone()));
                Some(link("/admin/users", &p))
            }
            _ => None,
        };
        Ok(Listing {
            export: link("/admin/users/export.csv", &params),
            first: link("/admin/users", &params),
            next,
            rows,
            q,
        })
    }
}

/// A bulk change of the accounts ticked: disable, enable, new codes, a role (with the reason) or
/// a move. Each account is decided on its own; the problems are listed by login.
pub(crate) async fn bulk(
    State(st): State<AppState>,
    v: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(n, _)| n == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .take(500)
        .collect();
    let (action, role, reason, unit, dept) = (
        get("action"),
        get("role"),
        get("reason"),
        get("unit_code"),
        get("department"),
    );
    let role = match action.as_str() {
        "role" => Some(Role::parse(&role).map_err(|e| AppError::BadRequest(e.to_string()))?),
        _ => None,
    };
    let mut problems = Vec::new();
    let mut codes = Vec::new();
    let mut done = 0;
    for id in &ids {
        let req = match (action.as_str(), role) {
            ("disable", _) => AccountRequest::Disable,
            ("enable", _) => AccountRequest::Enable,
            ("codes", _) => AccountRequest::NewCode,
            ("role", Some(role)) => AccountRequest::Role {
                role,
                reason: &reason,
            },
            ("move", _) => AccountRequest::Move {
                unit_code: &unit,
                department: Some(dept.as_str()),
            },
            _ => return Err(AppError::BadRequest(v.t.s("users.bulk_pick").into())),
        };
        match st
            .store
            .change_account(&v.user.actor(), *id, req, duban_domain::identity::CODE_DAYS)
            .await
        {
            Ok(code) => {
                done += 1;
                codes.extend(code);
            }
            Err(e) => {
                let login = st
                    .store
                    .user(*id)
                    .await?
                    .map(|u| u.login)
                    .unwrap_or_else(|| id.to_string());
                match AppError::from(e).localized(v.t) {
                    AppError::BadRequest(m) => problems.push(format!("{login}：{m}")),
                    AppError::NotFound | AppError::Forbidden => {
                        problems.push(format!("{login}：{}", v.t.s("rule.out_of_scope")))
                    }
                    other => return Err(other),
                }
            }
        }
    }
    let list = Listing::read(&st, &v, ListQuery::default()).await?;
    let mut page = UsersPage::new(&st, &v, list).await?;
    page.ctx.flash = Some(format!("{} {done}", v.t.s("users.bulk_done")));
    page.problems = problems;
    page.codes_csv = crate::org::codes_data_url(&codes);
    page.codes = codes;
    html(page)
}

/// The filtered list as a CSV file (every page).
pub(crate) async fn export(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let f = q.filter(&st).await?;
    let t = v.t;
    let mut rows = vec![
        [
            "users.login",
            "users.name",
            "users.role",
            "users.unit_code",
            "home.unit",
            "users.department",
            "users.staff_no",
            "users.state",
            "users.activated",
            "users.last_login",
            "users.joined_on",
            "users.left_on",
            "users.source",
        ]
        .iter()
        .map(|k| t.s(k).to_string())
        .collect::<Vec<_>>(),
    ];
    let mut after = String::new();
    loop {
        let page = st.store.accounts(&v.user.scope(), &f, &after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.cursor.clone();
        for a in &page {
            let role = Role::parse(&a.role).map(|r| t.role(&r)).unwrap_or("");
            rows.push(vec![
                a.login.clone(),
                a.display_name.clone(),
                role.to_string(),
                a.unit_code.clone(),
                a.unit_name.clone(),
                a.department.clone(),
                a.staff_no.clone(),
                t.s(if a.disabled {
                    "users.disabled"
                } else {
                    "users.enabled"
                })
                .into(),
                t.s(if a.activated {
                    "common.yes"
                } else {
                    "common.no"
                })
                .into(),
                t.time(&a.last_login_at),
                a.joined_on.clone(),
                a.left_on.clone(),
                a.auth_source.clone(),
            ]);
        }
        if page.len() < 5000 {
            break;
        }
    }
    Ok(csv_response(t.s("users.export_name"), rows))
}

#[derive(Template)]
#[template(path = "users_sheet.html")]
struct SheetPage {
    ctx: Ctx,
    unit: duban_store::org::Unit,
    /// (department, its accounts not yet activated)
    groups: Vec<(String, Vec<AccountRow>)>,
    total: usize,
}

#[derive(Deserialize)]
pub(crate) struct SheetQuery {
    #[serde(default)]
    unit: String,
}

/// A unit's accounts not yet activated, per department, to print and chase.
pub(crate) async fn sheet(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<SheetQuery>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let code = match q.unit.trim() {
        "" => v.user.unit_code.clone(),
        c => UnitCode::parse(c)
            .map_err(|e| AppError::BadRequest(e.to_string()))?
            .as_str()
            .to_string(),
    };
    let unit = st
        .store
        .unit_by_code(&code)
        .await?
        .filter(|u| v.user.scope().covers(u.id, &u.path))
        .ok_or(AppError::NotFound)?;
    let rows = st.store.not_activated(unit.id).await?;
    let total = rows.len();
    let mut groups: Vec<(String, Vec<AccountRow>)> = Vec::new();
    for r in rows {
        match groups.last_mut() {
            Some((d, list)) if *d == r.department => list.push(r),
            _ => groups.push((r.department.clone(), vec![r])),
        }
    }
    html(SheetPage {
        ctx: ctx(&v, "/admin/users"),
        unit,
        groups,
        total,
    })
}

#[derive(Deserialize)]
pub(crate) struct SheetCodesForm {
    unit_code: String,
}

/// New codes for every account of a unit never activated (the sheet handed out again); each
/// account is decided by the store as a single new code would be.
pub(crate) async fn sheet_codes(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<SheetCodesForm>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let code = UnitCode::parse(&f.unit_code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let unit = st
        .store
        .unit_by_code(code.as_str())
        .await?
        .filter(|u| v.user.scope().covers(u.id, &u.path))
        .ok_or(AppError::NotFound)?;
    let codes = st
        .store
        .reissue_unit_codes(&v.user.actor(), unit.id, duban_domain::identity::CODE_DAYS)
        .await?;
    let list = Listing::read(&st, &v, ListQuery::default()).await?;
    let mut page = UsersPage::new(&st, &v, list).await?;
    page.ctx.flash = Some(format!("{} {}", v.t.s("users.bulk_done"), codes.len()));
    page.codes_csv = crate::org::codes_data_url(&codes);
    page.codes = codes;
    html(page)
}

#[derive(Deserialize)]
pub(crate) struct PasswordsForm {
    unit_code: String,
    /// "on" or "off"
    local: String,
}

/// Turns local passwords off (or on) for a unit of the administrator's scope (the store decides).
pub(crate) async fn passwords(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<PasswordsForm>,
) -> PageResult {
    require(&v, Action::ManageUsers)?;
    let code = UnitCode::parse(&f.unit_code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let unit = st
        .store
        .unit_by_code(code.as_str())
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("单位代码 {} 不存在", code.as_str())))?;
    let on = f.local != "off";
    let result = st
        .store
        .set_password_login(&v.user.actor(), unit.id, on)
        .await;
    let list = Listing::read(&st, &v, ListQuery::default()).await?;
    let mut page = UsersPage::new(&st, &v, list).await?;
    match result.map_err(|e| AppError::from(e).localized(v.t)) {
        Ok(()) => {
            page.ctx.flash = Some(format!(
                "{} {}",
                unit.name,
                v.t.s(if on {
                    "users.passwords_on"
                } else {
                    "users.passwords_off"
                })
            ))
        }
        Err(AppError::BadRequest(m)) => page.error = Some(m),
        Err(e) => return Err(e),
    }
    html(page)
}
