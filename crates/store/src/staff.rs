//! The roster: staff imports (with the accounts made from them), joining, moving and leaving.
use crate::org::{ImportReport, ensure_department};
use crate::{Actor, Change, Result, Scope, Store, StoreError, Write};
use duban_domain::identity::{month_number, post_months};
use duban_domain::import::{self, Table};
use duban_domain::org::UnitCode;
use duban_domain::records::Month;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// What a staff import does besides the roster.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaffImport {
    /// Make an account with an activation code for everyone in post without one, valid so many
    /// days; `None`: no accounts.
    pub accounts: Option<i64>,
}

/// A staff member as the import finds them.
struct Known {
    id: i64,
    unit_id: i64,
    department_id: Option<i64>,
    post_from: i64,
    joined_on: Option<String>,
}

impl Store {
    /// Imports a staff table: all rows or none. Departments named there are created in their unit.
    /// `limit_to` restricts the units rows may name (an admin's scope); others are row errors.
    /// A person whose unit or department changes has moved: the months before stay owed where
    /// they served. A `left_on` date on or before today disables the person's account. With
    /// `opts.accounts`, everyone in post in the scope without an account gets one, with a code.
    pub async fn import_staff(
        &self,
        actor: &Actor,
        table: &Table,
        limit_to: Option<&Scope>,
        opts: StaffImport,
    ) -> Result<ImportReport> {
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::ManageOrg)?;
        let mut units = HashMap::new();
        for r in sqlx::query("SELECT id, code, path FROM units")
            .fetch_all(&mut *w.tx)
            .await?
        {
            let id: i64 = r.try_get("id")?;
            let code: String = r.try_get("code")?;
            let path: String = r.try_get("path")?;
            if limit_to.is_none_or(|s| s.covers(id, &path)) {
                if let Ok(c) = UnitCode::parse(&code) {
                    units.insert(c, id);
                }
            }
        }
        let codes: HashSet<UnitCode> = units.keys().cloned().collect();
        let rows = import::validate_staff(table, &codes).map_err(StoreError::Import)?;
        let mut known: HashMap<String, Known> = HashMap::new();
        for r in sqlx::query(
            "SELECT id, staff_no, unit_id, department_id, post_from, joined_on FROM staff",
        )
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
                    joined_on: r.try_get("joined_on")?,
                },
            );
        }
        let today = w.today();
        let this_month = month_number(Month::of(today));
        let mut report = ImportReport::default();
        let mut depts: HashMap<(i64, String), i64> = HashMap::new();
        let mut leavers = Vec::new();
        for r in &rows {
            let unit_id = units[&r.unit];
            let dept_id = if r.department.is_empty() {
                None
            } else if let Some(id) = depts.get(&(unit_id, r.department.clone())) {
                Some(*id)
            } else {
                let (id, created) =
                    ensure_department(&mut w, unit_id, &r.department, "internal").await?;
                report.departments_created += usize::from(created);
                depts.insert((unit_id, r.department.clone()), id);
                Some(id)
            };
            let (joined_from, until) = post_months(r.joined_on, r.left_on);
            let joined = r.joined_on.map(|d| d.to_string());
            let left = r.left_on.map(|d| d.to_string());
            let id = match known.get(&r.staff_id) {
                Some(k) => {
                    // the current post began when the person joined, unless they have moved
                    let never_moved = k.post_from
                        == k.joined_on
                            .as_deref()
                            .and_then(|d| duban_domain::calendar::parse_date(d).ok())
                            .map_or(0, |d| month_number(Month::of(d)));
                    let moved = k.unit_id != unit_id || k.department_id != dept_id;
                    let post_from = if moved {
                        if this_month > k.post_from {
                            close_post(&mut w, k, this_month).await?;
                        }
                        this_month.max(joined_from)
                    } else if never_moved {
                        joined_from
                    } else {
                        k.post_from
                    };
                    sqlx::query("UPDATE staff SET name = $1, unit_id = $2, department_id = $3, post = $4, is_leader = $5, \
                                 joined_on = $6, left_on = $7, post_from = $8, post_until = $9 WHERE id = $10")
                        .bind(&r.name)
                        .bind(unit_id)
                        .bind(dept_id)
                        .bind(&r.post)
                        .bind(i64::from(r.is_leader))
                        .bind(&joined)
                        .bind(&left)
                        .bind(post_from)
                        .bind(until)
                        .bind(k.id)
                        .execute(&mut *w.tx)
                        .await?;
                    report.updated += 1;
                    k.id
                }
                None => {
                    let id: i64 = sqlx::query_scalar("INSERT INTO staff (staff_no, name, unit_id, department_id, post, is_leader, joined_on, left_on, post_from, post_until) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                        .bind(&r.staff_id)
                        .bind(&r.name)
                        .bind(unit_id)
                        .bind(dept_id)
                        .bind(&r.post)
                        .bind(i64::from(r.is_leader))
                        .bind(&joined)
                        .bind(&left)
                        .bind(joined_from)
                        .bind(until)
                        .fetch_one(&mut *w.tx)
                        .await?;
                    report.created += 1;
                    id
                }
            };
            if r.left_on.is_some_and(|d| d <= today) {
                leavers.push(id);
            }
        }
        // leaving ends the account (its sessions and tokens with it)
        for chunk in leavers.chunks(500) {
            let ids = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            report.accounts_disabled += crate::accounts::disable_where(
                &mut w,
                &format!("staff_id IN ({ids}) AND disabled = 0"),
            )
            .await?;
        }
        if let Some(days) = opts.accounts {
            let wanted: HashMap<&str, (Option<&str>, Option<duban_domain::org::Role>, usize)> =
                rows.iter()
                    .map(|r| (r.staff_id.as_str(), (r.login.as_deref(), r.role, r.row)))
                    .collect();
            report.codes = crate::accounts::provision(&mut w, limit_to, &wanted, days).await?;
        }
        w.audit(Change {
            action: "import.staff",
            entity: "staff",
            entity_id: "*".into(),
            unit_id: limit_to.map(|s| s.unit_id),
            before: None,
            after: Some(json!({"created": report.created, "updated": report.updated, "departments_created": report.departments_created,
                "accounts_created": report.codes.len(), "accounts_disabled": report.accounts_disabled})),
        })
        .await?;
        w.commit().await?;
        Ok(report)
    }
}

