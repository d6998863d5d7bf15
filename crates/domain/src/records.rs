//! Interference records (三个规定: 过问或干预、插手司法办案等重大事项记录报告): every staff member files
//! every month, with records or as an explicit zero report; under-reporting is detected by
//! comparing each unit with its peers and with its own history.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(raw: &str) -> Result<Month, String> {
        let raw = raw.trim();
        let bad = || format!("月份“{raw}”应为 YYYY-MM");
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (year, month) = (
            y.parse::<i32>().map_err(|_| bad())?,
            m.parse::<u32>().map_err(|_| bad())?,
        );
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
    /// The months from `self` to `to`, both included.
    pub fn through(self, to: Month) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = self;
        while m <= to && out.len() < 1200 {
            out.push(m);
            m = m.next();
        }
        out
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

macro_rules! labelled {
    ($name:ident { $($v:ident = $code:literal, $zh:literal;)* } $what:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $code),* } }
            pub fn zh(self) -> &'static str { match self { $($name::$v => $zh),* } }
            /// From the code or the Chinese name.
            pub fn parse(raw: &str) -> Option<$name> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|c| c.as_str() == raw || c.zh() == raw)
            }
            /// The Chinese names, for messages.
            pub fn list() -> String {
                Self::ALL.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、")
            }
            pub const WHAT: &'static str = $what;
        }
    };
}
pub(crate) use labelled;

labelled!(IntervenerCategory {
    Leader = "leader", "领导干部";
    Insider = "insider", "司法机关内部人员";
    Other = "other", "其他人员";
} "干预人员类别");

labelled!(Manner {
    InPerson = "in_person", "当面";
    Phone = "phone", "电话";
    Message = "message", "短信或网络";
    Proxy = "proxy", "委托他人";
    Other = "other", "其他";
} "干预方式");

labelled!(Matter {
    Case = "case", "司法办案";
    Appointment = "appointment", "干部选拔任用";
    Project = "project", "项目安排";
    Construction = "construction", "工程建设";
    Discipline = "discipline", "监督执纪";
} "干预事项");

/// The roles an administrator may grant the right to read records' details.
pub const GRANTABLE: [crate::org::Role; 3] = [
    crate::org::Role::Leader,
    crate::org::Role::Office,
    crate::org::Role::Admin,
];

/// Whether a role reads records' details (the intervener, the content, attachments): the
/// discipline group always, other roles only when granted explicitly. Everyone else sees
/// aggregates with no cell under 5 persons. (The reporter always reads their own.)
/// The last month whose reports are all due on `today`: a month's reports are filed by the
/// `remind_day` of the next month (from which the late are reminded), so until that day has
/// passed the previous month is still open and is never counted as missing.
pub fn last_due_month(today: NaiveDate, remind_day: u32) -> Month {
    let previous = Month::of(today).previous();
    if today.day() > remind_day {
        previous
    } else {
        previous.previous()
    }
}

pub fn reads_details(role: crate::org::Role, granted: &[crate::org::Role]) -> bool {
    crate::access::allowed(role, crate::access::Action::ReadRecordDetails)
        || (GRANTABLE.contains(&role) && granted.contains(&role))
}

/// Under-reporting thresholds (configurable on the supervision-rules page).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlagRules {
    /// a robust z-score at or below minus this flags a rate far under the peers'
    pub z: f64,
    /// units with fewer staff-months than this are not compared (noise)
    pub min_staff_months: u64,
    /// this many last months without any record at all, while peers record, flags a streak
    pub zero_streak_months: usize,
    /// the last quarter's rate under this share of the unit's earlier rate flags a drop
    pub drop_ratio: f64,
    /// a streak or a drop is flagged only when chance alone (Poisson, at the peers' or the unit's
    /// earlier rate) would give it with at most this probability
    pub alpha: f64,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            z: 3.0,
            min_staff_months: 60,
            zero_streak_months: 3,
            drop_ratio: 0.4,
            alpha: 0.001,
        }
    }
}

