//! Ingest integration tests: workbooks built with rust_xlsxwriter into a temp workspace, YAML
//! fixtures from `tests/fixtures/ingest/`, exact problem lists with their places, fatal errors, and
//! the `fangpin check` binary's exit codes. All people are synthetic; IDs carry valid check digits
//! unless a test breaks one on purpose.

use chrono::NaiveDate;
use fangpin::ingest::{IngestError, PLAIN_FIELDS, load_workspace};
use fangpin::model::{Diagnostic, HouseholdType, Money, Severity, Stage, Workspace};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

/// A temp workspace holding a copy of a fixture folder.
fn workspace_from(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A workspace with only the clean fixture's campaign.yaml.
fn bare_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("clean/campaign.yaml"), dir.path().join("campaign.yaml")).unwrap();
    dir
}

fn load(dir: &Path) -> Workspace {
    match load_workspace(dir) {
        Ok(ws) => ws,
        Err(e) => panic!("workspace should load: {e}"),
    }
}

/// (severity, place, field) of every diagnostic, in order.
fn places(ws: &Workspace) -> Vec<(Severity, String, String)> {
    ws.diagnostics
        .iter()
        .map(|d| (d.severity, d.place.to_string(), d.field.clone()))
        .collect()
}

fn dump(ws: &Workspace) -> String {
    ws.diagnostics
        .iter()
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn row(ws: &mut Worksheet, r: u32, values: &[&str]) {
    for (c, v) in values.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
}

/// Merges column `col` over rows `first..=last` and writes `value` (number if it parses as one).
fn merged(ws: &mut Worksheet, first: u32, last: u32, col: u16, value: &str) {
    let fmt = Format::new();
    ws.merge_range(first, col, last, col, "", &fmt).unwrap();
    match value.parse::<f64>() {
        Ok(n) => ws.write_number(first, col, n).unwrap(),
        Err(_) => ws.write_string(first, col, value).unwrap(),
    };
}

// ------------------------------------------------------------------ the acceptance workbook

/// One-sheet layout with a title row, a 填报单位 row, vertically merged household cells, an ID held
/// in a number cell and a bad check digit; a 程序 sheet with 2024.5.11, 2024年5月11日, 2024-02-30,
/// a yyyymmdd number, a date cell and an Excel serial.
fn write_acceptance_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("户信息").unwrap();
    s.merge_range(0, 0, 0, 11, "甲村防止返贫监测对象信息表", &Format::new())
        .unwrap();
    row(
        s,
        1,
        &["填报单位：甲村村委会", "", "", "", "", "", "填报日期：2024年6月1日"],
    );
    row(
        s,
        2,
        &[
            "序号",
            "户编号",
            "村",
            "组",
            "户主姓名",
            "户类型",
            "家庭人口数",
            "人均纯收入（元）",
            "姓名",
            "身份证号",
            "与户主关系",
            "性别",
        ],
    );
    // Household J001 over rows 4–6.
    for (col, v) in [
        (0, "1"),
        (1, "J001"),
        (2, "甲村"),
        (3, "一组"),
        (4, "李四"),
        (5, "脱贫户"),
        (6, "3"),
        (7, "9500"),
    ] {
        merged(s, 3, 5, col, v);
    }
    row(
        s,
        3,
        &[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "李四",
            "530926195801010313",
            "户主",
            "男",
        ],
    );
    row(
        s,
        4,
        &[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "王芳",
            "530926196811110240",
            "配偶",
            "女",
        ],
    );
    // Check digit should be 5.
    row(
        s,
        5,
        &[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "李小",
            "530926199505050416",
            "之子",
            "男",
        ],
    );
    // Household J002 over rows 7–8.
    for (col, v) in [
        (0, "2"),
        (1, "J002"),
        (2, "甲村"),
        (3, "二组"),
        (4, "周五"),
        (5, "一般农户"),
        (6, "2"),
    ] {
        merged(s, 6, 7, col, v);
    }
    s.merge_range(6, 7, 7, 7, "7,800元", &Format::new()).unwrap();
    row(
        s,
        6,
        &[
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "周五",
            "530926196507070133",
            "户主",
            "男",
        ],
    );
    row(s, 7, &["", "", "", "", "", "", "", "", "吴六", "", "配偶", "女"]);
    // The ID typed into a General cell: Excel keeps 15 significant digits.
    s.write_number(7, 9, 530926199102010443.0).unwrap();

    let p = wb.add_worksheet();
    p.set_name("程序").unwrap();
    row(p, 0, &["程序办理情况"]);
    row(
        p,
        1,
        &[
            "户编号",
            "程序类型",
            "线索来源",
            "发现线索",
            "入户核实",
            "村级评议",
            "公示开始",
            "公示结束",
            "乡镇审核",
        ],
    );
    row(
        p,
        2,
        &[
            "J001",
            "识别纳入",
            "部门预警",
            "2024.5.11",
            "2024年5月11日",
            "2024-02-30",
        ],
    );
    p.write_number(2, 6, 20240515.0).unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    p.write_datetime_with_format(2, 7, date(2024, 5, 21), &date_fmt)
        .unwrap();
    // Excel serial of 2024-05-23 in a General cell.
    p.write_number(2, 8, 45435.0).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn acceptance_workbook_yields_exactly_the_expected_problems() {
    let dir = bare_workspace();
    write_acceptance_workbook(&dir.path().join("甲村.xlsx"));
    let ws = load(dir.path());
    assert_eq!(
        places(&ws),
        vec![
            (
                Severity::Error,
                "甲村.xlsx › 户信息 › J6".to_string(),
                "证件号码".to_string()
            ),
            (
                Severity::Error,
                "甲村.xlsx › 户信息 › J8".to_string(),
                "证件号码".to_string()
            ),
            (
                Severity::Error,
                "甲村.xlsx › 程序 › F3".to_string(),
                "村级评议".to_string()
            ),
        ],
        "{}",
        dump(&ws)
    );
    let d = &ws.diagnostics;
    assert_eq!(d[0].value, "530926199505050416");
    assert!(
        d[0].message.contains("校验位") && d[0].message.contains("末位应为5"),
        "{}",
        d[0]
    );
    assert_eq!(d[1].value, "5.30926E+17");
    assert!(d[1].message.contains("数字") && d[1].fix.contains("文本"), "{}", d[1]);
    assert_eq!(d[2].value, "2024-02-30");
    assert!(d[2].message.contains("2024年2月只有29天"), "{}", d[2]);

    // Merged household cells applied to every member row.
    let hs = &ws.data.households;
    assert_eq!(hs.len(), 2);
    assert_eq!(
        (hs[0].id.as_str(), hs[0].village.as_str(), hs[0].group.as_str()),
        ("J001", "甲村", "一组")
    );
    assert_eq!(hs[0].kind, HouseholdType::Lifted);
    assert_eq!(hs[0].members.len(), 3);
    assert!(hs[0].members.iter().all(|m| m.household_id == "J001"));
    assert_eq!(
        hs[0].head_id, "530926195801010313",
        "head ID taken from the 户主 member row"
    );
    assert_eq!(hs[0].income.per_capita, Some(Money::from_yuan(9500)));
    assert_eq!(hs[1].income.per_capita, Some(Money::from_yuan(7800)));
    assert_eq!(hs[1].members.len(), 2);
    assert_eq!(hs[0].place.to_string(), "甲村.xlsx › 户信息 › A4");

    let p = &ws.data.procedures[0];
    assert_eq!(p.date(Stage::LeadFound), Some(date(2024, 5, 11)));
    assert_eq!(p.date(Stage::HomeVisit), Some(date(2024, 5, 11)));
    assert_eq!(p.date(Stage::VillageReview), None);
    assert_eq!(p.date(Stage::PublicityStart), Some(date(2024, 5, 15)));
    assert_eq!(p.date(Stage::PublicityEnd), Some(date(2024, 5, 21)));
    assert_eq!(p.date(Stage::TownshipReview), Some(date(2024, 5, 23)));
    assert_eq!(p.lead_source.as_deref(), Some("部门预警"));

    let input = ws.inputs.iter().find(|f| f.path == "甲村.xlsx").unwrap();
    assert_eq!(input.rows, 6);
    assert_eq!(input.sha256.len(), 64);
}

// ------------------------------------------------------------------ a clean workspace

/// Two-sheet layout (户 + 成员) with a two-level header, a column-number row and a 合计 row.
fn write_two_sheet_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let h = wb.add_worksheet();
    h.set_name("农户").unwrap();
    row(h, 0, &["丁村农户基本信息表"]);
    let heads = ["户编号", "行政村", "户主姓名", "户主身份证号", "户类型", "家庭人口数"];
    for (c, v) in heads.iter().enumerate() {
        h.merge_range(1, c as u16, 2, c as u16, v, &Format::new()).unwrap();
    }
    h.merge_range(1, 6, 1, 7, "家庭收入（元）", &Format::new()).unwrap();
    row(h, 2, &["", "", "", "", "", "", "工资性收入", "转移性收入"]);
    h.merge_range(1, 8, 2, 8, "风险类型", &Format::new()).unwrap();
    row(
        h,
        3,
        &[
            "D001",
            "丁村",
            "陈七",
            "530926198001010714",
            "一般农户",
            "3",
            "",
            "",
            "因学、因债务",
        ],
    );
    h.write_number(3, 6, 24000.0).unwrap();
    h.write_number(3, 7, 1200.5).unwrap();
    row(h, 4, &["D002", "丁村", "林八", "530926198202020820", "脱贫户", "1"]);
    row(h, 5, &["合计", "", "", "", "", "4"]);

    let m = wb.add_worksheet();
    m.set_name("家庭成员").unwrap();
    row(
        m,
        0,
        &[
            "户编号",
            "姓名",
            "证件号码",
            "与户主关系",
            "性别",
            "劳动能力",
            "在校生状况",
        ],
    );
    for (c, n) in (1..=7).enumerate() {
        m.write_number(1, c as u16, n as f64).unwrap();
    }
    row(
        m,
        2,
        &["D001", "陈七", "530926198001010714", "户主", "男", "有劳动能力", ""],
    );
    row(
        m,
        3,
        &["D001", "何九", "530926198202020820", "配偶", "女", "有劳动能力", ""],
    );
    row(
        m,
        4,
        &[
            "D001",
            "陈小七",
            "530926201203030910",
            "之子",
            "男",
            "无劳动能力",
            "义务教育",
        ],
    );
    wb.save(path).unwrap();
}

