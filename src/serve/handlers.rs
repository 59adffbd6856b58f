//! The endpoints. Work that reads or writes files runs on a blocking thread; a build runs on its
//! own thread and reports through the progress channel the event stream follows.

use super::files::{self, Refusal};
use super::security::refuse;
use super::{AppState, MAX_UPLOAD_BYTES, Progress};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use tokio_stream::StreamExt as _;

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// The page's only content sources are itself: no CDN, no inline script.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; frame-src 'self'; object-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

fn refusal(r: Refusal) -> Response {
    match r.exists {
        Some(path) => (
            r.status,
            axum::Json(serde_json::json!({ "error": r.message, "exists": path })),
        )
            .into_response(),
        None => refuse(r.status, r.message),
    }
}

fn text(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// Runs blocking file work off the async threads; a panic there is reported, not propagated.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "处理请求时程序意外中止（程序缺陷）。请把操作步骤和输入文件报告给开发人员",
        )
    })
}

/// GET /: the page, with this run's token.
pub(crate) async fn page(State(state): State<AppState>) -> Response {
    let html = PAGE.replace("__FANGPIN_TOKEN__", state.token());
    let mut r = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) async fn script() -> Response {
    text("text/javascript; charset=utf-8", SCRIPT)
}

pub(crate) async fn style() -> Response {
    text("text/css; charset=utf-8", STYLE)
}

pub(crate) async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "没有这个页面。请打开首页 /")
}

/// GET /api/status: the check (the same `Site::load` as `fangpin check`) and the outputs.
pub(crate) async fn status(State(state): State<AppState>) -> Response {
    let s = state.clone();
    let result = blocking(move || {
        let inner = &s.inner;
        let opts = crate::site::SiteOptions {
            workspace: inner.workspace.clone(),
            as_of: None,
            today: (inner.today)(),
            village: None,
            force: false,
        };
        let loaded = crate::site::Site::load(&opts);
        let view = super::status_view(&inner.workspace.display().to_string(), loaded.as_ref());
        let outputs = super::view::outputs(&inner.out);
        serde_json::json!({
            "status": view,
            "outputs": outputs,
            "output_folder": inner.out.display().to_string(),
            "building": inner.building.load(Ordering::SeqCst),
            "upload_limit_mb": MAX_UPLOAD_BYTES >> 20,
        })
    })
    .await;
    match result {
        Ok(json) => axum::Json(json).into_response(),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct UploadQuery {
    name: String,
    #[serde(default)]
    replace: Option<String>,
}

/// PUT /api/upload?name=芒洪村.xlsx[&replace=1]: the body is the file.
pub(crate) async fn upload(
    State(state): State<AppState>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    body: Body,
) -> Response {
    let Ok(Query(q)) = query else {
        return refuse(StatusCode::BAD_REQUEST, "上传请求缺少文件名。请在页面上选择文件上传");
    };
    let too_big = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "“{}”超过 {} MB，未保存。请只上传本村的表格，或把大表按村拆分后分别上传",
                crate::model::escape_controls(&q.name),
                MAX_UPLOAD_BYTES >> 20
            ),
        )
    };
    let bytes = match axum::body::to_bytes(body, MAX_UPLOAD_BYTES).await {
        Ok(b) => b,
        Err(_) => return too_big(),
    };
    let replace = q.replace.as_deref() == Some("1");
    let s = state.clone();
    let name = q.name.clone();
    let saved =
        blocking(move || files::save_upload(&s.inner.workspace_canon, &s.inner.out, &name, replace, &bytes)).await;
    match saved {
        Ok(Ok(saved)) => axum::Json(saved).into_response(),
        Ok(Err(r)) => refusal(r),
        Err(r) => r,
    }
}

/// Sets `building` back when the build thread ends, however it ends.
struct BuildingFlag(AppState);

impl Drop for BuildingFlag {
    fn drop(&mut self) {
        self.0.inner.building.store(false, Ordering::SeqCst);
    }
}

