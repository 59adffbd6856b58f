//! `fangpin check [WORKSPACE]`: ingest + validate, print a summary per village and every problem.

use fangpin::model::Workspace;
use fangpin::site::{Site, SiteOptions};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// 读取并核查工作区：汇总各村户数、人数、程序、措施、问题，逐条列出数据问题（文件、工作表、单元格或行列号、修改建议）
#[derive(clap::Args)]
pub struct Args {
    /// 工作区文件夹（含 campaign.yaml），默认 data
    #[arg(value_name = "WORKSPACE", default_value = "data")]
    pub workspace: PathBuf,
}

pub fn run(args: Args) -> u8 {
    let opts = SiteOptions {
        workspace: args.workspace,
        as_of: None,
        today: super::today(),
        village: None,
        force: false,
    };
    match Site::load(&opts) {
        Ok(site) => {
            super::print(&report(&site.ws));
            // The rule findings after the data problems, with the counts compliance and build give.
            match (&site.eval, site.tally()) {
                (Some(ev), Some(tally)) => {
                    let findings = fangpin::rules::report::findings_text(ev);
                    if !findings.is_empty() {
                        super::print(&format!("\n{findings}"));
                    }
                    let held = fangpin::rules::report::held_back_text(ev);
                    if !held.is_empty() {
                        super::print(&format!("\n{held}"));
                    }
                    super::println(&format!("\n统计截止日 {}。{}", site.as_of, tally.line()));
                }
                _ => super::println("\n数据有错误，未进行规则核查。请先改正上面列出的错误。"),
            }
            site.exit_code()
        }
        Err(e) => {
            eprintln!("错误：{e}");
            e.exit_code()
        }
    }
}

#[derive(Default)]
struct Counts {
    households: usize,
    members: usize,
    procedures: usize,
    measures: usize,
    problems: usize,
    reports: usize,
}

/// The whole report: summary, per-village table, then every diagnostic in order.
fn report(ws: &Workspace) -> String {
    let mut out = String::new();
    let d = &ws.data;
    let c = &ws.campaign;
    let _ = writeln!(out, "工作区：{}", ws.root.display());
    let _ = writeln!(
        out,
        "排查：{}（{}{}{}）",
        c.name, c.region.province, c.region.county, c.region.township
    );
    let data_files = ws
        .inputs
        .iter()
        .filter(|f| f.path != "campaign.yaml" && f.path != "rules.yaml")
        .count();
    let _ = writeln!(out, "数据文件：{data_files} 个（共读取 {} 个文件）", ws.inputs.len());
    let _ = writeln!(
        out,
        "户 {}，成员 {}，程序 {}，帮扶措施 {}，问题 {}，进度报告 {}",
        d.households.len(),
        d.member_count(),
        d.procedures.len(),
        d.measures.len(),
        d.problems.len(),
        d.milestone_reports.len()
    );
    if !d.visits.is_empty() {
        // Appended, so workspaces without 评估遍访 records read as before.
        out.pop();
        let _ = writeln!(out, "，评估遍访记录 {}", d.visits.len());
    }

    // Per village, in first-seen order; area problems and township reports go to the township row.
    let village_of: std::collections::HashMap<&str, &str> = d
        .households
        .iter()
        .map(|h| (h.id.as_str(), h.village.as_str()))
        .collect();
    let mut per: BTreeMap<usize, (String, Counts)> = BTreeMap::new();
    let villages = d.villages();
    let slot = |name: &str| villages.iter().position(|v| v == name).unwrap_or(usize::MAX);
    let mut add = |name: &str, f: &mut dyn FnMut(&mut Counts)| {
        let key = slot(name);
        let entry = per.entry(key).or_insert_with(|| {
            let label = if key == usize::MAX {
                format!("{}（乡镇层面）", c.region.township)
            } else {
                name.to_string()
            };
            (label, Counts::default())
        });
        f(&mut entry.1);
    };
    for h in &d.households {
        add(&h.village, &mut |c| {
            c.households += 1;
            c.members += h.members.len();
        });
    }
    for p in &d.procedures {
        add(
            village_of.get(p.household_id.as_str()).copied().unwrap_or(""),
            &mut |c| c.procedures += 1,
        );
    }
    for m in &d.measures {
        add(
            village_of.get(m.household_id.as_str()).copied().unwrap_or(""),
            &mut |c| c.measures += 1,
        );
    }
    for p in &d.problems {
        add(p.village.as_deref().unwrap_or(""), &mut |c| c.problems += 1);
    }
    for r in &d.milestone_reports {
        add(&r.unit, &mut |c| c.reports += 1);
    }
    if !per.is_empty() {
        let _ = writeln!(out, "\n按村汇总：");
        for (name, n) in per.values() {
            let _ = writeln!(
                out,
                "  {}：户 {}，成员 {}，程序 {}，帮扶措施 {}，问题 {}，进度报告 {}",
                fangpin::model::escape_controls(name),
                n.households,
                n.members,
                n.procedures,
                n.measures,
                n.problems,
                n.reports
            );
        }
    }

    let errors = ws.error_count();
    let warnings = ws.warning_count();
    let _ = writeln!(out);
    if ws.diagnostics.is_empty() {
        let _ = writeln!(out, "数据核查通过：没有发现数据问题。");
    } else {
        let _ = writeln!(out, "发现问题：错误 {errors} 个，警告 {warnings} 个");
        for diag in &ws.diagnostics {
            let _ = writeln!(out, "{diag}");
        }
        if errors > 0 {
            let _ = writeln!(out, "\n请先改正全部“错误”后再生成文书；“警告”请核实。");
        } else {
            let _ = writeln!(out, "\n没有错误；以上警告请核实。");
        }
    }
    out
}
