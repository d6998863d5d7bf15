//! Accounts of the roster: provisioning with one-time activation codes, activation, the
//! administrator's changes (disable, enable, move, role, new code) and the accounts list.
use crate::users::LoginOutcome;
use crate::{Actor, Change, Result, Scope, Store, StoreError, Write, flag};
use chrono::NaiveDate;
use duban_domain::identity::{
    self, AccountChange, AccountFacts, code_digest, new_code, role_from_staff,
};
use duban_domain::import::CellError;
use duban_domain::org::Role;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// An account's one-time code, as handed to its person (`CODES.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct IssuedCode {
    pub staff_no: String,
    pub login: String,
    pub name: String,
    pub unit_code: String,
    pub department: String,
    pub code: String,
    pub expires_on: NaiveDate,
}

/// The columns of a codes file.
pub const CODES_HEADER: [&str; 7] = [
    "staff_no",
    "login",
    "code",
    "expires_on",
    "name",
    "unit_code",
    "department",
];

impl IssuedCode {
    /// The rows of a codes file, the header first.
    pub fn table(codes: &[IssuedCode]) -> Vec<Vec<String>> {
        std::iter::once(CODES_HEADER.iter().map(|h| h.to_string()).collect())
            .chain(codes.iter().map(|c| {
                vec![
                    c.staff_no.clone(),
                    c.login.clone(),
                    c.code.clone(),
                    c.expires_on.to_string(),
                    c.name.clone(),
                    c.unit_code.clone(),
                    c.department.clone(),
                ]
            }))
            .collect()
    }
}

/// Ends the sessions and API tokens of the accounts matching `cond` (SQL over `users`, from
/// constants and ids).
async fn end_access(w: &mut Write, cond: &str) -> Result<()> {
    sqlx::query(crate::sqlf!(
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE {cond})"
    ))
    .execute(&mut *w.tx)
    .await?;
    sqlx::query(crate::sqlf!(
        "UPDATE api_tokens SET revoked = 1 WHERE revoked = 0 AND user_id IN (SELECT id FROM users WHERE {cond})"
    ))
    .execute(&mut *w.tx)
    .await?;
    Ok(())
}

/// Ends the accounts matching `cond`: disabled, their sessions deleted and tokens revoked.
/// Returns how many were disabled.
pub(crate) async fn disable_where(w: &mut Write, cond: &str) -> Result<u64> {
    end_access(w, cond).await?;
    Ok(
        sqlx::query(crate::sqlf!("UPDATE users SET disabled = 1 WHERE {cond}"))
            .execute(&mut *w.tx)
            .await?
            .rows_affected(),
    )
}

