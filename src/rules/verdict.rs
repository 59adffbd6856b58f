//! One verdict per case: where it stands, the 公示期 to print, and whether the public documents
//! may list it (公示 / 结果公告), with the findings that decide it. Documents read these and
//! nothing else, so a notice never lists a household the rules hold back.
//!
//! Held back from 公示 and 结果公告 (DESIGN.md §4; 000 附件1, 002 §2(5), 004 §二(三)1):
//! - 识别纳入 of a household with a 不得纳入 exclusion (000 附件1);
//! - 风险消除 of a 整户无劳动能力 household (000 §一(四), 004 §二(三)2(1): 原则上暂不标注);
//! - 风险消除 of a household that was never monitored (also reported as an error);
//! - 风险消除 whose conditions fail or are unknown: 两不愁三保障及饮水安全 not secured, the income
//!   not above the line, and for 帮扶消除 not for the required months by approval
//!   (004 §二(三)1). 自然消除 (the risk disappeared by itself) is a path of its own without the
//!   six months; a household still below the 监测范围 is by definition still at risk, so the
//!   line applies to both paths.

use super::compliance::{MonitorState, is_no_labour, monitor_state};
use super::period::{Period, PublicityRule, add_months, publicity_period};
use super::{Finding, IncomeResult, Index, calendar::Calendar};
use crate::model::{Dataset, Household, Money, Procedure, ProcedureKind, RulesFile, Severity, Stage};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Where a case stands as of the run date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum CaseState {
    /// Village steps under way, no 村级评议 yet.
    #[serde(rename = "核实中")]
    Preparing,
    /// 村级评议 done, 公示 not posted yet.
    #[serde(rename = "待公示")]
    Reviewed,
    /// 公示 posted, no 县级审批 yet.
    #[serde(rename = "已公示待审批")]
    Publicised,
    /// 县级审批 done.
    #[serde(rename = "已审批")]
    Approved,
}

/// How a 风险消除 is justified (004 §二(三)1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EliminationPath {
    /// 帮扶消除: income stably above the line for the required months, 三保障 secured.
    #[serde(rename = "帮扶消除")]
    Assisted,
    /// 自然消除: the risk disappeared by itself.
    #[serde(rename = "自然消除")]
    Natural,
}

impl EliminationPath {
    pub fn label(self) -> &'static str {
        match self {
            EliminationPath::Assisted => "帮扶消除",
            EliminationPath::Natural => "自然消除",
        }
    }

    /// 自然消除 when the case says so; 帮扶消除 otherwise (the common path, and the stricter one).
    pub fn of(p: &Procedure) -> EliminationPath {
        match p.elimination_mode.as_deref().map(str::trim) {
            Some(m) if m.contains("自然") => EliminationPath::Natural,
            _ => EliminationPath::Assisted,
        }
    }
}

/// Why a case is kept off the public documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    /// The rule (规则 column), e.g. 排除情形.
    pub rule: String,
    /// 原因
    pub reason: String,
    /// 依据
    pub basis: String,
    /// 如何处理
    pub fix: String,
}

/// The verdict on one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseVerdict {
    /// Index into `Dataset::procedures`.
    pub procedure: usize,
    /// Index into `Dataset::households` (None: the 户编号 is unknown).
    pub household: Option<usize>,
    pub household_id: String,
    pub head_name: String,
    pub village: String,
    pub kind: ProcedureKind,
    pub state: CaseState,
    /// Part of this campaign: 公示 (recorded or planned) or 县级审批 in the campaign's year or
    /// later. Earlier cases belong to earlier campaigns' notices.
    pub current: bool,
    /// The 公示期 to print (recorded, else planned); None when there is nothing to post.
    pub publicity: Option<Period>,
    /// 县级审批 (reached by the run date).
    pub approved: Option<NaiveDate>,
    /// 结果公告 recorded (reached by the run date).
    pub announced: Option<NaiveDate>,
    /// For 风险消除: the path the case takes.
    pub path: Option<EliminationPath>,
    /// Why the case may not be listed publicly; empty when it may.
    pub holds: Vec<Hold>,
    /// For 识别纳入: the 承诺授权书 is signed in this campaign — printed for signing (blank date
    /// unless `signed` is recorded).
    pub signs_now: bool,
    /// 签订承诺授权书 date (reached by the run date).
    pub signed: Option<NaiveDate>,
}

