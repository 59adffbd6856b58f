//! Generators of national-system exports and department rosters with the traits real ones have:
//! a title row and a 查询条件/导出时间 row above the header on row 3, one row per person with the
//! household columns repeated, 致贫/返贫风险1…5, the duplicated 风险是否已消除 header, YYYYMM
//! dates, 20/22-character 残疾人证号, 普通农户, 之X relations and comma-separated measure columns.
//! All people are synthetic. (Also compiled into benches/pipeline.rs.)
#![allow(dead_code)]

use rust_xlsxwriter::{Workbook, Worksheet};
use std::path::Path;

/// A valid 18-character ID from region, birth date (yyyymmdd) and a 3-digit sequence.
pub fn id(region: &str, birth: &str, seq: u32) -> String {
    let first17 = format!("{region}{birth}{seq:03}");
    let check = fangpin::ingest::id_check_digit(&first17).unwrap_or_else(|| panic!("17 digits: {first17}"));
    format!("{first17}{check}")
}

pub struct Person {
    pub name: String,
    /// 18, 20 or 22 characters.
    pub id: String,
    pub id_type: &'static str,
    pub relation: &'static str,
    pub sex: &'static str,
    pub labour: &'static str,
    pub health: &'static str,
    pub schooling: &'static str,
}

impl Person {
    pub fn new(name: &str, id: String, relation: &'static str, sex: &'static str) -> Person {
        Person {
            name: name.to_string(),
            id,
            id_type: "居民身份证",
            relation,
            sex,
            labour: "普通劳动力",
            health: "健康",
            schooling: "",
        }
    }
}

pub struct ExportHousehold {
    pub hid: String,
    pub village: String,
    pub group: String,
    /// 普通农户 / 脱贫户
    pub kind: &'static str,
    /// 监测对象类别 (empty: none)
    pub category: &'static str,
    pub eliminated: bool,
    /// 识别监测时间, YYYYMM
    pub since: &'static str,
    /// 消除监测时间, YYYYMM or empty
    pub eliminated_on: &'static str,
    pub risks: Vec<&'static str>,
    /// (measure column, comma-separated items)
    pub measures: Vec<(&'static str, &'static str)>,
    /// 工资性收入, 生产经营性收入, 转移性收入 (元); 人均纯收入 = sum / people
    pub income: (u32, u32, u32),
    pub members: Vec<Person>,
}

pub const MEASURE_COLUMNS: [&str; 14] = [
    "产业帮扶",
    "就业帮扶",
    "金融帮扶",
    "公益岗位帮扶",
    "健康帮扶",
    "教育帮扶",
    "义务教育保障",
    "综合保障",
    "住房安全保障",
    "饮水安全保障",
    "社会帮扶",
    "搬迁",
    "生产生活条件改善",
    "基础设施建设",
];

/// Which export to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// 防止返贫致贫监测对象信息 (2025): monitoring columns, 风险是否已消除 twice.
    Monitoring,
    /// 脱贫户信息: no monitoring columns, 脱贫年度.
    Lifted,
}

fn headers(kind: Export) -> Vec<&'static str> {
    let mut h = vec![
        "序号",
        "省",
        "市",
        "县",
        "乡镇",
        "行政村",
        "村民小组",
        "户编号",
        "户主姓名",
        "户类型",
    ];
    if kind == Export::Monitoring {
        h.extend([
            "监测对象类别",
            "家庭人口数",
            "联系电话",
            "识别监测时间",
            "风险是否已消除",
            "消除监测时间",
        ]);
        h.extend(["风险消除方式", "整户无劳动能力兜底保障户"]);
        h.extend([
            "致贫/返贫风险1",
            "致贫/返贫风险2",
            "致贫/返贫风险3",
            "致贫/返贫风险4",
            "致贫/返贫风险5",
        ]);
        h.extend(["因自然灾害子项", "风险是否已消除"]);
    } else {
        h.extend(["家庭人口数", "联系电话", "脱贫年度"]);
    }
    h.extend([
        "工资性收入（元）",
        "生产经营性收入（元）",
        "转移性收入（元）",
        "年收入（元）",
        "人均纯收入（元）",
    ]);
    h.extend([
        "合规自付支出（元）",
        "享受低保政策情况",
        "享受特困供养政策情况",
        "实施开发式帮扶措施情况",
    ]);
    h.extend(MEASURE_COLUMNS);
    h.extend([
        "姓名",
        "证件类型",
        "证件号码",
        "性别",
        "与户主关系",
        "民族",
        "文化程度",
        "在校生状况",
    ]);
    h.extend(["健康状况", "劳动技能"]);
    h
}

