//! 防止返贫监测帮扶筛查表 (004 附件): one row per household of a village, pre-filled from the
//! data and the screening rules. The same view feeds 筛查表.pdf and 筛查表.xlsx.

use super::commitment::cn_date;
use crate::model::{Household, Money, Procedure, ProcedureKind, Workspace};
use crate::rules::verdict::CaseVerdict;
use crate::rules::{Evaluation, IncomeResult, ScreeningResult};
use serde::Serialize;
use std::collections::HashMap;

pub const TITLE: &str = "防止返贫监测帮扶筛查表";

/// The column titles of 004 附件 (plus the household details the office needs to find the row),
/// in print order. `{line}` stands for the monitoring line in 元.
pub const COLUMNS: &[&str] = &[
    "序号",
    "村民小组",
    "户编号",
    "户主姓名",
    "户类型",
    "家庭人口数",
    "“两不愁三保障”及饮水安全是否全部达标",
    "家庭人均纯收入（元）",
    "家庭人均纯收入是否超过{line}元",
    "是否属于核查重点群体",
    "初步核查意见",
    "自主申报户主签字",
    "不自主申报户主签字",
    "调查员签字",
    "排查时间",
    "备注",
];

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningView {
    pub title: String,
    /// 内部资料 on every page (see `documents::is_public`).
    pub internal_mark: String,
    /// 省, 县 (旗), 乡镇, 村 as printed in the heading line.
    pub province: String,
    pub county: String,
    pub township: String,
    pub village: String,
    /// 监测范围 in whole 元, e.g. `6900`.
    pub line: String,
    /// Column titles with the line filled in (see `COLUMNS`).
    pub columns: Vec<String>,
    /// 统计截止日 / as-of date, 2024年6月30日.
    pub as_of: String,
    pub rows: Vec<ScreeningRow>,
    /// 共筛查户数
    pub household_count: String,
    /// 核查重点群体户数
    pub key_group_count: String,
}

/// One household. Yes/no fields are 是 / 否, or empty when the data does not say.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningRow {
    pub seq: String,
    /// 户编号
    pub household_id: String,
    /// 村民小组
    pub group: String,
    pub head_name: String,
    /// 户类型, with the 监测对象类型 in brackets for 监测户.
    pub household_type: String,
    /// 家庭人口数 (member rows when listed, else as stated).
    pub people: String,
    /// “两不愁三保障”及饮水安全是否全部达标
    pub basic_needs_met: String,
    /// 家庭人均纯收入, 2 decimals; empty when unknown.
    pub per_capita: String,
    /// The same as a number, for spreadsheets (serialises as the same string).
    pub per_capita_money: Option<Money>,
    /// 家庭人均纯收入是否超过监测范围
    pub income_above_line: String,
    /// 是否属于核查重点群体: 是 / 否
    pub key_group: String,
    /// Why, joined with 、 (computed reasons and input flags).
    pub key_group_reasons: String,
    /// 排除情形 that apply, joined with 、.
    pub exclusions: String,
    /// 初步核查意见: what the cases and flags already establish; empty when nothing is known.
    pub opinion: String,
    /// 有自主申报意愿 (input flag or a case opened by 自主申报).
    pub self_declared: bool,
    /// 排查时间: left for the surveyor.
    pub surveyed_on: String,
    /// 备注
    pub note: String,
}

/// The 筛查表 of one village; `None` when the village has no household.
pub fn view(ws: &Workspace, eval: &Evaluation, village: &str) -> Option<ScreeningView> {
    let cases = cases_by_household(ws, eval);
    let rows: Vec<ScreeningRow> = ws
        .data
        .households
        .iter()
        .enumerate()
        .filter(|(_, h)| h.village == village)
        .enumerate()
        .map(|(n, (i, h))| row(eval, &cases, i, h, n + 1))
        .collect();
    let first = ws.data.households.iter().find(|h| h.village == village)?;
    let line = ws.campaign.monitoring_line.round_yuan().to_string();
    let key_groups = rows.iter().filter(|r| r.key_group == "是").count();
    Some(ScreeningView {
        title: TITLE.to_string(),
        internal_mark: super::internal_mark(super::DocKind::Screening),
        province: ws.campaign.region.province.clone(),
        county: ws.campaign.region.county.clone(),
        township: first.township.clone(),
        village: village.to_string(),
        columns: COLUMNS.iter().map(|c| c.replace("{line}", &line)).collect(),
        line,
        as_of: cn_date(eval.as_of),
        household_count: rows.len().to_string(),
        key_group_count: key_groups.to_string(),
        rows,
    })
}

