//! The server's file work: saving an uploaded workbook inside the workspace, finding an output
//! file to serve, and zipping the outputs. Every path is built from checked parts and checked
//! again after canonicalising, so nothing outside the workspace is written and nothing outside
//! the output folder is read.

use axum::http::StatusCode;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// The kinds of file a workspace reads (the input contract), lower case.
pub const UPLOAD_EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xls", "ods", "yaml", "yml"];

/// Where a new village workbook goes (the folder the sample and `fangpin template` suggest).
pub const DATA_FOLDER: &str = "村级数据";

/// A refusal with its HTTP status and the Chinese message the page shows.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: String,
    /// For a name already in the workspace: its place (the page asks before replacing).
    pub exists: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
            exists: None,
        }
    }

    fn io(what: &str, path: &Path, e: &std::io::Error) -> Refusal {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "无法{what}“{}”：{}。请确认文件夹可写、文件未被 Excel/WPS 打开",
                path.display(),
                crate::render::io_reason(e)
            ),
        )
    }
}

/// What an upload did.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Saved {
    /// Relative to the workspace, `/` separators.
    pub path: String,
    pub replaced: bool,
}

/// The file name, if it may be saved: a plain name (no folder part) that passes the one name
/// rule and has a workspace file's extension.
pub(crate) fn check_upload_name(name: &str) -> Result<(&str, String), Refusal> {
    let bad = |m: String| Refusal::new(StatusCode::BAD_REQUEST, m);
    if name.contains(['/', '\\']) || name == ".." {
        return Err(bad(format!(
            "文件名“{}”含有文件夹路径。只能上传单个文件，文件会保存在工作区内",
            crate::model::escape_controls(name)
        )));
    }
    if let Err(e) = crate::model::folder_name(name) {
        return Err(bad(format!(
            "文件名“{}”不能用：{e}。请{}后重新上传",
            crate::model::escape_controls(name),
            e.fix()
        )));
    }
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !UPLOAD_EXTENSIONS.contains(&ext.as_str()) {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "不接受“{}”这种文件。只能上传 Excel/WPS 表格（.xlsx .xlsm .xls .ods）或 YAML（.yaml .yml）；其他格式请先在 WPS 中“另存为”.xlsx",
                crate::model::escape_controls(name)
            ),
        ));
    }
    Ok((name, ext))
}

/// The content must be what the extension says (a renamed PDF or picture is refused here, not
/// reported later as an unreadable workbook).
pub(crate) fn check_content(name: &str, ext: &str, bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("“{name}”是空文件。请选择填好的表格重新上传"),
        ));
    }
    let ok = match ext {
        // Office Open XML and OpenDocument are zip packages.
        "xlsx" | "xlsm" | "ods" => bytes.starts_with(b"PK\x03\x04"),
        // Excel 97–2003: an OLE compound file.
        "xls" => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        _ => std::str::from_utf8(bytes).is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "“{name}”的内容不是 .{ext} 文件（可能是改了扩展名的其他文件，或 YAML 不是 UTF-8 编码）。请在 Excel/WPS 中打开后“另存为”.{ext} 再上传"
            ),
        ))
    }
}

/// A file named `name` already in the workspace (where ingest reads it), if any.
fn find_existing(ws: &Path, out: Option<&Path>, name: &str) -> Result<Option<PathBuf>, Refusal> {
    let mut found: Vec<PathBuf> = WalkDir::new(ws)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let skipped_root = e.depth() == 1 && e.file_type().is_dir() && {
                let n = e.file_name();
                n == "templates" || n == "output"
            };
            let is_out = e.file_type().is_dir() && out.is_some_and(|o| e.path() == o);
            let is_output = e.file_type().is_dir()
                && (e.path().join(crate::model::OUTPUT_MARKER).exists()
                    || e.path().join(crate::build::manifest::MANIFEST_FILE).exists());
            !(hidden || skipped_root || is_out || is_output)
        })
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir() && e.file_name() == name)
        .map(|e| e.into_path())
        .collect();
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(Refusal::new(
            StatusCode::CONFLICT,
            format!(
                "工作区中有 {} 个名为“{name}”的文件（{}），不知道替换哪一个。请在文件夹中删除或改名多余的那个后重试",
                found.len(),
                found
                    .iter()
                    .map(|p| crate::build::manifest::rel_path(ws, p))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )),
    }
}