impl CaseVerdict {
    /// May appear on this campaign's 公示 (拟纳入 / 拟标注风险消除).
    pub fn may_publicise(&self) -> bool {
        self.current && self.publicity.is_some() && self.holds.is_empty()
    }

    /// May appear on this campaign's 结果公告: county-approved and not held back.
    pub fn may_announce(&self) -> bool {
        self.current && self.approved.is_some() && self.holds.is_empty()
    }

    /// Held back (暂缓公示): a case of this campaign, or one still open, that a rule keeps off the
    /// public documents.
    pub fn held_back(&self) -> bool {
        !self.holds.is_empty() && (self.current || self.approved.is_none())
    }

    /// 初步核查意见 / the case's state in words, for forms and reports.
    pub fn state_text(&self) -> String {
        let kind = self.kind.label();
        if self.held_back() {
            let why: Vec<&str> = self.holds.iter().map(|h| h.rule.as_str()).collect();
            return format!("{kind}程序暂缓公示（{}），待核实处理", why.join("、"));
        }
        match (self.kind, self.state) {
            (ProcedureKind::Identification, CaseState::Approved) => match self.approved {
                Some(d) => format!("已纳入监测对象（{}县级审批）", date_zh(d)),
                None => "已纳入监测对象".to_string(),
            },
            (ProcedureKind::Elimination, CaseState::Approved) => match self.approved {
                Some(d) => format!("已标注风险消除（{}县级审批）", date_zh(d)),
                None => "已标注风险消除".to_string(),
            },
            (ProcedureKind::Rollback, CaseState::Approved) => "已风险消除回退，恢复监测".to_string(),
            (ProcedureKind::Removal, CaseState::Approved) => "已清退".to_string(),
            (ProcedureKind::Identification, CaseState::Publicised) => "拟纳入监测对象，已公示待审批".to_string(),
            (ProcedureKind::Elimination, CaseState::Publicised) => "拟标注风险消除，已公示待审批".to_string(),
            (ProcedureKind::Identification, _) => "拟纳入监测对象，识别纳入程序办理中".to_string(),
            (ProcedureKind::Elimination, _) => "拟标注风险消除，风险消除程序办理中".to_string(),
            (ProcedureKind::Rollback, _) => "风险消除回退程序办理中".to_string(),
            (ProcedureKind::Removal, _) => "清退程序办理中".to_string(),
        }
    }
}

use crate::model::date_zh;

/// Everything the verdicts need besides the data.
pub struct Ctx<'a> {
    pub rules: &'a RulesFile,
    pub calendar: &'a Calendar,
    pub as_of: NaiveDate,
    pub line: Money,
    /// The campaign's 年度.
    pub year: i32,
}

/// Rule names of the holds (the 规则 column of 暂缓公示).
pub const HOLD_EXCLUSION: &str = "排除情形";
pub const HOLD_NO_LABOUR: &str = "整户无劳动能力不得风险消除";
pub const HOLD_NOT_MONITORED: &str = "风险消除对象须为监测对象";
pub const HOLD_BASIC_NEEDS: &str = "风险消除须两不愁三保障及饮水安全有保障";
pub const HOLD_INCOME: &str = "风险消除须收入超过监测范围";
pub const HOLD_STABLE: &str = "风险消除须收入稳定超过监测范围";