/// The household's rule results: by position when the evaluation is aligned with the data
/// (the rules keep that order), else by 户编号.
pub(crate) fn results<'a>(
    eval: &'a Evaluation,
    index: usize,
    h: &Household,
) -> (Option<&'a ScreeningResult>, Option<&'a IncomeResult>) {
    let s = eval
        .screening
        .get(index)
        .filter(|s| s.household_id == h.id)
        .or_else(|| eval.screening.iter().find(|s| s.household_id == h.id));
    let i = eval
        .incomes
        .get(index)
        .filter(|s| s.household_id == h.id)
        .or_else(|| eval.incomes.iter().find(|s| s.household_id == h.id));
    (s, i)
}

/// Each household's cases with their verdicts, built once per table (scanning all of the
/// county's cases for every household would make the table quadratic).
fn cases_by_household<'a>(ws: &'a Workspace, eval: &'a Evaluation) -> HashMap<&'a str, Vec<Case<'a>>> {
    let mut map: HashMap<&str, Vec<Case>> = HashMap::new();
    for v in &eval.cases {
        if let Some(p) = ws.data.procedures.get(v.procedure) {
            map.entry(p.household_id.as_str()).or_default().push((p, v));
        }
    }
    map
}

/// A case and its verdict.
type Case<'a> = (&'a Procedure, &'a CaseVerdict);

fn row(eval: &Evaluation, cases: &HashMap<&str, Vec<Case>>, index: usize, h: &Household, seq: usize) -> ScreeningRow {
    let cases: &[Case] = cases.get(h.id.as_str()).map(Vec::as_slice).unwrap_or_default();
    let (s, inc) = results(eval, index, h);
    let per_capita = inc.and_then(|i| i.per_capita).or(h.income.per_capita);
    let basic = s.and_then(|s| s.basic_needs_met).or(h.basic_needs_met);
    let above = s.and_then(|s| s.income_above_line).or(inc.and_then(|i| i.above_line));
    let reasons: Vec<String> = s.map(|s| s.reasons.clone()).unwrap_or_default();
    let exclusions: Vec<String> = s.map(|s| s.exclusions.clone()).unwrap_or_else(|| h.exclusions.clone());
    let self_declared = h.key_groups.iter().any(|k| k == "自主申报")
        || cases.iter().any(|(p, _)| p.lead_source.as_deref() == Some("自主申报"));
    ScreeningRow {
        seq: seq.to_string(),
        household_id: h.id.clone(),
        group: h.group.clone(),
        head_name: h.head_name.clone(),
        household_type: household_type(h),
        people: h.people().to_string(),
        basic_needs_met: yes_no(basic),
        per_capita: per_capita.map(|m| m.yuan_string()).unwrap_or_default(),
        per_capita_money: per_capita,
        income_above_line: yes_no(above),
        key_group: yes_no(Some(s.is_some_and(|s| s.key_group))),
        key_group_reasons: reasons.join("、"),
        exclusions: exclusions.join("、"),
        opinion: opinion(cases, &exclusions),
        self_declared,
        surveyed_on: String::new(),
        note: h.note.clone().unwrap_or_default(),
    }
}

/// 脱贫户, 一般农户, or 监测户（边缘易致贫户）.
pub(crate) fn household_type(h: &Household) -> String {
    match h.monitor_category {
        Some(c) => format!("{}（{}）", h.kind.label(), c.label()),
        None => h.kind.label().to_string(),
    }
}

pub(crate) fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "是".to_string(),
        Some(false) => "否".to_string(),
        None => String::new(),
    }
}