/// Saves an upload atomically inside the workspace: over the file of that name when there is
/// one (only with `replace`), else in [`DATA_FOLDER`] (campaign.yaml and rules.yaml at the root).
pub(crate) fn save_upload(ws: &Path, out: &Path, name: &str, replace: bool, bytes: &[u8]) -> Result<Saved, Refusal> {
    let (name, ext) = check_upload_name(name)?;
    check_content(name, &ext, bytes)?;
    let out_canon = std::fs::canonicalize(out).ok();
    let existing = find_existing(ws, out_canon.as_deref(), name)?;
    let target = match &existing {
        Some(path) => {
            if !replace {
                let rel = crate::build::manifest::rel_path(ws, path);
                return Err(Refusal {
                    status: StatusCode::CONFLICT,
                    message: format!("工作区中已有“{rel}”。确认要用上传的文件替换它吗？"),
                    exists: Some(rel),
                });
            }
            if std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
                return Err(Refusal::new(
                    StatusCode::CONFLICT,
                    format!(
                        "“{}”是链接或特殊文件，不能替换。请在文件夹中直接处理它",
                        crate::build::manifest::rel_path(ws, path)
                    ),
                ));
            }
            path.clone()
        }
        None if name == crate::ingest::CAMPAIGN_FILE || name == crate::ingest::RULES_FILE => ws.join(name),
        None => ws.join(DATA_FOLDER).join(name),
    };
    let dir = target.parent().unwrap_or(ws);
    std::fs::create_dir_all(dir).map_err(|e| Refusal::io("创建文件夹", dir, &e))?;
    // The folder, links resolved, must still be inside the workspace (a linked 村级数据 that
    // leads elsewhere is refused).
    let inside = std::fs::canonicalize(dir).is_ok_and(|d| d.starts_with(ws))
        && out_canon
            .as_deref()
            .is_none_or(|o| !std::fs::canonicalize(dir).is_ok_and(|d| d.starts_with(o)));
    if !inside {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "“{}”指向工作区以外，文件未保存。请把它改为工作区内的普通文件夹",
                dir.display()
            ),
        ));
    }
    crate::atomic::write(&target, bytes).map_err(|e| Refusal::io("保存", &target, &e))?;
    Ok(Saved {
        path: crate::build::manifest::rel_path(ws, &target),
        replaced: existing.is_some(),
    })
}

/// The output file `rel` (a `/`-separated path below the output root), or why not: only plain
/// names (no `..`, no root, no drive), only an existing regular file whose real place is inside
/// the output folder, and only the kinds a build writes.
pub(crate) fn resolve_output(out: &Path, rel: &str) -> Result<(PathBuf, &'static str), Refusal> {
    let not_found = || {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "没有这个文件（可能已被重新生成或删除）。请刷新页面查看最新的生成结果",
        )
    };
    let forbidden = || Refusal::new(StatusCode::FORBIDDEN, "拒绝访问：只能打开输出文件夹中的生成结果");
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.starts_with('.') || p.contains(['\\', ':', '\0']))
    {
        return Err(forbidden());
    }
    let mut path = out.to_path_buf();
    for p in &parts {
        if !matches!(Path::new(p).components().next(), Some(Component::Normal(_))) {
            return Err(forbidden());
        }
        path.push(p);
    }
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("pdf") => "application/pdf",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("json") => "application/json",
        _ => return Err(not_found()),
    };
    let out_canon = std::fs::canonicalize(out).map_err(|_| not_found())?;
    let real = std::fs::canonicalize(&path).map_err(|_| not_found())?;
    if !real.starts_with(&out_canon) {
        return Err(forbidden());
    }
    if !real.is_file() {
        return Err(not_found());
    }
    Ok((real, kind))
}

