//! Records → model values, field by field, with every problem reported. Excel and YAML share this.

use super::fields::Field;
use super::record::{Reader, Record};
use super::values::to_half_width;
use crate::model::{
    Campaign, Diagnostic, Household, HouseholdType, Income, LabourCapacity, Measure, Member, MilestoneReport,
    MonitorCategory, Place, Problem, ProblemLevel, ProblemType, Procedure, ProcedureKind, RectificationStatus, Sex,
    Stage, Visit, VisitKind,
};
use std::collections::BTreeMap;

/// What the build functions need besides the record.
pub struct Ctx<'a> {
    pub campaign: &'a Campaign,
}

/// A household before cross-file checks (its head may still come from its member rows).
#[derive(Debug, Clone)]
pub struct PendingHousehold {
    pub h: Household,
    /// Where 户主姓名 / 户主证件号码 are (or would be) written, for "missing" errors after linking.
    pub head_name_place: Place,
    pub head_id_place: Place,
    /// 家庭人口数 was given (else it is taken from the member rows).
    pub size_given: bool,
    pub size_place: Place,
    /// The head ID was given but invalid (already reported; do not report it missing).
    pub head_id_invalid: bool,
    /// Where 户编号 is, for duplicate reports.
    pub id_place: Place,
    /// Members read with the household (one-sheet layout, nested YAML); moved into `h` on assembly.
    pub members: Vec<LooseMember>,
    /// Read from a national-system export (which one), not from a village workbook.
    pub export: Option<super::national::ExportKind>,
}

/// How a member row names its household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdKey {
    Id(String),
    HeadId(String),
}

/// A value given on a dependent record that must agree with its household (户主姓名, 行政村 …).
#[derive(Debug, Clone)]
pub struct CrossCheck {
    pub field: Field,
    pub value: String,
    pub place: Place,
}

/// A member row whose household is found after all files are read.
#[derive(Debug, Clone)]
pub struct LooseMember {
    pub key: HouseholdKey,
    pub key_place: Place,
    /// Where 证件号码 is, for duplicate reports.
    pub id_place: Place,
    pub member: Member,
    pub checks: Vec<CrossCheck>,
}

/// A procedure/measure with the place of its 户编号 and its cross-checks.
#[derive(Debug, Clone)]
pub struct Linked<T> {
    pub item: T,
    pub key_place: Place,
    pub checks: Vec<CrossCheck>,
}

/// A problem whose household (by 户编号 or by 户主姓名 within the village) is resolved later.
#[derive(Debug, Clone)]
pub struct PendingProblem {
    pub p: Problem,
    pub household_place: Place,
    pub head_type: Option<(HouseholdType, Place)>,
}

/// Everything read from one file.
#[derive(Debug, Default)]
pub struct FileData {
    pub households: Vec<PendingHousehold>,
    pub members: Vec<LooseMember>,
    pub procedures: Vec<Linked<Procedure>>,
    pub measures: Vec<Linked<Measure>>,
    pub problems: Vec<PendingProblem>,
    pub reports: Vec<MilestoneReport>,
    /// 帮扶效果评估 / 遍访 records (an unknown 户编号 is reported by the rules, not here).
    pub visits: Vec<Linked<Visit>>,
    /// Measures read from a national-system export (dropped where the same measure is already known).
    pub export_measures: Vec<Linked<Measure>>,
    /// People on department rosters, matched to members once every file is read.
    pub rosters: Vec<super::rosters::PendingRoster>,
    /// Export dates of the department rosters read (for the 信息比对 stage).
    pub roster_dates: Vec<(chrono::NaiveDate, Place)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Data rows taken (all sheets / lists).
    pub rows: usize,
}

/// Characters that cannot appear in a folder name on Windows or Unix (village names become folders).
pub fn bad_path_chars(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control())
        || s == "."
        || s == ".."
}

fn cross(rd: &mut Reader, r: &dyn Record, checks: &mut Vec<CrossCheck>, f: Field) {
    let v = if matches!(f, Field::HeadName) {
        rd.name(r, f, false)
    } else {
        rd.text(r, f)
    };
    if let Some(value) = v {
        let place = rd.src.place(&rd.loc_of(r, f));
        checks.push(CrossCheck { field: f, value, place });
    }
}

