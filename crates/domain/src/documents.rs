//! Official documents (公文): the progress bulletin (整改进展情况通报), the rectification report
//! (整改情况报告), special reports to the superior discipline body (专报) and typical-case batches
//! (典型案例). A document is composed from the office's sections and sentences generated from the
//! data; once published its composition is frozen (stored, never recomputed).
//!
//! The office writes plain text: one paragraph a line; a line starting 一、 is a first-level
//! heading (黑体), （一） a second-level one (楷体, run in up to its first 。), 1. a third-level one
//! (仿宋, run in likewise). `<b>…</b>` marks bold; every other tag is removed (and reported);
//! `{{…}}` inserts generated sentences or charts ([`Token`]).
use crate::rectification::{ClosableStats, PlanStats};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

crate::records::labelled!(Kind {
    Bulletin = "bulletin", "整改进展情况通报";
    Report = "report", "整改情况报告";
    Special = "special", "专报";
    Cases = "cases", "典型案例";
} "公文类别");

impl Kind {
    /// Numbered per unit and year: 专报 第N期, 典型案例 第N批.
    pub fn numbered(self) -> Option<&'static str> {
        match self {
            Kind::Special => Some("期"),
            Kind::Cases => Some("批"),
            _ => None,
        }
    }
    /// Shown to the public once published.
    pub fn public(self) -> bool {
        matches!(self, Kind::Bulletin | Kind::Cases)
    }
}

/// A run of text; `generated` marks figures that come from the data (tests find each of them in
/// the PDF's extracted text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated: bool,
}

impl Span {
    pub fn plain(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            generated: false,
        }
    }
    pub fn generated(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            generated: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Block {
    /// 一、… in 黑体, a line of its own
    Heading1 {
        text: String,
    },
    /// （一）… in 楷体, run in: the paragraph goes on in 仿宋
    Heading2 {
        head: String,
        rest: Vec<Span>,
    },
    /// 1. … in 仿宋 (bold), run in
    Heading3 {
        head: String,
        rest: Vec<Span>,
    },
    Para {
        spans: Vec<Span>,
    },
    /// an SVG chart drawn by the dashboards' chart code
    Chart {
        title: String,
        svg: String,
    },
}

/// A composed document: everything a renderer (PDF, DOCX, HTML, text) needs, nothing it must look up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: Kind,
    /// 发文机关标志, printed in red above the rule
    pub issuer: String,
    /// 发文字号, e.g. 高检党〔2020〕3号 (may be empty)
    pub doc_no: String,
    /// 第N期 / 第N批 for numbered kinds
    pub number: Option<i64>,
    pub title: String,
    /// 主送机关, for reports
    pub recipient: String,
    pub blocks: Vec<Block>,
    /// 发文机关署名
    pub signature: String,
    /// 成文日期
    pub date: NaiveDate,
}

impl Document {
    /// Every generated run, for checks that the figures reach the output.
    pub fn generated(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for b in &self.blocks {
            let spans: &[Span] = match b {
                Block::Para { spans } => spans,
                Block::Heading2 { rest, .. } | Block::Heading3 { rest, .. } => rest,
                _ => &[],
            };
            out.extend(
                spans
                    .iter()
                    .filter(|s| s.generated)
                    .map(|s| s.text.as_str()),
            );
        }
        out
    }
    /// The 成文日期 in Arabic numerals: 2020年11月5日.
    pub fn date_text(&self) -> String {
        cn_date(self.date)
    }
    /// The numbering line of numbered kinds: 第3期.
    pub fn number_text(&self) -> Option<String> {
        Some(format!("第{}{}", self.number?, self.kind.numbered()?))
    }
}

pub fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// What `{{…}}` in the office's text stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// progress of each plan (or of plan N): totals per category, overdue tasks named
    Progress(Option<usize>),
    /// 其中,应立行立改的17项,限期整改15项,长期整改17项
    Breakdown(Option<usize>),
    /// per-level roll-up of a cascaded plan
    Rollup(Option<usize>),
    Letters,
    Records,
    Quality,
    /// charts, each on a line of its own
    ChartCategories,
    ChartLevels,
    ChartDepartments,
}

