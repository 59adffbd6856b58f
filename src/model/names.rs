//! The one rule that turns a village, township or campaign name into a folder or file name.
//!
//! Names are checked at ingest, so a name that cannot be a folder on the clerk's Windows machine
//! (or on the Linux server) is an input error before anything is rendered, instead of being
//! silently rewritten or failing after the whole build. The rule never rewrites a name: it either
//! accepts it as the folder name or says why not.

use std::fmt;

/// Longest name in characters. Why 60: the deepest output path is
/// `<out>/<名称>/<乡镇>/<村>/拟纳入监测对象名单公示.pdf`; three 60-character names plus the file
/// name stay under 200 UTF-16 units, leaving room for the output folder inside Windows' 260-unit
/// path limit. Real names are far shorter (campaign names run to about 25 characters).
pub const MAX_NAME_CHARS: usize = 60;

/// Longest name in UTF-8 bytes: Linux allows 255 bytes per path component, and the longest
/// component built from a name is `.<名称>.partial-XXXXXX` or `<名称>-数据问题清单.xlsx`
/// (name + 24 bytes). 180 bytes is 60 Chinese characters.
pub const MAX_NAME_BYTES: usize = 180;

/// Why a name cannot be a folder name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    /// `/` or `\`.
    Separator(char),
    /// One of `: * ? " < > |` (not allowed on Windows).
    Forbidden(char),
    /// A control character (or a bidirectional-override mark that reorders what a terminal shows).
    Control(char),
    /// A leading `.` hides the folder on Linux and macOS.
    LeadingDot,
    /// Windows drops trailing dots and spaces, so `新村.` and `新村` would be one folder.
    Trailing(char),
    /// A Windows device name (`CON`, `aux`, `COM1`, `nul.txt`, …).
    Reserved(String),
    /// Characters, bytes.
    TooLong(usize, usize),
}

impl NameError {
    /// How to fix it, in Chinese.
    pub fn fix(&self) -> &'static str {
        match self {
            NameError::Empty => "填写名称",
            NameError::Separator(_) | NameError::Forbidden(_) => "去掉这些字符（/ \\ : * ? \" < > |），如需分隔可用“-”",
            NameError::Control(_) => {
                "删除名称中的不可见字符：在 Excel/WPS 中重新输入该名称（不要从网页或聊天软件粘贴）"
            }
            NameError::LeadingDot => "去掉名称开头的“.”",
            NameError::Trailing(_) => "去掉名称末尾的点或空格",
            NameError::Reserved(_) => "换一个名称，或在名称后加上“村”“乡”等字样",
            NameError::TooLong(..) => "使用简称（不超过 60 个字）",
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "名称为空，不能用作文件夹名"),
            NameError::Separator(c) => write!(f, "名称含有路径分隔符“{c}”，不能用作文件夹名"),
            NameError::Forbidden(c) => write!(f, "名称含有 Windows 文件夹名不允许的字符“{c}”"),
            NameError::Control(c) => write!(f, "名称含有不可见的控制字符 U+{:04X}", u32::from(*c)),
            NameError::LeadingDot => write!(f, "名称以“.”开头，这样的文件夹在 Linux/macOS 上是隐藏的"),
            NameError::Trailing(c) => write!(
                f,
                "名称末尾有{}，Windows 会去掉它，可能与另一个名称写入同一个文件夹",
                if *c == '.' { "点“.”" } else { "空格" }
            ),
            NameError::Reserved(n) => write!(f, "“{n}”是 Windows 的保留设备名，不能用作文件夹或文件名"),
            NameError::TooLong(chars, _) => {
                write!(f, "名称过长（{chars} 个字），用作文件夹名最多 {MAX_NAME_CHARS} 个字")
            }
        }
    }
}

