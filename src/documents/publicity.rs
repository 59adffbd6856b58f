//! 拟纳入监测对象名单公示 and 拟标注风险消除名单公示: one per village, for the 识别纳入 /
//! 风险消除 cases that have a 公示开始 date or are at the 村级评议 stage
//! (`templates/publicity.typ`, wording in `templates/text/publicity.tera`).
//!
//! Public documents: no ID number or phone number of any household appears; the view has
//! no field that could carry one.

use super::Wording;
use super::{date_zh, public};
use crate::model::{DurationUnit, Household, ProcedureKind, Workspace};
use crate::rules::Evaluation;
use crate::rules::verdict::{CaseVerdict, EliminationPath};
use chrono::NaiveDate;
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
    /// The period's length in its unit (recorded periods: as recorded).
    days: i64,
    /// 工作日 / 天 / 月 (kept for templates written against it).
    unit: &'a str,
    /// The length in words: 5个工作日, 5天.
    length: &'a str,
    phone: &'a str,
    part: &'a str,
    /// 风险消除: households on the 帮扶消除 path and on the 自然消除 path.
    assisted: usize,
    natural: usize,
    /// Every listed household has a recorded 签订承诺授权书 (签字确认) date.
    signed_all: bool,
}

fn unit_label(unit: DurationUnit) -> (&'static str, &'static str) {
    match unit {
        DurationUnit::WorkingDays => ("工作日", "个工作日"),
        DurationUnit::CalendarDays => ("天", "天"),
        DurationUnit::Months => ("月", "个月"),
    }
}

/// The 公示 of one village, or None when no case of this kind may be publicised there.
/// Lists exactly the cases whose verdict allows it (`CaseVerdict::may_publicise`), batched
/// by the 公示期 the rules give each (recorded, else planned).
pub fn view<W: Wording>(
    ws: &Workspace,
    eval: &Evaluation,
    text: &W,
    village: &str,
    kind: PublicityKind,
) -> Result<Option<PublicityView>, W::Error> {
    let in_village = households_of(ws, village);
    let mut batches: BTreeMap<(NaiveDate, NaiveDate), Vec<(&Household, &CaseVerdict)>> = BTreeMap::new();
    let mut unit = DurationUnit::WorkingDays;
    for v in eval
        .cases
        .iter()
        .filter(|v| v.kind == kind.procedure() && v.village == village && v.may_publicise())
    {
        let (Some(&h), Some(period)) = (in_village.get(v.household_id.as_str()), v.publicity) else {
            continue;
        };
        unit = period.unit;
        batches.entry((period.start, period.end)).or_default().push((h, v));
    }
    if batches.is_empty() {
        return Ok(None);
    }
    let (unit_short, unit_words) = unit_label(unit);
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
        let days = cases
            .first()
            .and_then(|(_, v)| v.publicity)
            .and_then(|p| p.length)
            .unwrap_or(0);
        let rows: Vec<PublicityRow> = cases
            .iter()
            .enumerate()
            .map(|(i, (h, v))| PublicityRow {
                seq: i + 1,
                group: public(&h.group),
                head_name: public(&h.head_name),
                size: h.people(),
                category: match kind {
                    PublicityKind::Identification => {
                        h.monitor_category.map(|c| c.label().to_string()).unwrap_or_default()
                    }
                    PublicityKind::Elimination => public(v.path.map(|p| p.label()).unwrap_or_default()),
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
        let length = format!("{days}{unit_words}");
        let natural = cases
            .iter()
            .filter(|(_, v)| v.path == Some(EliminationPath::Natural))
            .count();
        let signed_all = cases.iter().all(|(_, v)| v.signed.is_some());
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
            days,
            unit: unit_short,
            length: &length,
            phone: &phone,
            part: &part,
            assisted: cases.len() - natural,
            natural,
            signed_all,
        };
        let wording = text.words(TEXT, &ctx)?;
        let (intro, closing) = match wording.split_once("【名单】") {
            Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
            None => (wording.trim().to_string(), String::new()),
        };
        out.push(PublicityBatch {
            start,
            end,
            start_zh,
            end_zh,
            days: u32::try_from(days).unwrap_or(0),
            unit: unit_short.to_string(),
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
pub fn views<W: Wording>(
    ws: &Workspace,
    eval: &Evaluation,
    text: &W,
    kind: PublicityKind,
) -> Result<Vec<PublicityView>, W::Error> {
    let mut out = Vec::new();
    for v in ws.data.villages() {
        if let Some(view) = view(ws, eval, text, &v, kind)? {
            out.push(view);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_names() {
        assert_eq!(committee("芒洪村"), "芒洪村村民委员会");
        assert_eq!(committee("城关社区"), "城关社区居民委员会");
    }
}
