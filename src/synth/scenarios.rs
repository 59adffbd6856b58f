//! Procedure cases laid out around `as_of` so that every deadline state occurs.

use super::GenError;
use crate::model::{Dataset, HouseholdType, Money, MonitorCategory, Place, Procedure, ProcedureKind, Stage};
use crate::rules::calendar::Calendar;
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// How an 识别纳入 case stands on the `as_of` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identification {
    /// Every stage inside its limit.
    OnTime,
    /// Approved after 18 days; helper, first visit and plan late too.
    Late,
    /// Lead found 4 days ago, only the visit done.
    Pending,
    /// 15-day limit runs out in 2 days; publicity finished, not yet approved.
    DueSoon,
    /// Lead found 30 days ago, never approved.
    Overdue,
    /// Publicity only 3 working days.
    ShortPublicity,
    /// County approval before the publicity ended.
    OutOfOrder,
}

const ALL_ID: [Identification; 7] = [
    Identification::OnTime,
    Identification::Late,
    Identification::Pending,
    Identification::DueSoon,
    Identification::Overdue,
    Identification::ShortPublicity,
    Identification::OutOfOrder,
];

/// How a 风险消除 case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elimination {
    OnTime,
    /// Income above the line only for 3 months.
    TooSoon,
    /// Visit and review done, publicity not started.
    Pending,
}

type Stages = BTreeMap<Stage, NaiveDate>;

fn day(d: NaiveDate, n: i64) -> NaiveDate {
    d + Duration::days(n)
}

/// The 识别纳入 stages for a lead found on `lead`.
pub fn identification(cal: &Calendar, as_of: NaiveDate, s: Identification) -> Result<Stages, GenError> {
    use Stage::*;
    let lead = match s {
        Identification::Pending => day(as_of, -4),
        Identification::DueSoon => day(as_of, -13),
        Identification::Overdue => day(as_of, -30),
        _ => day(as_of, -45),
    };
    let mut st = Stages::new();
    st.insert(LeadFound, lead);
    st.insert(HomeVisit, day(lead, 1));
    st.insert(Commitment, day(lead, 1));
    if s == Identification::Pending {
        return Ok(st);
    }
    st.insert(DataMatch, day(lead, 2));
    st.insert(VillageReview, day(lead, 3));
    let pub_start = cal.add_working_days(day(lead, 3), 1)?;
    let days = if s == Identification::ShortPublicity { 3 } else { 5 };
    let pub_end = cal.nth_working_day_from(pub_start, days)?;
    st.insert(PublicityStart, pub_start);
    st.insert(PublicityEnd, pub_end);
    if matches!(s, Identification::DueSoon | Identification::Overdue) {
        return Ok(st);
    }
    let (town, county) = match s {
        Identification::OutOfOrder => (day(pub_end, -2), day(pub_end, -1)),
        Identification::Late => (day(lead, 16), day(lead, 18)),
        _ => {
            let town = cal.add_working_days(pub_end, 1)?;
            (town, day(town, 1))
        }
    };
    st.insert(TownshipReview, town);
    st.insert(CountyApproval, county);
    st.insert(ResultNotice, day(county, 1));
    st.insert(Recorded, day(county, 2));
    let late = s == Identification::Late;
    let helper = day(county, if late { 5 } else { 2 });
    st.insert(HelperAssigned, helper);
    st.insert(FirstVisit, day(helper, if late { 9 } else { 5 }));
    st.insert(AidPlan, day(county, if late { 12 } else { 8 }));
    Ok(st)
}

/// A complete, long-past identification (the household has been monitored since `lead`).
pub fn past_identification(cal: &Calendar, lead: NaiveDate) -> Result<Stages, GenError> {
    identification(cal, day(lead, 45), Identification::OnTime)
}

