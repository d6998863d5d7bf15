//! DOCX of an official document, with the GB/T 9704 page and named styles (标题, 一级标题,
//! 二级标题, 正文) so that the office can keep editing it in Word or WPS. Fonts are named as
//! those offices have them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); Word and WPS fall back
//! where one is missing. Charts are pictures (PNG, rasterised from the same SVG the PDF and HTML
//! draw) with their titles as captions; without the fonts to draw them, the title alone.
use duban_domain::documents::{Block, Document, Kind, Span};
use std::io::Write;

const TWIPS_PER_MM: f64 = 1440.0 / 25.4;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn run(text: &str, bold: bool, style: Option<&str>) -> String {
    let mut props = String::new();
    if let Some(s) = style {
        props.push_str(&format!("<w:rStyle w:val=\"{s}\"/>"));
    }
    if bold {
        props.push_str("<w:b/>");
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{props}</w:rPr>")
    };
    format!(
        "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

fn para(style: &str, runs: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{runs}</w:p>")
}

fn spans(s: &[Span]) -> String {
    s.iter().map(|x| run(&x.text, x.bold, None)).collect()
}

/// A chart as a PNG picture in the document: its relationship id and its size in EMU.
struct Picture {
    rid: String,
    png: Vec<u8>,
    cx: i64,
    cy: i64,
}

/// The text block's width (210 mm less the margins) in EMU (36,000 a millimetre).
const TEXT_WIDTH_EMU: i64 = (210 - 28 - 26) * 36_000;
/// Pixels across a chart's picture.
const CHART_PX: u32 = 1280;

fn picture(svg: &str, n: usize) -> Option<Picture> {
    let png = duban_typeset::png(svg, CHART_PX).ok()?;
    // the height from the PNG's header (IHDR: width and height, big-endian, at bytes 16 and 20)
    let h = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some(Picture {
        rid: format!("rIdChart{n}"),
        cx: TEXT_WIDTH_EMU,
        cy: TEXT_WIDTH_EMU * i64::from(h) / i64::from(CHART_PX),
        png,
    })
}

fn drawing(p: &Picture, n: usize, title: &str) -> String {
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/>\
<wp:docPr id=\"{n}\" name=\"图{n}\" descr=\"{t}\"/><a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"chart{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>\
</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>",
        cx = p.cx,
        cy = p.cy,
        rid = p.rid,
        t = esc(title),
    )
}

fn document_xml(doc: &Document, pictures: &[Option<Picture>]) -> String {
    let mut b = String::new();
    // 密级, top left in 黑体 (the first-level heading's face)
    if !doc.marking.is_empty() {
        b.push_str(&para("Secret", &run(&doc.marking, false, None)));
    }
    let mark = match doc.kind {
        Kind::Special => "专报",
        Kind::Cases => "典型案例",
        _ => &doc.issuer,
    };
    if !mark.is_empty() {
        b.push_str(&para("Mark", &run(mark, false, None)));
    }
    let no = match (doc.number_text(), doc.kind) {
        (Some(n), Kind::Special | Kind::Cases) => {
            format!("{}　　{n}　　{}", doc.issuer, doc.date_text())
        }
        (Some(n), _) => n,
        (None, _) => doc.doc_no.clone(),
    };
    if !mark.is_empty() || !no.is_empty() {
        // the red rule is the bottom border of this paragraph
        b.push_str(&para("DocNo", &run(&no, false, None)));
    }
    b.push_str(&para("DocTitle", &run(&doc.title, false, None)));
    if !doc.recipient.is_empty() {
        b.push_str(&para(
            "Recipient",
            &run(&format!("{}：", doc.recipient), false, None),
        ));
    }
    let mut charts = 0;
    for blk in &doc.blocks {
        b.push_str(&match blk {
            Block::Heading1 { text } => para("Heading1", &run(text, false, None)),
            Block::Heading2 { head, rest } => {
                para("BodyText", &(run(head, false, Some("Kai")) + &spans(rest)))
            }
            Block::Heading3 { head, rest } => {
                para("BodyText", &(run(head, true, None) + &spans(rest)))
            }
            Block::Para { spans: s } => para("BodyText", &spans(s)),
            Block::Chart { title, .. } => {
                charts += 1;
                match pictures.get(charts - 1).and_then(Option::as_ref) {
                    Some(p) => {
                        para("Caption", &drawing(p, charts, title))
                            + &para(
                                "Caption",
                                &run(&format!("图{charts}　{title}"), false, None),
                            )
                    }
                    None => para("Caption", &run(&format!("（图：{title}）"), false, None)),
                }
            }
        });
    }
    if !matches!(doc.kind, Kind::Special | Kind::Cases) {
        let sig = if doc.signature.is_empty() {
            &doc.issuer
        } else {
            &doc.signature
        };
        b.push_str(&para("BodyText", ""));
        b.push_str(&para("Signature", &run(sig, false, None)));
        b.push_str(&para("Signature", &run(&doc.date_text(), false, None)));
    }
    let mm = |v: f64| (v * TWIPS_PER_MM).round() as i64;
    let line_pitch = mm(225.0) / 22;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{b}\
<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdEven\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" w:header=\"851\" w:footer=\"{footer}\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{line_pitch}\"/></w:sectPr></w:body></w:document>",
        top = mm(37.0),
        right = mm(26.0),
        bottom = mm(35.0),
        left = mm(28.0),
        footer = mm(35.0 - 7.0 - 5.0),
    )
}

fn font(east_asia: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{east_asia}\" w:cs=\"Times New Roman\"/>"
    )
}

