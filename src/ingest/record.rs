//! One input record (an Excel row or a YAML mapping) seen through the canonical fields, and typed
//! getters that turn cells into values or into diagnostics with the exact place.

use super::fields::Field;
use super::values::{
    DATE_FIX, MONEY_FIX, date_from_number, excel_general_number, money_from_f64, normalize_name, number_text,
    parse_count, parse_date, parse_money, to_half_width, trim, validate_id,
};
use crate::model::{Diagnostic, Money, Place, RulesFile, VocabEntry, parse_yes_no, split_multi};
use chrono::NaiveDate;
use std::borrow::Cow;

/// A cell value as read, before interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An Excel date cell.
    Date(NaiveDate),
    /// An Excel error value such as `#REF!`.
    Error(String),
    /// A YAML list or mapping where one value was expected.
    Structured,
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => trim(t).is_empty(),
            _ => false,
        }
    }

    /// The value as a clerk would see it, for messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => trim(t).to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => excel_general_number(*f),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Structured => "（列表或映射）".to_string(),
        }
    }
}

/// Where a value is inside its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    /// Excel cell, 0-based.
    Cell { row: u32, col: u32 },
    /// YAML line and column, 1-based.
    Line { line: usize, col: usize },
    /// YAML path such as `户[3].成员[2]` when no line is known.
    Path(String),
    /// The file as a whole.
    File,
}

/// The file (and sheet) a record comes from; turns a `Loc` into a `Place`.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: String,
    pub sheet: Option<String>,
}

impl Source {
    pub fn place(&self, loc: &Loc) -> Place {
        let mut p = Place::file(self.file.clone());
        p.sheet = self.sheet.clone();
        match loc {
            Loc::Cell { row, col } => {
                let sheet = self.sheet.clone().unwrap_or_default();
                p = Place::cell(self.file.clone(), sheet, *row, *col);
            }
            Loc::Line { line, col } => {
                p.line = Some(*line);
                p.column = Some(*col);
            }
            Loc::Path(path) => p.sheet = Some(path.clone()),
            Loc::File => {}
        }
        p
    }
}

