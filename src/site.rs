//! The run object every command drives, in the manner of zola's `Site`: options checked →
//! workspace loaded → rules evaluated once. `check`, `compliance`, `build` (and the web page)
//! all go through [`Site::load`], so they read the same data, use the same `as_of` and report the
//! same findings with the same exit code.

use crate::ingest::{IngestError, load_workspace, sort_diagnostics};
use crate::model::Workspace;
use crate::rules::calendar::Calendar;
use crate::rules::report::Tally;
use crate::rules::{Evaluation, RulesError, evaluate_with};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Exit codes, one policy for every command: 0 success (warnings allowed), 2 the input (data,
/// campaign.yaml, rules.yaml) has errors that stop the command, 1 anything else (the command
/// line, the disk, a bug).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_INPUT: u8 = 2;

/// What every command needs to know before it reads anything.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub workspace: PathBuf,
    /// `--as-of`; falls back to the campaign's 统计截止日, then `today`.
    pub as_of: Option<NaiveDate>,
    /// The caller's date (the library never reads the clock).
    pub today: NaiveDate,
    /// `--village`: must name a village of the workspace.
    pub village: Option<String>,
    /// Evaluate the rules even when the data has errors (`build --force`).
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("规则计算失败：{0}")]
    Rules(#[from] RulesError),
    #[error(
        "统计截止日 {date} 所在的{year}年不在工作日历中（已有：{covered}），无法计算工作日。请改用日历覆盖的日期，或在 rules.yaml 的“工作日历”中补充{year}年的放假和调休安排（格式见 fangpin help calendar）"
    )]
    AsOfUncovered {
        date: NaiveDate,
        year: i32,
        covered: String,
    },
    #[error("工作区中没有“{name}”这个村。可选：{choices}")]
    UnknownVillage { name: String, choices: String },
}

impl SiteError {
    /// The exit code of this error under the one policy.
    pub fn exit_code(&self) -> u8 {
        match self {
            SiteError::Ingest(IngestError::Io { .. }) => EXIT_FAILURE,
            SiteError::Ingest(_) | SiteError::Rules(_) | SiteError::AsOfUncovered { .. } => EXIT_INPUT,
            SiteError::UnknownVillage { .. } => EXIT_FAILURE,
        }
    }
}

/// A loaded, evaluated workspace.
pub struct Site {
    pub ws: Workspace,
    /// The one `as_of` date of this run.
    pub as_of: NaiveDate,
    /// The rules' evaluation; None when the data has errors (and not `force`).
    pub eval: Option<Evaluation>,
    /// Characters no font covers, as warnings already added to `ws.diagnostics` (for summaries).
    pub uncovered: Vec<String>,
}

impl Site {
    /// Loads and evaluates the workspace the options name.
    pub fn load(opts: &SiteOptions) -> Result<Site, SiteError> {
        let mut ws = load_workspace(&opts.workspace)?;
        // Characters no font covers would print as boxes: warn, naming the household.
        let font_warnings = crate::render::fonts::font_diagnostics(&ws);
        let uncovered = font_warnings.iter().map(|d| d.to_string()).collect();
        ws.diagnostics.extend(font_warnings);
        sort_diagnostics(&mut ws.diagnostics);
        let as_of = resolve_as_of(&ws, opts.as_of, opts.today);
        let calendar = Calendar::new(&ws.rules).map_err(|source| RulesError::Calendar {
            place: ws.root.join("rules.yaml").display().to_string(),
            source,
        })?;
        if !calendar.is_year_covered(chrono::Datelike::year(&as_of)) {
            let covered = calendar.covered_years();
            let covered = match (covered.first(), covered.last()) {
                (Some(a), Some(b)) => format!("{a}–{b}年"),
                _ => "无".to_string(),
            };
            return Err(SiteError::AsOfUncovered {
                date: as_of,
                year: chrono::Datelike::year(&as_of),
                covered,
            });
        }
        if let Some(v) = &opts.village {
            let villages = ws.data.villages();
            if !villages.iter().any(|x| x == v) {
                return Err(SiteError::UnknownVillage {
                    name: v.clone(),
                    choices: villages.join("、"),
                });
            }
        }
        let eval = (!ws.has_errors() || opts.force).then(|| evaluate_with(&ws, &calendar, as_of));
        Ok(Site {
            ws,
            as_of,
            eval,
            uncovered,
        })
    }

    /// The counts every command prints; None when the rules did not run.
    pub fn tally(&self) -> Option<Tally> {
        self.eval.as_ref().map(|e| Tally::of(&self.ws, e))
    }

    /// 0 or 2 under the one policy: data errors stop every command; rule findings never do
    /// (an error of a case holds that case back from the public documents).
    pub fn exit_code(&self) -> u8 {
        if self.ws.has_errors() { EXIT_INPUT } else { EXIT_OK }
    }
}

/// The date rules and documents use: `--as-of`, else 统计截止日, else today. The one place.
pub fn resolve_as_of(ws: &Workspace, flag: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    flag.or(ws.campaign.as_of).unwrap_or(today)
}
