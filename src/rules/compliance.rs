//! Deadline compliance (时限合规): one row per (case, rule), plus policy checks and campaign
//! milestones (DESIGN.md §2).
//!
//! * Deadline rules come from `rules.yaml` (`RulesFile::active_deadlines`). Each applies to the
//!   cases of the procedure kinds it names once its start stage is reached, and always yields a
//!   row: 按时完成 / 逾期完成 / 未到期 / 即将到期 / 已逾期未完成, or 违规 when the end stage is
//!   dated before the start stage or a 下限 (minimum period, e.g. 公示期) is not met.
//! * Policy checks add a row only when they find something:
//!   - 环节顺序: the core stages of a case dated out of order;
//!   - 公示期满后方可审核审批: 乡镇审核 / 县级审批 / 结果公告 / 录入 on or before the last day of
//!     the publicity period (the later of the recorded 公示结束 and the rule's earliest end) —
//!     the period runs to the end of its last day, so a review that day is still inside it;
//!   - 风险消除 for a 整户无劳动能力 household (never allowed);
//!   - 风险消除 before income has stayed above the line for the configured months, or with the
//!     current income not above the line (shown 未到期 while the case is in progress and the
//!     months are not yet complete, so the clerk sees the earliest allowed approval date);
//!   - a labour-capable monitored household without any 开发式 measure as of the date, due by
//!     the 帮扶计划 deadline of its identification case (即将到期 / 已逾期未完成; 违规 when no
//!     case is in the data to date it);
//!   - monitored for the configured years (default 2) since 县级审批 without elimination and
//!     not 整户无劳动能力 (shown when due soon or past).
//! * Campaign milestones: one row per (unit, milestone) for every village and every unit that
//!   reported progress.
//! * Support checks of monitored households (应消未消, 兜底, 缺什么补什么, 户厕改造): `monitoring`.
//! * 帮扶效果评估 and 遍访 (001 §三(三)(四)) of monitored households: see `visits`.
//! * Township-only milestones (责任单位: 乡镇) are the township's rows only.
//!
//! A stage dated after `as_of` has not happened yet as of that date and is treated as absent.
//! Days late/overdue are counted in working days for 工作日 rules, otherwise in calendar days.

use super::calendar::{Calendar, CalendarError};
use super::{ComplianceRow, ComplianceStatus, Finding, IncomeResult, Index};
use crate::model::{
    Dataset, DeadlineRule, DurationUnit, Household, LabourCapacity, MilestoneDef, Money, Procedure, ProcedureKind,
    RulesFile, Severity, Stage,
};
use chrono::NaiveDate;

/// Everything a compliance check needs besides the data.
pub struct Ctx<'a> {
    pub rules: &'a RulesFile,
    pub calendar: &'a Calendar,
    pub as_of: NaiveDate,
    pub line: Money,
    /// The campaign's 乡镇: the unit of the township-only milestones.
    pub township: &'a str,
}

/// Rule names of the built-in policy checks (the 规则 column).
pub const RULE_ORDER: &str = "环节顺序";
pub const RULE_PUBLICITY_FIRST: &str = "公示期满后方可审核审批";
pub const RULE_NO_LABOUR: &str = "整户无劳动能力不得风险消除";
pub const RULE_DEVELOPMENTAL: &str = "有劳动能力监测户落实开发式帮扶";
pub const MILESTONE_PREFIX: &str = "时间安排：";

/// The name of the stable-income rule, with its month count.
pub fn rule_stable_income(months: u32) -> String {
    format!("风险消除须收入稳定超过监测范围{months}个月")
}

/// The name of the long-monitoring review rule, with its year count.
pub fn rule_long_monitoring(years: u32) -> String {
    format!("纳入监测满{years}年未消除风险")
}

/// The stages every case passes through in this order (others run in parallel and are
/// checked by deadline rules).
const CHAIN: &[Stage] = &[
    Stage::LeadFound,
    Stage::HomeVisit,
    Stage::VillageReview,
    Stage::PublicityStart,
    Stage::PublicityEnd,
    Stage::TownshipReview,
    Stage::CountyApproval,
    Stage::ResultNotice,
    Stage::Recorded,
];

/// Stages that may only happen after the publicity period.
const AFTER_PUBLICITY: &[Stage] = &[
    Stage::TownshipReview,
    Stage::CountyApproval,
    Stage::ResultNotice,
    Stage::Recorded,
];

/// The result of one deadline rule on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: ComplianceStatus,
    /// 截止: the latest allowed end (上限) or the earliest allowed end (下限 only).
    pub due: Option<NaiveDate>,
    pub days: i64,
    pub note: String,
}

pub use super::period::due_date;
use super::period::{add_days, add_months, length as elapsed};

/// How far `d` is past `due`, in days of the rule's unit (working days for 工作日 rules, so a
/// weekend right after the due day is not late); 0 when not past.
fn past_due(cal: &Calendar, unit: DurationUnit, due: NaiveDate, d: NaiveDate) -> Result<i64, CalendarError> {
    if d <= due {
        return Ok(0);
    }
    Ok(match unit {
        DurationUnit::WorkingDays => i64::from(cal.working_days_between(add_days(due, 1), d)?),
        _ => (d - due).num_days(),
    })
}

fn unit_words(unit: DurationUnit) -> &'static str {
    match unit {
        DurationUnit::CalendarDays => "个自然日",
        DurationUnit::WorkingDays => "个工作日",
        DurationUnit::Months => "个月",
    }
}

/// The unit 天数 is counted in for a rule.
fn day_words(unit: DurationUnit) -> &'static str {
    match unit {
        DurationUnit::WorkingDays => "个工作日",
        _ => "天",
    }
}

/// Status of a pending deadline as of a date: overdue, due soon or not yet due.
fn pending_status(
    cal: &Calendar,
    unit: DurationUnit,
    due: NaiveDate,
    as_of: NaiveDate,
    soon: u32,
) -> Result<(ComplianceStatus, i64, i64), CalendarError> {
    let over = past_due(cal, unit, due, as_of)?;
    if over > 0 {
        return Ok((ComplianceStatus::Overdue, over, 0));
    }
    let left = (due - as_of).num_days().max(0);
    if left <= i64::from(soon) {
        Ok((ComplianceStatus::DueSoon, 0, left))
    } else {
        Ok((ComplianceStatus::Pending, 0, left))
    }
}

