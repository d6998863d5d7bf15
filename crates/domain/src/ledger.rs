//! One decision per ledger write (不搞形式销号): who may add which entry to a task, with what
//! evidence and on which business date. The store calls [`decide`] inside the write transaction on
//! facts read there; pages, API, imports and meeting decisions only parse and translate.
use crate::org::Role;
use crate::rectification::{Category, RuleError, Step, TaskState, transition};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Kinds of ledger entries; each is one lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Progress,
    Staged,
    ClosureRequest,
    Approve,
    Reject,
    Reopen,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Progress,
        EntryKind::Staged,
        EntryKind::ClosureRequest,
        EntryKind::Approve,
        EntryKind::Reject,
        EntryKind::Reopen,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Progress => "progress",
            EntryKind::Staged => "staged",
            EntryKind::ClosureRequest => "closure_request",
            EntryKind::Approve => "approve",
            EntryKind::Reject => "reject",
            EntryKind::Reopen => "reopen",
        }
    }
    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    /// Approve, return and reopen: the independent reviewer's steps.
    pub fn is_review(self) -> bool {
        matches!(
            self,
            EntryKind::Approve | EntryKind::Reject | EntryKind::Reopen
        )
    }
}

/// Accepted evidence types: extension, MIME type.
pub const EVIDENCE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("txt", "text/plain"),
    ("ofd", "application/ofd"),
];

/// Largest evidence file.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
/// Longest evidence file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 120;

/// The MIME type of an evidence file by its name, when the name is acceptable: not empty, at most
/// [`MAX_FILENAME_CHARS`] characters, no control characters or path separators, an accepted type.
pub fn evidence_type(filename: &str) -> Result<&'static str, RuleError> {
    let bad_name = filename.trim().is_empty()
        || filename.chars().count() > MAX_FILENAME_CHARS
        || filename
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        || filename.starts_with('.');
    if bad_name {
        return Err(RuleError::BadFileName(filename.chars().take(40).collect()));
    }
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    EVIDENCE_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
        .ok_or_else(|| RuleError::BadFileType(filename.to_string()))
}

/// Who writes: the person behind the account, as far as the rules need to know.
#[derive(Debug, Clone)]
pub struct EntryActor<'a> {
    pub user_id: Option<i64>,
    pub role: Role,
    /// the staff record the account is bound to; reviews need one
    pub staff: Option<i64>,
    pub departments: &'a [i64],
}

/// What the rules need to know about a task, read in the write transaction.
#[derive(Debug, Clone)]
pub struct EntryTask<'a> {
    pub category: Category,
    pub state: TaskState,
    pub lead_leader: Option<i64>,
    pub responsible: Option<i64>,
    pub departments: &'a [i64],
    /// accounts that wrote an entry of the pending closure request (the request and what followed)
    pub request_authors: &'a [i64],
    /// non-empty evidence files already in the task's ledger
    pub earlier_evidence: usize,
    /// what the task's matter comes from (a discipline recommendation's tasks are reviewed by the
    /// discipline group alone)
    pub source: crate::rectification::SourceKind,
}

/// A file offered as evidence: its name and size.
#[derive(Debug, Clone)]
pub struct FileFacts<'a> {
    pub name: &'a str,
    pub size: usize,
}

/// What the user asks for.
#[derive(Debug, Clone)]
pub struct EntryInput<'a> {
    pub kind: EntryKind,
    /// the business date the user gives
    pub date: NaiveDate,
    /// the China-time date of recording (the application clock)
    pub recorded_on: NaiveDate,
    /// why an entry is recorded late (补录); required beyond the grace
    pub late_reason: &'a str,
    pub body: &'a str,
    pub files: &'a [FileFacts<'a>],
}

/// The configurable part of the rules.
#[derive(Debug, Clone)]
pub struct EntryRules<'a> {
    pub reviewers: &'a [Role],
    /// days a business date may lie before the recording date without a reason
    pub grace_days: i64,
}

/// The change an accepted entry makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDecision {
    pub state_after: TaskState,
    /// whole days between the business date and the recording date when beyond the grace, else 0
    pub late_days: i64,
}

/// Whether `actor` may add an entry of `kind` to the task now (who, not what): the page offers
/// the kinds for which this holds, and [`decide`] starts with it.
pub fn may_add(
    actor: &EntryActor,
    task: &EntryTask,
    kind: EntryKind,
    reviewers: &[Role],
) -> Result<(), RuleError> {
    if kind.is_review() {
        return may_review(actor, task, kind, reviewers);
    }
    let is_lead = actor.staff.is_some() && actor.staff == task.lead_leader;
    let in_dept = actor
        .departments
        .iter()
        .any(|d| task.departments.contains(d));
    let keeps = match actor.role {
        Role::Office => true,
        Role::Leader => is_lead || in_dept,
        Role::Dept => in_dept,
        _ => false,
    };
    if !keeps {
        return Err(RuleError::NotAKeeper);
    }
    match kind {
        EntryKind::Staged if task.category != Category::LongTerm => {
            Err(RuleError::StagedOnlyLongTerm)
        }
        EntryKind::ClosureRequest if task.category == Category::LongTerm => {
            Err(RuleError::LongTermNeverCloses)
        }
        EntryKind::ClosureRequest
            if !matches!(task.state, TaskState::NotStarted | TaskState::InProgress) =>
        {
            Err(RuleError::WrongState(task.state.zh()))
        }
        _ => Ok(()),
    }
}