fn put(ws: &mut Worksheet, row: u32, col: u16, v: &str) {
    if !v.is_empty() {
        ws.write_string(row, col, v).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn row_values<'a>(kind: Export, n: usize, h: &'a ExportHousehold, p: &'a Person) -> Vec<String> {
    let people = h.members.len() as u32;
    let total = h.income.0 + h.income.1 + h.income.2;
    let head = h
        .members
        .iter()
        .find(|m| m.relation == "户主")
        .map_or("", |m| m.name.as_str());
    let mut v: Vec<String> = vec![
        n.to_string(),
        "测试省".into(),
        "测试市".into(),
        "测试县".into(),
        "测试乡".into(),
        h.village.clone(),
        h.group.clone(),
        h.hid.clone(),
        head.into(),
        h.kind.into(),
    ];
    let elim = if h.eliminated { "是" } else { "否" };
    if kind == Export::Monitoring {
        v.extend([
            h.category.to_string(),
            people.to_string(),
            String::new(),
            h.since.to_string(),
            elim.to_string(),
            h.eliminated_on.to_string(),
            if h.eliminated {
                "帮扶消除".into()
            } else {
                String::new()
            },
            "否".into(),
        ]);
        for i in 0..5 {
            v.push(h.risks.get(i).map(|r| r.to_string()).unwrap_or_default());
        }
        v.extend([String::new(), elim.to_string()]);
    } else {
        v.extend([people.to_string(), String::new(), "2019".into()]);
    }
    v.extend([
        h.income.0.to_string(),
        h.income.1.to_string(),
        h.income.2.to_string(),
        total.to_string(),
        (total / people.max(1)).to_string(),
        "0".into(),
        "未享受".into(),
        "未享受".into(),
        "已实施".into(),
    ]);
    for c in MEASURE_COLUMNS {
        v.push(
            h.measures
                .iter()
                .find(|(m, _)| *m == c)
                .map(|(_, items)| items.to_string())
                .unwrap_or_default(),
        );
    }
    v.extend([
        p.name.clone(),
        p.id_type.into(),
        p.id.clone(),
        p.sex.into(),
        p.relation.into(),
        "汉族".into(),
        "初中".into(),
        p.schooling.into(),
        p.health.into(),
        p.labour.into(),
    ]);
    v
}

/// Writes an export workbook: title on row 1, 查询条件/导出时间 on row 2, the header on row 3.
pub fn write_export(path: &Path, kind: Export, exported: &str, households: &[ExportHousehold]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title = match kind {
        Export::Monitoring => "防止返贫致贫监测对象信息",
        Export::Lifted => "脱贫户信息",
    };
    put(ws, 0, 0, title);
    put(ws, 1, 0, &format!("查询条件：测试县 测试乡    导出时间：{exported}"));
    for (c, h) in headers(kind).iter().enumerate() {
        put(ws, 2, c as u16, h);
    }
    let mut row = 3u32;
    let mut n = 0usize;
    for h in households {
        for p in &h.members {
            n += 1;
            for (c, v) in row_values(kind, n, h, p).iter().enumerate() {
                put(ws, row, c as u16, v);
            }
            row += 1;
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    }
    wb.save(path).unwrap_or_else(|e| panic!("{e}"));
}

/// One roster row: (姓名, 证件号码, 审批时间 / 残疾类别, 残疾等级).
pub struct RosterRow {
    pub name: String,
    pub id: String,
    pub since: String,
    pub category: String,
    pub grade: String,
}

/// Writes a department roster: a title, an 导出时间 row, then 序号 / 县 / 乡镇 / 姓名 / 证件号码
/// / 审批时间 (and 残疾类别 / 残疾等级 when `disability`).
pub fn write_roster(path: &Path, title: &str, exported: &str, disability: bool, rows: &[RosterRow]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    put(ws, 0, 0, title);
    put(ws, 1, 0, &format!("导出时间：{exported}"));
    let mut header = vec!["序号", "县", "乡镇", "姓名", "身份证号码", "审批时间", "保障人数"];
    if disability {
        header = vec![
            "序号",
            "县",
            "乡镇",
            "姓名",
            "残疾人证号",
            "残疾类别",
            "残疾等级",
            "发证日期",
        ];
    }
    for (c, h) in header.iter().enumerate() {
        put(ws, 2, c as u16, h);
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        put(ws, row, 0, &(i + 1).to_string());
        put(ws, row, 1, "测试县");
        put(ws, row, 2, "测试乡");
        put(ws, row, 3, &r.name);
        put(ws, row, 4, &r.id);
        if disability {
            put(ws, row, 5, &r.category);
            put(ws, row, 6, &r.grade);
            put(ws, row, 7, &r.since);
        } else {
            put(ws, row, 5, &r.since);
            put(ws, row, 6, "1");
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    }
    wb.save(path).unwrap_or_else(|e| panic!("{e}"));
}

/// `people` persons in households of four (户主, 配偶, 之子, 之母), for the ingest benchmark.
pub fn synthetic(people: usize) -> Vec<ExportHousehold> {
    let relations: [(&str, &str, &str); 4] = [
        ("户主", "男", "19700101"),
        ("配偶", "女", "19720202"),
        ("之子", "男", "20050303"),
        ("之母", "女", "19450404"),
    ];
    let mut out = Vec::new();
    let mut n = 0usize;
    let mut h = 0u32;
    while n < people {
        h += 1;
        let region = format!("53{:04}", 1000 + (h / 500) % 9000);
        // The 17th digit is odd for men, even for women.
        let seq = |sex: &str| (h % 500) * 2 + u32::from(sex == "男");
        let size = (people - n).min(4);
        let members = relations[..size]
            .iter()
            .enumerate()
            .map(|(k, (rel, sex, birth))| {
                let mut p = Person::new(&format!("测试{h}之{k}"), id(&region, birth, seq(sex)), rel, sex);
                if k == 3 && h.is_multiple_of(5) {
                    p.id = format!("{}42", p.id);
                    p.id_type = "残疾人证";
                }
                p
            })
            .collect();
        n += size;
        out.push(ExportHousehold {
            hid: format!("53092600{h:08}"),
            village: format!("测试{}村", h % 40),
            group: format!("{}组", h % 6 + 1),
            kind: if h.is_multiple_of(2) {
                "脱贫户"
            } else {
                "普通农户"
            },
            category: if h.is_multiple_of(2) {
                "脱贫不稳定户"
            } else {
                "边缘易致贫户"
            },
            eliminated: h.is_multiple_of(3),
            since: "202304",
            eliminated_on: if h.is_multiple_of(3) { "202312" } else { "" },
            risks: vec!["因病", "因学"],
            measures: vec![("就业帮扶", "技能培训,其他"), ("健康帮扶", "医疗救助")],
            income: (24_000, 3_000, 3_000),
            members,
        });
    }
    out
}
