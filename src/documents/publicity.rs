//! 拟纳入监测对象名单公示 and 拟标注风险消除名单公示: one per village, for the 识别纳入 /
//! 风险消除 cases that have a 公示开始 date or are at the 村级评议 stage
//! (`templates/publicity.typ`, wording in `templates/text/publicity.tera`).
//!
//! Public documents: no ID number or phone number of any household appears; the view has
//! no field that could carry one.

use super::{date_zh, public};
use crate::model::{DurationUnit, Household, Procedure, ProcedureKind, Stage, Workspace};
use crate::render::RenderError;
use crate::render::pdf::{PdfEngine, RenderedPdf};
use crate::render::text::TextEngine;
use crate::rules::Evaluation;
use crate::rules::calendar::Calendar;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

pub const TEMPLATE: &str = "publicity.typ";
pub const TEXT: &str = "publicity.tera";

/// Which list is publicised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PublicityKind {
    /// 拟纳入监测对象名单公示
    Identification,
    /// 拟标注风险消除名单公示
    Elimination,
}

impl PublicityKind {
    /// The document's name, also its file name (`<name>.pdf`).
    pub fn title(self) -> &'static str {
        match self {
            PublicityKind::Identification => "拟纳入监测对象名单公示",
            PublicityKind::Elimination => "拟标注风险消除名单公示",
        }
    }

    pub fn procedure(self) -> ProcedureKind {
        match self {
            PublicityKind::Identification => ProcedureKind::Identification,
            PublicityKind::Elimination => ProcedureKind::Elimination,
        }
    }

    fn category_header(self) -> &'static str {
        match self {
            PublicityKind::Identification => "监测对象类型",
            PublicityKind::Elimination => "风险消除方式",
        }
    }

    fn measures_header(self) -> &'static str {
        match self {
            PublicityKind::Identification => "拟采取帮扶措施",
            PublicityKind::Elimination => "已落实帮扶措施",
        }
    }
}

/// One village's 公示.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityView {
    pub kind: PublicityKind,
    /// 拟纳入监测对象名单公示 / 拟标注风险消除名单公示
    pub title: String,
    pub township: String,
    pub village: String,
    /// The issuing 村民委员会.
    pub issuer: String,
    pub category_header: String,
    pub measures_header: String,
    /// 监督电话 (the township's public number).
    pub phone: String,
    /// One notice per 公示期; usually one.
    pub batches: Vec<PublicityBatch>,
}

impl PublicityView {
    /// The document date: the first 公示 start.
    pub fn date(&self) -> Option<NaiveDate> {
        self.batches.iter().map(|b| b.start).min()
    }

    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.rows.len()).sum()
    }
}

/// Cases publicised over the same period.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityBatch {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub start_zh: String,
    pub end_zh: String,
    /// The rule's length (e.g. 5) and unit (工作日).
    pub days: u32,
    pub unit: String,
    /// Wording before the table (one paragraph per line).
    pub intro: String,
    /// Wording after the table.
    pub closing: String,
    pub households: usize,
    pub people: u32,
    pub rows: Vec<PublicityRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicityRow {
    pub seq: usize,
    /// 村民小组
    pub group: String,
    /// 户主姓名
    pub head_name: String,
    /// 家庭人口
    pub size: u32,
    /// 监测对象类型 / 风险消除方式
    pub category: String,
    /// 主要风险
    pub risks: String,
    /// 拟采取帮扶措施 / 已落实帮扶措施
    pub measures: String,
}

/// The 村民委员会 that issues a village's notices (社区 → 居民委员会).
pub fn committee(village: &str) -> String {
    if village.ends_with("社区") {
        format!("{village}居民委员会")
    } else {
        format!("{village}村民委员会")
    }
}

/// The 公示期 rule for a procedure kind: (length, unit, counts its first day).
fn rule(ws: &Workspace, kind: ProcedureKind) -> (u32, DurationUnit, bool) {
    ws.rules
        .deadlines
        .iter()
        .filter(|r| !r.disabled && r.from == Stage::PublicityStart && r.procedures.contains(&kind))
        .find_map(|r| r.min.map(|m| (m, r.unit, r.inclusive)))
        .unwrap_or((5, DurationUnit::WorkingDays, true))
}

