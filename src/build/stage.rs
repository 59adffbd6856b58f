//! Atomic outputs: every file goes into a hidden staging folder beside the target, which replaces
//! the previous outputs in one rename only after everything succeeded. A failed or killed run
//! leaves the previous outputs as they were.
//!
//! Before any of that, the output folder is checked against the workspace (outputs never replace
//! or contain the inputs), the campaign folder it would replace must be a previous fangpin output,
//! and the output root is locked so two builds never swap folders under each other.

use super::BuildError;
use super::manifest::{MANIFEST_FILE, Manifest, OutputEntry, rel_path};
use crate::ingest::sha256_hex;
use crate::model::{OUTPUT_MARKER, OUTPUT_MARKER_TEXT, Workspace};
use chrono::NaiveDate;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The advisory lock file in the output root.
pub const LOCK_FILE: &str = ".fangpin.lock";

/// How an output location overlaps the workspace: the workspace is `--out`, inside it, is
/// `<out>/<名称>`, or inside that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// `--out` is the workspace.
    Out,
    /// The workspace is inside `--out`.
    InsideOut,
    /// `<out>/<名称>` is the workspace.
    Campaign,
    /// The workspace is inside `<out>/<名称>`.
    InsideCampaign,
}

impl Overlap {
    pub fn describe(self) -> &'static str {
        match self {
            Overlap::Out => "输出文件夹就是工作区",
            Overlap::InsideOut => "工作区在输出文件夹里面",
            Overlap::Campaign => "输出文件夹中的排查文件夹（以 campaign.yaml 的名称命名）就是工作区",
            Overlap::InsideCampaign => "工作区在输出文件夹中的排查文件夹（以 campaign.yaml 的名称命名）里面",
        }
    }
}

/// `p` as an absolute path with symlinks resolved: the nearest existing ancestor is
/// canonicalized and the not-yet-existing rest appended (it cannot hold links; `..` in it is
/// applied lexically).
pub(crate) fn resolve(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut existing = abs.as_path();
    let mut rest: Vec<Component<'_>> = Vec::new();
    loop {
        if std::fs::symlink_metadata(existing).is_ok() {
            break;
        }
        let Some(parent) = existing.parent() else { break };
        if let Some(last) = existing.components().next_back() {
            rest.push(last);
        }
        existing = parent;
    }
    let mut out = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    Ok(out)
}

/// Refuses an output location that is or contains the workspace (both already resolved).
pub(crate) fn overlap(workspace: &Path, out: &Path, campaign_dir: Option<&Path>) -> Option<Overlap> {
    if out == workspace {
        return Some(Overlap::Out);
    }
    if workspace.starts_with(out) {
        return Some(Overlap::InsideOut);
    }
    match campaign_dir {
        Some(c) if c == workspace => Some(Overlap::Campaign),
        Some(c) if workspace.starts_with(c) => Some(Overlap::InsideCampaign),
        _ => None,
    }
}

/// What is at `<out>/<名称>` when it is not something a build may replace; `None` when it does
/// not exist, is empty, or is a previous fangpin output (its manifest.json has the `fangpin` key).
pub(crate) fn foreign_target(target: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(target).ok()?;
    if meta.file_type().is_symlink() {
        return Some("一个链接（快捷方式）".into());
    }
    if !meta.is_dir() {
        return Some("一个同名文件".into());
    }
    let mut entries = match std::fs::read_dir(target) {
        Ok(e) => e,
        Err(e) => return Some(format!("一个无法读取的文件夹（{e}）")),
    };
    // An empty folder holds nothing to lose.
    let _first = entries.next()?;
    let manifest = target.join(MANIFEST_FILE);
    let is_fangpin = std::fs::symlink_metadata(&manifest).is_ok_and(|m| m.is_file())
        && std::fs::read(&manifest)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v.get("fangpin").is_some_and(serde_json::Value::is_string));
    if is_fangpin {
        return None;
    }
    let files = walkdir::WalkDir::new(target)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(100_000)
        .count();
    Some(format!(
        "一个不是 fangpin 生成的文件夹（没有 fangpin 的 manifest.json，其中有 {files} 个文件）"
    ))
}

/// The output root, locked for one build. The lock is released when this is dropped (and by the
/// OS when the process dies, so a killed build never leaves a stuck lock).
pub(crate) struct OutputLock {
    file: std::fs::File,
    /// The output root, when this run created it.
    created: Option<PathBuf>,
}

