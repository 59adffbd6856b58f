//! The 承诺授权书 as PDF, the parts printed the same on every page laid out once.

use crate::documents::commitment::CommitmentView;
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderMode, RenderedPdf, export_pdf};
use chrono::NaiveDate;
use serde::Serialize;

/// The form's template.
const TEMPLATE: &str = "commitment.typ";

/// Pages of the template's statics mode: title, commitment text, 代签 box.
const STATIC_PARTS: usize = 3;

/// What the template's statics mode reads: the parts printed the same on every page. The
/// fields only the household lines print (township, village, addressee) are left empty, so the
/// parts are the same in every village of a campaign and laid out once per run.
#[derive(Serialize)]
struct StaticsInput<'a> {
    statics: bool,
    title: &'a str,
    internal_mark: &'a str,
    township: &'a str,
    village: &'a str,
    addressee: &'a str,
    body: &'a str,
    proxy_note: &'a str,
}

/// Renders the village's forms, with the parts printed the same on every page laid out once
/// (see [`statics`]), or every page in full when the engine's mode is [`RenderMode::Full`].
pub fn render(engine: &PdfEngine, view: &CommitmentView, date: NaiveDate) -> Result<RenderedPdf, RenderError> {
    render_mode(engine, view, date, engine.mode())
}

/// [`render`] laid out in `mode`.
pub fn render_mode(
    engine: &PdfEngine,
    view: &CommitmentView,
    date: NaiveDate,
    mode: RenderMode,
) -> Result<RenderedPdf, RenderError> {
    if mode == RenderMode::Full {
        return engine.render(TEMPLATE, view, date);
    }
    match statics(engine, view, date)? {
        Some(pdf) => engine.render_with(TEMPLATE, view, date, &[("statics", pdf)]),
        None => engine.render(TEMPLATE, view, date),
    }
}

/// The parts of the form printed the same on every page (title, commitment text, 代签 box),
/// laid out as the pages of a small PDF, which the template places as vector images: the
/// village's PDF then holds them once instead of on each of its hundreds of pages, and lays out
/// and writes faster. The parts are laid out once per engine (they are the same in every
/// village). `None` when the template has no statics mode (a workspace override written for
/// an older version); it then lays the parts out on every page itself.
pub fn statics(engine: &PdfEngine, view: &CommitmentView, date: NaiveDate) -> Result<Option<Vec<u8>>, RenderError> {
    let input = StaticsInput {
        statics: true,
        title: &view.title,
        internal_mark: &view.internal_mark,
        township: "",
        village: "",
        addressee: "",
        body: &view.body,
        proxy_note: &view.proxy_note,
    };
    let key = serde_json::to_string(&input).map_err(|e| RenderError::Data(e.to_string()))? + &date.to_string();
    engine.shared_part(TEMPLATE, key, || match engine.document(TEMPLATE, &input, Some(date)) {
        Ok(doc) if doc.pages().len() == STATIC_PARTS => export_pdf(&doc, TEMPLATE, date).map(Some),
        _ => Ok(None),
    })
}
