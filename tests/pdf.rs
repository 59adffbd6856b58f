//! The PDF engine and the official documents (通知, the two 公示, 结果公告): laid-out text,
//! page counts, 公示期 dates, masking, determinism, literal printing of user data, fonts.
//!
//! Set `FANGPIN_PDF_DUMP=<dir>` to also write the PDFs there for looking at them.

use chrono::NaiveDate;
use fangpin::documents::publicity::PublicityKind;
use fangpin::documents::{announcement, notice, publicity};
use fangpin::model::*;
use fangpin::render::RenderError;
use fangpin::render::docs;
use fangpin::render::fonts::{FontOrigin, FontSet};
use fangpin::render::pdf::{EngineOptions, PdfEngine};
use fangpin::render::templates::TemplateSet;
use fangpin::render::text::TextEngine;
use fangpin::rules::Evaluation;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// One engine for the whole file, bundled fonts only, so results do not depend on the machine.
fn engine() -> &'static PdfEngine {
    static E: OnceLock<PdfEngine> = OnceLock::new();
    E.get_or_init(|| PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).unwrap())
}

fn text_engine() -> &'static TextEngine {
    static T: OnceLock<TextEngine> = OnceLock::new();
    T.get_or_init(|| TextEngine::new(None).unwrap())
}

const TRICKY: &str = "#set page(width: 1cm) $x$ *粗* _斜_ @a <b> {{ x }} {% if %}";

