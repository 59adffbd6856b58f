//! The pixel guard: the pre-laid-out parts (入户排查表 bodies, 承诺授权书 statics, 时限合规报告
//! parts and page-number overlay) are a performance device and must never change what is
//! printed. Every PDF kind of the sample workspace `data/` is rendered both ways (the default,
//! and `RenderMode::Full`: every page laid out in full), sample pages are rasterised with
//! `pdftoppm -r 100 -gray` and the pixels compared.
//!
//! Tolerance: vector antialiasing is off (`-aaVector no`), and a pixel counts as matched when the
//! other image has a pixel within one pixel of it (in any direction) no more than 24 grey levels
//! away. Why: poppler snaps a hairline lying exactly on a pixel boundary to one side or the other
//! depending on whether it is drawn on the page or inside a placed form (the PDF image of a part),
//! and glyph antialiasing differs by a few levels where a glyph's position is rounded differently.
//! Anything a reader could see — a clipped stroke, a moved line, a missing or extra mark — leaves
//! pixels unmatched, and the test fails (it did on the clipped 承诺授权书 title).
//!
//! Set `FANGPIN_PIXELS_DUMP=<dir>` to keep the PDFs and page images of both layouts there.

use chrono::NaiveDate;
use fangpin::documents::{announcement, commitment, compliance_report, ledger, publicity, screening, summary, survey};
use fangpin::model::Workspace;
use fangpin::render::docs;
use fangpin::render::pdf::{EngineOptions, PdfEngine, RenderMode, RenderedPdf};
use fangpin::render::text::TextEngine;
use fangpin::rules::Evaluation;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Grey levels two matched pixels may differ by.
const LEVELS: u8 = 24;

struct Sample {
    ws: Workspace,
    eval: Evaluation,
    text: TextEngine,
    as_of: NaiveDate,
}

fn sample() -> Sample {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let ws = fangpin::ingest::load_workspace(&root).expect("the sample workspace loads");
    let as_of = ws.campaign.as_of.expect("the sample has a 统计截止日");
    let eval = fangpin::rules::evaluate(&ws, as_of).expect("rules");
    let text = TextEngine::new(None).expect("text engine");
    Sample { ws, eval, text, as_of }
}

fn engine(mode: RenderMode) -> PdfEngine {
    PdfEngine::with_options(None, &EngineOptions { system_fonts: false })
        .expect("engine")
        .with_mode(mode)
}

fn villages(ws: &Workspace) -> Vec<String> {
    let mut v: Vec<String> = ws.data.households.iter().map(|h| h.village.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// One document of the sample: its name and how to render it on an engine.
type Doc<'a> = (String, Box<dyn Fn(&PdfEngine) -> Option<RenderedPdf> + 'a>);

fn documents(s: &Sample) -> Vec<Doc<'_>> {
    let mut docs: Vec<Doc<'_>> = vec![
        (
            "通知".into(),
            Box::new(|e| Some(docs::notice::render(e, &s.text, &s.ws, s.as_of).expect("通知"))),
        ),
        (
            "问题整改台账".into(),
            Box::new(|e| {
                Some(
                    e.render("ledger.typ", &ledger::view(&s.ws, &s.eval), s.as_of)
                        .expect("台账"),
                )
            }),
        ),
        (
            "整改情况汇总表".into(),
            Box::new(|e| {
                Some(
                    e.render("summary.typ", &summary::view(&s.ws, &s.eval), s.as_of)
                        .expect("汇总表"),
                )
            }),
        ),
        (
            "时限合规报告".into(),
            Box::new(|e| {
                Some(docs::compliance::render(e, &compliance_report::view(&s.ws, &s.eval), s.as_of).expect("合规报告"))
            }),
        ),
        (
            // The sample's report fits one part; in parts of 12 lines it shows the parts and
            // page-number overlay of a county's report.
            "时限合规报告（分段）".into(),
            Box::new(|e| {
                let v = compliance_report::view(&s.ws, &s.eval);
                Some(docs::compliance::render_in_parts(e, &v, 12, s.as_of).expect("合规报告分段"))
            }),
        ),
    ];
    for village in villages(&s.ws) {
        let v = village.clone();
        docs.push((
            format!("{village}/拟纳入监测对象名单公示"),
            Box::new(move |e| {
                publicity::view(&s.ws, &s.eval, &s.text, &v, publicity::PublicityKind::Identification)
                    .expect("公示")
                    .map(|view| docs::publicity::render(e, &view, s.as_of).expect("公示"))
            }),
        ));
        let v = village.clone();
        docs.push((
            format!("{village}/拟标注风险消除名单公示"),
            Box::new(move |e| {
                publicity::view(&s.ws, &s.eval, &s.text, &v, publicity::PublicityKind::Elimination)
                    .expect("公示")
                    .map(|view| docs::publicity::render(e, &view, s.as_of).expect("公示"))
            }),
        ));
        let v = village.clone();
        docs.push((
            format!("{village}/结果公告"),
            Box::new(move |e| {
                announcement::view(&s.ws, &s.eval, &s.text, &v)
                    .expect("公告")
                    .map(|view| docs::announcement::render(e, &view).expect("公告"))
            }),
        ));
        let v = village.clone();
        docs.push((
            format!("{village}/承诺授权书"),
            Box::new(move |e| {
                commitment::view(&s.ws, &s.eval, &v)
                    .map(|view| docs::commitment::render(e, &view, s.as_of).expect("承诺书"))
            }),
        ));
        let v = village.clone();
        docs.push((
            format!("{village}/入户排查表"),
            Box::new(move |e| {
                survey::view(&s.ws, &s.eval, &v).map(|view| docs::survey::render(e, view, s.as_of).expect("排查表"))
            }),
        ));
        let v = village.clone();
        docs.push((
            format!("{village}/筛查表"),
            Box::new(move |e| {
                screening::view(&s.ws, &s.eval, &v)
                    .map(|view| e.render("screening.typ", &view, s.as_of).expect("筛查表"))
            }),
        ));
    }
    docs
}

