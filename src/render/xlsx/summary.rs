//! 整改情况汇总表.xlsx laid out as 002 附件3-2: per unit a block of problem-type rows (the four
//! 三保障和饮水安全 rows grouped under one label) and a 小计 row, then a 合计 row. 小计 and 合计
//! are live SUM formulas carrying their computed values, so the sheet shows numbers before
//! recalculation and stays right after a clerk edits a count.

use super::failed;
use super::sheet::{self, HeaderCell, Kind, Styles, Widths, col, form_top, page_setup, span, write_header};
use crate::documents::summary::{SummaryLine, SummaryView};
use crate::model::col_letters;
use crate::render::RenderError;
use crate::rules::SummaryCounts;
use rust_xlsxwriter::{Formula, Worksheet, XlsxError};

pub const DOCUMENT: &str = "整改情况汇总表";
pub const SHEET: &str = "整改情况汇总表";
pub const FIRST_DATA_ROW: u32 = 4;
/// Label of a unit's subtotal row and of the grand total row.
pub const SUBTOTAL: &str = "小计";
pub const TOTAL: &str = "合计";
/// First count column (D).
const COUNT_COL: u16 = 3;

const COLUMNS: [sheet::Column; 8] = [
    col("单位", Kind::Center, 10.0, 18.0),
    col("问题类型", Kind::Center, 10.0, 12.0),
    col("问题类型", Kind::Center, 10.0, 18.0),
    col("共排查问题数", Kind::Int, 10.0, 12.0),
    col("已整改数", Kind::Int, 10.0, 12.0),
    col("正在整改数", Kind::Int, 10.0, 12.0),
    col("户数", Kind::Int, 10.0, 12.0),
    col("人数", Kind::Int, 10.0, 12.0),
];

pub fn write(view: &SummaryView) -> Result<Vec<u8>, RenderError> {
    build(view).map_err(failed(DOCUMENT))
}

fn counts(c: &SummaryCounts) -> [u32; 5] {
    [c.found, c.done, c.in_progress, c.households, c.people]
}

fn add(a: [u32; 5], b: [u32; 5]) -> [u32; 5] {
    std::array::from_fn(|i| a[i] + b[i])
}

fn header() -> Vec<HeaderCell<'static>> {
    let r = sheet::HEADER_ROW;
    vec![
        HeaderCell {
            r0: r,
            c0: 0,
            r1: r + 1,
            c1: 0,
            text: "单位",
        },
        HeaderCell {
            r0: r,
            c0: 1,
            r1: r + 1,
            c1: 2,
            text: "问题类型",
        },
        HeaderCell {
            r0: r,
            c0: 3,
            r1: r + 1,
            c1: 3,
            text: "共排查问题数",
        },
        HeaderCell {
            r0: r,
            c0: 4,
            r1: r + 1,
            c1: 4,
            text: "已整改数",
        },
        HeaderCell {
            r0: r,
            c0: 5,
            r1: r + 1,
            c1: 5,
            text: "正在整改数",
        },
        HeaderCell {
            r0: r,
            c0: 6,
            r1: r,
            c1: 7,
            text: "拟识别监测对象（镇、村）",
        },
        HeaderCell {
            r0: r + 1,
            c0: 6,
            r1: r + 1,
            c1: 6,
            text: "户数",
        },
        HeaderCell {
            r0: r + 1,
            c0: 7,
            r1: r + 1,
            c1: 7,
            text: "人数",
        },
    ]
}

fn build(view: &SummaryView) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, &view.head.unit, view.as_of)?;
    let st = Styles::new();
    let ws = wb.add_worksheet().set_name(SHEET)?;
    let head = [
        format!("单位（盖章）：{}", view.head.unit),
        format!("填报人：{}", view.head.filler),
        format!("填报时间：{}", view.head.date_text),
    ];
    form_top(ws, &st, &view.title, 8, [&head[0], &head[1], &head[2]])?;
    write_header(ws, &st, &header())?;
    ws.set_row_height(sheet::HEADER_ROW, 24)?;
    ws.set_row_height(sheet::HEADER_ROW + 1, 22)?;

    let mut widths = Widths::for_columns(&COLUMNS);
    for u in &view.units {
        widths.see(0, &u.unit);
        for r in &u.rows {
            widths.see(if r.group.is_some() { 2 } else { 1 }, &r.problem_type);
        }
    }
    widths.apply(ws)?;

    let mut row = FIRST_DATA_ROW;
    let mut subtotal_rows = Vec::new();
    let mut grand = [0u32; 5];
    for u in &view.units {
        let first = row;
        let sub = unit_rows(ws, &st, &u.rows, first)?;
        row = first + u.rows.len() as u32;
        // 小计: a live sum over the unit's rows, cached with the same sum.
        span(ws, row, 1, row, 2, SUBTOTAL, &st.total_label)?;
        sum_formulas(ws, &st, row, |c| format!("=SUM({c}{}:{c}{})", first + 1, row), sub)?;
        span(ws, first, 0, row, 0, &u.unit, &st.plain.center)?;
        subtotal_rows.push(row);
        grand = add(grand, sub);
        row += 1;
    }
    span(ws, row, 0, row, 2, TOTAL, &st.total_label)?;
    if subtotal_rows.is_empty() {
        for (i, v) in grand.iter().enumerate() {
            ws.write_number_with_format(row, COUNT_COL + i as u16, f64::from(*v), &st.total_int)?;
        }
    } else {
        // SUMIF over the 小计 labels keeps working when a clerk inserts a unit block.
        let (a, b) = (FIRST_DATA_ROW + 1, row);
        sum_formulas(
            ws,
            &st,
            row,
            |c| format!("=SUMIF($B${a}:$B${b},\"{SUBTOTAL}\",{c}{a}:{c}{b})"),
            grand,
        )?;
    }
    ws.set_row_height(row, 22)?;
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW + 1), FIRST_DATA_ROW, 0)?;
    wb.save_to_buffer()
}

/// The problem-type rows of one unit; returns their column sums.
fn unit_rows(ws: &mut Worksheet, st: &Styles, rows: &[SummaryLine], first: u32) -> Result<[u32; 5], XlsxError> {
    let mut sum = [0u32; 5];
    let grouped = rows.iter().take_while(|r| r.group.is_some()).count() as u32;
    if grouped > 0 {
        let label = rows[0].group.as_deref().unwrap_or_default();
        span(ws, first, 1, first + grouped - 1, 1, label, &st.center_wrap)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = first + i as u32;
        if r.group.is_some() && (i as u32) < grouped {
            ws.write_string_with_format(row, 2, &r.problem_type, &st.plain.center)?;
        } else {
            span(ws, row, 1, row, 2, &r.problem_type, &st.plain.center)?;
        }
        let c = counts(&r.counts);
        for (j, v) in c.iter().enumerate() {
            ws.write_number_with_format(row, COUNT_COL + j as u16, f64::from(*v), &st.plain.int)?;
        }
        sum = add(sum, c);
    }
    Ok(sum)
}

fn sum_formulas(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    formula: impl Fn(&str) -> String,
    values: [u32; 5],
) -> Result<(), XlsxError> {
    for (j, v) in values.iter().enumerate() {
        let c = COUNT_COL + j as u16;
        let f = Formula::new(formula(&col_letters(u32::from(c)))).set_result(v.to_string());
        ws.write_formula_with_format(row, c, f, &st.total_int)?;
    }
    Ok(())
}
