//! Reading an uploaded table (CSV or XLSX) into rows of text cells.
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SheetError {
    #[error("文件不是 UTF-8 编码的 CSV（第 {row} 行）；请另存为“CSV UTF-8”或使用 XLSX")]
    NotUtf8 { row: usize },
    #[error("CSV 格式错误（第 {row} 行）：{msg}")]
    Csv { row: usize, msg: String },
    #[error("无法读取 XLSX 文件：{0}")]
    Xlsx(String),
    #[error("文件为空")]
    Empty,
    #[error("无法识别的文件类型：请上传 .csv 或 .xlsx")]
    UnknownType,
    /// A limit of [`Limits`] was exceeded; the text names it.
    #[error("文件超出限制：{0}")]
    TooLarge(String),
}

/// What a table read from a file may hold, checked before anything is allocated for it: a
/// workbook whose sheet claims a million rows and sixteen thousand columns, or whose parts inflate
/// a thousandfold, is refused with the limit named, never read.
pub struct Limits;

impl Limits {
    /// an XLSX file, compressed
    pub const XLSX_BYTES: usize = 200 << 20;
    /// one part of a workbook, decompressed (the sheet, the shared strings)
    pub const PART_BYTES: u64 = 512 << 20;
    /// all parts together, decompressed
    pub const TOTAL_BYTES: u64 = 1 << 30;
    /// decompressed : compressed, for parts above a megabyte
    pub const RATIO: u64 = 200;
    /// parts in a workbook
    pub const PARTS: usize = 10_000;
    pub const ROWS: usize = 2_000_000;
    pub const COLUMNS: usize = 256;
    /// rows × columns of the table a workbook fills in
    pub const CELLS: usize = 20_000_000;
    /// characters in one cell (Excel's own limit)
    pub const CELL_CHARS: usize = 32_767;
}

/// Reads CSV or XLSX, chosen by the file's content (XLSX is a ZIP file) and, failing that, its name.
pub fn read_table(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    let lower = name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
        Err(SheetError::Xlsx("不是有效的 XLSX 文件".into()))
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !lower.contains('.') {
        read_csv(bytes)
    } else {
        Err(SheetError::UnknownType)
    }
}

/// Feeds a file's rows one at a time to `f` (row numbers from 1, the header included): CSV is
/// streamed, so a file of millions of rows is never held in memory; XLSX is read whole.
pub fn each_row(
    path: &std::path::Path,
    mut f: impl FnMut(usize, &[&str]),
) -> Result<(), SheetError> {
    use std::io::Read;
    let io = |e: std::io::Error| SheetError::Csv {
        row: 0,
        msg: e.to_string(),
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(io)?;
    if n == 0 {
        return Err(SheetError::Empty);
    }
    let name = path.to_string_lossy();
    if head.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".xlsx") {
        if file.metadata().map_err(io)?.len() > Limits::XLSX_BYTES as u64 {
            return Err(SheetError::TooLarge(format!(
                "XLSX 文件超过 {} MB（大文件请用 CSV）",
                Limits::XLSX_BYTES >> 20
            )));
        }
        let bytes = std::fs::read(path).map_err(io)?;
        for (i, row) in read_table(&name, &bytes)?.iter().enumerate() {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            f(i + 1, &cells);
        }
        return Ok(());
    }
    let reader = std::io::Read::chain(&head[..n], std::io::BufReader::with_capacity(1 << 20, file));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    // one thread reads and splits the file while this one checks the rows (a nationwide file is
    // tens of millions of rows); batches of records go back and forth to be reused
    const BATCH: usize = 4096;
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<csv::ByteRecord>>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<csv::ByteRecord>>();
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> Result<(), SheetError> {
            let mut row = 0;
            loop {
                let mut batch = empty_rx.try_recv().unwrap_or_default();
                batch.resize_with(BATCH, csv::ByteRecord::new);
                let mut n = 0;
                while n < BATCH {
                    row += 1;
                    match r.read_byte_record(&mut batch[n]) {
                        Ok(true) => {
                            if let Err(e) = check_columns(row, &batch[n]) {
                                batch.truncate(n);
                                let _ = full_tx.send(batch);
                                return Err(e);
                            }
                            n += 1
                        }
                        Ok(false) => break,
                        Err(e) => {
                            batch.truncate(n);
                            let _ = full_tx.send(batch);
                            return Err(SheetError::Csv {
                                row,
                                msg: e.to_string(),
                            });
                        }
                    }
                }
                let last = n < BATCH;
                batch.truncate(n);
                if full_tx.send(batch).is_err() || last {
                    return Ok(());
                }
            }
        });
        let mut row = 0;
        let mut bad = None;
        for batch in full_rx.iter() {
            let mut cells: Vec<&str> = Vec::new();
            for rec in &batch {
                row += 1;
                cells.clear();
                for (k, c) in rec.iter().enumerate() {
                    let c = if row == 1 && k == 0 {
                        c.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(c)
                    } else {
                        c
                    };
                    match std::str::from_utf8(c) {
                        Ok(c) => cells.push(restore_str(c)),
                        Err(_) => {
                            bad = Some(row);
                            break;
                        }
                    }
                }
                if bad.is_some() {
                    break;
                }
                f(row, &cells);
            }
            drop(cells);
            if bad.is_some() {
                break;
            }
            let _ = empty_tx.send(batch);
        }
        drop(full_rx);
        let read = reader.join().unwrap_or(Ok(()));
        if let Some(row) = bad {
            return Err(SheetError::NotUtf8 { row });
        }
        read?;
        if row == 0 {
            Err(SheetError::Empty)
        } else {
            Ok(())
        }
    })
}

