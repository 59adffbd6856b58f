//! Blank input workbook for villages (`fangpin template`): the 户, 成员, 程序, 帮扶措施, 问题,
//! 进度 and 评估遍访 sheets with the canonical headers of the ingest alias table, a drop-down on every
//! vocabulary column, date validation and date format on date columns, text format on ID and
//! phone columns, an input message on every header, and a 填写说明 sheet. Filled in, it reads
//! back through `fangpin check` without a problem.

use super::failed;
use super::sheet::{self, DATE_FORMAT, FONT, colour, text_width};
use crate::ingest::{Field, SheetKind};
use crate::model::{LabourCapacity, ProblemLevel, ProcedureKind, RectificationStatus, RulesFile, VocabEntry};
use crate::render::RenderError;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder, Formula,
    Worksheet, XlsxError,
};

pub const DOCUMENT: &str = "村级数据填报模板";
pub const FILE_NAME: &str = "村级数据填报模板.xlsx";
pub const GUIDE_SHEET: &str = "填写说明";
/// Holds drop-down lists too long for Excel's 255-character inline limit (only when a
/// province's rules.yaml extends a vocabulary that far).
pub const LISTS_SHEET: &str = "下拉选项";
/// Data rows covered by validation and column formats.
pub const DATA_ROWS: u32 = 3000;

/// One input sheet of the template.
pub struct TemplateSheet {
    pub name: &'static str,
    pub kind: SheetKind,
    pub fields: Vec<Field>,
}

/// The input sheets and their columns, in DESIGN.md §3 order.
pub fn sheets() -> Vec<TemplateSheet> {
    use Field::*;
    let mut procedure = vec![HouseholdId, ProcKind, LeadSource, EliminationMode];
    procedure.extend(crate::model::Stage::ALL.iter().map(|s| Field::Stage(*s)));
    procedure.extend([IncomeOkSince, Note]);
    vec![
        TemplateSheet {
            name: "户",
            kind: SheetKind::Household,
            fields: vec![
                Township,
                Village,
                Group,
                HouseholdId,
                HeadName,
                HeadId,
                Phone,
                HouseholdType,
                MonitorCategory,
                Size,
                Wage,
                Business,
                Property,
                Transfer,
                BusinessCost,
                PerCapita,
                LastYear,
                Risks,
                BasicNeeds,
                NoLabour,
                Exclusions,
                KeyGroups,
                Helper,
                IncomeOkSince,
                Note,
            ],
        },
        TemplateSheet {
            name: "成员",
            kind: SheetKind::Member,
            fields: vec![
                HouseholdId,
                Name,
                IdNumber,
                Relation,
                Sex,
                Labour,
                Health,
                Schooling,
                SevereDisability,
            ],
        },
        TemplateSheet {
            name: "程序",
            kind: SheetKind::Procedure,
            fields: procedure,
        },
        TemplateSheet {
            name: "帮扶措施",
            kind: SheetKind::Measure,
            fields: vec![HouseholdId, MeasureCategory, MeasureDetail, MeasureDate],
        },
        TemplateSheet {
            name: "问题",
            kind: SheetKind::Problem,
            fields: vec![
                Seq,
                Township,
                Village,
                HouseholdId,
                HeadName,
                Level,
                ProblemType,
                Content,
                Rectification,
                Person,
                Unit,
                Deadline,
                Status,
                Done,
                Effect,
            ],
        },
        TemplateSheet {
            name: "进度",
            kind: SheetKind::Milestone,
            fields: vec![ReportUnit, Milestone, Done],
        },
        TemplateSheet {
            name: "评估遍访",
            kind: SheetKind::Visit,
            fields: vec![HouseholdId, HeadName, VisitType, VisitDate, Conclusion],
        },
    ]
}

/// The header written for a field. The 问题 sheet says 村 as 002's ledger does; everything else
/// uses the alias table's canonical label.
pub fn header(kind: SheetKind, f: Field) -> &'static str {
    match (kind, f) {
        (SheetKind::Problem, Field::Village) => "村",
        _ => f.label(),
    }
}

