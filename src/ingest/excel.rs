//! Excel / WPS / LibreOffice workbooks (xlsx, xlsm, xlsb, xls, ods) via calamine.
//!
//! Each sheet is recognised by its header row (found wherever it is), mapped through the alias
//! table, and its rows handed to the shared builders. Vertically merged cells give their value to
//! every row they span, so the one-sheet layout with merged household columns reads naturally.

use super::build::{self, Ctx, FileData};
use super::fields::{Field, Header, SheetKind, detect_kind, match_header, normalize_header, resolve};
use super::record::{Cell, Loc, Reader, Record, Source};
use super::values::trim;
use crate::model::{Diagnostic, Place, RulesFile};
use calamine::{
    Data, Dimensions, Ods, Range, Reader as _, Sheet, SheetType, SheetVisible, Xls, Xlsb, Xlsx, open_workbook_from_rs,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Cursor;

/// How far down a sheet the header row is looked for.
const HEADER_SCAN_ROWS: u32 = 60;

/// Reads one workbook. Never fails: an unreadable file becomes an error diagnostic.
pub fn read_workbook(rel: &str, bytes: &[u8], ctx: &Ctx, rules: &RulesFile) -> FileData {
    let mut data = FileData::default();
    let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    // Files that would cost too much to read are refused before any parser sees them, with a
    // message of their own (they are not damaged, and need another fix).
    // (A panic inside the zip reader is left for the guarded open below to report.)
    let vetted = super::limits::quietly(|| std::panic::catch_unwind(|| vet(&ext, bytes)));
    let merges = match vetted {
        Ok(Err(r)) => {
            data.diagnostics
                .push(Diagnostic::error(Place::file(rel), "", "", r.message, r.fix));
            return data;
        }
        Ok(Ok(v)) if !v.vertical_merges => Merges::Skip,
        _ => Merges::Read,
    };
    read_vetted(rel, &ext, bytes, merges, ctx, rules)
}

/// Whether an .xlsx's merged regions are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merges {
    Read,
    /// Vetting found none that spans rows, so none can change a value.
    Skip,
}

fn read_vetted(rel: &str, ext: &str, bytes: &[u8], merges: Merges, ctx: &Ctx, rules: &RulesFile) -> FileData {
    let mut data = FileData::default();
    let looks_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    // calamine is trusted with nothing: a panic inside it is an unreadable file, not a crash.
    let sheets = match super::limits::contained(|| open(ext, bytes, merges)) {
        Ok(s) => s,
        Err(e) => {
            let hint = if matches!(ext, "xlsx" | "xlsm" | "xlsb") && looks_ole {
                "文件设有打开密码（已加密），或其实是旧版 .xls 文件"
            } else {
                "文件已损坏、设有打开密码，或扩展名与实际格式不符"
            };
            data.diagnostics.push(Diagnostic::error(
                Place::file(rel),
                "",
                "",
                format!("无法打开此表格（{hint}；详情：{e}）"),
                "用 Excel 或 WPS 打开，取消打开密码后另存为 .xlsx，再放回工作区",
            ));
            return data;
        }
    };
    // A workbook with nothing in it is reported rather than silently skipped.
    let mut anything = false;
    for sheet in sheets {
        let src = Source {
            file: rel.to_string(),
            sheet: Some(sheet.name.clone()),
        };
        match sheet.range {
            Ok(range) => {
                let used = range.used_cells().any(|(_, _, d)| !is_blank(d));
                anything |= used;
                if used && let Some(w) = hidden_sheet_warning(rel, &sheet.name, sheet.visible) {
                    data.diagnostics.push(w);
                }
                let merges = MergeIndex::new(&sheet.merges);
                read_sheet(&src, &range, &merges, ctx, rules, &mut data);
            }
            Err(e) => data.diagnostics.push(Diagnostic::error(
                Place::sheet(rel, sheet.name.clone()),
                "",
                "",
                format!("无法读取此工作表（{e}）"),
                "用 Excel 或 WPS 打开检查该工作表，必要时复制到新工作簿另存",
            )),
        }
    }
    if !anything && data.diagnostics.is_empty() {
        data.diagnostics.push(Diagnostic::warning(
            Place::file(rel),
            "",
            "",
            "工作簿是空的：所有工作表都没有内容，未读取任何数据",
            "填写数据，或从工作区删除此文件",
        ));
    }
    data
}

struct RawSheet {
    name: String,
    range: Result<Range<Data>, String>,
    merges: Vec<Dimensions>,
    visible: SheetVisible,
}

