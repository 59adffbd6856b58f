//! Department rosters for 信息比对 (000 §一(一), 004 §二(一)3): 低保, 特困, 持证残疾人, 临时救助,
//! 医疗救助 / 大病, 学生资助 lists from other departments. A roster is a sheet under `部门数据/`
//! (or anywhere, when its file or sheet name gives the kind and it has no 户编号) with 姓名 and
//! 证件号码 columns. Each person is matched to a member by 证件号码, the name as a cross-check.

use super::build::FileData;
use super::excel::{MergeIndex, is_blank, is_footer, to_cell};
use super::fields::normalize_header;
use super::record::{Cell, Source};
use super::values::{
    find_date, parse_disability_category, parse_disability_grade, parse_partial_date, partial_date_from_number,
    split_certificate, trim, validate_id,
};
use crate::model::{
    Dataset, Diagnostic, Disability, PartialDate, Place, ProcedureKind, RosterEntry, RosterKind, Stage,
};
use calamine::{Data, Range};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A roster person before matching (the entry's `household_id` is filled by [`link`]).
pub type PendingRoster = RosterEntry;

/// The folder department rosters are put in.
pub const ROSTER_FOLDER: &str = "部门数据";

const HEADER_SCAN_ROWS: u32 = 12;

const NAME_HEADERS: &[&str] = &[
    "姓名",
    "成员姓名",
    "家庭成员姓名",
    "救助对象姓名",
    "保障对象姓名",
    "特困人员姓名",
    "残疾人姓名",
    "学生姓名",
    "对象姓名",
    "享受人姓名",
];
const ID_HEADERS: &[&str] = &[
    "证件号码",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "身份证",
    "证件号",
    "残疾人证号",
    "残疾证号",
    "成员身份证号",
    "成员身份证号码",
    "成员证件号码",
    "学生身份证号",
    "救助对象身份证号",
    "保障对象身份证号",
];
const SINCE_HEADERS: &[&str] = &[
    "审批时间",
    "审批日期",
    "纳入时间",
    "纳入日期",
    "认定时间",
    "认定日期",
    "批准时间",
    "批准日期",
    "救助时间",
    "救助日期",
    "保障起始时间",
    "享受时间",
    "开始享受时间",
    "享受起始时间",
    "备案时间",
    "资助时间",
    "发证日期",
    "发证时间",
];
const CATEGORY_HEADERS: &[&str] = &["残疾类别", "残疾类型"];
const GRADE_HEADERS: &[&str] = &["残疾等级", "残疾级别"];
/// Words of a title or query row that introduce the roster's export date.
const DATE_WORDS: &[&str] = &["导出", "查询", "统计", "截至", "截止", "打印", "时间", "日期"];

/// The kind a file or sheet name gives, if any.
pub fn kind_of(name: &str) -> Option<RosterKind> {
    const WORDS: &[(&str, RosterKind)] = &[
        ("特困", RosterKind::Tekun),
        ("低保", RosterKind::Dibao),
        ("残疾", RosterKind::Disability),
        ("残联", RosterKind::Disability),
        ("临时救助", RosterKind::TemporaryAid),
        ("医疗救助", RosterKind::MedicalAid),
        ("大病", RosterKind::MedicalAid),
        ("学生", RosterKind::Student),
        ("资助", RosterKind::Student),
    ];
    // The word written first wins (低保边缘 … is a 低保 list).
    WORDS
        .iter()
        .filter_map(|(w, k)| name.find(w).map(|at| (at, *k)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, k)| k)
}

fn in_roster_folder(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|part| part == ROSTER_FOLDER)
}

/// A recognised roster sheet.
pub struct RosterHeader {
    kind: Option<RosterKind>,
    row: u32,
    name: u32,
    id: u32,
    since: Option<u32>,
    category: Option<u32>,
    grade: Option<u32>,
    unused: Vec<(u32, String)>,
    listed_on: Option<NaiveDate>,
}

