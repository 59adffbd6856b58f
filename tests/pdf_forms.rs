//! The form documents (承诺授权书, 筛查表, 入户排查表) laid out by the real templates: their text,
//! page counts, page orientation, determinism and that user data prints literally.
//!
//! Set `FANGPIN_PDF_DUMP=<dir>` to also write the PDFs there for looking at them.

mod common;

use chrono::NaiveDate;
use fangpin::documents::{commitment, screening, survey};
use fangpin::model::*;
use fangpin::render::docs;
use fangpin::render::pdf::{EngineOptions, PdfEngine};
use fangpin::rules::{Evaluation, IncomeResult, ScreeningResult, Summary};
use std::path::PathBuf;
use std::sync::OnceLock;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// One engine for the whole file, bundled fonts only, so results do not depend on the machine.
fn engine() -> &'static PdfEngine {
    static E: OnceLock<PdfEngine> = OnceLock::new();
    E.get_or_init(|| PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).unwrap())
}

/// A valid GB 11643 number for a birth date and a sequence.
fn id_number(birth: NaiveDate, seq: u32) -> String {
    let body = format!("150724{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

fn member(hid: &str, name: &str, birth: NaiveDate, seq: u32, relation: &str) -> Member {
    Member {
        household_id: hid.into(),
        name: name.into(),
        id: id_number(birth, seq),
        relation: relation.into(),
        sex: None,
        birth: Some(birth),
        labour: Some(LabourCapacity::Capable),
        health: None,
        schooling: None,
        severe_disability: false,
        place: Place::default(),
        disability: None,
        not_counted: None,
    }
}

/// A household whose head was born in 1975 and whose other members are given as
/// (name, birth year, relation).
fn household(id: &str, village: &str, head: &str, others: &[(&str, i32, &str)]) -> Household {
    let n: u32 = id.bytes().map(u32::from).sum();
    let mut members = vec![member(id, head, date(1975, 3, 8), n, "户主")];
    for (i, (name, year, rel)) in others.iter().enumerate() {
        members.push(member(id, name, date(*year, 6, 1), n + i as u32 + 1, rel));
    }
    Household {
        id: id.into(),
        township: "巴彦塔拉达斡尔民族乡".into(),
        village: village.into(),
        group: "第一村民小组".into(),
        head_name: head.into(),
        head_id: members[0].id.clone(),
        phone: Some("13912345678".into()),
        kind: HouseholdType::Lifted,
        monitor_category: None,
        size: members.len() as u32,
        income: Income {
            per_capita: Some(Money::from_yuan(9650)),
            ..Income::default()
        },
        risks: vec![],
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

fn workspace(households: Vec<Household>) -> Workspace {
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
            issuance: None,
            milestones: vec![],
            place: Place::default(),
        },
        rules: RulesFile::defaults(),
        data: Dataset {
            // Each household has an open 识别纳入 case, so each signs a 承诺授权书 now.
            procedures: households.iter().map(open_case).collect(),
            households,
            ..Dataset::default()
        },
        inputs: vec![],
        diagnostics: vec![],
        seal: None,
    }
}

/// A 识别纳入 case at its start (lead found, nothing signed yet).
fn open_case(h: &Household) -> Procedure {
    Procedure {
        household_id: h.id.clone(),
        kind: ProcedureKind::Identification,
        lead_source: Some("干部排查".into()),
        elimination_mode: None,
        stages: [(Stage::LeadFound, date(2024, 6, 20))].into_iter().collect(),
        income_ok_since: None,
        note: None,
        place: Place::default(),
    }
}

/// Rule results as the rules would give them for these plain households: income below the
/// line makes a 核查重点群体.
fn evaluation(ws: &Workspace) -> Evaluation {
    let line = ws.campaign.monitoring_line;
    Evaluation {
        as_of: date(2024, 6, 30),
        incomes: ws
            .data
            .households
            .iter()
            .map(|h| IncomeResult {
                household_id: h.id.clone(),
                net_total: None,
                per_capita: h.income.per_capita,
                above_line: h.income.per_capita.map(|p| p > line),
                change: None,
            })
            .collect(),
        screening: ws
            .data
            .households
            .iter()
            .map(|h| {
                let below = h.income.per_capita.is_some_and(|p| p <= line);
                ScreeningResult {
                    household_id: h.id.clone(),
                    basic_needs_met: h.basic_needs_met,
                    income_above_line: h.income.per_capita.map(|p| p > line),
                    key_group: below,
                    reasons: if below {
                        vec!["人均纯收入在监测范围内".into()]
                    } else {
                        vec![]
                    },
                    exclusions: h.exclusions.clone(),
                }
            })
            .collect(),
        compliance: vec![],
        ledger: vec![],
        summary: Summary::default(),
        findings: vec![],
        cases: fangpin::rules::evaluate(ws, date(2024, 6, 30)).unwrap().cases,
    }
}

const TEN: &[(&str, i32, &str)] = &[
    ("其其格", 1977, "配偶"),
    ("巴特尔", 1999, "子"),
    ("萨仁高娃", 2001, "女"),
    ("乌日娜", 2012, "孙女"),
    ("额尔敦", 2015, "孙子"),
    ("敖登格日乐", 1950, "母亲"),
    ("达古拉", 2003, "儿媳"),
    ("阿拉坦仓", 1948, "父亲"),
    ("苏日古嘎", 2019, "孙女"),
];

fn sample() -> Workspace {
    let mut a = household("H001", "巴彦嘎查", "图门吉日嘎拉", TEN);
    a.income.per_capita = Some(Money(612_345));
    let b = household(
        "H002",
        "巴彦嘎查",
        "王淑珍",
        &[("李建国", 1972, "配偶"), ("李小雨", 2010, "女")],
    );
    let c = household("H003", "巴彦嘎查", "刘德胜", &[]);
    let d = household("H004", "孟根嘎查", "赵玉兰", &[]);
    workspace(vec![a, b, c, d])
}

/// Text without line breaks and spaces, so phrases that wrap still match.
fn flat(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn dump(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("FANGPIN_PDF_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(name), bytes).unwrap();
    }
}

/// Page sizes in mm (width, height), rounded.
fn page_sizes<V: serde::Serialize>(template: &str, view: &V) -> Vec<(i64, i64)> {
    let doc = engine().document(template, view, None).unwrap();
    doc.pages()
        .iter()
        .map(|p| {
            let s = p.frame.size();
            ((s.x.to_mm()).round() as i64, (s.y.to_mm()).round() as i64)
        })
        .collect()
}

#[test]
fn commitment_one_page_per_household_with_full_ids() {
    let ws = sample();
    let ev = evaluation(&ws);
    let view = commitment::view(&ws, &ev, "巴彦嘎查").unwrap();
    let pdf = engine().render("commitment.typ", &view, ev.as_of).unwrap();
    dump("承诺授权书.pdf", &pdf.bytes);
    assert_eq!(
        pdf.pages, 3,
        "one page per household of the village, the 10-member one included"
    );
    assert!(pdf.bytes.starts_with(b"%PDF"));

    let pages = engine().render_text_pages("commitment.typ", &view).unwrap();
    assert_eq!(pages.len(), 3);
    for (page, h) in pages.iter().zip(ws.data.households.iter().take(3)) {
        let text = flat(page);
        assert!(text.contains("农户承诺和授权查询书"), "{page}");
        assert!(text.contains("内部资料"));
        assert!(text.contains("巴彦嘎查委员会："));
        assert!(
            text.contains(&flat(commitment::BODY)),
            "the 002 附件1 text, whole: {page}"
        );
        assert!(text.contains(&flat(commitment::PROXY_NOTE)), "the 002 §2(4) 代签 rule");
        assert!(text.contains("代签人签字"));
        assert!(text.contains(&format!("户编号：{}", h.id)));
        // Every member, with the full (unmasked) ID, on their own household's page only.
        for m in &h.members {
            assert!(text.contains(&m.name), "{} missing on {}'s page", m.name, h.head_name);
            assert!(text.contains(&m.id), "full ID of {} missing", m.name);
        }
        assert!(!text.contains("赵玉兰"), "other villages stay out");
    }
    // Minors get no signature box: the 10-member household has 3 children (born 2012, 2015,
    // 2019; 2003 and older are adults), each marked in the 签字 cell.
    assert_eq!(flat(&pages[0]).matches("未满18周岁").count(), 3);
    assert_eq!(flat(&pages[1]).matches("未满18周岁").count(), 1);
    assert_eq!(flat(&pages[2]).matches("未满18周岁").count(), 0);
    // Portrait A4.
    assert!(page_sizes("commitment.typ", &view).iter().all(|s| *s == (210, 297)));
}

#[test]
fn commitment_fits_one_page_for_large_households() {
    // 10 members is the brief's case; 16 shows the rows shrink rather than overflow.
    let mut many: Vec<(&str, i32, &str)> = TEN.to_vec();
    many.extend_from_slice(&[("甲", 1980, "亲属"), ("乙", 1981, "亲属"), ("丙", 1982, "亲属")]);
    many.extend_from_slice(&[("丁", 1983, "亲属"), ("戊", 1984, "亲属"), ("己", 1985, "亲属")]);
    // Long values are set smaller and stay on their row, not wrapped into the next one.
    const LONG_NAME: &str = "阿卜杜热合曼·买买提江";
    const LONG_RELATION: &str = "其他亲属关系";
    let ws = workspace(vec![
        household("H1", "东山村", "张大山", TEN),
        household("H2", "东山村", "张二山", &many),
        household("H3", "东山村", LONG_NAME, &[("古丽", 1990, LONG_RELATION)]),
    ]);
    assert_eq!(ws.data.households[0].members.len(), 10);
    assert_eq!(ws.data.households[1].members.len(), 16);
    let ev = evaluation(&ws);
    let view = commitment::view(&ws, &ev, "东山村").unwrap();
    assert_eq!(view.addressee, "东山村委会");
    let pdf = engine().render("commitment.typ", &view, ev.as_of).unwrap();
    dump("承诺授权书-大户.pdf", &pdf.bytes);
    let pages = engine().render_text_pages("commitment.typ", &view).unwrap();
    assert_eq!(pages.len(), 3);
    assert!(flat(&pages[1]).contains("己"));
    assert!(flat(&pages[1]).contains("年月日"), "the date line is still on the page");
    let head_id = &ws.data.households[2].head_id;
    let table_line = pages[2].lines().find(|l| l.contains(head_id.as_str())).unwrap();
    assert!(
        table_line.contains(LONG_NAME) && table_line.contains("户主"),
        "{table_line}"
    );
    assert!(pages[2].lines().any(|l| l.contains(LONG_RELATION)));
}

#[test]
fn screening_table_is_landscape_with_repeated_header() {
    let mut households = Vec::new();
    for i in 0..70 {
        let mut h = household(
            &format!("H{i:03}"),
            "东山村",
            &format!("户主{i}"),
            &[("配偶", 1976, "配偶")],
        );
        if i % 3 == 0 {
            h.income.per_capita = Some(Money::from_yuan(5200 + i));
        }
        if i == 4 {
            h.exclusions = vec!["购买消费型汽车".into()];
            h.basic_needs_met = None;
        }
        households.push(h);
    }
    let ws = workspace(households);
    let ev = evaluation(&ws);
    let view = screening::view(&ws, &ev, "东山村").unwrap();
    let pdf = engine().render("screening.typ", &view, ev.as_of).unwrap();
    dump("筛查表.pdf", &pdf.bytes);
    assert!(pdf.pages >= 2, "70 households need more than one landscape page");
    assert!(
        page_sizes("screening.typ", &view).iter().all(|s| *s == (297, 210)),
        "A4 landscape"
    );

    let pages = engine().render_text_pages("screening.typ", &view).unwrap();
    assert_eq!(pages.len(), pdf.pages);
    for page in &pages {
        let t = flat(page);
        // Header cells wrap in their narrow columns, so look for the short ones.
        assert!(
            t.contains("户编号") && t.contains("户主姓名") && t.contains("备注"),
            "header repeated: {page}"
        );
    }
    let all = flat(&pages.join(""));
    assert!(all.contains("防止返贫监测帮扶筛查表"));
    assert!(all.contains("监测范围：家庭年人均纯收入8300元"));
    assert_eq!(view.columns[8], "家庭人均纯收入是否超过8300元");
    assert!(
        all.contains("户主0") && all.contains("户主69"),
        "every household is listed"
    );
    assert!(all.contains("5200.00") && all.contains("9650.00"));
    assert!(all.contains("是（人均纯收入"), "key group with its reason");
    // The opinion of an excluded household names the exclusion.
    let excluded = view.rows.iter().find(|r| !r.exclusions.is_empty()).unwrap();
    assert!(excluded.opinion.contains("存在不得纳入情形"), "{}", excluded.opinion);
    assert!(all.contains("本村共筛查70户，其中核查重点群体24户"));
    assert!(all.contains("调查员签字"));
}

#[test]
fn survey_forms_list_the_13_categories_and_prefill() {
    let mut ws = sample();
    ws.data.households[1].risks = vec!["住房安全".into()];
    ws.data.households[1].kind = HouseholdType::Monitored;
    ws.data.households[1].monitor_category = Some(MonitorCategory::Marginal);
    let ev = evaluation(&ws);
    let view = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    let pdf = engine().render("survey.typ", &view, ev.as_of).unwrap();
    dump("入户排查表.pdf", &pdf.bytes);

    let pages = engine().render_text_pages("survey.typ", &view).unwrap();
    assert_eq!(pages.len(), pdf.pages);
    // Each household's form starts on a fresh page: find the first page of each.
    let starts: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| flat(p).contains("户主姓名："))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts, [0, 1, 2], "one page per household");
    let all = flat(&pages.join(""));
    for k in ProblemType::ALL {
        assert!(all.matches(k.label()).count() >= 3, "{k} on every form");
    }
    assert!(all.contains("鄂温克族自治旗巩固拓展脱贫攻坚成果集中排查入户排查表"));
    assert!(all.contains("⑾其他"));
    // Lines wrap inside the 排查内容 cell, so look for the tick and the item's start.
    assert!(all.contains("√②现住房"), "住房安全 risk ticks 住房 ②");
    assert!(all.contains("风险类型：住房安全"));
    // 002 附件2: 脱贫户□、边缘易致贫户□、一般农户□, the 监测对象类型 noted after the boxes.
    assert!(
        all.contains("户类型：脱贫户□、边缘易致贫户√、一般农户□监测对象类型：边缘易致贫户"),
        "{all}"
    );
    assert!(
        all.contains("户类型：脱贫户√、边缘易致贫户□、一般农户□"),
        "the 脱贫户 forms"
    );
    assert!(all.contains("排查人签字"));
    assert!(all.contains("填表说明"));
    assert!(
        all.contains(&ws.data.households[0].head_id),
        "full ID on the internal form"
    );
    assert!(all.contains("内部资料"));
}

#[test]
fn measured_survey_rows_lay_out_like_self_measured_ones() {
    let mut ws = sample();
    ws.data.households[1].risks = vec!["住房安全".into(), "因病".into()];
    ws.data.households[1].kind = HouseholdType::Monitored;
    ws.data.households[1].monitor_category = Some(MonitorCategory::Marginal);
    let ev = evaluation(&ws);
    let view = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    let sized = docs::survey::measured(engine(), view.clone());
    assert!(sized.notes_height.is_some_and(|h| h > 20.0));
    let rows = sized.rows.as_ref().unwrap();
    assert!(rows.iter().all(|c| c.height.is_some_and(|x| x > 10.0)));
    // Most rows are the same on every form: far fewer distinct rows than forms × 13.
    assert!(rows.len() < 13 * sized.households.len());
    for h in &sized.households {
        let ids = h.row_ids.as_ref().unwrap();
        assert_eq!(ids.len(), 13);
        assert!(ids.iter().all(|&i| i < rows.len()));
    }
    // Same rows, same heights: the fixed-size layout says exactly what the measuring one does.
    assert_eq!(
        engine().render_text_pages("survey.typ", &sized).unwrap(),
        engine().render_text_pages("survey.typ", &view).unwrap()
    );
    let pdf = docs::survey::render(engine(), view.clone(), ev.as_of).unwrap();
    assert_eq!(pdf.pages, view.households.len());
}

/// Form bodies placed as images from the pre-laid-out bodies PDF read and sit exactly like forms
/// laid out in full. Only bodies shared by several forms are laid out apart; a body too tall for
/// the room below its household lines is laid out in full instead and runs onto the next page.
#[test]
fn survey_bodies_placed_as_images_match_the_laid_out_forms() {
    let mut ws = sample();
    ws.data.households[1].risks = vec!["住房安全".into()];
    let ev = evaluation(&ws);
    let mut view = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    view.households[2].categories[5].problems = (1..=40).map(|i| format!("第{i}条问题")).collect();
    // Each of the three forms twice, and one form with a body of its own.
    let mut own = view.households[0].clone();
    own.categories[3].problems = vec!["只此一户的问题".into()];
    view.households = (0..6).map(|i| view.households[i % 3].clone()).chain([own]).collect();
    let live = engine().render("survey.typ", &view, ev.as_of).unwrap();
    let (placed_view, bodies) =
        docs::survey::with_bodies(engine(), docs::survey::measured(engine(), view.clone()), ev.as_of).unwrap();
    assert!(bodies.is_some());
    let uses: Vec<bool> = placed_view.households.iter().map(|h| h.body.is_some()).collect();
    assert_eq!(
        uses,
        [true, true, false, true, true, false, false],
        "the over-long forms and the form with a body of its own are laid out in full"
    );
    let placed = docs::survey::render(engine(), view.clone(), ev.as_of).unwrap();
    assert_eq!(placed.pages, live.pages);
    assert_eq!(
        placed.pages,
        view.households.len() + 2,
        "the long forms run onto a second page"
    );
    assert_eq!(common::pdf_words(&placed.bytes), common::pdf_words(&live.bytes));
    let text = common::pdf_bytes_text(&placed.bytes);
    assert!(text.contains("填表说明") && text.contains("第40条问题"));
    // Each distinct body is written once: fewer bytes than the same forms laid out in full.
    let plain = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    let many = survey::SurveyView {
        households: (0..40).map(|i| plain.households[i % 2].clone()).collect(),
        ..plain
    };
    let full = engine().render("survey.typ", &many, ev.as_of).unwrap();
    let shared = docs::survey::render(engine(), many, ev.as_of).unwrap();
    assert_eq!(full.pages, shared.pages);
    assert!(
        (shared.bytes.len() as f64) < 0.6 * full.bytes.len() as f64,
        "{} vs {}",
        shared.bytes.len(),
        full.bytes.len()
    );
}

/// The 承诺授权书's same-on-every-page parts placed as images sit exactly where the laid-out
/// parts do, and an override template without the statics mode still renders.
#[test]
fn commitment_parts_placed_as_images_match_the_laid_out_ones() {
    let ws = sample();
    let ev = evaluation(&ws);
    let view = commitment::view(&ws, &ev, "巴彦嘎查").unwrap();
    assert!(docs::commitment::statics(engine(), &view, ev.as_of).unwrap().is_some());
    let live = engine().render("commitment.typ", &view, ev.as_of).unwrap();
    let placed = docs::commitment::render(engine(), &view, ev.as_of).unwrap();
    assert_eq!(placed.pages, live.pages);
    assert_eq!(common::pdf_words(&placed.bytes), common::pdf_words(&live.bytes));

    let (_dir, own) = old_style_override("commitment.typ", "自制承诺书");
    assert!(docs::commitment::statics(&own, &view, ev.as_of).unwrap().is_none());
    let pdf = docs::commitment::render(&own, &view, ev.as_of).unwrap();
    assert_eq!(pdf.pages, view.households.len());
    assert!(common::pdf_bytes_text(&pdf.bytes).contains("自制承诺书"));
}

/// `docs::survey::with_bodies` counts a digit 0.6 em, other ASCII 1.1 em and CJK 1 em when it decides
/// that a household line cannot wrap: true of the bundled faces.
#[test]
fn bundled_faces_are_no_wider_than_the_survey_assumes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
    for name in [
        "NotoSerifCJKsc-Regular.otf",
        "NotoSerifCJKsc-Bold.otf",
        "NotoSansCJKsc-Regular.otf",
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let em = f64::from(face.units_per_em());
        let advance = |c: char| f64::from(face.glyph_hor_advance(face.glyph_index(c).unwrap()).unwrap()) / em;
        for c in '0'..='9' {
            assert!(advance(c) <= 0.6, "{name}: {c} is {} em", advance(c));
        }
        for c in ' '..='~' {
            assert!(advance(c) <= 1.1, "{name}: {c} is {} em", advance(c));
        }
        for c in "户编号数据截至主姓名证件码联系电话类型脱贫监测一般农组村镇（）、：　□√·".chars()
        {
            assert!(advance(c) <= 1.0, "{name}: {c} is {} em", advance(c));
        }
    }
}

