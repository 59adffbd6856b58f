//! 帮扶效果评估 and 遍访 records (001 §三(三)(四)) end to end: read from a workbook sheet and from
//! a YAML list, checked by `compliance --json` and reported by `check`.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;
use std::process::Command;

fn fangpin(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fangpin")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("530999{birth}{seq:03}");
    format!("{first17}{}", fangpin::synth::check_char(&first17))
}

const CAMPAIGN: &str =
    "名称: 2024年第二季度集中排查\n年度: 2024\n地区: {乡镇: 甲乡}\n监测范围: 7600\n统计截止日: 2024-06-30\n";

/// 甲村: JA001 and JA002 monitored since 2023-01, JA003 only since 2024-06 (not yet due this
/// quarter), JA004 never monitored.
fn households_yaml() -> String {
    let mut s = String::from("户:\n");
    for (hid, name, kind, since, birth, seq) in [
        ("JA001", "张一", "监测户", Some("202301"), "19700101", 11),
        ("JA002", "李二", "监测户", Some("202301"), "19710202", 21),
        ("JA003", "王三", "监测户", Some("202406"), "19720303", 31),
        ("JA004", "赵四", "一般农户", None, "19730404", 41),
    ] {
        let pid = id(birth, seq);
        s.push_str(&format!(
            "  - 户编号: {hid}\n    行政村: 甲村\n    户主姓名: {name}\n    户主证件号码: \"{pid}\"\n    户类型: {kind}\n    家庭人口数: 1\n"
        ));
        if let Some(m) = since {
            s.push_str(&format!("    识别监测时间: {m}\n"));
        }
        s.push_str(&format!(
            "    成员:\n      - {{姓名: {name}, 证件号码: \"{pid}\", 与户主关系: 户主, 性别: 男, 劳动能力: 有劳动能力}}\n"
        ));
    }
    s
}

fn workspace(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("campaign.yaml"), CAMPAIGN).unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

