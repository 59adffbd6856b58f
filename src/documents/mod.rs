//! View structs: what each document shows, built from the model and rule results.
pub mod announcement;
pub mod commitment;
pub mod compliance_report;
pub mod kinds;
pub mod ledger;
pub mod notice;
pub mod problem_list;
pub mod publicity;
pub mod roster;
pub mod screening;
pub mod summary;
pub mod survey;

pub use kinds::{DocKind, Format};

/// Fills an office-editable wording template. The views say which template and with which facts;
/// the engine (tera, `render::text::TextEngine`) lives in `render`, so views do not depend on it.
pub trait Wording {
    type Error;
    /// The text of template `name` (e.g. `publicity.tera`) filled with `vars`.
    fn words<C: serde::Serialize>(&self, name: &str, vars: &C) -> Result<String, Self::Error>;
}

/// What an internal document prints on every page (and its XLSX in every printed page's header).
pub const INTERNAL_MARK: &str = "内部资料";

/// The one place that says which documents are public (posted on noticeboards, sent to villages:
/// never a full ID or phone number, no mark) and which are internal (marked 内部资料 on every
/// page). `DocKind::is_public` asks this.
pub const fn is_public(kind: DocKind) -> bool {
    matches!(
        kind,
        DocKind::Notice | DocKind::PublicityIdentification | DocKind::PublicityElimination | DocKind::Announcement
    )
}

/// The mark a document of `kind` prints: [`INTERNAL_MARK`] for internal ones, empty for public.
pub fn internal_mark(kind: DocKind) -> String {
    if is_public(kind) {
        String::new()
    } else {
        INTERNAL_MARK.to_string()
    }
}

/// Masks an ID number for public documents: the first 6 and last 4 characters stay,
/// the rest become `*` (`150724198001010263` → `150724********0263`). Short values are
/// masked entirely but their last character, so nothing identifying leaks.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let n = chars.len();
    if n >= 11 {
        chars[..6]
            .iter()
            .chain(std::iter::repeat_n(&'*', n - 10))
            .chain(&chars[n - 4..])
            .collect()
    } else {
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| if i + 1 == n { *c } else { '*' })
            .collect()
    }
}

/// Masks a phone number: mobile `13812345678` → `138****5678`; for other numbers (landlines
/// with area codes) the last 4 digits are hidden.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if digits == 11 && chars.len() == 11 {
        return chars[..3]
            .iter()
            .chain(std::iter::repeat_n(&'*', 4))
            .chain(&chars[7..])
            .collect();
    }
    let mut hidden = 0;
    let mut out: Vec<char> = chars.clone();
    for c in out.iter_mut().rev() {
        if hidden == 4 {
            break;
        }
        if c.is_ascii_digit() {
            *c = '*';
            hidden += 1;
        }
    }
    out.into_iter().collect()
}

/// A free-text value as a public document (公示, 公告, 通知) prints it: mobile and ID numbers
/// typed into it are masked like the ID column (see `model::privacy`).
pub(crate) fn public(text: &str) -> String {
    crate::model::privacy::mask_contacts(text).into_owned()
}

pub use crate::model::date_zh;

#[cfg(test)]
mod mask_tests {
    use super::*;

    #[test]
    fn masks_ids_and_phones() {
        assert_eq!(mask_id("150724198001010263"), "150724********0263");
        assert_eq!(mask_id("53092619900101001X"), "530926********001X");
        assert_eq!(mask_id("1234"), "***4");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0470-1234567"), "0470-123****");
        assert_eq!(
            date_zh(chrono::NaiveDate::from_ymd_opt(2024, 5, 8).expect("date")),
            "2024年5月8日"
        );
    }

    #[test]
    fn free_text_masking_agrees_with_the_column_masks() {
        for id in ["150724198001010263", "53092619900101001X"] {
            assert_eq!(public(id), mask_id(id));
        }
        assert_eq!(public("13812345678"), mask_phone("13812345678"));
    }
}