/// The 风险消除 (or 回退) stages; returns the stages and the 收入达标起始日期.
pub fn elimination(cal: &Calendar, as_of: NaiveDate, s: Elimination) -> Result<(Stages, NaiveDate), GenError> {
    use Stage::*;
    let visit = if s == Elimination::Pending {
        day(as_of, -3)
    } else {
        day(as_of, -40)
    };
    let since = if s == Elimination::TooSoon {
        day(as_of, -95)
    } else {
        day(as_of, -290)
    };
    let mut st = Stages::new();
    st.insert(HomeVisit, visit);
    st.insert(VillageReview, day(visit, 2));
    if s == Elimination::Pending {
        return Ok((st, since));
    }
    let pub_start = cal.add_working_days(day(visit, 2), 1)?;
    let pub_end = cal.nth_working_day_from(pub_start, 5)?;
    let town = cal.add_working_days(pub_end, 1)?;
    st.insert(PublicityStart, pub_start);
    st.insert(PublicityEnd, pub_end);
    st.insert(TownshipReview, town);
    st.insert(CountyApproval, day(town, 2));
    st.insert(ResultNotice, day(town, 3));
    st.insert(Recorded, day(town, 4));
    Ok((st, since))
}

fn push(
    data: &mut Dataset,
    i: usize,
    kind: ProcedureKind,
    stages: Stages,
    lead_source: Option<&str>,
    extra: impl FnOnce(&mut Procedure),
) {
    let mut p = Procedure {
        household_id: data.households[i].id.clone(),
        kind,
        lead_source: lead_source.map(str::to_string),
        elimination_mode: None,
        stages,
        income_ok_since: None,
        note: None,
        place: Place::default(),
    };
    extra(&mut p);
    data.procedures.push(p);
}

/// The category a candidate is proposed under: 脱贫户 → 脱贫不稳定户, others → 边缘易致贫户 (002 §2(1)).
fn candidate_category(kind: HouseholdType) -> MonitorCategory {
    if kind == HouseholdType::Lifted {
        MonitorCategory::Unstable
    } else {
        MonitorCategory::Marginal
    }
}

const SOURCES: [&str; 3] = ["自主申报", "干部排查", "部门预警"];

