//! End to end in headless Chromium: the page for a workspace with a planted error shows the
//! problem with its cell, a corrected workbook is uploaded through the file picker (the replace
//! question answered), 生成 runs, and the output links appear and open.
//!
//! Chromium is driven over the DevTools protocol on `--remote-debugging-pipe` (NUL-separated
//! JSON on file descriptors 3 and 4): no WebSocket client, no extra crate, and the page itself
//! exposes nothing for the test. Screenshots of each state at 1366×768 are written to
//! `$CARGO_TARGET_TMPDIR/serve-screenshots/`. Skipped, with the reason printed, only when no
//! `chromium` is installed (`.ci/run` installs it).

#![cfg(unix)]

mod common;

use common::serve::village_book;

use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::fd::FromRawFd as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const PLANTED_PLACE: &str = "村级数据/新村.xlsx › 户 › F2";

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// `fangpin serve` on a free port; the child and its URL.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(ws: &Path, out: &Path) -> Server {
        let mut child = common::command(
            [
                "serve".as_ref(),
                ws.as_os_str(),
                "--port".as_ref(),
                "0".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
            ],
            &[],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find_map(|w| w.split_once("http://").map(|(_, u)| format!("http://{u}")))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pipe whose ends close on exec (the child gets copies on 3 and 4 only).
fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    (fds[0], fds[1])
}

/// One headless Chromium and one page (a flat DevTools session).
struct Browser {
    child: Child,
    to_browser: File,
    from_browser: mpsc::Receiver<Value>,
    next_id: u64,
    session: String,
    dialogs: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (cmd_read, cmd_write) = pipe();
        let (resp_read, resp_write) = pipe();
        let mut command = std::process::Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--window-size=1366,768",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Move both ends above 10 first, so placing one on 3 or 4 cannot clobber the other.
                let a = libc::fcntl(cmd_read, libc::F_DUPFD, 10);
                let b = libc::fcntl(resp_write, libc::F_DUPFD, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        // SAFETY: each descriptor is ours and closed exactly once (here or by File's drop).
        unsafe {
            libc::close(cmd_read);
            libc::close(resp_write);
        }
        let to_browser = unsafe { File::from_raw_fd(cmd_write) };
        let mut reader = unsafe { File::from_raw_fd(resp_read) };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            loop {
                let n = match reader.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|&b| b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    if let Ok(v) = serde_json::from_slice::<Value>(&msg[..msg.len() - 1])
                        && tx.send(v).is_err()
                    {
                        return;
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            to_browser,
            from_browser: rx,
            next_id: 0,
            session: String::new(),
            dialogs: Vec::new(),
            _profile: profile,
        };
        let target = b.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Page.enable", json!({}));
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": false }),
        );
        b
    }

