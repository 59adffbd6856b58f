//! 问题整改台账.xlsx: sheet 户内问题 laid out as 002 附件2 and sheet 面上问题 as 002 附件3-1,
//! each with 整改状态 and 逾期天数 appended; overdue lines highlighted.

use super::failed;
use super::sheet::{
    self, Cells, Column, Kind, Styles, Value, Widths, col, colour, form_top, page_setup, see_headers, span,
    two_row_header, write_header, write_row,
};
use crate::documents::ledger::{LedgerLine, LedgerView};
use crate::render::RenderError;
use crate::rules::LedgerStatus;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

pub const DOCUMENT: &str = "问题整改台账";
pub const SHEET_HOUSEHOLD: &str = "户内问题";
pub const SHEET_AREA: &str = "面上问题";

/// 002 附件2 columns; 整改责任 spans 责任人 | 责任单位 (columns 8–9).
pub const HOUSEHOLD_COLUMNS: [Column; 14] = [
    col("序号", Kind::Int, 5.0, 6.0),
    col("镇", Kind::Center, 8.0, 16.0),
    col("村", Kind::Center, 8.0, 14.0),
    col("户主姓名", Kind::Center, 9.0, 12.0),
    col("户类型（脱贫户、边缘易致贫户、一般农户）", Kind::Center, 12.0, 16.0),
    col("问题类型", Kind::Center, 10.0, 16.0),
    col("具体内容", Kind::Wrap, 16.0, 34.0),
    col("整改措施", Kind::Wrap, 16.0, 34.0),
    col("责任人", Kind::Wrap, 8.0, 16.0),
    col("责任单位", Kind::Wrap, 10.0, 18.0),
    col("整改时限", Kind::Date, 15.0, 16.0),
    col("整改成效", Kind::Wrap, 12.0, 28.0),
    col("整改状态", Kind::Center, 10.0, 12.0),
    col("逾期天数", Kind::Int, 6.0, 9.0),
];
const HOUSEHOLD_GROUP: (u16, u16, &str) = (8, 9, "整改责任");

/// 002 附件3-1 columns; 整改责任 spans 责任人 | 责任单位 (columns 5–6).
pub const AREA_COLUMNS: [Column; 11] = [
    col("序号", Kind::Int, 5.0, 6.0),
    col("面上问题层级", Kind::Center, 10.0, 20.0),
    col("问题类型", Kind::Center, 10.0, 16.0),
    col("具体内容", Kind::Wrap, 20.0, 40.0),
    col("整改措施", Kind::Wrap, 20.0, 40.0),
    col("责任人", Kind::Wrap, 8.0, 16.0),
    col("责任单位", Kind::Wrap, 10.0, 18.0),
    col("整改时限", Kind::Date, 15.0, 16.0),
    col("整改成效", Kind::Wrap, 12.0, 30.0),
    col("整改状态", Kind::Center, 10.0, 12.0),
    col("逾期天数", Kind::Int, 6.0, 9.0),
];
const AREA_GROUP: (u16, u16, &str) = (5, 6, "整改责任");

/// First data row (title, 填报 line, two header rows above).
pub const FIRST_DATA_ROW: u32 = 4;

pub fn write(view: &LedgerView) -> Result<Vec<u8>, RenderError> {
    build(view).map_err(failed(DOCUMENT))
}

fn household_values(l: &LedgerLine) -> [Value<'_>; 14] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.township),
        Value::Str(&l.village),
        Value::Str(&l.head_name),
        Value::Str(&l.household_type),
        Value::Str(&l.problem_type),
        Value::Str(&l.content),
        Value::Str(&l.measure),
        Value::Str(&l.person),
        Value::Str(&l.unit),
        Value::Date(l.deadline),
        Value::Str(&l.effect),
        Value::Str(l.status.label()),
        Value::Int(l.days_overdue),
    ]
}

fn area_values(l: &LedgerLine) -> [Value<'_>; 11] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.level_text),
        Value::Str(&l.problem_type),
        Value::Str(&l.content),
        Value::Str(&l.measure),
        Value::Str(&l.person),
        Value::Str(&l.unit),
        Value::Date(l.deadline),
        Value::Str(&l.effect),
        Value::Str(l.status.label()),
        Value::Int(l.days_overdue),
    ]
}

/// Row and status-cell formats by ledger status.
struct LedgerFormats {
    alert: Cells,
    done_status: Format,
    overdue_status: Format,
}

