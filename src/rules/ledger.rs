//! 问题整改台账 status and the 整改情况汇总表 (002 附件3-1, 3-2).
//!
//! Status as of the run date: 已整改 when the 完成日期 is on or before it, or the input reports
//! 已整改 without a date; 逾期未整改 when the 整改时限 has passed without completion (or the input
//! reports 逾期未整改 without a 整改时限); otherwise 正在整改. A 完成日期 after the run date means
//! the item was not yet done as of that date.
//!
//! 拟识别监测对象户数/人数: households with a 识别纳入 case that has started (some stage dated on
//! or before the run date) but is not 县级审批-approved as of it. They are counted on the
//! 防止返贫动态监测 row of their village — identification is that row's business in the 002
//! 入户排查表 — so every column of every 合计 is the plain sum of its rows and nothing is
//! counted twice.

use super::{Index, LedgerRow, LedgerStatus, Summary, SummaryCounts, SummaryUnit};
use crate::model::{Dataset, Problem, ProblemLevel, ProblemType, ProcedureKind, RectificationStatus, Stage};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Unit name for problems of a village whose name is missing.
pub const NO_VILLAGE: &str = "（未注明村）";
/// The row pending identifications are counted on.
pub const PENDING_ROW: ProblemType = ProblemType::Monitoring;

/// The status of one problem as of a date.
pub fn status(p: &Problem, as_of: NaiveDate) -> (LedgerStatus, i64) {
    let done = match p.done {
        Some(d) => d <= as_of,
        None => p.status == Some(RectificationStatus::Done),
    };
    if done {
        return (LedgerStatus::Done, 0);
    }
    match p.deadline {
        Some(dl) if as_of > dl => (LedgerStatus::Overdue, (as_of - dl).num_days()),
        Some(_) => (LedgerStatus::InProgress, 0),
        None if p.status == Some(RectificationStatus::Overdue) => (LedgerStatus::Overdue, 0),
        None => (LedgerStatus::InProgress, 0),
    }
}

/// One ledger row per problem, in dataset order.
pub fn evaluate(problems: &[Problem], as_of: NaiveDate) -> Vec<LedgerRow> {
    problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (status, days_overdue) = status(p, as_of);
            LedgerRow {
                problem: i,
                status,
                days_overdue,
            }
        })
        .collect()
}

/// The 汇总表 unit a problem is counted under.
pub fn unit_of(p: &Problem, ds: &Dataset, idx: &Index) -> String {
    match p.level {
        ProblemLevel::County => ProblemLevel::County.label().to_string(),
        ProblemLevel::Township => ProblemLevel::Township.label().to_string(),
        ProblemLevel::Household | ProblemLevel::Village => {
            if let Some(v) = p.village.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                return v.to_string();
            }
            p.household_id
                .as_deref()
                .and_then(|id| idx.household(id))
                .map(|i| ds.households[i].village.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| NO_VILLAGE.to_string())
        }
    }
}

/// Whether a household has a started identification case not approved as of the date.
pub fn pending_identification(ds: &Dataset, idx: &Index, hi: usize, as_of: NaiveDate) -> bool {
    idx.procedures[hi].iter().map(|&i| &ds.procedures[i]).any(|p| {
        p.kind == ProcedureKind::Identification
            && p.stages.values().any(|d| *d <= as_of)
            && p.date(Stage::CountyApproval).is_none_or(|d| d > as_of)
    })
}

fn add(a: &mut SummaryCounts, b: SummaryCounts) {
    a.found += b.found;
    a.done += b.done;
    a.in_progress += b.in_progress;
    a.households += b.households;
    a.people += b.people;
}

fn type_pos(t: ProblemType) -> usize {
    ProblemType::ALL.iter().position(|x| *x == t).unwrap_or(0)
}

