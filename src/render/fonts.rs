//! Fonts: the open-licence CJK subsets bundled in `fonts/` (embedded in the binary) plus the
//! installed system faces the templates ask for by name (the official 方正小标宋简体, 仿宋_GB2312,
//! 黑体, 楷体_GB2312 on office machines). Everything is read once per process.

use super::templates::TemplateSet;
use crate::model::Workspace;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo, FontStretch, FontStyle, FontVariant, FontWeight};

/// A font file bundled with the program.
pub struct BundledFont {
    /// File name in `fonts/`.
    pub file: &'static str,
    pub data: &'static [u8],
}

/// The bundled subsets (see `fonts/README.md` for provenance and `scripts/make-fonts.sh`).
pub static BUNDLED: &[BundledFont] = &[
    BundledFont {
        file: "NotoSerifCJKsc-Regular.otf",
        data: include_bytes!("../../fonts/NotoSerifCJKsc-Regular.otf"),
    },
    BundledFont {
        file: "NotoSerifCJKsc-Bold.otf",
        data: include_bytes!("../../fonts/NotoSerifCJKsc-Bold.otf"),
    },
    BundledFont {
        file: "NotoSansCJKsc-Regular.otf",
        data: include_bytes!("../../fonts/NotoSansCJKsc-Regular.otf"),
    },
    BundledFont {
        file: "FangpinWenKai-Regular.ttf",
        data: include_bytes!("../../fonts/FangpinWenKai-Regular.ttf"),
    },
];

/// Where a face comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontOrigin {
    /// Bundled file name in `fonts/`.
    Bundled(&'static str),
    /// Installed on this machine.
    System(PathBuf),
}

impl FontOrigin {
    /// 系统 / 内置, for reports.
    pub fn label(&self) -> &'static str {
        match self {
            FontOrigin::Bundled(_) => "内置",
            FontOrigin::System(_) => "系统",
        }
    }
}

/// The bundled faces, parsed once per process (zero-copy over the embedded bytes).
fn bundled_fonts() -> &'static [(Font, &'static str)] {
    static FONTS: OnceLock<Vec<(Font, &'static str)>> = OnceLock::new();
    FONTS.get_or_init(|| {
        BUNDLED
            .iter()
            .flat_map(|b| Font::iter(Bytes::new(b.data)).map(move |f| (f, b.file)))
            .collect()
    })
}

struct SystemFace {
    path: PathBuf,
    index: u32,
    info: FontInfo,
}

/// Installed faces (metadata only), scanned once per process.
fn system_faces() -> &'static [SystemFace] {
    static FACES: OnceLock<Vec<SystemFace>> = OnceLock::new();
    FACES.get_or_init(|| {
        typst_kit::fonts::system()
            .map(|(p, info)| SystemFace {
                path: p.path,
                index: p.index,
                info,
            })
            .collect()
    })
}

/// Loads an installed face, reading each file at most once per process.
fn load_system(face: &SystemFace) -> Option<Font> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, Option<Bytes>>>> = OnceLock::new();
    let files = FILES.get_or_init(Default::default);
    let bytes = {
        let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
        files
            .entry(face.path.clone())
            .or_insert_with(|| std::fs::read(&face.path).ok().map(Bytes::new))
            .clone()
    }?;
    Font::new(bytes, face.index)
}

/// The family names a set of Typst sources mentions: every string literal, lower-cased.
/// Only installed faces named there are loaded, so a machine with hundreds of fonts
/// does not pay for reading them all.
pub fn families_named(sources: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for src in sources {
        let mut chars = src.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                continue;
            }
            let mut lit = String::new();
            let mut escaped = false;
            for c in chars.by_ref() {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    (_, c) => {
                        escaped = false;
                        lit.push(c);
                    }
                }
            }
            if !lit.is_empty() && lit.len() < 64 {
                out.insert(lit.to_lowercase());
            }
        }
    }
    out
}

