//! Pure rules over the model: calendar, income, screening, deadline compliance, ledgers.
//! No I/O and no clock: the `as_of` date is always passed in.

pub mod calendar;
pub mod catalog;
pub mod chains;
pub mod compliance;
pub mod income;
pub mod key_groups;
pub mod ledger;
pub mod monitoring;
pub mod period;
pub mod report;
pub mod screening;
mod types;
pub mod verdict;
pub mod visits;
pub use types::*;

use crate::model::{Household, Severity, Workspace};
use calendar::{Calendar, CalendarError};
use chrono::NaiveDate;
use std::collections::HashMap;
use thiserror::Error;

/// Why the rules could not run at all (problems with single cases are `Finding`s instead).
#[derive(Debug, Error)]
pub enum RulesError {
    /// The workspace's 工作日历 in rules.yaml is invalid.
    #[error("{place}：{source}")]
    Calendar {
        /// Where the calendar came from (the workspace's rules.yaml).
        place: String,
        source: CalendarError,
    },
}

/// Lookups built once per evaluation so no rule scans the whole dataset per household.
pub struct Index<'a> {
    by_id: HashMap<&'a str, usize>,
    /// Per household (dataset order): indices into `Dataset::procedures`.
    pub procedures: Vec<Vec<usize>>,
    /// Per household (dataset order): indices into `Dataset::measures`.
    pub measures: Vec<Vec<usize>>,
    /// Per household (dataset order): indices into `Dataset::rosters` matched to it.
    pub rosters: Vec<Vec<usize>>,
    /// Per household (dataset order): indices into `Dataset::visits`.
    pub visits: Vec<Vec<usize>>,
}

