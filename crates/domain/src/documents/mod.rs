//! Official documents (公文): the progress bulletin (整改进展情况通报), the rectification report
//! (整改情况报告), special reports to the superior discipline body (专报) and typical-case batches
//! (典型案例). A document is composed from the office's sections and sentences generated from the
//! data; once published its composition is frozen (stored, never recomputed).
//!
//! The office writes plain text: one paragraph a line; a line starting 一、 is a first-level
//! heading (黑体), （一） a second-level one (楷体, run in up to its first 。), 1. a third-level one
//! (仿宋, run in likewise). `<b>…</b>` marks bold; every other tag is removed (and reported);
//! `{{…}}` inserts generated sentences or charts ([`Token`]).
use crate::rectification::RuleError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

mod business;
mod sentences;
mod signoff;
#[cfg(test)]
mod tests;
mod text;
pub use business::*;
pub use sentences::*;
pub use signoff::*;
pub use text::*;

crate::records::labelled!(Kind {
    Bulletin = "bulletin", "整改进展情况通报";
    Report = "report", "整改情况报告";
    Special = "special", "专报";
    Cases = "cases", "典型案例";
    Violations = "violations", "检察人员违纪违法季度分析报告";
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
    /// The discipline group's quarterly analysis: read only by the discipline line and the
    /// leaders it reports to, marked 机密 (密级) on every rendering.
    pub fn confidential(self) -> bool {
        self == Kind::Violations
    }
    /// Composed from chosen plans (the others: from selected cases, or from the register).
    pub fn uses_plans(self) -> bool {
        matches!(self, Kind::Bulletin | Kind::Report | Kind::Special)
    }
    /// The 密级 printed in the top left corner of the first page ("" for none).
    pub fn marking(self) -> &'static str {
        if self.confidential() { "机密" } else { "" }
    }
}

/// Whether `role` reads documents of confidential kinds: the discipline group and the leaders
/// (the party group it reports to); `None` is the operator on the server's command line.
pub fn reads_confidential(role: Option<crate::org::Role>) -> bool {
    role.is_none_or(|r| matches!(r, crate::org::Role::Discipline | crate::org::Role::Leader))
}

/// Who drafts (and publishes) a document of `kind`: those who manage documents; the
/// confidential analysis only the discipline group.
pub fn may_draft(role: Option<crate::org::Role>, kind: Kind) -> Result<(), RuleError> {
    let Some(r) = role else { return Ok(()) };
    let ok = crate::access::allowed(r, crate::access::Action::ManageDocuments)
        && (!kind.confidential() || r == crate::org::Role::Discipline);
    if ok {
        Ok(())
    } else {
        Err(RuleError::NotPermitted)
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
    /// where what a figure counts is listed (the HTML rendering links it)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Span {
    pub fn plain(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            generated: false,
            link: None,
        }
    }
    pub fn generated(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            generated: true,
            link: None,
        }
    }
    /// A figure from the data, linked to the page that lists what it counts.
    pub fn figure(t: impl Into<String>, link: &str) -> Span {
        Span {
            link: (!link.is_empty()).then(|| link.to_string()),
            ..Span::generated(t)
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
    /// 密级 (机密 for the confidential analysis), printed top left; empty for none
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub marking: String,
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

/// What turns a composition into pictures and pages; implemented by the publish crate, so that
/// the store composes and freezes without linking the typesetter.
pub trait Render: Sync {
    /// The charts a document may place, drawn by the dashboards' chart code.
    fn charts(&self, plans: &[PlanFigures]) -> Vec<(Token, String, String)>;
    /// Bars of two series side by side per row (label, first, second), e.g. this quarter and
    /// the one before.
    fn comparison(&self, title: &str, rows: &[(String, usize, usize)], series: [&str; 2])
    -> String;
    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, String>;
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
             {{系统内巡视}}\n\
             {{干预记录}}\n\
             {{会议学习}}\n\
             三、坚持以人民为中心，推动整改成效惠及人民群众\n\
             {{检察业务}}\n\
             {{典型案例}}\n\
             {{信访}}\n\
             {{案件质量}}\n\
             四、持续深化巡视整改，推动检察工作高质量发展\n\
             {{精文简会}}\n\
             {{专报}}\n\
             巩固、拓展、深化巡视整改成果。\n"
            .into(),
        Kind::Special => "一、整改工作进展\n{{整改进展}}\n二、下一步工作\n".into(),
        Kind::Cases => String::new(),
        Kind::Violations => "一、基本情况\n{{违纪违法}}\n{{图:违纪违法}}\n\
             二、主要特点\n\
             （由纪检监察组结合本季度案件写明违纪违法行为的特点、原因和苗头性问题。）\n\
             三、意见建议\n\
             （写明有针对性的教育、管理、监督措施建议。）\n"
            .into(),
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
    // the opening names the inspection: only for the unit's own round whose inspecting body is
    // known (a plan imported without one has no round to speak of, and no dates to invent)
    let known =
        |r: &&RoundFacts| r.own && !r.inspector.trim().is_empty() && r.inspector != "未注明";
    if let (Some(r), Kind::Bulletin | Kind::Report) = (inp.round.filter(known), inp.kind) {
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
                    // a plan's sentences link to the plan, where its tasks are listed
                    let sentences: Vec<(String, String)> = match *t {
                        Token::Progress(n) => {
                            progress_shown = true;
                            pick(n, "整改进展")?
                                .into_iter()
                                .flat_map(|p| linked(p, progress_sentences(p)))
                                .collect()
                        }
                        Token::Breakdown(n) => {
                            let plans = pick(n, "任务构成")?;
                            // over several plans each sentence names its plan
                            let one = if plans.len() > 1 {
                                named_breakdown_sentence
                            } else {
                                breakdown_sentence
                            };
                            plans
                                .into_iter()
                                .flat_map(|p| linked(p, vec![one(p)]))
                                .collect()
                        }
                        Token::Rollup(n) => pick(n, "分级汇总")?
                            .into_iter()
                            .flat_map(|p| linked(p, rollup_sentences(p)))
                            .collect(),
                        t => {
                            spans.extend(inp.extras.topic(t).iter().cloned());
                            Vec::new()
                        }
                    };
                    spans.extend(sentences.iter().map(|(s, l)| Span::figure(s, l)));
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
        marking: inp.kind.marking().to_string(),
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

/// A plan's sentences with the address of the plan's page.
fn linked(p: &PlanFigures, sentences: Vec<String>) -> Vec<(String, String)> {
    let link = if p.id > 0 {
        format!("/rectification/plans/{}", p.id)
    } else {
        String::new()
    };
    sentences.into_iter().map(|s| (s, link.clone())).collect()
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
        marking: String::new(),
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
