//! 帮扶效果评估 (every quarter, 001 §三(四)) and the 遍访 by the township's 党委书记 or 镇长 (every
//! year, 001 §三(三)) of each monitored household, from the 评估遍访 records.
//!
//! Periods are aligned to the calendar year (`评估遍访.*.周期月数` in rules.yaml: 3 = quarters,
//! 12 = the year). For a household monitored as of the run date:
//! * the current period: from its reminder month (`提示起始月`, default the quarter's last month
//!   and October) a household without a record dated in the period up to the run date gets a
//!   row — 即将到期 within 即将到期天数 of the period's end, 未到期 before — so the first weeks of
//!   a quarter do not list every household;
//! * the previous period: no record dated in it → 已逾期未完成 (row and finding).
//!
//! A household is due for a period only when it was monitored on the first day of the period's
//! reminder month, and has been since: one identified later is due from the next period (its
//! 帮扶计划 and first measures need time before their effect can be assessed). A month-only
//! 识别监测时间 counts from the month's last day, so it is never due early.
//!
//! A record dated after the run date has not happened yet; one of another household does not
//! count; one whose 户编号 is not in the data is a warning. When the workspace has no record of
//! a kind at all, one finding says so instead of a row for every household.

use super::compliance::{Ctx, MonitorState, Out, monitor_state};
use super::period::add_months;
use super::{ComplianceStatus, Index};
use crate::model::{Dataset, FollowUpCycle, Household, Procedure, Severity, VisitKind};
use chrono::{Datelike, NaiveDate};

/// Rule of the finding when a record kind is missing from the whole workspace.
pub const RULE_NO_RECORDS: &str = "评估遍访记录";
/// Rule of the finding for a record whose 户编号 is unknown.
pub const RULE_UNKNOWN_HOUSEHOLD: &str = "评估遍访户编号不存在";

/// The rule name (规则 column) of a record kind with its period: 季度帮扶效果评估, 年度遍访.
pub fn rule_name(kind: VisitKind, months: u32) -> String {
    let every = match months {
        12 => "年度".to_string(),
        6 => "半年".to_string(),
        3 => "季度".to_string(),
        1 => "每月".to_string(),
        n => format!("每{n}个月"),
    };
    format!("{every}{}", kind.label())
}

/// One period of `months` months, aligned to the calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub start: NaiveDate,
    pub end: NaiveDate,
    months: u32,
}

impl Cycle {
    /// The period containing `d`. `months` must divide 12 (rules.yaml is checked for it).
    pub fn of(d: NaiveDate, months: u32) -> Cycle {
        let months = months.clamp(1, 12);
        let first_month = (d.month0() / months) * months + 1;
        let start = NaiveDate::from_ymd_opt(d.year(), first_month, 1).unwrap_or(d);
        let end = add_months(start, months).pred_opt().unwrap_or(start);
        Cycle { start, end, months }
    }

    /// The period before this one.
    pub fn previous(&self) -> Cycle {
        Cycle::of(self.start.pred_opt().unwrap_or(self.start), self.months)
    }

    /// First day of the period's `month`-th month (1 = its first day).
    pub fn month_start(&self, month: u32) -> NaiveDate {
        add_months(self.start, month.saturating_sub(1)).min(self.end)
    }