pub const TOKENS: &[(&str, &str)] = &[
    (
        "整改进展",
        "各方案的任务完成情况（逾期任务逐项列明）；可写 {{整改进展:2}} 指第 2 个方案",
    ),
    (
        "任务构成",
        "其中，应立行立改的 N 项，限期整改 N 项，长期整改 N 项",
    ),
    ("分级汇总", "下发各级检察院的整改任务按层级汇总"),
    ("信访", "群众信访 7 日内程序性回复、3 个月内答复情况"),
    ("干预记录", "过问或干预司法办案记录填报情况"),
    ("案件质量", "案-件比、认罪认罚从宽适用率"),
    ("图:整改进展", "图：按类别的完成情况"),
    ("图:分级汇总", "图：按层级的完成情况"),
    ("图:部门", "图：各责任部门的任务灯色"),
];

impl Token {
    fn parse(raw: &str) -> Option<Token> {
        let raw = raw.trim();
        let (name, n) = match raw.rsplit_once([':', '：']) {
            Some((name, n)) if n.trim().parse::<usize>().is_ok() => {
                (name.trim(), Some(n.trim().parse::<usize>().ok()?))
            }
            _ => (raw, None),
        };
        if n == Some(0) {
            return None;
        }
        Some(match (name, n) {
            ("整改进展", n) => Token::Progress(n),
            ("任务构成", n) => Token::Breakdown(n),
            ("分级汇总", n) => Token::Rollup(n),
            ("信访", None) => Token::Letters,
            ("干预记录", None) => Token::Records,
            ("案件质量", None) => Token::Quality,
            ("图:整改进展" | "图：整改进展", None) => Token::ChartCategories,
            ("图:分级汇总" | "图：分级汇总", None) => Token::ChartLevels,
            ("图:部门" | "图：部门", None) => Token::ChartDepartments,
            _ => return None,
        })
    }
    fn is_chart(self) -> bool {
        matches!(
            self,
            Token::ChartCategories | Token::ChartLevels | Token::ChartDepartments
        )
    }
}

/// One piece of an office section after parsing: text (with bold runs) or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(Span),
    Token(Token),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Heading1(Vec<Piece>),
    Heading2(Vec<Piece>),
    Heading3(Vec<Piece>),
    Para(Vec<Piece>),
}

/// The office's text, checked: its lines, and what was removed as raw HTML (told to the writer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub lines: Vec<Line>,
    pub removed: Vec<String>,
}

fn line_kind(line: &str) -> (u8, &str) {
    let first: Vec<char> = line.chars().take(6).collect();
    const NUMS: &str = "一二三四五六七八九十";
    // 一、 二十、
    let n = first.iter().take_while(|c| NUMS.contains(**c)).count();
    if n > 0 && first.get(n) == Some(&'、') {
        return (1, line);
    }
    // （一） (一)
    if matches!(first.first(), Some('（' | '(')) {
        let n = first[1..].iter().take_while(|c| NUMS.contains(**c)).count();
        if n > 0 && matches!(first.get(1 + n), Some('）' | ')')) {
            return (2, line);
        }
    }
    // 1. 1、 12．
    let n = first.iter().take_while(|c| c.is_ascii_digit()).count();
    if n > 0 && matches!(first.get(n), Some('.' | '、' | '．')) {
        return (3, line);
    }
    (0, line)
}

/// Parses the office's text. Errors (in Chinese, with the line number) for an unclosed or stray
/// `<b>`, an unclosed `{{`, an unknown token, or a chart token sharing its line with text.
pub fn parse_office(text: &str) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let pieces = parse_line(line, no, &mut out.removed)?;
        if pieces
            .iter()
            .all(|p| matches!(p, Piece::Text(s) if s.text.trim().is_empty()))
        {
            continue;
        }
        let charts = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Token(t) if t.is_chart()))
            .count();
        if charts > 0 && pieces.len() > 1 {
            return Err(format!("第 {no} 行：图表标记须单独成行"));
        }
        let (kind, _) = line_kind(line);
        out.lines.push(match kind {
            1 => Line::Heading1(pieces),
            2 => Line::Heading2(pieces),
            3 => Line::Heading3(pieces),
            _ => Line::Para(pieces),
        });
    }
    Ok(out)
}

