//! Helpers shared by the integration tests (each test file that needs them says `mod common;`).
// Each test file compiles this module and uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_fangpin");

/// How a run of the binary ended.
pub struct Run {
    /// `None` when it was killed (timeout) or ended by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Asserts a clean success.
    pub fn ok(self, what: &str) -> Run {
        assert_eq!(self.code, Some(0), "{what} failed:\n{}", self.all());
        assert!(!self.stderr.contains("panicked"), "{what} panicked:\n{}", self.stderr);
        self
    }
}

/// The binary with these arguments and environment, no backtraces, no stdin.
pub fn command<I, S>(args: I, env: &[(&str, &str)]) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new(BIN);
    c.args(args).env("RUST_BACKTRACE", "0").stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs `command` to completion, killing it after `timeout` (noted in `stderr`).
pub fn run_command(mut command: Command, timeout: Duration) -> Run {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fangpin");
    // Drain the pipes on threads so a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr: if status.is_none() {
            format!("{stderr}\n<<timed out after {timeout:?}>>")
        } else {
            stderr
        },
        elapsed: started.elapsed(),
    }
}

/// What pdftotext prints for `path` with `args` (UTF-8).
fn pdftotext(args: &[&str], path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: .ci/run installs it");
    assert!(
        out.status.success(),
        "pdftotext {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of a PDF as pdftotext extracts it (reading order).
pub fn pdf_text(path: &Path) -> String {
    pdftotext(&[], path)
}

/// PDF bytes written to a temporary file, for the poppler tools.
fn pdf_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// The words of a PDF with their boxes as `pdftotext -bbox` gives them, coordinates rounded to
/// 0.1 pt: where each piece of text sits on each page.
pub fn pdf_words(bytes: &[u8]) -> Vec<String> {
    let (_dir, path) = pdf_file(bytes);
    let round = |v: &str| format!("{:.1}", v.parse::<f64>().unwrap_or(f64::NAN));
    pdftotext(&["-bbox"], &path)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.starts_with("<page ") {
                return Some("— page —".to_string());
            }
            let rest = l.strip_prefix("<word ")?;
            let (attrs, text) = rest.split_once('>')?;
            let text = text.strip_suffix("</word>")?;
            let coords: Vec<String> = attrs
                .split_whitespace()
                .filter_map(|a| a.split_once('=').map(|(_, v)| round(v.trim_matches('"'))))
                .collect();
            Some(format!("{text} {}", coords.join(" ")))
        })
        .collect()
}

/// The text pdftotext extracts from PDF bytes.
pub fn pdf_bytes_text(bytes: &[u8]) -> String {
    let (_dir, path) = pdf_file(bytes);
    pdf_text(&path)
}

/// Copies a folder tree (a fixture workspace such as `data/`) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every file below `dir` (links not followed), relative path → bytes: a folder's whole content,
/// to compare before and after a command.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}
pub mod national;
pub mod serve;
