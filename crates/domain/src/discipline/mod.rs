//! The discipline group's desk (纪检监察组): problem clues (问题线索) with their disposal in one of
//! the four ways and its time limit, the outcome that ends them, the look-back (回头看) verdicts
//! and the register of staff dealt with for violations. The most confidential part of Duban: only
//! the discipline line reads or writes it ([`crate::access::Action::KeepDesk`]).
use crate::rectification::RuleError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::records::labelled!(ClueSource {
    Letters = "letters", "来信来访";
    Inspection = "inspection", "巡视移交";
    Superior = "superior", "上级交办";
    Audit = "audit", "审计移送";
    CaseSupervision = "case_supervision", "案件监督发现";
    Other = "other", "其他";
} "线索来源");

crate::records::labelled!(Disposal {
    Talk = "talk", "谈话函询";
    Verify = "verify", "初步核实";
    Hold = "hold", "暂存待查";
    Close = "close", "予以了结";
} "处置方式");

crate::records::labelled!(Outcome {
    Cleared = "cleared", "了结澄清";
    Criticism = "criticism", "批评教育";
    Admonition = "admonition", "诫勉";
    Organisational = "organisational", "组织处理";
    Party = "party", "党纪处分";
    Government = "government", "政务处分";
    Judicial = "judicial", "移送司法机关";
} "处理结果");

crate::records::labelled!(Verdict {
    Proper = "proper", "处置恰当";
    Corrected = "corrected", "处置不当，已纠正";
    Correcting = "correcting", "处置不当，纠正中";
} "研判结论");

crate::records::labelled!(ViolationKind {
    Political = "political", "违反政治纪律";
    Organisational = "organisational", "违反组织纪律";
    Integrity = "integrity", "违反廉洁纪律";
    Mass = "mass", "违反群众纪律";
    Work = "work", "违反工作纪律";
    Life = "life", "违反生活纪律";
    Duty = "duty", "职务违法";
    Crime = "crime", "职务犯罪";
} "违纪违法类别");

crate::records::labelled!(TalkKind {
    Annual = "annual", "年度廉政谈话";
    Appointment = "appointment", "任前廉政谈话";
    Reminder = "reminder", "提醒谈话";
    Admonishing = "admonishing", "诫勉谈话";
} "谈话类别");

/// The time limits of clues, in calendar days: to dispose of a clue after receipt, and to finish
/// each way of disposal (a setting of the installation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClueLimits {
    pub undisposed: i64,
    pub talk: i64,
    pub verify: i64,
    pub hold: i64,
    pub close: i64,
}

impl Default for ClueLimits {
    fn default() -> Self {
        ClueLimits {
            undisposed: 30,
            talk: 30,
            verify: 90,
            hold: 180,
            close: 30,
        }
    }
}

impl ClueLimits {
    pub fn days(&self, d: Option<Disposal>) -> i64 {
        match d {
            None => self.undisposed,
            Some(Disposal::Talk) => self.talk,
            Some(Disposal::Verify) => self.verify,
            Some(Disposal::Hold) => self.hold,
            Some(Disposal::Close) => self.close,
        }
    }
}

/// A clue as it stands on a day: received, its disposal by then (the latest), concluded by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClueFacts {
    pub received: NaiveDate,
    pub disposal: Option<(Disposal, NaiveDate)>,
    pub concluded: Option<NaiveDate>,
}