/// The faces a render engine uses: bundled first (they win ties), then the installed faces
/// the templates name. Shared (`Arc`) by every render of a run.
pub struct FontSet {
    fonts: Vec<Font>,
    origins: Vec<FontOrigin>,
    book: FontBook,
}

impl FontSet {
    /// Bundled faces plus the installed faces whose family is in `families` (lower-case).
    /// Installed copies of a bundled family are skipped: the bundled subset is identical
    /// in shape and keeps output independent of the machine.
    pub fn new(families: &BTreeSet<String>, system: bool) -> FontSet {
        let mut fonts = Vec::new();
        let mut origins = Vec::new();
        let mut bundled_families = BTreeSet::new();
        for (font, file) in bundled_fonts() {
            bundled_families.insert(font.info().family.to_lowercase());
            fonts.push(font.clone());
            origins.push(FontOrigin::Bundled(file));
        }
        if system {
            for face in system_faces() {
                let family = face.info.family.to_lowercase();
                if families.contains(&family)
                    && !bundled_families.contains(&family)
                    && let Some(font) = load_system(face)
                {
                    fonts.push(font);
                    origins.push(FontOrigin::System(face.path.clone()));
                }
            }
        }
        let book = FontBook::from_fonts(fonts.iter());
        FontSet { fonts, origins, book }
    }

    /// A set of given faces (tests, special setups); the first face of a family wins ties.
    pub fn from_fonts(faces: Vec<(Font, FontOrigin)>) -> FontSet {
        let (fonts, origins): (Vec<Font>, Vec<FontOrigin>) = faces.into_iter().unzip();
        let book = FontBook::from_fonts(fonts.iter());
        FontSet { fonts, origins, book }
    }

    /// The set for these templates (their string literals name the families).
    pub fn for_templates(templates: &TemplateSet, system: bool) -> FontSet {
        let sources: Vec<&str> = templates
            .iter()
            .filter(|f| f.is_typst())
            .filter_map(|f| f.text().ok())
            .collect();
        FontSet::new(&families_named(&sources), system)
    }

    pub fn fonts(&self) -> &[Font] {
        &self.fonts
    }

    pub fn book(&self) -> &FontBook {
        &self.book
    }

    pub fn origin(&self, index: usize) -> Option<&FontOrigin> {
        self.origins.get(index)
    }

    /// Whether any face has a glyph for `c` (Typst falls back to any face that does).
    pub fn covers(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }

    /// The face a fallback list resolves to: the first listed family that is present, in
    /// the variant closest to regular (or bold), as Typst picks it.
    pub fn resolve(&self, families: &[String], bold: bool) -> Option<ResolvedFace> {
        let variant = FontVariant {
            style: FontStyle::Normal,
            weight: if bold { FontWeight::BOLD } else { FontWeight::REGULAR },
            stretch: FontStretch::NORMAL,
        };
        families.iter().find_map(|family| {
            let index = self.book.select(&family.to_lowercase(), variant)?;
            let info = self.book.info(index)?;
            Some(ResolvedFace {
                requested: family.clone(),
                family: info.family.clone(),
                weight: info.variant.weight.to_number(),
                origin: self.origins.get(index)?.clone(),
            })
        })
    }
}

/// A role's face as resolved on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedFace {
    /// The name as written in the template's list.
    pub requested: String,
    /// The face's family name.
    pub family: String,
    /// Its weight (400 regular, 700 bold).
    pub weight: u16,
    pub origin: FontOrigin,
}

/// The font set for a workspace's templates, built once per process per template folder.
pub fn shared_for(templates: &TemplateSet, system: bool) -> Arc<FontSet> {
    Arc::new(FontSet::for_templates(templates, system))
}

