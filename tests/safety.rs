//! Outputs never touch inputs (issue 12): an output folder that would replace or contain the
//! workspace is refused before any work; only previous fangpin outputs are replaced; one
//! folder-name rule for campaign, township and village names, checked at ingest; the output
//! root is locked; staging folders are private and cleaned up; `template`/`gen` never overwrite
//! without `--force`; `verify` never reads outside its folder.
//!
//! Every input is generated here (or copied from the sample workspace in `data/`) into tempdirs.

mod common;

use common::{Run, command, copy_dir, run_command, tree};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(240);
const AS_OF: &str = "2024-06-30";
const SAMPLE_NAME: &str = "2024年第二季度防止返贫监测帮扶集中排查";

fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_command(command(args, &[]), TIMEOUT)
}

fn build(ws: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        "build".as_ref(),
        ws.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(args)
}

fn check(ws: &Path) -> Run {
    run(["check".as_ref(), ws.as_os_str()])
}

/// The sample workspace copied to `to`.
fn sample_copy(to: &Path) {
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), to);
}

fn set_campaign_name(ws: &Path, name: &str) {
    let p = ws.join("campaign.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    let line = text.lines().find(|l| l.starts_with("名称:")).unwrap().to_string();
    std::fs::write(&p, text.replace(&line, &format!("名称: \"{name}\""))).unwrap();
}

fn staging_left(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".partial-") || n.contains(".old-"))
                .collect()
        })
        .unwrap_or_default()
}

// ------------------------------------------------------------------ outputs never touch inputs

#[test]
fn an_output_folder_holding_the_workspace_is_refused_and_the_workspace_kept() {
    let tmp = tempfile::tempdir().unwrap();
    // The workspace at 排查/<名称>, built with --out 排查: the campaign folder *is* the workspace.
    let parent = tmp.path().join("排查");
    let ws = parent.join(SAMPLE_NAME);
    sample_copy(&ws);
    let before = tree(&parent);
    let r = build(&ws, &parent, &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("不能用") && r.stderr.contains("工作区"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--out"), "the message says what to do: {}", r.stderr);
    assert_eq!(tree(&parent), before, "nothing in the workspace changed");
    // Refused before anything was written: no marker, no lock, no staging.
    let names: Vec<_> = std::fs::read_dir(&parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [OsStr::new(SAMPLE_NAME)]);

    // The same with the workspace itself as --out (spelled through a sub-folder and ..).
    let via_dotdot = ws.join("村级数据").join("..");
    let r = build(&ws, &via_dotdot, &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("输出文件夹就是工作区"), "{}", r.stderr);
    assert_eq!(tree(&parent), before);
}

#[test]
fn build_ws_out_ws_with_a_campaign_named_like_a_data_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    sample_copy(&ws);
    set_campaign_name(&ws, "村级数据");
    let before = tree(&ws);
    let r = build(&ws, &ws, &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("输出文件夹就是工作区"), "{}", r.stderr);
    assert_eq!(tree(&ws), before, "the data folder is intact byte for byte");

    // Output inside the workspace is allowed, but a campaign folder there that is a data folder
    // (not a fangpin output) is never replaced.
    let inner = ws.join("子");
    copy_dir(&ws.join("村级数据"), &inner.join("村级数据"));
    let before = tree(&ws);
    let r = build(&ws, &inner, &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("不是 fangpin 生成的"), "{}", r.stderr);
    assert_eq!(tree(&ws), before);
}

#[test]
fn a_folder_that_is_not_a_fangpin_output_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let target = out.join(SAMPLE_NAME);
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("笔记.txt"), "村里的笔记").unwrap();
    // A manifest.json that fangpin did not write does not make it a fangpin output.
    std::fs::write(target.join("manifest.json"), r#"{"name": "something else"}"#).unwrap();
    let before = tree(&out);
    let r = build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        &out,
        &["--only", "notice"],
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains(SAMPLE_NAME) && r.stderr.contains("不是 fangpin 生成的"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 个文件"), "says what is there: {}", r.stderr);
    assert_eq!(tree(&out), before, "kept as it was");

    // A file of that name is refused too.
    let out2 = tmp.path().join("out2");
    std::fs::create_dir_all(&out2).unwrap();
    std::fs::write(out2.join(SAMPLE_NAME), "x").unwrap();
    let r = build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        &out2,
        &["--only", "notice"],
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("同名文件"), "{}", r.stderr);
    assert_eq!(std::fs::read(out2.join(SAMPLE_NAME)).unwrap(), b"x");
}

