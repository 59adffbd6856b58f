//! 农户承诺和授权查询书 (002 附件1): one page per household, batched per village.
//!
//! An internal document: members are listed with their full ID numbers, so every page is
//! marked 内部资料. The 户主 and every adult member get a 签字 and a 手印 box; the 代签 line
//! follows 002 §2(4) (不识字的农户可委托村干部、村民小组长或近亲属代为填写，同时加按本人手印).

use crate::model::{Household, Member, Workspace};
use crate::rules::Evaluation;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Title of the form, as in 002 附件1.
pub const TITLE: &str = "农户承诺和授权查询书";

/// The commitment text of 002 附件1, word for word (the source omits the final full stop).
pub const BODY: &str = "本人知晓申报监测对象有关政策和程序，申报时提供的家庭情况及相关信息客观真实，\
并授权相关部门在审查审核过程中，根据需要向公安、工商、税务、金融等单位查询本人及家庭成员的有关信息和资料。";

/// 002 §2(4): who may sign for a household that cannot write.
pub const PROXY_NOTE: &str = "农户不识字的，可以委托村干部、村民小组长或近亲属代为填写，同时加按本人手印。";

/// Age from which a member signs for himself or herself.
pub const ADULT_AGE: u32 = 18;

/// The village batch: every household of the village, one page each.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    pub title: String,
    /// 内部资料 mark printed on every page.
    pub internal_mark: String,
    pub township: String,
    pub village: String,
    /// Addressee line without the colon, e.g. 东山村委会.
    pub addressee: String,
    pub body: String,
    pub proxy_note: String,
    pub households: Vec<CommitmentPage>,
}

/// One household's page.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentPage {
    /// 户编号
    pub household_id: String,
    /// 村民小组
    pub group: String,
    /// 户主姓名
    pub head_name: String,
    /// Head first, then the other members in input order.
    pub members: Vec<CommitmentMember>,
    /// Signing date (签订承诺授权书 stage) as 2024年5月11日; empty: written by hand on signing.
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentMember {
    /// 序号, 1-based.
    pub seq: String,
    pub name: String,
    /// 与户主关系
    pub relation: String,
    /// Full 证件号码 (internal document).
    pub id_number: String,
    /// Age in years on the document date; empty when unknown.
    pub age: String,
    /// True for the 户主 and for members aged 18 or more (or of unknown age, so nobody
    /// who must sign is left without a box).
    pub signs: bool,
}

/// The 承诺授权书 batch for one village: one page per household that signs in this campaign
/// (the verdict's `signs_now`: an open 识别纳入 case without a signing date, or one signed in the
/// campaign's year). `None` when no household of the village signs now.
pub fn view(ws: &Workspace, eval: &Evaluation, village: &str) -> Option<CommitmentView> {
    let signing = signing_dates(eval, village);
    let households: Vec<&Household> = ws
        .data
        .households
        .iter()
        .filter(|h| h.village == village && signing.contains_key(h.id.as_str()))
        .collect();
    let first = households.first()?;
    let pages = households
        .iter()
        .map(|h| page(eval, h, signing.get(h.id.as_str()).copied().flatten()))
        .collect();
    Some(CommitmentView {
        title: TITLE.to_string(),
        internal_mark: super::internal_mark(super::DocKind::Commitment),
        township: first.township.clone(),
        village: village.to_string(),
        addressee: committee(village),
        body: BODY.to_string(),
        proxy_note: PROXY_NOTE.to_string(),
        households: pages,
    })
}

