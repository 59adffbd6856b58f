//! Limits that keep broken or hostile input from costing minutes or gigabytes. Each one turns into
//! an ordinary diagnostic with the input's place, like any other data problem.
//!
//! - YAML flow nesting (`[[[[…`): libyaml's scanner is quadratic in the flow depth (100,000
//!   brackets take minutes) and serde_yaml rejects anything deeper than 128 levels anyway, so
//!   deeper input is refused before parsing.
//! - Sheet extent: calamine stores a sheet densely over the bounding box of its used cells, so one
//!   stray value at XFD1048576 would ask for half a terabyte and abort the process. The cells are
//!   read sparsely first and the sheet refused when its box is absurd.
//! - Text length: Excel holds at most 32,767 characters in a cell, and the outputs are workbooks
//!   too, so longer text is an input error rather than a failed build.

use crate::model::{Diagnostic, Place};
use calamine::{Cell, Data, DataRef, Dimensions, Range, Xlsb, Xlsx, XlsxError};
use std::borrow::Cow;
use std::io::{Read, Seek};

/// Deepest YAML flow nesting read (serde_yaml's own recursion limit).
pub const MAX_FLOW_DEPTH: usize = 128;

/// Largest bounding box of a sheet's used cells (rows × columns) that is read. The largest real
/// sheet is a township's national-system export: about 100,000 person rows × 58 columns (5.8
/// million cells; a 自定义查询 export with more columns chosen stays under 80). A far-away stray
/// value (XFD1048576 is 17 billion cells) is far above it.
///
/// It bounds memory: the box is stored densely (32 bytes a cell, 256 MB at the limit) and, while
/// a sheet is streamed, its non-empty cells are first listed with their positions (40 bytes each,
/// 320 MB), plus each text cell's own heap copy (bounded by [`MAX_WORKBOOK_TEXT_BYTES`]). A hostile
/// sheet stopped at the limit costs about 0.6–0.8 GB at its peak, under the 1.5 GB the hardening
/// tests allow, and the 20,000-household build (80 village workbooks of a few thousand cells,
/// read two at a time) is not affected. Every data row kept also becomes records, which
/// [`MAX_FILE_ROWS`] bounds.
pub const MAX_SHEET_CELLS: u64 = 8_000_000;

/// Non-empty cells read from one workbook, all sheets together: the same bound as one sheet, since
/// the sheets of a workbook are all held at once before they are read (a 100,000-person export
/// beside its own small 程序/问题 sheets fits).
pub const MAX_WORKBOOK_CELLS: u64 = 8_000_000;

/// Bytes of cell text read from one workbook, all sheets together (each cell holds its own copy).
pub const MAX_WORKBOOK_TEXT_BYTES: u64 = 256 << 20;

/// Data rows read from one file (all sheets or lists). Memory grows with every row kept (a record
/// and its diagnostics, about 2.5 KB in all); 200,000 rows stay far below 1.5 GB, and a township's
/// largest export (about 100,000 member rows) fits twice.
pub const MAX_FILE_ROWS: usize = 200_000;

/// Errors listed for one file before it is no longer checked: a file with this many has one
/// mistake repeated down a whole table, and listing millions of them costs gigabytes.
pub const MAX_FILE_ERRORS: usize = 10_000;

/// Diagnostics of any kind (warnings included) listed for one file before it is no longer checked.
pub const MAX_FILE_DIAGNOSTICS: usize = 100_000;

/// Counts a file's rows and problems as it is read and says when to stop.
#[derive(Default)]
pub struct FileCaps {
    /// Diagnostics already counted, and the errors among them.
    seen: usize,
    errors: usize,
}

impl FileCaps {
    /// Why reading a file stops before its next data row, given the rows read so far and the
    /// file's diagnostics (only the new ones are counted): (message, fix), or `None` to go on.
    pub fn check(&mut self, rows: usize, diagnostics: &[Diagnostic]) -> Option<(String, &'static str)> {
        if let Some(new) = diagnostics.get(self.seen..) {
            self.errors += new.iter().filter(|d| d.is_error()).count();
        }
        self.seen = diagnostics.len();
        if rows >= MAX_FILE_ROWS {
            return Some((
                format!("此文件的数据行超过{MAX_FILE_ROWS}行，自此处起未读取"),
                "把数据拆分成几个较小的文件（例如每村一个）",
            ));
        }
        (self.errors >= MAX_FILE_ERRORS || diagnostics.len() >= MAX_FILE_DIAGNOSTICS).then(|| {
            (
                format!("此文件已发现{}处问题，自此处起未再检查", diagnostics.len()),
                "先改正已列出的问题（通常是整列或整表的同一种错误，如重复的行），再重新核查",
            )
        })
    }
}

/// Excel's own row limit: a sheet past it did not come from Excel or WPS.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// Longest text accepted in one cell or YAML value: Excel's own limit per cell.
pub const MAX_TEXT_CHARS: usize = 32_767;

/// Where flow nesting (`[`, `{`) first goes deeper than [`MAX_FLOW_DEPTH`], as 1-based
/// (line, column). Quoted scalars and comments are skipped the way YAML reads them.
pub fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let (mut line, mut col) = (1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    // A quote opens a quoted scalar only where a token can start.
    let mut token_start = true;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            token_start = true;
            continue;
        }
        col += 1;
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
                token_start = false;
            }
            continue;
        }
        match c {
            '"' | '\'' if token_start => quote = Some(c),
            '#' if token_start || col == 1 => comment = true,
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some((line, col));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        token_start = c.is_whitespace() || matches!(c, '[' | '{' | ',' | ':' | '-' | '?');
    }
    None
}

/// The diagnostic for [`flow_too_deep`], worded like serde_yaml's recursion-limit error.
pub fn too_deep_diagnostic(rel: &str, (line, col): (usize, usize)) -> Diagnostic {
    Diagnostic::error(
        Place::line(rel, line, col),
        "",
        "",
        format!("YAML 嵌套层数过多（方括号或花括号超过{MAX_FLOW_DEPTH}层），文件被拒绝读取"),
        "检查此处是否多写了 [ 或 {，把数据写成普通的列表和“键: 值”",
    )
}

