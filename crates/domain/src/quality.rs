//! Case quality (案件质量): procedure events from the case-handling system, the 案-件比, the
//! plea-leniency rate, time limits and process-monitoring rules. Plain functions over a case's
//! events; the store keeps per-case summaries so that national figures need not rescan events,
//! and the property test below holds them equal to a full recomputation.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The two events that open a case for the 案-件比.
pub const ARREST_REVIEW: &str = "受理审查逮捕";
pub const PROSECUTION_REVIEW: &str = "受理审查起诉";
pub const PLEA: &str = "认罪认罚";
pub const CONCLUDED: &str = "审结";
pub const CIVIL_ACCEPTED: &str = "受理民事监督";
pub const CIVIL_CONCLUDED: &str = "民事监督审结";

/// The case types.
pub const CASE_TYPES: [&str; 4] = ["刑事", "民事", "行政", "公益诉讼"];

/// What an event is for the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// a normal procedural step
    Normal,
    /// an extra step: each occurrence adds to 件
    Extra,
    /// civil-litigation supervision
    Civil,
    /// counted on its own (e.g. 行政争议化解)
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDef {
    pub name: String,
    pub kind: EventKind,
    /// an extra step's weight in 件 (default 1)
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// The configuration of the quality module: the event vocabulary (which events exist, which
/// count as extra steps and with which weight) and the time limits per case type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualityRules {
    pub events: Vec<EventDef>,
    /// (case type, the event that starts the clock, the event that stops it, days)
    pub time_limits: Vec<TimeLimit>,
    pub monitoring: Vec<MonitorRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeLimit {
    pub case_type: String,
    pub start: String,
    pub end: String,
    pub days: i64,
    /// counted in working days (the calendar's) rather than calendar days
    #[serde(default)]
    pub working_days: bool,
}

/// A declarative check over one case's events (流程监控要点).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum MonitorRule {
    /// `event` occurs at least `times` times
    Repeated {
        name: String,
        event: String,
        times: usize,
    },
    /// `event` occurs with no `prior` event before it
    WithoutPrior {
        name: String,
        event: String,
        prior: String,
    },
    /// `event` comes more than `days` calendar days after `start`
    Late {
        name: String,
        start: String,
        event: String,
        days: i64,
    },
}

impl MonitorRule {
    pub fn name(&self) -> &str {
        match self {
            MonitorRule::Repeated { name, .. }
            | MonitorRule::WithoutPrior { name, .. }
            | MonitorRule::Late { name, .. } => name,
        }
    }
}

impl Default for QualityRules {
    fn default() -> Self {
        let def = |name: &str, kind| EventDef {
            name: name.into(),
            kind,
            weight: 1.0,
        };
        let mut events: Vec<EventDef> = [
            ARREST_REVIEW,
            PROSECUTION_REVIEW,
            "批准逮捕",
            "不批准逮捕",
            "提起公诉",
            "不起诉",
            PLEA,
            CONCLUDED,
        ]
        .iter()
        .map(|n| def(n, EventKind::Normal))
        .collect();
        events.extend(
            [
                "退回补充侦查",
                "延长审查起诉期限",
                "撤回起诉",
                "不批捕复议",
                "不批捕复核",
                "不起诉复议",
                "不起诉复核",
                "不起诉申诉",
                "提出抗诉",
            ]
            .iter()
            .map(|n| def(n, EventKind::Extra)),
        );
        events.extend(
            [CIVIL_ACCEPTED, CIVIL_CONCLUDED]
                .iter()
                .map(|n| def(n, EventKind::Civil)),
        );
        events.push(def("行政争议化解", EventKind::Other));
        events.push(def("公益诉讼立案", EventKind::Other));
        QualityRules {
            events,
            time_limits: vec![
                // 民事诉讼监督: three months (人民检察院民事诉讼监督规则)
                TimeLimit {
                    case_type: "民事".into(),
                    start: CIVIL_ACCEPTED.into(),
                    end: CIVIL_CONCLUDED.into(),
                    days: 90,
                    working_days: false,
                },
            ],
            monitoring: vec![
                MonitorRule::Repeated {
                    name: "两次退回补充侦查".into(),
                    event: "退回补充侦查".into(),
                    times: 2,
                },
                MonitorRule::WithoutPrior {
                    name: "未受理审查起诉即延长审查起诉期限".into(),
                    event: "延长审查起诉期限".into(),
                    prior: PROSECUTION_REVIEW.into(),
                },
                MonitorRule::Late {
                    name: "批捕决定超过 7 日".into(),
                    start: ARREST_REVIEW.into(),
                    event: "批准逮捕".into(),
                    days: 7,
                },
            ],
        }
    }
}