impl RawSheet {
    fn new(sheet: &Sheet, range: Result<Range<Data>, String>, merges: Vec<Dimensions>) -> RawSheet {
        RawSheet {
            name: sheet.name.clone(),
            range,
            merges,
            visible: sheet.visible,
        }
    }
}

/// Zip-based formats: their parts are vetted for size before calamine inflates them, and an .ods
/// also for how far its repeated rows and columns expand.
fn vet(ext: &str, bytes: &[u8]) -> Result<super::limits::Vetted, super::limits::Refusal> {
    let mut vetted = super::limits::Vetted { vertical_merges: true };
    if matches!(ext, "xlsx" | "xlsm" | "xlsb" | "ods") {
        vetted = super::limits::vet_zip(bytes)?;
    }
    if ext == "ods" {
        super::limits::vet_ods(bytes)?;
    }
    Ok(vetted)
}

fn open(ext: &str, bytes: &[u8], merges: Merges) -> Result<Vec<RawSheet>, String> {
    let padded = super::limits::pad_ole(bytes);
    let bytes: &[u8] = &padded;
    if super::ole::is_ole(bytes) {
        super::ole::vet(bytes)?;
    }
    let mut out = Vec::new();
    match ext {
        "xls" => {
            let mut wb: Xls<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsError| e.to_string())?;
            for sheet in worksheets(wb.sheets_metadata()) {
                let merges = wb.merge_cells_by_sheet_name(&sheet.name).unwrap_or_default();
                let range = wb.worksheet_range(&sheet.name).map_err(|e| e.to_string());
                out.push(RawSheet::new(&sheet, range, merges));
            }
        }
        "ods" => {
            // calamine does not expose ODS merged regions; repeated household columns still work.
            let mut wb: Ods<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::OdsError| e.to_string())?;
            for sheet in worksheets(wb.sheets_metadata()) {
                let range = wb.worksheet_range(&sheet.name).map_err(|e| e.to_string());
                out.push(RawSheet::new(&sheet, range, Vec::new()));
            }
        }
        "xlsb" => {
            // calamine reads no merged regions from .xlsb; repeated household columns still work.
            let mut wb: Xlsb<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsbError| e.to_string())?;
            let mut budget = super::limits::Budget::new();
            for sheet in worksheets(wb.sheets_metadata()) {
                let range = super::limits::xlsb_range(&mut wb, &sheet.name, &mut budget);
                out.push(RawSheet::new(&sheet, range, Vec::new()));
            }
        }
        // .xlsx and .xlsm (the same package with macros, which are never run).
        _ => {
            let mut wb: Xlsx<_> =
                open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| e.to_string())?;
            let sheets = worksheets(wb.sheets_metadata());
            if merges == Merges::Skip {
                let mut budget = super::limits::Budget::new();
                for sheet in &sheets {
                    let range = super::limits::xlsx_range(&mut wb, &sheet.name, &mut budget);
                    out.push(RawSheet::new(sheet, range, Vec::new()));
                }
                return Ok(out);
            }
            // calamine reads merged regions by scanning the sheet XML a second time; do that on a
            // second reader in parallel with the cell data (it is a third of the time on big sheets).
            let (ranges, merges) = rayon::join(
                || {
                    super::limits::quietly(|| {
                        let mut budget = super::limits::Budget::new();
                        sheets
                            .iter()
                            .map(|s| super::limits::xlsx_range(&mut wb, &s.name, &mut budget))
                            .collect::<Vec<_>>()
                    })
                },
                || {
                    super::limits::quietly(|| match open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
                        Ok(mut second) => sheets
                            .iter()
                            .map(|s| second.merge_cells_by_sheet_name(&s.name).unwrap_or_default())
                            .collect::<Vec<_>>(),
                        Err(_) => vec![Vec::new(); sheets.len()],
                    })
                },
            );
            for ((sheet, range), merges) in sheets.iter().zip(ranges).zip(merges) {
                out.push(RawSheet::new(sheet, range, merges));
            }
        }
    }
    Ok(out)
}

fn worksheets(meta: &[Sheet]) -> Vec<Sheet> {
    meta.iter().filter(|s| s.typ == SheetType::WorkSheet).cloned().collect()
}