fn id_number(birth: NaiveDate, seq: u32) -> String {
    let body = format!("150724{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

fn household(id: &str, village: &str, group: &str, head: &str, size: u32) -> Household {
    let n: u32 = id.bytes().map(u32::from).sum();
    let members = (0..size)
        .map(|i| Member {
            household_id: id.into(),
            name: if i == 0 {
                head.into()
            } else {
                format!("{head}家属{i}")
            },
            id: id_number(date(1970 + i as i32 * 7, 3, 8), n + i),
            relation: if i == 0 { "户主".into() } else { "子女".into() },
            sex: None,
            birth: Some(date(1970 + i as i32 * 7, 3, 8)),
            labour: Some(LabourCapacity::Capable),
            health: None,
            schooling: None,
            severe_disability: false,
            place: Place::default(),
            disability: None,
            not_counted: None,
        })
        .collect::<Vec<_>>();
    Household {
        id: id.into(),
        township: "巴彦塔拉达斡尔民族乡".into(),
        village: village.into(),
        group: group.into(),
        head_name: head.into(),
        head_id: members[0].id.clone(),
        phone: Some("13912345678".into()),
        kind: HouseholdType::Monitored,
        monitor_category: Some(MonitorCategory::Marginal),
        size,
        income: Income {
            per_capita: Some(Money::from_yuan(7650)),
            ..Income::default()
        },
        risks: vec!["因病".into(), "缺劳动力".into()],
        basic_needs_met: Some(true),
        no_labour_household: false,
        exclusions: vec![],
        key_groups: vec![],
        helper: Some("包联干部".into()),
        income_ok_since: None,
        monitored_since: None,
        eliminated_on: None,
        sanitary_toilet: None,
        note: None,
        members,
        place: Place::default(),
    }
}

fn procedure(hid: &str, kind: ProcedureKind, stages: &[(Stage, NaiveDate)]) -> Procedure {
    Procedure {
        household_id: hid.into(),
        kind,
        lead_source: Some("干部排查".into()),
        elimination_mode: if kind == ProcedureKind::Elimination {
            Some("帮扶消除".into())
        } else {
            None
        },
        stages: stages.iter().copied().collect::<BTreeMap<_, _>>(),
        income_ok_since: None,
        note: None,
        place: Place::default(),
    }
}

fn measure(hid: &str, category: &str, detail: &str) -> Measure {
    Measure {
        household_id: hid.into(),
        category: category.into(),
        detail: detail.into(),
        date: None,
        place: Place::default(),
    }
}

fn workspace() -> Workspace {
    use ProcedureKind::*;
    use Stage::*;
    let mut households = vec![
        household("H001", "巴彦嘎查", "第一村民小组", "图门吉日嘎拉", 4),
        household("H002", "巴彦嘎查", "第二村民小组", "王淑珍", 3),
        household("H003", "巴彦嘎查", "第一村民小组", TRICKY, 2),
        household("H004", "孟根嘎查", "第三村民小组", "赵玉兰", 1),
        household("H005", "巴彦嘎查", "第二村民小组", "刘德胜", 5),
        household("H006", "孟根嘎查", "第一村民小组", "𠮷野家", 2),
    ];
    // H005 meets the 风险消除 conditions (004 §二(三)1): above the line since October 2023.
    households[4].income.per_capita = Some(Money::from_yuan(9600));
    households[4].income_ok_since = Some(date(2023, 10, 1));
    let procedures = vec![
        procedure(
            "H001",
            Identification,
            &[
                (LeadFound, date(2024, 5, 28)),
                (VillageReview, date(2024, 6, 4)),
                (PublicityStart, date(2024, 6, 6)),
            ],
        ),
        procedure(
            "H003",
            Identification,
            &[
                (LeadFound, date(2024, 5, 29)),
                (VillageReview, date(2024, 6, 4)),
                (PublicityStart, date(2024, 6, 6)),
            ],
        ),
        // At 村级评议, not yet posted: starts on the first working day from the run date.
        procedure(
            "H002",
            Identification,
            &[(LeadFound, date(2024, 6, 18)), (VillageReview, date(2024, 6, 25))],
        ),
        procedure(
            "H005",
            Elimination,
            &[
                (HomeVisit, date(2024, 5, 20)),
                (VillageReview, date(2024, 5, 24)),
                (PublicityStart, date(2024, 5, 27)),
                (PublicityEnd, date(2024, 5, 31)),
                (TownshipReview, date(2024, 6, 3)),
                (CountyApproval, date(2024, 6, 5)),
            ],
        ),
        procedure(
            "H004",
            Identification,
            &[
                (LeadFound, date(2024, 5, 10)),
                (VillageReview, date(2024, 5, 14)),
                (PublicityStart, date(2024, 5, 15)),
                (PublicityEnd, date(2024, 5, 21)),
                (TownshipReview, date(2024, 5, 22)),
                (CountyApproval, date(2024, 5, 24)),
                (ResultNotice, date(2024, 5, 27)),
            ],
        ),
    ];
    let measures = vec![
        measure("H001", "健康帮扶", "落实大病专项救治和医疗救助"),
        measure("H001", "公益岗位", "安排护林员公益岗位"),
        measure("H005", "产业帮扶", "扶持养殖肉牛5头"),
    ];
    Workspace {
        root: PathBuf::from("data"),
        campaign: Campaign {
            name: "2024年第二季度防止返贫监测帮扶集中排查".into(),
            year: 2024,
            region: Region {
                province: "内蒙古自治区".into(),
                county: "鄂温克族自治旗".into(),
                township: "巴彦塔拉达斡尔民族乡".into(),
            },
            monitoring_line: Money::from_yuan(8300),
            key_group_income_line: None,
            as_of: Some(date(2024, 6, 30)),
            pdf_standard: None,
            issuance: Some(Issuance {
                authority: "巴彦塔拉达斡尔民族乡人民政府".into(),
                prefix: "巴乡政发".into(),
                number: 12,
                date: Some(date(2024, 5, 11)),
                to: vec!["各嘎查委员会".into(), "驻村工作队".into()],
                cc: vec!["旗乡村振兴局".into()],
                seal: None,
                phone: Some("0470-3321234".into()),
                title: None,
                attachments: vec!["拟纳入监测对象名单公示（样式）".into(), "问题整改台账".into()],
                printer: None,
            }),
            milestones: vec![
                MilestoneDef {
                    name: "全面培训部署".into(),
                    due: date(2024, 5, 10),
                    content: Some("乡村两级完成动员部署和业务培训".into()),
                    township_only: false,
                },
                MilestoneDef {
                    name: "开展集中排查".into(),
                    due: date(2024, 6, 5),
                    content: Some("逐户入户核实，完成识别纳入、风险消除程序".into()),
                    township_only: false,
                },
                MilestoneDef {
                    name: "信息采集录入".into(),
                    due: date(2024, 6, 10),
                    content: None,
                    township_only: false,
                },
                MilestoneDef {
                    name: "提交总结报告".into(),
                    due: date(2024, 6, 20),
                    content: Some("报送盖章扫描件".into()),
                    township_only: false,
                },
            ],
            place: Place::default(),
        },
        rules: RulesFile::defaults(),
        data: Dataset {
            households,
            procedures,
            measures,
            ..Dataset::default()
        },
        inputs: vec![],
        diagnostics: vec![],
        seal: None,
    }
}

/// The rules' evaluation of the fixture workspace as of the run date (documents read verdicts).
fn evaluation() -> Evaluation {
    evaluation_on(&workspace(), date(2024, 6, 30))
}

fn evaluation_on(ws: &Workspace, as_of: NaiveDate) -> Evaluation {
    fangpin::rules::evaluate(ws, as_of).unwrap()
}

fn flat(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn dump(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("FANGPIN_PDF_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(name), bytes).unwrap();
    }
}

/// The longest run of digits (an `X` check digit counts) in `s`.
fn longest_digit_run(s: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c.is_ascii_digit() || c == 'X' || c == 'x' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[test]
fn notice_follows_gbt9704() {
    let ws = workspace();
    let pdf = docs::notice::render(engine(), text_engine(), &ws, date(2024, 6, 30)).unwrap();
    dump("通知.pdf", &pdf.bytes);
    let view = notice::view(&ws, text_engine(), date(2024, 6, 30), None).unwrap();
    let pages = engine().render_text_pages(notice::TEMPLATE, &view).unwrap();
    assert_eq!(pages.len(), pdf.pages);
    assert!(pdf.pages >= 2, "the body with its table runs over a page");
    let all = flat(&pages.join(""));
    for s in [
        "巴彦塔拉达斡尔民族乡人民政府文件",
        "巴乡政发〔2024〕12号",
        "关于开展2024年第二季度防止返贫监测帮扶集中排查工作的通知",
        "各嘎查委员会、驻村工作队：",
        "一、目标任务",
        "（一）识别认定新增监测对象",
        "家庭年人均纯收入8300元",
        "全面培训部署",
        "2024年6月5日前",
        "公示期不少于5个工作日",
        "附件：1.拟纳入监测对象名单公示（样式）",
        "2.问题整改台账",
        "2024年5月11日",
        "抄送：旗乡村振兴局。",
        "巴彦塔拉达斡尔民族乡人民政府办公室",
        "2024年5月11日印发",
    ] {
        assert!(all.contains(s), "通知 lacks {s}:\n{}", pages.join("\n----\n"));
    }
    // Page numbers: — 1 — on odd pages (right), — 2 — on even ones (left).
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains(&format!("— {} —", i + 1)),
            "page {} number missing:\n{p}",
            i + 1
        );
    }
    // No space between CJK and digits.
    assert!(!pages.join("").contains("2024 年"));
    // 版记 on the last page only.
    assert!(flat(pages.last().unwrap()).contains("印发"));
    assert!(!flat(&pages[0]).contains("抄送"));
}

#[test]
fn notice_body_lines_hold_28_characters() {
    // 22 lines × 28 characters: a paragraph of 56 ideographs fills exactly two lines after its
    // two-character indent takes 2 of the first line.
    let ws = workspace();
    let mut view = notice::view(&ws, text_engine(), date(2024, 6, 30), None).unwrap();
    view.body = "国".repeat(26 + 28 * 2);
    view.schedule.clear();
    let text = engine().render_text(notice::TEMPLATE, &view).unwrap();
    // (The paragraph may go to the next page with the 落款: a page starts with a form feed.)
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('\u{c}'))
        .filter(|l| l.chars().all(|c| c == '国') && !l.is_empty())
        .collect();
    assert_eq!(
        lines.iter().map(|l| l.chars().count()).collect::<Vec<_>>(),
        [26, 28, 28],
        "{text}"
    );
}

#[test]
fn notice_pages_hold_22_body_lines() {
    let ws = workspace();
    let mut view = notice::view(&ws, text_engine(), date(2024, 6, 30), None).unwrap();
    // One-line paragraphs (26 characters after the indent) fill whole pages.
    view.body = vec!["国".repeat(26); 80].join("\n");
    view.schedule.clear();
    let pages = engine().render_text_pages(notice::TEMPLATE, &view).unwrap();
    let body_lines = |p: &str| {
        p.lines()
            .filter(|l| l.chars().count() == 26 && l.chars().all(|c| c == '国'))
            .count()
    };
    assert!(pages.len() >= 4);
    for p in &pages[1..pages.len() - 1] {
        assert_eq!(body_lines(p), 22, "{p}");
    }
}

#[test]
fn notice_is_byte_identical_across_runs() {
    let ws = workspace();
    let a = docs::notice::render(engine(), text_engine(), &ws, date(2024, 6, 30)).unwrap();
    let fresh = PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).unwrap();
    let b = docs::notice::render(&fresh, text_engine(), &ws, date(2024, 6, 30)).unwrap();
    assert_eq!(a.bytes, b.bytes);
    // The creation date is the document's, not the clock's.
    let s = String::from_utf8_lossy(&a.bytes);
    assert!(s.contains("20240511"), "creation date missing");
}

