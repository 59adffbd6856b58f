//! The Typst PDF engine: one per run, holding the fonts and the parsed templates, shared
//! by every render (it is `Send + Sync`; rayon threads render through `&PdfEngine`).
//!
//! A view is serialised to JSON and handed to the template as `sys.inputs.data` (a string);
//! templates read it with `#let data = json(bytes(sys.inputs.data))`. User data therefore
//! never becomes Typst source: a name like `#set page(..)` prints as written.

use super::RenderError;
use super::fonts::{FontSet, ResolvedFace};
use super::limits;
use super::templates::{Origin, TemplateSet};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst::layout::{Frame, FrameItem, Point};
use typst::syntax::{DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst_as_lib::file_resolver::FileResolver;
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// A rendered PDF.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// How to build an engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Also use installed faces the templates name (the official faces on office machines).
    /// Off gives output that depends only on the bundled fonts (tests, reproducible builds).
    pub system_fonts: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { system_fonts: true }
    }
}

/// How documents are laid out. The pre-laid-out parts some documents use (the 入户排查表 bodies,
/// the 承诺授权书 statics, the 时限合规报告 parts and page-number overlay) are a performance device
/// and must print the same pixels as a full layout; [`RenderMode::Full`] is that full layout,
/// for PDF/A archive copies and for the test that compares the two (tests/pixels.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderMode {
    /// Parts shared by many pages are laid out once and placed (the default).
    #[default]
    Fast,
    /// Every page laid out in full in one compile: no embedded PDF parts, no overlays.
    Full,
}

/// The PDF standard a file conforms to: plain PDF (the default) or PDF/A-2b for the 上报 and
/// 归档 copies (`--pdf-standard a-2b`, the typst CLI's spelling). PDF/A copies are laid out in
/// full ([`RenderMode::Full`]): no embedded PDF parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfStandard {
    #[default]
    Plain,
    /// PDF/A-2b (ISO 19005-2, level B): fonts embedded, XMP metadata, sRGB output intent.
    A2b,
}

impl PdfStandard {
    /// `a-2b` (as the typst CLI and `campaign.yaml` spell it); `None` for an unknown name.
    pub fn parse(s: &str) -> Option<PdfStandard> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a-2b" | "pdf/a-2b" | "a2b" => Some(PdfStandard::A2b),
            "" | "none" | "1.7" => Some(PdfStandard::Plain),
            _ => None,
        }
    }

    /// The name the manifest records: `a-2b`, or `None` for plain PDF.
    pub fn key(self) -> Option<&'static str> {
        match self {
            PdfStandard::Plain => None,
            PdfStandard::A2b => Some("a-2b"),
        }
    }
}

/// A font role (标题, 正文, …) as resolved on this machine.
#[derive(Debug, Clone)]
pub struct RoleFace {
    pub role: String,
    /// The fallback list in `lib.typ`.
    pub families: Vec<String>,
    /// The weight the role asks for (`regular`, `bold`).
    pub weight: String,
    /// The face used, if any listed family is present.
    pub face: Option<ResolvedFace>,
}

/// Sources and binaries the compiler may read, all in memory. Assets (seal images) can be
/// added after the engine is built, each once.
struct Files {
    sources: HashMap<FileId, (String, Source)>,
    binaries: HashMap<FileId, Bytes>,
    assets: RwLock<HashMap<FileId, Bytes>>,
}

#[derive(Clone)]
struct SharedFiles(Arc<Files>);

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

impl FileResolver for SharedFiles {
    fn resolve_binary(&self, id: FileId) -> FileResult<Cow<'_, Bytes>> {
        if let Some(b) = self.0.binaries.get(&id) {
            return Ok(Cow::Borrowed(b));
        }
        if let Some((_, s)) = self.0.sources.get(&id) {
            return Ok(Cow::Owned(Bytes::from_string(s.text().to_string())));
        }
        let assets = self.0.assets.read().unwrap_or_else(|e| e.into_inner());
        assets.get(&id).cloned().map(Cow::Owned).ok_or_else(|| not_found(id))
    }

    fn resolve_source(&self, id: FileId) -> FileResult<Cow<'_, Source>> {
        self.0
            .sources
            .get(&id)
            .map(|(_, s)| Cow::Borrowed(s))
            .ok_or_else(|| not_found(id))
    }
}

