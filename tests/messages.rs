//! What a clerk sees when the command line is wrong, when asking for help, and when the output
//! is piped into a program that stops reading early: Chinese, pointing to the help inside the
//! binary, never a panic.

mod common;

use common::{command, run_command};
use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

fn run(args: &[&str]) -> common::Run {
    run_command(command(args, &[]), TIMEOUT)
}

#[test]
fn an_unknown_flag_is_explained_in_chinese_with_the_usage_and_the_help_command() {
    let r = run(&["check", "--bogus"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("错误：不认识的参数“--bogus”"), "{}", r.stderr);
    assert!(r.stderr.contains("用法：fangpin check"), "{}", r.stderr);
    assert!(r.stderr.contains("fangpin help check"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("Usage:") && !r.stderr.contains("For more information"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_or_invalid_value_and_a_misspelt_command_are_explained() {
    let r = run(&["compliance", "--as-of"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("参数 --as-of <DATE> 缺少取值"), "{}", r.stderr);
    assert!(r.stderr.contains("fangpin help compliance"), "{}", r.stderr);

    let r = run(&["gen", "--households", "很多", "--out", "x"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("的值“很多”无效"), "{}", r.stderr);

    let r = run(&["chek"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("没有“chek”这个命令") && r.stderr.contains("是不是要写“check”"),
        "{}",
        r.stderr
    );

    // No command at all: the overview, then what to do.
    let r = run(&[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.all().contains("命令") && r.stderr.contains("请指定要执行的命令"),
        "{}",
        r.all()
    );
}

#[test]
fn help_and_version_still_work_and_end_with_zero() {
    let r = run(&["--help"]).ok("--help");
    assert!(
        r.stdout.contains("用法：fangpin") && r.stdout.contains("check"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("显示本说明") && !r.stdout.contains("Print help"),
        "{}",
        r.stdout
    );
    let r = run(&["check", "--help"]).ok("check --help");
    assert!(r.stdout.contains("用法：fangpin check [WORKSPACE]"), "{}", r.stdout);
    let r = run(&["--version"]).ok("--version");
    assert!(r.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", r.stdout);

    // `fangpin help …`: a command's help, or a section of the manual built into the binary.
    let r = run(&["help", "build"]).ok("help build");
    assert!(r.stdout.contains("用法：fangpin build"), "{}", r.stdout);
    let r = run(&["help", "campaign.yaml"]).ok("help campaign.yaml");
    assert!(
        r.stdout.contains("### campaign.yaml") && r.stdout.contains("监测范围"),
        "{}",
        r.stdout
    );
    let r = run(&["help", "输入约定"]).ok("help 输入约定");
    assert!(r.stdout.contains("### 表头别名（完整）"), "{}", r.stdout);
    let r = run(&["help"]).ok("help");
    assert!(r.stdout.contains("fangpin help 输入约定"), "{}", r.stdout);
    let r = run(&["help", "没有这一节"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("没有名为“没有这一节”的命令或手册小节"),
        "{}",
        r.stderr
    );
}

/// Runs `args`, reads one line of stdout, closes the pipe, and returns the exit code and stderr.
fn read_one_line_then_close(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = command(args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(!first.is_empty());
    drop(out);
    let err = child.stderr.take().unwrap();
    let t = std::thread::spawn(move || std::io::read_to_string(err).unwrap());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < TIMEOUT, "did not end after the pipe closed");
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), t.join().unwrap())
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("gen");
    run_command(
        command(
            [
                "gen".as_ref(),
                "--households".as_ref(),
                "2000".as_ref(),
                "--villages".as_ref(),
                "3".as_ref(),
                "--out".as_ref(),
                ws.as_os_str(),
            ],
            &[],
        ),
        TIMEOUT,
    )
    .ok("gen");
    // Far more than a pipe holds (64 KB), so writes after the close do fail.
    for extra in [&["--json"][..], &["--all"][..]] {
        let mut args: Vec<&std::ffi::OsStr> = vec!["compliance".as_ref(), ws.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let (code, stderr) = read_one_line_then_close(&args);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{stderr}"
        );
        assert_eq!(code, Some(0), "{stderr}");
    }
}
