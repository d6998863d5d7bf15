//! Urging (催办) and graded supervision notices (督办单 blue → yellow → red).
use super::{Light, LightRules, TaskFacts, TaskState, light};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Blue,
    Yellow,
    Red,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Blue => "blue",
            Level::Yellow => "yellow",
            Level::Red => "red",
        }
    }
    /// From the stored name; anything else is the first level.
    pub fn parse(raw: &str) -> Level {
        match raw {
            "red" => Level::Red,
            "yellow" => Level::Yellow,
            _ => Level::Blue,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Level::Blue => "蓝色督办单",
            Level::Yellow => "黄色督办单",
            Level::Red => "红色督办单",
        }
    }
}

/// Days overdue at which each notice level is issued (configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgeRules {
    pub yellow_after_days: i64,
    pub red_after_days: i64,
}

impl Default for UrgeRules {
    fn default() -> Self {
        UrgeRules {
            yellow_after_days: 7,
            red_after_days: 14,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Urge {
    /// 催办 to the responsible person; once a week while the light is yellow.
    Reminder { dedupe: String },
    /// 督办单 to the lead leader; each level once per deadline.
    Notice {
        level: Level,
        days_overdue: i64,
        dedupe: String,
    },
}

/// What a sweep on `as_of` owes a task. The dedupe key makes the sweep idempotent: issuing is
/// an insert that a unique key refuses the second time, whichever process tries.
pub fn urge(
    task_id: i64,
    f: &TaskFacts,
    as_of: NaiveDate,
    lights: &LightRules,
    rules: &UrgeRules,
) -> Option<Urge> {
    if f.state == TaskState::Closed {
        return None;
    }
    match light(f, as_of, lights) {
        Light::Green => None,
        Light::Yellow => {
            let w = as_of.iso_week();
            Some(Urge::Reminder {
                dedupe: format!("reminder:{task_id}:{}-W{:02}", w.year(), w.week()),
            })
        }
        Light::Red => {
            let due = match f.deadline {
                Some(d) if f.category != super::Category::LongTerm => d,
                _ => {
                    f.last_staged.unwrap_or(f.created)
                        + chrono::Duration::days(lights.staged_every_days)
                }
            };
            let days = (as_of - due).num_days();
            let level = if days >= rules.red_after_days {
                Level::Red
            } else if days >= rules.yellow_after_days {
                Level::Yellow
            } else {
                Level::Blue
            };
            Some(Urge::Notice {
                level,
                days_overdue: days,
                dedupe: format!("notice:{task_id}:{due}:{}", level.as_str()),
            })
        }
    }
}

/// The first day after `as_of` on which, with the same facts, a sweep could owe the task
/// something other than what it owes on `as_of`: a new week's reminder, the next notice level,
/// a change of light. A sweep may skip the task until then; any change of its facts ends the
/// quiet (the store clears it). Checked day by day against [`urge`] by a property test.
pub fn quiet_until(
    task_id: i64,
    f: &TaskFacts,
    as_of: NaiveDate,
    lights: &LightRules,
    rules: &UrgeRules,
) -> NaiveDate {
    let days = chrono::Duration::days;
    let mut next = vec![f.last_entry.unwrap_or(f.created) + days(lights.stale_days + 1)];
    if matches!(
        urge(task_id, f, as_of, lights, rules),
        Some(Urge::Reminder { .. })
    ) {
        next.push(as_of + days(7 - i64::from(as_of.weekday().num_days_from_monday())));
    }
    let due = match f.category {
        super::Category::LongTerm => {
            Some(f.last_staged.unwrap_or(f.created) + days(lights.staged_every_days))
        }
        _ => f.deadline,
    };
    if let Some(due) = due {
        next.extend([
            due - days(lights.due_soon_days),
            due + days(1),
            due + days(rules.yellow_after_days),
            due + days(rules.red_after_days),
        ]);
    }
    next.into_iter()
        .filter(|d| *d > as_of)
        .min()
        .unwrap_or(as_of + days(3650))
}

#[cfg(test)]
mod quiet_tests {
    use super::*;
    use crate::rectification::Category;
    use proptest::prelude::*;

    fn key(u: Option<Urge>) -> Option<String> {
        u.map(|u| match u {
            Urge::Reminder { dedupe } | Urge::Notice { dedupe, .. } => dedupe,
        })
    }

    proptest! {
        #[test]
        fn nothing_new_is_owed_while_quiet(c in 0usize..3, s in 0usize..3, created in 0i64..200, deadline in proptest::option::of(0i64..300),
                                           entry in proptest::option::of(0i64..200), staged in proptest::option::of(0i64..200), as_of in 0i64..400) {
            let day = |n: i64| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n);
            let f = TaskFacts { category: Category::ALL[c], state: TaskState::ALL[s], created: day(created), deadline: deadline.map(day),
                last_entry: entry.map(|e| day(created + e)), last_staged: staged.map(|e| day(created + e)) };
            let (l, r) = (LightRules::default(), UrgeRules::default());
            let now = day(as_of);
            let until = quiet_until(1, &f, now, &l, &r);
            prop_assert!(until > now);
            let owed = key(urge(1, &f, now, &l, &r));
            let mut d = now + chrono::Duration::days(1);
            while d < until && d < now + chrono::Duration::days(120) {
                prop_assert_eq!(key(urge(1, &f, d, &l, &r)), owed.clone(), "owed changed on {} before {}", d, until);
                d += chrono::Duration::days(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rectification::Category;
    fn d(s: &str) -> NaiveDate {
        crate::calendar::parse_date(s).unwrap()
    }
    #[test]
    fn escalates_in_steps_and_dedupes() {
        let f = TaskFacts {
            category: Category::TimeLimited,
            state: TaskState::InProgress,
            created: d("2020-01-21"),
            deadline: Some(d("2020-06-30")),
            last_entry: Some(d("2020-06-20")),
            last_staged: None,
        };
        let (l, r) = (LightRules::default(), UrgeRules::default());
        assert_eq!(urge(1, &f, d("2020-06-01"), &l, &r), None);
        assert!(matches!(
            urge(1, &f, d("2020-06-25"), &l, &r),
            Some(Urge::Reminder { .. })
        ));
        assert_eq!(
            urge(1, &f, d("2020-06-25"), &l, &r),
            urge(1, &f, d("2020-06-26"), &l, &r),
            "one reminder a week"
        );
        let lvl = |day| match urge(1, &f, d(day), &l, &r) {
            Some(Urge::Notice { level, .. }) => Some(level),
            _ => None,
        };
        assert_eq!(lvl("2020-07-01"), Some(Level::Blue));
        assert_eq!(lvl("2020-07-07"), Some(Level::Yellow));
        assert_eq!(lvl("2020-07-14"), Some(Level::Red));
        let key = |day| match urge(1, &f, d(day), &l, &r) {
            Some(Urge::Notice { dedupe, .. }) => dedupe,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            key("2020-07-02"),
            key("2020-07-03"),
            "the blue notice once per deadline"
        );
        assert_ne!(key("2020-07-03"), key("2020-07-08"), "then the yellow one");
        let closed = TaskFacts {
            state: TaskState::Closed,
            ..f.clone()
        };
        assert_eq!(urge(1, &closed, d("2020-08-01"), &l, &r), None);
    }
}

/// What the rules know about a notice when someone answers it.
#[derive(Debug, Clone, Copy)]
pub struct NoticeFacts {
    /// the person it is addressed to (the task's lead leader when it was issued)
    pub addressee: Option<i64>,
    pub answered: bool,
}

/// Whether `role`/`staff` may answer the notice with `measures` promised for `promised_on` on
/// `today`: the person it is addressed to; a notice addressed to nobody (no lead leader assigned)
/// is answered by the office of the task's unit (`of_unit`: the account's scope holds that unit).
pub fn may_answer(
    role: crate::org::Role,
    staff: Option<i64>,
    of_unit: bool,
    notice: NoticeFacts,
    measures: &str,
    promised_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), super::RuleError> {
    use super::RuleError;
    let mine = match notice.addressee {
        Some(a) => staff == Some(a),
        None => role == crate::org::Role::Office && of_unit,
    };
    if !mine {
        return Err(RuleError::NotTheAddressee);
    }
    if notice.answered {
        return Err(RuleError::NoticeAnswered);
    }
    if measures.trim().is_empty() {
        return Err(RuleError::EmptyBody);
    }
    if promised_on < today {
        return Err(RuleError::PromiseInPast);
    }
    Ok(())
}

#[cfg(test)]
mod answer_tests {
    use super::*;
    use crate::org::Role;
    use crate::rectification::RuleError;

    #[test]
    fn only_the_addressee_answers_once() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (today, later) = (d("2020-11-05"), d("2020-12-01"));
        let to5 = NoticeFacts {
            addressee: Some(5),
            answered: false,
        };
        let ok =
            |role, staff, of_unit, n| may_answer(role, staff, of_unit, n, "整改措施", later, today);
        assert_eq!(ok(Role::Leader, Some(5), true, to5), Ok(()));
        // the office does not answer for an addressed leader, nor another person
        assert_eq!(
            ok(Role::Office, Some(6), true, to5),
            Err(RuleError::NotTheAddressee)
        );
        assert_eq!(
            ok(Role::Leader, None, true, to5),
            Err(RuleError::NotTheAddressee)
        );
        let nobody = NoticeFacts {
            addressee: None,
            answered: false,
        };
        assert_eq!(ok(Role::Office, Some(6), true, nobody), Ok(()));
        assert_eq!(
            ok(Role::Office, Some(6), false, nobody),
            Err(RuleError::NotTheAddressee)
        );
        assert_eq!(
            ok(
                Role::Leader,
                Some(5),
                true,
                NoticeFacts {
                    answered: true,
                    ..to5
                }
            ),
            Err(RuleError::NoticeAnswered)
        );
        assert_eq!(
            may_answer(Role::Leader, Some(5), true, to5, " ", later, today),
            Err(RuleError::EmptyBody)
        );
        assert_eq!(
            may_answer(
                Role::Leader,
                Some(5),
                true,
                to5,
                "x",
                d("2020-11-04"),
                today
            ),
            Err(RuleError::PromiseInPast)
        );
    }
}
