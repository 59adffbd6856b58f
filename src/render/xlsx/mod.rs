//! XLSX workbooks (rust_xlsxwriter): the ledgers, summary, screening table, compliance report,
//! roster and data-problem list, plus the blank input templates. Every writer returns the bytes;
//! the caller writes them atomically. Bytes depend only on the view and its date (no clock).

pub mod compliance;
pub mod ledger;
pub mod problem_list;
pub mod roster;
pub mod screening;
pub mod sheet;
pub mod summary;
pub mod template;

use super::RenderError;

/// Wraps a rust_xlsxwriter failure with the document's name.
pub(crate) fn failed(document: &'static str) -> impl FnOnce(rust_xlsxwriter::XlsxError) -> RenderError {
    move |source| RenderError::Xlsx { document, source }
}
