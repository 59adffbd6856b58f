//! 监测对象名册: every monitored household with its members and FULL ID numbers. An internal
//! document (内部资料): it never goes on a noticeboard.

use super::date_zh;
use super::ledger::FormHead;
use crate::model::{HouseholdType, Money, Workspace};
use crate::rules::Evaluation;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

pub const TITLE: &str = "防止返贫监测对象名册";
/// Printed on every page.
pub const MARKING: &str = "内部资料　注意保密";

#[derive(Debug, Clone, Serialize)]
pub struct RosterView {
    pub title: String,
    pub marking: String,
    pub head: FormHead,
    pub as_of: NaiveDate,
    pub as_of_text: String,
    pub households: Vec<RosterHousehold>,
    /// 户数
    pub household_count: u32,
    /// 人数 (member rows, or 家庭人口数 where no member is listed)
    pub people_count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct RosterHousehold {
    pub seq: u32,
    /// 行政村
    pub village: String,
    /// 村民小组
    pub group: String,
    /// 户编号
    pub household_id: String,
    pub head_name: String,
    /// 户主证件号码, full.
    pub head_id: String,
    /// 联系电话, full.
    pub phone: String,
    /// 监测对象类型 (脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户), empty when not given.
    pub category: String,
    /// 家庭人口数
    pub people: u32,
    /// 家庭人均纯收入 (元), computed by the rules where components are given.
    pub per_capita: Option<Money>,
    pub per_capita_text: String,
    /// 风险类型 joined with 、
    pub risks: String,
    /// 是否整户无劳动能力: 是 / 否
    pub no_labour: String,
    /// 帮扶责任人
    pub helper: String,
    pub members: Vec<RosterMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RosterMember {
    pub name: String,
    /// 证件号码, full.
    pub id: String,
    /// 与户主关系
    pub relation: String,
    /// 性别
    pub sex: String,
    /// 年龄 on the as-of date.
    pub age: Option<u32>,
    pub age_text: String,
    /// 劳动能力
    pub labour: String,
    /// 健康状况
    pub health: String,
    /// 在校生状况
    pub schooling: String,
    /// 是否重度残疾: 是 / 否
    pub severe_disability: String,
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

pub fn view(ws: &Workspace, eval: &Evaluation) -> RosterView {
    let incomes: HashMap<&str, Option<Money>> = eval
        .incomes
        .iter()
        .map(|i| (i.household_id.as_str(), i.per_capita))
        .collect();
    let mut households = Vec::new();
    for h in ws
        .data
        .households
        .iter()
        .filter(|h| h.kind == HouseholdType::Monitored || h.monitor_category.is_some())
    {
        let per_capita = incomes.get(h.id.as_str()).copied().unwrap_or(h.income.per_capita);
        let members = h
            .members
            .iter()
            .map(|m| {
                let age = m.age_on(eval.as_of);
                RosterMember {
                    name: m.name.clone(),
                    id: m.id.clone(),
                    relation: m.relation.clone(),
                    sex: m.sex.map(|s| s.label().to_string()).unwrap_or_default(),
                    age,
                    age_text: age.map(|a| a.to_string()).unwrap_or_default(),
                    labour: m.labour.map(|l| l.label().to_string()).unwrap_or_default(),
                    health: m.health.clone().unwrap_or_default(),
                    schooling: m.schooling.clone().unwrap_or_default(),
                    severe_disability: yes_no(m.severe_disability),
                }
            })
            .collect();
        households.push(RosterHousehold {
            seq: households.len() as u32 + 1,
            village: h.village.clone(),
            group: h.group.clone(),
            household_id: h.id.clone(),
            head_name: h.head_name.clone(),
            head_id: h.head_id.clone(),
            phone: h.phone.clone().unwrap_or_default(),
            category: h.monitor_category.map(|c| c.label().to_string()).unwrap_or_default(),
            people: h.people(),
            per_capita,
            per_capita_text: per_capita.map(|m| m.yuan_string()).unwrap_or_default(),
            risks: h.risks.join("、"),
            no_labour: yes_no(h.no_labour_household),
            helper: h.helper.clone().unwrap_or_default(),
            members,
        });
    }
    RosterView {
        title: TITLE.to_string(),
        marking: MARKING.to_string(),
        head: FormHead::new(ws, eval.as_of),
        as_of: eval.as_of,
        as_of_text: date_zh(eval.as_of),
        household_count: households.len() as u32,
        people_count: households.iter().map(|h| h.people).sum(),
        households,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::fixtures::*;
    use super::*;

    #[test]
    fn monitored_households_with_full_ids() {
        let v = view(&workspace(), &evaluation());
        assert_eq!(v.household_count, 2);
        assert_eq!(v.people_count, 4);
        let h = &v.households[0];
        assert_eq!(h.household_id, "H001");
        assert_eq!(h.category, "边缘易致贫户");
        assert_eq!(h.head_id, "150724198001010263");
        assert_eq!(h.per_capita_text, "7000.00");
        assert_eq!(h.members[1].id, "15072419820202026X");
        assert_eq!(h.members[0].age, Some(54));
        assert_eq!(v.households[1].seq, 2);
        assert_eq!(v.households[1].household_id, "H003");
    }
}
