//! Typesetting: typst markup in, PDF out. Its own crate so that typst's long clean build stays
//! cached while the rest of the workspace changes.
//!
//! Fonts come from Debian packages, found at run time: Fandol (宋/黑/楷/仿宋, package
//! `texlive-lang-chinese`) first, Noto CJK (`fonts-noto-cjk`) otherwise. [`Faces`] tells the
//! markup which family plays which part, so documents name roles, not files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use typst::foundations::Bytes;
use typst::layout::PagedDocument;
use typst::text::Font;
use typst_as_lib::TypstEngine;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "未找到中文字体：请安装 Debian 软件包 texlive-lang-chinese（Fandol 宋/黑/楷/仿宋）或 fonts-noto-cjk（scripts/install-deps.sh 会安装）；或用 DUBAN_FONT_DIR 指定含这些字体的目录"
    )]
    NoFonts,
    #[error("排版失败：{0}")]
    Typeset(String),
}

/// The font family that plays each part of a GB/T 9704 document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Faces {
    /// 小标宋 where present, else Song (set bold by the markup).
    pub title: String,
    /// 仿宋: the body.
    pub fang: String,
    /// 黑体: first-level headings.
    pub hei: String,
    /// 楷体: second-level headings.
    pub kai: String,
    /// The package the fonts came from, for the operator.
    pub package: &'static str,
}

struct Loaded {
    fonts: Vec<Font>,
    faces: Faces,
    /// the directory the fonts came from (for the rasteriser's own font database)
    dir: PathBuf,
}

static LOADED: OnceLock<Result<Loaded, ()>> = OnceLock::new();

const FANDOL: &str = "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol";
const NOTO: &str = "/usr/share/fonts/opentype/noto";

fn read_dir_fonts(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<Font> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let lower = name.to_ascii_lowercase();
            (lower.ends_with(".otf") || lower.ends_with(".ttf") || lower.ends_with(".ttc"))
                && keep(name)
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect()
}

fn load() -> Result<Loaded, ()> {
    // the operator's choice is the only place looked at
    if let Some(dir) = std::env::var_os("DUBAN_FONT_DIR") {
        let fonts = read_dir_fonts(Path::new(&dir), |_| true);
        return faces_of(&fonts)
            .map(|faces| Loaded {
                fonts,
                faces,
                dir: dir.into(),
            })
            .ok_or(());
    }
    let fonts = read_dir_fonts(Path::new(FANDOL), |n| !n.contains("Braille"));
    if let Some(faces) = faces_of(&fonts) {
        return Ok(Loaded {
            fonts,
            faces,
            dir: FANDOL.into(),
        });
    }
    let fonts = read_dir_fonts(Path::new(NOTO), |n| n.contains("CJK"));
    faces_of(&fonts)
        .map(|faces| Loaded {
            fonts,
            faces,
            dir: NOTO.into(),
        })
        .ok_or(())
}

/// The exact family name of the first font whose family starts with `prefix` (Fandol's families
/// are named like "FandolFang R").
fn family(fonts: &[Font], prefix: &str) -> Option<String> {
    fonts
        .iter()
        .map(|f| f.info().family.clone())
        .find(|f| f.starts_with(prefix))
}

fn faces_of(fonts: &[Font]) -> Option<Faces> {
    if let (Some(fang), Some(hei), Some(song)) = (
        family(fonts, "FandolFang"),
        family(fonts, "FandolHei"),
        family(fonts, "FandolSong"),
    ) {
        return Some(Faces {
            title: song,
            kai: family(fonts, "FandolKai").unwrap_or_else(|| fang.clone()),
            fang,
            hei,
            package: "texlive-lang-chinese",
        });
    }
    if let (Some(serif), Some(sans)) = (
        family(fonts, "Noto Serif CJK SC"),
        family(fonts, "Noto Sans CJK SC"),
    ) {
        return Some(Faces {
            title: serif.clone(),
            fang: serif.clone(),
            hei: sans,
            kai: serif,
            package: "fonts-noto-cjk",
        });
    }
    None
}

fn loaded() -> Result<&'static Loaded, Error> {
    LOADED
        .get_or_init(load)
        .as_ref()
        .map_err(|_| Error::NoFonts)
}

/// The faces the markup should name; an error naming the package when no CJK font is installed.
pub fn faces() -> Result<Faces, Error> {
    loaded().map(|l| l.faces.clone())
}

/// Typesets `source` (typst markup) into a PDF with the fonts embedded. `when` is the
/// document's date as the PDF records it, so that the same source always gives the same bytes.
pub fn pdf(source: &str) -> Result<Vec<u8>, Error> {
    let l = loaded()?;
    let engine = TypstEngine::builder()
        .main_file(source.to_owned())
        .fonts(l.fonts.iter().cloned())
        .build();
    let doc: PagedDocument = engine
        .compile()
        .output
        .map_err(|e| Error::Typeset(e.to_string()))?;
    let options = typst_pdf::PdfOptions::default();
    typst_pdf::pdf(&doc, &options).map_err(|e| {
        Error::Typeset(
            e.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

static RASTER_FONTS: OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();

/// A PNG of an SVG drawing (a chart), `width` pixels wide on white, its text in the documents'
/// sans-serif face (黑体), for the DOCX, which Word and WPS show without SVG support.
pub fn png(svg: &str, width: u32) -> Result<Vec<u8>, Error> {
    use resvg::{tiny_skia, usvg};
    let l = loaded()?;
    let fonts = RASTER_FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_fonts_dir(&l.dir);
        std::sync::Arc::new(db)
    });
    let options = usvg::Options {
        fontdb: fonts.clone(),
        font_family: l.faces.hei.clone(),
        ..usvg::Options::default()
    };
    let bad = |e: String| Error::Typeset(format!("图表：{e}"));
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| bad(e.to_string()))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or_else(|| bad("尺寸无效".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| bad(e.to_string()))
}

/// A string as a typst string literal (quotes and escapes), for text placed inside markup code.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_typesets_with_embedded_fonts() {
        let f = faces().expect("a CJK font package is installed");
        let src = format!(
            "#set page(paper: \"a4\")\n#set text(font: {}, size: 16pt)\n#text(font: {})[督办] 共 87 项",
            string_literal(&f.fang),
            string_literal(&f.hei)
        );
        let pdf = pdf(&src).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(
            pdf.windows(8).any(|w| w == b"FontFile"),
            "fonts are embedded"
        );
    }

    #[test]
    fn fandol_is_preferred_when_installed() {
        if Path::new(FANDOL).join("FandolFang-Regular.otf").exists() {
            let f = faces().unwrap();
            assert!(
                f.fang.starts_with("FandolFang") && f.kai.starts_with("FandolKai"),
                "{f:?}"
            );
            assert_eq!(f.package, "texlive-lang-chinese");
        }
    }

    #[test]
    fn bad_markup_is_a_typeset_error() {
        let e = pdf("#let x = (").unwrap_err();
        assert!(matches!(e, Error::Typeset(_)), "{e}");
    }

    #[test]
    fn literals_escape() {
        assert_eq!(string_literal("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