/// One record seen through canonical fields.
pub trait Record {
    /// `None` when the sheet has no such column; `Some((Cell::Empty, loc))` for an empty cell or a
    /// YAML record lacking the key (then `loc` is the record's own place).
    fn cell(&self, f: Field) -> Option<(Cell<'_>, Loc)>;
    /// The record as a whole (row start / YAML item).
    fn loc(&self) -> Loc;
}

/// Collects diagnostics while reading records of one source.
pub struct Reader<'a> {
    pub src: &'a Source,
    pub rules: &'a RulesFile,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    pub fn error(
        &mut self,
        loc: &Loc,
        field: Field,
        value: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let place = self.src.place(loc);
        let value = super::limits::clip(&value.into());
        self.diags
            .push(Diagnostic::error(place, field.label(), value, message, fix));
    }

    pub fn warning(
        &mut self,
        loc: &Loc,
        field: Field,
        value: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let place = self.src.place(loc);
        let value = super::limits::clip(&value.into());
        self.diags
            .push(Diagnostic::warning(place, field.label(), value, message, fix));
    }

    /// Where a field of the record is (its cell if the column exists, else the record).
    pub fn loc_of(&self, r: &dyn Record, f: Field) -> Loc {
        r.cell(f).map(|(_, l)| l).unwrap_or_else(|| r.loc())
    }

    /// Text of a cell, trimmed; `None` when empty. Error cells and lists are reported.
    pub fn text(&mut self, r: &dyn Record, f: Field) -> Option<String> {
        let (cell, loc) = r.cell(f)?;
        self.text_of(cell, &loc, f)
    }

    fn text_of(&mut self, cell: Cell<'_>, loc: &Loc, f: Field) -> Option<String> {
        match cell {
            Cell::Empty => None,
            Cell::Text(t) => {
                let t = trim(&t);
                if let Some(problem) = super::limits::text_too_long(t) {
                    self.error(loc, f, t, problem, "删去多余的内容；长段说明请另附材料");
                    return None;
                }
                if t.is_empty() { None } else { Some(t.to_string()) }
            }
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(x) => Some(number_text(x)),
            Cell::Bool(b) => Some(if b { "是" } else { "否" }.to_string()),
            Cell::Date(d) => Some(d.to_string()),
            Cell::Error(e) => {
                self.formula_error(loc, f, &e);
                None
            }
            Cell::Structured => {
                self.error(
                    loc,
                    f,
                    "",
                    "此处应为单个值，不能是列表或映射",
                    format!("把「{}」写成一个值", f.label()),
                );
                None
            }
        }
    }

    pub fn formula_error(&mut self, loc: &Loc, f: Field, e: &str) {
        self.error(
            loc,
            f,
            e,
            format!("单元格是公式错误值 {e}，无法读取"),
            "检查该单元格的公式（引用的单元格可能已删除），或直接填入数值",
        );
    }

    /// Required text: reports an empty cell. (A missing column is reported once per sheet elsewhere.)
    pub fn required_text(&mut self, r: &dyn Record, f: Field) -> Option<String> {
        let (cell, loc) = r.cell(f)?;
        if cell.is_empty() {
            self.error(
                &loc,
                f,
                "",
                format!("必填项「{}」为空", f.label()),
                format!("填写「{}」", f.label()),
            );
            return None;
        }
        self.text_of(cell, &loc, f)
    }

    /// A person's name (inner padding spaces removed for Chinese names).
    pub fn name(&mut self, r: &dyn Record, f: Field, required: bool) -> Option<String> {
        let t = if required {
            self.required_text(r, f)
        } else {
            self.text(r, f)
        };
        let name = normalize_name(&t?);
        if let Some(problem) = super::limits::invisible_in_name(&name) {
            let loc = self.loc_of(r, f);
            self.warning(
                &loc,
                f,
                name.clone(),
                problem,
                "删除这些字符（常见于从网页或聊天软件复制的文字），按户口簿重新输入姓名",
            );
        }
        Some(name)
    }

    /// A date from a date cell, a serial number or any accepted text form.
    pub fn date(&mut self, r: &dyn Record, f: Field) -> Option<NaiveDate> {
        let (cell, loc) = r.cell(f)?;
        let value = cell.display();
        let result = match cell {
            Cell::Empty => return None,
            Cell::Text(ref t) if trim(t).is_empty() => return None,
            // A date cell can hold any year up to 9999; the same range as typed dates applies.
            Cell::Date(d) => super::values::parse_date(&d.to_string()),
            Cell::Int(i) => date_from_number(i as f64),
            Cell::Float(x) => date_from_number(x),
            Cell::Text(ref t) => parse_date(t),
            Cell::Error(e) => {
                self.formula_error(&loc, f, &e);
                return None;
            }
            Cell::Bool(_) | Cell::Structured => Err(super::values::DateError::Format),
        };
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(&loc, f, value, e.to_string(), DATE_FIX);
                None
            }
        }
    }

    /// A date to the day or only to the month (`202304`, as the national system writes 识别监测时间).
    pub fn partial_date(&mut self, r: &dyn Record, f: Field) -> Option<crate::model::PartialDate> {
        let (cell, loc) = r.cell(f)?;
        let value = cell.display();
        let result = match cell {
            Cell::Empty => return None,
            Cell::Text(ref t) if trim(t).is_empty() => return None,
            Cell::Date(d) => parse_date(&d.to_string()).map(crate::model::PartialDate::Day),
            Cell::Int(i) => super::values::partial_date_from_number(i as f64),
            Cell::Float(x) => super::values::partial_date_from_number(x),
            Cell::Text(ref t) => super::values::parse_partial_date(t),
            Cell::Error(e) => {
                self.formula_error(&loc, f, &e);
                return None;
            }
            Cell::Bool(_) | Cell::Structured => Err(super::values::DateError::Format),
        };
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    &loc,
                    f,
                    value,
                    e.to_string(),
                    "写成日期（如 2024-05-11）或年月（如 202304、2023年4月）",
                );
                None
            }
        }
    }

    /// An amount in 元; negative amounts are errors (income, expenses and lines are never negative).
    pub fn money(&mut self, r: &dyn Record, f: Field) -> Option<Money> {
        let (cell, loc) = r.cell(f)?;
        let value = cell.display();
        let result = match cell {
            Cell::Empty => return None,
            Cell::Text(ref t) if trim(t).is_empty() => return None,
            Cell::Int(i) => money_from_f64(i as f64),
            Cell::Float(x) => money_from_f64(x),
            Cell::Text(ref t) => parse_money(t),
            Cell::Error(e) => {
                self.formula_error(&loc, f, &e);
                return None;
            }
            Cell::Bool(_) | Cell::Date(_) | Cell::Structured => Err(super::values::MoneyError::Format),
        };
        match result {
            Ok(m) if m.fen() < 0 => {
                self.error(
                    &loc,
                    f,
                    value,
                    format!("「{}」不能为负数", f.label()),
                    "填写非负金额；亏损请计入生产经营性支出",
                );
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                self.error(&loc, f, value, e.to_string(), MONEY_FIX);
                None
            }
        }
    }

    /// A positive head count.
    pub fn count(&mut self, r: &dyn Record, f: Field) -> Option<u32> {
        let (cell, loc) = r.cell(f)?;
        let value = cell.display();
        let n = match cell {
            Cell::Empty => return None,
            Cell::Text(ref t) if trim(t).is_empty() => return None,
            Cell::Int(i) => u32::try_from(i).ok(),
            Cell::Float(x) if x.fract() == 0.0 && (0.0..1e6).contains(&x) => Some(x as u32),
            Cell::Text(ref t) => parse_count(t),
            Cell::Error(e) => {
                self.formula_error(&loc, f, &e);
                return None;
            }
            _ => None,
        };
        match n {
            Some(n) if (1..=99).contains(&n) => Some(n),
            _ => {
                self.error(&loc, f, value, "人数应为1至99之间的整数", "填写家庭实际人口数，如 4");
                None
            }
        }
    }

    pub fn yes_no(&mut self, r: &dyn Record, f: Field) -> Option<bool> {
        let (cell, loc) = r.cell(f)?;
        match cell {
            Cell::Bool(b) => Some(b),
            Cell::Int(i) if i == 0 || i == 1 => Some(i == 1),
            other => {
                let t = self.text_of(other, &loc, f)?;
                let v = parse_yes_no(&t);
                if v.is_none() {
                    self.error(&loc, f, t, "无法识别是或否", "填写“是”或“否”");
                }
                v
            }
        }
    }

    /// A closed vocabulary value (enum from `model::vocab`); unknown values list the allowed ones.
    pub fn closed<T: Copy>(
        &mut self,
        r: &dyn Record,
        f: Field,
        parse: fn(&str) -> Option<T>,
        labels: &[&str],
    ) -> Option<T> {
        let (cell, loc) = r.cell(f)?;
        let t = self.text_of(cell, &loc, f)?;
        let v = parse(&to_half_width(&t));
        if v.is_none() {
            self.error(
                &loc,
                f,
                t,
                format!("「{}」不在可选值中", f.label()),
                format!("改为以下之一：{}", labels.join("、")),
            );
        }
        v
    }

    /// A multi-valued open vocabulary (风险类型, 排除情形, 重点群体): canonical names, deduplicated.
    pub fn multi(&mut self, r: &dyn Record, f: Field, entries: &[VocabEntry]) -> Vec<String> {
        let Some(t) = self.text(r, f) else { return Vec::new() };
        let loc = self.loc_of(r, f);
        let mut out: Vec<String> = Vec::new();
        for part in split_multi(&t) {
            match lookup(entries, &part) {
                Some(name) => {
                    if !out.iter().any(|o| o == name) {
                        out.push(name.to_string());
                    }
                }
                None => {
                    let allowed: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
                    self.error(
                        &loc,
                        f,
                        part,
                        format!("「{}」不在可选值中", f.label()),
                        format!(
                            "改为以下之一（多个用“、”分隔）：{}；如需新增，请在 rules.yaml 的词表中添加",
                            allowed.join("、")
                        ),
                    );
                }
            }
        }
        out
    }

    /// A single open vocabulary value (线索来源).
    pub fn open_single(&mut self, r: &dyn Record, f: Field, entries: &[VocabEntry]) -> Option<String> {
        let t = self.text(r, f)?;
        match lookup(entries, &t) {
            Some(n) => Some(n.to_string()),
            None => {
                let loc = self.loc_of(r, f);
                let allowed: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
                self.error(
                    &loc,
                    f,
                    t,
                    format!("「{}」不在可选值中", f.label()),
                    format!(
                        "改为以下之一：{}；如需新增，请在 rules.yaml 的词表中添加",
                        allowed.join("、")
                    ),
                );
                None
            }
        }
    }

    /// An ID number: validated and normalised. A number cell is always an error (digits are lost).
    pub fn id_number(&mut self, r: &dyn Record, f: Field, required: bool) -> Option<super::values::IdInfo> {
        let (cell, loc) = r.cell(f)?;
        let text = match cell {
            Cell::Float(x) => {
                self.error(
                    &loc,
                    f,
                    excel_general_number(x),
                    "证件号码存成了数字，Excel 只保留15位有效数字，后几位已经丢失",
                    "将该列单元格格式设置为“文本”，再按户口簿或身份证重新录入完整的18位号码",
                );
                return None;
            }
            // YAML integers keep every digit; Excel never produces Int for IDs.
            Cell::Int(i) => i.to_string(),
            other if other.is_empty() => {
                if required {
                    self.error(
                        &loc,
                        f,
                        "",
                        format!("必填项「{}」为空", f.label()),
                        format!("填写「{}」", f.label()),
                    );
                }
                return None;
            }
            other => self.text_of(other, &loc, f)?,
        };
        match validate_id(&text) {
            Ok(info) => Some(info),
            Err(e) => {
                self.error(&loc, f, text, e.to_string(), e.fix());
                None
            }
        }
    }
}

