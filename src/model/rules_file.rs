//! `rules.yaml`: open vocabularies, deadline rules and calendar extensions.
//!
//! The embedded defaults (`default_rules.yaml`) follow DESIGN.md §2; a workspace's own
//! `rules.yaml` overrides entries by name and adds new ones.

use super::{ProcedureKind, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in rules file (vocabularies and the DESIGN.md §2 deadline table).
pub const DEFAULT_RULES_YAML: &str = include_str!("default_rules.yaml");

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    #[serde(rename = "词表", default)]
    pub vocab: Vocabularies,
    /// 即将到期: a pending stage due within this many days is flagged 即将到期.
    #[serde(rename = "即将到期天数", default)]
    pub due_soon_days: Option<u32>,
    #[serde(rename = "时限规则", default)]
    pub deadlines: Vec<DeadlineRule>,
    /// Extra calendar years (or corrections), keyed by year.
    #[serde(rename = "工作日历", default)]
    pub calendar: BTreeMap<i32, CalendarYear>,
    /// 风险消除: months the income must have stayed above the line (004 §二(三)1; default 6).
    #[serde(rename = "收入稳定月数", default)]
    pub stable_income_months: Option<u32>,
    /// Monitored this many years without elimination → flagged for review (001 §三(四); default 2).
    #[serde(rename = "监测分析年数", default)]
    pub review_after_years: Option<u32>,
    /// 核查级别: per rule name (规则), whether its findings are 错误 or 警告. An error of a case
    /// holds that case back; it never stops the build of the rest.
    #[serde(rename = "核查级别", default)]
    pub finding_levels: BTreeMap<String, super::Severity>,
    /// 程序环节: the stages a procedure must pass, in order (004 §二(三)3–4 for 回退, §三(三) for 清退).
    #[serde(rename = "程序环节", default)]
    pub chains: Vec<StageChain>,
    /// 帮扶核查: which measures answer which need (001 §二).
    #[serde(rename = "帮扶核查", default)]
    pub support: SupportRules,
    /// 村级核查: village-level review prompts (003 §二(二), 000 §一(一)).
    #[serde(rename = "村级核查", default)]
    pub village: VillageRules,
    /// 评估遍访: how often 帮扶效果评估 and 遍访 are due (001 §三(三)(四)).
    #[serde(rename = "评估遍访", default)]
    pub follow_up: FollowUpRules,
}

/// 评估遍访 settings: one entry per record kind; each absent key keeps the built-in value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRules {
    /// 帮扶效果评估: every quarter (001 §三(四)).
    #[serde(rename = "帮扶效果评估", default)]
    pub evaluation: FollowUpRule,
    /// 遍访 by the township's 党委书记 or 镇长: every year (001 §三(三)).
    #[serde(rename = "遍访", default)]
    pub visit: FollowUpRule,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRule {
    /// 周期月数: one record per this many months, periods aligned to the calendar year
    /// (3 = 季度, 12 = 年度); one of 1, 2, 3, 4, 6, 12.
    #[serde(rename = "周期月数", default)]
    pub period_months: Option<u32>,
    /// 提示起始月: from this month of the period (1 = its first) households still without a
    /// record are listed; a household monitored only since after that month's first day is due
    /// from the next period.
    #[serde(rename = "提示起始月", default)]
    pub remind_from_month: Option<u32>,
    #[serde(rename = "依据", default)]
    pub source: Option<String>,
    #[serde(rename = "停用", default)]
    pub disabled: Option<bool>,
}

/// The effective 评估遍访 setting of one record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpCycle {
    pub period_months: u32,
    pub remind_from_month: u32,
    pub source: String,
    pub enabled: bool,
}

/// 周期月数 values that divide the year into equal periods.
pub const FOLLOW_UP_PERIODS: [u32; 6] = [1, 2, 3, 4, 6, 12];

/// One 程序环节 entry: a procedure's required stages in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageChain {
    #[serde(rename = "程序")]
    pub procedure: ProcedureKind,
    #[serde(rename = "环节")]
    pub stages: Vec<Stage>,
    #[serde(rename = "依据", default)]
    pub source: String,
    #[serde(rename = "停用", default)]
    pub disabled: bool,
}

