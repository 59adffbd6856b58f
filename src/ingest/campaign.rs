//! `campaign.yaml` (Chinese keys, English aliases accepted) and `rules.yaml`.
//!
//! Both are fatal when wrong, so every problem is collected before giving up.

use super::values::{DATE_FIX, MONEY_FIX, parse_date, parse_money};
use super::yaml::syntax_error;
use super::yaml_index::{Seg, YamlIndex};
use crate::model::{Campaign, Diagnostic, Issuance, MilestoneDef, Money, Place, Region, RulesFile};
use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};

pub const CAMPAIGN_FILE: &str = "campaign.yaml";
pub const RULES_FILE: &str = "rules.yaml";

/// (Chinese key, English alias)
const TOP: &[(&str, &str)] = &[
    ("名称", "name"),
    ("年度", "year"),
    ("地区", "region"),
    ("监测范围", "monitoring_line"),
    ("重点群体收入线", "key_group_income_line"),
    ("统计截止日", "as_of"),
    ("PDF标准", "pdf_standard"),
    ("发文", "issuance"),
    ("时间安排", "milestones"),
    ("信息比对日期", "data_match_date"),
];
const REGION: &[(&str, &str)] = &[("省", "province"), ("县", "county"), ("乡镇", "township")];
const ISSUANCE: &[(&str, &str)] = &[
    ("机关", "authority"),
    ("代字", "prefix"),
    ("序号", "number"),
    ("成文日期", "date"),
    ("主送", "to"),
    ("抄送", "cc"),
    ("印章", "seal"),
    ("监督电话", "phone"),
    ("标题", "title"),
    ("附件", "attachments"),
    ("印发机关", "printer"),
];
const MILESTONE: &[(&str, &str)] = &[
    ("节点", "name"),
    ("截止", "due"),
    ("内容", "content"),
    ("责任单位", "unit"),
];

/// Walks one mapping of campaign.yaml, collecting diagnostics with positions.
struct Walker<'a> {
    index: &'a YamlIndex,
    diags: Vec<Diagnostic>,
}

/// A path in campaign.yaml, owned so it can be extended while walking.
#[derive(Clone)]
enum PSeg {
    Key(String),
    Idx(usize),
}

impl Walker<'_> {
    fn place(&self, path: &[PSeg]) -> Place {
        let segs: Vec<Seg> = path
            .iter()
            .map(|s| match s {
                PSeg::Key(k) => Seg::Key(k.as_str()),
                PSeg::Idx(i) => Seg::Idx(*i),
            })
            .collect();
        // Fall back to the nearest located ancestor.
        for n in (1..=segs.len()).rev() {
            if let Some((line, col)) = self.index.locate(&segs[..n]) {
                return Place::line(CAMPAIGN_FILE, line, col);
            }
        }
        Place::file(CAMPAIGN_FILE)
    }

    fn error(
        &mut self,
        path: &[PSeg],
        field: &str,
        value: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let place = self.place(path);
        self.diags.push(Diagnostic::error(place, field, value, message, fix));
    }

    /// Checks the keys of a mapping against (Chinese, English) pairs; returns canonical key → (value, path).
    fn keys<'v>(
        &mut self,
        m: &'v Mapping,
        allowed: &[(&str, &str)],
        base: &[PSeg],
        what: &str,
    ) -> Vec<(&'static str, &'v Value, Vec<PSeg>)>
    where
        'static: 'v,
    {
        let mut out: Vec<(&'static str, &'v Value, Vec<PSeg>)> = Vec::new();
        for (k, v) in m {
            let key = match k {
                Value::String(s) => s.trim().to_string(),
                other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
            };
            let mut path = base.to_vec();
            path.push(PSeg::Key(key.clone()));
            let found = allowed
                .iter()
                .find(|(zh, en)| *zh == key || *en == key)
                .map(|(zh, _)| *zh);
            match found {
                Some(zh) => {
                    let zh: &'static str = static_key(zh);
                    if out.iter().any(|(z, _, _)| *z == zh) {
                        self.error(
                            &path,
                            zh,
                            key.clone(),
                            format!("{what}中的“{zh}”重复出现"),
                            "删除重复的键",
                        );
                    } else {
                        out.push((zh, v, path));
                    }
                }
                None => {
                    let names: Vec<&str> = allowed.iter().map(|(zh, _)| *zh).collect();
                    self.error(
                        &path,
                        "",
                        key.clone(),
                        format!("{what}中有未知的键“{key}”"),
                        format!("可用的键：{}", names.join("、")),
                    );
                }
            }
        }
        out
    }

    fn text(&mut self, v: &Value, path: &[PSeg], field: &str) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            Value::String(_) => None,
            _ => {
                self.error(
                    path,
                    field,
                    "",
                    format!("「{field}」应为文字"),
                    format!("把「{field}」写成一个值"),
                );
                None
            }
        }
    }

    fn list(&mut self, v: &Value, path: &[PSeg], field: &str) -> Vec<String> {
        match v {
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.to_vec();
                    p.push(PSeg::Idx(i));
                    out.extend(self.text(item, &p, field));
                }
                out
            }
            Value::Null => Vec::new(),
            // A single string may list several names separated by 、 or ，.
            other => match self.text(other, path, field) {
                Some(t) => t
                    .split(['、', '，', ','])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => Vec::new(),
            },
        }
    }

    fn date(&mut self, v: &Value, path: &[PSeg], field: &str) -> Option<NaiveDate> {
        let t = self.text(v, path, field)?;
        match parse_date(&t) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(path, field, t, e.to_string(), DATE_FIX);
                None
            }
        }
    }
}

