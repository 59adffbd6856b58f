//! The names that become output folders and file names (campaign 名称, 乡镇, every 村) checked
//! against the one folder-name rule (`model::folder_name`) at ingest, so a bad name is an input
//! error before anything is rendered, and two villages that would share a folder are caught
//! instead of overwriting each other's documents.

use super::CAMPAIGN_FILE;
use super::build::bad_path_chars;
use crate::model::{Campaign, Dataset, Diagnostic, Place, collision_key, escape_controls, folder_name};
use std::collections::{HashMap, HashSet};

/// Checks every unit name. Campaign and township names are fatal (returned: the campaign.yaml
/// is wrong, and the 数据问题清单 itself is named after the campaign); village names add
/// diagnostics.
pub(crate) fn check_names(
    campaign: &Campaign,
    data: &Dataset,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Vec<Diagnostic>> {
    let mut fatal = Vec::new();
    for (field, name) in [("名称", &campaign.name), ("乡镇", &campaign.region.township)] {
        // parse_campaign already reports separators and Windows-forbidden characters.
        if bad_path_chars(name) {
            continue;
        }
        if let Err(e) = folder_name(name) {
            fatal.push(Diagnostic::error(
                Place::file(CAMPAIGN_FILE),
                field,
                name.clone(),
                format!("{field}会用作输出文件夹名，但{e}"),
                e.fix(),
            ));
        }
    }

    // Every village with the first place naming it: households first, then problems.
    let mut first: Vec<(&str, &Place)> = Vec::new();
    let mut seen = HashSet::new();
    let mut on_household_rows = HashSet::new();
    for h in &data.households {
        on_household_rows.insert(h.village.as_str());
        if seen.insert(h.village.as_str()) {
            first.push((&h.village, &h.place));
        }
    }
    for p in &data.problems {
        if let Some(v) = p.village.as_deref().filter(|v| !v.is_empty())
            && seen.insert(v)
        {
            first.push((v, &p.place));
        }
    }

    let mut by_key: HashMap<String, (&str, &Place)> = HashMap::new();
    for (name, place) in first {
        // The household reader reports separators and control characters on every row already.
        let reported = on_household_rows.contains(name) && bad_path_chars(name);
        if let Err(e) = folder_name(name)
            && !reported
            && !name.is_empty()
        {
            diagnostics.push(Diagnostic::error(
                place.clone(),
                "行政村",
                name,
                format!("村名会用作输出文件夹名，但{e}"),
                e.fix(),
            ));
        }
        match by_key.get(&collision_key(name)) {
            Some((other, other_place)) => diagnostics.push(Diagnostic::error(
                place.clone(),
                "行政村",
                name,
                format!(
                    "村名“{}”（{}）与“{}”（{}）会写入同一个文件夹（Windows 不区分大小写、去掉末尾的点和空格），两村的文书会互相覆盖",
                    escape_controls(name),
                    place,
                    escape_controls(other),
                    other_place
                ),
                "把两处的村名改成同一个写法（如果是同一个村），或改成能区分的名称",
            )),
            None => {
                by_key.insert(collision_key(name), (name, place));
            }
        }
    }
    if fatal.is_empty() { Ok(()) } else { Err(fatal) }
}

#[cfg(test)]
mod tests {
    use crate::ingest::load_in_memory;

    fn campaign(name: &str, township: &str) -> String {
        format!(
            "名称: \"{name}\"\n年度: 2024\n地区: {{省: 云南省, 县: 青溪县, 乡镇: \"{township}\"}}\n监测范围: 7600\n"
        )
    }

    fn households(village: &str, id: &str) -> String {
        format!("户:\n- 户编号: {id}\n  行政村: \"{village}\"\n  户主姓名: 张三\n  户类型: 一般农户\n  家庭人口数: 1\n")
    }

    #[test]
    fn reserved_and_long_campaign_and_township_names_are_fatal() {
        for (name, township) in [
            ("CON", "石桥镇"),
            ("排查", "aux"),
            (&*"排".repeat(61), "石桥镇"),
            ("排查.", "石桥镇"),
        ] {
            let r = load_in_memory(campaign(name, township).as_bytes(), None, &[]);
            match r {
                Err(crate::ingest::IngestError::Campaign(d)) => {
                    assert_eq!(d.len(), 1, "{d:?}");
                    assert!(d[0].message.contains("文件夹名"), "{}", d[0]);
                }
                other => panic!("{name}/{township}: {:?}", other.map(|w| w.diagnostics)),
            }
        }
    }

    #[test]
    fn village_names_and_collisions() {
        let a = households("新村.", "H1");
        let b = households("新村", "H2");
        let c = households("Nul", "H3");
        let ws = load_in_memory(
            campaign("排查", "石桥镇").as_bytes(),
            None,
            &[
                ("a.yaml", a.as_bytes()),
                ("b.yaml", b.as_bytes()),
                ("c.yaml", c.as_bytes()),
            ],
        )
        .unwrap();
        let msgs: Vec<String> = ws
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        let all = msgs.join("\n");
        let every: Vec<String> = ws.diagnostics.iter().map(|d| d.to_string()).collect();
        let all = format!("{all}\n--\n{}", every.join("\n"));
        assert!(all.contains("a.yaml") && all.contains("末尾有点"), "{all}");
        assert!(all.contains("保留设备名"), "{all}");
        let collision = msgs.iter().find(|m| m.contains("会写入同一个文件夹")).expect(&all);
        assert!(
            collision.contains("新村.") && collision.contains("a.yaml"),
            "{collision}"
        );
        assert!(
            collision.contains("“新村”") && collision.contains("b.yaml"),
            "{collision}"
        );
    }

    #[test]
    fn good_names_add_nothing() {
        let a = households("新村", "H1");
        let ws = load_in_memory(campaign("排查", "石桥镇").as_bytes(), None, &[("a.yaml", a.as_bytes())]).unwrap();
        assert!(
            !ws.diagnostics.iter().any(|d| d.message.contains("文件夹")),
            "{:?}",
            ws.diagnostics
        );
    }
}