/// A roster sheet: under `部门数据/`, or a sheet whose file or sheet name gives a roster kind and
/// whose header (姓名 + 证件号码) has no 户编号 (a village's own 成员 sheet always has one).
pub fn detect(src: &Source, range: &Range<Data>) -> Option<RosterHeader> {
    let in_folder = in_roster_folder(&src.file);
    let file_name = src.file.rsplit('/').next().unwrap_or(&src.file);
    let kind = src.sheet.as_deref().and_then(kind_of).or_else(|| kind_of(file_name));
    if !in_folder && kind.is_none() {
        return None;
    }
    let (start, end) = (range.start()?, range.end()?);
    let last_scan = end.0.min(start.0 + HEADER_SCAN_ROWS);
    for row in start.0..=last_scan {
        let mut cells: Vec<(u32, String, String)> = Vec::new();
        for col in start.1..=end.1 {
            if let Some(Data::String(s)) = range.get_value((row, col))
                && !trim(s).is_empty()
            {
                cells.push((col, s.clone(), normalize_header(s)));
            }
        }
        let find = |names: &[&str]| cells.iter().find(|c| names.contains(&c.2.as_str())).map(|c| c.0);
        let (Some(name), Some(id)) = (find(NAME_HEADERS), find(ID_HEADERS)) else {
            continue;
        };
        let has_household_id = cells
            .iter()
            .any(|c| matches!(c.2.as_str(), "户编号" | "户号" | "户编码" | "家庭编号" | "农户编号"));
        if has_household_id && !in_folder {
            return None;
        }
        let since = find(SINCE_HEADERS);
        let category = find(CATEGORY_HEADERS);
        let grade = find(GRADE_HEADERS);
        let used = [Some(name), Some(id), since, category, grade];
        let unused = cells
            .iter()
            .filter(|c| !used.contains(&Some(c.0)))
            .map(|c| (c.0, super::limits::clip(trim(&c.1))))
            .collect();
        // The export date: a title or query row above the header, else the file name.
        let mut listed_on = None;
        for r in start.0..row {
            for col in start.1..=end.1 {
                if let Some(Data::String(s)) = range.get_value((r, col))
                    && DATE_WORDS.iter().any(|w| s.contains(w))
                    && let Some(d) = find_date(s)
                {
                    listed_on = listed_on.or(Some(d));
                }
            }
        }
        let listed_on = listed_on.or_else(|| find_date(file_name));
        return Some(RosterHeader {
            kind,
            row,
            name,
            id,
            since,
            category,
            grade,
            unused,
            listed_on,
        });
    }
    None
}

fn value<'r>(range: &'r Range<Data>, merges: &MergeIndex, row: u32, col: u32) -> &'r Data {
    let d = range.get_value((row, col)).unwrap_or(&Data::Empty);
    if is_blank(d)
        && let Some(top) = merges.anchor(row, col)
    {
        return range.get_value((top, col)).unwrap_or(&Data::Empty);
    }
    d
}

fn text(d: &Data) -> Option<String> {
    let t = to_cell(d).display();
    (!t.is_empty()).then_some(t)
}

