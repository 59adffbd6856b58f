//! The table of every built-in rule (docs/rules.md): what it checks, its basis in the words a
//! county reviewer uses (the plan's title and section), its default and where rules.yaml changes
//! it, and where it lives in the code. Generated from the rule constants and the built-in
//! rules.yaml, and checked against docs/rules.md by a test, so the table cannot drift.

use super::{chains, compliance, key_groups, monitoring, screening, verdict, visits};
use crate::model::{DurationUnit, RulesFile, VisitKind};
use std::fmt::Write as _;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    /// 规则: the name printed in the 规则 column of reports and findings.
    pub name: String,
    /// 核查内容
    pub checks: String,
    /// 依据
    pub basis: String,
    /// 默认 (and the rules.yaml / campaign.yaml key that changes it)
    pub default: String,
    /// 代码位置
    pub code: &'static str,
}

/// A group of rules with a heading.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: &'static str,
    pub rules: Vec<RuleDoc>,
}

const P000: &str = "《耿马自治县2023年防止返贫监测帮扶集中排查工作方案》";
const P001: &str = "《关于进一步落实防止返贫常态化监测和帮扶工作机制的通知》";
const P003: &str = "《鄂温克族自治旗2024年第二季度防止返贫动态监测帮扶集中排查工作方案》";
const P004: &str = "《2022年防止返贫监测帮扶集中排查工作方案》";

fn doc(name: &str, checks: &str, basis: String, default: &str, code: &'static str) -> RuleDoc {
    RuleDoc {
        name: name.to_string(),
        checks: checks.to_string(),
        basis,
        default: default.to_string(),
        code,
    }
}

fn unit_words(u: DurationUnit) -> &'static str {
    match u {
        DurationUnit::CalendarDays => "个自然日",
        DurationUnit::WorkingDays => "个工作日",
        DurationUnit::Months => "个月",
    }
}