impl OutputLock {
    /// Nothing was written: undo what taking the lock created, so a build that stops on an
    /// unreadable workspace leaves no folder behind. An output root that existed is kept as is
    /// (its lock file stays: removing it could let two builds lock different files).
    pub fn abandon(self) {
        let OutputLock { file, created } = self;
        drop(file);
        if let Some(out) = created {
            let _ = std::fs::remove_file(out.join(OUTPUT_MARKER));
            let _ = std::fs::remove_file(out.join(LOCK_FILE));
            // Only succeeds when nothing else is in it.
            let _ = std::fs::remove_dir(&out);
        }
    }
}

/// Creates the output root, takes its lock (a second build stops at once), writes the
/// output marker and removes staging folders left by killed runs. Under the lock no other build
/// is running here, so every staging folder found belongs to a dead run.
pub(crate) fn lock_output(out: &Path) -> Result<OutputLock, BuildError> {
    let created = (!out.exists()).then(|| out.to_path_buf());
    std::fs::create_dir_all(out).map_err(io(out))?;
    let lock_path = out.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(BuildError::Locked { out: out.to_path_buf() });
        }
        Err(std::fs::TryLockError::Error(source)) => {
            return Err(BuildError::Io {
                path: lock_path,
                source,
            });
        }
    }
    write_marker(out)?;
    remove_stale_staging(out);
    Ok(OutputLock { file, created })
}

/// `<out>/.fangpin-output`, so discovery never reads this folder as data.
pub(crate) fn write_marker(out: &Path) -> Result<(), BuildError> {
    let marker = out.join(OUTPUT_MARKER);
    if std::fs::symlink_metadata(&marker).is_err() {
        std::fs::write(&marker, OUTPUT_MARKER_TEXT).map_err(io(&marker))?;
    }
    Ok(())
}

/// `.<名>.partial-XXXXXX` / `.<名>.old-XXXXXX` (tempfile's six random characters).
pub(crate) fn is_staging_name(name: &str) -> bool {
    let Some(body) = name.strip_prefix('.') else {
        return false;
    };
    let Some((head, random)) = body.rsplit_once('-') else {
        return false;
    };
    random.len() == 6
        && random.chars().all(|c| c.is_ascii_alphanumeric())
        && (head.ends_with(".partial") || head.ends_with(".old"))
        && head.len() > ".old".len()
}

/// Removes what killed runs left in `out` (best effort: a folder that cannot be removed now is
/// tried again next time).
fn remove_stale_staging(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        if !is_staging_name(&name.to_string_lossy()) {
            continue;
        }
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                let _ = std::fs::remove_dir_all(&p);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&p);
            }
            Err(_) => {}
        }
    }
}

/// Owner-only permissions for folders holding unmasked copies of the outputs while staged.
fn private() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn staging_builder<'a>(prefix: &'a str) -> tempfile::Builder<'a, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    if let Some(p) = private() {
        b.permissions(p);
    }
    b
}