fn parse_line(line: &str, no: usize, removed: &mut Vec<String>) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut bold = false;
    let mut buf = String::new();
    let mut rest = line;
    let flush = |buf: &mut String, bold: bool, pieces: &mut Vec<Piece>| {
        if !buf.is_empty() {
            pieces.push(Piece::Text(Span {
                text: std::mem::take(buf),
                bold,
                generated: false,
            }));
        }
    };
    // text inside <script>/<style> is dropped with the tags
    let mut skipping: Option<String> = None;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            let Some(end) = after.find("}}") else {
                return Err(format!("第 {no} 行：“{{{{”没有对应的“}}}}”"));
            };
            let name = &after[..end];
            let Some(tok) = Token::parse(name) else {
                let known: Vec<&str> = TOKENS.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "第 {no} 行：不认识的数据标记“{{{{{name}}}}}”，可用：{}",
                    known.join("、")
                ));
            };
            if skipping.is_none() {
                flush(&mut buf, bold, &mut pieces);
                pieces.push(Piece::Token(tok));
            }
            rest = &after[end + 2..];
            continue;
        }
        if rest.starts_with('<') {
            if let Some(end) = rest.find('>') {
                let tag = &rest[..=end];
                let name: String = tag[1..tag.len() - 1]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let closing = tag.starts_with("</");
                if !name.is_empty() {
                    rest = &rest[end + 1..];
                    if let Some(s) = &skipping {
                        if closing && *s == name {
                            skipping = None;
                        }
                        continue;
                    }
                    match (name.as_str(), closing) {
                        ("b" | "strong", false) => {
                            if bold {
                                return Err(format!("第 {no} 行：<b> 嵌套了 <b>"));
                            }
                            flush(&mut buf, bold, &mut pieces);
                            bold = true;
                        }
                        ("b" | "strong", true) => {
                            if !bold {
                                return Err(format!("第 {no} 行：</b> 之前没有 <b>"));
                            }
                            flush(&mut buf, bold, &mut pieces);
                            bold = false;
                        }
                        (n, false) => {
                            if n == "script" || n == "style" {
                                skipping = Some(n.to_string());
                            }
                            removed.push(format!("第 {no} 行：{tag}"));
                        }
                        (_, true) => removed.push(format!("第 {no} 行：{tag}")),
                    }
                    continue;
                }
            }
        }
        let c = rest.chars().next().expect("not empty");
        if skipping.is_none() {
            buf.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if bold {
        return Err(format!("第 {no} 行：<b> 没有对应的 </b>"));
    }
    flush(&mut buf, bold, &mut pieces);
    Ok(pieces)
}

/// A plan's figures as of the document's date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFigures {
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

/// What turns a composition into pictures and pages; implemented by the publish crate, so that
/// the store composes and freezes without linking the typesetter.
pub trait Render: Sync {
    /// The charts a document may place, drawn by the dashboards' chart code.
    fn charts(&self, plans: &[PlanFigures]) -> Vec<(Token, String, String)>;
    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, String>;
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
    pub letters: Option<String>,
    pub records: Option<String>,
    pub quality: Option<String>,
    /// (token, title, svg)
    pub charts: Vec<(Token, String, String)>,
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
    if parts.len() == 1 {
        return format!("其中，{}。", parts[0]);
    }
    format!("其中，{}。", parts.join("，"))
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

/// Why a document cannot be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("截至日期 {as_of} 早于巡视意见反馈日期 {feedback}，此时尚无整改可通报")]
    BeforeRound {
        as_of: NaiveDate,
        feedback: NaiveDate,
    },
    #[error("整改方案“{0}”截至该日尚无整改任务，无法生成通报")]
    NoTasks(String),
    #[error("{0}")]
    Markup(String),
    #[error("数据标记“{0}”所指的第 {1} 个方案不存在（本文件共 {2} 个方案）")]
    NoSuchPlan(&'static str, usize, usize),
}

/// The editable parts of a document (saved as drafts with history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub issuer: String,
    pub doc_no: String,
    pub recipient: String,
    pub signature: String,
    /// the office's text (see the module's markup)
    pub body: String,
    /// 联系方式 for the closing formula of a bulletin: 电话…;邮政信箱…;电子邮箱…
    pub contact: String,
}