enum V {
    T(&'static str),
    D(i32, u32, u32),
}

/// A visits sheet as a village hands it in: a title row, a 填报单位 row, headers with aliases.
fn visits_workbook(rows: &[[V; 4]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("帮扶效果评估及遍访").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "甲村帮扶效果评估及党政主职遍访记录").unwrap();
    ws.write_string(1, 0, "填报单位：甲村").unwrap();
    for (c, h) in ["户编号", "走访类型", "走访日期", "走访情况"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 3, c as u16);
            match v {
                V::T(s) => ws.write_string(r, c, *s).unwrap(),
                V::D(y, m, d) => ws
                    .write_date_with_format(r, c, NaiveDate::from_ymd_opt(*y, *m, *d).unwrap(), &date)
                    .unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

fn json_rows(dir: &Path) -> Vec<serde_json::Value> {
    let (code, out, err) = fangpin(&["compliance", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn follow_up_rows(rows: &[serde_json::Value]) -> Vec<(String, String, String, String, i64)> {
    rows.iter()
        .filter(|r| matches!(r["规则"].as_str(), Some("季度帮扶效果评估" | "年度遍访")))
        .map(|r| {
            (
                r["户编号"].as_str().unwrap().to_string(),
                r["规则"].as_str().unwrap().to_string(),
                r["截止"].as_str().unwrap_or("").to_string(),
                r["状态"].as_str().unwrap().to_string(),
                r["天数"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn row(h: &str, rule: &str, due: &str, status: &str, days: i64) -> (String, String, String, String, i64) {
    (h.into(), rule.into(), due.into(), status.into(), days)
}

#[test]
fn s001_3_visits_sheet_drives_compliance_rows_and_check_findings() {
    use V::*;
    let book = visits_workbook(&[
        [T("JA001"), T("季度评估"), D(2024, 3, 10), T("措施落实，效果明显")],
        [T("JA001"), T("帮扶效果评估"), D(2024, 6, 10), T("收入稳定增长")],
        [T("JA001"), T("遍访"), D(2023, 11, 20), T("镇党委书记入户遍访")],
        [T("JA002"), T("入户遍访"), D(2023, 11, 21), T("镇长入户遍访")],
        // Dated after the run date: has not happened yet.
        [T("JA002"), T("评估"), D(2024, 7, 5), T("待评估")],
        [T("JA009"), T("评估"), D(2024, 6, 1), T("户编号写错")],
    ]);
    let dir = workspace(&[
        ("村级数据/甲村.yaml", households_yaml().as_bytes()),
        ("村级数据/甲村评估遍访.xlsx", &book),
    ]);
    let rows = json_rows(dir.path());
    assert_eq!(
        follow_up_rows(&rows),
        vec![
            row("JA002", "季度帮扶效果评估", "2024-03-31", "已逾期未完成", 91),
            row("JA002", "季度帮扶效果评估", "2024-06-30", "即将到期", 0),
        ]
    );
    for r in &rows {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        let mut expected = ["户编号", "户主姓名", "程序", "规则", "截止", "完成", "状态", "天数"];
        expected.sort();
        assert_eq!(keys, expected);
    }

    let (code, out, err) = fangpin(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("评估遍访记录 6"), "{out}");
    assert!(
        out.contains(
            "[警告] 甲村 李二（JA002） 季度帮扶效果评估：2024年第1季度（2024-01-01至2024-03-31）无帮扶效果评估记录"
        ),
        "{out}"
    );
    assert!(out.contains("修改建议：组织开展帮扶效果评估"), "{out}");
    assert!(
        out.contains("评估遍访户编号不存在") && out.contains("JA009") && out.contains("甲村评估遍访.xlsx"),
        "{out}"
    );
    assert!(!out.contains("未提供"), "{out}");

    // A day into the third quarter the second quarter's evaluation is overdue; JA003 (monitored
    // since 2024-06) is not due for it.
    let (_, out, _) = fangpin(&[
        "compliance",
        dir.path().to_str().unwrap(),
        "--json",
        "--as-of",
        "2024-07-01",
    ]);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // JA001 was evaluated on 2024-06-10; JA002's record of 2024-07-05 is still in the future.
    assert_eq!(
        follow_up_rows(&rows),
        vec![row("JA002", "季度帮扶效果评估", "2024-06-30", "已逾期未完成", 1)]
    );
}

#[test]
fn s001_3_visits_yaml_list_with_errors_at_their_line() {
    let mut yaml = households_yaml();
    yaml.push_str(
        "评估遍访:\n  - {户编号: JA001, 类型: 评估, 日期: 2024-03-10, 结论: 有效}\n  - {户编号: JA001, 类型: 评估, 日期: 2024-06-10}\n  - {户编号: JA001, 类型: 走访, 日期: 2023-11-20}\n  - {户编号: JA002, 类型: 评估, 日期: 2024-03-11}\n  - {户编号: JA002, 类型: 遍访, 日期: 2023-12-01}\n",
    );
    let dir = workspace(&[("村级数据/甲村.yaml", yaml.as_bytes())]);
    assert_eq!(
        follow_up_rows(&json_rows(dir.path())),
        vec![row("JA002", "季度帮扶效果评估", "2024-06-30", "即将到期", 0)]
    );

    // The same record twice, an unknown 类型 and an impossible date are errors with their place.
    yaml.push_str(
        "  - {户编号: JA002, 类型: 遍访, 日期: 2023-12-01}\n  - {户编号: JA002, 类型: 回访, 日期: 2024-06-01}\n  - {户编号: JA002, 类型: 评估, 日期: 2024-02-30}\n",
    );
    std::fs::write(dir.path().join("村级数据/甲村.yaml"), &yaml).unwrap();
    let line_of = |needle: &str| yaml.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (code, out, err) = fangpin(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    let all = format!("{out}{err}");
    let bad_kind = format!("甲村.yaml:{}", line_of("回访"));
    assert!(
        all.lines().any(|l| l.contains(&bad_kind)
            && l.contains("「类型」")
            && l.contains("“帮扶效果评估”（也可写季度评估、评估")
            && l.contains("“遍访”（也可写走访、入户遍访")),
        "{all}"
    );
    assert!(all.contains(&format!("甲村.yaml:{}", line_of("2024-02-30"))), "{all}");
    assert!(all.contains("同一条遍访（2023-12-01）记录登记了两次"), "{all}");
}

#[test]
fn s001_3_no_records_is_one_warning_not_a_row_per_household() {
    let dir = workspace(&[("村级数据/甲村.yaml", households_yaml().as_bytes())]);
    assert!(follow_up_rows(&json_rows(dir.path())).is_empty());
    let (code, out, err) = fangpin(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("评估遍访记录")).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("[警告]")
            && lines[0].contains("未提供帮扶效果评估和遍访记录，未核查季度帮扶效果评估和年度遍访")
            && lines[0].contains("修改建议"),
        "{}",
        lines[0]
    );

    // An office that keeps these records elsewhere switches the checks off.
    std::fs::write(
        dir.path().join("rules.yaml"),
        "评估遍访:\n  帮扶效果评估: {停用: true}\n  遍访: {停用: true}\n",
    )
    .unwrap();
    let (code, out, _) = fangpin(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(!out.contains("评估遍访记录"), "{out}");
}