fn required_closed<T: Copy>(
    rd: &mut Reader,
    r: &dyn Record,
    f: Field,
    parse: fn(&str) -> Option<T>,
    labels: &[&str],
) -> Option<T> {
    let (cell, loc) = r.cell(f)?;
    if cell.is_empty() {
        rd.error(
            &loc,
            f,
            "",
            format!("必填项「{}」为空", f.label()),
            format!("填写以下之一：{}", labels.join("、")),
        );
        return None;
    }
    rd.closed(r, f, parse, labels)
}

fn required_date(rd: &mut Reader, r: &dyn Record, f: Field) -> Option<chrono::NaiveDate> {
    let (cell, loc) = r.cell(f)?;
    if cell.is_empty() {
        rd.error(
            &loc,
            f,
            "",
            format!("必填项「{}」为空", f.label()),
            "填写日期，如 2024-06-30",
        );
        return None;
    }
    rd.date(r, f)
}

/// The last day a person covered by this campaign can be born: the 统计截止日, else the year's end.
pub fn latest_birth(ctx: &Ctx) -> Option<chrono::NaiveDate> {
    ctx.campaign
        .as_of
        .or_else(|| chrono::NaiveDate::from_ymd_opt(ctx.campaign.year, 12, 31))
}

/// An ID whose birth date lies after the campaign's cut-off date is a typing error.
fn born_by(rd: &mut Reader, ctx: &Ctx, r: &dyn Record, f: Field, info: &super::values::IdInfo) -> bool {
    match latest_birth(ctx) {
        Some(limit) if info.birth > limit => {
            let loc = rd.loc_of(r, f);
            rd.error(
                &loc,
                f,
                info.normalized.clone(),
                format!("证件号码中的出生日期 {} 晚于统计截止日 {}", info.birth, limit),
                "对照身份证或户口簿核对出生日期部分（第7—14位）",
            );
            false
        }
        _ => true,
    }
}

fn parse_sex(s: &str) -> Option<Sex> {
    Sex::parse(s.trim_end_matches('性'))
}

/// 村民小组 / 户编号 given as numbers come back as `3`, never `3.0` (see `number_text`).
fn household_id(rd: &mut Reader, r: &dyn Record) -> Option<String> {
    rd.required_text(r, Field::HouseholdId)
        .map(|s| to_half_width(&s).into_owned())
}