/// The warning for a hidden sheet that holds something: it is read like any other (a clerk who
/// hid it still handed it in), and the warning says so, so nothing on it is printed unseen.
fn hidden_sheet_warning(rel: &str, sheet: &str, visible: SheetVisible) -> Option<Diagnostic> {
    let (what, fix) = match visible {
        SheetVisible::Visible => return None,
        SheetVisible::Hidden => (
            "隐藏",
            "在 Excel 或 WPS 中右键工作表标签，选“取消隐藏”核对其中的数据；不应上报的数据请删除该工作表",
        ),
        SheetVisible::VeryHidden => (
            "深度隐藏（在 Excel 的“取消隐藏”中也看不到）",
            "在 Excel 中按 Alt+F11，在属性窗口把该表的 Visible 改为 -1 后核对；不应上报的数据请删除该工作表",
        ),
    };
    Some(Diagnostic::warning(
        Place::sheet(rel, sheet.to_string()),
        "",
        "",
        format!("工作表“{sheet}”是{what}的工作表，其中的数据已照常读取"),
        fix,
    ))
}

/// Vertical merged regions per column: a covered cell takes the value of the region's top cell.
pub(super) struct MergeIndex {
    /// Indexed by column: sorted (first row, last row). A Vec, not a map: it is hit for every
    /// empty cell of a sheet.
    by_col: Vec<Vec<(u32, u32)>>,
}

impl MergeIndex {
    fn new(regions: &[Dimensions]) -> MergeIndex {
        let mut by_col: Vec<Vec<(u32, u32)>> = Vec::new();
        for d in regions {
            // Excel has at most 16384 columns; anything beyond is a corrupt file and is ignored.
            let col = d.start.1 as usize;
            if d.end.0 > d.start.0 && col < 16_384 {
                if by_col.len() <= col {
                    by_col.resize_with(col + 1, Vec::new);
                }
                by_col[col].push((d.start.0, d.end.0));
            }
        }
        for v in &mut by_col {
            v.sort_unstable();
        }
        MergeIndex { by_col }
    }

    /// The top row of the vertical merge covering (row, col), if (row, col) is covered but not the top.
    pub(super) fn anchor(&self, row: u32, col: u32) -> Option<u32> {
        let v = self.by_col.get(col as usize)?;
        let i = v.partition_point(|&(s, _)| s <= row);
        let (s, e) = *v.get(i.checked_sub(1)?)?;
        (s < row && row <= e).then_some(s)
    }
}

pub(super) fn to_cell(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if !dt.is_duration() => Cell::Date(t.date()),
            _ => Cell::Float(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

pub(super) fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => trim(s).is_empty(),
        _ => false,
    }
}

/// A recognised sheet: where its data rows start and which column holds each field.
struct SheetMap<'a> {
    range: &'a Range<Data>,
    merges: &'a MergeIndex,
    cols: Vec<Option<u32>>,
    first_col: u32,
}

impl SheetMap<'_> {
    fn value(&self, row: u32, col: u32) -> (&Data, u32) {
        let d = self.range.get_value((row, col)).unwrap_or(&Data::Empty);
        if is_blank(d)
            && let Some(top) = self.merges.anchor(row, col)
        {
            return (self.range.get_value((top, col)).unwrap_or(&Data::Empty), top);
        }
        (d, row)
    }
}

struct ExcelRow<'a> {
    map: &'a SheetMap<'a>,
    row: u32,
}

impl Record for ExcelRow<'_> {
    fn cell(&self, f: Field) -> Option<(Cell<'_>, Loc)> {
        let col = self.map.cols[f.index()]?;
        let (d, row) = self.map.value(self.row, col);
        Some((to_cell(d), Loc::Cell { row, col }))
    }

    fn loc(&self) -> Loc {
        Loc::Cell {
            row: self.row,
            col: self.map.first_col,
        }
    }
}

/// The header rows found on a sheet.
struct HeaderBlock {
    kind: SheetKind,
    last_row: u32,
    /// (row, col, raw text, match) for every non-empty text cell in the block.
    cells: Vec<(u32, u32, String, Option<Header>)>,
}

fn row_headers(range: &Range<Data>, row: u32) -> Vec<(u32, String, Option<Header>)> {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for col in start.1..=end.1 {
        if let Some(Data::String(s)) = range.get_value((row, col))
            && !trim(s).is_empty()
        {
            out.push((col, s.clone(), match_header(&normalize_header(s))));
        }
    }
    out
}

fn header_like(cells: &[(u32, String, Option<Header>)]) -> bool {
    let known = cells.iter().filter(|c| c.2.is_some()).count();
    known >= 1 && known * 2 >= cells.len()
}

