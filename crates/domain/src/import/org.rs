//! Checks of the units and staff tables.
use super::*;
use crate::org::{Level, UnitCode, UnitKind};
use crate::text;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub row: usize,
    pub code: UnitCode,
    pub name: String,
    pub level: Level,
    pub parent: Option<UnitCode>,
    pub kind: UnitKind,
}

/// What the database already holds about a unit.
#[derive(Debug, Clone)]
pub struct KnownUnit {
    pub level: Level,
    pub parent: Option<UnitCode>,
    pub kind: UnitKind,
}

/// A column a units file may have: the unit's kind (default 检察院).
pub const UNIT_OPTIONAL_COLUMNS: [(&str, &str); 1] = [("kind", "类别")];

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
    let kind_ix = optional_columns(table, &UNIT_OPTIONAL_COLUMNS)[0];
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
        let kind = match kind_ix.map(|k| cell(raw, k).trim()).unwrap_or("") {
            "" => Some(UnitKind::Procuratorate),
            w => UnitKind::parse(w).or_else(|| {
                err(
                    "kind",
                    format!("单位类别须为{}之一，不是“{w}”", UnitKind::list()),
                );
                None
            }),
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
        if let (Some(code), Some(level), Some(parent), Some(kind)) = (code, level, parent, kind) {
            rows.push(UnitRow {
                row,
                code,
                name: name.unwrap_or_default(),
                level,
                parent,
                kind,
            });
        }
    }
    // The tree after the import: known units overlaid with the file's rows.
    let mut tree: HashMap<UnitCode, (Level, Option<UnitCode>)> = known
        .iter()
        .map(|(c, k)| (c.clone(), (k.level, k.parent.clone())))
        .collect();
    let mut kinds: HashMap<UnitCode, UnitKind> =
        known.iter().map(|(c, k)| (c.clone(), k.kind)).collect();
    for r in &rows {
        tree.insert(r.code.clone(), (r.level, r.parent.clone()));
        kinds.insert(r.code.clone(), r.kind);
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
        if let Some(p) = &r.parent
            && kinds.get(p).is_some_and(|k| k.is_attached())
        {
            err(
                "parent_code",
                format!("上级 {} 是{}，其下不能再设单位", p.as_str(), kinds[p].zh()),
            );
            continue;
        }
        match (&r.parent, r.kind.parent_level(r.level)) {
            (None, None) => {
                if let Some((root, _)) =
                    tree.iter().find(|(c, (_, p))| p.is_none() && **c != r.code)
                {
                    err(
                        "level",
                        format!("已有最高一级单位 {}，不能再建第二个", root.as_str()),
                    );
                }
            }
            (None, Some(_)) if r.kind.is_attached() => err(
                "parent_code",
                format!("{}须填写所属检察院的代码", r.kind.zh()),
            ),
            (None, Some(_)) => err("parent_code", "层级 2–4 的单位须填写上级代码".into()),
            (Some(_), None) => err("parent_code", "层级 1 的单位不能有上级".into()),
            (Some(p), Some(want)) => match tree.get(p) {
                None => err("parent_code", format!("上级单位代码 {} 不存在", p.as_str())),
                Some((pl, _)) if *pl != want && r.kind.is_attached() => err(
                    "level",
                    format!(
                        "{}与所属检察院同级：层级应为 {}，不是 {}",
                        r.kind.zh(),
                        pl.get(),
                        r.level.get()
                    ),
                ),
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
    // parents first: by level, a procuratorate before what is attached to it
    rows.sort_by_key(|r| (r.level, r.kind.is_attached()));
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
    pub joined_on: Option<chrono::NaiveDate>,
    pub left_on: Option<chrono::NaiveDate>,
    /// The login of the account made for this person (default: the staff number).
    pub login: Option<String>,
    /// The role of that account (default: from the leader flag, department and post).
    pub role: Option<crate::org::Role>,
}

/// Columns a staff file may have besides [`STAFF_COLUMNS`].
pub const STAFF_OPTIONAL_COLUMNS: [(&str, &str); 4] = [
    ("joined_on", "入职日期"),
    ("left_on", "离职日期"),
    ("login", "登录名"),
    ("role", "角色"),
];

/// A login: 2–40 letters, digits, dots, underscores or hyphens.
pub fn parse_login(raw: &str) -> Result<String, String> {
    let l = raw.trim();
    if (2..=40).contains(&l.len())
        && l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Ok(l.to_string())
    } else {
        Err("登录名须为 2–40 位字母、数字、点、下划线或连字符".into())
    }
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
    let opt = optional_columns(table, &STAFF_OPTIONAL_COLUMNS);
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut logins: HashMap<String, usize> = HashMap::new();
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
        let optional = |k: usize| {
            opt[k]
                .map(|i| cell(raw, i).trim())
                .filter(|v| !v.is_empty())
        };
        let mut date = |k: usize, col: &str| match optional(k) {
            None => Some(None),
            Some(v) => match crate::calendar::parse_date(v) {
                Ok(d) => Some(Some(d)),
                Err(e) => {
                    err(col, e.to_string());
                    None
                }
            },
        };
        let joined_on = date(0, "joined_on");
        let left_on = date(1, "left_on");
        if let (Some(Some(j)), Some(Some(l))) = (joined_on, left_on) {
            if l < j {
                err("left_on", format!("离职日期 {l} 早于入职日期 {j}"));
            }
        }
        let login = match optional(2).map(parse_login) {
            None => Some(None),
            Some(Ok(l)) => match logins.get(&l.to_lowercase()) {
                Some(first) => {
                    err("login", format!("登录名 {l} 与第 {first} 行重复"));
                    None
                }
                None => {
                    logins.insert(l.to_lowercase(), row);
                    Some(Some(l))
                }
            },
            Some(Err(m)) => {
                err("login", m);
                None
            }
        };
        let role = match optional(3).map(crate::org::Role::parse) {
            None => Some(None),
            Some(Ok(r)) => Some(Some(r)),
            Some(Err(e)) => {
                err("role", e.to_string());
                None
            }
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
        let unit = known_unit(cell(raw, ix[2]), units)
            .map_err(|e| err("unit_code", e))
            .ok();
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
            Some(joined_on),
            Some(left_on),
            Some(login),
            Some(role),
        ) = (
            staff_id, name, unit, department, post, is_leader, joined_on, left_on, login, role,
        ) {
            rows.push(StaffRow {
                row,
                staff_id,
                name,
                unit,
                department,
                post,
                is_leader,
                joined_on,
                left_on,
                login,
                role,
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
                    kind: UnitKind::Procuratorate,
                },
            ),
            (
                code("330000"),
                KnownUnit {
                    level: Level::new(2).unwrap(),
                    parent: Some(code("100000")),
                    kind: UnitKind::Procuratorate,
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
    fn attached_units_share_their_procuratorates_level() {
        let rows = validate_units(
            &t(&[
                "code,name,level,parent_code,kind",
                "100A01,检察日报社,1,100000,直属事业单位",
                "330106-P1,派驻公安分局检察室,4,330106,stationed",
                "330106,西湖区人民检察院,4,330100,",
                "330100,杭州市人民检察院,3,330000,检察院",
            ]),
            &known(),
        )
        .unwrap();
        let order: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(order, ["100A01", "330100", "330106", "330106-P1"]);
        assert_eq!(rows[0].kind, UnitKind::Institution);
        let errs = validate_units(
            &t(&[
                "code,name,level,parent_code,kind",
                "100A01,检察日报社,2,100000,直属事业单位",
                "100A02,无上级,1,,直属事业单位",
                "100A03,挂在事业单位下,1,100A04,检察院",
                "100A04,出版社,1,100000,直属事业单位",
                "100A05,未知类别,1,100000,公司",
            ]),
            &known(),
        )
        .unwrap_err();
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            [
                (2, "level"),
                (3, "parent_code"),
                (4, "parent_code"),
                (6, "kind")
            ],
            "{errs:?}"
        );
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
