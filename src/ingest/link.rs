//! Cross-file assembly: households from every file, members attached, dependents linked, and the
//! checks that need the whole workspace (duplicate 户编号 / 证件号码, unknown households, head rows).

use super::build::{CrossCheck, FileData, HouseholdKey, Linked, LooseMember, PendingHousehold, PendingProblem};
use super::fields::Field;
use crate::model::{Campaign, Dataset, Diagnostic, Household, Place, ProblemLevel};
use std::collections::HashMap;

/// Builds the dataset from the files' data (in processing order) and appends cross-file problems.
pub fn assemble(
    files: Vec<FileData>,
    campaign: &Campaign,
    data_match: Option<chrono::NaiveDate>,
    diags: &mut Vec<Diagnostic>,
) -> Dataset {
    let mut pending: Vec<PendingHousehold> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut loose: Vec<LooseMember> = Vec::new();
    let mut procedures = Vec::new();
    let mut measures = Vec::new();
    let mut problems: Vec<PendingProblem> = Vec::new();
    let mut reports = Vec::new();
    let mut visits = Vec::new();
    let mut export_measures = Vec::new();
    let mut rosters = Vec::new();
    let mut roster_dates = Vec::new();
    // A household a national export and a village workbook (or the two kinds of export) both
    // describe: (index of the record kept, the other record), compared once members are attached.
    let mut shadows: Vec<(usize, PendingHousehold)> = Vec::new();

    for f in files {
        diags.extend(f.diagnostics);
        for h in f.households {
            if let Some(&i) = by_id.get(&h.h.id)
                && pending[i].export != h.export
            {
                // The village workbook is this campaign's data and wins over an export; of two
                // exports the 监测对象 one (it knows the monitoring state) wins.
                use super::national::ExportKind::{Lifted, Monitoring};
                let keep_new = matches!(
                    (pending[i].export, h.export),
                    (Some(_), None) | (Some(Lifted), Some(Monitoring))
                );
                let other = if keep_new {
                    std::mem::replace(&mut pending[i], h)
                } else {
                    h
                };
                shadows.push((i, other));
                continue;
            }
            if let Some(&i) = by_id.get(&h.h.id) {
                let first = &pending[i].id_place;
                let where_ = if first.file == h.id_place.file {
                    "本文件"
                } else {
                    "另一文件"
                };
                diags.push(Diagnostic::error(
                    h.id_place.clone(),
                    Field::HouseholdId.label(),
                    h.h.id.clone(),
                    format!("户编号重复：{where_}中已有此户（{first}），本行未读取"),
                    "每户只登记一次；如是不同的户，请改用不同的户编号",
                ));
                continue;
            }
            by_id.insert(h.h.id.clone(), pending.len());
            pending.push(h);
        }
        loose.extend(f.members);
        procedures.extend(f.procedures);
        measures.extend(f.measures);
        problems.extend(f.problems);
        reports.extend(f.reports);
        visits.extend(f.visits);
        export_measures.extend(f.export_measures);
        rosters.extend(f.rosters);
        roster_dates.extend(f.roster_dates);
    }

    // The same record handed in twice (a second workbook 新村（补报）.xlsx with the same rows) is
    // read once; the second is an error naming both places, so nothing is counted twice.
    let procedures = dedupe(
        procedures,
        |l| format!("{}|{:?}|{:?}", l.item.household_id, l.item.kind, l.item.stages),
        |l| &l.item.place,
        |l| {
            (
                Field::HouseholdId.label(),
                l.item.household_id.clone(),
                format!("{}程序", l.item.kind.label()),
            )
        },
        diags,
    );
    let problems = dedupe(
        problems,
        |pp| {
            let p = &pp.p;
            format!(
                "{:?}|{:?}|{:?}|{:?}|{:?}|{}",
                p.level,
                p.village,
                p.household_id,
                p.head_name,
                p.kind,
                p.content.split_whitespace().collect::<String>()
            )
        },
        |pp| &pp.p.place,
        |pp| ("具体内容", super::limits::clip(&pp.p.content), "问题".to_string()),
        diags,
    );
    let reports = dedupe(
        reports,
        |r| format!("{}|{}", r.unit, r.milestone),
        |r| &r.place,
        |r| {
            (
                Field::ReportUnit.label(),
                r.unit.clone(),
                format!("“{}”节点的进度", r.milestone),
            )
        },
        diags,
    );
    let visits = dedupe(
        visits,
        |l: &Linked<crate::model::Visit>| format!("{}|{:?}|{}", l.item.household_id, l.item.kind, l.item.date),
        |l| &l.item.place,
        |l| {
            (
                Field::HouseholdId.label(),
                l.item.household_id.clone(),
                format!("{}（{}）", l.item.kind.label(), l.item.date),
            )
        },
        diags,
    );

    // Members named by 户主证件号码 find their household through its head.
    let mut by_head: HashMap<String, usize> = HashMap::new();
    for (i, p) in pending.iter().enumerate() {
        if !p.h.head_id.is_empty() {
            by_head.entry(p.h.head_id.clone()).or_insert(i);
        }
    }
    for m in loose {
        let idx = match &m.key {
            HouseholdKey::Id(id) => by_id.get(id).copied(),
            HouseholdKey::HeadId(h) => by_head.get(h).copied(),
        };
        match idx {
            Some(i) => pending[i].members.push(m),
            None => {
                let (field, value, what) = match &m.key {
                    HouseholdKey::Id(id) => (Field::HouseholdId, id.clone(), format!("户编号 {id}")),
                    HouseholdKey::HeadId(h) => (Field::HeadId, h.clone(), format!("户主证件号码 {h}")),
                };
                diags.push(Diagnostic::error(
                    m.key_place.clone(),
                    field.label(),
                    value,
                    format!("找不到{what} 对应的户，此成员无法归户"),
                    "先在户表中登记该户，或改正此处的户编号",
                ));
            }
        }
    }

    for (i, other) in shadows {
        super::national::reconcile(&mut pending[i], other, diags);
    }

    // An export's measures (no date) add to what a village workbook lists, never repeat it.
    let mut known: std::collections::HashSet<(String, String, String)> = measures
        .iter()
        .map(|l: &Linked<crate::model::Measure>| {
            (
                l.item.household_id.clone(),
                l.item.category.clone(),
                l.item.detail.clone(),
            )
        })
        .collect();
    for l in export_measures {
        let k = (
            l.item.household_id.clone(),
            l.item.category.clone(),
            l.item.detail.clone(),
        );
        if known.insert(k) {
            measures.push(l);
        }
    }

    let mut households: Vec<Household> = Vec::with_capacity(pending.len());
    let mut seen_ids: HashMap<String, (String, Place)> = HashMap::new();
    let mut seen_heads: HashMap<String, (String, Place)> = HashMap::new();
    for p in pending {
        households.push(finish_household(p, &mut seen_ids, &mut seen_heads, diags));
    }

    let index: HashMap<&str, usize> = households.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    let mut by_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, h) in households.iter().enumerate() {
        by_name
            .entry((h.village.as_str(), h.head_name.as_str()))
            .or_default()
            .push(i);
    }

    let procedures = link_all(procedures, &index, &households, |p| &p.household_id, diags);
    let measures = link_all(measures, &index, &households, |m| &m.household_id, diags);
    // A visit of an unknown household is kept: the rules warn about it (it never stops a build).
    let visits = visits
        .into_iter()
        .map(|l| {
            if let Some(&i) = index.get(l.item.household_id.as_str()) {
                cross_checks(&households[i], &l.checks, diags);
            }
            l.item
        })
        .collect();

    let mut out_problems = Vec::with_capacity(problems.len());
    for pp in problems {
        let PendingProblem {
            mut p,
            household_place,
            head_type,
        } = pp;
        if p.level != ProblemLevel::Household {
            out_problems.push(p);
            continue;
        }
        let found = match (&p.household_id, &p.head_name, &p.village) {
            (Some(id), _, _) => match index.get(id.as_str()) {
                Some(&i) => Some(i),
                None => {
                    diags.push(Diagnostic::error(
                        household_place,
                        Field::HouseholdId.label(),
                        id.clone(),
                        format!("找不到户编号 {id} 对应的户"),
                        "改正户编号，或先在户表中登记该户",
                    ));
                    continue;
                }
            },
            (None, Some(name), Some(village)) => {
                match by_name.get(&(village.as_str(), name.as_str())).map(Vec::as_slice) {
                    Some([i]) => Some(*i),
                    Some(many) if many.len() > 1 => {
                        let ids: Vec<&str> = many.iter().map(|&i| households[i].id.as_str()).collect();
                        diags.push(Diagnostic::error(
                            household_place,
                            Field::HeadName.label(),
                            name.clone(),
                            format!(
                                "{village}有{}户户主都叫{name}（户编号 {}），无法确定是哪一户",
                                many.len(),
                                ids.join("、")
                            ),
                            "填写户编号",
                        ));
                        continue;
                    }
                    _ => {
                        diags.push(Diagnostic::error(
                            household_place,
                            Field::HeadName.label(),
                            name.clone(),
                            format!("在{village}找不到户主姓名为{name}的户"),
                            "核对户主姓名和村名，或填写户编号",
                        ));
                        continue;
                    }
                }
            }
            // Already reported while reading (no household given, or no village to search in).
            _ => None,
        };
        if let Some(i) = found {
            let h = &households[i];
            if let Some(name) = &p.head_name
                && *name != h.head_name
                && p.household_id.is_some()
            {
                diags.push(Diagnostic::warning(
                    p.place.clone(),
                    Field::HeadName.label(),
                    name.clone(),
                    format!("与户编号 {} 登记的户主“{}”不一致", h.id, h.head_name),
                    "核对户编号与户主姓名",
                ));
            }
            if let Some(v) = &p.village
                && *v != h.village
            {
                diags.push(Diagnostic::warning(
                    p.place.clone(),
                    Field::Village.label(),
                    v.clone(),
                    format!("与户 {} 登记的行政村“{}”不一致", h.id, h.village),
                    "核对村名",
                ));
            }
            if let Some((t, place)) = head_type
                && t != h.kind
            {
                diags.push(Diagnostic::warning(
                    place,
                    Field::HouseholdType.label(),
                    t.label(),
                    format!("与户 {} 登记的户类型“{}”不一致", h.id, h.kind.label()),
                    "核对户类型",
                ));
            }
            p.household_id = Some(h.id.clone());
            p.head_name = Some(h.head_name.clone());
            if p.village.is_none() {
                p.village = Some(h.village.clone());
            }
            out_problems.push(p);
        }
    }

    let mut units: std::collections::HashSet<&str> = households.iter().map(|h| h.village.as_str()).collect();
    units.insert(campaign.region.township.as_str());
    for r in &reports {
        if !units.contains(r.unit.as_str()) {
            diags.push(Diagnostic::warning(
                r.place.clone(),
                Field::ReportUnit.label(),
                r.unit.clone(),
                format!("单位既不是本乡镇“{}”，也不是数据中的村", campaign.region.township),
                "核对单位名称（应与户表中的行政村名或乡镇名一致）",
            ));
        }
    }

    let mut data = Dataset {
        households,
        procedures,
        measures,
        problems: out_problems,
        milestone_reports: reports,
        rosters: Vec::new(),
        visits,
    };
    super::rosters::link(&mut data, rosters, diags);
    super::rosters::fill_data_match(&mut data, data_match, &roster_dates, diags);
    data
}