impl ClueFacts {
    /// The deadline of the stage it is in: disposal within its limit of receipt, then each way of
    /// disposal within its limit of the disposal date (calendar days).
    pub fn due(&self, limits: &ClueLimits) -> NaiveDate {
        let (from, way) = match self.disposal {
            Some((d, on)) => (on, Some(d)),
            None => (self.received, None),
        };
        from + chrono::Duration::days(limits.days(way))
    }
    pub fn open(&self) -> bool {
        self.concluded.is_none()
    }
    /// Open and past its deadline on `as_of`.
    pub fn overdue(&self, as_of: NaiveDate, limits: &ClueLimits) -> bool {
        self.open() && self.due(limits) < as_of
    }
    /// The facts as they stood on `as_of`, from the history: the latest disposal on or before it.
    pub fn as_of(
        received: NaiveDate,
        disposals: &[(Disposal, NaiveDate)],
        concluded: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> ClueFacts {
        ClueFacts {
            received,
            disposal: disposals
                .iter()
                .filter(|(_, on)| *on <= as_of)
                .max_by_key(|(_, on)| *on)
                .copied(),
            concluded: concluded.filter(|c| *c <= as_of),
        }
    }
}

/// What is done to a clue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClueStep {
    /// disposed of (or disposed of again) in one of the four ways
    Dispose(Disposal),
    /// ended with an outcome
    Conclude(Outcome),
}

/// The rule of a step on a clue, on its facts read in the write: the desk's right, an open clue,
/// a date neither before the clue's last date nor in the future, an outcome only after disposal.
pub fn decide_clue(
    role: Option<crate::org::Role>,
    f: &ClueFacts,
    step: ClueStep,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), RuleError> {
    crate::access::decide(role, crate::access::Action::KeepDesk)?;
    if !f.open() {
        return Err(RuleError::ClueConcluded);
    }
    if on > today {
        return Err(RuleError::FutureDate);
    }
    let last = f.disposal.map_or(f.received, |(_, d)| d);
    if on < last {
        return Err(RuleError::BeforeReceipt(last.to_string()));
    }
    if matches!(step, ClueStep::Conclude(_)) && f.disposal.is_none() {
        return Err(RuleError::ClueUndisposed);
    }
    Ok(())
}

/// Figures of clues judged on a day (the contract of `duban report clues`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClueFigures {
    pub received: u64,
    pub from_inspection: u64,
    pub by_source: std::collections::BTreeMap<String, u64>,
    pub by_disposal: std::collections::BTreeMap<String, u64>,
    pub undisposed: u64,
    pub concluded: u64,
    pub open: u64,
    pub overdue: u64,
    pub by_outcome: std::collections::BTreeMap<String, u64>,
    pub persons_dealt_with: u64,
}

/// One clue for the figures: its source, facts on the day, outcome and the person concerned.
pub struct ClueForFigures<'a> {
    pub source: ClueSource,
    pub facts: ClueFacts,
    pub outcome: Option<Outcome>,
    pub person: &'a str,
}

