//! Checks of the historical letters table.
use super::*;
use crate::org::UnitCode;
use crate::text;
use std::collections::HashSet;

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

/// Validates a letters table: dates, channels, categories and units; replies not before receipt
/// and nothing dated after `today` (a letter's history, not its future: 不搞形式销号).
pub fn validate_letters(
    table: &Table,
    units: &HashSet<UnitCode>,
    today: chrono::NaiveDate,
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
        let future = |d: chrono::NaiveDate| format!("{d} 晚于今天（{today}）");
        let received = match date(0) {
            Ok(Some(d)) if d > today => {
                err("received_on", future(d));
                None
            }
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
        let unit = known_unit(cell(raw, ix[2]), units)
            .map_err(|e| err("unit_code", e))
            .ok();
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
                Ok(Some(d)) if d > today => err(name, future(d)),
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
        let today = chrono::NaiveDate::from_ymd_opt(2020, 11, 5).unwrap();
        let ok = validate_letters(&t(&[head, "2020-03-02,12309,100000,张三,010-12345678,控告,反映某案办理拖延,2020-03-05,2020-05-20,"]), &units, today).unwrap();
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
                "2020-11-06,来信,100000,,,其他,x,,,",
                "2020-10-02,来信,100000,,,其他,x,2020-10-09,2020-11-05,2020-11-06",
            ]),
            &units,
            today,
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
            (4, "received_on"),
            (5, "closed_on"),
        ] {
            assert!(cols.contains(&want), "{want:?} in {errs:?}");
        }
        // the day itself is no later than today
        assert!(!cols.contains(&(5, "replied_on")), "{errs:?}");
        assert!(
            valid_phone("+86 138-0013-8000") && !valid_phone("12") && !valid_phone("1+2345678")
        );
    }
}