/// Whether a sheet cannot do without the column (alternatives count as required).
pub fn is_required(kind: SheetKind, f: Field) -> bool {
    kind.required().iter().any(|alts| alts.first() == Some(&f))
}

/// What a column accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// One value from the list.
    List(Vec<String>),
    /// Several values from the list, separated by 、 (the drop-down offers one at a time).
    Multi(Vec<String>),
    YesNo,
    Date,
    /// 18-character ID number, stored as text.
    IdNumber,
    /// Text that looks like a number but must stay text (户编号, phone).
    Code,
    /// Whole number in range.
    Whole(i32, i32),
    /// Amount in 元, not negative.
    Money,
    /// Free text.
    Text,
}

fn names(entries: &[VocabEntry]) -> Vec<String> {
    entries.iter().map(|e| e.name.clone()).collect()
}

fn labels(l: Vec<&'static str>) -> Vec<String> {
    l.into_iter().map(str::to_string).collect()
}

pub fn check(f: Field, rules: &RulesFile) -> Check {
    use Field::*;
    let v = &rules.vocab;
    match f {
        HouseholdType => Check::List(labels(crate::model::HouseholdType::labels())),
        MonitorCategory => Check::List(labels(crate::model::MonitorCategory::labels())),
        Labour => Check::List(labels(LabourCapacity::labels())),
        Sex => Check::List(labels(crate::model::Sex::labels())),
        ProcKind => Check::List(labels(ProcedureKind::labels())),
        Level => Check::List(labels(ProblemLevel::labels())),
        ProblemType => Check::List(labels(crate::model::ProblemType::labels())),
        Status => Check::List(labels(RectificationStatus::labels())),
        LeadSource => Check::List(names(&v.lead_sources)),
        MeasureCategory => Check::List(v.measure_categories.iter().map(|c| c.name.clone()).collect()),
        EliminationMode => Check::List(vec!["帮扶消除".into(), "自然消除".into()]),
        VisitType => Check::List(
            crate::model::VisitKind::ALL
                .iter()
                .map(|k| k.label().to_string())
                .collect(),
        ),
        Risks => Check::Multi(names(&v.risk_types)),
        Exclusions => Check::Multi(names(&v.exclusions)),
        KeyGroups => Check::Multi(names(&v.key_groups)),
        BasicNeeds | NoLabour | SevereDisability => Check::YesNo,
        Field::Stage(_) | IncomeOkSince | MeasureDate | Deadline | Done | VisitDate => Check::Date,
        HeadId | IdNumber => Check::IdNumber,
        HouseholdId | Phone => Check::Code,
        Size => Check::Whole(1, 50),
        Seq => Check::Whole(1, 1_000_000),
        Wage | Business | Property | Transfer | BusinessCost | PerCapita | LastYear => Check::Money,
        _ => Check::Text,
    }
}

