//! The statutory work calendar and deadline rules (法定节假日、调休).
//!
//! Rules (SPEC §3.3, issue 2):
//! - the start day is not counted;
//! - a calendar-day deadline falling on a rest day (weekend or holiday, unless it is a make-up
//!   working day) rolls to the next working day;
//! - working-day counting skips weekends and holidays and counts make-up working days;
//! - a month period ends on the same day of the month, or on the month's last day where that day
//!   does not exist, then rolls as above;
//! - a date in a year without calendar data is an error, never a guess.
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// 法定节假日 (a rest day even on a weekday)
    Holiday,
    /// 调休上班 (a working day even on a weekend)
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "holiday" | "休" | "假" | "放假" | "节假日" => Some(DayKind::Holiday),
            "workday" | "班" | "上班" | "调休上班" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Counting {
    Calendar,
    Working,
}

impl Counting {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "calendar" => Some(Counting::Calendar),
            "working" => Some(Counting::Working),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Days(u32),
    Months(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("{0} 年没有节假日数据，无法计算期限；请管理员导入该年的节假日安排")]
    YearNotCovered(i32),
    #[error("期限须至少为 1")]
    ZeroPeriod,
    #[error("期限超出可计算范围")]
    OutOfRange,
    #[error("日期格式应为 YYYY-MM-DD：{0}")]
    BadDate(String),
}

pub fn parse_date(raw: &str) -> Result<NaiveDate, CalendarError> {
    let raw = raw.trim();
    // the usual form, read directly (imports parse tens of millions of dates)
    let b = raw.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d)
                .ok_or_else(|| CalendarError::BadDate(raw.to_string()));
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| CalendarError::BadDate(raw.to_string()))
}

/// The calendar: which years have data and which dates are special.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    special: HashMap<NaiveDate, DayKind>,
}

impl WorkCalendar {
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        days: impl IntoIterator<Item = (NaiveDate, DayKind)>,
    ) -> Self {
        WorkCalendar {
            years: years.into_iter().collect(),
            special: days.into_iter().collect(),
        }
    }
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }
    /// This calendar with `year` taken as plain weeks (Saturdays and Sundays rest), for a deadline
    /// that must be set before the year's holiday schedule is published.
    pub fn assuming_plain(&self, year: i32) -> WorkCalendar {
        let mut c = self.clone();
        c.years.insert(year);
        c
    }
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        if !self.years.contains(&d.year()) {
            return Err(CalendarError::YearNotCovered(d.year()));
        }
        Ok(match self.special.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }
    /// The first working day on or after `d`.
    pub fn roll_forward(&self, mut d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        while !self.is_working_day(d)? {
            d = next(d)?;
        }
        Ok(d)
    }
    pub fn deadline(
        &self,
        start: NaiveDate,
        period: Period,
        counting: Counting,
    ) -> Result<NaiveDate, CalendarError> {
        match (period, counting) {
            (Period::Days(0), _) | (Period::Months(0), _) => Err(CalendarError::ZeroPeriod),
            (Period::Days(n), Counting::Calendar) => {
                let end = start
                    .checked_add_days(Days::new(u64::from(n)))
                    .ok_or(CalendarError::OutOfRange)?;
                self.roll_forward(end)
            }
            (Period::Days(n), Counting::Working) => {
                let mut d = start;
                let mut counted = 0;
                while counted < n {
                    d = next(d)?;
                    if self.is_working_day(d)? {
                        counted += 1;
                    }
                }
                Ok(d)
            }
            // chrono clamps to the month's last day where the day does not exist
            (Period::Months(n), _) => {
                let end = start
                    .checked_add_months(Months::new(n))
                    .ok_or(CalendarError::OutOfRange)?;
                self.roll_forward(end)
            }
        }
    }
}

fn next(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt().ok_or(CalendarError::OutOfRange)
}

