//! Pipeline benchmark: `cargo bench --bench pipeline` (release). Prints the figures BENCHMARKS.md reports.
//!
//! Each measurement that needs a clean peak-memory reading runs in a child process (this binary
//! re-executed with `FANGPIN_BENCH_CHILD`), which reads its own high-water mark from /proc.

use fangpin::build::{BuildOptions, DocKind};
use fangpin::documents::{commitment, compliance_report};
use fangpin::render::docs;
use fangpin::render::pdf::PdfEngine;
use fangpin::synth::{GenOptions, generate};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

// The same allocator as the fangpin binary, so the figures match what `fangpin build` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Generators of national-system exports, shared with tests/national.rs.
#[path = "../tests/common/national.rs"]
mod national;

fn as_of() -> chrono::NaiveDate {
    GenOptions::sample().as_of
}

fn gen_workspace(dir: &Path, households: usize, villages: usize) -> f64 {
    let t = Instant::now();
    let opts = GenOptions {
        households,
        villages,
        seed: 7,
        as_of: as_of(),
    };
    if let Err(e) = generate(&opts, dir) {
        panic!("gen failed: {e}");
    }
    t.elapsed().as_secs_f64()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Child: one end-to-end build of a workspace, printing elapsed seconds and peak RSS.
fn child_build(ws: &str, out: &str) {
    let opts = BuildOptions {
        workspace: ws.into(),
        out: out.into(),
        as_of: None,
        today: as_of(),
        only: None,
        village: None,
        force: false,
        pdf_standard: None,
    };
    let t = Instant::now();
    let report = fangpin::build::run(&opts, &|_| {}).unwrap_or_else(|e| panic!("build failed: {e}"));
    let secs = t.elapsed().as_secs_f64();
    let pages: usize = report.per_kind.values().map(|(_, p)| p).sum();
    let docs: usize = report.per_kind.values().map(|(d, _)| d).sum();
    println!("{secs:.2} {:.0} {docs} {pages}", peak_rss_mib());
}

fn end_to_end(households: usize, villages: usize) -> (f64, f64, usize, usize) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ws = tmp.path().join("ws");
    gen_workspace(&ws, households, villages);
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(exe)
        .env("FANGPIN_BENCH_CHILD", "build")
        .arg(&ws)
        .arg(tmp.path().join("out"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let s = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = s.split_whitespace().collect();
    if f.len() < 4 {
        panic!("child failed: {s} {}", String::from_utf8_lossy(&out.stderr));
    }
    (
        f[0].parse().unwrap_or(0.0),
        f[1].parse().unwrap_or(0.0),
        f[2].parse().unwrap_or(0),
        f[3].parse().unwrap_or(0),
    )
}

/// A workspace of national exports: campaign.yaml and one export workbook per part.
fn national_workspace(root: &Path, name: &str, parts: &[&[national::ExportHousehold]]) -> std::path::PathBuf {
    let dir = root.join(name);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{e}");
    }
    if let Err(e) = std::fs::write(
        dir.join("campaign.yaml"),
        "名称: 基准测试\n年度: 2024\n地区: {省: 测试省, 县: 测试县, 乡镇: 测试乡}\n监测范围: 8300\n统计截止日: 2024-06-30\n",
    ) {
        panic!("{e}");
    }
    for (i, part) in parts.iter().enumerate() {
        national::write_export(
            &dir.join(format!("防止返贫致贫监测对象信息_20240612_{}.xlsx", i + 1)),
            national::Export::Monitoring,
            "2024-06-12 10:00:00",
            part,
        );
    }
    dir
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var("FANGPIN_BENCH_CHILD").is_ok() {
        child_build(&args[1], &args[2]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `cargo bench --bench pipeline -- national` runs only the sections named (merged, national,
    // county: the county section includes rules, XLSX, PDF and the end-to-end builds).
    let only: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|o| o.as_str() == section);
    println!("fangpin pipeline benchmark ({} threads)", rayon::current_num_threads());
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));

    // Ingest: one workbook of ~100,000 rows (one-sheet merged layout, one village).
    if wanted("merged") {
        let big = tmp.path().join("big");
        gen_workspace(&big, 27_000, 1);
        let t = Instant::now();
        let ws = fangpin::ingest::load_workspace(&big).unwrap_or_else(|e| panic!("{e}"));
        let secs = t.elapsed().as_secs_f64();
        let rows: usize = ws.inputs.iter().map(|i| i.rows).sum();
        println!(
            "ingest: {rows} rows in {secs:.2} s = {:.0} rows/s (one merged-layout workbook + YAML)",
            rows as f64 / secs
        );
        drop(ws);
    }

    // National-system 防止返贫致贫监测对象信息 exports of 100,000 persons (one row each, household
    // columns repeated, title + query rows, 20-character 残疾人证号 on one row in twenty): one
    // workbook of 100,000 rows × 58 columns, and the same people in two workbooks of 50,000.
    if wanted("national") {
        let people = national::synthetic(100_000);
        let (a, b) = people.split_at(people.len() / 2);
        let one = national_workspace(tmp.path(), "export-1", &[&people]);
        let two = national_workspace(tmp.path(), "export-2", &[a, b]);
        for (dir, what) in [(&one, "1 × 100,000"), (&two, "2 × 50,000")] {
            for _ in 0..2 {
                let t = Instant::now();
                let ws = fangpin::ingest::load_workspace(dir).unwrap_or_else(|e| panic!("{e}"));
                let secs = t.elapsed().as_secs_f64();
                let rows: usize = ws.inputs.iter().map(|i| i.rows).sum();
                println!(
                    "ingest: national export ({what} persons), {} households, {} persons, {rows} rows in {secs:.2} s = {:.0} rows/s",
                    ws.data.households.len(),
                    ws.data.member_count(),
                    rows as f64 / secs
                );
            }
        }
    }
    if !wanted("county") {
        return;
    }

    // 20,000 households, 80 villages.
    let county = tmp.path().join("county");
    let g = gen_workspace(&county, 20_000, 80);
    println!("gen: 20,000 households in {g:.2} s");
    let t = Instant::now();
    let ws = fangpin::ingest::load_workspace(&county).unwrap_or_else(|e| panic!("{e}"));
    let secs = t.elapsed().as_secs_f64();
    let rows: usize = ws.inputs.iter().map(|i| i.rows).sum();
    println!(
        "ingest: {} households, {} members, {rows} rows in {secs:.2} s = {:.0} rows/s",
        ws.data.households.len(),
        ws.data.member_count(),
        rows as f64 / secs
    );
    let t = Instant::now();
    let eval = fangpin::rules::evaluate(&ws, as_of()).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "rules: evaluate 20,000 households in {:.3} s ({} compliance rows, {} ledger rows)",
        t.elapsed().as_secs_f64(),
        eval.compliance.len(),
        eval.ledger.len()
    );

    // XLSX: the 时限合规报告 for 20,000 households.
    let t = Instant::now();
    let view = compliance_report::view(&ws, &eval);
    let bytes = fangpin::render::xlsx::compliance::write(&view).unwrap_or_else(|e| panic!("{e}"));
    let secs = t.elapsed().as_secs_f64();
    let n = eval.compliance.len();
    println!(
        "xlsx: 时限合规报告 {n} rows, {} KiB in {secs:.2} s = {:.0} rows/s",
        bytes.len() / 1024,
        n as f64 / secs
    );

    // PDF: 承诺授权书 (one page per household), pipeline vs raw engine on the same template.
    let engine = PdfEngine::new(None).unwrap_or_else(|e| panic!("{e}"));
    let villages: Vec<String> = ws.data.villages().into_iter().take(16).collect();
    let households: usize = ws
        .data
        .households
        .iter()
        .filter(|h| villages.contains(&h.village))
        .count();
    // Warm-up (font and template caches).
    if let Some(v) = commitment::view(&ws, &eval, &villages[0]) {
        let _ = docs::commitment::render(&engine, &v, as_of());
    }
    // Raw: the engine on prebuilt inputs (views and the same-on-every-page parts laid out
    // beforehand); pipeline: what a build does per village (view, parts, forms).
    let views: Vec<_> = villages
        .iter()
        .filter_map(|v| commitment::view(&ws, &eval, v))
        .map(|v| {
            let statics = docs::commitment::statics(&engine, &v, as_of())
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("the built-in template has a statics mode"));
            (v, statics)
        })
        .collect();
    // Alternate raw and pipeline runs and keep the best of each, so cache warm-up favours neither.
    let (mut raw, mut pipe) = (0f64, 0f64);
    for _ in 0..2 {
        let t = Instant::now();
        let pages: usize = views
            .par_iter()
            .map(|(v, statics)| {
                engine
                    .render_with("commitment.typ", v, as_of(), &[("statics", statics.clone())])
                    .map(|r| r.pages)
                    .unwrap_or(0)
            })
            .sum();
        raw = raw.max(pages as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let pages: usize = villages
            .par_iter()
            .map(|v| {
                commitment::view(&ws, &eval, v)
                    .and_then(|view| docs::commitment::render(&engine, &view, as_of()).ok())
                    .map(|r| r.pages)
                    .unwrap_or(0)
            })
            .sum();
        pipe = pipe.max(pages as f64 / t.elapsed().as_secs_f64());
    }
    println!(
        "pdf: 承诺授权书 {households} households — raw engine {raw:.0} pages/s, pipeline {pipe:.0} pages/s ({:.0} % of raw)",
        pipe / raw * 100.0
    );
    drop(eval);
    drop(ws);
    let _ = DocKind::ALL;

    for (n, v) in [(1_000usize, 4usize), (20_000, 80)] {
        let (secs, rss, docs, pages) = end_to_end(n, v);
        println!(
            "build: {n} households end-to-end {secs:.2} s, peak RSS {rss:.0} MiB, {docs} documents, {pages} PDF pages"
        );
    }
}
