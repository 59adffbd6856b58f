//! Shared layout for every workbook: formats built once, form title and 填报 line, merged
//! headers, column widths measured from the Chinese text, print setup.

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// Chinese date format for real Excel date cells.
pub const DATE_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\"";
/// The body face on the offices' Windows machines (WPS and Excel both have it).
pub const FONT: &str = "宋体";
pub const TITLE_FONT: &str = "黑体";

/// First data row index after a title row, a 填报 line and a header of `header_rows` rows.
pub const TITLE_ROW: u32 = 0;
pub const HEAD_ROW: u32 = 1;
pub const HEADER_ROW: u32 = 2;

/// A new workbook whose bytes depend only on its content and `created` (no clock read).
pub fn workbook(title: &str, author: &str, created: NaiveDate) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // 宋体 11 is the default of Chinese Excel: 72 px columns, 18 px rows.
    wb.set_default_format(&Format::new().set_font_name(FONT).set_font_size(11), 18, 72)?;
    let created = created.and_hms_opt(0, 0, 0).unwrap_or_default();
    let props = DocProperties::new()
        .set_title(title)
        .set_author(author)
        .set_company(author)
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    Ok(wb)
}

fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_align(FormatAlign::VerticalCenter)
}

fn cell() -> Format {
    base().set_border(FormatBorder::Thin)
}

/// What a column holds; picks the cell format and how its width is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Short text, left.
    Text,
    /// Short text, centred (序号-like codes, statuses, names).
    Center,
    /// Long text, wrapped.
    Wrap,
    /// A real date cell.
    Date,
    /// A whole number, centred.
    Int,
    /// Money in 元, two decimals.
    Money,
}

/// The formats for one row colour.
pub struct Cells {
    pub text: Format,
    pub center: Format,
    pub wrap: Format,
    pub date: Format,
    pub int: Format,
    pub money: Format,
}

impl Cells {
    pub fn new(fill: Option<Color>, font: Option<Color>) -> Cells {
        let paint = |f: Format| {
            let f = match fill {
                Some(c) => f.set_background_color(c),
                None => f,
            };
            match font {
                Some(c) => f.set_font_color(c),
                None => f,
            }
        };
        // Text cells carry the built-in text format (49, "@") so an ID typed over later stays text.
        Cells {
            text: paint(cell().set_num_format_index(49)),
            center: paint(cell().set_num_format_index(49).set_align(FormatAlign::Center)),
            wrap: paint(cell().set_num_format_index(49).set_text_wrap()),
            date: paint(cell().set_num_format(DATE_FORMAT).set_align(FormatAlign::Center)),
            int: paint(cell().set_num_format_index(1).set_align(FormatAlign::Center)),
            money: paint(cell().set_num_format_index(2).set_align(FormatAlign::Right)),
        }
    }

    pub fn for_kind(&self, k: Kind) -> &Format {
        match k {
            Kind::Text => &self.text,
            Kind::Center => &self.center,
            Kind::Wrap => &self.wrap,
            Kind::Date => &self.date,
            Kind::Int => &self.int,
            Kind::Money => &self.money,
        }
    }
}

/// Excel-like "good / neutral / bad" colours.
pub mod colour {
    use rust_xlsxwriter::Color;
    pub const RED_FILL: Color = Color::RGB(0xFFC7CE);
    pub const RED_FONT: Color = Color::RGB(0x9C0006);
    pub const YELLOW_FILL: Color = Color::RGB(0xFFEB9C);
    pub const YELLOW_FONT: Color = Color::RGB(0x9C5700);
    pub const ORANGE_FILL: Color = Color::RGB(0xFCE4D6);
    pub const ORANGE_FONT: Color = Color::RGB(0x843C0C);
    pub const GREEN_FILL: Color = Color::RGB(0xC6EFCE);
    pub const GREEN_FONT: Color = Color::RGB(0x006100);
    pub const HEADER_FILL: Color = Color::RGB(0xF2F2F2);
}

/// Formats shared by the form parts of every sheet.
pub struct Styles {
    pub title: Format,
    pub head_left: Format,
    pub head_right: Format,
    pub marking: Format,
    pub header: Format,
    pub total_label: Format,
    pub total_int: Format,
    /// Centred and wrapped (a group label over several rows).
    pub center_wrap: Format,
    pub plain: Cells,
}