impl LedgerFormats {
    fn new(st: &Styles) -> LedgerFormats {
        let alert = Cells::new(Some(colour::RED_FILL), Some(colour::RED_FONT));
        LedgerFormats {
            overdue_status: alert.center.clone().set_bold(),
            alert,
            done_status: st
                .plain
                .center
                .clone()
                .set_background_color(colour::GREEN_FILL)
                .set_font_color(colour::GREEN_FONT),
        }
    }
}

fn build(view: &LedgerView) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, &view.head.unit, view.as_of)?;
    let st = Styles::new();
    let lf = LedgerFormats::new(&st);
    let head = [
        format!("填报单位（盖章）：{}", view.head.unit),
        format!("填报人：{}", view.head.filler),
        format!("填报时间：{}", view.head.date_text),
    ];
    let head = [head[0].as_str(), head[1].as_str(), head[2].as_str()];

    let ws = wb.add_worksheet().set_name(SHEET_HOUSEHOLD)?;
    let rows: Vec<[Value; 14]> = view.household.iter().map(household_values).collect();
    let statuses: Vec<LedgerStatus> = view.household.iter().map(|l| l.status).collect();
    table(
        ws,
        &st,
        &lf,
        &view.title_household,
        head,
        &HOUSEHOLD_COLUMNS,
        HOUSEHOLD_GROUP,
        &rows,
        &statuses,
        "本期无户内问题",
    )?;

    let ws = wb.add_worksheet().set_name(SHEET_AREA)?;
    let rows: Vec<[Value; 11]> = view.area.iter().map(area_values).collect();
    let statuses: Vec<LedgerStatus> = view.area.iter().map(|l| l.status).collect();
    table(
        ws,
        &st,
        &lf,
        &view.title_area,
        head,
        &AREA_COLUMNS,
        AREA_GROUP,
        &rows,
        &statuses,
        "本期无面上问题",
    )?;

    for ws in wb.worksheets_mut() {
        sheet::internal_header(ws, &view.internal_mark);
    }
    wb.save_to_buffer()
}

#[allow(clippy::too_many_arguments)]
fn table<const N: usize>(
    ws: &mut Worksheet,
    st: &Styles,
    lf: &LedgerFormats,
    title: &str,
    head: [&str; 3],
    columns: &[Column; N],
    group: (u16, u16, &str),
    rows: &[[Value; N]],
    statuses: &[LedgerStatus],
    empty_text: &str,
) -> Result<(), XlsxError> {
    let ncols = N as u16;
    form_top(ws, st, title, ncols, head)?;
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let header = two_row_header(sheet::HEADER_ROW, &names, &[group]);
    write_header(ws, st, &header)?;
    ws.set_row_height(sheet::HEADER_ROW, 22)?;
    ws.set_row_height(sheet::HEADER_ROW + 1, 22)?;

    let mut widths = Widths::for_columns(columns);
    see_headers(&mut widths, &names);
    for r in rows {
        widths.see_row(r);
    }
    widths.apply(ws)?;
    sheet::fit_header_rows(
        ws,
        &widths,
        &header,
        &[(sheet::HEADER_ROW, 22.0), (sheet::HEADER_ROW + 1, 22.0)],
    )?;

    let status_col = N - 2;
    for (i, (values, status)) in rows.iter().zip(statuses).enumerate() {
        let row = FIRST_DATA_ROW + i as u32;
        let (cells, special) = match status {
            LedgerStatus::Overdue => (&lf.alert, Some((status_col, &lf.overdue_status))),
            LedgerStatus::Done => (&st.plain, Some((status_col, &lf.done_status))),
            LedgerStatus::InProgress => (&st.plain, None),
        };
        write_row(ws, row, values, &widths, cells, special)?;
    }
    let last_row = if rows.is_empty() {
        span(
            ws,
            FIRST_DATA_ROW,
            0,
            FIRST_DATA_ROW,
            ncols - 1,
            empty_text,
            &st.plain.center,
        )?;
        FIRST_DATA_ROW
    } else {
        FIRST_DATA_ROW + rows.len() as u32 - 1
    };
    ws.autofilter(sheet::HEADER_ROW + 1, 0, last_row, ncols - 1)?;
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW + 1), FIRST_DATA_ROW, 0)?;
    Ok(())
}
