use super::{Campaign, Dataset, Diagnostic, RulesFile};
use serde::Serialize;
use std::path::PathBuf;

/// A loaded workspace: campaign, rules, data, and every problem found while loading.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    /// The workspace folder.
    pub root: PathBuf,
    pub campaign: Campaign,
    /// Embedded defaults merged with the workspace's `rules.yaml`.
    pub rules: RulesFile,
    pub data: Dataset,
    /// Every input file read, in processing (sorted) order.
    pub inputs: Vec<InputFile>,
    /// Every problem found, sorted by file, sheet, row.
    pub diagnostics: Vec<Diagnostic>,
    /// The validated seal image, when campaign.yaml names one and it passed the checks.
    pub seal: Option<SealImage>,
}

impl Workspace {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// The workspace's own `templates/` folder (overrides for built-in templates).
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }
}

/// One input file as read.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Path relative to the workspace root, `/` separators.
    pub path: String,
    /// SHA-256 of the bytes read, lower-case hex.
    pub sha256: String,
    /// Data rows taken from it (all sheets).
    pub rows: usize,
}

/// Marker file fangpin writes into every output folder it writes into. Discovery skips a folder
/// holding it, so an output folder inside the workspace is never read back as data.
pub const OUTPUT_MARKER: &str = ".fangpin-output";

/// What the marker says to a clerk who opens it.
pub const OUTPUT_MARKER_TEXT: &str = "fangpin 输出文件夹，请勿放入村级数据\n";

/// The seal image (`发文.印章`), validated at ingest: a regular file inside the workspace,
/// bounded in bytes and pixels. Rendering uses these bytes and never reads the path again.
#[derive(Debug, Clone, Serialize)]
pub struct SealImage {
    /// Path relative to the workspace root, `/` separators.
    pub path: String,
    /// `png` or `jpg`: tells Typst the format.
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}
