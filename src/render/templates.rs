//! Built-in templates (embedded at build time from `templates/`) and workspace overrides.
//!
//! A workspace may place a file with the same relative name in its own `templates/`
//! folder (`notice.typ`, `text/notice.tera`, …); it then replaces the built-in one.
//! Extra files there (helper `.typ` files, images) are available to templates too.

use super::RenderError;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_templates.rs"));

/// Where a template file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// The override file in the workspace.
    Workspace(PathBuf),
}

/// One template file: a Typst source, a tera wording file or a binary asset.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path relative to `templates/`, `/` separated, e.g. `text/notice.tera`.
    pub name: String,
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

impl TemplateFile {
    /// The contents as text (sources and wording files are UTF-8).
    pub fn text(&self) -> Result<&str, RenderError> {
        std::str::from_utf8(&self.bytes).map_err(|_| RenderError::NotUtf8(self.display_path()))
    }

    fn display_path(&self) -> PathBuf {
        match &self.origin {
            Origin::Builtin => PathBuf::from("templates").join(&self.name),
            Origin::Workspace(p) => p.clone(),
        }
    }

    pub fn is_typst(&self) -> bool {
        self.name.ends_with(".typ")
    }

    pub fn is_tera(&self) -> bool {
        self.name.ends_with(".tera")
    }
}

/// The built-in templates merged with a workspace's overrides, read once.
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    files: BTreeMap<String, TemplateFile>,
}

impl TemplateSet {
    /// Only the built-in templates.
    pub fn builtin() -> TemplateSet {
        let files = BUILTIN
            .iter()
            .map(|(name, bytes)| {
                let file = TemplateFile {
                    name: (*name).to_string(),
                    bytes: bytes.to_vec(),
                    origin: Origin::Builtin,
                };
                ((*name).to_string(), file)
            })
            .collect();
        TemplateSet { files }
    }

    /// Built-ins overridden by the files in `workspace_templates` (a workspace's `templates/`
    /// folder); a missing folder means no overrides.
    pub fn load(workspace_templates: Option<&Path>) -> Result<TemplateSet, RenderError> {
        let mut set = TemplateSet::builtin();
        let Some(dir) = workspace_templates else { return Ok(set) };
        if !dir.is_dir() {
            return Ok(set);
        }
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
                RenderError::read(path, e.into())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(dir) else {
                continue;
            };
            let name = rel.to_string_lossy().replace('\\', "/");
            if name.split('/').any(|part| part.starts_with('.')) || name.ends_with('~') {
                continue;
            }
            let bytes = fs::read(entry.path()).map_err(|e| RenderError::read(entry.path(), e))?;
            let file = TemplateFile {
                name: name.clone(),
                bytes,
                origin: Origin::Workspace(entry.path().to_path_buf()),
            };
            set.files.insert(name, file);
        }
        Ok(set)
    }

    pub fn get(&self, name: &str) -> Option<&TemplateFile> {
        self.files.get(name)
    }

    /// All files, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &TemplateFile> {
        self.files.values()
    }

    /// The overrides taken from the workspace.
    pub fn overridden(&self) -> impl Iterator<Item = &TemplateFile> {
        self.files.values().filter(|f| f.origin != Origin::Builtin)
    }
}

/// Copies the built-in templates into `dir` (creating it) for editing. Existing files are
/// left alone unless `overwrite`; returns the files written and the ones skipped.
pub fn export(dir: &Path, overwrite: bool) -> Result<(Vec<PathBuf>, Vec<PathBuf>), RenderError> {
    let mut written = Vec::new();
    let mut skipped = Vec::new();
    for (name, bytes) in BUILTIN {
        let path = dir.join(name);
        if path.exists() && !overwrite {
            skipped.push(path);
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| RenderError::write(parent, e))?;
        }
        crate::atomic::write(&path, bytes).map_err(|e| RenderError::write(&path, e))?;
        written.push(path);
    }
    Ok((written, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_embedded_and_utf8() {
        let set = TemplateSet::builtin();
        let lib = set.get("lib.typ").expect("lib.typ is built in");
        assert!(lib.text().expect("utf8").contains("#let"));
        for f in set.iter().filter(|f| f.is_typst() || f.is_tera()) {
            f.text().expect("built-in templates are UTF-8");
        }
    }

    #[test]
    fn workspace_file_overrides_builtin() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("text")).expect("mkdir");
        fs::write(dir.path().join("lib.typ"), "#let x = 1").expect("write");
        fs::write(dir.path().join("text/extra.tera"), "附加").expect("write");
        let set = TemplateSet::load(Some(dir.path())).expect("load");
        assert_eq!(set.get("lib.typ").expect("lib").text().expect("utf8"), "#let x = 1");
        assert!(matches!(set.get("lib.typ").expect("lib").origin, Origin::Workspace(_)));
        assert_eq!(set.get("text/extra.tera").expect("extra").text().expect("utf8"), "附加");
        assert_eq!(set.overridden().count(), 2);
    }

    #[test]
    fn export_writes_every_builtin_and_keeps_edits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (written, skipped) = export(dir.path(), false).expect("export");
        assert_eq!(written.len(), BUILTIN.len());
        assert!(skipped.is_empty());
        fs::write(dir.path().join("lib.typ"), "edited").expect("write");
        let (written, skipped) = export(dir.path(), false).expect("export again");
        assert!(written.is_empty());
        assert_eq!(skipped.len(), BUILTIN.len());
        assert_eq!(fs::read_to_string(dir.path().join("lib.typ")).expect("read"), "edited");
    }
}