/// The last day of a 公示 of `n` units starting on `start`.
pub fn publicity_end(
    cal: &Calendar,
    start: NaiveDate,
    n: u32,
    unit: DurationUnit,
    inclusive: bool,
) -> Result<NaiveDate, RenderError> {
    let calendar_err = |source| RenderError::Calendar {
        what: format!("{}开始的公示期", date_zh(start)),
        source,
    };
    let shift = if inclusive { n.saturating_sub(1) } else { n };
    let end = match unit {
        DurationUnit::WorkingDays if inclusive => cal.nth_working_day_from(start, n).map_err(calendar_err)?,
        DurationUnit::WorkingDays => cal.add_working_days(start, n).map_err(calendar_err)?,
        DurationUnit::CalendarDays => start.checked_add_days(Days::new(u64::from(shift))).unwrap_or(start),
        DurationUnit::Months => start
            .checked_add_months(Months::new(n))
            .and_then(|d| if inclusive { d.pred_opt() } else { Some(d) })
            .unwrap_or(start),
    };
    Ok(end)
}

/// Whether a case belongs on this campaign's notice: it has a 公示开始 date in the campaign's
/// year (年度) or later — earlier cases belong to earlier campaigns' notices — or it has passed
/// 村级评议 and reached no later stage yet.
fn publicised(p: &Procedure, year: i32) -> bool {
    if let Some(start) = p.date(Stage::PublicityStart) {
        return start.year() >= year;
    }
    let later = [
        Stage::PublicityEnd,
        Stage::TownshipReview,
        Stage::CountyApproval,
        Stage::ResultNotice,
        Stage::Recorded,
    ];
    p.date(Stage::VillageReview).is_some() && later.iter().all(|s| p.date(*s).is_none())
}

/// The village's households by 户编号 (the first one when an ID repeats, like
/// `Dataset::household`): one pass instead of a scan of the whole county per case.
pub(crate) fn households_of<'a>(ws: &'a Workspace, village: &str) -> HashMap<&'a str, &'a Household> {
    let mut map = HashMap::new();
    for h in ws.data.households.iter().filter(|h| h.village == village) {
        map.entry(h.id.as_str()).or_insert(h);
    }
    map
}

/// The measures of a household, `类别：具体措施` joined with ；.
pub(crate) fn measures_text(ws: &Workspace, household_id: &str) -> String {
    let items: Vec<String> = ws
        .data
        .measures
        .iter()
        .filter(|m| m.household_id == household_id)
        .map(|m| {
            let detail = m.detail.trim();
            if detail.is_empty() || detail == m.category {
                m.category.clone()
            } else {
                format!("{}：{}", m.category, detail)
            }
        })
        .collect();
    items.join("；")
}

/// Wording context for `publicity.tera`.
#[derive(Serialize)]
struct Ctx<'a> {
    kind: &'a str,
    title: &'a str,
    township: &'a str,
    village: &'a str,
    committee: &'a str,
    households: usize,
    people: u32,
    start: &'a str,
    end: &'a str,
    days: u32,
    unit: &'a str,
    phone: &'a str,
    part: &'a str,
}

