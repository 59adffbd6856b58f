//! The whole run: check → rules → every document, in parallel, into a staging folder that replaces
//! the previous outputs only when everything succeeded, with an audit manifest.

mod jobs;

pub mod manifest;
mod stage;

pub use crate::documents::kinds::{DocKind, Format};
pub use manifest::{Manifest, OutputEntry, VerifyReport, find_manifests, verify_dir};
pub use stage::{LOCK_FILE, Overlap};

use crate::ingest::{IngestError, load_workspace};
use crate::model::Workspace;
use crate::render::RenderError;
use crate::rules::{Evaluation, RulesError};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// 暂缓公示 cases listed in the build summary (all are in the report tables and `check`).
const HELD_IN_SUMMARY: usize = 30;

/// Stack size of the rendering threads.
const RENDER_STACK_BYTES: usize = 256 << 20;

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub workspace: PathBuf,
    /// Output root; the campaign's folder is created inside it.
    pub out: PathBuf,
    /// `--as-of`; falls back to the campaign's 统计截止日, then `today`.
    pub as_of: Option<NaiveDate>,
    /// The caller's date (the library never reads the clock).
    pub today: NaiveDate,
    /// Only these kinds (None: all).
    pub only: Option<Vec<DocKind>>,
    /// Only this village's documents.
    pub village: Option<String>,
    /// Render what is valid even when the input has errors.
    pub force: bool,
    /// `--pdf-standard`; None: the campaign's PDF标准, else plain PDF.
    pub pdf_standard: Option<crate::render::pdf::PdfStandard>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("输入数据有 {errors} 个错误，未生成任何文书。请按数据问题清单逐条修改源文件后重新生成{}", .problem_list.as_ref().map(|p| format!("（清单已写入 {}）", p.display())).unwrap_or_default())]
    InputErrors {
        errors: usize,
        problem_list: Option<PathBuf>,
    },
    #[error("规则计算失败：{0}")]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Site(#[from] crate::site::SiteError),
    #[error("生成《{document}》{}失败：{source}", .village.as_ref().map(|v| format!("（{v}）")).unwrap_or_default())]
    Render {
        document: &'static str,
        village: Option<String>,
        #[source]
        source: RenderError,
    },
    #[error("无法写入 {path}：{source}。请确认输出文件夹可写、文件未被 Excel/WPS 等程序打开")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("manifest.json 出错：{0}")]
    Manifest(String),
    #[error("输出文件夹“{}”不能用：{}（工作区“{}”）。生成会替换其中的文件夹，工作区的数据会丢失，所以什么也没有写入。请用 --out 另选一个输出文件夹：放在工作区之外（如 --out 输出），或放在工作区里面的子文件夹（如 --out {}）", .out.display(), .overlap.describe(), .workspace.display(), .workspace.join("生成结果").display())]
    OutputOverlapsWorkspace {
        out: PathBuf,
        workspace: PathBuf,
        overlap: stage::Overlap,
    },
    #[error("“{}”处已有{what}，生成会替换它，为免丢失数据已停止，什么也没有写入。请把它移走或改名，或用 --out 另选输出文件夹", .path.display())]
    TargetOccupied { path: PathBuf, what: String },
    #[error("另一个 fangpin 生成正在向输出文件夹“{}”写入（锁文件 {} 被占用）。请等它结束后再运行，或用 --out 另选输出文件夹", .out.display(), stage::LOCK_FILE)]
    Locked { out: PathBuf },
    #[error("{0}")]
    Options(String),
}

impl BuildError {
    /// True when the input is at fault (exit code 2).
    pub fn is_input_error(&self) -> bool {
        self.exit_code() == crate::site::EXIT_INPUT
    }

    /// The exit code under the one policy (`site::EXIT_*`).
    pub fn exit_code(&self) -> u8 {
        match self {
            BuildError::InputErrors { .. } | BuildError::Rules(_) => crate::site::EXIT_INPUT,
            BuildError::Ingest(IngestError::Io { .. }) => crate::site::EXIT_FAILURE,
            BuildError::Ingest(_) => crate::site::EXIT_INPUT,
            BuildError::Site(e) => e.exit_code(),
            _ => crate::site::EXIT_FAILURE,
        }
    }
}

