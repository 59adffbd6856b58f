//! Canonical fields, the header alias table, and sheet-kind recognition.
//!
//! Excel headers and YAML keys go through the same table, so a clerk can use the same words in both.

use super::values::{to_half_width, trim};
use crate::model::Stage;

/// Declares the plain fields with their canonical header and accepted aliases.
macro_rules! fields {
    ($($variant:ident => $label:literal $(| $alias:literal)*),+ $(,)?) => {
        /// A canonical input field (one column / key). Stage date columns are `Field::Stage`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $($variant,)+ Stage(Stage) }

        /// Plain fields in table order (stages not included).
        pub const PLAIN_FIELDS: &[Field] = &[$(Field::$variant),+];

        impl Field {
            /// The canonical header.
            pub fn label(self) -> &'static str {
                match self { $(Field::$variant => $label,)+ Field::Stage(s) => s.label() }
            }

            /// Accepted alternative headers (canonical one excluded).
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$($alias),*],)+ Field::Stage(_) => &[] }
            }
        }
    };
}

fields! {
    Seq => "序号" | "编号",
    Township => "乡镇" | "乡（镇）" | "乡(镇)" | "镇" | "乡" | "乡镇名称" | "所属乡镇" | "苏木乡镇" | "镇名",
    Village => "行政村" | "村" | "村名" | "行政村名称" | "所属村" | "村（社区）" | "村(社区)" | "嘎查" | "嘎查村" | "嘎查（村）",
    Group => "村民小组" | "组" | "小组" | "村民组" | "自然村" | "组别" | "自然村（组）",
    HouseholdId => "户编号" | "户号" | "户编码" | "家庭编号" | "农户编号",
    HeadName => "户主姓名" | "户主" | "户主名",
    HeadId => "户主证件号码" | "户主身份证号" | "户主身份证号码" | "户主身份证" | "户主公民身份号码",
    Phone => "联系电话" | "电话" | "手机号" | "手机号码" | "联系方式" | "户主联系电话",
    HouseholdType => "户类型" | "农户类型" | "户属性" | "户别",
    MonitorCategory => "监测对象类型" | "监测对象类别" | "监测类型" | "监测户类型",
    Size => "家庭人口数" | "家庭人口" | "人口数" | "家庭人数" | "户人口数" | "家庭人口数量",
    Wage => "工资性收入" | "工资收入" | "务工收入",
    Business => "生产经营性收入" | "经营性收入" | "生产经营收入",
    Property => "财产性收入" | "财产收入",
    Transfer => "转移性收入" | "转移收入",
    BusinessCost => "生产经营性支出" | "经营性支出" | "生产经营支出",
    PerCapita => "家庭人均纯收入" | "人均纯收入" | "人均收入" | "家庭年人均纯收入" | "年人均纯收入",
    LastYear => "上年人均纯收入" | "上年度人均纯收入" | "上年人均收入" | "上年家庭人均纯收入",
    TwoYearsAgo => "前年人均纯收入" | "前年度人均纯收入" | "前年家庭人均纯收入",
    Risks => "风险类型" | "风险类别" | "致贫返贫风险" | "返贫致贫风险" | "主要风险" | "风险因素",
    BasicNeeds => "两不愁三保障及饮水安全是否达标" | "两不愁三保障及饮水安全" | "三保障及饮水安全是否达标"
        | "两不愁三保障是否达标" | "三保障和饮水安全是否达标" | "是否达标",
    NoLabour => "是否整户无劳动能力" | "整户无劳动能力" | "是否兜底保障户" | "兜底保障户",
    SanitaryToilet => "是否有卫生厕所" | "有无卫生厕所" | "卫生厕所",
    Exclusions => "排除情形" | "不得纳入情形" | "不予纳入情形",
    KeyGroups => "重点群体" | "重点人群" | "重点核查群体",
    Helper => "帮扶责任人" | "帮扶人" | "结对帮扶责任人",
    IncomeOkSince => "收入达标起始日期" | "收入达标日期" | "收入稳定达标起始日期" | "收入超过监测范围起始日期",
    MonitoredSince => "识别监测时间" | "纳入监测时间" | "纳入监测日期" | "识别监测日期" | "纳入日期",
    EliminatedOn => "消除监测时间" | "风险消除时间" | "风险消除日期" | "消除监测日期",
    Note => "备注",
    Name => "姓名" | "成员姓名" | "家庭成员姓名" | "家庭成员",
    IdNumber => "证件号码" | "身份证号" | "身份证号码" | "身份证" | "公民身份号码" | "成员证件号码" | "成员身份证号" | "成员身份证号码",
    Relation => "与户主关系" | "与户主的关系" | "关系",
    Sex => "性别",
    Labour => "劳动能力" | "劳动技能" | "劳动力状况" | "劳动力",
    Health => "健康状况" | "健康状态",
    Schooling => "在校生状况" | "在校生情况" | "在校情况" | "就学状况" | "在校状况",
    SevereDisability => "是否重度残疾" | "重度残疾" | "是否重残",
    MemberStatus => "成员状态" | "人员状态",
    ProcKind => "程序类型" | "办理程序" | "程序类别",
    LeadSource => "线索来源" | "发现途径" | "线索途径" | "发现方式",
    EliminationMode => "风险消除方式" | "消除方式",
    MeasureCategory => "措施类别" | "帮扶措施类别" | "措施类型" | "帮扶类型" | "帮扶措施类型",
    MeasureDetail => "具体措施" | "措施内容" | "帮扶措施内容" | "具体帮扶措施",
    MeasureDate => "落实日期" | "落实时间" | "实施日期" | "措施落实日期",
    Level => "问题层级" | "层级" | "问题层面" | "层面",
    ProblemType => "问题类型" | "问题类别",
    Content => "具体内容" | "问题具体内容" | "问题描述" | "存在问题" | "问题内容",
    Rectification => "整改措施" | "整改举措",
    Person => "责任人" | "整改责任人",
    Unit => "责任单位" | "整改责任单位",
    Deadline => "整改时限" | "完成时限" | "整改期限",
    Status => "整改状态" | "整改情况" | "是否整改" | "整改进度",
    Done => "完成日期" | "完成时间" | "整改完成日期" | "实际完成日期",
    Effect => "整改成效" | "整改效果" | "成效",
    ReportUnit => "单位" | "单位名称" | "报送单位" | "填报单位名称",
    Milestone => "节点" | "工作节点" | "时间节点" | "工作任务",
    VisitType => "类型" | "走访类型" | "评估类型" | "记录类型" | "评估遍访类型",
    VisitDate => "日期" | "评估日期" | "走访日期" | "遍访日期" | "评估时间" | "走访时间" | "遍访时间",
    Conclusion => "结论" | "评估结论" | "走访情况" | "遍访情况" | "评估结果" | "走访结论",
}

