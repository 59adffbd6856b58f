//! Case-level order rules beyond the deadline table: the 承诺授权书 before the village steps of an
//! identification, and the required stages of each procedure (程序环节 in rules.yaml: 风险消除回退
//! and 清退 by default). Stages dated after the run date have not happened yet.

use super::ComplianceStatus;
use super::compliance::{Ctx, Out};
use crate::model::{Household, Procedure, ProcedureKind, Severity, Stage};
use chrono::NaiveDate;

/// 承诺授权书须在村级评议之前签订.
pub const RULE_COMMITMENT: &str = "承诺授权书须在村级评议前签订";
/// A later stage done while a required earlier one is missing.
pub const RULE_CHAIN: &str = "程序环节缺失";

const BASIS_COMMITMENT: &str = "《2022年防止返贫监测帮扶集中排查工作方案》二（一）3；《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》附件2（三）；《2021年防止返贫动态监测和帮扶工作方案》2（4）";

/// The village steps an identification reaches only after the household has signed.
const VILLAGE_STEPS: &[Stage] = &[
    Stage::VillageReview,
    Stage::PublicityStart,
    Stage::PublicityEnd,
    Stage::TownshipReview,
    Stage::CountyApproval,
    Stage::ResultNotice,
    Stage::Recorded,
];

fn reached(p: &Procedure, s: Stage, as_of: NaiveDate) -> Option<NaiveDate> {
    p.date(s).filter(|d| *d <= as_of)
}

/// Both checks for one case.
pub(crate) fn check(ctx: &Ctx, p: &Procedure, h: Option<&Household>, out: &mut Out) {
    if p.kind == ProcedureKind::Identification {
        commitment(ctx.as_of, p, h, out);
    }
    chain(ctx, p, h, out);
}

/// 004 §二(一)3, 000 附件2(三), 002 §2(4): the household signs the 承诺授权书 at the home visit,
/// before the 村级评议; none once a village step is done, or signed after the 村级评议, is a violation.
fn commitment(as_of: NaiveDate, p: &Procedure, h: Option<&Household>, out: &mut Out) {
    let Some((first_stage, first)) = VILLAGE_STEPS
        .iter()
        .filter_map(|&s| reached(p, s, as_of).map(|d| (s, d)))
        .min_by_key(|(_, d)| *d)
    else {
        return;
    };
    let signed = reached(p, Stage::Commitment, as_of);
    let review = reached(p, Stage::VillageReview, as_of);
    let (note, days) = match (signed, review) {
        (None, _) => (
            format!("已办理{}（{first}），但未填签订承诺授权书日期", first_stage.label()),
            0,
        ),
        (Some(s), Some(r)) if s > r => (
            format!("承诺授权书签订于{s}，晚于村级评议（{r}）{}天", (s - r).num_days()),
            (s - r).num_days(),
        ),
        _ => return,
    };
    let message = format!(
        "{note}（{}）。农户须在入户核实时签订承诺授权书，村级评议之前完成（{BASIS_COMMITMENT}）。修改建议：补签承诺授权书并补填签订日期；确未签订的，签订后重新履行村级评议",
        p.place
    );
    out.row(
        h,
        &p.household_id,
        Some(p.kind),
        RULE_COMMITMENT,
        review.or(Some(first)),
        signed,
        ComplianceStatus::Violation,
        days,
        format!("{note}（依据：{BASIS_COMMITMENT}）"),
    );
    out.finding(h, &p.household_id, RULE_COMMITMENT, message, Severity::Error);
}