/// The problem with text that is too long, for a cell's diagnostic; `None` when it is fine.
pub fn text_too_long(t: &str) -> Option<String> {
    // Byte length bounds the character count from above: skip counting for ordinary text.
    if t.len() <= MAX_TEXT_CHARS {
        return None;
    }
    let n = t.chars().count();
    (n > MAX_TEXT_CHARS).then(|| format!("内容过长（{n}个字符，一个单元格最多{MAX_TEXT_CHARS}个字符）"))
}

/// A value shortened for a message (first 40 characters and the total), so a huge cell does not
/// become a huge line in the terminal or the 数据问题清单.
pub fn clip(t: &str) -> String {
    const KEEP: usize = 40;
    if t.len() <= KEEP * 4 || t.chars().count() <= KEEP * 2 {
        return t.to_string();
    }
    let head: String = t.chars().take(KEEP).collect();
    format!("{head}……（共{}个字符）", t.chars().count())
}

/// Message for bytes that are not UTF-8: names UTF-16 (Notepad's "Unicode") when the byte-order
/// mark says so, else the usual suspect GBK.
pub fn not_utf8_message(bytes: &[u8], valid_up_to: usize) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        "文件是 UTF-16 编码（记事本中的“Unicode”），不是 UTF-8 编码".to_string()
    } else {
        format!(
            "文件不是 UTF-8 编码（第{}字节起无法解码），可能是 GBK 编码",
            valid_up_to + 1
        )
    }
}

/// Invisible characters a name may carry from copy and paste: zero-width characters and the
/// bidirectional controls, which reorder what follows them on paper (U+202E prints 赵钱孙 as
/// 赵孙钱). The name is kept as written; the message says what was found.
pub fn invisible_in_name(name: &str) -> Option<String> {
    let found: Vec<char> = name
        .chars()
        .filter(|c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .collect();
    if found.is_empty() {
        return None;
    }
    let codes: Vec<String> = found.iter().map(|c| format!("U+{:04X}", *c as u32)).collect();
    let reorders = found
        .iter()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'));
    Some(format!(
        "姓名中含有看不见的字符（{}）{}",
        codes.join("、"),
        if reorders {
            "，打印时其后的字会改变顺序"
        } else {
            "，查找和比对姓名时会对不上"
        }
    ))
}

/// An OLE compound file (old .xls, or an encrypted .xlsx) whose last sector is cut short — a
/// truncated copy — makes calamine's reader panic. Padding it with zeros to whole sectors reads
/// as the same truncated file, which calamine then reports as an ordinary error.
pub fn pad_ole(bytes: &[u8]) -> Cow<'_, [u8]> {
    const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.len() < 512 || !bytes.starts_with(&SIGNATURE) {
        return Cow::Borrowed(bytes);
    }
    // Sectors start after the header sector: 512 bytes (shift 9) or 4096 bytes (shift 12).
    let (start, size) = match u16::from_le_bytes([bytes[30], bytes[31]]) {
        9 => (512, 512),
        12 => (4096, 4096),
        _ => return Cow::Borrowed(bytes),
    };
    let short = bytes.len().saturating_sub(start) % size;
    if bytes.len() < start || short == 0 {
        return Cow::Borrowed(bytes);
    }
    let mut v = bytes.to_vec();
    v.resize(bytes.len() + size - short, 0);
    Cow::Owned(v)
}

thread_local! {
    /// Set while this thread runs third-party parsing whose panics are caught and reported.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for panics inside [`contained`] /
/// [`quietly`] on this thread and defers to the previous hook everywhere else.
fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panic messages on this thread silenced (for work `contained` will catch, such
/// as a rayon task of the same parse).
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    install_quiet_hook();
    let was = QUIET.with(|q| q.replace(true));
    // Restore the flag however `f` ends.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
        }
    }
    let _restore = Restore(was);
    f()
}

/// Runs a third-party parser over untrusted bytes: a panic inside it (calamine has several on
/// damaged files) becomes an error message instead of ending the program.
pub fn contained<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    quietly(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)))
        .unwrap_or_else(|_| Err("表格内部结构异常，读取程序无法解析".to_string()))
}

/// A workbook refused before it is parsed, because reading it would cost too much memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is wrong and which limit it passes.
    pub message: String,
    /// How to fix it.
    pub fix: &'static str,
}

fn refuse(message: String, fix: &'static str) -> Refusal {
    Refusal { message, fix }
}

