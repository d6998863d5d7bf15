//! Official documents (公文) rendered from a composed [`Document`]: PDF laid out per
//! GB/T 9704-2012 (through typst), accessible HTML, and plain text. DOCX is in `docx`.
use crate::chart::Bar;
use duban_domain::documents::{
    Block, Document, Kind, PlanFigures, Render, Span, Token, level_name,
};
use duban_typeset::{Faces, string_literal as lit};

/// The GB/T 9704 page: A4, 37 mm top, 28 mm binding (inside) margin, a 156 × 225 mm text block,
/// 22 lines of 28 characters in 3号 (16 pt) 仿宋.
pub const TEXT_WIDTH_MM: f64 = 156.0;
pub const TEXT_HEIGHT_MM: f64 = 225.0;
pub const LINES: f64 = 22.0;
pub const CHARS: f64 = 28.0;

fn mm_to_pt(mm: f64) -> f64 {
    mm * 72.0 / 25.4
}

fn spans(out: &mut String, spans: &[Span]) {
    for s in spans {
        if s.bold {
            out.push_str(&format!("#text(weight: \"bold\", {})", lit(&s.text)));
        } else {
            out.push_str(&format!("#{}", lit(&s.text)));
        }
    }
}

/// The typst markup of a document.
pub fn typst_source(doc: &Document, f: &Faces) -> String {
    let size = 16.0; // 3号
    let pitch = mm_to_pt(TEXT_HEIGHT_MM) / LINES; // 28.99 pt a line
    let tracking = mm_to_pt(TEXT_WIDTH_MM) / CHARS - size; // 28 characters fill the line
    let leading = pitch - size;
    let mut s = String::new();
    s.push_str(&format!(
        "#set document(title: {title})\n\
         #set page(paper: \"a4\", margin: (top: 37mm, bottom: {bottom}mm, inside: 28mm, outside: {outside}mm), binding: left,\n\
           footer-descent: 7mm,\n\
           footer: context {{\n\
             let n = counter(page).get().first()\n\
             let s = text(font: {song}, size: 14pt, [— #n —])\n\
             if calc.odd(n) {{ align(right, pad(right: 1em, s)) }} else {{ align(left, pad(left: 1em, s)) }}\n\
           }})\n\
         #set text(font: {fang}, size: {size}pt, lang: \"zh\", region: \"cn\", cjk-latin-spacing: none, tracking: {tracking:.3}pt, top-edge: 0.88em, bottom-edge: -0.12em)\n\
         #set par(justify: true, leading: {leading:.3}pt, spacing: {leading:.3}pt, first-line-indent: (amount: 2em, all: true))\n",
        title = lit(&doc.title),
        bottom = 297.0 - 37.0 - TEXT_HEIGHT_MM,
        outside = 210.0 - 28.0 - TEXT_WIDTH_MM,
        song = lit(&f.title),
        fang = lit(&f.fang),
    ));
    let red = "rgb(\"#e60012\")";
    // 密级: top left, 3号黑体, above the 版头
    if !doc.marking.is_empty() {
        s.push_str(&format!(
            "#par(first-line-indent: 0em, text(font: {}, {}))\n",
            lit(&f.hei),
            lit(&doc.marking)
        ));
    }
    // 版头: the issuing body's mark in red, the 发文字号 or the number, the red rule
    let mark = match doc.kind {
        Kind::Special => "专报".to_string(),
        Kind::Cases => "典型案例".to_string(),
        _ => doc.issuer.clone(),
    };
    if !mark.is_empty() {
        s.push_str(&format!(
            "#align(center, text(font: {}, weight: \"bold\", size: 30pt, fill: {red}, tracking: 0.1em, {}))\n#v({pitch:.2}pt)\n",
            lit(&f.title),
            lit(&mark)
        ));
    }
    let mut no_line = doc.doc_no.clone();
    if let Some(n) = doc.number_text() {
        no_line = if matches!(doc.kind, Kind::Special | Kind::Cases) {
            format!("{}　　{n}　　{}", doc.issuer, doc.date_text())
        } else {
            n
        };
    }
    if !no_line.is_empty() {
        s.push_str(&format!(
            "#align(center, par(first-line-indent: 0em, {}))\n",
            lit(&no_line)
        ));
    }
    if !mark.is_empty() || !no_line.is_empty() {
        s.push_str(&format!(
            "#v(-{h:.2}pt)\n#line(length: 100%, stroke: 1.2pt + {red})\n#v({pitch:.2}pt)\n",
            h = leading / 2.0
        ));
    }
    // the title: 2号 (22 pt) 小标宋, or Song bold
    s.push_str(&format!(
        "#align(center, block(width: 100%, text(font: {}, weight: \"bold\", size: 22pt, tracking: 0pt, par(first-line-indent: 0em, leading: 12pt, {}))))\n#v({pitch:.2}pt)\n",
        lit(&f.title),
        lit(&doc.title)
    ));
    if !doc.recipient.is_empty() {
        s.push_str(&format!(
            "#par(first-line-indent: 0em, {})\n",
            lit(&format!("{}：", doc.recipient))
        ));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading1 { text } => s.push_str(&format!(
                "#par(text(font: {}, {}))\n",
                lit(&f.hei),
                lit(text)
            )),
            Block::Heading2 { head, rest } => {
                s.push_str(&format!("#par[#text(font: {}, {})", lit(&f.kai), lit(head)));
                spans(&mut s, rest);
                s.push_str("]\n");
            }
            Block::Heading3 { head, rest } => {
                s.push_str(&format!("#par[#text(weight: \"bold\", {})", lit(head)));
                spans(&mut s, rest);
                s.push_str("]\n");
            }
            Block::Para { spans: sp } => {
                s.push_str("#par[");
                spans(&mut s, sp);
                s.push_str("]\n");
            }
            Block::Chart { title, svg } => s.push_str(&format!(
                // the chart draws its own title
                "#align(center, block(breakable: false, image(bytes({}), format: \"svg\", width: 100%, alt: {})))\n",
                lit(svg),
                lit(title),
            )),
        }
    }
    // 发文机关署名 and 成文日期, right, four characters in from the edge
    s.push_str(&format!("#v({pitch:.2}pt)\n"));
    let sig = if doc.signature.is_empty() {
        &doc.issuer
    } else {
        &doc.signature
    };
    if !matches!(doc.kind, Kind::Special | Kind::Cases) {
        s.push_str(&format!(
            "#align(right, block(inset: (right: 4em), align(center, [#{}\\ #{}])))\n",
            lit(sig),
            lit(&doc.date_text())
        ));
    }
    s
}