/// A 户 record (also the household part of a one-sheet row).
pub fn household(rd: &mut Reader, ctx: &Ctx, r: &dyn Record) -> Option<PendingHousehold> {
    let id = household_id(rd, r);
    let township = match rd.text(r, Field::Township) {
        Some(t) => {
            if t != ctx.campaign.region.township {
                let loc = rd.loc_of(r, Field::Township);
                rd.warning(
                    &loc,
                    Field::Township,
                    t.clone(),
                    format!("与 campaign.yaml 中的乡镇“{}”不一致", ctx.campaign.region.township),
                    "核对乡镇名称；本工作区只处理一个乡镇",
                );
            }
            t
        }
        None => ctx.campaign.region.township.clone(),
    };
    let village = rd.required_text(r, Field::Village);
    if let Some(v) = &village
        && bad_path_chars(v)
    {
        let loc = rd.loc_of(r, Field::Village);
        rd.error(
            &loc,
            Field::Village,
            v.clone(),
            "村名含有不能用于文件夹名的字符（/ \\ : * ? \" < > |）",
            "去掉这些字符",
        );
    }
    let group = rd.text(r, Field::Group).unwrap_or_default();
    let head_name = rd.name(r, Field::HeadName, false);
    let head_id_present = r.cell(Field::HeadId).is_some_and(|(c, _)| !c.is_empty());
    let head_id = rd
        .id_number(r, Field::HeadId, false)
        .filter(|info| born_by(rd, ctx, r, Field::HeadId, info));
    let phone = rd.text(r, Field::Phone);
    if let Some(p) = &phone {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        let ok = p
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')'));
        if !ok || !(7..=13).contains(&digits) {
            let loc = rd.loc_of(r, Field::Phone);
            rd.warning(
                &loc,
                Field::Phone,
                p.clone(),
                "联系电话格式异常",
                "填写11位手机号或带区号的固定电话，如 0470-1234567",
            );
        }
    }
    let kind = required_closed(
        rd,
        r,
        Field::HouseholdType,
        HouseholdType::parse,
        &HouseholdType::labels(),
    );
    let monitor_category = rd.closed(
        r,
        Field::MonitorCategory,
        MonitorCategory::parse,
        &MonitorCategory::labels(),
    );
    if let (Some(k), Some(c)) = (kind, monitor_category) {
        let odd = match c {
            MonitorCategory::Unstable => k == HouseholdType::Ordinary,
            MonitorCategory::Marginal | MonitorCategory::Sudden => k == HouseholdType::Lifted,
        };
        if odd {
            let loc = rd.loc_of(r, Field::MonitorCategory);
            rd.warning(
                &loc,
                Field::MonitorCategory,
                c.label(),
                format!("监测对象类型“{}”与户类型“{}”不相符", c.label(), k.label()),
                "脱贫不稳定户应为脱贫户，边缘易致贫户、突发严重困难户应为一般农户；请核对",
            );
        }
    }
    let size = rd.count(r, Field::Size);
    let income = Income {
        wage: rd.money(r, Field::Wage),
        business: rd.money(r, Field::Business),
        property: rd.money(r, Field::Property),
        transfer: rd.money(r, Field::Transfer),
        business_cost: rd.money(r, Field::BusinessCost),
        per_capita: rd.money(r, Field::PerCapita),
        last_year_per_capita: rd.money(r, Field::LastYear),
        two_years_ago_per_capita: rd.money(r, Field::TwoYearsAgo),
    };
    // Copy the shared reference out so the vocabularies can be borrowed while `rd` is mutated.
    let vocab = &rd.rules.vocab;
    let risks = rd.multi(r, Field::Risks, &vocab.risk_types);
    let basic_needs_met = rd.yes_no(r, Field::BasicNeeds);
    let no_labour_household = rd.yes_no(r, Field::NoLabour).unwrap_or(false);
    let sanitary_toilet = rd.yes_no(r, Field::SanitaryToilet);
    let exclusions = rd.multi(r, Field::Exclusions, &vocab.exclusions);
    let key_groups = rd.multi(r, Field::KeyGroups, &vocab.key_groups);
    let helper = rd.name(r, Field::Helper, false);
    let income_ok_since = rd.date(r, Field::IncomeOkSince);
    let monitored_since = rd.partial_date(r, Field::MonitoredSince);
    let eliminated_on = rd.partial_date(r, Field::EliminatedOn);
    let note = rd.text(r, Field::Note);

    let id = id?;
    let place = rd.src.place(&r.loc());
    Some(PendingHousehold {
        head_name_place: rd.src.place(&rd.loc_of(r, Field::HeadName)),
        head_id_place: rd.src.place(&rd.loc_of(r, Field::HeadId)),
        size_given: size.is_some(),
        size_place: rd.src.place(&rd.loc_of(r, Field::Size)),
        head_id_invalid: head_id_present && head_id.is_none(),
        id_place: rd.src.place(&rd.loc_of(r, Field::HouseholdId)),
        members: Vec::new(),
        export: None,
        h: Household {
            id,
            township,
            village: village.unwrap_or_default(),
            group,
            head_name: head_name.unwrap_or_default(),
            head_id: head_id.map(|i| i.normalized).unwrap_or_default(),
            phone,
            // A missing or unknown 户类型 is already an error; the placeholder only keeps linking going.
            kind: kind.unwrap_or(HouseholdType::Ordinary),
            monitor_category,
            size: size.unwrap_or(0),
            income,
            risks,
            basic_needs_met,
            no_labour_household,
            exclusions,
            key_groups,
            helper,
            income_ok_since,
            note,
            members: Vec::new(),
            place,
            monitored_since,
            eliminated_on,
            sanitary_toilet,
        },
    })
}