/// One verdict per procedure (dataset order), plus findings for what only the verdicts see
/// (a 风险消除 of a never-monitored household, a 公示期 that cannot be computed).
pub fn evaluate(ctx: &Ctx, ds: &Dataset, idx: &Index, incomes: &[IncomeResult]) -> (Vec<CaseVerdict>, Vec<Finding>) {
    let mut out = Vec::with_capacity(ds.procedures.len());
    let mut findings = Vec::new();
    let rules = [
        PublicityRule::of(ctx.rules, ProcedureKind::Identification),
        PublicityRule::of(ctx.rules, ProcedureKind::Elimination),
        PublicityRule::of(ctx.rules, ProcedureKind::Rollback),
        PublicityRule::of(ctx.rules, ProcedureKind::Removal),
    ];
    for (pi, p) in ds.procedures.iter().enumerate() {
        let hi = idx.household(&p.household_id);
        let h = hi.map(|i| &ds.households[i]);
        let reached = |s: Stage| p.date(s).filter(|d| *d <= ctx.as_of);
        let approved = reached(Stage::CountyApproval);
        let rule = match p.kind {
            ProcedureKind::Identification => &rules[0],
            ProcedureKind::Elimination => &rules[1],
            ProcedureKind::Rollback => &rules[2],
            ProcedureKind::Removal => &rules[3],
        };
        // Cases already approved keep their recorded period only; nothing is planned for them.
        let publicity = match publicity_period(p, ctx.calendar, rule, ctx.as_of) {
            Ok(Some(period)) if approved.is_none() || period.source != super::period::PeriodSource::Planned => {
                Some(period)
            }
            Ok(_) => None,
            Err(e) => {
                if let Some(h) = h {
                    findings.push(super::finding(
                        h,
                        "工作日历未覆盖",
                        format!("{}程序（{}）无法计算公示期：{e}", p.kind.label(), p.place),
                        Severity::Error,
                    ));
                }
                None
            }
        };
        let state = if approved.is_some() {
            CaseState::Approved
        } else if reached(Stage::PublicityStart).is_some() {
            CaseState::Publicised
        } else if reached(Stage::VillageReview).is_some() {
            CaseState::Reviewed
        } else {
            CaseState::Preparing
        };
        let current = publicity.is_some_and(|period| period.start.year() >= ctx.year)
            || approved.is_some_and(|d| d.year() >= ctx.year);
        let signed = reached(Stage::Commitment);
        let signs_now = p.kind == ProcedureKind::Identification
            && h.is_some()
            && match signed {
                Some(d) => d.year() >= ctx.year,
                None => approved.is_none(),
            };
        let mut holds = Vec::new();
        let path = (p.kind == ProcedureKind::Elimination).then(|| EliminationPath::of(p));
        if let (Some(h), Some(hi)) = (h, hi) {
            match p.kind {
                ProcedureKind::Identification => identification_holds(h, &mut holds),
                ProcedureKind::Elimination => {
                    let cases: Vec<&Procedure> = idx.procedures[hi]
                        .iter()
                        .filter(|&&i| i != pi)
                        .map(|&i| &ds.procedures[i])
                        .collect();
                    let reference = approved.or(publicity.map(|pp| pp.end)).unwrap_or(ctx.as_of);
                    elimination_holds(ctx, p, h, &cases, &incomes[hi], reference, &mut holds);
                    if let Some(hold) = holds.iter().find(|x| x.rule == HOLD_NOT_MONITORED) {
                        findings.push(super::finding(
                            h,
                            HOLD_NOT_MONITORED,
                            format!("{}（{}）。修改建议：{}", hold.reason, p.place, hold.fix),
                            Severity::Error,
                        ));
                    }
                }
                ProcedureKind::Rollback | ProcedureKind::Removal => {}
            }
            // Approved already: the way back is a procedure of its own (004 §二(三)2(2)), not a
            // change to the open case.
            if approved.is_some() {
                let way_back = match p.kind {
                    ProcedureKind::Elimination => "已县级审批的，按程序申请风险消除回退，继续落实帮扶措施、跟踪监测",
                    _ => "已县级审批的，核实后按程序清退",
                };
                for hold in holds.iter_mut().filter(|x| !x.fix.starts_with("已")) {
                    hold.fix = way_back.to_string();
                }
            }
        }
        out.push(CaseVerdict {
            procedure: pi,
            household: hi,
            household_id: p.household_id.clone(),
            head_name: h.map(|h| h.head_name.clone()).unwrap_or_default(),
            village: h.map(|h| h.village.clone()).unwrap_or_default(),
            kind: p.kind,
            state,
            current,
            publicity,
            approved,
            announced: reached(Stage::ResultNotice).filter(|d| approved.is_some_and(|a| *d >= a)),
            path,
            holds,
            signs_now,
            signed,
        });
    }
    (out, findings)
}