/// An engine whose workspace overrides `template` with one written for an older version: a page
/// per household saying `label` and the head's name, and none of the newer modes (measure,
/// bodies, statics). The folder lives as long as the returned guard.
fn old_style_override(template: &str, label: &str) -> (tempfile::TempDir, PdfEngine) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(template),
        format!(
            "#let data = json(bytes(sys.inputs.data))\n#for (i, h) in data.households.enumerate() {{\n  if i > 0 {{ pagebreak() }}\n  [{label}：#h.head_name]\n}}\n"
        ),
    )
    .unwrap();
    let engine = PdfEngine::with_options(Some(dir.path()), &EngineOptions { system_fonts: false }).unwrap();
    (dir, engine)
}

/// A workspace's own 入户排查表 written for an older version (no measure mode) still renders:
/// the rows are then simply not pre-measured.
#[test]
fn survey_override_without_measure_mode_still_renders() {
    let (_dir, own) = old_style_override("survey.typ", "自制排查表");
    let ws = sample();
    let ev = evaluation(&ws);
    let view = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    let pdf = docs::survey::render(&own, view.clone(), ev.as_of).unwrap();
    assert_eq!(pdf.pages, view.households.len());
    assert!(flat(&own.render_text("survey.typ", &view).unwrap()).contains("自制排查表"));
}

