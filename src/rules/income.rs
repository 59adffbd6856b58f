//! 家庭人均纯收入 (003 §二(一)):
//! (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 家庭人口, exact in 分.
//!
//! The per-capita figure is rounded half away from zero to the 分 — the precision it is printed
//! and recorded with — and that rounded figure is what is compared with the 监测范围, so the
//! comparison always agrees with the number a clerk sees.

use super::{Finding, IncomeResult};
use crate::model::{Household, Money, Severity};

/// Components and a given per-capita figure may differ by at most this much (1 元).
pub const TOLERANCE: Money = Money(100);

/// 家庭纯收入 from the components (absent components count as 0), or None without any component.
pub fn net_total(h: &Household) -> Option<Money> {
    let i = &h.income;
    if !i.has_components() {
        return None;
    }
    let z = |m: Option<Money>| m.unwrap_or(Money::ZERO);
    Some(z(i.wage) + z(i.business) + z(i.property) + z(i.transfer) - z(i.business_cost))
}

/// `total ÷ people`, rounded half away from zero to the 分; computed in i128 so no input
/// amount can overflow.
pub fn per_person(total: Money, people: u32) -> Money {
    let t = i128::from(total.fen());
    let n = i128::from(people.max(1));
    let q = (2 * t + t.signum() * n) / (2 * n);
    Money(i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX }))
}

/// |a − b|, saturating (input amounts are unbounded).
fn gap(a: Money, b: Money) -> Money {
    let d = (i128::from(a.fen()) - i128::from(b.fen())).abs();
    Money(i64::try_from(d).unwrap_or(i64::MAX))
}

