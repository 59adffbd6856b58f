//! The 结果公告 as PDF.

use crate::documents::announcement::{AnnouncementView, TEMPLATE};
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderedPdf};

pub fn render(engine: &PdfEngine, view: &AnnouncementView) -> Result<RenderedPdf, RenderError> {
    engine.render(TEMPLATE, view, view.date)
}