#[test]
fn same_input_gives_identical_bytes() {
    let ws = sample();
    let ev = evaluation(&ws);
    let c = commitment::view(&ws, &ev, "巴彦嘎查").unwrap();
    let s = screening::view(&ws, &ev, "巴彦嘎查").unwrap();
    let v = survey::view(&ws, &ev, "巴彦嘎查").unwrap();
    for _ in 0..2 {
        assert_eq!(
            engine().render("commitment.typ", &c, ev.as_of).unwrap().bytes,
            engine().render("commitment.typ", &c, ev.as_of).unwrap().bytes
        );
    }
    assert_eq!(
        engine().render("screening.typ", &s, ev.as_of).unwrap().bytes,
        engine().render("screening.typ", &s, ev.as_of).unwrap().bytes
    );
    assert_eq!(
        docs::survey::render(engine(), v.clone(), ev.as_of).unwrap().bytes,
        docs::survey::render(engine(), v.clone(), ev.as_of).unwrap().bytes
    );
    // A fresh engine gives the same bytes too (nothing depends on engine state or the clock).
    let fresh = PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).unwrap();
    assert_eq!(
        fresh.render("commitment.typ", &c, ev.as_of).unwrap().bytes,
        engine().render("commitment.typ", &c, ev.as_of).unwrap().bytes
    );
}