/// The part of the build summary that counts what was read.
fn counts(r: &Run) -> Vec<String> {
    r.stdout
        .lines()
        .filter(|l| l.starts_with("合计") || l.starts_with("数据："))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_output_folder_inside_the_workspace_is_marked_and_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    sample_copy(&ws);
    let out = ws.join("生成结果");
    build(&ws, &out, &["--only", "notice,roster"]).ok("first build");
    let marker = std::fs::read_to_string(out.join(fangpin::model::OUTPUT_MARKER)).unwrap();
    assert!(marker.contains("请勿放入村级数据"), "{marker}");
    assert!(out.join(SAMPLE_NAME).join("manifest.json").is_file());
}

#[test]
fn an_output_folder_inside_the_workspace_is_never_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    sample_copy(&ws);
    let out = ws.join("生成结果");
    let first = build(&ws, &out, &[]).ok("first build");
    let second = build(&ws, &out, &[]).ok("second build");
    assert!(!counts(&first).is_empty());
    assert_eq!(
        counts(&first),
        counts(&second),
        "{}\n---\n{}",
        first.stdout,
        second.stdout
    );
}

#[test]
fn the_input_error_path_marks_the_output_folder_too() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    workspace(&ws, "排查", &[("甲.yaml", &household("甲村", "H1"))]);
    std::fs::write(
        ws.join("乙.yaml"),
        "户:\n- 户编号: H2\n  行政村: 乙村\n  户主姓名: 李四\n  户类型: 外星户\n  家庭人口数: 1\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let r = build(&ws, &out, &[]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(out.join("排查-数据问题清单.xlsx").is_file());
    assert!(out.join(fangpin::model::OUTPUT_MARKER).is_file());
    assert!(staging_left(&out).is_empty(), "{:?}", staging_left(&out));
}

// ------------------------------------------------------------------ names

/// A minimal workspace: campaign.yaml and the given YAML data files.
fn workspace(ws: &Path, name: &str, files: &[(&str, &str)]) {
    std::fs::create_dir_all(ws).unwrap();
    std::fs::write(
        ws.join("campaign.yaml"),
        format!("名称: \"{name}\"\n年度: 2024\n地区: {{省: 云南省, 县: 青溪县, 乡镇: 石桥镇}}\n监测范围: 7600\n"),
    )
    .unwrap();
    for (file, text) in files {
        std::fs::write(ws.join(file), text).unwrap();
    }
}

/// One valid household of a village, as YAML (the village name escaped for YAML), so that the
/// village name is the only thing wrong with a workspace.
fn household(village: &str, id: &str) -> String {
    let v = serde_json::to_string(village).unwrap();
    let seq: u32 = id.trim_start_matches('H').parse().unwrap();
    let first17 = format!("530999198001{:02}{:03}", seq % 28 + 1, seq);
    let head_id = format!("{first17}{}", fangpin::ingest::id_check_digit(&first17).unwrap());
    format!(
        "户:\n- 户编号: {id}\n  行政村: {v}\n  户主姓名: 张三\n  户主证件号码: '{head_id}'\n  户类型: 一般农户\n  家庭人口数: 1\n  成员:\n  - {{姓名: 张三, 证件号码: '{head_id}', 与户主关系: 户主}}\n"
    )
}