impl QualityRules {
    pub fn event(&self, name: &str) -> Option<&EventDef> {
        self.events.iter().find(|e| e.name == name)
    }
    pub fn is_extra(&self, name: &str) -> bool {
        self.event(name).is_some_and(|e| e.kind == EventKind::Extra)
    }
    pub fn weight(&self, name: &str) -> f64 {
        self.event(name)
            .filter(|e| e.kind == EventKind::Extra)
            .map_or(0.0, |e| e.weight)
    }
    /// Refuses a configuration that cannot work, in Chinese.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for e in &self.events {
            if e.name.trim().is_empty() || e.name.chars().count() > 30 {
                return Err("事件名称不能为空，且不超过 30 个字".into());
            }
            if !seen.insert(e.name.as_str()) {
                return Err(format!("事件“{}”重复", e.name));
            }
            if !(0.0..=10.0).contains(&e.weight) {
                return Err(format!("事件“{}”的权重应在 0 至 10 之间", e.name));
            }
        }
        for must in [ARREST_REVIEW, PROSECUTION_REVIEW] {
            if self.event(must).is_none_or(|e| e.kind != EventKind::Normal) {
                return Err(format!("“{must}”是案-件比的起点，须为正常环节"));
            }
        }
        for t in &self.time_limits {
            if !CASE_TYPES.contains(&t.case_type.as_str()) {
                return Err(format!("未知的案件类型“{}”", t.case_type));
            }
            if self.event(&t.start).is_none() || self.event(&t.end).is_none() {
                return Err(format!(
                    "办案期限引用了未定义的事件（{} → {}）",
                    t.start, t.end
                ));
            }
            if !(1..=3650).contains(&t.days) {
                return Err("办案期限应在 1 至 3650 天之间".into());
            }
        }
        Ok(())
    }
}

/// One procedure event of a case, in the order the case-handling system recorded it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub on: NaiveDate,
    /// the order within a day (the import's sequence)
    pub seq: i64,
    pub name: String,
}

/// Whether an event opens the case for the 案-件比: 受理审查逮捕, or 受理审查起诉 in a case with
/// no arrest review.
pub fn is_entry(name: &str, has_arrest_review: bool) -> bool {
    name == ARREST_REVIEW || (name == PROSECUTION_REVIEW && !has_arrest_review)
}

/// The 案 and 件 of one case over [from, to], by definition: the case is one 案 when its first
/// event in the period opens it (see [`is_entry`]); its 件 is then 1 plus the weighted extra
/// steps in the period; otherwise (0, 0). Also the extra steps by event.
pub fn case_ratio_of(
    events: &[Event],
    from: NaiveDate,
    to: NaiveDate,
    rules: &QualityRules,
) -> (u64, BTreeMap<String, u64>) {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort();
    let arrest = sorted.iter().any(|e| e.name == ARREST_REVIEW);
    let in_period: Vec<&&Event> = sorted
        .iter()
        .filter(|e| e.on >= from && e.on <= to)
        .collect();
    let mut extras = BTreeMap::new();
    match in_period.first() {
        Some(first) if is_entry(&first.name, arrest) => {
            for e in &in_period {
                if rules.is_extra(&e.name) {
                    *extras.entry(e.name.clone()).or_insert(0) += 1;
                }
            }
            (1, extras)
        }
        _ => (0, extras),
    }
}

/// The 案-件比 of many cases: 案, the extra steps by event, and 件 = 案 + weighted extra steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseRatio {
    pub an: u64,
    pub jian: f64,
    /// X of 1:X (件/案) to two decimals; `None` without any 案
    pub ratio: Option<f64>,
    pub by_event: BTreeMap<String, u64>,
}

impl CaseRatio {
    pub fn new(an: u64, by_event: BTreeMap<String, u64>, rules: &QualityRules) -> CaseRatio {
        let extra: f64 = by_event
            .iter()
            .map(|(e, n)| rules.weight(e) * *n as f64)
            .sum();
        let jian = an as f64 + extra;
        CaseRatio {
            an,
            jian,
            ratio: (an > 0).then(|| (jian / an as f64 * 100.0).round() / 100.0),
            by_event,
        }
    }
    /// "1:1.23"
    pub fn display(&self) -> String {
        self.ratio
            .map_or_else(|| "—".into(), |x| format!("1:{x:.2}"))
    }
    pub fn add(&mut self, an: u64, by_event: &BTreeMap<String, u64>) {
        self.an += an;
        for (e, n) in by_event {
            *self.by_event.entry(e.clone()).or_insert(0) += n;
        }
    }
}