#[test]
fn markup_in_data_prints_literally() {
    const NASTY: &[&str] = &[
        "#set page(width: 1cm)",
        "{{x}}",
        "{% if %}",
        "$x$",
        "*粗*",
        "_斜_",
        "@a",
        "<b>",
        "\\",
    ];
    let others: Vec<(&str, i32, &str)> = NASTY.iter().map(|n| (*n, 1980, "#pagebreak()")).collect();
    let mut h = household("H#1", "东山村", "#set page(width: 1cm)", &others);
    h.group = "]{{ x }}[".into();
    h.note = Some("#pagebreak() #pagebreak()".into());
    h.exclusions = vec!["$x$".into()];
    let mut ws = workspace(vec![h]);
    ws.data.households[0].risks = vec!["住房安全".into()];
    let ev = evaluation(&ws);

    let c = commitment::view(&ws, &ev, "东山村").unwrap();
    let pdf = engine().render("commitment.typ", &c, ev.as_of).unwrap();
    assert_eq!(pdf.pages, 1);
    assert!(
        page_sizes("commitment.typ", &c).iter().all(|s| *s == (210, 297)),
        "page width untouched"
    );
    let text = flat(&engine().render_text("commitment.typ", &c).unwrap());
    for n in NASTY {
        assert!(text.contains(&flat(n)), "{n} not printed literally: {text}");
    }
    assert!(text.contains("]{{x}}["));
    assert!(text.contains("#pagebreak()"));

    let s = screening::view(&ws, &ev, "东山村").unwrap();
    // Narrow cells wrap the name, so check its pieces; the page keeps its landscape size.
    let text = flat(&engine().render_text("screening.typ", &s).unwrap());
    assert!(text.contains("#set") && text.contains("1cm)"), "{text}");
    assert!(text.contains("$x$"));
    assert_eq!(engine().render("screening.typ", &s, ev.as_of).unwrap().pages, 1);
    assert!(page_sizes("screening.typ", &s).iter().all(|s| *s == (297, 210)));

    let v = survey::view(&ws, &ev, "东山村").unwrap();
    let text = flat(&engine().render_text("survey.typ", &v).unwrap());
    assert!(text.contains("#setpage(width:1cm)"));
}