/// True when any member column of a one-sheet row holds something.
pub fn has_member_data(r: &dyn Record) -> bool {
    [
        Field::Name,
        Field::IdNumber,
        Field::Relation,
        Field::Sex,
        Field::Labour,
        Field::Health,
        Field::Schooling,
    ]
    .iter()
    .any(|f| r.cell(*f).is_some_and(|(c, _)| !c.is_empty()))
}

/// A 成员 record. `household_id`: the household it is nested in (YAML) or grouped under (one-sheet
/// layout); otherwise the row names its household by 户编号 or 户主证件号码.
pub fn member(rd: &mut Reader, ctx: &Ctx, r: &dyn Record, household_id: Option<&str>) -> Option<LooseMember> {
    let mut checks = Vec::new();
    let key = match household_id {
        Some(h) => Some(HouseholdKey::Id(h.to_string())),
        None => {
            let by_id = rd.text(r, Field::HouseholdId).map(|s| to_half_width(&s).into_owned());
            match by_id {
                Some(id) => Some(HouseholdKey::Id(id)),
                None => {
                    let head = rd.id_number(r, Field::HeadId, false);
                    if head.is_none() && r.cell(Field::HeadId).is_none_or(|(c, _)| c.is_empty()) {
                        let loc = rd.loc_of(r, Field::HouseholdId);
                        rd.error(
                            &loc,
                            Field::HouseholdId,
                            "",
                            "成员行没有填写户编号（或户主证件号码），无法归户",
                            "填写该成员所在户的户编号",
                        );
                    }
                    head.map(|i| HouseholdKey::HeadId(i.normalized))
                }
            }
        }
    };
    let key_field = if matches!(key, Some(HouseholdKey::HeadId(_))) {
        Field::HeadId
    } else {
        Field::HouseholdId
    };
    let key_place = rd.src.place(&rd.loc_of(r, key_field));
    if household_id.is_none() {
        cross(rd, r, &mut checks, Field::HeadName);
    }
    cross(rd, r, &mut checks, Field::Village);
    let name = rd.name(r, Field::Name, true);
    let id = rd.id_number(r, Field::IdNumber, true);
    let id = id.filter(|info| born_by(rd, ctx, r, Field::IdNumber, info));
    let relation = rd
        .required_text(r, Field::Relation)
        .map(|t| crate::model::canonical_relation(&t));
    let sex_given = rd.closed(r, Field::Sex, parse_sex, &Sex::labels());
    if let (Some(s), Some(info)) = (sex_given, &id)
        && s != info.sex
    {
        let loc = rd.loc_of(r, Field::Sex);
        rd.warning(
            &loc,
            Field::Sex,
            s.label(),
            format!("性别与证件号码第17位不符（按证件号码应为{}）", info.sex.label()),
            "核对性别或证件号码",
        );
    }
    let labour = rd.closed(r, Field::Labour, LabourCapacity::parse, &LabourCapacity::labels());
    let health = rd.text(r, Field::Health);
    let schooling = rd.text(r, Field::Schooling);
    let severe_disability = rd.yes_no(r, Field::SevereDisability).unwrap_or(false);
    // 死亡/服刑/失踪/不共享收支: listed, not counted (000 附件1(九)); 正常/在家 and the like count.
    let not_counted = rd
        .text(r, Field::MemberStatus)
        .filter(|s| crate::model::not_counted_status(s));
    let key = key?;
    let household_id = match &key {
        HouseholdKey::Id(h) => h.clone(),
        HouseholdKey::HeadId(_) => String::new(),
    };
    Some(LooseMember {
        key,
        key_place,
        id_place: rd.src.place(&rd.loc_of(r, Field::IdNumber)),
        checks,
        member: Member {
            household_id,
            name: name.unwrap_or_default(),
            sex: sex_given.or(id.as_ref().map(|i| i.sex)),
            birth: id.as_ref().map(|i| i.birth),
            id: id.map(|i| i.normalized).unwrap_or_default(),
            relation: relation.unwrap_or_default(),
            labour,
            health,
            schooling,
            severe_disability,
            place: rd.src.place(&r.loc()),
            disability: None,
            not_counted,
        },
    })
}