/// Apply one deadline rule to one case whose start stage was reached on `from`.
/// `to` is the end stage's date if reached by `as_of`. None when the rule has no bound.
pub fn apply_rule(
    rule: &DeadlineRule,
    cal: &Calendar,
    from: NaiveDate,
    to: Option<NaiveDate>,
    as_of: NaiveDate,
    soon: u32,
) -> Result<Option<Outcome>, CalendarError> {
    let (from_l, to_l) = (rule.from.label(), rule.to.label());
    let unit = rule.unit;
    if let Some(t) = to
        && t < from
    {
        return Ok(Some(Outcome {
            status: ComplianceStatus::Violation,
            due: None,
            days: (from - t).num_days(),
            note: format!("{to_l}（{t}）早于{from_l}（{from}），环节顺序颠倒"),
        }));
    }
    let inclusive_words = if rule.inclusive { "（含当日）" } else { "" };
    let mut min_outcome = None;
    if let Some(n) = rule.min {
        let earliest = due_date(cal, unit, n, rule.inclusive, from)?;
        let base = format!("{from_l}{from}起{inclusive_words}不少于{n}{}", unit_words(unit));
        let outcome = match to {
            Some(t) => {
                let short = match elapsed(cal, unit, rule.inclusive, from, t)? {
                    Some(len) => (i64::from(n) - len).max(0),
                    None => (earliest - t).num_days().max(0),
                };
                let shortfall = match unit {
                    DurationUnit::Months => t < earliest,
                    _ => short > 0,
                };
                if shortfall {
                    let len = elapsed(cal, unit, rule.inclusive, from, t)?;
                    let note = match len {
                        Some(len) => format!(
                            "{}仅{len}{}，少于{n}{}（{from_l}{from}至{to_l}{t}）",
                            rule.name,
                            unit_words(unit),
                            unit_words(unit)
                        ),
                        None => format!("{}不足{n}个月：{to_l}{t}早于{earliest}", rule.name),
                    };
                    Outcome {
                        status: ComplianceStatus::Violation,
                        due: Some(earliest),
                        days: short,
                        note,
                    }
                } else {
                    Outcome {
                        status: ComplianceStatus::OnTime,
                        due: Some(earliest),
                        days: 0,
                        note: base,
                    }
                }
            }
            None => {
                if as_of >= earliest {
                    Outcome {
                        status: ComplianceStatus::OnTime,
                        due: Some(earliest),
                        days: 0,
                        note: format!("{base}；已满{n}{}，未填{to_l}日期", unit_words(unit)),
                    }
                } else {
                    let left = (earliest - as_of).num_days();
                    let status = if left <= i64::from(soon) {
                        ComplianceStatus::DueSoon
                    } else {
                        ComplianceStatus::Pending
                    };
                    Outcome {
                        status,
                        due: Some(earliest),
                        days: 0,
                        note: format!("{base}；{earliest}期满，还剩{left}天"),
                    }
                }
            }
        };
        if outcome.status == ComplianceStatus::Violation || rule.max.is_none() {
            return Ok(Some(outcome));
        }
        min_outcome = Some(outcome);
    }
    let Some(n) = rule.max else {
        return Ok(min_outcome);
    };
    let due = due_date(cal, unit, n, rule.inclusive, from)?;
    let base = format!("{from_l}{from}起{inclusive_words}{n}{}内完成{to_l}", unit_words(unit));
    let dw = day_words(unit);
    let outcome = match to {
        Some(t) => {
            let late = past_due(cal, unit, due, t)?;
            if late > 0 {
                Outcome {
                    status: ComplianceStatus::Late,
                    due: Some(due),
                    days: late,
                    note: format!("{base}；{to_l}{t}，逾期{late}{dw}"),
                }
            } else {
                Outcome {
                    status: ComplianceStatus::OnTime,
                    due: Some(due),
                    days: 0,
                    note: base,
                }
            }
        }
        None => {
            let (status, days, left) = pending_status(cal, unit, due, as_of, soon)?;
            let note = match status {
                ComplianceStatus::Overdue => format!("{base}；截至{as_of}已逾期{days}{dw}"),
                _ => format!("{base}；还剩{left}天"),
            };
            Outcome {
                status,
                due: Some(due),
                days,
                note,
            }
        }
    };
    Ok(Some(outcome))
}

/// Status of a calendar-day deadline (milestones): done by `due`, late, or pending as of a date.
pub fn calendar_deadline(
    due: NaiveDate,
    done: Option<NaiveDate>,
    as_of: NaiveDate,
    soon: u32,
) -> (ComplianceStatus, i64) {
    match done {
        Some(d) if d <= due => (ComplianceStatus::OnTime, 0),
        Some(d) => (ComplianceStatus::Late, (d - due).num_days()),
        None if as_of > due => (ComplianceStatus::Overdue, (as_of - due).num_days()),
        None if (due - as_of).num_days() <= i64::from(soon) => (ComplianceStatus::DueSoon, 0),
        None => (ComplianceStatus::Pending, 0),
    }
}

/// 整户无劳动能力: flagged in the input, or every member is listed as 丧失/无劳动能力.
pub fn is_no_labour(h: &Household) -> bool {
    h.no_labour_household
        || (!h.members.is_empty()
            && h.members
                .iter()
                .all(|m| matches!(m.labour, Some(LabourCapacity::Lost | LabourCapacity::None))))
}

/// At least one member 有劳动能力 or 弱/半劳动能力 (001 §二(一)), and not 整户无劳动能力.
pub fn is_labour_capable(h: &Household) -> bool {
    !is_no_labour(h) && h.members.iter().any(|m| m.labour.is_some_and(LabourCapacity::can_work))
}

/// Monitoring state of a household as of a date, from its approved cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorState {
    pub monitored: bool,
    /// 县级审批 of the identification case that started the current monitoring, if in the data;
    /// else the household's 识别监测时间 (its last possible day when only the month is known).
    pub since: Option<NaiveDate>,
    /// `since` comes from a month-precision 识别监测时间, not a day.
    pub since_month_only: bool,
}

/// Replays the household's cases by their 县级审批 date (≤ as_of): 识别纳入 and 风险消除回退
/// start monitoring, 风险消除 and 清退 end it. Without any approved case, 户类型 监测户 decides.
pub fn monitor_state(h: &Household, cases: &[&Procedure], as_of: NaiveDate) -> MonitorState {
    let mut events: Vec<(NaiveDate, usize, ProcedureKind)> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.date(Stage::CountyApproval)
                .filter(|d| *d <= as_of)
                .map(|d| (d, i, p.kind))
        })
        .collect();
    events.sort();
    // An existing 监测户 without its identification case in the data is dated by its
    // 识别监测时间 (001 §三(四) applies to it too).
    let recorded = h
        .monitored_since
        .filter(|_| h.kind == crate::model::HouseholdType::Monitored)
        .filter(|ms| ms.first_day() <= as_of);
    let mut state = MonitorState {
        monitored: h.kind == crate::model::HouseholdType::Monitored,
        since: recorded.map(|ms| ms.last_day()),
        since_month_only: recorded.is_some_and(|ms| ms.is_month_only()),
    };
    let mut identified: Option<NaiveDate> = None;
    for (date, _, kind) in events {
        match kind {
            ProcedureKind::Identification => {
                if !state.monitored || state.since.is_none() || state.since_month_only {
                    state.since = Some(date);
                    state.since_month_only = false;
                }
                state.monitored = true;
                identified = Some(date);
            }
            ProcedureKind::Rollback => {
                state.monitored = true;
                // Counted from the first monitoring: the identification case, else the record.
                (state.since, state.since_month_only) = match (identified, recorded) {
                    (Some(d), _) => (Some(d), false),
                    (None, Some(ms)) => (Some(ms.last_day()), ms.is_month_only()),
                    (None, None) => (Some(date), false),
                };
            }
            ProcedureKind::Elimination | ProcedureKind::Removal => {
                state.monitored = false;
                state.since = None;
                state.since_month_only = false;
            }
        }
    }
    state
}

pub(crate) struct Out {
    pub(crate) rows: Vec<ComplianceRow>,
    pub(crate) findings: Vec<Finding>,
}

impl Out {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn row(
        &mut self,
        h: Option<&Household>,
        household_id: &str,
        procedure: Option<ProcedureKind>,
        rule: impl Into<String>,
        due: Option<NaiveDate>,
        done: Option<NaiveDate>,
        status: ComplianceStatus,
        days: i64,
        note: String,
    ) {
        self.rows.push(ComplianceRow {
            household_id: household_id.to_string(),
            head_name: h.map(|h| h.head_name.clone()).unwrap_or_default(),
            village: h.map(|h| h.village.clone()).unwrap_or_default(),
            procedure,
            rule: rule.into(),
            due,
            done,
            status,
            days,
            note,
        });
    }

    pub(crate) fn finding(
        &mut self,
        h: Option<&Household>,
        household_id: &str,
        rule: &str,
        message: String,
        severity: Severity,
    ) {
        self.findings.push(Finding {
            household_id: household_id.to_string(),
            head_name: h.map(|h| h.head_name.clone()).unwrap_or_default(),
            village: h.map(|h| h.village.clone()).unwrap_or_default(),
            rule: rule.to_string(),
            message,
            severity,
        });
    }

    pub(crate) fn calendar_error(&mut self, h: Option<&Household>, p: &Procedure, rule: &str, e: &CalendarError) {
        self.finding(
            h,
            &p.household_id,
            "工作日历未覆盖",
            format!("{}程序（{}）无法核验“{rule}”：{e}", p.kind.label(), p.place),
            Severity::Error,
        );
    }
}