fn find_header(range: &Range<Data>) -> Option<HeaderBlock> {
    let (start, end) = (range.start()?, range.end()?);
    let last_scan = end.0.min(start.0 + HEADER_SCAN_ROWS);
    let mut best: Option<(usize, u32, SheetKind)> = None;
    for row in start.0..=last_scan {
        let cells = row_headers(range, row);
        let mut headers: Vec<Header> = cells.iter().filter_map(|c| c.2).collect();
        headers.dedup();
        let score = headers.len();
        if score < 2 {
            continue;
        }
        let Some(kind) = detect_kind(&headers) else { continue };
        if best.is_none_or(|(s, _, _)| score > s) {
            best = Some((score, row, kind));
        }
    }
    let (_, row, _) = best?;
    // Extend over adjacent header rows (two-level headers with merged group titles).
    let mut first = row;
    while first > start.0 && first + 2 > row && header_like(&row_headers(range, first - 1)) {
        first -= 1;
    }
    let mut last = row;
    while last < end.0 && last < row + 2 && header_like(&row_headers(range, last + 1)) {
        last += 1;
    }
    let mut cells = Vec::new();
    let mut all: Vec<Header> = Vec::new();
    for r in first..=last {
        for (col, text, h) in row_headers(range, r) {
            if let Some(h) = h {
                all.push(h);
            }
            cells.push((r, col, text, h));
        }
    }
    let kind = detect_kind(&all)?;
    Some(HeaderBlock {
        kind,
        last_row: last,
        cells,
    })
}

/// A row of column numbers (1, 2, 3 …) printed under official form headers.
pub(super) fn is_column_number_row(range: &Range<Data>, row: u32) -> bool {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return false;
    };
    let mut expected = None::<f64>;
    let mut seen = 0;
    for col in start.1..=end.1 {
        let v = match range.get_value((row, col)) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            Some(Data::String(s)) if !trim(s).is_empty() => match trim(s).parse::<f64>() {
                Ok(v) => v,
                Err(_) => return false,
            },
            _ => continue,
        };
        if let Some(e) = expected
            && v != e
        {
            return false;
        }
        expected = Some(v + 1.0);
        seen += 1;
    }
    seen >= 3
}

/// Sheet names used for filling-in instructions (`fangpin template` writes 填写说明).
fn is_instructions_sheet(name: &str) -> bool {
    let t: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(t.as_str(), "填写说明" | "填表说明" | "说明" | "使用说明")
}

/// 合计 rows and 填报人/审核人 lines under a table are not data.
pub(super) fn is_footer(range: &Range<Data>, row: u32) -> bool {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return false;
    };
    for col in start.1..=end.1 {
        match range.get_value((row, col)) {
            Some(Data::String(s)) if !trim(s).is_empty() => {
                let t: String = trim(s).chars().filter(|c| !c.is_whitespace()).collect();
                return [
                    "合计",
                    "总计",
                    "小计",
                    "填报人",
                    "填表人",
                    "审核人",
                    "制表人",
                    "负责人",
                    "单位负责人",
                    "注：",
                    "注:",
                    "说明：",
                ]
                .iter()
                .any(|p| t.starts_with(p));
            }
            Some(d) if !is_blank(d) => return false,
            _ => {}
        }
    }
    false
}