#[test]
fn clean_workspace_two_sheet_xlsx_and_yaml() {
    let dir = workspace_from("clean");
    write_two_sheet_workbook(&dir.path().join("丁村.xlsx"));
    // Files that must be skipped.
    std::fs::create_dir_all(dir.path().join("output")).unwrap();
    std::fs::write(dir.path().join("output/坏.yaml"), "户: [").unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/x.yaml"), "户: [").unwrap();
    std::fs::write(dir.path().join("~$丁村.xlsx"), b"lock").unwrap();
    std::fs::write(dir.path().join("说明.txt"), "not data").unwrap();

    let ws = load(dir.path());
    // D002 (林八) has no member rows, so its 家庭人口数 gets the only warning.
    assert_eq!(
        places(&ws),
        vec![(
            Severity::Warning,
            "丁村.xlsx › 农户 › F5".to_string(),
            "家庭人口数".to_string()
        )],
        "{}",
        dump(&ws)
    );
    let paths: Vec<&str> = ws.inputs.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["campaign.yaml", "rules.yaml", "丁村.xlsx", "乙村.yaml"]);

    let d = &ws.data;
    assert_eq!(d.households.len(), 4);
    assert_eq!(d.member_count(), 6);
    assert_eq!(d.procedures.len(), 1);
    assert_eq!(d.measures.len(), 1);
    assert_eq!(d.problems.len(), 2);
    assert_eq!(d.milestone_reports.len(), 2);

    let d001 = d.household("D001").unwrap();
    assert_eq!(d001.income.wage, Some(Money(2_400_000)));
    assert_eq!(d001.income.transfer, Some(Money(120_050)));
    assert_eq!(d001.risks, ["因学", "因债"], "rules.yaml extends the vocabulary");
    assert_eq!(d001.members.len(), 3);

    let y001 = d.household("Y001").unwrap();
    assert_eq!(y001.income.wage, Some(Money::from_yuan(12_000)));
    assert_eq!(y001.income.business, Some(Money::from_yuan(3_000)));
    assert_eq!(y001.income.transfer, Some(Money::from_yuan(2_000)));
    assert_eq!(y001.risks, ["因病", "因残"]);
    assert_eq!(y001.members.len(), 2);
    assert!(y001.members[1].severe_disability);
    let y002 = d.household("Y002").unwrap();
    assert_eq!(y002.head_id, "53092619900101033X");
    assert_eq!(y002.members[0].name, "孙三");

    // A problem given only 户主姓名 is matched by name within its village.
    let p = &d.problems[0];
    assert_eq!(p.household_id.as_deref(), Some("Y002"));
    assert_eq!(d.problems[1].village, None);
    let proc_ = &d.procedures[0];
    assert_eq!(proc_.date(Stage::PublicityStart), Some(date(2024, 5, 10)));
    assert_eq!(proc_.date(Stage::PublicityEnd), Some(date(2024, 5, 16)));
    assert_eq!(d.measures[0].category, "公益岗位");
    assert_eq!(ws.rules.vocab.risk_type("债务负担"), Some("因债"));
}