/// The 整改情况汇总表: villages in dataset order, then 未注明村, 镇级层面, 县级层面 when present.
pub fn summarize(ds: &Dataset, idx: &Index, rows: &[LedgerRow], as_of: NaiveDate) -> Summary {
    let mut units = Units::default();
    for v in super::village_order(ds) {
        units.index(v.trim());
    }
    // Area units go last whatever order problems come in.
    let mut area: Vec<(usize, usize, LedgerStatus)> = Vec::new();
    for r in rows {
        let Some(p) = ds.problems.get(r.problem) else { continue };
        let unit = unit_of(p, ds, idx);
        if matches!(p.level, ProblemLevel::County | ProblemLevel::Township) {
            area.push((r.problem, type_pos(p.kind), r.status));
            continue;
        }
        let u = units.index(&unit);
        count(&mut units.counts[u][type_pos(p.kind)], r.status);
    }
    for (hi, h) in ds.households.iter().enumerate() {
        if pending_identification(ds, idx, hi, as_of) {
            let v = h.village.trim();
            let u = units.index(if v.is_empty() { NO_VILLAGE } else { v });
            let c = &mut units.counts[u][type_pos(PENDING_ROW)];
            c.households += 1;
            c.people += h.people();
        }
    }
    for level in [ProblemLevel::Township, ProblemLevel::County] {
        let items: Vec<_> = area
            .iter()
            .filter(|(pi, _, _)| ds.problems[*pi].level == level)
            .collect();
        if items.is_empty() {
            continue;
        }
        let u = units.index(level.label());
        for &&(_, t, st) in &items {
            count(&mut units.counts[u][t], st);
        }
    }
    let mut summary = Summary::default();
    for (name, by) in units.names.into_iter().zip(units.counts) {
        let mut unit = SummaryUnit {
            unit: name,
            ..SummaryUnit::default()
        };
        for (t, c) in ProblemType::ALL.iter().zip(by) {
            if t.is_basic_guarantee() {
                add(&mut unit.basic_guarantee, c);
            }
            add(&mut unit.total, c);
            unit.by_type.push((*t, c));
        }
        add(&mut summary.total, unit.total);
        summary.units.push(unit);
    }
    summary
}

/// Units of the summary in order of first use, with their per-type counts.
#[derive(Default)]
struct Units {
    names: Vec<String>,
    pos: HashMap<String, usize>,
    counts: Vec<Vec<SummaryCounts>>,
}