/// All compliance rows and findings, in a stable order: cases in dataset order (rules in
/// rules-file order, then policy checks), household checks in dataset order, then milestones.
pub fn evaluate(
    ctx: &Ctx,
    ds: &Dataset,
    idx: &Index,
    incomes: &[IncomeResult],
    milestones: &[MilestoneDef],
) -> (Vec<ComplianceRow>, Vec<Finding>) {
    let mut out = Out {
        rows: Vec::new(),
        findings: Vec::new(),
    };
    let rules: Vec<&DeadlineRule> = ctx.rules.active_deadlines().collect();
    for p in &ds.procedures {
        let hi = idx.household(&p.household_id);
        let h = hi.map(|i| &ds.households[i]);
        if h.is_none() {
            out.finding(
                None,
                &p.household_id,
                "程序户编号不存在",
                format!(
                    "{}程序（{}）的户编号“{}”在户信息中找不到，无法核验其所属农户",
                    p.kind.label(),
                    p.place,
                    p.household_id
                ),
                Severity::Warning,
            );
        }
        case_rules(ctx, &rules, p, h, &mut out);
        case_order(ctx, &rules, p, h, &mut out);
        super::chains::check(ctx, p, h, &mut out);
        if p.kind == ProcedureKind::Elimination
            && let (Some(h), Some(hi)) = (h, hi)
        {
            elimination_checks(ctx, p, h, &incomes[hi], &mut out);
        }
        if p.kind == ProcedureKind::Identification
            && let Some(h) = h
            && !super::key_groups::household_exclusions(h).is_empty()
        {
            out.finding(
                Some(h),
                &h.id,
                "排除情形",
                format!(
                    "该户有不得纳入监测对象的情形（{}，见《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》附件1），但有识别纳入程序（{}）。修改建议：入户核实排除情形；确属不得纳入的，终止识别程序并在台账中说明",
                    super::key_groups::household_exclusions(h).join("、"),
                    p.place
                ),
                Severity::Error,
            );
        }
    }
    for (hi, h) in ds.households.iter().enumerate() {
        let cases: Vec<&Procedure> = idx.procedures[hi].iter().map(|&i| &ds.procedures[i]).collect();
        let state = monitor_state(h, &cases, ctx.as_of);
        if state.monitored {
            household_checks(ctx, ds, idx, &rules, hi, h, &state, &mut out);
            super::monitoring::household(ctx, ds, idx, &rules, hi, h, &state, &incomes[hi], &mut out);
        }
    }
    super::visits::check(ctx, ds, idx, &mut out);
    milestone_rows(ctx, ds, milestones, &mut out);
    (out.rows, out.findings)
}

/// Stage date as of the run date (later dates have not happened yet).
fn reached(p: &Procedure, s: Stage, as_of: NaiveDate) -> Option<NaiveDate> {
    p.date(s).filter(|d| *d <= as_of)
}

fn case_rules(ctx: &Ctx, rules: &[&DeadlineRule], p: &Procedure, h: Option<&Household>, out: &mut Out) {
    for rule in rules.iter().filter(|r| r.procedures.contains(&p.kind)) {
        let Some(from) = reached(p, rule.from, ctx.as_of) else {
            if p.date(rule.to).is_some_and(|d| d <= ctx.as_of) {
                out.finding(
                    h,
                    &p.household_id,
                    "环节日期缺失",
                    format!(
                        "{}程序（{}）已有“{}”日期但缺少“{}”日期，无法核验“{}”。修改建议：补填{}日期",
                        p.kind.label(),
                        p.place,
                        rule.to.label(),
                        rule.from.label(),
                        rule.name,
                        rule.from.label()
                    ),
                    Severity::Warning,
                );
            }
            continue;
        };
        let to = reached(p, rule.to, ctx.as_of);
        match apply_rule(rule, ctx.calendar, from, to, ctx.as_of, ctx.rules.due_soon()) {
            Ok(Some(o)) => {
                let note = if rule.source.is_empty() {
                    o.note
                } else {
                    format!("{}（依据：{}）", o.note, rule.source)
                };
                out.row(
                    h,
                    &p.household_id,
                    Some(p.kind),
                    rule.name.clone(),
                    o.due,
                    to,
                    o.status,
                    o.days,
                    note,
                );
            }
            Ok(None) => {}
            Err(e) => out.calendar_error(h, p, &rule.name, &e),
        }
    }
}

/// 环节顺序 and 公示期满后方可审核审批.
fn case_order(ctx: &Ctx, rules: &[&DeadlineRule], p: &Procedure, h: Option<&Household>, out: &mut Out) {
    let as_of = ctx.as_of;
    // Pairs another check already reports as 违规: a deadline rule between the two stages, or
    // a review stage before the publicity period is over (公示期满后方可审核审批 below).
    let has_publicity = reached(p, Stage::PublicityStart, as_of).is_some();
    let covered = |a: Stage, b: Stage| {
        rules
            .iter()
            .any(|r| r.procedures.contains(&p.kind) && r.from == a && r.to == b)
            || (has_publicity
                && matches!(a, Stage::PublicityStart | Stage::PublicityEnd)
                && AFTER_PUBLICITY.contains(&b))
    };
    let mut latest: Option<(Stage, NaiveDate)> = None;
    let mut inversions: Vec<(Stage, NaiveDate, Stage, NaiveDate)> = Vec::new();
    for &s in CHAIN {
        let Some(d) = reached(p, s, as_of) else { continue };
        if let Some((ps, pd)) = latest
            && d < pd
        {
            if !covered(ps, s) {
                inversions.push((ps, pd, s, d));
            }
            continue;
        }
        latest = Some((s, d));
    }
    if let Some(&(ps, pd, s, d)) = inversions.first() {
        let list: Vec<String> = inversions
            .iter()
            .map(|(a, ad, b, bd)| format!("{}（{bd}）早于{}（{ad}）", b.label(), a.label()))
            .collect();
        out.row(
            h,
            &p.household_id,
            Some(p.kind),
            RULE_ORDER,
            Some(pd),
            Some(d),
            ComplianceStatus::Violation,
            (pd - d).num_days(),
            format!("环节顺序颠倒：{}；{}不应早于{}", list.join("；"), s.label(), ps.label()),
        );
    }

    // Publicity must be over before the township reviews.
    let Some(start) = reached(p, Stage::PublicityStart, as_of) else {
        return;
    };
    let recorded_end = reached(p, Stage::PublicityEnd, as_of).filter(|e| *e >= start);
    let rule = rules.iter().find(|r| {
        r.procedures.contains(&p.kind)
            && r.from == Stage::PublicityStart
            && r.to == Stage::PublicityEnd
            && r.min.is_some()
    });
    let legal_end = match rule {
        Some(r) => match due_date(ctx.calendar, r.unit, r.min.unwrap_or(0), r.inclusive, start) {
            Ok(d) => Some(d),
            Err(e) => {
                out.calendar_error(h, p, RULE_PUBLICITY_FIRST, &e);
                return;
            }
        },
        None => None,
    };
    let Some(end) = recorded_end.max(legal_end) else { return };
    let next = AFTER_PUBLICITY
        .iter()
        .filter_map(|&s| reached(p, s, as_of).map(|d| (d, s)))
        .min();
    if let Some((d, s)) = next
        && d <= end
    {
        let allowed = add_days(end, 1);
        out.row(
            h,
            &p.household_id,
            Some(p.kind),
            RULE_PUBLICITY_FIRST,
            Some(allowed),
            Some(d),
            ComplianceStatus::Violation,
            (allowed - d).num_days(),
            format!("{}（{d}）在公示期满（{end}）之前，公示期内不得审核审批", s.label()),
        );
    }
}

