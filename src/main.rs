//! `fangpin` command line: parse arguments, call the library, print in Chinese.

mod cli;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

// Typst allocates and frees many small objects from both render threads; glibc's allocator
// spends about a fifth of a county build in malloc/free there, mimalloc far less.
#[global_allocator]
static GLOBAL: Capped = Capped(mimalloc::MiMalloc);

/// mimalloc, refusing a single absurd request (a workspace template's `range(1e10)`) with a
/// Chinese message and exit code 1 instead of an abort. One compare on the size, nothing else:
/// the hot path of a county build is unchanged.
struct Capped(mimalloc::MiMalloc);

const MAX_ALLOCATION: usize = fangpin::render::limits::MAX_SINGLE_ALLOCATION;

#[cold]
#[inline(never)]
fn refuse(size: usize) -> ! {
    fangpin::render::limits::allocation_refused(size)
}

// SAFETY: every call is forwarded unchanged to mimalloc, or never returns.
unsafe impl std::alloc::GlobalAlloc for Capped {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            refuse(layout.size());
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            refuse(layout.size());
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            refuse(new_size);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

#[derive(Parser)]
#[command(
    name = "fangpin",
    version,
    about = "防止返贫监测帮扶集中排查：核查村级数据、检查办理时限、整理整改台账、生成公文与表格",
    // Our own `help` (Chinese, and it also shows sections of the built-in manual).
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 读取并核查工作区数据，列出每个问题及其位置
    Check(cli::check::Args),
    /// 检查各程序环节办理时限与工作节点进度
    Compliance(cli::compliance::Args),
    /// 生成全部公文（PDF）与表格（XLSX）
    Build(cli::build::Args),
    /// 只生成一种文书
    Render(cli::render::Args),
    /// 导出村级填报用空白模板（带下拉选项）
    Template(cli::template::Args),
    /// 内置文书模板：导出以便修改
    Templates(cli::templates::Args),
    /// 查看各字体角色实际使用的字体，以及数据中无字体覆盖的字符
    Fonts(cli::fonts::Args),
    /// 工作日历计算
    Calendar(cli::calendar::Args),
    /// 生成指定规模的模拟工作区（测试与性能评估用）
    Gen(cli::gen_cmd::Args),
    /// 按 manifest.json 复核输出文件是否被改动或缺失
    Verify(cli::verify::Args),
    /// 在本机浏览器中操作：核查、上传、生成、下载（只在 127.0.0.1 上提供）
    Serve(cli::serve::Args),
    /// 显示命令说明或使用手册的一节（如 fangpin help check、fangpin help 输入约定）
    Help(cli::help::Args),
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let command = localized(Cli::command(), true);
    let cli = match command
        .clone()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(usage_error(&e, command)),
    };
    let code = match cli.command {
        Command::Check(a) => cli::check::run(a),
        Command::Compliance(a) => cli::compliance::run(a),
        Command::Build(a) => cli::build::run(a),
        Command::Render(a) => cli::render::run(a),
        Command::Template(a) => cli::template::run(a),
        Command::Templates(a) => cli::templates::run(a),
        Command::Fonts(a) => cli::fonts::run(a),
        Command::Calendar(a) => cli::calendar::run(a),
        Command::Gen(a) => cli::gen_cmd::run(a),
        Command::Verify(a) => cli::verify::run(a),
        Command::Serve(a) => cli::serve::run(a),
        Command::Help(a) => cli::help::run(a, command),
    };
    ExitCode::from(code)
}

/// The help page layout, with Chinese headings.
const HELP_TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}\n";

/// `command` with Chinese headings and help/version texts, recursively.
fn localized(command: clap::Command, root: bool) -> clap::Command {
    let mut c = command
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("命令")
        .disable_help_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() { "参数" } else { "选项" };
            // Our help texts name their defaults in Chinese (“默认 data”).
            // (Only for arguments that take a value: flags have no default to hide.)
            let says_default =
                a.get_action().takes_values() && a.get_help().is_some_and(|h| h.to_string().contains("默认"));
            a.help_heading(heading).hide_default_value(says_default)
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示本说明")
                .help_heading("选项"),
        );
    if root {
        c = c.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    }
    c.mut_subcommands(|s| localized(s, false))
}

/// Prints a command-line error in Chinese with the usage and where to find help; returns the
/// exit code. `--help` and `--version` print as usual and end with 0. A wrong command line is
/// not an input-data error (exit 2 means the workspace has errors), so it ends with 1.
fn usage_error(e: &clap::Error, mut command: clap::Command) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return cli::EXIT_OK;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = command.print_help();
            eprintln!("\n错误：请指定要执行的命令，如 fangpin check。查看说明：fangpin help");
            return cli::EXIT_FAILURE;
        }
        _ => {}
    }
    let text = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let mut msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => format!("没有“{}”这个命令", text(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少取值"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值“{value}”不在可选范围内"),
        ErrorKind::ValueValidation => format!("参数 {arg} 的值“{value}”无效"),
        ErrorKind::NoEquals => format!("参数 {arg} 的值须用等号写在后面（如 {arg}=值）"),
        ErrorKind::TooManyValues => format!("参数 {arg} 给的值太多（“{value}”是多出来的）"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!(
                "参数 {arg} 的值个数不对（应为 {} 个）",
                text(ContextKind::ExpectedNumValues)
            )
        }
        ErrorKind::ArgumentConflict => format!("参数 {arg} 不能与 {} 同时使用", text(ContextKind::PriorArg)),
        ErrorKind::MissingRequiredArgument => format!("缺少必填的参数 {arg}"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是 UTF-8 编码）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let valid = text(ContextKind::ValidValue);
    if !valid.is_empty() {
        msg.push_str(&format!("。可选值：{valid}"));
    }
    let suggested = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .map(text)
    .find(|s| !s.is_empty());
    if let Some(s) = suggested {
        msg.push_str(&format!("。是不是要写“{s}”？"));
    }
    // The English detail (clap's own sentence) after the Chinese one, as for other errors.
    let detail = e
        .render()
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    // The subcommand the clerk was writing: the first argument that names one.
    command.build();
    let sub: Option<String> = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .filter(|a| command.find_subcommand(a).is_some());
    let usage = match sub.as_deref().and_then(|s| command.find_subcommand_mut(s)) {
        Some(s) => s.render_usage().to_string(),
        None => text(ContextKind::Usage),
    };
    let usage = usage
        .trim()
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[选项]");
    let help = match sub {
        Some(s) => format!("fangpin help {s}（或 fangpin {s} --help）"),
        None => "fangpin help".to_string(),
    };
    eprintln!("错误：{msg}（{detail}）");
    if !usage.is_empty() {
        eprintln!("用法：{usage}");
    }
    eprintln!("查看说明：{help}");
    cli::EXIT_FAILURE
}

/// A closed stdout (`fangpin … | head -1`) ends the process quietly: the commands write
/// through `cli::print`, which stops at a closed pipe; a `print!` elsewhere panics there, and
/// that panic ends the process without the panic text.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if payload.contains("failed printing to stdout") && payload.contains("Broken pipe") {
            std::process::exit(i32::from(cli::EXIT_FAILURE));
        }
        default(info);
    }));
}

/// Default workspace folder.
pub fn default_workspace() -> PathBuf {
    PathBuf::from("data")
}