pub(crate) struct Staging {
    /// Removed on drop unless committed.
    dir: Option<tempfile::TempDir>,
    target: PathBuf,
    previous: Mutex<Vec<OutputEntry>>,
    /// A template stopped by its time or memory limit ends the process: the staging folder is
    /// removed first (dropping the hook unregisters it).
    _abort: crate::render::limits::AbortHook,
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
        let prefix = format!(".{name}.partial-");
        let dir = staging_builder(&prefix).tempdir_in(out).map_err(io(out))?;
        let staged = dir.path().to_path_buf();
        let abort = crate::render::limits::on_abort(Box::new(move || {
            let _ = std::fs::remove_dir_all(&staged);
        }));
        Ok(Staging {
            dir: Some(dir),
            target: target.to_path_buf(),
            previous: Mutex::new(Vec::new()),
            _abort: abort,
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
            let prefix = format!(".{name}.old-");
            let old = staging_builder(&prefix).tempdir_in(parent).map_err(io(parent))?;
            let old = old.keep();
            // rename() onto an existing empty dir works on Unix; remove it first for Windows.
            std::fs::remove_dir(&old).map_err(io(&old))?;
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
            // The previous outputs hold full IDs: private until removed.
            if let Some(p) = private() {
                let _ = std::fs::set_permissions(&old, p);
            }
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
        // The published folder gets the output root's permissions, not the staging folder's 0700.
        let parent = self.target.parent().unwrap_or(Path::new("."));
        if let Ok(meta) = std::fs::metadata(parent) {
            let _ = std::fs::set_permissions(&self.target, meta.permissions());
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
    write_marker(out)?;
    let name = format!("{}-数据问题清单", super::unit_folder(&ws.campaign.name));
    let path = out.join(format!("{name}.xlsx"));
    // A staging-style temporary name, so a run killed while writing leaves nothing the next
    // run keeps.
    crate::atomic::write(&path, &bytes).map_err(io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_handles_missing_tails_dotdot_and_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(root.join("ws")).unwrap();
        assert_eq!(resolve(&root.join("ws/村级数据/..")).unwrap(), root.join("ws"));
        assert_eq!(resolve(&root.join("new/a/../b")).unwrap(), root.join("new/b"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("ws"), root.join("link")).unwrap();
            assert_eq!(resolve(&root.join("link")).unwrap(), root.join("ws"));
            assert_eq!(resolve(&root.join("link/out")).unwrap(), root.join("ws/out"));
        }
    }

    #[test]
    fn overlaps() {
        let ws = Path::new("/a/ws");
        assert_eq!(overlap(ws, ws, None), Some(Overlap::Out));
        assert_eq!(overlap(ws, Path::new("/a"), None), Some(Overlap::InsideOut));
        assert_eq!(
            overlap(ws, Path::new("/b"), Some(Path::new("/a/ws"))),
            Some(Overlap::Campaign)
        );
        assert_eq!(
            overlap(ws, Path::new("/b"), Some(Path::new("/a"))),
            Some(Overlap::InsideCampaign)
        );
        // Inside the workspace is allowed; a sibling with a common prefix is not inside.
        assert_eq!(
            overlap(ws, Path::new("/a/ws/out"), Some(Path::new("/a/ws/out/x"))),
            None
        );
        assert_eq!(overlap(ws, Path::new("/a/ws2"), Some(Path::new("/a/ws2/x"))), None);
    }

    #[test]
    fn staging_names() {
        assert!(is_staging_name(".排查.partial-Ab3dE9"));
        assert!(is_staging_name(".a-b.old-x1Y2z3"));
        assert!(is_staging_name(".排查-数据问题清单.partial-a1b2c3"));
        for n in [
            ".partial-abcdef",
            "排查.partial-Ab3dE9",
            ".排查.partial-Ab3d",
            ".排查.backup-Ab3dE9",
            ".old-abcdef",
        ] {
            assert!(!is_staging_name(n), "{n}");
        }
    }

    #[test]
    fn foreign_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path().join("c");
        assert_eq!(foreign_target(&t), None, "missing");
        std::fs::create_dir(&t).unwrap();
        assert_eq!(foreign_target(&t), None, "empty");
        std::fs::write(t.join("a.txt"), "x").unwrap();
        assert!(foreign_target(&t).is_some_and(|w| w.contains("1 个文件")));
        std::fs::write(t.join(MANIFEST_FILE), r#"{"fangpin": "0.1.0", "outputs": []}"#).unwrap();
        assert_eq!(foreign_target(&t), None, "a previous fangpin output");
        std::fs::write(t.join(MANIFEST_FILE), r#"{"fangpin": 1}"#).unwrap();
        assert!(foreign_target(&t).is_some());
    }

    #[cfg(unix)]
    #[test]
    fn staging_is_private_and_removed_when_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = Staging::create(&out, &out.join("排查")).unwrap();
        let dir = s.path().to_path_buf();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        s.write("石桥镇/a.txt", b"x").unwrap();
        drop(s);
        assert!(!dir.exists());
    }

    #[test]
    fn a_second_lock_on_the_same_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let first = lock_output(tmp.path()).unwrap();
        assert!(matches!(lock_output(tmp.path()), Err(BuildError::Locked { .. })));
        drop(first);
        assert!(lock_output(tmp.path()).is_ok());
        assert!(tmp.path().join(OUTPUT_MARKER).is_file());
        // A folder the lock created is removed again when the build is abandoned.
        let fresh = tmp.path().join("new");
        lock_output(&fresh).unwrap().abandon();
        assert!(!fresh.exists());
        lock_output(tmp.path()).unwrap().abandon();
        assert!(tmp.path().join(OUTPUT_MARKER).is_file(), "an existing folder is kept");
    }
}
