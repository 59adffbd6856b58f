//! National-system exports and department rosters (issue 16): workspaces made of a generated
//! 防止返贫致贫监测对象信息 export, a 脱贫户信息 export, rosters under 部门数据/ and (mixed) a village
//! workbook with fangpin's own 户, 程序, 问题 and 进度 sheets. All people are synthetic.

mod common;

use common::national::{ExportHousehold, Person, RosterRow, id, write_export, write_roster};
use common::{command, run_command};
use fangpin::ingest::load_workspace;
use fangpin::model::{Diagnostic, HouseholdType, MonitorCategory, PartialDate, RosterKind, Stage, Workspace};
use rust_xlsxwriter::Workbook;
use std::path::Path;
use std::time::Duration;

const CAMPAIGN: &str = "名称: 2024年测试乡集中排查
年度: 2024
地区: {省: 测试省, 县: 测试县, 乡镇: 测试乡}
监测范围: 8300
统计截止日: 2024-06-30
时间安排:
  - {节点: 开展集中排查, 截止: 2024-06-05}
  - {节点: 提交总结报告, 截止: 2024-06-20}
";

const H1: &str = "5309260010010001";
const H2: &str = "5309260010010002";
const H3: &str = "5309260010010003";
const H4: &str = "5309260010010004";

fn p(name: &str, id: String, relation: &'static str, sex: &'static str) -> Person {
    Person::new(name, id, relation, sex)
}

/// H1: monitored 脱贫不稳定户 (a 20-character 残疾人证号, 之子 at school); H2: 普通农户 whose risk is
/// eliminated (a 22-character number); H3: 突发严重困难户.
fn monitored() -> Vec<ExportHousehold> {
    let mut mother = p("玉罕", format!("{}42", id("530926", "19450404", 12)), "之母", "女");
    mother.id_type = "残疾人证";
    mother.labour = "丧失劳动力";
    mother.health = "残疾";
    let mut son = p("岩保", id("530926", "20150303", 11), "之子", "男");
    son.schooling = "小学";
    son.labour = "无劳动力";
    let mut daughter = p("玉应", format!("{}13B1", id("530926", "19980505", 22)), "之女", "女");
    daughter.id_type = "残疾人证";
    daughter.labour = "弱劳动力或半劳动力";
    vec![
        ExportHousehold {
            hid: H1.into(),
            village: "新寨村".into(),
            group: "1组".into(),
            kind: "脱贫户",
            category: "脱贫不稳定户",
            eliminated: false,
            since: "202304",
            eliminated_on: "",
            risks: vec!["因病", "因学"],
            measures: vec![("就业帮扶", "技能培训,其他"), ("健康帮扶", "医疗救助")],
            income: (12_000, 6_000, 6_000),
            members: vec![
                p("岩温", id("530926", "19700101", 11), "户主", "男"),
                p("玉香", id("530926", "19720202", 12), "配偶", "女"),
                son,
                mother,
            ],
        },
        ExportHousehold {
            hid: H2.into(),
            village: "新寨村".into(),
            group: "2组".into(),
            kind: "普通农户",
            category: "边缘易致贫户",
            eliminated: true,
            since: "202209",
            eliminated_on: "202312",
            risks: vec!["因灾", "住房出现安全问题"],
            measures: vec![("产业帮扶", "种植业,养殖业"), ("住房安全保障", "危房改造")],
            income: (20_000, 10_000, 3_000),
            members: vec![
                p("岩坎", id("530926", "19680606", 21), "户主", "男"),
                daughter,
                p("岩罕", id("530926", "20200707", 21), "之孙子", "男"),
            ],
        },
        ExportHousehold {
            hid: H3.into(),
            village: "老寨村".into(),
            group: "1组".into(),
            kind: "普通农户",
            category: "突发严重困难户",
            eliminated: false,
            since: "202401",
            eliminated_on: "",
            risks: vec!["因意外事故"],
            measures: vec![
                ("金融帮扶", "小额信贷"),
                ("公益岗位帮扶", "护林员"),
                ("生产生活条件改善", "户厕改造"),
            ],
            income: (9_000, 6_000, 3_000),
            members: vec![
                p("岩光", id("530926", "19750808", 31), "户主", "男"),
                p("玉叫", id("530926", "19990909", 32), "之儿媳", "女"),
                p("岩龙", id("530926", "19501010", 31), "之父", "男"),
            ],
        },
    ]
}

