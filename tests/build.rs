//! `fangpin build`, `render` and `verify` on the sample workspace: the output layout, the manifest,
//! atomic replacement, partial builds, and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CAMPAIGN: &str = "2024年第二季度防止返贫监测帮扶集中排查";
const TOWNSHIP: &str = "石桥镇";
const VILLAGES: [&str; 3] = ["芒洪村", "白沙村", "龙潭村"];

fn fangpin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fangpin"))
        .args(args)
        .output()
        .expect("run fangpin")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

fn manifest(dir: &Path) -> serde_json::Value {
    let bytes = std::fs::read(dir.join(CAMPAIGN).join("manifest.json")).expect("manifest.json");
    serde_json::from_slice(&bytes).expect("json")
}

#[test]
fn sample_builds_every_document_in_the_documented_layout() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = fangpin(&[
        "build",
        sample().to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("已生成"), "{t}");

    let town = out.join(CAMPAIGN).join(TOWNSHIP);
    for f in [
        "通知.pdf",
        "问题整改台账.xlsx",
        "问题整改台账.pdf",
        "整改情况汇总表.xlsx",
        "整改情况汇总表.pdf",
        "时限合规报告.xlsx",
        "时限合规报告.pdf",
        "监测对象名册.xlsx",
        "数据问题清单.xlsx",
    ] {
        assert!(town.join(f).is_file(), "missing {f}");
    }
    for v in VILLAGES {
        for f in [
            "承诺授权书.pdf",
            "筛查表.pdf",
            "筛查表.xlsx",
            "入户排查表.pdf",
            "拟纳入监测对象名单公示.pdf",
        ] {
            assert!(town.join(v).join(f).is_file(), "missing {v}/{f}");
        }
    }

    // The manifest lists every output with a matching hash, and the inputs.
    let m = manifest(&out);
    assert_eq!(m["campaign"], CAMPAIGN);
    assert_eq!(m["as_of"], "2024-06-30");
    let inputs = m["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 5, "campaign.yaml + 4 data files");
    let outputs = m["outputs"].as_array().expect("outputs");
    let files = walkdir::WalkDir::new(out.join(CAMPAIGN))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(outputs.len() + 1, files, "every file but manifest.json is listed");
    let commitment = outputs
        .iter()
        .find(|o| o["path"] == format!("{TOWNSHIP}/芒洪村/承诺授权书.pdf"))
        .expect("commitment entry");
    assert_eq!(commitment["kind"], "承诺授权书");
    assert_eq!(commitment["village"], "芒洪村");
    // One page per household that signs in this campaign (as the verdicts say).
    let ws = fangpin::ingest::load_workspace(std::path::Path::new("data")).expect("sample");
    let ev = fangpin::rules::evaluate(&ws, ws.campaign.as_of.expect("统计截止日")).expect("rules");
    let signing: std::collections::BTreeSet<&str> = ev
        .cases
        .iter()
        .filter(|c| c.signs_now && c.village == "芒洪村")
        .map(|c| c.household_id.as_str())
        .collect();
    assert!(!signing.is_empty());
    assert_eq!(commitment["pages"], signing.len(), "one page per signing household");

    let v = fangpin(&["verify", out.to_str().expect("utf8")]);
    assert!(v.status.success(), "{}", text(&v));

    // A changed and a missing file are reported, exit 2.
    std::fs::write(town.join("通知.pdf"), b"changed").expect("write");
    std::fs::remove_file(town.join("龙潭村").join("筛查表.xlsx")).expect("rm");
    let v = fangpin(&["verify", out.to_str().expect("utf8")]);
    assert_eq!(v.status.code(), Some(2), "{}", text(&v));
    let t = text(&v);
    assert!(t.contains("已改动：石桥镇/通知.pdf"), "{t}");
    assert!(t.contains("缺失：石桥镇/龙潭村/筛查表.xlsx"), "{t}");
}

#[test]
fn partial_build_replaces_only_what_it_renders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let ws = sample();
    let (ws, out_s) = (ws.to_str().expect("utf8"), out.to_str().expect("utf8"));
    let o = fangpin(&["build", ws, "--out", out_s, "--only", "notice,roster"]);
    assert!(o.status.success(), "{}", text(&o));
    let first = manifest(&out);
    assert_eq!(first["outputs"].as_array().expect("outputs").len(), 2);

    // A second partial build for one village keeps the first run's files and manifest entries.
    let o = fangpin(&["render", "承诺授权书", ws, "--out", out_s, "--village", "白沙村"]);
    assert!(o.status.success(), "{}", text(&o));
    let m = manifest(&out);
    let paths: Vec<&str> = m["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        vec![
            "石桥镇/白沙村/承诺授权书.pdf",
            "石桥镇/监测对象名册.xlsx",
            "石桥镇/通知.pdf"
        ]
    );
    assert!(fangpin(&["verify", out_s]).status.success());

    // Unknown kinds and villages are explained.
    let o = fangpin(&["build", ws, "--out", out_s, "--only", "nosuch"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("不认识的文书“nosuch”"), "{}", text(&o));
    let o = fangpin(&["build", ws, "--out", out_s, "--village", "不存在村"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("工作区中没有“不存在村”"), "{}", text(&o));
}

#[test]
fn failed_build_leaves_previous_outputs_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ws = tmp.path().join("ws");
    copy_dir(&sample(), &ws);
    let out = tmp.path().join("out");
    let (ws_s, out_s) = (ws.to_str().expect("utf8"), out.to_str().expect("utf8"));
    let o = fangpin(&["build", ws_s, "--out", out_s, "--only", "notice,ledger"]);
    assert!(o.status.success(), "{}", text(&o));
    let before = std::fs::read(out.join(CAMPAIGN).join("manifest.json")).expect("manifest");

    // A broken workspace template makes the 通知 fail to render: nothing may change.
    std::fs::create_dir_all(ws.join("templates")).expect("mkdir");
    std::fs::write(ws.join("templates").join("notice.typ"), "#let x = (\n").expect("write");
    let o = fangpin(&["build", ws_s, "--out", out_s, "--only", "notice,ledger"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("notice.typ"),
        "the message names the template: {}",
        text(&o)
    );
    let after = std::fs::read(out.join(CAMPAIGN).join("manifest.json")).expect("manifest");
    assert_eq!(before, after);
    assert!(fangpin(&["verify", out_s]).status.success());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| !n.to_string_lossy().starts_with(".fangpin")) // the output marker and lock
        .collect();
    assert_eq!(leftovers.len(), 1, "no staging folder left behind: {leftovers:?}");
}

