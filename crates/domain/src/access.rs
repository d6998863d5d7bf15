//! Who may see and do what. Every permission is scoped to a unit and, where granted, its subtree.
//!
//! Units carry a materialised `path` of ancestor ids, e.g. `/1/7/52/` for a unit with id 52 whose
//! parent is 7 and grandparent 1. A scope covers a unit when the unit is the scope's own unit or,
//! for a subtree scope, when the unit's path starts with the scope unit's path.
use crate::org::Role;
use crate::rectification::RuleError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub unit_id: i64,
    pub unit_path: String,
    pub subtree: bool,
}

impl Scope {
    pub fn covers(&self, unit_id: i64, unit_path: &str) -> bool {
        unit_id == self.unit_id || (self.subtree && unit_path.starts_with(&self.unit_path))
    }
    /// True when the scope reaches the whole organisation (the national unit's subtree).
    pub fn is_national(&self) -> bool {
        self.subtree && self.unit_path.matches('/').count() == 2
    }
}

/// The unit path of a child of `parent_path` with id `id`.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The ids on a unit path, from the top unit down to the unit itself ([`child_path`] backwards).
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// Actions that are not reading one's own scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create and edit units, departments and staff; import them.
    ManageOrg,
    /// Create accounts and set their roles.
    ManageUsers,
    /// Edit the statutory work calendar.
    EditCalendar,
    /// Browse the audit log.
    ReadAudit,
    /// Read staff lists (names, posts) of units in scope.
    ReadStaff,
    /// Register, acknowledge, answer, transfer and close letters from the public.
    HandleLetters,
    /// Read the letters of units in scope (personal data included, each view audited).
    ReadLetters,
    /// Read the details of interference records in scope (each view audited): the discipline group.
    ReadRecordDetails,
    /// Read aggregate figures of interference records (no cell under 5 persons).
    ReadRecordFigures,
    /// Draft and issue supervision letters (督促函) to under-reporting units; record their answers.
    IssueRecordLetters,
    /// Read case-quality figures (案-件比, plea rate, overdue cases, monitoring hits) in scope.
    ReadQuality,
    /// Load case events (file or API batch) and set the quality rules.
    ManageQuality,
    /// Register documents, meetings, study sessions and visits; put requests for figures to
    /// lower units (through the gate).
    ManagePaperwork,
    /// Turn process-monitoring hits into supervised matters (tasks).
    SuperviseHits,
    /// Read the unit's official documents (drafts and published) in scope.
    ReadDocuments,
    /// Draft, save and publish bulletins, reports, special reports and typical-case batches.
    ManageDocuments,
    /// Change the supervision rules (lights, urging, reviewers, letter clocks, grants).
    SetSupervisionRules,
    /// Register inspection rounds, plans, problems and tasks; import a ledger into a plan.
    ManagePlans,
    /// Issue a plan to the units below (the office of the plan's own unit, with a subtree scope).
    CascadePlans,
    /// Convene supervision meetings, keep their minutes and record their decisions.
    Convene,
    /// Read the meetings of units in scope.
    ReadMeetings,
    /// See every reminder and notice in scope (others see those addressed to them).
    OverseeNotices,
    /// Follow the supervision board (lights and notices): the roles that supervise or lead.
    WatchBoard,
    /// Be assigned tasks as lead leader, responsible department or office ("my tasks").
    HoldTasks,
    /// Read the supervision rules in force (changing them is [`Action::SetSupervisionRules`]).
    ReadRules,
    /// Keep the discipline group's desk: problem clues, their reviews and look-backs, the
    /// violations register. The discipline group alone; everyone else is told it does not exist.
    KeepDesk,
}

pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match action {
        ManageOrg | ManageUsers | EditCalendar => role == Role::Admin,
        ReadAudit => matches!(role, Role::Admin | Role::Discipline),
        ReadStaff => !matches!(role, Role::Staff),
        HandleLetters => matches!(role, Role::Admin | Role::Letters),
        ReadLetters => matches!(
            role,
            Role::Admin | Role::Letters | Role::Office | Role::Discipline | Role::Leader
        ),
        ReadRecordDetails | KeepDesk => role == Role::Discipline,
        ReadRecordFigures => matches!(
            role,
            Role::Admin | Role::Office | Role::Discipline | Role::Leader
        ),
        IssueRecordLetters => matches!(role, Role::Office | Role::Discipline),
        ReadQuality => matches!(
            role,
            Role::Admin | Role::Office | Role::Discipline | Role::Leader | Role::Quality
        ),
        ManageQuality => matches!(role, Role::Admin | Role::Quality),
        ManagePaperwork => matches!(role, Role::Admin | Role::Office),
        SuperviseHits => matches!(role, Role::Admin | Role::Office | Role::Quality),
        ReadDocuments => matches!(
            role,
            Role::Admin | Role::Office | Role::Discipline | Role::Leader
        ),
        ManageDocuments => matches!(role, Role::Admin | Role::Office | Role::Discipline),
        SetSupervisionRules => role == Role::Admin,
        ManagePlans => matches!(role, Role::Admin | Role::Office),
        CascadePlans => role == Role::Office,
        Convene => matches!(role, Role::Office | Role::Discipline),
        ReadMeetings => matches!(
            role,
            Role::Admin | Role::Office | Role::Discipline | Role::Leader
        ),
        OverseeNotices => matches!(role, Role::Admin | Role::Office | Role::Discipline),
        WatchBoard => !matches!(role, Role::Staff | Role::Letters | Role::Quality),
        HoldTasks => matches!(role, Role::Leader | Role::Dept | Role::Office),
        ReadRules => matches!(role, Role::Admin | Role::Office | Role::Discipline),
    }
}

/// The one decision for a command that needs a right and nothing else (the store checks the
/// scope of what it touches in the same transaction): `None` is the operator on the server's
/// command line, who acts for the installation.
pub fn decide(role: Option<Role>, action: Action) -> Result<(), RuleError> {
    match role {
        Some(r) if !allowed(r, action) => Err(RuleError::NotPermitted),
        _ => Ok(()),
    }
}

/// The one decision for issuing a plan downwards: the office of the plan's own unit, holding a
/// subtree scope, while there is a level below (level 4 is the basic level).
pub fn decide_cascade(
    role: Role,
    actor: &Scope,
    plan_unit_id: i64,
    plan_unit_level: i64,
) -> Result<(), RuleError> {
    if !allowed(role, Action::CascadePlans) || !actor.subtree || actor.unit_id != plan_unit_id {
        return Err(RuleError::NotPermitted);
    }
    if plan_unit_level >= 4 {
        return Err(RuleError::NotPermitted);
    }
    Ok(())
}

/// The one decision for revoking an API token: its owner, or an administrator whose scope covers
/// the owner's unit (the store tells anyone else that it does not exist).
pub fn decide_token_revoke(
    actor: Option<(i64, Role, &Scope)>,
    owner_id: i64,
    owner_unit_id: i64,
    owner_unit_path: &str,
) -> Result<(), RuleError> {
    match actor {
        None => Ok(()),
        Some((id, _, _)) if id == owner_id => Ok(()),
        Some((_, role, scope))
            if allowed(role, Action::ManageUsers)
                && scope.covers(owner_unit_id, owner_unit_path) =>
        {
            Ok(())
        }
        _ => Err(RuleError::NotPermitted),
    }
}

/// The one decision for creating or changing an account: an administrator, granting a scope
/// within and never wider than its own.
pub fn decide_grant(
    role: Role,
    actor: &Scope,
    unit_id: i64,
    unit_path: &str,
    subtree: bool,
) -> Result<(), RuleError> {
    if !allowed(role, Action::ManageUsers) {
        return Err(RuleError::NotPermitted);
    }
    if !actor.covers(unit_id, unit_path) {
        return Err(RuleError::OutOfScope);
    }
    if subtree && !actor.subtree {
        return Err(RuleError::GrantTooWide);
    }
    Ok(())
}

