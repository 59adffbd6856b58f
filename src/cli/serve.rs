//! `fangpin serve [WORKSPACE] [--port 3000] [--open]`: the local web page for clerks.

use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// 工作区文件夹（含 campaign.yaml），默认 data
    #[arg(value_name = "WORKSPACE", default_value = "data")]
    pub workspace: PathBuf,
    /// 网页服务端口（只在本机 127.0.0.1 上提供），默认 3000
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// 生成结果的输出文件夹，默认 output
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// 启动后用默认浏览器打开页面
    #[arg(long)]
    pub open: bool,
}

pub fn run(args: Args) -> u8 {
    let opts = fangpin::serve::ServeOptions {
        workspace: args.workspace.clone(),
        out: args.out.clone(),
        port: args.port,
        today: Arc::new(super::today),
    };
    let open = args.open;
    let result = fangpin::serve::serve_blocking(&opts, |addr| {
        let url = format!("http://127.0.0.1:{}/", addr.port());
        super::println(&format!("fangpin 网页已启动：{url}"));
        super::println(&format!(
            "工作区：{}；输出文件夹：{}。在浏览器中打开上面的地址即可操作；按 Ctrl+C 停止。",
            args.workspace.display(),
            args.out.display()
        ));
        if open {
            open_browser(&url);
        }
    });
    match result {
        Ok(()) => {
            super::println("fangpin 网页已停止。");
            super::EXIT_OK
        }
        Err(e) => {
            eprintln!("错误：{e}");
            e.exit_code()
        }
    }
}

/// The OS's own opener with our fixed URL as its one argument: no shell, no user text.
fn open_browser(url: &str) {
    let mut command = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        // `start` takes its first quoted argument as a window title: give it an empty one.
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if command.spawn().is_err() {
        eprintln!("提示：无法自动打开浏览器。请手动在浏览器中打开 {url}");
    }
}
