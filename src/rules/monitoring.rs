//! Checks on how monitored households are helped, and on households and villages the monitoring
//! may have missed (001 §二, §三(四); 003 §二(二); 000 §一(一)).
//!
//! * Per monitored household (called from `compliance::evaluate`):
//!   - 应消未消: income above the line for the configured months, 两不愁三保障及饮水安全 met, not
//!     整户无劳动能力, and no 风险消除 in progress (001 §三(四): counted in the assessment);
//!   - 兜底: a 整户无劳动能力 household without a 保障式 measure or a 低保/特困 roster entry (001 §二(二));
//!   - 缺什么补什么: a risk type without any measure of the families rules.yaml maps it to (001 §二);
//!   - 监测对象类型, 风险类型 or income missing (the plan is made from them, 001 §二);
//!   - 户厕改造 as the first 改善式 measure (001 §二(五)): missing where the data says the household
//!     has no sanitary toilet (是否有卫生厕所: 否), or dated after another 改善式 measure.
//!
//!   The measure checks share the grace period of the 开发式 check: the 帮扶计划 deadline of the
//!   monitoring (rows appear 即将到期 / 已逾期未完成; a monitoring the data does not date gets no grace).
//! * Over the dataset (called from `rules::evaluate_with`):
//!   - 体外循环: a household with new 低保/特困 (measures or department rosters) that has never
//!     been monitored and has no identification case under way (000 §一(一), 001 §一(三)); a
//!     household whose monitoring ended is the 风险消除 checks' business, not this one's;
//!   - a village with many 脱贫户 and no household identified since the reference year (003 §二(二)).

use super::compliance::{Ctx, MonitorState, Out, calendar_deadline, is_no_labour, monitor_state, plan_due};
use super::{ComplianceRow, ComplianceStatus, Finding, IncomeResult, Index, key_groups};
use crate::model::{
    Dataset, DeadlineRule, Household, HouseholdType, Measure, MonitorCategory, Procedure, ProcedureKind, RosterEntry,
    RosterKind, Severity, Stage,
};
use chrono::NaiveDate;
use std::collections::HashMap;

pub const RULE_SHOULD_ELIMINATE: &str = "应消未消";
pub const RULE_SAFETY_NET: &str = "整户无劳动能力监测户落实兜底保障";
pub const RULE_RISK_MEASURE: &str = "风险对应帮扶措施";
pub const RULE_INCOMPLETE: &str = "监测户帮扶信息不全";
pub const RULE_FIRST_IMPROVEMENT: &str = "首项改善式帮扶措施";
pub const RULE_OUTSIDE: &str = "体外循环风险";
pub const RULE_VILLAGE: &str = "脱贫户较多村未识别监测户";

/// 001: the township's 常态化监测和帮扶 notice.
pub const BASIS_001: &str = "《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》";
/// 003: 鄂温克族自治旗 2024 Q2 plan.
pub const BASIS_003: &str = "《鄂温克族自治旗2024年第二季度防止返贫动态监测帮扶集中排查工作方案》";
/// 000: 耿马自治县 2023 plan.
pub const BASIS_000: &str = "《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》";

/// Measures in place as of the run date (an undated measure counts: exports give no dates).
fn measures_as_of<'a>(ds: &'a Dataset, idx: &Index, hi: usize, as_of: NaiveDate) -> Vec<&'a Measure> {
    idx.measures[hi]
        .iter()
        .map(|&i| &ds.measures[i])
        .filter(|m| m.date.is_none_or(|d| d <= as_of))
        .collect()
}

fn rosters_of<'a>(ds: &'a Dataset, idx: &Index, hi: usize) -> Vec<&'a RosterEntry> {
    idx.rosters[hi].iter().map(|&i| &ds.rosters[i]).collect()
}

/// A case started (any stage reached) and not yet approved by the county as of the date.
fn under_way(p: &Procedure, as_of: NaiveDate) -> bool {
    p.stages.values().any(|d| *d <= as_of) && p.date(Stage::CountyApproval).is_none_or(|d| d > as_of)
}

/// How a measure check stands given its grace period: None while not yet due (no row).
/// A monitoring without a date gets `undated` (the grace cannot be computed).
fn graced(
    due: Option<NaiveDate>,
    as_of: NaiveDate,
    soon: u32,
    undated: ComplianceStatus,
) -> Option<(ComplianceStatus, i64)> {
    match due {
        Some(due) => {
            let (status, days) = calendar_deadline(due, None, as_of, soon);
            (status != ComplianceStatus::Pending).then_some((status, days))
        }
        None => Some((undated, 0)),
    }
}

/// The note's tail for a graced check.
fn grace_words(status: ComplianceStatus, due: Option<NaiveDate>, days: i64) -> String {
    match (status, due) {
        (ComplianceStatus::Overdue, Some(_)) => format!("帮扶计划时限已过{days}天仍未落实"),
        (_, Some(due)) => format!("须在{due}（帮扶计划时限）前落实"),
        (_, None) => "纳入监测时间不详，无法给出落实时限".to_string(),
    }
}

/// A graced check's report: the row always, the finding (a warning) once the grace is over.
#[allow(clippy::too_many_arguments)]
fn graced_report(
    out: &mut Out,
    h: &Household,
    rule: &str,
    due: Option<NaiveDate>,
    status: ComplianceStatus,
    days: i64,
    note: String,
    fix: &str,
) {
    if status != ComplianceStatus::DueSoon {
        out.finding(
            Some(h),
            &h.id,
            rule,
            format!("{note}。修改建议：{fix}"),
            Severity::Warning,
        );
    }
    out.row(Some(h), &h.id, None, rule, due, None, status, days, note);
}

