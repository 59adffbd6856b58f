//! 监测对象名册.xlsx: one row per member, the household columns merged vertically over its
//! members (the layout of the national system's exports). Full ID and phone numbers as text;
//! 内部资料 on the sheet and in every printed page's header.

use super::failed;
use super::sheet::{
    self, Column, Kind, Styles, Value, Widths, col, page_setup, see_headers, two_row_header, write_header, write_value,
};
use crate::documents::roster::{RosterHousehold, RosterMember, RosterView};
use crate::render::RenderError;
use rust_xlsxwriter::{Worksheet, XlsxError};

pub const DOCUMENT: &str = "监测对象名册";
pub const SHEET: &str = "监测对象名册";
pub const FIRST_DATA_ROW: u32 = 4;
/// Household columns 0..=12, member columns 13..=21.
pub const HOUSEHOLD_COLS: usize = 13;

pub const COLUMNS: [Column; 22] = [
    col("序号", Kind::Int, 5.0, 6.0),
    col("行政村", Kind::Center, 8.0, 14.0),
    col("村民小组", Kind::Center, 6.0, 12.0),
    col("户编号", Kind::Text, 8.0, 22.0),
    col("户主姓名", Kind::Center, 8.0, 12.0),
    col("户主证件号码", Kind::Text, 20.0, 21.0),
    col("联系电话", Kind::Text, 12.0, 16.0),
    col("监测对象类型", Kind::Center, 12.0, 14.0),
    col("家庭人口数", Kind::Int, 6.0, 8.0),
    col("家庭人均纯收入（元）", Kind::Money, 10.0, 12.0),
    col("风险类型", Kind::Wrap, 10.0, 18.0),
    col("是否整户无劳动能力", Kind::Center, 8.0, 10.0),
    col("帮扶责任人", Kind::Center, 8.0, 12.0),
    col("姓名", Kind::Center, 8.0, 12.0),
    col("证件号码", Kind::Text, 20.0, 21.0),
    col("与户主关系", Kind::Center, 8.0, 10.0),
    col("性别", Kind::Center, 5.0, 6.0),
    col("年龄", Kind::Int, 5.0, 6.0),
    col("劳动能力", Kind::Center, 10.0, 24.0),
    col("健康状况", Kind::Wrap, 8.0, 14.0),
    col("在校生状况", Kind::Wrap, 8.0, 14.0),
    col("是否重度残疾", Kind::Center, 7.0, 8.0),
];

pub fn write(view: &RosterView) -> Result<Vec<u8>, RenderError> {
    build(view).map_err(failed(DOCUMENT))
}

fn household_values(h: &RosterHousehold) -> [Value<'_>; HOUSEHOLD_COLS] {
    [
        Value::Int(i64::from(h.seq)),
        Value::Str(&h.village),
        Value::Str(&h.group),
        Value::Str(&h.household_id),
        Value::Str(&h.head_name),
        Value::Str(&h.head_id),
        Value::Str(&h.phone),
        Value::Str(&h.category),
        Value::Int(i64::from(h.people)),
        Value::Num(h.per_capita.map(|m| m.as_yuan_f64())),
        Value::Str(&h.risks),
        Value::Str(&h.no_labour),
        Value::Str(&h.helper),
    ]
}

fn member_values(m: &RosterMember) -> [Value<'_>; 9] {
    [
        Value::Str(&m.name),
        Value::Str(&m.id),
        Value::Str(&m.relation),
        Value::Str(&m.sex),
        match m.age {
            Some(a) => Value::Int(i64::from(a)),
            None => Value::Str(""),
        },
        Value::Str(&m.labour),
        Value::Str(&m.health),
        Value::Str(&m.schooling),
        Value::Str(&m.severe_disability),
    ]
}

