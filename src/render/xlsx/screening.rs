//! 筛查表.xlsx per village (004 附件 防止返贫监测帮扶筛查表): the form's columns, pre-filled where
//! the data knows the answer, with the column-number row under the header as on the form and
//! room left for the signatures and the 排查时间.

use super::failed;
use super::sheet::{self, Column, Kind, Styles, Value, Widths, col, form_top, page_setup, write_row};
use crate::documents::screening::{ScreeningRow, ScreeningView};
use crate::render::RenderError;
use chrono::NaiveDate;
use rust_xlsxwriter::XlsxError;

pub const DOCUMENT: &str = "筛查表";
pub const SHEET: &str = "筛查表";
/// Row of the column numbers (1, 2, 3 …) under the header.
pub const NUMBER_ROW: u32 = 3;
pub const FIRST_DATA_ROW: u32 = 4;
/// Signature rows need room for a hand.
const ROW_PT: f64 = 26.0;

/// The signature block under the table (as on the PDF form).
pub const SIGN_SURVEYOR: &str = "调查员签字：";
pub const SIGN_COMMITTEE: &str = "村级组织（盖章）：";
pub const SIGN_DATE: &str = "填表日期：　　　　年　　月　　日";

/// Widths per column of `screening::COLUMNS` (the header texts come from the view, which fills
/// in the monitoring line).
const LAYOUT: [Column; 16] = [
    col("序号", Kind::Int, 5.0, 6.0),
    col("村民小组", Kind::Center, 6.0, 10.0),
    col("户编号", Kind::Text, 8.0, 20.0),
    col("户主姓名", Kind::Center, 8.0, 10.0),
    col("户类型", Kind::Center, 8.0, 22.0),
    col("家庭人口数", Kind::Int, 6.0, 7.0),
    col("两不愁三保障", Kind::Center, 12.0, 12.0),
    col("人均纯收入", Kind::Money, 10.0, 11.0),
    col("是否超过", Kind::Center, 10.0, 10.0),
    col("重点群体", Kind::Center, 8.0, 8.0),
    col("初步核查意见", Kind::Wrap, 14.0, 28.0),
    col("自主申报户主签字", Kind::Center, 10.0, 10.0),
    col("不自主申报户主签字", Kind::Center, 10.0, 10.0),
    col("调查员签字", Kind::Center, 10.0, 10.0),
    col("排查时间", Kind::Center, 10.0, 12.0),
    col("备注", Kind::Wrap, 10.0, 24.0),
];

/// `created` stamps the workbook's creation date (the run's as-of date), never the clock.
pub fn write(view: &ScreeningView, created: NaiveDate) -> Result<Vec<u8>, RenderError> {
    build(view, created).map_err(failed(DOCUMENT))
}

/// 备注 also carries why a household is a key group, so the 是否属于核查重点群体 column stays a
/// plain 是 / 否 a clerk can filter on.
fn note(r: &ScreeningRow) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !r.key_group_reasons.is_empty() {
        parts.push(format!("核查重点：{}", r.key_group_reasons));
    }
    if !r.note.is_empty() {
        parts.push(r.note.clone());
    }
    parts.join("；")
}

fn values<'a>(r: &'a ScreeningRow, note: &'a str) -> [Value<'a>; 16] {
    let num = |s: &'a str| match s.parse::<i64>() {
        Ok(n) => Value::Int(n),
        Err(_) => Value::Str(s),
    };
    [
        num(&r.seq),
        Value::Str(&r.group),
        Value::Str(&r.household_id),
        Value::Str(&r.head_name),
        Value::Str(&r.household_type),
        num(&r.people),
        Value::Str(&r.basic_needs_met),
        Value::Num(r.per_capita_money.map(|m| m.as_yuan_f64())),
        Value::Str(&r.income_above_line),
        Value::Str(&r.key_group),
        Value::Str(&r.opinion),
        Value::Str(""),
        Value::Str(""),
        Value::Str(""),
        Value::Str(&r.surveyed_on),
        Value::Str(note),
    ]
}

fn build(view: &ScreeningView, created: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(&format!("{}{}", view.village, DOCUMENT), &view.township, created)?;
    let st = Styles::new();
    let ws = wb.add_worksheet().set_name(SHEET)?;
    let ncols = LAYOUT.len() as u16;
    let place = format!("{}{}{}{}", view.province, view.county, view.township, view.village);
    let line = format!("监测范围：{}元/人·年", view.line);
    let count = format!(
        "统计截止日：{}　共{}户，核查重点群体{}户",
        view.as_of, view.household_count, view.key_group_count
    );
    form_top(ws, &st, &view.title, ncols, [&place, &line, &count])?;

    let mut widths = Widths::for_columns(&LAYOUT);
    for (i, h) in view.columns.iter().enumerate().take(LAYOUT.len()) {
        ws.write_string_with_format(sheet::HEADER_ROW, i as u16, h, &st.header)?;
        ws.write_number_with_format(NUMBER_ROW, i as u16, (i + 1) as f64, &st.header)?;
    }
    let notes: Vec<String> = view.rows.iter().map(note).collect();
    for (r, n) in view.rows.iter().zip(&notes) {
        widths.see_row(&values(r, n));
    }
    widths.apply(ws)?;
    let names: Vec<&str> = view.columns.iter().map(String::as_str).take(LAYOUT.len()).collect();
    sheet::fit_header_rows(
        ws,
        &widths,
        &sheet::one_row_header(sheet::HEADER_ROW, &names),
        &[(sheet::HEADER_ROW, 22.0)],
    )?;
    for (i, (r, n)) in view.rows.iter().zip(&notes).enumerate() {
        let row = FIRST_DATA_ROW + i as u32;
        let v = values(r, n);
        write_row(ws, row, &v, &widths, &st.plain, None)?;
        let lines = v
            .iter()
            .enumerate()
            .map(|(c, x)| if let Value::Str(s) = x { widths.lines(c, s) } else { 1 })
            .max()
            .unwrap_or(1);
        ws.set_row_height(row, sheet::row_height(lines).max(ROW_PT))?;
    }
    // The form's signature block (as on the PDF): one blank row, then the three fields.
    let sign_row = FIRST_DATA_ROW + view.rows.len() as u32 + 1;
    sheet::head_line(ws, &st, sign_row, ncols, [SIGN_SURVEYOR, SIGN_COMMITTEE, SIGN_DATE])?;
    ws.set_row_height(sign_row, ROW_PT)?;
    page_setup(ws, (sheet::HEADER_ROW, NUMBER_ROW), FIRST_DATA_ROW, 0)?;
    for ws in wb.worksheets_mut() {
        sheet::internal_header(ws, &view.internal_mark);
    }
    wb.save_to_buffer()
}
