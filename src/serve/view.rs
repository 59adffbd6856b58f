//! What the page shows about the workspace, computed from the one run object (`Site`) — the
//! same counts and findings `check` prints, arranged per village for the page.

use crate::rules::ComplianceStatus;
use crate::site::{Site, SiteError};
use serde::Serialize;
use std::collections::HashMap;

/// The whole state of the workspace as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// The workspace could not be read at all (no campaign.yaml, broken rules.yaml): why and how
    /// to fix it. Everything else is then empty.
    pub error: Option<String>,
    /// The exit code `fangpin check` would give (0 or 2).
    pub exit_code: u8,
    pub workspace: String,
    pub campaign: String,
    pub township: String,
    pub as_of: String,
    /// The rules ran (the data has no errors).
    pub rules_ran: bool,
    pub totals: Totals,
    /// The one summary line every command prints (None when the rules did not run).
    pub tally_line: Option<String>,
    /// Compliance status labels, most urgent first (the order of `VillageView::by_status`).
    pub statuses: Vec<&'static str>,
    pub villages: Vec<VillageView>,
    /// Data problems (in the order `check` prints them), then rule findings (errors first).
    pub problems: Vec<ProblemView>,
    pub held_back: Vec<HeldView>,
    /// Data files read, relative to the workspace (campaign.yaml and rules.yaml excluded).
    pub data_files: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub villages: usize,
    pub households: usize,
    pub members: usize,
    pub cases: usize,
    /// 整改问题 (rows of the rectification ledgers).
    pub rectifications: usize,
    /// Data problems and rule findings listed in `problems`.
    pub problems: usize,
    pub data_errors: usize,
    pub data_warnings: usize,
    pub rule_errors: usize,
    pub rule_warnings: usize,
    pub held_back: usize,
    pub overdue_rectifications: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VillageView {
    pub name: String,
    pub households: usize,
    pub members: usize,
    pub cases: usize,
    /// Rows of the 时限合规报告 per status, in `StatusView::statuses` order.
    pub by_status: Vec<usize>,
    pub held_back: usize,
    pub overdue_rectifications: usize,
    pub problems: usize,
}

/// One row of the problem list.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    /// 数据 (a data problem, fixed in the source file) or 规则 (a rule finding about a case).
    pub source: &'static str,
    /// 错误 or 警告
    pub level: &'static str,
    /// The village the problem belongs to, when one can be named.
    pub village: String,
    /// 文件 › 工作表 › 单元格 (data problems) or the household (rule findings).
    pub place: String,
    pub field: String,
    pub value: String,
    pub message: String,
    pub fix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldView {
    pub village: String,
    pub head_name: String,
    pub household_id: String,
    pub kind: &'static str,
    /// (原因, 如何处理)
    pub reasons: Vec<(String, String)>,
}