impl Default for Styles {
    fn default() -> Styles {
        Styles::new()
    }
}

impl Styles {
    pub fn new() -> Styles {
        Styles {
            title: Format::new()
                .set_font_name(TITLE_FONT)
                .set_font_size(18)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            head_left: base(),
            head_right: base().set_align(FormatAlign::Right),
            marking: base()
                .set_bold()
                .set_font_color(colour::RED_FONT)
                .set_align(FormatAlign::Right),
            header: cell()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_text_wrap()
                .set_background_color(colour::HEADER_FILL),
            total_label: cell().set_bold().set_align(FormatAlign::Center),
            total_int: cell().set_bold().set_num_format_index(1).set_align(FormatAlign::Center),
            center_wrap: cell()
                .set_num_format_index(49)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            plain: Cells::new(None, None),
        }
    }
}

/// Writes `text` over columns `c0..=c1` of one row (or rows `r0..=r1`), merging only when the
/// range has more than one cell (a one-cell merge is invalid).
pub fn span(ws: &mut Worksheet, r0: u32, c0: u16, r1: u32, c1: u16, text: &str, f: &Format) -> Result<(), XlsxError> {
    if r0 == r1 && c0 == c1 {
        ws.write_string_with_format(r0, c0, text, f)?;
    } else {
        ws.merge_range(r0, c0, r1, c1, text, f)?;
    }
    Ok(())
}

/// Title row (merged over all columns) and the 填报单位（盖章）/填报人/填报时间 line.
pub fn form_top(ws: &mut Worksheet, st: &Styles, title: &str, ncols: u16, head: [&str; 3]) -> Result<(), XlsxError> {
    let last = ncols.saturating_sub(1);
    span(ws, TITLE_ROW, 0, TITLE_ROW, last, title, &st.title)?;
    ws.set_row_height(TITLE_ROW, 36)?;
    head_line(ws, st, HEAD_ROW, ncols, head)?;
    Ok(())
}

/// Three text blocks on one line: left half, third quarter, last quarter (right-aligned).
pub fn head_line(ws: &mut Worksheet, st: &Styles, row: u32, ncols: u16, head: [&str; 3]) -> Result<(), XlsxError> {
    head_blocks(
        ws,
        st,
        row,
        ncols,
        [
            (head[0], &st.head_left),
            (head[1], &st.head_left),
            (head[2], &st.head_right),
        ],
    )
}

/// Like `head_line`, each block with its own format.
pub fn head_blocks(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    ncols: u16,
    blocks: [(&str, &Format); 3],
) -> Result<(), XlsxError> {
    let last = ncols.saturating_sub(1);
    if ncols < 4 {
        let joined: Vec<&str> = blocks.iter().map(|b| b.0).filter(|t| !t.is_empty()).collect();
        return span(ws, row, 0, row, last, &joined.join("　"), &st.head_left);
    }
    let a = ncols / 2;
    let b = a + (ncols - a) / 2;
    span(ws, row, 0, row, a - 1, blocks[0].0, blocks[0].1)?;
    span(ws, row, a, row, b - 1, blocks[1].0, blocks[1].1)?;
    span(ws, row, b, row, last, blocks[2].0, blocks[2].1)?;
    ws.set_row_height(row, 24)?;
    Ok(())
}

/// One header cell, possibly merged: rows `r0..=r1`, columns `c0..=c1`.
pub struct HeaderCell<'a> {
    pub r0: u32,
    pub c0: u16,
    pub r1: u32,
    pub c1: u16,
    pub text: &'a str,
}