/// Case- and space-insensitive lookup of a name or synonym in an open vocabulary.
pub fn lookup<'e>(entries: &'e [VocabEntry], s: &str) -> Option<&'e str> {
    let half = to_half_width(s);
    let key: String = half.chars().filter(|c| !c.is_whitespace()).collect();
    entries
        .iter()
        .find(|e| e.name == key || e.synonyms.contains(&key))
        .map(|e| e.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HouseholdType, Severity};
    use std::collections::HashMap;

    struct Map(HashMap<Field, Cell<'static>>);

    impl Record for Map {
        fn cell(&self, f: Field) -> Option<(Cell<'_>, Loc)> {
            self.0.get(&f).map(|c| {
                (
                    c.clone(),
                    Loc::Cell {
                        row: 4,
                        col: f.index() as u32 % 26,
                    },
                )
            })
        }
        fn loc(&self) -> Loc {
            Loc::Cell { row: 4, col: 0 }
        }
    }

    fn rec(cells: &[(Field, Cell<'static>)]) -> Map {
        Map(cells.iter().cloned().collect())
    }

    fn reader_run<T>(f: impl FnOnce(&mut Reader) -> T) -> (T, Vec<Diagnostic>) {
        let src = Source {
            file: "a.xlsx".into(),
            sheet: Some("户".into()),
        };
        let rules = RulesFile::defaults();
        let mut diags = Vec::new();
        let mut rd = Reader {
            src: &src,
            rules: &rules,
            diags: &mut diags,
        };
        let out = f(&mut rd);
        (out, diags)
    }

    #[test]
    fn id_in_number_cell_is_an_error() {
        let r = rec(&[(Field::IdNumber, Cell::Float(530926199001010012.0))]);
        let (v, d) = reader_run(|rd| rd.id_number(&r, Field::IdNumber, true));
        assert!(v.is_none());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].value, "5.30926E+17");
        assert!(d[0].fix.contains("文本"));
    }

    #[test]
    fn negative_income_is_an_error() {
        let r = rec(&[
            (Field::Wage, Cell::Text("-100".into())),
            (Field::Business, Cell::Float(-3.0)),
        ]);
        let (v, d) = reader_run(|rd| (rd.money(&r, Field::Wage), rd.money(&r, Field::Business)));
        assert_eq!(v, (None, None));
        assert_eq!(d.len(), 2);
        assert!(
            d.iter()
                .all(|x| x.severity == Severity::Error && x.message.contains("负数"))
        );
    }

    #[test]
    fn closed_vocab_lists_allowed_values() {
        let r = rec(&[(Field::HouseholdType, Cell::Text("贫困户".into()))]);
        let (v, d) =
            reader_run(|rd| rd.closed(&r, Field::HouseholdType, HouseholdType::parse, &HouseholdType::labels()));
        assert!(v.is_none());
        assert!(d[0].fix.contains("脱贫户、监测户、一般农户"));
    }

    #[test]
    fn open_multi_vocab() {
        let r = rec(&[(Field::Risks, Cell::Text("因病致贫、因残，外星入侵".into()))]);
        let (v, d) = reader_run(|rd| {
            let entries = rd.rules.vocab.risk_types.clone();
            rd.multi(&r, Field::Risks, &entries)
        });
        assert_eq!(v, vec!["因病", "因残"]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].value, "外星入侵");
        assert!(d[0].fix.contains("因务工就业不稳"));
    }

    #[test]
    fn formula_errors_and_dates() {
        let r = rec(&[
            (Field::Done, Cell::Error("#REF!".into())),
            (Field::Deadline, Cell::Text("2024.5.11".into())),
            (Field::MeasureDate, Cell::Text("2024-02-30".into())),
            (Field::IncomeOkSince, Cell::Float(45423.0)),
        ]);
        let (v, d) = reader_run(|rd| {
            (
                rd.date(&r, Field::Done),
                rd.date(&r, Field::Deadline),
                rd.date(&r, Field::MeasureDate),
                rd.date(&r, Field::IncomeOkSince),
            )
        });
        let may11 = NaiveDate::from_ymd_opt(2024, 5, 11);
        assert_eq!(v, (None, may11, None, may11));
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("#REF!"));
        assert!(d[1].message.contains("29天"));
    }

    #[test]
    fn counts_and_yes_no() {
        let r = rec(&[
            (Field::Size, Cell::Float(4.0)),
            (Field::NoLabour, Cell::Text("是".into())),
            (Field::BasicNeeds, Cell::Text("也许".into())),
            (Field::Phone, Cell::Float(13800000000.0)),
        ]);
        let (v, d) = reader_run(|rd| {
            (
                rd.count(&r, Field::Size),
                rd.yes_no(&r, Field::NoLabour),
                rd.yes_no(&r, Field::BasicNeeds),
                rd.text(&r, Field::Phone),
            )
        });
        assert_eq!(v, (Some(4), Some(true), None, Some("13800000000".to_string())));
        assert_eq!(d.len(), 1);
    }
}