/// Everything composition reads.
pub struct Inputs<'a> {
    pub kind: Kind,
    pub draft: &'a Draft,
    pub round: Option<&'a RoundFacts>,
    pub plans: &'a [PlanFigures],
    pub extras: &'a Extras,
    pub as_of: NaiveDate,
    pub number: Option<i64>,
}

/// The default office text of a new document of `kind`, in the seed's structure.
pub fn default_body(kind: Kind) -> String {
    match kind {
        Kind::Bulletin | Kind::Report => "一、提高政治站位，切实抓紧抓实巡视整改政治责任\n\
             {{整改进展}}\n\
             {{图:整改进展}}\n\
             二、聚焦反馈问题，扎实推进各项整改任务落实\n\
             {{任务构成}}\n\
             {{分级汇总}}\n\
             三、坚持以人民为中心，推动整改成效惠及人民群众\n\
             {{信访}}\n\
             {{干预记录}}\n\
             {{案件质量}}\n\
             四、持续深化巡视整改，推动检察工作高质量发展\n\
             巩固、拓展、深化巡视整改成果。\n"
            .into(),
        Kind::Special => "一、整改工作进展\n{{整改进展}}\n二、下一步工作\n".into(),
        Kind::Cases => String::new(),
    }
}

/// Composes a document: the fixed opening (bulletins and reports), the office's text with its
/// tokens replaced by generated sentences, the closing formula with the contact details.
pub fn compose(inp: &Inputs) -> Result<Document, ComposeError> {
    if let Some(r) = inp.round {
        if inp.as_of < r.feedback {
            return Err(ComposeError::BeforeRound {
                as_of: inp.as_of,
                feedback: r.feedback,
            });
        }
    }
    if inp.kind != Kind::Cases {
        for p in inp.plans {
            if p.stats.total == 0 {
                return Err(ComposeError::NoTasks(p.title.clone()));
            }
        }
    }
    let parsed = parse_office(&inp.draft.body).map_err(ComposeError::Markup)?;
    let mut blocks = Vec::new();
    if let (Some(r), Kind::Bulletin | Kind::Report) = (inp.round.filter(|r| r.own), inp.kind) {
        let by = if r.central {
            "中央"
        } else {
            "上级党组织"
        };
        let purpose = if inp.kind == Kind::Bulletin {
            "现将巡视整改进展情况予以公布"
        } else {
            "现将巡视整改情况报告如下"
        };
        blocks.push(Block::Para {
            spans: vec![
                Span::plain(format!("根据{by}统一部署，")),
                Span::generated(format!(
                    "{}至{}",
                    cn_date(r.inspected_from),
                    cn_date(r.inspected_to)
                )),
                Span::plain(format!("，{}对{}开展了巡视。", r.inspector, r.org)),
                Span::generated(cn_date(r.feedback)),
                Span::plain(format!(
                    "，{}向{}反馈了巡视意见。按照巡视工作有关要求，{purpose}。",
                    r.inspector, r.org
                )),
            ],
        });
    }
    let mut progress_shown = false;
    let pick = |n: Option<usize>, what: &'static str| -> Result<Vec<&PlanFigures>, ComposeError> {
        match n {
            None => Ok(inp.plans.iter().collect()),
            Some(n) => inp
                .plans
                .get(n - 1)
                .map(|p| vec![p])
                .ok_or(ComposeError::NoSuchPlan(what, n, inp.plans.len())),
        }
    };
    for line in &parsed.lines {
        let pieces = match line {
            Line::Heading1(p) | Line::Heading2(p) | Line::Heading3(p) | Line::Para(p) => p,
        };
        // charts stand alone
        if let [Piece::Token(t)] = pieces.as_slice() {
            if t.is_chart() {
                if let Some((_, title, svg)) = inp.extras.charts.iter().find(|(k, ..)| k == t) {
                    blocks.push(Block::Chart {
                        title: title.clone(),
                        svg: svg.clone(),
                    });
                }
                continue;
            }
        }
        let mut spans = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Text(s) => spans.push(s.clone()),
                Piece::Token(t) => {
                    let sentences: Vec<String> = match *t {
                        Token::Progress(n) => {
                            progress_shown = true;
                            pick(n, "整改进展")?
                                .into_iter()
                                .flat_map(progress_sentences)
                                .collect()
                        }
                        Token::Breakdown(n) => pick(n, "任务构成")?
                            .into_iter()
                            .map(breakdown_sentence)
                            .collect(),
                        Token::Rollup(n) => pick(n, "分级汇总")?
                            .into_iter()
                            .flat_map(rollup_sentences)
                            .collect(),
                        Token::Letters => inp.extras.letters.iter().cloned().collect(),
                        Token::Records => inp.extras.records.iter().cloned().collect(),
                        Token::Quality => inp.extras.quality.iter().cloned().collect(),
                        _ => Vec::new(),
                    };
                    spans.extend(sentences.into_iter().map(Span::generated));
                }
            }
        }
        if spans.iter().all(|s| s.text.trim().is_empty()) {
            continue;
        }
        blocks.push(match line {
            Line::Heading1(_) => Block::Heading1 {
                text: spans.iter().map(|s| s.text.as_str()).collect(),
            },
            Line::Heading2(_) => run_in(spans, true),
            Line::Heading3(_) => run_in(spans, false),
            Line::Para(_) => Block::Para { spans },
        });
    }
    // an honest bulletin always carries the figures, whatever the office wrote
    if !progress_shown && matches!(inp.kind, Kind::Bulletin | Kind::Report) {
        let spans: Vec<Span> = inp
            .plans
            .iter()
            .flat_map(progress_sentences)
            .map(Span::generated)
            .collect();
        let at = usize::from(inp.round.is_some()).min(blocks.len());
        blocks.insert(at, Block::Para { spans });
    }
    if inp.kind == Kind::Bulletin && !inp.draft.contact.trim().is_empty() {
        blocks.push(Block::Para {
            spans: vec![Span::plain(format!(
                "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议，请及时向我们反映。联系方式：{}。",
                inp.draft.contact.trim().trim_end_matches('。')
            ))],
        });
    }
    Ok(Document {
        kind: inp.kind,
        issuer: inp.draft.issuer.trim().to_string(),
        doc_no: inp.draft.doc_no.trim().to_string(),
        number: inp.number,
        title: inp.draft.title.trim().to_string(),
        recipient: inp.draft.recipient.trim().to_string(),
        blocks,
        signature: inp.draft.signature.trim().to_string(),
        date: inp.as_of,
    })
}