/// `check` and `build` both stop with exit 2, and the build renders nothing.
fn assert_input_error(ws: &Path, expect: &[&str]) -> String {
    let c = check(ws);
    assert_eq!(c.code, Some(2), "check:\n{}", c.all());
    let out = ws.parent().unwrap().join("out");
    let b = build(ws, &out, &[]);
    assert_eq!(b.code, Some(2), "build:\n{}", b.all());
    let campaign_dirs: Vec<_> = std::fs::read_dir(&out)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    assert!(campaign_dirs.is_empty(), "nothing rendered: {campaign_dirs:?}");
    // The names are the only thing wrong with these workspaces.
    for l in c.all().lines().filter(|l| l.contains("[错误]")) {
        assert!(
            l.contains("「行政村」") || l.contains("「名称」"),
            "unexpected error: {l}"
        );
    }
    for text in [c.all(), b.all()] {
        assert!(!text.contains('\u{1b}'), "never a raw control character: {text:?}");
        for e in expect {
            assert!(text.contains(e), "expected “{e}” in:\n{text}");
        }
    }
    c.all()
}

#[test]
fn villages_that_map_to_the_same_folder_are_an_input_error_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    workspace(
        &ws,
        "排查",
        &[
            ("新村.yaml", &household("新村", "H1")),
            ("新村（补报）.yaml", &household("新村.", "H2")),
        ],
    );
    let text = assert_input_error(&ws, &["会写入同一个文件夹", "新村.yaml", "新村（补报）.yaml"]);
    assert!(text.contains("“新村.”") && text.contains("“新村”"), "{text}");

    // Letters differing only in case are one folder on Windows.
    let ws2 = tmp.path().join("ws2");
    workspace(
        &ws2,
        "排查",
        &[("a.yaml", &household("A村", "H1")), ("b.yaml", &household("a村", "H2"))],
    );
    assert_input_error(&ws2, &["会写入同一个文件夹", "a.yaml", "b.yaml"]);
}

#[test]
fn reserved_device_names_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, name) in ["CON", "aux", "nul.txt", "COM1"].iter().enumerate() {
        let ws = tmp.path().join(format!("ws{i}"));
        workspace(&ws, "排查", &[("a.yaml", &household(name, "H1"))]);
        assert_input_error(&ws, &["保留设备名", "a.yaml"]);
    }
    // As the campaign name (the output folder) it is fatal in campaign.yaml.
    let ws = tmp.path().join("wsc");
    workspace(&ws, "con", &[("a.yaml", &household("甲村", "H1"))]);
    assert_input_error(&ws, &["campaign.yaml", "名称", "保留设备名"]);
}

#[test]
fn trailing_dots_and_invisible_trailing_marks_are_input_errors_and_spaces_are_trimmed() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    workspace(&ws, "排查", &[("a.yaml", &household("新村.", "H1"))]);
    assert_input_error(&ws, &["末尾有点"]);

    let ws = tmp.path().join("ws2");
    workspace(&ws, "排查", &[("a.yaml", &household("新村\u{200B}", "H1"))]);
    assert_input_error(&ws, &["U+200B"]);

    // Trailing ordinary or ideographic spaces are trimmed when the cell is read, so `新村 ` and
    // `新村　` are the village 新村 (one folder, no error), never a folder name ending in a space.
    let ws = tmp.path().join("ws3");
    workspace(
        &ws,
        "排查",
        &[
            ("a.yaml", &household("新村 ", "H1")),
            ("b.yaml", &household("新村\u{3000}", "H2")),
        ],
    );
    let c = check(&ws);
    assert_eq!(c.code, Some(0), "{}", c.all());
    let out = tmp.path().join("out3");
    build(&ws, &out, &["--only", "screening"]).ok("build");
    let villages: Vec<String> = std::fs::read_dir(out.join("排查").join("石桥镇"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains('.'))
        .collect();
    assert_eq!(villages, ["新村"]);

    // The campaign name with a trailing dot is fatal.
    let ws = tmp.path().join("ws4");
    workspace(&ws, "排查.", &[("a.yaml", &household("新村", "H1"))]);
    assert_input_error(&ws, &["campaign.yaml", "末尾有点"]);
}

#[test]
fn a_hundred_character_village_name_fails_at_ingest_before_rendering() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let long = "长".repeat(100);
    workspace(&ws, "排查", &[("a.yaml", &household(&long, "H1"))]);
    let c = check(&ws);
    assert!(c.elapsed < Duration::from_secs(30));
    assert_input_error(&ws, &["名称过长（100 个字）", "最多 60 个字", "a.yaml"]);
}

