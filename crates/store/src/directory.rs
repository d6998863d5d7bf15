//! The roster kept from the organisation's directory: a synchronisation brings people in, moves
//! them and ends the accounts of those gone; a directory sign-in is a synchronisation of one.
use crate::accounts::disable_where;
use crate::org::ensure_department;
use crate::users::LoginOutcome;
use crate::{Actor, Result, Store, Write};
use duban_domain::identity::{month_number, role_from_staff};
use duban_domain::records::Month;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// A person as the directory has them (mapped by the configured attributes).
#[derive(Debug, Clone)]
pub struct DirectoryPerson {
    pub staff_no: String,
    pub login: String,
    pub name: String,
    pub unit_code: String,
    pub department: String,
}

/// What a synchronisation changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub seen: usize,
    pub staff_created: usize,
    pub accounts_created: usize,
    pub moved: usize,
    pub renamed: usize,
    /// accounts ended because their person is no longer in the directory
    pub disabled: u64,
    pub unchanged: usize,
    /// people left alone, with why (the first 100)
    pub skipped: Vec<String>,
    pub skipped_count: usize,
}

impl SyncReport {
    fn skip(&mut self, why: String) {
        self.skipped_count += 1;
        if self.skipped.len() < 100 {
            self.skipped.push(why);
        }
    }
}

struct Known {
    id: i64,
    unit_id: i64,
    department_id: Option<i64>,
    post_from: i64,
    name: String,
}

