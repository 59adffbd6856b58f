//! 时限合规报告.xlsx: sheet 办理时限 (one row per case and rule), sheet 工作进度 (campaign
//! milestones per unit), sheet 统计 (live COUNTIF per status). The status cell carries the status
//! colour. Built for size: formats are made once and rows are written straight from the view.

use super::failed;
use super::sheet::{
    self, Cells, Column, Kind, Styles, Value, Widths, col, colour, form_top, head_line, page_setup, see_headers,
    write_row,
};
use crate::documents::compliance_report::{ComplianceLine, ComplianceView, HeldLine, STATUS_ORDER};
use crate::render::RenderError;
use crate::rules::ComplianceStatus;
use rust_xlsxwriter::{Color, Format, Formula, Worksheet, XlsxError};

pub const DOCUMENT: &str = "时限合规报告";
pub const SHEET_CASES: &str = "办理时限";
pub const SHEET_MILESTONES: &str = "工作进度";
pub const SHEET_TALLY: &str = "统计";
pub const SHEET_HELD: &str = "暂缓公示";

pub const HELD_COLUMNS: [Column; 8] = [
    col("序号", Kind::Int, 6.0, 8.0),
    col("村", Kind::Center, 8.0, 14.0),
    col("户编号", Kind::Text, 8.0, 22.0),
    col("户主姓名", Kind::Center, 9.0, 12.0),
    col("程序", Kind::Center, 8.0, 14.0),
    col("原因", Kind::Wrap, 20.0, 40.0),
    col("依据", Kind::Wrap, 20.0, 40.0),
    col("如何处理", Kind::Wrap, 20.0, 40.0),
];

fn held_values(l: &HeldLine) -> [Value<'_>; 8] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.village),
        Value::Str(&l.household_id),
        Value::Str(&l.head_name),
        Value::Str(&l.procedure),
        Value::Str(&l.reason),
        Value::Str(&l.basis),
        Value::Str(&l.fix),
    ]
}

/// 暂缓公示: the cases kept off the public documents, with reason, basis and what to do.
fn held_sheet(ws: &mut Worksheet, st: &Styles, view: &ComplianceView, head: [&str; 3]) -> Result<(), XlsxError> {
    let ncols = HELD_COLUMNS.len() as u16;
    form_top(ws, st, &format!("{}（暂缓公示）", view.title), ncols, head)?;
    let names: Vec<&str> = HELD_COLUMNS.iter().map(|c| c.name).collect();
    for (i, n) in names.iter().enumerate() {
        ws.write_string_with_format(sheet::HEADER_ROW, i as u16, *n, &st.header)?;
    }
    let mut widths = Widths::for_columns(&HELD_COLUMNS);
    see_headers(&mut widths, &names);
    for l in &view.held {
        widths.see_row(&held_values(l));
    }
    widths.apply(ws)?;
    let header = sheet::one_row_header(sheet::HEADER_ROW, &names);
    sheet::fit_header_rows(ws, &widths, &header, &[(sheet::HEADER_ROW, 22.0)])?;
    for (i, l) in view.held.iter().enumerate() {
        write_row(ws, FIRST_DATA_ROW + i as u32, &held_values(l), &widths, &st.plain, None)?;
    }
    if view.held.is_empty() {
        ws.write_string_with_format(FIRST_DATA_ROW, 0, "（无）", &st.plain.center)?;
    }
    let last_row = FIRST_DATA_ROW + (view.held.len() as u32).max(1) - 1;
    ws.autofilter(sheet::HEADER_ROW, 0, last_row, ncols - 1)?;
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW), FIRST_DATA_ROW, 0)?;
    Ok(())
}
/// Title, 填报 line and one header row above the data.
pub const FIRST_DATA_ROW: u32 = 3;

pub const CASE_COLUMNS: [Column; 11] = [
    col("序号", Kind::Int, 6.0, 8.0),
    col("村", Kind::Center, 8.0, 14.0),
    col("户编号", Kind::Text, 8.0, 22.0),
    col("户主姓名", Kind::Center, 9.0, 12.0),
    col("程序", Kind::Center, 8.0, 14.0),
    col("规则", Kind::Wrap, 12.0, 22.0),
    col("截止", Kind::Date, 15.0, 16.0),
    col("完成", Kind::Date, 15.0, 16.0),
    col("状态", Kind::Center, 12.0, 14.0),
    col("天数", Kind::Int, 6.0, 8.0),
    col("说明", Kind::Wrap, 20.0, 44.0),
];