/// Makes an account with a code for everyone in post in `limit_to` (all units: `None`) who has
/// none. `wanted` gives, per staff number in the imported file, the login and role asked for and
/// the file's row (for problems). Logins default to the staff number, roles to
/// [`role_from_staff`]; each grant is the domain's decision for the writing account.
pub(crate) async fn provision(
    w: &mut Write,
    limit_to: Option<&Scope>,
    wanted: &HashMap<&str, (Option<&str>, Option<Role>, usize)>,
    days: i64,
) -> Result<Vec<IssuedCode>> {
    let today = w.today();
    let expires = today + chrono::Duration::days(days.clamp(1, 365));
    let candidates = sqlx::query(
        "SELECT s.id, s.staff_no, s.name, s.unit_id, u.code, u.path, s.is_leader, s.post, COALESCE(d.name, '') AS department \
         FROM staff s JOIN units u ON u.id = s.unit_id LEFT JOIN departments d ON d.id = s.department_id \
         WHERE NOT EXISTS (SELECT 1 FROM users us WHERE us.staff_id = s.id) AND (s.left_on IS NULL OR s.left_on > $1) ORDER BY s.id",
    )
    .bind(today.to_string())
    .fetch_all(&mut *w.tx)
    .await?;
    let mut taken: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT login FROM users")
        .fetch_all(&mut *w.tx)
        .await?
        .into_iter()
        .map(|l| l.to_lowercase())
        .collect();
    let who = w.actor().who();
    let mut problems = Vec::new();
    let mut made = Vec::new();
    let mut rows = Vec::new();
    for r in &candidates {
        let (unit_id, path): (i64, String) = (r.try_get("unit_id")?, r.try_get("path")?);
        if limit_to.is_some_and(|s| !s.covers(unit_id, &path)) {
            continue;
        }
        let staff_no: String = r.try_get("staff_no")?;
        let department: String = r.try_get("department")?;
        let (login, role, row) = wanted.get(staff_no.as_str()).copied().unwrap_or_default();
        let role = role.unwrap_or_else(|| {
            role_from_staff(
                flag(r, "is_leader").unwrap_or(false),
                &department,
                r.try_get::<String, _>("post").as_deref().unwrap_or(""),
            )
        });
        let login = login.unwrap_or(&staff_no).to_string();
        let mut problem = |column: &str, message: String| {
            problems.push(CellError {
                row,
                column: column.into(),
                message,
            })
        };
        if let Err(m) = duban_domain::import::parse_login(&login) {
            problem(
                "login",
                format!("工号 {staff_no}：{m}（请用 login 列指定登录名）"),
            );
            continue;
        }
        if !taken.insert(login.to_lowercase()) {
            problem(
                "login",
                format!("工号 {staff_no}：登录名 {login} 已被占用（请用 login 列另指定）"),
            );
            continue;
        }
        if let Some((actor_role, scope)) = who {
            if let Err(e) =
                duban_domain::access::decide_grant(actor_role, scope, unit_id, &path, false)
            {
                problem("role", format!("工号 {staff_no}：{e}"));
                continue;
            }
        }
        let code = new_code();
        let name: String = r.try_get("name")?;
        rows.push(json!([
            login,
            name,
            role.as_str(),
            unit_id,
            r.try_get::<i64, _>("id")?,
            code_digest(&code)
        ]));
        made.push(IssuedCode {
            staff_no,
            login,
            name,
            unit_code: r.try_get("code")?,
            department,
            code,
            expires_on: expires,
        });
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        return Err(StoreError::Import(problems));
    }
    let now = w.now_rfc3339();
    let src = crate::json_rows_for(w.backend, 1);
    for chunk in rows.chunks(5000) {
        sqlx::query(crate::sqlf!(
            "INSERT INTO users (login, display_name, password_hash, role, unit_id, subtree, created_at, staff_id, activation_hash, activation_expires) \
             SELECT j.value ->> 0, j.value ->> 1, '', j.value ->> 2, CAST(j.value ->> 3 AS BIGINT), 0, $2, CAST(j.value ->> 4 AS BIGINT), j.value ->> 5, $3 FROM {src}"
        ))
        .bind(serde_json::Value::Array(chunk.to_vec()).to_string())
        .bind(&now)
        .bind(expires.to_string())
        .execute(&mut *w.tx)
        .await?;
    }
    Ok(made)
}

/// The accounts list's filters.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    /// `Some(true)`: enabled only; `Some(false)`: disabled only
    pub active: Option<bool>,
    /// `Some(false)`: never activated (a code outstanding or expired)
    pub activated: Option<bool>,
    /// accounts of this unit only (within the scope)
    pub unit_id: Option<i64>,
    /// accounts not signed in since this time (RFC 3339, UTC), or never
    pub idle_since: Option<String>,
}

/// A row of the accounts list.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
    pub department: String,
    pub staff_no: String,
    pub disabled: bool,
    pub activated: bool,
    pub code_expires: String,
    pub last_login_at: String,
    pub joined_on: String,
    pub left_on: String,
    pub auth_source: String,
    /// where the list goes on after this row (its unit's path and its login)
    pub cursor: String,
}

const ACCOUNT_SELECT: &str = "SELECT us.id, us.login, us.display_name, us.role, u.code AS unit_code, u.name AS unit_name, \
     COALESCE(d.name, '') AS department, COALESCE(s.staff_no, '') AS staff_no, us.disabled, us.activated_at, \
     COALESCE(us.activation_expires, '') AS code_expires, COALESCE(us.last_login_at, '') AS last_login_at, \
     COALESCE(s.joined_on, '') AS joined_on, COALESCE(s.left_on, '') AS left_on, us.auth_source, u.path AS unit_path \
     FROM users us JOIN units u ON u.id = us.unit_id LEFT JOIN staff s ON s.id = us.staff_id \
     LEFT JOIN departments d ON d.id = s.department_id";

fn account_row(r: &sqlx::any::AnyRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: r.try_get("id")?,
        login: r.try_get("login")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        department: r.try_get("department")?,
        staff_no: r.try_get("staff_no")?,
        disabled: flag(r, "disabled")?,
        activated: r.try_get::<Option<String>, _>("activated_at")?.is_some(),
        code_expires: r.try_get("code_expires")?,
        last_login_at: r.try_get("last_login_at")?,
        joined_on: r.try_get("joined_on")?,
        left_on: r.try_get("left_on")?,
        auth_source: r.try_get("auth_source")?,
        cursor: format!(
            "{}|{}",
            r.try_get::<String, _>("unit_path")?,
            r.try_get::<String, _>("login")?
        ),
    })
}

