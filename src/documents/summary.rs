//! 整改情况汇总表 (002 附件3-2): per unit and problem type, 共排查问题数 / 已整改数 / 正在整改数 /
//! 拟识别监测对象户数·人数, with the four 三保障和饮水安全 rows grouped. Counts come from the rules'
//! `Summary`, which reconciles with the ledger lines.

use super::ledger::FormHead;
use crate::model::Workspace;
use crate::rules::{Evaluation, SummaryCounts};
use chrono::NaiveDate;
use serde::Serialize;

pub const TITLE: &str = "巩固拓展脱贫攻坚成果集中排查整改情况汇总表";
/// The group label printed over the four 三保障和饮水安全 rows.
pub const BASIC_GROUP: &str = "“三保障”和饮水安全";

#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    pub title: String,
    /// 内部资料 on every page (see `documents::is_public`).
    pub internal_mark: String,
    pub head: FormHead,
    pub as_of: NaiveDate,
    pub units: Vec<SummaryUnitView>,
    /// 合计 over all units.
    pub total: SummaryCounts,
    /// 注 printed under the heading: how the counts are made, and the row fangpin adds to 002's form.
    pub note: String,
}

/// 002 附件3-2 lists 12 problem types; the 入户排查表's 13th item 综合判定 is counted as a row too.
pub const OVERALL_NOTE: &str = "“综合判定”一行是本表在附件3-2所列12类问题之外增加的，统计入户排查表第13项“综合判定”（该户是否疑似存在返贫致贫风险、是否要纳入监测对象进行评议）发现的问题";

#[derive(Debug, Clone, Serialize)]
pub struct SummaryUnitView {
    /// 单位 (村, 镇级层面, 县级层面 …)
    pub unit: String,
    /// One line per problem type, 三保障和饮水安全 first.
    pub rows: Vec<SummaryLine>,
    /// 三保障和饮水安全 subtotal.
    pub basic_guarantee: SummaryCounts,
    /// 小计 for the unit.
    pub total: SummaryCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryLine {
    /// `“三保障”和饮水安全` for its four sub-rows, else None.
    pub group: Option<String>,
    /// 问题类型
    pub problem_type: String,
    pub counts: SummaryCounts,
}

pub fn view(ws: &Workspace, eval: &Evaluation) -> SummaryView {
    let units = eval
        .summary
        .units
        .iter()
        .map(|u| {
            let mut rows: Vec<SummaryLine> = u
                .by_type
                .iter()
                .map(|(t, c)| SummaryLine {
                    group: t.is_basic_guarantee().then(|| BASIC_GROUP.to_string()),
                    problem_type: t.label().to_string(),
                    counts: *c,
                })
                .collect();
            // The form prints the grouped rows first; keep the rules' order otherwise.
            rows.sort_by_key(|r| r.group.is_none());
            SummaryUnitView {
                unit: u.unit.clone(),
                rows,
                basic_guarantee: u.basic_guarantee,
                total: u.total,
            }
        })
        .collect();
    let head = FormHead::new(ws, eval.as_of);
    let note = format!(
        "注：正在整改数含逾期未整改数；合计与问题整改台账逐项核对一致（统计至{}）；{OVERALL_NOTE}。",
        head.date_text
    );
    SummaryView {
        title: TITLE.to_string(),
        internal_mark: super::internal_mark(super::DocKind::Summary),
        head,
        as_of: eval.as_of,
        units,
        total: eval.summary.total,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::fixtures::*;
    use super::*;

    #[test]
    fn rows_per_unit_with_grouped_basic_guarantee() {
        let v = view(&workspace(), &evaluation());
        assert_eq!(v.units.len(), 3);
        let u = &v.units[0];
        assert_eq!(u.unit, "芒洪村");
        assert_eq!(u.rows.len(), 13);
        assert!(u.rows[..4].iter().all(|r| r.group.as_deref() == Some(BASIC_GROUP)));
        assert!(u.rows[4..].iter().all(|r| r.group.is_none()));
        assert_eq!(u.rows[2].problem_type, "住房安全");
        assert_eq!(u.rows[2].counts.found, 1);
        assert_eq!(u.total.found, 2);
        assert_eq!(v.total.found, 4);
        let sum: u32 = v.units.iter().map(|u| u.total.found).sum();
        assert_eq!(sum, v.total.found);
        // The 13th row is fangpin's, and the form says so.
        assert_eq!(u.rows.last().unwrap().problem_type, "综合判定");
        assert!(v.note.contains("附件3-2所列12类问题之外增加"), "{}", v.note);
    }
}