/// The income result of one household against the monitoring line, plus any finding
/// (components disagreeing with the given per-capita figure, no people to divide by).
pub fn evaluate(h: &Household, line: Money) -> (IncomeResult, Vec<Finding>) {
    let mut findings = Vec::new();
    let net = net_total(h);
    let people = h.people();
    let computed = match net {
        Some(total) if people > 0 => Some(per_person(total, people)),
        Some(_) => {
            findings.push(super::finding(
                h,
                "收入核算",
                "家庭人口为0，无法计算家庭人均纯收入。修改建议：填写家庭人口数或成员信息".to_string(),
                Severity::Warning,
            ));
            None
        }
        None => None,
    };
    if let (Some(c), Some(given)) = (computed, h.income.per_capita)
        && gap(c, given) > TOLERANCE
    {
        findings.push(super::finding(
            h,
            "收入核算不一致",
            format!(
                "按收入构成计算的家庭人均纯收入为{c}元（家庭纯收入{}元÷{people}人），与填报的{given}元相差{}元，超过1元。修改建议：核对各项收入、生产经营性支出和家庭人口数",
                net.unwrap_or_default(),
                gap(c, given)
            ),
            Severity::Warning,
        ));
    }
    let per_capita = computed.or(h.income.per_capita);
    let result = IncomeResult {
        household_id: h.id.clone(),
        net_total: net,
        per_capita,
        above_line: per_capita.map(|p| p > line),
        change: match (per_capita, h.income.last_year_per_capita) {
            (Some(now), Some(last)) => Some(now - last),
            _ => None,
        },
    };
    (result, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::household;

    fn yuan(y: i64) -> Option<Money> {
        Some(Money::from_yuan(y))
    }

    #[test]
    fn components_exact_and_compared_with_line() {
        let line = Money::from_yuan(8300);
        // wage, business, property, transfer, cost (元), people, per-capita 分, above
        type Case = (i64, i64, i64, i64, i64, u32, i64, bool);
        let table: &[Case] = &[
            (20000, 5000, 0, 0, 0, 3, 833333, true),
            (16600, 0, 0, 0, 0, 2, 830000, false), // exactly the line: not above
            (16600, 0, 0, 2, 0, 2, 830100, true),  // one 元 more per person
            (10000, 8000, 100, 900, 3000, 2, 800000, false),
        ];
        for &(w, b, p, t, c, n, expected, above) in table {
            let mut h = household("H1", n);
            h.income.wage = yuan(w);
            h.income.business = yuan(b);
            h.income.property = yuan(p);
            h.income.transfer = yuan(t);
            h.income.business_cost = yuan(c);
            let (r, f) = evaluate(&h, line);
            assert!(f.is_empty());
            assert_eq!(r.per_capita, Some(Money(expected)), "{w} {b} {p} {t} {c} / {n}");
            assert_eq!(r.above_line, Some(above));
            assert_eq!(r.net_total, Some(Money::from_yuan(w + b + p + t - c)));
        }
    }

    #[test]
    fn rounding_to_fen_half_away() {
        let mut h = household("H1", 3);
        h.income.wage = Some(Money(1000)); // 10.00 元 / 3 = 3.333… → 3.33
        assert_eq!(evaluate(&h, Money::ZERO).0.per_capita, Some(Money(333)));
        h.income.wage = Some(Money(1001 * 2 + 1)); // 20.03 / 3 = 6.676… → 6.68
        assert_eq!(evaluate(&h, Money::ZERO).0.per_capita, Some(Money(668)));
    }

    #[test]
    fn given_figure_must_agree_within_one_yuan() {
        let line = Money::from_yuan(6900);
        let mut h = household("H1", 2);
        h.income.wage = yuan(14000); // 7000.00 per person
        // (given 分, finding expected)
        for (given, finding) in [
            (700000, false),
            (700100, false),
            (699900, false),
            (700101, true),
            (699899, true),
        ] {
            h.income.per_capita = Some(Money(given));
            let (r, f) = evaluate(&h, line);
            assert_eq!(!f.is_empty(), finding, "given {given}");
            // The computed figure wins.
            assert_eq!(r.per_capita, Some(Money(700000)));
            if finding {
                assert_eq!(f[0].rule, "收入核算不一致");
                assert!(f[0].message.contains("7000.00"));
            }
        }
    }

    #[test]
    fn given_only_and_change() {
        let mut h = household("H1", 4);
        h.income.per_capita = yuan(6000);
        h.income.last_year_per_capita = yuan(6500);
        let (r, f) = evaluate(&h, Money::from_yuan(6000));
        assert!(f.is_empty());
        assert_eq!(r.net_total, None);
        assert_eq!(r.per_capita, yuan(6000));
        assert_eq!(r.above_line, Some(false));
        assert_eq!(r.change, Some(Money::from_yuan(-500)));

        let h = household("H2", 4);
        let (r, _) = evaluate(&h, Money::from_yuan(6000));
        assert_eq!((r.per_capita, r.above_line, r.change), (None, None, None));
    }

    #[test]
    fn per_person_matches_money_rounding() {
        for total in [-1001i64, -1000, -5, 0, 1, 5, 1000, 1001, 2003, 999_999_999] {
            for n in 1..=9u32 {
                assert_eq!(per_person(Money(total), n), Money(total).div_round(n), "{total}/{n}");
            }
        }
        assert_eq!(per_person(Money(i64::MAX), 1), Money(i64::MAX));
    }

    #[test]
    fn zero_people_is_a_finding_not_a_panic() {
        let mut h = household("H1", 0);
        h.members.clear();
        h.income.wage = yuan(100);
        let (r, f) = evaluate(&h, Money::ZERO);
        assert_eq!(r.per_capita, None);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn s000_annex1_9_not_counted_members_leave_the_per_capita_divisor() {
        let mut h = household("H1", 3);
        h.income.wage = yuan(30000);
        let (r, _) = evaluate(&h, Money::from_yuan(8300));
        assert_eq!(r.per_capita, yuan(10000));
        // A member 服刑 is listed but not counted: 30000 ÷ 2.
        h.members[2].not_counted = Some("服刑".into());
        assert_eq!(h.people(), 2);
        let (r, _) = evaluate(&h, Money::from_yuan(8300));
        assert_eq!(r.per_capita, yuan(15000));
    }
}