fn count_images(frame: &typst::layout::Frame) -> usize {
    frame
        .items()
        .map(|(_, item)| match item {
            typst::layout::FrameItem::Group(g) => count_images(&g.frame),
            typst::layout::FrameItem::Image(..) => 1,
            _ => 0,
        })
        .sum()
}

/// The document's text in layout order (cell by cell for tables), for checking that a value
/// prints whole even where its cell wraps it.
fn layout_order_text<V: serde::Serialize>(template: &str, view: &V) -> String {
    fn walk(frame: &typst::layout::Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => out.push_str(&t.text),
                _ => {}
            }
        }
    }
    let doc = engine().document(template, view, None).unwrap();
    let mut out = String::new();
    for p in doc.pages() {
        walk(&p.frame, &mut out);
    }
    out
}

#[test]
fn notice_draws_the_seal_only_when_given() {
    // A 16×16 red ring (PNG). The seal reaches rendering already validated by ingest
    // (src/ingest/seal.rs, tested in tests/hardening.rs); rendering never reads a path.
    const SEAL_PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0xf3, 0xff, 0x61, 0x00, 0x00, 0x00,
        0x3b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xc6, 0x20, 0xf4, 0x9f, 0x12, 0xcc, 0x30, 0xb8, 0x0d,
        0x60, 0x80, 0x02, 0xb2, 0x0c, 0x60, 0x40, 0x03, 0x24, 0x19, 0xc0, 0x80, 0x03, 0x10, 0x65, 0x00, 0x03, 0x01,
        0x80, 0xd7, 0x00, 0x06, 0x22, 0x01, 0xed, 0x0c, 0xa0, 0xd8, 0x0b, 0x54, 0x09, 0x44, 0xaa, 0x44, 0x23, 0x55,
        0x12, 0xd2, 0xd0, 0xc9, 0x4c, 0x00, 0x4f, 0x28, 0x81, 0x2c, 0x34, 0x09, 0x0f, 0xfa, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let mut ws = workspace();
    let without = docs::notice::render(engine(), text_engine(), &ws, date(2024, 6, 30)).unwrap();
    ws.seal = Some(fangpin::model::SealImage {
        path: "seals/乡政府.png".into(),
        format: "png",
        width: 16,
        height: 16,
        bytes: SEAL_PNG.to_vec(),
    });
    let with = docs::notice::render(engine(), text_engine(), &ws, date(2024, 6, 30)).unwrap();
    dump("通知-印章.pdf", &with.bytes);
    assert_ne!(with.bytes, without.bytes);
    let images = |ws: &Workspace| {
        let seal = ws.seal.as_ref().map(|s| format!("{}.{}", notice::SEAL_ASSET, s.format));
        let v = notice::view(ws, text_engine(), date(2024, 6, 30), seal).unwrap();
        let doc = engine().document(notice::TEMPLATE, &v, None).unwrap();
        doc.pages().iter().map(|p| count_images(&p.frame)).sum::<usize>()
    };
    assert_eq!(images(&ws), 1, "the seal is drawn once");
    ws.seal = None;
    assert_eq!(images(&ws), 0, "no seal image, nothing drawn");
}

