//! The seal image named by `发文.印章` in campaign.yaml, read once at the ingest edge.
//!
//! The path is the clerk's to write, so it is confined: relative, no `..`, resolving (through
//! symlinks) to a regular file inside the workspace. The file type is checked before opening
//! (a FIFO would block, `/dev/zero` never ends), the read is bounded in bytes, and the decoded
//! pixel size is read from the PNG IHDR / JPEG SOF header so a tiny file claiming a huge
//! picture is refused before anything decodes it.

use super::campaign::seal_place;
use super::sha256_hex;
use crate::model::{Campaign, Diagnostic, InputFile, SealImage};
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

/// Largest seal file read (a scanned seal is a few hundred KB).
pub const MAX_SEAL_BYTES: u64 = 10 * 1024 * 1024;
/// Largest side of a seal image, in pixels.
pub const MAX_SEAL_SIDE: u32 = 10_000;
/// Largest seal image, in pixels (4000 × 4000; decoded RGBA that is 64 MB).
pub const MAX_SEAL_PIXELS: u64 = 16_000_000;

const FIELD: &str = "发文.印章";
const FIX_PATH: &str = "把印章图片（PNG 或 JPEG）放进工作区，例如 seals/乡政府.png，并在 campaign.yaml 的“发文.印章”写这个相对路径；不需要印章时删去这一行";

/// Validates and reads the seal. A good seal is returned and listed in `inputs`; a bad one
/// becomes an error diagnostic at the 发文.印章 line of campaign.yaml.
pub fn load(
    root: &Path,
    campaign: &Campaign,
    campaign_text: &str,
    inputs: &mut Vec<InputFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SealImage> {
    let raw = campaign.issuance.as_ref()?.seal.as_deref()?.trim();
    if raw.is_empty() {
        return None;
    }
    match read_seal(root, raw) {
        Ok(seal) => {
            inputs.push(InputFile {
                path: seal.path.clone(),
                sha256: sha256_hex(&seal.bytes),
                rows: 0,
            });
            Some(seal)
        }
        Err((message, fix)) => {
            diagnostics.push(Diagnostic::error(
                seal_place(campaign_text),
                FIELD,
                printable(raw),
                message,
                fix,
            ));
            None
        }
    }
}

type Refusal = (String, String);

fn refuse(message: impl Into<String>, fix: &str) -> Refusal {
    (message.into(), fix.to_string())
}

/// The path as shown: control characters never reach the terminal raw.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn read_seal(root: &Path, raw: &str) -> Result<SealImage, Refusal> {
    let rel = relative(raw)?;
    let full = root.join(&rel);
    let shown = rel.to_string_lossy().replace('\\', "/");
    let link = std::fs::symlink_metadata(&full).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(
            format!("找不到印章图片“{shown}”（按工作区内的相对路径查找）"),
            "检查文件名和所在文件夹是否与 campaign.yaml 中写的一致；不需要印章时删去“印章”这一行",
        ),
        _ => refuse(
            format!("无法读取印章图片“{shown}”：{}", crate::os_error::io_reason(&e)),
            "检查文件是否有读取权限",
        ),
    })?;
    let (real_root, real) = match (root.canonicalize(), full.canonicalize()) {
        (Ok(r), Ok(f)) => (r, f),
        _ => {
            return Err(refuse(
                format!("印章图片“{shown}”是一个指向不存在位置的符号链接"),
                FIX_PATH,
            ));
        }
    };
    if !real.starts_with(&real_root) {
        return Err(refuse(
            format!("印章图片“{shown}”经符号链接指向工作区之外，出于安全不读取"),
            FIX_PATH,
        ));
    }
    // Type first, without opening: opening a FIFO blocks, a device never ends.
    let meta = std::fs::metadata(&real).map_err(|e| {
        refuse(
            format!("无法读取印章图片“{shown}”：{}", crate::os_error::io_reason(&e)),
            "检查文件是否有读取权限",
        )
    })?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "是文件夹"
        } else if link.file_type().is_symlink() {
            "指向的不是普通文件"
        } else {
            "不是普通文件（可能是管道或设备）"
        };
        return Err(refuse(format!("印章图片“{shown}”{what}"), FIX_PATH));
    }
    let too_big = || {
        refuse(
            format!("印章图片“{shown}”过大（上限 {} MB）", MAX_SEAL_BYTES / (1024 * 1024)),
            "把印章图片缩小后另存（印章扫描件一般几百 KB，宽高 1000 像素左右即可）",
        )
    };
    if meta.len() > MAX_SEAL_BYTES {
        return Err(too_big());
    }
    let file = std::fs::File::open(&real).map_err(|e| {
        refuse(
            format!("无法打开印章图片“{shown}”：{}", crate::os_error::io_reason(&e)),
            "检查文件是否被其他程序占用、是否有读取权限",
        )
    })?;
    // The opened handle is checked again: the path may have been swapped since the stat.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(refuse(format!("印章图片“{shown}”不是普通文件"), FIX_PATH));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SEAL_BYTES + 1).read_to_end(&mut bytes).map_err(|e| {
        refuse(
            format!("读取印章图片“{shown}”时出错：{}", crate::os_error::io_reason(&e)),
            "检查文件是否完整、是否有读取权限",
        )
    })?;
    if bytes.len() as u64 > MAX_SEAL_BYTES {
        return Err(too_big());
    }
    let (format, width, height) = image_size(&bytes).map_err(|m| {
        refuse(
            format!("印章图片“{shown}”{m}"),
            "用画图、WPS 或 Photoshop 把印章另存为 PNG 或 JPEG 图片",
        )
    })?;
    if width == 0 || height == 0 {
        return Err(refuse(
            format!("印章图片“{shown}”的宽或高为 0 像素，文件已损坏"),
            "重新扫描或导出印章图片",
        ));
    }
    if width > MAX_SEAL_SIDE || height > MAX_SEAL_SIDE || u64::from(width) * u64::from(height) > MAX_SEAL_PIXELS {
        return Err(refuse(
            format!(
                "印章图片“{shown}”为 {width}×{height} 像素，超过上限（每边不超过 {MAX_SEAL_SIDE} 像素，总数不超过 {} 万像素）",
                MAX_SEAL_PIXELS / 10_000
            ),
            "把印章图片缩小到 1000×1000 像素左右后另存",
        ));
    }
    Ok(SealImage {
        path: shown,
        format,
        width,
        height,
        bytes,
    })
}

