//! 筛查表 answers and 核查重点群体 (004 §二(一)2, 000 §一(一), 003 §二(二)).
//!
//! Reasons the data itself can show are computed; the rest are carried from the input's
//! 重点群体 column. Computed reasons use the same names as the 重点群体 vocabulary where one
//! exists (新识别低保, 新识别特困), so a flag given in the input and found in the data appears once.

use super::{IncomeResult, Index, ScreeningResult, key_groups};
use crate::model::{Dataset, HouseholdType, Measure, Money, RosterEntry};

/// 人均纯收入未超过监测范围.
pub const BELOW_LINE: &str = "人均纯收入在监测范围内";
/// 人均纯收入较上年下降.
pub const FELL: &str = "人均纯收入较上年下降";
/// 003 §二(二): 人均纯收入排在本地区脱贫户后20%，收入仍然下降.
pub const BOTTOM_FIFTH_FELL: &str = "脱贫户人均纯收入排后20%且下降";
/// Computed key groups (see `key_groups`), re-exported under the names the documents used.
pub use super::key_groups::{NEW_DIBAO, NEW_TEKUN, SEVERE_DISABILITY};
/// The per-capita figure at or below which a 脱贫户 is in the bottom 20 % of the area's 脱贫户.
///
/// The cut is the income of the ⌈n/5⌉-th lowest 脱贫户, and ties with it are included: the
/// list is for door-by-door verification, where checking one household too many is the safe side.
pub fn bottom_fifth_cutoff(ds: &Dataset, incomes: &[IncomeResult]) -> Option<Money> {
    let mut lifted: Vec<Money> = ds
        .households
        .iter()
        .zip(incomes)
        .filter(|(h, _)| h.kind == HouseholdType::Lifted)
        .filter_map(|(_, r)| r.per_capita)
        .collect();
    if lifted.is_empty() {
        return None;
    }
    lifted.sort_unstable();
    let k = lifted.len().div_ceil(5);
    Some(lifted[k - 1])
}

