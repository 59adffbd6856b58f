//! Value parsers shared by Excel and YAML input: dates, ID numbers, money, text normalisation.
//!
//! They are pure and public so fuzz targets and other modules can call them directly.

use crate::model::{Disability, Money, PartialDate, Sex};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::fmt;

/// Converts full-width ASCII variants (０-９, Ａ-Ｚ, ．，－／：) to half-width and the ideographic
/// space to a plain space. Borrows when nothing changes.
pub fn to_half_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(is_full_width_ascii) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

fn is_full_width_ascii(c: char) -> bool {
    matches!(c, '\u{3000}' | '\u{FF01}'..='\u{FF5E}')
}

/// True for whitespace including the ideographic space and no-break spaces.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{00A0}' || c == '\u{FEFF}'
}

/// Trims ordinary, ideographic and no-break spaces.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// A person's name: trimmed; inner spaces removed when the name is Chinese
/// (forms often pad two-character names as `张  三`).
pub fn normalize_name(s: &str) -> String {
    let t = trim(s);
    if t.chars().any(is_space) && t.chars().any(is_cjk) {
        t.chars().filter(|c| !is_space(*c)).collect()
    } else {
        t.to_string()
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{20000}'..='\u{323AF}')
}

// ---------------------------------------------------------------- dates

/// Why a date string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not a recognised date format.
    Format,
    /// The parts are well-formed but the day does not exist (2024-02-30).
    Impossible { year: i32, month: u32, day: u32 },
    /// The year is outside 1900–2100 (almost always a typing error).
    YearOutOfRange(i32),
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Format => f.write_str("无法识别的日期"),
            DateError::Impossible { year, month, day } => {
                if (1..=12).contains(month) {
                    let days = days_in_month(*year, *month);
                    write!(f, "日期不存在：{year}年{month}月只有{days}天，没有{day}日")
                } else {
                    write!(f, "日期不存在：没有{month}月")
                }
            }
            DateError::YearOutOfRange(y) => write!(f, "年份{y}超出合理范围（1900—2100），可能是录入错误"),
        }
    }
}

impl std::error::Error for DateError {}

/// How to write a date, for fix suggestions.
pub const DATE_FIX: &str =
    "请写成 2024-05-11、2024/5/11、2024.5.11、2024年5月11日 或 20240511 的形式，或将单元格设为日期格式";

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (NaiveDate::from_ymd_opt(year, month, 1), next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 31,
    }
}

fn make_date(year: i32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    if !(1900..=2100).contains(&year) {
        return Err(DateError::YearOutOfRange(year));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::Impossible { year, month, day })
}

/// Parses `2024-05-11`, `2024/5/11`, `2024.5.11`, `2024年5月11日`, `20240511`, with full-width digits,
/// stray spaces and a trailing time of day (`2024-05-11 00:00:00`) tolerated.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let half = to_half_width(s);
    let mut t = trim(&half);
    // Drop a time of day after the date ("2024-05-11 00:00:00", "2024-05-11T08:00").
    if let Some(pos) = t.find(|c: char| c == 'T' || is_space(c))
        && t[pos..].contains(':')
    {
        t = &t[..pos];
    }
    let compact: String = t.chars().filter(|c| !is_space(*c)).collect();
    let c = compact.as_str();
    if c.is_empty() {
        return Err(DateError::Format);
    }
    if c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = c[0..4].parse().map_err(|_| DateError::Format)?;
        let m: u32 = c[4..6].parse().map_err(|_| DateError::Format)?;
        let d: u32 = c[6..8].parse().map_err(|_| DateError::Format)?;
        return make_date(y, m, d);
    }
    // 2024年5月11日 (also 号 for 日, and an omitted final 日).
    if let Some((y, rest)) = c.split_once('年') {
        let (m, rest) = rest.split_once('月').ok_or(DateError::Format)?;
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))
            .unwrap_or(rest);
        return make_date(num(y, 4)?, num(m, 2)? as u32, num(d, 2)? as u32);
    }
    let sep = c
        .chars()
        .find(|ch| matches!(ch, '-' | '/' | '.'))
        .ok_or(DateError::Format)?;
    let mut parts = c.split(sep);
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(DateError::Format);
    };
    make_date(num(y, 4)?, num(m, 2)? as u32, num(d, 2)? as u32)
}

