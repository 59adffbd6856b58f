//! The 入户排查表 as PDF: distinct rows measured once, shared bodies laid out once.

use crate::documents::survey::{CheckBox, PageRoom, SurveyCategory, SurveyPage, SurveyView};
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderMode, RenderedPdf, export_pdf};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

const TEMPLATE: &str = "survey.typ";

/// What the template's measure mode reads: the distinct rows and the notes. Its reply (heights
/// in pt) comes back as `#metadata(..) <fangpin-measure>`.
#[derive(Serialize)]
struct MeasureInput<'a> {
    measure: &'a [SurveyCategory],
    notes: &'a [String],
    /// What the household lines print besides the household.
    title: &'a str,
    internal_mark: &'a str,
    township: &'a str,
    village: &'a str,
    as_of: &'a str,
    /// A household whose lines each fit on one line, every box ticked (see [`head_sample`]).
    head: Option<SurveyPage>,
}

#[derive(serde::Deserialize)]
struct Measured {
    rows: Vec<f64>,
    notes: f64,
    header: f64,
    /// Absent from templates written before forms had pre-laid-out bodies.
    #[serde(default)]
    head: Option<f64>,
    #[serde(default)]
    text_height: Option<f64>,
    #[serde(default)]
    width: Option<f64>,
}

/// Most bodies laid out apart per village (see [`shared_bodies`]).
const MAX_BODIES: usize = 48;

/// Room the household lines and a placed body must leave: the 2 pt between them and rounding.
const BODY_SLACK_PT: f64 = 4.0;

/// What the template's bodies mode reads: each body to lay out apart, as its rows.
#[derive(Serialize)]
struct BodiesInput<'a> {
    bodies: Vec<&'a [usize]>,
    rows: &'a [SurveyCategory],
    notes: &'a [String],
    header_height: Option<f64>,
    notes_height: Option<f64>,
}

/// Lays out the village's forms: the rows measured first (see [`measured`]), then each body that
/// several forms share once (see [`with_bodies`]).
///
/// In [`RenderMode::Full`] (the engine's mode) no body is placed: every form is laid out in full
/// (the measured row heights are kept: they are what the template would measure itself).
pub fn render(engine: &PdfEngine, view: SurveyView, date: NaiveDate) -> Result<RenderedPdf, RenderError> {
    render_mode(engine, view, date, engine.mode())
}

/// [`render`] laid out in `mode`.
pub fn render_mode(
    engine: &PdfEngine,
    view: SurveyView,
    date: NaiveDate,
    mode: RenderMode,
) -> Result<RenderedPdf, RenderError> {
    let view = measured(engine, view);
    if mode == RenderMode::Full {
        return engine.render(TEMPLATE, &view, date);
    }
    match with_bodies(engine, view, date)? {
        (view, Some(bodies)) => engine.render_with(TEMPLATE, &view, date, &[("bodies", bodies)]),
        (view, None) => engine.render(TEMPLATE, &view, date),
    }
}

/// Lays out each form body (table, signature line, 填表说明) that several forms of a measured view
/// share once, as one page of a small PDF, and points each of those forms whose body fits below
/// its household lines at its page (`body`); the template places that page as a vector image.
/// Most forms of a village share a dozen bodies (those of households with nothing pre-filled
/// above all), so the village's PDF carries each once instead of 1,500 glyphs on every page,
/// and is laid out and written several times faster. Other forms are laid out in full, among
/// them any whose body would not fit (an image does not break across pages): their rows
/// continue on the next page.
///
/// Gives the view unchanged and no PDF when the view is not measured or the template has no
/// bodies mode (a workspace override written for an older version).
pub fn with_bodies(
    engine: &PdfEngine,
    mut view: SurveyView,
    date: NaiveDate,
) -> Result<(SurveyView, Option<Vec<u8>>), RenderError> {
    let (Some(rows), Some(room)) = (view.rows.as_deref(), view.page) else {
        return Ok((view, None));
    };
    // Forms whose household lines surely fit one line each may have their body placed.
    let candidate: Vec<Option<&[usize]>> = view
        .households
        .iter()
        .map(|h| h.row_ids.as_deref().filter(|_| head_fits(&view, h, room.width)))
        .collect();
    let bodies = shared_bodies(&candidate);
    if bodies.is_empty() {
        return Ok((view, None));
    }
    let index: HashMap<&[usize], usize> = bodies.iter().enumerate().map(|(i, ids)| (*ids, i)).collect();
    let of_form: Vec<Option<usize>> = candidate
        .iter()
        .map(|ids| ids.and_then(|ids| index.get(ids).copied()))
        .collect();
    let input = BodiesInput {
        bodies,
        rows,
        notes: &view.notes,
        header_height: view.header_height,
        notes_height: view.notes_height,
    };
    // An older template renders its forms (or fails) here instead: one page per body or nothing.
    let Ok(doc) = engine.document(TEMPLATE, &input, Some(date)) else {
        return Ok((view, None));
    };
    if doc.pages().len() != input.bodies.len() {
        return Ok((view, None));
    }
    let heights: Vec<f64> = doc.pages().iter().map(|p| p.frame.height().to_pt()).collect();
    let pdf = export_pdf(&doc, TEMPLATE, date)?;
    let room_for_body = room.text_height - room.head - BODY_SLACK_PT;
    for (h, body) in view.households.iter_mut().zip(of_form) {
        h.body = body.filter(|&b| heights.get(b).is_some_and(|&height| height <= room_for_body));
    }
    Ok((view, Some(pdf)))
}

