//! Working-day calendar (工作日历) of the People's Republic of China.
//!
//! A day is a working day iff it is Mon–Fri and not a statutory off-day (放假), or it is an
//! adjusted working weekend day (调休上班). The facts for 2004–2026 are embedded from
//! `cn-holidays-2004-2026.yaml`; a workspace's `rules.yaml` (工作日历) may add later years or
//! replace a year wholesale. Dates in a year that is not covered are an error naming the year —
//! holiday arrangements are announced each winter and must never be guessed.
//!
//! Every covered day is precomputed once into a flag array plus prefix sums, so each query is
//! O(1) (`is_working_day`, `working_days_between`) or O(log days) (`add_working_days`).

use crate::model::RulesFile;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use thiserror::Error;

/// The embedded reference data (State Council notices, 2004–2026).
pub const REFERENCE_YAML: &str = include_str!("cn-holidays-2004-2026.yaml");

/// Why a calendar question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error(
        "{year}年不在工作日历覆盖范围内（已覆盖：{covered}），无法按工作日计算（涉及日期{date}）。修改建议：在工作区 rules.yaml 的“工作日历”中添加{year}年的放假日期和调休上班日期（以国务院办公厅当年部分节假日安排的通知为准）"
    )]
    YearNotCovered {
        year: i32,
        /// The date the computation started from.
        date: NaiveDate,
        /// Covered years, e.g. `2004—2026年`.
        covered: String,
    },
    #[error("rules.yaml「工作日历」{year}年下列出的日期{date}不属于{year}年。修改建议：把该日期移到对应年份下")]
    WrongYear { year: i32, date: NaiveDate },
    #[error("rules.yaml「工作日历」中日期{date}同时列为“放假”和“调休上班”。修改建议：删去其中一处")]
    Conflict { date: NaiveDate },
    #[error("rules.yaml「工作日历」的年份{year}超出可处理范围（1900—2200年）")]
    YearOutOfRange { year: i32 },
    #[error("内置工作日历数据无法读取：{0}")]
    Builtin(String),
}

/// One covered year's facts: off-days and adjusted working days, with the holiday names.
#[derive(Debug, Clone, Default)]
struct YearFacts {
    off: BTreeMap<NaiveDate, String>,
    work: BTreeMap<NaiveDate, String>,
}

#[derive(Deserialize)]
struct ReferenceFile {
    covered_years: [i32; 2],
    #[serde(default)]
    off_days: BTreeMap<NaiveDate, String>,
    #[serde(default)]
    work_days: BTreeMap<NaiveDate, String>,
}

fn parse_reference() -> Result<BTreeMap<i32, YearFacts>, CalendarError> {
    let file: ReferenceFile =
        serde_yaml::from_str(REFERENCE_YAML).map_err(|e| CalendarError::Builtin(e.to_string()))?;
    let [first, last] = file.covered_years;
    let mut years: BTreeMap<i32, YearFacts> = (first..=last).map(|y| (y, YearFacts::default())).collect();
    for (date, name) in file.off_days {
        let y = years
            .get_mut(&date.year())
            .ok_or_else(|| CalendarError::Builtin(format!("{date} 超出覆盖年份")))?;
        y.off.insert(date, name);
    }
    for (date, name) in file.work_days {
        let y = years
            .get_mut(&date.year())
            .ok_or_else(|| CalendarError::Builtin(format!("{date} 超出覆盖年份")))?;
        y.work.insert(date, name);
    }
    Ok(years)
}

/// The embedded years, parsed once per process.
fn reference_years() -> Result<&'static BTreeMap<i32, YearFacts>, CalendarError> {
    static CELL: OnceLock<Result<BTreeMap<i32, YearFacts>, CalendarError>> = OnceLock::new();
    CELL.get_or_init(parse_reference).as_ref().map_err(Clone::clone)
}