/// A run of 1..=max_len ASCII digits (a year must have exactly 4).
fn num(s: &str, max_len: usize) -> Result<i32, DateError> {
    let ok =
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()) && (max_len != 4 || s.len() == 4);
    if !ok {
        return Err(DateError::Format);
    }
    s.parse().map_err(|_| DateError::Format)
}

/// A date from an Excel serial number (1900 date system, as Excel on Windows and WPS use).
/// Accepts the serials of 1900-03-01 … 2100-12-31; a fraction (time of day) is dropped.
pub fn date_from_serial(serial: f64) -> Result<NaiveDate, DateError> {
    // 61 = 1900-03-01; serials below it are distorted by Excel's 1900 leap-year bug.
    if !serial.is_finite() || !(61.0..=73415.0).contains(&serial) {
        return Err(DateError::Format);
    }
    let days = serial.floor() as i64;
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or(DateError::Format)?;
    epoch
        .checked_add_signed(chrono::Duration::days(days))
        .ok_or(DateError::Format)
}

/// A date typed as a plain number: `20240511` (yyyymmdd) or an Excel serial such as 45423.
pub fn date_from_number(n: f64) -> Result<NaiveDate, DateError> {
    if n.fract() == 0.0 && (10_000_000.0..=99_999_999.0).contains(&n) {
        return parse_date(&format!("{}", n as i64));
    }
    date_from_serial(n)
}

// ---------------------------------------------------------------- ID numbers

/// What an 18-character 居民身份证号码 tells us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdInfo {
    /// Half-width, upper-case X, no spaces.
    pub normalized: String,
    pub birth: NaiveDate,
    pub sex: Sex,
}

/// Why an ID number was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// Shown as a number in scientific notation (5.30926E+17): digits already lost.
    Scientific,
    /// A 15-digit first-generation number.
    OldFormat,
    /// Wrong length (after removing spaces).
    Length(usize),
    /// Characters other than 17 digits + digit/X.
    Characters,
    /// The region code cannot start with 0.
    Region,
    /// The birth date (digits 7–14) is not a real or plausible date.
    Birth(String),
    /// GB 11643 check digit mismatch.
    CheckDigit { expected: char, found: char },
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Scientific => f.write_str("证件号码被存成了科学计数法数字，后几位已经丢失"),
            IdError::OldFormat => f.write_str("这是15位旧身份证号码，须使用18位号码"),
            IdError::Length(n) => write!(f, "证件号码应为18位，这里是{n}位"),
            IdError::Characters => f.write_str("证件号码只能由17位数字加1位数字或X组成"),
            IdError::Region => f.write_str("证件号码前6位行政区划代码不能以0开头"),
            IdError::Birth(b) => write!(f, "证件号码中的出生日期“{b}”不是有效日期"),
            IdError::CheckDigit { expected, found } => {
                write!(
                    f,
                    "证件号码校验位错误：按 GB 11643 计算，末位应为{expected}，实为{found}，号码中有数字录错"
                )
            }
        }
    }
}

impl std::error::Error for IdError {}