const ELIMINATION_MODES: &[(&str, &[&str])] = &[
    ("帮扶消除", &["帮扶后消除", "帮扶消除风险"]),
    ("自然消除", &["自然消除风险"]),
];

/// A 程序 record.
pub fn procedure(rd: &mut Reader, r: &dyn Record) -> Option<Linked<Procedure>> {
    let mut checks = Vec::new();
    let id = household_id(rd, r);
    let key_place = rd.src.place(&rd.loc_of(r, Field::HouseholdId));
    cross(rd, r, &mut checks, Field::HeadName);
    cross(rd, r, &mut checks, Field::Village);
    let kind = required_closed(rd, r, Field::ProcKind, ProcedureKind::parse, &ProcedureKind::labels());
    let rules = rd.rules;
    let lead_source = rd.open_single(r, Field::LeadSource, &rules.vocab.lead_sources);
    let elimination_mode = match rd.text(r, Field::EliminationMode) {
        None => None,
        Some(t) => {
            let key: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let found = ELIMINATION_MODES
                .iter()
                .find(|(n, syn)| *n == key || syn.contains(&key.as_str()))
                .map(|(n, _)| *n);
            if found.is_none() {
                let loc = rd.loc_of(r, Field::EliminationMode);
                let allowed: Vec<&str> = ELIMINATION_MODES.iter().map(|(n, _)| *n).collect();
                rd.error(
                    &loc,
                    Field::EliminationMode,
                    t,
                    "「风险消除方式」不在可选值中",
                    format!("改为以下之一：{}", allowed.join("、")),
                );
            }
            found.map(str::to_string)
        }
    };
    let mut stages = BTreeMap::new();
    for &s in Stage::ALL {
        if let Some(d) = rd.date(r, Field::Stage(s)) {
            stages.insert(s, d);
        }
    }
    let income_ok_since = rd.date(r, Field::IncomeOkSince);
    let note = rd.text(r, Field::Note);
    let (id, kind) = (id?, kind?);
    Some(Linked {
        key_place,
        checks,
        item: Procedure {
            household_id: id,
            kind,
            lead_source,
            elimination_mode,
            stages,
            income_ok_since,
            note,
            place: rd.src.place(&r.loc()),
        },
    })
}

/// A 帮扶措施 record.
pub fn measure(rd: &mut Reader, r: &dyn Record) -> Option<Linked<Measure>> {
    let mut checks = Vec::new();
    let id = household_id(rd, r);
    let key_place = rd.src.place(&rd.loc_of(r, Field::HouseholdId));
    cross(rd, r, &mut checks, Field::HeadName);
    cross(rd, r, &mut checks, Field::Village);
    let category = match r.cell(Field::MeasureCategory) {
        Some((c, loc)) if c.is_empty() => {
            rd.error(
                &loc,
                Field::MeasureCategory,
                "",
                "必填项「措施类别」为空",
                "填写措施类别，如 产业帮扶",
            );
            None
        }
        _ => {
            let t = rd.text(r, Field::MeasureCategory);
            t.and_then(|t| {
                let found = rd
                    .rules
                    .vocab
                    .measure_category(&to_half_width(&t))
                    .map(|c| c.name.clone());
                if found.is_none() {
                    let loc = rd.loc_of(r, Field::MeasureCategory);
                    let allowed: Vec<&str> = rd
                        .rules
                        .vocab
                        .measure_categories
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    let fix = format!(
                        "改为以下之一：{}；如需新增，请在 rules.yaml 的词表中添加",
                        allowed.join("、")
                    );
                    rd.error(&loc, Field::MeasureCategory, t, "「措施类别」不在可选值中", fix);
                }
                found
            })
        }
    };
    let detail = rd.required_text(r, Field::MeasureDetail);
    let date = rd.date(r, Field::MeasureDate);
    let (id, category) = (id?, category?);
    Some(Linked {
        key_place,
        checks,
        item: Measure {
            household_id: id,
            category,
            detail: detail.unwrap_or_default(),
            date,
            place: rd.src.place(&r.loc()),
        },
    })
}