/// The hint shown on the header and while typing in the column (Excel limits it to 255).
pub fn hint(kind: SheetKind, f: Field, c: &Check) -> String {
    use Field::*;
    let what = match f {
        Township => "所属乡镇全称",
        Village => "行政村（嘎查）全称，同一村写法保持一致",
        Group => "村民小组名称，如“一组”",
        HouseholdId => match kind {
            SheetKind::Household => "本户唯一编号（可用系统户编号），其他表靠它对应到户",
            SheetKind::Problem => "户内问题填写户编号或户主姓名；面上问题留空",
            _ => "填写“户”表中已有的户编号",
        },
        HeadName => match kind {
            SheetKind::Visit => "户主姓名，可不填；填了须与户表一致",
            _ => "户主姓名",
        },
        HeadId => "户主18位身份证号，末位X大写",
        Phone => "手机或固定电话",
        HouseholdType => "脱贫户、监测户或一般农户",
        MonitorCategory => "监测户填写：脱贫不稳定户、边缘易致贫户或突发严重困难户",
        Size => "家庭共同生活人口数",
        Wage | Business | Property | Transfer => "近12个月收入，单位元",
        BusinessCost => "近12个月生产经营性支出，单位元",
        PerCapita => "家庭人均纯收入，单位元；已填各项收入时可不填，填了须与计算结果一致（误差1元内）",
        LastYear => "上年家庭人均纯收入，单位元",
        Risks => "主要风险，可多选，用顿号“、”分隔",
        BasicNeeds => "“两不愁三保障”及饮水安全是否全部达标",
        NoLabour => "全家均无劳动能力（兜底保障户）填“是”",
        Exclusions => "属于不得纳入情形的填写，可多选，用“、”分隔；没有留空",
        KeyGroups => "属于核查重点群体的填写，可多选，用“、”分隔",
        Helper => "帮扶责任人姓名",
        IncomeOkSince => "家庭人均纯收入稳定超过监测范围的起始日期",
        Note => "其他需要说明的情况",
        Name => "成员姓名",
        IdNumber => "成员18位身份证号，末位X大写",
        Relation => "与户主关系，如户主、配偶、之子、之女",
        Sex => "男或女",
        Labour => "劳动能力",
        Health => "如健康、长期慢性病、患有大病、残疾",
        Schooling => "如非在校生、小学、初中、高中、大专及以上",
        SevereDisability => "持一、二级残疾证填“是”",
        ProcKind => "识别纳入、风险消除、风险消除回退或清退",
        LeadSource => "自主申报、干部排查或部门预警",
        EliminationMode => "风险消除填写：帮扶消除或自然消除",
        MeasureCategory => "帮扶措施类别",
        MeasureDetail => "具体帮扶内容",
        MeasureDate => "措施落实日期",
        Seq => "问题序号",
        Level => "户内问题选“户内”，面上问题选县级、镇级或村级层面",
        ProblemType => "入户排查表所列问题类型",
        Content => "问题的具体表现",
        Rectification => "针对问题的整改措施",
        Person => "整改责任人",
        Unit => "整改责任单位",
        Deadline => "整改完成时限",
        Status => "已整改、正在整改或逾期未整改",
        Done => match kind {
            SheetKind::Milestone => "本单位完成该节点的日期，未完成留空",
            _ => "实际完成日期，未完成留空",
        },
        Effect => "整改取得的成效",
        ReportUnit => "报送单位（乡镇或村）",
        Milestone => "工作节点名称，与 campaign.yaml 时间安排一致",
        VisitType => "每季度的帮扶效果评估填“帮扶效果评估”，乡镇党委书记或镇长的年度遍访填“遍访”",
        VisitDate => "评估或遍访的日期",
        Conclusion => "评估结论或走访情况，如措施已落实、收入稳定、建议启动风险消除",
        Field::Stage(s) => return format!("{}日期，如 2024-05-11；未到此环节留空", s.label()),
        // Fields added to the alias table later get the generic hint until described here.
        #[allow(unreachable_patterns)]
        _ => "",
    };
    let rule = match c {
        Check::Date => "；日期，如 2024-05-11",
        Check::IdNumber => "；已设为文本格式，请勿改成数值",
        Check::Code => "；已设为文本格式，保留开头的0",
        Check::YesNo => "；填“是”或“否”",
        _ => "",
    };
    let mut s = format!("{what}{rule}");
    if is_required(kind, f) {
        s.push_str("（必填）");
    }
    truncate_utf16(&s, 255)
}