impl IdError {
    /// How to fix it, in Chinese.
    pub fn fix(&self) -> &'static str {
        match self {
            IdError::Scientific => "将该列单元格格式设置为“文本”，再按户口簿或身份证重新录入完整的18位号码",
            IdError::OldFormat => "按第二代身份证或户口簿录入18位号码",
            IdError::CheckDigit { .. } => "对照身份证或户口簿逐位核对并改正",
            _ => "对照身份证或户口簿重新录入18位号码",
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character for the first 17 digits (None if they are not 17 ASCII digits).
pub fn id_check_digit(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// Validates an 18-character 居民身份证号码: characters, region, birth date (1900-01-01 … 2100-12-31),
/// GB 11643 check digit. Full-width digits, spaces and a lower-case x are normalised.
pub fn validate_id(s: &str) -> Result<IdInfo, IdError> {
    let half = to_half_width(s);
    let t: String = half.chars().filter(|c| !is_space(*c) && *c != '\'').collect();
    let upper = t.to_ascii_uppercase();
    if looks_scientific(&upper) {
        return Err(IdError::Scientific);
    }
    let n = upper.chars().count();
    if n == 15 && upper.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::OldFormat);
    }
    if n != 18 {
        return Err(IdError::Length(n));
    }
    let b = upper.as_bytes();
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(IdError::Characters);
    }
    if b[0] == b'0' {
        return Err(IdError::Region);
    }
    let birth_s = &upper[6..14];
    let birth = parse_date(birth_s).map_err(|_| IdError::Birth(birth_s.to_string()))?;
    let expected = id_check_digit(&upper[..17]).ok_or(IdError::Characters)?;
    let found = b[17] as char;
    if expected != found {
        return Err(IdError::CheckDigit { expected, found });
    }
    let sex = if (b[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdInfo {
        normalized: upper,
        birth,
        sex,
    })
}

/// `5.30926E+17`, `5.3E17`: what Excel shows for a long number.
fn looks_scientific(s: &str) -> bool {
    let Some(pos) = s.find('E') else { return false };
    let (mantissa, exp) = (&s[..pos], &s[pos + 1..]);
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// How Excel displays a large number in a General cell (5.30926E+17), for messages.
pub fn excel_general_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e11 {
        return format!("{}", n as i64);
    }
    if n.abs() >= 1e11 {
        let s = format!("{n:.5E}");
        // "5.30926E17" → trim trailing zeros of the mantissa, add the sign of the exponent.
        if let Some((m, e)) = s.split_once('E') {
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            let e = if e.starts_with('-') {
                e.to_string()
            } else {
                format!("+{e}")
            };
            return format!("{m}E{e}");
        }
        return s;
    }
    format!("{n}")
}

// ---------------------------------------------------------------- money

/// Why an amount was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    Format,
    /// More than two decimal places.
    Precision,
    TooLarge,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::Format => f.write_str("无法识别的金额"),
            MoneyError::Precision => f.write_str("金额最多精确到分（两位小数）"),
            MoneyError::TooLarge => f.write_str("金额过大，可能是录入错误"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// How to write an amount, for fix suggestions.
pub const MONEY_FIX: &str = "填写以元为单位的数字，如 8300、1,234.5 或 1234.5元";

/// Parses an amount in 元: `1,234.5`, `1234.5元`, `￥1234`, `1.2万元`, full-width digits, a leading minus.
/// Whether a negative amount is acceptable is for the caller to decide.
pub fn parse_money(s: &str) -> Result<Money, MoneyError> {
    let half = to_half_width(s);
    let mut t: String = half
        .chars()
        .filter(|c| !is_space(*c) && *c != ',' && *c != '，')
        .collect();
    let mut scale: i64 = 1;
    for suffix in ["万元", "万"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            scale = 10_000;
            t = rest.to_string();
            break;
        }
    }
    for suffix in ["元整", "元", "圆"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
            break;
        }
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let body = body.trim_start_matches(['¥', '￥']);
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(MoneyError::Format);
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MoneyError::Format);
    }
    if int_part.len() > 12 {
        return Err(MoneyError::TooLarge);
    }
    let whole: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| MoneyError::Format)?
    };
    // Fraction as 1/10000 元 so 万元 amounts keep their precision.
    if frac_part.len() > 6 {
        return Err(MoneyError::Precision);
    }
    let mut frac: i64 = 0;
    for b in frac_part.bytes().chain(std::iter::repeat(b'0')).take(6) {
        frac = frac * 10 + i64::from(b - b'0');
    }
    // Total in 1/1_000_000 元, then to 分; must be whole 分.
    let micro = whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(frac))
        .and_then(|v| v.checked_mul(scale))
        .ok_or(MoneyError::TooLarge)?;
    if micro % 10_000 != 0 {
        return Err(MoneyError::Precision);
    }
    let fen = micro / 10_000;
    Ok(Money(if neg { -fen } else { fen }))
}

/// An amount from a number cell, rounded to the 分.
pub fn money_from_f64(n: f64) -> Result<Money, MoneyError> {
    if !n.is_finite() {
        return Err(MoneyError::Format);
    }
    if n.abs() >= 1e12 {
        return Err(MoneyError::TooLarge);
    }
    Ok(Money((n * 100.0).round() as i64))
}