// ------------------------------------------------------------------ YAML problems

#[test]
fn yaml_errors_are_listed_with_line_and_column() {
    let dir = workspace_from("errors");
    let ws = load(dir.path());
    let got: Vec<String> = ws
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {}", d.severity.label(), d.place, d.field))
        .collect();
    let expected = [
        "错误 丙村.yaml:4:5 行政村",
        "错误 丙村.yaml:5:5 户主证件号码",
        "错误 丙村.yaml:6:5 户类型",
        "错误 丙村.yaml:7:5 工资性收入",
        "错误 丙村.yaml:8:5 转移性收入",
        "错误 丙村.yaml:9:5 风险类型",
        "警告 丙村.yaml:10:5 ",
        "错误 丙村.yaml:11:5 收入达标起始日期",
        "警告 丙村.yaml:12:5 家庭人口数",
        "错误 丙村.yaml:14:9 证件号码",
        "警告 丙村.yaml:19:9 性别",
        "错误 丙村.yaml:20:9 与户主关系",
        "错误 丙村.yaml:29:18 证件号码",
        "错误 丙村.yaml:30:5 户编号",
        "错误 丙村.yaml:45:6 户编号",
        "错误 丙村.yaml:48:5 程序类型",
        "错误 丙村.yaml:49:5 线索来源",
        "错误 丙村.yaml:50:5 公示开始",
        "错误 丙村.yaml:51:5 县级审批",
        "错误 丙村.yaml:53:17 措施类别",
        "错误 丙村.yaml:56:5 户主姓名",
        "错误 丙村.yaml:62:25 问题类型",
        "错误 丙村.yaml:62:67 整改时限",
        "错误 丙村.yaml:64:14 节点",
        "错误 丙村.yaml:65:1 ",
    ];
    assert_eq!(got, expected, "{}", dump(&ws));
    let by_field = |line: usize| ws.diagnostics.iter().find(|d| d.place.line == Some(line)).unwrap();
    assert!(by_field(6).fix.contains("脱贫户、监测户、一般农户"));
    assert!(by_field(7).message.contains("负数"));
    assert!(by_field(9).fix.contains("因务工就业不稳"));
    assert!(by_field(10).message.contains("无法识别的键“颜色”"));
    assert!(by_field(12).message.contains("家庭人口数为5，但列出了3名成员"));
    assert!(by_field(5).message.contains("末位应为8"));
    assert!(by_field(14).message.contains("应为18位"));
    assert!(by_field(29).message.contains("也出现在户 B001 中（丙村.yaml:22:9）"));
    assert!(by_field(45).message.contains("找不到户编号 B999"));
    assert!(by_field(50).message.contains("2024年2月只有29天"));
    assert!(by_field(51).message.contains("无法识别的日期"));
    assert!(
        by_field(56)
            .message
            .contains("丙村有2户户主都叫丙七（户编号 B003、B004）")
    );
    assert!(by_field(64).fix.contains("开展集中排查、提交总结报告"));
    assert!(by_field(65).message.contains("未知的顶层键"));
    // Records with errors in key fields are not half-loaded.
    assert_eq!(ws.data.households.len(), 4);
    assert!(ws.data.procedures.is_empty() && ws.data.measures.is_empty() && ws.data.problems.is_empty());
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let dir = bare_workspace();
    std::fs::write(dir.path().join("坏.yaml"), "户:\n  - 户编号: B1\n    行政村: [丙村\n").unwrap();
    let ws = load(dir.path());
    assert_eq!(ws.diagnostics.len(), 1, "{}", dump(&ws));
    let d = &ws.diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.place.file, "坏.yaml");
    assert!(d.place.line.is_some() && d.place.column.is_some());
    assert!(d.message.contains("YAML 格式错误"));
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let dir = bare_workspace();
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 { "a".to_string() } else { format!("a{}", i - 1) };
        s.push_str(&format!(
            "a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    s.push_str("户: *a11\n");
    std::fs::write(dir.path().join("炸弹.yaml"), s).unwrap();
    let ws = load(dir.path());
    assert!(ws.has_errors());
    assert!(
        ws.diagnostics.iter().all(|d| d.place.file == "炸弹.yaml"),
        "{}",
        dump(&ws)
    );
}

// ------------------------------------------------------------------ workbook problems

#[test]
fn workbook_error_kinds() {
    let dir = bare_workspace();
    // 甲村.xlsx: repeated (not merged) household columns that disagree, unknown header, formula
    // error, sex mismatch, member of an unknown household, an empty data sheet, a missing column.
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("户及成员").unwrap();
    row(
        s,
        0,
        &[
            "户编号",
            "行政村",
            "户主姓名",
            "户类型",
            "家庭人口数",
            "颜色",
            "姓名",
            "证件号码",
            "与户主关系",
            "性别",
        ],
    );
    row(
        s,
        1,
        &[
            "A1",
            "甲村",
            "郑一",
            "脱贫户",
            "2",
            "红",
            "郑一",
            "530926197003150118",
            "户主",
            "男",
        ],
    );
    row(
        s,
        2,
        &[
            "A1",
            "甲村",
            "郑二",
            "脱贫户",
            "2",
            "",
            "郑二",
            "530926197208080221",
            "配偶",
            "男",
        ],
    );
    row(
        s,
        3,
        &[
            "A2",
            "甲村",
            "冯三",
            "一般农户",
            "",
            "",
            "冯三",
            "530926195801010313",
            "户主",
            "男",
        ],
    );
    s.write_formula(3, 4, rust_xlsxwriter::Formula::new("=#REF!+1").set_result("#REF!"))
        .unwrap();
    let m = wb.add_worksheet();
    m.set_name("成员").unwrap();
    row(m, 0, &["户编号", "姓名", "证件号码", "与户主关系"]);
    row(m, 1, &["A9", "褚四", "530926199505050415", "之子"]);
    // Same person as 郑二 in another household.
    row(m, 2, &["A2", "郑二", "530926197208080221", "配偶"]);
    let e = wb.add_worksheet();
    e.set_name("措施").unwrap();
    row(e, 0, &["户编号", "措施类别", "具体措施", "落实日期"]);
    let x = wb.add_worksheet();
    x.set_name("问题").unwrap();
    row(x, 0, &["村", "户主姓名", "问题类型", "具体内容", "整改措施", "责任人"]);
    row(x, 1, &["甲村", "郑一", "住房安全", "漏雨", "维修", "张干部"]);
    let n = wb.add_worksheet();
    n.set_name("统计表").unwrap();
    row(n, 0, &["本表数据见附表"]);
    // The template's instructions sheet is not reported.
    let i = wb.add_worksheet();
    i.set_name("填写说明").unwrap();
    row(i, 0, &["填表说明：本表由村委会填写"]);
    wb.save(dir.path().join("甲村.xlsx")).unwrap();

    // 辛村.xlsx (read after 甲村.xlsx) repeats 户编号 A1.
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    row(
        s,
        0,
        &["户编号", "行政村", "户主姓名", "户主证件号码", "户类型", "家庭人口数"],
    );
    row(s, 1, &["A1", "乙村", "卫五", "530926199606060524", "脱贫户", "1"]);
    wb.save(dir.path().join("辛村.xlsx")).unwrap();
    // A corrupt workbook.
    std::fs::write(dir.path().join("坏表.xlsx"), b"PK\x03\x04 this is not a workbook").unwrap();

    let ws = load(dir.path());
    let got: Vec<String> = ws
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {}", d.severity.label(), d.place, d.field))
        .collect();
    assert_eq!(
        got,
        [
            "错误 坏表.xlsx ",
            "错误 甲村.xlsx › 成员 › A2 户编号",
            "错误 甲村.xlsx › 成员 › C3 证件号码",
            "警告 甲村.xlsx › 户及成员 › F1 ",
            "错误 甲村.xlsx › 户及成员 › C3 户主姓名",
            "警告 甲村.xlsx › 户及成员 › J3 性别",
            "错误 甲村.xlsx › 户及成员 › E4 家庭人口数",
            "警告 甲村.xlsx › 措施 ",
            "警告 甲村.xlsx › 统计表 ",
            "错误 甲村.xlsx › 问题 › A1 ",
            "错误 辛村.xlsx › Sheet1 › A2 户编号",
        ],
        "{}",
        dump(&ws)
    );
    let find = |p: &str| ws.diagnostics.iter().find(|d| d.place.to_string() == p).unwrap();
    assert!(
        find("甲村.xlsx › 户及成员 › F1")
            .message
            .contains("无法识别的表头“颜色”")
    );
    assert!(
        find("甲村.xlsx › 户及成员 › C3")
            .message
            .contains("该户第一行（C2）为“郑一”")
    );
    assert!(find("甲村.xlsx › 户及成员 › E4").message.contains("#REF!"));
    assert!(find("甲村.xlsx › 户及成员 › J3").message.contains("应为女"));
    assert!(find("甲村.xlsx › 成员 › A2").message.contains("找不到户编号 A9"));
    assert!(
        find("甲村.xlsx › 成员 › C3")
            .message
            .contains("也出现在户 A1 中（甲村.xlsx › 户及成员 › H3）")
    );
    assert!(find("甲村.xlsx › 措施").message.contains("没有数据行"));
    assert!(
        find("甲村.xlsx › 问题 › A1")
            .message
            .contains("缺少必填列：「整改时限」")
    );
    assert!(
        find("辛村.xlsx › Sheet1 › A2")
            .message
            .contains("另一文件中已有此户（甲村.xlsx › 户及成员 › A2）")
    );
    assert!(find("坏表.xlsx").message.contains("无法打开"));
}

// ------------------------------------------------------------------ fatal errors

#[test]
fn fatal_errors_name_the_fix() {
    let missing = load_workspace(Path::new("/nonexistent/fangpin-test"));
    assert!(matches!(missing, Err(IngestError::RootMissing(_))));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(load_workspace(&file), Err(IngestError::RootNotDir(_))));

    let e = load_workspace(dir.path()).unwrap_err();
    assert!(matches!(e, IngestError::CampaignMissing(_)));
    assert!(e.to_string().contains("创建 campaign.yaml"));

    std::fs::write(dir.path().join("campaign.yaml"), "名称: x\n年度: 24\n颜色: 红\n").unwrap();
    let e = load_workspace(dir.path()).unwrap_err();
    let IngestError::Campaign(d) = &e else { panic!("{e}") };
    assert_eq!(d.len(), 4, "{e}");
    let text = e.to_string();
    assert!(text.contains("campaign.yaml:2:1 「年度」"), "{text}");
    assert!(text.contains("缺少必填项“地区”"), "{text}");
    assert!(text.contains("缺少必填项“监测范围”"), "{text}");

    std::fs::copy(fixture("clean/campaign.yaml"), dir.path().join("campaign.yaml")).unwrap();
    std::fs::write(dir.path().join("rules.yaml"), "词表:\n  风险类型: 因病\n").unwrap();
    let e = load_workspace(dir.path()).unwrap_err();
    assert!(matches!(e, IngestError::Rules(_)), "{e}");
    assert!(e.to_string().contains("rules.yaml:2:"), "{e}");
}

