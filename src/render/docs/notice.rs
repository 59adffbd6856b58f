//! The 通知 (GB/T 9704) as PDF: the seal registered with the engine, then the view laid out.

use crate::documents::notice::{SEAL_ASSET, TEMPLATE, view};
use crate::model::Workspace;
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderedPdf};
use crate::render::text::TextEngine;
use chrono::NaiveDate;

/// Reads the seal image (if any), registers it with the engine, builds the view and renders
/// the 通知. `date` is the run's as-of date (used when campaign.yaml has no 成文日期).
pub fn render(
    engine: &PdfEngine,
    text: &TextEngine,
    ws: &Workspace,
    date: NaiveDate,
) -> Result<RenderedPdf, RenderError> {
    // The seal was validated and read at ingest (confined to the workspace, bounded in
    // bytes and pixels); the path is never read again here.
    let seal_asset = match &ws.seal {
        Some(seal) => {
            let name = format!("{SEAL_ASSET}.{}", seal.format);
            engine.add_asset(&name, seal.bytes.clone())?;
            Some(name)
        }
        None => None,
    };
    let v = view(ws, text, date, seal_asset)?;
    engine.render(TEMPLATE, &v, v.date)
}
