//! YAML data files: top-level lists 户, 成员, 程序, 帮扶措施, 问题, 进度, 评估遍访 under the same Chinese keys
//! (and aliases) as the Excel headers; a 户 entry may nest its 成员.

use super::build::{self, Ctx, FileData};
use super::fields::{Field, SheetKind, match_header, normalize_header, resolve};
use super::record::{Cell, Loc, Reader, Record, Source};
use super::yaml_index::{Seg, YamlIndex};
use crate::model::{Diagnostic, Place, RulesFile};
use serde_yaml::Value;
use std::borrow::Cow;

/// Top-level list names and the record kind each holds.
const LISTS: &[(&str, SheetKind, &[&str])] = &[
    ("户", SheetKind::Household, &["农户", "户信息", "households"]),
    ("成员", SheetKind::Member, &["家庭成员", "members"]),
    ("程序", SheetKind::Procedure, &["办理程序", "procedures"]),
    ("帮扶措施", SheetKind::Measure, &["措施", "measures"]),
    ("问题", SheetKind::Problem, &["问题清单", "整改问题", "problems"]),
    ("进度", SheetKind::Milestone, &["工作进度", "milestone_reports"]),
    (
        "评估遍访",
        SheetKind::Visit,
        &["帮扶效果评估", "遍访", "评估记录", "遍访记录", "走访记录", "visits"],
    ),
];

/// A YAML syntax error as a diagnostic with file:line:column.
pub fn syntax_error(rel: &str, e: &serde_yaml::Error) -> Diagnostic {
    let place = match e.location() {
        Some(l) => Place::line(rel, l.line(), l.column()),
        None => Place::file(rel),
    };
    let detail = e.to_string();
    // serde_yaml appends " at line X column Y"; the place already says it.
    let detail = match detail.find(" at line ") {
        Some(i) => detail[..i].to_string(),
        None => detail,
    };
    let (msg, fix) = if detail.contains("recursion limit") || detail.contains("repetition limit") {
        (
            "YAML 嵌套或别名引用过多，文件被拒绝读取".to_string(),
            "去掉 & 和 * 别名引用，直接写出数据",
        )
    } else {
        (
            format!("YAML 格式错误（{detail}）"),
            "检查此处的缩进（只能用空格）、冒号后的空格、引号是否成对",
        )
    };
    Diagnostic::error(place, "", "", msg, fix)
}

