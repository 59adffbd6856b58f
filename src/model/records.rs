use super::{
    Disability, HouseholdType, LabourCapacity, Money, MonitorCategory, PartialDate, Place, ProblemLevel, ProblemType,
    ProcedureKind, RectificationStatus, RosterEntry, Sex, Stage, Visit,
};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the data files of a workspace hold, validated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Dataset {
    pub households: Vec<Household>,
    pub procedures: Vec<Procedure>,
    pub measures: Vec<Measure>,
    pub problems: Vec<Problem>,
    pub milestone_reports: Vec<MilestoneReport>,
    /// People on department rosters (部门数据, 信息比对), matched to members where possible.
    pub rosters: Vec<RosterEntry>,
    /// 帮扶效果评估 and 遍访 records.
    pub visits: Vec<Visit>,
}

impl Dataset {
    pub fn household(&self, id: &str) -> Option<&Household> {
        self.households.iter().find(|h| h.id == id)
    }

    pub fn member_count(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }

    /// Village names in first-seen order.
    pub fn villages(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for h in &self.households {
            if !seen.contains(&h.village) {
                seen.push(h.village.clone());
            }
        }
        for p in &self.problems {
            if let Some(v) = &p.village
                && !v.is_empty()
                && !seen.contains(v)
            {
                seen.push(v.clone());
            }
        }
        seen
    }
}

/// 收入: the components of 家庭纯收入 over the 12 months before the visit (003 §二(一)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Income {
    /// 工资性收入
    pub wage: Option<Money>,
    /// 生产经营性收入
    pub business: Option<Money>,
    /// 财产性收入
    pub property: Option<Money>,
    /// 转移性收入
    pub transfer: Option<Money>,
    /// 生产经营性支出
    pub business_cost: Option<Money>,
    /// 家庭人均纯收入 as given in the input (the rules compute it from components when present).
    pub per_capita: Option<Money>,
    /// 上年人均纯收入
    pub last_year_per_capita: Option<Money>,
    /// 前年人均纯收入 (for "income fell two years running", 000 §一(一))
    pub two_years_ago_per_capita: Option<Money>,
}

impl Income {
    pub fn has_components(&self) -> bool {
        self.wage.is_some()
            || self.business.is_some()
            || self.property.is_some()
            || self.transfer.is_some()
            || self.business_cost.is_some()
    }
}

/// 户 — one household.
#[derive(Debug, Clone, Serialize)]
pub struct Household {
    /// 户编号
    pub id: String,
    /// 乡镇
    pub township: String,
    /// 行政村
    pub village: String,
    /// 村民小组
    pub group: String,
    /// 户主姓名
    pub head_name: String,
    /// 户主证件号码 (validated, upper-case X)
    pub head_id: String,
    /// 联系电话
    pub phone: Option<String>,
    /// 户类型
    pub kind: HouseholdType,
    /// 监测对象类型
    pub monitor_category: Option<MonitorCategory>,
    /// 家庭人口数 as stated (may differ from `members.len()`; ingest warns).
    pub size: u32,
    pub income: Income,
    /// 风险类型 (canonical labels from the vocabulary)
    pub risks: Vec<String>,
    /// 两不愁三保障及饮水安全是否达标
    pub basic_needs_met: Option<bool>,
    /// 是否整户无劳动能力 (兜底保障户)
    pub no_labour_household: bool,
    /// 排除情形 (000 附件1 不得纳入 cases, canonical labels)
    pub exclusions: Vec<String>,
    /// 重点群体 flags carried from input (canonical labels)
    pub key_groups: Vec<String>,
    /// 帮扶责任人
    pub helper: Option<String>,
    /// 收入达标起始日期 (for 风险消除: income above the line since)
    pub income_ok_since: Option<NaiveDate>,
    /// 识别监测时间 / 纳入日期: when the household became a 监测对象 (the national system gives a month).
    pub monitored_since: Option<PartialDate>,
    /// 消除监测时间 (风险消除), when the input states it.
    pub eliminated_on: Option<PartialDate>,
    /// 是否有卫生厕所 (the national 户信息 field), when the input states it.
    pub sanitary_toilet: Option<bool>,
    /// 备注
    pub note: Option<String>,
    pub members: Vec<Member>,
    pub place: Place,
}