/// Generic ID headers: the member's own ID in member sheets, the head's ID in household sheets.
const GENERIC_ID_HEADERS: &[&str] = &["证件号码", "身份证号", "身份证号码", "身份证", "公民身份号码"];

impl Field {
    /// Number of distinct fields including stage columns (for dense per-sheet column maps).
    pub fn count() -> usize {
        PLAIN_FIELDS.len() + Stage::ALL.len()
    }

    /// Dense index for per-sheet column maps.
    pub fn index(self) -> usize {
        match self {
            Field::Stage(s) => PLAIN_FIELDS.len() + Stage::ALL.iter().position(|x| *x == s).unwrap_or(0),
            f => PLAIN_FIELDS.iter().position(|x| *x == f).unwrap_or(0),
        }
    }

    /// Multi-valued fields (several values separated by 、，; or given as a YAML list).
    pub fn is_multi(self) -> bool {
        matches!(self, Field::Risks | Field::Exclusions | Field::KeyGroups)
    }
}

/// What a sheet (or a YAML list) holds, recognised from its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SheetKind {
    /// 户
    Household,
    /// 成员
    Member,
    /// One sheet with household columns repeated or merged over one row per member.
    HouseholdWithMembers,
    /// 程序
    Procedure,
    /// 帮扶措施
    Measure,
    /// 问题
    Problem,
    /// 进度
    Milestone,
    /// 评估遍访: 帮扶效果评估 and 遍访 records (001 §三(三)(四))
    Visit,
}