#[test]
fn identification_publicity_per_village_with_working_day_period() {
    let ws = workspace();
    let ev = evaluation();
    let views = publicity::views(&ws, &ev, text_engine(), PublicityKind::Identification).unwrap();
    // 孟根嘎查's case was posted in May and is approved since; its notice can still be printed.
    assert_eq!(
        views.iter().map(|v| v.village.as_str()).collect::<Vec<_>>(),
        ["巴彦嘎查", "孟根嘎查"]
    );
    let m = &views[1];
    // Wed 5月15日 + 5 working days → Tue 5月21日, as recorded.
    assert_eq!(
        (m.batches[0].start, m.batches[0].end),
        (date(2024, 5, 15), date(2024, 5, 21))
    );
    let v = &views[0];
    assert_eq!(v.batches.len(), 2, "posted on 6月6日, and the one still at 村级评议");
    let first = &v.batches[0];
    // Thu 6月6日 + 5 working days counting the first, 端午 (6月10日) off → 6月13日.
    assert_eq!((first.start, first.end), (date(2024, 6, 6), date(2024, 6, 13)));
    let second = &v.batches[1];
    // Run date Sun 6月30日 → Mon 7月1日 … Fri 7月5日.
    assert_eq!((second.start, second.end), (date(2024, 7, 1), date(2024, 7, 5)));

    let pdf = docs::publicity::render(engine(), v, ev.as_of).unwrap();
    dump("巴彦嘎查-拟纳入监测对象名单公示.pdf", &pdf.bytes);
    assert_eq!(pdf.pages, 2, "one page per 公示期");
    let pages = engine().render_text_pages(publicity::TEMPLATE, v).unwrap();
    assert_eq!(pages.len(), 2);
    // Layout order keeps each table cell whole.
    let all = flat(&layout_order_text(publicity::TEMPLATE, v));
    let (p1, p2) = all.split_at(all.find("公示期间").unwrap());
    for s in [
        "巴彦嘎查拟纳入监测对象名单公示",
        "公示时间：2024年6月6日至2024年6月13日（5个工作日）",
        "拟将以下2户6人纳入防止返贫监测对象（第1批）",
        "序号",
        "监测对象类型",
        "拟采取帮扶措施",
        "图门吉日嘎拉",
        "边缘易致贫户",
        "因病、缺劳动力",
        "健康帮扶：落实大病专项救治和医疗救助",
        "监督电话：0470-3321234",
        "巴彦嘎查村民委员会",
    ] {
        assert!(
            p1.contains(s) || (s.starts_with("监督电话") || s.ends_with("委员会")) && p2.contains(s),
            "公示 lacks {s}:\n{}",
            pages[0]
        );
    }
    assert!(flat(&pages[1]).contains("2024年7月1日至2024年7月5日"));
    assert!(flat(&pages[1]).contains("王淑珍"));
}

#[test]
fn long_lists_break_across_pages_with_the_header_repeated() {
    let mut ws = workspace();
    for i in 0..70 {
        let id = format!("L{i:03}");
        let mut h = household(&id, "巴彦嘎查", "第四村民小组", &format!("长名单户主{i}号"), 2);
        h.risks = vec![
            "因病".into(),
            "因残".into(),
            "因学".into(),
            "因意外事故".into(),
            "住房安全".into(),
        ];
        ws.data.households.push(h);
        ws.data.procedures.push(procedure(
            &id,
            ProcedureKind::Identification,
            &[
                (Stage::VillageReview, date(2024, 6, 4)),
                (Stage::PublicityStart, date(2024, 6, 6)),
            ],
        ));
    }
    let v = publicity::view(
        &ws,
        &evaluation_on(&ws, date(2024, 6, 30)),
        text_engine(),
        "巴彦嘎查",
        PublicityKind::Identification,
    )
    .unwrap()
    .unwrap();
    assert_eq!(v.batches[0].rows.len(), 72);
    let pages = engine().render_text_pages(publicity::TEMPLATE, &v).unwrap();
    let first_batch: Vec<&String> = pages.iter().take_while(|p| !p.contains("第2批")).collect();
    assert!(first_batch.len() >= 3, "72 rows need several pages");
    for p in first_batch.iter().filter(|p| p.contains("长名单户主")) {
        assert!(p.contains("户主姓名"), "header repeated on every page with rows:\n{p}");
    }
    let all = flat(&layout_order_text(publicity::TEMPLATE, &v));
    assert!(all.contains("长名单户主69号") && all.contains("因病、因残、因学、因意外事故、住房安全"));
}