/// Progress events for the CLI's bar or log.
#[derive(Debug, Clone)]
pub enum Event {
    /// A pipeline stage started (读取数据, 规则计算, 生成文书, 写入输出).
    Stage(&'static str),
    /// The number of documents to render.
    Planned(usize),
    /// One document finished (or was skipped as empty).
    Done { kind: DocKind, village: Option<String> },
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The campaign's output folder.
    pub dir: PathBuf,
    pub as_of: NaiveDate,
    pub outputs: Vec<OutputEntry>,
    /// (documents, pages) per kind and format.
    pub per_kind: BTreeMap<(DocKind, Format), (usize, usize)>,
    pub households: usize,
    /// The counts every command reports the same way (data, rules, deadlines, 暂缓公示).
    pub tally: crate::rules::report::Tally,
    /// The 暂缓公示 cases with their reasons (empty when none), for the summary.
    pub held_back: String,
    /// Input rows left out (errors) when `--force` was given.
    pub left_out: Vec<String>,
    /// Characters in the data that no font covers (warnings naming the household), for the CLI
    /// to print: they would otherwise be silent boxes on paper.
    pub uncovered: Vec<String>,
    /// Font roles whose official face is not installed (`正文（FangSong_GB2312）`): a bundled
    /// face stood in; `fangpin fonts` says which and how to install the official one.
    pub font_notes: Vec<String>,
    pub timings: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
}

/// Everything the jobs read, shared across threads.
pub(crate) struct Context<'a> {
    pub ws: &'a Workspace,
    pub eval: &'a Evaluation,
    pub as_of: NaiveDate,
    pub pdf: Option<crate::render::pdf::PdfEngine>,
    pub text: crate::render::text::TextEngine,
}

/// The folder for a campaign, township or village name: the name itself, which ingest has
/// checked against the one folder-name rule (`model::folder_name`). The fallback only keeps a
/// library caller that skipped ingest's checks (or used `--force`) inside its folder.
pub(crate) fn unit_folder(name: &str) -> String {
    match crate::model::folder_name(name) {
        Ok(n) => n.to_string(),
        Err(_) => {
            let cleaned: String = name
                .chars()
                .map(|c| {
                    if crate::model::is_control_like(c)
                        || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    {
                        '_'
                    } else {
                        c
                    }
                })
                .take(crate::model::MAX_NAME_CHARS)
                .collect();
            format!("_{}_", cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace()))
        }
    }
}

pub use crate::site::resolve_as_of;

