//! `fangpin compliance [WORKSPACE] [--as-of DATE] [--json]`: deadline and milestone status.

use chrono::NaiveDate;
use fangpin::ingest::parse_date;
use fangpin::model::Workspace;
use fangpin::rules::report::findings_text;
use fangpin::rules::{ComplianceRow, ComplianceStatus, Evaluation};
use fangpin::site::{Site, SiteOptions};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// 检查各程序环节办理时限与工作节点进度：按村列出违规、逾期、即将到期的事项
#[derive(clap::Args)]
pub struct Args {
    /// 工作区文件夹（含 campaign.yaml），默认 data
    #[arg(value_name = "WORKSPACE", default_value = "data")]
    pub workspace: PathBuf,
    /// 统计截止日（默认取 campaign.yaml 的“统计截止日”，未填则为今天）
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// 每行输出一个 JSON 对象（户编号、户主姓名、程序、规则、截止、完成、状态、天数）
    #[arg(long)]
    pub json: bool,
    /// 终端表格中也列出“按时完成”的事项
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: Args) -> u8 {
    // A date the command line gives wrongly is a usage error (1), as in every command.
    let flag_date = match args.as_of.as_deref().map(parse_date).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "错误：--as-of 的日期“{}”：{e}。请写成 2024-06-30 或 2024年6月30日 的形式",
                args.as_of.as_deref().unwrap_or_default()
            );
            return super::EXIT_FAILURE;
        }
    };
    let site = match Site::load(&SiteOptions {
        workspace: args.workspace,
        as_of: flag_date,
        today: super::today(),
        village: None,
        force: false,
    }) {
        Ok(site) => site,
        Err(e) => {
            eprintln!("错误：{e}");
            return e.exit_code();
        }
    };
    let ws = &site.ws;
    let Some(ev) = site.eval.as_ref() else {
        eprintln!(
            "数据有{}处错误，请先修改（fangpin check 可查看全部问题及修改建议）：",
            ws.error_count()
        );
        for d in ws.diagnostics.iter().filter(|d| d.is_error()) {
            eprintln!("  {d}");
        }
        return site.exit_code();
    };
    if args.json {
        let mut out = String::new();
        for r in &ev.compliance {
            match serde_json::to_string(&JsonRow::from(r)) {
                Ok(line) => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Err(e) => {
                    eprintln!("错误：无法输出 JSON：{e}");
                    return super::EXIT_FAILURE;
                }
            }
        }
        super::print(&out);
        eprint!("{}", findings_text(ev));
        eprint!("{}", fangpin::rules::report::held_back_text(ev));
    } else {
        super::print(&table(ws, ev, args.all));
        let findings = findings_text(ev);
        if !findings.is_empty() {
            super::print(&format!("\n{findings}"));
        }
        let held = fangpin::rules::report::held_back_text(ev);
        if !held.is_empty() {
            super::print(&format!("\n{held}"));
        }
        if ws.warning_count() > 0 {
            super::println(&format!(
                "\n数据有{}条警告，可用 fangpin check 查看。",
                ws.warning_count()
            ));
        }
    }
    // The same counts as check and build (to stderr with --json, so stdout stays JSON lines).
    let line = format!(
        "统计截止日 {}。{}",
        site.as_of,
        fangpin::rules::report::Tally::of(ws, ev).line()
    );
    if args.json {
        eprintln!("{line}");
    } else {
        super::println(&format!("\n{line}"));
    }
    site.exit_code()
}

/// One `--json` line; keys and their order exactly as DESIGN.md §5.
#[derive(Serialize)]
struct JsonRow<'a> {
    #[serde(rename = "户编号")]
    household_id: &'a str,
    #[serde(rename = "户主姓名")]
    head_name: &'a str,
    #[serde(rename = "程序")]
    procedure: Option<&'static str>,
    #[serde(rename = "规则")]
    rule: &'a str,
    #[serde(rename = "截止")]
    due: Option<NaiveDate>,
    #[serde(rename = "完成")]
    done: Option<NaiveDate>,
    #[serde(rename = "状态")]
    status: &'static str,
    #[serde(rename = "天数")]
    days: i64,
}

impl<'a> From<&'a ComplianceRow> for JsonRow<'a> {
    fn from(r: &'a ComplianceRow) -> Self {
        JsonRow {
            household_id: &r.household_id,
            head_name: &r.head_name,
            procedure: r.procedure.map(|p| p.label()),
            rule: &r.rule,
            due: r.due,
            done: r.done,
            status: r.status.label(),
            days: r.days,
        }
    }
}