fn elimination_checks(ctx: &Ctx, p: &Procedure, h: &Household, income: &IncomeResult, out: &mut Out) {
    let as_of = ctx.as_of;
    let started = p.stages.values().any(|d| *d <= as_of);
    if !started {
        return;
    }
    let approved = reached(p, Stage::CountyApproval, as_of);
    if is_no_labour(h) {
        out.row(
            Some(h),
            &h.id,
            Some(p.kind),
            RULE_NO_LABOUR,
            None,
            approved,
            ComplianceStatus::Violation,
            0,
            "整户无劳动能力兜底保障户暂不标注风险消除，落实社会保障措施后持续跟踪监测（《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》一（四））"
                .to_string(),
        );
        out.finding(
            Some(h),
            &h.id,
            RULE_NO_LABOUR,
            format!(
                "整户无劳动能力兜底保障户不得标注风险消除，但有风险消除程序（{}）。修改建议：{}",
                p.place,
                // Already approved: the way back is a 风险消除回退 (004 二（三）2（2）), not stopping.
                if approved.is_some() {
                    "已县级审批，按程序申请风险消除回退，落实兜底保障措施后继续监测帮扶"
                } else {
                    "终止该程序，继续监测帮扶"
                }
            ),
            Severity::Error,
        );
        return;
    }
    let months = ctx.rules.stable_income_months();
    let rule = rule_stable_income(months);
    if income.above_line == Some(false) {
        out.row(
            Some(h),
            &h.id,
            Some(p.kind),
            rule,
            None,
            approved,
            ComplianceStatus::Violation,
            0,
            format!(
                "当前家庭人均纯收入{}元未超过监测范围{}元，不符合风险消除条件（《2022年防止返贫监测帮扶集中排查工作方案》二（三）1）",
                income.per_capita.unwrap_or_default(),
                ctx.line
            ),
        );
        return;
    }
    let since = p.income_ok_since.or(h.income_ok_since);
    match (since, approved) {
        (None, Some(a)) => out.row(
            Some(h),
            &h.id,
            Some(p.kind),
            rule,
            None,
            Some(a),
            ComplianceStatus::Violation,
            0,
            format!("已县级审批，但未填“收入达标起始日期”，无法证明收入持续稳定超过监测范围{months}个月"),
        ),
        (None, None) => out.row(
            Some(h),
            &h.id,
            Some(p.kind),
            rule,
            None,
            None,
            ComplianceStatus::Pending,
            0,
            format!("未填“收入达标起始日期”；收入稳定超过监测范围满{months}个月后方可审批"),
        ),
        (Some(s), approved) => {
            let earliest = add_months(s, months);
            match approved {
                Some(a) if a < earliest => out.row(
                    Some(h),
                    &h.id,
                    Some(p.kind),
                    rule,
                    Some(earliest),
                    Some(a),
                    ComplianceStatus::Violation,
                    (earliest - a).num_days(),
                    format!("收入自{s}起达标，县级审批{a}时不足{months}个月（{earliest}方满）"),
                ),
                None if as_of < earliest => out.row(
                    Some(h),
                    &h.id,
                    Some(p.kind),
                    rule,
                    Some(earliest),
                    None,
                    ComplianceStatus::Pending,
                    0,
                    format!("收入自{s}起达标，{earliest}满{months}个月，此前不得审批风险消除"),
                ),
                _ => {}
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn household_checks(
    ctx: &Ctx,
    ds: &Dataset,
    idx: &Index,
    rules: &[&DeadlineRule],
    hi: usize,
    h: &Household,
    state: &MonitorState,
    out: &mut Out,
) {
    let as_of = ctx.as_of;
    let soon = ctx.rules.due_soon();
    let no_labour = is_no_labour(h);

    // Monitored for N years without elimination (001 §三(四)).
    if let Some(since) = state.since
        && !no_labour
    {
        let years = ctx.rules.review_after_years();
        let due = add_months(since, years.saturating_mul(12));
        let (status, days) = calendar_deadline(due, None, as_of, soon);
        if matches!(status, ComplianceStatus::Overdue | ComplianceStatus::DueSoon) {
            // A month-only 识别监测时间 is counted from the month's last day (never early), and
            // the note says so instead of printing a day that was never recorded.
            let from = match (state.since_month_only, h.monitored_since) {
                (true, Some(ms)) => format!("识别监测时间{}（只到月，按该月最后一天计）纳入监测", ms.zh()),
                _ if state.since_month_only => format!("{since}纳入监测"),
                _ if idx.procedures[hi].is_empty() => format!("{since}纳入监测"),
                _ => format!("{since}县级审批纳入监测"),
            };
            let note = if status == ComplianceStatus::Overdue {
                format!(
                    "{from}，已满{years}年仍未消除风险，应重点分析帮扶情况（《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》三（四））"
                )
            } else {
                format!(
                    "{from}，{due}满{years}年，请评估是否达到风险消除标准（《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》三（四））"
                )
            };
            if status == ComplianceStatus::Overdue {
                out.finding(
                    Some(h),
                    &h.id,
                    &rule_long_monitoring(years),
                    format!("{note}。修改建议：在季度帮扶效果评估中逐户分析；达到风险消除标准的依程序启动风险消除，未达到的调整帮扶措施"),
                    Severity::Warning,
                );
            }
            out.row(
                Some(h),
                &h.id,
                None,
                rule_long_monitoring(years),
                Some(due),
                None,
                status,
                days,
                note,
            );
        }
    }

    // Labour-capable monitored households need at least one 开发式 measure (001 §二(一)).
    if !is_labour_capable(h) {
        return;
    }
    let has_dev = idx.measures[hi]
        .iter()
        .map(|&i| &ds.measures[i])
        .any(|m| ctx.rules.vocab.is_developmental(&m.category) && m.date.is_none_or(|d| d <= as_of));
    if has_dev {
        // A measure put in place after the plan deadline is not flagged: the plan is due in
        // 10 days, the measure itself (a loan, a job) may take longer to land.
        return;
    }
    // Grace period: the 帮扶计划 deadline of the identification case.
    let due = plan_due(ctx, rules, state);
    let base = "有劳动能力或弱劳动能力的监测户须落实至少1项开发式帮扶措施（《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》二（一））";
    match due {
        Some(due) => {
            let (status, days) = calendar_deadline(due, None, as_of, soon);
            if status != ComplianceStatus::Pending {
                let note = match status {
                    ComplianceStatus::Overdue => format!("{base}；尚未落实，已逾期{days}天"),
                    _ => format!("{base}；尚未落实，{due}前须落实"),
                };
                out.row(
                    Some(h),
                    &h.id,
                    None,
                    RULE_DEVELOPMENTAL,
                    Some(due),
                    None,
                    status,
                    days,
                    note,
                );
            }
        }
        None => out.row(
            Some(h),
            &h.id,
            None,
            RULE_DEVELOPMENTAL,
            None,
            None,
            ComplianceStatus::Violation,
            0,
            format!("{base}；尚未落实"),
        ),
    }
}

/// The 帮扶计划 deadline of the current monitoring (the grace period of the measure checks);
/// None when the data does not date the monitoring.
pub(crate) fn plan_due(ctx: &Ctx, rules: &[&DeadlineRule], state: &MonitorState) -> Option<NaiveDate> {
    let plan_rule = rules.iter().find(|r| r.to == Stage::AidPlan && r.max.is_some());
    match (state.since, plan_rule) {
        (Some(s), Some(r)) => match due_date(ctx.calendar, r.unit, r.max.unwrap_or(0), r.inclusive, s) {
            Ok(d) => Some(d),
            Err(_) => Some(s),
        },
        (Some(s), None) => Some(s),
        (None, _) => None,
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn milestone_rows(ctx: &Ctx, ds: &Dataset, milestones: &[MilestoneDef], out: &mut Out) {
    let names: Vec<String> = milestones.iter().map(|m| squash(&m.name)).collect();
    let township_only = |name: &str| {
        let name = squash(name);
        milestones
            .iter()
            .zip(&names)
            .any(|(m, n)| m.township_only && *n == name)
    };
    // Every village, and every other unit that reported a milestone every unit has (a township
    // reporting only its own milestones is not asked for the villages').
    let mut units: Vec<String> = super::village_order(ds);
    let villages = units.clone();
    let mut others: Vec<String> = Vec::new();
    for r in &ds.milestone_reports {
        let u = r.unit.trim();
        if u.is_empty() || villages.iter().any(|x| x == u) {
            continue;
        }
        if !others.iter().any(|x| x == u) {
            others.push(u.to_string());
        }
        if !township_only(&r.milestone) && !units.iter().any(|x| x == u) {
            units.push(u.to_string());
        }
    }
    for r in &ds.milestone_reports {
        if !names.contains(&squash(&r.milestone)) {
            out.findings.push(Finding {
                household_id: String::new(),
                head_name: r.unit.trim().to_string(),
                village: r.unit.trim().to_string(),
                rule: "工作节点".to_string(),
                message: format!(
                    "进度表中的节点“{}”（{}）不在 campaign.yaml 的时间安排中。修改建议：节点名称与时间安排保持一致",
                    r.milestone, r.place
                ),
                severity: Severity::Warning,
            });
        }
    }
    // A township-only milestone is the township's: the units other than the villages that
    // reported progress, or the campaign's 乡镇 when none did.
    let mut township_units = others;
    if township_units.is_empty() && !ctx.township.trim().is_empty() {
        township_units.push(ctx.township.trim().to_string());
    }
    let soon = ctx.rules.due_soon();
    for (m, name) in milestones.iter().zip(&names) {
        let units = if m.township_only { &township_units } else { &units };
        for unit in units {
            // The earliest completion any report of this unit gives, as of the run date.
            let done = ds
                .milestone_reports
                .iter()
                .filter(|r| r.unit.trim() == unit && squash(&r.milestone) == *name)
                .filter_map(|r| r.done)
                .filter(|d| *d <= ctx.as_of)
                .min();
            let (status, days) = calendar_deadline(m.due, done, ctx.as_of, soon);
            let note = match status {
                ComplianceStatus::Late => format!("{}前完成，逾期{days}天", m.due),
                ComplianceStatus::Overdue => format!("{}前完成，截至{}未报完成，已逾期{days}天", m.due, ctx.as_of),
                _ => format!("{}前完成", m.due),
            };
            out.rows.push(ComplianceRow {
                household_id: String::new(),
                head_name: unit.clone(),
                village: unit.clone(),
                procedure: None,
                rule: format!("{MILESTONE_PREFIX}{}", m.name),
                due: Some(m.due),
                done,
                status,
                days,
                note,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HouseholdType, Measure, MilestoneReport, Place};
    use crate::rules::income;
    use crate::rules::testutil::{d, household, procedure};
    use ComplianceStatus::*;
    use Stage::*;
    use chrono::Days;

    fn run_with(
        ds: &Dataset,
        rules: &RulesFile,
        as_of: NaiveDate,
        milestones: &[MilestoneDef],
    ) -> (Vec<ComplianceRow>, Vec<Finding>) {
        let cal = Calendar::new(rules).unwrap();
        let line = Money::from_yuan(6900);
        let incomes: Vec<IncomeResult> = ds.households.iter().map(|h| income::evaluate(h, line).0).collect();
        let idx = Index::new(ds);
        let ctx = Ctx {
            rules,
            calendar: &cal,
            as_of,
            line,
            township: "测试乡",
        };
        evaluate(&ctx, ds, &idx, &incomes, milestones)
    }

    fn run(ds: &Dataset, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        run_with(ds, &RulesFile::defaults(), as_of, &[])
    }

    fn one_case(kind: ProcedureKind, stages: &[(Stage, NaiveDate)]) -> Dataset {
        let mut ds = Dataset::default();
        ds.households.push(household("H1", 2));
        ds.procedures.push(procedure("H1", kind, stages));
        ds
    }

    fn rule_row<'a>(rows: &'a [ComplianceRow], rule: &str) -> Option<&'a ComplianceRow> {
        rows.iter().find(|r| r.rule == rule)
    }

    fn status_of(rows: &[ComplianceRow], rule: &str) -> Option<(ComplianceStatus, i64)> {
        rule_row(rows, rule).map(|r| (r.status, r.days))
    }

    #[test]
    fn identification_within_15_calendar_days() {
        let lead = d(2024, 5, 1);
        // (approval, as_of, expected)
        let table = [
            (Some(d(2024, 5, 16)), d(2024, 6, 30), (OnTime, 0)), // day 15
            (Some(d(2024, 5, 17)), d(2024, 6, 30), (Late, 1)),   // day 16
            (Some(d(2024, 6, 1)), d(2024, 6, 30), (Late, 16)),
            (None, d(2024, 5, 12), (Pending, 0)), // 4 days left > 3
            (None, d(2024, 5, 13), (DueSoon, 0)), // 3 days left
            (None, d(2024, 5, 16), (DueSoon, 0)), // due today
            (None, d(2024, 5, 17), (Overdue, 1)),
            (Some(d(2024, 5, 20)), d(2024, 5, 18), (Overdue, 2)), // approval after as_of: not yet done
            (Some(d(2024, 4, 30)), d(2024, 6, 30), (Violation, 1)), // approval before the lead
        ];
        for (approval, as_of, expected) in table {
            let mut stages = vec![(LeadFound, lead)];
            if let Some(a) = approval {
                stages.push((CountyApproval, a));
            }
            let ds = one_case(ProcedureKind::Identification, &stages);
            let (rows, _) = run(&ds, as_of);
            let row = rule_row(&rows, "识别纳入办结时限").unwrap();
            assert_eq!((row.status, row.days), expected, "{approval:?} as of {as_of}");
            if expected.0 != Violation {
                assert_eq!(row.due, Some(d(2024, 5, 16)));
            }
            assert_eq!(row.done, approval.filter(|a| *a <= as_of));
            assert_eq!(row.procedure, Some(ProcedureKind::Identification));
            assert_eq!(row.head_name, "户主H1");
        }
    }

    #[test]
    fn publicity_five_working_days_across_holidays() {
        // (start, earliest end = 5th working day counting the start day)
        let table = [
            (d(2024, 3, 4), d(2024, 3, 8)),   // plain week
            (d(2024, 4, 29), d(2024, 5, 8)),  // 劳动节 5/1–5/5
            (d(2024, 4, 27), d(2024, 5, 7)),  // starts Saturday; 4/28 Sunday is a 调休 working day
            (d(2024, 9, 27), d(2024, 10, 9)), // 国庆: 9/29 Sunday worked, 10/1–10/7 off
            (d(2024, 2, 8), d(2024, 2, 20)),  // 春节 2/10–2/17, 2/18 Sunday worked
            (d(2025, 1, 24), d(2025, 2, 6)),  // 春节 2025: 1/26 Sunday worked, 1/28–2/4 off
            (d(2024, 12, 27), d(2025, 1, 3)), // year end, 元旦
            (d(2024, 2, 26), d(2024, 3, 1)),  // leap day inside
            (d(2023, 2, 27), d(2023, 3, 3)),  // no leap day
        ];
        for (start, end) in table {
            let before = end.pred_opt().unwrap();
            // Ending on the 5th working day is enough; ending the day before is short.
            for (recorded_end, expected) in [(end, OnTime), (before, Violation)] {
                let ds = one_case(
                    ProcedureKind::Identification,
                    &[(PublicityStart, start), (PublicityEnd, recorded_end)],
                );
                let (rows, _) = run(&ds, d(2025, 6, 30));
                let row = rule_row(&rows, "公示期").unwrap();
                assert_eq!(row.status, expected, "{start} → {recorded_end}");
                assert_eq!(row.due, Some(end));
                if expected == Violation {
                    assert!(row.days >= 1, "{start}");
                    assert!(row.note.contains("少于5个工作日"), "{}", row.note);
                }
            }
        }
        // Short by exactly one working day across 劳动节: 4/29, 4/30, 5/6, 5/7 = 4.
        let ds = one_case(
            ProcedureKind::Identification,
            &[(PublicityStart, d(2024, 4, 29)), (PublicityEnd, d(2024, 5, 7))],
        );
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert_eq!(status_of(&rows, "公示期"), Some((Violation, 1)));
        assert!(rule_row(&rows, "公示期").unwrap().note.contains("仅4个工作日"));
        // In progress: not yet over, then over without a recorded end.
        let ds = one_case(ProcedureKind::Elimination, &[(PublicityStart, d(2024, 4, 29))]);
        let (rows, _) = run(&ds, d(2024, 5, 1));
        assert_eq!(status_of(&rows, "公示期"), Some((Pending, 0)));
        let (rows, _) = run(&ds, d(2024, 5, 6));
        assert_eq!(status_of(&rows, "公示期"), Some((DueSoon, 0)));
        let (rows, _) = run(&ds, d(2024, 5, 8));
        assert_eq!(status_of(&rows, "公示期"), Some((OnTime, 0)));
    }

    #[test]
    fn review_must_follow_publicity() {
        let start = d(2024, 4, 29);
        // (recorded end, 乡镇审核, expected 公示期满后方可审核审批 row)
        let table = [
            (d(2024, 5, 8), d(2024, 5, 9), None),
            (d(2024, 5, 8), d(2024, 5, 8), Some((Violation, 1))), // same day as the last day
            (d(2024, 5, 7), d(2024, 5, 8), Some((Violation, 1))), // recorded end too early; legal end 5/8
            (d(2024, 5, 10), d(2024, 5, 9), Some((Violation, 2))), // ran longer, reviewed before its end
            (d(2024, 5, 8), d(2024, 5, 2), Some((Violation, 7))),
        ];
        for (end, review, expected) in table {
            let ds = one_case(
                ProcedureKind::Identification,
                &[(PublicityStart, start), (PublicityEnd, end), (TownshipReview, review)],
            );
            let (rows, _) = run(&ds, d(2024, 6, 30));
            assert_eq!(status_of(&rows, RULE_PUBLICITY_FIRST), expected, "{end} {review}");
            // The chain check does not report the same thing twice.
            assert!(rule_row(&rows, RULE_ORDER).is_none());
        }
        // 县级审批 with no 乡镇审核 counts too.
        let ds = one_case(
            ProcedureKind::Identification,
            &[(PublicityStart, start), (CountyApproval, d(2024, 5, 6))],
        );
        let (rows, _) = run(&ds, d(2024, 6, 30));
        let row = rule_row(&rows, RULE_PUBLICITY_FIRST).unwrap();
        assert_eq!(
            (row.status, row.due, row.done),
            (Violation, Some(d(2024, 5, 9)), Some(d(2024, 5, 6)))
        );
    }

    #[test]
    fn stage_order() {
        let ds = one_case(
            ProcedureKind::Identification,
            &[
                (LeadFound, d(2024, 5, 10)),
                (HomeVisit, d(2024, 5, 8)),
                (VillageReview, d(2024, 5, 12)),
            ],
        );
        let (rows, _) = run(&ds, d(2024, 6, 30));
        let row = rule_row(&rows, RULE_ORDER).unwrap();
        assert_eq!((row.status, row.days), (Violation, 2));
        assert!(
            row.note.contains("入户核实（2024-05-08）早于发现线索（2024-05-10）"),
            "{}",
            row.note
        );
        // Same-day stages are in order.
        let ds = one_case(
            ProcedureKind::Identification,
            &[
                (LeadFound, d(2024, 5, 10)),
                (HomeVisit, d(2024, 5, 10)),
                (VillageReview, d(2024, 5, 10)),
            ],
        );
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(rule_row(&rows, RULE_ORDER).is_none());
    }

    #[test]
    fn follow_up_after_approval() {
        let approval = d(2024, 6, 14);
        // (rule, stage, day offset after its start, expected)
        let table = [
            ("明确帮扶责任人", HelperAssigned, 3, (OnTime, 0)),
            ("明确帮扶责任人", HelperAssigned, 4, (Late, 1)),
            ("制定帮扶计划", AidPlan, 10, (OnTime, 0)),
            ("制定帮扶计划", AidPlan, 11, (Late, 1)),
        ];
        for (rule, stage, offset, expected) in table {
            let ds = one_case(
                ProcedureKind::Identification,
                &[(CountyApproval, approval), (stage, approval + Days::new(offset))],
            );
            let (rows, _) = run(&ds, d(2024, 7, 31));
            assert_eq!(status_of(&rows, rule), Some(expected), "{rule} +{offset}");
        }
        // 首次入户走访 counts from 明确帮扶责任人; not started without it.
        let helper = d(2024, 6, 16);
        for (offset, expected) in [(7, (OnTime, 0)), (8, (Late, 1))] {
            let ds = one_case(
                ProcedureKind::Identification,
                &[
                    (CountyApproval, approval),
                    (HelperAssigned, helper),
                    (FirstVisit, helper + Days::new(offset)),
                ],
            );
            let (rows, _) = run(&ds, d(2024, 7, 31));
            assert_eq!(status_of(&rows, "首次入户走访"), Some(expected));
        }
        let ds = one_case(ProcedureKind::Identification, &[(CountyApproval, approval)]);
        let (rows, findings) = run(&ds, d(2024, 6, 18));
        assert_eq!(status_of(&rows, "明确帮扶责任人"), Some((Overdue, 1)));
        assert_eq!(status_of(&rows, "首次入户走访"), None);
        assert_eq!(status_of(&rows, "制定帮扶计划"), Some((Pending, 0)));
        // Only the missing 发现线索 is reported (the 15-day rule cannot be checked), not the
        // follow-up stages that simply have not happened yet.
        let missing: Vec<&Finding> = findings.iter().filter(|f| f.rule == "环节日期缺失").collect();
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.contains("识别纳入办结时限"));
        // An end stage without its start stage is reported as a finding.
        let ds = one_case(ProcedureKind::Identification, &[(FirstVisit, d(2024, 6, 20))]);
        let (_, findings) = run(&ds, d(2024, 6, 30));
        assert!(findings.iter().any(|f| f.rule == "环节日期缺失"));
    }

    #[test]
    fn working_day_deadline_not_late_on_the_weekend_after() {
        let mut rules = RulesFile::defaults();
        let over: RulesFile = serde_yaml::from_str(
            "时限规则:\n  - {名称: 乡镇审核时限, 程序: [识别纳入], 起: 公示结束, 止: 乡镇审核, 上限: 2, 单位: 工作日}\n",
        )
        .unwrap();
        rules = rules.merged_with(over);
        // From Wednesday 2024-03-06: due Friday 3/8.
        let table = [
            (d(2024, 3, 8), (OnTime, 0)),
            (d(2024, 3, 9), (OnTime, 0)),
            (d(2024, 3, 11), (Late, 1)),
        ];
        for (review, expected) in table {
            let ds = one_case(
                ProcedureKind::Identification,
                &[(PublicityEnd, d(2024, 3, 6)), (TownshipReview, review)],
            );
            let (rows, _) = run_with(&ds, &rules, d(2024, 6, 30), &[]);
            assert_eq!(status_of(&rows, "乡镇审核时限"), Some(expected), "{review}");
        }
        // Pending: overdue by working days (Saturday after Friday's due is not overdue yet).
        let ds = one_case(ProcedureKind::Identification, &[(PublicityEnd, d(2024, 3, 6))]);
        for (as_of, expected) in [
            (d(2024, 3, 9), (DueSoon, 0)),
            (d(2024, 3, 11), (Overdue, 1)),
            (d(2024, 3, 13), (Overdue, 3)),
        ] {
            let (rows, _) = run_with(&ds, &rules, as_of, &[]);
            assert_eq!(status_of(&rows, "乡镇审核时限"), Some(expected), "{as_of}");
        }
    }

    #[test]
    fn uncovered_year_is_a_finding_naming_it() {
        let ds = one_case(ProcedureKind::Identification, &[(PublicityStart, d(2026, 12, 28))]);
        let (rows, findings) = run(&ds, d(2026, 12, 31));
        assert!(rule_row(&rows, "公示期").is_none());
        let f = findings.iter().find(|f| f.rule == "工作日历未覆盖").unwrap();
        assert!(f.message.contains("2027年"), "{}", f.message);
        assert_eq!(f.severity, Severity::Error);
    }

    fn elimination_case(since: Option<NaiveDate>, approval: Option<NaiveDate>) -> Dataset {
        let mut stages = vec![(HomeVisit, d(2024, 5, 1))];
        if let Some(a) = approval {
            stages.push((CountyApproval, a));
        }
        let mut ds = one_case(ProcedureKind::Elimination, &stages);
        ds.households[0].income.per_capita = Some(Money::from_yuan(9000));
        ds.households[0].income_ok_since = since;
        ds
    }

    #[test]
    fn elimination_needs_six_months_of_income() {
        let rule = rule_stable_income(6);
        // (income ok since, approval, as_of, expected)
        let table = [
            (Some(d(2024, 1, 1)), Some(d(2024, 7, 1)), d(2024, 7, 31), None),
            (
                Some(d(2024, 1, 1)),
                Some(d(2024, 6, 30)),
                d(2024, 7, 31),
                Some((Violation, 1)),
            ),
            (Some(d(2023, 8, 31)), Some(d(2024, 2, 29)), d(2024, 7, 31), None), // leap: Aug 31 + 6 months = Feb 29
            (
                Some(d(2023, 8, 31)),
                Some(d(2024, 2, 28)),
                d(2024, 7, 31),
                Some((Violation, 1)),
            ),
            (Some(d(2024, 1, 1)), None, d(2024, 6, 1), Some((Pending, 0))),
            (Some(d(2024, 1, 1)), None, d(2024, 7, 1), None),
            (None, Some(d(2024, 7, 1)), d(2024, 7, 31), Some((Violation, 0))),
            (None, None, d(2024, 7, 31), Some((Pending, 0))),
        ];
        for (since, approval, as_of, expected) in table {
            let ds = elimination_case(since, approval);
            let (rows, _) = run(&ds, as_of);
            assert_eq!(status_of(&rows, &rule), expected, "{since:?} {approval:?} {as_of}");
        }
        // The case's own date overrides the household's.
        let mut ds = elimination_case(Some(d(2023, 1, 1)), Some(d(2024, 7, 1)));
        ds.procedures[0].income_ok_since = Some(d(2024, 3, 1));
        let (rows, _) = run(&ds, d(2024, 7, 31));
        assert_eq!(status_of(&rows, &rule), Some((Violation, 62)));
        // Income not above the line.
        let mut ds = elimination_case(Some(d(2023, 1, 1)), Some(d(2024, 7, 1)));
        ds.households[0].income.per_capita = Some(Money::from_yuan(6900));
        let (rows, _) = run(&ds, d(2024, 7, 31));
        assert_eq!(status_of(&rows, &rule), Some((Violation, 0)));
    }

    #[test]
    fn never_eliminate_a_no_labour_household() {
        let mut ds = elimination_case(Some(d(2023, 1, 1)), Some(d(2024, 7, 1)));
        for m in &mut ds.households[0].members {
            m.labour = Some(LabourCapacity::Lost);
        }
        let (rows, findings) = run(&ds, d(2024, 7, 31));
        assert_eq!(status_of(&rows, RULE_NO_LABOUR), Some((Violation, 0)));
        assert!(
            findings
                .iter()
                .any(|f| f.rule == RULE_NO_LABOUR && f.severity == Severity::Error)
        );
        // By flag, too; a weak-labour member alone is not 无劳动能力.
        let mut ds = elimination_case(Some(d(2023, 1, 1)), Some(d(2024, 7, 1)));
        ds.households[0].members[0].labour = Some(LabourCapacity::Lost);
        ds.households[0].members[1].labour = Some(LabourCapacity::Weak);
        let (rows, _) = run(&ds, d(2024, 7, 31));
        assert!(status_of(&rows, RULE_NO_LABOUR).is_none());
        ds.households[0].no_labour_household = true;
        let (rows, _) = run(&ds, d(2024, 7, 31));
        assert_eq!(status_of(&rows, RULE_NO_LABOUR), Some((Violation, 0)));
    }

    fn monitored(approval: NaiveDate) -> Dataset {
        one_case(
            ProcedureKind::Identification,
            &[(LeadFound, approval - Days::new(10)), (CountyApproval, approval)],
        )
    }

    fn measure(category: &str, date: Option<NaiveDate>) -> Measure {
        Measure {
            household_id: "H1".into(),
            category: category.into(),
            detail: String::new(),
            date,
            place: Place::default(),
        }
    }

    #[test]
    fn developmental_measure_for_labour_capable_households() {
        let approval = d(2024, 6, 1); // 帮扶计划 due 6/11
        // (measures, as_of, expected)
        type Case = (Vec<Measure>, NaiveDate, Option<(ComplianceStatus, i64)>);
        let table: Vec<Case> = vec![
            (vec![], d(2024, 6, 12), Some((Overdue, 1))),
            (vec![], d(2024, 6, 11), Some((DueSoon, 0))),
            (vec![], d(2024, 6, 5), None),
            (vec![measure("产业帮扶", Some(d(2024, 6, 11)))], d(2024, 6, 30), None),
            // Put in place after the plan deadline: not flagged (the measure may take longer).
            (vec![measure("公益岗位", Some(d(2024, 6, 20)))], d(2024, 6, 30), None),
            (
                vec![measure("公益岗位", Some(d(2024, 7, 20)))],
                d(2024, 6, 30),
                Some((Overdue, 19)),
            ), // after as_of
            (
                vec![measure("综合保障", Some(d(2024, 6, 5)))],
                d(2024, 6, 30),
                Some((Overdue, 19)),
            ),
            (vec![measure("产业帮扶", None)], d(2024, 6, 30), None),
        ];
        for (measures, as_of, expected) in table {
            let mut ds = monitored(approval);
            ds.measures = measures;
            let (rows, _) = run(&ds, as_of);
            assert_eq!(
                status_of(&rows, RULE_DEVELOPMENTAL),
                expected,
                "{:?} {as_of}",
                ds.measures
            );
        }
        // Not labour-capable: not required.
        let mut ds = monitored(approval);
        ds.households[0].no_labour_household = true;
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(status_of(&rows, RULE_DEVELOPMENTAL).is_none());
        // A 监测户 without any case in the data: violation, no due date.
        let mut ds = Dataset::default();
        let mut h = household("H1", 1);
        h.kind = HouseholdType::Monitored;
        ds.households.push(h);
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert_eq!(status_of(&rows, RULE_DEVELOPMENTAL), Some((Violation, 0)));
        // Eliminated: no longer monitored.
        let mut ds = monitored(approval);
        ds.procedures.push(procedure(
            "H1",
            ProcedureKind::Elimination,
            &[(CountyApproval, d(2024, 6, 20))],
        ));
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(status_of(&rows, RULE_DEVELOPMENTAL).is_none());
    }

    #[test]
    fn monitored_two_years_without_elimination() {
        let rule = rule_long_monitoring(2);
        let table = [
            (d(2022, 6, 1), d(2024, 6, 2), Some((Overdue, 1))),
            (d(2022, 6, 1), d(2024, 6, 1), Some((DueSoon, 0))),
            (d(2022, 6, 1), d(2024, 5, 29), Some((DueSoon, 0))),
            (d(2022, 6, 1), d(2024, 5, 28), None),
            (d(2022, 2, 28), d(2024, 3, 1), Some((Overdue, 2))), // 2024-02-28 + leap day
        ];
        for (approval, as_of, expected) in table {
            let mut ds = monitored(approval);
            ds.measures.push(measure("产业帮扶", Some(approval)));
            let (rows, _) = run(&ds, as_of);
            assert_eq!(status_of(&rows, &rule), expected, "{approval} {as_of}");
        }
        let mut ds = monitored(d(2022, 6, 1));
        ds.households[0].no_labour_household = true;
        let (rows, _) = run(&ds, d(2024, 7, 1));
        assert!(status_of(&rows, &rule).is_none());
        let mut ds = monitored(d(2022, 6, 1));
        ds.procedures.push(procedure(
            "H1",
            ProcedureKind::Elimination,
            &[(CountyApproval, d(2023, 6, 1))],
        ));
        let (rows, _) = run(&ds, d(2024, 7, 1));
        assert!(status_of(&rows, &rule).is_none());
        // Rolled back: monitored again, counted from the original identification.
        ds.procedures.push(procedure(
            "H1",
            ProcedureKind::Rollback,
            &[(CountyApproval, d(2023, 9, 1))],
        ));
        let (rows, _) = run(&ds, d(2024, 7, 1));
        assert_eq!(status_of(&rows, &rule), Some((Overdue, 30)));
    }

    #[test]
    fn s001_3_4_review_of_an_existing_monitored_household_from_its_monitored_since() {
        let rule = rule_long_monitoring(2);
        let mut ds = Dataset::default();
        let mut h = household("H1", 1);
        h.kind = HouseholdType::Monitored;
        ds.households.push(h);
        ds.measures.push(measure("产业帮扶", None));
        // Month precision: counted from the month's last day (2022-06-30 → due 2024-06-30).
        ds.households[0].monitored_since = crate::model::PartialDate::month(2022, 6);
        let (rows, findings) = run(&ds, d(2024, 7, 1));
        assert_eq!(status_of(&rows, &rule), Some((Overdue, 1)));
        assert!(rule_row(&rows, &rule).unwrap().note.contains("只到月"));
        assert!(findings.iter().any(|f| f.rule == rule));
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert_eq!(status_of(&rows, &rule), Some((DueSoon, 0)));
        let (rows, _) = run(&ds, d(2024, 6, 26));
        assert!(status_of(&rows, &rule).is_none());
        // A day date is used as given.
        ds.households[0].monitored_since = Some(crate::model::PartialDate::Day(d(2022, 6, 1)));
        let (rows, _) = run(&ds, d(2024, 6, 2));
        assert_eq!(status_of(&rows, &rule), Some((Overdue, 1)));
        // Without the date (and without a case) the review cannot be dated: no row.
        ds.households[0].monitored_since = None;
        let (rows, _) = run(&ds, d(2026, 6, 2));
        assert!(status_of(&rows, &rule).is_none());
    }

    #[test]
    fn monitor_state_replay() {
        let h = household("H1", 1);
        let id = procedure("H1", ProcedureKind::Identification, &[(CountyApproval, d(2024, 1, 10))]);
        let el = procedure("H1", ProcedureKind::Elimination, &[(CountyApproval, d(2024, 5, 10))]);
        let s = monitor_state(&h, &[&el, &id], d(2024, 3, 1));
        assert_eq!(
            s,
            MonitorState {
                monitored: true,
                since: Some(d(2024, 1, 10)),
                since_month_only: false,
            }
        );
        let s = monitor_state(&h, &[&el, &id], d(2024, 6, 1));
        assert!(!s.monitored);
        let s = monitor_state(&h, &[&el, &id], d(2024, 1, 9));
        assert!(!s.monitored);
    }

    #[test]
    fn excluded_household_with_identification_is_reported() {
        let mut ds = one_case(ProcedureKind::Identification, &[(LeadFound, d(2024, 5, 1))]);
        ds.households[0].exclusions = vec!["购买消费型汽车".into()];
        let (rows, findings) = run(&ds, d(2024, 5, 10));
        // Reported, and the case is still checked.
        let f = findings.iter().find(|f| f.rule == "排除情形").unwrap();
        assert!(f.message.contains("购买消费型汽车"));
        assert_eq!(status_of(&rows, "识别纳入办结时限"), Some((Pending, 0)));
    }

    #[test]
    fn milestones_per_unit() {
        let mut ds = Dataset::default();
        for (id, v) in [("A", "甲村"), ("B", "乙村"), ("C", "丙村")] {
            let mut h = household(id, 1);
            h.village = v.into();
            ds.households.push(h);
        }
        let report = |unit: &str, m: &str, done| MilestoneReport {
            unit: unit.into(),
            milestone: m.into(),
            done,
            place: Place::default(),
        };
        ds.milestone_reports = vec![
            report("甲村", "开展集中排查", Some(d(2024, 6, 5))),
            report("乙村", "开展集中排查", Some(d(2024, 6, 6))),
            report("测试乡", "开展 集中排查", None),
            report("甲村", "不存在的节点", Some(d(2024, 6, 1))),
        ];
        let ms = vec![MilestoneDef {
            name: "开展集中排查".into(),
            due: d(2024, 6, 5),
            content: None,
            township_only: false,
        }];
        let (rows, findings) = run_with(&ds, &RulesFile::defaults(), d(2024, 6, 8), &ms);
        let got: Vec<(&str, ComplianceStatus, i64)> = rows
            .iter()
            .filter(|r| r.rule == "时间安排：开展集中排查")
            .map(|r| (r.head_name.as_str(), r.status, r.days))
            .collect();
        assert_eq!(
            got,
            vec![
                ("甲村", OnTime, 0),
                ("乙村", Late, 1),
                ("丙村", Overdue, 3),
                ("测试乡", Overdue, 3)
            ]
        );
        assert_eq!(findings.iter().filter(|f| f.rule == "工作节点").count(), 1);
        let (rows, _) = run_with(&ds, &RulesFile::defaults(), d(2024, 6, 2), &ms);
        let c = rows.iter().find(|r| r.head_name == "丙村").unwrap();
        assert_eq!(c.status, DueSoon);
        let (rows, _) = run_with(&ds, &RulesFile::defaults(), d(2024, 6, 1), &ms);
        let c = rows.iter().find(|r| r.head_name == "丙村").unwrap();
        assert_eq!(c.status, Pending);
    }

    #[test]
    fn s002_township_only_milestones_are_not_assigned_to_villages() {
        let mut ds = Dataset::default();
        for (id, v) in [("A", "甲村"), ("B", "乙村")] {
            let mut h = household(id, 1);
            h.village = v.into();
            ds.households.push(h);
        }
        let ms = |township_only| {
            vec![MilestoneDef {
                name: "提交总结报告".into(),
                due: d(2024, 7, 5),
                content: None,
                township_only,
            }]
        };
        let units = |rows: &[ComplianceRow]| -> Vec<String> {
            rows.iter()
                .filter(|r| r.rule == "时间安排：提交总结报告")
                .map(|r| r.head_name.clone())
                .collect()
        };
        // Nobody reported: a village milestone goes to every village, a township one to the township.
        let (rows, _) = run_with(&ds, &RulesFile::defaults(), d(2024, 7, 8), &ms(false));
        assert_eq!(units(&rows), ["甲村", "乙村"]);
        let (rows, _) = run_with(&ds, &RulesFile::defaults(), d(2024, 7, 8), &ms(true));
        assert_eq!(units(&rows), ["测试乡"]);
        assert_eq!(rows[0].status, Overdue);
        // The township reporting under its own name (and a village reporting it anyway).
        ds.milestone_reports = vec![
            MilestoneReport {
                unit: "测试镇人民政府".into(),
                milestone: "提交总结报告".into(),
                done: Some(d(2024, 7, 4)),
                place: Place::default(),
            },
            MilestoneReport {
                unit: "甲村".into(),
                milestone: "提交总结报告".into(),
                done: Some(d(2024, 7, 4)),
                place: Place::default(),
            },
        ];
        let (rows, _) = run_with(&ds, &RulesFile::defaults(), d(2024, 7, 8), &ms(true));
        assert_eq!(units(&rows), ["测试镇人民政府"]);
        assert_eq!(
            rows.iter().find(|r| r.rule.starts_with("时间安排")).unwrap().status,
            OnTime
        );
    }

    #[test]
    fn disabled_rule_yields_no_rows() {
        let over: RulesFile = serde_yaml::from_str(
            "时限规则:\n  - {名称: 识别纳入办结时限, 程序: [识别纳入], 起: 发现线索, 止: 县级审批, 上限: 15, 单位: 自然日, 停用: true}\n",
        )
        .unwrap();
        let rules = RulesFile::defaults().merged_with(over);
        let ds = one_case(ProcedureKind::Identification, &[(LeadFound, d(2024, 5, 1))]);
        let (rows, _) = run_with(&ds, &rules, d(2024, 6, 30), &[]);
        assert!(rule_row(&rows, "识别纳入办结时限").is_none());
    }
}