/// The file id of a template path such as `notice.typ` (relative to `templates/`).
fn file_id(name: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(format!("/{}", name.trim_start_matches('/'))).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Hidden source used to read `font-roles` out of `lib.typ`.
const ROLE_PROBE: &str = "__fangpin_font_roles.typ";
const ROLE_PROBE_SRC: &str = "#import \"lib.typ\": font-roles\n#set page(width: 2000pt, height: auto)\n#for (role, r) in font-roles [#role=#r.at(\"weight\", default: \"regular\")=#r.families.join(\"|\")\n\n]\n";

/// The Typst PDF engine (see the module docs).
pub struct PdfEngine {
    engine: TypstEngine<TypstTemplateCollection>,
    files: Arc<Files>,
    fonts: Arc<FontSet>,
    /// Parts laid out once and reused by many documents (see [`PdfEngine::shared_part`]).
    parts: Mutex<HashMap<PartKey, Option<Vec<u8>>>>,
    /// The workspace's own `.typ` files. When there are any, every compile runs under the
    /// time and memory limits of [`limits`]; built-in templates alone are never watched.
    workspace_typ: Vec<String>,
    /// How the documents' render functions lay out (see [`RenderMode`]).
    mode: RenderMode,
    /// The standard every PDF of this engine conforms to.
    standard: PdfStandard,
}

/// A shared part: its template and the key its maker gave.
type PartKey = (String, String);

impl PdfEngine {
    /// Builds the engine: built-in templates overridden by `workspace_templates` (a
    /// workspace's `templates/` folder), bundled fonts and the installed faces the templates
    /// name. Reads everything once.
    pub fn new(workspace_templates: Option<&Path>) -> Result<PdfEngine, RenderError> {
        PdfEngine::with_options(workspace_templates, &EngineOptions::default())
    }

    pub fn with_options(workspace_templates: Option<&Path>, options: &EngineOptions) -> Result<PdfEngine, RenderError> {
        let templates = TemplateSet::load(workspace_templates)?;
        let fonts = Arc::new(FontSet::for_templates(&templates, options.system_fonts));
        PdfEngine::from_parts(&templates, fonts)
    }

    /// An engine over a given template set and font set.
    pub fn from_parts(templates: &TemplateSet, fonts: Arc<FontSet>) -> Result<PdfEngine, RenderError> {
        let mut sources = HashMap::new();
        let mut binaries = HashMap::new();
        let workspace_typ = templates
            .iter()
            .filter(|f| f.is_typst() && matches!(f.origin, Origin::Workspace(_)))
            .map(|f| f.name.clone())
            .collect();
        for f in templates.iter() {
            let Some(id) = file_id(&f.name) else { continue };
            if f.is_typst() {
                let text = f.text()?.trim_start_matches('\u{feff}').to_string();
                sources.insert(id, (f.name.clone(), Source::new(id, text)));
            } else {
                binaries.insert(id, Bytes::new(f.bytes.clone()));
            }
        }
        if let Some(id) = file_id(ROLE_PROBE) {
            sources.insert(
                id,
                (ROLE_PROBE.to_string(), Source::new(id, ROLE_PROBE_SRC.to_string())),
            );
        }
        let files = Arc::new(Files {
            sources,
            binaries,
            assets: RwLock::new(HashMap::new()),
        });
        let engine = TypstEngine::builder()
            .fonts(fonts.fonts().iter().cloned())
            .add_file_resolver(SharedFiles(files.clone()))
            // Keep memoised results (parsed/evaluated lib.typ, shaped text) for a few
            // compiles instead of evicting after each one.
            .comemo_evict_max_age(Some(4))
            .build();
        Ok(PdfEngine {
            engine,
            files,
            fonts,
            parts: Mutex::new(HashMap::new()),
            workspace_typ,
            mode: RenderMode::Fast,
            standard: PdfStandard::Plain,
        })
    }

    /// How a watched compile of `template` is named in a limit's message.
    fn watch_name(&self, template: &str) -> String {
        if self.workspace_typ.iter().any(|t| t == template) {
            format!("“templates/{template}”")
        } else {
            let own: Vec<String> = self.workspace_typ.iter().map(|t| format!("“templates/{t}”")).collect();
            format!("{}（用于 {template}）", own.join("、"))
        }
    }

    /// This engine writing every PDF to `standard`; PDF/A also lays every page out in full (the
    /// hook for `build --pdf-standard a-2b`: build the engine with
    /// `.with_standard(PdfStandard::A2b)` and every document's `render` writes PDF/A-2b).
    pub fn with_standard(mut self, standard: PdfStandard) -> PdfEngine {
        self.standard = standard;
        if standard != PdfStandard::Plain {
            self.mode = RenderMode::Full;
        }
        self
    }

    /// The standard this engine's PDFs conform to.
    pub fn standard(&self) -> PdfStandard {
        self.standard
    }

    /// This engine with documents laid out in `mode` (the hook for `--pdf-standard`: an engine
    /// built with `.with_mode(RenderMode::Full)` makes every document's `render` lay out in full).
    pub fn with_mode(mut self, mode: RenderMode) -> PdfEngine {
        self.mode = mode;
        self
    }

    /// How the documents' render functions lay out on this engine.
    pub fn mode(&self) -> RenderMode {
        self.mode
    }

    /// The fonts this engine uses.
    pub fn fonts(&self) -> &Arc<FontSet> {
        &self.fonts
    }

    /// Whether a template of this name exists (built in or in the workspace).
    pub fn has_template(&self, template: &str) -> bool {
        file_id(template).is_some_and(|id| self.files.sources.contains_key(&id))
    }

    /// Makes a file (a seal image) available to templates under `name`, e.g.
    /// `assets/seal.png`; templates read it with `image("/" + name)`. Adding the same name
    /// again replaces it.
    pub fn add_asset(&self, name: &str, bytes: Vec<u8>) -> Result<(), RenderError> {
        let id = file_id(name).ok_or_else(|| RenderError::Typst(format!("资源名称“{name}”无效")))?;
        let mut assets = self.files.assets.write().unwrap_or_else(|e| e.into_inner());
        assets.insert(id, Bytes::new(bytes));
        Ok(())
    }

    /// Lays out `template` with `view` as `sys.inputs.data`.
    pub fn document<V: Serialize>(
        &self,
        template: &str,
        view: &V,
        date: Option<NaiveDate>,
    ) -> Result<PagedDocument, RenderError> {
        self.document_with(template, view, date, &[])
    }

    /// Lays out `template` with `view` as `sys.inputs.data` and each of `binaries` as
    /// `sys.inputs.<name>` (bytes, e.g. a PDF the template places as an image).
    pub fn document_with<V: Serialize>(
        &self,
        template: &str,
        view: &V,
        date: Option<NaiveDate>,
        binaries: &[(&str, Vec<u8>)],
    ) -> Result<PagedDocument, RenderError> {
        let id = file_id(template)
            .filter(|id| self.files.sources.contains_key(id))
            .ok_or_else(|| RenderError::MissingTemplate(template.to_string()))?;
        let json = serde_json::to_string(view).map_err(|e| RenderError::Data(e.to_string()))?;
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.into_value());
        if let Some(d) = date {
            inputs.insert("date".into(), d.format("%Y-%m-%d").to_string().into_value());
        }
        for (name, bytes) in binaries {
            inputs.insert((*name).into(), Bytes::new(bytes.clone()).into_value());
        }
        // A workspace template may loop for ever or exhaust memory: watched (see `limits`).
        let _watch = (!self.workspace_typ.is_empty()).then(|| limits::watch(&self.watch_name(template)));
        let warned = self.engine.compile_with_input::<_, _, PagedDocument>(id, inputs);
        warned.output.map_err(|e| self.convert_error(template, e))
    }

    /// Renders `template` with `view` to PDF bytes. `date` is the document's date and the
    /// PDF creation date (never the clock), so the same input gives the same bytes.
    pub fn render<V: Serialize>(&self, template: &str, view: &V, date: NaiveDate) -> Result<RenderedPdf, RenderError> {
        self.render_with(template, view, date, &[])
    }

    /// [`PdfEngine::render`] with binary inputs (see [`PdfEngine::document_with`]).
    pub fn render_with<V: Serialize>(
        &self,
        template: &str,
        view: &V,
        date: NaiveDate,
        binaries: &[(&str, Vec<u8>)],
    ) -> Result<RenderedPdf, RenderError> {
        let doc = self.document_with(template, view, Some(date), binaries)?;
        let bytes = export_pdf_as(&doc, template, date, self.standard)?;
        Ok(RenderedPdf {
            bytes,
            pages: doc.pages().len(),
        })
    }

    /// A part that many documents share (PDF bytes a template places as an image), made by
    /// `make` the first time `template` asks for it with this `key` and then reused for the life
    /// of the engine: e.g. the parts of the 承诺授权书 that are the same in every village are
    /// laid out once per run. `make` gives `None` when the template cannot make the part; that
    /// is kept too.
    pub fn shared_part(
        &self,
        template: &str,
        key: String,
        make: impl FnOnce() -> Result<Option<Vec<u8>>, RenderError>,
    ) -> Result<Option<Vec<u8>>, RenderError> {
        let key = (template.to_string(), key);
        if let Some(part) = self.parts.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(part.clone());
        }
        // Made outside the lock: two threads may both make it once, with the same bytes.
        let part = make()?;
        self.parts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, part.clone());
        Ok(part)
    }

    /// Renders one document from parts laid out one after another, each in its own compile, so
    /// a very long table never has to be held by Typst at once (memory grows with the pages of
    /// one compile). Each part starts on a new page. `footers` is laid out last with the total
    /// page count and must give one page per page of the document, carrying only what goes on
    /// every page (page numbers); its pages are laid over the parts' pages.
    pub fn render_parts<P: Serialize, F: Serialize>(
        &self,
        template: &str,
        parts: impl IntoIterator<Item = P>,
        footers: impl FnOnce(usize) -> F,
        date: NaiveDate,
    ) -> Result<RenderedPdf, RenderError> {
        let mut pages: typst::ecow::EcoVec<typst_layout::Page> = typst::ecow::EcoVec::new();
        let mut info = None;
        for part in parts {
            let doc = self.document(template, &part, Some(date))?;
            info.get_or_insert_with(|| typst::model::Document::info(&doc).clone());
            pages.extend(doc.pages().iter().cloned());
            // Drop this part's layout caches now rather than after several more compiles:
            // the next part shares nothing with it, and holding them is what the parts avoid.
            typst::comemo::evict(1);
        }
        let overlay = self.document(template, &footers(pages.len()), Some(date))?;
        if overlay.pages().len() != pages.len() {
            return Err(RenderError::Typst(format!(
                "模板 {template} 的页脚页数（{}）与正文页数（{}）不一致",
                overlay.pages().len(),
                pages.len()
            )));
        }
        for (page, over) in pages.make_mut().iter_mut().zip(overlay.pages()) {
            page.frame.push_frame(Point::zero(), over.frame.clone());
        }
        let doc = PagedDocument::new(pages, info.unwrap_or_default());
        let bytes = export_pdf_as(&doc, template, date, self.standard)?;
        Ok(RenderedPdf {
            bytes,
            pages: doc.pages().len(),
        })
    }

    /// The value of the `#metadata(..) <label>` that `template` lays out for `view`, as JSON.
    /// Templates use this to report measurements (e.g. row heights) back to fangpin.
    pub fn metadata<V: Serialize>(
        &self,
        template: &str,
        view: &V,
        label: &str,
    ) -> Result<serde_json::Value, RenderError> {
        use typst::introspection::Introspector as _;
        let doc = self.document(template, view, None)?;
        let missing = || RenderError::Typst(format!("模板 {template} 没有给出 <{label}> 数据"));
        let label = typst::foundations::Label::new(typst::utils::PicoStr::intern(label)).ok_or_else(missing)?;
        let content = doc.introspector().query_label(label).map_err(|_| missing())?;
        let value = content.get_by_name("value").map_err(|_| missing())?;
        serde_json::to_value(&value).map_err(|e| RenderError::Data(e.to_string()))
    }

    /// The laid-out text of the document, pages separated by form feeds (`\u{c}`), lines
    /// by newlines. For tests and checks of what a page says.
    pub fn render_text<V: Serialize>(&self, template: &str, view: &V) -> Result<String, RenderError> {
        Ok(self.render_text_pages(template, view)?.join("\u{c}"))
    }

    /// The laid-out text, one string per page.
    pub fn render_text_pages<V: Serialize>(&self, template: &str, view: &V) -> Result<Vec<String>, RenderError> {
        let doc = self.document(template, view, None)?;
        Ok(document_text(&doc))
    }

    /// The face each font role of `lib.typ` (`font-roles`) resolves to.
    pub fn font_roles(&self) -> Result<Vec<RoleFace>, RenderError> {
        let text = self.render_text(ROLE_PROBE, &())?;
        let mut out = Vec::new();
        for line in text.lines() {
            let mut parts = line.splitn(3, '=');
            let (Some(role), Some(weight), Some(list)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let families: Vec<String> = list
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let face = self.fonts.resolve(&families, weight.trim() == "bold");
            out.push(RoleFace {
                role: role.trim().to_string(),
                families,
                weight: weight.trim().to_string(),
                face,
            });
        }
        Ok(out)
    }

    fn convert_error(&self, template: &str, e: TypstAsLibError) -> RenderError {
        match e {
            TypstAsLibError::TypstSource(diags) => {
                let first = diags
                    .iter()
                    .find(|d| d.severity == Severity::Error)
                    .or_else(|| diags.first());
                match first {
                    Some(d) => self.diagnostic_error(template, d),
                    None => RenderError::Typst("未知错误".into()),
                }
            }
            TypstAsLibError::TypstFile(e) => RenderError::Typst(format!(
                "模板 {template} 要读取的文件不可用：{e}。模板只能读取 templates/ 文件夹中的文件"
            )),
            other => RenderError::Typst(format!("模板 {template}：{other}")),
        }
    }

    fn diagnostic_error(&self, template: &str, d: &SourceDiagnostic) -> RenderError {
        let mut message = d.message.to_string();
        for hint in &d.hints {
            message.push_str("（提示：");
            message.push_str(&hint.v);
            message.push('）');
        }
        let located = match d.span.get() {
            DiagSpanKind::Number { id, num, sub_range } => self.files.sources.get(&id).and_then(|(name, src)| {
                let range = src.range(num, sub_range)?;
                Some((name.clone(), src.lines().byte_to_line(range.start)? + 1))
            }),
            DiagSpanKind::Range { id, range } => self
                .files
                .sources
                .get(&id)
                .and_then(|(name, src)| Some((name.clone(), src.lines().byte_to_line(range.start)? + 1))),
            DiagSpanKind::Detached => None,
        };
        let (file, line) = located.unwrap_or_else(|| (template.to_string(), 0));
        RenderError::Template { file, line, message }
    }
}