/// Terminal columns are aligned by display width: CJK characters take two cells.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

const ORDER: [ComplianceStatus; 6] = ComplianceStatus::ALL;

fn status_counts<'a>(rows: impl Iterator<Item = &'a ComplianceRow> + Clone) -> String {
    ORDER
        .iter()
        .map(|s| format!("{} {}", s.label(), rows.clone().filter(|r| r.status == *s).count()))
        .collect::<Vec<_>>()
        .join("，")
}

/// The per-village table: villages in data order (other reporting units after them), and in
/// each the rows needing attention first (违规, 已逾期未完成, 逾期完成, 即将到期, 未到期).
fn table(ws: &Workspace, ev: &Evaluation, all: bool) -> String {
    let mut out = String::new();
    let c = &ws.campaign;
    let _ = writeln!(out, "{}（{}）", c.name, c.region.township);
    let _ = writeln!(
        out,
        "时限合规检查，截至{}：共{}项；{}",
        ev.as_of,
        ev.compliance.len(),
        status_counts(ev.compliance.iter())
    );
    let mut units = fangpin::rules::village_order(&ws.data);
    for r in &ev.compliance {
        if !units.contains(&r.village) {
            units.push(r.village.clone());
        }
    }
    let headers = [
        "户编号",
        "户主/单位",
        "程序",
        "规则",
        "截止",
        "完成",
        "状态",
        "天数",
        "说明",
    ];
    for unit in &units {
        let mut rows: Vec<(usize, &ComplianceRow)> = ev
            .compliance
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.village == unit)
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|(i, a), (j, b)| {
            a.status
                .cmp(&b.status)
                .then(a.household_id.cmp(&b.household_id))
                .then(i.cmp(j))
        });
        let name = if unit.is_empty() {
            "（未注明村）"
        } else {
            unit.as_str()
        };
        let _ = writeln!(out, "\n【{name}】{}", status_counts(rows.iter().map(|(_, r)| *r)));
        let shown: Vec<&ComplianceRow> = rows
            .iter()
            .map(|(_, r)| *r)
            .filter(|r| all || r.status != ComplianceStatus::OnTime)
            .collect();
        let hidden = rows.len() - shown.len();
        if !shown.is_empty() {
            let cells: Vec<[String; 9]> = shown
                .iter()
                .map(|r| {
                    [
                        r.household_id.clone(),
                        r.head_name.clone(),
                        r.procedure.map(|p| p.label().to_string()).unwrap_or_default(),
                        r.rule.clone(),
                        r.due.map(|d| d.to_string()).unwrap_or_default(),
                        r.done.map(|d| d.to_string()).unwrap_or_default(),
                        r.status.label().to_string(),
                        if r.days == 0 { String::new() } else { r.days.to_string() },
                        r.note.clone(),
                    ]
                })
                .collect();
            let mut widths = headers.map(width);
            for row in &cells {
                for (w, cell) in widths.iter_mut().zip(row.iter()) {
                    *w = (*w).max(width(cell));
                }
            }
            let line = |cols: &[String]| {
                let mut s = String::from(" ");
                for (k, cell) in cols.iter().enumerate() {
                    if k + 1 == cols.len() {
                        s.push_str(cell);
                    } else {
                        s.push_str(&pad(cell, widths[k]));
                        s.push_str("  ");
                    }
                }
                s.trim_end().to_string()
            };
            let _ = writeln!(out, "{}", line(&headers.map(String::from)));
            for row in &cells {
                let _ = writeln!(out, "{}", line(row));
            }
        }
        if hidden > 0 {
            let _ = writeln!(out, " 另有{hidden}项按时完成（加 --all 列出）");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_width_counts_cjk_as_two() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("公示期"), 6);
        assert_eq!(width("（含）"), 6);
        assert_eq!(pad("甲村", 6), "甲村  ");
    }

    #[test]
    fn json_keys_in_order() {
        let r = ComplianceRow {
            household_id: "H1".into(),
            head_name: "张三".into(),
            village: "甲村".into(),
            procedure: Some(fangpin::model::ProcedureKind::Identification),
            rule: "公示期".into(),
            due: NaiveDate::from_ymd_opt(2024, 5, 8),
            done: None,
            status: ComplianceStatus::Pending,
            days: 0,
            note: String::new(),
        };
        let s = serde_json::to_string(&JsonRow::from(&r)).unwrap();
        assert_eq!(
            s,
            r#"{"户编号":"H1","户主姓名":"张三","程序":"识别纳入","规则":"公示期","截止":"2024-05-08","完成":null,"状态":"未到期","天数":0}"#
        );
    }
}