/// Every document of this file rendered from the built-in sample workspace (data/), as `build`
/// does: the three village forms for each village, the three township reports once.
#[test]
fn sample_workspace_documents() {
    use fangpin::documents::{compliance_report, ledger, summary};
    let ws = fangpin::ingest::load_workspace(std::path::Path::new("data")).unwrap();
    let as_of = ws.campaign.as_of.unwrap();
    let ev = fangpin::rules::evaluate(&ws, as_of).unwrap();
    let villages = ws.data.villages();
    assert!(villages.len() >= 3);
    for v in &villages {
        let in_village = ws.data.households.iter().filter(|h| &h.village == v).count();
        // Forms for the households that sign in this campaign (their verdict says so).
        let signing: std::collections::BTreeSet<&str> = ev
            .cases
            .iter()
            .filter(|c| c.signs_now && &c.village == v)
            .map(|c| c.household_id.as_str())
            .collect();
        let Some(c) = commitment::view(&ws, &ev, v) else {
            assert!(signing.is_empty(), "{v}: households sign but no 承诺授权书");
            continue;
        };
        let pdf = engine().render("commitment.typ", &c, as_of).unwrap();
        assert_eq!(
            pdf.pages,
            signing.len(),
            "{v}: one 承诺授权书 page per signing household"
        );
        dump(&format!("{v}-承诺授权书.pdf"), &pdf.bytes);

        let s = screening::view(&ws, &ev, v).unwrap();
        assert_eq!(s.rows.len(), in_village);
        let pdf = engine().render("screening.typ", &s, as_of).unwrap();
        dump(&format!("{v}-筛查表.pdf"), &pdf.bytes);
        let text = flat(&engine().render_text("screening.typ", &s).unwrap());
        for r in &s.rows {
            assert!(
                text.contains(&flat(&r.household_id)),
                "{v}: {} missing from 筛查表",
                r.household_id
            );
        }

        let sv = survey::view(&ws, &ev, v).unwrap();
        let pdf = engine().render("survey.typ", &sv, as_of).unwrap();
        assert_eq!(pdf.pages, in_village, "{v}: one 入户排查表 page per household");
        dump(&format!("{v}-入户排查表.pdf"), &pdf.bytes);
    }

    let l = ledger::view(&ws, &ev);
    let pdf = engine().render("ledger.typ", &l, as_of).unwrap();
    dump("问题整改台账.pdf", &pdf.bytes);
    let text = flat(&engine().render_text("ledger.typ", &l).unwrap());
    assert!(text.contains("巩固拓展脱贫攻坚成果集中排查问题整改台账（户内问题）"));
    assert!(text.contains("巩固拓展脱贫攻坚成果集中排查问题整改台账（面上问题）"));
    assert!(
        text.contains("填报单位（盖章）：") && text.contains("填报人：") && text.contains("填报时间：2024年6月30日")
    );
    assert!(text.contains(&format!("共{}项", l.counts.total)));
    // Narrow cells wrap, so look for the start of each 责任人 (a name fits a line).
    for line in l.household.iter().chain(&l.area) {
        let start: String = line.person.chars().take(2).collect();
        assert!(text.contains(&start), "{} missing from 台账", line.person);
    }
    assert!(page_sizes("ledger.typ", &l).iter().all(|s| *s == (297, 210)));

    let sm = summary::view(&ws, &ev);
    let pdf = engine().render("summary.typ", &sm, as_of).unwrap();
    dump("整改情况汇总表.pdf", &pdf.bytes);
    let text = flat(&engine().render_text("summary.typ", &sm).unwrap());
    assert!(text.contains("巩固拓展脱贫攻坚成果集中排查整改情况汇总表"));
    assert!(text.contains("单位（盖章）：") && text.contains("填报时间：2024年6月30日"));
    assert!(text.contains("三保障") && text.contains("小计") && text.contains("合计"));
    for u in &sm.units {
        assert!(text.contains(&flat(&u.unit)));
    }
    assert_eq!(sm.total.found, l.counts.total, "汇总表 reconciles with the 台账");

    let cr = compliance_report::view(&ws, &ev);
    let pdf = engine().render("compliance.typ", &cr, as_of).unwrap();
    dump("时限合规报告.pdf", &pdf.bytes);
    let pages = engine().render_text_pages("compliance.typ", &cr).unwrap();
    let text = flat(&pages.join(""));
    assert!(text.contains("防止返贫监测帮扶办理时限合规报告") && text.contains("填报单位（盖章）："));
    assert!(
        text.contains("一、状态统计")
            && text.contains("二、暂缓公示")
            && text.contains("三、办理时限")
            && text.contains("四、工作进度")
    );
    if pages.len() > 1 {
        assert!(
            pages
                .iter()
                .skip(1)
                .all(|p| flat(p).contains("规则") || flat(p).contains("节点")),
            "header repeated"
        );
    }
    for l in cr.cases.iter().filter(|l| l.bad) {
        assert!(text.contains(&flat(&l.household_id)));
    }
}