/// An OpenDocument spreadsheet whose repeated rows and columns would expand past
/// [`MAX_SHEET_CELLS`] (a 1 KB file can ask calamine for gigabytes). Streams `content.xml` and
/// takes each table's bounding box of cells that may hold something, as calamine expands it: a
/// cell with content, a value attribute or a formula (calamine keeps formula-only cells too). The
/// boxes of all tables together are bounded as well (calamine reads every table at open), and so
/// is the text the expanded cells copy. Files that are not readable zips are left to calamine.
pub fn vet_ods(bytes: &[u8]) -> Result<(), Refusal> {
    use quick_xml::events::{BytesStart, Event};
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let repeats = |e: &BytesStart, key: &str| -> u64 {
        e.try_get_attribute(key)
            .ok()
            .flatten()
            .and_then(|a| a.value.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    // Attributes that give a cell a value (or a formula) without any content inside it.
    const VALUED: &[&str] = &[
        "office:value-type",
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
        "table:formula",
    ];
    // Per table: next row, current row's repeat and next column, and the box (rows, columns).
    let (mut row, mut row_reps, mut col) = (0u64, 1u64, 0u64);
    let mut bounds: Option<(u64, u64, u64, u64)> = None;
    let mut table = String::new();
    // The boxes of the tables already read, and the text the expanded cells copy.
    let (mut done_cells, mut text) = (0u64, 0u64);
    // Copies of the open cell's text (its column repeats × the row's repeats) and that text's length.
    let mut open_cell: Option<(u64, u64)> = None;
    let mut buf = Vec::new();
    let box_cells =
        |b: Option<(u64, u64, u64, u64)>| b.map_or(0, |(r0, r1, c0, c1)| (r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table" => {
                    done_cells = done_cells.saturating_add(box_cells(bounds));
                    (row, bounds) = (0, None);
                    table = e
                        .try_get_attribute("table:name")
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                }
                "table:table-row" => {
                    // calamine caps rows at Excel's maximum.
                    row_reps = repeats(&e, "table:number-rows-repeated").min(u64::from(EXCEL_MAX_ROWS));
                    col = 0;
                    if empty {
                        row = row.saturating_add(row_reps);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let reps = repeats(&e, "table:number-columns-repeated").min(16_384);
                    let valued = VALUED.iter().any(|k| e.try_get_attribute(k).ok().flatten().is_some());
                    if !empty || valued {
                        let last_row = row.saturating_add(row_reps - 1);
                        let last_col = col.saturating_add(reps - 1);
                        bounds = Some(match bounds {
                            None => (row, last_row, col, last_col),
                            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(last_row), c0.min(col), c1.max(last_col)),
                        });
                        if let Some((r0, r1, c0, c1)) = bounds
                            && (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_SHEET_CELLS
                        {
                            return Err(refuse(
                                format!(
                                    "工作表“{table}”的重复行列展开后范围过大（约{}行×{}列，上限{}万个单元格），未读取",
                                    r1 - r0 + 1,
                                    c1 - c0 + 1,
                                    MAX_SHEET_CELLS / 10_000
                                ),
                                "在 WPS 或 LibreOffice 中删除表格以外多余的行和列（或整行重复的内容）后另存为 .xlsx",
                            ));
                        }
                        if done_cells.saturating_add(box_cells(bounds)) > MAX_WORKBOOK_CELLS {
                            return Err(refuse(
                                format!(
                                    "工作簿各工作表的重复行列展开后合计超过{}万个单元格（在工作表“{table}”处），未读取",
                                    MAX_WORKBOOK_CELLS / 10_000
                                ),
                                "删除多余的行和列，或把数据拆分成几个较小的文件（例如每村一个）",
                            ));
                        }
                        let copies = reps.saturating_mul(row_reps);
                        let attr_len = e
                            .try_get_attribute("office:string-value")
                            .ok()
                            .flatten()
                            .map_or(0, |a| a.value.len() as u64);
                        text = text.saturating_add(attr_len.saturating_mul(copies));
                        if !empty {
                            open_cell = Some((copies, 0));
                        }
                    }
                    col = col.saturating_add(reps);
                }
                _ => {}
            }
        } else if let Event::Text(t) = &event
            && let Some((_, len)) = open_cell.as_mut()
        {
            *len += t.len() as u64;
        } else if let Event::End(e) = &event {
            match e.name().as_ref() {
                "table:table-row" => row = row.saturating_add(row_reps),
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some((copies, len)) = open_cell.take() {
                        text = text.saturating_add(len.saturating_mul(copies));
                    }
                }
                _ => {}
            }
        }
        if text > MAX_WORKBOOK_TEXT_BYTES {
            return Err(refuse(
                format!(
                    "工作表“{table}”的重复行列展开后文字总量超过{} MB，未读取",
                    MAX_WORKBOOK_TEXT_BYTES >> 20
                ),
                "删除重复的行和多余的长文字后另存为 .xlsx",
            ));
        }
        buf.clear();
    }
    Ok(())
}

/// Cells and text a workbook's sheets may hold together once read (calamine keeps every sheet of
/// an .ods in memory at once, and the xlsx reader here collects all sheets before reading them).
pub struct Budget {
    /// Non-empty cells still allowed.
    pub cells: u64,
    /// Bytes of cell text still allowed.
    pub text: u64,
    /// Cells of declared sheet boxes still allowed to be laid out before any cell is read (see
    /// [`xlsx_range`]): a sheet may declare a box it does not fill.
    pub declared: u64,
}

impl Budget {
    pub fn new() -> Budget {
        Budget {
            cells: MAX_WORKBOOK_CELLS,
            text: MAX_WORKBOOK_TEXT_BYTES,
            declared: MAX_WORKBOOK_CELLS,
        }
    }
}

/// A worksheet's cells like `Xlsx::worksheet_range`, but read sparsely so an enormous bounding
/// box, too many rows, cells or bytes of text are refused while streaming (with a message naming
/// the far cell) instead of allocated.
pub fn xlsx_range<RS: Read + Seek>(wb: &mut Xlsx<RS>, name: &str, budget: &mut Budget) -> Result<Range<Data>, String> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        // Chart sheets and the like hold no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(e.to_string()),
    };
    let declared = reader.dimensions();
    collect_sparse(|| reader.next_cell().map_err(|e| e.to_string()), Some(declared), budget)
}

/// [`xlsx_range`] for binary workbooks (.xlsb).
pub fn xlsb_range<RS: Read + Seek>(wb: &mut Xlsb<RS>, name: &str, budget: &mut Budget) -> Result<Range<Data>, String> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(e) => return Err(e.to_string()),
    };
    collect_sparse(|| reader.next_cell().map_err(|e| e.to_string()), None, budget)
}

/// A dense box and its first and last cell.
type DeclaredBox = (Range<Data>, (u32, u32), (u32, u32));

/// The sheet's declared box (`<dimension ref>`), laid out densely when it is within the limits,
/// charged to the workbook's budget of declared boxes.
fn declared_box(declared: Option<Dimensions>, budget: &mut Budget) -> Option<DeclaredBox> {
    let d = declared?;
    let (start, end) = (d.start, d.end);
    if start.0 > end.0 || start.1 > end.1 || end.0 >= EXCEL_MAX_ROWS {
        return None;
    }
    let area = u64::from(end.0 - start.0 + 1) * u64::from(end.1 - start.1 + 1);
    // A one-cell box is what calamine reports when the sheet declares none.
    if area <= 1 || area > MAX_SHEET_CELLS || area > budget.declared {
        return None;
    }
    budget.declared -= area;
    Some((Range::new(start, end), start, end))
}

