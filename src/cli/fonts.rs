//! `fangpin fonts [WORKSPACE]`: the face each font role resolves to on this machine (official
//! system face or bundled fallback) and every character in the workspace's data no face covers.

use fangpin::ingest::load_workspace;
use fangpin::render::fonts::{FontOrigin, uncovered_with};
use fangpin::render::pdf::PdfEngine;
use std::path::PathBuf;

/// 查看各字体角色（标题、正文、一级标题、二级标题、表格）实际使用的字体，以及数据中没有字体能显示的字符
#[derive(clap::Args)]
pub struct Args {
    /// 工作区文件夹（含 campaign.yaml），默认 data
    #[arg(value_name = "WORKSPACE", default_value = "data")]
    pub workspace: PathBuf,
}

pub fn run(args: Args) -> u8 {
    let templates = args.workspace.join("templates");
    let engine = match PdfEngine::new(Some(&templates)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("错误：{e}");
            return super::EXIT_FAILURE;
        }
    };
    let roles = match engine.font_roles() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法从模板 lib.typ 读取字体角色（font-roles）：{e}");
            return super::EXIT_FAILURE;
        }
    };
    super::println("字体角色（模板 lib.typ 中的 font-roles，按顺序取第一个可用的字体）：");
    let mut fallback = false;
    for r in &roles {
        match &r.face {
            Some(face) => {
                let source = match &face.origin {
                    FontOrigin::Bundled(file) => format!("内置 fonts/{file}"),
                    FontOrigin::System(path) => format!("系统 {}", path.display()),
                };
                let weight = if face.weight >= 600 { " 粗体" } else { "" };
                super::println(&format!("  {}{}{weight}（{}）", pad(&r.role), face.family, source));
                if let Some(note) = fangpin::render::fonts::fallback_note(&r.role, &r.families, Some(face)) {
                    fallback = true;
                    super::println(&format!("          {note}"));
                }
            }
            None => super::println(&format!(
                "  {}无可用字体（候选：{}）",
                pad(&r.role),
                r.families.join("、")
            )),
        }
    }
    if fallback {
        super::println(
            "提示：安装方正小标宋简体、仿宋_GB2312、黑体、楷体_GB2312 后，公文将按 GB/T 9704 使用规范字体。",
        );
    }

    let ws = match load_workspace(&args.workspace) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("错误：{e}");
            return super::EXIT_INPUT;
        }
    };
    let missing = uncovered_with(engine.fonts(), &ws);
    if missing.is_empty() {
        super::println("数据中的全部字符都有字体可以显示。");
    } else {
        super::println(&format!(
            "以下 {} 处字符没有任何字体可以显示（打印时会成为方框），请安装含这些字的字体，或核对是否录入有误：",
            missing.len()
        ));
        for m in &missing {
            let who = if m.household_id.is_empty() {
                "campaign.yaml".to_string()
            } else {
                format!("户 {}", m.household_id)
            };
            super::println(&format!("  {} U+{:04X}  {} 「{}」", m.ch, m.ch as u32, who, m.field));
        }
    }
    super::EXIT_OK
}

/// A role name padded with full-width spaces to five characters, so the faces line up.
fn pad(role: &str) -> String {
    let n = role.chars().count();
    format!("{role}{}", "\u{3000}".repeat(5usize.saturating_sub(n)))
}
