use fangpin::synth::{GenError, GenOptions, generate_into};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// 户数
    #[arg(long)]
    households: Option<usize>,
    /// 村数（默认每村约 250 户）
    #[arg(long)]
    villages: Option<usize>,
    /// 随机种子（相同种子生成相同数据）
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 统计截止日（程序日期围绕此日生成），默认 2024-06-30
    #[arg(long)]
    as_of: Option<String>,
    /// 生成内置示例乡镇（data/ 的内容）
    #[arg(long)]
    sample: bool,
    /// 输出文件夹
    #[arg(long)]
    out: PathBuf,
    /// 输出文件夹中已有同名文件时仍然替换（默认不替换）
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> u8 {
    let mut opts = GenOptions::sample();
    if !args.sample {
        let Some(n) = args.households else {
            eprintln!("请用 --households 指定户数，或用 --sample 生成示例乡镇。");
            return super::EXIT_FAILURE;
        };
        opts.households = n;
        opts.villages = args.villages.unwrap_or(n.div_ceil(250)).max(1);
        opts.seed = args.seed;
    }
    if let Some(d) = &args.as_of {
        match fangpin::ingest::parse_date(d) {
            Ok(d) => opts.as_of = d,
            Err(e) => {
                eprintln!("统计截止日“{d}”无法识别：{e}");
                return super::EXIT_FAILURE;
            }
        }
    }
    match generate_into(&opts, &args.out, args.force) {
        Ok(r) => {
            println!(
                "已生成模拟工作区 {}：{} 个文件，{} 户，{} 人，{} 个程序案例，{} 个整改问题。",
                args.out.display(),
                r.files.len(),
                r.households,
                r.members,
                r.procedures,
                r.problems
            );
            super::EXIT_OK
        }
        Err(e @ GenError::WouldOverwrite(_)) => {
            eprintln!("{e}");
            super::EXIT_FAILURE
        }
        Err(e) => {
            eprintln!("生成失败：{e}");
            super::EXIT_FAILURE
        }
    }
}