/// Reads a sheet's cells, refusing it as soon as a limit is passed. Cells inside the declared box
/// go straight into it (no list of positioned cells, 40 bytes each, and no second pass); the
/// declaration is only a hint, so a cell outside it moves everything to the list, and the result
/// is always the box of the cells actually read, as [`Range::from_sparse`] makes it.
fn collect_sparse<'a>(
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, String>,
    declared: Option<Dimensions>,
    budget: &mut Budget,
) -> Result<Range<Data>, String> {
    let mut dense = declared_box(declared, budget);
    let mut cells = Vec::new();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut far = (0u32, 0u32);
    while let Some(cell) = next()? {
        let (r, c) = cell.get_position();
        if r >= EXCEL_MAX_ROWS {
            return Err(format!(
                "工作表超过 Excel 的行数上限（{EXCEL_MAX_ROWS}行），第{}行起无法读取。请把数据拆分到几个工作表或文件中（例如每村一个），删除多余的行后保存",
                u64::from(r) + 1
            ));
        }
        let text_len = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::SharedString(s) => s.len(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            _ => 0,
        };
        // Checked before the text is copied: one long shared string on many cells would otherwise
        // be copied once per cell.
        if text_len as u64 > budget.text {
            return Err(format!(
                "表格中的文字总量过大（超过{} MB，在单元格 {} 处），无法读取。请删除多余的长文字（一个单元格最多{MAX_TEXT_CHARS}个字符）后保存",
                MAX_WORKBOOK_TEXT_BYTES >> 20,
                crate::model::cell_ref(r, c)
            ));
        }
        if budget.cells == 0 {
            return Err(format!(
                "表格中有内容的单元格过多（超过{}万个，在单元格 {} 处），无法读取。请把数据拆分成几个较小的文件（例如每村一个）",
                MAX_WORKBOOK_CELLS / 10_000,
                crate::model::cell_ref(r, c)
            ));
        }
        budget.text -= text_len as u64;
        budget.cells -= 1;
        r0 = r0.min(r);
        r1 = r1.max(r);
        c0 = c0.min(c);
        c1 = c1.max(c);
        if (r, c) > far {
            far = (r, c);
        }
        // The box is checked as it grows, so a sheet far too big stops at the first cell past it.
        let area = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
        if area > MAX_SHEET_CELLS {
            return Err(format!(
                "工作表的使用范围过大（{}:{}，约{}万个单元格，上限{}万），通常是远处的单元格 {} 误填了内容，或数据行过多。请在 Excel 中按 Ctrl+End 找到它，删除表格以外多余的行和列后保存；数据确实这么多时请拆分成几个文件",
                crate::model::cell_ref(r0, c0),
                crate::model::cell_ref(r1, c1),
                area / 10_000,
                MAX_SHEET_CELLS / 10_000,
                crate::model::cell_ref(far.0, far.1)
            ));
        }
        let value = Data::from(cell.get_value().clone());
        if let Some((grid, start, end)) = dense.as_mut() {
            let (start, end) = (*start, *end);
            if (start.0..=end.0).contains(&r) && (start.1..=end.1).contains(&c) {
                grid[((r - start.0) as usize, (c - start.1) as usize)] = value;
                continue;
            }
            // Outside the declared box: list what the box holds so far and go on listing.
            cells.extend(
                grid.used_cells()
                    .filter(|(_, _, d)| !matches!(d, Data::Empty))
                    .map(|(i, j, d)| Cell::new((start.0 + i as u32, start.1 + j as u32), d.clone())),
            );
            dense = None;
        }
        cells.push(Cell::new((r, c), value));
    }
    if let Some((grid, ..)) = dense {
        if r0 > r1 {
            return Ok(Range::default());
        }
        let (start, end) = ((r0, c0), (r1, c1));
        if grid.start() == Some(start) && grid.end() == Some(end) {
            return Ok(grid);
        }
        return Ok(grid.range(start, end));
    }
    if cells.is_empty() {
        return Ok(Range::default());
    }
    Ok(Range::from_sparse(cells))
}