/// Keeps the first of the items with the same `key`; every later one is an error naming both
/// places. `what` gives the field, the value shown and what the record is (for the message).
fn dedupe<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    place: impl Fn(&T) -> &Place,
    what: impl Fn(&T) -> (&'static str, String, String),
    diags: &mut Vec<Diagnostic>,
) -> Vec<T> {
    let mut first: HashMap<String, Place> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let k = key(&item);
        if let Some(p) = first.get(&k) {
            let (field, value, record) = what(&item);
            let where_ = if p.file == place(&item).file {
                "本文件"
            } else {
                "另一文件"
            };
            diags.push(Diagnostic::error(
                place(&item).clone(),
                field,
                value,
                format!("同一条{record}记录登记了两次：与{where_}的 {p} 相同，本行未读取"),
                "删除重复的一处（如“补报”文件中的记录原文件中已有，只保留一处）；如确是两条不同的记录，请改正其内容",
            ));
            continue;
        }
        first.insert(k, place(&item).clone());
        out.push(item);
    }
    out
}

/// Attaches dependents (procedures, measures) to existing households; unknown ones are reported.
fn link_all<T>(
    items: Vec<Linked<T>>,
    index: &HashMap<&str, usize>,
    households: &[Household],
    id: impl Fn(&T) -> &String,
    diags: &mut Vec<Diagnostic>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for l in items {
        let hid = id(&l.item);
        match index.get(hid.as_str()) {
            Some(&i) => {
                cross_checks(&households[i], &l.checks, diags);
                out.push(l.item);
            }
            None => diags.push(Diagnostic::error(
                l.key_place.clone(),
                Field::HouseholdId.label(),
                hid.clone(),
                format!("找不到户编号 {hid} 对应的户"),
                "改正户编号，或先在户表中登记该户",
            )),
        }
    }
    out
}

