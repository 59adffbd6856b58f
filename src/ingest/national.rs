//! Exports of the national 防止返贫监测信息系统, read as they come: the person-level 监测对象 export
//! (`（自定义）监测对象信息.xlsx`, `防止返贫致贫监测对象信息_…xlsx`) and the 脱贫户信息 export.
//!
//! Their traits: a title and a 查询条件/导出时间 row above the header; one row per person with the
//! household columns repeated; 致贫/返贫风险1…5 as separate columns; one column per 帮扶措施
//! category holding comma-separated items; 识别监测时间 / 消除监测时间 as YYYYMM; 证件号码 of 18,
//! 20 or 22 characters (a 残疾人证号 adds the disability category and grade); 户类型 普通农户 /
//! 脱贫户 with the monitoring state in 监测对象类别 and 风险是否已消除 (a header that appears twice).
//! Rows go through the same builders as fangpin's own layout, so every check applies.

use super::build::{self, Ctx, FileData, Linked, PendingHousehold};
use super::excel::{HOUSEHOLD_FIELDS, MergeIndex, is_blank, is_column_number_row, is_footer, to_cell};
use super::fields::{Field, Header, SheetKind, match_header, normalize_header};
use super::record::{Cell, Loc, Reader, Record, Source, lookup};
use super::values::{SuffixError, split_certificate, trim};
use crate::model::{Diagnostic, Disability, HouseholdType, Measure, MonitorCategory, Place, RulesFile, split_multi};
use calamine::{Data, Range};
use std::borrow::Cow;
use std::collections::HashMap;

/// Which export a household was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// 监测对象信息 (自定义查询 or 2025 防止返贫致贫监测对象信息)
    Monitoring,
    /// 脱贫户信息
    Lifted,
}

impl ExportKind {
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Monitoring => "全国防返贫监测信息系统监测对象导出表",
            ExportKind::Lifted => "全国防返贫监测信息系统脱贫户信息导出表",
        }
    }
}

/// How far down the header row of an export is looked for (title + query rows above it).
const EXPORT_HEADER_SCAN_ROWS: u32 = 12;

/// The 帮扶措施 columns of the exports, each with the vocabulary category it falls back to when
/// the column name itself is not a category or synonym in rules.yaml.
const MEASURE_COLUMNS: &[(&str, &str)] = &[
    ("产业帮扶", "产业帮扶"),
    ("就业帮扶", "就业帮扶"),
    ("金融帮扶", "小额信贷"),
    ("公益岗位帮扶", "公益岗位"),
    ("健康帮扶", "健康帮扶"),
    ("教育帮扶", "教育帮扶"),
    ("义务教育保障", "教育帮扶"),
    ("综合保障", "综合保障"),
    ("住房安全保障", "住房安全保障"),
    ("饮水安全保障", "饮水安全保障"),
    ("社会帮扶", "社会帮扶"),
    ("搬迁", "住房安全保障"),
    ("易地搬迁", "住房安全保障"),
    ("生产生活条件改善", "其他"),
    ("基础设施建设", "其他"),
    ("其他帮扶", "其他"),
];

/// Risk values of the exports that are not (yet) synonyms in the built-in vocabulary.
const RISK_SYNONYMS: &[(&str, &str)] = &[
    ("住房出现安全问题", "住房安全"),
    ("住房安全无保障", "住房安全"),
    ("饮水安全无保障", "饮水安全"),
    ("因自然灾害", "因灾"),
    ("自然灾害", "因灾"),
    ("家庭成员中有义务教育阶段适龄儿童少年失学辍学", "因学"),
    ("义务教育阶段失学辍学", "因学"),
    ("因务工就业不稳定", "因务工就业不稳"),
    ("因疫情", "其他"),
    ("突发严重困难", "其他"),
];

/// Headers only the exports have; two of them (with the person columns) make a sheet an export.
const EXPORT_MARKERS: &[&str] = &[
    "证件类型",
    "实施开发式帮扶措施情况",
    "享受低保政策情况",
    "享受特困供养政策情况",
    "脱贫年度",
    "整户无劳动能力兜底保障户",
    "因自然灾害子项",
    "文化程度",
    "务工状况",
    "民族",
    "政治面貌",
    "是否参加城乡居民基本医疗保险",
    "是否参加大病保险",
];

/// What an export column carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A canonical field, read by the shared builders.
    Field(Field),
    /// 证件号码 (18, 20 or 22 characters)
    Id,
    /// 证件类型
    IdType,
    /// 户类型 (普通农户 / 脱贫户)
    HouseholdType,
    /// 监测对象类别
    Category,
    /// 风险是否已消除 (may appear twice)
    Eliminated,
    /// 致贫/返贫风险1 … 5
    Risk,
    /// A 帮扶措施 column (index into MEASURE_COLUMNS)
    Measure(usize),
}

