//! Official documents through the real tools: poppler (pdftotext, pdffonts, pdftoppm) reads the
//! PDF, headless LibreOffice converts the DOCX.
use chrono::NaiveDate;
use duban_domain::documents::{Block, Document, Kind, Span};
use duban_publish::{chart, docx, official};
use std::process::Command;

fn sample() -> Document {
    let svg = chart::stacked_bars(
        "按类别的完成情况",
        &[chart::Bar {
            label: "限期整改",
            segments: vec![(15, "#2e7d32", "已完成"), (15, "#1565c0", "正在整改")],
        }],
    );
    let mut blocks = vec![
        Block::Para {
            spans: vec![
                Span::plain("根据中央统一部署，"),
                Span::generated("2019年9月9日至2019年11月25日"),
                Span::plain("，中央第四巡视组对最高人民检察院党组开展了巡视。"),
            ],
        },
        Block::Heading1 {
            text: "一、切实抓紧抓实巡视整改政治责任".into(),
        },
        Block::Heading2 {
            head: "（一）从讲政治高度抓整改。".into(),
            rest: vec![Span::plain("党组专门成立巡视整改工作领导小组。")],
        },
        Block::Para {
            spans: vec![Span::generated(
                "党组研究确定的87项整改任务中，限期整改的30项已完成15项，正在整改的15项按照时限要求有序推进；对长期整改的57项，均已取得阶段性成效。",
            )],
        },
        Block::Heading3 {
            head: "1.积极履职助力依法战疫。".into(),
            rest: vec![Span::generated(
                "共批准逮捕涉疫刑事犯罪6480人、起诉8682人。",
            )],
        },
        Block::Chart {
            title: "按类别的完成情况".into(),
            svg,
        },
    ];
    // long enough for a second page (even page number on the left)
    for i in 0..40 {
        blocks.push(Block::Para {
            spans: vec![Span::plain(format!(
                "第{i}段：坚持标本兼治抓整改，把整改扎实融入各项检察工作。"
            ))],
        });
    }
    Document {
        marking: String::new(),
        kind: Kind::Bulletin,
        issuer: "中共最高人民检察院党组".into(),
        doc_no: "高检党〔2020〕12号".into(),
        number: None,
        title: "中共最高人民检察院党组关于十九届中央第四轮巡视整改进展情况的通报".into(),
        recipient: String::new(),
        blocks,
        signature: "中共最高人民检察院党组".into(),
        date: NaiveDate::from_ymd_opt(2020, 11, 5).unwrap(),
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/install-deps.sh installs it)"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pdf_carries_every_generated_figure_with_fonts_embedded() {
    let doc = sample();
    let pdf = official::pdf(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulletin.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = squeeze(&run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")));
    for g in doc.generated() {
        assert!(text.contains(&squeeze(g)), "{g} not in the PDF text");
    }
    for fixed in [
        "中共最高人民检察院党组",
        "高检党〔2020〕12号",
        "2020年11月5日",
        "—1—",
        "—2—",
    ] {
        assert!(text.contains(fixed), "{fixed} not in the PDF text");
    }
    // A4
    let info = run(Command::new("pdfinfo").arg(&path));
    assert!(info.contains("595.") && info.contains("841."), "{info}");
    let fonts = run(Command::new("pdffonts").arg(&path));
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for r in &rows {
        // columns: name type encoding emb sub uni object
        let cols: Vec<&str> = r.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {r}");
    }
    let png = dir.path().join("page");
    run(Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(&png));
    let rendered = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".png"))
        .expect("page 1 rendered");
    assert!(std::fs::metadata(rendered.path()).unwrap().len() > 1000);
}

#[test]
fn docx_converts_under_libreoffice_with_the_same_text() {
    let doc = sample();
    let bytes = docx::docx(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulletin.docx");
    std::fs::write(&path, &bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    run(Command::new("libreoffice")
        .args([
            "--headless",
            "--norestore",
            &profile,
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&path));
    let pdf = dir.path().join("bulletin.pdf");
    assert!(pdf.exists(), "LibreOffice wrote no PDF");
    let text = squeeze(&run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")));
    for g in doc.generated() {
        assert!(text.contains(&squeeze(g)), "{g} not in the DOCX's PDF");
    }
    assert!(text.contains("高检党〔2020〕12号"));
    // the chart is a picture (rasterised from its SVG), and LibreOffice draws it in the PDF
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name("word/media/chart1.png").unwrap(), &mut png).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "{} bytes",
        png.len()
    );
    let images = run(Command::new("pdfimages").arg("-list").arg(&pdf));
    assert!(
        images.lines().count() >= 3,
        "no picture in the DOCX's PDF: {images}"
    );
    assert!(text.contains("图1") && !text.contains("（图："), "{text}");
}

#[test]
fn html_and_text_carry_the_figures() {
    let doc = sample();
    let h = official::html(&doc);
    let t = official::text(&doc);
    for g in doc.generated() {
        assert!(h.contains(g) && t.contains(g), "{g}");
    }
    assert!(h.contains("<h2>一、切实抓紧抓实巡视整改政治责任</h2>"));
    assert!(h.contains("<figure><svg"));
    assert!(h.contains("<time datetime=\"2020-11-05\">2020年11月5日</time>"));
    let mut evil = doc.clone();
    evil.title = "<script>alert(1)</script>".into();
    assert!(official::html(&evil).contains("&lt;script&gt;"));
}

#[test]
fn the_confidential_analysis_is_marked_on_every_rendering() {
    let doc = Document {
        kind: Kind::Violations,
        marking: Kind::Violations.marking().into(),
        ..sample()
    };
    let pdf = official::pdf(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("analysis.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = run(Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-l", "1"])
        .arg(&path)
        .arg("-"));
    assert_eq!(
        text.split_whitespace().next(),
        Some("机密"),
        "the marking opens the first page: {text}"
    );
    let bytes = docx::docx(&doc).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let first = xml.find("机密").expect("the DOCX carries the marking");
    assert!(first < xml.find(&doc.title).unwrap(), "before the title");
    assert!(official::html(&doc).contains("<p class=\"secret\">机密</p>"));
    assert!(official::text(&doc).starts_with("机密\n"));
    // an ordinary document carries none
    assert!(!official::html(&sample()).contains("secret"));
}
