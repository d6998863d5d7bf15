//! Checks of the interference records table, row by row.
use super::*;
use crate::text;
use std::collections::HashMap;

/// The columns of `duban import records`.
pub const RECORD_COLUMNS: [(&str, &str); 13] = [
    ("month", "月份"),
    ("staff_id", "人员编号"),
    ("zero_report", "零报告"),
    ("occurred_on", "发生日期"),
    ("intervener_name", "干预人姓名"),
    ("intervener_unit", "干预人单位"),
    ("intervener_post", "干预人职务"),
    ("intervener_category", "干预人员类别"),
    ("is_procuratorate_staff", "是否检察人员"),
    ("manner", "干预方式"),
    ("scope", "干预事项"),
    ("case_ref", "相关案件"),
    ("content", "内容"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct RecordFields {
    pub occurred_on: chrono::NaiveDate,
    pub intervener_name: String,
    pub intervener_unit: String,
    pub intervener_post: String,
    pub category: crate::records::IntervenerCategory,
    pub is_procuratorate_staff: bool,
    pub manner: crate::records::Manner,
    pub matter: crate::records::Matter,
    pub case_ref: String,
    pub content: String,
}

/// One filing of a checked records file: a staff member's month, a zero report or the number of
/// records it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filing {
    /// first row of the file that made it
    pub row: usize,
    pub staff_id: i64,
    pub month: crate::records::Month,
    pub zero_report: bool,
    pub records: u32,
}

/// A records file that passed every check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedRecords {
    /// in the file's order
    pub filings: Vec<Filing>,
    /// (staff id, month, record), in the file's order
    pub records: Vec<(i64, crate::records::Month, RecordFields)>,
}

/// Checks a records file row by row, so that a file of millions of rows is never held in memory:
/// months (not after `this_month`), known staff, 0/1 flags, the three lists, dates within their
/// month; a zero report has no record fields and no record beside it for the same person and
/// month, and is filed once. Row 1 is the header.
pub struct RecordsCheck {
    staff: HashMap<String, i64>,
    this_month: crate::records::Month,
    ix: Option<Vec<usize>>,
    header_seen: bool,
    /// (staff, month) → index in `filings`
    seen: HashMap<(i64, crate::records::Month), usize>,
    out: CheckedRecords,
    errors: Problems,
}

impl RecordsCheck {
    /// `staff` maps staff numbers to ids.
    pub fn new(staff: HashMap<String, i64>, this_month: crate::records::Month) -> RecordsCheck {
        RecordsCheck {
            staff,
            this_month,
            ix: None,
            header_seen: false,
            seen: HashMap::new(),
            out: CheckedRecords::default(),
            errors: Problems::default(),
        }
    }

    fn err(&mut self, row: usize, column: &str, message: String) {
        self.errors.push(row, column, message);
    }