#[test]
fn elimination_publicity_lists_the_mode() {
    let ws = workspace();
    let views = publicity::views(&ws, &evaluation(), text_engine(), PublicityKind::Elimination).unwrap();
    assert_eq!(views.len(), 1);
    let v = &views[0];
    // Its own 公示结束 (5月31日) is the fifth working day from 5月27日: kept.
    assert_eq!(
        (v.batches[0].start, v.batches[0].end),
        (date(2024, 5, 27), date(2024, 5, 31))
    );
    let pdf = docs::publicity::render(engine(), v, date(2024, 6, 30)).unwrap();
    dump("巴彦嘎查-拟标注风险消除名单公示.pdf", &pdf.bytes);
    let text = flat(&layout_order_text(publicity::TEMPLATE, v));
    for s in [
        "巴彦嘎查拟标注风险消除名单公示",
        "风险消除方式",
        "帮扶消除",
        "刘德胜",
        "拟标注为“风险消除”",
        "产业帮扶：扶持养殖肉牛5头",
    ] {
        assert!(text.contains(s), "lacks {s}: {text}");
    }
}

#[test]
fn announcement_after_county_approval_in_township_name() {
    let ws = workspace();
    let ev = evaluation();
    let views = announcement::views(&ws, &ev, text_engine()).unwrap();
    let villages: Vec<&str> = views.iter().map(|v| v.village.as_str()).collect();
    assert_eq!(villages, ["巴彦嘎查", "孟根嘎查"]);
    let by = |name: &str| views.iter().find(|v| v.village == name).unwrap();
    let b = by("巴彦嘎查");
    assert_eq!(b.date, date(2024, 6, 5));
    let m = by("孟根嘎查");
    assert_eq!(m.date, date(2024, 5, 27), "the recorded 结果公告 date");
    for v in [b, m] {
        let pdf = docs::announcement::render(engine(), v).unwrap();
        dump(&format!("{}-结果公告.pdf", v.village), &pdf.bytes);
        assert_eq!(pdf.pages, 1);
    }
    let text = flat(&layout_order_text(announcement::TEMPLATE, m));
    for s in [
        "关于孟根嘎查防止返贫监测对象识别结果的公告",
        "孟根嘎查村民委员会及全体村民",
        "赵玉兰",
        "2024年5月24日",
        "巴彦塔拉达斡尔民族乡人民政府",
        "2024年5月27日",
        "县级审批",
    ] {
        assert!(text.contains(s), "lacks {s}: {text}");
    }
    // A case approved after the run date is not announced yet.
    let early = evaluation_on(&ws, date(2024, 6, 1));
    let views = announcement::views(&ws, &early, text_engine()).unwrap();
    assert_eq!(
        views.iter().map(|v| v.village.as_str()).collect::<Vec<_>>(),
        ["孟根嘎查"]
    );
}

#[test]
fn public_documents_show_no_id_or_phone_numbers() {
    let ws = workspace();
    let ev = evaluation();
    let mut texts = Vec::new();
    for kind in [PublicityKind::Identification, PublicityKind::Elimination] {
        for v in publicity::views(&ws, &ev, text_engine(), kind).unwrap() {
            texts.push(engine().render_text(publicity::TEMPLATE, &v).unwrap());
        }
    }
    for v in announcement::views(&ws, &ev, text_engine()).unwrap() {
        texts.push(engine().render_text(announcement::TEMPLATE, &v).unwrap());
    }
    assert_eq!(texts.len(), 5);
    for t in &texts {
        assert!(
            longest_digit_run(t) < 11,
            "an 11+ digit number in a public document:\n{t}"
        );
        assert!(!t.contains("13912345678"));
        for h in &ws.data.households {
            assert!(!t.contains(&h.head_id));
        }
    }
}

#[test]
fn user_data_with_markup_prints_literally() {
    let ws = workspace();
    let views = publicity::views(&ws, &evaluation(), text_engine(), PublicityKind::Identification).unwrap();
    let pdf = docs::publicity::render(engine(), &views[0], date(2024, 6, 30)).unwrap();
    assert_eq!(pdf.pages, 2, "#set page in a name changes nothing");
    let text = flat(&layout_order_text(publicity::TEMPLATE, &views[0]));
    assert!(text.contains(&flat(TRICKY)), "{text}");
    // The same through the 承诺-style wording path: a village name with tera syntax.
    let mut ws2 = workspace();
    for h in &mut ws2.data.households {
        if h.village == "孟根嘎查" {
            h.village = "{{ village }}{% if x %}嘎查".into();
        }
    }
    let v = announcement::view(
        &ws2,
        &evaluation_on(&ws2, date(2024, 6, 30)),
        text_engine(),
        "{{ village }}{% if x %}嘎查",
    )
    .unwrap()
    .unwrap();
    let text = flat(&layout_order_text(announcement::TEMPLATE, &v));
    assert!(
        text.contains("关于{{village}}{%ifx%}嘎查防止返贫监测对象识别结果的公告"),
        "{text}"
    );
}