/// Reads one roster sheet into `data.rosters`; problems are warnings (the roster is another
/// department's list, not the township's input).
pub fn read_roster(src: &Source, range: &Range<Data>, merges: &MergeIndex, h: &RosterHeader, data: &mut FileData) {
    let file = src.file.clone();
    let sheet = src.sheet.clone().unwrap_or_default();
    let Some(kind) = h.kind else {
        data.diagnostics.push(Diagnostic::warning(
            Place::sheet(file, sheet),
            "",
            "",
            format!("这是“{ROSTER_FOLDER}”中的名单，但从文件名和工作表名看不出是哪类名单，未参与信息比对"),
            "在文件名或工作表名中写明名单类别：低保、特困、残疾、临时救助、医疗救助（大病）或学生资助",
        ));
        return;
    };
    if !h.unused.is_empty() {
        let names: Vec<&str> = h.unused.iter().map(|(_, t)| t.as_str()).collect();
        data.diagnostics.push(Diagnostic::warning(
            Place::cell(file.clone(), sheet.clone(), h.row, h.unused[0].0),
            "",
            "",
            format!(
                "{}名单中有{}列信息比对用不到，未使用的列：{}",
                kind.label(),
                names.len(),
                names.join("、")
            ),
            "无需处理；信息比对只用姓名、证件号码、审批（纳入）时间和残疾类别等级",
        ));
    }
    if let Some(d) = h.listed_on {
        data.roster_dates
            .push((d, Place::cell(file.clone(), sheet.clone(), h.row, h.name)));
    }
    let end_row = range.end().map_or(0, |e| e.0);
    let mut caps = super::limits::FileCaps::default();
    let mut rows = 0usize;
    let cols = [Some(h.name), Some(h.id), h.since, h.category, h.grade];
    for row in h.row + 1..=end_row {
        let blank = cols
            .iter()
            .flatten()
            .all(|&c| range.get_value((row, c)).is_none_or(is_blank));
        if blank || is_footer(range, row) {
            continue;
        }
        if let Some((message, fix)) = caps.check(data.rows + rows, &data.diagnostics) {
            data.diagnostics.push(Diagnostic::error(
                Place::cell(file.clone(), sheet.clone(), row, h.name),
                "",
                "",
                message,
                fix,
            ));
            break;
        }
        rows += 1;
        let at = |col: u32| Place::cell(file.clone(), sheet.clone(), row, col);
        let warn = |data: &mut FileData, col: u32, field: &str, v: String, message: String, fix: &str| {
            data.diagnostics
                .push(Diagnostic::warning(at(col), field, v, message, fix));
        };
        let name = text(value(range, merges, row, h.name)).map(|n| super::values::normalize_name(&n));
        let id_cell = value(range, merges, row, h.id);
        let raw_id = match id_cell {
            Data::Float(x) => {
                warn(
                    data,
                    h.id,
                    "证件号码",
                    super::values::excel_general_number(*x),
                    format!(
                        "{}名单的证件号码存成了数字，后几位已经丢失，此人未参与信息比对",
                        kind.label()
                    ),
                    "请提供名单的部门把证件号码列设为“文本”后重新导出",
                );
                continue;
            }
            d => text(d),
        };
        let Some(raw_id) = raw_id else {
            warn(
                data,
                h.id,
                "证件号码",
                String::new(),
                format!("{}名单此行没有证件号码，未参与信息比对", kind.label()),
                "向提供名单的部门核实此人的证件号码",
            );
            continue;
        };
        let (id18, suffix) = split_certificate(&raw_id);
        let info = match validate_id(&id18) {
            Ok(i) => i,
            Err(e) => {
                warn(
                    data,
                    h.id,
                    "证件号码",
                    raw_id.clone(),
                    format!("{}（{}名单），此人未参与信息比对", e, kind.label()),
                    "向提供名单的部门核实此人的证件号码",
                );
                continue;
            }
        };
        let since = h.since.and_then(|c| {
            let d = value(range, merges, row, c);
            let parsed = match to_cell(d) {
                Cell::Empty => return None,
                Cell::Text(t) if trim(&t).is_empty() => return None,
                Cell::Date(day) => Ok(PartialDate::Day(day)),
                Cell::Int(i) => partial_date_from_number(i as f64),
                Cell::Float(x) => partial_date_from_number(x),
                Cell::Text(t) => parse_partial_date(&t),
                _ => Err(super::values::DateError::Format),
            };
            match parsed {
                Ok(p) => Some(p),
                Err(e) => {
                    let shown = to_cell(d).display();
                    warn(
                        data,
                        c,
                        "审批时间",
                        shown,
                        format!("{e}，此人的审批（纳入）时间未读取"),
                        "写成日期（如 2024-05-11）或年月（如 202304）",
                    );
                    None
                }
            }
        });
        let from_suffix = suffix.and_then(Result::ok);
        let category = h
            .category
            .and_then(|c| text(value(range, merges, row, c)))
            .and_then(|t| parse_disability_category(&t).map(str::to_string))
            .or_else(|| from_suffix.as_ref().and_then(|d| d.category.clone()));
        let grade = h
            .grade
            .and_then(|c| text(value(range, merges, row, c)))
            .and_then(|t| parse_disability_grade(&t))
            .or_else(|| from_suffix.as_ref().and_then(|d| d.grade));
        let disability = (category.is_some() || grade.is_some()).then_some(Disability { category, grade });
        data.rosters.push(RosterEntry {
            kind,
            name: name.unwrap_or_default(),
            id: info.normalized,
            since,
            disability,
            household_id: None,
            place: at(h.name),
        });
    }
    data.rows += rows;
}

/// Matches every roster person to a member by 证件号码 (name as a cross-check); sets members'
/// disability from 残疾 rosters; lists people found in no household.
pub fn link(data: &mut Dataset, entries: Vec<RosterEntry>, diags: &mut Vec<Diagnostic>) {
    let mut index: HashMap<String, (usize, usize)> = HashMap::new();
    for (hi, h) in data.households.iter().enumerate() {
        for (mi, m) in h.members.iter().enumerate() {
            if !m.id.is_empty() {
                index.entry(m.id.clone()).or_insert((hi, mi));
            }
        }
    }
    let mut out = Vec::with_capacity(entries.len());
    for mut e in entries {
        match index.get(&e.id) {
            Some(&(hi, mi)) => {
                let h = &mut data.households[hi];
                e.household_id = Some(h.id.clone());
                let m = &mut h.members[mi];
                if !e.name.is_empty() && !m.name.is_empty() && e.name != m.name {
                    diags.push(Diagnostic::warning(
                        e.place.clone(),
                        "姓名",
                        e.name.clone(),
                        format!(
                            "{}名单上的姓名“{}”与证件号码相同的户 {} 成员“{}”（{}）不一致",
                            e.kind.label(),
                            e.name,
                            h.id,
                            m.name,
                            m.place
                        ),
                        "核对姓名和证件号码：名单有误请告知提供名单的部门，成员表有误请改正成员表",
                    ));
                }
                if let Some(d) = &e.disability {
                    let better = match &m.disability {
                        None => true,
                        Some(old) => old.grade.is_none() && d.grade.is_some(),
                    };
                    if better {
                        m.disability = Some(d.clone());
                    }
                    m.severe_disability |= d.is_severe();
                }
            }
            None => diags.push(Diagnostic::warning(
                e.place.clone(),
                "证件号码",
                e.id.clone(),
                format!(
                    "{}名单中的“{}”（证件号码 {}）不在任何户的成员中",
                    e.kind.label(),
                    e.name,
                    e.id
                ),
                "核实此人：如是本乡镇农户家庭成员，请补录到该户成员中；如不属本乡镇，可不处理",
            )),
        }
        out.push(e);
    }
    data.rosters = out;
}

