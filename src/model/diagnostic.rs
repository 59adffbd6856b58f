use super::escape_controls;
use serde::Serialize;
use std::fmt;

/// Where something came from in the input: a file, and inside it a sheet + cell
/// (Excel) or a line + column (YAML).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    /// Path relative to the workspace root, with `/` separators.
    pub file: String,
    pub sheet: Option<String>,
    /// Excel cell reference such as `E12`.
    pub cell: Option<String>,
    /// 1-based line (YAML).
    pub line: Option<usize>,
    /// 1-based column (YAML).
    pub column: Option<usize>,
    /// 1-based row number (Excel), kept separately for sorting.
    pub row: Option<u32>,
}

impl Place {
    pub fn file(file: impl Into<String>) -> Self {
        Place {
            file: file.into(),
            ..Place::default()
        }
    }

    /// A cell in a sheet; `row` and `col` are 0-based as calamine gives them.
    pub fn cell(file: impl Into<String>, sheet: impl Into<String>, row: u32, col: u32) -> Self {
        Place {
            file: file.into(),
            sheet: Some(sheet.into()),
            cell: Some(cell_ref(row, col)),
            row: Some(row + 1),
            ..Place::default()
        }
    }

    /// A whole sheet (no cell).
    pub fn sheet(file: impl Into<String>, sheet: impl Into<String>) -> Self {
        Place {
            file: file.into(),
            sheet: Some(sheet.into()),
            ..Place::default()
        }
    }

    pub fn line(file: impl Into<String>, line: usize, column: usize) -> Self {
        Place {
            file: file.into(),
            line: Some(line),
            column: Some(column),
            ..Place::default()
        }
    }

    /// The same place moved to another column of the same row (Excel only).
    pub fn with_col(&self, col: u32) -> Self {
        let mut p = self.clone();
        if let Some(row) = self.row {
            p.cell = Some(cell_ref(row - 1, col));
        }
        p
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // File and sheet names come from the workspace: never print their control characters raw.
        write!(f, "{}", escape_controls(&self.file))?;
        if let Some(sheet) = &self.sheet {
            write!(f, " › {}", escape_controls(sheet))?;
        }
        if let Some(cell) = &self.cell {
            write!(f, " › {cell}")?;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// Excel column letters for a 0-based column index (0 → A, 26 → AA).
pub fn col_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// `E12` for 0-based (row 11, col 4).
pub fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", col_letters(col), row + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub enum Severity {
    #[serde(rename = "错误")]
    Error,
    #[serde(rename = "警告")]
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// One problem found in the input (a row of the 数据问题清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub place: Place,
    /// The field (canonical header) concerned, empty when the problem is about a whole file/sheet.
    pub field: String,
    /// The offending value as found (may be empty).
    pub value: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to fix it, in Chinese.
    pub fix: String,
}

impl Diagnostic {
    pub fn error(
        place: Place,
        field: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            place,
            field: field.into(),
            value: value.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }

    pub fn warning(
        place: Place,
        field: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(place, field, value, message, fix)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.severity.label(), self.place)?;
        // Values and messages quote input text: a control character (an ANSI escape in a village
        // name) would otherwise reach the clerk's terminal raw.
        if !self.field.is_empty() {
            write!(f, " 「{}」", escape_controls(&self.field))?;
        }
        if !self.value.is_empty() {
            write!(f, " 值“{}”", escape_controls(&self.value))?;
        }
        write!(f, "：{}", escape_controls(&self.message))?;
        if !self.fix.is_empty() {
            write!(f, "。修改建议：{}", escape_controls(&self.fix))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(25), "Z");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(col_letters(701), "ZZ");
        assert_eq!(col_letters(702), "AAA");
        assert_eq!(cell_ref(11, 4), "E12");
    }

    #[test]
    fn place_display() {
        assert_eq!(
            Place::cell("芒洪村.xlsx", "成员", 11, 4).to_string(),
            "芒洪村.xlsx › 成员 › E12"
        );
        assert_eq!(Place::line("a/b.yaml", 14, 3).to_string(), "a/b.yaml:14:3");
    }

    #[test]
    fn display_never_prints_control_characters() {
        let d = Diagnostic::error(
            Place::cell("a\u{7}.xlsx", "户\u{1b}", 1, 2),
            "行政村",
            "新\u{1b}[2J村",
            "村名“新\u{1b}[2J村”不可用",
            "改名",
        );
        let s = d.to_string();
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert!(s.contains("值“新\\u{1B}[2J村”"), "{s}");
        assert!(s.contains("户\\u{1B}"), "{s}");
    }
}