/// Keeps a person's post up to `until` (a month number) as history, before a move.
async fn close_post(w: &mut Write, k: &Known, until: i64) -> Result<()> {
    sqlx::query("INSERT INTO staff_posts (staff_id, unit_id, department_id, post_from, post_until) VALUES ($1, $2, $3, $4, $5)")
        .bind(k.id)
        .bind(k.unit_id)
        .bind(k.department_id)
        .bind(k.post_from)
        .bind(until)
        .execute(&mut *w.tx)
        .await?;
    Ok(())
}

/// Moves a staff member to a unit and department from this month on: the months before stay
/// owed where they served.
pub(crate) async fn move_staff(
    w: &mut Write,
    staff_id: i64,
    unit_id: i64,
    department_id: Option<i64>,
) -> Result<()> {
    let r = sqlx::query("SELECT unit_id, department_id, post_from FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_one(&mut *w.tx)
        .await?;
    let k = Known {
        id: staff_id,
        unit_id: r.try_get("unit_id")?,
        department_id: r.try_get("department_id")?,
        post_from: r.try_get("post_from")?,
        joined_on: None,
    };
    if k.unit_id == unit_id && k.department_id == department_id {
        return Ok(());
    }
    let this_month = month_number(Month::of(w.today()));
    let from = if this_month > k.post_from {
        close_post(w, &k, this_month).await?;
        this_month
    } else {
        k.post_from
    };
    sqlx::query("UPDATE staff SET unit_id = $1, department_id = $2, post_from = $3 WHERE id = $4")
        .bind(unit_id)
        .bind(department_id)
        .bind(from)
        .bind(staff_id)
        .execute(&mut *w.tx)
        .await?;
    Ok(())
}