#[test]
fn control_characters_in_names_are_input_errors_and_never_printed_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    workspace(&ws, "排查", &[("a.yaml", &household("新\u{1b}[2J\u{1b}[31m村", "H1"))]);
    let text = assert_input_error(&ws, &["\\u{1B}[2J", "a.yaml"]);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");

    // In the campaign name: fatal, and escaped too.
    let ws = tmp.path().join("ws2");
    workspace(&ws, "排\\e[31m查", &[("a.yaml", &household("甲村", "H1"))]);
    assert_input_error(&ws, &["campaign.yaml", "\\u{1B}"]);
}

// ------------------------------------------------------------------ locks and leftovers

#[test]
fn a_second_build_into_a_locked_output_folder_stops_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::File::create(out.join(".fangpin.lock")).unwrap();
    lock.try_lock().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let r = build(&data, &out, &["--only", "notice"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("另一个 fangpin 生成正在向输出文件夹"), "{}", r.stderr);
    assert!(r.stderr.contains("请等它结束后再运行"), "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(20), "stops at once: {:?}", r.elapsed);
    assert!(!out.join(SAMPLE_NAME).exists(), "nothing written");
    drop(lock);
    build(&data, &out, &["--only", "notice"]).ok("after the lock is released");
}

#[test]
fn two_builds_at_once_never_both_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let args = |out: &Path| {
        command(
            [
                "build".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
                "--only".as_ref(),
                "notice,roster,ledger".as_ref(),
            ],
            &[],
        )
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_command(args(&out), TIMEOUT));
        let b = s.spawn(|| run_command(args(&out), TIMEOUT));
        (a.join().unwrap(), b.join().unwrap())
    });
    for r in [&a, &b] {
        assert!(
            r.code == Some(0) || (r.code == Some(1) && r.stderr.contains("另一个 fangpin 生成正在")),
            "either done or told to wait:\n{}",
            r.all()
        );
    }
    assert!(a.code == Some(0) || b.code == Some(0), "{}\n{}", a.all(), b.all());
    assert!(staging_left(&out).is_empty(), "{:?}", staging_left(&out));
    let v = run(["verify".as_ref(), out.as_os_str()]);
    assert_eq!(v.code, Some(0), "{}", v.all());
}

#[test]
fn staging_left_by_killed_runs_is_removed_at_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let stale = [
        format!(".{SAMPLE_NAME}.partial-Ab3dE9"),
        format!(".{SAMPLE_NAME}.old-x1Y2z3"),
        ".别的排查.partial-QQQQQQ".to_string(),
    ];
    for s in &stale {
        std::fs::create_dir_all(out.join(s).join("石桥镇")).unwrap();
        std::fs::write(out.join(s).join("石桥镇").join("承诺授权书.pdf"), "full IDs").unwrap();
    }
    std::fs::write(out.join(format!(".{SAMPLE_NAME}-数据问题清单.partial-a1b2c3")), "half").unwrap();
    // Not fangpin's: kept.
    std::fs::write(out.join(".备份.txt"), "keep").unwrap();
    std::fs::create_dir_all(out.join(".partial-notes")).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    build(&data, &out, &["--only", "notice"]).ok("build");
    let left = staging_left(&out);
    assert_eq!(left, [".partial-notes"], "{left:?}");
    assert_eq!(std::fs::read(out.join(".备份.txt")).unwrap(), b"keep");
}

#[cfg(unix)]
#[test]
fn a_failed_build_removes_its_staging_and_the_published_folder_is_not_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    sample_copy(&ws);
    let out = tmp.path().join("out");
    build(&ws, &out, &["--only", "notice"]).ok("first build");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&out.join(SAMPLE_NAME)),
        mode(&out),
        "the published folder follows the output root"
    );
    let before = tree(&out.join(SAMPLE_NAME));

    // A broken workspace template makes the render fail after the staging folder was made.
    std::fs::create_dir_all(ws.join("templates")).unwrap();
    std::fs::write(ws.join("templates").join("notice.typ"), "#let x = (\n").unwrap();
    let r = build(&ws, &out, &["--only", "notice"]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(staging_left(&out).is_empty(), "{:?}", staging_left(&out));
    assert_eq!(tree(&out.join(SAMPLE_NAME)), before, "previous outputs intact");
}