impl SheetKind {
    pub fn label(self) -> &'static str {
        match self {
            SheetKind::Household => "户",
            SheetKind::Member => "成员",
            SheetKind::HouseholdWithMembers => "户及成员",
            SheetKind::Procedure => "程序",
            SheetKind::Measure => "帮扶措施",
            SheetKind::Problem => "问题",
            SheetKind::Milestone => "进度",
            SheetKind::Visit => "评估遍访",
        }
    }

    /// Fields a sheet of this kind reads; any other header is reported.
    pub fn allows(self, f: Field) -> bool {
        use Field::*;
        let household = matches!(
            f,
            Seq | Township
                | Village
                | Group
                | HouseholdId
                | HeadName
                | HeadId
                | Phone
                | HouseholdType
                | MonitorCategory
                | Size
                | Wage
                | Business
                | Property
                | Transfer
                | BusinessCost
                | PerCapita
                | LastYear
                | TwoYearsAgo
                | Risks
                | BasicNeeds
                | NoLabour
                | SanitaryToilet
                | Exclusions
                | KeyGroups
                | Helper
                | IncomeOkSince
                | MonitoredSince
                | EliminatedOn
                | Note
        );
        let member = matches!(
            f,
            Seq | Township
                | Village
                | Group
                | HouseholdId
                | HeadName
                | HeadId
                | Name
                | IdNumber
                | Relation
                | Sex
                | Labour
                | Health
                | Schooling
                | SevereDisability
                | MemberStatus
        );
        match self {
            SheetKind::Household => household,
            SheetKind::Member => member || f == Note,
            SheetKind::HouseholdWithMembers => household || member,
            SheetKind::Procedure => {
                matches!(
                    f,
                    Seq | Village
                        | HouseholdId
                        | HeadName
                        | ProcKind
                        | LeadSource
                        | EliminationMode
                        | IncomeOkSince
                        | Note
                        | Stage(_)
                )
            }
            SheetKind::Measure => matches!(
                f,
                Seq | Village | HouseholdId | HeadName | MeasureCategory | MeasureDetail | MeasureDate
            ),
            SheetKind::Problem => matches!(
                f,
                Seq | Township
                    | Village
                    | HouseholdId
                    | HeadName
                    | HouseholdType
                    | Level
                    | ProblemType
                    | Content
                    | Rectification
                    | Person
                    | Unit
                    | Deadline
                    | Status
                    | Done
                    | Effect
            ),
            SheetKind::Milestone => matches!(f, Seq | ReportUnit | Milestone | Done),
            SheetKind::Visit => matches!(
                f,
                Seq | Village | HouseholdId | HeadName | VisitType | VisitDate | Conclusion | Note
            ),
        }
    }

    /// Columns a sheet of this kind cannot do without (alternatives: any one of the inner list).
    pub fn required(self) -> &'static [&'static [Field]] {
        use Field::*;
        match self {
            SheetKind::Household => &[&[HouseholdId], &[Village], &[HeadName], &[HeadId], &[HouseholdType]],
            SheetKind::Member => &[&[HouseholdId, HeadId], &[Name], &[IdNumber], &[Relation]],
            SheetKind::HouseholdWithMembers => &[
                &[HouseholdId],
                &[Village],
                &[HouseholdType],
                &[Name],
                &[IdNumber],
                &[Relation],
            ],
            SheetKind::Procedure => &[&[HouseholdId], &[ProcKind]],
            SheetKind::Measure => &[&[HouseholdId], &[MeasureCategory], &[MeasureDetail]],
            SheetKind::Problem => &[&[ProblemType], &[Content], &[Rectification], &[Person], &[Deadline]],
            SheetKind::Milestone => &[&[ReportUnit], &[Milestone]],
            SheetKind::Visit => &[&[HouseholdId], &[VisitType], &[VisitDate]],
        }
    }

    /// The YAML top-level list name.
    pub fn yaml_key(self) -> &'static str {
        match self {
            SheetKind::Household | SheetKind::HouseholdWithMembers => "户",
            other => other.label(),
        }
    }
}

/// A header as matched: a field, or the generic "ID number" whose meaning depends on the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Field(Field),
    GenericId,
}

