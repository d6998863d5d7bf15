//! Letters from the public (群众信访): the two clocks every letter runs on, the query code the
//! writer keeps, and how a reply counts against its deadline.
//!
//! - The procedural reply (程序性回复: received, who handles it, a contact) is due 7 days after the
//!   first receipt by any procuratorate; the process-or-result reply (办理过程或结果答复) 3 months
//!   after it; while the letter stays open after that, a progress reply every month.
//! - The public clock never restarts on transfer: deadlines run from the first receipt.
//! - Counting (calendar or working days) is a setting per clock; calendar days by default.
use crate::calendar::{CalendarError, Counting, Period, WorkCalendar};
use chrono::Datelike;
use chrono::NaiveDate;
use rand::RngCore;
use serde::{Deserialize, Serialize};

pub mod answers;

/// How a letter arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上: the public form
    Online,
    /// 来信: by post
    Post,
    /// 来访: a visit
    Visit,
    /// 12309: the hotline
    Hotline,
    /// 转来: transferred from another organ
    Transferred,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Online,
        Channel::Post,
        Channel::Visit,
        Channel::Hotline,
        Channel::Transferred,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Post => "post",
            Channel::Visit => "visit",
            Channel::Hotline => "hotline",
            Channel::Transferred => "transferred",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Channel::Online => "网上",
            Channel::Post => "来信",
            Channel::Visit => "来访",
            Channel::Hotline => "12309",
            Channel::Transferred => "转来",
        }
    }
    /// From the code or the Chinese name.
    pub fn parse(raw: &str) -> Option<Channel> {
        let raw = raw.trim();
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == raw || c.zh() == raw)
    }
}

/// What a letter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterCategory {
    /// 控告
    Accusation,
    /// 举报
    Report,
    /// 申诉
    Appeal,
    /// 求决
    Request,
    /// 意见建议
    Suggestion,
    /// 其他
    Other,
}

impl LetterCategory {
    pub const ALL: [LetterCategory; 6] = [
        LetterCategory::Accusation,
        LetterCategory::Report,
        LetterCategory::Appeal,
        LetterCategory::Request,
        LetterCategory::Suggestion,
        LetterCategory::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LetterCategory::Accusation => "accusation",
            LetterCategory::Report => "report",
            LetterCategory::Appeal => "appeal",
            LetterCategory::Request => "request",
            LetterCategory::Suggestion => "suggestion",
            LetterCategory::Other => "other",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            LetterCategory::Accusation => "控告",
            LetterCategory::Report => "举报",
            LetterCategory::Appeal => "申诉",
            LetterCategory::Request => "求决",
            LetterCategory::Suggestion => "意见建议",
            LetterCategory::Other => "其他",
        }
    }
    /// From the code or the Chinese name.
    pub fn parse(raw: &str) -> Option<LetterCategory> {
        let raw = raw.trim();
        LetterCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == raw || c.zh() == raw)
    }
}

pub use crate::rectification::ClockRules;

/// A letter's deadlines, from its first receipt by any procuratorate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clocks {
    pub ack_due: NaiveDate,
    pub reply_due: NaiveDate,
}

pub fn clocks(
    cal: &WorkCalendar,
    first_received: NaiveDate,
    rules: &ClockRules,
) -> Result<Clocks, CalendarError> {
    Ok(Clocks {
        ack_due: cal.deadline(
            first_received,
            Period::Days(rules.ack_days),
            rules.ack_counting,
        )?,
        reply_due: cal.deadline(
            first_received,
            Period::Months(rules.reply_months),
            rules.reply_counting,
        )?,
    })
}

/// [`clocks`] for a letter that must be taken whatever the calendar holds: a deadline in a year
/// whose holiday schedule is not entered yet is computed on plain weeks, and `provisional` says so.
pub fn clocks_lenient(
    cal: &WorkCalendar,
    first_received: NaiveDate,
    rules: &ClockRules,
) -> Result<(Clocks, bool), CalendarError> {
    let mut cal = cal.clone();
    let before = cal.years().count();
    let c = on_plain_weeks(&mut cal, |cal| clocks(cal, first_received, rules))?;
    Ok((c, cal.years().count() > before))
}

