//! Atomic outputs: every file goes into a hidden staging folder beside the target, which replaces
//! the previous outputs in one rename only after everything succeeded. A failed or killed run
//! leaves the previous outputs as they were.

use super::BuildError;
use super::manifest::{MANIFEST_FILE, Manifest, OutputEntry, rel_path};
use crate::ingest::sha256_hex;
use crate::model::Workspace;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub(crate) struct Staging {
    /// Removed on drop unless committed.
    dir: Option<tempfile::TempDir>,
    target: PathBuf,
    previous: Mutex<Vec<OutputEntry>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    pub fn create(out: &Path, target: &Path) -> Result<Staging, BuildError> {
        std::fs::create_dir_all(out).map_err(io(out))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(out)
            .map_err(io(out))?;
        Ok(Staging {
            dir: Some(dir),
            target: target.to_path_buf(),
            previous: Mutex::new(Vec::new()),
        })
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(&self.target)
    }

    /// Write one output (relative path) into the staging folder; returns its SHA-256.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<String, BuildError> {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&p, bytes).map_err(io(&p))?;
        Ok(sha256_hex(bytes))
    }

    /// For partial builds (`--only`, `--village`): start from a copy of the previous outputs.
    pub fn seed_from_previous(&self) -> Result<(), BuildError> {
        if !self.target.is_dir() {
            return Ok(());
        }
        for entry in walkdir::WalkDir::new(&self.target).sort_by_file_name() {
            let entry = entry.map_err(|e| BuildError::Manifest(e.to_string()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = rel_path(&self.target, entry.path());
            if rel == MANIFEST_FILE {
                if let Ok(m) = Manifest::read(entry.path())
                    && let Ok(mut prev) = self.previous.lock()
                {
                    *prev = m.outputs;
                }
                continue;
            }
            let dest = self.path().join(&rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::copy(entry.path(), &dest).map_err(io(&dest))?;
        }
        Ok(())
    }

    /// Manifest entries of the previous build (partial builds only).
    pub fn previous_outputs(&self) -> Vec<OutputEntry> {
        self.previous.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Swap the staging folder into place.
    pub fn commit(mut self) -> Result<(), BuildError> {
        let Some(dir) = self.dir.take() else { return Ok(()) };
        let staged = dir.keep();
        let old = if self.target.exists() {
            let name = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parent = self.target.parent().unwrap_or(Path::new("."));
            let old = tempfile::Builder::new()
                .prefix(&format!(".{name}.old-"))
                .tempdir_in(parent)
                .map_err(io(parent))?;
            let old = old.keep();
            // rename() onto an existing empty dir works on Unix; remove it first for Windows.
            std::fs::remove_dir(&old).map_err(io(&old))?;
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
            Some(old)
        } else {
            None
        };
        if let Err(source) = std::fs::rename(&staged, &self.target) {
            if let Some(old) = &old {
                let _ = std::fs::rename(old, &self.target);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(BuildError::Io {
                path: self.target.clone(),
                source,
            });
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(())
    }
}

/// With input errors nothing is rendered; the 数据问题清单 goes beside the outputs so the clerk can
/// fix the sources. Written to a temporary name and renamed.
pub(crate) fn write_problem_list(ws: &Workspace, out: &Path, date: NaiveDate) -> Result<PathBuf, BuildError> {
    let view = crate::documents::problem_list::view(&ws.diagnostics);
    let bytes = crate::render::xlsx::problem_list::write(&view, date).map_err(|source| BuildError::Render {
        document: "数据问题清单",
        village: None,
        source,
    })?;
    std::fs::create_dir_all(out).map_err(io(out))?;
    let path = out.join(format!("{}-数据问题清单.xlsx", super::unit_folder(&ws.campaign.name)));
    let mut tmp = tempfile::NamedTempFile::new_in(out).map_err(io(out))?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(io(&path))?;
    tmp.persist(&path).map_err(|e| BuildError::Io {
        path: path.clone(),
        source: e.error,
    })?;
    Ok(path)
}
