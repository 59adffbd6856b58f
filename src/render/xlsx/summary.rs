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

/// Row heights (points) of type rows, 小计 rows and the 合计 row.
const ROW_PT: f64 = 15.0;
const SUBTOTAL_PT: f64 = 18.0;
const TOTAL_PT: f64 = 22.0;
/// The 注 row under the 合计 row (two lines of small text), kept on the 合计 row's page.
const NOTE_PT: f64 = 30.0;
/// Heights above the data: title + 填报 line, and the two header rows repeated on every page.
const TOP_PT: f64 = 36.0 + 24.0;
const HEADER_PT: f64 = 24.0 + 22.0;

/// Greedy page filling: a block that does not fit the rest of the page starts a new one.
struct Pages {
    used: f64,
    capacity: f64,
    breaks: Vec<u32>,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            used: 0.0,
            capacity: sheet::LANDSCAPE_PRINTABLE_PT - TOP_PT - HEADER_PT,
            breaks: Vec::new(),
        }
    }

    fn place(&mut self, first_row: u32, height: f64) {
        if self.used > 0.0 && self.used + height > self.capacity {
            self.breaks.push(first_row);
            self.used = 0.0;
            self.capacity = sheet::LANDSCAPE_PRINTABLE_PT - HEADER_PT;
        }
        self.used += height;
    }
}

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
    let header = header();
    write_header(ws, &st, &header)?;
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
    sheet::fit_header_rows(
        ws,
        &widths,
        &header,
        &[(sheet::HEADER_ROW, 24.0), (sheet::HEADER_ROW + 1, 22.0)],
    )?;

    // Unit blocks are kept whole on a page, so each printed block shows its unit's name.
    let mut pages = Pages::new();
    let mut row = FIRST_DATA_ROW;
    let mut subtotal_rows = Vec::new();
    let mut grand = [0u32; 5];
    for u in &view.units {
        let first = row;
        pages.place(first, u.rows.len() as f64 * ROW_PT + SUBTOTAL_PT);
        let sub = unit_rows(ws, &st, &u.rows, first)?;
        row = first + u.rows.len() as u32;
        // 小计: a live sum over the unit's rows, cached with the same sum.
        span(ws, row, 1, row, 2, SUBTOTAL, &st.total_label)?;
        sum_formulas(ws, &st, row, |c| format!("=SUM({c}{}:{c}{})", first + 1, row), sub)?;
        ws.set_row_height(row, SUBTOTAL_PT)?;
        span(ws, first, 0, row, 0, &u.unit, &st.center_wrap)?;
        subtotal_rows.push(row);
        grand = add(grand, sub);
        row += 1;
    }
    pages.place(row, TOTAL_PT + NOTE_PT);
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
    ws.set_row_height(row, TOTAL_PT)?;
    let note_format = st.head_left.clone().set_text_wrap().set_font_size(9);
    span(ws, row + 1, 0, row + 1, 7, &view.note, &note_format)?;
    ws.set_row_height(row + 1, NOTE_PT)?;
    if !pages.breaks.is_empty() {
        ws.set_page_breaks(&pages.breaks)?;
    }
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW + 1), FIRST_DATA_ROW, 0)?;
    for ws in wb.worksheets_mut() {
        sheet::internal_header(ws, &view.internal_mark);
    }
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
        ws.set_row_height(row, ROW_PT)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_blocks_are_not_split_across_pages() {
        let block = 13.0 * ROW_PT + SUBTOTAL_PT;
        let mut p = Pages::new();
        let mut row = FIRST_DATA_ROW;
        for _ in 0..5 {
            p.place(row, block);
            row += 14;
        }
        // Breaks fall only on block starts, and every page holds at least one block.
        assert!(!p.breaks.is_empty());
        assert!(p.breaks.iter().all(|b| (b - FIRST_DATA_ROW).is_multiple_of(14)));
        let mut starts = vec![FIRST_DATA_ROW];
        starts.extend(&p.breaks);
        assert!(starts.windows(2).all(|w| w[1] > w[0]));
    }
}
