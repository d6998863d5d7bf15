//! The rectification ledger as an XLSX workbook in the customary column order.
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// 序号, 反馈问题, 具体表现, 整改任务, 整改措施, 类别, 牵头领导, 责任部门, 责任人, 完成时限, 进展情况, 佐证材料, 销号审核, 销号日期
pub const COLUMNS: [&str; 14] = [
    "序号",
    "反馈问题",
    "具体表现",
    "整改任务",
    "整改措施",
    "类别",
    "牵头领导",
    "责任部门",
    "责任人",
    "完成时限",
    "进展情况",
    "佐证材料",
    "销号审核",
    "销号日期",
];

const WIDTHS: [f64; 14] = [
    6.0, 18.0, 30.0, 30.0, 36.0, 10.0, 10.0, 18.0, 10.0, 12.0, 40.0, 24.0, 12.0, 12.0,
];

/// Writes the header and `rows` (each of 14 cells) on a sheet named 工作台账.
pub fn write_ledger(rows: &[[String; 14]]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("工作台账")?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("#F2F2F2");
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    for (i, (c, w)) in COLUMNS.iter().zip(WIDTHS).enumerate() {
        ws.set_column_width(i as u16, w)?;
        ws.write_string_with_format(0, i as u16, *c, &head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(
                r as u32 + 1,
                c as u16,
                crate::sheet::neutralise(v).as_ref(),
                &cell,
            )?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn header_first_and_readable() {
        let row: [String; 14] = std::array::from_fn(|i| format!("值{i}"));
        let bytes = write_ledger(&[row]).unwrap();
        let t = crate::sheet::read_table("x.xlsx", &bytes).unwrap();
        assert_eq!(
            t[0],
            COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(t[1][13], "值13");
    }
}