/// The PDF of a document, with its fonts embedded.
pub fn pdf(doc: &Document) -> Result<Vec<u8>, duban_typeset::Error> {
    let faces = duban_typeset::faces()?;
    duban_typeset::pdf(&typst_source(doc, &faces))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            let t = esc(&s.text);
            match (s.bold, s.generated, &s.link) {
                (true, ..) => format!("<strong>{t}</strong>"),
                // only the application's own pages: a frozen document never links elsewhere
                (false, true, Some(l))
                    if l.starts_with('/')
                        && !l.starts_with("//")
                        && !l.contains(['\\', ' ', '\t', '\r', '\n']) =>
                {
                    format!("<a class=\"data\" href=\"{}\">{t}</a>", esc(l))
                }
                (false, true, _) => format!("<span class=\"data\">{t}</span>"),
                _ => t,
            }
        })
        .collect()
}

/// The document as an accessible HTML fragment (an `<article>`): headings as headings, charts as
/// figures with captions, the date in a `<time>`.
pub fn html(doc: &Document) -> String {
    let mut h = String::from("<article class=\"gongwen\" lang=\"zh-CN\">\n<header>\n");
    if !doc.marking.is_empty() {
        h.push_str(&format!("<p class=\"secret\">{}</p>\n", esc(&doc.marking)));
    }
    let mark = match doc.kind {
        Kind::Special => "专报",
        Kind::Cases => "典型案例",
        _ => &doc.issuer,
    };
    if !mark.is_empty() {
        h.push_str(&format!("<p class=\"mark\">{}</p>\n", esc(mark)));
    }
    let no = doc.number_text().unwrap_or_else(|| doc.doc_no.clone());
    if !no.is_empty() {
        h.push_str(&format!("<p class=\"docno\">{}</p>\n", esc(&no)));
    }
    h.push_str(&format!("<h1>{}</h1>\n</header>\n", esc(&doc.title)));
    if !doc.recipient.is_empty() {
        h.push_str(&format!("<p class=\"to\">{}：</p>\n", esc(&doc.recipient)));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading1 { text } => h.push_str(&format!("<h2>{}</h2>\n", esc(text))),
            Block::Heading2 { head, rest } => h.push_str(&format!(
                "<p><strong class=\"h3\">{}</strong>{}</p>\n",
                esc(head),
                html_spans(rest)
            )),
            Block::Heading3 { head, rest } => h.push_str(&format!(
                "<p><strong class=\"h4\">{}</strong>{}</p>\n",
                esc(head),
                html_spans(rest)
            )),
            Block::Para { spans } => h.push_str(&format!("<p>{}</p>\n", html_spans(spans))),
            // the chart code escapes its own text
            Block::Chart { title, svg } => h.push_str(&format!(
                "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
                esc(title)
            )),
        }
    }
    let sig = if doc.signature.is_empty() {
        &doc.issuer
    } else {
        &doc.signature
    };
    h.push_str(&format!(
        "<footer><p class=\"sig\">{}</p><p class=\"date\"><time datetime=\"{}\">{}</time></p></footer>\n</article>\n",
        esc(sig),
        doc.date,
        esc(&doc.date_text())
    ));
    h
}

