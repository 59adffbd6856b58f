//! Views to bytes: Typst PDF, rust_xlsxwriter XLSX, tera wording.

mod error;
pub mod fonts;
pub mod limits;
pub mod pdf;
pub mod templates;
pub mod text;
pub mod xlsx;

pub use error::{RenderError, io_reason};
