//! Checks of the discipline group's tables: problem clues and the violations register.
use super::*;
use crate::discipline::{ClueSource, Disposal, Outcome, ViolationKind};
use crate::org::UnitCode;
use crate::text;
use chrono::NaiveDate;
use std::collections::HashSet;

/// A problem clue (`duban import clues`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClueRow {
    pub row: usize,
    pub clue_no: String,
    pub received_on: NaiveDate,
    pub unit: UnitCode,
    pub source: ClueSource,
    pub subject_staff_no: String,
    pub subject_name: String,
    pub summary: String,
    pub disposal: Option<(Disposal, NaiveDate)>,
    pub outcome: Option<(Outcome, NaiveDate)>,
}

pub const CLUE_COLUMNS: [(&str, &str); 11] = [
    ("clue_no", "线索编号"),
    ("received_on", "受理日期"),
    ("unit_code", "单位代码"),
    ("source", "线索来源"),
    ("subject_staff_no", "反映对象工号"),
    ("subject_name", "反映对象"),
    ("summary", "主要问题"),
    ("disposal", "处置方式"),
    ("disposal_on", "处置日期"),
    ("outcome", "处理结果"),
    ("concluded_on", "办结日期"),
];

/// A staff member dealt with for a violation (`duban import violations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationRow {
    pub row: usize,
    pub staff_no: String,
    pub name: String,
    pub unit: UnitCode,
    pub post: String,
    pub kind: ViolationKind,
    pub filed_on: NaiveDate,
    pub outcome: Option<Outcome>,
}

pub const VIOLATION_COLUMNS: [(&str, &str); 7] = [
    ("staff_no", "工号"),
    ("name", "姓名"),
    ("unit_code", "单位代码"),
    ("post", "职务"),
    ("kind", "违纪违法类别"),
    ("filed_on", "立案日期"),
    ("outcome", "处理结果"),
];

fn date_cell(raw: &str) -> Result<Option<NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        s => crate::calendar::parse_date(s)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

fn word<T: Copy>(
    raw: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
    list: String,
) -> Result<Option<T>, String> {
    match raw.trim() {
        "" => Ok(None),
        s => parse(s)
            .map(Some)
            .ok_or_else(|| format!("{what}“{s}”无效（{list}）")),
    }
}