pub const MILESTONE_COLUMNS: [Column; 8] = [
    col("序号", Kind::Int, 6.0, 8.0),
    col("单位", Kind::Center, 10.0, 20.0),
    col("节点", Kind::Wrap, 14.0, 28.0),
    col("截止", Kind::Date, 15.0, 16.0),
    col("完成", Kind::Date, 15.0, 16.0),
    col("状态", Kind::Center, 12.0, 14.0),
    col("天数", Kind::Int, 6.0, 8.0),
    col("说明", Kind::Wrap, 20.0, 44.0),
];

pub fn write(view: &ComplianceView) -> Result<Vec<u8>, RenderError> {
    build(view).map_err(failed(DOCUMENT))
}

/// Fill and font colour of a status cell.
pub fn status_colours(s: ComplianceStatus) -> Option<(Color, Color)> {
    match s {
        ComplianceStatus::Violation | ComplianceStatus::Overdue => Some((colour::RED_FILL, colour::RED_FONT)),
        ComplianceStatus::Late => Some((colour::YELLOW_FILL, colour::YELLOW_FONT)),
        ComplianceStatus::DueSoon => Some((colour::ORANGE_FILL, colour::ORANGE_FONT)),
        ComplianceStatus::Pending => None,
        ComplianceStatus::OnTime => Some((colour::GREEN_FILL, colour::GREEN_FONT)),
    }
}

/// One status-cell format per status, indexed like `STATUS_ORDER`.
fn status_formats(st: &Styles) -> Vec<Format> {
    STATUS_ORDER
        .iter()
        .map(|s| {
            let f = st.plain.center.clone();
            let f = match status_colours(*s) {
                Some((fill, font)) => f.set_background_color(fill).set_font_color(font),
                None => f,
            };
            if s.is_bad() { f.set_bold() } else { f }
        })
        .collect()
}

fn status_index(s: ComplianceStatus) -> usize {
    STATUS_ORDER.iter().position(|x| *x == s).unwrap_or(0)
}

fn case_values(l: &ComplianceLine) -> [Value<'_>; 11] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.village),
        Value::Str(&l.household_id),
        Value::Str(&l.head_name),
        Value::Str(&l.procedure),
        Value::Str(&l.rule),
        Value::Date(l.due),
        Value::Date(l.done),
        Value::Str(l.status.label()),
        Value::Int(l.days),
        Value::Str(&l.note),
    ]
}

fn milestone_values(l: &ComplianceLine) -> [Value<'_>; 8] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.head_name),
        Value::Str(&l.rule),
        Value::Date(l.due),
        Value::Date(l.done),
        Value::Str(l.status.label()),
        Value::Int(l.days),
        Value::Str(&l.note),
    ]
}

fn build(view: &ComplianceView) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, &view.head.unit, view.as_of)?;
    let st = Styles::new();
    let statuses = status_formats(&st);
    let unit = format!("填报单位（盖章）：{}", view.head.unit);
    let as_of = format!("统计截止日：{}", view.as_of_text);

    let ws = wb.add_worksheet().set_name(SHEET_CASES)?;
    let bad = view.cases.iter().filter(|l| l.bad).count();
    let count = format!("共{}条，需关注{}条", view.cases.len(), bad);
    table(
        ws,
        &st,
        &statuses,
        &view.title,
        [&unit, &as_of, &count],
        &CASE_COLUMNS,
        &view.cases,
        case_values,
        8,
    )?;

    let ws = wb.add_worksheet().set_name(SHEET_MILESTONES)?;
    let title = format!("{}（工作进度）", view.title);
    let bad = view.milestones.iter().filter(|l| l.bad).count();
    let count = format!("共{}条，需关注{}条", view.milestones.len(), bad);
    table(
        ws,
        &st,
        &statuses,
        &title,
        [&unit, &as_of, &count],
        &MILESTONE_COLUMNS,
        &view.milestones,
        milestone_values,
        5,
    )?;

    let ws = wb.add_worksheet().set_name(SHEET_HELD)?;
    let count = format!("共{}条", view.held.len());
    held_sheet(ws, &st, view, [&unit, &as_of, &count])?;

    let ws = wb.add_worksheet().set_name(SHEET_TALLY)?;
    tally(ws, &st, &statuses, view)?;
    for ws in wb.worksheets_mut() {
        sheet::internal_header(ws, &view.internal_mark);
    }
    wb.save_to_buffer()
}

