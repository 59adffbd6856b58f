//! Every XLSX workbook read back with calamine: headers and merged ranges as in 002's forms,
//! values, IDs as text, dates as dates, totals reconciling with the ledger, determinism, the
//! template round trip through ingest, and the speed of the 时限合规报告 at 20,000 households.
//!
//! Set `FANGPIN_XLSX_DUMP=<dir>` to also write the workbooks there for looking at them.

use calamine::{Data, Dimensions, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use fangpin::documents::{compliance_report, ledger, problem_list, roster, summary};
use fangpin::ingest::load_workspace;
use fangpin::model::*;
use fangpin::render::xlsx;
use fangpin::rules::{Evaluation, LedgerStatus, evaluate};
use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

type Book = Xlsx<Cursor<Vec<u8>>>;

/// The sample workspace in data/, loaded and evaluated once.
fn sample() -> &'static (Workspace, Evaluation) {
    static S: OnceLock<(Workspace, Evaluation)> = OnceLock::new();
    S.get_or_init(|| {
        let ws = load_workspace(Path::new("data")).unwrap();
        let as_of = ws.campaign.as_of.unwrap();
        let eval = evaluate(&ws, as_of).unwrap();
        (ws, eval)
    })
}

fn dump(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("FANGPIN_XLSX_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
    }
}

fn open(bytes: &[u8]) -> Book {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn sheet(book: &mut Book, name: &str) -> Range<Data> {
    book.worksheet_range(name).unwrap()
}

fn text(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("cell ({row},{col}) is not text: {other:?}"),
    }
}

fn number(r: &Range<Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("cell ({row},{col}) is not a number: {other:?}"),
    }
}

fn date_at(r: &Range<Data>, row: u32, col: u32) -> Option<NaiveDate> {
    match r.get_value((row, col)) {
        Some(Data::DateTime(d)) => Some(d.as_datetime().unwrap().date()),
        Some(Data::Empty) | None => None,
        other => panic!("cell ({row},{col}) is not a date: {other:?}"),
    }
}

fn merges(book: &mut Book, name: &str) -> Vec<((u32, u32), (u32, u32))> {
    book.merge_cells_by_sheet_name(name)
        .unwrap()
        .iter()
        .map(|d: &Dimensions| (d.start, d.end))
        .collect()
}