/// The 脱贫户信息 export: H4 (a 脱贫户 never monitored) and H1 again (a 脱贫不稳定户 is a 脱贫户 too).
fn lifted() -> Vec<ExportHousehold> {
    let mut h1 = monitored().remove(0);
    h1.category = "";
    vec![
        h1,
        ExportHousehold {
            hid: H4.into(),
            village: "老寨村".into(),
            group: "2组".into(),
            kind: "脱贫户",
            category: "",
            eliminated: false,
            since: "",
            eliminated_on: "",
            risks: vec![],
            measures: vec![("产业帮扶", "种植业")],
            income: (20_000, 8_000, 2_000),
            members: vec![
                p("岩帕", id("530926", "19650101", 41), "户主", "男"),
                p("玉波", id("530926", "19670202", 42), "配偶", "女"),
            ],
        },
    ]
}

fn roster(name: &str, id: String, since: &str) -> RosterRow {
    RosterRow {
        name: name.into(),
        id,
        since: since.into(),
        category: String::new(),
        grade: String::new(),
    }
}

/// Rosters under 部门数据/: 低保 (H1's head, H4's spouse — not monitored — and a stranger),
/// 特困 (H3's head under another name), 持证残疾人 (H4's head, 一级).
fn write_rosters(ws: &Path) {
    write_roster(
        &ws.join("部门数据/农村低保备案表.xlsx"),
        "农村低保备案表",
        "2024-06-12 09:30:00",
        false,
        &[
            roster("岩温", id("530926", "19700101", 11), "2024-03-15"),
            roster("玉波", id("530926", "19670202", 42), "202402"),
            roster("张外人", id("530926", "19800101", 99), "2024-01-10"),
        ],
    );
    write_roster(
        &ws.join("部门数据/城乡特困人员备案表.xlsx"),
        "城乡特困人员备案表",
        "2024-06-11",
        false,
        &[roster("岩光明", id("530926", "19750808", 31), "2024-05-20")],
    );
    write_roster(
        &ws.join("部门数据/持证残疾人名单.xlsx"),
        "持证残疾人名单",
        "2024-06-10",
        true,
        &[RosterRow {
            name: "岩帕".into(),
            id: format!("{}11", id("530926", "19650101", 41)),
            since: "2010-05-01".into(),
            category: "视力残疾".into(),
            grade: "一级".into(),
        }],
    );
}

fn national_workspace(dir: &Path) {
    std::fs::write(dir.join("campaign.yaml"), CAMPAIGN).unwrap();
    write_export(
        &dir.join("系统导出/防止返贫致贫监测对象信息_20240612-风险未消除2人.xlsx"),
        common::national::Export::Monitoring,
        "2024-06-12 10:11:12",
        &monitored(),
    );
    write_export(
        &dir.join("系统导出/脱贫户信息_20240612.xlsx"),
        common::national::Export::Lifted,
        "2024-06-12 10:20:00",
        &lifted(),
    );
    write_rosters(dir);
}

fn load(dir: &Path) -> Workspace {
    load_workspace(dir).unwrap_or_else(|e| panic!("workspace should load: {e}"))
}

fn errors(ws: &Workspace) -> Vec<String> {
    ws.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::to_string)
        .collect()
}

fn with<'a>(ws: &'a Workspace, text: &str) -> Vec<&'a Diagnostic> {
    ws.diagnostics.iter().filter(|d| d.message.contains(text)).collect()
}