const EMPTY_MEMBER: [Value<'static>; 9] = [Value::Str(""); 9];

fn build(view: &RosterView) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, &view.head.unit, view.as_of)?;
    let st = Styles::new();
    let ws = wb.add_worksheet().set_name(SHEET)?;
    let ncols = COLUMNS.len() as u16;
    let unit = format!("填报单位：{}", view.head.unit);
    let as_of = format!(
        "统计截止日：{}　共{}户{}人",
        view.as_of_text, view.household_count, view.people_count
    );
    sheet::span(
        ws,
        sheet::TITLE_ROW,
        0,
        sheet::TITLE_ROW,
        ncols - 1,
        &view.title,
        &st.title,
    )?;
    ws.set_row_height(sheet::TITLE_ROW, 36)?;
    // The marking takes the right-hand block of the 填报 line.
    let blocks = [
        (unit.as_str(), &st.head_left),
        (as_of.as_str(), &st.head_left),
        (view.marking.as_str(), &st.marking),
    ];
    sheet::head_blocks(ws, &st, sheet::HEAD_ROW, ncols, blocks)?;
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    let groups = [
        (0u16, (HOUSEHOLD_COLS - 1) as u16, "家庭基本情况"),
        (HOUSEHOLD_COLS as u16, ncols - 1, "家庭成员"),
    ];
    let header = two_row_header(sheet::HEADER_ROW, &names, &groups);
    write_header(ws, &st, &header)?;
    ws.set_row_height(sheet::HEADER_ROW, 22)?;
    ws.set_row_height(sheet::HEADER_ROW + 1, 36)?;

    let mut widths = Widths::for_columns(&COLUMNS);
    see_headers(&mut widths, &names);
    for h in &view.households {
        let mut row: Vec<Value> = household_values(h).to_vec();
        row.extend_from_slice(&EMPTY_MEMBER);
        widths.see_row(&row);
        for m in &h.members {
            let mut row: Vec<Value> = vec![Value::Str(""); HOUSEHOLD_COLS];
            row.extend_from_slice(&member_values(m));
            widths.see_row(&row);
        }
    }
    widths.apply(ws)?;
    let header_pt = sheet::fit_header_rows(
        ws,
        &widths,
        &header,
        &[(sheet::HEADER_ROW, 22.0), (sheet::HEADER_ROW + 1, 22.0)],
    )?;

    // A household's rows stay on one printed page where they fit one: a manual page break
    // before a household that would cross the page end. The sheet prints scaled to one page
    // wide, so a page holds the printable height divided by that scale, less the header rows
    // repeated on it (and, on the first page, the title rows).
    let scale = (sheet::LANDSCAPE_PRINTABLE_WIDTH_PT / widths.total_points()).min(1.0);
    let page_pt = sheet::LANDSCAPE_PRINTABLE_PT / scale - header_pt;
    let mut used = TOP_PT;
    let mut breaks = Vec::new();
    let mut row = FIRST_DATA_ROW;
    for h in &view.households {
        let height: f64 = member_lines(&widths, h).iter().map(|l| sheet::row_height(*l)).sum();
        if used > 0.0 && used + height > page_pt {
            breaks.push(row);
            used = 0.0;
        }
        used += height;
        row = household(ws, &st, &widths, h, row)?;
    }
    if !breaks.is_empty() {
        ws.set_page_breaks(&breaks)?;
    }
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW + 1), FIRST_DATA_ROW, 0)?;
    ws.set_header(format!("&L&\"宋体,加粗\"{}", view.marking));
    wb.save_to_buffer()
}

/// Heights above the data on the first page: the title and the 填报 line.
const TOP_PT: f64 = 36.0 + 24.0;

/// The text lines of each row of a household block (one row per member, at least one).
fn member_lines(widths: &Widths, h: &RosterHousehold) -> Vec<u32> {
    let mut lines = vec![1u32; h.members.len().max(1)];
    for (i, m) in h.members.iter().enumerate() {
        for (j, v) in member_values(m).iter().enumerate() {
            if let Value::Str(s) = v {
                lines[i] = lines[i].max(widths.lines(HOUSEHOLD_COLS + j, s));
            }
        }
    }
    lines
}

/// Writes one household block from `row`; returns the next free row.
fn household(
    ws: &mut Worksheet,
    st: &Styles,
    widths: &Widths,
    h: &RosterHousehold,
    row: u32,
) -> Result<u32, XlsxError> {
    let n = h.members.len().max(1) as u32;
    let hv = household_values(h);
    let mut lines = vec![1u32; n as usize];
    for (i, m) in h.members.iter().enumerate() {
        let mv = member_values(m);
        for (j, v) in mv.iter().enumerate() {
            let c = HOUSEHOLD_COLS + j;
            write_value(ws, row + i as u32, c as u16, v, st.plain.for_kind(widths.kind(c)))?;
            if let Value::Str(s) = v {
                lines[i] = lines[i].max(widths.lines(c, s));
            }
        }
    }
    if h.members.is_empty() {
        for c in HOUSEHOLD_COLS..COLUMNS.len() {
            ws.write_blank(row, c as u16, st.plain.for_kind(widths.kind(c)))?;
        }
    }
    for (c, v) in hv.iter().enumerate() {
        let f = st.plain.for_kind(widths.kind(c));
        if n == 1 {
            write_value(ws, row, c as u16, v, f)?;
        } else {
            // merge_range writes a string; numbers are written over the merged anchor after it.
            ws.merge_range(row, c as u16, row + n - 1, c as u16, "", f)?;
            write_value(ws, row, c as u16, v, f)?;
        }
    }
    for (i, l) in lines.iter().enumerate() {
        ws.set_row_height(row + i as u32, sheet::row_height(*l))?;
    }
    Ok(row + n)
}