    fn send(&mut self, method: &str, params: Value) -> u64 {
        self.next_id += 1;
        let mut msg = json!({ "id": self.next_id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        self.next_id
    }

    /// Sends a command and waits for its answer; a confirm() the page opens meanwhile is
    /// accepted (and recorded), as a clerk clicking 确定.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .from_browser
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer from Chromium to {method}"));
            if msg["method"] == "Page.javascriptDialogOpening" {
                self.dialogs
                    .push(msg["params"]["message"].as_str().unwrap_or_default().to_string());
                self.send("Page.handleJavaScriptDialog", json!({ "accept": true }));
                continue;
            }
            if msg["id"].as_u64() == Some(id) {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// Polls `expression` until it is true.
    fn wait_for(&mut self, what: &str, expression: &str, timeout: Duration) {
        let started = Instant::now();
        // While the page loads the elements may not exist yet.
        let guarded = format!("(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()");
        while self.eval(&guarded) != json!(true) {
            if started.elapsed() > timeout {
                let text = self.eval("document.body.innerText");
                panic!("timed out waiting for {what}; the page shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
    }

    fn screenshot(&mut self, path: &Path) {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(r["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| u32::from(value(c))).collect();
        let n = v.iter().enumerate().fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if v.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if v.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn a_clerk_sees_the_problem_uploads_the_fix_builds_and_gets_the_papers() {
    let Some(chromium) = find_chromium() else {
        eprintln!("SKIPPED serve_browser: no chromium on PATH (CI installs it: apt-get install chromium)");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut browser = Browser::start(&chromium);
    let long = Duration::from_secs(120);

    // 1. An empty workspace (campaign.yaml only).
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::copy("data/campaign.yaml", empty.join("campaign.yaml")).unwrap();
    {
        let server = Server::start(&empty, &dir.path().join("empty-out"));
        browser.open(&server.url);
        browser.wait_for(
            "the empty summary",
            "document.querySelector('#villages tbody').innerText.includes('还没有村级数据')",
            long,
        );
        browser.screenshot(&shots.join("1-empty-workspace.png"));
    }

    // 2. The sample with a planted error: the page shows it with its cell.
    let ws = dir.path().join("ws");
    common::copy_dir(Path::new("data"), &ws);
    std::fs::write(ws.join("村级数据/新村.xlsx"), village_book("贫困户")).unwrap();
    let server = Server::start(&ws, &dir.path().join("out"));
    browser.open(&server.url);
    let planted = js_string(PLANTED_PLACE);
    browser.wait_for(
        "the planted problem with its cell reference",
        &format!("document.querySelector('#problems tbody').innerText.includes({planted})"),
        long,
    );
    let row = browser.eval(&format!(
        "[...document.querySelectorAll('#problems tbody tr')].map(r => r.innerText).find(t => t.includes({planted}))"
    ));
    let row = row.as_str().unwrap();
    assert!(
        row.contains("错误") && row.contains("户类型") && row.contains("贫困户"),
        "{row}"
    );
    assert_eq!(
        browser.eval("document.querySelector('#build').disabled"),
        json!(true),
        "no build with errors"
    );
    browser.screenshot(&shots.join("2-problems-top.png"));
    browser.eval("document.querySelector('#problems-section').scrollIntoView()");
    browser.screenshot(&shots.join("3-problems-list.png"));

    // 3. Upload the corrected workbook through the file picker; the page asks before replacing.
    let fixed = dir.path().join("fixed/新村.xlsx");
    std::fs::create_dir_all(fixed.parent().unwrap()).unwrap();
    std::fs::write(&fixed, village_book("监测户")).unwrap();
    let doc = browser.call("DOM.getDocument", json!({}));
    let root = doc["root"]["nodeId"].clone();
    let input = browser.call(
        "DOM.querySelector",
        json!({ "nodeId": root, "selector": "#file-input" }),
    );
    browser.call(
        "DOM.setFileInputFiles",
        json!({ "nodeId": input["nodeId"], "files": [fixed.display().to_string()] }),
    );
    browser.wait_for(
        "the replaced workbook and a clean check",
        &format!(
            "document.querySelector('#upload-log').innerText.includes('已替换') && !document.querySelector('#problems tbody').innerText.includes({planted}) && !document.querySelector('#build').disabled"
        ),
        long,
    );
    assert_eq!(browser.dialogs.len(), 1, "one replace question: {:?}", browser.dialogs);
    assert!(
        browser.dialogs[0].contains("村级数据/新村.xlsx"),
        "{:?}",
        browser.dialogs
    );
    // The uploaded bytes exactly (a second village_book() call may differ in its creation time).
    assert_eq!(
        std::fs::read(ws.join("村级数据/新村.xlsx")).unwrap(),
        std::fs::read(&fixed).unwrap()
    );

    // 4. 生成: the progress bar runs, then the outputs are listed.
    browser.eval(
        "document.querySelector('#build').click(); document.querySelector('#build-section').scrollIntoView(); true",
    );
    let started = Instant::now();
    let mut saw_running = false;
    while started.elapsed() < long {
        let state = browser.eval("document.querySelector('#build-state').className");
        if state.as_str().is_some_and(|s| s.contains("running")) && !saw_running {
            saw_running = true;
            browser.screenshot(&shots.join("4-build-running.png"));
        }
        if browser.eval("document.querySelectorAll('#outputs a.output').length > 0 && document.querySelector('#build-state').className.includes('done')") == json!(true) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    browser.wait_for(
        "the output links",
        "document.querySelector('#build-state').innerText.includes('生成完成') && document.querySelectorAll('#outputs a.output').length > 0",
        long,
    );
    browser.eval("document.querySelector('#build-section').scrollIntoView(); true");
    browser.screenshot(&shots.join("5-build-finished.png"));
    let links = browser.eval(
        "[...document.querySelectorAll('#outputs a.output')].map(a => [a.textContent, a.getAttribute('href'), a.closest('tr').firstChild.textContent])",
    );
    let links = links.as_array().unwrap();
    assert!(
        links.iter().any(|l| l[0] == "承诺授权书" && l[2] == "芒洪村"),
        "per village and kind: {links:?}"
    );
    let villages = browser.eval("document.querySelector('#villages tbody').innerText");
    assert!(
        villages.as_str().unwrap().contains("新村"),
        "the uploaded village is counted: {villages}"
    );
    let pdf = links.iter().find(|l| l[1].as_str().unwrap().ends_with(".pdf")).unwrap()[1].clone();
    let kind = browser.eval(&format!(
        "fetch({pdf}).then(r => r.status + ' ' + r.headers.get('content-type'))"
    ));
    assert_eq!(kind, json!("200 application/pdf"));
    let xlsx = links
        .iter()
        .find(|l| l[1].as_str().unwrap().ends_with(".xlsx"))
        .unwrap()[1]
        .clone();
    let disposition = browser.eval(&format!(
        "fetch({xlsx}).then(r => r.headers.get('content-disposition'))"
    ));
    assert!(disposition.as_str().unwrap().starts_with("attachment"), "{disposition}");
    let zip = browser.eval("fetch('/api/zip').then(r => r.status + ' ' + r.headers.get('content-type'))");
    assert_eq!(zip, json!("200 application/zip"));
    let held = browser.eval("document.querySelector('#held tbody').innerText");
    assert!(
        held.as_str().unwrap().contains("如何处理"),
        "暂缓公示 with reasons: {held}"
    );
    eprintln!("screenshots: {}", shots.display());
    drop(server);
}