/// The full recomputation over cases' events (the definition; the store's aggregates must agree).
pub fn case_ratio<'a>(
    cases: impl IntoIterator<Item = &'a [Event]>,
    from: NaiveDate,
    to: NaiveDate,
    rules: &QualityRules,
) -> CaseRatio {
    let mut r = CaseRatio::default();
    for events in cases {
        let (an, by) = case_ratio_of(events, from, to, rules);
        r.add(an, &by);
    }
    CaseRatio::new(r.an, r.by_event, rules)
}

/// What the store keeps per case so that 案 and 件 need not rescan events. A case is *regular*
/// when its first event opens it and nothing else does (almost every case): then it is one 案 in
/// exactly the periods that contain `entry_on`, and its 件 there counts the extra steps from
/// `entry_on` to the period's end. Irregular cases are computed from their events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// `Some` for a regular case
    pub entry_on: Option<NaiveDate>,
    /// neither regular nor without any opening event (those are never a 案): computed from its
    /// events
    pub irregular: bool,
    /// the first 审结, and whether a 认罪认罚 came before or with it
    pub concluded_on: Option<NaiveDate>,
    pub plea: bool,
}

pub fn summarise(events: &[Event]) -> CaseSummary {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort();
    let arrest = sorted.iter().any(|e| e.name == ARREST_REVIEW);
    let entries = sorted.iter().filter(|e| is_entry(&e.name, arrest)).count();
    let entry_on = match sorted.first() {
        Some(first) if entries == 1 && is_entry(&first.name, arrest) => Some(first.on),
        _ => None,
    };
    let concluded = sorted.iter().position(|e| e.name == CONCLUDED);
    let plea = concluded.is_some_and(|i| sorted[..=i].iter().any(|e| e.name == PLEA));
    CaseSummary {
        entry_on,
        irregular: entry_on.is_none() && entries > 0,
        concluded_on: concluded.map(|i| sorted[i].on),
        plea,
    }
}

/// The hits of the monitoring rules on one case: (rule name, the day of the offending event).
pub fn monitor(events: &[Event], rules: &[MonitorRule]) -> Vec<(String, NaiveDate)> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort();
    let mut hits = Vec::new();
    for r in rules {
        match r {
            MonitorRule::Repeated { name, event, times } => {
                if let Some(e) = sorted.iter().filter(|e| &e.name == event).nth(times - 1) {
                    hits.push((name.clone(), e.on));
                }
            }
            MonitorRule::WithoutPrior { name, event, prior } => {
                if let Some(i) = sorted.iter().position(|e| &e.name == event)
                    && !sorted[..i].iter().any(|e| &e.name == prior)
                {
                    hits.push((name.clone(), sorted[i].on));
                }
            }
            MonitorRule::Late {
                name,
                start,
                event,
                days,
            } => {
                if let (Some(s), Some(e)) = (
                    sorted.iter().find(|e| &e.name == start),
                    sorted.iter().find(|e| &e.name == event),
                ) && (e.on - s.on).num_days() > *days
                {
                    hits.push((name.clone(), e.on));
                }
            }
        }
    }
    hits
}

