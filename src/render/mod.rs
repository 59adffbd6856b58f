//! Views to bytes: Typst PDF, rust_xlsxwriter XLSX, tera wording.

pub mod docs;
mod error;
pub mod fonts;
pub mod limits;
pub mod pdf;
pub mod templates;
pub mod text;
pub mod xlsx;

pub use crate::os_error::io_reason;
pub use error::RenderError;
