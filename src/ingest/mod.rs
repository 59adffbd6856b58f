//! Input: workspace discovery, Excel and YAML reading, validation.
//!
//! `load_workspace` reads `campaign.yaml`, the optional `rules.yaml` and every data file below the
//! root, and returns the typed model plus *every* problem found, each with its place and a fix.
//! Only a workspace that cannot be read at all (no folder, no or broken campaign.yaml / rules.yaml)
//! is a fatal `IngestError`; everything about data files becomes a `Diagnostic`.

mod build;
mod campaign;
mod excel;
mod fields;
mod limits;
mod link;
mod memory;
mod names;
mod national;
mod ole;
mod privacy;
mod record;
mod rosters;
mod seal;
mod values;
mod yaml;
mod yaml_index;

pub use campaign::{CAMPAIGN_FILE, RULES_FILE, parse_campaign, parse_rules};
pub use fields::{Field, PLAIN_FIELDS, SheetKind, normalize_header};
pub use memory::load_in_memory;
pub use values::{
    DateError, IdError, IdInfo, MoneyError, date_from_number, date_from_serial, excel_general_number, id_check_digit,
    parse_date, parse_money, to_half_width, validate_id,
};

use crate::model::{Campaign, Diagnostic, InputFile, Place, RulesFile, Workspace};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Largest YAML data file read (a bigger one is almost certainly not hand-made data).
pub const MAX_YAML_BYTES: u64 = 64 * 1024 * 1024;
/// Largest workbook read.
pub const MAX_WORKBOOK_BYTES: u64 = 256 * 1024 * 1024;

/// A workspace that cannot be loaded at all. Problems inside data files are diagnostics instead.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("工作区文件夹“{}”不存在。请检查路径，或新建该文件夹并放入 campaign.yaml 和村级数据文件", .0.display())]
    RootMissing(PathBuf),
    #[error("“{}”不是文件夹。请指定工作区文件夹（其中有 campaign.yaml）", .0.display())]
    RootNotDir(PathBuf),
    #[error("工作区“{}”中没有 campaign.yaml。请在该文件夹根目录创建 campaign.yaml（写明名称、年度、地区、监测范围，格式见 README“输入约定”）", .0.display())]
    CampaignMissing(PathBuf),
    #[error("campaign.yaml 有{}处问题，请逐一修改：\n{}", .0.len(), list(.0))]
    Campaign(Vec<Diagnostic>),
    #[error("rules.yaml 有{}处问题，请逐一修改（或删除 rules.yaml 以使用内置规则）：\n{}", .0.len(), list(.0))]
    Rules(Vec<Diagnostic>),
    #[error("无法读取“{}”：{source}。请检查文件是否存在、是否有读取权限", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

fn list(d: &[Diagnostic]) -> String {
    let mut s = String::new();
    for (i, x) in d.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = write!(s, "  {x}");
    }
    s
}

