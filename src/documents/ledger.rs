//! 问题整改台账 (002 附件2 户内问题, 附件3-1 面上问题): one line per rectification item with
//! its status as of the run date. The same view feeds 问题整改台账.xlsx and .pdf.

use super::date_zh;
use crate::model::{HouseholdType, ProblemLevel, Workspace};
use crate::rules::{Evaluation, LedgerStatus};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

pub const TITLE_HOUSEHOLD: &str = "巩固拓展脱贫攻坚成果集中排查问题整改台账（户内问题）";
pub const TITLE_AREA: &str = "巩固拓展脱贫攻坚成果集中排查问题整改台账（面上问题）";

/// The line under a form's title: 填报单位（盖章）, 填报人, 填报时间 (002 附件2/3).
#[derive(Debug, Clone, Serialize)]
pub struct FormHead {
    /// 填报单位: the issuing authority, else the township.
    pub unit: String,
    /// 填报人: the campaign does not name one, so the form leaves it blank for a signature.
    pub filler: String,
    /// 填报时间 = the run's as-of date.
    pub date: NaiveDate,
    /// `2024年6月30日`
    pub date_text: String,
}

impl FormHead {
    pub fn new(ws: &Workspace, date: NaiveDate) -> FormHead {
        let authority = ws.campaign.issuance.as_ref().map(|i| i.authority.trim()).unwrap_or("");
        let unit = if authority.is_empty() {
            ws.campaign.region.township.clone()
        } else {
            authority.to_string()
        };
        FormHead {
            unit,
            filler: String::new(),
            date,
            date_text: date_zh(date),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    pub title_household: String,
    /// 内部资料 on every page (see `documents::is_public`).
    pub internal_mark: String,
    pub title_area: String,
    pub head: FormHead,
    pub as_of: NaiveDate,
    /// 户内问题 (002 附件2)
    pub household: Vec<LedgerLine>,
    /// 面上问题 (002 附件3-1)
    pub area: Vec<LedgerLine>,
    pub counts: LedgerCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LedgerCounts {
    pub total: u32,
    /// 已整改
    pub done: u32,
    /// 正在整改 (not yet due)
    pub in_progress: u32,
    /// 逾期未整改
    pub overdue: u32,
}

impl LedgerCounts {
    fn add(&mut self, s: LedgerStatus) {
        self.total += 1;
        match s {
            LedgerStatus::Done => self.done += 1,
            LedgerStatus::InProgress => self.in_progress += 1,
            LedgerStatus::Overdue => self.overdue += 1,
        }
    }
}

/// One ledger line. Dates come both as dates (spreadsheet cells) and as `…年…月…日` text (PDF).
#[derive(Debug, Clone, Serialize)]
pub struct LedgerLine {
    /// 序号, 1-based within its sheet.
    pub seq: u32,
    /// 镇
    pub township: String,
    /// 村
    pub village: String,
    /// 户编号 (empty for area problems)
    pub household_id: String,
    /// 户主姓名
    pub head_name: String,
    /// 户类型 as the form asks: 脱贫户 / 边缘易致贫户 (the 监测对象类型 of a 监测户) / 一般农户.
    pub household_type: String,
    /// 问题层级 label (户内 / 县级层面 / 镇级层面 / 村级层面)
    pub level: String,
    /// 面上问题层级 as printed: 村级层面 carries its village, e.g. `村级层面（芒洪村）`.
    pub level_text: String,
    /// 问题类型
    pub problem_type: String,
    /// 具体内容
    pub content: String,
    /// 整改措施
    pub measure: String,
    /// 整改责任: 责任人
    pub person: String,
    /// 整改责任: 责任单位
    pub unit: String,
    /// 整改时限
    pub deadline: Option<NaiveDate>,
    pub deadline_text: String,
    /// 完成日期
    pub done: Option<NaiveDate>,
    pub done_text: String,
    /// 整改成效
    pub effect: String,
    /// 整改状态 as of the run date (serialises as its Chinese label).
    pub status: LedgerStatus,
    /// 逾期天数 (0 unless overdue)
    pub days_overdue: i64,
    /// Highlight the line: 逾期未整改.
    pub overdue: bool,
    /// Where the problem was read from (file › sheet › cell), for a clerk tracing it back.
    pub source: String,
}

/// 户类型 in the 002 附件2 vocabulary: a 监测户 shows its 监测对象类型.
pub fn form_household_type(kind: HouseholdType, category: Option<crate::model::MonitorCategory>) -> String {
    match (kind, category) {
        (HouseholdType::Monitored, Some(c)) => c.label().to_string(),
        (k, _) => k.label().to_string(),
    }
}

fn opt_date_text(d: Option<NaiveDate>) -> String {
    d.map(date_zh).unwrap_or_default()
}

pub fn view(ws: &Workspace, eval: &Evaluation) -> LedgerView {
    let households: HashMap<&str, &crate::model::Household> =
        ws.data.households.iter().map(|h| (h.id.as_str(), h)).collect();
    let mut household = Vec::new();
    let mut area = Vec::new();
    let mut counts = LedgerCounts::default();
    for row in &eval.ledger {
        let Some(p) = ws.data.problems.get(row.problem) else {
            continue;
        };
        counts.add(row.status);
        let h = p.household_id.as_deref().and_then(|id| households.get(id)).copied();
        let village = p
            .village
            .clone()
            .or_else(|| h.map(|h| h.village.clone()))
            .unwrap_or_default();
        let level_text = match p.level {
            ProblemLevel::Village if !village.is_empty() => format!("{}（{}）", p.level.label(), village),
            l => l.label().to_string(),
        };
        let line = LedgerLine {
            seq: 0,
            township: if p.township.is_empty() {
                ws.campaign.region.township.clone()
            } else {
                p.township.clone()
            },
            village,
            household_id: p.household_id.clone().unwrap_or_default(),
            head_name: p
                .head_name
                .clone()
                .or_else(|| h.map(|h| h.head_name.clone()))
                .unwrap_or_default(),
            household_type: h
                .map(|h| form_household_type(h.kind, h.monitor_category))
                .unwrap_or_default(),
            level: p.level.label().to_string(),
            level_text,
            problem_type: p.kind.label().to_string(),
            content: p.content.clone(),
            measure: p.measure.clone(),
            person: p.person.clone(),
            unit: p.unit.clone(),
            deadline: p.deadline,
            deadline_text: opt_date_text(p.deadline),
            done: p.done,
            done_text: opt_date_text(p.done),
            effect: p.effect.clone().unwrap_or_default(),
            status: row.status,
            days_overdue: row.days_overdue,
            overdue: row.status == LedgerStatus::Overdue,
            source: p.place.to_string(),
        };
        if p.level == ProblemLevel::Household {
            household.push(line);
        } else {
            area.push(line);
        }
    }
    for (i, l) in household.iter_mut().enumerate() {
        l.seq = i as u32 + 1;
    }
    for (i, l) in area.iter_mut().enumerate() {
        l.seq = i as u32 + 1;
    }
    LedgerView {
        title_household: TITLE_HOUSEHOLD.to_string(),
        internal_mark: super::internal_mark(super::DocKind::Ledger),
        title_area: TITLE_AREA.to_string(),
        head: FormHead::new(ws, eval.as_of),
        as_of: eval.as_of,
        household,
        area,
        counts,
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small hand-made workspace and evaluation shared by the view tests.
    use crate::model::*;
    use crate::rules::*;
    use chrono::NaiveDate;
    use std::path::PathBuf;

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    pub fn member(hh: &str, name: &str, id: &str, relation: &str, labour: LabourCapacity) -> Member {
        Member {
            household_id: hh.into(),
            name: name.into(),
            id: id.into(),
            relation: relation.into(),
            sex: Some(Sex::Male),
            birth: Some(d(1970, 1, 1)),
            labour: Some(labour),
            health: Some("健康".into()),
            schooling: None,
            severe_disability: false,
            place: Place::cell("芒洪村.xlsx", "成员", 1, 0),
            disability: None,
            not_counted: None,
        }
    }

    pub fn household(
        id: &str,
        village: &str,
        head: &str,
        kind: HouseholdType,
        cat: Option<MonitorCategory>,
    ) -> Household {
        Household {
            id: id.into(),
            township: "巴彦塔拉乡".into(),
            village: village.into(),
            group: "一组".into(),
            head_name: head.into(),
            head_id: "150724198001010263".into(),
            phone: Some("13812345678".into()),
            kind,
            monitor_category: cat,
            size: 2,
            income: Income {
                per_capita: Some(Money::from_yuan(7000)),
                ..Income::default()
            },
            risks: vec!["因病".into()],
            basic_needs_met: Some(true),
            no_labour_household: false,
            exclusions: vec![],
            key_groups: vec![],
            helper: Some("李四".into()),
            income_ok_since: None,
            monitored_since: None,
            eliminated_on: None,
            sanitary_toilet: None,
            note: None,
            members: vec![
                member(id, head, "150724198001010263", "户主", LabourCapacity::Capable),
                member(id, "王芳", "15072419820202026X", "配偶", LabourCapacity::Weak),
            ],
            place: Place::cell("芒洪村.xlsx", "户", 1, 0),
        }
    }

    pub fn problem(
        level: ProblemLevel,
        kind: ProblemType,
        village: Option<&str>,
        hh: Option<&str>,
        content: &str,
        deadline: NaiveDate,
    ) -> Problem {
        Problem {
            seq: None,
            township: "巴彦塔拉乡".into(),
            village: village.map(Into::into),
            household_id: hh.map(Into::into),
            head_name: None,
            level,
            kind,
            content: content.into(),
            measure: "落实整改".into(),
            person: "张干部".into(),
            unit: "乡农业办".into(),
            deadline: Some(deadline),
            status: None,
            done: None,
            effect: None,
            place: Place::cell("芒洪村.xlsx", "问题", 1, 0),
        }
    }

    pub fn workspace() -> Workspace {
        let households = vec![
            household(
                "H001",
                "芒洪村",
                "张三",
                HouseholdType::Monitored,
                Some(MonitorCategory::Marginal),
            ),
            household("H002", "芒洪村", "赵六", HouseholdType::Lifted, None),
            household(
                "H003",
                "团结村",
                "钱七",
                HouseholdType::Monitored,
                Some(MonitorCategory::Sudden),
            ),
        ];
        let problems = vec![
            problem(
                ProblemLevel::Household,
                ProblemType::Employment,
                Some("芒洪村"),
                Some("H001"),
                "公益岗位补助未及时发放",
                d(2024, 6, 10),
            ),
            problem(
                ProblemLevel::Household,
                ProblemType::Housing,
                Some("芒洪村"),
                Some("H002"),
                "住房漏雨",
                d(2024, 7, 10),
            ),
            problem(
                ProblemLevel::County,
                ProblemType::Medical,
                None,
                None,
                "未做到动态清零",
                d(2024, 6, 20),
            ),
            problem(
                ProblemLevel::Village,
                ProblemType::Employment,
                Some("团结村"),
                None,
                "公益岗平均发放",
                d(2024, 6, 1),
            ),
        ];
        Workspace {
            root: PathBuf::from("data"),
            campaign: Campaign {
                name: "2024年第二季度防止返贫监测帮扶集中排查".into(),
                year: 2024,
                region: Region {
                    province: "内蒙古自治区".into(),
                    county: "鄂温克族自治旗".into(),
                    township: "巴彦塔拉乡".into(),
                },
                monitoring_line: Money::from_yuan(8300),
                key_group_income_line: None,
                as_of: Some(d(2024, 6, 30)),
                pdf_standard: None,
                issuance: None,
                milestones: vec![],
                place: Place::file("campaign.yaml"),
            },
            rules: RulesFile::defaults(),
            data: Dataset {
                households,
                procedures: vec![],
                measures: vec![],
                problems,
                milestone_reports: vec![],
                rosters: Vec::new(),
                visits: Vec::new(),
            },
            inputs: vec![],
            diagnostics: vec![],
            seal: None,
        }
    }

    fn counts(found: u32, done: u32) -> SummaryCounts {
        SummaryCounts {
            found,
            done,
            in_progress: found - done,
            households: 0,
            people: 0,
        }
    }

    pub fn evaluation() -> Evaluation {
        let ledger = vec![
            LedgerRow {
                problem: 0,
                status: LedgerStatus::Overdue,
                days_overdue: 20,
            },
            LedgerRow {
                problem: 1,
                status: LedgerStatus::InProgress,
                days_overdue: 0,
            },
            LedgerRow {
                problem: 2,
                status: LedgerStatus::Done,
                days_overdue: 0,
            },
            LedgerRow {
                problem: 3,
                status: LedgerStatus::Overdue,
                days_overdue: 29,
            },
        ];
        let unit = |name: &str, hits: &[(ProblemType, SummaryCounts)]| {
            let by_type: Vec<(ProblemType, SummaryCounts)> = ProblemType::ALL
                .iter()
                .map(|t| {
                    (
                        *t,
                        hits.iter().find(|(k, _)| k == t).map(|(_, c)| *c).unwrap_or_default(),
                    )
                })
                .collect();
            let sum = |f: &dyn Fn(&(ProblemType, SummaryCounts)) -> bool| {
                by_type
                    .iter()
                    .filter(|x| f(x))
                    .fold(SummaryCounts::default(), |a, (_, c)| SummaryCounts {
                        found: a.found + c.found,
                        done: a.done + c.done,
                        in_progress: a.in_progress + c.in_progress,
                        households: a.households + c.households,
                        people: a.people + c.people,
                    })
            };
            SummaryUnit {
                unit: name.into(),
                basic_guarantee: sum(&|(t, _)| t.is_basic_guarantee()),
                total: sum(&|_| true),
                by_type,
            }
        };
        let units = vec![
            unit(
                "芒洪村",
                &[
                    (ProblemType::Employment, counts(1, 0)),
                    (ProblemType::Housing, counts(1, 0)),
                ],
            ),
            unit("团结村", &[(ProblemType::Employment, counts(1, 0))]),
            unit("县级层面", &[(ProblemType::Medical, counts(1, 1))]),
        ];
        Evaluation {
            as_of: d(2024, 6, 30),
            incomes: vec![],
            screening: vec![],
            compliance: vec![
                ComplianceRow {
                    household_id: "H001".into(),
                    head_name: "张三".into(),
                    village: "芒洪村".into(),
                    procedure: Some(ProcedureKind::Identification),
                    rule: "公示期".into(),
                    due: Some(d(2024, 6, 7)),
                    done: Some(d(2024, 6, 5)),
                    status: ComplianceStatus::Violation,
                    days: 2,
                    note: "公示期仅3个工作日，少于5个工作日".into(),
                },
                ComplianceRow {
                    household_id: "H003".into(),
                    head_name: "钱七".into(),
                    village: "团结村".into(),
                    procedure: Some(ProcedureKind::Identification),
                    rule: "识别纳入办结时限".into(),
                    due: Some(d(2024, 6, 15)),
                    done: Some(d(2024, 6, 14)),
                    status: ComplianceStatus::OnTime,
                    days: 0,
                    note: String::new(),
                },
                ComplianceRow {
                    household_id: String::new(),
                    head_name: "芒洪村".into(),
                    village: "芒洪村".into(),
                    procedure: None,
                    rule: "信息采集录入".into(),
                    due: Some(d(2024, 6, 10)),
                    done: None,
                    status: ComplianceStatus::Overdue,
                    days: 20,
                    note: String::new(),
                },
            ],
            ledger,
            summary: Summary {
                total: SummaryCounts {
                    found: 4,
                    done: 1,
                    in_progress: 3,
                    households: 0,
                    people: 0,
                },
                units,
            },
            findings: vec![],
            cases: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn splits_household_and_area_lines() {
        let v = view(&workspace(), &evaluation());
        assert_eq!(v.household.len(), 2);
        assert_eq!(v.area.len(), 2);
        assert_eq!(v.household[0].seq, 1);
        assert_eq!(v.household[0].head_name, "张三");
        assert_eq!(v.household[0].household_type, "边缘易致贫户");
        assert_eq!(v.household[1].household_type, "脱贫户");
        assert!(v.household[0].overdue);
        assert_eq!(v.household[0].days_overdue, 20);
        assert_eq!(v.household[0].deadline_text, "2024年6月10日");
        assert_eq!(v.area[0].level_text, "县级层面");
        assert_eq!(v.area[1].level_text, "村级层面（团结村）");
        assert_eq!(v.area[1].seq, 2);
        assert_eq!(
            v.counts,
            LedgerCounts {
                total: 4,
                done: 1,
                in_progress: 1,
                overdue: 2
            }
        );
        assert_eq!(v.head.unit, "巴彦塔拉乡");
        assert_eq!(v.head.date_text, "2024年6月30日");
    }

    #[test]
    fn serialises_status_as_chinese() {
        let v = view(&workspace(), &evaluation());
        let json = serde_json::to_string(&v).expect("json");
        assert!(json.contains("\"status\":\"逾期未整改\""));
    }
}