/// 程序环节: every stage of the configured chain before the last one reached must be there too.
fn chain(ctx: &Ctx, p: &Procedure, h: Option<&Household>, out: &mut Out) {
    let Some(chain) = ctx.rules.active_chains().find(|c| c.procedure == p.kind) else {
        return;
    };
    let Some(last) = chain.stages.iter().rposition(|&s| reached(p, s, ctx.as_of).is_some()) else {
        return;
    };
    let missing: Vec<&str> = chain.stages[..last]
        .iter()
        .filter(|&&s| reached(p, s, ctx.as_of).is_none())
        .map(|s| s.label())
        .collect();
    if missing.is_empty() {
        return;
    }
    let done_stage = chain.stages[last];
    let done = reached(p, done_stage, ctx.as_of);
    let basis = if chain.source.is_empty() {
        String::new()
    } else {
        format!("（依据：{}）", chain.source)
    };
    let note = format!(
        "{}程序已办理{}（{}），但缺少{}；必经环节依次为{}{basis}",
        p.kind.label(),
        done_stage.label(),
        done.map(|d| d.to_string()).unwrap_or_default(),
        missing.join("、"),
        chain.stages.iter().map(|s| s.label()).collect::<Vec<_>>().join("→")
    );
    out.row(
        h,
        &p.household_id,
        Some(p.kind),
        RULE_CHAIN,
        None,
        done,
        ComplianceStatus::Violation,
        missing.len() as i64,
        note.clone(),
    );
    out.finding(
        h,
        &p.household_id,
        RULE_CHAIN,
        format!(
            "{note}（{}）。修改建议：补填缺少环节的日期；确未履行的，按程序补办后再办理后续环节",
            p.place
        ),
        Severity::Error,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dataset, Money, RulesFile};
    use crate::rules::calendar::Calendar;
    use crate::rules::testutil::{d, household, procedure};
    use crate::rules::{ComplianceRow, Finding, IncomeResult, Index, income};
    use Stage::*;

    fn run(ds: &Dataset, as_of: NaiveDate) -> (Vec<ComplianceRow>, Vec<Finding>) {
        let rules = RulesFile::defaults();
        let cal = Calendar::new(&rules).unwrap();
        let line = Money::from_yuan(6900);
        let incomes: Vec<IncomeResult> = ds.households.iter().map(|h| income::evaluate(h, line).0).collect();
        let ctx = Ctx {
            rules: &rules,
            calendar: &cal,
            as_of,
            line,
            township: "测试乡",
        };
        crate::rules::compliance::evaluate(&ctx, ds, &Index::new(ds), &incomes, &[])
    }

    fn case(kind: ProcedureKind, stages: &[(Stage, NaiveDate)]) -> Dataset {
        let mut ds = Dataset::default();
        ds.households.push(household("H1", 2));
        ds.procedures.push(procedure("H1", kind, stages));
        ds
    }

    fn status(rows: &[ComplianceRow], rule: &str) -> Option<(ComplianceStatus, i64)> {
        rows.iter().find(|r| r.rule == rule).map(|r| (r.status, r.days))
    }

    #[test]
    fn s004_2_1_3_commitment_signed_before_the_village_review() {
        let review = d(2024, 5, 10);
        // (signed, expected)
        let table = [
            (Some(d(2024, 5, 9)), None),
            (Some(d(2024, 5, 10)), None), // the same day is still before the meeting's decision
            (Some(d(2024, 5, 11)), Some((ComplianceStatus::Violation, 1))),
            (None, Some((ComplianceStatus::Violation, 0))),
            (Some(d(2024, 7, 1)), Some((ComplianceStatus::Violation, 0))), // after as_of: not signed yet
        ];
        for (signed, expected) in table {
            let mut stages = vec![(HomeVisit, d(2024, 5, 5)), (VillageReview, review)];
            if let Some(s) = signed {
                stages.push((Commitment, s));
            }
            let (rows, findings) = run(&case(ProcedureKind::Identification, &stages), d(2024, 6, 30));
            assert_eq!(status(&rows, RULE_COMMITMENT), expected, "{signed:?}");
            assert_eq!(
                findings
                    .iter()
                    .any(|f| f.rule == RULE_COMMITMENT && f.severity == Severity::Error),
                expected.is_some()
            );
        }
        // No village step yet: nothing to check.
        let (rows, _) = run(
            &case(ProcedureKind::Identification, &[(HomeVisit, d(2024, 5, 5))]),
            d(2024, 6, 30),
        );
        assert!(status(&rows, RULE_COMMITMENT).is_none());
        // Publicity without a recorded 村级评议 still needs the signature.
        let (rows, _) = run(
            &case(ProcedureKind::Identification, &[(PublicityStart, d(2024, 5, 12))]),
            d(2024, 6, 30),
        );
        assert_eq!(status(&rows, RULE_COMMITMENT), Some((ComplianceStatus::Violation, 0)));
        // Not for eliminations.
        let (rows, _) = run(
            &case(ProcedureKind::Elimination, &[(VillageReview, review)]),
            d(2024, 6, 30),
        );
        assert!(status(&rows, RULE_COMMITMENT).is_none());
    }

    #[test]
    fn s004_2_3_4_rollback_and_removal_follow_their_chains() {
        let full = [
            (HomeVisit, d(2024, 5, 1)),
            (VillageReview, d(2024, 5, 3)),
            (PublicityStart, d(2024, 5, 6)),
            (PublicityEnd, d(2024, 5, 10)),
            (TownshipReview, d(2024, 5, 13)),
            (CountyApproval, d(2024, 5, 20)),
        ];
        let (rows, _) = run(&case(ProcedureKind::Rollback, &full), d(2024, 6, 30));
        assert!(status(&rows, RULE_CHAIN).is_none());
        // Approved without publicity: two stages missing.
        let skipped: Vec<_> = full
            .iter()
            .copied()
            .filter(|(s, _)| !matches!(s, PublicityStart | PublicityEnd))
            .collect();
        let (rows, findings) = run(&case(ProcedureKind::Rollback, &skipped), d(2024, 6, 30));
        assert_eq!(status(&rows, RULE_CHAIN), Some((ComplianceStatus::Violation, 2)));
        let f = findings.iter().find(|f| f.rule == RULE_CHAIN).unwrap();
        assert!(f.message.contains("公示开始、公示结束"), "{}", f.message);
        // In progress: the stages not reached yet are not missing.
        let (rows, _) = run(&case(ProcedureKind::Rollback, &full[..2]), d(2024, 6, 30));
        assert!(status(&rows, RULE_CHAIN).is_none());
        // 清退: county approval without the township's review.
        let (rows, _) = run(
            &case(
                ProcedureKind::Removal,
                &[(HomeVisit, d(2024, 5, 1)), (CountyApproval, d(2024, 5, 20))],
            ),
            d(2024, 6, 30),
        );
        assert_eq!(status(&rows, RULE_CHAIN), Some((ComplianceStatus::Violation, 1)));
        // A stage later than the run date has not happened: nothing is missing yet.
        let (rows, _) = run(
            &case(
                ProcedureKind::Removal,
                &[(HomeVisit, d(2024, 5, 1)), (CountyApproval, d(2024, 7, 20))],
            ),
            d(2024, 6, 30),
        );
        assert!(status(&rows, RULE_CHAIN).is_none());
        // Out of order stages are a violation of 环节顺序.
        let (rows, _) = run(
            &case(
                ProcedureKind::Removal,
                &[
                    (HomeVisit, d(2024, 5, 10)),
                    (TownshipReview, d(2024, 5, 5)),
                    (CountyApproval, d(2024, 5, 20)),
                ],
            ),
            d(2024, 6, 30),
        );
        assert_eq!(
            status(&rows, super::super::compliance::RULE_ORDER).map(|s| s.0),
            Some(ComplianceStatus::Violation)
        );
        // A workspace can switch a chain off.
        let over: RulesFile =
            serde_yaml::from_str("程序环节:\n  - {程序: 清退, 环节: [入户核实], 停用: true}\n").unwrap();
        assert!(
            RulesFile::defaults()
                .merged_with(over)
                .active_chains()
                .all(|c| c.procedure != ProcedureKind::Removal)
        );
    }
}
