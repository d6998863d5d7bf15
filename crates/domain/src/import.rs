//! Validation of imported tables (units, staff). A file with any bad row imports nothing; every
//! problem is reported with its row (as the spreadsheet numbers it: header = row 1) and column.
use crate::org::{Level, UnitCode};
use crate::text;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

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

fn cell<'a>(row: &'a [String], i: usize) -> &'a str {
    row.get(i).map(String::as_str).unwrap_or("")
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub row: usize,
    pub code: UnitCode,
    pub name: String,
    pub level: Level,
    pub parent: Option<UnitCode>,
}

/// What the database already holds about a unit.
#[derive(Debug, Clone)]
pub struct KnownUnit {
    pub level: Level,
    pub parent: Option<UnitCode>,
}

pub const UNIT_COLUMNS: [(&str, &str); 4] = [
    ("code", "代码"),
    ("name", "名称"),
    ("level", "层级"),
    ("parent_code", "上级代码"),
];

/// Validates a units table against the units already known. Rows come back ordered so that every
/// parent precedes its children.
pub fn validate_units(
    table: &Table,
    known: &HashMap<UnitCode, KnownUnit>,
) -> Result<Vec<UnitRow>, Vec<CellError>> {
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &UNIT_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    let mut seen: HashMap<UnitCode, usize> = HashMap::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let mut err = |col: &str, msg: String| {
            errors.push(CellError {
                row,
                column: col.into(),
                message: msg,
            })
        };
        let code = UnitCode::parse(cell(raw, ix[0]))
            .map_err(|e| err("code", e.to_string()))
            .ok();
        let name = text::required(cell(raw, ix[1]), 100)
            .map_err(|e| err("name", e.to_string()))
            .ok();
        let level = Level::parse(cell(raw, ix[2]))
            .map_err(|e| err("level", e.to_string()))
            .ok();
        let parent_raw = cell(raw, ix[3]).trim();
        let parent = if parent_raw.is_empty() {
            Some(None)
        } else {
            UnitCode::parse(parent_raw)
                .map(Some)
                .map_err(|e| err("parent_code", e.to_string()))
                .ok()
        };
        if let Some(c) = &code {
            if let Some(first) = seen.get(c) {
                err(
                    "code",
                    format!("单位代码 {} 与第 {first} 行重复", c.as_str()),
                );
            } else {
                seen.insert(c.clone(), row);
            }
        }
        // A row with a bad name still takes part in the tree checks, so that every problem of the
        // file is reported at once; the file as a whole is rejected anyway.
        if let (Some(code), Some(level), Some(parent)) = (code, level, parent) {
            rows.push(UnitRow {
                row,
                code,
                name: name.unwrap_or_default(),
                level,
                parent,
            });
        }
    }
    // The tree after the import: known units overlaid with the file's rows.
    let mut tree: HashMap<UnitCode, (Level, Option<UnitCode>)> = known
        .iter()
        .map(|(c, k)| (c.clone(), (k.level, k.parent.clone())))
        .collect();
    for r in &rows {
        tree.insert(r.code.clone(), (r.level, r.parent.clone()));
    }
    for r in &rows {
        let mut err = |col: &str, msg: String| {
            errors.push(CellError {
                row: r.row,
                column: col.into(),
                message: msg,
            })
        };
        // cycle: walking up from the row must end at a root without meeting the row again
        let mut cur = r.parent.clone();
        let mut steps = 0;
        let mut cyclic = false;
        while let Some(c) = cur {
            if c == r.code || steps > tree.len() {
                cyclic = true;
                break;
            }
            steps += 1;
            cur = tree.get(&c).and_then(|(_, p)| p.clone());
        }
        if cyclic {
            err(
                "parent_code",
                format!("上级关系形成循环：{} 最终成为自己的上级", r.code.as_str()),
            );
            continue;
        }
        match (&r.parent, r.level.parent_level()) {
            (None, None) => {
                if let Some((root, _)) = tree
                    .iter()
                    .find(|(c, (l, _))| *l == Level::NATIONAL && **c != r.code)
                {
                    err(
                        "level",
                        format!("已有最高一级单位 {}，不能再建第二个", root.as_str()),
                    );
                }
            }
            (None, Some(_)) => err("parent_code", "层级 2–4 的单位须填写上级代码".into()),
            (Some(_), None) => err("parent_code", "层级 1 的单位不能有上级".into()),
            (Some(p), Some(want)) => match tree.get(p) {
                None => err("parent_code", format!("上级单位代码 {} 不存在", p.as_str())),
                Some((pl, _)) if *pl != want => err(
                    "level",
                    format!(
                        "层级 {} 与上级 {}（层级 {}）不衔接",
                        r.level.get(),
                        p.as_str(),
                        pl.get()
                    ),
                ),
                _ => {}
            },
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        return Err(errors);
    }
    rows.sort_by_key(|r| r.level);
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub row: usize,
    pub staff_id: String,
    pub name: String,
    pub unit: UnitCode,
    pub department: String,
    pub post: String,
    pub is_leader: bool,
}

