//! The office's plain text: headings, bold, tokens; parsed line by line with what was removed.
use super::*;

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
    /// the violations register's quarter against the quarter before (the desk's analysis)
    Violations,
    /// the procuratorial work of the period: 涉疫 arrests and prosecutions, public-interest
    /// cases, administrative disputes, overdue civil supervision, 认罪认罚 persons
    Business,
    /// internal inspections (系统内巡视) made by the unit, by round and kind
    Inspections,
    /// meetings, collective study sessions and research visits in the registry
    Sessions,
    /// typical-case batches published
    TypicalCases,
    /// special reports (专报) sent
    SpecialReports,
    /// documents issued and meetings held against the year before (精文简会)
    Paperwork,
    /// charts, each on a line of its own
    ChartCategories,
    ChartLevels,
    ChartDepartments,
    ChartViolations,
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
    (
        "检察业务",
        "涉疫犯罪批捕起诉、公益诉讼、行政争议化解、超期民事监督案件办结、认罪认罚人数",
    ),
    ("系统内巡视", "本院开展的系统内巡视（常规、机动、“回头看”）"),
    ("会议学习", "登记的内部会议、集体学习和调研次数"),
    ("典型案例", "发布典型案例的批数和案例数"),
    ("专报", "报送专报的期数（按主送机关）"),
    ("精文简会", "发文、会议数量及同比变化"),
    ("图:整改进展", "图：按类别的完成情况"),
    ("图:分级汇总", "图：按层级的完成情况"),
    ("图:部门", "图：各责任部门的任务灯色"),
    (
        "违纪违法",
        "本季度立案查处检察人员人数及较上季度变化，按层级、类别、处理结果和单位（仅违纪违法季度分析报告）",
    ),
    ("图:违纪违法", "图：各类违纪违法人数，本季度与上季度对比"),
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
            ("违纪违法", None) => Token::Violations,
            ("检察业务", None) => Token::Business,
            ("系统内巡视", None) => Token::Inspections,
            ("会议学习", None) => Token::Sessions,
            ("典型案例", None) => Token::TypicalCases,
            ("专报", None) => Token::SpecialReports,
            ("精文简会", None) => Token::Paperwork,
            ("图:违纪违法" | "图：违纪违法", None) => Token::ChartViolations,
            ("图:整改进展" | "图：整改进展", None) => Token::ChartCategories,
            ("图:分级汇总" | "图：分级汇总", None) => Token::ChartLevels,
            ("图:部门" | "图：部门", None) => Token::ChartDepartments,
            _ => return None,
        })
    }
    pub(crate) fn is_chart(self) -> bool {
        matches!(
            self,
            Token::ChartCategories
                | Token::ChartLevels
                | Token::ChartDepartments
                | Token::ChartViolations
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
                link: None,
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