// ------------------------------------------------------------------ the binary

fn check(dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fangpin"))
        .arg("check")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_exit_codes() {
    let clean = workspace_from("clean");
    let (code, out, err) = check(clean.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("户 2，成员 3，程序 1，帮扶措施 1，问题 2，进度报告 2"),
        "{out}"
    );
    assert!(out.contains("乙村：户 2，成员 3"), "{out}");
    assert!(out.contains("核查通过"), "{out}");

    let bad = workspace_from("errors");
    let (code, out, _) = check(bad.path());
    assert_eq!(code, 2);
    assert!(out.contains("[错误] 丙村.yaml:6:5 「户类型」 值“外星户”"), "{out}");

    let (code, _, err) = check(Path::new("/nonexistent/fangpin-test"));
    assert_eq!(code, 2);
    assert!(err.contains("不存在"), "{err}");
}

#[test]
fn sample_workspace_checks_clean() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let ws = load(&data);
    assert!(
        ws.diagnostics.iter().all(|d| d.severity == Severity::Warning),
        "{}",
        dump(&ws)
    );
    assert!(!ws.has_errors(), "{}", dump(&ws));
    assert!(ws.data.households.len() >= 60);
    assert!(ws.data.member_count() >= 200);
    let (code, out, err) = check(&data);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn readme_lists_every_header_alias() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for f in PLAIN_FIELDS {
        let prefix = format!("| {} |", f.label());
        let Some(line) = readme.lines().find(|l| l.starts_with(&prefix)) else {
            panic!("README lacks a row for {}", f.label())
        };
        for a in f.aliases() {
            assert!(
                line.split(['|', '、']).any(|cell| cell.trim() == *a),
                "README row {} lacks alias {a}",
                f.label()
            );
        }
    }
    for s in Stage::ALL {
        assert!(
            readme.lines().any(|l| l.starts_with(&format!("| {} |", s.label()))),
            "README lacks stage {}",
            s.label()
        );
    }
}