/// Reads one YAML data file. Never fails: problems become diagnostics.
pub fn read_yaml(rel: &str, text: &str, ctx: &Ctx, rules: &RulesFile) -> FileData {
    let mut data = FileData::default();
    if let Some(at) = super::limits::flow_too_deep(text) {
        data.diagnostics.push(super::limits::too_deep_diagnostic(rel, at));
        return data;
    }
    let value: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            data.diagnostics.push(syntax_error(rel, &e));
            return data;
        }
    };
    let index = YamlIndex::new(text);
    let src = Source {
        file: rel.to_string(),
        sheet: None,
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => {
            data.diagnostics.push(Diagnostic::warning(
                Place::file(rel),
                "",
                "",
                "文件是空的",
                "填写数据，或删除此文件",
            ));
            return data;
        }
        _ => {
            data.diagnostics.push(Diagnostic::error(
                Place::line(rel, 1, 1),
                "",
                "",
                "数据文件的顶层应是“户、成员、程序、帮扶措施、问题、进度、评估遍访”等列表",
                "按 README“输入约定”的示例改写",
            ));
            return data;
        }
    };
    // Set when a file limit stopped the reading (the rest of the file is not read).
    let mut stop = false;
    let mut caps = super::limits::FileCaps::default();
    for (k, v) in &map {
        if stop {
            break;
        }
        let key = scalar_key(k);
        let key_pos = index.locate(&[Seg::Key(&key)]);
        let key_loc = key_pos.map_or(Loc::File, |(line, col)| Loc::Line { line, col });
        let Some((name, kind, _)) = LISTS
            .iter()
            .find(|(n, _, aliases)| *n == key || aliases.contains(&key.as_str()))
        else {
            let allowed: Vec<&str> = LISTS.iter().map(|l| l.0).collect();
            data.diagnostics.push(Diagnostic::error(
                src.place(&key_loc),
                "",
                key.clone(),
                format!("未知的顶层键“{key}”，其下数据未读取"),
                format!("顶层键只能是：{}", allowed.join("、")),
            ));
            continue;
        };
        let items = match v {
            Value::Sequence(s) => s.as_slice(),
            Value::Null => &[][..],
            _ => {
                data.diagnostics.push(Diagnostic::error(
                    src.place(&key_loc),
                    "",
                    "",
                    format!("“{key}”下应是列表（每项以“- ”开头）"),
                    "把每条记录写成以“- ”开头的一项",
                ));
                continue;
            }
        };
        if items.is_empty() {
            data.diagnostics.push(Diagnostic::warning(
                src.place(&key_loc),
                "",
                "",
                format!("“{key}”列表是空的"),
                "填写数据，或删除此键",
            ));
            continue;
        }
        let list_path = [Seg::Key(&key)];
        let lines_ok = index.seq_len(&list_path) == Some(items.len());
        let mut rd = Reader {
            src: &src,
            rules,
            diags: &mut data.diagnostics,
        };
        for (i, item) in items.iter().enumerate() {
            let path = ItemPath {
                index: &index,
                lines_ok,
                segs: vec![Seg::Key(&key), Seg::Idx(i)],
                label: format!("{name}第{}项", i + 1),
            };
            if let Some((message, fix)) = caps.check(data.rows, rd.diags) {
                let loc = match index.locate(&path.segs) {
                    Some((line, col)) if lines_ok => Loc::Line { line, col },
                    _ => Loc::Path(path.label.clone()),
                };
                rd.diags.push(Diagnostic::error(src.place(&loc), "", "", message, fix));
                stop = true;
                break;
            }
            let Some(rec) = YamlRecord::new(&mut rd, item, *kind, path) else {
                continue;
            };
            data.rows += 1;
            match kind {
                SheetKind::Household => {
                    let Some(mut h) = build::household(&mut rd, ctx, &rec) else {
                        continue;
                    };
                    if let Some((nested, nested_loc)) = rec.nested_members.as_ref() {
                        read_nested_members(&mut rd, ctx, &rec, nested, nested_loc, &mut h, &mut data.rows);
                    }
                    data.households.push(h);
                }
                SheetKind::Member | SheetKind::HouseholdWithMembers => {
                    data.members.extend(build::member(&mut rd, ctx, &rec, None))
                }
                SheetKind::Procedure => data.procedures.extend(build::procedure(&mut rd, &rec)),
                SheetKind::Measure => data.measures.extend(build::measure(&mut rd, &rec)),
                SheetKind::Problem => data.problems.extend(build::problem(&mut rd, ctx, &rec)),
                SheetKind::Milestone => data.reports.extend(build::report(&mut rd, ctx, &rec)),
                SheetKind::Visit => data.visits.extend(build::visit(&mut rd, &rec)),
            }
        }
    }
    data
}

