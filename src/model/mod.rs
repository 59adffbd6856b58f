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