    /// Takes the file's row number `row` (the header is row 1).
    pub fn row<S: AsRef<str>>(&mut self, row: usize, raw: &[S]) {
        use crate::records::{IntervenerCategory, Manner, Matter, Month};
        if !self.header_seen {
            self.header_seen = true;
            let header: Vec<String> = raw.iter().map(|c| c.as_ref().to_string()).collect();
            self.ix = columns(&vec![header], &RECORD_COLUMNS, &mut self.errors.listed);
            return;
        }
        let Some(ix) = &self.ix else { return };
        let cells: [&str; 13] =
            std::array::from_fn(|k| raw.get(ix[k]).map(|c| c.as_ref().trim()).unwrap_or(""));
        if cells.iter().all(|c| c.is_empty()) {
            return;
        }
        let c = |k: usize| cells[k];
        let month = match Month::parse(c(0)) {
            Ok(m) if m > self.this_month => {
                self.err(row, "month", format!("月份 {m} 尚未到来"));
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                self.err(row, "month", e);
                None
            }
        };
        let staff_id = self.staff.get(c(1)).copied();
        if staff_id.is_none() {
            self.err(row, "staff_id", format!("人员编号“{}”不存在", c(1)));
        }
        let zero = match c(2) {
            "1" => Some(true),
            "0" => Some(false),
            other => {
                self.err(
                    row,
                    "zero_report",
                    format!("零报告应为 1 或 0，不能是“{other}”"),
                );
                None
            }
        };
        let mut record = None;
        if zero == Some(true) && (3..13).any(|k| !c(k).is_empty()) {
            self.err(row, "zero_report", "零报告不应填写记录内容".into());
        }
        if zero == Some(false) {
            let mut problems: Vec<(&str, String)> = Vec::new();
            let occurred = match crate::calendar::parse_date(c(3)) {
                Ok(d) if month.is_some_and(|m| !m.contains(d)) => {
                    problems.push(("occurred_on", format!("发生日期 {d} 不在所报月份内")));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(("occurred_on", e.to_string()));
                    None
                }
            };
            let name = text::required(c(4), 50)
                .map_err(|e| problems.push(("intervener_name", format!("干预人姓名{e}"))))
                .ok();
            let category = IntervenerCategory::parse(c(7));
            if category.is_none() {
                problems.push((
                    "intervener_category",
                    format!(
                        "干预人员类别“{}”无效（{}）",
                        c(7),
                        IntervenerCategory::list()
                    ),
                ));
            }
            let insider = match c(8) {
                "1" | "是" => Some(true),
                "0" | "否" => Some(false),
                other => {
                    problems.push((
                        "is_procuratorate_staff",
                        format!("是否检察人员应为 1 或 0，不能是“{other}”"),
                    ));
                    None
                }
            };
            let manner = Manner::parse(c(9));
            if manner.is_none() {
                problems.push((
                    "manner",
                    format!("干预方式“{}”无效（{}）", c(9), Manner::list()),
                ));
            }
            let matter = Matter::parse(c(10));
            if matter.is_none() {
                problems.push((
                    "scope",
                    format!("干预事项“{}”无效（{}）", c(10), Matter::list()),
                ));
            }
            let content = text::required(c(12), 4000)
                .map_err(|e| problems.push(("content", format!("内容{e}"))))
                .ok();
            for (col, msg) in problems {
                self.err(row, col, msg);
            }
            if let (
                Some(occurred_on),
                Some(intervener_name),
                Some(category),
                Some(is_procuratorate_staff),
                Some(manner),
                Some(matter),
                Some(content),
            ) = (occurred, name, category, insider, manner, matter, content)
            {
                record = Some(RecordFields {
                    occurred_on,
                    intervener_name,
                    intervener_unit: c(5).chars().take(100).collect(),
                    intervener_post: c(6).chars().take(50).collect(),
                    category,
                    is_procuratorate_staff,
                    manner,
                    matter,
                    case_ref: c(11).chars().take(100).collect(),
                    content,
                });
            }
        }
        let (Some(m), Some(z), Some(s)) = (month, zero, staff_id) else {
            return;
        };
        match self.seen.get(&(s, m)).map(|i| self.out.filings[*i]) {
            Some(f) if f.zero_report => self.err(
                row,
                "zero_report",
                format!("与第 {} 行重复：同一人同一月份已有零报告", f.row),
            ),
            Some(f) if z => self.err(
                row,
                "zero_report",
                format!("第 {} 行已有该人该月的记录，不能再报零报告", f.row),
            ),
            Some(_) => {}
            None => {
                self.seen.insert((s, m), self.out.filings.len());
                self.out.filings.push(Filing {
                    row,
                    staff_id: s,
                    month: m,
                    zero_report: z,
                    records: 0,
                });
            }
        }
        if let Some(r) = record
            && self.errors.is_empty()
        {
            if let Some(i) = self.seen.get(&(s, m)) {
                self.out.filings[*i].records += 1;
            }
            self.out.records.push((s, m, r));
        }
    }