/// Longest stretch of a workbook's XML (or any zip part) between two markup characters `<` / `>`:
/// text longer than this is far past Excel's 32,767 characters a cell, and the XML readers would
/// buffer it whole (a 300-million-character cell is 900 MB, and copies of it several GB).
pub const MAX_XML_RUN_BYTES: usize = 4 << 20;
/// Largest shared-string table read (calamine keeps it in memory while the sheets are read).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
/// Largest uncompressed size of one part of a workbook package: a 10 MB file can inflate to 10 GB.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// Streams every part of a zip workbook (.xlsx, .xlsm, .xlsb, .ods) once, in bounded memory, and
/// refuses one that inflates past [`MAX_PART_BYTES`], a shared-string table past
/// [`MAX_SHARED_STRINGS_BYTES`], or XML text runs past [`MAX_XML_RUN_BYTES`] — before calamine
/// builds any string. The sizes are counted as the data inflates, not taken from the zip
/// directory, which a crafted file can fill with any numbers. Files that are not readable zips
/// are left to calamine to report. On the way it notes whether any part may hold a merged region
/// spanning rows (see [`Vetted`]).
pub fn vet_zip(bytes: &[u8]) -> Result<Vetted, Refusal> {
    // What is not seen is assumed to be there.
    let unknown = Vetted { vertical_merges: true };
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(unknown);
    };
    let mut merges = MergeScan::default();
    // Far shorter than MAX_XML_RUN_BYTES (the run check below relies on it).
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            merges.vertical = true;
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        // Images and other binary parts are not parsed as text by the readers.
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        let shared = lower.contains("sharedstrings");
        // Rows are counted in worksheet XML, so a sheet past Excel's row limit is refused here in
        // seconds instead of being parsed twice (cells and merged regions) for minutes.
        let mut rows = (lower.starts_with("xl/worksheets/") && xml).then(RowCounter::default);
        let cap = if shared {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        let (mut total, mut run) = (0u64, 0usize);
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Err(_) => {
                    merges.vertical = true;
                    break;
                }
                Ok(n) => n,
            };
            total += n as u64;
            if total > cap {
                return Err(if shared {
                    refuse(
                        format!("工作簿中的文字表（{name}）解压后超过{} MB，未读取", cap >> 20),
                        "删除多余的长文字，或把数据拆分成几个较小的文件（例如每村一个）",
                    )
                } else {
                    refuse(
                        format!(
                            "工作簿中的“{name}”解压后超过{} MB（文件可能是恶意构造或已损坏），未读取",
                            cap >> 20
                        ),
                        "用 Excel 或 WPS 打开后另存为新文件；数据确实这么多时请拆分成几个文件",
                    )
                });
            }
            let chunk = &buf[..n];
            // Every part, whatever its name: calamine finds worksheets through the package's
            // relationships, which may point anywhere.
            merges.feed(chunk);
            if !xml {
                continue;
            }
            if let Some(rc) = rows.as_mut()
                && rc.feed(chunk) > u64::from(EXCEL_MAX_ROWS)
            {
                return Err(refuse(
                    format!("工作表（{name}）超过 Excel 的行数上限（{EXCEL_MAX_ROWS}行），未读取"),
                    "把数据拆分到几个工作表或文件中（例如每村一个），删除多余的行后保存",
                ));
            }
            // A chunk is far shorter than the longest run allowed, so only the stretches before
            // its first and after its last markup character can take a run past it.
            match (memchr::memchr2(b'<', b'>', chunk), memchr::memrchr2(b'<', b'>', chunk)) {
                (Some(first), Some(last)) => {
                    if run + first > MAX_XML_RUN_BYTES {
                        return Err(long_run(&name));
                    }
                    run = chunk.len() - last - 1;
                }
                _ => {
                    run += chunk.len();
                    if run > MAX_XML_RUN_BYTES {
                        return Err(long_run(&name));
                    }
                }
            }
        }
        merges.end_part();
    }
    Ok(Vetted {
        vertical_merges: merges.vertical,
    })
}

/// What [`vet_zip`] learned about a workbook besides its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vetted {
    /// Whether some part may hold a merged region spanning more than one row: false only when
    /// every part was streamed to its end and every `<mergeCell` element in them names one row
    /// (a title across the columns). Only such regions give a value to the rows below them (see
    /// `excel::MergeIndex`), so without them reading the merged regions (a second parse of every
    /// sheet, a third of the reading time) is skipped with the same result.
    pub vertical_merges: bool,
}

/// Looks for `<mergeCell` elements in XML fed in chunks of any size and decides whether any may
/// span rows. Anything it cannot read for certain counts as spanning rows.
#[derive(Default)]
struct MergeScan {
    /// The end of the previous chunk: an element not yet closed, or a name split across chunks.
    tail: Vec<u8>,
    /// The tail holds an element (or name) whose end has not come yet.
    pending: bool,
    /// Bytes at the start of the tail where every occurrence of the name was already decided.
    decided: usize,
    vertical: bool,
}

impl MergeScan {
    const NAME: &'static [u8] = b"mergeCell";
    /// Longest `<mergeCell …>` element read (a real one is `<mergeCell ref="A1:BF1"/>`).
    const MAX_ELEMENT: usize = 512;

    fn feed(&mut self, chunk: &[u8]) {
        if self.vertical {
            return;
        }
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(chunk);
        // Kept for the next chunk: from an unfinished element, else the last bytes (a split name
        // and the `<prefix:` before it).
        let mut keep_from = joined.len().saturating_sub(Self::NAME.len() + 16);
        // Every name that starts before this was complete in `joined`, so decided below.
        let mut decided = joined.len().saturating_sub(Self::NAME.len() - 1);
        let skip = std::mem::take(&mut self.decided);
        self.pending = false;
        for at in memchr::memmem::find_iter(&joined, Self::NAME) {
            if at < skip {
                continue;
            }
            let rest = &joined[at + Self::NAME.len()..];
            match rest.first() {
                // The name may go on in the next chunk (`mergeCells`).
                None => {
                    keep_from = keep_from.min(at.saturating_sub(16));
                    decided = at;
                    self.pending = true;
                    break;
                }
                // The `<mergeCells count="…">` container.
                Some(b's') => continue,
                Some(_) => {}
            }
            if closes_element(&joined[..at]) {
                continue;
            }
            if !opens_element(&joined[..at]) {
                // The word outside a tag (cell text, a comment): not read for certain.
                self.vertical = true;
                return;
            }
            match memchr::memchr(b'>', rest) {
                Some(end) if end <= Self::MAX_ELEMENT => {
                    if !one_row_merge(&rest[..end]) {
                        self.vertical = true;
                        return;
                    }
                }
                None if rest.len() <= Self::MAX_ELEMENT => {
                    keep_from = keep_from.min(at.saturating_sub(16));
                    decided = at;
                    self.pending = true;
                    break;
                }
                _ => {
                    self.vertical = true;
                    return;
                }
            }
        }
        let keep_from = keep_from.min(joined.len());
        self.decided = decided.saturating_sub(keep_from);
        self.tail = joined[keep_from..].to_vec();
    }

    /// A part ended: an element still open in the tail is cut short.
    fn end_part(&mut self) {
        self.tail.clear();
        self.decided = 0;
        self.vertical |= std::mem::take(&mut self.pending);
    }
}

