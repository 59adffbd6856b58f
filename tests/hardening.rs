//! Hardening over the real binary: template injection, privacy of public documents, determinism,
//! rare characters no font covers, and an interrupted build leaving the previous outputs intact.
//!
//! PDFs are read back with `pdftotext` (poppler-utils, installed by `.ci/run`), workbooks with
//! calamine. All people are synthetic; IDs carry valid GB 11643 check digits.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{Run, command, pdf_text, run_command, tree};
use fangpin::ingest::id_check_digit;
use serde_json::json;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(240);
const AS_OF: &str = "2024-06-30";

// ------------------------------------------------------------------ running and reading back

/// Runs the binary to completion with a timeout guard.
fn run<I, S>(args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_command(command(args, env), TIMEOUT)
}

fn build(ws: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        "build".as_ref(),
        ws.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(args, env)
}

fn pdftotext_available() -> bool {
    Command::new("pdftotext").arg("-v").output().is_ok()
}

/// Every string cell of every sheet of a workbook, one per line.
fn xlsx_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        for (_, _, d) in r.used_cells() {
            match d {
                Data::String(t) => s.push_str(t),
                other => s.push_str(&other.to_string()),
            }
            s.push('\n');
        }
    }
    s
}

/// Text with all whitespace removed, so a value wrapped over lines in a table cell still matches.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy() == name)
        .map(|e| e.into_path())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A valid ID: region 530999, birth date, sequence, check character.
fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("530999{birth}{seq:03}");
    format!("{first17}{}", id_check_digit(&first17).unwrap())
}

// ------------------------------------------------------------------ template injection

/// Markup of Typst, tera syntax, a right-to-left override and a zero-width space.
const GROUP_PAYLOAD: &str = "#set page(width: 1cm) $x$ *b* _i_ @ref <lab> [x] \\ 组";
const NAME_PAYLOAD: &str = "{{ x }}{% if %}#strong[粗]\\u{41}王\u{200B}五";
const RTL_NAME: &str = "赵\u{202E}钱孙";
const PROBLEM_PAYLOAD: &str = "#image(\"/etc/passwd\") #read(\"x\") {{ content }} $a$ 未走访";
const NOTICE_PAYLOAD: &str = "#set text(size: 40pt) {{ campaign }} {% raw %} $y$ <lab2> @cite [z] \\n *粗* _斜_";

fn yaml(v: serde_json::Value) -> String {
    serde_yaml::to_string(&v).unwrap()
}