/// The independent reviewer: a person (an account bound to a staff record) in a reviewing role,
/// never an administrator, not the author of any entry of this closure request, not the lead
/// leader, not the responsible person, not in a responsible department.
fn may_review(
    actor: &EntryActor,
    task: &EntryTask,
    kind: EntryKind,
    reviewers: &[Role],
) -> Result<(), RuleError> {
    if actor.role == Role::Admin {
        return Err(RuleError::AdminNeverReviews);
    }
    let reviewers = task.source.reviewers(reviewers);
    if !reviewers.contains(&actor.role) {
        let names: Vec<&str> = reviewers
            .iter()
            .map(|r| match r {
                Role::Discipline => "驻院纪检监察组",
                Role::Office => "整改办",
                _ => "指定审核人",
            })
            .collect();
        return Err(RuleError::NotAReviewer(names.join("或")));
    }
    let Some(staff) = actor.staff else {
        return Err(RuleError::UnboundReviewer);
    };
    let in_dept = actor
        .departments
        .iter()
        .any(|d| task.departments.contains(d));
    if Some(staff) == task.lead_leader || Some(staff) == task.responsible || in_dept {
        return Err(RuleError::OwnTask);
    }
    if kind != EntryKind::Reopen
        && actor
            .user_id
            .is_some_and(|u| task.request_authors.contains(&u))
    {
        return Err(RuleError::OwnRequest);
    }
    let wanted = if kind == EntryKind::Reopen {
        TaskState::Closed
    } else {
        TaskState::ClosureRequested
    };
    if task.state != wanted {
        return Err(RuleError::WrongState(task.state.zh()));
    }
    Ok(())
}

/// The business date against the recording date: a future date is refused; one older than the
/// grace needs a reason and is then kept with its delay in whole days (补录).
pub fn lateness(
    date: NaiveDate,
    recorded_on: NaiveDate,
    grace_days: i64,
    late_reason: &str,
) -> Result<i64, RuleError> {
    if date > recorded_on {
        return Err(RuleError::FutureDate);
    }
    let days = (recorded_on - date).num_days();
    if days <= grace_days {
        return Ok(0);
    }
    if late_reason.trim().is_empty() {
        return Err(RuleError::LateWithoutReason {
            days,
            grace: grace_days,
        });
    }
    Ok(days)
}

