//! Writing a synthetic workspace in the input layouts villages hand in.

use super::{GenError, Layout, Synthetic, VillageData};
use crate::model::{Dataset, Household, Member, Money, Problem, Procedure, Stage, Visit};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

const HOUSEHOLD_HEADERS: &[&str] = &[
    "乡镇",
    "行政村",
    "村民小组",
    "户编号",
    "户主姓名",
    "户主证件号码",
    "联系电话",
    "户类型",
    "监测对象类型",
    "家庭人口数",
    "工资性收入",
    "生产经营性收入",
    "财产性收入",
    "转移性收入",
    "生产经营性支出",
    "家庭人均纯收入",
    "上年人均纯收入",
    "风险类型",
    "两不愁三保障及饮水安全是否达标",
    "是否整户无劳动能力",
    "排除情形",
    "重点群体",
    "帮扶责任人",
    "备注",
];
const MEMBER_HEADERS: &[&str] = &[
    "姓名",
    "证件号码",
    "与户主关系",
    "性别",
    "劳动能力",
    "健康状况",
    "在校生状况",
    "是否重度残疾",
];
const PROCEDURE_HEADERS: &[&str] = &[
    "户编号",
    "程序类型",
    "线索来源",
    "风险消除方式",
    "收入达标起始日期",
    "备注",
];
const MEASURE_HEADERS: &[&str] = &["户编号", "措施类别", "具体措施", "落实日期"];
const PROBLEM_HEADERS: &[&str] = &[
    "序号",
    "乡镇",
    "村",
    "户编号",
    "户主姓名",
    "问题层级",
    "问题类型",
    "具体内容",
    "整改措施",
    "责任人",
    "责任单位",
    "整改时限",
    "整改状态",
    "完成日期",
    "整改成效",
];
const MILESTONE_HEADERS: &[&str] = &["单位", "节点", "完成日期"];
const VISIT_HEADERS: &[&str] = &["户编号", "类型", "日期", "结论"];

/// The stage columns written in 程序 sheets, in procedure order.
const STAGES: &[Stage] = &[
    Stage::LeadFound,
    Stage::HomeVisit,
    Stage::Commitment,
    Stage::DataMatch,
    Stage::VillageReview,
    Stage::PublicityStart,
    Stage::PublicityEnd,
    Stage::TownshipReview,
    Stage::CountyApproval,
    Stage::ResultNotice,
    Stage::Recorded,
    Stage::HelperAssigned,
    Stage::FirstVisit,
    Stage::AidPlan,
];

/// One cell as a village clerk would type it.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_deref().map(text).unwrap_or(Cell::Empty)
}

fn money(m: Option<Money>) -> Cell {
    m.map(|m| Cell::Number(m.as_yuan_f64())).unwrap_or(Cell::Empty)
}

fn date(d: Option<NaiveDate>) -> Cell {
    d.map(Cell::Date).unwrap_or(Cell::Empty)
}

fn yes_no(b: bool) -> Cell {
    text(if b { "是" } else { "否" })
}

fn household_cells(h: &Household) -> Vec<Cell> {
    vec![
        text(&h.township),
        text(&h.village),
        text(&h.group),
        text(&h.id),
        text(&h.head_name),
        text(&h.head_id),
        opt_text(&h.phone),
        text(h.kind.label()),
        h.monitor_category.map(|c| text(c.label())).unwrap_or(Cell::Empty),
        Cell::Number(f64::from(h.size)),
        money(h.income.wage),
        money(h.income.business),
        money(h.income.property),
        money(h.income.transfer),
        money(h.income.business_cost),
        money(h.income.per_capita),
        money(h.income.last_year_per_capita),
        text(h.risks.join("、")),
        h.basic_needs_met.map(yes_no).unwrap_or(Cell::Empty),
        yes_no(h.no_labour_household),
        text(h.exclusions.join("、")),
        text(h.key_groups.join("、")),
        opt_text(&h.helper),
        opt_text(&h.note),
    ]
}

fn member_cells(m: &Member) -> Vec<Cell> {
    vec![
        text(&m.name),
        text(&m.id),
        text(&m.relation),
        m.sex.map(|s| text(s.label())).unwrap_or(Cell::Empty),
        m.labour.map(|l| text(l.label())).unwrap_or(Cell::Empty),
        opt_text(&m.health),
        opt_text(&m.schooling),
        yes_no(m.severe_disability),
    ]
}

fn procedure_cells(p: &Procedure) -> Vec<Cell> {
    let mut v = vec![
        text(&p.household_id),
        text(p.kind.label()),
        opt_text(&p.lead_source),
        opt_text(&p.elimination_mode),
        date(p.income_ok_since),
        opt_text(&p.note),
    ];
    v.extend(STAGES.iter().map(|s| date(p.date(*s))));
    v
}

