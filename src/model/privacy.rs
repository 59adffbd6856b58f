//! Phone and ID numbers inside free text (村民小组 `1组 电话13812345678`, 具体措施, names…).
//!
//! Public documents (公示, 公告, 通知) print such fields, so every string they print passes
//! [`mask_contacts`], and ingest warns about each field that carries one so the clerk can move
//! the number to its own column. Found: 11-digit mobile numbers `1[3-9]xxxxxxxxx`, written
//! together or as 3-4-4 groups separated by a space or `-`; 18-character ID numbers (17 digits
//! and a digit or X) and longer digit runs that start like one (残疾人证 numbers are an ID plus
//! 2 digits). Full-width digits count as digits. Masked like the ID column: `138****5678`,
//! `530999********0012`.

use std::borrow::Cow;

/// What kind of number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Mobile,
    Id,
}

impl ContactKind {
    /// 手机号码 / 证件号码
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::Mobile => "手机号码",
            ContactKind::Id => "证件号码",
        }
    }
}

/// One number inside a text: its kind and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub kind: ContactKind,
    pub start: usize,
    pub end: usize,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '　' | '－' | '\u{a0}')
}

/// Every mobile or ID number in `text`, in order.
pub fn find_contacts(text: &str) -> Vec<Contact> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let is_digit_at = |i: usize| chars.get(i).is_some_and(|(_, c)| digit(*c).is_some());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit_at(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while is_digit_at(j) {
            j += 1;
        }
        let run = j - start;
        let first_two = (digit(chars[start].1), chars.get(start + 1).and_then(|(_, c)| digit(*c)));
        let mobile_head = matches!(first_two, (Some(1), Some(3..=9)));
        if run >= 18 || (run == 17 && chars.get(j).is_some_and(|(_, c)| is_x(*c))) {
            let stop = if run == 17 { j + 1 } else { j };
            out.push(Contact {
                kind: ContactKind::Id,
                start: chars[start].0,
                end: end_of(stop),
            });
            i = stop;
            continue;
        }
        if run == 11 && mobile_head {
            out.push(Contact {
                kind: ContactKind::Mobile,
                start: chars[start].0,
                end: end_of(j),
            });
            i = j;
            continue;
        }
        // 3-4-4 groups: `138 1234 5678`, `138-1234-5678`.
        if run == 3 && mobile_head {
            let group = |from: usize, n: usize| (from..from + n).all(is_digit_at) && !is_digit_at(from + n);
            let sep = |at: usize| chars.get(at).is_some_and(|(_, c)| is_separator(*c));
            if sep(j) && group(j + 1, 4) && sep(j + 5) && group(j + 6, 4) {
                out.push(Contact {
                    kind: ContactKind::Mobile,
                    start: chars[start].0,
                    end: end_of(j + 10),
                });
                i = j + 10;
                continue;
            }
        }
        i = j;
    }
    out
}

/// `text` with every number [`find_contacts`] finds masked; borrowed when there is none.
pub fn mask_contacts(text: &str) -> Cow<'_, str> {
    let found = find_contacts(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for c in &found {
        out.push_str(&text[at..c.start]);
        out.push_str(&mask_one(&text[c.start..c.end], c.kind));
        at = c.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Mobile: digits 4–7 hidden (separators kept); ID: all but the first 6 and last 4 characters.
fn mask_one(number: &str, kind: ContactKind) -> String {
    let chars: Vec<char> = number.chars().collect();
    match kind {
        ContactKind::Mobile => {
            let mut nth = 0;
            chars
                .iter()
                .map(|&c| {
                    if digit(c).is_none() {
                        return c;
                    }
                    nth += 1;
                    if (4..=7).contains(&nth) { '*' } else { c }
                })
                .collect()
        }
        ContactKind::Id => {
            let n = chars.len();
            chars
                .iter()
                .enumerate()
                .map(|(i, &c)| if i < 6 || i + 4 >= n { c } else { '*' })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mobiles_and_ids_in_free_text() {
        fn kinds(s: &str) -> Vec<(ContactKind, &str)> {
            find_contacts(s).iter().map(|c| (c.kind, &s[c.start..c.end])).collect()
        }
        assert_eq!(kinds("1组 电话13812345678"), [(ContactKind::Mobile, "13812345678")]);
        assert_eq!(
            kinds("身份证53099919800101001X，电话139-1234-5678"),
            [
                (ContactKind::Id, "53099919800101001X"),
                (ContactKind::Mobile, "139-1234-5678")
            ]
        );
        assert_eq!(kinds("电话 138 1234 5678。"), [(ContactKind::Mobile, "138 1234 5678")]);
        assert_eq!(
            kinds("电话１３９１２３４５６７８"),
            [(ContactKind::Mobile, "１３９１２３４５６７８")]
        );
        // 残疾人证 number: an ID and two more digits.
        assert_eq!(kinds("残疾证53099919800101001262").len(), 1);
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for s in [
            "0871-0000000",
            "2024年5月20日",
            "53099900300001",
            "12345678901",
            "138123456789",
            "1381234567",
            "138 1234 56789",
            "家庭人口 3 人，收入 8300 元",
            "",
        ] {
            assert!(find_contacts(s).is_empty(), "{s}");
            assert!(matches!(mask_contacts(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn masks_like_the_id_column() {
        assert_eq!(mask_contacts("1组 电话13812345678"), "1组 电话138****5678");
        assert_eq!(mask_contacts("备注530999198001010012号"), "备注530999********0012号");
        assert_eq!(mask_contacts("53099919800101001X"), "530999********001X");
        assert_eq!(mask_contacts("电话138-1234-5678"), "电话138-****-5678");
        assert_eq!(mask_contacts("１３９１２３４５６７８"), "１３９****５６７８");
    }
}