/// The page's view of a load result.
pub fn status_view(workspace: &str, loaded: Result<&Site, &SiteError>) -> StatusView {
    let statuses: Vec<&'static str> = ComplianceStatus::ALL.iter().map(|s| s.label()).collect();
    let mut view = StatusView {
        error: None,
        exit_code: crate::site::EXIT_OK,
        workspace: workspace.to_string(),
        campaign: String::new(),
        township: String::new(),
        as_of: String::new(),
        rules_ran: false,
        totals: Totals::default(),
        tally_line: None,
        statuses,
        villages: Vec::new(),
        problems: Vec::new(),
        held_back: Vec::new(),
        data_files: Vec::new(),
    };
    let site = match loaded {
        Ok(site) => site,
        Err(e) => {
            view.error = Some(e.to_string());
            view.exit_code = e.exit_code();
            return view;
        }
    };
    let ws = &site.ws;
    let d = &ws.data;
    view.exit_code = site.exit_code();
    view.campaign = ws.campaign.name.clone();
    view.township = ws.campaign.region.township.clone();
    view.as_of = site.as_of.to_string();
    view.data_files = ws
        .inputs
        .iter()
        .filter(|f| f.path != crate::ingest::CAMPAIGN_FILE && f.path != crate::ingest::RULES_FILE)
        .map(|f| f.path.clone())
        .collect();

    let names = d.villages();
    let mut villages: Vec<VillageView> = names
        .iter()
        .map(|n| VillageView {
            name: n.clone(),
            by_status: vec![0; ComplianceStatus::ALL.len()],
            ..VillageView::default()
        })
        .collect();
    let slot: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let village_of: HashMap<&str, &str> = d
        .households
        .iter()
        .map(|h| (h.id.as_str(), h.village.as_str()))
        .collect();
    // A data problem belongs to a village when every household read from its file does.
    let mut file_villages: HashMap<&str, Vec<&str>> = HashMap::new();
    for h in &d.households {
        let e = file_villages.entry(h.place.file.as_str()).or_default();
        if !e.contains(&h.village.as_str()) {
            e.push(h.village.as_str());
        }
    }
    for h in &d.households {
        if let Some(v) = slot.get(h.village.as_str()).and_then(|&i| villages.get_mut(i)) {
            v.households += 1;
            v.members += h.members.len();
        }
    }
    let case_village = |household_id: &str| village_of.get(household_id).copied().unwrap_or("");
    match &site.eval {
        Some(ev) => {
            for c in &ev.cases {
                if let Some(v) = slot.get(c.village.as_str()).and_then(|&i| villages.get_mut(i)) {
                    v.cases += 1;
                    if c.held_back() {
                        v.held_back += 1;
                    }
                }
            }
            for row in ev.compliance.iter().filter(|r| !r.household_id.is_empty()) {
                let at = ComplianceStatus::ALL.iter().position(|s| *s == row.status);
                if let (Some(v), Some(at)) = (slot.get(row.village.as_str()).and_then(|&i| villages.get_mut(i)), at)
                    && let Some(n) = v.by_status.get_mut(at)
                {
                    *n += 1;
                }
            }
            for l in ev
                .ledger
                .iter()
                .filter(|l| l.status == crate::rules::LedgerStatus::Overdue)
            {
                view.totals.overdue_rectifications += 1;
                let village = d
                    .problems
                    .get(l.problem)
                    .and_then(|p| p.village.as_deref())
                    .unwrap_or("");
                if let Some(v) = slot.get(village).and_then(|&i| villages.get_mut(i)) {
                    v.overdue_rectifications += 1;
                }
            }
            view.held_back = crate::rules::report::held_back(ev)
                .map(|c| HeldView {
                    village: c.village.clone(),
                    head_name: c.head_name.clone(),
                    household_id: c.household_id.clone(),
                    kind: c.kind.label(),
                    reasons: c.holds.iter().map(|h| (h.reason.clone(), h.fix.clone())).collect(),
                })
                .collect();
            view.totals.cases = ev.cases.len();
            view.totals.held_back = view.held_back.len();
        }
        None => {
            for p in &d.procedures {
                if let Some(v) = slot
                    .get(case_village(&p.household_id))
                    .and_then(|&i| villages.get_mut(i))
                {
                    v.cases += 1;
                }
            }
            view.totals.cases = d.procedures.len();
        }
    }

    for diag in &ws.diagnostics {
        let village = match file_villages.get(diag.place.file.as_str()).map(Vec::as_slice) {
            Some([one]) => one.to_string(),
            _ => String::new(),
        };
        view.problems.push(ProblemView {
            source: "数据",
            level: diag.severity.label(),
            village,
            place: diag.place.to_string(),
            field: diag.field.clone(),
            value: diag.value.clone(),
            message: diag.message.clone(),
            fix: diag.fix.clone(),
        });
    }
    if let Some(ev) = &site.eval {
        let mut findings: Vec<_> = ev.findings.iter().collect();
        // Errors first, as `check` prints them.
        findings.sort_by_key(|f| f.severity != crate::model::Severity::Error);
        for f in findings {
            let place = match (f.household_id.is_empty(), f.head_name.is_empty()) {
                (false, false) => format!("{} {}（户编号 {}）", f.village, f.head_name, f.household_id),
                (false, true) => format!("户编号 {}", f.household_id),
                (true, false) => f.head_name.clone(),
                (true, true) => f.village.clone(),
            };
            view.problems.push(ProblemView {
                source: "规则",
                level: f.severity.label(),
                village: f.village.clone(),
                place,
                field: f.rule.clone(),
                value: String::new(),
                message: f.message.clone(),
                fix: String::new(),
            });
        }
    }
    for p in &view.problems {
        if let Some(v) = slot.get(p.village.as_str()).and_then(|&i| villages.get_mut(i)) {
            v.problems += 1;
        }
    }

    view.totals.villages = villages.len();
    view.totals.households = d.households.len();
    view.totals.members = d.member_count();
    view.totals.rectifications = d.problems.len();
    view.totals.problems = view.problems.len();
    view.totals.data_errors = ws.error_count();
    view.totals.data_warnings = ws.warning_count();
    if let Some(t) = site.tally() {
        view.totals.rule_errors = t.rule_errors;
        view.totals.rule_warnings = t.rule_warnings;
        view.tally_line = Some(t.line());
    }
    view.rules_ran = site.eval.is_some();
    view.villages = villages;
    view
}