/// A small workspace: one village with an identification case (公示, 公告) and an elimination case
/// (公示, 公告), whose names carry markup, plus a campaign whose text does.
fn injection_workspace(dir: &Path) {
    let campaign = json!({
        "名称": "2024年第二季度#排查$x$_i_@ref[x]{{ name }}{% if %}",
        "年度": 2024,
        "地区": {"省": "云南省", "县": "青溪县", "乡镇": "石桥镇"},
        "监测范围": 7600,
        "统计截止日": AS_OF,
        "发文": {
            "机关": "石桥镇人民政府",
            "代字": "石政发",
            "序号": 12,
            "成文日期": "2024-05-09",
            "主送": ["各村民委员会", "#强调[单位] <lab3>"],
            "抄送": ["县乡村振兴局"],
            "监督电话": "0871-0000000"
        },
        "时间安排": [
            {"节点": "全面培训部署", "截止": "2024-05-10", "内容": NOTICE_PAYLOAD},
            {"节点": "开展集中排查", "截止": "2024-06-05", "内容": "逐户排查"}
        ]
    });
    std::fs::write(dir.join("campaign.yaml"), yaml(campaign)).unwrap();
    let h1 = id("19800101", 11);
    let m1 = id("19820305", 12);
    let h2 = id("19700101", 21);
    let c1 = id("20100101", 13);
    let household =
        |hid: &str, head: &str, head_id: &str, kind_extra: serde_json::Value, members: serde_json::Value| {
            let mut h = json!({
                "乡镇": "石桥镇",
                "行政村": "注入村#$x$",
                "村民小组": GROUP_PAYLOAD,
                "户编号": hid,
                "户主姓名": head,
                "户主证件号码": head_id,
                "联系电话": "19900001234",
                "户类型": "监测户",
                "风险类型": "因病",
                "两不愁三保障及饮水安全是否达标": "是",
                "是否整户无劳动能力": "否",
                "帮扶责任人": "李{{ helper }}#干部",
                "成员": members
            });
            for (k, v) in kind_extra.as_object().unwrap() {
                h[k] = v.clone();
            }
            h
        };
    let data = json!({
        "户": [
            household("H1", NAME_PAYLOAD, &h1, json!({"监测对象类型": "边缘易致贫户", "家庭人口数": 3, "家庭人均纯收入": 6000, "上年人均纯收入": 6500}), json!([
                {"姓名": NAME_PAYLOAD, "证件号码": h1, "与户主关系": "户主", "性别": "男", "劳动能力": "有劳动能力", "健康状况": "健康"},
                {"姓名": "_妻_*某*", "证件号码": m1, "与户主关系": "配偶", "性别": "女", "劳动能力": "有劳动能力", "健康状况": "患有大病"},
                {"姓名": "=1+2某", "证件号码": c1, "与户主关系": "子", "性别": "男", "劳动能力": "无劳动能力", "健康状况": "健康"}
            ])),
            household("H2", RTL_NAME, &h2, json!({"监测对象类型": "脱贫不稳定户", "家庭人口数": 1, "家庭人均纯收入": 9800, "上年人均纯收入": 9000}), json!([
                {"姓名": RTL_NAME, "证件号码": h2, "与户主关系": "户主", "性别": "男", "劳动能力": "有劳动能力", "健康状况": "健康"}
            ]))
        ],
        "程序": [
            {"户编号": "H1", "程序类型": "识别纳入", "线索来源": "部门预警", "发现线索": "2024-05-16", "入户核实": "2024-05-17",
             "签订承诺授权书": "2024-05-17", "信息比对": "2024-05-18", "村级评议": "2024-05-19", "公示开始": "2024-05-20",
             "公示结束": "2024-05-24", "乡镇审核": "2024-05-27", "县级审批": "2024-05-28", "结果公告": "2024-05-29",
             "录入建档": "2024-05-30", "明确帮扶责任人": "2024-05-30", "首次入户走访": "2024-06-04", "制定帮扶计划": "2024-06-05"},
            {"户编号": "H2", "程序类型": "识别纳入", "线索来源": "干部排查", "发现线索": "2021-06-11", "入户核实": "2021-06-12",
             "签订承诺授权书": "2021-06-12", "信息比对": "2021-06-13", "村级评议": "2021-06-14", "公示开始": "2021-06-15",
             "公示结束": "2021-06-21", "乡镇审核": "2021-06-22", "县级审批": "2021-06-23", "结果公告": "2021-06-24",
             "录入建档": "2021-06-25", "明确帮扶责任人": "2021-06-25", "首次入户走访": "2021-06-30", "制定帮扶计划": "2021-07-01"},
            {"户编号": "H2", "程序类型": "风险消除", "风险消除方式": "自然消除", "收入达标起始日期": "2023-09-14",
             "入户核实": "2024-05-21", "村级评议": "2024-05-23", "公示开始": "2024-05-24", "公示结束": "2024-05-30",
             "乡镇审核": "2024-05-31", "县级审批": "2024-06-02", "结果公告": "2024-06-03", "录入建档": "2024-06-04"}
        ],
        "问题": [
            {"序号": 1, "乡镇": "石桥镇", "村": "注入村#$x$", "户编号": "H1", "户主姓名": NAME_PAYLOAD, "问题层级": "户内",
             "问题类型": "帮扶工作", "具体内容": PROBLEM_PAYLOAD, "整改措施": "#pagebreak() 入户 {{ y }}", "责任人": "周*波*",
             "责任单位": "镇<办>", "整改时限": "2024-07-21", "整改状态": "正在整改"}
        ],
        "帮扶措施": [
            {"户编号": "H1", "措施类别": "健康帮扶", "具体措施": "落实#医保 {{ x }} $z$", "落实日期": "2024-05-23"},
            {"户编号": "H2", "措施类别": "产业帮扶", "具体措施": "发展养殖 <lab4> @x", "落实日期": "2022-03-01"}
        ]
    });
    std::fs::create_dir_all(dir.join("村级数据")).unwrap();
    std::fs::write(dir.join("村级数据/注入村.yaml"), yaml(data)).unwrap();
}

/// Whether `payload` can be read in order from consecutive pieces of the lines of `text`
/// (whitespace ignored, each piece at least two characters): pdftotext keeps a wrapped table
/// cell's lines in order but may interleave them with, or put them on one line beside, the text
/// of neighbouring cells.
fn reads_in_order(text: &str, payload: &str) -> bool {
    let want = squash(payload);
    let lines: Vec<String> = text.lines().map(squash).filter(|l| !l.is_empty()).collect();
    // The longest prefix of `rest` found in `line` (at least two characters, or all of `rest`).
    let piece = |line: &str, rest: &str| -> usize {
        let ends: Vec<usize> = rest
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([rest.len()])
            .collect();
        let min = if rest.chars().count() < 2 { 1 } else { 2 };
        ends.iter()
            .rev()
            .copied()
            .take_while(|&k| rest[..k].chars().count() >= min)
            .find(|&k| line.contains(&rest[..k]))
            .unwrap_or(0)
    };
    for (i, l) in lines.iter().enumerate() {
        let first = piece(l, &want);
        if first == 0 {
            continue;
        }
        let mut rest = &want[first..];
        for m in &lines[i + 1..] {
            if rest.is_empty() {
                break;
            }
            rest = &rest[piece(m, rest)..];
        }
        if rest.is_empty() {
            return true;
        }
    }
    false
}