    /// 2024年第2季度, 2024年度, 2024年上半年, 2024年3月, 2024年1—2月.
    pub fn label(&self) -> String {
        let (y, m) = (self.start.year(), self.start.month());
        match self.months {
            12 => format!("{y}年度"),
            6 => format!("{y}年{}半年", if m == 1 { "上" } else { "下" }),
            3 => format!("{y}年第{}季度", m / 3 + 1),
            1 => format!("{y}年{m}月"),
            n => format!("{y}年{m}—{}月", m + n - 1),
        }
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// Whether a household monitored now (`now`: its state as of the run date) was monitored on
/// `from` and still on `to`: the current monitoring, when the data dates it, started on or
/// before `from`.
fn monitored_through(h: &Household, cases: &[&Procedure], now: &MonitorState, from: NaiveDate, to: NaiveDate) -> bool {
    now.since.is_none_or(|s| s <= from)
        && monitor_state(h, cases, from).monitored
        && monitor_state(h, cases, to).monitored
}

fn period_words(months: u32) -> &'static str {
    match months {
        12 => "每年",
        6 => "每半年",
        3 => "每季度",
        1 => "每月",
        _ => "每个周期",
    }
}

/// What to do, per kind.
fn fix(kind: VisitKind) -> &'static str {
    match kind {
        VisitKind::Evaluation => {
            "组织开展帮扶效果评估（措施是否落实、是否有效、风险是否稳定消除），并在“评估遍访”表登记（类型填“帮扶效果评估”，写明日期和结论）；已评估未登记的，补登记"
        }
        VisitKind::Visit => {
            "由乡镇党委书记或镇长入户遍访、核查督促帮扶措施落实，并在“评估遍访”表登记（类型填“遍访”，写明日期和走访情况）；已遍访未登记的，补登记"
        }
    }
}

/// The checks of one record kind on one monitored household.
#[allow(clippy::too_many_arguments)]
fn check_kind(
    ctx: &Ctx,
    ds: &Dataset,
    idx: &Index,
    hi: usize,
    cases: &[&Procedure],
    now: &MonitorState,
    kind: VisitKind,
    cfg: &FollowUpCycle,
    out: &mut Out,
) {
    let h = &ds.households[hi];
    let as_of = ctx.as_of;
    let dates: Vec<NaiveDate> = idx.visits[hi]
        .iter()
        .map(|&i| &ds.visits[i])
        .filter(|v| v.kind == kind && v.date <= as_of)
        .map(|v| v.date)
        .collect();
    let rule = rule_name(kind, cfg.period_months);
    let every = period_words(cfg.period_months);
    let what = kind.label();

    let prev = Cycle::of(as_of, cfg.period_months).previous();
    let prev_from = prev.month_start(cfg.remind_from_month);
    if monitored_through(h, cases, now, prev_from, prev.end) && !dates.iter().any(|d| prev.contains(*d)) {
        let days = (as_of - prev.end).num_days();
        let note = format!(
            "{}（{}至{}）无{what}记录，应{every}开展一次，已逾期{days}天（{}）",
            prev.label(),
            prev.start,
            prev.end,
            cfg.source
        );
        out.finding(
            Some(h),
            &h.id,
            &rule,
            format!("{note}。修改建议：{}", fix(kind)),
            Severity::Warning,
        );
        out.row(
            Some(h),
            &h.id,
            None,
            rule.clone(),
            Some(prev.end),
            None,
            ComplianceStatus::Overdue,
            days,
            note,
        );
    }

    let cur = Cycle::of(as_of, cfg.period_months);
    let from = cur.month_start(cfg.remind_from_month);
    if as_of < from || !monitored_through(h, cases, now, from, as_of) || dates.iter().any(|d| cur.contains(*d)) {
        return;
    }
    let left = (cur.end - as_of).num_days();
    let status = if left <= i64::from(ctx.rules.due_soon()) {
        ComplianceStatus::DueSoon
    } else {
        ComplianceStatus::Pending
    };
    out.row(
        Some(h),
        &h.id,
        None,
        rule,
        Some(cur.end),
        None,
        status,
        0,
        format!(
            "{}尚无{what}记录，须于{}前完成，还剩{left}天（{}）",
            cur.label(),
            cur.end,
            cfg.source
        ),
    );
}

