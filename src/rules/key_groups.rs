//! 核查重点群体 computed from the data: household type, members, measures, department rosters
//! (信息比对) and income (004 §二(一)2(2) 十个重点群体; 000 §一(一) 6类对象).
//!
//! Each group carries its basis, so the 筛查表 and a county reviewer see why a household is on
//! the list. Groups the data cannot show (自主申报, 务工就业不稳, 申请过救助 …) stay input flags
//! (重点群体 column); 000 §一(一)4 (1、2季度收入明显下降) needs quarterly income the input does
//! not carry, so it is not computed.

use super::IncomeResult;
use crate::model::{Household, HouseholdType, Measure, Money, PartialDate, RosterEntry, RosterKind};
use chrono::{Months, NaiveDate};

/// 004 §二(一)2(2) 二: 脱贫户（特别是2020年度脱贫的）.
pub const LIFTED: &str = "脱贫户";
/// 004 §二(一)2(2) 四: 分散供养特困人员.
pub const TEKUN: &str = "分散供养特困人员";
/// 004 §二(一)2(2) 四: 特别是单人户 (vocabulary name).
pub const TEKUN_SINGLE: &str = "单人户特困";
/// 004 §二(一)2(2) 五: 农村低保对象.
pub const DIBAO: &str = "农村低保对象";
/// 004 五 近两年 / 000 §一(一)1 本年度以来新识别 (vocabulary names).
pub const NEW_DIBAO: &str = "新识别低保";
pub const NEW_TEKUN: &str = "新识别特困";
/// 004 §二(一)2(2) 六: 重度残疾人.
pub const SEVERE_DISABILITY: &str = "家庭成员重度残疾";
/// 004 §二(一)2(2) 六: 一户多残 (vocabulary name).
pub const MULTI_DISABLED: &str = "一户多残";
/// 004 §二(一)2(2) 七: 多子女特别是非义务教育阶段在读子女较多 (vocabulary name).
pub const MANY_STUDENTS: &str = "多子女就学";
/// 000 §一(一)2: 连续两年下降.
pub const FELL_TWICE: &str = "人均纯收入连续两年下降";

pub const BASIS_004: &str = "《2022年防止返贫监测帮扶集中排查工作方案》二（一）2（2）十个重点群体";
pub const BASIS_000: &str = "《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》一（一）6类对象";

/// 004: 近两年新识别.
const NEW_WELFARE_MONTHS: u32 = 24;

/// The 重点群体收入线 when the campaign sets none (000 §一(一)3: 8050 元).
pub const DEFAULT_INCOME_LINE: Money = Money(805_000);

/// One computed key group with its basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroup {
    pub label: String,
    pub basis: &'static str,
}

/// What the key groups are computed against.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub as_of: NaiveDate,
    /// The campaign's 年度 (000 §一(一)1: 本年度以来新识别).
    pub year: i32,
    /// 重点群体收入线 for 脱贫户 (campaign.yaml; 000 §一(一)3).
    pub income_line: Money,
}

impl Ctx {
    /// The earliest day a 低保/特困 counts as new: two years back (004) or the campaign year's
    /// start (000), whichever reaches further — the list is for verification, so wider is safer.
    pub fn new_welfare_since(&self) -> NaiveDate {
        let two_years = self
            .as_of
            .checked_sub_months(Months::new(NEW_WELFARE_MONTHS))
            .unwrap_or(self.as_of);
        let year_start = NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or(two_years);
        two_years.min(year_start)
    }
}

/// The 排除情形 that concerns a person, not the household (000 附件1(九)): such a member is not
/// counted in 家庭人口 nor in per-capita income, and the household is not excluded for it.
pub const PERSON_EXCLUSION: &str = "死亡服刑失踪人员";

/// The household's 排除情形 that exclude the household (all but `PERSON_EXCLUSION`).
pub fn household_exclusions(h: &Household) -> Vec<String> {
    h.exclusions
        .iter()
        .filter(|e| *e != PERSON_EXCLUSION)
        .cloned()
        .collect()
}

pub use crate::model::not_counted_status;

/// Welfare evidence of one household: from 综合保障 measures and from rosters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Welfare {
    pub dibao: bool,
    pub tekun: bool,
    pub new_dibao: bool,
    pub new_tekun: bool,
}

impl Welfare {
    pub fn of(measures: &[&Measure], rosters: &[&RosterEntry], since: NaiveDate, as_of: NaiveDate) -> Welfare {
        let mut w = Welfare::default();
        for m in measures {
            if m.category != "综合保障" || m.date.is_some_and(|d| d > as_of) {
                continue;
            }
            let recent = m.date.is_some_and(|d| d >= since);
            if m.detail.contains("低保") {
                w.dibao = true;
                w.new_dibao |= recent;
            }
            if m.detail.contains("特困") {
                w.tekun = true;
                w.new_tekun |= recent;
            }
        }
        for r in rosters {
            if r.since.is_some_and(|s| s.first_day() > as_of) {
                continue;
            }
            // A month-precision date counts as recent when any day of the month is.
            let recent = r.since.as_ref().is_some_and(|s: &PartialDate| s.last_day() >= since);
            match r.kind {
                RosterKind::Dibao => {
                    w.dibao = true;
                    w.new_dibao |= recent;
                }
                RosterKind::Tekun => {
                    w.tekun = true;
                    w.new_tekun |= recent;
                }
                _ => {}
            }
        }
        w
    }
}

