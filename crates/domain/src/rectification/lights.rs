//! Traffic lights (红黄绿灯) of a task as of a day, and the agenda reasons derived from them.
use super::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

/// Thresholds (configurable): yellow when due within `due_soon_days` or without a ledger entry
/// for `stale_days`; long-term tasks owe a staged result every `staged_every_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightRules {
    pub due_soon_days: i64,
    pub stale_days: i64,
    pub staged_every_days: i64,
}

impl Default for LightRules {
    fn default() -> Self {
        LightRules {
            due_soon_days: 7,
            stale_days: 30,
            staged_every_days: 90,
        }
    }
}

/// The light rules as date comparisons, for counting many tasks in the database without loading
/// their histories. Derived from [`light`] and checked against it by a property test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// An open closable task is red when its deadline is before this day.
    pub deadline_before: NaiveDate,
    /// An open long-term task is red when its last staged result (or its creation) is before this day.
    pub staged_before: NaiveDate,
    /// A closable task may be yellow or red when due on or before this day…
    pub due_by: NaiveDate,
    /// …any task when its last entry (or its creation) is before this day…
    pub entry_before: NaiveDate,
    /// …and a long-term task when its last staged result (or its creation) is on or before this day.
    pub staged_by: NaiveDate,
}

impl LightRules {
    pub fn cutoffs(&self, as_of: NaiveDate) -> Cutoffs {
        let days = chrono::Duration::days;
        Cutoffs {
            deadline_before: as_of,
            staged_before: as_of - days(self.staged_every_days),
            due_by: as_of + days(self.due_soon_days),
            entry_before: as_of - days(self.stale_days),
            staged_by: as_of - days(self.staged_every_days) + days(self.due_soon_days),
        }
    }
}

impl Cutoffs {
    /// Red on the day, by comparisons only.
    pub fn red(&self, t: &TaskFacts) -> bool {
        t.state != TaskState::Closed
            && match t.category {
                Category::LongTerm => t.last_staged.unwrap_or(t.created) < self.staged_before,
                _ => t.deadline.is_some_and(|d| d < self.deadline_before),
            }
    }
    /// Possibly yellow or red: a superset of the tasks a sweep must look at.
    pub fn watched(&self, t: &TaskFacts) -> bool {
        t.state != TaskState::Closed
            && (t.last_entry.unwrap_or(t.created) < self.entry_before
                || match t.category {
                    Category::LongTerm => t.last_staged.unwrap_or(t.created) <= self.staged_by,
                    _ => t.deadline.is_some_and(|d| d <= self.due_by),
                })
    }
}

/// The facts about a task on a given day.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub category: Category,
    pub state: TaskState,
    pub created: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub last_entry: Option<NaiveDate>,
    pub last_staged: Option<NaiveDate>,
}

/// Why a task has its light on a day: the one place the thresholds are applied, so that the
/// light, the task page's explanation and the workbench's lists agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    /// closed, or nothing owed soon
    Fine,
    /// a time-limited task past its deadline by `days`
    Overdue { days: i64 },
    /// a time-limited task due in `days` (0: today)
    DueSoon { days: i64 },
    /// a long-term task whose staged result was owed `days` ago
    StagedOverdue { days: i64 },
    /// a long-term task owing a staged result in `days`
    StagedDueSoon { days: i64 },
    /// no ledger entry for `days`
    Stale { days: i64 },
}

impl Why {
    pub fn light(self) -> Light {
        match self {
            Why::Fine => Light::Green,
            Why::Overdue { .. } | Why::StagedOverdue { .. } => Light::Red,
            Why::DueSoon { .. } | Why::StagedDueSoon { .. } | Why::Stale { .. } => Light::Yellow,
        }
    }
    /// The explanation in Chinese ("逾期 37 天", "45 天未报送阶段性成效"); `None` when fine.
    pub fn zh(self) -> Option<String> {
        Some(match self {
            Why::Fine => return None,
            Why::Overdue { days } => format!("逾期 {days} 天"),
            Why::DueSoon { days: 0 } => "今天到期".to_string(),
            Why::DueSoon { days } => format!("{days} 天后到期"),
            Why::StagedOverdue { days } => format!("阶段性成效逾期 {days} 天未报送"),
            Why::StagedDueSoon { days } => format!("{days} 天内应报送阶段性成效"),
            Why::Stale { days } => format!("{days} 天未更新台账"),
        })
    }
    /// The explanation in English; `None` when fine.
    pub fn en(self) -> Option<String> {
        Some(match self {
            Why::Fine => return None,
            Why::Overdue { days } => format!("{days} days overdue"),
            Why::DueSoon { days: 0 } => "due today".to_string(),
            Why::DueSoon { days } => format!("due in {days} days"),
            Why::StagedOverdue { days } => format!("staged result {days} days overdue"),
            Why::StagedDueSoon { days } => format!("staged result due within {days} days"),
            Why::Stale { days } => format!("no ledger entry for {days} days"),
        })
    }
}