/// A long 时限合规报告 is laid out in parts and numbered afterwards: every line is there, every
/// page says 第i页 共N页 with the right numbers, and the sections come once, in order.
#[test]
fn compliance_report_in_parts_keeps_every_line_and_numbers_pages() {
    use fangpin::documents::compliance_report;
    let ws = fangpin::ingest::load_workspace(std::path::Path::new("data")).unwrap();
    let as_of = ws.campaign.as_of.unwrap();
    let ev = fangpin::rules::evaluate(&ws, as_of).unwrap();
    let cr = compliance_report::view(&ws, &ev);
    assert!(cr.cases.len() > 20, "the sample has enough lines to split");
    let whole = docs::compliance::render(engine(), &cr, as_of).unwrap();
    let parts = docs::compliance::render_in_parts(engine(), &cr, 7, as_of).unwrap();
    assert!(parts.pages >= whole.pages);
    assert_eq!(
        parts.bytes,
        docs::compliance::render_in_parts(engine(), &cr, 7, as_of)
            .unwrap()
            .bytes,
        "same parts, same bytes"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parts.pdf");
    std::fs::write(&path, &parts.bytes).unwrap();
    let text = common::pdf_text(&path);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), parts.pages);
    for (i, p) in pages.iter().enumerate() {
        let p = flat(p);
        assert!(
            p.contains(&format!("第{}页", i + 1)) && p.contains(&format!("共{}页", parts.pages)),
            "page {} footer: {p}",
            i + 1
        );
    }
    let all = flat(&text);
    for l in &cr.cases {
        assert!(all.contains(&flat(&l.household_id)), "{} missing", l.household_id);
    }
    assert_eq!(all.matches("一、状态统计").count(), 1);
    assert_eq!(all.matches("二、暂缓公示").count(), 1);
    assert_eq!(all.matches("四、工作进度").count(), 1);
    assert!(all.find("二、暂缓公示") < all.find("三、办理时限"));
    assert!(all.find("三、办理时限") < all.find("四、工作进度"));
}