fn read_nested_members(
    rd: &mut Reader,
    ctx: &Ctx,
    parent: &YamlRecord,
    nested: &Value,
    nested_loc: &Loc,
    h: &mut build::PendingHousehold,
    rows: &mut usize,
) {
    let Value::Sequence(items) = nested else {
        rd.error(
            nested_loc,
            Field::Name,
            "",
            "“成员”下应是列表（每位成员以“- ”开头）",
            "把每位成员写成以“- ”开头的一项",
        );
        return;
    };
    let mut segs = parent.path.segs.clone();
    segs.push(Seg::Key(parent.members_key.as_deref().unwrap_or("成员")));
    let lines_ok = parent.path.lines_ok && parent.path.index.seq_len(&segs) == Some(items.len());
    let hid = h.h.id.clone();
    for (j, item) in items.iter().enumerate() {
        let mut s = segs.clone();
        s.push(Seg::Idx(j));
        let path = ItemPath {
            index: parent.path.index,
            lines_ok,
            segs: s,
            label: format!("{}.成员第{}项", parent.path.label, j + 1),
        };
        let Some(rec) = YamlRecord::new(rd, item, SheetKind::Member, path) else {
            continue;
        };
        *rows += 1;
        if let Some(hid_given) = rec.get(Field::HouseholdId).and_then(scalar_text)
            && hid_given != hid
        {
            let loc = rec.field_loc(Field::HouseholdId);
            rd.error(
                &loc,
                Field::HouseholdId,
                hid_given,
                format!("嵌套在户 {hid} 下的成员写了另一个户编号"),
                "删除成员中的户编号，或把成员移到正确的户下",
            );
        }
        if let Some(m) = build::member(rd, ctx, &rec, Some(&hid)) {
            h.members.push(m);
        }
    }
}

