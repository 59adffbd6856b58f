//! 通知: the township's official notice launching the campaign, GB/T 9704-2012 layout
//! (`templates/notice.typ`), wording from `templates/text/notice.tera` filled from
//! `campaign.yaml`.

use super::Wording;
use super::{date_zh, public};
use crate::model::{DurationUnit, ProcedureKind, Stage, Workspace};
use chrono::NaiveDate;
use serde::Serialize;

/// The Typst template.
pub const TEMPLATE: &str = "notice.typ";
/// The tera wording of the body.
pub const TEXT: &str = "notice.tera";

/// What the 通知 shows.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    /// 发文机关 (full name).
    pub authority: String,
    /// 发文机关标志, e.g. 巴彦塔拉达斡尔民族乡人民政府文件.
    pub mark: String,
    /// 发文字号, e.g. 巴乡政发〔2024〕12号.
    pub doc_number: String,
    pub title: String,
    /// 主送机关 joined with 、 and ending in a full-width colon.
    pub to: String,
    /// The body text (one paragraph per line).
    pub body: String,
    /// 时间安排 rows.
    pub schedule: Vec<ScheduleRow>,
    /// 附件 names.
    pub attachments: Vec<String>,
    /// 署名.
    pub signature: String,
    /// 成文日期 (ISO).
    pub date: NaiveDate,
    /// Asset name of the seal image (see [`SEAL_ASSET`]); none draws nothing.
    pub seal: Option<String>,
    /// 抄送 joined with ， and ending in 。; empty when there is none.
    pub cc: String,
    /// 印发机关.
    pub printer: String,
    /// 印发日期 (ISO).
    pub printed_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    pub seq: usize,
    pub name: String,
    pub due: NaiveDate,
    /// 2024年5月10日前
    pub due_zh: String,
    pub content: String,
}

/// Asset name the seal image is registered under (the extension tells Typst the format).
pub const SEAL_ASSET: &str = "assets/seal";

/// The wording context handed to `notice.tera` (tera names must be ASCII; the template
/// header explains each in Chinese).
#[derive(Debug, Serialize)]
struct BodyContext<'a> {
    name: &'a str,
    year: i32,
    province: &'a str,
    county: &'a str,
    township: &'a str,
    line: i64,
    authority: &'a str,
    phone: &'a str,
    publicity_days: u32,
    publicity_unit: &'a str,
    milestone_count: usize,
    milestones: Vec<BodyMilestone>,
    first_due: String,
    last_due: String,
}

#[derive(Debug, Serialize)]
struct BodyMilestone {
    seq: usize,
    name: String,
    due: String,
    content: String,
}

/// The authority's name: 发文.机关, else the township's people's government.
pub fn authority(ws: &Workspace) -> String {
    match ws
        .campaign
        .issuance
        .as_ref()
        .map(|i| i.authority.trim())
        .filter(|a| !a.is_empty())
    {
        Some(a) => a.to_string(),
        None => format!("{}人民政府", ws.campaign.region.township),
    }
}

fn default_title(name: &str) -> String {
    let name = name.trim();
    let work = if name.ends_with("工作") { "" } else { "工作" };
    format!("关于开展{name}{work}的通知")
}

/// The 公示期 rule (length and unit) from rules.yaml.
pub(crate) fn publicity_rule(ws: &Workspace) -> (u32, DurationUnit) {
    ws.rules
        .deadlines
        .iter()
        .filter(|r| {
            !r.disabled && r.from == Stage::PublicityStart && r.procedures.contains(&ProcedureKind::Identification)
        })
        .find_map(|r| r.min.map(|m| (m, r.unit)))
        .unwrap_or((5, DurationUnit::WorkingDays))
}

/// Builds the view. `date` is the 成文日期 when campaign.yaml gives none (the run's as-of
/// date). `seal_asset` is the asset name the caller registered the seal image under.
pub fn view<W: Wording>(
    ws: &Workspace,
    text: &W,
    date: NaiveDate,
    seal_asset: Option<String>,
) -> Result<NoticeView, W::Error> {
    let c = &ws.campaign;
    let iss = c.issuance.clone().unwrap_or_default();
    // The 通知 is posted publicly: numbers typed into its wording fields are masked. The
    // 监督电话 is the office's public line and printed as written.
    let authority = public(&authority(ws));
    let name = public(&c.name);
    let date = iss.date.unwrap_or(date);
    let schedule: Vec<ScheduleRow> = c
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| ScheduleRow {
            seq: i + 1,
            name: public(&m.name),
            due: m.due,
            due_zh: format!("{}前", date_zh(m.due)),
            content: public(m.content.as_deref().unwrap_or_default()),
        })
        .collect();
    let (days, unit) = publicity_rule(ws);
    let ctx = BodyContext {
        name: &name,
        year: c.year,
        province: &c.region.province,
        county: &c.region.county,
        township: &c.region.township,
        line: c.monitoring_line.round_yuan(),
        authority: &authority,
        phone: iss.phone.as_deref().unwrap_or(""),
        publicity_days: days,
        publicity_unit: match unit {
            DurationUnit::WorkingDays => "工作日",
            DurationUnit::CalendarDays => "自然日",
            DurationUnit::Months => "月",
        },
        milestone_count: schedule.len(),
        milestones: schedule
            .iter()
            .map(|r| BodyMilestone {
                seq: r.seq,
                name: r.name.clone(),
                due: date_zh(r.due),
                content: r.content.clone(),
            })
            .collect(),
        first_due: schedule.first().map(|r| date_zh(r.due)).unwrap_or_default(),
        last_due: schedule.last().map(|r| date_zh(r.due)).unwrap_or_default(),
    };
    let body = text.words(TEXT, &ctx)?;
    let to = if iss.to.is_empty() {
        String::new()
    } else {
        format!("{}：", public(&iss.to.join("、")))
    };
    let cc = if iss.cc.is_empty() {
        String::new()
    } else {
        format!("{}。", public(&iss.cc.join("，")))
    };
    let printer = iss
        .printer
        .clone()
        .filter(|p| !p.trim().is_empty())
        .map(|p| public(&p))
        .unwrap_or_else(|| format!("{authority}办公室"));
    Ok(NoticeView {
        mark: format!("{authority}文件"),
        doc_number: if iss.prefix.is_empty() {
            String::new()
        } else {
            iss.doc_number(c.year)
        },
        title: iss
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .map(|t| public(&t))
            .unwrap_or_else(|| default_title(&name)),
        to,
        body,
        schedule,
        attachments: iss.attachments.iter().map(|a| public(a)).collect(),
        signature: authority.clone(),
        date,
        seal: seal_asset,
        cc,
        printer,
        printed_date: date,
        authority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_title_adds_work() {
        assert_eq!(
            default_title("2024年第二季度防止返贫监测帮扶集中排查"),
            "关于开展2024年第二季度防止返贫监测帮扶集中排查工作的通知"
        );
        assert_eq!(default_title("集中排查工作"), "关于开展集中排查工作的通知");
    }
}