fn page(eval: &Evaluation, h: &Household, signed: Option<NaiveDate>) -> CommitmentPage {
    let on = signed.unwrap_or(eval.as_of);
    // Same choice of head as `Household::head`, kept as an index so the head is listed once.
    let head_idx = h
        .members
        .iter()
        .position(|m| m.id == h.head_id)
        .or_else(|| h.members.iter().position(|m| m.relation == "户主"));
    let mut rows: Vec<CommitmentMember> = Vec::with_capacity(h.members.len().max(1));
    match head_idx.and_then(|i| h.members.get(i)) {
        Some(head) => rows.push(member_row(head, true, on)),
        // Without a member row for the head, the household's own columns still identify them.
        None => rows.push(CommitmentMember {
            seq: String::new(),
            name: h.head_name.clone(),
            relation: "户主".to_string(),
            id_number: h.head_id.clone(),
            age: birth_from_id(&h.head_id)
                .and_then(|b| on.years_since(b))
                .map(|a| a.to_string())
                .unwrap_or_default(),
            signs: true,
        }),
    }
    for (i, m) in h.members.iter().enumerate() {
        if Some(i) != head_idx {
            rows.push(member_row(m, false, on));
        }
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.seq = (i + 1).to_string();
    }
    CommitmentPage {
        household_id: h.id.clone(),
        group: h.group.clone(),
        head_name: h.head_name.clone(),
        members: rows,
        date: signed.map(cn_date).unwrap_or_default(),
    }
}

fn member_row(m: &Member, is_head: bool, on: NaiveDate) -> CommitmentMember {
    let age = m.age_on(on);
    CommitmentMember {
        seq: String::new(),
        name: m.name.clone(),
        relation: if is_head && m.relation.is_empty() {
            "户主".to_string()
        } else {
            m.relation.clone()
        },
        id_number: m.id.clone(),
        age: age.map(|a| a.to_string()).unwrap_or_default(),
        signs: is_head || age.is_none_or(|a| a >= ADULT_AGE),
    }
}

/// The households of the village that sign in this campaign, with the recorded signing date
/// (None: signed by hand, the date line left blank). When a household has several such cases,
/// the latest recorded date wins.
fn signing_dates<'a>(eval: &'a Evaluation, village: &str) -> HashMap<&'a str, Option<NaiveDate>> {
    let mut out: HashMap<&str, Option<NaiveDate>> = HashMap::new();
    for v in eval.cases.iter().filter(|v| v.signs_now && v.village == village) {
        let e = out.entry(v.household_id.as_str()).or_insert(v.signed);
        *e = (*e).max(v.signed);
    }
    out
}

