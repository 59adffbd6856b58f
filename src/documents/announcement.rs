//! 结果公告: one per village, issued in the township's name once cases are approved at
//! county level (004 §二(一)3(6)) — the households newly identified as 监测对象 and those
//! marked 风险消除 (`templates/announcement.typ`, wording in `templates/text/announcement.tera`).
//! Public document: no ID or phone number of any household.

use super::Wording;
use super::notice::authority;
use super::publicity::{households_of, measures_text};
use super::{date_zh, public, publicity::committee};
use crate::model::{ProcedureKind, Workspace};
use crate::rules::Evaluation;
use chrono::NaiveDate;
use serde::Serialize;

pub const TEMPLATE: &str = "announcement.typ";
pub const TEXT: &str = "announcement.tera";
/// The document's name (file name `结果公告.pdf`).
pub const TITLE: &str = "结果公告";

#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementView {
    /// e.g. 关于芒洪村防止返贫监测对象识别和风险消除结果的公告
    pub title: String,
    /// The title in phrases a line may break between (关于芒洪村 | 防止返贫…的公告).
    pub title_lines: Vec<String>,
    pub township: String,
    pub village: String,
    /// The village committee, named in the heading line.
    pub committee: String,
    /// 署名: the township authority.
    pub issuer: String,
    pub date: NaiveDate,
    pub date_zh: String,
    pub intro: String,
    pub closing: String,
    pub phone: String,
    /// 新纳入监测对象 then 标注风险消除, only non-empty ones.
    pub sections: Vec<AnnouncementSection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementSection {
    /// 一、新纳入防止返贫监测对象
    pub heading: String,
    pub category_header: String,
    pub measures_header: String,
    pub rows: Vec<AnnouncementRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementRow {
    pub seq: usize,
    pub group: String,
    pub head_name: String,
    pub size: u32,
    /// 监测对象类型 / 风险消除方式
    pub category: String,
    /// 主要风险
    pub risks: String,
    /// 帮扶措施
    pub measures: String,
    /// 县级审批日期 (2024年6月3日)
    pub approved_zh: String,
}

#[derive(Serialize)]
struct Ctx<'a> {
    township: &'a str,
    village: &'a str,
    authority: &'a str,
    added_households: usize,
    added_people: u32,
    removed_households: usize,
    removed_people: u32,
    phone: &'a str,
}

/// The 结果公告 of one village: the cases approved at county level in this campaign (年度) by
/// the run date that the verdicts do not hold back. None when there is none.
pub fn view<W: Wording>(
    ws: &Workspace,
    eval: &Evaluation,
    text: &W,
    village: &str,
) -> Result<Option<AnnouncementView>, W::Error> {
    let mut sections = Vec::new();
    let mut latest: Option<NaiveDate> = None;
    let mut counts = [(0usize, 0u32); 2];
    let kinds = [
        (
            ProcedureKind::Identification,
            "新纳入防止返贫监测对象",
            "监测对象类型",
            "帮扶措施",
        ),
        (
            ProcedureKind::Elimination,
            "标注风险消除",
            "风险消除方式",
            "已落实帮扶措施",
        ),
    ];
    let in_village = households_of(ws, village);
    for (k, (kind, heading, category_header, measures_header)) in kinds.into_iter().enumerate() {
        // Only county-approved cases the verdicts let through (`CaseVerdict::may_announce`).
        let mut cases: Vec<_> = eval
            .cases
            .iter()
            .filter(|v| v.kind == kind && v.village == village && v.may_announce())
            .filter_map(|v| {
                let approved = v.approved?;
                let h = *in_village.get(v.household_id.as_str())?;
                Some((h, v, approved))
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        cases.sort_by(|a, b| a.0.group.cmp(&b.0.group));
        for (_, v, approved) in &cases {
            // Dated by the recorded 结果公告, else the last approval.
            let d = v.announced.unwrap_or(*approved);
            latest = Some(latest.map_or(d, |l| l.max(d)));
        }
        let rows: Vec<AnnouncementRow> = cases
            .iter()
            .enumerate()
            .map(|(i, (h, v, approved))| AnnouncementRow {
                seq: i + 1,
                group: public(&h.group),
                head_name: public(&h.head_name),
                size: h.people(),
                category: match kind {
                    ProcedureKind::Identification => {
                        h.monitor_category.map(|c| c.label().to_string()).unwrap_or_default()
                    }
                    _ => public(v.path.map(|p| p.label()).unwrap_or_default()),
                },
                risks: public(&h.risks.join("、")),
                measures: public(&measures_text(ws, &h.id)),
                approved_zh: date_zh(*approved),
            })
            .collect();
        counts[k] = (rows.len(), rows.iter().map(|r| r.size).sum());
        sections.push(AnnouncementSection {
            heading: heading.to_string(),
            category_header: category_header.to_string(),
            measures_header: measures_header.to_string(),
            rows,
        });
    }
    let Some(date) = latest else { return Ok(None) };
    let numbered = sections.len() > 1;
    for (i, s) in sections.iter_mut().enumerate() {
        if numbered {
            s.heading = format!("{}、{}", crate::model::zh_num(i as u64 + 1), s.heading);
        }
    }
    let issuer = authority(ws);
    let phone = ws
        .campaign
        .issuance
        .as_ref()
        .and_then(|i| i.phone.clone())
        .unwrap_or_default();
    let ctx = Ctx {
        township: &ws.campaign.region.township,
        village,
        authority: &issuer,
        added_households: counts[0].0,
        added_people: counts[0].1,
        removed_households: counts[1].0,
        removed_people: counts[1].1,
        phone: &phone,
    };
    let wording = text.words(TEXT, &ctx)?;
    let (intro, closing) = match wording.split_once("【名单】") {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (wording.trim().to_string(), String::new()),
    };
    let what = match (counts[0].0 > 0, counts[1].0 > 0) {
        (true, true) => "防止返贫监测对象识别和风险消除结果",
        (true, false) => "防止返贫监测对象识别结果",
        _ => "防止返贫监测对象风险消除结果",
    };
    Ok(Some(AnnouncementView {
        title: format!("关于{village}{what}的公告"),
        title_lines: vec![format!("关于{village}"), format!("{what}的公告")],
        township: ws.campaign.region.township.clone(),
        village: village.to_string(),
        committee: committee(village),
        issuer,
        date,
        date_zh: date_zh(date),
        intro,
        closing,
        phone,
        sections,
    }))
}

/// Every village's 结果公告 (villages without approved cases are left out).
pub fn views<W: Wording>(ws: &Workspace, eval: &Evaluation, text: &W) -> Result<Vec<AnnouncementView>, W::Error> {
    let mut out = Vec::new();
    for v in ws.data.villages() {
        if let Some(view) = view(ws, eval, text, &v)? {
            out.push(view);
        }
    }
    Ok(out)
}
