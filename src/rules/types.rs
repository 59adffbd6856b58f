//! What the rules produce; documents and reports read these.

use crate::model::{Money, ProblemType, ProcedureKind};
use chrono::NaiveDate;
use serde::Serialize;

/// All rule results for one workspace as of one date.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub as_of: NaiveDate,
    /// One per household, same order as `Dataset::households`.
    pub incomes: Vec<IncomeResult>,
    /// One per household, same order as `Dataset::households`.
    pub screening: Vec<ScreeningResult>,
    /// One row per (case, rule), plus milestone rows; see `ComplianceRow`.
    pub compliance: Vec<ComplianceRow>,
    /// One per problem, same order as `Dataset::problems`.
    pub ledger: Vec<LedgerRow>,
    pub summary: Summary,
    /// Rule-level findings that are not deadline rows (exclusion hit, income mismatch, …).
    pub findings: Vec<Finding>,
    /// One verdict per case, same order as `Dataset::procedures`.
    pub cases: Vec<super::verdict::CaseVerdict>,
}

/// 家庭人均纯收入 and its comparison with the line and last year.
#[derive(Debug, Clone, Serialize)]
pub struct IncomeResult {
    pub household_id: String,
    /// 家庭纯收入 (components − 生产经营性支出), when components are given.
    pub net_total: Option<Money>,
    /// 家庭人均纯收入: computed from components, else as given.
    pub per_capita: Option<Money>,
    /// per_capita > 监测范围
    pub above_line: Option<bool>,
    /// per_capita − 上年人均纯收入
    pub change: Option<Money>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningResult {
    pub household_id: String,
    /// 两不愁三保障及饮水安全是否全部达标
    pub basic_needs_met: Option<bool>,
    /// 人均纯收入是否超过监测范围
    pub income_above_line: Option<bool>,
    /// 是否属于核查重点群体
    pub key_group: bool,
    /// Why (computed reasons and input flags), Chinese.
    pub reasons: Vec<String>,
    /// 排除情形 that apply.
    pub exclusions: Vec<String>,
}

/// 状态 of one (case, rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ComplianceStatus {
    #[serde(rename = "违规")]
    Violation,
    #[serde(rename = "已逾期未完成")]
    Overdue,
    #[serde(rename = "逾期完成")]
    Late,
    #[serde(rename = "即将到期")]
    DueSoon,
    #[serde(rename = "未到期")]
    Pending,
    #[serde(rename = "按时完成")]
    OnTime,
}

impl ComplianceStatus {
    /// Every status, most urgent first: the one order reports, tables and tallies use (the
    /// enum's own order, which sorting by status follows too).
    pub const ALL: [ComplianceStatus; 6] = [
        ComplianceStatus::Violation,
        ComplianceStatus::Overdue,
        ComplianceStatus::Late,
        ComplianceStatus::DueSoon,
        ComplianceStatus::Pending,
        ComplianceStatus::OnTime,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ComplianceStatus::Violation => "违规",
            ComplianceStatus::Overdue => "已逾期未完成",
            ComplianceStatus::Late => "逾期完成",
            ComplianceStatus::DueSoon => "即将到期",
            ComplianceStatus::Pending => "未到期",
            ComplianceStatus::OnTime => "按时完成",
        }
    }

    /// Needs attention (shown first, highlighted).
    pub fn is_bad(self) -> bool {
        matches!(
            self,
            ComplianceStatus::Violation | ComplianceStatus::Overdue | ComplianceStatus::Late
        )
    }
}

/// One row of the 时限合规报告.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceRow {
    /// 户编号 (empty for campaign milestone rows)
    pub household_id: String,
    /// 户主姓名 (for milestone rows: the reporting unit)
    pub head_name: String,
    pub village: String,
    /// 程序 (None for milestone and household-level rules)
    pub procedure: Option<ProcedureKind>,
    /// 规则 name
    pub rule: String,
    /// 截止
    pub due: Option<NaiveDate>,
    /// 完成
    pub done: Option<NaiveDate>,
    pub status: ComplianceStatus,
    /// 天数: days late, overdue or short (0 when none).
    pub days: i64,
    /// Explanation in Chinese (e.g. 公示期仅3个工作日，少于5个工作日).
    pub note: String,
}

/// 整改状态 as of the run date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LedgerStatus {
    #[serde(rename = "已整改")]
    Done,
    #[serde(rename = "正在整改")]
    InProgress,
    #[serde(rename = "逾期未整改")]
    Overdue,
}

impl LedgerStatus {
    pub fn label(self) -> &'static str {
        match self {
            LedgerStatus::Done => "已整改",
            LedgerStatus::InProgress => "正在整改",
            LedgerStatus::Overdue => "逾期未整改",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    /// Index into `Dataset::problems`.
    pub problem: usize,
    pub status: LedgerStatus,
    /// Days past 整改时限 without completion (0 otherwise).
    pub days_overdue: i64,
}

/// 整改情况汇总表 (002 附件3-2).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Per unit (村, then 镇级/县级 for area problems), in order; each with one row per problem type.
    pub units: Vec<SummaryUnit>,
    /// 合计 over all units.
    pub total: SummaryCounts,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SummaryUnit {
    pub unit: String,
    /// One per `ProblemType::ALL`, in that order.
    pub by_type: Vec<(ProblemType, SummaryCounts)>,
    /// 三保障和饮水安全 subtotal (the four sub-rows).
    pub basic_guarantee: SummaryCounts,
    /// 合计 for this unit.
    pub total: SummaryCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SummaryCounts {
    /// 共排查问题数
    pub found: u32,
    /// 已整改数
    pub done: u32,
    /// 正在整改数 (including 逾期未整改)
    pub in_progress: u32,
    /// 拟识别监测对象户数
    pub households: u32,
    /// 拟识别监测对象人数
    pub people: u32,
}

/// A rule-level finding about one household or case.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub household_id: String,
    pub head_name: String,
    pub village: String,
    /// Short rule name, e.g. 排除情形, 整户无劳动能力不得风险消除.
    pub rule: String,
    pub message: String,
    pub severity: crate::model::Severity,
}