/// Add procedure cases to a village's households.
pub fn add_procedures(
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    as_of: NaiveDate,
    data: &mut Dataset,
    vi: usize,
) -> Result<(), GenError> {
    let n = data.households.len();
    let line = Money::from_yuan(super::MONITORING_LINE_YUAN);
    // Fixed cases on the first households (see plan_household), rotated per village.
    let fixed: [(usize, Identification); 7] = [
        (0, Identification::OnTime),
        (1, Identification::Late),
        (2, Identification::ShortPublicity),
        (6, Identification::Pending),
        (7, Identification::DueSoon),
        (8, Identification::Overdue),
        (9, Identification::OutOfOrder),
    ];
    for (k, (i, s)) in fixed.into_iter().enumerate() {
        if i >= n {
            continue;
        }
        let st = identification(cal, as_of, s)?;
        if data.households[i].monitor_category.is_none() {
            data.households[i].monitor_category = Some(candidate_category(data.households[i].kind));
            if data.households[i].risks.is_empty() {
                data.households[i].risks.push("因病".to_string());
            }
        }
        push(
            data,
            i,
            ProcedureKind::Identification,
            st,
            Some(SOURCES[(k + vi) % 3]),
            |_| {},
        );
    }
    // Long-monitored households (3, 4, 5) identified in earlier years, then the elimination cases.
    for (i, years, elim) in [
        (3usize, 3i64, Some(Elimination::OnTime)),
        (4, 3, Some(Elimination::OnTime)),
        (5, 1, Some(Elimination::TooSoon)),
    ] {
        if i >= n {
            continue;
        }
        let lead = day(as_of, -365 * years - 20);
        push(
            data,
            i,
            ProcedureKind::Identification,
            past_identification(cal, lead)?,
            Some("干部排查"),
            |_| {},
        );
        if let Some(e) = elim {
            if i == 4 {
                // The sample's one elimination that meets every condition (004 §二(三)1).
                data.households[i].basic_needs_met = Some(true);
            }
            let (st, since) = elimination(cal, as_of, e)?;
            push(data, i, ProcedureKind::Elimination, st, None, |p| {
                p.income_ok_since = Some(since);
                // The too-early case (5) must be on the 帮扶消除 path for the six months to apply.
                p.elimination_mode = Some(if i == 3 { "自然消除" } else { "帮扶消除" }.to_string());
            });
        }
    }
    // An identification case for a household that falls under an exclusion (公职人员 in the family).
    if n > 10 {
        data.households[10].exclusions.push("家庭成员为公职人员".to_string());
        data.households[10].monitor_category = Some(MonitorCategory::Sudden);
        data.households[10].risks = vec!["因意外事故".to_string()];
        push(
            data,
            10,
            ProcedureKind::Identification,
            identification(cal, as_of, Identification::Pending)?,
            Some("自主申报"),
            |_| {},
        );
    }
    // Rollback and removal on ordinary households 11, 12 that were monitored before.
    if n > 12 {
        let (st, _) = elimination(cal, as_of, Elimination::OnTime)?;
        push(data, 11, ProcedureKind::Rollback, st, None, |p| {
            p.note = Some("风险消除后新增因病风险".to_string())
        });
        let (mut st, _) = elimination(cal, as_of, Elimination::OnTime)?;
        st.remove(&Stage::PublicityStart);
        st.remove(&Stage::PublicityEnd);
        push(data, 12, ProcedureKind::Removal, st, None, |p| {
            p.note = Some("经比对家庭成员为公职人员，属错误纳入".to_string())
        });
    }
    if n > 13 {
        let (st, _) = elimination(cal, as_of, Elimination::Pending)?;
        push(data, 13, ProcedureKind::Elimination, st, None, |p| {
            p.income_ok_since = Some(day(as_of, -250));
            p.elimination_mode = Some("自然消除".to_string());
        });
    }
    // The rest: monitored households identified some time in the past three years; low-income
    // households under way; some eliminations.
    for i in 14..n {
        let h = &data.households[i];
        if h.kind == HouseholdType::Monitored {
            let lead = day(as_of, -rng.random_range(80..1100));
            push(
                data,
                i,
                ProcedureKind::Identification,
                past_identification(cal, lead)?,
                Some(SOURCES[i % 3]),
                |_| {},
            );
            if !data.households[i].no_labour_household && rng.random_bool(0.25) {
                let e = [Elimination::OnTime, Elimination::TooSoon, Elimination::Pending][rng.random_range(0..3)];
                let (st, since) = elimination(cal, as_of, e)?;
                push(data, i, ProcedureKind::Elimination, st, None, |p| {
                    p.income_ok_since = Some(since);
                    p.elimination_mode = Some("帮扶消除".to_string());
                });
            }
        } else if h.income.per_capita.is_some_and(|p| p < line) && rng.random_bool(0.3) {
            let s = ALL_ID[rng.random_range(0..ALL_ID.len())];
            let st = identification(cal, as_of, s)?;
            let h = &mut data.households[i];
            if h.monitor_category.is_none() {
                h.monitor_category = Some(candidate_category(h.kind));
            }
            if h.risks.is_empty() {
                h.risks.push("因务工就业不稳".to_string());
            }
            push(data, i, ProcedureKind::Identification, st, Some(SOURCES[i % 3]), |_| {});
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_time_case_meets_the_default_limits() {
        let cal = Calendar::builtin();
        let as_of = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
        let st = identification(&cal, as_of, Identification::OnTime).unwrap();
        let lead = st[&Stage::LeadFound];
        let county = st[&Stage::CountyApproval];
        assert!((county - lead).num_days() <= 15, "{lead} → {county}");
        let n = cal
            .working_days_between(st[&Stage::PublicityStart], st[&Stage::PublicityEnd])
            .unwrap();
        assert_eq!(n, 5);
        let short = identification(&cal, as_of, Identification::ShortPublicity).unwrap();
        assert_eq!(
            cal.working_days_between(short[&Stage::PublicityStart], short[&Stage::PublicityEnd])
                .unwrap(),
            3
        );
    }
}