/// Interned canonical keys (the tables above are `'static`).
fn static_key(zh: &str) -> &'static str {
    for table in [TOP, REGION, ISSUANCE, MILESTONE] {
        if let Some((k, _)) = table.iter().find(|(k, _)| *k == zh) {
            return k;
        }
    }
    ""
}

fn get<'v>(fields: &[(&'static str, &'v Value, Vec<PSeg>)], key: &str) -> Option<(&'v Value, Vec<PSeg>)> {
    fields
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, v, p)| (*v, p.clone()))
}

/// Parses campaign.yaml; `Err` carries every problem found.
pub fn parse_campaign(text: &str) -> Result<Campaign, Vec<Diagnostic>> {
    if let Some(at) = super::limits::flow_too_deep(text) {
        return Err(vec![super::limits::too_deep_diagnostic(CAMPAIGN_FILE, at)]);
    }
    let value: Value = serde_yaml::from_str(text).map_err(|e| vec![syntax_error(CAMPAIGN_FILE, &e)])?;
    let index = YamlIndex::new(text);
    let mut w = Walker {
        index: &index,
        diags: Vec::new(),
    };
    let Value::Mapping(top) = &value else {
        return Err(vec![Diagnostic::error(
            Place::file(CAMPAIGN_FILE),
            "",
            "",
            "campaign.yaml 应是“键: 值”的映射",
            "按示例填写名称、年度、地区、监测范围等（示例见 fangpin help campaign.yaml）",
        )]);
    };
    let fields = w.keys(top, TOP, &[], "campaign.yaml");
    let missing = |w: &mut Walker, key: &str, fix: &str| {
        w.diags.push(Diagnostic::error(
            Place::file(CAMPAIGN_FILE),
            key,
            "",
            format!("缺少必填项“{key}”"),
            fix,
        ));
    };

    let name = match get(&fields, "名称") {
        Some((v, p)) => {
            let n = w.text(v, &p, "名称");
            if let Some(n) = &n
                && super::build::bad_path_chars(n)
            {
                w.error(
                    &p,
                    "名称",
                    n.clone(),
                    "名称会用作输出文件夹名，不能含有 / \\ : * ? \" < > |",
                    "去掉这些字符",
                );
            }
            if n.is_none() {
                w.error(
                    &p,
                    "名称",
                    "",
                    "名称为空",
                    "填写本次排查的名称，如 2024年第二季度防止返贫监测帮扶集中排查",
                );
            }
            n
        }
        None => {
            missing(&mut w, "名称", "加上 名称: 2024年第二季度防止返贫监测帮扶集中排查");
            None
        }
    };

    let year = match get(&fields, "年度") {
        Some((v, p)) => {
            let y = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().trim_end_matches('年').parse::<i64>().ok(),
                _ => None,
            };
            match y {
                Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
                _ => {
                    let shown = serde_yaml::to_string(v).unwrap_or_default().trim().to_string();
                    w.error(&p, "年度", shown, "年度应为四位年份", "填写如 2024");
                    None
                }
            }
        }
        None => {
            missing(&mut w, "年度", "加上 年度: 2024");
            None
        }
    };

    let mut region = Region::default();
    let mut township_ok = false;
    match get(&fields, "地区") {
        Some((Value::Mapping(m), p)) => {
            let rf = w.keys(m, REGION, &p, "地区");
            for (k, v, kp) in &rf {
                let t = w.text(v, kp, k).unwrap_or_default();
                match *k {
                    "省" => region.province = t,
                    "县" => region.county = t,
                    _ => region.township = t,
                }
            }
            if region.township.is_empty() {
                w.error(&p, "乡镇", "", "地区中缺少乡镇", "在 地区 下加上 乡镇: 某某乡");
            } else if super::build::bad_path_chars(&region.township) {
                let tp = get(&rf, "乡镇").map(|(_, p)| p).unwrap_or(p);
                w.error(
                    &tp,
                    "乡镇",
                    region.township.clone(),
                    "乡镇名会用作输出文件夹名，不能含有 / \\ : * ? \" < > |",
                    "去掉这些字符",
                );
            } else {
                township_ok = true;
            }
        }
        Some((_, p)) => w.error(
            &p,
            "地区",
            "",
            "地区应写成 {省: …, 县: …, 乡镇: …}",
            "按示例填写 省、县、乡镇",
        ),
        None => missing(&mut w, "地区", "加上 地区: {省: 某省, 县: 某县, 乡镇: 某乡}"),
    }

    let line = match get(&fields, "监测范围") {
        Some((v, p)) => {
            let m = match v {
                Value::Number(n) => n.as_f64().and_then(|x| super::values::money_from_f64(x).ok()),
                Value::String(s) => parse_money(s).ok(),
                _ => None,
            };
            match m {
                Some(m) if m > Money::ZERO => Some(m),
                _ => {
                    let shown = serde_yaml::to_string(v).unwrap_or_default().trim().to_string();
                    w.error(&p, "监测范围", shown, "监测范围应为大于0的金额（元/人·年）", MONEY_FIX);
                    None
                }
            }
        }
        None => {
            missing(&mut w, "监测范围", "加上 监测范围: 8300（元/人·年）");
            None
        }
    };

    // 000 §一(一)3: a 脱贫户 below this per-capita income is a key group (separate from 监测范围).
    let key_group_income_line = match get(&fields, "重点群体收入线") {
        Some((v, p)) => {
            let m = match v {
                Value::Number(n) => n.as_f64().and_then(|x| super::values::money_from_f64(x).ok()),
                Value::String(s) => parse_money(s).ok(),
                _ => None,
            };
            if m.is_none_or(|m| m <= Money::ZERO) {
                let shown = serde_yaml::to_string(v).unwrap_or_default().trim().to_string();
                w.error(
                    &p,
                    "重点群体收入线",
                    shown,
                    "重点群体收入线应为大于0的金额（元/人·年）",
                    MONEY_FIX,
                );
            }
            m
        }
        None => None,
    };
    let as_of = get(&fields, "统计截止日").and_then(|(v, p)| w.date(v, &p, "统计截止日"));
    // Read again by `data_match_date`; checked here so a wrong date stops the run like any other.
    let _ = get(&fields, "信息比对日期").and_then(|(v, p)| w.date(v, &p, "信息比对日期"));
    // The typst CLI's spelling (`a-2b`); 无 / none for plain PDF.
    let pdf_standard = match get(&fields, "PDF标准").and_then(|(v, p)| w.text(v, &p, "PDF标准").map(|t| (t, p))) {
        Some((t, p)) => match t.to_ascii_lowercase().replace("pdf/", "").as_str() {
            "a-2b" | "a2b" => Some("a-2b".to_string()),
            "无" | "none" => None,
            _ => {
                w.error(
                    &p,
                    "PDF标准",
                    t.clone(),
                    "不认识的 PDF 标准",
                    "写 a-2b（PDF/A-2b 归档版）或删去此项",
                );
                None
            }
        },
        None => None,
    };

    let issuance = match get(&fields, "发文") {
        Some((Value::Mapping(m), p)) => Some(parse_issuance(&mut w, m, &p)),
        Some((Value::Null, _)) | None => None,
        Some((_, p)) => {
            w.error(
                &p,
                "发文",
                "",
                "发文应写成 机关、代字、序号 等键的映射",
                "按示例填写（示例见 fangpin help campaign.yaml）",
            );
            None
        }
    };

    let mut milestones: Vec<MilestoneDef> = Vec::new();
    match get(&fields, "时间安排") {
        Some((Value::Sequence(items), p)) => {
            for (i, item) in items.iter().enumerate() {
                let mut ip = p.clone();
                ip.push(PSeg::Idx(i));
                let Value::Mapping(m) = item else {
                    w.error(
                        &ip,
                        "时间安排",
                        "",
                        "每个时间安排应写成 {节点: …, 截止: …}",
                        "按示例改写",
                    );
                    continue;
                };
                let mf = w.keys(m, MILESTONE, &ip, "时间安排");
                let name = get(&mf, "节点").and_then(|(v, kp)| w.text(v, &kp, "节点"));
                let due = get(&mf, "截止").and_then(|(v, kp)| w.date(v, &kp, "截止"));
                let content = get(&mf, "内容").and_then(|(v, kp)| w.text(v, &kp, "内容"));
                // 责任单位: 乡镇 for the township's own tasks; 村 (or absent) for every village.
                let township_only =
                    match get(&mf, "责任单位").and_then(|(v, kp)| w.text(v, &kp, "责任单位").map(|t| (t, kp))) {
                        None => false,
                        Some((t, kp)) => match t.trim() {
                            "乡镇" | "镇" | "乡" | "苏木乡镇" => true,
                            "村" | "各村" | "乡镇和村" | "村和乡镇" | "嘎查村" => false,
                            other => {
                                w.error(
                                    &kp,
                                    "责任单位",
                                    other.to_string(),
                                    "责任单位只能是“乡镇”或“村”",
                                    "乡镇自己完成的节点写 责任单位: 乡镇；各村都要完成的写 责任单位: 村（或不写）",
                                );
                                false
                            }
                        },
                    };
                if name.is_none() {
                    w.error(&ip, "节点", "", "时间安排缺少节点名称", "填写 节点: 工作名称");
                }
                if due.is_none() && get(&mf, "截止").is_none() {
                    w.error(&ip, "截止", "", "时间安排缺少截止日期", "填写 截止: 2024-06-05");
                }
                if let Some(n) = &name
                    && milestones.iter().any(|m| m.name == *n)
                {
                    w.error(&ip, "节点", n.clone(), "节点名称重复", "每个节点用不同的名称");
                    continue;
                }
                if let (Some(name), Some(due)) = (name, due) {
                    milestones.push(MilestoneDef {
                        name,
                        due,
                        content,
                        township_only,
                    });
                }
            }
        }
        Some((Value::Null, _)) | None => {}
        Some((_, p)) => w.error(&p, "时间安排", "", "时间安排应是列表", "每个节点写成以“- ”开头的一项"),
    }

    if !w.diags.is_empty() {
        let mut d = w.diags;
        super::sort_diagnostics(&mut d);
        return Err(d);
    }
    match (name, year, line, township_ok) {
        (Some(name), Some(year), Some(monitoring_line), true) => Ok(Campaign {
            name,
            year,
            region,
            monitoring_line,
            key_group_income_line,
            as_of,
            pdf_standard,
            issuance,
            milestones,
            place: Place::file(CAMPAIGN_FILE),
        }),
        // Every missing or wrong value has already been reported above.
        _ => Err(vec![Diagnostic::error(
            Place::file(CAMPAIGN_FILE),
            "",
            "",
            "campaign.yaml 不完整",
            "补全必填项",
        )]),
    }
}