#[test]
fn exports_are_read_as_they_come() {
    let tmp = tempfile::tempdir().unwrap();
    national_workspace(tmp.path());
    let ws = load(tmp.path());
    assert!(errors(&ws).is_empty(), "{:#?}", errors(&ws));

    // Every household once (H1 is in both exports), every person once.
    let mut ids: Vec<&str> = ws.data.households.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [H1, H2, H3, H4]);
    assert_eq!(ws.data.member_count(), 4 + 3 + 3 + 2);

    let h1 = ws.data.household(H1).unwrap();
    assert_eq!(h1.kind, HouseholdType::Monitored);
    assert_eq!(h1.monitor_category, Some(MonitorCategory::Unstable));
    assert_eq!(h1.monitored_since, PartialDate::month(2023, 4));
    assert_eq!(h1.eliminated_on, None);
    assert_eq!(h1.risks, ["因病", "因学"]);
    assert_eq!(h1.head_name, "岩温");
    assert_eq!(h1.head_id, id("530926", "19700101", 11));
    assert_eq!(h1.size, 4);
    let relations: Vec<&str> = h1.members.iter().map(|m| m.relation.as_str()).collect();
    assert_eq!(relations, ["户主", "配偶", "子", "母亲"]);
    let son = &h1.members[2];
    assert_eq!(son.schooling.as_deref(), Some("小学"));
    assert_eq!(son.labour, Some(fangpin::model::LabourCapacity::None));
    // A 20-character 残疾人证号: the ID is its first 18, the suffix 42 is 肢体二级 (重度).
    let mother = &h1.members[3];
    assert_eq!(mother.id, id("530926", "19450404", 12));
    let d = mother.disability.as_ref().unwrap();
    assert_eq!((d.category.as_deref(), d.grade), (Some("肢体"), Some(2)));
    assert!(mother.severe_disability);
    assert_eq!(mother.labour, Some(fangpin::model::LabourCapacity::Lost));

    // Measures: one per comma-separated item, category = the column's family, no date; H1's
    // measures are not doubled by the second export.
    let mut m1: Vec<(&str, &str)> = ws
        .data
        .measures
        .iter()
        .filter(|m| m.household_id == H1)
        .map(|m| (m.category.as_str(), m.detail.as_str()))
        .collect();
    m1.sort_unstable();
    assert_eq!(
        m1,
        [("健康帮扶", "医疗救助"), ("就业帮扶", "其他"), ("就业帮扶", "技能培训")]
    );
    assert!(ws.data.measures.iter().all(|m| m.date.is_none()));
    let m3: Vec<&str> = ws
        .data
        .measures
        .iter()
        .filter(|m| m.household_id == H3)
        .map(|m| m.category.as_str())
        .collect();
    // An item that is a category of its own (户厕改造 under 生产生活条件改善) takes it.
    assert_eq!(m3, ["小额信贷", "公益岗位", "户厕改造"]);

    // Risk eliminated: a 一般农户 (普通农户) with its 消除监测时间, no longer a 监测对象.
    let h2 = ws.data.household(H2).unwrap();
    assert_eq!(h2.kind, HouseholdType::Ordinary);
    assert_eq!(h2.monitor_category, None);
    assert_eq!(h2.monitored_since, PartialDate::month(2022, 9));
    assert_eq!(h2.eliminated_on, PartialDate::month(2023, 12));
    assert_eq!(h2.risks, ["因灾", "住房安全"]);
    // A 22-character number: 听力三级 (not 重度), reissue mark ignored.
    let daughter = &h2.members[1];
    assert_eq!(daughter.id.len(), 18);
    assert_eq!(daughter.disability.as_ref().and_then(|d| d.grade), Some(3));
    assert!(!daughter.severe_disability);

    let h3 = ws.data.household(H3).unwrap();
    assert_eq!(h3.kind, HouseholdType::Monitored);
    assert_eq!(h3.monitor_category, Some(MonitorCategory::Sudden));
    let h4 = ws.data.household(H4).unwrap();
    assert_eq!(h4.kind, HouseholdType::Lifted);
    assert_eq!(h4.monitor_category, None);

    // Unused columns: one warning per export listing them, never an unknown-header warning.
    let unused = with(&ws, "未使用的列");
    let exports: Vec<&&Diagnostic> = unused
        .iter()
        .filter(|d| d.place.file.starts_with("系统导出/"))
        .collect();
    assert_eq!(exports.len(), 2, "{unused:#?}");
    let monitoring = exports.iter().find(|d| d.place.file.contains("监测对象")).unwrap();
    for col in [
        "省",
        "民族",
        "文化程度",
        "年收入",
        "因自然灾害子项",
        "风险消除方式",
        "享受低保政策情况",
    ] {
        assert!(monitoring.message.contains(col), "{col}: {}", monitoring.message);
    }
    assert!(!monitoring.message.contains("证件号码") && !monitoring.message.contains("产业帮扶"));
    assert_eq!(
        monitoring.place.to_string(),
        "系统导出/防止返贫致贫监测对象信息_20240612-风险未消除2人.xlsx › Sheet1 › B3"
    );
    assert!(with(&ws, "无法识别的表头").is_empty());
}