#[test]
fn ledger_workbook_follows_002_forms() {
    let (ws, eval) = sample();
    let view = ledger::view(ws, eval);
    assert!(
        !view.household.is_empty() && !view.area.is_empty(),
        "sample has both kinds of problems"
    );
    let bytes = xlsx::ledger::write(&view).unwrap();
    dump("问题整改台账.xlsx", &bytes);
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["户内问题", "面上问题"]);

    let r = sheet(&mut book, "户内问题");
    assert_eq!(text(&r, 0, 0), ledger::TITLE_HOUSEHOLD);
    assert!(text(&r, 1, 0).starts_with("填报单位（盖章）：石桥镇人民政府"));
    assert!(text(&r, 1, 7).starts_with("填报人："));
    assert_eq!(text(&r, 1, 10), "填报时间：2024年6月30日");
    let top: Vec<String> = (0..14).map(|c| text(&r, 2, c)).collect();
    assert_eq!(
        top,
        [
            "序号",
            "镇",
            "村",
            "户主姓名",
            "户类型（脱贫户、边缘易致贫户、一般农户）",
            "问题类型",
            "具体内容",
            "整改措施",
            "整改责任",
            "",
            "整改时限",
            "整改成效",
            "整改状态",
            "逾期天数"
        ]
    );
    assert_eq!((text(&r, 3, 8), text(&r, 3, 9)), ("责任人".into(), "责任单位".into()));
    let m = merges(&mut book, "户内问题");
    assert!(m.contains(&((2, 8), (2, 9))), "整改责任 over 责任人 | 责任单位: {m:?}");
    for c in [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13] {
        assert!(m.contains(&((2, c), (3, c))), "column {c} header spans two rows");
    }
    assert!(m.contains(&((0, 0), (0, 13))), "title across the table");

    // Data rows match the view line by line.
    for (i, l) in view.household.iter().enumerate() {
        let row = 4 + i as u32;
        assert_eq!(number(&r, row, 0), f64::from(l.seq));
        assert_eq!(text(&r, row, 2), l.village);
        assert_eq!(text(&r, row, 3), l.head_name);
        assert_eq!(text(&r, row, 6), l.content);
        assert_eq!(text(&r, row, 8), l.person);
        assert_eq!(date_at(&r, row, 10), l.deadline);
        assert_eq!(text(&r, row, 12), l.status.label());
        assert_eq!(number(&r, row, 13), l.days_overdue as f64);
    }
    assert_eq!(r.end().unwrap().0, 3 + view.household.len() as u32);

    let r = sheet(&mut book, "面上问题");
    assert_eq!(text(&r, 0, 0), ledger::TITLE_AREA);
    assert_eq!(text(&r, 2, 1), "面上问题层级");
    assert_eq!(text(&r, 2, 5), "整改责任");
    assert_eq!((text(&r, 3, 5), text(&r, 3, 6)), ("责任人".into(), "责任单位".into()));
    assert!(merges(&mut book, "面上问题").contains(&((2, 5), (2, 6))));
    for (i, l) in view.area.iter().enumerate() {
        assert_eq!(text(&r, 4 + i as u32, 1), l.level_text);
        assert_eq!(text(&r, 4 + i as u32, 9), l.status.label());
    }
    // Rows: every ledger row is in exactly one sheet.
    assert_eq!(view.household.len() + view.area.len(), eval.ledger.len());
}

#[test]
fn summary_totals_are_live_formulas_equal_to_ledger_counts() {
    let (ws, eval) = sample();
    let view = summary::view(ws, eval);
    let bytes = xlsx::summary::write(&view).unwrap();
    dump("整改情况汇总表.xlsx", &bytes);
    let mut book = open(&bytes);
    let name = xlsx::summary::SHEET;
    let r = sheet(&mut book, name);
    assert_eq!(text(&r, 0, 0), summary::TITLE);
    assert!(text(&r, 1, 0).starts_with("单位（盖章）："));
    assert_eq!(text(&r, 2, 0), "单位");
    assert_eq!(text(&r, 2, 1), "问题类型");
    assert_eq!(text(&r, 2, 6), "拟识别监测对象（镇、村）");
    assert_eq!((text(&r, 3, 6), text(&r, 3, 7)), ("户数".into(), "人数".into()));
    let m = merges(&mut book, name);
    assert!(m.contains(&((2, 1), (3, 2))), "问题类型 spans two rows and columns");
    assert!(m.contains(&((2, 6), (2, 7))), "拟识别监测对象 over 户数 | 人数");

    // Each unit: 13 type rows (the first four under “三保障”和饮水安全) and a 小计 row.
    let mut row = 4u32;
    let mut subtotal_rows = Vec::new();
    for u in &view.units {
        assert_eq!(text(&r, row, 0), u.unit);
        assert!(m.contains(&((row, 0), (row + 13, 0))), "unit name over its block");
        assert_eq!(text(&r, row, 1), summary::BASIC_GROUP);
        assert!(m.contains(&((row, 1), (row + 3, 1))), "三保障和饮水安全 over four rows");
        let subs: Vec<String> = (0..4).map(|i| text(&r, row + i, 2)).collect();
        assert_eq!(subs, ["义务教育", "基本医疗", "住房安全", "安全饮水"]);
        assert_eq!(text(&r, row + 4, 1), "易地扶贫搬迁");
        assert_eq!(text(&r, row + 13, 1), xlsx::summary::SUBTOTAL);
        assert_eq!(number(&r, row + 13, 3), f64::from(u.total.found));
        assert_eq!(number(&r, row + 13, 4), f64::from(u.total.done));
        subtotal_rows.push(row + 13);
        row += 14;
    }
    assert_eq!(text(&r, row, 0), xlsx::summary::TOTAL);

    // Grand totals reconcile with the ledger rows.
    let found = eval.ledger.len() as f64;
    let done = eval.ledger.iter().filter(|l| l.status == LedgerStatus::Done).count() as f64;
    assert_eq!(number(&r, row, 3), found);
    assert_eq!(number(&r, row, 4), done);
    assert_eq!(number(&r, row, 5), found - done);
    assert_eq!(number(&r, row, 6), f64::from(view.total.households));
    assert_eq!(number(&r, row, 7), f64::from(view.total.people));

    // And they are formulas, not typed numbers.
    let f = book.worksheet_formula(name).unwrap();
    let sub = f.get_value((subtotal_rows[0], 3)).unwrap();
    assert_eq!(sub, &format!("SUM(D5:D{})", subtotal_rows[0]));
    let total = f.get_value((row, 3)).unwrap();
    assert!(total.starts_with("SUMIF($B$5:$B$"), "{total}");
}