/// A whole HTML page around [`html`], for `--format html`.
pub fn html_page(doc: &Document) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{}</style></head><body>\n{}</body></html>\n",
        esc(&doc.title),
        HTML_STYLE,
        html(doc)
    )
}

/// The look of a document on screen, shared by the public pages.
pub const HTML_STYLE: &str = ".gongwen{max-width:42em;margin:1em auto;font-family:FangSong,STFangsong,'FandolFang',serif;font-size:1.15em;line-height:1.9}\
.gongwen .mark{color:#e60012;text-align:center;font-size:2em;font-weight:bold;margin:0}\
.gongwen .docno{text-align:center;border-bottom:2px solid #e60012;padding-bottom:.5em}\
.gongwen h1{text-align:center;font-family:'Noto Serif CJK SC',SimSun,serif;font-size:1.6em}\
.gongwen h2{font-family:SimHei,'Noto Sans CJK SC',sans-serif;font-size:1em;font-weight:normal;text-indent:2em}\
.gongwen p{text-indent:2em;margin:0}.gongwen .to,.gongwen .mark,.gongwen .docno,.gongwen .secret{text-indent:0}\
.gongwen .secret{font-family:SimHei,'Noto Sans CJK SC',sans-serif}\
.gongwen .h3{font-family:KaiTi,STKaiti,serif;font-weight:normal}\
.gongwen figure{text-align:center;margin:1em 0}.gongwen figure svg{max-width:100%;height:auto}\
.gongwen footer{text-align:right;margin-top:2em}.gongwen footer p{text-indent:0}\
.gongwen a.data{color:inherit;text-decoration:underline dotted #8c959f;text-underline-offset:.2em}\
.gongwen a.data:hover,.gongwen a.data:focus{color:#0550ae;text-decoration-color:currentColor}";

/// Plain text: title, paragraphs indented by two full-width spaces, signature and date.
pub fn text(doc: &Document) -> String {
    let mut t = String::new();
    if !doc.marking.is_empty() {
        t.push_str(&format!("{}\n", doc.marking));
    }
    let no = doc.number_text().unwrap_or_else(|| doc.doc_no.clone());
    if !no.is_empty() {
        t.push_str(&format!("{no}\n"));
    }
    t.push_str(&format!("{}\n\n", doc.title));
    if !doc.recipient.is_empty() {
        t.push_str(&format!("{}：\n", doc.recipient));
    }
    let join = |s: &[Span]| s.iter().map(|x| x.text.as_str()).collect::<String>();
    for b in &doc.blocks {
        match b {
            Block::Heading1 { text } => t.push_str(&format!("　　{text}\n")),
            Block::Heading2 { head, rest } | Block::Heading3 { head, rest } => {
                t.push_str(&format!("　　{head}{}\n", join(rest)))
            }
            Block::Para { spans } => t.push_str(&format!("　　{}\n", join(spans))),
            Block::Chart { title, .. } => t.push_str(&format!("　　（图：{title}）\n")),
        }
    }
    let sig = if doc.signature.is_empty() {
        &doc.issuer
    } else {
        &doc.signature
    };
    t.push_str(&format!("\n{sig}\n{}\n", doc.date_text()));
    t
}

