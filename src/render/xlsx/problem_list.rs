//! 数据问题清单.xlsx: every ingest problem with file, sheet, cell (or YAML line:column), field,
//! value, what is wrong and how to fix it; errors first-class red, warnings yellow, filterable.

use super::failed;
use super::sheet::{self, Column, Kind, Styles, Value, Widths, col, colour, page_setup, see_headers, span, write_row};
use crate::documents::problem_list::{ProblemLine, ProblemListView, RuleLine};
use crate::model::Severity;
use crate::render::RenderError;
use chrono::NaiveDate;
use rust_xlsxwriter::XlsxError;

pub const DOCUMENT: &str = "数据问题清单";
pub const SHEET: &str = "数据问题清单";
/// The second sheet: rule findings and 暂缓公示 cases.
pub const RULES_SHEET: &str = "规则核查";

pub const RULE_COLUMNS: [Column; 7] = [
    col("序号", Kind::Int, 5.0, 7.0),
    col("村", Kind::Center, 8.0, 14.0),
    col("户编号", Kind::Center, 10.0, 18.0),
    col("户主姓名", Kind::Center, 8.0, 12.0),
    col("规则", Kind::Wrap, 14.0, 28.0),
    col("问题及修改建议", Kind::Wrap, 30.0, 70.0),
    col("级别", Kind::Center, 8.0, 9.0),
];

fn rule_values(l: &RuleLine) -> [Value<'_>; 7] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.village),
        Value::Str(&l.household_id),
        Value::Str(&l.head_name),
        Value::Str(&l.rule),
        Value::Str(&l.message),
        Value::Str(&l.level),
    ]
}
pub const FIRST_DATA_ROW: u32 = 3;

pub const COLUMNS: [Column; 9] = [
    col("序号", Kind::Int, 5.0, 7.0),
    col("文件", Kind::Wrap, 12.0, 30.0),
    col("工作表", Kind::Center, 8.0, 14.0),
    col("单元格", Kind::Center, 7.0, 10.0),
    col("字段", Kind::Center, 8.0, 16.0),
    col("值", Kind::Wrap, 8.0, 24.0),
    col("问题", Kind::Wrap, 20.0, 40.0),
    col("修改建议", Kind::Wrap, 20.0, 40.0),
    col("级别", Kind::Center, 6.0, 6.0),
];

/// `created` stamps the workbook's creation date (the run's as-of date), never the clock.
pub fn write(view: &ProblemListView, created: NaiveDate) -> Result<Vec<u8>, RenderError> {
    build(view, created).map_err(failed(DOCUMENT))
}

fn values(l: &ProblemLine) -> [Value<'_>; 9] {
    [
        Value::Int(i64::from(l.seq)),
        Value::Str(&l.file),
        Value::Str(&l.sheet),
        Value::Str(&l.cell),
        Value::Str(&l.field),
        Value::Str(&l.value),
        Value::Str(&l.message),
        Value::Str(&l.fix),
        Value::Str(l.severity.label()),
    ]
}

fn build(view: &ProblemListView, created: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, "fangpin", created)?;
    let st = Styles::new();
    let error = st
        .plain
        .center
        .clone()
        .set_bold()
        .set_background_color(colour::RED_FILL)
        .set_font_color(colour::RED_FONT);
    let warning = st
        .plain
        .center
        .clone()
        .set_background_color(colour::YELLOW_FILL)
        .set_font_color(colour::YELLOW_FONT);
    let level = |is_error: bool| if is_error { &error } else { &warning };

    let note = format!(
        "{}。按“文件、工作表、单元格”找到原表修改后重新运行 fangpin check。",
        view.summary_text
    );
    let rows: Vec<([Value<'_>; 9], bool)> = view
        .rows
        .iter()
        .map(|l| (values(l), l.severity == Severity::Error))
        .collect();
    let ws = wb.add_worksheet().set_name(SHEET)?;
    table(ws, &st, &view.title, &note, &COLUMNS, &rows, "未发现数据问题", level)?;

    // 规则核查: what the rules found per case; written even when empty, saying why.
    let (note, empty) = match &view.rules {
        None => (
            "数据有错误，未进行规则核查。请先按“数据问题清单”改正错误后重新生成。".to_string(),
            "未进行规则核查",
        ),
        Some(rows) => {
            let held = rows.iter().filter(|r| r.level == "暂缓公示").count();
            (
                format!(
                    "共{}条：规则核查发现{}条，暂缓公示{}条。错误只影响所涉案例（暂缓公示），不影响其他文书的生成。",
                    rows.len(),
                    rows.len() - held,
                    held
                ),
                "未发现规则问题",
            )
        }
    };
    let rows: Vec<([Value<'_>; 7], bool)> = view
        .rules
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|l| (rule_values(l), l.error))
        .collect();
    let ws = wb.add_worksheet().set_name(RULES_SHEET)?;
    table(ws, &st, RULES_SHEET, &note, &RULE_COLUMNS, &rows, empty, level)?;
    wb.save_to_buffer()
}

/// One sheet of the list: title, note, header, the rows with the 级别 cell (last column)
/// coloured by error or warning, a filter, print setup; `empty` stands in for no rows.
#[allow(clippy::too_many_arguments)]
fn table<'f, const N: usize>(
    ws: &mut rust_xlsxwriter::Worksheet,
    st: &Styles,
    title: &str,
    note: &str,
    columns: &[Column; N],
    rows: &[([Value<'_>; N], bool)],
    empty: &str,
    level: impl Fn(bool) -> &'f rust_xlsxwriter::Format,
) -> Result<(), XlsxError> {
    let ncols = N as u16;
    span(ws, sheet::TITLE_ROW, 0, sheet::TITLE_ROW, ncols - 1, title, &st.title)?;
    ws.set_row_height(sheet::TITLE_ROW, 36)?;
    span(ws, sheet::HEAD_ROW, 0, sheet::HEAD_ROW, ncols - 1, note, &st.head_left)?;
    ws.set_row_height(sheet::HEAD_ROW, 24)?;
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    for (i, n) in names.iter().enumerate() {
        ws.write_string_with_format(sheet::HEADER_ROW, i as u16, *n, &st.header)?;
    }
    ws.set_row_height(sheet::HEADER_ROW, 22)?;
    let mut widths = Widths::for_columns(columns);
    see_headers(&mut widths, &names);
    for (v, _) in rows {
        widths.see_row(v);
    }
    widths.apply(ws)?;
    let header = sheet::one_row_header(sheet::HEADER_ROW, &names);
    sheet::fit_header_rows(ws, &widths, &header, &[(sheet::HEADER_ROW, 22.0)])?;
    for (i, (v, is_error)) in rows.iter().enumerate() {
        write_row(
            ws,
            FIRST_DATA_ROW + i as u32,
            v,
            &widths,
            &st.plain,
            Some((N - 1, level(*is_error))),
        )?;
    }
    let last_row = if rows.is_empty() {
        span(
            ws,
            FIRST_DATA_ROW,
            0,
            FIRST_DATA_ROW,
            ncols - 1,
            empty,
            &st.plain.center,
        )?;
        FIRST_DATA_ROW
    } else {
        FIRST_DATA_ROW + rows.len() as u32 - 1
    };
    ws.autofilter(sheet::HEADER_ROW, 0, last_row, ncols - 1)?;
    page_setup(ws, (sheet::HEADER_ROW, sheet::HEADER_ROW), FIRST_DATA_ROW, 0)?;
    Ok(())
}
