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
                        Ok(true) => n += 1,
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
                        Ok(c) => cells.push(c),
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
        let mut row = Vec::with_capacity(rec.len());
        for f in rec.iter() {
            row.push(
                String::from_utf8(f.to_vec()).map_err(|_| SheetError::NotUtf8 { row: i + 1 })?,
            );
        }
        rows.push(row);
    }
    if rows.is_empty() {
        Err(SheetError::Empty)
    } else {
        Ok(rows)
    }
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => {
                        if *b {
                            "1".into()
                        } else {
                            "0".into()
                        }
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    if rows.is_empty() {
        Err(SheetError::Empty)
    } else {
        Ok(rows)
    }
}

/// A CSV file Excel opens as UTF-8 (with a byte-order mark).
pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in rows {
        let _ = w.write_record(r);
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
            if r == 0 {
                ws.write_string_with_format(0, c as u16, v, &bold)?;
            } else {
                ws.write_string(r as u32, c as u16, v)?;
            }
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
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