/// Stages of 识别纳入 that come before / after 信息比对.
const BEFORE: &[Stage] = &[Stage::LeadFound, Stage::HomeVisit, Stage::Commitment];
const AFTER: &[Stage] = &[
    Stage::VillageReview,
    Stage::PublicityStart,
    Stage::PublicityEnd,
    Stage::TownshipReview,
    Stage::CountyApproval,
    Stage::ResultNotice,
    Stage::Recorded,
];

/// Gives an open 识别纳入 case (not yet 县级审批) without a 信息比对 date the date of the roster
/// comparison: campaign.yaml's 信息比对日期, else the latest export date of the rosters read.
/// Each case so dated gets a warning saying where the date comes from.
pub fn fill_data_match(
    data: &mut Dataset,
    setting: Option<NaiveDate>,
    dates: &[(NaiveDate, Place)],
    diags: &mut Vec<Diagnostic>,
) {
    if data.rosters.is_empty() {
        return;
    }
    let source = match (setting, dates.iter().max_by_key(|(d, _)| *d)) {
        (Some(d), _) => Some((d, "campaign.yaml 的“信息比对日期”".to_string())),
        (None, Some((d, p))) => Some((*d, format!("部门名单（{p}）的导出日期"))),
        (None, None) => None,
    };
    let open = |p: &crate::model::Procedure| {
        p.kind == ProcedureKind::Identification
            && p.date(Stage::DataMatch).is_none()
            && p.date(Stage::CountyApproval).is_none()
    };
    let Some((date, from)) = source else {
        if data.procedures.iter().any(open) {
            diags.push(Diagnostic::warning(
                Place::file(super::CAMPAIGN_FILE),
                "信息比对日期",
                "",
                "已读取部门名单，但名单上没有导出日期，未填写信息比对日期的识别纳入程序无法取得比对日期",
                "在 campaign.yaml 中写上 信息比对日期: 2024-06-05（实际比对部门名单的日期）",
            ));
        }
        return;
    };
    for p in data.procedures.iter_mut().filter(|p| open(p)) {
        let before = BEFORE.iter().filter_map(|s| p.date(*s)).max();
        let after = AFTER.iter().filter_map(|s| p.date(*s)).min();
        let fits = before.is_none_or(|b| date >= b) && after.is_none_or(|a| date <= a);
        let shown = crate::model::date_zh(date);
        if fits {
            p.stages.insert(Stage::DataMatch, date);
            diags.push(Diagnostic::warning(
                p.place.clone(),
                Stage::DataMatch.label(),
                shown.clone(),
                format!("程序表中没有填写信息比对日期，已取{from}：{shown}"),
                "如实际比对日期不同，请在程序表的「信息比对」列填写",
            ));
        } else {
            diags.push(Diagnostic::warning(
                p.place.clone(),
                Stage::DataMatch.label(),
                shown.clone(),
                format!("{from}为{shown}，与本程序其他环节的日期先后不符，未用作信息比对日期"),
                "在程序表的「信息比对」列填写实际比对日期",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(kind_of("农村低保备案表.xls"), Some(RosterKind::Dibao));
        assert_eq!(kind_of("城乡特困人员备案表.xlsx"), Some(RosterKind::Tekun));
        assert_eq!(kind_of("持证残疾人名单.xlsx"), Some(RosterKind::Disability));
        assert_eq!(kind_of("大病患者名单"), Some(RosterKind::MedicalAid));
        assert_eq!(kind_of("学生资助名单"), Some(RosterKind::Student));
        assert_eq!(kind_of("芒洪村"), None);
        assert!(in_roster_folder("部门数据/民政/低保.xlsx"));
        assert!(!in_roster_folder("部门数据.xlsx"));
    }
}