/// A number cell as text: integral values without `.0` (户编号 1001, phone numbers).
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Parses a head count such as `4`, `4人`, `４`.
pub fn parse_count(s: &str) -> Option<u32> {
    let half = to_half_width(s);
    let t: String = half.chars().filter(|c| !is_space(*c)).collect();
    let t = t.strip_suffix('人').or_else(|| t.strip_suffix('口')).unwrap_or(&t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 6 {
        return None;
    }
    t.parse().ok()
}

// ---------------------------------------------------------------- month dates and certificates

/// Parses a date given to the day (every form [`parse_date`] accepts) or only to the month:
/// `202304` (the national system's 识别监测时间), `2023-04`, `2023/4`, `2023.04`, `2023年4月`.
pub fn parse_partial_date(s: &str) -> Result<PartialDate, DateError> {
    let half = to_half_width(s);
    let compact: String = trim(&half).chars().filter(|c| !is_space(*c)).collect();
    let c = compact.as_str();
    let month = |y: &str, m: &str| -> Result<PartialDate, DateError> {
        let (y, m) = (num(y, 4)?, num(m, 2)? as u32);
        if !(1900..=2100).contains(&y) {
            return Err(DateError::YearOutOfRange(y));
        }
        PartialDate::month(y, m).ok_or(DateError::Impossible {
            year: y,
            month: m,
            day: 1,
        })
    };
    if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) {
        return month(&c[0..4], &c[4..6]);
    }
    if let Some((y, rest)) = c.split_once('年')
        && let Some(m) = rest.strip_suffix('月')
        && !m.contains('月')
    {
        return month(y, m);
    }
    if let Some(sep) = c.chars().find(|ch| matches!(ch, '-' | '/' | '.'))
        && c.matches(sep).count() == 1
        && let Some((y, m)) = c.split_once(sep)
    {
        return month(y, m);
    }
    parse_date(s).map(PartialDate::Day)
}

/// A date typed as a number: `202304` is a month, anything else as [`date_from_number`].
pub fn partial_date_from_number(n: f64) -> Result<PartialDate, DateError> {
    if n.fract() == 0.0 && (190_001.0..=210_012.0).contains(&n) {
        return parse_partial_date(&format!("{}", n as i64));
    }
    date_from_number(n).map(PartialDate::Day)
}

/// 残疾类别 by the category digit of a 第二代残疾人证号 (GB/T 26341).
pub const DISABILITY_CATEGORIES: [&str; 7] = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"];

/// Why the suffix of a 20/22-character certificate number was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuffixError(pub String);

/// Splits a certificate number into the 18-character ID and what its suffix says: a 残疾人证号 is
/// the ID, the category digit (1 视力 … 7 多重), the grade digit (1–4) and, on 22-character
/// numbers, a reissue mark (`B1`) that carries no meaning here. Spaces and full-width digits are
/// normalised first; other lengths come back whole, for [`validate_id`] to report.
pub fn split_certificate(s: &str) -> (String, Option<Result<Disability, SuffixError>>) {
    let half = to_half_width(s);
    let t: String = half.chars().filter(|c| !is_space(*c) && *c != '\'').collect();
    let n = t.chars().count();
    if !t.is_ascii() || !(n == 20 || n == 22) {
        return (t, None);
    }
    let (id, suffix) = t.split_at(18);
    let b = suffix.as_bytes();
    let category = match b[0] {
        d @ b'1'..=b'7' => DISABILITY_CATEGORIES[usize::from(d - b'1')],
        _ => {
            return (
                id.to_string(),
                Some(Err(SuffixError(format!("第19位残疾类别代码“{}”应为1—7", b[0] as char)))),
            );
        }
    };
    let grade = match b[1] {
        d @ b'1'..=b'4' => d - b'0',
        _ => {
            return (
                id.to_string(),
                Some(Err(SuffixError(format!("第20位残疾等级代码“{}”应为1—4", b[1] as char)))),
            );
        }
    };
    (
        id.to_string(),
        Some(Ok(Disability {
            category: Some(category.to_string()),
            grade: Some(grade),
        })),
    )
}

/// 残疾等级 as written on rosters: `一级`, `二级残疾`, `1`, `3级`.
pub fn parse_disability_grade(s: &str) -> Option<u8> {
    let half = to_half_width(s);
    let t: String = half.chars().filter(|c| !is_space(*c)).collect();
    let t = t
        .trim_end_matches("残疾")
        .trim_end_matches('级')
        .trim_start_matches('第');
    match t {
        "一" | "1" | "壹" => Some(1),
        "二" | "2" | "贰" => Some(2),
        "三" | "3" | "叁" => Some(3),
        "四" | "4" | "肆" => Some(4),
        _ => None,
    }
}