/// 出生日期 from an 18-character 证件号码 (characters 7–14, YYYYMMDD).
pub(crate) fn birth_from_id(id: &str) -> Option<NaiveDate> {
    let digits = id.get(6..14)?;
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The village committee a household addresses: 东山村 → 东山村委会, 巴彦嘎查 → 巴彦嘎查委员会.
pub(crate) fn committee(village: &str) -> String {
    if village.ends_with("村委会") || village.ends_with("委员会") {
        village.to_string()
    } else if village.ends_with('村') {
        format!("{village}委会")
    } else if village.ends_with("嘎查") || village.ends_with("社区") {
        format!("{village}委员会")
    } else {
        format!("{village}村委会")
    }
}

/// `2024年5月11日` (the one formatter, `model::date_zh`).
pub(crate) use crate::model::date_zh as cn_date;

#[cfg(test)]
pub(crate) mod fixture {
    //! A small hand-built workspace for the form views' unit tests.
    use crate::model::*;
    use crate::rules::{Evaluation, IncomeResult, ScreeningResult, Summary};
    use chrono::NaiveDate;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn member(hid: &str, name: &str, id: &str, relation: &str) -> Member {
        Member {
            household_id: hid.into(),
            name: name.into(),
            id: id.into(),
            relation: relation.into(),
            sex: None,
            birth: super::birth_from_id(id),
            labour: Some(LabourCapacity::Capable),
            health: None,
            schooling: None,
            severe_disability: false,
            place: Place::default(),
            disability: None,
            not_counted: None,
        }
    }

    pub fn household(id: &str, village: &str, head: &str, head_id: &str) -> Household {
        Household {
            id: id.into(),
            township: "巴彦塔拉达斡尔民族乡".into(),
            village: village.into(),
            group: "一组".into(),
            head_name: head.into(),
            head_id: head_id.into(),
            phone: Some("13800000000".into()),
            kind: HouseholdType::Lifted,
            monitor_category: None,
            size: 1,
            income: Income::default(),
            risks: vec![],
            basic_needs_met: Some(true),
            no_labour_household: false,
            exclusions: vec![],
            key_groups: vec![],
            helper: Some("王帮扶".into()),
            income_ok_since: None,
            note: None,
            members: vec![member(id, head, head_id, "户主")],
            place: Place::default(),
            monitored_since: None,
            eliminated_on: None,
            sanitary_toilet: None,
        }
    }

    pub fn workspace(households: Vec<Household>) -> Workspace {
        Workspace {
            root: PathBuf::from("data"),
            campaign: Campaign {
                name: "2024年第二季度防止返贫监测帮扶集中排查".into(),
                year: 2024,
                region: Region {
                    province: "内蒙古自治区".into(),
                    county: "鄂温克族自治旗".into(),
                    township: "巴彦塔拉达斡尔民族乡".into(),
                },
                monitoring_line: Money::from_yuan(8300),
                key_group_income_line: None,
                as_of: Some(date(2024, 6, 30)),
                pdf_standard: None,
                issuance: None,
                milestones: vec![],
                place: Place::default(),
            },
            rules: RulesFile::defaults(),
            data: Dataset {
                households,
                ..Dataset::default()
            },
            inputs: vec![],
            diagnostics: vec![],
            seal: None,
        }
    }

    /// An evaluation with neutral screening results for every household.
    pub fn evaluation(ws: &Workspace) -> Evaluation {
        Evaluation {
            as_of: date(2024, 6, 30),
            incomes: ws
                .data
                .households
                .iter()
                .map(|h| IncomeResult {
                    household_id: h.id.clone(),
                    net_total: None,
                    per_capita: h.income.per_capita,
                    above_line: h.income.per_capita.map(|p| p > ws.campaign.monitoring_line),
                    change: None,
                })
                .collect(),
            screening: ws
                .data
                .households
                .iter()
                .map(|h| ScreeningResult {
                    household_id: h.id.clone(),
                    basic_needs_met: h.basic_needs_met,
                    income_above_line: h.income.per_capita.map(|p| p > ws.campaign.monitoring_line),
                    key_group: false,
                    reasons: vec![],
                    exclusions: h.exclusions.clone(),
                })
                .collect(),
            compliance: vec![],
            ledger: vec![],
            summary: Summary::default(),
            findings: vec![],
            cases: crate::rules::evaluate(ws, date(2024, 6, 30))
                .map(|e| e.cases)
                .unwrap_or_default(),
        }
    }

    pub fn procedure(hid: &str, kind: ProcedureKind, stages: &[(Stage, NaiveDate)]) -> Procedure {
        Procedure {
            household_id: hid.into(),
            kind,
            lead_source: None,
            elimination_mode: None,
            stages: stages.iter().copied().collect::<BTreeMap<_, _>>(),
            income_ok_since: None,
            note: None,
            place: Place::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;
    use crate::model::{ProcedureKind, Stage};

    // Valid GB 11643 numbers (check digits verified) for a 1980 adult, a 2010 child, a 2006 youth.
    const ADULT: &str = "150724198001010015";
    const CHILD: &str = "150724201003030022";
    const TEEN: &str = "15072420060701001X";

    /// An open 识别纳入 case (lead found, nothing signed yet) for each household id.
    fn open_cases(ws: &mut Workspace, ids: &[&str]) {
        for id in ids {
            ws.data.procedures.push(procedure(
                id,
                ProcedureKind::Identification,
                &[(Stage::LeadFound, date(2024, 6, 1))],
            ));
        }
    }

    #[test]
    fn one_page_per_household_that_signs_now_in_the_village_only() {
        // 002 §2(4): the form is signed at the 入户核实 of this campaign's case.
        let mut ws = workspace(vec![
            household("H1", "东山村", "张三", ADULT),
            household("H2", "西山村", "李四", ADULT),
            household("H3", "东山村", "王五", ADULT),
            household("H4", "东山村", "赵六", ADULT),
        ]);
        open_cases(&mut ws, &["H1", "H2", "H3"]);
        // H4 was identified in 2021 with a signed form: nothing to sign in this campaign.
        ws.data.procedures.push(procedure(
            "H4",
            ProcedureKind::Identification,
            &[
                (Stage::Commitment, date(2021, 6, 12)),
                (Stage::CountyApproval, date(2021, 6, 30)),
            ],
        ));
        let ev = evaluation(&ws);
        let v = view(&ws, &ev, "东山村").unwrap();
        let heads: Vec<_> = v.households.iter().map(|h| h.head_name.as_str()).collect();
        assert_eq!(heads, ["张三", "王五"]);
        assert_eq!(v.addressee, "东山村委会");
        assert_eq!(v.internal_mark, "内部资料");
        assert!(view(&ws, &ev, "北山村").is_none());
        // A village where nobody signs now gets no forms.
        let mut ws = workspace(vec![household("H4", "东山村", "赵六", ADULT)]);
        ws.data.procedures.push(procedure(
            "H4",
            ProcedureKind::Identification,
            &[(Stage::CountyApproval, date(2023, 6, 12))],
        ));
        assert!(view(&ws, &evaluation(&ws), "东山村").is_none());
    }

    #[test]
    fn adults_sign_children_do_not_and_ids_are_full() {
        let mut h = household("H1", "东山村", "张三", ADULT);
        h.members.push(member("H1", "张小", CHILD, "子"));
        // 18 on 2024-07-01: still 17 on the as_of date 2024-06-30.
        h.members.push(member("H1", "张青", TEEN, "女"));
        // The head listed last in the input still comes first.
        h.members.rotate_left(1);
        let mut ws = workspace(vec![h]);
        open_cases(&mut ws, &["H1"]);
        let ev = evaluation(&ws);
        let p = &view(&ws, &ev, "东山村").unwrap().households[0];
        let names: Vec<_> = p
            .members
            .iter()
            .map(|m| (m.seq.as_str(), m.name.as_str(), m.signs))
            .collect();
        assert_eq!(
            names,
            vec![("1", "张三", true), ("2", "张小", false), ("3", "张青", false)]
        );
        assert_eq!(p.members[0].id_number, ADULT);
        assert_eq!(p.members[0].age, "44");
        assert_eq!(p.members[2].age, "17");
        // Not signed yet: the date line is left blank for the day of signing.
        assert_eq!(p.date, "");
    }

    #[test]
    fn a_recorded_signing_date_dates_the_form_and_the_ages() {
        // Born 2006-06-25: 17 when the form was signed on 2024-06-20, 18 on the run date.
        let first17 = "15072420060625001";
        let id = format!("{first17}{}", crate::ingest::id_check_digit(first17).unwrap());
        let mut h = household("H1", "东山村", "张三", ADULT);
        h.members.push(member("H1", "张青", &id, "女"));
        let mut ws = workspace(vec![h]);
        ws.data.procedures.push(procedure(
            "H1",
            ProcedureKind::Identification,
            &[
                (Stage::LeadFound, date(2024, 6, 18)),
                (Stage::Commitment, date(2024, 6, 20)),
            ],
        ));
        let ev = evaluation(&ws);
        let p = &view(&ws, &ev, "东山村").unwrap().households[0];
        assert_eq!(p.date, "2024年6月20日");
        assert_eq!(p.members[1].age, "17");
        assert!(!p.members[1].signs);
    }

    #[test]
    fn head_without_member_row_is_still_listed() {
        let mut h = household("H1", "巴彦嘎查", "乌力吉", ADULT);
        h.members.clear();
        let mut ws = workspace(vec![h]);
        open_cases(&mut ws, &["H1"]);
        let ev = evaluation(&ws);
        let v = view(&ws, &ev, "巴彦嘎查").unwrap();
        assert_eq!(v.addressee, "巴彦嘎查委员会");
        let m = &v.households[0].members[0];
        assert_eq!(
            (m.name.as_str(), m.relation.as_str(), m.id_number.as_str(), m.signs),
            ("乌力吉", "户主", ADULT, true)
        );
        assert_eq!(m.age, "44");
    }

    #[test]
    fn helpers() {
        assert_eq!(cn_date(date(2023, 5, 8)), "2023年5月8日");
        assert_eq!(birth_from_id(ADULT), Some(date(1980, 1, 1)));
        assert_eq!(birth_from_id("12"), None);
        assert_eq!(committee("桃沟"), "桃沟村委会");
        assert_eq!(committee("东山社区"), "东山社区委员会");
    }
}