/// A streamed record's width and cells against [`Limits`] (a streamed file may have any number
/// of rows: it is never held whole).
fn check_columns(row: usize, rec: &csv::ByteRecord) -> Result<(), SheetError> {
    if rec.len() > Limits::COLUMNS || rec.as_slice().len() > Limits::CELL_CHARS * 4 * 8 {
        return Err(SheetError::TooLarge(format!(
            "第 {row} 行超过 {} 列或过长",
            Limits::COLUMNS
        )));
    }
    Ok(())
}

/// One record's shape against [`Limits`] (row numbers from 1).
fn check_record(row: usize, rec: &csv::ByteRecord) -> Result<(), SheetError> {
    if row > Limits::ROWS {
        return Err(SheetError::TooLarge(format!("超过 {} 行", Limits::ROWS)));
    }
    if rec.len() > Limits::COLUMNS {
        return Err(SheetError::TooLarge(format!(
            "第 {row} 行有 {} 列，超过 {} 列",
            rec.len(),
            Limits::COLUMNS
        )));
    }
    // bytes bound characters from above; only a long field is counted exactly
    if let Some(k) = rec.iter().position(|f| {
        f.len() > Limits::CELL_CHARS
            && String::from_utf8_lossy(f).chars().count() > Limits::CELL_CHARS
    }) {
        return Err(SheetError::TooLarge(format!(
            "第 {row} 行第 {} 列超过 {} 个字符",
            k + 1,
            Limits::CELL_CHARS
        )));
    }
    Ok(())
}

pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (i, rec) in r.byte_records().enumerate() {
        let rec = rec.map_err(|e| SheetError::Csv {
            row: i + 1,
            msg: e.to_string(),
        })?;
        check_record(i + 1, &rec)?;
        let mut row = Vec::with_capacity(rec.len());
        for f in rec.iter() {
            row.push(restore(
                String::from_utf8(f.to_vec()).map_err(|_| SheetError::NotUtf8 { row: i + 1 })?,
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        Err(SheetError::Empty)
    } else {
        Ok(rows)
    }
}

/// The parts of a workbook against [`Limits`], from the ZIP directory, before any is inflated.
fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    if bytes.len() > Limits::XLSX_BYTES {
        return Err(SheetError::TooLarge(format!(
            "XLSX 文件超过 {} MB",
            Limits::XLSX_BYTES >> 20
        )));
    }
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    if z.len() > Limits::PARTS {
        return Err(SheetError::TooLarge(format!(
            "工作簿含 {} 个部件，超过 {}",
            z.len(),
            Limits::PARTS
        )));
    }
    let mut total = 0u64;
    for i in 0..z.len() {
        let f = z
            .by_index_raw(i)
            .map_err(|e| SheetError::Xlsx(e.to_string()))?;
        let (size, packed) = (f.size(), f.compressed_size().max(1));
        let name = f
            .name()
            .map(|n| n.chars().take(80).collect::<String>())
            .unwrap_or_default();
        if size > Limits::PART_BYTES {
            return Err(SheetError::TooLarge(format!(
                "部件 {name} 解压后 {} MB，超过 {} MB",
                size >> 20,
                Limits::PART_BYTES >> 20
            )));
        }
        if size > 1 << 20 && size / packed > Limits::RATIO {
            return Err(SheetError::TooLarge(format!(
                "部件 {name} 压缩比 {}:1，超过 {}:1（疑似压缩炸弹）",
                size / packed,
                Limits::RATIO
            )));
        }
        total += size;
    }
    if total > Limits::TOTAL_BYTES {
        return Err(SheetError::TooLarge(format!(
            "工作簿解压后共 {} MB，超过 {} MB",
            total >> 20,
            Limits::TOTAL_BYTES >> 20
        )));
    }
    Ok(())
}

/// The first sheet of a workbook as rows of text, from its top-left filled cell. Cells are
/// streamed and placed one by one against [`Limits`]: the sheet's declared dimension is never
/// allocated.
///
/// The workbook parser is a third-party crate; should it panic on a damaged file (it has, on an
/// overflowing cell reference), the panic is caught here and the file refused like any other
/// damaged workbook, so no door (page, API, CLI) ever dies on a file.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    check_zip(bytes)?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_checked_xlsx(bytes)))
        .unwrap_or_else(|_| Err(SheetError::Xlsx("工作簿已损坏，无法读取".into())))
}

