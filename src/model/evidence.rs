//! Facts that come with less precision than a day, or from outside the village workbooks:
//! month-precision dates of the national system, disability certificates, department rosters
//! (信息比对) and the records of 帮扶效果评估 / 遍访.

use super::Place;
use chrono::NaiveDate;
use serde::Serialize;

/// A date given to the day, or only to the month (the national system writes 识别监测时间 as
/// `202304`). Rules that need a day must say so instead of guessing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PartialDate {
    Day(NaiveDate),
    Month { year: i32, month: u32 },
}

impl PartialDate {
    /// A month date; `None` for a month outside 1–12 or a year chrono cannot hold.
    pub fn month(year: i32, month: u32) -> Option<PartialDate> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| PartialDate::Month { year, month })
    }

    /// The day, when the input gave one.
    pub fn day(&self) -> Option<NaiveDate> {
        match self {
            PartialDate::Day(d) => Some(*d),
            PartialDate::Month { .. } => None,
        }
    }

    pub fn is_month_only(&self) -> bool {
        matches!(self, PartialDate::Month { .. })
    }

    /// The earliest day the date can mean.
    pub fn first_day(&self) -> NaiveDate {
        match *self {
            PartialDate::Day(d) => d,
            PartialDate::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN),
        }
    }

    /// The latest day the date can mean.
    pub fn last_day(&self) -> NaiveDate {
        match *self {
            PartialDate::Day(d) => d,
            PartialDate::Month { year, month } => {
                let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(NaiveDate::MAX)
            }
        }
    }

    /// `2023年4月5日` or `2023年4月`.
    pub fn zh(&self) -> String {
        match *self {
            PartialDate::Day(d) => super::date_zh(d),
            PartialDate::Month { year, month } => format!("{year}年{month}月"),
        }
    }
}

impl From<NaiveDate> for PartialDate {
    fn from(d: NaiveDate) -> Self {
        PartialDate::Day(d)
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.zh())
    }
}

/// A 成员状态 that takes the person out of 家庭人口 (000 附件1(九)): read at ingest, used by the
/// people counts and per-capita income.
pub fn not_counted_status(s: &str) -> bool {
    ["死亡", "服刑", "失踪", "不共享收支"].iter().any(|k| s.contains(k))
}

/// What a 残疾人证号 adds to the 18-character ID (第二代残疾人证: category digit, grade digit,
/// optional reissue mark), or what a roster says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disability {
    /// 残疾类别 (视力/听力/言语/肢体/智力/精神/多重), when known.
    pub category: Option<String>,
    /// 残疾等级 1–4 (一级 … 四级), when known.
    pub grade: Option<u8>,
}

impl Disability {
    /// 重度残疾: 一级 or 二级.
    pub fn is_severe(&self) -> bool {
        matches!(self.grade, Some(1 | 2))
    }
}

/// The kind of a department roster (部门数据), from its file or sheet name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RosterKind {
    /// 低保 (农村/城市低保备案)
    Dibao,
    /// 特困 (城乡特困人员备案)
    Tekun,
    /// 残疾 (持证残疾人名单)
    Disability,
    /// 临时救助
    TemporaryAid,
    /// 医疗救助 / 大病
    MedicalAid,
    /// 学生资助
    Student,
}

impl RosterKind {
    pub const ALL: [RosterKind; 6] = [
        RosterKind::Dibao,
        RosterKind::Tekun,
        RosterKind::Disability,
        RosterKind::TemporaryAid,
        RosterKind::MedicalAid,
        RosterKind::Student,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RosterKind::Dibao => "低保",
            RosterKind::Tekun => "特困",
            RosterKind::Disability => "残疾",
            RosterKind::TemporaryAid => "临时救助",
            RosterKind::MedicalAid => "医疗救助",
            RosterKind::Student => "学生资助",
        }
    }
}

/// One person on a department roster, matched (or not) to a member by 证件号码.
#[derive(Debug, Clone, Serialize)]
pub struct RosterEntry {
    pub kind: RosterKind,
    /// 姓名 as on the roster
    pub name: String,
    /// 证件号码, the validated 18-character ID (a 残疾人证号's suffix is in `disability`)
    pub id: String,
    /// 审批时间 / 纳入时间 / 救助时间, when the roster gives one
    pub since: Option<PartialDate>,
    /// The disability a 残疾 roster states.
    pub disability: Option<Disability>,
    /// 户编号 of the member with this ID; `None` when the person is in no household.
    pub household_id: Option<String>,
    pub place: Place,
}

/// The kind of a follow-up record (001 §三(三)(四)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum VisitKind {
    /// 帮扶效果评估, quarterly (001 §三(四))
    Evaluation,
    /// 遍访 by the township's leaders, yearly (001 §三(三))
    Visit,
}

impl VisitKind {
    pub const ALL: [VisitKind; 2] = [VisitKind::Evaluation, VisitKind::Visit];

    pub fn label(self) -> &'static str {
        match self {
            VisitKind::Evaluation => "帮扶效果评估",
            VisitKind::Visit => "遍访",
        }
    }

    /// The words a clerk may write in 类型, canonical label first.
    pub fn words(self) -> &'static [&'static str] {
        match self {
            VisitKind::Evaluation => &["帮扶效果评估", "季度评估", "评估", "效果评估", "季度帮扶效果评估"],
            VisitKind::Visit => &["遍访", "走访", "入户遍访", "党政主职遍访", "乡镇遍访"],
        }
    }

    /// Reads a 类型 value (spaces ignored).
    pub fn parse(s: &str) -> Option<VisitKind> {
        let key: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        VisitKind::ALL.into_iter().find(|k| k.words().contains(&key.as_str()))
    }
}

/// One 帮扶效果评估 or 遍访 of one household.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    pub household_id: String,
    pub kind: VisitKind,
    pub date: NaiveDate,
    /// 结论 / 评估结果
    pub conclusion: Option<String>,
    pub place: Place,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_dates_span_their_month() {
        let Some(m) = PartialDate::month(2024, 2) else {
            panic!("valid month")
        };
        assert_eq!(m.first_day(), NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        let Some(dec) = PartialDate::month(2023, 12) else {
            panic!("valid month")
        };
        assert_eq!(dec.last_day(), NaiveDate::from_ymd_opt(2023, 12, 31).unwrap());
        assert_eq!(m.zh(), "2024年2月");
        assert!(PartialDate::month(2024, 13).is_none());
        assert!(m.day().is_none() && m.is_month_only());
    }

    #[test]
    fn visit_kinds_read_the_seed_words() {
        assert_eq!(VisitKind::parse("季度评估"), Some(VisitKind::Evaluation));
        assert_eq!(VisitKind::parse(" 入户 遍访 "), Some(VisitKind::Visit));
        assert_eq!(VisitKind::parse("走访"), Some(VisitKind::Visit));
        assert_eq!(VisitKind::parse("回访"), None);
        for k in VisitKind::ALL {
            assert_eq!(k.words()[0], k.label());
        }
    }

    #[test]
    fn severe_disability_is_grade_one_or_two() {
        let d = |g| Disability {
            category: None,
            grade: g,
        };
        assert!(d(Some(1)).is_severe() && d(Some(2)).is_severe());
        assert!(!d(Some(3)).is_severe() && !d(None).is_severe());
    }
}