    /// Every filing and record, or every problem (row and column; past
    /// [`MAX_LISTED_PROBLEMS`], a last line counts the rest).
    pub fn finish(self) -> Result<CheckedRecords, Vec<CellError>> {
        if !self.header_seen {
            return Err(vec![CellError {
                row: 1,
                column: "-".into(),
                message: "文件为空，缺少表头".into(),
            }]);
        }
        self.errors.into_result()?;
        Ok(self.out)
    }
}

impl RowCheck for RecordsCheck {
    type Out = CheckedRecords;
    fn check_row(&mut self, row: usize, raw: &[&str]) {
        self.row(row, raw)
    }
    fn done(self) -> Result<CheckedRecords, Vec<CellError>> {
        self.finish()
    }
}

/// Checks a whole table at once (see [`RecordsCheck`]).
pub fn validate_records(
    table: &Table,
    staff: HashMap<String, i64>,
    this_month: crate::records::Month,
) -> Result<CheckedRecords, Vec<CellError>> {
    let mut check = RecordsCheck::new(staff, this_month);
    for (i, raw) in table.iter().enumerate() {
        check.row(i + 1, raw);
    }
    check.finish()
}

#[cfg(test)]
mod record_tests {
    use super::*;
    use crate::records::Month;

    fn t(rows: &[&str]) -> Table {
        std::iter::once(
            RECORD_COLUMNS
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(","),
        )
        .chain(rows.iter().map(|r| r.to_string()))
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
    }

    #[test]
    fn every_bad_row_is_named_and_good_rows_pass() {
        let staff: HashMap<String, i64> = [("S1".to_string(), 1), ("S2".to_string(), 2)].into();
        let now = Month::parse("2020-09").unwrap();
        let good = t(&[
            "2020-01,S1,1,,,,,,,,,,",
            "2020-01,S2,0,2020-01-15,张某,某局,副局长,领导干部,0,电话,司法办案,（2020）京01刑初1号,打招呼要求从轻",
            "2020-01,S2,0,2020-01-20,李某,某院,庭长,司法机关内部人员,1,当面,司法办案,,询问案情",
        ]);
        let checked = validate_records(&good, staff.clone(), now).unwrap();
        assert_eq!(checked.records.len(), 2);
        let f = &checked.filings;
        assert_eq!(f.len(), 2);
        assert!(f[0].zero_report && f[0].staff_id == 1 && f[0].records == 0);
        assert!(!f[1].zero_report && f[1].staff_id == 2 && f[1].records == 2 && f[1].row == 3);
        let bad = t(&[
            "2020-10,S1,1,,,,,,,,,,",
            "2020-02,S9,1,,,,,,,,,,",
            "2020-02,S1,1,,,,,,,,,,",
            "2020-02,S1,1,,,,,,,,,,",
            "2020-03,S1,1,2020-03-01,张某,,,领导干部,0,电话,司法办案,,x",
            "2020-04,S2,0,2020-05-01,张某,,,领导,2,飞鸽,工程,,x",
            "2020-04,S2,1,,,,,,,,,,",
        ]);
        let errs = validate_records(&bad, staff.clone(), now).unwrap_err();
        let has = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
        assert!(has(2, "month"), "future month: {errs:?}");
        assert!(has(3, "staff_id"), "unknown staff");
        assert!(has(5, "zero_report"), "duplicate zero report");
        assert!(has(6, "zero_report"), "zero report with a record");
        for col in [
            "occurred_on",
            "intervener_category",
            "is_procuratorate_staff",
            "manner",
            "scope",
        ] {
            assert!(has(7, col), "{col}: {errs:?}");
        }
        assert!(has(8, "zero_report"), "a zero report beside records");
        // a file with problems everywhere: the first ones listed, the rest counted
        let lines: Vec<&str> = vec!["2020-02,S9,1,,,,,,,,,,"; MAX_LISTED_PROBLEMS + 500];
        let errs = validate_records(&t(&lines), staff, now).unwrap_err();
        assert_eq!(errs.len(), MAX_LISTED_PROBLEMS + 1);
        assert_eq!(errs[MAX_LISTED_PROBLEMS].message, "另有 500 处问题未列出");
    }
}