/// Every per-household check of this module for one monitored household.
#[allow(clippy::too_many_arguments)]
pub(crate) fn household(
    ctx: &Ctx,
    ds: &Dataset,
    idx: &Index,
    rules: &[&DeadlineRule],
    hi: usize,
    h: &Household,
    state: &MonitorState,
    income: &IncomeResult,
    out: &mut Out,
) {
    let cases: Vec<&Procedure> = idx.procedures[hi].iter().map(|&i| &ds.procedures[i]).collect();
    let measures = measures_as_of(ds, idx, hi, ctx.as_of);
    let rosters = rosters_of(ds, idx, hi);
    let due = plan_due(ctx, rules, state);
    should_eliminate(ctx, h, &cases, income, out);
    safety_net(ctx, h, &measures, &rosters, due, out);
    risk_measures(ctx, h, &measures, due, out);
    incomplete(ctx, h, income, due, out);
    first_improvement(ctx, h, &measures, due, out);
}

/// 应消未消 (001 §三(四)): the elimination conditions are met and no 风险消除 is under way.
fn should_eliminate(ctx: &Ctx, h: &Household, cases: &[&Procedure], income: &IncomeResult, out: &mut Out) {
    if is_no_labour(h) || income.above_line != Some(true) || h.basic_needs_met != Some(true) {
        return;
    }
    let ending = cases
        .iter()
        .any(|p| matches!(p.kind, ProcedureKind::Elimination | ProcedureKind::Removal) && under_way(p, ctx.as_of));
    if ending {
        return;
    }
    // Stability needs a start date; without one the six months cannot be shown (never guessed).
    let Some(since) = h.income_ok_since.filter(|s| *s <= ctx.as_of) else {
        return;
    };
    let months = ctx.rules.stable_income_months();
    let earliest = super::period::add_months(since, months);
    if earliest > ctx.as_of {
        return;
    }
    let days = (ctx.as_of - earliest).num_days();
    let note = format!(
        "收入自{since}起超过监测范围（当前人均纯收入{}元，监测范围{}元），{earliest}已满{months}个月，“两不愁三保障”及饮水安全已达标，不是整户无劳动能力，但未启动风险消除；达到风险消除标准而不作风险消除的纳入考核（{BASIS_001}三（四））",
        income.per_capita.unwrap_or_default(),
        ctx.line
    );
    out.finding(
        Some(h),
        &h.id,
        RULE_SHOULD_ELIMINATE,
        format!("{note}。修改建议：在季度帮扶效果评估中研判，确已稳定消除风险的依程序启动风险消除；收入达标起始日期有误的更正"),
        Severity::Warning,
    );
    out.row(
        Some(h),
        &h.id,
        None,
        RULE_SHOULD_ELIMINATE,
        Some(earliest),
        None,
        ComplianceStatus::Overdue,
        days,
        note,
    );
}

/// 兜底 for 整户无劳动能力 (001 §二(二)): a 保障式 measure, or 低保/特困 on a department roster.
fn safety_net(
    ctx: &Ctx,
    h: &Household,
    measures: &[&Measure],
    rosters: &[&RosterEntry],
    due: Option<NaiveDate>,
    out: &mut Out,
) {
    if !is_no_labour(h) {
        return;
    }
    let families = ctx.rules.safety_net_families();
    let by_measure = measures.iter().any(|m| {
        ctx.rules
            .vocab
            .measure_category(&m.category)
            .is_some_and(|c| families.contains(&c.family.as_str()))
    });
    let by_roster = rosters.iter().any(|r| {
        matches!(r.kind, RosterKind::Dibao | RosterKind::Tekun) && r.since.is_none_or(|s| s.first_day() <= ctx.as_of)
    });
    if by_measure || by_roster {
        return;
    }
    let Some((status, days)) = graced(due, ctx.as_of, ctx.rules.due_soon(), ComplianceStatus::Violation) else {
        return;
    };
    let note = format!(
        "整户无劳动能力监测户须按标准落实兜底保障、特困供养等社会综合保障措施（{}类），生活不能自理的实行托管托养（{BASIS_001}二（二））；{}",
        families.join("、"),
        grace_words(status, due, days)
    );
    graced_report(
        out,
        h,
        RULE_SAFETY_NET,
        due,
        status,
        days,
        note,
        "符合条件的纳入低保或特困供养，在帮扶措施表登记（已享受的在部门数据中核对）",
    );
}

/// 缺什么补什么 (001 §二): every mapped risk type needs one of its measure categories.
fn risk_measures(ctx: &Ctx, h: &Household, measures: &[&Measure], due: Option<NaiveDate>, out: &mut Out) {
    let Some(map) = ctx.rules.risk_measures() else { return };
    let canonical = |s: &str| {
        ctx.rules
            .vocab
            .measure_category(s)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| s.to_string())
    };
    let have: Vec<String> = measures.iter().map(|m| canonical(&m.category)).collect();
    let mut missing: Vec<String> = Vec::new();
    for risk in &h.risks {
        let Some(wanted) = map.get(risk) else { continue };
        let wanted: Vec<String> = wanted.iter().map(|w| canonical(w)).collect();
        if !wanted.iter().any(|w| have.contains(w)) {
            missing.push(format!("{risk}（应有{}之一）", wanted.join("、")));
        }
    }
    if missing.is_empty() {
        return;
    }
    let Some((status, days)) = graced(due, ctx.as_of, ctx.rules.due_soon(), ComplianceStatus::Overdue) else {
        return;
    };
    let note = format!(
        "按“缺什么补什么”的原则，风险类型须有针对性的帮扶措施（{BASIS_001}二）；未见对应措施：{}；{}",
        missing.join("；"),
        grace_words(status, due, days)
    );
    graced_report(
        out,
        h,
        RULE_RISK_MEASURE,
        due,
        status,
        days,
        note,
        "针对上述风险补充帮扶措施并登记；已落实的在帮扶措施表补登",
    );
}

