//! The 时限合规报告 as PDF, laid out in parts when long.

use crate::documents::compliance_report::{ComplianceLine, ComplianceView, HeldLine, StatusCount};
use crate::documents::ledger::FormHead;
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderMode, RenderedPdf};
use chrono::NaiveDate;
use serde::Serialize;

/// Case lines per part when the printable report is laid out in parts: about 100 pages each.
/// Typst's memory grows with the pages of one compile (a county's 15,000 lines as one document
/// took 2.5 GB); each part adds one page break, the only visible difference.
pub const LINES_PER_PART: usize = 2_000;

/// One part of the report for `compliance.typ` (the view's keys, a slice of the case lines,
/// and which part it is).
#[derive(Serialize)]
struct Part<'a> {
    title: &'a str,
    internal_mark: &'a str,
    head: &'a FormHead,
    as_of_text: &'a str,
    cases: &'a [ComplianceLine],
    milestones: &'a [ComplianceLine],
    tally: &'a [StatusCount],
    held: &'a [HeldLine],
    part: PartPlace,
}

#[derive(Serialize)]
struct PartPlace {
    first: bool,
    last: bool,
}

/// The whole report in one compile with the parts' page breaks ([`RenderMode::Full`]).
#[derive(Serialize)]
struct Chunked<'a> {
    #[serde(flatten)]
    view: &'a ComplianceView,
    chunks: Vec<Chunk<'a>>,
}

#[derive(Serialize)]
struct Chunk<'a> {
    cases: &'a [ComplianceLine],
    milestones: &'a [ComplianceLine],
}

#[derive(Serialize)]
struct Footers {
    footer_pages: usize,
}

/// The printable 时限合规报告; a long one is laid out in parts of [`LINES_PER_PART`] lines.
/// In [`RenderMode::Full`] (the engine's mode) the whole report is one compile, with the same
/// page breaks between parts and the template's own page numbers.
pub fn render(engine: &PdfEngine, view: &ComplianceView, date: NaiveDate) -> Result<RenderedPdf, RenderError> {
    render_in_parts_mode(engine, view, LINES_PER_PART, date, engine.mode())
}

/// [`render`] with parts of `lines_per_part` case lines (at least 1).
pub fn render_in_parts(
    engine: &PdfEngine,
    view: &ComplianceView,
    lines_per_part: usize,
    date: NaiveDate,
) -> Result<RenderedPdf, RenderError> {
    render_in_parts_mode(engine, view, lines_per_part, date, engine.mode())
}

/// [`render_in_parts`] laid out in `mode`.
pub fn render_in_parts_mode(
    engine: &PdfEngine,
    view: &ComplianceView,
    lines_per_part: usize,
    date: NaiveDate,
    mode: RenderMode,
) -> Result<RenderedPdf, RenderError> {
    let lines_per_part = lines_per_part.max(1);
    if view.cases.len() <= lines_per_part {
        return engine.render("compliance.typ", view, date);
    }
    let chunks: Vec<&[ComplianceLine]> = view.cases.chunks(lines_per_part).collect();
    let n = chunks.len();
    if mode == RenderMode::Full {
        let chunks = chunks
            .iter()
            .enumerate()
            .map(|(i, cases)| Chunk {
                cases,
                milestones: if i + 1 == n { &view.milestones } else { &[] },
            })
            .collect();
        return engine.render("compliance.typ", &Chunked { view, chunks }, date);
    }
    let parts = chunks.into_iter().enumerate().map(|(i, cases)| Part {
        title: &view.title,
        internal_mark: &view.internal_mark,
        head: &view.head,
        as_of_text: &view.as_of_text,
        cases,
        milestones: if i + 1 == n { &view.milestones } else { &[] },
        tally: &view.tally,
        held: if i == 0 { &view.held } else { &[] },
        part: PartPlace {
            first: i == 0,
            last: i + 1 == n,
        },
    });
    engine.render_parts("compliance.typ", parts, |pages| Footers { footer_pages: pages }, date)
}