/// A 评估遍访 record: one 帮扶效果评估 or 遍访 of one household (001 §三(三)(四)).
pub fn visit(rd: &mut Reader, r: &dyn Record) -> Option<Linked<Visit>> {
    let mut checks = Vec::new();
    let id = household_id(rd, r);
    let key_place = rd.src.place(&rd.loc_of(r, Field::HouseholdId));
    cross(rd, r, &mut checks, Field::HeadName);
    cross(rd, r, &mut checks, Field::Village);
    let fix = VisitKind::ALL
        .iter()
        .map(|k| format!("“{}”（也可写{}）", k.label(), k.words()[1..].join("、")))
        .collect::<Vec<_>>()
        .join("或");
    let fix = format!("改为{fix}");
    let kind = match r.cell(Field::VisitType) {
        Some((c, loc)) if c.is_empty() => {
            rd.error(&loc, Field::VisitType, "", "必填项「类型」为空", fix);
            None
        }
        _ => rd.text(r, Field::VisitType).and_then(|t| {
            let k = VisitKind::parse(&to_half_width(&t));
            if k.is_none() {
                let loc = rd.loc_of(r, Field::VisitType);
                rd.error(&loc, Field::VisitType, t, "「类型」不是帮扶效果评估或遍访", fix.clone());
            }
            k
        }),
    };
    let date = required_date(rd, r, Field::VisitDate);
    let conclusion = rd.text(r, Field::Conclusion).or_else(|| rd.text(r, Field::Note));
    let (id, kind, date) = (id?, kind?, date?);
    Some(Linked {
        key_place,
        checks,
        item: Visit {
            household_id: id,
            kind,
            date,
            conclusion,
            place: rd.src.place(&r.loc()),
        },
    })
}