#[test]
fn compliance_report_rows_and_statuses() {
    let (ws, eval) = sample();
    let view = compliance_report::view(ws, eval);
    let bytes = xlsx::compliance::write(&view).unwrap();
    dump("时限合规报告.xlsx", &bytes);
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["办理时限", "工作进度", "统计"]);
    let r = sheet(&mut book, "办理时限");
    let header: Vec<String> = (0..11).map(|c| text(&r, 2, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "村",
            "户编号",
            "户主姓名",
            "程序",
            "规则",
            "截止",
            "完成",
            "状态",
            "天数",
            "说明"
        ]
    );
    assert_eq!(view.cases.len() + view.milestones.len(), eval.compliance.len());
    for (i, l) in view.cases.iter().enumerate() {
        let row = 3 + i as u32;
        assert_eq!(text(&r, row, 2), l.household_id, "户编号 is text");
        assert_eq!(text(&r, row, 5), l.rule);
        assert_eq!(date_at(&r, row, 6), l.due);
        assert_eq!(date_at(&r, row, 7), l.done);
        assert_eq!(text(&r, row, 8), l.status.label());
        assert_eq!(number(&r, row, 9), l.days as f64);
    }
    let r = sheet(&mut book, "工作进度");
    for (i, l) in view.milestones.iter().enumerate() {
        assert_eq!(text(&r, 3 + i as u32, 1), l.head_name);
        assert_eq!(text(&r, 3 + i as u32, 5), l.status.label());
    }
    let r = sheet(&mut book, "统计");
    let mut total = 0.0;
    for (i, t) in view.tally.iter().enumerate() {
        let row = 3 + i as u32;
        assert_eq!(text(&r, row, 0), t.status.label());
        assert_eq!(number(&r, row, 1), f64::from(t.cases));
        assert_eq!(number(&r, row, 2), f64::from(t.milestones));
        total += number(&r, row, 3);
    }
    assert_eq!(number(&r, 9, 3), total);
    assert_eq!(total, eval.compliance.len() as f64);
}

