//! Warnings for phone and ID numbers typed into free-text fields that public documents print
//! (公示, 公告, 通知). The documents mask them anyway (`model::privacy`); the warning names the
//! household and field so the clerk moves the number to its own column at the source.

use super::CAMPAIGN_FILE;
use crate::model::privacy::{find_contacts, mask_contacts};
use crate::model::{Campaign, Dataset, Diagnostic, Household, Place};

const FIX: &str = "电话号码请填在“联系电话”列、证件号码填在证件号码列，从此处删去（公开张贴的公示、公告会印出此处内容，号码已自动打码）";

/// Appends one warning per field that carries a mobile or ID number.
pub fn scan(data: &Dataset, campaign: &Campaign, diagnostics: &mut Vec<Diagnostic>) {
    let by_id: std::collections::HashMap<&str, &Household> =
        data.households.iter().map(|h| (h.id.as_str(), h)).collect();
    let who = |id: &str| match by_id.get(id) {
        Some(h) => format!("户 {}（{}）", h.id, mask_contacts(&h.head_name)),
        None => format!("户 {id}"),
    };
    let mut warn = |place: &Place, who: String, field: &str, value: &str| {
        let found = find_contacts(value);
        if found.is_empty() {
            return;
        }
        let mut kinds: Vec<&str> = found.iter().map(|c| c.kind.label()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        diagnostics.push(Diagnostic::warning(
            place.clone(),
            field,
            mask_contacts(value).into_owned(),
            format!("{who}的「{field}」中写有{}，公示、公告中已打码", kinds.join("和")),
            FIX,
        ));
    };
    for h in &data.households {
        let w = who(&h.id);
        warn(&h.place, w.clone(), "村民小组", &h.group);
        warn(&h.place, w.clone(), "户主姓名", &h.head_name);
        warn(&h.place, w.clone(), "风险类型", &h.risks.join("、"));
    }
    for m in &data.measures {
        warn(&m.place, who(&m.household_id), "措施类别", &m.category);
        warn(&m.place, who(&m.household_id), "具体措施", &m.detail);
    }
    for p in &data.procedures {
        if let Some(mode) = &p.elimination_mode {
            warn(&p.place, who(&p.household_id), "风险消除方式", mode);
        }
    }
    // campaign.yaml's wording fields reach the 通知 (监督电话 is meant to be public).
    let file = Place::file(CAMPAIGN_FILE);
    let c = campaign;
    warn(&file, "campaign.yaml".into(), "名称", &c.name);
    for m in &c.milestones {
        warn(&file, "campaign.yaml 时间安排".into(), "节点", &m.name);
        warn(
            &file,
            "campaign.yaml 时间安排".into(),
            "内容",
            m.content.as_deref().unwrap_or(""),
        );
    }
    if let Some(i) = &c.issuance {
        for (field, value) in [
            ("发文.机关", i.authority.clone()),
            ("发文.标题", i.title.clone().unwrap_or_default()),
            ("发文.主送", i.to.join("、")),
            ("发文.抄送", i.cc.join("、")),
            ("发文.附件", i.attachments.join("、")),
            ("发文.印发机关", i.printer.clone().unwrap_or_default()),
        ] {
            warn(&file, "campaign.yaml".into(), field, &value);
        }
    }
}