impl FlagRules {
    /// The thresholds' bounds, in Chinese when broken.
    pub fn validate(&self) -> Result<(), String> {
        if !(1.0..=10.0).contains(&self.z) {
            return Err("稳健 z 值阈值应在 1 至 10 之间".into());
        }
        if self.min_staff_months > 100_000 {
            return Err("最小人月数过大".into());
        }
        if !(2..=12).contains(&self.zero_streak_months) {
            return Err("连续无记录月数应在 2 至 12 之间".into());
        }
        if !(self.drop_ratio > 0.0 && self.drop_ratio < 1.0) {
            return Err("骤降比例应大于 0、小于 1".into());
        }
        if !(self.alpha > 0.0 && self.alpha <= 0.1) {
            return Err("显著性水平应大于 0、不超过 0.1".into());
        }
        Ok(())
    }
}

/// P(X ≤ k) for X ~ Poisson(λ), summed in log space (λ may be in the thousands).
pub fn poisson_cdf(k: u64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    let mut term = -lambda;
    let mut acc = term;
    for i in 1..=k {
        term += (lambda / i as f64).ln();
        let (hi, lo) = if acc > term { (acc, term) } else { (term, acc) };
        acc = hi + (lo - hi).exp().ln_1p();
    }
    acc.exp().min(1.0)
}

/// One unit's (or department's) filings month by month over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub code: String,
    pub name: String,
    /// the peer group it is compared within (same level, or SPP departments)
    pub group: String,
    /// per month in order: (staff, records, zero reports, filings)
    pub months: Vec<(u64, u64, u64, u64)>,
}

impl Figures {
    pub fn staff_months(&self) -> u64 {
        self.months.iter().map(|m| m.0).sum()
    }
    pub fn records(&self) -> u64 {
        self.months.iter().map(|m| m.1).sum()
    }
    pub fn zero_reports(&self) -> u64 {
        self.months.iter().map(|m| m.2).sum()
    }
    pub fn filings(&self) -> u64 {
        self.months.iter().map(|m| m.3).sum()
    }
    /// records per 100 staff per month
    pub fn rate(&self) -> f64 {
        per100(self.records(), self.staff_months())
    }
    /// the share of filings that are zero reports
    pub fn zero_share(&self) -> f64 {
        if self.filings() == 0 {
            0.0
        } else {
            self.zero_reports() as f64 / self.filings() as f64
        }
    }
    /// months at the end of the period with no record at all
    pub fn zero_streak(&self) -> usize {
        self.months.iter().rev().take_while(|m| m.1 == 0).count()
    }
}

fn per100(records: u64, staff_months: u64) -> f64 {
    if staff_months == 0 {
        0.0
    } else {
        records as f64 * 100.0 / staff_months as f64
    }
}

/// A flagged unit with its reasons (in Chinese) and figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub unit_code: String,
    pub name: String,
    pub group: String,
    pub reasons: Vec<String>,
    pub staff_months: u64,
    pub records: u64,
    pub rate_per_100: f64,
    pub peer_median_rate: f64,
    pub z: Option<f64>,
    pub zero_share: f64,
    pub peer_median_zero_share: f64,
    pub zero_streak: usize,
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The variance-stabilised rate: for a Poisson count `r` over exposure `e`, `sqrt(r / e)` has a
/// variance near `1 / (4e)` whatever the rate, so units of different sizes compare on one scale
/// once scaled by `2 sqrt(e)` against the peers' median.
fn stabilised(records: u64, staff_months: u64) -> f64 {
    ((records as f64 + 3.0 / 8.0) / staff_months.max(1) as f64).sqrt()
}