/// The facts a 帮扶计划 is made from (001 §二): 监测对象类型, 风险类型, 家庭人均纯收入.
fn incomplete(ctx: &Ctx, h: &Household, income: &IncomeResult, due: Option<NaiveDate>, out: &mut Out) {
    let mut missing = Vec::new();
    if h.monitor_category.is_none() {
        missing.push("监测对象类型");
    }
    if h.risks.is_empty() {
        missing.push("风险类型");
    }
    if income.per_capita.is_none() {
        missing.push("家庭人均纯收入");
    }
    if missing.is_empty() {
        return;
    }
    let Some((status, days)) = graced(due, ctx.as_of, ctx.rules.due_soon(), ComplianceStatus::Overdue) else {
        return;
    };
    let note = format!(
        "监测户缺少{}，无法按风险类别制定和核对帮扶计划（{BASIS_001}二）；{}",
        missing.join("、"),
        match (status, due) {
            (ComplianceStatus::Overdue, Some(_)) => format!("帮扶计划时限已过{days}天"),
            (_, Some(due)) => format!("须在{due}（帮扶计划时限）前补齐"),
            (_, None) => "纳入监测时间不详".to_string(),
        }
    );
    graced_report(
        out,
        h,
        RULE_INCOMPLETE,
        due,
        status,
        days,
        note,
        &format!("入户核实后补填{}", missing.join("、")),
    );
}

/// 户厕改造 first (001 §二(五)): missing where the household has no sanitary toilet, or dated
/// after another 改善式 measure. A household the data says nothing about is not asked for one:
/// most already have a toilet from earlier campaigns.
fn first_improvement(ctx: &Ctx, h: &Household, measures: &[&Measure], due: Option<NaiveDate>, out: &mut Out) {
    let first = ctx.rules.first_improvement();
    if first.is_empty() {
        return;
    }
    let first = ctx
        .rules
        .vocab
        .measure_category(first)
        .map(|c| c.name.as_str())
        .unwrap_or(first);
    let improvement = |m: &Measure| {
        ctx.rules
            .vocab
            .measure_category(&m.category)
            .is_some_and(|c| c.family == "改善式")
    };
    let own: Vec<&Measure> = measures.iter().copied().filter(|m| m.category == first).collect();
    let basis = format!("{first}是农户纳入监测后首先要落实的一项改善式帮扶措施（{BASIS_001}二（五））");
    if own.is_empty() {
        if h.sanitary_toilet != Some(false) {
            return;
        }
        let Some((status, days)) = graced(due, ctx.as_of, ctx.rules.due_soon(), ComplianceStatus::Overdue) else {
            return;
        };
        let note = format!(
            "{basis}；该户无卫生厕所，帮扶措施中未见{first}，{}",
            grace_words(status, due, days)
        );
        graced_report(
            out,
            h,
            RULE_FIRST_IMPROVEMENT,
            due,
            status,
            days,
            note,
            &format!("落实{first}并在帮扶措施表登记；已改厕的同时更正“是否有卫生厕所”"),
        );
        return;
    }
    // Order: the earliest dated 户厕改造 against the earliest other dated 改善式 measure.
    let toilet = own.iter().filter_map(|m| m.date).min();
    let other = measures
        .iter()
        .filter(|m| m.category != first && improvement(m))
        .filter_map(|m| m.date.map(|d| (d, m.category.as_str())))
        .min();
    if let (Some(t), Some((o, name))) = (toilet, other)
        && t > o
    {
        let days = (t - o).num_days();
        let note = format!("{basis}；{first}（{t}）晚于{name}（{o}）落实");
        out.finding(
            Some(h),
            &h.id,
            RULE_FIRST_IMPROVEMENT,
            format!("{note}。修改建议：核实落实日期；今后新纳入的监测户先落实{first}"),
            Severity::Warning,
        );
        out.row(
            Some(h),
            &h.id,
            None,
            RULE_FIRST_IMPROVEMENT,
            Some(o),
            Some(t),
            ComplianceStatus::Late,
            days,
            note,
        );
    }
}

/// Checks over the whole dataset: 体外循环 households and villages without new monitoring.
pub fn dataset(ctx: &Ctx, kctx: &key_groups::Ctx, ds: &Dataset, idx: &Index) -> (Vec<ComplianceRow>, Vec<Finding>) {
    let mut out = Out {
        rows: Vec::new(),
        findings: Vec::new(),
    };
    let since = kctx.new_welfare_since();
    for (hi, h) in ds.households.iter().enumerate() {
        outside(ctx, ds, idx, hi, h, since, &mut out);
    }
    villages(ctx, ds, idx, &mut out);
    (out.rows, out.findings)
}