/// A working-day calendar over a set of covered years.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Jan 1 of the first covered year (day index 0).
    start: NaiveDate,
    first_year: i32,
    /// Per year from `first_year` to the last covered year: covered or not (gaps are allowed).
    covered: Vec<bool>,
    /// Per day from `start`: working day or not (false on uncovered days).
    working: Vec<bool>,
    /// `prefix[i]` = working days in `[start, start + i)`; one longer than `working`.
    prefix: Vec<u32>,
    /// Holiday name for listed off-days and adjusted working days.
    names: BTreeMap<NaiveDate, String>,
}

impl Calendar {
    /// The embedded reference calendar merged with the extra years (or replacement years) of a
    /// rules file's 工作日历. A year listed in the rules file replaces the embedded facts for it.
    pub fn new(rules: &RulesFile) -> Result<Calendar, CalendarError> {
        if rules.calendar.is_empty() {
            // Nothing to add: reuse the calendar built once per process.
            reference_years()?;
            return Ok(Calendar::builtin());
        }
        let mut years = reference_years()?.clone();
        for (&year, extra) in &rules.calendar {
            if !(1900..=2200).contains(&year) {
                return Err(CalendarError::YearOutOfRange { year });
            }
            let mut facts = YearFacts::default();
            for &d in &extra.off_days {
                if d.year() != year {
                    return Err(CalendarError::WrongYear { year, date: d });
                }
                facts.off.insert(d, "放假".to_string());
            }
            for &d in &extra.work_days {
                if d.year() != year {
                    return Err(CalendarError::WrongYear { year, date: d });
                }
                if facts.off.contains_key(&d) {
                    return Err(CalendarError::Conflict { date: d });
                }
                facts.work.insert(d, "调休上班".to_string());
            }
            years.insert(year, facts);
        }
        Ok(Calendar::from_years(&years))
    }

    /// The embedded reference calendar alone (2004–2026).
    pub fn builtin() -> Calendar {
        static CELL: OnceLock<Calendar> = OnceLock::new();
        CELL.get_or_init(|| match reference_years() {
            Ok(years) => Calendar::from_years(years),
            // The embedded file is tested to parse; should it ever fail, an empty calendar
            // answers every question with a "year not covered" error instead of guessing.
            Err(_) => Calendar::from_years(&BTreeMap::new()),
        })
        .clone()
    }

    fn from_years(years: &BTreeMap<i32, YearFacts>) -> Calendar {
        let (Some(&first), Some(&last)) = (years.keys().next(), years.keys().next_back()) else {
            return Calendar {
                start: NaiveDate::MIN,
                first_year: 0,
                covered: Vec::new(),
                working: Vec::new(),
                prefix: vec![0],
                names: BTreeMap::new(),
            };
        };
        let start = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or(NaiveDate::MIN);
        let end = NaiveDate::from_ymd_opt(last, 12, 31).unwrap_or(start);
        let days = usize::try_from((end - start).num_days() + 1).unwrap_or(0);
        let mut covered = vec![false; usize::try_from(last - first + 1).unwrap_or(0)];
        let mut working = vec![false; days];
        let mut names = BTreeMap::new();
        for (&year, facts) in years {
            covered[(year - first) as usize] = true;
            let (Some(y0), Some(y1)) = (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            ) else {
                continue;
            };
            for d in y0.iter_days().take_while(|d| *d <= y1) {
                let weekday = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                let idx = (d - start).num_days() as usize;
                working[idx] = (weekday && !facts.off.contains_key(&d)) || facts.work.contains_key(&d);
            }
            names.extend(facts.off.iter().map(|(d, n)| (*d, n.clone())));
            names.extend(facts.work.iter().map(|(d, n)| (*d, n.clone())));
        }
        let mut prefix = Vec::with_capacity(days + 1);
        let mut acc = 0u32;
        prefix.push(0);
        for &w in &working {
            acc += u32::from(w);
            prefix.push(acc);
        }
        Calendar {
            start,
            first_year: first,
            covered,
            working,
            prefix,
            names,
        }
    }

    /// Covered years in ascending order.
    pub fn covered_years(&self) -> Vec<i32> {
        self.covered
            .iter()
            .enumerate()
            .filter(|(_, c)| **c)
            .map(|(i, _)| self.first_year + i as i32)
            .collect()
    }

