//! `fangpin calendar add DATE N` / `fangpin calendar between A B`: the working-day calendar.

use chrono::NaiveDate;
use fangpin::ingest::{parse_date, parse_rules};
use fangpin::model::RulesFile;
use fangpin::rules::calendar::Calendar;
use std::path::{Path, PathBuf};

/// 工作日历计算（法定节假日与调休，内置2004—2026年；工作区 rules.yaml 的“工作日历”可增补年份）
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// 工作区文件夹：若其中有 rules.yaml，则使用其中“工作日历”增补或更正的年份
    #[arg(long, short = 'w', value_name = "WORKSPACE", default_value = "data", global = true)]
    pub workspace: PathBuf,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// 输出 DATE 之后（不含当日）的第 N 个工作日
    Add {
        /// 起算日期，如 2024-05-11、2024年5月11日
        #[arg(value_name = "DATE")]
        date: String,
        /// 工作日个数
        #[arg(value_name = "N")]
        n: u32,
    },
    /// 输出 A 至 B 之间（含首尾两日）的工作日个数
    Between {
        #[arg(value_name = "A")]
        a: String,
        #[arg(value_name = "B")]
        b: String,
    },
}

pub fn run(args: Args) -> u8 {
    let calendar = match load_calendar(&args.workspace) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("错误：{msg}");
            return super::EXIT_INPUT;
        }
    };
    let result = match &args.command {
        Command::Add { date, n } => date_arg(date).and_then(|d| {
            calendar
                .add_working_days(d, *n)
                .map(|r| r.to_string())
                .map_err(|e| e.to_string())
        }),
        Command::Between { a, b } => date_arg(a).and_then(|a| {
            let b = date_arg(b)?;
            calendar
                .working_days_between(a, b)
                .map(|n| n.to_string())
                .map_err(|e| e.to_string())
        }),
    };
    match result {
        Ok(line) => {
            super::println(&line);
            super::EXIT_OK
        }
        Err(msg) => {
            eprintln!("错误：{msg}");
            super::EXIT_INPUT
        }
    }
}

fn date_arg(s: &str) -> Result<NaiveDate, String> {
    parse_date(s).map_err(|e| format!("日期“{s}”：{e}。请写成 2024-05-11、2024/5/11、2024年5月11日 或 20240511 的形式"))
}

/// The built-in calendar, with the workspace's rules.yaml 工作日历 laid over it when present.
fn load_calendar(workspace: &Path) -> Result<Calendar, String> {
    let path = workspace.join("rules.yaml");
    if !path.is_file() {
        return Ok(Calendar::builtin());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("无法读取“{}”：{}", path.display(), fangpin::render::io_reason(&e)))?;
    let over = parse_rules(&text).map_err(|diags| {
        let list: Vec<String> = diags.iter().map(|d| format!("  {d}")).collect();
        format!("“{}”有{}处问题：\n{}", path.display(), diags.len(), list.join("\n"))
    })?;
    Calendar::new(&RulesFile::defaults().merged_with(over)).map_err(|e| format!("“{}”：{e}", path.display()))
}