fn problem_cells(p: &Problem) -> Vec<Cell> {
    vec![
        p.seq.map(|s| Cell::Number(f64::from(s))).unwrap_or(Cell::Empty),
        text(&p.township),
        opt_text(&p.village),
        opt_text(&p.household_id),
        opt_text(&p.head_name),
        text(p.level.label()),
        text(p.kind.label()),
        text(&p.content),
        text(&p.measure),
        text(&p.person),
        text(&p.unit),
        date(p.deadline),
        p.status.map(|s| text(s.label())).unwrap_or(Cell::Empty),
        date(p.done),
        opt_text(&p.effect),
    ]
}

fn visit_cells(v: &Visit) -> Vec<Cell> {
    vec![
        text(&v.household_id),
        text(v.kind.label()),
        Cell::Date(v.date),
        opt_text(&v.conclusion),
    ]
}

fn procedure_headers() -> Vec<&'static str> {
    PROCEDURE_HEADERS
        .iter()
        .copied()
        .chain(STAGES.iter().map(|s| s.label()))
        .collect()
}

/// Write every file of the workspace; returns the paths written.
/// The files [`write_workspace`] writes, in the same order.
pub fn planned_files(syn: &Synthetic, out: &Path) -> Vec<PathBuf> {
    let dir = out.join("村级数据");
    let mut files = vec![out.join("campaign.yaml")];
    for v in &syn.villages {
        files.push(village_file(&dir, v));
    }
    files.push(out.join(format!("{}面上问题与工作进度.xlsx", syn.township)));
    files
}

fn village_file(dir: &Path, v: &VillageData) -> PathBuf {
    match v.layout {
        Layout::Yaml => dir.join(format!("{}.yaml", v.name)),
        _ => dir.join(format!("{}.xlsx", v.name)),
    }
}

pub fn write_workspace(syn: &Synthetic, out: &Path) -> Result<Vec<PathBuf>, GenError> {
    std::fs::create_dir_all(out).map_err(|source| GenError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let campaign = out.join("campaign.yaml");
    write_file(&campaign, campaign_yaml(syn).as_bytes())?;
    files.push(campaign);
    let dir = out.join("村级数据");
    std::fs::create_dir_all(&dir).map_err(|source| GenError::Io {
        path: dir.clone(),
        source,
    })?;
    for v in &syn.villages {
        let path = village_file(&dir, v);
        let bytes = match v.layout {
            Layout::Yaml => village_yaml(v).into_bytes(),
            Layout::MergedSheet => xlsx(&path, |wb| merged_village(wb, v))?,
            Layout::TwoSheets => xlsx(&path, |wb| two_sheet_village(wb, v))?,
        };
        write_file(&path, &bytes)?;
        files.push(path);
    }
    let path = out.join(format!("{}面上问题与工作进度.xlsx", syn.township));
    let bytes = xlsx(&path, |wb| township_workbook(wb, syn))?;
    write_file(&path, &bytes)?;
    files.push(path);
    Ok(files)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), GenError> {
    crate::atomic::write(path, bytes).map_err(|source| GenError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn xlsx(path: &Path, fill: impl FnOnce(&mut Workbook) -> Result<(), XlsxError>) -> Result<Vec<u8>, GenError> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps generated files byte-identical across runs.
    let props = rust_xlsxwriter::DocProperties::new()
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1).map_err(|e| xerr(path, e))?);
    wb.set_properties(&props);
    fill(&mut wb).map_err(|e| xerr(path, e))?;
    wb.save_to_buffer().map_err(|e| xerr(path, e))
}

fn xerr(path: &Path, e: XlsxError) -> GenError {
    GenError::Xlsx {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

struct Formats {
    title: Format,
    header: Format,
    cell: Format,
    date: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    Formats {
        title: Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center),
        header: base
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color("#DDEBF7"),
        cell: base.clone().set_num_format("@"),
        date: base.set_num_format("yyyy\"年\"m\"月\"d\"日\""),
    }
}

fn put(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string_with_format(row, col, s, &f.cell)?,
        Cell::Number(n) => ws.write_number_with_format(row, col, *n, &f.cell)?,
        Cell::Date(d) => ws.write_datetime_with_format(row, col, *d, &f.date)?,
        Cell::Empty => ws.write_blank(row, col, &f.cell)?,
    };
    Ok(())
}

/// A sheet with a title row, a 填报单位 row, the header row and one row per record.
fn table_sheet(
    wb: &mut Workbook,
    name: &str,
    title: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<(), XlsxError> {
    let f = formats();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let last = (headers.len() as u16).saturating_sub(1);
    ws.merge_range(0, 0, 0, last, title, &f.title)?;
    ws.write_string(1, 0, "填报单位（盖章）：")?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).clamp(8.0, 24.0))?;
    }
    for (r, cells) in rows.enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            put(ws, r as u32 + 3, c as u16, cell, &f)?;
        }
    }
    ws.set_freeze_panes(3, 0)?;
    Ok(())
}