/// Applies `people` to the roster inside `w`; with `full`, accounts kept by the directory whose
/// person it no longer lists are ended and their person marked as left today.
async fn apply(w: &mut Write, people: &[DirectoryPerson], full: bool) -> Result<SyncReport> {
    let mut report = SyncReport {
        seen: people.len(),
        ..Default::default()
    };
    let mut units: HashMap<String, i64> = HashMap::new();
    for r in sqlx::query("SELECT id, code FROM units")
        .fetch_all(&mut *w.tx)
        .await?
    {
        units.insert(r.try_get("code")?, r.try_get("id")?);
    }
    let mut known: HashMap<String, Known> = HashMap::new();
    for r in sqlx::query("SELECT id, staff_no, unit_id, department_id, post_from, name FROM staff")
        .fetch_all(&mut *w.tx)
        .await?
    {
        known.insert(
            r.try_get("staff_no")?,
            Known {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                department_id: r.try_get("department_id")?,
                post_from: r.try_get("post_from")?,
                name: r.try_get("name")?,
            },
        );
    }
    let accounts: HashSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT staff_id FROM users WHERE staff_id IS NOT NULL")
            .fetch_all(&mut *w.tx)
            .await?
            .into_iter()
            .collect();
    let mut taken: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT login FROM users")
        .fetch_all(&mut *w.tx)
        .await?
        .into_iter()
        .map(|l| l.to_lowercase())
        .collect();
    let this_month = month_number(Month::of(w.today()));
    let mut depts: HashMap<(i64, String), i64> = HashMap::new();
    let mut new_accounts = Vec::new();
    // moves, applied together after the loop: (staff, old unit, old department, old post start,
    // new unit, new department)
    let mut moves = Vec::new();
    for p in people {
        let Some(&unit_id) = units.get(&p.unit_code.trim().to_ascii_uppercase()) else {
            report.skip(format!("{}：单位代码 {} 不存在", p.staff_no, p.unit_code));
            continue;
        };
        let department = p.department.trim();
        let dept_id = if department.is_empty() {
            None
        } else if let Some(id) = depts.get(&(unit_id, department.to_string())) {
            Some(*id)
        } else {
            let (id, _) = ensure_department(w, unit_id, department, "internal").await?;
            depts.insert((unit_id, department.to_string()), id);
            Some(id)
        };
        let name: String = p.name.trim().chars().take(50).collect();
        let staff_id = match known.get(&p.staff_no) {
            Some(k) => {
                let mut changed = false;
                if k.unit_id != unit_id || k.department_id != dept_id {
                    moves.push(json!([
                        k.id,
                        k.unit_id,
                        k.department_id,
                        k.post_from,
                        unit_id,
                        dept_id
                    ]));
                    report.moved += 1;
                    changed = true;
                }
                if !name.is_empty() && k.name != name {
                    sqlx::query("UPDATE staff SET name = $1 WHERE id = $2")
                        .bind(&name)
                        .bind(k.id)
                        .execute(&mut *w.tx)
                        .await?;
                    sqlx::query("UPDATE users SET display_name = $1 WHERE staff_id = $2")
                        .bind(&name)
                        .bind(k.id)
                        .execute(&mut *w.tx)
                        .await?;
                    report.renamed += 1;
                    changed = true;
                }
                if !changed {
                    report.unchanged += 1;
                }
                k.id
            }
            None => {
                if duban_domain::import::parse_staff_id(&p.staff_no).is_err() {
                    report.skip(format!("{}：工号格式不可用", p.staff_no));
                    continue;
                }
                // from the directory the joining date is not known: owed from this month on
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO staff (staff_no, name, unit_id, department_id, post, is_leader, post_from) \
                     VALUES ($1, $2, $3, $4, '', 0, $5) RETURNING id",
                )
                .bind(&p.staff_no)
                .bind(if name.is_empty() { &p.staff_no } else { &name })
                .bind(unit_id)
                .bind(dept_id)
                .bind(this_month)
                .fetch_one(&mut *w.tx)
                .await?;
                report.staff_created += 1;
                id
            }
        };
        if !accounts.contains(&staff_id) {
            let login = if p.login.trim().is_empty() {
                p.staff_no.clone()
            } else {
                p.login.trim().to_string()
            };
            if duban_domain::import::parse_login(&login).is_err()
                || !taken.insert(login.to_lowercase())
            {
                report.skip(format!("{}：登录名 {login} 不可用或已被占用", p.staff_no));
                continue;
            }
            let role = role_from_staff(false, department, "");
            new_accounts.push(json!([
                login,
                if name.is_empty() { &p.staff_no } else { &name },
                role.as_str(),
                unit_id,
                staff_id
            ]));
        }
    }
    let src = crate::json_rows_for(w.backend, 1);
    // the months before a move stay owed where they were served (as `staff::move_staff`, set-based)
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS duban_moves (staff_id BIGINT PRIMARY KEY, unit_id BIGINT NOT NULL, department_id BIGINT, post_from BIGINT NOT NULL)")
        .execute(&mut *w.tx)
        .await?;
    sqlx::query("DELETE FROM duban_moves")
        .execute(&mut *w.tx)
        .await?;
    for chunk in moves.chunks(5000) {
        let rows = serde_json::Value::Array(chunk.to_vec()).to_string();
        sqlx::query(crate::sqlf!(
            "INSERT INTO staff_posts (staff_id, unit_id, department_id, post_from, post_until) \
             SELECT CAST(j.value ->> 0 AS BIGINT), CAST(j.value ->> 1 AS BIGINT), CAST(j.value ->> 2 AS BIGINT), CAST(j.value ->> 3 AS BIGINT), $2 \
             FROM {src} WHERE CAST(j.value ->> 3 AS BIGINT) < $2"
        ))
        .bind(&rows)
        .bind(this_month)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(crate::sqlf!(
            "INSERT INTO duban_moves (staff_id, unit_id, department_id, post_from) \
             SELECT CAST(j.value ->> 0 AS BIGINT), CAST(j.value ->> 4 AS BIGINT), CAST(j.value ->> 5 AS BIGINT), \
             CASE WHEN CAST(j.value ->> 3 AS BIGINT) < $2 THEN $2 ELSE CAST(j.value ->> 3 AS BIGINT) END FROM {src}"
        ))
        .bind(&rows)
        .bind(this_month)
        .execute(&mut *w.tx)
        .await?;
    }
    if !moves.is_empty() {
        sqlx::query(
            "UPDATE staff SET unit_id = (SELECT m.unit_id FROM duban_moves m WHERE m.staff_id = staff.id), \
             department_id = (SELECT m.department_id FROM duban_moves m WHERE m.staff_id = staff.id), \
             post_from = (SELECT m.post_from FROM duban_moves m WHERE m.staff_id = staff.id) \
             WHERE id IN (SELECT staff_id FROM duban_moves)",
        )
        .execute(&mut *w.tx)
        .await?;
        // an account's scope follows its person
        sqlx::query(
            "UPDATE users SET unit_id = (SELECT m.unit_id FROM duban_moves m WHERE m.staff_id = users.staff_id) \
             WHERE staff_id IN (SELECT staff_id FROM duban_moves)",
        )
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("DELETE FROM duban_moves")
            .execute(&mut *w.tx)
            .await?;
    }
    let now = w.now_rfc3339();
    for chunk in new_accounts.chunks(5000) {
        report.accounts_created += sqlx::query(crate::sqlf!(
            "INSERT INTO users (login, display_name, password_hash, role, unit_id, subtree, created_at, staff_id, activated_at, auth_source) \
             SELECT j.value ->> 0, j.value ->> 1, '', j.value ->> 2, CAST(j.value ->> 3 AS BIGINT), 0, $2, CAST(j.value ->> 4 AS BIGINT), $2, 'ldap' FROM {src}"
        ))
        .bind(serde_json::Value::Array(chunk.to_vec()).to_string())
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected() as usize;
    }
    // the accounts the directory keeps, of people it no longer lists: they have left
    if full {
        let listed: HashSet<&str> = people.iter().map(|p| p.staff_no.as_str()).collect();
        let gone: Vec<i64> = sqlx::query(
            "SELECT s.id, s.staff_no FROM users us JOIN staff s ON s.id = us.staff_id WHERE us.auth_source = 'ldap' AND us.disabled = 0",
        )
        .fetch_all(&mut *w.tx)
        .await?
        .iter()
        .filter(|r| {
            r.try_get::<String, _>("staff_no")
                .is_ok_and(|n| !listed.contains(n.as_str()))
        })
        .filter_map(|r| r.try_get::<i64, _>("id").ok())
        .collect();
        let today = w.today().to_string();
        for chunk in gone.chunks(500) {
            let ids = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            sqlx::query(crate::sqlf!(
                "UPDATE staff SET left_on = $1, post_until = $2 WHERE id IN ({ids}) AND left_on IS NULL"
            ))
            .bind(&today)
            .bind(this_month + 1)
            .execute(&mut *w.tx)
            .await?;
            report.disabled +=
                disable_where(w, &format!("staff_id IN ({ids}) AND disabled = 0")).await?;
        }
    }
    Ok(report)
}

