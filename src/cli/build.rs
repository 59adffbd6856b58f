use fangpin::build::{BuildError, BuildOptions, BuildReport, DocKind, Event, Format};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    /// 工作区文件夹（含 campaign.yaml）
    #[arg(default_value = "data")]
    pub workspace: PathBuf,
    /// 输出文件夹
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// 统计截止日（默认取 campaign.yaml 的统计截止日，再默认今天）
    #[arg(long)]
    pub as_of: Option<String>,
    /// 只生成这些文书，逗号分隔（如 commitment,publicity 或 承诺授权书）
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// 只生成这个村的文书
    #[arg(long)]
    pub village: Option<String>,
    /// 输入有错误时仍生成有效部分，并列出未纳入的数据
    #[arg(long)]
    pub force: bool,
    /// PDF 标准：a-2b 生成 PDF/A-2b 归档版（上报、归档用；每页完整排版，较慢）。也可在 campaign.yaml 写“PDF标准: a-2b”
    #[arg(long, value_name = "STANDARD")]
    pub pdf_standard: Option<String>,
}

pub fn run_cmd(args: Args) -> u8 {
    let as_of = match args.as_of.as_deref().map(fangpin::ingest::parse_date).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("--as-of 日期无法识别：{e}");
            return super::EXIT_FAILURE;
        }
    };
    let mut only = Vec::new();
    for k in &args.only {
        match DocKind::parse(k) {
            Some(kind) => only.push(kind),
            None => {
                eprintln!("不认识的文书“{k}”。可选：{}", DocKind::choices());
                return super::EXIT_FAILURE;
            }
        }
    }
    let pdf_standard = match args.pdf_standard.as_deref() {
        None => None,
        Some(s) => match fangpin::render::pdf::PdfStandard::parse(s) {
            Some(p) => Some(p),
            None => {
                eprintln!("不认识的 PDF 标准“{s}”。可选：a-2b（PDF/A-2b 归档版）");
                return super::EXIT_FAILURE;
            }
        },
    };
    let opts = BuildOptions {
        workspace: args.workspace,
        out: args.out,
        as_of,
        today: chrono::Local::now().date_naive(),
        only: (!only.is_empty()).then_some(only),
        village: args.village,
        force: args.force,
        pdf_standard,
    };
    execute(&opts)
}

pub fn run(args: Args) -> u8 {
    run_cmd(args)
}

/// Run a build with a progress bar on a terminal, plain stage lines otherwise.
pub fn execute(opts: &BuildOptions) -> u8 {
    let tty = std::io::stderr().is_terminal();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let progress = |e: Event| match e {
        Event::Stage(s) => {
            if let Ok(b) = bar.lock()
                && let Some(b) = b.as_ref()
            {
                b.finish_and_clear();
            }
            eprintln!("· {s}");
        }
        Event::Planned(n) => {
            if tty && let Ok(mut b) = bar.lock() {
                let pb = ProgressBar::new(n as u64);
                if let Ok(style) = ProgressStyle::with_template("  {bar:40} {pos}/{len} 份 {msg}") {
                    pb.set_style(style);
                }
                *b = Some(pb);
            } else {
                eprintln!("  共 {n} 份文书");
            }
        }
        Event::Done { kind, village } => {
            if let Ok(b) = bar.lock()
                && let Some(b) = b.as_ref()
            {
                b.set_message(format!("{}{}", village.as_deref().unwrap_or(""), kind.name()));
                b.inc(1);
            }
        }
    };
    let result = fangpin::build::run(opts, &progress);
    if let Ok(b) = bar.lock()
        && let Some(b) = b.as_ref()
    {
        b.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print_report(&report);
            super::EXIT_OK
        }
        Err(e) => {
            if let BuildError::InputErrors { .. } = &e {
                // Show the problems themselves: the clerk fixes them from this list.
                if let Ok(ws) = fangpin::ingest::load_workspace(&opts.workspace) {
                    for d in ws.diagnostics.iter() {
                        eprintln!("{d}");
                    }
                }
            }
            eprintln!("错误：{e}");
            e.exit_code()
        }
    }
}

fn print_report(r: &BuildReport) {
    println!("已生成：{}（统计截止日 {}）", r.dir.display(), r.as_of);
    let mut docs = 0;
    let mut pages = 0;
    for ((kind, format), (n, p)) in &r.per_kind {
        docs += n;
        pages += p;
        match format {
            Format::Pdf => println!("  {:<16} PDF  {n:>4} 份 {p:>6} 页", kind.name()),
            Format::Xlsx => println!("  {:<16} XLSX {n:>4} 份", kind.name()),
        }
    }
    println!("合计 {docs} 份文书，PDF {pages} 页；{} 户。", r.households);
    println!("{}", r.tally.line());
    print!("{}", r.held_back);
    if !r.font_notes.is_empty() {
        println!(
            "字体：本机未安装规范字体 {}，已用内置字体代替（字形与公文规范不同；替代情况和安装办法见 fangpin fonts）。",
            r.font_notes.join("、")
        );
    }
    for u in &r.uncovered {
        println!("{u}");
    }
    if !r.left_out.is_empty() {
        println!("以下数据有错误，未纳入本次生成（--force）：");
        for l in &r.left_out {
            println!("  {l}");
        }
    }
    let t: Vec<String> = r
        .timings
        .iter()
        .map(|(s, d)| format!("{s} {:.2}s", d.as_secs_f64()))
        .collect();
    println!("用时 {:.2} 秒（{}）。", r.elapsed.as_secs_f64(), t.join("，"));
}