/// Reads and validates a whole workspace.
pub fn load_workspace(root: &Path) -> Result<Workspace, IngestError> {
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IngestError::RootMissing(root.to_path_buf()),
        _ => IngestError::Io {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    if !meta.is_dir() {
        return Err(IngestError::RootNotDir(root.to_path_buf()));
    }
    let campaign_path = root.join(CAMPAIGN_FILE);
    if !campaign_path.is_file() {
        return Err(IngestError::CampaignMissing(root.to_path_buf()));
    }
    let mut inputs = Vec::new();
    let campaign_bytes = read(&campaign_path)?;
    inputs.push(InputFile {
        path: CAMPAIGN_FILE.to_string(),
        sha256: sha256_hex(&campaign_bytes),
        rows: 0,
    });
    let campaign_text = utf8(&campaign_bytes, CAMPAIGN_FILE).map_err(|d| IngestError::Campaign(vec![*d]))?;
    let campaign = parse_campaign(campaign_text).map_err(IngestError::Campaign)?;

    let rules_path = root.join(RULES_FILE);
    let rules = if rules_path.is_file() {
        let bytes = read(&rules_path)?;
        inputs.push(InputFile {
            path: RULES_FILE.to_string(),
            sha256: sha256_hex(&bytes),
            rows: 0,
        });
        let text = utf8(&bytes, RULES_FILE).map_err(|d| IngestError::Rules(vec![*d]))?;
        RulesFile::defaults().merged_with(parse_rules(text).map_err(IngestError::Rules)?)
    } else {
        RulesFile::defaults()
    };

    let (files, mut diagnostics) = data_files(root);
    let ctx = build::Ctx { campaign: &campaign };
    let results: Vec<(InputFile, build::FileData)> = files
        .par_iter()
        .map(|(rel, path)| read_data_file(rel, path, &ctx, &rules))
        .collect();
    let mut datas = Vec::with_capacity(results.len());
    for (input, data) in results {
        inputs.push(input);
        datas.push(data);
    }
    let data_match = campaign::data_match_date(campaign_text);
    let data = link::assemble(datas, &campaign, data_match, &mut diagnostics);
    names::check_names(&campaign, &data, &mut diagnostics).map_err(IngestError::Campaign)?;
    privacy::scan(&data, &campaign, &mut diagnostics);
    let seal = seal::load(root, &campaign, campaign_text, &mut inputs, &mut diagnostics);
    sort_diagnostics(&mut diagnostics);
    Ok(Workspace {
        root: root.to_path_buf(),
        campaign,
        rules,
        data,
        inputs,
        diagnostics,
        seal,
    })
}

/// Reads only campaign.yaml (for commands that need no data).
pub fn load_campaign(root: &Path) -> Result<Campaign, IngestError> {
    let path = root.join(CAMPAIGN_FILE);
    if !root.is_dir() {
        return Err(if root.exists() {
            IngestError::RootNotDir(root.into())
        } else {
            IngestError::RootMissing(root.into())
        });
    }
    if !path.is_file() {
        return Err(IngestError::CampaignMissing(root.to_path_buf()));
    }
    let bytes = read(&path)?;
    let text = utf8(&bytes, CAMPAIGN_FILE).map_err(|d| IngestError::Campaign(vec![*d]))?;
    parse_campaign(text).map_err(IngestError::Campaign)
}

fn read(path: &Path) -> Result<Vec<u8>, IngestError> {
    std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn utf8<'a>(bytes: &'a [u8], rel: &str) -> Result<&'a str, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        Box::new(Diagnostic::error(
            Place::file(rel),
            "",
            "",
            limits::not_utf8_message(bytes, e.valid_up_to()),
            "用记事本、WPS 或 VS Code 把文件另存为 UTF-8 编码",
        ))
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Extensions read as data (calamine reads .xlsm and .xlsb too; macros are never run).
const DATA_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "yaml", "yml"];

/// The file fangpin's build writes into every output root, so discovery never reads an output
/// folder inside the workspace as data, whatever its name (declared once, in `model`).
pub use crate::model::OUTPUT_MARKER;

/// Largest manifest.json looked into when deciding whether a folder is a fangpin output.
const MAX_MANIFEST_PROBE_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `dir` is a fangpin output: it holds the [`OUTPUT_MARKER`], or a manifest.json whose
/// JSON object has a `"fangpin"` key (outputs written before the marker existed).
fn is_output_folder(dir: &Path) -> bool {
    if dir.join(OUTPUT_MARKER).symlink_metadata().is_ok() {
        return true;
    }
    let manifest = dir.join("manifest.json");
    let Ok(meta) = manifest.symlink_metadata() else {
        return false;
    };
    if !meta.is_file() || meta.len() > MAX_MANIFEST_PROBE_BYTES {
        return false;
    }
    std::fs::read(&manifest)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("fangpin").is_some())
}

/// Files that are not data and need no warning: notes (`*.md`, README / 说明 files).
fn is_note(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".md") || lower.starts_with("readme") || name.starts_with("说明") || name.starts_with("填表说明")
}

/// The fix for a file of a kind that is not read.
fn unread_fix(ext: &str) -> &'static str {
    match ext {
        "csv" | "tsv" | "txt" => "用 Excel 或 WPS 打开后另存为 .xlsx，再放回工作区；如不是数据请移出工作区",
        "et" | "ett" | "numbers" | "xlt" | "xltx" | "xltm" | "fods" | "ots" => {
            "用 WPS 或 Excel 打开后另存为 .xlsx，再放回工作区"
        }
        _ => "如含应上报的数据，请填入 .xlsx 表格；不需要的文件请移出工作区",
    }
}