/// Before any data is read: refuses an output folder that would replace or contain the
/// workspace, or a campaign folder that is not a previous fangpin output; then locks the output
/// root (a second build into it stops here) and clears what killed runs left behind.
fn prepare_output(opts: &BuildOptions) -> Result<(PathBuf, stage::OutputLock), BuildError> {
    let resolve = |p: &Path| {
        stage::resolve(p).map_err(|source| BuildError::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    let workspace = resolve(&opts.workspace)?;
    let out = resolve(&opts.out)?;
    let overlaps = |campaign_dir: Option<&Path>| match stage::overlap(&workspace, &out, campaign_dir) {
        Some(overlap) => Err(BuildError::OutputOverlapsWorkspace {
            out: opts.out.clone(),
            workspace: opts.workspace.clone(),
            overlap,
        }),
        None => Ok(()),
    };
    overlaps(None)?;
    let campaign = crate::ingest::load_campaign(&opts.workspace)?;
    if crate::model::folder_name(&campaign.name).is_err()
        || crate::model::folder_name(&campaign.region.township).is_err()
    {
        // Ingest reports the bad name with its place and fix; nothing is written.
        load_workspace(&opts.workspace)?;
    }
    let campaign_dir = opts.out.join(unit_folder(&campaign.name));
    overlaps(Some(&out.join(unit_folder(&campaign.name))))?;
    if let Some(what) = stage::foreign_target(&campaign_dir) {
        return Err(BuildError::TargetOccupied {
            path: campaign_dir,
            what,
        });
    }
    let lock = stage::lock_output(&opts.out)?;
    Ok((campaign_dir, lock))
}

/// Run the whole build.
pub fn run(opts: &BuildOptions, progress: &(dyn Fn(Event) + Sync)) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let mut timings = Vec::new();
    let mut t = Instant::now();
    progress(Event::Stage("读取数据与规则计算"));
    let (campaign_dir, lock) = prepare_output(opts)?;
    let site = match crate::site::Site::load(&crate::site::SiteOptions {
        workspace: opts.workspace.clone(),
        as_of: opts.as_of,
        today: opts.today,
        village: opts.village.clone(),
        force: opts.force,
    }) {
        Ok(site) => site,
        Err(e) => {
            // Unreadable campaign.yaml / rules.yaml or a bad option: nothing is written, not even
            // the lock.
            lock.abandon();
            return Err(e.into());
        }
    };
    timings.push(("读取数据与规则计算", t.elapsed()));
    let crate::site::Site {
        ws,
        as_of,
        eval,
        uncovered,
    } = site;
    let errors = ws.error_count();
    let eval = match eval {
        Some(eval) if errors == 0 || opts.force => eval,
        _ => {
            let list = stage::write_problem_list(&ws, &opts.out, as_of)?;
            return Err(BuildError::InputErrors {
                errors,
                problem_list: Some(list),
            });
        }
    };
    let plan = jobs::plan(&ws, opts)?;
    t = Instant::now();
    progress(Event::Stage("准备排版引擎"));
    let needs_pdf = plan.iter().any(|j| j.format == Format::Pdf);
    let templates = Some(ws.templates_dir());
    let standard = opts
        .pdf_standard
        .or_else(|| {
            ws.campaign
                .pdf_standard
                .as_deref()
                .and_then(crate::render::pdf::PdfStandard::parse)
        })
        .unwrap_or_default();
    let pdf = if needs_pdf {
        let engine = crate::render::pdf::PdfEngine::new(templates.as_deref())
            .map_err(|source| BuildError::Render {
                document: "排版引擎",
                village: None,
                source,
            })?
            .with_standard(standard);
        // PDF/A requires every glyph: a character no font covers is reported now, naming the
        // household, not as a failed export after minutes of rendering.
        if standard != crate::render::pdf::PdfStandard::Plain
            && let Some(source) = crate::render::fonts::archive_coverage_error(engine.fonts(), &ws)
        {
            return Err(BuildError::Render {
                document: "PDF/A 归档版",
                village: None,
                source,
            });
        }
        Some(engine)
    } else {
        None
    };
    // Which official faces are missing here (the body set in a Song face instead of 仿宋 …).
    let font_notes: Vec<String> = pdf
        .as_ref()
        .and_then(|e| e.font_roles().ok())
        .unwrap_or_default()
        .iter()
        .filter(|r| crate::render::fonts::fallback_note(&r.role, &r.families, r.face.as_ref()).is_some())
        .filter_map(|r| r.families.first().map(|f| format!("{}（{f}）", r.role)))
        .collect();
    let text = crate::render::text::TextEngine::new(templates.as_deref()).map_err(|source| BuildError::Render {
        document: "文字模板",
        village: None,
        source,
    })?;
    timings.push(("准备排版引擎", t.elapsed()));
    let ctx = Context {
        ws: &ws,
        eval: &eval,
        as_of,
        pdf,
        text,
    };

    t = Instant::now();
    progress(Event::Stage("生成文书"));
    progress(Event::Planned(plan.len()));
    let staging = stage::Staging::create(&opts.out, &campaign_dir)?;
    let partial = opts.only.is_some() || opts.village.is_some();
    if partial {
        staging.seed_from_previous()?;
    }
    let results = run_jobs(&plan, |job| {
        let r = jobs::produce(&ctx, job).and_then(|out| match out {
            Some(doc) => staging.write(&job.rel_path, &doc.bytes).map(|sha| {
                Some(OutputEntry {
                    path: job.rel_path.clone(),
                    kind: job.kind.name().to_string(),
                    village: job.village.clone(),
                    format: job.format.ext().to_string(),
                    pages: doc.pages,
                    bytes: doc.bytes.len() as u64,
                    sha256: sha,
                })
            }),
            None => Ok(None),
        });
        progress(Event::Done {
            kind: job.kind,
            village: job.village.clone(),
        });
        r
    })?;
    let mut outputs = Vec::new();
    for r in results {
        if let Some(o) = r? {
            outputs.push(o);
        }
    }
    timings.push(("生成文书", t.elapsed()));

    t = Instant::now();
    progress(Event::Stage("写入输出"));
    let mut all_outputs = outputs.clone();
    if partial {
        // Keep the entries of documents this run did not touch.
        let produced: std::collections::HashSet<&str> = plan.iter().map(|j| j.rel_path.as_str()).collect();
        for old in staging.previous_outputs() {
            if !produced.contains(old.path.as_str()) {
                all_outputs.push(old);
            }
        }
    }
    all_outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        fangpin: env!("CARGO_PKG_VERSION").to_string(),
        campaign: ws.campaign.name.clone(),
        as_of: as_of.to_string(),
        pdf_standard: standard.key().map(str::to_string),
        inputs: ws
            .inputs
            .iter()
            .map(|i| manifest::InputEntry {
                path: i.path.clone(),
                sha256: i.sha256.clone(),
            })
            .collect(),
        outputs: all_outputs,
    };
    staging.write(manifest::MANIFEST_FILE, &manifest.to_json()?)?;
    staging.commit()?;
    timings.push(("写入输出", t.elapsed()));

    let mut per_kind: BTreeMap<(DocKind, Format), (usize, usize)> = BTreeMap::new();
    for (o, job) in outputs
        .iter()
        .filter_map(|o| plan.iter().find(|j| j.rel_path == o.path).map(|j| (o, j)))
    {
        let e = per_kind.entry((job.kind, job.format)).or_default();
        e.0 += 1;
        e.1 += o.pages.unwrap_or(0);
    }
    let tally = crate::rules::report::Tally::of(&ws, &eval);
    let left_out = if opts.force {
        ws.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect()
    } else {
        Vec::new()
    };
    Ok(BuildReport {
        dir: campaign_dir,
        as_of,
        outputs,
        per_kind,
        households: ws.data.households.len(),
        tally,
        held_back: crate::rules::report::held_back_text_at_most(&eval, HELD_IN_SUMMARY),
        left_out,
        uncovered,
        font_notes,
        timings,
        elapsed: started.elapsed(),
    })
}

