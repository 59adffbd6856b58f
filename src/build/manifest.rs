//! `manifest.json`: the audit record of one build, and `verify` against it.

use super::BuildError;
use crate::ingest::sha256_hex;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// fangpin version that wrote it.
    pub fangpin: String,
    /// 排查名称
    pub campaign: String,
    /// The `as_of` date the rules and documents used (ISO).
    pub as_of: String,
    /// The PDF standard of the PDFs (`a-2b`); absent for plain PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_standard: Option<String>,
    pub inputs: Vec<InputEntry>,
    pub outputs: Vec<OutputEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputEntry {
    /// Relative to the workspace.
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutputEntry {
    /// Relative to the manifest's folder, `/` separators.
    pub path: String,
    /// Chinese document name (通知, 承诺授权书, …).
    pub kind: String,
    /// Village for per-village documents.
    pub village: Option<String>,
    pub format: String,
    /// PDF page count (None for XLSX).
    pub pages: Option<usize>,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn to_json(&self) -> Result<Vec<u8>, BuildError> {
        let mut s = serde_json::to_vec_pretty(self).map_err(|e| BuildError::Manifest(e.to_string()))?;
        s.push(b'\n');
        Ok(s)
    }

    pub fn read(path: &Path) -> Result<Manifest, BuildError> {
        let bytes = std::fs::read(path).map_err(|source| BuildError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_slice(&bytes)
            .map_err(|e| BuildError::Manifest(format!("{} 不是有效的 manifest.json：{e}", path.display())))
    }
}

/// What `verify` found for one manifest.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub manifest: PathBuf,
    pub checked: usize,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    /// Files in the folder the manifest does not list (reported, not an error).
    pub extra: Vec<String>,
    /// Entries that point outside the folder (`..`, absolute paths, links leading out): never read.
    pub outside: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.outside.is_empty()
    }
}

/// Re-hash every output listed in `dir/manifest.json`.
pub fn verify_dir(dir: &Path) -> Result<VerifyReport, BuildError> {
    let mpath = dir.join(MANIFEST_FILE);
    if std::fs::symlink_metadata(&mpath).is_ok_and(|m| !m.is_file()) {
        return Err(BuildError::Manifest(format!(
            "{} 不是普通文件（是链接或文件夹），未读取。请重新运行 fangpin build 生成",
            mpath.display()
        )));
    }
    let manifest = Manifest::read(&mpath)?;
    let mut report = VerifyReport {
        manifest: mpath,
        ..VerifyReport::default()
    };
    let mut listed = std::collections::HashSet::new();
    // Links inside the folder may point anywhere: compare resolved paths.
    let root = std::fs::canonicalize(dir).map_err(|source| BuildError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for o in &manifest.outputs {
        listed.insert(o.path.clone());
        let Some(p) = inside(&root, &o.path) else {
            report.outside.push(o.path.clone());
            continue;
        };
        match std::fs::read(&p) {
            Ok(bytes) => {
                report.checked += 1;
                if sha256_hex(&bytes) != o.sha256 {
                    report.changed.push(o.path.clone());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => report.missing.push(o.path.clone()),
            Err(source) => return Err(BuildError::Io { path: p, source }),
        }
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| BuildError::Manifest(e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(dir, entry.path());
        if rel != MANIFEST_FILE && !listed.contains(&rel) {
            report.extra.push(rel);
        }
    }
    Ok(report)
}

/// `rel` (a manifest entry) under `root` when it stays there: relative, no `..`, and (when it
/// exists) resolving inside `root` after links are followed. `None` means do not read it.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    use std::path::Component;
    let rel_path = Path::new(rel);
    // A Windows drive or `C:foo` prefix, a root, `..` or an empty entry all leave the folder.
    if rel.is_empty()
        || rel.contains('\\')
        || !rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let p = root.join(rel_path);
    match std::fs::canonicalize(&p) {
        Ok(real) => real.starts_with(root).then_some(real),
        // Missing (reported as such); a dangling link is outside by definition.
        Err(_) => std::fs::symlink_metadata(&p).is_err().then_some(p),
    }
}

/// Every folder holding a manifest: `dir` itself, or its direct sub-folders (one per campaign).
pub fn find_manifests(dir: &Path) -> Vec<PathBuf> {
    if dir.join(MANIFEST_FILE).is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST_FILE).is_file())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// `a/b/c.pdf` relative to `base`, with `/` separators on every platform.
pub fn rel_path(base: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(base).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
