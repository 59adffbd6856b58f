//! Synthetic workspaces: the built-in sample township in `data/` and county-scale test data.
//!
//! The generator builds model records (invented people, IDs with valid check digits), then writes them
//! out in the three input layouts villages hand in: one-sheet xlsx with merged household cells,
//! two-sheet xlsx (户 + 成员), and YAML. Procedures are laid out relative to the `as_of` date so every
//! deadline state occurs (on time, late, pending, due soon, overdue, publicity too short, out of order).

mod people;
mod scenarios;
mod write;

use crate::model::{
    Dataset, Household, HouseholdType, Income, LabourCapacity, Measure, Member, MilestoneReport, Money,
    MonitorCategory, Place, Problem, ProblemLevel, ProblemType, RectificationStatus, Sex, Visit, VisitKind,
};
use crate::rules::calendar::{Calendar, CalendarError};
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

pub use people::check_char;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub households: usize,
    pub villages: usize,
    pub seed: u64,
    /// The campaign's 统计截止日; procedure dates are laid out around it.
    pub as_of: NaiveDate,
}

impl GenOptions {
    /// The built-in sample township (`data/`).
    pub fn sample() -> GenOptions {
        GenOptions {
            households: 66,
            villages: 3,
            seed: 20240630,
            as_of: NaiveDate::from_ymd_opt(2024, 6, 30).unwrap_or_default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("无法写入 {path}：{source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("生成表格 {path} 失败：{message}")]
    Xlsx { path: PathBuf, message: String },
    #[error("工作日历无法计算：{0}")]
    Calendar(#[from] CalendarError),
    #[error("参数有误：{0}")]
    Options(String),
    #[error("输出文件夹中已有这些文件，未替换（其中可能有已修改的 campaign.yaml 或已填好的表格）：{}。如确实要替换，请加上 --force；或用 --out 另选一个空文件夹", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("、"))]
    WouldOverwrite(Vec<PathBuf>),
}

/// How a village's file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One sheet, household columns vertically merged over member rows.
    MergedSheet,
    /// 户 and 成员 sheets.
    TwoSheets,
    /// YAML with members nested in households.
    Yaml,
}

/// One village's records and the layout its file uses.
#[derive(Debug, Clone)]
pub struct VillageData {
    pub name: String,
    pub layout: Layout,
    pub data: Dataset,
}

/// A generated workspace, before it is written.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub township: String,
    pub as_of: NaiveDate,
    pub villages: Vec<VillageData>,
    /// Area problems above village level and the milestone reports.
    pub township_data: Dataset,
}

impl Synthetic {
    pub fn household_count(&self) -> usize {
        self.villages.iter().map(|v| v.data.households.len()).sum()
    }
    pub fn member_count(&self) -> usize {
        self.villages.iter().map(|v| v.data.member_count()).sum()
    }
}

/// What `generate` wrote.
#[derive(Debug, Clone)]
pub struct GenReport {
    pub files: Vec<PathBuf>,
    pub households: usize,
    pub members: usize,
    pub procedures: usize,
    pub problems: usize,
}

const TOWNSHIP: &str = "石桥镇";
const AREA_CODE: &str = "530999";
const SAMPLE_VILLAGES: &[&str] = &["芒洪村", "白沙村", "龙潭村"];
const MONITORING_LINE_YUAN: i64 = 7600;

/// The milestones that are the township's own work (责任单位: 乡镇): the township reports them,
/// the villages do not.
pub const TOWNSHIP_MILESTONES: &[&str] = &["全面培训部署", "提交总结报告"];

/// The 时间安排 of the generated campaign, relative to `as_of` (the sample's are the 2024 Q2 dates).
pub fn milestones(as_of: NaiveDate) -> Vec<(&'static str, NaiveDate, &'static str)> {
    vec![
        (
            "全面培训部署",
            as_of - Duration::days(51),
            "乡镇组织村干部、驻村工作队、帮扶责任人开展业务培训",
        ),
        (
            "开展集中排查",
            as_of - Duration::days(25),
            "逐村逐户开展入户排查，填写入户排查表和筛查表",
        ),
        (
            "识别纳入与风险消除上报",
            as_of - Duration::days(15),
            "完成识别纳入、风险消除、回退、清退的村级评议和公示",
        ),
        (
            "信息采集录入",
            as_of - Duration::days(10),
            "完成监测对象信息采集、录入与数据校验",
        ),
        (
            "提交总结报告",
            as_of + Duration::days(5),
            "报送集中排查工作总结及整改情况汇总表（盖章扫描件）",
        ),
    ]
}

/// Build the records of a synthetic workspace.
pub fn build(opts: &GenOptions) -> Result<Synthetic, GenError> {
    if opts.households == 0 {
        return Err(GenError::Options("户数必须大于 0".into()));
    }
    let villages = opts.villages.clamp(1, opts.households);
    let cal = Calendar::builtin();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut ids = people::IdIssuer::default();
    let mut out = Vec::with_capacity(villages);
    for v in 0..villages {
        let name = village_name(v);
        let layout = match v % 3 {
            0 => Layout::MergedSheet,
            1 => Layout::TwoSheets,
            _ => Layout::Yaml,
        };
        let n = opts.households / villages + usize::from(v < opts.households % villages);
        let data = build_village(&mut rng, &cal, opts.as_of, &name, v, n, &mut ids)?;
        out.push(VillageData { name, layout, data });
    }
    let names: Vec<String> = out.iter().map(|v| v.name.clone()).collect();
    let township_data = build_township(&mut rng, opts.as_of, &names);
    Ok(Synthetic {
        township: TOWNSHIP.to_string(),
        as_of: opts.as_of,
        villages: out,
        township_data,
    })
}

/// Build and write a workspace into `out` (created if missing; existing generated files are replaced).
pub fn generate(opts: &GenOptions, out: &Path) -> Result<GenReport, GenError> {
    generate_into(opts, out, true)
}

/// [`generate`], refusing (before writing anything) to replace existing files unless `overwrite`:
/// `fangpin gen --out` into a real workspace would otherwise overwrite an edited campaign.yaml
/// or filled-in workbooks.
pub fn generate_into(opts: &GenOptions, out: &Path, overwrite: bool) -> Result<GenReport, GenError> {
    let syn = build(opts)?;
    if !overwrite {
        let existing: Vec<PathBuf> = write::planned_files(&syn, out)
            .into_iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
            .collect();
        if !existing.is_empty() {
            return Err(GenError::WouldOverwrite(existing));
        }
    }
    let files = write::write_workspace(&syn, out)?;
    let procedures = syn.villages.iter().map(|v| v.data.procedures.len()).sum();
    let problems = syn.villages.iter().map(|v| v.data.problems.len()).sum::<usize>() + syn.township_data.problems.len();
    Ok(GenReport {
        files,
        households: syn.household_count(),
        members: syn.member_count(),
        procedures,
        problems,
    })
}

fn village_name(i: usize) -> String {
    if let Some(n) = SAMPLE_VILLAGES.get(i) {
        return (*n).to_string();
    }
    const A: &[&str] = &["南", "北", "东", "西", "上", "下", "大", "小", "新", "老", "中", "高"];
    const B: &[&str] = &[
        "河", "山", "坝", "寨", "岭", "沟", "坪", "桥", "塘", "湾", "林", "田", "岗", "营",
    ];
    let a = A[i % A.len()];
    let b = B[(i / A.len()) % B.len()];
    let round = i / (A.len() * B.len());
    if round == 0 {
        format!("{a}{b}村")
    } else {
        format!("{a}{b}{}村", round + 1)
    }
}

struct HouseholdPlan {
    kind: HouseholdType,
    no_labour: bool,
}

fn build_village(
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    as_of: NaiveDate,
    village: &str,
    vi: usize,
    n: usize,
    ids: &mut people::IdIssuer,
) -> Result<Dataset, GenError> {
    let mut data = Dataset::default();
    let groups = (n / 40 + 3).min(12);
    for hi in 0..n {
        let plan = plan_household(rng, hi);
        let id = format!("{AREA_CODE}{:03}{:05}", vi + 1, hi + 1);
        let group = format!("{}组", hi % groups + 1);
        let h = make_household(rng, as_of, village, &id, &group, &plan, ids);
        data.households.push(h);
    }
    scenarios::add_procedures(rng, cal, as_of, &mut data, vi)?;
    add_measures(rng, as_of, &mut data);
    add_household_problems(rng, as_of, village, &mut data, vi);
    add_visits(as_of, &mut data);
    Ok(data)
}

/// 帮扶效果评估 and 遍访 records (001 §三(三)(四)) for the households monitored as of `as_of`:
/// each one monitored then has last quarter's evaluation and last year's visit; every one due
/// has this quarter's evaluation except the village's last (the rule must list it; the first
/// households are the cases that are fine throughout); every third one has been visited this
/// year already. Draws no random numbers, so the other records stay as they were.
fn add_visits(as_of: NaiveDate, data: &mut Dataset) {
    use crate::rules::compliance::monitor_state;
    use crate::rules::visits::Cycle;
    const EVALUATIONS: &[&str] = &[
        "帮扶措施已落实，效果明显，继续跟踪",
        "收入稳定增长，风险趋于消除",
        "措施落实到位，“两不愁三保障”及饮水安全有保障",
        "产业帮扶效果不明显，建议调整为就业帮扶",
    ];
    const VISITS: &[&str] = &[
        "镇党委书记入户遍访，核查帮扶措施落实情况",
        "镇长入户遍访，督促落实医疗救助政策",
        "镇党委书记入户遍访，协调解决务工就业问题",
    ];
    let rules = crate::model::RulesFile::defaults();
    let remind = rules.follow_up(VisitKind::Evaluation).remind_from_month;
    let quarter = Cycle::of(as_of, 3);
    let last_quarter = quarter.previous();
    let year = Cycle::of(as_of, 12);
    let last_year = year.previous();
    let cases_of = |h: &crate::model::Household| -> Vec<&crate::model::Procedure> {
        data.procedures.iter().filter(|p| p.household_id == h.id).collect()
    };
    // Whether the household is monitored now, and was since `d` (as the rule counts it).
    let monitored_on = |h: &crate::model::Household, d: NaiveDate| {
        let cases = cases_of(h);
        let now = monitor_state(h, &cases, as_of);
        now.monitored && now.since.is_none_or(|s| s <= d) && monitor_state(h, &cases, d).monitored
    };
    let left_out = data
        .households
        .iter()
        .rev()
        .find(|h| monitored_on(h, quarter.month_start(remind)))
        .map(|h| h.id.clone());
    let mut out = Vec::new();
    let mut k = 0usize;
    for h in &data.households {
        let cases = cases_of(h);
        let now = monitor_state(h, &cases, as_of);
        if !now.monitored {
            continue;
        }
        let monitored_on = |d: NaiveDate| monitored_on(h, d);
        let mut add = |kind: VisitKind, date: NaiveDate, text: &str| {
            out.push(Visit {
                household_id: h.id.clone(),
                kind,
                // Never before the household's monitoring began, never after the run date.
                date: now.since.map_or(date, |s| date.max(s)).min(as_of),
                conclusion: Some(text.to_string()),
                place: Place::default(),
            });
        };
        let eval_text = EVALUATIONS[k % EVALUATIONS.len()];
        let visit_text = VISITS[k % VISITS.len()];
        if monitored_on(last_quarter.end) {
            add(
                VisitKind::Evaluation,
                last_quarter.end - Duration::days((k % 25) as i64),
                eval_text,
            );
        }
        if monitored_on(quarter.month_start(remind)) && left_out.as_deref() != Some(h.id.as_str()) {
            add(
                VisitKind::Evaluation,
                quarter.start + Duration::days(55 + (k % 30) as i64),
                eval_text,
            );
        }
        if monitored_on(last_year.end) {
            add(
                VisitKind::Visit,
                last_year.start + Duration::days(300 + (k % 45) as i64),
                visit_text,
            );
        }
        let this_year = year.start + Duration::days(60 + (k % 90) as i64);
        if k.is_multiple_of(3) && this_year <= as_of && monitored_on(this_year) {
            add(VisitKind::Visit, this_year, visit_text);
        }
        k += 1;
    }
    data.visits = out;
}

fn plan_household(rng: &mut ChaCha8Rng, hi: usize) -> HouseholdPlan {
    // The first households of every village are fixed so small samples cover every case.
    let kind = match hi {
        0..=5 => HouseholdType::Monitored,
        6..=9 => HouseholdType::Lifted,
        10..=13 => HouseholdType::Ordinary,
        _ => {
            let x: f64 = rng.random();
            if x < 0.10 {
                HouseholdType::Monitored
            } else if x < 0.42 {
                HouseholdType::Lifted
            } else {
                HouseholdType::Ordinary
            }
        }
    };
    let no_labour = hi == 3 || (hi > 13 && kind == HouseholdType::Monitored && rng.random_bool(0.15));
    HouseholdPlan { kind, no_labour }
}

fn make_household(
    rng: &mut ChaCha8Rng,
    as_of: NaiveDate,
    village: &str,
    id: &str,
    group: &str,
    plan: &HouseholdPlan,
    ids: &mut people::IdIssuer,
) -> Household {
    let size = if plan.no_labour {
        rng.random_range(1..=2)
    } else {
        *people::pick(rng, &[1u32, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
    };
    let head_name = people::name(rng, None);
    let surname = people::surname_of(&head_name).to_string();
    let mut members = Vec::new();
    let head_age: i64 = if plan.no_labour {
        rng.random_range(68..84)
    } else {
        rng.random_range(30..66)
    };
    let head_male = !(plan.no_labour && size == 1 && rng.random_bool(0.5));
    let relations = relations_for(size);
    for (k, rel) in relations.iter().enumerate() {
        let (age, male, name) = match *rel {
            "户主" => (head_age, head_male, head_name.clone()),
            "配偶" => (head_age - 2 + (k as i64 % 4), !head_male, people::name(rng, None)),
            "子" => (head_age - 24 - k as i64 * 3, true, people::name(rng, Some(&surname))),
            "女" => (head_age - 25 - k as i64 * 2, false, people::name(rng, Some(&surname))),
            "父亲" => (head_age + 26, true, people::name(rng, Some(&surname))),
            "母亲" => (head_age + 24, false, people::name(rng, None)),
            "孙子" => (head_age - 50 + k as i64, true, people::name(rng, Some(&surname))),
            _ => (head_age - 52 + k as i64, false, people::name(rng, Some(&surname))),
        };
        let age = age.clamp(1, 95);
        let birth = as_of - Duration::days(age * 365 + rng.random_range(0..365));
        let mid = ids.issue(AREA_CODE, birth, male);
        let labour = if plan.no_labour {
            if age >= 60 {
                LabourCapacity::Lost
            } else {
                LabourCapacity::None
            }
        } else if age < 16 {
            LabourCapacity::None
        } else if age > 65 {
            LabourCapacity::Lost
        } else if rng.random_bool(0.15) {
            LabourCapacity::Weak
        } else {
            LabourCapacity::Capable
        };
        let severe = rng.random_bool(0.03) || (plan.no_labour && k == 0 && rng.random_bool(0.3));
        let health = if severe {
            "残疾"
        } else if age > 60 && rng.random_bool(0.4) {
            "长期慢性病"
        } else if rng.random_bool(0.04) {
            "患有大病"
        } else {
            "健康"
        };
        let schooling = match age {
            6..=15 => "义务教育",
            16..=18 => "普通高中",
            19..=21 if rng.random_bool(0.4) => "大专及以上",
            0..=5 => "学龄前儿童",
            _ => "非在校生",
        };
        members.push(Member {
            household_id: id.to_string(),
            name,
            id: mid,
            relation: (*rel).to_string(),
            sex: Some(if male { Sex::Male } else { Sex::Female }),
            birth: Some(birth),
            labour: Some(labour),
            health: Some(health.to_string()),
            schooling: Some(schooling.to_string()),
            severe_disability: severe,
            place: Place::default(),
            disability: None,
            not_counted: None,
        });
    }
    let head_id = members[0].id.clone();
    let n = members.len() as u32;
    let line = MONITORING_LINE_YUAN;
    let per_capita_target: i64 = match plan.kind {
        HouseholdType::Monitored => rng.random_range(line - 2500..line + 2500),
        HouseholdType::Lifted => rng.random_range(line - 1000..line + 12000),
        HouseholdType::Ordinary => rng.random_range(line..line + 25000),
    };
    let total = per_capita_target * i64::from(n);
    let transfer = if plan.no_labour { total * 8 / 10 } else { total / 10 };
    let wage = if plan.no_labour { 0 } else { total * 55 / 100 };
    let cost = total / 20;
    let property = total / 50;
    let business = total - transfer - wage - property + cost;
    let to_m = Money::from_yuan;
    let net = to_m(wage + business + property + transfer) - to_m(cost);
    let per_capita = net.div_round(n);
    let last_year = Money::from_yuan(per_capita_target + rng.random_range(-1500..1500));
    let components = rng.random_bool(0.85);
    let income = Income {
        wage: components.then(|| to_m(wage)),
        business: components.then(|| to_m(business)),
        property: components.then(|| to_m(property)),
        transfer: components.then(|| to_m(transfer)),
        business_cost: components.then(|| to_m(cost)),
        per_capita: Some(per_capita),
        last_year_per_capita: Some(last_year),
        two_years_ago_per_capita: None,
    };
    let monitor_category = (plan.kind == HouseholdType::Monitored).then(|| {
        *people::pick(
            rng,
            &[
                MonitorCategory::Unstable,
                MonitorCategory::Marginal,
                MonitorCategory::Sudden,
            ],
        )
    });
    let risks = if plan.kind == HouseholdType::Monitored || per_capita.fen() < Money::from_yuan(line).fen() {
        let mut r =
            vec![people::pick(rng, &["因病", "因残", "因学", "因灾", "因意外事故", "因务工就业不稳"]).to_string()];
        if plan.no_labour {
            r.push("缺劳动力".to_string());
        } else if rng.random_bool(0.2) {
            r.push(people::pick(rng, &["因产业项目失败", "住房安全", "其他"]).to_string());
        }
        r
    } else {
        Vec::new()
    };
    let mut key_groups = Vec::new();
    if rng.random_bool(0.05) {
        key_groups.push(people::pick(rng, &["新识别低保", "多子女就学", "刚性支出大", "务工就业不稳"]).to_string());
    }
    Household {
        id: id.to_string(),
        township: TOWNSHIP.to_string(),
        village: village.to_string(),
        group: group.to_string(),
        head_name,
        head_id,
        phone: Some(people::phone(rng)),
        kind: plan.kind,
        monitor_category,
        size: n,
        income,
        risks,
        basic_needs_met: Some(!(plan.kind == HouseholdType::Monitored && rng.random_bool(0.2))),
        no_labour_household: plan.no_labour,
        exclusions: Vec::new(),
        key_groups,
        helper: (plan.kind != HouseholdType::Ordinary).then(|| format!("{}（镇干部）", people::name(rng, None))),
        income_ok_since: None,
        note: None,
        members,
        place: Place::default(),
        monitored_since: None,
        eliminated_on: None,
        sanitary_toilet: None,
    }
}

fn relations_for(size: u32) -> Vec<&'static str> {
    let all = ["户主", "配偶", "子", "女", "母亲", "孙子", "孙女"];
    all.iter().take(size as usize).copied().collect()
}

fn add_measures(rng: &mut ChaCha8Rng, as_of: NaiveDate, data: &mut Dataset) {
    const DEV: &[(&str, &str)] = &[
        ("产业帮扶", "发放产业奖补资金，扶持养殖肉牛2头"),
        ("就业帮扶", "推荐到县工业园区务工，落实一次性交通补贴"),
        ("公益岗位", "安排村级护林员公益岗位"),
        ("小额信贷", "协助申请脱贫人口小额信贷5万元"),
        ("庭院经济", "发展庭院种植，提供蔬菜种苗"),
    ];
    const OTHER: &[(&str, &str)] = &[
        ("健康帮扶", "落实基本医疗保险参保资助和大病保险"),
        ("教育帮扶", "落实义务教育阶段生活补助"),
        ("综合保障", "纳入农村低保"),
        ("住房安全保障", "实施农村危房改造"),
    ];
    let mut out = Vec::new();
    let monitored: Vec<usize> = (0..data.households.len())
        .filter(|&i| data.households[i].kind == HouseholdType::Monitored)
        .collect();
    for (k, &i) in monitored.iter().enumerate() {
        let h = &data.households[i];
        let mut add = |cat: &str, detail: &str, days: i64| {
            out.push(Measure {
                household_id: h.id.clone(),
                category: cat.to_string(),
                detail: detail.to_string(),
                date: Some(as_of - Duration::days(days)),
                place: Place::default(),
            });
        };
        if h.no_labour_household {
            add("综合保障", "纳入农村低保，按月发放低保金", 120);
            add("健康帮扶", "家庭医生签约服务，慢病送药上门", 90);
        } else if k == 1 {
            // A labour-capable household with only 保障式 measures: the rule must flag it.
            add("综合保障", "纳入农村低保", 100);
        } else {
            let (c, d) = people::pick(rng, DEV);
            add(c, d, rng.random_range(20..200));
            if rng.random_bool(0.6) {
                let (c, d) = people::pick(rng, OTHER);
                add(c, d, rng.random_range(20..200));
            }
        }
    }
    data.measures = out;
}

/// (type, content, measure, unit) for household problems.
fn problem_text(t: ProblemType) -> (&'static str, &'static str, &'static str) {
    match t {
        ProblemType::Education => ("家中适龄子女辍学在家", "劝返复学并落实控辍保学措施", "镇中心学校"),
        ProblemType::Medical => (
            "一名家庭成员未参加基本医疗保险",
            "协助补缴城乡居民医保并落实参保资助",
            "镇卫生院",
        ),
        ProblemType::Housing => (
            "住房墙体开裂，经鉴定为C级危房",
            "纳入农村危房改造计划，改造前安排过渡住房",
            "镇村镇规划建设服务中心",
        ),
        ProblemType::Water => ("旱季自来水供水不稳定", "维修村组供水管网，建设蓄水池", "镇水务站"),
        ProblemType::Relocation => (
            "易地搬迁户后续扶持措施未落实",
            "落实安置点就业帮扶和社区融入措施",
            "镇社会事务办",
        ),
        ProblemType::Industry => ("产业奖补资金未及时兑现", "核实后兑现产业奖补资金", "镇农业农村服务中心"),
        ProblemType::Employment => ("有劳动力但未实现稳定就业", "推荐就业岗位并开展技能培训", "镇劳动保障所"),
        ProblemType::Credit => ("小额信贷到期未续贷，影响产业发展", "协调银行办理续贷", "镇乡村振兴办"),
        ProblemType::Consumption => ("农产品滞销", "纳入消费帮扶产品目录，对接销售渠道", "镇农业农村服务中心"),
        ProblemType::Funds => ("帮扶资金使用公示不及时", "补齐资金使用公示", "镇财政所"),
        ProblemType::Monitoring => ("收入骤减未及时纳入监测", "按程序开展入户核实和识别纳入", "镇乡村振兴办"),
        ProblemType::Assistance => (
            "帮扶责任人未按期入户走访",
            "落实每月入户走访并记录帮扶手册",
            "镇乡村振兴办",
        ),
        ProblemType::Overall => (
            "两不愁三保障及饮水安全综合判定依据不全",
            "补充完善佐证资料",
            "村民委员会",
        ),
    }
}

fn add_household_problems(rng: &mut ChaCha8Rng, as_of: NaiveDate, village: &str, data: &mut Dataset, vi: usize) {
    let n = (data.households.len() / 5).max(12).min(data.households.len());
    for k in 0..n {
        let h = &data.households[(k * 7 + vi) % data.households.len()];
        let t = ProblemType::ALL[(k + vi * 5) % ProblemType::ALL.len()];
        let (content, measure, unit) = problem_text(t);
        let state = k % 3;
        let (deadline, status, done) = match state {
            0 => (
                as_of - Duration::days(10),
                RectificationStatus::Done,
                Some(as_of - Duration::days(12)),
            ),
            1 => (
                as_of + Duration::days(rng.random_range(5..40)),
                RectificationStatus::InProgress,
                None,
            ),
            _ => (
                as_of - Duration::days(rng.random_range(3..20)),
                RectificationStatus::InProgress,
                None,
            ),
        };
        data.problems.push(Problem {
            seq: Some(k as u32 + 1),
            township: TOWNSHIP.to_string(),
            village: Some(village.to_string()),
            household_id: Some(h.id.clone()),
            head_name: Some(h.head_name.clone()),
            level: ProblemLevel::Household,
            kind: t,
            content: content.to_string(),
            measure: measure.to_string(),
            person: h.helper.clone().unwrap_or_else(|| "村党总支书记".to_string()),
            unit: unit.to_string(),
            deadline: Some(deadline),
            status: Some(status),
            done,
            effect: done.map(|_| "已整改到位，经回访农户满意".to_string()),
            place: Place::default(),
        });
    }
    // Two village-level area problems.
    for (j, t) in [ProblemType::Monitoring, ProblemType::Funds].into_iter().enumerate() {
        let (content, measure, _) = problem_text(t);
        data.problems.push(Problem {
            seq: Some((n + j + 1) as u32),
            township: TOWNSHIP.to_string(),
            village: Some(village.to_string()),
            household_id: None,
            head_name: None,
            level: ProblemLevel::Village,
            kind: t,
            content: format!("全村{content}"),
            measure: measure.to_string(),
            person: "村党总支书记".to_string(),
            unit: format!("{village}村民委员会"),
            deadline: Some(as_of + Duration::days(15)),
            status: Some(if j == 0 {
                RectificationStatus::Done
            } else {
                RectificationStatus::InProgress
            }),
            done: (j == 0).then(|| as_of - Duration::days(5)),
            effect: (j == 0).then(|| "已完成".to_string()),
            place: Place::default(),
        });
    }
}

fn build_township(rng: &mut ChaCha8Rng, as_of: NaiveDate, villages: &[String]) -> Dataset {
    let mut data = Dataset::default();
    for (k, &t) in ProblemType::ALL.iter().enumerate() {
        let (content, measure, unit) = problem_text(t);
        let county = k % 5 == 4;
        let state = k % 3;
        let (deadline, status, done) = match state {
            0 => (
                as_of - Duration::days(5),
                RectificationStatus::Done,
                Some(as_of - Duration::days(8)),
            ),
            1 => (as_of + Duration::days(30), RectificationStatus::InProgress, None),
            _ => (
                as_of - Duration::days(rng.random_range(2..15)),
                RectificationStatus::InProgress,
                None,
            ),
        };
        data.problems.push(Problem {
            seq: Some(k as u32 + 1),
            township: TOWNSHIP.to_string(),
            village: None,
            household_id: None,
            head_name: None,
            level: if county {
                ProblemLevel::County
            } else {
                ProblemLevel::Township
            },
            kind: t,
            content: format!("部分村{content}"),
            measure: format!("全镇统筹：{measure}"),
            person: if county {
                "县乡村振兴局分管副局长".to_string()
            } else {
                "镇分管副镇长".to_string()
            },
            unit: if county {
                "县乡村振兴局".to_string()
            } else {
                unit.to_string()
            },
            deadline: Some(deadline),
            status: Some(status),
            done,
            effect: done.map(|_| "已整改到位".to_string()),
            place: Place::default(),
        });
    }
    // Milestone reports: most villages on time, one late, the last node not yet reported; the
    // township reports its own nodes (on time when due).
    let ms = milestones(as_of);
    for (name, due, _) in ms.iter().filter(|(n, _, _)| TOWNSHIP_MILESTONES.contains(n)) {
        data.milestone_reports.push(MilestoneReport {
            unit: TOWNSHIP.to_string(),
            milestone: (*name).to_string(),
            done: (*due <= as_of).then(|| *due - Duration::days(1)),
            place: Place::default(),
        });
    }
    for (vi, v) in villages.iter().enumerate() {
        for (mi, (name, due, _)) in ms.iter().enumerate() {
            if TOWNSHIP_MILESTONES.contains(name) {
                continue;
            }
            let done = if *due > as_of {
                None
            } else if (vi + mi) % 7 == 3 {
                Some(*due + Duration::days(2))
            } else if (vi + mi) % 11 == 5 {
                None
            } else {
                Some(*due - Duration::days(1))
            };
            data.milestone_reports.push(MilestoneReport {
                unit: v.clone(),
                milestone: (*name).to_string(),
                done,
                place: Place::default(),
            });
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProcedureKind;

    #[test]
    fn sample_has_required_coverage() {
        let s = build(&GenOptions::sample()).unwrap();
        assert_eq!(s.villages.len(), 3);
        assert!(s.household_count() >= 60);
        assert!(s.member_count() >= 200, "members {}", s.member_count());
        let problems: Vec<&Problem> = s
            .villages
            .iter()
            .flat_map(|v| v.data.problems.iter())
            .chain(s.township_data.problems.iter())
            .collect();
        assert!(problems.len() >= 40);
        for t in ProblemType::ALL {
            assert!(
                problems
                    .iter()
                    .any(|p| p.kind == *t && p.level == ProblemLevel::Household),
                "{t}"
            );
        }
        for k in ProcedureKind::ALL {
            assert!(
                s.villages
                    .iter()
                    .any(|v| v.data.procedures.iter().any(|p| p.kind == *k)),
                "{k}"
            );
        }
    }

    #[test]
    fn deterministic() {
        let a = build(&GenOptions::sample()).unwrap();
        let b = build(&GenOptions::sample()).unwrap();
        assert_eq!(format!("{:?}", a.villages[0].data), format!("{:?}", b.villages[0].data));
    }

    #[test]
    fn ids_are_unique_and_valid() {
        let s = build(&GenOptions {
            households: 500,
            villages: 4,
            seed: 1,
            as_of: GenOptions::sample().as_of,
        })
        .unwrap();
        let mut seen = std::collections::HashSet::new();
        for v in &s.villages {
            for h in &v.data.households {
                for m in &h.members {
                    assert!(seen.insert(m.id.clone()), "duplicate {}", m.id);
                    assert_eq!(check_char(&m.id[..17]), m.id.chars().nth(17).unwrap());
                }
            }
        }
    }
}
