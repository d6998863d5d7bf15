//! Sentences generated from the data: progress, breakdown and roll-up of a plan's figures.
use super::*;
use crate::rectification::{ClosableStats, PlanStats};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A plan's figures as of the document's date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFigures {
    /// the plan's id (its page is where its figures are listed; 0 when unknown)
    #[serde(default)]
    pub id: i64,
    /// who decided the plan, as the sentence names it: 党组, 驻院纪检监察组
    pub body: String,
    pub title: String,
    pub stats: PlanStats,
    /// titles of tasks past their time limit on the day (red), open
    pub overdue: Vec<String>,
    /// for a cascaded plan: (level, units holding it, their figures) below the issuing unit
    pub levels: Vec<(i64, usize, PlanStats)>,
    /// open tasks' lights per lead department: (department, green, yellow, red)
    #[serde(default)]
    pub departments: Vec<(String, usize, usize, usize)>,
    /// tasks whose deadline was changed by an approved adjustment, as of the day
    #[serde(default)]
    pub deadline_adjusted: i64,
}

/// A round's facts for the fixed opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFacts {
    pub title: String,
    pub inspector: String,
    pub central: bool,
    pub inspected_from: NaiveDate,
    pub inspected_to: NaiveDate,
    pub feedback: NaiveDate,
    /// the inspected party organisation: 最高人民检察院党组
    pub org: String,
    /// whether the document's unit is the inspected one; a lower unit's cascaded copy gets no
    /// opening about the inspection (it was not inspected), though the dates still bound it
    pub own: bool,
}

/// Sentences other modules contribute, already worded by their own rules.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// the runs each token stands for (letters, records, quality, the desk's quarter, the
    /// procuratorial work …); a token without data has none
    pub topics: Vec<(Token, Vec<Span>)>,
    /// (token, title, svg)
    pub charts: Vec<(Token, String, String)>,
}

impl Extras {
    pub fn topic(&self, t: Token) -> &[Span] {
        self.topics
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, s)| s.as_slice())
            .unwrap_or(&[])
    }
    /// Adds a token's sentences (nothing when there are none).
    pub fn add(&mut self, t: Token, spans: Vec<Span>) {
        if !spans.is_empty() {
            self.topics.push((t, spans));
        }
    }
}

pub fn level_name(level: i64) -> &'static str {
    match level {
        1 => "最高人民检察院",
        2 => "省级检察院",
        3 => "市级检察院",
        _ => "基层检察院",
    }
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    let s = format!("{p:.1}");
    format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
}

fn closable(name: &str, s: &ClosableStats) -> Option<String> {
    if s.total == 0 {
        return None;
    }
    let mut t = if s.closed == s.total {
        format!("{name}的{}项已全部完成", s.total)
    } else if s.closed == 0 {
        format!("{name}的{}项均在整改中", s.total)
    } else {
        format!("{name}的{}项已完成{}项", s.total, s.closed)
    };
    if s.open > 0 && s.closed > 0 {
        if s.overdue == 0 {
            t += &format!("，正在整改的{}项按照时限要求有序推进", s.open);
        } else {
            t += &format!("，正在整改{}项", s.open);
        }
    }
    if s.overdue > 0 {
        t += &format!("，其中{}项已超过整改时限", s.overdue);
    }
    Some(t)
}

/// 党组研究确定的87项整改任务中,限期整改的30项已完成15项,正在整改的15项按照时限要求有序推进;
/// 对长期整改的57项,均已取得阶段性成效。 — and, when tasks are overdue, a sentence naming them.
pub fn progress_sentences(p: &PlanFigures) -> Vec<String> {
    let s = &p.stats;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(closable("立行立改", &s.immediate));
    parts.extend(closable("限期整改", &s.time_limited));
    let l = &s.long_term;
    if l.total > 0 {
        let mut t = if l.with_staged_results == l.total {
            format!("对长期整改的{}项，均已取得阶段性成效", l.total)
        } else if l.with_staged_results == 0 {
            format!("对长期整改的{}项，正在持续推进", l.total)
        } else {
            format!(
                "对长期整改的{}项，已有{}项取得阶段性成效，其余{}项正在持续推进",
                l.total,
                l.with_staged_results,
                l.total - l.with_staged_results
            )
        };
        if l.overdue > 0 {
            t += &format!("，{}项未按期报送进展", l.overdue);
        }
        parts.push(t);
    }
    let mut out = vec![format!(
        "{}研究确定的{}项整改任务中，{}。",
        p.body,
        s.total,
        parts.join("；")
    )];
    if !p.overdue.is_empty() {
        const SHOWN: usize = 10;
        let names: Vec<String> = p
            .overdue
            .iter()
            .take(SHOWN)
            .map(|t| format!("“{t}”"))
            .collect();
        let more = if p.overdue.len() > SHOWN {
            format!("等{}项", p.overdue.len())
        } else {
            String::new()
        };
        out.push(format!(
            "超过整改时限尚未完成的任务有：{}{more}，正在督促加快整改。",
            names.join("、")
        ));
    }
    if p.deadline_adjusted > 0 {
        out.push(format!(
            "另有{}项任务经审批调整了完成时限。",
            p.deadline_adjusted
        ));
    }
    out
}

/// 其中,应立行立改的17项,限期整改15项,长期整改17项。
pub fn breakdown_sentence(p: &PlanFigures) -> String {
    let s = &p.stats;
    let parts: Vec<String> = [
        ("应立行立改的", s.immediate.total),
        ("限期整改", s.time_limited.total),
        ("长期整改", s.long_term.total),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .enumerate()
    .map(|(i, (name, n))| {
        // the seed writes the first with 的 and the rest without
        let name = if i == 0 && !name.ends_with('的') {
            format!("{name}的")
        } else {
            name.to_string()
        };
        let name = if i > 0 {
            name.trim_start_matches('应')
                .trim_end_matches('的')
                .to_string()
        } else {
            name
        };
        format!("{name}{n}项")
    })
    .collect();
    format!("其中，{}。", parts.join("，"))
}

/// [`breakdown_sentence`] for a document over several plans, where a bare 其中 would not say
/// which plan it belongs to: 最高检党组巡视整改方案的任务中，应立行立改的17项，…
pub fn named_breakdown_sentence(p: &PlanFigures) -> String {
    let s = breakdown_sentence(p);
    format!("{}的任务中，{}", p.title, s.trim_start_matches("其中，"))
}

/// Per-level sentences of a cascaded plan, or none when it was not cascaded.
pub fn rollup_sentences(p: &PlanFigures) -> Vec<String> {
    if p.levels.is_empty() {
        return Vec::new();
    }
    let parts: Vec<String> = p
        .levels
        .iter()
        .map(|(level, units, s)| {
            let closable = s.immediate.total + s.time_limited.total;
            let closed = s.immediate.closed + s.time_limited.closed;
            if closable == 0 {
                return format!(
                    "{}{}个，承担长期整改任务{}项",
                    level_name(*level),
                    units,
                    s.total
                );
            }
            format!(
                "{}{}个，承担整改任务{}项，立行立改和限期整改的{}项已完成{}项（完成率{}）",
                level_name(*level),
                units,
                s.total,
                closable,
                closed,
                pct(closed, closable)
            )
        })
        .collect();
    vec![format!(
        "{}将整改任务下发各级检察院同步整改：{}。",
        p.body,
        parts.join("；")
    )]
}