impl Units {
    fn index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.pos.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.counts.push(vec![SummaryCounts::default(); ProblemType::ALL.len()]);
        self.pos.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

fn count(c: &mut SummaryCounts, st: LedgerStatus) {
    c.found += 1;
    match st {
        LedgerStatus::Done => c.done += 1,
        LedgerStatus::InProgress | LedgerStatus::Overdue => c.in_progress += 1,
    }
}

/// The invariant of the 汇总表: every cell has 共排查 = 已整改 + 正在整改, each unit's 合计 and
/// 三保障和饮水安全 subtotal are the sums of their rows, the grand 合计 is the sum of the units,
/// and the grand 合计 matches the ledger rows exactly.
pub fn check_totals(summary: &Summary, rows: &[LedgerRow]) -> Result<(), String> {
    let mut grand = SummaryCounts::default();
    for u in &summary.units {
        let types: Vec<ProblemType> = u.by_type.iter().map(|(t, _)| *t).collect();
        if types != ProblemType::ALL {
            return Err(format!("{}：问题类型行不完整或顺序不对", u.unit));
        }
        let mut total = SummaryCounts::default();
        let mut basic = SummaryCounts::default();
        for (t, c) in &u.by_type {
            if c.found != c.done + c.in_progress {
                return Err(format!(
                    "{}·{}：共排查问题数{}不等于已整改数{}与正在整改数{}之和",
                    u.unit,
                    t.label(),
                    c.found,
                    c.done,
                    c.in_progress
                ));
            }
            if t.is_basic_guarantee() {
                add(&mut basic, *c);
            }
            add(&mut total, *c);
        }
        if total != u.total {
            return Err(format!("{}：合计与各问题类型之和不符", u.unit));
        }
        if basic != u.basic_guarantee {
            return Err(format!("{}：“三保障”和饮水安全小计与四个分项之和不符", u.unit));
        }
        add(&mut grand, u.total);
    }
    if grand != summary.total {
        return Err("总合计与各单位合计之和不符".to_string());
    }
    let done = rows.iter().filter(|r| r.status == LedgerStatus::Done).count();
    let open = rows.len() - done;
    if summary.total.found as usize != rows.len()
        || summary.total.done as usize != done
        || summary.total.in_progress as usize != open
    {
        return Err(format!(
            "汇总表合计（共{}、已整改{}、正在整改{}）与台账（共{}、已整改{}、正在整改{}）不符",
            summary.total.found,
            summary.total.done,
            summary.total.in_progress,
            rows.len(),
            done,
            open
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Place, Procedure};
    use crate::rules::testutil::{d, household, problem};
    use std::collections::BTreeMap;

    #[test]
    fn status_boundaries() {
        let as_of = d(2024, 6, 30);
        // (deadline, done, reported, expected status, days)
        let table = [
            (Some(d(2024, 6, 30)), None, None, LedgerStatus::InProgress, 0), // deadline today: not yet overdue
            (Some(d(2024, 6, 29)), None, None, LedgerStatus::Overdue, 1),
            (Some(d(2024, 2, 29)), None, None, LedgerStatus::Overdue, 122), // leap year: Mar 31+Apr 30+May 31+Jun 30
            (Some(d(2024, 6, 1)), Some(d(2024, 6, 30)), None, LedgerStatus::Done, 0), // done today (late, but done)
            (
                Some(d(2024, 6, 1)),
                Some(d(2024, 7, 1)),
                Some(RectificationStatus::Done),
                LedgerStatus::Overdue,
                29,
            ), // done after as_of
            (
                Some(d(2024, 7, 31)),
                Some(d(2024, 7, 1)),
                None,
                LedgerStatus::InProgress,
                0,
            ),
            (
                Some(d(2024, 6, 1)),
                None,
                Some(RectificationStatus::Done),
                LedgerStatus::Done,
                0,
            ), // reported, no date
            (None, None, Some(RectificationStatus::Overdue), LedgerStatus::Overdue, 0),
            (None, None, None, LedgerStatus::InProgress, 0),
            (
                Some(d(2023, 12, 31)),
                None,
                Some(RectificationStatus::InProgress),
                LedgerStatus::Overdue,
                182,
            ), // across year end
        ];
        for (deadline, done, reported, expected, days) in table {
            let mut p = problem("甲村", ProblemLevel::Village, ProblemType::Housing);
            p.deadline = deadline;
            p.done = done;
            p.status = reported;
            assert_eq!(
                status(&p, as_of),
                (expected, days),
                "{deadline:?} {done:?} {reported:?}"
            );
        }
    }

    fn identification(hid: &str, lead: NaiveDate, approval: Option<NaiveDate>) -> Procedure {
        let mut stages = BTreeMap::new();
        stages.insert(Stage::LeadFound, lead);
        if let Some(a) = approval {
            stages.insert(Stage::CountyApproval, a);
        }
        Procedure {
            household_id: hid.into(),
            kind: ProcedureKind::Identification,
            lead_source: None,
            elimination_mode: None,
            stages,
            income_ok_since: None,
            note: None,
            place: Place::default(),
        }
    }

    #[test]
    fn summary_counts_and_pending_identifications() {
        let as_of = d(2024, 6, 30);
        let mut ds = Dataset::default();
        let mut a = household("A1", 3);
        a.village = "甲村".into();
        let mut b = household("B1", 2);
        b.village = "乙村".into();
        let mut c = household("B2", 4);
        c.village = "乙村".into();
        ds.households = vec![a, b, c];
        ds.procedures = vec![
            identification("B1", d(2024, 6, 20), None),                // pending
            identification("B2", d(2024, 6, 1), Some(d(2024, 6, 14))), // approved
            identification("A1", d(2024, 7, 2), None),                 // not started as of
        ];
        let mut p1 = problem("甲村", ProblemLevel::Household, ProblemType::Housing);
        p1.done = Some(d(2024, 6, 1));
        let mut p2 = problem("甲村", ProblemLevel::Household, ProblemType::Industry);
        p2.deadline = Some(d(2024, 6, 1));
        let mut p3 = problem("", ProblemLevel::Household, ProblemType::Water);
        p3.village = None;
        p3.household_id = Some("B1".into());
        let p4 = problem("", ProblemLevel::Township, ProblemType::Funds);
        let p5 = problem("", ProblemLevel::County, ProblemType::Medical);
        // County before township in input; the summary still lists 镇级 before 县级.
        ds.problems = vec![p1, p2, p5, p3, p4];
        let rows = evaluate(&ds.problems, as_of);
        let idx = Index::new(&ds);
        let s = summarize(&ds, &idx, &rows, as_of);
        let names: Vec<&str> = s.units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(names, vec!["甲村", "乙村", "镇级层面", "县级层面"]);
        let jia = &s.units[0];
        assert_eq!(
            jia.total,
            SummaryCounts {
                found: 2,
                done: 1,
                in_progress: 1,
                households: 0,
                people: 0
            }
        );
        assert_eq!(jia.basic_guarantee.found, 1);
        let yi = &s.units[1];
        assert_eq!(
            yi.basic_guarantee,
            SummaryCounts {
                found: 1,
                done: 0,
                in_progress: 1,
                households: 0,
                people: 0
            }
        );
        let monitoring = yi.by_type.iter().find(|(t, _)| *t == PENDING_ROW).unwrap().1;
        assert_eq!((monitoring.households, monitoring.people), (1, 2));
        assert_eq!(
            s.total,
            SummaryCounts {
                found: 5,
                done: 1,
                in_progress: 4,
                households: 1,
                people: 2
            }
        );
        check_totals(&s, &rows).unwrap();

        // Tampering is caught.
        let mut bad = s.clone();
        bad.units[0].by_type[0].1.found += 1;
        assert!(check_totals(&bad, &rows).is_err());
        let mut bad = s.clone();
        bad.total.done += 1;
        assert!(check_totals(&bad, &rows).is_err());
        assert!(check_totals(&s, &rows[..4]).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn totals_always_reconcile(
                items in proptest::collection::vec((0usize..4, 0usize..13, 0usize..4, proptest::option::of(0i64..60), proptest::option::of(0i64..60)), 0..80),
                pending in proptest::collection::vec((0usize..3, 1u32..6, any::<bool>()), 0..10),
            ) {
                let as_of = d(2024, 6, 30);
                let villages = ["甲村", "乙村", "丙村"];
                let mut ds = Dataset::default();
                for (i, (v, n, approved)) in pending.iter().enumerate() {
                    let mut h = household(&format!("H{i}"), *n);
                    h.village = villages[*v].into();
                    ds.procedures.push(identification(&h.id, d(2024, 6, 1), approved.then(|| d(2024, 6, 10))));
                    ds.households.push(h);
                }
                for (v, t, level, deadline, done) in items {
                    let level = [ProblemLevel::Household, ProblemLevel::Village, ProblemLevel::Township, ProblemLevel::County][level];
                    let village = if v == 3 { "" } else { villages[v] };
                    let mut p = problem(village, level, ProblemType::ALL[t]);
                    p.deadline = deadline.map(|k| d(2024, 5, 1) + chrono::Days::new(k as u64));
                    p.done = done.map(|k| d(2024, 5, 15) + chrono::Days::new(k as u64));
                    ds.problems.push(p);
                }
                let rows = evaluate(&ds.problems, as_of);
                let idx = Index::new(&ds);
                let s = summarize(&ds, &idx, &rows, as_of);
                prop_assert!(check_totals(&s, &rows).is_ok());
                let pending_n = pending.iter().filter(|(_, _, a)| !a).count() as u32;
                let pending_people: u32 = pending.iter().filter(|(_, _, a)| !a).map(|(_, n, _)| n).sum();
                prop_assert_eq!(s.total.households, pending_n);
                prop_assert_eq!(s.total.people, pending_people);
                prop_assert_eq!(s.total.found as usize, ds.problems.len());
            }
        }
    }
}