impl<'a> Index<'a> {
    pub fn new(ds: &'a crate::model::Dataset) -> Index<'a> {
        let mut by_id = HashMap::with_capacity(ds.households.len());
        for (i, h) in ds.households.iter().enumerate() {
            // The first household with an id wins; ingest reports duplicates.
            by_id.entry(h.id.as_str()).or_insert(i);
        }
        let mut procedures = vec![Vec::new(); ds.households.len()];
        for (i, p) in ds.procedures.iter().enumerate() {
            if let Some(&h) = by_id.get(p.household_id.as_str()) {
                procedures[h].push(i);
            }
        }
        let mut measures = vec![Vec::new(); ds.households.len()];
        for (i, m) in ds.measures.iter().enumerate() {
            if let Some(&h) = by_id.get(m.household_id.as_str()) {
                measures[h].push(i);
            }
        }
        let mut rosters = vec![Vec::new(); ds.households.len()];
        for (i, r) in ds.rosters.iter().enumerate() {
            if let Some(&h) = r.household_id.as_deref().and_then(|id| by_id.get(id)) {
                rosters[h].push(i);
            }
        }
        let mut visits = vec![Vec::new(); ds.households.len()];
        for (i, v) in ds.visits.iter().enumerate() {
            if let Some(&h) = by_id.get(v.household_id.as_str()) {
                visits[h].push(i);
            }
        }
        Index {
            by_id,
            procedures,
            measures,
            rosters,
            visits,
        }
    }

    /// Index into `Dataset::households` of a 户编号.
    pub fn household(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

/// Village names in first-seen order (households, then problems), as `Dataset::villages`
/// gives them, in linear time: the rules call it on county-sized datasets.
pub fn village_order(ds: &crate::model::Dataset) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out = Vec::new();
    let names = ds.households.iter().map(|h| h.village.as_str()).chain(
        ds.problems
            .iter()
            .filter_map(|p| p.village.as_deref())
            .filter(|v| !v.is_empty()),
    );
    for v in names {
        if seen.insert(v) {
            out.push(v.to_string());
        }
    }
    out
}

/// A finding about one household.
pub(crate) fn finding(h: &Household, rule: &str, message: String, severity: Severity) -> Finding {
    Finding {
        household_id: h.id.clone(),
        head_name: h.head_name.clone(),
        village: h.village.clone(),
        rule: rule.to_string(),
        message,
        severity,
    }
}

/// Every rule over a loaded workspace as of a date.
pub fn evaluate(ws: &Workspace, as_of: NaiveDate) -> Result<Evaluation, RulesError> {
    let calendar = Calendar::new(&ws.rules).map_err(|source| RulesError::Calendar {
        place: ws.root.join("rules.yaml").display().to_string(),
        source,
    })?;
    Ok(evaluate_with(ws, &calendar, as_of))
}

/// As `evaluate`, with a calendar already built (callers evaluating several dates reuse it).
pub fn evaluate_with(ws: &Workspace, calendar: &Calendar, as_of: NaiveDate) -> Evaluation {
    let ds = &ws.data;
    let line = ws.campaign.monitoring_line;
    let idx = Index::new(ds);
    let mut findings = Vec::new();
    let mut incomes = Vec::with_capacity(ds.households.len());
    for h in &ds.households {
        let (r, f) = income::evaluate(h, line);
        incomes.push(r);
        findings.extend(f);
    }
    let kctx = key_groups::Ctx {
        as_of,
        year: ws.campaign.year,
        income_line: ws.campaign.key_group_income_line(),
    };
    let screening = screening::evaluate(ds, &idx, &incomes, &kctx);
    let ctx = compliance::Ctx {
        rules: &ws.rules,
        calendar,
        as_of,
        line,
        township: &ws.campaign.region.township,
    };
    let (mut compliance, f) = compliance::evaluate(&ctx, ds, &idx, &incomes, &ws.campaign.milestones);
    findings.extend(f);
    // 体外循环 and the village check read the key-group context (new 低保/特困 since …).
    let (rows, f) = monitoring::dataset(&ctx, &kctx, ds, &idx);
    compliance.extend(rows);
    findings.extend(f);
    let vctx = verdict::Ctx {
        rules: &ws.rules,
        calendar,
        as_of,
        line,
        year: ws.campaign.year,
    };
    let (cases, f) = verdict::evaluate(&vctx, ds, &idx, &incomes);
    findings.extend(f);
    // Offices decide per rule whether a finding is an error or a warning (rules.yaml 核查级别).
    for f in &mut findings {
        if let Some(level) = ws.rules.finding_levels.get(&f.rule) {
            f.severity = *level;
        }
    }
    let ledger = ledger::evaluate(&ds.problems, as_of);
    let summary = ledger::summarize(ds, &idx, &ledger, as_of);
    Evaluation {
        cases,
        as_of,
        incomes,
        screening,
        compliance,
        ledger,
        summary,
        findings,
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Small builders for the rules' unit tests.
    use crate::model::*;
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A household in 甲村 with `n` labour-capable members (no members when `n` is 0).
    pub fn household(id: &str, n: u32) -> Household {
        let members = (0..n)
            .map(|i| Member {
                household_id: id.into(),
                name: format!("成员{i}"),
                id: format!("M{id}{i}"),
                relation: if i == 0 { "户主".into() } else { "子女".into() },
                sex: None,
                birth: None,
                labour: Some(LabourCapacity::Capable),
                health: None,
                schooling: None,
                severe_disability: false,
                place: Place::default(),
                disability: None,
                not_counted: None,
            })
            .collect();
        Household {
            id: id.into(),
            township: "测试乡".into(),
            village: "甲村".into(),
            group: "一组".into(),
            head_name: format!("户主{id}"),
            head_id: format!("M{id}0"),
            phone: None,
            kind: HouseholdType::Ordinary,
            monitor_category: None,
            size: n,
            income: Income::default(),
            risks: vec![],
            basic_needs_met: Some(true),
            no_labour_household: false,
            exclusions: vec![],
            key_groups: vec![],
            helper: None,
            income_ok_since: None,
            note: None,
            members,
            place: Place::file("甲村.yaml"),
            monitored_since: None,
            eliminated_on: None,
            sanitary_toilet: None,
        }
    }

    pub fn procedure(hid: &str, kind: ProcedureKind, stages: &[(Stage, NaiveDate)]) -> Procedure {
        Procedure {
            household_id: hid.into(),
            kind,
            lead_source: None,
            elimination_mode: None,
            stages: stages.iter().copied().collect::<BTreeMap<_, _>>(),
            income_ok_since: None,
            note: None,
            place: Place::file("甲村.yaml"),
        }
    }

    pub fn problem(village: &str, level: ProblemLevel, kind: ProblemType) -> Problem {
        Problem {
            seq: None,
            township: "测试乡".into(),
            village: if village.is_empty() { None } else { Some(village.into()) },
            household_id: None,
            head_name: None,
            level,
            kind,
            content: "问题".into(),
            measure: "措施".into(),
            person: "张三".into(),
            unit: "村委会".into(),
            deadline: None,
            status: None,
            done: None,
            effect: None,
            place: Place::default(),
        }
    }
}
