//! Checks of the customary 14-column ledger workbook.
use super::*;
use crate::text;
use std::collections::HashMap;

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
