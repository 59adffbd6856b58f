use crate::os_error::io_reason;
use std::path::PathBuf;

/// Why a document could not be rendered. Messages are Chinese; a template error names the
/// template file and line so an office that edited a template can find its mistake.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A Typst template failed to compile.
    #[error(
        "模板 {file} 第{line}行出错（{message}）。请修改该模板；若是工作区 templates/ 中的文件，也可删去它改用内置模板"
    )]
    Template {
        /// Template file name relative to `templates/`, e.g. `notice.typ`.
        file: String,
        /// 1-based line (0 when the error has no position).
        line: usize,
        /// Typst's message, with hints.
        message: String,
    },
    /// Typst reported an error that is not inside any template file.
    #[error("排版出错（{0}）。若工作区 templates/ 中有自定义模板，请检查或删去后重试")]
    Typst(String),
    /// No built-in or workspace template has this name.
    #[error("找不到模板 {0}（内置模板中没有，工作区 templates/ 文件夹中也没有）。可用的模板见 fangpin templates list")]
    MissingTemplate(String),
    /// A tera wording template failed to parse or render.
    #[error("文字模板 {file} 出错（{message}）。请修改该模板；若是工作区 templates/ 中的文件，也可删去它改用内置文字")]
    Text { file: String, message: String },
    /// The view could not be serialised to JSON.
    #[error("文书数据无法整理成模板所需的格式（{0}）。这是程序内部错误，请把这条消息发给维护人员")]
    Data(String),
    /// PDF export failed.
    #[error("生成 PDF 失败（{0}）。常见原因是模板中用了无法嵌入的字体或图片；请检查工作区模板和印章图片")]
    Pdf(String),
    /// A file (workspace template, seal image, font) could not be read or written.
    #[error("无法{action}文件 {path}：{reason}。请检查文件是否存在、是否有权限", path = .path.display(), reason = io_reason(.source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// rust_xlsxwriter could not build a workbook.
    #[error("生成表格《{document}》失败（{source}）。请检查磁盘空间和输出文件夹的写入权限")]
    Xlsx {
        document: &'static str,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// A date a document prints (公示期) could not be computed.
    #[error("无法计算{what}：{source}")]
    Calendar {
        what: String,
        #[source]
        source: crate::rules::calendar::CalendarError,
    },
    /// A file that must be UTF-8 text is not.
    #[error("模板文件 {0} 不是 UTF-8 编码的文本，请用 UTF-8 保存")]
    NotUtf8(PathBuf),
}

impl RenderError {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RenderError::Io {
            action: "读取",
            path: path.into(),
            source,
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RenderError::Io {
            action: "写入",
            path: path.into(),
            source,
        }
    }
}
