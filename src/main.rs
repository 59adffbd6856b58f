//! `fangpin` command line: parse arguments, call the library, print in Chinese.

mod cli;

use clap::{Parser, Subcommand};
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    };
    ExitCode::from(code)
}

/// Default workspace folder.
pub fn default_workspace() -> PathBuf {
    PathBuf::from("data")
}
