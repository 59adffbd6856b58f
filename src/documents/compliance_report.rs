//! 时限合规报告: one line per (case, rule) and per (unit, campaign milestone), with the status as of
//! the run date. Lines needing attention come first, as the office works through them top-down.

use super::date_zh;
use super::ledger::FormHead;
use crate::model::Workspace;
use crate::rules::{ComplianceRow, ComplianceStatus, Evaluation};
use chrono::NaiveDate;
use serde::Serialize;

pub const TITLE: &str = "防止返贫监测帮扶办理时限合规报告";

/// Every status in report order (most urgent first).
pub const STATUS_ORDER: [ComplianceStatus; 6] = ComplianceStatus::ALL;

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceView {
    pub title: String,
    /// 内部资料 on every page (see `documents::is_public`).
    pub internal_mark: String,
    pub head: FormHead,
    pub as_of: NaiveDate,
    /// 统计截止日 `2024年6月30日`
    pub as_of_text: String,
    /// Procedure and household rules (one per case and rule).
    pub cases: Vec<ComplianceLine>,
    /// Campaign milestones (时间安排) per reporting unit.
    pub milestones: Vec<ComplianceLine>,
    /// Count per status over cases and milestones, in `STATUS_ORDER`.
    pub tally: Vec<StatusCount>,
    /// 暂缓公示: the cases the rules keep off the public documents, one line per reason.
    pub held: Vec<HeldLine>,
}

/// One line of the 暂缓公示 table (户编号, 户主, 程序, 原因, 依据, 如何处理).
#[derive(Debug, Clone, Serialize)]
pub struct HeldLine {
    pub seq: u32,
    pub village: String,
    pub household_id: String,
    pub head_name: String,
    /// 程序
    pub procedure: String,
    /// 原因
    pub reason: String,
    /// 依据
    pub basis: String,
    /// 如何处理
    pub fix: String,
}

/// The 暂缓公示 lines of an evaluation, in case order.
pub fn held_lines(eval: &Evaluation) -> Vec<HeldLine> {
    let mut out = Vec::new();
    for c in crate::rules::report::held_back(eval) {
        for h in &c.holds {
            out.push(HeldLine {
                seq: out.len() as u32 + 1,
                village: c.village.clone(),
                household_id: c.household_id.clone(),
                head_name: c.head_name.clone(),
                procedure: c.kind.label().to_string(),
                reason: h.reason.clone(),
                basis: h.basis.clone(),
                fix: h.fix.clone(),
            });
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    pub status: ComplianceStatus,
    pub cases: u32,
    pub milestones: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceLine {
    /// 序号 within its table.
    pub seq: u32,
    /// 村
    pub village: String,
    /// 户编号 (empty for milestones)
    pub household_id: String,
    /// 户主姓名; for milestones the reporting unit.
    pub head_name: String,
    /// 程序 label, empty for household-level rules and milestones.
    pub procedure: String,
    /// 规则 (milestones: 节点)
    pub rule: String,
    /// 截止
    pub due: Option<NaiveDate>,
    pub due_text: String,
    /// 完成
    pub done: Option<NaiveDate>,
    pub done_text: String,
    /// 状态 (serialises as its Chinese label)
    pub status: ComplianceStatus,
    /// 天数: days late, overdue or short.
    pub days: i64,
    /// 说明
    pub note: String,
    /// Needs attention (违规 / 已逾期未完成 / 逾期完成).
    pub bad: bool,
}

fn line(r: &ComplianceRow) -> ComplianceLine {
    ComplianceLine {
        seq: 0,
        village: r.village.clone(),
        household_id: r.household_id.clone(),
        head_name: r.head_name.clone(),
        procedure: r.procedure.map(|p| p.label().to_string()).unwrap_or_default(),
        rule: r.rule.clone(),
        due: r.due,
        due_text: r.due.map(date_zh).unwrap_or_default(),
        done: r.done,
        done_text: r.done.map(date_zh).unwrap_or_default(),
        status: r.status,
        days: r.days,
        note: r.note.clone(),
        bad: r.status.is_bad(),
    }
}

pub fn view(ws: &Workspace, eval: &Evaluation) -> ComplianceView {
    let (mut milestones, mut cases): (Vec<ComplianceLine>, Vec<ComplianceLine>) = eval
        .compliance
        .iter()
        .map(line)
        .partition(|l| l.household_id.is_empty());
    // Stable: within one status the rules' order (by village and household) is kept.
    cases.sort_by_key(|l| l.status);
    milestones.sort_by_key(|l| l.status);
    for (i, l) in cases.iter_mut().enumerate() {
        l.seq = i as u32 + 1;
    }
    for (i, l) in milestones.iter_mut().enumerate() {
        l.seq = i as u32 + 1;
    }
    let tally = STATUS_ORDER
        .iter()
        .map(|s| StatusCount {
            status: *s,
            cases: cases.iter().filter(|l| l.status == *s).count() as u32,
            milestones: milestones.iter().filter(|l| l.status == *s).count() as u32,
        })
        .collect();
    ComplianceView {
        title: TITLE.to_string(),
        internal_mark: super::internal_mark(super::DocKind::Compliance),
        head: FormHead::new(ws, eval.as_of),
        as_of: eval.as_of,
        as_of_text: date_zh(eval.as_of),
        cases,
        milestones,
        tally,
        held: held_lines(eval),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::fixtures::*;
    use super::*;

    #[test]
    fn splits_cases_and_milestones_urgent_first() {
        let v = view(&workspace(), &evaluation());
        assert_eq!(v.cases.len(), 2);
        assert_eq!(v.milestones.len(), 1);
        assert_eq!(v.cases[0].status, ComplianceStatus::Violation);
        assert!(v.cases[0].bad);
        assert_eq!(v.cases[0].procedure, "识别纳入");
        assert_eq!(v.cases[1].seq, 2);
        assert_eq!(v.milestones[0].head_name, "芒洪村");
        assert_eq!(v.milestones[0].due_text, "2024年6月10日");
        let total: u32 = v.tally.iter().map(|t| t.cases + t.milestones).sum();
        assert_eq!(total, 3);
        assert_eq!(v.tally[0].cases, 1);
    }
}