impl Store {
    /// A page of the accounts in `scope` matching `f`, unit by unit (in the units' path order)
    /// and by login within a unit, after the cursor `after` (a row's [`AccountRow::cursor`]).
    /// The scope's units are taken a hundred at a time in path order and their accounts read on
    /// the (unit, login) index: O(the page), not the scope's accounts, on both databases (a
    /// single join ordered by path and login makes PostgreSQL sort every account in scope).
    pub async fn accounts(
        &self,
        scope: &Scope,
        f: &AccountFilter,
        after: &str,
        limit: i64,
    ) -> Result<Vec<AccountRow>> {
        const UNITS: i64 = 100;
        let limit = limit.clamp(1, 5000);
        let (mut path, login) = after
            .split_once('|')
            .map(|(p, l)| (p.to_string(), l.to_string()))
            .unwrap_or_default();
        let mut cond = Vec::new();
        if let Some(r) = f.role {
            cond.push(format!(" AND us.role = '{}'", r.as_str()));
        }
        if let Some(a) = f.active {
            cond.push(format!(" AND us.disabled = {}", i64::from(!a)));
        }
        match f.activated {
            Some(true) => cond.push(" AND us.activated_at IS NOT NULL".into()),
            Some(false) => cond.push(" AND us.activated_at IS NULL".into()),
            None => {}
        }
        if let Some(t) = &f.idle_since {
            // a timestamp this crate wrote (RFC 3339): checked before it enters the statement
            if chrono::DateTime::parse_from_rfc3339(t).is_ok() {
                cond.push(format!(
                    " AND (us.last_login_at IS NULL OR us.last_login_at < '{t}')"
                ));
            }
        }
        let cond = cond.concat();
        let one_unit = f
            .unit_id
            .map(|u| format!(" AND u.id = {u}"))
            .unwrap_or_default();
        let mut out: Vec<AccountRow> = Vec::new();
        // the cursor's unit has been read to its end
        let mut unit_done = false;
        let mut probed = 0usize;
        loop {
            let units: Vec<(i64, String)> = sqlx::query(crate::sqlf!(
                "SELECT u.id, u.path FROM units u WHERE {}{one_unit} AND u.path >= $3 ORDER BY u.path LIMIT $4",
                crate::scope_sql("u", 1, 2)
            ))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(&path)
            .bind(UNITS)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("path")?)))
            .collect::<Result<_>>()?;
            let Some(last) = units.last().map(|(_, p)| p.clone()) else {
                break;
            };
            // unit by unit on the (unit, login) index while the page fills from few units (no
            // filter, or a common one); a rare filter then reads the rest a hundred units at a time
            let one_by_one = units.len().min(20usize.saturating_sub(probed));
            probed += one_by_one;
            let mut batches: Vec<String> = units[..one_by_one]
                .iter()
                .map(|(id, _)| format!("= {id}"))
                .collect();
            if one_by_one < units.len() {
                let rest = units[one_by_one..]
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                batches.push(format!("IN ({rest})"));
            }
            for units_cond in batches {
                // one unit: its accounts in the index's order, read no further than the page
                let order = if units_cond.starts_with('=') {
                    "us.login"
                } else {
                    "u.path, us.login"
                };
                let rows = sqlx::query(crate::sqlf!(
                    "{ACCOUNT_SELECT} WHERE us.unit_id {units_cond} AND (u.path > $1 OR (u.path = $1 AND us.login > $2 AND $4 = 0)){cond} \
                     ORDER BY {order} LIMIT $3"
                ))
                .persistent(false)
                .bind(&path)
                .bind(&login)
                .bind(limit - out.len() as i64)
                .bind(i64::from(unit_done))
                .fetch_all(&self.pool)
                .await?;
                for r in &rows {
                    out.push(account_row(r)?);
                }
                if out.len() as i64 >= limit {
                    return Ok(out);
                }
            }
            if out.len() as i64 >= limit || (units.len() as i64) < UNITS {
                break;
            }
            // the next hundred units: after the last one read (all of its accounts were)
            path = last;
            unit_done = true;
        }
        Ok(out)
    }

    /// The accounts of one unit not yet activated, by department then name: the sheet a
    /// department prints to chase who has still not signed in.
    pub async fn not_activated(&self, unit_id: i64) -> Result<Vec<AccountRow>> {
        let rows = sqlx::query(crate::sqlf!(
            "{ACCOUNT_SELECT} WHERE us.unit_id = $1 AND us.activated_at IS NULL AND us.disabled = 0 \
             ORDER BY COALESCE(d.name, ''), us.display_name, us.login LIMIT 20000"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_row).collect()
    }

    /// Makes `change` to account `user_id` as `actor` may (decided by
    /// [`identity::may_change_account`] on the account read in the write). A move names the
    /// unit by code and, optionally, a department of it. A new code is returned.
    pub async fn change_account(
        &self,
        actor: &Actor,
        user_id: i64,
        change: AccountRequest<'_>,
        days: i64,
    ) -> Result<Option<IssuedCode>> {
        let mut w = self.write(actor).await?;
        let r = sqlx::query(
            "SELECT us.id, us.login, us.display_name, us.role, us.unit_id, u.path, u.code, us.staff_id, COALESCE(s.staff_no, '') AS staff_no, \
             COALESCE(d.name, '') AS department FROM users us JOIN units u ON u.id = us.unit_id LEFT JOIN staff s ON s.id = us.staff_id \
             LEFT JOIN departments d ON d.id = s.department_id WHERE us.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let facts = AccountFacts {
            user_id,
            unit_id: r.try_get("unit_id")?,
            unit_path: r.try_get("path")?,
        };
        let staff_id: Option<i64> = r.try_get("staff_id")?;
        let old_role: String = r.try_get("role")?;
        // the unit moved to, read here
        let (decided, department_id) = match &change {
            AccountRequest::Move {
                unit_code,
                department,
            } => {
                let u = sqlx::query("SELECT id, path FROM units WHERE code = $1")
                    .bind(unit_code.trim().to_ascii_uppercase())
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!("单位代码 {} 不存在", unit_code.trim()))
                    })?;
                let unit_id: i64 = u.try_get("id")?;
                let dept = match department.map(str::trim).filter(|d| !d.is_empty()) {
                    None => None,
                    Some(name) => Some(
                        sqlx::query_scalar::<_, i64>(
                            "SELECT id FROM departments WHERE unit_id = $1 AND name = $2",
                        )
                        .bind(unit_id)
                        .bind(name)
                        .fetch_optional(&mut *w.tx)
                        .await?
                        .ok_or_else(|| StoreError::Invalid(format!("该单位没有部门“{name}”")))?,
                    ),
                };
                (
                    AccountChange::Move {
                        unit_id,
                        unit_path: u.try_get("path")?,
                    },
                    dept,
                )
            }
            AccountRequest::Disable => (AccountChange::Disable, None),
            AccountRequest::Enable => (AccountChange::Enable, None),
            AccountRequest::NewCode => (AccountChange::NewCode, None),
            AccountRequest::Role { role, reason } => (
                AccountChange::Role {
                    role: *role,
                    reason: reason.to_string(),
                },
                None,
            ),
        };
        let actor_who = w.actor().who();
        identity::may_change_account(
            actor
                .user_id
                .zip(actor_who)
                .map(|(id, (role, scope))| (id, role, scope)),
            &facts,
            &decided,
        )?;
        let mut issued = None;
        let (action, after) = match &decided {
            AccountChange::Disable => {
                disable_where(&mut w, &format!("id = {user_id}")).await?;
                ("user.disable", json!({"disabled": true}))
            }
            AccountChange::Enable => {
                sqlx::query("UPDATE users SET disabled = 0, failed_logins = 0 WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *w.tx)
                    .await?;
                ("user.enable", json!({"disabled": false}))
            }
            AccountChange::Move { unit_id, .. } => {
                sqlx::query("UPDATE users SET unit_id = $1 WHERE id = $2")
                    .bind(unit_id)
                    .bind(user_id)
                    .execute(&mut *w.tx)
                    .await?;
                if let Some(s) = staff_id {
                    crate::staff::move_staff(&mut w, s, *unit_id, department_id).await?;
                }
                (
                    "user.move",
                    json!({"from_unit": facts.unit_id, "unit": unit_id, "department": department_id}),
                )
            }
            AccountChange::Role { role, reason } => {
                sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(user_id)
                    .execute(&mut *w.tx)
                    .await?;
                (
                    "user.role",
                    json!({"from": old_role, "role": role.as_str(), "reason": reason.trim()}),
                )
            }
            AccountChange::NewCode => {
                let code = new_code();
                let expires = w.today() + chrono::Duration::days(days.clamp(1, 365));
                end_access(&mut w, &format!("id = {user_id}")).await?;
                sqlx::query("UPDATE users SET password_hash = '', activated_at = NULL, activation_hash = $1, activation_expires = $2 WHERE id = $3")
                    .bind(code_digest(&code))
                    .bind(expires.to_string())
                    .bind(user_id)
                    .execute(&mut *w.tx)
                    .await?;
                issued = Some(IssuedCode {
                    staff_no: r.try_get("staff_no")?,
                    login: r.try_get("login")?,
                    name: r.try_get("display_name")?,
                    unit_code: r.try_get("code")?,
                    department: r.try_get("department")?,
                    code,
                    expires_on: expires,
                });
                ("user.new_code", json!({"expires_on": expires.to_string()}))
            }
        };
        w.audit(Change {
            action,
            entity: "user",
            entity_id: user_id.to_string(),
            unit_id: Some(facts.unit_id),
            before: None,
            after: Some(after),
        })
        .await?;
        w.commit().await?;
        Ok(issued)
    }

    /// Turns local passwords off (or on) for a unit's accounts: off, they sign in through the
    /// directory only.
    pub async fn set_password_login(&self, actor: &Actor, unit_id: i64, on: bool) -> Result<()> {
        let mut w = self.write(actor).await?;
        let path: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        identity::may_set_password_login(w.actor().who(), unit_id, &path)?;
        sqlx::query("UPDATE units SET password_login = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(unit_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "unit.password_login",
            entity: "unit",
            entity_id: unit_id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"password_login": on})),
        })
        .await?;
        w.commit().await
    }

    /// New codes for every account of a unit never activated (the unit's sheet handed out again).
    pub async fn reissue_unit_codes(
        &self,
        actor: &Actor,
        unit_id: i64,
        days: i64,
    ) -> Result<Vec<IssuedCode>> {
        let mut out = Vec::new();
        for a in self.not_activated(unit_id).await? {
            if let Some(c) = self
                .change_account(actor, a.id, AccountRequest::NewCode, days)
                .await?
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Activates an account with its one-time code: sets the password (the stated strength
    /// rules) and signs the person in. A wrong login, a wrong or expired code and a disabled
    /// account give the same answer.
    pub async fn activate(&self, login: &str, code: &str, password: &str) -> Result<LoginOutcome> {
        let row = sqlx::query(
            "SELECT id, activation_hash, activation_expires, disabled FROM users WHERE login = $1",
        )
        .bind(login.trim())
        .fetch_optional(&self.pool)
        .await?;
        let failed = || Err(duban_domain::rectification::RuleError::ActivationFailed.into());
        let Some(row) = row else { return failed() };
        let id: i64 = row.try_get("id")?;
        let stored: Option<String> = row.try_get("activation_hash")?;
        let expires: Option<String> = row.try_get("activation_expires")?;
        let live = stored.is_some_and(|h| duban_domain::auth::tokens_equal(&h, &code_digest(code)))
            && expires.is_some_and(|e| e >= self.today().to_string())
            && !flag(&row, "disabled")?;
        if !live {
            return failed();
        }
        duban_domain::auth::check_password_policy(password)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let hash = crate::users::hash(password).await;
        let actor = Actor {
            user_id: Some(id),
            name: login.trim().to_string(),
            role: None,
            scope: None,
        };
        let mut w = self.write(&actor).await?;
        // once: the code is spent in the same statement that checks it is still there
        let n = sqlx::query("UPDATE users SET password_hash = $1, activation_hash = NULL, activation_expires = NULL, activated_at = $2 \
                             WHERE id = $3 AND activation_hash IS NOT NULL")
            .bind(&hash)
            .bind(w.now_rfc3339())
            .bind(id)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return failed();
        }
        w.audit(Change {
            action: "user.activate",
            entity: "user",
            entity_id: id.to_string(),
            unit_id: None,
            before: None,
            after: None,
        })
        .await?;
        self.signed_in(w, id).await
    }
}

/// A change asked for, as the doors parse it (a move names its unit by code).
#[derive(Debug, Clone)]
pub enum AccountRequest<'a> {
    Disable,
    Enable,
    Move {
        unit_code: &'a str,
        department: Option<&'a str>,
    },
    Role {
        role: Role,
        reason: &'a str,
    },
    NewCode,
}