fn common_sheets(wb: &mut Workbook, village: &str, data: &Dataset) -> Result<(), XlsxError> {
    if !data.procedures.is_empty() {
        let h = procedure_headers();
        table_sheet(
            wb,
            "程序",
            &format!("{village}监测对象识别与风险消除程序台账"),
            &h,
            data.procedures.iter().map(procedure_cells),
        )?;
    }
    if !data.measures.is_empty() {
        let rows = data
            .measures
            .iter()
            .map(|m| vec![text(&m.household_id), text(&m.category), text(&m.detail), date(m.date)]);
        table_sheet(
            wb,
            "帮扶措施",
            &format!("{village}帮扶措施落实情况"),
            MEASURE_HEADERS,
            rows,
        )?;
    }
    if !data.problems.is_empty() {
        table_sheet(
            wb,
            "问题",
            &format!("{village}排查发现问题清单"),
            PROBLEM_HEADERS,
            data.problems.iter().map(problem_cells),
        )?;
    }
    if !data.milestone_reports.is_empty() {
        let rows = data
            .milestone_reports
            .iter()
            .map(|m| vec![text(&m.unit), text(&m.milestone), date(m.done)]);
        table_sheet(wb, "进度", "集中排查工作进度", MILESTONE_HEADERS, rows)?;
    }
    if !data.visits.is_empty() {
        table_sheet(
            wb,
            "评估遍访",
            &format!("{village}帮扶效果评估及党政主职遍访记录"),
            VISIT_HEADERS,
            data.visits.iter().map(visit_cells),
        )?;
    }
    Ok(())
}

fn two_sheet_village(wb: &mut Workbook, v: &VillageData) -> Result<(), XlsxError> {
    let title = format!("{}防止返贫监测户信息表", v.name);
    table_sheet(
        wb,
        "户",
        &title,
        HOUSEHOLD_HEADERS,
        v.data.households.iter().map(household_cells),
    )?;
    let headers: Vec<&str> = std::iter::once("户编号")
        .chain(MEMBER_HEADERS.iter().copied())
        .collect();
    let rows = v.data.households.iter().flat_map(|h| {
        h.members.iter().map(|m| {
            std::iter::once(text(&m.household_id))
                .chain(member_cells(m))
                .collect::<Vec<_>>()
        })
    });
    table_sheet(wb, "成员", &format!("{}家庭成员信息表", v.name), &headers, rows)?;
    common_sheets(wb, &v.name, &v.data)
}

/// One sheet: household columns vertically merged over the member rows, as the national system exports.
fn merged_village(wb: &mut Workbook, v: &VillageData) -> Result<(), XlsxError> {
    let f = formats();
    // The merged file uses the short aliases clerks type (村, 组).
    let hh_headers: Vec<&str> = HOUSEHOLD_HEADERS
        .iter()
        .map(|h| match *h {
            "行政村" => "村",
            "村民小组" => "组",
            other => other,
        })
        .collect();
    let headers: Vec<&str> = hh_headers
        .iter()
        .copied()
        .chain(MEMBER_HEADERS.iter().copied())
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name("监测户信息")?;
    ws.merge_range(
        0,
        0,
        0,
        headers.len() as u16 - 1,
        &format!("{}防止返贫监测帮扶集中排查农户信息表", v.name),
        &f.title,
    )?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).clamp(8.0, 24.0))?;
    }
    let mut row = 2u32;
    let nh = hh_headers.len() as u16;
    for h in &v.data.households {
        let span = h.members.len().max(1) as u32;
        for (c, cell) in household_cells(h).iter().enumerate() {
            let c = c as u16;
            if span > 1 {
                let s = match cell {
                    Cell::Text(s) => s.clone(),
                    _ => String::new(),
                };
                ws.merge_range(row, c, row + span - 1, c, &s, &f.cell)?;
                if !matches!(cell, Cell::Text(_)) {
                    // Non-text values overwrite the merged range's first cell.
                    put(ws, row, c, cell, &f)?;
                }
            } else {
                put(ws, row, c, cell, &f)?;
            }
        }
        for (k, m) in h.members.iter().enumerate() {
            for (c, cell) in member_cells(m).iter().enumerate() {
                put(ws, row + k as u32, nh + c as u16, cell, &f)?;
            }
        }
        row += span;
    }
    ws.set_freeze_panes(2, 0)?;
    common_sheets(wb, &v.name, &v.data)
}

fn township_workbook(wb: &mut Workbook, syn: &Synthetic) -> Result<(), XlsxError> {
    common_sheets(wb, &syn.township, &syn.township_data)
}