/// Throughput of the 承诺授权书 template, cold (nothing memoised from an earlier compile):
/// `cargo test --release --test pdf_forms commitment_throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn commitment_throughput() {
    let village = |salt: usize| {
        let households: Vec<Household> = (0..1000)
            .map(|i| {
                let others: &[(&str, i32, &str)] = &TEN[..(i % 5)];
                household(&format!("H{salt}{i:04}"), "东山村", &format!("张{}{}", salt, i), others)
            })
            .collect();
        let ws = workspace(households);
        let ev = evaluation(&ws);
        (commitment::view(&ws, &ev, "东山村").unwrap(), ev.as_of)
    };
    let e = engine();
    let (warm, as_of) = village(0);
    e.render("commitment.typ", &warm, as_of).unwrap();

    let (view, _) = village(1);
    let t = std::time::Instant::now();
    let doc = e.document("commitment.typ", &view, Some(as_of)).unwrap();
    let layout = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let bytes = fangpin::render::pdf::export_pdf(&doc, "commitment.typ", as_of).unwrap();
    let export = t.elapsed().as_secs_f64();
    assert_eq!(doc.pages().len(), 1000);
    println!(
        "承诺授权书 1000 pages: layout {layout:.3}s + PDF export {export:.3}s = {:.0} pages/s, {} KiB",
        1000.0 / (layout + export),
        bytes.len() / 1024
    );

    // Two villages at once, one per core, as `build` renders them.
    let views: Vec<_> = (2..4).map(village).collect();
    let t = std::time::Instant::now();
    let c = cpu_seconds();
    std::thread::scope(|s| {
        for (v, d) in &views {
            s.spawn(move || assert_eq!(e.render("commitment.typ", v, *d).unwrap().pages, 1000));
        }
    });
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c;
    println!(
        "two 1000-page batches in parallel: {secs:.3}s = {:.0} pages/s",
        2000.0 / secs
    );
    // On a shared machine the wall clock says little; CPU time over two cores is the rate
    // both cores would give when nothing else runs.
    println!(
        "  CPU {cpu:.3}s = {:.0} pages per CPU-second, {:.0} pages/s on two idle cores",
        2000.0 / cpu,
        4000.0 / cpu
    );
}

