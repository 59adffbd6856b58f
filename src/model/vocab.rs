//! Fixed vocabularies with their Chinese labels and accepted synonyms.
//!
//! Vocabularies a province may extend (风险类型, 帮扶措施 categories, 重点群体, 排除情形) are
//! open lists in `RulesFile::vocab`; the closed ones that the procedure itself defines are enums here.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares a closed vocabulary: variants with a canonical Chinese label and synonyms.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $title:literal { $($variant:ident => $label:literal $(| $syn:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The vocabulary's Chinese name, e.g. 户类型.
            pub const TITLE: &'static str = $title;

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Accepts the label or a synonym, ignoring surrounding and inner whitespace.
            pub fn parse(s: &str) -> Option<$name> {
                let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                $(
                    if s == $label $(|| s == $syn)* { return Some($name::$variant); }
                )+
                None
            }

            /// The canonical labels, for messages listing allowed values and drop-downs.
            pub fn labels() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.label()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.label())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!(
                    "{}“{}”不在可选值中（可选：{}）", $title, s, $name::labels().join("、"))))
            }
        }
    };
}

vocabulary!(
    /// 户类型
    HouseholdType, "户类型" {
        Lifted => "脱贫户" | "脱贫户（含监测）" | "建档立卡脱贫户" | "脱贫不享受政策户" | "脱贫享受政策户",
        Monitored => "监测户" | "监测对象" | "防返贫监测户",
        Ordinary => "一般农户" | "一般户" | "农户" | "非建档立卡户" | "普通农户" | "普通户",
    }
);

vocabulary!(
    /// 监测对象类型 (002 §2(1))
    MonitorCategory, "监测对象类型" {
        Unstable => "脱贫不稳定户" | "脱贫不稳定",
        Marginal => "边缘易致贫户" | "边缘易致贫",
        Sudden => "突发严重困难户" | "突发严重困难",
    }
);

vocabulary!(
    /// 劳动能力
    LabourCapacity, "劳动能力" {
        Capable => "有劳动能力" | "普通劳动力" | "技能劳动力" | "有",
        Weak => "弱劳动能力或半劳动能力" | "弱劳动能力" | "半劳动能力" | "弱劳动力或半劳动力" | "弱劳动力" | "半劳动力",
        Lost => "丧失劳动能力" | "丧失劳动力",
        None => "无劳动能力" | "无劳动力" | "无",
    }
);

impl LabourCapacity {
    /// Counts as labour for 开发式帮扶 purposes.
    pub fn can_work(self) -> bool {
        matches!(self, LabourCapacity::Capable | LabourCapacity::Weak)
    }
}

vocabulary!(
    /// 程序类型
    ProcedureKind, "程序类型" {
        Identification => "识别纳入" | "识别" | "纳入" | "监测对象识别",
        Elimination => "风险消除" | "消除" | "标注风险消除",
        Rollback => "风险消除回退" | "回退" | "消除回退",
        Removal => "清退" | "退出清退" | "错误纳入清退",
    }
);

vocabulary!(
    /// 程序阶段: one date column each in the 程序 sheet.
    Stage, "程序阶段" {
        LeadFound => "发现线索" | "线索发现" | "发现线索日期" | "申报日期",
        HomeVisit => "入户核实" | "入户核查" | "入户核实日期" | "入户核查日期",
        Commitment => "签订承诺授权书" | "承诺授权" | "签订承诺书" | "承诺授权书签订",
        DataMatch => "信息比对" | "信息比对日期" | "部门比对",
        VillageReview => "村级评议" | "民主评议" | "村级评议日期",
        PublicityStart => "公示开始" | "公示开始日期" | "村级公示开始",
        PublicityEnd => "公示结束" | "公示结束日期" | "村级公示结束",
        TownshipReview => "乡镇审核" | "镇级审核" | "乡镇审核日期",
        CountyApproval => "县级审批" | "县级审批日期" | "旗级审批" | "县级确认",
        ResultNotice => "结果公告" | "公告日期" | "结果公告日期",
        Recorded => "录入建档" | "系统标注" | "录入系统" | "信息录入",
        HelperAssigned => "明确帮扶责任人" | "落实帮扶责任人",
        FirstVisit => "首次入户走访" | "首次走访",
        AidPlan => "制定帮扶计划" | "帮扶计划" | "帮扶计划制定",
    }
);