/// Check a written output tree: `dir` holds a manifest or campaign folders that do.
pub fn verify(dir: &Path) -> Result<Vec<VerifyReport>, BuildError> {
    let dirs = find_manifests(dir);
    if dirs.is_empty() {
        return Err(BuildError::Manifest(format!(
            "{} 中没有找到 manifest.json。请指定 fangpin build 的输出文件夹（默认 output）",
            dir.display()
        )));
    }
    dirs.iter().map(|d| verify_dir(d)).collect()
}

/// Runs `produce` over the jobs (biggest first) and returns the results in plan order.
///
/// One feeder thread per core takes the next job and runs it inside a big-stack rayon pool, where
/// Typst lays out page runs in parallel. Jobs are deliberately *not* rayon tasks themselves: a
/// worker waiting inside Typst's parallel layout would steal further whole documents and nest
/// them on its stack, so many documents were in flight at once and memory grew with the
/// workspace. This way at most one document per feeder is being rendered.
fn run_jobs<T: Send>(
    plan: &[jobs::Job],
    produce: impl Fn(&jobs::Job) -> Result<T, BuildError> + Sync,
) -> Result<Vec<Result<T, BuildError>>, BuildError> {
    // Typst recurses deeply on long tables (a county-size 时限合规报告 runs to hundreds of pages):
    // render threads get big stacks. The thread count follows RAYON_NUM_THREADS.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(RENDER_STACK_BYTES)
        .build()
        .map_err(|e| BuildError::Options(format!("无法启动并行排版线程：{e}")))?;
    let feeders = pool.current_num_threads().clamp(1, plan.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<T, BuildError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..feeders)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = plan.get(i) else { break };
                        mine.push((i, pool.install(|| produce(job))));
                    }
                    mine
                })
            })
            .collect();
        let mut all = Vec::with_capacity(plan.len());
        for h in handles {
            match h.join() {
                Ok(mine) => all.extend(mine),
                // A panic inside a render is a bug; report it instead of tearing down the CLI.
                Err(_) => {
                    return Err(BuildError::Options(
                        "排版线程意外中止（程序缺陷），已生成的文件未写入。请把输入文件和命令报告给开发人员".into(),
                    ));
                }
            }
        }
        Ok(all)
    })?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_folders() {
        assert_eq!(unit_folder("芒洪村"), "芒洪村");
        assert_eq!(unit_folder("a/b:c"), "_a_b_c_");
        assert_eq!(unit_folder(".."), "__");
        assert_eq!(unit_folder("CON"), "_CON_");
        assert_eq!(unit_folder("新村."), "_新村_");
    }
}