/// CPU time (user + system) of this process so far, from /proc (Linux only; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// The internal documents print 内部资料 on every page; the 筛查表's signature rows leave room to
/// sign; the 台账's dates never wrap; the 时限合规报告 cites its bases by document and section.
#[test]
fn internal_marks_signature_rows_dates_and_bases() {
    use fangpin::documents::{compliance_report, ledger, summary};
    let ws = fangpin::ingest::load_workspace(std::path::Path::new("data")).unwrap();
    let as_of = ws.campaign.as_of.unwrap();
    let ev = fangpin::rules::evaluate(&ws, as_of).unwrap();
    let village = &ws.data.villages()[0];
    let s = screening::view(&ws, &ev, village).unwrap();
    let l = ledger::view(&ws, &ev);
    let sm = summary::view(&ws, &ev);
    let cr = compliance_report::view(&ws, &ev);
    let kinds: [(&str, Vec<String>); 4] = [
        ("筛查表", engine().render_text_pages("screening.typ", &s).unwrap()),
        ("问题整改台账", engine().render_text_pages("ledger.typ", &l).unwrap()),
        (
            "整改情况汇总表",
            engine().render_text_pages("summary.typ", &sm).unwrap(),
        ),
        (
            "时限合规报告",
            engine().render_text_pages("compliance.typ", &cr).unwrap(),
        ),
    ];
    for (name, pages) in &kinds {
        assert!(
            pages.len() > 1 || *name == "整改情况汇总表" || *name == "筛查表",
            "{name}: {} pages",
            pages.len()
        );
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains("内部资料"), "{name} p.{}: no 内部资料", i + 1);
        }
    }
    // A report in parts marks its pages too (the mark is in the parts, not the page numbers).
    let parts = docs::compliance::render_in_parts(engine(), &cr, 7, as_of).unwrap();
    let words = common::pdf_bytes_text(&parts.bytes);
    assert_eq!(words.matches("内部资料").count(), parts.pages, "once per page");

    // 筛查表: a one-line row is at least 8 mm high (room for a hand), measured between the rules
    // of the table: every horizontal rule of the body is ≥ 8 mm from the next.
    let doc = engine().document("screening.typ", &s, None).unwrap();
    let mut ys = Vec::new();
    fn rules(frame: &typst::layout::Frame, origin: typst::layout::Point, out: &mut Vec<f64>) {
        for (pos, item) in frame.items() {
            let p = origin + *pos;
            match item {
                typst::layout::FrameItem::Group(g) => rules(&g.frame, p, out),
                typst::layout::FrameItem::Shape(sh, _) => {
                    if let typst::visualize::Geometry::Line(to) = sh.geometry
                        && to.y.to_pt().abs() < 0.01
                        && to.x.to_pt() > 5.0
                    {
                        out.push(p.y.to_pt());
                    }
                }
                _ => {}
            }
        }
    }
    let mut gaps = Vec::new();
    for page in doc.pages() {
        ys.clear();
        rules(&page.frame, typst::layout::Point::zero(), &mut ys);
        ys.sort_by(f64::total_cmp);
        ys.dedup_by(|a, b| (*a - *b).abs() < 0.5);
        // The header row is the first gap; the body rows follow.
        gaps.extend(ys.windows(2).skip(1).map(|w| (w[1] - w[0]) / 72.0 * 25.4));
    }
    assert!(gaps.len() + 1 >= s.rows.len(), "rows found: {gaps:?}");
    for g in &gaps {
        assert!(*g >= 7.95, "a 筛查表 row {g:.2} mm high: too low to sign in ({gaps:?})");
    }

    // 台账: every date prints whole on one line (never “2024年6月20 / 日”).
    let text = engine().render_text("ledger.typ", &l).unwrap();
    for line in l.household.iter().chain(&l.area) {
        assert!(
            text.lines().any(|t| t.contains(&line.deadline_text)),
            "{} wrapped in the 台账",
            line.deadline_text
        );
    }

    // 时限合规报告: bases in words (《plan》section), never the seed numbers (000 附件2(四)).
    let notes: Vec<&str> = cr
        .cases
        .iter()
        .map(|c| c.note.as_str())
        .filter(|n| n.contains("依据"))
        .collect();
    assert!(!notes.is_empty());
    for n in notes {
        assert!(n.contains('《') && !n.contains('§') && !n.contains("000 "), "{n}");
    }
}
