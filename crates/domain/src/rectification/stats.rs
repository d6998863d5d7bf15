//! A plan's figures as of any date, computed from each task's history.
use super::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

impl std::ops::AddAssign<&PlanStats> for PlanStats {
    fn add_assign(&mut self, o: &PlanStats) {
        self.total += o.total;
        for (a, b) in [
            (&mut self.immediate, &o.immediate),
            (&mut self.time_limited, &o.time_limited),
        ] {
            a.total += b.total;
            a.closed += b.closed;
            a.open += b.open;
            a.overdue += b.overdue;
        }
        self.long_term.total += o.long_term.total;
        self.long_term.with_staged_results += o.long_term.with_staged_results;
        self.long_term.overdue += o.long_term.overdue;
    }
}

/// One task's history, for figures as of a past date.
#[derive(Debug, Clone)]
pub struct TaskHistory {
    pub category: Category,
    pub created: NaiveDate,
    pub deadline: Option<NaiveDate>,
    /// (date, state entered), in date order
    pub states: Vec<(NaiveDate, TaskState)>,
    pub entries: Vec<NaiveDate>,
    pub staged: Vec<NaiveDate>,
}

impl TaskHistory {
    /// A task's history as far as figures on today or later need it: its current facts (the
    /// tasks row the ledger keeps), with no need to replay the ledger.
    pub fn current(f: &TaskFacts) -> Self {
        Self {
            category: f.category,
            created: f.created,
            deadline: f.deadline,
            states: if f.state == TaskState::NotStarted {
                vec![]
            } else {
                vec![(f.created, f.state)]
            },
            entries: f.last_entry.into_iter().collect(),
            staged: f.last_staged.into_iter().collect(),
        }
    }
    pub fn state_on(&self, d: NaiveDate) -> TaskState {
        self.states
            .iter()
            .filter(|(at, _)| *at <= d)
            .last()
            .map(|(_, s)| *s)
            .unwrap_or(TaskState::NotStarted)
    }
    pub fn facts_on(&self, d: NaiveDate) -> TaskFacts {
        TaskFacts {
            category: self.category,
            state: self.state_on(d),
            created: self.created,
            deadline: self.deadline,
            last_entry: self.entries.iter().filter(|e| **e <= d).max().copied(),
            last_staged: self.staged.iter().filter(|e| **e <= d).max().copied(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosableStats {
    pub total: usize,
    pub closed: usize,
    pub open: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongTermStats {
    pub total: usize,
    /// staged results reported and none owed now: never counted also as overdue
    pub with_staged_results: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStats {
    pub total: usize,
    pub immediate: ClosableStats,
    pub time_limited: ClosableStats,
    pub long_term: LongTermStats,
}

/// A plan's figures on `as_of`: tasks created later do not count; states, entries and staged
/// results are those dated on or before `as_of`. "Overdue" is a red light on that day.
pub fn plan_stats(tasks: &[TaskHistory], as_of: NaiveDate, rules: &LightRules) -> PlanStats {
    let mut s = PlanStats::default();
    for t in tasks.iter().filter(|t| t.created <= as_of) {
        s.total += 1;
        let f = t.facts_on(as_of);
        let red = light(&f, as_of, rules) == Light::Red;
        let bucket = match t.category {
            Category::Immediate => &mut s.immediate,
            Category::TimeLimited => &mut s.time_limited,
            Category::LongTerm => {
                s.long_term.total += 1;
                // one definition: a long-term task is overdue when its staged result is (the
                // light's reason); it has staged results when one was reported and none is owed
                s.long_term.with_staged_results += usize::from(f.last_staged.is_some() && !red);
                s.long_term.overdue += usize::from(red);
                continue;
            }
        };
        bucket.total += 1;
        if f.state == TaskState::Closed {
            bucket.closed += 1;
        } else {
            bucket.open += 1;
            bucket.overdue += usize::from(red);
        }
    }
    s
}