impl Store {
    /// A synchronisation with the directory's people: every change in one transaction, audited
    /// with its counts.
    pub async fn sync_directory(
        &self,
        actor: &Actor,
        people: &[DirectoryPerson],
    ) -> Result<SyncReport> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManageOrg)?;
        let report = apply(&mut w, people, true).await?;
        w.audit(crate::Change {
            action: "directory.sync",
            entity: "staff",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!(report)),
        })
        .await?;
        w.commit().await?;
        Ok(report)
    }

    /// Signs in a person the directory has just vouched for: brought into the roster (or moved)
    /// as a synchronisation would, then a session for their account, unless it is disabled.
    pub async fn directory_sign_in(&self, person: &DirectoryPerson) -> Result<LoginOutcome> {
        let mut w = self.write(&Actor::system("directory")).await?;
        let report = apply(&mut w, std::slice::from_ref(person), false).await?;
        if let Some(why) = report.skipped.first() {
            tracing::warn!(staff_no = %person.staff_no, %why, "directory sign-in: not in the roster");
        }
        self.staff_session(w, &person.staff_no).await
    }

    /// Signs in the person a single sign-on provider vouched for, by staff number: their
    /// account must exist (the roster and the directory make accounts; SSO does not) and be
    /// enabled. A person with several accounts gets the directory's, else their first.
    pub async fn sso_sign_in(&self, staff_no: &str) -> Result<LoginOutcome> {
        let w = self.write(&Actor::system("sso")).await?;
        self.staff_session(w, staff_no).await
    }

    async fn staff_session(&self, mut w: Write, staff_no: &str) -> Result<LoginOutcome> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT us.id FROM users us JOIN staff s ON s.id = us.staff_id WHERE s.staff_no = $1 AND us.disabled = 0 \
             ORDER BY CASE WHEN us.auth_source = 'local' THEN 1 ELSE 0 END, us.id LIMIT 1",
        )
        .bind(staff_no)
        .fetch_optional(&mut *w.tx)
        .await?;
        let Some(id) = id else {
            return Ok(LoginOutcome::BadCredentials);
        };
        self.signed_in(w, id).await
    }
}