/// The one decision for a ledger entry: who, what evidence, which date, which state after.
pub fn decide(
    actor: &EntryActor,
    task: &EntryTask,
    input: &EntryInput,
    rules: &EntryRules,
) -> Result<EntryDecision, RuleError> {
    may_add(actor, task, input.kind, rules.reviewers)?;
    if input.body.trim().is_empty() {
        return Err(RuleError::EmptyBody);
    }
    let mut new_files = 0;
    for f in input.files {
        evidence_type(f.name)?;
        if f.size == 0 {
            return Err(RuleError::EmptyFile(f.name.to_string()));
        }
        if f.size > MAX_EVIDENCE_BYTES {
            return Err(RuleError::FileTooLarge(f.name.to_string()));
        }
        new_files += 1;
    }
    let late_days = lateness(
        input.date,
        input.recorded_on,
        rules.grace_days,
        input.late_reason,
    )?;
    let step = match input.kind {
        EntryKind::Progress | EntryKind::Staged => Step::Progress,
        EntryKind::ClosureRequest => Step::RequestClosure {
            evidence_files: new_files + task.earlier_evidence,
            statement: input.body.to_string(),
        },
        EntryKind::Approve => Step::Approve,
        EntryKind::Reject => Step::Reject {
            reasons: input.body.to_string(),
        },
        EntryKind::Reopen => Step::Reopen {
            reason: input.body.to_string(),
        },
    };
    let state_after = transition(task.state, task.category, &step)?;
    Ok(EntryDecision {
        state_after,
        late_days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: [i64; 1] = [10];
    fn task(state: TaskState) -> EntryTask<'static> {
        EntryTask {
            source: crate::rectification::SourceKind::Central,
            category: Category::TimeLimited,
            state,
            lead_leader: Some(1),
            responsible: Some(2),
            departments: &D,
            request_authors: &[100],
            earlier_evidence: 0,
        }
    }
    fn actor(user: i64, role: Role, staff: Option<i64>, depts: &[i64]) -> EntryActor<'_> {
        EntryActor {
            user_id: Some(user),
            role,
            staff,
            departments: depts,
        }
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn input<'a>(kind: EntryKind, date: &str, files: &'a [FileFacts<'a>]) -> EntryInput<'a> {
        EntryInput {
            kind,
            date: day(date),
            recorded_on: day("2020-11-05"),
            late_reason: "",
            body: "情况",
            files,
        }
    }
    const REVIEWERS: [Role; 2] = [Role::Discipline, Role::Office];
    fn rules() -> EntryRules<'static> {
        EntryRules {
            reviewers: &REVIEWERS,
            grace_days: 3,
        }
    }

    #[test]
    fn only_an_independent_person_approves() {
        let t = task(TaskState::ClosureRequested);
        let ok = |a: &EntryActor| {
            decide(
                a,
                &t,
                &input(EntryKind::Approve, "2020-11-05", &[]),
                &rules(),
            )
        };
        assert_eq!(
            ok(&actor(7, Role::Discipline, Some(9), &[20]))
                .unwrap()
                .state_after,
            TaskState::Closed
        );
        // the author of the request
        assert_eq!(
            ok(&actor(100, Role::Office, Some(9), &[20])),
            Err(RuleError::OwnRequest)
        );
        // an account with no person behind it
        assert_eq!(
            ok(&actor(7, Role::Office, None, &[])),
            Err(RuleError::UnboundReviewer)
        );
        // administrators never review
        assert_eq!(
            ok(&actor(7, Role::Admin, Some(9), &[])),
            Err(RuleError::AdminNeverReviews)
        );
        // lead leader, responsible person, responsible department
        assert_eq!(
            ok(&actor(7, Role::Office, Some(1), &[])),
            Err(RuleError::OwnTask)
        );
        assert_eq!(
            ok(&actor(7, Role::Office, Some(2), &[])),
            Err(RuleError::OwnTask)
        );
        assert_eq!(
            ok(&actor(7, Role::Discipline, Some(9), &[10])),
            Err(RuleError::OwnTask)
        );
        // not a reviewing role
        assert!(matches!(
            ok(&actor(7, Role::Dept, Some(9), &[])),
            Err(RuleError::NotAReviewer(_))
        ));
    }

    #[test]
    fn evidence_must_be_a_real_file() {
        let t = task(TaskState::InProgress);
        let office = actor(100, Role::Office, None, &[]);
        let empty = [FileFacts {
            name: "a.pdf",
            size: 0,
        }];
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::ClosureRequest, "2020-11-05", &empty),
                &rules()
            ),
            Err(RuleError::EmptyFile("a.pdf".into()))
        );
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::ClosureRequest, "2020-11-05", &[]),
                &rules()
            ),
            Err(RuleError::NoEvidence)
        );
        for bad in ["../x.pdf", "a\0.pdf", ".pdf", &"长".repeat(200)] {
            let f = [FileFacts { name: bad, size: 3 }];
            assert!(
                decide(
                    &office,
                    &t,
                    &input(EntryKind::ClosureRequest, "2020-11-05", &f),
                    &rules()
                )
                .is_err(),
                "{bad}"
            );
        }
        let f = [FileFacts {
            name: "验收报告.pdf",
            size: 3,
        }];
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::ClosureRequest, "2020-11-05", &f),
                &rules()
            )
            .unwrap()
            .state_after,
            TaskState::ClosureRequested
        );
    }

    #[test]
    fn backdating_needs_a_reason_and_is_marked() {
        let t = task(TaskState::InProgress);
        let office = actor(100, Role::Office, None, &[]);
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::Progress, "2020-11-02", &[]),
                &rules()
            )
            .unwrap()
            .late_days,
            0
        );
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::Progress, "2020-11-01", &[]),
                &rules()
            ),
            Err(RuleError::LateWithoutReason { days: 4, grace: 3 })
        );
        let mut i = input(EntryKind::Progress, "2020-11-01", &[]);
        i.late_reason = "会议记录补录";
        assert_eq!(decide(&office, &t, &i, &rules()).unwrap().late_days, 4);
        assert_eq!(
            decide(
                &office,
                &t,
                &input(EntryKind::Progress, "2020-11-06", &[]),
                &rules()
            ),
            Err(RuleError::FutureDate)
        );
    }

    #[test]
    fn keepers_and_kinds() {
        let t = task(TaskState::InProgress);
        let dept = actor(5, Role::Dept, Some(3), &[10]);
        let other = actor(6, Role::Dept, Some(4), &[11]);
        assert!(may_add(&dept, &t, EntryKind::Progress, &REVIEWERS).is_ok());
        assert_eq!(
            may_add(&other, &t, EntryKind::Progress, &REVIEWERS),
            Err(RuleError::NotAKeeper)
        );
        assert_eq!(
            may_add(&dept, &t, EntryKind::Staged, &REVIEWERS),
            Err(RuleError::StagedOnlyLongTerm)
        );
        let mut lt = task(TaskState::InProgress);
        lt.category = Category::LongTerm;
        assert_eq!(
            may_add(&dept, &lt, EntryKind::ClosureRequest, &REVIEWERS),
            Err(RuleError::LongTermNeverCloses)
        );
    }
}
