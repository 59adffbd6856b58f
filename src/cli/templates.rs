//! `fangpin templates export DIR` / `fangpin templates list [WORKSPACE]`: the built-in document
//! templates, copied out for editing or listed with the workspace's overrides.

use fangpin::render::templates::{self, Origin, TemplateSet};
use std::path::PathBuf;

/// 内置文书模板：导出到文件夹以便修改（放入工作区 templates/ 即可覆盖同名内置模板），或列出覆盖情况
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// 把全部内置模板（.typ 版式与 text/*.tera 措辞）复制到 DIR；已有文件不覆盖，除非加 --force
    Export {
        /// 目标文件夹，例如 data/templates
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// 覆盖 DIR 中已有的同名文件
        #[arg(long)]
        force: bool,
    },
    /// 列出内置模板，并标出工作区 templates/ 中覆盖了哪些
    List {
        /// 工作区文件夹，默认 data
        #[arg(value_name = "WORKSPACE", default_value = "data")]
        workspace: PathBuf,
    },
}

pub fn run(args: Args) -> u8 {
    match args.command {
        Command::Export { dir, force } => match templates::export(&dir, force) {
            Ok((written, skipped)) => {
                for p in &written {
                    super::println(&format!("已导出 {}", p.display()));
                }
                for p in &skipped {
                    super::println(&format!("已存在，未覆盖 {}（如需覆盖请加 --force）", p.display()));
                }
                super::println(&format!(
                    "共导出 {} 个模板文件。修改后放到工作区的 templates/ 文件夹中（保持相同的相对路径），生成文书时即替换内置模板。",
                    written.len()
                ));
                super::EXIT_OK
            }
            Err(e) => {
                eprintln!("错误：{e}");
                super::EXIT_FAILURE
            }
        },
        Command::List { workspace } => {
            let dir = workspace.join("templates");
            match TemplateSet::load(Some(&dir)) {
                Ok(set) => {
                    for f in set.iter() {
                        match &f.origin {
                            Origin::Builtin => super::println(&format!("{:<28} 内置", f.name)),
                            Origin::Workspace(p) => {
                                super::println(&format!("{:<28} 工作区（{}）", f.name, p.display()))
                            }
                        }
                    }
                    super::EXIT_OK
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    super::EXIT_FAILURE
                }
            }
        }
    }
}