/// Every built-in rule, by section, with the values of `rules` (the built-in rules.yaml when
/// called with `RulesFile::defaults()`).
pub fn sections(rules: &RulesFile) -> Vec<Section> {
    let deadlines = rules
        .active_deadlines()
        .map(|r| {
            let kinds: Vec<&str> = r.procedures.iter().map(|k| k.label()).collect();
            let mut bound = Vec::new();
            if let Some(n) = r.max {
                bound.push(format!("不超过{n}{}", unit_words(r.unit)));
            }
            if let Some(n) = r.min {
                bound.push(format!("不少于{n}{}", unit_words(r.unit)));
            }
            RuleDoc {
                name: r.name.clone(),
                checks: format!(
                    "{}：{} → {}{}",
                    kinds.join("、"),
                    r.from.label(),
                    r.to.label(),
                    if r.inclusive { "（含起始日）" } else { "" }
                ),
                basis: r.source.clone(),
                default: format!("{}（rules.yaml `时限规则` 同名条目）", bound.join("，")),
                code: "rules/compliance.rs `case_rules`",
            }
        })
        .collect();

    let months = rules.stable_income_months();
    let years = rules.review_after_years();
    let procedure = vec![
        doc(
            compliance::RULE_ORDER,
            "发现线索、入户核实、村级评议、公示、乡镇审核、县级审批、结果公告、录入建档的日期先后颠倒（已有时限规则报告的一对除外）",
            format!("{P004}二（一）3 完善识别程序、二（三）3 完善标注程序"),
            "—",
            "rules/compliance.rs `case_order`",
        ),
        doc(
            compliance::RULE_PUBLICITY_FIRST,
            "乡镇审核、县级审批、结果公告、录入建档不得在公示期满（记录的公示结束日与法定最短公示期的较晚者）当日或之前",
            format!("{P004}二（一）3、二（三）3；{P000}附件2（四）"),
            "公示期下限取“公示期”时限规则",
            "rules/compliance.rs `case_order`",
        ),
        doc(
            chains::RULE_COMMITMENT,
            "识别纳入已到村级评议及以后环节而未签订农户承诺和授权查询书，或签订日期晚于村级评议",
            format!("{P004}二（一）3；{P000}附件2（三）"),
            "—",
            "rules/chains.rs `commitment`",
        ),
        doc(
            chains::RULE_CHAIN,
            "已办理后一环节而缺少必经的前一环节（风险消除回退、清退的环节链）",
            rules
                .active_chains()
                .map(|c| format!("{}：{}", c.procedure.label(), c.source))
                .collect::<Vec<_>>()
                .join("；"),
            &rules
                .active_chains()
                .map(|c| {
                    let stages: Vec<&str> = c.stages.iter().map(|s| s.label()).collect();
                    format!("{}：{}", c.procedure.label(), stages.join("→"))
                })
                .collect::<Vec<_>>()
                .join("；")
                .to_string(),
            "rules/chains.rs `chain`（rules.yaml `程序环节`）",
        ),
        doc(
            "环节日期缺失",
            "时限规则的终点环节已有日期而起点环节没有日期，无法核验该时限",
            "各时限规则的依据".to_string(),
            "—",
            "rules/compliance.rs `case_rules`",
        ),
        doc(
            "程序户编号不存在",
            "程序表中的户编号在户信息中找不到",
            "数据核对（程序须属于在册农户）".to_string(),
            "—",
            "rules/compliance.rs `evaluate`",
        ),
        doc(
            "工作日历未覆盖",
            "按工作日计算的时限超出了内置节假日表（2004—2026年）和 rules.yaml `工作日历` 的年份",
            "国务院办公厅每年发布的部分节假日安排".to_string(),
            "—",
            "rules/calendar.rs",
        ),
    ];

    let public = vec![
        doc(
            verdict::HOLD_EXCLUSION,
            "识别纳入的户有不得纳入监测对象的情形（死亡、服刑、失踪、不共享收支的成员只不计入家庭人口，不排除整户）；暂缓公示",
            format!(
                "{P000}附件1 不得纳入监测对象的情形；企业高管见《关于开展巩固拓展脱贫攻坚成果集中排查暨健全动态监测帮扶机制实施方案》2（2）"
            ),
            "排除情形词表（rules.yaml `词表.排除情形`）",
            "rules/verdict.rs `identification_holds`",
        ),
        doc(
            verdict::HOLD_NOT_MONITORED,
            "风险消除的户从未纳入监测（户类型不是监测户，数据中也没有识别纳入、回退记录）；暂缓公示",
            format!("{P004}二（三）：标注对象为未消除风险的监测对象"),
            "—",
            "rules/verdict.rs `elimination_holds`",
        ),
        doc(
            verdict::HOLD_NO_LABOUR,
            "整户无劳动能力兜底保障户办理风险消除；暂缓公示，已审批的应申请风险消除回退",
            format!("{P000}一（四）；{P004}二（三）2（1）"),
            "—",
            "rules/verdict.rs、rules/compliance.rs `elimination_checks`",
        ),
        doc(
            verdict::HOLD_BASIC_NEEDS,
            "风险消除的户“两不愁三保障”及饮水安全未达标或未填；暂缓公示",
            format!("{P004}二（三）1 明确标注条件；{P000}一（三）"),
            "—",
            "rules/verdict.rs `elimination_holds`",
        ),
        doc(
            verdict::HOLD_INCOME,
            "风险消除的户家庭人均纯收入未超过监测范围或未填；暂缓公示（自然消除同样要求）",
            format!("{P004}二（三）1；{P000}一（三）"),
            "监测范围见 campaign.yaml `监测范围`",
            "rules/verdict.rs `elimination_holds`",
        ),
        doc(
            verdict::HOLD_STABLE,
            "帮扶消除的户收入超过监测范围不满规定月数（自“收入达标起始日期”起）；自然消除不要求",
            format!("{P004}二（三）1；{P000}一（三）"),
            &format!("{months}个月（rules.yaml `收入稳定月数`）"),
            "rules/verdict.rs `elimination_holds`",
        ),
        doc(
            &compliance::rule_stable_income(months),
            "时限合规报告中的同一条件：县级审批时收入达标不满规定月数为违规，办理中未满的显示最早可审批日期",
            format!("{P004}二（三）1；{P000}一（三）"),
            &format!("{months}个月（rules.yaml `收入稳定月数`）"),
            "rules/compliance.rs `elimination_checks`",
        ),
    ];

    let support = vec![
        doc(
            compliance::RULE_DEVELOPMENTAL,
            "有劳动能力或弱劳动能力的监测户在帮扶计划时限后仍无开发式帮扶措施",
            format!("{P001}二（一）"),
            "开发式措施类别见 rules.yaml `词表.帮扶措施`（类型: 开发式）",
            "rules/compliance.rs `household_checks`",
        ),
        doc(
            monitoring::RULE_SAFETY_NET,
            "整户无劳动能力监测户在帮扶计划时限后仍无兜底保障措施（保障式措施，或部门数据中的低保、特困）",
            format!("{P001}二（二）"),
            &format!(
                "兜底措施类型：{}（rules.yaml `帮扶核查.兜底措施类型`）",
                rules.safety_net_families().join("、")
            ),
            "rules/monitoring.rs `safety_net`",
        ),
        doc(
            monitoring::RULE_RISK_MEASURE,
            "监测户的风险类型没有对应的帮扶措施（“缺什么补什么”），帮扶计划时限后提示",
            format!("{P001}二"),
            &format!(
                "{}（rules.yaml `帮扶核查.风险对应措施`）",
                rules
                    .risk_measures()
                    .map(|m| m
                        .iter()
                        .map(|(risk, ms)| format!("{risk}→{}", ms.join("/")))
                        .collect::<Vec<_>>()
                        .join("；"))
                    .unwrap_or_else(|| "不核查".to_string())
            ),
            "rules/monitoring.rs `risk_measures`",
        ),
        doc(
            monitoring::RULE_FIRST_IMPROVEMENT,
            "“是否有卫生厕所”为否的监测户在帮扶计划时限后仍没有户厕改造措施，或户厕改造晚于其他改善式措施",
            format!("{P001}二（五）"),
            &format!(
                "{}（rules.yaml `帮扶核查.首项改善式措施`，写空字符串不核查）",
                rules.first_improvement()
            ),
            "rules/monitoring.rs `first_improvement`",
        ),
        doc(
            monitoring::RULE_INCOMPLETE,
            "监测户缺少监测对象类型、风险类型或家庭人均纯收入（帮扶计划据此制定），帮扶计划时限后提示",
            format!("{P001}二"),
            "—",
            "rules/monitoring.rs `incomplete`",
        ),
        doc(
            monitoring::RULE_SHOULD_ELIMINATE,
            "监测户收入超过监测范围已满规定月数、“两不愁三保障”及饮水安全达标、不是整户无劳动能力，却没有办理中的风险消除（应消未消，纳入考核）",
            format!("{P001}三（四）；{P003}二（二）"),
            &format!("{months}个月（rules.yaml `收入稳定月数`）"),
            "rules/monitoring.rs `should_eliminate`",
        ),
        doc(
            &compliance::rule_long_monitoring(years),
            "纳入监测满规定年数仍未消除风险、不是整户无劳动能力的监测户（自县级审批或识别监测时间起），列入帮扶效果分析",
            format!("{P001}三（四）"),
            &format!("{years}年（rules.yaml `监测分析年数`）"),
            "rules/compliance.rs `household_checks`",
        ),
    ];

    let follow_up = VisitKind::ALL
        .iter()
        .map(|&kind| {
            let c = rules.follow_up(kind);
            let checks = match kind {
                VisitKind::Evaluation => "每个周期对每户监测户开展帮扶效果评估：上一周期没有评估记录的为已逾期未完成，本周期自提示起始月起列出尚无记录的户（该月1日以后才纳入监测的户从下一周期起计）",
                VisitKind::Visit => "乡镇党委书记或镇长每年对未消除风险的监测户遍访一次：上一年没有遍访记录的为已逾期未完成，本年自提示起始月起列出尚无记录的户",
            };
            RuleDoc {
                name: visits::rule_name(kind, c.period_months),
                checks: checks.to_string(),
                basis: c.source.clone(),
                default: format!(
                    "每{}个月一次，第{}个月起提示{}（rules.yaml `评估遍访.{}`）",
                    c.period_months,
                    c.remind_from_month,
                    if c.enabled { "" } else { "（已停用）" },
                    kind.label()
                ),
                code: "rules/visits.rs",
            }
        })
        .chain([
            doc(
                visits::RULE_NO_RECORDS,
                "工作区没有任何帮扶效果评估或遍访记录时只提示一次，不逐户列出",
                format!("{P001}三（三）、三（四）"),
                "不登记的可在 rules.yaml `评估遍访` 中写 `停用: true`",
                "rules/visits.rs",
            ),
            doc(
                visits::RULE_UNKNOWN_HOUSEHOLD,
                "评估遍访记录的户编号在户信息中找不到（不计入任何户）",
                "数据核对（记录须属于在册农户）".to_string(),
                "—",
                "rules/visits.rs",
            ),
        ])
        .collect();

    let (lifted, since_year) = rules.village_check();
    let screening_rules = vec![
        doc(
            monitoring::RULE_OUTSIDE,
            "近两年或本年度以来（取较早者）新纳入低保或特困供养（帮扶措施或部门数据），但从未纳入监测、也没有办理中的识别纳入；有不得纳入情形的户不列",
            format!("{P000}一（一）；{P001}一（三）"),
            "—",
            "rules/monitoring.rs `outside`",
        ),
        doc(
            monitoring::RULE_VILLAGE,
            "脱贫户达到规定户数、但自起始年度以来没有识别过监测户的村（有未填识别监测时间的监测户时提示补填，不作判断）",
            format!("{P003}二（二）"),
            &format!("{lifted}户、{since_year}年（rules.yaml `村级核查.脱贫户数`、`起始年度`）"),
            "rules/monitoring.rs `villages`",
        ),
        doc(
            screening::BELOW_LINE,
            "筛查表：家庭人均纯收入未超过监测范围",
            format!("{P004}二（一）1 明确监测范围"),
            "campaign.yaml `监测范围`",
            "rules/screening.rs",
        ),
        doc(
            screening::FELL,
            "筛查表：家庭人均纯收入较上年下降",
            format!("{P000}一（一）2"),
            "—",
            "rules/screening.rs",
        ),
        doc(
            screening::BOTTOM_FIFTH_FELL,
            "筛查表：脱贫户人均纯收入排在本地脱贫户后20%且较上年下降",
            format!("{P003}二（二）"),
            "—",
            "rules/screening.rs",
        ),
        doc(
            key_groups::LIFTED,
            "核查重点群体：脱贫户（特别是2020年度脱贫的）",
            key_groups::BASIS_004.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            key_groups::DIBAO,
            "核查重点群体：农村低保对象（帮扶措施或部门数据）",
            key_groups::BASIS_004.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            key_groups::TEKUN,
            "核查重点群体：分散供养特困人员（单人户另标“单人户特困”）",
            key_groups::BASIS_004.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            &format!("{}、{}", key_groups::NEW_DIBAO, key_groups::NEW_TEKUN),
            "核查重点群体：近两年或本年度以来新识别的低保、特困（取较早者）",
            format!("{}；{}", key_groups::BASIS_000, key_groups::BASIS_004),
            "campaign.yaml `年度`",
            "rules/key_groups.rs",
        ),
        doc(
            &format!("{}、{}", key_groups::SEVERE_DISABILITY, key_groups::MULTI_DISABLED),
            "核查重点群体：成员重度残疾（一级、二级，含残疾人证号后缀和残疾人名单），一户两人及以上残疾",
            key_groups::BASIS_004.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            key_groups::MANY_STUDENTS,
            "核查重点群体：多子女特别是非义务教育阶段在读子女较多",
            key_groups::BASIS_004.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            key_groups::FELL_TWICE,
            "核查重点群体：人均纯收入连续两年下降（需填前年人均纯收入）",
            key_groups::BASIS_000.to_string(),
            "—",
            "rules/key_groups.rs",
        ),
        doc(
            &key_groups::below_line_label(key_groups::DEFAULT_INCOME_LINE),
            "核查重点群体：脱贫户人均纯收入低于重点群体收入线",
            key_groups::BASIS_000.to_string(),
            "8050元（campaign.yaml `重点群体收入线`）",
            "rules/key_groups.rs",
        ),
    ];

    let data = vec![
        doc(
            "收入核算不一致",
            "按收入构成（工资性、生产经营性、财产性、转移性收入减生产经营性支出）除以家庭人口计算的人均纯收入与填报值相差超过1元",
            format!("{P004}二（一）1：家庭人均纯收入"),
            "1元",
            "rules/income.rs",
        ),
        doc(
            "收入核算",
            "有收入构成但家庭人口为0，无法计算人均纯收入（死亡、服刑、失踪、不共享收支的成员不计入家庭人口）",
            format!("{P000}附件1（九）"),
            "—",
            "rules/income.rs",
        ),
        doc(
            "工作节点",
            "进度表中的节点不在 campaign.yaml 的时间安排中；时间安排各节点逐单位核对完成时间（`责任单位: 乡镇` 的节点只核对乡镇）",
            "各地集中排查工作方案的“时间安排”".to_string(),
            "campaign.yaml `时间安排`",
            "rules/compliance.rs `milestone_rows`",
        ),
    ];

    vec![
        Section {
            title: "办理时限（rules.yaml 时限规则）",
            rules: deadlines,
        },
        Section {
            title: "程序与环节",
            rules: procedure,
        },
        Section {
            title: "公示、公告前的条件（暂缓公示）",
            rules: public,
        },
        Section {
            title: "帮扶措施落实",
            rules: support,
        },
        Section {
            title: "帮扶效果评估与遍访（rules.yaml 评估遍访）",
            rules: follow_up,
        },
        Section {
            title: "排查重点与筛查",
            rules: screening_rules,
        },
        Section {
            title: "数据核算与工作进度",
            rules: data,
        },
    ]
}

