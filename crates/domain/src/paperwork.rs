//! Less paperwork (纠治形式主义): the registry of documents issued, meetings held, collective
//! study sessions and research visits with their change on the year before, and the gate that
//! refuses asking lower units for figures Duban already computes.
use serde::{Deserialize, Serialize};

crate::records::labelled!(Kind {
    Document = "document", "发文";
    Meeting = "meeting", "会议";
    Study = "study", "集体学习";
    Visit = "visit", "调研";
    Internal = "internal", "内部会议";
} "登记类型");

/// Change on the year before as a share (`None` without a base).
pub fn change(this: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| (this as f64 - before as f64) / before as f64)
}

/// "−9.0%", "+12.5%", "—".
pub fn change_text(c: Option<f64>) -> String {
    match c {
        None => "—".into(),
        Some(c) if c < 0.0 => format!("−{:.1}%", -c * 100.0),
        Some(c) => format!("+{:.1}%", c * 100.0),
    }
}

/// The figures a request to lower units may name; all but `Other` are computed by Duban.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    RectificationProgress,
    LetterReplyRates,
    RecordFilings,
    CaseRatio,
    PleaRate,
    OverdueCases,
    PaperworkCounts,
    Other,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::RectificationProgress,
        Metric::LetterReplyRates,
        Metric::RecordFilings,
        Metric::CaseRatio,
        Metric::PleaRate,
        Metric::OverdueCases,
        Metric::PaperworkCounts,
        Metric::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::RectificationProgress => "rectification_progress",
            Metric::LetterReplyRates => "letter_reply_rates",
            Metric::RecordFilings => "record_filings",
            Metric::CaseRatio => "case_ratio",
            Metric::PleaRate => "plea_rate",
            Metric::OverdueCases => "overdue_cases",
            Metric::PaperworkCounts => "paperwork_counts",
            Metric::Other => "other",
        }
    }
    pub fn parse(raw: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == raw.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            Metric::RectificationProgress => "整改任务完成情况",
            Metric::LetterReplyRates => "群众信件七日内程序性回复率、三个月内答复率",
            Metric::RecordFilings => "“三个规定”记录报告情况",
            Metric::CaseRatio => "案-件比",
            Metric::PleaRate => "认罪认罚适用率",
            Metric::OverdueCases => "超期案件及办结情况",
            Metric::PaperworkCounts => "发文、会议、集体学习、调研数量",
            Metric::Other => "其他（系统未统计的数据）",
        }
    }
    /// Where the live figure is, when Duban computes it.
    pub fn live(self) -> Option<&'static str> {
        match self {
            Metric::RectificationProgress => Some("/rectification"),
            Metric::LetterReplyRates => Some("/letters"),
            Metric::RecordFilings => Some("/records/stats"),
            Metric::CaseRatio | Metric::PleaRate | Metric::OverdueCases => Some("/quality"),
            Metric::PaperworkCounts => Some("/paperwork"),
            Metric::Other => None,
        }
    }
}

/// The gate: a request for a figure Duban computes is refused with where to find it.
pub fn gate(metric: Metric) -> Result<(), String> {
    match metric.live() {
        Some(link) => Err(format!(
            "系统已实时统计“{}”，请勿向下级单位索要数据，直接查看：{link}",
            metric.zh()
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_changes() {
        assert_eq!(change_text(change(64, 70)), "−8.6%");
        assert_eq!(change_text(change(5, 8)), "−37.5%");
        assert_eq!(change_text(change(3, 0)), "—");
        assert_eq!(change_text(change(9, 8)), "+12.5%");
    }

    #[test]
    fn the_gate_refuses_what_is_computed() {
        let e = gate(Metric::CaseRatio).unwrap_err();
        assert!(e.contains("/quality") && e.contains("案-件比"));
        assert!(gate(Metric::Other).is_ok());
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            assert_eq!(gate(m).is_ok(), m == Metric::Other);
        }
        assert_eq!(Kind::parse("集体学习"), Some(Kind::Study));
    }
}