/// Compares each unit with its peer group (robust z-score of the variance-stabilised rate: the
/// median and the median absolute deviation, so one outlier does not move the yardstick, but never
/// a spread below the unit's own Poisson noise) and with
/// its own history. Units under the minimum volume are never flagged. Every flag says why.
pub fn flag(units: &[Figures], rules: &FlagRules) -> Vec<Flag> {
    use std::collections::HashMap;
    let mut groups: HashMap<&str, Vec<&Figures>> = HashMap::new();
    for u in units {
        if u.staff_months() >= rules.min_staff_months {
            groups.entry(u.group.as_str()).or_default().push(u);
        }
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let mut rates: Vec<f64> = members.iter().map(|u| u.rate()).collect();
        let peer_rate = median(&mut rates);
        let mut shares: Vec<f64> = members.iter().map(|u| u.zero_share()).collect();
        let peer_share = median(&mut shares);
        let mut s: Vec<f64> = members
            .iter()
            .map(|u| stabilised(u.records(), u.staff_months()))
            .collect();
        let centre = median(&mut s.clone());
        let mut dev: Vec<f64> = s.iter_mut().map(|x| (*x - centre).abs()).collect();
        let mad = 1.4826 * median(&mut dev);
        for u in members {
            let mut reasons = Vec::new();
            // the spread is never taken below the unit's own Poisson noise, 1 / (2 sqrt(e)): peers
            // that happen to agree closely do not make a small unit's chance shortfall significant
            let noise = 0.5 / (u.staff_months().max(1) as f64).sqrt();
            let z = (members.len() >= 5)
                .then(|| (stabilised(u.records(), u.staff_months()) - centre) / mad.max(noise));
            if let Some(z) = z.filter(|z| *z <= -rules.z) {
                reasons.push(format!(
                    "每百人每月记录 {:.2} 件，同类单位中位数 {:.2} 件（稳健 z 值 {:.1}）",
                    u.rate(),
                    peer_rate,
                    z
                ));
            }
            if members.len() >= 5 && u.zero_share() >= 0.99 && peer_share < 0.97 {
                reasons.push(format!(
                    "零报告占 {:.1}%，同类单位中位数 {:.1}%",
                    u.zero_share() * 100.0,
                    peer_share * 100.0
                ));
            }
            // a streak counts when the peers' rate makes a run without any record that long
            // improbable by chance
            let streak = u.zero_streak();
            let streak_staff: u64 = u.months.iter().rev().take(streak).map(|m| m.0).sum();
            let expected = peer_rate / 100.0 * streak_staff as f64;
            if streak >= rules.zero_streak_months
                && streak < u.months.len()
                && poisson_cdf(0, expected) <= rules.alpha
            {
                reasons.push(format!(
                    "最近连续 {streak} 个月没有任何记录（按同类单位水平应有约 {expected:.0} 件）"
                ));
            }
            // the last quarter against the months before it, when that few records at the
            // earlier rate is improbable by chance
            let n = u.months.len();
            if n >= 6 {
                let (before, last) = u.months.split_at(n - 3);
                let sum = |m: &[(u64, u64, u64, u64)], f: fn(&(u64, u64, u64, u64)) -> u64| {
                    m.iter().map(f).sum::<u64>()
                };
                let (rb, rl) = (
                    per100(sum(before, |x| x.1), sum(before, |x| x.0)),
                    per100(sum(last, |x| x.1), sum(last, |x| x.0)),
                );
                let expected_last = rb / 100.0 * sum(last, |x| x.0) as f64;
                if sum(before, |x| x.1) >= 10
                    && rl < rb * rules.drop_ratio
                    && poisson_cdf(sum(last, |x| x.1), expected_last) <= rules.alpha
                {
                    reasons.push(format!(
                        "最近 3 个月每百人每月记录 {rl:.2} 件，此前为 {rb:.2} 件，骤降"
                    ));
                }
            }
            if !reasons.is_empty() {
                out.push(Flag {
                    unit_code: u.code.clone(),
                    name: u.name.clone(),
                    group: u.group.clone(),
                    reasons,
                    staff_months: u.staff_months(),
                    records: u.records(),
                    rate_per_100: u.rate(),
                    peer_median_rate: peer_rate,
                    z,
                    zero_share: u.zero_share(),
                    peer_median_zero_share: peer_share,
                    zero_streak: streak,
                });
            }
        }
    }
    out.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
    out
}