#[test]
fn template_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("publicity.typ"),
        "#import \"lib.typ\": *\n\n#let x = (1, 2\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("announcement.typ"),
        "#import \"lib.typ\": *\n#let data = json(bytes(sys.inputs.data))\n#data.nope\n",
    )
    .unwrap();
    let e = PdfEngine::with_options(Some(dir.path()), &EngineOptions { system_fonts: false }).unwrap();
    let err = e.render_text("publicity.typ", &()).unwrap_err();
    assert!(
        matches!(&err, RenderError::Template { file, line: 3, .. } if file == "publicity.typ"),
        "{err:?}"
    );
    let err = e
        .render_text("announcement.typ", &serde_json::json!({"a": 1}))
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("announcement.typ") && msg.contains("第3行"), "{msg}");
}

#[test]
fn workspace_templates_override_builtins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("text")).unwrap();
    std::fs::write(
        dir.path().join("text/publicity.tera"),
        "本村自拟说明：{{ village }}共{{ households }}户。\n【名单】\n",
    )
    .unwrap();
    let ws = workspace();
    let text = TextEngine::new(Some(dir.path())).unwrap();
    let v = publicity::view(&ws, &evaluation(), &text, "巴彦嘎查", PublicityKind::Identification)
        .unwrap()
        .unwrap();
    assert_eq!(v.batches[0].intro, "本村自拟说明：巴彦嘎查共2户。");
    let out = flat(&engine().render_text(publicity::TEMPLATE, &v).unwrap());
    assert!(out.contains("本村自拟说明：巴彦嘎查共2户。"));
}

#[test]
fn every_role_has_a_face_and_rare_characters_are_reported() {
    let roles = engine().font_roles().unwrap();
    assert_eq!(roles.len(), 5);
    for r in &roles {
        let f = r.face.as_ref().unwrap();
        assert!(matches!(f.origin, FontOrigin::Bundled(_)), "{r:?}");
    }
    let ws = workspace();
    let missing = fangpin::render::fonts::uncovered_with(engine().fonts(), &ws);
    // 𠮷 (U+20BB7, Extension B) is in no bundled face (the head's name, also a member row);
    // everything else is.
    let got: Vec<(char, &str, &str)> = missing
        .iter()
        .map(|m| (m.ch, m.household_id.as_str(), m.field.as_str()))
        .collect();
    assert_eq!(got, [('𠮷', "H006", "户主姓名"), ('𠮷', "H006", "成员姓名")]);
}

/// The glyphs used for `text` and the families of their fonts.
fn glyphs_of(engine: &PdfEngine, text: &str) -> Vec<(String, u16)> {
    fn walk(frame: &typst::layout::Frame, out: &mut Vec<(String, u16)>) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => {
                    out.extend(t.glyphs.iter().map(|g| (t.font.info().family.clone(), g.id)));
                }
                _ => {}
            }
        }
    }
    let doc = engine
        .document("probe.typ", &serde_json::json!({ "text": text }), None)
        .unwrap();
    let mut out = Vec::new();
    for p in doc.pages() {
        walk(&p.frame, &mut out);
    }
    out
}

/// The glyph a face's cmap gives a character.
fn gid_of(font: &typst::text::Font, c: char) -> u16 {
    let face = ttf_parser::Face::parse(font.data(), font.index()).unwrap();
    face.glyph_index(c).unwrap().0
}

fn probe_templates(font: &str) -> (tempfile::TempDir, TemplateSet) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("probe.typ"),
        format!("#set text(font: \"{font}\", lang: \"zh\", region: \"cn\")\n#json(bytes(sys.inputs.data)).text\n"),
    )
    .unwrap();
    let set = TemplateSet::load(Some(dir.path())).unwrap();
    (dir, set)
}