/// A two-row header: plain columns merged over both rows; `groups` put a label over a run of
/// columns whose own names go on the second row (整改责任 → 责任人 | 责任单位).
pub fn two_row_header<'a>(top: u32, names: &[&'a str], groups: &[(u16, u16, &'a str)]) -> Vec<HeaderCell<'a>> {
    let mut cells = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let c = i as u16;
        match groups.iter().find(|(a, b, _)| (*a..=*b).contains(&c)) {
            Some((a, b, label)) => {
                if c == *a {
                    cells.push(HeaderCell {
                        r0: top,
                        c0: *a,
                        r1: top,
                        c1: *b,
                        text: label,
                    });
                }
                cells.push(HeaderCell {
                    r0: top + 1,
                    c0: c,
                    r1: top + 1,
                    c1: c,
                    text: name,
                });
            }
            None => cells.push(HeaderCell {
                r0: top,
                c0: c,
                r1: top + 1,
                c1: c,
                text: name,
            }),
        }
    }
    cells
}

/// A one-row header: one cell per column name on `row`.
pub fn one_row_header<'a>(row: u32, names: &[&'a str]) -> Vec<HeaderCell<'a>> {
    names
        .iter()
        .enumerate()
        .map(|(i, text)| HeaderCell {
            r0: row,
            c0: i as u16,
            r1: row,
            c1: i as u16,
            text,
        })
        .collect()
}

pub fn write_header(ws: &mut Worksheet, st: &Styles, cells: &[HeaderCell]) -> Result<(), XlsxError> {
    for h in cells {
        span(ws, h.r0, h.c0, h.r1, h.c1, h.text, &st.header)?;
    }
    Ok(())
}

/// Display width of text in Excel column units (a CJK character is two digits wide).
pub fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x1100 { 1.1 } else { 2.0 }).sum()
}

/// Column widths measured from the content, clamped per column; wrapped columns stop at their
/// maximum and wrap instead.
pub struct Widths {
    kinds: Vec<Kind>,
    min: Vec<f64>,
    max: Vec<f64>,
    seen: Vec<f64>,
}

impl Widths {
    /// `cols`: (kind, min width, max width) per column.
    pub fn new(cols: &[(Kind, f64, f64)]) -> Widths {
        Widths {
            kinds: cols.iter().map(|c| c.0).collect(),
            min: cols.iter().map(|c| c.1).collect(),
            max: cols.iter().map(|c| c.2).collect(),
            seen: vec![0.0; cols.len()],
        }
    }

    pub fn kind(&self, col: usize) -> Kind {
        self.kinds.get(col).copied().unwrap_or(Kind::Text)
    }

    pub fn see(&mut self, col: usize, s: &str) {
        if let Some(w) = self.seen.get_mut(col) {
            // Only the longest line counts: wrapped text breaks at explicit newlines too.
            let longest = s.split('\n').map(text_width).fold(0.0, f64::max);
            if longest > *w {
                *w = longest;
            }
        }
    }

    /// Final width of a column: its content's, at least its minimum. Only wrapped columns stop
    /// at their maximum (their text wraps); a column that does not wrap is never narrower than
    /// its longest value, or the value would be cut in print (a centred 吴杰坤（镇干部） in a
    /// column too narrow prints as 杰坤（镇干).
    pub fn width(&self, col: usize) -> f64 {
        let seen = self.seen.get(col).copied().unwrap_or(0.0) + 2.0;
        let min = self.min.get(col).copied().unwrap_or(6.0);
        let max = self.max.get(col).copied().unwrap_or(40.0);
        if self.kind(col) == Kind::Wrap {
            seen.clamp(min, max.max(min))
        } else {
            seen.max(min)
        }
    }

    /// The columns' total width in points as printed at 100 % (Excel: a unit is the width of a
    /// digit of the default font, 7 px at 96 dpi, plus 5 px of padding per column).
    pub fn total_points(&self) -> f64 {
        (0..self.seen.len()).map(|c| (self.width(c) * 7.0 + 5.0) * 0.75).sum()
    }

    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for col in 0..self.seen.len() {
            ws.set_column_width(col as u16, self.width(col))?;
        }
        Ok(())
    }

    /// Lines a text needs in a column (wrapped columns only; others stay on one line).
    pub fn lines(&self, col: usize, s: &str) -> u32 {
        if self.kind(col) != Kind::Wrap || s.is_empty() {
            return 1;
        }
        let usable = (self.width(col) - 1.0).max(2.0);
        s.split('\n')
            .map(|part| ((text_width(part) / usable).ceil() as u32).max(1))
            .sum()
    }
}

/// Row height in points for a row of `lines` text lines (宋体 11).
pub fn row_height(lines: u32) -> f64 {
    f64::from(lines.max(1)) * 14.5 + 5.0
}