/// A greyscale image (binary PGM as pdftoppm writes it).
struct Gray {
    width: usize,
    height: usize,
    px: Vec<u8>,
}

fn read_pgm(path: &Path) -> Gray {
    let bytes = std::fs::read(path).expect("pgm");
    // Header: P5, width, height, maxval, each separated by whitespace, then one byte per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).to_string());
    }
    assert_eq!(fields[0], "P5", "{}", path.display());
    assert_eq!(fields[3], "255", "{}", path.display());
    let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let px = bytes[i + 1..i + 1 + width * height].to_vec();
    Gray { width, height, px }
}

/// Pixels of `a` with no pixel of `b` within one pixel and [`LEVELS`] grey levels.
fn unmatched(a: &Gray, b: &Gray) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for y in 0..a.height {
        for x in 0..a.width {
            let v = a.px[y * a.width + x];
            if b.px[y * b.width + x] == v {
                continue;
            }
            let near = (y.saturating_sub(1)..=(y + 1).min(b.height - 1)).any(|yy| {
                (x.saturating_sub(1)..=(x + 1).min(b.width - 1)).any(|xx| b.px[yy * b.width + xx].abs_diff(v) <= LEVELS)
            });
            if !near {
                out.push((x, y));
            }
        }
    }
    out
}

/// Rasterises page `page` (1-based) of `pdf` at 100 dpi, grey, without vector antialiasing.
fn rasterise(pdf: &Path, page: usize, stem: &Path) -> Gray {
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-gray", "-aaVector", "no", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(stem)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success(), "pdftoppm failed on {}", pdf.display());
    read_pgm(&stem.with_extension("pgm"))
}

/// Which pages to compare: the first two and the last (every page for short documents).
fn sample_pages(pages: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (1..=pages.min(2)).collect();
    if pages > 2 {
        p.push(pages);
    }
    p
}