#[test]
fn simplified_chinese_face_is_chosen_from_a_collection() {
    // The Debian collection holds JP, KR, SC, TC and HK faces of Noto Serif CJK (JP first);
    // 骨 直 角 新 have different glyphs in each.
    let ttc = Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc");
    let Ok(data) = std::fs::read(ttc) else {
        eprintln!("skipped: {} not installed", ttc.display());
        return;
    };
    let bytes = typst::foundations::Bytes::new(data);
    let faces: Vec<(typst::text::Font, FontOrigin)> = typst::text::Font::iter(bytes)
        .map(|f| (f, FontOrigin::System(ttc.to_path_buf())))
        .collect();
    assert!(faces.len() >= 4);
    let sc = faces
        .iter()
        .find(|(f, _)| f.info().family == "Noto Serif CJK SC")
        .unwrap()
        .0
        .clone();
    let jp = faces
        .iter()
        .find(|(f, _)| f.info().family == "Noto Serif CJK JP")
        .unwrap()
        .0
        .clone();
    let (_dir, set) = probe_templates("Noto Serif CJK SC");
    let e = PdfEngine::from_parts(&set, Arc::new(FontSet::from_fonts(faces))).unwrap();
    let used = glyphs_of(&e, "骨直角新");
    assert_eq!(used.len(), 4);
    for ((family, gid), c) in used.iter().zip("骨直角新".chars()) {
        assert_eq!(family, "Noto Serif CJK SC");
        let want = gid_of(&sc, c);
        assert_eq!(*gid, want, "{c}");
    }
    // And the regions really map these characters to different glyphs.
    let differs = "骨直角新".chars().filter(|&c| gid_of(&sc, c) != gid_of(&jp, c)).count();
    assert_eq!(differs, 4);
}

#[test]
fn bundled_simplified_face_wins_over_installed_collections() {
    // With system fonts on, the templates' "Noto Serif CJK SC" is the bundled subset, whatever
    // collections the machine has installed.
    let (_dir, set) = probe_templates("Noto Serif CJK SC");
    let e = PdfEngine::from_parts(&set, Arc::new(FontSet::for_templates(&set, true))).unwrap();
    let bundled = FontSet::new(&Default::default(), false);
    let sc = bundled
        .fonts()
        .iter()
        .find(|f| f.info().family == "Noto Serif CJK SC")
        .unwrap();
    for ((family, gid), c) in glyphs_of(&e, "骨直角新").iter().zip("骨直角新".chars()) {
        assert_eq!(family, "Noto Serif CJK SC");
        assert_eq!(*gid, gid_of(sc, c));
    }
}