/// The kind of face a bundled fallback is, for telling a clerk what stands in for the official
/// face (宋体类 for Noto Serif CJK, 黑体类 for Noto Sans CJK, 楷体类 for 霞鹜文楷).
pub fn bundled_style(file: &str) -> &'static str {
    if file.starts_with("NotoSerif") {
        "宋体类"
    } else if file.starts_with("NotoSans") {
        "黑体类"
    } else {
        "楷体类"
    }
}

/// One sentence per role whose official face is not installed: which face stands in for which,
/// and how to install the official one (for `fangpin fonts` and the build summary). Empty when
/// every role has its first-listed face. `role`, `families` (the fallback list of `lib.typ`, the
/// official face first) and `face` as in `render::pdf::RoleFace`.
pub fn fallback_note(role: &str, families: &[String], face: Option<&ResolvedFace>) -> Option<String> {
    let official = families.first()?;
    let face = face?;
    let FontOrigin::Bundled(file) = &face.origin else {
        return None;
    };
    if &face.requested == official {
        return None;
    }
    Some(format!(
        "{role}：本机未安装规范字体“{official}”，现由内置{}字体 {}（fonts/{file}）代替，字形与公文规范不同。\
         安装办法：取得“{official}”字体文件（Windows 电脑 C:\\Windows\\Fonts 中即有），\
         Windows 上右键字体文件选“为所有用户安装”；Linux 上复制到 ~/.local/share/fonts 后运行 fc-cache -f；然后重新生成文书。",
        bundled_style(file),
        face.family,
    ))
}

/// Before writing PDF/A copies: every character of the workspace's printed text must have a
/// face (PDF/A embeds every glyph; a box printed for a missing one makes an archive copy that
/// says something else). `None` when all are covered; else an error naming each character
/// with its household and field, and how to fix it — reported before anything is rendered.
pub fn archive_coverage_error(set: &FontSet, ws: &Workspace) -> Option<super::RenderError> {
    let missing = uncovered_with(set, ws);
    if missing.is_empty() {
        return None;
    }
    const SHOWN: usize = 10;
    let mut list: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|m| {
            let who = match ws.data.households.iter().find(|h| h.id == m.household_id) {
                Some(h) => format!("户 {}（户主 {}）", h.id, h.head_name),
                None if m.household_id.is_empty() => crate::ingest::CAMPAIGN_FILE.to_string(),
                None => format!("户 {}", m.household_id),
            };
            format!("{who}「{}」中的“{}”（U+{:04X}）", m.field, m.ch, m.ch as u32)
        })
        .collect();
    if missing.len() > SHOWN {
        list.push(format!("等共 {} 处", missing.len()));
    }
    Some(super::RenderError::Pdf(format!(
        "无法生成 PDF/A-2b 归档件：以下字符没有任何字体可以显示：{}。请安装含有这些字的字体（如支持 CJK 扩展区的宋体、仿宋）后重新生成，或核对是否录入有误（fangpin fonts 可列出全部）",
        list.join("；")
    )))
}

/// A character in the workspace's data that no face covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    pub ch: char,
    /// 户编号 ("" for campaign-level text).
    pub household_id: String,
    /// The field, e.g. 户主姓名, 成员姓名.
    pub field: String,
}

/// Every character in the workspace's printed text (names, places, measures, problems) that
/// no face of the workspace's templates covers: such characters would print as boxes.
/// Each (character, household, field) once, in data order.
pub fn uncovered_chars(ws: &Workspace) -> Vec<(char, String, String)> {
    let templates = TemplateSet::load(Some(&ws.templates_dir())).unwrap_or_else(|_| TemplateSet::builtin());
    let set = FontSet::for_templates(&templates, true);
    uncovered_with(&set, ws)
        .into_iter()
        .map(|u| (u.ch, u.household_id, u.field))
        .collect()
}