/// Every data file below `root` as (relative path with `/`, full path), sorted by relative path,
/// and a diagnostic for everything not read. Skipped silently: `templates/` and `output/` at the
/// root, hidden entries, Office lock files (`~$*`), notes (`*.md`, README / 说明), and the
/// workspace's own campaign.yaml / rules.yaml. Skipped with a warning: any folder that is a
/// fangpin output (see [`is_output_folder`]), files of kinds that are not read, special files,
/// and symbolic links that lead outside the workspace or to a folder (links are never followed
/// into folders, so they make no loops and no second reads; a link to a file inside the
/// workspace is read unless that file is read at its own place). Unreadable folders are errors.
pub fn data_files(root: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut outputs: Vec<String> = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if name.starts_with('.') || name.starts_with("~$") {
                return false;
            }
            if !e.file_type().is_dir() {
                return true;
            }
            if e.depth() == 1 && (name == "output" || name == "templates") {
                return false;
            }
            if is_output_folder(e.path()) {
                outputs.push(rel_path(root, e.path()));
                return false;
            }
            true
        });
    // (relative path, path, canonical target, reached through a link)
    let mut found: Vec<(String, PathBuf, PathBuf, bool)> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                diags.push(Diagnostic::error(
                    Place::file(rel),
                    "",
                    "",
                    format!("无法读取此路径（{e}）"),
                    "检查文件夹权限，或把数据文件移到可读的位置",
                ));
                continue;
            }
        };
        if entry.depth() == 0 || entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        let rel = rel_path(root, path);
        let name = entry.file_name().to_string_lossy().into_owned();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if entry.depth() == 1 && (name == CAMPAIGN_FILE || name == RULES_FILE) {
            continue;
        }
        let warn = |diags: &mut Vec<Diagnostic>, message: String, fix: &str| {
            diags.push(Diagnostic::warning(Place::file(rel.clone()), "", "", message, fix));
        };
        let via_link = entry.file_type().is_symlink();
        let target = if via_link {
            let Ok(target) = std::fs::canonicalize(path) else {
                warn(
                    &mut diags,
                    "这是一个链接（快捷方式），但它指向的文件或文件夹不存在，未读取".to_string(),
                    "删除此链接，或把数据文件本身放入工作区",
                );
                continue;
            };
            if !target.starts_with(&canon_root) {
                warn(
                    &mut diags,
                    format!(
                        "这是指向工作区以外（{}）的链接，为防止读入工作区以外的文件，未读取",
                        target.display()
                    ),
                    "把需要的数据文件复制到工作区中，再删除此链接",
                );
                continue;
            }
            if target.is_dir() {
                warn(
                    &mut diags,
                    format!(
                        "这是指向工作区内文件夹“{}”的链接，不沿链接读取（该文件夹中的文件按原位置读取）",
                        rel_path(&canon_root, &target)
                    ),
                    "如不需要，删除此链接",
                );
                continue;
            }
            target
        } else {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        };
        let regular = std::fs::metadata(&target).is_ok_and(|m| m.is_file());
        if !DATA_EXTENSIONS.contains(&ext.as_str()) {
            if !is_note(&name) {
                let kind = if ext.is_empty() {
                    "没有扩展名".to_string()
                } else {
                    format!(".{ext}")
                };
                warn(
                    &mut diags,
                    format!(
                        "此文件（{kind}）不是可读取的数据格式，未读取（可读取：.xlsx、.xlsm、.xlsb、.xls、.ods、.yaml）"
                    ),
                    unread_fix(&ext),
                );
            }
            continue;
        }
        if !regular {
            warn(
                &mut diags,
                "这不是普通文件（可能是管道或设备文件），未读取".to_string(),
                "把数据文件本身放入工作区",
            );
            continue;
        }
        found.push((rel, path.to_path_buf(), target, via_link));
    }
    // The same file reached twice (a link beside its target) is read once, at its own place.
    found.sort_by(|a, b| a.2.cmp(&b.2).then(a.3.cmp(&b.3)).then_with(|| a.0.cmp(&b.0)));
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut last: Option<(PathBuf, String)> = None;
    for (rel, path, target, _) in found {
        if let Some((t, first)) = &last
            && *t == target
        {
            diags.push(Diagnostic::warning(
                Place::file(rel),
                "",
                "",
                format!("这是指向“{first}”的链接，与它是同一个文件，未重复读取"),
                "删除此链接",
            ));
            continue;
        }
        last = Some((target, rel.clone()));
        files.push((rel, path));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for rel in outputs {
        diags.push(Diagnostic::warning(
            Place::file(rel),
            "",
            "",
            "此文件夹是 fangpin 生成的输出（含生成标记或 manifest.json），不当作数据读取",
            "建议把生成结果放到工作区以外（build --out 指定其他文件夹）",
        ));
    }
    if files.is_empty() {
        let any_unread = !diags.is_empty();
        diags.push(Diagnostic::warning(
            Place::file("工作区"),
            "",
            "",
            if any_unread {
                "工作区中没有可读取的数据文件（其他文件未读取的原因见上下各条），未读取任何户"
            } else {
                "工作区中没有数据文件（.xlsx、.xlsm、.xlsb、.xls、.ods、.yaml），未读取任何户"
            },
            "把各村的数据表格放入工作区文件夹（可放在子文件夹中）",
        ));
    }
    (files, diags)
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn read_data_file(rel: &str, path: &Path, ctx: &build::Ctx, rules: &RulesFile) -> (InputFile, build::FileData) {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let is_yaml = ext == "yaml" || ext == "yml";
    let limit = if is_yaml { MAX_YAML_BYTES } else { MAX_WORKBOOK_BYTES };
    let fail = |message: String, fix: &str| {
        let mut d = build::FileData::default();
        d.diagnostics
            .push(Diagnostic::error(Place::file(rel), "", "", message, fix));
        d
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > limit {
        let input = InputFile {
            path: rel.to_string(),
            sha256: String::new(),
            rows: 0,
        };
        let msg = format!(
            "文件过大（{} MB，上限 {} MB），未读取",
            size / (1024 * 1024),
            limit / (1024 * 1024)
        );
        return (input, fail(msg, "把数据拆分成几个较小的文件（例如每村一个）"));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let input = InputFile {
                path: rel.to_string(),
                sha256: String::new(),
                rows: 0,
            };
            return (
                input,
                fail(
                    format!("无法读取此文件（{e}）"),
                    "检查文件是否被其他程序占用、是否有读取权限",
                ),
            );
        }
    };
    // The checksum of a large workbook takes a tenth of reading it: it runs on the other core.
    let (sha256, data) = rayon::join(
        || sha256_hex(&bytes),
        || {
            if is_yaml {
                match utf8(&bytes, rel) {
                    Ok(text) => yaml::read_yaml(rel, text, ctx, rules),
                    Err(d) => {
                        let mut f = build::FileData::default();
                        f.diagnostics.push(*d);
                        f
                    }
                }
            } else {
                excel::read_workbook(rel, &bytes, ctx, rules)
            }
        },
    );
    (
        InputFile {
            path: rel.to_string(),
            sha256,
            rows: data.rows,
        },
        data,
    )
}

/// Column number (1-based) of an Excel reference like `AB12`.
fn col_of_cell(cell: &str) -> usize {
    let mut n = 0usize;
    for b in cell.bytes().take_while(u8::is_ascii_uppercase) {
        n = n * 26 + usize::from(b - b'A' + 1);
    }
    n
}

/// Sorts by file, sheet, row (line), column; ties keep their reading order.
pub fn sort_diagnostics(d: &mut [Diagnostic]) {
    d.sort_by(|a, b| {
        let key = |p: &Place| {
            let row = p.row.map(|r| r as usize).or(p.line).unwrap_or(0);
            let col = p.column.unwrap_or_else(|| p.cell.as_deref().map_or(0, col_of_cell));
            (row, col)
        };
        a.place
            .file
            .cmp(&b.place.file)
            .then_with(|| a.place.sheet.cmp(&b.place.sheet))
            .then_with(|| key(&a.place).cmp(&key(&b.place)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_numbers_for_sorting() {
        assert_eq!(col_of_cell("A1"), 1);
        assert_eq!(col_of_cell("Z9"), 26);
        assert_eq!(col_of_cell("AB12"), 28);
    }

    #[test]
    fn diagnostics_sort_by_place() {
        let mk = |file: &str, sheet: Option<&str>, row: u32, col: u32| {
            let p = match sheet {
                Some(s) => Place::cell(file, s, row, col),
                None => Place::line(file, row as usize, col as usize),
            };
            Diagnostic::warning(p, "", "", format!("{file}{row}{col}"), "")
        };
        let mut d = vec![
            mk("b.xlsx", Some("户"), 9, 0),
            mk("a.yaml", None, 12, 3),
            mk("b.xlsx", Some("户"), 10, 2),
            mk("b.xlsx", Some("户"), 10, 1),
            mk("a.yaml", None, 2, 5),
            mk("b.xlsx", Some("成员"), 1, 0),
        ];
        sort_diagnostics(&mut d);
        let order: Vec<String> = d.iter().map(|x| x.place.to_string()).collect();
        assert_eq!(
            order,
            [
                "a.yaml:2:5",
                "a.yaml:12:3",
                "b.xlsx › 成员 › A2",
                "b.xlsx › 户 › A10",
                "b.xlsx › 户 › B11",
                "b.xlsx › 户 › C11"
            ]
        );
    }

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