#[test]
fn rosters_are_matched_by_id_number() {
    let tmp = tempfile::tempdir().unwrap();
    national_workspace(tmp.path());
    let ws = load(tmp.path());
    let r = &ws.data.rosters;
    assert_eq!(r.len(), 5, "{r:#?}");
    let of = |kind: RosterKind, name: &str| {
        r.iter()
            .find(|e| e.kind == kind && e.name == name)
            .unwrap_or_else(|| panic!("{name} on the {kind:?} roster"))
    };
    let head = of(RosterKind::Dibao, "岩温");
    assert_eq!(head.household_id.as_deref(), Some(H1));
    assert_eq!(
        head.since,
        Some(PartialDate::Day(chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap()))
    );
    // Matched into a household that is not monitored (evidence for the 体外循环 finding).
    let spouse = of(RosterKind::Dibao, "玉波");
    assert_eq!(spouse.household_id.as_deref(), Some(H4));
    assert_eq!(spouse.since, PartialDate::month(2024, 2));
    // Matched by ID although the name differs: a warning naming both places.
    let tekun = of(RosterKind::Tekun, "岩光明");
    assert_eq!(tekun.household_id.as_deref(), Some(H3));
    let mismatch = with(&ws, "不一致");
    assert!(
        mismatch
            .iter()
            .any(|d| d.message.contains("岩光明") && d.message.contains("岩光") && d.message.contains("系统导出/")),
        "{mismatch:#?}"
    );
    // 持证残疾人 一级 → the member's disability, 重度.
    let dis = of(RosterKind::Disability, "岩帕");
    assert_eq!(dis.household_id.as_deref(), Some(H4));
    let head4 = ws.data.household(H4).unwrap().head().unwrap();
    assert!(head4.severe_disability);
    assert_eq!(
        head4.disability.as_ref().and_then(|d| d.category.as_deref()),
        Some("视力")
    );
    // The stranger: listed with file and row.
    let stranger = of(RosterKind::Dibao, "张外人");
    assert_eq!(stranger.household_id, None);
    let listed = with(&ws, "不在任何户的成员中");
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(
        listed[0].place.to_string(),
        "部门数据/农村低保备案表.xlsx › Sheet1 › D6"
    );
    assert!(!listed[0].is_error());
}

#[test]
fn check_and_build_a_national_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    national_workspace(&ws);
    let check = run_command(command(["check", ws.to_str().unwrap()], &[]), Duration::from_secs(120)).ok("check");
    let all = check.all();
    assert!(all.contains("张外人"), "{all}");
    // 玉波's new 低保 (roster, 2024-02) in a household that is not monitored: 体外循环 risk.
    assert!(
        all.lines()
            .any(|l| l.contains("体外循环风险") && l.contains("低保名单：玉波自2024年2月")),
        "{all}"
    );
    // Exact counts: H1 is in both exports, its measures are not doubled.
    assert!(all.contains("户 4，成员 12，程序 0，帮扶措施 10，"), "{all}");
    let out = tmp.path().join("out");
    run_command(
        command(
            [
                "build",
                ws.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--as-of",
                "2024-06-30",
            ],
            &[],
        ),
        Duration::from_secs(600),
    )
    .ok("build");
    let town = out.join("2024年测试乡集中排查").join("测试乡");
    for f in [
        "通知.pdf",
        "监测对象名册.xlsx",
        "数据问题清单.xlsx",
        "时限合规报告.xlsx",
        "问题整改台账.xlsx",
        "整改情况汇总表.xlsx",
        "问题整改台账.pdf",
        "时限合规报告.pdf",
    ] {
        assert!(town.join(f).is_file(), "{f} missing");
    }
    for village in ["新寨村", "老寨村"] {
        // (承诺授权书 are printed for 识别纳入 cases; an export alone has none.)
        for f in ["筛查表.pdf", "筛查表.xlsx", "入户排查表.pdf"] {
            assert!(
                town.join(village).join(f).is_file(),
                "{village}/{f} missing: {:?}",
                common::tree(&out).keys().collect::<Vec<_>>()
            );
        }
    }
}