/// Control characters and the invisible marks that reorder or hide text in a terminal.
pub fn is_control_like(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Device names Windows reserves in every folder, with or without an extension.
fn reserved(name: &str) -> Option<String> {
    // Windows looks at the part before the first dot, ignoring trailing spaces.
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    let hit = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.chars().count() == 4
            && upper
                .chars()
                .nth(3)
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³')));
    hit.then(|| stem.to_string())
}

/// The folder (or file-name stem) for a unit name, or why the name cannot be one.
pub fn folder_name(name: &str) -> Result<&str, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(c) = name.chars().find(|c| is_control_like(*c)) {
        return Err(NameError::Control(c));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '\\')) {
        return Err(NameError::Separator(c));
    }
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    {
        return Err(NameError::Forbidden(c));
    }
    if name.starts_with('.') {
        return Err(NameError::LeadingDot);
    }
    if let Some(c) = name.chars().last().filter(|c| *c == '.' || c.is_whitespace()) {
        return Err(NameError::Trailing(c));
    }
    if let Some(r) = reserved(name) {
        return Err(NameError::Reserved(r));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS || name.len() > MAX_NAME_BYTES {
        return Err(NameError::TooLong(chars, name.len()));
    }
    Ok(name)
}

/// Two names with the same key end up in the same folder on some system: Windows ignores case
/// (for the letters in names such as `A村`/`a村`) and drops trailing dots and spaces.
pub fn collision_key(name: &str) -> String {
    name.trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .to_lowercase()
}

/// `name` with control-like characters shown as `\u{1B}`, for messages and terminals.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_control_like) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control_like(c) {
            out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_pass_unchanged() {
        for n in [
            "芒洪村",
            "2024年第二季度防止返贫监测帮扶集中排查",
            "巴彦塔拉达斡尔民族乡",
            "A村",
            "console村",
            "COM10",
        ] {
            assert_eq!(folder_name(n), Ok(n));
        }
    }

    #[test]
    fn each_reason() {
        assert_eq!(folder_name(""), Err(NameError::Empty));
        assert_eq!(folder_name("a/b"), Err(NameError::Separator('/')));
        assert_eq!(folder_name("a\\b"), Err(NameError::Separator('\\')));
        assert_eq!(folder_name("新:村"), Err(NameError::Forbidden(':')));
        assert_eq!(folder_name("新\u{1b}[31m村"), Err(NameError::Control('\u{1b}')));
        assert_eq!(folder_name("新\u{202E}村"), Err(NameError::Control('\u{202E}')));
        assert_eq!(folder_name(".."), Err(NameError::LeadingDot));
        assert_eq!(folder_name(".新村"), Err(NameError::LeadingDot));
        assert_eq!(folder_name("新村."), Err(NameError::Trailing('.')));
        assert_eq!(folder_name("新村 "), Err(NameError::Trailing(' ')));
        assert_eq!(folder_name("新村\u{3000}"), Err(NameError::Trailing('\u{3000}')));
        let long = "村".repeat(61);
        assert_eq!(folder_name(&long), Err(NameError::TooLong(61, 183)));
        assert!(folder_name(&"村".repeat(60)).is_ok());
        // Rare characters outside the BMP take 4 bytes each.
        assert!(matches!(
            folder_name(&"𠀀".repeat(50)),
            Err(NameError::TooLong(50, 200))
        ));
    }

    #[test]
    fn reserved_device_names_in_any_case_and_with_extensions() {
        for n in [
            "CON", "con", "Aux", "nul", "PRN", "COM1", "com9", "LPT3", "con.txt", "AUX .村", "COM²", "conin$",
        ] {
            assert!(matches!(folder_name(n), Err(NameError::Reserved(_))), "{n}");
        }
        for n in ["CONS", "AUX村", "COM", "LPT10", "村CON"] {
            assert!(folder_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn collisions_fold_case_and_trailing_dots() {
        assert_eq!(collision_key("新村."), collision_key("新村"));
        assert_eq!(collision_key("新村 . "), collision_key("新村"));
        assert_eq!(collision_key("A村"), collision_key("a村"));
        assert_ne!(collision_key("新村"), collision_key("新村二"));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_controls("新\u{1b}[2J村"), "新\\u{1B}[2J村");
        assert_eq!(escape_controls("a\tb\u{7}"), "a\\u{9}b\\u{7}");
        assert!(matches!(escape_controls("芒洪村"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn messages_are_chinese_and_never_raw() {
        let e = folder_name("新\u{1b}村").unwrap_err();
        assert_eq!(e.to_string(), "名称含有不可见的控制字符 U+001B");
        assert!(!e.fix().is_empty());
    }
}
