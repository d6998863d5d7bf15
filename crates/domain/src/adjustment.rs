//! Adjustments of a task (任务调整). The office edits a task's wording and responsibility at once,
//! with before and after kept; a change of deadline or category is a request with a reason that
//! someone other than its author approves — never a one-person move, whatever the door (task page,
//! re-import, meeting decision).
use crate::org::Role;
use crate::rectification::RuleError;
use serde::{Deserialize, Serialize};

/// What an adjustment changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Measure,
    Standard,
    Responsibility,
    Deadline,
    Category,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Title,
        Field::Measure,
        Field::Standard,
        Field::Responsibility,
        Field::Deadline,
        Field::Category,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Measure => "measure",
            Field::Standard => "standard",
            Field::Responsibility => "responsibility",
            Field::Deadline => "deadline",
            Field::Category => "category",
        }
    }
    pub fn parse(raw: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == raw.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            Field::Title => "任务名称",
            Field::Measure => "整改措施",
            Field::Standard => "完成标准",
            Field::Responsibility => "责任分工",
            Field::Deadline => "完成时限",
            Field::Category => "整改类别",
        }
    }
    /// Deadline and category move the task's figures: they are requested and reviewed.
    pub fn needs_review(self) -> bool {
        matches!(self, Field::Deadline | Field::Category)
    }
}

/// The state of an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjState {
    /// an edit applied at once (wording, responsibility)
    Applied,
    Pending,
    Approved,
    Rejected,
}

impl AdjState {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjState::Applied => "applied",
            AdjState::Pending => "pending",
            AdjState::Approved => "approved",
            AdjState::Rejected => "rejected",
        }
    }
    pub fn parse(raw: &str) -> Option<AdjState> {
        [
            AdjState::Applied,
            AdjState::Pending,
            AdjState::Approved,
            AdjState::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// Who acts on an adjustment.
#[derive(Debug, Clone)]
pub struct AdjActor {
    pub user_id: Option<i64>,
    pub role: Role,
    pub staff: Option<i64>,
}

/// Whether `actor` may edit or request a change of `field`; a request needs a reason. Returns the
/// state the adjustment starts in.
pub fn request(actor: &AdjActor, field: Field, reason: &str) -> Result<AdjState, RuleError> {
    // the office keeps the task; the discipline group, which runs the consultations with it, may
    // put a change of deadline or category to the vote, never edit the wording
    let may = match actor.role {
        Role::Office => true,
        Role::Discipline => field.needs_review(),
        _ => false,
    };
    if !may {
        return Err(RuleError::NotAnAdjuster);
    }
    if field.needs_review() {
        if reason.trim().is_empty() {
            return Err(RuleError::AdjustmentWithoutReason);
        }
        Ok(AdjState::Pending)
    } else {
        Ok(AdjState::Applied)
    }
}

/// Whether `actor` may approve or reject a pending request made by `requested_by`: a person in a
/// reviewing role, never an administrator, never the request's author.
pub fn decide(
    actor: &AdjActor,
    state: AdjState,
    requested_by: Option<i64>,
    reviewers: &[Role],
) -> Result<(), RuleError> {
    if state != AdjState::Pending {
        return Err(RuleError::AdjustmentDecided);
    }
    if actor.role == Role::Admin {
        return Err(RuleError::AdminNeverReviews);
    }
    if !reviewers.contains(&actor.role) {
        return Err(RuleError::NotAReviewer("驻院纪检监察组或整改办".into()));
    }
    if actor.staff.is_none() {
        return Err(RuleError::UnboundReviewer);
    }
    if actor.user_id.is_some() && actor.user_id == requested_by {
        return Err(RuleError::OwnAdjustment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn a(user: i64, role: Role, staff: Option<i64>) -> AdjActor {
        AdjActor {
            user_id: Some(user),
            role,
            staff,
        }
    }
    const R: [Role; 2] = [Role::Discipline, Role::Office];

    #[test]
    fn deadline_moves_are_requests_decided_by_someone_else() {
        let office = a(1, Role::Office, Some(5));
        assert_eq!(request(&office, Field::Title, ""), Ok(AdjState::Applied));
        assert_eq!(
            request(&office, Field::Deadline, " "),
            Err(RuleError::AdjustmentWithoutReason)
        );
        assert_eq!(
            request(&office, Field::Deadline, "会商决定"),
            Ok(AdjState::Pending)
        );
        assert_eq!(
            request(&a(2, Role::Dept, Some(6)), Field::Deadline, "x"),
            Err(RuleError::NotAnAdjuster)
        );
        assert_eq!(
            request(&a(2, Role::Discipline, Some(6)), Field::Title, ""),
            Err(RuleError::NotAnAdjuster)
        );
        assert_eq!(
            decide(&office, AdjState::Pending, Some(1), &R),
            Err(RuleError::OwnAdjustment)
        );
        assert_eq!(
            decide(
                &a(3, Role::Discipline, Some(7)),
                AdjState::Pending,
                Some(1),
                &R
            ),
            Ok(())
        );
        assert_eq!(
            decide(&a(3, Role::Admin, Some(7)), AdjState::Pending, Some(1), &R),
            Err(RuleError::AdminNeverReviews)
        );
        assert_eq!(
            decide(&a(3, Role::Office, None), AdjState::Pending, Some(1), &R),
            Err(RuleError::UnboundReviewer)
        );
        assert_eq!(
            decide(
                &a(3, Role::Discipline, Some(7)),
                AdjState::Approved,
                Some(1),
                &R
            ),
            Err(RuleError::AdjustmentDecided)
        );
    }
}