fn read_sheet(
    src: &Source,
    range: &Range<Data>,
    merges: &MergeIndex,
    ctx: &Ctx,
    rules: &RulesFile,
    data: &mut FileData,
) {
    // National-system exports and department rosters have layouts of their own.
    if let Some(header) = super::national::detect(range) {
        super::national::read_export(src, range, merges, &header, ctx, rules, data);
        return;
    }
    if let Some(roster) = super::rosters::detect(src, range) {
        super::rosters::read_roster(src, range, merges, &roster, data);
        return;
    }
    let Some(block) = find_header(range) else {
        // An instructions sheet (the template's 填写说明) is not data and needs no warning.
        let instructions = src.sheet.as_deref().is_some_and(is_instructions_sheet);
        if !instructions && range.used_cells().any(|(_, _, d)| !is_blank(d)) {
            data.diagnostics.push(Diagnostic::warning(
                Place::sheet(src.file.clone(), src.sheet.clone().unwrap_or_default()),
                "",
                "",
                "未能识别此工作表：找不到户、成员、程序、帮扶措施、问题或进度表的表头，本表未读取",
                "如是数据表，请按 README“输入约定”使用标准表头；如是说明页可忽略此提示",
            ));
        }
        return;
    };
    let kind = block.kind;
    let mut diags = Vec::new();

    // Column map: the lowest header row with a recognised label wins for each column.
    let mut cols: Vec<Option<u32>> = vec![None; Field::count()];
    let mut col_field: HashMap<u32, Field> = HashMap::new();
    let mut by_col: Vec<&(u32, u32, String, Option<Header>)> = block.cells.iter().collect();
    by_col.sort_by_key(|c| (c.1, std::cmp::Reverse(c.0)));
    let mut done_cols: Vec<u32> = Vec::new();
    for c in &by_col {
        let (row, col, text, h) = c;
        if done_cols.contains(col) {
            continue;
        }
        let Some(h) = h else { continue };
        done_cols.push(*col);
        let f = resolve(*h, kind);
        let place = Place::cell(src.file.clone(), src.sheet.clone().unwrap_or_default(), *row, *col);
        if !kind.allows(f) {
            diags.push(Diagnostic::warning(
                place,
                f.label(),
                text.clone(),
                format!("「{}」不属于{}表，本列未读取", f.label(), kind.label()),
                "把此列移到相应的表中，或删除此列",
            ));
            continue;
        }
        if let Some(prev) = cols[f.index()] {
            diags.push(Diagnostic::warning(
                place,
                f.label(),
                text.clone(),
                format!(
                    "与第{}列重复，都对应「{}」，本列未读取",
                    crate::model::col_letters(prev),
                    f.label()
                ),
                "删除重复的列，或改为其他标准表头",
            ));
            continue;
        }
        cols[f.index()] = Some(*col);
        col_field.insert(*col, f);
    }
    // Unknown headers: the lowest non-empty label of every column that maps to nothing.
    let mut reported: Vec<u32> = Vec::new();
    for c in &by_col {
        let (row, col, text, h) = c;
        if h.is_some() || done_cols.contains(col) || reported.contains(col) {
            continue;
        }
        reported.push(*col);
        let shown = super::limits::clip(trim(text));
        diags.push(Diagnostic::warning(
            Place::cell(src.file.clone(), src.sheet.clone().unwrap_or_default(), *row, *col),
            "",
            shown.clone(),
            format!("无法识别的表头“{shown}”，本列未读取"),
            "如需读取，请改为 README“输入约定”中的标准表头或别名",
        ));
    }
    let header_place = Place::cell(
        src.file.clone(),
        src.sheet.clone().unwrap_or_default(),
        block.last_row,
        first_col(&cols),
    );
    let mut missing = Vec::new();
    for alternatives in kind.required() {
        if alternatives.iter().all(|f| cols[f.index()].is_none()) {
            missing.push(
                alternatives
                    .iter()
                    .map(|f| format!("「{}」", f.label()))
                    .collect::<Vec<_>>()
                    .join("或"),
            );
        }
    }
    if !missing.is_empty() {
        diags.push(Diagnostic::error(
            header_place,
            "",
            "",
            format!("{}表缺少必填列：{}，本表未读取", kind.label(), missing.join("、")),
            "在表头行加上这些列并填写（表头名称见 README“输入约定”）",
        ));
        data.diagnostics.append(&mut diags);
        return;
    }
    data.diagnostics.append(&mut diags);

    let map = SheetMap {
        range,
        merges,
        first_col: first_col(&cols),
        cols,
    };
    let end_row = range.end().map_or(0, |e| e.0);
    let rows_before = data.rows;
    let mut caps = super::limits::FileCaps::default();
    let mut rd = Reader {
        src,
        rules,
        diags: &mut data.diagnostics,
    };
    let mut rows = 0usize;
    let mut households = Vec::new();
    let mut members = Vec::new();
    let mut procedures = Vec::new();
    let mut measures = Vec::new();
    let mut problems = Vec::new();
    let mut reports = Vec::new();
    // One-sheet layout: 户编号 → index in `households` and its first row.
    let mut groups: HashMap<String, (usize, u32)> = HashMap::new();
    let mut first_data = block.last_row + 1;
    if first_data <= end_row && is_column_number_row(range, first_data) {
        first_data += 1;
    }
    for row in first_data..=end_row {
        let blank = map
            .cols
            .iter()
            .flatten()
            .all(|&c| range.get_value((row, c)).is_none_or(is_blank));
        if blank || is_footer(range, row) {
            continue;
        }
        if let Some((message, fix)) = caps.check(rows_before + rows, rd.diags) {
            rd.diags.push(Diagnostic::error(
                Place::cell(
                    src.file.clone(),
                    src.sheet.clone().unwrap_or_default(),
                    row,
                    map.first_col,
                ),
                "",
                "",
                message,
                fix,
            ));
            break;
        }
        rows += 1;
        let rec = ExcelRow { map: &map, row };
        match kind {
            SheetKind::Household => households.extend(build::household(&mut rd, ctx, &rec)),
            SheetKind::Member => members.extend(build::member(&mut rd, ctx, &rec, None)),
            SheetKind::HouseholdWithMembers => {
                one_sheet_row(&mut rd, ctx, &map, &rec, &mut groups, &mut households);
            }
            SheetKind::Procedure => procedures.extend(build::procedure(&mut rd, &rec)),
            SheetKind::Measure => measures.extend(build::measure(&mut rd, &rec)),
            SheetKind::Problem => problems.extend(build::problem(&mut rd, ctx, &rec)),
            SheetKind::Milestone => reports.extend(build::report(&mut rd, ctx, &rec)),
            SheetKind::Visit => data.visits.extend(build::visit(&mut rd, &rec)),
        }
    }
    if rows == 0 {
        data.diagnostics.push(Diagnostic::warning(
            Place::sheet(src.file.clone(), src.sheet.clone().unwrap_or_default()),
            "",
            "",
            format!("{}表表头下没有数据行", kind.label()),
            "填写数据，或删除这张空表",
        ));
    }
    data.rows += rows;
    data.households.append(&mut households);
    data.members.append(&mut members);
    data.procedures.append(&mut procedures);
    data.measures.append(&mut measures);
    data.problems.append(&mut problems);
    data.reports.append(&mut reports);
}