/// [`uncovered_chars`] as warnings for `check`, `build` and the 数据问题清单: one per character
/// and household, placed at the household (or campaign.yaml), so a rare character never prints
/// as a silent box.
pub fn font_diagnostics(ws: &Workspace) -> Vec<crate::model::Diagnostic> {
    use crate::model::{Diagnostic, Place};
    uncovered_chars(ws)
        .into_iter()
        .map(|(ch, hid, field)| {
            let household = ws.data.households.iter().find(|h| h.id == hid);
            let (place, who) = match household {
                Some(h) => (h.place.clone(), format!("户 {hid}（户主 {}）的", h.head_name)),
                None if hid.is_empty() => (Place::file(crate::ingest::CAMPAIGN_FILE), String::new()),
                None => (Place::default(), format!("户 {hid} 的")),
            };
            Diagnostic::warning(
                place,
                field.clone(),
                ch.to_string(),
                format!(
                    "{who}「{field}」中的“{ch}”（U+{:04X}）没有任何字体可以显示，打印出来会是方框",
                    ch as u32
                ),
                "安装含有此字的字体（如支持 CJK 扩展区的宋体、仿宋），或核对是否录入有误；打印后可手写补正",
            )
        })
        .collect()
}

/// Like [`uncovered_chars`] against a given font set.
pub fn uncovered_with(set: &FontSet, ws: &Workspace) -> Vec<Uncovered> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut check = |text: &str, hh: &str, field: &str| {
        for ch in text.chars() {
            if !set.covers(ch) && seen.insert((ch, hh.to_string(), field.to_string())) {
                out.push(Uncovered {
                    ch,
                    household_id: hh.to_string(),
                    field: field.to_string(),
                });
            }
        }
    };
    let c = &ws.campaign;
    check(&c.name, "", "活动名称");
    check(&c.region.province, "", "省");
    check(&c.region.county, "", "县");
    check(&c.region.township, "", "乡镇");
    if let Some(i) = &c.issuance {
        check(&i.authority, "", "发文机关");
        check(&i.prefix, "", "发文代字");
        for to in &i.to {
            check(to, "", "主送机关");
        }
        for cc in &i.cc {
            check(cc, "", "抄送机关");
        }
        check(i.title.as_deref().unwrap_or(""), "", "标题");
        for a in &i.attachments {
            check(a, "", "附件");
        }
    }
    for m in &c.milestones {
        check(&m.name, "", "时间安排节点");
        check(m.content.as_deref().unwrap_or(""), "", "时间安排内容");
    }
    for h in &ws.data.households {
        check(&h.township, &h.id, "乡镇");
        check(&h.village, &h.id, "行政村");
        check(&h.group, &h.id, "村民小组");
        check(&h.head_name, &h.id, "户主姓名");
        check(h.helper.as_deref().unwrap_or(""), &h.id, "帮扶责任人");
        check(h.note.as_deref().unwrap_or(""), &h.id, "备注");
        for m in &h.members {
            check(&m.name, &h.id, "成员姓名");
            check(&m.relation, &h.id, "与户主关系");
            check(m.health.as_deref().unwrap_or(""), &h.id, "健康状况");
            check(m.schooling.as_deref().unwrap_or(""), &h.id, "在校生状况");
        }
    }
    for m in &ws.data.measures {
        check(&m.detail, &m.household_id, "具体措施");
    }
    for p in &ws.data.problems {
        let hh = p.household_id.as_deref().unwrap_or("");
        check(p.village.as_deref().unwrap_or(""), hh, "村");
        check(p.head_name.as_deref().unwrap_or(""), hh, "户主姓名");
        check(&p.content, hh, "问题具体内容");
        check(&p.measure, hh, "整改措施");
        check(&p.person, hh, "责任人");
        check(&p.unit, hh, "责任单位");
        check(p.effect.as_deref().unwrap_or(""), hh, "整改成效");
    }
    for r in &ws.data.milestone_reports {
        check(&r.unit, "", "进度单位");
    }
    out
}

#[cfg(test)]
mod fallback_tests {
    use super::*;

