//! One verdict per case, and the public documents say only what it allows: every held-back case
//! stays off the 公示 and 结果公告 of its village, every publishable one is on them, printed 公示期
//! are the recorded ones, and the 结果公告 lists only county-approved cases, without 拟.

use chrono::NaiveDate;
use fangpin::documents::publicity::PublicityKind;
use fangpin::documents::{announcement, commitment, publicity};
use fangpin::model::{ProcedureKind, Stage, Workspace};
use fangpin::render::pdf::{EngineOptions, PdfEngine};
use fangpin::render::text::TextEngine;
use fangpin::rules::{Evaluation, evaluate};
use std::path::Path;
use std::sync::OnceLock;

fn engine() -> &'static PdfEngine {
    static E: OnceLock<PdfEngine> = OnceLock::new();
    E.get_or_init(|| PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).unwrap())
}

fn text_engine() -> &'static TextEngine {
    static T: OnceLock<TextEngine> = OnceLock::new();
    T.get_or_init(|| TextEngine::new(None).unwrap())
}

fn sample() -> (Workspace, Evaluation) {
    let ws = fangpin::ingest::load_workspace(Path::new("data")).unwrap();
    let ev = evaluate(&ws, ws.campaign.as_of.unwrap()).unwrap();
    (ws, ev)
}