/// 初步核查意见 as far as the rules establish it: each case's state from its verdict (open,
/// publicised, approved, held back), latest case of a kind only; an exclusion must be written
/// down (000 附件1), never dropped silently.
fn opinion(cases: &[Case], exclusions: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for kind in ProcedureKind::ALL {
        // The case of this kind that decides the household's state: the last in input order.
        if let Some((_, v)) = cases.iter().rev().find(|(p, _)| p.kind == *kind) {
            parts.push(v.state_text());
        }
    }
    if !exclusions.is_empty() {
        parts.push(format!("存在不得纳入情形：{}", exclusions.join("、")));
    }
    parts.join("；")
}

#[cfg(test)]
mod tests {
    use super::super::commitment::fixture::*;
    use super::*;
    use crate::model::{HouseholdType, MonitorCategory, ProcedureKind, Stage};

    const ID: &str = "150724198001010015";

    #[test]
    fn rows_are_prefilled_from_data_and_rules() {
        let mut a = household("H1", "东山村", "张三", ID);
        a.income.per_capita = Some(Money::from_yuan(7000));
        a.kind = HouseholdType::Monitored;
        a.monitor_category = Some(MonitorCategory::Marginal);
        a.key_groups.push("自主申报".into());
        let mut b = household("H2", "东山村", "李四", ID);
        b.income.per_capita = Some(Money(912_345));
        b.basic_needs_met = None;
        b.exclusions.push("购买消费型汽车".into());
        b.note = Some("外出务工".into());
        let c = household("H3", "西山村", "王五", ID);
        let mut ws = workspace(vec![a, b, c]);
        ws.data.procedures.push(procedure(
            "H1",
            ProcedureKind::Identification,
            &[(Stage::LeadFound, date(2024, 5, 1))],
        ));
        let mut ev = evaluation(&ws);
        ev.screening[0].key_group = true;
        ev.screening[0].reasons = vec!["人均纯收入低于监测范围".into(), "自主申报".into()];

        let v = view(&ws, &ev, "东山村").unwrap();
        assert_eq!(v.line, "8300");
        assert_eq!(v.columns[8], "家庭人均纯收入是否超过8300元");
        assert_eq!(v.columns.len(), COLUMNS.len());
        assert_eq!(v.as_of, "2024年6月30日");
        assert_eq!(v.household_count, "2");
        assert_eq!(v.key_group_count, "1");

        let r = &v.rows[0];
        assert_eq!(r.seq, "1");
        assert_eq!(r.household_type, "监测户（边缘易致贫户）");
        assert_eq!(r.people, "1");
        assert_eq!(r.basic_needs_met, "是");
        assert_eq!(r.per_capita, "7000.00");
        assert_eq!(r.income_above_line, "否");
        assert_eq!(r.key_group, "是");
        assert_eq!(r.key_group_reasons, "人均纯收入低于监测范围、自主申报");
        assert_eq!(r.opinion, "拟纳入监测对象，识别纳入程序办理中");
        assert!(r.self_declared);

        let r = &v.rows[1];
        assert_eq!(r.seq, "2");
        assert_eq!(r.basic_needs_met, "");
        assert_eq!(r.per_capita, "9123.45");
        assert_eq!(r.income_above_line, "是");
        assert_eq!(r.key_group, "否");
        assert_eq!(r.exclusions, "购买消费型汽车");
        assert_eq!(r.opinion, "存在不得纳入情形：购买消费型汽车");
        assert_eq!(r.note, "外出务工");
        assert!(!r.self_declared);
    }

    #[test]
    fn unknowns_stay_blank_and_missing_village_is_none() {
        let mut h = household("H1", "东山村", "张三", ID);
        h.basic_needs_met = None;
        let ws = workspace(vec![h]);
        let mut ev = evaluation(&ws);
        // Results out of order are still matched by 户编号.
        ev.screening.clear();
        ev.incomes.clear();
        let v = view(&ws, &ev, "东山村").unwrap();
        let r = &v.rows[0];
        assert_eq!(
            (
                r.basic_needs_met.as_str(),
                r.per_capita.as_str(),
                r.income_above_line.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(r.key_group, "否");
        assert_eq!(r.opinion, "");
        assert!(view(&ws, &ev, "西山村").is_none());
    }
}