/// The 公示 of one village, or None when no case of this kind is publicised there.
pub fn view(
    ws: &Workspace,
    eval: &Evaluation,
    text: &TextEngine,
    village: &str,
    kind: PublicityKind,
) -> Result<Option<PublicityView>, RenderError> {
    let cal = Calendar::new(&ws.rules).map_err(|source| RenderError::Calendar {
        what: "公示期".into(),
        source,
    })?;
    let (n, unit, inclusive) = rule(ws, kind.procedure());
    let unit_label = match unit {
        DurationUnit::WorkingDays => "工作日",
        DurationUnit::CalendarDays => "天",
        DurationUnit::Months => "个月",
    };
    let mut batches: BTreeMap<(NaiveDate, NaiveDate), Vec<(&Household, &Procedure)>> = BTreeMap::new();
    let in_village = households_of(ws, village);
    for p in ws
        .data
        .procedures
        .iter()
        .filter(|p| p.kind == kind.procedure() && publicised(p, ws.campaign.year))
    {
        let Some(&h) = in_village.get(p.household_id.as_str()) else {
            continue;
        };
        let start = match p.date(Stage::PublicityStart) {
            Some(d) => d,
            None => {
                // Not yet posted: it can start on the first working day after the 评议 and
                // not before the run date.
                let review = p.date(Stage::VillageReview).unwrap_or(eval.as_of);
                let earliest = review.succ_opt().unwrap_or(review).max(eval.as_of);
                cal.nth_working_day_from(earliest, 1)
                    .map_err(|source| RenderError::Calendar {
                        what: format!("户{}的公示开始日期", h.id),
                        source,
                    })?
            }
        };
        let min_end = publicity_end(&cal, start, n, unit, inclusive)?;
        let end = p.date(Stage::PublicityEnd).filter(|e| *e >= min_end).unwrap_or(min_end);
        batches.entry((start, end)).or_default().push((h, p));
    }
    if batches.is_empty() {
        return Ok(None);
    }
    let township = ws.campaign.region.township.clone();
    let issuer = committee(village);
    let phone = ws
        .campaign
        .issuance
        .as_ref()
        .and_then(|i| i.phone.clone())
        .unwrap_or_default();
    let total = batches.len();
    let mut out = Vec::new();
    for (i, ((start, end), mut cases)) in batches.into_iter().enumerate() {
        // Noticeboard order: by 村民小组, then input order.
        cases.sort_by(|a, b| a.0.group.cmp(&b.0.group));
        let rows: Vec<PublicityRow> = cases
            .iter()
            .enumerate()
            .map(|(i, (h, p))| PublicityRow {
                seq: i + 1,
                group: public(&h.group),
                head_name: public(&h.head_name),
                size: h.people(),
                category: match kind {
                    PublicityKind::Identification => {
                        h.monitor_category.map(|c| c.label().to_string()).unwrap_or_default()
                    }
                    PublicityKind::Elimination => public(p.elimination_mode.as_deref().unwrap_or_default()),
                },
                risks: public(&h.risks.join("、")),
                measures: public(&measures_text(ws, &h.id)),
            })
            .collect();
        let people: u32 = rows.iter().map(|r| r.size).sum();
        let (start_zh, end_zh) = (date_zh(start), date_zh(end));
        let part = if total > 1 {
            format!("（第{}批）", i + 1)
        } else {
            String::new()
        };
        let ctx = Ctx {
            kind: kind.procedure().label(),
            title: kind.title(),
            township: &township,
            village,
            committee: &issuer,
            households: rows.len(),
            people,
            start: &start_zh,
            end: &end_zh,
            days: n,
            unit: unit_label,
            phone: &phone,
            part: &part,
        };
        let wording = text.render(TEXT, &ctx)?;
        let (intro, closing) = match wording.split_once("【名单】") {
            Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
            None => (wording.trim().to_string(), String::new()),
        };
        out.push(PublicityBatch {
            start,
            end,
            start_zh,
            end_zh,
            days: n,
            unit: unit_label.to_string(),
            intro,
            closing,
            households: rows.len(),
            people,
            rows,
        });
    }
    Ok(Some(PublicityView {
        kind,
        title: kind.title().to_string(),
        township,
        village: village.to_string(),
        issuer,
        category_header: kind.category_header().to_string(),
        measures_header: kind.measures_header().to_string(),
        phone,
        batches: out,
    }))
}

/// Every village's 公示 of this kind (villages without cases are left out), in village order.
pub fn views(
    ws: &Workspace,
    eval: &Evaluation,
    text: &TextEngine,
    kind: PublicityKind,
) -> Result<Vec<PublicityView>, RenderError> {
    let mut out = Vec::new();
    for v in ws.data.villages() {
        if let Some(view) = view(ws, eval, text, &v, kind)? {
            out.push(view);
        }
    }
    Ok(out)
}

/// Renders one village's 公示, dated by its first 公示 start.
pub fn render(engine: &PdfEngine, view: &PublicityView, fallback_date: NaiveDate) -> Result<RenderedPdf, RenderError> {
    engine.render(TEMPLATE, view, view.date().unwrap_or(fallback_date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RulesFile;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn five_working_days_count_the_first_day_and_skip_holidays() {
        let cal = Calendar::new(&RulesFile::defaults()).expect("calendar");
        // Mon 2024-06-03 → Fri 2024-06-07.
        assert_eq!(
            publicity_end(&cal, d(2024, 6, 3), 5, DurationUnit::WorkingDays, true).expect("end"),
            d(2024, 6, 7)
        );
        // Thu 2024-06-06: Fri, then the 端午 holiday Mon 6-10 is off → ends Thu 6-13.
        assert_eq!(
            publicity_end(&cal, d(2024, 6, 6), 5, DurationUnit::WorkingDays, true).expect("end"),
            d(2024, 6, 13)
        );
        assert_eq!(
            publicity_end(&cal, d(2024, 6, 6), 5, DurationUnit::CalendarDays, true).expect("end"),
            d(2024, 6, 10)
        );
    }

    #[test]
    fn committee_names() {
        assert_eq!(committee("芒洪村"), "芒洪村村民委员会");
        assert_eq!(committee("城关社区"), "城关社区居民委员会");
    }
}