/// 帮扶核查 settings; each absent key keeps the built-in value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportRules {
    /// 兜底措施类型: measure families that count as 兜底 for 整户无劳动能力 households (001 §二(二)).
    #[serde(rename = "兜底措施类型", default)]
    pub safety_net_families: Option<Vec<String>>,
    /// 首项改善式措施: the 改善式 measure to put in place first (001 §二(五): 户厕改造).
    #[serde(rename = "首项改善式措施", default)]
    pub first_improvement: Option<String>,
    /// 风险对应措施: 风险类型 → the measure categories that answer it (001 §二 缺什么补什么).
    #[serde(rename = "风险对应措施", default)]
    pub risk_measures: Option<BTreeMap<String, Vec<String>>>,
}

/// 村级核查 settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageRules {
    /// 脱贫户数: a village with at least this many 脱贫户 … (003 §二(二): 10户以上)
    #[serde(rename = "脱贫户数", default)]
    pub lifted_households: Option<u32>,
    /// 起始年度: … and no household monitored since this year is flagged (003 §二(二): 2021年以来).
    #[serde(rename = "起始年度", default)]
    pub since_year: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabularies {
    #[serde(rename = "风险类型", default)]
    pub risk_types: Vec<VocabEntry>,
    #[serde(rename = "帮扶措施", default)]
    pub measure_categories: Vec<MeasureCategory>,
    #[serde(rename = "排除情形", default)]
    pub exclusions: Vec<VocabEntry>,
    #[serde(rename = "重点群体", default)]
    pub key_groups: Vec<VocabEntry>,
    #[serde(rename = "线索来源", default)]
    pub lead_sources: Vec<VocabEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabEntry {
    #[serde(rename = "名称")]
    pub name: String,
    #[serde(rename = "同义词", default)]
    pub synonyms: Vec<String>,
}

/// A 帮扶措施 category and the 001 §二 family it belongs to (开发式/保障式/政策式/关怀式/改善式).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureCategory {
    #[serde(rename = "名称")]
    pub name: String,
    #[serde(rename = "类型")]
    pub family: String,
    #[serde(rename = "同义词", default)]
    pub synonyms: Vec<String>,
}

/// 单位: how a deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurationUnit {
    #[serde(rename = "自然日")]
    CalendarDays,
    #[serde(rename = "工作日")]
    WorkingDays,
    #[serde(rename = "月")]
    Months,
}

impl DurationUnit {
    pub fn label(self) -> &'static str {
        match self {
            DurationUnit::CalendarDays => "自然日",
            DurationUnit::WorkingDays => "工作日",
            DurationUnit::Months => "月",
        }
    }
}

/// One deadline rule: between two stages of a procedure, at most (上限) or at least (下限) N units.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    /// 名称, unique; a workspace rule with the same name replaces the default.
    #[serde(rename = "名称")]
    pub name: String,
    /// 程序: the procedure kinds it applies to.
    #[serde(rename = "程序")]
    pub procedures: Vec<ProcedureKind>,
    /// 起: the stage the period starts at.
    #[serde(rename = "起")]
    pub from: Stage,
    /// 止: the stage that must be reached.
    #[serde(rename = "止")]
    pub to: Stage,
    /// 上限: the `to` stage must come no later than this many units after `from`.
    #[serde(rename = "上限", default)]
    pub max: Option<u32>,
    /// 下限: the period must last at least this many units (e.g. 公示 ≥ 5 工作日).
    #[serde(rename = "下限", default)]
    pub min: Option<u32>,
    #[serde(rename = "单位")]
    pub unit: DurationUnit,
    /// 含起始日: count the start day itself (公示期 counts its first day).
    #[serde(rename = "含起始日", default)]
    pub inclusive: bool,
    /// 依据: the source paragraph, printed in reports.
    #[serde(rename = "依据", default)]
    pub source: String,
    /// 停用: set true in a workspace file to switch a default rule off.
    #[serde(rename = "停用", default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    /// 放假: statutory off-days (weekends inside a block included).
    #[serde(rename = "放假", default)]
    pub off_days: Vec<chrono::NaiveDate>,
    /// 调休上班: weekend days that are working days.
    #[serde(rename = "调休上班", default)]
    pub work_days: Vec<chrono::NaiveDate>,
}

