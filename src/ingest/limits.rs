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
use calamine::{Cell, Data, DataRef, Range, Xlsx, XlsxError};
use std::borrow::Cow;
use std::io::{Read, Seek};

/// Deepest YAML flow nesting read (serde_yaml's own recursion limit).
pub const MAX_FLOW_DEPTH: usize = 128;

/// Largest bounding box of a sheet's used cells (rows × columns) that is read. A real village
/// table is far below it (100,000 member rows × 40 columns); a far-away stray value is far above.
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

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

/// An OpenDocument spreadsheet whose repeated rows and columns would expand past
/// [`MAX_SHEET_CELLS`] (a 1 KB file can ask calamine for gigabytes). Streams `content.xml` and
/// takes each table's bounding box of cells that may hold something, as calamine expands it.
/// Files that are not readable zips are left to calamine to report.
pub fn vet_ods(bytes: &[u8]) -> Result<(), String> {
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
    // Per table: next row, current row's repeat and next column, and the box (rows, columns).
    let (mut row, mut row_reps, mut col) = (0u64, 1u64, 0u64);
    let mut bounds: Option<(u64, u64, u64, u64)> = None;
    let mut table = String::new();
    let mut buf = Vec::new();
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
                    row_reps = repeats(&e, "table:number-rows-repeated").min(1_048_576);
                    col = 0;
                    if empty {
                        row = row.saturating_add(row_reps);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let reps = repeats(&e, "table:number-columns-repeated").min(16_384);
                    // A cell with a value type, or with content inside, may hold something.
                    if !empty || e.try_get_attribute("office:value-type").ok().flatten().is_some() {
                        let last_row = row.saturating_add(row_reps - 1);
                        let last_col = col.saturating_add(reps - 1);
                        bounds = Some(match bounds {
                            None => (row, last_row, col, last_col),
                            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(last_row), c0.min(col), c1.max(last_col)),
                        });
                        if let Some((r0, r1, c0, c1)) = bounds
                            && (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_SHEET_CELLS
                        {
                            return Err(format!(
                                "工作表“{table}”的重复行列展开后范围过大（约{}行×{}列），无法读取。请删除表格以外多余的行和列后另存为 .xlsx",
                                r1 - r0 + 1,
                                c1 - c0 + 1
                            ));
                        }
                    }
                    col = col.saturating_add(reps);
                }
                _ => {}
            }
        } else if let Event::End(e) = &event
            && e.name().as_ref() == "table:table-row"
        {
            row = row.saturating_add(row_reps);
        }
        buf.clear();
    }
    Ok(())
}

/// A worksheet's cells like `Xlsx::worksheet_range`, but read sparsely first so an enormous
/// bounding box is refused (with a message naming the far cell) instead of allocated.
pub fn xlsx_range<RS: Read + Seek>(wb: &mut Xlsx<RS>, name: &str) -> Result<Range<Data>, String> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        // Chart sheets and the like hold no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(e.to_string()),
    };
    let mut cells = Vec::new();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut far = (0u32, 0u32);
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(e.to_string()),
        };
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        r0 = r0.min(r);
        r1 = r1.max(r);
        c0 = c0.min(c);
        c1 = c1.max(c);
        if (r, c) > far {
            far = (r, c);
        }
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    if cells.is_empty() {
        return Ok(Range::default());
    }
    let area = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
    if area > MAX_SHEET_CELLS {
        return Err(format!(
            "工作表的使用范围过大（{}:{}，约{}万个单元格），通常是远处的单元格 {} 误填了内容。请在 Excel 中按 Ctrl+End 找到它，删除表格以外多余的行和列后保存",
            crate::model::cell_ref(r0, c0),
            crate::model::cell_ref(r1, c1),
            area / 10_000,
            crate::model::cell_ref(far.0, far.1)
        ));
    }
    Ok(Range::from_sparse(cells))
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
        assert!(vet_ods(&bomb).is_err_and(|e| e.contains("户") && e.contains("范围过大")));
        // Values far apart make a big box too.
        let far = ods(&format!(
            r#"<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="900000"/><table:table-row><table:table-cell table:number-columns-repeated="16000"/>{cell}</table:table-row>"#
        ));
        assert!(vet_ods(&far).is_err());
        assert_eq!(vet_ods(b"not a zip"), Ok(()));
    }

    #[test]
    fn encoding_messages() {
        assert!(not_utf8_message(&[0xFF, 0xFE, 0x37, 0x62], 0).contains("UTF-16"));
        assert!(not_utf8_message(&[0xBB, 0xA7], 0).contains("GBK"));
    }
}