/// Runs a deadline computation; each year it needs that the calendar does not cover is added to
/// `cal` as plain weeks (Saturdays and Sundays rest) and the computation is tried again.
pub fn on_plain_weeks<T>(
    cal: &mut WorkCalendar,
    f: impl Fn(&WorkCalendar) -> Result<T, CalendarError>,
) -> Result<T, CalendarError> {
    loop {
        match f(cal) {
            Err(CalendarError::YearNotCovered(y)) if !cal.years().any(|c| c == y) => {
                *cal = cal.assuming_plain(y);
            }
            other => return other,
        }
    }
}

/// The progress reply owed after `last_reply` (or the reply deadline) while a letter stays open.
pub fn next_progress_due(
    cal: &WorkCalendar,
    reply_due: NaiveDate,
    last_reply: Option<NaiveDate>,
    rules: &ClockRules,
) -> Result<NaiveDate, CalendarError> {
    let from = last_reply.filter(|d| *d > reply_due).unwrap_or(reply_due);
    cal.deadline(
        from,
        Period::Months(rules.progress_every_months),
        Counting::Calendar,
    )
}

/// What a unit does with a letter. Replies (acknowledgement, process-or-result, progress, closure)
/// are what the writer sees; routing steps are seen by the units on the letter's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 程序性回复: received, who handles it, a contact
    Ack,
    /// 办理过程或结果答复
    Reply,
    /// 进展答复 (monthly after three months while open)
    Progress,
    /// 转办: to the competent unit, which then holds the letter
    Transfer,
    /// 交办: to a lower unit, which handles it and reports back
    Assign,
    /// 督办: a higher unit urges a lower unit's handling
    Supervise,
    /// 办结
    Close,
    /// 报告办理结果: the lower unit reports back on a 交办
    Report,
    /// 退回重报: the assigning unit returns the report as insufficient
    ReturnReport,
    /// 转出: to an organ outside the procuratorates
    TransferOut,
    /// 复查: the unit above reviews after the writer's dissatisfaction
    Review,
}

impl Step {
    pub const ALL: [Step; 11] = [
        Step::Ack,
        Step::Reply,
        Step::Progress,
        Step::Transfer,
        Step::Assign,
        Step::Report,
        Step::ReturnReport,
        Step::TransferOut,
        Step::Supervise,
        Step::Review,
        Step::Close,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Ack => "ack",
            Step::Reply => "reply",
            Step::Progress => "progress",
            Step::Transfer => "transfer",
            Step::Assign => "assign",
            Step::Supervise => "supervise",
            Step::Close => "close",
            Step::Report => "report",
            Step::ReturnReport => "return_report",
            Step::TransferOut => "transfer_out",
            Step::Review => "review",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Step::Ack => "程序性回复",
            Step::Reply => "办理过程或结果答复",
            Step::Progress => "进展答复",
            Step::Transfer => "转办",
            Step::Assign => "交办",
            Step::Supervise => "督办",
            Step::Close => "办结",
            Step::Report => "报告办理结果",
            Step::ReturnReport => "退回重报",
            Step::TransferOut => "转出",
            Step::Review => "复查",
        }
    }
    pub fn parse(raw: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
    /// Whether the step names another unit.
    pub fn routes(self) -> bool {
        matches!(self, Step::Transfer | Step::Assign | Step::Supervise)
    }
    /// Whether the writer sees it on the public status page.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Step::Ack
                | Step::Reply
                | Step::Progress
                | Step::Close
                | Step::TransferOut
                | Step::Review
        )
    }
}

/// A step's date: not before the letter was received, not after today.
pub fn check_step_date(received: NaiveDate, on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if on < received {
        return Err(format!("日期 {on} 早于收到日期 {received}"));
    }
    if on > today {
        return Err(format!("日期 {on} 晚于今天"));
    }
    Ok(())
}