/// 体外循环 (000 §一(一), 001 §一(三)): new 低保/特困 since `since`, not monitored, no case under way.
fn outside(ctx: &Ctx, ds: &Dataset, idx: &Index, hi: usize, h: &Household, since: NaiveDate, out: &mut Out) {
    let as_of = ctx.as_of;
    let cases: Vec<&Procedure> = idx.procedures[hi].iter().map(|&i| &ds.procedures[i]).collect();
    if monitor_state(h, &cases, as_of).monitored {
        return;
    }
    // Ever monitored (a record of it, or any case of the monitoring), or being identified now.
    let ever = h.monitored_since.is_some()
        || h.eliminated_on.is_some()
        || h.monitor_category.is_some()
        || cases
            .iter()
            .any(|p| p.kind != ProcedureKind::Identification || under_way(p, as_of))
        || cases
            .iter()
            .any(|p| p.date(Stage::CountyApproval).is_some_and(|d| d <= as_of));
    if ever {
        return;
    }
    // A household that may not be monitored at all is explained by its 排除情形.
    if !key_groups::household_exclusions(h).is_empty() {
        return;
    }
    let mut evidence: Vec<(NaiveDate, String)> = Vec::new();
    for &mi in &idx.measures[hi] {
        let m = &ds.measures[mi];
        let Some(d) = m.date.filter(|d| *d >= since && *d <= as_of) else {
            continue;
        };
        if m.category != "综合保障" {
            continue;
        }
        for word in ["低保", "特困"] {
            if m.detail.contains(word) {
                evidence.push((d, format!("帮扶措施“{}”（{d}，{}）", m.detail, m.place)));
                break;
            }
        }
    }
    for &ri in &idx.rosters[hi] {
        let r = &ds.rosters[ri];
        if !matches!(r.kind, RosterKind::Dibao | RosterKind::Tekun) {
            continue;
        }
        let Some(s) = r.since.filter(|s| s.last_day() >= since && s.first_day() <= as_of) else {
            continue;
        };
        evidence.push((
            s.first_day(),
            format!("{}名单：{}自{}（{}）", r.kind.label(), r.name, s.zh(), r.place),
        ));
    }
    if evidence.is_empty() {
        return;
    }
    evidence.sort();
    let first = evidence[0].0;
    let list: Vec<&str> = evidence.iter().map(|(_, e)| e.as_str()).collect();
    let note = format!(
        "{since}以来新纳入农村低保或特困供养（{}），但未识别为监测对象，存在“体外循环”风险；须逐户入户排查，符合条件的按程序识别纳入，不得以落实低保为由不识别（{BASIS_000}一（一）、{BASIS_001}一（三））",
        list.join("；")
    );
    out.finding(
        Some(h),
        &h.id,
        RULE_OUTSIDE,
        format!("{note}。修改建议：入户核实返贫致贫风险；符合条件的启动识别纳入程序，不符合的在入户排查表注明研判结果"),
        Severity::Warning,
    );
    out.row(
        Some(h),
        &h.id,
        None,
        RULE_OUTSIDE,
        Some(first),
        None,
        ComplianceStatus::Overdue,
        (as_of - first).num_days().max(0),
        note,
    );
}

/// Per village: 脱贫户 counted, households identified since the reference year, monitored
/// households the data does not date.
#[derive(Default)]
struct VillageCount {
    lifted: u32,
    identified_since: u32,
    undated: u32,
}