pub const STAFF_COLUMNS: [(&str, &str); 6] = [
    ("staff_id", "工号"),
    ("name", "姓名"),
    ("unit_code", "单位代码"),
    ("department", "部门"),
    ("post", "职务"),
    ("is_leader", "院领导"),
];

pub fn parse_staff_id(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if (1..=32).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(v.to_string())
    } else {
        Err("工号须为 1–32 位字母、数字、连字符或下划线".into())
    }
}

pub fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "1" | "是" | "true" | "yes" | "y" => Some(true),
        "0" | "否" | "false" | "no" | "n" | "" => Some(false),
        _ => None,
    }
}

/// Validates a staff table; `units` is the set of unit codes that exist.
pub fn validate_staff(
    table: &Table,
    units: &HashSet<UnitCode>,
) -> Result<Vec<StaffRow>, Vec<CellError>> {
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &STAFF_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let mut err = |col: &str, msg: String| {
            errors.push(CellError {
                row,
                column: col.into(),
                message: msg,
            })
        };
        let staff_id = parse_staff_id(cell(raw, ix[0]))
            .map_err(|m| err("staff_id", m))
            .ok();
        if let Some(s) = &staff_id {
            match seen.get(s) {
                Some(first) => err("staff_id", format!("工号 {s} 与第 {first} 行重复")),
                None => {
                    seen.insert(s.clone(), row);
                }
            }
        }
        let name = text::required(cell(raw, ix[1]), 50)
            .map_err(|e| err("name", e.to_string()))
            .ok();
        let unit = match UnitCode::parse(cell(raw, ix[2])) {
            Ok(c) if units.contains(&c) => Some(c),
            Ok(c) => {
                err("unit_code", format!("单位代码 {} 不存在", c.as_str()));
                None
            }
            Err(e) => {
                err("unit_code", e.to_string());
                None
            }
        };
        let department = text::optional(cell(raw, ix[3]), 60)
            .map_err(|e| err("department", e.to_string()))
            .ok();
        let post = text::optional(cell(raw, ix[4]), 60)
            .map_err(|e| err("post", e.to_string()))
            .ok();
        let is_leader = parse_flag(cell(raw, ix[5]));
        if is_leader.is_none() {
            err("is_leader", "应填 1（是）或 0（否）".into());
        }
        if let (
            Some(staff_id),
            Some(name),
            Some(unit),
            Some(department),
            Some(post),
            Some(is_leader),
        ) = (staff_id, name, unit, department, post, is_leader)
        {
            rows.push(StaffRow {
                row,
                staff_id,
                name,
                unit,
                department,
                post,
                is_leader,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod id_number_tests {
    use super::valid_id_number;
    #[test]
    fn check_character() {
        assert!(valid_id_number("11010519491231002X"));
        assert!(valid_id_number("11010519491231002x"));
        assert!(!valid_id_number("110105194912310021"));
        assert!(!valid_id_number("1101051949123100"));
        assert!(!valid_id_number("11010519491231002Ｘ"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn t(rows: &[&str]) -> Table {
        rows.iter()
            .map(|r| r.split(',').map(String::from).collect())
            .collect()
    }
    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }
    fn known() -> HashMap<UnitCode, KnownUnit> {
        HashMap::from([
            (
                code("100000"),
                KnownUnit {
                    level: Level::NATIONAL,
                    parent: None,
                },
            ),
            (
                code("330000"),
                KnownUnit {
                    level: Level::new(2).unwrap(),
                    parent: Some(code("100000")),
                },
            ),
        ])
    }
    #[test]
    fn good_units_come_parent_first() {
        let rows = validate_units(
            &t(&[
                "code,name,level,parent_code",
                "330106,西湖区人民检察院,4,330100",
                "330100,杭州市人民检察院,3,330000",
            ]),
            &known(),
        )
        .unwrap();
        assert_eq!(rows[0].code.as_str(), "330100");
        assert_eq!(rows[1].row, 2);
    }
    #[test]
    fn every_bad_cell_is_reported() {
        let errs = validate_units(
            &t(&[
                "code,name,level,parent_code",
                "3,x,9,100000",
                "330100,,3,999999",
                "330100,杭州,3,330000",
                "440000,广东,3,100000",
                "200000,第二个最高检,1,",
            ]),
            &known(),
        )
        .unwrap_err();
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert!(cells.contains(&(2, "code")));
        assert!(cells.contains(&(2, "level")));
        assert!(cells.contains(&(3, "name")));
        assert!(
            cells.contains(&(4, "code")),
            "duplicate code reported: {errs:?}"
        );
        assert!(cells.contains(&(5, "level")));
        assert!(cells.contains(&(6, "level")));
    }
    #[test]
    fn cycles_are_reported() {
        let errs = validate_units(
            &t(&["code,name,level,parent_code", "A1,甲,3,B1", "B1,乙,3,A1"]),
            &known(),
        )
        .unwrap_err();
        assert!(errs.iter().any(|e| e.message.contains("循环")), "{errs:?}");
    }
    #[test]
    fn missing_column() {
        let errs = validate_units(&t(&["code,name,level"]), &known()).unwrap_err();
        assert_eq!(errs[0].column, "parent_code");
    }
    #[test]
    fn staff_rows() {
        let units: HashSet<UnitCode> = [code("100000")].into();
        let ok = validate_staff(
            &t(&[
                "staff_id,name,unit_code,department,post,is_leader",
                "S1,张军,100000,,检察长,1",
                "S2,李明,100000,办公厅,主任,0",
            ]),
            &units,
        )
        .unwrap();
        assert!(ok[0].is_leader && !ok[1].is_leader);
        let errs = validate_staff(
            &t(&[
                "staff_id,name,unit_code,department,post,is_leader",
                "S1,张军,100000,,检察长,1",
                "S1,李明,999999,办公厅,主任,x",
                "S 3,\u{FFFD},100000,,,0",
            ]),
            &units,
        )
        .unwrap_err();
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            vec![
                (3, "staff_id"),
                (3, "unit_code"),
                (3, "is_leader"),
                (4, "staff_id"),
                (4, "name")
            ]
        );
    }
}

/// One row of an imported rectification ledger, with names resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub row: usize,
    pub seq: i64,
    pub feedback: String,
    pub manifestation: String,
    pub task: String,
    pub measure: String,
    pub category: crate::rectification::Category,
    pub lead_leader: Option<i64>,
    /// department ids, the first is the lead department
    pub departments: Vec<i64>,
    pub responsible: Option<i64>,
    pub deadline: Option<chrono::NaiveDate>,
    pub progress: String,
    pub evidence: String,
    /// (reviewer's name, closure date)
    pub closed: Option<(String, chrono::NaiveDate)>,
}

pub const LEDGER_COLUMNS: [(&str, &str); 14] = [
    ("序号", "seq"),
    ("反馈问题", "feedback"),
    ("具体表现", "manifestation"),
    ("整改任务", "task"),
    ("整改措施", "measure"),
    ("类别", "category"),
    ("牵头领导", "lead_leader"),
    ("责任部门", "departments"),
    ("责任人", "responsible"),
    ("完成时限", "deadline"),
    ("进展情况", "progress"),
    ("佐证材料", "evidence"),
    ("销号审核", "reviewer"),
    ("销号日期", "closed_on"),
];

/// Validates a ledger workbook in the customary layout. Names of leaders and responsible persons
/// are matched to the unit's staff, departments (several, separated by 、) to its departments; an
/// unknown name is an error for its row. Every problem of the file is reported.
pub fn validate_ledger(
    table: &Table,
    staff: &HashMap<String, i64>,
    departments: &HashMap<String, i64>,
) -> Result<Vec<LedgerRow>, Vec<CellError>> {
    use crate::rectification::Category;
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &LEDGER_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let c = |k: usize| cell(raw, ix[k]).trim().to_string();
        let mut err = |col: &str, msg: String| {
            errors.push(CellError {
                row,
                column: col.into(),
                message: msg,
            })
        };
        let seq = match c(0).parse::<i64>() {
            Ok(n) if n > 0 => {
                if let Some(first) = seen.insert(n, row) {
                    err("序号", format!("序号 {n} 与第 {first} 行重复"));
                }
                Some(n)
            }
            _ => {
                err("序号", "须为正整数".into());
                None
            }
        };
        let text_of = |k: usize, max: usize, required: bool| {
            if required {
                text::required(&c(k), max)
            } else {
                text::optional(&c(k), max)
            }
        };
        let feedback = text_of(1, 500, true)
            .map_err(|e| err("反馈问题", e.to_string()))
            .ok();
        let manifestation = text_of(2, 2000, false)
            .map_err(|e| err("具体表现", e.to_string()))
            .ok();
        let task = text_of(3, 500, true)
            .map_err(|e| err("整改任务", e.to_string()))
            .ok();
        let measure = text_of(4, 2000, false)
            .map_err(|e| err("整改措施", e.to_string()))
            .ok();
        let category = Category::parse(&c(5));
        if category.is_none() {
            err("类别", "须为 立行立改、限期整改 或 长期整改".into());
        }
        let person =
            |name: String, col: &str, err: &mut dyn FnMut(&str, String)| -> Option<Option<i64>> {
                if name.is_empty() {
                    return Some(None);
                }
                match staff.get(&name) {
                    Some(id) => Some(Some(*id)),
                    None => {
                        err(col, format!("本单位人员中没有“{name}”"));
                        None
                    }
                }
            };
        let lead = person(c(6), "牵头领导", &mut err);
        let mut depts = Vec::new();
        for name in c(7)
            .split(['、', ',', '，'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match departments.get(name) {
                Some(id) => depts.push(*id),
                None => err("责任部门", format!("本单位没有部门“{name}”")),
            }
        }
        let responsible = person(c(8), "责任人", &mut err);
        let deadline = match c(9).as_str() {
            "" | "长期" | "长期坚持" => Some(None),
            d => crate::calendar::parse_date(d)
                .map(Some)
                .map_err(|e| err("完成时限", e.to_string()))
                .ok(),
        };
        let progress = text_of(10, 4000, false)
            .map_err(|e| err("进展情况", e.to_string()))
            .ok();
        let evidence = text_of(11, 2000, false)
            .map_err(|e| err("佐证材料", e.to_string()))
            .ok();
        let reviewer = c(12);
        let closed = match (reviewer.as_str(), c(13).as_str()) {
            ("", "") => Some(None),
            ("", _) => {
                err("销号审核", "有销号日期的任务须写明审核人".into());
                None
            }
            (_, "") => {
                err("销号日期", "有销号审核人的任务须写明销号日期".into());
                None
            }
            (r, d) => crate::calendar::parse_date(d)
                .map(|d| Some((r.to_string(), d)))
                .map_err(|e| err("销号日期", e.to_string()))
                .ok(),
        };
        if category == Some(Category::LongTerm) && matches!(closed, Some(Some(_))) {
            err("销号日期", "长期整改任务不销号".into());
        }
        if let (
            Some(seq),
            Some(feedback),
            Some(manifestation),
            Some(task),
            Some(measure),
            Some(category),
            Some(lead),
            Some(responsible),
            Some(deadline),
            Some(progress),
            Some(evidence),
            Some(closed),
        ) = (
            seq,
            feedback,
            manifestation,
            task,
            measure,
            category,
            lead,
            responsible,
            deadline,
            progress,
            evidence,
            closed,
        ) {
            rows.push(LedgerRow {
                row,
                seq,
                feedback,
                manifestation,
                task,
                measure,
                category,
                lead_leader: lead,
                departments: depts,
                responsible,
                deadline,
                progress,
                evidence,
                closed,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod ledger_tests {
    use super::*;
    #[test]
    fn ledger_rows_resolve_names_and_report_every_problem() {
        let header = LEDGER_COLUMNS
            .iter()
            .map(|c| c.0.to_string())
            .collect::<Vec<_>>();
        let staff = HashMap::from([("张军".to_string(), 1), ("李明".to_string(), 2)]);
        let depts = HashMap::from([("办公厅".to_string(), 10), ("政治部".to_string(), 11)]);
        let row = |v: [&str; 14]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let good = vec![
            header.clone(),
            row([
                "1",
                "党的领导弱化",
                "表现",
                "任务一",
                "措施",
                "限期整改",
                "张军",
                "办公厅、政治部",
                "李明",
                "2020-06-30",
                "已完成",
                "报告.pdf",
                "许静",
                "2020-06-20",
            ]),
            row([
                "2",
                "党的建设缺失",
                "",
                "任务二",
                "",
                "长期整改",
                "张军",
                "政治部",
                "",
                "",
                "取得阶段性成效",
                "",
                "",
                "",
            ]),
        ];
        let rows = validate_ledger(&good, &staff, &depts).unwrap();
        assert_eq!(rows[0].departments, vec![10, 11]);
        assert_eq!(rows[0].closed.as_ref().unwrap().0, "许静");
        assert_eq!(rows[1].deadline, None);
        let bad = vec![
            header,
            row([
                "x",
                "",
                "",
                "任务",
                "",
                "马上改",
                "王五",
                "后勤处",
                "李明",
                "2020-02-30",
                "",
                "",
                "许静",
                "",
            ]),
            row([
                "3",
                "问题",
                "",
                "任务",
                "",
                "长期整改",
                "",
                "",
                "",
                "",
                "",
                "",
                "许静",
                "2020-05-01",
            ]),
        ];
        let errs = validate_ledger(&bad, &staff, &depts).unwrap_err();
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        for want in [
            (2, "序号"),
            (2, "反馈问题"),
            (2, "类别"),
            (2, "牵头领导"),
            (2, "责任部门"),
            (2, "完成时限"),
            (2, "销号日期"),
            (3, "销号日期"),
        ] {
            assert!(cells.contains(&want), "{want:?} missing from {cells:?}");
        }
    }
}

/// A historical letter (`duban import letters`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRow {
    pub row: usize,
    pub received_on: chrono::NaiveDate,
    pub channel: crate::letters::Channel,
    pub unit: UnitCode,
    pub petitioner: String,
    pub phone: String,
    pub category: crate::letters::LetterCategory,
    pub content: String,
    pub acknowledged_on: Option<chrono::NaiveDate>,
    pub replied_on: Option<chrono::NaiveDate>,
    pub closed_on: Option<chrono::NaiveDate>,
}

pub const LETTER_COLUMNS: [(&str, &str); 10] = [
    ("received_on", "收到日期"),
    ("channel", "渠道"),
    ("unit_code", "单位代码"),
    ("petitioner", "信访人"),
    ("phone", "电话"),
    ("category", "类别"),
    ("content", "内容"),
    ("acknowledged_on", "程序性回复日期"),
    ("replied_on", "答复日期"),
    ("closed_on", "办结日期"),
];

/// Letters are at most this many characters.
pub const LETTER_MAX_CHARS: usize = 20_000;

/// A phone number as people write it: digits, with optional +, spaces and dashes, 5 to 20 digits.
pub fn valid_phone(raw: &str) -> bool {
    let raw = raw.trim();
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && raw
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (c == '+' && i == 0))
}

/// A resident identity card number (GB 11643): 18 characters, the last a digit or X, with its
/// ISO 7064 MOD 11-2 check character.
pub fn valid_id_number(raw: &str) -> bool {
    let c: Vec<char> = raw.trim().chars().collect();
    if c.len() != 18 || !c[..17].iter().all(char::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = c[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| d.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    c[17].to_ascii_uppercase() == check
}

/// Validates a letters table: dates, channels, categories and units; replies not before receipt.
pub fn validate_letters(
    table: &Table,
    units: &HashSet<UnitCode>,
) -> Result<Vec<LetterRow>, Vec<CellError>> {
    use crate::letters::{Channel, LetterCategory};
    let mut errors = Vec::new();
    let Some(ix) = columns(table, &LETTER_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut rows = Vec::new();
    for (i, raw) in table.iter().enumerate().skip(1) {
        let row = i + 1;
        if is_blank(raw) {
            continue;
        }
        let mut err = |col: &str, msg: String| {
            errors.push(CellError {
                row,
                column: col.into(),
                message: msg,
            })
        };
        let date = |col: usize| -> Result<Option<chrono::NaiveDate>, String> {
            match cell(raw, ix[col]).trim() {
                "" => Ok(None),
                s => crate::calendar::parse_date(s)
                    .map(Some)
                    .map_err(|e| e.to_string()),
            }
        };
        let received = match date(0) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                err("received_on", "请填写收到日期".into());
                None
            }
            Err(m) => {
                err("received_on", m);
                None
            }
        };
        let channel = Channel::parse(cell(raw, ix[1]));
        if channel.is_none() {
            err(
                "channel",
                format!(
                    "渠道“{}”无效（网上、来信、来访、12309、转来）",
                    cell(raw, ix[1]).trim()
                ),
            );
        }
        let unit = match UnitCode::parse(cell(raw, ix[2])) {
            Ok(c) if units.contains(&c) => Some(c),
            Ok(c) => {
                err("unit_code", format!("单位代码 {} 不存在", c.as_str()));
                None
            }
            Err(e) => {
                err("unit_code", e.to_string());
                None
            }
        };
        let petitioner = text::optional(cell(raw, ix[3]), 50)
            .map_err(|e| err("petitioner", e.to_string()))
            .ok();
        let phone = cell(raw, ix[4]).trim().to_string();
        if !phone.is_empty() && !valid_phone(&phone) {
            err("phone", format!("电话号码“{phone}”无效"));
        }
        let category = LetterCategory::parse(cell(raw, ix[5]));
        if category.is_none() {
            err(
                "category",
                format!(
                    "类别“{}”无效（控告、举报、申诉、求决、意见建议、其他）",
                    cell(raw, ix[5]).trim()
                ),
            );
        }
        let content = text::required(cell(raw, ix[6]), LETTER_MAX_CHARS)
            .map_err(|e| err("content", e.to_string()))
            .ok();
        let mut later = [None, None, None];
        for (k, (col, name)) in [(7, "acknowledged_on"), (8, "replied_on"), (9, "closed_on")]
            .into_iter()
            .enumerate()
        {
            match date(col) {
                Ok(Some(d)) if received.is_some_and(|r| d < r) => {
                    err(name, format!("{d} 早于收到日期"))
                }
                Ok(d) => later[k] = d,
                Err(m) => err(name, m),
            }
        }
        if let (
            Some(received_on),
            Some(channel),
            Some(unit),
            Some(petitioner),
            Some(category),
            Some(content),
        ) = (received, channel, unit, petitioner, category, content)
        {
            rows.push(LetterRow {
                row,
                received_on,
                channel,
                unit,
                petitioner,
                phone,
                category,
                content,
                acknowledged_on: later[0],
                replied_on: later[1],
                closed_on: later[2],
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod letter_tests {
    use super::*;

    fn t(rows: &[&str]) -> Table {
        rows.iter()
            .map(|r| r.split(',').map(String::from).collect())
            .collect()
    }

    #[test]
    fn letters_are_checked_cell_by_cell() {
        let units: HashSet<UnitCode> = [UnitCode::parse("100000").unwrap()].into_iter().collect();
        let head = "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on";
        let ok = validate_letters(&t(&[head, "2020-03-02,12309,100000,张三,010-12345678,控告,反映某案办理拖延,2020-03-05,2020-05-20,"]), &units).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(
            (
                ok[0].acknowledged_on.map(|d| d.to_string()),
                ok[0].closed_on
            ),
            (Some("2020-03-05".into()), None)
        );
        let errs = validate_letters(
            &t(&[
                head,
                "2020-13-02,电报,999999,李四,abc,闲聊,,2020-03-01,,",
                "2020-03-02,来信,100000,,,其他,x,2020-03-01,,",
            ]),
            &units,
        )
        .unwrap_err();
        let cols: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        for want in [
            (2, "received_on"),
            (2, "channel"),
            (2, "unit_code"),
            (2, "phone"),
            (2, "category"),
            (2, "content"),
            (3, "acknowledged_on"),
        ] {
            assert!(cols.contains(&want), "{want:?} in {errs:?}");
        }
        assert!(
            valid_phone("+86 138-0013-8000") && !valid_phone("12") && !valid_phone("1+2345678")
        );
    }
}

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

/// A checker fed a file row by row (row 1 the header), then asked for all it kept or every
/// problem.
pub trait RowCheck {
    type Out;
    fn check_row(&mut self, row: usize, raw: &[&str]);
    fn done(self) -> Result<Self::Out, Vec<CellError>>;
}

/// At most this many problems are listed; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

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
    errors: Vec<CellError>,
    unlisted: usize,
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
            errors: Vec::new(),
            unlisted: 0,
        }
    }

    fn err(&mut self, row: usize, column: &str, message: String) {
        if self.errors.len() < MAX_LISTED_PROBLEMS {
            self.errors.push(CellError {
                row,
                column: column.into(),
                message,
            });
        } else {
            self.unlisted += 1;
        }
    }

    /// Takes the file's row number `row` (the header is row 1).
    pub fn row<S: AsRef<str>>(&mut self, row: usize, raw: &[S]) {
        use crate::records::{IntervenerCategory, Manner, Matter, Month};
        if !self.header_seen {
            self.header_seen = true;
            let header: Vec<String> = raw.iter().map(|c| c.as_ref().to_string()).collect();
            self.ix = columns(&vec![header], &RECORD_COLUMNS, &mut self.errors);
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
    pub fn finish(mut self) -> Result<CheckedRecords, Vec<CellError>> {
        if !self.header_seen {
            return Err(vec![CellError {
                row: 1,
                column: "-".into(),
                message: "文件为空，缺少表头".into(),
            }]);
        }
        if self.unlisted > 0 {
            self.errors.push(CellError {
                row: 0,
                column: "-".into(),
                message: format!("另有 {} 处问题未列出", self.unlisted),
            });
        }
        if self.errors.is_empty() {
            Ok(self.out)
        } else {
            Err(self.errors)
        }
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

/// The columns of a case-events file (`tags` optional, last).
pub const CASE_COLUMNS: [(&str, &str); 5] = [
    ("case_id", "案件编号"),
    ("unit_code", "单位代码"),
    ("case_type", "案件类型"),
    ("event", "事件"),
    ("occurred_on", "发生日期"),
];

/// A case as a checked file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// the first row naming it
    pub row: usize,
    pub case_no: String,
    pub unit_id: i64,
    pub case_type: String,
    pub tags: Vec<String>,
}

/// A case-events file that passed every check: cases, and events as (case index, day, event
/// index into `event_names`) — sorted, duplicates removed (importing a file twice adds nothing).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedCases {
    pub cases: Vec<CaseRow>,
    pub events: Vec<(u32, chrono::NaiveDate, u16)>,
    pub event_names: Vec<String>,
}

/// Checks a case-events file row by row (a nationwide year is tens of millions of rows: only
/// compact events are kept): known units, case types and events (the configured vocabulary),
/// dates not in the future, a case staying in one unit and of one type, at most 5 tags of 20
/// characters. Row 1 is the header.
pub struct CasesCheck {
    units: rustc_hash::FxHashMap<String, i64>,
    event_names: Vec<String>,
    today: chrono::NaiveDate,
    ix: Option<(Vec<usize>, Option<usize>)>,
    header_seen: bool,
    case_index: rustc_hash::FxHashMap<String, u32>,
    out: CheckedCases,
    errors: Vec<CellError>,
    unlisted: usize,
}

impl CasesCheck {
    /// `units` maps unit codes to ids; `events` is the vocabulary.
    pub fn new(
        units: HashMap<String, i64>,
        events: Vec<String>,
        today: chrono::NaiveDate,
    ) -> CasesCheck {
        CasesCheck {
            units: units.into_iter().collect(),
            event_names: events.clone(),
            today,
            ix: None,
            header_seen: false,
            case_index: Default::default(),
            out: CheckedCases {
                event_names: events,
                ..Default::default()
            },
            errors: Vec::new(),
            unlisted: 0,
        }
    }

    fn err(&mut self, row: usize, column: &str, message: String) {
        if self.errors.len() < MAX_LISTED_PROBLEMS {
            self.errors.push(CellError {
                row,
                column: column.into(),
                message,
            });
        } else {
            self.unlisted += 1;
        }
    }

    pub fn row<S: AsRef<str>>(&mut self, row: usize, raw: &[S]) {
        if !self.header_seen {
            self.header_seen = true;
            let header: Vec<String> = raw.iter().map(|c| c.as_ref().to_string()).collect();
            let tags = header
                .iter()
                .position(|h| matches!(h.trim().to_lowercase().as_str(), "tags" | "标签"));
            self.ix = columns(&vec![header], &CASE_COLUMNS, &mut self.errors).map(|ix| (ix, tags));
            return;
        }
        let Some((ix, tags_at)) = &self.ix else {
            return;
        };
        let cells: [&str; 5] =
            std::array::from_fn(|k| raw.get(ix[k]).map(|c| c.as_ref().trim()).unwrap_or(""));
        let tags_cell = tags_at
            .and_then(|t| raw.get(t))
            .map(|c| c.as_ref().trim())
            .unwrap_or("");
        if cells.iter().all(|c| c.is_empty()) && tags_cell.is_empty() {
            return;
        }
        let [case_no, unit, case_type, event, on] = cells;
        let mut problems: Vec<(&str, String)> = Vec::new();
        if case_no.is_empty() || case_no.chars().count() > 64 {
            problems.push(("case_id", "案件编号不能为空，且不超过 64 个字符".into()));
        }
        let unit_id = self.units.get(unit).copied();
        if unit_id.is_none() {
            problems.push(("unit_code", format!("单位代码“{unit}”不存在")));
        }
        if !crate::quality::CASE_TYPES.contains(&case_type) {
            problems.push((
                "case_type",
                format!(
                    "案件类型“{case_type}”无效（{}）",
                    crate::quality::CASE_TYPES.join("、")
                ),
            ));
        }
        let event_ix = self.event_names.iter().position(|e| e == event);
        if event_ix.is_none() {
            problems.push((
                "event",
                format!("未知的事件“{event}”（事件清单见质量规则）"),
            ));
        }
        let date = match crate::calendar::parse_date(on) {
            Ok(d) if d > self.today => {
                problems.push(("occurred_on", format!("发生日期 {d} 晚于今天")));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(("occurred_on", e.to_string()));
                None
            }
        };
        let tags: Vec<String> = tags_cell
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        if tags.len() > 5 || tags.iter().any(|t| t.chars().count() > 20) {
            problems.push(("tags", "标签最多 5 个，每个不超过 20 个字".into()));
        }
        let known = problems.is_empty();
        for (col, msg) in problems {
            self.err(row, col, msg);
        }
        if !known {
            return;
        }
        let (Some(unit_id), Some(event_ix), Some(date)) = (unit_id, event_ix, date) else {
            return;
        };
        let idx = match self.case_index.get(case_no) {
            Some(i) => {
                let c = &self.out.cases[*i as usize];
                if c.unit_id != unit_id {
                    let first = c.row;
                    self.err(
                        row,
                        "unit_code",
                        format!(
                            "案件 {case_no} 在第 {first} 行属于另一单位：案件不能在单位之间移动"
                        ),
                    );
                    return;
                }
                if c.case_type != case_type {
                    let first = c.row;
                    self.err(
                        row,
                        "case_type",
                        format!("案件 {case_no} 在第 {first} 行是另一类型"),
                    );
                    return;
                }
                *i
            }
            None => {
                let i = self.out.cases.len() as u32;
                self.case_index.insert(case_no.to_string(), i);
                self.out.cases.push(CaseRow {
                    row,
                    case_no: case_no.to_string(),
                    unit_id,
                    case_type: case_type.to_string(),
                    tags: vec![],
                });
                i
            }
        };
        let c = &mut self.out.cases[idx as usize];
        for t in tags {
            if !c.tags.contains(&t) {
                c.tags.push(t);
            }
        }
        if self.errors.is_empty() {
            self.out.events.push((idx, date, event_ix as u16));
        }
    }

    pub fn finish(mut self) -> Result<CheckedCases, Vec<CellError>> {
        if !self.header_seen {
            return Err(vec![CellError {
                row: 1,
                column: "-".into(),
                message: "文件为空，缺少表头".into(),
            }]);
        }
        if self.unlisted > 0 {
            self.errors.push(CellError {
                row: 0,
                column: "-".into(),
                message: format!("另有 {} 处问题未列出", self.unlisted),
            });
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        // cases in the order of their numbers, so that a large import appends to the cases'
        // tables and indexes instead of writing all over them (DECISIONS 56)
        let mut numbered: Vec<(usize, CaseRow)> = std::mem::take(&mut self.out.cases)
            .into_iter()
            .enumerate()
            .collect();
        numbered.sort_unstable_by(|a, b| a.1.case_no.cmp(&b.1.case_no));
        let mut place = vec![0u32; numbered.len()];
        for (new, (old, _)) in numbered.iter().enumerate() {
            place[*old] = new as u32;
        }
        self.out.cases = numbered.into_iter().map(|(_, c)| c).collect();
        for e in &mut self.out.events {
            e.0 = place[e.0 as usize];
        }
        self.out.events.sort_unstable();
        self.out.events.dedup();
        Ok(self.out)
    }
}

impl RowCheck for CasesCheck {
    type Out = CheckedCases;
    fn check_row(&mut self, row: usize, raw: &[&str]) {
        self.row(row, raw)
    }
    fn done(self) -> Result<CheckedCases, Vec<CellError>> {
        self.finish()
    }
}

#[cfg(test)]
mod case_tests {
    use super::*;

    #[test]
    fn case_files_are_checked_row_by_row() {
        let units: HashMap<String, i64> =
            [("100000".to_string(), 1), ("330000".to_string(), 2)].into();
        let events = crate::quality::QualityRules::default()
            .events
            .iter()
            .map(|e| e.name.clone())
            .collect::<Vec<_>>();
        let today = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let run = |lines: &[&str]| {
            let mut c = CasesCheck::new(units.clone(), events.clone(), today);
            c.row(
                1,
                &[
                    "case_id",
                    "unit_code",
                    "case_type",
                    "event",
                    "occurred_on",
                    "tags",
                ],
            );
            for (i, l) in lines.iter().enumerate() {
                let cells: Vec<&str> = l.split(',').collect();
                c.row(i + 2, &cells);
            }
            c.finish()
        };
        let ok = run(&[
            "A1,100000,刑事,受理审查逮捕,2020-02-01,涉疫",
            "A1,100000,刑事,批准逮捕,2020-02-05,",
            "A1,100000,刑事,批准逮捕,2020-02-05,",
            "B1,330000,民事,受理民事监督,2020-03-01,",
        ])
        .unwrap();
        assert_eq!(ok.cases.len(), 2);
        assert_eq!(ok.events.len(), 3, "the duplicate row adds nothing");
        assert_eq!(ok.cases[0].tags, ["涉疫"]);
        let errs = run(&[
            "A1,100000,刑事,受理审查逮捕,2020-02-01,",
            "A1,330000,刑事,批准逮捕,2020-02-05,",
            "A2,999999,刑事,受理审查逮捕,2020-02-01,",
            "A3,100000,海事,受理审查逮捕,2020-02-01,",
            "A4,100000,刑事,喝茶,2020-02-01,",
            "A5,100000,刑事,审结,2021-02-01,",
        ])
        .unwrap_err();
        let has = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
        assert!(has(3, "unit_code"), "a case moving between units: {errs:?}");
        assert!(
            has(4, "unit_code") && has(5, "case_type") && has(6, "event") && has(7, "occurred_on")
        );
    }
}