/// A step's business date against the day it is recorded (time integrity): checked as
/// [`check_step_date`]; a date more than `grace_working_days` working days before `today` needs a
/// reason and is then kept with its delay in calendar days (补录). Returns the delay (0 on time).
pub fn decide_step_date(
    received: NaiveDate,
    on: NaiveDate,
    today: NaiveDate,
    grace_working_days: i64,
    late_reason: &str,
    cal: &crate::calendar::WorkCalendar,
) -> Result<i64, crate::rectification::RuleError> {
    use crate::rectification::RuleError;
    if on > today {
        return Err(RuleError::FutureDate);
    }
    if on < received {
        return Err(RuleError::BeforeReceipt(received.to_string()));
    }
    let limit = if grace_working_days <= 0 {
        on
    } else {
        let period = Period::Days(grace_working_days as u32);
        cal.deadline(on, period, Counting::Working)
            .or_else(|_| {
                cal.assuming_plain(on.year())
                    .assuming_plain(today.year())
                    .deadline(on, period, Counting::Working)
            })
            .unwrap_or(on)
    };
    if limit >= today {
        return Ok(0);
    }
    if late_reason.trim().is_empty() {
        return Err(RuleError::LetterLateWithoutReason {
            days: (today - on).num_days(),
            grace: grace_working_days,
        });
    }
    Ok((today - on).num_days())
}

/// How one reply stands against its deadline on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// made by the deadline (and by the day)
    OnTime,
    /// made after the deadline, by the day
    Late,
    /// not made by the day, and the deadline is before the day
    OverdueOpen,
    /// not made yet, and not yet due
    NotDue,
}

pub fn outcome(due: NaiveDate, done: Option<NaiveDate>, as_of: NaiveDate) -> Outcome {
    match done.filter(|d| *d <= as_of) {
        Some(d) if d <= due => Outcome::OnTime,
        Some(_) => Outcome::Late,
        None if due < as_of => Outcome::OverdueOpen,
        None => Outcome::NotDue,
    }
}

/// Counts of outcomes; `due` is on time + late + overdue open, and `rate` on time / due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub overdue_open: u64,
    pub rate: Option<f64>,
}

impl Rate {
    pub fn new(on_time: u64, late: u64, overdue_open: u64) -> Rate {
        let due = on_time + late + overdue_open;
        Rate {
            due,
            on_time,
            late,
            overdue_open,
            rate: (due > 0).then(|| on_time as f64 / due as f64),
        }
    }
    pub fn of(outcomes: impl IntoIterator<Item = Outcome>) -> Rate {
        let (mut on_time, mut late, mut open) = (0, 0, 0);
        for o in outcomes {
            match o {
                Outcome::OnTime => on_time += 1,
                Outcome::Late => late += 1,
                Outcome::OverdueOpen => open += 1,
                Outcome::NotDue => {}
            }
        }
        Rate::new(on_time, late, open)
    }
}

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new query code: 80 random bits as 16 characters in groups of four (XXXX-XXXX-XXXX-XXXX).
pub fn new_query_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let chars: Vec<char> = (0..16)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed: case, spaces and dashes do not matter, and the letters people confuse with
/// digits are read as those digits (O → 0, I and L → 1). `None` unless 16 valid characters remain.
pub fn normalize_query_code(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if cleaned.chars().count() != 16 || !cleaned.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    let chars: Vec<char> = cleaned.chars().collect();
    Some(
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// The reply an open letter owes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owes {
    /// the procedural reply (程序性回复)
    Ack,
    /// the process-or-result reply (办理过程或结果答复)
    Reply,
    /// the monthly progress reply while the letter stays open after its reply deadline
    Progress,
    /// a lower unit's report back on a 交办 (owed to the assigning unit, not the writer)
    Report,
}

impl Owes {
    pub fn as_str(self) -> &'static str {
        match self {
            Owes::Ack => "ack",
            Owes::Reply => "reply",
            Owes::Progress => "progress",
            Owes::Report => "report",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Owes::Ack => "程序性回复",
            Owes::Reply => "办理过程或结果答复",
            Owes::Progress => "办理进展答复",
            Owes::Report => "交办报告",
        }
    }
    pub fn parse(raw: &str) -> Option<Owes> {
        [Owes::Ack, Owes::Reply, Owes::Progress, Owes::Report]
            .into_iter()
            .find(|o| o.as_str() == raw)
    }
}