/// PDF bytes of a laid-out document, dated `date` (00:00 UTC) and identified by the template
/// name, so the bytes depend only on the content.
pub fn export_pdf(doc: &PagedDocument, template: &str, date: NaiveDate) -> Result<Vec<u8>, RenderError> {
    export_pdf_as(doc, template, date, PdfStandard::Plain)
}

/// [`export_pdf`] conforming to `standard`. For PDF/A-2b Typst checks conformance while writing
/// (every glyph embedded, no transparency groups it cannot express, …) and fails with what is
/// wrong; characters no font covers are best reported before, from the data
/// (`fonts::uncovered_with`), where the message can name the household.
pub fn export_pdf_as(
    doc: &PagedDocument,
    template: &str,
    date: NaiveDate,
    standard: PdfStandard,
) -> Result<Vec<u8>, RenderError> {
    let standards = match standard {
        PdfStandard::Plain => typst_pdf::PdfStandards::default(),
        PdfStandard::A2b => typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
            .map_err(|e| RenderError::Pdf(format!("PDF/A-2b：{}", e.message())))?,
    };
    let datetime = Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)
        .ok_or_else(|| RenderError::Pdf(format!("日期 {date} 无效")))?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("fangpin/{template}")),
        creator: Smart::Custom(Some(format!("fangpin {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(datetime)),
        // Untagged: the structure tree roughly doubles export time and file size for these
        // form-like documents, and poppler (pdftotext) warns about Typst's tag dictionary.
        tagged: false,
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|diags| {
        let msgs: Vec<String> = diags.iter().map(|d| d.message.to_string()).collect();
        RenderError::Pdf(msgs.join("；"))
    })
}

/// One text run placed on a page.
struct Run {
    y: f64,
    x: f64,
    end: f64,
    size: f64,
    text: String,
}

fn collect_runs(frame: &Frame, origin: Point, out: &mut Vec<Run>) {
    for (pos, item) in frame.items() {
        let p = origin + *pos;
        match item {
            FrameItem::Group(g) => {
                // Transforms other than translation (rotation, scaling) are rare in our
                // templates; the translation is enough to order text.
                let t = g.transform;
                let shifted = Point::new(p.x + t.tx, p.y + t.ty);
                collect_runs(&g.frame, shifted, out);
            }
            FrameItem::Text(t) => {
                let width: f64 = t.glyphs.iter().map(|g| g.x_advance.at(t.size).to_pt()).sum();
                out.push(Run {
                    y: p.y.to_pt(),
                    x: p.x.to_pt(),
                    end: p.x.to_pt() + width,
                    size: t.size.to_pt(),
                    text: t.text.to_string(),
                });
            }
            _ => {}
        }
    }
}

/// The text of each page, in reading order: runs grouped into lines by baseline, a space
/// where runs on one line are visibly apart (table cells), none inside CJK text.
pub fn document_text(doc: &PagedDocument) -> Vec<String> {
    doc.pages()
        .iter()
        .map(|page| {
            let mut runs = Vec::new();
            collect_runs(&page.frame, Point::zero(), &mut runs);
            runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
            let mut lines: Vec<Vec<Run>> = Vec::new();
            for run in runs {
                match lines.last_mut() {
                    Some(line) if (line[0].y - run.y).abs() < 0.25 * run.size.max(line[0].size) => line.push(run),
                    _ => lines.push(vec![run]),
                }
            }
            let mut out = String::new();
            for mut line in lines {
                line.sort_by(|a, b| a.x.total_cmp(&b.x));
                let mut prev_end: Option<f64> = None;
                for run in &line {
                    if let Some(end) = prev_end
                        && run.x - end > 0.3 * run.size
                    {
                        out.push(' ');
                    }
                    out.push_str(&run.text);
                    prev_end = Some(run.end);
                }
                out.push('\n');
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> PdfEngine {
        PdfEngine::with_options(None, &EngineOptions { system_fonts: false }).expect("engine")
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PdfEngine>();
    }

    #[test]
    fn shared_parts_are_made_once_per_key() {
        let e = engine();
        let made = std::cell::Cell::new(0);
        let make = |bytes: Option<Vec<u8>>| {
            made.set(made.get() + 1);
            Ok(bytes)
        };
        let a = e.shared_part("x.typ", "a".into(), || make(Some(vec![1]))).unwrap();
        let again = e.shared_part("x.typ", "a".into(), || make(Some(vec![2]))).unwrap();
        assert_eq!((a, again), (Some(vec![1]), Some(vec![1])));
        assert_eq!(made.get(), 1);
        // Another key or template is another part; a part the template cannot make stays absent.
        assert_eq!(e.shared_part("y.typ", "a".into(), || make(None)).unwrap(), None);
        assert_eq!(
            e.shared_part("y.typ", "a".into(), || make(Some(vec![3]))).unwrap(),
            None
        );
        assert_eq!(
            e.shared_part("x.typ", "b".into(), || make(Some(vec![4]))).unwrap(),
            Some(vec![4])
        );
        assert_eq!(made.get(), 3);
    }

    #[test]
    fn missing_template_is_named() {
        let e = engine().render_text("nope.typ", &()).expect_err("missing");
        assert!(e.to_string().contains("nope.typ"), "{e}");
    }

    #[test]
    fn roles_resolve_to_bundled_faces() {
        let roles = engine().font_roles().expect("roles");
        let names: Vec<&str> = roles.iter().map(|r| r.role.as_str()).collect();
        assert_eq!(names, ["标题", "正文", "一级标题", "二级标题", "表格"]);
        for r in &roles {
            let face = r.face.as_ref().expect("a face for every role");
            assert!(
                matches!(face.origin, super::super::fonts::FontOrigin::Bundled(_)),
                "{r:?}"
            );
        }
    }
}
