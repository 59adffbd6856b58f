//! Period arithmetic, once: the last day of a period of N units, and the 公示期 of a case —
//! recorded where the record has it, planned where the notice has not been posted yet.
//! Compliance rows and the printed notices both read these, so a notice never states a period
//! the rules would compute differently.

use super::calendar::{Calendar, CalendarError};
use crate::model::{DurationUnit, Procedure, ProcedureKind, RulesFile, Stage};
use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

pub(crate) fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

pub(crate) fn sub_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

pub(crate) fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `n` units starting at `from` (`inclusive`: `from` is day one).
pub fn due_date(
    cal: &Calendar,
    unit: DurationUnit,
    n: u32,
    inclusive: bool,
    from: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    Ok(match unit {
        DurationUnit::CalendarDays => {
            let k = if inclusive { n.saturating_sub(1) } else { n };
            add_days(from, u64::from(k))
        }
        DurationUnit::WorkingDays => {
            if inclusive {
                cal.nth_working_day_from(from, n)?
            } else {
                cal.add_working_days(from, n)?
            }
        }
        DurationUnit::Months => {
            let end = add_months(from, n);
            if inclusive && n > 0 { sub_days(end, 1) } else { end }
        }
    })
}

/// Length of `[from, to]` (or `(from, to]`) in the unit; None for months.
pub fn length(
    cal: &Calendar,
    unit: DurationUnit,
    inclusive: bool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<i64>, CalendarError> {
    let start = if inclusive { from } else { add_days(from, 1) };
    Ok(match unit {
        DurationUnit::CalendarDays => Some((to - start).num_days() + 1),
        DurationUnit::WorkingDays => Some(i64::from(cal.working_days_between(start, to)?)),
        DurationUnit::Months => None,
    })
}

/// The 公示期 rule of a procedure kind (the enabled 下限 rule from 公示开始 to 公示结束).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublicityRule {
    pub length: u32,
    pub unit: DurationUnit,
    /// The first day counts.
    pub inclusive: bool,
}

impl PublicityRule {
    /// The rules file's 公示期 for `kind`; 5 working days counting the first one when the
    /// workspace switched every such rule off (the seeds' common minimum, 000 附件2(四)).
    pub fn of(rules: &RulesFile, kind: ProcedureKind) -> PublicityRule {
        rules
            .active_deadlines()
            .filter(|r| r.from == Stage::PublicityStart && r.to == Stage::PublicityEnd && r.procedures.contains(&kind))
            .find_map(|r| {
                r.min.map(|m| PublicityRule {
                    length: m,
                    unit: r.unit,
                    inclusive: r.inclusive,
                })
            })
            .unwrap_or(PublicityRule {
                length: 5,
                unit: DurationUnit::WorkingDays,
                inclusive: true,
            })
    }

    /// The last day of a 公示 under this rule starting on `start`.
    pub fn end_from(&self, cal: &Calendar, start: NaiveDate) -> Result<NaiveDate, CalendarError> {
        due_date(cal, self.unit, self.length, self.inclusive, start)
    }
}

/// Where a printed 公示期 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PeriodSource {
    /// 公示开始 and 公示结束 both recorded.
    Recorded,
    /// 公示开始 recorded; the end is the rule's from that start.
    RecordedStart,
    /// Not posted yet: first working day after the 村级评议, not before the run date.
    Planned,
}

/// A 公示期 as it is to be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Length in `unit` (both ends counted); None for month rules.
    pub length: Option<i64>,
    pub unit: DurationUnit,
    pub source: PeriodSource,
}