/// Comparison key of a header: normalised, without the slashes and brackets of 致贫/返贫风险（1）.
fn key(raw: &str) -> String {
    normalize_header(raw)
        .chars()
        .filter(|c| !matches!(c, '/' | '、' | '（' | '）' | '(' | ')' | '_' | '-'))
        .collect()
}

fn role(k: &str) -> Option<Role> {
    let risk_base = [
        "致贫返贫风险",
        "返贫致贫风险",
        "风险类型",
        "主要风险",
        "致贫风险",
        "返贫风险",
    ];
    for base in risk_base {
        if let Some(rest) = k.strip_prefix(base)
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(Role::Risk);
        }
    }
    if let Some(i) = MEASURE_COLUMNS.iter().position(|(n, _)| *n == k) {
        return Some(Role::Measure(i));
    }
    let r = match k {
        "证件号码" | "身份证号" | "身份证号码" | "公民身份号码" | "证件号" | "身份证件号码" => {
            Role::Id
        }
        "证件类型" | "身份证件类型" => Role::IdType,
        "户类型" | "农户类型" | "户属性" => Role::HouseholdType,
        "监测对象类别" | "监测对象类型" | "监测类型" => Role::Category,
        "风险是否已消除" | "风险是否消除" | "是否消除风险" | "是否已消除风险" => {
            Role::Eliminated
        }
        "整户无劳动能力兜底保障户" | "是否整户无劳动能力兜底保障户" => {
            Role::Field(Field::NoLabour)
        }
        _ => match match_header(k)? {
            Header::Field(f) if SheetKind::HouseholdWithMembers.allows(f) && f != Field::Risks => Role::Field(f),
            Header::GenericId => Role::Id,
            _ => return None,
        },
    };
    Some(r)
}

/// An export's header as found: its row and every labelled column.
pub struct ExportHeader {
    kind: ExportKind,
    row: u32,
    /// (col, raw label, role)
    cols: Vec<(u32, String, Option<Role>)>,
}

fn row_texts(range: &Range<Data>, row: u32, first: u32, last: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for col in first..=last {
        if let Some(Data::String(s)) = range.get_value((row, col))
            && !trim(s).is_empty()
        {
            out.push((col, s.clone()));
        }
    }
    out
}

/// Recognises an export by its header (on row 3 under a title and a query row, or anywhere in
/// the first rows; a two-level header takes the upper label of a column the lower row leaves empty).
pub fn detect(range: &Range<Data>) -> Option<ExportHeader> {
    let (start, end) = (range.start()?, range.end()?);
    let last_scan = end.0.min(start.0 + EXPORT_HEADER_SCAN_ROWS);
    let mut above: Vec<(u32, String)> = Vec::new();
    for row in start.0..=last_scan {
        let mut texts = row_texts(range, row, start.1, end.1);
        // A title or query row has one or two cells; only a header-like row lends its labels.
        if above.len() >= 3 {
            for (col, t) in &above {
                if !texts.iter().any(|(c, _)| c == col) {
                    texts.push((*col, t.clone()));
                }
            }
            texts.sort_by_key(|(c, _)| *c);
        }
        let cols: Vec<(u32, String, Option<Role>)> = texts
            .iter()
            .map(|(c, t)| {
                let k = key(t);
                (*c, t.clone(), role(&k))
            })
            .collect();
        let has = |r: Role| cols.iter().any(|c| c.2 == Some(r));
        let markers = cols
            .iter()
            .filter(|(_, t, r)| {
                matches!(r, Some(Role::Risk | Role::Eliminated | Role::Measure(_)))
                    || EXPORT_MARKERS.contains(&key(t).as_str())
            })
            .count();
        if markers >= 2
            && has(Role::Field(Field::HouseholdId))
            && has(Role::Field(Field::Name))
            && has(Role::Id)
            && has(Role::Field(Field::Relation))
        {
            let monitoring = has(Role::Category) || has(Role::Eliminated) || has(Role::Field(Field::MonitoredSince));
            return Some(ExportHeader {
                kind: if monitoring {
                    ExportKind::Monitoring
                } else {
                    ExportKind::Lifted
                },
                row,
                cols,
            });
        }
        above = row_texts(range, row, start.1, end.1);
    }
    None
}

/// The columns of a recognised export.
struct ExportMap<'a> {
    range: &'a Range<Data>,
    merges: &'a MergeIndex,
    cols: Vec<Option<u32>>,
    id: Option<u32>,
    id_type: Option<u32>,
    household_type: Option<u32>,
    category: Option<u32>,
    eliminated: Vec<u32>,
    risks: Vec<u32>,
    /// (col, header, vocabulary category)
    measures: Vec<(u32, String, String)>,
    /// Household-level columns compared across the rows of one household.
    household_cols: Vec<(u32, String)>,
    /// Every mapped column (for blank-row detection).
    used: Vec<u32>,
    first_col: u32,
}