fn read_checked_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let first = wb.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    let mut reader = wb
        .worksheet_cells_reader(&first)
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    // (row, column, text) of the filled cells, in the sheet's order
    let mut cells: Vec<(usize, usize, String)> = Vec::new();
    let (mut min_r, mut min_c, mut max_r, mut max_c) = (usize::MAX, usize::MAX, 0, 0);
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| SheetError::Xlsx(e.to_string()))?
    {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        let v = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::String(s) => s,
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => if b { "1" } else { "0" }.to_string(),
            other => other.to_string(),
        };
        if v.is_empty() {
            continue;
        }
        if r >= Limits::ROWS {
            return Err(SheetError::TooLarge(format!("超过 {} 行", Limits::ROWS)));
        }
        if c >= Limits::COLUMNS {
            return Err(SheetError::TooLarge(format!(
                "第 {} 行有第 {} 列的内容，超过 {} 列",
                r + 1,
                c + 1,
                Limits::COLUMNS
            )));
        }
        if v.len() > Limits::CELL_CHARS && v.chars().count() > Limits::CELL_CHARS {
            return Err(SheetError::TooLarge(format!(
                "第 {} 行第 {} 列超过 {} 个字符",
                r + 1,
                c + 1,
                Limits::CELL_CHARS
            )));
        }
        if cells.len() >= Limits::CELLS {
            return Err(SheetError::TooLarge(format!(
                "超过 {} 个单元格",
                Limits::CELLS
            )));
        }
        (min_r, min_c) = (min_r.min(r), min_c.min(c));
        (max_r, max_c) = (max_r.max(r), max_c.max(c));
        cells.push((r, c, restore(v)));
    }
    if cells.is_empty() {
        return Err(SheetError::Empty);
    }
    let (height, width) = (max_r - min_r + 1, max_c - min_c + 1);
    if height.saturating_mul(width) > Limits::CELLS {
        return Err(SheetError::TooLarge(format!(
            "表格 {height} 行 × {width} 列，超过 {} 个单元格",
            Limits::CELLS
        )));
    }
    let mut rows = vec![vec![String::new(); width]; height];
    for (r, c, v) in cells {
        rows[r - min_r][c - min_c] = v;
    }
    Ok(rows)
}

/// What a spreadsheet program reads as the start of a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet program would run as a formula (leading `=`, `+`, `-`, `@`, tab or
/// carriage return) made inert with a leading apostrophe (OWASP's advice); others as they are.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The reverse of [`neutralise`] on reading a table back: an apostrophe before a formula
/// character is dropped.
fn restore(cell: String) -> String {
    match restore_str(&cell).len() {
        n if n == cell.len() => cell,
        _ => cell[1..].to_string(),
    }
}

/// [`restore`] on a borrowed cell.
fn restore_str(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

/// A CSV file Excel opens as UTF-8 (with a byte-order mark); formula-like cells neutralised.
pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| neutralise(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

/// A one-sheet workbook: the first row bold as the header, every cell as text.
pub fn write_xlsx(
    sheet: &str,
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = neutralise(v);
            if r == 0 {
                ws.write_string_with_format(0, c as u16, v.as_ref(), &bold)?;
            } else {
                ws.write_string(r as u32, c as u16, v.as_ref())?;
            }
        }
    }
    wb.save_to_buffer()
}

