//! Every XLSX workbook read back with calamine: headers and merged ranges as in 002's forms,
//! values, IDs as text, dates as dates, totals reconciling with the ledger, determinism, the
//! template round trip through ingest, and the speed of the 时限合规报告 at 20,000 households.
//!
//! Set `FANGPIN_XLSX_DUMP=<dir>` to also write the workbooks there for looking at them.

use calamine::{Data, Dimensions, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use fangpin::documents::{compliance_report, ledger, problem_list, roster, screening, summary};
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
    assert_eq!(book.sheet_names(), vec!["办理时限", "工作进度", "暂缓公示", "统计"]);
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

#[test]
fn screening_workbook_per_village() {
    let (ws, eval) = sample();
    let villages = ws.data.villages();
    assert!(villages.len() >= 3);
    for village in &villages {
        let Some(view) = screening::view(ws, eval, village) else {
            continue;
        };
        let bytes = xlsx::screening::write(&view, eval.as_of).unwrap();
        dump(&format!("{village}筛查表.xlsx"), &bytes);
        let mut book = open(&bytes);
        let r = sheet(&mut book, xlsx::screening::SHEET);
        assert_eq!(text(&r, 0, 0), screening::TITLE);
        let header: Vec<String> = (0..16).map(|c| text(&r, 2, c)).collect();
        assert_eq!(header, view.columns);
        assert!(
            header[8].contains("7600"),
            "the campaign's monitoring line: {}",
            header[8]
        );
        assert_eq!(number(&r, 3, 0), 1.0);
        assert_eq!(number(&r, 3, 15), 16.0);
        let households = ws.data.households.iter().filter(|h| &h.village == village).count();
        assert_eq!(view.rows.len(), households);
        for (i, row) in view.rows.iter().enumerate() {
            let at = 4 + i as u32;
            assert_eq!(text(&r, at, 2), row.household_id, "户编号 as text");
            assert_eq!(text(&r, at, 3), row.head_name);
            assert_eq!(text(&r, at, 6), row.basic_needs_met);
            assert_eq!(text(&r, at, 9), row.key_group);
            match row.per_capita_money {
                Some(m) => assert_eq!(number(&r, at, 7), m.as_yuan_f64()),
                None => assert_eq!(text(&r, at, 7), ""),
            }
        }
    }
}

/// A valid GB 11643 number for a birth date, a sequence and a sex (odd 17th digit = 男).
fn id_number(birth: NaiveDate, seq: u32, male: bool) -> String {
    let seq = (seq % 500) * 2 + u32::from(male);
    let body = format!("530999{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

/// What a clerk types into one cell.
#[derive(Clone)]
enum In {
    T(String),
    N(f64),
    D(NaiveDate),
}

fn t(s: &str) -> In {
    In::T(s.to_string())
}

fn d(y: i32, m: u32, day: u32) -> In {
    In::D(NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

/// One filled row: (header, value) pairs.
type Row = Vec<(&'static str, In)>;

/// Rows for each template sheet, by header.
fn filled_rows() -> Vec<(&'static str, Vec<Row>)> {
    let head_id = id_number(NaiveDate::from_ymd_opt(1978, 4, 12).unwrap(), 7, true);
    let wife_id = id_number(NaiveDate::from_ymd_opt(1980, 9, 3).unwrap(), 8, false);
    let household = vec![
        ("乡镇", t("石桥镇")),
        ("行政村", t("芒洪村")),
        ("村民小组", t("1组")),
        ("户编号", t("0053099901")),
        ("户主姓名", t("张三")),
        ("户主证件号码", In::T(head_id.clone())),
        ("联系电话", t("13800000000")),
        ("户类型", t("监测户")),
        ("监测对象类型", t("边缘易致贫户")),
        ("家庭人口数", In::N(2.0)),
        ("工资性收入", In::N(10000.0)),
        ("生产经营性收入", In::N(4000.0)),
        ("财产性收入", In::N(0.0)),
        ("转移性收入", In::N(2000.0)),
        ("生产经营性支出", In::N(1000.0)),
        ("家庭人均纯收入", In::N(7500.0)),
        ("上年人均纯收入", In::N(8000.0)),
        ("风险类型", t("因产业项目失败")),
        ("两不愁三保障及饮水安全是否达标", t("是")),
        ("是否整户无劳动能力", t("否")),
        ("重点群体", t("自主申报")),
        ("帮扶责任人", t("李四")),
    ];
    let member = |name: &str, id: &str, rel: &str, sex: &str| {
        vec![
            ("户编号", t("0053099901")),
            ("姓名", t(name)),
            ("证件号码", t(id)),
            ("与户主关系", t(rel)),
            ("性别", t(sex)),
            ("劳动能力", t("有劳动能力")),
            ("健康状况", t("健康")),
            ("在校生状况", t("非在校生")),
            ("是否重度残疾", t("否")),
        ]
    };
    let procedure = vec![
        ("户编号", t("0053099901")),
        ("程序类型", t("识别纳入")),
        ("线索来源", t("自主申报")),
        ("发现线索", d(2024, 5, 20)),
        ("入户核实", d(2024, 5, 21)),
        ("签订承诺授权书", d(2024, 5, 21)),
        ("信息比对", d(2024, 5, 22)),
        ("村级评议", d(2024, 5, 23)),
        ("公示开始", d(2024, 5, 24)),
        ("公示结束", d(2024, 5, 30)),
        ("乡镇审核", d(2024, 5, 31)),
        ("县级审批", d(2024, 6, 3)),
        ("结果公告", d(2024, 6, 4)),
        ("录入建档", d(2024, 6, 5)),
        ("明确帮扶责任人", d(2024, 6, 4)),
        ("首次入户走访", d(2024, 6, 6)),
        ("制定帮扶计划", d(2024, 6, 8)),
    ];
    let measure = vec![
        ("户编号", t("0053099901")),
        ("措施类别", t("产业帮扶")),
        ("具体措施", t("发放产业奖补资金2000元")),
        ("落实日期", d(2024, 6, 10)),
    ];
    let problem = vec![
        ("序号", In::N(1.0)),
        ("乡镇", t("石桥镇")),
        ("村", t("芒洪村")),
        ("户编号", t("0053099901")),
        ("户主姓名", t("张三")),
        ("问题层级", t("户内")),
        ("问题类型", t("产业发展")),
        ("具体内容", t("产业奖补资金未及时兑现")),
        ("整改措施", t("核实后兑现产业奖补资金")),
        ("责任人", t("王五")),
        ("责任单位", t("镇农业农村服务中心")),
        ("整改时限", d(2024, 7, 31)),
        ("整改状态", t("正在整改")),
    ];
    let report = vec![
        ("单位", t("芒洪村")),
        ("节点", t("全面培训部署")),
        ("完成日期", d(2024, 5, 9)),
    ];
    vec![
        ("户", vec![household]),
        (
            "成员",
            vec![
                member("张三", &head_id, "户主", "男"),
                member("王芳", &wife_id, "配偶", "女"),
            ],
        ),
        ("程序", vec![procedure]),
        ("帮扶措施", vec![measure]),
        ("问题", vec![problem]),
        ("进度", vec![report]),
        (
            "评估遍访",
            vec![
                vec![
                    ("户编号", t("0053099901")),
                    ("户主姓名", t("张三")),
                    ("类型", t("帮扶效果评估")),
                    ("日期", d(2024, 6, 20)),
                    ("结论", t("产业奖补已兑现，措施有效")),
                ],
                vec![
                    ("户编号", t("0053099901")),
                    ("类型", t("遍访")),
                    ("日期", d(2024, 6, 25)),
                    ("结论", t("镇长入户核查帮扶措施落实")),
                ],
            ],
        ),
    ]
}

#[test]
fn filled_template_passes_check() {
    use rust_xlsxwriter::{Format, Workbook};
    let created = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let template = xlsx::template::write(&RulesFile::defaults(), created).unwrap();
    dump("村级数据填报模板.xlsx", &template);
    let mut book = open(&template);
    let names = book.sheet_names();
    assert_eq!(
        names,
        ["填写说明", "户", "成员", "程序", "帮扶措施", "问题", "进度", "评估遍访"]
    );

    // Fill it as a clerk would: same sheets, same headers, rows under them (text cells for
    // IDs, real dates, numbers for money), the 填写说明 sheet kept.
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text_fmt = Format::new().set_num_format("@");
    let mut wb = Workbook::new();
    let guide = sheet(&mut book, "填写说明");
    let ws = wb.add_worksheet().set_name("填写说明").unwrap();
    for (r, c, v) in guide.used_cells() {
        if let Data::String(s) = v {
            ws.write_string(r as u32, c as u16, s).unwrap();
        }
    }
    for (name, rows) in filled_rows() {
        let range = sheet(&mut book, name);
        let width = range.end().unwrap().1 + 1;
        let headers: Vec<String> = (0..width).map(|c| text(&range, 0, c)).collect();
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        for (i, row) in rows.iter().enumerate() {
            for (h, v) in row {
                let c = headers
                    .iter()
                    .position(|x| x == h)
                    .unwrap_or_else(|| panic!("{name} 表没有列 {h}")) as u16;
                let r = i as u32 + 1;
                match v {
                    In::T(s) => ws.write_string_with_format(r, c, s, &text_fmt).unwrap(),
                    In::N(x) => ws.write_number(r, c, *x).unwrap(),
                    In::D(dt) => ws.write_date_with_format(r, c, dt, &date).unwrap(),
                };
            }
        }
    }
    let filled = wb.save_to_buffer().unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("data/campaign.yaml", dir.path().join("campaign.yaml")).unwrap();
    std::fs::create_dir_all(dir.path().join("村级数据")).unwrap();
    std::fs::write(dir.path().join("村级数据/芒洪村.xlsx"), &filled).unwrap();

    let ws = load_workspace(dir.path()).unwrap();
    let problems: Vec<String> = ws.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "check reported: {problems:#?}");
    let data = &ws.data;
    assert_eq!(data.households.len(), 1);
    assert_eq!(data.households[0].id, "0053099901", "leading zeros kept");
    assert_eq!(data.households[0].members.len(), 2);
    assert_eq!(data.procedures.len(), 1);
    assert_eq!(data.procedures[0].stages.len(), 14);
    assert_eq!(data.measures.len(), 1);
    assert_eq!(data.problems.len(), 1);
    assert_eq!(data.milestone_reports.len(), 1);
    assert_eq!(data.visits.len(), 2);

    // And the command line agrees.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fangpin"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("数据：错误 0，警告 0"), "{stdout}");
    assert!(!stdout.contains("[警告]"), "{stdout}");
}

/// One XML part of an XLSX file.
fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Every sheet: A4 landscape, fit to one page wide, frozen header, header rows repeated.
fn assert_print_setup(doc: &str, bytes: &[u8]) {
    let names = open(bytes).sheet_names();
    let workbook = part(bytes, "xl/workbook.xml");
    for (i, name) in names.iter().enumerate() {
        let xml = part(bytes, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(xml.contains(r#"paperSize="9""#), "{doc}/{name}: A4");
        assert!(xml.contains(r#"orientation="landscape""#), "{doc}/{name}: landscape");
        assert!(
            xml.contains(r#"fitToHeight="0""#) && xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{doc}/{name}: one page wide"
        );
        assert!(xml.contains(r#"state="frozen""#), "{doc}/{name}: frozen header");
        assert!(xml.contains("<pageMargins"), "{doc}/{name}: margins");
        let titles = format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">");
        assert!(workbook.contains(&titles), "{doc}/{name}: header rows repeated");
    }
}

#[test]
fn every_sheet_prints_a4_landscape_with_repeated_header() {
    let (ws, eval) = sample();
    let village = ws.data.villages()[0].clone();
    let books = [
        ("问题整改台账", xlsx::ledger::write(&ledger::view(ws, eval)).unwrap()),
        (
            "整改情况汇总表",
            xlsx::summary::write(&summary::view(ws, eval)).unwrap(),
        ),
        (
            "时限合规报告",
            xlsx::compliance::write(&compliance_report::view(ws, eval)).unwrap(),
        ),
        ("监测对象名册", xlsx::roster::write(&roster::view(ws, eval)).unwrap()),
        (
            "数据问题清单",
            xlsx::problem_list::write(&problem_list::view(&ws.diagnostics), eval.as_of).unwrap(),
        ),
        (
            "筛查表",
            xlsx::screening::write(&screening::view(ws, eval, &village).unwrap(), eval.as_of).unwrap(),
        ),
    ];
    for (doc, bytes) in &books {
        assert_print_setup(doc, bytes);
    }
    // The date format is Chinese and dates are real date cells.
    let styles = part(&books[0].1, "xl/styles.xml");
    assert!(
        styles.contains("formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\""),
        "{styles}"
    );
    // The roster is marked internal on every printed page.
    assert!(part(&books[3].1, "xl/worksheets/sheet1.xml").contains("<oddHeader>&amp;L"));
}

#[test]
fn template_has_validation_on_every_vocabulary_and_date_column() {
    let created = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let bytes = xlsx::template::write(&RulesFile::defaults(), created).unwrap();
    let names = open(&bytes).sheet_names();
    let rules = RulesFile::defaults();
    for (i, name) in names.iter().enumerate().skip(1) {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{}.xml", i + 1));
        let spec = xlsx::template::sheets().into_iter().find(|s| s.name == name).unwrap();
        let count = |needle: &str| xml.matches(needle).count();
        let lists = spec
            .fields
            .iter()
            .filter(|f| {
                matches!(
                    xlsx::template::check(**f, &rules),
                    xlsx::template::Check::List(_) | xlsx::template::Check::Multi(_) | xlsx::template::Check::YesNo
                )
            })
            .count();
        let dates = spec
            .fields
            .iter()
            .filter(|f| xlsx::template::check(**f, &rules) == xlsx::template::Check::Date)
            .count();
        assert_eq!(
            count(r#"type="list""#),
            lists,
            "{name}: one drop-down per vocabulary column"
        );
        assert_eq!(
            count(r#"type="date""#),
            dates,
            "{name}: date validation on date columns"
        );
        // Every header cell carries an input message.
        for c in 0..spec.fields.len() {
            let cell = format!("sqref=\"{}1\"", col_letters(c as u32));
            assert!(xml.contains(&cell), "{name}: header {cell} has an input message");
        }
        assert!(
            count("promptTitle=") >= 2 * spec.fields.len(),
            "{name}: prompts on headers and cells"
        );
    }
    // 户类型 offers exactly the vocabulary.
    let xml = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(xml.contains("<formula1>\"脱贫户,监测户,一般农户\"</formula1>"));
    // ID columns are formatted as text.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"numFmtId="49""#), "text format (@) present");
}

/// 时限合规报告 for a 20,000-household township: view + workbook, with the rows-per-second
/// figure printed (`cargo test --test xlsx -- --nocapture compliance_at_scale`).
#[test]
fn compliance_report_at_county_scale() {
    use fangpin::synth::{GenOptions, build};
    let (sample_ws, _) = sample();
    let opts = GenOptions {
        households: 20_000,
        villages: 40,
        ..GenOptions::sample()
    };
    let syn = build(&opts).unwrap();
    let mut data = syn.township_data.clone();
    for v in &syn.villages {
        data.households.extend(v.data.households.iter().cloned());
        data.procedures.extend(v.data.procedures.iter().cloned());
        data.measures.extend(v.data.measures.iter().cloned());
        data.problems.extend(v.data.problems.iter().cloned());
        data.milestone_reports.extend(v.data.milestone_reports.iter().cloned());
    }
    let ws = Workspace {
        data,
        diagnostics: vec![],
        inputs: vec![],
        ..sample_ws.clone()
    };
    let eval = evaluate(&ws, syn.as_of).unwrap();

    let start = std::time::Instant::now();
    let view = compliance_report::view(&ws, &eval);
    let view_secs = start.elapsed().as_secs_f64();
    let bytes = xlsx::compliance::write(&view).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!("view {view_secs:.3} s, workbook {:.3} s", secs - view_secs);
    let rows = view.cases.len() + view.milestones.len();
    println!(
        "时限合规报告：{} 户，{rows} 行，{:.2} 秒，{:.0} 行/秒，{} KB",
        ws.data.households.len(),
        secs,
        rows as f64 / secs,
        bytes.len() / 1024
    );
    assert!(rows > 10_000, "{rows}");
    // Read back the size and the last row.
    let mut book = open(&bytes);
    let r = sheet(&mut book, "办理时限");
    assert_eq!(r.end().unwrap().0, 2 + view.cases.len() as u32);
    let last = view.cases.last().unwrap();
    assert_eq!(text(&r, 2 + view.cases.len() as u32, 2), last.household_id);
}

#[test]
fn empty_workspace_still_gives_printable_workbooks() {
    let (sample_ws, _) = sample();
    let ws = Workspace {
        data: Dataset::default(),
        diagnostics: vec![],
        ..sample_ws.clone()
    };
    let eval = evaluate(&ws, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()).unwrap();
    let l = xlsx::ledger::write(&ledger::view(&ws, &eval)).unwrap();
    let r = sheet(&mut open(&l), "户内问题");
    assert_eq!(text(&r, 4, 0), "本期无户内问题");
    let s = xlsx::summary::write(&summary::view(&ws, &eval)).unwrap();
    let view = summary::view(&ws, &eval);
    let r = sheet(&mut open(&s), xlsx::summary::SHEET);
    let total_row = 4 + 14 * view.units.len() as u32;
    assert_eq!(text(&r, total_row, 0), "合计");
    assert_eq!(number(&r, total_row, 3), 0.0);
    xlsx::compliance::write(&compliance_report::view(&ws, &eval)).unwrap();
    xlsx::roster::write(&roster::view(&ws, &eval)).unwrap();
    let p = xlsx::problem_list::write(&problem_list::view(&[]), eval.as_of).unwrap();
    let r = sheet(&mut open(&p), xlsx::problem_list::SHEET);
    assert_eq!(text(&r, 3, 0), "未发现数据问题");
}

/// Height (pt) of row `row` (0-based) in a sheet's XML, if set.
fn row_height_pt(xml: &str, row: u32) -> Option<f64> {
    let tag = format!("<row r=\"{}\"", row + 1);
    let at = xml.find(&tag)?;
    let rest = &xml[at..at + xml[at..].find('>')?];
    let ht = rest.split("ht=\"").nth(1)?;
    ht[..ht.find('"')?].parse().ok()
}

/// The internal workbooks print 内部资料 in every page header; the 筛查表 has the form's signature
/// block; header rows are as tall as their wrapped text.
#[test]
fn internal_marks_signature_block_and_header_heights() {
    let (ws, eval) = sample();
    let village = ws.data.villages()[0].clone();
    let screening_view = screening::view(ws, eval, &village).unwrap();
    let books = [
        ("筛查表", xlsx::screening::write(&screening_view, eval.as_of).unwrap()),
        ("问题整改台账", xlsx::ledger::write(&ledger::view(ws, eval)).unwrap()),
        (
            "整改情况汇总表",
            xlsx::summary::write(&summary::view(ws, eval)).unwrap(),
        ),
        (
            "时限合规报告",
            xlsx::compliance::write(&compliance_report::view(ws, eval)).unwrap(),
        ),
    ];
    for (doc, bytes) in &books {
        for i in 0..open(bytes).sheet_names().len() {
            let xml = part(bytes, &format!("xl/worksheets/sheet{}.xml", i + 1));
            assert!(
                xml.contains("<oddHeader>") && xml.contains("内部资料</oddHeader>"),
                "{doc} sheet {}: no 内部资料 in the print header",
                i + 1
            );
        }
    }

    // 筛查表: 调查员签字 / 村级组织（盖章） / 填表日期 one row below the table, as on the PDF.
    let mut book = open(&books[0].1);
    let r = sheet(&mut book, xlsx::screening::SHEET);
    let below = xlsx::screening::FIRST_DATA_ROW + screening_view.rows.len() as u32 + 1;
    let line: Vec<String> = (0..16).map(|c| text(&r, below, c)).filter(|t| !t.is_empty()).collect();
    assert_eq!(
        line,
        [
            xlsx::screening::SIGN_SURVEYOR,
            xlsx::screening::SIGN_COMMITTEE,
            xlsx::screening::SIGN_DATE
        ]
    );

    // The 台账's 户类型 header (the longest) gets the lines it needs at its column's width.
    let bytes = &books[1].1;
    let xml = part(bytes, "xl/worksheets/sheet1.xml");
    let header_rows: f64 = (2..=3).filter_map(|row| row_height_pt(&xml, row)).sum();
    let name = "户类型（脱贫户、边缘易致贫户、一般农户）";
    let col = xlsx::ledger::HOUSEHOLD_COLUMNS
        .iter()
        .position(|c| c.name == name)
        .unwrap();
    let width: f64 = xml
        .split("<col ")
        .skip(1)
        .find(|c| {
            let min: usize = c
                .split("min=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let max: usize = c
                .split("max=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            (min..=max).contains(&(col + 1))
        })
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    // CJK characters are two units wide; a line holds (width − 1) units; 14.5 pt a line and 5 pt
    // of padding, less 1 pt for heights rounded to whole pixels.
    let lines = (name.chars().count() as f64 * 2.0 / (width - 1.0)).ceil();
    assert!(
        header_rows >= lines * 14.5 + 4.0,
        "header rows {header_rows} pt for {lines} lines of “{name}” at width {width}"
    );
}

/// 监测对象名册: no column narrower than its longest value (a centred 帮扶责任人 would be cut at
/// both ends in print), and a household's merged rows never split by a page break.
#[test]
fn roster_columns_fit_and_households_stay_on_one_page() {
    let (ws, eval) = sample();
    let view = roster::view(ws, eval);
    let bytes = xlsx::roster::write(&view).unwrap();
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    let helper_col = xlsx::roster::COLUMNS
        .iter()
        .position(|c| c.name == "帮扶责任人")
        .unwrap()
        + 1;
    let width: f64 = xml
        .split("<col ")
        .skip(1)
        .find(|c| {
            let n = |k: &str| -> usize {
                c.split(k)
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            (n("min=\"")..=n("max=\"")).contains(&helper_col)
        })
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let longest = view
        .households
        .iter()
        .map(|h| h.helper.as_str())
        .map(|s| s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>())
        .fold(0.0, f64::max);
    assert!(longest > 12.0, "the sample has long 帮扶责任人 values");
    assert!(width >= longest, "帮扶责任人 column {width} for a value {longest} wide");

    let breaks: Vec<u32> = xml
        .split("<brk id=\"")
        .skip(1)
        .map(|b| b.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(!breaks.is_empty(), "the sample's roster prints on several pages");
    let mut book = open(&bytes);
    for ((r0, _), (r1, _)) in merges(&mut book, xlsx::roster::SHEET) {
        for b in &breaks {
            assert!(
                !(r0 < *b && *b <= r1),
                "a page break at row {b} splits the household in rows {r0}–{r1}"
            );
        }
    }
}
