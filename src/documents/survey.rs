//! 巩固拓展脱贫攻坚成果集中排查入户排查表 (002 附件2): one form per household, batched per
//! village, with the 13 排查类型 and their sub-items. Sub-items the data already answers are
//! ticked (√) and the known problems are written into 排查问题, so the surveyor only confirms.
//!
//! Internal document (full 证件号码 and 联系电话 as the form asks): marked 内部资料.

use super::commitment::cn_date;
use super::screening::results;
use crate::model::{Household, HouseholdType, ProblemType, ProcedureKind, Workspace};
use crate::rules::Evaluation;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub const TITLE: &str = "巩固拓展脱贫攻坚成果集中排查入户排查表";

/// One 排查类型 row of 002 附件2: the problem type and its sub-items (text after the circled
/// number), each flagged when 填表说明 2 leaves it to the departments and township (不涉及户内).
struct Category {
    kind: ProblemType,
    items: &'static [(&'static str, bool)],
}

/// The 13 rows of 002 附件2, word for word; `true` marks the items 填表说明 2 lists as not
/// household-level (教育③④、医疗⑨⑩、住房③④、安全饮水③④、易地扶贫搬迁②、产业发展⑤⑥、
/// 脱贫人口就业③-⑥、脱贫人口小额信贷③、消费帮扶②③、资金项目管理①-⑥、防止返贫动态监测③④、帮扶工作④).
const CATEGORIES: &[Category] = &[
    Category {
        kind: ProblemType::Education,
        items: &[
            ("是否存在适龄儿童未入学或已就读学生辍学现象", false),
            ("教育资助政策是否全面落实到位", false),
            ("是否做到动态清零", true),
            ("控辍保学机制是否健全", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Medical,
        items: &[
            ("家中是否有未参加居民医保人员", false),
            ("是否存在参保费用未享受政府资助问题", false),
            ("是否存在负担不起医疗支出，有病人不去看病问题", false),
            ("是否存在省外住院就医费用未及时报销等问题", false),
            ("家庭成员中是否存在有慢性病未办理慢性病证问题", false),
            ("是否存在符合家庭签约医生服务但未签约问题", false),
            ("是否存在签约医生未定期上门对脱贫户进行体检和健康指导问题", false),
            ("2016年以后的脱贫户是否存在住院交押金问题", false),
            ("是否做到动态清零", true),
            ("防止因病返贫致贫风险机制是否健全", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Housing,
        items: &[
            ("现住房是否为土坯房且无安全鉴定或鉴定不准确", false),
            ("现住房是否存在安全风险", false),
            ("是否做到动态清零", true),
            ("农村脱贫人口住房安全动态监测机制是否健全", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Water,
        items: &[
            ("饮用水水量、水质是否不达标", false),
            ("用水方便程度和供水保证率是否不符合相关要求", false),
            ("是否做到动态清零", true),
            ("农村供水工程长效管理机制是否健全", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Relocation,
        items: &[
            ("易地搬迁后续帮扶措施是否落实到位", false),
            ("安置区社区治理体系是否建立完善", true),
            ("搬迁群众是否“稳得住、有就业、逐步能致富”", false),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Industry,
        items: &[
            (
                "是否存在具备产业发展能力和意愿的，未实施产业到户项目，产业帮扶不到位的情况",
                false,
            ),
            (
                "原采取入股分红等形式实施的产业到户项目，是否存在分红资金发放不及时、不到位的情况",
                false,
            ),
            (
                "历年已批复的产业到户项目，是否存在补贴资金已发放，但项目未实施的情况",
                false,
            ),
            ("脱贫人口和监测对象的产业发展项目是否实现增产增收", false),
            (
                "各类经营主体、产业帮扶基地、就业帮扶车间等是否落实带贫减贫措施利益联结机制是否健全，带动链是否稳定",
                true,
            ),
            (
                "光伏扶贫电站运维管理是否到位高效、综合利用是否开展全面、收益分配是否精准合规",
                true,
            ),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Employment,
        items: &[
            (
                "有劳动能力和就业意愿的脱贫人口和边缘易致贫人口是否实现稳岗就业。",
                false,
            ),
            ("帮扶措施落实是否到位。", false),
            (
                "今年已录入的就业信息，是否存在标注已务工但实际未务工，联系电话、务工地点、务工时间等与实际不一致的情况。",
                true,
            ),
            (
                "是否存在公益岗位长期未履职，公益岗薪酬待遇和补助资金发放不及时等情况。",
                true,
            ),
            ("是否存在利用公益岗搞福利，平均发放情况。", true),
            (
                "各类经营主体、产业帮扶基地、就业帮扶车间是否优先吸纳脱贫人口和边缘易致贫人口就业",
                true,
            ),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Credit,
        items: &[
            (
                "符合贷款条件、有发展生产意愿的脱贫人口和边缘易致贫人口是否做到应贷尽贷。",
                false,
            ),
            (
                "贷款用途是否符合规定，是否存在贷款用于建房、理财、购置家庭用品等非生产性支出情况。",
                false,
            ),
            ("是否存在“户贷企用”或变相“户贷企用”等问题。", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Consumption,
        items: &[
            ("脱贫户、边缘易致贫户的农产品是否存在滞销现象", false),
            ("消费扶贫重点产业认定管理是否规范", true),
            ("“三专一平台”特别是专柜建设和运营管理是否落实", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Funds,
        items: &[
            ("2021年市县财政衔接资金投入是否总体稳定", true),
            ("中央、省到县资金是否安排项目", true),
            ("资金使用是否规范", true),
            ("项目实施是否规范", true),
            ("资产管理是否规范有效", true),
            ("其他", true),
        ],
    },
    Category {
        kind: ProblemType::Monitoring,
        items: &[
            (
                "镇村干部、驻村工作队、帮扶责任人和联系人是否对脱贫不稳定户和边缘易致贫户开展跟踪走访",
                false,
            ),
            ("脱贫不稳定户和边缘易致贫户的实际困难是否及时解决", false),
            ("脱贫不稳定户和边缘易致贫户的台账资料是否规范齐全", true),
            ("部门数据比对和筛查机制是否健全", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Assistance,
        items: &[
            ("脱贫户帮扶责任人和边缘易致贫户帮扶联系人是否安排到位", false),
            ("是否制定“一户一方案、一人一措施”", false),
            ("帮扶政策和措施是否精准落实", false),
            ("定点帮扶单位是否持续加强支持和帮助，驻村帮扶工作是否持续推进", true),
            ("其他", false),
        ],
    },
    Category {
        kind: ProblemType::Overall,
        items: &[
            ("该户是否疑似存在返贫致贫风险", false),
            ("是否要纳入监测对象进行评议", false),
        ],
    },
];

/// 填表说明 of 002 附件2, word for word.
pub const NOTES: &[&str] = &[
    "有问题的在所列序号下方打“√”，在排查问题栏中具体表述问题内容；无问题的户不用填表。",
    "不涉及户内排查的内容，如教育③④、医疗⑨⑩、住房③④、安全饮水③④、易地扶贫搬迁②、产业发展⑤⑥、\
脱贫人口就业③-⑥、脱贫人口小额信贷③、消费帮扶②③、资金项目管理①-⑥、防止返贫动态监测③④、帮扶工作④等问题，\
由相关行业部门和镇、村进行排查填写。",
    "一般农户重点排查“两不愁、三保障”及安全饮水情况、收入情况，看是否存在致贫风险，不需排查政策享受内容；\
脱贫户和边缘易致贫户除排查一般农户的内容外，重点还要排查政策落实情况，看是否存在返贫风险，重点要关注突发困难户。",
];

const CIRCLED: [&str; 11] = ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩", "⑾"];

#[derive(Debug, Clone, Serialize)]
pub struct SurveyView {
    /// Title with the county in front, as the form has it (埇桥区巩固拓展…入户排查表).
    pub title: String,
    pub internal_mark: String,
    pub county: String,
    pub township: String,
    pub village: String,
    /// 填表说明, numbered in the template.
    pub notes: Vec<String>,
    /// Printed on every form: 数据截至 date.
    pub as_of: String,
    pub households: Vec<SurveyPage>,
    /// Measured height of the 填表说明 block in pt (set by [`measured`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes_height: Option<f64>,
    /// Measured height of the table's header row in pt (set by [`measured`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_height: Option<f64>,
    /// The distinct 排查类型 rows of the batch with their heights (set by [`measured`]); each
    /// form then lists its rows by index (`row_ids`), so the template builds each row once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<SurveyCategory>>,
    /// What [`measured`] found of the page (fangpin's own use, not the template's).
    #[serde(skip)]
    pub page: Option<PageRoom>,
}

/// The room on a form's page (pt), from the template's measure mode.
#[derive(Debug, Clone, Copy)]
pub struct PageRoom {
    /// Height of the household lines when each fits on one line (every box ticked).
    pub head: f64,
    /// Height and width of the page's text area.
    pub text_height: f64,
    pub width: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyPage {
    pub household_id: String,
    pub group: String,
    pub head_name: String,
    /// Full 证件号码 (internal form).
    pub id_number: String,
    pub phone: String,
    /// 户类型 check boxes, one per 户类型 in vocabulary order.
    pub kind_boxes: Vec<CheckBox>,
    /// 监测对象类型 for 监测户, else empty.
    pub monitor_category: String,
    /// The 13 rows; left empty by [`measured`], which lists them in `row_ids` instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<SurveyCategory>,
    /// Indexes into the view's `rows`, in 排查类型 order (set by [`measured`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_ids: Option<Vec<usize>>,
    /// Page (0-based) of this form's body in the bodies PDF (set by [`with_bodies`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<usize>,
    /// True when anything on the form was pre-filled from the data.
    pub prefilled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckBox {
    pub label: String,
    pub checked: bool,
    /// Printed after the box in brackets: the 监测对象类型 next to 监测户.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyCategory {
    /// 序号 1–13
    pub seq: String,
    /// 排查类型, e.g. 义务教育
    pub name: String,
    pub items: Vec<SurveyItem>,
    /// 排查问题 lines known from the data (problems, risks, rule results).
    pub problems: Vec<String>,
    /// Measured row height in pt (set by [`render`]); the template measures rows without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyItem {
    /// ① … ⑾
    pub mark: String,
    pub text: String,
    /// Ticked from the data.
    pub checked: bool,
    /// Not household-level (填表说明 2): printed grey.
    pub departmental: bool,
}

/// The 户类型 boxes of 002 附件2: 脱贫户□、边缘易致贫户□、一般农户□. The 监测对象类型 is printed
/// after them on its own (`monitor_category`). A monitored household is ticked by what it is:
/// a 脱贫不稳定户 is a 脱贫户, an 边缘易致贫户 has its own box, a 突发严重困难户 that was not lifted
/// is an 一般农户; a monitored household of unknown category is left for the surveyor to tick.
pub const FORM_KINDS: [&str; 3] = ["脱贫户", "边缘易致贫户", "一般农户"];

fn form_kind_boxes(h: &Household) -> Vec<CheckBox> {
    use crate::model::MonitorCategory;
    let ticked = match (h.kind, h.monitor_category) {
        (HouseholdType::Lifted, _) | (_, Some(MonitorCategory::Unstable)) => Some(0),
        (_, Some(MonitorCategory::Marginal)) => Some(1),
        (HouseholdType::Ordinary, _) | (_, Some(MonitorCategory::Sudden)) => Some(2),
        (HouseholdType::Monitored, None) => None,
    };
    FORM_KINDS
        .iter()
        .enumerate()
        .map(|(i, label)| CheckBox {
            label: label.to_string(),
            checked: ticked == Some(i),
            detail: String::new(),
        })
        .collect()
}

/// The 入户排查表 batch of one village; `None` when the village has no household.
pub fn view(ws: &Workspace, eval: &Evaluation, village: &str) -> Option<SurveyView> {
    let look = Lookups::new(ws, eval);
    let households: Vec<SurveyPage> = ws
        .data
        .households
        .iter()
        .enumerate()
        .filter(|(_, h)| h.village == village)
        .map(|(i, h)| page(ws, eval, &look, i, h))
        .collect();
    let first = ws.data.households.iter().find(|h| h.village == village)?;
    let county = ws.campaign.region.county.clone();
    Some(SurveyView {
        title: format!("{county}{TITLE}"),
        internal_mark: super::internal_mark(super::DocKind::Survey),
        county,
        township: first.township.clone(),
        village: village.to_string(),
        notes: NOTES.iter().map(|s| s.to_string()).collect(),
        as_of: cn_date(eval.as_of),
        households,
        notes_height: None,
        header_height: None,
        rows: None,
        page: None,
    })
}

/// What the data says for one household: (category, 0-based item) ticks and problem lines.
#[derive(Default)]
struct Findings {
    ticks: Vec<(ProblemType, usize)>,
    lines: Vec<(ProblemType, String)>,
}

impl Findings {
    fn add(&mut self, kind: ProblemType, item: Option<usize>, line: String) {
        if let Some(i) = item
            && !self.ticks.contains(&(kind, i))
        {
            self.ticks.push((kind, i));
        }
        if !line.is_empty() {
            self.lines.push((kind, line));
        }
    }
}

/// Per-household lookups built once per village batch (a scan of the county's problems and
/// cases per household would make the batch quadratic).
struct Lookups<'a> {
    /// Indexes into `ws.data.problems` by 户编号.
    problems: HashMap<&'a str, Vec<usize>>,
    /// Ledger status label by problem index.
    ledger_status: HashMap<usize, &'static str>,
    /// Households with a 识别纳入 case.
    identifying: HashSet<&'a str>,
}

impl<'a> Lookups<'a> {
    fn new(ws: &'a Workspace, eval: &Evaluation) -> Lookups<'a> {
        let mut problems: HashMap<&str, Vec<usize>> = HashMap::new();
        for (pi, p) in ws.data.problems.iter().enumerate() {
            if let Some(id) = p.household_id.as_deref() {
                problems.entry(id).or_default().push(pi);
            }
        }
        let mut ledger_status = HashMap::new();
        for l in &eval.ledger {
            ledger_status.entry(l.problem).or_insert(l.status.label());
        }
        let identifying = ws
            .data
            .procedures
            .iter()
            .filter(|p| p.kind == ProcedureKind::Identification)
            .map(|p| p.household_id.as_str())
            .collect();
        Lookups {
            problems,
            ledger_status,
            identifying,
        }
    }
}

fn findings(ws: &Workspace, eval: &Evaluation, look: &Lookups<'_>, index: usize, h: &Household) -> Findings {
    let mut f = Findings::default();
    let policy_household = h.kind != HouseholdType::Ordinary;

    // Recorded problems of this household, with their status as of the run.
    for &pi in look.problems.get(h.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
        let Some(p) = ws.data.problems.get(pi) else { continue };
        let status = look.ledger_status.get(&pi).copied().or(p.status.map(|s| s.label()));
        let line = match status {
            Some(s) => format!("{}（{}）", p.content, s),
            None => p.content.clone(),
        };
        f.add(p.kind, None, line);
    }

    for risk in &h.risks {
        match risk.as_str() {
            "住房安全" => f.add(ProblemType::Housing, Some(1), "风险类型：住房安全".to_string()),
            "饮水安全" => f.add(ProblemType::Water, Some(0), "风险类型：饮水安全".to_string()),
            "因务工就业不稳" if policy_household => {
                f.add(ProblemType::Employment, Some(0), "风险类型：因务工就业不稳".to_string())
            }
            _ => {}
        }
    }

    for m in &h.members {
        if let Some(s) = &m.schooling
            && ["辍学", "失学", "未入学"].iter().any(|w| s.contains(w))
        {
            f.add(ProblemType::Education, Some(0), format!("{}：{}", m.name, s));
        }
    }

    if policy_household && h.helper.as_deref().is_none_or(|s| s.trim().is_empty()) {
        f.add(ProblemType::Assistance, Some(0), "未落实帮扶责任人".to_string());
    }

    // 综合判定 ①: the screening signals; ②: a 识别纳入 case is open.
    let (s, _) = results(eval, index, h);
    let mut signals: Vec<String> = Vec::new();
    if s.and_then(|s| s.basic_needs_met).or(h.basic_needs_met) == Some(false) {
        signals.push("“两不愁三保障”及饮水安全未全部达标".to_string());
    }
    if s.and_then(|s| s.income_above_line) == Some(false) {
        signals.push(format!(
            "家庭人均纯收入未超过{}元",
            ws.campaign.monitoring_line.round_yuan()
        ));
    }
    if let Some(s) = s.filter(|s| s.key_group) {
        signals.push(format!("核查重点群体（{}）", s.reasons.join("、")).replace("（）", ""));
    }
    if !signals.is_empty() {
        f.add(ProblemType::Overall, Some(0), signals.join("；"));
    }
    if look.identifying.contains(h.id.as_str()) {
        f.add(ProblemType::Overall, Some(1), "已启动识别纳入程序".to_string());
    }
    f
}

fn page(ws: &Workspace, eval: &Evaluation, look: &Lookups<'_>, index: usize, h: &Household) -> SurveyPage {
    let f = findings(ws, eval, look, index, h);
    let categories = CATEGORIES
        .iter()
        .enumerate()
        .map(|(ci, c)| SurveyCategory {
            seq: (ci + 1).to_string(),
            name: c.kind.label().to_string(),
            items: c
                .items
                .iter()
                .enumerate()
                .map(|(ii, (text, departmental))| SurveyItem {
                    mark: CIRCLED.get(ii).copied().unwrap_or("").to_string(),
                    text: text.to_string(),
                    checked: f.ticks.contains(&(c.kind, ii)),
                    departmental: *departmental,
                })
                .collect(),
            problems: f
                .lines
                .iter()
                .filter(|(k, _)| *k == c.kind)
                .map(|(_, l)| l.clone())
                .collect(),
            height: None,
        })
        .collect();
    SurveyPage {
        household_id: h.id.clone(),
        group: h.group.clone(),
        head_name: h.head_name.clone(),
        id_number: h.head_id.clone(),
        phone: h.phone.clone().unwrap_or_default(),
        kind_boxes: form_kind_boxes(h),
        monitor_category: h.monitor_category.map(|c| c.label().to_string()).unwrap_or_default(),
        categories,
        row_ids: None,
        body: None,
        prefilled: !f.ticks.is_empty() || !f.lines.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::commitment::fixture::*;
    use super::*;
    use crate::model::{Money, Place, Problem, ProblemLevel, RectificationStatus, Stage};
    use crate::rules::{LedgerRow, LedgerStatus};

    const ID: &str = "150724198001010015";

    #[test]
    fn the_form_has_13_categories_in_problem_type_order() {
        assert_eq!(CATEGORIES.len(), 13);
        let kinds: Vec<_> = CATEGORIES.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, ProblemType::ALL);
        assert_eq!(CATEGORIES[1].items.len(), 11);
        let ws = workspace(vec![household("H1", "东山村", "张三", ID)]);
        let v = view(&ws, &evaluation(&ws), "东山村").unwrap();
        assert_eq!(v.title, "鄂温克族自治旗巩固拓展脱贫攻坚成果集中排查入户排查表");
        let p = &v.households[0];
        assert_eq!(p.categories[1].items[10].mark, "⑾");
        assert!(p.categories[9].items.iter().all(|i| i.departmental));
        assert!(!p.prefilled);
        assert_eq!(p.id_number, ID);
        assert_eq!(p.phone, "13800000000");
        assert_eq!(
            p.kind_boxes
                .iter()
                .filter(|b| b.checked)
                .map(|b| b.label.as_str())
                .collect::<Vec<_>>(),
            ["脱贫户"]
        );
    }

    #[test]
    fn known_facts_are_ticked_and_written() {
        let mut h = household("H1", "东山村", "张三", ID);
        h.risks = vec!["住房安全".into(), "因务工就业不稳".into(), "因病".into()];
        h.helper = None;
        h.income.per_capita = Some(Money::from_yuan(5000));
        let mut kid = member("H1", "张小", "150724201003030022", "子");
        kid.schooling = Some("辍学".into());
        h.members.push(kid);
        let mut ws = workspace(vec![h]);
        ws.data.problems.push(Problem {
            seq: Some(1),
            township: "巴彦塔拉达斡尔民族乡".into(),
            village: Some("东山村".into()),
            household_id: Some("H1".into()),
            head_name: Some("张三".into()),
            level: ProblemLevel::Household,
            kind: ProblemType::Housing,
            content: "房屋墙体开裂".into(),
            measure: "危房改造".into(),
            person: "李主任".into(),
            unit: "村委会".into(),
            deadline: Some(date(2024, 6, 1)),
            status: Some(RectificationStatus::InProgress),
            done: None,
            effect: None,
            place: Place::default(),
        });
        ws.data.procedures.push(procedure(
            "H1",
            ProcedureKind::Identification,
            &[(Stage::LeadFound, date(2024, 5, 1))],
        ));
        let mut ev = evaluation(&ws);
        ev.ledger.push(LedgerRow {
            problem: 0,
            status: LedgerStatus::Overdue,
            days_overdue: 29,
        });
        ev.screening[0].key_group = true;
        ev.screening[0].reasons = vec!["人均纯收入低于监测范围".into()];

        let p = view(&ws, &ev, "东山村").unwrap().households.remove(0);
        assert!(p.prefilled);
        let cat = |k: ProblemType| p.categories.iter().find(|c| c.name == k.label()).unwrap();
        let ticked = |k: ProblemType| -> Vec<&str> {
            cat(k)
                .items
                .iter()
                .filter(|i| i.checked)
                .map(|i| i.mark.as_str())
                .collect()
        };
        assert_eq!(ticked(ProblemType::Housing), ["②"]);
        assert_eq!(
            cat(ProblemType::Housing).problems,
            ["房屋墙体开裂（逾期未整改）", "风险类型：住房安全"]
        );
        assert_eq!(ticked(ProblemType::Employment), ["①"]);
        assert_eq!(ticked(ProblemType::Education), ["①"]);
        assert_eq!(cat(ProblemType::Education).problems, ["张小：辍学"]);
        assert_eq!(ticked(ProblemType::Assistance), ["①"]);
        assert_eq!(ticked(ProblemType::Overall), ["①", "②"]);
        assert_eq!(
            cat(ProblemType::Overall).problems,
            [
                "家庭人均纯收入未超过8300元；核查重点群体（人均纯收入低于监测范围）",
                "已启动识别纳入程序"
            ]
        );
        assert!(ticked(ProblemType::Medical).is_empty());
    }

    #[test]
    fn ordinary_households_are_not_asked_about_policy_items() {
        let mut h = household("H1", "东山村", "张三", ID);
        h.kind = HouseholdType::Ordinary;
        h.helper = None;
        h.risks = vec!["因务工就业不稳".into()];
        let ws = workspace(vec![h]);
        let p = view(&ws, &evaluation(&ws), "东山村").unwrap().households.remove(0);
        assert!(!p.prefilled);
        assert!(view(&ws, &evaluation(&ws), "西山村").is_none());
    }
}