/// What the sweep knows of a letter on a day: its deadlines and the replies made by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterFacts {
    pub received: NaiveDate,
    pub ack_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub acknowledged: Option<NaiveDate>,
    pub replied: Option<NaiveDate>,
    /// the latest progress reply
    pub last_progress: Option<NaiveDate>,
}

/// The reply an open letter owes next and its deadline: the acknowledgement until it is made, then
/// the process-or-result reply, then (after the reply deadline) a progress reply every month.
pub fn next_owed(
    cal: &WorkCalendar,
    f: &LetterFacts,
    rules: &ClockRules,
) -> Result<(Owes, NaiveDate), CalendarError> {
    if f.acknowledged.is_none() {
        return Ok((Owes::Ack, f.ack_due));
    }
    let Some(replied) = f.replied else {
        return Ok((Owes::Reply, f.reply_due));
    };
    let last = f.last_progress.map_or(replied, |p| p.max(replied));
    next_progress_due(cal, f.reply_due, Some(last), rules).map(|d| (Owes::Progress, d))
}

/// Days before a deadline from which a letter is yellow: the rectification rules' number, but at
/// most 2 days for the 7-day acknowledgement (else every new letter would be yellow at once).
pub fn due_soon_days(owes: Owes, lights: &crate::rectification::LightRules) -> i64 {
    match owes {
        Owes::Ack => lights.due_soon_days.min(2),
        _ => lights.due_soon_days,
    }
}