/// The renderer the store calls: charts by the dashboards' chart code, PDF by typst.
pub struct Official;

const CLOSED: &str = "#1a7f37";
const OPEN: &str = "#8c959f";
const RED: &str = "#b3261e";
const YELLOW: &str = "#d4a72c";
const STAGED: &str = "#0969da";

impl Render for Official {
    fn charts(&self, plans: &[PlanFigures]) -> Vec<(Token, String, String)> {
        let mut out = Vec::new();
        // progress by category, one bar per plan and category
        let names: Vec<[String; 3]> = (1..=plans.len())
            .map(|i| {
                let pre = if plans.len() > 1 {
                    format!("{i}·")
                } else {
                    String::new()
                };
                [
                    format!("{pre}立行立改"),
                    format!("{pre}限期整改"),
                    format!("{pre}长期整改"),
                ]
            })
            .collect();
        let mut bars = Vec::new();
        for (p, n) in plans.iter().zip(&names) {
            bars.extend(crate::chart::category_bars(
                &p.stats,
                [&n[0], &n[1], &n[2]],
                &[
                    ("已完成", CLOSED),
                    ("正在整改", OPEN),
                    ("逾期", RED),
                    ("取得阶段性成效", STAGED),
                ],
            ));
        }
        let title = "整改任务完成情况（按类别）";
        out.push((
            Token::ChartCategories,
            title.to_string(),
            crate::chart::stacked_bars(title, &bars),
        ));
        // roll-up by level
        let level_names: Vec<String> = plans
            .iter()
            .flat_map(|p| {
                p.levels
                    .iter()
                    .map(move |(l, n, _)| format!("{}（{n}个）", level_name(*l)))
            })
            .collect();
        let mut bars = Vec::new();
        for (p, name) in plans.iter().flat_map(|p| p.levels.iter()).zip(&level_names) {
            let s = &p.2;
            let closed = s.immediate.closed + s.time_limited.closed;
            let overdue = s.immediate.overdue + s.time_limited.overdue + s.long_term.overdue;
            bars.push(Bar {
                label: name,
                segments: vec![
                    (closed, CLOSED, "已完成"),
                    (s.total.saturating_sub(closed + overdue), OPEN, "正在整改"),
                    (overdue, RED, "逾期"),
                ],
            });
        }
        if !bars.is_empty() {
            let title = "下发整改任务完成情况（按层级）";
            out.push((
                Token::ChartLevels,
                title.to_string(),
                crate::chart::stacked_bars(title, &bars),
            ));
        }
        // lights of open tasks by lead department
        let depts: Vec<&(String, usize, usize, usize)> =
            plans.iter().flat_map(|p| p.departments.iter()).collect();
        let bars: Vec<Bar> = depts
            .iter()
            .map(|(d, g, y, r)| Bar {
                label: d,
                segments: vec![
                    (*g, CLOSED, "绿灯"),
                    (*y, YELLOW, "黄灯"),
                    (*r, RED, "红灯"),
                ],
            })
            .collect();
        if !bars.is_empty() {
            let title = "未完成任务灯色（按牵头部门）";
            out.push((
                Token::ChartDepartments,
                title.to_string(),
                crate::chart::stacked_bars(title, &bars),
            ));
        }
        out
    }

    fn comparison(
        &self,
        title: &str,
        rows: &[(String, usize, usize)],
        series: [&str; 2],
    ) -> String {
        let labels: Vec<[String; 2]> = rows
            .iter()
            .map(|(l, ..)| [format!("{l}·{}", series[0]), format!("{l}·{}", series[1])])
            .collect();
        let mut bars = Vec::new();
        for ((_, a, b), [la, lb]) in rows.iter().zip(&labels) {
            bars.push(Bar {
                label: la,
                segments: vec![(*a, RED, series[0])],
            });
            bars.push(Bar {
                label: lb,
                segments: vec![(*b, OPEN, series[1])],
            });
        }
        crate::chart::stacked_bars(title, &bars)
    }

    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, String> {
        pdf(doc).map_err(|e| e.to_string())
    }
}