impl ExportMap<'_> {
    fn value(&self, row: u32, col: u32) -> (&Data, u32) {
        let d = self.range.get_value((row, col)).unwrap_or(&Data::Empty);
        if is_blank(d)
            && let Some(top) = self.merges.anchor(row, col)
        {
            return (self.range.get_value((top, col)).unwrap_or(&Data::Empty), top);
        }
        (d, row)
    }

    fn text(&self, row: u32, col: u32) -> Option<(Cow<'_, str>, u32)> {
        let (d, at) = self.value(row, col);
        let t: Cow<'_, str> = match d {
            Data::String(s) => Cow::Borrowed(trim(s)),
            Data::Empty => return None,
            other => Cow::Owned(to_cell(other).display()),
        };
        (!t.is_empty()).then_some((t, at))
    }
}

/// One person row, with the values the export writes differently from fangpin's own layout.
struct ExportRow<'a> {
    map: &'a ExportMap<'a>,
    row: u32,
    /// The 18-character part of the 证件号码.
    id18: Option<String>,
    /// 户类型 as fangpin knows it (监测户 for a monitored household), when the row sets it.
    household_type: Option<&'static str>,
    /// 监测对象类别 is not carried over (risk eliminated: no longer a 监测对象).
    drop_category: bool,
}