/// One 筛查 result per household, in dataset order.
pub fn evaluate(ds: &Dataset, idx: &Index, incomes: &[IncomeResult], ctx: &key_groups::Ctx) -> Vec<ScreeningResult> {
    let cutoff = bottom_fifth_cutoff(ds, incomes);
    ds.households
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let income = &incomes[i];
            let mut reasons: Vec<String> = Vec::new();
            let mut add = |r: &str| {
                if !reasons.iter().any(|x| x == r) {
                    reasons.push(r.to_string());
                }
            };
            if income.above_line == Some(false) {
                add(BELOW_LINE);
            }
            let fell = income.change.is_some_and(|c| c < Money::ZERO);
            if fell {
                add(FELL);
            }
            if fell
                && h.kind == HouseholdType::Lifted
                && let (Some(p), Some(cut)) = (income.per_capita, cutoff)
                && p <= cut
            {
                add(BOTTOM_FIFTH_FELL);
            }
            let measures: Vec<&Measure> = idx.measures[i].iter().map(|&m| &ds.measures[m]).collect();
            let rosters: Vec<&RosterEntry> = idx.rosters[i].iter().map(|&r| &ds.rosters[r]).collect();
            for g in key_groups::of(ctx, h, income, &measures, &rosters) {
                add(&g.label);
            }
            for flag in &h.key_groups {
                add(flag);
            }
            ScreeningResult {
                household_id: h.id.clone(),
                basic_needs_met: h.basic_needs_met,
                income_above_line: income.above_line,
                key_group: !reasons.is_empty(),
                reasons,
                exclusions: key_groups::household_exclusions(h),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Measure;
    use crate::rules::testutil::{d, household};
    use crate::rules::{Index, income};
    use chrono::{Datelike, NaiveDate};

    fn run(ds: &Dataset, as_of: NaiveDate, line: i64) -> Vec<ScreeningResult> {
        let incomes: Vec<IncomeResult> = ds
            .households
            .iter()
            .map(|h| income::evaluate(h, Money::from_yuan(line)).0)
            .collect();
        let idx = Index::new(ds);
        let ctx = key_groups::Ctx {
            as_of,
            year: as_of.year(),
            income_line: Money::from_yuan(1),
        };
        evaluate(ds, &idx, &incomes, &ctx)
    }

    fn lifted(id: &str, now: i64, last: i64) -> crate::model::Household {
        let mut h = household(id, 1);
        h.kind = HouseholdType::Lifted;
        h.income.per_capita = Some(Money::from_yuan(now));
        h.income.last_year_per_capita = Some(Money::from_yuan(last));
        h
    }

    #[test]
    fn line_and_fall() {
        let mut ds = Dataset::default();
        // (per capita, last year) → reasons
        ds.households.push(lifted("A", 8300, 8000)); // at the line: within range
        ds.households.push(lifted("B", 8301, 8400)); // above, fell
        ds.households.push(lifted("C", 9000, 9000)); // only 脱贫户 itself (004 二（一）2（2）二)
        let mut o = lifted("D", 9000, 9000);
        o.kind = HouseholdType::Ordinary;
        ds.households.push(o); // nothing
        let r = run(&ds, d(2024, 6, 30), 8300);
        assert_eq!(r[0].reasons, vec![BELOW_LINE, key_groups::LIFTED]);
        assert_eq!(r[0].income_above_line, Some(false));
        assert!(r[1].reasons.contains(&FELL.to_string()));
        assert_eq!(r[1].income_above_line, Some(true));
        assert_eq!(r[2].reasons, vec![key_groups::LIFTED]);
        assert!(!r[3].key_group);
        assert!(r[3].reasons.is_empty());
    }

    #[test]
    fn bottom_fifth_of_lifted_households() {
        let mut ds = Dataset::default();
        // Ten 脱贫户: the two lowest (⌈10/5⌉ = 2) are the bottom fifth.
        for (i, inc) in [10000, 10100, 10200, 10300, 10400, 10500, 10600, 10700, 10800, 10900]
            .iter()
            .enumerate()
        {
            // Odd ones fell, even ones rose.
            let last = if i % 2 == 1 { inc + 50 } else { inc - 50 };
            ds.households.push(lifted(&format!("H{i}"), *inc, last));
        }
        // A monitored household with low income does not move the cut.
        let mut m = household("M", 1);
        m.kind = HouseholdType::Monitored;
        m.income.per_capita = Some(Money::from_yuan(1));
        ds.households.push(m);
        let incomes: Vec<IncomeResult> = ds
            .households
            .iter()
            .map(|h| income::evaluate(h, Money::from_yuan(6000)).0)
            .collect();
        assert_eq!(bottom_fifth_cutoff(&ds, &incomes), Some(Money::from_yuan(10100)));
        let r = run(&ds, d(2024, 6, 30), 6000);
        let flagged: Vec<&str> = r
            .iter()
            .filter(|s| s.reasons.iter().any(|x| x == BOTTOM_FIFTH_FELL))
            .map(|s| s.household_id.as_str())
            .collect();
        // H0 is in the bottom fifth but rose; H1 fell and is in it; H3 fell but is above the cut.
        assert_eq!(flagged, vec!["H1"]);
    }

    #[test]
    fn ties_at_the_cut_are_included() {
        let mut ds = Dataset::default();
        for i in 0..6 {
            ds.households
                .push(lifted(&format!("H{i}"), if i < 3 { 5000 } else { 7000 }, 9000));
        }
        let r = run(&ds, d(2024, 6, 30), 4000);
        let n = r
            .iter()
            .filter(|s| s.reasons.iter().any(|x| x == BOTTOM_FIFTH_FELL))
            .count();
        assert_eq!(n, 3);
    }

    #[test]
    fn disability_welfare_and_input_flags() {
        let mut ds = Dataset::default();
        let mut h = household("A", 2);
        h.members[1].severe_disability = true;
        h.key_groups = vec!["新识别低保".into(), "自主申报".into()];
        ds.households.push(h);
        ds.households.push(household("B", 1));
        let measure = |hid: &str, detail: &str, date| Measure {
            household_id: hid.into(),
            category: "综合保障".into(),
            detail: detail.into(),
            date: Some(date),
            place: Default::default(),
        };
        ds.measures.push(measure("A", "纳入农村低保", d(2024, 3, 1)));
        // Exactly 24 months before as_of counts; one day earlier does not.
        ds.measures.push(measure("B", "分散供养特困", d(2022, 6, 30)));
        let r = run(&ds, d(2024, 6, 30), 6000);
        // Every 低保/特困 household is a key group (004 四、五); new ones also 000 一（一）1.
        assert_eq!(
            r[0].reasons,
            vec![key_groups::DIBAO, NEW_DIBAO, SEVERE_DISABILITY, "自主申报"]
        );
        assert_eq!(
            r[1].reasons,
            vec![key_groups::TEKUN, key_groups::TEKUN_SINGLE, NEW_TEKUN]
        );
        ds.measures[1].date = Some(d(2022, 6, 29));
        let r = run(&ds, d(2024, 6, 30), 6000);
        assert_eq!(r[1].reasons, vec![key_groups::TEKUN, key_groups::TEKUN_SINGLE]);
    }

    #[test]
    fn exclusions_are_carried() {
        let mut ds = Dataset::default();
        let mut h = household("A", 1);
        h.exclusions = vec!["家庭成员为公职人员".into()];
        h.basic_needs_met = Some(false);
        ds.households.push(h);
        let r = run(&ds, d(2024, 6, 30), 6000);
        assert_eq!(r[0].exclusions, vec!["家庭成员为公职人员"]);
        assert_eq!(r[0].basic_needs_met, Some(false));
    }
}