/// Every rule name in the table.
pub fn names(rules: &RulesFile) -> Vec<String> {
    sections(rules)
        .into_iter()
        .flat_map(|s| s.rules.into_iter().map(|r| r.name))
        .collect()
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// docs/rules.md for the given rules.
pub fn markdown(rules: &RulesFile) -> String {
    let mut out = String::from(
        "# fangpin 内置规则一览\n\n\
         本表由程序内置规则生成（`src/rules/catalog.rs`），测试核对本文件与程序一致；修改规则后运行\n\
         `FANGPIN_BLESS=1 cargo test --lib rules::catalog` 重新生成。“规则”一列即时限合规报告、数据问题清单“规则核查”表\n\
         和 `fangpin check` 中的规则名称；“默认”一列注明可在工作区 rules.yaml 或 campaign.yaml 中修改的键。\n\
         规则核查结果的级别（错误或警告）可按规则名称在 rules.yaml 的 `核查级别` 中修改。\n",
    );
    for s in sections(rules) {
        let _ = write!(
            out,
            "\n## {}\n\n| 规则 | 核查内容 | 依据 | 默认 | 代码位置 |\n|---|---|---|---|---|\n",
            s.title
        );
        for r in s.rules {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&r.name),
                cell(&r.checks),
                cell(&r.basis),
                cell(&r.default),
                cell(r.code)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");

    #[test]
    fn docs_rules_md_is_the_built_in_table() {
        let want = markdown(&RulesFile::defaults());
        if std::env::var_os("FANGPIN_BLESS").is_some() {
            std::fs::write(DOC, &want).unwrap();
        }
        let have = std::fs::read_to_string(DOC).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md 与内置规则不一致：运行 FANGPIN_BLESS=1 cargo test --lib rules::catalog 重新生成"
        );
    }

    #[test]
    fn every_rule_has_a_basis_and_a_place_in_code() {
        for s in sections(&RulesFile::defaults()) {
            for r in s.rules {
                assert!(!r.basis.trim().is_empty(), "{}", r.name);
                assert!(!r.code.trim().is_empty(), "{}", r.name);
                assert!(!r.checks.trim().is_empty(), "{}", r.name);
            }
        }
    }

    /// Every rule the sample workspace trips is in the table (a new rule without a line fails).
    #[test]
    fn every_rule_the_sample_reports_is_listed() {
        let ws = crate::ingest::load_workspace(std::path::Path::new("data")).unwrap();
        let ev = super::super::evaluate(&ws, ws.campaign.as_of.unwrap()).unwrap();
        let listed: BTreeSet<String> = names(&ws.rules)
            .into_iter()
            .flat_map(|n| n.split('、').map(str::to_string).collect::<Vec<_>>())
            .collect();
        let used: BTreeSet<String> = ev
            .compliance
            .iter()
            .map(|r| r.rule.clone())
            .filter(|r| !r.starts_with(compliance::MILESTONE_PREFIX))
            .chain(ev.findings.iter().map(|f| f.rule.clone()))
            .chain(ev.cases.iter().flat_map(|c| c.holds.iter().map(|h| h.rule.clone())))
            .collect();
        let missing: Vec<&String> = used.difference(&listed).collect();
        assert!(missing.is_empty(), "not in docs/rules.md: {missing:?}");
    }
}