fn flat(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The laid-out text of a village's 公示 of `kind` (empty when there is none).
fn publicity_text(ws: &Workspace, ev: &Evaluation, village: &str, kind: PublicityKind) -> String {
    match publicity::view(ws, ev, text_engine(), village, kind).unwrap() {
        Some(v) => flat(&engine().render_text(publicity::TEMPLATE, &v).unwrap()),
        None => String::new(),
    }
}

fn announcement_text(ws: &Workspace, ev: &Evaluation, village: &str) -> String {
    match announcement::view(ws, ev, text_engine(), village).unwrap() {
        Some(v) => flat(&engine().render_text(announcement::TEMPLATE, &v).unwrap()),
        None => String::new(),
    }
}

#[test]
fn held_back_cases_are_on_no_public_document_and_eligible_ones_are() {
    let (ws, ev) = sample();
    let held: Vec<_> = ev.cases.iter().filter(|c| c.held_back()).collect();
    // The sample's planted cases (README): exclusions, 整户无劳动能力, income, six months, never monitored.
    for name in [
        "何文军",
        "张忠兰",
        "鲁坤婷",
        "李林",
        "刘山坤",
        "岩杰燕",
        "刘云福",
        "罗兰林",
        "孙勇学",
        "李云丽",
        "岩东山",
    ] {
        assert!(held.iter().any(|c| c.head_name == name), "{name} is held back");
    }
    for c in &held {
        let kind = match c.kind {
            ProcedureKind::Identification => PublicityKind::Identification,
            ProcedureKind::Elimination => PublicityKind::Elimination,
            _ => continue,
        };
        let text = publicity_text(&ws, &ev, &c.village, kind) + &announcement_text(&ws, &ev, &c.village);
        assert!(
            !text.contains(&c.head_name),
            "{} ({}) printed although held back",
            c.head_name,
            c.kind
        );
        assert!(
            c.holds
                .iter()
                .all(|h| !h.reason.is_empty() && !h.basis.is_empty() && !h.fix.is_empty())
        );
    }
    let mut listed = 0;
    for c in ev.cases.iter().filter(|c| c.may_publicise()) {
        let kind = match c.kind {
            ProcedureKind::Identification => PublicityKind::Identification,
            ProcedureKind::Elimination => PublicityKind::Elimination,
            _ => continue,
        };
        let text = publicity_text(&ws, &ev, &c.village, kind);
        assert!(
            text.contains(&flat(&c.head_name)),
            "{} may be publicised but is not",
            c.head_name
        );
        listed += 1;
    }
    assert!(listed > 0);
    // The one eligible elimination of the sample is publicised, on the 帮扶消除 wording.
    let text = publicity_text(&ws, &ev, "白沙村", PublicityKind::Elimination);
    assert!(
        text.contains("李宇艳") && text.contains("家庭收入持续稳定超过监测范围"),
        "{text}"
    );
}

#[test]
fn printed_publicity_periods_are_the_recorded_ones() {
    let (ws, ev) = sample();
    let mut checked = 0;
    for c in ev.cases.iter().filter(|c| c.may_publicise()) {
        let kind = match c.kind {
            ProcedureKind::Identification => PublicityKind::Identification,
            ProcedureKind::Elimination => PublicityKind::Elimination,
            _ => continue,
        };
        let p = &ws.data.procedures[c.procedure];
        let (Some(start), Some(end)) = (p.date(Stage::PublicityStart), p.date(Stage::PublicityEnd)) else {
            continue;
        };
        let v = publicity::view(&ws, &ev, text_engine(), &c.village, kind)
            .unwrap()
            .unwrap();
        let b = v
            .batches
            .iter()
            .find(|b| (b.start, b.end) == (start, end))
            .unwrap_or_else(|| panic!("{}: the recorded 公示期 {start}–{end} is printed", c.head_name));
        assert!(
            b.intro.contains(&format!("{}至{}", b.start_zh, b.end_zh)),
            "{}",
            b.intro
        );
        assert!(b.rows.iter().any(|r| r.head_name == c.head_name));
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn a_short_recorded_publicity_is_printed_as_recorded_with_its_length() {
    let (mut ws, _) = sample();
    // A case posted 5月20日 and taken down 5月22日 (3 working days): the notice says so, never
    // a 5-day period that did not happen.
    let i = ws
        .data
        .procedures
        .iter()
        .position(|p| p.kind == ProcedureKind::Identification && p.date(Stage::PublicityStart).is_some())
        .unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let p = &mut ws.data.procedures[i];
    p.stages.insert(Stage::VillageReview, d(5, 17));
    p.stages.insert(Stage::PublicityStart, d(5, 20));
    p.stages.insert(Stage::PublicityEnd, d(5, 22));
    for s in [
        Stage::TownshipReview,
        Stage::CountyApproval,
        Stage::ResultNotice,
        Stage::Recorded,
    ] {
        p.stages.remove(&s);
    }
    let hid = p.household_id.clone();
    let ev = evaluate(&ws, ws.campaign.as_of.unwrap()).unwrap();
    let h = ws.data.households.iter().find(|h| h.id == hid).unwrap();
    let v = publicity::view(&ws, &ev, text_engine(), &h.village, PublicityKind::Identification)
        .unwrap()
        .unwrap();
    let b = v.batches.iter().find(|b| b.start == d(5, 20)).unwrap();
    assert_eq!(b.end, d(5, 22));
    assert!(
        b.intro.contains("2024年5月20日至2024年5月22日（3个工作日）"),
        "{}",
        b.intro
    );
}

#[test]
fn the_announcement_lists_approved_cases_without_ni_and_is_dated_by_the_record() {
    let (ws, ev) = sample();
    let mut villages = 0;
    for village in ws.data.villages() {
        let Some(v) = announcement::view(&ws, &ev, text_engine(), &village).unwrap() else {
            continue;
        };
        villages += 1;
        assert!(!v.intro.contains("拟"), "{}", v.intro);
        let listed: Vec<&str> = v
            .sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.head_name.as_str()))
            .collect();
        let approved: Vec<_> = ev
            .cases
            .iter()
            .filter(|c| c.village == village && c.may_announce())
            .collect();
        assert_eq!(
            listed.len(),
            approved
                .iter()
                .filter(|c| matches!(c.kind, ProcedureKind::Identification | ProcedureKind::Elimination))
                .count()
        );
        let latest = approved
            .iter()
            .map(|c| c.announced.or(c.approved).unwrap())
            .max()
            .unwrap();
        assert_eq!(v.date, latest);
    }
    assert!(villages > 0);
}

#[test]
fn commitment_forms_only_for_households_signing_now() {
    let (ws, ev) = sample();
    for village in ws.data.villages() {
        let signing: std::collections::BTreeSet<&str> = ev
            .cases
            .iter()
            .filter(|c| c.signs_now && c.village == village)
            .map(|c| c.household_id.as_str())
            .collect();
        let pages: Vec<String> = commitment::view(&ws, &ev, &village)
            .map(|v| v.households.iter().map(|p| p.household_id.clone()).collect())
            .unwrap_or_default();
        assert_eq!(pages.len(), signing.len(), "{village}");
        for p in &pages {
            assert!(signing.contains(p.as_str()));
        }
        // No form of an old case carries its old date.
        if let Some(v) = commitment::view(&ws, &ev, &village) {
            for p in &v.households {
                assert!(p.date.is_empty() || p.date.starts_with("2024年"), "{}", p.date);
            }
        }
    }
}

#[test]
fn every_held_case_is_in_the_compliance_report_pdf_and_xlsx() {
    use calamine::{Reader, Xlsx};
    use fangpin::documents::compliance_report;
    let (ws, ev) = sample();
    let view = compliance_report::view(&ws, &ev);
    let held: Vec<_> = ev.cases.iter().filter(|c| c.held_back()).collect();
    assert_eq!(view.held.len(), held.iter().map(|c| c.holds.len()).sum::<usize>());
    let text = flat(&engine().render_text("compliance.typ", &view).unwrap());
    assert!(text.contains("暂缓公示"), "{text}");
    for c in &held {
        assert!(text.contains(&c.household_id), "{} in the report", c.household_id);
    }
    let bytes = fangpin::render::xlsx::compliance::write(&view).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("暂缓公示").unwrap();
    let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    for c in &held {
        assert!(
            cells.iter().any(|x| x == &c.household_id),
            "{} in 暂缓公示.xlsx",
            c.household_id
        );
    }
    assert!(cells.iter().any(|x| x == "如何处理"));
}