/// Normalises a header cell: half-width, no whitespace, no required-marks (`*`), no trailing
/// unit in brackets (`工资性收入（元）`), no trailing colon.
pub fn normalize_header(s: &str) -> String {
    let half = to_half_width(s);
    let mut t: String = trim(&half)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | '※'))
        .collect();
    loop {
        let before = t.len();
        if (t.ends_with(')') || t.ends_with('）'))
            && let Some(open) = t.rfind(['(', '（'])
        {
            // Keep headers that are a bracket expression as a whole (乡(镇)).
            let inner = &t[open..];
            let unit_like = [
                "元", "人", "个", "是/否", "是否", "yyyy", "年", "月", "日", "18位", "必填", "选填", "多选", "单选",
            ]
            .iter()
            .any(|u| inner.contains(u));
            if open > 0 && unit_like {
                t.truncate(open);
            }
        }
        for suffix in [":", "："] {
            if let Some(rest) = t.strip_suffix(suffix) {
                t = rest.to_string();
            }
        }
        if t.len() == before {
            break;
        }
    }
    t
}

/// Matches a normalised header against the alias table and the stage vocabulary.
pub fn match_header(norm: &str) -> Option<Header> {
    if norm.is_empty() {
        return None;
    }
    if GENERIC_ID_HEADERS.contains(&norm) {
        return Some(Header::GenericId);
    }
    for &f in PLAIN_FIELDS {
        if f.label() == norm || f.aliases().contains(&norm) {
            return Some(Header::Field(f));
        }
    }
    if let Some(s) = Stage::parse(norm) {
        return Some(Header::Field(Field::Stage(s)));
    }
    for suffix in ["日期", "时间"] {
        if let Some(base) = norm.strip_suffix(suffix)
            && let Some(s) = Stage::parse(base)
        {
            return Some(Header::Field(Field::Stage(s)));
        }
    }
    None
}

/// Resolves a header for a known sheet kind (the generic ID column's meaning depends on it).
pub fn resolve(h: Header, kind: SheetKind) -> Field {
    match h {
        Header::Field(f) => f,
        Header::GenericId => match kind {
            SheetKind::Household => Field::HeadId,
            _ => Field::IdNumber,
        },
    }
}