// ------------------------------------------------------------------ speed

/// 100,000 member rows in the one-sheet layout (25,000 households, household columns merged over
/// their 4 rows). Run: `cargo test --release --test ingest -- --ignored --nocapture`.
#[test]
#[ignore = "speed measurement; run explicitly in release"]
fn ingest_100k_row_workbook() {
    const HOUSEHOLDS: u32 = 25_000;
    const PER: u32 = 4;
    let dir = bare_workspace();
    let path = dir.path().join("大村.xlsx");
    // FANGPIN_SPEED_XLSX=path keeps the generated workbook there and reuses it (for profiling).
    let keep = std::env::var_os("FANGPIN_SPEED_XLSX").map(PathBuf::from);
    let t = std::time::Instant::now();
    if let Some(k) = keep.as_ref().filter(|k| k.exists()) {
        std::fs::copy(k, &path).unwrap();
    } else {
        let mut wb = Workbook::new();
        let s = wb.add_worksheet();
        s.set_name("户及成员").unwrap();
        row(s, 0, &["大村防止返贫监测信息表"]);
        row(
            s,
            1,
            &[
                "户编号",
                "行政村",
                "组",
                "户主姓名",
                "户类型",
                "家庭人口数",
                "工资性收入",
                "转移性收入",
                "风险类型",
                "姓名",
                "证件号码",
                "与户主关系",
                "性别",
                "劳动能力",
            ],
        );
        let fmt = Format::new();
        let epoch = date(1950, 1, 1);
        for h in 0..HOUSEHOLDS {
            let r0 = 2 + h * PER;
            let r1 = r0 + PER - 1;
            let head = format!("户主{h}");
            for (col, v) in [
                (0, format!("H{h:06}")),
                (1, "大村".into()),
                (2, format!("{}组", h % 9 + 1)),
                (3, head.clone()),
                (4, "一般农户".into()),
                (5, PER.to_string()),
                (8, "因病、因学".into()),
            ] {
                s.merge_range(r0, col, r1, col, &v, &fmt).unwrap();
            }
            s.merge_range(r0, 6, r1, 6, "", &fmt).unwrap();
            s.write_number(r0, 6, 18_000.0 + f64::from(h % 1000)).unwrap();
            s.merge_range(r0, 7, r1, 7, "", &fmt).unwrap();
            s.write_number(r0, 7, 1_200.5).unwrap();
            for m in 0..PER {
                let i = h * PER + m;
                let birth = epoch + chrono::Duration::days(i64::from(i / 1000));
                let first17 = format!("530926{}{:03}", birth.format("%Y%m%d"), i % 1000);
                let id = format!("{first17}{}", fangpin::ingest::id_check_digit(&first17).unwrap());
                let sex = if (i % 1000) % 2 == 1 { "男" } else { "女" };
                let name = if m == 0 { head.clone() } else { format!("成员{i}") };
                let rel = if m == 0 { "户主" } else { "子女" };
                row(
                    s,
                    r0 + m,
                    &["", "", "", "", "", "", "", "", "", &name, &id, rel, sex, "有劳动能力"],
                );
            }
        }
        wb.save(&path).unwrap();
        if let Some(k) = &keep {
            std::fs::copy(&path, k).unwrap();
        }
    }
    let written = t.elapsed();
    let cpu0 = cpu_seconds();
    let t = std::time::Instant::now();
    let ws = load(dir.path());
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    assert!(
        !ws.has_errors(),
        "{}",
        ws.diagnostics
            .iter()
            .take(5)
            .map(Diagnostic::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(ws.data.households.len(), HOUSEHOLDS as usize);
    assert_eq!(ws.data.member_count(), (HOUSEHOLDS * PER) as usize);
    let rows = f64::from(HOUSEHOLDS * PER);
    println!(
        "wrote {} rows in {:.2}s; ingest {:.2}s wall = {:.0} rows/s, {:.2}s CPU (all threads) ({} bytes)",
        rows,
        written.as_secs_f64(),
        secs,
        rows / secs,
        cpu,
        std::fs::metadata(&path).unwrap().len()
    );
}

/// User + system CPU time of this process so far (Linux; 0 elsewhere), to measure on a busy machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    // Clock ticks are 100 per second on Linux.
    f.iter().sum::<f64>() / 100.0
}
