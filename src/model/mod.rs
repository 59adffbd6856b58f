//! Plain data: what the workspace says, after ingest and validation.
//!
//! Every record keeps the `Place` it came from so later stages (rules, documents,
//! the 数据问题清单) can point a clerk back at the source cell.

mod campaign;
mod diagnostic;
mod evidence;
mod money;
mod names;
pub mod privacy;
mod records;
mod rules_file;
mod vocab;

pub use campaign::*;
pub use diagnostic::*;
pub use evidence::*;
pub use money::*;
pub use names::*;
pub use records::*;
pub use rules_file::*;
pub use vocab::*;

mod workspace;
pub use workspace::*;

/// `2024年5月11日`: Arabic numerals, no leading zeros, no spaces (GB/T 9704 成文日期). The one
/// formatter of Chinese dates, for rules' messages and every document.
pub fn date_zh(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Chinese numeral for a small ordinal: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一.
pub fn zh_num(n: u64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }
        ),
        _ => n.to_string(),
    }
}
