//! Checks of the case-events table, row by row.
use super::*;
use std::collections::HashMap;

/// The columns of a case-events file (`tags` and `persons` optional: the tags of the case, and
/// the number of persons — suspects or defendants — the event concerns; on a 认罪认罚 event,
/// those who pleaded).
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
    /// persons the case concerns: the most any of its events names (`None`: not given)
    pub persons: Option<u32>,
    /// persons who pleaded: the most its 认罪认罚 events name (`None`: not given — all)
    pub plea_persons: Option<u32>,
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
    ix: Option<(Vec<usize>, Option<usize>, Option<usize>)>,
    header_seen: bool,
    case_index: rustc_hash::FxHashMap<String, u32>,
    out: CheckedCases,
    errors: Problems,
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
            errors: Problems::default(),
        }
    }

    fn err(&mut self, row: usize, column: &str, message: String) {
        self.errors.push(row, column, message);
    }

    pub fn row<S: AsRef<str>>(&mut self, row: usize, raw: &[S]) {
        if !self.header_seen {
            self.header_seen = true;
            let header: Vec<String> = raw.iter().map(|c| c.as_ref().to_string()).collect();
            let tags = header
                .iter()
                .position(|h| matches!(h.trim().to_lowercase().as_str(), "tags" | "标签"));
            let persons = header
                .iter()
                .position(|h| matches!(h.trim().to_lowercase().as_str(), "persons" | "人数"));
            self.ix = columns(&vec![header], &CASE_COLUMNS, &mut self.errors.listed)
                .map(|ix| (ix, tags, persons));
            return;
        }
        let Some((ix, tags_at, persons_at)) = &self.ix else {
            return;
        };
        let persons_cell = persons_at
            .and_then(|t| raw.get(t))
            .map(|c| c.as_ref().trim())
            .unwrap_or("");
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
        let persons = if persons_cell.is_empty() {
            None
        } else {
            match persons_cell.parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => Some(n),
                _ => {
                    problems.push((
                        "persons",
                        format!("人数“{persons_cell}”应为 1 至 10000 的整数"),
                    ));
                    None
                }
            }
        };
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
                    persons: None,
                    plea_persons: None,
                });
                i
            }
        };
        let c = &mut self.out.cases[idx as usize];
        if let Some(n) = persons {
            c.persons = Some(c.persons.map_or(n, |p| p.max(n)));
            if event == crate::quality::PLEA {
                c.plea_persons = Some(c.plea_persons.map_or(n, |p| p.max(n)));
            }
        }
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
        std::mem::take(&mut self.errors).into_result()?;
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
        // no more pleaded than the case concerns
        for c in &mut self.out.cases {
            if let (Some(p), Some(n)) = (c.plea_persons, c.persons) {
                c.plea_persons = Some(p.min(n));
            }
        }
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
    fn persons_come_from_the_events_and_plea_events() {
        let units: HashMap<String, i64> = [("100000".to_string(), 1)].into();
        let events = crate::quality::QualityRules::default()
            .events
            .iter()
            .map(|e| e.name.clone())
            .collect::<Vec<_>>();
        let today = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let mut c = CasesCheck::new(units, events, today);
        c.row(
            1,
            &[
                "case_id",
                "unit_code",
                "case_type",
                "event",
                "occurred_on",
                "人数",
            ],
        );
        c.row(
            2,
            &["A1", "100000", "刑事", "受理审查起诉", "2020-02-01", "3"],
        );
        c.row(
            3,
            &[
                "A1",
                "100000",
                "刑事",
                crate::quality::PLEA,
                "2020-02-05",
                "2",
            ],
        );
        c.row(
            4,
            &["A2", "100000", "刑事", "受理审查起诉", "2020-02-01", ""],
        );
        let ok = c.finish().unwrap();
        assert_eq!(
            (ok.cases[0].persons, ok.cases[0].plea_persons),
            (Some(3), Some(2))
        );
        assert_eq!(
            (ok.cases[1].persons, ok.cases[1].plea_persons),
            (None, None)
        );
        let mut c = CasesCheck::new(
            [("100000".to_string(), 1)].into(),
            vec!["受理审查起诉".into()],
            today,
        );
        c.row(
            1,
            &[
                "case_id",
                "unit_code",
                "case_type",
                "event",
                "occurred_on",
                "persons",
            ],
        );
        c.row(
            2,
            &["A1", "100000", "刑事", "受理审查起诉", "2020-02-01", "0"],
        );
        let errs = c.finish().unwrap_err();
        assert!(
            errs.iter().any(|e| e.row == 2 && e.column == "persons"),
            "{errs:?}"
        );
    }

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
