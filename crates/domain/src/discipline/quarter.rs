//! The quarterly analysis of staff dealt with for violations (检察人员违纪违法季度分析报告): the
//! register's figures for a quarter against the quarter before, as the sentences and the chart
//! rows of the desk's confidential document.
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The register's figures over a period (the contract of `duban report violations`; `by_unit`
/// is for the analysis only).
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct ViolationFigures {
    pub persons: u64,
    pub by_level: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    pub by_outcome: BTreeMap<String, u64>,
    #[serde(skip)]
    pub by_unit: BTreeMap<String, u64>,
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1–4
    pub q: u32,
}

impl Quarter {
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default()
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }
    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }
    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }
    /// 2020年第三季度
    pub fn zh(self) -> String {
        let n = ["一", "二", "三", "四"][(self.q as usize - 1).min(3)];
        format!("{}年第{n}季度", self.year)
    }
}

const LEVELS: [(&str, &str); 4] = [
    ("1", "最高人民检察院"),
    ("2", "省级检察院"),
    ("3", "市级检察院"),
    ("4", "基层检察院"),
];

/// "A N人、B M人" over the non-zero entries, largest first (ties in the map's order).
fn listing(m: &BTreeMap<String, u64>, names: impl Fn(&str) -> String) -> String {
    let mut v: Vec<(&String, &u64)> = m.iter().filter(|(_, n)| **n > 0).collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    v.iter()
        .map(|(k, n)| format!("{}{n}人", names(k)))
        .collect::<Vec<_>>()
        .join("、")
}

fn change(now: u64, before: u64) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Equal => format!("与上季度（{before}人）持平"),
        std::cmp::Ordering::Greater if before == 0 => {
            format!("上季度为 0 人，本季度增加{now}人")
        }
        std::cmp::Ordering::Greater => format!(
            "较上季度（{before}人）增加{}人，上升{:.1}%",
            now - before,
            (now - before) as f64 * 100.0 / before as f64
        ),
        std::cmp::Ordering::Less => format!(
            "较上季度（{before}人）减少{}人，下降{:.1}%",
            before - now,
            (before - now) as f64 * 100.0 / before as f64
        ),
    }
}

/// The analysis' opening sentences: the quarter's count against the one before, then by level,
/// kind, outcome and the units with the most persons dealt with.
pub fn quarter_sentences(
    q: Quarter,
    to: NaiveDate,
    scope_name: &str,
    now: &ViolationFigures,
    before: &ViolationFigures,
) -> String {
    let until = if to < q.last_day() {
        format!("（截至{}月{}日）", to.month(), to.day())
    } else {
        String::new()
    };
    let mut s = format!(
        "{}{until}，{scope_name}共立案查处违纪违法检察人员{}人，{}。",
        q.zh(),
        now.persons,
        change(now.persons, before.persons)
    );
    if now.persons == 0 {
        return s;
    }
    let level = |k: &str| {
        LEVELS
            .iter()
            .find(|(c, _)| *c == k)
            .map_or(k.to_string(), |(_, n)| n.to_string())
    };
    s.push_str(&format!("从层级看，{}。", listing(&now.by_level, level)));
    let mut kinds: Vec<(&String, &u64, String)> = now
        .by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| {
            let was = before.by_kind.get(k).copied().unwrap_or(0);
            let diff = match (*n).cmp(&was) {
                std::cmp::Ordering::Equal => "与上季度持平".to_string(),
                std::cmp::Ordering::Greater => format!("比上季度多{}人", n - was),
                std::cmp::Ordering::Less => format!("比上季度少{}人", was - n),
            };
            (k, n, diff)
        })
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1));
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|(k, n, diff)| format!("{k}{n}人（{diff}）"))
        .collect();
    s.push_str(&format!("从违纪违法类别看，{}。", kinds.join("、")));
    let dealt: u64 = now.by_outcome.values().sum();
    let mut outcomes = listing(&now.by_outcome, |k| k.to_string());
    if dealt < now.persons {
        if !outcomes.is_empty() {
            outcomes.push('，');
        }
        outcomes.push_str(&format!("尚在审查调查{}人", now.persons - dealt));
    }
    s.push_str(&format!("从处理结果看，{outcomes}。"));
    let mut units: Vec<(&String, &u64)> = now.by_unit.iter().collect();
    units.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !units.is_empty() {
        let top: Vec<String> = units
            .iter()
            .take(5)
            .map(|(u, n)| format!("{u}{n}人"))
            .collect();
        s.push_str(&format!("查处人数较多的单位是：{}。", top.join("、")));
    }
    s
}

/// The chart's rows: each kind of violation with its persons this quarter and the one before.
pub fn quarter_chart_rows(
    now: &ViolationFigures,
    before: &ViolationFigures,
) -> Vec<(String, usize, usize)> {
    super::ViolationKind::ALL
        .iter()
        .map(|k| k.zh().to_string())
        .filter_map(|k| {
            let (n, b) = (
                now.by_kind.get(&k).copied().unwrap_or(0),
                before.by_kind.get(&k).copied().unwrap_or(0),
            );
            (n + b > 0).then(|| {
                (
                    k.trim_start_matches("违反").to_string(),
                    n as usize,
                    b as usize,
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(persons: u64, kinds: &[(&str, u64)], units: &[(&str, u64)]) -> ViolationFigures {
        ViolationFigures {
            persons,
            by_level: [("2".to_string(), 1), ("4".to_string(), persons - 1)].into(),
            by_kind: kinds.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            by_outcome: [("党纪处分".to_string(), persons - 1)].into(),
            by_unit: units.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn quarters_and_their_neighbours() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let q = Quarter::of(d("2020-09-30"));
        assert_eq!((q.year, q.q), (2020, 3));
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d("2020-07-01"), d("2020-09-30"))
        );
        assert_eq!(
            Quarter::of(d("2021-02-01")).previous().zh(),
            "2020年第四季度"
        );
        assert_eq!(Quarter::of(d("2020-12-31")).last_day(), d("2020-12-31"));
    }

    #[test]
    fn the_quarter_against_the_one_before() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let now = figures(
            6,
            &[("违反廉洁纪律", 4), ("职务违法", 2)],
            &[("甲院", 4), ("乙院", 2)],
        );
        let before = figures(4, &[("违反廉洁纪律", 4)], &[]);
        let s = quarter_sentences(
            Quarter { year: 2020, q: 3 },
            d("2020-09-30"),
            "全系统",
            &now,
            &before,
        );
        assert!(s.starts_with("2020年第三季度，全系统共立案查处违纪违法检察人员6人，较上季度（4人）增加2人，上升50.0%。"), "{s}");
        assert!(s.contains("基层检察院5人、省级检察院1人"), "{s}");
        assert!(
            s.contains("违反廉洁纪律4人（与上季度持平）、职务违法2人（比上季度多2人）"),
            "{s}"
        );
        assert!(s.contains("党纪处分5人，尚在审查调查1人"), "{s}");
        assert!(s.contains("甲院4人、乙院2人"), "{s}");
        let rows = quarter_chart_rows(&now, &before);
        assert_eq!(
            rows,
            [
                ("廉洁纪律".to_string(), 4, 4),
                ("职务违法".to_string(), 2, 0)
            ]
        );
        let early = quarter_sentences(
            Quarter { year: 2020, q: 3 },
            d("2020-08-31"),
            "全系统",
            &before,
            &now,
        );
        assert!(
            early.contains("（截至8月31日）") && early.contains("减少2人，下降33.3%"),
            "{early}"
        );
    }
}