/// Where to write: `FANGPIN_PIXELS_DUMP` or a temporary folder.
fn work_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("FANGPIN_PIXELS_DUMP") {
        Some(d) => {
            let d = PathBuf::from(d);
            std::fs::create_dir_all(&d).unwrap();
            (None, d)
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

/// Compares two renders of one document page by page; a description of each difference.
fn compare(name: &str, fast: &RenderedPdf, full: &RenderedPdf, dir: &Path) -> Vec<String> {
    if fast.pages != full.pages {
        return vec![format!(
            "{name}: {} pages by default, {} in full",
            fast.pages, full.pages
        )];
    }
    let stem = name.replace('/', "_");
    let (fast_pdf, full_pdf) = (
        dir.join(format!("{stem}-fast.pdf")),
        dir.join(format!("{stem}-full.pdf")),
    );
    std::fs::write(&fast_pdf, &fast.bytes).unwrap();
    std::fs::write(&full_pdf, &full.bytes).unwrap();
    let mut problems = Vec::new();
    for page in sample_pages(fast.pages) {
        let a = rasterise(&fast_pdf, page, &dir.join(format!("{stem}-fast-{page}")));
        let b = rasterise(&full_pdf, page, &dir.join(format!("{stem}-full-{page}")));
        if (a.width, a.height) != (b.width, b.height) {
            problems.push(format!("{name} p.{page}: page sizes differ"));
            continue;
        }
        let mut off = unmatched(&a, &b);
        off.extend(unmatched(&b, &a));
        if let (Some(x0), Some(x1), Some(y0), Some(y1)) = (
            off.iter().map(|p| p.0).min(),
            off.iter().map(|p| p.0).max(),
            off.iter().map(|p| p.1).min(),
            off.iter().map(|p| p.1).max(),
        ) {
            problems.push(format!(
                "{name} p.{page}: {} pixels differ, in x {x0}–{x1}, y {y0}–{y1} (100 dpi)",
                off.len()
            ));
        }
    }
    problems
}

#[test]
fn every_pdf_kind_prints_the_same_pixels_as_a_full_layout() {
    let s = sample();
    let (fast, full) = (engine(RenderMode::Fast), engine(RenderMode::Full));
    let (_keep, dir) = work_dir();
    let mut problems = Vec::new();
    let mut compared = Vec::new();
    for (name, render) in documents(&s) {
        let (Some(a), Some(b)) = (render(&fast), render(&full)) else {
            continue;
        };
        problems.extend(compare(&name, &a, &b, &dir));
        compared.push(name);
    }
    // Every kind was there to compare (the sample has cases for each).
    for kind in [
        "通知",
        "拟纳入监测对象名单公示",
        "拟标注风险消除名单公示",
        "结果公告",
        "承诺授权书",
        "入户排查表",
        "筛查表",
        "问题整改台账",
        "整改情况汇总表",
        "时限合规报告（分段）",
    ] {
        assert!(
            compared.iter().any(|n| n.ends_with(kind)),
            "no {kind} compared: {compared:?}"
        );
    }
    assert!(
        problems.is_empty(),
        "the default layout is not the full layout:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_comparison_sees_a_clipped_line() {
    // The guard's own check: a page and the same page with a few pixels of one stroke gone
    // (as a clipped title loses its top strokes) do not match; a hairline moved by one pixel does.
    let w = 20;
    let mut a = Gray {
        width: w,
        height: 20,
        px: vec![255; w * 20],
    };
    for x in 2..18 {
        a.px[10 * w + x] = 0;
    }
    let mut moved = Gray {
        width: w,
        height: 20,
        px: vec![255; w * 20],
    };
    for x in 2..18 {
        moved.px[11 * w + x] = 0;
    }
    assert!(unmatched(&a, &moved).is_empty() && unmatched(&moved, &a).is_empty());
    let mut clipped = Gray {
        width: w,
        height: 20,
        px: a.px.clone(),
    };
    for x in 5..11 {
        clipped.px[10 * w + x] = 255;
    }
    assert_eq!(unmatched(&a, &clipped).len(), 4);
}

#[test]
fn every_pdf_kind_passes_the_pdf_a_2b_checks_of_the_pdf_library() {
    // typst-pdf checks PDF/A-2b conformance while writing and fails on what it cannot write
    // conformingly; every document of the sample must write, declare PDF/A-2b, and say what its
    // default copy says.
    use fangpin::render::pdf::PdfStandard;
    let s = sample();
    assert!(fangpin::render::fonts::archive_coverage_error(engine(RenderMode::Fast).fonts(), &s.ws).is_none());
    let archive = engine(RenderMode::Fast).with_standard(PdfStandard::A2b);
    let plain = engine(RenderMode::Fast);
    let mut n = 0;
    for (name, render) in documents(&s) {
        let Some(a) = render(&archive) else { continue };
        let p = render(&plain).expect("the default copy too");
        assert_eq!(a.pages, p.pages, "{name}");
        let raw = String::from_utf8_lossy(&a.bytes);
        assert!(
            raw.contains("<pdfaid:part>2</pdfaid:part>") || raw.contains("pdfaid:part=\"2\""),
            "{name}: not declared PDF/A-2b"
        );
        n += 1;
    }
    assert!(n >= 10, "{n} documents");
}