/// Recognises the sheet kind from the set of headers found on a row.
pub fn detect_kind(headers: &[Header]) -> Option<SheetKind> {
    let has = |f: Field| headers.contains(&Header::Field(f));
    let stages = headers
        .iter()
        .filter(|h| matches!(h, Header::Field(Field::Stage(_))))
        .count();
    let generic_id = headers.contains(&Header::GenericId);
    if has(Field::ProblemType) && (has(Field::Content) || has(Field::Rectification)) {
        return Some(SheetKind::Problem);
    }
    if has(Field::ProcKind) || (stages >= 2 && has(Field::HouseholdId)) {
        return Some(SheetKind::Procedure);
    }
    let household_markers = [
        Field::HouseholdType,
        Field::Size,
        Field::MonitorCategory,
        Field::Wage,
        Field::PerCapita,
        Field::Risks,
        Field::BasicNeeds,
        Field::NoLabour,
    ]
    .iter()
    .filter(|f| has(**f))
    .count();
    let member_markers = [
        Field::Name,
        Field::Relation,
        Field::Labour,
        Field::SevereDisability,
        Field::Schooling,
    ]
    .iter()
    .filter(|f| has(**f))
    .count()
        + usize::from(has(Field::IdNumber));
    if household_markers >= 1 && (has(Field::HouseholdId) || has(Field::HeadName)) {
        return Some(if member_markers >= 1 {
            SheetKind::HouseholdWithMembers
        } else {
            SheetKind::Household
        });
    }
    if has(Field::MeasureCategory) || (has(Field::MeasureDetail) && has(Field::HouseholdId)) {
        return Some(SheetKind::Measure);
    }
    // 评估遍访: 户编号 + 类型 + 日期 or 结论 (the generic words only count together).
    if has(Field::VisitType) && has(Field::HouseholdId) && (has(Field::VisitDate) || has(Field::Conclusion)) {
        return Some(SheetKind::Visit);
    }
    if has(Field::Milestone) && (has(Field::ReportUnit) || has(Field::Done)) {
        return Some(SheetKind::Milestone);
    }
    if (has(Field::Name) || has(Field::Relation)) && (has(Field::IdNumber) || generic_id) {
        return Some(SheetKind::Member);
    }
    if has(Field::HouseholdId) && has(Field::HeadName) && (has(Field::HeadId) || generic_id) {
        return Some(SheetKind::Household);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<Header> {
        match_header(&normalize_header(s))
    }

    #[test]
    fn aliases_and_normalisation() {
        assert_eq!(m("村"), Some(Header::Field(Field::Village)));
        assert_eq!(m("组"), Some(Header::Field(Field::Group)));
        assert_eq!(m(" 身份证号码 "), Some(Header::GenericId));
        assert_eq!(m("工资性收入（元）"), Some(Header::Field(Field::Wage)));
        assert_eq!(m("*户编号"), Some(Header::Field(Field::HouseholdId)));
        assert_eq!(m("户 主 姓 名"), Some(Header::Field(Field::HeadName)));
        assert_eq!(m("乡（镇）"), Some(Header::Field(Field::Township)));
        assert_eq!(
            m("公示开始日期"),
            Some(Header::Field(Field::Stage(Stage::PublicityStart)))
        );
        assert_eq!(
            m("县级审批日期"),
            Some(Header::Field(Field::Stage(Stage::CountyApproval)))
        );
        assert_eq!(
            m("乡镇审核时间"),
            Some(Header::Field(Field::Stage(Stage::TownshipReview)))
        );
        assert_eq!(m("芒洪村防止返贫监测对象信息表"), None);
        assert_eq!(m("填报单位："), None);
        assert_eq!(m("走访日期"), Some(Header::Field(Field::VisitDate)));
        assert_eq!(m("评估结论"), Some(Header::Field(Field::Conclusion)));
        assert_eq!(m("类型"), Some(Header::Field(Field::VisitType)));
    }

    #[test]
    fn no_alias_is_claimed_twice() {
        let mut seen = std::collections::HashMap::new();
        for &f in PLAIN_FIELDS {
            for a in std::iter::once(f.label()).chain(f.aliases().iter().copied()) {
                if let Some(prev) = seen.insert(a, f) {
                    panic!("alias {a} used by {prev:?} and {f:?}");
                }
                assert!(Stage::parse(a).is_none(), "alias {a} collides with a stage");
            }
        }
    }

    #[test]
    fn field_indices_are_dense() {
        let mut all: Vec<usize> = PLAIN_FIELDS.iter().map(|f| f.index()).collect();
        all.extend(Stage::ALL.iter().map(|s| Field::Stage(*s).index()));
        all.sort_unstable();
        assert_eq!(all, (0..Field::count()).collect::<Vec<_>>());
    }

    #[test]
    fn kinds() {
        let h = |fs: &[Field]| fs.iter().map(|f| Header::Field(*f)).collect::<Vec<_>>();
        use Field::*;
        assert_eq!(
            detect_kind(&h(&[HouseholdId, HeadName, HouseholdType, Size])),
            Some(SheetKind::Household)
        );
        let mut mem = h(&[HouseholdId, Name, Relation]);
        mem.push(Header::GenericId);
        assert_eq!(detect_kind(&mem), Some(SheetKind::Member));
        assert_eq!(
            detect_kind(&h(&[HouseholdId, HeadName, HouseholdType, Name, IdNumber, Relation])),
            Some(SheetKind::HouseholdWithMembers)
        );
        assert_eq!(detect_kind(&h(&[HouseholdId, ProcKind])), Some(SheetKind::Procedure));
        assert_eq!(
            detect_kind(&h(&[HouseholdId, MeasureCategory, MeasureDetail])),
            Some(SheetKind::Measure)
        );
        assert_eq!(
            detect_kind(&h(&[
                Village,
                HeadName,
                HouseholdType,
                ProblemType,
                Content,
                Rectification
            ])),
            Some(SheetKind::Problem)
        );
        assert_eq!(
            detect_kind(&h(&[ReportUnit, Milestone, Done])),
            Some(SheetKind::Milestone)
        );
        assert_eq!(
            detect_kind(&h(&[HouseholdId, HeadName, VisitType, VisitDate, Conclusion])),
            Some(SheetKind::Visit)
        );
        // A lone 类型 or 日期 column does not make a visits sheet.
        assert_eq!(detect_kind(&h(&[HouseholdId, VisitDate])), None);
        assert_eq!(
            detect_kind(&h(&[HouseholdId, HeadName, HouseholdType, VisitType, VisitDate])),
            Some(SheetKind::Household)
        );
        assert_eq!(detect_kind(&h(&[Note])), None);
    }
}