/// The bodies worth laying out apart: those of two forms or more, the most used first (ties in
/// order of first use), at most [`MAX_BODIES`]. A body on one form gains nothing from being laid
/// out apart, and every placement of a page costs a pass over the whole bodies PDF when the
/// village's PDF is written, so that PDF is kept to a few dozen pages.
fn shared_bodies<'a>(forms: &[Option<&'a [usize]>]) -> Vec<&'a [usize]> {
    let mut uses: HashMap<&[usize], usize> = HashMap::new();
    let mut order: Vec<&[usize]> = Vec::new();
    for &ids in forms.iter().flatten() {
        let n = uses.entry(ids).or_insert(0);
        if *n == 0 {
            order.push(ids);
        }
        *n += 1;
    }
    let count = |ids: &[usize]| uses.get(ids).copied().unwrap_or(0);
    let mut bodies: Vec<&[usize]> = order.into_iter().filter(|ids| count(ids) >= 2).collect();
    bodies.sort_by_key(|ids| std::cmp::Reverse(count(ids)));
    bodies.truncate(MAX_BODIES);
    bodies
}

/// The household lines to measure for the room they take: `h`'s with its own strings emptied and
/// every box ticked, so each line is one line high and as tall as any such line gets.
fn head_sample(h: &SurveyPage) -> SurveyPage {
    SurveyPage {
        household_id: String::new(),
        group: String::new(),
        head_name: String::new(),
        id_number: String::new(),
        phone: String::new(),
        kind_boxes: h
            .kind_boxes
            .iter()
            .map(|b| CheckBox {
                label: b.label.clone(),
                checked: true,
                detail: String::new(),
            })
            .collect(),
        monitor_category: String::new(),
        categories: Vec::new(),
        row_ids: None,
        body: None,
        prefilled: false,
    }
}

/// Whether each of `h`'s household lines surely fits on one line of `width` pt, counting every
/// digit 0.6 em, any other ASCII character 1.1 em (Latin W is 1.05 em) and anything else a full
/// em (CJK), as the bundled faces have them, and keeping 20 pt spare.
fn head_fits(view: &SurveyView, h: &SurveyPage, width: f64) -> bool {
    let em = |c: char| {
        if c.is_ascii_digit() {
            0.6
        } else if c.is_ascii() {
            1.1
        } else {
            1.0
        }
    };
    let ems = |parts: &[&str]| parts.iter().flat_map(|p| p.chars()).map(em).sum::<f64>();
    let fits = |pt: f64| pt + 20.0 <= width;
    // Each box: label, □ (0.9 em), （detail）, and the 、 before it.
    let boxes: f64 = h
        .kind_boxes
        .iter()
        .map(|b| ems(&[&b.label, &b.detail]) + if b.detail.is_empty() { 2.0 } else { 4.0 })
        .sum::<f64>()
        + if h.monitor_category.is_empty() {
            0.0
        } else {
            ems(&["　监测对象类型：", &h.monitor_category])
        };
    // 户编号 line (8.5 pt) with the 10 pt mark in its box (insets and stroke 10 pt in all).
    fits(
        ems(&["户编号：", &h.household_id, "　数据截至：", &view.as_of]) * 8.5
            + ems(&[&view.internal_mark]) * 10.0
            + 10.0,
    ) && fits((ems(&[&view.township, "　", &view.village, "　", &h.group, "户类型："]) + 1.0 + boxes) * 10.0)
        && fits(
            (ems(&[
                "户主姓名：",
                &h.head_name,
                "证件号码：",
                &h.id_number,
                "联系电话：",
                &h.phone,
            ]) + 4.0)
                * 10.0,
        )
        && fits(ems(&[&h.head_name, "户（", &h.household_id, "）"]) * 8.0)
}