/// （一）从讲政治高度抓整改。党组同志… → the head up to its first 。, the rest run in.
fn run_in(mut spans: Vec<Span>, kai: bool) -> Block {
    let mut head = String::new();
    if let Some(first) = spans.first_mut() {
        if !first.generated {
            match first.text.find('。') {
                Some(i) => {
                    head = first.text[..i + '。'.len_utf8()].to_string();
                    first.text = first.text[i + '。'.len_utf8()..].to_string();
                }
                None => head = std::mem::take(&mut first.text),
            }
        }
    }
    spans.retain(|s| !s.text.is_empty());
    if kai {
        Block::Heading2 { head, rest: spans }
    } else {
        Block::Heading3 { head, rest: spans }
    }
}

/// A selected case of a typical-case batch: its title and the office's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalCase {
    pub case_ref: String,
    pub title: String,
    pub summary: String,
}

/// A typical-case batch: 案例一 … each a heading and its summary.
pub fn compose_cases(
    draft: &Draft,
    cases: &[TypicalCase],
    number: Option<i64>,
    date: NaiveDate,
) -> Result<Document, ComposeError> {
    if cases.is_empty() {
        return Err(ComposeError::Markup("请至少选入一个案例".into()));
    }
    let mut blocks = Vec::new();
    let intro = parse_office(&draft.body).map_err(ComposeError::Markup)?;
    blocks.extend(intro.lines.into_iter().map(text_para));
    for (i, c) in cases.iter().enumerate() {
        if c.summary.trim().is_empty() {
            return Err(ComposeError::Markup(format!(
                "案例“{}”还没有写案情摘要",
                c.title
            )));
        }
        blocks.push(Block::Heading1 {
            text: format!("{}、{}", cn_number(i + 1), c.title.trim()),
        });
        let body = parse_office(&c.summary)
            .map_err(|e| ComposeError::Markup(format!("案例“{}”：{e}", c.title)))?;
        blocks.extend(body.lines.into_iter().map(text_para));
    }
    Ok(Document {
        kind: Kind::Cases,
        issuer: draft.issuer.trim().to_string(),
        doc_no: draft.doc_no.trim().to_string(),
        number,
        title: draft.title.trim().to_string(),
        recipient: String::new(),
        blocks,
        signature: draft.signature.trim().to_string(),
        date,
    })
}