/// The statutory calendar carried by the `holiday-cn` crate (2007 onwards), plus the years the
/// crate ships empty that Duban carries itself from the State Council's notices (see
/// `data/calendar-extra.csv`). Returns covered years and special days with their names.
pub fn statutory_seed() -> (Vec<i32>, Vec<(NaiveDate, DayKind, String)>) {
    let mut years = Vec::new();
    let mut days = Vec::new();
    for y in 2007..=2100 {
        let Some(data) = holiday_cn::get_year_data(y) else {
            continue;
        };
        if data.is_empty() {
            continue;
        }
        years.push(y);
        for (date, (name, off)) in data {
            if let Ok(d) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
                days.push((
                    d,
                    if off {
                        DayKind::Holiday
                    } else {
                        DayKind::Workday
                    },
                    name.to_string(),
                ));
            }
        }
    }
    for line in include_str!("../data/calendar-extra.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 3 {
            continue;
        }
        if let (Ok(d), Some(k)) = (
            NaiveDate::parse_from_str(f[0], "%Y-%m-%d"),
            DayKind::parse(f[1]),
        ) {
            if !years.contains(&d.year()) {
                years.push(d.year());
            }
            days.push((d, k, f[2].to_string()));
        }
    }
    days.sort_by_key(|x| x.0);
    years.sort();
    years.dedup();
    (years, days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    fn cal() -> WorkCalendar {
        let (years, days) = statutory_seed();
        WorkCalendar::new(years, days.into_iter().map(|(d, k, _)| (d, k)))
    }

    #[test]
    fn seed_covers_2007_to_2026() {
        let c = cal();
        let ys: Vec<i32> = c.years().collect();
        assert_eq!(ys.first(), Some(&2007));
        assert!(ys.contains(&2020) && ys.contains(&2025) && ys.contains(&2026));
    }

    #[test]
    fn statutory_examples() {
        let c = cal();
        // 2020-10-01..08 National Day + Mid-Autumn holiday; 2020-10-10 (Saturday) make-up workday
        assert!(!c.is_working_day(d("2020-10-05")).unwrap());
        assert!(c.is_working_day(d("2020-10-10")).unwrap());
        assert!(c.is_working_day(d("2020-09-27")).unwrap());
        // 7 calendar days from 2020-09-25 end on 10-02 (holiday) and roll to 10-09
        assert_eq!(
            c.deadline(d("2020-09-25"), Period::Days(7), Counting::Calendar)
                .unwrap(),
            d("2020-10-09")
        );
        // start day not counted: 7 days from Monday 2020-11-02 is Monday 11-09
        assert_eq!(
            c.deadline(d("2020-11-02"), Period::Days(7), Counting::Calendar)
                .unwrap(),
            d("2020-11-09")
        );
        // ends on a Saturday -> Monday
        assert_eq!(
            c.deadline(d("2020-11-07"), Period::Days(7), Counting::Calendar)
                .unwrap(),
            d("2020-11-16")
        );
        // working days from Friday 2020-09-25: Sun 27 Sep (make-up), 28, 29, 30 Sep;
        // Oct 1-8 holiday, so the fifth is Fri 9 Oct
        assert_eq!(
            c.deadline(d("2020-09-25"), Period::Days(5), Counting::Working)
                .unwrap(),
            d("2020-10-09")
        );
        // months: feedback 2020-01-03 + 2 months = 2020-03-03 (Tuesday)
        assert_eq!(
            c.deadline(d("2020-01-03"), Period::Months(2), Counting::Calendar)
                .unwrap(),
            d("2020-03-03")
        );
        // month end clamps: 2021-01-31 + 1 month = 2021-02-28 (Sunday) -> 2021-03-01
        assert_eq!(
            c.deadline(d("2021-01-31"), Period::Months(1), Counting::Calendar)
                .unwrap(),
            d("2021-03-01")
        );
        // leap year: 2020-01-31 + 1 month = 2020-02-29 (Saturday) -> 2020-03-02
        assert_eq!(
            c.deadline(d("2020-01-31"), Period::Months(1), Counting::Calendar)
                .unwrap(),
            d("2020-03-02")
        );
        // 3 months from 2020-07-01 is 2020-10-01 (holiday) -> 2020-10-09
        assert_eq!(
            c.deadline(d("2020-07-01"), Period::Months(3), Counting::Calendar)
                .unwrap(),
            d("2020-10-09")
        );
        // 2026 Spring Festival: Feb 15-23 off, Feb 14 and Feb 28 (Saturdays) make-up workdays
        assert!(!c.is_working_day(d("2026-02-16")).unwrap());
        assert!(c.is_working_day(d("2026-02-14")).unwrap());
    }

    #[test]
    fn uncovered_year_is_an_error() {
        let c = cal();
        assert_eq!(
            c.is_working_day(d("2006-06-01")),
            Err(CalendarError::YearNotCovered(2006))
        );
        assert_eq!(
            c.deadline(d("2026-12-20"), Period::Months(3), Counting::Calendar),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            c.deadline(d("2020-01-01"), Period::Days(0), Counting::Calendar),
            Err(CalendarError::ZeroPeriod)
        );
        assert!(parse_date("2020-13-01").is_err());
        assert!(parse_date("2021-02-29").is_err() && parse_date("20a0-01-01").is_err());
        assert_eq!(
            parse_date(" 2020-2-5 "),
            Ok(d("2020-02-05")),
            "the short form still reads"
        );
        assert_eq!(parse_date("2020-02-29"), Ok(d("2020-02-29")));
    }

    proptest! {
        #[test]
        fn calendar_day_deadline_is_minimal_working_day(off in 0i64..5000, n in 1u32..200) {
            let c = cal();
            let start = d("2008-01-01") + chrono::Duration::days(off);
            let end = c.deadline(start, Period::Days(n), Counting::Calendar).unwrap();
            let raw = start + chrono::Duration::days(i64::from(n));
            prop_assert!(end >= raw);
            prop_assert!(c.is_working_day(end).unwrap());
            let mut x = raw;
            while x < end { prop_assert!(!c.is_working_day(x).unwrap()); x = x.succ_opt().unwrap(); }
        }

        #[test]
        fn working_day_deadline_counts_exactly_n(off in 0i64..5000, n in 1u32..60) {
            let c = cal();
            let start = d("2008-01-01") + chrono::Duration::days(off);
            let end = c.deadline(start, Period::Days(n), Counting::Working).unwrap();
            prop_assert!(c.is_working_day(end).unwrap());
            let mut count = 0;
            let mut x = start.succ_opt().unwrap();
            while x <= end { if c.is_working_day(x).unwrap() { count += 1; } x = x.succ_opt().unwrap(); }
            prop_assert_eq!(count, n);
        }

        #[test]
        fn month_deadline_is_rolled_month_end(off in 0i64..5000, n in 1u32..24) {
            let c = cal();
            let start = d("2008-01-01") + chrono::Duration::days(off);
            let end = c.deadline(start, Period::Months(n), Counting::Calendar).unwrap();
            let raw = start.checked_add_months(Months::new(n)).unwrap();
            prop_assert!(raw.day() == start.day() || raw.succ_opt().unwrap().day() == 1);
            prop_assert!(end >= raw && (end - raw).num_days() < 12);
            prop_assert!(c.is_working_day(end).unwrap());
        }
    }
}