fn styles_xml() -> String {
    let exact = ((225.0 * TWIPS_PER_MM) / 22.0).round() as i64; // 22 lines to the page
    let p = |id: &str, name: &str, ppr: &str, rpr: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    };
    let indent = "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>";
    let spacing = format!(
        "<w:spacing w:line=\"{exact}\" w:lineRule=\"exact\" w:before=\"0\" w:after=\"0\"/>"
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>{fang}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr>{spacing}<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
{body}{secret}{mark}{docno}{title}{to}{h1}{cap}{sig}\
<w:style w:type=\"character\" w:styleId=\"Kai\"><w:name w:val=\"二级标题（楷体）\"/><w:rPr>{kai}</w:rPr></w:style>\
</w:styles>",
        fang = font("仿宋_GB2312"),
        kai = font("楷体_GB2312"),
        body = p("BodyText", "正文", indent, ""),
        secret = p("Secret", "密级", "", &font("黑体")),
        mark = p(
            "Mark",
            "发文机关标志",
            "<w:jc w:val=\"center\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\" w:after=\"240\"/>",
            &format!(
                "{}<w:color w:val=\"E60012\"/><w:sz w:val=\"60\"/><w:szCs w:val=\"60\"/>",
                font("方正小标宋简体")
            )
        ),
        docno = p(
            "DocNo",
            "发文字号",
            "<w:jc w:val=\"center\"/><w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"8\" w:color=\"E60012\"/></w:pBdr><w:spacing w:after=\"580\"/>",
            ""
        ),
        title = p(
            "DocTitle",
            "标题",
            &format!(
                "<w:jc w:val=\"center\"/><w:spacing w:line=\"{exact}\" w:lineRule=\"exact\" w:after=\"{exact}\"/>"
            ),
            &format!(
                "{}<w:b/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>",
                font("方正小标宋简体")
            )
        ),
        to = p("Recipient", "主送机关", "", ""),
        h1 = p("Heading1", "一级标题（黑体）", indent, &font("黑体")),
        cap = p(
            "Caption",
            "图题",
            "<w:jc w:val=\"center\"/>",
            &font("楷体_GB2312")
        ),
        sig = p(
            "Signature",
            "署名和成文日期",
            "<w:jc w:val=\"right\"/><w:ind w:right=\"1280\"/>",
            ""
        ),
    )
}

fn footer_xml(align: &str) -> String {
    // — 1 —, 4号 (14 pt) Song, odd pages right and even pages left
    let r = |t: &str| {
        format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/></w:rPr>{t}</w:r>"
        )
    };
    let (l, rr) = if align == "right" {
        ("0", "280")
    } else {
        ("280", "0")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"{align}\"/><w:ind w:left=\"{l}\" w:right=\"{rr}\"/></w:pPr>\
{}{}{}{}{}</w:p></w:ftr>",
        r("<w:t xml:space=\"preserve\">— </w:t>"),
        r("<w:fldChar w:fldCharType=\"begin\"/>"),
        r("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
        r("<w:fldChar w:fldCharType=\"end\"/>"),
        r("<w:t xml:space=\"preserve\"> —</w:t>"),
    )
}

/// The DOCX bytes of a document.
pub fn docx(doc: &Document) -> Result<Vec<u8>, std::io::Error> {
    let pictures: Vec<Option<Picture>> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Chart { svg, .. } => Some(svg),
            _ => None,
        })
        .enumerate()
        .map(|(i, svg)| picture(svg, i + 1))
        .collect();
    let image_rels: String = pictures
        .iter()
        .flatten()
        .map(|p| {
            format!(
                "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/chart{}.png\"/>",
                p.rid,
                p.rid.trim_start_matches("rIdChart")
            )
        })
        .collect();
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let files: [(&str, String); 8] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>".into(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>".into(),
        ),
        (
            "docProps/core.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:language>zh-CN</dc:language></cp:coreProperties>",
                esc(&doc.title)
            ),
        ),
        (
            "word/_rels/document.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/><Relationship Id=\"rIdOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/><Relationship Id=\"rIdEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>{image_rels}</Relationships>"),
        ),
        (
            "word/settings.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:mirrorMargins/><w:evenAndOddHeaders/><w:defaultTabStop w:val=\"420\"/></w:settings>".into(),
        ),
        ("word/styles.xml", styles_xml()),
        ("word/footer1.xml", footer_xml("right")),
        ("word/footer2.xml", footer_xml("left")),
    ];
    for (name, body) in files {
        z.start_file(name, opts).map_err(std::io::Error::other)?;
        z.write_all(body.as_bytes())?;
    }
    z.start_file("word/document.xml", opts)
        .map_err(std::io::Error::other)?;
    z.write_all(document_xml(doc, &pictures).as_bytes())?;
    for p in pictures.iter().flatten() {
        let n = p.rid.trim_start_matches("rIdChart");
        z.start_file(format!("word/media/chart{n}.png"), opts)
            .map_err(std::io::Error::other)?;
        z.write_all(&p.png)?;
    }
    z.finish().map_err(std::io::Error::other)?;
    Ok(buf.into_inner())
}