/// Why the task has its light on `as_of` ([`light`] is its colour).
pub fn why(t: &TaskFacts, as_of: NaiveDate, r: &LightRules) -> Why {
    if t.state == TaskState::Closed {
        return Why::Fine;
    }
    let quiet = (as_of - t.last_entry.unwrap_or(t.created)).num_days();
    let stale = quiet > r.stale_days;
    if t.category == Category::LongTerm {
        let owed = t.last_staged.unwrap_or(t.created) + chrono::Duration::days(r.staged_every_days);
        if as_of > owed {
            return Why::StagedOverdue {
                days: (as_of - owed).num_days(),
            };
        }
        if (owed - as_of).num_days() <= r.due_soon_days {
            return Why::StagedDueSoon {
                days: (owed - as_of).num_days(),
            };
        }
        return if stale {
            Why::Stale { days: quiet }
        } else {
            Why::Fine
        };
    }
    match t.deadline {
        Some(d) if as_of > d => Why::Overdue {
            days: (as_of - d).num_days(),
        },
        Some(d) if (d - as_of).num_days() <= r.due_soon_days => Why::DueSoon {
            days: (d - as_of).num_days(),
        },
        _ if stale => Why::Stale { days: quiet },
        _ => Why::Fine,
    }
}

pub fn light(t: &TaskFacts, as_of: NaiveDate, r: &LightRules) -> Light {
    why(t, as_of, r).light()
}

/// Why a task is on the biweekly consultation's agenda on `as_of`, if it is: a pending closure
/// request, a red light or a yellow light.
pub fn agenda_reason(f: &TaskFacts, as_of: NaiveDate, r: &LightRules) -> Option<&'static str> {
    if f.state == TaskState::ClosureRequested {
        return Some("closure_requested");
    }
    match light(f, as_of, r) {
        Light::Red => Some("red"),
        Light::Yellow => Some("yellow"),
        Light::Green => None,
    }
}

#[cfg(test)]
mod rules_tests {
    use super::*;
    #[test]
    fn rules_are_checked() {
        assert_eq!(SupervisionRules::default().validate(), Ok(()));
        let mut r = SupervisionRules::default();
        r.urging.yellow_after_days = 20;
        assert!(r.validate().unwrap_err().contains("黄色 < 红色"));
        let mut r = SupervisionRules::default();
        r.reviewers = vec![crate::org::Role::Leader];
        assert!(r.validate().is_err());
        r.reviewers.clear();
        assert!(r.validate().unwrap_err().contains("至少"));
    }
}

#[cfg(test)]
mod cutoff_tests {
    use super::*;
    use proptest::prelude::*;

    fn facts() -> impl Strategy<Value = (TaskFacts, NaiveDate)> {
        let day = |n: i64| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n);
        (
            0usize..3,
            0usize..4,
            0i64..400,
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..400),
            0i64..500,
        )
            .prop_map(move |(c, s, created, deadline, entry, staged, as_of)| {
                let f = TaskFacts {
                    category: Category::ALL[c],
                    state: TaskState::ALL[s],
                    created: day(created),
                    deadline: deadline.map(day),
                    last_entry: entry.map(|e| day(created + e)),
                    last_staged: staged.map(|e| day(created + e)),
                };
                (f, day(as_of))
            })
    }

    proptest! {
        #[test]
        fn cutoffs_agree_with_the_light((f, as_of) in facts()) {
            let rules = LightRules::default();
            let c = rules.cutoffs(as_of);
            let l = light(&f, as_of, &rules);
            prop_assert_eq!(c.red(&f), l == Light::Red);
            if l != Light::Green {
                prop_assert!(c.watched(&f), "a {:?} task is not watched", l);
            }
        }
    }
}