fn scalar_key(v: &Value) -> String {
    scalar_text(v).unwrap_or_else(|| "（非文本键）".to_string())
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Where an item is: its path for lookups in the index and a readable label for fallbacks.
struct ItemPath<'i, 'k> {
    index: &'i YamlIndex,
    lines_ok: bool,
    segs: Vec<Seg<'k>>,
    label: String,
}

/// One YAML mapping seen through canonical fields.
struct YamlRecord<'v, 'i, 'k> {
    fields: Vec<(Field, &'v Value, String)>,
    path: ItemPath<'i, 'k>,
    /// `成员` nested in a 户 entry, with its key as written.
    nested_members: Option<(&'v Value, Loc)>,
    members_key: Option<String>,
    kind: SheetKind,
}

impl<'v, 'i, 'k> YamlRecord<'v, 'i, 'k> {
    fn new(rd: &mut Reader, item: &'v Value, kind: SheetKind, path: ItemPath<'i, 'k>) -> Option<Self> {
        let mut rec = YamlRecord {
            fields: Vec::new(),
            path,
            nested_members: None,
            members_key: None,
            kind,
        };
        let Value::Mapping(m) = item else {
            let loc = rec.loc();
            rd.diags.push(Diagnostic::error(
                rd.src.place(&loc),
                "",
                scalar_text(item).unwrap_or_default(),
                "此项应是一条记录（“键: 值”的映射）",
                "按 README“输入约定”的示例改写此项",
            ));
            return None;
        };
        for (k, v) in m {
            let key = scalar_key(k);
            if kind == SheetKind::Household && matches!(key.as_str(), "成员" | "家庭成员") {
                let loc = rec.key_loc(&key);
                rec.nested_members = Some((v, loc));
                rec.members_key = Some(key);
                continue;
            }
            let loc = rec.key_loc(&key);
            let Some(h) = match_header(&normalize_header(&key)) else {
                rd.diags.push(Diagnostic::warning(
                    rd.src.place(&loc),
                    "",
                    key.clone(),
                    format!("无法识别的键“{key}”，其值未读取"),
                    "改为 README“输入约定”中的标准名称或别名",
                ));
                continue;
            };
            let f = resolve(h, kind);
            if !kind.allows(f) {
                rd.diags.push(Diagnostic::warning(
                    rd.src.place(&loc),
                    f.label(),
                    key.clone(),
                    format!("「{}」不属于{}记录，其值未读取", f.label(), kind.label()),
                    "删除此键，或把它写到相应的列表中",
                ));
                continue;
            }
            if rec.fields.iter().any(|(g, _, _)| *g == f) {
                rd.diags.push(Diagnostic::warning(
                    rd.src.place(&loc),
                    f.label(),
                    key.clone(),
                    format!("「{}」重复出现，只读取第一个", f.label()),
                    "删除重复的键",
                ));
                continue;
            }
            rec.fields.push((f, v, key));
        }
        Some(rec)
    }

    fn get(&self, f: Field) -> Option<&'v Value> {
        self.fields.iter().find(|(g, _, _)| *g == f).map(|(_, v, _)| *v)
    }

    fn key_loc(&self, key: &str) -> Loc {
        if self.path.lines_ok {
            let mut segs = self.path.segs.clone();
            segs.push(Seg::Key(key));
            if let Some((line, col)) = self.path.index.locate(&segs) {
                return Loc::Line { line, col };
            }
        }
        self.loc()
    }

    fn field_loc(&self, f: Field) -> Loc {
        match self.fields.iter().find(|(g, _, _)| *g == f) {
            Some((_, _, key)) => self.key_loc(key),
            None => self.loc(),
        }
    }
}

impl Record for YamlRecord<'_, '_, '_> {
    fn cell(&self, f: Field) -> Option<(Cell<'_>, Loc)> {
        if !self.kind.allows(f) {
            return None;
        }
        let Some((_, v, key)) = self.fields.iter().find(|(g, _, _)| *g == f) else {
            return Some((Cell::Empty, self.loc()));
        };
        let cell = match v {
            Value::Null => Cell::Empty,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Cell::Int(i),
                (None, Some(u), _) => Cell::Text(Cow::Owned(u.to_string())),
                (_, _, Some(x)) => Cell::Float(x),
                _ => Cell::Structured,
            },
            Value::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
            Value::Sequence(items) if f.is_multi() => {
                let parts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                match parts {
                    Some(p) => Cell::Text(Cow::Owned(p.join("、"))),
                    None => Cell::Structured,
                }
            }
            _ => Cell::Structured,
        };
        Some((cell, self.key_loc(key)))
    }

    fn loc(&self) -> Loc {
        if self.path.lines_ok
            && let Some((line, col)) = self.path.index.locate(&self.path.segs)
        {
            return Loc::Line { line, col };
        }
        Loc::Path(self.path.label.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Campaign, Money, Region};

    fn campaign() -> Campaign {
        Campaign {
            name: "测试".into(),
            year: 2024,
            region: Region {
                province: "省".into(),
                county: "县".into(),
                township: "测试乡".into(),
            },
            monitoring_line: Money::from_yuan(8300),
            key_group_income_line: None,
            as_of: None,
            pdf_standard: None,
            issuance: None,
            milestones: Vec::new(),
            place: Place::file("campaign.yaml"),
        }
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let c = campaign();
        let d = read_yaml(
            "a.yaml",
            "户:\n  - 户编号: 1\n   户主姓名: x\n",
            &Ctx { campaign: &c },
            &RulesFile::defaults(),
        );
        assert_eq!(d.diagnostics.len(), 1);
        let p = &d.diagnostics[0].place;
        assert_eq!(p.file, "a.yaml");
        assert!(p.line.is_some() && p.column.is_some(), "{p:?}");
    }

    #[test]
    fn unknown_top_level_key_and_record_places() {
        let c = campaign();
        let text = "户口:\n  - 户编号: 1\n户:\n  - 户编号: H1\n    行政村: 甲村\n    户类型: 外星户\n";
        let d = read_yaml("a.yaml", text, &Ctx { campaign: &c }, &RulesFile::defaults());
        let msgs: Vec<String> = d.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(msgs[0].starts_with("[错误] a.yaml:1:1"), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("[错误] a.yaml:6:5 「户类型」 值“外星户”")),
            "{msgs:?}"
        );
        assert_eq!(d.households.len(), 1);
    }

    #[test]
    fn flow_style_lists_use_paths() {
        let c = campaign();
        let text = "户: [{户编号: H1, 行政村: 甲村, 户类型: 外星户}]\n";
        let d = read_yaml("a.yaml", text, &Ctx { campaign: &c }, &RulesFile::defaults());
        let bad = d.diagnostics.iter().find(|d| d.field == "户类型").unwrap();
        assert_eq!(bad.place.sheet.as_deref(), Some("户第1项"));
    }
}