/// Nationwide rules (supervision rules, letter clocks, detail-reading grants, case-quality rules)
/// are changed only by a holder of the right whose scope is the whole organisation.
pub fn decide_national_setting(role: Role, actor: &Scope, action: Action) -> Result<(), RuleError> {
    if !allowed(role, action) {
        return Err(RuleError::NotPermitted);
    }
    if !actor.is_national() {
        return Err(RuleError::NationalOnly);
    }
    Ok(())
}

/// Writes of facts about a unit (case events, records, letters) only for units in the writer's
/// scope.
pub fn decide_unit_write(
    role: Role,
    actor: &Scope,
    action: Action,
    unit_id: i64,
    unit_path: &str,
) -> Result<(), RuleError> {
    if !allowed(role, action) {
        return Err(RuleError::NotPermitted);
    }
    if !actor.covers(unit_id, unit_path) {
        return Err(RuleError::OutOfScope);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_back() {
        let p = child_path(Some(&child_path(None, 1)), 33);
        assert_eq!(path_ids(&p), vec![1, 33]);
        assert_eq!(path_ids("/"), Vec::<i64>::new());
    }
    fn s(id: i64, path: &str, subtree: bool) -> Scope {
        Scope {
            unit_id: id,
            unit_path: path.into(),
            subtree,
        }
    }
    #[test]
    fn scope_covers() {
        let province = s(7, "/1/7/", true);
        assert!(province.covers(7, "/1/7/"));
        assert!(province.covers(52, "/1/7/52/"));
        assert!(!province.covers(8, "/1/8/"));
        assert!(!province.covers(1, "/1/"));
        // id 7 must not cover id 70 by a string prefix accident
        assert!(!province.covers(70, "/1/70/"));
        let county = s(52, "/1/7/52/", false);
        assert!(county.covers(52, "/1/7/52/"));
        assert!(!county.covers(53, "/1/7/53/"));
        assert!(!county.covers(99, "/1/7/52/99/"));
        assert!(s(1, "/1/", true).is_national());
        assert!(!province.is_national());
        assert_eq!(child_path(Some("/1/7/"), 52), "/1/7/52/");
        assert_eq!(child_path(None, 1), "/1/");
    }
    #[test]
    fn grants_never_widen() {
        let county_admin = s(52, "/1/7/52/", false);
        assert_eq!(
            decide_grant(Role::Admin, &county_admin, 52, "/1/7/52/", true),
            Err(RuleError::GrantTooWide)
        );
        assert_eq!(
            decide_grant(Role::Admin, &county_admin, 52, "/1/7/52/", false),
            Ok(())
        );
        assert_eq!(
            decide_grant(Role::Admin, &county_admin, 7, "/1/7/", false),
            Err(RuleError::OutOfScope)
        );
        assert_eq!(
            decide_grant(Role::Office, &county_admin, 52, "/1/7/52/", false),
            Err(RuleError::NotPermitted)
        );
        let province = s(7, "/1/7/", true);
        assert_eq!(
            decide_grant(Role::Admin, &province, 52, "/1/7/52/", true),
            Ok(())
        );
        assert_eq!(
            decide_national_setting(Role::Admin, &province, Action::SetSupervisionRules),
            Err(RuleError::NationalOnly)
        );
        assert_eq!(
            decide_national_setting(Role::Admin, &s(1, "/1/", true), Action::SetSupervisionRules),
            Ok(())
        );
        assert_eq!(
            decide_unit_write(
                Role::Quality,
                &county_admin,
                Action::ManageQuality,
                8,
                "/1/8/"
            ),
            Err(RuleError::OutOfScope)
        );
    }
    #[test]
    fn role_rules() {
        assert!(allowed(Role::Admin, Action::ManageOrg));
        assert!(!allowed(Role::Office, Action::ManageOrg));
        assert!(allowed(Role::Discipline, Action::ReadAudit));
        assert!(!allowed(Role::Letters, Action::ReadAudit));
        assert!(!allowed(Role::Staff, Action::ReadStaff));
    }
}