/// campaign.yaml's 信息比对日期: the day the department rosters were compared, for 识别纳入 cases
/// whose 程序 sheet leaves 信息比对 empty (validated by [`parse_campaign`]).
pub fn data_match_date(text: &str) -> Option<NaiveDate> {
    let value: Value = serde_yaml::from_str(text).ok()?;
    let Value::Mapping(top) = value else { return None };
    let v = top
        .iter()
        .find(|(k, _)| matches!(k, Value::String(s) if matches!(s.trim(), "信息比对日期" | "data_match_date")))
        .map(|(_, v)| v)?;
    match v {
        Value::String(s) => parse_date(s).ok(),
        Value::Number(n) => parse_date(&n.to_string()).ok(),
        _ => None,
    }
}

/// Where `发文.印章` is written in campaign.yaml (either key spelling), else the file.
pub fn seal_place(text: &str) -> Place {
    let index = YamlIndex::new(text);
    for outer in ["发文", "issuance"] {
        for inner in ["印章", "seal"] {
            if let Some((line, col)) = index.locate(&[Seg::Key(outer), Seg::Key(inner)]) {
                return Place::line(CAMPAIGN_FILE, line, col);
            }
        }
    }
    Place::file(CAMPAIGN_FILE)
}

fn parse_issuance(w: &mut Walker, m: &Mapping, base: &[PSeg]) -> Issuance {
    let f = w.keys(m, ISSUANCE, base, "发文");
    let mut is = Issuance::default();
    for (k, v, p) in &f {
        match *k {
            "机关" => is.authority = w.text(v, p, k).unwrap_or_default(),
            "代字" => is.prefix = w.text(v, p, k).unwrap_or_default(),
            "序号" => {
                let n = match v {
                    Value::Number(n) => n.as_u64().and_then(|x| u32::try_from(x).ok()),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                match n {
                    Some(n) if n > 0 => is.number = n,
                    _ => {
                        let shown = serde_yaml::to_string(v).unwrap_or_default().trim().to_string();
                        w.error(p, "序号", shown, "发文序号应为正整数（不加前导零）", "填写如 12");
                    }
                }
            }
            "成文日期" => is.date = w.date(v, p, k),
            "主送" => is.to = w.list(v, p, k),
            "抄送" => is.cc = w.list(v, p, k),
            "印章" => is.seal = w.text(v, p, k),
            "监督电话" => is.phone = w.text(v, p, k),
            "标题" => is.title = w.text(v, p, k),
            "附件" => is.attachments = w.list(v, p, k),
            _ => is.printer = w.text(v, p, k),
        }
    }
    for (key, present) in [
        ("机关", !is.authority.is_empty()),
        ("代字", !is.prefix.is_empty()),
        ("序号", is.number > 0),
    ] {
        if !present && get(&f, key).is_none() {
            w.error(
                base,
                key,
                "",
                format!("发文中缺少“{key}”"),
                format!("在 发文 下填写 {key}"),
            );
        } else if !present && key != "序号" {
            let p = get(&f, key).map(|(_, p)| p).unwrap_or_default();
            w.error(&p, key, "", format!("发文中的“{key}”为空"), format!("填写 {key}"));
        }
    }
    is
}

/// Parses a workspace rules.yaml (to be merged over the defaults); `Err` carries every problem.
pub fn parse_rules(text: &str) -> Result<RulesFile, Vec<Diagnostic>> {
    if let Some(at) = super::limits::flow_too_deep(text) {
        return Err(vec![super::limits::too_deep_diagnostic(RULES_FILE, at)]);
    }
    let rules: RulesFile = serde_yaml::from_str::<Option<RulesFile>>(text)
        .map_err(|e| {
            let mut d = syntax_error(RULES_FILE, &e);
            // serde's messages for unknown fields are English; name the allowed keys in Chinese.
            d.message = d.message.replace("YAML 格式错误", "rules.yaml 内容不符合格式");
            d.fix =
                "检查键名与取值（可用的键见内置规则：fangpin templates 导出的 rules.yaml，或 fangpin help 规则与模板）"
                    .to_string();
            vec![d]
        })?
        .unwrap_or_default();
    let index = YamlIndex::new(text);
    let mut diags = Vec::new();
    for (i, r) in rules.deadlines.iter().enumerate() {
        let place = index
            .locate(&[Seg::Key("时限规则"), Seg::Idx(i)])
            .map_or_else(|| Place::file(RULES_FILE), |(l, c)| Place::line(RULES_FILE, l, c));
        if r.max.is_none() && r.min.is_none() && !r.disabled {
            diags.push(Diagnostic::error(
                place.clone(),
                "时限规则",
                r.name.clone(),
                "时限规则既没有上限也没有下限",
                "填写 上限 或 下限（天数）",
            ));
        }
        if r.procedures.is_empty() && !r.disabled {
            diags.push(Diagnostic::error(
                place,
                "时限规则",
                r.name.clone(),
                "时限规则没有适用的程序",
                "填写 程序: [识别纳入] 等",
            ));
        }
    }
    // 评估遍访: a period must divide the year, its reminder month lie inside it.
    for (name, rule) in [
        ("帮扶效果评估", &rules.follow_up.evaluation),
        ("遍访", &rules.follow_up.visit),
    ] {
        let place = |key: &str| {
            index
                .locate(&[Seg::Key("评估遍访"), Seg::Key(name), Seg::Key(key)])
                .map_or_else(|| Place::file(RULES_FILE), |(l, c)| Place::line(RULES_FILE, l, c))
        };
        let months = rule.period_months;
        if let Some(m) = months
            && !crate::model::FOLLOW_UP_PERIODS.contains(&m)
        {
            diags.push(Diagnostic::error(
                place("周期月数"),
                "周期月数",
                m.to_string(),
                format!("评估遍访.{name}的周期月数须能整分一年"),
                "填写 1、2、3、4、6 或 12（3 为每季度，12 为每年）",
            ));
        }
        let limit = months.unwrap_or(match name {
            "遍访" => 12,
            _ => 3,
        });
        if let Some(f) = rule.remind_from_month
            && !(1..=limit).contains(&f)
        {
            diags.push(Diagnostic::error(
                place("提示起始月"),
                "提示起始月",
                f.to_string(),
                format!("评估遍访.{name}的提示起始月须在周期之内（1至{limit}）"),
                format!("填写 1 至 {limit} 之间的整数（周期内的第几个月）"),
            ));
        }
    }
    if diags.is_empty() { Ok(rules) } else { Err(diags) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
名称: 2024年第二季度防止返贫监测帮扶集中排查
年度: 2024
地区: {省: 内蒙古自治区, 县: 鄂温克族自治旗, 乡镇: 巴彦塔拉达斡尔民族乡}
监测范围: 8300
统计截止日: 2024-06-30
发文:
  机关: 巴彦塔拉达斡尔民族乡人民政府
  代字: 巴乡政发
  序号: 12
  成文日期: 2024年5月11日
  主送: [各嘎查委员会, 驻村工作队]
  抄送: 旗乡村振兴局
  印章: seals/乡政府.png
  监督电话: 0470-0000000
时间安排:
  - {节点: 全面培训部署, 截止: 2024-05-10}
  - {节点: 开展集中排查, 截止: 2024.6.5, 内容: 入户排查}
";

    #[test]
    fn parses_the_design_example() {
        let c = parse_campaign(GOOD).unwrap();
        assert_eq!(c.year, 2024);
        assert_eq!(c.region.township, "巴彦塔拉达斡尔民族乡");
        assert_eq!(c.monitoring_line, Money::from_yuan(8300));
        assert_eq!(c.as_of, NaiveDate::from_ymd_opt(2024, 6, 30));
        let is = c.issuance.unwrap();
        assert_eq!(is.doc_number(c.year), "巴乡政发〔2024〕12号");
        assert_eq!(is.to, vec!["各嘎查委员会", "驻村工作队"]);
        assert_eq!(is.cc, vec!["旗乡村振兴局"]);
        assert_eq!(is.date, NaiveDate::from_ymd_opt(2024, 5, 11));
        assert_eq!(c.milestones.len(), 2);
        assert_eq!(c.milestones[1].content.as_deref(), Some("入户排查"));
    }

    #[test]
    fn english_aliases() {
        let c = parse_campaign("name: x\nyear: 2023\nregion: {township: 甲乡}\nmonitoring_line: '6,900元'\n").unwrap();
        assert_eq!(c.monitoring_line, Money::from_yuan(6900));
        assert_eq!(c.key_group_income_line(), Money::from_yuan(8050));
        let c = parse_campaign("名称: x\n年度: 2023\n地区: {乡镇: 甲乡}\n监测范围: 6900\n重点群体收入线: 8050.5\n")
            .unwrap();
        assert_eq!(c.key_group_income_line, Some(Money(805_050)));
        assert!(
            parse_campaign("名称: x\n年度: 2023\n地区: {乡镇: 甲乡}\n监测范围: 6900\n重点群体收入线: 0\n").is_err()
        );
    }

    #[test]
    fn collects_every_problem() {
        let text = "名称: a/b\n年度: 二〇二四\n地区: {省: 甲, 县区: 乙}\n颜色: 红\n时间安排:\n  - {节点: 排查, 截止: 2024-02-30}\n";
        let diags = parse_campaign(text).unwrap_err();
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        let joined = msgs.join("\n");
        assert!(joined.contains("campaign.yaml:1:1 「名称」"), "{joined}");
        assert!(joined.contains("campaign.yaml:2:1 「年度」"), "{joined}");
        assert!(joined.contains("未知的键“县区”"), "{joined}");
        assert!(joined.contains("可用的键：省、县、乡镇"), "{joined}");
        assert!(joined.contains("地区中缺少乡镇"), "{joined}");
        assert!(joined.contains("未知的键“颜色”"), "{joined}");
        assert!(joined.contains("缺少必填项“监测范围”"), "{joined}");
        assert!(joined.contains("29天"), "{joined}");
        assert_eq!(diags.len(), 7, "{joined}");
    }

    #[test]
    fn issuance_requires_its_core_keys() {
        let text = "名称: x\n年度: 2024\n地区: {乡镇: 甲乡}\n监测范围: 8300\n发文:\n  机关: 甲乡人民政府\n";
        let diags = parse_campaign(text).unwrap_err();
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.place.line == Some(5)));
    }

    #[test]
    fn rules_file() {
        assert!(parse_rules("").unwrap().deadlines.is_empty());
        let e = parse_rules("时限规则:\n  - {名称: x, 程序: [识别纳入], 起: 发现线索, 止: 县级审批, 单位: 自然日}\n")
            .unwrap_err();
        assert_eq!(e[0].place.line, Some(2));
        let e = parse_rules("颜色: 红\n").unwrap_err();
        assert!(e[0].message.contains("rules.yaml"));
        assert!(e[0].place.line.is_some());
    }

    #[test]
    fn s001_3_follow_up_periods_are_checked() {
        let e = parse_rules("评估遍访:\n  帮扶效果评估:\n    周期月数: 5\n  遍访:\n    提示起始月: 13\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].place.line, Some(3));
        assert!(e[0].fix.contains("1、2、3、4、6 或 12"));
        assert_eq!(e[1].place.line, Some(5));
        assert!(e[1].message.contains("1至12"), "{}", e[1].message);
        assert!(parse_rules("评估遍访:\n  遍访: {周期月数: 6, 提示起始月: 6}\n").is_ok());
    }
}