fn yaml_date(d: NaiveDate) -> Value {
    Value::String(format!("{}-{:02}-{:02}", d.year(), d.month(), d.day()))
}

fn cell_value(c: &Cell) -> Option<Value> {
    match c {
        Cell::Text(s) => Some(Value::String(s.clone())),
        Cell::Number(n) => Some(if n.fract() == 0.0 {
            Value::Number((*n as i64).into())
        } else {
            Value::Number((*n).into())
        }),
        Cell::Date(d) => Some(yaml_date(*d)),
        Cell::Empty => None,
    }
}

fn mapping(headers: &[&str], cells: &[Cell]) -> Mapping {
    let mut m = Mapping::new();
    for (h, c) in headers.iter().zip(cells) {
        if let Some(v) = cell_value(c) {
            m.insert(Value::String((*h).to_string()), v);
        }
    }
    m
}

fn village_yaml(v: &VillageData) -> String {
    let mut root = Mapping::new();
    let households: Vec<Value> = v
        .data
        .households
        .iter()
        .map(|h| {
            let mut m = mapping(HOUSEHOLD_HEADERS, &household_cells(h));
            let members: Vec<Value> = h
                .members
                .iter()
                .map(|x| Value::Mapping(mapping(MEMBER_HEADERS, &member_cells(x))))
                .collect();
            m.insert(Value::String("成员".into()), Value::Sequence(members));
            Value::Mapping(m)
        })
        .collect();
    root.insert("户".into(), Value::Sequence(households));
    let ph = procedure_headers();
    let lists: [(&str, Vec<Value>); 4] = [
        (
            "程序",
            v.data
                .procedures
                .iter()
                .map(|p| Value::Mapping(mapping(&ph, &procedure_cells(p))))
                .collect(),
        ),
        (
            "帮扶措施",
            v.data
                .measures
                .iter()
                .map(|m| {
                    Value::Mapping(mapping(
                        MEASURE_HEADERS,
                        &[text(&m.household_id), text(&m.category), text(&m.detail), date(m.date)],
                    ))
                })
                .collect(),
        ),
        (
            "问题",
            v.data
                .problems
                .iter()
                .map(|p| Value::Mapping(mapping(PROBLEM_HEADERS, &problem_cells(p))))
                .collect(),
        ),
        (
            "评估遍访",
            v.data
                .visits
                .iter()
                .map(|x| Value::Mapping(mapping(VISIT_HEADERS, &visit_cells(x))))
                .collect(),
        ),
    ];
    for (k, list) in lists {
        if !list.is_empty() {
            root.insert(Value::String(k.into()), Value::Sequence(list));
        }
    }
    let body = serde_yaml::to_string(&Value::Mapping(root)).unwrap_or_default();
    format!(
        "# {}防止返贫监测帮扶集中排查数据（模拟数据，人员均为虚构）\n{body}",
        v.name
    )
}

/// `campaign.yaml` for the synthetic township.
fn campaign_yaml(syn: &Synthetic) -> String {
    let as_of = syn.as_of;
    let year = as_of.year();
    let cn = |d: NaiveDate| format!("{}-{:02}-{:02}", d.year(), d.month(), d.day());
    let mut s = String::new();
    s.push_str("# 集中排查活动设置（模拟数据：乡镇、村和人员均为虚构）\n");
    s.push_str(&format!("名称: {year}年第二季度防止返贫监测帮扶集中排查\n"));
    s.push_str(&format!("年度: {year}\n"));
    s.push_str(&format!("地区: {{省: 云南省, 县: 青溪县, 乡镇: {}}}\n", syn.township));
    s.push_str(&format!(
        "监测范围: {}            # 元/人·年\n",
        super::MONITORING_LINE_YUAN
    ));
    s.push_str(&format!("统计截止日: {}\n", cn(as_of)));
    s.push_str("发文:\n");
    s.push_str(&format!("  机关: {}人民政府\n", syn.township));
    s.push_str("  代字: 石政发\n");
    s.push_str("  序号: 12\n");
    s.push_str(&format!("  成文日期: {}\n", cn(as_of - chrono::Duration::days(52))));
    s.push_str("  主送: [各村民委员会, 镇直各单位, 各驻村工作队]\n");
    s.push_str("  抄送: [县乡村振兴局, 县防止返贫监测帮扶工作专班]\n");
    s.push_str("  监督电话: 0871-0000000\n");
    s.push_str("时间安排:\n");
    for (name, due, content) in super::milestones(as_of) {
        let unit = if super::TOWNSHIP_MILESTONES.contains(&name) {
            ", 责任单位: 乡镇"
        } else {
            ""
        };
        s.push_str(&format!(
            "  - {{节点: {name}, 截止: {}, 内容: {content}{unit}}}\n",
            cn(due)
        ));
    }
    s
}