/// 残疾类别 as written on rosters (`肢体残疾`, `肢体`, `4`), canonical short form.
pub fn parse_disability_category(s: &str) -> Option<&'static str> {
    let half = to_half_width(s);
    let t: String = half.chars().filter(|c| !is_space(*c)).collect();
    let t = t.trim_end_matches("残疾").trim_end_matches("类");
    if let Ok(d) = t.parse::<usize>() {
        return DISABILITY_CATEGORIES.get(d.checked_sub(1)?).copied();
    }
    DISABILITY_CATEGORIES.iter().copied().find(|c| *c == t)
}

/// The first date written inside a longer text, such as a title or query row
/// (`导出时间：2025-09-02 10:11:12`, `（截至2024年6月30日）`) or a file name (`…_20250902-…`).
pub fn find_date(text: &str) -> Option<NaiveDate> {
    let half = to_half_width(text);
    let chars: Vec<char> = half.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let run: String = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '年' | '月' | '日' | '-' | '/' | '.'))
                .collect();
            let run = run.trim_end_matches(['-', '/', '.']);
            let digits = run.chars().take_while(char::is_ascii_digit).count();
            // A bare number is a date only as yyyymmdd.
            let candidate = if (digits == run.chars().count() && digits != 8) || digits > 8 {
                None
            } else {
                parse_date(run).ok()
            };
            if candidate.is_some() {
                return candidate;
            }
            i += run.chars().count().max(1);
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Builds a valid ID from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", id_check_digit(first17).unwrap())
    }

    #[test]
    fn date_iso() {
        assert_eq!(parse_date("2024-05-11"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("2024-5-1"), Ok(d(2024, 5, 1)));
    }

    #[test]
    fn date_slash() {
        assert_eq!(parse_date("2024/5/11"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("2024/05/11"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_dot() {
        assert_eq!(parse_date("2024.5.11"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_chinese() {
        assert_eq!(parse_date("2024年5月11日"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("2024年05月11号"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("2024 年 5 月 11 日"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_compact() {
        assert_eq!(parse_date("20240511"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_full_width_and_spaces() {
        assert_eq!(parse_date("２０２４－０５－１１"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("　2024.5.11 "), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("２０２４年５月１１日"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_with_time_of_day() {
        assert_eq!(parse_date("2024-05-11 00:00:00"), Ok(d(2024, 5, 11)));
        assert_eq!(parse_date("2024-05-11T08:30"), Ok(d(2024, 5, 11)));
    }

    #[test]
    fn date_impossible_and_bad() {
        assert_eq!(
            parse_date("2024-02-30"),
            Err(DateError::Impossible {
                year: 2024,
                month: 2,
                day: 30
            })
        );
        assert_eq!(
            parse_date("2023-02-29"),
            Err(DateError::Impossible {
                year: 2023,
                month: 2,
                day: 29
            })
        );
        assert_eq!(
            parse_date("2024-13-01"),
            Err(DateError::Impossible {
                year: 2024,
                month: 13,
                day: 1
            })
        );
        assert_eq!(
            parse_date("20240230"),
            Err(DateError::Impossible {
                year: 2024,
                month: 2,
                day: 30
            })
        );
        assert_eq!(
            parse_date("2024年2月30日"),
            Err(DateError::Impossible {
                year: 2024,
                month: 2,
                day: 30
            })
        );
        assert!(parse_date("2024-02-30").unwrap_err().to_string().contains("29天"));
        assert_eq!(parse_date("1024-05-11"), Err(DateError::YearOutOfRange(1024)));
        assert_eq!(parse_date("24-5-11"), Err(DateError::Format));
        assert_eq!(parse_date("下周一"), Err(DateError::Format));
        assert_eq!(parse_date(""), Err(DateError::Format));
        assert_eq!(parse_date("2024-05"), Err(DateError::Format));
        assert_eq!(parse_date("2024-05-11-1"), Err(DateError::Format));
        assert_eq!(parse_date("2024年5月"), Err(DateError::Format));
    }

    #[test]
    fn date_serials() {
        assert_eq!(date_from_serial(45423.0), Ok(d(2024, 5, 11)));
        assert_eq!(date_from_serial(45423.75), Ok(d(2024, 5, 11)));
        assert_eq!(date_from_serial(61.0), Ok(d(1900, 3, 1)));
        assert!(date_from_serial(-3.0).is_err());
        assert!(date_from_serial(f64::NAN).is_err());
        assert_eq!(date_from_number(20240511.0), Ok(d(2024, 5, 11)));
        assert_eq!(date_from_number(45423.0), Ok(d(2024, 5, 11)));
        assert!(date_from_number(20240230.0).is_err());
    }

    #[test]
    fn id_valid_and_normalised() {
        let id = with_check("53092619900101001");
        let info = validate_id(&id).unwrap();
        assert_eq!(info.birth, d(1990, 1, 1));
        assert_eq!(info.normalized, id);
        // Digit 17 is 1 (odd) → male.
        assert_eq!(info.sex, Sex::Male);
        let female = with_check("53092619851231002");
        assert_eq!(validate_id(&female).unwrap().sex, Sex::Female);
        // Full-width and spaces.
        let fw: String = id.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert_eq!(validate_id(&format!(" {fw} ")).unwrap().normalized, id);
    }

    #[test]
    fn id_standard_example() {
        // The worked example of GB 11643-1999 itself.
        let info = validate_id("11010519491231002X").unwrap();
        assert_eq!(info.birth, d(1949, 12, 31));
        assert_eq!(info.sex, Sex::Female);
        assert_eq!(id_check_digit("11010519491231002"), Some('X'));
    }

    #[test]
    fn id_lower_x() {
        // Find a 17-digit prefix whose check character is X.
        let prefix = (0..100)
            .map(|n| format!("530926199001010{n:02}"))
            .find(|p| id_check_digit(p) == Some('X'))
            .unwrap();
        let info = validate_id(&format!("{prefix}x")).unwrap();
        assert!(info.normalized.ends_with('X'));
    }

    #[test]
    fn id_errors() {
        let id = with_check("53092619900101001");
        let mut bad = id.clone();
        let last = bad.pop().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        bad.push(wrong);
        assert!(matches!(validate_id(&bad), Err(IdError::CheckDigit { .. })));
        assert_eq!(validate_id("5.30926E+17"), Err(IdError::Scientific));
        assert_eq!(validate_id("530926900101001"), Err(IdError::OldFormat));
        assert_eq!(validate_id("5309261990"), Err(IdError::Length(10)));
        assert_eq!(validate_id("53092619900101001A"), Err(IdError::Characters));
        assert_eq!(validate_id(&with_check("03092619900101001")), Err(IdError::Region));
        assert!(matches!(
            validate_id(&with_check("53092619900230001")),
            Err(IdError::Birth(_))
        ));
        assert!(matches!(
            validate_id(&with_check("53092618000101001")),
            Err(IdError::Birth(_))
        ));
        assert!(IdError::Scientific.fix().contains("文本"));
    }

    #[test]
    fn excel_number_display() {
        assert_eq!(excel_general_number(530926199001010012.0), "5.30926E+17");
        assert_eq!(excel_general_number(1001.0), "1001");
    }

    #[test]
    fn money_formats() {
        assert_eq!(parse_money("1,234.5"), Ok(Money(123450)));
        assert_eq!(parse_money("1234.5元"), Ok(Money(123450)));
        assert_eq!(parse_money("１２３４．５"), Ok(Money(123450)));
        assert_eq!(parse_money(" 8300 "), Ok(Money(830000)));
        assert_eq!(parse_money("￥99.99"), Ok(Money(9999)));
        assert_eq!(parse_money("1.2万元"), Ok(Money(1_200_000)));
        assert_eq!(parse_money("-50"), Ok(Money(-5000)));
        assert_eq!(parse_money("0.05"), Ok(Money(5)));
        assert_eq!(parse_money(".5"), Ok(Money(50)));
        assert_eq!(parse_money("12.345"), Err(MoneyError::Precision));
        assert_eq!(parse_money("abc"), Err(MoneyError::Format));
        assert_eq!(parse_money(""), Err(MoneyError::Format));
        assert_eq!(parse_money("元"), Err(MoneyError::Format));
        assert_eq!(parse_money("1-2"), Err(MoneyError::Format));
        assert_eq!(parse_money("9999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(money_from_f64(1234.5), Ok(Money(123450)));
        assert_eq!(money_from_f64(0.1 + 0.2), Ok(Money(30)));
        assert!(money_from_f64(f64::INFINITY).is_err());
    }

    #[test]
    fn text_helpers() {
        assert_eq!(normalize_name(" 张  三 "), "张三");
        assert_eq!(normalize_name("John Smith"), "John Smith");
        assert_eq!(to_half_width("ＡＢ１２"), "AB12");
        assert_eq!(number_text(1001.0), "1001");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(parse_count("4人"), Some(4));
        assert_eq!(parse_count("４"), Some(4));
        assert_eq!(parse_count("四"), None);
    }

    mod never_panic {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsers_accept_any_text(s in "\\PC{0,40}") {
                let _ = parse_date(&s);
                let _ = validate_id(&s);
                let _ = parse_money(&s);
                let _ = parse_count(&s);
                let _ = normalize_name(&s);
            }

            #[test]
            fn date_like_text(y in 0u32..3000, m in 0u32..15, d in 0u32..40, sep in "[-/.年]") {
                let s = if sep == "年" { format!("{y}年{m}月{d}日") } else { format!("{y}{sep}{m}{sep}{d}") };
                if let Ok(date) = parse_date(&s) {
                    prop_assert_eq!(chrono::Datelike::day(&date), d);
                }
            }

            #[test]
            fn numbers_as_dates_and_money(x in proptest::num::f64::ANY) {
                let _ = date_from_number(x);
                let _ = date_from_serial(x);
                let _ = money_from_f64(x);
                let _ = excel_general_number(x);
                let _ = number_text(x);
            }

            #[test]
            fn valid_ids_round_trip(region in 110000u32..660000, days in 0i64..40000, seq in 0u32..1000) {
                let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
                let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
                let id = format!("{first17}{}", id_check_digit(&first17).unwrap());
                let info = validate_id(&id).unwrap();
                prop_assert_eq!(info.birth, birth);
                prop_assert_eq!(info.normalized, id);
            }
        }
    }

    #[test]
    fn month_and_day_dates() {
        let m = |y, mo| PartialDate::month(y, mo).unwrap();
        assert_eq!(parse_partial_date("202304"), Ok(m(2023, 4)));
        assert_eq!(parse_partial_date("2023-04"), Ok(m(2023, 4)));
        assert_eq!(parse_partial_date("2023年4月"), Ok(m(2023, 4)));
        assert_eq!(parse_partial_date("２０２３/４"), Ok(m(2023, 4)));
        assert_eq!(parse_partial_date("2023-04-05"), Ok(PartialDate::Day(d(2023, 4, 5))));
        assert_eq!(parse_partial_date("2023年4月5日"), Ok(PartialDate::Day(d(2023, 4, 5))));
        assert!(parse_partial_date("202313").is_err());
        assert_eq!(partial_date_from_number(202304.0), Ok(m(2023, 4)));
        assert_eq!(
            partial_date_from_number(20230405.0),
            Ok(PartialDate::Day(d(2023, 4, 5)))
        );
    }

    #[test]
    fn certificate_suffixes() {
        let id = with_check("53092619800101001");
        assert_eq!(split_certificate(&id), (id.clone(), None));
        let (base, dis) = split_certificate(&format!("{id}42"));
        assert_eq!(base, id);
        let dis = dis.unwrap().unwrap();
        assert_eq!((dis.category.as_deref(), dis.grade), (Some("肢体"), Some(2)));
        assert!(dis.is_severe());
        let (_, dis) = split_certificate(&format!("{id}13B1"));
        assert_eq!(dis.unwrap().unwrap().grade, Some(3));
        assert!(split_certificate(&format!("{id}95")).1.unwrap().is_err());
        assert!(split_certificate(&format!("{id}17")).1.unwrap().is_err());
        assert_eq!(parse_disability_grade("二级"), Some(2));
        assert_eq!(parse_disability_grade("4级"), Some(4));
        assert_eq!(parse_disability_category("肢体残疾"), Some("肢体"));
        assert_eq!(parse_disability_category("6"), Some("精神"));
    }

    #[test]
    fn dates_inside_text() {
        assert_eq!(
            find_date("查询条件：全部  导出时间：2025-09-02 10:11:12"),
            Some(d(2025, 9, 2))
        );
        assert_eq!(find_date("农村低保备案表（截至2024年6月30日）"), Some(d(2024, 6, 30)));
        assert_eq!(
            find_date("防止返贫致贫监测对象信息_20250902-风险未消除608人"),
            Some(d(2025, 9, 2))
        );
        assert_eq!(find_date("风险未消除608人"), None);
    }
}