/// Output files of the last builds, per campaign folder, as the page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct OutputView {
    /// Relative to the output root, `/` separators: the `/out/…` link.
    pub path: String,
    pub kind: String,
    /// Empty for township documents.
    pub village: String,
    pub format: String,
    pub pages: Option<usize>,
    pub bytes: u64,
}

/// Every output the manifests below `out` list (a folder without manifests has none).
pub fn outputs(out: &std::path::Path) -> Vec<OutputView> {
    let mut all = Vec::new();
    for dir in crate::build::find_manifests(out) {
        let Ok(m) = crate::build::Manifest::read(&dir.join(crate::build::manifest::MANIFEST_FILE)) else {
            continue;
        };
        let base = crate::build::manifest::rel_path(out, &dir);
        for o in m.outputs {
            all.push(OutputView {
                path: if base.is_empty() {
                    o.path
                } else {
                    format!("{base}/{}", o.path)
                },
                kind: o.kind,
                village: o.village.unwrap_or_default(),
                format: o.format,
                pages: o.pages,
                bytes: o.bytes,
            });
        }
    }
    // Township documents first, then per village, then by path.
    all.sort_by(|a, b| (!a.village.is_empty(), &a.village, &a.path).cmp(&(!b.village.is_empty(), &b.village, &b.path)));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::SiteOptions;

    #[test]
    fn the_sample_view_matches_the_tally_check_prints() {
        let opts = SiteOptions {
            workspace: "data".into(),
            as_of: None,
            today: chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
            village: None,
            force: false,
        };
        let site = Site::load(&opts).unwrap();
        let v = status_view("data", Ok(&site));
        let tally = site.tally().unwrap();
        assert!(v.error.is_none());
        assert!(v.rules_ran);
        assert_eq!(v.totals.held_back, tally.held_back);
        assert_eq!(v.held_back.len(), 14);
        assert_eq!(v.totals.rule_errors, tally.rule_errors);
        assert_eq!(v.totals.households, site.ws.data.households.len());
        assert_eq!(
            v.villages.iter().map(|x| x.households).sum::<usize>(),
            v.totals.households
        );
        assert_eq!(
            v.villages.iter().map(|x| x.held_back).sum::<usize>(),
            v.totals.held_back
        );
        assert_eq!(v.totals.overdue_rectifications, tally.overdue_problems);
        let overdue_rows: usize = v.villages.iter().map(|x| x.by_status[1]).sum();
        let household_overdue = site
            .eval
            .as_ref()
            .unwrap()
            .compliance
            .iter()
            .filter(|r| !r.household_id.is_empty() && r.status == ComplianceStatus::Overdue)
            .count();
        assert_eq!(overdue_rows, household_overdue);
        assert_eq!(
            v.problems.iter().filter(|p| p.source == "规则").count(),
            site.eval.as_ref().unwrap().findings.len()
        );
        assert_eq!(v.tally_line.as_deref(), Some(tally.line().as_str()));
    }
}