/// Members with a severe disability (flag, certificate or 残疾 roster), and with any disability.
pub fn disabled_members(h: &Household, rosters: &[&RosterEntry]) -> (usize, usize) {
    let roster = |id: &str| {
        rosters
            .iter()
            .filter(|r| r.kind == RosterKind::Disability && r.id == id)
            .map(|r| r.disability.as_ref())
            .collect::<Vec<_>>()
    };
    let (mut severe, mut any) = (0, 0);
    for m in &h.members {
        let listed = roster(&m.id);
        let is_severe = m.severe_disability
            || m.disability.as_ref().is_some_and(|d| d.is_severe())
            || listed.iter().any(|d| d.is_some_and(|d| d.is_severe()));
        if is_severe {
            severe += 1;
        }
        if is_severe || m.disability.is_some() || !listed.is_empty() {
            any += 1;
        }
    }
    (severe, any)
}

/// 在校生状况 beyond 义务教育 (高中、中职、大专、本科 …).
fn beyond_compulsory(s: &str) -> bool {
    !is_out_of_school(s)
        && [
            "高中",
            "中职",
            "中专",
            "技校",
            "职高",
            "大专",
            "高职",
            "本科",
            "大学",
            "研究生",
            "硕士",
            "博士",
        ]
        .iter()
        .any(|k| s.contains(k))
}

fn is_out_of_school(s: &str) -> bool {
    ["非在校", "不在校", "未在校", "辍学", "学龄前", "毕业", "无"]
        .iter()
        .any(|k| s.contains(k))
}

fn in_school(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && !is_out_of_school(s)
}

/// The key groups of one household, in the order of the plans' lists.
pub fn of(
    ctx: &Ctx,
    h: &Household,
    income: &IncomeResult,
    measures: &[&Measure],
    rosters: &[&RosterEntry],
) -> Vec<KeyGroup> {
    let mut out: Vec<KeyGroup> = Vec::new();
    let mut add = |label: &str, basis: &'static str| {
        if !out.iter().any(|g| g.label == label) {
            out.push(KeyGroup {
                label: label.to_string(),
                basis,
            });
        }
    };
    let lifted = h.kind == HouseholdType::Lifted;
    if lifted {
        add(LIFTED, BASIS_004);
    }
    let w = Welfare::of(measures, rosters, ctx.new_welfare_since(), ctx.as_of);
    if w.tekun {
        add(TEKUN, BASIS_004);
        if h.people() == 1 {
            add(TEKUN_SINGLE, BASIS_004);
        }
    }
    if w.dibao {
        add(DIBAO, BASIS_004);
    }
    if w.new_dibao {
        add(NEW_DIBAO, BASIS_000);
    }
    if w.new_tekun {
        add(NEW_TEKUN, BASIS_000);
    }
    let (severe, any) = disabled_members(h, rosters);
    if severe > 0 {
        add(SEVERE_DISABILITY, BASIS_004);
    }
    if any >= 2 {
        add(MULTI_DISABLED, BASIS_004);
    }
    let schooling = h.members.iter().filter_map(|m| m.schooling.as_deref());
    let (mut students, mut beyond) = (0, 0);
    for s in schooling {
        if in_school(s) {
            students += 1;
        }
        if beyond_compulsory(s) {
            beyond += 1;
        }
    }
    // 多子女: three or more in school, or two or more beyond 义务教育 (the costly years).
    if students >= 3 || beyond >= 2 {
        add(MANY_STUDENTS, BASIS_004);
    }
    if lifted
        && let (Some(now), Some(last), Some(before)) = (
            income.per_capita,
            h.income.last_year_per_capita,
            h.income.two_years_ago_per_capita,
        )
        && now < last
        && last < before
    {
        add(FELL_TWICE, BASIS_000);
    }
    if lifted && income.per_capita.is_some_and(|p| p < ctx.income_line) {
        add(&below_line_label(ctx.income_line), BASIS_000);
    }
    out
}

