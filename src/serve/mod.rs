//! `fangpin serve`: the whole job in a local web page, in the manner of `mdbook serve` and
//! `zola serve`. The page drives the same run object as the CLI ([`crate::site::Site`] for the
//! check, [`crate::build::run`] for the documents), so it shows the same findings and writes the
//! same files; the server only adds uploads, progress over server-sent events and downloads.
//!
//! Safety: bound to 127.0.0.1 only; every request's Host must be a loopback name (DNS rebinding);
//! every state-changing request carries the per-run token and no cross-site Origin (CSRF); uploads
//! are size- and type-limited and named through the one name rule; files are served only from
//! the output folder; no shell is ever run.

mod files;
mod handlers;
mod security;
mod view;

pub use security::{TOKEN_HEADER, allowed_host};
pub use view::{StatusView, status_view};

use axum::Router;
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use serde::Serialize;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Largest upload accepted (one village workbook is well under 1 MB; a county export a few MB).
pub const MAX_UPLOAD_BYTES: usize = 20 << 20;

/// The caller's clock (the library never reads it): the date a check or build runs as of
/// when the workspace gives no 统计截止日. A long-running server asks again for each run.
pub type Clock = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// What the server needs before it starts.
#[derive(Clone)]
pub struct ServeOptions {
    pub workspace: PathBuf,
    /// Output root, as for `fangpin build --out`.
    pub out: PathBuf,
    /// 0: any free port (tests).
    pub port: u16,
    pub today: Clock,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("工作区文件夹“{}”不存在。请检查路径（如 fangpin serve data），或新建该文件夹并放入 campaign.yaml", .0.display())]
    WorkspaceMissing(PathBuf),
    #[error("“{}”不是文件夹。请指定工作区文件夹（其中有 campaign.yaml）", .0.display())]
    NotAFolder(PathBuf),
    #[error("端口 {port} 已被占用，网页服务没有启动。请用 --port 另选端口（如 fangpin serve --port {}），或关闭占用它的程序；若另一个 fangpin serve 已在运行，直接在浏览器打开 http://127.0.0.1:{port}/", .port.wrapping_add(1))]
    PortInUse { port: u16 },
    #[error("无法在 127.0.0.1:{port} 上启动网页服务：{source}。请用 --port 另选端口（1024 以上）")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("网页服务出错：{0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    /// The exit code under the one policy: a missing workspace is the input's fault (2).
    pub fn exit_code(&self) -> u8 {
        match self {
            ServeError::WorkspaceMissing(_) | ServeError::NotAFolder(_) => crate::site::EXIT_INPUT,
            _ => crate::site::EXIT_FAILURE,
        }
    }
}

/// Where the current (or last) build is, as the page's progress bar shows it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Progress {
    /// Counts builds started by this server (0: none yet).
    pub run: u64,
    /// idle, running, done, failed
    pub state: &'static str,
    /// The pipeline stage (读取数据与规则计算, 生成文书, …).
    pub stage: String,
    pub planned: usize,
    pub done: usize,
    /// The outcome in Chinese (what was written, or what went wrong and how to fix it).
    pub message: String,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The workspace as given (messages) and canonical (containment checks).
    pub workspace: PathBuf,
    pub workspace_canon: PathBuf,
    pub out: PathBuf,
    pub token: String,
    /// The port the page is served on: a same-origin request's Origin names it.
    pub port: u16,
    pub today: Clock,
    /// One build at a time.
    pub building: AtomicBool,
    pub progress: tokio::sync::watch::Sender<Progress>,
}

impl AppState {
    /// State for a workspace; the token is random per run unless given (tests).
    pub fn new(opts: &ServeOptions, port: u16, token: Option<String>) -> Result<AppState, ServeError> {
        let workspace_canon = match std::fs::canonicalize(&opts.workspace) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ServeError::WorkspaceMissing(opts.workspace.clone()));
            }
            Err(e) => return Err(ServeError::Io(e)),
        };
        if !workspace_canon.is_dir() {
            return Err(ServeError::NotAFolder(opts.workspace.clone()));
        }
        let (progress, _) = tokio::sync::watch::channel(Progress {
            state: "idle",
            ..Progress::default()
        });
        Ok(AppState {
            inner: Arc::new(Inner {
                workspace: opts.workspace.clone(),
                workspace_canon,
                out: opts.out.clone(),
                token: token.unwrap_or_else(security::new_token),
                port,
                today: opts.today.clone(),
                building: AtomicBool::new(false),
                progress,
            }),
        })
    }

    /// The per-run token the page sends back on every state-changing request.
    pub fn token(&self) -> &str {
        &self.inner.token
    }
}

/// Every route of the page, behind the Host / token / Origin guard.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(handlers::page))
        .route("/app.js", get(handlers::script))
        .route("/app.css", get(handlers::style))
        .route("/api/status", get(handlers::status))
        .route("/api/upload", put(handlers::upload))
        .route("/api/build", post(handlers::start_build).get(handlers::build_progress))
        .route("/api/build/events", get(handlers::build_events))
        .route("/api/zip", get(handlers::zip_all))
        .route("/api/template", get(handlers::template))
        .route("/out/{*path}", get(handlers::output_file))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state)
}

/// Binds 127.0.0.1:`port`, calls `ready` with the address (to print it, open the browser), then
/// serves until Ctrl-C. Open event streams are given a moment to close, then dropped.
pub fn serve_blocking(opts: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    // Fail before starting threads when the workspace is missing.
    AppState::new(opts, opts.port, None)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
            .await
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AddrInUse => ServeError::PortInUse { port: opts.port },
                _ => ServeError::Bind {
                    port: opts.port,
                    source,
                },
            })?;
        let addr = listener.local_addr()?;
        let state = AppState::new(opts, addr.port(), None)?;
        ready(addr);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(listener, router(state)).with_graceful_shutdown(async {
            let _ = stop_rx.await;
        });
        let server = tokio::spawn(async move { server.await });
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop_tx.send(());
        // An open event stream never ends by itself: wait briefly, then stop regardless.
        let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
        Ok(())
    });
    // A build thread still running is ended with the process; its staging folder keeps the
    // previous outputs intact (the build's own guarantee).
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}
