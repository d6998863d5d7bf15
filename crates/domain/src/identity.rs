//! Identity: accounts made from the roster with one-time activation codes, and the changes an
//! administrator makes to an account (disable, enable, move, role, new code). Each change is
//! decided here on the facts the store reads inside its write.
use crate::access::{Action, Scope, allowed};
use crate::org::Role;
use crate::records::Month;
use crate::rectification::RuleError;
use chrono::NaiveDate;
use rand::RngCore;

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read off paper is typed right.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A one-time activation code: 20 characters of base 32 (100 random bits), in four groups of
/// five (`7K3QD-M9X2A-…`). Only its digest ([`code_digest`]) is stored.
pub fn new_code() -> String {
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    let chars: Vec<u8> = b.iter().map(|x| ALPHABET[(x & 31) as usize]).collect();
    chars
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed, made canonical: case, spaces and dashes do not matter, and the letters
/// that look like digits (O, I, L) are read as those digits.
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// The stored form of a code (SHA-256 of the canonical code; 100 random bits need no slow hash).
pub fn code_digest(raw: &str) -> String {
    crate::auth::secret_digest(&normalize_code(raw))
}

/// Days an activation code lives unless the settings say otherwise.
pub const CODE_DAYS: i64 = 14;

/// The role an account made from the roster gets when the file names none: the unit's leaders
/// are `leader`, the discipline group's members `discipline`, heads of a department `dept`,
/// everyone else `staff`.
pub fn role_from_staff(is_leader: bool, department: &str, post: &str) -> Role {
    if is_leader {
        Role::Leader
    } else if department.contains("纪检") || department.contains("监察组") {
        Role::Discipline
    } else if ["主任", "处长", "厅长", "部长", "局长", "负责人"]
        .iter()
        .any(|p| post.contains(p))
    {
        Role::Dept
    } else {
        Role::Staff
    }
}

/// The month number of a month (year × 12 + month − 1), as the posts keep it.
pub fn month_number(m: Month) -> i64 {
    i64::from(m.year) * 12 + i64::from(m.month) - 1
}

/// The months a post covers, from the joining date (0: since before the records began) to the
/// first month after leaving (`None`: still in post). A person owes a filing for the month they
/// join and the month they leave.
pub fn post_months(joined_on: Option<NaiveDate>, left_on: Option<NaiveDate>) -> (i64, Option<i64>) {
    (
        joined_on.map_or(0, |d| month_number(Month::of(d))),
        left_on.map(|d| month_number(Month::of(d)) + 1),
    )
}

/// A change an administrator makes to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    /// To a unit (its id and path) and, optionally, a department of it.
    Move {
        unit_id: i64,
        unit_path: String,
    },
    Role {
        role: Role,
        reason: String,
    },
    /// A new activation code (the old password, sessions and tokens end).
    NewCode,
}

/// What the store reads of the account being changed.
#[derive(Debug, Clone)]
pub struct AccountFacts {
    pub user_id: i64,
    pub unit_id: i64,
    pub unit_path: String,
}

/// Longest reason for a role change.
pub const REASON_CHARS: usize = 200;

/// Whether `actor` (its account id, role and scope; `None`: the server's command line) may make
/// `change` to the account. An administrator acts on accounts of its scope, moves them only to a
/// unit of its scope, never changes its own account (another administrator does), and states why
/// a role changes.
pub fn may_change_account(
    actor: Option<(i64, Role, &Scope)>,
    target: &AccountFacts,
    change: &AccountChange,
) -> Result<(), RuleError> {
    if let AccountChange::Role { reason, .. } = change {
        let n = reason.trim().chars().count();
        if n == 0 {
            return Err(RuleError::RoleWithoutReason);
        }
        if n > REASON_CHARS {
            return Err(RuleError::OpinionTooLong(REASON_CHARS));
        }
    }
    let Some((id, role, scope)) = actor else {
        return Ok(());
    };
    if !allowed(role, Action::ManageUsers) {
        return Err(RuleError::NotPermitted);
    }
    if !scope.covers(target.unit_id, &target.unit_path) {
        return Err(RuleError::OutOfScope);
    }
    if id == target.user_id {
        return Err(RuleError::OwnAccount);
    }
    if let AccountChange::Move { unit_id, unit_path } = change {
        if !scope.covers(*unit_id, unit_path) {
            return Err(RuleError::OutOfScope);
        }
    }
    Ok(())
}