#[allow(clippy::too_many_arguments)]
fn table<'a, const N: usize>(
    ws: &mut Worksheet,
    st: &Styles,
    statuses: &[Format],
    title: &str,
    head: [&str; 3],
    columns: &[Column; N],
    lines: &'a [ComplianceLine],
    values: fn(&'a ComplianceLine) -> [Value<'a>; N],
    status_col: usize,
) -> Result<(), XlsxError> {
    let ncols = N as u16;
    form_top(ws, st, title, ncols, head)?;
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    for (i, n) in names.iter().enumerate() {
        ws.write_string_with_format(sheet::HEADER_ROW, i as u16, *n, &st.header)?;
    }
    ws.set_row_height(sheet::HEADER_ROW, 22)?;

    let mut widths = Widths::for_columns(columns);
    see_headers(&mut widths, &names);
    for l in lines {
        widths.see_row(&values(l));
    }
    widths.apply(ws)?;
    let header = sheet::one_row_header(sheet::HEADER_ROW, &names);
    sheet::fit_header_rows(ws, &widths, &header, &[(sheet::HEADER_ROW, 22.0)])?;

    let plain: &Cells = &st.plain;
    for (i, l) in lines.iter().enumerate() {
        let f = &statuses[status_index(l.status)];
        write_row(
            ws,
            FIRST_DATA_ROW + i as u32,
            &values(l),
            &widths,
            plain,
            Some((status_col, f)),
        )?;
    }
    let last_row = FIRST_DATA_ROW + (lines.len() as u32).max(1) - 1;
    ws.autofilter(sheet::HEADER_ROW, 0, last_row, ncols - 1)?;
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW), FIRST_DATA_ROW, 0)?;
    Ok(())
}

/// Counts per status as COUNTIF formulas over the two tables, with cached values.
fn tally(ws: &mut Worksheet, st: &Styles, statuses: &[Format], view: &ComplianceView) -> Result<(), XlsxError> {
    let title = format!("{}（统计）", view.title);
    sheet::span(ws, sheet::TITLE_ROW, 0, sheet::TITLE_ROW, 3, &title, &st.title)?;
    ws.set_row_height(sheet::TITLE_ROW, 36)?;
    head_line(
        ws,
        st,
        sheet::HEAD_ROW,
        4,
        [&format!("统计截止日：{}", view.as_of_text), "", ""],
    )?;
    for (i, n) in ["状态", SHEET_CASES, SHEET_MILESTONES, "合计"].iter().enumerate() {
        ws.write_string_with_format(sheet::HEADER_ROW, i as u16, *n, &st.header)?;
    }
    let range = |sheet: &str, col: &str, n: usize| {
        let last = FIRST_DATA_ROW as usize + n.max(1);
        format!("'{sheet}'!${col}${}:${col}${last}", FIRST_DATA_ROW + 1)
    };
    let cases = range(SHEET_CASES, "I", view.cases.len());
    let milestones = range(SHEET_MILESTONES, "F", view.milestones.len());
    let first = FIRST_DATA_ROW;
    let (mut sum_c, mut sum_m) = (0u32, 0u32);
    for (i, t) in view.tally.iter().enumerate() {
        let row = first + i as u32;
        let label = t.status.label();
        ws.write_string_with_format(row, 0, label, &statuses[status_index(t.status)])?;
        let fc = Formula::new(format!("=COUNTIF({cases},\"{label}\")")).set_result(t.cases.to_string());
        let fm = Formula::new(format!("=COUNTIF({milestones},\"{label}\")")).set_result(t.milestones.to_string());
        let r1 = row + 1;
        let ft = Formula::new(format!("=B{r1}+C{r1}")).set_result((t.cases + t.milestones).to_string());
        ws.write_formula_with_format(row, 1, fc, &st.plain.int)?;
        ws.write_formula_with_format(row, 2, fm, &st.plain.int)?;
        ws.write_formula_with_format(row, 3, ft, &st.plain.int)?;
        sum_c += t.cases;
        sum_m += t.milestones;
    }
    let row = first + view.tally.len() as u32;
    ws.write_string_with_format(row, 0, "合计", &st.total_label)?;
    let (a, b) = (first + 1, row);
    for (c, v) in [(1u16, sum_c), (2, sum_m), (3, sum_c + sum_m)] {
        let letter = crate::model::col_letters(u32::from(c));
        let f = Formula::new(format!("=SUM({letter}{a}:{letter}{b})")).set_result(v.to_string());
        ws.write_formula_with_format(row, c, f, &st.total_int)?;
    }
    for c in 0..4u16 {
        ws.set_column_width(c, 16)?;
    }
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW), FIRST_DATA_ROW, 0)?;
    Ok(())
}