/// The view with the heights of its distinct rows, header row and notes filled in. Each
/// distinct row is measured once, in one small compile of the template's measure mode; with the
/// heights given, the template builds every distinct row once at a fixed size and the forms
/// refer to them by index (`rows`, `row_ids`), so Typst lays out a row shared by many forms once.
///
/// A template without a measure mode (a workspace override written for an older version) or
/// one whose measure mode fails gets the view unchanged: it lays out slower, and a real template
/// error is reported by the render itself.
pub fn measured(engine: &PdfEngine, mut view: SurveyView) -> SurveyView {
    let mut distinct: HashMap<(&str, Vec<bool>, &[String]), usize> = HashMap::new();
    let mut rows: Vec<SurveyCategory> = Vec::new();
    let index: Vec<Vec<usize>> = view
        .households
        .iter()
        .map(|h| {
            h.categories
                .iter()
                .map(|c| {
                    let key = (
                        c.seq.as_str(),
                        c.items.iter().map(|i| i.checked).collect(),
                        c.problems.as_slice(),
                    );
                    *distinct.entry(key).or_insert_with(|| {
                        rows.push(c.clone());
                        rows.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    let input = MeasureInput {
        measure: &rows,
        notes: &view.notes,
        title: &view.title,
        internal_mark: &view.internal_mark,
        township: &view.township,
        village: &view.village,
        as_of: &view.as_of,
        head: view.households.first().map(head_sample),
    };
    let measured = engine
        .metadata(TEMPLATE, &input, "fangpin-measure")
        .ok()
        .and_then(|v| serde_json::from_value::<Measured>(v).ok());
    let Some(measured) = measured.filter(|m| m.rows.len() == rows.len()) else {
        return view;
    };
    for (c, height) in rows.iter_mut().zip(measured.rows) {
        c.height = Some(height);
    }
    view.notes_height = Some(measured.notes);
    view.header_height = Some(measured.header);
    if let (Some(head), Some(text_height), Some(width)) = (measured.head, measured.text_height, measured.width) {
        view.page = Some(PageRoom {
            head,
            text_height,
            width,
        });
    }
    view.rows = Some(rows);
    for (h, idx) in view.households.iter_mut().zip(index) {
        h.categories.clear();
        h.row_ids = Some(idx);
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::commitment::fixture::*;
    use crate::documents::survey::view;

    const ID: &str = "150724198001010015";

    #[test]
    fn only_shared_bodies_are_laid_out_apart_most_used_first() {
        let (a, b, c): (&[usize], &[usize], &[usize]) = (&[0, 1], &[0, 2], &[3, 1]);
        let forms = [Some(a), Some(b), None, Some(b), Some(c), Some(a), Some(b), None];
        assert_eq!(shared_bodies(&forms), [b, a], "c is on one form only");
        assert!(shared_bodies(&[Some(a), None, Some(b)]).is_empty());
        // At most MAX_BODIES, the most used kept.
        let many: Vec<Vec<usize>> = (0..MAX_BODIES + 10).map(|i| vec![i]).collect();
        let mut forms: Vec<Option<&[usize]>> = Vec::new();
        for (i, ids) in many.iter().enumerate() {
            let n = if i == MAX_BODIES + 5 { 9 } else { 2 };
            forms.extend(std::iter::repeat_n(Some(ids.as_slice()), n));
        }
        let kept = shared_bodies(&forms);
        assert_eq!(kept.len(), MAX_BODIES);
        assert_eq!(kept[0], many[MAX_BODIES + 5].as_slice());
        assert_eq!(kept[1], many[0].as_slice());
    }

    #[test]
    fn household_lines_that_might_wrap_keep_their_body_as_text() {
        let ws = workspace(vec![household("H1", "东山村", "张三", ID)]);
        let v = view(&ws, &evaluation(&ws), "东山村").unwrap();
        let width = 527.0;
        let h = &v.households[0];
        assert!(head_fits(&v, h, width));
        // 18 digits of ID and 11 of phone fit at 0.6 em; counted at 1 em they would not.
        let mut long_name = h.clone();
        long_name.head_name = "阿".repeat(16);
        assert!(!head_fits(&v, &long_name, width));
        let mut long_group = h.clone();
        long_group.group = "第".repeat(20);
        assert!(!head_fits(&v, &long_group, width));
        let mut detail = h.clone();
        detail.kind_boxes[1].detail = "突发严重困难户".into();
        assert!(head_fits(&v, &detail, width));
        detail.kind_boxes[1].detail = "突".repeat(30);
        assert!(!head_fits(&v, &detail, width));
        // The sample household is laid out empty with every box ticked.
        let sample = head_sample(h);
        assert!(sample.kind_boxes.iter().all(|b| b.checked && b.detail.is_empty()));
        assert!(sample.head_name.is_empty() && sample.id_number.is_empty());
    }
}