pub fn clue_figures<'a>(
    clues: impl IntoIterator<Item = ClueForFigures<'a>>,
    as_of: NaiveDate,
    limits: &ClueLimits,
) -> ClueFigures {
    let mut f = ClueFigures::default();
    let mut persons = std::collections::HashSet::new();
    for c in clues {
        f.received += 1;
        if c.source == ClueSource::Inspection {
            f.from_inspection += 1;
        }
        *f.by_source.entry(c.source.zh().into()).or_default() += 1;
        match c.facts.disposal {
            Some((d, _)) => *f.by_disposal.entry(d.zh().into()).or_default() += 1,
            None => f.undisposed += 1,
        }
        if c.facts.open() {
            f.open += 1;
            if c.facts.overdue(as_of, limits) {
                f.overdue += 1;
            }
        } else {
            f.concluded += 1;
            if let Some(o) = c.outcome {
                *f.by_outcome.entry(o.zh().into()).or_default() += 1;
                if o != Outcome::Cleared && !c.person.is_empty() {
                    persons.insert(c.person.to_string());
                }
            }
        }
    }
    f.persons_dealt_with = persons.len() as u64;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::calendar::parse_date(s).unwrap()
    }

    #[test]
    fn each_stage_of_a_clue_has_its_time_limit() {
        let l = ClueLimits::default();
        let mut f = ClueFacts {
            received: d("2020-03-01"),
            disposal: None,
            concluded: None,
        };
        assert_eq!(f.due(&l), d("2020-03-31"), "30 days to dispose of it");
        assert!(f.overdue(d("2020-04-01"), &l) && !f.overdue(d("2020-03-31"), &l));
        f.disposal = Some((Disposal::Verify, d("2020-03-20")));
        assert_eq!(
            f.due(&l),
            d("2020-06-18"),
            "初步核实: 90 days from disposal"
        );
        f.concluded = Some(d("2020-09-01"));
        assert!(
            !f.overdue(d("2020-12-31"), &l),
            "a concluded clue is never overdue"
        );
        // judged on an earlier day, from the history
        let h = ClueFacts::as_of(
            d("2020-03-01"),
            &[
                (Disposal::Talk, d("2020-03-10")),
                (Disposal::Verify, d("2020-05-01")),
            ],
            Some(d("2020-09-01")),
            d("2020-04-01"),
        );
        assert_eq!(h.disposal, Some((Disposal::Talk, d("2020-03-10"))));
        assert!(h.open());
    }

    #[test]
    fn only_the_desk_steps_on_open_clues_in_order() {
        use crate::org::Role;
        let f = ClueFacts {
            received: d("2020-03-01"),
            disposal: None,
            concluded: None,
        };
        let today = d("2020-11-05");
        let dispose = ClueStep::Dispose(Disposal::Talk);
        assert_eq!(
            decide_clue(Some(Role::Office), &f, dispose, today, today),
            Err(RuleError::NotPermitted)
        );
        assert_eq!(
            decide_clue(Some(Role::Discipline), &f, dispose, today, today),
            Ok(())
        );
        assert_eq!(
            decide_clue(
                Some(Role::Discipline),
                &f,
                ClueStep::Conclude(Outcome::Cleared),
                today,
                today
            ),
            Err(RuleError::ClueUndisposed)
        );
        assert!(
            decide_clue(None, &f, dispose, d("2020-02-01"), today).is_err(),
            "before receipt"
        );
        assert_eq!(
            decide_clue(None, &f, dispose, d("2020-11-06"), today),
            Err(RuleError::FutureDate)
        );
        let done = ClueFacts {
            concluded: Some(today),
            disposal: Some((Disposal::Close, today)),
            ..f
        };
        assert_eq!(
            decide_clue(None, &done, dispose, today, today),
            Err(RuleError::ClueConcluded)
        );
    }

    #[test]
    fn figures_count_each_clue_once_and_persons_once() {
        let l = ClueLimits::default();
        let as_of = d("2020-09-30");
        let open = ClueFacts {
            received: d("2020-01-02"),
            disposal: None,
            concluded: None,
        };
        let done = ClueFacts {
            received: d("2020-01-02"),
            disposal: Some((Disposal::Verify, d("2020-01-20"))),
            concluded: Some(d("2020-03-01")),
        };
        let f = clue_figures(
            [
                ClueForFigures {
                    source: ClueSource::Inspection,
                    facts: open,
                    outcome: None,
                    person: "甲",
                },
                ClueForFigures {
                    source: ClueSource::Letters,
                    facts: done,
                    outcome: Some(Outcome::Party),
                    person: "乙",
                },
                ClueForFigures {
                    source: ClueSource::Letters,
                    facts: done,
                    outcome: Some(Outcome::Government),
                    person: "乙",
                },
                ClueForFigures {
                    source: ClueSource::Audit,
                    facts: done,
                    outcome: Some(Outcome::Cleared),
                    person: "丙",
                },
            ],
            as_of,
            &l,
        );
        assert_eq!(
            (
                f.received,
                f.from_inspection,
                f.undisposed,
                f.open,
                f.overdue,
                f.concluded
            ),
            (4, 1, 1, 1, 1, 3)
        );
        assert_eq!(f.by_source["来信来访"], 2);
        assert_eq!(f.by_disposal["初步核实"], 3);
        assert_eq!(f.by_outcome["党纪处分"], 1);
        assert_eq!(
            f.persons_dealt_with, 1,
            "乙 once; 了结澄清 is not dealt with"
        );
    }
}

mod quarter;
pub use quarter::*;
