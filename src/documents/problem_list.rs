//! 数据问题清单: every problem found in the input, with its place, so a clerk can open the source
//! file and fix it cell by cell.

use crate::model::{Diagnostic, Severity};
use crate::rules::Evaluation;
use serde::Serialize;

pub const TITLE: &str = "数据问题清单";

#[derive(Debug, Clone, Serialize)]
pub struct ProblemListView {
    pub title: String,
    pub rows: Vec<ProblemLine>,
    pub errors: u32,
    pub warnings: u32,
    /// `共12条：错误3条，警告9条` (or `未发现数据问题`)
    pub summary_text: String,
    /// The second sheet 规则核查: rule findings, then the 暂缓公示 cases. None when the rules did
    /// not run (the data has errors).
    pub rules: Option<Vec<RuleLine>>,
}

/// One row of the 规则核查 sheet.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLine {
    pub seq: u32,
    /// 村
    pub village: String,
    /// 户编号
    pub household_id: String,
    /// 户主姓名
    pub head_name: String,
    /// 规则
    pub rule: String,
    /// 问题（及修改建议）
    pub message: String,
    /// 级别 (错误 / 警告 / 暂缓公示)
    pub level: String,
    pub error: bool,
}

/// The list with its 规则核查 sheet: every rule finding (errors first), then each 暂缓公示 case
/// with its reason, basis and what to do.
pub fn view_with_rules(diagnostics: &[Diagnostic], eval: &Evaluation) -> ProblemListView {
    let mut v = view(diagnostics);
    let mut findings: Vec<_> = eval.findings.iter().collect();
    findings.sort_by_key(|f| f.severity != Severity::Error);
    let mut rows: Vec<RuleLine> = findings
        .into_iter()
        .map(|f| RuleLine {
            seq: 0,
            village: f.village.clone(),
            household_id: f.household_id.clone(),
            head_name: f.head_name.clone(),
            rule: f.rule.clone(),
            message: fit(&f.message),
            level: f.severity.label().to_string(),
            error: f.severity == Severity::Error,
        })
        .collect();
    for c in crate::rules::report::held_back(eval) {
        for h in &c.holds {
            rows.push(RuleLine {
                seq: 0,
                village: c.village.clone(),
                household_id: c.household_id.clone(),
                head_name: c.head_name.clone(),
                rule: h.rule.clone(),
                message: format!(
                    "{}程序暂缓公示：{}（依据：{}）。如何处理：{}",
                    c.kind.label(),
                    h.reason,
                    h.basis,
                    h.fix
                ),
                level: "暂缓公示".to_string(),
                error: true,
            });
        }
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.seq = i as u32 + 1;
    }
    v.rules = Some(rows);
    v
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemLine {
    pub seq: u32,
    /// 文件 (relative to the workspace)
    pub file: String,
    /// 工作表 (empty for YAML)
    pub sheet: String,
    /// 单元格: `E12` for Excel, `12:3` (line:column) for YAML.
    pub cell: String,
    /// 字段
    pub field: String,
    /// 值
    pub value: String,
    /// 问题
    pub message: String,
    /// 修改建议
    pub fix: String,
    /// 级别 (serialises as 错误 / 警告)
    pub severity: Severity,
}

/// Longest text shown in one cell of the list: whatever a message quotes from the input, the
/// list must stay writable (Excel holds 32,767 characters a cell) and readable.
const MAX_CELL_CHARS: usize = 2000;

fn fit(s: &str) -> String {
    if s.len() <= MAX_CELL_CHARS {
        return s.to_string();
    }
    let n = s.chars().count();
    if n <= MAX_CELL_CHARS {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX_CELL_CHARS).collect();
    format!("{head}……（共{n}个字符，以下从略）")
}

pub fn view(diagnostics: &[Diagnostic]) -> ProblemListView {
    let rows: Vec<ProblemLine> = diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = &d.place;
            let cell = match (&p.cell, p.line, p.column) {
                (Some(c), _, _) => c.clone(),
                (None, Some(l), Some(c)) => format!("{l}:{c}"),
                (None, Some(l), None) => l.to_string(),
                (None, None, _) => p.row.map(|r| format!("第{r}行")).unwrap_or_default(),
            };
            ProblemLine {
                seq: i as u32 + 1,
                file: p.file.clone(),
                sheet: p.sheet.clone().unwrap_or_default(),
                cell,
                field: d.field.clone(),
                value: fit(&d.value),
                message: fit(&d.message),
                fix: fit(&d.fix),
                severity: d.severity,
            }
        })
        .collect();
    let errors = rows.iter().filter(|r| r.severity == Severity::Error).count() as u32;
    let warnings = rows.len() as u32 - errors;
    let summary_text = if rows.is_empty() {
        "未发现数据问题".to_string()
    } else {
        format!("共{}条：错误{}条，警告{}条", rows.len(), errors, warnings)
    };
    ProblemListView {
        title: TITLE.to_string(),
        rows,
        errors,
        warnings,
        summary_text,
        rules: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Place;

    #[test]
    fn excel_and_yaml_places() {
        let d = vec![
            Diagnostic::error(
                Place::cell("芒洪村.xlsx", "成员", 11, 4),
                "证件号码",
                "5.30926E+17",
                "证件号码被存成了数字",
                "把该列设为文本后重新填写",
            ),
            Diagnostic::warning(
                Place::line("团结村.yaml", 14, 3),
                "风险类型",
                "因穷",
                "不在词表中",
                "改为词表中的值",
            ),
            Diagnostic::warning(
                Place::file("campaign.yaml"),
                "",
                "",
                "未设置统计截止日",
                "填写统计截止日",
            ),
        ];
        let v = view(&d);
        assert_eq!(v.rows[0].cell, "E12");
        assert_eq!(v.rows[0].sheet, "成员");
        assert_eq!(v.rows[1].cell, "14:3");
        assert_eq!(v.rows[1].sheet, "");
        assert_eq!(v.rows[2].cell, "");
        assert_eq!((v.errors, v.warnings), (1, 2));
        assert_eq!(v.summary_text, "共3条：错误1条，警告2条");
        assert_eq!(v.rows[2].seq, 3);
    }

    #[test]
    fn rule_findings_and_held_cases_fill_the_second_sheet() {
        let ws = crate::ingest::load_workspace(std::path::Path::new("data")).unwrap();
        let ev = crate::rules::evaluate(&ws, ws.campaign.as_of.unwrap()).unwrap();
        let v = view_with_rules(&ws.diagnostics, &ev);
        let rules = v.rules.unwrap();
        assert_eq!(
            rules.iter().filter(|r| r.level != "暂缓公示").count(),
            ev.findings.len()
        );
        let held: Vec<_> = rules.iter().filter(|r| r.level == "暂缓公示").collect();
        assert_eq!(
            held.len(),
            crate::rules::report::held_back(&ev)
                .map(|c| c.holds.len())
                .sum::<usize>()
        );
        assert!(
            held.iter()
                .any(|r| r.head_name == "何文军" && r.message.contains("如何处理"))
        );
        assert_eq!(rules.last().map(|r| r.seq), Some(rules.len() as u32));
        assert!(view(&ws.diagnostics).rules.is_none());
    }

    #[test]
    fn huge_quoted_input_is_cut_to_fit_a_cell() {
        let big = "长".repeat(100_000);
        let d = vec![Diagnostic::warning(
            Place::file("a.yaml"),
            "",
            big.clone(),
            format!("无法识别的键“{big}”"),
            "",
        )];
        let v = view(&d);
        assert!(v.rows[0].value.chars().count() < 2100);
        let m = &v.rows[0].message;
        assert!(
            m.ends_with("（共100008个字符，以下从略）"),
            "{}",
            m.chars().rev().take(20).collect::<String>()
        );
    }
}