vocabulary!(
    /// 问题类型: the 13 rows of the 002 入户排查表.
    ProblemType, "问题类型" {
        Education => "义务教育" | "义务教育保障",
        Medical => "基本医疗" | "基本医疗保障",
        Housing => "住房安全" | "住房安全保障",
        Water => "安全饮水" | "饮水安全" | "饮水安全保障",
        Relocation => "易地扶贫搬迁" | "易地搬迁",
        Industry => "产业发展",
        Employment => "脱贫人口就业" | "就业",
        Credit => "脱贫人口小额信贷" | "小额信贷",
        Consumption => "消费帮扶",
        Funds => "资金项目管理" | "资金项目",
        Monitoring => "防止返贫动态监测" | "防止返贫监测" | "动态监测",
        Assistance => "帮扶工作",
        Overall => "综合判定",
    }
);

impl ProblemType {
    /// The four rows grouped as 三保障和饮水安全 in the 整改情况汇总表.
    pub fn is_basic_guarantee(self) -> bool {
        matches!(
            self,
            ProblemType::Education | ProblemType::Medical | ProblemType::Housing | ProblemType::Water
        )
    }
}

vocabulary!(
    /// 问题层级: 户内 for household problems, otherwise the 面上 level.
    ProblemLevel, "问题层级" {
        Household => "户内" | "户级" | "农户" | "户内问题",
        County => "县级层面" | "县级" | "旗级" | "旗级层面",
        Township => "镇级层面" | "镇级" | "乡镇级" | "乡级" | "乡镇层面",
        Village => "村级层面" | "村级" | "嘎查级",
    }
);

vocabulary!(
    /// 整改状态 as reported in input (the rules recompute the status as of the run date).
    RectificationStatus, "整改状态" {
        Done => "已整改" | "已完成" | "完成" | "已整改到位",
        InProgress => "正在整改" | "整改中" | "未完成" | "未整改",
        Overdue => "逾期未整改" | "逾期",
    }
);

vocabulary!(
    /// 性别
    Sex, "性别" {
        Male => "男",
        Female => "女",
    }
);

/// 与户主关系 as the national system writes it (`之子`, `之女`, `之孙子`, `之父`, `之母`) in the
/// words of fangpin's own tables (`子`, `女`, `孙子`, `父亲`, `母亲`); anything else unchanged.
pub fn canonical_relation(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(t.as_str(), "本人" | "本人（户主）" | "本人(户主)") {
        return "户主".to_string();
    }
    let Some(rest) = t.strip_prefix('之') else { return t };
    match rest {
        "" => t,
        "父" => "父亲".to_string(),
        "母" => "母亲".to_string(),
        "妻" => "配偶".to_string(),
        "夫" => "配偶".to_string(),
        other => other.to_string(),
    }
}

/// Parse a yes/no cell: 是/否, 有/无, Y/N, √/×, true/false, 1/0.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    match t.as_str() {
        "是" | "有" | "y" | "yes" | "true" | "√" | "✓" | "1" | "达标" => Some(true),
        "否" | "无" | "n" | "no" | "false" | "×" | "✗" | "0" | "不达标" | "未达标" => Some(false),
        _ => None,
    }
}

/// Split a multi-valued cell (风险类型, 排除情形, 重点群体) on 、，,;；/ and whitespace.
pub fn split_multi(s: &str) -> Vec<String> {
    s.split(|c: char| matches!(c, '、' | '，' | ',' | ';' | '；' | '/' | '|' | '\n') || c.is_whitespace())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_with_synonyms() {
        assert_eq!(HouseholdType::parse(" 脱贫户 "), Some(HouseholdType::Lifted));
        assert_eq!(HouseholdType::parse("一般户"), Some(HouseholdType::Ordinary));
        assert_eq!(LabourCapacity::parse("半劳动力"), Some(LabourCapacity::Weak));
        assert_eq!(Stage::parse("入户核查"), Some(Stage::HomeVisit));
        assert_eq!(ProblemType::ALL.len(), 13);
        assert_eq!(ProblemType::parse("外星"), None);
    }

    #[test]
    fn national_relations() {
        assert_eq!(canonical_relation("之子"), "子");
        assert_eq!(canonical_relation("之孙子"), "孙子");
        assert_eq!(canonical_relation("之儿媳"), "儿媳");
        assert_eq!(canonical_relation("之母"), "母亲");
        assert_eq!(canonical_relation("户主"), "户主");
        assert_eq!(canonical_relation("配偶"), "配偶");
        assert_eq!(HouseholdType::parse("普通农户"), Some(HouseholdType::Ordinary));
    }

    #[test]
    fn multi_split() {
        assert_eq!(
            split_multi("因病、因残，因学; 缺劳动力"),
            vec!["因病", "因残", "因学", "缺劳动力"]
        );
        assert_eq!(parse_yes_no("否"), Some(false));
        assert_eq!(parse_yes_no("√"), Some(true));
    }
}
