//! Synthetic people: invented names and ID numbers with valid GB 11643 check digits.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;

const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林", "岩", "刀", "玉", "叶", "段", "字", "鲁", "杞", "俸", "罕",
];

/// Given-name characters; a few rare ones (Extension A 䶮, and 堃 喆 燚 淼) because real rosters have them.
const GIVEN: &[&str] = &[
    "明", "华", "建", "国", "军", "平", "文", "兰", "英", "秀", "芳", "云", "强", "勇", "海", "春", "梅", "红", "丽",
    "德", "福", "贵", "发", "兴", "荣", "学", "忠", "亮", "艳", "娟", "婷", "宇", "浩", "杰", "琳", "欣", "金", "玉",
    "东", "志", "坤", "山", "林", "波", "涛", "雪", "燕", "凤", "成", "才",
];
const RARE: &[&str] = &["䶮", "堃", "喆", "燚", "淼", "犇", "昇"];

pub fn name(rng: &mut impl Rng, surname: Option<&str>) -> String {
    let s = surname
        .map(str::to_string)
        .unwrap_or_else(|| (*pick(rng, SURNAMES)).to_string());
    let len = if rng.random_bool(0.7) { 2 } else { 1 };
    let mut n = s;
    for i in 0..len {
        let pool = if i == len - 1 && rng.random_bool(0.02) {
            RARE
        } else {
            GIVEN
        };
        let part: &&str = pick(rng, pool);
        n.push_str(part);
    }
    n
}

pub fn surname_of(name: &str) -> &str {
    name.char_indices().nth(1).map(|(i, _)| &name[..i]).unwrap_or(name)
}

pub fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    // Every caller passes a non-empty constant list.
    items.choose(rng).unwrap_or(&items[0])
}

/// GB 11643 check character for the first 17 digits.
pub fn check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    C[(sum % 11) as usize]
}

/// An 18-character ID for a birth date; `serial` (0..=999) makes it unique, its parity gives the sex.
pub fn id_number(area: &str, birth: NaiveDate, serial: u32, male: bool) -> String {
    let mut seq = serial % 1000;
    if (seq % 2 == 1) != male {
        seq = (seq + 1) % 1000;
    }
    let first17 = format!(
        "{area}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let c = check_char(&first17);
    format!("{first17}{c}")
}

/// Issues IDs unique within one workspace.
#[derive(Default)]
pub struct IdIssuer {
    serial: u32,
    issued: std::collections::HashSet<String>,
}

impl IdIssuer {
    /// An ID not issued before (bumps the serial until unique).
    pub fn issue(&mut self, area: &str, birth: NaiveDate, male: bool) -> String {
        loop {
            self.serial = self.serial.wrapping_add(2);
            let id = id_number(area, birth, self.serial, male);
            if self.issued.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// A synthetic mobile number in a range not used for real subscribers in this data (199 0000 xxxx).
pub fn phone(rng: &mut impl Rng) -> String {
    format!("1990000{:04}", rng.random_range(0..10000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_check_digit() {
        // Published GB 11643 example.
        assert_eq!(check_char("11010519491231002"), 'X');
        let id = id_number("530999", NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(), 26, false);
        assert_eq!(id.len(), 18);
        assert_eq!(id.chars().nth(16).and_then(|c| c.to_digit(10)).map(|d| d % 2), Some(0));
    }

    #[test]
    fn surname_split() {
        assert_eq!(surname_of("李明华"), "李");
    }
}