impl Household {
    /// The head of household's member row, if listed.
    pub fn head(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.id == self.head_id)
            .or_else(|| self.members.iter().find(|m| m.relation == "户主"))
    }

    /// People count used for 家庭人口 and per-capita income: the member rows when present (without
    /// the 死亡/服刑/失踪/不共享收支 members, 000 附件1(九)), else 家庭人口数.
    pub fn people(&self) -> u32 {
        if self.members.is_empty() {
            self.size
        } else {
            self.members.iter().filter(|m| m.not_counted.is_none()).count() as u32
        }
    }
}

/// 成员 — one person.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub household_id: String,
    /// 姓名
    pub name: String,
    /// 证件号码 (validated)
    pub id: String,
    /// 与户主关系
    pub relation: String,
    /// 性别 (from input, else from the ID)
    pub sex: Option<Sex>,
    /// 出生日期 (from the ID)
    pub birth: Option<NaiveDate>,
    /// 劳动能力
    pub labour: Option<LabourCapacity>,
    /// 健康状况
    pub health: Option<String>,
    /// 在校生状况
    pub schooling: Option<String>,
    /// 是否重度残疾
    pub severe_disability: bool,
    /// 残疾类别与等级 (from a 残疾人证号 or a roster), when known.
    pub disability: Option<Disability>,
    /// 死亡 / 服刑 / 失踪 / 不共享收支: the person is listed but not counted in 家庭人口 nor in
    /// per-capita income (000 附件1(九)); the reason as given.
    pub not_counted: Option<String>,
    pub place: Place,
}

impl Member {
    /// Age in whole years on `on` (None without a birth date).
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        let b = self.birth?;
        on.years_since(b)
    }
}

/// 程序 — one case of 识别纳入 / 风险消除 / 风险消除回退 / 清退 with its stage dates.
#[derive(Debug, Clone, Serialize)]
pub struct Procedure {
    /// 户编号
    pub household_id: String,
    /// 程序类型
    pub kind: ProcedureKind,
    /// 线索来源 (自主申报 / 干部排查 / 部门预警 …)
    pub lead_source: Option<String>,
    /// 风险消除方式 (for 风险消除: 帮扶消除 / 自然消除)
    pub elimination_mode: Option<String>,
    /// Stage → date reached.
    pub stages: BTreeMap<Stage, NaiveDate>,
    /// 收入达标起始日期 given on the case (overrides the household's).
    pub income_ok_since: Option<NaiveDate>,
    /// 备注
    pub note: Option<String>,
    pub place: Place,
}

impl Procedure {
    pub fn date(&self, stage: Stage) -> Option<NaiveDate> {
        self.stages.get(&stage).copied()
    }
}

/// 帮扶措施 — one measure for one household.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub household_id: String,
    /// 措施类别 (canonical label from the vocabulary)
    pub category: String,
    /// 具体措施
    pub detail: String,
    /// 落实日期
    pub date: Option<NaiveDate>,
    pub place: Place,
}

/// 问题 — one rectification item (a ledger row).
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// 序号 as given
    pub seq: Option<u32>,
    /// 乡镇
    pub township: String,
    /// 村 (empty for county/township-level problems)
    pub village: Option<String>,
    /// 户编号 (household problems)
    pub household_id: Option<String>,
    /// 户主姓名 (household problems; filled from the household when only 户编号 is given)
    pub head_name: Option<String>,
    /// 问题层级
    pub level: ProblemLevel,
    /// 问题类型
    pub kind: ProblemType,
    /// 具体内容
    pub content: String,
    /// 整改措施
    pub measure: String,
    /// 责任人
    pub person: String,
    /// 责任单位
    pub unit: String,
    /// 整改时限
    pub deadline: Option<NaiveDate>,
    /// 整改状态 as reported
    pub status: Option<RectificationStatus>,
    /// 完成日期
    pub done: Option<NaiveDate>,
    /// 整改成效
    pub effect: Option<String>,
    pub place: Place,
}

/// 进度 — a unit reports when it completed a campaign milestone.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneReport {
    /// 单位 (乡镇 or 村)
    pub unit: String,
    /// 节点 (matches a 时间安排 name)
    pub milestone: String,
    /// 完成日期 (None: not done yet)
    pub done: Option<NaiveDate>,
    pub place: Place,
}