/// A word and its date, both or neither (a date without its word, or the reverse, is reported).
fn pair<T: Copy>(
    (w, wcol): (&str, &'static str),
    (d, dcol): (&str, &'static str),
    bad: &mut Vec<(&'static str, String)>,
    parse: impl Fn(&str) -> Result<Option<T>, String>,
) -> Option<(T, NaiveDate)> {
    let wv = parse(w).map_err(|e| bad.push((wcol, e))).ok().flatten();
    let dv = date_cell(d).map_err(|e| bad.push((dcol, e))).ok().flatten();
    match (wv, dv) {
        (Some(wv), Some(dv)) => Some((wv, dv)),
        (Some(_), None) => {
            bad.push((dcol, "请填写日期".into()));
            None
        }
        (None, Some(_)) if w.trim().is_empty() => {
            bad.push((wcol, "有日期而未填写".into()));
            None
        }
        _ => None,
    }
}

/// Checks a clues table: every bad cell is reported by row and column; `taken` holds the clue
/// numbers already in the database (per unit code), and a number may not repeat in the file.
pub fn validate_clues(
    table: &Table,
    units: &HashSet<UnitCode>,
    staff: &HashSet<String>,
    taken: &HashSet<(String, String)>,
    today: NaiveDate,
) -> Result<Vec<ClueRow>, Vec<CellError>> {
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &CLUE_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let mut bad: Vec<(&'static str, String)> = Vec::new();
        let c = |k: usize| cell(raw, ix[k]);
        let clue_no = text::required(c(0), 50)
            .map_err(|e| bad.push(("clue_no", e.to_string())))
            .unwrap_or_default();
        let received = match date_cell(c(1)) {
            Ok(Some(d)) if d > today => {
                bad.push(("received_on", format!("受理日期 {d} 晚于今天")));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                bad.push(("received_on", "请填写受理日期".into()));
                None
            }
            Err(e) => {
                bad.push(("received_on", e));
                None
            }
        };
        let unit = known_unit(c(2), units)
            .map_err(|e| bad.push(("unit_code", e)))
            .ok();
        if let Some(u) = &unit {
            let key = (u.as_str().to_string(), clue_no.clone());
            if !clue_no.is_empty() && (taken.contains(&key) || !seen.insert(key)) {
                bad.push(("clue_no", format!("线索编号“{clue_no}”已存在")));
            }
        }
        let source = match word(c(3), ClueSource::parse, "线索来源", ClueSource::list()) {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                bad.push((
                    "source",
                    format!("请填写线索来源（{}）", ClueSource::list()),
                ));
                None
            }
            Err(e) => {
                bad.push(("source", e));
                None
            }
        };
        let staff_no = c(4).trim().to_string();
        if !staff_no.is_empty() && !staff.contains(&staff_no) {
            bad.push((
                "subject_staff_no",
                format!("工号 {staff_no} 不在人员名册中"),
            ));
        }
        let name = text::optional(c(5), 50)
            .map_err(|e| bad.push(("subject_name", e.to_string())))
            .unwrap_or_default();
        if staff_no.is_empty() && name.is_empty() {
            bad.push(("subject_name", "请填写反映对象的工号或姓名".into()));
        }
        let summary = text::required(c(6), 2000)
            .map_err(|e| bad.push(("summary", e.to_string())))
            .unwrap_or_default();
        let disposal = pair((c(7), "disposal"), (c(8), "disposal_on"), &mut bad, |s| {
            word(s, Disposal::parse, "处置方式", Disposal::list())
        });
        let outcome = pair((c(9), "outcome"), (c(10), "concluded_on"), &mut bad, |s| {
            word(s, Outcome::parse, "处理结果", Outcome::list())
        });
        if let (Some(r), Some((_, d))) = (received, disposal)
            && d < r
        {
            bad.push(("disposal_on", format!("处置日期 {d} 早于受理日期 {r}")));
        }
        match (disposal, outcome) {
            (None, Some(_)) => bad.push(("disposal", "已办结的线索须填写处置方式".into())),
            (Some((_, d)), Some((_, e))) if e < d => {
                bad.push(("concluded_on", format!("办结日期 {e} 早于处置日期 {d}")))
            }
            _ => {}
        }
        for (d, col) in [
            (disposal.map(|x| x.1), "disposal_on"),
            (outcome.map(|x| x.1), "concluded_on"),
        ] {
            if d.is_some_and(|d| d > today) {
                bad.push((col, "日期晚于今天".into()));
            }
        }
        if bad.is_empty() {
            if let (Some(received_on), Some(unit), Some(source)) = (received, unit, source) {
                rows.push(ClueRow {
                    row,
                    clue_no,
                    received_on,
                    unit,
                    source,
                    subject_staff_no: staff_no,
                    subject_name: name,
                    summary,
                    disposal,
                    outcome,
                });
            }
        } else {
            errors.extend(bad.into_iter().map(|(column, message)| CellError {
                row,
                column: column.into(),
                message,
            }));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Checks a violations register table, every bad cell reported by row and column.
pub fn validate_violations(
    table: &Table,
    units: &HashSet<UnitCode>,
    today: NaiveDate,
) -> Result<Vec<ViolationRow>, Vec<CellError>> {
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &VIOLATION_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let c = |k: usize| cell(raw, ix[k]);
        let mut bad: Vec<(&str, String)> = Vec::new();
        let staff_no = c(0).trim().to_string();
        let name = text::required(c(1), 50)
            .map_err(|e| bad.push(("name", e.to_string())))
            .unwrap_or_default();
        let unit = known_unit(c(2), units)
            .map_err(|e| bad.push(("unit_code", e)))
            .ok();
        let post = text::optional(c(3), 50)
            .map_err(|e| bad.push(("post", e.to_string())))
            .unwrap_or_default();
        let kind = match word(
            c(4),
            ViolationKind::parse,
            "违纪违法类别",
            ViolationKind::list(),
        ) {
            Ok(Some(k)) => Some(k),
            Ok(None) => {
                bad.push((
                    "kind",
                    format!("请填写违纪违法类别（{}）", ViolationKind::list()),
                ));
                None
            }
            Err(e) => {
                bad.push(("kind", e));
                None
            }
        };
        let filed = match date_cell(c(5)) {
            Ok(Some(d)) if d > today => {
                bad.push(("filed_on", "立案日期晚于今天".into()));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                bad.push(("filed_on", "请填写立案日期".into()));
                None
            }
            Err(e) => {
                bad.push(("filed_on", e));
                None
            }
        };
        let outcome = word(c(6), Outcome::parse, "处理结果", Outcome::list())
            .map_err(|e| bad.push(("outcome", e)))
            .ok()
            .flatten();
        match (bad.is_empty(), unit, kind, filed) {
            (true, Some(unit), Some(kind), Some(filed_on)) => rows.push(ViolationRow {
                row,
                staff_no,
                name,
                unit,
                post,
                kind,
                filed_on,
                outcome,
            }),
            _ => errors.extend(bad.into_iter().map(|(column, message)| CellError {
                row,
                column: column.into(),
                message,
            })),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(csv: &str) -> Table {
        csv.lines()
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    }

    #[test]
    fn every_bad_cell_of_a_clue_is_named() {
        let units: HashSet<UnitCode> = [UnitCode::parse("100000").unwrap()].into();
        let staff: HashSet<String> = ["SPP0001".to_string()].into();
        let taken: HashSet<(String, String)> = [("100000".to_string(), "X-1".to_string())].into();
        let today = crate::calendar::parse_date("2020-11-05").unwrap();
        let head = CLUE_COLUMNS
            .iter()
            .map(|c| c.0)
            .collect::<Vec<_>>()
            .join(",");
        let ok = format!(
            "{head}\nJ-1,2020-03-02,100000,巡视移交,SPP0001,,反映违规干预案件,初步核实,2020-03-10,党纪处分,2020-06-01\nJ-2,2020-03-05,100000,来信来访,,张某,反映问题,,,,"
        );
        let rows = validate_clues(&t(&ok), &units, &staff, &taken, today).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].disposal.map(|d| d.0), Some(Disposal::Verify));
        let bad = format!(
            "{head}\nX-1,2020-13-01,999999,电话,S9,,,谈话,2020-03-10,了结澄清,\nJ-3,2020-03-05,100000,其他,,,摘要,,,党纪处分,2020-04-01"
        );
        let errs = validate_clues(&t(&bad), &units, &staff, &taken, today).unwrap_err();
        let at = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
        for col in [
            "received_on",
            "unit_code",
            "source",
            "subject_staff_no",
            "summary",
            "disposal",
            "concluded_on",
        ] {
            assert!(at(2, col), "{col}: {errs:?}");
        }
        assert!(at(3, "subject_name") && at(3, "disposal"), "{errs:?}");
    }

    #[test]
    fn every_bad_cell_of_a_violation_is_named() {
        let units: HashSet<UnitCode> = [UnitCode::parse("330000").unwrap()].into();
        let today = crate::calendar::parse_date("2020-11-05").unwrap();
        let head = VIOLATION_COLUMNS
            .iter()
            .map(|c| c.0)
            .collect::<Vec<_>>()
            .join(",");
        let csv = format!(
            "{head}\nZ1,王某,330000,检察官,违反廉洁纪律,2020-05-01,党纪处分\n,,440000,,贪污,2021-01-01,罚款"
        );
        let errs = validate_violations(&t(&csv), &units, today).unwrap_err();
        for col in ["name", "unit_code", "kind", "filed_on", "outcome"] {
            assert!(
                errs.iter().any(|e| e.row == 3 && e.column == col),
                "{col}: {errs:?}"
            );
        }
        assert!(!errs.iter().any(|e| e.row == 2));
    }
}
