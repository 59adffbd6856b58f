//! `fangpin serve`: every endpoint against the router (no socket), the refusals (Host, token,
//! Origin, size, type, name, traversal, a second build), and the binary's start, errors and
//! Ctrl-C.

mod common;

use common::serve::village_book;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use fangpin::serve::{AppState, ServeOptions, router};
use std::io::{BufRead as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;

const TOKEN: &str = "0123456789abcdef-test-token";
const PORT: u16 = 3999;
const HOST: &str = "127.0.0.1:3999";
const ORIGIN: &str = "http://127.0.0.1:3999";
/// Where the planted error is: the 户类型 of the one household of 新村.xlsx.
const PLANTED_PLACE: &str = "村级数据/新村.xlsx › 户 › F2";

// ------------------------------------------------------------------ fixtures

struct Fixture {
    dir: tempfile::TempDir,
    state: AppState,
}

impl Fixture {
    /// The sample workspace copied into a temp folder, with the planted error when `plant`.
    fn new(plant: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(Path::new("data"), &dir.path().join("ws"));
        if plant {
            std::fs::write(dir.path().join("ws/村级数据/新村.xlsx"), village_book("贫困户")).unwrap();
        }
        let opts = ServeOptions {
            workspace: dir.path().join("ws"),
            out: dir.path().join("out"),
            port: PORT,
            today: Arc::new(|| chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()),
        };
        let state = AppState::new(&opts, PORT, Some(TOKEN.to_string())).unwrap();
        Fixture { dir, state }
    }

    fn app(&self) -> Router {
        router(self.state.clone())
    }

    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// The Chinese `error` of a refusal.
    fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_string()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec();
    Reply { status, headers, body }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

/// A state-changing request as the page sends it (token, same Origin).
fn page_request(method: &str, uri: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header("x-fangpin-token", TOKEN)
        .body(Body::from(body))
        .unwrap()
}

fn upload_uri(name: &str, replace: bool) -> String {
    let enc: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/api/upload?name={enc}{}", if replace { "&replace=1" } else { "" })
}

async fn wait_for_build(app: &Router) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let p = send(app, get("/api/build")).await.json();
        if p["state"] != "running" {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "build did not finish: {p}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every file below `dir` except those under `skip` (relative path → bytes).
fn files_outside(dir: &Path, skip: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(skip))
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

// ------------------------------------------------------------------ the page and the guard

#[tokio::test]
async fn the_page_carries_its_token_and_its_assets_are_inside_the_binary() {
    let f = Fixture::new(false);
    let app = f.app();
    let page = send(&app, get("/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
    let html = page.text();
    assert!(html.contains(&format!("content=\"{TOKEN}\"")), "token missing");
    assert!(html.contains("防止返贫监测帮扶集中排查") && html.contains("下载空白模板") && html.contains("使用说明"));
    // Offline: no resource from another host.
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
    let csp = page.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    let js = send(&app, get("/app.js")).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header(header::CONTENT_TYPE).starts_with("text/javascript"));
    assert!(js.text().contains("X-Fangpin-Token"));
    assert!(
        !js.text().contains("https://"),
        "the script loads nothing from elsewhere"
    );
    let css = send(&app, get("/app.css")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header(header::CONTENT_TYPE).starts_with("text/css"));

    let missing = send(&app, get("/nothing-here")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.error().contains("没有这个页面"), "{}", missing.text());
}

#[tokio::test]
async fn requests_for_other_host_names_are_refused() {
    let f = Fixture::new(false);
    let app = f.app();
    for host in [
        "evil.example",
        "evil.example:3999",
        "127.0.0.1.evil.example:3999",
        "192.168.1.10:3999",
        "0.0.0.0:3999",
    ] {
        for uri in ["/", "/api/status", "/app.js", "/api/zip"] {
            let req = Request::get(uri)
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap();
            let r = send(&app, req).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{host} {uri}");
            assert!(r.error().contains("只接受本机地址"), "{}", r.text());
            assert!(!r.text().contains("芒洪村"), "no workspace data to a foreign host");
        }
        let mut post = page_request("POST", "/api/build", vec![]);
        post.headers_mut().insert(header::HOST, host.parse().unwrap());
        assert_eq!(send(&app, post).await.status, StatusCode::FORBIDDEN);
    }
    // No Host at all.
    let r = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The loopback names pass.
    for host in ["localhost:3999", "127.0.0.1:3999", "[::1]:3999", "localhost"] {
        let req = Request::get("/app.css")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn state_changing_requests_need_the_token_and_the_same_origin() {
    let f = Fixture::new(false);
    let app = f.app();
    let before = files_outside(f.dir.path(), &f.out());
    let body = village_book("监测户");
    let cases: Vec<(&str, Request<Body>)> = vec![
        ("no token", {
            let mut r = page_request("PUT", &upload_uri("新村.xlsx", false), body.clone());
            r.headers_mut().remove("x-fangpin-token");
            r
        }),
        ("wrong token", {
            let mut r = page_request("PUT", &upload_uri("新村.xlsx", false), body.clone());
            r.headers_mut().insert("x-fangpin-token", "guess".parse().unwrap());
            r
        }),
        ("cross-site origin", {
            let mut r = page_request("PUT", &upload_uri("新村.xlsx", false), body.clone());
            r.headers_mut()
                .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
            r
        }),
        ("other local port", {
            let mut r = page_request("POST", "/api/build", vec![]);
            r.headers_mut()
                .insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
            r
        }),
        ("null origin", {
            let mut r = page_request("POST", "/api/build", vec![]);
            r.headers_mut().insert(header::ORIGIN, "null".parse().unwrap());
            r
        }),
        ("sec-fetch-site cross-site", {
            let mut r = page_request("POST", "/api/build", vec![]);
            r.headers_mut().remove(header::ORIGIN);
            r.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
            r
        }),
        ("build without token", {
            let mut r = page_request("POST", "/api/build", vec![]);
            r.headers_mut().remove("x-fangpin-token");
            r
        }),
    ];
    for (what, req) in cases {
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text());
        assert!(r.error().starts_with("拒绝操作"), "{what}: {}", r.error());
    }
    assert_eq!(
        files_outside(f.dir.path(), &f.out()),
        before,
        "a refused request wrote something"
    );
    assert!(!f.out().exists(), "a refused build started");
    assert_eq!(send(&app, get("/api/build")).await.json()["state"], "idle");
}

// ------------------------------------------------------------------ status, upload

#[tokio::test]
async fn status_shows_the_planted_problem_with_its_cell_and_the_same_counts_as_check() {
    let f = Fixture::new(true);
    let app = f.app();
    let r = send(&app, get("/api/status")).await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    let s = &j["status"];
    assert_eq!(s["error"], serde_json::Value::Null);
    assert_eq!(s["exit_code"], 2);
    assert_eq!(s["rules_ran"], false);
    let problems = s["problems"].as_array().unwrap();
    let planted = problems
        .iter()
        .find(|p| p["place"] == PLANTED_PLACE)
        .unwrap_or_else(|| panic!("no problem at {PLANTED_PLACE}: {problems:#?}"));
    assert_eq!(planted["level"], "错误");
    assert_eq!(planted["source"], "数据");
    assert_eq!(planted["field"], "户类型");
    assert_eq!(planted["value"], "贫困户");
    assert!(!planted["message"].as_str().unwrap().is_empty());
    assert!(!planted["fix"].as_str().unwrap().is_empty());
    // The same problems `fangpin check` prints, in its order.
    let check = common::run_command(
        common::command([std::ffi::OsStr::new("check"), f.ws().as_os_str()], &[]),
        Duration::from_secs(120),
    );
    assert_eq!(check.code, Some(2), "{}", check.all());
    let printed: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("[错误]") || l.starts_with("[警告]"))
        .collect();
    assert_eq!(printed.len(), problems.len(), "{}", check.stdout);
    for (line, p) in printed.iter().zip(problems) {
        assert!(line.contains(p["place"].as_str().unwrap()), "{line} vs {p}");
    }
}

#[tokio::test]
async fn the_sample_status_matches_check_and_lists_villages_and_held_back_cases() {
    let f = Fixture::new(false);
    let app = f.app();
    let j = send(&app, get("/api/status")).await.json();
    let s = &j["status"];
    assert_eq!(s["exit_code"], 0);
    assert_eq!(s["rules_ran"], true);
    let villages: Vec<&str> = s["villages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(villages, ["白沙村", "芒洪村", "龙潭村"]);
    assert_eq!(s["totals"]["held_back"], 14);
    assert_eq!(s["held_back"].as_array().unwrap().len(), 14);
    assert!(
        s["held_back"][0]["reasons"][0][1].as_str().unwrap().len() > 4,
        "a fix per reason"
    );
    assert_eq!(s["statuses"].as_array().unwrap().len(), 6);
    let check = common::run_command(
        common::command([std::ffi::OsStr::new("check"), f.ws().as_os_str()], &[]),
        Duration::from_secs(120),
    )
    .ok("check");
    let line = s["tally_line"].as_str().unwrap();
    assert!(
        check.stdout.contains(line),
        "check printed another tally than the page:\n{line}\n{}",
        check.stdout
    );
    assert_eq!(j["outputs"].as_array().unwrap().len(), 0);
    assert_eq!(j["building"], false);
}

#[tokio::test]
async fn a_workspace_without_campaign_yaml_is_shown_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ServeOptions {
        workspace: dir.path().to_path_buf(),
        out: dir.path().join("out"),
        port: PORT,
        today: Arc::new(|| chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()),
    };
    let app = router(AppState::new(&opts, PORT, Some(TOKEN.into())).unwrap());
    let j = send(&app, get("/api/status")).await.json();
    let err = j["status"]["error"].as_str().unwrap();
    assert!(err.contains("没有 campaign.yaml") && err.contains("请在"), "{err}");
    assert_eq!(j["status"]["exit_code"], 2);
    // The page can add one: it goes to the root, and the next check reads it.
    let campaign = std::fs::read("data/campaign.yaml").unwrap();
    let r = send(&app, page_request("PUT", &upload_uri("campaign.yaml", false), campaign)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["path"], "campaign.yaml");
    let j = send(&app, get("/api/status")).await.json();
    assert_eq!(j["status"]["error"], serde_json::Value::Null, "{j}");
    assert_eq!(j["status"]["totals"]["households"], 0);
}

#[tokio::test]
async fn uploads_are_checked_saved_atomically_inside_and_replace_only_when_asked() {
    let f = Fixture::new(true);
    let app = f.app();
    let outside_before = files_outside(f.dir.path(), &f.ws());

    // Refusals: name, type, content, size.
    let book = village_book("监测户");
    for (name, status, says) in [
        ("../新村.xlsx", StatusCode::BAD_REQUEST, "文件夹路径"),
        ("..%2F新村.xlsx", StatusCode::BAD_REQUEST, "文件夹路径"),
        ("sub/新村.xlsx", StatusCode::BAD_REQUEST, "文件夹路径"),
        ("C:\\新村.xlsx", StatusCode::BAD_REQUEST, "文件夹路径"),
        ("/etc/新村.xlsx", StatusCode::BAD_REQUEST, "文件夹路径"),
        ("CON.xlsx", StatusCode::BAD_REQUEST, "保留设备名"),
        (".新村.xlsx", StatusCode::BAD_REQUEST, "开头"),
        ("新村 .xlsx ", StatusCode::BAD_REQUEST, "末尾"),
        ("新村.exe", StatusCode::UNSUPPORTED_MEDIA_TYPE, "只能上传"),
        ("新村.pdf", StatusCode::UNSUPPORTED_MEDIA_TYPE, "只能上传"),
    ] {
        let uri = if name.contains('%') {
            format!("/api/upload?name={name}")
        } else {
            upload_uri(name, true)
        };
        let r = send(&app, page_request("PUT", &uri, book.clone())).await;
        assert_eq!(r.status, status, "{name}: {}", r.text());
        assert!(r.error().contains(says), "{name}: {}", r.error());
    }
    let r = send(
        &app,
        page_request(
            "PUT",
            &upload_uri("伪装.xlsx", false),
            b"%PDF-1.7 not a workbook".to_vec(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.error().contains("另存为"), "{}", r.error());
    let r = send(&app, page_request("PUT", &upload_uri("空.xlsx", false), vec![])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("空文件"), "{}", r.error());
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(fangpin::serve::MAX_UPLOAD_BYTES + 1, 0);
    let r = send(&app, page_request("PUT", &upload_uri("大表.xlsx", false), big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.error().contains("超过 20 MB"), "{}", r.error());
    let r = send(&app, page_request("PUT", "/api/upload", book.clone())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("缺少文件名"));
    assert!(!f.ws().join("村级数据/大表.xlsx").exists() && !f.ws().join("村级数据/伪装.xlsx").exists());

    // Replacing an existing workbook is asked first: 409 naming it, nothing written.
    let planted = f.ws().join("村级数据/新村.xlsx");
    let old = std::fs::read(&planted).unwrap();
    let r = send(&app, page_request("PUT", &upload_uri("新村.xlsx", false), book.clone())).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["exists"], "村级数据/新村.xlsx");
    assert!(r.error().contains("确认要用上传的文件替换它吗"));
    assert_eq!(std::fs::read(&planted).unwrap(), old);
    let r = send(&app, page_request("PUT", &upload_uri("新村.xlsx", true), book.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["replaced"], true);
    assert_eq!(std::fs::read(&planted).unwrap(), book);

    // A new file goes to 村级数据/; YAML is accepted.
    let yaml = "户: []\n";
    let r = send(
        &app,
        page_request("PUT", &upload_uri("补充.yaml", false), yaml.as_bytes().to_vec()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["path"], "村级数据/补充.yaml");
    assert_eq!(r.json()["replaced"], false);
    assert_eq!(
        std::fs::read_to_string(f.ws().join("村级数据/补充.yaml")).unwrap(),
        yaml
    );

    // No temporary file left, nothing written outside the workspace.
    let leftovers: Vec<_> = std::fs::read_dir(f.ws().join("村级数据"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(files_outside(f.dir.path(), &f.ws()), outside_before);

    // The corrected workbook checks clean.
    let s = send(&app, get("/api/status")).await.json();
    assert_eq!(s["status"]["totals"]["data_errors"], 0, "{}", s["status"]["problems"]);
    assert_eq!(s["status"]["exit_code"], 0);
    assert!(
        s["status"]["villages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "新村")
    );
}

#[cfg(unix)]
#[tokio::test]
async fn an_upload_never_follows_a_link_out_of_the_workspace() {
    let f = Fixture::new(false);
    let app = f.app();
    // 村级数据 replaced by a link to a folder outside.
    let elsewhere = f.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::rename(f.ws().join("村级数据"), f.dir.path().join("moved")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, f.ws().join("村级数据")).unwrap();
    let r = send(
        &app,
        page_request("PUT", &upload_uri("新村.xlsx", false), village_book("监测户")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.error().contains("工作区以外"), "{}", r.error());
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

// ------------------------------------------------------------------ build, outputs, downloads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_build_at_a_time_with_progress_events_then_outputs_zip_and_template() {
    let f = Fixture::new(false);
    let app = f.app();
    let r = send(&app, page_request("POST", "/api/build", vec![])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert_eq!(r.json()["started"], true);
    let second = send(&app, page_request("POST", "/api/build", vec![])).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text());
    assert!(second.error().contains("正在生成，请稍候"), "{}", second.error());

    // The event stream: the current state first, as `progress` events.
    let events = app.clone().oneshot(get("/api/build/events")).await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    assert!(
        events.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = events.into_body().into_data_stream();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !seen.contains("\"state\":\"done\"") && !seen.contains("\"state\":\"failed\"") {
        use tokio_stream::StreamExt as _;
        let next = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), body.next()).await;
        let chunk = next
            .expect("the build ended within the time")
            .expect("stream open")
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.starts_with("event: progress\ndata: {"), "{seen}");
    assert!(seen.contains("\"state\":\"done\""), "{seen}");
    let p = wait_for_build(&app).await;
    assert_eq!(p["state"], "done", "{p}");
    assert!(p["planned"].as_u64().unwrap() > 0 && p["done"] == p["planned"], "{p}");
    assert!(p["message"].as_str().unwrap().contains("暂缓公示 14 个案例"), "{p}");

    // Outputs per village and kind; PDFs inline, XLSX as downloads.
    let j = send(&app, get("/api/status")).await.json();
    let outputs = j["outputs"].as_array().unwrap();
    let on_disk = walkdir::WalkDir::new(f.out())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "pdf" || x == "xlsx"))
        .count();
    assert_eq!(outputs.len(), on_disk, "every written document is listed");
    assert!(
        outputs
            .iter()
            .any(|o| o["village"] == "芒洪村" && o["kind"] == "承诺授权书" && o["format"] == "pdf")
    );
    assert!(outputs.iter().any(|o| o["village"] == "" && o["format"] == "xlsx"));
    let pdf = outputs.iter().find(|o| o["format"] == "pdf").unwrap()["path"]
        .as_str()
        .unwrap();
    let r = send(&app, get(&format!("/out/{}", encode_path(pdf)))).await;
    assert_eq!(r.status, StatusCode::OK, "{pdf}: {}", r.text());
    assert_eq!(r.header(header::CONTENT_TYPE), "application/pdf");
    assert!(r.header(header::CONTENT_DISPOSITION).starts_with("inline"));
    assert!(r.body.starts_with(b"%PDF"));
    assert_eq!(r.body, std::fs::read(f.out().join(pdf)).unwrap());
    let xlsx = outputs.iter().find(|o| o["format"] == "xlsx").unwrap()["path"]
        .as_str()
        .unwrap();
    let r = send(&app, get(&format!("/out/{}", encode_path(xlsx)))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_TYPE).contains("spreadsheetml"));
    let cd = r.header(header::CONTENT_DISPOSITION);
    assert!(cd.starts_with("attachment") && cd.contains("filename*=UTF-8''"), "{cd}");

    // One zip of everything, paths as in the output folder.
    let r = send(&app, get("/api/zip")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header(header::CONTENT_TYPE), "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
    let all_files = walkdir::WalkDir::new(f.out())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert_eq!(zip.len(), all_files);
    let mut entry = zip.by_name(pdf).unwrap();
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes, std::fs::read(f.out().join(pdf)).unwrap());

    // The blank template, as `fangpin template` writes it.
    let r = send(&app, get("/api/template")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"PK\x03\x04"));
    let cd = r.header(header::CONTENT_DISPOSITION);
    assert!(cd.contains(&fangpin_percent("村级数据填报模板.xlsx")), "{cd}");
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(r.body)).unwrap();
    assert!(book.by_name("xl/workbook.xml").is_ok());

    // After the build a new one may start again.
    let again = send(&app, page_request("POST", "/api/build", vec![])).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(wait_for_build(&app).await["state"], "done");
}

#[tokio::test]
async fn a_build_with_data_errors_fails_with_the_message_and_writes_no_documents() {
    let f = Fixture::new(true);
    let app = f.app();
    assert_eq!(
        send(&app, page_request("POST", "/api/build", vec![])).await.status,
        StatusCode::ACCEPTED
    );
    let p = wait_for_build(&app).await;
    assert_eq!(p["state"], "failed", "{p}");
    assert!(p["message"].as_str().unwrap().contains("未生成任何文书"), "{p}");
    assert_eq!(
        send(&app, get("/api/status")).await.json()["outputs"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = send(&app, get("/api/zip")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.error().contains("还没有生成结果"));
}

#[tokio::test]
async fn output_paths_outside_the_output_folder_are_refused() {
    let f = Fixture::new(false);
    let app = f.app();
    std::fs::create_dir_all(f.out().join("排查")).unwrap();
    std::fs::write(f.out().join("排查/通知.pdf"), b"%PDF-1.7 ok").unwrap();
    std::fs::write(f.dir.path().join("secret.pdf"), b"%PDF-1.7 SECRET").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(f.dir.path().join("secret.pdf"), f.out().join("排查/链接.pdf")).unwrap();
    let ok = send(&app, get(&format!("/out/{}", encode_path("排查/通知.pdf")))).await;
    assert_eq!(ok.status, StatusCode::OK);
    for uri in [
        "/out/../secret.pdf",
        "/out/%2E%2E/secret.pdf",
        "/out/%2e%2e%2fsecret.pdf",
        "/out/%E6%8E%92%E6%9F%A5/..%2F..%2Fsecret.pdf",
        "/out//etc/passwd",
        "/out/%2Fetc%2Fpasswd",
        "/out/C:%5Csecret.pdf",
        "/out/%E6%8E%92%E6%9F%A5/%E9%93%BE%E6%8E%A5.pdf",
        "/out/..%5Csecret.pdf",
        "/out/.fangpin-output",
        "/out/%E6%8E%92%E6%9F%A5/%E6%B2%A1%E6%9C%89.pdf",
        "/out/%E6%8E%92%E6%9F%A5/x.txt",
    ] {
        let r = send(&app, get(uri)).await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
            "{uri}: {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains("SECRET"), "{uri} served the secret");
        assert!(!r.error().is_empty(), "{uri}: a Chinese reason");
    }
}

/// Percent-encodes each segment of a `/` path.
fn encode_path(p: &str) -> String {
    p.split('/').map(fangpin_percent).collect::<Vec<_>>().join("/")
}

fn fangpin_percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ------------------------------------------------------------------ the binary

/// Starts `fangpin serve` on a free port; returns the child and the URL it printed.
fn start_binary(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    let mut child = common::command(args, &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find_map(|w| w.split_once("http://").map(|(_, u)| format!("http://{u}")))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (child, url)
}

/// A raw HTTP/1.1 GET (status line and body).
fn http_get(url: &str, path: &str, host: &str) -> (String, String) {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    let status = all.lines().next().unwrap_or_default().to_string();
    let body = all
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[cfg(unix)]
#[test]
fn the_binary_serves_on_loopback_refuses_foreign_hosts_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(Path::new("data"), &dir.path().join("ws"));
    let ws = dir.path().join("ws");
    let out = dir.path().join("out");
    let (mut child, url) = start_binary(&[
        "serve".as_ref(),
        ws.as_os_str(),
        "--port".as_ref(),
        "0".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let (status, body) = http_get(&url, "/", &host);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("防止返贫监测帮扶集中排查"));
    let (status, _) = http_get(&url, "/api/status", "rebind.example");
    assert!(status.contains("403"), "{status}");

    // Ctrl-C (SIGINT) stops it cleanly, with 0.
    // SAFETY: sending a signal to the child we started.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn start_errors_are_chinese_with_the_fix_and_the_exit_code_policy() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("没有");
    let r = common::run_command(
        common::command(
            ["serve".as_ref(), missing.as_os_str(), "--port".as_ref(), "0".as_ref()],
            &[],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr.contains("工作区文件夹") && r.stderr.contains("不存在") && r.stderr.contains("请"),
        "{}",
        r.stderr
    );

    // The port is taken: 1, saying how to choose another.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = common::run_command(
        common::command(["serve", "data", "--port", port.as_str()], &[]),
        Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("已被占用") && r.stderr.contains("--port"),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn the_template_is_refused_with_the_fix_when_rules_yaml_is_broken() {
    let f = Fixture::new(false);
    std::fs::write(f.ws().join("rules.yaml"), "核查级别: [不是映射\n").unwrap();
    let r = send(&f.app(), get("/api/template")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.error().contains("rules.yaml 有问题") && r.error().contains("请先改正"),
        "{}",
        r.error()
    );
}