/// fangpin's own workbook for 新寨村: a 户 sheet that also describes H2 (with another 人均纯收入),
/// a 程序 sheet with an open 识别纳入 case for H1, a 问题 sheet and a 进度 sheet.
fn village_workbook(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut wb = Workbook::new();
    let hh = wb.add_worksheet().set_name("户").unwrap();
    let head = [
        "户编号",
        "行政村",
        "户主姓名",
        "户主证件号码",
        "户类型",
        "家庭人口数",
        "家庭人均纯收入",
        "识别监测时间",
    ];
    for (c, h) in head.iter().enumerate() {
        hh.write_string(0, c as u16, *h).unwrap();
    }
    let row = [
        H2,
        "新寨村",
        "岩坎",
        &id("530926", "19680606", 21),
        "一般农户",
        "3",
        "9000",
        "202209",
    ];
    for (c, v) in row.iter().enumerate() {
        hh.write_string(1, c as u16, *v).unwrap();
    }
    let pr = wb.add_worksheet().set_name("程序").unwrap();
    for (c, h) in ["户编号", "程序类型", "线索来源", "发现线索", "入户核实"]
        .iter()
        .enumerate()
    {
        pr.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [H1, "识别纳入", "部门预警", "2024-06-01", "2024-06-03"]
        .iter()
        .enumerate()
    {
        pr.write_string(1, c as u16, *v).unwrap();
    }
    let pb = wb.add_worksheet().set_name("问题").unwrap();
    let ph = [
        "序号",
        "乡镇",
        "村",
        "户编号",
        "问题类型",
        "具体内容",
        "整改措施",
        "责任人",
        "整改时限",
    ];
    for (c, h) in ph.iter().enumerate() {
        pb.write_string(0, c as u16, *h).unwrap();
    }
    let pv = [
        "1",
        "测试乡",
        "新寨村",
        H1,
        "防止返贫动态监测",
        "部门比对发现低保户未纳入监测",
        "按程序识别纳入",
        "李四",
        "2024-06-30",
    ];
    for (c, v) in pv.iter().enumerate() {
        pb.write_string(1, c as u16, *v).unwrap();
    }
    let pg = wb.add_worksheet().set_name("进度").unwrap();
    for (c, h) in ["单位", "节点", "完成日期"].iter().enumerate() {
        pg.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["新寨村", "开展集中排查", "2024-06-04"].iter().enumerate() {
        pg.write_string(1, c as u16, *v).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn mixed_workspace_links_by_household_id_without_double_counting() {
    let tmp = tempfile::tempdir().unwrap();
    national_workspace(tmp.path());
    village_workbook(&tmp.path().join("村级数据/新寨村.xlsx"));
    let ws = load(tmp.path());
    assert!(errors(&ws).is_empty(), "{:#?}", errors(&ws));
    assert_eq!(ws.data.households.len(), 4);
    assert_eq!(ws.data.member_count(), 12);

    // H2 is the village workbook's record (members from the export), the difference a warning
    // naming both places.
    let h2 = ws.data.household(H2).unwrap();
    assert_eq!(h2.place.file, "村级数据/新寨村.xlsx");
    assert_eq!(h2.members.len(), 3);
    assert_eq!(h2.monitored_since, PartialDate::month(2022, 9));
    assert_eq!(h2.eliminated_on, PartialDate::month(2023, 12));
    let diff = with(&ws, "人均纯收入");
    assert!(
        diff.iter().any(|d| d.place.file == "村级数据/新寨村.xlsx"
            && d.message.contains("系统导出/防止返贫致贫监测对象信息")
            && d.message.contains("11000")),
        "{diff:#?}"
    );

    // The 程序 sheet's case attaches to the export's household; its 信息比对 date comes from the
    // rosters' latest export date (2024-06-12), and a warning says so.
    let case = ws.data.procedures.iter().find(|p| p.household_id == H1).unwrap();
    assert_eq!(
        case.date(Stage::DataMatch),
        chrono::NaiveDate::from_ymd_opt(2024, 6, 12)
    );
    let said = with(&ws, "没有填写信息比对日期");
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(said[0].message.contains("2024年6月12日"), "{}", said[0].message);
    assert_eq!(ws.data.problems.len(), 1);
    assert_eq!(ws.data.problems[0].household_id.as_deref(), Some(H1));
    assert_eq!(ws.data.milestone_reports.len(), 1);

    // A campaign setting overrides the roster date.
    let text = format!("{CAMPAIGN}信息比对日期: 2024-06-05\n");
    std::fs::write(tmp.path().join("campaign.yaml"), text).unwrap();
    let ws = load(tmp.path());
    let case = ws.data.procedures.iter().find(|p| p.household_id == H1).unwrap();
    assert_eq!(case.date(Stage::DataMatch), chrono::NaiveDate::from_ymd_opt(2024, 6, 5));
    assert!(with(&ws, "campaign.yaml 的“信息比对日期”").len() == 1);
}

#[test]
fn village_layout_reads_month_dates_too() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("campaign.yaml"), CAMPAIGN).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("户及成员").unwrap();
    let head = [
        "户编号",
        "行政村",
        "户类型",
        "监测对象类型",
        "纳入日期",
        "消除监测时间",
        "姓名",
        "证件号码",
        "与户主关系",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            H1,
            "新寨村",
            "监测户",
            "边缘易致贫户",
            "2023年4月",
            "",
            "岩温",
            &id("530926", "19700101", 11),
            "户主",
        ],
        [
            H2,
            "新寨村",
            "一般农户",
            "",
            "2023-03-02",
            "202312",
            "岩坎",
            &id("530926", "19680606", 21),
            "户主",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(tmp.path().join("新寨村.xlsx")).unwrap();
    let ws = load(tmp.path());
    assert!(errors(&ws).is_empty(), "{:#?}", errors(&ws));
    let h1 = ws.data.household(H1).unwrap();
    assert_eq!(h1.monitored_since, PartialDate::month(2023, 4));
    let h2 = ws.data.household(H2).unwrap();
    assert_eq!(
        h2.monitored_since,
        Some(PartialDate::Day(chrono::NaiveDate::from_ymd_opt(2023, 3, 2).unwrap()))
    );
    assert_eq!(h2.eliminated_on, PartialDate::month(2023, 12));
}

#[test]
fn the_benchmark_export_reads_without_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("campaign.yaml"), CAMPAIGN).unwrap();
    let households = common::national::synthetic(402);
    write_export(
        &tmp.path().join("防止返贫致贫监测对象信息_20240612.xlsx"),
        common::national::Export::Monitoring,
        "2024-06-12 10:00:00",
        &households,
    );
    let ws = load(tmp.path());
    assert!(errors(&ws).is_empty(), "{:#?}", errors(&ws));
    assert_eq!(ws.data.households.len(), 101);
    assert_eq!(ws.data.member_count(), 402);
    assert_eq!(ws.inputs.iter().map(|i| i.rows).sum::<usize>(), 402);
    let severe = ws
        .data
        .households
        .iter()
        .flat_map(|h| &h.members)
        .filter(|m| m.severe_disability)
        .count();
    assert_eq!(severe, 20);
    assert_eq!(with(&ws, "未使用的列").len(), 1);
}