/// One zip of every campaign folder (with a manifest) below the output root, paths as in the
/// output folder. PDFs and XLSX are already compressed, so entries are stored.
pub(crate) fn zip_outputs(out: &Path) -> Result<(Vec<u8>, String), Refusal> {
    let dirs = crate::build::find_manifests(out);
    if dirs.is_empty() {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "还没有生成结果。请先点“生成”，完成后再下载",
        ));
    }
    let zip_err = |e: zip::result::ZipError| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("打包失败：{e}。请重试，或直接打开输出文件夹“{}”", out.display()),
        )
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    for dir in &dirs {
        for entry in WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = crate::build::manifest::rel_path(out, entry.path());
            let bytes = std::fs::read(entry.path()).map_err(|e| Refusal::io("读取", entry.path(), &e))?;
            zip.start_file(rel, options).map_err(zip_err)?;
            zip.write_all(&bytes)
                .map_err(|e| Refusal::io("打包", entry.path(), &e))?;
        }
    }
    let bytes = zip.finish().map_err(zip_err)?.into_inner();
    let name = match dirs.as_slice() {
        [one] => format!(
            "{}.zip",
            one.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        _ => "生成结果.zip".to_string(),
    };
    Ok((bytes, name))
}

/// `Content-Disposition` for a (Chinese) file name: RFC 6266 `filename*` with UTF-8, and an
/// ASCII fallback for old clients.
pub(crate) fn disposition(inline: bool, name: &str) -> String {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("bin");
    format!(
        "{}; filename=\"fangpin.{ext}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent_encode(name)
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names() {
        assert!(check_upload_name("芒洪村.xlsx").is_ok());
        assert!(check_upload_name("龙潭村.YAML").is_ok());
        for (bad, status) in [
            ("../芒洪村.xlsx", StatusCode::BAD_REQUEST),
            ("a\\b.xlsx", StatusCode::BAD_REQUEST),
            (".隐藏.xlsx", StatusCode::BAD_REQUEST),
            ("CON.xlsx", StatusCode::BAD_REQUEST),
            ("a:b.xlsx", StatusCode::BAD_REQUEST),
            ("芒洪村.exe", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            ("芒洪村", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ] {
            let r = check_upload_name(bad).unwrap_err();
            assert_eq!(r.status, status, "{bad}: {}", r.message);
        }
    }

    #[test]
    fn content_must_match_the_extension() {
        assert!(check_content("a.xlsx", "xlsx", b"PK\x03\x04rest").is_ok());
        assert!(check_content("a.xlsx", "xlsx", b"%PDF-1.7").is_err());
        assert!(check_content("a.yaml", "yaml", "户: []".as_bytes()).is_ok());
        assert!(check_content("a.yaml", "yaml", &[0xff, 0xfe, 0x00]).is_err());
        assert!(check_content("a.xls", "xls", b"").is_err());
    }

    #[test]
    fn output_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("排查/镇")).unwrap();
        std::fs::write(out.join("排查/镇/通知.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.path().join("secret.pdf"), b"%PDF").unwrap();
        assert!(resolve_output(&out, "排查/镇/通知.pdf").is_ok());
        for bad in [
            "../secret.pdf",
            "排查/../../secret.pdf",
            "/etc/passwd",
            "排查//通知.pdf",
            ".lock",
            "C:/x.pdf",
        ] {
            assert!(resolve_output(&out, bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.pdf"), out.join("排查/链接.pdf")).unwrap();
            let r = resolve_output(&out, "排查/链接.pdf").unwrap_err();
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(
            resolve_output(&out, "排查/镇/没有.pdf").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn dispositions_carry_the_chinese_name() {
        let d = disposition(false, "通知.pdf");
        assert!(d.starts_with("attachment; filename=\"fangpin.pdf\""), "{d}");
        assert!(d.ends_with("UTF-8''%E9%80%9A%E7%9F%A5.pdf"), "{d}");
    }
}