/// GB/T 9704 7.3.5: the pages of `pages` that hold the 成文日期 `date` (a line of its own) also
/// hold body text: some line other than the 署名 `issuer`, the date and the page number.
fn signature_pages_without_text(pages: &[String], issuer: &str, date: &str) -> Vec<usize> {
    let is_page_number = |l: &str| l.starts_with('第') && l.ends_with('页') || l.starts_with('—');
    pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.lines().any(|l| l.trim() == date))
        .filter(|(_, p)| {
            !p.lines()
                .map(str::trim)
                .any(|l| !l.is_empty() && l != issuer && l != date && !is_page_number(l))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn the_signature_never_stands_alone_on_a_page() {
    // Text added paragraph by paragraph moves the 署名 and 成文日期 through every place on the
    // page, across the page break: the last paragraph always goes with them.
    let ws = workspace();
    let ev = evaluation();
    let filler = "经村民小组会议、村级评议并经乡镇审核，现将有关情况公布如下，请广大群众监督。";
    let ann = announcement::views(&ws, &ev, text_engine()).unwrap().remove(0);
    let pubs = publicity::views(&ws, &ev, text_engine(), PublicityKind::Identification).unwrap();
    let pubv = pubs.into_iter().next().expect("a 公示");
    let mut notice_view = notice::view(&ws, text_engine(), date(2024, 5, 11), None).unwrap();
    let notice_body = notice_view.body.clone();
    let mut checked_breaks = 0;
    for extra in 0..28 {
        let more = vec![filler; extra].join("\n");
        let mut a = ann.clone();
        a.intro = format!("{}\n{more}", a.intro);
        let pages = engine().render_text_pages(announcement::TEMPLATE, &a).unwrap();
        checked_breaks += usize::from(pages.len() > 1);
        let bad = signature_pages_without_text(&pages, &a.issuer, &a.date_zh);
        assert!(bad.is_empty(), "结果公告 +{extra}: pages {bad:?} hold only the 落款");

        let mut p = pubv.clone();
        p.batches[0].intro = format!("{}\n{more}", p.batches[0].intro);
        let pages = engine().render_text_pages("publicity.typ", &p).unwrap();
        let bad = signature_pages_without_text(&pages, &p.issuer, &p.batches[0].start_zh);
        assert!(bad.is_empty(), "公示 +{extra}: pages {bad:?} hold only the 落款");

        notice_view.body = format!("{more}\n{notice_body}");
        let pages = engine().render_text_pages(notice::TEMPLATE, &notice_view).unwrap();
        let date_zh = notice_view.date.format("%Y年%-m月%-d日").to_string();
        let bad = signature_pages_without_text(&pages, &notice_view.signature, &date_zh);
        assert!(bad.is_empty(), "通知 +{extra}: pages {bad:?} hold only the 落款");
    }
    assert!(checked_breaks > 5, "the sweep reached the page break");
}

/// The right end (pt from the page's left edge) of every text run on each page: where the glyph
/// boxes end, as placed (a hanging punctuation mark is shifted right by its overhang).
fn run_ends(doc: &typst_layout::PagedDocument) -> Vec<(f64, String)> {
    fn walk(frame: &typst::layout::Frame, origin: f64, out: &mut Vec<(f64, String)>) {
        for (pos, item) in frame.items() {
            let x = origin + pos.x.to_pt();
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, x + g.transform.tx.to_pt(), out),
                typst::layout::FrameItem::Text(t) => {
                    let mut end = x;
                    for g in &t.glyphs {
                        end += g.x_advance.at(t.size).to_pt() + g.x_offset.at(t.size).to_pt();
                    }
                    out.push((end, t.text.to_string()));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for p in doc.pages() {
        walk(&p.frame, 0.0, &mut out);
    }
    out
}

#[test]
fn notice_punctuation_does_not_hang_past_the_text_block() {
    // Lines ending in 、；，。 (a body built so that many lines do): with hanging punctuation
    // those marks stick out past the 版心 (156 mm from the 28 mm 订口).
    let ws = workspace();
    let mut view = notice::view(&ws, text_engine(), date(2024, 6, 30), None).unwrap();
    view.body = [
        "国".repeat(25) + "，" + &"国".repeat(27) + "；" + &"国".repeat(27) + "、" + &"国".repeat(27) + "。",
        "国".repeat(26) + "，" + &"国".repeat(26) + "。",
    ]
    .join("\n");
    let doc = engine().document(notice::TEMPLATE, &view, None).unwrap();
    let right = (28.0 + 156.0) / 25.4 * 72.0;
    let ends = run_ends(&doc);
    let marks: Vec<&(f64, String)> = ends
        .iter()
        .filter(|(_, t)| t.contains(['，', '；', '、', '。']))
        .collect();
    assert!(!marks.is_empty());
    // 1.5 pt: the letter-spacing after a line's last character (the grid's tracking) may reach
    // past the edge; a hanging mark reaches half an em (8 pt) past it.
    for (end, text) in ends {
        assert!(
            end <= right + 1.5,
            "“{text}” ends at {end:.1} pt, past the 版心 edge {right:.1} pt"
        );
    }
}

#[test]
fn pdf_a_2b_copies_declare_the_standard_and_lay_out_in_full() {
    use fangpin::render::pdf::{PdfStandard, RenderMode};
    assert_eq!(PdfStandard::parse("a-2b"), Some(PdfStandard::A2b));
    assert_eq!(PdfStandard::parse("A-2B"), Some(PdfStandard::A2b));
    assert_eq!(PdfStandard::parse("a-3x"), None);
    assert_eq!(PdfStandard::A2b.key(), Some("a-2b"));
    let archive = PdfEngine::with_options(None, &EngineOptions { system_fonts: false })
        .unwrap()
        .with_standard(PdfStandard::A2b);
    assert_eq!(archive.mode(), RenderMode::Full, "PDF/A copies are laid out in full");
    let ws = workspace();
    let pdf = docs::notice::render(&archive, text_engine(), &ws, date(2024, 5, 11)).unwrap();
    let raw = String::from_utf8_lossy(&pdf.bytes);
    // The XMP metadata (uncompressed, as PDF/A wants it readable) says PDF/A-2b.
    let part = raw.contains("<pdfaid:part>2</pdfaid:part>") || raw.contains("pdfaid:part=\"2\"");
    let conformance =
        raw.contains("<pdfaid:conformance>B</pdfaid:conformance>") || raw.contains("pdfaid:conformance=\"B\"");
    assert!(part && conformance, "no PDF/A-2b identification in the XMP");
    assert!(raw.contains("/OutputIntents"), "PDF/A needs an output intent");
    // The default copy is plain PDF.
    let plain = docs::notice::render(engine(), text_engine(), &ws, date(2024, 5, 11)).unwrap();
    assert!(!String::from_utf8_lossy(&plain.bytes).contains("pdfaid:part"));
    // Text reads the same either way.
    assert_eq!(
        flat(&common_text(&pdf.bytes)),
        flat(&common_text(&plain.bytes)),
        "PDF/A copy says what the default one says"
    );
}

#[test]
fn a_character_no_font_covers_is_reported_before_an_archive_copy() {
    let mut ws = workspace();
    // U+2A6A5 (CJK Extension B, a character used in names) is in none of the bundled faces.
    let rare = '\u{2A6A5}';
    ws.data.households[0].head_name = format!("王{rare}");
    let set = engine().fonts();
    assert!(!set.covers(rare));
    let err = fangpin::render::fonts::archive_coverage_error(set, &ws).expect("reported");
    let msg = err.to_string();
    assert!(msg.contains(rare) && msg.contains("U+2A6A5"), "{msg}");
    assert!(msg.contains(&ws.data.households[0].id), "names the household: {msg}");
    assert!(msg.contains("PDF/A") && msg.contains("安装"), "{msg}");
    // The fixture's 𠮷野家 (U+20BB7, Extension B) is reported too; with 吉 nothing is.
    assert!(msg.contains("U+20BB7"), "{msg}");
    let mut clean_ws = workspace();
    for h in &mut clean_ws.data.households {
        h.head_name = h.head_name.replace('𠮷', "吉");
        for m in &mut h.members {
            m.name = m.name.replace('𠮷', "吉");
        }
    }
    let clean = fangpin::render::fonts::archive_coverage_error(set, &clean_ws);
    assert!(clean.is_none(), "{:?}", clean.map(|e| e.to_string()));
}

/// The text of PDF bytes as pdftotext reads it.
fn common_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}
