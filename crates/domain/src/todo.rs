//! The workbench (待办): what each account has to do today, as kinds of work with counts. Which
//! kinds an account sees follows from its rights; what counts as "to do" is decided here once and
//! used by the home page, `GET /api/v1/todo` and the list each count opens.
use crate::access::{Action, allowed};
use crate::org::Role;
use serde::Serialize;

/// A kind of work on the workbench, in the order the home page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// closure requests this account may review (销号审核)
    Review,
    /// deadline or category changes awaiting this account's decision
    Adjustments,
    /// tasks this account holds that are overdue or due within the light's "due soon" days
    TasksDue,
    /// long-term tasks this account holds that owe a staged result now or soon
    StagedOwed,
    /// supervision notices addressed to this account's person not yet answered
    Notices,
    /// notices of the account's unit left unanswered past [`NOTICE_ANSWER_DAYS`]: escalated to
    /// those who oversee notices (the office, the discipline group)
    NoticesOverdue,
    /// letters in scope whose clock runs out within two working days, or has run out
    LettersDue,
    /// this account's own monthly interference report, not yet filed
    MyFiling,
    /// units in scope with staff who have not filed last month's report
    UnitsUnfiled,
    /// supervision letters (督促函) issued in scope and not yet answered
    RecordLetters,
    /// document drafts in scope awaiting publication
    Documents,
    /// process-monitoring hits in scope not yet turned into supervised matters
    Hits,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Review,
        Kind::Adjustments,
        Kind::TasksDue,
        Kind::StagedOwed,
        Kind::Notices,
        Kind::NoticesOverdue,
        Kind::LettersDue,
        Kind::MyFiling,
        Kind::UnitsUnfiled,
        Kind::RecordLetters,
        Kind::Documents,
        Kind::Hits,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Review => "review",
            Kind::Adjustments => "adjustments",
            Kind::TasksDue => "tasks_due",
            Kind::StagedOwed => "staged_owed",
            Kind::Notices => "notices",
            Kind::NoticesOverdue => "notices_overdue",
            Kind::LettersDue => "letters_due",
            Kind::MyFiling => "my_filing",
            Kind::UnitsUnfiled => "units_unfiled",
            Kind::RecordLetters => "record_letters",
            Kind::Documents => "documents",
            Kind::Hits => "hits",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Days a notice may stay unanswered before it is escalated to those who oversee notices.
pub const NOTICE_ANSWER_DAYS: i64 = 7;

/// Working days before a letter's deadline from which it is on the workbench.
pub const LETTER_WARNING_WORKING_DAYS: u32 = 2;

/// The kinds of work an account sees: `reviewers` are the roles the supervision rules name to
/// review closures and decide adjustments; `bound` whether the account is bound to a staff record
/// (a person files monthly reports, holds tasks and receives notices; an account bound to nobody
/// does none of that).
pub fn kinds(role: Role, reviewers: &[Role], bound: bool) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| match k {
            // reviews are a person's, never an administrator's (ledger::may_review)
            Kind::Review | Kind::Adjustments => {
                bound && role != Role::Admin && reviewers.contains(&role)
            }
            Kind::TasksDue | Kind::StagedOwed | Kind::Notices => {
                bound && allowed(role, Action::HoldTasks)
            }
            Kind::NoticesOverdue => allowed(role, Action::OverseeNotices),
            Kind::LettersDue => allowed(role, Action::HandleLetters),
            Kind::MyFiling => bound,
            Kind::UnitsUnfiled | Kind::RecordLetters => allowed(role, Action::IssueRecordLetters),
            // the issuing unit's leaders sign drafts off, those who manage documents publish them
            Kind::Documents => role == Role::Leader || allowed(role, Action::ManageDocuments),
            Kind::Hits => allowed(role, Action::SuperviseHits),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    const R: [Role; 2] = [Role::Discipline, Role::Office];

    #[test]
    fn every_kind_has_a_name_that_parses_back() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("nothing"), None);
    }

    #[test]
    fn kinds_follow_rights() {
        let office = kinds(Role::Office, &R, true);
        assert!(office.contains(&Kind::Review) && office.contains(&Kind::TasksDue));
        // an administrator never reviews, a letters officer has letters, a person files
        assert!(!kinds(Role::Admin, &[Role::Admin], true).contains(&Kind::Review));
        let letters = kinds(Role::Letters, &R, true);
        assert!(letters.contains(&Kind::LettersDue) && !letters.contains(&Kind::Review));
        assert_eq!(kinds(Role::Staff, &R, true), vec![Kind::MyFiling]);
        // an account bound to no person reviews nothing and files nothing
        assert!(!kinds(Role::Discipline, &R, false).contains(&Kind::Review));
        assert!(!kinds(Role::Staff, &R, false).contains(&Kind::MyFiling));
    }
}
