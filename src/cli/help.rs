//! `fangpin help [命令或主题]`: a command's help, or a section of the README built into the
//! binary (`fangpin help 输入约定`, `fangpin help campaign.yaml`), so the clerk has the manual
//! on a machine that has only the program.

use std::fmt::Write as _;

/// 显示命令说明或使用手册的一节（如 fangpin help check、fangpin help 输入约定）
#[derive(clap::Args)]
pub struct Args {
    /// 命令名（check、build…）或手册中的小节名（输入约定、campaign.yaml、表头别名…）
    #[arg(value_name = "命令或主题")]
    pub topic: Vec<String>,
}

const README: &str = include_str!("../../README.md");

/// The README's sections: (heading without `#`, body including the heading line).
fn sections() -> Vec<(&'static str, &'static str)> {
    let mut starts: Vec<(usize, &str, usize)> = Vec::new();
    let mut offset = 0;
    for line in README.split_inclusive('\n') {
        let level = line.bytes().take_while(|b| *b == b'#').count();
        if (2..=3).contains(&level) && line.as_bytes().get(level) == Some(&b' ') {
            starts.push((offset, line[level..].trim(), level));
        }
        offset += line.len();
    }
    let mut out = Vec::new();
    for (i, (start, title, level)) in starts.iter().enumerate() {
        // A section runs to the next heading of the same or a higher level.
        let end = starts[i + 1..]
            .iter()
            .find(|(_, _, l)| l <= level)
            .map_or(README.len(), |(s, _, _)| *s);
        out.push((*title, &README[*start..end]));
    }
    out
}

/// The README section whose heading matches `topic` (exactly, then by containment, ignoring case).
pub fn section(topic: &str) -> Option<&'static str> {
    let t = topic.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let all = sections();
    all.iter()
        .find(|(h, _)| h.to_lowercase() == t)
        .or_else(|| all.iter().find(|(h, _)| h.to_lowercase().contains(&t)))
        .map(|(_, body)| *body)
}

/// The list of manual sections, for `fangpin help` without a topic.
pub fn topics() -> String {
    let mut s = String::new();
    for (h, _) in sections() {
        let _ = write!(s, "{h}、");
    }
    s.trim_end_matches('、').to_string()
}

/// Runs `help`: `command` is the localized command tree.
pub fn run(args: Args, mut command: clap::Command) -> u8 {
    command.build();
    let topic = args.topic.join(" ");
    if topic.is_empty() {
        let _ = command.print_help();
        super::print(&format!(
            "\n查看某个命令的说明：fangpin help 命令名（如 fangpin help check）\n使用手册各节：{}\n查看某一节：fangpin help 小节名（如 fangpin help 输入约定）\n",
            topics()
        ));
        return super::EXIT_OK;
    }
    if let Some(sub) = command.find_subcommand_mut(args.topic[0].as_str()) {
        let mut sub = sub.clone();
        let _ = sub.print_help();
        return super::EXIT_OK;
    }
    if let Some(body) = section(&topic) {
        super::print(body);
        return super::EXIT_OK;
    }
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    eprintln!(
        "错误：没有名为“{topic}”的命令或手册小节。\n可用的命令：{}\n手册各节：{}",
        names.join("、"),
        topics()
    );
    super::EXIT_FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_sections_are_found_by_heading() {
        let input = section("输入约定").expect("输入约定");
        assert!(input.starts_with("## 输入约定"));
        // A level-2 section includes its level-3 subsections.
        assert!(input.contains("### campaign.yaml") && input.contains("### 取值"));
        assert!(!input.contains("## 规则与模板"));
        let c = section("campaign.yaml").expect("campaign.yaml");
        assert!(c.contains("监测范围") && !c.contains("### 表格"));
        assert!(section("表头别名").is_some_and(|s| s.contains("户主证件号码")));
        assert!(section("没有这一节").is_none());
        assert!(topics().contains("输入约定"));
    }
}