/// Printable width of an A4 landscape page with `page_setup`'s margins, in points.
pub const LANDSCAPE_PRINTABLE_WIDTH_PT: f64 = (11.69 - 0.4 - 0.4) * 72.0;

/// Printable height of an A4 landscape page with `page_setup`'s margins, in points, less a
/// little slack for renderers that round row heights up.
pub const LANDSCAPE_PRINTABLE_PT: f64 = (8.27 - 0.6 - 0.6) * 72.0 - 12.0;

/// Page setup every sheet shares: A4 landscape, margins, the header rows repeated on every
/// printed page, one page wide, frozen header, page numbers in the footer.
pub fn page_setup(ws: &mut Worksheet, repeat: (u32, u32), freeze_row: u32, freeze_col: u16) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    // Inches: left, right, top, bottom, header, footer.
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(repeat.0, repeat.1)?;
    ws.set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(freeze_row, freeze_col)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// Prints `mark` (内部资料, from the view: see `documents::is_public`) in red at the right of every
/// printed page's header; nothing for an empty mark.
pub fn internal_header(ws: &mut Worksheet, mark: &str) {
    if !mark.is_empty() {
        ws.set_header(format!("&R&\"宋体,加粗\"&KFF0000{mark}"));
    }
}

/// One cell value of a data row.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Str(&'a str),
    Date(Option<NaiveDate>),
    Int(i64),
    /// 元 amounts (display only; sums are made on `Money` before).
    Num(Option<f64>),
}

impl Value<'_> {
    /// Text used to measure the column width.
    fn measure(&self, w: &mut Widths, col: usize) {
        match self {
            Value::Str(s) => w.see(col, s),
            // `2024年12月31日`
            Value::Date(Some(_)) => w.see(col, "2024年12月31日"),
            Value::Date(None) => {}
            Value::Int(n) => w.see(col, &n.to_string()),
            Value::Num(Some(x)) => w.see(col, &format!("{x:.2}")),
            Value::Num(None) => {}
        }
    }
}

/// A sheet's columns: header text, kind, min and max width.
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub min: f64,
    pub max: f64,
}

pub const fn col(name: &'static str, kind: Kind, min: f64, max: f64) -> Column {
    Column { name, kind, min, max }
}

impl Widths {
    pub fn for_columns(cols: &[Column]) -> Widths {
        let spec: Vec<(Kind, f64, f64)> = cols.iter().map(|c| (c.kind, c.min, c.max)).collect();
        Widths::new(&spec)
    }

    pub fn see_row(&mut self, values: &[Value]) {
        for (i, v) in values.iter().enumerate() {
            v.measure(self, i);
        }
    }

    fn row_lines(&self, values: &[Value]) -> u32 {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Str(s) => self.lines(i, s),
                _ => 1,
            })
            .max()
            .unwrap_or(1)
    }
}

/// Writes one data row with the row's formats; `special` replaces the format of one column
/// (a status cell). Sets the row height when wrapped text needs more than one line.
pub fn write_row(
    ws: &mut Worksheet,
    row: u32,
    values: &[Value],
    widths: &Widths,
    cells: &Cells,
    special: Option<(usize, &Format)>,
) -> Result<(), XlsxError> {
    for (i, v) in values.iter().enumerate() {
        let f = match special {
            Some((c, f)) if c == i => f,
            _ => cells.for_kind(widths.kind(i)),
        };
        write_value(ws, row, i as u16, v, f)?;
    }
    // Every data row gets an explicit height: Excel keeps 13.5 pt otherwise, cramped for CJK.
    ws.set_row_height(row, row_height(widths.row_lines(values)))?;
    Ok(())
}

/// Writes one value; empty text and missing dates/numbers become bordered blanks.
pub fn write_value(ws: &mut Worksheet, row: u32, c: u16, v: &Value, f: &Format) -> Result<(), XlsxError> {
    match v {
        Value::Str("") => ws.write_blank(row, c, f)?,
        Value::Str(s) => ws.write_string_with_format(row, c, *s, f)?,
        Value::Date(Some(d)) => ws.write_date_with_format(row, c, d, f)?,
        Value::Int(n) => ws.write_number_with_format(row, c, *n as f64, f)?,
        Value::Num(Some(x)) => ws.write_number_with_format(row, c, *x, f)?,
        Value::Date(None) | Value::Num(None) => ws.write_blank(row, c, f)?,
    };
    Ok(())
}