/// A line of a case batch as a plain paragraph (tokens carry no data there).
fn text_para(line: Line) -> Block {
    let (Line::Para(p) | Line::Heading1(p) | Line::Heading2(p) | Line::Heading3(p)) = line;
    let spans = p
        .into_iter()
        .filter_map(|x| {
            if let Piece::Text(s) = x {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    Block::Para { spans }
}

/// 1 → 一, 12 → 十二, 21 → 二十一 (up to 99).
pub fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n % 10 == 0 { "" } else { D[n % 10] }),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n % 10 == 0 { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rectification::LongTermStats;

    fn party() -> PlanFigures {
        PlanFigures {
            body: "党组".into(),
            title: "最高检党组巡视整改方案".into(),
            stats: PlanStats {
                total: 87,
                immediate: ClosableStats::default(),
                time_limited: ClosableStats {
                    total: 30,
                    closed: 15,
                    open: 15,
                    overdue: 0,
                },
                long_term: LongTermStats {
                    total: 57,
                    with_staged_results: 57,
                    overdue: 0,
                },
            },
            overdue: vec![],
            levels: vec![],
            departments: vec![],
            deadline_adjusted: 0,
        }
    }

    #[test]
    fn adjusted_deadlines_are_mentioned() {
        let mut p = party();
        p.deadline_adjusted = 2;
        assert_eq!(
            progress_sentences(&p).last().unwrap(),
            "另有2项任务经审批调整了完成时限。"
        );
    }

    #[test]
    fn the_seed_sentences_come_out_of_the_figures() {
        assert_eq!(
            progress_sentences(&party()),
            vec![
                "党组研究确定的87项整改任务中，限期整改的30项已完成15项，正在整改的15项按照时限要求有序推进；对长期整改的57项，均已取得阶段性成效。"
            ]
        );
        let mut d = party();
        d.stats.immediate = ClosableStats {
            total: 17,
            closed: 17,
            open: 0,
            overdue: 0,
        };
        d.stats.time_limited.total = 15;
        d.stats.long_term.total = 17;
        assert_eq!(
            breakdown_sentence(&d),
            "其中，应立行立改的17项，限期整改15项，长期整改17项。"
        );
    }

    #[test]
    fn wording_adapts_to_the_data() {
        let mut p = party();
        p.stats.time_limited = ClosableStats {
            total: 30,
            closed: 30,
            open: 0,
            overdue: 0,
        };
        let s = progress_sentences(&p).join("");
        assert!(s.contains("限期整改的30项已全部完成"), "{s}");
        assert!(
            !s.contains("立行立改"),
            "an empty category is left out: {s}"
        );
        p.stats.time_limited = ClosableStats {
            total: 30,
            closed: 20,
            open: 10,
            overdue: 2,
        };
        p.overdue = vec!["建立检察官惩戒制度".into(), "完善案件评查机制".into()];
        let s = progress_sentences(&p);
        assert!(
            s[0].contains("正在整改10项，其中2项已超过整改时限"),
            "{s:?}"
        );
        assert!(
            s[1].contains("“建立检察官惩戒制度”、“完善案件评查机制”"),
            "{s:?}"
        );
        p.levels = vec![(2, 3, p.stats.clone())];
        assert!(rollup_sentences(&p)[0].contains(
            "省级检察院3个，承担整改任务87项，立行立改和限期整改的30项已完成20项（完成率66.7%）"
        ));
        assert!(rollup_sentences(&party()).is_empty());
    }

    fn round() -> RoundFacts {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        RoundFacts {
            title: "十九届中央第四轮巡视".into(),
            inspector: "中央第四巡视组".into(),
            central: true,
            inspected_from: d("2019-09-09"),
            inspected_to: d("2019-11-25"),
            feedback: d("2020-01-03"),
            org: "最高人民检察院党组".into(),
            own: true,
        }
    }

    #[test]
    fn composition_checks_dates_tasks_and_markup() {
        let draft = Draft {
            body: default_body(Kind::Bulletin),
            contact: "电话010-65200277".into(),
            ..Draft::default()
        };
        let r = round();
        let plans = [party()];
        let extras = Extras::default();
        let mut inp = Inputs {
            kind: Kind::Bulletin,
            draft: &draft,
            round: Some(&r),
            plans: &plans,
            extras: &extras,
            as_of: NaiveDate::from_ymd_opt(2020, 11, 5).unwrap(),
            number: None,
        };
        let doc = compose(&inp).unwrap();
        assert!(doc.generated().iter().any(|g| g.contains("87项")));
        assert!(
            matches!(&doc.blocks[0], Block::Para { spans } if spans[0].text.starts_with("根据中央统一部署"))
        );
        assert!(
            matches!(doc.blocks.last(), Some(Block::Para { spans }) if spans[0].text.contains("010-65200277"))
        );
        inp.as_of = NaiveDate::from_ymd_opt(2019, 12, 1).unwrap();
        assert!(
            compose(&inp)
                .unwrap_err()
                .to_string()
                .contains("早于巡视意见反馈日期")
        );
        inp.as_of = NaiveDate::from_ymd_opt(2020, 11, 5).unwrap();
        let empty = [PlanFigures {
            title: "空方案".into(),
            ..PlanFigures::default()
        }];
        inp.plans = &empty;
        assert!(
            compose(&inp)
                .unwrap_err()
                .to_string()
                .contains("尚无整改任务")
        );
        inp.plans = &plans;
        let bad = Draft {
            body: "一、标题\n<b>加粗没有结束".into(),
            ..Draft::default()
        };
        inp.draft = &bad;
        assert_eq!(
            compose(&inp).unwrap_err().to_string(),
            "第 2 行：<b> 没有对应的 </b>"
        );
        // progress is carried even when the office left the token out
        let plain = Draft {
            body: "一、总体情况\n正文。".into(),
            ..Draft::default()
        };
        inp.draft = &plain;
        let doc = compose(&inp).unwrap();
        assert!(doc.generated().iter().any(|g| g.contains("87项整改任务")));
        let wrong = Draft {
            body: "{{整改进展:3}}".into(),
            ..Draft::default()
        };
        inp.draft = &wrong;
        assert!(
            compose(&inp)
                .unwrap_err()
                .to_string()
                .contains("第 3 个方案不存在")
        );
    }

    #[test]
    fn office_markup_is_checked_and_sanitised() {
        let p = parse_office("（一）从讲政治高度抓整改。党组<b>一致</b>认为<script>alert(1)</script><span style=\"x\">好</span>\n\n1.积极履职。内容\n二十、结尾").unwrap();
        assert_eq!(p.lines.len(), 3);
        assert!(matches!(&p.lines[0], Line::Heading2(_)));
        assert!(matches!(&p.lines[1], Line::Heading3(_)));
        assert!(matches!(&p.lines[2], Line::Heading1(_)));
        assert_eq!(p.removed.len(), 3, "{:?}", p.removed);
        let Line::Heading2(pieces) = &p.lines[0] else {
            panic!()
        };
        let text: String = pieces
            .iter()
            .map(|x| match x {
                Piece::Text(s) => s.text.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(text, "（一）从讲政治高度抓整改。党组一致认为好");
        assert!(parse_office("</b>x").unwrap_err().contains("之前没有 <b>"));
        assert!(
            parse_office("{{不存在}}")
                .unwrap_err()
                .contains("不认识的数据标记")
        );
        assert!(parse_office("{{整改进展").unwrap_err().contains("没有对应"));
        assert!(
            parse_office("文字{{图:部门}}")
                .unwrap_err()
                .contains("单独成行")
        );
        let Block::Heading2 { head, rest } = run_in(
            vec![Span::plain("（一）从讲政治高度抓整改。党组认为")],
            true,
        ) else {
            panic!()
        };
        assert_eq!(head, "（一）从讲政治高度抓整改。");
        assert_eq!(rest[0].text, "党组认为");
    }

    #[test]
    fn numbers_in_chinese() {
        assert_eq!(cn_number(1), "一");
        assert_eq!(cn_number(10), "十");
        assert_eq!(cn_number(12), "十二");
        assert_eq!(cn_number(55), "五十五");
    }
}