/// Hostile workbooks, for the tests of every door that reads one (CLI, pages, API).
#[doc(hidden)]
pub mod hostile {
    /// A sheet with one cell in A1 and one in XFD1048576: its range would be 17 billion cells.
    pub fn dimension_bomb() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "code").unwrap();
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save_to_buffer().unwrap()
    }

    /// A small valid workbook whose first cell's reference names a column past any integer
    /// (`AAAAAAAAAAAAAAAA1`): the parser's arithmetic overflows on it.
    pub fn overflowing_reference() -> Vec<u8> {
        use std::io::{Read, Write};
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "code").unwrap();
        let plain = wb.save_to_buffer().unwrap();
        let mut src = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            let name = f.name().unwrap().to_string();
            if name == "xl/worksheets/sheet1.xml" {
                let xml = String::from_utf8(body).unwrap();
                body = xml
                    .replace("r=\"A1\"", "r=\"AAAAAAAAAAAAAAAA1\"")
                    .into_bytes();
            }
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(&body).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    /// A workbook whose sheet inflates a thousandfold.
    pub fn zip_bomb() -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        z.write_all(&vec![b' '; 8 << 20]).unwrap();
        z.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::hostile::{dimension_bomb, overflowing_reference, zip_bomb};
    use super::*;

    #[test]
    fn hostile_workbooks_are_refused_before_they_are_read() {
        let t = std::time::Instant::now();
        let e = read_table("bomb.xlsx", &dimension_bomb()).unwrap_err();
        assert!(
            matches!(&e, SheetError::TooLarge(m) if m.contains("256 列")),
            "{e}"
        );
        let e = read_table("zip.xlsx", &zip_bomb()).unwrap_err();
        assert!(
            matches!(&e, SheetError::TooLarge(m) if m.contains("压缩比")),
            "{e}"
        );
        let e = read_table("overflow.xlsx", &overflowing_reference()).unwrap_err();
        assert!(matches!(&e, SheetError::Xlsx(_)), "{e}");
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        let wide = format!("{}\n", vec!["a"; 300].join(","));
        let e = read_table("wide.csv", wide.as_bytes()).unwrap_err();
        assert!(
            matches!(&e, SheetError::TooLarge(m) if m.contains("300 列")),
            "{e}"
        );
        let long = format!("a\n{}\n", "长".repeat(40_000));
        let e = read_table("long.csv", long.as_bytes()).unwrap_err();
        assert!(
            matches!(&e, SheetError::TooLarge(m) if m.contains("第 2 行第 1 列")),
            "{e}"
        );
    }

    #[test]
    fn exported_formulas_are_inert_and_read_back() {
        let rows = vec![
            vec!["内容".to_string(), "数".to_string()],
            vec![
                "=HYPERLINK(\"http://evil\",\"x\")".to_string(),
                "-3".to_string(),
            ],
            vec!["@SUM(A1)".to_string(), "+1".to_string()],
        ];
        let csv = String::from_utf8(write_csv(&rows)).unwrap();
        assert!(
            csv.contains("'=HYPERLINK") && csv.contains("'-3") && csv.contains("'@SUM"),
            "{csv}"
        );
        assert_eq!(read_csv(csv.as_bytes()).unwrap(), rows);
        let x = write_xlsx("t", &rows).unwrap();
        assert_eq!(read_xlsx(&x).unwrap(), rows);
    }

    #[test]
    fn a_sheet_starting_lower_right_reads_from_its_first_cell() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(2, 1, "code").unwrap();
        ws.write_string(3, 2, "x").unwrap();
        let t = read_table("t.xlsx", &wb.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            t,
            vec![
                vec!["code".to_string(), String::new()],
                vec![String::new(), "x".into()]
            ]
        );
    }
    #[test]
    fn csv_with_bom_quotes_and_chinese() {
        let t = read_table(
            "u.csv",
            "\u{feff}code,name\n330106,\"西湖区, 人民检察院\"\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t[1], vec!["330106", "西湖区, 人民检察院"]);
    }
    #[test]
    fn written_xlsx_reads_back() {
        let rows = vec![
            vec!["收到日期".to_string(), "内容".to_string()],
            vec!["2020-03-02".to_string(), "反映问题".to_string()],
        ];
        let bytes = write_xlsx("来信", &rows).unwrap();
        assert_eq!(read_table("x.xlsx", &bytes).unwrap(), rows);
    }
    #[test]
    fn csv_round_trip() {
        let rows = vec![vec!["序号".to_string(), "任务, 含逗号".to_string()]];
        assert_eq!(read_csv(&write_csv(&rows)).unwrap(), rows);
    }
    #[test]
    fn gbk_csv_is_rejected_with_row() {
        // "西湖" in GBK
        let bytes = b"code,name\n330106,\xce\xf7\xba\xfe\n";
        assert_eq!(
            read_table("u.csv", bytes),
            Err(SheetError::NotUtf8 { row: 2 })
        );
    }
    #[test]
    fn xlsx_round_trip() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "code").unwrap();
        ws.write_string(0, 1, "level").unwrap();
        ws.write_number(1, 0, 330106.0).unwrap();
        ws.write_number(1, 1, 4.0).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = read_table("u.xlsx", &bytes).unwrap();
        assert_eq!(t[1], vec!["330106", "4"]);
        assert!(matches!(
            read_table("u.xlsx", b"PK\x03\x04garbage"),
            Err(SheetError::Xlsx(_))
        ));
        assert_eq!(read_table("u.pdf", b"%PDF"), Err(SheetError::UnknownType));
        assert_eq!(read_table("u.csv", b""), Err(SheetError::Empty));
    }
}