/// Whether the attributes of a `<mergeCell` element (the bytes after its name, up to `>`) hold
/// exactly one plain `ref="A1:C1"` (or a single cell) whose rows are the same.
fn one_row_merge(attrs: &[u8]) -> bool {
    let mut value: Option<&[u8]> = None;
    for at in memchr::memmem::find_iter(attrs, b"ref") {
        let before = at.checked_sub(1).map(|i| attrs[i]);
        if !matches!(before, Some(b' ' | b'\t' | b'\n' | b'\r')) {
            // Part of another name (`xref`, `x:ref`): calamine reads only `ref`.
            if before == Some(b':') {
                return false;
            }
            continue;
        }
        let rest = attrs[at + 3..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else { continue };
        let rest = rest.trim_ascii_start();
        let Some((&quote, rest)) = rest.split_first() else {
            return false;
        };
        if !matches!(quote, b'"' | b'\'') || value.is_some() {
            return false;
        }
        let Some(end) = memchr::memchr(quote, rest) else {
            return false;
        };
        value = Some(&rest[..end]);
    }
    let Some(value) = value else { return false };
    let row = |cell: &[u8]| -> Option<u32> {
        let letters = cell.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let digits = &cell[letters..];
        if !(1..=3).contains(&letters)
            || digits.is_empty()
            || digits.len() > 7
            || !digits.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let mut cells = value.split(|&b| b == b':');
    match (cells.next(), cells.next(), cells.next()) {
        (Some(a), None, None) => row(a).is_some(),
        (Some(a), Some(b), None) => matches!((row(a), row(b)), (Some(x), Some(y)) if x == y),
        _ => false,
    }
}

fn long_run(part: &str) -> Refusal {
    refuse(
        format!(
            "工作簿（{part}）中有一段文字超过{} MB（一个单元格最多{MAX_TEXT_CHARS}个字符），未读取",
            MAX_XML_RUN_BYTES >> 20
        ),
        "找到并删去这段过长的内容后保存（长段说明请另附材料）",
    )
}

/// Whether `before` ends with `<` or `<prefix:` (a start tag, not `</…`).
fn opens_element(before: &[u8]) -> bool {
    match before.split_last() {
        Some((b'<', _)) => true,
        Some((b':', rest)) => {
            let prefix = rest.iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
            prefix > 0 && rest.len() > prefix && rest[rest.len() - prefix - 1] == b'<'
        }
        _ => false,
    }
}

/// Whether `before` ends with `</` or `</prefix:` (an end tag).
fn closes_element(before: &[u8]) -> bool {
    let name_start = match before.split_last() {
        Some((b':', rest)) => {
            let prefix = rest.iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
            if prefix == 0 {
                return false;
            }
            &rest[..rest.len() - prefix]
        }
        _ => before,
    };
    name_start.ends_with(b"</")
}

/// Counts `<row` elements (with or without a namespace prefix, such as `<x:row`) in XML fed in
/// chunks of any size.
#[derive(Default)]
struct RowCounter {
    /// The last bytes of the previous chunk, so a tag split across chunks is still seen.
    tail: Vec<u8>,
    rows: u64,
}

impl RowCounter {
    fn feed(&mut self, chunk: &[u8]) -> u64 {
        // Enough for `<` + a namespace prefix + `:row` + the byte after it.
        const KEEP: usize = 16;
        let mut joined = std::mem::take(&mut self.tail);
        let head = joined.len();
        joined.extend_from_slice(chunk);
        for at in memchr::memmem::find_iter(&joined, b"row") {
            // A match whose following byte was in the carried tail was decided with the previous chunk.
            if at + 4 <= head {
                continue;
            }
            let after = joined.get(at + 3);
            if opens_element(&joined[..at]) && matches!(after, Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r')) {
                self.rows += 1;
            }
        }
        let keep = joined.len().min(KEEP);
        self.tail = joined[joined.len() - keep..].to_vec();
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_depth_is_measured_outside_quotes_and_comments() {
        let deep = format!("户: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert_eq!(flow_too_deep(&deep), Some((1, 3 + MAX_FLOW_DEPTH + 1)));
        let ok = format!("户: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(flow_too_deep(&ok), None);
        // Brackets inside quoted scalars and comments are text.
        let quoted = format!(
            "a: \"{}\"\nb: '{}'\n# {}\n",
            "[".repeat(300),
            "{".repeat(300),
            "[".repeat(300)
        );
        assert_eq!(flow_too_deep(&quoted), None);
        // An apostrophe inside a plain scalar does not open a quote that would hide brackets.
        let sneaky = format!("a: it's\n{}\n", "[".repeat(200));
        assert!(flow_too_deep(&sneaky).is_some());
        // Many flat flow collections are fine.
        assert_eq!(flow_too_deep(&"- [1, {a: 2}]\n".repeat(10_000)), None);
    }

    #[test]
    fn long_text_and_clipping() {
        assert_eq!(text_too_long(&"长".repeat(MAX_TEXT_CHARS)), None);
        assert!(text_too_long(&"长".repeat(MAX_TEXT_CHARS + 1)).is_some_and(|m| m.contains("32768个字符")));
        assert_eq!(clip("张三"), "张三");
        let c = clip(&"长".repeat(1000));
        assert!(c.ends_with("（共1000个字符）") && c.chars().count() < 60, "{c}");
    }

    #[test]
    fn invisible_characters_in_names() {
        assert_eq!(invisible_in_name("赵钱孙"), None);
        assert!(invisible_in_name("赵\u{202E}钱孙").is_some_and(|m| m.contains("U+202E") && m.contains("顺序")));
        assert!(invisible_in_name("王\u{200B}五").is_some_and(|m| m.contains("U+200B") && m.contains("比对")));
    }

    #[test]
    fn truncated_ole_files_are_padded_to_whole_sectors() {
        let mut v = vec![0u8; 689];
        v[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        v[30] = 9;
        assert_eq!(pad_ole(&v).len(), 1024);
        v.resize(1024, 0);
        assert!(matches!(pad_ole(&v), Cow::Borrowed(_)));
        assert!(matches!(pad_ole(b"PK\x03\x04"), Cow::Borrowed(_)));
    }

    #[test]
    fn panics_in_contained_code_become_errors() {
        let r: Result<(), String> = contained(|| {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            if v.get(i).is_none() {
                panic!("index {i}");
            }
            Ok(())
        });
        assert!(r.is_err_and(|e| e.contains("无法解析")));
        assert_eq!(contained(|| Ok(7)), Ok(7));
        assert!(!QUIET.with(std::cell::Cell::get));
    }

    /// An .ods package with the given content.xml body inside one table.
    fn ods(rows: &str) -> Vec<u8> {
        use std::io::Write as _;
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="户">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn ods_repeats_are_bounded() {
        let cell = r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
        let ok = ods(&format!(
            r#"<table:table-row>{cell}{cell}</table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        ));
        assert_eq!(vet_ods(&ok), Ok(()));
        let bomb = ods(
            r#"<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
        );
        assert!(vet_ods(&bomb).is_err_and(|e| e.message.contains("户") && e.message.contains("范围过大")));
        // Values far apart make a big box too.
        let far = ods(&format!(
            r#"<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="900000"/><table:table-row><table:table-cell table:number-columns-repeated="16000"/>{cell}</table:table-row>"#
        ));
        assert!(vet_ods(&far).is_err());
        assert_eq!(vet_ods(b"not a zip"), Ok(()));
    }

    #[test]
    fn ods_formula_only_cells_and_repeated_text_are_bounded() {
        // Formula-only cells hold no value but calamine keeps them, so they count for the box.
        let formulas = ods(
            r#"<table:table-row table:number-rows-repeated="1040000"><table:table-cell table:formula="of:=1" table:number-columns-repeated="9"/></table:table-row>"#,
        );
        assert!(vet_ods(&formulas).is_err_and(|e| e.message.contains("1040000行×9列")));
        // 4 MB of text copied into 100 cells is 400 MB of strings.
        let text = "长".repeat(1_000_000);
        let copies = ods(&format!(
            r#"<table:table-row table:number-rows-repeated="10"><table:table-cell table:number-columns-repeated="10" office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
        ));
        assert!(vet_ods(&copies).is_err_and(|e| e.message.contains("文字总量")));
        // Several tables under the box limit each, over it together.
        let table = r#"<table:table-row table:number-rows-repeated="480000"><table:table-cell table:number-columns-repeated="9" office:value-type="float" office:value="1"/></table:table-row>"#;
        let two = ods(&format!(r#"{table}</table:table><table:table table:name="乙">{table}"#));
        assert!(vet_ods(&two).is_err_and(|e| e.message.contains("合计") && e.message.contains("乙")));
        assert_eq!(vet_ods(&ods(table)), Ok(()));
    }

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write as _;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_parts_are_vetted_while_inflating() {
        let long = format!("<sst><si><t>{}</t></si></sst>", "x".repeat(MAX_XML_RUN_BYTES + 1));
        let r = vet_zip(&zip_of(&[("xl/sharedStrings.xml", long.as_bytes())]));
        assert!(r.is_err_and(|e| e.message.contains("xl/sharedStrings.xml") && e.message.contains("4 MB")));
        // Many short strings are fine until the table itself is too big.
        let ok = format!("<sst>{}</sst>", "<si><t>张三</t></si>".repeat(1000));
        assert!(vet_zip(&zip_of(&[("xl/sharedStrings.xml", ok.as_bytes())])).is_ok());
        let big = "<si><t>张三</t></si>".repeat((MAX_SHARED_STRINGS_BYTES / 20) as usize + 10);
        let r = vet_zip(&zip_of(&[("xl/sharedStrings.xml", big.as_bytes())]));
        assert!(r.is_err_and(|e| e.message.contains("文字表")));
        // Rows past Excel's limit, counted in the sheet XML.
        let rows = "<row><c><v>1</v></c></row>".repeat(EXCEL_MAX_ROWS as usize + 1);
        let r = vet_zip(&zip_of(&[("xl/worksheets/sheet1.xml", rows.as_bytes())]));
        assert!(r.is_err_and(|e| e.message.contains("行数上限")));
        assert!(vet_zip(b"not a zip").is_ok());
    }

    /// Whether `xml`, fed in chunks of `size` bytes as one part, may hold a merge spanning rows.
    fn spans_rows(xml: &[u8], size: usize) -> bool {
        let mut scan = MergeScan::default();
        for chunk in xml.chunks(size) {
            scan.feed(chunk);
        }
        scan.end_part();
        scan.vertical
    }

    #[test]
    fn s016_5_merges_spanning_rows_are_found_across_chunk_boundaries() {
        let cases: &[(&str, bool)] = &[
            ("<sheetData><row><c/></row></sheetData>", false),
            // A title across the columns, a single cell, an end tag and a prefix.
            (
                r#"<mergeCells count="2"><mergeCell ref="A1:BF1"/><mergeCell ref='C2'></mergeCell></mergeCells>"#,
                false,
            ),
            (r#"<x:mergeCells><x:mergeCell ref="A1:H1"/></x:mergeCells>"#, false),
            (
                r#"<mergeCells><mergeCell ref="A1:BF1"/><mergeCell ref="A4:A6"/></mergeCells>"#,
                true,
            ),
            (r#"<x:mergeCell  ref = "B4:B5" />"#, true),
            // What is not read for certain counts as spanning rows.
            (r#"<mergeCell ref="a1:a1"/>"#, true),
            (r#"<mergeCell x:ref="A1:B1"/>"#, true),
            (r#"<mergeCell ref="A1:B1" ref="A1:A3"/>"#, true),
            (r#"<mergeCell/>"#, true),
            ("<c><is><t>mergeCell</t></is></c>", true),
            (r#"<mergeCell ref="A1:B1""#, true),
        ];
        for (xml, want) in cases {
            for size in 1..=xml.len() {
                assert_eq!(spans_rows(xml.as_bytes(), size), *want, "{xml} in chunks of {size}");
            }
        }
        // A vertical region in a sheet part is seen by vet_zip; a title merge alone is not one.
        let sheet = |merges: &str| format!("<worksheet><sheetData><row><c/></row></sheetData>{merges}</worksheet>");
        let title = sheet(r#"<mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells>"#);
        let vertical = sheet(r#"<mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>"#);
        let vet = |xml: &str| vet_zip(&zip_of(&[("xl/worksheets/sheet1.xml", xml.as_bytes())]));
        assert_eq!(vet(&title), Ok(Vetted { vertical_merges: false }));
        assert_eq!(vet(&vertical), Ok(Vetted { vertical_merges: true }));
        assert_eq!(vet_zip(b"not a zip"), Ok(Vetted { vertical_merges: true }));
    }

    #[test]
    fn s016_5_cells_read_into_the_declared_box_give_the_sparse_result() {
        let text = |s: &str| DataRef::String(s.to_string());
        let cells = |list: &[((u32, u32), &str)]| -> Vec<Cell<DataRef<'static>>> {
            list.iter().map(|(p, v)| Cell::new(*p, text(v))).collect()
        };
        let title_and_rows = cells(&[
            ((0, 0), "标题"),
            ((2, 0), "户编号"),
            ((2, 3), "姓名"),
            ((3, 0), "1"),
            ((3, 3), "张三"),
        ]);
        let mut outside = title_and_rows.clone();
        outside.push(Cell::new((9, 7), text("远处")));
        outside.push(Cell::new((3, 3), text("后写的")));
        let mut with_empty = title_and_rows.clone();
        with_empty.push(Cell::new((4, 4), DataRef::Empty));
        let d = |a: (u32, u32), b: (u32, u32)| Some(Dimensions::new(a, b));
        let cases: Vec<(Vec<Cell<DataRef<'static>>>, Option<Dimensions>)> = vec![
            (title_and_rows.clone(), d((0, 0), (3, 3))),
            // Declared larger than used, smaller, elsewhere, none, or inverted.
            (title_and_rows.clone(), d((0, 0), (20, 9))),
            (title_and_rows.clone(), d((2, 0), (3, 3))),
            (outside.clone(), d((0, 0), (3, 3))),
            (with_empty, d((0, 0), (9, 9))),
            (title_and_rows.clone(), None),
            (title_and_rows.clone(), d((5, 5), (1, 1))),
            (Vec::new(), d((0, 0), (3, 3))),
        ];
        for (list, declared) in cases {
            let want: Vec<Cell<Data>> = list
                .iter()
                .filter(|c| !matches!(c.get_value(), DataRef::Empty))
                .map(|c| Cell::new(c.get_position(), Data::from(c.get_value().clone())))
                .collect();
            let want = if want.is_empty() {
                Range::default()
            } else {
                Range::from_sparse(want)
            };
            let mut it = list.into_iter();
            let got = collect_sparse(|| Ok(it.next()), declared, &mut Budget::new()).unwrap();
            assert_eq!(got, want, "declared {declared:?}");
        }
        // A declared box is charged once to the workbook: a second one over the budget is not laid out.
        let mut budget = Budget::new();
        assert!(declared_box(d((0, 0), (MAX_WORKBOOK_CELLS as u32 / 10 - 1, 9)), &mut budget).is_some());
        assert!(declared_box(d((0, 0), (1, 1)), &mut budget).is_none());
        assert!(declared_box(d((0, 0), (EXCEL_MAX_ROWS - 1, 16_383)), &mut Budget::new()).is_none());
    }

    #[test]
    fn rows_are_counted_across_chunk_boundaries() {
        let xml =
            b"<sheetData><row r=\"1\"><c/></row><x:row>\n</x:row><rowBreaks/><row/><arrow a=\"row \"/></sheetData>";
        let mut whole = RowCounter::default();
        assert_eq!(whole.feed(xml), 3);
        for size in 1..8 {
            let mut rc = RowCounter::default();
            let mut n = 0;
            for chunk in xml.chunks(size) {
                n = rc.feed(chunk);
            }
            assert_eq!(n, 3, "chunks of {size}");
        }
    }

    #[test]
    fn file_caps_stop_at_rows_or_problems() {
        let d = |error: bool| {
            let p = Place::file("a.xlsx");
            if error {
                Diagnostic::error(p, "", "", "x", "")
            } else {
                Diagnostic::warning(p, "", "", "x", "")
            }
        };
        let mut caps = FileCaps::default();
        assert_eq!(caps.check(10, &[d(true), d(false)]), None);
        assert!(
            caps.check(MAX_FILE_ROWS, &[])
                .is_some_and(|(m, _)| m.contains("200000行"))
        );
        // Errors are counted as they come, over several calls.
        let mut caps = FileCaps::default();
        let mut diags: Vec<Diagnostic> = (0..MAX_FILE_ERRORS - 1).map(|_| d(true)).collect();
        assert_eq!(caps.check(1, &diags), None);
        diags.extend((0..1000).map(|_| d(false)));
        assert_eq!(caps.check(2, &diags), None);
        diags.push(d(true));
        assert!(caps.check(3, &diags).is_some_and(|(m, _)| m.contains("未再检查")));
        // Warnings alone stop only at the larger bound.
        let mut caps = FileCaps::default();
        let warnings: Vec<Diagnostic> = (0..MAX_FILE_DIAGNOSTICS).map(|_| d(false)).collect();
        assert!(caps.check(1, &warnings[..MAX_FILE_ERRORS]).is_none());
        assert!(caps.check(1, &warnings).is_some());
    }

    #[test]
    fn encoding_messages() {
        assert!(not_utf8_message(&[0xFF, 0xFE, 0x37, 0x62], 0).contains("UTF-16"));
        assert!(not_utf8_message(&[0xBB, 0xA7], 0).contains("GBK"));
    }
}