/// The 公示期 of a case: the recorded one where the record has it, else a planned one. None for
/// a case that has neither a 公示开始 nor a 村级评议 (nothing to post yet), or whose recorded end
/// is before its start (the record is wrong: compliance reports it, nothing is printed).
pub fn publicity_period(
    p: &Procedure,
    cal: &Calendar,
    rule: &PublicityRule,
    as_of: NaiveDate,
) -> Result<Option<Period>, CalendarError> {
    let (start, end, source) = match (p.date(Stage::PublicityStart), p.date(Stage::PublicityEnd)) {
        (Some(s), Some(e)) if e >= s => (s, e, PeriodSource::Recorded),
        (Some(_), Some(_)) => return Ok(None),
        (Some(s), None) => (s, rule.end_from(cal, s)?, PeriodSource::RecordedStart),
        (None, _) => {
            let Some(review) = p.date(Stage::VillageReview) else {
                return Ok(None);
            };
            let earliest = add_days(review, 1).max(as_of);
            let start = cal.nth_working_day_from(earliest, 1)?;
            (start, rule.end_from(cal, start)?, PeriodSource::Planned)
        }
    };
    let length = length(cal, rule.unit, true, start, end)?;
    Ok(Some(Period {
        start,
        end,
        length,
        unit: rule.unit,
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{d, procedure};
    use Stage::*;

    fn cal() -> Calendar {
        Calendar::new(&RulesFile::defaults()).unwrap()
    }

    fn rule() -> PublicityRule {
        PublicityRule::of(&RulesFile::defaults(), ProcedureKind::Identification)
    }

    #[test]
    fn default_publicity_rule_is_five_working_days_counting_the_first() {
        // 000 附件2(四)、002 §2(4)：公示不少于5个工作日
        assert_eq!(
            rule(),
            PublicityRule {
                length: 5,
                unit: DurationUnit::WorkingDays,
                inclusive: true
            }
        );
        // Mon 2024-06-03 → Fri 06-07; Thu 06-06 → the 端午 holiday Mon 06-10 is off → Thu 06-13.
        assert_eq!(rule().end_from(&cal(), d(2024, 6, 3)).unwrap(), d(2024, 6, 7));
        assert_eq!(rule().end_from(&cal(), d(2024, 6, 6)).unwrap(), d(2024, 6, 13));
    }

    #[test]
    fn a_recorded_period_is_printed_as_recorded_even_when_short() {
        // 004 §二(一)3: the notice states what happened; the short period is a compliance 违规.
        let p = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(PublicityStart, d(2024, 5, 20)), (PublicityEnd, d(2024, 5, 22))],
        );
        let got = publicity_period(&p, &cal(), &rule(), d(2024, 6, 30)).unwrap().unwrap();
        assert_eq!(
            (got.start, got.end, got.length),
            (d(2024, 5, 20), d(2024, 5, 22), Some(3))
        );
        assert_eq!(got.source, PeriodSource::Recorded);
    }

    #[test]
    fn a_recorded_start_gets_the_rules_end() {
        let p = procedure("H1", ProcedureKind::Identification, &[(PublicityStart, d(2024, 5, 20))]);
        let got = publicity_period(&p, &cal(), &rule(), d(2024, 6, 30)).unwrap().unwrap();
        assert_eq!(
            (got.end, got.length, got.source),
            (d(2024, 5, 24), Some(5), PeriodSource::RecordedStart)
        );
    }

    #[test]
    fn a_planned_period_starts_after_the_review_and_not_before_the_run_date() {
        // Review Fri 2024-05-31: next working day Mon 06-03 (run date earlier).
        let p = procedure("H1", ProcedureKind::Identification, &[(VillageReview, d(2024, 5, 31))]);
        let got = publicity_period(&p, &cal(), &rule(), d(2024, 5, 31)).unwrap().unwrap();
        assert_eq!(
            (got.start, got.end, got.source),
            (d(2024, 6, 3), d(2024, 6, 7), PeriodSource::Planned)
        );
        // Run date later than the review: not before the run date (Wed 06-05 itself is a working day).
        let got = publicity_period(&p, &cal(), &rule(), d(2024, 6, 5)).unwrap().unwrap();
        assert_eq!(got.start, d(2024, 6, 5));
        // Nothing to post without a review or a start; an end before the start is not printed.
        let none = procedure("H1", ProcedureKind::Identification, &[(HomeVisit, d(2024, 5, 2))]);
        assert_eq!(publicity_period(&none, &cal(), &rule(), d(2024, 6, 5)).unwrap(), None);
        let wrong = procedure(
            "H1",
            ProcedureKind::Identification,
            &[(PublicityStart, d(2024, 5, 20)), (PublicityEnd, d(2024, 5, 10))],
        );
        assert_eq!(publicity_period(&wrong, &cal(), &rule(), d(2024, 6, 5)).unwrap(), None);
    }

    #[test]
    fn calendar_day_and_month_periods() {
        let cal = cal();
        assert_eq!(
            due_date(&cal, DurationUnit::CalendarDays, 15, false, d(2024, 5, 1)).unwrap(),
            d(2024, 5, 16)
        );
        assert_eq!(
            due_date(&cal, DurationUnit::CalendarDays, 5, true, d(2024, 6, 6)).unwrap(),
            d(2024, 6, 10)
        );
        assert_eq!(
            due_date(&cal, DurationUnit::Months, 6, false, d(2024, 1, 31)).unwrap(),
            d(2024, 7, 31)
        );
        assert_eq!(
            length(&cal, DurationUnit::Months, true, d(2024, 1, 1), d(2024, 2, 1)).unwrap(),
            None
        );
    }
}