fn identification_holds(h: &Household, holds: &mut Vec<Hold>) {
    // 死亡/服刑/失踪 excludes the person, not the household (000 附件1(九)).
    let exclusions = super::key_groups::household_exclusions(h);
    if !exclusions.is_empty() {
        holds.push(Hold {
            rule: HOLD_EXCLUSION.to_string(),
            reason: format!("该户有不得纳入监测对象的情形：{}", exclusions.join("、")),
            basis: "《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》附件1 不得纳入监测对象的情形".to_string(),
            fix: "入户核实排除情形；确属不得纳入的，终止识别纳入程序并在台账中说明；情形有误的，改正户表“排除情形”后重新生成".to_string(),
        });
    }
}

/// Monitored before this case: 户类型 监测户, a 监测对象类型, or an approved 识别纳入 / 回退 case.
fn was_monitored(h: &Household, others: &[&Procedure], as_of: NaiveDate) -> bool {
    let MonitorState { monitored, .. } = monitor_state(h, others, as_of);
    monitored
        || h.monitor_category.is_some()
        || others.iter().any(|c| {
            matches!(c.kind, ProcedureKind::Identification | ProcedureKind::Rollback)
                && c.date(Stage::CountyApproval).is_some_and(|d| d <= as_of)
        })
}

fn elimination_holds(
    ctx: &Ctx,
    p: &Procedure,
    h: &Household,
    others: &[&Procedure],
    income: &IncomeResult,
    reference: NaiveDate,
    holds: &mut Vec<Hold>,
) {
    let basis_condition =
        "《2022年防止返贫监测帮扶集中排查工作方案》二（三）1 明确标注条件；《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》一（三）".to_string();
    if !was_monitored(h, others, ctx.as_of) {
        holds.push(Hold {
            rule: HOLD_NOT_MONITORED.to_string(),
            reason: format!("该户为{}，数据中没有纳入监测的记录，不能标注风险消除", h.kind.label()),
            basis: "《2022年防止返贫监测帮扶集中排查工作方案》二（三）排查监测对象风险消除情况：标注对象为未消除风险的监测对象".to_string(),
            fix: "核对户类型和监测对象类型；确为监测户的，改正户表或补录识别纳入程序；不是监测户的，删除该风险消除程序"
                .to_string(),
        });
        return;
    }
    if is_no_labour(h) {
        holds.push(Hold {
            rule: HOLD_NO_LABOUR.to_string(),
            reason: "整户无劳动能力兜底保障户原则上暂不标注风险消除".to_string(),
            basis: "《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》一（四）；《2022年防止返贫监测帮扶集中排查工作方案》二（三）2（1）整户无劳动力的监测对象原则上暂不标注风险消除".to_string(),
            fix: if p.date(Stage::CountyApproval).is_some_and(|d| d <= ctx.as_of) {
                "已县级审批的，按程序申请风险消除回退，落实兜底保障措施后持续跟踪监测".to_string()
            } else {
                "终止该风险消除程序，落实兜底保障措施后持续跟踪监测".to_string()
            },
        });
        return;
    }
    match h.basic_needs_met {
        Some(true) => {}
        Some(false) => holds.push(Hold {
            rule: HOLD_BASIC_NEEDS.to_string(),
            reason: "“两不愁三保障”及饮水安全未达标".to_string(),
            basis: basis_condition.clone(),
            fix: "先解决“两不愁三保障”及饮水安全问题，达标后再启动风险消除".to_string(),
        }),
        None => holds.push(Hold {
            rule: HOLD_BASIC_NEEDS.to_string(),
            reason: "未填“两不愁三保障及饮水安全是否达标”，无法确认风险消除条件".to_string(),
            basis: basis_condition.clone(),
            fix: "入户核实后在户表填写“两不愁三保障及饮水安全是否达标”".to_string(),
        }),
    }
    match income.above_line {
        Some(true) => {}
        Some(false) => {
            holds.push(Hold {
                rule: HOLD_INCOME.to_string(),
                reason: format!(
                    "家庭人均纯收入{}元未超过监测范围{}元",
                    income.per_capita.unwrap_or_default(),
                    ctx.line
                ),
                basis: basis_condition,
                fix: "收入未稳定超过监测范围的，不得标注风险消除：终止该程序，继续落实帮扶措施".to_string(),
            });
            return;
        }
        None => {
            holds.push(Hold {
                rule: HOLD_INCOME.to_string(),
                reason: "未填家庭收入，无法确认收入超过监测范围".to_string(),
                basis: basis_condition,
                fix: "入户核实后填写各项收入或家庭人均纯收入".to_string(),
            });
            return;
        }
    }
    if EliminationPath::of(p) == EliminationPath::Natural {
        return;
    }
    let months = ctx.rules.stable_income_months();
    match p.income_ok_since.or(h.income_ok_since) {
        None => holds.push(Hold {
            rule: HOLD_STABLE.to_string(),
            reason: format!("未填“收入达标起始日期”，无法确认收入已持续稳定超过监测范围{months}个月"),
            basis: basis_condition,
            fix: "在户表或程序表填写“收入达标起始日期”".to_string(),
        }),
        Some(since) => {
            let earliest = add_months(since, months);
            if reference < earliest {
                holds.push(Hold {
                    rule: HOLD_STABLE.to_string(),
                    reason: format!(
                        "收入自{}起超过监测范围，到{}才满{months}个月",
                        date_zh(since),
                        date_zh(earliest)
                    ),
                    basis: basis_condition,
                    fix: format!("{}以后再公示、审批风险消除", date_zh(earliest)),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HouseholdType, LabourCapacity, MonitorCategory};
    use crate::rules::income;
    use crate::rules::testutil::{d, household, procedure};
    use Stage::*;

    fn run(ds: &Dataset, as_of: NaiveDate) -> (Vec<CaseVerdict>, Vec<Finding>) {
        let rules = RulesFile::defaults();
        let cal = Calendar::new(&rules).unwrap();
        let line = Money::from_yuan(6900);
        let incomes: Vec<IncomeResult> = ds.households.iter().map(|h| income::evaluate(h, line).0).collect();
        let idx = Index::new(ds);
        let ctx = Ctx {
            rules: &rules,
            calendar: &cal,
            as_of,
            line,
            year: 2024,
        };
        evaluate(&ctx, ds, &idx, &incomes)
    }

    /// A monitored household whose elimination conditions all hold as of mid-2024.
    fn eligible(id: &str) -> Household {
        let mut h = household(id, 2);
        h.kind = HouseholdType::Monitored;
        h.monitor_category = Some(MonitorCategory::Marginal);
        h.income.per_capita = Some(Money::from_yuan(9000));
        h.basic_needs_met = Some(true);
        h.income_ok_since = Some(d(2023, 11, 1));
        h
    }

    fn elimination(id: &str) -> Procedure {
        procedure(
            id,
            ProcedureKind::Elimination,
            &[
                (HomeVisit, d(2024, 5, 10)),
                (VillageReview, d(2024, 5, 15)),
                (PublicityStart, d(2024, 5, 20)),
            ],
        )
    }

    fn one(h: Household, p: Procedure, as_of: NaiveDate) -> CaseVerdict {
        let mut ds = Dataset::default();
        ds.households.push(h);
        ds.procedures.push(p);
        run(&ds, as_of).0.remove(0)
    }

    #[test]
    fn an_eligible_elimination_may_be_publicised() {
        // 004 §二(三)1: income above the line six months, 三保障 secured.
        let v = one(eligible("H1"), elimination("H1"), d(2024, 6, 30));
        assert!(v.holds.is_empty(), "{:?}", v.holds);
        assert!(v.may_publicise() && !v.may_announce());
        assert_eq!(v.state, CaseState::Publicised);
        assert_eq!(v.path, Some(EliminationPath::Assisted));
    }

    #[test]
    fn elimination_is_held_for_no_labour_households() {
        // 000 §一(四)、004 §二(三)2(1): 整户无劳动能力 原则上暂不标注风险消除.
        let mut h = eligible("H1");
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::None);
        }
        let v = one(h, elimination("H1"), d(2024, 6, 30));
        assert_eq!(v.holds[0].rule, HOLD_NO_LABOUR);
        assert!(!v.may_publicise() && v.held_back());
        assert!(v.holds[0].fix.contains("终止"));
        // Already approved: the fix is a 风险消除回退 (004), not "terminate".
        let mut h = eligible("H2");
        h.no_labour_household = true;
        let mut p = elimination("H2");
        p.stages.insert(CountyApproval, d(2024, 6, 10));
        let v = one(h, p, d(2024, 6, 30));
        assert!(v.holds[0].fix.contains("风险消除回退"), "{}", v.holds[0].fix);
        assert!(!v.may_announce());
    }

    #[test]
    fn elimination_is_held_when_income_is_below_or_unknown_or_recent() {
        // 004 §二(三)1: 收入原则上要稳定超过当年监测范围且持续半年以上.
        let mut h = eligible("H1");
        h.income.per_capita = Some(Money::from_yuan(5190));
        let v = one(h, elimination("H1"), d(2024, 6, 30));
        assert_eq!(v.holds[0].rule, HOLD_INCOME);
        assert!(v.holds[0].reason.contains("5190"));
        let mut h = eligible("H1");
        h.income.per_capita = None;
        assert_eq!(one(h, elimination("H1"), d(2024, 6, 30)).holds[0].rule, HOLD_INCOME);
        // Since 2024-01-01: six months complete on 2024-07-01, after the 公示 ends (05-24).
        let mut h = eligible("H1");
        h.income_ok_since = Some(d(2024, 1, 1));
        let v = one(h, elimination("H1"), d(2024, 6, 30));
        assert_eq!(v.holds[0].rule, HOLD_STABLE);
        assert!(v.holds[0].reason.contains("2024年7月1日"), "{}", v.holds[0].reason);
        // Boundary: since 2023-11-24 completes six months exactly on the last 公示 day.
        let mut h = eligible("H1");
        h.income_ok_since = Some(d(2023, 11, 24));
        assert!(one(h, elimination("H1"), d(2024, 6, 30)).holds.is_empty());
        let mut h = eligible("H1");
        h.income_ok_since = Some(d(2023, 11, 25));
        assert_eq!(one(h, elimination("H1"), d(2024, 6, 30)).holds[0].rule, HOLD_STABLE);
    }

    #[test]
    fn elimination_is_held_when_basic_needs_are_not_secured() {
        // 004 §二(三)1、002 §2(5): “三保障”及饮水安全持续巩固.
        let mut h = eligible("H1");
        h.basic_needs_met = Some(false);
        let v = one(h, elimination("H1"), d(2024, 6, 30));
        assert_eq!(v.holds[0].rule, HOLD_BASIC_NEEDS);
        let mut h = eligible("H1");
        h.basic_needs_met = None;
        assert!(
            one(h, elimination("H1"), d(2024, 6, 30)).holds[0]
                .reason
                .contains("未填")
        );
    }

    #[test]
    fn natural_elimination_is_a_path_of_its_own() {
        // 004 §二(三)1: “或返贫致贫风险自然消失的” — without the six months.
        let mut h = eligible("H1");
        h.income_ok_since = Some(d(2024, 5, 1));
        let mut p = elimination("H1");
        p.elimination_mode = Some("自然消除".into());
        let v = one(h.clone(), p.clone(), d(2024, 6, 30));
        assert!(v.holds.is_empty(), "{:?}", v.holds);
        assert_eq!(v.path, Some(EliminationPath::Natural));
        // Still below the line: still at risk, whatever the path.
        h.income.per_capita = Some(Money::from_yuan(5000));
        assert_eq!(one(h, p, d(2024, 6, 30)).holds[0].rule, HOLD_INCOME);
    }

    #[test]
    fn elimination_of_a_never_monitored_household_is_held_and_an_error() {
        let mut h = eligible("H1");
        h.kind = HouseholdType::Ordinary;
        h.monitor_category = None;
        let mut ds = Dataset::default();
        ds.households.push(h);
        ds.procedures.push(elimination("H1"));
        let (v, f) = run(&ds, d(2024, 6, 30));
        assert_eq!(v[0].holds[0].rule, HOLD_NOT_MONITORED);
        assert!(
            f.iter()
                .any(|f| f.rule == HOLD_NOT_MONITORED && f.severity == Severity::Error)
        );
        // An approved identification case earlier makes it monitored.
        ds.procedures.insert(
            0,
            procedure("H1", ProcedureKind::Identification, &[(CountyApproval, d(2023, 3, 1))]),
        );
        let (v, f) = run(&ds, d(2024, 6, 30));
        assert!(v[1].holds.is_empty(), "{:?}", v[1].holds);
        assert!(f.is_empty());
    }

    #[test]
    fn identification_is_held_for_an_exclusion() {
        // 000 附件1: 不得纳入情形.
        let mut h = household("H1", 2);
        h.exclusions = vec!["购买消费型汽车".into()];
        let p = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(LeadFound, d(2024, 5, 6)), (VillageReview, d(2024, 5, 14))],
        );
        let v = one(h, p, d(2024, 5, 15));
        assert_eq!(v.holds[0].rule, HOLD_EXCLUSION);
        assert!(v.held_back() && !v.may_publicise());
        assert!(v.state_text().contains("暂缓公示"));
    }

    #[test]
    fn announcement_needs_approval_in_the_campaign_year() {
        let h = household("H1", 2);
        let mut p = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(PublicityStart, d(2024, 5, 20)), (PublicityEnd, d(2024, 5, 24))],
        );
        let v = one(h.clone(), p.clone(), d(2024, 6, 30));
        assert!(v.may_publicise() && !v.may_announce());
        p.stages.insert(CountyApproval, d(2024, 6, 3));
        p.stages.insert(ResultNotice, d(2024, 6, 5));
        let v = one(h.clone(), p, d(2024, 6, 30));
        assert!(v.may_announce());
        assert_eq!(v.announced, Some(d(2024, 6, 5)));
        assert_eq!(v.state_text(), "已纳入监测对象（2024年6月3日县级审批）");
        // Approved in 2023: an earlier campaign's case, on neither document.
        let old = procedure("H1", ProcedureKind::Identification, &[(CountyApproval, d(2023, 6, 12))]);
        let v = one(h, old, d(2024, 6, 30));
        assert!(!v.current && !v.may_announce() && !v.may_publicise());
        assert!(!v.signs_now);
    }

    #[test]
    fn commitment_forms_are_for_cases_signing_in_this_campaign() {
        // 002 §2(4): the form is signed at the 入户核实 of this campaign's case.
        let h = household("H1", 2);
        let open = procedure("H1", ProcedureKind::Identification, &[(LeadFound, d(2024, 5, 6))]);
        let v = one(h.clone(), open, d(2024, 6, 30));
        assert!(v.signs_now && v.signed.is_none());
        let signed = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(LeadFound, d(2024, 5, 6)), (Commitment, d(2024, 5, 8))],
        );
        let v = one(h.clone(), signed, d(2024, 6, 30));
        assert!(v.signs_now && v.signed == Some(d(2024, 5, 8)));
        let old = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(Commitment, d(2021, 6, 12)), (CountyApproval, d(2021, 6, 30))],
        );
        assert!(!one(h, old, d(2024, 6, 30)).signs_now);
    }
}
