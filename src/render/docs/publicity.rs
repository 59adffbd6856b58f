//! The 公示 as PDF.

use crate::documents::publicity::{PublicityView, TEMPLATE};
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderedPdf};
use chrono::NaiveDate;

/// Renders one village's 公示, dated by its first 公示 start.
pub fn render(engine: &PdfEngine, view: &PublicityView, fallback_date: NaiveDate) -> Result<RenderedPdf, RenderError> {
    engine.render(TEMPLATE, view, view.date().unwrap_or(fallback_date))
}