/// The path as written, if it is relative and does not climb out (`..`). Both `/` and `\`
/// count as separators, as a clerk on Windows may write either.
fn relative(raw: &str) -> Result<PathBuf, Refusal> {
    let unified = raw.replace('\\', "/");
    let drive = unified.as_bytes().get(1) == Some(&b':');
    let path = Path::new(&unified);
    if unified.starts_with('/') || drive || path.is_absolute() {
        return Err(refuse("印章图片须写工作区内的相对路径，不能写绝对路径", FIX_PATH));
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(refuse("印章图片路径中不能有“..”（不能指向工作区之外）", FIX_PATH));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse("印章图片须写工作区内的相对路径，不能写绝对路径", FIX_PATH));
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err(refuse("印章图片路径为空", FIX_PATH));
    }
    Ok(out)
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Format and pixel size from the header alone (nothing is decoded).
fn image_size(bytes: &[u8]) -> Result<(&'static str, u32, u32), String> {
    if bytes.starts_with(PNG_MAGIC) {
        // The first chunk must be IHDR: length 13, then width and height, big-endian.
        let ihdr = bytes.get(8..24).ok_or("不是完整的 PNG 图片（文件头不全）")?;
        if &ihdr[4..8] != b"IHDR" {
            return Err("不是有效的 PNG 图片（缺少 IHDR 文件头）".into());
        }
        let w = u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]);
        let h = u32::from_be_bytes([ihdr[12], ihdr[13], ihdr[14], ihdr[15]]);
        return Ok(("png", w, h));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let (w, h) = jpeg_size(bytes).ok_or("不是有效的 JPEG 图片（找不到图像尺寸）")?;
        return Ok(("jpg", w, h));
    }
    let trimmed = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(5)
        .copied()
        .collect::<Vec<u8>>();
    if trimmed.starts_with(b"<") {
        return Err("是 SVG 或其他文本文件，印章只接受 PNG 或 JPEG 图片".into());
    }
    Err("不是 PNG 或 JPEG 图片".into())
}

/// Width and height from the first SOF segment of a JPEG.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        // Markers may be padded with any number of 0xFF fill bytes.
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        match marker {
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            // length(2) precision(1) height(2) width(2)
            let h = u16::from_be_bytes([*b.get(i + 3)?, *b.get(i + 4)?]);
            let w = u16::from_be_bytes([*b.get(i + 5)?, *b.get(i + 6)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut v = PNG_MAGIC.to_vec();
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 6, 0, 0, 0]);
        v
    }

    #[test]
    fn png_size_from_ihdr() {
        assert_eq!(image_size(&png_header(66000, 66000)), Ok(("png", 66000, 66000)));
        assert!(image_size(PNG_MAGIC).is_err());
    }

    #[test]
    fn jpeg_size_from_sof_skipping_app_segments() {
        // SOI, APP0 (length 16), DQT-like segment, SOF0 with height 300 width 400.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        j.extend_from_slice(&[0u8; 14]);
        j.extend_from_slice(&[0xFF, 0xFF, 0xDB, 0x00, 0x04, 0, 0]);
        j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 8, 0x01, 0x2C, 0x01, 0x90]);
        assert_eq!(image_size(&j), Ok(("jpg", 400, 300)));
        // A scan before any frame header has no size.
        assert!(image_size(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]).is_err());
        assert!(image_size(&[0xFF, 0xD8, 0xFF]).is_err());
    }

    #[test]
    fn svg_and_text_are_refused() {
        assert!(
            image_size(b"  <svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                .unwrap_err()
                .contains("SVG")
        );
        assert!(image_size(b"root:x:0:0").is_err());
    }

    #[test]
    fn paths_must_be_relative_and_stay_inside() {
        assert!(relative("/etc/passwd").is_err());
        assert!(relative("C:\\seal.png").is_err());
        assert!(relative("../x.png").is_err());
        assert!(relative("seals\\..\\..\\x.png").is_err());
        assert_eq!(relative("./seals/a.png").unwrap(), PathBuf::from("seals/a.png"));
        assert_eq!(relative("seals\\a.png").unwrap(), PathBuf::from("seals/a.png"));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
    }
}