/// Every page of a PDF is A4 (a `#set page(...)` that got through would change it).
fn all_pages_a4(path: &Path) -> Result<usize, String> {
    let out = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "100000"])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let info = String::from_utf8_lossy(&out.stdout);
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .collect();
    if sizes.is_empty() {
        return Err(format!("no page sizes in pdfinfo output:\n{info}"));
    }
    for l in &sizes {
        if !(l.contains("595.") && l.contains("841.") || l.contains("841.") && l.contains("595.")) {
            return Err(format!("{}: {l}", path.display()));
        }
    }
    Ok(sizes.len())
}

#[test]
fn markup_in_names_and_campaign_prints_literally() {
    if !pdftotext_available() {
        eprintln!("pdftotext missing: install poppler-utils (.ci/run does)");
        return;
    }
    // The matcher itself: wrapped and interleaved cells, a label before the value.
    assert!(reads_in_order(
        "#set\npage(width:\n{{x}}\n1cm)",
        "#set page(width: 1cm)"
    ));
    assert!(reads_in_order(
        "产业帮扶：发展\n养殖 <lab4>\n@x 其他",
        "发展养殖 <lab4> @x"
    ));
    assert!(!reads_in_order("#set\n1cm)\npage(width:", "#set page(width: 1cm)"));

    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    injection_workspace(&ws);

    // Invisible characters in names are accepted with a warning naming them.
    let check = run(["check".as_ref(), ws.as_os_str()], &[]);
    assert_eq!(check.code, Some(0), "{}", check.all());
    assert!(
        check.stdout.contains("U+202E") && check.stdout.contains("U+200B"),
        "{}",
        check.stdout
    );

    let out = tmp.path().join("out");
    build(&ws, &out, &[], &[]).ok("build");
    let files = tree(&out);
    let mut problems = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for rel in files.keys() {
        let path = out.join(rel);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        kinds_seen.insert(name.clone());
        let text = if rel.ends_with(".pdf") {
            if let Err(e) = all_pages_a4(&path) {
                problems.push(e);
            }
            pdf_text(&path)
        } else if rel.ends_with(".xlsx") {
            xlsx_text(&path)
        } else {
            continue;
        };
        let mut expect: Vec<&str> = Vec::new();
        let village_doc = rel.contains("注入村");
        match name.as_str() {
            "通知.pdf" => expect.extend([
                NOTICE_PAYLOAD,
                "#强调[单位] <lab3>",
                "#排查$x$_i_@ref[x]{{ name }}{% if %}",
            ]),
            "拟纳入监测对象名单公示.pdf" => {
                expect.extend([GROUP_PAYLOAD, NAME_PAYLOAD, "落实#医保 {{ x }} $z$"])
            }
            "拟标注风险消除名单公示.pdf" => expect.extend([GROUP_PAYLOAD, "发展养殖 <lab4> @x"]),
            "结果公告.pdf" | "承诺授权书.pdf" | "入户排查表.pdf" => {
                expect.extend([GROUP_PAYLOAD, NAME_PAYLOAD])
            }
            "筛查表.pdf" | "筛查表.xlsx" => expect.extend([NAME_PAYLOAD]),
            "监测对象名册.xlsx" => expect.extend([GROUP_PAYLOAD, NAME_PAYLOAD, "_妻_*某*", "=1+2某"]),
            "问题整改台账.pdf" | "问题整改台账.xlsx" => {
                expect.extend([PROBLEM_PAYLOAD, "#pagebreak() 入户 {{ y }}", "周*波*", "镇<办>"])
            }
            "时限合规报告.pdf" | "时限合规报告.xlsx" => expect.push(NAME_PAYLOAD),
            "整改情况汇总表.pdf" | "整改情况汇总表.xlsx" => expect.push("注入村#$x$"),
            "数据问题清单.xlsx" => expect.extend([NAME_PAYLOAD, "U+200B"]),
            _ => {}
        }
        if village_doc || name == "通知.pdf" {
            // Every village document and the notice name the village or campaign with its markup.
            expect.push(if village_doc {
                "注入村#$x$"
            } else {
                "2024年第二季度#排查$x$"
            });
        }
        for p in expect {
            if !reads_in_order(&text, p) {
                problems.push(format!("{rel}: {p:?} not shown literally\n---\n{text}\n---"));
            }
        }
        // The right-to-left override stays in the text (bidi reordering is Unicode's, not markup's).
        if matches!(
            name.as_str(),
            "拟标注风险消除名单公示.pdf" | "结果公告.pdf" | "监测对象名册.xlsx"
        ) && !(text.contains('\u{202E}') && ['赵', '钱', '孙'].iter().all(|c| text.contains(*c)))
        {
            problems.push(format!("{rel}: the name with U+202E is missing\n{text}"));
        }
    }
    for want in [
        "通知.pdf",
        "拟纳入监测对象名单公示.pdf",
        "拟标注风险消除名单公示.pdf",
        "结果公告.pdf",
        "承诺授权书.pdf",
        "筛查表.pdf",
        "入户排查表.pdf",
        "问题整改台账.pdf",
        "整改情况汇总表.pdf",
        "时限合规报告.pdf",
        "监测对象名册.xlsx",
        "数据问题清单.xlsx",
    ] {
        if !kinds_seen.contains(want) {
            problems.push(format!("{want} not produced: {:?}", files.keys().collect::<Vec<_>>()));
        }
    }
    // A name that looks like a formula stays text in every workbook.
    for rel in files.keys().filter(|r| r.ends_with(".xlsx")) {
        let bytes = std::fs::read(out.join(rel)).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        for sheet in wb.sheet_names() {
            let f = wb.worksheet_formula(&sheet).unwrap();
            if let Some((_, _, formula)) = f.used_cells().find(|(_, _, t)| t.contains("1+2")) {
                problems.push(format!("{rel} › {sheet}: a name became the formula {formula}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

// ------------------------------------------------------------------ privacy

/// Full 18-character IDs (17 digits + digit/X) and 11-digit mobile numbers in `text`, line by line
/// (no regex: maximal runs of ASCII digits after full-width digits are made half-width).
fn leaks(text: &str) -> Vec<String> {
    let half = fangpin::ingest::to_half_width(text);
    let mut found = Vec::new();
    for line in half.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let x = chars.get(i).is_some_and(|c| *c == 'X' || *c == 'x');
            if run.len() >= 18 || (run.len() == 17 && x) {
                found.push(format!("ID {run}{} in “{line}”", if x { "X" } else { "" }));
            } else if run.len() == 11 && run.starts_with('1') && run.as_bytes()[1] >= b'3' {
                found.push(format!("mobile {run} in “{line}”"));
            }
        }
    }
    found
}

const PUBLIC: &[&str] = &[
    "通知.pdf",
    "拟纳入监测对象名单公示.pdf",
    "拟标注风险消除名单公示.pdf",
    "结果公告.pdf",
];

/// Builds `ws` (public and internal kinds) and checks every document against the workspace's own
/// IDs and phone numbers.
fn check_privacy(ws: &Path, out: &Path) -> Vec<String> {
    let r = build(
        ws,
        out,
        &[
            "--only",
            "notice,publicity,elimination-publicity,announcement,commitment,survey,screening,roster",
        ],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let loaded = fangpin::ingest::load_workspace(ws).unwrap();
    let mut secrets: Vec<String> = Vec::new();
    for h in &loaded.data.households {
        secrets.push(h.head_id.clone());
        secrets.extend(h.phone.clone());
        secrets.extend(h.members.iter().map(|m| m.id.clone()));
    }
    secrets.retain(|s| s.len() >= 11);
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() > 20, "the workspace should carry IDs and phones");
    let mut problems = Vec::new();
    let mut public_seen = 0;
    let mut internal_seen = 0;
    for (rel, _) in tree(out) {
        let path = out.join(&rel);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = if rel.ends_with(".pdf") {
            pdf_text(&path)
        } else if rel.ends_with(".xlsx") {
            xlsx_text(&path)
        } else {
            continue;
        };
        let flat = squash(&text);
        let full_ids = secrets.iter().filter(|s| flat.contains(s.as_str())).count();
        if PUBLIC.contains(&name.as_str()) {
            public_seen += 1;
            for l in leaks(&text) {
                problems.push(format!("{rel}: {l}"));
            }
            if full_ids > 0 {
                problems.push(format!("{rel}: {full_ids} full ID/phone number(s) of the workspace"));
            }
        } else if full_ids > 0 {
            // Anything that carries full IDs or phones is an internal document and says so.
            internal_seen += 1;
            if !flat.contains("内部资料") {
                problems.push(format!(
                    "{rel}: carries {full_ids} full IDs/phones but no 内部资料 mark"
                ));
            }
        }
        if name == "承诺授权书.pdf" {
            let pages = all_pages_a4(&path).unwrap_or(0);
            let marks = text.matches("内部资料").count();
            if marks < pages {
                problems.push(format!("{rel}: 内部资料 on {marks} of {pages} pages"));
            }
        }
        if name == "监测对象名册.xlsx" && !flat.contains("内部资料") {
            problems.push(format!("{rel}: no 内部资料"));
        }
    }
    if public_seen < 4 || internal_seen < 2 {
        problems.push(format!(
            "only {public_seen} public and {internal_seen} internal documents checked"
        ));
    }
    problems
}

#[test]
fn public_documents_never_show_full_ids_or_phones() {
    if !pdftotext_available() {
        eprintln!("pdftotext missing: install poppler-utils (.ci/run does)");
        return;
    }
    // The scanner itself.
    assert_eq!(leaks("身份证 530999198304213250 号").len(), 1);
    assert_eq!(leaks("11010519491231002X").len(), 1);
    assert_eq!(leaks("电话１３９１２３４５６７８").len(), 1);
    assert!(leaks("530999********3250 0871-0000000 2024年5月20日 53099900300001").is_empty());

    let tmp = tempfile::tempdir().unwrap();
    let mut problems = check_privacy(&sample_dir(), &tmp.path().join("sample-out"));
    let gen_ws = tmp.path().join("gen");
    run(
        ["gen", "--households", "300", "--villages", "3", "--seed", "7", "--out"]
            .iter()
            .map(OsStr::new)
            .chain([gen_ws.as_os_str()]),
        &[],
    )
    .ok("gen");
    problems.extend(check_privacy(&gen_ws, &tmp.path().join("gen-out")));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------------ determinism

fn manifest_hashes(dir: &Path) -> Vec<(String, String)> {
    let m = files_named(dir, "manifest.json");
    assert_eq!(m.len(), 1, "{m:?}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m[0]).unwrap()).unwrap();
    v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = sample_dir();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    build(&sample, &a, &[], &[]).ok("build a");
    build(&sample, &b, &[], &[]).ok("build b");
    build(&sample, &c, &[], &[("RAYON_NUM_THREADS", "1")]).ok("build c (one thread)");
    let (ta, tb, tc) = (tree(&a), tree(&b), tree(&c));
    assert!(ta.len() > 20, "{:?}", ta.keys());
    let kinds: std::collections::BTreeSet<&str> = ta.keys().filter_map(|k| k.rsplit('/').next()).collect();
    for must in ["通知.pdf", "承诺授权书.pdf", "监测对象名册.xlsx", "manifest.json"] {
        assert!(kinds.contains(must), "{must} missing: {kinds:?}");
    }
    for (name, other) in [("second run", &tb), ("RAYON_NUM_THREADS=1", &tc)] {
        assert_eq!(
            ta.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "{name}: file lists differ"
        );
        let differing: Vec<&String> = ta
            .iter()
            .filter(|(k, v)| other.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        assert!(differing.is_empty(), "{name}: files differ: {differing:?}");
    }
    let ha = manifest_hashes(&a);
    assert_eq!(ha, manifest_hashes(&b));
    assert_eq!(ha, manifest_hashes(&c));
    // Besides the manifest, only the output marker and lock in the output root are unlisted.
    let files = ta.keys().filter(|k| !k.starts_with(".fangpin")).count();
    assert_eq!(ha.len() + 1, files, "every file but the manifest is listed in it");
    let v = run(["verify".as_ref(), a.as_os_str()], &[]).ok("verify");
    assert!(!v.all().contains("不一致"), "{}", v.all());
}

// ------------------------------------------------------------------ rare characters

/// A CJK Extension B character no face covers on this machine: the bundled subsets stop at
/// Extension A, and installed faces differ (LXGW WenKai has 𠀾 U+2003E, for one).
fn rare_char() -> Option<char> {
    use fangpin::render::fonts::FontSet;
    use fangpin::render::templates::TemplateSet;
    let set = FontSet::for_templates(&TemplateSet::builtin(), true);
    ['\u{2003E}', '\u{20000}', '\u{2A6D6}', '\u{323AF}']
        .into_iter()
        .find(|c| !set.covers(*c))
}

#[test]
fn a_character_no_font_covers_is_a_warning_naming_the_household() {
    let Some(rare) = rare_char() else {
        eprintln!("every candidate Extension B character is covered by an installed font; nothing to test");
        return;
    };
    let code = format!("U+{:04X}", rare as u32);
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&sample_dir(), &ws);
    let village = ws.join("村级数据/龙潭村.yaml");
    let text = std::fs::read_to_string(&village).unwrap();
    assert!(text.contains("叶平海"));
    let rare_name = format!("叶{rare}海");
    std::fs::write(&village, text.replace("叶平海", &rare_name)).unwrap();

    let check = run(["check".as_ref(), ws.as_os_str()], &[]);
    assert_eq!(check.code, Some(0), "{}", check.all());
    let line = check
        .stdout
        .lines()
        .find(|l| l.contains("[警告]") && l.contains(rare) && l.contains("53099900300001"))
        .unwrap_or_else(|| panic!("no warning naming the household:\n{}", check.stdout));
    assert!(
        line.contains("龙潭村.yaml") && line.contains(&code) && line.contains("方框"),
        "{line}"
    );

    let out = tmp.path().join("out");
    let b = build(&ws, &out, &["--only", "roster,problems,publicity"], &[]).ok("build");
    assert!(
        b.stdout
            .lines()
            .any(|l| l.contains("[警告]") && l.contains(rare) && l.contains("53099900300001")),
        "build does not report it:\n{}",
        b.all()
    );
    // The 数据问题清单 lists it too, so the clerk sees it in the workbook.
    let list = files_named(&out, "数据问题清单.xlsx");
    assert_eq!(list.len(), 1, "{:?}", tree(&out).keys());
    assert!(xlsx_text(&list[0]).contains(rare));
}

// ------------------------------------------------------------------ interrupted build

#[test]
fn a_killed_build_leaves_the_previous_outputs_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build(&sample_dir(), &out, &["--only", "notice,publicity,roster"], &[]).ok("first build");
    let before = tree(&out);
    let manifests = files_named(&out, "manifest.json");
    assert_eq!(manifests.len(), 1);
    let campaign_dir = manifests[0].parent().unwrap().to_path_buf();

    // A bigger workspace with the same campaign name, so the second build targets the same folder.
    let big = tmp.path().join("big");
    run(
        ["gen", "--households", "3000", "--villages", "6", "--out"]
            .iter()
            .map(OsStr::new)
            .chain([big.as_os_str()]),
        &[],
    )
    .ok("gen");
    let mut child = command(
        [
            "build".as_ref(),
            big.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
        ],
        &[],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Kill it once it is writing documents into its staging folder (or after a few seconds).
    let started = Instant::now();
    let staging = |out: &Path| {
        std::fs::read_dir(out)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
    };
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the big build finished ({status}) before it could be killed; make it bigger");
        }
        if (staging(&out) && started.elapsed() > Duration::from_millis(1500))
            || started.elapsed() > Duration::from_secs(20)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The previous campaign folder is exactly as it was, and its manifest still verifies.
    let after: BTreeMap<String, Vec<u8>> = tree(&out)
        .into_iter()
        .filter(|(k, _)| !k.contains(".partial-"))
        .collect();
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    assert!(before == after, "previous outputs changed");
    let v = run(["verify".as_ref(), campaign_dir.as_os_str()], &[]);
    assert_eq!(v.code, Some(0), "{}", v.all());
}

// ------------------------------------------------------------------ seal confinement

/// A 16×16 red ring, a real PNG Typst can decode.
const SEAL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0xf3, 0xff, 0x61, 0x00, 0x00, 0x00, 0x3b, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xc6, 0x20, 0xf4, 0x9f, 0x12, 0xcc, 0x30, 0xb8, 0x0d, 0x60, 0x80, 0x02,
    0xb2, 0x0c, 0x60, 0x40, 0x03, 0x24, 0x19, 0xc0, 0x80, 0x03, 0x10, 0x65, 0x00, 0x03, 0x01, 0x80, 0xd7, 0x00, 0x06,
    0x22, 0x01, 0xed, 0x0c, 0xa0, 0xd8, 0x0b, 0x54, 0x09, 0x44, 0xaa, 0x44, 0x23, 0x55, 0x12, 0xd2, 0xd0, 0xc9, 0x4c,
    0x00, 0x4f, 0x28, 0x81, 0x2c, 0x34, 0x09, 0x0f, 0xfa, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

/// A copy of the sample workspace whose campaign.yaml names `seal` as 发文.印章.
fn workspace_with_seal(dir: &Path, seal: &str) -> PathBuf {
    let ws = dir.join("ws");
    copy_dir(&sample_dir(), &ws);
    let campaign = std::fs::read_to_string(ws.join("campaign.yaml")).unwrap();
    let line = format!("  印章: {}\n  监督电话:", serde_json::to_string(seal).unwrap());
    std::fs::write(ws.join("campaign.yaml"), campaign.replacen("  监督电话:", &line, 1)).unwrap();
    std::fs::create_dir_all(ws.join("seals")).unwrap();
    ws
}

/// `check` on a workspace whose seal is bad: an input error at the 发文.印章 line, in Chinese.
fn assert_seal_refused(ws: &Path, expect: &str) {
    let r = run_command(
        command(["check".as_ref(), ws.as_os_str()], &[]),
        Duration::from_secs(60),
    );
    let all = r.all();
    assert_eq!(r.code, Some(2), "{all}");
    assert!(r.elapsed < Duration::from_secs(30), "took {:?}", r.elapsed);
    let line = all
        .lines()
        .find(|l| l.contains("发文.印章"))
        .unwrap_or_else(|| panic!("no 发文.印章 diagnostic:\n{all}"));
    assert!(line.contains("campaign.yaml:"), "names the campaign.yaml line: {line}");
    assert!(line.contains(expect), "expected “{expect}” in: {line}");
    assert!(!all.contains("panicked") && !all.contains("root:"), "{all}");
}

#[test]
fn a_seal_outside_the_workspace_or_not_a_regular_file_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let case = |name: &str, seal: &str| workspace_with_seal(&tmp.path().join(name), seal);

    assert_seal_refused(&case("abs", "/etc/passwd"), "绝对路径");
    assert_seal_refused(&case("dev", "/dev/zero"), "绝对路径");
    assert_seal_refused(&case("up", "../x.png"), "..");
    assert_seal_refused(&case("missing", "seals/无.png"), "找不到印章图片");

    // A symlink inside the workspace that leads outside it.
    let outside = tmp.path().join("outside.png");
    std::fs::write(&outside, SEAL_PNG).unwrap();
    let ws = case("link", "seals/link.png");
    std::os::unix::fs::symlink(&outside, ws.join("seals/link.png")).unwrap();
    assert_seal_refused(&ws, "工作区之外");
    let ws = case("zero", "seals/zero.png");
    std::os::unix::fs::symlink("/dev/zero", ws.join("seals/zero.png")).unwrap();
    assert_seal_refused(&ws, "工作区之外");

    // A FIFO inside the workspace: refused by its type, never opened (opening would block).
    let ws = case("fifo", "seals/fifo.png");
    let made = Command::new("mkfifo").arg(ws.join("seals/fifo.png")).status().unwrap();
    assert!(made.success());
    assert_seal_refused(&ws, "不是普通文件");

    // A 33-byte PNG header claiming 66000×66000 pixels: refused from the header, not decoded.
    let ws = case("huge", "seals/huge.png");
    let mut header = SEAL_PNG[..33].to_vec();
    header[16..20].copy_from_slice(&66000u32.to_be_bytes());
    header[20..24].copy_from_slice(&66000u32.to_be_bytes());
    std::fs::write(ws.join("seals/huge.png"), header).unwrap();
    assert_seal_refused(&ws, "66000×66000");

    // Text is not an image.
    let ws = case("text", "seals/passwd.png");
    std::fs::write(ws.join("seals/passwd.png"), "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    assert_seal_refused(&ws, "不是 PNG 或 JPEG");
}

#[test]
fn a_valid_seal_is_checked_drawn_and_listed_among_the_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace_with_seal(tmp.path(), "seals/乡政府.png");
    std::fs::write(ws.join("seals/乡政府.png"), SEAL_PNG).unwrap();
    run(["check".as_ref(), ws.as_os_str()], &[]).ok("check");
    let out = tmp.path().join("out");
    build(&ws, &out, &["--only", "notice"], &[]).ok("build");
    let m = files_named(&out, "manifest.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m[0]).unwrap()).unwrap();
    let inputs = v["inputs"].as_array().expect("inputs");
    let seal = inputs
        .iter()
        .find(|i| i["path"] == "seals/乡政府.png")
        .unwrap_or_else(|| panic!("seal not among the inputs: {inputs:?}"));
    assert_eq!(
        seal["sha256"].as_str().unwrap(),
        fangpin::ingest::sha256_hex(SEAL_PNG),
        "{seal}"
    );
    // The notice draws it: the PDF with the seal differs from one without.
    let with = std::fs::read(&files_named(&out, "通知.pdf")[0]).unwrap();
    let plain_out = tmp.path().join("plain");
    build(&sample_dir(), &plain_out, &["--only", "notice"], &[]).ok("build without seal");
    let without = std::fs::read(&files_named(&plain_out, "通知.pdf")[0]).unwrap();
    assert!(with.len() > without.len(), "{} vs {}", with.len(), without.len());
}

// ------------------------------------------------------------------ workspace templates sandboxed

/// A copy of the sample workspace with `files` (path below `templates/` → text) as overrides.
fn workspace_with_templates(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let ws = dir.join("ws");
    copy_dir(&sample_dir(), &ws);
    for (name, text) in files {
        let path = ws.join("templates").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    ws
}

#[test]
fn a_workspace_wording_template_cannot_read_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = "fangpin-secret-value-8d1f";
    let ws = workspace_with_templates(
        tmp.path(),
        &[("text/notice.tera", "环境：{{ get_env(name=\"FANGPIN_TEST_SECRET\") }}")],
    );
    let r = build(
        &ws,
        &tmp.path().join("out"),
        &["--only", "notice"],
        &[("FANGPIN_TEST_SECRET", secret)],
    );
    let all = r.all();
    assert_eq!(r.code, Some(1), "{all}");
    assert!(all.contains("get_env 已停用") && all.contains("notice.tera"), "{all}");
    assert!(!all.contains(secret), "{all}");
    let leaked = walkdir::WalkDir::new(tmp.path().join("out"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .any(|e| {
            std::fs::read(e.path())
                .unwrap()
                .windows(secret.len())
                .any(|w| w == secret.as_bytes())
        });
    assert!(!leaked, "the variable reached an output file");
}

#[test]
fn an_endless_workspace_typst_template_stops_at_the_time_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace_with_templates(
        tmp.path(),
        &[(
            "notice.typ",
            "#let n = 0\n#for i in range(100000) { for j in range(100000) { n += 1 } }\n#n\n",
        )],
    );
    let r = run_command(
        command(
            [
                "build".as_ref(),
                ws.as_os_str(),
                "--out".as_ref(),
                tmp.path().join("out").as_os_str(),
                "--only".as_ref(),
                "notice".as_ref(),
            ],
            &[("FANGPIN_TEMPLATE_TIMEOUT", "2")],
        ),
        Duration::from_secs(120),
    );
    let all = r.all();
    assert_eq!(r.code, Some(1), "{all}");
    assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);
    assert!(
        all.contains("工作区模板“templates/notice.typ”排版超过 2 秒") && all.contains("FANGPIN_TEMPLATE_TIMEOUT"),
        "{all}"
    );
    assert!(!all.contains("panicked"), "{all}");
    // The stopped build leaves no staging folder behind (its abort hook removed it).
    let left: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_huge_range_in_a_workspace_typst_template_is_refused_not_an_abort() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace_with_templates(tmp.path(), &[("notice.typ", "#let a = range(10000000000)\n#a.len()\n")]);
    let r = run_command(
        command(
            [
                "build".as_ref(),
                ws.as_os_str(),
                "--out".as_ref(),
                tmp.path().join("out").as_os_str(),
                "--only".as_ref(),
                "notice".as_ref(),
            ],
            &[("FANGPIN_TEMPLATE_MEMORY_MB", "3000")],
        ),
        Duration::from_secs(120),
    );
    let all = r.all();
    assert_eq!(r.code, Some(1), "{all}");
    assert!(all.contains("工作区模板“templates/notice.typ”排版时"), "{all}");
    assert!(all.contains("已停止"), "{all}");
    assert!(!all.contains("memory allocation") && !all.contains("panicked"), "{all}");
}

// ------------------------------------------------------------------ numbers in free text

#[test]
fn phone_and_id_numbers_in_free_text_are_masked_on_public_documents_and_warned() {
    if !pdftotext_available() {
        eprintln!("pdftotext missing: install poppler-utils (.ci/run does)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(ws.join("村级数据")).unwrap();
    let campaign = json!({
        "名称": "2024年第二季度防止返贫监测帮扶集中排查",
        "年度": 2024,
        "地区": {"省": "云南省", "县": "青溪县", "乡镇": "石桥镇"},
        "监测范围": 7600,
        "统计截止日": AS_OF,
        "发文": {"机关": "石桥镇人民政府", "代字": "石政发", "序号": 12, "成文日期": "2024-05-09",
                 "主送": ["各村民委员会"], "监督电话": "0871-0000000"},
        "时间安排": [{"节点": "开展集中排查", "截止": "2024-06-05", "内容": "联系镇干部 139-1234-5678"}]
    });
    std::fs::write(ws.join("campaign.yaml"), yaml(campaign)).unwrap();
    let head = id("19800101", 11);
    let other = id("19750505", 31);
    let data = json!({
        "户": [{
            "乡镇": "石桥镇", "行政村": "新村", "村民小组": "1组 电话13812345678", "户编号": "H1",
            "户主姓名": "张三", "户主证件号码": head, "联系电话": "13900001111", "户类型": "监测户",
            "监测对象类型": "边缘易致贫户", "家庭人口数": 1, "家庭人均纯收入": 6000, "风险类型": "因病",
            "两不愁三保障及饮水安全是否达标": "是", "是否整户无劳动能力": "否", "备注": format!("亲属{other}"),
            "成员": [{"姓名": "张三", "证件号码": head, "与户主关系": "户主", "性别": "男", "劳动能力": "有劳动能力"}]
        }],
        "程序": [{"户编号": "H1", "程序类型": "识别纳入", "线索来源": "干部排查", "发现线索": "2024-05-16",
                  "入户核实": "2024-05-17", "签订承诺授权书": "2024-05-17", "信息比对": "2024-05-18",
                  "村级评议": "2024-05-19", "公示开始": "2024-05-20", "公示结束": "2024-05-24",
                  "乡镇审核": "2024-05-27", "县级审批": "2024-05-28", "结果公告": "2024-05-29"}],
        "帮扶措施": [{"户编号": "H1", "措施类别": "健康帮扶", "具体措施": format!("代办人身份证{other}"), "落实日期": "2024-05-23"}]
    });
    std::fs::write(ws.join("村级数据/新村.yaml"), yaml(data)).unwrap();

    // check: a warning naming the household and each field, the number itself masked.
    let r = run(["check".as_ref(), ws.as_os_str()], &[]).ok("check");
    let all = r.all();
    let line = |field: &str| {
        all.lines()
            .find(|l| l.contains(&format!("「{field}」")) && l.contains("户 H1（张三）"))
            .unwrap_or_else(|| panic!("no warning for {field}:\n{all}"))
            .to_string()
    };
    assert!(line("村民小组").contains("138****5678") && line("村民小组").contains("手机号码"));
    assert!(line("具体措施").contains("证件号码"));
    assert!(all.contains("campaign.yaml") && all.contains("139-****-5678"), "{all}");
    assert!(!all.contains("13812345678") && !all.contains(&other), "{all}");

    let out = tmp.path().join("out");
    build(&ws, &out, &["--only", "notice,publicity,announcement"], &[]).ok("build");
    let mut seen = 0;
    for name in ["拟纳入监测对象名单公示.pdf", "结果公告.pdf", "通知.pdf"] {
        for path in files_named(&out, name) {
            seen += 1;
            let text = squash(&pdf_text(&path));
            assert!(leaks(&text).is_empty(), "{name}: {:?}", leaks(&text));
            assert!(
                !text.contains("13812345678") && !text.contains(&other),
                "{name}: {text}"
            );
            if name == "通知.pdf" {
                assert!(text.contains("139-****-5678"), "{name}: {text}");
                assert!(text.contains("0871-0000000"), "the public hotline stays: {text}");
            } else {
                // pdftotext may interleave a wrapped cell with its neighbour: the pieces suffice.
                assert!(
                    text.contains("1组") && text.contains("电话") && text.contains("138****5678"),
                    "{name}: {text}"
                );
                assert!(
                    text.contains(&format!(
                        "代办人身份证{}",
                        other[..6].to_string() + "********" + &other[14..]
                    )),
                    "{name}: {text}"
                );
            }
        }
    }
    assert_eq!(seen, 3);
}