/// What a sweep on `as_of` owes an open letter: the rectification machinery (lights, reminders,
/// blue → yellow → red notices, each once per deadline) applied to the reply it owes next. A
/// letter is never "stale": only its deadlines count.
pub fn urge_letter(
    letter_id: i64,
    owes: Owes,
    due: NaiveDate,
    received: NaiveDate,
    as_of: NaiveDate,
    lights: &crate::rectification::LightRules,
    rules: &crate::rectification::urging::UrgeRules,
) -> Option<crate::rectification::urging::Urge> {
    use crate::rectification::{Category, LightRules, TaskFacts, TaskState};
    let f = TaskFacts {
        category: Category::TimeLimited,
        state: TaskState::InProgress,
        created: received,
        deadline: Some(due),
        last_entry: Some(as_of),
        last_staged: None,
    };
    let lights = LightRules {
        due_soon_days: due_soon_days(owes, lights),
        ..*lights
    };
    use crate::rectification::urging::{Urge, urge};
    // the key names the clock too: each deadline escalates on its own
    urge(letter_id, &f, as_of, &lights, rules).map(|u| match u {
        Urge::Reminder { dedupe } => Urge::Reminder {
            dedupe: format!("{dedupe}:{}", owes.as_str()),
        },
        Urge::Notice {
            level,
            days_overdue,
            dedupe,
        } => Urge::Notice {
            level,
            days_overdue,
            dedupe: format!("{dedupe}:{}", owes.as_str()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::calendar::parse_date(s).unwrap()
    }

    #[test]
    fn a_letter_owes_the_acknowledgement_then_the_reply_then_monthly_progress() {
        let (years, days) = crate::calendar::statutory_seed();
        let cal = WorkCalendar::new(years, days.into_iter().map(|(d, k, _)| (d, k)));
        let r = ClockRules::default();
        let mut f = LetterFacts {
            received: d("2020-03-02"),
            ack_due: d("2020-03-09"),
            reply_due: d("2020-06-02"),
            acknowledged: None,
            replied: None,
            last_progress: None,
        };
        assert_eq!(
            next_owed(&cal, &f, &r).unwrap(),
            (Owes::Ack, d("2020-03-09"))
        );
        f.acknowledged = Some(d("2020-03-05"));
        assert_eq!(
            next_owed(&cal, &f, &r).unwrap(),
            (Owes::Reply, d("2020-06-02"))
        );
        // a process reply before the deadline; the letter stays open: progress a month after the
        // reply deadline, then a month after each progress reply
        f.replied = Some(d("2020-05-20"));
        let (o, due) = next_owed(&cal, &f, &r).unwrap();
        assert_eq!(o, Owes::Progress);
        assert!(due >= d("2020-07-02") && due <= d("2020-07-06"), "{due}");
        f.last_progress = Some(d("2020-07-03"));
        let (_, due2) = next_owed(&cal, &f, &r).unwrap();
        assert!(due2 >= d("2020-08-03") && due2 <= d("2020-08-05"), "{due2}");
    }

    #[test]
    fn letters_are_urged_like_tasks_on_the_reply_they_owe() {
        use crate::rectification::LightRules;
        use crate::rectification::urging::{Level, Urge, UrgeRules};
        let (l, u) = (LightRules::default(), UrgeRules::default());
        let (recv, ack) = (d("2020-03-02"), d("2020-03-09"));
        let at = |day: &str| urge_letter(7, Owes::Ack, ack, recv, d(day), &l, &u);
        // the 7-day clock is yellow only in its last 2 days
        assert_eq!(at("2020-03-03"), None);
        assert!(matches!(at("2020-03-07"), Some(Urge::Reminder { .. })));
        assert!(matches!(
            at("2020-03-10"),
            Some(Urge::Notice {
                level: Level::Blue,
                days_overdue: 1,
                ..
            })
        ));
        assert!(matches!(
            at("2020-03-16"),
            Some(Urge::Notice {
                level: Level::Yellow,
                ..
            })
        ));
        assert!(matches!(
            at("2020-03-23"),
            Some(Urge::Notice {
                level: Level::Red,
                ..
            })
        ));
        // the 3-month clock is yellow in its last week, and its notices are other notices
        let reply = |day: &str| urge_letter(7, Owes::Reply, d("2020-06-02"), recv, d(day), &l, &u);
        assert_eq!(reply("2020-05-20"), None);
        assert!(matches!(reply("2020-05-27"), Some(Urge::Reminder { .. })));
        let key = |x: Option<Urge>| match x {
            Some(Urge::Notice { dedupe, .. }) => dedupe,
            other => panic!("{other:?}"),
        };
        assert_ne!(key(at("2020-03-10")), key(reply("2020-06-03")));
        // never "stale": a letter without steps is not urged before its deadline draws near
        assert_eq!(reply("2020-05-01"), None);
    }

    #[test]
    fn two_clocks_from_the_first_receipt() {
        let (years, days) = crate::calendar::statutory_seed();
        let cal = WorkCalendar::new(years, days.into_iter().map(|(d, k, _)| (d, k)));
        let c = clocks(&cal, d("2020-03-02"), &ClockRules::default()).unwrap();
        assert_eq!(c.ack_due, d("2020-03-09"), "7 calendar days");
        assert_eq!(c.reply_due, d("2020-06-02"), "3 months");
        // a deadline on a rest day rolls to the next working day (2020-10-01…08 National Day)
        let c = clocks(&cal, d("2020-09-24"), &ClockRules::default()).unwrap();
        assert_eq!(c.ack_due, d("2020-10-09"));
        let working = ClockRules {
            ack_counting: Counting::Working,
            ..ClockRules::default()
        };
        assert_eq!(
            clocks(&cal, d("2020-03-02"), &working).unwrap().ack_due,
            d("2020-03-11"),
            "7 working days"
        );
        assert_eq!(
            next_progress_due(&cal, d("2020-06-02"), None, &ClockRules::default()).unwrap(),
            d("2020-07-02")
        );
        assert_eq!(
            next_progress_due(
                &cal,
                d("2020-06-02"),
                Some(d("2020-07-01")),
                &ClockRules::default()
            )
            .unwrap(),
            d("2020-08-03")
        );
    }

    #[test]
    fn a_letter_is_taken_before_next_years_holidays_are_known() {
        let (years, days) = crate::calendar::statutory_seed();
        let cal = WorkCalendar::new(years, days.into_iter().map(|(d, k, _)| (d, k)));
        assert!(
            clocks(&cal, d("2026-11-26"), &ClockRules::default()).is_err(),
            "2027 is not in the seed"
        );
        let (c, provisional) =
            clocks_lenient(&cal, d("2026-11-26"), &ClockRules::default()).unwrap();
        assert!(provisional);
        assert_eq!((c.ack_due, c.reply_due), (d("2026-12-03"), d("2027-02-26")));
        let (_, provisional) =
            clocks_lenient(&cal, d("2020-03-02"), &ClockRules::default()).unwrap();
        assert!(!provisional);
    }

    #[test]
    fn outcomes_and_rates() {
        let due = d("2020-03-09");
        assert_eq!(
            outcome(due, Some(d("2020-03-09")), d("2020-12-31")),
            Outcome::OnTime
        );
        assert_eq!(
            outcome(due, Some(d("2020-03-10")), d("2020-12-31")),
            Outcome::Late
        );
        assert_eq!(
            outcome(due, Some(d("2020-03-10")), d("2020-03-09")),
            Outcome::NotDue,
            "made after the day: not yet made"
        );
        assert_eq!(outcome(due, None, d("2020-03-10")), Outcome::OverdueOpen);
        assert_eq!(outcome(due, None, d("2020-03-09")), Outcome::NotDue);
        let r = Rate::of([
            Outcome::OnTime,
            Outcome::OnTime,
            Outcome::Late,
            Outcome::OverdueOpen,
            Outcome::NotDue,
        ]);
        assert_eq!((r.due, r.on_time, r.late, r.overdue_open), (4, 2, 1, 1));
        assert_eq!(r.rate, Some(0.5));
        assert_eq!(Rate::of([]).rate, None);
        assert_eq!(Channel::parse("12309"), Some(Channel::Hotline));
        assert_eq!(
            LetterCategory::parse("意见建议"),
            Some(LetterCategory::Suggestion)
        );
        assert_eq!(Channel::parse("电报"), None);
    }

    #[test]
    fn query_codes_are_long_readable_and_forgiving() {
        let a = new_query_code();
        assert_eq!(a.len(), 19);
        assert_ne!(a, new_query_code());
        assert_eq!(
            normalize_query_code(&a.to_lowercase().replace('-', " ")).as_deref(),
            Some(a.as_str())
        );
        assert_eq!(
            normalize_query_code("oooo-iiii-llll-0000").as_deref(),
            Some("0000-1111-1111-0000")
        );
        assert_eq!(
            normalize_query_code("UUUU-0000-0000-0000"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(normalize_query_code("0000-0000-0000"), None);
    }

    proptest! {
        #[test]
        fn every_code_normalizes_to_itself(_seed in 0u8..255) {
            let c = new_query_code();
            prop_assert_eq!(normalize_query_code(&c), Some(c.clone()));
            prop_assert!(c.bytes().filter(|b| *b != b'-').all(|b| ALPHABET.contains(&b)));
        }

        #[test]
        fn due_is_the_sum_of_its_parts(n in proptest::collection::vec((0i64..60, proptest::option::of(0i64..90), 0i64..120), 0..50)) {
            let base = d("2020-01-01");
            let days = chrono::Duration::days;
            let outcomes: Vec<Outcome> = n.iter().map(|(due, done, as_of)| outcome(base + days(*due), done.map(|x| base + days(x)), base + days(*as_of))).collect();
            let r = Rate::of(outcomes.clone());
            prop_assert_eq!(r.due, r.on_time + r.late + r.overdue_open);
            prop_assert_eq!(r.due as usize, outcomes.iter().filter(|o| **o != Outcome::NotDue).count());
        }
    }
}