/// Sets the heights of header rows from their text: each header cell's text wrapped at its
/// (merged) width, bold, with the rows it spans sharing the height (the last row takes what the
/// others lack). `rows` gives each header row and its least height in points. Call once the
/// column widths are known. Gives the header's total height in points.
pub fn fit_header_rows(
    ws: &mut Worksheet,
    widths: &Widths,
    cells: &[HeaderCell],
    rows: &[(u32, f64)],
) -> Result<f64, XlsxError> {
    let mut height: Vec<(u32, f64)> = rows.to_vec();
    let get = |h: &[(u32, f64)], r: u32| h.iter().find(|x| x.0 == r).map_or(0.0, |x| x.1);
    // Single-row cells first, then cells over several rows with what is left.
    let mut order: Vec<&HeaderCell> = cells.iter().collect();
    order.sort_by_key(|c| c.r1 - c.r0);
    for c in order {
        let width: f64 = (c.c0..=c.c1).map(|col| widths.width(usize::from(col))).sum();
        let needed = header_height(c.text, width);
        let have: f64 = (c.r0..=c.r1).map(|r| get(&height, r)).sum();
        if needed > have {
            match height.iter_mut().find(|x| x.0 == c.r1) {
                Some(x) => x.1 += needed - have,
                None => height.push((c.r1, needed)),
            }
        }
    }
    for (r, h) in &height {
        ws.set_row_height(*r, *h)?;
    }
    Ok(height.iter().map(|x| x.1).sum())
}

/// Points a bold header text needs at a column width (Excel units): its lines at the width, less
/// a character's margin, with bold CJK a little wider than regular.
pub fn header_height(text: &str, width: f64) -> f64 {
    let usable = (width - 1.0).max(2.0);
    let lines: u32 = text
        .split('\n')
        .map(|part| ((text_width(part) * 1.05 / usable).ceil() as u32).max(1))
        .sum();
    row_height(lines)
}

/// Header names take part in the width, but long ones may wrap onto two lines.
pub fn see_headers(w: &mut Widths, names: &[&str]) {
    for (i, n) in names.iter().enumerate() {
        let tw = text_width(n);
        if tw <= 12.0 {
            w.see(i, n);
        } else {
            let half: String = n.chars().take(n.chars().count().div_ceil(2)).collect();
            w.see(i, &half);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_chinese_text() {
        assert_eq!(text_width("张三"), 4.0);
        let mut w = Widths::new(&[(Kind::Text, 6.0, 30.0), (Kind::Wrap, 10.0, 20.0)]);
        w.see(0, "巴彦塔拉达斡尔民族乡");
        w.see(1, "从事公益性岗位，一季度补助未及时发放，需要尽快补发到位。");
        assert_eq!(w.width(0), 22.0);
        assert_eq!(w.width(1), 20.0);
        assert!(w.lines(1, "从事公益性岗位，一季度补助未及时发放，需要尽快补发到位。") >= 3);
        assert_eq!(w.lines(0, "很长很长很长很长很长很长很长很长很长很长"), 1);
        // A column that does not wrap grows past its maximum rather than cut its text.
        let mut c = Widths::new(&[(Kind::Center, 8.0, 12.0)]);
        c.see(0, "吴杰坤（镇干部）");
        assert_eq!(c.width(0), 18.0);
    }

    #[test]
    fn two_row_header_groups() {
        let cells = two_row_header(2, &["序号", "责任人", "责任单位", "整改时限"], &[(1, 2, "整改责任")]);
        let spans: Vec<(u32, u16, u32, u16, &str)> = cells.iter().map(|h| (h.r0, h.c0, h.r1, h.c1, h.text)).collect();
        assert_eq!(
            spans,
            vec![
                (2, 0, 3, 0, "序号"),
                (2, 1, 2, 2, "整改责任"),
                (3, 1, 3, 1, "责任人"),
                (3, 2, 3, 2, "责任单位"),
                (2, 3, 3, 3, "整改时限")
            ]
        );
    }
}
