//! The document catalogue (DESIGN.md §4): what `build` produces, per township or per village.

use serde::Serialize;

/// One kind of document. The Chinese name is also the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DocKind {
    Notice,
    PublicityIdentification,
    PublicityElimination,
    Announcement,
    Commitment,
    Screening,
    Survey,
    Ledger,
    Summary,
    Compliance,
    Roster,
    ProblemList,
}

/// File format of one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Format {
    #[serde(rename = "pdf")]
    Pdf,
    #[serde(rename = "xlsx")]
    Xlsx,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

impl DocKind {
    pub const ALL: &'static [DocKind] = &[
        DocKind::Notice,
        DocKind::PublicityIdentification,
        DocKind::PublicityElimination,
        DocKind::Announcement,
        DocKind::Commitment,
        DocKind::Screening,
        DocKind::Survey,
        DocKind::Ledger,
        DocKind::Summary,
        DocKind::Compliance,
        DocKind::Roster,
        DocKind::ProblemList,
    ];

    /// Chinese name: the file name without extension.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Notice => "通知",
            DocKind::PublicityIdentification => "拟纳入监测对象名单公示",
            DocKind::PublicityElimination => "拟标注风险消除名单公示",
            DocKind::Announcement => "结果公告",
            DocKind::Commitment => "承诺授权书",
            DocKind::Screening => "筛查表",
            DocKind::Survey => "入户排查表",
            DocKind::Ledger => "问题整改台账",
            DocKind::Summary => "整改情况汇总表",
            DocKind::Compliance => "时限合规报告",
            DocKind::Roster => "监测对象名册",
            DocKind::ProblemList => "数据问题清单",
        }
    }

    /// Short ASCII key for `--only` (the Chinese name works too).
    pub fn key(self) -> &'static str {
        match self {
            DocKind::Notice => "notice",
            DocKind::PublicityIdentification => "publicity",
            DocKind::PublicityElimination => "elimination-publicity",
            DocKind::Announcement => "announcement",
            DocKind::Commitment => "commitment",
            DocKind::Screening => "screening",
            DocKind::Survey => "survey",
            DocKind::Ledger => "ledger",
            DocKind::Summary => "summary",
            DocKind::Compliance => "compliance",
            DocKind::Roster => "roster",
            DocKind::ProblemList => "problems",
        }
    }

    /// Per village (else one per township).
    pub fn per_village(self) -> bool {
        matches!(
            self,
            DocKind::PublicityIdentification
                | DocKind::PublicityElimination
                | DocKind::Announcement
                | DocKind::Commitment
                | DocKind::Screening
                | DocKind::Survey
        )
    }

    /// The formats produced for this kind.
    pub fn formats(self) -> &'static [Format] {
        match self {
            DocKind::Notice
            | DocKind::PublicityIdentification
            | DocKind::PublicityElimination
            | DocKind::Announcement
            | DocKind::Commitment
            | DocKind::Survey => &[Format::Pdf],
            DocKind::Screening | DocKind::Ledger | DocKind::Summary | DocKind::Compliance => {
                &[Format::Xlsx, Format::Pdf]
            }
            DocKind::Roster | DocKind::ProblemList => &[Format::Xlsx],
        }
    }

    /// Public documents (posted on noticeboards, sent to villages): never a full ID or phone number.
    pub fn is_public(self) -> bool {
        crate::documents::is_public(self)
    }

    /// Parse a `--only` item: the ASCII key or the Chinese name.
    pub fn parse(s: &str) -> Option<DocKind> {
        let s = s.trim();
        let s = s.strip_suffix(".pdf").or_else(|| s.strip_suffix(".xlsx")).unwrap_or(s);
        DocKind::ALL.iter().copied().find(|k| k.key() == s || k.name() == s)
    }

    /// `notice（通知）、publicity（…）` for help and error messages.
    pub fn choices() -> String {
        DocKind::ALL
            .iter()
            .map(|k| format!("{}（{}）", k.key(), k.name()))
            .collect::<Vec<_>>()
            .join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_by_key_or_name() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::parse(k.key()), Some(*k));
            assert_eq!(DocKind::parse(k.name()), Some(*k));
        }
        assert_eq!(DocKind::parse("承诺授权书.pdf"), Some(DocKind::Commitment));
        assert_eq!(DocKind::parse("x"), None);
    }
}