fn cross_checks(h: &Household, checks: &[CrossCheck], diags: &mut Vec<Diagnostic>) {
    for c in checks {
        let expected = match c.field {
            Field::HeadName => &h.head_name,
            Field::Village => &h.village,
            _ => continue,
        };
        if expected.is_empty() || c.value == *expected {
            continue;
        }
        diags.push(Diagnostic::warning(
            c.place.clone(),
            c.field.label(),
            c.value.clone(),
            format!("与户 {} 登记的「{}」“{}”不一致", h.id, c.field.label(), expected),
            "核对户编号，或改正此处的值",
        ));
    }
}

fn is_head(relation: &str) -> bool {
    matches!(relation.trim(), "户主" | "本人" | "本人（户主）" | "本人(户主)")
}

/// Fills the head from the member rows when needed, and checks heads, head count and IDs.
fn finish_household(
    p: PendingHousehold,
    seen_ids: &mut HashMap<String, (String, Place)>,
    seen_heads: &mut HashMap<String, (String, Place)>,
    diags: &mut Vec<Diagnostic>,
) -> Household {
    let PendingHousehold {
        mut h,
        head_name_place,
        head_id_place,
        size_given,
        size_place,
        head_id_invalid,
        members,
        ..
    } = p;
    for m in &members {
        cross_checks(&h, &m.checks, diags);
    }
    let heads: Vec<&LooseMember> = members.iter().filter(|m| is_head(&m.member.relation)).collect();
    if let Some(head) = heads.first() {
        let hm = &head.member;
        if h.head_name.is_empty() {
            h.head_name = hm.name.clone();
        } else if !hm.name.is_empty() && hm.name != h.head_name {
            diags.push(Diagnostic::warning(
                head_name_place.clone(),
                Field::HeadName.label(),
                h.head_name.clone(),
                format!("户主姓名与成员中户主“{}”（{}）不一致", hm.name, hm.place),
                "核对户主姓名",
            ));
        }
        if h.head_id.is_empty() {
            if !head_id_invalid {
                h.head_id = hm.id.clone();
            }
        } else if !hm.id.is_empty() && hm.id != h.head_id {
            diags.push(Diagnostic::error(
                head_id_place.clone(),
                Field::HeadId.label(),
                h.head_id.clone(),
                format!(
                    "户主证件号码与成员中户主的证件号码 {}（{}）不一致",
                    hm.id, head.id_place
                ),
                "核对并改正其中一处",
            ));
        }
    }
    if heads.len() > 1 {
        diags.push(Diagnostic::warning(
            heads[1].member.place.clone(),
            Field::Relation.label(),
            heads[1].member.relation.clone(),
            format!("户 {} 有{}名成员的与户主关系是“户主”", h.id, heads.len()),
            "每户只能有一名户主，核对与户主关系",
        ));
    } else if heads.is_empty() && !members.is_empty() {
        diags.push(Diagnostic::warning(
            members[0].member.place.clone(),
            Field::Relation.label(),
            "",
            format!("户 {} 的成员中没有与户主关系为“户主”的人", h.id),
            "把户主本人的与户主关系填为“户主”",
        ));
    }
    if h.head_name.is_empty() {
        diags.push(Diagnostic::error(
            head_name_place,
            Field::HeadName.label(),
            "",
            "缺少户主姓名",
            "填写户主姓名（或在成员中把户主的与户主关系填为“户主”）",
        ));
    }
    if h.head_id.is_empty() && !head_id_invalid {
        diags.push(Diagnostic::error(
            head_id_place.clone(),
            Field::HeadId.label(),
            "",
            "缺少户主证件号码",
            "填写户主证件号码（或在成员中列出户主本人）",
        ));
    }
    // 家庭人口数 counts the members who are counted (000 附件1(九)).
    let n = members.iter().filter(|m| m.member.not_counted.is_none()).count() as u32;
    if !size_given {
        if n > 0 {
            h.size = n;
        } else {
            diags.push(Diagnostic::error(
                size_place,
                Field::Size.label(),
                "",
                "家庭人口数为空，且没有成员行可以推算",
                "填写家庭人口数，或列出全部家庭成员",
            ));
        }
    } else if h.size != n {
        diags.push(Diagnostic::warning(
            size_place,
            Field::Size.label(),
            h.size.to_string(),
            format!("家庭人口数为{}，但列出了{}名成员", h.size, n),
            "核对家庭人口数，或补全成员行",
        ));
    }
    if !h.head_id.is_empty() && !members.iter().any(|m| m.member.id == h.head_id) {
        match seen_heads.get(&h.head_id) {
            Some((other, place)) => diags.push(Diagnostic::error(
                head_id_place,
                Field::HeadId.label(),
                h.head_id.clone(),
                format!("同一证件号码已是户 {other} 的户主（{place}）"),
                "一人只能在一户；核对证件号码",
            )),
            None => {
                seen_heads.insert(h.head_id.clone(), (h.id.clone(), head_id_place));
            }
        }
    }
    for m in members {
        let LooseMember {
            mut member, id_place, ..
        } = m;
        member.household_id = h.id.clone();
        if !member.id.is_empty() {
            match seen_ids.get(&member.id) {
                Some((other, place)) => {
                    let msg = if *other == h.id {
                        format!("同一人在本户重复列出（另见 {place}）")
                    } else {
                        format!("同一证件号码也出现在户 {other} 中（{place}），一人不能同时在两户")
                    };
                    diags.push(Diagnostic::error(
                        id_place,
                        Field::IdNumber.label(),
                        member.id.clone(),
                        msg,
                        "核对证件号码，删除重复的成员",
                    ));
                    continue;
                }
                None => {
                    seen_ids.insert(member.id.clone(), (h.id.clone(), id_place));
                }
            }
        }
        h.members.push(member);
    }
    h
}
