use super::{Money, Place};
use chrono::NaiveDate;
use serde::Serialize;

/// `campaign.yaml`: one 集中排查 campaign of one township.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    /// 名称, e.g. 2024年第二季度防止返贫监测帮扶集中排查; also the output folder name.
    pub name: String,
    /// 年度
    pub year: i32,
    pub region: Region,
    /// 监测范围 (元/人·年), the monitoring line.
    pub monitoring_line: Money,
    /// 重点群体收入线: a 脱贫户 below this per-capita income is a key group (000 §一(一)3).
    pub key_group_income_line: Option<Money>,
    /// 统计截止日: the default `as_of` date.
    pub as_of: Option<NaiveDate>,
    /// PDF标准: `a-2b` makes every build write PDF/A-2b archive copies (like `--pdf-standard`).
    pub pdf_standard: Option<String>,
    pub issuance: Option<Issuance>,
    /// 时间安排
    pub milestones: Vec<MilestoneDef>,
    pub place: Place,
}

impl Campaign {
    /// 重点群体收入线, 8050 元 when campaign.yaml sets none (000 §一(一)3).
    pub fn key_group_income_line(&self) -> Money {
        self.key_group_income_line.unwrap_or(Money(805_000))
    }
}

/// 地区
#[derive(Debug, Clone, Default, Serialize)]
pub struct Region {
    pub province: String,
    pub county: String,
    pub township: String,
}

/// 发文: the official notice's issuing data.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Issuance {
    /// 机关, e.g. 巴彦塔拉达斡尔民族乡人民政府
    pub authority: String,
    /// 代字, e.g. 巴乡政发
    pub prefix: String,
    /// 序号
    pub number: u32,
    /// 成文日期
    pub date: Option<NaiveDate>,
    /// 主送
    pub to: Vec<String>,
    /// 抄送
    pub cc: Vec<String>,
    /// 印章: path to a seal image, relative to the workspace.
    pub seal: Option<String>,
    /// 监督电话
    pub phone: Option<String>,
    /// 标题 (optional; a default title is derived from the campaign name).
    pub title: Option<String>,
    /// 附件 names listed in the 附件说明.
    pub attachments: Vec<String>,
    /// 印发机关 (defaults to the office of the authority).
    pub printer: Option<String>,
}

impl Issuance {
    /// 发文字号 like 巴乡政发〔2024〕12号 (六角括号, no leading zeros).
    pub fn doc_number(&self, year: i32) -> String {
        format!("{}〔{}〕{}号", self.prefix, year, self.number)
    }
}

/// One 时间安排 row.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneDef {
    /// 节点
    pub name: String,
    /// 截止
    pub due: NaiveDate,
    /// 内容 (optional description for the notice's table)
    pub content: Option<String>,
    /// 责任单位: 乡镇 — the township's own task (培训部署, 总结报告): its rows are the township's,
    /// not every village's. Otherwise every village and every unit that reported it.
    pub township_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_number_has_hexagonal_brackets() {
        let i = Issuance {
            prefix: "巴乡政发".into(),
            number: 12,
            ..Issuance::default()
        };
        assert_eq!(i.doc_number(2024), "巴乡政发〔2024〕12号");
    }
}
