//! `fangpin template [--out DIR] [--rules FILE]`: writes the blank village input workbook.

use crate::cli::{EXIT_FAILURE, EXIT_INPUT, EXIT_OK};
use fangpin::ingest::parse_rules;
use fangpin::model::RulesFile;
use fangpin::render::xlsx::template;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// 输出文件夹（默认“填报模板”；不与存放文书模板的 templates/ 混淆）
    #[arg(long, default_value = "填报模板")]
    pub out: PathBuf,
    /// 省里扩展了词表时，指定工作区的 rules.yaml，下拉选项随之扩展
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// 输出文件夹中已有同名模板时仍然替换（默认不替换，以免覆盖已填好的表格）
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> u8 {
    let path = args.out.join(template::FILE_NAME);
    // A village may have filled in the workbook where it was written: never replace it silently.
    if !args.force && std::fs::symlink_metadata(&path).is_ok() {
        eprintln!(
            "“{}”已存在，未替换（它可能已经填好了数据）。如确实要用空白模板替换，请加上 --force；或用 --out 另选文件夹",
            path.display()
        );
        return EXIT_FAILURE;
    }
    let rules = match &args.rules {
        None => RulesFile::defaults(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match parse_rules(&text) {
                Ok(r) => RulesFile::defaults().merged_with(r),
                Err(diags) => {
                    for d in diags {
                        eprintln!("{}：{d}", path.display());
                    }
                    return EXIT_INPUT;
                }
            },
            Err(e) => {
                eprintln!("无法读取 {}：{e}", path.display());
                return EXIT_FAILURE;
            }
        },
    };
    // The template carries no campaign data; its creation date is the day it is made.
    let today = chrono::Local::now().date_naive();
    let bytes = match template::write(&rules, today) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_FAILURE;
        }
    };
    match fangpin::atomic::write(&path, &bytes) {
        Ok(()) => {
            println!("已生成村级数据填报模板：{}", path.display());
            println!("各村填好后放入工作区（如 data/村级数据/芒洪村.xlsx），运行 fangpin check 核查。");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("无法写入 {}：{e}", path.display());
            EXIT_FAILURE
        }
    }
}