/// The draft of a supervision letter (督促函) for a flagged unit, quoting its figures against its
/// peers'; the office edits it before issuing.
pub fn draft_letter(f: &Flag, from: Month, to: Month) -> String {
    let mut reasons = String::new();
    for (i, r) in f.reasons.iter().enumerate() {
        reasons.push_str(&format!("{}. {r}；\n", i + 1));
    }
    format!(
        "{name}：\n\n\
         根据防止干预司法“三个规定”记录报告情况统计，{from} 至 {to}，你单位共报告过问或干预、插手司法办案等重大事项 {records} 件，\
         每百人每月 {rate:.2} 件，同类单位中位数为 {peer:.2} 件；零报告占 {zero:.1}%，同类单位中位数为 {peer_zero:.1}%。具体情况如下：\n{reasons}\n\
         上述情况反映出你单位记录报告工作可能存在报告偏少、不尽符合实际的问题。请认真对照“三个规定”要求开展自查，\
         教育引导干警做到“凡过问必登记”，并于收到本函后 30 日内将自查整改情况书面报送驻院纪检监察组。\n",
        name = f.name,
        records = f.records,
        rate = f.rate_per_100,
        peer = f.peer_median_rate,
        zero = f.zero_share * 100.0,
        peer_zero = f.peer_median_zero_share * 100.0,
    )
}