/// Cuts text to Excel's UTF-16 length limits, ending with … when cut.
fn truncate_utf16(s: &str, max: usize) -> String {
    if s.encode_utf16().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut n = 0;
    for ch in s.chars() {
        n += ch.len_utf16();
        if n > max - 1 {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

fn column_width(f: Field, c: &Check, header: &str) -> f64 {
    let base: f64 = match c {
        Check::IdNumber => 22.0,
        Check::Date => 14.0,
        Check::Multi(_) => 22.0,
        Check::Money => 12.0,
        _ => 10.0,
    };
    let wide = matches!(
        f,
        Field::Content | Field::Rectification | Field::Effect | Field::MeasureDetail | Field::Note | Field::Conclusion
    );
    let w = if wide { 30.0 } else { base };
    w.max(text_width(header) + 3.0)
}

/// Lists that do not fit inline are written to the 下拉选项 sheet; this remembers where.
struct Lists {
    columns: Vec<Vec<String>>,
}

impl Lists {
    /// A validation offering `items`: inline when short enough, else a range on the list sheet.
    fn validation(&mut self, items: &[String]) -> Result<DataValidation, XlsxError> {
        let inline_len: usize = items.iter().map(|s| s.encode_utf16().count() + 1).sum();
        if inline_len <= 255 && items.iter().all(|s| !s.contains(',')) {
            return DataValidation::new().allow_list_strings(items);
        }
        let col = crate::model::col_letters(self.columns.len() as u32);
        self.columns.push(items.to_vec());
        let range = format!("='{LISTS_SHEET}'!${col}$1:${col}${}", items.len().max(1));
        Ok(DataValidation::new().allow_list_formula(Formula::new(range)))
    }
}

struct Formats {
    header: Format,
    header_required: Format,
    text: Format,
    date: Format,
    money: Format,
    whole: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_align(FormatAlign::VerticalCenter);
        let header = base
            .clone()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_text_wrap()
            .set_background_color(colour::HEADER_FILL);
        Formats {
            header_required: header.clone().set_font_color(colour::RED_FONT),
            header,
            text: base.clone().set_num_format_index(49),
            date: base.clone().set_num_format(DATE_FORMAT),
            money: base.clone().set_num_format_index(2),
            whole: base.set_num_format_index(1),
        }
    }
}

/// `created` stamps the workbook's creation date (no clock read in the library).
pub fn write(rules: &RulesFile, created: NaiveDate) -> Result<Vec<u8>, RenderError> {
    build(rules, created).map_err(failed(DOCUMENT))
}

fn build(rules: &RulesFile, created: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut wb = sheet::workbook(DOCUMENT, "fangpin", created)?;
    let fm = Formats::new();
    let mut lists = Lists { columns: Vec::new() };
    let sheets = sheets();
    guide(wb.add_worksheet(), rules, &sheets)?;
    for s in &sheets {
        let ws = wb.add_worksheet().set_name(s.name)?;
        input_sheet(ws, s, rules, &fm, &mut lists)?;
    }
    if !lists.columns.is_empty() {
        let ws = wb.add_worksheet().set_name(LISTS_SHEET)?;
        for (c, items) in lists.columns.iter().enumerate() {
            for (r, item) in items.iter().enumerate() {
                ws.write_string(r as u32, c as u16, item)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save_to_buffer()
}

fn input_sheet(
    ws: &mut Worksheet,
    s: &TemplateSheet,
    rules: &RulesFile,
    fm: &Formats,
    lists: &mut Lists,
) -> Result<(), XlsxError> {
    let last = DATA_ROWS;
    for (i, f) in s.fields.iter().enumerate() {
        let col = i as u16;
        let name = header(s.kind, *f);
        let c = check(*f, rules);
        let required = is_required(s.kind, *f);
        ws.write_string_with_format(0, col, name, if required { &fm.header_required } else { &fm.header })?;
        ws.set_column_width(col, column_width(*f, &c, name))?;
        let msg = hint(s.kind, *f, &c);
        let title = truncate_utf16(name, 32);
        // The header cell itself only carries the hint.
        let head = DataValidation::new()
            .allow_any_value()
            .set_input_title(title.as_str())?
            .set_input_message(msg.as_str())?;
        ws.add_data_validation(0, col, 0, col, &head)?;
        let cell_format = match c {
            Check::Date => &fm.date,
            Check::Money => &fm.money,
            Check::Whole(..) => &fm.whole,
            _ => &fm.text,
        };
        ws.set_column_format(col, cell_format)?;
        let v = match &c {
            Check::List(items) => Some(
                lists
                    .validation(items)?
                    .set_error_title("不在可选范围内")?
                    .set_error_message(format!("请从下拉列表中选择{name}。"))?,
            ),
            Check::Multi(items) => Some(
                lists
                    .validation(items)?
                    // Several values joined with 、 are valid input: warn, never block.
                    .set_error_style(DataValidationErrorStyle::Information)
                    .set_error_title("请核对")?
                    .set_error_message("多个值请用顿号“、”分隔，每个值都应是下拉列表中的选项。")?,
            ),
            Check::YesNo => Some(
                DataValidation::new()
                    .allow_list_strings(&["是", "否"])?
                    .set_error_title("请填写是或否")?
                    .set_error_message("本列只能填写“是”或“否”。")?,
            ),
            Check::Date => Some(
                DataValidation::new()
                    .allow_date(DataValidationRule::Between(date(2000, 1, 1), date(2099, 12, 31)))
                    .set_error_title("日期格式不对")?
                    .set_error_message("请输入日期，如 2024-05-11 或 2024/5/11。")?,
            ),
            Check::IdNumber => Some(
                DataValidation::new()
                    .allow_text_length(DataValidationRule::EqualTo(18))
                    .set_error_title("证件号码应为18位")?
                    .set_error_message("请填写18位身份证号，末位X大写；本列为文本格式，请勿改成数值。")?,
            ),
            Check::Whole(lo, hi) => Some(
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(*lo, *hi))
                    .set_error_title("请输入整数")?
                    .set_error_message(format!("请输入{lo}到{hi}之间的整数。"))?,
            ),
            Check::Money => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                    .set_error_title("请输入金额")?
                    .set_error_message("请输入不小于0的金额（元），不要带“元”字。")?,
            ),
            Check::Code | Check::Text => None,
        };
        let v = v.unwrap_or_else(|| DataValidation::new().allow_any_value());
        let v = v.set_input_title(title.as_str())?.set_input_message(msg.as_str())?;
        ws.add_data_validation(1, col, last, col, &v)?;
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_repeat_rows(0, 0)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The 填写说明 sheet: general rules, then every column of every sheet with what it accepts.
fn guide(ws: &mut Worksheet, rules: &RulesFile, sheets: &[TemplateSheet]) -> Result<(), XlsxError> {
    let st = sheet::Styles::new();
    ws.set_name(GUIDE_SHEET)?;
    let title = format!("{DOCUMENT}{GUIDE_SHEET}");
    sheet::span(ws, 0, 0, 0, 3, &title, &st.title)?;
    ws.set_row_height(0, 36)?;
    let general = [
        "一、本模板供各村填报防止返贫监测帮扶集中排查数据，填好后交乡镇，用 fangpin check 核查。每村一个文件，文件名写村名，如“芒洪村.xlsx”。",
        "二、各工作表的第一行是表头，请勿修改或删除；红色表头为必填列。本村没有某类数据的（如没有整改问题），可删除该工作表。",
        "三、“户”表每户一行；“成员”表每人一行（含户主），用户编号对应到户；“程序”表每个办理程序一行，各环节填完成日期；“帮扶措施”表每项措施一行；“问题”表每个整改问题一行；“进度”表每个工作节点一行；“评估遍访”表每次帮扶效果评估或遍访一行。",
        "四、身份证号、户编号、电话所在列已设为文本格式，请直接输入，不要改成数值，否则18位号码会丢失末尾数字。",
        "五、日期请输入真正的日期，如 2024-05-11 或 2024/5/11；未到的环节留空。金额单位为元，只填数字。",
        "六、带下拉箭头的列请从列表中选择；风险类型、排除情形、重点群体可填多个，用顿号“、”分隔。",
        "七、选中表头单元格可看到该列的填写提示。下表列出每一列的要求。",
    ];
    let mut row = 1u32;
    for g in general {
        sheet::span(ws, row, 0, row, 3, g, &st.plain.wrap)?;
        let lines = (text_width(g) / 118.0).ceil().max(1.0) as u32;
        ws.set_row_height(row, sheet::row_height(lines))?;
        row += 1;
    }
    row += 1;
    for (c, h) in ["工作表", "列名（表头）", "是否必填", "填写要求与可选值"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &st.header)?;
    }
    let header_row = row;
    row += 1;
    for s in sheets {
        for f in &s.fields {
            let c = check(*f, rules);
            let mut text = hint(s.kind, *f, &c);
            match &c {
                Check::List(items) => text.push_str(&format!("。可选：{}", items.join("、"))),
                Check::Multi(items) => text.push_str(&format!("。可选（可多选）：{}", items.join("、"))),
                _ => {}
            }
            let required = if is_required(s.kind, *f) { "必填" } else { "" };
            ws.write_string_with_format(row, 0, s.name, &st.plain.center)?;
            ws.write_string_with_format(row, 1, header(s.kind, *f), &st.plain.text)?;
            ws.write_string_with_format(row, 2, required, &st.plain.center)?;
            ws.write_string_with_format(row, 3, &text, &st.plain.wrap)?;
            let lines = (text_width(&text) / 78.0).ceil().max(1.0) as u32;
            if lines > 1 {
                ws.set_row_height(row, sheet::row_height(lines))?;
            }
            row += 1;
        }
    }
    for (c, w) in [(0u16, 10.0), (1, 26.0), (2, 9.0), (3, 80.0)] {
        ws.set_column_width(c, w)?;
    }
    sheet::page_setup(ws, (header_row, header_row), header_row + 1, 0)?;
    ws.set_freeze_panes(0, 0)?;
    ws.set_active(true);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_read_by_its_sheet() {
        for s in sheets() {
            for f in &s.fields {
                assert!(s.kind.allows(*f), "{} 表不读取 {}", s.name, f.label());
                let norm = crate::ingest::normalize_header(header(s.kind, *f));
                assert_eq!(norm, header(s.kind, *f));
            }
            for alts in s.kind.required() {
                assert!(
                    alts.iter().any(|f| s.fields.contains(f)),
                    "{} 表缺少必填列 {:?}",
                    s.name,
                    alts
                );
            }
        }
    }

    #[test]
    fn vocabulary_columns_have_drop_downs() {
        let rules = RulesFile::defaults();
        assert_eq!(
            check(Field::HouseholdType, &rules),
            Check::List(vec!["脱贫户".into(), "监测户".into(), "一般农户".into()])
        );
        match check(Field::Risks, &rules) {
            Check::Multi(items) => assert!(items.contains(&"因病".to_string())),
            other => panic!("风险类型 should be multi, got {other:?}"),
        }
        assert_eq!(
            check(Field::Stage(crate::model::Stage::CountyApproval), &rules),
            Check::Date
        );
        assert_eq!(check(Field::IdNumber, &rules), Check::IdNumber);
        for s in sheets() {
            for f in &s.fields {
                assert!(hint(s.kind, *f, &check(*f, &rules)).encode_utf16().count() <= 255);
            }
        }
    }

    #[test]
    fn long_lists_go_to_the_list_sheet() {
        let mut lists = Lists { columns: Vec::new() };
        let long: Vec<String> = (0..60).map(|i| format!("很长的风险类型{i}")).collect();
        lists.validation(&long).expect("validation");
        assert_eq!(lists.columns.len(), 1);
        lists.validation(&["是".to_string()]).expect("validation");
        assert_eq!(lists.columns.len(), 1);
        assert_eq!(truncate_utf16("一二三四", 3), "一二…");
    }
}