impl RulesFile {
    /// The embedded defaults.
    pub fn defaults() -> RulesFile {
        // The embedded file is tested to parse (see tests), so this cannot fail at run time.
        serde_yaml::from_str(DEFAULT_RULES_YAML).unwrap_or_default()
    }

    /// Defaults with a workspace file laid over them: entries with the same 名称 are
    /// replaced, new ones appended.
    pub fn merged_with(mut self, over: RulesFile) -> RulesFile {
        fn merge<T: Clone>(base: &mut Vec<T>, over: Vec<T>, key: impl Fn(&T) -> &str) {
            for o in over {
                match base.iter().position(|b| key(b) == key(&o)) {
                    Some(i) => base[i] = o,
                    None => base.push(o),
                }
            }
        }
        merge(&mut self.vocab.risk_types, over.vocab.risk_types, |e| &e.name);
        merge(&mut self.vocab.measure_categories, over.vocab.measure_categories, |e| {
            &e.name
        });
        merge(&mut self.vocab.exclusions, over.vocab.exclusions, |e| &e.name);
        merge(&mut self.vocab.key_groups, over.vocab.key_groups, |e| &e.name);
        merge(&mut self.vocab.lead_sources, over.vocab.lead_sources, |e| &e.name);
        merge(&mut self.deadlines, over.deadlines, |r| &r.name);
        if over.due_soon_days.is_some() {
            self.due_soon_days = over.due_soon_days;
        }
        if over.stable_income_months.is_some() {
            self.stable_income_months = over.stable_income_months;
        }
        if over.review_after_years.is_some() {
            self.review_after_years = over.review_after_years;
        }
        self.calendar.extend(over.calendar);
        self.finding_levels.extend(over.finding_levels);
        for c in over.chains {
            match self.chains.iter().position(|b| b.procedure == c.procedure) {
                Some(i) => self.chains[i] = c,
                None => self.chains.push(c),
            }
        }
        let (s, o) = (&mut self.support, over.support);
        s.safety_net_families = o.safety_net_families.or(s.safety_net_families.take());
        s.first_improvement = o.first_improvement.or(s.first_improvement.take());
        s.risk_measures = o.risk_measures.or(s.risk_measures.take());
        let (v, o) = (&mut self.village, over.village);
        v.lifted_households = o.lifted_households.or(v.lifted_households);
        v.since_year = o.since_year.or(v.since_year);
        let o = over.follow_up;
        for (base, over) in [
            (&mut self.follow_up.evaluation, o.evaluation),
            (&mut self.follow_up.visit, o.visit),
        ] {
            base.period_months = over.period_months.or(base.period_months);
            base.remind_from_month = over.remind_from_month.or(base.remind_from_month);
            base.source = over.source.or(base.source.take());
            base.disabled = over.disabled.or(base.disabled);
        }
        self
    }

    /// 评估遍访 for one record kind: 帮扶效果评估 quarterly, listed in the quarter's last month;
    /// 遍访 yearly, listed from October. Values outside the allowed ones (rejected when a
    /// workspace rules.yaml is read) fall back to the built-in ones.
    pub fn follow_up(&self, kind: super::VisitKind) -> FollowUpCycle {
        let (rule, months, from, basis) = match kind {
            super::VisitKind::Evaluation => (
                &self.follow_up.evaluation,
                3,
                3,
                "《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》三（四）：每季度组织开展一次帮扶效果评估工作",
            ),
            super::VisitKind::Visit => (
                &self.follow_up.visit,
                12,
                10,
                "《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》三（三）：每年由乡镇党委书记或镇长对辖区内未消除风险的监测对象开展一次遍访",
            ),
        };
        let period_months = rule
            .period_months
            .filter(|m| FOLLOW_UP_PERIODS.contains(m))
            .unwrap_or(months);
        let remind_from_month = rule
            .remind_from_month
            .filter(|m| (1..=period_months).contains(m))
            .unwrap_or(from.min(period_months));
        FollowUpCycle {
            period_months,
            remind_from_month,
            source: rule.source.clone().unwrap_or_else(|| basis.to_string()),
            enabled: !rule.disabled.unwrap_or(false),
        }
    }