/// Rows and findings of the 评估遍访 checks, households in dataset order.
pub(crate) fn check(ctx: &Ctx, ds: &Dataset, idx: &Index, out: &mut Out) {
    let kinds: Vec<(VisitKind, FollowUpCycle)> = VisitKind::ALL
        .into_iter()
        .map(|k| (k, ctx.rules.follow_up(k)))
        .filter(|(_, c)| c.enabled)
        .collect();
    if kinds.is_empty() {
        return;
    }
    for v in &ds.visits {
        if idx.household(&v.household_id).is_none() {
            out.finding(
                None,
                &v.household_id,
                RULE_UNKNOWN_HOUSEHOLD,
                format!(
                    "{}记录（{}）的户编号“{}”在户信息中找不到，未计入任何户。修改建议：改正户编号，或先在户表中登记该户",
                    v.kind.label(),
                    v.place,
                    v.household_id
                ),
                Severity::Warning,
            );
        }
    }
    let (recorded, missing): (Vec<_>, Vec<_>) = kinds.iter().partition(|(k, _)| ds.visits.iter().any(|v| v.kind == *k));
    let mut any_monitored = false;
    for (hi, h) in ds.households.iter().enumerate() {
        let cases: Vec<&Procedure> = idx.procedures[hi].iter().map(|&i| &ds.procedures[i]).collect();
        let state: MonitorState = monitor_state(h, &cases, ctx.as_of);
        if !state.monitored {
            continue;
        }
        any_monitored = true;
        for (kind, cfg) in &recorded {
            check_kind(ctx, ds, idx, hi, &cases, &state, *kind, cfg, out);
        }
    }
    if any_monitored && !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(k, _)| k.label()).collect();
        let checks: Vec<String> = missing.iter().map(|(k, c)| rule_name(*k, c.period_months)).collect();
        let basis: Vec<&str> = missing.iter().map(|(_, c)| c.source.as_str()).collect();
        out.finding(
            None,
            "",
            RULE_NO_RECORDS,
            format!(
                "未提供{}记录，未核查{}（{}）。修改建议：在村级工作簿中增加“评估遍访”表（户编号、类型、日期、结论），或在 YAML 数据文件中增加“评估遍访”列表；不在本系统登记的，在 rules.yaml 的“评估遍访”下对该项写“停用: true”",
                names.join("和"),
                checks.join("和"),
                basis.join("；")
            ),
            Severity::Warning,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::rules::calendar::Calendar;
    use crate::rules::testutil::{d, household, procedure};
    use crate::rules::{ComplianceRow, Finding};

    fn monitored(id: &str) -> Household {
        let mut h = household(id, 2);
        h.kind = HouseholdType::Monitored;
        h
    }

    fn record(hid: &str, kind: VisitKind, date: NaiveDate) -> Visit {
        Visit {
            household_id: hid.into(),
            kind,
            date,
            conclusion: Some("措施已落实".into()),
            place: Place::file("甲村.yaml"),
        }
    }

    fn run_with(rules: &RulesFile, ds: &Dataset, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        let cal = Calendar::builtin();
        let ctx = Ctx {
            rules,
            calendar: &cal,
            as_of,
            line: Money::from_yuan(7600),
            township: "测试乡",
        };
        let idx = Index::new(ds);
        let mut out = Out {
            rows: Vec::new(),
            findings: Vec::new(),
        };
        check(&ctx, ds, &idx, &mut out);
        (out.rows, out.findings)
    }

    fn run(ds: &Dataset, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        run_with(&RulesFile::defaults(), ds, as_of)
    }

    /// A monitored household with a visit record for 2023 and one for 2024 (so only the
    /// evaluations are in question), plus the given records.
    fn dataset(records: Vec<Visit>) -> Dataset {
        let mut visits = vec![
            record("A", VisitKind::Visit, d(2023, 11, 5)),
            record("A", VisitKind::Visit, d(2024, 3, 5)),
        ];
        visits.extend(records);
        Dataset {
            households: vec![monitored("A")],
            visits,
            ..Dataset::default()
        }
    }

    fn eval_rows(rows: &[ComplianceRow]) -> Vec<&ComplianceRow> {
        rows.iter().filter(|r| r.rule == "季度帮扶效果评估").collect()
    }

    #[test]
    fn s001_3_4_cycles_are_calendar_quarters() {
        let q = Cycle::of(d(2024, 6, 30), 3);
        assert_eq!((q.start, q.end), (d(2024, 4, 1), d(2024, 6, 30)));
        assert_eq!(q.label(), "2024年第2季度");
        assert_eq!(q.month_start(3), d(2024, 6, 1));
        let p = Cycle::of(d(2024, 1, 1), 3).previous();
        assert_eq!((p.start, p.end), (d(2023, 10, 1), d(2023, 12, 31)));
        assert_eq!(p.label(), "2023年第4季度");
        let y = Cycle::of(d(2024, 2, 29), 12);
        assert_eq!(
            (y.start, y.end, y.label()),
            (d(2024, 1, 1), d(2024, 12, 31), "2024年度".into())
        );
        assert_eq!(Cycle::of(d(2024, 8, 1), 6).label(), "2024年下半年");
        assert_eq!(rule_name(VisitKind::Visit, 12), "年度遍访");
    }

    #[test]
    fn s001_3_4_last_day_of_quarter_without_evaluation_is_due_soon() {
        // Q1 evaluated, Q2 not: on 6-30 (0 days left) the row is 即将到期.
        let ds = dataset(vec![record("A", VisitKind::Evaluation, d(2024, 2, 10))]);
        let (rows, findings) = run(&ds, d(2024, 6, 30));
        let r = eval_rows(&rows);
        assert_eq!(r.len(), 1, "{rows:?}");
        assert_eq!(r[0].status, ComplianceStatus::DueSoon);
        assert_eq!(r[0].due, Some(d(2024, 6, 30)));
        assert!(
            r[0].note.contains("2024年第2季度") && r[0].note.contains("三（四）"),
            "{}",
            r[0].note
        );
        assert!(findings.is_empty(), "{findings:?}");
        // Four days before the end (more than 即将到期天数 3): listed, 未到期.
        let (rows, _) = run(&ds, d(2024, 6, 26));
        assert_eq!(eval_rows(&rows)[0].status, ComplianceStatus::Pending);
    }

    #[test]
    fn s001_3_4_no_row_before_the_quarters_last_month() {
        let ds = dataset(vec![record("A", VisitKind::Evaluation, d(2024, 2, 10))]);
        // 5-31: the reminder month (June) has not begun.
        let (rows, _) = run(&ds, d(2024, 5, 31));
        assert!(eval_rows(&rows).is_empty(), "{rows:?}");
        let (rows, _) = run(&ds, d(2024, 6, 1));
        assert_eq!(eval_rows(&rows).len(), 1);
    }

    #[test]
    fn s001_3_4_first_day_of_quarter_flags_the_missed_previous_quarter() {
        // Nothing dated in Q1: on 4-1 the Q1 evaluation is 1 day overdue; Q2's is not listed yet.
        let ds = dataset(vec![record("A", VisitKind::Evaluation, d(2023, 12, 20))]);
        let (rows, findings) = run(&ds, d(2024, 4, 1));
        let r = eval_rows(&rows);
        assert_eq!(r.len(), 1, "{rows:?}");
        assert_eq!(r[0].status, ComplianceStatus::Overdue);
        assert_eq!((r[0].due, r[0].days), (Some(d(2024, 3, 31)), 1));
        assert!(
            r[0].note.contains("2024年第1季度（2024-01-01至2024-03-31）"),
            "{}",
            r[0].note
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("修改建议"), "{}", findings[0].message);
        // An evaluation on the quarter's last day counts for it.
        let ds = dataset(vec![record("A", VisitKind::Evaluation, d(2024, 3, 31))]);
        let (rows, findings) = run(&ds, d(2024, 4, 1));
        assert!(eval_rows(&rows).is_empty() && findings.is_empty(), "{rows:?}");
    }

    #[test]
    fn s001_3_4_record_after_the_run_date_does_not_count() {
        let ds = dataset(vec![
            record("A", VisitKind::Evaluation, d(2024, 2, 10)),
            record("A", VisitKind::Evaluation, d(2024, 6, 29)),
        ]);
        let (rows, _) = run(&ds, d(2024, 6, 28));
        assert_eq!(eval_rows(&rows).len(), 1, "{rows:?}");
        let (rows, _) = run(&ds, d(2024, 6, 29));
        assert!(eval_rows(&rows).is_empty(), "{rows:?}");
    }

    #[test]
    fn s001_3_4_evaluation_of_another_household_does_not_count() {
        let mut ds = dataset(vec![
            record("A", VisitKind::Evaluation, d(2024, 2, 10)),
            record("B", VisitKind::Evaluation, d(2024, 6, 10)),
        ]);
        ds.households.push(household("B", 2));
        let (rows, _) = run(&ds, d(2024, 6, 30));
        let r = eval_rows(&rows);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].household_id, "A");
    }

    #[test]
    fn s001_3_4_household_monitored_from_mid_quarter_is_due_next_quarter() {
        // Approved 2024-06-01 (the first day of the reminder month): due this quarter.
        let case = |date| {
            procedure(
                "A",
                ProcedureKind::Identification,
                &[(Stage::LeadFound, d(2024, 5, 1)), (Stage::CountyApproval, date)],
            )
        };
        let mut ds = dataset(vec![]);
        ds.households[0].kind = HouseholdType::Ordinary;
        ds.visits.clear();
        ds.visits.push(record("A", VisitKind::Visit, d(2024, 6, 20)));
        ds.visits.push(record("X", VisitKind::Evaluation, d(2024, 6, 20)));
        ds.procedures = vec![case(d(2024, 6, 1))];
        let (rows, _) = run(&ds, d(2024, 6, 30));
        let r = eval_rows(&rows);
        assert_eq!(r.len(), 1, "{rows:?}");
        assert_eq!(r[0].status, ComplianceStatus::DueSoon);
        // Approved a day later: not due before the third quarter, and Q1 (not monitored) neither.
        ds.procedures = vec![case(d(2024, 6, 2))];
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(eval_rows(&rows).is_empty(), "{rows:?}");
        // In Q3 the Q2 evaluation is not overdue for it either.
        let (rows, _) = run(&ds, d(2024, 7, 15));
        assert!(eval_rows(&rows).is_empty(), "{rows:?}");
    }

    #[test]
    fn s001_3_4_month_only_monitoring_start_counts_from_the_months_end() {
        // 识别监测时间 202406: since 6-30, after 6-01 → not due in Q2.
        let mut ds = dataset(vec![record("A", VisitKind::Evaluation, d(2024, 2, 10))]);
        ds.households[0].monitored_since = PartialDate::month(2024, 6);
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(eval_rows(&rows).is_empty(), "{rows:?}");
        ds.households[0].monitored_since = PartialDate::month(2024, 5);
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert_eq!(eval_rows(&rows).len(), 1);
    }

    #[test]
    fn s001_3_4_eliminated_households_are_not_checked() {
        let mut ds = dataset(vec![record("A", VisitKind::Evaluation, d(2024, 2, 10))]);
        ds.procedures = vec![procedure(
            "A",
            ProcedureKind::Elimination,
            &[(Stage::CountyApproval, d(2024, 6, 10))],
        )];
        let (rows, _) = run(&ds, d(2024, 6, 30));
        assert!(rows.is_empty(), "{rows:?}");
    }

    #[test]
    fn s001_3_3_yearly_visit_is_listed_from_october() {
        let mut ds = Dataset {
            households: vec![monitored("A")],
            visits: vec![record("A", VisitKind::Visit, d(2023, 11, 5))],
            ..Dataset::default()
        };
        // Evaluations switched off so only the visit rule speaks.
        let rules = RulesFile::defaults()
            .merged_with(serde_yaml::from_str("评估遍访:\n  帮扶效果评估: {停用: true}\n").expect("parse"));
        let (rows, findings) = run_with(&rules, &ds, d(2024, 9, 30));
        assert!(rows.is_empty() && findings.is_empty(), "{rows:?} {findings:?}");
        let (rows, _) = run_with(&rules, &ds, d(2024, 10, 1));
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].rule, "年度遍访");
        assert_eq!(
            (rows[0].status, rows[0].due),
            (ComplianceStatus::Pending, Some(d(2024, 12, 31)))
        );
        let (rows, _) = run_with(&rules, &ds, d(2024, 12, 31));
        assert_eq!(rows[0].status, ComplianceStatus::DueSoon);
        assert!(rows[0].note.contains("三（三）"), "{}", rows[0].note);
        // A visit on 1 January covers the new year, not the old one.
        ds.visits.push(record("A", VisitKind::Visit, d(2025, 1, 1)));
        let (rows, _) = run_with(&rules, &ds, d(2025, 1, 1));
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!((rows[0].status, rows[0].days), (ComplianceStatus::Overdue, 1));
        assert!(rows[0].note.contains("2024年度"), "{}", rows[0].note);
    }

    #[test]
    fn s001_3_3_household_identified_after_the_reminder_opens_is_due_next_year() {
        let rules = RulesFile::defaults()
            .merged_with(serde_yaml::from_str("评估遍访:\n  帮扶效果评估: {停用: true}\n").expect("parse"));
        let mut ds = Dataset {
            households: vec![household("A", 2)],
            visits: vec![record("Z", VisitKind::Visit, d(2024, 3, 1))],
            procedures: vec![procedure(
                "A",
                ProcedureKind::Identification,
                &[(Stage::CountyApproval, d(2024, 10, 2))],
            )],
            ..Dataset::default()
        };
        ds.households.push(monitored("Z"));
        let (rows, _) = run_with(&rules, &ds, d(2024, 12, 31));
        assert!(rows.iter().all(|r| r.household_id != "A"), "{rows:?}");
        let (rows, _) = run_with(&rules, &ds, d(2025, 3, 1));
        assert!(rows.iter().all(|r| r.household_id != "A"), "{rows:?}");
    }

    #[test]
    fn no_records_at_all_is_one_finding() {
        let ds = Dataset {
            households: vec![monitored("A"), monitored("B")],
            ..Dataset::default()
        };
        let (rows, findings) = run(&ds, d(2024, 6, 30));
        assert!(rows.is_empty(), "{rows:?}");
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.rule, RULE_NO_RECORDS);
        assert!(f.household_id.is_empty());
        assert!(
            f.message
                .contains("未提供帮扶效果评估和遍访记录，未核查季度帮扶效果评估和年度遍访")
                && f.message.contains("修改建议"),
            "{}",
            f.message
        );
        // No monitored household: nothing to say.
        let ds = Dataset {
            households: vec![household("C", 1)],
            ..Dataset::default()
        };
        assert!(run(&ds, d(2024, 6, 30)).1.is_empty());
    }

    #[test]
    fn unknown_household_is_a_warning() {
        let ds = dataset(vec![
            record("A", VisitKind::Evaluation, d(2024, 2, 10)),
            record("A", VisitKind::Evaluation, d(2024, 5, 10)),
            record("NOPE", VisitKind::Evaluation, d(2024, 5, 10)),
        ]);
        let (rows, findings) = run(&ds, d(2024, 6, 30));
        assert!(rows.is_empty(), "{rows:?}");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, RULE_UNKNOWN_HOUSEHOLD);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(findings[0].message.contains("NOPE"));
    }
}
