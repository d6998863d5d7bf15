//! Validation of imported tables (units, staff, ledgers, letters, records, case events), one
//! module per table. A file with any bad row imports nothing; every
//! problem is reported with its row (as the spreadsheet numbers it: header = row 1) and column.
use crate::org::UnitCode;
use serde::Serialize;

mod cases;
mod discipline;
mod ledger;
mod letters;
mod org;
mod records;
pub use cases::*;
pub use discipline::*;
pub use ledger::*;
pub use letters::*;
pub use org::*;
pub use records::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            // a summary line, not a cell
            return f.write_str(&self.message);
        }
        write!(
            f,
            "第 {} 行，{} 列：{}",
            self.row, self.column, self.message
        )
    }
}

/// A table read from CSV or XLSX: the first row is the header.
pub type Table = Vec<Vec<String>>;

/// Maps the header to the positions of the wanted columns. Header names are matched
/// case-insensitively; each column also has a Chinese alias.
fn columns(
    table: &Table,
    wanted: &[(&str, &str)],
    errors: &mut Vec<CellError>,
) -> Option<Vec<usize>> {
    let Some(header) = table.first() else {
        errors.push(CellError {
            row: 1,
            column: "-".into(),
            message: "文件为空，缺少表头".into(),
        });
        return None;
    };
    let norm: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut idx = Vec::new();
    for (name, alias) in wanted {
        match norm.iter().position(|h| h == name || h == alias) {
            Some(i) => idx.push(i),
            None => errors.push(CellError {
                row: 1,
                column: name.to_string(),
                message: format!("缺少列 {name}（{alias}）"),
            }),
        }
    }
    (idx.len() == wanted.len()).then_some(idx)
}

/// The positions of optional columns, where the header has them.
fn optional_columns(table: &Table, wanted: &[(&str, &str)]) -> Vec<Option<usize>> {
    let header: Vec<String> = table
        .first()
        .map(|h| {
            h.iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    wanted
        .iter()
        .map(|(name, alias)| header.iter().position(|h| h == name || h == alias))
        .collect()
}

fn cell<'a>(row: &'a [String], i: usize) -> &'a str {
    row.get(i).map(String::as_str).unwrap_or("")
}

/// A unit code cell that must name a unit that exists: the code, or the problem to report.
fn known_unit(raw: &str, units: &std::collections::HashSet<UnitCode>) -> Result<UnitCode, String> {
    match UnitCode::parse(raw) {
        Ok(c) if units.contains(&c) => Ok(c),
        Ok(c) => Err(format!("单位代码 {} 不存在", c.as_str())),
        Err(e) => Err(e.to_string()),
    }
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// A checker fed a file row by row (row 1 the header), then asked for all it kept or every
/// problem.
pub trait RowCheck {
    type Out;
    fn check_row(&mut self, row: usize, raw: &[&str]);
    fn done(self) -> Result<Self::Out, Vec<CellError>>;
}

/// At most this many problems are listed; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

/// The problems a streamed check found: the first [`MAX_LISTED_PROBLEMS`] listed, the rest
/// counted.
#[derive(Debug, Default)]
struct Problems {
    listed: Vec<CellError>,
    unlisted: usize,
}

impl Problems {
    fn push(&mut self, row: usize, column: &str, message: String) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(CellError {
                row,
                column: column.into(),
                message,
            });
        } else {
            self.unlisted += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// Nothing wrong, or every problem listed with a last line counting those left out.
    fn into_result(mut self) -> Result<(), Vec<CellError>> {
        if self.unlisted > 0 {
            self.listed.push(CellError {
                row: 0,
                column: "-".into(),
                message: format!("另有 {} 处问题未列出", self.unlisted),
            });
        }
        if self.listed.is_empty() {
            Ok(())
        } else {
            Err(self.listed)
        }
    }
}