/// A rate as a share (None without a denominator).
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn ev(list: &[(&str, &str)]) -> Vec<Event> {
        list.iter()
            .enumerate()
            .map(|(i, (on, name))| Event {
                on: d(on),
                seq: i as i64,
                name: name.to_string(),
            })
            .collect()
    }

    #[test]
    fn an_and_jian_by_definition() {
        let r = QualityRules::default();
        let (from, to) = (d("2020-01-01"), d("2020-12-31"));
        // arrest review, returned twice for supplementary investigation, an extension: 1 案 4 件
        let a = ev(&[
            ("2020-02-01", ARREST_REVIEW),
            ("2020-02-05", "批准逮捕"),
            ("2020-03-01", PROSECUTION_REVIEW),
            ("2020-04-01", "退回补充侦查"),
            ("2020-05-01", "退回补充侦查"),
            ("2020-06-01", "延长审查起诉期限"),
            ("2020-07-01", "提起公诉"),
        ]);
        // prosecution review only: 1 案 1 件
        let b = ev(&[
            ("2020-03-01", PROSECUTION_REVIEW),
            ("2020-03-20", "提起公诉"),
        ]);
        // began last year: not a 案 this year, its extra steps not counted
        let c = ev(&[
            ("2019-12-01", ARREST_REVIEW),
            ("2020-01-10", "退回补充侦查"),
        ]);
        let ratio = case_ratio([a.as_slice(), b.as_slice(), c.as_slice()], from, to, &r);
        assert_eq!(ratio.an, 2);
        assert_eq!(ratio.jian, 5.0);
        assert_eq!(ratio.ratio, Some(2.5));
        assert_eq!(ratio.display(), "1:2.50");
        assert_eq!(ratio.by_event["退回补充侦查"], 2);
        // a weight of 0.5 for an extension
        let mut half = r.clone();
        half.events
            .iter_mut()
            .find(|e| e.name == "延长审查起诉期限")
            .unwrap()
            .weight = 0.5;
        assert_eq!(case_ratio([a.as_slice()], from, to, &half).jian, 3.5);
        assert_eq!(case_ratio(std::iter::empty(), from, to, &r).ratio, None);
    }

    #[test]
    fn summaries_plea_and_monitoring() {
        let a = ev(&[
            ("2020-02-01", ARREST_REVIEW),
            ("2020-02-12", "批准逮捕"),
            ("2020-03-01", "退回补充侦查"),
            ("2020-04-01", "退回补充侦查"),
            ("2020-05-01", PLEA),
            ("2020-06-01", CONCLUDED),
        ]);
        let s = summarise(&a);
        assert_eq!(s.entry_on, Some(d("2020-02-01")));
        assert_eq!((s.concluded_on, s.plea), (Some(d("2020-06-01")), true));
        let hits = monitor(&a, &QualityRules::default().monitoring);
        let names: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
        assert_eq!(names, ["两次退回补充侦查", "批捕决定超过 7 日"]);
        let b = ev(&[
            ("2020-02-01", "延长审查起诉期限"),
            ("2020-02-02", PROSECUTION_REVIEW),
        ]);
        assert_eq!(
            summarise(&b).entry_on,
            None,
            "irregular: an event before its entry"
        );
        assert_eq!(
            monitor(&b, &QualityRules::default().monitoring)[0].0,
            "未受理审查起诉即延长审查起诉期限"
        );
    }

    /// The store's way — regular cases from their summary (one 案 when the period holds the entry;
    /// extra steps from the entry to the period's end), irregular ones from their events — equals
    /// the definition on random cases and random periods.
    #[test]
    fn summaries_equal_a_full_recomputation() {
        use rand::{Rng, SeedableRng};
        let r = QualityRules::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let names: Vec<String> = r.events.iter().map(|e| e.name.clone()).collect();
        let base = d("2020-01-01");
        for _ in 0..300 {
            let cases: Vec<Vec<Event>> = (0..40)
                .map(|_| {
                    let start = rng.random_range(0..400);
                    let mut list = Vec::new();
                    // usually an entry first
                    if rng.random_bool(0.9) {
                        let first = if rng.random_bool(0.6) {
                            ARREST_REVIEW
                        } else {
                            PROSECUTION_REVIEW
                        };
                        list.push((start, first.to_string()));
                    }
                    for _ in 0..rng.random_range(0..6) {
                        let n = &names[rng.random_range(0..names.len())];
                        list.push((start + rng.random_range(0..200), n.clone()));
                    }
                    list.into_iter()
                        .enumerate()
                        .map(|(i, (day, name))| Event {
                            on: base + chrono::Duration::days(day),
                            seq: i as i64,
                            name,
                        })
                        .collect()
                })
                .collect();
            let a = rng.random_range(0..500);
            let from = base + chrono::Duration::days(a);
            let to = from + chrono::Duration::days(rng.random_range(0..300));
            let full = case_ratio(cases.iter().map(Vec::as_slice), from, to, &r);
            let mut fast = CaseRatio::default();
            for c in &cases {
                let s = summarise(c);
                match s.entry_on {
                    None if !s.irregular => {}
                    Some(entry) => {
                        if entry >= from && entry <= to {
                            let mut by = BTreeMap::new();
                            for e in c
                                .iter()
                                .filter(|e| e.on >= entry && e.on <= to && r.is_extra(&e.name))
                            {
                                *by.entry(e.name.clone()).or_insert(0) += 1;
                            }
                            fast.add(1, &by);
                        }
                    }
                    None => {
                        let (an, by) = case_ratio_of(c, from, to, &r);
                        fast.add(an, &by);
                    }
                }
            }
            assert_eq!(CaseRatio::new(fast.an, fast.by_event, &r), full);
        }
    }
}
