//! The app's journal: every run is written there before anything is sent (see `runs`), and
//! the History page reads it back — runs, one run's people, interrupted runs to finish,
//! reports to save. A journal that cannot be opened (another program's file, a damaged one)
//! is left as it is and said plainly; changes are refused until it is dealt with, as a run
//! that cannot be recorded could not be finished or undone.

use std::path::PathBuf;

use journal::{Journal, JournalChange, RunSummary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Changes a page of a run's people holds at most.
const MOST_CHANGES: u32 = 500;

pub struct History {
    path: PathBuf,
    /// Opened on first use, off the main thread: opening checks the whole file
    /// (`quick_check`), which takes a while on a journal of many large runs, and the window
    /// should not wait for it to appear.
    journal: std::sync::OnceLock<Result<Journal, String>>,
}

impl History {
    /// The journal at `path`, opened when first needed.
    pub fn open(path: PathBuf) -> Self {
        Self {
            path,
            journal: std::sync::OnceLock::new(),
        }
    }

    pub fn journal(&self) -> Result<&Journal, CommandError> {
        self.journal
            .get_or_init(|| {
                Journal::open(&self.path).map_err(|e| {
                    tracing::warn!("the journal could not be opened: {e}");
                    e.to_string()
                })
            })
            .as_ref()
            .map_err(|message| {
                CommandError::new(
                    "journal.unavailable",
                    format!("{message} Until then LicenseDesk changes nothing, as it could not keep a record of the change."),
                    None,
                )
            })
    }
}

pub fn journal_error(e: journal::JournalError) -> CommandError {
    let code = match &e {
        journal::JournalError::Busy(_) => "journal.busy",
        journal::JournalError::NoSuchRun(_) => "journal.noRun",
        _ => "journal.failed",
    };
    CommandError::new(code, e.to_string(), None)
}

/// A page of one run's people.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunPage {
    pub summary: RunSummary,
    pub plan_names: std::collections::HashMap<String, String>,
    pub changes: Vec<JournalChange>,
    /// How many people the filter keeps.
    pub matching: u32,
}

#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunPageQuery {
    /// Only people whose change failed or is not settled.
    pub problems_only: bool,
    pub offset: u32,
    pub limit: u32,
}

impl History {
    pub fn runs(&self) -> Result<Vec<RunSummary>, CommandError> {
        self.journal()?.runs().map_err(journal_error)
    }

    pub fn page(&self, id: &str, query: RunPageQuery) -> Result<RunPage, CommandError> {
        let detail = self.journal()?.detail(id).map_err(journal_error)?;
        let kept: Vec<JournalChange> = detail
            .changes
            .into_iter()
            .filter(|c| {
                !query.problems_only
                    || matches!(
                        c.status,
                        journal::ChangeStatus::Failed
                            | journal::ChangeStatus::Pending
                            | journal::ChangeStatus::Sent
                            | journal::ChangeStatus::NotSent
                    )
            })
            .collect();
        Ok(RunPage {
            summary: detail.summary,
            plan_names: detail.plan_names,
            matching: kept.len() as u32,
            changes: kept
                .into_iter()
                .skip(query.offset as usize)
                .take(query.limit.min(MOST_CHANGES) as usize)
                .collect(),
        })
    }

    /// Runs on this tenant that were cut short, to offer finishing them.
    pub fn interrupted(&self, tenant_id: &str) -> Result<Vec<RunSummary>, CommandError> {
        self.journal()?
            .interrupted(tenant_id)
            .map_err(journal_error)
    }

    /// The report of a run, as CSV or Excel, in the window's language.
    pub fn report(&self, id: &str, excel: bool, language: &str) -> Result<Vec<u8>, CommandError> {
        let detail = self.journal()?.detail(id).map_err(journal_error)?;
        let labels = journal::report::Labels::for_language(language);
        if excel {
            journal::report::to_xlsx(&detail, &labels)
        } else {
            journal::report::to_csv(&detail, &labels)
        }
        .map_err(journal_error)
    }
}