    /// Active 程序环节 entries.
    pub fn active_chains(&self) -> impl Iterator<Item = &StageChain> {
        self.chains.iter().filter(|c| !c.disabled)
    }

    /// Measure families that count as 兜底 (default 保障式).
    pub fn safety_net_families(&self) -> Vec<&str> {
        match &self.support.safety_net_families {
            Some(f) => f.iter().map(String::as_str).collect(),
            None => vec!["保障式"],
        }
    }

    /// The 改善式 measure to put in place first (default 户厕改造); empty switches the check off.
    pub fn first_improvement(&self) -> &str {
        self.support.first_improvement.as_deref().unwrap_or("户厕改造")
    }

    /// 风险类型 → measure categories answering it (empty when rules.yaml gives none).
    pub fn risk_measures(&self) -> Option<&BTreeMap<String, Vec<String>>> {
        self.support.risk_measures.as_ref()
    }

    /// Village check: threshold of 脱贫户 (default 10) and the year monitoring is counted from
    /// (default 2021).
    pub fn village_check(&self) -> (u32, i32) {
        (
            self.village.lifted_households.unwrap_or(10),
            self.village.since_year.unwrap_or(2021),
        )
    }

    pub fn due_soon(&self) -> u32 {
        self.due_soon_days.unwrap_or(3)
    }

    /// 风险消除 requires income above the line for at least this many months.
    pub fn stable_income_months(&self) -> u32 {
        self.stable_income_months.unwrap_or(6)
    }

    /// Monitored this many years without elimination is flagged for review.
    pub fn review_after_years(&self) -> u32 {
        self.review_after_years.unwrap_or(2)
    }

    /// Active deadline rules.
    pub fn active_deadlines(&self) -> impl Iterator<Item = &DeadlineRule> {
        self.deadlines.iter().filter(|r| !r.disabled)
    }
}