fn first_col(cols: &[Option<u32>]) -> u32 {
    cols.iter().flatten().min().copied().unwrap_or(0)
}

/// Household fields compared across the rows of one household in the one-sheet layout.
pub(super) const HOUSEHOLD_FIELDS: &[Field] = &[
    Field::Township,
    Field::Village,
    Field::Group,
    Field::HeadName,
    Field::HeadId,
    Field::Phone,
    Field::HouseholdType,
    Field::MonitorCategory,
    Field::Size,
    Field::Wage,
    Field::Business,
    Field::Property,
    Field::Transfer,
    Field::BusinessCost,
    Field::PerCapita,
    Field::LastYear,
    Field::TwoYearsAgo,
    Field::Risks,
    Field::BasicNeeds,
    Field::NoLabour,
    Field::SanitaryToilet,
    Field::Exclusions,
    Field::KeyGroups,
    Field::Helper,
    Field::IncomeOkSince,
    Field::MonitoredSince,
    Field::EliminatedOn,
];

/// One row of the one-sheet layout: the household (first row of its 户编号) plus one member.
fn one_sheet_row(
    rd: &mut Reader,
    ctx: &Ctx,
    map: &SheetMap,
    rec: &ExcelRow,
    groups: &mut HashMap<String, (usize, u32)>,
    households: &mut Vec<build::PendingHousehold>,
) {
    let hid = match rec.cell(Field::HouseholdId) {
        Some((c, loc)) if c.is_empty() => {
            rd.error(
                &loc,
                Field::HouseholdId,
                "",
                "户编号为空，无法确定此行成员属于哪一户",
                "一表式布局中，每个成员行都要有户编号：逐行重复填写，或把同一户的户信息列纵向合并单元格",
            );
            return;
        }
        _ => rd
            .text(rec, Field::HouseholdId)
            .map(|s| super::values::to_half_width(&s).into_owned()),
    };
    let Some(hid) = hid else { return };
    let idx = match groups.get(&hid) {
        Some(&(idx, first_row)) => {
            compare_with_first(rd, map, rec.row, first_row, &hid, &mut households[idx]);
            idx
        }
        None => {
            let Some(h) = build::household(rd, ctx, rec) else {
                return;
            };
            households.push(h);
            let idx = households.len() - 1;
            groups.insert(hid.clone(), (idx, rec.row));
            idx
        }
    };
    if build::has_member_data(rec)
        && let Some(m) = build::member(rd, ctx, rec, Some(&hid))
    {
        households[idx].members.push(m);
    }
}