    fn face(requested: &str, family: &str, origin: FontOrigin) -> ResolvedFace {
        ResolvedFace {
            requested: requested.into(),
            family: family.into(),
            weight: 400,
            origin,
        }
    }

    #[test]
    fn a_song_face_standing_in_for_fangsong_is_named_with_the_fix() {
        let families: Vec<String> = ["FangSong_GB2312", "仿宋_GB2312", "Noto Serif CJK SC"]
            .map(String::from)
            .to_vec();
        let stand_in = face(
            "Noto Serif CJK SC",
            "Noto Serif CJK SC",
            FontOrigin::Bundled("NotoSerifCJKsc-Regular.otf"),
        );
        let note = fallback_note("正文", &families, Some(&stand_in)).expect("a note");
        for part in [
            "正文",
            "FangSong_GB2312",
            "宋体类",
            "Noto Serif CJK SC",
            "为所有用户安装",
            "fc-cache",
        ] {
            assert!(note.contains(part), "{part}: {note}");
        }
        // The official face installed, or nothing at all: no note.
        let official = face(
            "FangSong_GB2312",
            "FangSong_GB2312",
            FontOrigin::System("/f/simfang.ttf".into()),
        );
        assert_eq!(fallback_note("正文", &families, Some(&official)), None);
        assert_eq!(fallback_note("正文", &families, None), None);
        assert_eq!(bundled_style("NotoSansCJKsc-Regular.otf"), "黑体类");
        assert_eq!(bundled_style("FangpinWenKai-Regular.ttf"), "楷体类");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_cover_the_cjk_blocks() {
        let set = FontSet::new(&BTreeSet::new(), false);
        let families: BTreeSet<String> = set.fonts().iter().map(|f| f.info().family.clone()).collect();
        assert!(families.contains("Noto Serif CJK SC"), "{families:?}");
        assert!(families.contains("Noto Sans CJK SC"), "{families:?}");
        assert!(families.contains("Fangpin WenKai"), "{families:?}");
        // Song and Hei must be complete over CJK Unified Ideographs and Extension A.
        for family in ["Noto Serif CJK SC", "Noto Sans CJK SC"] {
            for f in set.fonts().iter().filter(|f| f.info().family == family) {
                let cov = &f.info().coverage;
                let missing = (0x4E00..=0x9FFF)
                    .chain(0x3400..=0x4DBF)
                    .filter(|&c| !cov.contains(c))
                    .count();
                // Noto CJK lacks only the handful of code points added after its release.
                assert!(missing < 40, "{family} misses {missing} ideographs");
            }
        }
        for c in ['〔', '〕', '：', '（', '）', '—', '㐀', '䶵', 'A', '9', '①', '□', '√'] {
            assert!(set.covers(c), "{c} not covered");
        }
    }

    #[test]
    fn string_literals_name_families() {
        let names = families_named(&[r#"#let f = ("FangSong_GB2312", "仿宋", "Noto \"X\"")"#]);
        assert!(names.contains("fangsong_gb2312"));
        assert!(names.contains("仿宋"));
        assert!(names.contains("noto \"x\""));
    }

    #[test]
    fn resolve_skips_missing_families() {
        let set = FontSet::new(&BTreeSet::new(), false);
        let face = set
            .resolve(&["No Such Face".into(), "Noto Sans CJK SC".into()], false)
            .expect("resolved");
        assert_eq!(face.family, "Noto Sans CJK SC");
        assert_eq!(face.requested, "Noto Sans CJK SC");
        assert!(matches!(face.origin, FontOrigin::Bundled(_)));
        assert!(set.resolve(&["No Such Face".into()], false).is_none());
        let bold = set.resolve(&["Noto Serif CJK SC".into()], true).expect("bold");
        assert_eq!(bold.weight, 700);
        assert_eq!(bold.origin, FontOrigin::Bundled("NotoSerifCJKsc-Bold.otf"));
    }
}