/// 000 §一(一)3: 脱贫户人均纯收入低于 N 元.
pub fn below_line_label(line: Money) -> String {
    format!("脱贫户人均纯收入低于{line}元")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Disability, Place};
    use crate::rules::income;
    use crate::rules::testutil::{d, household};

    fn ctx() -> Ctx {
        Ctx {
            as_of: d(2023, 6, 30),
            year: 2023,
            income_line: DEFAULT_INCOME_LINE,
        }
    }

    fn labels(h: &Household, measures: &[&Measure], rosters: &[&RosterEntry]) -> Vec<String> {
        let inc = income::evaluate(h, Money::from_yuan(6000)).0;
        of(&ctx(), h, &inc, measures, rosters)
            .into_iter()
            .map(|g| g.label)
            .collect()
    }

    fn roster(kind: RosterKind, id: &str, since: Option<PartialDate>) -> RosterEntry {
        RosterEntry {
            kind,
            name: "某".into(),
            id: id.into(),
            since,
            disability: None,
            household_id: Some("A".into()),
            place: Place::default(),
        }
    }

    #[test]
    fn s004_2_2_lifted_household_is_group_two_by_itself() {
        let mut h = household("A", 2);
        h.income.per_capita = Some(Money::from_yuan(20000));
        assert!(labels(&h, &[], &[]).is_empty());
        h.kind = HouseholdType::Lifted;
        assert_eq!(labels(&h, &[], &[]), vec![LIFTED]);
    }

    #[test]
    fn s004_2_2_every_dibao_and_tekun_household_new_ones_since_the_window() {
        let h = household("A", 1);
        // 2023-06-30 as of, year 2023: the window starts 2021-06-30 (two years back).
        let old = roster(RosterKind::Dibao, "MA0", PartialDate::month(2021, 5));
        assert_eq!(labels(&h, &[], &[&old]), vec![DIBAO]);
        let edge = roster(RosterKind::Dibao, "MA0", PartialDate::month(2021, 6));
        assert_eq!(labels(&h, &[], &[&edge]), vec![DIBAO, NEW_DIBAO]);
        let tk = roster(RosterKind::Tekun, "MA0", Some(PartialDate::Day(d(2021, 6, 29))));
        assert_eq!(labels(&h, &[], &[&tk]), vec![TEKUN, TEKUN_SINGLE]);
        let tk = roster(RosterKind::Tekun, "MA0", Some(PartialDate::Day(d(2021, 6, 30))));
        assert_eq!(labels(&h, &[], &[&tk]), vec![TEKUN, TEKUN_SINGLE, NEW_TEKUN]);
        // Not yet (after the run date): not counted at all.
        let later = roster(RosterKind::Dibao, "MA0", Some(PartialDate::Day(d(2023, 7, 1))));
        assert!(labels(&h, &[], &[&later]).is_empty());
        // A 低保 measure counts the same way; two people: not 单人户.
        let h2 = household("A", 2);
        let m = Measure {
            household_id: "A".into(),
            category: "综合保障".into(),
            detail: "分散供养特困".into(),
            date: Some(d(2020, 1, 1)),
            place: Place::default(),
        };
        assert_eq!(labels(&h2, &[&m], &[]), vec![TEKUN]);
    }

    #[test]
    fn s004_2_2_disability_from_members_and_rosters() {
        let mut h = household("A", 3);
        h.members[1].disability = Some(Disability {
            category: Some("肢体".into()),
            grade: Some(3),
        });
        assert!(labels(&h, &[], &[]).is_empty());
        let mut r = roster(RosterKind::Disability, "MA2", None);
        r.disability = Some(Disability {
            category: None,
            grade: Some(2),
        });
        assert_eq!(labels(&h, &[], &[&r]), vec![SEVERE_DISABILITY, MULTI_DISABLED]);
        h.members[1].disability = None;
        assert_eq!(labels(&h, &[], &[&r]), vec![SEVERE_DISABILITY]);
    }

    #[test]
    fn s004_2_2_many_students_from_schooling() {
        let mut h = household("A", 4);
        h.members[1].schooling = Some("普通高中".into());
        h.members[2].schooling = Some("义务教育".into());
        h.members[3].schooling = Some("非在校生".into());
        assert!(labels(&h, &[], &[]).is_empty());
        h.members[3].schooling = Some("大专及以上".into());
        assert_eq!(labels(&h, &[], &[]), vec![MANY_STUDENTS]); // two beyond 义务教育
        h.members[1].schooling = Some("学龄前儿童".into());
        assert!(labels(&h, &[], &[]).is_empty()); // one beyond, two in school
        h.members[0].schooling = Some("义务教育".into());
        assert_eq!(labels(&h, &[], &[]), vec![MANY_STUDENTS]); // three in school
    }

    #[test]
    fn s000_1_1_income_of_lifted_households() {
        let mut h = household("A", 1);
        h.kind = HouseholdType::Lifted;
        h.income.per_capita = Some(Money::from_yuan(8050));
        h.income.last_year_per_capita = Some(Money::from_yuan(8100));
        h.income.two_years_ago_per_capita = Some(Money::from_yuan(8100));
        // At the line: not below it; fell once, not twice.
        assert_eq!(labels(&h, &[], &[]), vec![LIFTED]);
        h.income.per_capita = Some(Money(804_999));
        h.income.two_years_ago_per_capita = Some(Money::from_yuan(8101));
        assert_eq!(
            labels(&h, &[], &[]),
            vec![
                LIFTED.to_string(),
                FELL_TWICE.to_string(),
                below_line_label(DEFAULT_INCOME_LINE)
            ]
        );
    }

    #[test]
    fn member_status_words() {
        for s in ["死亡", "服刑人员", "失踪", "不共享收支"] {
            assert!(not_counted_status(s), "{s}");
        }
        assert!(!not_counted_status("正常"));
    }
}