/// A 问题 record (household or area problem).
pub fn problem(rd: &mut Reader, ctx: &Ctx, r: &dyn Record) -> Option<PendingProblem> {
    let seq = rd.text(r, Field::Seq).and_then(|s| {
        let n = super::values::parse_count(&s);
        if n.is_none() {
            let loc = rd.loc_of(r, Field::Seq);
            rd.warning(&loc, Field::Seq, s, "序号不是整数，已忽略", "填写整数序号");
        }
        n
    });
    let township = rd
        .text(r, Field::Township)
        .unwrap_or_else(|| ctx.campaign.region.township.clone());
    let village = rd.text(r, Field::Village);
    let household_id = rd.text(r, Field::HouseholdId).map(|s| to_half_width(&s).into_owned());
    let head_name = rd.name(r, Field::HeadName, false);
    let head_type = rd
        .closed(r, Field::HouseholdType, HouseholdType::parse, &HouseholdType::labels())
        .map(|t| (t, rd.src.place(&rd.loc_of(r, Field::HouseholdType))));
    let level_given = rd.closed(r, Field::Level, ProblemLevel::parse, &ProblemLevel::labels());
    let level_loc = rd.loc_of(r, Field::Level);
    let level_empty = r.cell(Field::Level).is_none_or(|(c, _)| c.is_empty());
    let has_household = household_id.is_some() || head_name.is_some();
    let level = match level_given {
        Some(l) => Some(l),
        None if level_empty && has_household => Some(ProblemLevel::Household),
        None if level_empty => {
            rd.error(
                &level_loc,
                Field::Level,
                "",
                "面上问题须填写问题层级（户内问题须填写户编号或户主姓名）",
                format!("填写以下之一：{}", ProblemLevel::labels().join("、")),
            );
            None
        }
        None => None,
    };
    let mut household_id = household_id;
    let mut head_name = head_name;
    match level {
        Some(ProblemLevel::Household) if !has_household => {
            let loc = rd.loc_of(r, Field::HouseholdId);
            rd.error(
                &loc,
                Field::HouseholdId,
                "",
                "户内问题须填写户编号或户主姓名",
                "填写该问题所在户的户编号（或户主姓名）",
            );
        }
        Some(l) if l != ProblemLevel::Household && has_household => {
            let loc = rd.loc_of(r, Field::Level);
            rd.warning(
                &loc,
                Field::Level,
                l.label(),
                "面上问题填写了户编号或户主姓名，已按面上问题处理、忽略该户",
                "如是户内问题，请将问题层级改为“户内”",
            );
            household_id = None;
            head_name = None;
        }
        Some(ProblemLevel::Village) | Some(ProblemLevel::Household) if village.is_none() && household_id.is_none() => {
            let loc = rd.loc_of(r, Field::Village);
            rd.error(&loc, Field::Village, "", "村级和户内问题须填写所在村", "填写村名");
        }
        _ => {}
    }
    let kind = required_closed(rd, r, Field::ProblemType, ProblemType::parse, &ProblemType::labels());
    let content = rd.required_text(r, Field::Content);
    let measure = rd.required_text(r, Field::Rectification);
    let person = rd.name(r, Field::Person, true);
    let unit = rd.text(r, Field::Unit).unwrap_or_default();
    let deadline = required_date(rd, r, Field::Deadline);
    let status = rd.closed(
        r,
        Field::Status,
        RectificationStatus::parse,
        &RectificationStatus::labels(),
    );
    let done = rd.date(r, Field::Done);
    if status == Some(RectificationStatus::Done)
        && done.is_none()
        && r.cell(Field::Done).is_none_or(|(c, _)| c.is_empty())
    {
        let loc = rd.loc_of(r, Field::Done);
        rd.error(
            &loc,
            Field::Done,
            "",
            "整改状态为已整改，但没有填写完成日期",
            "填写整改完成日期",
        );
    }
    if let (Some(s), Some(_)) = (status, done)
        && s != RectificationStatus::Done
    {
        let loc = rd.loc_of(r, Field::Status);
        rd.warning(
            &loc,
            Field::Status,
            s.label(),
            "已填写完成日期，但整改状态不是“已整改”",
            "核对整改状态与完成日期",
        );
    }
    let effect = rd.text(r, Field::Effect);
    let household_place = rd.src.place(&rd.loc_of(
        r,
        if household_id.is_some() {
            Field::HouseholdId
        } else {
            Field::HeadName
        },
    ));
    let (level, kind, content, measure, person) = (level?, kind?, content?, measure?, person?);
    Some(PendingProblem {
        household_place,
        head_type,
        p: Problem {
            seq,
            township,
            village,
            household_id,
            head_name,
            level,
            kind,
            content,
            measure,
            person,
            unit,
            deadline,
            status,
            done,
            effect,
            place: rd.src.place(&r.loc()),
        },
    })
}

/// A 进度 record: a unit reports completing a campaign milestone.
pub fn report(rd: &mut Reader, ctx: &Ctx, r: &dyn Record) -> Option<MilestoneReport> {
    let unit = rd.required_text(r, Field::ReportUnit);
    let milestone = rd.required_text(r, Field::Milestone);
    if let Some(m) = &milestone
        && !ctx.campaign.milestones.iter().any(|d| d.name == *m)
    {
        let loc = rd.loc_of(r, Field::Milestone);
        let names: Vec<&str> = ctx.campaign.milestones.iter().map(|d| d.name.as_str()).collect();
        let fix = if names.is_empty() {
            "先在 campaign.yaml 的“时间安排”中列出工作节点".to_string()
        } else {
            format!("改为 campaign.yaml“时间安排”中的节点之一：{}", names.join("、"))
        };
        rd.error(
            &loc,
            Field::Milestone,
            m.clone(),
            "节点不在 campaign.yaml 的时间安排中",
            fix,
        );
    }
    let done = rd.date(r, Field::Done);
    Some(MilestoneReport {
        unit: unit?,
        milestone: milestone?,
        done,
        place: rd.src.place(&r.loc()),
    })
}