/// 003 §二(二): a village with at least N 脱贫户 and no household identified since the year.
fn villages(ctx: &Ctx, ds: &Dataset, idx: &Index, out: &mut Out) {
    let (threshold, year) = ctx.rules.village_check();
    if threshold == 0 {
        return;
    }
    let Some(from) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return;
    };
    let as_of = ctx.as_of;
    let mut counts: HashMap<&str, VillageCount> = HashMap::new();
    for (hi, h) in ds.households.iter().enumerate() {
        let c = counts.entry(h.village.as_str()).or_default();
        // A monitored 脱贫不稳定户 is a 脱贫户 too.
        if h.kind == HouseholdType::Lifted || h.monitor_category == Some(MonitorCategory::Unstable) {
            c.lifted += 1;
        }
        let approved: Vec<NaiveDate> = idx.procedures[hi]
            .iter()
            .map(|&i| &ds.procedures[i])
            .filter(|p| p.kind == ProcedureKind::Identification)
            .filter_map(|p| p.date(Stage::CountyApproval))
            .filter(|d| *d <= as_of)
            .collect();
        let recorded = h.monitored_since.filter(|m| m.first_day() <= as_of);
        let since_year = approved.iter().any(|d| *d >= from) || recorded.is_some_and(|m| m.first_day() >= from);
        if since_year {
            c.identified_since += 1;
        } else if h.kind == HouseholdType::Monitored && approved.is_empty() && recorded.is_none() {
            c.undated += 1;
        }
    }
    for village in super::village_order(ds) {
        let Some(c) = counts.get(village.as_str()) else {
            continue;
        };
        if c.lifted < threshold || c.identified_since > 0 {
            continue;
        }
        let basis =
            format!("脱贫户在{threshold}户以上但{year}年以来未识别监测户的村，须重点排查（{BASIS_003}二（二））");
        if c.undated > 0 {
            out.findings.push(Finding {
                household_id: String::new(),
                head_name: village.clone(),
                village: village.clone(),
                rule: RULE_VILLAGE.to_string(),
                message: format!(
                    "{village}有脱贫户{}户，数据中未见{year}年以来识别的监测户，另有{}户监测户未填识别监测时间，无法核查（{basis}）。修改建议：补填这些监测户的识别监测时间（或登记其识别纳入程序）",
                    c.lifted, c.undated
                ),
                severity: Severity::Warning,
            });
            continue;
        }
        let note = format!("{village}有脱贫户{}户，{year}年以来未识别监测户；{basis}", c.lifted);
        out.findings.push(Finding {
            household_id: String::new(),
            head_name: village.clone(),
            village: village.clone(),
            rule: RULE_VILLAGE.to_string(),
            message: format!(
                "{note}。修改建议：对该村脱贫户逐户入户排查，有返贫致贫风险的按程序识别纳入，未纳入的逐户注明研判结果"
            ),
            severity: Severity::Warning,
        });
        out.rows.push(ComplianceRow {
            household_id: String::new(),
            head_name: village.clone(),
            village: village.clone(),
            procedure: None,
            rule: RULE_VILLAGE.to_string(),
            due: None,
            done: None,
            status: ComplianceStatus::Overdue,
            days: 0,
            note,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LabourCapacity, Money, PartialDate, Place, RulesFile};
    use crate::rules::calendar::Calendar;
    use crate::rules::testutil::{d, household, procedure};
    use crate::rules::{compliance, income};
    use ComplianceStatus::*;

    const LINE: Money = Money(690_000);

    /// Rows and findings of the whole compliance evaluation plus the dataset checks.
    fn run_with(ds: &Dataset, rules: &RulesFile, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        let cal = Calendar::new(rules).unwrap();
        let incomes: Vec<IncomeResult> = ds.households.iter().map(|h| income::evaluate(h, LINE).0).collect();
        let idx = Index::new(ds);
        let ctx = Ctx {
            rules,
            calendar: &cal,
            as_of,
            line: LINE,
            township: "测试乡",
        };
        let (mut rows, mut findings) = compliance::evaluate(&ctx, ds, &idx, &incomes, &[]);
        let kctx = key_groups::Ctx {
            as_of,
            year: chrono::Datelike::year(&as_of),
            income_line: key_groups::DEFAULT_INCOME_LINE,
        };
        let (r, f) = dataset(&ctx, &kctx, ds, &idx);
        rows.extend(r);
        findings.extend(f);
        (rows, findings)
    }

    fn run(ds: &Dataset, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        run_with(ds, &RulesFile::defaults(), as_of)
    }

    fn rows<'a>(rows: &'a [ComplianceRow], rule: &str) -> Vec<&'a ComplianceRow> {
        rows.iter().filter(|r| r.rule == rule).collect()
    }

    fn measure(hid: &str, category: &str, detail: &str, date: Option<NaiveDate>) -> Measure {
        Measure {
            household_id: hid.into(),
            category: category.into(),
            detail: detail.into(),
            date,
            place: Place::file("甲村.yaml"),
        }
    }

    /// A monitored household (识别监测时间 2023-03) with complete facts, a 开发式 and a 户厕改造 measure.
    fn monitored(id: &str) -> (Household, Vec<Measure>) {
        let mut h = household(id, 2);
        h.kind = HouseholdType::Monitored;
        h.monitor_category = Some(MonitorCategory::Marginal);
        h.monitored_since = PartialDate::month(2023, 3);
        h.risks = vec!["因病".into()];
        h.income.per_capita = Some(Money::from_yuan(6000));
        let ms = vec![
            measure(id, "就业帮扶", "公益岗位", Some(d(2023, 4, 1))),
            measure(id, "健康帮扶", "先诊疗后付费", Some(d(2023, 4, 1))),
            measure(id, "户厕改造", "改厕", Some(d(2023, 3, 20))),
        ];
        (h, ms)
    }

    fn dataset_of(h: Household, ms: Vec<Measure>) -> Dataset {
        let mut ds = Dataset::default();
        ds.households.push(h);
        ds.measures = ms;
        ds
    }

    #[test]
    fn s001_2_a_complete_household_has_no_support_rows() {
        let (h, ms) = monitored("H1");
        let (r, f) = run(&dataset_of(h, ms), d(2024, 6, 1));
        for rule in [
            RULE_SHOULD_ELIMINATE,
            RULE_SAFETY_NET,
            RULE_RISK_MEASURE,
            RULE_INCOMPLETE,
            RULE_FIRST_IMPROVEMENT,
            RULE_OUTSIDE,
            RULE_VILLAGE,
        ] {
            assert!(rows(&r, rule).is_empty(), "{rule}: {r:?}");
            assert!(f.iter().all(|x| x.rule != rule), "{rule}: {f:?}");
        }
    }

    #[test]
    fn s001_3_4_should_eliminate_from_the_day_six_months_are_full() {
        let (mut h, ms) = monitored("H1");
        h.income.per_capita = Some(Money::from_yuan(9000));
        h.income_ok_since = Some(d(2024, 1, 15));
        let ds = dataset_of(h, ms);
        // The day before six months are full: nothing; on the day: 应消未消.
        let (r, _) = run(&ds, d(2024, 7, 14));
        assert!(rows(&r, RULE_SHOULD_ELIMINATE).is_empty(), "{r:?}");
        let (r, f) = run(&ds, d(2024, 7, 15));
        let row = rows(&r, RULE_SHOULD_ELIMINATE);
        assert_eq!(row.len(), 1, "{r:?}");
        assert_eq!(
            (row[0].status, row[0].due, row[0].days),
            (Overdue, Some(d(2024, 7, 15)), 0)
        );
        assert!(row[0].note.contains("纳入考核"), "{}", row[0].note);
        assert!(
            f.iter()
                .any(|x| x.rule == RULE_SHOULD_ELIMINATE && x.message.contains("修改建议"))
        );
    }

    #[test]
    fn s001_3_4_should_eliminate_needs_every_condition() {
        let base = || {
            let (mut h, ms) = monitored("H1");
            h.income.per_capita = Some(Money::from_yuan(9000));
            h.income_ok_since = Some(d(2023, 1, 1));
            (h, ms)
        };
        let as_of = d(2024, 6, 1);
        let flagged = |ds: &Dataset| !rows(&run(ds, as_of).0, RULE_SHOULD_ELIMINATE).is_empty();
        let (h, ms) = base();
        assert!(flagged(&dataset_of(h, ms)));
        // 三保障 not met or not known.
        for met in [Some(false), None] {
            let (mut h, ms) = base();
            h.basic_needs_met = met;
            assert!(!flagged(&dataset_of(h, ms)), "{met:?}");
        }
        // Income at the line is not above it.
        let (mut h, ms) = base();
        h.income.per_capita = Some(Money::from_yuan(6900));
        assert!(!flagged(&dataset_of(h, ms)));
        // 整户无劳动能力 is never eliminated.
        let (mut h, ms) = base();
        h.no_labour_household = true;
        assert!(!flagged(&dataset_of(h, ms)));
        // No 收入达标起始日期: six months cannot be shown.
        let (mut h, ms) = base();
        h.income_ok_since = None;
        assert!(!flagged(&dataset_of(h, ms)));
        // A 风险消除 under way answers it.
        let (h, ms) = base();
        let mut ds = dataset_of(h, ms);
        ds.procedures.push(procedure(
            "H1",
            ProcedureKind::Elimination,
            &[(Stage::LeadFound, d(2024, 5, 20))],
        ));
        assert!(!flagged(&ds));
    }

    #[test]
    fn s001_2_2_no_labour_household_needs_a_safety_net_after_the_plan_deadline() {
        let (mut h, mut ms) = monitored("H1");
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::None);
        }
        h.monitored_since = Some(PartialDate::Day(d(2024, 5, 1)));
        ms.retain(|m| m.category != "就业帮扶");
        let ds = dataset_of(h.clone(), ms.clone());
        // 帮扶计划 within 10 days of 2024-05-01: due 2024-05-11.
        let (r, _) = run(&ds, d(2024, 5, 5));
        assert!(rows(&r, RULE_SAFETY_NET).is_empty(), "not yet due soon: {r:?}");
        let (r, f) = run(&ds, d(2024, 5, 9));
        assert_eq!(rows(&r, RULE_SAFETY_NET)[0].status, DueSoon);
        assert!(f.iter().all(|x| x.rule != RULE_SAFETY_NET), "no finding while due soon");
        let (r, f) = run(&ds, d(2024, 5, 12));
        let row = rows(&r, RULE_SAFETY_NET);
        assert_eq!((row[0].status, row[0].days), (Overdue, 1), "{row:?}");
        assert!(f.iter().any(|x| x.rule == RULE_SAFETY_NET));
        // A 保障式 measure (综合保障 低保) answers it; so does a 特困 roster entry.
        let mut with = ms.clone();
        with.push(measure("H1", "综合保障", "农村低保", Some(d(2024, 5, 3))));
        assert!(rows(&run(&dataset_of(h.clone(), with), d(2024, 6, 1)).0, RULE_SAFETY_NET).is_empty());
        let mut ds = dataset_of(h.clone(), ms.clone());
        ds.rosters.push(RosterEntry {
            kind: RosterKind::Tekun,
            name: "成员0".into(),
            id: "MH10".into(),
            since: PartialDate::month(2024, 4),
            disability: None,
            household_id: Some("H1".into()),
            place: Place::file("部门数据/特困.xlsx"),
        });
        assert!(rows(&run(&ds, d(2024, 6, 1)).0, RULE_SAFETY_NET).is_empty());
        // A labour-capable household is not asked for one.
        let (h, ms) = monitored("H2");
        assert!(rows(&run(&dataset_of(h, ms), d(2024, 6, 1)).0, RULE_SAFETY_NET).is_empty());
    }

    #[test]
    fn s001_2_2_undated_no_labour_household_without_safety_net_is_a_violation() {
        let (mut h, ms) = monitored("H1");
        h.no_labour_household = true;
        h.monitored_since = None;
        let (r, _) = run(&dataset_of(h, ms), d(2024, 6, 1));
        let row = rows(&r, RULE_SAFETY_NET);
        assert_eq!(row[0].status, Violation);
        assert!(row[0].note.contains("纳入监测时间不详"), "{}", row[0].note);
    }

    #[test]
    fn s001_2_each_mapped_risk_needs_a_matching_measure() {
        let (mut h, ms) = monitored("H1");
        h.risks = vec!["因病".into(), "因学".into(), "因残".into()];
        let (r, f) = run(&dataset_of(h.clone(), ms.clone()), d(2024, 6, 1));
        let row = rows(&r, RULE_RISK_MEASURE);
        assert_eq!(row.len(), 1, "{r:?}");
        // 因病 has 健康帮扶; 因学 has nothing; 因残 is not mapped by default.
        assert!(row[0].note.contains("因学（应有教育帮扶之一）"), "{}", row[0].note);
        assert!(!row[0].note.contains("因病（"), "{}", row[0].note);
        assert!(!row[0].note.contains("因残"), "{}", row[0].note);
        assert_eq!(row[0].status, Overdue);
        assert!(
            f.iter()
                .any(|x| x.rule == RULE_RISK_MEASURE && x.severity == Severity::Warning)
        );
        // A synonym in the measures (雨露计划 → 教育帮扶) answers 因学.
        let mut with = ms.clone();
        with.push(measure("H1", "教育帮扶", "雨露计划", None));
        assert!(rows(&run(&dataset_of(h.clone(), with), d(2024, 6, 1)).0, RULE_RISK_MEASURE).is_empty());
        // A measure dated after the run date does not count yet.
        let mut later = ms;
        later.push(measure("H1", "教育帮扶", "助学", Some(d(2024, 6, 2))));
        assert_eq!(
            rows(&run(&dataset_of(h, later), d(2024, 6, 1)).0, RULE_RISK_MEASURE).len(),
            1
        );
    }

    #[test]
    fn s001_2_risk_mapping_is_data() {
        let (mut h, ms) = monitored("H1");
        h.risks = vec!["因残".into()];
        let over: RulesFile = serde_yaml::from_str("帮扶核查:\n  风险对应措施:\n    因残: [社会帮扶]\n").unwrap();
        let rules = RulesFile::defaults().merged_with(over);
        let (r, _) = run_with(&dataset_of(h, ms), &rules, d(2024, 6, 1));
        assert!(rows(&r, RULE_RISK_MEASURE)[0].note.contains("因残（应有社会帮扶之一）"));
    }

    #[test]
    fn s001_2_monitored_household_missing_type_risks_or_income() {
        let (mut h, ms) = monitored("H1");
        h.monitor_category = None;
        h.risks.clear();
        h.income.per_capita = None;
        let (r, f) = run(&dataset_of(h, ms), d(2024, 6, 1));
        let row = rows(&r, RULE_INCOMPLETE);
        assert_eq!(row.len(), 1);
        assert!(
            row[0].note.contains("监测对象类型、风险类型、家庭人均纯收入"),
            "{}",
            row[0].note
        );
        assert!(
            f.iter()
                .any(|x| x.rule == RULE_INCOMPLETE && x.message.contains("补填"))
        );
        // An ordinary household is not monitored and not checked.
        let mut o = household("H2", 2);
        o.income.per_capita = None;
        assert!(rows(&run(&dataset_of(o, vec![]), d(2024, 6, 1)).0, RULE_INCOMPLETE).is_empty());
    }

    #[test]
    fn s001_2_5_toilet_first_missing_or_late() {
        let (mut h, mut ms) = monitored("H1");
        ms.retain(|m| m.category != "户厕改造");
        // Nothing known about the toilet: not asked.
        assert!(
            rows(
                &run(&dataset_of(h.clone(), ms.clone()), d(2024, 6, 1)).0,
                RULE_FIRST_IMPROVEMENT
            )
            .is_empty()
        );
        h.sanitary_toilet = Some(true);
        assert!(
            rows(
                &run(&dataset_of(h.clone(), ms.clone()), d(2024, 6, 1)).0,
                RULE_FIRST_IMPROVEMENT
            )
            .is_empty()
        );
        // 是否有卫生厕所: 否 and no 户厕改造.
        h.sanitary_toilet = Some(false);
        let (r, f) = run(&dataset_of(h.clone(), ms.clone()), d(2024, 6, 1));
        let row = rows(&r, RULE_FIRST_IMPROVEMENT);
        assert_eq!(row[0].status, Overdue);
        assert!(
            row[0].note.contains("该户无卫生厕所，帮扶措施中未见户厕改造"),
            "{}",
            row[0].note
        );
        assert!(f.iter().any(|x| x.rule == RULE_FIRST_IMPROVEMENT));
        // Dated after another 改善式 measure: 逾期完成 by the days between.
        let mut late = ms.clone();
        late.push(measure("H1", "饮水安全保障", "饮水工程", Some(d(2023, 5, 1))));
        late.push(measure("H1", "户厕改造", "改厕", Some(d(2023, 5, 11))));
        let (r, _) = run(&dataset_of(h.clone(), late), d(2024, 6, 1));
        let row = rows(&r, RULE_FIRST_IMPROVEMENT);
        assert_eq!(
            (row[0].status, row[0].days, row[0].done),
            (Late, 10, Some(d(2023, 5, 11)))
        );
        // Same day is not late.
        let mut same = ms.clone();
        same.push(measure("H1", "饮水安全保障", "饮水工程", Some(d(2023, 5, 1))));
        same.push(measure("H1", "户厕改造", "改厕", Some(d(2023, 5, 1))));
        assert!(
            rows(
                &run(&dataset_of(h.clone(), same), d(2024, 6, 1)).0,
                RULE_FIRST_IMPROVEMENT
            )
            .is_empty()
        );
        // rules.yaml can switch it off.
        let over: RulesFile = serde_yaml::from_str("帮扶核查:\n  首项改善式措施: ''\n").unwrap();
        let rules = RulesFile::defaults().merged_with(over);
        assert!(
            rows(
                &run_with(&dataset_of(h, ms), &rules, d(2024, 6, 1)).0,
                RULE_FIRST_IMPROVEMENT
            )
            .is_empty()
        );
    }

    fn dibao(hid: &str, since: Option<PartialDate>) -> RosterEntry {
        RosterEntry {
            kind: RosterKind::Dibao,
            name: "成员0".into(),
            id: format!("M{hid}0"),
            since,
            disability: None,
            household_id: Some(hid.into()),
            place: Place::file("部门数据/低保.xlsx"),
        }
    }

    #[test]
    fn s000_1_1_new_dibao_outside_monitoring_is_flagged() {
        let mut ds = dataset_of(household("H1", 2), vec![]);
        ds.rosters.push(dibao("H1", PartialDate::month(2024, 3)));
        let (r, f) = run(&ds, d(2024, 6, 1));
        let row = rows(&r, RULE_OUTSIDE);
        assert_eq!(row.len(), 1, "{r:?}");
        assert_eq!((row[0].status, row[0].due), (Overdue, Some(d(2024, 3, 1))));
        assert!(row[0].note.contains("低保名单：成员0自2024年3月"), "{}", row[0].note);
        assert!(
            f.iter()
                .any(|x| x.rule == RULE_OUTSIDE && x.message.contains("体外循环"))
        );
        // The same evidence on a monitored household is not 体外循环.
        let (h, ms) = monitored("H1");
        let mut m = dataset_of(h, ms);
        m.rosters.push(dibao("H1", PartialDate::month(2024, 3)));
        assert!(rows(&run(&m, d(2024, 6, 1)).0, RULE_OUTSIDE).is_empty());
        // An identification case under way answers it.
        let mut c = ds.clone();
        c.procedures.push(procedure(
            "H1",
            ProcedureKind::Identification,
            &[(Stage::LeadFound, d(2024, 5, 1))],
        ));
        assert!(rows(&run(&c, d(2024, 6, 1)).0, RULE_OUTSIDE).is_empty());
        // A household whose monitoring ended (风险消除 approved) is not 体外循环.
        let mut e = ds.clone();
        e.households[0].kind = HouseholdType::Lifted;
        e.procedures.push(procedure(
            "H1",
            ProcedureKind::Elimination,
            &[(Stage::CountyApproval, d(2024, 4, 1))],
        ));
        assert!(rows(&run(&e, d(2024, 6, 1)).0, RULE_OUTSIDE).is_empty());
        let mut e = ds.clone();
        e.households[0].eliminated_on = PartialDate::month(2023, 12);
        assert!(rows(&run(&e, d(2024, 6, 1)).0, RULE_OUTSIDE).is_empty());
    }

    #[test]
    fn s000_1_1_old_or_undated_dibao_is_not_new() {
        // Run 2024-06-01: new means since 2022-06-01 (two years) or 2024-01-01, the wider.
        for (since, flagged) in [
            (PartialDate::month(2022, 6), true),
            (PartialDate::month(2022, 5), false),
            (None, false),
            (PartialDate::month(2024, 7), false),
        ] {
            let mut ds = dataset_of(household("H1", 2), vec![]);
            ds.rosters.push(dibao("H1", since));
            let n = rows(&run(&ds, d(2024, 6, 1)).0, RULE_OUTSIDE).len();
            assert_eq!(n == 1, flagged, "{since:?}");
        }
        // A 低保 measure dated within the period counts as evidence too.
        let ds = dataset_of(
            household("H1", 2),
            vec![measure("H1", "综合保障", "新纳入农村低保", Some(d(2024, 2, 1)))],
        );
        assert_eq!(rows(&run(&ds, d(2024, 6, 1)).0, RULE_OUTSIDE).len(), 1);
    }

    fn lifted_village(n: usize) -> Dataset {
        let mut ds = Dataset::default();
        for i in 0..n {
            let mut h = household(&format!("L{i}"), 1);
            h.kind = HouseholdType::Lifted;
            ds.households.push(h);
        }
        ds
    }

    #[test]
    fn s003_2_2_village_with_ten_lifted_and_no_monitoring_since_2021() {
        // Nine 脱贫户: below the threshold.
        assert!(rows(&run(&lifted_village(9), d(2024, 6, 1)).0, RULE_VILLAGE).is_empty());
        let ds = lifted_village(10);
        let (r, f) = run(&ds, d(2024, 6, 1));
        let row = rows(&r, RULE_VILLAGE);
        assert_eq!(row.len(), 1);
        assert_eq!((row[0].village.as_str(), row[0].status), ("甲村", Overdue));
        assert!(
            row[0].note.contains("脱贫户10户，2021年以来未识别监测户"),
            "{}",
            row[0].note
        );
        assert!(f.iter().any(|x| x.rule == RULE_VILLAGE));
        // A household identified in 2021 (识别监测时间 202101) answers it; one from 2020 does not.
        for (month, flagged) in [((2021, 1), false), ((2020, 12), true)] {
            let mut ds = lifted_village(10);
            let mut m = household("M1", 1);
            m.kind = HouseholdType::Monitored;
            m.monitored_since = PartialDate::month(month.0, month.1);
            ds.households.push(m);
            assert_eq!(
                !rows(&run(&ds, d(2024, 6, 1)).0, RULE_VILLAGE).is_empty(),
                flagged,
                "{month:?}"
            );
        }
        // So does an identification case approved in the data since 2021.
        let mut ds = lifted_village(10);
        ds.households.push(household("N1", 1));
        ds.procedures.push(procedure(
            "N1",
            ProcedureKind::Identification,
            &[(Stage::CountyApproval, d(2022, 3, 1))],
        ));
        assert!(rows(&run(&ds, d(2024, 6, 1)).0, RULE_VILLAGE).is_empty());
    }

    #[test]
    fn s003_2_2_undated_monitored_household_is_reported_not_guessed() {
        let mut ds = lifted_village(10);
        let mut m = household("M1", 1);
        m.kind = HouseholdType::Monitored;
        ds.households.push(m);
        let (r, f) = run(&ds, d(2024, 6, 1));
        assert!(rows(&r, RULE_VILLAGE).is_empty());
        let msg = &f.iter().find(|x| x.rule == RULE_VILLAGE).unwrap().message;
        assert!(msg.contains("1户监测户未填识别监测时间，无法核查"), "{msg}");
    }

    #[test]
    fn s003_2_2_threshold_and_year_are_data() {
        let over: RulesFile = serde_yaml::from_str("村级核查:\n  脱贫户数: 3\n  起始年度: 2023\n").unwrap();
        let rules = RulesFile::defaults().merged_with(over);
        let (r, _) = run_with(&lifted_village(3), &rules, d(2024, 6, 1));
        assert!(rows(&r, RULE_VILLAGE)[0].note.contains("2023年以来"));
    }
}