/// Whether `actor` may turn local passwords off (or on) for a unit: an administrator whose scope
/// covers it (`None`: the server's command line).
pub fn may_set_password_login(
    actor: Option<(Role, &Scope)>,
    unit_id: i64,
    unit_path: &str,
) -> Result<(), RuleError> {
    match actor {
        None => Ok(()),
        Some((role, _)) if !allowed(role, Action::ManageUsers) => Err(RuleError::NotPermitted),
        Some((_, scope)) if !scope.covers(unit_id, unit_path) => Err(RuleError::OutOfScope),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn scope(id: i64, path: &str, subtree: bool) -> Scope {
        Scope {
            unit_id: id,
            unit_path: path.into(),
            subtree,
        }
    }
    fn facts() -> AccountFacts {
        AccountFacts {
            user_id: 7,
            unit_id: 3,
            unit_path: "/1/2/3/".into(),
        }
    }
    #[test]
    fn codes_are_long_random_and_forgiving() {
        let c = new_code();
        assert_eq!(c.len(), 23);
        assert_eq!(c.matches('-').count(), 3);
        assert_ne!(c, new_code());
        assert_eq!(
            code_digest(&c),
            code_digest(&c.to_lowercase().replace('-', " "))
        );
        assert_eq!(normalize_code("o1l-i"), "0111");
        assert_ne!(code_digest("ABCDE"), code_digest("ABCDF"));
    }
    #[test]
    fn roles_from_the_roster() {
        assert_eq!(role_from_staff(true, "", ""), Role::Leader);
        assert_eq!(
            role_from_staff(false, "驻院纪检监察组", "组员"),
            Role::Discipline
        );
        assert_eq!(role_from_staff(false, "第一检察部", "主任"), Role::Dept);
        assert_eq!(
            role_from_staff(false, "第一检察部", "检察官助理"),
            Role::Staff
        );
    }
    #[test]
    fn posts_cover_the_months_of_joining_and_leaving() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(post_months(None, None), (0, None));
        let (from, until) = post_months(d("2020-03-31"), d("2020-05-01"));
        assert_eq!(from, 2020 * 12 + 2);
        assert_eq!(until, Some(2020 * 12 + 5));
    }
    #[test]
    fn administrators_change_accounts_of_their_scope_but_not_their_own() {
        let s = scope(2, "/1/2/", true);
        let ok = |actor, change: &AccountChange| may_change_account(actor, &facts(), change);
        assert_eq!(
            ok(Some((1, Role::Admin, &s)), &AccountChange::Disable),
            Ok(())
        );
        assert_eq!(
            ok(Some((1, Role::Office, &s)), &AccountChange::Disable),
            Err(RuleError::NotPermitted)
        );
        assert_eq!(
            ok(Some((7, Role::Admin, &s)), &AccountChange::Disable),
            Err(RuleError::OwnAccount)
        );
        let other = scope(9, "/1/9/", true);
        assert_eq!(
            ok(Some((1, Role::Admin, &other)), &AccountChange::Enable),
            Err(RuleError::OutOfScope)
        );
        let away = AccountChange::Move {
            unit_id: 9,
            unit_path: "/1/9/".into(),
        };
        assert_eq!(
            ok(Some((1, Role::Admin, &s)), &away),
            Err(RuleError::OutOfScope)
        );
        assert_eq!(ok(None, &away), Ok(()));
        let role = |reason: &str| AccountChange::Role {
            role: Role::Leader,
            reason: reason.into(),
        };
        assert_eq!(ok(None, &role(" ")), Err(RuleError::RoleWithoutReason));
        assert_eq!(
            ok(Some((1, Role::Admin, &s)), &role("任命为副检察长")),
            Ok(())
        );
    }
}