#[test]
fn roster_has_full_ids_as_text_and_merged_households() {
    let (ws, eval) = sample();
    let view = roster::view(ws, eval);
    assert!(!view.households.is_empty());
    let bytes = xlsx::roster::write(&view).unwrap();
    dump("监测对象名册.xlsx", &bytes);
    let mut book = open(&bytes);
    let r = sheet(&mut book, xlsx::roster::SHEET);
    assert_eq!(text(&r, 0, 0), roster::TITLE);
    let row1: Vec<String> = (0..22).map(|c| text(&r, 1, c)).collect();
    assert!(row1.iter().any(|s| s.contains("内部资料")), "marked internal: {row1:?}");
    assert_eq!(text(&r, 2, 0), "家庭基本情况");
    assert_eq!(text(&r, 2, 13), "家庭成员");
    assert_eq!(text(&r, 3, 5), "户主证件号码");
    assert_eq!(text(&r, 3, 14), "证件号码");
    let m = merges(&mut book, xlsx::roster::SHEET);
    let mut row = 4u32;
    for h in &view.households {
        assert_eq!(text(&r, row, 3), h.household_id);
        assert_eq!(text(&r, row, 5), h.head_id, "full head ID as text");
        assert_eq!(h.head_id.chars().count(), 18);
        let n = h.members.len().max(1) as u32;
        if n > 1 {
            assert!(
                m.contains(&((row, 5), (row + n - 1, 5))),
                "household cells over its members"
            );
        }
        for (i, mem) in h.members.iter().enumerate() {
            assert_eq!(text(&r, row + i as u32, 13), mem.name);
            assert_eq!(text(&r, row + i as u32, 14), mem.id, "full member ID as text");
        }
        row += n;
    }
    let people: usize = view.households.iter().map(|h| h.members.len().max(1)).sum();
    assert_eq!(r.end().unwrap().0, 3 + people as u32);
}

#[test]
fn problem_list_shows_places() {
    let diags = vec![
        Diagnostic::error(
            Place::cell("村级数据/芒洪村.xlsx", "成员", 11, 4),
            "证件号码",
            "5.30926E+17",
            "证件号码被 Excel 存成了数字，末尾几位已丢失",
            "把该列设为文本格式后重新输入完整号码",
        ),
        Diagnostic::warning(
            Place::line("村级数据/龙潭村.yaml", 14, 3),
            "风险类型",
            "因穷",
            "不在词表中",
            "改为词表中的值",
        ),
    ];
    let view = problem_list::view(&diags);
    let bytes = xlsx::problem_list::write(&view, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()).unwrap();
    dump("数据问题清单.xlsx", &bytes);
    let mut book = open(&bytes);
    let r = sheet(&mut book, xlsx::problem_list::SHEET);
    let header: Vec<String> = (0..9).map(|c| text(&r, 2, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "文件",
            "工作表",
            "单元格",
            "字段",
            "值",
            "问题",
            "修改建议",
            "级别"
        ]
    );
    assert_eq!(text(&r, 3, 1), "村级数据/芒洪村.xlsx");
    assert_eq!(text(&r, 3, 3), "E12");
    assert_eq!(text(&r, 3, 5), "5.30926E+17", "values stay text");
    assert_eq!(text(&r, 3, 8), "错误");
    assert_eq!(text(&r, 4, 2), "");
    assert_eq!(text(&r, 4, 3), "14:3");
    assert_eq!(text(&r, 4, 8), "警告");
    assert!(text(&r, 1, 0).starts_with("共2条：错误1条，警告1条"));
}

#[test]
fn workbooks_are_deterministic_and_dated_from_as_of() {
    let (ws, eval) = sample();
    let twice = |f: &dyn Fn() -> Vec<u8>| {
        let a = f();
        let b = f();
        assert_eq!(a, b);
        a
    };
    let l = ledger::view(ws, eval);
    let s = summary::view(ws, eval);
    let c = compliance_report::view(ws, eval);
    let r = roster::view(ws, eval);
    let p = problem_list::view(&ws.diagnostics);
    let books = [
        twice(&|| xlsx::ledger::write(&l).unwrap()),
        twice(&|| xlsx::summary::write(&s).unwrap()),
        twice(&|| xlsx::compliance::write(&c).unwrap()),
        twice(&|| xlsx::roster::write(&r).unwrap()),
        twice(&|| xlsx::problem_list::write(&p, eval.as_of).unwrap()),
    ];
    for b in books {
        let props = open(&b).workbook_properties().unwrap();
        assert_eq!(props.created.as_deref(), Some("2024-06-30T00:00:00Z"));
    }
}