    /// `2004—2026年` (ranges joined with 、 when there are gaps).
    fn covered_label(&self) -> String {
        let years = self.covered_years();
        if years.is_empty() {
            return "无".to_string();
        }
        let mut parts: Vec<String> = Vec::new();
        let mut run_start = years[0];
        let mut prev = years[0];
        for &y in years.iter().skip(1).chain(std::iter::once(&i32::MIN)) {
            if y != prev + 1 {
                parts.push(if run_start == prev {
                    format!("{run_start}")
                } else {
                    format!("{run_start}—{prev}")
                });
                run_start = y;
            }
            prev = y;
        }
        format!("{}年", parts.join("、"))
    }

    pub fn is_year_covered(&self, year: i32) -> bool {
        year >= self.first_year
            && self
                .covered
                .get((year - self.first_year) as usize)
                .copied()
                .unwrap_or(false)
    }

    fn not_covered(&self, year: i32, date: NaiveDate) -> CalendarError {
        CalendarError::YearNotCovered {
            year,
            date,
            covered: self.covered_label(),
        }
    }

    /// Day index of a date in a covered year.
    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        if !self.is_year_covered(d.year()) {
            return Err(self.not_covered(d.year(), d));
        }
        Ok((d - self.start).num_days() as usize)
    }

    fn date_at(&self, idx: usize) -> NaiveDate {
        self.start + Days::new(idx as u64)
    }

    /// Every year from `a` to `b` (inclusive) must be covered.
    fn check_years(&self, a: i32, b: i32, date: NaiveDate) -> Result<(), CalendarError> {
        match (a..=b).find(|y| !self.is_year_covered(*y)) {
            Some(y) => Err(self.not_covered(y, date)),
            None => Ok(()),
        }
    }

    /// First uncovered year after `year` (for "ran off the end of the calendar").
    fn next_uncovered_after(&self, year: i32) -> i32 {
        (year + 1..).find(|y| !self.is_year_covered(*y)).unwrap_or(year + 1)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(d)?;
        Ok(self.working[i])
    }

    /// The holiday a listed off-day or adjusted working day belongs to (e.g. 春节).
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        self.names.get(&d).map(String::as_str)
    }

    /// The first day index `j >= from` such that working days in `[from, j]` reach `n` (n ≥ 1).
    fn nth_from_index(&self, from: usize, n: u32, asked: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let target = u64::from(self.prefix[from]) + u64::from(n);
        // First p with prefix[p] >= target; the day is p - 1.
        let p = self.prefix.partition_point(|&x| u64::from(x) < target);
        if p >= self.prefix.len() {
            let y = self.next_uncovered_after(asked.year());
            return Err(self.not_covered(y, asked));
        }
        let result = self.date_at(p - 1);
        // A gap year (not covered) between the two dates has no working days recorded; refuse it.
        self.check_years(asked.year(), result.year(), asked)?;
        Ok(result)
    }

    /// The `n`-th working day strictly after `d` (`n = 0` gives `d` itself).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        self.nth_from_index(i + 1, n, d)
    }

    /// The `n`-th working day counting from `d` itself (when `d` is a working day it is the
    /// first): the last day of a period of `n` working days starting on `d`, as a 公示期 is
    /// counted. `n = 0` gives `d` itself.
    pub fn nth_working_day_from(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        self.nth_from_index(i, n, d)
    }

    /// Working days in `[a, b]`, both ends included; 0 when `a > b`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, CalendarError> {
        if a > b {
            return Ok(0);
        }
        self.check_years(a.year(), b.year(), a)?;
        let ia = self.index(a)?;
        let ib = self.index(b)?;
        Ok(self.prefix[ib + 1] - self.prefix[ia])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CalendarYear;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn builtin_covers_2004_to_2026() {
        let c = Calendar::builtin();
        assert_eq!(c.covered_years(), (2004..=2026).collect::<Vec<_>>());
        assert_eq!(c.covered_label(), "2004—2026年");
    }

    #[test]
    fn known_days() {
        let c = Calendar::builtin();
        // (date, working?) — hand-checked against the State Council notices.
        let table = [
            (d(2024, 2, 4), true),    // Sunday, 春节 调休上班
            (d(2024, 2, 10), false),  // 春节 (Saturday)
            (d(2024, 2, 12), false),  // Monday inside 春节
            (d(2024, 2, 18), true),   // Sunday, 调休上班
            (d(2024, 5, 1), false),   // 劳动节
            (d(2024, 5, 6), true),    // Monday after 劳动节
            (d(2024, 5, 11), true),   // Saturday, 调休上班
            (d(2024, 10, 7), false),  // 国庆节 (Monday)
            (d(2024, 10, 12), true),  // Saturday, 调休上班
            (d(2024, 2, 29), true),   // leap day, Thursday
            (d(2023, 12, 30), false), // Saturday
            (d(2026, 12, 31), true),  // Thursday, last covered day
            (d(2004, 1, 1), false),   // 元旦, first covered day
            (d(2004, 1, 2), true),
        ];
        for (day, expected) in table {
            assert_eq!(c.is_working_day(day).unwrap(), expected, "{day}");
        }
        assert_eq!(c.holiday_name(d(2024, 2, 4)), Some("春节"));
        assert_eq!(c.holiday_name(d(2024, 3, 4)), None);
    }

    #[test]
    fn add_across_holidays() {
        let c = Calendar::builtin();
        let table = [
            // 劳动节 2024: 5/1–5/5 off, 4/28 (Sun) and 5/11 (Sat) worked.
            (d(2024, 4, 26), 5, d(2024, 5, 7)), // Fri → 4/28 Sun, 4/29, 4/30, 5/6, 5/7
            (d(2024, 4, 30), 1, d(2024, 5, 6)),
            (d(2024, 5, 10), 1, d(2024, 5, 11)), // Friday → Saturday 调休上班
            // 国庆 2024: 10/1–10/7 off, 9/29 (Sun) and 10/12 (Sat) worked.
            (d(2024, 9, 27), 5, d(2024, 10, 10)), // 9/29 Sun, 9/30, 10/8, 10/9, 10/10
            (d(2024, 10, 11), 1, d(2024, 10, 12)), // Friday → Saturday 调休上班
            // 春节 2024: 2/10–2/17 off, 2/4 (Sun) and 2/18 (Sun) worked.
            (d(2024, 2, 8), 5, d(2024, 2, 21)), // 2/9, 2/18, 2/19, 2/20, 2/21
            (d(2024, 2, 3), 1, d(2024, 2, 4)),
            // Year end: 2024-12-31 Tue → 2025 元旦 1/1 off.
            (d(2024, 12, 31), 1, d(2025, 1, 2)),
            (d(2024, 12, 30), 2, d(2025, 1, 2)),
            // Leap day.
            (d(2024, 2, 28), 1, d(2024, 2, 29)),
            (d(2024, 2, 29), 1, d(2024, 3, 1)),
            (d(2024, 3, 1), 0, d(2024, 3, 1)),
        ];
        for (from, n, expected) in table {
            assert_eq!(c.add_working_days(from, n).unwrap(), expected, "{from} + {n}");
        }
    }

    #[test]
    fn nth_from_counts_start_day() {
        let c = Calendar::builtin();
        // A 公示 starting Monday 2024-04-29: 4/29, 4/30, 5/6, 5/7, 5/8.
        assert_eq!(c.nth_working_day_from(d(2024, 4, 29), 5).unwrap(), d(2024, 5, 8));
        // Starting Saturday 2024-04-27 (not a working day): 4/28 (Sun, 调休), 4/29, 4/30, 5/6, 5/7.
        assert_eq!(c.nth_working_day_from(d(2024, 4, 27), 5).unwrap(), d(2024, 5, 7));
        // Starting on a holiday: the holiday itself does not count.
        assert_eq!(c.nth_working_day_from(d(2024, 5, 1), 1).unwrap(), d(2024, 5, 6));
        assert_eq!(c.nth_working_day_from(d(2024, 3, 4), 1).unwrap(), d(2024, 3, 4));
        assert_eq!(c.nth_working_day_from(d(2024, 3, 4), 5).unwrap(), d(2024, 3, 8));
    }

    #[test]
    fn between_inclusive() {
        let c = Calendar::builtin();
        assert_eq!(c.working_days_between(d(2024, 3, 4), d(2024, 3, 8)).unwrap(), 5);
        assert_eq!(c.working_days_between(d(2024, 3, 4), d(2024, 3, 4)).unwrap(), 1);
        assert_eq!(c.working_days_between(d(2024, 3, 9), d(2024, 3, 10)).unwrap(), 0);
        assert_eq!(c.working_days_between(d(2024, 3, 8), d(2024, 3, 4)).unwrap(), 0);
        // 2024: 251 working days (State Council arrangement).
        assert_eq!(c.working_days_between(d(2024, 1, 1), d(2024, 12, 31)).unwrap(), 251);
        assert_eq!(c.working_days_between(d(2024, 4, 29), d(2024, 5, 8)).unwrap(), 5);
    }

    #[test]
    fn outside_coverage_names_the_year() {
        let c = Calendar::builtin();
        let e = c.is_working_day(d(2027, 1, 4)).unwrap_err();
        assert!(matches!(e, CalendarError::YearNotCovered { year: 2027, .. }));
        let msg = e.to_string();
        assert!(
            msg.contains("2027年") && msg.contains("rules.yaml") && msg.contains("工作日历"),
            "{msg}"
        );
        let e = c.add_working_days(d(2026, 12, 30), 5).unwrap_err();
        assert!(matches!(e, CalendarError::YearNotCovered { year: 2027, .. }));
        let e = c.working_days_between(d(2003, 12, 1), d(2004, 1, 5)).unwrap_err();
        assert!(matches!(e, CalendarError::YearNotCovered { year: 2003, .. }));
        assert!(c.add_working_days(d(2026, 12, 30), 1).is_ok());
    }

    #[test]
    fn rules_file_adds_and_replaces_years() {
        let mut rules = RulesFile::default();
        rules.calendar.insert(
            2027,
            CalendarYear {
                off_days: vec![d(2027, 1, 1)],
                work_days: vec![d(2027, 1, 9)],
            },
        );
        // Replace 2024 with weekends only.
        rules.calendar.insert(2024, CalendarYear::default());
        let c = Calendar::new(&rules).unwrap();
        assert!(!c.is_working_day(d(2027, 1, 1)).unwrap());
        assert!(c.is_working_day(d(2027, 1, 9)).unwrap());
        assert!(c.is_working_day(d(2024, 5, 1)).unwrap());
        assert_eq!(c.add_working_days(d(2026, 12, 31), 1).unwrap(), d(2027, 1, 4));
        assert!(c.is_working_day(d(2028, 1, 3)).is_err());

        // A gap year in between is refused rather than skipped.
        let mut rules = RulesFile::default();
        rules.calendar.insert(2028, CalendarYear::default());
        let c = Calendar::new(&rules).unwrap();
        assert_eq!(c.covered_label(), "2004—2026、2028年");
        let e = c.add_working_days(d(2026, 12, 31), 5).unwrap_err();
        assert!(matches!(e, CalendarError::YearNotCovered { year: 2027, .. }));
        let e = c.working_days_between(d(2026, 12, 1), d(2028, 1, 5)).unwrap_err();
        assert!(matches!(e, CalendarError::YearNotCovered { year: 2027, .. }));
    }

    #[test]
    fn rules_file_errors() {
        let mut rules = RulesFile::default();
        rules.calendar.insert(
            2027,
            CalendarYear {
                off_days: vec![d(2028, 1, 1)],
                work_days: vec![],
            },
        );
        assert!(matches!(
            Calendar::new(&rules),
            Err(CalendarError::WrongYear { year: 2027, .. })
        ));
        let mut rules = RulesFile::default();
        rules.calendar.insert(
            2027,
            CalendarYear {
                off_days: vec![d(2027, 2, 6)],
                work_days: vec![d(2027, 2, 6)],
            },
        );
        assert!(matches!(Calendar::new(&rules), Err(CalendarError::Conflict { .. })));
    }
}