impl Record for ExportRow<'_> {
    fn cell(&self, f: Field) -> Option<(Cell<'_>, Loc)> {
        match f {
            Field::IdNumber => {
                let col = self.map.id?;
                let (d, row) = self.map.value(self.row, col);
                let cell = match &self.id18 {
                    Some(t) => Cell::Text(Cow::Borrowed(t.as_str())),
                    None => to_cell(d),
                };
                return Some((cell, Loc::Cell { row, col }));
            }
            Field::HouseholdType => {
                let col = self.map.household_type.or(self.map.category);
                let loc = match col {
                    Some(col) => Loc::Cell { row: self.row, col },
                    None => self.loc(),
                };
                return match (self.household_type, col) {
                    (Some(t), _) => Some((Cell::Text(Cow::Borrowed(t)), loc)),
                    (None, Some(c)) if Some(c) == self.map.household_type => {
                        let (d, row) = self.map.value(self.row, c);
                        Some((to_cell(d), Loc::Cell { row, col: c }))
                    }
                    _ => Some((Cell::Empty, loc)),
                };
            }
            Field::MonitorCategory => {
                let col = self.map.category?;
                if self.drop_category {
                    return Some((Cell::Empty, Loc::Cell { row: self.row, col }));
                }
                let (d, row) = self.map.value(self.row, col);
                return Some((to_cell(d), Loc::Cell { row, col }));
            }
            _ => {}
        }
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

/// 风险是否已消除: 是/已消除 → true, 否/未消除 → false.
fn parse_eliminated(t: &str) -> Option<bool> {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if t.contains("未消除") || t == "未" {
        return Some(false);
    }
    if t.contains("已消除") || t == "已" {
        return Some(true);
    }
    crate::model::parse_yes_no(&t)
}

/// Values of a measure or risk cell that mean "none".
fn is_none_value(t: &str) -> bool {
    matches!(t, "无" | "否" | "/" | "-" | "—" | "——" | "暂无" | "未享受" | "0")
}

/// Reads one export sheet (never fails: every problem becomes a diagnostic).
pub fn read_export(
    src: &Source,
    range: &Range<Data>,
    merges: &MergeIndex,
    header: &ExportHeader,
    ctx: &Ctx,
    rules: &RulesFile,
    data: &mut FileData,
) {
    let file = src.file.clone();
    let sheet = src.sheet.clone().unwrap_or_default();
    let mut map = ExportMap {
        range,
        merges,
        cols: vec![None; Field::count()],
        id: None,
        id_type: None,
        household_type: None,
        category: None,
        eliminated: Vec::new(),
        risks: Vec::new(),
        measures: Vec::new(),
        household_cols: Vec::new(),
        used: Vec::new(),
        first_col: header.cols.first().map_or(0, |c| c.0),
    };
    let mut unused: Vec<(u32, String)> = Vec::new();
    for (col, raw, r) in &header.cols {
        let shown = super::limits::clip(trim(raw));
        let first_time = |slot: &mut Option<u32>| {
            if slot.is_none() {
                *slot = Some(*col);
                true
            } else {
                false
            }
        };
        let taken = match r {
            None => false,
            Some(Role::Field(f)) => first_time(&mut map.cols[f.index()]),
            Some(Role::Id) => first_time(&mut map.id),
            Some(Role::IdType) => first_time(&mut map.id_type),
            Some(Role::HouseholdType) => first_time(&mut map.household_type),
            Some(Role::Category) => first_time(&mut map.category),
            Some(Role::Eliminated) => {
                map.eliminated.push(*col);
                true
            }
            Some(Role::Risk) => {
                map.risks.push(*col);
                true
            }
            Some(Role::Measure(i)) => {
                let (name, fallback) = MEASURE_COLUMNS[*i];
                let v = &rules.vocab;
                let found = v
                    .measure_category(name)
                    .or_else(|| v.measure_category(fallback))
                    .map(|c| c.name.as_str());
                match found {
                    Some(c) => {
                        map.measures.push((*col, name.to_string(), c.to_string()));
                        true
                    }
                    None => false,
                }
            }
        };
        if taken {
            map.used.push(*col);
            let household_level = match r {
                Some(Role::Field(f)) => HOUSEHOLD_FIELDS.contains(f) || *f == Field::HouseholdId,
                Some(Role::HouseholdType | Role::Category | Role::Eliminated | Role::Risk | Role::Measure(_)) => true,
                _ => false,
            };
            if household_level && *r != Some(Role::Field(Field::HouseholdId)) {
                map.household_cols.push((*col, shown));
            }
        } else {
            unused.push((*col, shown));
        }
    }
    map.first_col = map.used.iter().min().copied().unwrap_or(map.first_col);
    let header_place = Place::cell(file.clone(), sheet.clone(), header.row, map.first_col);

    let mut missing = Vec::new();
    for (present, label) in [
        (map.cols[Field::HouseholdId.index()].is_some(), "户编号"),
        (map.cols[Field::Village.index()].is_some(), "行政村"),
        (map.cols[Field::Name.index()].is_some(), "姓名"),
        (map.id.is_some(), "证件号码"),
        (map.cols[Field::Relation.index()].is_some(), "与户主关系"),
    ] {
        if !present {
            missing.push(format!("「{label}」"));
        }
    }
    if !missing.is_empty() {
        data.diagnostics.push(Diagnostic::error(
            header_place,
            "",
            "",
            format!(
                "这是{}，但缺少必需的列：{}，本表未读取",
                header.kind.label(),
                missing.join("、")
            ),
            "从系统重新导出时勾选这些列（或在导出表中补上这些列）",
        ));
        return;
    }
    if !unused.is_empty() {
        let names: Vec<&str> = unused.iter().map(|(_, t)| t.as_str()).collect();
        data.diagnostics.push(Diagnostic::warning(
            Place::cell(file.clone(), sheet.clone(), header.row, unused[0].0),
            "",
            "",
            format!(
                "{}中有{}列 fangpin 不需要，未使用的列：{}",
                header.kind.label(),
                names.len(),
                names.join("、")
            ),
            "无需处理；这些列的内容不影响检查和生成的文书",
        ));
    }

    let end_row = range.end().map_or(0, |e| e.0);
    let mut first_data = header.row + 1;
    if first_data <= end_row && is_column_number_row(range, first_data) {
        first_data += 1;
    }
    let rows_before = data.rows;
    let all = first_data..end_row.saturating_add(1);
    let whole = |data: &mut FileData| {
        let mut caps = super::limits::FileCaps::default();
        let capped = Some((&mut caps, rows_before));
        read_rows(
            src,
            ctx,
            rules,
            &map,
            header.kind,
            all.clone(),
            capped,
            &mut data.diagnostics,
        )
    };
    let part = match halves(&map, all.clone()) {
        // Where no household has rows in both halves, the halves are read in parallel: rows
        // depend on nothing but their household's first row, so this gives what one pass gives.
        Some((a, b)) => {
            let read = |rows: std::ops::Range<u32>| {
                let mut diags = Vec::new();
                let part = read_rows(src, ctx, rules, &map, header.kind, rows, None, &mut diags);
                (part, diags)
            };
            let ((mut first, mut diags_a), (second, mut diags_b)) = rayon::join(|| read(a), || read(b));
            let shared = second.groups.keys().any(|k| first.groups.contains_key(k));
            // One pass would have stopped early (FileCaps) only past these counts.
            let before = &data.diagnostics;
            let total = before.len() + diags_a.len() + diags_b.len();
            let errors = [before, &diags_a, &diags_b]
                .iter()
                .map(|d| d.iter().filter(|d| d.is_error()).count())
                .sum::<usize>();
            let capped = rows_before + first.rows + second.rows >= super::limits::MAX_FILE_ROWS
                || total >= super::limits::MAX_FILE_DIAGNOSTICS
                || errors >= super::limits::MAX_FILE_ERRORS;
            if shared || capped {
                whole(data)
            } else {
                data.diagnostics.append(&mut diags_a);
                data.diagnostics.append(&mut diags_b);
                first.rows += second.rows;
                first.households.extend(second.households);
                first.measures.extend(second.measures);
                first
            }
        }
        None => whole(data),
    };
    let Rows {
        rows,
        mut households,
        mut measures,
        ..
    } = part;
    if rows == 0 {
        data.diagnostics.push(Diagnostic::warning(
            Place::sheet(file, sheet),
            "",
            "",
            format!("{}表头下没有数据行", header.kind.label()),
            "从系统重新导出，或删除这张空表",
        ));
    }
    data.rows += rows;
    data.households.append(&mut households);
    data.export_measures.append(&mut measures);
}

/// What the rows of an export (or a part of them) give.
struct Rows {
    rows: usize,
    households: Vec<PendingHousehold>,
    measures: Vec<Linked<Measure>>,
    /// 户编号 → (index in `households`, first row)
    groups: HashMap<String, (usize, u32)>,
}

/// Sheets with fewer data rows are read in one pass.
const PARALLEL_ROWS: u32 = 20_000;

/// The data rows split in two where the household column changes from one row to the next, for
/// sheets big enough to gain from reading the halves on both cores.
fn halves(map: &ExportMap, rows: std::ops::Range<u32>) -> Option<(std::ops::Range<u32>, std::ops::Range<u32>)> {
    if rows.len() < PARALLEL_ROWS as usize || rayon::current_num_threads() < 2 {
        return None;
    }
    let col = map.cols[Field::HouseholdId.index()]?;
    let mid = rows.start + (rows.end - rows.start) / 2;
    // The first change of value at or after the middle (any split is correct; this one rarely
    // puts a household in both halves, which would need the one-pass read).
    let split = (mid..rows.end.saturating_sub(1))
        .take(1_000)
        .find(|&r| map.value(r, col).0 != map.value(r + 1, col).0)?
        + 1;
    Some((rows.start..split, split..rows.end))
}

/// Reads the person rows in `rows`. With `caps` (the file's row and problem counters and the
/// rows read before this sheet), reading stops where the file's limits say.
#[allow(clippy::too_many_arguments)]
fn read_rows(
    src: &Source,
    ctx: &Ctx,
    rules: &RulesFile,
    map: &ExportMap,
    kind: ExportKind,
    rows: std::ops::Range<u32>,
    mut caps: Option<(&mut super::limits::FileCaps, usize)>,
    diags: &mut Vec<Diagnostic>,
) -> Rows {
    let mut rd = Reader { src, rules, diags };
    let mut out = Rows {
        rows: 0,
        households: Vec::new(),
        measures: Vec::new(),
        groups: HashMap::new(),
    };
    for row in rows {
        let blank = map
            .used
            .iter()
            .all(|&c| map.range.get_value((row, c)).is_none_or(is_blank));
        if blank || is_footer(map.range, row) {
            continue;
        }
        if let Some((caps, rows_before)) = caps.as_mut()
            && let Some((message, fix)) = caps.check(*rows_before + out.rows, rd.diags)
        {
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
        out.rows += 1;
        person_row(
            &mut rd,
            ctx,
            map,
            kind,
            row,
            &mut out.groups,
            &mut out.households,
            &mut out.measures,
        );
    }
    out
}

/// The 证件号码 of a row: its 18-character part and what a 20/22-character suffix says.
fn split_id(map: &ExportMap, row: u32) -> (Option<String>, Option<Result<Disability, SuffixError>>) {
    let Some(col) = map.id else { return (None, None) };
    match map.value(row, col).0 {
        Data::String(s) => {
            let (id, dis) = split_certificate(s);
            (Some(id), dis)
        }
        _ => (None, None),
    }
}

#[allow(clippy::too_many_arguments)]
fn person_row(
    rd: &mut Reader,
    ctx: &Ctx,
    map: &ExportMap,
    kind: ExportKind,
    row: u32,
    groups: &mut HashMap<String, (usize, u32)>,
    households: &mut Vec<PendingHousehold>,
    measures: &mut Vec<Linked<Measure>>,
) {
    let (id18, disability) = split_id(map, row);
    let mut rec = ExportRow {
        map,
        row,
        id18,
        household_type: None,
        drop_category: false,
    };
    let hid = match rec.cell(Field::HouseholdId) {
        Some((c, loc)) if c.is_empty() => {
            rd.error(
                &loc,
                Field::HouseholdId,
                "",
                "户编号为空，无法确定此行的人属于哪一户",
                "从系统重新导出（导出表每行都有户编号），或补填该户的户编号",
            );
            return;
        }
        _ => rd
            .text(&rec, Field::HouseholdId)
            .map(|s| super::values::to_half_width(&s).into_owned()),
    };
    let Some(hid) = hid else { return };
    let idx = match groups.get(&hid) {
        Some(&(idx, first_row)) => {
            compare_with_first(rd, map, row, first_row, &hid);
            idx
        }
        None => {
            let (household_type, drop_category) = monitoring_state(rd, map, kind, row);
            rec.household_type = household_type;
            rec.drop_category = drop_category;
            let Some(mut h) = build::household(rd, ctx, &rec) else {
                return;
            };
            h.export = Some(kind);
            h.h.risks = risks(rd, map, row);
            household_measures(rd, map, row, &hid, &h.id_place, measures);
            households.push(h);
            let idx = households.len() - 1;
            groups.insert(hid.clone(), (idx, row));
            idx
        }
    };
    if !build::has_member_data(&rec) {
        return;
    }
    let Some(mut m) = build::member(rd, ctx, &rec, Some(&hid)) else {
        return;
    };
    let id_loc = rd.loc_of(&rec, Field::IdNumber);
    let id_type = map.id_type.and_then(|c| map.text(row, c)).map(|(t, _)| t.into_owned());
    match disability {
        Some(Ok(d)) => {
            m.member.severe_disability |= d.is_severe();
            m.member.disability = Some(d);
        }
        Some(Err(SuffixError(why))) => rd.warning(
            &id_loc,
            Field::IdNumber,
            "",
            format!("残疾人证号的后两位无法识别（{why}），未读取残疾类别和等级"),
            "核对残疾人证号（18位身份证号 + 残疾类别1位 + 残疾等级1位）",
        ),
        None => {
            if let Some(t) = &id_type
                && t.contains("残疾")
                && !m.member.id.is_empty()
            {
                rd.warning(
                    &id_loc,
                    Field::IdNumber,
                    "",
                    format!("证件类型为“{t}”，但号码只有18位，看不出残疾类别和等级"),
                    "按残疾人证录入完整的20位证号，或在部门数据中放入持证残疾人名单",
                );
            }
        }
    }
    if let Some(h) = households.get_mut(idx) {
        h.members.push(m);
    }
}

/// 户类型 and 监测对象类别 as fangpin keeps them: a household with a 监测对象类别 whose risk is
/// not eliminated is a 监测户; once eliminated it is the 脱贫户 / 一般农户 its 户类型 says.
fn monitoring_state(rd: &mut Reader, map: &ExportMap, kind: ExportKind, row: u32) -> (Option<&'static str>, bool) {
    let mut eliminated: Option<(bool, u32, String)> = None;
    for &col in &map.eliminated {
        let Some((t, at)) = map.text(row, col) else { continue };
        let v = parse_eliminated(&t);
        match (&eliminated, v) {
            (None, Some(v)) => eliminated = Some((v, col, t.into_owned())),
            (Some((first, first_col, first_text)), Some(v)) if *first != v => {
                let msg = format!(
                    "两列「风险是否已消除」不一致：{}列为“{first_text}”，本列为“{t}”，以{}列为准",
                    crate::model::col_letters(*first_col),
                    crate::model::col_letters(*first_col)
                );
                rd.warning(
                    &Loc::Cell { row: at, col },
                    Field::MonitorCategory,
                    t.to_string(),
                    msg,
                    "在系统中核对该户的风险消除状态后重新导出",
                );
            }
            (_, None) => rd.warning(
                &Loc::Cell { row: at, col },
                Field::MonitorCategory,
                t.to_string(),
                "「风险是否已消除」应为“是”或“否”，本列未读取",
                "填写“是”或“否”",
            ),
            _ => {}
        }
    }
    let category = map
        .category
        .and_then(|c| map.text(row, c))
        .and_then(|(t, _)| MonitorCategory::parse(&t));
    let stated = map
        .household_type
        .and_then(|c| map.text(row, c))
        .and_then(|(t, _)| HouseholdType::parse(&t));
    let eliminated = eliminated.map(|e| e.0);
    match (category, eliminated) {
        (Some(_), Some(true)) => {
            let fallback = match (stated, category, kind) {
                (Some(HouseholdType::Lifted), _, _) => "脱贫户",
                (Some(_), _, _) => "一般农户",
                (None, Some(MonitorCategory::Unstable), _) => "脱贫户",
                (None, _, _) => "一般农户",
            };
            (Some(fallback), true)
        }
        (Some(_), _) => (Some("监测户"), false),
        // No category: the 户类型 column as written (脱贫户 / 普通农户), else the export's own kind.
        (None, _) if map.household_type.is_some() => (None, false),
        (None, _) => (
            Some(match kind {
                ExportKind::Lifted => "脱贫户",
                ExportKind::Monitoring => "一般农户",
            }),
            false,
        ),
    }
}

/// 致贫/返贫风险1 … 5: canonical risk labels, deduplicated; an unknown value is a warning.
fn risks(rd: &mut Reader, map: &ExportMap, row: u32) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let vocab = &rd.rules.vocab.risk_types;
    let mut unknown: Vec<(u32, u32, String)> = Vec::new();
    for &col in &map.risks {
        let Some((t, at)) = map.text(row, col) else { continue };
        for part in split_multi(&t) {
            if is_none_value(&part) {
                continue;
            }
            let found = lookup(vocab, &part).or_else(|| {
                RISK_SYNONYMS
                    .iter()
                    .find(|(k, _)| *k == part)
                    .and_then(|(_, v)| lookup(vocab, v))
            });
            match found {
                Some(n) => {
                    if !out.iter().any(|o| o == n) {
                        out.push(n.to_string());
                    }
                }
                None => unknown.push((at, col, part)),
            }
        }
    }
    for (at, col, part) in unknown {
        let allowed: Vec<&str> = rd.rules.vocab.risk_types.iter().map(|e| e.name.as_str()).collect();
        let fix = format!(
            "在 rules.yaml 的词表“风险类型”中把它加为某一类的同义词（现有：{}）",
            allowed.join("、")
        );
        rd.warning(
            &Loc::Cell { row: at, col },
            Field::Risks,
            part,
            "此风险不在风险类型词表中，未读取",
            fix,
        );
    }
    out
}

/// One `Measure` per item of each 帮扶措施 column, no date. The category is the item's own when
/// the item is a category of rules.yaml (户厕改造 under 生产生活条件改善, 帮扶车间 under 就业帮扶),
/// so the checks that look for a measure find it; otherwise the column's family.
fn household_measures(
    rd: &mut Reader,
    map: &ExportMap,
    row: u32,
    hid: &str,
    key_place: &Place,
    out: &mut Vec<Linked<Measure>>,
) {
    let start = out.len();
    for (col, _, category) in &map.measures {
        let Some((t, at)) = map.text(row, *col) else { continue };
        for item in t.split([',', '，', '、', ';', '；']).map(trim) {
            if item.is_empty() || is_none_value(item) {
                continue;
            }
            // 其他 stays in its column's family (其他 under 就业帮扶 is still 就业帮扶).
            let category = match rd.rules.vocab.measure_category(item) {
                Some(c) if c.family != "其他" => c.name.clone(),
                _ => category.clone(),
            };
            if out[start..]
                .iter()
                .any(|m| m.item.category == category && m.item.detail == item)
            {
                continue;
            }
            out.push(Linked {
                item: Measure {
                    household_id: hid.to_string(),
                    category,
                    detail: item.to_string(),
                    date: None,
                    place: rd.src.place(&Loc::Cell { row: at, col: *col }),
                },
                key_place: key_place.clone(),
                checks: Vec::new(),
            });
        }
    }
}

/// Household columns repeated on every person row should agree; the first row wins.
fn compare_with_first(rd: &mut Reader, map: &ExportMap, row: u32, first_row: u32, hid: &str) {
    for (col, label) in &map.household_cols {
        let (d, at) = map.value(row, *col);
        let (d0, at0) = map.value(first_row, *col);
        if at == at0 || is_blank(d) || d == d0 {
            continue;
        }
        let (v, v0) = (to_cell(d).display(), to_cell(d0).display());
        if v == v0 {
            continue;
        }
        rd.warning(
            &Loc::Cell { row: at, col: *col },
            Field::HouseholdId,
            v,
            format!(
                "同一户（户编号 {hid}）各行的「{label}」不一致，以该户第一行（{}）的“{v0}”为准",
                crate::model::cell_ref(at0, *col)
            ),
            "在系统中核对该户信息后重新导出",
        );
    }
}

/// A household both an export and a village workbook (or both exports) describe: `kept` stays,
/// `other` fills what `kept` lacks, and every difference is a warning naming both places.
pub fn reconcile(kept: &mut PendingHousehold, other: PendingHousehold, diags: &mut Vec<Diagnostic>) {
    let both_exports = kept.export.is_some() && other.export.is_some();
    let (a, b) = (&kept.h, &other.h);
    let what = |p: &PendingHousehold| match p.export {
        Some(k) => k.label(),
        None => "村级数据表",
    };
    let mut diffs: Vec<(Field, String, String)> = Vec::new();
    let mut diff = |f: Field, x: String, y: String| {
        if !x.is_empty() && !y.is_empty() && x != y {
            diffs.push((f, x, y));
        }
    };
    diff(Field::Village, a.village.clone(), b.village.clone());
    diff(Field::HeadName, a.head_name.clone(), b.head_name.clone());
    diff(Field::HeadId, a.head_id.clone(), b.head_id.clone());
    if !both_exports {
        diff(Field::HouseholdType, a.kind.label().into(), b.kind.label().into());
        diff(
            Field::MonitorCategory,
            a.monitor_category.map(|c| c.label().to_string()).unwrap_or_default(),
            b.monitor_category.map(|c| c.label().to_string()).unwrap_or_default(),
        );
    }
    if kept.size_given && other.size_given {
        diff(Field::Size, a.size.to_string(), b.size.to_string());
    }
    diff(
        Field::PerCapita,
        a.income.per_capita.map(|m| m.to_string()).unwrap_or_default(),
        b.income.per_capita.map(|m| m.to_string()).unwrap_or_default(),
    );
    let (ms, ms_other) = (
        a.monitored_since.map(|d| d.zh()).unwrap_or_default(),
        b.monitored_since.map(|d| d.zh()).unwrap_or_default(),
    );
    diff(Field::MonitoredSince, ms, ms_other);
    let mut messages: Vec<(Field, String, String)> = Vec::new();
    for (f, x, y) in diffs {
        messages.push((
            f,
            x.clone(),
            format!(
                "户编号 {} 在{}（{}）中「{}」为“{y}”，与此处的“{x}”不一致（此户只计一次，以此处为准）",
                a.id,
                what(&other),
                other.id_place,
                f.label()
            ),
        ));
    }
    // Members: the same people by 证件号码.
    let ids: Vec<&str> = kept.members.iter().map(|m| m.member.id.as_str()).collect();
    let other_ids: Vec<&str> = other.members.iter().map(|m| m.member.id.as_str()).collect();
    if !kept.members.is_empty() && !other.members.is_empty() {
        let only_here: Vec<&str> = kept
            .members
            .iter()
            .filter(|m| !m.member.id.is_empty() && !other_ids.contains(&m.member.id.as_str()))
            .map(|m| m.member.name.as_str())
            .collect();
        let only_there: Vec<&str> = other
            .members
            .iter()
            .filter(|m| !m.member.id.is_empty() && !ids.contains(&m.member.id.as_str()))
            .map(|m| m.member.name.as_str())
            .collect();
        if !only_here.is_empty() || !only_there.is_empty() {
            let mut parts = Vec::new();
            if !only_here.is_empty() {
                parts.push(format!("只在此处列出：{}", only_here.join("、")));
            }
            if !only_there.is_empty() {
                parts.push(format!("只在{}中列出：{}", what(&other), only_there.join("、")));
            }
            messages.push((
                Field::Name,
                String::new(),
                format!(
                    "户编号 {} 的家庭成员与{}（{}）不一致，{}（以此处的成员为准）",
                    a.id,
                    what(&other),
                    other.id_place,
                    parts.join("；")
                ),
            ));
        }
    }
    for (f, value, message) in messages {
        diags.push(Diagnostic::warning(
            kept.id_place.clone(),
            f.label(),
            value,
            message,
            "核对后改正本表或在系统中更正，使两处一致",
        ));
    }
    // What only the other source knows.
    let PendingHousehold { h: o, members, .. } = other;
    if kept.h.monitored_since.is_none() {
        kept.h.monitored_since = o.monitored_since;
    }
    if kept.h.eliminated_on.is_none() {
        kept.h.eliminated_on = o.eliminated_on;
    }
    if kept.h.risks.is_empty() {
        kept.h.risks = o.risks;
    }
    if kept.members.is_empty() {
        kept.members = members;
        return;
    }
    for om in members {
        if let Some(m) = kept.members.iter_mut().find(|m| m.member.id == om.member.id) {
            if m.member.disability.is_none() {
                m.member.disability = om.member.disability;
            }
            m.member.severe_disability |= om.member.severe_disability;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_headers_have_roles() {
        assert_eq!(role(&key("致贫/返贫风险1")), Some(Role::Risk));
        assert_eq!(role(&key("致贫/返贫风险（5）")), Some(Role::Risk));
        assert_eq!(role(&key("风险是否已消除")), Some(Role::Eliminated));
        assert_eq!(role(&key("金融帮扶")), Some(Role::Measure(2)));
        assert_eq!(role(&key("证件号码")), Some(Role::Id));
        assert_eq!(role(&key("识别监测时间")), Some(Role::Field(Field::MonitoredSince)));
        assert_eq!(role(&key("人均纯收入（元）")), Some(Role::Field(Field::PerCapita)));
        assert_eq!(role(&key("劳动技能")), Some(Role::Field(Field::Labour)));
        assert_eq!(role(&key("民族")), None);
        assert_eq!(role(&key("因自然灾害子项")), None);
    }

    #[test]
    fn elimination_words() {
        assert_eq!(parse_eliminated("是"), Some(true));
        assert_eq!(parse_eliminated("风险已消除"), Some(true));
        assert_eq!(parse_eliminated("未消除"), Some(false));
        assert_eq!(parse_eliminated("否"), Some(false));
        assert_eq!(parse_eliminated("不知道"), None);
    }
}