// ------------------------------------------------------------------ no silent overwrites

#[test]
fn template_refuses_to_replace_a_workbook_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("填报模板");
    run(["template".as_ref(), "--out".as_ref(), dir.as_os_str()]).ok("first template");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&file, "已填好的数据").unwrap();
    let r = run(["template".as_ref(), "--out".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("已存在，未替换") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&*file.file_name().unwrap().to_string_lossy()),
        "names the file: {}",
        r.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), "已填好的数据".as_bytes());
    run([
        "template".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
        "--force".as_ref(),
    ])
    .ok("--force");
    assert_ne!(std::fs::read(&file).unwrap(), "已填好的数据".as_bytes());
}

#[test]
fn gen_refuses_to_replace_files_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ws");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("campaign.yaml"), "名称: 已修改\n").unwrap();
    let args = |force: bool| {
        let mut a: Vec<&OsStr> = vec!["gen".as_ref(), "--households".as_ref(), "12".as_ref(), "--out".as_ref()];
        a.push(dir.as_os_str());
        if force {
            a.push("--force".as_ref());
        }
        run(a)
    };
    let r = args(false);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("campaign.yaml") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("campaign.yaml")).unwrap(),
        "名称: 已修改\n"
    );
    assert!(!dir.join("村级数据").exists(), "nothing written");
    args(true).ok("gen --force");
    assert_ne!(
        std::fs::read_to_string(dir.join("campaign.yaml")).unwrap(),
        "名称: 已修改\n"
    );
    // And now every generated file is there, so a second run without --force names them.
    let r = args(false);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("村级数据"), "{}", r.stderr);
}

// ------------------------------------------------------------------ verify stays inside

#[test]
fn verify_never_reads_paths_outside_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.join("排查");
    std::fs::create_dir_all(&dir).unwrap();
    let secret = b"secret outside the output folder";
    std::fs::write(out.join("secret"), secret).unwrap();
    let sha = fangpin::ingest::sha256_hex(secret);
    let mut paths: Vec<String> = vec!["../secret".into(), out.join("secret").to_string_lossy().into_owned()];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(out.join("secret"), dir.join("link.pdf")).unwrap();
        paths.push("link.pdf".into());
    }
    let outputs: Vec<serde_json::Value> = paths
        .iter()
        .map(|p| {
            serde_json::json!({"path": p, "kind": "通知", "village": null, "format": "pdf", "pages": 1,
                "bytes": secret.len(), "sha256": sha})
        })
        .collect();
    let manifest = serde_json::json!({"fangpin": "0.1.0", "campaign": "排查", "as_of": "2024-06-30",
        "inputs": [], "outputs": outputs});
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    let r = run(["verify".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    // Had any been read, its hash would match and it would count as checked.
    assert!(r.stdout.contains("核对 0 个文件"), "{}", r.stdout);
    for p in &paths {
        assert!(
            r.stdout.contains(&format!("路径指向输出文件夹之外，未读取：{p}")),
            "{p}: {}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("核对未通过"), "{}", r.stdout);
}

#[test]
fn verify_still_passes_for_a_real_build() {
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("out");
    build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        &out,
        &["--only", "notice,roster"],
    )
    .ok("build");
    let r = run(["verify".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(r.stdout.contains("核对通过"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_links_to_the_workspace_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    sample_copy(&ws);
    set_campaign_name(&ws, "村级数据");
    std::os::unix::fs::symlink(&ws, tmp.path().join("链接")).unwrap();
    let before = tree(&ws);
    let r = build(&ws, &tmp.path().join("链接"), &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("输出文件夹就是工作区"), "{}", r.stderr);
    // Not yet existing below a link into the workspace's parent: still resolved through the link.
    std::os::unix::fs::symlink(tmp.path(), tmp.path().join("上级")).unwrap();
    let r = build(&ws, &tmp.path().join("上级").join("新建").join(".."), &[]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("工作区在输出文件夹里面"), "{}", r.stderr);
    assert_eq!(tree(&ws), before);
}