#[test]
fn input_errors_render_nothing_and_write_the_problem_list() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ws = tmp.path().join("ws");
    copy_dir(&sample(), &ws);
    // An impossible date in the YAML village.
    let y = ws.join("村级数据").join("龙潭村.yaml");
    let s = std::fs::read_to_string(&y).expect("read");
    let s = s.replacen("落实日期: 2024-", "落实日期: 2024-02-30 #", 1);
    std::fs::write(&y, s).expect("write");
    let out = tmp.path().join("out");
    let o = fangpin(&[
        "build",
        ws.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("龙潭村.yaml"), "{t}");
    assert!(t.contains("未生成任何文书"), "{t}");
    assert!(!out.join(CAMPAIGN).exists(), "nothing rendered");
    assert!(out.join(format!("{CAMPAIGN}-数据问题清单.xlsx")).is_file());

    // --force renders what is valid and lists what was left out.
    let o = fangpin(&[
        "build",
        ws.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--force",
        "--only",
        "roster",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("未纳入本次生成"), "{}", text(&o));
}

#[test]
fn same_input_same_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for out in [&a, &b] {
        let o = fangpin(&[
            "build",
            sample().to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
            "--as-of",
            "2024-06-30",
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    assert_eq!(
        std::fs::read(a.join(CAMPAIGN).join("manifest.json")).expect("a"),
        std::fs::read(b.join(CAMPAIGN).join("manifest.json")).expect("b")
    );
}