/// POST /api/build: starts a build unless one is running (409).
pub(crate) async fn start_build(State(state): State<AppState>) -> Response {
    if state
        .inner
        .building
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return refuse(StatusCode::CONFLICT, "正在生成，请稍候：上一次生成完成后再点“生成”");
    }
    let flag = BuildingFlag(state.clone());
    let inner = &state.inner;
    let opts = crate::build::BuildOptions {
        workspace: inner.workspace.clone(),
        out: inner.out.clone(),
        as_of: None,
        today: (inner.today)(),
        only: None,
        village: None,
        force: false,
        pdf_standard: None,
    };
    let mut run = 0;
    inner.progress.send_modify(|p| {
        run = p.run + 1;
        *p = Progress {
            run,
            state: "running",
            stage: "准备".to_string(),
            ..Progress::default()
        };
    });
    let s = state.clone();
    let spawned = std::thread::Builder::new().name("fangpin-build".into()).spawn(move || {
        let _flag = flag;
        let progress = &s.inner.progress;
        let on_event = |e: crate::build::Event| {
            progress.send_modify(|p| match e {
                crate::build::Event::Stage(stage) => p.stage = stage.to_string(),
                crate::build::Event::Planned(n) => p.planned = n,
                crate::build::Event::Done { .. } => p.done += 1,
            })
        };
        let result = crate::build::run(&opts, &on_event);
        progress.send_modify(|p| match &result {
            Ok(report) => {
                p.state = "done";
                p.stage = "完成".to_string();
                p.message = format!(
                    "已生成 {} 个文件，用时 {:.1} 秒（统计截止日 {}）。{}",
                    report.outputs.len(),
                    report.elapsed.as_secs_f64(),
                    report.as_of,
                    report.tally.line()
                );
            }
            Err(e) => {
                p.state = "failed";
                p.message = e.to_string();
            }
        });
    });
    if spawned.is_err() {
        // The flag went down with the closure: nothing runs.
        inner.progress.send_modify(|p| {
            p.state = "failed";
            p.message = "无法启动生成线程（系统资源不足）。请关闭其他程序后重试".to_string();
        });
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "无法启动生成，请稍后重试");
    }
    (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({ "started": true, "run": run })),
    )
        .into_response()
}

/// GET /api/build: where the current (or last) build is.
pub(crate) async fn build_progress(State(state): State<AppState>) -> Response {
    axum::Json(state.inner.progress.borrow().clone()).into_response()
}

/// GET /api/build/events: the progress as server-sent events, one `progress` event per change
/// (the latest state first, so a page opened mid-build catches up).
pub(crate) async fn build_events(State(state): State<AppState>) -> Response {
    let stream = tokio_stream::wrappers::WatchStream::new(state.inner.progress.subscribe()).map(|p| {
        Ok::<_, std::convert::Infallible>(
            SseEvent::default()
                .event("progress")
                .data(serde_json::to_string(&p).unwrap_or_default()),
        )
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// GET /api/zip: every output in one zip.
pub(crate) async fn zip_all(State(state): State<AppState>) -> Response {
    let out = state.inner.out.clone();
    match blocking(move || files::zip_outputs(&out)).await {
        Ok(Ok((bytes, name))) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (header::CONTENT_DISPOSITION, files::disposition(false, &name)),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(r)) => refusal(r),
        Err(r) => r,
    }
}

/// GET /api/template: the blank village workbook of `fangpin template`, with the workspace's
/// vocabulary when its rules.yaml extends it.
pub(crate) async fn template(State(state): State<AppState>) -> Response {
    let s = state.clone();
    let made = blocking(move || {
        let inner = &s.inner;
        let mut rules = crate::model::RulesFile::defaults();
        let path = inner.workspace_canon.join(crate::ingest::RULES_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            match crate::ingest::parse_rules(&text) {
                Ok(r) => rules = rules.merged_with(r),
                Err(d) => {
                    return Err((
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!(
                            "rules.yaml 有问题，模板未生成：{}。请先改正 rules.yaml",
                            d.iter().map(ToString::to_string).collect::<Vec<_>>().join("；")
                        ),
                    ));
                }
            }
        }
        crate::render::xlsx::template::write(&rules, (inner.today)())
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("模板生成失败：{e}")))
    })
    .await;
    match made {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, files_kind_xlsx().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    files::disposition(false, crate::render::xlsx::template::FILE_NAME),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err((status, message))) => refuse(status, message),
        Err(r) => r,
    }
}

fn files_kind_xlsx() -> &'static str {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

/// GET /out/<path>: one output file — PDFs open in the browser, XLSX download.
pub(crate) async fn output_file(State(state): State<AppState>, UrlPath(rel): UrlPath<String>) -> Response {
    let out = state.inner.out.clone();
    let found = blocking(move || {
        files::resolve_output(&out, &rel).and_then(|(path, kind)| {
            let bytes = std::fs::read(&path).map_err(|_| Refusal {
                status: StatusCode::NOT_FOUND,
                message: "文件无法读取（可能正在重新生成）。请稍后刷新页面".to_string(),
                exists: None,
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((bytes, kind, name))
        })
    })
    .await;
    match found {
        Ok(Ok((bytes, kind, name))) => {
            let inline = kind != files_kind_xlsx();
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (header::CONTENT_DISPOSITION, files::disposition(inline, &name)),
                    (header::CACHE_CONTROL, "no-cache".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(Err(r)) => refusal(r),
        Err(r) => r,
    }
}