impl Vocabularies {
    fn lookup<'a>(entries: impl Iterator<Item = (&'a str, &'a [String])>, s: &str) -> Option<&'a str> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        for (name, syns) in entries {
            if name == s || syns.contains(&s) {
                return Some(name);
            }
        }
        None
    }

    /// Canonical 风险类型 for a label or synonym.
    pub fn risk_type(&self, s: &str) -> Option<&str> {
        Self::lookup(
            self.risk_types.iter().map(|e| (e.name.as_str(), e.synonyms.as_slice())),
            s,
        )
    }

    pub fn measure_category(&self, s: &str) -> Option<&MeasureCategory> {
        let name = Self::lookup(
            self.measure_categories
                .iter()
                .map(|e| (e.name.as_str(), e.synonyms.as_slice())),
            s,
        )?;
        self.measure_categories.iter().find(|c| c.name == name)
    }

    pub fn exclusion(&self, s: &str) -> Option<&str> {
        Self::lookup(
            self.exclusions.iter().map(|e| (e.name.as_str(), e.synonyms.as_slice())),
            s,
        )
    }

    pub fn key_group(&self, s: &str) -> Option<&str> {
        Self::lookup(
            self.key_groups.iter().map(|e| (e.name.as_str(), e.synonyms.as_slice())),
            s,
        )
    }

    pub fn lead_source(&self, s: &str) -> Option<&str> {
        Self::lookup(
            self.lead_sources
                .iter()
                .map(|e| (e.name.as_str(), e.synonyms.as_slice())),
            s,
        )
    }

    /// True when the category belongs to the 开发式 family.
    pub fn is_developmental(&self, category: &str) -> bool {
        self.measure_category(category).is_some_and(|c| c.family == "开发式")
    }

    pub fn names(entries: &[VocabEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_parse() {
        let parsed: Result<RulesFile, _> = serde_yaml::from_str(DEFAULT_RULES_YAML);
        let r = parsed.expect("default_rules.yaml must parse");
        assert_eq!(r.vocab.risk_types.len(), 11);
        assert!(r.vocab.measure_categories.len() >= 12);
        // 000 附件1's ten, plus 002 §2(2)'s 企业高管.
        assert_eq!(r.vocab.exclusions.len(), 11);
        assert!(r.deadlines.len() >= 5);
        assert_eq!(r.vocab.risk_type("因病致贫"), Some("因病"));
        assert!(r.vocab.is_developmental("公益岗位"));
        assert!(!r.vocab.is_developmental("综合保障"));
    }

    #[test]
    fn the_seeds_vocabulary_is_accepted_without_a_rules_file() {
        // 001 二（一）—（五）: each listed measure, in its family.
        let r = RulesFile::defaults();
        for (m, family) in [
            ("帮扶车间", "开发式"),
            ("劳务协作", "开发式"),
            ("林下经济", "开发式"),
            ("庭院经济", "开发式"),
            ("以工代赈", "开发式"),
            ("直接帮扶", "开发式"),
            ("委托帮扶", "开发式"),
            ("户厕改造", "改善式"),
            ("托管托养", "保障式"),
            ("先诊疗后付费", "政策式"),
            ("一次性交通补贴", "政策式"),
            ("雨露计划", "政策式"),
        ] {
            let c = r.vocab.measure_category(m).unwrap_or_else(|| panic!("{m}"));
            assert_eq!(c.family, family, "{m}");
        }
        // 004 二（一）2（2）、000 一（一）: key groups; 002 §2(2): exclusions.
        for g in [
            "留守儿童",
            "困境儿童",
            "危房改造户",
            "慢性病",
            "突发意外事故",
            "2020年度脱贫",
            "失能特困老人",
            "灾后重建户",
            "无劳动力户",
        ] {
            assert!(r.vocab.key_group(g).is_some(), "{g}");
        }
        assert_eq!(r.vocab.exclusion("企业高管"), Some("家庭成员为企业高管"));
        assert_eq!(r.vocab.exclusion("财政供养人员"), Some("家庭成员为公职人员"));
    }

    #[test]
    fn follow_up_defaults_and_overrides() {
        use crate::model::VisitKind;
        let base = RulesFile::defaults();
        let e = base.follow_up(VisitKind::Evaluation);
        assert_eq!((e.period_months, e.remind_from_month, e.enabled), (3, 3, true));
        assert!(e.source.contains("三（四）"), "{}", e.source);
        let v = base.follow_up(VisitKind::Visit);
        assert_eq!((v.period_months, v.remind_from_month), (12, 10));
        assert!(v.source.contains("三（三）"), "{}", v.source);
        let over: RulesFile =
            serde_yaml::from_str("评估遍访:\n  遍访: {周期月数: 6, 提示起始月: 5}\n  帮扶效果评估: {停用: true}\n")
                .expect("parse");
        let m = base.merged_with(over);
        let v = m.follow_up(VisitKind::Visit);
        assert_eq!((v.period_months, v.remind_from_month), (6, 5));
        assert!(v.source.contains("三（三）"));
        assert!(!m.follow_up(VisitKind::Evaluation).enabled);
    }

    #[test]
    fn workspace_rules_override_by_name() {
        let base = RulesFile::defaults();
        let n = base.deadlines.len();
        let over: RulesFile = serde_yaml::from_str(
            "时限规则:\n  - {名称: 公示期, 程序: [识别纳入], 起: 公示开始, 止: 公示结束, 下限: 7, 单位: 自然日, 含起始日: true}\n即将到期天数: 5\n",
        )
        .expect("parse");
        let m = base.merged_with(over);
        assert_eq!(m.deadlines.len(), n);
        let r = m.deadlines.iter().find(|r| r.name == "公示期").expect("rule");
        assert_eq!(r.min, Some(7));
        assert_eq!(m.due_soon(), 5);
    }
}
