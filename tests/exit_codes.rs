//! One exit-code policy for every command (0 success with warnings, 2 input errors that stop the
//! command, 1 anything else), and one set of counts: `check`, `compliance` and `build` report the
//! same tally for the same workspace.

mod common;

use common::{BIN, Run, command, copy_dir, run_command};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn run(args: &[&str]) -> Run {
    run_command(command(args, &[]), Duration::from_secs(300))
}

fn sample(tmp: &Path) -> PathBuf {
    let ws = tmp.join("ws");
    copy_dir(Path::new("data"), &ws);
    ws
}

/// The shared summary line (`数据：错误 …；暂缓公示 N 个案例。`) a command printed.
fn tally_line(r: &Run) -> String {
    let all = r.all();
    let line = all
        .lines()
        .find(|l| l.contains("数据：错误") && l.contains("暂缓公示"))
        .unwrap_or_else(|| panic!("no tally line in:\n{all}"));
    line[line.find("数据：错误").unwrap()..].to_string()
}

#[test]
fn check_compliance_and_build_report_the_same_counts() {
    assert!(!BIN.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let sample_ws = sample(tmp.path());
    // The sample and a generated workspace (its own planted cases).
    let gen_ws = tmp.path().join("gen");
    run(&[
        "gen",
        "--households",
        "400",
        "--villages",
        "3",
        "--seed",
        "5",
        "--out",
        gen_ws.to_str().unwrap(),
    ])
    .ok("gen");
    for ws in [&sample_ws, &gen_ws] {
        let w = ws.to_str().unwrap();
        let check = run(&["check", w]).ok("check");
        let compliance = run(&["compliance", w]).ok("compliance");
        let json = run(&["compliance", w, "--json"]).ok("compliance --json");
        let out = tmp
            .path()
            .join(format!("out-{}", ws.file_name().unwrap().to_string_lossy()));
        let build = run(&["build", w, "--out", out.to_str().unwrap(), "--only", "summary"]).ok("build");
        let line = tally_line(&check);
        assert_eq!(tally_line(&compliance), line);
        assert_eq!(tally_line(&json), line, "--json gives the line on stderr");
        assert_eq!(tally_line(&build), line);
        assert!(
            line.contains("规则：错误") && !line.contains("规则：错误 0，"),
            "{line}"
        );
        // Rule errors concern cases, not the workspace: nothing stops, the cases are held back.
        assert!(build.stdout.contains("暂缓公示"), "{}", build.stdout);
    }
}

#[test]
fn the_same_mistake_gets_the_same_code_from_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = sample(tmp.path());
    let w = ws.to_str().unwrap();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();

    // A missing workspace: input (2).
    for args in [
        vec!["check", "/nonexistent/ws"],
        vec!["compliance", "/nonexistent/ws"],
        vec!["build", "/nonexistent/ws", "--out", o],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.all());
        assert!(r.stderr.contains("不存在"), "{}", r.stderr);
    }
    // A date the command line gets wrong: usage (1), before any work.
    for args in [
        vec!["compliance", w, "--as-of", "2024-13-01"],
        vec!["build", w, "--out", o, "--as-of", "2024-13-01"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.all());
        assert!(r.stderr.contains("--as-of"), "{}", r.stderr);
    }
    assert!(!out.join("2024年第二季度防止返贫监测帮扶集中排查").exists());
    // A date outside the working-day calendar: the calendar (rules.yaml) must be extended (2).
    for args in [
        vec!["compliance", w, "--as-of", "2031-01-06"],
        vec!["build", w, "--out", o, "--as-of", "2031-01-06"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.all());
        assert!(
            r.stderr.contains("2031年不在工作日历中") && r.stderr.contains("rules.yaml"),
            "{}",
            r.stderr
        );
    }
    // A village that does not exist: usage (1), naming the villages there are.
    let r = run(&["build", w, "--out", o, "--village", "不存在村"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("芒洪村"), "{}", r.stderr);
    // An unknown flag: usage (1) for every command.
    for cmd in ["check", "compliance", "build"] {
        let r = run(&[cmd, "--bogus"]);
        assert_eq!(r.code, Some(1), "{cmd}: {}", r.all());
    }
    // A data error (an ID with a wrong check digit) stops every command with 2.
    let yaml = ws.join("村级数据/龙潭村.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let id = text
        .lines()
        .find_map(|l| {
            l.split_once("户主证件号码: ")
                .map(|(_, v)| v.trim().trim_matches('\'').trim_matches('"').to_string())
        })
        .unwrap();
    let last = id.chars().last().unwrap();
    let wrong = format!("{}{}", &id[..17], if last == '0' { '1' } else { '0' });
    std::fs::write(&yaml, text.replacen(&id, &wrong, 1)).unwrap();
    for args in [vec!["check", w], vec!["compliance", w], vec!["build", w, "--out", o]] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.all());
    }
    // A missing seal is an input error in check and build alike.
    std::fs::write(&yaml, &text).unwrap();
    let campaign = ws.join("campaign.yaml");
    let c = std::fs::read_to_string(&campaign).unwrap();
    let with_seal = c.replacen("发文:\n", "发文:\n  印章: seals/无此文件.png\n", 1);
    assert_ne!(with_seal, c, "the sample campaign has a 发文 block");
    std::fs::write(&campaign, with_seal).unwrap();
    for args in [vec!["check", w], vec!["build", w, "--out", o]] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.all());
        assert!(r.all().contains("印章"), "{}", r.all());
    }
}