#[cfg(test)]
mod due_tests {
    use super::*;
    #[test]
    fn a_month_is_due_after_the_reminding_day_of_the_next() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let m = |s: &str| Month::parse(s).unwrap();
        assert_eq!(last_due_month(d("2020-11-05"), 5), m("2020-09"));
        assert_eq!(last_due_month(d("2020-11-06"), 5), m("2020-10"));
        assert_eq!(last_due_month(d("2021-01-03"), 5), m("2020-11"));
        assert_eq!(last_due_month(d("2021-01-31"), 5), m("2020-12"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, staff: u64, monthly: &[u64]) -> Figures {
        Figures {
            code: code.into(),
            name: code.into(),
            group: "province".into(),
            months: monthly
                .iter()
                .map(|r| (staff, *r, staff.saturating_sub(*r), staff))
                .collect(),
        }
    }

    #[test]
    fn months_parse_and_run() {
        let m = Month::parse("2020-01").unwrap();
        assert_eq!(m.through(Month::parse("2020-03").unwrap()).len(), 3);
        assert_eq!(
            Month::parse("2020-12").unwrap().next().to_string(),
            "2021-01"
        );
        assert!(Month::parse("2020-13").is_err() && Month::parse("2020-1").is_err());
    }

    #[test]
    fn a_unit_far_under_its_peers_is_flagged_with_its_figures() {
        let mut units: Vec<Figures> = (0..10)
            .map(|i| unit(&format!("u{i}"), 1000, &[20 + i, 22, 19, 21, 20, 23]))
            .collect();
        units.push(unit("low", 1000, &[2, 1, 2, 1, 2, 1]));
        let flags = flag(&units, &FlagRules::default());
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0].unit_code, "low");
        assert!(
            flags[0].reasons[0].contains("同类单位中位数"),
            "{:?}",
            flags[0]
        );
        assert!(flags[0].z.unwrap() < -2.5);
    }

    #[test]
    fn small_units_are_not_flagged_by_noise() {
        let mut units: Vec<Figures> = (0..10)
            .map(|i| unit(&format!("u{i}"), 1000, &[20 + i, 22, 19, 21, 20, 23]))
            .collect();
        // 8 staff, no record in half a year: expected about 1 record — nothing to conclude
        units.push(unit("tiny", 8, &[0, 0, 0, 0, 0, 0]));
        assert!(flag(&units, &FlagRules::default()).is_empty());
    }

    #[test]
    fn a_sudden_drop_and_a_zero_streak_are_reasons() {
        let mut units: Vec<Figures> = (0..10)
            .map(|i| unit(&format!("u{i}"), 1000, &[20 + i, 22, 19, 21, 20, 23]))
            .collect();
        units.push(unit("drop", 1000, &[25, 24, 26, 0, 0, 0]));
        let flags = flag(&units, &FlagRules::default());
        let f = flags.iter().find(|f| f.unit_code == "drop").unwrap();
        assert!(f.reasons.iter().any(|r| r.contains("骤降")), "{f:?}");
        assert!(f.reasons.iter().any(|r| r.contains("连续 3 个月")), "{f:?}");
    }

    #[test]
    fn details_are_the_discipline_groups_and_the_granted_roles() {
        use crate::org::Role;
        assert!(reads_details(Role::Discipline, &[]));
        assert!(!reads_details(Role::Leader, &[]) && !reads_details(Role::Office, &[]));
        assert!(reads_details(Role::Leader, &[Role::Leader]));
        assert!(!reads_details(Role::Staff, &[Role::Staff]), "not grantable");
    }

    #[test]
    fn poisson_tails() {
        assert!((poisson_cdf(0, 3.0) - (-3.0f64).exp()).abs() < 1e-12);
        assert!((poisson_cdf(2, 2.0) - 5.0 * (-2.0f64).exp()).abs() < 1e-12);
        assert!(poisson_cdf(900, 1000.0) < 0.001 && poisson_cdf(1000, 1000.0) > 0.5);
        assert_eq!(poisson_cdf(5, 0.0), 1.0);
    }

    /// Units of every size recording at one common rate (Poisson noise only), as the country's
    /// 3,600 units would if none under-reported: next to none is flagged.
    #[test]
    fn chance_alone_flags_next_to_no_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut poisson = |lambda: f64| {
            // Knuth's method is fine for the small means here
            let (l, mut k, mut p) = ((-lambda).exp(), 0u64, 1.0);
            loop {
                p *= rng.random::<f64>();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        };
        let units: Vec<Figures> = (0..3600)
            .map(|i| {
                let staff = [20u64, 35, 60, 90, 150, 400][i % 6];
                let months: Vec<u64> = (0..12).map(|_| poisson(staff as f64 / 60.0)).collect();
                unit(&format!("u{i}"), staff, &months)
            })
            .collect();
        let flags = flag(&units, &FlagRules::default());
        assert!(
            flags.len() <= 18,
            "{} flagged by chance: {:?}",
            flags.len(),
            &flags[..3.min(flags.len())]
        );
    }

    #[test]
    fn a_draft_quotes_the_figures() {
        let mut units: Vec<Figures> = (0..10)
            .map(|i| unit(&format!("u{i}"), 1000, &[20 + i, 22, 19, 21, 20, 23]))
            .collect();
        units.push(unit("low", 1000, &[2, 1, 2, 1, 2, 1]));
        let f = &flag(&units, &FlagRules::default())[0];
        let (a, b) = (
            Month::parse("2020-01").unwrap(),
            Month::parse("2020-06").unwrap(),
        );
        let text = draft_letter(f, a, b);
        assert!(
            text.starts_with("low：")
                && text.contains("共报告过问或干预、插手司法办案等重大事项 9 件")
                && text.contains("30 日内"),
            "{text}"
        );
    }

    #[test]
    fn labels_parse_from_code_or_chinese() {
        assert_eq!(Manner::parse("短信或网络"), Some(Manner::Message));
        assert_eq!(
            IntervenerCategory::parse("leader"),
            Some(IntervenerCategory::Leader)
        );
        assert_eq!(Matter::parse("工程"), None);
        assert!(Matter::list().contains("监督执纪"));
    }
}
