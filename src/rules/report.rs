//! The counts and lines every command prints the same way: `check`, `compliance` and `build`
//! (and the web page) report one tally of data problems, rule findings, deadline states and
//! 暂缓公示 cases, so the same workspace never gets different numbers from different commands.

use super::verdict::CaseVerdict;
use super::{ComplianceStatus, Evaluation, LedgerStatus};
use crate::model::{Severity, Workspace};
use serde::Serialize;
use std::fmt::Write as _;

/// What a workspace's check found, by severity and kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Data problems (数据问题清单): errors stop the build, warnings do not.
    pub data_errors: usize,
    pub data_warnings: usize,
    /// Rule findings (规则核查): an error concerns one case and holds it back; never the build.
    pub rule_errors: usize,
    pub rule_warnings: usize,
    /// 已逾期未完成 and 违规 rows of the 时限合规报告.
    pub overdue: usize,
    pub violations: usize,
    /// 逾期未整改 rectification items.
    pub overdue_problems: usize,
    /// Cases kept off the public documents (暂缓公示).
    pub held_back: usize,
}

impl Tally {
    pub fn of(ws: &Workspace, eval: &Evaluation) -> Tally {
        let count = |s: Severity| eval.findings.iter().filter(|f| f.severity == s).count();
        Tally {
            data_errors: ws.error_count(),
            data_warnings: ws.warning_count(),
            rule_errors: count(Severity::Error),
            rule_warnings: count(Severity::Warning),
            overdue: eval
                .compliance
                .iter()
                .filter(|c| c.status == ComplianceStatus::Overdue)
                .count(),
            violations: eval
                .compliance
                .iter()
                .filter(|c| c.status == ComplianceStatus::Violation)
                .count(),
            overdue_problems: eval.ledger.iter().filter(|l| l.status == LedgerStatus::Overdue).count(),
            held_back: eval.cases.iter().filter(|c| c.held_back()).count(),
        }
    }

    /// The one summary line: 数据：错误 0，警告 2；规则：错误 3，警告 5；时限：…；暂缓公示 4 个案例。
    pub fn line(&self) -> String {
        format!(
            "数据：错误 {}，警告 {}；规则：错误 {}，警告 {}；时限：已逾期未完成 {}，违规 {}；整改：逾期未整改 {}；暂缓公示 {} 个案例。",
            self.data_errors,
            self.data_warnings,
            self.rule_errors,
            self.rule_warnings,
            self.overdue,
            self.violations,
            self.overdue_problems,
            self.held_back
        )
    }
}

/// The held-back cases (暂缓公示), in case order.
pub fn held_back(eval: &Evaluation) -> impl Iterator<Item = &CaseVerdict> {
    eval.cases.iter().filter(|c| c.held_back())
}

/// 暂缓公示 for a terminal: a heading and one line per case with its reasons and what to do.
pub fn held_back_text(eval: &Evaluation) -> String {
    held_back_text_at_most(eval, usize::MAX)
}

/// [`held_back_text`] listing at most `limit` cases (a county-size summary stays readable); the
/// rest are counted and pointed to the report tables that list them all.
pub fn held_back_text_at_most(eval: &Evaluation, limit: usize) -> String {
    let held: Vec<&CaseVerdict> = held_back(eval).collect();
    if held.is_empty() {
        return String::new();
    }
    let mut out = format!("暂缓公示 {} 个案例（不列入公示、公告）：\n", held.len());
    let rest = held.len().saturating_sub(limit);
    for c in held.into_iter().take(limit) {
        let reasons: Vec<String> = c
            .holds
            .iter()
            .map(|h| format!("{}（如何处理：{}）", h.reason, h.fix))
            .collect();
        let _ = writeln!(
            out,
            "  {} {}（{}）{}：{}",
            c.village,
            c.head_name,
            c.household_id,
            c.kind.label(),
            reasons.join("；")
        );
    }
    if rest > 0 {
        let _ = writeln!(
            out,
            "  ……其余 {rest} 个案例见时限合规报告的“暂缓公示”表和数据问题清单的“规则核查”表（fangpin check 列出全部）"
        );
    }
    out
}

/// Rule findings for a terminal, errors first: who, rule, what is wrong and what to do.
pub fn findings_text(eval: &Evaluation) -> String {
    if eval.findings.is_empty() {
        return String::new();
    }
    let mut out = format!("规则核查发现（{}条）：\n", eval.findings.len());
    let mut items: Vec<_> = eval.findings.iter().collect();
    items.sort_by_key(|f| f.severity != Severity::Error);
    for f in items {
        let who = match (f.household_id.is_empty(), f.head_name.is_empty()) {
            (false, false) => format!("{} {}（{}）", f.village, f.head_name, f.household_id),
            (false, true) => format!("户编号{}", f.household_id),
            (true, false) => f.head_name.clone(),
            (true, true) => String::new(),
        };
        let _ = writeln!(out, "  [{}] {who} {}：{}", f.severity.label(), f.rule, f.message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_tally_counts_every_kind() {
        let ws = crate::ingest::load_workspace(std::path::Path::new("data")).unwrap();
        let ev = super::super::evaluate(&ws, ws.campaign.as_of.unwrap()).unwrap();
        let t = Tally::of(&ws, &ev);
        assert_eq!(t.data_errors, 0);
        // The sample plants (README): three exclusion cases, three 整户无劳动能力 eliminations,
        // three below-line and two too-early eliminations, three never-monitored households.
        assert_eq!(t.held_back, 14, "{}", held_back_text(&ev));
        assert!(t.rule_errors >= 9, "{t:?}");
        let line = t.line();
        assert!(line.contains("暂缓公示 14 个案例"), "{line}");
        let text = held_back_text(&ev);
        assert!(text.contains("何文军") && text.contains("如何处理"), "{text}");
        let short = held_back_text_at_most(&ev, 3);
        assert_eq!(short.lines().count(), 1 + 3 + 1, "{short}");
        assert!(short.contains("其余 11 个案例"), "{short}");
    }
}
