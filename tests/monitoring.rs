//! The support and monitoring checks of issue 14 (items 8, 9, 13 and the township milestones)
//! through the commands: `compliance --json` rows with the usual keys, `check` findings, on a
//! YAML workspace built here. All people are synthetic.

mod common;

use common::national::id;
use common::{command, run_command};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

const CAMPAIGN: &str = "名称: 2024年测试乡集中排查
年度: 2024
地区: {省: 测试省, 县: 测试县, 乡镇: 测试乡}
监测范围: 7600
统计截止日: 2024-06-30
时间安排:
  - {节点: 开展集中排查, 截止: 2024-06-05}
  - {节点: 提交总结报告, 截止: 2024-06-20, 责任单位: 乡镇}
";

/// One household in YAML with one member per entry of `labour`.
#[allow(clippy::too_many_arguments)]
fn household(out: &mut String, village: &str, hid: &str, seq: u32, kind: &str, extra: &str, labour: &[&str]) {
    let head = id("530926", "19700101", seq * 10);
    let _ = write!(
        out,
        "- 行政村: {village}\n  户编号: '{hid}'\n  户主姓名: 户主{seq}\n  户主证件号码: '{head}'\n  户类型: {kind}\n{extra}  成员:\n"
    );
    for (i, l) in labour.iter().enumerate() {
        let mid = if i == 0 {
            head.clone()
        } else {
            id("530926", "19900101", seq * 10 + i as u32)
        };
        let relation = if i == 0 { "户主" } else { "子" };
        let name = if i == 0 {
            format!("户主{seq}")
        } else {
            format!("成员{seq}{i}")
        };
        let _ = writeln!(
            out,
            "  - 姓名: {name}\n    证件号码: '{mid}'\n    与户主关系: {relation}\n    劳动能力: {l}"
        );
    }
}

fn workspace(dir: &Path) {
    std::fs::create_dir_all(dir.join("村级数据")).unwrap();
    std::fs::write(dir.join("campaign.yaml"), CAMPAIGN).unwrap();
    let mut y = String::from("户:\n");
    // 甲村: ten 脱贫户, nobody monitored since 2021 → the village check.
    for i in 0..10 {
        household(
            &mut y,
            "甲村",
            &format!("A{i:02}"),
            i + 1,
            "脱贫户",
            "  家庭人均纯收入: 9000\n  两不愁三保障及饮水安全是否达标: 是\n",
            &["有劳动能力"],
        );
    }
    let monitored = "  监测对象类型: 边缘易致贫户\n  识别监测时间: 202301\n  两不愁三保障及饮水安全是否达标: 是\n";
    // 乙村 B1: income above the line since 2023-10-01, 三保障 met → 应消未消.
    household(
        &mut y,
        "乙村",
        "B1",
        21,
        "监测户",
        &format!("{monitored}  家庭人均纯收入: 9000\n  收入达标起始日期: 2023-10-01\n  风险类型: 因病\n"),
        &["有劳动能力"],
    );
    // B2: 整户无劳动能力 without any 兜底; 因学 without 教育帮扶; no toilet.
    household(
        &mut y,
        "乙村",
        "B2",
        22,
        "监测户",
        &format!(
            "{monitored}  家庭人均纯收入: 5000\n  风险类型: 因学\n  是否整户无劳动能力: 是\n  是否有卫生厕所: 否\n"
        ),
        &["无劳动能力"],
    );
    // B3: an ordinary household with a new 低保 → 体外循环.
    household(
        &mut y,
        "乙村",
        "B3",
        23,
        "一般农户",
        "  家庭人均纯收入: 6000\n",
        &["有劳动能力"],
    );
    y.push_str("帮扶措施:\n");
    y.push_str("- {户编号: 'B1', 措施类别: 健康帮扶, 具体措施: 先诊疗后付费, 落实日期: 2023-02-01}\n");
    y.push_str("- {户编号: 'B1', 措施类别: 就业帮扶, 具体措施: 公益岗位, 落实日期: 2023-02-01}\n");
    y.push_str("- {户编号: 'B3', 措施类别: 综合保障, 具体措施: 新纳入农村低保, 落实日期: 2024-03-01}\n");
    y.push_str("进度:\n- {单位: 测试乡, 节点: 提交总结报告, 完成日期: 2024-06-19}\n");
    std::fs::write(dir.join("村级数据").join("村.yaml"), y).unwrap();
}

fn rows(json: &str) -> Vec<serde_json::Value> {
    json.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn rule_rows<'a>(rows: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    rows.iter().filter(|r| r["规则"] == rule).collect()
}

#[test]
fn support_and_monitoring_rules_through_the_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    workspace(&ws);
    let w = ws.to_str().unwrap();
    let json = run_command(command(["compliance", w, "--json"], &[]), Duration::from_secs(120)).ok("compliance");
    let all = rows(&json.stdout);
    // The keys of today on every row.
    let mut expected = vec!["户编号", "户主姓名", "程序", "规则", "截止", "完成", "状态", "天数"];
    expected.sort();
    for r in &all {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, expected, "{r}");
    }
    let one = |rule: &str| {
        let found = rule_rows(&all, rule);
        assert_eq!(found.len(), 1, "{rule}: {}", json.stdout);
        found[0].clone()
    };
    let r = one("应消未消");
    assert_eq!(
        (r["户编号"].as_str(), r["截止"].as_str()),
        (Some("B1"), Some("2024-04-01"))
    );
    assert_eq!(r["状态"], "已逾期未完成");
    // 识别监测时间 202301 → 2023-01-31, 帮扶计划 10 days later.
    let r = one("整户无劳动能力监测户落实兜底保障");
    assert_eq!(
        (r["户编号"].as_str(), r["截止"].as_str()),
        (Some("B2"), Some("2023-02-10"))
    );
    assert_eq!(one("风险对应帮扶措施")["户编号"], "B2");
    assert_eq!(one("首项改善式帮扶措施")["户编号"], "B2");
    assert_eq!(one("体外循环风险")["户编号"], "B3");
    let v = one("脱贫户较多村未识别监测户");
    assert_eq!((v["户编号"].as_str(), v["户主姓名"].as_str()), (Some(""), Some("甲村")));
    // The township's milestone is the township's row only.
    let m = rule_rows(&all, "时间安排：提交总结报告");
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0]["户主姓名"].as_str(), m[0]["状态"].as_str()),
        (Some("测试乡"), Some("按时完成"))
    );
    assert_eq!(rule_rows(&all, "时间安排：开展集中排查").len(), 2);

    // `check` lists the findings (warnings: exit 0).
    let check = run_command(command(["check", w], &[]), Duration::from_secs(120)).ok("check");
    let text = check.all();
    for rule in [
        "应消未消",
        "整户无劳动能力监测户落实兜底保障",
        "风险对应帮扶措施",
        "首项改善式帮扶措施",
        "体外循环风险",
        "脱贫户较多村未识别监测户",
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains("[警告]") && l.contains(rule) && l.contains("修改建议")),
            "{rule}: {text}"
        );
    }
}