/// Repeated household columns must agree with the household's first row (merged ones always do).
fn compare_with_first(
    rd: &mut Reader,
    map: &SheetMap,
    row: u32,
    first_row: u32,
    hid: &str,
    h: &mut build::PendingHousehold,
) {
    for &f in HOUSEHOLD_FIELDS {
        let Some(col) = map.cols[f.index()] else { continue };
        let (d, at) = map.value(row, col);
        let (d0, at0) = map.value(first_row, col);
        if at == at0 || is_blank(d) {
            continue;
        }
        let (v, v0) = (to_cell(d).display(), to_cell(d0).display());
        if v != v0 {
            rd.error(
                &Loc::Cell { row: at, col },
                f,
                v,
                format!(
                    "同一户（户编号 {hid}）各行的「{}」不一致，该户第一行（{}）为“{}”",
                    f.label(),
                    crate::model::cell_ref(at0, col),
                    v0
                ),
                "一表式布局中同一户的户信息须各行一致，或纵向合并单元格",
            );
        }
    }
    // Per-row remarks are kept rather than dropped.
    if let Some(col) = map.cols[Field::Note.index()] {
        let (d, at) = map.value(row, col);
        let (_, at0) = map.value(first_row, col);
        if at != at0 && !is_blank(d) {
            let note = to_cell(d).display();
            match &mut h.h.note {
                Some(n) if !n.contains(&note) => {
                    n.push('；');
                    n.push_str(&note);
                }
                Some(_) => {}
                None => h.h.note = Some(note),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a workbook the way `read_workbook` chooses and with its merged regions read:
    /// (the path chosen, chosen result, merged-regions result, merges-skipped result), as Debug text.
    fn both_ways(rel: &str, bytes: &[u8], campaign: &crate::model::Campaign) -> (Merges, String, String, String) {
        let rules = RulesFile::defaults();
        let ctx = Ctx { campaign };
        let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        let chosen = match vet(&ext, bytes) {
            Ok(v) if !v.vertical_merges => Merges::Skip,
            Ok(_) => Merges::Read,
            Err(r) => panic!("{rel} refused: {}", r.message),
        };
        let auto = read_workbook(rel, bytes, &ctx, &rules);
        let read = read_vetted(rel, &ext, bytes, Merges::Read, &ctx, &rules);
        let skip = read_vetted(rel, &ext, bytes, Merges::Skip, &ctx, &rules);
        (chosen, format!("{auto:?}"), format!("{read:?}"), format!("{skip:?}"))
    }

    /// A national-system export: title (merged across the columns when `title_merge`), query
    /// row, header on row 3, four households whose 行政村 disagrees on one row (a warning).
    fn export_xlsx(title_merge: bool) -> Vec<u8> {
        export_rows(title_merge, 4, false, false)
    }

    /// [`export_xlsx`] with `households` households; with `straggler`, the first household gets
    /// one more person on the last row (a household in both halves of the sheet); with `unique`,
    /// every person has an ID of their own (else the three IDs repeat: errors on every row).
    fn export_rows(title_merge: bool, households: u32, straggler: bool, unique: bool) -> Vec<u8> {
        let headers = [
            "序号",
            "县",
            "乡镇",
            "行政村",
            "户编号",
            "户主姓名",
            "户类型",
            "监测对象类别",
            "家庭人口数",
            "识别监测时间",
            "风险是否已消除",
            "致贫/返贫风险1",
            "就业帮扶",
            "姓名",
            "证件类型",
            "证件号码",
            "性别",
            "与户主关系",
            "民族",
            "风险是否已消除",
        ];
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let last = headers.len() as u16 - 1;
        if title_merge {
            ws.merge_range(
                0,
                0,
                0,
                last,
                "防止返贫致贫监测对象信息",
                &rust_xlsxwriter::Format::new(),
            )
            .unwrap();
        } else {
            ws.write_string(0, 0, "防止返贫致贫监测对象信息").unwrap();
        }
        ws.write_string(1, 0, "查询条件：测试县    导出时间：2024-06-12 10:00:00")
            .unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        let ids = ["110101197001010011", "110101197202020028", "11010120050303001342"];
        let mut people: Vec<(u32, usize)> = (0..households).flat_map(|h| (0..3).map(move |k| (h, k))).collect();
        if straggler {
            people.push((0, 2));
        }
        for (row, (h, k)) in (3u32..).zip(people) {
            {
                let (name, rel) = [("户主", "户主"), ("配偶", "配偶"), ("之子", "之子")][k];
                let village = if h % 1000 == 2 && k == 1 { "乙村" } else { "甲村" };
                let values: [&str; 20] = [
                    &row.to_string(),
                    "测试县",
                    "测试乡",
                    village,
                    &format!("53092600{h:06}"),
                    &format!("户{h}户主"),
                    "普通农户",
                    "边缘易致贫户",
                    "3",
                    "202304",
                    "否",
                    "因病",
                    "技能培训,其他",
                    &format!("户{h}{name}"),
                    "居民身份证",
                    &if unique {
                        let first17 = format!(
                            "110101{}{:02}{:02}{:03}",
                            1950 + h % 50,
                            1 + (h / 50) % 12,
                            1 + k,
                            (h / 600 % 100) * 10 + if k == 1 { 2 } else { 1 }
                        );
                        let check = super::super::id_check_digit(&first17).unwrap();
                        format!("{first17}{check}")
                    } else {
                        ids[k].to_string()
                    },
                    if k == 1 { "女" } else { "男" },
                    rel,
                    "汉族",
                    "否",
                ];
                for (c, v) in values.iter().enumerate() {
                    ws.write_string(row, c as u16, *v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn s016_5_big_exports_read_in_two_halves_give_the_one_pass_result() {
        let campaign = super::super::campaign::parse_campaign(
            "名称: 测试\n年度: 2024\n地区: {省: 测试省, 县: 测试县, 乡镇: 测试乡}\n监测范围: 8300\n统计截止日: 2024-06-30\n",
        )
        .unwrap();
        let rules = RulesFile::defaults();
        let ctx = Ctx { campaign: &campaign };
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let both = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for (straggler, unique) in [(false, true), (true, true), (false, false)] {
            let bytes = export_rows(false, 7_000, straggler, unique);
            let halves = both.install(|| read_workbook("导出.xlsx", &bytes, &ctx, &rules));
            let one_pass = one_thread.install(|| read_workbook("导出.xlsx", &bytes, &ctx, &rules));
            let case = format!("straggler {straggler}, unique IDs {unique}");
            assert_eq!(format!("{halves:?}"), format!("{one_pass:?}"), "{case}");
            if unique {
                assert_eq!(halves.rows, 21_000 + usize::from(straggler), "{case}");
                assert_eq!(halves.households.len(), 7_000);
                // Seven households a thousand apart disagree on 行政村: warnings in both halves.
                let differ = halves
                    .diagnostics
                    .iter()
                    .filter(|d| d.message.contains("「行政村」不一致"))
                    .count();
                assert_eq!(differ, 7, "{case}");
            } else {
                // Repeated IDs: the file's error limit stops the reading (the one-pass path).
                assert!(halves.rows < 21_000 && halves.diagnostics.iter().any(|d| d.message.contains("未再检查")));
            }
        }
    }

    #[test]
    fn s016_5_merged_regions_are_skipped_only_where_none_spans_rows() {
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::synth::GenOptions {
            households: 40,
            villages: 3,
            seed: 3,
            as_of: crate::synth::GenOptions::sample().as_of,
        };
        crate::synth::generate(&opts, dir.path()).unwrap();
        let campaign_text = std::fs::read_to_string(dir.path().join("campaign.yaml")).unwrap();
        let campaign = super::super::campaign::parse_campaign(&campaign_text).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.push(("导出_标题合并.xlsx".into(), export_xlsx(true)));
        files.push(("导出.xlsx".into(), export_xlsx(false)));
        let (mut skipped, mut read) = (0, 0);
        for (rel, bytes) in &files {
            let (chosen, auto, with_merges, without) = both_ways(rel, bytes, &campaign);
            assert!(auto.contains("households"), "{rel}: {auto}");
            // The shortcut gives what reading the merged regions gives, diagnostics included.
            assert_eq!(auto, with_merges, "{rel}: the chosen path differs from the general one");
            match chosen {
                Merges::Skip => {
                    skipped += 1;
                    assert_eq!(without, with_merges, "{rel}");
                }
                Merges::Read => {
                    read += 1;
                    // The merged one-sheet layout needs its regions: without them rows lose values.
                    assert_ne!(without, with_merges, "{rel}: vertical merges that change nothing");
                }
            }
        }
        // The merged village sheet reads its regions; the two-sheet village, the township
        // workbook (a merged title) and both exports skip them.
        assert!(
            read >= 1 && skipped >= 3,
            "read {read}, skipped {skipped} of {}",
            files.len()
        );
        let (chosen, auto, ..) = both_ways("导出_标题合并.xlsx", &export_xlsx(true), &campaign);
        assert_eq!(chosen, Merges::Skip);
        assert!(auto.contains("行政村") && auto.contains("不一致"), "{auto}");
    }

    #[test]
    fn merge_index_finds_anchor() {
        let m = MergeIndex::new(&[
            Dimensions::new((4, 1), (6, 1)),
            Dimensions::new((9, 1), (10, 2)),
            Dimensions::new((2, 5), (2, 7)),
        ]);
        assert_eq!(m.anchor(4, 1), None);
        assert_eq!(m.anchor(5, 1), Some(4));
        assert_eq!(m.anchor(6, 1), Some(4));
        assert_eq!(m.anchor(7, 1), None);
        assert_eq!(m.anchor(10, 1), Some(9));
        // Only the region's first column carries the value.
        assert_eq!(m.anchor(10, 2), None);
        // Horizontal merges are not vertical spans.
        assert_eq!(m.anchor(2, 6), None);
    }
}
